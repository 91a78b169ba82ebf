"""Limits: degenerate but valid inputs run; requests that cannot be served are
refused up front with a clear message."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import attrition
from attrition import ResourceError, Scenario, ScenarioError


def one_side(**fleet) -> dict:
    f = {"caliber": "c", "guns": 10, "rounds_per_gun_day": 5, "barrel_life": 2000}
    f.update(fleet)
    return {
        "name": "one",
        "start": "2024-12-24",
        "days": 20,
        "sides": {"a": {"calibers": {"c": {"initial_stock": 1000}}, "fleets": {"f": f}}},
    }


# ----------------------------------------------------------------------------- degenerate inputs
def test_one_trajectory_one_day(small):
    s = small.with_values({"days": 1})
    r = attrition.run(s, n=1, seed=1, series="all")
    assert r.n == 1 and r.days == 1 and len(r.dates) == 1
    for name in r.series_names:
        assert r.series(name).shape == (1, 1)
    assert all(v.shape == (1,) for v in r.outcomes.values())
    assert r.summary("red.ammo.152mm.stock").shape[0] == 1
    r2 = attrition.run(s, n=1, seed=1, series="all", paths=False)
    assert r2.stats("red.ammo.152mm.stock")["count"].tolist() == [1.0]


def test_zero_guns():
    r = attrition.run(one_side(guns=0), n=3, seed=1, series="all")
    assert (r.series("a.fleet.f.serviceable") == 0).all()
    assert (r.series("a.ammo.c.demand") == 0).all() and (r.series("a.ammo.c.stock") == 1000).all()
    assert (r.series("a.fleet.f.accuracy") == 1).all() and (r.series("a.fleet.f.wear") == 0).all()
    assert np.isnan(r.outcomes["a.fleet.f.days_to_half"]).all()
    assert np.isnan(r.outcomes["a.ammo.c.days_to_rationing"]).all()
    assert np.isnan(r.outcomes["a.ammo.c.days_to_empty"]).all()


def test_zero_stock_and_no_supply():
    d = one_side()
    d["sides"]["a"]["calibers"]["c"]["initial_stock"] = 0
    r = attrition.run(d, n=3, seed=1, series="all")
    assert (r.series("a.ammo.c.fired") == 0).all()
    assert (r.series("a.ammo.c.shortfall") == r.series("a.ammo.c.demand")).all()
    assert (r.outcomes["a.ammo.c.days_to_rationing"] == 0).all()
    assert (r.outcomes["a.ammo.c.days_to_empty"] == 0).all()
    assert (r.series("a.fire.total.effective") == 0).all()


def test_rationing_and_emptiness_are_two_outcomes():
    """days_to_rationing is the first day the stock could not meet the demand, days_to_empty
    the first day it was zero: without a floor, 10 guns firing 5 rounds a day empty 1,000
    shells on day 19 and are rationed from day 20; with a floor they are rationed on the day
    the floor binds and the stock never empties (censored)."""
    d = one_side(barrel_life=1e12)
    d["days"] = 30
    r = attrition.run(d, n=3, seed=1, series=["a.ammo.c.stock"])
    assert (r.outcomes["a.ammo.c.days_to_empty"] == 19).all() and (r.outcomes["a.ammo.c.days_to_rationing"] == 20).all()
    d["sides"]["a"]["calibers"]["c"]["reserve"] = 300
    r = attrition.run(d, n=3, seed=1, series=["a.ammo.c.stock"])
    assert (r.outcomes["a.ammo.c.days_to_rationing"] == 14).all()
    assert np.isnan(r.outcomes["a.ammo.c.days_to_empty"]).all() and (r.series("a.ammo.c.stock") >= 300).all()


@pytest.mark.filterwarnings(
    "ignore::attrition.ScenarioWarning"
)  # every window closed before the start: a warning, on purpose
def test_every_supply_line_cut(small_dict):
    d = json.loads(json.dumps(small_dict))
    for side in d["sides"].values():
        for line in side.get("supply", {}).values():
            line["end"] = d["start"]  # [start, start): empty
    r = attrition.run(d, n=4, seed=2, series="all")
    for name in r.series_names:
        if ".supply." in name or name.endswith(".delivered") and ".ammo." in name:
            assert (r.series(name) == 0).all(), name
    s0 = r.params["sides.red.calibers.152mm.initial_stock"].round()
    stock = r.series("red.ammo.152mm.stock")
    assert (stock == s0[:, None] - np.cumsum(r.series("red.ammo.152mm.fired"), axis=1)).all()


# a contingent used up at once: a warning, on purpose
@pytest.mark.filterwarnings("ignore::attrition.ScenarioWarning")
def test_a_contingent_wiped_out():
    d = {
        "name": "wipe",
        "start": "2024-12-24",
        "days": 10,
        "sides": {
            "a": {
                "casualties": {"base": 1e5},
                "contingents": {
                    "small": {"strength": 100, "killed_fraction": 1},
                    "big": {"strength": 1e9, "killed_fraction": 0.1, "relative_risk": 1e-12},
                },
            }
        },
    }
    r = attrition.run(d, n=5, seed=3, series="all")
    strength = r.series("a.contingent.small.strength")
    assert (strength[:, -1] == 0).all() and (strength >= 0).all()
    assert (r.series("a.contingent.small.cumulative")[:, -1] == 100).all()
    assert (r.series("a.contingent.small.killed")[:, -1] == 100).all()
    # Casualties beyond what the contingents hold are not taken.
    assert (r.series("a.casualties.total.daily") <= 100 + r.series("a.contingent.big.casualties")).all()


def test_single_side_and_silent_opponent(small_dict):
    one = json.loads(json.dumps(small_dict))
    del one["sides"]["blue"]
    r = attrition.run(one, n=4, seed=1, series="all")
    assert np.isfinite(r.series("red.casualties.total.cumulative")).all()
    # An opponent with no fleets fires nothing: the coupled losses and gains stay finite.
    silent = json.loads(json.dumps(small_dict))
    silent["sides"]["blue"] = {"ref_fire": 1000}
    r = attrition.run(silent, n=4, seed=1, series="all")
    assert (r.series("blue.fire.total.effective") == 0).all()
    for name in r.series_names:
        assert np.isfinite(r.series(name)).all(), name
    assert (r.series("red.casualties.total.daily") == 0).all()  # alpha = 0.5: no enemy fire, no casualties


@pytest.mark.filterwarnings(
    "ignore::attrition.ScenarioWarning"
)  # one gun without spares over the longest horizon: a warning, on purpose
def test_longest_horizon_runs():
    d = one_side(guns=1)
    d["days"] = attrition.MAX_DAYS
    r = attrition.run(d, n=1, seed=1, series=["a.ammo.c.stock"])
    assert r.series("a.ammo.c.stock").shape == (1, attrition.MAX_DAYS)


# ----------------------------------------------------------------------------- refused up front
def test_days_beyond_the_maximum_are_refused():
    d = one_side()
    d["days"] = attrition.MAX_DAYS + 1
    with pytest.raises(
        ScenarioError, match=rf"^days: must be between 1 and {attrition.MAX_DAYS}, got {attrition.MAX_DAYS + 1}"
    ):
        Scenario.from_dict(d)
    for bad in [0, -1, 2**32, 1.5, "10", True]:
        d["days"] = bad
        with pytest.raises(ScenarioError, match="^days: "):
            Scenario.from_dict(d)


def test_runs_above_the_memory_budget_are_refused(small):
    with pytest.raises(ResourceError, match="MB.*budget"):
        attrition.run(small, n=10**12, seed=1)
    with pytest.raises(ResourceError, match="fewer series"):
        attrition.run(small, n=100, seed=1, series="all", max_memory=10_000)
    assert issubclass(ResourceError, MemoryError) and issubclass(ResourceError, attrition.AttritionError)


def test_unknown_series_and_outcomes_name_close_matches(small):
    with pytest.raises(KeyError, match="red.ammo.152mm.stock"):
        attrition.run(small, n=1, seed=1, series=["red.ammo.152mm.stok"])
    with pytest.raises(KeyError, match="no series named 'red.fleet.nothing.serviceable'"):
        attrition.run(small, n=1, seed=1, series=["red.fleet.nothing.serviceable"])
    r = attrition.run(small, n=2, seed=1, series=["red.ammo.152mm.stock"])
    with pytest.raises(KeyError, match="not recorded"):
        r.series("red.ammo.152mm.fired")
    with pytest.raises(KeyError, match="red.ammo.152mm.days_to_empty"):
        r.outcome("red.ammo.152mm.days_to_emtpy")
    with pytest.raises(TypeError):
        attrition.run(small, n=1, seed=1, series=[1])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 0}, "n must be a positive integer"),
        ({"n": -5}, "n must be a positive integer"),
        ({"n": 2.5}, "n must be a positive integer"),
        ({"n": True}, "n must be a positive integer"),
        ({"seed": -1}, "seed must be an integer"),
        ({"seed": 2**64}, "seed must be an integer"),
        ({"seed": 1.5}, "seed must be an integer"),
        ({"threads": 0}, "threads must be a positive integer"),
        ({"outcomes": "all"}, "outcomes must be"),
        ({"trajectories": range(5, 2)}, "trajectories must be"),
        ({"samples": {"sides.red.calibers.152mm.initial_stock": [1.0]}}, "samples"),
    ],
)
def test_bad_run_arguments_are_refused(small, kwargs, match):
    kw = {"n": 3, "seed": 1}
    kw.update(kwargs)
    with pytest.raises(ValueError, match=match):
        attrition.run(small, **kw)


def test_oversized_scenarios_are_refused(tmp_path, small):
    big = small.to_toml() + "#" * attrition.MAX_SCENARIO_BYTES
    with pytest.raises(ScenarioError, match="limit"):
        Scenario.from_toml(big)
    p = tmp_path / "big.toml"
    p.write_text(big)
    with pytest.raises(ScenarioError, match=r"big\.toml: file is \d+ bytes; the limit is"):
        Scenario.load(p)
    exact = small.to_toml()
    exact += "#" * (attrition.MAX_SCENARIO_BYTES - len(exact.encode()))
    assert Scenario.from_toml(exact) == small  # at the limit: accepted


# ----------------------------------------------------------------------------- known defects
def _subprocess(code: str, timeout: float) -> subprocess.CompletedProcess | None:
    """Run code in a fresh interpreter; None when it had to be stopped."""
    try:
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None


REFUSED = """
    import json, sys, attrition
    d = json.loads(sys.argv[1]) if len(sys.argv) > 1 else None
    try:
        {call}
    except (attrition.ScenarioError, attrition.ResourceError, ValueError) as e:
        print("refused:", e)
