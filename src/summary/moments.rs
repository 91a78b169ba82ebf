//! Order-free moments: count, min, max and fixed-point sums.
//!
//! Every field is an integer or an exact min/max, so adding values and
//! merging partial states in any order gives bit-identical states.
//!
//! * NaN values are ignored entirely; they are only tallied in `nan`
//!   (a diagnostic, not part of `count`).
//! * `-0.0` is stored as `+0.0` (so min/max do not depend on order).
//! * `count` counts every non-NaN value, including ±inf and huge values.
//! * Each finite value with |x| < 2^46 is rounded to the nearest multiple of
//!   2^-16 (q = round(x · 2^16), ties away from zero, |q| <= 2^62) and summed
//!   exactly: `sum_q` (i128) and `sum_q2` (an exact 192-bit unsigned sum of
//!   q²; 2^64 values of 2^124 fit). The resolution is therefore 2^-16 ≈
//!   1.53e-5 per value: the mean is that of the rounded values (absolute error
//!   <= 2^-17 against the unrounded values), and so is the sd.
//! * ±inf values are tallied in `infinite`, finite values with |x| >= 2^46 in
//!   `overflow`; both count in `count`, `min` and `max` but not in the sums,
//!   and while either tally is non-zero `mean()` and `sd()` are NaN.
//!
//! `mean = sum_q / n · 2^-16`, from the exact integer quotient and remainder
//! (within ~1 ulp; exact when all values are equal). The variance is computed from exact integers:
//! `D = n · sum_q2 − sum_q²` in 256-bit arithmetic (exact, D >= 0), then
//! `var = D / (n (n−1)) · 2^-32` with three roundings (D to f64, n(n−1) to
//! f64, the division) and `sd = sqrt(var)`: a relative error of a few ulp of
//! the exact sample sd of the rounded values, whatever n and however large
//! the mean is against the spread (no cancellation).

/// Fractional bits of the fixed-point sums.
pub const SCALE_BITS: u32 = 16;
/// 2^16.
pub const SCALE: f64 = (1u64 << SCALE_BITS) as f64;
/// 2^-16: the resolution of every value in the sums.
pub const RESOLUTION: f64 = 1.0 / SCALE;
/// 2^46: finite values at least this large (in magnitude) are excluded from
/// the sums and tallied in `overflow`.
pub const OVERFLOW_LIMIT: f64 = (1u64 << 46) as f64;

/// Count, min, max and exact fixed-point sums of one cell.
#[derive(Clone, Debug, PartialEq)]
pub struct Moments {
    pub(crate) count: u64,
    pub(crate) nan: u64,
    pub(crate) infinite: u64,
    pub(crate) overflow: u64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) sum_q: i128,
    pub(crate) sum_q2_lo: u128,
    pub(crate) sum_q2_hi: u64,
}

impl Default for Moments {
    fn default() -> Self {
        Self::new()
    }
}

/// Round half away from zero, for |y| < 2^62; equal to `y.round() as i64`
/// without a libm call.
#[inline(always)]
pub(crate) fn round_i64(y: f64) -> i64 {
    let t = y as i64; // truncation toward zero
    let f = y - t as f64; // exact
    t + (f >= 0.5) as i64 - (f <= -0.5) as i64
}

impl Moments {
    pub const fn new() -> Self {
        Moments {
            count: 0,
            nan: 0,
            infinite: 0,
            overflow: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            sum_q: 0,
            sum_q2_lo: 0,
            sum_q2_hi: 0,
        }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_n(x, 1);
    }

    /// Add `x` `k` times (the state of `k` calls of [`Moments::add`]).
    #[inline]
    pub fn add_n(&mut self, x: f64, k: u64) {
        if x.is_nan() {
            self.nan += k;
            return;
        }
        let x = x + 0.0; // -0.0 -> +0.0
        self.count += k;
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
        if x.abs() < OVERFLOW_LIMIT {
            let q = round_i64(x * SCALE);
            self.sum_q += q as i128 * k as i128;
            let (lo, hi) = square_times(q.unsigned_abs(), k);
            let (lo, carry) = self.sum_q2_lo.overflowing_add(lo);
            self.sum_q2_lo = lo;
            self.sum_q2_hi += hi + carry as u64;
        } else if x.is_infinite() {
            self.infinite += k;
        } else {
            self.overflow += k;
        }
    }

