"""Combining partial runs of one scenario and seed into the run over their union."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import numpy as np

from .._utils.fmt import shown
from ..errors import IntegrityError
from .result import Result

__all__ = ["merge"]


def _coalesce(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint ranges with touching ones joined."""
    out: list[tuple[int, int]] = []
    for a, b in ranges:
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _check(results: list[Result]) -> None:
    """Refuse parts that are not of one run: each difference is named."""
    r0 = results[0]
    for i, r in enumerate(results[1:], 1):
        where = f"part {i} of {len(results)}"
        if r.version != r0.version:
            raise IntegrityError(
                f"merge needs results computed by one version of attrition: part 0 by {r0.version}, {where} by "
                f"{r.version} (results are bit-identical within one version only)"
            )
        if r.scenario != r0.scenario:
            raise IntegrityError(
                f"merge needs results of the same scenario: {where} ran {shown(r.scenario.name)}, which differs from "
                f"part 0's {shown(r0.scenario.name)}"
                + (" in its values" if r.scenario.name == r0.scenario.name else "")
            )
        if r.seed != r0.seed:
            raise IntegrityError(f"merge needs results of the same seed, got {r0.seed} and {r.seed} ({where})")
        if r.series_names != r0.series_names or r.paths != r0.paths:
            raise IntegrityError(
                "merge needs results that recorded the same series in the same mode (paths or summaries)"
            )
        if r.outcomes_kept != r0.outcomes_kept:
            raise IntegrityError(
                "merge needs results that kept outcomes the same way; run the parts with outcomes='sketch'"
            )


def merge(results: Iterable[Result]) -> Result:
    """Combine partial runs of one scenario and seed over disjoint trajectory ranges.

    The merged result equals, bit for bit, one run over the union of the ranges:
    paths, summaries, outcomes and drawn parameters.

    Raises
    ------
    IntegrityError
        (a ``ValueError``) for parts of different scenarios, seeds or attrition
        versions, that recorded different series or modes, or whose trajectories
        overlap; the message names the difference.

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
    for r in results:
        if not isinstance(r, Result):
            raise TypeError(f"merge takes attrition Results, got {type(r).__name__}")
    results.sort(key=lambda r: r._ranges[0][0])
    _check(results)
    # The trajectory ranges, checked for overlap with integer arithmetic (no per-trajectory index).
    spans = sorted((a, b, i) for i, r in enumerate(results) for a, b in r._ranges)
    for (a0, b0, i0), (a1, b1, i1) in pairwise(spans):
        if a1 < b0:
            raise IntegrityError(
                f"merge needs disjoint trajectory ranges: range({a0}, {b0}) and range({a1}, {b1}) overlap"
                + (f" (in parts {i0} and {i1} in order of their first trajectory)" if i0 != i1 else "")
            )
    r0 = results[0]
    # Arrays (paths, per-trajectory outcomes) are put in trajectory order; their size bounds n.
    order = np.empty(0, dtype=np.intp)
    if r0.paths or r0.outcomes_kept == "arrays":
        index = np.concatenate([np.arange(a, b, dtype=np.uint64) for r in results for a, b in r._ranges])
        order = np.argsort(index, kind="stable")
    # Same mode throughout (checked above): each storage merges with its own kind.
    return Result(
        r0.scenario,
        r0.seed,
        _coalesce([(a, b) for a, b, _ in spans]),
        type(r0._series).merge([r._series for r in results], order),
        type(r0._outcomes).merge([r._outcomes for r in results], order),
        type(r0._params).merge([r._params for r in results], order),
        version=r0.version,
    )
