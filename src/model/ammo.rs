//! Ammunition per side and caliber (docs/model.md section 3): supply lines,
//! stocks and firing, and what they record.
use super::first_passage;
use super::quantity::{Group, Item, Quantity};
use crate::rng::clock::PoissonClock;
use crate::rng::sample::{self, binomial};
use crate::rng::{Stream, Streams};
use crate::scenario::compile::{CaliberCfg, LineCfg, Window};

const SHELLS: &str = "shells";
const SHELLS_DAY: &str = "shells/day";
const EFFECTIVE: &str = "effective rounds/day (152 mm eq.)";

/// A side's effective fire, the sum over its calibers: what the couplings see.
pub(crate) const FIRE: Group = Group {
    module: "fire",
    item: Item::Fixed("total"),
    owner: "ammo",
    series: &[Quantity::new(
        "effective",
        EFFECTIVE,
        "The side's effective fire: good shells fired, weighted by lethality and barrel accuracy, summed over \
         calibers.",
    )
    .label("effective fire")],
    outcomes: &[],
};

/// A caliber's stock: what it receives and fires.
pub(crate) const CALIBER: Group = Group {
    module: "ammo",
    item: Item::Named("caliber"),
    owner: "ammo",
    series: &CALIBER_SERIES,
    outcomes: &CALIBER_OUTCOMES,
};

const CALIBER_SERIES: [Quantity; 8] = [
    Quantity::new("stock", SHELLS, "Shells in stock at the end of the day, duds included.").label("stock"),
    Quantity::new("duds", SHELLS, "Duds in the stock at the end of the day.").label("duds in stock"),
    Quantity::new("delivered", SHELLS_DAY, "Shells delivered during the day by the caliber's supply lines.")
        .label("delivered"),
    Quantity::new(
        "demand",
        SHELLS_DAY,
        "Shells the caliber's fleets ask for: serviceable guns times rounds per gun and day, in whole rounds.",
    )
    .label("demand"),
    Quantity::new(
        "fired",
        SHELLS_DAY,
        "Shells fired: the demand, or what the stock holds above its reserve floor when that is less.",
    )
    .label("fired"),
    Quantity::new("duds_fired", SHELLS_DAY, "Duds among the shells fired.").label("duds fired"),
    Quantity::new("shortfall", SHELLS_DAY, "Demand the stock could not meet: demand less fired.").label("shortfall"),
    Quantity::new(
        "effective_fire",
        EFFECTIVE,
        "The caliber's effective fire: good shells fired times lethality times the mean accuracy of its guns.",
    )
    .label("effective fire"),
];

const CALIBER_OUTCOMES: [Quantity; 3] = [
    Quantity::new(
        "days_to_rationing",
        "days",
        "First day the caliber fired less than its demand because its stock sat at the reserve floor (fire was \
         rationed).",
    )
    .label("days until fire is rationed")
    .first_passage()
    .key(),
    Quantity::new(
        "days_to_empty",
        "days",
        "First day the stock was zero at the end of the day; firing stops at the reserve floor, so with a positive \
         floor it is censored unless the stock starts empty.",
    )
    .label("days until the stock is empty")
    .first_passage(),
    Quantity::new("fired_total", SHELLS, "Shells fired over the run.").label("fired in the run"),
];

/// A supply line: its deliveries and what they earn its supplier.
pub(crate) const LINE: Group = Group {
    module: "supply",
    item: Item::Named("line"),
    owner: "ammo",
    series: &LINE_SERIES,
    outcomes: &LINE_OUTCOMES,
};

const LINE_SERIES: [Quantity; 2] = [
    Quantity::new("delivered", SHELLS_DAY, "Shells the line delivered during the day, in whole lots.")
        .label("delivered"),
    Quantity::new("duds", SHELLS_DAY, "Duds among the shells the line delivered during the day.")
        .label("duds delivered"),
];

const LINE_OUTCOMES: [Quantity; 2] = [
    Quantity::new("delivered_total", SHELLS, "Shells the line delivered over the run.").label("delivered in the run"),
    Quantity::new("revenue", "USD", "What the line's shells earned its supplier over the run: shells times price.")
        .label("revenue"),
];

/// A supply line's state in one trajectory.
pub(crate) struct Line {
    /// Lots arrive on one stream, duds are drawn on another: a change to the
    /// dud fraction leaves the days and sizes of the deliveries as they were.
    rng_lots: Stream,
    rng_duds: Stream,
    lots: PoissonClock,
    pub(crate) rate: f64,
    growth_per_day: f64,
    lot: f64,
    dud: f64,
    pub(crate) price: f64,
    window: Window,
    pub(crate) delivered_total: f64,
}

