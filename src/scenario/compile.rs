//! Compiling a scenario into the model's flat form: every parameter gets a
//! slot in a per-trajectory value vector (uncertain ones keyed by their dotted
//! path), names resolve to indices, dates to day offsets, and every random
//! component gets the key of its stream. Compiling is also the semantic
//! validation: each parameter is checked against the domain of its meaning (a
//! count is >= 0, a probability in [0, 1]) over the whole support of its
//! distribution. (The ids of series and outcomes are the model's: see
//! `model::registry`.)
use std::collections::HashMap;

use super::correlation::Copula;
use super::fields::{Domain, Field, MAX_GUNS, field};
use super::parse::segment;
use super::schedule::{Interpolate, MAX_SEGMENTS, Rate};
pub(crate) use super::uncertain::{P, Uncertain};
use super::{Date, Dist, Param, Scenario};
use crate::error::{CoreError, at, did_you_mean, shown};
use crate::rng;

/// Most guns all the fleets of a scenario may hold in a trajectory, initial
/// plus delivered (about 80 bytes of state each, per worker thread).
pub const MAX_TOTAL_GUNS: f64 = 1e7;
/// Most days of returns all the contingents of a scenario may wait on
/// (`rtd_days + 1` each, 8 bytes a day per worker thread).
pub const MAX_TOTAL_RTD_DAYS: f64 = 1e7;
/// Most items in a scenario: calibers, supply lines, fleets, contingents,
/// tempo windows, scheduled arrivals and casualty thresholds. Each has its
/// series, outcomes and state; a text within `MAX_SCENARIO_BYTES` can hold
/// more, and is refused rather than left to exhaust memory and time.
pub const MAX_ITEMS: usize = 50_000;
/// Problems listed in one error (the rest are counted).
pub(crate) const MAX_PROBLEMS: usize = 50;
/// Unknown names given "did you mean" suggestions (each scans every name).
const MAX_SUGGESTIONS: usize = 10;
/// Names listed after an unknown one.
const MAX_KNOWN: usize = 20;
/// Bytes of state a gun takes in a trajectory (sorted entry, barrel, queues).
const GUN_BYTES: f64 = 80.0;
/// Bytes of state an item takes in a trajectory besides its guns and returns.
const ITEM_BYTES: f64 = 512.0;

#[derive(Debug, Default)]
struct Reg {
    values: Vec<f64>,
    /// The dotted path of each slot.
    paths: Vec<String>,
    /// The largest value of each slot (its support's high end).
    highs: Vec<f64>,
    uncertain: Vec<Uncertain>,
    schedules: Vec<RateSchedule>,
    wear: Vec<Dist>,
    errors: Vec<String>,
    /// Problems beyond the first `MAX_PROBLEMS`, counted.
    more: usize,
    /// Unknown names reported so far (suggestions only for the first few).
    unknown: usize,
}

/// The dotted path of the field `field` of the table at `parent` ("" at the top).
fn path_of(parent: &str, field: &Field) -> String {
    if parent.is_empty() { field.name.to_string() } else { format!("{parent}.{}", field.name) }
}

impl Reg {
    /// The slot of a rate: a parameter's, or for a schedule its first
    /// segment's, with the schedule kept to set the model's value each day.
    /// Each segment's value is a parameter at `...<field>.schedule[i].value`.
    fn rate(&mut self, rate: &Rate, parent: &str, field: &Field, origin: Date, of: RateOf) -> P {
        let sched = match rate {
            Rate::Const(p) => return self.p(p, parent, field),
            Rate::Schedule(sched) => sched,
        };
        let here = format!("{parent}.{}.schedule", field.name);
        let segments = &sched.schedule;
        if segments.is_empty() {
            self.err(&here, "a schedule needs at least one segment");
            return self.p(&Param::fixed(0.0), parent, field);
        }
        if segments.len() > MAX_SEGMENTS {
            self.err(&here, format!("has {} segments; the limit is {MAX_SEGMENTS}", segments.len()));
            return self.p(&Param::fixed(0.0), parent, field);
        }
        let value = Field { name: "value", ..*field };
        let mut knots = Vec::with_capacity(segments.len());
        for (i, seg) in segments.iter().enumerate() {
            let sp = format!("{here}[{i}]");
            if let Some(prev) = i.checked_sub(1).map(|j| segments[j].from) {
                if seg.from <= prev {
                    self.err(
                        &format!("{sp}.from"),
                        format!("the dates must increase: {} is not after {prev}", seg.from),
                    );
                }
            }
            knots.push((origin.days_until(seg.from), self.p(&seg.value, &sp, &value)));
        }
        let first = knots[0].1;
        self.schedules.push(RateSchedule { of, knots, linear: sched.interpolate == Interpolate::Linear });
        first
    }

