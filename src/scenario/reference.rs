//! The JSON Schema of the scenario format, for editors and for the generated
//! reference (`docs/reference/scenario.md`).
//!
//! Built from one source: the structure, the meanings (the doc comments) and
//! the defaults (the serde defaults) of [`super::schema`], through
//! `schemars`; the units, the allowed ranges (the [`Domain`] validation
//! uses) and the grounds of the defaults from [`super::fields`]; the fact
//! ids from the sources register; the built-ins' names for `extends`. It
//! is built on each call (the core keeps no global state).
//!
//! Beside the standard keywords, each field carries `x-kind` (what it holds,
//! in words), `x-unit`, `x-allowed`
//! (the rule as validation states it) and, where the default has grounds,
//! `x-default-basis` (`facts`, `assumption`, `note`); each table's
//! definition carries `x-table`, where it sits in a file. A text with
//! `extends` is checked as an overlay: the same tables, nothing required.
//! `x-order` lists a table's fields in the schema's order (JSON objects have
//! none).
use serde_json::{Map, Value, json};

use super::fields::{Domain, Field, Kind, TABLES, Table};
use super::{Scenario, overlay, sources};

/// The pattern of an element's name (a side, a caliber, a fleet, ...).
const NAME_PATTERN: &str = "^[A-Za-z0-9_-]{1,64}$";

/// A doc comment as text: its lines joined, paragraphs kept.
fn paragraphs(doc: &str) -> String {
    doc.split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\n\n")
}

/// Where an overlay's copy of a table's definition lives.
fn overlay_def(t: Table) -> String {
    format!("Overlay{}", t.type_name())
}

fn reference(def: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{def}") })
}

/// The bounds of a domain as JSON Schema keywords on a number.
fn bounds(d: Domain, into: &mut Map<String, Value>) {
    if d == Domain::Exponent {
        into.insert("enum".into(), json!([1, 2, 3]));
        return;
    }
    let (lower, upper) = d.bounds();
    if let Some((b, inc)) = lower {
        into.insert((if inc { "minimum" } else { "exclusiveMinimum" }).into(), json!(b));
    }
    if let Some((b, inc)) = upper {
        into.insert((if inc { "maximum" } else { "exclusiveMaximum" }).into(), json!(b));
    }
}

/// What a field holds, in words.
fn kind_text(k: Kind) -> String {
    match k {
        Kind::Param => "number or distribution".into(),
        Kind::Number => "number".into(),
        Kind::Numbers => "list of numbers".into(),
        Kind::Date => "date".into(),
        Kind::Bool => "true or false".into(),
        Kind::Text => "text".into(),
        Kind::Name => "name".into(),
        Kind::FactIds => "list of fact ids".into(),
        Kind::Table(t) => format!("table {}", t.type_name()),
        Kind::Map(Table::Source) => "tables Source by dotted path".into(),
        Kind::Map(t) => format!("tables {} by name", t.type_name()),
        Kind::List(t) => format!("list of tables {}", t.type_name()),
    }
}

