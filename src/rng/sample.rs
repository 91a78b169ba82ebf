//! Samplers for the daily process noise, with the degenerate cases (zero
//! rate, zero trials, p = 0 or 1) handled up front.
//!
//! The parameters of most daily draws change every day, so a sampler's setup
//! cost is paid on every draw. Two exact methods with cheap setups are
//! therefore written here: inversion by sequential search for Poisson and
//! binomial variates with small means, and Hormann's BTRS (transformed
//! rejection with squeeze, 1993) for binomials with n p >= 10. Poisson means
//! from 12 use rand_distr's Ahrens-Dieter (normal-based, mostly one normal
//! and no logarithm), gammas its Marsaglia-Tsang, exponentials its ziggurat.
//! All are exact; `tests/distributions.rs` checks each against its
//! distribution.
//!
//! Rare daily events are drawn by event times instead of daily counts (see
//! [`super::clock`]).
use rand::RngExt;
use rand_distr::{Distribution, Exp1, Gamma, Poisson, StandardNormal};

use super::{Draw, Source};

/// x > 0, and false for NaN: the samplers' guard against degenerate parameters.
#[inline]
pub(super) fn positive(x: f64) -> bool {
    x > 0.0
}

/// Poisson(lambda); 0 for lambda <= 0 or not finite.
#[inline]
pub fn poisson<R: Source + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    if lambda > 0.0 && lambda.is_finite() {
        rng.log(Draw::Poisson(lambda));
        poisson_draw(rng, lambda)
    } else {
        0.0
    }
}

/// Above this mean a Poisson variate is drawn as round(N(lambda, lambda)):
/// its relative error is below 1e-7 there, far under any count's meaning,
/// and rand_distr refuses means above about 1.8e19.
pub(crate) const POISSON_NORMAL_ABOVE: f64 = 1e15;

#[inline]
pub(super) fn poisson_draw<R: Source + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    if lambda < 12.0 {
        poisson_inversion(rng, lambda)
    } else if lambda <= POISSON_NORMAL_ABOVE {
        Poisson::new(lambda).map(|d| d.sample(rng)).unwrap_or(lambda)
    } else {
        let z: f64 = rng.sample(StandardNormal);
        (lambda + lambda.sqrt() * z).round().max(0.0)
    }
}

/// Inversion by sequential search from 0: one uniform and about lambda steps.
fn poisson_inversion<R: Source + ?Sized>(rng: &mut R, lambda: f64) -> f64 {
    let mut f = (-lambda).exp();
    let mut u: f64 = rng.random();
    let mut k = 0.0;
    loop {
        if u < f {
            return k;
        }
        u -= f;
        k += 1.0;
        f *= lambda / k;
        if f <= 0.0 {
            // The remaining mass underflowed: rounding left u above the total.
            return k;
        }
    }
}

/// Binomial(n, p) for a count `n` (rounded down). Small means (n min(p, 1-p) < 10)
/// are drawn by inversion of the CDF with one uniform, larger ones by BTRS.
#[inline]
pub fn binomial<R: Source + ?Sized>(rng: &mut R, n: f64, p: f64) -> f64 {
    let n = n.max(0.0) as u64;
    if n == 0 || !positive(p) {
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
        binomial_btrs(rng, n, p) as f64
    }
}

/// log(k!) - [(k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2]: the tail of Stirling's series.
fn stirling_tail(k: f64) -> f64 {
    const TAIL: [f64; 10] = [
        0.081_061_466_795_327_2,
        0.041_340_695_955_409_2,
        0.027_677_925_684_998_3,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_1,
        0.013_876_128_823_070_7,
        0.011_896_709_945_891_7,
        0.010_411_265_261_972_0,
        0.009_255_462_182_712_73,
        0.008_330_563_433_362_87,
    ];
    if k <= 9.0 {
        TAIL[k as usize]
    } else {
        let y = 1.0 / (k + 1.0);
        let y2 = y * y;
        (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 * y2) * y2) * y
    }
}

