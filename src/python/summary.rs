//! `_core.SummaryTable`: streaming statistics per (row, column).
use numpy::IntoPyArray;
use numpy::ndarray::Array2;
use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::errors::{guarded, integrity};
use crate::summary::{Cell, EventCounts, Summary};

/// Statistics per (row, column) of a streaming summary: rows are series (or
/// outcomes, or parameters), columns are days (1 for outcomes).
#[pyclass(name = "SummaryTable", module = "attrition._core", frozen)]
pub struct PySummary {
    pub(super) inner: Summary,
}

fn check_row(s: &Summary, row: usize) -> PyResult<()> {
    if row < s.rows { Ok(()) } else { Err(PyIndexError::new_err(format!("row {row} of {}", s.rows))) }
}

impl PySummary {
    fn row(&self, row: usize) -> PyResult<&[Cell]> {
        check_row(&self.inner, row)?;
        let cols = self.inner.cols;
        Ok(&self.inner.cells[row * cols..(row + 1) * cols])
    }
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
        let cells = self.row(row)?;
        let d = PyDict::new(py);
        let col = |f: &dyn Fn(&Cell) -> f64| cells.iter().map(f).collect::<Vec<f64>>();
        d.set_item("count", col(&|c| c.count() as f64).into_pyarray(py))?;
        d.set_item("nan", col(&|c| c.nan_count() as f64).into_pyarray(py))?;
        d.set_item("mean", col(&|c| c.mean()).into_pyarray(py))?;
        d.set_item("sd", col(&|c| c.sd()).into_pyarray(py))?;
        d.set_item("min", col(&|c| c.min()).into_pyarray(py))?;
        d.set_item("max", col(&|c| c.max()).into_pyarray(py))?;
        Ok(d)
    }

    /// Quantiles of a row: an array of shape (len(q), cols).
    fn quantiles<'py>(&self, py: Python<'py>, row: usize, q: Vec<f64>) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        let cells = self.row(row)?;
        let mut a = Array2::<f64>::zeros((q.len(), cells.len()));
        for (i, qq) in q.iter().enumerate() {
            for (j, c) in cells.iter().enumerate() {
                a[[i, j]] = c.quantile(*qq);
            }
        }
        Ok(a.into_pyarray(py))
    }

    /// A new table with the counts of both (exact: any order gives the same state;
    /// `IntegrityError` for tables of other shapes or counts that would pass 2^64 - 1).
    fn merge(&self, py: Python<'_>, other: &PySummary) -> PyResult<PySummary> {
        guarded(|| {
            let mut s = self.inner.clone();
            py.detach(|| s.merge(&other.inner)).map_err(integrity)?;
            Ok(PySummary { inner: s })
        })
    }

    /// The table in a checked envelope (magic, format version, library version,
    /// length, CRC-32).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guarded(|| Ok(PyBytes::new(py, &py.detach(|| self.inner.to_bytes()))))
    }

    /// A table from `to_bytes`; `IntegrityError` naming the check that failed for
    /// anything truncated, corrupted, foreign or of another format version.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, b: &[u8]) -> PyResult<PySummary> {
        guarded(|| py.detach(|| Summary::from_bytes(b)).map(|inner| PySummary { inner }).map_err(integrity))
    }

    fn nbytes(&self) -> usize {
        self.inner.bytes()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PySummary>().map(|o| o.get().inner == self.inner).unwrap_or(false)
    }
}

/// Exact counts of first-passage days from a summary run: per first-passage
/// outcome (rows, in outcome order), the trajectories whose event happened on
/// each day and those in which it did not happen within the horizon.
#[pyclass(name = "EventTable", module = "attrition._core", frozen)]
pub struct PyEvents {
    pub(super) inner: EventCounts,
}

impl PyEvents {
    fn check(&self, row: usize) -> PyResult<()> {
        if row < self.inner.rows {
            Ok(())
        } else {
            Err(PyIndexError::new_err(format!("row {row} of {}", self.inner.rows)))
        }
    }
}

#[pymethods]
impl PyEvents {
    #[getter]
    fn rows(&self) -> usize {
        self.inner.rows
    }
    #[getter]
    fn days(&self) -> usize {
        self.inner.days
    }

    /// Trajectories whose event happened on each day (an array of `days` counts).
    fn counts<'py>(&self, py: Python<'py>, row: usize) -> PyResult<Bound<'py, numpy::PyArray1<u64>>> {
        self.check(row)?;
        Ok(self.inner.row(row).to_vec().into_pyarray(py))
    }

    /// Trajectories in which the event did not happen within the horizon.
    fn never(&self, row: usize) -> PyResult<u64> {
        self.check(row)?;
        Ok(self.inner.never[row])
    }

    /// A new table with the counts of both (exact: any order gives the same state;
    /// `IntegrityError` for tables of other shapes or counts that would pass 2^64 - 1).
    fn merge(&self, other: &PyEvents) -> PyResult<PyEvents> {
        guarded(|| {
            let mut e = self.inner.clone();
            e.merge(&other.inner).map_err(integrity)?;
            Ok(PyEvents { inner: e })
        })
    }

    /// The counts in a checked envelope (magic, format version, library version,
    /// length, CRC-32).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        guarded(|| Ok(PyBytes::new(py, &self.inner.to_bytes())))
    }

    /// Counts from `to_bytes`; `IntegrityError` naming the check that failed.
    #[staticmethod]
    fn from_bytes(b: &[u8]) -> PyResult<PyEvents> {
        guarded(|| EventCounts::from_bytes(b).map(|inner| PyEvents { inner }).map_err(integrity))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyEvents>().map(|o| o.get().inner == self.inner).unwrap_or(false)
    }
}
