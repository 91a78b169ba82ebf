//! Personnel and casualties (docs/model.md section 5): a side's casualty
//! process and its contingents, and what they record.
use super::first_passage;
use super::quantity::{Group, Item, Quantity};
use crate::rng::clock::PoissonClock;
use crate::rng::sample::{binomial, nb_intensity, neg_binomial, normal, poisson};
use crate::rng::{Stream, Streams};
use crate::scenario::compile::{CasCfg, ContCfg, Window};

const PEOPLE: &str = "people";
const PEOPLE_DAY: &str = "people/day";

/// A side's casualty process, summed over its contingents.
pub(crate) const CASUALTIES: Group = Group {
    module: "casualties",
    item: Item::Fixed("total"),
    owner: "personnel",
    series: &CASUALTY_SERIES,
    outcomes: &CASUALTY_OUTCOMES,
};

const CASUALTY_SERIES: [Quantity; 6] = [
    Quantity::new("daily", PEOPLE_DAY, "Casualties (killed and wounded) during the day.").label("casualties per day"),
    Quantity::new(
        "cumulative",
        PEOPLE,
        "Casualties since before day 0: initial_cumulative plus the run's, at the end of the day.",
    )
    .label("casualties, cumulative"),
    Quantity::new("killed", PEOPLE_DAY, "Killed during the day, summed over the contingents (0 without any).")
        .label("killed per day"),
    Quantity::new("wounded", PEOPLE_DAY, "Wounded during the day, summed over the contingents (0 without any).")
        .label("wounded per day"),
    Quantity::new(
        "returned",
        PEOPLE_DAY,
        "Wounded who returned to duty during the day, summed over the contingents (0 without any).",
    )
    .label("returned to duty per day"),
    Quantity::new("tempo", "tempo factor", "The day's tempo: the schedule's factor times the mean-one drifts.")
        .label("tempo"),
];

const CASUALTY_OUTCOMES: [Quantity; 2] = [
    Quantity::new("run_total", PEOPLE, "Casualties over the run.").label("casualties in the run").key(),
    Quantity::new(
        "days_to_{threshold}",
        "days",
        "First day the cumulative casualties reached the threshold (one outcome per entry of `thresholds`).",
    )
    .label("days until {threshold} casualties")
    .first_passage()
    .key(),
];

/// A contingent of a side's force.
pub(crate) const CONTINGENT: Group = Group {
    module: "contingent",
    item: Item::Named("contingent"),
    owner: "personnel",
    series: &CONTINGENT_SERIES,
    outcomes: &CONTINGENT_OUTCOMES,
};

const CONTINGENT_SERIES: [Quantity; 5] = [
    Quantity::new("strength", PEOPLE, "Soldiers in the contingent at the end of the day.").label("strength"),
    Quantity::new("casualties", PEOPLE_DAY, "The contingent's casualties during the day.").label("casualties per day"),
    Quantity::new("cumulative", PEOPLE, "The contingent's casualties since day 0.").label("casualties, cumulative"),
    Quantity::new("killed", PEOPLE, "The contingent's killed since day 0.").label("killed, cumulative"),
    Quantity::new(
        "payments",
        "USD",
        "Paid to the sending state since day 0: strength at the end of each day times the payment per soldier.",
    )
    .label("payments, cumulative"),
];

const CONTINGENT_OUTCOMES: [Quantity; 4] = [
    Quantity::new(
        "rate_per_30d",
        "per soldier per 30 days",
        "Casualties per soldier and 30 days of exposure (the strength summed over days); NaN without exposure.",
    )
    .label("casualty rate per 30 days")
    .key(),
    Quantity::new("casualties", PEOPLE, "The contingent's casualties over the run.").label("casualties per day"),
    Quantity::new("killed", PEOPLE, "The contingent's killed over the run.").label("killed, cumulative"),
    Quantity::new("payments", "USD", "Paid to the sending state over the run.").label("payments, cumulative"),
];

/// A side's casualties on one day: taken (summed over its contingents, if
/// any), killed, wounded and returned, and the day's tempo.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CasualtyDay {
    pub(crate) taken: f64,
    pub(crate) killed: f64,
    pub(crate) wounded: f64,
    pub(crate) returned: f64,
    pub(crate) tempo: f64,
}

/// A mean-one drift of the log tempo: an AR(1) process started at 0 on day 0.
struct Drift {
    sd: f64,
    keep: f64,
    x: f64,
    var: f64,
}

impl Drift {
    fn new(sd: f64, reversion: f64) -> Drift {
        Drift { sd, keep: 1.0 - reversion, x: 0.0, var: 0.0 }
    }

