//! Gun fleets and barrel wear (docs/model.md section 4.2), and what they record.
//!
//! Every gun of a fleet has an identity (the day-0 guns 0, 1, ..., then the
//! delivered ones in order of arrival), and its randomness is its own: the
//! life of its k-th barrel (and, for a day-0 barrel, its used share) comes
//! from a stream keyed by (fleet, gun, k), and its fate in combat from a
//! stream keyed by (fleet, gun). Two runs of a scenario at one seed therefore
//! give the same gun the same barrels and the same exposure to combat, however
//! differently the fleets evolve: a policy changes a gun's fate only through
//! what it changes of the gun's own history.
//!
//! All serviceable guns of a fleet fire the same rounds each day, so they wear
//! at the same pace: the fleet keeps one wear clock (EFC fired per serviceable
//! gun since day 0) and, per gun, the clock reading at which its barrel fails
//! (`thr`). The guns of day 0 sit in an array sorted by `thr`, read from the
//! front; guns refitted or delivered later go to a 4-ary min-heap of 16-byte
//! entries (four children share a cache line). A day's failures are the
//! entries the clock passed: exact for the Weibull lives, and the work is per
//! failure, not per gun per day. A gun destroyed in combat or written off
//! leaves its entry behind, skipped when it comes to the front. The fleet
//! keeps power sums over serviceable guns so the mean wear fraction and the
//! accuracy factor `mean(1 - a (wear / life)^b)` are O(1) a day for b in
//! {1, 2, 3}.
//!
//! Combat losses. A gun exposed to combat (serviceable, or waiting for a
//! barrel) is destroyed on day t with probability q(t), independently of the
//! others; a gun in repair is at the depot and safe. Equivalently, every gun
//! draws once an Exp(1) hazard budget and is destroyed on the first day the
//! hazard -ln(1 - q) summed over the days it was exposed exceeds it. The fleet
//! keeps the hazard H summed over all days and, per exposed gun, the value of
//! H at which it dies, in a min-heap: a quiet day costs a comparison. A gun
//! going to repair keeps its remaining budget, and resumes with it.
use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};

use super::first_passage;
use super::quantity::{Group, Item, Quantity};
use crate::rng::clock::PoissonClock;
use crate::rng::sample::{exp, round_nonneg, weibull_residual_life};
use crate::rng::{Draw, Source, Stream, Streams, subkey};
use crate::scenario::Dist;
use crate::scenario::compile::{FleetCfg, Window};

const GUNS: &str = "guns";
const GUNS_CUMULATIVE: &str = "guns (cumulative)";

/// A gun system's fleet: its guns, barrels and spares.
pub(crate) const FLEET: Group = Group {
    module: "fleet",
    item: Item::Named("fleet"),
    owner: "fleet",
    series: &FLEET_SERIES,
    outcomes: &FLEET_OUTCOMES,
};

const FLEET_SERIES: [Quantity; 11] = [
    Quantity::new("serviceable", GUNS, "Guns able to fire at the end of the day.").label("serviceable guns"),
    Quantity::new("waiting", GUNS, "Guns with a worn-out barrel, waiting for a spare one.")
        .label("guns waiting for a barrel"),
    Quantity::new("repair", GUNS, "Guns being refitted with a spare barrel.").label("guns in repair"),
    Quantity::new("destroyed", GUNS_CUMULATIVE, "Guns destroyed in combat since day 0.").label("guns destroyed"),
    Quantity::new(
        "written_off",
        GUNS_CUMULATIVE,
        "Guns written off since day 0, after waiting longer than max_wait_days for a barrel.",
    )
    .label("guns written off"),
    Quantity::new("worn_out", "barrels (cumulative)", "Barrels worn out since day 0.").label("barrels worn out"),
    Quantity::new("spares", "barrels", "Spare barrels in stock at the end of the day.").label("spare barrels"),
    Quantity::new(
        "wear",
        "share of barrel life",
        "Mean wear of the serviceable guns' barrels, as a share of each barrel's life.",
    )
    .label("mean barrel wear"),
    Quantity::new(
        "accuracy",
        "accuracy factor",
        "Mean over the serviceable guns of 1 - accuracy_loss (wear / life)^accuracy_exponent (1 when none serve).",
    )
    .label("accuracy factor"),
    Quantity::new("delivered", GUNS_CUMULATIVE, "New guns delivered since day 0.").label("guns delivered"),
    Quantity::new("fired", "rounds/day", "Rounds the fleet fired during the day.").label("rounds fired"),
];

