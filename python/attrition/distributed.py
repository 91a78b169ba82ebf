"""Runs on a cluster or a process pool, and sweeps over scenario variants.

A distributed run splits the trajectory range into fixed blocks (their size
depends on ``n`` and the scenario, never on the number of workers), runs each
block as a partial run (``attrition.run(..., trajectories=range(a, b))``) on
an executor, and merges the parts in block order with :func:`attrition.merge`.
Every trajectory draws from streams keyed by (seed, trajectory index), and
merging is exact, so the result is bit-identical to a local run with the same
scenario, seed and options, whatever the cluster, the number of workers or the
block size.

Executors
---------
``executor`` is one of:

* a ``dask.distributed.Client``: blocks are submitted with ``retries=`` (an
  exception in a block is retried that many times) and a worker that dies
  loses only its blocks, which Dask reschedules on the other workers (up to
  Dask's ``distributed.scheduler.allowed-failures`` deaths per block);
* any ``concurrent.futures.Executor`` (``ProcessPoolExecutor``,
  ``client.get_executor()``, mpi4py's ``MPIPoolExecutor``): a block that
  raises is submitted again up to ``retries`` times. A
  ``ProcessPoolExecutor`` whose worker process dies is broken for good (every
  pending future fails with ``BrokenProcessPool``) and attrition cannot
  restart a pool it did not create: the run raises ``BrokenProcessPool``
  naming the blocks that were lost;
* a function that creates an executor, such as the class
  ``ProcessPoolExecutor`` itself or ``functools.partial(ProcessPoolExecutor,
  8)``: attrition then owns the pool, shuts it down at the end, and after a
  worker death replaces it with a fresh one and runs the lost blocks again
  (each block in flight at the time counts one attempt against ``retries``).

Errors that do not go away on a second try (a bad scenario, a bad argument)
are not retried: they are raised on the client, with their type kept, the
block's range in the message and the worker's traceback as a note.

The workers must run the same build of attrition as the client: the block
function compares the version and a digest of the compiled extension, and
refuses to run otherwise, because bit-identity holds within one build on one
platform.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import copy
import hashlib
import itertools
import math
import os
import pickle
import secrets
import sys
import traceback
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from . import _core
from .errors import AttritionError, ResourceError
from .results import Result, _pandas, merge
from .scenario import Scenario, as_scenario

__all__ = ["Plan", "SweepResult", "plan", "run_distributed", "sweep"]

#: A block holds at least this many trajectory-days (about a second of one core
#: on the baseline), so that scheduling and merging stay small next to the work.
MIN_BLOCK_TRAJECTORY_DAYS = 200_000
#: ... and at most this many (about seven minutes of one core on the baseline), so that
#: a lost block costs little to run again and progress stays visible.
MAX_BLOCK_TRAJECTORY_DAYS = 100_000_000
#: Between those bounds a run is cut into about this many blocks.
TARGET_BLOCKS = 256
#: A block's per-trajectory results (paths, outcome arrays) stay below this size.
MAX_BLOCK_BYTES = 256 << 20
#: Default number of retries of a failed block.
RETRIES = 2
#: Seconds between looks at the cluster's size while no block finishes (it may grow).
WAKE_UP = 5.0


# -- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How a distributed run is cut into blocks and what it holds in memory.

    Attributes
    ----------
    n, first
        Trajectories ``first .. first + n - 1`` of the seed's streams.
    block
        Trajectories per block (the last block may be shorter).
    blocks
        Number of blocks.
    outcomes
        ``"arrays"`` or ``"sketch"``: how every block (and the result) keeps
        outcomes, decided once for the whole run with the rule of a local run.
    series
        The recorded series.
    paths
        Full paths (True) or streaming summaries (False).
    threads
        Threads each block uses on its worker.
    block_bytes
        Estimated memory one block holds on its worker while it runs.
    result_bytes
        Estimated size of the merged result.
    client_bytes
        Estimated peak on the client: the result, plus its parts while they are
        merged (paths and outcome arrays) or one part (sketches, which are folded
        in as they arrive).
    """

    n: int
    first: int
    block: int
    blocks: int
    outcomes: str
    series: tuple[str, ...]
    paths: bool
    threads: int
    block_bytes: int
    result_bytes: int
    client_bytes: int

    def ranges(self) -> list[range]:
        """The blocks' trajectory ranges, in order."""
        end = self.first + self.n
        return [range(a, min(a + self.block, end)) for a in range(self.first, end, self.block)]


