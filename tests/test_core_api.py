"""The parts of the extension's API that the Python layer builds on, through
``attrition._core`` directly: the registry of series and outcomes, the
distributions' inverse CDFs, the built-in scenarios and their overlays, and
the exceptions each error raises."""

import pathlib
import re

import pytest
from attrition import _core

DATA = pathlib.Path(__file__).parent / "data"


def small() -> _core.Scenario:
    return _core.Scenario.from_toml((DATA / "two_sides.toml").read_text("utf-8"))


# -- registry ----------------------------------------------------------------------------
def _matches(pattern: str, name: str) -> bool:
    rx = "".join("[^.]+" if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[a-z]+\})", pattern))
    return re.fullmatch(rx, name) is not None


def test_kinds_describe_every_name():
    series, outcomes = _core.series_kinds(), _core.outcome_kinds()
    assert {"pattern", "unit", "description", "owner"} == set(series[0])
    assert {"pattern", "unit", "description", "owner", "first_passage", "key"} == set(outcomes[0])
    owners = {"ammo", "fleet", "personnel", "territory", "side"}
    for k in series + outcomes:
        assert k["unit"] and k["description"].endswith(".") and k["owner"] in owners, k
    for kinds in (series, outcomes):
        patterns = [k["pattern"] for k in kinds]
        assert len(set(patterns)) == len(patterns)
    first = {k["pattern"] for k in outcomes if k["first_passage"]}
    assert first == {
        "{side}.ammo.{caliber}.days_to_empty",
        "{side}.fleet.{fleet}.days_to_half",
        "{side}.casualties.total.days_to_{threshold}",
    }
    assert {k["pattern"] for k in outcomes if k["key"]} == {
        "{side}.ammo.{caliber}.days_to_empty",
        "{side}.fleet.{fleet}.days_to_half",
        "{side}.fleet.{fleet}.serviceable_end",
        "{side}.fleet.{fleet}.worn_out",
        "{side}.fleet.{fleet}.written_off",
        "{side}.fleet.{fleet}.destroyed",
        "{side}.casualties.total.days_to_{threshold}",
        "{side}.casualties.total.run_total",
        "{side}.contingent.{contingent}.rate_per_30d",
        "{side}.territory.area.casualties_per_sqmi",
        "{side}.territory.area.years_to_reference",
        "{side}.supplier.{supplier}.revenue",
    }
    unit = {k["pattern"]: k["unit"] for k in series}
    assert unit["{side}.fleet.{fleet}.serviceable"] == "guns"
    assert unit["{side}.ammo.{caliber}.stock"] == "shells"
    assert unit["{side}.territory.area.daily_km2"] == "km²/day"


@pytest.mark.parametrize("name", _core.builtin_names() if hasattr(_core, "builtin_names") else [])
def test_info_of_the_builtins(name):
    check_info(_core.Scenario.builtin(name))


def test_info_in_id_order():
    check_info(small())


def check_info(sc: _core.Scenario) -> None:
    series, outcomes = sc.series_info(), sc.outcome_info()
    assert [e["name"] for e in series] == sc.series_names
    assert [e["name"] for e in outcomes] == sc.outcome_names
    for infos, kinds in ((series, _core.series_kinds()), (outcomes, _core.outcome_kinds())):
        by_pattern = {k["pattern"]: k for k in kinds}
        for e in infos:
            k = by_pattern[e["pattern"]]
            assert _matches(e["pattern"], e["name"]), (e["pattern"], e["name"])
            assert {x: e[x] for x in k} == k
    assert set(series[0]) == {"name", "unit", "description", "owner", "pattern"}
    assert set(outcomes[0]) == {"name", "unit", "description", "owner", "pattern", "first_passage", "key"}