/// The schema of a value of `f`, with `doc` (what schemars made of the field:
/// its description and default) kept.
fn field_schema(f: &Field, doc: Option<&Value>, overlay: bool) -> Value {
    let tables = |t: Table| if overlay { overlay_def(t) } else { t.type_name().to_string() };
    let number = |d: Option<Domain>, integer: bool| {
        let mut m = Map::new();
        m.insert("type".into(), json!(if integer { "integer" } else { "number" }));
        if let Some(d) = d {
            bounds(d, &mut m);
        }
        Value::Object(m)
    };
    let mut out = match f.kind {
        Kind::Param => json!({ "anyOf": [number(f.domain, false), reference("Distribution")] }),
        Kind::Number => number(f.domain, matches!(f.domain, Some(Domain::Horizon | Domain::Exponent))),
        Kind::Numbers => json!({ "type": "array", "items": number(f.domain, false) }),
        Kind::Date => reference("Date"),
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::Text => json!({ "type": "string" }),
        Kind::Name => json!({ "type": "string", "pattern": NAME_PATTERN }),
        Kind::FactIds => {
            let ids = sources::fact_ids();
            json!({ "type": "array", "items": { "enum": ids } })
        }
        Kind::Table(t) => reference(&tables(t)),
        Kind::Map(Table::Source) => json!({ "type": "object", "additionalProperties": reference("Source") }),
        Kind::Map(t) => json!({
            "type": "object",
            "propertyNames": { "pattern": NAME_PATTERN },
            "additionalProperties": reference(&tables(t)),
        }),
        Kind::List(t) => json!({ "type": "array", "items": reference(&tables(t)) }),
    };
    let Value::Object(m) = &mut out else { return out };
    if let Some(Value::Object(doc)) = doc {
        if let Some(d) = doc.get("description").and_then(Value::as_str) {
            m.insert("description".into(), json!(paragraphs(d)));
        }
        if let Some(v) = doc.get("default") {
            m.insert("default".into(), v.clone());
        }
    }
    m.insert("x-kind".into(), json!(kind_text(f.kind)));
    if !f.unit.is_empty() {
        m.insert("x-unit".into(), json!(f.unit));
    }
    if let Some(d) = f.domain {
        m.insert("x-allowed".into(), json!(d.rule()));
    }
    if let Some(b) = f.default {
        m.insert("x-default-basis".into(), json!({"facts": b.facts, "assumption": b.assumption, "note": b.note}));
    }
    out
}

/// A table's definition: schemars' object, each field's schema rebuilt from
/// its kind; without `required` in an overlay.
fn table_schema(t: Table, generated: &Map<String, Value>, overlay: bool) -> Value {
    let props = generated.get("properties").and_then(Value::as_object);
    let mut properties = Map::new();
    for f in t.fields() {
        properties.insert(f.name.into(), field_schema(f, props.and_then(|p| p.get(f.name)), overlay));
    }
    let mut m = Map::new();
    m.insert("type".into(), json!("object"));
    if let Some(d) = generated.get("description").and_then(Value::as_str) {
        m.insert("description".into(), json!(paragraphs(d)));
    }
    m.insert("x-table".into(), json!(t.location()));
    m.insert("x-order".into(), json!(t.fields().iter().map(|f| f.name).collect::<Vec<_>>()));
    m.insert("properties".into(), Value::Object(properties));
    if let (Some(r), false) = (generated.get("required"), overlay) {
        m.insert("required".into(), r.clone());
    }
    m.insert("additionalProperties".into(), json!(false));
    Value::Object(m)
}

/// Build the JSON Schema (draft 2020-12) of a scenario text.
fn build() -> Value {
    let root = schemars::SchemaGenerator::default().into_root_schema_for::<Scenario>().to_value();
    let empty = Map::new();
    let mut defs = root.get("$defs").and_then(Value::as_object).cloned().unwrap_or_default();
    let generated = |t: Table| -> Map<String, Value> {
        let v = if t == Table::Scenario { Some(&root) } else { defs.get(t.type_name()) };
        v.and_then(Value::as_object).cloned().unwrap_or_else(|| empty.clone())
    };
    let mut out = Map::new();
    for t in TABLES {
        let g = generated(t);
        out.insert(t.type_name().into(), table_schema(t, &g, false));
        if t != Table::Source {
            out.insert(overlay_def(t), table_schema(t, &g, true));
        }
    }
    // The overlay's own keys.
    if let Some(Value::Object(props)) = out.get_mut(&overlay_def(Table::Scenario)).and_then(|s| s.get_mut("properties"))
    {
        let names: Vec<&str> = overlay::builtin_names().collect();
        props.insert(
            "extends".into(),
            json!({"description": "The built-in scenario this one overlays: the file says only what differs.",
                   "enum": names}),
        );
        props.insert(
            "remove".into(),
            json!({"description": "Dotted paths of tables of the built-in to delete.",
                   "type": "array", "items": {"type": "string"}}),
        );
    }
    for keep in ["Distribution", "Date"] {
        if let Some(d) = defs.remove(keep) {
            out.insert(keep.into(), d);
        }
    }
    let description = root.get("description").cloned().unwrap_or(Value::Null);
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://attrition.invalid/scenario.schema.json",
        "title": "attrition scenario",
        "description": description,
        "if": { "required": ["extends"] },
        "then": reference(&overlay_def(Table::Scenario)),
        "else": reference(Table::Scenario.type_name()),
        "$defs": out,
    })
}

