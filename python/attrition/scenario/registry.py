"""What the names of series, outcomes and parameters mean: units and readable
labels, read off the names, and the series and outcomes most questions need.

Series and outcomes are named ``<side>.<module>.<item>.<quantity>`` (docs/model.md
section 7); the unit follows from the module and the quantity.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_SERIES",
    "KEY_OUTCOMES",
    "field_unit",
    "group_label",
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

#: The key outcomes (glob patterns), in order: the table of the command line, of a
#: result's display and of the report.
KEY_OUTCOMES = (
    "*.ammo.*.days_to_empty",
    "*.fleet.*.days_to_half",
    "*.fleet.*.serviceable_end",
    "*.fleet.*.worn_out",
    "*.fleet.*.written_off",
    "*.fleet.*.destroyed",
    "*.casualties.total.days_to_*",
    "*.casualties.total.run_total",
    "*.contingent.*.rate_per_30d",
    "*.territory.area.casualties_per_sqmi",
    "*.territory.area.years_to_reference",
    "*.supplier.*.revenue",
)

_SHELLS, _SHELLS_DAY = "shells", "shells/day"
_EFF = "effective rounds/day (152 mm eq.)"

# (module, quantity) -> unit, for series
_SERIES_UNITS: dict[tuple[str, str], str] = {
    ("fire", "effective"): _EFF,
    ("ammo", "stock"): _SHELLS,
    ("ammo", "duds"): _SHELLS,
    ("ammo", "delivered"): _SHELLS_DAY,
    ("ammo", "demand"): _SHELLS_DAY,
    ("ammo", "fired"): _SHELLS_DAY,
    ("ammo", "duds_fired"): _SHELLS_DAY,
    ("ammo", "shortfall"): _SHELLS_DAY,
    ("ammo", "effective_fire"): _EFF,
    ("supply", "delivered"): _SHELLS_DAY,
    ("supply", "duds"): _SHELLS_DAY,
    ("fleet", "serviceable"): "guns",
    ("fleet", "waiting"): "guns",
    ("fleet", "repair"): "guns",
    ("fleet", "destroyed"): "guns (cumulative)",
    ("fleet", "written_off"): "guns (cumulative)",
    ("fleet", "worn_out"): "barrels (cumulative)",
    ("fleet", "delivered"): "guns (cumulative)",
    ("fleet", "spares"): "barrels",
    ("fleet", "wear"): "share of barrel life",
    ("fleet", "accuracy"): "accuracy factor",
    ("fleet", "fired"): "rounds/day",
    ("casualties", "daily"): "people/day",
    ("casualties", "cumulative"): "people",
    ("casualties", "killed"): "people/day",
    ("casualties", "wounded"): "people/day",
    ("casualties", "returned"): "people/day",
    ("casualties", "tempo"): "tempo factor",
    ("contingent", "strength"): "people",
    ("contingent", "casualties"): "people/day",
    ("contingent", "cumulative"): "people",
    ("contingent", "killed"): "people",
    ("contingent", "payments"): "USD",
    ("territory", "daily_km2"): "km²/day",
    ("territory", "cumulative_km2"): "km²",
    ("territory", "daily_sqmi"): "sq mi/day",
    ("territory", "cumulative_sqmi"): "sq mi",
}

_OUTCOME_UNITS: dict[tuple[str, str], str] = {
    ("ammo", "fired_total"): _SHELLS,
    ("supply", "delivered_total"): _SHELLS,
    ("supply", "revenue"): "USD",
    ("supplier", "revenue"): "USD",
    ("fleet", "worn_out"): "barrels",
    ("fleet", "destroyed"): "guns",
    ("fleet", "written_off"): "guns",
    ("fleet", "serviceable_end"): "guns",
    ("casualties", "run_total"): "people",
    ("contingent", "rate_per_30d"): "per soldier per 30 days",
    ("contingent", "casualties"): "people",
    ("contingent", "killed"): "people",
    ("contingent", "payments"): "USD",
    ("territory", "total_km2"): "km²",
    ("territory", "total_sqmi"): "sq mi",
    ("territory", "casualties_per_km2"): "people/km²",
    ("territory", "casualties_per_sqmi"): "people/sq mi",
    ("territory", "years_to_reference"): "years",
}

_WORDS: dict[tuple[str, str], str] = {
    ("fire", "effective"): "effective fire",
    ("ammo", "stock"): "stock",
    ("ammo", "duds"): "duds in stock",
    ("ammo", "delivered"): "delivered",
    ("ammo", "demand"): "demand",
    ("ammo", "fired"): "fired",
    ("ammo", "duds_fired"): "duds fired",
    ("ammo", "shortfall"): "shortfall",
    ("ammo", "effective_fire"): "effective fire",
    ("ammo", "days_to_empty"): "days until the stock is down to the reserve",
    ("ammo", "fired_total"): "fired in the run",
    ("fleet", "serviceable"): "serviceable guns",
    ("fleet", "waiting"): "guns waiting for a barrel",
    ("fleet", "repair"): "guns in repair",
    ("fleet", "destroyed"): "guns destroyed",
    ("fleet", "written_off"): "guns written off",
    ("fleet", "worn_out"): "barrels worn out",
    ("fleet", "delivered"): "guns delivered",
    ("fleet", "spares"): "spare barrels",
    ("fleet", "wear"): "mean barrel wear",
    ("fleet", "accuracy"): "accuracy factor",
    ("fleet", "fired"): "rounds fired",
    ("fleet", "days_to_half"): "days until half the guns are unserviceable",
    ("fleet", "serviceable_end"): "serviceable guns at the end",
    ("casualties", "daily"): "casualties per day",
    ("casualties", "cumulative"): "casualties, cumulative",
    ("casualties", "killed"): "killed per day",
    ("casualties", "wounded"): "wounded per day",
    ("casualties", "returned"): "returned to duty per day",
    ("casualties", "tempo"): "tempo",
    ("casualties", "run_total"): "casualties in the run",
    ("contingent", "strength"): "strength",
    ("contingent", "casualties"): "casualties per day",
    ("contingent", "cumulative"): "casualties, cumulative",
    ("contingent", "killed"): "killed, cumulative",
    ("contingent", "payments"): "payments, cumulative",
    ("contingent", "rate_per_30d"): "casualty rate per 30 days",
    ("territory", "daily_km2"): "area taken per day",
    ("territory", "cumulative_km2"): "area taken, cumulative",
    ("territory", "daily_sqmi"): "area taken per day",
    ("territory", "cumulative_sqmi"): "area taken, cumulative",
    ("territory", "total_km2"): "area taken in the run",
    ("territory", "total_sqmi"): "area taken in the run",
    ("territory", "casualties_per_km2"): "casualties per km² taken",
    ("territory", "casualties_per_sqmi"): "casualties per sq mi taken",
    ("territory", "years_to_reference"): "years to take the reference area at this pace",
    ("supply", "delivered"): "delivered",
    ("supply", "duds"): "duds delivered",
    ("supply", "delivered_total"): "delivered in the run",
    ("supply", "revenue"): "revenue",
    ("supplier", "revenue"): "revenue",
}

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


def _parts(name: str) -> tuple[str, str, str, str] | None:
    p = name.split(".")
    if len(p) != 4:
        return None
    return p[0], p[1], p[2], p[3]


def unit(name: str, *, outcome: bool | None = None) -> str:
    """The unit of a series or outcome, from its name ('' when unknown).

    ``outcome=None`` guesses: a name whose quantity is known as a series is a
    series (``fleet.*.worn_out`` is both; the series is cumulative guns).
    """
    p = _parts(name)
    if p is None:
        return ""
    _, module, _, q = p
    if q.startswith("days_to"):
        return "days"
    if outcome is not True and (module, q) in _SERIES_UNITS:
        return _SERIES_UNITS[(module, q)]
    return _OUTCOME_UNITS.get((module, q), _SERIES_UNITS.get((module, q), ""))


def label(name: str) -> str:
    """A readable label: ``'russia.fleet.msta_b.serviceable'`` -> ``'Russia: msta_b serviceable guns'``."""
    p = _parts(name)
    if p is None:
        return name
    side, module, item, q = p
    words = _WORDS.get((module, q))
    if words is None and q.startswith("days_to_"):
        rest = q[len("days_to_") :]
        words = f"days until {int(rest):,}" if rest.isdigit() else q.replace("_", " ")
    if words is None:
        words = q.replace("_", " ")
    if module == "casualties" and q.startswith("days_to_") and q[len("days_to_") :].isdigit():
        words = f"days until {int(q[len('days_to_') :]):,} casualties"
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


# (component kind, field) -> unit, for the scenario's own values
_FIELD_UNITS: dict[tuple[str, str], str] = {
    ("calibers", "initial_stock"): "shells",
    ("calibers", "reserve"): "shells",
    ("calibers", "reserve_days"): "days",
    ("supply", "rate"): "shells/day",
    ("supply", "growth"): "per year",
    ("supply", "lot_size"): "shells",
    ("supply", "price"): "USD/shell",
    ("fleets", "guns"): "guns",
    ("fleets", "efc_per_round"): "EFC",
    ("fleets", "barrel_life"): "EFC",
    ("fleets", "spares"): "barrels",
    ("fleets", "spare_rate"): "barrels/day",
    ("fleets", "repair_days"): "days",
    ("fleets", "max_wait_days"): "days",
    ("fleets", "combat_loss"): "per gun-day",
    ("contingents", "strength"): "people",
    ("contingents", "rtd_days"): "days",
    ("contingents", "arrival_rate"): "people/day",
    ("contingents", "payment"): "USD/soldier-day",
    ("casualties", "base"): "people/day",
    ("casualties", "initial_cumulative"): "people",
    ("casualties", "thresholds"): "people",
    ("territory", "rate"): "km²/day",
    ("territory", "reference_area_km2"): "km²",
}


def field_unit(kind: str, field: str) -> str:
    """The unit of a scenario field (``field_unit("fleets", "barrel_life")`` is ``'EFC'``), '' when none."""
    return _FIELD_UNITS.get((kind, field), "")
