//! Compiling a scenario into the model's flat form: every parameter gets a
//! slot in a per-trajectory value vector (uncertain ones keyed by their dotted
//! path), names resolve to indices, dates to day offsets, and every random
//! component gets the key of its stream. Compiling is also the semantic
//! validation: each parameter is checked against the domain of its meaning (a
//! count is >= 0, a probability in [0, 1]) over the whole support of its
//! distribution. (The ids of series and outcomes are the model's: see
//! `model::registry`.)
use super::{Date, Dist, MAX_DAYS, Param, Scenario};
use crate::error::{CoreError, at, did_you_mean};
use crate::rng;

/// Index of a parameter's value in the per-trajectory vector.
pub(crate) type P = usize;

/// Most guns one fleet may hold in a trajectory (initial plus delivered):
/// each gun keeps its barrel's state, so this bounds a trajectory's memory.
pub(crate) const MAX_GUNS: f64 = 1e6;
/// Largest elasticity to a fire ratio (alpha, combat_beta, territory gamma):
/// with the ratio capped at `max_fire_ratio` (5 by default), 5^10 is already a
/// factor of about ten million.
pub(crate) const MAX_ELASTICITY: f64 = 10.0;
/// Largest cap on the fire ratios: with elasticities up to `MAX_ELASTICITY`,
/// a coupling factor stays below 1e60, so no rate becomes infinite.
pub(crate) const MAX_FIRE_RATIO_CAP: f64 = 1e6;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Domain {
    NonNeg,
    Positive,
    Prob,
    AtLeastOne,
    /// A yearly growth rate: above -1.
    Growth,
    /// A delay in days: 0 to `MAX_DAYS`.
    Days,
    /// A number of guns: 0 to `MAX_GUNS`.
    Guns,
    /// Guns delivered a day over a horizon of this many days: at most
    /// `MAX_GUNS` over the horizon.
    GunRate(u32),
    /// An elasticity: 0 to `MAX_ELASTICITY`.
    Elasticity,
    /// A cap on a fire ratio: 1 (the reference) to `MAX_FIRE_RATIO_CAP`.
    RatioCap,
    /// A Weibull shape of barrel life: 1 or more (a wear-out failure rate that
    /// does not fall with age; shapes below 1 spread lives over so many orders
    /// of magnitude that the fleet's running wear sums lose their precision).
    Shape,
}

impl Domain {
    /// Whether every value in [lo, hi] lies in the domain; else the rule.
    pub(crate) fn check(self, lo: f64, hi: f64) -> Result<(), String> {
        let (ok, rule) = match self {
            Domain::NonNeg => (lo >= 0.0, "must be >= 0".to_string()),
            Domain::Positive => (lo > 0.0, "must be > 0".to_string()),
            Domain::Prob => (lo >= 0.0 && hi <= 1.0, "must be a probability in [0, 1]".to_string()),
            Domain::AtLeastOne => (lo >= 1.0, "must be >= 1".to_string()),
            Domain::Growth => (lo > -1.0, "must be > -1 (a yearly growth rate)".to_string()),
            Domain::Days => (lo >= 0.0 && hi <= f64::from(MAX_DAYS), format!("must be between 0 and {MAX_DAYS} days")),
            Domain::Guns => (lo >= 0.0 && hi <= MAX_GUNS, format!("must be between 0 and {MAX_GUNS:e} guns")),
            Domain::GunRate(days) => (
                lo >= 0.0 && hi * f64::from(days) <= MAX_GUNS,
                format!("must be >= 0 and deliver at most {MAX_GUNS:e} guns over {days} days"),
            ),
            Domain::Elasticity => {
                (lo >= 0.0 && hi <= MAX_ELASTICITY, format!("must be an elasticity between 0 and {MAX_ELASTICITY}"))
            }
            Domain::RatioCap => (
                lo >= 1.0 && hi <= MAX_FIRE_RATIO_CAP,
                format!("must be between 1 and {MAX_FIRE_RATIO_CAP:e} (a cap on a ratio to the reference)"),
            ),
            Domain::Shape => (lo >= 1.0, "must be >= 1 (a Weibull shape of wear-out)".to_string()),
        };
        if ok { Ok(()) } else { Err(rule) }
    }
}

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
}

impl Uncertain {
    /// Whether `x`, given instead of a draw, is a value the parameter may take:
    /// finite and in its domain; else the rule it breaks.
    pub(crate) fn admits(&self, x: f64) -> Result<(), String> {
        if !x.is_finite() {
            return Err("must be a finite number".into());
        }
        self.domain.check(x, x)
    }
}