    /// Whether [`Moments::merge`] keeps every count within 2^64 - 1.
    pub fn can_merge(&self, o: &Moments) -> bool {
        let (_, carry) = self.sum_q2_lo.overflowing_add(o.sum_q2_lo);
        self.count.checked_add(o.count).is_some()
            && self.nan.checked_add(o.nan).is_some()
            && self.infinite.checked_add(o.infinite).is_some()
            && self.overflow.checked_add(o.overflow).is_some()
            && self.sum_q.checked_add(o.sum_q).is_some()
            && self.sum_q2_hi.checked_add(o.sum_q2_hi).and_then(|h| h.checked_add(u64::from(carry))).is_some()
    }

    /// Add another state's counts and sums (check [`Moments::can_merge`] first:
    /// the counts are then within range, and so are the sketch's buckets, each
    /// at most its cell's count).
    pub fn merge(&mut self, o: &Moments) {
        self.count += o.count;
        self.nan += o.nan;
        self.infinite += o.infinite;
        self.overflow += o.overflow;
        if o.min < self.min {
            self.min = o.min;
        }
        if o.max > self.max {
            self.max = o.max;
        }
        self.sum_q += o.sum_q;
        let (lo, carry) = self.sum_q2_lo.overflowing_add(o.sum_q2_lo);
        self.sum_q2_lo = lo;
        self.sum_q2_hi += o.sum_q2_hi + carry as u64;
    }

    /// Non-NaN values added (including ±inf and overflowed values).
    pub fn count(&self) -> u64 {
        self.count
    }
    /// NaN values seen (and otherwise ignored).
    pub fn nan_count(&self) -> u64 {
        self.nan
    }
    /// ±inf values (in count/min/max, not in the sums).
    pub fn infinite_count(&self) -> u64 {
        self.infinite
    }
    /// Finite values with |x| >= 2^46 (in count/min/max, not in the sums).
    pub fn overflow_count(&self) -> u64 {
        self.overflow
    }
    /// Exact sum of q = round(x · 2^16).
    pub fn sum_q(&self) -> i128 {
        self.sum_q
    }
    /// Exact sum of q², as (low 128 bits, high 64 bits).
    pub fn sum_q2(&self) -> (u128, u64) {
        (self.sum_q2_lo, self.sum_q2_hi)
    }
    /// Smallest value; NaN when empty.
    pub fn min(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.min }
    }
    /// Largest value; NaN when empty.
    pub fn max(&self) -> f64 {
        if self.count == 0 { f64::NAN } else { self.max }
    }

    fn sums_valid(&self) -> bool {
        self.count > 0 && self.infinite == 0 && self.overflow == 0
    }

    /// Mean of the values rounded to multiples of 2^-16; NaN when empty or
    /// when any value was infinite or overflowed.
    pub fn mean(&self) -> f64 {
        if !self.sums_valid() {
            return f64::NAN;
        }
        // Integer quotient plus fractional remainder: exact for constant
        // values, otherwise within ~1 ulp.
        let n = self.count as i128;
        let (t, r) = (self.sum_q / n, self.sum_q % n);
        (t as f64 + r as f64 / n as f64) * RESOLUTION
    }

    /// Exact `n · sum_q2 − sum_q²` as 256-bit little-endian limbs; None when
    /// negative (impossible for states built by `add`/`merge`).
    pub(crate) fn scatter(&self) -> Option<[u64; 4]> {
        let s2 = [self.sum_q2_lo as u64, (self.sum_q2_lo >> 64) as u64, self.sum_q2_hi];
        let a = mul_192_64(s2, self.count);
        let b = square_128(self.sum_q.unsigned_abs());
        sub_256(a, b)
    }

    /// Sample variance (n − 1) of the rounded values; 0 for one value, NaN
    /// when empty or when any value was infinite or overflowed.
    pub fn variance(&self) -> f64 {
        if !self.sums_valid() {
            return f64::NAN;
        }
        if self.count == 1 {
            return 0.0;
        }
        let Some(d) = self.scatter() else { return f64::NAN };
        let n = self.count as u128;
        let den = (n * (n - 1)) as f64;
        u256_to_f64(d) / den * (RESOLUTION * RESOLUTION)
    }

    /// Sample standard deviation (n − 1); see `variance`.
    pub fn sd(&self) -> f64 {
        if !self.sums_valid() {
            return f64::NAN;
        }
        if self.count == 1 {
            return 0.0;
        }
        let Some(d) = self.scatter() else { return f64::NAN };
        let n = self.count as u128;
        let den = (n * (n - 1)) as f64;
        (u256_to_f64(d) / den).sqrt() * RESOLUTION
    }
}

