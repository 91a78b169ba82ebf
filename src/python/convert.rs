//! Python values to JSON (with the dotted path of each problem) and back.
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::scenario::parse::key_in_path;

/// Deepest nesting of a value taken from Python.
const MAX_DEPTH: usize = 32;

/// The name of an object's type, for messages.
pub(super) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

/// A Python value (dict, list, number, string, bool, date) as JSON, with paths in errors.
pub(super) fn to_json(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> Result<Value, String> {
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
                .map_err(|_| format!("{here}: keys must be strings, got {}", type_name(&k)))?;
            let shown = key_in_path(&key);
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
    Err(format!("{here}: wrong type: got a {}", type_name(obj)))
}

/// A JSON value as Python (dicts, lists, ints, floats, strings, bools).
pub(super) fn json_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
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