#[derive(Debug, Default)]
struct Reg {
    values: Vec<f64>,
    uncertain: Vec<Uncertain>,
    wear: Vec<Dist>,
    errors: Vec<String>,
}

impl Reg {
    fn p(&mut self, param: &Param, path: &str, dom: Domain) -> P {
        let (lo, hi) = param.0.support();
        if let Err(rule) = dom.check(lo, hi) {
            let msg = match &param.0 {
                Dist::Fixed(v) => format!("{rule}, got {v}"),
                d => format!("{rule}, but {} can give values in [{lo}, {hi}]", d.describe()),
            };
            self.errors.push(at(path, msg));
        }
        let slot = self.values.len();
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
                });
            }
        }
        slot
    }

    /// A distribution drawn afresh for every element (not once per
    /// trajectory): checked against `dom` over its support, kept apart from
    /// the parameters; its index in `wear`.
    fn per_element(&mut self, param: &Param, path: &str, dom: Domain) -> usize {
        let (lo, hi) = param.0.support();
        if let Err(rule) = dom.check(lo, hi) {
            let msg = match &param.0 {
                Dist::Fixed(v) => format!("{rule}, got {v}"),
                d => format!("{rule}, but {} can give values in [{lo}, {hi}]", d.describe()),
            };
            self.errors.push(at(path, msg));
        }
        self.wear.push(param.0.clone());
        self.wear.len() - 1
    }

    fn err(&mut self, path: &str, msg: impl std::fmt::Display) {
        self.errors.push(at(path, msg));
    }

    fn name(&mut self, path: &str, name: &str) {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            self.err(path, format!("names must be 1 to 64 letters, digits, '_' or '-', got {name:?}"));
        }
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
    pub(crate) initial_cumulative: P,
    /// The thresholds sorted, without repeats (one first-passage outcome each).
    pub(crate) thresholds: Vec<f64>,
    pub(crate) keys: [u64; 2],
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
    /// Every fleet's `initial_wear` (fleets over all sides in order): the
    /// distribution of a day-0 barrel's used share of its scale life.
    pub(crate) wear: Vec<Dist>,
}

fn index_of(path: &str, what: &str, name: &str, names: &[&String], reg: &mut Reg) -> usize {
    match names.iter().position(|n| n.as_str() == name) {
        Some(i) => i,
        None => {
            let hint = did_you_mean(name, names.iter().map(|s| s.as_str()));
            let known: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
            reg.err(path, format!("no {what} named {name:?}{hint}; known: [{}]", known.join(", ")));
            0
        }
    }
}

/// A line or contingent that is paid nothing has no payee.
pub(crate) const NO_PAYEE: usize = usize::MAX;

fn is_zero(p: &Param) -> bool {
    matches!(p.0, Dist::Fixed(x) if x == 0.0)
}

fn payee(payees: &mut Vec<String>, name: &str) -> usize {
    match payees.iter().position(|p| p == name) {
        Some(i) => i,
        None => {
            payees.push(name.to_string());
            payees.len() - 1
        }
    }
}

