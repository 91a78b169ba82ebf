"""Calibration by ABC-SMC: recovery of known parameters from the engine's own output."""

import datetime as dt
import re
import sys
from importlib import resources

import numpy as np
import pytest

import attrition

pd = pytest.importorskip("pandas")
pytest.importorskip("scipy")

from attrition._utils.stats import quantiles  # noqa: E402
from attrition.calibration import STAT_NAMES, Calibration, calibrate, daily_stats  # noqa: E402
from attrition.scenario.dist import Dist  # noqa: E402

BASE, DISP = "sides.a.casualties.base", "sides.a.casualties.dispersion"
DRIFT_SD, DRIFT_REV = "sides.a.casualties.drift_sd", "sides.a.casualties.drift_reversion"
TRUTH = {BASE: 1400.0, DISP: 40.0, DRIFT_SD: 0.03, DRIFT_REV: 0.05}
START = dt.date(2024, 1, 1)


def prior_scenario(days=240):
    """One side with a casualty process: priors on base and dispersion, a known drift."""
    return attrition.Scenario.from_dict(
        {
            "name": "one-side",
            "start": START.isoformat(),
            "days": days,
            "sides": {
                "a": {
                    "casualties": {
                        "base": {"dist": "uniform", "low": 600, "high": 2600},
                        "dispersion": {"dist": "lognormal", "mu": 3.5, "sigma": 1.0, "low": 5, "high": 400},
                        "drift_sd": {"dist": "uniform", "low": 0.0, "high": 0.08},
                        "drift_reversion": {"dist": "uniform", "low": 0.01, "high": 0.2},
                    }
                }
            },
        }
    )


@pytest.fixture(scope="module")
def observed():
    """240 days of daily casualties simulated from TRUTH, indexed by date."""
    sc = prior_scenario().with_values(TRUTH)
    r = attrition.run(sc, n=1, seed=2024, series=["a.casualties.total.daily"])
    return pd.Series(r.series("a.casualties.total.daily")[0], index=pd.DatetimeIndex(r.dates, name="date"))


@pytest.fixture(scope="module")
def fits(observed):
    """Fits of base and dispersion (drift known) on the first 60 and on all 240 days."""
    sc = prior_scenario().with_values({DRIFT_SD: TRUTH[DRIFT_SD], DRIFT_REV: TRUTH[DRIFT_REV]})
    out = {}
    for days in (60, 240):
        window = (START, START + dt.timedelta(days=days - 1))
        out[days] = calibrate(
            sc, observed, params=[BASE, DISP], side="a", window=window, population=400, seed=7, max_generations=15
        )
    return out


def test_recovers_known_parameters(fits):
    for days, cal in fits.items():
        for p in (BASE, DISP):
            lo, hi = cal.interval(p, 0.9)
            assert lo < TRUTH[p] < hi, (days, p, lo, hi)


def test_intervals_shrink_with_more_data(fits):
    for p in (BASE, DISP):
        w60 = np.subtract(*fits[60].interval(p)[::-1])
        w240 = np.subtract(*fits[240].interval(p)[::-1])
        assert w240 < 0.75 * w60, (p, w60, w240)
    # and both are far narrower than the priors
    s = fits[240].summary()
    assert ((s["q95"] - s["q5"]) < 0.5 * (s["prior_q95"] - s["prior_q5"])).all()


def stationary_sd(sd, r):
    """Stationary sd of the log drift x_t = (1 - r) x_{t-1} + sd e_t."""
    return sd / np.sqrt(1.0 - (1.0 - r) ** 2)


def test_drift_parameters_too(observed):
    """All four casualty parameters at once (base, dispersion, drift_sd, drift_reversion).

    What 240 days identify of the drift is its stationary size, sd / sqrt(2 r - r^2); how
    it splits into sd and reversion leans on the priors (over repeated data sets the
    drift_sd posterior sits above the truth when the reversion prior does), so the
    interval check is on that size."""
    cal = calibrate(
        prior_scenario(),
        observed,
        params="sides.a.casualties.*",
        side="a",
        window=(START, START + dt.timedelta(days=239)),
        population=400,
        seed=3,
        max_generations=15,
    )
    assert cal.params == [BASE, DISP, DRIFT_SD, DRIFT_REV]
    for p in (BASE, DISP):
        lo, hi = cal.interval(p, 0.9)
        assert lo < TRUTH[p] < hi, (p, lo, hi)
    post = cal.posterior
    size = stationary_sd(post[DRIFT_SD].to_numpy(), post[DRIFT_REV].to_numpy())
    true_size = stationary_sd(TRUTH[DRIFT_SD], TRUTH[DRIFT_REV])
    assert 0.05 < np.sum(post["weight"].to_numpy() * (size < true_size)) < 0.95
    s = cal.summary()
    # the level, the dispersion and the drift's size are learnt; its reversion barely (240 days)
    for p in (BASE, DISP):
        assert s.loc[p, "q95"] - s.loc[p, "q5"] < 0.6 * (s.loc[p, "prior_q95"] - s.loc[p, "prior_q5"]), p
    rng = np.random.default_rng(0)
    prior_size = stationary_sd(rng.uniform(0, 0.08, 100_000), rng.uniform(0.01, 0.2, 100_000))
    w = post["weight"].to_numpy()
    o = np.argsort(size)
    c = np.cumsum(w[o])
    post_width = size[o][np.searchsorted(c, 0.95)] - size[o][np.searchsorted(c, 0.05)]
    assert post_width < 0.6 * np.subtract(*np.quantile(prior_size, [0.95, 0.05]))
    assert cal.informativeness[BASE] > cal.informativeness[DRIFT_REV]