/// `m² k` as a 192-bit number (low 128 bits, high 64 bits), for m < 2^62:
/// m² < 2^124, so m² k < 2^188. Adding it once equals adding m² k times.
#[inline(always)]
fn square_times(m: u64, k: u64) -> (u128, u64) {
    let m2 = m as u128 * m as u128;
    let (l, h) = (m2 as u64 as u128, m2 >> 64);
    let (lk, hk) = (l * k as u128, h * k as u128);
    let (lo, carry) = lk.overflowing_add(hk << 64);
    (lo, (hk >> 64) as u64 + carry as u64)
}

/// a (192 bits) · b (64 bits), exact.
fn mul_192_64(a: [u64; 3], b: u64) -> [u64; 4] {
    let mut r = [0u64; 4];
    let mut carry: u128 = 0;
    for i in 0..3 {
        let p = a[i] as u128 * b as u128 + carry;
        r[i] = p as u64;
        carry = p >> 64;
    }
    r[3] = carry as u64;
    r
}

/// a², exact.
fn square_128(a: u128) -> [u64; 4] {
    let x = [a as u64, (a >> 64) as u64];
    let mut r = [0u64; 4];
    for i in 0..2 {
        let mut carry: u128 = 0;
        for j in 0..2 {
            let p = x[i] as u128 * x[j] as u128 + r[i + j] as u128 + carry;
            r[i + j] = p as u64;
            carry = p >> 64;
        }
        r[i + 2] = carry as u64;
    }
    r
}

/// a − b, or None when b > a.
fn sub_256(a: [u64; 4], b: [u64; 4]) -> Option<[u64; 4]> {
    let mut r = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow as u64);
        r[i] = d2;
        borrow = b1 || b2;
    }
    if borrow { None } else { Some(r) }
}

