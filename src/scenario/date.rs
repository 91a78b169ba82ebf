//! Calendar dates (proleptic Gregorian), as days since 1970-01-01.
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

impl Date {
    /// Parse `YYYY-MM-DD` (ASCII digits only), with a year from 1 to 9999
    /// (the range of Python's `datetime.date`).
    pub fn parse(s: &str) -> Result<Date, String> {
        let bad = || {
            let shown: String = s.chars().take(40).collect();
            let more = if s.chars().count() > 40 { "..." } else { "" };
            format!("expected a date as YYYY-MM-DD, got {shown:?}{more}")
        };
        let parts: Vec<&str> = s.split('-').collect();
        if parts.len() != 3
            || parts[0].len() != 4
            || parts[1].len() != 2
            || parts[2].len() != 2
            || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        let y: i32 = parts[0].parse().map_err(|_| bad())?;
        let m: u32 = parts[1].parse().map_err(|_| bad())?;
        let d: u32 = parts[2].parse().map_err(|_| bad())?;
        if y < 1 {
            return Err(format!("{s:?}: the year must be between 0001 and 9999"));
        }
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return Err(format!("{s:?} is not a calendar date"));
        }
        Ok(Date(days_from_civil(y, m, d)))
    }

    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Days from `self` to `other`.
    pub fn days_until(self, other: Date) -> i64 {
        i64::from(other.0) - i64::from(self.0)
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
    }
}

// Howard Hinnant's algorithms.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe as i32 - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = (z - era * 146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// A TOML local date (a `YYYY-MM-DD` string in JSON).
impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A calendar date, YYYY-MM-DD (a TOML local date).",
            "type": "string",
            "format": "date",
        })
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match v {
            serde_json::Value::String(s) => Date::parse(&s).map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "expected a date as YYYY-MM-DD, got {}",
                crate::scenario::dist::type_name(&other)
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for s in ["1970-01-01", "2024-02-29", "2024-12-24", "2025-01-20", "1999-12-31", "0001-03-01"] {
            assert_eq!(Date::parse(s).unwrap().to_string(), s);
        }
        assert_eq!(Date::parse("1970-01-02").unwrap().0, 1);
        assert_eq!(Date::parse("2024-12-24").unwrap().days_until(Date::parse("2025-01-20").unwrap()), 27);
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2024-13-01").is_err());
        assert!(Date::parse("24-12-01").is_err());
        // Python's datetime.date has no year 0; signs and spaces are not digits.
        assert!(Date::parse("0000-01-01").is_err());
        assert!(Date::parse("+999-01-01").is_err());
        assert!(Date::parse(" 999-01-01").is_err());
        assert!(Date::parse("2024-+1-01").is_err());
        assert!(Date::parse("9999-12-31").is_ok());
    }
}