def test_result_structure(fits, observed):
    cal = fits[60]
    assert isinstance(cal, Calibration)
    post = cal.posterior
    assert list(post.columns) == [BASE, DISP, "weight"]
    assert len(post) == 200 and np.isclose(post["weight"].sum(), 1.0) and (post["weight"] > 0).all()
    lo, hi = prior_scenario().uncertain().loc[BASE, ["low", "high"]]
    assert post[BASE].between(lo, hi).all()
    g = cal.generations
    assert list(g.columns) == ["tolerance", "acceptance", "ess", "simulations", "kept"]
    assert g.index[0] == 0 and g["simulations"].iloc[0] == 400 and (g["simulations"].iloc[1:] == 200).all()
    assert (np.diff(g["tolerance"]) <= 0).all()  # the schedule never loosens
    assert g["acceptance"].between(0, 1).all() and (g["ess"] <= g["kept"] + 1e-9).all()
    assert len(g) == 15 or g["acceptance"].iloc[-1] < 0.05
    assert list(cal.observed_stats.index) == list(STAT_NAMES)
    assert cal.observed.index[0] == pd.Timestamp(START) and len(cal.observed) == 60
    assert np.array_equal(cal.observed.to_numpy(), observed.iloc[:60].to_numpy())
    assert cal.window_scenario.days == 60 and cal.window_scenario.start == START
    assert 1 <= cal.ess <= len(post)
    assert cal.rate_at_end is not None and len(cal.rate_at_end) == len(post)
    assert "generations" in repr(cal)


def posterior_only(values, weights):
    """A Calibration of BASE (prior uniform on [0, 10]) holding just these weighted particles."""
    none = dict.fromkeys(
        [
            "distances",
            "rate_at_end",
            "generations",
            "observed",
            "observed_stats",
            "scale",
            "informativeness",
            "distance",
            "scenario",
            "window_scenario",
            "series",
            "side",
            "lag",
            "coupling",
            "seed",
        ]
    )
    post = pd.DataFrame({BASE: values, "weight": weights})
    return Calibration(posterior=post, marginals={BASE: Dist({"dist": "uniform", "low": 0, "high": 10}, BASE)}, **none)


def test_posterior_quantiles_invert_the_weighted_cdf():
    """A posterior quantile is the smallest particle value whose cumulative weight reaches the
    level, as every quantile of the package (no interpolation between particles)."""
    cal = posterior_only([3.0, 1.0, 4.0, 2.0], [0.3, 0.1, 0.4, 0.2])  # cumulative 0.1, 0.3, 0.6, 1 over 1..4
    assert cal.interval(BASE, 0.9) == (1.0, 4.0)
    assert cal.interval(BASE, 0.5) == (2.0, 4.0)
    s = cal.summary(q=(0.05, 0.1, 0.3, 0.5, 0.6, 0.61))
    assert list(s.columns) == [
        "mean",
        "sd",
        "q5",
        "q10",
        "q30",
        "q50",
        "q60",
        "q61",
        "prior_q5",
        "prior_q10",
        "prior_q30",
        "prior_q50",
        "prior_q60",
        "prior_q61",
    ]
    row = s.loc[BASE]
    # a level that a cumulative weight reaches exactly takes that particle, not the next one
    assert [row[c] for c in ("q5", "q10", "q30", "q50", "q60", "q61")] == [1.0, 1.0, 2.0, 3.0, 3.0, 4.0]
    assert np.isclose(row["mean"], 3.0) and np.isclose(row["sd"], 1.0)
    assert np.allclose([row[c] for c in ("prior_q5", "prior_q50", "prior_q61")], [0.5, 5.0, 6.1])
    with pytest.raises(KeyError, match="did you mean"):
        cal.interval(BASE + "x")


