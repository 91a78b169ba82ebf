//! Distributions of uncertain parameters (docs/model.md section 2).
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
//! A string `"low to high"` is a 90 % interval: a lognormal (both ends > 0)
//! or a normal with those 5 % and 95 % quantiles (see [`super::interval`]).
//!
//! Truncated normals and lognormals are sampled exactly by inverting the CDF
//! between the truncation points, so no rejection loop can spin.
//!
//! Each distribution also has its CDF and inverse CDFs ([`Dist::cdf`],
//! [`Dist::ppf`], and [`Dist::isf`] for the upper tail), with the
//! parameterisation of the sampling: `pert` is Beta(1 + shape (mode - low) /
//! (high - low), 1 + shape (high - mode) / (high - low)) scaled to [low,
//! high]; normals and lognormals are truncated to [low, high] when given;
//! `choice`'s inverse is the smallest value whose cumulative weight exceeds u.
//! Sensitivity designs and calibration map points of the unit cube (or
//! normal scores, [`Dist::from_normal_score`]) through them.
use libm::erfc;
use rand::{Rng, RngExt};
use rand_distr::{Beta, Distribution, Pert, Triangular};
use serde_json::{Map, Value};
use statrs::distribution::{ContinuousCDF, Normal as SNormal};
use statrs::function::beta::{checked_beta_reg, checked_ln_beta};
use statrs::function::erf::erfc_inv;

use super::interval;
use crate::error::did_you_mean;

#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    Fixed(f64),
    Uniform {
        low: f64,
        high: f64,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
    Pert {
        low: f64,
        mode: f64,
        high: f64,
        shape: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
        low: Option<f64>,
        high: Option<f64>,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
        low: Option<f64>,
        high: Option<f64>,
    },
    Beta {
        a: f64,
        b: f64,
        low: f64,
        high: f64,
    },
    Choice {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
    /// A 90 % interval `"low to high"`: the lognormal or normal `base` whose
    /// 5 % and 95 % quantiles are `low` and `high`, which it behaves as.
    Interval {
        low: f64,
        high: f64,
        base: Box<Dist>,
    },
}

/// A family of distributions: its `dist` name, its required and optional
/// keys, and what it is.
pub struct Family {
    pub name: &'static str,
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
    pub meaning: &'static str,
}

/// Every family, as a scenario writes it.
pub const FAMILIES: [Family; 8] = [
    Family { name: "fixed", required: &["value"], optional: &[], meaning: "the number itself" },
    Family { name: "uniform", required: &["low", "high"], optional: &[], meaning: "flat on [low, high]" },
    Family {
        name: "triangular",
        required: &["low", "mode", "high"],
        optional: &[],
        meaning: "a triangle on [low, high] with its peak at the mode",
    },
    Family {
        name: "pert",
        required: &["low", "mode", "high"],
        optional: &["shape"],
        meaning: "beta-PERT on [low, high] with its mode at `mode` (shape 4 by default)",
    },
    Family {
        name: "normal",
        required: &["mean", "sd"],
        optional: &["low", "high"],
        meaning: "normal, truncated to [low, high] when given",
    },
    Family {
        name: "lognormal",
        required: &["mu", "sigma"],
        optional: &["low", "high"],
        meaning: "exp of a normal with mean mu and sd sigma, truncated to [low, high] when given",
    },
    Family {
        name: "beta",
        required: &["a", "b"],
        optional: &["low", "high"],
        meaning: "Beta(a, b) scaled to [low, high] (0 and 1 by default)",
    },
    Family {
        name: "choice",
        required: &["values"],
        optional: &["weights"],
        meaning: "one of the values, with probability proportional to its weight (equal by default)",
    },
];

pub(crate) const DIST_NAMES: [&str; 8] = {
    let mut names = [""; 8];
    let mut i = 0;
    while i < FAMILIES.len() {
        names[i] = FAMILIES[i].name;
        i += 1;
    }
    names
};

/// Every key of a family, required first.
fn keys_of(name: &str) -> Vec<&'static str> {
    FAMILIES.iter().find(|f| f.name == name).map(|f| [f.required, f.optional].concat()).unwrap_or_default()
}

