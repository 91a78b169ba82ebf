//! Territory (docs/model.md section 4.4) through the public API: the daily
//! area's law, its coupling to the fire ratio, and the article's arithmetic
//! (section 8).
//!
//! Every run uses a fixed seed chosen once (never tuned to make a test pass).
//! Each statistical test states its significance level `alpha`; a failure
//! means "investigate the model", not "try another seed".
mod common;
use common::{ALPHA, KM2_PER_SQMI, Z, mean_var, run, toml};

use statrs::distribution::{ContinuousCDF, Gamma};

/// Asymptotic Kolmogorov-Smirnov critical value at alpha = 0.001, times sqrt(n).
const KS_C: f64 = 1.949;

#[test]
fn the_daily_area_is_gamma() {
    // One side (no coupling): the area taken a day is Gamma with mean rate x
    // tempo and coefficient of variation cv, i.i.d. over days. Tempo 2 from
    // day 100. Kolmogorov-Smirnov of the days before and after against their
    // Gamma (alpha = 0.001), pooled over n = 100 trajectories x 100 days each.
    let s = toml(
        r#"
name = "area"
start = 2024-01-01
days = 200
[sides.red.casualties]
base = 10
tempo = [{start = 2024-04-10, factor = 2}]
[sides.red.territory]
rate = 20
cv = 0.7
gamma = 0.8
"#,
    );
    let r = run(&s, 71, 100);
    let shape = 1.0 / (0.7f64 * 0.7);
    for (days, mean) in [(0..100, 20.0), (100..200, 40.0)] {
        let mut xs: Vec<f64> =
            (0..r.n).flat_map(|i| r.s("red.territory.area.daily_km2", i)[days.clone()].to_vec()).collect();
        let g = Gamma::new(shape, shape / mean).expect("a gamma");
        xs.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        let d = xs.iter().enumerate().fold(0.0f64, |d, (i, &x)| {
            let f = g.cdf(x);
            d.max((i + 1) as f64 / n - f).max(f - i as f64 / n)
        });
        let crit = KS_C / n.sqrt();
        assert!(d <= crit, "daily area, mean {mean}: KS D = {d:.5} > {crit:.5} (alpha = {ALPHA}, n = {n})");
    }
    for i in 0..r.n {
        let (a, c) = (r.s("red.territory.area.daily_km2", i), r.s("red.territory.area.cumulative_km2", i));
        assert_eq!(c[r.days - 1], a.iter().sum::<f64>());
    }
}

/// Red fires 1,000 effective rounds a day for 60 days, blue 500 a day for 40
/// (then each has nothing left); `rest` is appended to the scenario.
fn duel(days: usize, rest: &str) -> String {
    format!(
        r#"
name = "duel"
start = 2024-01-01
days = {days}
{rest}
[sides.red]
ref_fire = 1000
[sides.red.calibers.c]
initial_stock = 60000
[sides.red.fleets.f]
caliber = "c"
guns = 100
rounds_per_gun_day = 10
barrel_life = 1e12
[sides.blue]
ref_fire = 400
[sides.blue.calibers.c]
initial_stock = 20000
[sides.blue.fleets.f]
caliber = "c"
guns = 50
rounds_per_gun_day = 10
barrel_life = 1e12
"#
    )
}

#[test]
fn gains_follow_the_capped_fire_ratio_without_smoothing() {
    // With cv = 0 the day's area is its mean, rate x psi^gamma, psi = min(own
    // / enemy / ref_ratio, max_fire_ratio), exactly: no round is added to
    // either side's fire. Red 1,000 against blue 500 a day over ref_ratio 0.8
    // is 2.5 (days 0-39); blue silent is the cap, 3 (days 40-59); neither
    // firing is the reference, 1 (days 60 on).
    let s =
        toml(&duel(80, "max_fire_ratio = 3\n[sides.red.territory]\nrate = 10\ncv = 0\ngamma = 0.7\nref_ratio = 0.8"));
    let r = run(&s, 73, 3);
    for i in 0..r.n {
        let (own, enemy) = (r.s("red.fire.total.effective", i), r.s("blue.fire.total.effective", i));
        let a = r.s("red.territory.area.daily_km2", i);
        for t in 0..r.days {
            let (psi, fires) = match t {
                0..40 => (2.5, (1000.0, 500.0)),
                40..60 => (3.0, (1000.0, 0.0)),
                _ => (1.0, (0.0, 0.0)),
            };
            assert_eq!((own[t], enemy[t]), fires, "day {t}: the fires");
            let want = 10.0 * f64::powf(psi, 0.7);
            assert!((a[t] - want).abs() <= 1e-12 * want, "day {t}: area {} vs {want} (psi = {psi})", a[t]);
        }
    }
}

#[test]
fn gains_follow_the_fire_ratio() {
    // Two coupled sides: red's mean gain on day t is rate x min(red fire /
    // blue fire / ref_ratio, max_fire_ratio)^gamma, from the day's effective
    // fires (series), the cap when blue is silent. Red's gains over the run
    // against the sum of those means, a z-test with the Gamma variances (cv^2
    // mean^2), pooled over n = 40 trajectories x 150 days (alpha = 0.001).
    // Blue runs dry on day 40, so the ratio moves, and the cap binds.
    let s = toml(&duel(150, "[sides.red.territory]\nrate = 10\ncv = 0.5\ngamma = 0.7\nref_ratio = 2"));
    let r = run(&s, 72, 40);
    let (mut got, mut mean, mut var, mut capped) = (0.0, 0.0, 0.0, 0);
    for i in 0..r.n {
        let (own, enemy) = (r.s("red.fire.total.effective", i), r.s("blue.fire.total.effective", i));
        let a = r.s("red.territory.area.daily_km2", i);
        for t in 0..r.days {
            let ratio = match (own[t], enemy[t]) {
                (_, e) if e > 0.0 => own[t] / e / 2.0,
                (o, _) if o > 0.0 => f64::INFINITY,
                _ => 1.0,
            };
            capped += usize::from(ratio > 5.0);
            let m = 10.0 * ratio.min(5.0).powf(0.7);
            got += a[t];
            mean += m;
            var += 0.25 * m * m;
        }
    }
    assert!(capped > r.n * 10, "the cap binds on {capped} days");
    let z = (got - mean) / var.sqrt();
    assert!(z.abs() <= Z, "red's gains {got:.1} vs {mean:.1}, z = {z:.2} (alpha = {ALPHA})");
}

#[test]
fn the_articles_gains_and_years() {
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
}
