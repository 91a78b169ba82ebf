"""The ABC-SMC of attrition.calibrate checked against pyabc, an established implementation.

Two problems:

1. Poisson counts with a flat prior on the rate, whose posterior is known in closed
   form (a Gamma truncated to the prior's range: the Gamma prior's flat limit). Both
   samplers use the sufficient statistic (the mean count).
2. The built-in scenario's casualty fit: the General Staff's daily personnel claims
   over 2024-09-26 .. 2024-12-24 (the 90 reports up to the scenarios' day 0), four
   parameters with the priors of scripts/calibrate_baseline.py, the six daily_stats
   statistics and one distance for both (the statistics over the spread that
   calibrate measured, Euclidean). pyabc calls its model one particle at a time, too
   slowly for the engine's per-call overhead, so its model is the same law written in
   numpy (docs/model.md, personnel and casualties: a negative binomial count around
   base x a mean-one log-normal AR(1) tempo).

Posterior means must agree within a few Monte Carlo standard errors, and 90 % interval
ends within a tenth of the prior's spread (problem 2) or 0.4 posterior sd, about three
Monte Carlo sd of a 5 % tail quantile at the samplers' effective sample sizes (problem 1).
Skipped when pyabc is not installed (``pip install 'attrition[crosscheck]'``); the two
problems take about five minutes.
"""

import datetime as dt
import math
import os
import tempfile

import numpy as np
import pytest

pyabc = pytest.importorskip("pyabc")
pd = pytest.importorskip("pandas")
stats = pytest.importorskip("scipy.stats")

import attrition  # noqa: E402
from attrition.calibration import calibrate, daily_stats  # noqa: E402
from attrition.scenario.dist import Dist  # noqa: E402


def _weighted(x, w, q):
    o = np.argsort(x)
    c = np.cumsum(w[o]) / w.sum()
    return np.array([x[o][np.searchsorted(c, qq)] for qq in q])


def _pyabc_posterior(models, prior, distance, observed, population, min_eps, max_gens, seed):
    np.random.seed(seed)
    db = "sqlite:///" + os.path.join(tempfile.mkdtemp(), "abc.db")
    abc = pyabc.ABCSMC(models, prior, distance, population_size=population, sampler=pyabc.sampler.SingleCoreSampler())
    abc.new(db, observed)
    h = abc.run(minimum_epsilon=min_eps, max_nr_populations=max_gens)
    df, w = h.get_distribution()
    return df, np.asarray(w)


def test_poisson_rate_closed_form():
    """Both samplers recover the exact posterior of a Poisson rate."""
    days, low, high = 60, 5.0, 60.0
    sc = attrition.Scenario.from_dict(
        {
            "name": "poisson",
            "start": "2024-01-01",
            "days": days,
            "sides": {"a": {"casualties": {"base": {"dist": "uniform", "low": low, "high": high}}}},
        }
    )
    y = np.random.default_rng(7).poisson(20.0, size=days).astype(float)
    post = stats.gamma(a=y.sum() + 1.0, scale=1.0 / days)  # flat prior: Gamma(sum + 1, rate m), [5, 60] holds ~all
    exact_mean, exact_sd = post.mean(), post.std()
    exact_q = post.ppf([0.05, 0.95])

    def mean_stat(x):
        return np.asarray(x, dtype=float).mean(axis=1, keepdims=True)

    cal = calibrate(
        sc,
        y,
        params=["sides.a.casualties.base"],
        side="a",
        window=("2024-01-01", "2024-02-29"),
        stats=mean_stat,
        population=1000,
        max_generations=12,
        min_acceptance=0.02,
        seed=3,
    )
    p = cal.posterior
    x, w = p["sides.a.casualties.base"].to_numpy(), p["weight"].to_numpy()
    ours_mean = float(np.sum(w * x))
    ours_q = np.asarray(cal.interval("sides.a.casualties.base", 0.9))

    def model(par):
        return {"mean": np.random.poisson(par["lam"], size=days).mean()}

    df, wp = _pyabc_posterior(
        model,
        pyabc.Distribution(lam=pyabc.RV("uniform", low, high - low)),
        pyabc.PNormDistance(p=2),
        {"mean": y.mean()},
        population=500,
        min_eps=0.1,
        max_gens=10,
        seed=5,
    )
    theirs_mean = float(np.sum(wp * df["lam"].to_numpy()) / wp.sum())
    theirs_q = _weighted(df["lam"].to_numpy(), wp, [0.05, 0.95])
    print(
        f"\nPoisson rate: exact mean {exact_mean:.3f} sd {exact_sd:.3f} 90 % {exact_q.round(3)}; "
        f"attrition {ours_mean:.3f} {ours_q.round(3)}; pyabc {theirs_mean:.3f} {theirs_q.round(3)}"
    )
    ess = 500 * 0.5  # conservative: half of pyabc's population effective
    mc = exact_sd / math.sqrt(ess)
    for m in (ours_mean, theirs_mean):
        assert abs(m - exact_mean) < 4 * mc + 0.02 * exact_sd
    for q in (ours_q, theirs_q):
        assert np.all(np.abs(q - exact_q) < 0.4 * exact_sd)  # ~3 Monte Carlo sd of a 5 % tail quantile at ESS 250


