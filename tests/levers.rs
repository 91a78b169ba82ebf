//! Policy levers: their form, their validation (each value must give a valid
//! scenario), the built-in baseline's, and overlays.
mod common;

use attrition::error::CoreError;
use attrition::scenario::Validated;
use attrition::scenario::levers::LeverValue;
use common::toml;
use serde_json::json;

const BASE: &str = r#"
name = "levers"
start = 2025-01-01
days = 60
[sides.a.calibers.152mm]
initial_stock = 1000
[sides.a.supply.ally]
caliber = "152mm"
rate = { dist = "pert", low = 10, mode = 20, high = 40 }
[sides.a.supply.home]
caliber = "152mm"
rate = 5
"#;

fn errors(levers: &str) -> Vec<String> {
    match Validated::from_toml_str(&format!("{BASE}{levers}")) {
        Ok(_) => panic!("accepted:\n{levers}"),
        Err(CoreError::Scenario(msgs)) => msgs,
        Err(e) => panic!("{e:?}"),
    }
}

fn has(msgs: &[String], path: &str, text: &str) {
    assert!(
        msgs.iter().any(|m| m.starts_with(&format!("{path}: ")) && m.contains(text)),
        "expected {path}: ...{text}..., got:\n{}",
        msgs.join("\n")
    );
}

#[test]
fn a_lever_sets_one_or_several_values_from_a_list_or_a_range() {
    let v = toml(&format!(
        "{BASE}{}",
        r#"
[levers.ally_end]
description = "The day the ally stops"
paths = ["sides.a.supply.ally.end", "sides.a.supply.home.end"]
low = 2025-01-15
high = 2025-03-02
[levers.ally_rate]
path = "sides.a.supply.ally.rate"
values = [0, 10, 40.5]
"#
    ));
    let levers = &v.scenario().levers;
    let end = &levers["ally_end"];
    assert_eq!(end.paths(), ["sides.a.supply.ally.end", "sides.a.supply.home.end"]);
    assert_eq!(end.description, "The day the ally stops");
    assert!(matches!(end.low, Some(LeverValue::Date(_))));
    let rate = &levers["ally_rate"];
    assert_eq!(rate.paths(), ["sides.a.supply.ally.rate"]);
    assert_eq!(rate.values, [LeverValue::Number(0.0), LeverValue::Number(10.0), LeverValue::Number(40.5)]);
    // The scenario keeps its own values: a lever says what may be tried.
    let s = v.scenario().to_value();
    assert_eq!(s["sides"]["a"]["supply"]["ally"]["rate"]["dist"], json!("pert"));
    assert!(s["sides"]["a"]["supply"]["ally"].get("end").is_none());
    assert_eq!(s["levers"]["ally_end"]["low"], json!("2025-01-15"));
    // Dates stay dates in TOML, and the text reads back as the same scenario.
    let text = v.to_toml();
    assert!(text.contains("low = 2025-01-15"), "{text}");
    assert_eq!(toml(&text), v);
}

#[test]
fn the_form_of_a_lever_is_checked() {
    let e = errors("[levers.x]\nvalues = [1]");
    has(&e, "levers.x", "missing `path` (or `paths`)");
    let e =
        errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"\npaths = [\"sides.a.supply.home.rate\"]\nvalues = [1]");
    has(&e, "levers.x", "give `path` or `paths`, not both");
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"");
    has(&e, "levers.x", "missing `values` (a list) or `low` and `high` (a range)");
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"\nvalues = [1]\nlow = 0\nhigh = 2");
    has(&e, "levers.x", "give `values` or `low` and `high`, not both");
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"\nlow = 0");
    has(&e, "levers.x.high", "missing: a range needs `low` and `high`");
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"\nlow = 5\nhigh = 5");
    has(&e, "levers.x.high", "must be above `low` (5), got 5");
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.end\"\nlow = 2025-01-01\nhigh = 5");
    has(&e, "levers.x", "`low` is a date but `high` is a number");
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"\nvalues = [1, 2025-01-01]");
    has(&e, "levers.x.values[1]", "is a date, but values[0] is a number");
    let e = errors("[levers.x]\npaths = [\"sides.a.supply.ally.rate\", \"sides.a.supply.ally.rate\"]\nvalues = [1]");
    has(&e, "levers.x.paths[1]", "listed twice");
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"\nvalues = [true]");
    has(&e, "levers.x.values[0]", "a lever value is a number or a date");
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"\nvalues = [1]\nunit = \"shells\"");
    has(&e, "levers.x.unit", "unknown key");
    let e = errors("[levers.\"bad name\"]\npath = \"sides.a.supply.ally.rate\"\nvalues = [1]");
    has(&e, "levers.\"bad name\"", "names must be");
}

