//! Tests of the model (MODEL.md sections 3 to 6 and the checks of section 8)
//! through the public API: scenarios from TOML or JSON, `Compiled::new`, and
//! `run_paths`.
//!
//! Every run uses a fixed seed chosen once (never tuned to make a test pass).
//! Each statistical test states its significance level `alpha`; a failure
//! means "investigate the model", not "try another seed".
mod common;
use common::chi_square;
use std::collections::BTreeMap;

use attrition::engine::runner::{Paths, Request, run_paths};
use attrition::error::CoreError;
use attrition::model::Model;
use attrition::rng::{Stream, key, stream};
use attrition::scenario::{Date, Validated};
use rand::RngExt;
use serde_json::{Value, json};
use statrs::distribution::{Binomial, ChiSquared, ContinuousCDF, Discrete, DiscreteCDF, NegativeBinomial, Poisson};

/// Two-sided standard normal critical value at alpha = 0.001.
const Z: f64 = 3.2905;
/// Significance level of every statistical test in this file.
const ALPHA: f64 = 0.001;
/// Square kilometres per square mile.
const KM2_PER_SQMI: f64 = 2.589_988_110_336;

// ---------------------------------------------------------------------------
// Helpers.

fn toml(text: &str) -> Validated {
    Validated::from_toml_str(text).unwrap_or_else(|e| panic!("scenario refused: {e}\n{text}"))
}

/// A run with every series recorded as full paths.
struct Run {
    model: Model,
    paths: Paths,
    n: usize,
    days: usize,
    series: BTreeMap<String, usize>,
    outcomes: BTreeMap<String, usize>,
}

fn request(seed: u64, first: u64, n: usize, series: Vec<usize>, threads: Option<usize>) -> Request {
    Request { seed, first, n, series, given: vec![], threads, max_bytes: None }
}

fn run(s: &Validated, seed: u64, n: usize) -> Run {
    let model = Model::new(s.clone());
    let ids: Vec<usize> = (0..model.series().len()).collect();
    let paths = run_paths(&model, &request(seed, 0, n, ids, None), |_| true).expect("the run succeeds");
    let series = model.series().iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
    let outcomes = model.outcomes().iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
    Run { days: model.days(), model, paths, n, series, outcomes }
}

impl Run {
    /// The path of series `name` in trajectory `i`.
    fn s(&self, name: &str, i: usize) -> &[f64] {
        let id = *self.series.get(name).unwrap_or_else(|| panic!("no series {name}"));
        &self.paths.series[id][i * self.days..(i + 1) * self.days]
    }
    fn has(&self, name: &str) -> bool {
        self.series.contains_key(name)
    }
    /// The column of outcome `name`.
    fn o(&self, name: &str) -> &[f64] {
        let id = *self.outcomes.get(name).unwrap_or_else(|| panic!("no outcome {name}"));
        &self.paths.outcomes[id]
    }
    /// Value of the parameter at dotted `path` in trajectory `i`: the number
    /// in the scenario if fixed, else the drawn value.
    fn param(&self, scen: &Value, path: &str, i: usize) -> f64 {
        let mut v = scen;
        for part in path.split('.') {
            v = &v[part];
        }
        if let Some(x) = v.as_f64() {
            return x;
        }
        let j = self
            .model
            .uncertain()
            .iter()
            .position(|u| u.path == path)
            .unwrap_or_else(|| panic!("{path} is neither fixed nor uncertain"));
        self.paths.params[j][i]
    }
}

fn assert_chi_square(what: &str, observed: &[f64], expected: &[f64]) {
    let (stat, df) = chi_square(observed, expected);
    let crit = ChiSquared::new(df as f64).unwrap().inverse_cdf(1.0 - ALPHA);
    assert!(
        stat <= crit,
        "{what}: chi-square = {stat:.2} > critical {crit:.2} (df = {df}, alpha = {ALPHA}, n = {})",
        observed.iter().sum::<f64>()
    );
}

/// Histogram of integer counts 0..=max (larger ones in the last cell).
fn histogram(xs: impl IntoIterator<Item = f64>, max: usize) -> Vec<f64> {
    let mut h = vec![0.0; max + 1];
    for x in xs {
        assert!(x >= 0.0 && x == x.trunc(), "not a count: {x}");
        h[(x as usize).min(max)] += 1.0;
    }
    h
}

fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    (m, xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0))
}

fn date(offset: i64) -> String {
    Date(Date::parse("2024-01-01").unwrap().0 + offset as i32).to_string()
}

// ---------------------------------------------------------------------------
// a. Barrel wear: worn-out counts are Binomial(N, F(wear)).

fn wear_scenario(initial_wear: f64) -> Validated {
    wear_scenario_with_combat(initial_wear, 0.0)
}

fn wear_scenario_with_combat(initial_wear: f64, combat_loss: f64) -> Validated {
    toml(&format!(
        r#"
name = "wear"
start = 2024-01-01
days = 150
[sides.red.calibers.c152]
initial_stock = 1e12
[sides.red.fleets.guns]
caliber = "c152"
guns = 200
rounds_per_gun_day = 8
efc_per_round = 0.75
barrel_life = 1000
barrel_shape = 3
initial_wear = {initial_wear}
spares = 0
spare_rate = 0
combat_loss = {combat_loss}
"#
    ))
}

/// Chi-square of the worn-out count at day `t` over trajectories against Binomial(200, p).
fn check_worn_out(r: &Run, t: usize, p: f64, what: &str) {
    check_count(r, "red.fleet.guns.worn_out", t, p, what);
}

/// Chi-square of series `name` at day `t` over trajectories against Binomial(200, p).
fn check_count(r: &Run, name: &str, t: usize, p: f64, what: &str) {
    let counts: Vec<f64> = (0..r.n).map(|i| r.s(name, i)[t]).collect();
    let obs = histogram(counts.iter().copied(), 200);
    let b = Binomial::new(p, 200).unwrap();
    let exp: Vec<f64> = (0..=200u64).map(|k| b.pmf(k) * r.n as f64).collect();
    assert_chi_square(&format!("{what}: {name}, day {t}, p = {p:.4}"), &obs, &exp);
    // A fleet of 200 guns never counts more than 200 worn out (no spares, so no refits).
    assert!(counts.iter().all(|&c| c <= 200.0));
}

#[test]
fn barrel_wear_is_binomial_weibull() {
    // alpha = 0.001 per chi-square; n = 2,000 trajectories of N = 200 guns.
    // Every gun fires r = 8 rounds of e = 0.75 EFC a day while serviceable; at
    // the end of day t (0-based) a surviving barrel has fired on t + 1 days, so
    // its wear is 6 (t + 1) EFC, and it has failed iff its Weibull(1000, 3)
    // life is below that: worn_out(t) ~ Binomial(200, F(6 (t + 1))).
    let r = run(&wear_scenario(0.0), 11, 2000);
    let f = |x: f64| 1.0 - (-(x / 1000.0f64).powi(3)).exp();
    for t in [79, 149] {
        check_worn_out(&r, t, f(6.0 * (t + 1) as f64), "new barrels");
    }
    // No spares: a worn gun waits forever; the fleet never grows.
    for i in 0..r.n {
        let (s, w, wo) =
            (r.s("red.fleet.guns.serviceable", i), r.s("red.fleet.guns.waiting", i), r.s("red.fleet.guns.worn_out", i));
        for t in 0..r.days {
            assert_eq!(s[t] + w[t], 200.0);
            assert_eq!(w[t], wo[t]);
        }
    }
}

/// P(a day-0 barrel of the wear scenario fails within x more EFC) when its
/// age a ~ U(0, 1000 w) EFC and its Weibull(1000, 3) life is conditional on
/// L > a: E_a[1 - S(a + x) / S(a)], by Simpson's rule.
fn p_fail_initial(w: f64, x: f64) -> f64 {
    let s = |x: f64| (-(x / 1000.0f64).powi(3)).exp();
    let (a0, a1, m) = (0.0, w * 1000.0, 2000);
    let h = (a1 - a0) / m as f64;
    let g = |a: f64| 1.0 - s(a + x) / s(a);
    let mut acc = g(a0) + g(a1);
    for j in 1..m {
        acc += g(a0 + j as f64 * h) * if j % 2 == 1 { 4.0 } else { 2.0 };
    }
    acc * h / 3.0 / (a1 - a0)
}

#[test]
fn barrel_wear_with_initial_wear() {
    // alpha = 0.001 per chi-square; n = 2,000 trajectories of N = 200 guns.
    // initial_wear = 0.6: each barrel's age a ~ U(0, 600) EFC and its life is
    // conditional on L > a (p_fail_initial).
    let w = 0.6;
    let r = run(&wear_scenario(w), 12, 2000);
    let s = |x: f64| (-(x / 1000.0f64).powi(3)).exp();
    // Sanity of the integral: at x = 0 nothing has failed; it exceeds the new-barrel probability.
    assert!(p_fail_initial(w, 0.0).abs() < 1e-12);
    assert!(p_fail_initial(w, 480.0) > 1.0 - s(480.0));
    for t in [39, 99] {
        check_worn_out(&r, t, p_fail_initial(w, 6.0 * (t + 1) as f64), "initial wear 0.6");
    }
}

