//! The model of docs/model.md sections 3 to 6: one file per sub-model (its
//! state, its daily step, and the series and outcomes it records), wired
//! here into one day's step of every side, coupled through effective fire.
//! The registry ([`registry`]) names what the sub-models record and gives
//! each series and outcome its id.
//!
//! Within a day, every side first takes its deliveries and fires (phase A,
//! which depends only on the state at the start of the day); then every side
//! takes the consequences of the enemy's fire that day (phase B: barrel wear,
//! spares and repairs, combat losses, new guns, casualties, territory). Series
//! record the state at the end of each day; day 0 is the scenario's start date.
//!
//! First-passage outcomes are the day index (0-based) of the first day the
//! event holds; a trajectory in which it never happens is censored and gets
//! NaN. `days_to_rationing` is the first day a caliber could not meet its
//! demand because its stock sat at the reserve floor (fire was rationed);
//! `days_to_empty` the first day its stock was zero at the end of the day.
//!
//! The side's `killed`, `wounded` and `returned` series sum its contingents;
//! a side without contingents records only the casualty counts.
//!
//! Policy monotonicity (docs/model.md section 8). Every component draws from
//! its own keyed stream, so cutting a supply line changes no other component's
//! draws. With the coupling off, the cut stock stays at or below the
//! baseline's while the baseline meets its demand, and until the two runs'
//! demands first differ. Once both sides of the comparison are short of
//! shells it can be exceeded, through the model itself rather than its
//! randomness: the cut run fires less, so its barrels fail on other days, and
//! on a day when more of its guns are in repair it asks for fewer shells
//! (`tests/policy.rs` keeps a counterexample as an ignored test).
mod ammo;
mod fleet;
mod personnel;
pub mod quantity;
pub mod registry;
mod territory;

use rand::RngExt;
use rand_distr::StandardNormal;

use ammo::{CaliberDay, Line, Stock};
use fleet::Fleet;
use personnel::{Casualties, CasualtyDay, Contingent};
use registry::{Entry, Registry};
use territory::Territory;

use crate::rng::{Draw, Source, Streams, Tape};
use crate::scenario::compile::{NO_PAYEE, RateOf};
use crate::scenario::{Compiled, Dist, Uncertain, Validated};

/// Where a trajectory's daily values go (full paths, summaries, or nowhere).
pub trait Sink {
    fn put(&mut self, series: usize, t: usize, v: f64);
}

/// A sink that drops everything (outcomes only).
pub(crate) struct Discard;
impl Sink for Discard {
    #[inline]
    fn put(&mut self, _: usize, _: usize, _: f64) {}
}

/// Put one component's day into `sink`: its series from id `s0` on.
#[inline]
fn record<const N: usize>(sink: &mut impl Sink, s0: usize, t: usize, values: [f64; N]) {
    for (k, x) in values.into_iter().enumerate() {
        sink.put(s0 + k, t, x);
    }
}

/// Put one component's outcomes into `outcomes`, from id `o0` on.
#[inline]
fn put(outcomes: &mut [f64], o0: usize, values: &[f64]) {
    outcomes[o0..o0 + values.len()].copy_from_slice(values);
}

/// A first-passage outcome: the day index, or NaN (censored) when the event never held.
pub(crate) fn first_passage(day: Option<usize>) -> f64 {
    day.map_or(f64::NAN, |d| d as f64)
}

/// A validated scenario ready to simulate: its compiled form and the
/// registry of its series and outcomes.
#[derive(Debug, Clone)]
pub struct Model {
    validated: Validated,
    registry: Registry,
}

impl PartialEq for Model {
    fn eq(&self, other: &Model) -> bool {
        self.validated == other.validated
    }
}

struct SideState {
    lines: Vec<Line>,
    stocks: Vec<Stock>,
    fleets: Vec<Fleet>,
    cas: Option<Casualties>,
    conts: Vec<Contingent>,
    terr: Option<Territory>,
    rounds: Vec<f64>,
    /// Per fleet, the share of its caliber's demand met today (1 when it asked for nothing).
    shares: Vec<f64>,
    /// Shells delivered today, by caliber.
    delivered: Vec<f64>,
}

impl Model {
    pub fn new(validated: Validated) -> Model {
        let registry = Registry::new(validated.compiled());
        Model { validated, registry }
    }

    pub fn validated(&self) -> &Validated {
        &self.validated
    }

    pub(crate) fn compiled(&self) -> &Compiled {
        self.validated.compiled()
    }

    /// The horizon in days.
    pub fn days(&self) -> usize {
        self.compiled().days
    }

    /// Every series, in id order.
    pub fn series(&self) -> &[Entry] {
        self.registry.series()
    }

    /// Every outcome, in id order.
    pub fn outcomes(&self) -> &[Entry] {
        self.registry.outcomes()
    }

    /// The uncertain parameters, in the order of their draws.
    pub fn uncertain(&self) -> &[Uncertain] {
        self.compiled().uncertain()
    }

    /// Fleet number `j`'s `initial_wear` (fleets over all sides in order): the
    /// distribution of each day-0 barrel's used share.
    pub(crate) fn initial_wear(&self, j: usize) -> &Dist {
        &self.compiled().wear[j]
    }

