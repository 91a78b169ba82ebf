"""The numpy reference of ``benchmarks/`` and the engine simulate the same model.

The reference (``benchmarks/numpy_reference.py``) draws from numpy's generator, the engine
from its keyed streams, so they can only agree in distribution. Each check runs over a
family of quantities: series at a few days (the key series at days 30, 180, 365 and 729
for the benchmark scenario) and every outcome. First-passage outcomes (``days_to_*``, NaN
when censored) are compared as the restricted first-passage time min(T, days), a censored
trajectory counting as ``days``; other outcomes compare their finite values and, when
some are not finite, the share that is not (two-proportion z-test).

1. Independent runs (each implementation draws its own parameters): for every quantity a
   z-test on the difference of the two sample means (independent samples, unequal
   variances) and a two-sample Kolmogorov-Smirnov test, which compares the whole
   distribution and so its quartiles.
2. Common parameters (the reference is given the engine's drawn parameters, so the two
   trajectories of a pair differ only by their process noise, independent given the
   parameters): paired z-tests that the per-trajectory differences a - b and
   (a - c)^2 - (b - c)^2 (c the pooled mean) have mean 0, i.e. equal conditional means and
   second moments. Removing the spread of the parameters, which dominates most
   quantities, makes these far more sensitive to the daily rules.
3. The parameter draws alone (thousands of trajectories, no simulation): a two-sample
   Kolmogorov-Smirnov test per uncertain parameter, since check 2 shares the engine's
   draws and check 1 has little power against a wrong spread of one parameter.

Every test is two-sided; a family of m tests fails a quantity when its p-value is below
alpha / m with alpha = 0.001 (Bonferroni), so a correct reference fails a whole family
with probability below 0.001.

Scenarios: ``benchmarks/bench.toml`` (the benchmark scenario, 730 days) when present,
else the built-in baseline cut to 200 days; and ``STRESS`` below (150 days, all series
compared at days 3, 9, 30, 90 and 149), which puts the rules that barely move the benchmark
(the drift's variance correction, the fire-ratio cap, the contingent cap, the
return-to-duty ring, write-offs, windows) where they matter.
"""

from __future__ import annotations

import doctest
import importlib.util
import pathlib
import sys
from typing import Any

import numpy as np
import pytest
from scipy import stats

import attrition

# The stress scenario's extreme values (a growth of 2, ...) are the point.
pytestmark = pytest.mark.filterwarnings("ignore::attrition.ScenarioWarning")

ROOT = pathlib.Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench.toml"
REFERENCE = ROOT / "benchmarks" / "numpy_reference.py"
DATA = pathlib.Path(__file__).parent / "data"

ALPHA = 0.001
DAYS = (30, 180, 365, 729)

