//! Goodness-of-fit tests of the parameter distributions (`attrition::scenario::Dist`)
//! and of the daily samplers (`attrition::rng`), plus the errors of
//! `Dist::from_value`.
//!
//! Every test uses one fixed seed (`SEED`, chosen once) and its own keyed
//! stream, so it is deterministic. Each goodness-of-fit test states its
//! significance level `alpha`: with a correct sampler it fails with
//! probability about `alpha` for a random seed, so a failure here means
//! "investigate the sampler", not "try another seed".
//!
//! - Kolmogorov-Smirnov (continuous laws): D_n = sup |F_n(x) - F(x)|, rejected
//!   when D_n > 1.949 / sqrt(n), the asymptotic critical value for
//!   alpha = 0.001 (Kolmogorov's K(1.9495) = 0.999). With n = 20,000 the
//!   critical value is 0.0138: a sampler whose CDF is off by 1.4 percentage
//!   points anywhere is caught.
//! - Chi-square (discrete laws): cells with expected count below 5 are merged
//!   with their neighbours; the critical value is the (1 - alpha) quantile of
//!   ChiSquared(cells - 1) from statrs.
mod common;
use attrition::rng::clock::{CLOCK_MAX_MEAN, PoissonClock};
use attrition::rng::sample::{
    binomial, exp, gamma, gamma_mean_cv, neg_binomial, normal, poisson, weibull_residual_life,
};
use attrition::rng::{Stream, key, stream};
use attrition::scenario::Dist;
use common::{chi_square, proptest_config};
use proptest::prelude::*;
use serde_json::{Value, json};
use statrs::distribution::{
    Beta, Binomial, ChiSquared, ContinuousCDF, Discrete, DiscreteCDF, Gamma, LogNormal, NegativeBinomial, Normal,
    Poisson, Triangular, Weibull,
};

/// The one seed of this file (picked once; never tuned to make a test pass).
const SEED: u64 = 20_240_601;
/// Samples per goodness-of-fit test.
const N: usize = 20_000;
/// Significance level of every goodness-of-fit test in this file.
const ALPHA: f64 = 0.001;
/// Asymptotic Kolmogorov-Smirnov critical value at alpha = 0.001, times sqrt(n).
const KS_C: f64 = 1.949;
/// Two-sided standard normal critical value at alpha = 0.001.
const Z: f64 = 3.2905;

fn rng(name: &str) -> Stream {
    stream(SEED, 0, key(&format!("test:{name}")))
}

/// One-sample Kolmogorov-Smirnov statistic of `xs` against the continuous CDF `cdf`.
fn ks_statistic(xs: &mut [f64], cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    let mut d: f64 = 0.0;
    for (i, &x) in xs.iter().enumerate() {
        let f = cdf(x);
        assert!((0.0..=1.0).contains(&f), "CDF out of [0, 1] at {x}: {f}");
        d = d.max((i + 1) as f64 / n - f).max(f - i as f64 / n);
    }
    d
}

/// Assert that `xs` fits `cdf` (KS at alpha = 0.001).
fn assert_ks(what: &str, mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) {
    let n = xs.len();
    let d = ks_statistic(&mut xs, cdf);
    let crit = KS_C / (n as f64).sqrt();
    assert!(d <= crit, "{what}: Kolmogorov-Smirnov D = {d:.5} > critical {crit:.5} (alpha = {ALPHA}, n = {n})");
}

fn draw(d: &Dist, name: &str) -> Vec<f64> {
    let mut r = rng(name);
    (0..N).map(|_| d.sample(&mut r)).collect()
}

fn dist(v: serde_json::Value) -> Dist {
    Dist::from_value(&v).unwrap_or_else(|e| panic!("{v}: {e}"))
}

/// Assert a chi-square goodness of fit at alpha = 0.001.
fn assert_chi_square(what: &str, observed: &[f64], expected: &[f64]) {
    let (stat, df) = chi_square(observed, expected);
    let crit = ChiSquared::new(df as f64).unwrap().inverse_cdf(1.0 - ALPHA);
    assert!(
        stat <= crit,
        "{what}: chi-square = {stat:.2} > critical {crit:.2} (df = {df}, alpha = {ALPHA}, n = {})",
        observed.iter().sum::<f64>()
    );
}

/// Chi-square of integer-valued samples against a discrete CDF, with unit-width
/// cells from `lo` to `hi` and the two tails as their own cells.
fn assert_discrete_fit(what: &str, xs: &[f64], lo: i64, hi: i64, cdf: impl Fn(i64) -> f64) {
    let n = xs.len() as f64;
    // Cells: (-inf, lo), lo, lo+1, ..., hi, (hi, inf).
    let cells = (hi - lo + 3) as usize;
    let mut obs = vec![0.0; cells];
    for &x in xs {
        assert!(x == x.trunc() && x >= 0.0, "{what}: not a count: {x}");
        let x = x as i64;
        let c = if x < lo {
            0
        } else if x > hi {
            cells - 1
        } else {
            (x - lo + 1) as usize
        };
        obs[c] += 1.0;
    }
    let p_le = |x: i64| if x < 0 { 0.0 } else { cdf(x) };
    let mut exp = Vec::with_capacity(cells);
    exp.push(p_le(lo - 1) * n);
    for x in lo..=hi {
        exp.push((p_le(x) - p_le(x - 1)) * n);
    }
    exp.push((1.0 - p_le(hi)) * n);
    assert_chi_square(what, &obs, &exp);
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
    (m, v)
}

