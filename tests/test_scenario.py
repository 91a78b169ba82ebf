"""Scenario files and dicts: round trips, validation errors with paths."""

import copy
import datetime as dt
import pickle

import pytest

import attrition
from attrition import Scenario, ScenarioError


def test_errors_hierarchy():
    assert issubclass(attrition.ScenarioError, attrition.AttritionError)
    assert issubclass(attrition.ScenarioError, ValueError)
    assert issubclass(attrition.ResourceError, attrition.AttritionError)
    assert issubclass(attrition.ResourceError, MemoryError)


def test_toml_and_dict_round_trip(small, tmp_path):
    d = small.to_dict()
    assert Scenario.from_dict(d) == small
    assert Scenario.from_dict(d).to_dict() == d
    again = Scenario.from_toml(small.to_toml())
    assert again == small and again.to_dict() == d
    p = tmp_path / "s.toml"
    small.save(p)
    assert Scenario.load(p) == small
    assert pickle.loads(pickle.dumps(small)) == small


def test_builtins_round_trip():
    names = attrition.builtins()
    assert "baseline-2024-12" in names
    for name in names:
        s = Scenario.builtin(name)
        assert Scenario.from_toml(s.to_toml()) == s
        assert Scenario.from_dict(s.to_dict()) == s


def test_dates_accept_date_objects(small_dict):
    small_dict["start"] = dt.date(2025, 1, 1)
    s = Scenario.from_dict(small_dict)
    assert s.start == dt.date(2025, 1, 1)
    assert str(s.dates[0]) == "2025-01-01"


def test_with_values(small):
    s2 = small.with_values(
        {
            "days": 50,
            "sides.red.supply.home.end": "2025-01-20",
            "sides.red.fleets.guns.barrel_life": {"dist": "uniform", "low": 1000, "high": 2000},
        }
    )
    assert s2.days == 50 and small.days == 100
    d = s2.to_dict()
    assert d["sides"]["red"]["supply"]["home"]["end"] == "2025-01-20"
    assert d["sides"]["red"]["fleets"]["guns"]["barrel_life"]["dist"] == "uniform"
    with pytest.raises(ScenarioError, match=r"sides\.red\.fleets\.guns\.barrel_lif\b.*did you mean `barrel_life`"):
        small.with_values({"sides.red.fleets.guns.barrel_lif": 2})
    with pytest.raises(ScenarioError, match=r"sides\.redd.*did you mean `red`"):
        small.with_values({"sides.redd.ref_fire": 2})


def test_uncertain_lists_distributions(small):
    u = {row["path"]: row for row in small.uncertain_list()}
    assert set(u) == {"sides.red.calibers.152mm.initial_stock", "sides.red.fleets.guns.barrel_life"}
    row = u["sides.red.fleets.guns.barrel_life"]
    assert row["distribution"] == "pert(1500, 2000, 3000)"
    assert (row["low"], row["high"]) == (1500, 3000)


def _set(d, path, value):
    d = copy.deepcopy(d)
    cur = d
    parts = path.split(".")
    for p in parts[:-1]:
        cur = cur[p]
    if value is _DELETE:
        del cur[parts[-1]]
    else:
        cur[parts[-1]] = value
    return d


_DELETE = object()