impl Compiled {
    pub(crate) fn new(s: &Scenario) -> Result<Compiled, CoreError> {
        let mut reg = Reg::default();
        reg.name("name", &s.name.replace([' ', '.', '(', ')', ','], "-"));
        if s.days == 0 || s.days > MAX_DAYS {
            reg.err("days", format!("must be between 1 and {MAX_DAYS}, got {}", s.days));
        }
        if s.sides.is_empty() {
            reg.err("sides", "a scenario needs at least one side");
        }
        let max_fire_ratio = reg.p(&s.max_fire_ratio, "max_fire_ratio", Domain::RatioCap);
        let side_names: Vec<&String> = s.sides.keys().collect();
        let mut sides = Vec::new();
        for (si, (sname, side)) in s.sides.iter().enumerate() {
            let sp = format!("sides.{sname}");
            reg.name(&sp, sname);
            let enemy = match &side.opponent {
                Some(o) => {
                    let i = index_of(&format!("{sp}.opponent"), "side", o, &side_names, &mut reg);
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
            let ref_fire = reg.p(&side.ref_fire, &format!("{sp}.ref_fire"), Domain::Positive);

            let cal_names: Vec<&String> = side.calibers.keys().collect();
            let mut calibers = Vec::new();
            for (cname, c) in &side.calibers {
                let cp = format!("{sp}.calibers.{cname}");
                reg.name(&cp, cname);
                calibers.push(CaliberCfg {
                    name: cname.clone(),
                    initial_stock: reg.p(&c.initial_stock, &format!("{cp}.initial_stock"), Domain::NonNeg),
                    initial_dud_fraction: reg.p(
                        &c.initial_dud_fraction,
                        &format!("{cp}.initial_dud_fraction"),
                        Domain::Prob,
                    ),
                    lethality: reg.p(&c.lethality, &format!("{cp}.lethality"), Domain::NonNeg),
                    reserve: reg.p(&c.reserve, &format!("{cp}.reserve"), Domain::NonNeg),
                    reserve_days: reg.p(&c.reserve_days, &format!("{cp}.reserve_days"), Domain::NonNeg),
                    key: rng::key(&format!("ammo:{sname}.{cname}")),
                });
            }

            let mut payees: Vec<String> = Vec::new();
            let mut lines = Vec::new();
            for (lname, l) in &side.supply {
                let lp = format!("{sp}.supply.{lname}");
                reg.name(&lp, lname);
                let caliber = index_of(&format!("{lp}.caliber"), "caliber", &l.caliber, &cal_names, &mut reg);
                let w = Window::new(s.start, l.start, l.end);
                if w.end < w.start {
                    reg.err(&format!("{lp}.end"), "the window ends before it starts");
                }
                let sup = l.supplier.clone().unwrap_or_else(|| lname.clone());
                reg.name(&format!("{lp}.supplier"), &sup);
                lines.push(LineCfg {
                    name: lname.clone(),
                    caliber,
                    supplier: if is_zero(&l.price) { NO_PAYEE } else { payee(&mut payees, &sup) },
                    rate: reg.p(&l.rate, &format!("{lp}.rate"), Domain::NonNeg),
                    growth: reg.p(&l.growth, &format!("{lp}.growth"), Domain::Growth),
                    window: w,
                    lot_size: reg.p(&l.lot_size, &format!("{lp}.lot_size"), Domain::AtLeastOne),
                    dud_fraction: reg.p(&l.dud_fraction, &format!("{lp}.dud_fraction"), Domain::Prob),
                    price: reg.p(&l.price, &format!("{lp}.price"), Domain::NonNeg),
                    keys: [
                        rng::key(&format!("supply:{sname}.{lname}:lots")),
                        rng::key(&format!("supply:{sname}.{lname}:duds")),
                    ],
                });
            }

            let mut fleets = Vec::new();
            for (fname, f) in &side.fleets {
                let fp = format!("{sp}.fleets.{fname}");
                reg.name(&fp, fname);
                let caliber = index_of(&format!("{fp}.caliber"), "caliber", &f.caliber, &cal_names, &mut reg);
                if !(1..=3).contains(&f.accuracy_exponent) {
                    reg.err(
                        &format!("{fp}.accuracy_exponent"),
                        format!("must be 1, 2 or 3, got {}", f.accuracy_exponent),
                    );
                }
                let deliveries = f.deliveries.as_ref().map(|d| {
                    let dp = format!("{fp}.deliveries");
                    let w = Window::new(s.start, d.start, d.end);
                    if w.end < w.start {
                        reg.err(&format!("{dp}.end"), "the window ends before it starts");
                    }
                    (
                        reg.p(&d.rate, &format!("{dp}.rate"), Domain::GunRate(s.days)),
                        reg.p(&d.lot_size, &format!("{dp}.lot_size"), Domain::AtLeastOne),
                        w,
                    )
                });
                let k = |part: &str| rng::key(&format!("fleet:{sname}.{fname}:{part}"));
                fleets.push(FleetCfg {
                    name: fname.clone(),
                    caliber,
                    guns: reg.p(&f.guns, &format!("{fp}.guns"), Domain::Guns),
                    rounds_per_gun_day: reg.p(
                        &f.rounds_per_gun_day,
                        &format!("{fp}.rounds_per_gun_day"),
                        Domain::NonNeg,
                    ),
                    efc_per_round: reg.p(&f.efc_per_round, &format!("{fp}.efc_per_round"), Domain::NonNeg),
                    barrel_life: reg.p(&f.barrel_life, &format!("{fp}.barrel_life"), Domain::Positive),
                    barrel_shape: reg.p(&f.barrel_shape, &format!("{fp}.barrel_shape"), Domain::Shape),
                    initial_wear: reg.per_element(&f.initial_wear, &format!("{fp}.initial_wear"), Domain::Prob),
                    spares: reg.p(&f.spares, &format!("{fp}.spares"), Domain::NonNeg),
                    spare_rate: reg.p(&f.spare_rate, &format!("{fp}.spare_rate"), Domain::NonNeg),
                    repair_days: reg.p(&f.repair_days, &format!("{fp}.repair_days"), Domain::Days),
                    max_wait_days: f
                        .max_wait_days
                        .as_ref()
                        .map(|m| reg.p(m, &format!("{fp}.max_wait_days"), Domain::Days)),
                    combat_loss: reg.p(&f.combat_loss, &format!("{fp}.combat_loss"), Domain::Prob),
                    combat_beta: reg.p(&f.combat_beta, &format!("{fp}.combat_beta"), Domain::Elasticity),
                    accuracy_loss: reg.p(&f.accuracy_loss, &format!("{fp}.accuracy_loss"), Domain::Prob),
                    accuracy_exponent: f.accuracy_exponent.clamp(1, 3),
                    threshold: reg.p(&f.threshold, &format!("{fp}.threshold"), Domain::Prob),
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
                        (w, reg.p(&st.factor, &format!("{cp}.tempo[{i}].factor"), Domain::NonNeg))
                    })
                    .collect();
                for (i, t) in c.thresholds.iter().enumerate() {
                    if !(t.is_finite() && *t >= 0.0) {
                        reg.err(&format!("{cp}.thresholds[{i}]"), format!("must be a finite number >= 0, got {t}"));
                    }
                }
                let mut th = c.thresholds.clone();
                th.sort_by(f64::total_cmp);
                th.dedup();
                CasCfg {
                    base: reg.p(&c.base, &format!("{cp}.base"), Domain::NonNeg),
                    dispersion: c.dispersion.as_ref().map(|d| reg.p(d, &format!("{cp}.dispersion"), Domain::Positive)),
                    alpha: reg.p(&c.alpha, &format!("{cp}.alpha"), Domain::Elasticity),
                    tempo,
                    drift_sd: reg.p(&c.drift_sd, &format!("{cp}.drift_sd"), Domain::NonNeg),
                    drift_reversion: reg.p(&c.drift_reversion, &format!("{cp}.drift_reversion"), Domain::Prob),
                    initial_cumulative: reg.p(
                        &c.initial_cumulative,
                        &format!("{cp}.initial_cumulative"),
                        Domain::NonNeg,
                    ),
                    thresholds: th,
                    keys: [rng::key(&format!("casualties:{sname}")), rng::key(&format!("tempo:{sname}"))],
                }
            });

            let mut contingents = Vec::new();
            for (cname, c) in &side.contingents {
                let cp = format!("{sp}.contingents.{cname}");
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
                            reg.p(&a.size, &format!("{cp}.schedule[{i}].size"), Domain::NonNeg),
                        )
                    })
                    .collect();
                contingents.push(ContCfg {
                    name: cname.clone(),
                    strength: reg.p(&c.strength, &format!("{cp}.strength"), Domain::NonNeg),
                    relative_risk: reg.p(&c.relative_risk, &format!("{cp}.relative_risk"), Domain::NonNeg),
                    killed_fraction: reg.p(&c.killed_fraction, &format!("{cp}.killed_fraction"), Domain::Prob),
                    rtd: reg.p(&c.rtd, &format!("{cp}.rtd"), Domain::Prob),
                    rtd_days: reg.p(&c.rtd_days, &format!("{cp}.rtd_days"), Domain::Days),
                    payment: reg.p(&c.payment, &format!("{cp}.payment"), Domain::NonNeg),
                    sender: if is_zero(&c.payment) { NO_PAYEE } else { payee(&mut payees, &sender) },
                    arrival_rate: reg.p(&c.arrival_rate, &format!("{cp}.arrival_rate"), Domain::NonNeg),
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
                    rate: reg.p(&t.rate, &format!("{tp}.rate"), Domain::NonNeg),
                    cv: reg.p(&t.cv, &format!("{tp}.cv"), Domain::NonNeg),
                    gamma: reg.p(&t.gamma, &format!("{tp}.gamma"), Domain::Elasticity),
                    ref_ratio: reg.p(&t.ref_ratio, &format!("{tp}.ref_ratio"), Domain::Positive),
                    reference_area_km2: reg.p(
                        &t.reference_area_km2,
                        &format!("{tp}.reference_area_km2"),
                        Domain::Positive,
                    ),
                    key: rng::key(&format!("territory:{sname}")),
                }
            });

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
                payees,
            });
        }
        if !reg.errors.is_empty() {
            return Err(CoreError::Scenario(reg.errors));
        }
        Ok(Compiled {
            days: s.days as usize,
            coupling: s.coupling,
            max_fire_ratio,
            sides,
            values: reg.values,
            uncertain: reg.uncertain,
            wear: reg.wear,
        })
    }

    /// The uncertain parameters, in the order of their draws.
    pub(crate) fn uncertain(&self) -> &[Uncertain] {
        &self.uncertain
    }
}