def test_fitted_intervals_are_particles(fits):
    cal = fits[60]
    x, w = cal.posterior[BASE].to_numpy(), cal.posterior["weight"].to_numpy()
    lo, hi = cal.interval(BASE, 0.9)
    assert (lo, hi) == tuple(quantiles(x, [0.05, 0.95], w)) and lo in x and hi in x
    assert cal.summary().loc[BASE, "q50"] == quantiles(x, 0.5, w)


def test_calibrated_scenarios(fits):
    cal = fits[240]
    sc = cal.calibrated_scenario
    spec = sc.uncertain().loc[BASE, "spec"]
    assert spec["dist"] == "choice" and len(spec["values"]) == len(cal.posterior)
    assert np.allclose(spec["weights"], cal.posterior["weight"])
    assert sc.days == 240  # the scenario as given, not cut to the window
    ln = cal.to_scenario(form="lognormal").uncertain().loc[BASE, "spec"]
    assert ln["dist"] == "lognormal" and ln["low"] == 600 and ln["high"] == 2600
    lo, hi = cal.interval(BASE)
    assert lo < np.exp(ln["mu"]) < hi
    nm = cal.distributions("normal")[DISP]
    assert nm["dist"] == "normal" and nm["low"] == 5 and nm["high"] == 400
    end = cal.distributions("lognormal", base_at_end=True)[BASE]
    assert end["dist"] == "lognormal" and np.isclose(
        np.exp(end["mu"]), np.exp(np.mean(np.log(cal.rate_at_end))), rtol=0.2
    )
    # joint draws keep the particles' values
    smp = cal.sample(50, seed=1)
    assert list(smp.columns) == [BASE, DISP] and len(smp) == 50
    assert set(smp[BASE]).issubset(set(cal.posterior[BASE]))
    r = attrition.run(cal.to_scenario(form="lognormal"), seed=1, samples=smp, series=[])
    assert r.n == 50 and np.array_equal(r.params[BASE], smp[BASE].to_numpy())
    with pytest.raises(ValueError, match="form"):
        cal.distributions("pert")


def test_posterior_predictive_plot(fits):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    cal = fits[60]
    fig, ax = plt.subplots()
    out = cal.plot(ax=ax, n=100, seed=1)
    assert out is ax
    assert len(ax.collections) == 2 and len(ax.lines) == 2  # two bands, median and observed
    assert len(ax.lines[1].get_xdata()) == 60 - 6  # 7-day trailing means
    sims = cal.predictive(100, seed=1)
    assert sims.shape == (100, 60)
    # the observed weekly means lie mostly inside the 90 % band
    obs = np.convolve(cal.observed.to_numpy(), np.ones(7) / 7, mode="valid")
    sm = np.apply_along_axis(lambda v: np.convolve(v, np.ones(7) / 7, mode="valid"), 1, sims)
    q = np.quantile(sm, [0.05, 0.95], axis=0)
    assert ((obs >= q[0]) & (obs <= q[1])).mean() > 0.8
    plt.close(fig)


def test_lag_and_coupling():
    base = attrition.Scenario.builtin("baseline-2024-12")
    x = np.full(40, 1500.0) + np.random.default_rng(1).normal(0, 150, 40)
    obs = pd.Series(x, index=pd.date_range("2024-11-15", periods=40, freq="D"))
    cal = calibrate(
        base,
        obs,
        params=["sides.russia.casualties.base"],
        window=("2024-11-15", "2024-12-24"),
        lag=1,
        population=40,
        seed=1,
        max_generations=2,
    )
    assert cal.window_scenario.start == dt.date(2024, 11, 14) and cal.window_scenario.days == 40
    assert cal.window_scenario.to_dict().get("coupling") is False
    cal2 = calibrate(
        base,
        obs,
        params=["sides.russia.casualties.base"],
        window=("2024-11-15", "2024-12-24"),
        lag=1,
        population=40,
        seed=1,
        max_generations=2,
        coupling=True,
    )
    assert cal2.window_scenario.to_dict().get("coupling", True) is True