#[test]
fn combat_losses_take_serviceable_guns_at_random() {
    // alpha = 0.001 per chi-square; n = 2,000 trajectories of N = 200 guns with
    // initial wear 0.6 and a combat loss q = 0.004 a day, no spares. Each gun's
    // fate is independent of the others': on day d (wear first, then combat) it
    // wears out with probability (1 - q)^d [P(6 (d + 1)) - P(6 d)] and is
    // destroyed with probability (1 - q)^d (1 - P(6 (d + 1))) q, P = p_fail_initial.
    // So worn_out(t) and destroyed(t) are Binomial(200, sum over d <= t). A
    // combat loss that did not pick among the serviceable guns uniformly (say,
    // one favouring the most worn, or the newest) would shift both.
    let (w, q) = (0.6, 0.004f64);
    let r = run(&wear_scenario_with_combat(w, q), 13, 2000);
    let p = |x: f64| p_fail_initial(w, x);
    for t in [39, 99] {
        let (mut p_worn, mut p_destroyed) = (0.0, 0.0);
        for d in 0..=t {
            let alive = (1.0 - q).powi(d as i32);
            let (x0, x1) = (6.0 * d as f64, 6.0 * (d + 1) as f64);
            p_worn += alive * (p(x1) - p(x0));
            p_destroyed += alive * (1.0 - p(x1)) * q;
        }
        check_count(&r, "red.fleet.guns.worn_out", t, p_worn, "combat q = 0.004");
        check_count(&r, "red.fleet.guns.destroyed", t, p_destroyed, "combat q = 0.004");
    }
}

// ---------------------------------------------------------------------------
// b. Casualties.

/// Cumulants of NB(mean m, dispersion k): k2 = m + m^2 / k, k4 = r q (1 + 4q + q^2) / p^4
/// with r = k, p = k / (k + m), q = 1 - p.
fn nb_cumulants(m: f64, k: f64) -> (f64, f64) {
    let p = k / (k + m);
    let q = 1.0 - p;
    (k * q / (p * p), k * q * (1.0 + 4.0 * q + q * q) / p.powi(4))
}

#[test]
fn casualties_are_negative_binomial() {
    // alpha = 0, constant tempo: daily casualties ~ NB(mean base, k), i.i.d.
    // over days and trajectories; pooled n = 500 trajectories x 200 days = 100,000.
    let (base, k) = (40.0, 3.0);
    let s = toml(&format!(
        r#"
name = "cas"
start = 2024-01-01
days = 200
[sides.red.casualties]
base = {base}
dispersion = {k}
alpha = 0
"#
    ));
    let r = run(&s, 21, 500);
    let xs: Vec<f64> = (0..r.n).flat_map(|i| r.s("red.casualties.total.daily", i).to_vec()).collect();
    let n = xs.len() as f64;
    let (m, v) = mean_var(&xs);
    let (k2, k4) = nb_cumulants(base, k);
    assert!((k2 - (base + base * base / k)).abs() < 1e-9);
    // z-test on the mean with the known variance base + base^2 / k (alpha = 0.001).
    let se = (k2 / n).sqrt();
    assert!((m - base).abs() <= Z * se, "mean {m} vs {base} (SE {se:.4}, alpha = {ALPHA}, n = {n})");
    // z-test on the sample variance with its asymptotic SE sqrt((mu4 - sigma^4) / n),
    // mu4 - sigma^4 = k4 + 2 k2^2 for the NB (alpha = 0.001).
    let se_v = ((k4 + 2.0 * k2 * k2) / n).sqrt();
    assert!((v - k2).abs() <= Z * se_v, "variance {v:.2} vs {k2:.2} (SE {se_v:.2}, alpha = {ALPHA}, n = {n})");
    // Chi-square against the NB pmf (alpha = 0.001).
    let nb = NegativeBinomial::new(k, k / (k + base)).unwrap();
    let max = 400;
    let obs = histogram(xs.iter().copied(), max);
    let mut exp: Vec<f64> = (0..max as u64).map(|x| nb.pmf(x) * n).collect();
    exp.push(n - exp.iter().sum::<f64>());
    assert_chi_square("daily casualties vs NB(40, k 3)", &obs, &exp);
    // The cumulative series adds them up.
    for i in 0..r.n {
        let (d, c) = (r.s("red.casualties.total.daily", i), r.s("red.casualties.total.cumulative", i));
        let mut acc = 0.0;
        for t in 0..r.days {
            acc += d[t];
            assert_eq!(c[t], acc);
        }
    }
}

#[test]
fn casualties_without_dispersion_are_poisson() {
    // alpha = 0.001, pooled n = 300 x 200 = 60,000 days.
    let base = 12.0;
    let s = toml(
        r#"
name = "cas-poisson"
start = 2024-01-01
days = 200
[sides.red.casualties]
base = 12
"#,
    );
    let r = run(&s, 22, 300);
    let xs: Vec<f64> = (0..r.n).flat_map(|i| r.s("red.casualties.total.daily", i).to_vec()).collect();
    let n = xs.len() as f64;
    let p = Poisson::new(base).unwrap();
    let max = 60;
    let obs = histogram(xs.iter().copied(), max);
    let mut exp: Vec<f64> = (0..max as u64).map(|x| p.pmf(x) * n).collect();
    exp.push(n - exp.iter().sum::<f64>());
    assert_chi_square("daily casualties vs Poisson(12)", &obs, &exp);
}

#[test]
fn casualties_split_by_strength_times_risk() {
    // Contingents far larger than their losses (no cap): each casualty falls on
    // contingent j with probability w_j / sum w, w = strength x relative risk.
    // Weights 1e9 x 1.5, 2e9 x 0.5, 5e8 x 2 = 1.5e9, 1e9, 1e9: shares 3/7, 2/7, 2/7.
    // Losses shrink the strengths by under 1e-5 of themselves over the run, far
    // below the test's resolution (SE of a share ~ 3e-4).
    // Tests: chi-square over the three contingents (df 2) and a binomial z-test
    // per contingent, each at alpha = 0.001; n = 100 trajectories x 100 days.
    let s = toml(
        r#"
name = "split"
start = 2024-01-01
days = 100
[sides.red.casualties]
base = 300
dispersion = 5
[sides.red.contingents.a]
strength = 1e9
relative_risk = 1.5
killed_fraction = 0.3
rtd = 0.5
rtd_days = 10
[sides.red.contingents.b]
strength = 2e9
relative_risk = 0.5
killed_fraction = 0.3
[sides.red.contingents.c]
strength = 5e8
relative_risk = 2
killed_fraction = 0.6
"#,
    );
    let r = run(&s, 23, 100);
    let total: f64 = r.o("red.casualties.total.run_total").iter().sum();
    let shares = [3.0 / 7.0, 2.0 / 7.0, 2.0 / 7.0];
    let obs: Vec<f64> =
        ["a", "b", "c"].iter().map(|c| r.o(&format!("red.contingent.{c}.casualties")).iter().sum()).collect();
    assert_eq!(obs.iter().sum::<f64>(), total, "every casualty lands on a contingent");
    assert!(total > 2.5e6);
    let exp: Vec<f64> = shares.iter().map(|p| p * total).collect();
    assert_chi_square("split over contingents", &obs, &exp);
    for (j, c) in ["a", "b", "c"].iter().enumerate() {
        let p = shares[j];
        let z = (obs[j] - total * p) / (total * p * (1.0 - p)).sqrt();
        assert!(
            z.abs() <= Z,
            "contingent {c}: share {:.5} vs {p:.5}, z = {z:.2} (alpha = {ALPHA}, n = {total})",
            obs[j] / total
        );
    }
    // Killed ~ Binomial(c, killed_fraction) per contingent: z-test on the pooled share (alpha = 0.001).
    for (c, kf) in [("a", 0.3), ("b", 0.3), ("c", 0.6)] {
        let cas: f64 = r.o(&format!("red.contingent.{c}.casualties")).iter().sum();
        let killed: f64 = r.o(&format!("red.contingent.{c}.killed")).iter().sum();
        let z = (killed - cas * kf) / (cas * kf * (1.0 - kf)).sqrt();
        assert!(z.abs() <= Z, "contingent {c}: killed share {:.5} vs {kf}, z = {z:.2} (alpha = {ALPHA})", killed / cas);
    }
}

/// Chi-square of daily counts `xs` against the sum over days of each day's
/// own pmf (`pmf(day, x)`, x from 0 to `max`; the last cell takes the rest).
fn assert_mixture_fit(what: &str, xs: &[f64], max: usize, pmf: impl Fn(usize, usize) -> f64) {
    let obs = histogram(xs.iter().copied(), max);
    let mut exp = vec![0.0; max + 1];
    for d in 0..xs.len() {
        let mut left = 1.0;
        for (x, e) in exp.iter_mut().enumerate().take(max) {
            let p = pmf(d, x);
            *e += p;
            left -= p;
        }
        exp[max] += left.max(0.0);
    }
    assert_chi_square(what, &obs, &exp);
}

