"""The EMA Workbench adapter, end to end on a small case (skipped without the Workbench)."""

import datetime as dt

import numpy as np
import pytest

import attrition

ema = pytest.importorskip("attrition.ema")
try:
    wb = ema.workbench()
except ImportError:  # pragma: no cover - the ema extra is not installed
    pytest.skip("the EMA Workbench is not installed (pip install 'attrition[ema]')", allow_module_level=True)

LEVERS = """
[levers.home_rate]
path = "sides.red.supply.home.rate"
low = 0
high = 1000

[levers.home_end]
path = "sides.red.supply.home.end"
low = 2025-01-10
high = 2025-04-03

[levers.guns]
path = "sides.red.fleets.guns.guns"
values = [100, 200, 300]
"""

STOCK = "sides.red.calibers.152mm.initial_stock"
LIFE = "sides.red.fleets.guns.barrel_life"


def test_the_model_mirrors_the_scenario(levered):
    m = ema.model(levered, outcomes="red.ammo.*", series=["red.ammo.152mm.stock"], seed=3)
    names = ema.names(m)
    assert names["sides__red__calibers__152mm__initial_stock"] == STOCK
    assert {u.variable_name[0] for u in m.uncertainties} == {STOCK, LIFE}
    # Each uncertainty is sampled through the scenario's own inverse CDF.
    u = next(u for u in m.uncertainties if u.variable_name[0] == STOCK)
    spec = next(x["spec"] for x in levered.uncertain_list() if x["path"] == STOCK)
    q = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    assert np.allclose(u.dist.ppf(q), attrition.scenario.dist.ppf(spec, q))
    kinds = {lv.variable_name[0]: type(lv).__name__ for lv in m.levers}
    assert kinds == {"home_rate": "RealParameter", "home_end": "IntegerParameter", "guns": "CategoricalParameter"}
    end = next(lv for lv in m.levers if lv.variable_name[0] == "home_end")
    assert (end.lower_bound, end.upper_bound) == (0, (dt.date(2025, 4, 3) - dt.date(2025, 1, 10)).days)
    outs = [o.variable_name[0] for o in m.outcomes]
    assert outs == [
        "red.ammo.152mm.days_to_rationing",
        "red.ammo.152mm.days_to_empty",
        "red.ammo.152mm.fired_total",
        "red.ammo.152mm.stock",
        "trajectory",
    ]
    assert type(m.outcomes[3]).__name__ == "TimeSeriesOutcome"
    # A path set by a lever is no uncertainty; a narrower choice of params and levers.
    m2 = ema.model(levered.with_values({LIFE: {"dist": "uniform", "low": 1000, "high": 3000}}), params=LIFE, levers=[])
    assert [u.variable_name[0] for u in m2.uncertainties] == [LIFE] and list(m2.levers) == []
    assert ema.identifier("russia.ammo.152mm.stock") == "russia__ammo__152mm__stock"
    assert ema.identifier("152mm-x") == "_152mm_x"


def _experiments(m, evaluator):
    np.random.seed(20241224)  # the Workbench's samplers draw from numpy's global generator
    with evaluator as ev:
        return ev.perform_experiments(scenarios=6, policies=2)


def test_experiments_run_with_the_sequential_and_the_multiprocessing_evaluators(levered):
    m = ema.model(
        levered,
        outcomes=["red.ammo.152mm.fired_total", "red.fleet.guns.worn_out"],
        series=["red.ammo.152mm.stock"],
        seed=3,
    )
    experiments, outcomes = _experiments(m, wb.SequentialEvaluator(m))
    assert len(experiments) == 12 and outcomes["red__ammo__152mm__fired_total"].shape == (12,)
    assert outcomes["red__ammo__152mm__stock"].shape == (12, levered.days)
    _, again = _experiments(m, wb.MultiprocessingEvaluator(m, n_processes=2))
    for k, v in outcomes.items():
        assert np.array_equal(v, again[k]), k

    # Each policy meets each scenario of uncertainties on the same random numbers.
    t = outcomes["trajectory"]
    for s in experiments["scenario"].unique():
        assert len(set(t[experiments["scenario"] == s])) == 1
    assert len(set(t)) == 6

    # An experiment is one trajectory of the scenario with its levers set and its values given.
    row = experiments.iloc[7]
    sc = levered.with_levers(
        {
            "home_rate": row["home_rate"],
            "home_end": dt.date(2025, 1, 10) + dt.timedelta(days=int(row["home_end"])),
            "guns": float(row["guns"]),
        }
    )
    traj = int(t[7])
    r = attrition.run(
        sc,
        seed=3,
        trajectories=range(traj, traj + 1),
        samples={
            STOCK: [row["sides__red__calibers__152mm__initial_stock"]],
            LIFE: [row["sides__red__fleets__guns__barrel_life"]],
        },
        series=["red.ammo.152mm.stock"],
    )
    assert r.outcomes["red.ammo.152mm.fired_total"][0] == outcomes["red__ammo__152mm__fired_total"][7]
    assert np.array_equal(r.series("red.ammo.152mm.stock")[0], outcomes["red__ammo__152mm__stock"][7])


def test_a_model_pickles_for_the_workers(levered):
    import pickle

    m = ema.model(levered, outcomes="red.ammo.*")
    fn = pickle.loads(pickle.dumps(m.function))
    assert fn.scenario == levered and fn.outcomes == m.function.outcomes
    u = pickle.loads(pickle.dumps(m.uncertainties[0].dist))
    assert u.ppf(0.5) == m.uncertainties[0].dist.ppf(0.5)
