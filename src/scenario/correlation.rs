//! Rank correlations between uncertain parameters: `[[correlations]]`
//! entries `{ a = "path", b = "path", rho = 0.6 }` (docs/model.md section 2).
//!
//! The method is a **Gaussian copula on keyed normal scores**. Each
//! parameter of a correlated group draws one standard normal score `e_i`
//! from its own keyed stream (`param:<path>`, as an independent parameter
//! draws its value); the scores are mixed by the Cholesky factor `L` of the
//! normal-score correlation matrix, `z = L e`, and each parameter takes the
//! value `F_i^-1(Phi(z_i))` of its own distribution (`Dist::from_normal_score`).
//!
//! - Marginals exactly: `L L^T` has a unit diagonal, so each `z_i` is exactly
//!   standard normal, `Phi(z_i)` exactly uniform and `F_i^-1(Phi(z_i))`
//!   exactly distributed as the parameter.
//! - The asked rank correlation: for a Gaussian copula Spearman's rho is
//!   `(6 / pi) asin(r / 2)` where `r` is the normal scores' correlation, so
//!   `r = 2 sin(pi rho / 6)` gives the asked `rho` between any two continuous
//!   parameters whatever their distributions (ranks ignore the monotone
//!   `F_i^-1(Phi(.))`). Ties of a discrete (`choice`) parameter lower it.
//! - Common random numbers: a trajectory's scores come from its own streams,
//!   so its values depend on nothing but (seed, trajectory, path) and the
//!   correlations, not on how many trajectories run or in which block.
//!
//! Iman-Conover (1982) reaches a rank correlation by reordering a whole
//! sample against van der Waerden scores: it matches the asked correlation
//! within the sample, but a trajectory's value then depends on the others.
//! The copula draws each trajectory on its own and matches the correlation in
//! expectation (within sampling error, about `(1 - rho^2) / sqrt(n)`); both
//! keep the marginals.
use serde::{Deserialize, Serialize};

use super::uncertain::{P, Uncertain};
use crate::error::at;

/// One rank correlation between two uncertain parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Correlation {
    /// Dotted path of a parameter, e.g. `sides.russia.supply.dprk_152.rate`.
    pub a: String,
    /// Dotted path of another parameter.
    pub b: String,
    /// Spearman rank correlation between them, in [-1, 1].
    pub rho: f64,
}

/// Normal-score correlation of a Gaussian copula with Spearman's rho `rho`.
pub fn normal_score_correlation(rho: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho / 6.0).sin()
}

/// Parameters correlated with each other (directly or through others).
#[derive(Debug, Clone)]
pub(crate) struct Group {
    /// Indices in the uncertain parameters, in draw order.
    pub(crate) members: Vec<usize>,
    /// The Cholesky factor of their normal-score correlations, row-major
    /// lower triangle (k x k).
    pub(crate) chol: Vec<f64>,
}

/// The groups of a scenario's correlated parameters (none when it declares no correlation).
#[derive(Debug, Clone, Default)]
pub(crate) struct Copula {
    pub(crate) groups: Vec<Group>,
    /// Per uncertain parameter: whether it belongs to a group.
    pub(crate) member: Vec<bool>,
}

/// Below this, a pivot of the Cholesky factorisation is taken as zero (a
/// perfect correlation); below its negative the matrix is not a correlation matrix.
const PIVOT_TOLERANCE: f64 = 1e-10;