    /// The slot of `param`, the field `field` of the table at `parent` ("" at
    /// the top), checked against the field's domain.
    fn p(&mut self, param: &Param, parent: &str, field: &Field) -> P {
        self.p_limited(param, parent, field, None)
    }

    /// As [`Reg::p`], with a bound beyond the domain that a value given
    /// instead of a draw must also respect (the support is checked by the caller).
    fn p_limited(&mut self, param: &Param, parent: &str, field: &Field, limit: Option<(f64, String)>) -> P {
        let path = path_of(parent, field);
        let path = path.as_str();
        let (lo, hi) = param.0.support();
        let dom = field.domain.unwrap_or(Domain::NonNeg);
        if let Err(rule) = dom.check(lo, hi) {
            let msg = match &param.0 {
                Dist::Fixed(v) => format!("{rule}, got {v}"),
                d @ Dist::Interval { base, .. } if base.name() == "normal" => format!(
                    "{rule}, but {} can give values in [{lo}, {hi}]: an interval with an end <= 0 is an untruncated \
                     normal; write it in full with `low` (and `high`) inside the domain, e.g. {}",
                    d.describe(),
                    base.full_form_hint()
                ),
                d => format!("{rule}, but {} can give values in [{lo}, {hi}]", d.describe()),
            };
            self.err(path, msg);
        }
        self.highs.push(hi);
        let slot = self.values.len();
        self.paths.push(path.to_string());
        match &param.0 {
            Dist::Fixed(v) => self.values.push(*v),
            d => {
                self.values.push(f64::NAN);
                self.uncertain.push(Uncertain {
                    path: path.to_string(),
                    key: rng::key(&format!("param:{path}")),
                    dist: d.clone(),
                    slot,
                    domain: dom,
                    limit,
                });
            }
        }
        slot
    }

    /// A distribution drawn afresh for every element (not once per
    /// trajectory), the field `field` of the table at `parent`: checked
    /// against the field's domain over its support, kept apart from the
    /// parameters; its index in `wear`.
    fn per_element(&mut self, param: &Param, parent: &str, field: &Field) -> usize {
        let path = path_of(parent, field);
        let (lo, hi) = param.0.support();
        if let Err(rule) = field.domain.unwrap_or(Domain::NonNeg).check(lo, hi) {
            let msg = match &param.0 {
                Dist::Fixed(v) => format!("{rule}, got {v}"),
                d => format!("{rule}, but {} can give values in [{lo}, {hi}]", d.describe()),
            };
            self.err(&path, msg);
        }
        self.wear.push(param.0.clone());
        self.wear.len() - 1
    }

    /// Check a plain number at `path` (a value of the field `field`) against the field's domain.
    fn number(&mut self, x: f64, path: &str, field: &Field) {
        if let Some(rule) = field.domain.and_then(|d| d.check(x, x).err()) {
            self.err(path, format!("{rule}, got {x}"));
        }
    }

    fn err(&mut self, path: &str, msg: impl std::fmt::Display) {
        if self.errors.len() < MAX_PROBLEMS {
            self.errors.push(at(path, msg));
        } else {
            self.more += 1;
        }
    }