BAD = [
    # (path, value, expected fragment of the message)
    (
        "sides.red.fleets.guns.barrel_life",
        {"dist": "pert", "low": 2000, "mode": 1500, "high": 3000},
        "sides.red.fleets.guns.barrel_life: pert needs low <= mode <= high, got low=2000, mode=1500, high=3000",
    ),
    ("sides.red.fleets.guns.guns", float("nan"), "sides.red.fleets.guns.guns: must be a finite number"),
    ("sides.red.fleets.guns.guns", float("inf"), "sides.red.fleets.guns.guns: must be a finite number"),
    ("sides.red.fleets.guns.guns", -5, "sides.red.fleets.guns.guns: must be between 0 and 1e6 guns"),
    (
        "sides.red.calibers.152mm.initial_stock",
        {"dist": "uniform", "low": 10, "high": 1},
        "sides.red.calibers.152mm.initial_stock: uniform needs low <= high",
    ),
    ("sides.red.fleets.guns.combat_loss", 1.5, "sides.red.fleets.guns.combat_loss: must be a probability in [0, 1]"),
    (
        "sides.red.contingents.main.killed_fraction",
        {"dist": "normal", "mean": 0.3, "sd": 0.1},
        "sides.red.contingents.main.killed_fraction: must be a probability in [0, 1], but normal(0.3, 0.1)",
    ),
    ("sides.red.fleets.guns.rounds_per_gun_day", "five", "sides.red.fleets.guns.rounds_per_gun_day: expected a number"),
    ("sides.red.fleets.guns.barrel_lief", 2000, "did you mean `barrel_life`"),
    ("sides.red.fleets.guns.caliber", _DELETE, "sides.red.fleets.guns.caliber: missing required key"),
    ("sides.red.fleets.guns.caliber", "152", 'sides.red.fleets.guns.caliber: no caliber named "152"'),
    ("sides.red.casualties.dispersion", {"dist": "normal", "mean": 5, "sd": -1}, "normal needs sd >= 0"),
    ("sides.red.supply.home.start", "2025-02-30", "sides.red.supply.home.start"),
    (
        "sides.red.supply.home",
        {"caliber": "152mm", "rate": 1, "start": "2025-06-01", "end": "2025-01-01"},
        "sides.red.supply.home.end: the window ends before it starts",
    ),
    ("days", 0, "days: must be between 1 and"),
    ("days", -1, "days: invalid value"),
    (
        "sides.red.fleets.guns.barrel_life",
        {"dist": "perty", "low": 1, "mode": 2, "high": 3},
        "unknown distribution `perty` (did you mean `pert`?)",
    ),
    ("sides.red.fleets.guns.barrel_life", {"dist": "beta", "a": 0, "b": 1}, "beta needs a > 0 and b > 0"),
    (
        "sides.red.fleets.guns.barrel_life",
        {"dist": "choice", "values": [1, 2], "weights": [1]},
        "choice needs one weight per value",
    ),
    (
        "sides.red.fleets.guns.barrel_life",
        {"dist": "normal", "mean": 0, "sd": 1, "low": 100, "high": 200},
        "keeps no probability mass",
    ),
    ("sides.red.fleets.guns.accuracy_exponent", 4, "sides.red.fleets.guns.accuracy_exponent: must be 1, 2 or 3"),
    (
        "sides.red.fleets.guns.deliveries",
        {"rate": 1, "lot_size": 0.5},
        "sides.red.fleets.guns.deliveries.lot_size: must be >= 1",
    ),
    ("sides.red.opponent", "green", 'sides.red.opponent: no side named "green"'),
    ("sides.red.fleets.guns.efc_per_round", True, "sides.red.fleets.guns.efc_per_round: expected a number"),
    ("sides.red.fleets.guns.efc_per_round", None, "sides.red.fleets.guns.efc_per_round: wrong type"),
]


@pytest.mark.parametrize("path,value,fragment", BAD, ids=[f"{p}={v!r}"[:60] for p, v, _ in BAD])
def test_bad_values_name_path_and_rule(small_dict, path, value, fragment):
    with pytest.raises(ScenarioError) as e:
        Scenario.from_dict(_set(small_dict, path, value))
    assert fragment in str(e.value)


def test_bad_toml_texts():
    with pytest.raises(ScenarioError, match="not valid TOML"):
        Scenario.from_toml("name = ")
    with pytest.raises(
        ScenarioError, match=r"sides\.red\.calibers\.x\.initial_stock: must be a finite number, got NaN|nan"
    ):
        Scenario.from_toml('name="x"\nstart=2024-01-01\n[sides.red.calibers.x]\ninitial_stock = nan\n')
    with pytest.raises(ScenarioError, match="start: expected a date"):
        Scenario.from_toml('name="x"\nstart=2024-01-01T10:00:00\n[sides.red]\n')
    with pytest.raises(ScenarioError, match="sides: a scenario needs at least one side"):
        Scenario.from_toml('name="x"\nstart=2024-01-01\n[sides]\n')


def test_several_problems_are_listed(small_dict):
    d = _set(small_dict, "sides.red.fleets.guns.guns", -1)
    d = _set(d, "sides.red.fleets.guns.combat_loss", 2)
    with pytest.raises(ScenarioError) as e:
        Scenario.from_dict(d)
    msg = str(e.value)
    assert "2 problems" in msg and "guns.guns" in msg and "combat_loss" in msg


def test_non_mapping_is_type_error():
    with pytest.raises(TypeError):
        Scenario.from_dict([1, 2, 3])
    with pytest.raises(TypeError):
        attrition.run(42)


def test_file_limits(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_bytes(b'name = "\xff\xfe"\n')
    with pytest.raises(ScenarioError, match="not UTF-8"):
        Scenario.load(p)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (attrition.MAX_SCENARIO_BYTES + 1))
    with pytest.raises(ScenarioError, match="limit"):
        Scenario.load(big)


def test_unknown_builtin():
    with pytest.raises(KeyError, match="baseline-2024-12"):
        Scenario.builtin("baseline-2024")
