//! Gun fleets and barrel wear (MODEL.md section 4).
//!
//! All serviceable guns of a fleet fire the same rounds each day, so they wear
//! at the same pace: the fleet keeps one wear clock (EFC fired per serviceable
//! gun since day 0) and, per gun, the clock reading at which its barrel fails
//! (`thr`), in a binary min-heap. A day's failures are the heap entries the
//! clock passed: exact for the Weibull lives, and the work is per failure,
//! not per gun per day. Per gun the heap also keeps the clock reading when the
//! barrel was fitted (`c`) and its life (`life`), and the fleet keeps power
//! sums over serviceable guns so the mean wear fraction and the accuracy
//! factor `mean(1 - a (wear / life)^b)` are O(1) a day for b in {1, 2, 3}.
use std::collections::VecDeque;

use super::compile::{FleetCfg, Window};
use crate::engine::rng::{Stream, Streams};
use crate::engine::sample::{binomial, index, poisson, round_nonneg, unit, weibull_residual_life};

#[derive(Debug, Clone, Copy)]
struct Gun {
    thr: f64,
    c: f64,
    /// 1 / life and 1 / life^b, kept so the power sums need no division.
    inv_life: f64,
    inv_life_b: f64,
}

impl Gun {
    #[inline]
    fn new(thr: f64, c: f64, life: f64, b: u8) -> Gun {
        let inv_life = 1.0 / life;
        let inv_life_b = match b {
            1 => inv_life,
            2 => inv_life * inv_life,
            _ => inv_life * inv_life * inv_life,
        };
        Gun { thr, c, inv_life, inv_life_b }
    }
}

pub struct Fleet {
    heap: Vec<Gun>,
    clock: f64,
    /// Day each waiting gun started waiting (FIFO).
    waiting: VecDeque<usize>,
    /// Day each gun in repair rejoins (FIFO: the repair time is one per trajectory).
    repair: VecDeque<usize>,
    pub spares: f64,
    pub destroyed: f64,
    pub written_off: f64,
    pub worn_out: f64,
    pub delivered: f64,
    pub initial: f64,
    /// sum over serviceable guns of c^j / life^b, j = 0..=3
    pw: [f64; 4],
    /// sum of 1 / life and c / life (mean wear fraction)
    q0: f64,
    q1: f64,
    rng_barrels: Stream,
    rng_combat: Stream,
    rng_spares: Stream,
    rng_deliveries: Stream,
    pub rounds_per_gun_day: f64,
    efc: f64,
    scale: f64,
    shape: f64,
    spare_rate: f64,
    repair_days: usize,
    max_wait: Option<usize>,
    q: f64,
    beta: f64,
    a: f64,
    b: u8,
    threshold: f64,
    deliveries: Option<(f64, f64, Window)>,
    pub first_below: Option<usize>,
}

impl Fleet {
    pub fn new(c: &FleetCfg, v: &[f64], s: &Streams) -> Fleet {
        let initial = v[c.guns].round();
        let mut f = Fleet {
            heap: Vec::with_capacity(initial as usize),
            clock: 0.0,
            waiting: VecDeque::new(),
            repair: VecDeque::new(),
            spares: v[c.spares].round(),
            destroyed: 0.0,
            written_off: 0.0,
            worn_out: 0.0,
            delivered: 0.0,
            initial,
            pw: [0.0; 4],
            q0: 0.0,
            q1: 0.0,
            rng_barrels: s.get(c.keys[0]),
            rng_combat: s.get(c.keys[1]),
            rng_spares: s.get(c.keys[2]),
            rng_deliveries: s.get(c.keys[3]),
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
            let g = Gun::new(life - age, -age, life, f.b);
            f.account(&g, 1.0);
            f.heap.push(g);
        }
        // Floyd's heap construction: O(n) for the initial fleet.
        for i in (0..f.heap.len() / 2).rev() {
            f.sift_down(i);
        }
        f.check_threshold(0);
        f
    }

    #[inline]
    pub fn serviceable(&self) -> usize {
        self.heap.len()
    }
    pub fn waiting(&self) -> usize {
        self.waiting.len()
    }
    pub fn in_repair(&self) -> usize {
        self.repair.len()
    }

    /// Rounds the fleet asks for today (whole rounds).
    #[inline]
    pub fn demand(&self) -> f64 {
        round_nonneg(self.heap.len() as f64 * self.rounds_per_gun_day)
    }

    /// Mean wear / life over serviceable guns.
    pub fn mean_wear(&self) -> f64 {
        let n = self.heap.len();
        if n == 0 { 0.0 } else { (self.clock * self.q0 - self.q1) / n as f64 }
    }

