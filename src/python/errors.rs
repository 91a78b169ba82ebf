//! The exceptions the core raises, and which error becomes which.
//!
//! The classes live in `attrition/errors.py`; the core imports them:
//! scenario -> `ScenarioError` (a `ValueError`), resource -> `ResourceError`
//! (a `MemoryError`), unknown name -> `UnknownNameError` (a `KeyError`),
//! bad argument -> `ValueError`, interrupted -> `KeyboardInterrupt`, internal
//! -> `AttritionError` (a bug, to report).
use pyo3::PyErr;
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};

use crate::error::CoreError;

pyo3::import_exception!(attrition.errors, AttritionError);
pyo3::import_exception!(attrition.errors, ScenarioError);
pyo3::import_exception!(attrition.errors, ResourceError);
pyo3::import_exception!(attrition.errors, UnknownNameError);

impl From<CoreError> for PyErr {
    fn from(e: CoreError) -> PyErr {
        match e {
            CoreError::Scenario(msgs) => {
                // A key or a value may hold control characters (a newline in a dict key, an
                // escape sequence): show them escaped so each problem stays one line.
                let msgs = msgs.iter().map(|m| escape_controls(m)).collect();
                ScenarioError::new_err(CoreError::Scenario(msgs).to_string())
            }
            CoreError::Resource(m) => ResourceError::new_err(m),
            CoreError::UnknownName(m) => UnknownNameError::new_err(m),
            CoreError::Argument(m) => PyValueError::new_err(m),
            e @ CoreError::Interrupted => PyKeyboardInterrupt::new_err(e.to_string()),
            e @ CoreError::Internal(_) => AttritionError::new_err(e.to_string()),
        }
    }
}

/// `s` with every control character written as its escape (`\n`, `\u{1b}`).
fn escape_controls(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars().map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }).collect()
}
