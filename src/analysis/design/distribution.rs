//! Mapping a unit coordinate `u` in [0, 1] through a distribution's inverse cumulative distribution
//! function, so that uniform design points become draws of uncertain parameters (the inverse-CDF
//! method; a stratified `u`, as in a Latin hypercube or a Sobol design, stays stratified).
//!
//! Distributions: uniform(lo, hi); triangular(lo, mode, hi); normal(mean, sd) truncated to [lo, hi];
//! discrete choices with weights. Each is built by a validated constructor, after which mapping
//! cannot fail. The standard normal quantile is Wichura's AS 241 (1988, Applied Statistics 37,
//! 477–484; relative error about 1e-16), the normal distribution function is `erfc(−x/√2)/2` with
//! Cody's (1969) erfc (relative error about 1e-15 in the lower tail). Both use the model's own
//! `exp` and `ln_1p` (`model::Real`) so that the same `u` gives the same bits on every platform.

// The published coefficients below are quoted digit for digit, beyond what a double holds, so that
// they can be checked against their sources.
#![allow(clippy::excessive_precision)]

use crate::analysis::{AnalysisError, Result};
use crate::model::Real;

/// A distribution of one uncertain parameter, mapped from a unit coordinate by [`Distribution::quantile`].
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Uniform on [lo, hi].
    Uniform {
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// Triangular on [lo, hi] with its peak at `mode`.
    Triangular {
        /// Lower bound.
        lo: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        hi: f64,
    },
    /// Normal(mean, sd²) conditioned on [lo, hi].
    TruncatedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
        /// Lower bound.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// One of several values, each with a probability proportional to its weight.
    Choices(Choices),
}

/// Discrete choices: values and their cumulative probabilities.
#[derive(Clone, Debug, PartialEq)]
pub struct Choices {
    values: Vec<f64>,
    /// Cumulative probabilities, the last exactly 1.
    cumulative: Vec<f64>,
}

impl Choices {
    /// Index of the choice at unit coordinate `u`: choice `j` covers `[c_{j−1}, c_j)` of the
    /// cumulative weights (the last also takes `u = 1`). With equal weights, a full factorial with as
    /// many levels as choices visits each choice once.
    pub fn index(&self, u: f64) -> usize {
        self.cumulative
            .iter()
            .position(|&c| u < c)
            .unwrap_or(self.cumulative.len() - 1)
    }

    /// The values, in the order given.
    pub fn values(&self) -> &[f64] {
        &self.values
    }
}

fn invalid(name: &'static str, value: String, allowed: &'static str) -> AnalysisError {
    AnalysisError::Invalid {
        name,
        value,
        allowed,
    }
}

fn finite_bounds(lo: f64, hi: f64) -> Result<()> {
    if lo.is_finite() && hi.is_finite() && lo < hi {
        Ok(())
    } else {
        Err(invalid(
            "bounds",
            format!("[{lo}, {hi}]"),
            "finite numbers with lo < hi",
        ))
    }
}

impl Distribution {
    /// Uniform on [lo, hi], finite with `lo < hi`.
    pub fn uniform(lo: f64, hi: f64) -> Result<Distribution> {
        finite_bounds(lo, hi)?;
        Ok(Distribution::Uniform { lo, hi })
    }

    /// Triangular on [lo, hi] with mode in [lo, hi].
    pub fn triangular(lo: f64, mode: f64, hi: f64) -> Result<Distribution> {
        finite_bounds(lo, hi)?;
        if !(lo <= mode && mode <= hi) {
            return Err(invalid("mode", mode.to_string(), "between lo and hi"));
        }
        Ok(Distribution::Triangular { lo, mode, hi })
    }

