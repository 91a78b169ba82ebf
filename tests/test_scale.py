"""Scale: summaries, bit-identical merges, pickling, the memory guard, interrupts, comparisons."""

import pickle
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import attrition
from attrition import _core


def test_summary_matches_paths(small):
    """Sketch quantiles within the documented 1 % of the exact ones; moments to the 2^-16 resolution."""
    names = [
        "red.ammo.152mm.stock",
        "red.fleet.guns.serviceable",
        "red.casualties.total.daily",
        "red.territory.area.daily_km2",
        "red.fleet.guns.accuracy",
    ]
    p = attrition.run(small, n=2000, seed=8, series=names)
    s = attrition.run(small, n=2000, seed=8, series=names, paths=False)
    assert s.outcomes_kept == "arrays"
    for k in s.outcomes:
        assert np.array_equal(s.outcomes[k], p.outcomes[k], equal_nan=True)
    for name in names:
        a = p.series(name)
        st = s.stats(name)
        assert (st["count"] == 2000).all()
        np.testing.assert_allclose(st["mean"], a.mean(axis=0), rtol=1e-9, atol=2**-16)
        np.testing.assert_allclose(st["sd"], a.std(axis=0, ddof=1), rtol=1e-6, atol=2**-15)
        assert np.array_equal(st["min"], a.min(axis=0)) and np.array_equal(st["max"], a.max(axis=0))
        qs = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
        exact = np.quantile(a, qs, axis=0, method="inverted_cdf")
        approx = s.quantiles(name, qs)
        assert (np.abs(approx - exact) <= attrition._core.RELATIVE_ACCURACY * np.abs(exact) + 1e-9).all(), name


@pytest.mark.parametrize("n", [64, 1000])
def test_paths_and_summaries_agree_on_every_quantile(small, n):
    """One quantile definition (the inverted empirical CDF) in both modes: the same run's
    quantiles from paths and from summaries agree within the sketch's relative accuracy at
    every level a user may ask for, the tails and the extremes included."""
    qs = [0, 0.001, 0.01, 0.05, 0.5, 0.95, 0.99, 0.999, 1]
    names = ["red.ammo.152mm.stock", "red.casualties.total.daily", "red.territory.area.daily_km2"]
    p = attrition.run(small, n=n, seed=9, series=names)
    s = attrition.run(small, n=n, seed=9, series=names, paths=False)
    for name in names:
        exact = p.quantiles(name, qs)
        # each is one of the values, the one whose rank is ceil(q n) (from 1; the smallest for q = 0)
        rank = np.maximum(np.ceil(np.array(qs) * n).astype(int), 1) - 1
        np.testing.assert_array_equal(exact, np.sort(p.series(name), axis=0)[rank])
        tol = attrition._core.RELATIVE_ACCURACY * np.abs(exact) + 1e-9
        assert (np.abs(s.quantiles(name, qs) - exact) <= tol).all(), name


def test_summary_frame(small):
    pd = pytest.importorskip("pandas")
    s = attrition.run(small, n=200, seed=2, paths=False)
    df = s.summary("red.ammo.152mm.stock")
    assert isinstance(df.index, pd.DatetimeIndex) and len(df) == small.days
    assert list(df.columns) == ["count", "mean", "sd", "min", "max", "q0.05", "q0.25", "q0.5", "q0.75", "q0.95"]
    assert (df["q0.05"] <= df["q0.95"]).all()
    with pytest.raises(attrition.AttritionError, match="summary"):
        s.series("red.ammo.152mm.stock")


@pytest.mark.parametrize("paths,outcomes", [(True, "auto"), (False, "arrays"), (False, "sketch")])
def test_merge_is_bit_identical(small, paths, outcomes):
    kw = dict(seed=21, series="all", paths=paths, outcomes=outcomes)
    whole = attrition.run(small, n=250, threads=1, **kw)
    parts = [
        attrition.run(small, trajectories=r, threads=t, **kw)
        for r, t in [(range(170, 250), 2), (range(0, 3), 1), (range(3, 170), 2)]
    ]
    m = attrition.merge(parts)
    assert m.n == 250 and m.trajectories == range(0, 250)
    if paths:
        for k in whole.series_names:
            assert np.array_equal(m.series(k), whole.series(k))
    else:
        assert m._series == whole._series
        assert m._series.table.to_bytes() == whole._series.table.to_bytes()
    if outcomes == "sketch":
        assert m._outcomes == whole._outcomes and m._params == whole._params
        np.testing.assert_equal(m.outcome_table(), whole.outcome_table())
    else:
        for k in whole.outcomes:
            assert np.array_equal(m.outcomes[k], whole.outcomes[k], equal_nan=True)
        for k in whole.params:
            assert np.array_equal(m.params[k], whole.params[k])
    again = pickle.loads(pickle.dumps(m))
    assert again.n == m.n
    np.testing.assert_equal(again.outcome_table(), m.outcome_table())
    if not paths:
        assert again._series == m._series


def test_merge_refuses_overlaps_and_mismatches(small):
    a = attrition.run(small, seed=1, trajectories=range(0, 10), series=[])
    b = attrition.run(small, seed=1, trajectories=range(5, 15), series=[])
    with pytest.raises(ValueError, match="disjoint"):
        attrition.merge([a, b])
    c = attrition.run(small, seed=2, trajectories=range(10, 20), series=[])
    with pytest.raises(ValueError, match="seed"):
        attrition.merge([a, c])


