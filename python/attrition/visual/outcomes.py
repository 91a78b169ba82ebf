"""Charts of one outcome over trajectories: its histogram (:func:`hist`) and, for a
first-passage outcome, the share in which the event has not happened yet by date
(:func:`survival`). Both read per-trajectory values; from a summary run, the exact
day counts of a first-passage outcome, or a quantile sketch of any other."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._utils.fmt import num, shown
from .._utils.stats import quantiles
from ..scenario import registry as _labels
from .style import big_numbers_if_needed, chart_x, date_axis, drawn, mpl, new_axes, next_color, pct, stamp, style, title

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..results import Result

__all__ = ["hist", "outcome_values", "survival"]

#: Grid of quantiles used to read a distribution off a quantile sketch.
QGRID = np.linspace(0.0005, 0.9995, 1000)

_SKETCH_NOTE = " (read off a quantile sketch)"


def outcome_values(r: Result, outcome: str) -> tuple[np.ndarray, np.ndarray | None, float, bool]:
    """(values, weights or None, censored share, from_sketch) of an outcome's finite values.

    From per-trajectory arrays, the values themselves (no weights). A first-passage
    time from a summary run: its days, each weighing its exact share of the runs. Any
    other outcome from a sketch: its quantiles at :data:`QGRID`, each weighing an equal
    share of the uncensored trajectories.
    """
    if outcome not in r.outcome_names:
        r.outcome(outcome)  # raises a KeyError with suggestions
    if r.outcomes_kept == "arrays":
        x = np.asarray(r.outcomes[outcome], dtype=float)
        finite = x[np.isfinite(x)]
        censored = float(1 - finite.size / x.size) if x.size else float("nan")
        return finite, None, censored, False
    if r.is_event(outcome):
        e = r.event(outcome)
        days = np.flatnonzero(e.events)
        return days.astype(float), e.events[days] / max(e.n, 1), 1.0 - e.reached, False
    row = r.outcome_table([outcome], q=list(QGRID))[0]
    v = np.array([row[f"q{q:g}"] for q in QGRID])
    censored = float(row["censored"])
    v = v[np.isfinite(v)]
    w = np.full(v.size, (1 - censored) / max(v.size, 1))
    return v, w, censored, True


def hist(
    r: Result, outcome: str, *, ax: Any = None, bins: int = 40, color: str | None = None, label: str | None = None
) -> Axes:
    """A histogram of an outcome of ``r`` with its median and 90 % interval (see :meth:`ResultPlot.hist`)."""
    v, w, censored, sketch = outcome_values(r, outcome)
    ax = new_axes(ax)
    c = next_color(ax, color)
    fp = r.is_event(outcome)
    if v.size:
        weights = w if w is not None else np.full(v.size, 1.0 / r.n)
        ax.hist(
            v,
            bins=bins,
            weights=weights,
            color=c,
            alpha=0.55,
            edgecolor="white",
            linewidth=0.4,
            label=label or r.scenario.name,
        )
        qs = quantiles(v, (0.05, 0.5, 0.95), w)
        unit = _labels.unit(outcome, outcome=True)

        def show(x: float) -> str:
            if fp:
                return f"day {x:,.0f} ({np.datetime64(r.scenario.start, 'D') + int(round(x))})"
            return f"{num(x)} {unit}".strip()

        where = " where it happened" if fp else ""
        ax.axvline(qs[1], color=c, linewidth=2, label=f"median{where}: {show(qs[1])}")
        ax.axvline(qs[0], color=c, linewidth=1.2, linestyle=":", label=f"90 % interval: {show(qs[0])} to {show(qs[2])}")
        ax.axvline(qs[2], color=c, linewidth=1.2, linestyle=":")
    if fp:
        ax.plot([], [], " ", label=f"never within the horizon: {pct(censored)}")
        ax.set_xlabel(f"days from {r.scenario.start}")
    else:
        ax.set_xlabel(_labels.unit(outcome, outcome=True) or outcome)
        big_numbers_if_needed(ax.xaxis, ax.get_xlim())
    ax.yaxis.set_major_formatter(mpl("ticker").PercentFormatter(1.0, decimals=None))
    ax.set_ylabel("share of trajectories")
    title(ax, _labels.group_label(drawn(ax, outcome)))
    ax.legend(loc="best", fontsize=8, frameon=False)
    style(ax)
    stamp(ax, r, _SKETCH_NOTE if sketch else "")
    return ax


def survival(r: Result, outcome: str, *, ax: Any = None, color: str | None = None, label: str | None = None) -> Axes:
    """The share of trajectories of ``r`` in which a first-passage event has not happened
    yet, by date, with its 95 % confidence band (see :meth:`ResultPlot.survival`)."""
    if not r.is_event(outcome):
        raise ValueError(f"survival needs a first-passage outcome (days_to_*), got {shown(outcome)}")
    e = r.event(outcome)  # exact, from arrays or from a summary run's day counts
    surv = e.survival()
    low, high = e.interval(0.95)
    censored = 1.0 - e.reached
    ax = new_axes(ax)
    c = next_color(ax, color)
    name = label or r.scenario.name
    below = np.flatnonzero(surv <= 0.5 + 1e-12)
    half = f"\nhalf have seen it by {r.dates[below[0]]}" if below.size else f"\nmedian not reached by {r.dates[-1]}"
    x = chart_x(ax, r.dates)
    ax.fill_between(x, 1.0 - high, 1.0 - low, step="post", color=c, alpha=0.2, linewidth=0)
    ax.step(
        x,
        surv,
        where="post",
        color=c,
        linewidth=2,
        label=f"{name}\nnever within the horizon (censored): {pct(censored)}{half}",
    )
    # the censored share: where the curve ends
    ax.axhline(censored, color=c, linewidth=0.8, linestyle="--")
    if below.size:
        ax.axvline(x[below[0]], color=c, linewidth=0.8, linestyle=":")
    ax.set_ylim(-0.02, 1.02)
    ax.yaxis.set_major_formatter(mpl("ticker").PercentFormatter(1.0))
    ax.set_ylabel("not happened yet (share of trajectories)")
    title(ax, _labels.group_label(drawn(ax, outcome)))
    date_axis(ax)
    if len(ax.get_legend_handles_labels()[0]) > 2:  # beside the axes, not over the curves
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=8, frameon=False)
    else:
        ax.legend(loc="best", fontsize=8, frameon=False)
    style(ax)
    stamp(ax, r, "; band: 95 % confidence interval (Kaplan-Meier)")
    return ax
