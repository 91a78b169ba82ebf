//! From TOML text or a JSON-like value to the schema's [`Scenario`], with
//! messages that name the full dotted path of each problem; back to a value;
//! and dotted-path reads and edits of a value (TOML is written by `write`).
use std::borrow::Cow;

use serde_json::{Map, Value};

use super::{MAX_SCENARIO_BYTES, Scenario};
use crate::error::{CoreError, at, did_you_mean, shown};

/// A TOML text as a JSON value (dates as `YYYY-MM-DD` strings); texts above
/// [`MAX_SCENARIO_BYTES`] are refused.
pub(crate) fn toml_text_to_value(text: &str) -> Result<Value, CoreError> {
    toml_text_to_value_within(text, MAX_SCENARIO_BYTES)
}

/// Like [`toml_text_to_value`], with texts above `limit` bytes refused.
pub(crate) fn toml_text_to_value_within(text: &str, limit: usize) -> Result<Value, CoreError> {
    if text.len() > limit {
        return Err(CoreError::scenario("", format!("scenario text is {} bytes; the limit is {limit}", text.len())));
    }
    let table: toml::Table = toml::from_str(text).map_err(|e| CoreError::scenario("", toml_error(text, &e)))?;
    toml_to_json(&toml::Value::Table(table), &mut String::new())
}

/// The schema's reading of a value: types, required and unknown keys, and
/// each distribution's own rules (not yet the rules between parameters).
pub(crate) fn scenario_from_value(value: Value) -> Result<Scenario, CoreError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        CoreError::Scenario(vec![explain_serde(&path, &e.into_inner().to_string())])
    })
}

impl Scenario {
    /// The scenario as a JSON value (the shape of the TOML file).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).expect("a scenario always serializes")
    }
}

/// "not valid TOML: line L, column C: rule, near `...`", with the offending
/// line cut to a window around the column, so that a hostile one-line file of
/// megabytes gives a message of one short line.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    const HALF: usize = 30;
    let msg = e.message().trim_end().replace('\n', "; ");
    let Some(span) = e.span() else { return format!("not valid TOML: {msg}") };
    let at = span.start.min(text.len());
    let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line_no = text[..line_start].matches('\n').count() + 1;
    let line = text[line_start..line_end].trim_end_matches('\r');
    let col = text[line_start..at].chars().count();
    let chars: Vec<char> = line.chars().collect();
    let from = col.saturating_sub(HALF).min(chars.len());
    let to = (col + HALF).min(chars.len());
    let window: String = chars[from..to].iter().collect();
    let (pre, post) = (if from > 0 { "..." } else { "" }, if to < chars.len() { "..." } else { "" });
    format!("not valid TOML: line {line_no}, column {}: {msg}, near `{pre}{window}{post}`", col + 1)
}

/// A key as shown in a dotted path: as it is when it is a plain name, quoted
/// otherwise (an empty key, spaces, dots, quotes), so that every message
/// shows where the problem is.
pub(crate) fn key_in_path(key: &str) -> String {
    if !key.is_empty() && key.len() <= MAX_KEY_SHOWN && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        format!("{:?}", shown(key))
    }
}

/// Longest key shown whole in a path (names are at most 64 characters).
pub(crate) const MAX_KEY_SHOWN: usize = 64;

/// A name as a segment of a dotted path: itself, or shortened and quoted when
/// it is too long to be a name (the message then says so).
pub(crate) fn segment(name: &str) -> Cow<'_, str> {
    if name.len() <= MAX_KEY_SHOWN { Cow::Borrowed(name) } else { Cow::Owned(format!("{:?}", shown(name))) }
}

