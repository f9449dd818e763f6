//! Global sensitivity indices: which uncertain inputs drive an outcome, and how sure that is.
//!
//! - **Sobol indices** from a [`Saltelli`] design's outputs. With `A`, `B`
//!   the base matrices, `AB_i` = `A` with column `i` from `B`, `V` the variance of the outputs of `A`
//!   and `B` together, and means over the `N` base rows:
//!   first order `S_i = mean(f(B) · (f(AB_i) − f(A))) / V` (Saltelli et al. 2010, "Variance based
//!   sensitivity analysis of model output", Comput. Phys. Commun. 181, 259–270, table 2 (b)), the
//!   share of the variance that input `i` explains alone; total order
//!   `ST_i = mean((f(A) − f(AB_i))²) / (2V)` (Jansen 1999; Saltelli et al. 2010 table 2 (f)), the share
//!   that involves input `i` at all, interactions included. Outputs are centred on their mean first,
//!   which leaves both estimators' expectations unchanged and lowers their rounding error.
//!   Assumptions: independent inputs; a finite output variance.
//! - **Morris elementary effects** from a [`Morris`] design's outputs (Morris 1991, "Factorial
//!   sampling plans for preliminary computational experiments", Technometrics 33, 161–174;
//!   Campolongo, Cariboni & Saltelli 2007 for `mu*`): each trajectory gives one effect per input,
//!   `EE = (f(x + Δ e_i) − f(x)) / Δ` in unit coordinates; `mu` is their mean, `mu*` the mean of their
//!   absolute values (the importance measure), `sigma` their standard deviation (non-linearity or
//!   interactions). A screening method: it ranks inputs, it does not apportion variance.
//!
//! Both report bootstrap percentile intervals ([`Bootstrap`]): Sobol resamples base rows, Morris
//! trajectories. [`SobolIndices::warnings`] and [`MorrisIndices::warnings`] say when the intervals are
//! too wide to trust a ranking, as SALib's users meet with too few samples (SALib issues #102, #599:
//! negative or meaningless indices). Must not: do I/O.

use super::bootstrap::{Bootstrap, Interval};
use super::design::{Design, Morris, Saltelli};
use super::{check_finite, check_len, AnalysisError, Result};

/// Default largest acceptable width of a Sobol index's interval, in shares of variance: an interval
/// wider than 0.1 cannot separate an input that explains 5% of the variance from one that explains 15%.
pub const DEFAULT_MAX_SOBOL_WIDTH: f64 = 0.1;

/// Default largest acceptable width of a Morris `mu*` interval, as a fraction of the largest `mu*`.
pub const DEFAULT_MAX_MORRIS_WIDTH: f64 = 0.2;

/// Which index a warning is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum IndexKind {
    /// Sobol first order.
    First,
    /// Sobol total order.
    Total,
    /// Sobol second order, of the warning's parameter with this other one.
    Second(usize),
    /// Morris `mu*`.
    MuStar,
}

impl std::fmt::Display for IndexKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexKind::First => f.write_str("first-order index"),
            IndexKind::Total => f.write_str("total-order index"),
            IndexKind::Second(other) => write!(f, "second-order index with parameter {other}"),
            IndexKind::MuStar => f.write_str("mu*"),
        }
    }
}

/// A sign that the sample is too small for the indices to be read or ranked.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum Warning {
    /// The interval is wider than the chosen limit.
    WideInterval {
        /// Input (parameter) index.
        parameter: usize,
        /// Which index.
        index: IndexKind,
        /// Interval width.
        width: f64,
        /// The limit it exceeds.
        limit: f64,
    },
    /// The whole interval is below zero, which no true index can be.
    Negative {
        /// Input index.
        parameter: usize,
        /// Which index.
        index: IndexKind,
        /// Upper end of the interval.
        hi: f64,
    },
    /// The first-order index exceeds the total-order index beyond both intervals (truly `S_i ≤ ST_i`).
    FirstAboveTotal {
        /// Input index.
        parameter: usize,
        /// Lower end of the first-order interval.
        first_lo: f64,
        /// Upper end of the total-order interval.
        total_hi: f64,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::WideInterval {
                parameter,
                index,
                width,
                limit,
            } => write!(
                f,
                "parameter {parameter}: the {index}'s interval is {width:.3} wide (limit {limit:.3}); \
                 too few samples to rank it, increase the sample size"
            ),
            Warning::Negative {
                parameter,
                index,
                hi,
            } => write!(
                f,
                "parameter {parameter}: the {index}'s whole interval is below zero (upper end {hi:.3}); \
                 the estimate is meaningless at this sample size"
            ),
            Warning::FirstAboveTotal {
                parameter,
                first_lo,
                total_hi,
            } => write!(
                f,
                "parameter {parameter}: the first-order index (at least {first_lo:.3}) exceeds the \
                 total-order index (at most {total_hi:.3}), which is impossible; increase the sample size"
            ),
        }
    }
}

