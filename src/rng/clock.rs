//! Event-time clocks: daily counts of rare events drawn by the times of the
//! events instead of a variate a day ([`PoissonClock`], [`HazardClock`]), so
//! that a quiet day costs a subtraction, not a variate.
use rand::RngExt;

use super::sample::{binomial_draw, exp1, poisson_draw, positive};
use super::{Draw, Source};

/// Largest daily mean a clock draws by event times; above it a day's count is
/// drawn directly. Both ways are exact, and switching between them on any day
/// is too: the clock's pending gap is an Exp(1) independent of everything
/// drawn before (memorylessness), and a day drawn directly leaves it unused.
/// At 2 an event costs about a third of a small-mean Poisson variate (an
/// exponential from the ziggurat against an `exp` and a uniform).
pub const CLOCK_MAX_MEAN: f64 = 2.0;

/// Daily counts of a Poisson process whose mean on day t is mu_t (known at
/// the start of the day): the counts are independent Poisson(mu_t), drawn by
/// the event times of a unit-rate Poisson process on the cumulative mean.
/// The clock keeps the gap, in units of mean, to the next event, so a day
/// without an event costs a comparison and no variate, and a process with
/// mean 0.1 a day draws one exponential every ten days on average.
///
/// A tape logs one `Draw::Clock` per day: the day's count is the variate
/// (the benchmarks' random-number floor replays it through a clock).
#[derive(Debug, Clone, Copy)]
pub struct PoissonClock {
    /// Mean left until the next event; NaN before the first draw.
    gap: f64,
}

impl Default for PoissonClock {
    fn default() -> Self {
        PoissonClock { gap: f64::NAN }
    }
}

impl PoissonClock {
    /// Count for a day with mean `mu` (0 when `mu` <= 0 or not finite).
    #[inline]
    pub fn count<R: Source + ?Sized>(&mut self, rng: &mut R, mu: f64) -> f64 {
        if !(mu > 0.0 && mu.is_finite()) {
            return 0.0;
        }
        rng.log(Draw::Clock(mu));
        if mu > CLOCK_MAX_MEAN {
            return poisson_draw(rng, mu);
        }
        let mut gap = if self.gap.is_nan() { exp1(rng) } else { self.gap };
        let mut left = mu;
        let mut k = 0.0;
        while gap <= left {
            left -= gap;
            k += 1.0;
            gap = exp1(rng);
        }
        self.gap = gap - left;
        k
    }
}

/// Daily Binomial(n_t, p_t) counts of rare events (a fleet's combat losses),
/// drawn by a hazard clock: P(no event on day t) = (1 - p_t)^n_t = exp(-H_t)
/// with H_t = -n_t log(1 - p_t), so the first day with an event is the day
/// the cumulative hazard passes an Exp(1) gap. On that day the count is drawn
/// from the binomial conditioned on at least one event, and a fresh gap
/// starts. Exact for any n_t and p_t known at the start of each day; days
/// with a mean n_t p_t above [`CLOCK_MAX_MEAN`] (or p_t > 1/2) are drawn
/// directly. A tape logs one `Draw::Hazard` per day.
#[derive(Debug, Clone, Copy)]
pub struct HazardClock {
    /// Hazard left until the next event day; NaN before the first draw.
    gap: f64,
}

impl Default for HazardClock {
    fn default() -> Self {
        HazardClock { gap: f64::NAN }
    }
}

impl HazardClock {
    /// Count for a day of `n` trials (rounded down) with probability `p`.
    #[inline]
    pub fn binomial<R: Source + ?Sized>(&mut self, rng: &mut R, n: f64, p: f64) -> f64 {
        let n = n.max(0.0) as u64;
        if n == 0 || !positive(p) {
            return 0.0;
        }
        let nf = n as f64;
        rng.log(Draw::Hazard(nf, p));
        if p >= 1.0 {
            return nf;
        }
        if p > 0.5 || nf * p > CLOCK_MAX_MEAN {
            return binomial_draw(rng, n, p);
        }
        let h = -nf * (-p).ln_1p();
        let gap = if self.gap.is_nan() { exp1(rng) } else { self.gap };
        if gap > h {
            self.gap = gap - h;
            return 0.0;
        }
        self.gap = f64::NAN;
        binomial_at_least_one(rng, n, p, h) as f64
    }
}

/// Binomial(n, p) conditioned on being at least 1, for p <= 1/2, by inversion
/// of the conditional CDF; `h` = -n log(1 - p), so P(0) = exp(-h).
pub fn binomial_at_least_one<R: Source + ?Sized>(rng: &mut R, n: u64, p: f64, h: f64) -> u64 {
    let r = p / (1.0 - p);
    // P(k = 1) and a uniform over the mass of k >= 1.
    let mut f = (-h).exp() * n as f64 * r;
    let mut u = -(-h).exp_m1() * rng.random::<f64>();
    let mut k = 1u64;
    loop {
        if u < f || k >= n {
            return k;
        }
        u -= f;
        k += 1;
        f *= r * (n - k + 1) as f64 / k as f64;
        if f <= 0.0 {
            // The remaining mass underflowed: rounding left u above the total.
            return k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, key, stream};

    fn rng(name: &str) -> Stream {
        stream(20_241_224, 3, key(&format!("test:{name}")))
    }

    /// Literal daily counts at a fixed seed (see `sample::tests`).
    #[test]
    fn published_counts_are_stable() {
        let g = &mut rng("poisson_clock");
        let mut c = PoissonClock::default();
        let days: Vec<f64> = (0..10).map(|_| c.count(g, 0.3)).collect();
        assert_eq!(days, [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
        // a mean above CLOCK_MAX_MEAN is drawn directly, then the clock goes on
        assert_eq!([c.count(g, 5.0), c.count(g, 1.5)], [2.0, 1.0]);
        let g = &mut rng("hazard_clock");
        let mut h = HazardClock::default();
        let days: Vec<f64> = (0..10).map(|_| h.binomial(g, 100.0, 0.004)).collect();
        assert_eq!(days, [0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0]);
        assert_eq!([h.binomial(g, 100.0, 0.05), h.binomial(g, 100.0, 0.7)], [4.0, 77.0]);
        let g = &mut rng("at_least_one");
        let h = -50.0 * (-0.05f64).ln_1p();
        let k: Vec<u64> = (0..4).map(|_| binomial_at_least_one(g, 50, 0.05, h)).collect();
        assert_eq!(k, [5, 2, 2, 2]);
    }
}
