"""The storage behind a Result: paths and summaries, arrays and sketches answer the
same questions through one interface, merge with their own kind and pickle."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import attrition
from attrition import AttritionError, _core
from attrition.results import ColumnArrays, ColumnSketches, PathSeries, Result, SummarySeries
from attrition.results.storage import STATS

N = 400
SERIES = ["red.ammo.152mm.stock", "red.fleet.guns.serviceable", "red.casualties.total.daily"]
Q = [0.05, 0.5, 0.95]


@pytest.fixture(scope="module")
def scenario():
    import pathlib

    return attrition.Scenario.load(pathlib.Path(__file__).parent / "data" / "two_sides.toml")


@pytest.fixture(scope="module")
def runs(scenario):
    """The same trajectories kept three ways: paths, summaries with arrays, summaries with sketches."""
    kw = dict(n=N, seed=12, series=SERIES)
    return {
        "paths": attrition.run(scenario, **kw),
        "arrays": attrition.run(scenario, paths=False, outcomes="arrays", **kw),
        "sketch": attrition.run(scenario, paths=False, outcomes="sketch", **kw),
    }


def test_kinds(runs):
    p, a, s = runs["paths"], runs["arrays"], runs["sketch"]
    assert type(p._series) is PathSeries and type(a._series) is SummarySeries and type(s._series) is SummarySeries
    assert type(p._outcomes) is ColumnArrays and type(a._params) is ColumnArrays
    assert type(s._outcomes) is ColumnSketches and type(s._params) is ColumnSketches
    assert [r.paths for r in runs.values()] == [True, False, False]
    assert [r.outcomes_kept for r in runs.values()] == ["arrays", "arrays", "sketch"]


def test_series_answer_the_same_questions(runs):
    p, s = runs["paths"]._series, runs["sketch"]._series
    assert p.names == s.names == SERIES
    for name in SERIES:
        a = p.array(name)
        exact, approx = p.stats(name), s.stats(name)
        assert list(exact) == list(approx) == list(STATS)
        assert (exact["count"] == N).all() and (approx["count"] == N).all()
        assert np.array_equal(exact["min"], approx["min"]) and np.array_equal(exact["max"], approx["max"])
        np.testing.assert_allclose(approx["mean"], exact["mean"], rtol=1e-9, atol=2**-16)
        np.testing.assert_allclose(approx["sd"], exact["sd"], rtol=1e-6, atol=2**-15)
        assert p.quantiles(name, Q).shape == s.quantiles(name, Q).shape == (len(Q), a.shape[1])
        np.testing.assert_array_equal(p.quantiles(name, Q), np.quantile(a, Q, axis=0, method="inverted_cdf"))
        # the sketch's rank convention is sorted[floor(q (n - 1))], within its relative accuracy
        ranked = np.sort(a, axis=0)[np.floor(np.array(Q) * (N - 1)).astype(int)]
        assert (np.abs(s.quantiles(name, Q) - ranked) <= _core.RELATIVE_ACCURACY * np.abs(ranked) + 1e-9).all()
    with pytest.raises(AttritionError, match=r"kept summaries, not paths \(paths=False\): use summary\("):
        s.array(SERIES[0])


def test_columns_answer_the_same_questions(runs):
    arrays, sketch = runs["arrays"]._outcomes, runs["sketch"]._outcomes
    names = runs["paths"].outcome_names
    assert sketch.names == names and sorted(arrays.names) == sorted(names)
    for name in names:
        a, s = arrays.row(name, Q), sketch.row(name, Q)
        assert list(a) == list(s) == ["mean", "q0.05", "q0.5", "q0.95", "censored"]
        assert a["censored"] == s["censored"]
        if np.isnan(a["mean"]):
            assert np.isnan(s["mean"])
            continue
        assert s["mean"] == pytest.approx(a["mean"], rel=1e-9, abs=2**-16)
        x = arrays.arrays("")[name]
        finite = np.sort(x[~np.isnan(x)])
        for q in Q:
            ref = np.quantile(finite, q, method="inverted_cdf")
            assert a[f"q{q:g}"] == ref  # one convention: the inverted empirical CDF
            ranked = finite[int(np.floor(q * (finite.size - 1)))]
            assert abs(s[f"q{q:g}"] - ranked) <= _core.RELATIVE_ACCURACY * abs(ranked) + 1e-9
    assert arrays.arrays("unused") is runs["arrays"].outcomes
    with pytest.raises(AttritionError, match="^the message$"):
        sketch.arrays("the message")


def test_a_row_of_censored_values():
    x = np.array([np.nan, 1.0, 2.0, np.nan])
    row = ColumnArrays({"t": x}).row("t", [0.5])
    assert row == {"mean": 1.5, "q0.5": 1.0, "censored": 0.5}
    none = ColumnArrays({"t": np.full(3, np.nan)}).row("t", [0.5])
    assert np.isnan(none["mean"]) and np.isnan(none["q0.5"]) and none["censored"] == 1.0


def test_results_in_any_mode_answer_the_same_calls(runs):
    for r in runs.values():
        assert r.series_names == SERIES and r.n == N
        assert set(r.stats(SERIES[0])) == set(STATS)
        assert r.quantiles(SERIES[0], 0.5).shape == (r.days,)
        table = r.outcome_table(["red.fleet.*"])
        assert [row["outcome"] for row in table] == [k for k in r.outcome_names if k.startswith("red.fleet.")]
        assert [row["param"] for row in r.param_table()] == [u["path"] for u in r.scenario.uncertain_list()]


@pytest.mark.parametrize("mode", ["paths", "arrays", "sketch"])
def test_each_storage_merges_with_its_kind(scenario, runs, mode):
    kw = dict(seed=12, series=SERIES, paths=mode == "paths", outcomes="auto" if mode == "paths" else mode)
    parts = [attrition.run(scenario, trajectories=r, **kw) for r in (range(150, N), range(0, 150))]
    parts.sort(key=lambda r: r._ranges[0][0])
    index = np.concatenate([np.arange(*r._ranges[0]) for r in parts])
    order = np.argsort(index, kind="stable")
    whole = runs[mode]
    for field in ("_series", "_outcomes", "_params"):
        kinds = [getattr(r, field) for r in parts]
        merged = type(kinds[0]).merge(kinds, order)
        mine, theirs = merged, getattr(whole, field)
        assert type(mine) is type(theirs) and mine.names == theirs.names
        if isinstance(mine, PathSeries):
            for k in mine.names:
                assert np.array_equal(mine.array(k), theirs.array(k))
        elif isinstance(mine, ColumnArrays):
            for k in mine.names:
                assert np.array_equal(mine.arrays("")[k], theirs.arrays("")[k], equal_nan=True)
        else:
            assert mine == theirs and mine.table.to_bytes() == theirs.table.to_bytes()


@pytest.mark.parametrize("mode", ["paths", "arrays", "sketch"])
def test_storage_and_results_pickle(runs, mode):
    r = runs[mode]
    again = pickle.loads(pickle.dumps(r))
    assert type(again) is Result and again._ranges == r._ranges and again.seed == r.seed
    for field in ("_series", "_outcomes", "_params"):
        assert type(getattr(again, field)) is type(getattr(r, field))
    np.testing.assert_equal(again.outcome_table(), r.outcome_table())
    np.testing.assert_equal(again.quantiles(SERIES[0], Q), r.quantiles(SERIES[0], Q))
    if not r.paths:
        assert again._series == r._series


def test_a_result_is_built_from_storage(scenario, runs):
    p = runs["paths"]
    r = Result(scenario, 12, [(0, N)], p._series, p._outcomes, p._params)
    assert r.trajectories == range(N) and r.series(SERIES[0]) is p.series(SERIES[0])
    assert repr(r) == repr(p)