#: Every rule in action, several pushed to where they matter: a random-walk tempo drift,
#: fire ratios far above the cap, a contingent whose casualties hit its strength, windows,
#: write-offs, new guns, every distribution.
STRESS: dict[str, Any] = {
    "name": "stress",
    "start": "2025-01-01",
    "days": 150,
    "max_fire_ratio": 4,
    "sides": {
        "red": {
            "opponent": "blue",
            "ref_fire": 300.0,
            "calibers": {
                "152mm": {
                    "initial_stock": {"dist": "triangular", "low": 20000, "mode": 40000, "high": 60000},
                    "initial_dud_fraction": {"dist": "beta", "a": 2, "b": 8, "low": 0.0, "high": 0.5},
                    "reserve": 5000,
                    "reserve_days": 2,
                },
                "122mm": {
                    "initial_stock": 8000,
                    "lethality": 0.6,
                    "reserve_days": {"dist": "choice", "values": [0, 3, 10], "weights": [1, 2, 1]},
                },
            },
            "supply": {
                "home": {
                    "caliber": "152mm",
                    "rate": {"dist": "normal", "mean": 900, "sd": 300, "low": 100, "high": 1500},
                    "growth": 2.0,
                    "lot_size": {"dist": "uniform", "low": 800, "high": 3000},
                    "dud_fraction": 0.3,
                    "price": 100,
                    "supplier": "works",
                },
                "ally": {
                    "caliber": "152mm",
                    "rate": 600,
                    "lot_size": 2500,
                    "start": "2025-02-01",
                    "end": "2025-04-01",
                    "dud_fraction": {"dist": "uniform", "low": 0.1, "high": 0.6},
                    "price": {"dist": "lognormal", "mu": 5.5, "sigma": 0.5, "high": 600},
                },
                "ally_122": {"caliber": "122mm", "rate": 150, "lot_size": 1000, "supplier": "ally", "price": 50},
            },
            "fleets": {
                "guns": {
                    "caliber": "152mm",
                    "guns": {"dist": "pert", "low": 80, "mode": 120, "high": 160},
                    "rounds_per_gun_day": 9.5,
                    "efc_per_round": 0.8,
                    "barrel_life": {"dist": "pert", "low": 400, "mode": 600, "high": 900},
                    "barrel_shape": 2.0,
                    "initial_wear": 0.9,
                    "spares": 3,
                    "spare_rate": 0.4,
                    "repair_days": 4,
                    "max_wait_days": 6,
                    "combat_loss": 0.002,
                    "combat_beta": 1.5,
                    "accuracy_loss": 0.5,
                    "accuracy_exponent": 3,
                    "threshold": 0.7,
                    "deliveries": {"rate": 1.5, "lot_size": 4, "start": "2025-01-20", "end": "2025-03-15"},
                },
                "old": {
                    "caliber": "152mm",
                    "guns": 40,
                    "rounds_per_gun_day": 4.5,
                    "barrel_life": 300,
                    "barrel_shape": 4.0,
                    "initial_wear": 0.5,
                    "repair_days": 0,
                    "spare_rate": 0.2,
                    "accuracy_loss": 0.3,
                    "accuracy_exponent": 1,
                },
                "light": {
                    "caliber": "122mm",
                    "guns": 60,
                    "rounds_per_gun_day": 6,
                    "barrel_life": 2500,
                    "initial_wear": 0.2,
                    "combat_loss": 0.003,
                },
            },
            "casualties": {
                "base": 900,
                "dispersion": 3,
                "alpha": 0.8,
                "drift_sd": 0.08,
                "drift_reversion": 0.0,
                "tempo": [
                    {"start": "2025-02-01", "end": "2025-03-01", "factor": 1.8},
                    {"start": "2025-02-15", "factor": {"dist": "uniform", "low": 0.5, "high": 0.9}},
                ],
                "initial_cumulative": 10000,
                "thresholds": [50000.0, 90000.0, 1e9],
            },
            "contingents": {
                "main": {"strength": 60000, "killed_fraction": 0.3, "rtd": 0.6, "rtd_days": 9, "arrival_rate": 200},
                "elite": {
                    "strength": 40,
                    "relative_risk": 60,
                    "killed_fraction": 0.5,
                    "rtd": 0.5,
                    "rtd_days": 0,
                    "arrival_rate": 8,
                    "payment": 100,
                    "sender": "ally",
                    "schedule": [{"date": "2025-02-10", "size": 500}, {"date": "2025-06-10", "size": 500}],
                    "arrivals_end": "2025-04-01",
                },
                "raw": {
                    "strength": 5000,
                    "relative_risk": 3,
                    "killed_fraction": 0.2,
                    "rtd": 0.0,
                    "schedule": [
                        {"date": "2025-01-15", "size": {"dist": "pert", "low": 1000, "mode": 2000, "high": 4000}}
                    ],
                    "arrivals_start": "2025-01-10",
                },
            },
            "territory": {"rate": 20, "cv": 1.2, "gamma": 0.8, "ref_ratio": 1.5, "reference_area_km2": 50000},
        },
        "blue": {
            "opponent": "red",
            "ref_fire": 60.0,
            "calibers": {"155mm": {"initial_stock": 15000, "lethality": 1.2, "reserve_days": 1}},
            "supply": {"west": {"caliber": "155mm", "rate": 400, "lot_size": 3000}},
            "fleets": {
                "m777": {
                    "caliber": "155mm",
                    "guns": 50,
                    "rounds_per_gun_day": 8,
                    "barrel_life": {"dist": "normal", "mean": 1500, "sd": 300, "low": 800},
                    "initial_wear": 0.6,
                    "spares": 5,
                    "spare_rate": 0.3,
                    "repair_days": 3,
                    "combat_loss": 0.001,
                    "combat_beta": 1.0,
                    "accuracy_loss": 0.2,
                    "accuracy_exponent": 2,
                }
            },
            "casualties": {"base": 400, "alpha": 1.0, "drift_sd": 0.03, "drift_reversion": 0.1},
            "territory": {"rate": 3, "cv": 0.0, "gamma": 1.0},
        },
    },
}


