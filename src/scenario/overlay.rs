//! Built-in scenarios, and scenarios written as overlays of one.
//!
//! The built-ins are the TOML files of `python/attrition/scenarios/`,
//! compiled into the crate ([`BUILTINS`]), so that the Rust tests, the fuzz
//! target and Python all read the same texts.
//!
//! # Overlays
//!
//! A scenario (a TOML text or a dict) with a top-level `extends` key is an
//! overlay of a built-in: it says only what differs from it.
//!
//! ```toml
//! extends = "baseline-2024-12"        # a built-in's name (never a file path)
//! remove = ["sides.russia.contingents.dprk"]   # tables deleted from the base
//! name = "no-dprk-soldiers"
//!
//! [sides.russia.supply.dprk_152]
//! end = 2025-01-20                    # one key set; the line's other keys stay
//! ```
//!
//! - `extends` names a built-in; a built-in may itself extend another
//!   (chains of up to 8 built-ins, without cycles).
//! - `remove` lists the dotted paths of tables to delete from the base; each
//!   must be there (a `ScenarioError` naming `remove[i]` otherwise).
//! - Everything else is merged onto the base, after the removals: a table
//!   merges key by key, but a distribution table (one with a `dist` key) and
//!   an array replace the base's value whole, as does any other value.
//!   `name` and `description` are set like any other key (the base's stay
//!   when the overlay leaves them out).
//!
//! The result is validated as a whole; it remembers the built-in it extends
//! ([`super::Validated::extends`]), and [`super::Validated::to_overlay_toml`]
//! writes it back as an overlay of that built-in.
use serde_json::{Map, Value};

use super::{parse, sources};
use crate::error::{CoreError, did_you_mean};

/// The built-in scenarios: (name, TOML text).
pub const BUILTINS: [(&str, &str); 3] = [
    ("baseline-2024-12", include_str!("../../python/attrition/scenarios/baseline-2024-12.toml")),
    ("dprk-cutoff-2025-01-20", include_str!("../../python/attrition/scenarios/dprk-cutoff-2025-01-20.toml")),
    ("no-dprk", include_str!("../../python/attrition/scenarios/no-dprk.toml")),
];

/// Most built-ins one chain of `extends` may pass through.
pub(crate) const MAX_CHAIN: usize = 8;

/// The built-ins' names.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().map(|(name, _)| *name)
}

/// A built-in's TOML text.
pub(crate) fn builtin_text(name: &str) -> Option<&'static str> {
    BUILTINS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// "no built-in scenario named ..." with the closest names and the list.
pub(crate) fn unknown_builtin(name: &str) -> String {
    let names: Vec<&str> = builtin_names().collect();
    format!(
        "no built-in scenario named {name:?}{}; built-ins: {}",
        did_you_mean(name, names.iter().copied()),
        names.join(", ")
    )
}

/// Resolve a scenario value's `extends` and `remove` against the built-ins:
/// the full value, and the built-in it extends.
pub(crate) fn resolve(value: Value) -> Result<(Value, Option<String>), CoreError> {
    resolve_with(value, &builtin_text, &mut Vec::new())
}

/// [`resolve`] with the built-ins given by `lookup`; `chain` holds the
/// built-ins being resolved, outermost first.
fn resolve_with(
    value: Value,
    lookup: &dyn Fn(&str) -> Option<&'static str>,
    chain: &mut Vec<String>,
) -> Result<(Value, Option<String>), CoreError> {
    let Value::Object(mut overlay) = value else { return Ok((value, None)) };
    let remove = overlay.remove("remove");
    let Some(extends) = overlay.remove("extends") else {
        return match remove {
            Some(_) => Err(CoreError::scenario("remove", "only an overlay (a scenario with `extends`) removes tables")),
            None => Ok((Value::Object(overlay), None)),
        };
    };
    let Value::String(name) = extends else {
        return Err(CoreError::scenario(
            "extends",
            format!("must be the name of a built-in scenario (a string), got {}", super::dist::type_name(&extends)),
        ));
    };
    if chain.contains(&name) {
        let cycle: Vec<&str> = chain.iter().map(String::as_str).chain([name.as_str()]).collect();
        return Err(CoreError::scenario("extends", format!("the built-ins extend each other: {}", cycle.join(" -> "))));
    }
    if chain.len() >= MAX_CHAIN {
        return Err(CoreError::scenario("extends", format!("a chain of more than {MAX_CHAIN} built-ins")));
    }
    let text = lookup(&name).ok_or_else(|| CoreError::scenario("extends", unknown_builtin(&name)))?;
    chain.push(name.clone());
    let base = parse::toml_text_to_value(text).and_then(|v| resolve_with(v, lookup, chain));
    chain.pop();
    let (mut base, _) = base.map_err(|e| in_builtin(&name, e))?;
    let mut stale = Vec::new();
    if let Some(remove) = remove {
        remove_tables(&mut base, remove.clone(), &name)?;
        stale.extend(remove.as_array().into_iter().flatten().filter_map(Value::as_str).map(String::from));
    }
    let own_sources = overlay.remove("sources");
    let mut set = Vec::new();
    sources::set_paths(&overlay, "", &mut set);
    stale.extend(set.into_iter().filter(|p| parse::get_path(&base, p) != parse::get_in(&overlay, p)));
    if let Value::Object(b) = &mut base {
        merge(b, overlay);
        merge_sources(b, &stale, own_sources);
    }
    Ok((base, Some(name)))
}

