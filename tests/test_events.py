"""Time-to-event outcomes: Kaplan-Meier against lifelines, quantiles that are only given
where reached, merging, and the rows of outcome tables."""

import math
import pickle

import numpy as np
import pytest

import attrition
from attrition.results import EventTime
from attrition.results.events import restricted


def _times(rng, n, days, p_never):
    t = rng.integers(0, days, size=n).astype(float)
    t[rng.random(n) < p_never] = np.nan
    return t


def test_from_times_counts_and_basic_numbers():
    e = EventTime.from_times(np.array([3, 5, np.nan, 5, np.nan]), days=10, start="2025-01-01", name="x")
    assert e.n == 5 and e.days == 10 and e.happened == 3
    assert e.events.tolist() == [0, 0, 0, 1, 0, 2, 0, 0, 0, 0]
    assert e.censored.tolist() == [0] * 9 + [2]
    assert e.reached == pytest.approx(0.6)
    assert e.median() == 5 and e.quantile(0.2) == 3 and e.quantile(0.6) == 5 and e.quantile(0.61) is None
    assert e.date(5).isoformat() == "2025-01-06" and e.last_day.isoformat() == "2025-01-10"
    assert e.restricted_mean() == pytest.approx(np.mean([3, 5, 10, 5, 10]))
    cond = e.conditional()
    assert cond["happened"] == 3 and cond["median"] == 5 and cond["mean"] == pytest.approx(13 / 3)
    assert "60.0 % reach it by 2025-01-10; median day 5 (2025-01-06)" in repr(e)


def test_the_median_is_never_the_median_of_the_runs_that_saw_it():
    # 30 % see the event, early; the median is not reached, the conditional median is day 2
    t = np.array([2.0] * 30 + [np.nan] * 70)
    e = EventTime.from_times(t, days=100, start="2025-01-01")
    assert e.median() is None and e.quantile(0.3) == 2 and e.quantile(0.31) is None
    assert e.conditional()["median"] == 2
    assert "median not reached by 2025-04-10" in e.describe()


