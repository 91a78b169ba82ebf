"""A run on an executor: its blocks run there, their parts are merged here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .. import _core
from ..engine import RunOptions, expected_seconds
from ..engine.memory import refuse
from ..engine.options import RETRIES
from ..results import Result
from ..scenario import Scenario, as_scenario
from .backends import backend as make_backend
from .planning import make_plan
from .scheduler import Assembly, execute, jobs, progress_bar

__all__ = ["CLIENT_HELD", "distributed_run", "run_distributed"]

#: What the client of a distributed run holds, for the memory message.
CLIENT_HELD = " on this machine (the merged results, and their parts while they are merged)"


def run_distributed(
    scenario: Scenario | Mapping[str, Any] | str,
    /,
    *,
    executor: Any,
    n: int | None = None,
    seed: int | None = None,
    series: str | Iterable[str] | None = None,
    paths: bool = True,
    threads: int | None = None,
    progress: bool | None = None,
    max_memory: int | None = None,
    samples: Any = None,
    trajectories: range | None = None,
    outcomes: str = "auto",
    block: int | None = None,
    retries: int = RETRIES,
) -> Result:
    """Run a scenario on an executor, in blocks; the result equals a local run bit for bit.

    ``attrition.run(..., executor=...)`` calls this.

    Parameters
    ----------
    scenario, n, seed, series, paths, progress, max_memory, samples, trajectories, outcomes
        As in :func:`attrition.run`. ``seed=None`` draws one seed on the client, shared by
        every block. ``outcomes="auto"`` is decided once, for the total n, with the rule
        of a local run; every block then keeps outcomes that way. ``max_memory`` bounds
        what the client holds (the merged result and its parts while they are merged)
        and is passed on to each block; ``progress`` shows a bar that advances as blocks finish.
    executor
        A ``dask.distributed.Client``; any ``concurrent.futures.Executor``
        (``ProcessPoolExecutor``, ``client.get_executor()``, mpi4py's ``MPIPoolExecutor``);
        or a function that creates one (``ProcessPoolExecutor`` itself), which
        attrition then owns: it shuts it down at the end and replaces it if a worker dies.
    threads
        Threads per block on its worker (default 1: the executor's workers are the
        parallelism). Set it when a worker has more cores than task slots (a Dask
        worker with one thread on a many-core node).
    block
        Trajectories per block (default: about ``n / 256``, between
        ``MIN_BLOCK_TRAJECTORY_DAYS`` and ``MAX_BLOCK_TRAJECTORY_DAYS`` trajectory-days,
        and at most ``MAX_BLOCK_BYTES`` of paths or outcome arrays; see :func:`plan`).
        It does not change the result.
    retries
        Attempts after the first for a block that raises an error a new attempt might
        not repeat (on Dask, ``retries=`` of ``Client.submit``), or that was running in a
        pool attrition owns when a worker died.

    Returns
    -------
    Result
        Bit-identical to ``attrition.run`` with the same arguments and no executor.

    Raises
    ------
    Exception
        An error in a block, itself (its type and message kept), with notes naming the
        block's trajectory range and holding the worker's traceback.
    concurrent.futures.process.BrokenProcessPool
        When a worker of a pool attrition did not create dies; a note names the blocks
        that were lost.

    Examples
    --------
    >>> import attrition, numpy as np
    >>> from concurrent.futures import ThreadPoolExecutor
    >>> s = attrition.Scenario.builtin("baseline-2024-12").with_values({"days": 30})
    >>> with ThreadPoolExecutor(2) as ex:
    ...     r = attrition.run(s, n=300, seed=4, paths=False, executor=ex, block=64)
    >>> local = attrition.run(s, n=300, seed=4, paths=False)
    >>> stock = "russia.ammo.152mm.stock"
    >>> r.n, np.array_equal(r.quantiles(stock, [0.05, 0.5, 0.95]), local.quantiles(stock, [0.05, 0.5, 0.95]))
    (300, True)
    >>> np.array_equal(r.outcomes["russia.ammo.152mm.fired_total"], local.outcomes["russia.ammo.152mm.fired_total"])
    True
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
        retries=retries,
    )
    return distributed_run(scenario, options, executor)


def distributed_run(scenario: Scenario | Mapping[str, Any] | str, options: RunOptions, executor: Any) -> Result:
    """:func:`run_distributed` with checked options."""
    sc = as_scenario(scenario)
    if options.samples is not None:
        # here, on the whole run, so that an error names the row of the caller's samples, not of a block
        _core.check_samples(sc._core, options.samples)
    budget = options.budget()
    p = make_plan(sc, options, options.series_names(sc), budget)
    refuse(p.client_bytes, budget, options.paths, "this distributed run", CLIENT_HELD)
    todo = jobs(sc, p, options, 0, 0, f"the run of {sc.name!r} (seed {options.seed})")
    n = p.n
    backend = make_backend(executor, options.retries)
    asm = Assembly(fold=not options.paths and p.outcomes == "sketch")
    bar = progress_bar(options.progress, n, sc.name, expected_seconds(sc, n))
    try:
        execute(todo, backend, bar, lambda job, r: asm.add(r))
    except BaseException:
        backend.close(abort=True)
        raise
    else:
        backend.close()
    finally:
        if bar is not None:
            bar.close()
    return asm.result()
