"""The chart of a :class:`~attrition.Comparison`: the paired difference of a series by date."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..scenario import registry as _labels
from .style import big_numbers_if_needed, chart_x, date_axis, new_axes, next_color, stamp, style, title

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..api import Comparison

__all__ = ["difference"]


def difference(comparison: Comparison, series: str, *, ax: Any = None, color: str | None = None) -> Axes:
    """The paired difference ``b - a`` of a series by date, from :func:`attrition.compare`:
    the mean difference over trajectories with its 95 % confidence interval.

    Parameters
    ----------
    comparison
        A :class:`~attrition.Comparison` that recorded ``series``.
    series
        The series.
    ax
        Axes to draw on (default: a new figure).
    color
        Colour (default: the next Okabe-Ito colour on ``ax``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import attrition
    >>> from attrition.visual import difference
    >>> c = attrition.compare("baseline-2024-12", "dprk-cutoff-2025-01-20", n=50, seed=1,
    ...                       outcomes=[], series=["russia.ammo.152mm.stock"])
    >>> ax = difference(c, "russia.ammo.152mm.stock")
    >>> ax.get_ylabel()
    'shells'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    t = comparison.series(series)
    ax = new_axes(ax)
    c = next_color(ax, color)
    dates = chart_x(ax, comparison.dates)
    ax.fill_between(
        dates, t["ci_low"], t["ci_high"], color=c, alpha=0.25, linewidth=0, label="95 % confidence interval of the mean"
    )
    ax.plot(dates, t["mean_diff"], color=c, linewidth=2, label="mean paired difference")
    ax.axhline(0, color="black", linewidth=0.8)
    title(ax, f"{_labels.label(series)}: {comparison.b.name} minus {comparison.a.name}")
    ax.set_ylabel(_labels.unit(series, outcome=False) or series)
    date_axis(ax)
    big_numbers_if_needed(ax.yaxis, ax.get_ylim())
    ax.legend(loc="best", fontsize=8, frameon=False)
    style(ax)
    stamp(ax, text=f"paired on common random numbers, n = {comparison.n:,}, seed {comparison.seed}")
    return ax
