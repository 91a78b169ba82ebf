"""Values that validate but are almost surely mistakes.

A scenario that breaks a rule raises :class:`~attrition.ScenarioError`. Some values
break no rule and still make no sense for the question asked: a yearly growth of
``30`` (+3,000 % a year; +30 % is ``0.3``), a fleet whose barrels all wear out with
no spare to replace them, a contingent that takes all of its side's casualties and
is gone within weeks, a window that never opens within the run. Each check here
returns ``"path: what looks wrong and why"``; :class:`~attrition.Scenario` emits them
as :class:`~attrition.ScenarioWarning` when it is built and lists them in
:meth:`~attrition.Scenario.warnings`, and ``attrition validate --strict`` refuses a
scenario that has any.

The checks read each uncertain value at its median or, where a single mistyped end
is enough, at the top of its range (the engine's own distributions,
:class:`~attrition.scenario.dist.Dist`).
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
from collections.abc import Iterator, Mapping
from typing import Any

from .display import window
from .dist import Dist

__all__ = ["CHECKS", "check"]

#: A yearly growth at or above this looks like a percentage (2 is +200 % a year).
GROWTH_LIMIT = 2.0
#: A daily combat-loss probability at or above this looks like a percentage.
COMBAT_LOSS_LIMIT = 0.05
#: A contingent expected to be used up by its side's casualties within this many days is flagged.
CONTINGENT_DAYS = 30

CHECKS = ("percentages", "spares", "contingents", "windows")


def typical(v: Any) -> float:
    """A typical value of a number or a distribution dict: the value, or the median (the
    engine's own distribution, :class:`~attrition.scenario.dist.Dist`)."""
    if not isinstance(v, Mapping):
        return float(v)
    return float(Dist(dict(v)).median())


def top(v: Any) -> float:
    """The largest value a number or a distribution dict may take: the value, or the top of
    the distribution's support (its 1 - 1e-6 quantile when the support is unbounded)."""
    if not isinstance(v, Mapping):
        return float(v)
    d = Dist(dict(v))
    hi = float(d.support()[1])
    return hi if math.isfinite(hi) else float(d.isf(1e-6))


def _date(x: Any) -> _dt.date | None:
    return None if x is None else _dt.date.fromisoformat(str(x))


def _percentages(side: str, s: Mapping[str, Any]) -> Iterator[str]:
    for name, line in (s.get("supply") or {}).items():
        g = line.get("growth", 0.0)
        if top(g) >= GROWTH_LIMIT:
            yield (
                f"sides.{side}.supply.{name}.growth: {top(g):g} is a yearly growth of {100 * top(g):+,.0f} % "
                f"(compounded daily); write a share, 0.3 for +30 % a year"
            )
    for name, fleet in (s.get("fleets") or {}).items():
        c = fleet.get("combat_loss", 0.0)
        if top(c) >= COMBAT_LOSS_LIMIT:
            yield (
                f"sides.{side}.fleets.{name}.combat_loss: {top(c):g} is a daily probability that a gun is "
                f"destroyed ({100 * top(c):,.0f} % of the guns a day); write a share, 0.001 for 0.1 % a day"
            )


def _spares(side: str, s: Mapping[str, Any], days: int) -> Iterator[str]:
    for name, f in (s.get("fleets") or {}).items():
        if f.get("max_wait_days") is not None:  # the fate of a gun without a barrel is stated
            continue
        if top(f.get("spares", 0.0)) > 0 or top(f.get("spare_rate", 0.0)) > 0:
            continue
        wear = typical(f["rounds_per_gun_day"]) * typical(f.get("efc_per_round", 1.0))
        left = typical(f["barrel_life"]) * (1 - typical(f.get("initial_wear", 0.0)) / 2)
        if wear <= 0 or not math.isfinite(wear) or left / wear >= days:
            continue
        yield (
            f"sides.{side}.fleets.{name}.spares: no spare barrels (spares = 0, spare_rate = 0) while a barrel "
            f"lasts about {left / wear:,.0f} days of fire, so every gun is lost to wear within the run; give "
            "spares or spare_rate, or max_wait_days to say that worn guns are written off"
        )


def _contingents(side: str, s: Mapping[str, Any], days: int) -> Iterator[str]:
    cas = s.get("casualties")
    cont = s.get("contingents") or {}
    if not cas or not cont:
        return
    base = typical(cas["base"])
    weights = {k: typical(c["strength"]) * typical(c.get("relative_risk", 1.0)) for k, c in cont.items()}
    total = sum(weights.values())
    if not total > 0:
        return
    for k, c in cont.items():
        strength = typical(c["strength"])
        net = base * weights[k] / total - typical(c.get("arrival_rate", 0.0))
        if strength <= 0 or net <= 0:
            continue
        gone = strength / net
        if gone < min(CONTINGENT_DAYS, days):
            share = weights[k] / total
            yield (
                f"sides.{side}.contingents.{k}.strength: {strength:,.0f} people take {100 * share:.0f} % of the side's "
                f"{base:,.0f} casualties a day and are used up in about {gone:,.0f} days; is the contingent, "
                f"or the casualty base (sides.{side}.casualties.base), what the scenario means?"
            )


def _windows(side: str, s: Mapping[str, Any], first: _dt.date, last: _dt.date) -> Iterator[str]:
    def outside(path: str, start: Any, end: Any) -> Iterator[str]:
        a, b = _date(start), _date(end)
        if (a is not None and a > last) or (b is not None and b <= first):
            yield (
                f"{path}: the window ({window(start, end)}) lies outside the run ({first} to {last}), so it never opens"
            )

    for name, line in (s.get("supply") or {}).items():
        yield from outside(f"sides.{side}.supply.{name}", line.get("start"), line.get("end"))
    for name, f in (s.get("fleets") or {}).items():
        d = f.get("deliveries")
        if d:
            yield from outside(f"sides.{side}.fleets.{name}.deliveries", d.get("start"), d.get("end"))
    for name, c in (s.get("contingents") or {}).items():
        if c.get("arrivals_start") is not None or c.get("arrivals_end") is not None:
            yield from outside(
                f"sides.{side}.contingents.{name}.arrivals", c.get("arrivals_start"), c.get("arrivals_end")
            )
    for i, step in enumerate((s.get("casualties") or {}).get("tempo") or []):
        yield from outside(f"sides.{side}.casualties.tempo[{i}]", step.get("start"), step.get("end"))


def check(d: Mapping[str, Any]) -> list[str]:
    """The plausibility warnings of a scenario given as its dict (``Scenario.to_dict()``),
    each ``"path: what looks wrong and why"``, in the order of the sides.

    A check that cannot read a value (a date at the end of the calendar, a distribution
    it has no typical value for) gives no warning rather than an error: the scenario
    is valid.
    """
    days = int(d["days"])
    first = _date(d["start"])
    assert first is not None
    try:
        last = first + _dt.timedelta(days=days - 1)
    except OverflowError:
        last = _dt.date.max
    out: list[str] = []
    for side, s in (d.get("sides") or {}).items():
        for found in (
            functools.partial(_percentages, side, s),
            functools.partial(_spares, side, s, days),
            functools.partial(_contingents, side, s, days),
            functools.partial(_windows, side, s, first, last),
        ):
            try:
                out += list(found())
            except (ArithmeticError, ValueError, TypeError, KeyError):
                continue
    return out
