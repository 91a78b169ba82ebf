"""The scenario format as data: its JSON Schema, and each field's unit, default and
allowed values, all read from the engine (the schema's doc comments, its serde
defaults, and the field table whose domains validation uses).

The JSON Schema (draft 2020-12) serves editors: point an editor's TOML or JSON
support at the output of ``attrition schema``. Beside the standard keywords each
field carries ``x-kind`` (what it holds, in words), ``x-unit``, ``x-allowed`` (the rule as validation states it) and,
where the default has grounds, ``x-default-basis`` (``facts``, ``assumption``,
``note``); each table's definition carries ``x-table``, where it sits in a file,
and ``x-order``, its fields in order.
A text with ``extends`` is checked as an overlay: the same tables, nothing
required. ``docs/reference/scenario.md`` is generated from it.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from .. import _core

__all__ = ["TABLES", "field_unit", "fields", "json_schema"]

#: The tables of the format in reference order: (definition name, the key of the
#: table's collection in a side, or "" for the top level and a side itself).
TABLES = (
    ("Scenario", ""),
    ("Side", ""),
    ("Caliber", "calibers"),
    ("SupplyLine", "supply"),
    ("Fleet", "fleets"),
    ("Deliveries", "deliveries"),
    ("Casualties", "casualties"),
    ("TempoStep", "tempo"),
    ("Contingent", "contingents"),
    ("Arrival", "schedule"),
    ("Territory", "territory"),
    ("Source", ""),
)


@functools.cache
def _schema() -> dict[str, Any]:
    return _core.json_schema()


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (a new dict each call).

    Examples
    --------
    >>> from attrition.scenario import json_schema
    >>> s = json_schema()
    >>> fleet = s["$defs"]["Fleet"]["properties"]
    >>> fleet["barrel_life"]["x-unit"], fleet["barrel_shape"]["default"]
    ('EFC', 3.0)
    >>> fleet["combat_loss"]["x-allowed"]
    'must be a probability in [0, 1]'
    """
    s = copy.deepcopy(_schema())
    first = ["$schema", "$id", "title", "description", "if", "then", "else"]
    return {k: s[k] for k in first + [k for k in s if k not in first] if k in s}


def fields(table: str) -> list[dict[str, Any]]:
    """The fields of a table of the format (``"Fleet"``, ``"SupplyLine"``, ... see
    :data:`TABLES`), in the schema's order: ``name``, ``kind`` (what it holds, in
    words), ``description``, ``unit``,
    ``default`` (absent when required or unset), ``required``, ``allowed`` and
    ``basis`` (the default's grounds: ``facts``, ``assumption``, ``note``).

    Examples
    --------
    >>> from attrition.scenario.reference import fields
    >>> area = {f["name"]: f for f in fields("Territory")}["reference_area_km2"]
    >>> area["default"], area["unit"], area["basis"]["facts"]
    (603550.0, 'km²', ['ukraine-area'])
    """
    d = _schema()["$defs"][table]
    required = set(d.get("required", ()))
    out = []
    for name in d["x-order"]:
        p = d["properties"][name]
        f = {
            "name": name,
            "kind": p.get("x-kind", ""),
            "description": p.get("description", ""),
            "unit": p.get("x-unit", ""),
            "required": name in required,
            "allowed": p.get("x-allowed", ""),
            "basis": copy.deepcopy(p.get("x-default-basis")),
        }
        if "default" in p:
            f["default"] = p["default"]
        out.append(f)
    return out


@functools.cache
def _units() -> dict[tuple[str, str], str]:
    units = {}
    for table, key in TABLES:
        for f in fields(table):
            if f["unit"] and f["unit"] != "-":
                units[(table, f["name"])] = f["unit"]
                if key:
                    units[(key, f["name"])] = f["unit"]
    return units


def field_unit(kind: str, field: str) -> str:
    """The unit of a scenario field, by the key of its table's collection in a side
    (``field_unit("fleets", "barrel_life")`` is ``'EFC'``) or by the table's name;
    '' for a pure number or a field without a unit."""
    return _units().get((kind, field), "")
