//! Scenarios through the public API: validation messages that name the
//! parameter's full dotted path and the rule, and the built-in overlays.
mod common;
use common::toml;

use attrition::error::CoreError;
use attrition::scenario::Validated;
use serde_json::json;

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
            "got a string",
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