const FLEET_OUTCOMES: [Quantity; 5] = [
    Quantity::new(
        "days_to_half",
        "days",
        "First day the serviceable guns fell below `threshold` (one half by default) of the day-0 fleet.",
    )
    .label("days until half the guns are unserviceable")
    .first_passage()
    .key(),
    Quantity::new("worn_out", "barrels", "Barrels worn out over the run.").label("barrels worn out").key(),
    Quantity::new("destroyed", GUNS, "Guns destroyed in combat over the run.").label("guns destroyed").key(),
    Quantity::new("written_off", GUNS, "Guns written off over the run, for want of a barrel.")
        .label("guns written off")
        .key(),
    Quantity::new("serviceable_end", GUNS, "Serviceable guns at the end of the run.")
        .label("serviceable guns at the end")
        .key(),
];

/// A serviceable gun in the wear structures: the clock reading at which its
/// barrel fails, and the gun.
#[derive(Debug, Clone, Copy)]
struct Entry {
    thr: f64,
    gun: u32,
}

/// A fitted barrel: the clock reading when it was fitted, and 1 / life and
/// 1 / life^b, kept so the power sums need no division.
#[derive(Debug, Clone, Copy, Default)]
struct Barrel {
    c: f64,
    inv_life: f64,
    inv_life_b: f64,
}

impl Barrel {
    #[inline]
    fn new(c: f64, life: f64, b: u8) -> Barrel {
        let inv_life = 1.0 / life;
        let inv_life_b = match b {
            1 => inv_life,
            2 => inv_life * inv_life,
            _ => inv_life * inv_life * inv_life,
        };
        Barrel { c, inv_life, inv_life_b }
    }
}

/// Where a gun is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Serviceable,
    /// Worn out, waiting for a spare barrel (exposed to combat).
    Waiting,
    /// At the depot, a spare barrel being fitted (safe from combat).
    Repair,
    /// Destroyed or written off.
    Gone,
}

#[derive(Debug, Clone, Copy)]
struct Gun {
    barrel: Barrel,
    /// While exposed, the summed hazard at which it is destroyed; in repair,
    /// the hazard left of its budget.
    death: f64,
    /// Barrels fitted so far (the index of the next one).
    barrels: u32,
    state: State,
}

/// An exposed gun's death in the min-heap of deaths (ordered by `at`).
#[derive(Debug, Clone, Copy)]
struct Death {
    at: f64,
    gun: u32,
}

