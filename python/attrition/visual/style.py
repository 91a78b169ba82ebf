"""The look shared by every chart: colours, axes, tick labels, titles and the stamp
naming the runs drawn. Also the one door to matplotlib (:func:`mpl`)."""

from __future__ import annotations

import textwrap
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from .._utils.optional import require

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..results import Result

__all__ = [
    "OKABE_ITO",
    "big_numbers",
    "chart_x",
    "date_axis",
    "drawn",
    "mpl",
    "new_axes",
    "next_color",
    "pct",
    "stamp",
    "style",
    "title",
]

#: The Okabe-Ito palette, in the order charts use it (blue, vermillion, bluish
#: green, reddish purple, orange, sky blue, yellow, black).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


def mpl(module: str) -> ModuleType:
    """``matplotlib.<module>`` (``"pyplot"``, ``"ticker"``...), or ImportError naming the ``plot`` extra."""
    return require(f"matplotlib.{module}", extra="plot", purpose="plotting")


def new_axes(ax: Any, figsize: tuple[float, float] = (8.0, 4.5)) -> Axes:
    """``ax``, or the axes of a new figure."""
    if ax is not None:
        return ax
    _, ax = mpl("pyplot").subplots(figsize=figsize, layout="constrained")
    return ax


def next_color(ax: Axes, color: str | None) -> str:
    """The colour of the next result drawn on ``ax``: ``color``, or Okabe-Ito in turn."""
    k = getattr(ax, "_attrition_drawn", 0)
    ax._attrition_drawn = k + 1  # type: ignore[attr-defined]
    return color if color is not None else OKABE_ITO[k % len(OKABE_ITO)]


def _tick(x: float, pos: Any = None) -> str:
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:g} bn"
    if a >= 1e6:
        return f"{x / 1e6:g} M"
    if a >= 1e3:  # used on axes that reach 10,000: thousands read as k throughout
        return f"{x / 1e3:g} k"
    return f"{x:g}"


def big_numbers(axis: Any) -> None:
    """Tick labels in k, M and bn on an axis that reaches 10,000."""
    axis.set_major_formatter(mpl("ticker").FuncFormatter(_tick))


def big_numbers_if_needed(axis: Any, limits: tuple[float, float]) -> None:
    """:func:`big_numbers` when the axis's ``limits`` reach 10,000."""
    if max(abs(limits[0]), abs(limits[1])) >= 1e4:
        big_numbers(axis)


#: The dates matplotlib can draw: the years 1 to 9999.
FIRST_DATE, LAST_DATE = np.datetime64("0001-01-01", "D"), np.datetime64("9999-12-31", "D")


def chart_x(ax: Axes, dates: np.ndarray) -> np.ndarray:
    """The x values of a chart of ``ax`` over ``dates``: the dates, or day numbers (0 for
    the first date) when some lie beyond the years 1 to 9999, which matplotlib cannot
    draw as dates; :func:`date_axis` then labels the axis in days."""
    if dates.size and (dates[0] < FIRST_DATE or dates[-1] > LAST_DATE or getattr(ax, "_attrition_days", False)):
        ax._attrition_days = True  # type: ignore[attr-defined]
        return np.arange(dates.size)
    return dates


def date_axis(ax: Axes) -> None:
    """Concise real dates on the x axis, the view kept within the years 1 to 9999 (the
    margins of a chart starting on 1 January of year 1 would reach before it); or day
    numbers, for a chart whose dates matplotlib cannot draw (see :func:`chart_x`)."""
    if getattr(ax, "_attrition_days", False):
        ax.xaxis.set_major_locator(mpl("ticker").MaxNLocator(integer=True))
        ax.set_xlabel("day (0: the start date)")
        return
    mdates = mpl("dates")
    lo, hi = ax.get_xlim()
    first, last = mdates.date2num(FIRST_DATE), mdates.date2num(LAST_DATE)
    if lo < first or hi > last:
        ax.set_xlim(max(lo, first), min(hi, last))
    loc = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.set_xlabel("date")


def style(ax: Axes) -> None:
    """A light grid, no top or right spine."""
    ax.grid(True, alpha=0.3, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def stamp(ax: Axes, r: Result | None = None, note: str = "", text: str | None = None) -> None:
    """A small grey line under the title naming the run(s) drawn: scenario, n and seed
    (or ``text``). Each call replaces the previous stamp, adding ``r`` to the runs named."""
    runs = getattr(ax, "_attrition_runs", [])
    if r is not None:
        runs.append((r.scenario.name, r.n, r.seed))
    ax._attrition_runs = runs  # type: ignore[attr-defined]
    if text is None:
        ns = ", ".join(f"{v:,}" for v in sorted({x[1] for x in runs}))
        seeds = ", ".join(str(v) for v in sorted({x[2] for x in runs}))
        names = {x[0] for x in runs}
        text = (f"{runs[0][0]}, " if len(names) == 1 else "") + f"n = {ns}, seed {seeds}"
        text += note
    prev = getattr(ax, "_attrition_stamp", None)
    if prev is not None:
        prev.remove()
    ax._attrition_stamp = ax.annotate(  # type: ignore[attr-defined]
        text,
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(0, 4),
        textcoords="offset points",
        ha="left",
        va="bottom",
        fontsize=8,
        color="0.35",
    )


def drawn(ax: Axes, name: str) -> list[str]:
    """The names drawn on ``ax`` so far, this one included (for a shared title)."""
    names = getattr(ax, "_attrition_names", [])
    names.append(name)
    ax._attrition_names = names  # type: ignore[attr-defined]
    return names


def title(ax: Axes, text: str, size: float = 11, width: int = 80) -> None:
    """A left-aligned title, wrapped at ``width`` characters."""
    ax.set_title("\n".join(textwrap.wrap(text, width)), loc="left", fontsize=size, pad=16)


def pct(x: float) -> str:
    """A share as a whole percentage; ``< 1 %`` and ``> 99 %`` rather than 0 % or 100 % when not exact."""
    if x == 0:
        return "0 %"
    if x < 0.01:
        return "< 1 %"
    if x > 0.99 and x < 1:
        return "> 99 %"
    return f"{x:.0%}".replace("%", " %")