/// The JSON Schema of a distribution table: one object schema per family.
impl schemars::JsonSchema for Dist {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Distribution".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let families: Vec<Value> = FAMILIES
            .iter()
            .map(|f| {
                let mut props = Map::new();
                props.insert("dist".into(), serde_json::json!({"const": f.name}));
                for k in f.required.iter().chain(f.optional) {
                    let v = if *k == "values" || *k == "weights" {
                        serde_json::json!({"type": "array", "items": {"type": "number"}, "minItems": 1})
                    } else {
                        serde_json::json!({"type": "number"})
                    };
                    props.insert((*k).into(), v);
                }
                let required: Vec<&str> = std::iter::once("dist").chain(f.required.iter().copied()).collect();
                serde_json::json!({
                    "title": f.name,
                    "description": f.meaning,
                    "type": "object",
                    "properties": props,
                    "required": required,
                    "x-optional": f.optional,
                    "additionalProperties": false,
                })
            })
            .collect();
        schemars::json_schema!({
            "description": "A distribution table: `dist` names the family, the other keys its parameters \
                            (docs/model.md section 2).",
            "oneOf": families,
        })
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
pub(crate) const MAX_MAGNITUDE: f64 = 1e100;

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
    /// The distribution a 90 % interval stands for (the ends are finite and
    /// `low < high`): a lognormal with those 5 % and 95 % quantiles when both
    /// ends are above 0, a normal otherwise.
    pub(crate) fn of_interval(low: f64, high: f64) -> Dist {
        if low > 0.0 {
            let (a, b) = (low.ln(), high.ln());
            Dist::LogNormal { mu: 0.5 * (a + b), sigma: (b - a) / (2.0 * interval::Z90), low: None, high: None }
        } else {
            Dist::Normal { mean: 0.5 * (low + high), sd: (high - low) / (2.0 * interval::Z90), low: None, high: None }
        }
    }

