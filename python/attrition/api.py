"""The entry points that run scenarios: :func:`run` (here, or on an executor) and
:func:`compare` (two scenarios on common random numbers)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ._utils import progress as progress_
from ._utils.names import select, unknown
from .engine import RunOptions, expected_seconds, run_local
from .parallel.run import distributed_run
from .results import Result
from .results.events import restricted
from .scenario import Scenario, as_scenario

__all__ = ["CHUNK", "Comparison", "compare", "run"]


def run(
    scenario: Scenario | Mapping[str, Any] | str,
    /,
    *,
    n: int | None = None,
    seed: int | None = None,
    series: str | Iterable[str] | None = None,
    paths: bool = True,
    threads: int | None = None,
    progress: bool | None = None,
    max_memory: int | None = None,
    samples: Mapping[str, Any] | Any | None = None,
    trajectories: range | None = None,
    outcomes: str = "auto",
    executor: Any = None,
    block: int | None = None,
) -> Result:
    """Run ``n`` trajectories of a scenario.

    Parameters
    ----------
    scenario
        A :class:`Scenario`, a dict, a built-in name or a TOML path.
    n
        Number of trajectories (default 10,000; with ``trajectories``, its length).
    seed
        Seed of the random streams; ``None`` draws a fresh one, recorded in ``Result.seed``.
    series
        Series to record as full paths: names or glob patterns (``"russia.fleet.*.serviceable"``),
        ``"all"``, or ``None`` for :data:`DEFAULT_SERIES`.
    paths
        Record full ``(n, days)`` paths of the series; ``False`` keeps streaming
        summaries per day instead (count, mean, sd, min, max and quantiles within
        1 %), whose memory does not grow with ``n``.
    threads
        Worker threads (default: all cores). Results do not depend on it.
    progress
        Show a progress bar: ``True`` always, ``False`` never; ``None`` (default) when
        someone is watching (a Jupyter notebook, or stderr is a terminal: not a script
        whose stderr goes to a file or a log) and the run should take over two seconds.
        In a notebook the bar is a widget with ipywidgets (``attrition[notebook]``),
        plain text otherwise.
    max_memory
        Refuse runs whose results would exceed this many bytes (default: half the available memory).
    samples
        Explicit values for uncertain parameters, one row per trajectory (row ``i`` is
        trajectory ``i`` of the run; the parameters not given are drawn as usual):
        ``{dotted path: array of n values}``, a pandas DataFrame whose columns are
        dotted paths (its index is ignored), or a numpy structured array whose field
        names are dotted paths. Without ``n``, n is the number of rows.
    outcomes
        ``"arrays"`` keeps outcomes and drawn parameters per trajectory, ``"sketch"``
        as summaries; ``"auto"`` (default) keeps arrays while they fit the memory budget.
        Decided before the run starts.
    trajectories
        Run just these trajectories of the seed's streams (a ``range`` with step 1);
        :func:`attrition.merge` combines such partial runs into the run over their union.
    executor
        Run on a cluster or a pool: a ``dask.distributed.Client``, any
        ``concurrent.futures.Executor`` (``ProcessPoolExecutor``, ``client.get_executor()``,
        mpi4py's ``MPIPoolExecutor``), or a function creating one (such as the class
        ``ProcessPoolExecutor``: attrition then owns the pool and replaces it if a worker
        dies). The trajectories are cut into fixed blocks, run there and merged in order:
        the result is bit-identical to a local run. ``threads`` is then per block
        (default 1). See :func:`attrition.parallel.run_distributed` and ``docs/cluster.md``.
    block
        Trajectories per block with ``executor`` (default: from ``n`` and the scenario,
        independent of the workers; see :func:`attrition.parallel.plan`). It does not
        change the result.

    Returns
    -------
    Result

    Examples
    --------
    >>> import attrition
    >>> r = attrition.run("baseline-2024-12", n=20, seed=1, series=["russia.ammo.152mm.stock"])
    >>> r.series("russia.ammo.152mm.stock").shape
    (20, 730)
    >>> r.seed
    1
    """
    options = RunOptions.from_args(
        n=n,
        seed=seed,
        series=series,
        paths=paths,
        threads=threads,
        progress=progress,
        max_memory=max_memory,
        samples=samples,
        trajectories=trajectories,
        outcomes=outcomes,
        block=block,
    )
    if executor is None:
        return run_local(scenario, options)
    return distributed_run(scenario, options, executor)


#: Trajectories per chunk: paired statistics are accumulated chunk by chunk so
#: memory stays flat, in a fixed order so the numbers do not depend on anything else.
CHUNK = 20_000

Z95 = 1.959963984540054


class _Acc:
    """Running sums of paired differences d = b - a (per element of an array)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.n = np.zeros(shape)
        self.s = np.zeros(shape)
        self.s2 = np.zeros(shape)
        self.gt = np.zeros(shape)
        self.lt = np.zeros(shape)
        self.sa = np.zeros(shape)
        self.sb = np.zeros(shape)

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        ok = np.isfinite(a) & np.isfinite(b)
        d = np.where(ok, b - a, 0.0)
        self.sa += np.where(ok, a, 0.0).sum(axis=0)
        self.sb += np.where(ok, b, 0.0).sum(axis=0)
        self.n += ok.sum(axis=0)
        self.s += d.sum(axis=0)
        self.s2 += (d * d).sum(axis=0)
        self.gt += (ok & (b > a)).sum(axis=0)
        self.lt += (ok & (b < a)).sum(axis=0)

    def table(self) -> dict[str, np.ndarray]:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = self.s / self.n
            var = (self.s2 - self.n * mean * mean) / (self.n - 1)
            se = np.sqrt(np.maximum(var, 0.0) / self.n)
            return {
                "pairs": self.n,
                "mean_a": self.sa / self.n,
                "mean_b": self.sb / self.n,
                "mean_diff": mean,
                "ci_low": mean - Z95 * se,
                "ci_high": mean + Z95 * se,
                "se": se,
                "p_b_gt_a": self.gt / self.n,
                "p_b_lt_a": self.lt / self.n,
            }


