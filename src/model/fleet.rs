//! Gun fleets and barrel wear (docs/model.md section 4), and what they record.
//!
//! All serviceable guns of a fleet fire the same rounds each day, so they wear
//! at the same pace: the fleet keeps one wear clock (EFC fired per serviceable
//! gun since day 0) and, per gun, the clock reading at which its barrel fails
//! (`thr`). The guns of day 0 sit in an array sorted by `thr`, read from the
//! front; guns refitted or delivered later go to a 4-ary min-heap of 16-byte
//! entries (four children share a cache line). A day's failures are the
//! entries the clock passed: exact for the Weibull lives, and the work is per
//! failure, not per gun per day. A day-0 gun destroyed in combat is marked
//! dead in place (the array is compacted when the dead outnumber the live).
//! Per gun a slab beside them keeps the clock reading when the barrel was
//! fitted (`c`) and its life (`life`), and the fleet keeps power
//! sums over serviceable guns so the mean wear fraction and the accuracy
//! factor `mean(1 - a (wear / life)^b)` are O(1) a day for b in {1, 2, 3}.
use std::collections::VecDeque;

use super::first_passage;
use super::registry::{Group, Item, Quantity};
use crate::rng::clock::{HazardClock, PoissonClock};
use crate::rng::sample::{index, round_nonneg, unit, weibull_residual_life};
use crate::rng::{Stream, Streams};
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

/// A serviceable gun in the heap: when its barrel fails, and where its barrel's data is.
#[derive(Debug, Clone, Copy)]
struct Entry {
    thr: f64,
    id: u32,
}

/// A fitted barrel: the clock reading when it was fitted, and 1 / life and
/// 1 / life^b, kept so the power sums need no division.
#[derive(Debug, Clone, Copy)]
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

/// Children per heap node.
const ARITY: usize = 4;

/// The id of a day-0 gun destroyed in combat, still in the sorted array.
const DEAD: u32 = u32::MAX;

