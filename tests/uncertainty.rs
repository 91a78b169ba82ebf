//! Ways of writing uncertainty: one-line 90 % intervals and rank correlations
//! between uncertain parameters (a Gaussian copula on keyed normal scores).
mod common;

use attrition::engine::runner::run_paths;
use attrition::model::Model;
use attrition::scenario::{Dist, Validated};
use common::{Z, toml};
use serde_json::json;

/// A one-side scenario of one day whose uncertain parameters are set by `params`
/// (TOML lines for the 152mm supply line), with `extra` appended.
fn scenario(line: &str, extra: &str) -> String {
    format!(
        r#"
name = "uncertainty"
start = 2025-01-01
days = 1
[sides.a.calibers.152mm]
initial_stock = {{ dist = "pert", low = 1000, mode = 2000, high = 5000 }}
lethality = {{ dist = "uniform", low = 0.5, high = 1.5 }}
[sides.a.supply.line]
caliber = "152mm"
{line}
{extra}
"#
    )
}

fn errors(text: &str) -> String {
    match Validated::from_toml_str(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The drawn values of each uncertain parameter, by path, for trajectories `first..first + n`.
fn draws(v: &Validated, seed: u64, first: u64, n: usize) -> Vec<(String, Vec<f64>)> {
    let model = Model::new(v.clone());
    let paths = run_paths(&model, &common::request(seed, first, n, vec![], None), |_| true).expect("runs");
    model.uncertain().iter().map(|u| u.path.clone()).zip(paths.params).collect()
}

fn column<'a>(d: &'a [(String, Vec<f64>)], path: &str) -> &'a [f64] {
    &d.iter().find(|(p, _)| p == path).unwrap_or_else(|| panic!("no {path}")).1
}

/// Average ranks (ties share the mean of their positions).
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        for &k in &idx[i..=j] {
            r[k] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    r
}

fn spearman(x: &[f64], y: &[f64]) -> f64 {
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx) * (a - mx)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my) * (b - my)).sum();
    cov / (vx * vy).sqrt()
}

/// Kolmogorov-Smirnov statistic of `x` against the CDF of `d`.
fn ks(x: &[f64], d: &Dist) -> f64 {
    let mut u: Vec<f64> = x.iter().map(|&v| d.cdf(v)).collect();
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    u.iter().enumerate().map(|(i, &f)| (f - i as f64 / n).abs().max((f - (i + 1) as f64 / n).abs())).fold(0.0, f64::max)
}

/// KS critical value at alpha = 0.001.
fn ks_critical(n: usize) -> f64 {
    1.949 / (n as f64).sqrt()
}