    /// The drawn values of every parameter for one trajectory: fixed values,
    /// then each uncertain parameter from its own stream (keyed by its path),
    /// unless `given` supplies it as (index in [`Model::uncertain`], value).
    /// Correlated parameters draw a normal score from their stream instead,
    /// which the copula turns into their values.
    fn draw(&self, streams: &Streams, given: &[(usize, f64)], params: &mut [f64]) -> Vec<f64> {
        let c = self.compiled();
        let mut v = c.values.clone();
        for (i, u) in c.uncertain.iter().enumerate() {
            let mut rng = streams.get(u.key);
            rng.log(Draw::Param(i as u32));
            v[u.slot] = if c.copula.member[i] { rng.sample(StandardNormal) } else { u.dist.sample(&mut rng) };
        }
        c.copula.apply(&c.uncertain, &mut v);
        for (i, u) in c.uncertain.iter().enumerate() {
            params[i] = v[u.slot];
        }
        for &(i, x) in given {
            v[c.uncertain[i].slot] = x;
            params[i] = x;
        }
        v
    }

    /// Simulate trajectory `traj` of a run seeded with `seed`: daily values go
    /// to `sink`, per-trajectory outcomes to `outcomes` (one per outcome) and
    /// the drawn uncertain parameters to `params`. `given` replaces the draws
    /// of some uncertain parameters: (index in [`Model::uncertain`], value).
    pub fn simulate(
        &self,
        seed: u64,
        traj: u64,
        given: &[(usize, f64)],
        sink: &mut impl Sink,
        outcomes: &mut [f64],
        params: &mut [f64],
    ) {
        self.simulate_streams(&Streams::new(seed, traj, None), given, sink, outcomes, params);
    }

    /// Like [`Model::simulate`], logging every draw on `tape`.
    pub(crate) fn simulate_taped(&self, seed: u64, traj: u64, tape: Tape, outcomes: &mut [f64], params: &mut [f64]) {
        self.simulate_streams(&Streams::new(seed, traj, Some(tape)), &[], &mut Discard, outcomes, params);
    }