def load_reference(path: pathlib.Path = REFERENCE) -> Any:
    """Import the reference from its file (``benchmarks/`` is not a package)."""
    spec = importlib.util.spec_from_file_location("attrition_numpy_reference", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def ref() -> Any:
    return load_reference()


def bench_scenario() -> attrition.Scenario:
    if BENCH.exists():
        return attrition.Scenario.load(BENCH)
    return attrition.Scenario.builtin("baseline-2024-12").with_values({"days": 200})


def quantities(
    sc: attrition.Scenario, series: dict[str, np.ndarray], outcomes: dict[str, np.ndarray], days: tuple[int, ...]
) -> dict[str, np.ndarray]:
    """The compared quantities, ``{label: values per trajectory}``, NaN marking non-finite values."""
    out: dict[str, np.ndarray] = {}
    days = tuple(sorted({min(d, sc.days - 1) for d in days}))
    for name in series:
        for d in days:
            out[f"{name}[{d}]"] = np.asarray(series[name][:, d], float)
    for name in sc.outcome_names:
        x = np.asarray(outcomes[name], float)
        if ".days_to_" in name:
            x = np.where(np.isnan(x), float(sc.days), x)
        out[name] = np.where(np.isfinite(x), x, np.nan)
    return out


def _p_means(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p-value of the z-test on the difference of two independent means."""
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    diff = a.mean() - b.mean()
    if se == 0:
        return 1.0 if diff == 0 else 0.0
    return float(2 * stats.norm.sf(abs(diff) / se))


def _p_share(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sided p-value of the two-proportion z-test on the share of NaN."""
    x, y = np.isnan(a), np.isnan(b)
    pooled = (x.sum() + y.sum()) / (x.size + y.size)
    se = np.sqrt(pooled * (1 - pooled) * (1 / x.size + 1 / y.size))
    if se == 0:
        return 1.0
    return float(2 * stats.norm.sf(abs(x.mean() - y.mean()) / se))


def independent_failures(qa: dict[str, np.ndarray], qb: dict[str, np.ndarray]) -> list[str]:
    """Quantities whose means or distributions differ (Bonferroni over all the tests run)."""
    tests: list[tuple[str, float]] = []
    for k, a in qa.items():
        b = qb[k]
        if np.isnan(a).any() or np.isnan(b).any():
            tests.append((f"{k} share not finite", _p_share(a, b)))
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        if a.size < 10 or b.size < 10:
            continue
        tests.append((f"{k} mean {a.mean():.6g} vs {b.mean():.6g}", _p_means(a, b)))
        if a.min() == a.max() and b.min() == b.max():
            continue  # constant: the mean test decides
        tests.append((f"{k} KS", float(stats.ks_2samp(a, b, method="asymp").pvalue)))
    level = ALPHA / len(tests)
    return [f"{label} (p = {p:.2g} < {level:.2g})" for label, p in tests if p < level]


def _p_zero_mean(d: np.ndarray) -> float:
    """Two-sided p-value of the z-test that paired differences have mean 0."""
    sd = d.std(ddof=1)
    if sd == 0:
        return 1.0 if d.mean() == 0 else 0.0
    return float(2 * stats.norm.sf(abs(d.mean()) / (sd / np.sqrt(d.size))))


def paired_failures(qa: dict[str, np.ndarray], qb: dict[str, np.ndarray]) -> list[str]:
    """Quantities whose pairs (same parameters) differ in mean or second moment."""
    tests: list[tuple[str, float]] = []
    for k, a in qa.items():
        b = qb[k]
        ok = ~np.isnan(a) & ~np.isnan(b)
        if np.isnan(a).any() or np.isnan(b).any():
            tests.append((f"{k} share not finite", _p_share(a, b)))
        a, b = a[ok], b[ok]
        if a.size < 10:
            continue
        d = a - b
        tests.append((f"{k} mean diff {d.mean():.4g} (sd {d.std():.3g})", _p_zero_mean(d)))
        c = 0.5 * (a.mean() + b.mean())
        tests.append((f"{k} second moment diff", _p_zero_mean((a - c) ** 2 - (b - c) ** 2)))
    level = ALPHA / len(tests)
    return [f"{label} (p = {p:.2g} < {level:.2g})" for label, p in tests if p < level]


def compare(
    ref: Any, sc: attrition.Scenario, n: int, seed: int, paired: bool, series: Any = None, days: tuple[int, ...] = DAYS
) -> list[str]:
    """Run both implementations and list the quantities that disagree."""
    names = ref._select(sc.series_names, series)
    r = attrition.run(sc, n=n, seed=seed, series=names, progress=False)
    given = r.params if paired else None
    s, o = ref.simulate(sc, n, seed=seed + 1, series=names, samples=given)
    qa = quantities(sc, {k: r.series(k) for k in names}, r.outcomes, days)
    qb = quantities(sc, s, o, days)
    return (paired_failures if paired else independent_failures)(qa, qb)


STRESS_DAYS = (3, 9, 30, 90, 149)  # early days catch the timing of repairs and returns


def test_reference_names_and_docs(ref):
    sc = bench_scenario()
    drawn: dict[str, np.ndarray] = {}
    s, o = ref.simulate(sc.with_values({"days": 5}), 3, seed=0, series="all", params=drawn)
    assert list(s) == sc.series_names and list(o) == sc.outcome_names
    assert all(v.shape == (3, 5) for v in s.values()) and all(v.shape == (3,) for v in o.values())
    assert set(drawn) == {u["path"] for u in sc.uncertain_list()}
    small = attrition.Scenario.load(DATA / "two_sides.toml")
    s, o = ref.simulate(small, 2, seed=0, series="all")
    assert list(s) == small.series_names and list(o) == small.outcome_names
    failed, _ = doctest.testmod(ref, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert failed == 0


@pytest.mark.parametrize("which", ["bench", "stress"])
def test_parameter_draws(ref, which):
    """Each uncertain parameter has the engine's distribution (two-sample KS, Bonferroni)."""
    sc = bench_scenario() if which == "bench" else attrition.Scenario.from_dict(STRESS)
    n = 5_000 if which == "bench" else 20_000  # the engine also fits the bench's ~2,500 barrels a trajectory
    eng = attrition.run(sc.with_values({"days": 1}), n=n, seed=11, series=[], progress=False).params
    mine = ref.draw_parameters(sc, n, seed=12)
    assert set(mine) == set(eng)
    level = ALPHA / len(eng)
    bad = [
        f"{k}: KS p = {p:.2g}"
        for k in sorted(eng)
        if (p := stats.ks_2samp(mine[k], eng[k], method="asymp").pvalue) < level
    ]
    assert not bad, "\n".join(bad)


def test_agreement_independent(ref):
    failures = compare(ref, bench_scenario(), n=300, seed=20241224, paired=False)
    assert not failures, "\n".join(failures)


def test_agreement_given_parameters(ref):
    failures = compare(ref, bench_scenario(), n=300, seed=7, paired=True)
    assert not failures, "\n".join(failures)


def test_agreement_stress_given_parameters(ref):
    sc = attrition.Scenario.from_dict(STRESS)
    failures = compare(ref, sc, n=1000, seed=3, paired=True, series="all", days=STRESS_DAYS)
    assert not failures, "\n".join(failures)


def test_agreement_stress_independent(ref):
    sc = attrition.Scenario.from_dict(STRESS)
    failures = compare(ref, sc, n=1000, seed=4, paired=False, series="all", days=STRESS_DAYS)
    assert not failures, "\n".join(failures)