/// Sobol indices of each input, with intervals.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SobolIndices {
    /// First-order index `S_i` of each input.
    pub first: Vec<Interval>,
    /// Total-order index `ST_i` of each input.
    pub total: Vec<Interval>,
    /// Second-order indices `S_ij` for `i < j`, in order (0,1), (0,2), …, (1,2), …; empty unless the
    /// design has second order.
    pub second: Vec<SecondOrder>,
    /// Variance of the outputs of `A` and `B` (population variance), in squared output units.
    pub variance: f64,
}

/// The second-order index of a pair of inputs: the share of variance their interaction alone
/// explains, `S_ij = V_ij / V − S_i − S_j` with `V_ij = mean(f(BA_i) f(AB_j) − f(A) f(B))`
/// (Saltelli 2002, "Making best use of model evaluations to compute sensitivity indices", Comput.
/// Phys. Commun. 145, 280–297; the form SALib uses).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct SecondOrder {
    /// First input of the pair.
    pub i: usize,
    /// Second input of the pair (`j > i`).
    pub j: usize,
    /// The index with its interval.
    pub index: Interval,
}

/// Sobol first- and total-order indices (and second-order ones if the design has them) from the
/// outputs of `design`, in its point order (`outputs.len() = design.len()`), with bootstrap
/// intervals over base rows.
pub fn sobol_indices(
    outputs: &[f64],
    design: &Saltelli,
    bootstrap: &Bootstrap,
) -> Result<SobolIndices> {
    check_len("saltelli outputs", outputs.len(), design.len() as usize)?;
    check_finite("saltelli outputs", outputs)?;
    let k = design.parameters();
    let n = design.base_rows() as usize;
    let layout = Layout {
        k,
        group: design.group(),
        second_order: design.second_order(),
    };
    let all: Vec<usize> = (0..n).collect();
    let pairs = if layout.second_order {
        k * (k - 1) / 2
    } else {
        0
    };
    let mut estimate = vec![0.0; 2 * k + pairs];
    let variance = layout.estimates(outputs, &all, &mut estimate);
    if variance <= 0.0 {
        return Err(AnalysisError::ConstantOutput);
    }
    let intervals = bootstrap.intervals(n, &estimate, |rows, out| {
        layout.estimates(outputs, rows, out);
    });
    let second = (0..k)
        .flat_map(|i| (i + 1..k).map(move |j| (i, j)))
        .zip(&intervals[2 * k..])
        .map(|((i, j), &index)| SecondOrder { i, j, index })
        .collect();
    Ok(SobolIndices {
        first: intervals[..k].to_vec(),
        total: intervals[k..2 * k].to_vec(),
        second,
        variance,
    })
}

/// Where a Saltelli design's matrices sit within a base row's group of points.
struct Layout {
    k: usize,
    group: usize,
    second_order: bool,
}

impl Layout {
    /// First-order indices into `out[..k]`, total-order into `out[k..2k]` and second-order into
    /// `out[2k..]`, from the base `rows`; returns the variance (the indices are NaN when it is zero).
    fn estimates(&self, outputs: &[f64], rows: &[usize], out: &mut [f64]) -> f64 {
        let (k, group) = (self.k, self.group);
        let n = rows.len() as f64;
        let mean = rows
            .iter()
            .map(|&j| outputs[j * group] + outputs[j * group + group - 1])
            .sum::<f64>()
            / (2.0 * n);
        let variance = rows
            .iter()
            .map(|&j| {
                let (a, b) = (
                    outputs[j * group] - mean,
                    outputs[j * group + group - 1] - mean,
                );
                a * a + b * b
            })
            .sum::<f64>()
            / (2.0 * n);
        out.fill(0.0);
        let (first, rest) = out.split_at_mut(k);
        let (total, second) = rest.split_at_mut(k);
        for &j in rows {
            let g = &outputs[j * group..(j + 1) * group];
            let (a, b) = (g[0] - mean, g[group - 1] - mean);
            for i in 0..k {
                let ab = g[1 + i] - mean;
                first[i] += b * (ab - a);
                total[i] += (a - ab) * (a - ab);
            }
            if self.second_order {
                let mut p = 0;
                for i in 0..k {
                    let ba = g[1 + k + i] - mean;
                    for l in i + 1..k {
                        second[p] += ba * (g[1 + l] - mean) - a * b;
                        p += 1;
                    }
                }
            }
        }
        for s in first.iter_mut() {
            *s /= n * variance;
        }
        for s in total.iter_mut() {
            *s /= 2.0 * n * variance;
        }
        let mut p = 0;
        for i in 0..k {
            for l in i + 1..k {
                if let Some(s) = second.get_mut(p) {
                    *s = *s / (n * variance) - first[i] - first[l];
                }
                p += 1;
            }
        }
        variance
    }
}

