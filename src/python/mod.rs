//! The pyo3 layer: conversions, the exception mapping and releasing the GIL.
//! Nothing here models anything; every call is a short shim over the core.
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::exceptions::{PyKeyError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::engine::runner::{self, Collected, Request};
use crate::error::{CoreError, did_you_mean};
use crate::model::Model;
use crate::scenario::Validated;
use crate::summary::Summary;

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
        CoreError::Scenario(msgs) => {
            // A key or a value may hold control characters (a newline in a dict key, an
            // escape sequence): show them escaped so each problem stays one line.
            let msgs = msgs.iter().map(|m| escape_controls(m)).collect();
            exception(py, "ScenarioError", CoreError::Scenario(msgs).to_string())
        }
        CoreError::Resource(m) => exception(py, "ResourceError", m),
        CoreError::UnknownName(m) => PyKeyError::new_err(m),
        CoreError::Interrupted => pyo3::exceptions::PyKeyboardInterrupt::new_err("the run was interrupted"),
    }
}

/// `s` with every control character written as its escape (`\n`, `\u{1b}`).
fn escape_controls(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars().map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }).collect()
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
            let key: String = k.cast::<PyString>().map(|s| s.to_string()).map_err(|_| {
                format!(
                    "{here}: keys must be strings, got {}",
                    k.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                )
            })?;
            let shown = crate::scenario::parse::key_in_path(&key);
            let sub = if path.is_empty() { shown } else { format!("{path}.{shown}") };
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
    model: Model,
}

#[pymethods]
impl PyScenario {
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<PyScenario> {
        let inner = Validated::from_toml_str(text).map_err(|e| to_py(py, e))?;
        Ok(PyScenario { model: Model::new(inner) })
    }

    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<PyScenario> {
        if !d.is_instance_of::<PyDict>() {
            let tn = d.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            return Err(PyTypeError::new_err(format!("a scenario must be a mapping (dict), got {tn}")));
        }
        let v = to_json(d, "", 0).map_err(|m| to_py(py, CoreError::Scenario(vec![m])))?;
        let inner = Validated::from_value(v).map_err(|e| to_py(py, e))?;
        Ok(PyScenario { model: Model::new(inner) })
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.model.validated().scenario().to_value())
    }

    fn to_toml(&self) -> String {
        self.model.validated().scenario().to_toml_string()
    }

    /// `overrides` is a dict {dotted path: value}.
    fn with_values(&self, py: Python<'_>, overrides: &Bound<'_, PyDict>) -> PyResult<PyScenario> {
        let mut pairs = Vec::new();
        for (k, v) in overrides.iter() {
            let path: String = match k.cast::<PyString>() {
                Ok(s) => match s.to_str() {
                    Ok(t) => t.to_owned(),
                    Err(_) => {
                        let shown = s.to_string_lossy().into_owned();
                        let msg = format!("{shown:?} is not valid text (it holds a lone surrogate)");
                        return Err(to_py(py, CoreError::scenario("with_values", msg)));
                    }
                },
                Err(_) => {
                    let tn = k.get_type().name().map(|n| n.to_string()).unwrap_or_default();
                    return Err(PyTypeError::new_err(format!("override paths must be strings, got {tn}")));
                }
            };
            let value = to_json(&v, &path, 0).map_err(|m| to_py(py, CoreError::Scenario(vec![m])))?;
            pairs.push((path, value));
        }
        let inner = self.model.validated().with_values(&pairs).map_err(|e| to_py(py, e))?;
        Ok(PyScenario { model: Model::new(inner) })
    }

    #[getter]
    fn name(&self) -> &str {
        &self.model.validated().scenario().name
    }
    #[getter]
    fn description(&self) -> &str {
        &self.model.validated().scenario().description
    }
    #[getter]
    fn start(&self) -> String {
        self.model.validated().scenario().start.to_string()
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

    /// Each uncertain parameter as (path, description, low, high, distribution as a dict).
    fn uncertain<'py>(&self, py: Python<'py>) -> PyResult<Vec<(String, String, f64, f64, Bound<'py, PyAny>)>> {
        self.model
            .uncertain()
            .iter()
            .map(|u| {
                let (lo, hi) = u.dist.support();
                Ok((u.path.clone(), u.dist.describe(), lo, hi, json_to_py(py, &u.dist.to_value())?))
            })
            .collect()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyScenario>().map(|o| o.get().model == self.model).unwrap_or(false)
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

fn given_rows(
    py: Python<'_>,
    model: &Model,
    n: usize,
    given: Option<Bound<'_, PyDict>>,
) -> PyResult<Vec<Vec<(usize, f64)>>> {
    let Some(g) = given else { return Ok(Vec::new()) };
    let paths: Vec<String> = model.uncertain().iter().map(|u| u.path.clone()).collect();
    let mut rows = vec![Vec::new(); n];
    for (k, v) in g.iter() {
        let path: String = k.extract()?;
        let Some(j) = model.uncertain().iter().position(|u| u.path == path) else {
            return Err(to_py(
                py,
                CoreError::UnknownName(format!(
                    "no uncertain parameter named {path:?}{}",
                    did_you_mean(&path, paths.iter().map(String::as_str))
                )),
            ));
        };
        let arr: PyReadonlyArray1<f64> = v.extract()?;
        let a = arr.as_slice()?;
        if a.len() != n {
            return Err(to_py(py, CoreError::Resource(format!("{path}: {} values for {n} trajectories", a.len()))));
        }
        for (i, x) in a.iter().enumerate() {
            rows[i].push((j, *x));
        }
    }
    Ok(rows)
}

/// Run `f` without the GIL; between waves, `tick(done)` re-attaches, checks
/// for signals (Ctrl-C) and calls the Python callback, either of which may stop the run.
fn detached<T: Send>(
    py: Python<'_>,
    tick: Option<Bound<'_, PyAny>>,
    f: impl FnOnce(&mut dyn FnMut(usize) -> bool) -> Result<T, CoreError> + Send,
) -> PyResult<T> {
    let tick = tick.map(|t| t.unbind());
    let mut failure: Option<PyErr> = None;
    let out = py.detach(|| {
        let mut cb = |done: usize| {
            Python::attach(|py| {
                let r = py.check_signals().and_then(|_| match &tick {
                    Some(t) => t.bind(py).call1((done,)).map(|_| ()),
                    None => Ok(()),
                });
                r.map_err(|e| failure = Some(e)).is_ok()
            })
        };
        f(&mut cb)
    });
    match (out, failure) {
        (_, Some(e)) => Err(e),
        (Err(e), None) => Err(to_py(py, e)),
        (Ok(o), None) => Ok(o),
    }
}

fn columns<'py>(
    py: Python<'py>,
    names: impl Iterator<Item = String>,
    cols: Vec<Vec<f64>>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, col) in names.zip(cols) {
        d.set_item(name, col.into_pyarray(py))?;
    }
    Ok(d)
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
    let model = &scenario.model;
    let ids = resolve(&model.series().iter().map(|e| e.name.clone()).collect::<Vec<_>>(), &series, "series")
        .map_err(|e| to_py(py, e))?;
    let rows = given_rows(py, model, n, given)?;
    let req = Request { seed, first, n, series: ids, given: rows, threads, max_bytes };
    let out = detached(py, tick, |cb| runner::run_paths(model, &req, cb))?;
    let days = model.days();
    let s = PyDict::new(py);
    for (name, buf) in series.iter().zip(out.series) {
        let a = Array2::from_shape_vec((n, days), buf).expect("n x days");
        s.set_item(name, a.into_pyarray(py))?;
    }
    let o = columns(py, model.outcomes().iter().map(|e| e.name.clone()), out.outcomes)?;
    let p = columns(py, model.uncertain().iter().map(|u| u.path.clone()), out.params)?;
    Ok((s, o, p))
}

