"""attrition as a model of the EMA Workbench (exploratory modelling and analysis).

:func:`model` builds a Workbench model of a scenario, runnable with the
Workbench's evaluators (``SequentialEvaluator``, ``MultiprocessingEvaluator``)
and its samplers:

- its **uncertainties** are the scenario's uncertain parameters, each with the
  scenario's own distribution (a scipy distribution whose inverse CDF is the
  engine's, :mod:`attrition.ema.dists`), so a Latin hypercube of the Workbench
  spreads each parameter as the scenario does;
- its **levers** are the scenario's levers (:attr:`attrition.Scenario.levers`):
  a range of numbers is a ``RealParameter``, a range of dates an
  ``IntegerParameter`` counting days from the range's start, a list of values a
  ``CategoricalParameter``; the paths a lever sets are not uncertainties;
- its **outcomes** are attrition's outcomes (``ScalarOutcome``) and any series
  asked for (``TimeSeriesOutcome``, one value per day), and ``trajectory``.

An experiment is one trajectory: the uncertainties the Workbench drew are given
to the engine as that trajectory's values (the scenario's other uncertain
parameters, if any were left out, draw as usual), and the process noise comes
from the trajectory's own streams. The trajectory's index is a hash of the
uncertainties' values, so the same scenario of uncertainties meets every policy
with the same random numbers (common random numbers across policies), and an
experiment is reproduced by ``attrition.run(scenario.with_levers(policy),
seed=seed, trajectories=range(t, t + 1), samples=...)`` with ``t`` its
``trajectory`` outcome.

Workbench names must be Python identifiers: each uncertainty and outcome is
named by its dotted path with ``.`` as ``__`` and other characters as ``_``
(``sides__russia__supply__dprk_152__rate``) and keeps the dotted path as its
``variable_name``; :func:`names` maps one to the other. The Workbench is an
optional extra: ``pip install 'attrition[ema]'`` (ema-workbench 2.5).

Examples
--------
>>> import attrition, attrition.ema  # doctest: +SKIP
>>> from ema_workbench import SequentialEvaluator, perform_experiments  # doctest: +SKIP
>>> m = attrition.ema.model("baseline-2024-12", outcomes="russia.ammo.152mm.*")  # doctest: +SKIP
>>> experiments, outcomes = perform_experiments(m, scenarios=100, policies=4)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
import struct
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .._utils.names import select
from .._utils.optional import require
from ..api import run
from ..scenario import Scenario, as_scenario
from ..scenario.levers import Lever

__all__ = ["AttritionFunction", "identifier", "model", "names", "workbench"]

#: The Workbench version the adapter is written and tested for.
WORKBENCH_VERSION = "2.5"

#: Scenarios built for lever settings that a function keeps (one per policy of a run).
_CACHE = 64


def workbench(module: str = "ema_workbench") -> Any:
    """Import the EMA Workbench (or one of its modules), or ImportError naming the ``ema`` extra.
    The Workbench's own warnings at import (about its optional back-ends) are silenced."""
    return require(module, extra="ema", purpose="the EMA Workbench adapter", quiet=True)


def identifier(name: str) -> str:
    """A Workbench name for a dotted path or an outcome: ``.`` as ``__``, any other character
    that may not stand in a Python identifier as ``_`` (and a leading ``_`` before a digit)."""
    out = re.sub(r"\W", "_", name.replace(".", "__"))
    return f"_{out}" if out[:1].isdigit() else out


def names(m: Any) -> dict[str, str]:
    """``{Workbench name: attrition name}`` for every uncertainty, lever and outcome of a model."""
    out = {}
    for group in (m.uncertainties, m.levers, m.outcomes):
        for v in group:
            out[v.name] = v.variable_name[0]
    return out


def _trajectory(values: Mapping[str, float]) -> int:
    """The trajectory of an experiment: a hash of its uncertainties' values, below 2**53 so
    that the ``trajectory`` outcome (a float) holds it exactly."""
    h = hashlib.blake2b(digest_size=8)
    for k in sorted(values):
        h.update(k.encode())
        h.update(struct.pack("<d", float(values[k])))
    return int.from_bytes(h.digest(), "little") >> 11


class AttritionFunction:
    """The function a Workbench model calls: one trajectory of ``scenario`` with the
    experiment's uncertainties and levers (keyword arguments named by dotted path and
    lever name). Picklable, so that the Workbench's multiprocessing evaluator can send
    it to its workers."""

    def __init__(
        self, scenario: Scenario, seed: int, params: list[str], outcomes: list[str], series: list[str]
    ) -> None:
        self.scenario = scenario
        self.seed = int(seed)
        self.params = params
        self.outcomes = outcomes
        self.series = series
        self._built: dict[tuple[Any, ...], Scenario] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_built": {}}

    def _scenario(self, settings: dict[str, Any]) -> Scenario:
        key = tuple(sorted((k, str(v)) for k, v in settings.items()))
        sc = self._built.get(key)
        if sc is None:
            if len(self._built) >= _CACHE:
                self._built.clear()
            sc = self.scenario.with_levers(settings) if settings else self.scenario
            self._built[key] = sc
        return sc

    def __call__(self, **kwargs: Any) -> dict[str, Any]:
        levers = self.scenario.levers
        settings = {}
        for name, lever in levers.items():
            if name in kwargs:
                settings[name] = _lever_value(lever, kwargs[name])
        values = {p: float(kwargs[p]) for p in self.params if p in kwargs}
        t = _trajectory(values)
        r = run(
            self._scenario(settings),
            seed=self.seed,
            trajectories=range(t, t + 1),
            samples={p: np.array([v]) for p, v in values.items()} or None,
            series=self.series,
            paths=True,
            threads=1,
            progress=False,
            outcomes="arrays",
        )
        out: dict[str, Any] = {k: float(r.outcomes[k][0]) for k in self.outcomes}
        for k in self.series:
            out[k] = r.series(k)[0].copy()
        out["trajectory"] = float(t)
        return out