    fn name(&mut self, path: &str, name: &str) {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            self.err(path, format!("names must be 1 to 64 letters, digits, '_' or '-', got {:?}", shown(name)));
        }
    }

    /// The index of `name` among the `what`s (looked up in `index`), or an error
    /// naming the closest and the first few known ones.
    fn index_of(&mut self, path: &str, what: &str, name: &str, index: &Names) -> usize {
        if let Some(&i) = index.map.get(name) {
            return i;
        }
        self.unknown += 1;
        let hint = if self.unknown <= MAX_SUGGESTIONS {
            did_you_mean(name, index.names.iter().copied())
        } else {
            String::new()
        };
        let known = index.names.iter().take(MAX_KNOWN).copied().collect::<Vec<_>>().join(", ");
        let more = if index.names.len() > MAX_KNOWN {
            format!(" and {} more", index.names.len() - MAX_KNOWN)
        } else {
            String::new()
        };
        self.err(path, format!("no {what} named {:?}{hint}; known: [{known}]{more}", shown(name)));
        0
    }

    /// The problems found, the ones beyond the first `MAX_PROBLEMS` counted.
    fn problems(&mut self) -> Vec<String> {
        let mut out = std::mem::take(&mut self.errors);
        if self.more > 0 {
            out.push(format!("... and {} more problems", self.more));
        }
        out
    }
}

/// Names in order, and where each is.
struct Names<'a> {
    names: Vec<&'a str>,
    map: HashMap<&'a str, usize>,
}

impl<'a> Names<'a> {
    fn new(names: impl Iterator<Item = &'a String>) -> Names<'a> {
        let names: Vec<&str> = names.map(String::as_str).collect();
        let map = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        Names { names, map }
    }
}

/// The daily value of the model that a rate's schedule sets: (side, element).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RateOf {
    Supply(usize, usize),
    Demand(usize, usize),
    CombatLoss(usize, usize),
    Arrivals(usize, usize),
}

/// A rate that changes over time: its segments' (day offset, slot) in date
/// order, joined stepwise or linearly.
#[derive(Debug, Clone)]
pub(crate) struct RateSchedule {
    pub(crate) of: RateOf,
    pub(crate) knots: Vec<(i64, P)>,
    pub(crate) linear: bool,
}

impl RateSchedule {
    /// The rate on each day `0..days` of a trajectory with values `v`.
    pub(crate) fn daily(&self, v: &[f64], days: usize) -> Vec<f64> {
        let knots: Vec<(i64, f64)> = self.knots.iter().map(|&(d, slot)| (d, v[slot])).collect();
        super::schedule::daily(&knots, self.linear, days)
    }
}

/// Day offsets of a [start, end) window; None means open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub(crate) start: i64,
    pub(crate) end: i64,
}

impl Window {
    fn new(origin: Date, start: Option<Date>, end: Option<Date>) -> Window {
        Window {
            start: start.map_or(i64::MIN, |d| origin.days_until(d)),
            end: end.map_or(i64::MAX, |d| origin.days_until(d)),
        }
    }
    #[inline]
    pub(crate) fn holds(&self, t: i64) -> bool {
        t >= self.start && t < self.end
    }
}