pub(crate) struct Fleet {
    /// Day-0 guns by `thr`; those before `head` have left, dead ones are marked.
    init: Vec<Entry>,
    head: usize,
    init_live: usize,
    /// Guns fitted with a barrel after day 0.
    heap: Vec<Entry>,
    /// Barrels by id; `free` lists the ids of removed guns for reuse.
    barrels: Vec<Barrel>,
    free: Vec<u32>,
    clock: f64,
    /// Day each waiting gun started waiting (FIFO).
    waiting: VecDeque<usize>,
    /// Day each gun in repair rejoins (FIFO: the repair time is one per trajectory).
    repair: VecDeque<usize>,
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
    rng_barrels: Stream,
    rng_combat: Stream,
    rng_spares: Stream,
    rng_deliveries: Stream,
    /// Event-time clocks of the rare daily events: combat losses, spare
    /// barrels and lots of new guns (see `rng::clock`).
    combat_clock: HazardClock,
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
    pub(crate) fn new(c: &FleetCfg, v: &[f64], s: &Streams) -> Fleet {
        let initial = v[c.guns].round();
        let mut f = Fleet {
            init: Vec::with_capacity(initial as usize),
            head: 0,
            init_live: initial as usize,
            heap: Vec::new(),
            barrels: Vec::with_capacity(initial as usize),
            free: Vec::new(),
            clock: 0.0,
            waiting: VecDeque::new(),
            repair: VecDeque::new(),
            spares: v[c.spares].round(),
            destroyed: 0.0,
            written_off: 0.0,
            worn_out: 0.0,
            delivered: 0.0,
            pw: [0.0; 4],
            q0: 0.0,
            q1: 0.0,
            rng_barrels: s.get(c.keys[0]),
            rng_combat: s.get(c.keys[1]),
            rng_spares: s.get(c.keys[2]),
            rng_deliveries: s.get(c.keys[3]),
            combat_clock: HazardClock::default(),
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
        let max_age = v[c.initial_wear] * f.scale;
        for _ in 0..initial as usize {
            let age = max_age * unit(&mut f.rng_barrels);
            let life = weibull_residual_life(&mut f.rng_barrels, f.scale, f.shape, age);
            // Fitted at clock -age, so its wear now is `age`.
            let g = Barrel::new(-age, life, f.b);
            f.account(&g, 1.0);
            f.init.push(Entry { thr: life - age, id: f.barrels.len() as u32 });
            f.barrels.push(g);
        }
        f.init.sort_unstable_by(|a, b| a.thr.total_cmp(&b.thr));
        f.check_threshold(0);
        f
    }

    #[inline]
    pub(crate) fn serviceable(&self) -> usize {
        self.init_live + self.heap.len()
    }
    pub(crate) fn waiting(&self) -> usize {
        self.waiting.len()
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

    /// Fit a new barrel of life `life` to a serviceable gun, now.
    fn push_fresh(&mut self, life: f64) {
        let g = Barrel::new(self.clock, life, self.b);
        self.account(&g, 1.0);
        let id = match self.free.pop() {
            Some(id) => {
                self.barrels[id as usize] = g;
                id
            }
            None => {
                self.barrels.push(g);
                (self.barrels.len() - 1) as u32
            }
        };
        self.heap.push(Entry { thr: self.clock + life, id });
        let i = self.heap.len() - 1;
        self.sift_up(i);
    }

    /// Remove the gun at heap position `i`: the last gun takes its place and
    /// moves down or up to restore the order.
    fn remove_at(&mut self, i: usize) {
        let last = self.heap.pop().expect("non-empty");
        let e = if i < self.heap.len() {
            let e = std::mem::replace(&mut self.heap[i], last);
            if self.sift_down(i) == i {
                self.sift_up(i);
            }
            e
        } else {
            last
        };
        self.release(e.id);
    }

    /// Remove the day-0 gun at position `p` of the sorted array (live, at or after `head`).
    fn remove_init(&mut self, p: usize) {
        let id = std::mem::replace(&mut self.init[p].id, DEAD);
        self.init_live -= 1;
        while self.head < self.init.len() && self.init[self.head].id == DEAD {
            self.head += 1;
        }
        // Keep the dead under about half of the slots a uniform pick draws
        // from, so that it needs under two tries on average.
        if self.init.len() - self.head > 2 * self.init_live + 64 {
            self.init.drain(..self.head);
            self.init.retain(|e| e.id != DEAD);
            self.head = 0;
        }
        self.release(id);
    }

    /// Take a removed gun's barrel out of the sums and free its id.
    fn release(&mut self, id: u32) {
        let g = self.barrels[id as usize];
        self.free.push(id);
        self.account(&g, -1.0);
        if self.serviceable() == 0 {
            // Reset the sums so rounding residue cannot build up.
            self.pw = [0.0; 4];
            self.q0 = 0.0;
            self.q1 = 0.0;
        }
    }

    /// Remove the serviceable gun that fails first if the clock has passed its threshold.
    #[inline]
    fn pop_failed(&mut self) -> bool {
        let a = self.init.get(self.head).map_or(f64::INFINITY, |e| e.thr);
        let b = self.heap.first().map_or(f64::INFINITY, |e| e.thr);
        if a <= b && a <= self.clock {
            self.remove_init(self.head);
            true
        } else if b < a && b <= self.clock {
            self.remove_at(0);
            true
        } else {
            false
        }
    }

    /// Remove a serviceable gun chosen uniformly: a slot among the heap and
    /// the sorted array from `head` on, drawn again if it holds a dead gun.
    fn remove_uniform(&mut self) {
        let h = self.heap.len();
        loop {
            let j = index(&mut self.rng_combat, h + self.init.len() - self.head);
            if j < h {
                self.remove_at(j);
                return;
            }
            let p = self.head + j - h;
            if self.init[p].id != DEAD {
                self.remove_init(p);
                return;
            }
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

    /// Move the entry at `i` down while a child fails before it; returns where it ends.
    fn sift_down(&mut self, mut i: usize) -> usize {
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
        i
    }

    fn fresh_life(&mut self) -> f64 {
        weibull_residual_life(&mut self.rng_barrels, self.scale, self.shape, 0.0)
    }

    /// One day after firing `rounds` (the fleet's share of its caliber's fire),
    /// with the enemy's fire at exp(`ln_ratio`) times its reference.
    pub(crate) fn step(&mut self, t: usize, rounds: f64, ln_ratio: f64) {
        // 1. Wear and failures.
        let n = self.serviceable();
        if n > 0 && rounds > 0.0 {
            self.clock += rounds / n as f64 * self.efc;
            while self.pop_failed() {
                self.worn_out += 1.0;
                self.waiting.push_back(t);
            }
        }
        // 2. Spare barrels, first come first served; repairs that end today rejoin.
        self.spares += self.spares_clock.count(&mut self.rng_spares, self.spare_rate);
        while self.spares >= 1.0 && !self.waiting.is_empty() {
            self.waiting.pop_front();
            self.spares -= 1.0;
            self.repair.push_back(t + self.repair_days);
        }
        while self.repair.front().is_some_and(|&d| d <= t) {
            self.repair.pop_front();
            let life = self.fresh_life();
            self.push_fresh(life);
        }
        if let Some(m) = self.max_wait {
            while self.waiting.front().is_some_and(|&d| t - d > m) {
                self.waiting.pop_front();
                self.written_off += 1.0;
            }
        }
        // 3. Combat losses among serviceable guns.
        if self.q > 0.0 && self.serviceable() > 0 {
            let q = if self.beta == 0.0 || ln_ratio == 0.0 {
                self.q
            } else {
                (self.q * (self.beta * ln_ratio).exp()).min(1.0)
            };
            let n = self.serviceable() as f64;
            let k = self.combat_clock.binomial(&mut self.rng_combat, n, q) as usize;
            for _ in 0..k {
                self.remove_uniform();
                self.destroyed += 1.0;
            }
        }
        // 4. New guns, in lots.
        if let Some((rate, lot, w)) = self.deliveries {
            if w.holds(t as i64) && rate > 0.0 {
                let guns = self.lots_clock.count(&mut self.rng_deliveries, rate / lot) * lot;
                for _ in 0..guns as usize {
                    let life = self.fresh_life();
                    self.push_fresh(life);
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

    #[test]
    fn heap_removal_keeps_order_and_sums() {
        let cfg = FleetCfg {
            name: "guns".into(),
            caliber: 0,
            guns: 0,
            rounds_per_gun_day: 1,
            efc_per_round: 2,
            barrel_life: 3,
            barrel_shape: 4,
            initial_wear: 5,
            spares: 6,
            spare_rate: 6,
            repair_days: 6,
            max_wait_days: None,
            combat_loss: 7,
            combat_beta: 6,
            accuracy_loss: 8,
            accuracy_exponent: 2,
            threshold: 9,
            deliveries: None,
            keys: [1, 2, 3, 4],
        };
        // Combat losses of 0.2 % a day, then of 2 % (most day-0 guns die in
        // combat, so the sorted array is compacted on the way).
        for q in [0.002, 0.02] {
            let v = [500.0, 5.0, 1.0, 2000.0, 3.0, 0.5, 0.0, q, 0.4, 0.5];
            let mut f = Fleet::new(&cfg, &v, &Streams::new(9, 0, None));
            assert_eq!(f.serviceable(), 500);
            let mut compacted = false;
            for t in 0..400 {
                f.step(t, f.demand(), 0.0);
                for i in 1..f.heap.len() {
                    assert!(f.heap[(i - 1) / ARITY].thr <= f.heap[i].thr);
                }
                assert!(f.init.windows(2).all(|w| w[0].thr <= w[1].thr));
                assert!(f.init.get(f.head).is_none_or(|e| e.id != DEAD));
                assert!(f.init.len() - f.head <= 2 * f.init_live + 64, "dead slots bounded");
                compacted |= f.init.len() < 500 && f.head < 500 - f.init.len();
                let live: Vec<Entry> =
                    f.init[f.head..].iter().filter(|e| e.id != DEAD).chain(f.heap.iter()).copied().collect();
                assert_eq!(live.len(), f.serviceable());
                assert!(live.iter().all(|e| e.thr > f.clock), "no failed gun left serviceable");
                let mut ids: Vec<u32> = live.iter().map(|e| e.id).collect();
                ids.sort_unstable();
                ids.dedup();
                assert_eq!(ids.len(), live.len(), "each serviceable gun has its own barrel");
                let guns: Vec<Barrel> = live.iter().map(|e| f.barrels[e.id as usize]).collect();
                let n = live.len() as f64;
                if n > 0.0 {
                    let exact: f64 =
                        guns.iter().map(|g| 1.0 - 0.4 * ((f.clock - g.c) * g.inv_life).powi(2)).sum::<f64>() / n;
                    assert!((exact - f.accuracy()).abs() < 1e-9, "{exact} vs {}", f.accuracy());
                    let w: f64 = guns.iter().map(|g| (f.clock - g.c) * g.inv_life).sum::<f64>() / n;
                    assert!((w - f.mean_wear()).abs() < 1e-9);
                }
                let total =
                    f.serviceable() as f64 + f.waiting() as f64 + f.in_repair() as f64 + f.destroyed + f.written_off;
                assert_eq!(total, 500.0 + f.delivered);
            }
            assert!(f.worn_out > 0.0 && f.destroyed > 0.0);
            assert_eq!(compacted, q > 0.01, "compaction with q = {q}");
        }
    }
}
