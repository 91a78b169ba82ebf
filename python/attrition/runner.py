"""Running scenarios."""

from __future__ import annotations

import fnmatch
import os
import secrets
from typing import Any, Iterable, Mapping

import numpy as np

from . import _core
from .errors import ResourceError
from .results import Result, _unknown
from .scenario import Scenario, as_scenario

__all__ = ["run", "DEFAULT_SERIES", "memory_budget"]

#: The series recorded when ``series=None``: the ones most questions need.
DEFAULT_SERIES = (
    "*.fire.total.effective",
    "*.ammo.*.stock",
    "*.ammo.*.shortfall",
    "*.fleet.*.serviceable",
    "*.casualties.total.cumulative",
    "*.contingent.*.cumulative",
    "*.territory.area.cumulative_sqmi",
)

#: Share of available memory a run may use by default.
MEMORY_FRACTION = 0.5


def memory_budget() -> int:
    """Default memory budget: half of the memory available now (bytes)."""
    avail = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            avail = 4 << 30
    return int(avail * MEMORY_FRACTION)


def _select(names: list[str], series: str | Iterable[str] | None) -> list[str]:
    if series is None:
        patterns: Iterable[str] = DEFAULT_SERIES
    elif isinstance(series, str):
        patterns = names if series == "all" else [series]
    else:
        patterns = list(series)
    chosen: list[str] = []
    for p in patterns:
        if not isinstance(p, str):
            raise TypeError(f"series names must be strings, got {type(p).__name__}")
        if any(c in p for c in "*?["):
            chosen.extend(n for n in names if fnmatch.fnmatchcase(n, p) and n not in chosen)
        elif p in names:
            if p not in chosen:
                chosen.append(p)
        else:
            raise _unknown(p, names, "series")
    return chosen


def _sample_columns(samples: Any) -> tuple[dict[str, np.ndarray] | None, int | None]:
    """Explicit parameter values as ``{path: float64 array}`` and their row count.

    Takes a mapping of 1-D arrays, a pandas DataFrame (columns are paths) or a
    numpy structured array (fields are paths); refuses ragged or non-finite columns.
    """
    if samples is None:
        return None, None
    if isinstance(samples, np.ndarray) and samples.dtype.names is not None:
        items = [(k, samples[k]) for k in samples.dtype.names]
    elif hasattr(samples, "columns") and hasattr(samples, "__getitem__") and not isinstance(samples, Mapping):
        items = [(k, samples[k].to_numpy()) for k in samples.columns]  # a pandas DataFrame
    elif isinstance(samples, Mapping):
        items = list(samples.items())
    else:
        raise TypeError(
            "samples must be a dict {path: array}, a pandas DataFrame or a numpy structured array, "
            f"got {type(samples).__name__}"
        )
    given: dict[str, np.ndarray] = {}
    rows = None
    for k, v in items:
        if not isinstance(k, str):
            raise TypeError(f"samples are keyed by dotted parameter paths (str), got {k!r}")
        a = np.ascontiguousarray(v, dtype=np.float64)
        if a.ndim != 1 or (rows is not None and len(a) != rows):
            want = f"({rows},)" if rows is not None else "one dimension"
            raise ValueError(f"samples[{k!r}] has shape {a.shape}; expected {want}")
        rows = len(a)
        bad = np.flatnonzero(~np.isfinite(a))
        if bad.size:
            raise ValueError(f"samples[{k!r}] has a non-finite value {a[bad[0]]} in row {bad[0]}")
        given[k] = a
    if not given or not rows:
        raise ValueError("samples is empty: give at least one parameter with at least one row")
    return given, rows


def _trajectories(n: Any, trajectories: range | None, rows: int | None) -> tuple[int, int]:
    """(first trajectory, n) from ``n``, ``trajectories`` and the rows of ``samples``."""
    first = 0
    if trajectories is not None:
        if not isinstance(trajectories, range) or trajectories.step != 1 or trajectories.start < 0 or len(trajectories) == 0:
            raise ValueError(f"trajectories must be a non-empty range(a, b) with 0 <= a < b, got {trajectories!r}")
        if n is not None and n != len(trajectories):
            raise ValueError(f"n={n} disagrees with trajectories={trajectories!r}; give one of them")
        first, n = trajectories.start, len(trajectories)
    if n is None:
        n = 10_000 if rows is None else rows
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if rows is not None and rows != n:
        raise ValueError(f"samples has {rows} rows but n={n}; leave n out to run one trajectory per row")
    return first, int(n)


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
        (default 1). See :func:`attrition.distributed.run_distributed` and ``docs/cluster.md``.
    block
        Trajectories per block with ``executor`` (default: from ``n`` and the scenario,
        independent of the workers; see :func:`attrition.distributed.plan`). It does not
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
    if executor is not None:
        from .distributed import run_distributed

        return run_distributed(
            scenario, executor=executor, block=block, n=n, seed=seed, series=series, paths=paths, threads=threads,
            progress=progress, max_memory=max_memory, samples=samples, trajectories=trajectories, outcomes=outcomes,
        )
    if block is not None:
        raise ValueError("block= needs executor=: a local run chooses its own blocks")
    sc = as_scenario(scenario)
    given, rows = _sample_columns(samples)
    first, n = _trajectories(n, trajectories, rows)
    if seed is None:
        seed = secrets.randbits(64)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
        raise ValueError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    names = _select(sc.series_names, series)
    if outcomes not in ("auto", "arrays", "sketch"):
        raise ValueError(f"outcomes must be 'auto', 'arrays' or 'sketch', got {outcomes!r}")
    budget = memory_budget() if max_memory is None else int(max_memory)
    workers = threads or os.cpu_count() or 1
    if paths:
        if outcomes == "sketch":
            raise ValueError("outcomes='sketch' needs paths=False")
        need = _core.estimate_bytes(sc._core, n, len(names))
        arrays = True
    else:
        arrays = outcomes == "arrays" or (
            outcomes == "auto" and _core.estimate_summary_bytes(sc._core, n, len(names), workers, True) <= budget
        )
        need = _core.estimate_summary_bytes(sc._core, n, len(names), workers, arrays)
    if need > budget:
        hint = "paths=False, " if paths else ""
        raise ResourceError(
            f"this run would hold about {need / 1e6:,.0f} MB, above the budget of {budget / 1e6:,.0f} MB "
            f"(max_memory); use {hint}fewer series (series=[...]) or fewer trajectories"
        )
    bar = None
    # About 3.5 microseconds per trajectory-day per core for the built-in baseline
    # (BENCHMARKS.md); show a bar when the run should take over two seconds.
    expected = n * sc.days * 3.5e-6 / (threads or os.cpu_count() or 1)
    show = progress if progress is not None else expected > 2.0
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc=sc.name, unit="traj", leave=False)

    def tick(done: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    try:
        common = dict(seed=int(seed), first=first, n=n, series=names, threads=threads,
                      max_bytes=budget, given=given, tick=tick)
        if paths:
            s, o, p = _core.run(sc._core, **common)
        else:
            summ, o, p = _core.run_summary(sc._core, arrays=arrays, **common)
    finally:
        if bar is not None:
            bar.close()
    if paths:
        return Result(sc, int(seed), [(first, first + n)], series=s, outcomes=o, params=p)
    return Result(sc, int(seed), [(first, first + n)], summary=summ, summary_names=names, outcomes=o, params=p)
