//! Distributions of uncertain parameters (MODEL.md section 2).
//!
//! A parameter is a plain number or a table with a `dist` key:
//!
//! | dist         | keys                                   | meaning |
//! |--------------|----------------------------------------|---------|
//! | `fixed`      | `value`                                | the number itself |
//! | `uniform`    | `low`, `high`                          | flat on [low, high] |
//! | `triangular` | `low`, `mode`, `high`                  | |
//! | `pert`       | `low`, `mode`, `high`, `shape` (4)     | beta-PERT |
//! | `normal`     | `mean`, `sd`, optional `low`, `high`   | truncated to [low, high] when given |
//! | `lognormal`  | `mu`, `sigma`, optional `low`, `high`  | `mu`, `sigma` of the logarithm; truncated when given |
//! | `beta`       | `a`, `b`, `low` (0), `high` (1)        | Beta(a, b) scaled to [low, high] |
//! | `choice`     | `values`, optional `weights`           | one of the values, equal weights by default |
//!
//! Truncated normals and lognormals are sampled exactly by inverting the CDF
//! between the truncation points, so no rejection loop can spin.
use rand::{Rng, RngExt};
use rand_distr::{Beta, Distribution, Pert, Triangular};
use serde_json::{Map, Value};
use statrs::distribution::{ContinuousCDF, Normal as SNormal};

use crate::error::did_you_mean;

#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Uniform { low: f64, high: f64 },
    Triangular { low: f64, mode: f64, high: f64 },
    Pert { low: f64, mode: f64, high: f64, shape: f64 },
    Normal { mean: f64, sd: f64, low: Option<f64>, high: Option<f64> },
    LogNormal { mu: f64, sigma: f64, low: Option<f64>, high: Option<f64> },
    Beta { a: f64, b: f64, low: f64, high: f64 },
    Choice { values: Vec<f64>, weights: Vec<f64> },
}

pub const DIST_NAMES: [&str; 8] = ["fixed", "uniform", "triangular", "pert", "normal", "lognormal", "beta", "choice"];

fn keys_of(name: &str) -> &'static [&'static str] {
    match name {
        "fixed" => &["value"],
        "uniform" => &["low", "high"],
        "triangular" => &["low", "mode", "high"],
        "pert" => &["low", "mode", "high", "shape"],
        "normal" => &["mean", "sd", "low", "high"],
        "lognormal" => &["mu", "sigma", "low", "high"],
        "beta" => &["a", "b", "low", "high"],
        "choice" => &["values", "weights"],
        _ => &[],
    }
}

fn fmt_num(x: f64) -> String {
    if x.is_finite() && x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else if x != 0.0 && (x.abs() >= 1e15 || x.abs() < 1e-6) {
        // Rust prints 1e300 with all its digits: keep messages short.
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

fn num(v: &Value, key: &str) -> Result<f64, String> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("`{key}` must be a number")),
        other => Err(format!("`{key}` must be a number, got {}", type_name(other))),
    }
}

pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// The largest magnitude of any number in a parameter. Far above any
/// quantity of the model (shells, guns, soldiers, km2 are below 1e15), and low
/// enough that no sampler's arithmetic (a triangular's products of ranges, a
/// pert's shape times its range, a choice's sum of weights) can overflow.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// Largest `mu + 40 sigma` of a lognormal without an upper bound: its draws stay below exp(709).
const MAX_LOG: f64 = 709.0;

/// `x` when finite and within ±[`MAX_MAGNITUDE`]; `key` names it in a
/// distribution table ("" for a plain number).
fn finite(x: f64, key: &str) -> Result<f64, String> {
    let what = if key.is_empty() { "must be a finite number".to_string() } else { format!("`{key}` must be finite") };
    if !x.is_finite() {
        Err(format!("{what}, got {x}"))
    } else if x.abs() > MAX_MAGNITUDE {
        Err(format!("{what} within ±{MAX_MAGNITUDE:e}, got {x:e}"))
    } else {
        Ok(x)
    }
}