    /// The next day's factor exp(x_t - Var(x_t) / 2).
    fn step(&mut self, rng: &mut Stream) -> f64 {
        let e = normal(rng);
        self.x = self.keep * self.x + self.sd * e;
        self.var = self.keep * self.keep * self.var + self.sd * self.sd;
        (self.x - 0.5 * self.var).exp()
    }
}

/// A side's casualty process: tempo (schedule x mean-one log drifts) and the
/// daily negative-binomial count.
pub(crate) struct Casualties {
    rng: Stream,
    rng_tempo: Stream,
    base: f64,
    k: Option<f64>,
    pub(crate) alpha: f64,
    tempo: Vec<(Window, f64)>,
    drift: Drift,
    /// The slow drift, drawn from its own stream (none when its sd is 0).
    slow: Option<(Stream, Drift)>,
    pub(crate) cumulative: f64,
    pub(crate) run_total: f64,
    pub(crate) thresholds: Vec<f64>,
    pub(crate) first_cross: Vec<Option<usize>>,
}

impl Casualties {
    pub(crate) fn new(c: &CasCfg, v: &[f64], s: &Streams) -> Casualties {
        Casualties {
            rng: s.get(c.keys[0]),
            rng_tempo: s.get(c.keys[1]),
            base: v[c.base],
            k: c.dispersion.map(|d| v[d]),
            alpha: v[c.alpha],
            tempo: c.tempo.iter().map(|(w, p)| (*w, v[*p])).collect(),
            drift: Drift::new(v[c.drift_sd], v[c.drift_reversion]),
            slow: (v[c.slow_drift_sd] > 0.0)
                .then(|| (s.get(c.keys[2]), Drift::new(v[c.slow_drift_sd], v[c.slow_drift_reversion]))),
            cumulative: v[c.initial_cumulative],
            run_total: 0.0,
            thresholds: c.thresholds.clone(),
            first_cross: vec![None; c.thresholds.len()],
        }
    }

    /// Tempo on day `t`: the schedule's factor times the drift
    /// exp(x_t - Var(x_t) / 2), where x_t = (1 - reversion) x_{t-1} + sd e_t
    /// in log space, times the slow drift, the same with its own sd, reversion
    /// and stream. Subtracting half the variance keeps each drift's mean at 1
    /// on every day, so the drifts widen long horizons without biasing them.
    pub(crate) fn tempo(&mut self, t: usize) -> f64 {
        let mut f = 1.0;
        for (w, factor) in &self.tempo {
            if w.holds(t as i64) {
                f *= factor;
            }
        }
        if self.drift.sd > 0.0 {
            f *= self.drift.step(&mut self.rng_tempo);
        }
        if let Some((rng, slow)) = &mut self.slow {
            f *= slow.step(rng);
        }
        f
    }

    /// The day's expected casualties: base x tempo x ratio^alpha.
    fn mean(&self, tempo: f64, enemy_ratio: f64) -> f64 {
        let coupling = if self.alpha == 0.0 { 1.0 } else { enemy_ratio.powf(self.alpha) };
        self.base * tempo * coupling
    }

    /// The day's Poisson mean of casualties, to split over contingents: the
    /// negative binomial with that mean and dispersion k is a Poisson count
    /// with a Gamma(k, mean / k) mean (the mean itself without dispersion).
    pub(crate) fn intensity(&mut self, tempo: f64, enemy_ratio: f64) -> f64 {
        let mean = self.mean(tempo, enemy_ratio);
        nb_intensity(&mut self.rng, mean, self.k)
    }

    /// Casualties of a side without contingents ~ NegativeBinomial(mean, k).
    pub(crate) fn draw(&mut self, tempo: f64, enemy_ratio: f64) -> f64 {
        let mean = self.mean(tempo, enemy_ratio);
        neg_binomial(&mut self.rng, mean, self.k)
    }

    /// Split a day's Poisson mean `lambda` over contingents in proportion to
    /// their weights (strength x relative risk at the start of the day) into
    /// `out`. A multinomial split of a Poisson count is independent Poisson
    /// counts with the split means, so each contingent then draws its own.
    pub(crate) fn split(lambda: f64, conts: &[Contingent], out: &mut Vec<f64>) {
        out.clear();
        let w: f64 = conts.iter().map(|k| k.weight()).sum();
        out.extend(conts.iter().map(|k| if w > 0.0 { lambda * k.weight() / w } else { 0.0 }));
    }

    pub(crate) fn record(&mut self, t: usize, c: f64) {
        self.cumulative += c;
        self.run_total += c;
        for (i, th) in self.thresholds.iter().enumerate() {
            if self.first_cross[i].is_none() && self.cumulative >= *th {
                self.first_cross[i] = Some(t);
            }
        }
    }

