//! Event-time clocks: daily counts of rare events drawn by the times of the
//! events instead of a variate a day ([`PoissonClock`]), so that a quiet day
//! costs a subtraction, not a variate.

use super::sample::{exp1, poisson_draw};
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
    }
}