class Comparison:
    """Paired differences ``b - a`` of two scenarios run on the same streams.

    ``outcomes`` holds one dict per outcome (:meth:`table` lists them as rows):

    * a quantity: ``pairs`` (pairs where both values are finite), the means
      ``mean_a`` and ``mean_b`` over those pairs, the mean difference ``mean_diff``
      with its 95 % interval ``ci_low`` .. ``ci_high`` and standard error ``se``,
      and ``p_b_gt_a`` and ``p_b_lt_a``, the shares of pairs in which b exceeds a
      and a exceeds b;
    * a first-passage time (``first_passage`` True), censored at the horizon: the
      same columns for the **time restricted to the horizon**, ``min(T, days)`` (a
      run that never sees the event counts as the horizon; every pair counts;
      ``mean_a`` and ``mean_b`` are the restricted mean times, ``mean_diff`` their
      difference); ``reached_a`` and ``reached_b``, the shares of runs that see the
      event within the horizon, and the paired difference of the probability of the
      event by the horizon, ``reached_diff``, with its interval ``reached_ci_low`` ..
      ``reached_ci_high``; and, **among the pairs in which both runs saw the event**,
      ``both_pairs`` and the difference ``both_mean_diff`` with its interval
      ``both_ci_low`` .. ``both_ci_high`` (a selected subset: read it with
      ``both_pairs``).

    ``censored_a`` and ``censored_b`` are the NaN shares of each side. Event columns
    are NaN for a quantity. ``series(name)`` gives the paired statistics of a series per day.
    """

    def __init__(
        self,
        a: Scenario,
        b: Scenario,
        n: int,
        seed: int,
        outcomes: dict[str, dict[str, Any]],
        series: dict[str, dict[str, np.ndarray]],
        dates: np.ndarray,
    ) -> None:
        self.a, self.b, self.n, self.seed = a, b, n, seed
        self.outcomes = outcomes
        self._series = series
        self.dates = dates

    def series(self, name: str) -> dict[str, np.ndarray]:
        """The paired statistics of a compared series, per day (arrays over days)."""
        if name not in self._series:
            raise unknown(name, list(self._series), "compared series")
        return self._series[name]

    def table(self) -> list[dict[str, Any]]:
        """One row per outcome: ``outcome`` and its paired statistics."""
        return [{"outcome": k, **v} for k, v in self.outcomes.items()]

    def __repr__(self) -> str:
        return (
            f"<Comparison {self.a.name!r} vs {self.b.name!r}: n={self.n}, seed={self.seed}, "
            f"{len(self.outcomes)} outcomes>"
        )


#: The columns of a comparison's row that only first-passage outcomes fill.
EVENT_COLUMNS = (
    "reached_a",
    "reached_b",
    "reached_diff",
    "reached_ci_low",
    "reached_ci_high",
    "both_pairs",
    "both_mean_diff",
    "both_ci_low",
    "both_ci_high",
)


