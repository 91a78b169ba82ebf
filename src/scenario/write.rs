//! Scenarios written as TOML people can read: fields in the schema's order,
//! a distribution on one line (`{ dist = "pert", low = 1, mode = 2, high =
//! 3 }`), whole numbers without a decimal point, each value's unit as a
//! comment (`rate = 8000  # shells/day`), and `[sources]` last, one entry a
//! line. Reading the text back gives the same scenario.
use serde_json::{Map, Value};

use super::dist::FAMILIES;
use super::fields::{Kind, Table};

/// A key as TOML writes it: bare when it can be, quoted otherwise.
fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else {
        toml::Value::String(k.to_string()).to_string()
    }
}

fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    let x = n.as_f64().unwrap_or(f64::NAN);
    if x == x.trunc() && x.abs() < 1e15 {
        // Whole: written as an integer, which reads back as the same number.
        format!("{}", x as i64)
    } else if x != 0.0 && (x.abs() >= 1e15 || x.abs() < 1e-4) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A value on one line; `date` for the string of a date field.
fn inline(v: &Value, date: bool) -> String {
    match v {
        Value::Null => "\"\"".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number(n),
        Value::String(s) if date && super::Date::parse(s).is_ok() => s.clone(),
        Value::String(s) => toml::Value::String(s.clone()).to_string(),
        Value::Array(a) => format!("[{}]", a.iter().map(|x| inline(x, false)).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => {
            // A distribution's keys in the order its family lists them; any other table as it is.
            let family = m.get("dist").and_then(Value::as_str).and_then(|d| FAMILIES.iter().find(|f| f.name == d));
            let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
            if let Some(f) = family {
                let order = |k: &str| {
                    std::iter::once("dist")
                        .chain(f.required.iter().copied())
                        .chain(f.optional.iter().copied())
                        .position(|x| x == k)
                };
                keys.sort_by_key(|k| order(k).unwrap_or(usize::MAX));
            }
            let items: Vec<String> = keys.iter().map(|k| format!("{} = {}", key(k), inline(&m[*k], false))).collect();
            if items.is_empty() { "{}".to_string() } else { format!("{{ {} }}", items.join(", ")) }
        }
    }
}

/// `key = value  # unit`.
fn line(k: &str, v: &Value, kind: Option<Kind>, unit: &str) -> String {
    let text = format!("{} = {}", key(k), inline(v, kind == Some(Kind::Date)));
    if unit.is_empty() || unit == "-" { text } else { format!("{text}  # {unit}") }
}

fn join(path: &str, k: &str) -> String {
    if path.is_empty() { key(k) } else { format!("{path}.{}", key(k)) }
}

/// Write the table `m` (of kind `t`, at the TOML path `path`): its own values
/// under its header, then its tables.
fn table(out: &mut String, m: &Map<String, Value>, t: Table, path: &str, header: &str) {
    let mut lines = Vec::new();
    for (k, v) in ordered(m, t) {
        let field = t.field(k);
        match (field.map(|f| f.kind), v) {
            (Some(Kind::Table(_) | Kind::Map(_)), Value::Object(_)) => {}
            (Some(Kind::List(_)), Value::Array(a)) if !a.is_empty() => {}
            (kind, v) => lines.push(line(k, v, kind, field.map_or("", |f| f.unit))),
        }
    }
    if !path.is_empty() && (!lines.is_empty() || m.is_empty()) {
        out.push_str(&format!("\n{header}\n"));
    }
    for l in lines {
        out.push_str(&l);
        out.push('\n');
    }
    for (k, v) in ordered(m, t) {
        let here = join(path, k);
        match (t.field(k).map(|f| f.kind), v) {
            (Some(Kind::Map(Table::Source)), Value::Object(entries)) if !entries.is_empty() => {
                out.push_str(&format!("\n[{here}]\n"));
                for (path, entry) in entries {
                    let text = match entry {
                        Value::Object(e) => {
                            let items: Vec<String> = ordered(e, Table::Source)
                                .into_iter()
                                .map(|(k, v)| format!("{} = {}", key(k), inline(v, false)))
                                .collect();
                            format!("{{ {} }}", items.join(", "))
                        }
                        other => inline(other, false),
                    };
                    out.push_str(&format!("{} = {text}\n", key(path)));
                }
            }
            (Some(Kind::Table(sub)), Value::Object(m)) => table(out, m, sub, &here, &format!("[{here}]")),
            (Some(Kind::Map(sub)), Value::Object(items)) => {
                for (name, item) in items {
                    if let Value::Object(m) = item {
                        let at = join(&here, name);
                        table(out, m, sub, &at, &format!("[{at}]"));
                    }
                }
            }
            (Some(Kind::List(sub)), Value::Array(items)) if !items.is_empty() => {
                for item in items {
                    if let Value::Object(m) = item {
                        // An array of tables: the header opens each element.
                        out.push_str(&format!("\n[[{here}]]\n"));
                        table(out, m, sub, "", "");
                    }
                }
            }
            _ => {}
        }
    }
}

/// The keys of `m` in the order of the fields of `t`, unknown keys last.
fn ordered(m: &Map<String, Value>, t: Table) -> Vec<(&str, &Value)> {
    let mut items: Vec<(&str, &Value)> = m.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let pos = |k: &str| t.fields().iter().position(|f| f.name == k).unwrap_or(usize::MAX);
    items.sort_by_key(|(k, _)| pos(k));
    items
}

/// A scenario's value (or an overlay's values) as TOML, after `head` (the
/// overlay's `extends` and `remove` lines, or nothing).
pub(crate) fn scenario_toml(v: &Value, head: &str) -> String {
    let mut out = head.to_string();
    if let Value::Object(m) = v {
        table(&mut out, m, Table::Scenario, "", "");
    }
    out
}

/// The head of an overlay: `extends`, then `remove`.
pub(crate) fn overlay_head(extends: &str, remove: &[String]) -> String {
    let mut out = format!(
        "extends = {}  # a built-in scenario: what follows is what differs from it\n",
        toml::Value::String(extends.to_string())
    );
    if !remove.is_empty() {
        let list: Vec<String> = remove.iter().map(|r| format!("    {},\n", toml::Value::String(r.clone()))).collect();
        out.push_str(&format!("remove = [\n{}]\n", list.concat()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_read_back_as_written() {
        for x in [0.0, 1.0, 17240.0, 0.025, 1e-5, 2.5e-7, 1e15, 1.5e20, -3.0, 123456.789, 0.1 + 0.2] {
            let text = number(&serde_json::Number::from_f64(x).unwrap());
            let back: toml::Table = toml::from_str(&format!("x = {text}")).unwrap();
            let y = back["x"].as_float().or(back["x"].as_integer().map(|i| i as f64)).unwrap();
            assert_eq!(y, x, "{text}");
        }
    }

    #[test]
    fn tables_in_order_with_units() {
        let v = json!({"name": "n", "start": "2024-01-01", "days": 10, "sides": {"red": {
            "ref_fire": 1.0,
            "calibers": {"152mm": {"initial_stock": {"high": 3.0, "low": 1.0, "mode": 2.0, "dist": "pert"}}},
            "casualties": {"base": 5, "thresholds": [1.0, 2.5], "tempo": [{"start": "2024-01-02", "factor": 2}]}}},
            "sources": {"days": {"assumption": "short"}}});
        let text = scenario_toml(&v, "");
        let want = "name = \"n\"\nstart = 2024-01-01\ndays = 10  # days\n\n[sides.red]\nref_fire = 1  # effective \
                    rounds/day (152 mm eq.)\n\n[sides.red.calibers.152mm]\ninitial_stock = { dist = \"pert\", low = 1, \
                    mode = 2, high = 3 }  # shells\n\n[sides.red.casualties]\nbase = 5  # people/day\nthresholds = [1, \
                    2.5]  # people\n\n[[sides.red.casualties.tempo]]\nstart = 2024-01-02\nfactor = 2\n\n[sources]\ndays \
                    = { assumption = \"short\" }\n";
        assert_eq!(text, want);
    }
}
