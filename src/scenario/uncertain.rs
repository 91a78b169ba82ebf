//! An uncertain parameter of a compiled scenario: where its value goes in a
//! trajectory's values, its distribution and stream, and the rules a value
//! given instead of a draw must keep.
use super::dist::Dist;
use super::fields::Domain;

/// Index of a parameter's value in the per-trajectory vector.
pub(crate) type P = usize;

/// An uncertain parameter: drawn once per trajectory from its own stream.
#[derive(Debug, Clone)]
pub struct Uncertain {
    /// The parameter's dotted path, e.g. `sides.russia.fleets.msta_s.barrel_life`.
    pub path: String,
    pub dist: Dist,
    /// The key of its stream.
    pub(crate) key: u64,
    /// Its slot in the per-trajectory values.
    pub(crate) slot: P,
    /// The domain of its meaning, which a given value must also respect.
    pub(crate) domain: Domain,
    /// A bound beyond the domain that depends on the scenario (a delivery
    /// rate's guns over the horizon), with its rule.
    pub(crate) limit: Option<(f64, String)>,
}

impl Uncertain {
    /// Whether `x`, given instead of a draw, is a value the parameter may take:
    /// finite, in its domain and within its limit; else the rule it breaks.
    pub(crate) fn admits(&self, x: f64) -> Result<(), String> {
        if !x.is_finite() {
            return Err("must be a finite number".into());
        }
        self.domain.check(x, x)?;
        match &self.limit {
            Some((max, rule)) if x > *max => Err(rule.clone()),
            _ => Ok(()),
        }
    }
}
