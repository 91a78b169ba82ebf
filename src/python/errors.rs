//! The exceptions the core raises, and which error becomes which.
//!
//! The classes live in `attrition/errors.py`; the core imports them:
//! scenario -> `ScenarioError` (a `ValueError`), resource -> `ResourceError`
//! (a `MemoryError`), unknown name -> `UnknownNameError` (a `KeyError`),
//! bad argument -> `ValueError`, interrupted -> `KeyboardInterrupt`, internal
//! -> `AttritionError` (a bug, to report); a summary table that cannot be read
//! or merged -> `IntegrityError` (a `ValueError`). A panic in a binding is
//! caught ([`guarded`]) and becomes an internal error. Every message quotes
//! at most a short window of the input.
use std::panic::{AssertUnwindSafe, catch_unwind};

use pyo3::PyErr;
use pyo3::PyResult;
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};

use crate::error::CoreError;

pyo3::import_exception!(attrition.errors, AttritionError);
pyo3::import_exception!(attrition.errors, ScenarioError);
pyo3::import_exception!(attrition.errors, ResourceError);
pyo3::import_exception!(attrition.errors, UnknownNameError);
pyo3::import_exception!(attrition.errors, IntegrityError);

/// Most characters of one line of a message (each problem is one line).
const MAX_LINE: usize = 1_000;

/// Run a binding's body, turning a panic (a bug: nothing a caller passes may
/// cause one) into `AttritionError` asking for a report, instead of pyo3's
/// `PanicException`, which is not an `Exception`.
pub(super) fn guarded<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".to_string());
            Err(CoreError::Internal(what).into())
        }
    }
}

/// A message as shown: control characters escaped, each line at most `MAX_LINE` characters.
fn tidy(m: &str) -> String {
    let m = escape_controls(m);
    if m.chars().count() <= MAX_LINE {
        return m;
    }
    let head: String = m.chars().take(MAX_LINE - 60).collect();
    let tail: String = m.chars().rev().take(50).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{head}...{tail}")
}

impl From<CoreError> for PyErr {
    fn from(e: CoreError) -> PyErr {
        match e {
            CoreError::Scenario(msgs) => {
                // A key or a value may hold control characters (a newline in a dict key, an
                // escape sequence): show them escaped so each problem stays one line.
                let msgs = msgs.iter().map(|m| tidy(m)).collect();
                ScenarioError::new_err(CoreError::Scenario(msgs).to_string())
            }
            CoreError::Resource(m) => ResourceError::new_err(tidy(&m)),
            CoreError::UnknownName(m) => UnknownNameError::new_err(tidy(&m)),
            CoreError::Argument(m) => PyValueError::new_err(tidy(&m)),
            e @ CoreError::Interrupted => PyKeyboardInterrupt::new_err(e.to_string()),
            e @ CoreError::Internal(_) => AttritionError::new_err(e.to_string()),
        }
    }
}

/// A summary table that cannot be read or merged (`IntegrityError`, a `ValueError`).
pub(super) fn integrity(m: String) -> PyErr {
    IntegrityError::new_err(tidy(&m))
}

/// `s` with every control character written as its escape (`\n`, `\u{1b}`).
fn escape_controls(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars().map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }).collect()
}
