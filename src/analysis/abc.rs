//! The arithmetic of sequential Monte Carlo approximate Bayesian computation (ABC-SMC, population
//! Monte Carlo: Beaumont, Cornuet, Marin & Robert 2009; Toni et al. 2009; the tolerance schedule of
//! Del Moral, Doucet & Jasra 2012), over a prior that is uniform on a box (the `[[calibrate]]` ranges).
//!
//! A generation is a population of particles (parameter sets) with importance weights summing to 1.
//! The next generation's tolerance is a weighted quantile of this one's distances ([`tolerance`]);
//! each new particle picks an ancestor by weight ([`pick`]) and moves it with a Gaussian kernel whose
//! per-parameter variance is twice the population's weighted variance ([`Kernel::new`]), truncated to
//! the box ([`Kernel::perturb`]); an accepted particle's weight is the prior density over the
//! mixture of kernels it could have come from ([`weights`]). The prior is uniform, so its density is
//! the same constant everywhere inside the box and cancels when the weights are normalised.
//!
//! The caller owns the simulation and the accept loop (`calibrate::smc`); everything here is plain
//! numbers, deterministic given the generator it is handed. Must not: do I/O or simulate.

use rand_chacha::ChaCha8Rng;

use super::design::{normal_cdf, Distribution};
use super::unit;
use crate::model::{ln, Real};

/// The smallest kernel scale, as a share of a parameter's range: a population whose particles all
/// share one value would otherwise stop moving in that parameter.
pub const MIN_SCALE: f64 = 1e-4;

/// The perturbation kernel of one generation: a Gaussian per parameter, truncated to its range.
#[derive(Clone, Debug, PartialEq)]
pub struct Kernel {
    /// Standard deviation per parameter: `sqrt(2 × weighted variance)`, at least `MIN_SCALE` of the
    /// range.
    pub scales: Vec<f64>,
    /// The ranges `(low, high)`, `low < high`.
    pub bounds: Vec<(f64, f64)>,
}

impl Kernel {
    /// The kernel for a population `particles` (one `Vec` per particle, one value per parameter) with
    /// weights `weights` (summing to 1) inside `bounds`: twice the weighted variance of each parameter
    /// (Beaumont et al. 2009), which Filippi et al. (2013) show is near the best diagonal choice.
    pub fn new(particles: &[Vec<f64>], weights: &[f64], bounds: &[(f64, f64)]) -> Kernel {
        let scales = bounds
            .iter()
            .enumerate()
            .map(|(k, &(low, high))| {
                let mean: f64 = particles.iter().zip(weights).map(|(p, w)| w * p[k]).sum();
                let variance: f64 = particles
                    .iter()
                    .zip(weights)
                    .map(|(p, w)| w * (p[k] - mean) * (p[k] - mean))
                    .sum();
                (2.0 * variance).sqrt().max(MIN_SCALE * (high - low))
            })
            .collect();
        Kernel {
            scales,
            bounds: bounds.to_vec(),
        }
    }

    /// `from` moved by the kernel: each value drawn from a normal centred on it with its scale,
    /// truncated to its range, one uniform of `rng` per parameter (by the inverse distribution
    /// function, so every draw lands inside the range and none is wasted).
    pub fn perturb(&self, rng: &mut ChaCha8Rng, from: &[f64]) -> Vec<f64> {
        from.iter()
            .zip(&self.scales)
            .zip(&self.bounds)
            .map(|((&x, &sd), &(low, high))| {
                let u = unit(rng);
                match Distribution::truncated_normal(x.clamp(low, high), sd, low, high) {
                    Ok(d) => d.quantile(u),
                    // Unreachable for a centre inside the range and sd ≥ MIN_SCALE of it; a uniform
                    // draw keeps the particle valid if it ever happens.
                    Err(_) => low + u * (high - low),
                }
            })
            .collect()
    }

    /// The natural logarithm of the kernel's density at `to` for a particle moved from `from`: the
    /// product over parameters of normal densities truncated to the range.
    pub fn ln_density(&self, from: &[f64], to: &[f64]) -> f64 {
        from.iter()
            .zip(to)
            .zip(&self.scales)
            .zip(&self.bounds)
            .map(|(((&x, &y), &sd), &(low, high))| {
                let z = (y - x) / sd;
                let mass = normal_cdf((high - x) / sd) - normal_cdf((low - x) / sd);
                -0.5 * z * z - ln(sd) - 0.5 * ln(2.0 * std::f64::consts::PI) - ln(mass)
            })
            .sum()
    }
}

/// The importance weights of the particles `new`, each moved by `kernel` from an ancestor of the
/// previous population `old` (weights `old_weights`), under a prior uniform on the kernel's box:
/// `w_i ∝ 1 / Σ_j W_j K(θ_i | θ_j)`, normalised to sum to 1. Computed in logarithms (the kernel's
/// densities can span hundreds of orders of magnitude in many dimensions).
pub fn weights(
    new: &[Vec<f64>],
    old: &[Vec<f64>],
    old_weights: &[f64],
    kernel: &Kernel,
) -> Vec<f64> {
    let ln_w: Vec<f64> = new
        .iter()
        .map(|theta| {
            let terms: Vec<f64> = old
                .iter()
                .zip(old_weights)
                .filter(|(_, &w)| w > 0.0)
                .map(|(from, &w)| ln(w) + kernel.ln_density(from, theta))
                .collect();
            -log_sum_exp(&terms)
        })
        .collect();
    normalise_ln(&ln_w)
}

