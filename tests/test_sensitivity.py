"""Sensitivity analysis: inverse CDFs, explicit samples as tables, Sobol' indices, rank correlations."""

import sys

import numpy as np
import pytest

import attrition

pd = pytest.importorskip("pandas")
stats = pytest.importorskip("scipy.stats")
pytest.importorskip("SALib")

from attrition.scenario.dist import Dist  # noqa: E402
from attrition.sensitivity import NOISE, ppf, rank_correlation, sobol  # noqa: E402

# Synthetic scenarios: a tempo step after the horizon carries uncertain factors on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::attrition.ScenarioWarning")

# One spec of every distribution (and variant) of src/scenario/dist.rs, all >= 0 so that
# they are valid tempo factors.
SPECS = {
    "uniform": {"dist": "uniform", "low": 0.5, "high": 2.0},
    "triangular": {"dist": "triangular", "low": 0.0, "mode": 3.0, "high": 4.0},
    "pert": {"dist": "pert", "low": 1.0, "mode": 2.0, "high": 6.0},
    "pert_shape": {"dist": "pert", "low": 1.0, "mode": 5.0, "high": 6.0, "shape": 1.5},
    "normal_trunc": {"dist": "normal", "mean": 1.0, "sd": 2.0, "low": 0.0, "high": 3.0},
    "normal_low": {"dist": "normal", "mean": 5.0, "sd": 2.0, "low": 4.0},
    "lognormal": {"dist": "lognormal", "mu": 0.2, "sigma": 0.6},
    "lognormal_trunc": {"dist": "lognormal", "mu": 0.0, "sigma": 1.0, "low": 0.5, "high": 4.0},
    "beta": {"dist": "beta", "a": 2.0, "b": 5.0, "low": 1.0, "high": 3.0},
    "choice": {"dist": "choice", "values": [0.5, 1.0, 2.0, 4.0], "weights": [1.0, 0.0, 2.0, 3.0]},
}


def tempo_scenario(specs, days=1):
    """A one-side scenario whose uncertain parameters are tempo factors with the given specs."""
    tempo = [{"start": "2100-01-01", "factor": spec} for spec in specs.values()]
    return attrition.Scenario.from_dict(
        {
            "name": "tempo",
            "start": "2024-01-01",
            "days": days,
            "sides": {"a": {"casualties": {"base": 10, "tempo": tempo}}},
        }
    )


def additive():
    """Cumulative casualties after 100 days = initial + sum of daily draws: additive in
    initial_cumulative and base, with daily negative-binomial noise of known variance."""
    return attrition.Scenario.from_dict(
        {
            "name": "additive",
            "start": "2024-01-01",
            "days": 100,
            "sides": {
                "a": {
                    "casualties": {
                        "base": {"dist": "uniform", "low": 900, "high": 1100},
                        "dispersion": 5,
                        "initial_cumulative": {"dist": "uniform", "low": 0, "high": 20000},
                        "tempo": [{"start": "2100-01-01", "factor": {"dist": "uniform", "low": 1, "high": 3}}],
                    }
                }
            },
        }
    )


CUMULATIVE = ["a.casualties.total.cumulative"]


def final_cumulative(r):
    return r.series("a.casualties.total.cumulative")[:, -1]


# -- inverse CDFs ------------------------------------------------------------------------
def test_inverse_cdfs_match_the_engine():
    """Each distribution: the engine's draws follow the CDF of the Python mapping
    (Kolmogorov-Smirnov, alpha = 0.001), and ppf inverts that CDF."""
    sc = tempo_scenario(SPECS)
    n = 4000
    r = attrition.run(sc, n=n, seed=11, series=[])
    paths = [u["path"] for u in sc.uncertain_list()]
    assert len(paths) == len(SPECS)
    u = (np.arange(1, 200) - 0.5) / 200
    for (name, spec), path in zip(SPECS.items(), paths, strict=True):
        x = r.params[path]
        m = Dist(spec)
        if name == "choice":
            counts = np.array([(x == v).sum() for v in spec["values"]])
            assert counts.sum() == n and counts[1] == 0
            w = np.array(spec["weights"]) / sum(spec["weights"])
            keep = w > 0
            assert stats.chisquare(counts[keep], n * w[keep]).pvalue > 0.001
            # the discrete inverse CDF gives the values in the weights' proportions
            grid = m.ppf((np.arange(6000) + 0.5) / 6000)
            assert np.allclose([(grid == v).mean() for v in spec["values"]], w, atol=1e-3)
            continue
        assert stats.kstest(x, m.cdf).pvalue > 0.001, name
        assert np.allclose(m.cdf(m.ppf(u)), u, atol=1e-9), name
        lo, hi = m.support()
        assert lo <= x.min() and x.max() <= hi, name


