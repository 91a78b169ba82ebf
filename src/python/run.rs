//! Runs: `_core.run`, `_core.run_summary`, the memory estimates and the
//! random-number floor. The work runs without the GIL.
use std::collections::HashMap;

use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::errors::guarded;
use super::scenario::PyScenario;
use super::summary::{PyEvents, PySummary};
use crate::engine::runner::{self, Collected, Request};
use crate::engine::{floor, pool};
use crate::error::{CoreError, did_you_mean, shown};
use crate::model::Model;
use crate::model::registry::Entry;

/// The ids of the named entries (series), or the closest names of the first unknown one.
fn resolve(entries: &[Entry], asked: &[String], what: &str) -> Result<Vec<usize>, CoreError> {
    let ids: HashMap<&str, usize> = entries.iter().enumerate().map(|(i, e)| (e.name.as_str(), i)).collect();
    asked
        .iter()
        .map(|a| {
            ids.get(a.as_str()).copied().ok_or_else(|| {
                let hint = did_you_mean(a, entries.iter().map(|e| e.name.as_str()));
                CoreError::UnknownName(format!("no {what} named {:?}{hint}", shown(a)))
            })
        })
        .collect()
}

/// Given values of uncertain parameters, {path: array of n values}, as one
/// row of (parameter index, value) pairs per trajectory.
fn given_rows(model: &Model, n: usize, given: Option<Bound<'_, PyDict>>) -> PyResult<Vec<Vec<(usize, f64)>>> {
    let Some(g) = given else { return Ok(Vec::new()) };
    let uncertain = model.uncertain();
    let ids: HashMap<&str, usize> = uncertain.iter().enumerate().map(|(i, u)| (u.path.as_str(), i)).collect();
    let mut rows = vec![Vec::new(); n];
    for (k, v) in g.iter() {
        let path: String = k.extract()?;
        let Some(&j) = ids.get(path.as_str()) else {
            let hint = did_you_mean(&path, uncertain.iter().map(|u| u.path.as_str()));
            return Err(CoreError::UnknownName(format!("no uncertain parameter named {:?}{hint}", shown(&path))).into());
        };
        let arr: PyReadonlyArray1<f64> = v.extract()?;
        let a = arr.as_slice()?;
        if a.len() != n {
            return Err(
                CoreError::Argument(format!("{}: {} values for {n} trajectories", shown(&path), a.len())).into()
            );
        }
        for (row, x) in rows.iter_mut().zip(a) {
            row.push((j, *x));
        }
    }
    Ok(rows)
}

/// Check values given for uncertain parameters, `{path: array}` with one
/// value per row, against the scenario's rules (each value finite and in its
/// parameter's domain) before a run: a ScenarioError names the parameter, the
/// rule and the first bad row.
#[pyfunction]
pub(super) fn check_samples(scenario: &PyScenario, given: Bound<'_, PyDict>) -> PyResult<()> {
    let n = match given.values().iter().next() {
        Some(v) => v.len()?,
        None => return Ok(()),
    };
    let rows = given_rows(&scenario.model, n, Some(given))?;
    Ok(runner::check_given(&scenario.model, &rows)?)
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
        (Err(e), None) => Err(e.into()),
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

fn collected<'py>(py: Python<'py>, names: impl Iterator<Item = String>, c: Collected) -> PyResult<Bound<'py, PyAny>> {
    Ok(match c {
        Collected::Arrays(cols) => columns(py, names, cols)?.into_any(),
        Collected::Sketch(s) => Bound::new(py, PySummary { inner: s })?.into_any(),
    })
}

fn outcome_names(model: &Model) -> impl Iterator<Item = String> + '_ {
    model.outcomes().iter().map(|e| e.name.clone())
}

fn param_names(model: &Model) -> impl Iterator<Item = String> + '_ {
    model.uncertain().iter().map(|u| u.path.clone())
}