impl PartialEq for Death {
    fn eq(&self, other: &Death) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Death {}
impl PartialOrd for Death {
    fn partial_cmp(&self, other: &Death) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Death {
    /// Reversed, so that std's max-heap gives the earliest death first.
    fn cmp(&self, other: &Death) -> Ordering {
        other.at.total_cmp(&self.at).then(other.gun.cmp(&self.gun))
    }
}

/// Children per heap node.
const ARITY: usize = 4;

pub(crate) struct Fleet {
    /// Day-0 guns by `thr`; those before `head` have left.
    init: Vec<Entry>,
    head: usize,
    /// Guns fitted with a barrel after day 0.
    heap: Vec<Entry>,
    /// Every gun, by its number.
    guns: Vec<Gun>,
    serviceable: usize,
    clock: f64,
    /// Guns waiting for a barrel (FIFO), with the day each started to wait;
    /// entries of guns destroyed while waiting are skipped.
    waiting: VecDeque<(usize, u32)>,
    n_waiting: usize,
    /// Guns in repair, with the day each rejoins (FIFO: the repair time is one per trajectory).
    repair: VecDeque<(usize, u32)>,
    /// Combat: the hazard of an exposed gun summed over the days, and the
    /// exposed guns by the summed hazard at which each dies.
    hazard: f64,
    deaths: BinaryHeap<Death>,
    pub(crate) spares: f64,
    pub(crate) destroyed: f64,
    pub(crate) written_off: f64,
    pub(crate) worn_out: f64,
    pub(crate) delivered: f64,
    /// sum over serviceable guns of c^j / life^b, j = 0..=3
    pw: [f64; 4],
    /// sum of 1 / life and c / life (mean wear fraction)
    q0: f64,
    q1: f64,
    /// The trajectory's streams, for the guns' own: their barrels' (keyed by
    /// gun and barrel) and their combat budgets (keyed by gun).
    streams: Streams,
    barrels_key: u64,
    combat_key: u64,
    rng_spares: Stream,
    rng_deliveries: Stream,
    /// Event-time clocks of the rare daily events: spare barrels and lots of
    /// new guns (see `rng::clock`).
    spares_clock: PoissonClock,
    lots_clock: PoissonClock,
    pub(crate) rounds_per_gun_day: f64,
    efc: f64,
    scale: f64,
    shape: f64,
    spare_rate: f64,
    repair_days: usize,
    max_wait: Option<usize>,
    pub(crate) q: f64,
    beta: f64,
    a: f64,
    b: u8,
    threshold: f64,
    deliveries: Option<(f64, f64, Window)>,
    pub(crate) first_below: Option<usize>,
}

impl Fleet {
    /// The fleet of `c` with the values `v`; `wear` is its `initial_wear`,
    /// the distribution of each day-0 barrel's used share of `barrel_life`.
    pub(crate) fn new(c: &FleetCfg, v: &[f64], s: &Streams, wear: &Dist) -> Fleet {
        let initial = v[c.guns].round();
        let n0 = initial as usize;
        let mut f = Fleet {
            init: Vec::with_capacity(n0),
            head: 0,
            heap: Vec::new(),
            guns: Vec::with_capacity(n0),
            serviceable: 0,
            clock: 0.0,
            waiting: VecDeque::new(),
            n_waiting: 0,
            repair: VecDeque::new(),
            hazard: 0.0,
            deaths: BinaryHeap::new(),
            spares: v[c.spares].round(),
            destroyed: 0.0,
            written_off: 0.0,
            worn_out: 0.0,
            delivered: 0.0,
            pw: [0.0; 4],
            q0: 0.0,
            q1: 0.0,
            streams: s.clone(),
            barrels_key: c.keys[0],
            combat_key: c.keys[1],
            rng_spares: s.get(c.keys[2]),
            rng_deliveries: s.get(c.keys[3]),
            spares_clock: PoissonClock::default(),
            lots_clock: PoissonClock::default(),
            rounds_per_gun_day: v[c.rounds_per_gun_day],
            efc: v[c.efc_per_round],
            scale: v[c.barrel_life],
            shape: v[c.barrel_shape],
            spare_rate: v[c.spare_rate],
            repair_days: v[c.repair_days].round() as usize,
            max_wait: c.max_wait_days.map(|m| v[m].round() as usize),
            q: v[c.combat_loss],
            beta: v[c.combat_beta],
            a: v[c.accuracy_loss],
            b: c.accuracy_exponent,
            threshold: v[c.threshold] * initial,
            deliveries: c.deliveries.map(|(r, l, w)| (v[r], v[l].round().max(1.0), w)),
            first_below: None,
        };
        for g in 0..n0 as u32 {
            // The barrel's used share u of its scale life, from `initial_wear`,
            // and its life given that it has lasted that long: fitted at clock
            // -age, so its wear now is `age`.
            let mut rng = f.barrel_stream(g, 0);
            rng.log(Draw::Wear(c.initial_wear as u32));
            let age = wear.sample(&mut rng) * f.scale;
            let life = weibull_residual_life(&mut rng, f.scale, f.shape, age);
            f.add_gun(Barrel::new(-age, life, f.b));
            f.init.push(Entry { thr: life - age, gun: g });
        }
        f.init.sort_unstable_by(|a, b| a.thr.total_cmp(&b.thr));
        f.check_threshold(0);
        f
    }

    /// The stream of gun `g`'s `k`-th barrel.
    fn barrel_stream(&self, g: u32, k: u32) -> Stream {
        self.streams.get(subkey(subkey(self.barrels_key, u64::from(g)), u64::from(k)))
    }

