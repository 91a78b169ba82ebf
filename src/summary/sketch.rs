//! A mergeable log-bucket quantile sketch (DDSketch-style).
//!
//! A value x with |x| >= `ZERO_THRESHOLD` goes to bucket
//! `i = ceil(ln|x| / ln γ)`, the interval (γ^(i−1), γ^i], of the positive or
//! the negative (mirrored) store; |x| < 1e-9 (including ±0) goes to the zero
//! count, ±inf to their own counts, NaN is ignored. A bucket's representative
//! `2 γ^i / (γ + 1)` is within a relative `α = (γ−1)/(γ+1)` of every value of
//! the bucket.
//!
//! γ is built from `α = RELATIVE_ACCURACY · (1 − 1e-8)`: the 1e-10 guard
//! absorbs the rounding of `ln`, the division and `exp` near bucket
//! boundaries (< 1e-12), so the 1 % bound holds strictly.
//!
//! Counts are integers aligned by bucket index, so adds and merges commute
//! exactly. Each store is a dense `Vec<u64>` with an index offset that grows
//! at either end (with some slack); its logical content — the span from the
//! first to the last non-zero bucket — is what `==` compares and what is
//! serialised, so the state does not depend on the growth history.
//! Indices are bounded (`MIN_INDEX..=MAX_INDEX`, from 1e-9 to f64::MAX), so a
//! store never exceeds ~36.5k buckets (~290 KB), even for values spanning
//! 300 decades; values of one series on one day usually need tens of buckets.
use super::RELATIVE_ACCURACY;

/// |x| below this counts as zero.
pub const ZERO_THRESHOLD: f64 = 1e-9;
/// The accuracy the mapping is built for (a hair under `RELATIVE_ACCURACY`).
pub const ALPHA: f64 = RELATIVE_ACCURACY * (1.0 - 1e-8);
/// γ = (1 + α) / (1 − α).
pub const GAMMA: f64 = (1.0 + ALPHA) / (1.0 - ALPHA);
/// ln γ (checked against `GAMMA.ln()` by a test).
pub const LN_GAMMA: f64 = 0.020000666506649473;
const INV_LN_GAMMA: f64 = 1.0 / LN_GAMMA;
/// ln(2 / (γ + 1)) (checked by a test): representative = exp(i ln γ + this),
/// which stays finite up to the bucket of f64::MAX.
const LN_REP_FACTOR: f64 = -0.010050335752491228;
/// Bounds of the bucket indices (index(1e-9) = -1036, index(f64::MAX) = 35488).
pub const MIN_INDEX: i32 = -1040;
pub const MAX_INDEX: i32 = 35500;

/// Buckets allocated for the first value of a store.
const INITIAL_BUCKETS: i32 = 32;
/// Minimum slack added when a store grows.
const MIN_SLACK: i32 = 16;

/// The bucket of a finite |x| >= ZERO_THRESHOLD: `ceil(ln a / ln γ)` with
/// the platform's `ln` (the mapping of the binary format). [`index_fast`]
/// gives the same bucket without calling `ln` for all but about one value in
/// a million.
#[inline]
pub fn index(a: f64) -> i32 {
    let y = a.ln() * INV_LN_GAMMA;
    let t = y as i32; // truncation toward zero; |y| < 36000
    t + ((t as f64) < y) as i32 // ceil
}

/// How close (in buckets) `ln a / ln γ` may come to a whole number before
/// [`index_fast`] asks `ln` itself. The series below is within 2e-11 of
/// `ln m` and the rounding of the rest adds under 1e-11 buckets (|y| < 36000,
/// an ulp of which is 7e-12); the platform's `ln` is within an ulp: 1e-7 is
/// four orders of magnitude above both, so away from a boundary both land
/// on the same side of it.
const GUARD: f64 = 1e-7;

/// [`index`] without a logarithm call: `a = 2^e m` with m in
/// [√½, √2), `ln m = 2 atanh(s)`, s = (m − 1)/(m + 1), |s| <= 0.1716, by its
/// series to s^11 (the next term is below 2e-11). When the result lies
/// within [`GUARD`] of a bucket boundary, the boundary is settled by
/// [`index`], so the bucket is always the definition's.
#[inline(always)]
pub fn index_fast(a: f64) -> i32 {
    // a >= 1e-9 is normal: the exponent field is the binary exponent.
    let bits = a.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let mut m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let p = 1.0 + z * (1.0 / 3.0 + z * (1.0 / 5.0 + z * (1.0 / 7.0 + z * (1.0 / 9.0 + z * (1.0 / 11.0)))));
    let y = (e as f64 * std::f64::consts::LN_2 + 2.0 * s * p) * INV_LN_GAMMA;
    let t = y as i32; // truncation toward zero; |y| < 36000
    let d = (y - t as f64).abs(); // exact; in [0, 1)
    if d > GUARD && d < 1.0 - GUARD { t + ((t as f64) < y) as i32 } else { index(a) }
}

/// The representative value of bucket `i`.
#[inline]
pub fn representative(i: i32) -> f64 {
    (i as f64 * LN_GAMMA + LN_REP_FACTOR).exp()
}

