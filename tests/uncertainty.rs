//! Ways of writing uncertainty: one-line 90 % intervals.
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
    assert_eq!(toml(&v.scenario().to_toml_string()), v);
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