/// Statistics per (row, column) of a streaming summary: rows are series (or
/// outcomes, or parameters), columns are days (1 for outcomes).
#[pyclass(name = "SummaryTable", module = "attrition._core", frozen)]
pub struct PySummary {
    inner: Summary,
}

fn check_row(s: &Summary, row: usize) -> PyResult<()> {
    if row < s.rows { Ok(()) } else { Err(pyo3::exceptions::PyIndexError::new_err(format!("row {row} of {}", s.rows))) }
}

#[pymethods]
impl PySummary {
    #[getter]
    fn rows(&self) -> usize {
        self.inner.rows
    }
    #[getter]
    fn cols(&self) -> usize {
        self.inner.cols
    }

    /// (count, nan_count, mean, sd, min, max) of a row, each an array over columns.
    fn stats<'py>(&self, py: Python<'py>, row: usize) -> PyResult<Bound<'py, PyDict>> {
        check_row(&self.inner, row)?;
        let cells = &self.inner.cells[row * self.inner.cols..(row + 1) * self.inner.cols];
        let d = PyDict::new(py);
        let col = |f: &dyn Fn(&crate::summary::Cell) -> f64| cells.iter().map(f).collect::<Vec<f64>>();
        d.set_item("count", col(&|c| c.count() as f64).into_pyarray(py))?;
        d.set_item("nan", col(&|c| c.moments.nan as f64).into_pyarray(py))?;
        d.set_item("mean", col(&|c| c.mean()).into_pyarray(py))?;
        d.set_item("sd", col(&|c| c.sd()).into_pyarray(py))?;
        d.set_item("min", col(&|c| c.min()).into_pyarray(py))?;
        d.set_item("max", col(&|c| c.max()).into_pyarray(py))?;
        Ok(d)
    }

    /// Quantiles of a row: an array of shape (len(q), cols).
    fn quantiles<'py>(&self, py: Python<'py>, row: usize, q: Vec<f64>) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        check_row(&self.inner, row)?;
        let cols = self.inner.cols;
        let cells = &self.inner.cells[row * cols..(row + 1) * cols];
        let mut a = Array2::<f64>::zeros((q.len(), cols));
        for (i, qq) in q.iter().enumerate() {
            for (j, c) in cells.iter().enumerate() {
                a[[i, j]] = c.quantile(*qq);
            }
        }
        Ok(a.into_pyarray(py))
    }

    /// A new table with the counts of both (exact: any order gives the same state).
    fn merge(&self, other: &PySummary) -> PyResult<PySummary> {
        let mut s = self.inner.clone();
        s.merge(&other.inner).map_err(pyo3::exceptions::PyValueError::new_err)?;
        Ok(PySummary { inner: s })
    }

    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyBytes> {
        pyo3::types::PyBytes::new(py, &self.inner.to_bytes())
    }

    #[staticmethod]
    fn from_bytes(b: &[u8]) -> PyResult<PySummary> {
        Summary::from_bytes(b).map(|inner| PySummary { inner }).map_err(pyo3::exceptions::PyValueError::new_err)
    }

    fn nbytes(&self) -> usize {
        self.inner.bytes()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PySummary>().map(|o| o.get().inner == self.inner).unwrap_or(false)
    }
}

