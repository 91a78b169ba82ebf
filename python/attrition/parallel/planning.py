"""How a distributed run is cut into blocks, and what it holds in memory."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import _core
from ..engine import RunOptions
from ..engine.memory import keeps_arrays
from ..scenario import Scenario, as_scenario

__all__ = [
    "MAX_BLOCKS",
    "MAX_BLOCK_BYTES",
    "MAX_BLOCK_TRAJECTORY_DAYS",
    "MIN_BLOCK_TRAJECTORY_DAYS",
    "TARGET_BLOCKS",
    "Plan",
    "make_plan",
    "plan",
]

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
#: Most blocks in a run: the client holds a task per block. Above
#: ``MAX_BLOCKS * MAX_BLOCK_TRAJECTORY_DAYS`` trajectory-days the default blocks grow.
MAX_BLOCKS = 1_000_000


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
    return max(1, min(b, hi, n), -(-n // MAX_BLOCKS))


def make_plan(sc: Scenario, options: RunOptions, names: list[str], budget: int) -> Plan:
    """The plan of a run of ``sc`` with ``options``, recording ``names``, within ``budget``."""
    n, k, paths = options.n, len(names), options.paths
    # The rule of a local run, for the total n: the same decision.
    arrays = keeps_arrays(sc, n, k, paths, options.outcomes, options.threads, budget)
    per_block_threads = options.threads or 1
    if paths:
        per_traj = int(_core.estimate_bytes(sc._core, 1, k, 0))
    elif arrays:
        per_traj = int(
            _core.estimate_summary_bytes(sc._core, 1, k, 1, True)
            - _core.estimate_summary_bytes(sc._core, 0, k, 1, True)
        )
    else:
        per_traj = 0
    b = _default_block(sc, n, per_traj) if options.block is None else min(options.block, n)
    if -(-n // b) > MAX_BLOCKS:
        raise ValueError(
            f"block={b:,} cuts {n:,} trajectories into {-(-n // b):,} blocks, above the {MAX_BLOCKS:,} a run "
            f"may have; use block >= {-(-n // MAX_BLOCKS):,} or leave it out"
        )
    if paths:
        block_bytes = int(_core.estimate_bytes(sc._core, b, k, per_block_threads))
        result = int(_core.estimate_bytes(sc._core, n, k, 0))
        client = 2 * result
    else:
        block_bytes = int(_core.estimate_summary_bytes(sc._core, b, k, per_block_threads, arrays))
        result = int(_core.estimate_summary_bytes(sc._core, n, k, 0, arrays))
        part = int(_core.estimate_summary_bytes(sc._core, b, k, 0, arrays))
        client = result + (per_traj * n if arrays else part)
    return Plan(
        n=n,
        first=options.first,
        block=b,
        blocks=-(-n // b),
        outcomes="arrays" if arrays else "sketch",
        series=tuple(names),
        paths=paths,
        threads=per_block_threads,
        block_bytes=block_bytes,
        result_bytes=result,
        client_bytes=client,
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
    >>> from attrition.parallel import plan
    >>> p = plan("baseline-2024-12", n=1_000_000, paths=False, outcomes="sketch")
    >>> p.block, p.blocks
    (3968, 253)
    >>> p.ranges()[:2]
    [range(0, 3968), range(3968, 7936)]
    >>> plan("baseline-2024-12", n=1_000_000, paths=False, block=10_000).blocks
    100
    """
    options = RunOptions.from_args(
        n=n,
        series=series,
        paths=paths,
        threads=threads,
        max_memory=max_memory,
        trajectories=trajectories,
        outcomes=outcomes,
        block=block,
    )
    sc = as_scenario(scenario)
    return make_plan(sc, options, options.series_names(sc), options.budget())
