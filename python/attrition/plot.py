"""Charts of results, on ``Result.plot`` (needs the ``plot`` extra: matplotlib).

Every chart takes ``ax=`` (a new figure when omitted) and returns the Axes, so
charts compose: draw a second result on the same axes, or put several in a
grid. Colours are the Okabe-Ito palette (safe for the common forms of colour
blindness); axes carry units and real dates.

Examples
--------
>>> import attrition
>>> base = attrition.run("baseline-2024-12", n=100, seed=1, series=["russia.ammo.152mm.stock"])
>>> cut = attrition.run("dprk-cutoff-2025-01-20", n=100, seed=1, series=["russia.ammo.152mm.stock"])
>>> ax = base.plot.compare(cut, "russia.ammo.152mm.stock")
>>> ax.get_ylabel()
'shells'
>>> import matplotlib.pyplot as plt; plt.close("all")
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ._utils.fmt import num
from .scenario import registry as _labels
from .errors import AttritionError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from .api import Comparison
    from .results import Result

__all__ = ["OKABE_ITO", "ResultPlot", "difference"]

#: The Okabe-Ito palette, in the order charts use it (blue, vermillion, bluish
#: green, reddish purple, orange, sky blue, yellow, black).
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

#: Grid of quantiles used to read a distribution off a quantile sketch.
_QGRID = np.linspace(0.0005, 0.9995, 1000)


def _mpl() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("plotting needs matplotlib: pip install 'attrition[plot]'") from None
    return plt


def _new_axes(ax: Any, figsize: tuple[float, float] = (8.0, 4.5)) -> "Axes":
    if ax is not None:
        return ax
    plt = _mpl()
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _next_color(ax: "Axes", color: str | None) -> str:
    """The colour of the next result drawn on ``ax``: Okabe-Ito in turn."""
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


def _big_numbers(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(_tick))


def _date_axis(ax: "Axes") -> None:
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.set_xlabel("date")


def _style(ax: "Axes") -> None:
    ax.grid(True, alpha=0.3, linewidth=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _stamp(ax: "Axes", r: "Result | None" = None, note: str = "", text: str | None = None) -> None:
    """A small grey line under the title naming the run(s) drawn: scenario, n and seed."""
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
        text, xy=(0, 1), xycoords="axes fraction", xytext=(0, 4), textcoords="offset points",
        ha="left", va="bottom", fontsize=8, color="0.35",
    )


def _drawn(ax: "Axes", name: str) -> list[str]:
    """The names drawn on ``ax`` so far, this one included (for a shared title)."""
    names = getattr(ax, "_attrition_names", [])
    names.append(name)
    ax._attrition_names = names  # type: ignore[attr-defined]
    return names


def _title(ax: "Axes", text: str, size: float = 11, width: int = 80) -> None:
    import textwrap

    ax.set_title("\n".join(textwrap.wrap(text, width)), loc="left", fontsize=size, pad=16)


def _band_q(bands: Sequence[float]) -> list[tuple[float, float, float]]:
    """(width, low q, high q) per band, widest first."""
    out = []
    for b in sorted(bands, reverse=True):
        if not 0 < b < 1:
            raise ValueError(f"bands are central shares in (0, 1), got {b}")
        out.append((b, (1 - b) / 2, (1 + b) / 2))
    return out


def _band_label(b: float) -> str:
    return f"{100 * b:g} % of trajectories"


def _unstep(y: np.ndarray) -> np.ndarray:
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


def _fan_on(ax: "Axes", r: "Result", series: str, *, bands: Sequence[float], samples: int, color: str,
            label: str | None, band_alpha: float = 0.22, compact: bool = False, smooth: bool | None = None) -> None:
    """Median line and nested bands; ``compact`` labels only the median (with ``label``)."""
    bq = _band_q(bands)
    qs = [0.5] + [x for _, lo, hi in bq for x in (lo, hi)]
    values = r.quantiles(series, qs)
    if smooth if smooth is not None else not r.paths:
        values = np.array([_unstep(v) for v in values])
    dates = r.dates
    prefix = f"{label}: " if label else ""
    if samples:
        if not r.paths:
            raise AttritionError("sample paths need a run with paths=True; this one kept summaries")
        a = r.series(series)
        k = min(int(samples), r.n)
        for i in range(k):
            ax.plot(dates, a[i], color=color, linewidth=0.6, alpha=0.45,
                    label=f"{prefix}{k} sample trajectories" if i == 0 else None)
    for j, (b, _, _) in enumerate(bq):
        lo, hi = values[1 + 2 * j], values[2 + 2 * j]
        # nested bands: each inner band is drawn over the outer, so it reads darker
        ax.fill_between(dates, lo, hi, color=color, alpha=band_alpha, linewidth=0,
                        label=None if compact else f"{prefix}{_band_label(b)}")
    ax.plot(dates, values[0], color=color, linewidth=2.0, label=label if compact else f"{prefix}median")
    lows = getattr(ax, "_attrition_ylow", [])
    lows.append((float(np.nanmin(values)), float(np.nanmax(values))))
    ax._attrition_ylow = lows  # type: ignore[attr-defined]


def _finish_series_axes(ax: "Axes", series: str, size: float = 11) -> None:
    _title(ax, _labels.label(series), size=size)
    ax.set_ylabel(_labels.unit(series, outcome=False) or series.rsplit(".", 1)[-1])
    _date_axis(ax)
    ranges = getattr(ax, "_attrition_ylow", [])
    if ranges:
        lo = min(x[0] for x in ranges)
        hi = max(x[1] for x in ranges)
        # counts (stocks, guns) read best from zero, unless the data sit far above it
        if lo >= 0 and lo < 0.4 * hi:
            ax.set_ylim(bottom=0)
    lo, hi = ax.get_ylim()
    if max(abs(lo), abs(hi)) >= 1e4:
        _big_numbers(ax.yaxis)
    _style(ax)


def _outcome_values(r: "Result", outcome: str) -> tuple[np.ndarray, np.ndarray | None, float, bool]:
    """(values, weights or None, censored share, from_sketch) of an outcome's finite values."""
    if outcome not in r.outcome_names:
        r.outcome(outcome)  # raises a KeyError with suggestions
    if r.outcomes_kept == "arrays":
        x = np.asarray(r.outcomes[outcome], dtype=float)
        finite = x[np.isfinite(x)]
        censored = float(1 - finite.size / x.size) if x.size else float("nan")
        return finite, None, censored, False
    row = r.outcome_table([outcome], q=list(_QGRID))[0]
    v = np.array([row[f"q{q:g}"] for q in _QGRID])
    censored = float(row["censored"])
    v = v[np.isfinite(v)]
    w = np.full(v.size, (1 - censored) / max(v.size, 1))
    return v, w, censored, True