fn collected<'py>(py: Python<'py>, names: Vec<String>, c: Collected) -> PyResult<Bound<'py, PyAny>> {
    Ok(match c {
        Collected::Arrays(cols) => columns(py, names.into_iter(), cols)?.into_any(),
        Collected::Sketch(s) => Bound::new(py, PySummary { inner: s })?.into_any(),
    })
}

/// Like `run`, with streaming summaries of the series instead of paths.
/// Outcomes and parameters come back as dicts of arrays when `arrays`, as
/// SummaryTables (one row per name) otherwise.
#[pyfunction]
#[pyo3(signature = (scenario, *, seed, first, n, series, arrays, threads=None, max_bytes=None, given=None, tick=None))]
#[allow(clippy::too_many_arguments)]
fn run_summary<'py>(
    py: Python<'py>,
    scenario: &PyScenario,
    seed: u64,
    first: u64,
    n: usize,
    series: Vec<String>,
    arrays: bool,
    threads: Option<usize>,
    max_bytes: Option<u64>,
    given: Option<Bound<'py, PyDict>>,
    tick: Option<Bound<'py, PyAny>>,
) -> PyResult<(PySummary, Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let model = &scenario.model;
    let ids = resolve(&model.series().iter().map(|e| e.name.clone()).collect::<Vec<_>>(), &series, "series")
        .map_err(|e| to_py(py, e))?;
    let rows = given_rows(py, model, n, given)?;
    let req = Request { seed, first, n, series: ids, given: rows, threads, max_bytes };
    let out = detached(py, tick, |cb| runner::run_summary(model, &req, arrays, cb))?;
    let o = collected(py, model.outcomes().iter().map(|e| e.name.clone()).collect(), out.outcomes)?;
    let p = collected(py, model.uncertain().iter().map(|u| u.path.clone()).collect(), out.params)?;
    Ok((PySummary { inner: out.series }, o, p))
}

/// The random-number floor of trajectories 0..n: (seconds replaying the draws, number of draws).
/// Single-threaded, on the calling thread, without the GIL.
#[pyfunction]
fn rng_floor(py: Python<'_>, scenario: &PyScenario, seed: u64, n: usize) -> (f64, u64) {
    let model = &scenario.model;
    let f = py.detach(|| crate::engine::floor::measure(model, seed, n));
    (f.seconds, f.draws)
}

/// Bytes a summary-mode run would hold.
#[pyfunction]
fn estimate_summary_bytes(scenario: &PyScenario, n: usize, n_series: usize, threads: usize, arrays: bool) -> u64 {
    runner::estimate_summary_bytes(&scenario.model, n, n_series, threads, arrays)
}

/// Bytes a run with full paths of `n_series` series would hold.
#[pyfunction]
fn estimate_bytes(scenario: &PyScenario, n: usize, n_series: usize) -> u64 {
    runner::estimate_bytes(&scenario.model, n, n_series)
}

#[pymodule]
mod _core {
    #[pymodule_export]
    use super::PyScenario;
    #[pymodule_export]
    use super::PySummary;
    #[pymodule_export]
    use super::estimate_bytes;
    #[pymodule_export]
    use super::estimate_summary_bytes;
    #[pymodule_export]
    use super::rng_floor;
    #[pymodule_export]
    use super::run;
    #[pymodule_export]
    use super::run_summary;

    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add("MAX_DAYS", crate::scenario::MAX_DAYS)?;
        m.add("MAX_SCENARIO_BYTES", crate::scenario::MAX_SCENARIO_BYTES)?;
        m.add("BLOCK", crate::engine::runner::BLOCK)?;
        m.add("RELATIVE_ACCURACY", crate::summary::RELATIVE_ACCURACY)?;
        Ok(())
    }
}
