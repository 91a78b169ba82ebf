//! Gun fleets and barrel wear (docs/model.md section 4.2) through the public
//! API: worn-out counts are Binomial(N, F(wear)), with and without initial
//! wear drawn per barrel, and combat losses strike serviceable and waiting
//! guns alike, independently.
//!
//! Every run uses a fixed seed chosen once (never tuned to make a test pass).
//! Each statistical test states its significance level `alpha`; a failure
//! means "investigate the model", not "try another seed".
mod common;
use common::{Run, assert_chi_square, histogram, run, toml};

use attrition::scenario::Validated;
use statrs::distribution::{Binomial, Continuous, Discrete};

fn wear_scenario(initial_wear: &str) -> Validated {
    wear_scenario_with_combat(initial_wear, 0.0)
}

fn wear_scenario_with_combat(initial_wear: &str, combat_loss: f64) -> Validated {
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
    let r = run(&wear_scenario("0"), 11, 2000);
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

/// Survival of a new barrel of the wear scenario: Weibull(1000, 3).
fn survival(x: f64) -> f64 {
    (-(x / 1000.0f64).powi(3)).exp()
}

/// P(a day-0 barrel of the wear scenario fails within x more EFC) when its
/// used share u of the scale life (1000 EFC) has density `pdf` on [lo, hi]
/// and its life is conditional on L > 1000 u: E_u[1 - S(1000 u + x) / S(1000 u)],
/// by Simpson's rule.
fn p_fail_initial(pdf: impl Fn(f64) -> f64, lo: f64, hi: f64, x: f64) -> f64 {
    let m = 2000;
    let h = (hi - lo) / m as f64;
    let g = |u: f64| pdf(u) * (1.0 - survival(1000.0 * u + x) / survival(1000.0 * u));
    let mut acc = g(lo) + g(hi);
    for j in 1..m {
        acc += g(lo + j as f64 * h) * if j % 2 == 1 { 4.0 } else { 2.0 };
    }
    acc * h / 3.0
}

/// The initial wear of the tests, Beta(2, 3) scaled to [0, 0.9], and its density.
const WEAR: &str = "{dist = \"beta\", a = 2, b = 3, low = 0, high = 0.9}";
fn wear_pdf(u: f64) -> f64 {
    let b = statrs::distribution::Beta::new(2.0, 3.0).unwrap();
    b.pdf(u / 0.9) / 0.9
}

#[test]
fn barrel_wear_with_initial_wear() {
    // alpha = 0.001 per chi-square; n = 2,000 trajectories of N = 200 guns.
    // Each day-0 barrel has its own used share u, drawn from initial_wear,
    // and its life is conditional on L > 1000 u; so worn_out(t) ~
    // Binomial(200, p_fail_initial(6 (t + 1))), at days 29 (the first 30
    // days) and 99. A fixed initial_wear (0.6) gives every barrel that share.
    let r = run(&wear_scenario(WEAR), 12, 2000);
    let p = |x: f64| p_fail_initial(wear_pdf, 0.0, 0.9, x);
    // Sanity of the integral: the density integrates to 1; at x = 0 nothing has failed.
    assert!((p_fail_initial(wear_pdf, 0.0, 0.9, 1e9) - 1.0).abs() < 1e-6);
    assert!(p(0.0).abs() < 1e-12);
    for t in [29, 99] {
        check_worn_out(&r, t, p(6.0 * (t + 1) as f64), "initial wear Beta(2, 3) on [0, 0.9]");
    }
    let r = run(&wear_scenario("0.6"), 14, 2000);
    for t in [29, 99] {
        let x = 6.0 * (t + 1) as f64;
        check_worn_out(&r, t, 1.0 - survival(600.0 + x) / survival(600.0), "initial wear 0.6");
    }
}

#[test]
fn combat_losses_take_exposed_guns_at_random() {
    // alpha = 0.001 per chi-square; n = 2,000 trajectories of N = 200 guns with
    // the initial wear above and a combat loss q = 0.004 a day, no spares, so
    // a worn-out gun waits (exposed) for ever. Each gun's fate is independent
    // of the others': it survives combat to the end of day t with
    // probability (1 - q)^(t + 1), whether serviceable or waiting, and wears
    // out on day d, if it was not destroyed before, with probability P(6 (d +
    // 1)) - P(6 d), P = p_fail_initial. So at the end of day t
    //   destroyed ~ Binomial(200, 1 - (1 - q)^(t + 1)),
    //   waiting ~ Binomial(200, (1 - q)^(t + 1) P(6 (t + 1))),
    //   worn_out ~ Binomial(200, sum over d <= t of (1 - q)^d [P(6 (d + 1)) - P(6 d)]).
    // Losses that spared waiting guns, or did not pick among the exposed
    // uniformly, would shift them.
    let q = 0.004f64;
    let r = run(&wear_scenario_with_combat(WEAR, q), 13, 2000);
    let p = |x: f64| p_fail_initial(wear_pdf, 0.0, 0.9, x);
    for t in [39, 99] {
        let alive = (1.0 - q).powi(t as i32 + 1);
        let x = 6.0 * (t + 1) as f64;
        let p_worn: f64 =
            (0..=t).map(|d| (1.0 - q).powi(d as i32) * (p(6.0 * (d + 1) as f64) - p(6.0 * d as f64))).sum();
        check_count(&r, "red.fleet.guns.destroyed", t, 1.0 - alive, "combat q = 0.004");
        check_count(&r, "red.fleet.guns.waiting", t, alive * p(x), "combat q = 0.004");
        check_count(&r, "red.fleet.guns.worn_out", t, p_worn, "combat q = 0.004");
    }
}