    /// Normal(mean, sd²) truncated to finite [lo, hi]; the interval must lie within 37 standard
    /// deviations of the mean (beyond, its probability is below the smallest double).
    pub fn truncated_normal(mean: f64, sd: f64, lo: f64, hi: f64) -> Result<Distribution> {
        finite_bounds(lo, hi)?;
        if !(mean.is_finite() && sd.is_finite() && sd > 0.0) {
            return Err(invalid(
                "mean, sd",
                format!("{mean}, {sd}"),
                "a finite mean and a positive finite sd",
            ));
        }
        if (lo - mean) / sd > 37.0 || (hi - mean) / sd < -37.0 {
            return Err(invalid(
                "bounds",
                format!("[{lo}, {hi}] for mean {mean}, sd {sd}"),
                "an interval within 37 sd of the mean",
            ));
        }
        Ok(Distribution::TruncatedNormal { mean, sd, lo, hi })
    }

    /// Discrete `values` with positive finite `weights` (same length, at least one).
    pub fn choices(values: Vec<f64>, weights: &[f64]) -> Result<Distribution> {
        if values.is_empty() || values.len() != weights.len() {
            return Err(invalid(
                "choices",
                format!("{} values, {} weights", values.len(), weights.len()),
                "at least one value and one weight per value",
            ));
        }
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
            return Err(invalid("weight", w.to_string(), "a positive finite number"));
        }
        let total: f64 = weights.iter().sum();
        let mut sum = 0.0;
        let mut cumulative: Vec<f64> = weights
            .iter()
            .map(|w| {
                sum += w;
                sum / total
            })
            .collect();
        // unwrap OK: values is non-empty, checked above, and weights has its length.
        *cumulative.last_mut().unwrap() = 1.0;
        Ok(Distribution::Choices(Choices { values, cumulative }))
    }

    /// The value at unit coordinate `u` (clamped to [0, 1]): the inverse distribution function.
    /// Monotone non-decreasing in `u`; `u = 0` and `u = 1` give the bounds.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        match self {
            Distribution::TruncatedNormal { lo, .. } if u == 0.0 => *lo,
            Distribution::TruncatedNormal { hi, .. } if u == 1.0 => *hi,
            Distribution::Uniform { lo, hi } => lo + u * (hi - lo),
            Distribution::Triangular { lo, mode, hi } => {
                let (width, left, right) = (hi - lo, mode - lo, hi - mode);
                if u * width < left {
                    lo + (u * width * left).sqrt()
                } else {
                    (hi - ((1.0 - u) * width * right).sqrt()).max(*lo)
                }
            }
            Distribution::TruncatedNormal { mean, sd, lo, hi } => {
                let (z_lo, z_hi) = ((lo - mean) / sd, (hi - mean) / sd);
                // Work in the lower tail, where normal_cdf is accurate: mirror an interval above the mean.
                let z = if z_lo > 0.0 {
                    -truncated_standard_quantile(-z_hi, -z_lo, 1.0 - u)
                } else {
                    truncated_standard_quantile(z_lo, z_hi, u)
                };
                (mean + sd * z).clamp(*lo, *hi)
            }
            Distribution::Choices(c) => c.values[c.index(u)],
        }
    }
}

/// Quantile `u` of the standard normal truncated to [a, b], `a ≤ 0`.
fn truncated_standard_quantile(a: f64, b: f64, u: f64) -> f64 {
    let (pa, pb) = (normal_cdf(a), normal_cdf(b));
    normal_quantile(pa + u * (pb - pa)).clamp(a, b)
}