#[test]
fn chi_square_quantiles_match_tables() {
    // The critical values used throughout: the 0.999 quantiles of ChiSquared(df)
    // from standard tables (df = 1: 10.828, df = 3: 16.266, df = 10: 29.588).
    for (df, q) in [(1.0, 10.828), (3.0, 16.266), (10.0, 29.588)] {
        let x = ChiSquared::new(df).unwrap().inverse_cdf(0.999);
        assert!((x - q).abs() < 2e-3, "chi2({df}) 0.999 quantile {x} vs table {q}");
    }
}

// ---------------------------------------------------------------------------
// Dist: one Kolmogorov-Smirnov test per continuous family (alpha = 0.001, n = 20,000).

#[test]
fn fixed_is_its_value() {
    // A point mass has no continuous CDF to test against: every draw must be the value.
    let d = dist(json!(42.5));
    assert_eq!(d, Dist::Fixed(42.5));
    assert!(draw(&d, "fixed").iter().all(|&x| x == 42.5));
    let d = dist(json!({"dist": "fixed", "value": -3}));
    assert!(draw(&d, "fixed-table").iter().all(|&x| x == -3.0));
}

#[test]
fn uniform_ks() {
    let d = dist(json!({"dist": "uniform", "low": 2.0, "high": 5.0}));
    assert_ks("uniform(2, 5)", draw(&d, "uniform"), |x| ((x - 2.0) / 3.0).clamp(0.0, 1.0));
}

