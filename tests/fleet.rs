//! Gun fleets and barrel wear (docs/model.md section 4) through the public
//! API: worn-out counts are Binomial(N, F(wear)), with and without initial
//! wear, and combat losses pick serviceable guns at random.
//!
//! Every run uses a fixed seed chosen once (never tuned to make a test pass).
//! Each statistical test states its significance level `alpha`; a failure
//! means "investigate the model", not "try another seed".
mod common;
use common::{Run, assert_chi_square, histogram, run, toml};

use attrition::scenario::Validated;
use statrs::distribution::{Binomial, Discrete};

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
