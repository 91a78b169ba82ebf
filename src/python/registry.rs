//! The registry of series and outcomes as Python dicts: `_core.series_kinds()`,
//! `_core.outcome_kinds()`, and `Scenario.series_info()` / `outcome_info()`.
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::model::registry::{self, Entry, Kind};

/// `pattern, unit, description, label, owner`, and for outcomes `first_passage, key`.
fn kind_dict<'py>(py: Python<'py>, kind: &Kind, outcome: bool) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let q = &kind.quantity;
    d.set_item("pattern", &kind.pattern)?;
    d.set_item("unit", q.unit)?;
    d.set_item("description", q.description)?;
    d.set_item("label", q.label)?;
    d.set_item("owner", kind.owner)?;
    if outcome {
        d.set_item("first_passage", q.first_passage)?;
        d.set_item("key", q.key)?;
    }
    Ok(d)
}

/// A kind's dict with the concrete `name` first.
fn entry_dict<'py>(py: Python<'py>, e: &Entry, outcome: bool) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", &e.name)?;
    d.update(kind_dict(py, &e.kind, outcome)?.as_mapping())?;
    Ok(d)
}

/// Each entry as a dict, in id order.
pub(super) fn entries<'py>(py: Python<'py>, es: &[Entry], outcome: bool) -> PyResult<Vec<Bound<'py, PyDict>>> {
    es.iter().map(|e| entry_dict(py, e, outcome)).collect()
}

/// Every kind of series: `pattern` (e.g. `{side}.fleet.{fleet}.serviceable`), `unit`, `description`, `owner`.
#[pyfunction]
pub(super) fn series_kinds(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    registry::series_kinds().iter().map(|k| kind_dict(py, k, false)).collect()
}

/// Every kind of outcome: as `series_kinds`, plus `first_passage` (a day index,
/// NaN when the event never happens) and `key` (shown first in summaries).
#[pyfunction]
pub(super) fn outcome_kinds(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    registry::outcome_kinds().iter().map(|k| kind_dict(py, k, true)).collect()
}
