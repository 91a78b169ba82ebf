//! The Monte Carlo runner (blocks of trajectories over rayon), the worker
//! threads it runs them on, and the random-number floor of a run.
pub mod floor;
pub mod pool;
pub mod runner;