    /// A new serviceable gun with `barrel` (its first), exposed to combat
    /// from the next day's hazard on; its number.
    fn add_gun(&mut self, barrel: Barrel) -> u32 {
        let g = self.guns.len() as u32;
        // Drawn even while q is 0: a schedule may raise it later, and the
        // budget's stream is the gun's own, so drawing it changes nothing else.
        let budget = exp(&mut self.streams.get(subkey(self.combat_key, u64::from(g))));
        let death = self.hazard + budget;
        self.deaths.push(Death { at: death, gun: g });
        self.guns.push(Gun { barrel, death, barrels: 1, state: State::Serviceable });
        self.account(&barrel, 1.0);
        self.serviceable += 1;
        g
    }

    #[inline]
    pub(crate) fn serviceable(&self) -> usize {
        self.serviceable
    }
    pub(crate) fn waiting(&self) -> usize {
        self.n_waiting
    }
    pub(crate) fn in_repair(&self) -> usize {
        self.repair.len()
    }

    /// Rounds the fleet asks for today (whole rounds).
    #[inline]
    pub(crate) fn demand(&self) -> f64 {
        round_nonneg(self.serviceable() as f64 * self.rounds_per_gun_day)
    }

    /// Mean wear / life over serviceable guns.
    pub(crate) fn mean_wear(&self) -> f64 {
        let n = self.serviceable();
        // Running sums: rounding can leave a hair below 0 when every barrel is new.
        if n == 0 { 0.0 } else { (self.clock * self.q0 - self.q1).max(0.0) / n as f64 }
    }

    /// Mean over serviceable guns of 1 - a (wear / life)^b (1 when none serve).
    pub(crate) fn accuracy(&self) -> f64 {
        let n = self.serviceable();
        if n == 0 || self.a == 0.0 {
            return 1.0;
        }
        let x = self.clock;
        let p = &self.pw;
        let s = match self.b {
            1 => x * p[0] - p[1],
            2 => x * x * p[0] - 2.0 * x * p[1] + p[2],
            _ => x * x * x * p[0] - 3.0 * x * x * p[1] + 3.0 * x * p[2] - p[3],
        };
        (1.0 - self.a * (s / n as f64).max(0.0)).clamp(0.0, 1.0)
    }

    #[inline]
    fn account(&mut self, g: &Barrel, sign: f64) {
        let w = sign * g.inv_life_b;
        self.pw[0] += w;
        self.pw[1] += w * g.c;
        if self.b >= 2 {
            self.pw[2] += w * g.c * g.c;
            if self.b >= 3 {
                self.pw[3] += w * g.c * g.c * g.c;
            }
        }
        self.q0 += sign * g.inv_life;
        self.q1 += sign * g.c * g.inv_life;
    }

    /// Take serviceable gun `g` out of the line (worn out or destroyed):
    /// its barrel leaves the sums; its entry in the wear structures is
    /// popped (worn out) or skipped when it reaches the front (destroyed).
    fn leave_line(&mut self, g: u32, to: State) {
        let barrel = self.guns[g as usize].barrel;
        self.guns[g as usize].state = to;
        self.serviceable -= 1;
        self.account(&barrel, -1.0);
        if self.serviceable == 0 {
            // Reset the sums so rounding residue cannot build up.
            self.pw = [0.0; 4];
            self.q0 = 0.0;
            self.q1 = 0.0;
        }
    }

    /// Fit gun `g` with its next barrel, now (back from repair).
    fn refit(&mut self, g: u32) {
        let k = self.guns[g as usize].barrels;
        let life = weibull_residual_life(&mut self.barrel_stream(g, k), self.scale, self.shape, 0.0);
        let barrel = Barrel::new(self.clock, life, self.b);
        let gun = &mut self.guns[g as usize];
        gun.barrels += 1;
        gun.barrel = barrel;
        gun.state = State::Serviceable;
        self.account(&barrel, 1.0);
        self.serviceable += 1;
        self.push_entry(Entry { thr: self.clock + life, gun: g });
    }

    fn push_entry(&mut self, e: Entry) {
        self.heap.push(e);
        let i = self.heap.len() - 1;
        self.sift_up(i);
    }

    /// Drop the heap's first entry: the last takes its place and moves down.
    fn pop_heap(&mut self) {
        if let Some(last) = self.heap.pop() {
            if !self.heap.is_empty() {
                self.heap[0] = last;
                self.sift_down(0);
            }
        }
    }

