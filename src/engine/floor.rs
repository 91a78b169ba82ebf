//! The random-number floor of a run: the time to draw exactly the variates a
//! run draws, with the engine's own generator and samplers, and nothing else.
//!
//! Each trajectory is simulated once with a tape (untimed), then its tape is
//! replayed through the same samplers with the same parameters (timed). The
//! engine's time divided by the floor says what the model itself costs.
//!
//! The variates are those the model's laws name: every parameter draw, every
//! daily count, life, used share, hazard budget and amount. A daily count
//! drawn by an event-time clock (`clock::PoissonClock`) is one variate per
//! day, a quiet day included, and is replayed through a clock: the clock's
//! daily step is the work of drawing that count.
use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

use crate::model::Model;
use crate::rng::{Draw, Tape, mix};
use crate::rng::{clock, sample};

/// Draw every logged variate again; returns their sum (so nothing is optimised away).
///
/// A day's count from a clock is replayed through a clock (one, shared by
/// all the logged processes: a day with mean mu costs the same whichever
/// process it belongs to).
pub(crate) fn replay(model: &Model, tape: &[Draw], rng: &mut Xoshiro256PlusPlus) -> f64 {
    let mut acc = 0.0;
    let mut clock = clock::PoissonClock::default();
    for (i, d) in tape.iter().enumerate() {
        acc += match *d {
            Draw::Seed => {
                // What keying a stream costs: three mixes and a SplitMix seeding.
                *rng = Xoshiro256PlusPlus::seed_from_u64(mix(mix(mix(i as u64) ^ 1) ^ 2));
                0.0
            }
            Draw::Poisson(l) => sample::poisson(rng, l),
            Draw::Binomial(n, p) => sample::binomial(rng, n, p),
            Draw::Gamma(shape, scale) => sample::gamma(rng, shape, scale).unwrap_or(0.0),
            Draw::Weibull(s, k, a) => sample::weibull_residual_life(rng, s, k, a),
            Draw::Clock(mu) => clock.count(rng, mu),
            Draw::Exp => sample::exp(rng),
            Draw::Wear(j) => model.initial_wear(j as usize).sample(rng),
            Draw::Normal => sample::normal(rng),
            Draw::Param(j) => model.uncertain()[j as usize].dist.sample(rng),
        };
    }
    acc
}

/// Floor measurement over trajectories `0..n` of `seed`, on the calling thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct Floor {
    /// Seconds spent replaying the draws.
    pub seconds: f64,
    /// Variates drawn (stream seedings included).
    pub draws: u64,
}

pub fn measure(model: &Model, seed: u64, n: usize) -> Floor {
    let tape: Tape = Rc::new(RefCell::new(Vec::new()));
    let mut orow = vec![0.0; model.outcomes().len()];
    let mut prow = vec![0.0; model.uncertain().len()];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut out = Floor::default();
    for i in 0..n {
        tape.borrow_mut().clear();
        model.simulate_taped(seed, i as u64, tape.clone(), &mut orow, &mut prow);
        let t = tape.borrow();
        let t0 = Instant::now();
        black_box(replay(model, black_box(&t), &mut rng));
        out.seconds += t0.elapsed().as_secs_f64();
        out.draws += t.len() as u64;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Validated;

    #[test]
    fn tape_counts_every_draw() {
        let v = Validated::from_toml_str(
            r#"
            name = "t"
            start = 2024-01-01
            days = 10
            [sides.a.calibers.c]
            initial_stock = 1000
            [sides.a.supply.l]
            caliber = "c"
            rate = 50
            [sides.a.casualties]
            base = {dist = "uniform", low = 5, high = 10}
            dispersion = 3
            [sides.a.fleets.f]
            caliber = "c"
            guns = 3
            rounds_per_gun_day = 1
            barrel_life = 1e9
            initial_wear = {dist = "uniform", low = 0.2, high = 0.6}
            combat_loss = 0.001
            "#,
        )
        .unwrap();
        let m = Model::new(v);
        let tape: Tape = Rc::new(RefCell::new(Vec::new()));
        m.simulate_taped(1, 0, tape.clone(), &mut vec![0.0; m.outcomes().len()], &mut [0.0; 1]);
        let t = tape.borrow();
        // streams: the parameter, the line's lots and duds, the stock, casualties, tempo, the
        // fleet's spares and deliveries, and each of its 3 guns' first barrel and combat budget
        assert_eq!(t.iter().filter(|d| **d == Draw::Seed).count(), 14);
        assert_eq!(t.iter().filter(|d| matches!(d, Draw::Param(0))).count(), 1);
        // each day-0 barrel: its used share (from the fleet's initial_wear) and its life
        assert_eq!(t.iter().filter(|d| matches!(d, Draw::Wear(0))).count(), 3);
        assert_eq!(t.iter().filter(|d| matches!(d, Draw::Weibull(..))).count(), 3);
        assert_eq!(t.iter().filter(|d| matches!(d, Draw::Exp)).count(), 3);
        // a day: the line's lots (a clock's count) and the casualties (gamma, then Poisson)
        assert_eq!(t.iter().filter(|d| matches!(d, Draw::Clock(_))).count(), 10);
        assert_eq!(t.iter().filter(|d| matches!(d, Draw::Poisson(_))).count(), 10);
        assert_eq!(t.iter().filter(|d| matches!(d, Draw::Gamma(..))).count(), 10);
        let f = measure(&m, 1, 3);
        assert_eq!(f.draws as usize, 3 * t.len());
    }
}