/// Whether an interval of `width` exceeds `limit`; an interval without ends (NaN) always does.
fn too_wide(width: f64, limit: f64) -> bool {
    width.is_nan() || width > limit
}

impl SobolIndices {
    /// Warnings that the sample is too small: an interval (first, total or second order) wider than
    /// `max_width` (e.g. [`DEFAULT_MAX_SOBOL_WIDTH`]), an interval wholly below zero, or a first-order
    /// index above the total-order index beyond both intervals. Empty when the indices can be read and ranked.
    pub fn warnings(&self, max_width: f64) -> Vec<Warning> {
        let mut warnings = Vec::new();
        let second = self
            .second
            .iter()
            .map(|s| (s.i, IndexKind::Second(s.j), &s.index));
        let mut check = |parameter, index, x: &Interval| {
            if x.hi < 0.0 {
                warnings.push(Warning::Negative {
                    parameter,
                    index,
                    hi: x.hi,
                });
            }
            if too_wide(x.width(), max_width) {
                warnings.push(Warning::WideInterval {
                    parameter,
                    index,
                    width: x.width(),
                    limit: max_width,
                });
            }
        };
        for (parameter, (s, st)) in self.first.iter().zip(&self.total).enumerate() {
            check(parameter, IndexKind::First, s);
            check(parameter, IndexKind::Total, st);
        }
        for (parameter, index, x) in second {
            check(parameter, index, x);
        }
        for (parameter, (s, st)) in self.first.iter().zip(&self.total).enumerate() {
            if s.lo > st.hi {
                warnings.push(Warning::FirstAboveTotal {
                    parameter,
                    first_lo: s.lo,
                    total_hi: st.hi,
                });
            }
        }
        warnings
    }
}

/// Morris screening measures of each input, in output units per unit of the input's unit coordinate.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct MorrisIndices {
    /// Mean elementary effect `mu` (effects of opposite signs cancel).
    pub mu: Vec<f64>,
    /// Mean absolute elementary effect `mu*`, with its bootstrap interval over trajectories.
    pub mu_star: Vec<Interval>,
    /// Standard deviation of the elementary effects `sigma` (`r − 1` in the denominator).
    pub sigma: Vec<f64>,
}

/// Morris `mu`, `mu*` and `sigma` from the outputs of `design`, in its point order
/// (`outputs.len() = r (k + 1)`), with bootstrap intervals for `mu*` over trajectories.
pub fn morris_indices(
    design: &Morris,
    outputs: &[f64],
    bootstrap: &Bootstrap,
) -> Result<MorrisIndices> {
    let k = design.factors();
    let r = design.trajectories() as usize;
    check_len("morris outputs", outputs.len(), r * (k + 1))?;
    check_finite("morris outputs", outputs)?;
    let delta = design.delta();
    // effects[t * k + f]: trajectory t's elementary effect of factor f.
    let mut effects = vec![0.0; r * k];
    for t in 0..r {
        let traj = design.trajectory(t as u32);
        let y = &outputs[t * (k + 1)..(t + 1) * (k + 1)];
        for (m, &f) in traj.order.iter().enumerate() {
            let step = if traj.up[f] { delta } else { -delta };
            effects[t * k + f] = (y[m + 1] - y[m]) / step;
        }
    }
    let column = |f: usize| effects.iter().skip(f).step_by(k).copied();
    let mu: Vec<f64> = (0..k).map(|f| column(f).sum::<f64>() / r as f64).collect();
    let sigma: Vec<f64> = (0..k)
        .map(|f| {
            let ss: f64 = column(f).map(|e| (e - mu[f]) * (e - mu[f])).sum();
            (ss / (r - 1) as f64).sqrt()
        })
        .collect();
    let mean_abs = |rows: &[usize], out: &mut [f64]| {
        out.fill(0.0);
        for &t in rows {
            for (o, e) in out.iter_mut().zip(&effects[t * k..(t + 1) * k]) {
                *o += e.abs();
            }
        }
        for o in out.iter_mut() {
            *o /= rows.len() as f64;
        }
    };
    let all: Vec<usize> = (0..r).collect();
    let mut estimate = vec![0.0; k];
    mean_abs(&all, &mut estimate);
    let mu_star = bootstrap.intervals(r, &estimate, mean_abs);
    Ok(MorrisIndices { mu, mu_star, sigma })
}