    /// The gun whose barrel fails first, if the clock has reached it: taken
    /// out of the wear structures (entries of guns no longer in the line are
    /// dropped on the way).
    #[inline]
    fn pop_failed(&mut self) -> Option<u32> {
        let live = |f: &Fleet, e: &Entry| f.guns[e.gun as usize].state == State::Serviceable;
        while self.init.get(self.head).is_some_and(|e| !live(self, e)) {
            self.head += 1;
        }
        while self.heap.first().is_some_and(|e| !live(self, e)) {
            self.pop_heap();
        }
        let a = self.init.get(self.head).map_or(f64::INFINITY, |e| e.thr);
        let b = self.heap.first().map_or(f64::INFINITY, |e| e.thr);
        if a <= b && a <= self.clock {
            self.head += 1;
            Some(self.init[self.head - 1].gun)
        } else if b < a && b <= self.clock {
            let g = self.heap[0].gun;
            self.pop_heap();
            Some(g)
        } else {
            None
        }
    }

    /// Move the entry at `i` up while it fails before its parent (moving the
    /// parents down into a hole, as std's BinaryHeap does).
    fn sift_up(&mut self, mut i: usize) {
        let e = self.heap[i];
        while i > 0 {
            let p = (i - 1) / ARITY;
            if e.thr < self.heap[p].thr {
                self.heap[i] = self.heap[p];
                i = p;
            } else {
                break;
            }
        }
        self.heap[i] = e;
    }

    /// Move the entry at `i` down while a child fails before it.
    fn sift_down(&mut self, mut i: usize) {
        let n = self.heap.len();
        let e = self.heap[i];
        loop {
            let first = ARITY * i + 1;
            if first >= n {
                break;
            }
            let mut m = first;
            for j in first + 1..(first + ARITY).min(n) {
                if self.heap[j].thr < self.heap[m].thr {
                    m = j;
                }
            }
            if self.heap[m].thr < e.thr {
                self.heap[i] = self.heap[m];
                i = m;
            } else {
                break;
            }
        }
        self.heap[i] = e;
    }

    /// Whether `d` is the live death of an exposed gun (not one left behind
    /// by a gun that went to repair, was written off or is gone).
    #[inline]
    fn live_death(&self, d: &Death) -> bool {
        let gun = &self.guns[d.gun as usize];
        matches!(gun.state, State::Serviceable | State::Waiting) && gun.death.to_bits() == d.at.to_bits()
    }

    /// Destroy exposed gun `g`.
    fn destroy(&mut self, g: u32) {
        match self.guns[g as usize].state {
            State::Serviceable => self.leave_line(g, State::Gone),
            State::Waiting => {
                self.guns[g as usize].state = State::Gone;
                self.n_waiting -= 1;
            }
            State::Repair | State::Gone => return,
        }
        self.destroyed += 1.0;
    }

    /// The first gun in the waiting line still waiting (guns destroyed while
    /// waiting are dropped from the front).
    fn first_waiting(&mut self) -> Option<(usize, u32)> {
        while let Some(&(d, g)) = self.waiting.front() {
            if self.guns[g as usize].state == State::Waiting {
                return Some((d, g));
            }
            self.waiting.pop_front();
        }
        None
    }

