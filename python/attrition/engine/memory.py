"""How much memory a run may use, and what a run would need."""

from __future__ import annotations

import os

from .. import _core
from ..errors import ResourceError
from ..scenario import Scenario

__all__ = ["MEMORY_FRACTION", "keeps_arrays", "memory_budget", "refuse"]

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


def keeps_arrays(
    scenario: Scenario, n: int, n_series: int, paths: bool, outcomes: str, threads: int | None, budget: int
) -> bool:
    """Whether a run keeps outcomes and drawn parameters as per-trajectory arrays: always
    with paths; with summaries, for ``outcomes="arrays"``, or for ``"auto"`` when the
    run's summaries and arrays fit ``budget``. Decided before the run starts."""
    if paths or outcomes == "arrays":
        return True
    if outcomes == "sketch":
        return False
    workers = threads or os.cpu_count() or 1
    return _core.estimate_summary_bytes(scenario._core, n, n_series, workers, True) <= budget


def refuse(need: int, budget: int, paths: bool, what: str = "this run", held: str = "") -> None:
    """Raise ResourceError when ``need`` bytes exceed ``budget``, saying what to change."""
    if need > budget:
        hint = "paths=False, " if paths else ""
        raise ResourceError(
            f"{what} would hold about {need / 1e6:,.0f} MB{held}, above the budget of {budget / 1e6:,.0f} MB "
            f"(max_memory); use {hint}fewer series (series=[...]) or fewer trajectories"
        )