/// A 256-bit unsigned integer to the nearest f64 (one rounding).
fn u256_to_f64(w: [u64; 4]) -> f64 {
    let lo = w[0] as u128 | (w[1] as u128) << 64;
    let hi = w[2] as u128 | (w[3] as u128) << 64;
    if hi == 0 {
        return lo as f64; // correctly rounded
    }
    let lz = hi.leading_zeros();
    // Keep the top 128 bits; fold the rest into a sticky bit far below the
    // 53-bit mantissa so that the u128 -> f64 rounding stays correct.
    let (top, rest) = if lz == 0 { (hi, lo) } else { ((hi << lz) | (lo >> (128 - lz)), lo << lz) };
    let top = top | (rest != 0) as u128;
    let e = 128 - lz as i32; // value = top · 2^e
    top as f64 * f64::from_bits(((1023 + e) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::Xoshiro256PlusPlus;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn summary_round_matches_std() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(5);
        for _ in 0..200_000 {
            let e: i32 = rng.random_range(-30..62);
            let m: f64 = rng.random_range(-1.0..1.0);
            let y = m * 2f64.powi(e);
            assert_eq!(round_i64(y), y.round() as i64, "{y}");
            let h = (rng.random_range(-1_000_000i64..1_000_000) as f64) + 0.5;
            assert_eq!(round_i64(h), h.round() as i64, "{h}");
        }
        assert_eq!(round_i64(0.49999999999999994), 0);
        assert_eq!(round_i64(-0.5), -1);
        assert_eq!(round_i64(2.5), 3);
    }

    #[test]
    fn summary_u256_helpers() {
        let a = u128::MAX;
        let sq = square_128(a);
        // (2^128-1)^2 = 2^256 - 2^129 + 1
        assert_eq!(sq, [1, 0, u64::MAX - 1, u64::MAX]);
        assert_eq!(mul_192_64([u64::MAX; 3], u64::MAX), [1, u64::MAX, u64::MAX, u64::MAX - 1]);
        assert_eq!(sub_256([0, 0, 1, 0], [1, 0, 0, 0]), Some([u64::MAX, u64::MAX, 0, 0]));
        assert_eq!(sub_256([0, 0, 0, 0], [1, 0, 0, 0]), None);
        assert_eq!(u256_to_f64([0, 0, 1, 0]), 2f64.powi(128));
        assert_eq!(u256_to_f64([0, 0, 0, 1 << 63]), 2f64.powi(255));
        assert_eq!(u256_to_f64([u64::MAX; 4]), 2f64.powi(256));
        // 2^128 + 2^75 + 1: round-to-nearest must see the sticky 1.
        let v = u256_to_f64([1, 1 << 11, 1, 0]);
        assert_eq!(v, 2f64.powi(128) + 2f64.powi(76));
        assert_eq!(u256_to_f64([0, 1 << 11, 1, 0]), 2f64.powi(128));
    }

    #[test]
    fn summary_square_times_is_k_additions() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let top = (1u64 << 62) - 1;
        for i in 0..20_000 {
            let m = match i % 3 {
                0 => rng.random_range(0..=top),
                1 => top - rng.random_range(0..1000),
                _ => rng.random_range(0..1u64 << 20),
            };
            let k = if i % 2 == 0 { rng.random_range(1..200) } else { rng.random_range(1..4) };
            let (mut lo, mut hi) = (0u128, 0u64);
            let m2 = m as u128 * m as u128;
            for _ in 0..k {
                let (l, c) = lo.overflowing_add(m2);
                lo = l;
                hi += c as u64;
            }
            assert_eq!(square_times(m, k), (lo, hi), "m {m} k {k}");
        }
        assert_eq!(square_times(top, 0), (0, 0));
        // (2^62 - 1)^2 (2^64 - 1) < 2^188: the high word holds it.
        let (lo, hi) = square_times(top, u64::MAX);
        assert!(hi > 0 && hi < 1 << 60 && lo > 0);
    }

    #[test]
    fn summary_moments_wide_sums() {
        // q close to 2^62: sum_q2 overflows 128 bits after a few values.
        let x = OVERFLOW_LIMIT - 1.0;
        let mut m = Moments::new();
        for _ in 0..1000 {
            m.add(x);
        }
        assert!(m.sum_q2_hi > 0);
        assert_eq!(m.mean(), x);
        assert_eq!(m.sd(), 0.0);
        m.add(-x);
        let n = 1001.0;
        let mean = 999.0 * x / n;
        assert!((m.mean() - mean).abs() <= 1e-14 * mean);
        let var = (1000.0 * (x - mean).powi(2) + (x + mean).powi(2)) / (n - 1.0);
        assert!((m.sd() - var.sqrt()).abs() <= 1e-12 * var.sqrt());
    }

    #[test]
    fn summary_moments_special_values() {
        let mut m = Moments::new();
        assert!(m.mean().is_nan() && m.sd().is_nan() && m.min().is_nan() && m.max().is_nan());
        m.add(f64::NAN);
        assert_eq!(m.count(), 0);
        assert_eq!(m.nan_count(), 1);
        m.add(-0.0);
        assert_eq!(m.min().to_bits(), 0.0f64.to_bits());
        assert_eq!(m.mean(), 0.0);
        assert_eq!(m.sd(), 0.0);
        m.add(3.0);
        assert_eq!(m.mean(), 1.5);
        m.add(f64::INFINITY);
        assert_eq!(m.count(), 3);
        assert!(m.mean().is_nan() && m.sd().is_nan());
        assert_eq!(m.max(), f64::INFINITY);
        let mut o = Moments::new();
        o.add(1e15);
        assert_eq!(o.overflow_count(), 1);
        assert!(o.mean().is_nan());
        assert_eq!(o.max(), 1e15);
    }
}
