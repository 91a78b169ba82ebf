"""Results of a run: series (full paths or streaming summaries), outcomes and drawn parameters."""

from __future__ import annotations

import datetime as _dt
import difflib
from typing import Any, Iterable, Sequence

import numpy as np

from . import _core
from .errors import AttritionError
from .scenario import Scenario

__all__ = ["Result", "merge", "SUMMARY_QUANTILES"]

#: Quantiles reported by :meth:`Result.summary`.
SUMMARY_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _unknown(name: str, names: Iterable[str], what: str) -> KeyError:
    names = list(names)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return KeyError(f"no {what} named {name!r}{hint}")


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:  # pragma: no cover - exercised without the extra
        raise ImportError("this needs pandas: pip install 'attrition[pandas]'") from None
    return pandas


def _ranges(index: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous (start, stop) runs of a sorted index array."""
    if len(index) == 0:
        return []
    breaks = np.flatnonzero(np.diff(index) != 1) + 1
    starts = np.concatenate([[0], breaks])
    stops = np.concatenate([breaks, [len(index)]])
    return [(int(index[a]), int(index[b - 1]) + 1) for a, b in zip(starts, stops)]


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
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        ranges: Sequence[tuple[int, int]],
        *,
        series: dict[str, np.ndarray] | None = None,
        summary: Any = None,
        summary_names: Sequence[str] = (),
        outcomes: dict[str, np.ndarray] | Any,
        params: dict[str, np.ndarray] | Any,
    ) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self._ranges = [(int(a), int(b)) for a, b in ranges]
        self.n = sum(b - a for a, b in self._ranges)
        self._series = series
        self._summary = summary
        self._summary_names = list(summary_names)
        self._outcomes = outcomes
        self._params = params

    # -- identity ----------------------------------------------------------------------
    @property
    def days(self) -> int:
        return self.scenario.days

    @property
    def dates(self) -> np.ndarray:
        """Dates of the days (``datetime64[D]``)."""
        return self.scenario.dates

    @property
    def paths(self) -> bool:
        """True when full paths were recorded, False for streaming summaries."""
        return self._series is not None

    @property
    def outcomes_kept(self) -> str:
        """``"arrays"`` (one value per trajectory) or ``"sketch"`` (summaries only)."""
        return "arrays" if isinstance(self._outcomes, dict) else "sketch"

    @property
    def trajectories(self) -> range | np.ndarray:
        """Indices of these trajectories in the seed's streams (a range when contiguous)."""
        if len(self._ranges) == 1:
            return range(*self._ranges[0])
        return np.concatenate([np.arange(a, b) for a, b in self._ranges])

    # -- series ------------------------------------------------------------------------
    @property
    def series_names(self) -> list[str]:
        """Names of the recorded series."""
        return list(self._series) if self._series is not None else list(self._summary_names)

    def _check_series(self, name: str) -> None:
        if name not in self.series_names:
            if name in self.scenario.series_names:
                raise KeyError(f"series {name!r} exists but was not recorded; pass series=[{name!r}, ...] to run")
            raise _unknown(name, self.scenario.series_names, "series")

    def series(self, name: str) -> np.ndarray:
        """The ``(n, days)`` array of a recorded series (no copy); needs ``paths=True``."""
        self._check_series(name)
        if self._series is None:
            raise AttritionError(f"this run kept summaries, not paths (paths=False): use summary({name!r}) or quantiles()")
        return self._series[name]

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
        qs = np.atleast_1d(np.asarray(q, dtype=float))
        if self._series is not None:
            out = np.quantile(self._series[name], qs, axis=0)
        else:
            out = self._summary.quantiles(self._summary_names.index(name), [float(x) for x in qs])
        return out[0] if np.ndim(q) == 0 else out

    def stats(self, name: str) -> dict[str, np.ndarray]:
        """Per-day count, mean, sd, min and max of a series (arrays over days)."""
        self._check_series(name)
        if self._series is not None:
            a = self._series[name]
            return {
                "count": np.full(self.days, float(self.n)),
                "mean": a.mean(axis=0),
                "sd": a.std(axis=0, ddof=1) if self.n > 1 else np.zeros(self.days),
                "min": a.min(axis=0),
                "max": a.max(axis=0),
            }
        st = self._summary.stats(self._summary_names.index(name))
        return {k: st[k] for k in ("count", "mean", "sd", "min", "max")}

    def summary(self, name: str, q: Sequence[float] = SUMMARY_QUANTILES) -> Any:
        """A pandas DataFrame indexed by date: count, mean, sd, min, max and quantiles of a series."""
        pd = _pandas()
        cols: dict[str, np.ndarray] = dict(self.stats(name))
        qs = self.quantiles(name, list(q))
        for i, qq in enumerate(q):
            cols[f"q{qq:g}"] = qs[i]
        return pd.DataFrame(cols, index=pd.DatetimeIndex(self.dates, name="date"))

    # -- outcomes and parameters -------------------------------------------------------
    @property
    def outcomes(self) -> dict[str, np.ndarray]:
        """Per-trajectory outcomes, ``{name: array of shape (n,)}``."""
        if not isinstance(self._outcomes, dict):
            raise AttritionError(
                "outcomes were kept as sketches (too many trajectories for per-trajectory arrays "
                "within the memory budget); use outcome_table() or raise max_memory"
            )
        return self._outcomes

    @property
    def params(self) -> dict[str, np.ndarray]:
        """Each trajectory's drawn value of every uncertain parameter, ``{path: array (n,)}``."""
        if not isinstance(self._params, dict):
            raise AttritionError("drawn parameters were kept as sketches; use param_table()")
        return self._params

    @property
    def outcome_names(self) -> list[str]:
        return self.scenario.outcome_names

    def outcome(self, name: str) -> np.ndarray:
        """One outcome, shape ``(n,)``."""
        if name not in self.outcome_names:
            raise _unknown(name, self.outcome_names, "outcome")
        return self.outcomes[name]

    def _table(self, kept: Any, names_all: list[str], names: Iterable[str] | None, q: Sequence[float], what: str) -> list[dict[str, Any]]:
        rows = []
        for name in names if names is not None else names_all:
            if name not in names_all:
                raise _unknown(name, names_all, what)
            row: dict[str, Any] = {what: name}
            if isinstance(kept, dict):
                x = kept[name]
                finite = x[~np.isnan(x)]
                row["mean"] = float(finite.mean()) if finite.size else float("nan")
                for qq in q:
                    row[f"q{qq:g}"] = float(np.quantile(finite, qq, method="inverted_cdf")) if finite.size else float("nan")
                row["censored"] = float(1 - finite.size / x.size) if x.size else float("nan")
            else:
                i = names_all.index(name)
                st = kept.stats(i)
                qs = kept.quantiles(i, [float(v) for v in q])
                row["mean"] = float(st["mean"][0])
                for j, qq in enumerate(q):
                    row[f"q{qq:g}"] = float(qs[j, 0])
                total = st["count"][0] + st["nan"][0]
                row["censored"] = float(st["nan"][0] / total) if total else float("nan")
            rows.append(row)
        return rows

    def outcome_table(self, names: Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)) -> list[dict[str, Any]]:
        """Per outcome: mean, the quantiles ``q`` of the uncensored values and the censored (NaN) share."""
        return self._table(self._outcomes, self.outcome_names, names, q, "outcome")

    def param_table(self, names: Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)) -> list[dict[str, Any]]:
        """Per uncertain parameter: mean and quantiles of the drawn values."""
        paths = [u["path"] for u in self.scenario.uncertain_list()]
        return self._table(self._params, paths, names, q, "param")

    # -- tables, plots and display (bodies in _frames.py, plot.py, _display.py) -------
    def to_pandas(
        self, series: str | Iterable[str] | None = None, *, summary: bool | None = None,
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
        from . import _frames

        return _frames.to_pandas(self, series, summary, q)

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
        from . import _frames

        return _frames.outcomes_frame(self)

    def to_xarray(
        self, series: str | Iterable[str] | None = None, *, summary: bool | None = None,
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
        from . import _frames

        return _frames.to_xarray(self, series, summary, q)

    @property
    def plot(self) -> Any:
        """Charts of this result (needs the ``plot`` extra): ``fan``, ``fans``, ``hist``,
        ``survival``, ``compare`` and ``tornado``; see :class:`attrition.visual.ResultPlot`."""
        from .visual import ResultPlot

        return ResultPlot(self)

    def _repr_html_(self) -> str:
        from . import _display

        return _display.result_html(self)

    # -- pickling ----------------------------------------------------------------------
    def __reduce__(self) -> tuple[Any, ...]:
        def pack(x: Any) -> Any:
            return x if x is None or isinstance(x, dict) else ("summary", x.to_bytes())

        state = {
            "scenario": self.scenario, "seed": self.seed, "ranges": self._ranges, "series": self._series,
            "summary": pack(self._summary), "summary_names": self._summary_names,
            "outcomes": pack(self._outcomes), "params": pack(self._params),
        }
        return (_restore, (state,))

    def __repr__(self) -> str:
        """The run's identity line, then the key outcomes (median and 90 % interval)."""
        from . import _display

        return _display.result_text(self)


def _unpack(x: Any) -> Any:
    if isinstance(x, tuple) and len(x) == 2 and x[0] == "summary":
        return _core.SummaryTable.from_bytes(x[1])
    return x


def _restore(state: dict[str, Any]) -> Result:
    return Result(
        state["scenario"], state["seed"], state["ranges"], series=state["series"],
        summary=_unpack(state["summary"]), summary_names=state["summary_names"],
        outcomes=_unpack(state["outcomes"]), params=_unpack(state["params"]),
    )


def merge(results: Sequence[Result]) -> Result:
    """Combine partial runs of one scenario and seed over disjoint trajectory ranges.

    The merged result equals, bit for bit, one run over the union of the ranges:
    paths, summaries, outcomes and drawn parameters.

    Examples
    --------
    >>> import attrition, numpy as np
    >>> parts = [attrition.run("baseline-2024-12", seed=3, trajectories=range(a, a + 10),
    ...                        series=["russia.ammo.152mm.stock"]) for a in (10, 0, 20)]
    >>> whole = attrition.run("baseline-2024-12", seed=3, n=30, series=["russia.ammo.152mm.stock"])
    >>> m = attrition.merge(parts)
    >>> np.array_equal(m.series("russia.ammo.152mm.stock"), whole.series("russia.ammo.152mm.stock"))
    True
    """
    results = list(results)
    if not results:
        raise ValueError("merge needs at least one result")
    results.sort(key=lambda r: r._ranges[0][0])
    r0 = results[0]
    for r in results[1:]:
        if r.scenario != r0.scenario:
            raise ValueError("merge needs results of the same scenario")
        if r.seed != r0.seed:
            raise ValueError(f"merge needs results of the same seed, got {r0.seed} and {r.seed}")
        if r.series_names != r0.series_names or r.paths != r0.paths:
            raise ValueError("merge needs results that recorded the same series in the same mode (paths or summaries)")
        if r.outcomes_kept != r0.outcomes_kept:
            raise ValueError("merge needs results that kept outcomes the same way; run the parts with outcomes='sketch'")
    index = np.concatenate([np.arange(a, b) for r in results for a, b in r._ranges])
    order = np.argsort(index, kind="stable")
    index = index[order]
    if len(index) > 1 and (np.diff(index) == 0).any():
        raise ValueError("merge needs disjoint trajectory ranges")

    def cat(get: Any) -> np.ndarray:
        return np.concatenate([get(r) for r in results])[order]

    def combine(kept: list[Any]) -> Any:
        if isinstance(kept[0], dict):
            return {k: np.concatenate([d[k] for d in kept])[order] for k in kept[0]}
        acc = kept[0]
        for x in kept[1:]:
            acc = acc.merge(x)
        return acc

    series = None
    summary = None
    if r0.paths:
        series = {k: cat(lambda r, k=k: r._series[k]) for k in r0._series}
    else:
        summary = combine([r._summary for r in results])
    return Result(
        r0.scenario, r0.seed, _ranges(index), series=series, summary=summary, summary_names=r0._summary_names,
        outcomes=combine([r._outcomes for r in results]), params=combine([r._params for r in results]),
    )