"""


def _refused_quickly(call: str, timeout: float = 3.0) -> None:
    p = _subprocess(REFUSED.format(call=call), timeout)
    assert p is not None, f"no answer within {timeout} s"
    assert p.returncode == 0, f"the process died (code {p.returncode}): {p.stderr[-300:]}"
    assert "refused:" in p.stdout, p.stdout


SMALL = "attrition.Scenario.load({path!r})"
DATA = pathlib.Path(__file__).parent / "data"


def test_absurd_gun_counts_are_refused(small):
    path = str(DATA / "two_sides.toml")
    _refused_quickly(
        f"attrition.run({SMALL.format(path=path)}.with_values("
        "{'sides.red.fleets.guns.guns': 1e10, 'days': 2}), n=1, seed=1)"
    )


def test_absurd_gun_deliveries_are_refused(small):
    path = str(DATA / "two_sides.toml")
    _refused_quickly(
        f"attrition.run({SMALL.format(path=path)}.with_values("
        "{'sides.red.fleets.guns.deliveries': {'rate': 1e9}, 'days': 2}), n=1, seed=1)"
    )


SAMPLED = """
    import sys, numpy as np, attrition
    s = attrition.Scenario.load({path!r}).with_values({{
        "days": 5,
        "sides.red.contingents.main.killed_fraction": {{"dist": "uniform", "low": 0.2, "high": 0.4}},
        "sides.red.contingents.main.rtd_days": {{"dist": "uniform", "low": 10, "high": 40}},
        "sides.red.fleets.guns.guns": {{"dist": "uniform", "low": 100, "high": 300}},
    }})
    column = np.array([0.3, 0.3, 0.3, 30.0, 30.0])
    column[{row}] = {value!r}
    kw = {{"executor": __import__("concurrent.futures").futures.ThreadPoolExecutor(2), "block": 2}} if {pool} else {{}}
    try:
        attrition.run(s, seed=1, samples={{{param!r}: column}}, **kw)
    except attrition.ScenarioError as e:
        print("refused:", e)
