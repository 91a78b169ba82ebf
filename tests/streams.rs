//! One random stream per mechanism (docs/model.md section 1): changing a
//! parameter re-randomises only the mechanism it enters, so every series it
//! cannot affect stays bit-identical, trajectory by trajectory, at the same
//! seed.
mod common;
use common::policy::{KEEPS_UP, Policy, policy_toml};
use common::{Run, run, toml};

/// Run the policy scenario and the same with `find` replaced by `replace`
/// (`n` trajectories, one seed), and return the names of the series that
/// differ on some day of some trajectory.
fn changed(p: Policy, find: &str, replace: &str, n: usize) -> Vec<String> {
    let text = policy_toml(p, None);
    assert_eq!(text.matches(find).count(), 1, "{find:?} must occur once in the policy scenario");
    let (a, b) = (run(&toml(&text), 41, n), run(&toml(&text.replacen(find, replace, 1)), 41, n));
    differing(&a, &b)
}

fn differing(a: &Run, b: &Run) -> Vec<String> {
    a.series
        .keys()
        .filter(|name| (0..a.n).any(|i| a.s(name, i).iter().zip(b.s(name, i)).any(|(x, y)| x.to_bits() != y.to_bits())))
        .cloned()
        .collect()
}

/// Every series that differs is one of `allowed`, and the change did change
/// something (`expected` among them).
fn check(what: &str, diff: &[String], allowed: &[&str], expected: &str) {
    let stray: Vec<&String> = diff.iter().filter(|d| !allowed.contains(&d.as_str())).collect();
    assert!(stray.is_empty(), "{what} changed series it cannot affect: {stray:?}");
    assert!(diff.iter().any(|d| d == expected), "{what} did not change {expected}: {diff:?}");
}

#[test]
fn a_dud_fraction_changes_only_duds() {
    // Duds among an ally's deliveries: the lots (days and sizes) are drawn on
    // their own stream, and a dud is still a shell in the stock, so the
    // stock, the fire and everything downstream of it stay as they were; only
    // the duds and the effective fire they spoil move (coupling off: the enemy
    // does not see the fire).
    let diff = changed(KEEPS_UP, "dud_fraction = 0.15", "dud_fraction = 0.35", 40);
    check(
        "the ally's dud fraction",
        &diff,
        &[
            "red.supply.ally.duds",
            "red.ammo.c152.duds",
            "red.ammo.c152.duds_fired",
            "red.ammo.c152.effective_fire",
            "red.fire.total.effective",
        ],
        "red.supply.ally.duds",
    );
}

#[test]
fn a_killed_fraction_changes_only_the_killed() {
    // A contingent without returns: its killed and wounded split its
    // casualties, whose count is drawn on its own stream; strength, exposure
    // and everything else stay as they were, with the coupling on too (the
    // enemy does not see casualties).
    for coupling in [false, true] {
        let diff = changed(Policy { coupling, ..KEEPS_UP }, "killed_fraction = 0.35", "killed_fraction = 0.1", 40);
        check(
            "the allied contingent's killed fraction",
            &diff,
            &["red.contingent.allied.killed", "red.casualties.total.killed", "red.casualties.total.wounded"],
            "red.contingent.allied.killed",
        );
    }
}

#[test]
fn a_return_share_changes_only_the_returns() {
    // The wounded who will return are drawn on their own stream from the
    // wounded. With a return delay beyond the horizon none is back within the
    // run, so nothing recorded may move: not the casualties, not the killed,
    // not the strengths.
    let p = KEEPS_UP;
    let text = policy_toml(p, None).replacen("rtd = 0.4", "rtd = 0.4\nrtd_days = 1000", 1);
    let (a, b) = (run(&toml(&text), 41, 40), run(&toml(&text.replacen("rtd = 0.4", "rtd = 0.9", 1)), 41, 40));
    let diff = differing(&a, &b);
    assert!(diff.is_empty(), "a return share whose returns fall beyond the horizon changed {diff:?}");
}

#[test]
fn a_supply_rate_changes_only_its_caliber() {
    // A line's rate changes its own deliveries; with the coupling off the
    // other caliber, the casualties, the territory and the other side stay as
    // they were.
    let diff = changed(KEEPS_UP, "rate = 1500", "rate = 900", 40);
    assert!(diff.iter().any(|d| d == "red.supply.d122.delivered"), "{diff:?}");
    for d in &diff {
        assert!(
            d.starts_with("red.supply.d122.")
                || d.starts_with("red.ammo.c122.")
                || d.starts_with("red.fleet.d30.")
                || d == "red.fire.total.effective",
            "the 122 mm line's rate changed {d}"
        );
    }
}