    /// One day after the fleet's caliber met a share `share` of its demand
    /// (1 when it asked for nothing), the fleet firing `rounds`, with the
    /// enemy's fire at exp(`ln_ratio`) times its reference.
    pub(crate) fn step(&mut self, t: usize, share: f64, ln_ratio: f64) {
        // 1. Wear and failures: each serviceable gun fires its planned rounds
        //    times the share of the demand met.
        if self.serviceable > 0 && share > 0.0 {
            self.clock += self.efc * self.rounds_per_gun_day * share;
            while let Some(g) = self.pop_failed() {
                self.leave_line(g, State::Waiting);
                self.worn_out += 1.0;
                self.n_waiting += 1;
                self.waiting.push_back((t, g));
            }
        }
        // 2. Spare barrels, first come first served; repairs that end today
        //    rejoin with a new barrel; guns that waited too long are written off.
        self.spares += self.spares_clock.count(&mut self.rng_spares, self.spare_rate);
        while self.spares >= 1.0 {
            let Some((_, g)) = self.first_waiting() else { break };
            self.waiting.pop_front();
            self.n_waiting -= 1;
            self.spares -= 1.0;
            // At the depot, safe: keep what is left of the gun's budget.
            let gun = &mut self.guns[g as usize];
            gun.state = State::Repair;
            gun.death -= self.hazard;
            self.repair.push_back((t + self.repair_days, g));
        }
        while let Some(&(d, g)) = self.repair.front() {
            if d > t {
                break;
            }
            self.repair.pop_front();
            self.refit(g);
            let gun = &mut self.guns[g as usize];
            gun.death += self.hazard;
            self.deaths.push(Death { at: gun.death, gun: g });
        }
        if let Some(m) = self.max_wait {
            while let Some((d, g)) = self.first_waiting() {
                if t - d <= m {
                    break;
                }
                self.waiting.pop_front();
                self.n_waiting -= 1;
                self.guns[g as usize].state = State::Gone;
                self.written_off += 1.0;
            }
        }
        // 3. Combat losses among the exposed guns (serviceable or waiting):
        //    each dies with probability q today, by its own budget.
        if self.q > 0.0 {
            let q = if self.beta == 0.0 || ln_ratio == 0.0 {
                self.q
            } else {
                (self.q * (self.beta * ln_ratio).exp()).min(1.0)
            };
            let day_hazard = -(-q).ln_1p();
            if day_hazard.is_finite() {
                self.hazard += day_hazard;
            }
            // q = 1 (an infinite hazard) takes every exposed gun and leaves
            // the sum finite for the days after.
            while let Some(&d) = self.deaths.peek() {
                if day_hazard.is_finite() && d.at > self.hazard {
                    break;
                }
                self.deaths.pop();
                if self.live_death(&d) {
                    self.destroy(d.gun);
                }
            }
        }
        // 4. New guns, in lots, exposed from tomorrow.
        if let Some((rate, lot, w)) = self.deliveries {
            if w.holds(t as i64) && rate > 0.0 {
                let guns = self.lots_clock.count(&mut self.rng_deliveries, rate / lot) * lot;
                for _ in 0..guns as usize {
                    let g = self.guns.len() as u32;
                    let life = weibull_residual_life(&mut self.barrel_stream(g, 0), self.scale, self.shape, 0.0);
                    self.add_gun(Barrel::new(self.clock, life, self.b));
                    self.push_entry(Entry { thr: self.clock + life, gun: g });
                }
                self.delivered += guns;
            }
        }
        self.check_threshold(t);
    }

    /// The day's series, at the end of the day, after firing `rounds`.
    #[inline]
    pub(crate) fn series(&self, rounds: f64) -> [f64; FLEET_SERIES.len()] {
        [
            self.serviceable() as f64,
            self.waiting() as f64,
            self.in_repair() as f64,
            self.destroyed,
            self.written_off,
            self.worn_out,
            self.spares,
            self.mean_wear(),
            self.accuracy(),
            self.delivered,
            rounds,
        ]
    }

    pub(crate) fn outcomes(&self) -> [f64; FLEET_OUTCOMES.len()] {
        [first_passage(self.first_below), self.worn_out, self.destroyed, self.written_off, self.serviceable() as f64]
    }