def test_without_censoring_it_is_the_empirical_cdf_and_the_library_quantile():
    rng = np.random.default_rng(1)
    t = rng.integers(0, 50, size=1001).astype(float)
    e = EventTime.from_times(t, days=50)
    ecdf = np.array([(t <= d).mean() for d in range(50)])
    np.testing.assert_allclose(e.cdf(), ecdf, atol=1e-12)
    for q in (0.05, 0.25, 0.5, 0.75, 0.95, 1.0):
        assert e.quantile(q) == np.quantile(t, q, method="inverted_cdf")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kaplan_meier_agrees_with_lifelines(seed):
    lifelines = pytest.importorskip("lifelines")
    rng = np.random.default_rng(seed)
    days = 60
    # runs of different horizons, as a merge of scenarios of different lengths gives
    parts = [EventTime.from_times(_times(rng, n, h, 0.4), days=h) for n, h in ((300, 60), (200, 35), (150, 20))]
    e = EventTime.merge(parts)
    durations, observed = [], []
    for d in range(days):
        durations += [d] * int(e.events[d]) + [d] * int(e.censored[d])
        observed += [1] * int(e.events[d]) + [0] * int(e.censored[d])
    kmf = lifelines.KaplanMeierFitter().fit(np.array(durations), np.array(observed), timeline=np.arange(days))
    np.testing.assert_allclose(e.survival(), kmf.survival_function_.iloc[:, 0].to_numpy(), rtol=1e-12, atol=1e-12)
    ci = kmf.confidence_interval_survival_function_.to_numpy()
    low, high = e.interval(0.95)
    inner = (e.survival() > 0) & (e.survival() < 1)
    np.testing.assert_allclose(high[inner], 1 - ci[inner, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(low[inner], 1 - ci[inner, 1], rtol=1e-9, atol=1e-12)
    assert np.all(low <= e.cdf() + 1e-15) and np.all(e.cdf() <= high + 1e-15)
    med = kmf.median_survival_time_
    assert (e.median() is None and math.isinf(med)) or e.median() == med


def test_merge_adds_counts_in_any_order():
    rng = np.random.default_rng(4)
    t = _times(rng, 900, 40, 0.5)
    whole = EventTime.from_times(t, 40)
    parts = [EventTime.from_times(t[i : i + 300], 40) for i in (600, 0, 300)]
    assert EventTime.merge(parts) == whole == EventTime.merge(parts[::-1])
    assert pickle.loads(pickle.dumps(whole)) == whole


def test_bad_input():
    with pytest.raises(ValueError, match="whole days"):
        EventTime.from_times([1.5], 10)
    with pytest.raises(ValueError, match="whole days"):
        EventTime.from_times([10], 10)
    with pytest.raises(ValueError, match=">= 0"):
        EventTime([1, -1], [0, 0])
    with pytest.raises(ValueError, match="q must be"):
        EventTime.from_times([1], 10).quantile(1.5)


def test_restricted_counts_never_as_the_horizon():
    np.testing.assert_array_equal(restricted(np.array([1.0, np.nan, 3.0]), 9), [1.0, 9.0, 3.0])


@pytest.fixture(scope="module")
def result():
    return attrition.run("baseline-2024-12", n=400, seed=3, series=[])


def test_result_event_and_table_agree(result):
    name = "russia.fleet.msta_b.days_to_half"
    e = result.event(name)
    x = result.outcomes[name]
    assert e == EventTime.from_times(x, result.days, start=result.scenario.start)
    row = result.outcome_table(name)[0]
    assert row["reached"] == pytest.approx(np.mean(~np.isnan(x)))
    assert row["censored"] == pytest.approx(np.mean(np.isnan(x)))
    assert math.isnan(row["mean"])
    assert row["restricted_mean"] == pytest.approx(np.mean(restricted(x, result.days)))
    assert row["cond_q0.5"] == np.quantile(x[~np.isnan(x)], 0.5, method="inverted_cdf")
    med = e.median()
    assert (math.isnan(row["q0.5"]) and med is None) or row["q0.5"] == med
    with pytest.raises(ValueError, match="not a first-passage"):
        result.event("russia.casualties.total.run_total")
    with pytest.raises(KeyError, match="did you mean"):
        result.event("russia.fleet.msta_b.days_to_hal")


def test_quantities_have_nan_event_columns(result):
    row = result.outcome_table("russia.casualties.total.run_total")[0]
    assert set(row) >= {"reached", "restricted_mean", "cond_mean", "cond_q0.5"}
    assert math.isnan(row["reached"]) and not math.isnan(row["mean"])


def test_summary_runs_keep_exact_event_counts_that_merge():
    """A summary run that keeps sketches still counts every event day exactly: the same
    EventTime and the same rows as per-trajectory arrays, merged over partial runs and pickled."""
    kw = dict(seed=2, series=[], paths=False)
    a = attrition.run("baseline-2024-12", n=600, outcomes="arrays", **kw)
    s = attrition.run("baseline-2024-12", n=600, outcomes="sketch", **kw)
    parts = [
        attrition.run("baseline-2024-12", trajectories=range(x, y), outcomes="sketch", **kw)
        for x, y in ((400, 600), (0, 150), (150, 400))
    ]
    merged = attrition.merge(parts)
    again = pickle.loads(pickle.dumps(merged))
    names = a.scenario.first_passage_names()
    assert names and all(n.rsplit(".", 1)[1].startswith("days_to") for n in names)
    for name in names:
        assert s.event(name) == a.event(name) == merged.event(name) == again.event(name), name
    rows = zip(a.outcome_table(names), s.outcome_table(names), merged.outcome_table(names), strict=True)
    for ra, rs, rm in rows:
        np.testing.assert_equal(rs, ra)
        np.testing.assert_equal(rm, ra)


def test_later_cutoffs_never_bring_the_median_sooner():
    """The issue's sweep: the later North Korean supply stops, the later (or never) Russia's
    152 mm stock reaches its reserve. Conditional medians went 123, 192, 264, 94, 79."""
    base = attrition.Scenario.builtin("baseline-2024-12")
    lines = [k for k in base.to_dict()["sides"]["russia"]["supply"] if k.startswith("dprk_")]
    dates = ["2025-01-20", "2025-03-31", "2025-06-30", "2025-09-30", "2025-12-31"]
    sw = attrition.sweep(base, [{f"sides.russia.supply.{k}.end": d for k in lines} for d in dates], n=300, seed=1)
    events = [r.event("russia.ammo.152mm.days_to_rationing") for r in sw.results]
    reached = [e.reached for e in events]
    assert reached == sorted(reached, reverse=True)
    # the median in days, the horizon standing for "not reached": never sooner with a later cutoff
    med = [e.median() if e.median() is not None else e.days for e in events]
    assert med == sorted(med)
    rmst = [e.restricted_mean() for e in events]
    assert rmst == sorted(rmst)
    # and the whole curve moves the same way, day by day (common random numbers)
    for a, b in zip(events, events[1:], strict=False):
        assert np.all(b.cdf() <= a.cdf() + 1e-12)


def test_describe_gives_units_and_dates(result):
    d = result.describe(["russia.fleet.msta_s.*", "russia.ammo.152mm.days_to_rationing"])
    row = d.loc["russia.fleet.msta_s.days_to_half"]
    e = result.event("russia.fleet.msta_s.days_to_half")
    assert row["unit"] == "days" and row["first_passage"] and row["reached"] == e.reached
    assert str(row["date_q0.5"])[:10] == str(e.date(e.median()))
    never = d.loc["russia.ammo.152mm.days_to_rationing"]
    assert math.isnan(never["q0.5"]) and str(never["date_q0.5"]) == "NaT"
    assert d.loc["russia.fleet.msta_s.serviceable_end", "unit"] == "guns"
