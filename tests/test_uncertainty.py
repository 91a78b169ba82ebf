"""Writing uncertainty: one-line 90 % intervals and rank correlations, from Python."""

import pickle

import numpy as np
import pytest

import attrition
from attrition import Scenario, ScenarioError
from attrition._utils.stats import spearman
from attrition.scenario.dist import Dist, ppf

RATE = "sides.red.supply.home.rate"
LIFE = "sides.red.fleets.guns.barrel_life"
STOCK = "sides.red.calibers.152mm.initial_stock"


def test_an_interval_string_is_a_parameter(small, tmp_path):
    s = small.with_values({RATE: "300 to 900"})
    row = next(u for u in s.uncertain_list() if u["path"] == RATE)
    assert row["distribution"] == "300 to 900 (90 %, lognormal)" and row["spec"] == "300 to 900"
    assert s.to_dict()["sides"]["red"]["supply"]["home"]["rate"] == "300 to 900"
    assert 'rate = "300 to 900"' in s.to_toml()
    p = tmp_path / "s.toml"
    s.save(p)
    assert Scenario.load(p) == s == pickle.loads(pickle.dumps(s))
    assert "~300 to 900 (90 %, lognormal)" in repr(s)
    r = attrition.run(s, n=4000, seed=3, series=[])
    x = r.params[RATE]
    assert abs(np.mean(x < 300) - 0.05) < 0.015 and abs(np.mean(x > 900) - 0.05) < 0.015


def test_interval_strings_through_dist_and_its_errors(small):
    d = Dist("5,000 to 12,000")
    assert d.describe() == "5000 to 12000 (90 %, lognormal)" and d.to_dict() == "5000 to 12000"
    assert float(d.ppf(0.05)) == pytest.approx(5000) and float(d.ppf(0.95)) == pytest.approx(12000)
    assert pickle.loads(pickle.dumps(d)) == d
    assert ppf("0.5 to 2", [0.5]).tolist() == pytest.approx([1.0])
    n = Dist("-1 to 1")
    assert n.describe() == "-1 to 1 (90 %, normal)" and n.support() == (-np.inf, np.inf)
    with pytest.raises(ScenarioError, match=r"^sides\.red\.supply\.home\.rate: must be >= 0, but -10 to 10 .*low"):
        small.with_values({RATE: "-10 to 10"})
    with pytest.raises(ScenarioError, match="a 90 % interval needs low < high"):
        small.with_values({RATE: "9 to 3"})
    with pytest.raises(ScenarioError, match="expected a number, a 90 % interval"):
        small.with_values({RATE: "lots"})


def test_sensitivity_maps_through_an_interval(small):
    pytest.importorskip("SALib")
    from attrition.sensitivity import sobol

    s = small.with_values({"days": 20, "sides.red.casualties.base": "500 to 3000"})
    si = sobol(s, "red.casualties.total.run_total", n=16, seed=1, params="sides.red.casualties.*")
    assert si.index[0] == "sides.red.casualties.base"


CORRELATIONS = [
    {"a": RATE, "b": LIFE, "rho": 0.7},
    {"a": STOCK, "b": LIFE, "rho": -0.4},
]


@pytest.fixture
def correlated(small) -> Scenario:
    d = small.to_dict()
    d["sides"]["red"]["supply"]["home"]["rate"] = "200 to 800"
    d["correlations"] = CORRELATIONS
    return Scenario.from_dict(d)


def test_correlated_inputs_reach_the_asked_rank_correlation(correlated, small):
    assert correlated.correlations == CORRELATIONS
    assert f"  correlated: {RATE} ~ {LIFE}: rank correlation 0.7" in repr(correlated)
    r = attrition.run(correlated.with_values({"days": 1}), n=8000, seed=5, series=[])
    p = r.params
    for c in CORRELATIONS:
        rho, _ = spearman(p[c["a"]], p[c["b"]])
        assert rho == pytest.approx(c["rho"], abs=0.04), c
    # Marginals as declared: the 5 % and 95 % quantiles of the interval.
    assert np.quantile(p[RATE], [0.05, 0.95]) == pytest.approx([200, 800], rel=0.05)
    # The uncorrelated run draws the same marginal, from other numbers.
    independent = Scenario.from_dict({**correlated.to_dict(), "correlations": [], "days": 1})
    plain = attrition.run(independent, n=8000, seed=5, series=[])
    assert abs(spearman(plain.params[RATE], plain.params[LIFE])[0]) < 0.04
    assert np.median(plain.params[LIFE]) == pytest.approx(np.median(p[LIFE]), rel=0.02)


def test_correlated_draws_keep_common_random_numbers(correlated):
    full = attrition.run(correlated, n=300, seed=8, series=[])
    part = attrition.run(correlated, trajectories=range(120, 300), seed=8, series=[])
    for k in (RATE, LIFE, STOCK):
        assert np.array_equal(full.params[k][120:], part.params[k])
    # A policy change leaves the drawn inputs alone.
    cut = attrition.run(correlated.with_values({"sides.red.supply.home.end": "2025-01-20"}), n=300, seed=8, series=[])
    for k in (RATE, LIFE, STOCK):
        assert np.array_equal(full.params[k], cut.params[k])


def test_correlations_are_validated(small):
    d = small.to_dict()
    d["correlations"] = [{"a": RATE, "b": "sides.red.fleets.guns.barel_life", "rho": 0.5}]
    with pytest.raises(ScenarioError, match=r"correlations\[0\]\.b: no parameter .*did you mean"):
        Scenario.from_dict(d)
    d["correlations"] = [{"a": STOCK, "b": LIFE, "rho": -1.5}]
    with pytest.raises(ScenarioError, match=r"correlations\[0\]\.rho: must be a rank correlation in \[-1, 1\]"):
        Scenario.from_dict(d)
