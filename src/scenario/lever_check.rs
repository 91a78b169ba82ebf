//! The levers' rule: each value a lever may take must give a valid scenario
//! (checked by compiling the scenario with it, so it sits above `compile`).
use serde_json::Value;

use super::compile::Compiled;
use super::levers::{LeverValue, MAX_LEVER_VALUES};
use super::{Scenario, parse};
use crate::error::{CoreError, at};

/// Check every lever of a scenario that passed its other rules: its form,
/// and that each value it may take gives a valid scenario. Every problem is
/// reported, each at `levers.<name>...`.
pub(crate) fn check(s: &Scenario) -> Result<(), CoreError> {
    if s.levers.is_empty() {
        return Ok(());
    }
    let mut base = s.to_value();
    if let Value::Object(m) = &mut base {
        m.remove("levers");
    }
    let mut errors = Vec::new();
    for (name, lever) in &s.levers {
        let lp = format!("levers.{}", parse::key_in_path(name));
        let before = errors.len();
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            || name.is_empty()
            || name.len() > 64
        {
            errors.push(at(&lp, format!("names must be 1 to 64 letters, digits, '_' or '-', got {name:?}")));
        }
        if lever.values.len() > MAX_LEVER_VALUES {
            errors.push(at(&format!("{lp}.values"), format!("at most {MAX_LEVER_VALUES} values")));
        }
        lever.check_form(&lp, &mut errors);
        if errors.len() > before {
            continue;
        }
        for (key, value) in lever.tried() {
            if let Some(msg) = try_value(&base, &lever.paths(), value) {
                errors.push(at(&format!("{lp}.{key}"), format!("{value} does not give a valid scenario: {msg}")));
            }
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(CoreError::Scenario(errors)) }
}

/// None when setting `paths` of `base` to `value` gives a valid scenario;
/// otherwise what is wrong.
fn try_value(base: &Value, paths: &[&str], value: LeverValue) -> Option<String> {
    let mut v = base.clone();
    for p in paths {
        if let Err(e) = parse::set_path(&mut v, p, value.to_value()) {
            return Some(problems(e));
        }
    }
    match parse::scenario_from_value(v).and_then(|s| Compiled::new(&s)) {
        Ok(_) => None,
        Err(e) => Some(problems(e)),
    }
}

/// The problems of an error on one line.
fn problems(e: CoreError) -> String {
    match e {
        CoreError::Scenario(msgs) => msgs.join("; "),
        other => other.to_string(),
    }
}
