//! Seeded bootstrap resampling and percentile confidence intervals, shared by the estimators.
//!
//! Method: Efron's nonparametric bootstrap (Efron & Tibshirani 1993, *An Introduction to the
//! Bootstrap*, ch. 13): resample the independent units (base rows of a Saltelli design, Morris
//! trajectories, scenarios) with replacement, recompute the statistic on each resample, and report the
//! `(1 − level)/2` and `(1 + level)/2` quantiles of the recomputed values (the percentile interval).
//! Assumptions: the units are independent and identically distributed, and the statistic is smooth
//! in them. Quasi-random (Sobol) rows are not independent; their true error is usually smaller than
//! the bootstrap says, so the intervals are conservative there. Statistics that are maxima (maximum
//! regret) are not smooth: their bootstrap interval is only a rough guide.
//!
//! Resample `b` draws from its own ChaCha8 stream `b` under the caller's seed, so the intervals are
//! the same whatever order or thread computes them. Must not: do I/O.

use super::{below, stream_rng, AnalysisError, Purpose, Result};

/// How to bootstrap: number of resamples, interval level and seed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bootstrap {
    resamples: u32,
    level: f64,
    seed: u64,
}

impl Bootstrap {
    /// Resamples used by [`Bootstrap::default`]: enough for the 2.5% and 97.5% quantiles to move by
    /// well under their own width between seeds (Efron & Tibshirani 1993 recommend at least 1,000
    /// for percentile intervals).
    pub const DEFAULT_RESAMPLES: u32 = 1_000;

    /// A bootstrap of `resamples` resamples (at least 10) giving intervals at `level` (strictly
    /// between 0 and 1, e.g. 0.95), drawn under `seed`.
    pub fn new(resamples: u32, level: f64, seed: u64) -> Result<Bootstrap> {
        if resamples < 10 {
            return Err(AnalysisError::Invalid {
                name: "resamples",
                value: resamples.to_string(),
                allowed: "at least 10",
            });
        }
        if !(level > 0.0 && level < 1.0) {
            return Err(AnalysisError::Invalid {
                name: "level",
                value: level.to_string(),
                allowed: "strictly between 0 and 1",
            });
        }
        Ok(Bootstrap {
            resamples,
            level,
            seed,
        })
    }

    /// Number of resamples.
    pub fn resamples(&self) -> u32 {
        self.resamples
    }

    /// Interval level (e.g. 0.95).
    pub fn level(&self) -> f64 {
        self.level
    }

    /// Percentile intervals around `estimates`, one per statistic. `n` is the number of independent
    /// units; `statistics(rows, out)` computes the statistics of the resample whose units are `rows`
    /// (indices in `0..n`, with repeats) into `out` (as long as `estimates`). Resamples whose
    /// statistic is not finite are left out of that statistic's interval.
    pub(crate) fn intervals(
        &self,
        n: usize,
        estimates: &[f64],
        mut statistics: impl FnMut(&[usize], &mut [f64]),
    ) -> Vec<Interval> {
        let count = estimates.len();
        let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(self.resamples as usize); count];
        let mut rows = vec![0usize; n];
        let mut out = vec![0.0; count];
        for b in 0..self.resamples {
            let mut rng = stream_rng(self.seed, Purpose::Bootstrap, u64::from(b));
            for row in rows.iter_mut() {
                *row = below(&mut rng, n as u64) as usize;
            }
            statistics(&rows, &mut out);
            for (d, &v) in draws.iter_mut().zip(&out) {
                if v.is_finite() {
                    d.push(v);
                }
            }
        }
        estimates
            .iter()
            .zip(draws.iter_mut())
            .map(|(&estimate, d)| Interval::percentile(estimate, d, self.level))
            .collect()
    }
}

impl Default for Bootstrap {
    /// 1,000 resamples, 95% intervals, seed 0.
    fn default() -> Bootstrap {
        Bootstrap {
            resamples: Bootstrap::DEFAULT_RESAMPLES,
            level: 0.95,
            seed: 0,
        }
    }
}

/// A point estimate with its confidence interval `[lo, hi]`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Interval {
    /// The estimate from all the data.
    pub estimate: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

impl Interval {
    /// The percentile interval at `level` of the bootstrap `draws` (sorted here); NaN ends when there
    /// are no draws.
    pub(crate) fn percentile(estimate: f64, draws: &mut [f64], level: f64) -> Interval {
        draws.sort_by(f64::total_cmp);
        let tail = (1.0 - level) / 2.0;
        Interval {
            estimate,
            lo: quantile_sorted(draws, tail),
            hi: quantile_sorted(draws, 1.0 - tail),
        }
    }

    /// Width of the interval, `hi − lo`.
    pub fn width(&self) -> f64 {
        self.hi - self.lo
    }

    /// Whether `x` lies in the closed interval.
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
}

/// The `q`-quantile of sorted finite values by linear interpolation between order statistics
/// (Hyndman & Fan 1996, definition 7, numpy's default); NaN for no values.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
            let below = h.floor() as usize;
            let above = (below + 1).min(n - 1);
            sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_interpolates_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
        assert!((quantile_sorted(&v, 0.5) - 2.5).abs() < 1e-15);
        assert!((quantile_sorted(&v, 0.9) - 3.7).abs() < 1e-12);
        assert!(quantile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn rejects_bad_settings() {
        assert!(Bootstrap::new(5, 0.95, 1).is_err());
        assert!(Bootstrap::new(100, 1.0, 1).is_err());
        assert!(Bootstrap::new(100, f64::NAN, 1).is_err());
    }

    /// The interval of a mean of 400 standard-uniform values covers the true mean 0.5 and is about
    /// 2 × 1.96 × sqrt(1/12/400) = 0.057 wide; the same seed gives the same interval.
    #[test]
    fn mean_interval_has_the_expected_width_and_repeats() {
        let mut rng = stream_rng(3, Purpose::Bootstrap, 999);
        let data: Vec<f64> = (0..400).map(|_| super::super::unit(&mut rng)).collect();
        let mean = data.iter().sum::<f64>() / 400.0;
        let boot = Bootstrap::new(2_000, 0.95, 11).unwrap();
        let stat = |rows: &[usize], out: &mut [f64]| {
            out[0] = rows.iter().map(|&r| data[r]).sum::<f64>() / rows.len() as f64;
        };
        let a = boot.intervals(400, &[mean], stat)[0];
        let b = boot.intervals(400, &[mean], stat)[0];
        assert_eq!(a, b);
        assert!(a.contains(0.5), "{a:?}");
        assert!((a.width() - 0.0566).abs() < 0.01, "{a:?}");
        assert!(a.lo < mean && mean < a.hi);
    }
}