def test_bad_arguments(observed):
    sc = prior_scenario()
    w = (START, START + dt.timedelta(days=59))
    with pytest.raises(KeyError, match="did you mean"):
        calibrate(sc, observed, params=["sides.a.casualties.bse"], side="a", window=w)
    with pytest.raises(ValueError, match="fixed value"):
        calibrate(sc, observed, params=["sides.a.casualties.alpha"], side="a", window=w)
    ch = sc.with_values({BASE: {"dist": "choice", "values": [1000, 1500]}})
    with pytest.raises(ValueError, match="discrete"):
        calibrate(ch, observed, params=[BASE], side="a", window=w)
    with pytest.raises(ValueError, match="no value on"):
        calibrate(sc, observed, params=[BASE], side="a", window=(START, START + dt.timedelta(days=400)))
    gap = observed.copy()
    gap.iloc[10] = np.nan
    with pytest.raises(ValueError, match="missing"):
        calibrate(sc, gap, params=[BASE], side="a", window=w)
    with pytest.raises(ValueError, match="28 days"):
        calibrate(sc, observed, params=[BASE], side="a", window=(START, START + dt.timedelta(days=20)))
    with pytest.raises(KeyError):
        calibrate(sc, observed, params=[BASE], side="b", window=w)
    with pytest.raises(ValueError, match="plain array"):
        calibrate(sc, observed.to_numpy()[:50], params=[BASE], side="a", window=w)
    with pytest.raises(ValueError, match="ends"):
        calibrate(sc, observed, params=[BASE], side="a", window=(w[1], w[0]))


def test_errors_of_a_stats_function_say_where_they_come_from(observed):
    def broken(x):
        if len(x) > 1:  # the observed series passes, the simulations do not
            raise ZeroDivisionError("broken statistics")
        return daily_stats(x)

    with pytest.raises(ZeroDivisionError, match="broken statistics") as e:
        calibrate(
            prior_scenario(),
            observed,
            params=[BASE],
            side="a",
            window=(START, START + dt.timedelta(days=59)),
            population=20,
            stats=broken,
        )
    if sys.version_info >= (3, 11):
        assert "raised by the stats function given to calibrate(), on (20, 60) simulated values" in e.value.__notes__


def test_a_window_the_engine_refuses_says_which_window():
    first = dt.date(2000, 1, 1)
    days = attrition.MAX_DAYS + 1
    with pytest.raises(attrition.ScenarioError, match="days") as e:
        calibrate(
            prior_scenario(),
            np.full(days, 1000.0),
            params=[BASE],
            side="a",
            window=(first, first + dt.timedelta(days=days - 1)),
        )
    if sys.version_info >= (3, 11):
        assert e.value.__notes__ == [
            f"while cutting the scenario to the window: start {first} (first day - lag), {days} days"
        ]


def test_daily_stats():
    rng = np.random.default_rng(5)
    x = rng.poisson(1000, size=(400, 120)).astype(float)
    s = daily_stats(x)
    assert s.shape == (400, 6)
    med = np.median(s, axis=0)
    assert abs(med[0] - np.log(1000)) < 0.01
    assert abs(med[1] - np.log(1 / 1000)) < 0.05  # Poisson: daily variance / mean^2 = 1 / mean
    assert abs(med[2] - np.log(np.sqrt(1000 / 7) / 1000)) < 0.1  # weekly means: sd sqrt(mean / 7)
    assert abs(med[3]) < 0.02 and abs(med[4]) < 0.01 and abs(med[5]) < 0.01
    trend = np.linspace(800, 1200, 120)
    st = daily_stats(trend)[0]
    assert np.isclose(st[4], 0.4) and np.isclose(st[5], np.log(trend[-14:].mean() / 1000))


def test_builtin_scenarios_carry_the_calibration():
    """The built-in scenarios share the baseline's calibrated [sides.russia.casualties] table
    (the others are overlays of the baseline that leave it as it is)."""
    text = resources.files("attrition").joinpath("scenarios", "baseline-2024-12.toml").read_text("utf-8")
    m = re.search(r"^\[sides\.russia\.casualties\]\n(.*?)(?=^\[)", text, flags=re.S | re.M)
    assert m
    assert "calibrated to ua_gs_losses_to_2024-12-24.csv (fact gs-personnel-series)" in m.group(1)
    assert "scripts/calibrate_baseline.py" in m.group(1)
    tables = []
    for name in attrition.builtins():
        sc = attrition.Scenario.builtin(name)
        d = sc.to_dict()["sides"]["russia"]["casualties"]
        assert d["initial_cumulative"] == 777_720 and sc.start == dt.date(2024, 12, 24)
        tables.append(d)
    assert all(t == tables[0] for t in tables)


def fleet_scenario(days=120):
    """One side with two fleets that lose guns in combat at a rate with a prior, wear not binding."""
    fleet = {
        "caliber": "c",
        "guns": 1000,
        "rounds_per_gun_day": 1,
        "barrel_life": 1e6,
        "combat_loss": {"dist": "uniform", "low": 0.0002, "high": 0.003},
    }
    return attrition.Scenario.from_dict(
        {
            "name": "fleets",
            "start": START.isoformat(),
            "days": days,
            "sides": {"a": {"calibers": {"c": {"initial_stock": 1e9}}, "fleets": {"f1": fleet, "f2": fleet}}},
        }
    )


