"""Policy levers: Scenario.levers and with_levers, sweeps of levers on a grid or a sample,
their xarray Dataset, and the charts of one and two levers."""

import datetime as dt

import numpy as np
import pytest

import attrition
from attrition import Scenario, ScenarioError, UnknownNameError

LEVERS = """
[levers.home_rate]
description = "Home production"
path = "sides.red.supply.home.rate"
low = 0
high = 1000

[levers.home_end]
path = "sides.red.supply.home.end"
values = [2025-01-10, 2025-02-01, 2025-04-03]

[levers.guns]
paths = ["sides.red.fleets.guns.guns", "sides.blue.fleets.m777.guns"]
values = [50, 150]
"""


def test_levers_of_a_scenario(levered):
    lv = levered.levers
    assert list(lv) == ["guns", "home_end", "home_rate"]
    rate = lv["home_rate"]
    assert (rate.paths, rate.kind, rate.bounds, rate.description) == (
        ("sides.red.supply.home.rate",),
        "number",
        (0.0, 1000.0),
        "Home production",
    )
    assert rate.grid(3) == [0.0, 500.0, 1000.0]
    assert rate.at([0.25]) == [250.0]
    end = lv["home_end"]
    assert end.kind == "date" and end.values == (dt.date(2025, 1, 10), dt.date(2025, 2, 1), dt.date(2025, 4, 3))
    assert end.grid() == list(end.values) and end.at([0.0, 0.4, 0.99]) == list(end.values)
    assert lv["guns"].paths == ("sides.red.fleets.guns.guns", "sides.blue.fleets.m777.guns")
    # Dates stay dates through TOML and dicts.
    assert "values = [2025-01-10, 2025-02-01, 2025-04-03]" in levered.to_toml()
    assert Scenario.from_dict(levered.to_dict()) == levered == Scenario.from_toml(levered.to_toml())
    with pytest.raises(ValueError, match="points must be an integer >= 2"):
        rate.grid(1)
    text = repr(levered)
    assert "  lever home_rate: 0 to 1,000 at sides.red.supply.home.rate; Home production" in text
    assert "  lever guns: [50, 150] at sides.red.fleets.guns.guns, sides.blue.fleets.m777.guns" in text
    assert "<td>home_end</td><td>[2025-01-10, 2025-02-01, 2025-04-03]</td>" in levered._repr_html_()


def test_with_levers_sets_every_path(levered):
    s = levered.with_levers({"guns": 80, "home_end": dt.date(2025, 3, 1)})
    d = s.to_dict()
    assert d["sides"]["red"]["fleets"]["guns"]["guns"] == 80
    assert d["sides"]["blue"]["fleets"]["m777"]["guns"] == 80
    assert d["sides"]["red"]["supply"]["home"]["end"] == "2025-03-01"
    assert levered.with_levers({"home_end": np.datetime64("2025-03-01"), "guns": 80.0}) == s
    with pytest.raises(UnknownNameError, match="no lever named 'gun'; did you mean 'guns'"):
        levered.with_levers({"gun": 3})
    with pytest.raises(TypeError, match="takes dates"):
        levered.with_levers({"home_end": 3})
    with pytest.raises(TypeError, match="takes numbers"):
        levered.with_levers({"guns": "many"})
    with pytest.raises(ScenarioError, match=r"sides\.red\.fleets\.guns\.guns: must be between 0"):
        levered.with_levers({"guns": -1})


def test_a_lever_value_that_breaks_the_scenario_is_refused(small):
    bad = LEVERS.replace("values = [50, 150]", "values = [50, -150]")
    with pytest.raises(ScenarioError, match=r"levers\.guns\.values\[1\]: -150 does not give a valid scenario"):
        Scenario.from_toml(small.to_toml() + bad)