    /// Mean over serviceable guns of 1 - a (wear / life)^b (1 when none serve).
    pub fn accuracy(&self) -> f64 {
        let n = self.heap.len();
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
    fn account(&mut self, g: &Gun, sign: f64) {
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

    fn push(&mut self, g: Gun) {
        self.account(&g, 1.0);
        self.heap.push(g);
        let i = self.heap.len() - 1;
        self.sift_up(i);
    }

    fn remove_at(&mut self, i: usize) -> Gun {
        let last = self.heap.len() - 1;
        self.heap.swap(i, last);
        let g = self.heap.pop().expect("non-empty");
        if i < self.heap.len() {
            self.sift_down(i);
            self.sift_up(i);
        }
        self.account(&g, -1.0);
        if self.heap.is_empty() {
            // Reset the sums so rounding residue cannot build up.
            self.pw = [0.0; 4];
            self.q0 = 0.0;
            self.q1 = 0.0;
        }
        g
    }

    fn sift_up(&mut self, mut i: usize) {
        while i > 0 {
            let p = (i - 1) / 2;
            if self.heap[i].thr < self.heap[p].thr {
                self.heap.swap(i, p);
                i = p;
            } else {
                break;
            }
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        let n = self.heap.len();
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let m = if r < n && self.heap[r].thr < self.heap[l].thr { r } else { l };
            if self.heap[m].thr < self.heap[i].thr {
                self.heap.swap(i, m);
                i = m;
            } else {
                break;
            }
        }
    }

    fn fresh_gun(&mut self) -> Gun {
        let life = weibull_residual_life(&mut self.rng_barrels, self.scale, self.shape, 0.0);
        Gun::new(self.clock + life, self.clock, life, self.b)
    }

    /// One day after firing `rounds` (the fleet's share of its caliber's fire),
    /// with the enemy's fire at exp(`ln_ratio`) times its reference.
    pub fn step(&mut self, t: usize, rounds: f64, ln_ratio: f64) {
        // 1. Wear and failures.
        let n = self.heap.len();
        if n > 0 && rounds > 0.0 {
            self.clock += rounds / n as f64 * self.efc;
            while self.heap.first().is_some_and(|g| g.thr <= self.clock) {
                self.remove_at(0);
                self.worn_out += 1.0;
                self.waiting.push_back(t);
            }
        }
        // 2. Spare barrels, first come first served; repairs that end today rejoin.
        self.spares += poisson(&mut self.rng_spares, self.spare_rate);
        while self.spares >= 1.0 && !self.waiting.is_empty() {
            self.waiting.pop_front();
            self.spares -= 1.0;
            self.repair.push_back(t + self.repair_days);
        }
        while self.repair.front().is_some_and(|&d| d <= t) {
            self.repair.pop_front();
            let g = self.fresh_gun();
            self.push(g);
        }
        if let Some(m) = self.max_wait {
            while self.waiting.front().is_some_and(|&d| t - d > m) {
                self.waiting.pop_front();
                self.written_off += 1.0;
            }
        }
        // 3. Combat losses among serviceable guns.
        if self.q > 0.0 && !self.heap.is_empty() {
            let q = if self.beta == 0.0 || ln_ratio == 0.0 {
                self.q
            } else {
                (self.q * (self.beta * ln_ratio).exp()).min(1.0)
            };
            let k = binomial(&mut self.rng_combat, self.heap.len() as f64, q) as usize;
            for _ in 0..k {
                let i = index(&mut self.rng_combat, self.heap.len());
                self.remove_at(i);
                self.destroyed += 1.0;
            }
        }
        // 4. New guns, in lots.
        if let Some((rate, lot, w)) = self.deliveries {
            if w.holds(t as i64) && rate > 0.0 {
                let guns = poisson(&mut self.rng_deliveries, rate / lot) * lot;
                for _ in 0..guns as usize {
                    let g = self.fresh_gun();
                    self.push(g);
                }
                self.delivered += guns;
            }
        }
        self.check_threshold(t);
    }

    fn check_threshold(&mut self, t: usize) {
        if self.first_below.is_none() && (self.heap.len() as f64) < self.threshold {
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
            s0: 0,
            o0: 0,
        };
        let v = [500.0, 5.0, 1.0, 2000.0, 3.0, 0.5, 0.0, 0.002, 0.4, 0.5];
        let mut f = Fleet::new(&cfg, &v, &Streams::new(9, 0, None));
        assert_eq!(f.serviceable(), 500);
        for t in 0..400 {
            f.step(t, f.demand(), 0.0);
            for i in 1..f.heap.len() {
                assert!(f.heap[(i - 1) / 2].thr <= f.heap[i].thr);
            }
            let n = f.heap.len() as f64;
            if n > 0.0 {
                let exact: f64 =
                    f.heap.iter().map(|g| 1.0 - 0.4 * ((f.clock - g.c) * g.inv_life).powi(2)).sum::<f64>() / n;
                assert!((exact - f.accuracy()).abs() < 1e-9, "{exact} vs {}", f.accuracy());
                let w: f64 = f.heap.iter().map(|g| (f.clock - g.c) * g.inv_life).sum::<f64>() / n;
                assert!((w - f.mean_wear()).abs() < 1e-9);
            }
            let total = f.serviceable() as f64 + f.waiting() as f64 + f.in_repair() as f64 + f.destroyed + f.written_off;
            assert_eq!(total, f.initial + f.delivered);
        }
        assert!(f.worn_out > 0.0 && f.destroyed > 0.0);
    }
}