    /// A normal interval's full form with a `low` to fill in, for the message
    /// that refuses it where the parameter's domain has a lower bound.
    pub(crate) fn full_form_hint(&self) -> String {
        match self {
            Dist::Normal { mean, sd, .. } => {
                format!("{{dist = \"normal\", mean = {mean:.4}, sd = {sd:.4}, low = ...}}")
            }
            other => other.describe(),
        }
    }

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
            Dist::Interval { .. } => "interval",
        }
    }

    /// Parse a number, a 90 % interval `"low to high"` or a `{dist = ...,
    /// ...}` table. The error is a rule, without the path (the caller adds it).
    pub fn from_value(v: &Value) -> Result<Dist, String> {
        match v {
            Value::Number(_) => Ok(Dist::Fixed(finite(num(v, "value")?, "")?)),
            Value::Object(m) => Self::from_table(m),
            Value::String(s) => Self::from_interval(s),
            other => Err(format!(
                "expected a number, a 90 % interval such as {} or a distribution table such as \
                 {{dist = \"pert\", low = 1, mode = 2, high = 3}}, got {} (docs/model.md section 2)",
                interval::EXAMPLE,
                type_name(other)
            )),
        }
    }

    /// A 90 % interval `"low to high"`.
    fn from_interval(text: &str) -> Result<Dist, String> {
        let shown: String = text.chars().take(60).collect();
        let shown = if shown.len() < text.len() { format!("{shown}...") } else { shown };
        let (low, high) = match interval::parse(text) {
            None => {
                return Err(format!(
                    "expected a number, a 90 % interval such as {} or a distribution table, got the text {shown:?} \
                     (docs/model.md section 2)",
                    interval::EXAMPLE
                ));
            }
            Some(Err(e)) => return Err(format!("a 90 % interval is \"<low> to <high>\": {e}")),
            Some(Ok(ends)) => ends,
        };
        let (low, high) = (finite(low, "low")?, finite(high, "high")?);
        if low >= high {
            return Err(format!("a 90 % interval needs low < high, got {shown:?}"));
        }
        let base = Dist::of_interval(low, high);
        base.check().map_err(|e| format!("the 90 % interval {shown:?} is {}: {e}", base.describe()))?;
        Ok(Dist::Interval { low, high, base: Box::new(base) })
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
                "unknown distribution `{name}`{}; known: {} (docs/model.md section 2)",
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
            Dist::Interval { ref base, .. } => base.check(),
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
            Dist::Interval { ref base, .. } => base.support(),
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

    /// The one value of a distribution that has only one (a fixed value, a
    /// zero-width uniform, a normal or lognormal of zero spread, a choice
    /// with one value of positive weight).
    pub fn single_value(&self) -> Option<f64> {
        match *self {
            Dist::Fixed(v) => Some(v),
            Dist::Interval { ref base, .. } => base.single_value(),
            Dist::Uniform { low, high } if low == high => Some(low),
            Dist::Normal { mean, sd: 0.0, .. } => Some(mean),
            Dist::LogNormal { mu, sigma: 0.0, .. } => Some(mu.exp()),
            Dist::Choice { ref values, ref weights } => {
                let mut kept = values.iter().zip(weights).filter(|(_, w)| **w > 0.0).map(|(v, _)| *v);
                let first = kept.next()?;
                kept.all(|v| v == first).then_some(first)
            }
            _ => None,
        }
    }

    /// True for `choice`, whose values are discrete.
    pub fn is_discrete(&self) -> bool {
        matches!(self, Dist::Choice { .. })
    }

    /// The inverse CDF at `u` in [0, 1] (NaN outside): the smallest x with
    /// F(x) >= u, the support's ends at 0 and 1.
    pub fn ppf(&self, u: f64) -> f64 {
        if !(0.0..=1.0).contains(&u) {
            return f64::NAN;
        }
        if let Some(v) = self.single_value() {
            return v;
        }
        match *self {
            Dist::Uniform { low, high } => low + (high - low) * u,
            Dist::Triangular { low, mode, high } => {
                let c = (mode - low) / (high - low);
                if u < c {
                    low + (high - low) * (c * u).sqrt()
                } else {
                    high - (high - low) * ((1.0 - c) * (1.0 - u)).sqrt()
                }
            }
            Dist::Pert { .. } | Dist::Beta { .. } => {
                let (a, b, low, high) = self.beta_shape();
                low + (high - low) * beta_quantile(a, b, u, 1.0 - u)
            }
            Dist::Normal { .. } | Dist::LogNormal { .. } => {
                let t = self.truncation();
                let z = if t.sl <= 0.5 {
                    // The support lies in the upper half: count from the top.
                    -normal_ppf(t.sl - u * (t.sl - t.sh))
                } else {
                    normal_ppf(t.pl + u * (t.ph - t.pl))
                };
                t.value(z, self.support())
            }
            Dist::Choice { ref values, ref weights } => {
                let total: f64 = weights.iter().sum();
                let last = weights.iter().rposition(|w| *w > 0.0).unwrap_or(values.len() - 1);
                let mut acc = 0.0;
                for (i, w) in weights.iter().enumerate().take(last) {
                    acc += w;
                    if acc / total > u {
                        return values[i];
                    }
                }
                values[last]
            }
            Dist::Fixed(v) => v,
            Dist::Interval { ref base, .. } => base.ppf(u),
        }
    }

    /// The inverse survival function at `q` in [0, 1] (NaN outside): the
    /// value exceeded with probability `q`, as `ppf(1 - q)` but accurate for
    /// `q` near 0 (the upper tail).
    pub fn isf(&self, q: f64) -> f64 {
        if !(0.0..=1.0).contains(&q) {
            return f64::NAN;
        }
        if self.single_value().is_some() {
            return self.ppf(1.0 - q);
        }
        match *self {
            Dist::Uniform { low, high } => high - (high - low) * q,
            Dist::Triangular { low, mode, high } => {
                let c = (mode - low) / (high - low);
                if q <= 1.0 - c {
                    high - (high - low) * ((1.0 - c) * q).sqrt()
                } else {
                    low + (high - low) * (c * (1.0 - q)).sqrt()
                }
            }
            Dist::Pert { .. } | Dist::Beta { .. } => {
                let (a, b, low, high) = self.beta_shape();
                low + (high - low) * beta_quantile(a, b, 1.0 - q, q)
            }
            Dist::Normal { .. } | Dist::LogNormal { .. } => {
                let t = self.truncation();
                let z = if t.ph <= 0.5 {
                    // The support lies in the lower half: count from the bottom.
                    normal_ppf(t.ph - q * (t.ph - t.pl))
                } else {
                    -normal_ppf(t.sh + q * (t.sl - t.sh))
                };
                t.value(z, self.support())
            }
            Dist::Fixed(_) | Dist::Choice { .. } => self.ppf(1.0 - q),
            Dist::Interval { ref base, .. } => base.isf(q),
        }
    }

    /// The CDF at `x`: the probability of a value <= x (NaN for NaN).
    pub fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        if let Some(v) = self.single_value() {
            return if x >= v { 1.0 } else { 0.0 };
        }
        let (lo, hi) = self.support();
        if x < lo {
            return 0.0;
        }
        if x >= hi {
            return 1.0;
        }
        match *self {
            Dist::Uniform { low, high } => ((x - low) / (high - low)).clamp(0.0, 1.0),
            Dist::Triangular { low, mode, high } => {
                let c = (mode - low) / (high - low);
                let y = (x - low) / (high - low);
                if y <= c { y * y / c } else { 1.0 - (1.0 - y) * (1.0 - y) / (1.0 - c) }
            }
            Dist::Pert { .. } | Dist::Beta { .. } => {
                let (a, b, low, high) = self.beta_shape();
                beta_cdf(a, b, ((x - low) / (high - low)).clamp(0.0, 1.0))
            }
            Dist::Normal { .. } | Dist::LogNormal { .. } => {
                let t = self.truncation();
                let z = (t.log_space(x) - t.m) / t.s;
                let f = if t.sl <= 0.5 {
                    (t.sl - normal_sf(z)) / (t.sl - t.sh)
                } else {
                    (normal_cdf(z) - t.pl) / (t.ph - t.pl)
                };
                f.clamp(0.0, 1.0)
            }
            Dist::Choice { ref values, ref weights } => {
                let total: f64 = weights.iter().sum();
                let below: f64 = values.iter().zip(weights).filter(|(v, _)| **v <= x).map(|(_, w)| w).sum();
                (below / total).min(1.0)
            }
            Dist::Fixed(_) => 1.0,
            Dist::Interval { ref base, .. } => base.cdf(x),
        }
    }

    /// `ppf(Phi(z))` for a standard-normal score `z`, computed as
    /// `isf(Phi(-z))` above the median so that the upper tail keeps its precision.
    pub fn from_normal_score(&self, z: f64) -> f64 {
        if z.is_nan() {
            f64::NAN
        } else if z < 0.0 {
            self.ppf(normal_cdf(z))
        } else {
            self.isf(normal_cdf(-z))
        }
    }

    /// The median (for `choice`, the smallest value whose cumulative weight exceeds 1/2).
    pub fn median(&self) -> f64 {
        self.ppf(0.5)
    }

    /// Beta shapes and range of a `pert` or `beta`.
    fn beta_shape(&self) -> (f64, f64, f64, f64) {
        match *self {
            Dist::Pert { low, mode, high, shape } => {
                let r = high - low;
                (1.0 + shape * (mode - low) / r, 1.0 + shape * (high - mode) / r, low, high)
            }
            Dist::Beta { a, b, low, high } => (a, b, low, high),
            _ => (f64::NAN, f64::NAN, f64::NAN, f64::NAN),
        }
    }

    /// The underlying normal of a `normal` or `lognormal` (in log space) and
    /// its probabilities below and above the truncation points.
    fn truncation(&self) -> Truncation {
        let (m, s, low, high, log) = match *self {
            Dist::Normal { mean, sd, low, high } => (mean, sd, low, high, false),
            Dist::LogNormal { mu, sigma, low, high } => (mu, sigma, low, high, true),
            _ => (f64::NAN, f64::NAN, None, None, false),
        };
        let t = Truncation { m, s, log, pl: 0.0, ph: 1.0, sl: 1.0, sh: 0.0 };
        let z = |x: f64| (t.log_space(x) - m) / s;
        let (pl, sl) = low.map_or((0.0, 1.0), |l| (normal_cdf(z(l)), normal_sf(z(l))));
        let (ph, sh) = high.map_or((1.0, 0.0), |h| (normal_cdf(z(h)), normal_sf(z(h))));
        Truncation { pl, ph, sl, sh, ..t }
    }

    /// Draw one value.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match *self {
            Dist::Fixed(v) => v,
            Dist::Interval { ref base, .. } => base.sample(rng),
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

    /// As a JSON value: a plain number for `fixed`, the text for an
    /// interval, a table otherwise.
    pub fn to_value(&self) -> Value {
        use serde_json::json;
        let mut m = Map::new();
        m.insert("dist".into(), Value::String(self.name().into()));
        let mut put = |k: &str, v: f64| {
            m.insert(k.into(), json!(v));
        };
        match *self {
            Dist::Fixed(v) => return json!(v),
            Dist::Interval { low, high, .. } => return Value::String(interval::text(low, high, fmt_num)),
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

    /// A short human form, e.g. `pert(1500, 2000, 3000)`, or `5000 to 12000
    /// (90 %, lognormal)` for an interval.
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
            Dist::Interval { low, high, ref base } => {
                format!("{} (90 %, {})", interval::text(low, high, g), base.name())
            }
        }
    }
}

