//! Mergeable statistics in exact integer arithmetic.
//!
//! Sums are kept as fixed-point integers (2⁻³² resolution), so merging partial results is exactly
//! associative and commutative: any chunking, thread count or sharding gives the same bits. Quantiles come
//! from fixed-bin histograms over the bounded score range. Must not: touch I/O.

/// Fixed-point scale: a value `x` is summed as `round(x * 2^32)`.
const FIXED_ONE: f64 = 4_294_967_296.0;

/// Count, sum and sum of squares of values in [-1, 1], exact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Moments {
    n: u64,
    sum: i128,
    sum_sq: u128,
}

impl Moments {
    /// Adds one value; values outside [-1, 1] are clamped (scores and differences of scores never are).
    pub fn push(&mut self, x: f64) {
        let q = round_half_away(x.clamp(-1.0, 1.0) * FIXED_ONE);
        self.n += 1;
        self.sum += i128::from(q);
        self.sum_sq += u128::from(q.unsigned_abs()) * u128::from(q.unsigned_abs());
    }

    /// Adds everything `other` has seen.
    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// Number of values.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Mean (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sum as f64 / FIXED_ONE / self.n as f64
        }
    }

    /// Sample standard deviation (n − 1 in the denominator; 0 for fewer than two values).
    pub fn sd(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = u128::from(self.n);
        let s = self.sum.unsigned_abs();
        // n·Σq² − (Σq)² is exact while n < 2^30 (|q| ≤ 2^32); fall back to floating point beyond.
        let numerator = match (n.checked_mul(self.sum_sq), s.checked_mul(s)) {
            (Some(a), Some(b)) => a.saturating_sub(b) as f64,
            _ => {
                let mean = self.sum as f64 / n as f64;
                (self.sum_sq as f64 - mean * self.sum as f64).max(0.0) * n as f64
            }
        };
        (numerator / (n * (n - 1)) as f64).sqrt() / FIXED_ONE
    }

    /// Standard error of the mean.
    pub fn se(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.sd() / (self.n as f64).sqrt()
        }
    }

    /// Normal-approximation 95% confidence interval of the mean.
    pub fn ci95(&self) -> (f64, f64) {
        let half = Z95 * self.se();
        (self.mean() - half, self.mean() + half)
    }
}

/// `y.round() as i64` (halves away from zero) for |y| ≤ 2³², without a call into libm. The cast truncates
/// toward zero and `y - trunc(y)` is exact below 2⁵², so the fraction decides the rounding exactly; NaN
/// gives 0, as the cast of `round` does.
#[inline]
fn round_half_away(y: f64) -> i64 {
    let whole = y as i64;
    let fraction = y - whole as f64;
    whole + i64::from(fraction >= 0.5) - i64::from(fraction <= -0.5)
}

/// The 97.5% quantile of the standard normal.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Number of histogram bins over [0, 1]: quantiles resolve to 1/BINS.
pub const BINS: usize = 1000;

/// The bin of `x` (clamped to [0, 1]) among `BINS` equal bins.
pub fn hist_bin(x: f64) -> u16 {
    // BINS fits u16; the cast cannot truncate after `min`.
    // Through i32 (the product is in 0..=BINS), whose conversion from f64 has a vector instruction.
    ((x.clamp(0.0, 1.0) * BINS as f64) as i32).min(BINS as i32 - 1) as u16
}

/// Adds `x` (in [0, 1]) to the histogram `counts` of `BINS` bins.
pub fn hist_push(counts: &mut [u32], x: f64) {
    counts[usize::from(hist_bin(x))] += 1;
}

