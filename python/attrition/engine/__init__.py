"""Running a scenario here: the checked options of a run (:class:`RunOptions`),
the memory budget and :func:`run_local`, which calls the Rust core."""

from .local import expected_seconds, run_local
from .memory import memory_budget
from .options import RunOptions

__all__ = ["RunOptions", "expected_seconds", "memory_budget", "run_local"]