/// A normal (of the logarithm, for a lognormal) with its probabilities below
/// (`pl`, `ph`) and above (`sl`, `sh`) the low and high truncation points.
#[derive(Debug, Clone, Copy)]
struct Truncation {
    m: f64,
    s: f64,
    log: bool,
    pl: f64,
    ph: f64,
    sl: f64,
    sh: f64,
}

impl Truncation {
    /// `x` in the normal's space.
    fn log_space(&self, x: f64) -> f64 {
        if !self.log {
            x
        } else if x > 0.0 {
            x.ln()
        } else {
            f64::NEG_INFINITY
        }
    }

    /// The value of standard score `z`, held in the support.
    fn value(&self, z: f64, (lo, hi): (f64, f64)) -> f64 {
        let x = self.m + self.s * z;
        let x = if self.log { x.exp() } else { x };
        if x.is_nan() { x } else { x.clamp(lo, hi) }
    }
}

/// The standard normal CDF.
fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal survival function, 1 - CDF, accurate in the upper tail.
fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// The standard normal inverse CDF, accurate in the lower tail (-inf at 0, inf at 1).
fn normal_ppf(p: f64) -> f64 {
    if p <= 0.0 {
        f64::NEG_INFINITY
    } else if p >= 1.0 {
        f64::INFINITY
    } else {
        -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
    }
}