#[test]
fn an_interval_is_a_lognormal_or_a_normal_with_those_5_and_95_percent_quantiles() {
    let v = toml(&scenario(r#"rate = "5000 to 12000""#, r#"price = "0.5 to 4""#));
    let d = draws(&v, 7, 0, 20_000);
    let rate = Dist::from_value(&json!("5000 to 12000")).expect("an interval");
    assert_eq!(rate.describe(), "5000 to 12000 (90 %, lognormal)");
    assert!((rate.ppf(0.05) - 5000.0).abs() < 1e-8 && (rate.ppf(0.95) - 12000.0).abs() < 1e-8);
    let price = Dist::from_value(&json!("0.5 to 4")).expect("an interval");
    let normal = Dist::from_value(&json!("-0.1 to 0.3")).expect("an interval");
    assert_eq!(normal.describe(), "-0.1 to 0.3 (90 %, normal)");
    assert!((normal.ppf(0.05) + 0.1).abs() < 1e-12 && (normal.ppf(0.95) - 0.3).abs() < 1e-12);
    assert_eq!(normal.support(), (f64::NEG_INFINITY, f64::INFINITY));
    for (path, dist) in [("sides.a.supply.line.rate", &rate), ("sides.a.supply.line.price", &price)] {
        let x = column(&d, path);
        assert!(ks(x, dist) < ks_critical(x.len()), "{path}: KS {}", ks(x, dist));
        let inside = x.iter().filter(|&&v| v >= dist.ppf(0.05) && v <= dist.ppf(0.95)).count() as f64 / x.len() as f64;
        assert!((inside - 0.9).abs() < Z * (0.09f64 / x.len() as f64).sqrt(), "{path}: {inside} inside");
    }
}

#[test]
fn intervals_round_trip_as_text_and_are_validated_like_any_parameter() {
    let v = toml(&scenario(r#"rate = "5,000 to 12,000""#, ""));
    let back = v.scenario().to_value();
    assert_eq!(back["sides"]["a"]["supply"]["line"]["rate"], json!("5000 to 12000"));
    assert_eq!(toml(&v.to_toml()), v);
    // A percentage, and a normal because one end is not above 0.
    let p = Dist::from_value(&json!("5% to 20%")).expect("percentages");
    assert_eq!(p.name(), "interval");
    assert!((p.ppf(0.05) - 0.05).abs() < 1e-12);
    assert_eq!(Dist::from_value(&json!("0 to 10")).expect("normal").describe(), "0 to 10 (90 %, normal)");

    let e = errors(&scenario(r#"rate = "-100 to 100""#, ""));
    assert!(e.contains("sides.a.supply.line.rate: must be >= 0, but -100 to 100 (90 %, normal)"), "{e}");
    assert!(e.contains("an interval with an end <= 0 is an untruncated normal"), "{e}");
    let e = errors(&scenario("rate = 1", r#"growth = "-0.1 to 0.3""#));
    assert!(e.contains("sides.a.supply.line.growth: must be > -1 (a yearly growth rate), but -0.1 to 0.3"), "{e}");
    let e = errors(&scenario("rate = 1", r#"dud_fraction = "1% to 5%""#));
    assert!(e.contains("sides.a.supply.line.dud_fraction: must be a probability in [0, 1]"), "{e}");
    let e = errors(&scenario(r#"rate = "12000 to 5000""#, ""));
    assert!(e.contains("sides.a.supply.line.rate: a 90 % interval needs low < high"), "{e}");
    let e = errors(&scenario(r#"rate = "5000 to lots""#, ""));
    assert!(
        e.contains("sides.a.supply.line.rate: a 90 % interval is \"<low> to <high>\": \"lots\" is not a number"),
        "{e}"
    );
    let e = errors(&scenario(r#"rate = "plenty""#, ""));
    assert!(e.contains("expected a number, a 90 % interval such as \"5000 to 12000\""), "{e}");
    let e = errors(&scenario(r#"rate = "1 to 1e300""#, ""));
    assert!(e.contains("`high` must be finite within"), "{e}");
}

const CORRELATED: &str = r#"
[[correlations]]
a = "sides.a.supply.line.rate"
b = "sides.a.calibers.152mm.initial_stock"
rho = 0.6

[[correlations]]
a = "sides.a.calibers.152mm.lethality"
b = "sides.a.supply.line.rate"
rho = -0.3
"#;

const LINE: &str = r#"rate = { dist = "triangular", low = 100, mode = 200, high = 900 }
growth = { dist = "choice", values = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] }
price = { dist = "normal", mean = 100, sd = 10, low = 0 }"#;

#[test]
fn correlated_draws_keep_their_marginals_and_reach_the_rank_correlations() {
    let n = 20_000;
    let v = toml(&scenario(LINE, CORRELATED));
    let d = draws(&v, 11, 0, n);
    let (rate, stock, leth) = (
        column(&d, "sides.a.supply.line.rate"),
        column(&d, "sides.a.calibers.152mm.initial_stock"),
        column(&d, "sides.a.calibers.152mm.lethality"),
    );
    // Sampling error of Spearman's rho is about (1 - rho^2) / sqrt(n) < 0.007 here.
    let tol = 0.02;
    for (x, y, rho) in [(rate, stock, 0.6), (leth, rate, -0.3)] {
        let got = spearman(x, y);
        assert!((got - rho).abs() < tol, "asked {rho}, got {got}");
    }
    // A pair not listed has normal scores uncorrelated with each other.
    let unlisted = spearman(leth, stock);
    assert!(unlisted.abs() < tol, "{unlisted}");
    for u in Model::new(v.clone()).uncertain().iter().filter(|u| !u.dist.is_discrete()) {
        let x = column(&d, &u.path);
        assert!(ks(x, &u.dist) < ks_critical(n), "{}: KS {}", u.path, ks(x, &u.dist));
    }
    // Parameters outside every correlation draw as before, value for value.
    let plain = draws(&toml(&scenario(LINE, "")), 11, 0, n);
    for path in ["sides.a.supply.line.growth", "sides.a.supply.line.price"] {
        assert_eq!(column(&d, path), column(&plain, path), "{path}");
    }
}

#[test]
fn correlated_draws_are_keyed_per_trajectory() {
    let v = toml(&scenario(LINE, CORRELATED));
    let all = draws(&v, 3, 0, 300);
    let tail = draws(&v, 3, 200, 100);
    for ((p, a), (_, b)) in all.iter().zip(&tail) {
        assert_eq!(&a[200..], &b[..], "{p}");
    }
    // Whatever the threads.
    let model = Model::new(v.clone());
    let run = |threads| run_paths(&model, &common::request(3, 0, 300, vec![], Some(threads)), |_| true).expect("runs");
    let (one, two) = (run(1), run(2));
    assert_eq!(one.params, two.params);
    for (j, (_, col)) in all.iter().enumerate() {
        assert_eq!(&one.params[j], col);
    }
}

#[test]
fn correlations_are_validated() {
    let with = |c: &str| scenario(LINE, c);
    let e = errors(&with(
        "[[correlations]]\na = \"sides.a.supply.line.rat\"\nb = \"sides.a.supply.line.price\"\nrho = 0.5",
    ));
    assert!(e.contains("correlations[0].a: no parameter \"sides.a.supply.line.rat\" in the scenario"), "{e}");
    assert!(e.contains("did you mean"), "{e}");
    let e = errors(&with(
        "[[correlations]]\na = \"sides.a.supply.line.rate\"\nb = \"sides.a.supply.line.price\"\nrho = 1.5",
    ));
    assert!(e.contains("correlations[0].rho: must be a rank correlation in [-1, 1], got 1.5"), "{e}");
    let e = errors(&with(
        "[[correlations]]\na = \"sides.a.supply.line.rate\"\nb = \"sides.a.supply.line.rate\"\nrho = 0.5",
    ));
    assert!(e.contains("correlations[0].b: a parameter cannot be correlated with itself"), "{e}");
    let pair = "[[correlations]]\na = \"sides.a.supply.line.rate\"\nb = \"sides.a.supply.line.price\"\nrho = 0.5\n";
    let e =
        errors(&with(&format!("{pair}{}", pair.replace("rate", "X").replace("price", "rate").replace("X", "price"))));
    assert!(
        e.contains(
            "correlations[1]: the pair sides.a.supply.line.price and sides.a.supply.line.rate is correlated twice"
        ),
        "{e}"
    );
    let triangle = r#"
[[correlations]]
a = "sides.a.supply.line.rate"
b = "sides.a.supply.line.price"
rho = 0.9
[[correlations]]
a = "sides.a.supply.line.price"
b = "sides.a.supply.line.growth"
rho = 0.9
[[correlations]]
a = "sides.a.supply.line.rate"
b = "sides.a.supply.line.growth"
rho = -0.9
"#;
    let e = errors(&with(triangle));
    assert!(e.contains("correlations: the rank correlations among [") && e.contains("cannot hold together"), "{e}");
    let e = errors(&with(
        "[[correlations]]\na = \"sides.a.supply.line.rate\"\nb = \"sides.a.supply.line.price\"\nrho = 0.5\nr = 1",
    ));
    assert!(e.contains("correlations[0].r: unknown key"), "{e}");
    // A correlation with a parameter given as a number has no effect.
    let fixed = toml(&scenario("rate = 500\nprice = { dist = \"normal\", mean = 100, sd = 10, low = 0 }", pair));
    let alone = toml(&scenario("rate = 500\nprice = { dist = \"normal\", mean = 100, sd = 10, low = 0 }", ""));
    assert_eq!(draws(&fixed, 1, 0, 50), draws(&alone, 1, 0, 50));
}

#[test]
fn perfect_correlations_make_comonotone_draws() {
    let c = "[[correlations]]\na = \"sides.a.supply.line.rate\"\nb = \"sides.a.supply.line.price\"\nrho = 1\n\
             [[correlations]]\na = \"sides.a.calibers.152mm.lethality\"\nb = \"sides.a.supply.line.price\"\nrho = -1\n\
             [[correlations]]\na = \"sides.a.calibers.152mm.lethality\"\nb = \"sides.a.supply.line.rate\"\nrho = -1";
    let v = toml(&scenario(LINE, c));
    let d = draws(&v, 5, 0, 2000);
    let (rate, price, leth) = (
        column(&d, "sides.a.supply.line.rate"),
        column(&d, "sides.a.supply.line.price"),
        column(&d, "sides.a.calibers.152mm.lethality"),
    );
    assert!((spearman(rate, price) - 1.0).abs() < 1e-12);
    assert!((spearman(leth, price) + 1.0).abs() < 1e-12);
}
