//! Casualties and contingents (docs/model.md section 5) through the public
//! API: the daily counts' laws, the split over contingents, killed and
//! returned, and the article's casualty rates (section 8).
//!
//! Every run uses a fixed seed chosen once (never tuned to make a test pass).
//! Each statistical test states its significance level `alpha`; a failure
//! means "investigate the model", not "try another seed".
mod common;
use common::{ALPHA, Z, assert_chi_square, histogram, mean_var, run, toml};

use statrs::distribution::{Binomial, ContinuousCDF, Discrete, DiscreteCDF, NegativeBinomial, Normal, Poisson};

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
    // docs/model.md 5.2-5.3 for one contingent: casualties c = min(Poisson(base),
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

#[test]
fn the_articles_casualty_rates() {
    // docs/model.md section 8: n = 100 trajectories a rate.
    let n = 100;
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

#[test]
fn casualties_follow_the_enemys_capped_fire() {
    // Expected casualties are base x min(enemy fire / enemy ref_fire,
    // max_fire_ratio)^alpha. Blue fires 500 a day for 40 days against its
    // reference of 400 (1.25, capped at max_fire_ratio = 1.1), then nothing;
    // red fires 1,000 a day for 60 days at its reference (1). Poisson counts:
    // z-tests of each side's total over n = 50 trajectories x 80 days against
    // the sum of the daily means (alpha = 0.001), and no casualties at all
    // once the enemy is silent (alpha > 0).
    let s = toml(
        r#"
name = "capped"
start = 2024-01-01
days = 80
max_fire_ratio = 1.1
[sides.red]
ref_fire = 1000
[sides.red.calibers.c]
initial_stock = 60000
[sides.red.fleets.f]
caliber = "c"
guns = 100
rounds_per_gun_day = 10
barrel_life = 1e12
[sides.red.casualties]
base = 1000
alpha = 1
[sides.blue]
ref_fire = 400
[sides.blue.calibers.c]
initial_stock = 20000
[sides.blue.fleets.f]
caliber = "c"
guns = 50
rounds_per_gun_day = 10
barrel_life = 1e12
[sides.blue.casualties]
base = 500
alpha = 0.5
"#,
    );
    let r = run(&s, 74, 50);
    for (side, mean, silent_from) in [("red", 1000.0 * 1.1, 40), ("blue", 500.0, 60)] {
        let name = format!("{side}.casualties.total.daily");
        let total: f64 = (0..r.n).map(|i| r.s(&name, i)[..silent_from].iter().sum::<f64>()).sum();
        let expect = mean * (silent_from * r.n) as f64;
        let z = (total - expect) / expect.sqrt();
        assert!(z.abs() <= Z, "{side}: {total} casualties vs {expect}, z = {z:.2} (alpha = {ALPHA})");
        assert!((0..r.n).all(|i| r.s(&name, i)[silent_from..].iter().all(|&c| c == 0.0)), "{side}: a silent enemy");
    }
}

/// Variance of x_t = keep x_{t-1} + sd e_t on day `t` (x_{-1} = 0): sd^2 (1 + keep^2 + ... + keep^2t).
fn ar1_var(sd: f64, reversion: f64, t: usize) -> f64 {
    let k2 = (1.0 - reversion).powi(2);
    sd * sd * (0..=t).map(|i| k2.powi(i as i32)).sum::<f64>()
}

/// Chi-square of `xs` against N(mean, var) on 20 equiprobable cells.
fn assert_normal(what: &str, xs: &[f64], mean: f64, var: f64) {
    let nd = Normal::new(mean, var.sqrt()).unwrap();
    let cells = 20;
    let mut obs = vec![0.0; cells];
    for &x in xs {
        obs[((nd.cdf(x) * cells as f64) as usize).min(cells - 1)] += 1.0;
    }
    let exp = vec![xs.len() as f64 / cells as f64; cells];
    assert_chi_square(what, &obs, &exp);
}

#[test]
fn the_tempo_drifts_are_mean_one_lognormal_ar1_processes_on_their_own_streams() {
    // log tempo = x_t - Var(x_t)/2 + y_t - Var(y_t)/2, x (fast) and y (slow) independent
    // AR(1) processes from 0, so on each day log tempo ~ N(-v/2, v), v = Var(x_t) + Var(y_t),
    // and the slow part alone is what a run without the slow drift lacks (the fast drift's
    // draws are the same: it has its own stream). alpha = 0.001, n = 4,000 trajectories.
    let (fsd, frev, ssd, srev) = (0.05, 0.1, 0.02, 0.01);
    let scenario = |slow: f64| {
        toml(&format!(
            r#"
name = "drifts"
start = 2024-01-01
days = 120
[sides.red.casualties]
base = 100
drift_sd = {fsd}
drift_reversion = {frev}
slow_drift_sd = {slow}
slow_drift_reversion = {srev}
"#
        ))
    };
    let n = 4000;
    let both = run(&scenario(ssd), 31, n);
    let fast = run(&scenario(0.0), 31, n);
    let log_tempo = |r: &common::Run, i: usize, t: usize| r.s("red.casualties.total.tempo", i)[t].ln();
    for t in [0, 29, 119] {
        let v = ar1_var(fsd, frev, t) + ar1_var(ssd, srev, t);
        let xs: Vec<f64> = (0..n).map(|i| log_tempo(&both, i, t)).collect();
        assert_normal(&format!("log tempo on day {t}"), &xs, -v / 2.0, v);
        let vs = ar1_var(ssd, srev, t);
        let slow: Vec<f64> = (0..n).map(|i| log_tempo(&both, i, t) - log_tempo(&fast, i, t)).collect();
        assert_normal(&format!("the slow drift on day {t}"), &slow, -vs / 2.0, vs);
    }
    // memory: corr(log tempo on day 29, day 119) = (keep_f^90 Var x_29 + keep_s^90 Var y_29) / sd sd
    let (a, b): (Vec<f64>, Vec<f64>) = (0..n).map(|i| (log_tempo(&both, i, 29), log_tempo(&both, i, 119))).unzip();
    let (v29, v119) =
        (ar1_var(fsd, frev, 29) + ar1_var(ssd, srev, 29), ar1_var(fsd, frev, 119) + ar1_var(ssd, srev, 119));
    let cov = (1.0 - frev).powi(90) * ar1_var(fsd, frev, 29) + (1.0 - srev).powi(90) * ar1_var(ssd, srev, 29);
    let rho = cov / (v29 * v119).sqrt();
    let ((ma, va), (mb, vb)) = (mean_var(&a), mean_var(&b));
    let r = a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / ((n - 1) as f64 * (va * vb).sqrt());
    let z = (r.atanh() - rho.atanh()) * ((n - 3) as f64).sqrt();
    assert!(z.abs() < Z, "corr(day 29, day 119) = {r:.4}, expected {rho:.4} (z = {z:.2})");
}