    fn check_threshold(&mut self, t: usize) {
        if self.first_below.is_none() && (self.serviceable() as f64) < self.threshold {
            self.first_below = Some(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(deliveries: bool) -> FleetCfg {
        FleetCfg {
            name: "guns".into(),
            caliber: 0,
            guns: 0,
            rounds_per_gun_day: 1,
            efc_per_round: 2,
            barrel_life: 3,
            barrel_shape: 4,
            initial_wear: 0,
            spares: 5,
            spare_rate: 6,
            repair_days: 7,
            max_wait_days: Some(8),
            combat_loss: 9,
            combat_beta: 10,
            accuracy_loss: 11,
            accuracy_exponent: 2,
            threshold: 12,
            deliveries: deliveries.then_some((13, 14, Window { start: 0, end: 300 })),
            keys: [1, 2, 3, 4],
        }
    }

    /// Kolmogorov-Smirnov statistic of `xs` against `cdf`.
    fn ks(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
        xs.sort_by(f64::total_cmp);
        let n = xs.len() as f64;
        xs.iter().enumerate().fold(0.0f64, |d, (i, &x)| {
            let f = cdf(x);
            d.max((i + 1) as f64 / n - f).max(f - i as f64 / n)
        })
    }

    #[test]
    fn day_0_barrels_have_the_initial_wear_distribution() {
        // Each day-0 barrel's used share u of the scale life is drawn from
        // initial_wear, and its life L from the Weibull given L > u scale:
        // (L / scale)^k - u^k ~ Exp(1). Kolmogorov-Smirnov of both over the
        // 20,000 barrels of one fleet, alpha = 0.001 (D <= 1.949 / sqrt(n)).
        let crit = 1.949 / 20_000f64.sqrt();
        for wear in [
            Dist::Pert { low: 0.1, mode: 0.4, high: 0.9, shape: 4.0 },
            Dist::Beta { a: 0.6, b: 1.5, low: 0.0, high: 1.0 },
        ] {
            let v = [20_000.0, 5.0, 1.0, 2000.0, 2.5, 0.0, 0.0, 6.0, 30.0, 0.0, 0.0, 0.0, 0.5, 0.0, 1.0];
            let f = Fleet::new(&cfg(false), &v, &Streams::new(10, 0, None), &wear);
            let u: Vec<f64> = f.guns.iter().map(|g| -g.barrel.c / 2000.0).collect();
            let e: Vec<f64> = f
                .guns
                .iter()
                .map(|g| (1.0 / (g.barrel.inv_life * 2000.0)).powf(2.5) - (-g.barrel.c / 2000.0).powf(2.5))
                .collect();
            let (du, de) = (ks(u, |x| wear.cdf(x)), ks(e, |x| 1.0 - (-x.max(0.0)).exp()));
            assert!(du <= crit, "{wear:?}: used shares, D = {du:.5} > {crit:.5}");
            assert!(de <= crit, "{wear:?}: residual lives, D = {de:.5} > {crit:.5}");
        }
    }

    /// Every barrel a fleet fits in 400 days, as (gun, barrel number, 1 / life),
    /// and each gun's combat budget.
    fn barrels_fitted(v: &[f64; 15], deliveries: bool) -> (Vec<(u32, u32, f64)>, Vec<f64>) {
        let wear = Dist::Uniform { low: 0.0, high: 0.8 };
        let mut f = Fleet::new(&cfg(deliveries), v, &Streams::new(9, 0, None), &wear);
        let budgets: Vec<f64> = f.guns.iter().map(|g| g.death).collect();
        let mut seen: Vec<(u32, u32, f64)> = Vec::new();
        for t in 0..400 {
            for (g, gun) in f.guns.iter().enumerate() {
                if gun.state == State::Serviceable {
                    seen.push((g as u32, gun.barrels - 1, gun.barrel.inv_life));
                }
            }
            f.step(t, if t % 3 == 0 { 0.6 } else { 1.0 }, 0.0);
        }
        seen.sort_by_key(|a| (a.0, a.1));
        seen.dedup_by(|a, b| (a.0, a.1) == (b.0, b.1));
        (seen, budgets)
    }

    #[test]
    fn a_gun_keeps_its_barrels_and_budget_whatever_the_other_mechanisms_do() {
        // Common random numbers per gun: the k-th barrel of gun g has the same
        // life whatever the combat loss, the spares, the repair time, the
        // write-offs or the deliveries (they change which barrels get fitted,
        // never the life of one that is), and gun g's combat budget does not
        // depend on the combat loss.
        // guns, rounds, efc, scale, shape, spares, spare rate, repair days, max wait,
        // combat loss, beta, accuracy loss, threshold, deliveries rate, lot
        let base = [300.0, 8.0, 1.0, 2000.0, 3.0, 20.0, 0.5, 6.0, 30.0, 0.002, 0.5, 0.4, 0.5, 1.0, 3.0];
        let (b, budget) = barrels_fitted(&base, true);
        assert!(b.iter().any(|x| x.1 >= 1) && b.iter().any(|x| x.0 >= 300), "refits and deliveries seen");
        let variants: [(usize, f64); 6] = [(9, 0.01), (5, 0.0), (6, 2.0), (7, 20.0), (8, 5.0), (13, 3.0)];
        for (j, x) in variants {
            let mut v = base;
            v[j] = x;
            let (o, other_budget) = barrels_fitted(&v, true);
            let mut common = 0;
            for (g, k, il) in &o {
                if let Ok(i) = b.binary_search_by(|y| (y.0, y.1).cmp(&(*g, *k))) {
                    assert_eq!(b[i].2.to_bits(), il.to_bits(), "parameter {j} = {x}: gun {g}'s barrel {k}");
                    common += 1;
                }
            }
            assert!(common >= 300, "parameter {j} = {x}: only {common} barrels in common");
            if v[9] > 0.0 {
                assert_eq!(budget, other_budget, "parameter {j} = {x}: the day-0 guns' combat budgets");
            }
        }
    }

    #[test]
    fn the_structures_keep_order_sums_and_every_gun() {
        // guns, rounds, efc, scale, shape, spares, spare rate, repair days, max wait,
        // combat loss, beta, accuracy loss, threshold, deliveries rate, lot
        let wear = Dist::Uniform { low: 0.0, high: 0.8 };
        for (q, deliveries) in [(0.002, true), (0.02, false), (0.0, true)] {
            let v = [500.0, 5.0, 1.0, 2000.0, 3.0, 20.0, 0.3, 6.0, 30.0, q, 0.5, 0.4, 0.5, 2.0, 3.0];
            let mut f = Fleet::new(&cfg(deliveries), &v, &Streams::new(9, 0, None), &wear);
            assert_eq!(f.serviceable(), 500);
            for t in 0..400 {
                // Enemy fire swinging around its reference.
                f.step(t, if t % 7 == 0 { 0.5 } else { 1.0 }, ((t % 5) as f64 - 2.0) * 0.3);
                for i in 1..f.heap.len() {
                    assert!(f.heap[(i - 1) / ARITY].thr <= f.heap[i].thr);
                }
                assert!(f.init.windows(2).all(|w| w[0].thr <= w[1].thr));
                let serviceable = |e: &&Entry| f.guns[e.gun as usize].state == State::Serviceable;
                let live: Vec<Entry> =
                    f.init[f.head..].iter().chain(f.heap.iter()).filter(serviceable).copied().collect();
                assert_eq!(live.len(), f.serviceable(), "day {t}: one entry per serviceable gun");
                assert!(live.iter().all(|e| e.thr > f.clock), "no failed gun left serviceable");
                let mut ids: Vec<u32> = live.iter().map(|e| e.gun).collect();
                ids.sort_unstable();
                ids.dedup();
                assert_eq!(ids.len(), live.len(), "each serviceable gun once");
                let count = |s: State| f.guns.iter().filter(|g| g.state == s).count();
                assert_eq!(count(State::Serviceable), f.serviceable());
                assert_eq!(count(State::Waiting), f.waiting());
                assert_eq!(count(State::Repair), f.in_repair());
                assert_eq!(count(State::Gone) as f64, f.destroyed + f.written_off);
                let n = live.len() as f64;
                if n > 0.0 {
                    let barrels: Vec<Barrel> = live.iter().map(|e| f.guns[e.gun as usize].barrel).collect();
                    let exact = barrels.iter().map(|g| 1.0 - 0.4 * ((f.clock - g.c) * g.inv_life).powi(2)).sum::<f64>();
                    assert!((exact / n - f.accuracy()).abs() < 1e-9, "{} vs {}", exact / n, f.accuracy());
                    let w: f64 = barrels.iter().map(|g| (f.clock - g.c) * g.inv_life).sum::<f64>() / n;
                    assert!((w - f.mean_wear()).abs() < 1e-9);
                }
                // Every exposed gun has one live death beyond the hazard summed so far.
                if q > 0.0 {
                    let mut exposed: Vec<u32> = f.deaths.iter().filter(|d| f.live_death(d)).map(|d| d.gun).collect();
                    exposed.sort_unstable();
                    exposed.dedup();
                    assert_eq!(exposed.len(), f.serviceable() + f.waiting(), "day {t}: one death per exposed gun");
                    assert!(f.deaths.iter().filter(|d| f.live_death(d)).all(|d| d.at > f.hazard));
                }
                assert_eq!(f.guns.len() as f64, 500.0 + f.delivered);
            }
            // Every path was taken (at 2 % a day, combat takes nearly every gun first).
            let seen = (f.worn_out, f.written_off);
            assert!(seen.0 > 0.0 && (seen.1 > 0.0 || q > 0.01), "q = {q}: worn out, written off: {seen:?}");
            assert_eq!(f.destroyed > 0.0, q > 0.0);
        }
    }
}