impl Line {
    pub(crate) fn new(c: &LineCfg, v: &[f64], s: &Streams) -> Line {
        Line {
            rng_lots: s.get(c.keys[0]),
            rng_duds: s.get(c.keys[1]),
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
    pub(crate) fn deliver(&mut self, t: usize) -> (f64, f64) {
        if !self.window.holds(t as i64) || self.rate <= 0.0 {
            return (0.0, 0.0);
        }
        let rate =
            if self.growth_per_day == 0.0 { self.rate } else { self.rate * (self.growth_per_day * t as f64).exp() };
        let shells = self.lots.count(&mut self.rng_lots, rate / self.lot) * self.lot;
        let duds = binomial(&mut self.rng_duds, shells, self.dud);
        self.delivered_total += shells;
        (shells, duds)
    }

    /// The day's series: what [`Line::deliver`] returned.
    #[inline]
    pub(crate) fn series((shells, duds): (f64, f64)) -> [f64; LINE_SERIES.len()] {
        [shells, duds]
    }

    pub(crate) fn outcomes(&self) -> [f64; LINE_OUTCOMES.len()] {
        [self.delivered_total, self.revenue()]
    }

    /// What the line's shells earned its supplier over the run.
    pub(crate) fn revenue(&self) -> f64 {
        self.delivered_total * self.price
    }
}

/// The stock of one caliber.
pub(crate) struct Stock {
    rng: Stream,
    pub(crate) stock: f64,
    pub(crate) duds: f64,
    pub(crate) lethality: f64,
    /// The reserve floor: max(reserve, reserve_days x planned demand), fixed
    /// for the trajectory (see [`Stock::new`]).
    floor: f64,
    /// First day fire was rationed (fired < demand), and the first day the stock was empty.
    pub(crate) first_rationed: Option<usize>,
    pub(crate) first_empty: Option<usize>,
    pub(crate) fired_total: f64,
}

/// What happened to a caliber's stock on one day.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Firing {
    pub(crate) fired: f64,
    pub(crate) duds_fired: f64,
}

/// A caliber's day, as the side saw it: shells delivered, the fleets'
/// demand, the firing and its effective fire.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CaliberDay {
    pub(crate) delivered: f64,
    pub(crate) demand: f64,
    pub(crate) firing: Firing,
    pub(crate) effective: f64,
}

impl Stock {
    /// The stock of a caliber whose fleets ask `planned` rounds a day on day 0
    /// (every day-0 gun serviceable): its reserve floor is
    /// max(reserve, reserve_days x planned), a constant of the trajectory. It
    /// does not follow the day's demand, so a side whose guns wear out or are
    /// lost keeps the same reserve, and cutting a supply line cannot raise the
    /// stock by lowering the floor.
    pub(crate) fn new(c: &CaliberCfg, v: &[f64], s: &Streams, planned: f64) -> Stock {
        let stock = v[c.initial_stock].round();
        Stock {
            rng: s.get(c.key),
            stock,
            duds: (stock * v[c.initial_dud_fraction]).round(),
            lethality: v[c.lethality],
            floor: v[c.reserve].max(v[c.reserve_days] * planned),
            first_rationed: None,
            first_empty: None,
            fired_total: 0.0,
        }
    }

    pub(crate) fn receive(&mut self, shells: f64, duds: f64) {
        self.stock += shells;
        self.duds += duds;
    }

    /// Fire down to the reserve floor: fired = min(demand, max(0, S - floor)),
    /// whole shells. Duds fired ~ Binomial(fired, U / S): the binomial
    /// approximation of the hypergeometric draw from the pool (docs/model.md 3.3),
    /// held within the hypergeometric's support [max(0, fired - (S - U)),
    /// min(fired, U)], so neither the duds nor the good shells go negative.
    pub(crate) fn fire(&mut self, t: usize, demand: f64) -> Firing {
        let fired = sample::floor(demand.min((self.stock - self.floor).max(0.0)));
        if fired < demand && demand > 0.0 && self.first_rationed.is_none() {
            self.first_rationed = Some(t);
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
        if self.stock <= 0.0 && self.first_empty.is_none() {
            self.first_empty = Some(t);
        }
        Firing { fired, duds_fired }
    }

    /// The day's series, at the end of the day.
    #[inline]
    pub(crate) fn series(&self, d: &CaliberDay) -> [f64; CALIBER_SERIES.len()] {
        let f = d.firing;
        [self.stock, self.duds, d.delivered, d.demand, f.fired, f.duds_fired, d.demand - f.fired, d.effective]
    }

    pub(crate) fn outcomes(&self) -> [f64; CALIBER_OUTCOMES.len()] {
        [first_passage(self.first_rationed), first_passage(self.first_empty), self.fired_total]
    }
}
