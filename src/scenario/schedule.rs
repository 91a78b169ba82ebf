//! Rates that change over time: a schedule of dated segments, or a series read
//! from a CSV file when the scenario is loaded (docs/model.md section 2).
//!
//! ```toml
//! # stepwise: 6,570 a day until 2025-06-30, then a 90 % interval, then none
//! rate = { schedule = [
//!     { from = 2024-12-24, value = 6570 },
//!     { from = 2025-07-01, value = "2000 to 8000" },
//!     { from = 2026-01-01, value = 0 },
//! ] }
//! # straight lines between the dated values, flat before the first and after the last
//! rounds_per_gun_day = { schedule = [{ from = 2025-01-01, value = 9 }, { from = 2025-12-31, value = 6 }], interpolate = "linear" }
//! # a column of a CSV file (a `date` column of YYYY-MM-DD and numbers), read when the scenario is loaded
//! arrival_rate = { csv = "mobilisation.csv", column = "per_day" }
//! ```
//!
//! A segment's value is a parameter like any other: a number, a 90 % interval
//! or a distribution, drawn once per trajectory (keyed by its path,
//! `...rate.schedule[1].value`) and checked against the rate's domain. With
//! `interpolate = "step"` (the default) a segment's value holds from its
//! `from` date (inclusive) to the next segment's; with `"linear"` the rate
//! runs in a straight line from each dated value to the next. Before the first
//! date the first value holds, after the last the last. Dates must increase.
//!
//! A CSV file is read when the scenario is loaded from its file: a relative
//! path is taken from the scenario file's folder (a scenario given as text or
//! a dict takes only absolute paths), the file must be a regular file of at
//! most [`MAX_CSV_BYTES`] holding a `date` column (or `date_column`) and the
//! named column, a header and at most [`MAX_CSV_ROWS`] rows, dates increasing
//! and numbers finite. Its rows become a schedule of numbers, which the
//! scenario then holds (`to_dict` and TOML write the schedule), so it runs the
//! same anywhere without the file. Built-in scenarios read no file.
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::date::Date;
use super::dist::Dist;
use super::param::Param;
use crate::error::CoreError;

/// Largest CSV file a rate may read (4 MiB).
pub const MAX_CSV_BYTES: u64 = 4 << 20;
/// Most rows of a CSV series.
pub const MAX_CSV_ROWS: usize = 100_000;
/// Most segments of a schedule.
pub const MAX_SEGMENTS: usize = 100_000;

/// A rate: constant over the run (a number or a distribution), or a schedule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rate {
    Const(Param),
    Schedule(Schedule),
}

impl Rate {
    /// Every parameter of the rate: the constant, or each segment's value.
    pub fn params(&self) -> Vec<&Param> {
        match self {
            Rate::Const(p) => vec![p],
            Rate::Schedule(s) => s.schedule.iter().map(|seg| &seg.value).collect(),
        }
    }
}

impl From<Param> for Rate {
    fn from(p: Param) -> Rate {
        Rate::Const(p)
    }
}

/// A number, a distribution or a schedule; the JSON Schema of the reference
/// completes it with the field's unit and domain.
impl schemars::JsonSchema for Rate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Rate".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number, a distribution table or a schedule of dated values (docs/model.md section 2).",
            "anyOf": [{"type": "number"}, g.subschema_for::<Dist>(), g.subschema_for::<Schedule>()],
        })
    }
}

/// Dated segments of a rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// The segments in date order; each holds its value from its `from` date on.
    pub schedule: Vec<Segment>,
    /// `"step"` (each value holds until the next date) or `"linear"` (straight
    /// lines between the dated values).
    #[serde(default, skip_serializing_if = "Interpolate::is_step")]
    pub interpolate: Interpolate,
}

/// One dated value of a schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// The first day (inclusive) of the value.
    pub from: Date,
    /// The rate from that day: a number, a 90 % interval or a distribution, in the rate's unit.
    pub value: Param,
}

/// How a schedule's values join.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Interpolate {
    /// Each value holds from its date until the next.
    #[default]
    Step,
    /// Straight lines between the dated values.
    Linear,
}

