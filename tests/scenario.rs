//! Scenarios through the public API: validation messages that name the
//! parameter's full dotted path and the rule, and the built-in overlays.
mod common;
use common::{proptest_config, request, toml};

use attrition::engine::runner::{Request, check_given, run_paths};
use attrition::error::CoreError;
use attrition::model::Model;
use attrition::scenario::{Date, Validated};
use proptest::prelude::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------
// Validation errors name the full path.

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
            "got the text \"five\"",
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
        (with("days = 100", "days = 100\nmax_fire_ratio = 0.5"), "max_fire_ratio", "must be between 1 and 1e6"),
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

/// Values given for uncertain parameters (a design's or calibration's
/// samples) obey the rules of the scenario: each is checked against its
/// parameter's domain before the run starts, and the error names the
/// parameter, the rule, the value and the row.
#[test]
fn given_values_obey_the_scenarios_rules() {
    let text = VALID
        .replace("guns = 10", "guns = {dist = \"uniform\", low = 5, high = 20}")
        .replace("killed_fraction = 0.3", "killed_fraction = {dist = \"uniform\", low = 0.2, high = 0.4}")
        .replace("strength = 1000", "strength = 1000\nrtd = 0.5\nrtd_days = {dist = \"uniform\", low = 10, high = 40}")
        .replace(
            "combat_loss = 0.01",
            "combat_loss = 0.01\n[sides.red.fleets.guns.deliveries]\nrate = {dist = \"uniform\", low = 0, high = 1}",
        );
    let model = Model::new(toml(&text));
    let slot = |path: &str| model.uncertain().iter().position(|u| u.path == path).expect(path);
    let cases = [
        ("sides.red.contingents.a.killed_fraction", 1.5, "must be a probability in [0, 1], got 1.5"),
        ("sides.red.contingents.a.rtd_days", 1e12, "must be between 0 and 36525 days, got 1000000000000"),
        ("sides.red.fleets.guns.guns", 1e9, "must be between 0 and 1e6 guns, got 1000000000"),
        ("sides.red.fleets.guns.deliveries.rate", 1e5, "would deliver more than 1e6 guns over 100 days, got 100000"),
        ("sides.red.fleets.guns.guns", f64::NAN, "must be a finite number, got NaN"),
    ];
    for (path, bad, rule) in cases {
        let j = slot(path);
        // Rows 0 and 1 are fine, row 2 breaks the rule.
        let ok = model.uncertain()[j].dist.support().0;
        let given = vec![vec![(j, ok)], vec![(j, ok)], vec![(j, bad)], vec![(j, ok)]];
        let req = Request { given, ..request(1, 0, 4, vec![], None) };
        let want = format!("{path}: {rule} (samples row 2)");
        match run_paths(&model, &req, |_| true) {
            Err(CoreError::Scenario(msgs)) => assert_eq!(msgs, vec![want.clone()]),
            other => panic!("expected {want:?}, got {other:?}"),
        }
        assert_eq!(check_given(&model, &req.given), Err(CoreError::Scenario(vec![want])));
    }
    // Values inside every domain run.
    let top: Vec<(usize, f64)> = model.uncertain().iter().enumerate().map(|(j, u)| (j, u.dist.support().1)).collect();
    let req = Request { given: vec![top; 4], ..request(1, 0, 4, vec![], None) };
    assert!(run_paths(&model, &req, |_| true).is_ok());
}

// ---------------------------------------------------------------------------
// Overlays of the built-ins.

const BASE: &str = "baseline-2024-12";

/// The baseline as a value, with `edit` applied.
/// The baseline's values (without its `[sources]`) edited by hand.
fn explicit(edit: impl FnOnce(&mut Value)) -> Validated {
    let mut v = Validated::builtin(BASE).expect("the baseline").scenario().to_value();
    v.as_object_mut().expect("a table").remove("sources");
    edit(&mut v);
    Validated::from_value(v).expect("a valid explicit form")
}

