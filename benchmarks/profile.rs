//! Runs the benchmark scenario single-threaded, for profilers:
//! `valgrind --tool=callgrind target/release/examples/profile 20 [MODE]` (from the
//! repository root), MODE one of
//! - `engine` (default): outcomes only, no series;
//! - `summary`: summary mode with the default series (the patterns of
//!   `attrition.DEFAULT_SERIES`), outcomes as sketches;
//! - `nothing`: summary mode recording no series, outcomes as sketches (what
//!   `summary` is compared with);
//! - `floor`: the random-number floor (the run with a tape, then its replay).
use attrition::engine::floor;
use attrition::engine::runner::{Request, run_paths, run_summary};
use attrition::model::Model;
use attrition::scenario::Validated;

/// `attrition.DEFAULT_SERIES`.
const DEFAULT_SERIES: [&str; 7] = [
    "*.fire.total.effective",
    "*.ammo.*.stock",
    "*.ammo.*.shortfall",
    "*.fleet.*.serviceable",
    "*.casualties.total.cumulative",
    "*.contingent.*.cumulative",
    "*.territory.area.cumulative_sqmi",
];

/// A dotted name against a pattern whose `*` parts match any one part.
fn matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<&str>, Vec<&str>) = (pattern.split('.').collect(), name.split('.').collect());
    p.len() == n.len() && p.iter().zip(&n).all(|(a, b)| *a == "*" || a == b)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let mode = args.next().unwrap_or_else(|| "engine".into());
    let text = std::fs::read_to_string("benchmarks/bench.toml").expect("run from the repository root");
    let v = Validated::from_toml_str(&text).expect("valid");
    let model = Model::new(v);
    let series: Vec<usize> = match mode.as_str() {
        "summary" => (0..model.series().len())
            .filter(|&i| DEFAULT_SERIES.iter().any(|p| matches(p, &model.series()[i].name)))
            .collect(),
        _ => vec![],
    };
    let req = Request { seed: 1, first: 0, n, series, given: vec![], threads: Some(1), max_bytes: None };
    match mode.as_str() {
        "engine" => {
            let out = run_paths(&model, &req, |_| true).expect("runs");
            println!("{}", out.outcomes[0].iter().sum::<f64>());
        }
        "summary" | "nothing" => {
            let out = run_summary(&model, &req, false, |_| true).expect("runs");
            println!("{} series, {} cells", req.series.len(), out.series.cells.len());
        }
        "floor" => {
            let f = floor::measure(&model, 1, n);
            println!("{} draws, {:.3} ms a trajectory", f.draws, f.seconds * 1e3 / n as f64);
        }
        other => panic!("unknown mode {other}: engine, summary, nothing or floor"),
    }
}