impl MorrisIndices {
    /// Warnings that a `mu*` interval is wider than `max_fraction` (e.g.
    /// [`DEFAULT_MAX_MORRIS_WIDTH`]) of the largest `mu*`: too few trajectories to rank that input.
    pub fn warnings(&self, max_fraction: f64) -> Vec<Warning> {
        let largest = self.mu_star.iter().map(|m| m.estimate).fold(0.0, f64::max);
        let limit = max_fraction * largest;
        self.mu_star
            .iter()
            .enumerate()
            .filter(|(_, m)| too_wide(m.width(), limit))
            .map(|(parameter, m)| Warning::WideInterval {
                parameter,
                index: IndexKind::MuStar,
                width: m.width(),
                limit,
            })
            .collect()
    }

    /// Inputs from the most to the least important by `mu*` (ties by index).
    pub fn ranking(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.mu_star.len()).collect();
        order.sort_by(|&a, &b| {
            self.mu_star[b]
                .estimate
                .total_cmp(&self.mu_star[a].estimate)
                .then(a.cmp(&b))
        });
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// The Ishigami function with a = 7, b = 0.1 on unit coordinates mapped to [−π, π]³.
    fn ishigami(u: &[f64]) -> f64 {
        let x: Vec<f64> = u.iter().map(|v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Sobol's G function with coefficients `a`.
    fn g_function(a: &[f64], u: &[f64]) -> f64 {
        u.iter()
            .zip(a)
            .map(|(x, a)| ((4.0 * x - 2.0).abs() + a) / (1.0 + a))
            .product()
    }

    fn evaluate(design: &impl Design, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        design.rows().iter().map(|p| f(p)).collect()
    }

    fn boot(seed: u64) -> Bootstrap {
        Bootstrap::new(500, 0.95, seed).unwrap()
    }

    /// Analytical Ishigami indices (a = 7, b = 0.1) lie within the 95% intervals at N = 1,024.
    #[test]
    fn sobol_recovers_ishigami() {
        let design = Saltelli::new(1024, 3, 1024, false).unwrap();
        let result = sobol_indices(&evaluate(&design, ishigami), &design, &boot(1)).unwrap();
        let first = [0.3139, 0.4424, 0.0];
        let total = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!(
                result.first[i].contains(first[i]),
                "S{i}: {:?}",
                result.first[i]
            );
            assert!(
                result.total[i].contains(total[i]),
                "ST{i}: {:?}",
                result.total[i]
            );
        }
        // At N = 1,024 the intervals are up to 0.18 wide (as SALib's); at N = 8,192 all are under 0.1.
        let design = Saltelli::new(8192, 3, 8192, false).unwrap();
        let result = sobol_indices(&evaluate(&design, ishigami), &design, &boot(1)).unwrap();
        let warnings = result.warnings(DEFAULT_MAX_SOBOL_WIDTH);
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    /// Analytical G-function indices: V_i = 1/(3(1 + a_i)²), V = Π(1 + V_i) − 1, S_i = V_i / V,
    /// ST_i = V_i Π_{j≠i}(1 + V_j) / V.
    #[test]
    fn sobol_recovers_g_function() {
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
        let v: Vec<f64> = a
            .iter()
            .map(|a| 1.0 / (3.0 * (1.0 + a) * (1.0 + a)))
            .collect();
        let total_v = v.iter().map(|v| 1.0 + v).product::<f64>() - 1.0;
        let design = Saltelli::new(2048, 8, 2048, false).unwrap();
        let result =
            sobol_indices(&evaluate(&design, |u| g_function(&a, u)), &design, &boot(2)).unwrap();
        for i in 0..8 {
            let s = v[i] / total_v;
            let st = v[i]
                * v.iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, v)| 1.0 + v)
                    .product::<f64>()
                / total_v;
            assert!(
                result.first[i].contains(s),
                "S{i} = {s}: {:?}",
                result.first[i]
            );
            assert!(
                result.total[i].contains(st),
                "ST{i} = {st}: {:?}",
                result.total[i]
            );
        }
    }

