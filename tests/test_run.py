"""Running: shapes, determinism, seeds, names."""

import numpy as np
import pytest

import attrition


def test_shapes_and_names(small):
    r = attrition.run(small, n=40, seed=3, series="all")
    assert r.n == 40 and r.days == 100 and r.seed == 3
    assert r.dates.dtype == np.dtype("datetime64[D]") and str(r.dates[0]) == "2024-12-24"
    assert set(r.series_names) == set(small.series_names)
    a = r.series("red.ammo.152mm.stock")
    assert a.shape == (40, 100) and a.dtype == np.float64
    assert a is r.series("red.ammo.152mm.stock")  # no copy
    assert set(r.outcomes) == set(small.outcome_names)
    assert all(v.shape == (40,) for v in r.outcomes.values())
    assert set(r.params) == {u["path"] for u in small.uncertain_list()}
    p = r.params["sides.red.fleets.guns.barrel_life"]
    assert p.shape == (40,) and (p >= 1500).all() and (p <= 3000).all()


def test_unknown_series_lists_close_matches(small):
    r = attrition.run(small, n=2, seed=1, series=["red.ammo.152mm.stock"])
    with pytest.raises(KeyError, match="red.ammo.152mm.stock"):
        r.series("red.ammo.152mm.stok")
    with pytest.raises(KeyError, match="not recorded"):
        r.series("red.ammo.152mm.fired")
    with pytest.raises(KeyError, match="did you mean"):
        attrition.run(small, n=2, seed=1, series=["red.fleet.gunz.serviceable"])


def _same(a, b):
    assert a.series_names == b.series_names
    for k in a.series_names:
        assert np.array_equal(a.series(k), b.series(k), equal_nan=True), k
    for k in a.outcomes:
        assert np.array_equal(a.outcomes[k], b.outcomes[k], equal_nan=True), k
    for k in a.params:
        assert np.array_equal(a.params[k], b.params[k]), k


def test_deterministic_across_threads(small):
    a = attrition.run(small, n=300, seed=11, series="all", threads=1)
    b = attrition.run(small, n=300, seed=11, series="all", threads=2)
    c = attrition.run(small, n=300, seed=11, series="all")
    _same(a, b)
    _same(a, c)
    d = attrition.run(small, n=300, seed=12, series="all")
    assert not np.array_equal(a.series("red.ammo.152mm.stock"), d.series("red.ammo.152mm.stock"))


def test_trajectory_does_not_depend_on_n(small):
    a = attrition.run(small, n=100, seed=5, series="all")
    b = attrition.run(small, n=7, seed=5, series="all")
    for k in b.series_names:
        assert np.array_equal(a.series(k)[:7], b.series(k), equal_nan=True)


def test_seed_none_is_recorded_and_reproduces(small):
    a = attrition.run(small, n=20, series=["red.casualties.total.cumulative"])
    assert isinstance(a.seed, int) and 0 <= a.seed < 2**64
    b = attrition.run(small, n=20, seed=a.seed, series=["red.casualties.total.cumulative"])
    _same(a, b)


def test_common_random_numbers_across_scenarios(small):
    """Adding an uncertain parameter to one scenario shifts no other stream."""
    other = small.with_values({"sides.red.supply.home.lot_size": {"dist": "uniform", "low": 1, "high": 10}})
    a = attrition.run(small, n=50, seed=9, series="blue.*")
    b = attrition.run(other, n=50, seed=9, series="blue.*")
    assert "sides.red.supply.home.lot_size" in b.params
    for k in a.params:
        assert np.array_equal(a.params[k], b.params[k]), k
    # blue neither suffers red's fire (no combat losses, no casualties) nor depends on red's supply
    assert np.array_equal(a.series("blue.fleet.m777.worn_out"), b.series("blue.fleet.m777.worn_out"))


def test_explicit_samples(small):
    x = np.linspace(1500, 3000, 30)
    r = attrition.run(small, n=30, seed=2, samples={"sides.red.fleets.guns.barrel_life": x}, series=[])
    assert np.array_equal(r.params["sides.red.fleets.guns.barrel_life"], x)
    with pytest.raises(KeyError, match="did you mean"):
        attrition.run(small, n=30, seed=2, samples={"sides.red.fleets.guns.barrel_lif": x})


def test_bad_arguments(small):
    with pytest.raises(ValueError):
        attrition.run(small, n=0)
    with pytest.raises(ValueError):
        attrition.run(small, n=5, seed=-1)
    with pytest.raises(ValueError):
        attrition.run(small, n=5, threads=0)


def test_memory_guard_refuses_up_front(small):
    with pytest.raises(attrition.ResourceError, match="paths=False"):
        attrition.run(small, n=10**9, seed=1, series="all")
    with pytest.raises(attrition.ResourceError, match="MB"):
        attrition.run(small, n=1000, seed=1, series="all", max_memory=10**6)


def test_at_and_quantiles(small):
    r = attrition.run(small, n=50, seed=4, series=["red.casualties.total.cumulative"])
    on = r.at("red.casualties.total.cumulative", "2025-01-20")
    assert np.array_equal(on, r.series("red.casualties.total.cumulative")[:, 27])
    q = r.quantiles("red.casualties.total.cumulative", [0.05, 0.5, 0.95])
    assert q.shape == (3, 100) and (q[0] <= q[1]).all() and (q[1] <= q[2]).all()
    with pytest.raises(ValueError, match="outside the horizon"):
        r.at("red.casualties.total.cumulative", "2030-01-01")
