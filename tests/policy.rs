//! Cutting an ally's supply line and the stock (docs/model.md section 8):
//! with common random numbers, the cut never raises the stock where the
//! model says it cannot, and lowers the mean stock with the coupling on.
//!
//! Every run uses a fixed seed chosen once (never tuned to make a test pass).
//! Each statistical test states its significance level `alpha`; a failure
//! means "investigate the model", not "try another seed".
mod common;
use common::policy::{CUT, CUT_DAY, DRY, KEEPS_UP, Policy, STOCK, policy_toml};
use common::{Run, run, toml};

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
            (never(base.o("red.ammo.c152.days_to_rationing")[i]), never(cut.o("red.ammo.c152.days_to_rationing")[i]));
        assert!(dc <= db, "trajectory {i}: the cut run ran short on day {dc}, after the baseline ({db})");
    }
}

#[test]
fn cutting_the_ally_never_raises_the_stock_without_coupling() {
    // Same seed, n = 200: common random numbers trajectory by trajectory. In
    // this regime the baseline never runs short, and the stock of the cut run
    // must be at most the baseline's on every day of every trajectory.
    let (base, cut) = policy_runs(KEEPS_UP, 31, 200);
    let short = cut.o("red.ammo.c152.days_to_rationing").iter().filter(|d| !d.is_nan()).count();
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
            !base.o("red.ammo.c152.days_to_rationing")[i].is_nan()
                && !cut.o("red.ammo.c152.days_to_rationing")[i].is_nan()
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

/// docs/model.md section 8 says cutting an ally's line never raises the stock on
/// any day of any trajectory (coupling off). That is false in this model once
/// both runs are short and barrels wear: the cut run fires less, so its wear
/// clock lags and its barrels fail on other days than the baseline's; a failed
/// gun is out of the line for `repair_days`, so on some days the cut run has
/// more guns in repair (fewer serviceable, lower demand). When both runs sit
/// at the reserve floor and the ally's lot does not arrive that day (lots of
/// 5,000 shells), the run with the lower demand ends the day with more shells.
/// Every gun keeps its own barrels and its own combat budget in both runs, so
/// the fates of the guns stay coupled; what differs is the wear clock and so
/// the days the barrels fail and the guns go to and come back from repair.
/// It happens with repair_days > 0 even without combat losses and with
/// Weibull shape 1; it did not happen with repair_days = 0 and no combat.
/// Run with `cargo test --release -- --ignored` to print the counterexample.
#[test]
#[ignore = "known counterexample to docs/model.md section 8 when both runs are short (see the doc comment)"]
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