/// Hormann's BTRS for n p >= 10 and p <= 1/2: a transformed-rejection sampler
/// whose setup is a square root and a few products; about 1.15 uniform pairs
/// per variate, most accepted by the squeeze without a logarithm.
fn binomial_btrs<R: Source + ?Sized>(rng: &mut R, n: u64, p: f64) -> u64 {
    let nf = n as f64;
    let q = 1.0 - p;
    let spq = (nf * p * q).sqrt();
    let b = 1.15 + 2.53 * spq;
    let inv_b = 1.0 / b;
    let a = -0.0873 + 0.0248 * b + 0.01 * p;
    let c = nf * p + 0.5;
    let v_r = 0.92 - 4.2 * inv_b;
    let two_a = 2.0 * a;
    loop {
        let u = rng.random::<f64>() - 0.5;
        let v: f64 = rng.random();
        let us = 0.5 - u.abs();
        let k = floor((two_a / us + b) * u + c);
        if k < 0.0 || k > nf {
            continue;
        }
        if us >= 0.07 && v <= v_r {
            return k as u64;
        }
        let r = p / q;
        let m = floor((nf + 1.0) * p);
        let alpha = (2.83 + 5.1 * inv_b) * spq;
        let v = (v * alpha / (a / (us * us) + b)).ln();
        let bound = (m + 0.5) * ((m + 1.0) / (r * (nf - m + 1.0))).ln()
            + (nf + 1.0) * ((nf - m + 1.0) / (nf - k + 1.0)).ln()
            + (k + 0.5) * (r * (nf - k + 1.0) / (k + 1.0)).ln()
            + stirling_tail(m)
            + stirling_tail(nf - m)
            - stirling_tail(k)
            - stirling_tail(nf - k);
        if v <= bound {
            return k as u64;
        }
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

/// Standard exponential (rate 1), by rand_distr's ziggurat: the clocks' gaps.
#[inline]
pub(super) fn exp1<R: Source + ?Sized>(rng: &mut R) -> f64 {
    rng.sample(Exp1)
}

/// Gamma with the given mean and coefficient of variation; the mean itself when cv = 0.
#[inline]
pub fn gamma_mean_cv<R: Source + ?Sized>(rng: &mut R, mean: f64, cv: f64) -> f64 {
    if !positive(mean) {
        0.0
    } else if !positive(cv) {
        mean
    } else {
        let shape = 1.0 / (cv * cv);
        gamma(rng, shape, mean / shape).unwrap_or(mean)
    }
}

/// Gamma(shape, scale) by Marsaglia-Tsang; None for parameters it refuses.
#[inline]
pub fn gamma<R: Source + ?Sized>(rng: &mut R, shape: f64, scale: f64) -> Option<f64> {
    rng.log(Draw::Gamma(shape, scale));
    Gamma::new(shape, scale).ok().map(|d| d.sample(rng))
}

/// The Poisson mean of a negative-binomial count with mean `mean` and
/// dispersion `k`: Gamma(k, mean / k), or `mean` itself when `k` is None
/// (a Poisson count); 0 when `mean` <= 0.
#[inline]
pub(crate) fn nb_intensity<R: Source + ?Sized>(rng: &mut R, mean: f64, k: Option<f64>) -> f64 {
    if !positive(mean) {
        return 0.0;
    }
    match k {
        None => mean,
        Some(k) => gamma(rng, k, mean / k).unwrap_or(mean),
    }
}

/// Negative binomial with mean `mean` and dispersion `k` (variance mean + mean^2/k),
/// as a Gamma-Poisson mixture; Poisson when `k` is None.
#[inline]
pub fn neg_binomial<R: Source + ?Sized>(rng: &mut R, mean: f64, k: Option<f64>) -> f64 {
    let lambda = nb_intensity(rng, mean, k);
    poisson(rng, lambda)
}

/// A Weibull(scale, shape) life conditional on exceeding `age`, by inversion
/// of the conditional survival: L = scale ((age / scale)^shape + E)^(1 / shape)
/// with E ~ Exp(1) (from the ziggurat, cheaper than -ln U).
#[inline]
pub fn weibull_residual_life<R: Source + ?Sized>(rng: &mut R, scale: f64, shape: f64, age: f64) -> f64 {
    rng.log(Draw::Weibull(scale, shape, age));
    // Shapes 1, 2 and 3 (the usual ones) avoid `powf`, the costliest part.
    let x = age / scale;
    let e = exp1(rng);
    scale
        * if shape == 3.0 {
            (x * x * x + e).cbrt()
        } else if shape == 2.0 {
            (x * x + e).sqrt()
        } else if shape == 1.0 {
            x + e
        } else {
            (x.powf(shape) + e).powf(1.0 / shape)
        }
}

/// floor(x) for |x| < 2^63, by truncation: on x86-64 without SSE4.1,
/// `f64::floor` is a library call.
#[inline]
pub(crate) fn floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}

/// Nearest integer (halves away from zero) of x >= 0, for |x| < 2^63.
#[inline]
pub(crate) fn round_nonneg(x: f64) -> f64 {
    (x + 0.5) as i64 as f64
}

/// Standard exponential (the ziggurat).
#[inline]
pub fn exp<R: Source + ?Sized>(rng: &mut R) -> f64 {
    rng.log(Draw::Exp);
    exp1(rng)
}

/// Standard normal.
#[inline]
pub fn normal<R: Source + ?Sized>(rng: &mut R) -> f64 {
    rng.log(Draw::Normal);
    rng.sample(StandardNormal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, key, stream};

    fn rng(name: &str) -> Stream {
        stream(20_241_224, 3, key(&format!("test:{name}")))
    }

    /// Literal draws at a fixed seed, one stream per sampler: a change to a
    /// sampler (or to what it draws from) changes them. `tests/distributions.rs`
    /// checks the laws; these pin the numbers.
    #[test]
    fn published_draws_are_stable() {
        let g = &mut rng("poisson");
        // inversion (mean < 12), Ahrens-Dieter, the normal above 1e15
        assert_eq!(
            [poisson(g, 3.5), poisson(g, 3.5), poisson(g, 40.0), poisson(g, 40.0), poisson(g, 1e16)],
            [2.0, 5.0, 46.0, 46.0, 9_999_999_898_697_434.0]
        );
        let g = &mut rng("binomial");
        // inversion, BTRS, and BTRS of the complement for p > 1/2
        let b = [binomial(g, 20.0, 0.3), binomial(g, 20.0, 0.3), binomial(g, 1000.0, 0.3), binomial(g, 1000.0, 0.3)];
        assert_eq!((b, binomial(g, 1000.0, 0.9)), ([7.0, 8.0, 330.0, 313.0], 894.0));
        let g = &mut rng("gamma");
        let x = [gamma(g, 2.5, 3.0), gamma(g, 0.5, 2.0), Some(gamma_mean_cv(g, 30.0, 0.5))];
        assert_eq!(x, [Some(3.896_181_864_137_207_5), Some(0.535_836_574_760_291_7), Some(13.342_729_179_611_727)]);
        let g = &mut rng("neg_binomial");
        assert_eq!(
            [neg_binomial(g, 40.0, Some(3.0)), neg_binomial(g, 40.0, None), nb_intensity(g, 40.0, Some(3.0))],
            [53.0, 50.0, 42.621_422_800_878_534]
        );
        let g = &mut rng("weibull");
        // shapes 3, 2 and 1 by their own roots, 2.5 by powf
        let w = [
            weibull_residual_life(g, 1000.0, 3.0, 200.0),
            weibull_residual_life(g, 1000.0, 2.0, 0.0),
            weibull_residual_life(g, 1000.0, 1.0, 50.0),
            weibull_residual_life(g, 1000.0, 2.5, 0.0),
        ];
        assert_eq!(w, [1_511.382_795_121_898_2, 1_266.435_145_876_481, 1_340.580_331_611_350_6, 1_063.418_162_270_601]);
        let g = &mut rng("normal");
        assert_eq!([normal(g), normal(g)], [0.157_606_686_147_349_18, 1.021_730_504_335_97]);
        let g = &mut rng("exp");
        assert_eq!([exp(g), exp(g)], [0.175_669_024_456_898_55, 0.633_788_140_300_489_6]);
    }
}