class _EventAcc:
    """Paired sums of a first-passage outcome: the time restricted to the horizon, the
    indicator of the event, and the time among pairs where both saw it."""

    def __init__(self, days: int) -> None:
        self.days = days
        self.time, self.hit, self.both = _Acc(()), _Acc(()), _Acc(())
        self.seen = [0, 0]

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        ha, hb = ~np.isnan(a), ~np.isnan(b)
        self.time.add(restricted(a, self.days), restricted(b, self.days))
        self.hit.add(ha.astype(float), hb.astype(float))
        self.both.add(a, b)  # NaN drops the pair: both must have seen it
        self.seen[0] += int(ha.sum())
        self.seen[1] += int(hb.sum())

    def row(self, n: int) -> dict[str, Any]:
        out: dict[str, Any] = {key: float(v) for key, v in self.time.table().items()}
        hit = self.hit.table()
        both = self.both.table()
        out.update(
            {
                "reached_a": self.seen[0] / n,
                "reached_b": self.seen[1] / n,
                "reached_diff": float(hit["mean_diff"]),
                "reached_ci_low": float(hit["ci_low"]),
                "reached_ci_high": float(hit["ci_high"]),
                "both_pairs": float(both["pairs"]),
                "both_mean_diff": float(both["mean_diff"]),
                "both_ci_low": float(both["ci_low"]),
                "both_ci_high": float(both["ci_high"]),
            }
        )
        return out


def compare(
    a: Scenario | Mapping[str, Any] | str,
    b: Scenario | Mapping[str, Any] | str,
    /,
    *,
    n: int = 10_000,
    seed: int | None = None,
    outcomes: str | Iterable[str] | None = None,
    series: str | Iterable[str] = (),
    threads: int | None = None,
    progress: bool | None = None,
) -> Comparison:
    """Run ``a`` and ``b`` on common random numbers and return paired differences ``b - a``.

    Trajectory i of both runs draws from the same keyed streams, so the
    difference measures the change between the scenarios, not the noise: its
    interval is much narrower than that of two independent runs.

    ``outcomes`` picks outcomes of both scenarios by name or glob pattern (default:
    every outcome they share); ``series`` the series whose per-day differences
    :meth:`Comparison.series` gives (names or patterns, resolved on ``a``; default none).
    A first-passage outcome is compared as a censored time (see :class:`Comparison`):
    the paired difference in the probability of the event by the horizon, in the time
    restricted to the horizon, and, labelled so, among the pairs where both saw it.
    ``progress`` shows a bar (None: when watched and long; see :func:`run`).

    Examples
    --------
    >>> import attrition
    >>> c = attrition.compare("baseline-2024-12", "dprk-cutoff-2025-01-20", n=200, seed=1,
    ...                       outcomes=["russia.ammo.152mm.fired_total"])
    >>> c.outcomes["russia.ammo.152mm.fired_total"]["mean_diff"] < 0
    True
    """
    sa, sb = as_scenario(a), as_scenario(b)
    if sa.days != sb.days or sa.start != sb.start:
        raise ValueError("compare needs scenarios with the same start and horizon")
    options = RunOptions.from_args(n=n, seed=seed, series=series, threads=threads, progress=progress)
    n, seed = options.n, options.seed
    in_b = set(sb.outcome_names)
    common = [k for k in sa.outcome_names if k in in_b]
    names = common if outcomes is None else select(common, outcomes, "outcome of both scenarios")
    recorded = options.series_names(sa)
    b_series = sb.series_names
    for k in recorded:
        if k not in b_series:
            raise unknown(k, b_series, f"series of {sb.name!r}")
    options = dataclasses.replace(options, series=tuple(recorded))
    events = set(sa.first_passage_names()) & set(sb.first_passage_names())
    acc_o: dict[str, _Acc | _EventAcc] = {k: _EventAcc(sa.days) if k in events else _Acc(()) for k in names}
    cens = {k: [0, 0] for k in names}
    acc_s = {k: _Acc((sa.days,)) for k in recorded}
    seconds = expected_seconds(sa, n, options.threads) + expected_seconds(sb, n, options.threads)
    bar = progress_.bar(progress_.show(options.progress, seconds), 2 * n, f"{sa.name} vs {sb.name}")
    try:
        for start in range(0, n, CHUNK):
            part = options.part(range(start, min(start + CHUNK, n)), progress=False)
            ra = run_local(sa, part)
            progress_.tick(bar, part.n)
            rb = run_local(sb, part)
            progress_.tick(bar, part.n)
            for k in names:
                x, y = ra.outcomes[k], rb.outcomes[k]
                acc_o[k].add(x, y)
                cens[k][0] += int(np.isnan(x).sum())
                cens[k][1] += int(np.isnan(y).sum())
            for k in recorded:
                acc_s[k].add(ra.series(k), rb.series(k))
    finally:
        progress_.close(bar)
    out: dict[str, dict[str, Any]] = {}
    for k in names:
        acc = acc_o[k]
        if isinstance(acc, _EventAcc):
            t = {"first_passage": True, **acc.row(n)}
        else:
            t = {"first_passage": False, **{key: float(v) for key, v in acc.table().items()}}
            t.update(dict.fromkeys(EVENT_COLUMNS, float("nan")))
        t["censored_a"] = cens[k][0] / n
        t["censored_b"] = cens[k][1] / n
        out[k] = t
    ser = {k: acc_s[k].table() for k in recorded}
    return Comparison(sa, sb, n, seed, out, ser, sa.dates)