def _lever_value(lever: Lever, x: Any) -> Any:
    """A Workbench lever's value as the lever's: for a range of dates, the days from its start."""
    if lever.kind == "date" and not lever.values:
        assert isinstance(lever.low, _dt.date)
        return lever.low + _dt.timedelta(days=int(x))
    return x


def model(
    scenario: Scenario | Mapping[str, Any] | str,
    /,
    *,
    outcomes: str | Iterable[str] | None = None,
    series: str | Iterable[str] = (),
    params: str | Iterable[str] | None = None,
    levers: str | Iterable[str] | None = None,
    seed: int = 0,
    name: str | None = None,
) -> Any:
    """A Workbench model (``ema_workbench.Model``) of a scenario.

    Parameters
    ----------
    scenario
        A :class:`~attrition.Scenario`, a dict, a built-in name or a TOML path.
    outcomes
        Outcomes by name or glob pattern (default: every outcome).
    series
        Series to return as ``TimeSeriesOutcome`` (one value per day of the horizon).
    params
        The uncertain parameters that are Workbench uncertainties (dotted paths or glob
        patterns; default: every one with more than one value that no lever sets). The
        others draw from their distributions in each trajectory, as in a run.
    levers
        The scenario's levers that are Workbench levers (default: all of them).
    seed
        The seed of the random streams.
    name
        The model's name (letters and digits only; default: the scenario's, without its
        other characters).

    Returns
    -------
    ema_workbench.Model
        With ``uncertainties``, ``levers`` and ``outcomes`` named as identifiers (see
        :func:`names`); its function is an :class:`AttritionFunction`.
    """
    wb = workbench()
    from .dists import frozen

    sc = as_scenario(scenario)
    lever_map = sc.levers
    chosen_levers = list(lever_map) if levers is None else select(list(lever_map), levers, "lever")
    set_by_levers = {p for k in chosen_levers for p in lever_map[k].paths}
    unc = {u["path"]: u for u in sc.uncertain_list() if u["low"] < u["high"]}
    every = [p for p in unc if p not in set_by_levers]
    if params is None:
        chosen = every
    else:
        asked = [params] if isinstance(params, str) else list(params)
        for p in asked:
            owner = next((k for k in chosen_levers if p in lever_map[k].paths), None)
            if owner is not None:
                raise ValueError(
                    f"{p} is set by the lever {owner!r}: it cannot also be an uncertainty (levers=... leaves it out)"
                )
        chosen = select(every, asked, "uncertain parameter", order="names")
    out_names = sc.outcome_names if outcomes is None else select(sc.outcome_names, outcomes, "outcome")
    ser_names = [] if not series else select(sc.series_names, series, "series")
    fn = AttritionFunction(sc, seed, chosen, out_names, ser_names)
    m = wb.Model(re.sub(r"[^A-Za-z0-9]", "", name or sc.name) or "attrition", function=fn)
    m.uncertainties = [
        wb.RealParameter.from_dist(identifier(p), frozen(unc[p]["spec"], p), variable_name=p) for p in chosen
    ]
    m.levers = [_workbench_lever(wb, lever_map[k]) for k in chosen_levers]
    outs: list[Any] = [wb.ScalarOutcome(identifier(k), variable_name=k) for k in out_names]
    outs += [wb.TimeSeriesOutcome(identifier(k), variable_name=k) for k in ser_names]
    outs.append(wb.ScalarOutcome("trajectory", kind=wb.ScalarOutcome.INFO))
    m.outcomes = outs
    return m


def _workbench_lever(wb: Any, lever: Lever) -> Any:
    """A lever as a Workbench parameter named like its lever."""
    ident = identifier(lever.name)
    if lever.values:
        cats = [v.isoformat() if lever.kind == "date" else v for v in lever.values]  # type: ignore[union-attr]
        return wb.CategoricalParameter(ident, cats, variable_name=lever.name)
    if lever.kind == "date":
        lo, hi = lever.bounds
        return wb.IntegerParameter(ident, 0, (hi - lo).days, variable_name=lever.name)  # type: ignore[operator]
    lo, hi = lever.bounds
    return wb.RealParameter(ident, float(lo), float(hi), variable_name=lever.name)  # type: ignore[arg-type]
