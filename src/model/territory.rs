//! Territory (docs/model.md section 6): the ground a side takes, and what it
//! records.
use super::quantity::{Group, Item, Quantity};
use crate::rng::sample::gamma_mean_cv;
use crate::rng::{Stream, Streams};
use crate::scenario::compile::TerrCfg;

/// Square kilometres per square mile.
pub(crate) const KM2_PER_SQMI: f64 = 2.589_988_110_336;

/// The ground a side takes.
pub(crate) const TERRITORY: Group = Group {
    module: "territory",
    item: Item::Fixed("area"),
    owner: "territory",
    series: &TERRITORY_SERIES,
    outcomes: &TERRITORY_OUTCOMES,
};

const TERRITORY_SERIES: [Quantity; 4] = [
    Quantity::new("daily_km2", "km²/day", "Area taken during the day.").label("area taken per day"),
    Quantity::new("cumulative_km2", "km²", "Area taken since day 0.").label("area taken, cumulative"),
    Quantity::new("daily_sqmi", "sq mi/day", "Area taken during the day, in square miles.").label("area taken per day"),
    Quantity::new("cumulative_sqmi", "sq mi", "Area taken since day 0, in square miles.")
        .label("area taken, cumulative"),
];

const TERRITORY_OUTCOMES: [Quantity; 5] = [
    Quantity::new("total_km2", "km²", "Area taken over the run.").label("area taken in the run"),
    Quantity::new("total_sqmi", "sq mi", "Area taken over the run, in square miles.").label("area taken in the run"),
    Quantity::new(
        "casualties_per_km2",
        "people/km²",
        "The side's casualties over the run per km² it took (NaN when it took none).",
    )
    .label("casualties per km² taken"),
    Quantity::new(
        "casualties_per_sqmi",
        "people/sq mi",
        "The side's casualties over the run per square mile it took (NaN when it took none).",
    )
    .label("casualties per sq mi taken")
    .key(),
    Quantity::new(
        "years_to_reference",
        "years",
        "Years to take reference_area_km2 at the run's mean daily pace (infinite when it took nothing).",
    )
    .label("years to take the reference area at this pace")
    .key(),
];

/// The own-to-enemy fire ratio over its reference, capped at `cap`: 1 when
/// neither side fires, the cap when only the enemy is silent.
pub(crate) fn fire_ratio(own: f64, enemy: f64, reference: f64, cap: f64) -> f64 {
    if enemy > 0.0 {
        (own / enemy / reference).min(cap)
    } else if own > 0.0 {
        cap
    } else {
        1.0
    }
}

pub(crate) struct Territory {
    rng: Stream,
    rate: f64,
    cv: f64,
    gamma: f64,
    ref_ratio: f64,
    pub reference_area_km2: f64,
    pub cumulative_km2: f64,
}

impl Territory {
    pub(crate) fn new(c: &TerrCfg, v: &[f64], s: &Streams) -> Territory {
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

    /// Area taken today ~ Gamma with mean rate x tempo x psi^gamma and
    /// coefficient of variation cv. psi is the own-to-enemy ratio of effective
    /// fire over `ref_ratio`, at most `cap`: 0 / 0 reads as the reference (psi
    /// = 1) and x / 0 as the cap. Without the coupling (`cap` None), psi = 1.
    pub(crate) fn step(&mut self, tempo: f64, own_fire: f64, enemy_fire: f64, cap: Option<f64>) -> f64 {
        let m = match cap {
            Some(cap) if self.gamma != 0.0 => fire_ratio(own_fire, enemy_fire, self.ref_ratio, cap).powf(self.gamma),
            _ => 1.0,
        };
        let a = gamma_mean_cv(&mut self.rng, self.rate * tempo * m, self.cv);
        self.cumulative_km2 += a;
        a
    }

    /// The day's series, after taking `a` km² (what [`Territory::step`] returned).
    #[inline]
    pub(crate) fn series(&self, a: f64) -> [f64; TERRITORY_SERIES.len()] {
        let cum = self.cumulative_km2;
        [a, cum, a / KM2_PER_SQMI, cum / KM2_PER_SQMI]
    }

    /// The outcomes of a run of `days` days in which the side took `casualties`.
    pub(crate) fn outcomes(&self, casualties: f64, days: f64) -> [f64; TERRITORY_OUTCOMES.len()] {
        let km2 = self.cumulative_km2;
        let per = |area: f64| if area > 0.0 { casualties / area } else { f64::NAN };
        [
            km2,
            km2 / KM2_PER_SQMI,
            per(km2),
            per(km2 / KM2_PER_SQMI),
            if km2 > 0.0 { self.reference_area_km2 / (km2 / days) / 365.25 } else { f64::INFINITY },
        ]
    }
}
