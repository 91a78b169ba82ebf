"""Fan charts of series over dates: one result (:func:`fan`), small multiples
(:func:`fans`) and several results on one axes (:func:`compare`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .._utils.names import is_pattern, select
from ..errors import AttritionError
from ..results import Result
from ..scenario import registry as _labels
from .style import (
    OKABE_ITO,
    big_numbers_if_needed,
    chart_x,
    date_axis,
    mpl,
    new_axes,
    next_color,
    stamp,
    style,
    title,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["compare", "fan", "fans", "unstep"]


def _band_q(bands: Sequence[float]) -> list[tuple[float, float, float]]:
    """(width, low q, high q) per band, widest first."""
    out = []
    for b in sorted(bands, reverse=True):
        if not 0 < b < 1:
            raise ValueError(f"bands are central shares in (0, 1), got {b}")
        out.append((b, (1 - b) / 2, (1 + b) / 2))
    return out


def unstep(y: np.ndarray) -> np.ndarray:
    """A sketch's quantiles by day move in steps of its buckets (1 % relative width); join
    the middles of the flat runs with straight lines. Every value stays between two
    neighbouring bucket values, so within the sketch's error."""
    y = np.asarray(y, dtype=float)
    if y.size < 3 or not np.isfinite(y).all():
        return y
    change = np.flatnonzero(np.diff(y) != 0) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [y.size]])
    if starts.size < 2:
        return y
    centres = (starts + ends - 1) / 2.0
    return np.interp(np.arange(y.size), centres, y[starts])


def _fan_on(
    ax: Axes,
    r: Result,
    series: str,
    *,
    bands: Sequence[float],
    samples: int,
    color: str,
    label: str | None,
    band_alpha: float = 0.22,
    compact: bool = False,
    smooth: bool | None = None,
) -> None:
    """Median line and nested bands; ``compact`` labels only the median (with ``label``)."""
    bq = _band_q(bands)
    qs = [0.5] + [x for _, lo, hi in bq for x in (lo, hi)]
    values = r.quantiles(series, qs)
    if smooth if smooth is not None else not r.paths:
        values = np.array([unstep(v) for v in values])
    dates = chart_x(ax, r.dates)
    prefix = f"{label}: " if label else ""
    if samples:
        if not r.paths:
            raise AttritionError("sample paths need a run with paths=True; this one kept summaries")
        a = r.series(series)
        k = min(int(samples), r.n)
        for i in range(k):
            ax.plot(
                dates,
                a[i],
                color=color,
                linewidth=0.6,
                alpha=0.45,
                label=f"{prefix}{k} sample trajectories" if i == 0 else None,
            )
    for j, (b, _, _) in enumerate(bq):
        lo, hi = values[1 + 2 * j], values[2 + 2 * j]
        # nested bands: each inner band is drawn over the outer, so it reads darker
        ax.fill_between(
            dates,
            lo,
            hi,
            color=color,
            alpha=band_alpha,
            linewidth=0,
            label=None if compact else f"{prefix}{100 * b:g} % of trajectories",
        )
    ax.plot(dates, values[0], color=color, linewidth=2.0, label=label if compact else f"{prefix}median")
    lows = getattr(ax, "_attrition_ylow", [])
    lows.append((float(np.nanmin(values)), float(np.nanmax(values))))
    ax._attrition_ylow = lows  # type: ignore[attr-defined]


def _finish_series_axes(ax: Axes, series: str, size: float = 11) -> None:
    title(ax, _labels.label(series), size=size)
    ax.set_ylabel(_labels.unit(series, outcome=False) or series.rsplit(".", 1)[-1])
    date_axis(ax)
    ranges = getattr(ax, "_attrition_ylow", [])
    if ranges:
        lo = min(x[0] for x in ranges)
        hi = max(x[1] for x in ranges)
        # counts (stocks, guns) read best from zero, unless the data sit far above it
        if lo >= 0 and lo < 0.4 * hi:
            ax.set_ylim(bottom=0)
    big_numbers_if_needed(ax.yaxis, ax.get_ylim())
    style(ax)