def test_ppf_closed_forms():
    u = np.array([0.1, 0.5, 0.9])
    assert np.allclose(ppf({"dist": "uniform", "low": 2, "high": 4}, u), 2 + 2 * u)
    # pert(0, 5, 10) is a Beta(3, 3) on [0, 10]
    assert np.allclose(ppf({"dist": "pert", "low": 0, "mode": 5, "high": 10}, u), 10 * stats.beta(3, 3).ppf(u))
    # triangular(0, 0, 1): F(x) = 1 - (1 - x)^2
    assert np.allclose(ppf({"dist": "triangular", "low": 0, "mode": 0, "high": 1}, u), 1 - np.sqrt(1 - u))
    assert np.allclose(ppf({"dist": "normal", "mean": 3, "sd": 2}, u), 3 + 2 * stats.norm.ppf(u))
    assert np.allclose(ppf({"dist": "lognormal", "mu": 1, "sigma": 0.5}, u), np.exp(1 + 0.5 * stats.norm.ppf(u)))
    # truncation acts in the CDF: the median of N(0, 1) truncated to [0, inf) is Phi^-1(0.75)
    assert np.isclose(ppf({"dist": "normal", "mean": 0, "sd": 1, "low": 0}, 0.5), stats.norm.ppf(0.75))
    assert np.isclose(ppf({"dist": "lognormal", "mu": 0, "sigma": 1, "low": 1}, 0.5), np.exp(stats.norm.ppf(0.75)))
    assert ppf({"dist": "fixed", "value": 7}, u).tolist() == [7, 7, 7]
    assert ppf(3.5, u).tolist() == [3.5] * 3
    assert ppf({"dist": "normal", "mean": 2, "sd": 0}, u).tolist() == [2, 2, 2]
    # choice: the first value whose cumulative weight exceeds u, as the engine does (u = 0.25 at a boundary)
    assert ppf({"dist": "choice", "values": [1, 2, 3], "weights": [1, 1, 2]}, [0.0, 0.25, 0.49, 0.5, 1.0]).tolist() == [
        1,
        2,
        2,
        3,
        3,
    ]
    # the normal-score map keeps the upper tail
    m = Dist({"dist": "normal", "mean": 0, "sd": 1})
    assert np.allclose(m.from_normal_score([-9.0, 0.0, 9.0]), [-9.0, 0.0, 9.0])
    assert np.allclose(stats.norm.ppf(m.cdf(m.from_normal_score([-3.0, 1.5]))), [-3.0, 1.5])


# -- explicit samples as a table ---------------------------------------------------------
def test_samples_as_dataframe_structured_array_and_dict(small):
    x = np.linspace(1500, 3000, 12)
    y = np.linspace(60000, 110000, 12)
    a, b = "sides.red.fleets.guns.barrel_life", "sides.red.calibers.152mm.initial_stock"
    df = pd.DataFrame({a: x, b: y}, index=np.arange(100, 112))  # the index is ignored
    r1 = attrition.run(small, seed=4, samples=df, series=["red.ammo.152mm.stock"])
    assert r1.n == 12  # n from the rows
    assert np.array_equal(r1.params[a], x) and np.array_equal(r1.params[b], y)
    rec = np.zeros(12, dtype=[(a, "f8"), (b, "f8")])
    rec[a], rec[b] = x, y
    r2 = attrition.run(small, seed=4, samples=rec, series=["red.ammo.152mm.stock"])
    r3 = attrition.run(small, n=12, seed=4, samples={a: x, b: y}, series=["red.ammo.152mm.stock"])
    for r in (r2, r3):
        assert np.array_equal(r.series("red.ammo.152mm.stock"), r1.series("red.ammo.152mm.stock"))
    # trajectory i uses row i: a partial run over rows 3..5 repeats those trajectories
    part = attrition.run(small, seed=4, samples=df.iloc[3:6], trajectories=range(3, 6), series=["red.ammo.152mm.stock"])
    assert np.array_equal(part.series("red.ammo.152mm.stock"), r1.series("red.ammo.152mm.stock")[3:6])