"""


@pytest.mark.parametrize(
    "param, value, rule",
    [
        ("sides.red.contingents.main.killed_fraction", 1.5, "must be a probability in [0, 1], got 1.5"),
        ("sides.red.contingents.main.rtd_days", 1e12, "must be between 0 and 36525 days, got 1000000000000"),
        ("sides.red.fleets.guns.guns", 1e9, "must be between 0 and 1e6 guns, got 1000000000"),
    ],
)
@pytest.mark.parametrize("pool", [False, True])
def test_samples_obey_the_scenarios_rules(param, value, rule, pool):
    """Explicit parameter values (samples=) are checked against the parameter's domain before
    the run starts, in a fresh process (out-of-range counts and delays once aborted it); the
    ScenarioError names the parameter, the rule, the value and the caller's row, with an
    executor too (row 3 lies in the second block)."""
    code = SAMPLED.format(path=str(DATA / "two_sides.toml"), param=param, value=value, row=3, pool=pool)
    p = _subprocess(code, 60)
    assert p is not None and p.returncode == 0, p and p.stderr[-300:]
    assert p.stdout.strip() == f"refused: {param}: {rule} (samples row 3)"


def test_absurd_thread_counts_are_refused(small):
    path = str(DATA / "two_sides.toml")
    _refused_quickly(f"attrition.run({SMALL.format(path=path)}, n=1, seed=1, threads=100_000)")


def test_absurd_return_delays_are_refused(small):
    with pytest.raises(
        ScenarioError, match=r"sides\.red\.contingents\.main\.rtd_days: must be between 0 and 36525 days"
    ):
        small.with_values({"sides.red.contingents.main.rtd_days": 1e30, "days": 3})


def test_huge_repair_times_are_refused_and_long_ones_keep_guns_in_repair(small):
    with pytest.raises(ScenarioError, match=r"sides\.red\.fleets\.guns\.repair_days: must be between 0 and 36525"):
        small.with_values({"sides.red.fleets.guns.repair_days": 1e30})
    s = small.with_values(
        {
            "sides.red.fleets.guns.repair_days": 36525,
            "sides.red.fleets.guns.spares": 1000,
            "sides.red.fleets.guns.initial_wear": 1.0,
            "days": 50,
        }
    )
    r = attrition.run(s, n=4, seed=1, series=["red.fleet.guns.repair", "red.fleet.guns.worn_out"])
    assert r.series("red.fleet.guns.worn_out")[:, -1].sum() > 0
    # Every barrel fitted stays in repair: none rejoins within 36525 days.
    assert (r.series("red.fleet.guns.repair")[:, -1] == r.series("red.fleet.guns.worn_out")[:, -1]).all()


def test_very_large_rates_are_delivered(small):
    try:
        s = small.with_values({"sides.red.supply.home.rate": 1e20, "days": 3})
    except ScenarioError:
        return
    r = attrition.run(s, n=1, seed=1, series=["red.supply.home.delivered"])
    assert (r.series("red.supply.home.delivered") > 1e19).all()


# ----------------------------------------------------------------------------- files
VALIDATE = """
    import sys
    from attrition import cli
    sys.exit(cli.main(["validate", sys.argv[1]]))
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    import os

    fifo = tmp_path / "s.toml"
    os.mkfifo(fifo)
    # In a child process: opening a pipe with no writer used to block forever.
    try:
        p = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(VALIDATE), str(fifo)], capture_output=True, text=True, timeout=60
        )
    except subprocess.TimeoutExpired:
        pytest.fail("validate hung on a named pipe")
    assert p.returncode == 2 and "s.toml: a named pipe, not a scenario file" in p.stderr, p.stderr
    with pytest.raises(ScenarioError, match=r"s\.toml: a named pipe"):
        attrition.run(str(fifo), n=1, seed=1)
    with pytest.raises(OSError):  # no reader: refused at once rather than waited on
        Scenario.builtin("no-dprk").save(fifo)


def test_folders_and_missing_files(tmp_path, small):
    with pytest.raises(ScenarioError, match="a folder, not a scenario file"):
        Scenario.load(tmp_path)
    with pytest.raises(FileNotFoundError):
        Scenario.load(tmp_path / "missing.toml")
    p = tmp_path / "x.toml"
    p.write_text("old text that is longer than the scenario " * 1000)
    small.save(p)  # over a regular file: replaced whole
    assert Scenario.load(p) == small
    link = tmp_path / "link.toml"
    link.symlink_to(p)
    assert Scenario.load(link) == small  # a link to a regular file is read


def test_a_long_path_is_shown_short(tmp_path):
    deep = tmp_path.joinpath(*["d" * 250] * 12)  # 3,000 characters
    deep.mkdir(parents=True)
    with pytest.raises(ScenarioError) as e:
        Scenario.load(deep)
    assert len(str(e.value)) < 300 and "..." in str(e.value)