def fan(
    r: Result,
    series: str,
    *,
    ax: Any = None,
    bands: Sequence[float] = (0.5, 0.9),
    samples: int = 0,
    color: str | None = None,
    label: str | None = None,
    smooth: bool | None = None,
) -> Axes:
    """A fan chart of one series of ``r`` (see :meth:`ResultPlot.fan`)."""
    r._check_series(series)
    ax = new_axes(ax)
    c = next_color(ax, color)
    _fan_on(ax, r, series, bands=bands, samples=samples, color=c, label=label, smooth=smooth)
    _finish_series_axes(ax, series)
    ax.legend(loc="best", fontsize=8, frameon=False)
    stamp(ax, r)
    return ax


def _recorded(r: Result, series: str | Sequence[str]) -> list[str]:
    """Recorded series by name or glob pattern; a pattern must match one at least."""
    patterns = [series] if isinstance(series, str) else list(series)
    for p in patterns:
        if isinstance(p, str) and not is_pattern(p):
            r._check_series(p)  # says when a series exists but was not recorded
    return select(r.series_names, patterns, "recorded series", empty_pattern_ok=False)


def fans(
    r: Result,
    series: str | Sequence[str],
    *,
    ncols: int = 3,
    bands: Sequence[float] = (0.5, 0.9),
    sharey: bool = False,
    axes: Any = None,
) -> np.ndarray:
    """Small multiples of ``r``: one fan chart per series (see :meth:`ResultPlot.fans`)."""
    names = _recorded(r, series)
    if axes is None:
        ncols = max(1, min(ncols, len(names)))
        nrows = math.ceil(len(names) / ncols)
        fig, grid = mpl("pyplot").subplots(
            nrows,
            ncols,
            figsize=(4.2 * ncols, 3.0 * nrows),
            sharex=True,
            sharey=sharey,
            layout="constrained",
            squeeze=False,
        )
        flat = grid.ravel()
        for a in flat[len(names) :]:
            a.set_visible(False)
        fig.suptitle(f"{r.scenario.name}, n = {r.n:,}, seed {r.seed}", fontsize=9, color="0.35", x=0.01, ha="left")
    else:
        flat = np.asarray(axes).ravel()
        if len(flat) < len(names):
            raise ValueError(f"{len(names)} series but {len(flat)} axes")
    for a, name in zip(flat, names, strict=False):
        _fan_on(a, r, name, bands=bands, samples=0, color=next_color(a, OKABE_ITO[0]), label=None)
        _finish_series_axes(a, name, size=9)
        a.title.set_position((0, 1))
        a.set_title(_labels.label(name), loc="left", fontsize=9, pad=4)
        if axes is None and not a.get_subplotspec().is_last_row():
            a.set_xlabel("")
    flat[0].legend(loc="best", fontsize=7, frameon=False)
    return np.asarray(flat[: len(names)])


def compare(
    r: Result,
    other: Result | Sequence[Result],
    series: str,
    *,
    ax: Any = None,
    labels: Sequence[str] | None = None,
    bands: Sequence[float] = (0.5, 0.9),
) -> Axes:
    """Fan charts of a series from ``r`` and other results on one axes (see :meth:`ResultPlot.compare`)."""
    others = [other] if isinstance(other, Result) else list(other)
    results = [r, *others]
    if labels is None:
        names = [x.scenario.name for x in results]
        if len(set(names)) < len(names):
            names = [f"{x.scenario.name} (seed {x.seed})" for x in results]
        labels = names
    if len(labels) != len(results):
        raise ValueError(f"{len(results)} results but {len(labels)} labels")
    for x in results:
        x._check_series(series)
        if x.scenario.start != r.scenario.start:
            raise ValueError("compare needs results with the same start date")
    ax = new_axes(ax)
    for x, lab in zip(results, labels, strict=True):
        _fan_on(
            ax,
            x,
            series,
            bands=bands,
            samples=0,
            color=next_color(ax, None),
            label=lab,
            band_alpha=0.18,
            compact=True,
        )
        stamp(ax, x)
    shares = " and ".join(f"{100 * b:g} %" for b in sorted(bands))
    handles, texts = ax.get_legend_handles_labels()
    handles.append(mpl("patches").Patch(facecolor="0.55", alpha=0.45, linewidth=0))
    texts.append(f"lines: medians; bands: central {shares} of trajectories")
    _finish_series_axes(ax, series)
    ax.legend(handles, texts, loc="best", fontsize=8, frameon=False)
    return ax
