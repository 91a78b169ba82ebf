"""Running jobs (blocks) on a backend in a bounded window, retrying what may
succeed on a second try, and assembling the parts of each run in block order."""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from .._utils import progress
from .._utils.notes import add_note
from ..engine import RunOptions
from ..results import Result, merge
from ..scenario import Scenario
from .backends import Backend
from .planning import Plan
from .worker import Failure, Task, build

__all__ = ["Assembly", "Job", "execute", "jobs", "progress_bar"]


@dataclass
class Job:
    """One block of one run (of a sweep's ``variant``), in submission order ``index``."""

    index: int
    variant: int
    block: int
    blocks: int
    task: Task
    label: str
    attempts: int = 0

    def where(self) -> str:
        t = self.task.options.trajectories
        return f"block {self.block + 1} of {self.blocks}, trajectories range({t.start}, {t.stop}), of {self.label}"


def jobs(sc: Scenario, p: Plan, options: RunOptions, variant: int, start_index: int, label: str) -> list[Job]:
    """The jobs of one run: a task per block of the plan, with the block's part of the options."""
    out = []
    b = build()
    for i, r in enumerate(p.ranges()):
        part = options.part(r, series=p.series, threads=p.threads, outcomes=p.outcomes, progress=False, block=None)
        out.append(Job(start_index + i, variant, i, p.blocks, Task(sc, part, b), label))
    return out


def _raise(exc: BaseException, where: str, text: str | None = None) -> NoReturn:
    """Raise ``exc`` itself, its type and message kept, with notes naming the block
    and holding the worker's traceback."""
    add_note(exc, f"raised in {where}")
    if text:
        add_note(exc, "on the worker:\n" + text.rstrip())
    raise exc


class Assembly:
    """A run's parts, merged in block order: summaries folded in as they come,
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


def execute(jobs: list[Job], backend: Backend, bar: Any, done: Callable[[Job, Result], None]) -> None:
    """Run the jobs on the backend; hand each result to ``done`` in job order.

    At most ``backend.window()`` jobs run ahead of the first unfinished one, so
    that the results waiting for it stay few.
    """
    total = len(jobs)
    nxt = frontier = 0
    inflight: dict[Any, Job] = {}
    ready: dict[int, Result] = {}

    def submit(job: Job) -> None:
        inflight[backend.submit(job.task, job.index, total - job.index)] = job

    def finished(job: Job, value: Any) -> None:
        if isinstance(value, Failure):
            _raise(value.exc, job.where(), value.text)
        ready[job.index] = value
        if bar is not None:
            bar.update(job.task.options.n)

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
                    if (
                        backend.client_retries
                        and job.attempts < backend.retries
                        and not isinstance(e, cf.CancelledError)
                    ):
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


def _broken(
    backend: Any,
    job: Job,
    exc: BaseException,
    inflight: dict[Any, Job],
    finished: Callable[[Job, Any], None],
    submit: Callable[[Job], None],
) -> None:
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
        add_note(
            exc,
            f"a worker of the executor died while running {names}, and the executor is broken; "
            "attrition cannot restart an executor it did not create. Pass a function that creates "
            "one (executor=ProcessPoolExecutor, or functools.partial(ProcessPoolExecutor, 8)) to let "
            "attrition create the pool and replace it after such a failure, or run on Dask, which "
            "restarts workers",
        )
        raise exc
    over = [j for j in lost if j.attempts >= backend.retries]
    if over:
        add_note(
            exc,
            f"a worker died while running {names}; {over[0].where()} was in flight at "
            f"{over[0].attempts + 1} such failures (retries={backend.retries})",
        )
        raise exc
    backend.restart()
    for j in lost:
        j.attempts += 1
        submit(j)


def progress_bar(visible: bool | None, total: int, desc: str, seconds: float | None = None) -> Any:
    """A bar over ``total`` trajectories by the progress rule (``_utils.progress``), or None."""
    return progress.bar(progress.show(visible, seconds), total, desc)
