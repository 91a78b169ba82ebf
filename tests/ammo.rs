//! Ammunition (docs/model.md section 3) through the public API: supply
//! lines deliver Poisson numbers of whole lots, growing with the yearly
//! growth, with binomial duds; duds are fired in proportion to the dud pool.
//!
//! Every run uses a fixed seed chosen once (never tuned to make a test pass).
//! Each statistical test states its significance level `alpha`; a failure
//! means "investigate the model", not "try another seed".
mod common;
use common::{ALPHA, Z, assert_chi_square, histogram, run, toml};

use statrs::distribution::{Discrete, Poisson};

#[test]
fn lots_are_poisson_and_duds_binomial() {
    // Line `big`: 50 shells a day in lots of 10, a Poisson(5) number of lots a
    // day (drawn directly); line `small`: 3 shells a day in lots of 10, a
    // Poisson(0.3) number of lots a day (drawn by event times). Chi-square of
    // the daily lots against the Poisson pmf, pooled over n = 100 trajectories
    // x 300 days = 30,000 days; and duds ~ Binomial(delivered, 0.2), a z-test
    // on the pooled share. alpha = 0.001 each.
    let s = toml(
        r#"
name = "lots"
start = 2024-01-01
days = 300
[sides.red.calibers.c]
initial_stock = 0
[sides.red.supply.big]
caliber = "c"
rate = 50
lot_size = 10
dud_fraction = 0.2
[sides.red.supply.small]
caliber = "c"
rate = 3
lot_size = 10
"#,
    );
    let r = run(&s, 61, 100);
    for (line, mean) in [("big", 5.0), ("small", 0.3)] {
        let lots: Vec<f64> = (0..r.n)
            .flat_map(|i| r.s(&format!("red.supply.{line}.delivered"), i).iter().map(|x| x / 10.0).collect::<Vec<_>>())
            .collect();
        let n = lots.len() as f64;
        let max = 25;
        let obs = histogram(lots.iter().copied(), max);
        let p = Poisson::new(mean).expect("a Poisson mean");
        let mut exp: Vec<f64> = (0..max as u64).map(|k| p.pmf(k) * n).collect();
        exp.push(n - exp.iter().sum::<f64>());
        assert_chi_square(&format!("daily lots of line {line} vs Poisson({mean})"), &obs, &exp);
    }
    let delivered: f64 = r.o("red.supply.big.delivered_total").iter().sum();
    let duds: f64 = (0..r.n).map(|i| r.s("red.supply.big.duds", i).iter().sum::<f64>()).sum();
    let z = (duds - 0.2 * delivered) / (delivered * 0.2 * 0.8).sqrt();
    assert!(z.abs() <= Z, "dud share {:.5} vs 0.2, z = {z:.2} (alpha = {ALPHA}, n = {delivered})", duds / delivered);
    // The caliber takes what its lines deliver; duds of a line with no dud fraction are none.
    for i in 0..r.n {
        let (big, small) = (r.s("red.supply.big.delivered", i), r.s("red.supply.small.delivered", i));
        let cal = r.s("red.ammo.c.delivered", i);
        assert!((0..r.days).all(|t| cal[t] == big[t] + small[t]));
        assert!(r.s("red.supply.small.duds", i).iter().all(|&d| d == 0.0));
    }
}

#[test]
fn deliveries_grow_with_the_yearly_growth() {
    // growth = 1: the rate doubles in a year, compounded daily, so the mean
    // number of lots on day t is 5 x 2^(t / 365.25). The lots over the run are
    // Poisson with the summed mean: a z-test per trajectory total, pooled over
    // n = 50 trajectories (alpha = 0.001), and the second half of the run has
    // the share of lots it should.
    let s = toml(
        r#"
name = "growth"
start = 2024-01-01
days = 365
[sides.red.calibers.c]
initial_stock = 0
[sides.red.supply.l]
caliber = "c"
rate = 50
lot_size = 10
growth = 1.0
"#,
    );
    let r = run(&s, 62, 50);
    let mean = |t: usize| 5.0 * (std::f64::consts::LN_2 * t as f64 / 365.25).exp();
    let expected: f64 = (0..r.days).map(mean).sum::<f64>() * r.n as f64;
    let late: f64 = (r.days / 2..r.days).map(mean).sum::<f64>() * r.n as f64;
    let lots: f64 = r.o("red.supply.l.delivered_total").iter().sum::<f64>() / 10.0;
    let z = (lots - expected) / expected.sqrt();
    assert!(z.abs() <= Z, "lots {lots} vs {expected:.1}, z = {z:.2} (alpha = {ALPHA})");
    let got_late: f64 =
        (0..r.n).map(|i| r.s("red.supply.l.delivered", i)[r.days / 2..].iter().sum::<f64>()).sum::<f64>() / 10.0;
    let z = (got_late - late) / late.sqrt();
    assert!(z.abs() <= Z, "second-half lots {got_late} vs {late:.1}, z = {z:.2} (alpha = {ALPHA})");
}

#[test]
fn duds_are_fired_in_proportion_to_the_dud_pool() {
    // A stock of 1,000,000 shells, 10 % duds, no deliveries; 100 guns fire 20
    // rounds a day each (barrels that do not wear). Each day's duds fired are
    // Binomial(2,000, U / S) of the pool at the start of the day; pooled over
    // n = 50 trajectories x 200 days, a z-test of the duds fired against the
    // sum of the daily means with the binomial variances (alpha = 0.001). With
    // no accuracy loss, the effective fire is exactly (fired - duds) x lethality.
    let s = toml(
        r#"
name = "duds"
start = 2024-01-01
days = 200
[sides.red.calibers.c]
initial_stock = 1000000
initial_dud_fraction = 0.1
lethality = 1.5
[sides.red.fleets.f]
caliber = "c"
guns = 100
rounds_per_gun_day = 20
barrel_life = 1e12
"#,
    );
    let r = run(&s, 63, 50);
    let (mut got, mut mean, mut var) = (0.0, 0.0, 0.0);
    for i in 0..r.n {
        let (stock, duds) = (r.s("red.ammo.c.stock", i), r.s("red.ammo.c.duds", i));
        let (fired, duds_fired) = (r.s("red.ammo.c.fired", i), r.s("red.ammo.c.duds_fired", i));
        let eff = r.s("red.ammo.c.effective_fire", i);
        let (mut s0, mut u0) = (1_000_000.0, 100_000.0);
        for t in 0..r.days {
            assert_eq!(fired[t], 2000.0);
            let p: f64 = u0 / s0;
            got += duds_fired[t];
            mean += fired[t] * p;
            var += fired[t] * p * (1.0 - p);
            assert_eq!(eff[t], (fired[t] - duds_fired[t]) * 1.5);
            (s0, u0) = (stock[t], duds[t]);
        }
    }
    let z = (got - mean) / var.sqrt();
    assert!(z.abs() <= Z, "duds fired {got} vs {mean:.1}, z = {z:.2} (alpha = {ALPHA})");
}
