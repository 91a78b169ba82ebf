//! Runs the benchmark scenario single-threaded, for profilers:
//! `valgrind --tool=callgrind target/release/examples/profile 20`.
use attrition::engine::runner::{Request, run_paths};
use attrition::model::Model;
use attrition::scenario::Validated;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let text = std::fs::read_to_string("benchmarks/bench.toml").expect("run from the repository root");
    let v = Validated::from_toml_str(&text).expect("valid");
    let model = Model::new(v);
    let req = Request { seed: 1, first: 0, n, series: vec![], given: vec![], threads: Some(1), max_bytes: None };
    let out = run_paths(&model, &req, |_| true).expect("runs");
    println!("{}", out.outcomes[0].iter().sum::<f64>());
}
