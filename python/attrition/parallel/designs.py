"""The variants of a sweep: a grid of dotted paths, a list of overrides, or the
scenario's levers on a grid or a Latin hypercube sample."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .._utils.fmt import shown
from .._utils.names import unknown
from ..scenario import Scenario
from ..scenario.levers import Lever

__all__ = ["Design", "lever_design", "path_design"]

#: Points of a lever's range in a grid when the sweep does not say.
DEFAULT_POINTS = 5


@dataclasses.dataclass
class Design:
    """The variants of a sweep and how they are laid out.

    Attributes
    ----------
    variants : list of dict
        Per variant, the overrides ``{dotted path: value}``.
    kind : str
        ``"grid"`` (every combination of the values of ``dims``), ``"sample"`` (a Latin
        hypercube of levers) or ``"list"`` (a list of overrides).
    dims : list of str
        The swept levers (or, for a grid of paths, the paths), in order.
    coords : dict
        For a grid, each dim's values in order (the last varies fastest); empty otherwise.
    settings : list of dict
        Per variant, the value of every swept lever (or path): ``{dim: value}``.
    levers : bool
        True when ``dims`` are levers, False when they are dotted paths.
    """

    variants: list[dict[str, Any]]
    kind: str
    dims: list[str]
    coords: dict[str, list[Any]]
    settings: list[dict[str, Any]]
    levers: bool = False


def path_design(grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]]) -> Design:
    """A grid ``{path: [values]}`` (every combination, the last path varying fastest) or a
    list of override dicts, one per variant."""
    if isinstance(grid, Mapping):
        keys = list(grid)
        values = []
        for k in keys:
            if not isinstance(k, str):
                raise TypeError(f"grid keys are dotted parameter paths (str), got {shown(k)}")
            given = grid[k]
            if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable):
                raise TypeError(
                    f"grid[{k!r}] must be a list of values ({{{k!r}: [v1, v2, ...]}}), got {type(given).__name__}"
                )
            v = list(given)
            if not v:
                raise ValueError(f"grid[{shown(k)}] is empty")
            values.append(v)
        variants = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]
        return Design(variants, "grid", keys, dict(zip(keys, values, strict=True)), [dict(v) for v in variants])
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Iterable):
        raise TypeError(
            f"grid must be a dict {{path: [values]}} or a list of override dicts, got {type(grid).__name__}"
        )
    out = []
    for i, overrides in enumerate(grid):
        if not isinstance(overrides, Mapping):
            raise TypeError(f"variant {i} must be a dict of overrides {{path: value}}, got {type(overrides).__name__}")
        for k in overrides:
            if not isinstance(k, str):
                raise TypeError(f"variant {i}: overrides are keyed by dotted parameter paths (str), got {shown(k)}")
        out.append(dict(overrides))
    if not out:
        raise ValueError("the sweep has no variants")
    seen: dict[str, None] = {}
    for v in out:
        seen.update(dict.fromkeys(v))
    return Design(out, "list", list(seen), {}, [dict(v) for v in out])


def _chosen(scenario: Scenario, levers: Any) -> tuple[dict[str, Lever], dict[str, Any]]:
    """The levers asked for, by name, and the values given for some of them."""
    known = scenario.levers
    if not known:
        raise ValueError(f"scenario {scenario.name!r} has no levers (a [levers] table); sweep dotted paths instead")
    if levers is None:
        names, given = list(known), {}
    elif isinstance(levers, str):
        names, given = [levers], {}
    elif isinstance(levers, Mapping):
        names, given = list(levers), {k: v for k, v in levers.items() if v is not None}
    elif isinstance(levers, Iterable):
        names, given = list(levers), {}
    else:
        raise TypeError(f"levers must be lever names or a dict {{lever: values}}, got {type(levers).__name__}")
    if not names:
        raise ValueError("no lever to sweep")
    for k in names:
        if not isinstance(k, str):
            raise TypeError(f"levers are named by text, got {shown(k)}")
        if k not in known:
            raise unknown(k, list(known), "lever", listing=True)
    return {k: known[k] for k in names}, given


def lever_design(
    scenario: Scenario, levers: Any, *, points: int | None = None, n_samples: int | None = None, seed: int = 0
) -> Design:
    """The variants of a sweep of levers.

    ``levers`` names them (a name, a list of names, or ``{name: values or None}``; None: every
    lever). On a grid (``n_samples=None``), each lever takes the values given for it, or its
    list, or ``points`` values spread over its range; every combination is a variant (the last
    lever varying fastest). With ``n_samples=k``, the variants are a Latin hypercube sample of
    the levers' ranges (each lever's range, or list, cut into k strata, each stratum used once),
    drawn from ``seed``.
    """
    chosen, given = _chosen(scenario, levers)
    names = list(chosen)
    if n_samples is not None:
        if given:
            raise ValueError("n_samples samples each lever over its own range; name the levers without values")
        if points is not None:
            raise ValueError("points= is for a grid; a sample has n_samples points")
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0x1E7E]))
        k = int(n_samples)
        cols = {}
        for name in names:
            u = (rng.permutation(k) + rng.random(k)) / k
            cols[name] = chosen[name].at(np.clip(u, 0.0, 1.0))
        settings = [{name: cols[name][i] for name in names} for i in range(k)]
        return Design(_overrides(chosen, settings), "sample", names, {}, settings, levers=True)
    coords = {}
    for name in names:
        if name in given:
            v = given[name]
            if isinstance(v, (str, bytes, Mapping)) or not isinstance(v, Iterable):
                raise TypeError(f"levers[{name!r}] must be a list of values, got {type(v).__name__}")
            coords[name] = list(v)
            if not coords[name]:
                raise ValueError(f"levers[{name!r}] is empty")
        else:
            coords[name] = chosen[name].grid(DEFAULT_POINTS if points is None else points)
    settings = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*coords.values())]
    return Design(_overrides(chosen, settings), "grid", names, coords, settings, levers=True)


def _overrides(chosen: Mapping[str, Lever], settings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for s in settings:
        v: dict[str, Any] = {}
        for name, value in s.items():
            v.update(chosen[name].overrides(value))
        out.append(v)
    return out
