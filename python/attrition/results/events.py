"""Time-to-event outcomes: when a first-passage event happens, censored at the horizon.

A first-passage outcome (``days_to_*``) is the day index on which an event first
happens, or NaN when it does not happen within the horizon. Summaries that only
look at the runs in which the event happened answer another question ("when, among
the runs where it happened") and mislead when few runs see it: a later supply cutoff
leaves only the worst runs running dry, so their median comes *sooner*. An
:class:`EventTime` keeps the whole answer:

* the probability that the event has happened by each day, by Kaplan-Meier
  (:meth:`EventTime.cdf`), with pointwise intervals (:meth:`EventTime.interval`);
* the share of runs that reach it within the horizon (:attr:`EventTime.reached`);
* the median and other quantiles of the event time, defined only where at least
  that share of runs reach it (:meth:`EventTime.quantile`: ``None`` otherwise,
  "not reached by" the horizon);
* statistics among the runs where it happened, labelled so
  (:meth:`EventTime.conditional`);
* the mean time restricted to the horizon, ``E[min(T, days)]``
  (:meth:`EventTime.restricted_mean`), where a run that never sees the event
  counts as the horizon.

It is kept as exact counts per day (events, and runs censored after each day), so
it merges by adding counts and does not depend on the order of the parts.

Conventions: day ``t`` is the ``t``-th day from the start (0-based); the event
"has happened by day t" when it happened on day ``t`` or before. A run censored
at day ``c`` was seen without the event through day ``c``; runs of a scenario are
all censored at its last day, ``days - 1``. Quantiles follow the library's one
rule (the inverted empirical CDF): the ``q``-quantile is the first day ``t`` with
``cdf(t) >= q``.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import Any

import numpy as np

from .._utils.fmt import pct

__all__ = ["EventTime", "restricted"]

# A Kaplan-Meier product can sit a few ulps off the exact share it equals (with no
# censoring before t, 1 - S(t) is exactly events / n); quantiles allow for it.
_TOL = 1e-12


def restricted(times: np.ndarray, days: int) -> np.ndarray:
    """Event times with the censored ones (NaN) set to the horizon ``days``: ``min(T, days)``.

    The time restricted to the horizon is how attrition ranks, correlates and
    compares censored times: every run counts, a run that never sees the event
    counts as later than any run that does.
    """
    x = np.asarray(times, dtype=float)
    return np.where(np.isnan(x), float(days), x)


class EventTime:
    """The time to a first-passage event over the runs of a result, censored at the horizon.

    Build it with :meth:`from_times` (per-run event days, NaN when censored) or
    :meth:`from_counts` (exact per-day counts, as summary runs keep them); a
    :class:`~attrition.Result` gives one per first-passage outcome with
    :meth:`~attrition.Result.event`.

    Parameters
    ----------
    events
        ``events[t]``: runs whose event happened on day ``t`` (integers).
    censored
        ``censored[t]``: runs seen without the event through day ``t`` and no longer
        (integers, same length). Runs of one scenario are all censored on its last day.
    start
        The date of day 0 (for :meth:`date`), or None.
    name
        The outcome's name, for display.

    Examples
    --------
    >>> import numpy as np
    >>> from attrition.results import EventTime
    >>> e = EventTime.from_times(np.array([3, 5, np.nan, 5, np.nan]), days=10)
    >>> e.n, e.reached, e.median()
    (5, 0.6, 5)
    >>> e.quantile(0.8) is None   # only 60 % of runs reach it within the horizon
    True
    >>> e.conditional()["median"], round(e.restricted_mean(), 9)
    (5.0, 6.6)
    """

    __slots__ = ("_events", "_censored", "start", "name")

    def __init__(
        self,
        events: Sequence[int] | np.ndarray,
        censored: Sequence[int] | np.ndarray,
        *,
        start: _dt.date | str | None = None,
        name: str = "",
    ) -> None:
        ev = np.asarray(events)
        ce = np.asarray(censored)
        if ev.ndim != 1 or ce.shape != ev.shape or ev.size == 0:
            raise ValueError(f"events and censored must be 1-D counts of one length, got {ev.shape} and {ce.shape}")
        for what, a in (("events", ev), ("censored", ce)):
            if a.dtype.kind not in "iu" and not (a.dtype.kind == "f" and np.all(a == np.round(a))):
                raise ValueError(f"{what} must be whole counts")
            if np.any(a < 0):
                raise ValueError(f"{what} must be >= 0")
        self._events = ev.astype(np.int64)
        self._censored = ce.astype(np.int64)
        self.start = None if start is None else _dt.date.fromisoformat(str(start))
        self.name = name

    # -- construction ------------------------------------------------------------------
    @classmethod
    def from_times(
        cls, times: Sequence[float] | np.ndarray, days: int, *, start: Any = None, name: str = ""
    ) -> EventTime:
        """From per-run event days (``0 <= t < days``), NaN for a run that never saw the
        event within the horizon of ``days`` days (censored on day ``days - 1``)."""
        x = np.asarray(times, dtype=float).ravel()
        days = int(days)
        if days < 1:
            raise ValueError(f"days must be >= 1, got {days}")
        seen = x[~np.isnan(x)]
        if seen.size and (np.any(seen < 0) or np.any(seen >= days) or np.any(seen != np.floor(seen))):
            raise ValueError(f"event days must be whole days in [0, {days}) or NaN")
        events = np.bincount(seen.astype(np.int64), minlength=days)
        censored = np.zeros(days, dtype=np.int64)
        censored[-1] = x.size - seen.size
        return cls(events, censored, start=start, name=name)

    @classmethod
    def from_counts(
        cls, events: Sequence[int] | np.ndarray, never: int, *, start: Any = None, name: str = ""
    ) -> EventTime:
        """From exact counts: ``events[t]`` runs saw the event on day ``t``, ``never`` runs
        did not see it within the horizon of ``len(events)`` days."""
        ev = np.asarray(events, dtype=np.int64)
        censored = np.zeros(ev.size, dtype=np.int64)
        censored[-1] = int(never)
        return cls(ev, censored, start=start, name=name)

    @classmethod
    def merge(cls, parts: Sequence[EventTime]) -> EventTime:
        """The runs of all the parts together (counts added; parts of different horizons
        are padded with zeros). The order of the parts does not matter."""
        parts = list(parts)
        if not parts:
            raise ValueError("merge needs at least one EventTime")
        days = max(p.days for p in parts)
        ev = np.zeros(days, dtype=np.int64)
        ce = np.zeros(days, dtype=np.int64)
        for p in parts:
            ev[: p.days] += p._events
            ce[: p.days] += p._censored
        return cls(ev, ce, start=parts[0].start, name=parts[0].name)

    # -- the counts --------------------------------------------------------------------
    @property
    def days(self) -> int:
        """The horizon: days ``0 .. days - 1`` are observed."""
        return int(self._events.size)

    @property
    def n(self) -> int:
        """Number of runs."""
        return int(self._events.sum() + self._censored.sum())

    @property
    def events(self) -> np.ndarray:
        """Runs whose event happened on each day (a copy)."""
        return self._events.copy()

    @property
    def censored(self) -> np.ndarray:
        """Runs last seen, without the event, on each day (a copy)."""
        return self._censored.copy()

    @property
    def happened(self) -> int:
        """Number of runs in which the event happened within the horizon."""
        return int(self._events.sum())

    def at_risk(self) -> np.ndarray:
        """Runs still without the event at the start of each day (and not yet censored)."""
        both = self._events + self._censored
        return np.cumsum(both[::-1])[::-1]

    # -- Kaplan-Meier ------------------------------------------------------------------
    def survival(self) -> np.ndarray:
        """``S(t)``: the Kaplan-Meier probability that the event has *not* happened by day ``t``."""
        risk = self.at_risk()
        with np.errstate(invalid="ignore", divide="ignore"):
            step = np.where(risk > 0, 1.0 - self._events / np.maximum(risk, 1), 1.0)
        return np.cumprod(step)

    def cdf(self) -> np.ndarray:
        """``F(t) = 1 - S(t)``: the probability that the event has happened by day ``t``."""
        return 1.0 - self.survival()

    def interval(self, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Pointwise ``level`` confidence limits ``(low, high)`` of :meth:`cdf`.

        Greenwood's variance on the log(-log) scale of the survival (as
        ``lifelines`` and R's ``survival`` with ``conf.type = "log-log"``): limits stay
        within [0, 1]. Where no event has happened yet the limits are 0 and 0 (the
        estimate is exactly 0 with no variance), and where every run at risk has seen the
        event, 1 and 1.
        """
        if not 0 < level < 1:
            raise ValueError(f"level must be in (0, 1), got {level!r}")
        z = NormalDist().inv_cdf(0.5 + level / 2)
        s = self.survival()
        risk = self.at_risk().astype(float)
        d = self._events.astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            terms = np.where((risk > d) & (risk > 0), d / (risk * (risk - d)), 0.0)
            greenwood = np.cumsum(terms)
            log_s = np.log(s)
            se = np.sqrt(greenwood) / np.abs(log_s)
            lo_s = np.exp(np.log(np.where(s > 0, s, np.nan)) * np.exp(z * se))
            hi_s = np.exp(np.log(np.where(s > 0, s, np.nan)) * np.exp(-z * se))
        inner = (s > 0) & (s < 1)
        low = np.where(inner, 1.0 - hi_s, 1.0 - s)
        high = np.where(inner, 1.0 - lo_s, 1.0 - s)
        return low, high

    @property
    def reached(self) -> float:
        """The probability that the event happens within the horizon, ``cdf()[-1]``
        (with every run censored at the horizon: the share of runs in which it happened)."""
        if self.n == 0:
            return float("nan")
        return float(self.cdf()[-1])

    def quantile(self, q: float) -> int | None:
        """The ``q``-quantile of the event time: the first day ``t`` with ``cdf(t) >= q``;
        ``None`` when fewer than that share of runs reach the event within the horizon
        ("not reached")."""
        if not 0 <= q <= 1:
            raise ValueError(f"q must be in [0, 1], got {q!r}")
        if self.n == 0:
            return None
        hit = np.flatnonzero(self.cdf() >= q - _TOL)
        return int(hit[0]) if hit.size else None

    def median(self) -> int | None:
        """The median event time (day index), ``None`` when fewer than half the runs reach
        it within the horizon. Never the median of only the runs where it happened: that
        is :meth:`conditional`."""
        return self.quantile(0.5)

    def restricted_mean(self) -> float:
        """The mean time restricted to the horizon, ``E[min(T, days)]`` in days: the sum of
        ``S(t)`` over days ``0 .. days - 1``. A run that never sees the event counts as
        ``days``. Comparable between scenarios of one horizon even when few runs see the event."""
        if self.n == 0:
            return float("nan")
        return float(self.survival().sum())

    def conditional(self, q: Sequence[float] = (0.05, 0.5, 0.95)) -> dict[str, float]:
        """Statistics of the event time **among the runs where it happened** within the horizon.

        Returns ``happened`` (the number of such runs), ``mean``, ``median`` and the
        quantiles ``q`` (as ``q0.05`` ...), in days; NaN when no run saw the event. These
        describe the runs that saw the event, which may be a small and unusual share of all
        runs: read them beside :attr:`reached`, never as the median of the event time.
        """
        out: dict[str, float] = {"happened": float(self.happened)}
        f = self.cdf()
        total = f[-1] if f.size else 0.0
        if self.happened == 0 or total <= 0:
            out.update({"mean": float("nan"), "median": float("nan")})
            out.update({f"q{x:g}": float("nan") for x in q})
            return out
        g = f / total  # the distribution of T given T < days
        mass = np.diff(np.concatenate([[0.0], g]))
        out["mean"] = float(np.arange(self.days) @ mass)

        def qu(x: float) -> float:
            return float(np.flatnonzero(g >= x - _TOL)[0])

        out["median"] = qu(0.5)
        out.update({f"q{x:g}": qu(x) for x in q})
        return out

    # -- dates and display -------------------------------------------------------------
    def date(self, day: int | float | None) -> _dt.date | None:
        """The calendar date of a day index (None for None or NaN, or without a start date)."""
        if day is None or self.start is None or (isinstance(day, float) and math.isnan(day)):
            return None
        return self.start + _dt.timedelta(days=int(day))

    @property
    def last_day(self) -> _dt.date | None:
        """The date of the last day observed (the horizon's last day), or None without a start."""
        return self.date(self.days - 1)

    def describe(self, unit_of_time: str = "day") -> str:
        """One line in words: the share that reach the event and its median, or "not
        reached by" the last day."""
        by = self.last_day or f"day {self.days - 1}"
        med = self.median()
        if med is None:
            when = f"median not reached by {by}"
        else:
            when = f"median {unit_of_time} {med}" + (f" ({self.date(med)})" if self.start else "")
        return f"{pct(self.reached)} reach it by {by}; {when}"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, EventTime)
            and np.array_equal(self._events, other._events)
            and np.array_equal(self._censored, other._censored)
            and self.start == other.start
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        head = f"<EventTime {self.name!r}: " if self.name else "<EventTime: "
        return f"{head}n={self.n}, {self.describe()}>"
