//! Fuzz the scenario parser: any bytes in, a scenario or a `ScenarioError`
//! out, never a panic, a crash or a hang. A text that parses is compiled and
//! run for three days, one trajectory, so the model meets every value the
//! validation lets through.
#![no_main]

use attrition::engine::runner::{Request, run_paths};
use attrition::model::Model;
use attrition::scenario::Validated;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(v) = Validated::from_toml_str(text) else { return };
    let mut scenario = v.scenario().clone();
    scenario.days = scenario.days.min(3);
    let v = Validated::new(scenario).expect("a valid scenario stays valid with fewer days");
    let model = Model::new(v);
    let request = Request {
        seed: 1,
        first: 0,
        n: 1,
        series: (0..model.series().len()).collect(),
        given: Vec::new(),
        threads: None,
        max_bytes: Some(1 << 30),
    };
    let out = run_paths(&model, &request, |_| true).expect("a small run succeeds");
    assert_eq!(out.series.len(), model.series().len());
});
