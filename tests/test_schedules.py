"""Rates that change over time: schedules of dated segments (stepwise or linear, each
segment's value a parameter) and series read from a CSV file when a scenario is loaded."""

import os
import pickle

import numpy as np
import pytest

import attrition
from attrition import Scenario, ScenarioError

#: A step: 50 shells a day, then 200 a day from day 100 (2024-04-10).
STEP = {"schedule": [{"from": "2024-01-01", "value": 50}, {"from": "2024-04-10", "value": 200}]}


def line(rate, days: int = 200) -> dict:
    return {
        "name": "sched",
        "start": "2024-01-01",
        "days": days,
        "sides": {"red": {"calibers": {"c": {"initial_stock": 0}}, "supply": {"l": {"caliber": "c", "rate": rate}}}},
    }


def delivered(s: Scenario, n: int = 40, seed: int = 7) -> np.ndarray:
    return attrition.run(s, n=n, seed=seed, series=["red.supply.l.delivered"]).series("red.supply.l.delivered")


def test_a_step_keeps_the_constant_rate_before_it_and_the_new_rate_after():
    const, step = delivered(Scenario.from_dict(line(50))), delivered(Scenario.from_dict(line(STEP)))
    # Common random numbers: the same deliveries, day for day, before the step.
    np.testing.assert_array_equal(const[:, :100], step[:, :100])
    # After it, Poisson(200 a day): the pooled total of 40 x 100 days within 3.3 sd (alpha = 0.001).
    mean = 40 * 100 * 200
    assert abs(step[:, 100:].sum() - mean) <= 3.3 * mean**0.5


def test_a_linear_schedule_by_its_mean():
    rate = {"schedule": [{"from": "2024-01-11", "value": 0}, {"from": "2024-04-20", "value": 100}]}
    d = delivered(Scenario.from_dict(line(rate | {"interpolate": "linear"}, days=150)))
    mean = 40 * (sum(range(100)) + 100 * 40)  # day 10 + k has mean k, then 100 a day
    assert abs(d.sum() - mean) <= 3.3 * mean**0.5
    assert not d[:, :11].any()


def test_an_uncertain_segment_is_drawn_per_trajectory_under_its_path():
    rate = {"schedule": [{"from": "2024-01-01", "value": 10}, {"from": "2024-02-01", "value": "100 to 200"}]}
    s = Scenario.from_dict(line(rate, days=60))
    assert [u["path"] for u in s.uncertain_list()] == ["sides.red.supply.l.rate.schedule[1].value"]
    r = attrition.run(s, n=200, seed=3)
    drawn = r.params["sides.red.supply.l.rate.schedule[1].value"]
    assert drawn.shape == (200,) and 100 < np.median(drawn) < 200
    # The same trajectory draws the same value whatever the run's size (common random numbers).
    again = attrition.run(s, n=20, seed=3).params["sides.red.supply.l.rate.schedule[1].value"]
    np.testing.assert_array_equal(drawn[:20], again)


def test_a_scenario_without_schedules_is_unchanged_by_a_schedule_of_one_constant_segment():
    one = {"schedule": [{"from": "2024-01-01", "value": 50}]}
    np.testing.assert_array_equal(delivered(Scenario.from_dict(line(50))), delivered(Scenario.from_dict(line(one))))


def test_schedules_round_trip_through_dicts_toml_pickle_and_overlays():
    rate = STEP | {"interpolate": "linear"}
    s = Scenario.from_dict(line(rate))
    assert s.to_dict()["sides"]["red"]["supply"]["l"]["rate"] == rate
    assert Scenario.from_dict(s.to_dict()) == s
    assert Scenario.from_toml(s.to_toml()) == s
    assert pickle.loads(pickle.dumps(s)) == s
    assert "from = 2024-04-10" in s.to_toml()
    # An overlay replaces a built-in's distribution by a schedule, and back.
    base = Scenario.builtin("baseline-2024-12")
    path = "sides.russia.supply.dprk_152.rate"
    sched = {"schedule": [{"from": "2024-12-24", "value": 8000}, {"from": "2025-07-01", "value": "2000 to 8000"}]}
    v = base.with_values({path: sched})
    assert v.to_dict()["sides"]["russia"]["supply"]["dprk_152"]["rate"] == sched
    text = (
        'extends = "baseline-2024-12"\n[sides.russia.supply.dprk_152]\nrate = { schedule = ['
        '{ from = 2024-12-24, value = 8000 }, { from = 2025-07-01, value = "2000 to 8000" }] }\n'
    )
    assert Scenario.from_toml(text).to_dict()["sides"]["russia"]["supply"]["dprk_152"]["rate"] == sched
    assert "rate schedule (step): from 2024-12-24 8,000; from 2025-07-01 ~2000 to 8000" in " ".join(str(v).split())
    r = attrition.run(v.with_values({"days": 30}), n=4, seed=1)
    assert r.params[f"{path}.schedule[1].value"].shape == (4,)


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        (
            {"schedule": [{"from": "2024-03-01", "value": 1}, {"from": "2024-02-01", "value": 2}]},
            "sides.red.supply.l.rate.schedule[1].from: the dates must increase",
        ),
        (
            {"schedule": [{"from": "2024-03-01", "value": -1}]},
            "sides.red.supply.l.rate.schedule[0].value: must be >= 0",
        ),
        ({"schedule": []}, "sides.red.supply.l.rate.schedule: a schedule needs at least one segment"),
        ({"schedule": [{"from": "2024-03-01"}]}, "sides.red.supply.l.rate.schedule[0].value: missing required key"),
        (
            {"schedule": [{"from": "2024-03-01", "value": 1}], "interpolate": "spline"},
            "sides.red.supply.l.rate.interpolate",
        ),
        ({"csv": "rates.csv", "column": "x"}, 'sides.red.supply.l.rate.csv: "rates.csv" is a relative path'),
    ],
)
def test_bad_schedules_name_their_path_and_rule(rate, message):
    with pytest.raises(ScenarioError) as e:
        Scenario.from_dict(line(rate))
    assert message in str(e.value)


