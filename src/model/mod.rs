//! The model of MODEL.md sections 3 to 6: one file per sub-model, wired here
//! into one day's step of every side, coupled through effective fire.
//!
//! Within a day, every side first takes its deliveries and fires (phase A,
//! which depends only on the state at the start of the day); then every side
//! takes the consequences of the enemy's fire that day (phase B: barrel wear,
//! spares and repairs, combat losses, new guns, casualties, territory). Series
//! record the state at the end of each day; day 0 is the scenario's start date.
//!
//! First-passage outcomes are the day index (0-based) of the first day the
//! event holds; a trajectory in which it never happens is censored and gets
//! NaN. `days_to_empty` is the first day a caliber could not meet its demand
//! because its stock sat at the reserve floor (fire was rationed).
//!
//! The side's `killed`, `wounded` and `returned` series sum its contingents;
//! a side without contingents records only the casualty counts.
//!
//! Policy monotonicity (MODEL.md section 8). Every component draws from its
//! own keyed stream, so cutting a supply line changes no other component's
//! draws. With the coupling off, the cut stock stays at or below the
//! baseline's while the baseline meets its demand, and until the two runs'
//! demands first differ. Once both sides of the comparison are short of
//! shells it can be exceeded, through the model itself rather than its
//! randomness: the cut run fires less, so its barrels fail on other days, and
//! on a day when more of its guns are in repair it asks for fewer shells
//! (`tests/model.rs` keeps a counterexample as an ignored test).
pub mod ammo;
pub mod fleet;
pub mod personnel;
pub mod territory;

use crate::scenario::compile::{self, Compiled};
use ammo::{Line, Stock};
use fleet::Fleet;
use personnel::{Casualties, Contingent};
use territory::{KM2_PER_SQMI, Territory};

use crate::rng::{Draw, Source, Streams, Tape};

/// Upper bound of a fire ratio in the couplings (enemy fire over its
/// reference for losses and casualties; the own-to-enemy ratio over its
/// reference for territory). A side whose stock sits at its reserve floor fires
/// only on days a lot arrives, so daily fire can drop to zero or spike; the
/// bound keeps one such day from multiplying losses or gains without limit.
pub const MAX_FIRE_RATIO: f64 = 5.0;

/// Where a trajectory's daily values go (full paths, summaries, or nowhere).
pub trait Sink {
    fn put(&mut self, series: usize, t: usize, v: f64);
}

/// A sink that drops everything (outcomes only).
pub struct Discard;
impl Sink for Discard {
    #[inline]
    fn put(&mut self, _: usize, _: usize, _: f64) {}
}

struct SideState {
    lines: Vec<Line>,
    stocks: Vec<Stock>,
    fleets: Vec<Fleet>,
    cas: Option<Casualties>,
    conts: Vec<Contingent>,
    terr: Option<Territory>,
    rounds: Vec<f64>,
    /// Shells delivered today, by caliber.
    delivered: Vec<f64>,
}

fn first(x: Option<usize>) -> f64 {
    x.map_or(f64::NAN, |d| d as f64)
}

impl Compiled {
    /// The drawn values of every parameter for one trajectory: fixed values,
    /// then each uncertain parameter from its own stream (keyed by its path),
    /// unless `given` supplies it (slot, value).
    pub fn draw(&self, streams: &Streams, given: &[(usize, f64)], params: &mut [f64]) -> Vec<f64> {
        let mut v = self.values.clone();
        for (i, u) in self.uncertain.iter().enumerate() {
            let mut rng = streams.get(u.key);
            rng.log(Draw::Param(i as u32));
            v[u.slot] = u.dist.sample(&mut rng);
            params[i] = v[u.slot];
        }
        for &(slot, x) in given {
            v[slot] = x;
            if let Some(i) = self.uncertain.iter().position(|u| u.slot == slot) {
                params[i] = x;
            }
        }
        v
    }

    /// Simulate trajectory `traj` of a run seeded with `seed`: daily values go
    /// to `sink`, per-trajectory outcomes to `outcomes` (one per outcome name)
    /// and the drawn uncertain parameters to `params`.
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