impl Dist {
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Fixed(_) => "fixed",
            Dist::Uniform { .. } => "uniform",
            Dist::Triangular { .. } => "triangular",
            Dist::Pert { .. } => "pert",
            Dist::Normal { .. } => "normal",
            Dist::LogNormal { .. } => "lognormal",
            Dist::Beta { .. } => "beta",
            Dist::Choice { .. } => "choice",
        }
    }

    /// Parse a number or a `{dist = ..., ...}` table. The error is a rule,
    /// without the path (the caller adds it).
    pub fn from_value(v: &Value) -> Result<Dist, String> {
        match v {
            Value::Number(_) => Ok(Dist::Fixed(finite(num(v, "value")?, "")?)),
            Value::Object(m) => Self::from_table(m),
            other => Err(format!(
                "expected a number or a distribution table such as {{dist = \"pert\", low = 1, mode = 2, high = 3}}, got {}",
                type_name(other)
            )),
        }
    }

    fn from_table(m: &Map<String, Value>) -> Result<Dist, String> {
        let name = match m.get("dist") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => return Err(format!("`dist` must be a string, got {}", type_name(other))),
            None => {
                return Err(format!("a distribution table needs a `dist` key, one of {}", DIST_NAMES.join(", ")));
            }
        };
        if !DIST_NAMES.contains(&name) {
            return Err(format!(
                "unknown distribution `{name}`{}; known: {}",
                did_you_mean(name, DIST_NAMES),
                DIST_NAMES.join(", ")
            ));
        }
        let allowed = keys_of(name);
        for k in m.keys() {
            if k != "dist" && !allowed.contains(&k.as_str()) {
                return Err(format!(
                    "{name} has no key `{k}`{}; its keys are {}",
                    did_you_mean(k, allowed.iter().copied()),
                    allowed.join(", ")
                ));
            }
        }
        let req = |k: &str| -> Result<f64, String> {
            match m.get(k) {
                Some(v) => finite(num(v, k)?, k),
                None => Err(format!("{name} needs `{k}`")),
            }
        };
        let opt = |k: &str| -> Result<Option<f64>, String> {
            match m.get(k) {
                Some(v) => Ok(Some(finite(num(v, k)?, k)?)),
                None => Ok(None),
            }
        };
        let d = match name {
            "fixed" => Dist::Fixed(req("value")?),
            "uniform" => Dist::Uniform { low: req("low")?, high: req("high")? },
            "triangular" => Dist::Triangular { low: req("low")?, mode: req("mode")?, high: req("high")? },
            "pert" => Dist::Pert {
                low: req("low")?,
                mode: req("mode")?,
                high: req("high")?,
                shape: opt("shape")?.unwrap_or(4.0),
            },
            "normal" => Dist::Normal { mean: req("mean")?, sd: req("sd")?, low: opt("low")?, high: opt("high")? },
            "lognormal" => {
                Dist::LogNormal { mu: req("mu")?, sigma: req("sigma")?, low: opt("low")?, high: opt("high")? }
            }
            "beta" => Dist::Beta {
                a: req("a")?,
                b: req("b")?,
                low: opt("low")?.unwrap_or(0.0),
                high: opt("high")?.unwrap_or(1.0),
            },
            "choice" => {
                let list = |k: &str| -> Result<Option<Vec<f64>>, String> {
                    match m.get(k) {
                        None => Ok(None),
                        Some(Value::Array(a)) => a
                            .iter()
                            .enumerate()
                            .map(|(i, x)| finite(num(x, &format!("{k}[{i}]"))?, &format!("{k}[{i}]")))
                            .collect::<Result<Vec<_>, _>>()
                            .map(Some),
                        Some(other) => Err(format!("`{k}` must be a list of numbers, got {}", type_name(other))),
                    }
                };
                let values = list("values")?.ok_or_else(|| "choice needs `values`".to_string())?;
                let weights = list("weights")?.unwrap_or_else(|| vec![1.0; values.len()]);
                Dist::Choice { values, weights }
            }
            _ => unreachable!("checked against DIST_NAMES"),
        };
        d.check()?;
        Ok(d)
    }

    /// The rules of section 2, each with the numbers that broke it. Every
    /// number is finite here (`from_table` checked), so no comparison meets a NaN.
    fn check(&self) -> Result<(), String> {
        let g = |x: f64| fmt_num(x);
        match *self {
            Dist::Fixed(_) => Ok(()),
            Dist::Uniform { low, high } => {
                if low <= high {
                    Ok(())
                } else {
                    Err(format!("uniform needs low <= high, got low={}, high={}", g(low), g(high)))
                }
            }
            Dist::Triangular { low, mode, high } | Dist::Pert { low, mode, high, .. } => {
                let name = self.name();
                if !(low <= mode && mode <= high) {
                    Err(format!(
                        "{name} needs low <= mode <= high, got low={}, mode={}, high={}",
                        g(low),
                        g(mode),
                        g(high)
                    ))
                } else if low >= high {
                    Err(format!("{name} needs low < high, got low={}, high={}", g(low), g(high)))
                } else if let Dist::Pert { shape, .. } = *self {
                    if shape > 0.0 { Ok(()) } else { Err(format!("pert needs shape > 0, got {}", g(shape))) }
                } else {
                    Ok(())
                }
            }
            Dist::Normal { sd, low, high, .. } | Dist::LogNormal { sigma: sd, low, high, .. } => {
                let name = self.name();
                let what = if name == "normal" { "sd" } else { "sigma" };
                if sd < 0.0 {
                    return Err(format!("{name} needs {what} >= 0, got {what}={}", g(sd)));
                }
                if let (Some(l), Some(h)) = (low, high) {
                    if l >= h {
                        return Err(format!("{name} needs low < high, got low={}, high={}", g(l), g(h)));
                    }
                }
                if name == "lognormal" {
                    if let Some(h) = high {
                        if h <= 0.0 {
                            return Err(format!("lognormal needs high > 0, got high={}", g(h)));
                        }
                    } else if let Dist::LogNormal { mu, sigma, .. } = *self {
                        if mu + 40.0 * sigma > MAX_LOG {
                            return Err(format!(
                                "lognormal({}, {}) draws overflow: without `high` it needs mu + 40 sigma <= {MAX_LOG}",
                                g(mu),
                                g(sigma)
                            ));
                        }
                    }
                }
                if sd > 0.0 && (low.is_some() || high.is_some()) {
                    let (pl, ph) = self.trunc_probs();
                    if ph - pl <= 1e-12 {
                        return Err(format!(
                            "{name} truncated to [{}, {}] keeps no probability mass",
                            low.map_or("-inf".into(), g),
                            high.map_or("inf".into(), g)
                        ));
                    }
                } else if sd == 0.0 {
                    let c = self.center();
                    if low.is_some_and(|l| c < l) || high.is_some_and(|h| c > h) {
                        return Err(format!("{name} with {what} = 0 lies outside its truncation bounds"));
                    }
                }
                Ok(())
            }
            Dist::Beta { a, b, low, high } => {
                if !(a > 0.0 && b > 0.0) {
                    Err(format!("beta needs a > 0 and b > 0, got a={}, b={}", g(a), g(b)))
                } else if low >= high {
                    Err(format!("beta needs low < high, got low={}, high={}", g(low), g(high)))
                } else {
                    Ok(())
                }
            }
            Dist::Choice { ref values, ref weights } => {
                if values.is_empty() {
                    Err("choice needs at least one value".into())
                } else if weights.len() != values.len() {
                    Err(format!(
                        "choice needs one weight per value, got {} values and {} weights",
                        values.len(),
                        weights.len()
                    ))
                } else if weights.iter().any(|w| *w < 0.0) {
                    Err("choice needs weights >= 0".into())
                } else if weights.iter().sum::<f64>() <= 0.0 {
                    Err("choice needs weights that sum to more than 0".into())
                } else {
                    Ok(())
                }
            }
        }
    }

    /// The untruncated location (normal mean, lognormal median).
    fn center(&self) -> f64 {
        match *self {
            Dist::Normal { mean, .. } => mean,
            Dist::LogNormal { mu, .. } => mu.exp(),
            _ => f64::NAN,
        }
    }

    /// CDF of the underlying normal (in log space for the lognormal) at the truncation points.
    fn trunc_probs(&self) -> (f64, f64) {
        let (m, s, low, high, log) = match *self {
            Dist::Normal { mean, sd, low, high } => (mean, sd, low, high, false),
            Dist::LogNormal { mu, sigma, low, high } => (mu, sigma, low, high, true),
            _ => return (0.0, 1.0),
        };
        let z = SNormal::new(m, s).expect("checked sd > 0");
        let tr = |x: f64| if log { if x > 0.0 { x.ln() } else { f64::NEG_INFINITY } } else { x };
        let pl = low.map_or(0.0, |l| z.cdf(tr(l)));
        let ph = high.map_or(1.0, |h| z.cdf(tr(h)));
        (pl, ph)
    }

    /// Smallest and largest value the distribution can give.
    pub fn support(&self) -> (f64, f64) {
        match *self {
            Dist::Fixed(v) => (v, v),
            Dist::Uniform { low, high }
            | Dist::Triangular { low, high, .. }
            | Dist::Pert { low, high, .. }
            | Dist::Beta { low, high, .. } => (low, high),
            Dist::Normal { mean, sd, low, high } => {
                if sd == 0.0 {
                    (mean, mean)
                } else {
                    (low.unwrap_or(f64::NEG_INFINITY), high.unwrap_or(f64::INFINITY))
                }
            }
            Dist::LogNormal { mu, sigma, low, high } => {
                if sigma == 0.0 {
                    (mu.exp(), mu.exp())
                } else {
                    (low.unwrap_or(0.0).max(0.0), high.unwrap_or(f64::INFINITY))
                }
            }
            Dist::Choice { ref values, .. } => (
                values.iter().copied().fold(f64::INFINITY, f64::min),
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        }
    }

    pub fn is_fixed(&self) -> bool {
        matches!(self, Dist::Fixed(_))
    }

    /// Draw one value.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            Dist::Triangular { low, mode, high } => Triangular::new(low, high, mode).expect("validated").sample(rng),
            Dist::Pert { low, mode, high, shape } => {
                Pert::new(low, high).with_shape(shape).with_mode(mode).expect("validated").sample(rng)
            }
            Dist::Normal { mean, sd, low, high } => {
                if sd == 0.0 {
                    mean
                } else if low.is_none() && high.is_none() {
                    mean + sd * rng.sample::<f64, _>(rand_distr::StandardNormal)
                } else {
                    self.sample_truncated(rng)
                }
            }
            Dist::LogNormal { mu, sigma, low, high } => {
                if sigma == 0.0 {
                    mu.exp()
                } else if low.is_none() && high.is_none() {
                    (mu + sigma * rng.sample::<f64, _>(rand_distr::StandardNormal)).exp()
                } else {
                    self.sample_truncated(rng)
                }
            }
            Dist::Beta { a, b, low, high } => low + (high - low) * Beta::new(a, b).expect("validated").sample(rng),
            Dist::Choice { ref values, ref weights } => {
                let total: f64 = weights.iter().sum();
                let u = rng.random::<f64>() * total;
                let mut acc = 0.0;
                for (v, w) in values.iter().zip(weights) {
                    acc += w;
                    if u < acc {
                        return *v;
                    }
                }
                // Rounding can leave u == total: take the last value of positive weight.
                let last = weights.iter().rposition(|w| *w > 0.0).expect("validated: a positive weight");
                values[last]
            }
        }
    }

    /// Inverse-CDF sampling between the truncation points (exact, no rejection loop).
    fn sample_truncated<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let (m, s, log) = match *self {
            Dist::Normal { mean, sd, .. } => (mean, sd, false),
            Dist::LogNormal { mu, sigma, .. } => (mu, sigma, true),
            _ => unreachable!("only normal and lognormal are truncated"),
        };
        let (pl, ph) = self.trunc_probs();
        let z = SNormal::new(m, s).expect("validated");
        let u: f64 = rng.random();
        let p = (pl + u * (ph - pl)).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON / 2.0);
        let x = z.inverse_cdf(p);
        let x = if log { x.exp() } else { x };
        let (lo, hi) = self.support();
        x.clamp(lo, hi)
    }

    /// As a JSON value: a plain number for `fixed`, a table otherwise.
    pub fn to_value(&self) -> Value {
        use serde_json::json;
        let mut m = Map::new();
        m.insert("dist".into(), Value::String(self.name().into()));
        let mut put = |k: &str, v: f64| {
            m.insert(k.into(), json!(v));
        };
        match *self {
            Dist::Fixed(v) => return json!(v),
            Dist::Uniform { low, high } => {
                put("low", low);
                put("high", high);
            }
            Dist::Triangular { low, mode, high } => {
                put("low", low);
                put("mode", mode);
                put("high", high);
            }
            Dist::Pert { low, mode, high, shape } => {
                put("low", low);
                put("mode", mode);
                put("high", high);
                if shape != 4.0 {
                    put("shape", shape);
                }
            }
            Dist::Normal { mean, sd, low, high } => {
                put("mean", mean);
                put("sd", sd);
                if let Some(l) = low {
                    put("low", l);
                }
                if let Some(h) = high {
                    put("high", h);
                }
            }
            Dist::LogNormal { mu, sigma, low, high } => {
                put("mu", mu);
                put("sigma", sigma);
                if let Some(l) = low {
                    put("low", l);
                }
                if let Some(h) = high {
                    put("high", h);
                }
            }
            Dist::Beta { a, b, low, high } => {
                put("a", a);
                put("b", b);
                put("low", low);
                put("high", high);
            }
            Dist::Choice { ref values, ref weights } => {
                m.insert("values".into(), json!(values));
                m.insert("weights".into(), json!(weights));
            }
        }
        Value::Object(m)
    }

    /// A short human form, e.g. `pert(1500, 2000, 3000)`.
    pub fn describe(&self) -> String {
        let g = |x: f64| fmt_num(x);
        let tr = |low: Option<f64>, high: Option<f64>| match (low, high) {
            (None, None) => String::new(),
            _ => format!(" in [{}, {}]", low.map_or("-inf".into(), g), high.map_or("inf".into(), g)),
        };
        match *self {
            Dist::Fixed(v) => g(v),
            Dist::Uniform { low, high } => format!("uniform({}, {})", g(low), g(high)),
            Dist::Triangular { low, mode, high } => format!("triangular({}, {}, {})", g(low), g(mode), g(high)),
            Dist::Pert { low, mode, high, .. } => format!("pert({}, {}, {})", g(low), g(mode), g(high)),
            Dist::Normal { mean, sd, low, high } => format!("normal({}, {}){}", g(mean), g(sd), tr(low, high)),
            Dist::LogNormal { mu, sigma, low, high } => format!("lognormal({}, {}){}", g(mu), g(sigma), tr(low, high)),
            Dist::Beta { a, b, low, high } => format!("beta({}, {}) on [{}, {}]", g(a), g(b), g(low), g(high)),
            Dist::Choice { ref values, .. } => {
                format!("choice({})", values.iter().map(|v| g(*v)).collect::<Vec<_>>().join(", "))
            }
        }
    }
}
