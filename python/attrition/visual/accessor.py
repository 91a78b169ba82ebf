"""``Result.plot``: the charts of one result, as methods.

The methods hold the documentation users read (``help(result.plot.fan)``);
the drawing is in :mod:`~attrition.visual.fans`,
:mod:`~attrition.visual.outcomes` and :mod:`~attrition.visual.tornado`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import fans as _fans
from . import outcomes as _outcomes
from . import tornado as _tornado

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from ..results import Result

__all__ = ["ResultPlot"]


class ResultPlot:
    """Charts of one :class:`~attrition.Result`, as ``result.plot``.

    Each method draws on ``ax`` (a new figure when None) and returns the Axes.
    Colours follow the Okabe-Ito palette; a second result drawn on the same
    axes takes the next colour.
    """

    def __init__(self, result: Result) -> None:
        self._r = result

    def __repr__(self) -> str:
        return f"<ResultPlot of {self._r.scenario.name!r}: fan, fans, hist, survival, compare, tornado>"

    # -- series ------------------------------------------------------------------------
    def fan(
        self,
        series: str,
        *,
        ax: Any = None,
        bands: Sequence[float] = (0.5, 0.9),
        samples: int = 0,
        color: str | None = None,
        label: str | None = None,
        smooth: bool | None = None,
    ) -> Axes:
        """A fan chart of a series: the median and nested central bands over dates.

        Parameters
        ----------
        series
            A recorded series (``"russia.ammo.152mm.stock"``).
        ax
            Axes to draw on (default: a new figure).
        bands
            Central shares of the trajectories to shade (default 50 % and 90 %).
        samples
            Also draw this many individual trajectories (needs ``paths=True``).
        color, label
            Colour (default: the next Okabe-Ito colour on ``ax``) and a legend prefix.
        smooth
            Quantiles from streaming summaries (``paths=False``) come from a sketch
            with 1 % relative error, whose buckets draw a staircase; ``smooth``
            joins the middles of the steps by straight lines (staying within the
            error). Default: on for summaries, off for paths (exact quantiles).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=50, seed=1, series=["russia.ammo.152mm.stock"])
        >>> ax = r.plot.fan("russia.ammo.152mm.stock", samples=3)
        >>> ax.get_ylabel(), len(ax.collections), len(ax.lines)
        ('shells', 2, 4)
        >>> import matplotlib.pyplot as plt; plt.close("all")
        """
        return _fans.fan(self._r, series, ax=ax, bands=bands, samples=samples, color=color, label=label, smooth=smooth)

    def fans(
        self,
        series: str | Sequence[str],
        *,
        ncols: int = 3,
        bands: Sequence[float] = (0.5, 0.9),
        sharey: bool = False,
        axes: Any = None,
    ) -> np.ndarray:
        """Small multiples: one fan chart per series (names or glob patterns).

        Parameters
        ----------
        series
            Recorded series: names or glob patterns (``"russia.fleet.*.serviceable"``).
        ncols
            Columns of the grid (a new figure).
        bands
            Central shares of the trajectories to shade.
        sharey
            Share the y axis between the panels.
        axes
            Axes to draw on instead of a new figure, at least one per series.

        Returns
        -------
        numpy.ndarray of matplotlib.axes.Axes
            One per series, in order (the grid's unused cells are hidden).

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=50, seed=1, series=["russia.fleet.*.serviceable"])
        >>> axs = r.plot.fans("russia.fleet.*.serviceable")
        >>> len(axs), axs[0].get_ylabel()
        (6, 'guns')
        >>> import matplotlib.pyplot as plt; plt.close("all")
        """
        return _fans.fans(self._r, series, ncols=ncols, bands=bands, sharey=sharey, axes=axes)

    def compare(
        self,
        other: Result | Sequence[Result],
        series: str,
        *,
        ax: Any = None,
        labels: Sequence[str] | None = None,
        bands: Sequence[float] = (0.5, 0.9),
    ) -> Axes:
        """Fan charts of a series from this and other results on one axes.

        Each result gets its median line and nested bands in its own colour.
        Run the results with the same seed to share random streams (common
        random numbers); for paired differences use :func:`attrition.compare`.

        Parameters
        ----------
        other
            Another result, or several.
        series
            A series recorded by all of them.
        ax
            Axes to draw on (default: a new figure).
        bands
            Central shares of the trajectories to shade.
        labels
            Legend labels (default: the scenario names, with the seed if they clash).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import attrition
        >>> a = attrition.run("baseline-2024-12", n=50, seed=2, series=["russia.ammo.152mm.stock"])
        >>> b = attrition.run("no-dprk", n=50, seed=2, series=["russia.ammo.152mm.stock"])
        >>> ax = a.plot.compare(b, "russia.ammo.152mm.stock")
        >>> [t.get_text() for t in ax.get_legend().get_texts()]
        ['baseline-2024-12', 'no-dprk', 'lines: medians; bands: central 50 % and 90 % of trajectories']
        >>> import matplotlib.pyplot as plt; plt.close("all")
        """
        return _fans.compare(self._r, other, series, ax=ax, labels=labels, bands=bands)

    # -- outcomes ----------------------------------------------------------------------
    def hist(
        self, outcome: str, *, ax: Any = None, bins: int = 40, color: str | None = None, label: str | None = None
    ) -> Axes:
        """A histogram of an outcome over trajectories, with its median and 90 % interval.

        Bar heights are shares of all trajectories, so the bars of a
        first-passage outcome sum to the share in which the event happened;
        the censored share ("never within the horizon") is stated in the legend.
        From a sketch (``outcomes_kept == "sketch"``) the histogram of a quantity is
        read off 1,000 quantiles; that of a first-passage time uses its exact day
        counts. The median and interval are quantiles by the inverted empirical CDF
        (weighted when read off a sketch or day counts).

        Parameters
        ----------
        outcome
            An outcome name.
        ax
            Axes to draw on (default: a new figure).
        bins
            Number of bins.
        color, label
            Colour (default: the next Okabe-Ito colour on ``ax``) and legend label
            (default: the scenario name).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=100, seed=1, series=[])
        >>> ax = r.plot.hist("russia.casualties.total.days_to_1000000")
        >>> ax.get_xlabel()
        'days from 2024-12-24'
        >>> import matplotlib.pyplot as plt; plt.close("all")
        """
        return _outcomes.hist(self._r, outcome, ax=ax, bins=bins, color=color, label=label)

    def survival(self, outcome: str, *, ax: Any = None, color: str | None = None, label: str | None = None) -> Axes:
        """For a first-passage outcome (``days_to_*``): the share of trajectories in
        which the event has not happened yet, by date.

        The Kaplan-Meier estimate (:meth:`attrition.Result.event`) with its
        pointwise 95 % confidence band, exact from arrays or from a summary run's
        day counts. The curve ends at the censored share (dashed): the
        trajectories in which the event never happened within the horizon, which
        the legend states. The date by which half the trajectories have seen the
        event is marked (dotted) when it is reached; otherwise the legend says the
        median is not reached. Draw several results, or several outcomes, on one
        ``ax`` to compare them.

        Parameters
        ----------
        outcome
            A first-passage outcome (``days_to_*``); NaN means it never happened.
        ax
            Axes to draw on (default: a new figure).
        color, label
            Colour (default: the next Okabe-Ito colour on ``ax``) and legend label
            (default: the scenario name).

        Returns
        -------
        matplotlib.axes.Axes

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=100, seed=1, series=[])
        >>> ax = r.plot.survival("russia.fleet.msta_b.days_to_half")
        >>> ax.get_ylabel()
        'not happened yet (share of trajectories)'
        >>> ax.get_legend().get_texts()[0].get_text()  # doctest: +ELLIPSIS
        'baseline-2024-12\\nnever within the horizon (censored): ... %...'
        >>> import matplotlib.pyplot as plt; plt.close("all")
        """
        return _outcomes.survival(self._r, outcome, ax=ax, color=color, label=label)

    def tornado(self, outcome: str, *, ax: Any = None, top: int = 12) -> Axes:
        """Which drawn parameters drive an outcome: Spearman rank correlation of each
        uncertain parameter with the outcome over trajectories, largest ``|rho|`` at the top.

        The same numbers as :func:`attrition.sensitivity.rank_correlation`: a
        first-passage outcome is read as the time censored at the horizon,
        ``min(T, days)`` (a run in which the event never happens counts as the
        horizon, later than any that sees it), so every run counts. NaN values of
        other outcomes are dropped pairwise.

        Parameters
        ----------
        outcome
            An outcome name.
        ax
            Axes to draw on (default: a new figure).
        top
            Show this many parameters.

        Returns
        -------
        matplotlib.axes.Axes
            The grey band marks the chance level: with ``m`` parameters ranked,
            a parameter that has no effect shows ``|rho|`` below
            ``z / sqrt(n - 1)``, ``z`` the normal quantile of ``1 - 0.025 / m``,
            in 95 % of runs for all ``m`` at once (a Bonferroni bound). Bars
            inside it are not distinguishable from noise.

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=200, seed=1, series=[])
        >>> ax = r.plot.tornado("russia.fleet.msta_b.serviceable_end", top=5)
        >>> len(ax.containers[0]), ax.get_yticklabels()[0].get_text()  # five bars, the largest |rho| on top
        (5, 'russia.fleets.msta_b.rounds_per_gun_day')
        >>> import matplotlib.pyplot as plt; plt.close("all")
        """
        return _tornado.tornado(self._r, outcome, ax=ax, top=top)
