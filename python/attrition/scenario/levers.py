"""Policy levers: the values of a scenario an analyst controls, named in its ``[levers]`` table.

A lever sets one dotted path (or several, to the same value) to a number or a
date, taken from a list (``values``) or a range (``low`` to ``high``). The
scenario keeps its own values; a lever says what may be tried, and
:func:`attrition.sweep`, :mod:`attrition.ema` and :func:`attrition.explore`
set it. The engine checks, when a scenario is built, that every value of a
lever gives a valid scenario (``ScenarioError`` naming ``levers.<name>``).

Examples
--------
>>> import attrition
>>> s = attrition.Scenario.builtin("baseline-2024-12")
>>> lever = s.levers["dprk_152_rate"]
>>> lever.paths, lever.low, lever.high
(('sides.russia.supply.dprk_152.rate',), 0.0, 13140.0)
>>> lever.grid(3)
[0.0, 6570.0, 13140.0]
>>> s.with_levers({"dprk_152_rate": 5000}).to_dict()["sides"]["russia"]["supply"]["dprk_152"]["rate"]
5000.0
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["Lever", "LeverValue", "levers_of"]

#: A lever's value: a number, or a date.
LeverValue = float | _dt.date


def _value(x: Any) -> LeverValue:
    """A lever value as the scenario's dict holds it (a number, or a ``YYYY-MM-DD`` text) in Python form."""
    if isinstance(x, str):
        return _dt.date.fromisoformat(x)
    return float(x)


@dataclasses.dataclass(frozen=True)
class Lever:
    """One policy lever of a scenario.

    Attributes
    ----------
    name : str
    paths : tuple of str
        The dotted paths it sets, all to the same value.
    description : str
    values : tuple or None
        The values it takes, when given as a list.
    low, high : float or datetime.date or None
        The ends of its range, when given as a range.
    """

    name: str
    paths: tuple[str, ...]
    description: str = ""
    values: tuple[LeverValue, ...] | None = None
    low: LeverValue | None = None
    high: LeverValue | None = None

    @property
    def kind(self) -> str:
        """``"number"`` or ``"date"``."""
        first = self.values[0] if self.values else self.low
        return "date" if isinstance(first, _dt.date) else "number"

    @property
    def bounds(self) -> tuple[LeverValue, LeverValue]:
        """The smallest and largest value it takes."""
        if self.values:
            return min(self.values), max(self.values)  # type: ignore[type-var]
        assert self.low is not None and self.high is not None
        return self.low, self.high

    def grid(self, points: int = 5) -> list[LeverValue]:
        """Its values: the list, or ``points`` evenly spaced values of the range, ends included
        (dates rounded to whole days)."""
        if self.values:
            return list(self.values)
        if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 2:
            raise ValueError(f"points must be an integer >= 2 (both ends of the range), got {points!r}")
        return self.at(np.linspace(0.0, 1.0, int(points)))

    def at(self, u: Sequence[float] | np.ndarray) -> list[LeverValue]:
        """The values at the fractions ``u`` in [0, 1] of the lever: of its range (dates rounded
        to whole days), or of its list (``u`` in ``[i / k, (i + 1) / k)`` gives the ``i``-th value)."""
        u = np.asarray(u, dtype=float)
        if np.any((u < 0) | (u > 1)) or np.any(np.isnan(u)):
            raise ValueError("fractions of a lever must lie in [0, 1]")
        if self.values:
            k = len(self.values)
            return [self.values[min(int(x * k), k - 1)] for x in u]
        lo, hi = self.bounds
        if isinstance(lo, _dt.date):
            assert isinstance(hi, _dt.date)
            span = (hi - lo).days
            return [lo + _dt.timedelta(days=round(float(x) * span)) for x in u]
        return [float(lo + x * (hi - lo)) for x in u]  # type: ignore[operator]

    def overrides(self, value: Any) -> dict[str, Any]:
        """``{path: value}`` for :meth:`Scenario.with_values`: the value at every path
        (a date as ``YYYY-MM-DD``; a ``datetime.date``, a ``numpy.datetime64`` or a text is taken)."""
        if self.kind == "date":
            if isinstance(value, np.datetime64):
                value = str(value.astype("datetime64[D]"))
            elif isinstance(value, _dt.datetime):
                value = value.date().isoformat()
            elif isinstance(value, _dt.date):
                value = value.isoformat()
            elif not isinstance(value, str):
                raise TypeError(f"lever {self.name!r} takes dates, got {value!r}")
        elif isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(f"lever {self.name!r} takes numbers, got {value!r}")
        else:
            value = float(value)
        return {p: value for p in self.paths}

    def describe(self) -> str:
        """A short form: ``name: low .. high`` or ``name: [v1, v2, ...]``."""
        span = f"[{', '.join(map(str, self.values))}]" if self.values else f"{self.low} .. {self.high}"
        return f"{self.name}: {span}"


def levers_of(scenario_dict: Mapping[str, Any]) -> dict[str, Lever]:
    """The levers of a scenario's dict (:meth:`Scenario.to_dict`), by name."""
    out = {}
    for name, t in scenario_dict.get("levers", {}).items():
        paths = tuple([t["path"]] if "path" in t else t.get("paths", []))
        values = tuple(_value(v) for v in t["values"]) if t.get("values") else None
        out[name] = Lever(
            name=name,
            paths=paths,
            description=t.get("description", ""),
            values=values,
            low=_value(t["low"]) if "low" in t else None,
            high=_value(t["high"]) if "high" in t else None,
        )
    return out
