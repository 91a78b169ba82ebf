//! Scenarios: the schema, loading from TOML text or a JSON-like value,
//! validation that names each parameter's full dotted path, and the compiled
//! form the model runs on.
//!
//! [`Validated`] is the only way to a compiled scenario: each of its
//! constructors reads the input, checks every rule and compiles, once.
//!
//! The built-in scenarios are compiled in, and a scenario may be written as
//! an overlay of one (`extends`, see [`overlay`]).
//!
//! Loading never executes anything and follows no includes; texts above
//! [`MAX_SCENARIO_BYTES`] are refused.
pub(crate) mod compile;
pub mod correlation;
pub mod date;
pub mod dist;
pub mod fields;
pub mod interval;
pub(crate) mod lever_check;
pub mod levers;
pub mod overlay;
pub mod param;
pub(crate) mod parse;
pub mod provenance;
pub mod reference;
pub mod schedule;
pub mod schema;
pub mod sources;
pub mod uncertain;
pub(crate) mod write;

use serde_json::Value;

pub(crate) use compile::Compiled;
pub use date::Date;
pub use dist::Dist;
pub use schema::*;
pub use uncertain::Uncertain;

use crate::error::CoreError;
use overlay::overlay_of;

/// The largest scenario text accepted (4 MiB).
pub const MAX_SCENARIO_BYTES: usize = 4 << 20;
/// The longest horizon accepted (100 years).
pub const MAX_DAYS: u32 = 36_525;

/// A scenario that passed every rule, with its compiled form and the
/// built-in it overlays, if any.
#[derive(Debug, Clone)]
pub struct Validated {
    scenario: Scenario,
    compiled: Compiled,
    extends: Option<String>,
}

impl Validated {
    /// Check every rule of a scenario and compile it.
    pub fn new(scenario: Scenario) -> Result<Validated, CoreError> {
        Validated::overlaying(scenario, None)
    }

    fn overlaying(scenario: Scenario, extends: Option<String>) -> Result<Validated, CoreError> {
        let compiled = Compiled::new(&scenario);
        let mut errors = match &compiled {
            Err(CoreError::Scenario(msgs)) => msgs.clone(),
            _ => Vec::new(),
        };
        // The sources' problems after the others', within the same limit.
        let from_sources = sources::check(&scenario);
        let room = compile::MAX_PROBLEMS.saturating_sub(errors.len());
        let more = from_sources.len().saturating_sub(room);
        errors.extend(from_sources.into_iter().take(room));
        if more > 0 {
            errors.push(format!("sources: {more} more problems not listed"));
        }
        if !errors.is_empty() {
            return Err(CoreError::Scenario(errors));
        }
        let compiled = compiled?;
        lever_check::check(&scenario)?;
        Ok(Validated { scenario, compiled, extends })
    }

    /// Parse and validate a TOML text (an overlay of a built-in included). A
    /// CSV series must name its file by an absolute path.
    pub fn from_toml_str(text: &str) -> Result<Validated, CoreError> {
        Validated::from_toml_str_in(text, None)
    }

    /// Parse and validate the TOML text of a file in the folder `dir`, from
    /// which a CSV series' relative path is taken (absolute paths only when None).
    pub fn from_toml_str_in(text: &str, dir: Option<&std::path::Path>) -> Result<Validated, CoreError> {
        Validated::from_value_in(parse::toml_text_to_value(text)?, dir)
    }

    /// Like [`Validated::from_toml_str`] for a text of up to `limit` bytes: a
    /// text the library wrote (a pickle) may be longer than what users may write.
    pub fn from_toml_str_within(text: &str, limit: usize) -> Result<Validated, CoreError> {
        Validated::from_toml_str_within_in(text, limit, None)
    }

    /// [`Validated::from_toml_str_within`], a CSV series' relative path taken from `dir`.
    pub fn from_toml_str_within_in(
        text: &str,
        limit: usize,
        dir: Option<&std::path::Path>,
    ) -> Result<Validated, CoreError> {
        Validated::from_value_in(parse::toml_text_to_value_within(text, limit)?, dir)
    }

    /// Parse and validate a JSON-like value (what a Python dict becomes; an
    /// overlay of a built-in included). A CSV series must name its file by an
    /// absolute path.
    pub fn from_value(value: Value) -> Result<Validated, CoreError> {
        Validated::from_value_in(value, None)
    }

    /// [`Validated::from_value`], a CSV series' relative path taken from `dir`.
    pub fn from_value_in(mut value: Value, dir: Option<&std::path::Path>) -> Result<Validated, CoreError> {
        schedule::resolve_csv(&mut value, dir)?;
        Validated::resolved(value)
    }

    fn resolved(value: Value) -> Result<Validated, CoreError> {
        let (value, extends) = overlay::resolve(value)?;
        Validated::overlaying(parse::scenario_from_value(value)?, extends)
    }

    /// A built-in scenario by name (it reads no file).
    pub fn builtin(name: &str) -> Result<Validated, CoreError> {
        let text = overlay::builtin_text(name).ok_or_else(|| CoreError::UnknownName(overlay::unknown_builtin(name)))?;
        Validated::resolved(parse::toml_text_to_value(text)?)
    }

    /// A new, validated scenario with the values at the given dotted paths
    /// replaced; it overlays the same built-in. The `[sources]` entries of a
    /// value that changes go: they described the old value.
    pub fn with_values(&self, overrides: &[(String, Value)]) -> Result<Validated, CoreError> {
        let mut root = self.scenario.to_value();
        for (path, value) in overrides {
            let changes = parse::get_path(&root, path) != Some(value);
            if let (true, Some(Value::Object(src))) = (changes, root.get_mut("sources")) {
                sources::forget(src, path);
            }
        }
        for (path, value) in overrides {
            parse::set_path(&mut root, path, value.clone())?;
        }
        Validated::overlaying(parse::scenario_from_value(root)?, self.extends.clone())
    }

    /// The built-in this scenario overlays.
    pub fn extends(&self) -> Option<&str> {
        self.extends.as_deref()
    }

    /// The scenario as TOML: for an overlay, `extends` and what differs from
    /// the built-in; otherwise (or should the difference not be expressible
    /// as an overlay) the whole scenario.
    pub fn to_overlay_toml(&self) -> String {
        let full = || self.to_toml();
        let Some(name) = &self.extends else { return full() };
        let Ok(base) = Validated::builtin(name) else { return full() };
        match overlay_of(&self.scenario.to_value(), &base.scenario.to_value()) {
            Some((remove, set)) => write::scenario_toml(&Value::Object(set), &write::overlay_head(name, &remove)),
            None => full(),
        }
    }

    /// The whole scenario as TOML, with each value's unit as a comment.
    pub fn to_toml(&self) -> String {
        write::scenario_toml(&self.scenario.to_value(), "")
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Every input of the scenario with where it comes from (see [`provenance::provenance`]).
    pub fn provenance(&self) -> Vec<provenance::Row> {
        provenance::provenance(&self.scenario)
    }

    pub(crate) fn compiled(&self) -> &Compiled {
        &self.compiled
    }
}

/// Two scenarios are equal when they say the same, whether or not one is
/// written as an overlay.
impl PartialEq for Validated {
    fn eq(&self, other: &Validated) -> bool {
        self.scenario == other.scenario
    }
}
