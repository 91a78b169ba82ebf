//! Samplers for the daily process noise, over rand_distr, with the
//! degenerate cases (zero rate, zero trials, p = 0 or 1) handled up front.
use rand::RngExt;
use rand_distr::{Binomial, Distribution, Gamma, Poisson, StandardNormal};

use super::rng::{Draw, Source};

#[inline]
pub fn poisson<R: Source + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    if lambda > 0.0 && lambda.is_finite() {
        rng.log(Draw::Poisson(lambda));
        Poisson::new(lambda).map(|d| d.sample(rng)).unwrap_or(0.0)
    } else {
        0.0
    }
}

/// Binomial(n, p) for a count `n` (rounded down). Small means (n min(p, 1-p) < 10)
/// are drawn by inversion of the CDF with one uniform, which skips rand_distr's
/// per-draw setup (a `powf`) that dominates when n and p change every day;
/// larger ones use rand_distr's BTPE.
#[inline]
pub fn binomial<R: Source + ?Sized>(rng: &mut R, n: f64, p: f64) -> f64 {
    let n = n.max(0.0) as u64;
    if n == 0 || !(p > 0.0) {
        0.0
    } else if p >= 1.0 {
        n as f64
    } else {
        rng.log(Draw::Binomial(n as f64, p));
        binomial_draw(rng, n, p)
    }
}

fn binomial_draw<R: Source + ?Sized>(rng: &mut R, n: u64, p: f64) -> f64 {
    if p > 0.5 {
        n as f64 - binomial_draw(rng, n, 1.0 - p)
    } else if (n as f64) * p < 10.0 {
        binomial_inversion(rng, n, p) as f64
    } else {
        Binomial::new(n, p).map(|d| d.sample(rng) as f64).unwrap_or(0.0)
    }
}

/// Inversion for p <= 1/2 and a small mean: walk the pmf from 0 with the
/// recurrence f(k) = f(k-1) (n-k+1)/k p/(1-p).
fn binomial_inversion<R: Source + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    let r = p / (1.0 - p);
    let mut f = ((n as f64) * (-p).ln_1p()).exp();
    let mut u: f64 = rng.random();
    let mut k = 0u64;
    loop {
        if u < f {
            return k;
        }
        u -= f;
        k += 1;
        if k >= n {
            return n;
        }
        f *= r * (n - k + 1) as f64 / k as f64;
        if f <= 0.0 {
            // The remaining mass underflowed: rounding left u above the total.
            return k;
        }
    }
}

/// Gamma with the given mean and coefficient of variation; the mean itself when cv = 0.
#[inline]
pub fn gamma_mean_cv<R: Source + ?Sized>(rng: &mut R, mean: f64, cv: f64) -> f64 {
    if !(mean > 0.0) {
        0.0
    } else if !(cv > 0.0) {
        mean
    } else {
        rng.log(Draw::Gamma(mean, cv));
        let shape = 1.0 / (cv * cv);
        Gamma::new(shape, mean / shape).map(|d| d.sample(rng)).unwrap_or(mean)
    }
}

/// Negative binomial with mean `mean` and dispersion `k` (variance mean + mean^2/k),
/// as a Gamma-Poisson mixture; Poisson when `k` is None.
#[inline]
pub fn neg_binomial<R: Source + ?Sized>(rng: &mut R, mean: f64, k: Option<f64>) -> f64 {
    if !(mean > 0.0) {
        return 0.0;
    }
    match k {
        None => poisson(rng, mean),
        Some(k) => {
            rng.log(Draw::NegBinomial(mean, k));
            let lambda = Gamma::new(k, mean / k).map(|d| d.sample(rng)).unwrap_or(mean);
            if lambda > 0.0 && lambda.is_finite() {
                Poisson::new(lambda).map(|d| d.sample(rng)).unwrap_or(0.0)
            } else {
                0.0
            }
        }
    }
}

/// A Weibull(scale, shape) life conditional on exceeding `age` (by inversion).
#[inline]
pub fn weibull_residual_life<R: Source + ?Sized>(rng: &mut R, scale: f64, shape: f64, age: f64) -> f64 {
    rng.log(Draw::Weibull(scale, shape, age));
    let u = 1.0 - rng.random::<f64>(); // (0, 1]
    let base = (age / scale).powf(shape);
    scale * (base - u.ln()).powf(1.0 / shape)
}

/// Uniform index in 0..n (n > 0).
#[inline]
pub fn index<R: Source + ?Sized>(rng: &mut R, n: usize) -> usize {
    rng.log(Draw::Index(n));
    rng.random_range(0..n)
}

/// Uniform on [0, 1).
#[inline]
pub fn unit<R: Source + ?Sized>(rng: &mut R) -> f64 {
    rng.log(Draw::Unit);
    rng.random::<f64>()
}

/// Standard normal.
#[inline]
pub fn normal<R: Source + ?Sized>(rng: &mut R) -> f64 {
    rng.log(Draw::Normal);
    rng.sample(StandardNormal)
}