#[derive(Debug, Clone)]
pub(crate) struct CaliberCfg {
    pub(crate) name: String,
    pub(crate) initial_stock: P,
    pub(crate) initial_dud_fraction: P,
    pub(crate) lethality: P,
    pub(crate) reserve: P,
    pub(crate) reserve_days: P,
    pub(crate) key: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct LineCfg {
    pub(crate) name: String,
    pub(crate) caliber: usize,
    pub(crate) supplier: usize,
    pub(crate) rate: P,
    pub(crate) growth: P,
    pub(crate) window: Window,
    pub(crate) lot_size: P,
    pub(crate) dud_fraction: P,
    pub(crate) price: P,
    /// Streams of its lots and of the duds among its deliveries.
    pub(crate) keys: [u64; 2],
}

#[derive(Debug, Clone)]
pub(crate) struct FleetCfg {
    pub(crate) name: String,
    pub(crate) caliber: usize,
    pub(crate) guns: P,
    pub(crate) rounds_per_gun_day: P,
    pub(crate) efc_per_round: P,
    pub(crate) barrel_life: P,
    pub(crate) barrel_shape: P,
    /// Index of its `initial_wear` in [`Compiled::wear`]: a per-barrel
    /// distribution, drawn for every day-0 barrel, not a parameter.
    pub(crate) initial_wear: usize,
    pub(crate) spares: P,
    pub(crate) spare_rate: P,
    pub(crate) repair_days: P,
    pub(crate) max_wait_days: Option<P>,
    pub(crate) combat_loss: P,
    pub(crate) combat_beta: P,
    pub(crate) accuracy_loss: P,
    pub(crate) accuracy_exponent: u8,
    pub(crate) threshold: P,
    pub(crate) deliveries: Option<(P, P, Window)>,
    pub(crate) keys: [u64; 4],
}

#[derive(Debug, Clone)]
pub(crate) struct CasCfg {
    pub(crate) base: P,
    pub(crate) dispersion: Option<P>,
    pub(crate) alpha: P,
    pub(crate) tempo: Vec<(Window, P)>,
    pub(crate) drift_sd: P,
    pub(crate) drift_reversion: P,
    pub(crate) slow_drift_sd: P,
    pub(crate) slow_drift_reversion: P,
    pub(crate) initial_cumulative: P,
    /// The thresholds sorted, without repeats (one first-passage outcome each).
    pub(crate) thresholds: Vec<f64>,
    /// Streams: the daily counts, the drift, the slow drift.
    pub(crate) keys: [u64; 3],
}

#[derive(Debug, Clone)]
pub(crate) struct ContCfg {
    pub(crate) name: String,
    pub(crate) strength: P,
    pub(crate) relative_risk: P,
    pub(crate) killed_fraction: P,
    pub(crate) rtd: P,
    pub(crate) rtd_days: P,
    pub(crate) payment: P,
    pub(crate) sender: usize,
    pub(crate) arrival_rate: P,
    pub(crate) schedule: Vec<(i64, P)>,
    pub(crate) window: Window,
    /// Streams of its casualty count, its killed, its returning wounded and its arrivals.
    pub(crate) keys: [u64; 4],
}

#[derive(Debug, Clone)]
pub(crate) struct TerrCfg {
    pub(crate) rate: P,
    pub(crate) cv: P,
    pub(crate) gamma: P,
    pub(crate) ref_ratio: P,
    pub(crate) reference_area_km2: P,
    pub(crate) key: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct SideCfg {
    pub(crate) name: String,
    pub(crate) enemy: usize,
    pub(crate) ref_fire: P,
    pub(crate) calibers: Vec<CaliberCfg>,
    pub(crate) lines: Vec<LineCfg>,
    pub(crate) fleets: Vec<FleetCfg>,
    pub(crate) casualties: Option<CasCfg>,
    pub(crate) contingents: Vec<ContCfg>,
    pub(crate) territory: Option<TerrCfg>,
    /// Names of the suppliers and senders this side pays (one revenue outcome each).
    pub(crate) payees: Vec<String>,
    /// The indices of the fleets of each caliber, in order.
    pub(crate) fleets_of: Vec<Vec<usize>>,
}

/// A validated scenario in the model's flat form.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    pub(crate) days: usize,
    pub(crate) coupling: bool,
    /// The cap on every fire ratio of the couplings.
    pub(crate) max_fire_ratio: P,
    pub(crate) sides: Vec<SideCfg>,
    /// Fixed values; NaN in the slots of uncertain parameters.
    pub(crate) values: Vec<f64>,
    pub(crate) uncertain: Vec<Uncertain>,
    /// The rank correlations between uncertain parameters.
    pub(crate) copula: Copula,
    /// The rates that change over time (none in most scenarios).
    pub(crate) schedules: Vec<RateSchedule>,
    /// Every fleet's `initial_wear` (fleets over all sides in order): the
    /// distribution of a day-0 barrel's used share of its scale life.
    pub(crate) wear: Vec<Dist>,
    /// An upper bound of the bytes a trajectory's state takes (guns, returns
    /// waiting, the items and their values), for the memory estimates.
    pub(crate) state_bytes: f64,
}

/// The scenario's totals against their limits (`MAX_ITEMS`, `MAX_TOTAL_GUNS`,
/// `MAX_TOTAL_RTD_DAYS`), each refusal naming the largest contributor; and
/// the bound of a trajectory's state in bytes.
fn totals(sides: &[SideCfg], days: u32, reg: &mut Reg) -> f64 {
    let hi = |p: P| reg.highs[p];
    let mut items = 0usize;
    let (mut guns, mut rtd) = (0.0, 0.0);
    let mut most_guns = (0.0, String::new());
    let mut most_rtd = (0.0, String::new());
    let mut most_items = (0usize, String::new());
    for sd in sides {
        let n = sd.calibers.len()
            + sd.lines.len()
            + sd.fleets.len()
            + sd.contingents.len()
            + sd.casualties.as_ref().map_or(0, |c| c.tempo.len() + c.thresholds.len())
            + sd.contingents.iter().map(|k| k.schedule.len()).sum::<usize>();
        items += n;
        if n > most_items.0 {
            most_items = (n, format!("sides.{}", sd.name));
        }
        for f in &sd.fleets {
            let g = hi(f.guns) + f.deliveries.as_ref().map_or(0.0, |(rate, _, _)| hi(*rate) * f64::from(days));
            guns += g;
            if g > most_guns.0 {
                most_guns = (g, format!("sides.{}.fleets.{}.guns", sd.name, f.name));
            }
        }
        for k in &sd.contingents {
            let d = hi(k.rtd_days) + 1.0;
            rtd += d;
            if d > most_rtd.0 {
                most_rtd = (d, format!("sides.{}.contingents.{}.rtd_days", sd.name, k.name));
            }
        }
    }
    if items > MAX_ITEMS {
        reg.err(
            &most_items.1,
            format!(
                "the scenario has {items} items (calibers, supply lines, fleets, contingents, tempo windows, \
                 scheduled arrivals, thresholds; this side {}), above the limit of {MAX_ITEMS}",
                most_items.0
            ),
        );
    }
    if guns > MAX_TOTAL_GUNS {
        reg.err(
            &most_guns.1,
            format!(
                "the fleets could hold up to {guns:.3e} guns in a trajectory in all (initial and delivered; this one \
                 up to {:.3e}), above the limit of {MAX_TOTAL_GUNS:e} in all",
                most_guns.0
            ),
        );
    }
    if rtd > MAX_TOTAL_RTD_DAYS {
        reg.err(
            &most_rtd.1,
            format!(
                "the contingents could wait on up to {rtd:.3e} days of returns in all (rtd_days + 1 each; this one \
                 {:.3e}), above the limit of {MAX_TOTAL_RTD_DAYS:e} in all",
                most_rtd.0
            ),
        );
    }
    let slots = (reg.values.len() + reg.uncertain.len()) as f64;
    GUN_BYTES * guns + 8.0 * rtd + ITEM_BYTES * items as f64 + 16.0 * slots
}

/// A line or contingent that is paid nothing has no payee.
pub(crate) const NO_PAYEE: usize = usize::MAX;

fn is_zero(p: &Param) -> bool {
    matches!(p.0, Dist::Fixed(x) if x == 0.0)
}

/// The suppliers and senders a side pays, in order of first mention, and where each is.
#[derive(Default)]
struct Payees {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Payees {
    fn of(&mut self, name: &str) -> usize {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }
}

impl Compiled {
    pub(crate) fn new(s: &Scenario) -> Result<Compiled, CoreError> {
        let mut reg = Reg::default();
        reg.name("name", &s.name.replace([' ', '.', '(', ')', ','], "-"));
        reg.number(f64::from(s.days), "days", field!(Scenario, "days"));
        if s.sides.is_empty() {
            reg.err("sides", "a scenario needs at least one side");
        }
        let max_fire_ratio = reg.p(&s.max_fire_ratio, "", field!(Scenario, "max_fire_ratio"));
        let side_names = Names::new(s.sides.keys());
        let mut sides = Vec::new();
        for (si, (sname, side)) in s.sides.iter().enumerate() {
            let sp = format!("sides.{}", segment(sname));
            reg.name(&sp, sname);
            let enemy = match &side.opponent {
                Some(o) => {
                    let i = reg.index_of(&format!("{sp}.opponent"), "side", o, &side_names);
                    if i == si && s.sides.len() > 1 {
                        reg.err(&format!("{sp}.opponent"), "a side cannot be its own opponent");
                    }
                    i
                }
                None => match s.sides.len() {
                    1 => si,
                    2 => 1 - si,
                    _ => {
                        reg.err(&format!("{sp}.opponent"), "missing: with more than two sides each names its opponent");
                        si
                    }
                },
            };
            let ref_fire = reg.p(&side.ref_fire, &sp, field!(Side, "ref_fire"));

            let cal_names = Names::new(side.calibers.keys());
            let mut calibers = Vec::new();
            for (cname, c) in &side.calibers {
                let cp = format!("{sp}.calibers.{}", segment(cname));
                reg.name(&cp, cname);
                calibers.push(CaliberCfg {
                    name: cname.clone(),
                    initial_stock: reg.p(&c.initial_stock, &cp, field!(Caliber, "initial_stock")),
                    initial_dud_fraction: reg.p(&c.initial_dud_fraction, &cp, field!(Caliber, "initial_dud_fraction")),
                    lethality: reg.p(&c.lethality, &cp, field!(Caliber, "lethality")),
                    reserve: reg.p(&c.reserve, &cp, field!(Caliber, "reserve")),
                    reserve_days: reg.p(&c.reserve_days, &cp, field!(Caliber, "reserve_days")),
                    key: rng::key(&format!("ammo:{sname}.{cname}")),
                });
            }

            let mut payees = Payees::default();
            let mut lines = Vec::new();
            for (lname, l) in &side.supply {
                let lp = format!("{sp}.supply.{}", segment(lname));
                reg.name(&lp, lname);
                let caliber = reg.index_of(&format!("{lp}.caliber"), "caliber", &l.caliber, &cal_names);
                let w = Window::new(s.start, l.start, l.end);
                if w.end < w.start {
                    reg.err(&format!("{lp}.end"), "the window ends before it starts");
                }
                let sup = l.supplier.clone().unwrap_or_else(|| lname.clone());
                reg.name(&format!("{lp}.supplier"), &sup);
                lines.push(LineCfg {
                    name: lname.clone(),
                    caliber,
                    supplier: if is_zero(&l.price) { NO_PAYEE } else { payees.of(&sup) },
                    rate: reg.rate(&l.rate, &lp, field!(SupplyLine, "rate"), s.start, RateOf::Supply(si, lines.len())),
                    growth: reg.p(&l.growth, &lp, field!(SupplyLine, "growth")),
                    window: w,
                    lot_size: reg.p(&l.lot_size, &lp, field!(SupplyLine, "lot_size")),
                    dud_fraction: reg.p(&l.dud_fraction, &lp, field!(SupplyLine, "dud_fraction")),
                    price: reg.p(&l.price, &lp, field!(SupplyLine, "price")),
                    keys: [
                        rng::key(&format!("supply:{sname}.{lname}:lots")),
                        rng::key(&format!("supply:{sname}.{lname}:duds")),
                    ],
                });
            }

            let mut fleets = Vec::new();
            for (fname, f) in &side.fleets {
                let fp = format!("{sp}.fleets.{}", segment(fname));
                reg.name(&fp, fname);
                let caliber = reg.index_of(&format!("{fp}.caliber"), "caliber", &f.caliber, &cal_names);
                reg.number(
                    f64::from(f.accuracy_exponent),
                    &format!("{fp}.accuracy_exponent"),
                    field!(Fleet, "accuracy_exponent"),
                );
                let deliveries = f.deliveries.as_ref().map(|d| {
                    let dp = format!("{fp}.deliveries");
                    let w = Window::new(s.start, d.start, d.end);
                    if w.end < w.start {
                        reg.err(&format!("{dp}.end"), "the window ends before it starts");
                    }
                    let max_rate = MAX_GUNS / f64::from(s.days);
                    let rule = format!("would deliver more than {MAX_GUNS:e} guns over {} days", s.days);
                    if d.rate.0.support().1 > max_rate {
                        reg.err(&format!("{dp}.rate"), &rule);
                    }
                    (
                        reg.p_limited(&d.rate, &dp, field!(Deliveries, "rate"), Some((max_rate, rule))),
                        reg.p(&d.lot_size, &dp, field!(Deliveries, "lot_size")),
                        w,
                    )
                });
                let k = |part: &str| rng::key(&format!("fleet:{sname}.{fname}:{part}"));
                fleets.push(FleetCfg {
                    name: fname.clone(),
                    caliber,
                    guns: reg.p(&f.guns, &fp, field!(Fleet, "guns")),
                    rounds_per_gun_day: reg.rate(
                        &f.rounds_per_gun_day,
                        &fp,
                        field!(Fleet, "rounds_per_gun_day"),
                        s.start,
                        RateOf::Demand(si, fleets.len()),
                    ),
                    efc_per_round: reg.p(&f.efc_per_round, &fp, field!(Fleet, "efc_per_round")),
                    barrel_life: reg.p(&f.barrel_life, &fp, field!(Fleet, "barrel_life")),
                    barrel_shape: reg.p(&f.barrel_shape, &fp, field!(Fleet, "barrel_shape")),
                    initial_wear: reg.per_element(&f.initial_wear, &fp, field!(Fleet, "initial_wear")),
                    spares: reg.p(&f.spares, &fp, field!(Fleet, "spares")),
                    spare_rate: reg.p(&f.spare_rate, &fp, field!(Fleet, "spare_rate")),
                    repair_days: reg.p(&f.repair_days, &fp, field!(Fleet, "repair_days")),
                    max_wait_days: f.max_wait_days.as_ref().map(|m| reg.p(m, &fp, field!(Fleet, "max_wait_days"))),
                    combat_loss: reg.rate(
                        &f.combat_loss,
                        &fp,
                        field!(Fleet, "combat_loss"),
                        s.start,
                        RateOf::CombatLoss(si, fleets.len()),
                    ),
                    combat_beta: reg.p(&f.combat_beta, &fp, field!(Fleet, "combat_beta")),
                    accuracy_loss: reg.p(&f.accuracy_loss, &fp, field!(Fleet, "accuracy_loss")),
                    accuracy_exponent: f.accuracy_exponent.clamp(1, 3),
                    threshold: reg.p(&f.threshold, &fp, field!(Fleet, "threshold")),
                    deliveries,
                    keys: [k("barrels"), k("combat"), k("spares"), k("deliveries")],
                });
            }

            let casualties = side.casualties.as_ref().map(|c| {
                let cp = format!("{sp}.casualties");
                let tempo = c
                    .tempo
                    .iter()
                    .enumerate()
                    .map(|(i, st)| {
                        let w = Window::new(s.start, Some(st.start), st.end);
                        if w.end < w.start {
                            reg.err(&format!("{cp}.tempo[{i}].end"), "the window ends before it starts");
                        }
                        (w, reg.p(&st.factor, &format!("{cp}.tempo[{i}]"), field!(TempoStep, "factor")))
                    })
                    .collect();
                for (i, t) in c.thresholds.iter().enumerate() {
                    reg.number(*t, &format!("{cp}.thresholds[{i}]"), field!(Casualties, "thresholds"));
                }
                let mut th = c.thresholds.clone();
                th.sort_by(f64::total_cmp);
                th.dedup();
                CasCfg {
                    base: reg.p(&c.base, &cp, field!(Casualties, "base")),
                    dispersion: c.dispersion.as_ref().map(|d| reg.p(d, &cp, field!(Casualties, "dispersion"))),
                    alpha: reg.p(&c.alpha, &cp, field!(Casualties, "alpha")),
                    tempo,
                    drift_sd: reg.p(&c.drift_sd, &cp, field!(Casualties, "drift_sd")),
                    drift_reversion: reg.p(&c.drift_reversion, &cp, field!(Casualties, "drift_reversion")),
                    slow_drift_sd: reg.p(&c.slow_drift_sd, &cp, field!(Casualties, "slow_drift_sd")),
                    slow_drift_reversion: reg.p(
                        &c.slow_drift_reversion,
                        &cp,
                        field!(Casualties, "slow_drift_reversion"),
                    ),
                    initial_cumulative: reg.p(&c.initial_cumulative, &cp, field!(Casualties, "initial_cumulative")),
                    thresholds: th,
                    keys: [
                        rng::key(&format!("casualties:{sname}")),
                        rng::key(&format!("tempo:{sname}")),
                        rng::key(&format!("slow-tempo:{sname}")),
                    ],
                }
            });

            let mut contingents = Vec::new();
            for (cname, c) in &side.contingents {
                let cp = format!("{sp}.contingents.{}", segment(cname));
                reg.name(&cp, cname);
                let w = Window::new(s.start, c.arrivals_start, c.arrivals_end);
                if w.end < w.start {
                    reg.err(&format!("{cp}.arrivals_end"), "the window ends before it starts");
                }
                let sender = c.sender.clone().unwrap_or_else(|| cname.clone());
                reg.name(&format!("{cp}.sender"), &sender);
                let schedule = c
                    .schedule
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        (
                            s.start.days_until(a.date),
                            reg.p(&a.size, &format!("{cp}.schedule[{i}]"), field!(Arrival, "size")),
                        )
                    })
                    .collect();
                contingents.push(ContCfg {
                    name: cname.clone(),
                    strength: reg.p(&c.strength, &cp, field!(Contingent, "strength")),
                    relative_risk: reg.p(&c.relative_risk, &cp, field!(Contingent, "relative_risk")),
                    killed_fraction: reg.p(&c.killed_fraction, &cp, field!(Contingent, "killed_fraction")),
                    rtd: reg.p(&c.rtd, &cp, field!(Contingent, "rtd")),
                    rtd_days: reg.p(&c.rtd_days, &cp, field!(Contingent, "rtd_days")),
                    payment: reg.p(&c.payment, &cp, field!(Contingent, "payment")),
                    sender: if is_zero(&c.payment) { NO_PAYEE } else { payees.of(&sender) },
                    arrival_rate: reg.rate(
                        &c.arrival_rate,
                        &cp,
                        field!(Contingent, "arrival_rate"),
                        s.start,
                        RateOf::Arrivals(si, contingents.len()),
                    ),
                    schedule,
                    window: w,
                    keys: [
                        rng::key(&format!("contingent:{sname}.{cname}:count")),
                        rng::key(&format!("contingent:{sname}.{cname}:killed")),
                        rng::key(&format!("contingent:{sname}.{cname}:returns")),
                        rng::key(&format!("arrivals:{sname}.{cname}")),
                    ],
                });
            }
            if !side.contingents.is_empty() && side.casualties.is_none() {
                reg.err(&format!("{sp}.casualties"), "missing: contingents need a casualty process");
            }

