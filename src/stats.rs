//! Mergeable statistics in exact integer arithmetic.
//!
//! Sums are kept as fixed-point integers (2⁻³² resolution), so merging partial results is exactly
//! associative and commutative: any chunking, thread count or sharding gives the same bits. Quantiles come
//! from fixed-bin histograms over the bounded score range. Must not: touch I/O.

use std::borrow::Borrow;

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

    /// True if these could be the moments of exactly `n` values in [-1, 1]: the count is `n`, the sums
    /// are within what `n` such values give, and `(Σq)² ≤ n·Σq²` (Cauchy–Schwarz). For moments read
    /// from a file: every value pushed satisfies it.
    pub fn fits(&self, n: u64) -> bool {
        let n128 = u128::from(n);
        let one = 1u128 << 32;
        let s = self.sum.unsigned_abs();
        // n·2⁶⁴ < 2¹²⁸ for any u64 n, so the bounds cannot overflow; the products can, for huge n.
        let cauchy_schwarz = match (s.checked_mul(s), n128.checked_mul(self.sum_sq)) {
            (Some(square), Some(bound)) => square <= bound,
            (None, Some(_)) => false,
            (Some(_), None) => true,
            (None, None) => (s as f64) * (s as f64) <= (n as f64) * (self.sum_sq as f64),
        };
        self.n == n && s <= n128 * one && self.sum_sq <= n128 * one * one && cauchy_schwarz
    }

    /// Adds `count` zeros: the same as `count` calls of `push(0.0)`.
    pub fn push_zeros(&mut self, count: u64) {
        self.n += count;
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

/// Values per block push ([`push_blocks`]): a block of runs advanced in lock-step (`model::LANES`).
pub const BLOCK: usize = 8;

/// Sums that [`push_blocks`] has added to a cell and not yet folded into the cell's [`Moments`], kept
/// lane by lane (four lanes, as in one AVX2 register) in 64-bit integers, so that adding a block needs
/// neither a sum across lanes nor 128-bit arithmetic. [`BlockSums::fold_into`] moves them into the
/// `Moments`; until then the `Moments` lack them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockSums {
    /// Values added since the last fold.
    n: u64,
    /// Per lane: `Σq` in two's complement.
    sum: [u64; 4],
    /// Per lane: `Σ(⌊l²/2³²⌋ + h·2³²)` (see `push_blocks_avx2`), the part of `Σq²` in units of 2³².
    high: [u64; 4],
    /// Per lane: `Σ(l² mod 2³²)`, the rest of `Σq²`.
    low: [u64; 4],
}

impl BlockSums {
    /// Values at which `push_blocks` folds a cell's sums on its own. `n` grows from 0 by `BLOCK`, a
    /// divisor of 2³², so a cell holds at most 2³² values, a quarter of them in each lane. Each value
    /// adds at most 2³² in magnitude to each sum of its lane, so every lane's sums stay within
    /// `2³⁰·2³² = 2⁶²`: no overflow, and `sum` read as an `i64` is exact.
    const FOLD_AT: u64 = 1 << 32;

    /// Adds these sums to `moments` and empties them.
    pub fn fold_into(&mut self, moments: &mut Moments) {
        moments.n += self.n;
        for lane in 0..4 {
            moments.sum += i128::from(self.sum[lane] as i64);
            moments.sum_sq += (u128::from(self.high[lane]) << 32) + u128::from(self.low[lane]);
        }
        *self = BlockSums::default();
    }
}

/// Adds the `BLOCK` values of `blocks[i]` to cell `i`, for every `i` up to the shortest of the three
/// slices, exactly as `BLOCK` calls of [`Moments::push`] on `moments[i]` would once `pending[i]` is
/// folded into it ([`BlockSums::fold_into`]): the same clamping, rounding and totals.
///
/// On an x86-64 CPU with AVX2 the values are rounded four at a time in vector registers and added to
/// `pending` (which is folded on its own when it has taken 2³² values), chosen at run time as
/// `model::step` is; elsewhere this is those calls of `push`, and `pending` stays as it is. Tests
/// check that the two agree.
pub fn push_blocks<B: Borrow<[f64; BLOCK]>>(
    moments: &mut [Moments],
    pending: &mut [BlockSums],
    blocks: &[B],
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { push_blocks_avx2(moments, pending, blocks) };
    }
    push_blocks_portable(moments, pending, blocks);
}

