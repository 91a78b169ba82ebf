"""Results of a run: series, outcomes and drawn parameters."""

from __future__ import annotations

import datetime as _dt
import difflib
from typing import Any, Iterable, Sequence

import numpy as np

from .scenario import Scenario

__all__ = ["Result"]


def _unknown(name: str, names: Iterable[str], what: str) -> KeyError:
    names = list(names)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return KeyError(f"no {what} named {name!r}{hint}")


class Result:
    """What a run returns.

    ``series(name)`` is an ``(n, days)`` array of daily values (end of day),
    ``outcomes`` a dict of per-trajectory outcomes and ``params`` a dict of
    each trajectory's drawn value of every uncertain parameter, keyed by
    dotted path. First-passage outcomes (``days_to_*``) are day indices from
    the start date, NaN when the event never happens within the horizon
    (censored).
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        first: int,
        n: int,
        series: dict[str, np.ndarray],
        outcomes: dict[str, np.ndarray],
        params: dict[str, np.ndarray],
    ) -> None:
        self.scenario = scenario
        self.seed = seed
        self.first = first
        self.n = n
        self._series = series
        self.outcomes = outcomes
        self.params = params

    @property
    def days(self) -> int:
        return self.scenario.days

    @property
    def dates(self) -> np.ndarray:
        """Dates of the days (``datetime64[D]``)."""
        return self.scenario.dates

    @property
    def trajectories(self) -> range:
        """Indices of these trajectories in the seed's streams."""
        return range(self.first, self.first + self.n)

    @property
    def series_names(self) -> list[str]:
        """Names of the recorded series."""
        return list(self._series)

    def series(self, name: str) -> np.ndarray:
        """The ``(n, days)`` array of a recorded series (no copy)."""
        try:
            return self._series[name]
        except KeyError:
            if name in self.scenario.series_names:
                raise KeyError(f"series {name!r} exists but was not recorded; pass series=[{name!r}, ...] to run") from None
            raise _unknown(name, self.scenario.series_names, "series") from None

    def outcome(self, name: str) -> np.ndarray:
        """One outcome, shape ``(n,)``."""
        try:
            return self.outcomes[name]
        except KeyError:
            raise _unknown(name, self.outcomes, "outcome") from None

    def day_of(self, date: str | _dt.date | np.datetime64) -> int:
        """Day index of a date within the horizon."""
        d = (np.datetime64(date, "D") - np.datetime64(self.scenario.start, "D")).astype(int)
        if not 0 <= d < self.days:
            raise ValueError(f"{date} is outside the horizon {self.dates[0]} .. {self.dates[-1]}")
        return int(d)

    def at(self, name: str, date: str | _dt.date | np.datetime64) -> np.ndarray:
        """Values of a series on a date, one per trajectory."""
        return self.series(name)[:, self.day_of(date)]

    def quantiles(self, name: str, q: float | Sequence[float]) -> np.ndarray:
        """Quantiles of a series per day: shape ``(days,)`` for a scalar q, ``(len(q), days)`` otherwise."""
        return np.quantile(self.series(name), q, axis=0)

    def outcome_table(self, names: Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)) -> list[dict[str, Any]]:
        """Per outcome: mean, the quantiles ``q`` (of the uncensored values) and the censored share."""
        rows = []
        for name in names if names is not None else self.outcomes:
            x = self.outcome(name)
            finite = x[np.isfinite(x)]
            row: dict[str, Any] = {"outcome": name, "mean": float(finite.mean()) if finite.size else float("nan")}
            for qq in q:
                row[f"q{qq:g}"] = float(np.quantile(finite, qq)) if finite.size else float("nan")
            row["censored"] = float(1 - finite.size / x.size) if x.size else float("nan")
            rows.append(row)
        return rows

    def __repr__(self) -> str:
        return (
            f"<Result {self.scenario.name!r}: n={self.n}, seed={self.seed}, "
            f"{self.dates[0]} .. {self.dates[-1]} ({self.days} days), {len(self._series)} series recorded, "
            f"{len(self.outcomes)} outcomes, {len(self.params)} uncertain parameters>"
        )
