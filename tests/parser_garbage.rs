//! The scenario parser never panics, whatever bytes it is fed: a smoke test
//! without libFuzzer (the cargo-fuzz target lives in fuzz/). About 20,000
//! inputs from a fixed-seed generator: random bytes, random TOML-ish token
//! soup, and mutations of the built-in scenarios, overlays included (bit
//! flips, insertions, deletions, duplicated ranges, spliced tokens, numbers
//! replaced by extreme ones, truncation). Every input must give a scenario or
//! a `Scenario` error; a scenario is also simulated for three days, one
//! trajectory.
use std::panic::{AssertUnwindSafe, catch_unwind};

use attrition::error::CoreError;
use attrition::model::{Model, Sink};
use attrition::scenario::Validated;
use attrition::scenario::overlay::BUILTINS;

/// The texts mutated: the built-ins (two of them overlays of the third) and the tests' two-sided scenario.
fn bases() -> Vec<&'static str> {
    BUILTINS.iter().map(|(_, text)| *text).chain([include_str!("data/two_sides.toml")]).collect()
}

/// Tokens spliced into inputs: TOML syntax, schema words, hostile values.
#[rustfmt::skip] // a table of short tokens, kept dense
const TOKENS: [&str; 61] = [
    "=", "[", "]", "[[", "]]", "{", "}", ",", ".", "\"", "'", "\"\"\"", "'''", "#", "\n", "\r\n", "\t", "\\u0000",
    "\\", "dist", "\"pert\"", "\"normal\"", "\"choice\"", "low", "mode", "high", "values = []", "weights = [0]",
    "nan", "inf", "-inf", "+nan", "1e308", "-1e308", "1e-320", "18446744073709551616", "-9223372036854775808",
    "9223372036854775807", "0x7fffffff", "0o777", "0b1", "1_000", "0000-01-01", "9999-12-31", "2024-02-30",
    "1979-05-27T07:32:00Z", "07:32:00", "true", "[sides.a]", "[sides.a.fleets.f]", "opponent = \"a\"",
    "include = \"other.toml\"", "days = 4294967296", "caliber = \"none\"", "\u{feff}", "\u{10ffff}", "é", "\u{0}",
    "extends = \"baseline-2024-12\"", "extends = \"no-dprk\"", "remove = [\"sides.russia.calibers.152mm\"]",
];

/// Extreme values for numbers in the built-ins (sizes beyond the model's
/// limits are refused by the validation).
#[rustfmt::skip] // a table of short tokens, kept dense
const NUMBERS: [&str; 16] = [
    "0", "-1", "-0.0", "1", "0.5", "1e-300", "1e300", "1.7976931348623157e308", "nan", "inf", "-inf",
    "4294967295", "255", "256", "1e6", "\"12\"",
];

/// SplitMix64: a fixed, dependency-free generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    let len = rng.below(300);
    (0..len).map(|_| rng.next() as u8).collect()
}

fn token_soup(rng: &mut Rng) -> Vec<u8> {
    let mut s = String::new();
    for _ in 0..rng.below(80) {
        match rng.below(4) {
            0 => s.push_str(rng.pick(&TOKENS)),
            1 => s.push_str(rng.pick(&NUMBERS)),
            2 => s.push_str(rng.pick(&["name", "start", "days", "sides", "ref_fire", "guns", "rate", "a", "b"])),
            _ => s.push(' '),
        }
    }
    s.into_bytes()
}

/// Replace the value of one `key = number` line by an extreme number.
fn replace_number(rng: &mut Rng, text: &str) -> Vec<u8> {
    let lines: Vec<&str> = text.lines().collect();
    let numeric: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let v = lines[i].split_once('=').map(|(_, v)| v.trim()).unwrap_or("");
            v.starts_with(|c: char| c.is_ascii_digit() || c == '-')
        })
        .collect();
    if numeric.is_empty() {
        return text.as_bytes().to_vec();
    }
    let i = numeric[rng.below(numeric.len())];
    let key = lines[i].split_once('=').map(|(k, _)| k).unwrap_or("");
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[i] = format!("{key}= {}", rng.pick(&NUMBERS));
    out.join("\n").into_bytes()
}

fn mutate(rng: &mut Rng, mut b: Vec<u8>) -> Vec<u8> {
    for _ in 0..1 + rng.below(4) {
        let len = b.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                let tok = rng.pick(&TOKENS).as_bytes().to_vec();
                b.splice(i..i, tok);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(64)).min(len);
                b.drain(i..j);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let j = (i + 1 + rng.below(200)).min(len);
                let chunk = b[i..j].to_vec();
                let k = rng.below(len + 1);
                b.splice(k..k, chunk);
            }
            4 => b.truncate(rng.below(len + 1)),
            5 if len > 0 => {
                let i = rng.below(len);
                b[i] = rng.next() as u8;
            }
            _ => {
                let i = rng.below(len + 1);
                let tok = rng.pick(&NUMBERS).as_bytes().to_vec();
                b.splice(i..i, tok);
            }
        }
    }
    b
}