impl Interpolate {
    fn is_step(&self) -> bool {
        *self == Interpolate::Step
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Rate::Const(p) => p.serialize(s),
            Rate::Schedule(sc) => sc.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Rate, D::Error> {
        let v = Value::deserialize(d)?;
        match &v {
            Value::Object(m) if m.contains_key("schedule") => {
                // Say where inside the schedule a problem is ("@schedule[1].from: ..."):
                // the scenario's parser joins it to the rate's path.
                serde_path_to_error::deserialize(v).map(Rate::Schedule).map_err(|e| {
                    let inner = e.path().to_string();
                    serde::de::Error::custom(format!("@{inner}: {}", e.into_inner()))
                })
            }
            Value::Object(m) if m.contains_key("csv") => Err(serde::de::Error::custom(
                "a CSV series is read when the scenario is loaded from its file; it could not be read here",
            )),
            _ => Dist::from_value(&v).map(|d| Rate::Const(Param(d))).map_err(serde::de::Error::custom),
        }
    }
}

/// The value of a schedule on each day `0..days` of a run starting at day
/// offset 0, from its knots (day offset, value) in increasing day order.
pub fn daily(knots: &[(i64, f64)], linear: bool, days: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(days);
    let mut k = 0; // the last knot at or before the day
    for t in 0..days as i64 {
        while k + 1 < knots.len() && knots[k + 1].0 <= t {
            k += 1;
        }
        let (d0, v0) = knots[k];
        let value = if t < d0 {
            v0 // before the first date
        } else if linear && k + 1 < knots.len() {
            let (d1, v1) = knots[k + 1];
            v0 + (v1 - v0) * (t - d0) as f64 / (d1 - d0) as f64
        } else {
            v0
        };
        out.push(value);
    }
    out
}

/// Replace every `{csv = ..., column = ...}` table of a scenario value by the
/// schedule it reads. Relative paths are taken from `dir` (none: only absolute
/// paths are read). Problems name the table's dotted path.
pub(crate) fn resolve_csv(value: &mut Value, dir: Option<&Path>) -> Result<(), CoreError> {
    let mut errors = Vec::new();
    walk(value, &mut String::new(), dir, &mut errors);
    if errors.is_empty() { Ok(()) } else { Err(CoreError::Scenario(errors)) }
}

fn walk(v: &mut Value, path: &mut String, dir: Option<&Path>, errors: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            if m.contains_key("csv") {
                match read_table(m, path, dir) {
                    Ok(schedule) => *v = schedule,
                    Err(e) => errors.push(e),
                }
                return;
            }
            let base = path.len();
            for (k, x) in m.iter_mut() {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&super::parse::key_in_path(k));
                walk(x, path, dir, errors);
                path.truncate(base);
            }
        }
        Value::Array(a) => {
            let base = path.len();
            for (i, x) in a.iter_mut().enumerate() {
                path.push_str(&format!("[{i}]"));
                walk(x, path, dir, errors);
                path.truncate(base);
            }
        }
        _ => {}
    }
}

fn text<'a>(m: &'a Map<String, Value>, key: &str, here: &str) -> Result<Option<&'a str>, String> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err(crate::error::at(
            &format!("{here}.{key}"),
            format!("must be a text, got {}", super::dist::type_name(other)),
        )),
    }
}

/// A `{csv, column, date_column, interpolate}` table as a schedule value.
fn read_table(m: &Map<String, Value>, here: &str, dir: Option<&Path>) -> Result<Value, String> {
    const KEYS: [&str; 4] = ["csv", "column", "date_column", "interpolate"];
    if let Some(k) = m.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(crate::error::at(
            &format!("{here}.{}", super::parse::key_in_path(k)),
            format!("unknown key; a CSV series has {}", KEYS.join(", ")),
        ));
    }
    let file = text(m, "csv", here)?.unwrap_or_default();
    let column = text(m, "column", here)?
        .ok_or_else(|| crate::error::at(&format!("{here}.column"), "missing: the column of the rate"))?;
    let date_column = text(m, "date_column", here)?.unwrap_or("date");
    let at = |msg: String| crate::error::at(&format!("{here}.csv"), msg);
    let given = Path::new(file);
    let full = if given.is_absolute() {
        given.to_path_buf()
    } else {
        match dir {
            Some(d) => d.join(given),
            None => {
                return Err(at(format!(
                    "{file:?} is a relative path, and this scenario was not loaded from a file: load it with \
                     Scenario.load (paths are taken from its folder), or give an absolute path"
                )));
            }
        }
    };
    let series = read_csv(&full, column, date_column).map_err(|e| at(format!("{}: {e}", full.display())))?;
    let schedule: Vec<Value> =
        series.into_iter().map(|(d, x)| serde_json::json!({"from": d.to_string(), "value": x})).collect();
    let mut out = Map::new();
    out.insert("schedule".into(), Value::Array(schedule));
    if let Some(i) = m.get("interpolate") {
        out.insert("interpolate".into(), i.clone());
    }
    Ok(Value::Object(out))
}