fn binomial_pmf(n: f64, p: f64, x: usize) -> f64 {
    if (x as f64) > n { 0.0 } else { Binomial::new(p, n as u64).unwrap().pmf(x as u64) }
}

#[test]
fn contingent_casualties_killed_and_returned_follow_the_model() {
    // MODEL.md 5.2-5.3 for one contingent: casualties c = min(Poisson(base),
    // strength at the start of the day), killed ~ Binomial(c, killed_fraction),
    // returned after rtd_days = 1 ~ Binomial(wounded, rtd). The engine draws
    // them as thinned Poisson counts and redraws the split when the strength
    // caps c; these chi-square tests (alpha = 0.001) check the model's laws,
    // day by day given the state, in two regimes: a large contingent (no cap)
    // and a small one that arrivals keep near the cap (it binds on many days).
    for (strength, arrivals, label) in [(1e9, 0.0, "large"), (12.0, 4.0, "small")] {
        let base = 10.0;
        let s = toml(&format!(
            r#"
name = "cont"
start = 2024-01-01
days = 200
[sides.red.casualties]
base = {base}
[sides.red.contingents.a]
strength = {strength}
killed_fraction = 0.3
rtd = 0.6
rtd_days = 1
arrival_rate = {arrivals}
"#
        ));
        let r = run(&s, 24, 150);
        let (mut cs, mut caps, mut killed, mut kn, mut back, mut wn) = (vec![], vec![], vec![], vec![], vec![], vec![]);
        let mut capped = 0;
        for i in 0..r.n {
            let st = r.s("red.contingent.a.strength", i);
            let c = r.s("red.contingent.a.casualties", i);
            let k = r.s("red.casualties.total.killed", i);
            let w = r.s("red.casualties.total.wounded", i);
            let ret = r.s("red.casualties.total.returned", i);
            for t in 1..r.days {
                let cap = st[t - 1];
                assert!(c[t] <= cap, "{label}: {} casualties from {cap} soldiers", c[t]);
                capped += usize::from(c[t] == cap);
                cs.push(c[t]);
                caps.push(cap);
                killed.push(k[t]);
                kn.push(c[t]);
                assert_eq!(w[t], c[t] - k[t]);
                if t + 1 < r.days {
                    back.push(ret[t + 1]);
                    wn.push(w[t]);
                }
            }
        }
        let pois = Poisson::new(base).unwrap();
        assert_mixture_fit(&format!("{label}: casualties = min(Poisson, strength)"), &cs, 30, |d, x| {
            let cap = caps[d] as usize;
            if x < cap {
                pois.pmf(x as u64)
            } else if x == cap {
                1.0 - if cap == 0 { 0.0 } else { pois.cdf(cap as u64 - 1) }
            } else {
                0.0
            }
        });
        assert_mixture_fit(&format!("{label}: killed | casualties"), &killed, 12, |d, x| binomial_pmf(kn[d], 0.3, x));
        assert_mixture_fit(&format!("{label}: returned | wounded"), &back, 12, |d, x| binomial_pmf(wn[d], 0.6, x));
        if label == "small" {
            assert!(capped > cs.len() / 10, "the cap binds on {capped} of {} days", cs.len());
        } else {
            assert_eq!(capped, 0);
        }
    }
}

// ---------------------------------------------------------------------------
// c. Conservation laws on random valid scenarios.

fn pick<T: Copy>(g: &mut Stream, xs: &[T]) -> T {
    xs[g.random_range(0..xs.len())]
}

fn unif(g: &mut Stream, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * g.random::<f64>()
}

/// A number, or (half of the time) a distribution around it within [lo, hi].
fn param(g: &mut Stream, lo: f64, hi: f64) -> Value {
    let a = unif(g, lo, hi);
    let b = unif(g, lo, hi);
    let (l, h) = (a.min(b), a.max(b).max(a.min(b) + 1e-6 * (hi - lo)).min(hi));
    match g.random_range(0..6) {
        0..=2 => json!(a),
        3 => json!({"dist": "uniform", "low": l, "high": h}),
        4 => json!({"dist": "pert", "low": l, "mode": (l + h) / 2.0, "high": h}),
        _ => json!({"dist": "normal", "mean": (l + h) / 2.0, "sd": (h - l) / 4.0 + 1e-9, "low": l, "high": h}),
    }
}

fn int(g: &mut Stream, lo: i64, hi: i64) -> i64 {
    g.random_range(lo..=hi)
}

/// A random window: (start, end) as optional date strings around the horizon.
fn window(g: &mut Stream, days: i64, m: &mut serde_json::Map<String, Value>, start_key: &str, end_key: &str) {
    let s = int(g, -30, days);
    let e = s + int(g, 0, days);
    if g.random_bool(0.5) {
        m.insert(start_key.into(), json!(date(s)));
    }
    if g.random_bool(0.5) {
        m.insert(end_key.into(), json!(date(e)));
    }
}

fn random_scenario(i: u64) -> Value {
    let g = &mut stream(777, i, key("test:random-scenario"));
    let days = int(g, 60, 400);
    let nsides = int(g, 1, 2) as usize;
    let mut sides = serde_json::Map::new();
    for side in ["red", "blue"].iter().take(nsides) {
        let mut sd = serde_json::Map::new();
        sd.insert("ref_fire".into(), param(g, 100.0, 20_000.0));
        let ncal = int(g, 1, 2);
        let cals: Vec<String> = (0..ncal).map(|c| format!("c{c}")).collect();
        let mut calibers = serde_json::Map::new();
        for c in &cals {
            let init = if g.random_bool(0.5) { json!(int(g, 0, 300_000)) } else { param(g, 0.0, 300_000.0) };
            calibers.insert(
                c.clone(),
                json!({
                    "initial_stock": init,
                    "initial_dud_fraction": unif(g, 0.0, 0.1),
                    "lethality": unif(g, 0.5, 1.5),
                    "reserve": int(g, 0, 5000),
                    "reserve_days": pick(g, &[0.0, 0.0, 0.5, 2.0]),
                }),
            );
        }
        sd.insert("calibers".into(), Value::Object(calibers));
        let mut supply = serde_json::Map::new();
        for l in 0..int(g, 0, 3) {
            let mut m = serde_json::Map::new();
            m.insert("caliber".into(), json!(pick(g, &cals.iter().map(String::as_str).collect::<Vec<_>>())));
            m.insert("rate".into(), param(g, 0.0, 8000.0));
            m.insert("growth".into(), json!(unif(g, -0.3, 0.5)));
            m.insert("lot_size".into(), json!(int(g, 1, 3000)));
            m.insert("dud_fraction".into(), param(g, 0.0, 0.2));
            m.insert("price".into(), json!(unif(g, 0.0, 1000.0)));
            if g.random_bool(0.3) {
                m.insert("supplier".into(), json!("ally"));
            }
            window(g, days, &mut m, "start", "end");
            supply.insert(format!("l{l}"), Value::Object(m));
        }
        sd.insert("supply".into(), Value::Object(supply));
        let mut fleets = serde_json::Map::new();
        for f in 0..int(g, 1, 3) {
            let mut m = serde_json::Map::new();
            m.insert("caliber".into(), json!(pick(g, &cals.iter().map(String::as_str).collect::<Vec<_>>())));
            m.insert("guns".into(), json!(int(g, 0, 300)));
            m.insert("rounds_per_gun_day".into(), json!(pick(g, &[0.0, 3.0, 7.5, 20.0, 45.0])));
            m.insert("efc_per_round".into(), param(g, 0.3, 1.0));
            m.insert("barrel_life".into(), param(g, 200.0, 3000.0));
            m.insert("barrel_shape".into(), param(g, 1.0, 5.0));
            m.insert("initial_wear".into(), param(g, 0.0, 0.9));
            m.insert("spares".into(), json!(int(g, 0, 50)));
            m.insert("spare_rate".into(), param(g, 0.0, 3.0));
            m.insert("repair_days".into(), json!(int(g, 0, 20)));
            if g.random_bool(0.5) {
                m.insert("max_wait_days".into(), json!(int(g, 0, 60)));
            }
            m.insert("combat_loss".into(), param(g, 0.0, 0.01));
            m.insert("combat_beta".into(), json!(unif(g, 0.0, 1.0)));
            m.insert("accuracy_loss".into(), param(g, 0.0, 0.5));
            m.insert("accuracy_exponent".into(), json!(int(g, 1, 3)));
            m.insert("threshold".into(), json!(unif(g, 0.2, 0.95)));
            if g.random_bool(0.5) {
                let mut d = serde_json::Map::new();
                d.insert("rate".into(), param(g, 0.0, 3.0));
                d.insert("lot_size".into(), json!(int(g, 1, 20)));
                window(g, days, &mut d, "start", "end");
                m.insert("deliveries".into(), Value::Object(d));
            }
            fleets.insert(format!("f{f}"), Value::Object(m));
        }
        sd.insert("fleets".into(), Value::Object(fleets));
        let ncont = int(g, 0, 3);
        if ncont > 0 || g.random_bool(0.7) {
            let mut c = serde_json::Map::new();
            c.insert("base".into(), param(g, 0.0, 3000.0));
            if g.random_bool(0.6) {
                c.insert("dispersion".into(), param(g, 0.5, 20.0));
            }
            c.insert("alpha".into(), json!(unif(g, 0.0, 1.0)));
            let tempo: Vec<Value> = (0..int(g, 0, 2))
                .map(|_| {
                    let mut m = serde_json::Map::new();
                    let s = int(g, -30, days);
                    m.insert("start".into(), json!(date(s)));
                    if g.random_bool(0.5) {
                        m.insert("end".into(), json!(date(s + int(g, 0, days))));
                    }
                    m.insert("factor".into(), param(g, 0.5, 2.0));
                    Value::Object(m)
                })
                .collect();
            c.insert("tempo".into(), json!(tempo));
            c.insert("drift_sd".into(), json!(pick(g, &[0.0, 0.02, 0.1])));
            c.insert("drift_reversion".into(), json!(unif(g, 0.0, 0.2)));
            c.insert("initial_cumulative".into(), param(g, 0.0, 1e5));
            c.insert("thresholds".into(), json!([unif(g, 0.0, 2e5), unif(g, 0.0, 1e6)]));
            sd.insert("casualties".into(), Value::Object(c));
        }
        let mut conts = serde_json::Map::new();
        for k in 0..ncont {
            let mut m = serde_json::Map::new();
            m.insert("strength".into(), json!(int(g, 0, 200_000)));
            m.insert("relative_risk".into(), param(g, 0.2, 3.0));
            m.insert("killed_fraction".into(), param(g, 0.0, 0.5));
            m.insert("rtd".into(), param(g, 0.0, 1.0));
            m.insert("rtd_days".into(), json!(int(g, 0, 60)));
            m.insert("payment".into(), json!(unif(g, 0.0, 100.0)));
            if g.random_bool(0.4) {
                m.insert("arrival_rate".into(), param(g, 0.0, 500.0));
            }
            let sched: Vec<Value> = (0..int(g, 0, 3))
                .map(|_| json!({"date": date(int(g, -10, days)), "size": int(g, 0, 20_000)}))
                .collect();
            m.insert("schedule".into(), json!(sched));
            window(g, days, &mut m, "arrivals_start", "arrivals_end");
            conts.insert(format!("k{k}"), Value::Object(m));
        }
        sd.insert("contingents".into(), Value::Object(conts));
        if g.random_bool(0.6) {
            sd.insert(
                "territory".into(),
                json!({"rate": param(g, 0.0, 50.0), "cv": unif(g, 0.0, 1.0), "gamma": unif(g, 0.0, 1.0), "ref_ratio": unif(g, 0.5, 2.0)}),
            );
        }
        sides.insert(side.to_string(), Value::Object(sd));
    }
    json!({
        "name": format!("random-{i}"),
        "start": "2024-01-01",
        "days": days,
        "coupling": g.random_bool(0.5),
        "sides": sides,
    })
}

