//! Helpers shared by the integration tests: scenarios from TOML, runs with
//! every series recorded, and the statistical checks. Each test crate uses
//! its own part of them.
#![allow(dead_code, reason = "each test crate uses its own part of the shared helpers")]

pub mod policy;

use std::collections::BTreeMap;

use attrition::engine::runner::{Paths, Request, run_paths};
use attrition::model::Model;
use attrition::scenario::{Date, Validated};
use proptest::test_runner::{Config as ProptestConfig, RngSeed};
use serde_json::Value;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Two-sided standard normal critical value at alpha = 0.001.
pub const Z: f64 = 3.2905;
/// Significance level of every statistical test.
pub const ALPHA: f64 = 0.001;
/// Square kilometres per square mile.
pub const KM2_PER_SQMI: f64 = 2.589_988_110_336;

/// Property tests run `cases` cases from one fixed seed, like every other
/// randomised test here (a failure is a finding, not bad luck), and keep no
/// regression files.
pub fn proptest_config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(20_241_224),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

pub fn toml(text: &str) -> Validated {
    Validated::from_toml_str(text).unwrap_or_else(|e| panic!("scenario refused: {e}\n{text}"))
}

/// A run with every series recorded as full paths.
pub struct Run {
    pub model: Model,
    pub paths: Paths,
    pub n: usize,
    pub days: usize,
    pub series: BTreeMap<String, usize>,
    pub outcomes: BTreeMap<String, usize>,
}

pub fn request(seed: u64, first: u64, n: usize, series: Vec<usize>, threads: Option<usize>) -> Request {
    Request { seed, first, n, series, given: vec![], threads, max_bytes: None }
}

pub fn run(s: &Validated, seed: u64, n: usize) -> Run {
    let model = Model::new(s.clone());
    let ids: Vec<usize> = (0..model.series().len()).collect();
    let paths = run_paths(&model, &request(seed, 0, n, ids, None), |_| true).expect("the run succeeds");
    let series = model.series().iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
    let outcomes = model.outcomes().iter().enumerate().map(|(i, s)| (s.name.clone(), i)).collect();
    Run { days: model.days(), model, paths, n, series, outcomes }
}

impl Run {
    /// The path of series `name` in trajectory `i`.
    pub fn s(&self, name: &str, i: usize) -> &[f64] {
        let id = *self.series.get(name).unwrap_or_else(|| panic!("no series {name}"));
        &self.paths.series[id][i * self.days..(i + 1) * self.days]
    }
    pub fn has(&self, name: &str) -> bool {
        self.series.contains_key(name)
    }
    /// The column of outcome `name`.
    pub fn o(&self, name: &str) -> &[f64] {
        let id = *self.outcomes.get(name).unwrap_or_else(|| panic!("no outcome {name}"));
        &self.paths.outcomes[id]
    }
    /// Value of the parameter at dotted `path` in trajectory `i`: the number
    /// in the scenario if fixed, else the drawn value.
    pub fn param(&self, scen: &Value, path: &str, i: usize) -> f64 {
        let mut v = scen;
        for part in path.split('.') {
            v = &v[part];
        }
        if let Some(x) = v.as_f64() {
            return x;
        }
        let j = self
            .model
            .uncertain()
            .iter()
            .position(|u| u.path == path)
            .unwrap_or_else(|| panic!("{path} is neither fixed nor uncertain"));
        self.paths.params[j][i]
    }
}

pub fn assert_chi_square(what: &str, observed: &[f64], expected: &[f64]) {
    let (stat, df) = chi_square(observed, expected);
    let crit = ChiSquared::new(df as f64).unwrap().inverse_cdf(1.0 - ALPHA);
    assert!(
        stat <= crit,
        "{what}: chi-square = {stat:.2} > critical {crit:.2} (df = {df}, alpha = {ALPHA}, n = {})",
        observed.iter().sum::<f64>()
    );
}

/// Histogram of integer counts 0..=max (larger ones in the last cell).
pub fn histogram(xs: impl IntoIterator<Item = f64>, max: usize) -> Vec<f64> {
    let mut h = vec![0.0; max + 1];
    for x in xs {
        assert!(x >= 0.0 && x == x.trunc(), "not a count: {x}");
        h[(x as usize).min(max)] += 1.0;
    }
    h
}

pub fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    (m, xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0))
}

pub fn date(offset: i64) -> String {
    Date(Date::parse("2024-01-01").unwrap().0 + offset as i32).to_string()
}

/// Chi-square statistic and degrees of freedom after merging adjacent cells
/// until each has an expected count of at least 5 (a short last group joins
/// the previous one). `expected` must sum to the number of observations.
pub fn chi_square(observed: &[f64], expected: &[f64]) -> (f64, usize) {
    assert_eq!(observed.len(), expected.len());
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let (mut o, mut e) = (0.0, 0.0);
    for (&oi, &ei) in observed.iter().zip(expected) {
        o += oi;
        e += ei;
        if e >= 5.0 {
            cells.push((o, e));
            o = 0.0;
            e = 0.0;
        }
    }
    if e > 0.0 || o > 0.0 {
        match cells.last_mut() {
            Some(last) => {
                last.0 += o;
                last.1 += e;
            }
            None => cells.push((o, e)),
        }
    }
    assert!(cells.len() >= 2, "too few cells for a chi-square test");
    let stat = cells.iter().map(|(o, e)| (o - e) * (o - e) / e).sum();
    (stat, cells.len() - 1)
}