/// Turn a serde message into "path: rule", with "did you mean" for unknown keys.
fn explain_serde(path: &str, msg: &str) -> String {
    // A rate's schedule says where inside it the problem is: "@schedule[1].from: <message>".
    if let Some((inner, rest)) = msg.strip_prefix('@').and_then(|m| m.split_once(": ")) {
        let joined = match inner {
            "." | "" => path.to_string(),
            _ if inner.starts_with('[') || path.is_empty() => format!("{path}{inner}"),
            _ => format!("{path}.{inner}"),
        };
        return explain_serde(&joined, rest);
    }
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        // serde_path_to_error records a string key before its visitor runs, so
        // the path of an unknown key already ends with the key itself.
        let parent =
            if path == key { "" } else { path.strip_suffix(key).and_then(|p| p.strip_suffix('.')).unwrap_or(path) };
        let shown = key_in_path(key);
        let full = if parent.is_empty() { shown } else { format!("{parent}.{shown}") };
        return at(
            &full,
            format!(
                "unknown key{}; allowed here: {}",
                did_you_mean(key, expected.iter().copied()),
                expected.join(", ")
            ),
        );
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or("");
        let full = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
        return at(&full, "missing required key");
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        return at(path, format!("wrong type: got {rest}"));
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        return at(path, format!("invalid value: got {rest}"));
    }
    at(path, msg)
}

pub(crate) fn toml_to_json(v: &toml::Value, path: &mut String) -> Result<Value, CoreError> {
    Ok(match v {
        toml::Value::String(s) => Value::String(s.clone()),
        toml::Value::Integer(i) => Value::from(*i),
        toml::Value::Float(f) => {
            if !f.is_finite() {
                return Err(CoreError::scenario(path, format!("must be a finite number, got {f}")));
            }
            Value::from(*f)
        }
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => match (d.date, d.time, d.offset) {
            (Some(_), None, None) => Value::String(d.to_string()),
            _ => return Err(CoreError::scenario(path, format!("expected a date as YYYY-MM-DD, got {d}"))),
        },
        toml::Value::Array(a) => {
            let base = path.len();
            let mut out = Vec::with_capacity(a.len());
            for (i, x) in a.iter().enumerate() {
                path.push_str(&format!("[{i}]"));
                out.push(toml_to_json(x, path)?);
                path.truncate(base);
            }
            Value::Array(out)
        }
        toml::Value::Table(t) => {
            let base = path.len();
            let mut out = Map::new();
            for (k, x) in t {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                out.insert(k.clone(), toml_to_json(x, path)?);
                path.truncate(base);
            }
            Value::Object(out)
        }
    })
}

/// The value at a dotted path of a value, if there is one.
pub(crate) fn get_path<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    get_in(root.as_object()?, path)
}

/// The value at a dotted path of a table, if there is one.
pub(crate) fn get_in<'a>(table: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let first = table.get(parts.next()?)?;
    parts.try_fold(first, |cur, part| cur.as_object()?.get(part))
}

pub(crate) fn set_path(root: &mut Value, path: &str, value: Value) -> Result<(), CoreError> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(CoreError::scenario("with_values", format!("{path:?} is not a dotted path (names joined by '.')")));
    }
    let mut cur = root;
    for (i, part) in parts.iter().enumerate() {
        let here = parts[..=i].join(".");
        let last = i + 1 == parts.len();
        let Value::Object(m) = cur else {
            return Err(CoreError::scenario(&here, "no such parameter: its parent is not a table"));
        };
        if last {
            m.insert(part.to_string(), value);
            return Ok(());
        }
        if !m.contains_key(*part) {
            let hint = did_you_mean(part, m.keys().map(String::as_str));
            return Err(CoreError::scenario(&here, format!("no such table in the scenario{hint}")));
        }
        cur = m.get_mut(*part).expect("checked");
    }
    Ok(())
}

/// A table that is one value (a distribution, a schedule or a CSV series):
/// an overlay replaces it whole.
pub(crate) fn is_value(m: &Map<String, Value>) -> bool {
    ["dist", "schedule", "csv"].iter().any(|k| m.contains_key(*k))
}