def test_summed_cumulative_series_with_tied_parameters_and_a_reporting_factor():
    """Claims = 5 x the guns two fleets lose: one tied loss rate and the factor are fitted to the
    daily increments of the summed cumulative series; the product is pinned down, the factor
    stays within its prior."""
    sc = fleet_scenario()
    q0 = 0.001
    r = attrition.run(
        sc.with_values({"sides.a.fleets.f1.combat_loss": q0, "sides.a.fleets.f2.combat_loss": q0}),
        n=1,
        seed=11,
        series=["a.fleet.f1.destroyed", "a.fleet.f2.destroyed"],
    )
    lost = np.diff(r.series("a.fleet.f1.destroyed")[0] + r.series("a.fleet.f2.destroyed")[0], prepend=0.0)
    observed = pd.Series(5.0 * lost, index=pd.DatetimeIndex(r.dates))
    cal = calibrate(
        sc,
        observed,
        params=["sides.a.fleets.*.combat_loss"],
        tie="sides.a.fleets.*.combat_loss",
        series="a.fleet.*.destroyed",
        reporting={"dist": "uniform", "low": 3.0, "high": 8.0},
        side="a",
        window=(START, START + dt.timedelta(days=119)),
        population=300,
        max_generations=8,
        seed=3,
    )
    assert cal.params == ["sides.a.fleets.*.combat_loss", "reporting"]
    assert cal.series == "a.fleet.*.destroyed"
    post = cal.posterior
    product = post["sides.a.fleets.*.combat_loss"] * post["reporting"] * 2000
    mean = float((product * post["weight"]).sum())
    assert abs(mean - 5 * 2000 * q0) < 0.15 * 5 * 2000 * q0  # 10 claims a day
    lo, hi = cal.interval("reporting")
    assert 3.0 <= lo < 5.0 < hi <= 8.0
    # A scenario gets the tied posterior on every fleet, and no "reporting" parameter.
    d = cal.distributions("lognormal")
    assert sorted(d) == ["sides.a.fleets.f1.combat_loss", "sides.a.fleets.f2.combat_loss"]
    s = cal.sample(5)
    assert list(s.columns) == ["sides.a.fleets.f1.combat_loss", "sides.a.fleets.f2.combat_loss"]
    assert (s.iloc[:, 0] == s.iloc[:, 1]).all()
    sims = cal.predictive(50, seed=1)
    assert sims.shape == (50, 120)
    assert abs(sims.mean() / observed.mean() - 1) < 0.25
    with pytest.raises(ValueError, match="one prior"):
        calibrate(
            sc.with_values({"sides.a.fleets.f2.combat_loss": {"dist": "uniform", "low": 0.0, "high": 0.01}}),
            observed,
            params=["sides.a.fleets.*.combat_loss"],
            tie="sides.a.fleets.*.combat_loss",
            series="a.fleet.*.destroyed",
            side="a",
            window=(START, START + dt.timedelta(days=119)),
        )


def test_block_stats_tell_a_wandering_level_from_a_steady_one():
    """block_stats: the level, and the step and spread of the four-week means, which a slow
    random walk of the log level raises far above a steady level's (the same daily noise)."""
    from attrition.calibration import BLOCK_STAT_NAMES, block_stats

    rng = np.random.default_rng(5)
    days, n = 364, 200
    steady = rng.poisson(1000.0, size=(n, days)).astype(float)
    walk = np.cumsum(rng.normal(0.0, 0.03, size=(n, days)), axis=1)
    wandering = rng.poisson(1000.0 * np.exp(walk)).astype(float)
    s, w = block_stats(steady), block_stats(wandering)
    assert s.shape == (n, len(BLOCK_STAT_NAMES)) == (n, 3)
    assert np.allclose(s[:, 0], np.log(1000.0), atol=0.01)
    # steady: four-week means of Poisson(1000) vary by about sqrt(1000 / 28) / 1000 = 0.6 %
    assert np.all(np.median(s[:, 1:], axis=0) < np.log(0.012))
    # a walk of 0.03 a day moves the four-week means by about 0.03 sqrt(28 * 2 / 3) = 13 %
    assert np.median(w[:, 1]) > np.log(0.08) and np.median(w[:, 2]) > np.median(w[:, 1])
    with pytest.raises(ValueError, match="at least 112 days"):
        block_stats(steady[:, :100])
