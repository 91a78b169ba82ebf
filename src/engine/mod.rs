//! Keyed random streams, samplers and the Monte Carlo runner.
pub mod floor;
pub mod rng;
pub mod runner;
pub mod sample;
