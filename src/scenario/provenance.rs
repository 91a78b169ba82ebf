//! Where every input of a scenario comes from: its `[sources]` entry, the
//! grounds its field's default gives (the schema, see `reference`), or
//! nothing (docs/model.md, "Where the numbers come from").
use serde_json::{Map, Value};

use super::fields::{Basis, Field, Kind, Table};
use super::sources::{Target, locate};
use super::{Scenario, Source};

/// Where a value's provenance comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The scenario's `[sources]`.
    Scenario,
    /// The value is the field's default; the field gives its grounds.
    Default,
    /// Nothing says.
    Missing,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Scenario => "scenario",
            Origin::Default => "default",
            Origin::Missing => "missing",
        }
    }
}

/// One input of a scenario and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub path: String,
    /// The value as the scenario holds it; None for an entry of an unset field.
    pub value: Option<Value>,
    pub unit: &'static str,
    pub source: Source,
    pub origin: Origin,
}

impl Row {
    /// Whether it cites a fact or states an assumption.
    pub fn is_grounded(&self) -> bool {
        !self.source.facts.is_empty() || !self.source.assumption.trim().is_empty()
    }
}

fn from_basis(b: &Basis) -> Source {
    Source {
        facts: b.facts.iter().map(|s| s.to_string()).collect(),
        note: b.note.to_string(),
        assumption: b.assumption.to_string(),
    }
}

/// Every input of the scenario (numbers, distributions, dates, switches and
/// each casualty threshold), in the schema's order, with its provenance;
/// then the entries of `[sources]` for fields left unset, and for whole
/// tables.
pub fn provenance(s: &Scenario) -> Vec<Row> {
    let root = s.to_value();
    let schema = super::reference::json_schema();
    let mut rows = Vec::new();
    if let Value::Object(m) = &root {
        walk(m, Table::Scenario, "", &mut |path, v, t, f| {
            let (source, origin) = match s.sources.get(path) {
                Some(src) => (src.clone(), Origin::Scenario),
                None => match f.default.filter(|_| super::reference::default_of(&schema, t, f) == Some(v)) {
                    Some(b) => (from_basis(&b), Origin::Default),
                    None => (Source::default(), Origin::Missing),
                },
            };
            rows.push(Row { path: path.to_string(), value: Some(v.clone()), unit: f.unit, source, origin });
        });
    }
    for (key, src) in &s.sources {
        if rows.iter().any(|r| &r.path == key) {
            continue;
        }
        let (value, unit) = match locate(&root, key) {
            Ok(Target::Value(v, f)) => (Some(v.clone()), f.map_or("", |f| f.unit)),
            Ok(Target::Unset(f)) => (None, f.unit),
            Err(_) => (None, ""),
        };
        rows.push(Row { path: key.clone(), value, unit, source: src.clone(), origin: Origin::Scenario });
    }
    rows
}

/// Call `f(path, value, table, field)` for every input value of the table `m` of kind `t`.
fn walk(m: &Map<String, Value>, t: Table, prefix: &str, f: &mut dyn FnMut(&str, &Value, Table, &'static Field)) {
    let join = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    for field in t.fields() {
        let Some(v) = m.get(field.name) else { continue };
        let path = join(field.name);
        match (field.kind, v) {
            (Kind::Numbers, Value::Array(a)) => {
                for (i, x) in a.iter().enumerate() {
                    f(&format!("{path}[{i}]"), x, t, field);
                }
            }
            (k, _) if k.is_input() => f(&path, v, t, field),
            (Kind::Table(t), Value::Object(sub)) => walk(sub, t, &path, f),
            (Kind::Map(Table::Source), _) => {}
            (Kind::Map(t), Value::Object(items)) => {
                for (name, item) in items {
                    if let Value::Object(sub) = item {
                        walk(sub, t, &format!("{path}.{name}"), f);
                    }
                }
            }
            (Kind::List(t), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Object(sub) = item {
                        walk(sub, t, &format!("{path}[{i}]"), f);
                    }
                }
            }
            _ => {}
        }
    }
}
