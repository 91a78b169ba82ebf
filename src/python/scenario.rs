//! `_core.Scenario`: a validated scenario and its model.
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use super::convert::{json_to_py, to_json, type_name};
use super::errors::guarded;
use super::registry;
use crate::error::{CoreError, shown};
use crate::model::Model;
use crate::scenario::{MAX_SCENARIO_BYTES, Validated, overlay};

/// A validated scenario with its compiled model (series, outcomes, uncertain parameters).
#[pyclass(name = "Scenario", module = "attrition._core", frozen)]
pub struct PyScenario {
    pub(super) model: Model,
}

/// An uncertain parameter as Python sees it: (path, description, low, high, distribution as a dict).
type UncertainRow<'py> = (String, String, f64, f64, Bound<'py, PyAny>);

/// An input's provenance as Python sees it: (path, value or None, unit, fact ids, note, assumption, origin).
type ProvenanceRow<'py> = (String, Option<Bound<'py, PyAny>>, &'static str, Vec<String>, String, String, &'static str);

impl PyScenario {
    fn new(v: Validated) -> PyScenario {
        PyScenario { model: Model::new(v) }
    }

    fn validated(&self) -> &Validated {
        self.model.validated()
    }
}

/// Validate and compile without the GIL (a large scenario takes a while): other
/// Python threads run meanwhile.
fn compiled(py: Python<'_>, make: impl FnOnce() -> Result<Validated, CoreError> + Send) -> PyResult<PyScenario> {
    guarded(|| Ok(py.detach(|| make().map(PyScenario::new))?))
}

#[pymethods]
impl PyScenario {
    /// Parse a TOML text of at most `max_bytes` bytes (default: `MAX_SCENARIO_BYTES`).
    #[staticmethod]
    #[pyo3(signature = (text, *, max_bytes=None))]
    fn from_toml(py: Python<'_>, text: &str, max_bytes: Option<usize>) -> PyResult<PyScenario> {
        let limit = max_bytes.unwrap_or(MAX_SCENARIO_BYTES);
        compiled(py, || Validated::from_toml_str_within(text, limit))
    }

    /// A built-in scenario by name (`UnknownNameError` with the closest names otherwise).
    #[staticmethod]
    fn builtin(py: Python<'_>, name: &str) -> PyResult<PyScenario> {
        compiled(py, || Validated::builtin(name))
    }

    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<PyScenario> {
        if !d.is_instance_of::<PyDict>() {
            return Err(PyTypeError::new_err(format!("a scenario must be a mapping (dict), got {}", type_name(d))));
        }
        let v = guarded(|| to_json(d, "", 0).map_err(|m| CoreError::Scenario(vec![m]).into()))?;
        compiled(py, || Validated::from_value(v))
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guarded(|| json_to_py(py, &self.validated().scenario().to_value()))
    }

    /// The whole scenario as TOML, with each value's unit as a comment.
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        guarded(|| Ok(py.detach(|| self.validated().to_toml())))
    }

    /// For an overlay of a built-in, a TOML text with `extends` and only what
    /// differs from it; otherwise the whole scenario, as `to_toml`.
    fn to_overlay_toml(&self, py: Python<'_>) -> PyResult<String> {
        guarded(|| Ok(py.detach(|| self.validated().to_overlay_toml())))
    }

    /// The built-in this scenario overlays, if any.
    #[getter]
    fn extends(&self) -> Option<&str> {
        self.validated().extends()
    }

    /// `overrides` is a dict {dotted path: value}.
    fn with_values(&self, py: Python<'_>, overrides: &Bound<'_, PyDict>) -> PyResult<PyScenario> {
        let mut pairs = Vec::new();
        for (k, v) in overrides.iter() {
            let path: String = match k.cast::<PyString>() {
                Ok(s) => match s.to_str() {
                    Ok(t) => t.to_owned(),
                    Err(_) => {
                        let lossy = s.to_string_lossy().into_owned();
                        let msg = format!("{:?} is not valid text (it holds a lone surrogate)", shown(&lossy));
                        return Err(CoreError::scenario("with_values", msg).into());
                    }
                },
                Err(_) => {
                    return Err(PyTypeError::new_err(format!("override paths must be strings, got {}", type_name(&k))));
                }
            };
            let value = guarded(|| to_json(&v, &path, 0).map_err(|m| CoreError::Scenario(vec![m]).into()))?;
            pairs.push((path, value));
        }
        compiled(py, || self.validated().with_values(&pairs))
    }

    #[getter]
    fn name(&self) -> &str {
        &self.validated().scenario().name
    }
    #[getter]
    fn description(&self) -> &str {
        &self.validated().scenario().description
    }
    #[getter]
    fn start(&self) -> String {
        self.validated().scenario().start.to_string()
    }
    #[getter]
    fn days(&self) -> usize {
        self.model.days()
    }
    #[getter]
    fn series_names(&self) -> Vec<String> {
        self.model.series().iter().map(|e| e.name.clone()).collect()
    }
    #[getter]
    fn outcome_names(&self) -> Vec<String> {
        self.model.outcomes().iter().map(|e| e.name.clone()).collect()
    }

    /// Every series in id order: `name, unit, description, owner, pattern`.
    fn series_info<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        registry::entries(py, self.model.series(), false)
    }

    /// Every outcome in id order: as `series_info`, plus `first_passage` and `key`.
    fn outcome_info<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        registry::entries(py, self.model.outcomes(), true)
    }

    /// Each uncertain parameter as (path, description, low, high, distribution as a dict).
    fn uncertain<'py>(&self, py: Python<'py>) -> PyResult<Vec<UncertainRow<'py>>> {
        self.model
            .uncertain()
            .iter()
            .map(|u| {
                let (lo, hi) = u.dist.support();
                Ok((u.path.clone(), u.dist.describe(), lo, hi, json_to_py(py, &u.dist.to_value())?))
            })
            .collect()
    }

    /// Every input (numbers, distributions, dates, switches, each threshold)
    /// with where it comes from, then the `[sources]` entries of unset fields
    /// and of whole tables: (path, value or None, unit, fact ids, note,
    /// assumption, origin), origin being "scenario" (its `[sources]`),
    /// "default" (the field's default, with the default's grounds) or
    /// "missing".
    fn provenance<'py>(&self, py: Python<'py>) -> PyResult<Vec<ProvenanceRow<'py>>> {
        self.validated()
            .provenance()
            .into_iter()
            .map(|r| {
                let value = r.value.as_ref().map(|v| json_to_py(py, v)).transpose()?;
                let s = r.source;
                Ok((r.path, value, r.unit, s.facts, s.note, s.assumption, r.origin.as_str()))
            })
            .collect()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyScenario>().map(|o| o.get().model == self.model).unwrap_or(false)
    }
}

/// The names of the built-in scenarios.
#[pyfunction]
pub(super) fn builtin_names() -> Vec<&'static str> {
    overlay::builtin_names().collect()
}
