//! Where the values of a scenario come from: every value of every built-in
//! cites facts of the sources register or states an assumption; `[sources]`
//! is checked on load, follows overlays and overrides, and survives a round
//! trip through TOML.
mod common;
use common::toml;

use attrition::error::CoreError;
use attrition::scenario::overlay::builtin_names;
use attrition::scenario::sources::{Origin, register};
use attrition::scenario::{Source, Validated};
use serde_json::json;

#[test]
fn every_value_of_every_builtin_cites_facts_or_states_an_assumption() {
    let facts = register();
    for name in builtin_names() {
        let rows = Validated::builtin(name).expect("a built-in").provenance();
        assert!(rows.len() > 100, "{name}: {} inputs", rows.len());
        let bare: Vec<&str> = rows.iter().filter(|r| !r.is_grounded()).map(|r| r.path.as_str()).collect();
        assert!(bare.is_empty(), "{name}: values without facts or an assumption: {bare:?}");
        for r in &rows {
            assert_ne!(r.origin, Origin::Missing, "{name}: {}", r.path);
            for id in &r.source.facts {
                assert!(facts.contains_key(id), "{name}: {} cites {id}", r.path);
            }
        }
        // Numbers, distributions, dates and each threshold are inputs; names are not.
        let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
        for p in ["start", "days", "sides.russia.ref_fire", "sides.russia.casualties.thresholds[0]"] {
            assert!(paths.contains(&p), "{name}: {p}");
        }
        assert!(!paths.iter().any(|p| p.ends_with(".caliber") || p.ends_with(".opponent") || *p == "name"));
    }
}

#[test]
fn the_cutoff_replaces_the_entries_of_what_it_changes() {
    let base = Validated::builtin("baseline-2024-12").unwrap();
    let cut = Validated::builtin("dprk-cutoff-2025-01-20").unwrap();
    let entry = |v: &Validated, p: &str| v.scenario().sources.get(p).cloned();
    let end = "sides.russia.supply.dprk_152.end";
    assert!(entry(&base, end).unwrap().assumption.contains("never stops"));
    assert!(entry(&cut, end).unwrap().assumption.contains("policy lever"));
    assert_eq!(entry(&cut, "sides.russia.supply.dprk_152.rate"), entry(&base, "sides.russia.supply.dprk_152.rate"));
    // no-dprk removes the North Korean tables, and their entries with them.
    let none = Validated::builtin("no-dprk").unwrap();
    assert!(
        none.scenario().sources.keys().all(|k| !k.contains("dprk") && !k.contains("koksan") && !k.contains("170mm"))
    );
}

fn message(r: Result<Validated, CoreError>) -> String {
    match r {
        Err(CoreError::Scenario(m)) => m.join("\n"),
        other => panic!("expected a scenario error, got {other:?}"),
    }
}

const SMALL: &str = r#"
name = "s"
start = 2024-01-01
days = 30
[sides.red.calibers.152mm]
initial_stock = 1000
[sides.red.supply.ally]
caliber = "152mm"
rate = { dist = "uniform", low = 10, high = 20 }
"#;

#[test]
fn entries_must_name_a_value_and_cite_known_facts() {
    let with = |sources: &str| Validated::from_toml_str(&format!("{SMALL}\n[sources]\n{sources}"));
    let ok = with(
        "\"sides.red.supply.ally.rate\" = { facts = [\"ukraine-area\"], note = \"n\" }\n\
         \"sides.red.supply.ally.end\" = { assumption = \"never stops\" }\n\
         \"sides.red.supply.ally\" = { note = \"a line of its own\" }",
    )
    .unwrap();
    assert_eq!(ok.scenario().sources.len(), 3);
    let m = message(with(
        "\"sides.red.supply.ally.rat\" = { assumption = \"x\" }\n\
         \"sides.red.supply.ally.rate\" = { facts = [\"ukraine-aera\"] }\n\
         \"sides.red.supply.ally.rate.low\" = { assumption = \"x\" }\n\
         \"sides.blue.ref_fire\" = { assumption = \"x\" }\n\
         \"days\" = {}",
    ));
    for want in [
        "sources.\"sides.red.supply.ally.rat\": no such value: `sides.red.supply.ally` has no field `rat` (did you mean `rate`?)",
        "sources.\"sides.red.supply.ally.rate\".facts[0]: no fact \"ukraine-aera\" in the sources register (did you mean `ukraine-area`?)",
        "sources.\"sides.red.supply.ally.rate.low\": no such value: `sides.red.supply.ally.rate` is one value",
        "sources.\"sides.blue.ref_fire\": no such value: `sides.blue` is not in the scenario",
        "sources.days: an entry needs facts, an assumption or a note",
    ] {
        assert!(m.contains(want), "{want}\nnot in\n{m}");
    }
    assert!(message(with("\"days\" = { facts = \"x\" }")).contains("sources.days.facts"));
}