    /// Too few samples: with N = 16 the intervals are wide and the warnings say so.
    #[test]
    fn small_samples_are_flagged() {
        let design = Saltelli::new(16, 3, 16, false).unwrap();
        let result = sobol_indices(&evaluate(&design, ishigami), &design, &boot(3)).unwrap();
        let warnings = result.warnings(DEFAULT_MAX_SOBOL_WIDTH);
        assert!(
            warnings
                .iter()
                .any(|w| matches!(w, Warning::WideInterval { .. })),
            "{warnings:?}"
        );
        assert!(warnings[0].to_string().contains("increase the sample size"));
    }

    #[test]
    fn sobol_rejects_bad_outputs() {
        let design = Saltelli::new(2, 3, 0, false).unwrap();
        assert_eq!(
            sobol_indices(&[1.0; 10], &design, &boot(0)),
            Err(AnalysisError::ConstantOutput)
        );
        assert!(sobol_indices(&[1.0; 11], &design, &boot(0)).is_err());
        let mut y = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        y[4] = f64::NAN;
        assert!(matches!(
            sobol_indices(&y, &design, &boot(0)),
            Err(AnalysisError::NotFinite { index: 4, .. })
        ));
    }

    /// Ishigami's only interaction is x1 with x3: S13 = ST3 = 0.2437, S12 = S23 = 0; first- and
    /// total-order indices from the same second-order design stay within their intervals too.
    #[test]
    fn second_order_recovers_ishigami_interaction() {
        let design = Saltelli::new(1024, 3, 1024, true).unwrap();
        let result = sobol_indices(&evaluate(&design, ishigami), &design, &boot(7)).unwrap();
        let expected = [(0, 1, 0.0), (0, 2, 0.2437), (1, 2, 0.0)];
        assert_eq!(result.second.len(), 3);
        for (s, (i, j, value)) in result.second.iter().zip(expected) {
            assert_eq!((s.i, s.j), (i, j));
            assert!(s.index.contains(value), "S{i}{j} = {value}: {:?}", s.index);
        }
        assert!(result.first[0].contains(0.3139) && result.total[2].contains(0.2437));
    }

    /// For a linear function every elementary effect is exactly the coefficient (in unit
    /// coordinates), so mu = mu* = |c| up to sign, sigma = 0 and the ranking follows |c|.
    #[test]
    fn morris_is_exact_on_a_linear_function() {
        let c = [3.0, -5.0, 0.0, 1.0];
        let design = Morris::new(4, 10, 4, 5).unwrap();
        let y = evaluate(&design, |u| u.iter().zip(&c).map(|(x, c)| x * c).sum());
        let m = morris_indices(&design, &y, &boot(4)).unwrap();
        for (i, c) in c.iter().enumerate() {
            assert!((m.mu[i] - c).abs() < 1e-12);
            assert!((m.mu_star[i].estimate - c.abs()).abs() < 1e-12);
            assert!(m.sigma[i] < 1e-12);
        }
        assert_eq!(m.ranking(), [1, 0, 3, 2]);
    }

    /// Ishigami on 4 levels: x2 moves between sin² = 0 and 3/4, so every effect of x2 is
    /// ±7 · 0.75 / (2/3) = ±7.875 exactly (SALib's example shows the same mu*); x3 acts only through
    /// its interaction with x1, so it ranks last and its effects of both signs nearly cancel in mu.
    #[test]
    fn morris_ranks_ishigami() {
        let design = Morris::new(3, 100, 4, 6).unwrap();
        let m = morris_indices(&design, &evaluate(&design, ishigami), &boot(5)).unwrap();
        assert!((m.mu_star[1].estimate - 7.875).abs() < 1e-9, "{m:?}");
        assert_eq!(m.ranking(), [1, 0, 2], "{m:?}");
        assert!(m.mu[2].abs() < 0.3 * m.mu_star[2].estimate, "{m:?}");
        assert!(m.warnings(0.5).is_empty(), "{:?}", m.warnings(0.5));
        assert!(!Morris::new(3, 4, 4, 6)
            .map(|d| {
                let y = evaluate(&d, ishigami);
                morris_indices(&d, &y, &boot(5)).unwrap().warnings(0.05)
            })
            .unwrap()
            .is_empty());
    }
}
