//! The pyo3 layer, `attrition._core`: conversions, the exception mapping and
//! releasing the GIL. Nothing here models anything; every call is a short
//! shim over the core. This file declares the module only.
mod convert;
mod dist;
mod errors;
mod reference;
mod registry;
mod run;
mod scenario;
mod summary;

use pyo3::prelude::*;

#[pymodule]
mod _core {
    #[pymodule_export]
    use super::dist::PyDist;
    #[pymodule_export]
    use super::reference::{facts, json_schema};
    #[pymodule_export]
    use super::registry::{outcome_kinds, series_kinds};
    #[pymodule_export]
    use super::run::{
        check_samples, estimate_bytes, estimate_summary_bytes, rng_floor, run, run_summary, worker_threads,
    };
    #[pymodule_export]
    use super::scenario::{PyScenario, builtin_names};
    #[pymodule_export]
    use super::summary::{PyEvents, PySummary};

    use super::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add("MAX_DAYS", crate::scenario::MAX_DAYS)?;
        m.add("MAX_SCENARIO_BYTES", crate::scenario::MAX_SCENARIO_BYTES)?;
        m.add("BLOCK", crate::engine::runner::BLOCK)?;
        m.add("MAX_THREADS", crate::engine::pool::MAX_THREADS)?;
        m.add("MAX_GUNS", crate::scenario::fields::MAX_GUNS)?;
        m.add("MAX_TOTAL_GUNS", crate::scenario::compile::MAX_TOTAL_GUNS)?;
        m.add("MAX_TOTAL_RTD_DAYS", crate::scenario::compile::MAX_TOTAL_RTD_DAYS)?;
        m.add("MAX_ITEMS", crate::scenario::compile::MAX_ITEMS)?;
        m.add("SUMMARY_FORMAT", crate::summary::FORMAT_VERSION)?;
        m.add("RELATIVE_ACCURACY", crate::summary::RELATIVE_ACCURACY)?;
        Ok(())
    }
}