def write_scenario(folder, rate_toml: str) -> str:
    text = Scenario.from_dict(line(50)).to_toml().replace("rate = 50", f"rate = {rate_toml}")
    path = folder / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_csv_series_gives_what_the_same_schedule_written_inline_gives(tmp_path):
    (tmp_path / "rates.csv").write_text("date,per_day\n2024-01-01,50\n2024-04-10,200\n", encoding="utf-8")
    from_csv = Scenario.load(write_scenario(tmp_path, '{ csv = "rates.csv", column = "per_day" }'))
    inline = Scenario.from_dict(line(STEP))
    assert from_csv == inline
    np.testing.assert_array_equal(delivered(from_csv, n=5), delivered(inline, n=5))
    # The scenario holds the series: it runs and saves without the file.
    (tmp_path / "rates.csv").unlink()
    assert Scenario.from_toml(from_csv.to_toml()) == inline
    # A dict or a text takes an absolute path.
    (tmp_path / "abs.csv").write_text("day,v\n2024-01-01,50\n2024-04-10,200\n", encoding="utf-8")
    rate = {"csv": str(tmp_path / "abs.csv"), "column": "v", "date_column": "day"}
    assert Scenario.from_dict(line(rate)) == inline


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("date,per_day\n2024-01-02,5\n2024-01-01,6\n", "line 3: the dates must increase"),
        ("date,per_day\n2024-01-01,many\n", 'line 2, column "per_day": "many" is not a number'),
        ("date,rate\n2024-01-01,5\n", 'has no column "per_day"'),
        ("date,per_day\n", "has a header but no rows"),
    ],
)
def test_csv_problems_are_scenario_errors_naming_the_rate_and_the_file(tmp_path, body, message):
    (tmp_path / "rates.csv").write_text(body, encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        Scenario.load(write_scenario(tmp_path, '{ csv = "rates.csv", column = "per_day" }'))
    text = str(e.value)
    assert text.startswith("sides.red.supply.l.rate.csv: ") and "rates.csv" in text and message in text


def test_a_csv_file_above_the_limit_is_refused(tmp_path):
    rows = "".join(f"{2024 + i // 365}-01-01,1\n" for i in range(10))
    big = "date,per_day\n" + rows + "x" * (4 << 20)
    (tmp_path / "rates.csv").write_text(big, encoding="utf-8")
    with pytest.raises(ScenarioError, match="the limit is 4194304"):
        Scenario.load(write_scenario(tmp_path, '{ csv = "rates.csv", column = "per_day" }'))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_as_a_csv_series_is_refused_without_waiting(tmp_path):
    # nobody writes to the pipe: opening it for reading would wait for ever
    os.mkfifo(tmp_path / "rates.csv")
    with pytest.raises(ScenarioError, match="is not a regular file"):
        Scenario.load(write_scenario(tmp_path, '{ csv = "rates.csv", column = "per_day" }'))


def test_the_json_schema_describes_schedules_and_csv_series():
    jsonschema = pytest.importorskip("jsonschema")
    from attrition.scenario import json_schema
    from attrition.scenario.reference import fields

    check = jsonschema.Draft202012Validator(json_schema(), format_checker=jsonschema.FormatChecker())
    assert not list(check.iter_errors(line(STEP | {"interpolate": "linear"})))
    assert not list(check.iter_errors(line({"csv": "rates.csv", "column": "per_day"})))
    assert list(check.iter_errors(line({"schedule": [{"from": "2024-01-01", "value": 1, "to": 2}]})))
    assert list(check.iter_errors(line({"schedule": [{"from": "2024-01-01", "value": 1}], "interpolate": "cubic"})))
    rates = {
        (t, f["name"]) for t in ("SupplyLine", "Fleet", "Contingent") for f in fields(t) if "schedule" in f["kind"]
    }
    assert rates == {
        ("SupplyLine", "rate"),
        ("Fleet", "rounds_per_gun_day"),
        ("Fleet", "combat_loss"),
        ("Contingent", "arrival_rate"),
    }
