//! Ammunition per side and caliber (MODEL.md section 3).
use crate::rng::clock::PoissonClock;
use crate::rng::sample::{self, binomial};
use crate::rng::{Stream, Streams};
use crate::scenario::compile::{CaliberCfg, LineCfg, Window};

/// A supply line's state in one trajectory.
pub struct Line {
    rng: Stream,
    lots: PoissonClock,
    rate: f64,
    growth_per_day: f64,
    lot: f64,
    dud: f64,
    pub price: f64,
    window: Window,
    pub delivered_total: f64,
}

impl Line {
    pub fn new(c: &LineCfg, v: &[f64], s: &Streams) -> Line {
        Line {
            rng: s.get(c.key),
            lots: PoissonClock::default(),
            rate: v[c.rate],
            growth_per_day: (1.0 + v[c.growth]).ln() / 365.25,
            lot: v[c.lot_size].round().max(1.0),
            dud: v[c.dud_fraction],
            price: v[c.price],
            window: c.window,
            delivered_total: 0.0,
        }
    }

    /// Shells and duds delivered on day `t`: lots ~ Poisson(rate(t) / lot)
    /// (by event times while the mean is small), duds ~ Binomial.
    #[inline]
    pub fn deliver(&mut self, t: usize) -> (f64, f64) {
        if !self.window.holds(t as i64) || self.rate <= 0.0 {
            return (0.0, 0.0);
        }
        let rate =
            if self.growth_per_day == 0.0 { self.rate } else { self.rate * (self.growth_per_day * t as f64).exp() };
        let shells = self.lots.count(&mut self.rng, rate / self.lot) * self.lot;
        let duds = binomial(&mut self.rng, shells, self.dud);
        self.delivered_total += shells;
        (shells, duds)
    }
}

/// The stock of one caliber.
pub struct Stock {
    rng: Stream,
    pub stock: f64,
    pub duds: f64,
    pub lethality: f64,
    reserve: f64,
    reserve_days: f64,
    pub first_short: Option<usize>,
    pub fired_total: f64,
}

/// What happened to a caliber's stock on one day.
#[derive(Debug, Clone, Copy, Default)]
pub struct Firing {
    pub fired: f64,
    pub duds_fired: f64,
}

impl Stock {
    pub fn new(c: &CaliberCfg, v: &[f64], s: &Streams) -> Stock {
        let stock = v[c.initial_stock].round();
        Stock {
            rng: s.get(c.key),
            stock,
            duds: (stock * v[c.initial_dud_fraction]).round(),
            lethality: v[c.lethality],
            reserve: v[c.reserve],
            reserve_days: v[c.reserve_days],
            first_short: None,
            fired_total: 0.0,
        }
    }

    pub fn receive(&mut self, shells: f64, duds: f64) {
        self.stock += shells;
        self.duds += duds;
    }

    /// Fire down to the reserve floor: fired = min(demand, max(0, S - floor)),
    /// whole shells. Duds fired ~ Binomial(fired, U / S): the binomial
    /// approximation of the hypergeometric draw from the pool (MODEL.md 3.3),
    /// held within the hypergeometric's support [max(0, fired - (S - U)),
    /// min(fired, U)], so neither the duds nor the good shells go negative.
    pub fn fire(&mut self, t: usize, demand: f64) -> Firing {
        let floor = self.reserve.max(self.reserve_days * demand);
        let fired = sample::floor(demand.min((self.stock - floor).max(0.0)));
        if fired < demand && demand > 0.0 && self.first_short.is_none() {
            self.first_short = Some(t);
        }
        let duds_fired = if fired > 0.0 && self.duds > 0.0 {
            let at_least = (fired - (self.stock - self.duds)).max(0.0);
            binomial(&mut self.rng, fired, (self.duds / self.stock).min(1.0)).clamp(at_least, fired.min(self.duds))
        } else {
            0.0
        };
        self.stock -= fired;
        self.duds -= duds_fired;
        self.fired_total += fired;
        Firing { fired, duds_fired }
    }
}
