//! Scenarios: the schema, loading from TOML text or a JSON-like value,
//! validation that names each parameter's full dotted path, and the compiled
//! form the model runs on.
//!
//! [`Validated`] is the only way to a compiled scenario: each of its
//! constructors reads the input, checks every rule and compiles, once.
//!
//! Loading never executes anything and follows no includes; texts above
//! [`MAX_SCENARIO_BYTES`] are refused.
pub mod compile;
pub mod date;
pub mod dist;
pub mod parse;
pub mod schema;

use serde_json::Value;

pub use compile::{Compiled, Uncertain};
pub use date::Date;
pub use dist::Dist;
pub use schema::*;

use crate::error::CoreError;

/// The largest scenario text accepted (4 MiB).
pub const MAX_SCENARIO_BYTES: usize = 4 << 20;
/// The longest horizon accepted (100 years).
pub const MAX_DAYS: u32 = 36_525;

/// A scenario that passed every rule, with its compiled form.
#[derive(Debug, Clone)]
pub struct Validated {
    scenario: Scenario,
    compiled: Compiled,
}

impl Validated {
    /// Check every rule of a scenario and compile it.
    pub fn new(scenario: Scenario) -> Result<Validated, CoreError> {
        let compiled = Compiled::new(&scenario)?;
        Ok(Validated { scenario, compiled })
    }

    /// Parse and validate a TOML text.
    pub fn from_toml_str(text: &str) -> Result<Validated, CoreError> {
        Validated::from_value(parse::toml_text_to_value(text)?)
    }

    /// Parse and validate a JSON-like value (what a Python dict becomes).
    pub fn from_value(value: Value) -> Result<Validated, CoreError> {
        Validated::new(parse::scenario_from_value(value)?)
    }

    /// A new, validated scenario with the values at the given dotted paths replaced.
    pub fn with_values(&self, overrides: &[(String, Value)]) -> Result<Validated, CoreError> {
        let mut root = self.scenario.to_value();
        for (path, value) in overrides {
            parse::set_path(&mut root, path, value.clone())?;
        }
        Validated::from_value(root)
    }

    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn compiled(&self) -> &Compiled {
        &self.compiled
    }
}

impl PartialEq for Validated {
    fn eq(&self, other: &Validated) -> bool {
        self.scenario == other.scenario
    }
}