/// The base's `[sources]` after an overlay: without the entries of what the
/// overlay removes or changes (`stale`), with the overlay's own entries,
/// each replacing the base's whole.
fn merge_sources(base: &mut Map<String, Value>, stale: &[String], own: Option<Value>) {
    if let Some(Value::Object(src)) = base.get_mut("sources") {
        for path in stale {
            sources::forget(src, path);
        }
    }
    match own {
        Some(Value::Object(own)) => {
            let src = base.entry("sources").or_insert_with(|| Value::Object(Map::new()));
            match src {
                Value::Object(src) => src.extend(own),
                other => *other = Value::Object(own),
            }
        }
        // Not a table: the schema says so, with the path.
        Some(other) => {
            base.insert("sources".into(), other);
        }
        None => {}
    }
}

/// An error in a built-in's own text, said to be there.
fn in_builtin(name: &str, e: CoreError) -> CoreError {
    match e {
        CoreError::Scenario(msgs) => {
            CoreError::Scenario(msgs.into_iter().map(|m| format!("built-in {name}: {m}")).collect())
        }
        other => other,
    }
}

/// Delete each table `remove` lists from `base` (the built-in `name`).
fn remove_tables(base: &mut Value, remove: Value, name: &str) -> Result<(), CoreError> {
    let Value::Array(paths) = remove else {
        return Err(CoreError::scenario(
            "remove",
            format!("must be a list of dotted paths of tables, got {}", super::dist::type_name(&remove)),
        ));
    };
    let mut errors = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        let at = format!("remove[{i}]");
        let Value::String(path) = path else {
            errors.push(crate::error::at(
                &at,
                format!("must be a dotted path (a string), got {}", super::dist::type_name(path)),
            ));
            continue;
        };
        if let Err(msg) = remove_table(base, path, name) {
            errors.push(crate::error::at(&at, msg));
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(CoreError::Scenario(errors)) }
}

fn remove_table(base: &mut Value, path: &str, name: &str) -> Result<(), String> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("{path:?} is not a dotted path (names joined by '.')"));
    }
    let (last, parents) = parts.split_last().ok_or_else(|| format!("{path:?} is not a dotted path"))?;
    let mut cur = base;
    for (i, part) in parents.iter().enumerate() {
        let Value::Object(m) = cur else { return Err(format!("`{}` is not a table of {name}", parts[..i].join("."))) };
        if !m.contains_key(*part) {
            return Err(no_table(path, &parts[..=i], m, name));
        }
        cur = &mut m[*part];
    }
    match cur {
        Value::Object(m) => match m.get(*last) {
            Some(Value::Object(t)) if !parse::is_value(t) => {
                m.remove(*last);
                Ok(())
            }
            Some(_) => Err(format!("`{path}` is a value, not a table, of {name}: set the value instead")),
            None => Err(no_table(path, &parts, m, name)),
        },
        _ => Err(format!("`{}` is not a table of {name}", parents.join("."))),
    }
}

/// "no table `a.b.c` in name (did you mean ...)", for the first missing part.
fn no_table(path: &str, upto: &[&str], m: &Map<String, Value>, name: &str) -> String {
    let missing = upto.last().copied().unwrap_or_default();
    let hint = did_you_mean(missing, m.keys().map(String::as_str));
    format!("no table `{path}` in {name}: `{}` has no `{missing}`{hint}", upto[..upto.len() - 1].join("."))
}

