"""The result of a run: the facade over its storage (see :mod:`.storage`)."""

from __future__ import annotations

import datetime as _dt
import importlib
import pickle
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from .. import _core
from .._utils.envelope import seal, unseal
from .._utils.fmt import shown
from .._utils.names import select, unknown
from ..errors import IntegrityError, UnknownNameError
from ..scenario import Scenario
from . import display, frames
from .events import EventTime
from .storage import ColumnStorage, SeriesStorage, no_event

__all__ = ["DISCOVERY", "PLOT_BACKEND", "Result", "SUMMARY_QUANTILES"]

#: Quantiles reported by :meth:`Result.summary`.
SUMMARY_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)

#: A pickled result: an envelope (see :mod:`attrition._utils.envelope`) of this kind
#: and format around a pickle of its parts.
PICKLE_MAGIC = b"ATRS"
PICKLE_FORMAT = 1

#: The module that draws a result's charts, loaded by name on first use of
#: :attr:`Result.plot` (as pandas loads its plotting backend): it sits above this layer.
PLOT_BACKEND = "attrition.visual"

#: The module that finds the inputs leading to an outcome, loaded by name on first use
#: of :meth:`Result.discover` (it sits above this layer, beside the sensitivity analysis).
DISCOVERY = "attrition.discovery"


