"""What runs on a worker: one block of a distributed run."""

from __future__ import annotations

import hashlib
import pickle
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import _core
from ..engine import RunOptions, run_local
from ..errors import AttritionError, ResourceError
from ..results import Result
from ..scenario import Scenario

__all__ = ["DETERMINISTIC", "Failure", "Task", "Unreadable", "block_function", "build", "run_block"]


@dataclass(frozen=True)
class Task:
    """One block: everything a worker needs, pickled to it. ``options`` are the run's
    options for the block's trajectories (:meth:`RunOptions.part`).

    A task whose scenario or options cannot be read back on the worker arrives as an
    :class:`Unreadable` instead of failing to unpickle, which would kill a pool's
    worker process and be reported as a worker that died.
    """

    scenario: Scenario
    options: RunOptions
    build: str

    def __reduce__(self) -> tuple[Any, ...]:
        parts = pickle.dumps((self.scenario, self.options), protocol=pickle.HIGHEST_PROTOCOL)
        return (_receive, (parts, self.build))


@dataclass(frozen=True)
class Unreadable:
    """A task that could not be read back on the worker, and why."""

    build: str
    error: str


def _receive(parts: bytes, build: str) -> Task | Unreadable:
    try:
        scenario, options = pickle.loads(parts)
    except Exception as e:  # noqa: BLE001 - reported by run_block, with its type
        return Unreadable(build, f"{type(e).__name__}: {e}")
    return Task(scenario, options, build)


class Failure:
    """An error that another attempt would repeat (a bad scenario or argument):
    returned rather than raised, so that the executor does not retry it. Holds the
    exception and the worker's traceback as text."""

    def __init__(self, exc: BaseException) -> None:
        self.text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        try:
            pickle.loads(pickle.dumps(exc))
            self.exc: BaseException = exc
        except Exception:
            self.exc = AttritionError(f"{type(exc).__name__}: {exc}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_failure, (self.exc, self.text))


def _failure(exc: BaseException, text: str) -> Failure:
    f = Failure.__new__(Failure)
    f.exc, f.text = exc, text
    return f


#: Errors that a second attempt would repeat. A ResourceError is not among them:
#: another worker may have the memory.
DETERMINISTIC = (ValueError, TypeError, KeyError, IndexError, NotImplementedError, AttritionError)


_BUILD: list[str] = []


def build() -> str:
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


def run_block(task: Task | Unreadable) -> Result | Failure:
    """Run one block on a worker. Module level, so that it pickles by reference."""
    if build() != task.build:
        return Failure(
            AttritionError(
                f"this worker runs attrition {build()} and the client {task.build}: install the same "
                "build on the workers and the client (results are bit-identical within one build)"
            )
        )
    if isinstance(task, Unreadable):
        return Failure(AttritionError(f"the block could not be read on the worker: {task.error}"))
    try:
        return run_local(task.scenario, task.options)
    except ResourceError:
        raise
    except DETERMINISTIC as e:  # a bug in the core is an AttritionError: deterministic too
        return Failure(e)


#: The function submitted for each block (tests swap it for one that fails).
block_function: Callable[[Task | Unreadable], Any] = run_block