    fn simulate_streams(
        &self,
        streams: &Streams,
        given: &[(usize, f64)],
        sink: &mut impl Sink,
        outcomes: &mut [f64],
        params: &mut [f64],
    ) {
        let c = self.compiled();
        let ids = &self.registry.sides;
        let s_ = streams;
        let v = self.draw(s_, given, params);
        let mut st: Vec<SideState> = c
            .sides
            .iter()
            .map(|s| {
                let fleets: Vec<Fleet> =
                    s.fleets.iter().map(|f| Fleet::new(f, &v, s_, &c.wear[f.initial_wear])).collect();
                // Planned demand of each caliber: its day-0 fleets' (every gun serviceable).
                let planned = |ci: usize| -> f64 {
                    s.fleets.iter().zip(&fleets).filter(|(c, _)| c.caliber == ci).map(|(_, f)| f.demand()).sum()
                };
                SideState {
                    lines: s.lines.iter().map(|c| Line::new(c, &v, s_)).collect(),
                    stocks: s.calibers.iter().enumerate().map(|(ci, c)| Stock::new(c, &v, s_, planned(ci))).collect(),
                    fleets,
                    cas: s.casualties.as_ref().map(|c| Casualties::new(c, &v, s_)),
                    conts: s.contingents.iter().map(|c| Contingent::new(c, &v, s_)).collect(),
                    terr: s.territory.as_ref().map(|c| Territory::new(c, &v, s_)),
                    rounds: vec![0.0; s.fleets.len()],
                    shares: vec![1.0; s.fleets.len()],
                    delivered: vec![0.0; s.calibers.len()],
                }
            })
            .collect();
        let mut fire = vec![0.0; c.sides.len()];
        // The cap on every fire ratio: a side whose stock sits at its floor fires
        // only on days a lot arrives, so its fire can drop to zero or spike.
        let cap = v[c.max_fire_ratio];
        let mut split = Vec::new();
        // The rates that change over time, day by day (empty without schedules).
        let rates: Vec<Vec<f64>> = c.schedules.iter().map(|r| r.daily(&v, c.days)).collect();

        for t in 0..c.days {
            for (r, daily) in c.schedules.iter().zip(&rates) {
                let x = daily[t];
                match r.of {
                    RateOf::Supply(si, i) => st[si].lines[i].rate = x,
                    RateOf::Demand(si, i) => st[si].fleets[i].rounds_per_gun_day = x,
                    RateOf::CombatLoss(si, i) => st[si].fleets[i].q = x,
                    RateOf::Arrivals(si, i) => st[si].conts[i].arrival_rate = x,
                }
            }
            // Phase A: deliveries and firing.
            for (si, s) in c.sides.iter().enumerate() {
                let ss = &mut st[si];
                let id = &ids[si];
                let delivered = &mut ss.delivered;
                delivered.fill(0.0);
                for (li, l) in s.lines.iter().enumerate() {
                    let (shells, duds) = ss.lines[li].deliver(t);
                    ss.stocks[l.caliber].receive(shells, duds);
                    delivered[l.caliber] += shells;
                    record(sink, id.lines[li].s0, t, Line::series((shells, duds)));
                }
                let mut total = 0.0;
                for ci in 0..s.calibers.len() {
                    let mut demand = 0.0;
                    let mut acc = 0.0;
                    for &fi in &s.fleets_of[ci] {
                        let d = ss.fleets[fi].demand();
                        demand += d;
                        acc += d * ss.fleets[fi].accuracy();
                    }
                    let stock = &mut ss.stocks[ci];
                    let fr = stock.fire(t, demand);
                    let share = if demand > 0.0 { fr.fired / demand } else { 1.0 };
                    for &fi in &s.fleets_of[ci] {
                        ss.rounds[fi] = ss.fleets[fi].demand() * share;
                        ss.shares[fi] = share;
                    }
                    let accuracy = if demand > 0.0 { acc / demand } else { 1.0 };
                    let eff = (fr.fired - fr.duds_fired) * stock.lethality * accuracy;
                    total += eff;
                    let day = CaliberDay { delivered: ss.delivered[ci], demand, firing: fr, effective: eff };
                    record(sink, id.calibers[ci].s0, t, stock.series(&day));
                }
                fire[si] = total;
                record(sink, id.fire.s0, t, [total]);
            }
            // Phase B: the consequences of the day's fire.
            for (si, s) in c.sides.iter().enumerate() {
                let id = &ids[si];
                let enemy = s.enemy;
                let ratio =
                    if c.coupling && enemy != si { (fire[enemy] / v[c.sides[enemy].ref_fire]).min(cap) } else { 1.0 };
                let ln_ratio = ratio.ln();
                let ss = &mut st[si];
                for (fi, fl) in ss.fleets.iter_mut().enumerate() {
                    fl.step(t, ss.shares[fi], ln_ratio);
                    record(sink, id.fleets[fi].s0, t, fl.series(ss.rounds[fi]));
                }
                let mut tempo = 1.0;
                if let (Some(cas_ids), Some(cas)) = (id.casualties, ss.cas.as_mut()) {
                    tempo = cas.tempo(t);
                    let (mut killed, mut wounded, mut returned) = (0.0, 0.0, 0.0);
                    let taken = if ss.conts.is_empty() {
                        cas.draw(tempo, ratio)
                    } else {
                        let lambda = cas.intensity(tempo, ratio);
                        Casualties::split(lambda, &ss.conts, &mut split);
                        let mut taken = 0.0;
                        for (ki, ct) in ss.conts.iter_mut().enumerate() {
                            let d = ct.step(t, split[ki]);
                            taken += d.casualties;
                            killed += d.killed;
                            wounded += d.wounded;
                            returned += d.returned;
                            record(sink, id.contingents[ki].s0, t, ct.series(&d));
                        }
                        taken
                    };
                    cas.record(t, taken);
                    let day = CasualtyDay { taken, killed, wounded, returned, tempo };
                    record(sink, cas_ids.s0, t, cas.series(&day));
                }
                if let (Some(terr_ids), Some(terr)) = (id.territory, ss.terr.as_mut()) {
                    let a = terr.step(tempo, fire[si], fire[enemy], (c.coupling && enemy != si).then_some(cap));
                    record(sink, terr_ids.s0, t, terr.series(a));
                }
            }
        }

        // Outcomes.
        let days = c.days as f64;
        for (si, s) in c.sides.iter().enumerate() {
            let ss = &st[si];
            let id = &ids[si];
            let mut revenue = vec![0.0; s.payees.len()];
            for (ci, stock) in ss.stocks.iter().enumerate() {
                put(outcomes, id.calibers[ci].o0, &stock.outcomes());
            }
            for (li, (l, line)) in s.lines.iter().zip(&ss.lines).enumerate() {
                put(outcomes, id.lines[li].o0, &line.outcomes());
                if l.supplier != NO_PAYEE {
                    revenue[l.supplier] += line.revenue();
                }
            }
            for (fi, fl) in ss.fleets.iter().enumerate() {
                put(outcomes, id.fleets[fi].o0, &fl.outcomes());
            }
            let run_total = ss.cas.as_ref().map_or(0.0, |c| c.run_total);
            if let (Some(cas_ids), Some(cas)) = (id.casualties, &ss.cas) {
                for (k, x) in cas.outcomes().enumerate() {
                    outcomes[cas_ids.o0 + k] = x;
                }
            }
            for (ki, (k, ct)) in s.contingents.iter().zip(&ss.conts).enumerate() {
                put(outcomes, id.contingents[ki].o0, &ct.outcomes());
                if k.sender != NO_PAYEE {
                    revenue[k.sender] += ct.payments;
                }
            }
            if let (Some(terr_ids), Some(terr)) = (id.territory, &ss.terr) {
                put(outcomes, terr_ids.o0, &terr.outcomes(run_total, days));
            }
            for (i, r) in revenue.into_iter().enumerate() {
                put(outcomes, id.payees[i].o0, &[r]);
            }
        }
    }
}
