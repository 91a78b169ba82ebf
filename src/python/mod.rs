//! The pyo3 layer: conversions, the exception mapping and releasing the GIL.
//! Nothing here models anything; every call is a short shim over the core.
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::engine::runner::{self, Request};
use crate::error::{CoreError, did_you_mean};
use crate::model::compile::Compiled;
use crate::scenario::Scenario;

fn exception(py: Python<'_>, name: &str, msg: String) -> PyErr {
    match py.import("attrition.errors").and_then(|m| m.getattr(name)) {
        Ok(cls) => match cls.call1((msg.clone(),)) {
            Ok(inst) => PyErr::from_value(inst),
            Err(e) => e,
        },
        Err(_) => pyo3::exceptions::PyRuntimeError::new_err(msg),
    }
}

fn to_py(py: Python<'_>, e: CoreError) -> PyErr {
    match e {
        CoreError::Scenario(_) => exception(py, "ScenarioError", e.to_string()),
        CoreError::Resource(m) => exception(py, "ResourceError", m),
        CoreError::UnknownName(m) => PyKeyError::new_err(m),
        CoreError::Interrupted => pyo3::exceptions::PyKeyboardInterrupt::new_err("the run was interrupted"),
    }
}

const MAX_DEPTH: usize = 32;

/// A Python value (dict, list, number, string, bool, date) as JSON, with paths in errors.
fn to_json(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> Result<Value, String> {
    let here = if path.is_empty() { "the scenario".to_string() } else { path.to_string() };
    if depth > MAX_DEPTH {
        return Err(format!("{here}: nested deeper than {MAX_DEPTH} levels"));
    }
    if obj.is_none() {
        return Err(format!("{here}: wrong type: got None"));
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract::<bool>().unwrap_or(false)));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        let f: f64 = obj.extract().map_err(|_| format!("{here}: integer out of range"))?;
        return Ok(Value::from(f));
    }
    if obj.is_instance_of::<PyFloat>() {
        let f: f64 = obj.extract().map_err(|e| format!("{here}: {e}"))?;
        if !f.is_finite() {
            return Err(format!("{here}: must be a finite number, got {f}"));
        }
        return Ok(Value::from(f));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_string()));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut m = Map::new();
        for (k, v) in d.iter() {
            let key: String = k
                .cast::<PyString>()
                .map(|s| s.to_string())
                .map_err(|_| format!("{here}: keys must be strings, got {}", k.get_type().name().map(|n| n.to_string()).unwrap_or_default()))?;
            let sub = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            m.insert(key, to_json(&v, &sub, depth + 1)?);
        }
        return Ok(Value::Object(m));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, v) in obj.try_iter().map_err(|e| format!("{here}: {e}"))?.enumerate() {
            let v = v.map_err(|e| format!("{here}: {e}"))?;
            out.push(to_json(&v, &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(out));
    }
    if obj.hasattr("isoformat").unwrap_or(false) && obj.hasattr("year").unwrap_or(false) {
        // datetime.date (a datetime with a time of day is refused by the date parser).
        let s: String = obj.call_method0("isoformat").and_then(|x| x.extract()).map_err(|e| format!("{here}: {e}"))?;
        return Ok(Value::String(s));
    }
    // numpy scalars and other real numbers
    if let Ok(f) = obj.call_method0("__float__").and_then(|x| x.extract::<f64>()) {
        if !f.is_finite() {
            return Err(format!("{here}: must be a finite number, got {f}"));
        }
        return Ok(Value::from(f));
    }
    let tn = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
    Err(format!("{here}: wrong type: got a {tn}"))
}

fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into_pyobject(py)?.into_any(),
            None => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(a) => {
            let l = PyList::empty(py);
            for x in a {
                l.append(json_to_py(py, x)?)?;
            }
            l.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A validated scenario.
#[pyclass(name = "Scenario", module = "attrition._core", frozen)]
pub struct PyScenario {
    inner: Scenario,
    compiled: Compiled,
}

impl PyScenario {
    fn wrap(py: Python<'_>, inner: Scenario) -> PyResult<PyScenario> {
        let compiled = Compiled::new(&inner).map_err(|e| to_py(py, e))?;
        Ok(PyScenario { inner, compiled })
    }
}

#[pymethods]
impl PyScenario {
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<PyScenario> {
        let s = Scenario::from_toml_str(text).map_err(|e| to_py(py, e))?;
        PyScenario::wrap(py, s)
    }

    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<PyScenario> {
        if !d.is_instance_of::<PyDict>() {
            let tn = d.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            return Err(PyTypeError::new_err(format!("a scenario must be a mapping (dict), got {tn}")));
        }
        let v = to_json(d, "", 0).map_err(|m| to_py(py, CoreError::Scenario(vec![m])))?;
        let s = Scenario::from_value(v).map_err(|e| to_py(py, e))?;
        PyScenario::wrap(py, s)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.inner.to_value())
    }

    fn to_toml(&self) -> String {
        self.inner.to_toml_string()
    }

    /// `overrides` is a dict {dotted path: value}.
    fn with_values(&self, py: Python<'_>, overrides: &Bound<'_, PyDict>) -> PyResult<PyScenario> {
        let mut pairs = Vec::new();
        for (k, v) in overrides.iter() {
            let path: String = k.extract().map_err(|_| PyTypeError::new_err("override paths must be strings"))?;
            let value = to_json(&v, &path, 0).map_err(|m| to_py(py, CoreError::Scenario(vec![m])))?;
            pairs.push((path, value));
        }
        let s = self.inner.with_values(&pairs).map_err(|e| to_py(py, e))?;
        PyScenario::wrap(py, s)
    }

    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    #[getter]
    fn description(&self) -> &str {
        &self.inner.description
    }
    #[getter]
    fn start(&self) -> String {
        self.inner.start.to_string()
    }
    #[getter]
    fn days(&self) -> usize {
        self.compiled.days
    }
    #[getter]
    fn series_names(&self) -> Vec<String> {
        self.compiled.series.clone()
    }
    #[getter]
    fn outcome_names(&self) -> Vec<String> {
        self.compiled.outcomes.clone()
    }

    /// Each uncertain parameter as (path, description, low, high, distribution as a dict).
    fn uncertain<'py>(&self, py: Python<'py>) -> PyResult<Vec<(String, String, f64, f64, Bound<'py, PyAny>)>> {
        self.compiled
            .uncertain
            .iter()
            .map(|u| {
                let (lo, hi) = u.dist.support();
                Ok((u.path.clone(), u.dist.describe(), lo, hi, json_to_py(py, &u.dist.to_value())?))
            })
            .collect()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyScenario>().map(|o| o.get().inner == self.inner).unwrap_or(false)
    }
}