/// Day offset of an optional date in a table, or the open end.
fn day_of(m: &Value, k: &str, open: i64) -> i64 {
    m.get(k)
        .and_then(Value::as_str)
        .map_or(open, |d| Date::parse("2024-01-01").unwrap().days_until(Date::parse(d).unwrap()))
}

fn first_day(xs: impl Iterator<Item = bool>) -> f64 {
    xs.enumerate().find(|(_, b)| *b).map_or(f64::NAN, |(t, _)| t as f64)
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn check_conservation(sc: &Value, r: &Run) {
    let name = sc["name"].as_str().unwrap();
    let days = r.days;
    for (side, sd) in sc["sides"].as_object().unwrap() {
        for i in 0..r.n {
            let ctx = |what: &str, t: usize| format!("{name}, side {side}, trajectory {i}, day {t}: {what}");
            // Ammunition.
            let mut fire_total = vec![0.0; days];
            for (c, _) in sd["calibers"].as_object().unwrap() {
                let p = format!("{side}.ammo.{c}");
                let stock = r.s(&format!("{p}.stock"), i);
                let duds = r.s(&format!("{p}.duds"), i);
                let delivered = r.s(&format!("{p}.delivered"), i);
                let demand = r.s(&format!("{p}.demand"), i);
                let fired = r.s(&format!("{p}.fired"), i);
                let duds_fired = r.s(&format!("{p}.duds_fired"), i);
                let shortfall = r.s(&format!("{p}.shortfall"), i);
                let eff = r.s(&format!("{p}.effective_fire"), i);
                let cpath = format!("sides.{side}.calibers.{c}");
                let cal = &sd["calibers"][c];
                let mut s_prev = r.param(sc, &format!("{cpath}.initial_stock"), i).round();
                let mut u_prev = (s_prev * cal["initial_dud_fraction"].as_f64().unwrap()).round();
                let reserve = cal["reserve"].as_f64().unwrap();
                let reserve_days = cal["reserve_days"].as_f64().unwrap();
                let lethality = cal["lethality"].as_f64().unwrap();
                let lines: Vec<(&String, &Value)> =
                    sd["supply"].as_object().unwrap().iter().filter(|(_, l)| l["caliber"] == json!(c)).collect();
                let fleets: Vec<(&String, &Value)> =
                    sd["fleets"].as_object().unwrap().iter().filter(|(_, f)| f["caliber"] == json!(c)).collect();
                let mut fired_total = 0.0;
                for t in 0..days {
                    // Deliveries: the caliber's equal the sum of its lines'.
                    let mut d = 0.0;
                    let mut line_duds = 0.0;
                    for (l, _) in &lines {
                        let ld = r.s(&format!("{side}.supply.{l}.delivered"), i)[t];
                        let lu = r.s(&format!("{side}.supply.{l}.duds"), i)[t];
                        assert!(ld >= 0.0 && lu >= 0.0 && lu <= ld && ld == ld.trunc(), "{}", ctx("line delivery", t));
                        d += ld;
                        line_duds += lu;
                    }
                    assert_eq!(delivered[t], d, "{}", ctx("caliber delivered = sum of lines", t));
                    // Demand: each fleet asks round(serviceable at the start of the day x rounds).
                    let mut dem = 0.0;
                    let mut fleet_fired = 0.0;
                    for (f, fv) in &fleets {
                        let serv = r.s(&format!("{side}.fleet.{f}.serviceable"), i);
                        let start = if t == 0 { fv["guns"].as_f64().unwrap() } else { serv[t - 1] };
                        dem += (start * fv["rounds_per_gun_day"].as_f64().unwrap()).round();
                        fleet_fired += r.s(&format!("{side}.fleet.{f}.fired"), i)[t];
                    }
                    assert_eq!(demand[t], dem, "{}", ctx("demand", t));
                    assert!(
                        close(fleet_fired, fired[t]),
                        "{}",
                        ctx(&format!("fleets fired {fleet_fired} vs caliber {}", fired[t]), t)
                    );
                    // Firing: whole shells, at most the demand, never below min(stock, floor).
                    let pre = s_prev + d;
                    assert!(
                        fired[t] >= 0.0 && fired[t] <= demand[t] && fired[t] == fired[t].trunc(),
                        "{}",
                        ctx("fired", t)
                    );
                    assert_eq!(shortfall[t], demand[t] - fired[t], "{}", ctx("shortfall", t));
                    assert_eq!(stock[t], pre - fired[t], "{}", ctx("stock = previous + delivered - fired", t));
                    let floor = reserve.max(reserve_days * demand[t]);
                    assert!(stock[t] >= pre.min(floor), "{}", ctx("stock below the reserve floor", t));
                    if fired[t] < demand[t] {
                        assert!(pre - fired[t] < floor + 1.0, "{}", ctx("short while above the floor", t));
                    }
                    assert!(stock[t] >= 0.0, "{}", ctx("negative stock", t));
                    // Duds: the pool mixes as sources mix.
                    assert!(duds_fired[t] >= 0.0 && duds_fired[t] <= fired[t], "{}", ctx("duds fired", t));
                    assert_eq!(duds[t], u_prev + line_duds - duds_fired[t], "{}", ctx("dud pool", t));
                    assert!(duds[t] >= 0.0 && duds[t] <= stock[t], "{}", ctx("duds within the stock", t));
                    // Effective fire: (fired - duds) x lethality x an accuracy in [0, 1].
                    let top = (fired[t] - duds_fired[t]) * lethality;
                    assert!(eff[t] >= 0.0 && eff[t] <= top * (1.0 + 1e-12) + 1e-9, "{}", ctx("effective fire", t));
                    fire_total[t] += eff[t];
                    fired_total += fired[t];
                    s_prev = stock[t];
                    u_prev = duds[t];
                }
                assert!(
                    same(r.o(&format!("{p}.days_to_empty"))[i], first_day(shortfall.iter().map(|x| *x > 0.0))),
                    "{name} {p}: days_to_empty"
                );
                assert_eq!(r.o(&format!("{p}.fired_total"))[i], fired_total, "{name} {p}: fired_total");
            }
            let fire = r.s(&format!("{side}.fire.total.effective"), i);
            for t in 0..days {
                assert!(close(fire[t], fire_total[t]), "{}", ctx("side fire = sum over calibers", t));
            }
            // Supply lines: totals and revenue.
            let mut revenue: BTreeMap<String, f64> = BTreeMap::new();
            for (l, lv) in sd["supply"].as_object().unwrap() {
                let total: f64 = r.s(&format!("{side}.supply.{l}.delivered"), i).iter().sum();
                assert_eq!(r.o(&format!("{side}.supply.{l}.delivered_total"))[i], total);
                let price = lv["price"].as_f64().unwrap();
                assert!(close(r.o(&format!("{side}.supply.{l}.revenue"))[i], total * price));
                let sup = lv.get("supplier").and_then(Value::as_str).unwrap_or(l).to_string();
                *revenue.entry(sup).or_default() += total * price;
                // No delivery outside the window.
                let (ws, we) = (day_of(lv, "start", i64::MIN), day_of(lv, "end", i64::MAX));
                for (t, x) in r.s(&format!("{side}.supply.{l}.delivered"), i).iter().enumerate() {
                    if !(t as i64 >= ws && (t as i64) < we) {
                        assert_eq!(*x, 0.0, "{}", ctx("delivery outside the window", t));
                    }
                }
            }
            // Fleets.
            for (f, fv) in sd["fleets"].as_object().unwrap() {
                let p = format!("{side}.fleet.{f}");
                let g = |k: &str| r.s(&format!("{p}.{k}"), i);
                let (serv, wait, rep, destroyed, wo, worn, spares, wear, acc, deliv) = (
                    g("serviceable"),
                    g("waiting"),
                    g("repair"),
                    g("destroyed"),
                    g("written_off"),
                    g("worn_out"),
                    g("spares"),
                    g("wear"),
                    g("accuracy"),
                    g("delivered"),
                );
                let guns = fv["guns"].as_f64().unwrap();
                let threshold = fv["threshold"].as_f64().unwrap() * guns;
                for t in 0..days {
                    assert_eq!(
                        serv[t] + wait[t] + rep[t] + destroyed[t] + wo[t],
                        guns + deliv[t],
                        "{}",
                        ctx(
                            &format!(
                                "{p}: serviceable + waiting + repair + destroyed + written_off = initial + delivered"
                            ),
                            t
                        )
                    );
                    for x in [serv[t], wait[t], rep[t], destroyed[t], wo[t], worn[t], spares[t], deliv[t]] {
                        assert!(x >= 0.0 && x == x.trunc(), "{}", ctx(&format!("{p}: a count is {x}"), t));
                    }
                    if t > 0 {
                        for (k, x) in
                            [("destroyed", destroyed), ("written_off", wo), ("worn_out", worn), ("delivered", deliv)]
                        {
                            assert!(x[t] >= x[t - 1], "{}", ctx(&format!("{p}.{k} decreased"), t));
                        }
                    }
                    // Every gun out of the line for a barrel got there by wearing one out.
                    assert!(
                        wait[t] + rep[t] + wo[t] <= worn[t],
                        "{}",
                        ctx(&format!("{p}: more guns out for barrels than worn out"), t)
                    );
                    assert!(wear[t] >= -1e-9, "{}", ctx(&format!("{p}: mean wear {}", wear[t]), t));
                    assert!((0.0..=1.0).contains(&acc[t]), "{}", ctx(&format!("{p}: accuracy {}", acc[t]), t));
                    if fv.get("max_wait_days").is_none() {
                        assert_eq!(wo[t], 0.0, "{}", ctx("written off without max_wait_days", t));
                    }
                }
                let last = days - 1;
                assert!(
                    same(r.o(&format!("{p}.days_to_half"))[i], first_day(serv.iter().map(|s| *s < threshold))),
                    "{name} {p}: days_to_half"
                );
                assert_eq!(r.o(&format!("{p}.worn_out"))[i], worn[last]);
                assert_eq!(r.o(&format!("{p}.destroyed"))[i], destroyed[last]);
                assert_eq!(r.o(&format!("{p}.written_off"))[i], wo[last]);
                assert_eq!(r.o(&format!("{p}.serviceable_end"))[i], serv[last]);
            }
            // Casualties and contingents.
            if let Some(cv) = sd.get("casualties") {
                let p = format!("{side}.casualties.total");
                let g = |k: &str| r.s(&format!("{p}.{k}"), i);
                let (daily, cum, killed, wounded, returned, tempo) =
                    (g("daily"), g("cumulative"), g("killed"), g("wounded"), g("returned"), g("tempo"));
                let init = r.param(sc, &format!("sides.{side}.casualties.initial_cumulative"), i);
                let mut acc = init;
                for t in 0..days {
                    acc += daily[t];
                    assert!(close(cum[t], acc), "{}", ctx("cumulative casualties", t));
                    assert!(daily[t] >= 0.0 && daily[t] == daily[t].trunc(), "{}", ctx("daily casualties", t));
                    assert!(tempo[t] >= 0.0);
                }
                assert!(close(r.o(&format!("{p}.run_total"))[i], daily.iter().sum()));
                for th in cv["thresholds"].as_array().unwrap() {
                    let th = th.as_f64().unwrap();
                    let names: Vec<&String> =
                        r.outcomes.keys().filter(|k| k.starts_with(&format!("{p}.days_to_"))).collect();
                    assert_eq!(names.len(), cv["thresholds"].as_array().unwrap().len());
                    let want = first_day(cum.iter().map(|c| *c >= th));
                    let found = names.iter().any(|nm| same(r.o(nm)[i], want));
                    assert!(found, "{name} {p}: no threshold outcome equals the first crossing of {th} ({want})");
                }
                let conts = sd["contingents"].as_object().unwrap();
                if conts.is_empty() {
                    assert!(killed.iter().chain(wounded).chain(returned).all(|x| *x == 0.0));
                    continue;
                }
                let exact = conts.values().all(|k| k.get("arrival_rate").is_none());
                let mut prev: Vec<f64> = conts.values().map(|k| k["strength"].as_f64().unwrap()).collect();
                let mut exposure = vec![0.0; conts.len()];
                let mut payments = vec![0.0; conts.len()];
                let mut cum_k = vec![0.0; conts.len()];
                let min_rtd = conts.values().map(|k| k["rtd_days"].as_i64().unwrap()).min().unwrap() as usize;
                let (mut cw, mut cr) = (vec![0.0; days], 0.0);
                for t in 0..days {
                    cw[t] = wounded[t] + if t > 0 { cw[t - 1] } else { 0.0 };
                    cr += returned[t];
                    assert_eq!(killed[t] + wounded[t], daily[t], "{}", ctx("killed + wounded = casualties", t));
                    // The wounded return no sooner than the shortest delay.
                    let due = if t >= min_rtd { cw[t - min_rtd] } else { 0.0 };
                    assert!(cr <= due, "{}", ctx(&format!("returned {cr} before due {due}"), t));
                    let mut taken = 0.0;
                    let (mut before, mut after) = (0.0, 0.0);
                    let mut scheduled = 0.0;
                    let mut killed_k = 0.0;
                    for (j, (k, kv)) in conts.iter().enumerate() {
                        let q = format!("{side}.contingent.{k}");
                        let st = r.s(&format!("{q}.strength"), i)[t];
                        let c = r.s(&format!("{q}.casualties"), i)[t];
                        let kc = r.s(&format!("{q}.cumulative"), i)[t];
                        let kk = r.s(&format!("{q}.killed"), i);
                        assert!(
                            c >= 0.0 && c <= prev[j],
                            "{}",
                            ctx(&format!("{q}: {c} casualties from {}", prev[j]), t)
                        );
                        assert!(st >= 0.0 && st == st.trunc(), "{}", ctx(&format!("{q}: strength {st}"), t));
                        cum_k[j] += c;
                        assert_eq!(kc, cum_k[j], "{}", ctx(&format!("{q}: cumulative"), t));
                        killed_k += kk[t] - if t > 0 { kk[t - 1] } else { 0.0 };
                        exposure[j] += prev[j];
                        payments[j] += st * kv["payment"].as_f64().unwrap();
                        assert!(close(r.s(&format!("{q}.payments"), i)[t], payments[j]), "{}", ctx("payments", t));
                        taken += c;
                        before += prev[j];
                        after += st;
                        let (ws, we) = (day_of(kv, "arrivals_start", i64::MIN), day_of(kv, "arrivals_end", i64::MAX));
                        if t as i64 >= ws && (t as i64) < we {
                            for a in kv["schedule"].as_array().unwrap() {
                                if day_of(a, "date", -1) == t as i64 {
                                    scheduled += a["size"].as_f64().unwrap();
                                }
                            }
                        }
                        prev[j] = st;
                    }
                    assert_eq!(taken, daily[t], "{}", ctx("contingents' casualties = the side's", t));
                    assert_eq!(killed_k, killed[t], "{}", ctx("contingents' killed = the side's", t));
                    // People: strength = previous - casualties + returned + arrivals.
                    let arrivals = after - (before - taken + returned[t]);
                    if exact {
                        assert_eq!(
                            arrivals,
                            scheduled,
                            "{}",
                            ctx("strength = previous - casualties + returned + scheduled arrivals", t)
                        );
                    } else {
                        assert!(
                            arrivals >= scheduled && arrivals == arrivals.trunc(),
                            "{}",
                            ctx(&format!("arrivals {arrivals} < scheduled {scheduled}"), t)
                        );
                    }
                }
                for (j, (k, _)) in conts.iter().enumerate() {
                    let q = format!("{side}.contingent.{k}");
                    let rate = if exposure[j] > 0.0 { cum_k[j] / exposure[j] * 30.0 } else { f64::NAN };
                    let got = r.o(&format!("{q}.rate_per_30d"))[i];
                    assert!(same(got, rate) || close(got, rate), "{name} {q}: rate_per_30d {got} vs {rate}");
                    assert_eq!(r.o(&format!("{q}.casualties"))[i], cum_k[j]);
                    let sender = conts[k].get("sender").and_then(Value::as_str).unwrap_or(k).to_string();
                    *revenue.entry(sender).or_default() += payments[j];
                }
            }
            for (payee, rev) in &revenue {
                let got = r.o(&format!("{side}.supplier.{payee}.revenue"))[i];
                assert!((got - rev).abs() <= 1e-9 * (1.0 + rev.abs()), "{name}: revenue of {payee}: {got} vs {rev}");
            }
            // Territory.
            if sd.get("territory").is_some() {
                let p = format!("{side}.territory.area");
                let (d, c, dm, cm) = (
                    r.s(&format!("{p}.daily_km2"), i),
                    r.s(&format!("{p}.cumulative_km2"), i),
                    r.s(&format!("{p}.daily_sqmi"), i),
                    r.s(&format!("{p}.cumulative_sqmi"), i),
                );
                let mut acc = 0.0;
                for t in 0..days {
                    acc += d[t];
                    assert!(
                        d[t] >= 0.0
                            && close(c[t], acc)
                            && close(dm[t] * KM2_PER_SQMI, d[t])
                            && close(cm[t] * KM2_PER_SQMI, c[t]),
                        "{}",
                        ctx("territory", t)
                    );
                }
                assert!(close(r.o(&format!("{p}.total_km2"))[i], c[days - 1]));
            }
        }
        assert!(r.has(&format!("{side}.fire.total.effective")));
    }
}

#[test]
fn conservation_on_random_scenarios() {
    let mut checked = 0;
    for i in 0..30 {
        let sc = random_scenario(i);
        let s =
            Validated::from_value(sc.clone()).unwrap_or_else(|e| panic!("random scenario {i} refused: {e}\n{sc:#}"));
        let r = run(&s, 1000 + i, 24);
        check_conservation(&sc, &r);
        checked += r.n * r.days;
    }
    assert!(checked > 30 * 24 * 60);
}

// ---------------------------------------------------------------------------
// d. Cutting an ally's line and the stock (MODEL.md section 8).

/// The red side has domestic production and an ally's line of 152 mm (cut on
/// `CUT` when `ally_end` is given), three fleets with barrel wear, spares,
/// repairs, write-offs and combat losses, two contingents and territory; the
/// blue side has its own calibers and fleets.
#[derive(Clone, Copy)]
struct Policy {
    coupling: bool,
    /// Keys of the ally's PERT rate (shells a day).
    ally_rate: &'static str,
    /// Keys of the domestic line's uniform rate.
    domestic_rate: &'static str,
    /// Barrel wear on (lives of a few thousand EFC) or off (lives of 1e12 EFC).
    wear: bool,
}

/// The baseline regime: with the ally the side keeps up with its demand
/// (no baseline trajectory runs short); without it, most run short.
const KEEPS_UP: Policy = Policy {
    coupling: false,
    ally_rate: "low = 9000, mode = 12000, high = 15000",
    domestic_rate: "low = 5000, high = 9000",
    wear: true,
};

/// A dry regime: the ally is small, so the baseline also runs short and both
/// runs sit at the reserve floor on many days.
const DRY: Policy = Policy {
    coupling: false,
    ally_rate: "low = 2000, mode = 4000, high = 6000",
    domestic_rate: "low = 5000, high = 9000",
    wear: true,
};

fn policy_toml(p: Policy, ally_end: Option<&str>) -> String {
    let end = ally_end.map_or(String::new(), |d| format!("end = {d}"));
    let Policy { coupling, ally_rate, domestic_rate, wear } = p;
    let (msta_life, d20_life) = if wear {
        ("low = 3000, mode = 4000, high = 5000", "4000")
    } else {
        ("low = 1e12, mode = 2e12, high = 3e12", "1e12")
    };
    format!(
        r#"
name = "policy"
start = 2024-01-01
days = 365
coupling = {coupling}

[sides.red]
ref_fire = 15000
[sides.red.calibers.c152]
initial_stock = {{dist = "pert", low = 600_000, mode = 900_000, high = 1_200_000}}
initial_dud_fraction = 0.05
reserve = 20000
[sides.red.calibers.c122]
initial_stock = 400000
[sides.red.supply.domestic]
caliber = "c152"
rate = {{dist = "uniform", {domestic_rate}}}
growth = 0.3
lot_size = 1000
dud_fraction = 0.02
[sides.red.supply.ally]
caliber = "c152"
rate = {{dist = "pert", {ally_rate}}}
lot_size = 5000
dud_fraction = 0.15
price = 400
{end}
[sides.red.supply.d122]
caliber = "c122"
rate = 1500
lot_size = 500
[sides.red.fleets.msta]
caliber = "c152"
guns = 600
rounds_per_gun_day = 30
efc_per_round = 0.8
barrel_life = {{dist = "pert", {msta_life}}}
barrel_shape = 3
initial_wear = 0.5
spares = 150
spare_rate = 2.5
repair_days = 7
max_wait_days = 60
combat_loss = 0.002
combat_beta = 0.5
accuracy_loss = 0.3
accuracy_exponent = 2
[sides.red.fleets.d20]
caliber = "c152"
guns = 100
rounds_per_gun_day = 15
efc_per_round = 0.6
barrel_life = {d20_life}
barrel_shape = 2.5
initial_wear = 0.3
combat_loss = 0.001
[sides.red.fleets.d30]
caliber = "c122"
guns = 300
rounds_per_gun_day = 6
barrel_life = 5000
combat_loss = 0.001
[sides.red.casualties]
base = 1200
dispersion = 4
alpha = 0.5
drift_sd = 0.05
drift_reversion = 0.05
[sides.red.contingents.regular]
strength = 300000
killed_fraction = 0.3
rtd = 0.4
arrival_rate = 1000
[sides.red.contingents.allied]
strength = 11000
relative_risk = 2.5
killed_fraction = 0.35
[sides.red.territory]
rate = 20
gamma = 0.5

[sides.blue]
ref_fire = 20000
[sides.blue.calibers.c155]
initial_stock = 300000
reserve_days = 2
[sides.blue.supply.partners]
caliber = "c155"
rate = {{dist = "uniform", low = 4000, high = 8000}}
lot_size = 2000
[sides.blue.fleets.m777]
caliber = "c155"
guns = 400
rounds_per_gun_day = 20
barrel_life = 2500
spares = 50
spare_rate = 1
repair_days = 5
combat_loss = 0.003
combat_beta = 1.0
[sides.blue.casualties]
base = 900
dispersion = 3
alpha = 0.7
"#
    )
}

const CUT: &str = "2024-04-01";
const CUT_DAY: usize = 91;
const STOCK: &str = "red.ammo.c152.stock";

fn policy_runs(p: Policy, seed: u64, n: usize) -> (Run, Run) {
    (run(&toml(&policy_toml(p, None)), seed, n), run(&toml(&policy_toml(p, Some(CUT))), seed, n))
}

/// The first trajectory and day where the cut scenario's stock exceeds the
/// baseline's, with the first day each red series diverged and the days
/// leading up to it.
fn first_counterexample(base: &Run, cut: &Run) -> Option<String> {
    for i in 0..base.n {
        let (b, c) = (base.s(STOCK, i), cut.s(STOCK, i));
        if let Some(t) = (0..base.days).find(|&t| c[t] > b[t]) {
            let mut lines = vec![format!(
                "trajectory {i}, day {t}: cut stock {} > baseline stock {}; first divergence of each series (day: baseline vs cut):",
                c[t], b[t]
            )];
            for name in base.model.series().iter().map(|e| &e.name).filter(|n| n.starts_with("red.")) {
                let (x, y) = (base.s(name, i), cut.s(name, i));
                if let Some(d) = (0..=t).find(|&d| x[d].to_bits() != y[d].to_bits()) {
                    lines.push(format!("  {name}: day {d}: {} vs {}", x[d], y[d]));
                }
            }
            for d in t.saturating_sub(3)..=t {
                let row = |r: &Run| {
                    [
                        "ammo.c152.stock",
                        "ammo.c152.delivered",
                        "ammo.c152.demand",
                        "ammo.c152.fired",
                        "fleet.msta.serviceable",
                        "fleet.msta.waiting",
                        "fleet.msta.repair",
                        "fleet.msta.spares",
                        "fleet.msta.destroyed",
                        "fleet.msta.worn_out",
                        "fleet.d20.serviceable",
                        "fleet.d20.destroyed",
                    ]
                    .iter()
                    .map(|k| format!("{k}={}", r.s(&format!("red.{k}"), i)[d]))
                    .collect::<Vec<_>>()
                    .join(" ")
                };
                lines.push(format!("  day {d} baseline: {}", row(base)));
                lines.push(format!("  day {d} cut:      {}", row(cut)));
            }
            return Some(lines.join("\n"));
        }
    }
    None
}

/// What holds in any regime: the runs are identical before the cut; the cut
/// stock is at most the baseline's on every day up to the first day their
/// demands differ (until then everything on the red side but the stock and
/// the dud pool is identical, and the stock after firing,
/// max(S - D, min(S, floor)), increases with S); and the cut run never runs
/// short later than the baseline.
fn check_policy_invariants(base: &Run, cut: &Run) {
    let demand = "red.ammo.c152.demand";
    for i in 0..base.n {
        let (b, c) = (base.s(STOCK, i), cut.s(STOCK, i));
        assert_eq!(&b[..CUT_DAY], &c[..CUT_DAY], "trajectory {i}: the runs differ before the cut");
        let split = (0..base.days).find(|&t| base.s(demand, i)[t] != cut.s(demand, i)[t]).unwrap_or(base.days);
        for t in 0..split {
            assert!(c[t] <= b[t], "trajectory {i}, day {t}: cut stock {} > baseline {} with equal demands", c[t], b[t]);
        }
        let never = |x: f64| if x.is_nan() { f64::INFINITY } else { x };
        let (db, dc) =
            (never(base.o("red.ammo.c152.days_to_empty")[i]), never(cut.o("red.ammo.c152.days_to_empty")[i]));
        assert!(dc <= db, "trajectory {i}: the cut run ran short on day {dc}, after the baseline ({db})");
    }
}

#[test]
fn cutting_the_ally_never_raises_the_stock_without_coupling() {
    // Same seed, n = 200: common random numbers trajectory by trajectory. In
    // this regime the baseline never runs short, and the stock of the cut run
    // must be at most the baseline's on every day of every trajectory.
    let (base, cut) = policy_runs(KEEPS_UP, 31, 200);
    let short = cut.o("red.ammo.c152.days_to_empty").iter().filter(|d| !d.is_nan()).count();
    assert!(short > base.n / 2, "only {short} cut trajectories ran short: the test would be vacuous");
    check_policy_invariants(&base, &cut);
    if let Some(msg) = first_counterexample(&base, &cut) {
        panic!("cutting the ally raised the stock:\n{msg}");
    }
}

#[test]
fn cutting_the_ally_never_raises_the_stock_without_wear() {
    // Dry regime (both runs short on many days), n = 200, but no barrel wear:
    // then no gun leaves the line but by combat, whose draws depend only on the
    // (equal) number of serviceable guns, so the demands stay equal and the
    // stock of the cut run is at most the baseline's on every day. This checks
    // that cutting a line shifts no other component's stream.
    let (base, cut) = policy_runs(Policy { wear: false, ..DRY }, 33, 200);
    let both = (0..base.n)
        .filter(|&i| {
            !base.o("red.ammo.c152.days_to_empty")[i].is_nan() && !cut.o("red.ammo.c152.days_to_empty")[i].is_nan()
        })
        .count();
    assert!(both > base.n / 4, "only {both} trajectories ran short in both runs: the test would be vacuous");
    check_policy_invariants(&base, &cut);
    for i in 0..base.n {
        assert_eq!(
            base.s("red.ammo.c152.demand", i),
            cut.s("red.ammo.c152.demand", i),
            "trajectory {i}: demands differ"
        );
    }
    if let Some(msg) = first_counterexample(&base, &cut) {
        panic!("cutting the ally raised the stock:\n{msg}");
    }
}

#[test]
fn cutting_the_ally_keeps_the_provable_order_in_a_dry_regime() {
    // Dry regime with barrel wear, n = 400: only the provable part holds (see
    // check_policy_invariants); see the ignored test below for the rest.
    let (base, cut) = policy_runs(DRY, 34, 400);
    check_policy_invariants(&base, &cut);
}

/// MODEL.md section 8 says cutting an ally's line never raises the stock on
/// any day of any trajectory (coupling off). That is false in this model once
/// both runs are short and barrels wear: the cut run fires less, so its wear
/// clock lags and its barrels fail on other days than the baseline's; a failed
/// gun is out of the line for `repair_days`, so on some days the cut run has
/// more guns in repair (fewer serviceable, lower demand). When both runs sit
/// at the reserve floor and the ally's lot does not arrive that day (lots of
/// 5,000 shells), the run with the lower demand ends the day with more shells.
/// Combat losses widen the gap: the loss count is Binomial(serviceable, q) and
/// the lost guns are picked by heap index from one stream, so once the
/// serviceable counts differ the two runs' losses are no longer coupled.
/// It happens with repair_days > 0 even without combat losses and with
/// Weibull shape 1; it did not happen with repair_days = 0 and no combat.
/// Run with `cargo test --release -- --ignored` to print the counterexample.
#[test]
#[ignore = "known counterexample to MODEL.md section 8 when both runs are short (see the doc comment)"]
fn cutting_the_ally_never_raises_the_stock_in_a_dry_regime() {
    let (base, cut) = policy_runs(DRY, 34, 400);
    if let Some(msg) = first_counterexample(&base, &cut) {
        panic!("cutting the ally raised the stock:\n{msg}");
    }
}

#[test]
fn cutting_the_ally_lowers_the_mean_stock_with_coupling() {
    // With coupling the sides react to each other; the mean stock over the
    // n = 200 trajectories must still be lower on every day from the cut on.
    let (base, cut) = policy_runs(Policy { coupling: true, ..KEEPS_UP }, 32, 200);
    let mean = |r: &Run, t: usize| (0..r.n).map(|i| r.s(STOCK, i)[t]).sum::<f64>() / r.n as f64;
    for t in 0..CUT_DAY {
        assert_eq!(mean(&base, t), mean(&cut, t), "day {t}: the runs differ before the cut");
    }
    for t in CUT_DAY..base.days {
        let (b, c) = (mean(&base, t), mean(&cut, t));
        assert!(c < b, "day {t}: mean stock {c} in the cut scenario is not below the baseline's {b}");
    }
}

// ---------------------------------------------------------------------------
// e. Determinism.

fn bits(p: &Paths) -> Vec<Vec<Vec<u64>>> {
    [&p.series, &p.outcomes, &p.params]
        .iter()
        .map(|g| g.iter().map(|c| c.iter().map(|x| x.to_bits()).collect()).collect())
        .collect()
}

#[test]
fn runs_are_deterministic_across_threads_and_chunks() {
    let s = toml(&policy_toml(Policy { coupling: true, ..KEEPS_UP }, Some(CUT)));
    let model = Model::new(s);
    assert!(!model.uncertain().is_empty());
    let ids: Vec<usize> = (0..model.series().len()).collect();
    let go = |first: u64, n: usize, threads: Option<usize>| {
        run_paths(&model, &request(41, first, n, ids.clone(), threads), |_| true).unwrap()
    };
    let one = go(0, 300, Some(1));
    let two = go(0, 300, Some(2));
    assert!(bits(&one) == bits(&two), "threads 1 and 2 differ");
    assert!(bits(&one) == bits(&go(0, 300, None)), "the global pool differs");
    // 300 = 100 + 100 + 100 (chunks straddle the 64-trajectory blocks).
    let parts: Vec<Paths> = (0..3).map(|k| go(100 * k, 100, Some(2))).collect();
    let days = model.days();
    let joined = Paths {
        series: (0..ids.len())
            .map(|j| parts.iter().flat_map(|p| p.series[j][..100 * days].to_vec()).collect())
            .collect(),
        outcomes: (0..model.outcomes().len())
            .map(|j| parts.iter().flat_map(|p| p.outcomes[j].clone()).collect())
            .collect(),
        params: (0..model.uncertain().len())
            .map(|j| parts.iter().flat_map(|p| p.params[j].clone()).collect())
            .collect(),
    };
    assert!(bits(&one) == bits(&joined), "a run of 300 differs from three runs of 100");
    // Another seed gives another run.
    assert!(bits(&one) != bits(&run_paths(&model, &request(42, 0, 300, ids.clone(), Some(1)), |_| true).unwrap()));
}

// ---------------------------------------------------------------------------
// f. The article's arithmetic (MODEL.md section 8).

#[test]
fn the_articles_arithmetic() {
    // 11.5 sq mi a day against 233,000 sq mi: 233,000 / 11.5 / 365.25 = 55.47 years.
    let rate = 11.5 * KM2_PER_SQMI;
    let area = 233_000.0 * KM2_PER_SQMI;
    let s = toml(&format!(
        r#"
name = "article"
start = 2024-01-01
days = 365
[sides.red.casualties]
base = 2200
[sides.red.territory]
rate = {rate}
cv = 0
reference_area_km2 = {area}
"#
    ));
    let n = 100;
    let r = run(&s, 51, n);
    for &y in r.o("red.territory.area.years_to_reference") {
        assert!((y - 55.5).abs() <= 0.1, "years to take 233,000 sq mi at 11.5 a day: {y}");
    }
    // 2,200 casualties a day (Poisson) for 11.5 sq mi: 191.3 per square mile. Per
    // trajectory the ratio has SE sqrt(2200 / 365) / 11.5; z-test on the mean of
    // n = 100 trajectories at alpha = 0.001.
    let per: Vec<f64> = r.o("red.territory.area.casualties_per_sqmi").to_vec();
    let (m, _) = mean_var(&per);
    let se = (2200.0f64 / 365.0).sqrt() / 11.5 / (n as f64).sqrt();
    assert!(
        (m - 2200.0 / 11.5).abs() <= Z * se,
        "casualties per sq mi {m} vs {} (SE {se:.4}, alpha = {ALPHA})",
        2200.0 / 11.5
    );
    assert!((m - 191.0).abs() < 1.0, "about 190 per square mile: {m}");

    // 1,100 and 3,000 casualties per 30 days among 11,000 troops kept at strength
    // (killed_fraction 0, every wounded back the same day): 10 % and 27 % per 30 days.
    for (per30, want) in [(1100.0f64, 0.10), (3000.0, 0.2727)] {
        let base = per30 / 30.0;
        let s = toml(&format!(
            r#"
name = "article-rate"
start = 2024-01-01
days = 360
[sides.red.casualties]
base = {base}
[sides.red.contingents.dprk]
strength = 11000
killed_fraction = 0
rtd = 1
rtd_days = 0
"#
        ));
        let r = run(&s, 52, n);
        for i in 0..n {
            assert!(r.s("red.contingent.dprk.strength", i).iter().all(|&x| x == 11000.0));
        }
        let rates = r.o("red.contingent.dprk.rate_per_30d");
        let (m, _) = mean_var(rates);
        // Per trajectory: Poisson(base x 360) casualties over 11,000 x 360 soldier-days, x 30.
        let se = (base * 360.0).sqrt() / (11000.0 * 360.0) * 30.0 / (n as f64).sqrt();
        let exact = per30 / 11000.0;
        assert!((m - exact).abs() <= Z * se, "rate per 30 days {m} vs {exact} (SE {se:.6}, alpha = {ALPHA})");
        assert!((m - want).abs() < 0.005, "{per30} per 30 days among 11,000: {m}");
    }
}

// ---------------------------------------------------------------------------
// g. Validation errors name the full path.

const VALID: &str = r#"
name = "base"
start = 2024-01-01
days = 100
[sides.red.calibers.152mm]
initial_stock = 1000
[sides.red.supply.ally]
caliber = "152mm"
rate = 10
start = 2024-02-01
[sides.red.fleets.guns]
caliber = "152mm"
guns = 10
rounds_per_gun_day = 5
barrel_life = 2000
combat_loss = 0.01
[sides.red.casualties]
base = 100
[sides.red.contingents.a]
strength = 1000
killed_fraction = 0.3
"#;

fn with(find: &str, replace: &str) -> String {
    assert!(VALID.contains(find), "{find:?} is not in the base scenario");
    VALID.replacen(find, replace, 1)
}

#[test]
fn validation_errors_name_the_full_path() {
    toml(VALID);
    let cases: Vec<(String, &str, &str)> = vec![
        (with("barrel_life = 2000", "barrel_life = nan"), "sides.red.fleets.guns.barrel_life", "finite"),
        (with("rate = 10", "rate = inf"), "sides.red.supply.ally.rate", "finite"),
        (with("guns = 10", "guns = -5"), "sides.red.fleets.guns.guns", "must be between 0 and 1e6 guns"),
        (
            with("barrel_life = 2000", "barrel_life = {dist = \"uniform\", low = 5000, high = 1000}"),
            "sides.red.fleets.guns.barrel_life",
            "low <= high",
        ),
        (with("combat_loss = 0.01", "combat_loss = 1.5"), "sides.red.fleets.guns.combat_loss", "probability in [0, 1]"),
        (
            with("combat_loss = 0.01", "combat_loss = {dist = \"normal\", mean = 0.01, sd = 0.01}"),
            "sides.red.fleets.guns.combat_loss",
            "can give values in",
        ),
        (
            with("killed_fraction = 0.3", "killed_fraction = 2"),
            "sides.red.contingents.a.killed_fraction",
            "probability",
        ),
        (
            with("rounds_per_gun_day = 5", "rounds_per_gun_day = \"five\""),
            "sides.red.fleets.guns.rounds_per_gun_day",
            "got a string",
        ),
        (
            with("guns = 10", "guns = 10\nbarel_life = 3"),
            "sides.red.fleets.guns.barel_life",
            "did you mean `barrel_life`",
        ),
        (with("base = 100", "bsae = 100"), "sides.red.casualties.bsae", "did you mean `base`"),
        (with("name = \"base\"", "nmae = \"base\""), "nmae", "did you mean `name`"),
        (with("[sides.red.fleets.guns]", "[sides.red.fleet.guns]"), "sides.red.fleet", "did you mean `fleets`"),
        (with("rounds_per_gun_day = 5\n", ""), "sides.red.fleets.guns.rounds_per_gun_day", "missing"),
        (
            with("caliber = \"152mm\"\nguns", "caliber = \"155mm\"\nguns"),
            "sides.red.fleets.guns.caliber",
            "did you mean `152mm`",
        ),
        (
            with("caliber = \"152mm\"\nrate", "caliber = \"125mm\"\nrate"),
            "sides.red.supply.ally.caliber",
            "no caliber named",
        ),
        (
            with("start = 2024-02-01", "start = 2024-02-01\nend = 2024-01-15"),
            "sides.red.supply.ally.end",
            "ends before it starts",
        ),
        (with("days = 100", "days = 0"), "days", "must be between 1 and"),
        (with("days = 100", "days = -3"), "days", "invalid value"),
        (with("start = 2024-02-01", "start = \"2024-02-30\""), "sides.red.supply.ally.start", "not a calendar date"),
        (with("start = 2024-01-01", "start = \"2024-1-1\""), "start", "YYYY-MM-DD"),
        (with("start = 2024-02-01", "start = 2024-02-01T10:00:00"), "sides.red.supply.ally.start", "YYYY-MM-DD"),
        (
            with("rate = 10", "rate = {dist = \"normall\", mean = 1, sd = 1}"),
            "sides.red.supply.ally.rate",
            "did you mean `normal`",
        ),
        (
            with("barrel_life = 2000", "barrel_life = {dist = \"normal\", mean = 2000, sd = -1}"),
            "sides.red.fleets.guns.barrel_life",
            "sd >= 0",
        ),
        (
            with("[sides.red.casualties]\nbase = 100\n", ""),
            "sides.red.casualties",
            "contingents need a casualty process",
        ),
        (
            with("guns = 10", "guns = 10\naccuracy_exponent = 4"),
            "sides.red.fleets.guns.accuracy_exponent",
            "must be 1, 2 or 3",
        ),
        (with("barrel_life = 2000", "barrel_life = 0"), "sides.red.fleets.guns.barrel_life", "must be > 0"),
        (with("rate = 10", "rate = 10\nlot_size = 0.5"), "sides.red.supply.ally.lot_size", "must be >= 1"),
    ];
    assert!(cases.len() >= 12);
    for (text, path, rule) in &cases {
        match Validated::from_toml_str(text) {
            Ok(_) => panic!("accepted a bad scenario (expected {path}: {rule}):\n{text}"),
            Err(CoreError::Scenario(msgs)) => {
                let all = msgs.join("\n");
                assert!(
                    msgs.iter().any(|m| m.starts_with(&format!("{path}: ")) && m.contains(rule)),
                    "expected a message at {path:?} containing {rule:?}, got:\n{all}"
                );
            }
            Err(e) => panic!("expected CoreError::Scenario for {path}, got {e:?}"),
        }
    }
    // Several errors are reported together, each with its path.
    let text = with("guns = 10", "guns = -1").replace("combat_loss = 0.01", "combat_loss = 3");
    match Validated::from_toml_str(&text) {
        Err(CoreError::Scenario(msgs)) => {
            assert!(msgs.iter().any(|m| m.starts_with("sides.red.fleets.guns.guns: ")));
            assert!(msgs.iter().any(|m| m.starts_with("sides.red.fleets.guns.combat_loss: ")));
        }
        other => panic!("expected two scenario errors, got {other:?}"),
    }
    // The same rules through from_value.
    let mut v = toml(VALID).scenario().to_value();
    v["sides"]["red"]["fleets"]["guns"]["guns"] = json!(-2);
    match Validated::from_value(v) {
        Err(CoreError::Scenario(msgs)) => assert!(msgs[0].starts_with("sides.red.fleets.guns.guns: "), "{msgs:?}"),
        other => panic!("expected a scenario error, got {other:?}"),
    }
}