#[test]
fn triangular_ks() {
    let d = dist(json!({"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0}));
    let t = Triangular::new(1.0, 6.0, 2.0).unwrap();
    assert_ks("triangular(1, 2, 6)", draw(&d, "triangular"), |x| t.cdf(x));
    // A mode at the edge (a right triangle).
    let d = dist(json!({"dist": "triangular", "low": 0.0, "mode": 0.0, "high": 1.0}));
    let t = Triangular::new(0.0, 1.0, 0.0).unwrap();
    assert_ks("triangular(0, 0, 1)", draw(&d, "triangular-edge"), |x| t.cdf(x));
}

/// PERT(low, mode, high, shape) is Beta(1 + shape (mode - low) / range, 1 + shape (high - mode) / range)
/// on [low, high].
fn pert_cdf(low: f64, mode: f64, high: f64, shape: f64) -> impl Fn(f64) -> f64 {
    let r = high - low;
    let b = Beta::new(1.0 + shape * (mode - low) / r, 1.0 + shape * (high - mode) / r).unwrap();
    move |x| b.cdf(((x - low) / r).clamp(0.0, 1.0))
}

#[test]
fn pert_ks() {
    let d = dist(json!({"dist": "pert", "low": 1500, "mode": 2000, "high": 3000}));
    assert_ks("pert(1500, 2000, 3000)", draw(&d, "pert"), pert_cdf(1500.0, 2000.0, 3000.0, 4.0));
    let d = dist(json!({"dist": "pert", "low": 0, "mode": 9, "high": 10, "shape": 8}));
    assert_ks("pert(0, 9, 10, shape 8)", draw(&d, "pert-shape"), pert_cdf(0.0, 9.0, 10.0, 8.0));
}

#[test]
fn normal_ks() {
    let d = dist(json!({"dist": "normal", "mean": 10.0, "sd": 3.0}));
    let z = Normal::new(10.0, 3.0).unwrap();
    assert_ks("normal(10, 3)", draw(&d, "normal"), |x| z.cdf(x));
}

/// CDF of `base` truncated to [low, high]: (F(x) - F(low)) / (F(high) - F(low)) on [low, high].
fn truncated(base: impl Fn(f64) -> f64, low: f64, high: f64) -> impl Fn(f64) -> f64 {
    let (fl, fh) = (base(low), base(high));
    move |x| {
        if x < low {
            0.0
        } else if x >= high {
            1.0
        } else {
            ((base(x) - fl) / (fh - fl)).clamp(0.0, 1.0)
        }
    }
}

#[test]
fn normal_truncated_ks() {
    let z = Normal::new(0.0, 1.0).unwrap();
    let d = dist(json!({"dist": "normal", "mean": 0, "sd": 1, "low": -0.5, "high": 2}));
    let xs = draw(&d, "normal-trunc");
    assert!(xs.iter().all(|x| (-0.5..=2.0).contains(x)));
    assert_ks("normal(0, 1) in [-0.5, 2]", xs, truncated(|x| z.cdf(x), -0.5, 2.0));
    // One side only, deep in the tail (mass 0.0013 kept): inversion must still be exact.
    let d = dist(json!({"dist": "normal", "mean": 0, "sd": 1, "low": 3}));
    let xs = draw(&d, "normal-trunc-low");
    assert!(xs.iter().all(|x| *x >= 3.0));
    assert_ks("normal(0, 1) in [3, inf]", xs, truncated(|x| z.cdf(x), 3.0, f64::INFINITY));
    // Upper bound only.
    let z = Normal::new(100.0, 20.0).unwrap();
    let d = dist(json!({"dist": "normal", "mean": 100, "sd": 20, "high": 90}));
    assert_ks(
        "normal(100, 20) in [-inf, 90]",
        draw(&d, "normal-trunc-high"),
        truncated(|x| z.cdf(x), f64::NEG_INFINITY, 90.0),
    );
}

#[test]
fn lognormal_ks() {
    let d = dist(json!({"dist": "lognormal", "mu": 1.0, "sigma": 0.5}));
    let l = LogNormal::new(1.0, 0.5).unwrap();
    assert_ks("lognormal(1, 0.5)", draw(&d, "lognormal"), |x| l.cdf(x));
}

#[test]
fn lognormal_truncated_ks() {
    let l = LogNormal::new(1.0, 0.5).unwrap();
    let d = dist(json!({"dist": "lognormal", "mu": 1.0, "sigma": 0.5, "low": 1.5, "high": 5.0}));
    let xs = draw(&d, "lognormal-trunc");
    assert!(xs.iter().all(|x| (1.5..=5.0).contains(x)));
    assert_ks("lognormal(1, 0.5) in [1.5, 5]", xs, truncated(|x| l.cdf(x), 1.5, 5.0));
}

#[test]
fn beta_scaled_ks() {
    let d = dist(json!({"dist": "beta", "a": 2.0, "b": 5.0, "low": 10.0, "high": 20.0}));
    let b = Beta::new(2.0, 5.0).unwrap();
    assert_ks("beta(2, 5) on [10, 20]", draw(&d, "beta"), |x| b.cdf(((x - 10.0) / 10.0).clamp(0.0, 1.0)));
    // Defaults to [0, 1]; a U-shaped beta.
    let d = dist(json!({"dist": "beta", "a": 0.5, "b": 0.5}));
    let b = Beta::new(0.5, 0.5).unwrap();
    assert_ks("beta(0.5, 0.5)", draw(&d, "beta-u"), |x| b.cdf(x.clamp(0.0, 1.0)));
}

#[test]
fn choice_chi_square() {
    // alpha = 0.001, n = 20,000, df = 3 (critical 16.27).
    let values = [1.0, 2.5, 7.0, 10.0];
    let weights = [1.0, 2.0, 3.0, 4.0];
    let d = dist(json!({"dist": "choice", "values": values, "weights": weights}));
    let xs = draw(&d, "choice");
    let mut obs = [0.0; 4];
    for x in &xs {
        let i = values.iter().position(|v| v == x).unwrap_or_else(|| panic!("drew {x}, not a value"));
        obs[i] += 1.0;
    }
    let exp: Vec<f64> = weights.iter().map(|w| w / 10.0 * N as f64).collect();
    assert_chi_square("choice weights 1:2:3:4", &obs, &exp);

    // Equal weights by default; a zero weight is never drawn.
    let d = dist(json!({"dist": "choice", "values": [3, 4, 5]}));
    let xs = draw(&d, "choice-equal");
    let obs: Vec<f64> = [3.0, 4.0, 5.0].iter().map(|v| xs.iter().filter(|x| *x == v).count() as f64).collect();
    assert_eq!(obs.iter().sum::<f64>(), N as f64);
    assert_chi_square("choice equal weights", &obs, &[N as f64 / 3.0; 3]);
    let d = dist(json!({"dist": "choice", "values": [3, 4, 5], "weights": [0, 1, 0]}));
    assert!(draw(&d, "choice-zero").iter().all(|&x| x == 4.0));
}

// ---------------------------------------------------------------------------
// Dist: errors name the rule that was broken.

fn err(v: serde_json::Value) -> String {
    match Dist::from_value(&v) {
        Ok(d) => panic!("{v} was accepted as {d:?}"),
        Err(e) => e,
    }
}

fn assert_err(v: serde_json::Value, needles: &[&str]) {
    let e = err(v.clone());
    for n in needles {
        assert!(e.contains(n), "error for {v} is {e:?}; expected it to mention {n:?}");
    }
}

#[test]
fn dist_errors_name_the_rule() {
    assert_err(json!({"dist": "uniform", "low": 5, "high": 1}), &["low <= high", "low=5", "high=1"]);
    assert_err(json!({"dist": "triangular", "low": 1, "mode": 7, "high": 3}), &["low <= mode <= high", "mode=7"]);
    assert_err(json!({"dist": "pert", "low": 1, "mode": 0, "high": 3}), &["pert needs low <= mode <= high"]);
    assert_err(json!({"dist": "pert", "low": 2, "mode": 2, "high": 2}), &["low < high"]);
    assert_err(json!({"dist": "pert", "low": 1, "mode": 2, "high": 3, "shape": 0}), &["shape > 0"]);
    assert_err(json!({"dist": "normal", "mean": 1, "sd": -1}), &["sd >= 0", "sd=-1"]);
    assert_err(json!({"dist": "lognormal", "mu": 1, "sigma": -0.1}), &["sigma >= 0"]);
    assert_err(json!({"dist": "normal", "mean": 0, "sd": 1, "low": 3, "high": 2}), &["low < high"]);
    assert_err(json!({"dist": "beta", "a": 0, "b": 2}), &["a > 0 and b > 0"]);
    assert_err(json!({"dist": "beta", "a": 2, "b": -1}), &["a > 0 and b > 0"]);
    assert_err(json!({"dist": "beta", "a": 2, "b": 2, "low": 1, "high": 1}), &["low < high"]);
    assert_err(
        json!({"dist": "choice", "values": [1, 2, 3], "weights": [1, 2]}),
        &["one weight per value", "3 values", "2 weights"],
    );
    assert_err(json!({"dist": "choice", "values": []}), &["at least one value"]);
    assert_err(json!({"dist": "choice", "values": [1, 2], "weights": [1, -1]}), &["weights >= 0"]);
    assert_err(json!({"dist": "choice", "values": [1, 2], "weights": [0, 0]}), &["sum to more than 0"]);
    // Truncation that keeps no mass: 50 to 60 standard deviations above the mean.
    assert_err(json!({"dist": "normal", "mean": 0, "sd": 1, "low": 50, "high": 60}), &["keeps no probability mass"]);
    assert_err(json!({"dist": "lognormal", "mu": 0, "sigma": 1, "high": -1}), &["high > 0"]);
    assert_err(json!({"dist": "normal", "mean": 5, "sd": 0, "low": 6}), &["outside its truncation bounds"]);
}

#[test]
fn dist_errors_on_types_and_names() {
    // NaN and infinities cannot be JSON (serde_json turns them into null); non-numbers are refused.
    assert_err(json!(f64::NAN), &["expected a number, a 90 % interval", "or a distribution table", "got nothing"]);
    assert_err(json!("12"), &["expected a number, a 90 % interval", "or a distribution table", "got the text \"12\""]);
    assert_err(json!(true), &["got a boolean"]);
    assert_err(json!([1, 2]), &["got a list"]);
    assert_err(json!({"dist": "normal", "mean": "ten", "sd": 1}), &["`mean` must be a number", "got a string"]);
    assert_err(json!({"dist": "fixed", "value": null}), &["`value` must be a number", "got nothing"]);
    assert_err(json!({"dist": "choice", "values": [1, "x"]}), &["`values[1]` must be a number"]);
    assert_err(json!({"dist": "choice", "values": 3}), &["`values` must be a list of numbers"]);
    assert_err(json!({"dist": 3}), &["`dist` must be a string"]);
    assert_err(json!({"low": 1, "high": 2}), &["needs a `dist` key"]);
    // Unknown key, with a suggestion and the list of keys.
    assert_err(
        json!({"dist": "pert", "low": 1, "mode": 2, "hihg": 3}),
        &["pert has no key `hihg`", "did you mean `high`?", "low, mode, high, shape"],
    );
    // Unknown distribution, with a suggestion.
    assert_err(
        json!({"dist": "lognormall", "mu": 0, "sigma": 1}),
        &["unknown distribution `lognormall`", "did you mean `lognormal`"],
    );
    assert_err(json!({"dist": "weibull", "scale": 1}), &["unknown distribution `weibull`", "known: fixed"]);
    // Missing keys.
    assert_err(json!({"dist": "uniform", "low": 1}), &["uniform needs `high`"]);
    assert_err(json!({"dist": "choice"}), &["choice needs `values`"]);
}

// ---------------------------------------------------------------------------
// Samplers of the daily process noise.

fn weibull_survival(x: f64, scale: f64, shape: f64) -> f64 {
    (-(x / scale).powf(shape)).exp()
}

#[test]
fn weibull_residual_life_ks() {
    // Without age: the plain Weibull (statrs' CDF).
    let mut r = rng("weibull-0");
    let xs: Vec<f64> = (0..N).map(|_| weibull_residual_life(&mut r, 1000.0, 3.0, 0.0)).collect();
    let w = Weibull::new(3.0, 1000.0).unwrap();
    assert_ks("Weibull(scale 1000, shape 3)", xs, |x| w.cdf(x));

    // The full life L given L > age: P(L <= x | L > age) = 1 - S(x) / S(age) for x >= age.
    for (scale, shape, age) in [(1000.0, 3.0, 700.0), (2000.0, 1.5, 3000.0), (500.0, 0.8, 100.0)] {
        let mut r = rng(&format!("weibull-{scale}-{shape}-{age}"));
        let xs: Vec<f64> = (0..N).map(|_| weibull_residual_life(&mut r, scale, shape, age)).collect();
        assert!(xs.iter().all(|&x| x >= age), "a life shorter than the age survived");
        let s_age = weibull_survival(age, scale, shape);
        assert_ks(&format!("Weibull({scale}, {shape}) life given > {age}"), xs, |x| {
            if x <= age { 0.0 } else { (1.0 - weibull_survival(x, scale, shape) / s_age).clamp(0.0, 1.0) }
        });
    }
}

#[test]
fn neg_binomial_fits_pmf() {
    // Chi-square against the NB pmf with mean 5, k = 2: statrs' NegativeBinomial(r = k, p = k / (k + mean)).
    // alpha = 0.001, n = 20,000.
    let (mean, k) = (5.0, 2.0);
    let mut r = rng("negbin-5-2");
    let xs: Vec<f64> = (0..N).map(|_| neg_binomial(&mut r, mean, Some(k))).collect();
    let nb = NegativeBinomial::new(k, k / (k + mean)).unwrap();
    assert_discrete_fit("NB(mean 5, k 2)", &xs, 0, 40, |x| nb.cdf(x as u64));
}

/// Mean and variance of a sample against a law with cumulants k1..k4: a z-test
/// on the mean (SE sqrt(k2 / n)) and on the sample variance (asymptotic SE
/// sqrt((mu4 - sigma^4) / n) = sqrt((k4 + 2 k2^2) / n)), each at alpha = 0.001.
fn assert_moments(what: &str, xs: &[f64], k1: f64, k2: f64, k4: f64) {
    let n = xs.len() as f64;
    let (m, v) = mean_var(xs);
    let se_m = (k2 / n).sqrt();
    assert!((m - k1).abs() <= Z * se_m, "{what}: mean {m:.4} vs {k1:.4} (SE {se_m:.4}, alpha = {ALPHA}, n = {n})");
    let se_v = ((k4 + 2.0 * k2 * k2) / n).sqrt();
    assert!((v - k2).abs() <= Z * se_v, "{what}: variance {v:.3} vs {k2:.3} (SE {se_v:.3}, alpha = {ALPHA}, n = {n})");
}

/// Cumulants of the NB with mean m and dispersion k (r = k, p = k / (k + m), q = 1 - p):
/// k2 = r q / p^2, k4 = r q (1 + 4 q + q^2) / p^4.
fn nb_cumulants(m: f64, k: f64) -> (f64, f64, f64) {
    let p = k / (k + m);
    let q = 1.0 - p;
    (m, k * q / (p * p), k * q * (1.0 + 4.0 * q + q * q) / p.powi(4))
}

#[test]
fn neg_binomial_moments() {
    for (mean, k) in [(5.0, 2.0), (200.0, 3.0), (1500.0, 20.0)] {
        let mut r = rng(&format!("negbin-moments-{mean}-{k}"));
        let xs: Vec<f64> = (0..N).map(|_| neg_binomial(&mut r, mean, Some(k))).collect();
        let (k1, k2, k4) = nb_cumulants(mean, k);
        assert!((k2 - (mean + mean * mean / k)).abs() < 1e-9 * k2);
        assert_moments(&format!("NB(mean {mean}, k {k})"), &xs, k1, k2, k4);
    }
    // k = None is Poisson.
    let mut r = rng("negbin-poisson");
    let xs: Vec<f64> = (0..N).map(|_| neg_binomial(&mut r, 7.5, None)).collect();
    let p = Poisson::new(7.5).unwrap();
    assert_discrete_fit("NB(mean 7.5, k = None) = Poisson(7.5)", &xs, 0, 40, |x| p.cdf(x as u64));
    // Degenerate means give 0.
    let mut r = rng("negbin-degenerate");
    for m in [0.0, -1.0, f64::NAN] {
        assert_eq!(neg_binomial(&mut r, m, Some(2.0)), 0.0);
        assert_eq!(neg_binomial(&mut r, m, None), 0.0);
    }
}

#[test]
fn poisson_fits_pmf() {
    // alpha = 0.001, n = 20,000 each: inversion below 12 (0.05 to 11.9), PTRS above.
    for lambda in [0.05, 0.3, 3.5, 11.9, 12.0, 12.5, 30.0, 60.0, 250.0] {
        let mut r = rng(&format!("poisson-{lambda}"));
        let xs: Vec<f64> = (0..N).map(|_| poisson(&mut r, lambda)).collect();
        let p = Poisson::new(lambda).unwrap();
        let hi = (lambda + 8.0 * lambda.sqrt() + 10.0) as i64;
        assert_discrete_fit(&format!("Poisson({lambda})"), &xs, 0, hi, |x| p.cdf(x as u64));
    }
    // A large rate (another algorithm in rand_distr), cells of one count around the mean.
    let lambda = 1500.0;
    let mut r = rng("poisson-1500");
    let xs: Vec<f64> = (0..N).map(|_| poisson(&mut r, lambda)).collect();
    let p = Poisson::new(lambda).unwrap();
    assert_discrete_fit("Poisson(1500)", &xs, 1400, 1600, |x| p.cdf(x as u64));
    assert_moments("Poisson(1500)", &xs, lambda, lambda, lambda);
    let lambda = 1e6;
    let mut r = rng("poisson-1e6");
    let xs: Vec<f64> = (0..N).map(|_| poisson(&mut r, lambda)).collect();
    let p = Poisson::new(lambda).unwrap();
    assert_discrete_fit("Poisson(1e6)", &xs, 996_000, 1_004_000, |x| p.cdf(x as u64));
    assert_moments("Poisson(1e6)", &xs, lambda, lambda, lambda);
    // Degenerate rates give 0.
    for l in [0.0, -2.0, f64::NAN, f64::INFINITY] {
        assert_eq!(poisson(&mut r, l), 0.0, "poisson({l})");
    }
}

/// Chi-square of pairs of consecutive counts (x_t, x_t+1), both capped at
/// `cap`, against the product of their marginals: a clock that carried
/// information from one day to the next would fail it (alpha = 0.001).
fn assert_independent_days(what: &str, xs: &[f64], cap: usize, pmf: impl Fn(usize, usize) -> f64) {
    let k = cap + 1;
    let mut obs = vec![0.0; k * k];
    let mut exp = vec![0.0; k * k];
    // Disjoint pairs (days 2j, 2j+1), so that the pairs are independent under the null.
    let pairs = xs.len() / 2;
    for j in 0..pairs {
        let (a, b) = ((xs[2 * j] as usize).min(cap), (xs[2 * j + 1] as usize).min(cap));
        obs[a * k + b] += 1.0;
    }
    // Expected: the marginal law of the day (its position decides its mean).
    for j in 0..pairs {
        for a in 0..k {
            for b in 0..k {
                exp[a * k + b] += pmf(2 * j, a) * pmf(2 * j + 1, b);
            }
        }
    }
    assert_chi_square(&format!("{what}: consecutive days"), &obs, &exp);
}

/// P(X = x) of Poisson(mu), with x == cap meaning x >= cap.
fn poisson_capped(mu: f64, x: usize, cap: usize) -> f64 {
    let p = Poisson::new(mu).unwrap();
    if x < cap { p.pmf(x as u64) } else { 1.0 - p.cdf(cap as u64 - 1) }
}

#[test]
fn poisson_clock_counts_are_poisson_and_independent() {
    // Constant means, from rare (one event in 20 days) to the largest drawn by
    // event times: daily counts ~ Poisson(mu) (chi-square, alpha = 0.001,
    // n = 20,000 days each) and consecutive days independent.
    for mu in [0.05, 0.4, 1.3, CLOCK_MAX_MEAN] {
        let mut r = rng(&format!("clock-{mu}"));
        let mut c = PoissonClock::default();
        let xs: Vec<f64> = (0..N).map(|_| c.count(&mut r, mu)).collect();
        let p = Poisson::new(mu).unwrap();
        assert_discrete_fit(&format!("clock Poisson({mu})"), &xs, 0, 12, |x| p.cdf(x as u64));
        assert_independent_days(&format!("clock Poisson({mu})"), &xs, 3, |_, x| poisson_capped(mu, x, 3));
    }
    // A mean that changes every day and crosses the direct-draw threshold:
    // days cycle through 0.02, 0.7, 5 (direct), 0.3, 0 and 1.5. Each day's
    // count must follow its own mean, whatever the days before it drew.
    let mus = [0.02, 0.7, 5.0, 0.3, 0.0, 1.5];
    let mut r = rng("clock-varying");
    let mut c = PoissonClock::default();
    let xs: Vec<f64> = (0..6 * N).map(|t| c.count(&mut r, mus[t % 6])).collect();
    for (j, &mu) in mus.iter().enumerate() {
        let day: Vec<f64> = xs.iter().skip(j).step_by(6).copied().collect();
        if mu == 0.0 {
            assert!(day.iter().all(|&x| x == 0.0), "a day with mean 0 has no event");
            continue;
        }
        let p = Poisson::new(mu).unwrap();
        assert_discrete_fit(&format!("clock, varying mean, day with {mu}"), &day, 0, 20, |x| p.cdf(x as u64));
    }
    // Pairs (day 6i + 1, day 6i + 2) = (0.7, 5) and (6i + 3, 6i + 4) = (0.3, 0) are
    // covered above; (6i, 6i + 1) = (0.02, 0.7) and (6i + 5, 6i + 6) = (1.5, 0.02)
    // cross the clock's own days: test them for independence.
    let cap = 3;
    for (a, b) in [(0usize, 1usize), (5, 6)] {
        let pairs: Vec<f64> = (0..N - 1).flat_map(|i| [xs[6 * i + a], xs[6 * i + b]]).collect();
        let (ma, mb) = (mus[a % 6], mus[b % 6]);
        let pmf = |t: usize, x: usize| poisson_capped(if t % 2 == 0 { ma } else { mb }, x, cap);
        assert_independent_days(&format!("clock, varying mean, days {a}-{b}"), &pairs, cap, pmf);
    }
    for bad in [f64::NAN, f64::INFINITY, -1.0] {
        assert_eq!(c.count(&mut r, bad), 0.0, "mean {bad}");
    }
}

#[test]
fn binomial_fits_and_degenerates() {
    // alpha = 0.001, n = 20,000 each. Inversion for n min(p, 1-p) < 10: (30, 0.2), (200, 0.001),
    // (50, 0.9); BTRS otherwise, near its lower edge (21, 0.48), (60, 0.3), with a small p
    // (100,000, 0.0002), large (5000, 0.3), (1500, 0.27), p = 1/2 and by symmetry (1000, 0.9).
    for (n, p) in [
        (30u64, 0.2),
        (200, 0.001),
        (50, 0.9),
        (21, 0.48),
        (60, 0.3),
        (100_000, 0.0002),
        (5000, 0.3),
        (1500, 0.27),
        (400, 0.5),
        (1000, 0.9),
    ] {
        let mut r = rng(&format!("binomial-{n}-{p}"));
        let xs: Vec<f64> = (0..N).map(|_| binomial(&mut r, n as f64, p)).collect();
        assert!(xs.iter().all(|&x| x <= n as f64));
        let b = Binomial::new(p, n).unwrap();
        let mean = n as f64 * p;
        let sd = (mean * (1.0 - p)).sqrt();
        let lo = (mean - 5.0 * sd).max(0.0) as i64;
        let hi = (mean + 5.0 * sd + 5.0) as i64;
        assert_discrete_fit(&format!("Binomial({n}, {p})"), &xs, lo, hi, |x| b.cdf(x as u64));
        // fourth cumulant of the binomial: n p q (1 - 6 p q)
        let k4 = mean * (1.0 - p) * (1.0 - 6.0 * p * (1.0 - p));
        assert_moments(&format!("Binomial({n}, {p})"), &xs, mean, mean * (1.0 - p), k4);
    }
    let mut r = rng("binomial-degenerate");
    for _ in 0..100 {
        assert_eq!(binomial(&mut r, 0.0, 0.5), 0.0, "n = 0");
        assert_eq!(binomial(&mut r, -3.0, 0.5), 0.0, "n < 0");
        assert_eq!(binomial(&mut r, 1000.0, 0.0), 0.0, "p = 0");
        assert_eq!(binomial(&mut r, 1000.0, -0.1), 0.0, "p < 0");
        assert_eq!(binomial(&mut r, 1000.0, f64::NAN), 0.0, "p NaN");
        assert_eq!(binomial(&mut r, 1000.0, 1.0), 1000.0, "p = 1");
        assert_eq!(binomial(&mut r, 17.0, 1.5), 17.0, "p > 1");
        assert_eq!(binomial(&mut r, 0.0, 1.0), 0.0, "n = 0, p = 1");
    }
}

#[test]
fn gamma_mean_cv_ks() {
    // Gamma with mean 10 and cv 0.5: shape 1 / cv^2 = 4, rate shape / mean = 0.4.
    let mut r = rng("gamma-10-0.5");
    let xs: Vec<f64> = (0..N).map(|_| gamma_mean_cv(&mut r, 10.0, 0.5)).collect();
    let g = Gamma::new(4.0, 0.4).unwrap();
    assert_ks("Gamma(mean 10, cv 0.5)", xs, |x| g.cdf(x.max(0.0)));
    assert_eq!(gamma_mean_cv(&mut r, 7.0, 0.0), 7.0);
    assert_eq!(gamma_mean_cv(&mut r, 0.0, 0.5), 0.0);
    assert_eq!(gamma_mean_cv(&mut r, -1.0, 0.5), 0.0);
}

#[test]
fn exp_is_exponential() {
    // A gun's hazard budget: Exp(1), Kolmogorov-Smirnov at alpha = 0.001, n = 20,000.
    let mut r = rng("exp");
    let xs: Vec<f64> = (0..N).map(|_| exp(&mut r)).collect();
    assert!(xs.iter().all(|x| *x >= 0.0 && x.is_finite()));
    assert_ks("Exp(1)", xs, |x| 1.0 - (-x.max(0.0)).exp());
}

// ---------------------------------------------------------------------------
// Every sampler stays in its support, whatever its parameters (proptest).

/// A parameter anywhere: ordinary, tiny, huge, negative, or not a number.
fn any_param(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => lo..hi,
        1 => Just(0.0),
        1 => Just(-1.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => 1e15f64..1e18,
    ]
}

fn is_count(x: f64) -> bool {
    x >= 0.0 && x.is_finite() && x == x.trunc()
}

/// A valid distribution table of the scenario format.
fn any_dist() -> impl Strategy<Value = Value> {
    let lh = (-1e6f64..1e6, 1e-6f64..1e6).prop_map(|(lo, w)| (lo, lo + w));
    prop_oneof![
        (-1e9f64..1e9).prop_map(|v| json!(v)),
        lh.clone().prop_map(|(low, high)| json!({"dist": "uniform", "low": low, "high": high})),
        (lh.clone(), 0.0f64..=1.0).prop_map(|((low, high), m)| {
            json!({"dist": "triangular", "low": low, "mode": low + m * (high - low), "high": high})
        }),
        (lh.clone(), 0.0f64..=1.0, 0.1f64..20.0).prop_map(|((low, high), m, shape)| {
            json!({"dist": "pert", "low": low, "mode": low + m * (high - low), "high": high, "shape": shape})
        }),
        (-1e3f64..1e3, 1e-3f64..1e3, prop::option::of(-3.0f64..3.0), prop::option::of(0.01f64..3.0)).prop_map(
            |(mean, sd, lo, w)| {
                let mut t = json!({"dist": "normal", "mean": mean, "sd": sd});
                if let Some(lo) = lo {
                    t["low"] = json!(mean + lo * sd);
                    if let Some(w) = w {
                        t["high"] = json!(mean + (lo + w) * sd);
                    }
                }
                t
            }
        ),
        (-5.0f64..5.0, 0.0f64..2.0, prop::option::of(0.01f64..10.0)).prop_map(|(mu, sigma, high)| {
            let mut t = json!({"dist": "lognormal", "mu": mu, "sigma": sigma});
            if let Some(h) = high {
                t["high"] = json!(mu.exp() * (1.0 + h));
            }
            t
        }),
        (0.05f64..50.0, 0.05f64..50.0, lh.clone())
            .prop_map(|(a, b, (low, high))| { json!({"dist": "beta", "a": a, "b": b, "low": low, "high": high}) }),
        prop::collection::vec((-1e6f64..1e6, 0.0f64..10.0), 1..6).prop_map(|vw| {
            let (values, mut weights): (Vec<f64>, Vec<f64>) = vw.into_iter().unzip();
            weights[0] += 1.0;
            json!({"dist": "choice", "values": values, "weights": weights})
        }),
    ]
}

proptest! {
    #![proptest_config(proptest_config(500))]

    #[test]
    fn counts_are_counts(seed in any::<u64>(), lambda in any_param(0.0, 1e4), n in any_param(0.0, 1e7), p in any_param(-0.2, 1.2)) {
        let g = &mut stream(seed, 0, key("prop:counts"));
        prop_assert!(is_count(poisson(g, lambda)), "poisson({})", lambda);
        let b = binomial(g, n, p);
        prop_assert!(is_count(b) && b <= n.max(0.0).floor(), "binomial({}, {}) = {}", n, p, b);
        let k = if p.is_finite() && p > 0.0 { Some(p * 100.0) } else { None };
        prop_assert!(is_count(neg_binomial(g, lambda, k)), "neg_binomial({}, {:?})", lambda, k);
        let mut clock = PoissonClock::default();
        for _ in 0..5 {
            prop_assert!(is_count(clock.count(g, lambda.min(5.0))));
        }
    }

    #[test]
    fn continuous_draws_stay_in_their_support(
        seed in any::<u64>(),
        shape in 1e-3f64..1e3,
        scale in 1e-3f64..1e3,
        mean in any_param(0.0, 1e6),
        cv in any_param(0.0, 3.0),
        life in (1.0f64..1e5, 1.0f64..10.0, 0.0f64..0.95),
    ) {
        let g = &mut stream(seed, 0, key("prop:continuous"));
        let x = gamma(g, shape, scale).expect("valid parameters");
        prop_assert!(x >= 0.0 && x.is_finite(), "gamma({}, {}) = {}", shape, scale, x);
        let y = gamma_mean_cv(g, mean, cv);
        prop_assert!(y >= 0.0 && !y.is_nan(), "gamma_mean_cv({}, {}) = {}", mean, cv, y);
        let (s, k, wear) = life;
        let age = wear * s;
        let l = weibull_residual_life(g, s, k, age);
        prop_assert!(l >= age && l.is_finite(), "life {} of a barrel aged {} (scale {}, shape {})", l, age, s, k);
        let e = exp(g);
        prop_assert!(e >= 0.0 && e.is_finite());
        prop_assert!(normal(g).is_finite());
    }

    #[test]
    fn parameter_draws_stay_in_their_support(seed in any::<u64>(), spec in any_dist(), u in 0.0f64..=1.0) {
        let d = Dist::from_value(&spec).map_err(|e| TestCaseError::fail(format!("{spec}: {e}")))?;
        let (lo, hi) = d.support();
        let g = &mut stream(seed, 0, key("prop:dist"));
        for _ in 0..20 {
            let x = d.sample(g);
            prop_assert!(lo <= x && x <= hi, "{} drew {} outside [{}, {}]", spec, x, lo, hi);
        }
        let x = d.ppf(u);
        prop_assert!(lo <= x && x <= hi, "{}: ppf({}) = {} outside [{}, {}]", spec, u, x, lo, hi);
        let f = d.cdf(x);
        prop_assert!((0.0..=1.0).contains(&f), "{}: cdf({}) = {}", spec, x, f);
    }
}