fn resolve(names: &[String], asked: &[String], what: &str) -> Result<Vec<usize>, CoreError> {
    asked
        .iter()
        .map(|a| {
            names.iter().position(|n| n == a).ok_or_else(|| {
                CoreError::UnknownName(format!(
                    "no {what} named {a:?}{}",
                    did_you_mean(a, names.iter().map(String::as_str))
                ))
            })
        })
        .collect()
}

/// Run trajectories `first .. first + n` of `seed`'s streams with full paths
/// for the named series. `given` maps uncertain parameter paths to arrays of
/// n values. `tick(done)` is called between waves of blocks (with the GIL)
/// and may raise to stop the run. Returns (series, outcomes, params) dicts.
#[pyfunction]
#[pyo3(signature = (scenario, *, seed, first, n, series, threads=None, max_bytes=None, given=None, tick=None))]
#[allow(clippy::too_many_arguments)]
fn run<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    seed: u64,
    first: u64,
    n: usize,
    series: Vec<String>,
    threads: Option<usize>,
    max_bytes: Option<u64>,
    given: Option<Bound<'py, PyDict>>,
    tick: Option<Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let model = &scenario.compiled;
    let ids = resolve(&model.series, &series, "series").map_err(|e| to_py(py, e))?;
    let mut rows: Vec<Vec<(usize, f64)>> = Vec::new();
    if let Some(g) = given {
        let paths: Vec<String> = model.uncertain.iter().map(|u| u.path.clone()).collect();
        rows = vec![Vec::new(); n];
        for (k, v) in g.iter() {
            let path: String = k.extract()?;
            let slot = match model.uncertain.iter().find(|u| u.path == path) {
                Some(u) => u.slot,
                None => {
                    return Err(to_py(
                        py,
                        CoreError::UnknownName(format!(
                            "no uncertain parameter named {path:?}{}",
                            did_you_mean(&path, paths.iter().map(String::as_str))
                        )),
                    ));
                }
            };
            let arr: PyReadonlyArray1<f64> = v.extract()?;
            let a = arr.as_slice()?;
            if a.len() != n {
                return Err(to_py(py, CoreError::Resource(format!("{path}: {} values for {n} trajectories", a.len()))));
            }
            for (i, x) in a.iter().enumerate() {
                rows[i].push((slot, *x));
            }
        }
    }
    let req = Request { seed, first, n, series: ids, given: rows, threads, max_bytes };
    let tick = tick.map(|t| t.unbind());
    let mut failure: Option<PyErr> = None;
    let out = py.detach(|| {
        runner::run_paths(model, &req, |done| {
            Python::attach(|py| {
                let r = py.check_signals().and_then(|_| match &tick {
                    Some(t) => t.bind(py).call1((done,)).map(|_| ()),
                    None => Ok(()),
                });
                match r {
                    Ok(()) => true,
                    Err(e) => {
                        failure = Some(e);
                        false
                    }
                }
            })
        })
    });
    let out = match (out, failure) {
        (_, Some(e)) => return Err(e),
        (Err(e), None) => return Err(to_py(py, e)),
        (Ok(o), None) => o,
    };
    let days = model.days;
    let s = PyDict::new(py);
    for (name, buf) in series.iter().zip(out.series) {
        let a = Array2::from_shape_vec((n, days), buf).expect("n x days");
        s.set_item(name, a.into_pyarray(py))?;
    }
    let o = PyDict::new(py);
    for (name, col) in model.outcomes.iter().zip(out.outcomes) {
        o.set_item(name, col.into_pyarray(py))?;
    }
    let p = PyDict::new(py);
    for (u, col) in model.uncertain.iter().zip(out.params) {
        p.set_item(&u.path, col.into_pyarray(py))?;
    }
    Ok((s, o, p))
}

/// Bytes a run with full paths of `n_series` series would hold.
#[pyfunction]
fn estimate_bytes(scenario: &PyScenario, n: usize, n_series: usize) -> u64 {
    runner::estimate_bytes(&scenario.compiled, n, n_series)
}

#[pymodule]
mod _core {
    #[pymodule_export]
    use super::PyScenario;
    #[pymodule_export]
    use super::estimate_bytes;
    #[pymodule_export]
    use super::run;

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add("MAX_DAYS", crate::scenario::MAX_DAYS)?;
        m.add("MAX_SCENARIO_BYTES", crate::scenario::MAX_SCENARIO_BYTES)?;
        m.add("BLOCK", crate::engine::runner::BLOCK)?;
        Ok(())
    }
}