/// Dense bucket counts starting at index `offset`.
#[derive(Clone, Debug, Default)]
pub struct Store {
    offset: i32,
    counts: Vec<u64>,
}

impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        self.span() == other.span()
    }
}

impl Store {
    pub const fn new() -> Self {
        Store { offset: 0, counts: Vec::new() }
    }

    #[inline(always)]
    pub fn add(&mut self, i: i32) {
        self.add_n(i, 1);
    }

    /// Add `n` to bucket `i`.
    #[inline(always)]
    pub fn add_n(&mut self, i: i32, n: u64) {
        let k = i.wrapping_sub(self.offset) as u32 as usize;
        if let Some(c) = self.counts.get_mut(k) {
            *c += n;
        } else {
            self.add_slow(i, n);
        }
    }

    #[cold]
    #[inline(never)]
    fn add_slow(&mut self, i: i32, n: u64) {
        let (lo, hi) = if self.counts.is_empty() {
            let lo = (i - INITIAL_BUCKETS / 2).max(MIN_INDEX);
            (lo, (lo + INITIAL_BUCKETS - 1).min(MAX_INDEX).max(i))
        } else {
            let (cur_lo, cur_hi) = (self.offset, self.offset + self.counts.len() as i32 - 1);
            let slack = MIN_SLACK.max(self.counts.len() as i32 / 4);
            if i < cur_lo { ((i - slack).max(MIN_INDEX), cur_hi) } else { (cur_lo, (i + slack).min(MAX_INDEX)) }
        };
        self.cover(lo, hi);
        self.counts[(i - self.offset) as usize] += n;
    }

    /// Make the buffer cover indices lo..=hi (and what it covers already).
    fn cover(&mut self, lo: i32, hi: i32) {
        if self.counts.is_empty() {
            self.offset = lo;
            self.counts = vec![0; (hi - lo + 1) as usize];
            return;
        }
        let (cur_lo, cur_hi) = (self.offset, self.offset + self.counts.len() as i32 - 1);
        let (lo, hi) = (lo.min(cur_lo), hi.max(cur_hi));
        if lo == cur_lo && hi == cur_hi {
            return;
        }
        let mut v = vec![0u64; (hi - lo + 1) as usize];
        let at = (cur_lo - lo) as usize;
        v[at..at + self.counts.len()].copy_from_slice(&self.counts);
        self.offset = lo;
        self.counts = v;
    }

    /// The first non-zero bucket's index and the counts up to the last
    /// non-zero bucket; None when empty.
    pub fn span(&self) -> Option<(i32, &[u64])> {
        let first = self.counts.iter().position(|&c| c != 0)?;
        let last = self.counts.iter().rposition(|&c| c != 0)?;
        Some((self.offset + first as i32, &self.counts[first..=last]))
    }

    /// Build a store from a span (used by deserialisation, which validates).
    pub(crate) fn from_span(offset: i32, counts: Vec<u64>) -> Self {
        Store { offset, counts }
    }

    pub fn merge(&mut self, other: &Store) {
        let Some((olo, oc)) = other.span() else { return };
        let ohi = olo + oc.len() as i32 - 1;
        self.cover(olo, ohi);
        let at = (olo - self.offset) as usize;
        for (a, b) in self.counts[at..at + oc.len()].iter_mut().zip(oc) {
            *a += b;
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.counts.capacity() * size_of::<u64>()
    }
}

/// Positive and negative stores plus zero and ±inf counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sketch {
    pub(crate) pos: Store,
    pub(crate) neg: Store,
    pub(crate) zero: u64,
    pub(crate) neg_inf: u64,
    pub(crate) pos_inf: u64,
}

impl Sketch {
    pub const fn new() -> Self {
        Sketch { pos: Store::new(), neg: Store::new(), zero: 0, neg_inf: 0, pos_inf: 0 }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_n(x, 1);
    }

    /// Add `x` `n` times.
    #[inline]
    pub fn add_n(&mut self, x: f64, n: u64) {
        let a = x.abs();
        if a < ZERO_THRESHOLD {
            self.zero += n;
        } else if a < f64::INFINITY {
            let i = index_fast(a);
            if x > 0.0 { self.pos.add_n(i, n) } else { self.neg.add_n(i, n) }
        } else if x == f64::INFINITY {
            self.pos_inf += n;
        } else if x == f64::NEG_INFINITY {
            self.neg_inf += n;
        } // NaN: ignored
    }

    pub fn merge(&mut self, o: &Sketch) {
        self.pos.merge(&o.pos);
        self.neg.merge(&o.neg);
        self.zero += o.zero;
        self.neg_inf += o.neg_inf;
        self.pos_inf += o.pos_inf;
    }

    /// Values held (NaN excluded).
    pub fn count(&self) -> u64 {
        self.zero + self.neg_inf + self.pos_inf + self.pos.total() + self.neg.total()
    }

    pub fn zero_count(&self) -> u64 {
        self.zero
    }
    /// (−inf count, +inf count).
    pub fn infinite_counts(&self) -> (u64, u64) {
        (self.neg_inf, self.pos_inf)
    }
    pub fn positive(&self) -> &Store {
        &self.pos
    }
    pub fn negative(&self) -> &Store {
        &self.neg
    }