/// `push_blocks` for any CPU: one `push` per value.
fn push_blocks_portable<B: Borrow<[f64; BLOCK]>>(
    moments: &mut [Moments],
    _: &mut [BlockSums],
    blocks: &[B],
) {
    for (m, block) in moments.iter_mut().zip(blocks) {
        block.borrow().iter().for_each(|&x| m.push(x));
    }
}

/// 1.5·2⁵²: adding it to a number of magnitude below 2⁵¹ rounds that number to the nearest integer (ties
/// to even), which then sits in the low bits of the sum, as in `model::real`.
#[cfg(target_arch = "x86_64")]
const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// `push_blocks` in AVX2 vector instructions.
///
/// A block's values are rounded to fixed point without float-to-integer conversions (x86-64 has none
/// for 64-bit integers before AVX-512) and added lane by lane to the cell's pending 64-bit sums
/// ([`BlockSums`], whose bounds are proved there). For one value `x`, with
/// `q = round_half_away(x.clamp(-1.0, 1.0) * 2³²)` as `push` has it:
///
/// - `a = min(max(|x|, 0), 1)·2³²` is exact (a power-of-two scaling) and lies in [0, 2³²]; x86's `max`
///   returns its second operand when the first is NaN, so NaN gives `a = 0` and `q = 0`, as in `push`.
///   Clamping and rounding the magnitude, then restoring the sign, is what `push` computes, since its
///   clamping and rounding are both symmetric about 0.
/// - `t = a + 1.5·2⁵²` lies in [2⁵², 2⁵³), where the doubles are exactly the integers and the bit
///   pattern counts units, so `t = 1.5·2⁵² + r` with `r` the integer nearest `a`, ties to even (1.5·2⁵²
///   is even). `r = t − 1.5·2⁵²` is exact, and so is `d = a − r`: `|d| ≤ 0.5`, and when `a ≥ 1` both are
///   multiples of the unit in the last place of `a`; when `a < 1`, `r` is 0 (then `d = a`) or 1 (then
///   Sterbenz's lemma applies, `a ≥ 0.5`).
/// - Rounding half away from zero differs from ties to even only when `a` lies exactly halfway and was
///   rounded down, that is when `d = 0.5`; then `|q| = r + 1`. Without a comparison: `c = d·2⁵⁴ −
///   (2⁵³ − 1)` is exactly 1 when `d = 0.5`, and at most 0 otherwise (`d < 0.5` makes `d·2⁵⁴` a double
///   below 2⁵³, hence at most 2⁵³ − 1; rounding is monotonic), so `t' = max(t, t + c)` is `t + 1` at a
///   tie and `t` otherwise, still below 2⁵³. `|q| = bits(t') − bits(1.5·2⁵²)`.
/// - `q` itself: `|q|` as a double (`t' − 1.5·2⁵²`, exact) takes the sign bit of `x`, and `q + 1.5·2⁵²`
///   lies in [2⁵², 2⁵³) too (`|q| ≤ 2³²`), so `bits(q + 1.5·2⁵²) − bits(1.5·2⁵²)`, wrapping, is `q` in
///   two's complement.
/// - `q²` would need 65 bits when `|q| = 2³²`. Write `|q| = h·2³² + l` with `h ∈ {0, 1}`, `l < 2³²`,
///   and `l = 0` when `h = 1`: `q² = l² + h·2⁶⁴ = (⌊l²/2³²⌋ + h·2³²)·2³² + (l² mod 2³²)`, where `l²` is
///   one 32×32→64-bit vector multiplication and `h·2³²` is bit 32 of `|q|`.
/// - Each value adds at most 2³² in magnitude to each of `Σq`, `Σ(⌊l²/2³²⌋ + h·2³²)` (whose two terms
///   are never both nonzero) and `Σ(l² mod 2³²)`: the bound `BlockSums` relies on. Folding adds the
///   first to `sum` as a signed number, the other two to `sum_sq` as `high·2³² + low`.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn push_blocks_avx2<B: Borrow<[f64; BLOCK]>>(
    moments: &mut [Moments],
    pending: &mut [BlockSums],
    blocks: &[B],
) {
    use std::arch::x86_64::*;
    const { assert!(BLOCK == 8, "a block is two vectors of four doubles") };
    let sign = _mm256_set1_pd(-0.0);
    let zero = _mm256_setzero_pd();
    let one = _mm256_set1_pd(1.0);
    let scale = _mm256_set1_pd(FIXED_ONE);
    let shifter = _mm256_set1_pd(SHIFTER);
    let two_54 = _mm256_set1_pd(18_014_398_509_481_984.0);
    let tie_bias = _mm256_set1_pd(9_007_199_254_740_991.0); // 2^53 - 1
    let shifter_bits = _mm256_set1_epi64x(SHIFTER.to_bits() as i64);
    let low_half = _mm256_set1_epi64x(i64::from(u32::MAX));
    let bit_32 = _mm256_set1_epi64x(1 << 32);
    let cells = moments.iter_mut().zip(pending.iter_mut()).zip(blocks);
    for ((m, p), block) in cells {
        let mut sum = _mm256_loadu_si256(p.sum.as_ptr().cast());
        let mut high = _mm256_loadu_si256(p.high.as_ptr().cast());
        let mut low = _mm256_loadu_si256(p.low.as_ptr().cast());
        for half in [0, 4] {
            // In bounds: `half + 4 ≤ BLOCK`.
            let x = _mm256_loadu_pd(block.borrow().as_ptr().add(half));
            let a = _mm256_min_pd(_mm256_max_pd(_mm256_andnot_pd(sign, x), zero), one);
            let a = _mm256_mul_pd(a, scale);
            let t = _mm256_add_pd(a, shifter);
            let d = _mm256_sub_pd(a, _mm256_sub_pd(t, shifter));
            let c = _mm256_sub_pd(_mm256_mul_pd(d, two_54), tie_bias);
            let t = _mm256_max_pd(t, _mm256_add_pd(t, c));
            let magnitude = _mm256_sub_epi64(_mm256_castpd_si256(t), shifter_bits);
            let signed = _mm256_or_pd(_mm256_sub_pd(t, shifter), _mm256_and_pd(x, sign));
            let signed = _mm256_add_pd(signed, shifter);
            let q = _mm256_sub_epi64(_mm256_castpd_si256(signed), shifter_bits);
            let square = _mm256_mul_epu32(magnitude, magnitude);
            sum = _mm256_add_epi64(sum, q);
            high = _mm256_add_epi64(high, _mm256_srli_epi64::<32>(square));
            high = _mm256_add_epi64(high, _mm256_and_si256(magnitude, bit_32));
            low = _mm256_add_epi64(low, _mm256_and_si256(square, low_half));
        }
        // Each array holds four u64, 32 bytes.
        _mm256_storeu_si256(p.sum.as_mut_ptr().cast(), sum);
        _mm256_storeu_si256(p.high.as_mut_ptr().cast(), high);
        _mm256_storeu_si256(p.low.as_mut_ptr().cast(), low);
        p.n += BLOCK as u64;
        if p.n >= BlockSums::FOLD_AT {
            p.fold_into(m);
        }
    }
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

/// Writes the bins of the `BLOCK` values of `blocks[i]`, as [`hist_bin`] gives them, to
/// `bins[i * stride..i * stride + BLOCK]`, for every `i`.
///
/// On an x86-64 CPU with AVX2 the bins are computed eight at a time in vector registers, chosen at run
/// time; elsewhere this is `hist_bin` value by value. Tests check the two agree.
///
/// # Panics
/// If `bins` is too short for `blocks`.
pub fn hist_bin_blocks<B: Borrow<[f64; BLOCK]>>(blocks: &[B], bins: &mut [u16], stride: usize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { hist_bin_blocks_avx2(blocks, bins, stride) };
    }
    hist_bin_blocks_portable(blocks, bins, stride);
}

