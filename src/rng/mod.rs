//! Randomness: keyed streams, tapes, the samplers of the daily noise
//! ([`sample`]) and the event-time clocks of rare events ([`clock`]).
//!
//! Every random component of a trajectory draws from its own stream, keyed by
//! (seed, trajectory index, component key). The component key is a hash of a
//! stable name (a parameter's dotted path, or e.g. `supply:russia.dprk_152:lots`),
//! so trajectory `i` is the same whatever the thread count, the block size or
//! the machine, two scenarios run with one seed share streams trajectory by
//! trajectory (common random numbers), and adding or removing a component
//! leaves the streams of all the others untouched.
//!
//! A stream may carry a [`Tape`] that logs every variate drawn (which sampler,
//! with which parameters); the benchmarks replay the tape to time the draws
//! alone, the "random-number floor" of a run.
pub mod clock;
pub mod sample;

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::rc::Rc;

use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;

/// SplitMix64's finaliser: a bijective 64-bit mixer.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit key for a component name (FNV-1a, then mixed).
pub fn key(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// The key of element `index` of a keyed family (gun `g` of a fleet, barrel
/// `k` of a gun): `mix(key ^ mix(index))`, stable like [`key`].
#[inline]
pub fn subkey(key: u64, index: u64) -> u64 {
    mix(key ^ mix(index))
}

/// What a trajectory's streams share: the seed and the trajectory, mixed.
#[inline]
fn base(seed: u64, traj: u64) -> u64 {
    mix(mix(seed) ^ traj)
}

#[inline]
fn raw(seed: u64, traj: u64, key: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix(base(seed, traj) ^ key))
}

/// One variate drawn, with what the sampler needed to draw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Draw {
    /// A stream was seeded.
    Seed,
    Poisson(f64),
    Binomial(f64, f64),
    /// Gamma by shape and scale.
    Gamma(f64, f64),
    /// Weibull residual life: scale, shape, age.
    Weibull(f64, f64, f64),
    /// A day's count from a Poisson clock, by its mean.
    Clock(f64),
    /// A standard exponential (a gun's hazard budget against combat losses).
    Exp,
    /// A day-0 barrel's used share, from fleet number `i`'s `initial_wear`
    /// (fleets numbered over all sides in order).
    Wear(u32),
    Normal,
    /// The epistemic draw of uncertain parameter number `i`.
    Param(u32),
}

/// A log of draws, shared by the streams of one trajectory.
pub type Tape = Rc<RefCell<Vec<Draw>>>;

/// A random stream: Xoshiro256++ (which it derefs to), with an optional tape.
pub struct Stream {
    rng: Xoshiro256PlusPlus,
    tape: Option<Tape>,
}

impl Deref for Stream {
    type Target = Xoshiro256PlusPlus;
    fn deref(&self) -> &Xoshiro256PlusPlus {
        &self.rng
    }
}

impl DerefMut for Stream {
    fn deref_mut(&mut self) -> &mut Xoshiro256PlusPlus {
        &mut self.rng
    }
}

/// A generator the samplers draw from; it may log what it is asked for.
pub trait Source: rand::Rng {
    #[inline]
    fn log(&self, _draw: Draw) {}
}

impl Source for Xoshiro256PlusPlus {}

impl Source for Stream {
    #[inline]
    fn log(&self, draw: Draw) {
        if let Some(t) = &self.tape {
            t.borrow_mut().push(draw);
        }
    }
}

/// The stream of component `key` in trajectory `traj` of a run seeded with `seed`.
#[inline]
pub fn stream(seed: u64, traj: u64, key: u64) -> Stream {
    Stream { rng: raw(seed, traj, key), tape: None }
}

/// Makes the streams of one trajectory.
#[derive(Clone)]
pub struct Streams {
    base: u64,
    tape: Option<Tape>,
}

impl Streams {
    pub fn new(seed: u64, traj: u64, tape: Option<Tape>) -> Streams {
        Streams { base: base(seed, traj), tape }
    }

    #[inline]
    pub fn get(&self, key: u64) -> Stream {
        if let Some(t) = &self.tape {
            t.borrow_mut().push(Draw::Seed);
        }
        Stream { rng: Xoshiro256PlusPlus::seed_from_u64(mix(self.base ^ key)), tape: self.tape.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_keyed() {
        let a = stream(1, 7, key("x")).next_u64();
        assert_eq!(a, stream(1, 7, key("x")).next_u64());
        assert_ne!(a, stream(1, 8, key("x")).next_u64());
        assert_ne!(a, stream(2, 7, key("x")).next_u64());
        assert_ne!(a, stream(1, 7, key("y")).next_u64());
        assert_eq!(a, Streams::new(1, 7, None).get(key("x")).next_u64());
    }

    #[test]
    fn published_values_are_stable() {
        // Literal values: changing the key derivation, the seeding or the
        // generator changes every number a seed ever gave.
        assert_eq!(key(""), 0xc381_7c01_6ba4_ff30);
        assert_eq!(key("a"), 0x5f29_c2aa_dd9b_8527);
        assert_eq!(key("param:sides.russia.ref_fire"), 0x3ba1_5cf0_8c77_d982);
        assert_eq!(key("supply:russia.dprk_152"), 0xeb63_726d_c925_e0ad);
        let mut s = stream(0, 0, 0);
        assert_eq!(
            [s.next_u64(), s.next_u64(), s.next_u64()],
            [0xbabb_761a_c830_fe4a, 0x2b1a_bb54_7c60_bbab, 0x288c_5b4b_4f85_4695]
        );
        let mut s = stream(20_241_224, 7, key("supply:russia.dprk_152"));
        assert_eq!([s.next_u64(), s.next_u64()], [0xf63b_fc0d_eed6_c579, 0xdc34_580b_2914_5f11]);
        assert_eq!(Streams::new(1, 7, None).get(key("x")).next_u64(), 0x2ce5_1772_2148_7cf9);
        assert_eq!(subkey(key("fleet:russia.msta_s:barrels"), 0), 0xbfa5_48ac_19ae_f71f);
    }

    #[test]
    fn a_tape_logs_seeds_and_draws() {
        let tape: Tape = Rc::new(RefCell::new(Vec::new()));
        let s = Streams::new(3, 1, Some(tape.clone()));
        let st = s.get(key("a"));
        st.log(Draw::Exp);
        assert_eq!(*tape.borrow(), vec![Draw::Seed, Draw::Exp]);
    }
}
