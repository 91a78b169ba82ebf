"""How a :class:`~attrition.Result` keeps what a run produced.

Two kinds of storage for each of two things, behind one interface per thing, so
that :class:`~attrition.Result` asks its questions without checking which mode
the run used:

* the recorded **series**: :class:`PathSeries` (each series as an ``(n, days)``
  array) or :class:`SummarySeries` (the core's streaming ``SummaryTable``, one
  row per series, one column per day);
* the per-trajectory **columns**, outcomes and drawn parameters:
  :class:`ColumnArrays` (one value per trajectory) or :class:`ColumnSketches`
  (a ``SummaryTable`` with one row per name and a single column).

Each storage merges with parts of its own kind, bit for bit: arrays are
concatenated and put in trajectory order, summaries are merged in the order
given. Each pickles (a summary table as its own bytes).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from .. import _core
from .._utils.fmt import shown
from .._utils.stats import quantiles
from ..errors import AttritionError
from .events import EventTime

__all__ = [
    "EVENT_COLUMNS",
    "STATS",
    "ColumnArrays",
    "ColumnSketches",
    "ColumnStorage",
    "PathSeries",
    "SeriesStorage",
    "SummarySeries",
    "event_row",
    "no_event",
]

#: The per-day statistics of a series, in column order (quantiles follow).
STATS = ("count", "mean", "sd", "min", "max")

#: The columns of an outcome row that only first-passage outcomes fill (NaN for the others),
#: after ``mean``, the quantiles and ``censored``; the ``cond_`` quantiles follow ``cond_mean``.
EVENT_COLUMNS = ("reached", "restricted_mean", "cond_mean")


# -- series ------------------------------------------------------------------------------


class SeriesStorage(ABC):
    """The recorded series of a run: their names, per-day statistics and quantiles."""

    #: ``"paths"`` or ``"summaries"``.
    kind: ClassVar[str]
    #: The kind in words, for display.
    description: ClassVar[str]
    names: list[str]

    @abstractmethod
    def array(self, name: str) -> np.ndarray:
        """The ``(n, days)`` values of a recorded series (no copy)."""

    @abstractmethod
    def stats(self, name: str) -> dict[str, np.ndarray]:
        """Per-day ``count``, ``mean``, ``sd``, ``min`` and ``max`` of a recorded series."""

    @abstractmethod
    def quantiles(self, name: str, q: Sequence[float] | np.ndarray) -> np.ndarray:
        """Per-day quantiles of a recorded series, shape ``(len(q), days)``."""

    @classmethod
    @abstractmethod
    def merge(cls, parts: Sequence[Any], order: np.ndarray) -> Any:
        """The parts (of this kind, in order of their first trajectory) as one;
        ``order`` sorts their concatenated trajectories."""


class PathSeries(SeriesStorage):
    """Full paths: ``{name: (n, days) array}``."""

    kind = "paths"
    description = "full paths"

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.names = list(arrays)

    def array(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def stats(self, name: str) -> dict[str, np.ndarray]:
        a = self.arrays[name]
        n, days = a.shape
        return {
            "count": np.full(days, float(n)),
            "mean": a.mean(axis=0),
            "sd": a.std(axis=0, ddof=1) if n > 1 else np.zeros(days),
            "min": a.min(axis=0),
            "max": a.max(axis=0),
        }

    def quantiles(self, name: str, q: Sequence[float] | np.ndarray) -> np.ndarray:
        # the exact inverted empirical CDF over trajectories: the rule the sketch answers to within 1 %
        return quantiles(self.arrays[name], np.asarray(q, dtype=float), axis=0)

    @classmethod
    def merge(cls, parts: Sequence[PathSeries], order: np.ndarray) -> PathSeries:
        return cls({k: np.concatenate([p.arrays[k] for p in parts])[order] for k in parts[0].names})


class SummarySeries(SeriesStorage):
    """Streaming summaries: a ``SummaryTable`` whose row ``i`` is the series ``names[i]``."""

    kind = "summaries"
    description = "streaming summaries"

    def __init__(self, table: _core.SummaryTable, names: Sequence[str]) -> None:
        self.table = table
        self.names = list(names)
        self._row = {n: i for i, n in enumerate(self.names)}

    def array(self, name: str) -> np.ndarray:
        raise AttritionError(
            f"this run kept summaries, not paths (paths=False): use summary({shown(name)}) or quantiles()"
        )

    def stats(self, name: str) -> dict[str, np.ndarray]:
        st = self.table.stats(self._row[name])
        return {k: st[k] for k in STATS}

    def quantiles(self, name: str, q: Sequence[float] | np.ndarray) -> np.ndarray:
        return self.table.quantiles(self._row[name], [float(x) for x in q])

    @classmethod
    def merge(cls, parts: Sequence[SummarySeries], order: np.ndarray) -> SummarySeries:
        return cls(_fold([p.table for p in parts]), parts[0].names)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SummarySeries) and self.names == other.names and self.table == other.table

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (_summary_series, (self.table.to_bytes(), self.names))


def _summary_series(data: bytes, names: list[str]) -> SummarySeries:
    return SummarySeries(_core.SummaryTable.from_bytes(data), names)


# -- outcomes and drawn parameters ----------------------------------------------------------


class ColumnStorage(ABC):
    """One value per trajectory and name (outcomes, or drawn parameters), kept as
    arrays or as sketches."""

    #: ``"arrays"`` or ``"sketch"``.
    kind: ClassVar[str]
    #: The kind in words, for display.
    description: ClassVar[str]
    names: list[str]

    @abstractmethod
    def arrays(self, missing: str) -> dict[str, np.ndarray]:
        """``{name: (n,) array}`` (no copy); raises AttritionError with the message
        ``missing`` when only sketches were kept."""

    @abstractmethod
    def row(self, name: str, q: Sequence[float], horizon: int | None = None) -> dict[str, float]:
        """One row of :meth:`~attrition.Result.outcome_table`.

        For a quantity (``horizon`` None): ``mean``, the quantiles ``q`` (as ``q0.05``
        ...) of the values that are not NaN, and the ``censored`` (NaN) share.

        For a first-passage time (``horizon`` the scenario's days): the quantiles of the
        event time over **all** runs, NaN where fewer than that share of runs reach the
        event (see :class:`~attrition.results.EventTime`); ``mean`` NaN (a time that
        may never come has no mean); ``censored`` the share that never reach it;
        ``reached`` the share that do; ``restricted_mean`` the mean of ``min(T, days)``;
        and ``cond_mean`` and ``cond_q...``, the mean and quantiles among the runs where
        it happened.
        """

    @abstractmethod
    def event(self, name: str, days: int, start: Any = None) -> EventTime:
        """The :class:`EventTime` of a first-passage outcome over ``days`` days; raises
        AttritionError when the storage does not keep the exact times."""

    @classmethod
    @abstractmethod
    def merge(cls, parts: Sequence[Any], order: np.ndarray) -> Any:
        """As :meth:`SeriesStorage.merge`."""


class ColumnArrays(ColumnStorage):
    """``{name: (n,) array}``."""

    kind = "arrays"
    description = "per-trajectory arrays"

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._arrays = arrays
        self.names = list(arrays)

    def arrays(self, missing: str) -> dict[str, np.ndarray]:
        return self._arrays

    def row(self, name: str, q: Sequence[float], horizon: int | None = None) -> dict[str, float]:
        x = self._arrays[name]
        if horizon is not None:
            return event_row(EventTime.from_times(x, horizon), q)
        finite = x[~np.isnan(x)]
        out = {"mean": float(finite.mean()) if finite.size else float("nan")}
        for qq, v in zip(q, quantiles(finite, list(q)), strict=True):
            out[f"q{qq:g}"] = float(v)
        out["censored"] = float(1 - finite.size / x.size) if x.size else float("nan")
        return out

    def event(self, name: str, days: int, start: Any = None) -> EventTime:
        return EventTime.from_times(self._arrays[name], days, start=start, name=name)

    @classmethod
    def merge(cls, parts: Sequence[ColumnArrays], order: np.ndarray) -> ColumnArrays:
        return cls({k: np.concatenate([p._arrays[k] for p in parts])[order] for k in parts[0].names})


class ColumnSketches(ColumnStorage):
    """Sketches: a single-column ``SummaryTable`` whose row ``i`` is ``names[i]``
    (means exact, quantiles within the sketch's relative accuracy), and for outcomes
    an ``EventTable`` of the first-passage ones (``event_names``, in order): the exact
    number of runs whose event happened on each day, and of those that never saw it.
    First-passage rows and :meth:`event` read those exact counts."""

    kind = "sketch"
    description = "sketches"

    def __init__(
        self,
        table: _core.SummaryTable,
        names: Sequence[str],
        events: _core.EventTable | None = None,
        event_names: Sequence[str] | None = None,
    ) -> None:
        self.table = table
        self.names = list(names)
        self._row = {n: i for i, n in enumerate(self.names)}
        self.events = events
        self.event_names = list(event_names or [])
        if events is not None and events.rows != len(self.event_names):
            raise ValueError(f"{events.rows} rows of event counts for {len(self.event_names)} first-passage names")

    def arrays(self, missing: str) -> dict[str, np.ndarray]:
        raise AttritionError(missing)

    def row(self, name: str, q: Sequence[float], horizon: int | None = None) -> dict[str, float]:
        if horizon is not None:
            return event_row(self.event(name, horizon), q)
        i = self._row[name]
        st = self.table.stats(i)
        qs = self.table.quantiles(i, [float(v) for v in q])
        out = {"mean": float(st["mean"][0])}
        for j, qq in enumerate(q):
            out[f"q{qq:g}"] = float(qs[j, 0])
        total = st["count"][0] + st["nan"][0]
        out["censored"] = float(st["nan"][0] / total) if total else float("nan")
        return out

    def event(self, name: str, days: int, start: Any = None) -> EventTime:
        if self.events is None or name not in self.event_names:
            raise AttritionError(f"{name}: these sketches hold no day counts for it (not a first-passage outcome?)")
        r = self.event_names.index(name)
        counts = np.asarray(self.events.counts(r), dtype=np.int64)
        if counts.size != days:
            raise AttritionError(f"{name}: day counts over {counts.size} days for a run of {days}")
        return EventTime.from_counts(counts, self.events.never(r), start=start, name=name)

    @classmethod
    def merge(cls, parts: Sequence[ColumnSketches], order: np.ndarray) -> ColumnSketches:
        events = None
        if all(p.events is not None for p in parts):
            events = parts[0].events
            for p in parts[1:]:
                events = events.merge(p.events)  # type: ignore[union-attr]
        return cls(_fold([p.table for p in parts]), parts[0].names, events, parts[0].event_names)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ColumnSketches)
            and self.names == other.names
            and self.table == other.table
            and self.event_names == other.event_names
            and self.events == other.events
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        events = None if self.events is None else self.events.to_bytes()
        return (_column_sketches, (self.table.to_bytes(), self.names, events, self.event_names))


def event_row(e: EventTime, q: Sequence[float]) -> dict[str, float]:
    """The row of a first-passage outcome (see :meth:`ColumnStorage.row`) from its :class:`EventTime`."""
    nan = float("nan")
    out: dict[str, float] = {"mean": nan}
    for qq in q:
        v = e.quantile(qq)
        out[f"q{qq:g}"] = nan if v is None else float(v)
    out["censored"] = 1.0 - e.reached
    out["reached"] = e.reached
    out["restricted_mean"] = e.restricted_mean()
    cond = e.conditional(q)
    out["cond_mean"] = cond["mean"]
    out.update({f"cond_q{qq:g}": cond[f"q{qq:g}"] for qq in q})
    return out


def no_event(out: dict[str, float], q: Sequence[float]) -> dict[str, float]:
    """The row ``out`` of a quantity with the event columns added, NaN."""
    nan = float("nan")
    out.update(dict.fromkeys(EVENT_COLUMNS, nan))
    out.update({f"cond_q{qq:g}": nan for qq in q})
    return out


def _column_sketches(
    data: bytes, names: list[str], events: bytes | None = None, event_names: list[str] | None = None
) -> ColumnSketches:
    table = _core.SummaryTable.from_bytes(data)
    counts = None if events is None else _core.EventTable.from_bytes(events)
    return ColumnSketches(table, names, counts, event_names)


def _fold(tables: Sequence[_core.SummaryTable]) -> _core.SummaryTable:
    """The tables merged left to right."""
    acc = tables[0]
    for t in tables[1:]:
        acc = acc.merge(t)
    return acc