P = "sides.russia.casualties."
PRIORS = {
    P + "base": {"dist": "uniform", "low": 500, "high": 3000},
    P + "dispersion": {"dist": "lognormal", "mu": math.log(60), "sigma": 1.5, "low": 5, "high": 1000},
    P + "drift_sd": {"dist": "uniform", "low": 0.0, "high": 0.25},
    P + "drift_reversion": {"dist": "uniform", "low": 0.0, "high": 0.5},
}


def casualties(rng, base, k, sd, rev, days):
    """The casualty process of docs/model.md in numpy: NB(k) counts around base x exp(x_t - v_t / 2)."""
    x = v = 0.0
    out = np.empty(days)
    for t in range(days):
        x = (1.0 - rev) * x + sd * rng.standard_normal()
        v = (1.0 - rev) ** 2 * v + sd * sd
        mu = base * math.exp(x - v / 2.0)
        out[t] = rng.poisson(rng.gamma(k, mu / k))
    return out


def test_baseline_casualty_fit():
    """attrition and pyabc agree on the built-in fit's posterior, with one distance for both."""
    gs = attrition.data.gs_losses()
    first, last = dt.date(2024, 9, 26), dt.date(2024, 12, 24)
    y = gs.loc[str(first) : str(last), "personnel_daily"].to_numpy(dtype=float)
    prior = attrition.Scenario.builtin("baseline-2024-12").with_values(PRIORS)
    cal = calibrate(
        prior,
        gs["personnel_daily"],
        params=list(PRIORS),
        window=(first, last),
        lag=1,
        distance="scaled",
        population=1000,
        max_generations=20,
        min_acceptance=0.03,
        seed=1,
    )
    scale = cal.scale.to_numpy()
    s_obs = daily_stats(y)[0]
    eps = float(cal.generations["tolerance"].iloc[-1])

    rng = np.random.default_rng(11)

    def model(par):
        s = daily_stats(
            casualties(rng, par["base"], math.exp(par["log_k"]), par["drift_sd"], par["drift_reversion"], len(y))
        )[0]
        return {f"s{i}": v for i, v in enumerate(s)}

    lo, hi = (math.log(5) - math.log(60)) / 1.5, (math.log(1000) - math.log(60)) / 1.5
    prior_abc = pyabc.Distribution(
        base=pyabc.RV("uniform", 500, 2500),
        log_k=pyabc.RV("truncnorm", lo, hi, loc=math.log(60), scale=1.5),
        drift_sd=pyabc.RV("uniform", 0.0, 0.25),
        drift_reversion=pyabc.RV("uniform", 0.0, 0.5),
    )
    distance = pyabc.PNormDistance(p=2, fixed_weights={f"s{i}": 1.0 / scale[i] for i in range(len(scale))})
    df, wp = _pyabc_posterior(
        model,
        prior_abc,
        distance,
        {f"s{i}": v for i, v in enumerate(s_obs)},
        population=1000,
        min_eps=eps,
        max_gens=20,
        seed=2,
    )
    df = df.assign(dispersion=np.exp(df["log_k"]))
    ours = cal.posterior
    w = ours["weight"].to_numpy()
    rows = []
    for short in ("base", "dispersion", "drift_sd", "drift_reversion"):
        x = ours[P + short].to_numpy()
        xa = df[short].to_numpy()
        m_o, m_a = float(np.sum(w * x)), float(np.sum(wp * xa) / wp.sum())
        sd = math.sqrt(float(np.sum(w * (x - m_o) ** 2)))
        q_o, q_a = _weighted(x, w, [0.05, 0.95]), _weighted(xa, wp, [0.05, 0.95])
        spread = float(np.diff(Dist(PRIORS[P + short], P + short).ppf(np.array([0.05, 0.95])))[0])
        rows.append((short, m_o, m_a, sd, q_o, q_a, spread))
    print(f"\nbaseline fit, tolerance {eps:.3g}:")
    for short, m_o, m_a, _, q_o, q_a, _ in rows:
        print(f"  {short:16s} attrition {m_o:9.4g} {q_o.round(4)}   pyabc {m_a:9.4g} {q_a.round(4)}")
    for short, m_o, m_a, sd, q_o, q_a, spread in rows:
        ess = 250.0
        assert abs(m_o - m_a) < 4 * sd * math.sqrt(2.0 / ess) + 0.05 * spread, short
        assert np.all(np.abs(q_o - q_a) < 0.1 * spread), short
