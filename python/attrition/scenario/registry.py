"""What the names of series, outcomes and parameters mean: units and readable
labels, read off the names, and the series and outcomes most questions need.

Series and outcomes are named ``<side>.<module>.<item>.<quantity>`` (docs/model.md
section 7); the unit follows from the module and the quantity.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from .. import _core

__all__ = [
    "DEFAULT_SERIES",
    "KEY_OUTCOMES",
    "group_label",
    "is_first_passage",
    "kind",
    "outcome_info",
    "series_info",
    "label",
    "short_param",
    "unit",
]

#: The series recorded when ``series=None``: the ones most questions need.
DEFAULT_SERIES = (
    "*.fire.total.effective",
    "*.ammo.*.stock",
    "*.ammo.*.shortfall",
    "*.fleet.*.serviceable",
    "*.casualties.total.cumulative",
    "*.contingent.*.cumulative",
    "*.territory.area.cumulative_sqmi",
)


def _glob(pattern: str) -> str:
    """A registry pattern as a glob: every ``{placeholder}`` becomes ``*``."""
    return re.sub(r"\{[a-z]+\}", "*", pattern)


#: The key outcomes (glob patterns), in the engine's registry order: the table of the
#: command line, of a result's display and of the report. The engine's registry marks them.
KEY_OUTCOMES = tuple(dict.fromkeys(_glob(k["pattern"]) for k in _core.outcome_kinds() if k["key"]))


#: How a name's third part reads in a label, by module.
_ITEM = {
    "ammo": "{item}",
    "fleet": "{item}",
    "supply": "supply line {item}",
    "supplier": "supplier {item}",
    "contingent": "{item} contingent",
    "casualties": "",
    "territory": "",
    "fire": "",
}


@functools.cache
def _kinds() -> dict[tuple[str, str, bool], dict[str, Any]]:
    """The engine's registry of series and outcome kinds, by (module, quantity, is outcome).

    A kind whose quantity holds ``{threshold}`` (one outcome per casualty threshold) is
    keyed by the quantity's prefix (``days_to_``).
    """
    out: dict[tuple[str, str, bool], dict[str, Any]] = {}
    for outcome, kinds in ((False, _core.series_kinds()), (True, _core.outcome_kinds())):
        for k in kinds:
            _, module, _, q = k["pattern"].split(".")
            out[(module, q.split("{", 1)[0], outcome)] = dict(k)
    return out


def series_info(scenario: Any = None) -> list[dict[str, Any]]:
    """What attrition records each day, from the engine's one registry.

    Without a scenario: every kind of series, as dicts with ``pattern`` (such as
    ``{side}.fleet.{fleet}.serviceable``), ``unit``, ``description``, ``label`` and
    ``owner`` (the sub-model that records it). With a scenario (a :class:`Scenario`):
    every series it can record, each with its concrete ``name`` too, in the engine's order.

    Examples
    --------
    >>> import attrition
    >>> k = next(k for k in attrition.series_info() if k["pattern"].endswith(".serviceable"))
    >>> k["pattern"], k["unit"], k["owner"]
    ('{side}.fleet.{fleet}.serviceable', 'guns', 'fleet')
    >>> s = attrition.Scenario.builtin("baseline-2024-12")
    >>> len(attrition.series_info(s)) == len(s.series_names)
    True
    """
    if scenario is None:
        return [dict(k) for k in _core.series_kinds()]
    return [dict(k) for k in scenario._core.series_info()]


def outcome_info(scenario: Any = None) -> list[dict[str, Any]]:
    """What attrition reports per trajectory, from the engine's one registry: as
    :func:`series_info`, plus ``first_passage`` (a day index, NaN when the event never
    happens within the horizon: a censored time) and ``key`` (shown first in tables).

    Examples
    --------
    >>> import attrition
    >>> [k["pattern"] for k in attrition.outcome_info() if k["owner"] == "fleet" and k["first_passage"]]
    ['{side}.fleet.{fleet}.days_to_half']
    """
    if scenario is None:
        return [dict(k) for k in _core.outcome_kinds()]
    return [dict(k) for k in scenario._core.outcome_info()]


def kind(name: str, *, outcome: bool | None = None) -> dict[str, Any] | None:
    """The registry entry (pattern, unit, description, label, owner; for outcomes
    first_passage and key) of a series or outcome name, or None when the name has no kind.

    ``outcome=None`` looks among series first (``fleet.*.worn_out`` is both; the series
    is the cumulative count), then outcomes.
    """
    p = _parts(name)
    if p is None:
        return None
    _, module, _, q = p
    kinds = _kinds()
    for o in (False, True) if outcome is None else (outcome,):
        k = kinds.get((module, q, o))
        if k is None:
            prefix = next(
                (pre for (m, pre, oo) in kinds if m == module and oo == o and pre.endswith("_") and q.startswith(pre)),
                None,
            )
            k = kinds.get((module, prefix, o)) if prefix else None
        if k is not None:
            return k
    return None


def _parts(name: str) -> tuple[str, str, str, str] | None:
    p = name.split(".")
    if len(p) != 4:
        return None
    return p[0], p[1], p[2], p[3]


def is_first_passage(name: str) -> bool:
    """True for first-passage outcomes (the engine's registry marks them): day
    indices, NaN when the event never happens (censored)."""
    k = kind(name, outcome=True)
    return bool(k and k["first_passage"])


def unit(name: str, *, outcome: bool | None = None) -> str:
    """The unit of a series or outcome, from the engine's registry ('' when unknown).

    ``outcome=None`` looks among series first (``fleet.*.worn_out`` is both; the series
    is cumulative barrels).
    """
    k = kind(name, outcome=outcome)
    return k["unit"] if k else ""


def label(name: str) -> str:
    """A readable label: ``'russia.fleet.msta_b.serviceable'`` -> ``'Russia: msta_b serviceable guns'``."""
    p = _parts(name)
    if p is None:
        return name
    side, module, item, q = p
    k = kind(name)
    words = k["label"] if k else q.replace("_", " ")
    if "{threshold}" in words:
        rest = q[len(k["pattern"].rsplit(".", 1)[-1].split("{", 1)[0]) :] if k else q
        words = words.replace("{threshold}", f"{int(rest):,}" if rest.isdigit() else rest.replace("_", "."))
    what = _ITEM.get(module, "{item}").format(item=item)
    side = side[:1].upper() + side[1:]
    return f"{side}: {what + ' ' if what else ''}{words}"


_GROUP = {
    "ammo": "caliber",
    "fleet": "fleet",
    "contingent": "contingent",
    "supply": "supply line",
    "supplier": "supplier",
}


def group_label(names: list[str]) -> str:
    """A label for several series or outcomes drawn together: the shared quantity
    (``'Russia: serviceable guns, per fleet'``) or, failing that, the labels joined."""
    names = list(dict.fromkeys(names))
    if len(names) == 1:
        return label(names[0])
    parts = [_parts(n) for n in names]
    if all(p is not None for p in parts):
        sides = {p[0] for p in parts if p}
        mods = {(p[1], p[3]) for p in parts if p}
        if len(mods) == 1:
            module, q = next(iter(mods))
            rest = label(f"x.{module}.\0.{q}").split("\0", 1)[-1].strip()
            who = next(iter(sides)) if len(sides) == 1 else "each side"
            who = who[:1].upper() + who[1:]
            return f"{who}: {rest}, per {_GROUP.get(module, 'item')}"
    return "; ".join(label(n) for n in names)


def short_param(path: str) -> str:
    """A drawn parameter's path without the leading ``sides.``."""
    return path[len("sides.") :] if path.startswith("sides.") else path