/// Merge `overlay` onto `base`: tables key by key, anything else (a value, a
/// distribution table, an array) replacing the base's whole.
fn merge(base: &mut Map<String, Value>, overlay: Map<String, Value>) {
    for (k, v) in overlay {
        match (base.get_mut(&k), v) {
            (Some(Value::Object(b)), Value::Object(o)) if !parse::is_value(b) && !parse::is_value(&o) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// The default of a key the schema leaves out of a scenario's value, at the
/// top level, when it holds its default.
fn top_default(key: &str) -> Option<Value> {
    match key {
        "description" => Some(Value::from("")),
        "coupling" => Some(Value::from(true)),
        "max_fire_ratio" => Some(Value::from(super::schema::MAX_FIRE_RATIO_DEFAULT)),
        _ => None,
    }
}

/// What an overlay of `base` must say to give `full` (both full scenario
/// values, as [`super::Scenario::to_value`] writes them): the tables to
/// remove, and the values to merge. None when an overlay cannot say it
/// (a value at the top level that the schema cannot leave out).
pub(crate) fn overlay_of(full: &Value, base: &Value) -> Option<(Vec<String>, Map<String, Value>)> {
    let (Value::Object(full), Value::Object(base)) = (full, base) else { return None };
    let (mut full, mut base) = (full.clone(), base.clone());
    let table = |v: Option<Value>| match v {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let (full_sources, mut kept) = (table(full.remove("sources")), table(base.remove("sources")));
    let mut remove = Vec::new();
    let mut set = diff(&full, &base, "", &mut remove).ok()?;
    for (k, _) in base.iter().filter(|(k, _)| !full.contains_key(*k)) {
        set.insert(k.clone(), top_default(k)?);
    }
    // The base's entries the overlay keeps (as resolving it will), then what
    // the scenario says beyond them; an entry it dropped cannot be said.
    let mut changed = Vec::new();
    sources::set_paths(&set, "", &mut changed);
    for path in remove.iter().chain(&changed) {
        sources::forget(&mut kept, path);
    }
    if kept.keys().any(|k| !full_sources.contains_key(k)) {
        return None;
    }
    let own: Map<String, Value> = full_sources.into_iter().filter(|(k, v)| kept.get(k) != Some(v)).collect();
    if !own.is_empty() {
        set.insert("sources".into(), Value::Object(own));
    }
    Some((remove, set))
}

/// The keys of `full` that differ from `base` (tables at `path`), and the
/// tables to remove; Err when `base` has a value `full` lacks, which only
/// replacing the whole table can undo.
fn diff(
    full: &Map<String, Value>,
    base: &Map<String, Value>,
    path: &str,
    remove: &mut Vec<String>,
) -> Result<Map<String, Value>, ()> {
    let here = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    let mut set = Map::new();
    for (k, b) in base {
        if full.contains_key(k) {
            continue;
        }
        match b {
            Value::Object(t) if !parse::is_value(t) => remove.push(here(k)),
            Value::Array(_) => {
                set.insert(k.clone(), Value::Array(Vec::new()));
            }
            _ if path.is_empty() => {} // the caller's top-level defaults
            _ => return Err(()),
        }
    }
    for (k, f) in full {
        match (f, base.get(k)) {
            (f, Some(b)) if f == b => {}
            (Value::Object(ft), Some(Value::Object(bt))) if !parse::is_value(ft) && !parse::is_value(bt) => {
                let mut inner = Vec::new();
                match diff(ft, bt, &here(k), &mut inner) {
                    Ok(d) => {
                        remove.extend(inner);
                        if !d.is_empty() {
                            set.insert(k.clone(), Value::Object(d));
                        }
                    }
                    Err(()) => {
                        remove.push(here(k));
                        set.insert(k.clone(), f.clone());
                    }
                }
            }
            (f, _) => {
                set.insert(k.clone(), f.clone());
            }
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn texts(name: &str) -> Option<&'static str> {
        match name {
            "a" => Some("name = \"a\"\nstart = 2024-01-01\n[sides.x.calibers.c]\ninitial_stock = 1\n"),
            "b" => Some("extends = \"a\"\nname = \"b\"\n[sides.x.calibers.c]\nreserve = 5\n"),
            "loop1" => Some("extends = \"loop2\"\n"),
            "loop2" => Some("extends = \"loop1\"\n"),
            "t" => Some(
                "name = \"a\"\ndescription = \"d\"\ncoupling = false\n[sides.x]\nopponent = \"y\"\ntempo = [1, 2]\n\
                 [sides.x.fleets.f]\nguns = 3\nend = 2024-01-01\n[sides.x.fleets.g]\nguns = 1\n[sides.x.territory]\nrate = 1\n",
            ),
            _ => None,
        }
    }

    fn resolved(v: Value) -> Result<(Value, Option<String>), CoreError> {
        resolve_with(v, &texts, &mut Vec::new())
    }

    fn message(r: Result<(Value, Option<String>), CoreError>) -> String {
        match r {
            Err(CoreError::Scenario(m)) => m.join("\n"),
            other => panic!("expected a scenario error, got {other:?}"),
        }
    }

    #[test]
    fn chains_merge_outermost_last() {
        let (v, ext) = resolved(json!({"extends": "b", "days": 9})).unwrap();
        assert_eq!(ext.as_deref(), Some("b"));
        assert_eq!(v["name"], "b");
        assert_eq!(v["days"], 9);
        assert_eq!(v["sides"]["x"]["calibers"]["c"], json!({"initial_stock": 1, "reserve": 5}));
    }

    #[test]
    fn overlay_errors_name_the_key() {
        assert!(message(resolved(json!({"extends": "loop1"}))).contains("loop1 -> loop2 -> loop1"));
        assert!(message(resolved(json!({"extends": 3}))).starts_with("extends: must be the name"));
        assert!(message(resolved(json!({"extends": "../a.toml"}))).starts_with("extends: no built-in scenario named"));
        assert!(message(resolved(json!({"remove": ["sides.x"]}))).starts_with("remove: only an overlay"));
        let m = message(resolved(
            json!({"extends": "a", "remove": ["sides.x.calibres.c", 4, "sides.x.calibers.c.initial_stock"]}),
        ));
        assert!(
            m.contains(
                "remove[0]: no table `sides.x.calibres.c` in a: `sides.x` has no `calibres` (did you mean `calibers`?)"
            ),
            "{m}"
        );
        assert!(m.contains("remove[1]: must be a dotted path"), "{m}");
        assert!(m.contains("remove[2]: `sides.x.calibers.c.initial_stock` is a value, not a table"), "{m}");
    }

    #[test]
    fn distributions_and_arrays_replace_whole() {
        let mut base =
            json!({"p": {"dist": "pert", "low": 1, "mode": 2, "high": 3}, "a": [1, 2], "t": {"x": 1, "y": 2}});
        let overlay = json!({"p": {"dist": "uniform", "low": 0, "high": 1}, "a": [3], "t": {"y": 5}});
        let (Value::Object(b), Value::Object(o)) = (&mut base, overlay) else { unreachable!() };
        merge(b, o);
        assert_eq!(base, json!({"p": {"dist": "uniform", "low": 0, "high": 1}, "a": [3], "t": {"x": 1, "y": 5}}));
    }

    #[test]
    fn an_overlay_of_a_diff_gives_back_the_scenario() {
        let (base, _) = resolved(json!({"extends": "t"})).unwrap();
        let full = json!({"name": "b", "sides": {
            "x": {"opponent": "y", "fleets": {"f": {"guns": 3}, "h": {"guns": 2}}, "extra": {"dist": "pert"}}}});
        let (remove, set) = overlay_of(&full, &base).unwrap();
        // g and the territory are gone; f lost a value, so it is replaced whole.
        assert_eq!(remove, ["sides.x.territory", "sides.x.fleets.g", "sides.x.fleets.f"]);
        let mut overlay = set.clone();
        overlay.insert("extends".into(), json!("t"));
        overlay.insert("remove".into(), json!(remove));
        let (back, ext) = resolved(Value::Object(overlay)).unwrap();
        assert_eq!(ext.as_deref(), Some("t"));
        // What the schema reads as the same: the defaults of the top level, an empty list.
        let mut want = full.clone();
        want["description"] = json!("");
        want["coupling"] = json!(true);
        want["sides"]["x"]["tempo"] = json!([]);
        assert_eq!(back, want);
        let text = crate::scenario::write::scenario_toml(
            &Value::Object(set),
            &crate::scenario::write::overlay_head("t", &remove),
        );
        assert!(text.starts_with("extends = \"t\"  # a built-in scenario"), "{text}");
        assert!(text.contains("\nremove = [\n    \"sides.x.territory\",\n"), "{text}");
        let (again, _) = resolved(parse::toml_text_to_value(&text).unwrap()).unwrap();
        assert_eq!(again, want);
    }
}