/// A scenario's values, without its `[sources]`.
fn values(v: &Validated) -> attrition::scenario::Scenario {
    attrition::scenario::Scenario { sources: Default::default(), ..v.scenario().clone() }
}

/// Whether the `[sources]` key `key` is about the value at `path` or inside it.
fn within(key: &str, path: &str) -> bool {
    key.strip_prefix(path).is_some_and(|r| r.is_empty() || r.starts_with('.') || r.starts_with('['))
}

/// Forget the `[sources]` entries of the value at `path` of a scenario's value.
fn forget(v: &mut Value, path: &str) {
    if let Some(src) = v.get_mut("sources").and_then(Value::as_object_mut) {
        src.retain(|k, _| !within(k, path));
    }
}

#[test]
fn the_builtin_overlays_are_the_baseline_with_their_changes() {
    let cutoff = Validated::builtin("dprk-cutoff-2025-01-20").expect("a built-in");
    let want = explicit(|v| {
        let russia = &mut v["sides"]["russia"];
        for line in ["dprk_152", "dprk_122", "dprk_170"] {
            russia["supply"][line]["end"] = json!("2025-01-20");
        }
        russia["fleets"]["m1989_koksan"]["deliveries"]["end"] = json!("2025-01-20");
        russia["contingents"]["dprk"]["arrivals_end"] = json!("2025-01-20");
        v["name"] = json!("dprk-cutoff-2025-01-20");
        v["description"] = json!(cutoff.scenario().description);
    });
    assert_eq!(values(&cutoff), values(&want));
    assert_eq!(cutoff.extends(), Some(BASE));

    let none = Validated::builtin("no-dprk").expect("a built-in");
    let want = explicit(|v| {
        let russia = v["sides"]["russia"].as_object_mut().expect("a table");
        for (table, key) in [
            ("supply", "dprk_152"),
            ("supply", "dprk_122"),
            ("supply", "dprk_170"),
            ("fleets", "m1989_koksan"),
            ("calibers", "170mm"),
            ("contingents", "dprk"),
        ] {
            russia[table].as_object_mut().expect("a table").remove(key).expect("in the baseline");
        }
        let levers = v["levers"].as_object_mut().expect("a table");
        for lever in ["dprk_supply_end", "dprk_152_rate"] {
            levers.remove(lever).expect("a lever of the baseline");
        }
        v["name"] = json!("no-dprk");
        v["description"] = json!(none.scenario().description);
    });
    assert_eq!(values(&none), values(&want));
    // Both keep the baseline's reference fires: the same yardstick.
    let base = Validated::builtin(BASE).expect("the baseline").scenario().to_value();
    for s in [&cutoff, &none] {
        let v = s.scenario().to_value();
        for side in ["russia", "ukraine"] {
            assert_eq!(v["sides"][side]["ref_fire"], base["sides"][side]["ref_fire"]);
        }
    }
}

#[test]
fn an_unknown_builtin_is_an_unknown_name() {
    match Validated::builtin("no_dprk") {
        Err(CoreError::UnknownName(m)) => {
            assert!(m.starts_with("no built-in scenario named \"no_dprk\" (did you mean `no-dprk`?)"), "{m}");
            assert!(m.ends_with("built-ins: baseline-2024-12, dprk-cutoff-2025-01-20, no-dprk"), "{m}");
        }
        other => panic!("expected an unknown name, got {other:?}"),
    }
}