/// `ln Σ exp(x)`, without overflow; −∞ for no terms.
fn log_sum_exp(x: &[f64]) -> f64 {
    let top = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + ln(x.iter().map(|&v| Real::exp(v - top)).sum::<f64>())
}

/// Weights proportional to `exp(ln_w)`, summing to 1 (equal weights if none is finite).
fn normalise_ln(ln_w: &[f64]) -> Vec<f64> {
    let top = ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return vec![1.0 / ln_w.len().max(1) as f64; ln_w.len()];
    }
    let raw: Vec<f64> = ln_w.iter().map(|&v| Real::exp(v - top)).collect();
    let total: f64 = raw.iter().sum();
    raw.iter().map(|w| w / total).collect()
}

/// The index drawn from `weights` (non-negative, summing to about 1) with one uniform of `rng`: the
/// first whose cumulative weight exceeds the uniform times the total.
pub fn pick(rng: &mut ChaCha8Rng, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let target = unit(rng) * total;
    let mut sum = 0.0;
    for (i, w) in weights.iter().enumerate() {
        sum += w;
        if target < sum {
            return i;
        }
    }
    // Rounding can leave the target at the total: the last index with weight.
    weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
}

/// The tolerance of the next generation: the weighted `q`-quantile of `distances` (the smallest
/// distance whose cumulative weight reaches `q`), as in Del Moral et al.'s adaptive schedule, where
/// `q` is the share of the current population that would still be accepted.
pub fn tolerance(distances: &[f64], weights: &[f64], q: f64) -> f64 {
    weighted_quantile(distances, weights, q).unwrap_or(0.0)
}

/// The weighted `q`-quantile of `values`: the smallest value whose cumulative weight (values in
/// increasing order, ties in index order) reaches `q` times the total weight; the largest if rounding
/// leaves it short; `None` for no values.
pub fn weighted_quantile(values: &[f64], weights: &[f64], q: f64) -> Option<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let total: f64 = weights.iter().sum();
    let mut sum = 0.0;
    for &i in &order {
        sum += weights[i];
        if sum >= q * total {
            return Some(values[i]);
        }
    }
    order.last().map(|&i| values[i])
}

/// The effective sample size of normalised weights, `1 / Σ w²`: how many equally weighted particles
/// they are worth.
pub fn effective_size(weights: &[f64]) -> f64 {
    1.0 / weights.iter().map(|w| w * w).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::super::{stream_rng, Purpose};
    use super::*;

    #[test]
    fn the_kernel_is_twice_the_weighted_variance_and_stays_in_range() {
        let particles = vec![vec![0.2, 5.0], vec![0.4, 5.0], vec![0.6, 5.0]];
        let w = [0.25, 0.5, 0.25];
        let k = Kernel::new(&particles, &w, &[(0.0, 1.0), (0.0, 10.0)]);
        // Weighted mean 0.4, variance 0.25·0.04 + 0.25·0.04 = 0.02: scale sqrt(0.04) = 0.2.
        assert!((k.scales[0] - 0.2).abs() < 1e-12, "{:?}", k.scales);
        assert_eq!(
            k.scales[1],
            MIN_SCALE * 10.0,
            "a constant parameter keeps moving"
        );
        let mut rng = stream_rng(1, Purpose::Abc, 0);
        let mut mean = 0.0;
        for _ in 0..4000 {
            let x = k.perturb(&mut rng, &[0.95, 5.0]);
            assert!((0.0..=1.0).contains(&x[0]) && (0.0..=10.0).contains(&x[1]));
            mean += x[0] / 4000.0;
        }
        // Truncation at 1 pulls the mean of moves from 0.95 down (to about 0.84).
        assert!(mean < 0.9 && mean > 0.78, "{mean}");
    }

    #[test]
    fn the_truncated_density_integrates_to_one() {
        let k = Kernel {
            scales: vec![0.3],
            bounds: vec![(0.0, 1.0)],
        };
        let n = 20_000;
        let integral: f64 = (0..n)
            .map(|i| Real::exp(k.ln_density(&[0.9], &[(i as f64 + 0.5) / n as f64])) / n as f64)
            .sum();
        assert!((integral - 1.0).abs() < 1e-6, "{integral}");
    }

    #[test]
    fn weights_undo_the_proposal_s_preference() {
        // Two old particles at 0.2 (weight 0.9) and 0.8 (0.1): new particles near 0.2 were proposed
        // more often, so under a uniform prior they weigh less.
        let k = Kernel {
            scales: vec![0.1],
            bounds: vec![(0.0, 1.0)],
        };
        let w = weights(
            &[vec![0.2], vec![0.8]],
            &[vec![0.2], vec![0.8]],
            &[0.9, 0.1],
            &k,
        );
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(w[1] > 5.0 * w[0], "{w:?}");
    }

    #[test]
    fn pick_and_tolerance_follow_the_weights() {
        let mut rng = stream_rng(2, Purpose::Abc, 1);
        let w = [0.0, 0.75, 0.25];
        let mut counts = [0u32; 3];
        for _ in 0..8000 {
            counts[pick(&mut rng, &w)] += 1;
        }
        assert_eq!(counts[0], 0);
        assert!((5700..6300).contains(&counts[1]), "{counts:?}");
        let d = [3.0, 1.0, 2.0, 0.0];
        assert_eq!(tolerance(&d, &[0.25; 4], 0.5), 1.0);
        assert_eq!(tolerance(&d, &[0.25; 4], 1.0), 3.0);
        assert_eq!(tolerance(&d, &[0.7, 0.1, 0.1, 0.1], 0.5), 3.0);
        assert!((effective_size(&[0.25; 4]) - 4.0).abs() < 1e-12);
    }
}
