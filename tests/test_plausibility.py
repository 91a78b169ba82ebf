"""Values that validate but are almost surely mistakes warn with their path; the built-ins do not."""

import json
import pathlib
import warnings

import pytest

import attrition
from attrition import ScenarioWarning, cli

DATA = pathlib.Path(__file__).parent / "data"


def baseline():
    return json.loads(json.dumps(attrition.Scenario.builtin("baseline-2024-12").to_dict()))


def caught(d):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sc = attrition.Scenario.from_dict(d)
    assert [str(x.message) for x in w if x.category is ScenarioWarning] == sc.warnings()
    return sc.warnings()


@pytest.mark.parametrize("name", attrition.builtins())
def test_the_builtins_do_not_warn(name):
    assert attrition.Scenario.builtin(name).warnings() == []  # and pytest runs with warnings as errors


def test_a_growth_written_as_a_percentage():
    d = baseline()
    d["sides"]["russia"]["supply"]["domestic_152"]["growth"] = 30
    (w,) = caught(d)
    assert w.startswith("sides.russia.supply.domestic_152.growth: 30 is a yearly growth of +3,000 %")
    d["sides"]["russia"]["supply"]["domestic_152"]["growth"] = {"dist": "uniform", "low": 0.1, "high": 25}
    assert caught(d)[0].startswith("sides.russia.supply.domestic_152.growth: 25")
    d["sides"]["russia"]["supply"]["domestic_152"]["growth"] = 0.3
    assert caught(d) == []


def test_a_combat_loss_written_as_a_percentage():
    d = baseline()
    d["sides"]["ukraine"]["fleets"]["m777_155"]["combat_loss"] = 0.5
    (w,) = caught(d)
    assert w.startswith("sides.ukraine.fleets.m777_155.combat_loss: 0.5 is a daily probability")


def test_a_fleet_without_spares_loses_every_gun():
    d = baseline()
    f = d["sides"]["russia"]["fleets"]["msta_b"]
    f["spares"], f["spare_rate"] = 0, 0
    del f["max_wait_days"]
    (w,) = caught(d)
    assert w.startswith("sides.russia.fleets.msta_b.spares: no spare barrels") and "every gun is lost" in w
    # saying what happens to a worn gun (max_wait_days) is saying the losses are meant, as for the Koksan
    f["max_wait_days"] = 120
    assert caught(d) == []


def test_a_contingent_that_takes_every_casualty_within_days():
    """The README's old example: one 11,000-strong contingent and 1,500 casualties a day."""
    d = {
        "name": "example",
        "start": "2024-12-24",
        "days": 730,
        "sides": {
            "russia": {
                "calibers": {"152mm": {"initial_stock": 4e6}},
                "casualties": {"base": 1500, "dispersion": 8},
                "contingents": {"dprk": {"strength": 11000, "relative_risk": 3, "killed_fraction": 0.2}},
            }
        },
    }
    (w,) = caught(d)
    assert w.startswith("sides.russia.contingents.dprk.strength: 11,000 people take 100 % of the side's 1,500")
    assert "used up in about 7 days" in w


def test_a_window_that_never_opens():
    d = baseline()
    d["sides"]["russia"]["supply"]["dprk_152"]["start"] = "2027-03-01"
    d["sides"]["russia"]["contingents"]["dprk"]["arrivals_end"] = "2024-12-01"
    w = caught(d)
    assert w == [
        "sides.russia.supply.dprk_152: the window (from 2027-03-01) lies outside the run "
        "(2024-12-24 to 2026-12-23), so it never opens",
        "sides.russia.contingents.dprk.arrivals: the window (until 2024-12-01) lies outside the run "
        "(2024-12-24 to 2026-12-23), so it never opens",
    ]


def test_with_values_warns_and_copies_do_not_warn_again():
    import pickle

    s = attrition.Scenario.builtin("baseline-2024-12")
    with pytest.warns(ScenarioWarning, match="growth"):
        bad = s.with_values({"sides.russia.supply.domestic_152.growth": 30})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = pickle.loads(pickle.dumps(bad))
    assert again == bad and again.warnings() == bad.warnings()


def test_validate_strict_refuses_warnings(tmp_path, capsys):
    p = tmp_path / "growth.toml"
    sc = attrition.Scenario.load(DATA / "two_sides.toml")
    p.write_text(sc.to_toml())
    argv = ["validate", str(p), "--set", "sides.red.supply.home.growth=30"]
    assert cli.main(argv) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: sides.red.supply.home.growth: 30 is a yearly growth")
    assert cli.main([*argv, "--strict"]) == 2
    err = capsys.readouterr().err
    assert "error: sides.red.supply.home.growth" in err and "refused by --strict" in err
    assert cli.main(["validate", "baseline-2024-12", "--strict"]) == 0


def test_run_prints_warnings_once_without_a_source_line(capsys):
    argv = ["run", "-n", "5", "--seed", "1", "--set", "sides.russia.supply.domestic_152.growth=30", "--json"]
    assert cli.main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("warning: sides.russia.supply.domestic_152.growth") == 1 and "ScenarioWarning" not in err