/// Run trajectories `first .. first + n` of `seed`'s streams with full paths
/// for the named series. `given` maps uncertain parameter paths to arrays of
/// n values. `tick(done)` is called between waves of blocks (with the GIL)
/// and may raise to stop the run. Returns (series, outcomes, params) dicts.
#[pyfunction]
#[pyo3(signature = (scenario, *, seed, first, n, series, threads=None, max_bytes=None, given=None, tick=None))]
#[allow(clippy::too_many_arguments)] // keyword arguments of a Python function
pub(super) fn run<'py>(
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
    guarded(|| {
        let model = &scenario.model;
        let ids = resolve(model.series(), &series, "series")?;
        let rows = given_rows(model, n, given)?;
        let req = Request { seed, first, n, series: ids, given: rows, threads, max_bytes };
        let out = detached(py, tick, |cb| runner::run_paths(model, &req, cb))?;
        let days = model.days();
        let s = PyDict::new(py);
        for (name, buf) in series.iter().zip(out.series) {
            let a = Array2::from_shape_vec((n, days), buf)
                .map_err(|e| CoreError::Internal(format!("a path buffer is not n x days: {e}")))?;
            s.set_item(name, a.into_pyarray(py))?;
        }
        let o = columns(py, outcome_names(model), out.outcomes)?;
        let p = columns(py, param_names(model), out.params)?;
        Ok((s, o, p))
    })
}

/// What `run_summary` returns: the series' summaries, the outcomes and the
/// parameters (arrays or sketches), and the first-passage day counts.
type SummaryRun<'py> = (PySummary, Bound<'py, PyAny>, Bound<'py, PyAny>, Option<PyEvents>);

/// Like `run`, with streaming summaries of the series instead of paths.
/// Outcomes and parameters come back as dicts of arrays when `arrays`, as
/// SummaryTables (one row per name) otherwise; then, with SummaryTables, the
/// exact counts of the first-passage outcomes' days as an EventTable (None
/// with arrays, which hold the days themselves).
#[pyfunction]
#[pyo3(signature = (scenario, *, seed, first, n, series, arrays, threads=None, max_bytes=None, given=None, tick=None))]
#[allow(clippy::too_many_arguments)] // keyword arguments of a Python function
pub(super) fn run_summary<'py>(
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
) -> PyResult<SummaryRun<'py>> {
    guarded(|| {
        let model = &scenario.model;
        let ids = resolve(model.series(), &series, "series")?;
        let rows = given_rows(model, n, given)?;
        let req = Request { seed, first, n, series: ids, given: rows, threads, max_bytes };
        let out = detached(py, tick, |cb| runner::run_summary(model, &req, arrays, cb))?;
        let o = collected(py, outcome_names(model), out.outcomes)?;
        let p = collected(py, param_names(model), out.params)?;
        let events = out.events.map(|inner| PyEvents { inner });
        Ok((PySummary { inner: out.series }, o, p, events))
    })
}

/// The random-number floor of trajectories 0..n: (seconds replaying the draws, number of draws).
/// Single-threaded, on the calling thread, without the GIL.
#[pyfunction]
pub(super) fn rng_floor(py: Python<'_>, scenario: &PyScenario, seed: u64, n: usize) -> PyResult<(f64, u64)> {
    let model = &scenario.model;
    guarded(|| {
        let f = py.detach(|| floor::measure(model, seed, n));
        Ok((f.seconds, f.draws))
    })
}

/// Bytes a summary-mode run would hold on `threads` worker threads (0: one
/// summary, no workers, as for a merged result).
#[pyfunction]
pub(super) fn estimate_summary_bytes(
    scenario: &PyScenario,
    n: usize,
    n_series: usize,
    threads: usize,
    arrays: bool,
) -> PyResult<u64> {
    guarded(|| Ok(runner::estimate_summary_bytes(&scenario.model, n, n_series, threads, arrays)))
}

/// Bytes a run with full paths of `n_series` series would hold on `threads`
/// worker threads (None: the shared pool's; 0: none, as for a merged result).
#[pyfunction]
#[pyo3(signature = (scenario, n, n_series, threads=None))]
pub(super) fn estimate_bytes(
    scenario: &PyScenario,
    n: usize,
    n_series: usize,
    threads: Option<usize>,
) -> PyResult<u64> {
    guarded(|| {
        let t = match threads {
            None => pool::threads_of(None)?,
            Some(k) => k,
        };
        Ok(runner::estimate_bytes(&scenario.model, n, n_series, t))
    })
}

/// The worker threads a run with `threads` would use (None: the shared pool's).
#[pyfunction]
#[pyo3(signature = (threads=None))]
pub(super) fn worker_threads(threads: Option<usize>) -> PyResult<usize> {
    guarded(|| Ok(pool::threads_of(threads)?))
}
