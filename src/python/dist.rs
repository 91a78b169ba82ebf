//! `_core.Dist`: a scenario distribution with its CDF and inverse CDFs, for
//! sensitivity designs and calibration.
use numpy::{AllowTypeChange, IntoPyArray, PyArrayLikeDyn};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyTuple};
use serde_json::Value;

use super::convert::{json_to_py, to_json};
use super::errors::guarded;
use crate::error::{CoreError, at};
use crate::scenario::Dist;

/// A distribution as in the scenario format: a number, or a dict such as
/// `{"dist": "pert", "low": 1, "mode": 2, "high": 3}`, checked by the
/// scenario's rules (a `ScenarioError` naming `path` otherwise).
#[pyclass(name = "Dist", module = "attrition._core", frozen)]
pub struct PyDist {
    dist: Dist,
}

/// `f` over a float, or elementwise over an array (any shape) of float64.
fn map<'py>(x: &Bound<'py, PyAny>, f: impl Fn(f64) -> f64) -> PyResult<Bound<'py, PyAny>> {
    guarded(|| {
        let py = x.py();
        if (x.is_instance_of::<PyFloat>() || x.is_instance_of::<PyInt>()) && !x.is_instance_of::<PyBool>() {
            return Ok(PyFloat::new(py, f(x.extract::<f64>()?)).into_any());
        }
        let a: PyArrayLikeDyn<'py, f64, AllowTypeChange> = x.extract()?;
        Ok(a.as_array().mapv(f).into_pyarray(py).into_any())
    })
}

#[pymethods]
impl PyDist {
    #[new]
    #[pyo3(signature = (spec, path = ""))]
    fn new(spec: &Bound<'_, PyAny>, path: &str) -> PyResult<PyDist> {
        guarded(|| {
            let v = to_json(spec, path, 0).map_err(|m| CoreError::Scenario(vec![m]))?;
            let dist = Dist::from_value(&v).map_err(|m| CoreError::Scenario(vec![at(path, m)]))?;
            Ok(PyDist { dist })
        })
    }

    /// The inverse CDF at `u` in [0, 1] (NaN outside).
    fn ppf<'py>(&self, u: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        map(u, |u| self.dist.ppf(u))
    }

    /// The inverse survival function: the value exceeded with probability
    /// `q`, accurate for `q` near 0.
    fn isf<'py>(&self, q: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        map(q, |q| self.dist.isf(q))
    }

    /// The CDF at `x`.
    fn cdf<'py>(&self, x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        map(x, |x| self.dist.cdf(x))
    }

    /// `ppf(Phi(z))` for standard-normal scores `z`, keeping the upper tail's precision.
    #[pyo3(name = "from_normal_score")]
    fn normal_score_quantile<'py>(&self, z: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        map(z, |z| self.dist.from_normal_score(z))
    }

    /// The smallest and largest value.
    fn support(&self) -> (f64, f64) {
        self.dist.support()
    }

    /// The median (for `choice`, the smallest value whose cumulative weight exceeds 1/2).
    fn median(&self) -> PyResult<f64> {
        guarded(|| Ok(self.dist.median()))
    }

    /// A short form, e.g. `pert(1500, 2000, 3000)`.
    fn describe(&self) -> String {
        self.dist.describe()
    }

    /// True when the distribution has a single value.
    #[getter]
    fn degenerate(&self) -> bool {
        self.dist.single_value().is_some()
    }

    /// True for `choice`, whose values are discrete.
    #[getter]
    fn discrete(&self) -> bool {
        self.dist.is_discrete()
    }

    /// The distribution as a dict in the scenario format (`fixed` included).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match (&self.dist, self.dist.to_value()) {
            (Dist::Fixed(v), _) => {
                let d = PyDict::new(py);
                d.set_item("dist", "fixed")?;
                d.set_item("value", *v)?;
                Ok(d.into_any())
            }
            (_, v @ Value::Object(_)) => json_to_py(py, &v),
            (_, other) => Err(CoreError::Internal(format!("a distribution as {other}")).into()),
        }
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let spec = slf.get().to_dict(slf.py())?;
        Ok((slf.get_type().into_any(), PyTuple::new(slf.py(), [spec])?))
    }

    fn __repr__(&self) -> String {
        format!("Dist({})", self.dist.describe())
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyDist>().map(|o| o.get().dist == self.dist).unwrap_or(false)
    }
}
