"""Which drawn parameters drive an outcome: a tornado chart of Spearman rank
correlations over trajectories, against the level that chance alone reaches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._utils.fmt import shown
from .._utils.stats import chance_rho, spearman
from ..errors import AttritionError
from ..results.events import restricted
from ..scenario import registry as _labels
from .style import OKABE_ITO, new_axes, stamp, title

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..results import Result

__all__ = ["tornado"]


def tornado(r: Result, outcome: str, *, ax: Any = None, top: int = 12) -> Axes:
    """The tornado chart of an outcome of ``r`` (see :meth:`ResultPlot.tornado`)."""
    if r.outcomes_kept != "arrays":
        raise AttritionError("a tornado needs per-trajectory outcomes and parameters; run with outcomes='arrays'")
    y = np.asarray(r.outcome(outcome), dtype=float)
    first_passage = r.is_event(outcome)
    if first_passage:
        y = restricted(y, r.days)
    ranked = []
    for path, x in r.params.items():
        rho, _ = spearman(np.asarray(x, dtype=float), y)
        if np.isfinite(rho):
            ranked.append((path, rho))
    if not ranked:
        raise AttritionError(f"no drawn parameter varies together with {shown(outcome)}")
    rows = sorted(ranked, key=lambda t: -abs(t[1]))[: max(1, int(top))]
    ax = new_axes(ax, figsize=(8.0, 0.9 + 0.38 * len(rows)))
    ys = np.arange(len(rows))[::-1]
    rhos = np.array([t[1] for t in rows])
    colors = [OKABE_ITO[0] if v >= 0 else OKABE_ITO[1] for v in rhos]
    ax.barh(ys, rhos, color=colors, height=0.7)
    for yy, v in zip(ys, rhos, strict=True):
        ax.text(
            v + (0.02 if v >= 0 else -0.02), yy, f"{v:+.2f}", va="center", ha="left" if v >= 0 else "right", fontsize=8
        )
    ax.set_yticks(ys, [_labels.short_param(t[0]) for t in rows], fontsize=8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlim(-1.0, 1.0)
    kept = int((~np.isnan(y)).sum())
    xlabel = f"Spearman rank correlation with the outcome (n = {kept:,} trajectories)"
    if kept > 3:
        z = chance_rho(kept, len(ranked))
        ax.axvspan(-z, z, color="0.88", zorder=0, linewidth=0)
        xlabel += f"\ngrey: |rho| < {z:.2f}, the chance level for {len(ranked)} parameters (95 %)"
    ax.set_xlabel(xlabel)
    title(ax, f"{_labels.label(outcome)}: what drives it", width=60)
    ax.grid(True, axis="x", alpha=0.3, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    stamp(ax, r, "; time censored at the horizon (never = the horizon)" if first_passage else "")
    return ax