def test_samples_errors(small):
    a = "sides.red.fleets.guns.barrel_life"
    with pytest.raises(ValueError, match="rows but n=5"):
        attrition.run(small, n=5, seed=1, samples=pd.DataFrame({a: np.full(4, 2000.0)}))
    with pytest.raises(ValueError, match="shape"):
        attrition.run(
            small, seed=1, samples={a: np.full(4, 2000.0), "sides.red.calibers.152mm.initial_stock": np.ones(3)}
        )
    with pytest.raises(ValueError, match="non-finite value nan in row 2"):
        attrition.run(small, seed=1, samples={a: [2000.0, 2000.0, np.nan]})
    with pytest.raises(ValueError, match="empty"):
        attrition.run(small, seed=1, samples=pd.DataFrame())
    with pytest.raises(TypeError, match="samples must be"):
        attrition.run(small, seed=1, samples=[1.0, 2.0])
    with pytest.raises(KeyError, match="did you mean"):
        attrition.run(small, seed=1, samples=pd.DataFrame({a + "x": [2000.0]}))


# -- Sobol' ------------------------------------------------------------------------------
def test_sobol_recovers_the_variance_shares_of_an_additive_model():
    """Y = initial + sum of 100 daily NegBin(base, k=5) draws. Var(initial) = 20000^2/12,
    Var(100 base) = 100^2 200^2/12 and the noise 100 (1000 + 1000^2/5) (+ a little from
    base's spread), so S1 = ST = 0.385 for both and 0.23 for the noise; the tempo factor
    acts after the horizon and has no effect."""
    v_ic, v_base, v_noise = 20000**2 / 12, 100**2 * 200**2 / 12, 100 * (1000 + (1000**2 + 200**2 / 12) / 5)
    total = v_ic + v_base + v_noise
    si = sobol(additive(), final_cumulative, n=512, seed=3, series=CUMULATIVE)
    assert list(si.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert si.index.name == "param"
    assert si.attrs["trajectories"] == 512 * (3 + 3)
    ic, base, tempo = (
        "sides.a.casualties.initial_cumulative",
        "sides.a.casualties.base",
        "sides.a.casualties.tempo[0].factor",
    )
    assert set(si.index) == {ic, base, tempo, NOISE}
    assert list(si["ST"]) == sorted(si["ST"], reverse=True)
    for name, v in ((ic, v_ic), (base, v_base), (NOISE, v_noise)):
        assert abs(si.loc[name, "S1"] - v / total) < 0.08, name
        assert abs(si.loc[name, "ST"] - v / total) < 0.08, name
    assert abs(si.loc[tempo, "S1"]) < 0.05 and abs(si.loc[tempo, "ST"]) < 1e-12  # no effect at all: exactly 0


def test_sobol_noise_as_a_factor_versus_independent_streams():
    """Without the noise factor every trajectory has its own stream: S1 is still a share of the
    total variance, but each ST also carries the noise's share (about 0.23 here)."""
    si = sobol(additive(), final_cumulative, n=512, seed=3, noise=False, series=CUMULATIVE)
    assert NOISE not in si.index
    base = "sides.a.casualties.base"
    assert abs(si.loc[base, "S1"] - 0.385) < 0.1
    assert si.loc[base, "ST"] > 0.385 + 0.12


def test_sobol_params_subset_holds_the_others_at_their_median():
    base = "sides.a.casualties.base"
    # initial_cumulative held at its median: Var = Var(100 base) + noise -> S1(base) = 0.625
    si = sobol(additive(), final_cumulative, n=512, seed=5, params=[base], series=CUMULATIVE)
    assert list(si.index) == [base, NOISE]
    assert abs(si.loc[base, "S1"] - 0.625) < 0.08
    # drawn as usual, initial_cumulative's variation joins the noise factor: S1(base) = 0.385
    si = sobol(additive(), final_cumulative, n=512, seed=5, params=[base], others="draw", series=CUMULATIVE)
    assert abs(si.loc[base, "S1"] - 0.385) < 0.08
    assert abs(si.loc[NOISE, "S1"] - 0.615) < 0.1


def test_sobol_ranks_the_dominant_input_first():
    """The baseline with its casualty level known only within a factor 6: over 60 days the
    level drives the casualties, ahead of the drift, the dispersion, the coupling and the noise."""
    sc = attrition.Scenario.builtin("baseline-2024-12").with_values(
        {"days": 60, "sides.russia.casualties.base": {"dist": "uniform", "low": 500, "high": 3000}}
    )
    si = sobol(sc, "russia.casualties.total.run_total", n=32, seed=2, params="sides.russia.casualties.*")
    assert si.index[0] == "sides.russia.casualties.base"
    assert si.loc["sides.russia.casualties.base", "ST"] > 0.7 and si["ST"].iloc[1:].max() < 0.2


def test_sobol_censored_outcomes_and_bad_arguments():
    sc = additive().with_values({"sides.a.casualties.thresholds": [110000.0]})
    out = "a.casualties.total.days_to_110000"
    with pytest.raises(ValueError, match=r"censored.*censored='horizon'"):
        sobol(sc, out, n=64, seed=1)
    si = sobol(sc, out, n=64, seed=1, censored="horizon")
    assert set(si.index[:2]) == {"sides.a.casualties.base", "sides.a.casualties.initial_cumulative"}
    assert si.attrs["censored_share"] > 0
    with pytest.raises(ValueError, match="for days_to_"):
        sobol(sc, final_cumulative, n=64, seed=1, censored="horizon", series=CUMULATIVE)
    si2 = sobol(sc, out, n=64, seed=1, censored=100.0)  # the horizon, as a number
    pd.testing.assert_frame_equal(si, si2)
    with pytest.raises(ValueError, match="power of 2"):
        sobol(sc, out, n=100, seed=1)
    with pytest.raises(KeyError, match="did you mean"):
        sobol(sc, "a.casualties.total.run_totl", n=64, seed=1)
    with pytest.raises(KeyError):
        sobol(sc, out, n=64, seed=1, params=["sides.a.casualties.nope"])
    with pytest.raises(ValueError, match="does not vary"):
        sobol(sc, lambda r: np.ones(r.n), n=64, seed=1)
    with pytest.raises(ValueError, match="others"):
        sobol(sc, out, n=64, seed=1, others="mean")


def test_errors_of_an_outcome_function_say_where_they_come_from():
    def broken(r):
        raise RuntimeError("no such thing")

    with pytest.raises(RuntimeError, match="no such thing") as e:
        sobol(additive(), broken, n=4, seed=1)
    if sys.version_info >= (3, 11):
        assert e.value.__notes__ == [
            "raised by the outcome function 'broken' on trajectories range(0, 4) of the design"
        ]


def test_sobol_is_reproducible():
    # seed 0 included: SALib's analyze would draw its bootstrap from the global generator
    for seed in (0, 9):
        a = sobol(additive(), final_cumulative, n=64, seed=seed, series=CUMULATIVE)
        b = sobol(additive(), final_cumulative, n=64, seed=seed, threads=1, series=CUMULATIVE)
        pd.testing.assert_frame_equal(a, b)


# -- rank correlations -------------------------------------------------------------------
def test_rank_correlation_matches_scipy_with_ties_and_nan():
    specs = dict(SPECS)
    sc = tempo_scenario(specs, days=60).with_values(
        {
            "sides.a.casualties.base": {"dist": "uniform", "low": 500, "high": 1500},
            "sides.a.casualties.thresholds": [50000.0],
        }
    )
    r = attrition.run(sc, n=300, seed=5, series=[])
    out = "a.casualties.total.days_to_50000"
    y = r.outcome(out)
    assert 0 < np.isnan(y).sum() < r.n  # some trajectories censored
    rho = rank_correlation(r, out)
    # every run counts: a censored time is the horizon
    assert rho.name == out and rho.attrs["n"] == r.n and rho.attrs["censored"] == "horizon"
    t = np.where(np.isnan(y), r.days, y)
    for p in rho.index:
        want = stats.spearmanr(r.params[p], t).statistic  # average ranks for ties
        assert np.isclose(rho[p], want, atol=1e-12), p
    assert rho.index[0] == "sides.a.casualties.base" and rho.iloc[0] < -0.9  # higher rate, sooner
    assert list(rho.abs()) == sorted(rho.abs(), reverse=True)
    # a tied (choice) parameter still gets a value
    assert np.isfinite(rho["sides.a.casualties.tempo[9].factor"])


def test_rank_correlation_inputs():
    sc = tempo_scenario({"u": SPECS["uniform"], "c": {"dist": "choice", "values": [2.0]}}, days=5)
    r = attrition.run(sc, n=50, seed=1, series=[])
    y = r.params["sides.a.casualties.tempo[0].factor"] * 2 + 1
    rho = rank_correlation(r, y)
    assert rho.iloc[0] == pytest.approx(1.0)
    assert rho.index[-1] == "sides.a.casualties.tempo[1].factor" and np.isnan(rho.iloc[-1])  # constant: NaN, last
    only = rank_correlation(r, y, params="*tempo[[]0*")
    assert list(only.index) == ["sides.a.casualties.tempo[0].factor"]
    with pytest.raises(ValueError, match="one value per trajectory"):
        rank_correlation(r, y[:10])
    with pytest.raises(KeyError):
        rank_correlation(r, "a.casualties.total.nope")


def test_censored_times_give_the_known_sign_in_rank_correlation_and_tornado():
    """A case whose answer is known. x is a stock: the event (running dry) happens when
    x < e / 2 (e a noise in [0, 1]), on day 100 + 500 (e - 2x). For every day t,
    P(T <= t | x) = min(1 - 2x, (t - 100) / 500)+ falls as x grows: a larger stock runs dry
    later or never, at every day. Yet among the runs that do run dry, larger stocks run dry
    sooner. The time censored at the horizon gets the sign right; dropping the censored runs
    gets it wrong."""
    from attrition.results import ColumnArrays, PathSeries, Result
    from attrition.results.events import restricted

    sc = attrition.Scenario.builtin("baseline-2024-12")
    stock, noise = "sides.russia.calibers.152mm.initial_stock", "sides.russia.casualties.base"
    name = "russia.ammo.152mm.days_to_rationing"
    rng = np.random.default_rng(0)
    n = 2000
    x, e = rng.random(n), rng.random(n)
    t = np.where(x < e / 2, np.floor(100 + 500 * (e - 2 * x)), np.nan)
    r = Result(sc, 0, [(0, n)], PathSeries({}), ColumnArrays({name: t}), ColumnArrays({stock: x, noise: e}))
    rho = rank_correlation(r, name)
    ok = ~np.isnan(t)
    assert stats.spearmanr(x[ok], t[ok]).statistic < -0.3  # the runs that saw it: the wrong sign
    assert rho[stock] > 0.5 and np.isclose(rho[stock], stats.spearmanr(x, restricted(t, sc.days)).statistic)
    assert rho.attrs["n"] == n
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = r.plot.tornado(name)
    bars = {tick.get_text(): b.get_width() for tick, b in zip(ax.get_yticklabels(), ax.containers[0], strict=True)}
    assert np.isclose(bars["russia.calibers.152mm.initial_stock"], rho[stock])
    assert np.isclose(bars["russia.casualties.base"], rho[noise])
    plt.close("all")
