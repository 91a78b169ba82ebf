//! attrition: Monte Carlo scenarios of a war of attrition.
//!
//! The module tree only; see each module's docs.
pub mod engine;
pub mod error;
pub mod model;
pub mod rng;
pub mod scenario;
pub mod summary;

#[cfg(feature = "python")]
mod python;
