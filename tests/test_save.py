"""Scenario.save() writes a file people can read (a variant as what differs from its
built-in, units as comments) that loads back as the same scenario."""

from __future__ import annotations

import pathlib
import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings

import attrition
from attrition import Scenario

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import _strategies as S  # noqa: E402


def _round_trip(s: Scenario, path: pathlib.Path) -> str:
    s.save(path)
    back = Scenario.load(path)
    assert back == s
    assert back.to_dict() == s.to_dict() and back.extends == s.extends
    assert back.provenance_list() == s.provenance_list()
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", attrition.builtins())
def test_builtins_load_back_equal(tmp_path, name):
    text = _round_trip(Scenario.builtin(name), tmp_path / "s.toml")
    if name == "baseline-2024-12":
        assert text.startswith('name = "baseline-2024-12"\n') and "\n[sources]\n" in text
    else:
        assert text.startswith('extends = "baseline-2024-12"') and "initial_stock" not in text


def test_a_variant_is_saved_as_what_differs(tmp_path):
    s = Scenario.builtin("dprk-cutoff-2025-01-20").with_values(
        {"sides.russia.supply.dprk_152.end": "2025-06-30", "sides.russia.fleets.msta_s.guns": 600}
    )
    text = _round_trip(s, tmp_path / "v.toml")
    assert "\n[sides.russia.supply.dprk_152]\nend = 2025-06-30\n" in text
    assert "\nguns = 600  # guns\n" in text
    # only what differs: the baseline's other values and sources are not repeated
    assert "rounds_per_gun_day" not in text and "nk-shells-annual-2024" not in text
    # every value line of a number carries its unit
    for line in text.splitlines():
        if re.match(r"^(guns|rate|days) = ", line):
            assert "  # " in line, line


def test_a_scenario_of_its_own_is_saved_whole_with_units(tmp_path, small):
    text = _round_trip(small, tmp_path / "small.toml")
    assert not text.startswith("extends") and re.search(r"\nbarrel_life = .*  # EFC\n", text)


# Random scenarios are often implausible (a window outside the run): that is not what this tests.
@pytest.mark.filterwarnings("ignore::attrition.ScenarioWarning")
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(S.seeded_scenarios())
def test_random_valid_scenarios_load_back_equal(tmp_path, d):
    s = Scenario.from_dict(d)
    _round_trip(s, tmp_path / "random.toml")
    assert Scenario.from_toml(s.to_toml()) == s