/// The JSON Schema of a scenario (built on each call).
pub fn json_schema() -> Value {
    build()
}

/// The default of a field of the table `t`, as a scenario's value would hold
/// it, from the `schema` of [`json_schema`] (None for a field without one).
pub(crate) fn default_of<'a>(schema: &'a Value, t: Table, f: &Field) -> Option<&'a Value> {
    schema["$defs"][t.type_name()]["properties"][f.name].get("default")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::fields::field;

    #[test]
    fn the_field_table_and_the_schema_name_the_same_fields() {
        let root = schemars::SchemaGenerator::default().into_root_schema_for::<Scenario>().to_value();
        for t in TABLES {
            let def = if t == Table::Scenario { &root } else { &root["$defs"][t.type_name()] };
            let mut generated: Vec<&str> = def["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{}", t.type_name()))
                .keys()
                .map(String::as_str)
                .collect();
            let mut listed: Vec<&str> = t.fields().iter().map(|f| f.name).collect();
            generated.sort_unstable();
            listed.sort_unstable();
            assert_eq!(generated, listed, "{t:?}");
            // Every field means something, and has a default exactly when the schema gives one.
            for f in t.fields() {
                let p = &def["properties"][f.name];
                assert!(p["description"].as_str().is_some_and(|d| !d.is_empty()), "{t:?}.{}", f.name);
                let required = def["required"].as_array().is_some_and(|r| r.iter().any(|x| x == f.name));
                if f.default.is_some() {
                    assert!(p.get("default").is_some() && !required, "{t:?}.{}", f.name);
                }
                if p.get("default").is_some() && f.kind.is_input() {
                    assert!(f.default.is_some(), "{t:?}.{}: a default without grounds", f.name);
                }
            }
        }
    }

    #[test]
    fn defaults_and_domains_reach_the_schema() {
        let s = json_schema();
        let fleet = &s["$defs"]["Fleet"]["properties"];
        assert_eq!(fleet["barrel_shape"]["default"], json!(3.0));
        assert_eq!(fleet["barrel_shape"]["anyOf"][0]["minimum"], json!(1.0));
        assert_eq!(fleet["combat_loss"]["anyOf"][0]["maximum"], json!(1.0));
        assert_eq!(fleet["accuracy_exponent"]["enum"], json!([1, 2, 3]));
        assert_eq!(fleet["barrel_life"]["x-unit"], json!("EFC"));
        assert!(s["$defs"]["OverlayFleet"].get("required").is_none());
        assert_eq!(
            s["$defs"]["Territory"]["properties"]["reference_area_km2"]["x-default-basis"]["facts"][0],
            "ukraine-area"
        );
        assert_eq!(default_of(&s, Table::Fleet, field!(Fleet, "threshold")), Some(&json!(0.5)));
        assert_eq!(default_of(&s, Table::Fleet, field!(Fleet, "guns")), None);
        assert_eq!(default_of(&s, Table::Scenario, field!(Scenario, "coupling")), Some(&json!(true)));
        let ids = sources::fact_ids();
        for f in TABLES.iter().flat_map(|t| t.fields()) {
            for id in f.default.iter().flat_map(|b| b.facts) {
                assert!(ids.contains(id), "{}: {id}", f.name);
            }
        }
    }
}
