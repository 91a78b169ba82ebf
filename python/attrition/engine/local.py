"""A run on this machine: the core's threads over the trajectories, one Result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .. import _core
from .._utils import progress
from ..results import ColumnArrays, ColumnSketches, PathSeries, Result, SummarySeries
from ..results.storage import ColumnStorage, SeriesStorage
from ..scenario import Scenario, as_scenario
from .memory import keeps_arrays, memory_headroom, refuse
from .options import RunOptions

__all__ = ["SECONDS_PER_TRAJECTORY_DAY", "expected_seconds", "run_local"]

#: About 4.5 microseconds per trajectory-day per core for the built-in baseline (measured
#: 4.0 with outcomes only, 4.3 with the default paths, 4.9 with summaries; docs/cluster.md):
#: with ``progress=None``, a bar shows when a run should take over two seconds.
SECONDS_PER_TRAJECTORY_DAY = 4.5e-6


def expected_seconds(scenario: Scenario, n: int, threads: int | None = None) -> float:
    """About how long ``n`` trajectories of ``scenario`` take here (for the progress rule)."""
    return n * scenario.days * SECONDS_PER_TRAJECTORY_DAY / _core.worker_threads(threads)


def run_local(scenario: Scenario | Mapping[str, Any] | str, options: RunOptions) -> Result:
    """Run ``options.trajectories`` of a scenario here; see :func:`attrition.run`.

    ``options.block`` must be None: a local run chooses its own blocks.
    """
    if options.block is not None:
        raise ValueError("block= needs executor=: a local run chooses its own blocks")
    sc = as_scenario(scenario)
    names = options.series_names(sc)
    n = options.n
    room = memory_headroom()  # read once: it takes a dozen small files
    budget = options.budget(room)
    arrays = keeps_arrays(sc, n, len(names), options.paths, options.outcomes, options.threads, budget)
    if options.paths:
        need = _core.estimate_bytes(sc._core, n, len(names), options.threads)
    else:
        workers = _core.worker_threads(options.threads)
        need = _core.estimate_summary_bytes(sc._core, n, len(names), workers, arrays)
    refuse(need, budget, options.paths, room=room)
    bar = progress.bar(progress.show(options.progress, expected_seconds(sc, n, options.threads)), n, sc.name)

    def tick(done: int) -> None:
        if bar is not None:
            bar.update(done - bar.n)

    common: dict[str, Any] = dict(
        seed=options.seed,
        first=options.first,
        n=n,
        series=names,
        threads=options.threads,
        max_bytes=budget,
        given=options.samples,
        tick=tick,
    )
    stored: tuple[SeriesStorage, ColumnStorage, ColumnStorage]
    try:
        if options.paths:
            s, o, p = _core.run(sc._core, **common)
            stored = (PathSeries(s), ColumnArrays(o), ColumnArrays(p))
        else:
            table, so, sp, events = _core.run_summary(sc._core, arrays=arrays, **common)
            paths = [u["path"] for u in sc.uncertain_list()]
            outcomes = _columns(so, sc.outcome_names, events, sc.first_passage_names())
            stored = (SummarySeries(table, names), outcomes, _columns(sp, paths))
    finally:
        progress.close(bar)
    return Result(sc, options.seed, [(options.first, options.first + n)], *stored)


def _columns(
    kept: dict[str, np.ndarray] | _core.SummaryTable,
    names: list[str],
    events: _core.EventTable | None = None,
    event_names: list[str] | None = None,
) -> ColumnStorage:
    """Outcomes or drawn parameters as the core kept them: arrays, or sketches whose rows are
    ``names`` (with, for outcomes, the exact day counts of the first-passage ones, ``event_names``)."""
    if isinstance(kept, dict):
        return ColumnArrays(kept)
    return ColumnSketches(kept, names, events, event_names)