/// One change an overlay can make to the baseline: its overlay form and its
/// effect on the explicit form.
#[derive(Debug, Clone)]
enum Edit {
    /// Set the value at a dotted path (a table of the baseline, a new key or a new table).
    Set(&'static str, Value),
    /// Remove a table.
    Remove(&'static str),
}

fn edit() -> impl Strategy<Value = Edit> {
    let date = (0i32..600).prop_map(|d| json!(Date(Date::parse("2024-12-24").expect("a date").0 + d).to_string()));
    let pert = (1.0f64..100.0, 0.0f64..1.0, 1.0f64..100.0)
        .prop_map(|(lo, m, w)| json!({"dist": "pert", "low": lo, "mode": lo + m * w, "high": lo + w}));
    prop_oneof![
        date.clone().prop_map(|d| Edit::Set("sides.russia.supply.dprk_152.end", d)),
        date.prop_map(|d| Edit::Set("sides.russia.contingents.dprk.arrivals_end", d)),
        (0.0f64..1000.0).prop_map(|g| Edit::Set("sides.russia.fleets.msta_s.guns", json!(g))),
        pert.clone().prop_map(|p| Edit::Set("sides.ukraine.casualties.base", p)),
        pert.prop_map(|p| Edit::Set("sides.russia.supply.domestic_152.rate", p)),
        (1i64..730).prop_map(|d| Edit::Set("days", json!(d))),
        prop::collection::vec(800_000.0f64..2e6, 0..3)
            .prop_map(|t| Edit::Set("sides.russia.casualties.thresholds", json!(t))),
        Just(Edit::Set("sides.ukraine.supply.west_155.end", json!("2025-06-01"))),
        Just(Edit::Set("sides.ukraine.supply.new_line", json!({"caliber": "155mm", "rate": 100}))),
        Just(Edit::Set("coupling", json!(false))),
        Just(Edit::Set("description", json!("changed"))),
        Just(Edit::Remove("sides.russia.contingents.dprk")),
        Just(Edit::Remove("sides.russia.fleets.m1989_koksan.deliveries")),
        Just(Edit::Remove("sides.russia.territory")),
        Just(Edit::Remove("sides.ukraine.fleets.m777_155")),
    ]
}

fn at<'a>(v: &'a mut Value, parts: &[&str]) -> Option<&'a mut Value> {
    parts.iter().try_fold(v, |v, p| v.get_mut(*p))
}

proptest! {
    #![proptest_config(proptest_config(60))]

    /// An overlay with any set of changes resolves to the baseline with the
    /// same changes made by hand (removals first, then the values, as an
    /// overlay says): the same scenario, or the same errors. Written back as
    /// an overlay and read again, it is the same scenario, still an overlay
    /// of the baseline.
    #[test]
    fn overlays_resolve_to_the_explicit_form(edits in prop::collection::vec(edit(), 0..6)) {
        let mut overlay = json!({"extends": BASE});
        let mut remove = Vec::new();
        let mut full = Validated::builtin(BASE).expect("the baseline").scenario().to_value();
        for e in &edits {
            if let Edit::Remove(path) = e {
                let parts: Vec<&str> = path.split('.').collect();
                let (last, parents) = parts.split_last().expect("a path");
                let gone = at(&mut full, parents).and_then(|t| t.as_object_mut()).and_then(|t| t.remove(*last));
                if gone.is_some() {
                    remove.push(json!(path));
                    forget(&mut full, path);
                }
            }
        }
        for e in &edits {
            if let Edit::Set(path, value) = e {
                let parts: Vec<&str> = path.split('.').collect();
                let (last, parents) = parts.split_last().expect("a path");
                // An overlay that changes a value drops the base's sources of it.
                if at(&mut full, &parts).map(|v| &*v) != Some(value) {
                    forget(&mut full, path);
                }
                for root in [&mut overlay, &mut full] {
                    let mut t = root;
                    for p in parents {
                        t = t.as_object_mut().expect("a table").entry(*p).or_insert_with(|| json!({}));
                    }
                    t[*last] = value.clone();
                }
            }
        }
        overlay["remove"] = json!(remove);
        match (Validated::from_value(overlay.clone()), Validated::from_value(full)) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(&a, &b);
                prop_assert_eq!(a.extends(), Some(BASE));
                let text = a.to_overlay_toml();
                let again = Validated::from_toml_str(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
                prop_assert_eq!(&again, &a);
                prop_assert_eq!(again.extends(), Some(BASE));
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "overlay {:?} vs explicit {:?}\n{:#}", a.err(), b.err(), overlay),
        }
    }
}
