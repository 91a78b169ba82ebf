//! The scenario format's reference and the sources register, as Python
//! values: `_core.json_schema()`, `_core.facts()`.
use pyo3::prelude::*;

use super::convert::json_to_py;
use crate::scenario::{reference, sources};

/// The JSON Schema of a scenario (a dict; draft 2020-12, with `x-unit`,
/// `x-allowed`, `x-default-basis` and `x-table` beside the standard keywords).
#[pyfunction]
pub(super) fn json_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    json_to_py(py, &reference::json_schema())
}

/// The facts of the sources register: a dict of id -> dict of the fact's fields.
#[pyfunction]
pub(super) fn facts(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let v = serde_json::to_value(sources::register()).map_err(|e| crate::error::CoreError::Internal(e.to_string()))?;
    json_to_py(py, &v)
}