class Result:
    """What a run returns.

    With ``paths=True``, ``series(name)`` is an ``(n, days)`` array of daily
    values (end of day). With ``paths=False``, ``summary(name)`` and
    ``quantiles(name, q)`` give per-day statistics from streaming summaries
    whose memory does not grow with n (quantiles within 1 % relative error).

    ``outcomes`` is a dict of per-trajectory outcomes and ``params`` a dict of
    each trajectory's drawn value of every uncertain parameter, keyed by
    dotted path, while they fit the memory budget; above it both are kept as
    sketches (``outcomes_kept == "sketch"``) and :meth:`outcome_table` still
    works. First-passage outcomes (``days_to_*``) are day indices from the
    start date, NaN when the event never happens within the horizon (censored).

    A Result asks its storage (:mod:`attrition.results.storage`): the series as
    :class:`~attrition.results.PathSeries` or :class:`~attrition.results.SummarySeries`,
    outcomes and drawn parameters as :class:`~attrition.results.ColumnArrays` or
    :class:`~attrition.results.ColumnSketches`; :func:`attrition.run` builds it.

    ``version`` is the attrition version that computed it (kept through pickles):
    :func:`attrition.merge` refuses parts of different versions.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        ranges: Sequence[tuple[int, int]],
        series: SeriesStorage,
        outcomes: ColumnStorage,
        params: ColumnStorage,
        version: str | None = None,
    ) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self._ranges = [(int(a), int(b)) for a, b in ranges]
        self.n = sum(b - a for a, b in self._ranges)
        self.version = _core.__version__ if version is None else str(version)
        self._series = series
        self._outcomes = outcomes
        self._params = params
        self._event_names: frozenset[str] | None = None

    # -- identity ----------------------------------------------------------------------
    @property
    def days(self) -> int:
        """The horizon: the number of days simulated."""
        return self.scenario.days

    @property
    def dates(self) -> np.ndarray:
        """Dates of the days (``datetime64[D]``)."""
        return self.scenario.dates

    @property
    def paths(self) -> bool:
        """True when full paths were recorded, False for streaming summaries."""
        return self._series.kind == "paths"

    @property
    def outcomes_kept(self) -> str:
        """``"arrays"`` (one value per trajectory) or ``"sketch"`` (summaries only)."""
        return self._outcomes.kind

    @property
    def trajectories(self) -> range | np.ndarray:
        """Indices of these trajectories in the seed's streams (a range when contiguous)."""
        if len(self._ranges) == 1:
            return range(*self._ranges[0])
        return frames.trajectory_index(self)

    # -- series ------------------------------------------------------------------------
    @property
    def series_names(self) -> list[str]:
        """Names of the recorded series."""
        return list(self._series.names)

    def _check_series(self, name: str) -> None:
        if name not in self._series.names:
            if name in self.scenario.series_names:
                raise UnknownNameError(
                    f"series {shown(name)} exists but was not recorded; pass series=[{shown(name)}, ...] to run"
                )
            raise unknown(name, self.scenario.series_names, "series")

    def series(self, name: str) -> np.ndarray:
        """The ``(n, days)`` array of a recorded series (no copy); needs ``paths=True``."""
        self._check_series(name)
        return self._series.array(name)

    def day_of(self, date: str | _dt.date | np.datetime64) -> int:
        """Day index of a date within the horizon."""
        d = int((np.datetime64(date, "D") - np.datetime64(self.scenario.start, "D")).astype(int))
        if not 0 <= d < self.days:
            raise ValueError(f"{date} is outside the horizon {self.dates[0]} .. {self.dates[-1]}")
        return d

    def at(self, name: str, date: str | _dt.date | np.datetime64) -> np.ndarray:
        """Values of a series on a date, one per trajectory (``paths=True``)."""
        return self.series(name)[:, self.day_of(date)]

    def quantiles(self, name: str, q: float | Sequence[float]) -> np.ndarray:
        """Quantiles of a series per day: shape ``(days,)`` for a scalar q, ``(len(q), days)`` otherwise.

        Exact sample quantiles with paths; within 1 % relative error from the sketch otherwise.
        """
        self._check_series(name)
        out = self._series.quantiles(name, np.atleast_1d(np.asarray(q, dtype=float)))
        return out[0] if np.ndim(q) == 0 else out

    def stats(self, name: str) -> dict[str, np.ndarray]:
        """Per-day count, mean, sd, min and max of a series (arrays over days)."""
        self._check_series(name)
        return self._series.stats(name)

    def summary(self, name: str, q: Sequence[float] = SUMMARY_QUANTILES) -> Any:
        """A pandas DataFrame indexed by date: count, mean, sd, min, max and quantiles of a series."""
        return frames.summary_frame(self, name, q)

    # -- outcomes and parameters -------------------------------------------------------
    @property
    def outcomes(self) -> dict[str, np.ndarray]:
        """Per-trajectory outcomes, ``{name: array of shape (n,)}``."""
        return self._outcomes.arrays(
            "outcomes were kept as sketches (too many trajectories for per-trajectory arrays "
            "within the memory budget); use outcome_table() or raise max_memory"
        )

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Each trajectory's drawn value of every uncertain parameter, ``{path: array (n,)}``."""
        return self._params.arrays("drawn parameters were kept as sketches; use param_table()")

    @property
    def outcome_names(self) -> list[str]:
        """Names of the per-trajectory outcomes, in the scenario's order."""
        return self.scenario.outcome_names

    def outcome(self, name: str) -> np.ndarray:
        """One outcome, shape ``(n,)``."""
        if name not in self.outcome_names:
            raise unknown(name, self.outcome_names, "outcome")
        return self.outcomes[name]

    def is_event(self, name: str) -> bool:
        """True for a first-passage outcome: the day an event first happens, censored
        at the horizon (NaN when it does not happen within it)."""
        if name not in self.outcome_names:
            raise unknown(name, self.outcome_names, "outcome")
        return name in self._events()

    def _events(self) -> frozenset[str]:
        """The first-passage outcomes, as the engine's registry marks them (looked up once)."""
        if self._event_names is None:
            self._event_names = frozenset(self.scenario.first_passage_names())
        return self._event_names

    def event(self, name: str) -> EventTime:
        """The time to a first-passage event as an :class:`~attrition.results.EventTime`:
        the probability it has happened by each day (Kaplan-Meier, censored at the
        horizon) with intervals, the share of runs that reach it, its median where at
        least half do, and statistics among the runs where it happened.

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=200, seed=1, series=[])
        >>> e = r.event("russia.fleet.msta_b.days_to_half")
        >>> e.n, 0 <= e.reached <= 1, e.cdf().shape
        (200, True, (730,))
        """
        if not self.is_event(name):
            raise ValueError(f"{name} is not a first-passage outcome (days until an event)")
        return self._outcomes.event(name, self.days, self.scenario.start)

    def outcome_table(
        self, names: str | Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)
    ) -> list[dict[str, Any]]:
        """Per outcome, one row (a dict) of its statistics over the runs.

        Every row holds ``outcome``, ``mean``, the quantiles ``q`` (``q0.05`` ...),
        ``censored``, ``reached``, ``restricted_mean``, ``cond_mean`` and the ``cond_``
        quantiles (``cond_q0.05`` ...).

        * A quantity: the mean and quantiles of its values that are not NaN, and the
          NaN (``censored``) share; the event columns are NaN.
        * A first-passage outcome (:meth:`is_event`), a day index: the quantiles of the
          event time over **all** runs, censored at the horizon, so NaN where fewer than
          that share of runs reach the event ("not reached"); ``mean`` is NaN (a time
          that may never come has no mean); ``reached`` is the share of runs in which it
          happens within the horizon and ``censored`` the share in which it does not;
          ``restricted_mean`` is the mean of ``min(T, days)``; ``cond_mean`` and the
          ``cond_`` quantiles describe **only the runs where it happened**.

        ``names`` picks outcomes by name or glob pattern (default: all, in order).
        From sketches (``outcomes_kept == "sketch"``) first-passage rows are exact (a
        summary run counts every event day) and the quantiles of quantities are within
        the sketch's accuracy.

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=200, seed=1, series=[])
        >>> row = r.outcome_table("russia.ammo.152mm.days_to_rationing")[0]
        >>> row["reached"] < 0.5, row["q0.5"]   # most runs never reach it: no median
        (True, nan)
        """
        chosen = self.outcome_names if names is None else select(self.outcome_names, names, "outcome")
        rows = []
        for k in chosen:
            if k in self._events():
                rows.append({"outcome": k, **self._outcomes.row(k, q, self.days)})
            else:
                rows.append({"outcome": k, **no_event(self._outcomes.row(k, q), q)})
        return rows

    def describe(self, names: str | Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)) -> Any:
        """The outcomes as a pandas DataFrame to read: :meth:`outcome_table` indexed by
        outcome, with each one's ``label``, ``unit`` (``days`` for a first-passage time)
        and ``first_passage`` flag, and for a first-passage time the calendar dates of
        its quantiles (``date_q0.5`` ..., NaT where not reached; ``date_cond_q0.5`` ...
        among the runs where it happened). Needs the ``pandas`` extra.

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=200, seed=1, series=[])
        >>> d = r.describe("russia.fleet.msta_s.*")
        >>> d.loc["russia.fleet.msta_s.days_to_half", ["unit", "reached"]].tolist()[0]
        'days'
        >>> str(d.loc["russia.fleet.msta_s.days_to_half", "date_q0.5"])[:4]
        '2025'
        """
        return frames.describe(self, names, q)

    def param_table(
        self, names: str | Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)
    ) -> list[dict[str, Any]]:
        """Per uncertain parameter: mean and quantiles of the drawn values.

        ``names`` picks parameters by dotted path or glob pattern (default: all, in order).
        """
        paths = [u["path"] for u in self.scenario.uncertain_list()]
        chosen = paths if names is None else select(paths, names, "parameter")
        return [{"param": k, **self._params.row(k, q)} for k in chosen]

    # -- tables, charts and display (bodies in frames.py, the plotting module, display.py)
    def to_pandas(
        self,
        series: str | Iterable[str] | None = None,
        *,
        summary: bool | None = None,
        q: Sequence[float] = SUMMARY_QUANTILES,
    ) -> Any:
        """The recorded series as a tidy pandas DataFrame.

        Parameters
        ----------
        series
            A recorded series, a glob pattern (``"russia.fleet.*.serviceable"``) or a
            list of them; ``None`` (default) for every recorded series.
        summary
            ``False``: paths, one row per (trajectory, date) and **one column per
            series** (wide, so memory is ``n x days x series`` values: keep ``series``
            narrow for large runs). ``True``: per-day statistics, one row per
            (series, date) with columns ``count, mean, sd, min, max`` and one column
            per quantile (``q0.05`` ...). ``None`` (default): paths when the run kept
            them, statistics otherwise.
        q
            Quantiles of the statistics.

        Returns
        -------
        pandas.DataFrame
            Paths: columns ``trajectory`` (index in the seed's streams), ``date``, then
            the series. Statistics: columns ``series`` (categorical), ``date``, then the
            statistics. Needs the ``pandas`` extra.

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=20, seed=1, series=["russia.ammo.152mm.stock"])
        >>> df = r.to_pandas()
        >>> list(df.columns), len(df) == 20 * 730
        (['trajectory', 'date', 'russia.ammo.152mm.stock'], True)
        >>> r.to_pandas(summary=True).columns[:7].tolist()
        ['series', 'date', 'count', 'mean', 'sd', 'min', 'max']
        """
        return frames.to_pandas(self, series, summary, q)

    def outcomes_frame(self) -> Any:
        """Every outcome and every drawn parameter per trajectory, as a pandas DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per trajectory (index ``trajectory``: its index in the seed's
            streams), the outcomes as columns (in ``outcome_names`` order), then the
            drawn parameters by dotted path (``sides.russia...``). ``df.attrs``
            lists which columns are ``"outcomes"`` and which ``"params"``.
            First-passage outcomes are NaN where the event never happened.
            Needs per-trajectory outcomes (``outcomes_kept == "arrays"``).

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=20, seed=1, series=[])
        >>> df = r.outcomes_frame()
        >>> df.shape == (20, len(r.outcome_names) + len(r.scenario.uncertain_list()))
        True
        >>> df.index.name, df["sides.russia.fleets.msta_b.barrel_life"].between(1500, 3000).all()
        ('trajectory', np.True_)
        """
        return frames.outcomes_frame(self)

    def to_xarray(
        self,
        series: str | Iterable[str] | None = None,
        *,
        summary: bool | None = None,
        q: Sequence[float] = SUMMARY_QUANTILES,
    ) -> Any:
        """The recorded series as an ``xarray.Dataset``, one variable per series.

        Parameters
        ----------
        series, summary, q
            As in :meth:`to_pandas`.

        Returns
        -------
        xarray.Dataset
            Paths: dims ``(trajectory, date)``; statistics: dims ``(stat, date)`` with
            ``stat`` = ``count, mean, sd, min, max, q0.05, ...``. ``date`` holds real
            dates. Each variable carries ``units`` and ``long_name``; the dataset's
            attributes carry the scenario name, description and TOML text, the seed,
            n, the mode and the attrition version. Needs the ``xarray`` extra.

        Examples
        --------
        >>> import attrition
        >>> r = attrition.run("baseline-2024-12", n=20, seed=1, series=["russia.ammo.152mm.stock"])
        >>> ds = r.to_xarray()
        >>> dict(ds.sizes), ds.attrs["seed"], ds["russia.ammo.152mm.stock"].attrs["units"]
        ({'trajectory': 20, 'date': 730}, 1, 'shells')
        >>> r.to_xarray(summary=True)["russia.ammo.152mm.stock"].sel(stat="q0.5").sizes["date"]
        730
        """
        return frames.to_xarray(self, series, summary, q)

    @property
    def plot(self) -> Any:
        """Charts of this result (needs the ``plot`` extra): ``fan``, ``fans``, ``hist``,
        ``survival``, ``compare`` and ``tornado``.

        The charts live in the plotting module (:data:`PLOT_BACKEND`), loaded by name on
        first use, as pandas loads its plotting backend; this property returns its
        ``ResultPlot(result)``.
        """
        return importlib.import_module(PLOT_BACKEND).ResultPlot(self)

    def discover(self, condition: str | Any, /, **kwargs: Any) -> Any:
        """Scenario discovery: the boxes of drawn inputs where ``condition`` holds, found by
        PRIM (or CART), as :func:`attrition.discovery.discover` (loaded by name, see
        :data:`DISCOVERY`; needs the ``ema`` extra).

        ``condition`` is a text such as ``"russia.ammo.152mm.days_to_rationing < 2025-07-01"``
        (outcomes compared with numbers or dates, joined by ``and`` / ``or``; a censored
        first-passage time counts as after the horizon), or a boolean array.
        """
        return importlib.import_module(DISCOVERY).discover(self, condition, **kwargs)

    def _repr_html_(self) -> str:
        return display.result_html(self)

    # -- pickling ----------------------------------------------------------------------
    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as a checked envelope (format version, library version, checksum)
        around a pickle of its parts: a corrupted or foreign pickle raises
        :class:`~attrition.IntegrityError` instead of giving wrong numbers."""
        parts = (self.scenario, self.seed, self._ranges, self._series, self._outcomes, self._params)
        payload = pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL)
        return (_unpickle, (seal(PICKLE_MAGIC, PICKLE_FORMAT, self.version, payload),))

    def __repr__(self) -> str:
        """The run's identity line, then the key outcomes (median and 90 % interval)."""
        return display.result_text(self)


def _unpickle(blob: bytes) -> Result:
    """A result from its pickle (see :meth:`Result.__reduce__`)."""
    what = "a pickled attrition result"
    sealed = unseal(PICKLE_MAGIC, (PICKLE_FORMAT,), blob, what)
    parts = pickle.loads(sealed.payload)
    if not isinstance(parts, tuple) or len(parts) != 6 or not isinstance(parts[0], Scenario):
        raise IntegrityError(f"{what}: not the parts of a result")
    return Result(*parts, version=sealed.library)