            let territory = side.territory.as_ref().map(|t| {
                let tp = format!("{sp}.territory");
                TerrCfg {
                    rate: reg.p(&t.rate, &tp, field!(Territory, "rate")),
                    cv: reg.p(&t.cv, &tp, field!(Territory, "cv")),
                    gamma: reg.p(&t.gamma, &tp, field!(Territory, "gamma")),
                    ref_ratio: reg.p(&t.ref_ratio, &tp, field!(Territory, "ref_ratio")),
                    reference_area_km2: reg.p(&t.reference_area_km2, &tp, field!(Territory, "reference_area_km2")),
                    key: rng::key(&format!("territory:{sname}")),
                }
            });

            let mut fleets_of = vec![Vec::new(); calibers.len()];
            for (fi, f) in fleets.iter().enumerate() {
                if let Some(v) = fleets_of.get_mut(f.caliber) {
                    v.push(fi);
                }
            }
            sides.push(SideCfg {
                name: sname.clone(),
                enemy,
                ref_fire,
                calibers,
                lines,
                fleets,
                casualties,
                contingents,
                territory,
                payees: payees.names,
                fleets_of,
            });
        }
        let copula = Copula::new(&s.correlations, &reg.paths, &reg.uncertain, &mut reg.errors);
        let state_bytes = if reg.errors.is_empty() { totals(&sides, s.days, &mut reg) } else { 0.0 }
            + 8.0 * f64::from(s.days) * reg.schedules.len() as f64;
        let problems = reg.problems();
        if !problems.is_empty() {
            return Err(CoreError::Scenario(problems));
        }
        Ok(Compiled {
            days: s.days as usize,
            coupling: s.coupling,
            max_fire_ratio,
            sides,
            values: reg.values,
            uncertain: reg.uncertain,
            copula,
            schedules: reg.schedules,
            wear: reg.wear,
            state_bytes,
        })
    }

    /// The uncertain parameters, in the order of their draws.
    pub(crate) fn uncertain(&self) -> &[Uncertain] {
        &self.uncertain
    }
}