/// The standard normal distribution function Φ(x) = erfc(−x/√2)/2, with relative error about 1e-15
/// in the lower tail (growing to about 1e-13 near x = −37, from rounding x/√2), 0 below −37.
pub fn normal_cdf(x: f64) -> f64 {
    if x < -37.0 {
        return 0.0;
    }
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// The complementary error function by Cody's (1969) rational Chebyshev approximations
/// ("Rational Chebyshev approximations for the error function", Math. Comp. 23, 631–637), in three
/// intervals of |x|: below 0.46875 through erf, up to 4, and beyond; `exp(−x²)` is split as
/// `exp(−z²) exp(−(x − z)(x + z))` with `z` = x truncated to 1/16 so its rounding does not grow with x.
fn erfc(x: f64) -> f64 {
    let y = x.abs();
    if y <= 0.468_75 {
        let z = y * y;
        return 1.0 - x * horner(&CODY_A, z) / horner(&CODY_B, z);
    }
    let r = if y <= 4.0 {
        horner(&CODY_C, y) / horner(&CODY_D, y)
    } else {
        let z = 1.0 / (y * y);
        (FRAC_1_SQRT_PI - z * horner(&CODY_P, z) / horner(&CODY_Q, z)) / y
    };
    let z = (y * 16.0).trunc() / 16.0;
    let tail = Real::exp(-z * z) * Real::exp(-(y - z) * (y + z)) * r;
    if x < 0.0 {
        2.0 - tail
    } else {
        tail
    }
}

/// 1/√π.
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;

// Cody (1969), constant term first (as in his CALERF).
const CODY_A: [f64; 5] = [
    3.209_377_589_138_469_47e3,
    3.774_852_376_853_020_21e2,
    1.138_641_541_510_501_56e2,
    3.161_123_743_870_565_60,
    1.857_777_061_846_031_53e-1,
];
const CODY_B: [f64; 5] = [
    2.844_236_833_439_170_62e3,
    1.282_616_526_077_372_28e3,
    2.440_246_379_344_441_73e2,
    2.360_129_095_234_412_09e1,
    1.0,
];
const CODY_C: [f64; 9] = [
    1.230_339_354_797_997_25e3,
    2.051_078_377_826_071_47e3,
    1.712_047_612_634_070_58e3,
    8.819_522_212_417_690_90e2,
    2.986_351_381_974_001_31e2,
    6.611_919_063_714_162_95e1,
    8.883_149_794_388_375_94,
    5.641_884_969_886_700_89e-1,
    2.153_115_354_744_038_46e-8,
];
const CODY_D: [f64; 9] = [
    1.230_339_354_803_749_42e3,
    3.439_367_674_143_721_64e3,
    4.362_619_090_143_247_16e3,
    3.290_799_235_733_459_63e3,
    1.621_389_574_566_690_19e3,
    5.371_811_018_620_098_58e2,
    1.176_939_508_913_124_99e2,
    1.574_492_611_070_983_47e1,
    1.0,
];
const CODY_P: [f64; 6] = [
    6.587_491_615_298_378_03e-4,
    1.608_378_514_874_227_66e-2,
    1.257_817_261_112_292_46e-1,
    3.603_448_999_498_044_39e-1,
    3.053_266_349_612_323_44e-1,
    1.631_538_713_730_209_78e-2,
];
const CODY_Q: [f64; 6] = [
    2.335_204_976_268_691_85e-3,
    6.051_834_131_244_131_91e-2,
    5.279_051_029_514_284_12e-1,
    1.872_952_849_923_460_47,
    2.568_520_192_289_822_42,
    1.0,
];

/// The standard normal quantile Φ⁻¹(p) by Wichura's AS 241 (PPND16): relative error about 1e-16 on
/// (0, 1); −∞ at 0, ∞ at 1, NaN outside [0, 1].
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        return q * horner(&AS241_A, r) / horner(&AS241_B, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    if tail == 0.0 {
        return if q < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    // −ln(tail) = ln(1/tail) = ln_1p(1/tail − 1), with 1/tail ≥ 13 here (tail < 0.075).
    let r = Real::ln_1p(1.0 / tail - 1.0).sqrt();
    let value = if r <= 5.0 {
        let r = r - 1.6;
        horner(&AS241_C, r) / horner(&AS241_D, r)
    } else {
        let r = r - 5.0;
        horner(&AS241_E, r) / horner(&AS241_F, r)
    };
    if q < 0.0 {
        -value
    } else {
        value
    }
}

/// `c[0] + c[1] x + … + c[n] xⁿ` by Horner's rule.
fn horner(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &k| acc * x + k)
}

// Wichura (1988), AS 241 PPND16, constant term first.
const AS241_A: [f64; 8] = [
    3.387_132_872_796_366_608,
    133.141_667_891_784_377_45,
    1_971.590_950_306_551_442_7,
    13_731.693_765_509_461_125,
    45_921.953_931_549_871_457,
    67_265.770_927_008_700_853,
    33_430.575_583_588_128_105,
    2_509.080_928_730_122_672_7,
];
const AS241_B: [f64; 8] = [
    1.0,
    42.313_330_701_600_911_252,
    687.187_007_492_057_908_3,
    5_394.196_021_424_751_107_7,
    21_213.794_301_586_595_867,
    39_307.895_800_092_710_61,
    28_729.085_735_721_942_674,
    5_226.495_278_852_854_561,
];
const AS241_C: [f64; 8] = [
    1.423_437_110_749_683_577_34,
    4.630_337_846_156_545_295_9,
    5.769_497_221_460_691_405_5,
    3.647_848_324_763_204_605_04,
    1.270_458_252_452_368_382_58,
    0.241_780_725_177_450_611_77,
    0.022_723_844_989_269_184_583_3,
    7.745_450_142_783_414_076_4e-4,
];
const AS241_D: [f64; 8] = [
    1.0,
    2.053_191_626_637_758_821_87,
    1.676_384_830_183_803_849_4,
    0.689_767_334_985_100_004_55,
    0.148_103_976_427_480_074_59,
    0.015_198_666_563_616_457_196_6,
    5.475_938_084_995_344_946e-4,
    1.050_750_071_644_416_843_24e-9,
];
const AS241_E: [f64; 8] = [
    6.657_904_643_501_103_777_2,
    5.463_784_911_164_114_369_9,
    1.784_826_539_917_291_335_8,
    0.296_560_571_828_504_891_23,
    0.026_532_189_526_576_123_093,
    0.001_242_660_947_388_078_438_6,
    2.711_555_568_743_487_578_15e-5,
    2.010_334_399_292_288_132_65e-7,
];
const AS241_F: [f64; 8] = [
    1.0,
    0.599_832_206_555_887_937_69,
    0.136_929_880_922_735_805_31,
    0.014_875_361_290_850_614_852_5,
    7.868_691_311_456_132_591e-4,
    1.846_318_317_510_054_681_8e-5,
    1.421_511_758_316_445_888_7e-7,
    2.044_263_103_389_939_785_64e-15,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    /// Reference values from scipy 1.17 (`special.ndtri`, `stats.norm.cdf`), an independent
    /// implementation (Cephes).
    #[test]
    fn normal_functions_match_scipy() {
        let quantiles = [
            (1e-300, -37.0470962993612),
            (1e-20, -9.262340089798409),
            (1e-10, -6.361340902404056),
            (0.001, -3.090232306167813),
            (0.02, -2.053748910631823),
            (0.07, -1.4757910281791706),
            (0.3, -0.5244005127080409),
            (0.8, 0.8416212335729143),
            (0.97, 1.8807936081512509),
            (0.999999, 4.753424308817087),
        ];
        for (p, z) in quantiles {
            assert!(
                close(normal_quantile(p), z, 1e-14),
                "{p}: {}",
                normal_quantile(p)
            );
        }
        assert_eq!(normal_quantile(0.5), 0.0);
        assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
        assert_eq!(normal_quantile(1.0), f64::INFINITY);
        let cdfs = [
            (-20.0, 2.7536241186061556e-89),
            (-8.0, 6.22096057427174e-16),
            (-3.0, 0.0013498980316300933),
            (-1.0, 0.15865525393145707),
            (0.0, 0.5),
            (0.5, 0.6914624612740131),
            (2.0, 0.9772498680518208),
            (6.0, 0.9999999990134123),
        ];
        for (x, p) in cdfs {
            // Rounding x/√2 costs a relative error of about x² · 1e-16 in the tail.
            assert!(
                close(normal_cdf(x), p, 1e-15 * (1.0 + x * x)),
                "{x}: {}",
                normal_cdf(x)
            );
        }
    }

    #[test]
    fn quantile_inverts_cdf() {
        // The lower half only: above the mean Φ is within 1e-16 of 1 and cannot be inverted finely.
        for i in 1..=100 {
            let z = -9.0 + 0.09 * i as f64;
            let back = normal_quantile(normal_cdf(z));
            assert!((back - z).abs() < 1e-13 * z.abs().max(1.0), "{z} -> {back}");
        }
    }

    #[test]
    fn simple_distributions_map_as_expected() {
        let u = Distribution::uniform(2.0, 4.0).unwrap();
        assert_eq!(
            (u.quantile(0.0), u.quantile(0.25), u.quantile(1.0)),
            (2.0, 2.5, 4.0)
        );
        let t = Distribution::triangular(0.0, 1.0, 4.0).unwrap();
        // F(mode) = 1/4; median solves (4 − x)²/12 = 1/2.
        assert!((t.quantile(0.25) - 1.0).abs() < 1e-15);
        assert!((t.quantile(0.5) - (4.0 - 6f64.sqrt())).abs() < 1e-14);
        assert_eq!((t.quantile(0.0), t.quantile(1.0)), (0.0, 4.0));
        let c = Distribution::choices(vec![10.0, 20.0, 30.0], &[1.0, 2.0, 1.0]).unwrap();
        assert_eq!(
            [0.0, 0.24, 0.25, 0.74, 0.75, 1.0].map(|u| c.quantile(u)),
            [10.0, 10.0, 20.0, 20.0, 30.0, 30.0]
        );
    }

    /// The truncated normal keeps to its bounds, its median is the normal's when the truncation is
    /// symmetric, and a one-sided far-tail truncation is accurate (mirrored into the lower tail).
    #[test]
    fn truncated_normal_is_accurate() {
        let d = Distribution::truncated_normal(1.0, 2.0, -3.0, 5.0).unwrap();
        assert_eq!(d.quantile(0.0), -3.0);
        assert_eq!(d.quantile(1.0), 5.0);
        assert!((d.quantile(0.5) - 1.0).abs() < 1e-12);
        // Normal(0,1) above 6: the median is −Φ⁻¹(Φ(−6)/2), about 6.11 (the tail's mean is 6.16).
        let far = Distribution::truncated_normal(0.0, 1.0, 6.0, 30.0).unwrap();
        let m = far.quantile(0.5);
        let expected = -normal_quantile(normal_cdf(-6.0) / 2.0);
        assert!((m - expected).abs() < 1e-9 && m > 6.1 && m < 6.12, "{m}");
        let mut previous = f64::NEG_INFINITY;
        for i in 0..=100 {
            let x = d.quantile(i as f64 / 100.0);
            assert!(x >= previous);
            previous = x;
        }
    }

    #[test]
    fn constructors_reject_bad_values() {
        assert!(Distribution::uniform(1.0, 1.0).is_err());
        assert!(Distribution::uniform(0.0, f64::INFINITY).is_err());
        assert!(Distribution::triangular(0.0, 2.0, 1.0).is_err());
        assert!(Distribution::truncated_normal(0.0, 0.0, -1.0, 1.0).is_err());
        assert!(Distribution::truncated_normal(0.0, 1.0, 40.0, 41.0).is_err());
        assert!(Distribution::choices(vec![], &[]).is_err());
        assert!(Distribution::choices(vec![1.0], &[0.0]).is_err());
        assert!(Distribution::choices(vec![1.0, 2.0], &[1.0]).is_err());
    }
}
