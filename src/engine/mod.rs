//! The Monte Carlo runner (blocks of trajectories over rayon) and the
//! random-number floor of a run.
pub mod floor;
pub mod runner;