impl Copula {
    /// The copula of `correlations`: `params` are the paths of every parameter
    /// in slot order, `uncertain` the uncertain ones. A correlation with a
    /// parameter that has a single value (a number) has no effect. Problems go
    /// to `errors`, each with its path.
    pub(crate) fn new(
        correlations: &[Correlation],
        params: &[String],
        uncertain: &[Uncertain],
        errors: &mut Vec<String>,
    ) -> Copula {
        let n = uncertain.len();
        let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
        for (k, c) in correlations.iter().enumerate() {
            let here = format!("correlations[{k}]");
            let mut find = |path: &str, key: &str| -> Option<usize> {
                if !params.iter().any(|p| p == path) {
                    let hint = crate::error::did_you_mean(path, params.iter().map(String::as_str));
                    errors.push(at(&format!("{here}.{key}"), format!("no parameter {path:?} in the scenario{hint}")));
                    return None;
                }
                uncertain.iter().position(|u| u.path == path)
            };
            let (ia, ib) = (find(&c.a, "a"), find(&c.b, "b"));
            if !(c.rho.is_finite() && (-1.0..=1.0).contains(&c.rho)) {
                errors
                    .push(at(&format!("{here}.rho"), format!("must be a rank correlation in [-1, 1], got {}", c.rho)));
                continue;
            }
            if c.a == c.b {
                errors.push(at(&format!("{here}.b"), "a parameter cannot be correlated with itself"));
                continue;
            }
            let (Some(i), Some(j)) = (ia, ib) else { continue };
            let (i, j) = (i.min(j), i.max(j));
            if pairs.iter().any(|&(x, y, _)| (x, y) == (i, j)) {
                errors.push(at(&here, format!("the pair {} and {} is correlated twice", c.a, c.b)));
                continue;
            }
            pairs.push((i, j, normal_score_correlation(c.rho)));
        }
        let mut member = vec![false; n];
        if pairs.is_empty() {
            return Copula { groups: Vec::new(), member };
        }
        // Connected components, each listed in draw order.
        let mut comp: Vec<usize> = (0..n).collect();
        fn root(comp: &mut [usize], mut i: usize) -> usize {
            while comp[i] != i {
                comp[i] = comp[comp[i]];
                i = comp[i];
            }
            i
        }
        for &(i, j, _) in &pairs {
            let (ri, rj) = (root(&mut comp, i), root(&mut comp, j));
            comp[ri.max(rj)] = ri.min(rj);
        }
        let mut groups = Vec::new();
        for r in 0..n {
            let members: Vec<usize> = (0..n).filter(|&i| root(&mut comp, i) == r).collect();
            if members.len() < 2 {
                continue;
            }
            let k = members.len();
            let mut m = vec![0.0; k * k];
            for d in 0..k {
                m[d * k + d] = 1.0;
            }
            for &(i, j, r) in &pairs {
                if let (Some(a), Some(b)) = (members.iter().position(|&x| x == i), members.iter().position(|&x| x == j))
                {
                    m[a * k + b] = r;
                    m[b * k + a] = r;
                }
            }
            match cholesky(&m, k) {
                Some(chol) => {
                    for &i in &members {
                        member[i] = true;
                    }
                    groups.push(Group { members, chol });
                }
                None => {
                    let paths: Vec<&str> = members.iter().map(|&i| uncertain[i].path.as_str()).collect();
                    errors.push(at(
                        "correlations",
                        format!(
                            "the rank correlations among [{}] cannot hold together (their normal-score \
                             correlation matrix is not positive semi-definite)",
                            paths.join(", ")
                        ),
                    ));
                }
            }
        }
        Copula { groups, member }
    }

    /// Replace the normal scores the correlated parameters hold in `v` (drawn
    /// from their own streams) by their values: `z = L e`, then each value
    /// from its own distribution.
    pub(crate) fn apply(&self, uncertain: &[Uncertain], v: &mut [f64]) {
        for g in &self.groups {
            let k = g.members.len();
            let slots: Vec<P> = g.members.iter().map(|&i| uncertain[i].slot).collect();
            let e: Vec<f64> = slots.iter().map(|&s| v[s]).collect();
            for (a, &s) in slots.iter().enumerate() {
                let z: f64 = (0..=a).map(|b| g.chol[a * k + b] * e[b]).sum();
                v[s] = uncertain[g.members[a]].dist.from_normal_score(z);
            }
        }
    }
}

/// The lower Cholesky factor of a k x k symmetric matrix (row-major), or None
/// when it is not positive semi-definite. A zero pivot (a perfect correlation)
/// leaves its column zero.
fn cholesky(m: &[f64], k: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; k * k];
    for i in 0..k {
        for j in 0..=i {
            let s: f64 = m[i * k + j] - (0..j).map(|p| l[i * k + p] * l[j * k + p]).sum::<f64>();
            if i == j {
                if s < -PIVOT_TOLERANCE {
                    return None;
                }
                l[i * k + i] = s.max(0.0).sqrt();
            } else if l[j * k + j] > PIVOT_TOLERANCE.sqrt() {
                l[i * k + j] = s / l[j * k + j];
            } else if s.abs() > PIVOT_TOLERANCE.sqrt() {
                // A zero pivot with a nonzero entry below it: not semi-definite.
                return None;
            }
        }
    }
    Some(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spearman_to_normal_scores() {
        assert_eq!(normal_score_correlation(0.0), 0.0);
        assert!((normal_score_correlation(1.0) - 1.0).abs() < 1e-15);
        assert!((normal_score_correlation(-0.5) + 0.517_638_090_205_041_5).abs() < 1e-15);
    }

    #[test]
    fn cholesky_of_correlation_matrices() {
        let l = cholesky(&[1.0, 0.6, 0.6, 1.0], 2).expect("positive definite");
        assert!((l[2] - 0.6).abs() < 1e-15 && (l[3] - 0.8).abs() < 1e-15 && l[1] == 0.0);
        // Perfect correlation: semi-definite, the second score is the first.
        let l = cholesky(&[1.0, 1.0, 1.0, 1.0], 2).expect("semi-definite");
        assert_eq!((l[2], l[3]), (1.0, 0.0));
        // a~b and b~c strongly positive, a~c strongly negative: impossible.
        let m = [1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0];
        assert!(cholesky(&m, 3).is_none());
    }
}