def test_the_baseline_levers():
    s = Scenario.builtin("baseline-2024-12")
    assert set(s.levers) == {"dprk_supply_end", "dprk_152_rate", "msta_s_barrel_production", "mobilisation"}
    assert all(lever.description for lever in s.levers.values())
    assert set(Scenario.builtin("no-dprk").levers) == {"msta_s_barrel_production", "mobilisation"}


def test_sweep_of_levers_on_a_grid(levered):
    sw = attrition.sweep(levered, levers={"home_rate": None, "guns": [50, 150]}, points=3, n=60, seed=4)
    assert len(sw) == 6 and sw.levers == ["home_rate", "guns"] and sw.design.kind == "grid"
    assert sw.variants[1] == {
        "sides.red.supply.home.rate": 0.0,
        "sides.red.fleets.guns.guns": 150.0,
        "sides.blue.fleets.m777.guns": 150.0,
    }
    # Each variant is the scenario with its levers set, run on the same streams.
    for setting, sc, r in zip(sw.design.settings, sw.scenarios, sw.results, strict=True):
        assert sc == levered.with_levers(setting)
        alone = attrition.run(sc, n=60, seed=4, series=[], paths=False, outcomes=sw.outcomes_kept)
        assert np.array_equal(r.outcomes["red.ammo.152mm.fired_total"], alone.outcomes["red.ammo.152mm.fired_total"])
    p = "sides.red.fleets.guns.barrel_life"
    assert all(np.array_equal(r.params[p], sw.results[0].params[p]) for r in sw.results)

    ds = sw.to_xarray()
    fired = ds["red.ammo.152mm.fired_total"]
    assert fired.dims == ("home_rate", "guns", "stat")
    assert list(ds["home_rate"].values) == [0.0, 500.0, 1000.0] and list(ds["guns"].values) == [50.0, 150.0]
    assert list(ds["stat"].values) == ["mean", "q0.05", "q0.5", "q0.95", "censored", "reached", "restricted_mean"]
    want = sw.results[3].outcome_table(["red.ammo.152mm.fired_total"])[0]
    cell = fired.sel(home_rate=500.0, guns=150.0)
    assert float(cell.sel(stat="mean")) == want["mean"] and float(cell.sel(stat="q0.95")) == want["q0.95"]
    assert fired.attrs["units"] == "shells" and fired.attrs["first_passage"] == 0
    assert ds.attrs["design"] == "grid" and ds.attrs["seed"] == 4 and ds.attrs["n"] == 60
    assert ds["home_rate"].attrs["description"] == "Home production"
    # More home production, no less fire (on common random numbers, mean over the grid).
    m = fired.sel(stat="mean")
    assert (m.sel(home_rate=1000.0) >= m.sel(home_rate=0.0)).all()


def test_first_passage_statistics_read_censoring(levered):
    sw = attrition.sweep(levered, levers={"home_rate": [0, 1000]}, n=200, seed=2)
    name = "red.ammo.152mm.days_to_empty"
    ds = sw.to_xarray(name, q=(0.1, 0.5))
    da = ds[name]
    assert da.attrs["first_passage"] == 1 and list(da["stat"].values)[:3] == ["mean", "q0.1", "q0.5"]
    for i, r in enumerate(sw.results):
        t = r.outcomes[name]
        reached = float(np.mean(~np.isnan(t)))
        row = da.isel(home_rate=i)
        assert float(row.sel(stat="reached")) == pytest.approx(reached)
        assert float(row.sel(stat="censored")) == pytest.approx(1 - reached)
        assert np.isnan(float(row.sel(stat="mean")))
        assert float(row.sel(stat="restricted_mean")) == pytest.approx(np.mean(np.where(np.isnan(t), r.days, t)))
        # The quantile over all runs: a censored time is "after the horizon".
        everyone = np.where(np.isnan(t), np.inf, t)
        for q in (0.1, 0.5):
            want = float(np.quantile(everyone, q, method="inverted_cdf"))
            got = float(row.sel(stat=f"q{q:g}"))
            assert (np.isnan(got) and np.isinf(want)) or got == want