    /// Like [`Compiled::simulate`], logging every draw on `tape`.
    pub fn simulate_taped(&self, seed: u64, traj: u64, tape: Tape, outcomes: &mut [f64], params: &mut [f64]) {
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
        let s_ = streams;
        let v = self.draw(s_, given, params);
        let mut st: Vec<SideState> = self
            .sides
            .iter()
            .map(|s| SideState {
                lines: s.lines.iter().map(|c| Line::new(c, &v, s_)).collect(),
                stocks: s.calibers.iter().map(|c| Stock::new(c, &v, s_)).collect(),
                fleets: s.fleets.iter().map(|c| Fleet::new(c, &v, s_)).collect(),
                cas: s.casualties.as_ref().map(|c| Casualties::new(c, &v, s_)),
                conts: s.contingents.iter().map(|c| Contingent::new(c, &v, s_)).collect(),
                terr: s.territory.as_ref().map(|c| Territory::new(c, &v, s_)),
                rounds: vec![0.0; s.fleets.len()],
                delivered: vec![0.0; s.calibers.len()],
            })
            .collect();
        let mut fire = vec![0.0; self.sides.len()];
        let mut split = Vec::new();

        for t in 0..self.days {
            // Phase A: deliveries and firing.
            for (si, s) in self.sides.iter().enumerate() {
                let ss = &mut st[si];
                let delivered = &mut ss.delivered;
                delivered.fill(0.0);
                for (li, l) in s.lines.iter().enumerate() {
                    let (shells, duds) = ss.lines[li].deliver(t);
                    ss.stocks[l.caliber].receive(shells, duds);
                    delivered[l.caliber] += shells;
                    sink.put(l.s0, t, shells);
                    sink.put(l.s0 + 1, t, duds);
                }
                let mut total = 0.0;
                for (ci, c) in s.calibers.iter().enumerate() {
                    let mut demand = 0.0;
                    let mut acc = 0.0;
                    for (fi, f) in s.fleets.iter().enumerate() {
                        if f.caliber == ci {
                            let d = ss.fleets[fi].demand();
                            demand += d;
                            acc += d * ss.fleets[fi].accuracy();
                        }
                    }
                    let stock = &mut ss.stocks[ci];
                    let fr = stock.fire(t, demand);
                    let share = if demand > 0.0 { fr.fired / demand } else { 0.0 };
                    for (fi, f) in s.fleets.iter().enumerate() {
                        if f.caliber == ci {
                            ss.rounds[fi] = ss.fleets[fi].demand() * share;
                        }
                    }
                    let accuracy = if demand > 0.0 { acc / demand } else { 1.0 };
                    let eff = (fr.fired - fr.duds_fired) * stock.lethality * accuracy;
                    total += eff;
                    for (k, x) in [
                        stock.stock,
                        stock.duds,
                        ss.delivered[ci],
                        demand,
                        fr.fired,
                        fr.duds_fired,
                        demand - fr.fired,
                        eff,
                    ]
                    .into_iter()
                    .enumerate()
                    {
                        sink.put(c.s0 + k, t, x);
                    }
                }
                fire[si] = total;
                sink.put(s.fire_series, t, total);
            }
            // Phase B: the consequences of the day's fire.
            for (si, s) in self.sides.iter().enumerate() {
                let enemy = s.enemy;
                let ratio = if self.coupling && enemy != si {
                    (fire[enemy] / v[self.sides[enemy].ref_fire]).min(MAX_FIRE_RATIO)
                } else {
                    1.0
                };
                let ln_ratio = ratio.ln();
                let ss = &mut st[si];
                for (fi, f) in s.fleets.iter().enumerate() {
                    let fl = &mut ss.fleets[fi];
                    fl.step(t, ss.rounds[fi], ln_ratio);
                    for (k, x) in [
                        fl.serviceable() as f64,
                        fl.waiting() as f64,
                        fl.in_repair() as f64,
                        fl.destroyed,
                        fl.written_off,
                        fl.worn_out,
                        fl.spares,
                        fl.mean_wear(),
                        fl.accuracy(),
                        fl.delivered,
                        ss.rounds[fi],
                    ]
                    .into_iter()
                    .enumerate()
                    {
                        sink.put(f.s0 + k, t, x);
                    }
                }
                let mut tempo = 1.0;
                if let (Some(cc), Some(cas)) = (&s.casualties, ss.cas.as_mut()) {
                    tempo = cas.tempo(t);
                    let (mut killed, mut wounded, mut returned) = (0.0, 0.0, 0.0);
                    let taken = if ss.conts.is_empty() {
                        cas.draw(tempo, ratio)
                    } else {
                        let lambda = cas.intensity(tempo, ratio);
                        Casualties::split(lambda, &ss.conts, &mut split);
                        let mut taken = 0.0;
                        for (ki, k) in s.contingents.iter().enumerate() {
                            let ct = &mut ss.conts[ki];
                            let d = ct.step(t, split[ki]);
                            taken += d.casualties;
                            killed += d.killed;
                            wounded += d.wounded;
                            returned += d.returned;
                            for (j, x) in [ct.strength, d.casualties, ct.cumulative, ct.killed, ct.payments]
                                .into_iter()
                                .enumerate()
                            {
                                sink.put(k.s0 + j, t, x);
                            }
                        }
                        taken
                    };
                    cas.record(t, taken);
                    for (k, x) in [taken, cas.cumulative, killed, wounded, returned, tempo].into_iter().enumerate() {
                        sink.put(cc.s0 + k, t, x);
                    }
                }
                if let (Some(tc), Some(terr)) = (&s.territory, ss.terr.as_mut()) {
                    let a = terr.step(tempo, fire[si], fire[enemy], self.coupling && enemy != si);
                    let cum = terr.cumulative_km2;
                    for (k, x) in [a, cum, a / KM2_PER_SQMI, cum / KM2_PER_SQMI].into_iter().enumerate() {
                        sink.put(tc.s0 + k, t, x);
                    }
                }
            }
        }

        // Outcomes.
        let days = self.days as f64;
        for (si, s) in self.sides.iter().enumerate() {
            let ss = &st[si];
            let mut revenue = vec![0.0; s.payees.len()];
            for (ci, c) in s.calibers.iter().enumerate() {
                outcomes[c.o0] = first(ss.stocks[ci].first_short);
                outcomes[c.o0 + 1] = ss.stocks[ci].fired_total;
            }
            for (li, l) in s.lines.iter().enumerate() {
                let line = &ss.lines[li];
                let r = line.delivered_total * line.price;
                outcomes[l.o0] = line.delivered_total;
                outcomes[l.o0 + 1] = r;
                if l.supplier != compile::NO_PAYEE {
                    revenue[l.supplier] += r;
                }
            }
            for (fi, f) in s.fleets.iter().enumerate() {
                let fl = &ss.fleets[fi];
                outcomes[f.o0] = first(fl.first_below);
                outcomes[f.o0 + 1] = fl.worn_out;
                outcomes[f.o0 + 2] = fl.destroyed;
                outcomes[f.o0 + 3] = fl.written_off;
                outcomes[f.o0 + 4] = fl.serviceable() as f64;
            }
            let run_total = ss.cas.as_ref().map_or(0.0, |c| c.run_total);
            if let (Some(cc), Some(cas)) = (&s.casualties, &ss.cas) {
                outcomes[cc.o0] = cas.run_total;
                for (i, fc) in cas.first_cross.iter().enumerate() {
                    outcomes[cc.o0 + 1 + i] = first(*fc);
                }
            }
            for (ki, k) in s.contingents.iter().enumerate() {
                let ct = &ss.conts[ki];
                // Casualties per soldier-month of exposure (strength summed over days).
                outcomes[k.o0] = if ct.exposure > 0.0 { ct.cumulative / ct.exposure * 30.0 } else { f64::NAN };
                outcomes[k.o0 + 1] = ct.cumulative;
                outcomes[k.o0 + 2] = ct.killed;
                outcomes[k.o0 + 3] = ct.payments;
                if k.sender != compile::NO_PAYEE {
                    revenue[k.sender] += ct.payments;
                }
            }
            if let (Some(tc), Some(terr)) = (&s.territory, &ss.terr) {
                let km2 = terr.cumulative_km2;
                let per = |area: f64| if area > 0.0 { run_total / area } else { f64::NAN };
                outcomes[tc.o0] = km2;
                outcomes[tc.o0 + 1] = km2 / KM2_PER_SQMI;
                outcomes[tc.o0 + 2] = per(km2);
                outcomes[tc.o0 + 3] = per(km2 / KM2_PER_SQMI);
                outcomes[tc.o0 + 4] =
                    if km2 > 0.0 { terr.reference_area_km2 / (km2 / days) / 365.25 } else { f64::INFINITY };
            }
            for (i, r) in revenue.into_iter().enumerate() {
                outcomes[s.payee_o0 + i] = r;
            }
        }
    }
}
