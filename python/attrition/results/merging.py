"""Combining partial runs of one scenario and seed into the run over their union."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .result import Result

__all__ = ["merge"]


def _ranges(index: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous (start, stop) runs of a sorted index array."""
    if len(index) == 0:
        return []
    breaks = np.flatnonzero(np.diff(index) != 1) + 1
    starts = np.concatenate([[0], breaks])
    stops = np.concatenate([breaks, [len(index)]])
    return [(int(index[a]), int(index[b - 1]) + 1) for a, b in zip(starts, stops, strict=True)]


def merge(results: Sequence[Result]) -> Result:
    """Combine partial runs of one scenario and seed over disjoint trajectory ranges.

    The merged result equals, bit for bit, one run over the union of the ranges:
    paths, summaries, outcomes and drawn parameters.

    Examples
    --------
    >>> import attrition, numpy as np
    >>> parts = [attrition.run("baseline-2024-12", seed=3, trajectories=range(a, a + 10),
    ...                        series=["russia.ammo.152mm.stock"]) for a in (10, 0, 20)]
    >>> whole = attrition.run("baseline-2024-12", seed=3, n=30, series=["russia.ammo.152mm.stock"])
    >>> m = attrition.merge(parts)
    >>> np.array_equal(m.series("russia.ammo.152mm.stock"), whole.series("russia.ammo.152mm.stock"))
    True
    """
    results = list(results)
    if not results:
        raise ValueError("merge needs at least one result")
    results.sort(key=lambda r: r._ranges[0][0])
    r0 = results[0]
    for r in results[1:]:
        if r.scenario != r0.scenario:
            raise ValueError("merge needs results of the same scenario")
        if r.seed != r0.seed:
            raise ValueError(f"merge needs results of the same seed, got {r0.seed} and {r.seed}")
        if r.series_names != r0.series_names or r.paths != r0.paths:
            raise ValueError("merge needs results that recorded the same series in the same mode (paths or summaries)")
        if r.outcomes_kept != r0.outcomes_kept:
            raise ValueError(
                "merge needs results that kept outcomes the same way; run the parts with outcomes='sketch'"
            )
    index = np.concatenate([np.arange(a, b) for r in results for a, b in r._ranges])
    order = np.argsort(index, kind="stable")
    index = index[order]
    if len(index) > 1 and (np.diff(index) == 0).any():
        raise ValueError("merge needs disjoint trajectory ranges")
    # Same mode throughout (checked above): each storage merges with its own kind.
    return Result(
        r0.scenario,
        r0.seed,
        _ranges(index),
        type(r0._series).merge([r._series for r in results], order),
        type(r0._outcomes).merge([r._outcomes for r in results], order),
        type(r0._params).merge([r._params for r in results], order),
    )
