"""The entry points that run scenarios: :func:`run` (here, or on an executor) and
:func:`compare` (two scenarios on common random numbers)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ._utils.names import select, unknown
from .engine import RunOptions, run_local
from .parallel.run import distributed_run
from .results import Result
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
        Show a progress bar (default: for runs of more than about two seconds).
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

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        ok = np.isfinite(a) & np.isfinite(b)
        d = np.where(ok, b - a, 0.0)
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
                "mean_diff": mean,
                "ci_low": mean - Z95 * se,
                "ci_high": mean + Z95 * se,
                "se": se,
                "p_b_gt_a": self.gt / self.n,
                "p_b_lt_a": self.lt / self.n,
            }


class Comparison:
    """Paired differences ``b - a`` of two scenarios run on the same streams.

    ``outcomes`` holds, per outcome, the number of pairs where both values are
    finite (a censored first-passage time is NaN and drops its pair; the
    censored shares are given separately), the mean difference with a 95 %
    interval, and the probabilities that b exceeds a and that a exceeds b.
    ``series(name)`` gives the same per day.
    """

    def __init__(
        self,
        a: Scenario,
        b: Scenario,
        n: int,
        seed: int,
        outcomes: dict[str, dict[str, float]],
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
) -> Comparison:
    """Run ``a`` and ``b`` on common random numbers and return paired differences ``b - a``.

    Trajectory i of both runs draws from the same keyed streams, so the
    difference measures the change between the scenarios, not the noise: its
    interval is much narrower than that of two independent runs.

    ``outcomes`` picks outcomes of both scenarios by name or glob pattern (default:
    every outcome they share); ``series`` the series whose per-day differences
    :meth:`Comparison.series` gives (names or patterns, resolved on ``a``; default none).

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
    options = RunOptions.from_args(n=n, seed=seed, series=series, threads=threads, progress=False)
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
    acc_o = {k: _Acc(()) for k in names}
    cens = {k: [0, 0] for k in names}
    acc_s = {k: _Acc((sa.days,)) for k in recorded}
    for start in range(0, n, CHUNK):
        part = options.part(range(start, min(start + CHUNK, n)))
        ra, rb = run_local(sa, part), run_local(sb, part)
        for k in names:
            x, y = ra.outcomes[k], rb.outcomes[k]
            acc_o[k].add(x, y)
            cens[k][0] += int(np.isnan(x).sum())
            cens[k][1] += int(np.isnan(y).sum())
        for k in recorded:
            acc_s[k].add(ra.series(k), rb.series(k))
    out = {}
    for k in names:
        t = {key: float(v) for key, v in acc_o[k].table().items()}
        t["censored_a"] = cens[k][0] / n
        t["censored_b"] = cens[k][1] / n
        out[k] = t
    ser = {k: acc_s[k].table() for k in recorded}
    return Comparison(sa, sb, n, seed, out, ser, sa.dates)