def test_summary_bytes_are_validated():
    with pytest.raises(ValueError):
        _core.SummaryTable.from_bytes(b"ATSM\x01garbage")


def test_guard_refuses_quickly(small):
    t0 = time.perf_counter()
    with pytest.raises(attrition.ResourceError, match="fewer series") as e:
        attrition.run(small, n=10**12, seed=1, paths=False, outcomes="arrays")
    assert isinstance(e.value, MemoryError) and isinstance(e.value, attrition.AttritionError)
    with pytest.raises(attrition.ResourceError, match="paths=False"):
        attrition.run(small, n=10**8, seed=1, series="all")
    assert time.perf_counter() - t0 < 5


def test_auto_keeps_sketches_above_the_budget(small):
    budget = _core.estimate_summary_bytes(small._core, 5000, 1, 2, False) + 1000
    r = attrition.run(small, n=5000, seed=1, series=["red.ammo.152mm.stock"], paths=False, max_memory=budget, threads=2)
    assert r.outcomes_kept == "sketch"
    with pytest.raises(attrition.AttritionError, match="sketches"):
        _ = r.outcomes
    assert r.outcome_table(["red.fleet.guns.worn_out"])[0]["q0.5"] > 0


MEMORY_SCRIPT = textwrap.dedent("""
    import resource, sys, attrition
    s = attrition.Scenario.from_toml('''
    name = "flat"
    start = 2024-12-24
    days = 730
    [sides.a.casualties]
    base = 100
    [sides.a.territory]
    rate = 5
    ''')
    n = int(sys.argv[1])
    r = attrition.run(s, n=n, seed=1, paths=False, outcomes="sketch", series="all", progress=False)
    assert r.n == n
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
""")


def test_memory_is_flat_in_n():
    """Peak memory of a summary run does not grow with n (outcomes kept as sketches)."""

    def peak_kb(n):
        out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(n)], capture_output=True, text=True, check=True)
        return int(out.stdout.strip())

    small_n, big_n = peak_kb(1_000), peak_kb(100_000)
    assert big_n - small_n < 20_000, (small_n, big_n)  # KB


INTERRUPT_SCRIPT = textwrap.dedent("""
    import os, signal, threading, time, attrition
    threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    t0 = time.perf_counter()
    try:
        attrition.run("baseline-2024-12", n=10**7, seed=1, paths=False, outcomes="sketch", progress=False)
        print("finished")
    except KeyboardInterrupt:
        print("interrupted after %.2f s" % (time.perf_counter() - t0))
    r = attrition.run("baseline-2024-12", n=64, seed=1, series=[], progress=False)
    print("then ok", r.n, threading.active_count())
""")


def test_ctrl_c_stops_a_run_and_the_next_works():
    out = subprocess.run([sys.executable, "-c", INTERRUPT_SCRIPT], capture_output=True, text=True, timeout=120)
    lines = out.stdout.split("\n")
    assert lines[0].startswith("interrupted after"), out.stdout + out.stderr
    assert float(lines[0].split()[2]) < 2.5  # the signal came at 1 s, the run stopped within a second of it
    assert lines[1] == "then ok 64 1"


def test_progress_bar(small, capsys):
    attrition.run(small, n=300, seed=1, series=[], progress=True)
    assert "traj" in capsys.readouterr().err


def test_compare_with_common_random_numbers_is_tighter():
    base, cut = "baseline-2024-12", "dprk-cutoff-2025-01-20"
    name = "russia.ammo.152mm.fired_total"
    c = attrition.compare(base, cut, n=400, seed=5, outcomes=[name], series=["russia.ammo.152mm.stock"])
    paired = c.outcomes[name]
    assert paired["ci_high"] < 0 and paired["p_b_gt_a"] < 0.3
    # the same difference from independent seeds
    a = attrition.run(base, n=400, seed=5, series=[]).outcomes[name]
    b = attrition.run(cut, n=400, seed=6, series=[]).outcomes[name]
    se_indep = np.sqrt(a.var(ddof=1) / 400 + b.var(ddof=1) / 400)
    assert paired["se"] < 0.75 * se_indep, (paired["se"], se_indep)
    day = c.series("russia.ammo.152mm.stock")
    assert day["mean_diff"].shape == (730,)
    assert (day["mean_diff"][:20] == 0).all() or day["mean_diff"][0] == 0
    assert (day["ci_high"][60:] < 0).all()


def test_cutting_north_korean_supply_never_raises_the_russian_stock():
    # Common random numbers, run by run (400 paired runs of the built-ins, one seed): on no day
    # of any run is Russia's 122 mm or 152 mm stock higher with the North Korean lines cut.
    names = ["russia.ammo.122mm.stock", "russia.ammo.152mm.stock"]
    base = attrition.run("baseline-2024-12", n=400, seed=1, series=names, progress=False)
    cut = attrition.run("dprk-cutoff-2025-01-20", n=400, seed=1, series=names, progress=False)
    for name in names:
        up = np.asarray(cut.series(name)) > np.asarray(base.series(name))
        assert not up.any(), f"{name}: higher under the cutoff on some day in {int(up.any(axis=1).sum())} of 400 runs"