/// The (date, value) rows of two columns of a CSV file.
fn read_csv(path: &Path, column: &str, date_column: &str) -> Result<Vec<(Date, f64)>, String> {
    use std::io::Read;
    // Checked before it is opened (opening a named pipe with no writer would wait for
    // one), and again on the open file (it may have been replaced in between).
    let kind = std::fs::metadata(path).map_err(|e| format!("cannot be opened ({e})"))?;
    if !kind.is_file() {
        return Err("is not a regular file".into());
    }
    let mut f = std::fs::File::open(path).map_err(|e| format!("cannot be opened ({e})"))?;
    let meta = f.metadata().map_err(|e| format!("cannot be read ({e})"))?;
    if !meta.is_file() {
        return Err("is not a regular file".into());
    }
    if meta.len() > MAX_CSV_BYTES {
        return Err(format!("is {} bytes; the limit is {MAX_CSV_BYTES}", meta.len()));
    }
    let mut bytes = Vec::new();
    (&mut f).take(MAX_CSV_BYTES + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot be read ({e})"))?;
    if bytes.len() as u64 > MAX_CSV_BYTES {
        return Err(format!("holds more than {MAX_CSV_BYTES} bytes; that is the limit"));
    }
    let body =
        String::from_utf8(bytes).map_err(|e| format!("is not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))?;
    let mut lines = body.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or("is empty: a header and rows are needed")?;
    let names: Vec<&str> =
        header.trim_start_matches('\u{feff}').split(',').map(|s| s.trim().trim_matches('"')).collect();
    let find = |c: &str| {
        names.iter().position(|n| *n == c).ok_or_else(|| {
            format!(
                "has no column {c:?}{}; its columns: {}",
                crate::error::did_you_mean(c, names.iter().copied()),
                names.join(", ")
            )
        })
    };
    let (di, vi) = (find(date_column)?, find(column)?);
    let mut out: Vec<(Date, f64)> = Vec::new();
    for (n, line) in lines {
        if out.len() == MAX_CSV_ROWS {
            return Err(format!("has more than {MAX_CSV_ROWS} rows"));
        }
        let cells: Vec<&str> = line.split(',').map(|s| s.trim().trim_matches('"')).collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let line_no = n + 1;
        let d = Date::parse(cell(di)).map_err(|e| format!("line {line_no}, column {date_column:?}: {e}"))?;
        let x: f64 = cell(vi)
            .parse()
            .map_err(|_| format!("line {line_no}, column {column:?}: {:?} is not a number", cell(vi)))?;
        if !x.is_finite() {
            return Err(format!("line {line_no}, column {column:?}: must be a finite number, got {x}"));
        }
        if let Some((last, _)) = out.last() {
            if d <= *last {
                return Err(format!("line {line_no}: the dates must increase ({d} after {last})"));
            }
        }
        out.push((d, x));
    }
    if out.is_empty() {
        return Err("has a header but no rows".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_and_linear_days() {
        let knots = [(2, 10.0), (5, 40.0)];
        assert_eq!(daily(&knots, false, 8), [10.0, 10.0, 10.0, 10.0, 10.0, 40.0, 40.0, 40.0]);
        assert_eq!(daily(&knots, true, 8), [10.0, 10.0, 10.0, 20.0, 30.0, 40.0, 40.0, 40.0]);
        // Knots before day 0 and after the horizon.
        assert_eq!(daily(&[(-10, 0.0), (10, 20.0)], true, 3), [10.0, 11.0, 12.0]);
        assert_eq!(daily(&[(-10, 1.0), (-5, 2.0)], false, 2), [2.0, 2.0]);
        assert_eq!(daily(&[(7, 3.0)], true, 2), [3.0, 3.0]);
    }
}
