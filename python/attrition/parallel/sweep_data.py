"""A sweep's outcome statistics as an xarray Dataset: the swept levers (or paths) as
dimensions, one variable per outcome, statistics along ``stat``."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np

from .._utils.names import select
from .._utils.optional import require
from ..results import Result
from ..scenario import Scenario, registry
from .designs import Design

__all__ = ["EVENT_STATS", "SweepView", "outcome_stats", "to_xarray"]

#: Statistics only first-passage outcomes have (NaN for the others).
EVENT_STATS = ("reached", "restricted_mean")


def outcome_stats(r: Result, name: str, q: Sequence[float], first_passage: bool) -> dict[str, float]:
    """``mean``, the quantiles ``q`` (``q0.05`` ...) and the ``censored`` share of an outcome,
    then ``reached`` and ``restricted_mean``.

    A first-passage time is read with its censoring: a run where the event does not happen
    within the horizon counts as "after the horizon". Its quantile ``q`` is over all runs
    (NaN where fewer than that share reach the event), ``reached`` is the share that do,
    ``restricted_mean`` the mean of ``min(T, days)``, and ``mean`` NaN (a time that may never
    come has no mean).
    """
    qs = [float(v) for v in q]
    keys = [f"q{v:g}" for v in qs]
    # The outcome table reads a first-passage time with its censoring (its quantiles over
    # all runs, its mean NaN, reached and restricted_mean); a quantity has NaN there.
    row = r.outcome_table([name], qs)[0]
    out = {"mean": row["mean"], **{k: row[k] for k in keys}, "censored": row["censored"]}
    out.update({k: (row[k] if first_passage else float("nan")) for k in EVENT_STATS})
    return out


def _coord(values: Sequence[Any]) -> np.ndarray:
    """Values as a coordinate: dates as ``datetime64[D]``, numbers as floats, anything else as text."""
    vals = list(values)
    if vals and all(isinstance(v, _dt.date) for v in vals):
        return np.array([np.datetime64(v.isoformat(), "D") for v in vals])
    if vals and all(isinstance(v, str) for v in vals):
        try:
            return np.array([np.datetime64(_dt.date.fromisoformat(v).isoformat(), "D") for v in vals])
        except ValueError:
            return np.array(vals, dtype=object)
    if all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in vals):
        return np.asarray(vals, dtype=float)
    return np.array([v if isinstance(v, str) else repr(v) for v in vals], dtype=object)


class SweepView(Protocol):
    """A sweep as :func:`to_xarray` reads it (:class:`~attrition.parallel.SweepResult` is one)."""

    scenario: Scenario
    design: Design
    results: list[Result]
    n: int
    seed: int


def to_xarray(sw: SweepView, names: str | Iterable[str] | None, q: Sequence[float]) -> Any:
    """See :meth:`SweepResult.to_xarray`."""
    xr = require("xarray", purpose="SweepResult.to_xarray()")
    every = list(dict.fromkeys(k for r in sw.results for k in r.outcome_names))
    chosen = every if names is None else select(every, names, "outcome")
    first = {k: registry.is_first_passage(k) for k in chosen}
    stats = ["mean", *(f"q{float(v):g}" for v in q), "censored", *EVENT_STATS]
    table = np.full((len(sw.results), len(chosen), len(stats)), np.nan)
    for i, r in enumerate(sw.results):
        has = set(r.outcome_names)
        for j, k in enumerate(chosen):
            if k in has:
                row = outcome_stats(r, k, q, first[k])
                table[i, j] = [row[s] for s in stats]
    design = sw.design
    if design.kind == "grid":
        dims = list(design.dims)
        shape = [len(design.coords[d]) for d in dims]
        coords: dict[str, Any] = {d: _coord(design.coords[d]) for d in dims}
        cube = table.reshape(*shape, len(chosen), len(stats))
    else:
        dims = ["variant"]
        coords = {"variant": np.arange(len(sw.results))}
        for d in design.dims:
            coords[d] = ("variant", _coord([s.get(d) for s in design.settings]))
        cube = table
    coords["stat"] = stats
    data = {}
    for j, k in enumerate(chosen):
        attrs = {"units": registry.unit(k), "long_name": registry.label(k), "first_passage": int(first[k])}
        data[k] = ([*dims, "stat"], cube[..., j, :], attrs)
    ds = xr.Dataset(data, coords=coords)
    ds.attrs.update(
        {
            "scenario": sw.scenario.name,
            "design": design.kind,
            "n": sw.n,
            "seed": sw.seed,
            "statistics": (
                "mean, quantiles and censored (NaN) share over each variant's trajectories; a first-passage "
                "time (first_passage = 1) is read with its censoring: quantiles over all runs (NaN: not "
                "reached by that share of runs within the horizon), reached = share of runs where it happens, "
                "restricted_mean = mean of min(T, days), mean NaN"
            ),
            "common_random_numbers": "every variant runs trajectories 0..n-1 of the same seed",
        }
    )
    for d in design.dims:
        if d in sw.scenario.levers:
            ds[d].attrs["description"] = sw.scenario.levers[d].description
    return ds