    /// The q-quantile by the inverted empirical distribution function: the
    /// first value (in ascending order) whose cumulative count reaches
    /// `q · count` (at least one value: q = 0 gives the smallest), as its
    /// bucket's representative (0 for the zero bucket, ±inf for infinities).
    /// With the values sorted, that is `x[ceil(q n)]` counting from 1, the
    /// rule numpy calls `inverted_cdf`, computed with the same floating-point
    /// product `q n`. Not clamped to [min, max] (`Cell::quantile` does that).
    /// NaN when empty or q is outside [0, 1].
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 || !(0.0..=1.0).contains(&q) {
            return f64::NAN;
        }
        // cum >= ceil(q n) <=> cum >= q n for a whole cum; at least the first value.
        let reach = (q * n as f64).max(1.0);
        let mut cum: u64 = self.neg_inf;
        if cum as f64 >= reach {
            return f64::NEG_INFINITY;
        }
        if let Some((lo, c)) = self.neg.span() {
            for (k, &v) in c.iter().enumerate().rev() {
                cum += v;
                if cum as f64 >= reach {
                    return -representative(lo + k as i32);
                }
            }
        }
        cum += self.zero;
        if cum as f64 >= reach {
            return 0.0;
        }
        if let Some((lo, c)) = self.pos.span() {
            for (k, &v) in c.iter().enumerate() {
                cum += v;
                if cum as f64 >= reach {
                    return representative(lo + k as i32);
                }
            }
        }
        f64::INFINITY
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.pos.heap_bytes() + self.neg.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn summary_mapping_constants() {
        let g = GAMMA.ln();
        assert!((g - LN_GAMMA).abs() <= 2.0 * f64::EPSILON * g, "{g:?}");
        assert!(index(ZERO_THRESHOLD) >= MIN_INDEX);
        assert!(index(f64::MAX) <= MAX_INDEX);
        assert!(index(f64::MAX) > MAX_INDEX - 100);
        assert!(index(ZERO_THRESHOLD) < MIN_INDEX + 10);
        assert_eq!(index(1.0), 0);
        let f = (2.0 / (GAMMA + 1.0)).ln();
        assert!((f - LN_REP_FACTOR).abs() <= 2.0 * f64::EPSILON * f.abs(), "{f:?}");
        assert!(representative(index(f64::MAX)).is_finite());
        assert!(representative(index(f64::MAX)) <= f64::MAX);
    }

    #[test]
    fn summary_bucket_accuracy() {
        // Every value is within RELATIVE_ACCURACY of its bucket's representative,
        // including values right at (and a few ulp around) bucket boundaries.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
        let check = |x: f64| {
            let r = representative(index(x));
            assert!((r - x).abs() <= RELATIVE_ACCURACY * x, "x={x:e} r={r:e}");
        };
        for _ in 0..200_000 {
            let e: f64 = rng.random_range(-20.0..700.0);
            check(e.exp());
        }
        for i in MIN_INDEX + 5..=index(f64::MAX) {
            let b = (i as f64 * LN_GAMMA).exp();
            let mut x = b.min(f64::MAX);
            for _ in 0..4 {
                x = x.next_down();
            }
            for _ in 0..8 {
                if x.is_finite() {
                    check(x);
                }
                x = x.next_up();
            }
        }
    }

    #[test]
    fn summary_fast_index_is_the_definition() {
        // Random values over the whole range, and every bucket boundary with
        // the few values either side of it, where the guard sends the index to `ln`.
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(12);
        for _ in 0..1_000_000 {
            let e: f64 = rng.random_range(-20.7..709.7);
            let x = e.exp();
            assert_eq!(index_fast(x), index(x), "x={x:e}");
        }
        for x in [ZERO_THRESHOLD, 1.0, 2.0, std::f64::consts::SQRT_2, f64::MAX, f64::MAX.next_down()] {
            assert_eq!(index_fast(x), index(x), "x={x:e}");
        }
        for i in MIN_INDEX + 5..=index(f64::MAX) {
            let mut x = (i as f64 * LN_GAMMA).exp().min(f64::MAX);
            for _ in 0..8 {
                x = x.next_down();
            }
            for _ in 0..16 {
                if x.is_finite() && x >= ZERO_THRESHOLD {
                    assert_eq!(index_fast(x), index(x), "x={x:e}");
                }
                x = x.next_up();
            }
        }
        // Whole numbers, the values most series hold.
        for k in 1..200_000u32 {
            let x = f64::from(k);
            assert_eq!(index_fast(x), index(x), "x={x}");
        }
    }

    #[test]
    fn summary_store_growth_is_invisible() {
        let mut a = Store::new();
        let mut b = Store::new();
        for i in [5, 100, -300, 7, 2000, 5] {
            a.add(i);
        }
        for i in [2000, -300, 5, 5, 7, 100] {
            b.add(i);
        }
        assert_eq!(a, b);
        assert_ne!(a.counts.len(), b.counts.len());
        assert_eq!(a.total(), 6);
    }
}