def _pct(x: float) -> str:
    if x == 0:
        return "0 %"
    if x < 0.01:
        return "< 1 %"
    if x > 0.99 and x < 1:
        return "> 99 %"
    return f"{x:.0%}".replace("%", " %")


class ResultPlot:
    """Charts of one :class:`~attrition.Result`, as ``result.plot``.

    Each method draws on ``ax`` (a new figure when None) and returns the Axes.
    Colours follow the Okabe-Ito palette; a second result drawn on the same
    axes takes the next colour.
    """

    def __init__(self, result: "Result") -> None:
        self._r = result

    def __repr__(self) -> str:
        return f"<ResultPlot of {self._r.scenario.name!r}: fan, fans, hist, survival, compare, tornado>"

    # -- series ------------------------------------------------------------------------
    def fan(self, series: str, *, ax: Any = None, bands: Sequence[float] = (0.5, 0.9), samples: int = 0,
            color: str | None = None, label: str | None = None, smooth: bool | None = None) -> "Axes":
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
        r = self._r
        r._check_series(series)
        ax = _new_axes(ax)
        c = _next_color(ax, color)
        _fan_on(ax, r, series, bands=bands, samples=samples, color=c, label=label, smooth=smooth)
        _finish_series_axes(ax, series)
        ax.legend(loc="best", fontsize=8, frameon=False)
        _stamp(ax, r)
        return ax

    def fans(self, series: str | Sequence[str], *, ncols: int = 3, bands: Sequence[float] = (0.5, 0.9),
             sharey: bool = False, axes: Any = None) -> np.ndarray:
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
        from .results.frames import select

        r = self._r
        names = select(r, series)
        if not names:
            raise KeyError(f"no recorded series matches {series!r}")
        if axes is None:
            plt = _mpl()
            ncols = max(1, min(ncols, len(names)))
            nrows = math.ceil(len(names) / ncols)
            fig, grid = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, 3.0 * nrows), sharex=True,
                                     sharey=sharey, layout="constrained", squeeze=False)
            flat = grid.ravel()
            for a in flat[len(names):]:
                a.set_visible(False)
            fig.suptitle(f"{r.scenario.name}, n = {r.n:,}, seed {r.seed}", fontsize=9, color="0.35",
                         x=0.01, ha="left")
        else:
            flat = np.asarray(axes).ravel()
            if len(flat) < len(names):
                raise ValueError(f"{len(names)} series but {len(flat)} axes")
        for a, name in zip(flat, names):
            _fan_on(a, r, name, bands=bands, samples=0, color=_next_color(a, OKABE_ITO[0]), label=None)
            _finish_series_axes(a, name, size=9)
            a.title.set_position((0, 1))
            a.set_title(_labels.label(name), loc="left", fontsize=9, pad=4)
            if axes is None and not a.get_subplotspec().is_last_row():
                a.set_xlabel("")
        flat[0].legend(loc="best", fontsize=7, frameon=False)
        return np.asarray(flat[: len(names)])

    def compare(self, other: "Result | Sequence[Result]", series: str, *, ax: Any = None,
                labels: Sequence[str] | None = None, bands: Sequence[float] = (0.5, 0.9)) -> "Axes":
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
        from .results import Result

        others = [other] if isinstance(other, Result) else list(other)
        results = [self._r, *others]
        if labels is None:
            names = [x.scenario.name for x in results]
            if len(set(names)) < len(names):
                names = [f"{x.scenario.name} (seed {x.seed})" for x in results]
            labels = names
        if len(labels) != len(results):
            raise ValueError(f"{len(results)} results but {len(labels)} labels")
        for x in results:
            x._check_series(series)
            if x.scenario.start != self._r.scenario.start:
                raise ValueError("compare needs results with the same start date")
        ax = _new_axes(ax)
        for x, lab in zip(results, labels):
            _fan_on(ax, x, series, bands=bands, samples=0, color=_next_color(ax, None), label=lab,
                    band_alpha=0.18, compact=True)
            _stamp(ax, x)
        from matplotlib.patches import Patch

        shares = " and ".join(f"{100 * b:g} %" for b in sorted(bands))
        handles, texts = ax.get_legend_handles_labels()
        handles.append(Patch(facecolor="0.55", alpha=0.45, linewidth=0))
        texts.append(f"lines: medians; bands: central {shares} of trajectories")
        _finish_series_axes(ax, series)
        ax.legend(handles, texts, loc="best", fontsize=8, frameon=False)
        return ax

    # -- outcomes ----------------------------------------------------------------------
    def hist(self, outcome: str, *, ax: Any = None, bins: int = 40, color: str | None = None,
             label: str | None = None) -> "Axes":
        """A histogram of an outcome over trajectories, with its median and 90 % interval.

        Bar heights are shares of all trajectories, so the bars of a
        first-passage outcome sum to the share in which the event happened;
        the censored share ("never within the horizon") is stated in the legend.
        From a sketch (``outcomes_kept == "sketch"``) the histogram is read off
        1,000 quantiles.

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
        r = self._r
        v, w, censored, sketch = _outcome_values(r, outcome)
        ax = _new_axes(ax)
        c = _next_color(ax, color)
        n = v.size
        if n:
            weights = w if w is not None else np.full(n, 1.0 / r.n)
            ax.hist(v, bins=bins, weights=weights, color=c, alpha=0.55, edgecolor="white", linewidth=0.4,
                    label=label or r.scenario.name)
            qs = _weighted_quantiles(v, w, (0.05, 0.5, 0.95))
            fp = _labels.is_first_passage(outcome)
            unit = _labels.unit(outcome, outcome=True)

            def show(x: float) -> str:
                if fp:
                    return f"day {x:,.0f} ({np.datetime64(r.scenario.start, 'D') + int(round(x))})"
                return f"{num(x)} {unit}".strip()

            where = " where it happened" if fp else ""
            ax.axvline(qs[1], color=c, linewidth=2, label=f"median{where}: {show(qs[1])}")
            ax.axvline(qs[0], color=c, linewidth=1.2, linestyle=":",
                       label=f"90 % interval: {show(qs[0])} to {show(qs[2])}")
            ax.axvline(qs[2], color=c, linewidth=1.2, linestyle=":")
        if _labels.is_first_passage(outcome):
            ax.plot([], [], " ", label=f"never within the horizon: {_pct(censored)}")
            ax.set_xlabel(f"days from {r.scenario.start}")
        else:
            ax.set_xlabel(_labels.unit(outcome, outcome=True) or outcome)
            lo, hi = ax.get_xlim()
            if max(abs(lo), abs(hi)) >= 1e4:
                _big_numbers(ax.xaxis)
        from matplotlib.ticker import PercentFormatter

        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        ax.set_ylabel("share of trajectories")
        _title(ax, _labels.group_label(_drawn(ax, outcome)))
        ax.legend(loc="best", fontsize=8, frameon=False)
        _style(ax)
        _stamp(ax, r, " (read off a quantile sketch)" if sketch else "")
        return ax

    def survival(self, outcome: str, *, ax: Any = None, color: str | None = None,
                 label: str | None = None) -> "Axes":
        """For a first-passage outcome (``days_to_*``): the share of trajectories in
        which the event has not happened yet, by date.

        The curve ends at the censored share (dashed): the trajectories in
        which the event never happened within the horizon, which the legend
        states. The date by which half the trajectories have seen the event is
        marked (dotted) when it is reached. Draw several results, or several
        outcomes, on one ``ax`` to compare them.

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
        r = self._r
        if not _labels.is_first_passage(outcome):
            raise ValueError(f"survival needs a first-passage outcome (days_to_*), got {outcome!r}")
        v, w, censored, sketch = _outcome_values(r, outcome)
        days = np.arange(r.days)
        if w is None:
            # event on day t: it has happened by the end of day t
            counts = np.searchsorted(np.sort(v), days, side="right")
            surv = 1.0 - counts / r.n
        else:
            cdf = np.interp(days, v, _QGRID[: v.size], left=0.0, right=1.0) if v.size else np.zeros(r.days)
            surv = 1.0 - (1 - censored) * cdf
        ax = _new_axes(ax)
        c = _next_color(ax, color)
        name = label or r.scenario.name
        below = np.flatnonzero(surv <= 0.5)
        half = f"\nhalf have seen it by {r.dates[below[0]]}" if below.size else ""
        ax.step(r.dates, surv, where="post", color=c, linewidth=2,
                label=f"{name}\nnever within the horizon (censored): {_pct(censored)}{half}")
        # the censored share: where the curve ends
        ax.axhline(censored, color=c, linewidth=0.8, linestyle="--")
        if below.size:
            ax.axvline(r.dates[below[0]], color=c, linewidth=0.8, linestyle=":")
        from matplotlib.ticker import PercentFormatter

        ax.set_ylim(-0.02, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel("not happened yet (share of trajectories)")
        _title(ax, _labels.group_label(_drawn(ax, outcome)))
        _date_axis(ax)
        if len(ax.get_legend_handles_labels()[0]) > 2:  # beside the axes, not over the curves
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0, fontsize=8, frameon=False)
        else:
            ax.legend(loc="best", fontsize=8, frameon=False)
        _style(ax)
        _stamp(ax, r, " (read off a quantile sketch)" if sketch else "")
        return ax

    def tornado(self, outcome: str, *, ax: Any = None, top: int = 12, censored: str = "after") -> "Axes":
        """Which drawn parameters drive an outcome: Spearman rank correlation of each
        uncertain parameter with the outcome over trajectories, largest ``|rho|`` at the top.

        Parameters
        ----------
        outcome
            An outcome name.
        ax
            Axes to draw on (default: a new figure).
        top
            Show this many parameters.
        censored
            For first-passage outcomes: ``"after"`` (default) ranks the
            trajectories in which the event never happened after every observed
            day (they are later than the horizon), ``"drop"`` leaves them out.
            NaN values of other outcomes are always dropped pairwise.

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
        r = self._r
        if censored not in ("after", "drop"):
            raise ValueError(f"censored must be 'after' or 'drop', got {censored!r}")
        if r.outcomes_kept != "arrays":
            raise AttritionError("a tornado needs per-trajectory outcomes and parameters; run with outcomes='arrays'")
        y = np.asarray(r.outcome(outcome), dtype=float)
        if _labels.is_first_passage(outcome) and censored == "after":
            y = np.where(np.isnan(y), np.inf, y)
        rows = []
        for path, x in r.params.items():
            rho = _rank_correlation(np.asarray(x, dtype=float), y)
            if np.isfinite(rho):
                rows.append((path, rho))
        if not rows:
            raise AttritionError(f"no drawn parameter varies together with {outcome!r}")
        ranked = list(rows)
        rows.sort(key=lambda t: -abs(t[1]))
        rows = rows[: max(1, int(top))]
        ax = _new_axes(ax, figsize=(8.0, 0.9 + 0.38 * len(rows)))
        ys = np.arange(len(rows))[::-1]
        rhos = np.array([t[1] for t in rows])
        colors = [OKABE_ITO[0] if v >= 0 else OKABE_ITO[1] for v in rhos]
        ax.barh(ys, rhos, color=colors, height=0.7)
        for yy, v in zip(ys, rhos):
            ax.text(v + (0.02 if v >= 0 else -0.02), yy, f"{v:+.2f}", va="center",
                    ha="left" if v >= 0 else "right", fontsize=8)
        ax.set_yticks(ys, [_labels.short_param(t[0]) for t in rows], fontsize=8)
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_xlim(-1.0, 1.0)
        kept = int(np.isfinite(y).sum()) if censored == "drop" else int((~np.isnan(y)).sum())
        xlabel = f"Spearman rank correlation with the outcome (n = {kept:,} trajectories)"
        if kept > 3:
            z = _chance_rho(kept, len(ranked))
            ax.axvspan(-z, z, color="0.88", zorder=0, linewidth=0)
            xlabel += f"\ngrey: |rho| < {z:.2f}, the chance level for {len(ranked)} parameters (95 %)"
        ax.set_xlabel(xlabel)
        _title(ax, f"{_labels.label(outcome)}: what drives it", width=60)
        ax.grid(True, axis="x", alpha=0.3, linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        note = ""
        if _labels.is_first_passage(outcome):
            note = "; 'never' ranked after the horizon" if censored == "after" else "; 'never' dropped"
        _stamp(ax, r, note)
        return ax


def difference(comparison: "Comparison", series: str, *, ax: Any = None, color: str | None = None) -> "Axes":
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
    >>> from attrition.plot import difference
    >>> c = attrition.compare("baseline-2024-12", "dprk-cutoff-2025-01-20", n=50, seed=1,
    ...                       outcomes=[], series=["russia.ammo.152mm.stock"])
    >>> ax = difference(c, "russia.ammo.152mm.stock")
    >>> ax.get_ylabel()
    'shells'
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    t = comparison.series(series)
    ax = _new_axes(ax)
    c = _next_color(ax, color)
    dates = comparison.dates
    ax.fill_between(dates, t["ci_low"], t["ci_high"], color=c, alpha=0.25, linewidth=0,
                    label="95 % confidence interval of the mean")
    ax.plot(dates, t["mean_diff"], color=c, linewidth=2, label="mean paired difference")
    ax.axhline(0, color="black", linewidth=0.8)
    _title(ax, f"{_labels.label(series)}: {comparison.b.name} minus {comparison.a.name}")
    ax.set_ylabel(_labels.unit(series, outcome=False) or series)
    _date_axis(ax)
    lo, hi = ax.get_ylim()
    if max(abs(lo), abs(hi)) >= 1e4:
        _big_numbers(ax.yaxis)
    ax.legend(loc="best", fontsize=8, frameon=False)
    _style(ax)
    _stamp(ax, text=f"paired on common random numbers, n = {comparison.n:,}, seed {comparison.seed}")
    return ax


# ----------------------------------------------------------------------------- statistics


def _weighted_quantiles(v: np.ndarray, w: np.ndarray | None, qs: Sequence[float]) -> np.ndarray:
    if w is None:
        return np.quantile(v, qs, method="inverted_cdf")
    order = np.argsort(v)
    cw = np.cumsum(w[order])
    cw = cw / cw[-1]
    idx = np.minimum(np.searchsorted(cw, qs, side="left"), len(v) - 1)
    return v[order][idx]


def _chance_rho(n: int, m: int, level: float = 0.95) -> float:
    """The |rho| that m independent null rank correlations over n pairs all stay below
    with probability ``level`` (Bonferroni; rho is about normal with sd 1 / sqrt(n - 1))."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(1 - (1 - level) / (2 * max(1, m)))
    return z / math.sqrt(n - 1)


def _rankdata(a: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties given their average rank (as scipy.stats.rankdata's default)."""
    order = np.argsort(a, kind="mergesort")
    s = a[order]
    first = np.concatenate([[True], s[1:] != s[:-1]])
    group = np.cumsum(first) - 1
    counts = np.bincount(group)
    ends = np.cumsum(counts)
    avg = ends - (counts - 1) / 2.0
    ranks = np.empty(a.size)
    ranks[order] = avg[group]
    return ranks


def _rank_correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rho of x and y: Pearson's correlation of their average ranks,
    over the pairs where neither is NaN (infinities rank as largest or smallest).
    NaN when fewer than 3 pairs remain or either side is constant."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"x and y differ in shape: {x.shape} and {y.shape}")
    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 3:
        return float("nan")
    rx = _rankdata(x[ok])
    ry = _rankdata(y[ok])
    rx -= rx.mean()
    ry -= ry.mean()
    den = math.sqrt(float(rx @ rx) * float(ry @ ry))
    if den == 0:
        return float("nan")
    return float(rx @ ry) / den