def test_sweep_of_levers_sampled(levered):
    sw = attrition.sweep(levered, levers=["home_rate", "home_end"], n_samples=8, n=30, seed=7)
    assert len(sw) == 8 and sw.design.kind == "sample"
    rates = sorted(s["home_rate"] for s in sw.design.settings)
    # A Latin hypercube: one value in each eighth of the range.
    assert [int(r // 125) for r in rates] == list(range(8))
    assert {s["home_end"] for s in sw.design.settings} <= set(levered.levers["home_end"].values)
    again = attrition.sweep(levered, levers=["home_rate", "home_end"], n_samples=8, n=30, seed=7)
    assert again.design.settings == sw.design.settings
    ds = sw.to_xarray("red.ammo.*")
    assert ds["red.ammo.152mm.fired_total"].dims == ("variant", "stat")
    assert ds["home_end"].dims == ("variant",) and ds["home_end"].dtype.kind == "M"


def test_sweep_of_paths_to_xarray(small):
    sw = attrition.sweep(small, {"sides.red.supply.home.rate": [0, 800], "days": [30, 60]}, n=20, seed=1)
    ds = sw.to_xarray("red.ammo.152mm.fired_total")
    assert ds["red.ammo.152mm.fired_total"].dims == ("sides.red.supply.home.rate", "days", "stat")
    assert sw.levers == []
    listed = attrition.sweep(small, [{}, {"days": 30}], n=20, seed=1).to_xarray("red.ammo.152mm.fired_total")
    assert listed["red.ammo.152mm.fired_total"].dims == ("variant", "stat")


def test_sweep_of_levers_errors(small, levered):
    with pytest.raises(ValueError, match="has no levers"):
        attrition.sweep(small, levers=["x"], n=10, seed=1)
    with pytest.raises(UnknownNameError, match="no lever named 'rate'"):
        attrition.sweep(levered, levers=["rate"], n=10, seed=1)
    with pytest.raises(ValueError, match="not both"):
        attrition.sweep(levered, {"days": [30]}, levers=["guns"], n=10, seed=1)
    with pytest.raises(ValueError, match="name the levers without values"):
        attrition.sweep(levered, levers={"guns": [1, 2]}, n_samples=3, n=10, seed=1)
    with pytest.raises(ValueError, match="n_samples must be a positive integer"):
        attrition.sweep(levered, levers=["guns"], n_samples=0, n=10, seed=1)
    with pytest.raises(ScenarioError, match=r"sides\.red\.fleets\.guns\.guns: must be between 0"):
        attrition.sweep(levered, levers={"guns": [10, -5]}, n=10, seed=1)


def test_sweep_charts(levered):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    one = attrition.sweep(levered, levers="home_rate", points=3, n=30, seed=1)
    ax = one.plot("red.ammo.152mm.fired_total")
    assert ax.get_xlabel() == "Home production" and "shells" in ax.get_ylabel()
    assert len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == 3
    two = attrition.sweep(levered, levers=["home_rate", "guns"], points=3, n=30, seed=1)
    ax = two.plot("red.ammo.152mm.days_to_empty", stat="reached", band=None)
    assert ax.get_xlabel() == "Home production" and ax.get_ylabel() == "guns"
    assert len(ax.collections) == 1  # the heatmap
    sample = attrition.sweep(levered, levers=["home_rate"], n_samples=5, n=30, seed=1)
    sample.plot("red.ammo.152mm.fired_total", stat="mean")
    with pytest.raises(ValueError, match="no statistic 'q0.3'"):
        one.plot("red.ammo.152mm.fired_total", stat="q0.3")
    three = attrition.sweep(levered, levers=["home_rate", "guns", "home_end"], points=2, n=10, seed=1)
    with pytest.raises(ValueError, match="pass at="):
        three.plot("red.ammo.152mm.fired_total")
    three.plot("red.ammo.152mm.fired_total", at={"home_end": "2025-02-01"})
    plt.close("all")