/// `hist_bin_blocks` for any CPU.
fn hist_bin_blocks_portable<B: Borrow<[f64; BLOCK]>>(
    blocks: &[B],
    bins: &mut [u16],
    stride: usize,
) {
    for (i, block) in blocks.iter().enumerate() {
        let to = &mut bins[i * stride..i * stride + BLOCK];
        to.iter_mut()
            .zip(block.borrow())
            .for_each(|(b, &x)| *b = hist_bin(x));
    }
}

/// `hist_bin_blocks` in AVX2 vector instructions, each lane computing what `hist_bin` computes:
/// `max(x, 0)` (x86's `max`, which returns its second operand when the first is NaN, so NaN gives bin 0
/// as the saturating cast of NaN does) then `min(·, 1)` is `x.clamp(0.0, 1.0)` for every other `x`
/// (−0.0 gives +0.0, whose bin is the same); the same product by `BINS`; the same truncation to a 32-bit
/// integer (the product lies in [0, BINS], so the cast neither saturates nor fails); the same `min`.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn hist_bin_blocks_avx2<B: Borrow<[f64; BLOCK]>>(
    blocks: &[B],
    bins: &mut [u16],
    stride: usize,
) {
    use std::arch::x86_64::*;
    const { assert!(BLOCK == 8, "a block is two vectors of four doubles") };
    const {
        assert!(
            BINS <= i16::MAX as usize,
            "bins pack into 16 bits with signed saturation"
        )
    };
    let zero = _mm256_setzero_pd();
    let one = _mm256_set1_pd(1.0);
    let scale = _mm256_set1_pd(BINS as f64);
    let last = _mm_set1_epi32(BINS as i32 - 1);
    for (i, block) in blocks.iter().enumerate() {
        let to = &mut bins[i * stride..i * stride + BLOCK];
        let mut halves = [_mm_setzero_si128(); 2];
        for (bins, half) in halves.iter_mut().zip([0, 4]) {
            // In bounds: `half + 4 ≤ BLOCK`.
            let x = _mm256_loadu_pd(block.borrow().as_ptr().add(half));
            let x = _mm256_min_pd(_mm256_max_pd(x, zero), one);
            *bins = _mm_min_epi32(_mm256_cvttpd_epi32(_mm256_mul_pd(x, scale)), last);
        }
        let [lo, hi] = halves;
        // `to` holds exactly eight u16, 16 bytes.
        _mm_storeu_si128(to.as_mut_ptr().cast(), _mm_packs_epi32(lo, hi));
    }
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

/// The 95% Monte Carlo margin of a share of `count` in `n` runs: the wider side of its Wilson interval,
/// as the tables on stdout and the report both give it. At 0% or 100% the normal margin would be ±0,
/// a certainty no finite number of runs supports.
pub fn margin95(count: u64, n: u64) -> f64 {
    let (p, _) = proportion(count, n);
    let (low, high) = wilson95(count, n);
    (p - low).max(high - p)
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
    use proptest::prelude::*;

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

    /// `x` and the doubles on either side of it (zeros have one neighbour of each sign), through the
    /// bits: `f64::next_up` is newer than the crate's minimum Rust.
    fn with_neighbours(x: f64) -> Vec<f64> {
        let bits = x.to_bits();
        if bits << 1 == 0 {
            return vec![x, 5e-324, -5e-324];
        }
        vec![x, f64::from_bits(bits + 1), f64::from_bits(bits - 1)]
    }

    /// Values where rounding to 2⁻³² steps is delicate: 0, ±1, beyond ±1, NaN, infinities, exact halves
    /// of a step and their neighbours, tiny and subnormal values, and spread values, in [-1.5, 1.5].
    fn awkward_values() -> Vec<f64> {
        let step = 1.0 / FIXED_ONE;
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            1.5,
            -1.5,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            0.5 * step - f64::EPSILON * step, // just below half a step
            1.0 - 0.5 * step,                 // rounds up to 2^32, the top
        ];
        for k in [0.0, 1.0, 2.0, 3.0, 1e6, 2_147_483_648.0, FIXED_ONE - 1.0] {
            for x in [(k + 0.5) * step, k * step] {
                for x in [x, -x] {
                    xs.extend(with_neighbours(x));
                }
            }
        }
        for i in 0..4000 {
            xs.push((i as f64 * 0.618_033_988_749_895).fract() * 3.0 - 1.5);
        }
        xs
    }

    /// The moments of `BLOCK` scalar pushes of each block.
    fn pushed_one_by_one(blocks: &[[f64; BLOCK]]) -> Vec<Moments> {
        blocks
            .iter()
            .map(|block| {
                let mut m = Moments::default();
                block.iter().for_each(|&x| m.push(x));
                m
            })
            .collect()
    }

    /// `xs` in blocks of `BLOCK`, padded with zeros.
    fn blocks_of(xs: &[f64]) -> Vec<[f64; BLOCK]> {
        xs.chunks(BLOCK)
            .map(|c| std::array::from_fn(|i| c.get(i).copied().unwrap_or(0.0)))
            .collect()
    }

    /// A version of `push_blocks`.
    type PushBlocks = fn(&mut [Moments], &mut [BlockSums], &[[f64; BLOCK]]);

    /// A version of `hist_bin_blocks`.
    type BinBlocks = fn(&[[f64; BLOCK]], &mut [u16], usize);

    /// `push_blocks` and each of its versions that this CPU can run, on the same blocks, starting from
    /// `start` in every cell, then folded.
    fn block_pushes(blocks: &[[f64; BLOCK]], start: Moments) -> Vec<(&'static str, Vec<Moments>)> {
        let run = |(name, push): (&'static str, PushBlocks)| {
            let mut m = vec![start; blocks.len()];
            let mut pending = vec![BlockSums::default(); blocks.len()];
            push(&mut m, &mut pending, blocks);
            m.iter_mut()
                .zip(&mut pending)
                .for_each(|(m, p)| p.fold_into(m));
            (name, m)
        };
        push_versions().into_iter().map(run).collect()
    }

    #[test]
    fn block_push_equals_scalar_pushes_on_awkward_values() {
        let xs = awkward_values();
        // Every value in every lane: the same values again, shifted by one lane at a time.
        for shift in 0..BLOCK {
            let blocks = blocks_of(&xs[shift..]);
            let expected = pushed_one_by_one(&blocks);
            for (name, got) in block_pushes(&blocks, Moments::default()) {
                for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
                    assert_eq!(g, e, "{name}, block {:?}", blocks[i]);
                }
            }
        }
    }

    /// The versions of `push_blocks` that this CPU can run.
    fn push_versions() -> Vec<(&'static str, PushBlocks)> {
        let mut out: Vec<(&'static str, PushBlocks)> = vec![
            ("dispatched", push_blocks),
            ("portable", push_blocks_portable),
        ];
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            out.push(("avx2", |m, p, b| unsafe { push_blocks_avx2(m, p, b) }));
        }
        out
    }

    #[test]
    fn pending_sums_of_many_blocks_fold_into_the_scalar_moments() {
        let xs = awkward_values();
        let blocks = blocks_of(&xs);
        let mut expected = Moments::default();
        blocks.iter().flatten().for_each(|&x| expected.push(x));
        for (name, push) in push_versions() {
            let (mut m, mut pending) = (Moments::default(), BlockSums::default());
            for block in &blocks {
                push(
                    std::slice::from_mut(&mut m),
                    std::slice::from_mut(&mut pending),
                    std::slice::from_ref(block),
                );
            }
            pending.fold_into(&mut m);
            assert_eq!(m, expected, "{name}");
            assert_eq!(pending, BlockSums::default(), "{name}: folding empties");
        }
    }

    #[test]
    fn pending_sums_fold_on_their_own_at_their_largest() {
        // A cell one block short of the fold, every value so far 1.0 (q = 2^32, q² = 2^64): the largest
        // sums it can hold. One more block of ±1.0 must fold, and the totals must be exact.
        let held = BlockSums::FOLD_AT - BLOCK as u64;
        let per_lane = (held / 4) << 32;
        let full = BlockSums {
            n: held,
            sum: [per_lane; 4],
            high: [per_lane; 4],
            low: [0; 4],
        };
        for x in [1.0, -1.0] {
            let mut expected = Moments {
                n: held,
                sum: i128::from(held) << 32,
                sum_sq: u128::from(held) << 64,
            };
            (0..BLOCK).for_each(|_| expected.push(x));
            for (name, push) in push_versions() {
                let (mut m, mut pending) = (Moments::default(), full);
                push(
                    std::slice::from_mut(&mut m),
                    std::slice::from_mut(&mut pending),
                    &[[x; BLOCK]],
                );
                pending.fold_into(&mut m);
                assert_eq!(m, expected, "{name}, x = {x}");
            }
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            let (mut m, mut pending) = (Moments::default(), full);
            // SAFETY: the CPU supports AVX2, checked just above.
            unsafe {
                push_blocks_avx2(
                    std::slice::from_mut(&mut m),
                    std::slice::from_mut(&mut pending),
                    &[[1.0; BLOCK]],
                )
            };
            assert_eq!(pending, BlockSums::default(), "folded on its own");
            assert_eq!(m.n, BlockSums::FOLD_AT);
        }
    }

    #[test]
    fn block_push_adds_to_what_a_cell_already_holds() {
        let mut start = Moments::default();
        [-1.0, -0.25, 0.75].iter().for_each(|&x| start.push(x));
        let blocks = [[1.0; BLOCK], [-1.0; BLOCK], [0.3; BLOCK]];
        let mut expected = vec![start; blocks.len()];
        for (m, block) in expected.iter_mut().zip(&blocks) {
            block.iter().for_each(|&x| m.push(x));
        }
        for (name, got) in block_pushes(&blocks, start) {
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn block_push_of_extremes_reaches_the_bounds_of_the_partial_sums() {
        // |q| = 2^32 in every lane: q² = 2^64 each, the case that does not fit 64 bits.
        for x in [1.0, -1.0] {
            let blocks = [[x; BLOCK]];
            for (name, got) in block_pushes(&blocks, Moments::default()) {
                let m = got[0];
                assert_eq!(m.n, BLOCK as u64, "{name}");
                assert_eq!(m.sum, (BLOCK as i128 * x as i128) << 32, "{name}");
                assert_eq!(m.sum_sq, (BLOCK as u128) << 64, "{name}");
            }
        }
    }

    /// `hist_bin_blocks` and each of its versions that this CPU can run, with stride `stride`.
    fn block_bins(blocks: &[[f64; BLOCK]], stride: usize) -> Vec<(&'static str, Vec<u16>)> {
        let mut out = Vec::new();
        let mut run = |name, bin: BinBlocks| {
            let mut bins = vec![u16::MAX; blocks.len() * stride];
            bin(blocks, &mut bins, stride);
            out.push((name, bins));
        };
        run("dispatched", hist_bin_blocks);
        run("portable", hist_bin_blocks_portable);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            run("avx2", |b, to, s| unsafe { hist_bin_blocks_avx2(b, to, s) });
        }
        out
    }

    #[test]
    fn block_bins_equal_hist_bin_on_awkward_values() {
        let mut xs = awkward_values();
        for k in 0..=BINS {
            let edge = k as f64 / BINS as f64;
            xs.extend(with_neighbours(edge));
        }
        let stride = BLOCK + 3;
        for shift in 0..BLOCK {
            let blocks = blocks_of(&xs[shift..]);
            for (name, got) in block_bins(&blocks, stride) {
                for (i, block) in blocks.iter().enumerate() {
                    let expected: Vec<u16> = block.iter().map(|&x| hist_bin(x)).collect();
                    assert_eq!(
                        got[i * stride..][..BLOCK],
                        expected,
                        "{name}, block {block:?}"
                    );
                    // Nothing written between blocks.
                    assert!(got[i * stride + BLOCK..][..3]
                        .iter()
                        .all(|&b| b == u16::MAX));
                }
            }
        }
    }

    proptest! {
        #[test]
        fn block_push_equals_scalar_pushes(
            blocks in proptest::collection::vec(
                proptest::array::uniform8(prop_oneof![
                    -1.5f64..1.5,
                    0.0f64..1e-9,
                    proptest::num::f64::ANY,
                    // Exact halves of a 2^-32 step, the ties of the rounding.
                    (0u64..1 << 32).prop_map(|k| (k as f64 + 0.5) / FIXED_ONE),
                ]),
                1..6,
            ),
        ) {
            let expected = pushed_one_by_one(&blocks);
            for (name, got) in block_pushes(&blocks, Moments::default()) {
                prop_assert_eq!(&got, &expected, "{}", name);
            }
            for (name, got) in block_bins(&blocks, BLOCK) {
                let expected: Vec<u16> = blocks.iter().flatten().map(|&x| hist_bin(x)).collect();
                prop_assert_eq!(&got, &expected, "{}", name);
            }
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
