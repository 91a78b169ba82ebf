//! Territory (MODEL.md section 6).
use crate::rng::sample::gamma_mean_cv;
use crate::rng::{Stream, Streams};
use crate::scenario::compile::TerrCfg;

/// Square kilometres per square mile.
pub const KM2_PER_SQMI: f64 = 2.589_988_110_336;

pub struct Territory {
    rng: Stream,
    rate: f64,
    cv: f64,
    gamma: f64,
    ref_ratio: f64,
    pub reference_area_km2: f64,
    pub cumulative_km2: f64,
}

impl Territory {
    pub fn new(c: &TerrCfg, v: &[f64], s: &Streams) -> Territory {
        Territory {
            rng: s.get(c.key),
            rate: v[c.rate],
            cv: v[c.cv],
            gamma: v[c.gamma],
            ref_ratio: v[c.ref_ratio],
            reference_area_km2: v[c.reference_area_km2],
            cumulative_km2: 0.0,
        }
    }

    /// Area taken today ~ Gamma with mean rate x tempo x (ratio / ref_ratio)^gamma
    /// and coefficient of variation cv, where ratio = (own fire + 1) / (enemy fire + 1):
    /// one round added to each side keeps the ratio finite when a side is silent,
    /// and the ratio over its reference is capped at [`super::MAX_FIRE_RATIO`].
    pub fn step(&mut self, tempo: f64, own_fire: f64, enemy_fire: f64, coupling: bool) -> f64 {
        let m = if self.gamma == 0.0 || !coupling {
            1.0
        } else {
            ((own_fire + 1.0) / (enemy_fire + 1.0) / self.ref_ratio).min(super::MAX_FIRE_RATIO).powf(self.gamma)
        };
        let a = gamma_mean_cv(&mut self.rng, self.rate * tempo * m, self.cv);
        self.cumulative_km2 += a;
        a
    }
}