/// Counts the values each series receives.
struct Count(Vec<usize>);

impl Sink for Count {
    fn put(&mut self, series: usize, _: usize, _: f64) {
        self.0[series] += 1;
    }
}

fn check(input: &[u8], ran: &mut usize) {
    let text = String::from_utf8_lossy(input);
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        match Validated::from_toml_str(&text) {
            Ok(v) => {
                let mut s = v.scenario().clone();
                s.days = s.days.min(3);
                let v = Validated::new(s).expect("a valid scenario stays valid with fewer days");
                let model = Model::new(v);
                // One trajectory straight through the model (the runner is not the subject here).
                let mut sink = Count(vec![0; model.series().len()]);
                let mut outcomes = vec![f64::NAN; model.outcomes().len()];
                let mut params = vec![f64::NAN; model.uncertain().len()];
                model.simulate(7, 0, &[], &mut sink, &mut outcomes, &mut params);
                assert!(sink.0.iter().all(|&k| k == model.days()), "every series gets a value a day");
                assert!(params.iter().all(|p| !p.is_nan()), "every uncertain parameter is drawn");
                true
            }
            Err(CoreError::Scenario(msgs)) => {
                assert!(!msgs.is_empty());
                for m in &msgs {
                    assert!(!m.is_empty());
                    // A message echoes a window of the input, never the whole of a long line.
                    assert!(m.len() < 4_000, "message of {} bytes: {}...", m.len(), &m[..200]);
                }
                false
            }
            Err(other) => panic!("not a scenario error: {other:?}"),
        }
    }));
    match outcome {
        Ok(true) => *ran += 1,
        Ok(false) => {}
        Err(_) => panic!("the parser panicked on {:?}", String::from_utf8_lossy(input)),
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(0x5EED_2024_1224);
    let bases = bases();
    let mut ran = 0;
    let total = 20_000;
    for i in 0..total {
        let input = match i % 5 {
            0 => random_bytes(&mut rng),
            1 => token_soup(&mut rng),
            2 => {
                let base = bases[rng.below(bases.len())];
                replace_number(&mut rng, base)
            }
            _ => {
                let base = bases[rng.below(bases.len())].as_bytes().to_vec();
                mutate(&mut rng, base)
            }
        };
        check(&input, &mut ran);
    }
    // The mutations must keep some inputs valid, or the run half tests nothing.
    assert!(ran > total / 20, "only {ran} of {total} inputs parsed");
}

#[test]
fn exact_inputs() {
    let mut ran = 0;
    let long_line = format!("x = {}{}", "[".repeat(200_000), "]".repeat(200_000));
    let inputs: Vec<String> = vec![
        String::new(),
        "\u{feff}".into(),
        "\0".into(),
        long_line,
        format!("name = \"{}\"", "a".repeat(100_000)),
        "a.".repeat(5_000) + "b = 1",
        format!("[{}]", vec!["a"; 5_000].join(".")),
        "name = \"x\"\nstart = 0000-01-01\n[sides.a]".into(),
        "name = \"x\"\nstart = 2024-01-01\ndays = 0\n[sides.a]".into(),
        "name = \"x\"\nstart = 2024-01-01\n[sides]".into(),
        "name = \"x\"\nstart = 2024-01-01\ninclude = \"other.toml\"\n[sides.a]".into(),
        "name = \"x\"\nstart = 2024-01-01\n[sides.a]\nref_fire = {dist = \"lognormal\", mu = 1e308, sigma = 1e308}"
            .into(),
        "name = \"x\"\nstart = 2024-01-01\n[sides.a]\nref_fire = {dist = \"choice\", values = [1e308, 1e308], weights = [1e308, 1e308]}"
            .into(),
    ];
    for input in &inputs {
        check(input.as_bytes(), &mut ran);
    }
    let too_big = "#".repeat(attrition::scenario::MAX_SCENARIO_BYTES + 1);
    match Validated::from_toml_str(&too_big) {
        Err(CoreError::Scenario(m)) => assert!(m[0].contains("limit"), "{m:?}"),
        other => panic!("{other:?}"),
    }
    // A scenario of one side with nothing in it parses and runs.
    check(b"name = \"x\"\nstart = 2024-01-01\n[sides.a]\n", &mut ran);
    assert_eq!(ran, 1);
}