#[test]
fn each_value_of_a_lever_must_give_a_valid_scenario() {
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"\nvalues = [0, -5, 3]");
    has(&e, "levers.x.values[1]", "-5 does not give a valid scenario: sides.a.supply.ally.rate: must be >= 0, got -5");
    assert_eq!(e.len(), 1, "{e:?}");
    let e = errors("[levers.x]\npath = \"sides.a.supply.aly.rate\"\nlow = 0\nhigh = 1");
    has(&e, "levers.x.low", "sides.a.supply.aly: no such table in the scenario (did you mean `ally`?)");
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rte\"\nlow = 0\nhigh = 1");
    has(&e, "levers.x.low", "sides.a.supply.ally.rte: unknown key");
    // A date where a number belongs, and a window that would end before it starts.
    let e = errors("[levers.x]\npath = \"sides.a.supply.ally.rate\"\nvalues = [2025-02-01]");
    has(&e, "levers.x.values[0]", "sides.a.supply.ally.rate: expected a number");
    let windowed = BASE.replace("rate = 5\n", "rate = 5\nstart = 2025-01-10\n");
    let msgs = match Validated::from_toml_str(&format!(
        "{windowed}[levers.x]\npath = \"sides.a.supply.home.end\"\nvalues = [2025-01-05, 2025-02-01]"
    )) {
        Err(CoreError::Scenario(m)) => m,
        other => panic!("{other:?}"),
    };
    has(&msgs, "levers.x.values[0]", "sides.a.supply.home.end: the window ends before it starts");
}

#[test]
fn the_baseline_names_its_levers_and_overlays_inherit_add_and_remove_them() {
    let base = Validated::builtin("baseline-2024-12").expect("the baseline");
    let names: Vec<&String> = base.scenario().levers.keys().collect();
    assert_eq!(names, ["dprk_152_rate", "dprk_supply_end", "mobilisation", "msta_s_barrel_production"]);
    assert_eq!(base.scenario().levers["dprk_supply_end"].paths().len(), 3);
    let cutoff = Validated::builtin("dprk-cutoff-2025-01-20").expect("a built-in");
    assert_eq!(cutoff.scenario().levers, base.scenario().levers);
    let none = Validated::builtin("no-dprk").expect("a built-in");
    let kept: Vec<&String> = none.scenario().levers.keys().collect();
    assert_eq!(kept, ["mobilisation", "msta_s_barrel_production"]);

    let overlay = Validated::from_toml_str(
        r#"
extends = "baseline-2024-12"
name = "more-levers"
remove = ["levers.mobilisation"]
[levers.west_155]
path = "sides.ukraine.supply.west_155.rate"
values = [2000, 3700, 7000]
[levers.dprk_152_rate]
high = 20000
"#,
    )
    .expect("an overlay");
    let s = overlay.scenario();
    assert!(s.levers.contains_key("west_155") && !s.levers.contains_key("mobilisation"));
    assert_eq!(s.levers["dprk_152_rate"].high, Some(LeverValue::Number(20000.0)));
    assert_eq!(s.levers["dprk_152_rate"].low, Some(LeverValue::Number(0.0)));
    let back = Validated::from_toml_str(&overlay.to_overlay_toml()).expect("its overlay text");
    assert_eq!(back, overlay);
}