def _check_int(name: str, x: Any, low: int = 1) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {x!r}")
    return int(x)


def _default_block(sc: Scenario, n: int, per_traj_bytes: int) -> int:
    lo = math.ceil(MIN_BLOCK_TRAJECTORY_DAYS / sc.days)
    hi = math.ceil(MAX_BLOCK_TRAJECTORY_DAYS / sc.days)
    if per_traj_bytes > 0:
        hi = min(hi, max(1, MAX_BLOCK_BYTES // per_traj_bytes))
    b = max(lo, math.ceil(n / TARGET_BLOCKS))
    if b >= 64:  # a whole number of the engine's blocks of 64
        b = -(-b // 64) * 64
    if hi >= 64:
        hi = hi // 64 * 64
    return max(1, min(b, hi, n))


def _plan(
    sc: Scenario, n: int, first: int, names: list[str], paths: bool, threads: int | None,
    outcomes: str, block: int | None, budget: int,
) -> Plan:
    if outcomes not in ("auto", "arrays", "sketch"):
        raise ValueError(f"outcomes must be 'auto', 'arrays' or 'sketch', got {outcomes!r}")
    k = len(names)
    # The rule of a local run (runner.run), for the total n: the same decision.
    workers = threads or os.cpu_count() or 1
    if paths:
        if outcomes == "sketch":
            raise ValueError("outcomes='sketch' needs paths=False")
        arrays = True
    else:
        arrays = outcomes == "arrays" or (
            outcomes == "auto" and _core.estimate_summary_bytes(sc._core, n, k, workers, True) <= budget
        )
    per_block_threads = threads or 1
    if paths:
        per_traj = int(_core.estimate_bytes(sc._core, 1, k))
    elif arrays:
        per_traj = int(_core.estimate_summary_bytes(sc._core, 1, k, 1, True) - _core.estimate_summary_bytes(sc._core, 0, k, 1, True))
    else:
        per_traj = 0
    if block is None:
        b = _default_block(sc, n, per_traj)
    else:
        b = min(_check_int("block", block), n)
    if paths:
        block_bytes = int(_core.estimate_bytes(sc._core, b, k))
        result = int(_core.estimate_bytes(sc._core, n, k))
        client = 2 * result
    else:
        block_bytes = int(_core.estimate_summary_bytes(sc._core, b, k, per_block_threads, arrays))
        result = int(_core.estimate_summary_bytes(sc._core, n, k, 0, arrays))
        part = int(_core.estimate_summary_bytes(sc._core, b, k, 0, arrays))
        client = result + (per_traj * n if arrays else part)
    return Plan(
        n=n, first=first, block=b, blocks=-(-n // b), outcomes="arrays" if arrays else "sketch",
        series=tuple(names), paths=bool(paths), threads=per_block_threads,
        block_bytes=block_bytes, result_bytes=result, client_bytes=client,
    )


def plan(
    scenario: Scenario | Mapping[str, Any] | str,
    /,
    *,
    n: int | None = None,
    series: str | Iterable[str] | None = None,
    paths: bool = True,
    threads: int | None = None,
    max_memory: int | None = None,
    trajectories: range | None = None,
    outcomes: str = "auto",
    block: int | None = None,
) -> Plan:
    """How :func:`run_distributed` would cut a run into blocks, and its memory.

    Takes the arguments of :func:`attrition.run`; runs nothing.

    Returns
    -------
    Plan

    Examples
    --------
    >>> import attrition
    >>> from attrition.distributed import plan
    >>> p = plan("baseline-2024-12", n=1_000_000, paths=False, outcomes="sketch")
    >>> p.block, p.blocks
    (3968, 253)
    >>> p.ranges()[:2]
    [range(0, 3968), range(3968, 7936)]
    >>> plan("baseline-2024-12", n=1_000_000, paths=False, block=10_000).blocks
    100
    """
    from .runner import _select, _trajectories, memory_budget

    sc = as_scenario(scenario)
    first, n = _trajectories(n, trajectories, None)
    budget = memory_budget() if max_memory is None else int(max_memory)
    return _plan(sc, n, first, _select(sc.series_names, series), paths, _threads(threads), outcomes, block, budget)


def _threads(threads: Any) -> int | None:
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    return threads


def _seed(seed: Any) -> int:
    if seed is None:
        return secrets.randbits(64)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
        raise ValueError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    return int(seed)


def _retries(retries: Any) -> int:
    return _check_int("retries", retries, 0)


def _refuse(need: int, budget: int, paths: bool, what: str = "this distributed run") -> None:
    if need > budget:
        hint = "paths=False, " if paths else ""
        raise ResourceError(
            f"{what} would hold about {need / 1e6:,.0f} MB on this machine (the merged results, and "
            f"their parts while they are merged), above the budget of {budget / 1e6:,.0f} MB "
            f"(max_memory); use {hint}fewer series (series=[...]) or fewer trajectories"
        )


# -- what runs on a worker ---------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    """One block: everything a worker needs, pickled to it."""

    scenario: Scenario
    seed: int
    start: int
    stop: int
    series: tuple[str, ...]
    paths: bool
    threads: int
    max_memory: int | None
    outcomes: str
    samples: dict[str, np.ndarray] | None
    build: str


class _Failure:
    """An error that another attempt would repeat (a bad scenario or argument):
    returned rather than raised, so that the executor does not retry it."""

    def __init__(self, exc: BaseException) -> None:
        self.text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        try:
            pickle.loads(pickle.dumps(exc))
            self.exc: BaseException = exc
        except Exception:
            self.exc = AttritionError(f"{type(exc).__name__}: {exc}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_failure, (self.exc, self.text))


def _failure(exc: BaseException, text: str) -> _Failure:
    f = _Failure.__new__(_Failure)
    f.exc, f.text = exc, text
    return f


#: Errors that a second attempt would repeat. A ResourceError is not among them:
#: another worker may have the memory.
_DETERMINISTIC = (ValueError, TypeError, KeyError, IndexError, NotImplementedError, AttritionError)


_BUILD: list[str] = []


def _build() -> str:
    """The version and a digest of the compiled extension (read once per process)."""
    if not _BUILD:
        digest = "unknown"
        try:
            with open(_core.__file__, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()[:16]
        except (OSError, AttributeError, TypeError):  # pragma: no cover - no file to read
            pass
        _BUILD.append(f"{_core.__version__} ({digest})")
    return _BUILD[0]


def _run_block(task: _Task) -> Result | _Failure:
    """Run one block on a worker. Module level, so that it pickles by reference."""
    if _build() != task.build:
        return _Failure(AttritionError(
            f"this worker runs attrition {_build()} and the client {task.build}: install the same "
            "build on the workers and the client (results are bit-identical within one build)"
        ))
    from .runner import run

    try:
        return run(
            task.scenario, seed=task.seed, trajectories=range(task.start, task.stop), series=list(task.series),
            paths=task.paths, threads=task.threads, progress=False, max_memory=task.max_memory,
            samples=task.samples, outcomes=task.outcomes,
        )
    except ResourceError:
        raise
    except _DETERMINISTIC as e:
        return _Failure(e)
    except BaseException as e:
        if type(e).__name__ == "PanicException":  # a bug in the core: deterministic too
            return _Failure(e)
        raise


#: The function submitted for each block (tests swap it for one that fails).
_block_function: Callable[[_Task], Any] = _run_block


# -- executors ---------------------------------------------------------------------------


def _dask_client(x: Any) -> bool:
    mod = sys.modules.get("distributed")
    return mod is not None and isinstance(x, mod.Client)


class _Dask:
    """Blocks as Dask futures; Dask retries exceptions and reschedules lost work."""

    owned = False
    client_retries = False

    def __init__(self, client: Any, retries: int) -> None:
        import distributed

        self._wait = distributed.wait
        self.client = client
        self.retries = retries
        self.prefix = f"attrition-block-{uuid.uuid4().hex[:8]}"

    def submit(self, task: _Task, index: int, priority: int) -> Any:
        return self.client.submit(
            _block_function, task, key=(self.prefix, index), retries=self.retries, priority=priority, pure=False,
        )

    def wait(self, futures: list[Any]) -> set[Any]:
        try:
            return set(self._wait(futures, timeout=WAKE_UP, return_when="FIRST_COMPLETED").done)
        except (TimeoutError, asyncio.TimeoutError):
            return set()

    def window(self) -> int:
        return max(4, 2 * sum(self.client.nthreads().values()))

    def cancel(self, futures: Iterable[Any]) -> None:
        futures = list(futures)
        if futures:
            try:
                self.client.cancel(futures)
            except Exception:  # pragma: no cover - the client may be closing
                pass

    def close(self, abort: bool = False) -> None:
        pass


class _Pool:
    """Blocks on a ``concurrent.futures.Executor`` (or one created from a factory)."""

    client_retries = True

    def __init__(self, executor: Any, retries: int) -> None:
        self.retries = retries
        if not _is_factory(executor):
            self.factory = None
            self.executor = executor
        else:
            self.factory = executor
            self.executor = self._create()
        self.owned = self.factory is not None

    def _create(self) -> Any:
        ex = self.factory()
        if not hasattr(ex, "submit"):
            raise TypeError(f"executor factory {self.factory!r} returned {type(ex).__name__}, not an executor")
        return ex

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._create()

    def submit(self, task: _Task, index: int, priority: int) -> Any:
        return self.executor.submit(_block_function, task)

    def wait(self, futures: list[Any]) -> set[Any]:
        return set(cf.wait(futures, timeout=WAKE_UP, return_when=cf.FIRST_COMPLETED).done)

    def window(self) -> int:
        client = getattr(self.executor, "_client", None)  # client.get_executor()
        if _dask_client(client):
            return max(4, 2 * sum(client.nthreads().values()))
        workers = getattr(self.executor, "_max_workers", None) or os.cpu_count() or 1
        # An owned pool gets no more than it can run, so that a broken pool
        # charges an attempt only to the blocks that were running.
        return workers if self.owned else max(4, 2 * workers)

    def cancel(self, futures: Iterable[Any]) -> None:
        for f in futures:
            f.cancel()

    def close(self, abort: bool = False) -> None:
        if self.owned:
            self.executor.shutdown(wait=not abort, cancel_futures=True)


def _is_factory(x: Any) -> bool:
    """A class (``ProcessPoolExecutor``) or a function that creates an executor."""
    return isinstance(x, type) or (callable(x) and not hasattr(x, "submit"))


def _backend(executor: Any, retries: int) -> _Dask | _Pool:
    if _dask_client(executor):
        return _Dask(executor, retries)
    if hasattr(executor, "submit") or callable(executor):
        return _Pool(executor, retries)
    raise TypeError(
        "executor must be a dask.distributed.Client, a concurrent.futures.Executor or a function "
        f"returning one, got {type(executor).__name__}"
    )


# -- running blocks ----------------------------------------------------------------------


@dataclass
class _Job:
    index: int
    variant: int
    block: int
    blocks: int
    task: _Task
    label: str
    attempts: int = 0

    def where(self) -> str:
        t = self.task
        return f"{self.label}block {self.block + 1} of {self.blocks}, trajectories range({t.start}, {t.stop})"


def _message(exc: BaseException) -> str:
    if len(exc.args) == 1 and isinstance(exc.args[0], str):
        return exc.args[0]
    return str(exc) or type(exc).__name__


def _retyped(exc: BaseException, msg: str) -> BaseException:
    """``exc`` with message ``msg``, of the same type where that can be built."""
    try:
        new = type(exc)(msg)
        if msg in str(new):
            return new
    except Exception:
        pass
    try:
        new = copy.copy(exc)
        new.args = (msg,)
        if msg in str(new):
            return new
    except Exception:
        pass
    try:
        # A type whose constructor takes other arguments and whose message is built
        # from them (Dask's KilledWorker): a subclass that only changes the message,
        # so that `except TheType` still catches it.
        cls = type(exc)
        sub = type(cls.__name__, (cls,), {"__str__": lambda self: msg, "__module__": cls.__module__,
                                          "__qualname__": cls.__qualname__})
        new = sub.__new__(sub, *exc.args)
        new.args = exc.args
        new.__dict__.update(getattr(exc, "__dict__", {}))
        if str(new) == msg:
            return new
    except Exception:
        pass
    return AttritionError(f"{type(exc).__name__}: {msg}")


def _raise(exc: BaseException, where: str, text: str | None = None) -> None:
    new = _retyped(exc, f"{where}: {_message(exc)}")
    if text and hasattr(new, "add_note"):
        new.add_note("on the worker:\n" + text.rstrip())
    raise new from exc


class _Assembly:
    """A variant's parts, merged in block order: summaries folded in as they come,
    paths and outcome arrays concatenated once at the end."""

    def __init__(self, fold: bool) -> None:
        self.fold = fold
        self.parts: list[Result] = []

    def add(self, r: Result) -> None:
        if self.fold and self.parts:
            self.parts = [merge([self.parts[0], r])]
        else:
            self.parts.append(r)

    def result(self) -> Result:
        return self.parts[0] if len(self.parts) == 1 else merge(self.parts)


def _execute(jobs: list[_Job], backend: _Dask | _Pool, bar: Any, done: Callable[[_Job, Result], None]) -> None:
    """Run the jobs on the backend; hand each result to ``done`` in job order.

    At most ``backend.window()`` jobs run ahead of the first unfinished one, so
    that the results waiting for it stay few.
    """
    total = len(jobs)
    nxt = frontier = 0
    inflight: dict[Any, _Job] = {}
    ready: dict[int, Result] = {}

    def submit(job: _Job) -> None:
        inflight[backend.submit(job.task, job.index, total - job.index)] = job

    def finished(job: _Job, value: Any) -> None:
        if isinstance(value, _Failure):
            _raise(value.exc, job.where(), value.text)
        ready[job.index] = value
        if bar is not None:
            bar.update(job.task.stop - job.task.start)

    try:
        while frontier < total:
            window = backend.window()
            while nxt < total and nxt - frontier < window:
                submit(jobs[nxt])
                nxt += 1
            arrived = backend.wait(list(inflight))
            # In block order, so that of several failures the first block's is raised.
            for f in sorted(arrived, key=lambda f: inflight[f].index):
                if f not in inflight:  # already handled with a broken pool
                    continue
                job = inflight.pop(f)
                try:
                    value = f.result()
                except cf.BrokenExecutor as e:
                    _broken(backend, job, e, inflight, finished, submit)
                    continue
                except (KeyboardInterrupt, SystemExit):
                    raise
                except BaseException as e:
                    if backend.client_retries and job.attempts < backend.retries and not isinstance(e, cf.CancelledError):
                        job.attempts += 1
                        submit(job)
                        continue
                    tries = f" (after {job.attempts + 1} attempts)" if backend.client_retries and job.attempts else ""
                    _raise(e, job.where() + tries)
                finished(job, value)
            while frontier in ready:
                done(jobs[frontier], ready.pop(frontier))
                frontier += 1
    except BaseException:
        backend.cancel(list(inflight))
        raise
    finally:
        inflight.clear()
        ready.clear()


def _broken(backend: Any, job: _Job, exc: BaseException, inflight: dict[Any, _Job],
            finished: Callable[[_Job, Any], None], submit: Callable[[_Job], None]) -> None:
    """A pool whose worker died: keep what finished, run the rest again on a fresh
    pool if we own it, or say which blocks were lost."""
    lost = [job]
    for f, j in list(inflight.items()):
        del inflight[f]
        if f.done() and not f.cancelled() and f.exception() is None:
            finished(j, f.result())
        else:
            lost.append(j)
    lost.sort(key=lambda j: j.index)
    names = "; ".join(j.where() for j in lost)
    if not backend.owned:
        raise _retyped(exc, (
            f"a worker of the executor died while running {names}, and the executor is broken; "
            "attrition cannot restart an executor it did not create. Pass a function that creates "
            "one (executor=ProcessPoolExecutor, or functools.partial(ProcessPoolExecutor, 8)) to let "
            "attrition create the pool and replace it after such a failure, or run on Dask, which "
            "restarts workers"
        )) from exc
    over = [j for j in lost if j.attempts >= backend.retries]
    if over:
        raise _retyped(exc, (
            f"a worker died while running {names}; {over[0].where()} was in flight at "
            f"{over[0].attempts + 1} such failures (retries={backend.retries})"
        )) from exc
    backend.restart()
    for j in lost:
        j.attempts += 1
        submit(j)


def _progress_bar(show: bool, total: int, desc: str) -> Any:
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="traj", leave=False)


def _jobs(sc: Scenario, p: Plan, seed: int, max_memory: int | None, samples: dict[str, np.ndarray] | None,
          variant: int, start_index: int, label: str) -> list[_Job]:
    out = []
    for i, r in enumerate(p.ranges()):
        part = None
        if samples is not None:
            part = {k: v[r.start - p.first: r.stop - p.first] for k, v in samples.items()}
        task = _Task(sc, seed, r.start, r.stop, p.series, p.paths, p.threads, max_memory, p.outcomes, part,
                     _build())
        out.append(_Job(start_index + i, variant, i, p.blocks, task, label))
    return out


# -- run ---------------------------------------------------------------------------------


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
        An error in a block, of its original type where possible, naming the block's
        trajectory range, chained to the original (``raise ... from``).
    concurrent.futures.process.BrokenProcessPool
        When a worker of a pool attrition did not create dies; the message names the
        blocks that were lost.

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
    from .runner import _sample_columns, _select, _trajectories, memory_budget

    sc = as_scenario(scenario)
    given, rows = _sample_columns(samples)
    first, n = _trajectories(n, trajectories, rows)
    seed = _seed(seed)
    threads = _threads(threads)
    retries = _retries(retries)
    names = _select(sc.series_names, series)
    budget = memory_budget() if max_memory is None else int(max_memory)
    p = _plan(sc, n, first, names, paths, threads, outcomes, block, budget)
    _refuse(p.client_bytes, budget, paths)
    jobs = _jobs(sc, p, seed, max_memory, given, 0, 0, f"{sc.name!r} (seed {seed}): ")
    show = progress if progress is not None else n * sc.days * max(1, len(sc.series_names)) > 2e9
    backend = _backend(executor, retries)
    asm = _Assembly(fold=not paths and p.outcomes == "sketch")
    bar = _progress_bar(show, n, sc.name)
    try:
        _execute(jobs, backend, bar, lambda job, r: asm.add(r))
    except BaseException:
        backend.close(abort=True)
        raise
    else:
        backend.close()
    finally:
        if bar is not None:
            bar.close()
    return asm.result()


# -- sweeps ------------------------------------------------------------------------------


def _variants(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(grid, Mapping):
        keys = list(grid)
        values = []
        for k in keys:
            if not isinstance(k, str):
                raise TypeError(f"grid keys are dotted parameter paths (str), got {k!r}")
            v = grid[k]
            if isinstance(v, (str, bytes, Mapping)) or not isinstance(v, Iterable):
                raise TypeError(
                    f"grid[{k!r}] must be a list of values ({{{k!r}: [v1, v2, ...]}}), got {type(v).__name__}"
                )
            v = list(v)
            if not v:
                raise ValueError(f"grid[{k!r}] is empty")
            values.append(v)
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Iterable):
        raise TypeError(f"grid must be a dict {{path: [values]}} or a list of override dicts, got {type(grid).__name__}")
    out = []
    for i, v in enumerate(grid):
        if not isinstance(v, Mapping):
            raise TypeError(f"variant {i} must be a dict of overrides {{path: value}}, got {type(v).__name__}")
        for k in v:
            if not isinstance(k, str):
                raise TypeError(f"variant {i}: overrides are keyed by dotted parameter paths (str), got {k!r}")
        out.append(dict(v))
    if not out:
        raise ValueError("the sweep has no variants")
    return out


def _label(value: Any, scenario: Scenario, path: str) -> Any:
    """An override value as a table cell: numbers, strings and dates as they are,
    a distribution as the library writes it (``pert(1500, 2000, 3000)``)."""
    if isinstance(value, Mapping):
        for u in scenario.uncertain_list():
            if u["path"] == path:
                return u["distribution"]
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return str(list(value))
    if isinstance(value, np.generic):
        return value.item()
    return value


class SweepResult:
    """The runs of a sweep: one scenario variant per set of overrides, on common random numbers.

    Attributes
    ----------
    scenario : Scenario
        The base scenario.
    variants : list of dict
        The overrides of each variant, ``{dotted path: value}``, in sweep order.
    scenarios : list of Scenario
        The variants as scenarios.
    results : list of Result
        Each variant's run: ``results[i]`` equals ``attrition.run(scenarios[i], n=n,
        seed=seed, series=..., paths=..., outcomes=outcomes_kept)`` bit for bit.
    n, seed
        Trajectories per variant, and the seed every variant shares.
    outcomes_kept
        ``"arrays"`` or ``"sketch"``, the same for every variant.
    """

    def __init__(self, scenario: Scenario, variants: list[dict[str, Any]], scenarios: list[Scenario],
                 results: list[Result], n: int, seed: int, outcomes_kept: str) -> None:
        self.scenario = scenario
        self.variants = variants
        self.scenarios = scenarios
        self.results = results
        self.n = n
        self.seed = seed
        self.outcomes_kept = outcomes_kept

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, i: int) -> Result:
        return self.results[i]

    @property
    def paths(self) -> list[str]:
        """The overridden dotted paths, in order of first appearance."""
        seen: dict[str, None] = {}
        for v in self.variants:
            seen.update(dict.fromkeys(v))
        return list(seen)

    def outcome_table(self, names: Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)) -> list[dict[str, Any]]:
        """One row per variant and outcome, as a list of dicts (no pandas needed).

        Each row holds ``variant`` (its index), the override of every swept path
        (None where a variant leaves a path alone), ``outcome``, then, as in
        :meth:`Result.outcome_table`, ``mean``, the quantiles ``q`` of the uncensored
        values and the ``censored`` (NaN) share. ``names`` picks outcomes (default: all).
        """
        names = None if names is None else list(names)
        keys = self.paths
        rows = []
        for i, (v, sc, r) in enumerate(zip(self.variants, self.scenarios, self.results)):
            head: dict[str, Any] = {"variant": i}
            head.update({k: _label(v[k], sc, k) if k in v else None for k in keys})
            wanted = None if names is None else [k for k in names if k in r.outcome_names]
            if names is not None:
                for k in names:
                    if not any(k in x.outcome_names for x in self.results):
                        raise KeyError(f"no outcome named {k!r} in any variant")
            for row in r.outcome_table(wanted, q):
                rows.append({**head, **row})
        return rows

    def to_pandas(self, names: Iterable[str] | None = None, q: Sequence[float] = (0.05, 0.5, 0.95)) -> Any:
        """:meth:`outcome_table` as a tidy pandas DataFrame (one row per variant and outcome).

        Columns: ``variant``, one per swept path (its override value; a distribution
        as text such as ``pert(1500, 2000, 3000)``), ``outcome``, ``mean``, ``q0.05``,
        ``q0.5``, ``q0.95``, ``censored``. Pivot it for a variants x outcomes view:
        ``df.pivot(index="variant", columns="outcome", values="q0.5")``.
        """
        pd = _pandas()
        return pd.DataFrame(self.outcome_table(names, q))

    @property
    def table(self) -> Any:
        """:meth:`to_pandas` with every outcome and the default quantiles (5 %, 50 %, 95 %)."""
        return self.to_pandas()

    def __repr__(self) -> str:
        return (
            f"<SweepResult {self.scenario.name!r}: {len(self)} variants over {', '.join(self.paths) or 'no path'}; "
            f"n={self.n} each, seed={self.seed}, outcomes as {self.outcomes_kept}>"
        )


def sweep(
    scenario: Scenario | Mapping[str, Any] | str,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    /,
    *,
    n: int | None = None,
    seed: int | None = None,
    executor: Any = None,
    series: str | Iterable[str] | None = (),
    paths: bool = False,
    outcomes: str = "auto",
    threads: int | None = None,
    progress: bool | None = None,
    max_memory: int | None = None,
    block: int | None = None,
    retries: int = RETRIES,
) -> SweepResult:
    """Run every variant of a scenario on common random numbers.

    Parameters
    ----------
    scenario
        The base scenario (a :class:`Scenario`, a dict, a built-in name or a TOML path).
    grid
        ``{dotted path: [values, ...]}``: every combination of the values (the
        cartesian product, the last path varying fastest); or a list of override
        dicts ``[{path: value, ...}, ...]``, one per variant (``{}`` is the base
        scenario). Values are what :meth:`Scenario.with_values` takes: numbers,
        distribution dicts, dates as ``"YYYY-MM-DD"`` strings, tables.
    n
        Trajectories per variant (default 10,000).
    seed
        One seed for every variant (common random numbers: trajectory i of every
        variant draws from the same streams, so differences between variants are
        the effect of the overrides, not noise). ``None`` draws one, recorded in
        ``SweepResult.seed``.
    executor
        ``None`` runs the variants here, one after another, on all cores; otherwise as
        in :func:`run_distributed`: every variant's blocks go to the executor.
    series, paths
        Series to record per variant (default none: outcomes only) and how
        (default streaming summaries).
    outcomes
        ``"arrays"``, ``"sketch"`` or ``"auto"``: arrays while every variant's arrays
        together fit the memory budget. Decided once, the same for every variant.
    threads, progress, max_memory, block, retries
        As in :func:`run_distributed`; ``max_memory`` bounds all the variants' results
        together.

    Returns
    -------
    SweepResult
        ``.table`` (pandas, one row per variant and outcome, the override values as
        columns), ``.results[i]``, ``.variants[i]``, ``.scenarios[i]``.

    Raises
    ------
    ScenarioError
        When a variant is not a valid scenario (raised before anything runs), naming
        the variant and its overrides.

    Examples
    --------
    >>> import attrition
    >>> s = attrition.Scenario.builtin("baseline-2024-12").with_values({"days": 60})
    >>> sw = attrition.sweep(s, {"sides.russia.supply.dprk_152.rate": [0, 10000]}, n=100, seed=2)
    >>> len(sw), sw.variants[1]
    (2, {'sides.russia.supply.dprk_152.rate': 10000})
    >>> t = sw.table
    >>> list(t.columns[:3]), list(t.columns[3:])
    (['variant', 'sides.russia.supply.dprk_152.rate', 'outcome'], ['mean', 'q0.05', 'q0.5', 'q0.95', 'censored'])
    >>> fired = t[t.outcome == "russia.ammo.152mm.fired_total"].set_index("variant")["mean"]
    >>> bool(fired[1] > fired[0])
    True
    """
    from .runner import _select, _trajectories, memory_budget, run

    if block is not None and executor is None:
        raise ValueError("block= needs executor=: a local run chooses its own blocks")
    base = as_scenario(scenario)
    variants = _variants(grid)
    scenarios = []
    for i, v in enumerate(variants):
        try:
            scenarios.append(base.with_values(v) if v else base)
        except Exception as e:
            _raise(e, f"variant {i} {v!r}")
    _, n = _trajectories(n, None, None)
    seed = _seed(seed)
    threads = _threads(threads)
    retries = _retries(retries)
    budget = memory_budget() if max_memory is None else int(max_memory)
    names = []
    for i, (v, sc) in enumerate(zip(variants, scenarios)):
        try:
            names.append(_select(sc.series_names, series))
        except KeyError as e:
            _raise(e, f"variant {i} {v!r}")
    if outcomes not in ("auto", "arrays", "sketch"):
        raise ValueError(f"outcomes must be 'auto', 'arrays' or 'sketch', got {outcomes!r}")
    if outcomes == "auto" and not paths:
        workers = threads or os.cpu_count() or 1
        total = sum(_core.estimate_summary_bytes(sc._core, n, len(k), workers, True) for sc, k in zip(scenarios, names))
        outcomes = "arrays" if total <= budget else "sketch"
    plans = [_plan(sc, n, 0, k, paths, threads, outcomes, block, budget) for sc, k in zip(scenarios, names)]
    kept = plans[0].outcomes
    if executor is None:
        need = sum(p.result_bytes for p in plans)
    else:
        need = sum(p.result_bytes for p in plans) + max(p.client_bytes - p.result_bytes for p in plans)
    _refuse(need, budget, paths, f"this sweep of {len(variants)} variants")
    show = progress if progress is not None else (
        n * sum(sc.days * max(1, len(sc.series_names)) for sc in scenarios) > 2e9
    )
    bar = _progress_bar(show, n * len(variants), f"{base.name} sweep")
    results: list[Result] = []
    try:
        if executor is None:
            for i, (v, sc, k) in enumerate(zip(variants, scenarios, names)):
                results.append(run(sc, n=n, seed=seed, series=k, paths=paths, threads=threads, progress=False,
                                   max_memory=max_memory, outcomes=kept))
                if bar is not None:
                    bar.update(n)
        else:
            jobs: list[_Job] = []
            for i, (v, sc, p) in enumerate(zip(variants, scenarios, plans)):
                jobs.extend(_jobs(sc, p, seed, max_memory, None, i, len(jobs), f"variant {i} {v!r}: "))
            last = {}
            for j in jobs:
                last[j.variant] = j.index
            asm = [_Assembly(fold=not paths and kept == "sketch") for _ in variants]
            out: list[Result | None] = [None] * len(variants)

            def done(job: _Job, r: Result) -> None:
                asm[job.variant].add(r)
                if job.index == last[job.variant]:
                    out[job.variant] = asm[job.variant].result()
                    asm[job.variant] = None  # type: ignore[call-overload]

            backend = _backend(executor, retries)
            try:
                _execute(jobs, backend, bar, done)
            except BaseException:
                backend.close(abort=True)
                raise
            backend.close()
            results = [r for r in out if r is not None]
    finally:
        if bar is not None:
            bar.close()
    return SweepResult(base, variants, scenarios, results, n, seed, kept)