#[test]
fn an_override_forgets_the_entries_of_the_value_it_changes() {
    let base = Validated::builtin("baseline-2024-12").unwrap();
    let rate = "sides.russia.supply.dprk_152.rate";
    let same = base.with_values(&[(
        rate.into(),
        base.scenario().to_value()["sides"]["russia"]["supply"]["dprk_152"]["rate"].clone(),
    )]);
    assert!(same.unwrap().scenario().sources.contains_key(rate), "the same value keeps its entry");
    let changed = base.with_values(&[(rate.into(), json!(5000))]).unwrap();
    assert!(!changed.scenario().sources.contains_key(rate));
    let row = changed.provenance().into_iter().find(|r| r.path == rate).unwrap();
    assert_eq!((row.origin, row.value), (Origin::Missing, Some(json!(5000.0))));
    // A whole table replaced: every entry inside it goes.
    let line = json!({"caliber": "152mm", "rate": 1});
    let dropped = base.with_values(&[("sides.russia.supply.dprk_152".into(), line)]).unwrap();
    assert!(dropped.scenario().sources.keys().all(|k| !k.starts_with("sides.russia.supply.dprk_152.")));
}

#[test]
fn an_overlay_keeps_the_base_entries_of_what_it_leaves_and_adds_its_own() {
    let v = toml(
        r#"
extends = "baseline-2024-12"
remove = ["sides.russia.contingents.dprk"]
name = "mine"
[sides.russia.supply.dprk_152]
end = 2025-06-01
rate = { dist = "pert", low = 4600, mode = 6570, high = 13140 }
[sources]
"sides.russia.supply.dprk_152.end" = { assumption = "a later cut" }
"#,
    );
    let s = &v.scenario().sources;
    assert_eq!(s["sides.russia.supply.dprk_152.end"], Source { assumption: "a later cut".into(), ..Source::default() });
    // restating the base's own value keeps its entry
    assert!(s["sides.russia.supply.dprk_152.rate"].facts.contains(&"nk-shells-annual-2024".to_string()));
    assert!(s.keys().all(|k| !k.starts_with("sides.russia.contingents.dprk")));
    // written back as an overlay, and read again: the same scenario, the same sources
    let text = v.to_overlay_toml();
    assert!(text.contains("\"sides.russia.supply.dprk_152.end\" = { assumption = \"a later cut\" }"), "{text}");
    assert!(!text.contains("nk-shells-annual-2024"), "the base's entries are not repeated:\n{text}");
    let back = Validated::from_toml_str(&text).unwrap();
    assert_eq!(back.scenario(), v.scenario());
    // an override of an overlay: the entry of the changed value goes, and stays gone when read back
    let changed = v.with_values(&[("sides.russia.supply.dprk_152.end".into(), json!("2025-09-01"))]).unwrap();
    let back = Validated::from_toml_str(&changed.to_overlay_toml()).unwrap();
    assert_eq!(back.scenario(), changed.scenario());
    assert!(!back.scenario().sources.contains_key("sides.russia.supply.dprk_152.end"));
}

#[test]
fn builtins_read_back_from_their_text() {
    for name in builtin_names() {
        let v = Validated::builtin(name).unwrap();
        for text in [v.to_toml(), v.to_overlay_toml()] {
            let back = Validated::from_toml_str(&text).unwrap();
            assert_eq!(back.scenario(), v.scenario(), "{name}");
        }
        assert!(v.to_toml().contains("\n[sources]\n"));
    }
}
