"""Where blocks run: a Dask client, or a ``concurrent.futures`` executor (or a
function that creates one). Both give the scheduler the same interface."""

from __future__ import annotations

import concurrent.futures as cf
import os
import sys
import uuid
from collections.abc import Iterable
from typing import Any

from .._utils.optional import require
from . import worker

__all__ = ["WAKE_UP", "Backend", "Dask", "Pool", "backend"]

#: Seconds between looks at the cluster's size while no block finishes (it may grow).
WAKE_UP = 5.0


def _dask_client(x: Any) -> bool:
    mod = sys.modules.get("distributed")
    return mod is not None and isinstance(x, mod.Client)


class Dask:
    """Blocks as Dask futures; Dask retries exceptions and reschedules lost work."""

    owned = False
    client_retries = False

    def __init__(self, client: Any, retries: int) -> None:
        distributed = require("distributed", purpose="running on a Dask cluster")

        self._wait = distributed.wait
        self.client = client
        self.retries = retries
        self.prefix = f"attrition-block-{uuid.uuid4().hex[:8]}"

    def submit(self, task: worker.Task, index: int, priority: int) -> Any:
        return self.client.submit(
            worker.block_function, task, key=(self.prefix, index), retries=self.retries, priority=priority, pure=False
        )

    def wait(self, futures: list[Any]) -> set[Any]:
        import asyncio

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


class Pool:
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
        assert self.factory is not None
        ex = self.factory()
        if not hasattr(ex, "submit"):
            raise TypeError(f"executor factory {self.factory!r} returned {type(ex).__name__}, not an executor")
        return ex

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._create()

    def submit(self, task: worker.Task, index: int, priority: int) -> Any:
        return self.executor.submit(worker.block_function, task)

    def wait(self, futures: list[Any]) -> set[Any]:
        return set(cf.wait(futures, timeout=WAKE_UP, return_when=cf.FIRST_COMPLETED).done)

    def window(self) -> int:
        client = getattr(self.executor, "_client", None)  # client.get_executor()
        if client is not None and _dask_client(client):
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


#: Either backend.
Backend = Dask | Pool


def _is_factory(x: Any) -> bool:
    """A class (``ProcessPoolExecutor``) or a function that creates an executor."""
    return isinstance(x, type) or (callable(x) and not hasattr(x, "submit"))


def backend(executor: Any, retries: int) -> Backend:
    """The backend for ``executor`` (see :func:`~attrition.parallel.run_distributed`)."""
    if _dask_client(executor):
        return Dask(executor, retries)
    if hasattr(executor, "submit") or callable(executor):
        return Pool(executor, retries)
    raise TypeError(
        "executor must be a dask.distributed.Client, a concurrent.futures.Executor or a function "
        f"returning one, got {type(executor).__name__}"
    )
