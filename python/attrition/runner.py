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
    samples: Mapping[str, Any] | None = None,
    trajectories: range | None = None,
    outcomes: str = "auto",
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
        Explicit values for uncertain parameters: ``{dotted path: array of n values}``.
    outcomes
        ``"arrays"`` keeps outcomes and drawn parameters per trajectory, ``"sketch"``
        as summaries; ``"auto"`` (default) keeps arrays while they fit the memory budget.
        Decided before the run starts.
    trajectories
        Run just these trajectories of the seed's streams (a ``range`` with step 1);
        :func:`attrition.merge` combines such partial runs into the run over their union.

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
    sc = as_scenario(scenario)
    first = 0
    if trajectories is not None:
        if not isinstance(trajectories, range) or trajectories.step != 1 or trajectories.start < 0 or len(trajectories) == 0:
            raise ValueError(f"trajectories must be a non-empty range(a, b) with 0 <= a < b, got {trajectories!r}")
        if n is not None and n != len(trajectories):
            raise ValueError(f"n={n} disagrees with trajectories={trajectories!r}; give one of them")
        first, n = trajectories.start, len(trajectories)
    if n is None:
        n = 10_000
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    n = int(n)
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
    given = None
    if samples is not None:
        given = {}
        for k, v in samples.items():
            a = np.ascontiguousarray(v, dtype=np.float64)
            if a.shape != (n,):
                raise ValueError(f"samples[{k!r}] has shape {a.shape}; expected ({n},)")
            given[k] = a
    bar = None
    show = progress if progress is not None else n * sc.days * max(1, len(sc.series_names)) > 2e9
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