/// The `q`-quantile (0..=1) of the histogram `counts` over [0, 1], interpolated within its bin.
pub fn hist_quantile(counts: &[u32], q: f64) -> f64 {
    let n: u64 = counts.iter().map(|&c| u64::from(c)).sum();
    if n == 0 {
        return f64::NAN;
    }
    let rank = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let width = 1.0 / counts.len() as f64;
    let mut below = 0u64;
    for (b, &c) in counts.iter().enumerate() {
        let c = u64::from(c);
        if c > 0 && rank < (below + c) as f64 {
            let within = (rank - below as f64 + 0.5) / c as f64;
            return (b as f64 + within) * width;
        }
        below += c;
    }
    1.0
}

/// A share of `n` runs and its Monte Carlo standard error `sqrt(p(1 − p)/n)`.
pub fn proportion(count: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let p = count as f64 / n as f64;
    (p, (p * (1.0 - p) / n as f64).sqrt())
}

/// Wilson score 95% interval of a share of `count` in `n` runs; sound near 0 and 1, where the normal
/// approximation is not (a check that held in every run still gets an interval below 1).
pub fn wilson95(count: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n, p, z2) = (n as f64, count as f64 / n as f64, Z95 * Z95);
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_match_textbook_values() {
        let mut m = Moments::default();
        for x in [0.1, 0.2, 0.3, 0.4] {
            m.push(x);
        }
        assert!((m.mean() - 0.25).abs() < 1e-9);
        assert!((m.sd() - 0.129_099_444_873_580_56).abs() < 1e-9);
    }

    #[test]
    fn fast_rounding_matches_round_on_halves_and_neighbours() {
        let mut ys = vec![0.0, -0.0, f64::NAN, FIXED_ONE, -FIXED_ONE];
        for k in [0.5f64, 1.5, 2.5, 1e6 + 0.5, 4_294_967_295.5] {
            for y in [k, -k] {
                ys.extend([
                    y,
                    f64::from_bits(y.to_bits() + 1),
                    f64::from_bits(y.to_bits() - 1),
                ]);
            }
        }
        for i in 0..10_000 {
            ys.push((i as f64 * 0.618_033_988_749_895).fract() * 2.0 * FIXED_ONE - FIXED_ONE);
        }
        for y in ys {
            assert_eq!(round_half_away(y), y.round() as i64, "y = {y:e}");
        }
    }

    #[test]
    fn merging_is_exact_in_any_order() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 999.0 - 0.3)
            .collect();
        let mut whole = Moments::default();
        xs.iter().for_each(|&x| whole.push(x));
        let mut parts = [Moments::default(); 3];
        for (i, &x) in xs.iter().enumerate() {
            parts[i % 3].push(x);
        }
        let mut merged = parts[2];
        merged.merge(&parts[0]);
        merged.merge(&parts[1]);
        assert_eq!(merged, whole);
        assert_eq!(merged.sd().to_bits(), whole.sd().to_bits());
    }

    #[test]
    fn quantiles_of_a_uniform_histogram_are_close_to_the_level() {
        let mut counts = vec![0u32; BINS];
        for i in 0..10_000 {
            hist_push(&mut counts, (i as f64 + 0.5) / 10_000.0);
        }
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            assert!(
                (hist_quantile(&counts, q) - q).abs() < 2.0 / BINS as f64,
                "q={q}"
            );
        }
    }

    #[test]
    fn wilson_interval_matches_a_published_value_and_stays_in_range() {
        // 8 of 10: Wilson 95% interval (0.4902, 0.9433) (Newcombe 1998, table I).
        let (lo, hi) = wilson95(8, 10);
        assert!(
            (lo - 0.4902).abs() < 1e-4 && (hi - 0.9433).abs() < 1e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson95(100, 100);
        assert!(lo < 1.0 && lo > 0.95 && hi == 1.0);
        assert_eq!(wilson95(0, 50).0, 0.0);
    }

    #[test]
    fn proportion_has_binomial_standard_error() {
        let (p, se) = proportion(25, 100);
        assert_eq!(p, 0.25);
        assert!((se - (0.25f64 * 0.75 / 100.0).sqrt()).abs() < 1e-15);
    }
}