    /// The day's series, once the day is recorded.
    #[inline]
    pub(crate) fn series(&self, d: &CasualtyDay) -> [f64; CASUALTY_SERIES.len()] {
        [d.taken, self.cumulative, d.killed, d.wounded, d.returned, d.tempo]
    }

    /// The run total, then the first crossing of each threshold.
    pub(crate) fn outcomes(&self) -> impl Iterator<Item = f64> + '_ {
        std::iter::once(self.run_total).chain(self.first_cross.iter().map(|d| first_passage(*d)))
    }
}

/// A contingent's state.
pub(crate) struct Contingent {
    /// One stream per mechanism: the casualty count, the killed among them,
    /// the wounded who will return, the arrivals.
    rng_count: Stream,
    rng_killed: Stream,
    rng_returns: Stream,
    rng_arrivals: Stream,
    arrivals: PoissonClock,
    pub(crate) strength: f64,
    rr: f64,
    killed_fraction: f64,
    rtd: f64,
    rtd_days: usize,
    pub(crate) payment: f64,
    pub(crate) arrival_rate: f64,
    schedule: Vec<(i64, f64)>,
    window: Window,
    /// Wounded due back, by day modulo the ring's length.
    returns: Vec<f64>,
    pub(crate) cumulative: f64,
    pub(crate) killed: f64,
    pub(crate) payments: f64,
    pub(crate) exposure: f64,
}

/// One day of a contingent.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ContDay {
    pub(crate) casualties: f64,
    pub(crate) killed: f64,
    pub(crate) wounded: f64,
    pub(crate) returned: f64,
}

impl Contingent {
    pub(crate) fn new(c: &ContCfg, v: &[f64], s: &Streams) -> Contingent {
        let rtd_days = v[c.rtd_days].round() as usize;
        Contingent {
            rng_count: s.get(c.keys[0]),
            rng_killed: s.get(c.keys[1]),
            rng_returns: s.get(c.keys[2]),
            rng_arrivals: s.get(c.keys[3]),
            arrivals: PoissonClock::default(),
            strength: v[c.strength].round(),
            rr: v[c.relative_risk],
            killed_fraction: v[c.killed_fraction],
            rtd: v[c.rtd],
            rtd_days,
            payment: v[c.payment],
            arrival_rate: v[c.arrival_rate],
            schedule: c.schedule.iter().map(|(d, p)| (*d, v[*p].round())).collect(),
            window: c.window,
            returns: vec![0.0; rtd_days + 1],
            cumulative: 0.0,
            killed: 0.0,
            payments: 0.0,
            exposure: 0.0,
        }
    }

    #[inline]
    pub(crate) fn weight(&self) -> f64 {
        self.strength * self.rr
    }

    /// Take the day's casualties, Poisson with mean `mu` and never more than
    /// the strength, bring back the wounded due today, and add today's arrivals.
    ///
    /// Casualties c = min(Poisson(mu), strength), killed ~ Binomial(c,
    /// killed_fraction) and returning ~ Binomial(c - killed, rtd), each on
    /// its own stream: a change to the killed fraction leaves the casualty
    /// counts as they were, and a change to the return share the killed.
    pub(crate) fn step(&mut self, t: usize, mu: f64) -> ContDay {
        self.exposure += self.strength;
        let c = poisson(&mut self.rng_count, mu).min(self.strength);
        let killed = binomial(&mut self.rng_killed, c, self.killed_fraction);
        let back = binomial(&mut self.rng_returns, c - killed, self.rtd);
        let wounded = c - killed;
        let ring = self.returns.len();
        self.returns[(t + self.rtd_days) % ring] += back;
        self.strength -= c;
        self.cumulative += c;
        self.killed += killed;
        let returned = std::mem::take(&mut self.returns[t % ring]);
        self.strength += returned;
        if self.window.holds(t as i64) {
            self.strength += self.arrivals.count(&mut self.rng_arrivals, self.arrival_rate);
            for (d, size) in &self.schedule {
                if *d == t as i64 {
                    self.strength += size;
                }
            }
        }
        self.payments += self.strength * self.payment;
        ContDay { casualties: c, killed, wounded, returned }
    }

    /// The day's series, at the end of the day.
    #[inline]
    pub(crate) fn series(&self, d: &ContDay) -> [f64; CONTINGENT_SERIES.len()] {
        [self.strength, d.casualties, self.cumulative, self.killed, self.payments]
    }

    pub(crate) fn outcomes(&self) -> [f64; CONTINGENT_OUTCOMES.len()] {
        // Casualties per soldier-month of exposure (strength summed over days).
        let rate = if self.exposure > 0.0 { self.cumulative / self.exposure * 30.0 } else { f64::NAN };
        [rate, self.cumulative, self.killed, self.payments]
    }
}