/// The Beta(a, b) CDF, I_x(a, b) (NaN for parameters it refuses).
fn beta_cdf(a: f64, b: f64, x: f64) -> f64 {
    checked_beta_reg(a, b, x).unwrap_or(f64::NAN)
}

/// The Beta(a, b) quantile x with P(X <= x) = `p` and P(X > x) = `q`, one
/// of them given and the other its complement (each exact to a relative
/// eps). Solved for x from `p`, or for 1 - x from `q`, whichever loses less:
/// from `p` the relative error of x is about eps p / (x f(x)); from `q`,
/// subtracting from 1 adds an absolute eps, about eps (1 + q / f(x)) / x in
/// all. So `p` when p - q < f(x): always below the median, and above it only
/// where the density is high (a quantile squeezed against 0).
fn beta_quantile(a: f64, b: f64, p: f64, q: f64) -> f64 {
    if p <= q {
        return beta_inv(a, b, p);
    }
    let x = 1.0 - beta_inv(b, a, q);
    let density =
        checked_ln_beta(a, b).map_or(f64::NAN, |ln_b| ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_b).exp());
    if p - q < density { beta_inv(a, b, p) } else { x }
}

/// The x in [0, 1] with I_x(a, b) = u: the Beta(a, b) inverse CDF, to
/// the relative precision of x. Newton steps on ln I_x(a, b) - ln u (nearly
/// linear even far in the lower tail) from the tail approximation
/// I_x(a, b) ~ x^a / (a B(a, b)), inside a bracket that every step narrows;
/// a step that would leave the bracket, or that does not shrink fast enough,
/// bisects it instead (geometrically when it spans orders of magnitude).
/// Ends after a fixed number of steps whatever the parameters.
fn beta_inv(a: f64, b: f64, u: f64) -> f64 {
    if u <= 0.0 {
        return 0.0;
    }
    if u >= 1.0 {
        return 1.0;
    }
    let Ok(ln_b) = checked_ln_beta(a, b) else { return f64::NAN };
    let ln_u = u.ln();
    let ln_pdf = |x: f64| (a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - ln_b;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let mut x = ((ln_u + a.ln() + ln_b) / a).exp().clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
    let mut last_step = f64::INFINITY;
    for _ in 0..200 {
        let f = beta_cdf(a, b, x);
        if f.is_nan() {
            return f64::NAN;
        }
        let ln_f = f.ln();
        let g = ln_f - ln_u;
        if g == 0.0 {
            return x;
        }
        if g < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        // d ln F / dx = pdf / F
        let newton = x - g / (ln_pdf(x) - ln_f).exp();
        let next = if newton > lo && newton < hi && 2.0 * (newton - x).abs() <= last_step {
            newton
        } else if lo > 0.0 && hi > 4.0 * lo {
            lo.sqrt() * hi.sqrt()
        } else if lo == 0.0 {
            hi / 16.0
        } else {
            0.5 * (lo + hi)
        };
        let step = (next - x).abs();
        if step <= 2.0 * f64::EPSILON * x || hi - lo <= 2.0 * f64::EPSILON * hi {
            return next;
        }
        last_step = step;
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(v: Value) -> Dist {
        Dist::from_value(&v).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
    }

    /// Reference values from scipy.stats (boost) and scipy.special.
    #[test]
    fn inverse_cdfs_match_references() {
        let n = d(json!({"dist": "normal", "mean": 0, "sd": 1}));
        assert!(close(n.ppf(0.975), 1.959963984540054, 1e-15));
        assert!(close(n.isf(1e-20), 9.262340089798409, 1e-15));
        assert!(close(n.from_normal_score(9.0), 9.0, 1e-14));
        let half = d(json!({"dist": "normal", "mean": 0, "sd": 1, "low": 0}));
        assert!(close(half.median(), 0.6744897501960817, 1e-14));
        let pert = d(json!({"dist": "pert", "low": 0, "mode": 5, "high": 10}));
        assert!(close(pert.ppf(0.1), 2.4663645328846657, 1e-13));
        assert!(close(pert.median(), 5.0, 1e-13));
        let skewed = d(json!({"dist": "beta", "a": 0.01, "b": 5}));
        assert!(close(skewed.median(), 9.892240424112215e-32, 1e-12));
        assert!(close(skewed.isf(0.5), 9.892240424112215e-32, 1e-12));
        let tri = d(json!({"dist": "triangular", "low": 0, "mode": 0, "high": 1}));
        for u in [0.0, 0.1, 0.5, 0.9, 1.0] {
            assert!(close(tri.ppf(u), 1.0 - (1.0 - u).sqrt(), 1e-15) || tri.ppf(u) == 0.0, "{u}");
        }
        let uni = d(json!({"dist": "uniform", "low": 2, "high": 4}));
        assert_eq!((uni.ppf(0.25), uni.isf(0.25), uni.cdf(3.0)), (2.5, 3.5, 0.5));
    }

    #[test]
    fn choice_takes_the_first_value_whose_cumulative_weight_exceeds_u() {
        let c = d(json!({"dist": "choice", "values": [1, 2, 3], "weights": [1, 1, 2]}));
        let got: Vec<f64> = [0.0, 0.25, 0.49, 0.5, 1.0].iter().map(|&u| c.ppf(u)).collect();
        assert_eq!(got, [1.0, 2.0, 2.0, 3.0, 3.0]);
        assert_eq!((c.cdf(0.5), c.cdf(1.0), c.cdf(2.5), c.cdf(3.0)), (0.0, 0.25, 0.5, 1.0));
        // A value of zero weight is never the answer, even at u = 1.
        let z = d(json!({"dist": "choice", "values": [1, 2, 3], "weights": [1, 1, 0]}));
        assert_eq!((z.ppf(1.0), z.isf(0.0)), (2.0, 2.0));
        assert!(z.is_discrete() && z.single_value().is_none());
        assert_eq!(d(json!({"dist": "choice", "values": [4, 4, 9], "weights": [1, 2, 0]})).single_value(), Some(4.0));
    }

    #[test]
    fn ppf_inverts_cdf_and_isf_mirrors_ppf() {
        let specs = [
            json!({"dist": "uniform", "low": -1, "high": 3}),
            json!({"dist": "triangular", "low": 0, "mode": 0.3, "high": 1}),
            json!({"dist": "pert", "low": 1500, "mode": 2000, "high": 3000, "shape": 6}),
            json!({"dist": "normal", "mean": 3, "sd": 2}),
            json!({"dist": "normal", "mean": 0, "sd": 1, "low": -1, "high": 2}),
            json!({"dist": "normal", "mean": 0, "sd": 1, "low": 5}),
            json!({"dist": "lognormal", "mu": 1, "sigma": 0.5}),
            json!({"dist": "lognormal", "mu": 7.29646, "sigma": 0.0754635, "low": 500.0, "high": 3000.0}),
            json!({"dist": "beta", "a": 0.5, "b": 2, "low": 1, "high": 3}),
            json!({"dist": "beta", "a": 300, "b": 50}),
        ];
        for v in specs {
            let x = d(v.clone());
            let (lo, hi) = x.support();
            for k in 1..100 {
                let u = f64::from(k) / 100.0;
                let p = x.ppf(u);
                assert!(lo <= p && p <= hi, "{v}: ppf({u}) = {p} outside [{lo}, {hi}]");
                assert!((x.cdf(p) - u).abs() < 1e-9, "{v}: cdf(ppf({u})) = {}", x.cdf(p));
                assert!(close(x.isf(1.0 - u), p, 1e-9), "{v}: isf({}) = {} vs ppf {p}", 1.0 - u, x.isf(1.0 - u));
            }
            assert_eq!((x.ppf(0.0), x.ppf(1.0)), (lo, hi), "{v}");
            assert!(
                x.ppf(-0.1).is_nan() && x.ppf(1.1).is_nan() && x.isf(f64::NAN).is_nan() && x.cdf(f64::NAN).is_nan()
            );
        }
    }

    #[test]
    fn single_values() {
        for v in
            [json!(7), json!({"dist": "uniform", "low": 7, "high": 7}), json!({"dist": "normal", "mean": 7, "sd": 0})]
        {
            let x = d(v);
            assert_eq!((x.single_value(), x.ppf(0.3), x.isf(0.3), x.median()), (Some(7.0), 7.0, 7.0, 7.0));
            assert_eq!((x.cdf(6.9), x.cdf(7.0)), (0.0, 1.0));
        }
    }

    #[test]
    fn the_beta_inverse_ends_whatever_the_parameters() {
        // No hang, no panic, a value in [0, 1] or NaN, for shapes at the validation's limits.
        for (a, b) in [(1e100, 3.0), (1e-100, 1e100), (1e100, 1e100), (1e-100, 1e-100), (1e4, 10.0)] {
            for u in [0.0, 1e-300, 1e-10, 0.3, 0.5, 0.9, 1.0 - 1e-16, 1.0] {
                let x = beta_quantile(a, b, u, 1.0 - u);
                assert!(x.is_nan() || (0.0..=1.0).contains(&x), "beta({a}, {b}) at {u}: {x}");
            }
        }
    }
}
