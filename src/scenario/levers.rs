//! Policy levers: the values of a scenario an analyst controls (the day an
//! ally stops delivering, a production rate, mobilisation), named apart from
//! its uncertainties in a top-level `[levers]` table.
//!
//! ```toml
//! [levers.dprk_supply_end]
//! description = "The day North Korean shell deliveries stop (every dprk line)"
//! paths = ["sides.russia.supply.dprk_152.end", "sides.russia.supply.dprk_122.end"]
//! low = 2025-01-20
//! high = 2026-12-24
//!
//! [levers.dprk_152_rate]
//! path = "sides.russia.supply.dprk_152.rate"
//! values = [0, 4600, 6570, 13140]
//! ```
//!
//! A lever sets one value (`path`) or several to the same value (`paths`),
//! which it takes from a list (`values`) or a range (`low` to `high`), all
//! numbers or all dates. The scenario itself keeps whatever its paths hold
//! (a number, a distribution, no date at all): a lever says what may be
//! tried, and sweeps, the exploratory-modelling adapter and the explorer set
//! it. Each lever value must give a valid scenario: validation sets every
//! value of the list, or each end of the range, and checks the scenario that
//! results (so a path must exist, and the values suit it). Overlays inherit
//! the levers of their built-in, may add levers, and may `remove` one
//! (`remove = ["levers.dprk_supply_end"]`).
use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::date::Date;
use crate::error::at;

/// One policy lever: the value (`path`) or values (`paths`) it sets, and
/// what it may take: a list of `values`, or a range from `low` to `high`
/// (numbers, or dates for a date field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lever {
    /// What the lever is, for tables and charts.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The dotted path of the value it sets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Or the dotted paths of several values it sets to the same value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// The values it may take (numbers, or dates as `YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<LeverValue>,
    /// Or the lowest value of its range (a number or a date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<LeverValue>,
    /// And the highest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<LeverValue>,
}

/// A value of a lever: a number or a date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LeverValue {
    Number(f64),
    Date(Date),
}

impl LeverValue {
    fn kind(self) -> &'static str {
        match self {
            LeverValue::Number(_) => "a number",
            LeverValue::Date(_) => "a date",
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            LeverValue::Number(x) => x,
            LeverValue::Date(d) => f64::from(d.0),
        }
    }

    /// As a scenario value: a number, or a date as `YYYY-MM-DD`.
    pub fn to_value(self) -> Value {
        match self {
            LeverValue::Number(x) => serde_json::json!(x),
            LeverValue::Date(d) => Value::String(d.to_string()),
        }
    }
}

impl std::fmt::Display for LeverValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LeverValue::Number(x) => write!(f, "{x}"),
            LeverValue::Date(d) => write!(f, "{d}"),
        }
    }
}

impl schemars::JsonSchema for LeverValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "LeverValue".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A number, or a date YYYY-MM-DD.",
            "anyOf": [{"type": "number"}, g.subschema_for::<Date>()],
        })
    }
}

impl Serialize for LeverValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for LeverValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<LeverValue, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => match n.as_f64() {
                Some(x) if x.is_finite() => Ok(LeverValue::Number(x)),
                _ => Err(serde::de::Error::custom(format!("a lever value must be a finite number, got {n}"))),
            },
            Value::String(s) => Date::parse(&s).map(LeverValue::Date).map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "a lever value is a number or a date (YYYY-MM-DD), got {}",
                super::dist::type_name(&other)
            ))),
        }
    }
}

impl Lever {
    /// The dotted paths it sets.
    pub fn paths(&self) -> Vec<&str> {
        self.path.iter().chain(&self.paths).map(String::as_str).collect()
    }

    /// The values validation tries: the list, or both ends of the range.
    pub(crate) fn tried(&self) -> Vec<(String, LeverValue)> {
        if self.values.is_empty() {
            [("low", self.low), ("high", self.high)]
                .into_iter()
                .filter_map(|(k, v)| Some((k.to_string(), v?)))
                .collect()
        } else {
            self.values.iter().enumerate().map(|(i, v)| (format!("values[{i}]"), *v)).collect()
        }
    }

    /// The rules of the lever itself (its form), each at its path.
    pub(crate) fn check_form(&self, lp: &str, errors: &mut Vec<String>) {
        match (&self.path, self.paths.is_empty()) {
            (Some(_), false) => errors.push(at(lp, "give `path` or `paths`, not both")),
            (None, true) => errors.push(at(lp, "missing `path` (or `paths`): the dotted path of the value it sets")),
            _ => {}
        }
        for (i, p) in self.paths.iter().enumerate() {
            if self.paths[..i].contains(p) {
                errors.push(at(&format!("{lp}.paths[{i}]"), format!("{p:?} is listed twice")));
            }
        }
        let range = self.low.is_some() || self.high.is_some();
        match (self.values.is_empty(), range) {
            (false, true) => errors.push(at(lp, "give `values` or `low` and `high`, not both")),
            (true, false) => errors.push(at(lp, "missing `values` (a list) or `low` and `high` (a range)")),
            (true, true) => match (self.low, self.high) {
                (Some(lo), Some(hi)) => {
                    if lo.kind() != hi.kind() {
                        errors.push(at(lp, format!("`low` is {} but `high` is {}", lo.kind(), hi.kind())));
                    } else if lo.as_f64() >= hi.as_f64() {
                        errors.push(at(&format!("{lp}.high"), format!("must be above `low` ({lo}), got {hi}")));
                    }
                }
                (None, _) => errors.push(at(&format!("{lp}.low"), "missing: a range needs `low` and `high`")),
                (_, None) => errors.push(at(&format!("{lp}.high"), "missing: a range needs `low` and `high`")),
            },
            (false, false) => {
                let first = self.values[0].kind();
                if let Some(i) = self.values.iter().position(|v| v.kind() != first) {
                    errors.push(at(
                        &format!("{lp}.values[{i}]"),
                        format!("is {}, but values[0] is {first}", self.values[i].kind()),
                    ));
                }
            }
        }
    }
}

/// Most values of a lever's list.
pub const MAX_LEVER_VALUES: usize = 100;

/// The levers of a scenario, by name.
pub type Levers = BTreeMap<String, Lever>;
