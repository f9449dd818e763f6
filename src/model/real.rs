//! The numbers the update's formulas compute with: `f64` for one run, or `F64s`, one `f64` per run of a
//! block of `LANES` runs advanced in lock-step. Every operation on `F64s` is the same IEEE operation on
//! each lane, so the update, written once over `Real` (`step`), gives each lane of a block exactly the
//! bits it gives one run. Comparisons give a `bool` for one run, a `Mask64s` for a block (every bit of a
//! lane set or clear, as vector comparisons produce them), which packs to a `LaneMask` (a bit per lane)
//! for counting and storing occurrences. Rare, branchy work reaches single lanes through `lane_mut`
//! and the set lanes of a packed mask (`Real::lanes`).
//!
//! The exponential and the logarithms are our own (`exp`, `ln_1p`, `ln`), built from those operations
//! alone: they give the same bits on every platform, where the system's maths library differs between
//! versions and CPUs, and they run in vector lanes. Call them as `Real::exp(x)` or `real::exp(x)`: on an
//! `f64`, `x.exp()` is the standard library's method, which uses the system's library.

use std::fmt::Debug;
use std::ops::{Add, BitAnd, BitOr, Div, Mul, Not, Sub};

/// Runs per block: the width of `F64s`.
pub const LANES: usize = 8;

/// One value per run of a block.
pub type Lanes<T> = [T; LANES];

/// A number, or a number per lane, with the operations the update's formulas use, and the types a run's
/// truth values and timers take at the same width.
pub trait Real:
    Copy
    + Debug
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
    /// Runs held: 1 for `f64`, `LANES` for `F64s`.
    const LANES: usize;
    /// A truth value, or one per lane, as comparisons give it.
    type Mask: Copy
        + Debug
        + PartialEq
        + BitAnd<Output = Self::Mask>
        + BitOr<Output = Self::Mask>
        + Not<Output = Self::Mask>;
    /// A truth value, or one per lane, packed for storing and counting (occurrence flags): `bool`, or
    /// `LaneMask`. The default is false in every lane.
    type Flags: Copy + Debug + PartialEq + Default + BitOr<Output = Self::Flags>;
    /// A count of quarters, or one per lane (the reaction timers): `u32`, or `U64s`.
    type Count: Copy + Debug + PartialEq + BitOr<Output = Self::Count>;

    /// `x` in every lane.
    fn splat(x: f64) -> Self;
    /// `truth` in every lane.
    fn splat_mask(truth: bool) -> Self::Mask;
    /// `yes` where `mask` holds, `no` elsewhere.
    fn select(mask: Self::Mask, yes: Self, no: Self) -> Self;
    /// `self < other`.
    fn lt(self, other: Self) -> Self::Mask;
    /// `self > other`.
    fn gt(self, other: Self) -> Self::Mask;
    /// `self >= other`.
    fn ge(self, other: Self) -> Self::Mask;
    /// Whether every lane is zero (+0 or −0; NaN is not zero).
    fn all_zero(self) -> bool;
    /// `e^self`, by `exp`.
    fn exp(self) -> Self;
    /// `ln(1 + self)`, by `ln_1p`.
    fn ln_1p(self) -> Self;
    /// `ln self`, by `ln_normal`: every lane must be a positive normal finite number.
    fn ln_normal(self) -> Self;

    /// Lane `i`'s value.
    fn lane(self, i: usize) -> f64;
    /// Lane `i`'s value, to change it alone.
    fn lane_mut(&mut self, i: usize) -> &mut f64;
    /// Whether `mask` holds in lane `i`.
    fn mask_lane(mask: Self::Mask, i: usize) -> bool;
    /// `mask` packed.
    fn pack(mask: Self::Mask) -> Self::Flags;
    /// `flags` unpacked.
    fn unpack(flags: Self::Flags) -> Self::Mask;
    /// Whether `flags` hold in some lane.
    fn any(flags: Self::Flags) -> bool;
    /// The lanes where `flags` hold, in increasing order.
    fn lanes(flags: Self::Flags) -> impl Iterator<Item = usize>;

    /// `n` in every lane.
    fn splat_count(n: u32) -> Self::Count;
    /// Lane `i`'s count.
    fn count_lane(count: Self::Count, i: usize) -> u32;
    /// Whether the count is above 0.
    fn nonzero(count: Self::Count) -> Self::Mask;
    /// One less, never below 0.
    fn count_down(count: Self::Count) -> Self::Count;
    /// `yes` where `mask` holds, `count` elsewhere.
    fn select_count(mask: Self::Mask, yes: u32, count: Self::Count) -> Self::Count;
}

impl Real for f64 {
    const LANES: usize = 1;
    type Mask = bool;
    type Flags = bool;
    type Count = u32;

    #[inline(always)]
    fn splat(x: f64) -> f64 {
        x
    }

    #[inline(always)]
    fn splat_mask(truth: bool) -> bool {
        truth
    }

    #[inline(always)]
    fn select(mask: bool, yes: f64, no: f64) -> f64 {
        if mask {
            yes
        } else {
            no
        }
    }

    #[inline(always)]
    fn lt(self, other: f64) -> bool {
        self < other
    }

    #[inline(always)]
    fn gt(self, other: f64) -> bool {
        self > other
    }

    #[inline(always)]
    fn ge(self, other: f64) -> bool {
        self >= other
    }

    #[inline(always)]
    fn all_zero(self) -> bool {
        self == 0.0
    }

    #[inline(always)]
    fn exp(self) -> f64 {
        exp(self)
    }

    #[inline(always)]
    fn ln_1p(self) -> f64 {
        ln_1p(self)
    }

    #[inline(always)]
    fn ln_normal(self) -> f64 {
        ln_normal(self)
    }

    #[inline(always)]
    fn lane(self, _: usize) -> f64 {
        self
    }

    #[inline(always)]
    fn lane_mut(&mut self, _: usize) -> &mut f64 {
        self
    }

    #[inline(always)]
    fn mask_lane(mask: bool, _: usize) -> bool {
        mask
    }

    #[inline(always)]
    fn pack(mask: bool) -> bool {
        mask
    }

    #[inline(always)]
    fn unpack(flags: bool) -> bool {
        flags
    }

    #[inline(always)]
    fn any(flags: bool) -> bool {
        flags
    }

    #[inline(always)]
    fn lanes(flags: bool) -> impl Iterator<Item = usize> {
        0..usize::from(flags)
    }

    #[inline(always)]
    fn splat_count(n: u32) -> u32 {
        n
    }

    #[inline(always)]
    fn count_lane(count: u32, _: usize) -> u32 {
        count
    }

    #[inline(always)]
    fn nonzero(count: u32) -> bool {
        count > 0
    }

    #[inline(always)]
    fn count_down(count: u32) -> u32 {
        count.saturating_sub(1)
    }

    #[inline(always)]
    fn select_count(mask: bool, yes: u32, count: u32) -> u32 {
        if mask {
            yes
        } else {
            count
        }
    }
}

/// One `f64` per run of a block.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(align(64))]
pub struct F64s(pub Lanes<f64>);

macro_rules! lanewise {
    ($trait:ident, $method:ident, $op:tt) => {
        impl $trait for F64s {
            type Output = F64s;

            #[inline(always)]
            fn $method(self, other: F64s) -> F64s {
                F64s(std::array::from_fn(|i| self.0[i] $op other.0[i]))
            }
        }
    };
}

/// The lanes as an array, for code that takes a block's values as such (`stats::push_blocks`).
impl std::borrow::Borrow<Lanes<f64>> for F64s {
    #[inline(always)]
    fn borrow(&self) -> &Lanes<f64> {
        &self.0
    }
}

lanewise!(Add, add, +);
lanewise!(Sub, sub, -);
lanewise!(Mul, mul, *);
lanewise!(Div, div, /);

impl Real for F64s {
    const LANES: usize = LANES;
    type Mask = Mask64s;
    type Flags = LaneMask;
    type Count = U64s;

    #[inline(always)]
    fn splat(x: f64) -> F64s {
        F64s([x; LANES])
    }

    #[inline(always)]
    fn splat_mask(truth: bool) -> Mask64s {
        Mask64s::splat(truth)
    }

    #[inline(always)]
    fn select(mask: Mask64s, yes: F64s, no: F64s) -> F64s {
        F64s(mask.select(yes.0, no.0))
    }

    #[inline(always)]
    fn lt(self, other: F64s) -> Mask64s {
        Mask64s::from_fn(|i| self.0[i] < other.0[i])
    }

    #[inline(always)]
    fn gt(self, other: F64s) -> Mask64s {
        Mask64s::from_fn(|i| self.0[i] > other.0[i])
    }

    #[inline(always)]
    fn ge(self, other: F64s) -> Mask64s {
        Mask64s::from_fn(|i| self.0[i] >= other.0[i])
    }

    #[inline(always)]
    fn all_zero(self) -> bool {
        !Mask64s::from_fn(|i| self.0[i] != 0.0).bits().any()
    }

    #[inline(always)]
    fn exp(self) -> F64s {
        F64s(std::array::from_fn(|i| exp(self.0[i])))
    }

    #[inline(always)]
    fn ln_1p(self) -> F64s {
        F64s(std::array::from_fn(|i| ln_1p(self.0[i])))
    }

    #[inline(always)]
    fn ln_normal(self) -> F64s {
        F64s(std::array::from_fn(|i| ln_normal(self.0[i])))
    }

    #[inline(always)]
    fn lane(self, i: usize) -> f64 {
        self.0[i]
    }

    #[inline(always)]
    fn lane_mut(&mut self, i: usize) -> &mut f64 {
        &mut self.0[i]
    }

    #[inline(always)]
    fn mask_lane(mask: Mask64s, i: usize) -> bool {
        mask.test(i)
    }

    #[inline(always)]
    fn pack(mask: Mask64s) -> LaneMask {
        mask.bits()
    }

    #[inline(always)]
    fn unpack(flags: LaneMask) -> Mask64s {
        Mask64s::from_bits(flags)
    }

    #[inline(always)]
    fn any(flags: LaneMask) -> bool {
        flags.any()
    }

    #[inline(always)]
    fn lanes(flags: LaneMask) -> impl Iterator<Item = usize> {
        flags.lanes()
    }

    #[inline(always)]
    fn splat_count(n: u32) -> U64s {
        U64s([u64::from(n); LANES])
    }

    #[inline(always)]
    fn count_lane(count: U64s, i: usize) -> u32 {
        // Exact: counts are only ever set from a `u32` and counted down.
        count.0[i] as u32
    }

    #[inline(always)]
    fn nonzero(count: U64s) -> Mask64s {
        Mask64s::from_fn(|i| count.0[i] != 0)
    }

    #[inline(always)]
    fn count_down(count: U64s) -> U64s {
        // `saturating_sub(1)`, in a form baseline SSE2 vectorises.
        U64s(count.0.map(|k| k - u64::from(k > 0)))
    }

    #[inline(always)]
    fn select_count(mask: Mask64s, yes: u32, count: U64s) -> U64s {
        U64s(mask.select([u64::from(yes); LANES], count.0))
    }
}

/// A count per run of a block, held as `u64` so that comparing it gives masks as wide as `Mask64s`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct U64s(pub Lanes<u64>);

impl BitOr for U64s {
    type Output = U64s;

    #[inline(always)]
    fn bitor(self, other: U64s) -> U64s {
        U64s(std::array::from_fn(|i| self.0[i] | other.0[i]))
    }
}

/// One truth value per run of a block, a bit per lane (lane `i` is bit `i`): comparisons of `F64s`
/// give one in a few vector instructions, and `&`, `|` and `!` act on every lane at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LaneMask(pub u8);

const _: () = assert!(LANES == u8::BITS as usize, "a bit per lane in a u8");

impl LaneMask {
    /// Lane `i` set where `f(i)` holds.
    #[inline(always)]
    pub fn from_fn(mut f: impl FnMut(usize) -> bool) -> LaneMask {
        let mut bits = 0;
        for i in 0..LANES {
            bits |= u8::from(f(i)) << i;
        }
        LaneMask(bits)
    }

    /// Whether lane `i` is set.
    #[inline(always)]
    pub fn test(self, i: usize) -> bool {
        self.0 >> i & 1 == 1
    }

    /// Whether any lane is set.
    #[inline(always)]
    pub fn any(self) -> bool {
        self.0 != 0
    }

    /// How many of the first `n` lanes are set.
    #[inline(always)]
    pub fn count(self, n: usize) -> u32 {
        debug_assert!(n <= LANES);
        (u32::from(self.0) & ((1 << n) - 1)).count_ones()
    }

    /// The set lanes, in increasing order.
    #[inline(always)]
    pub fn lanes(self) -> impl Iterator<Item = usize> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            let i = bits.trailing_zeros() as usize;
            bits &= bits.wrapping_sub(1);
            (i < LANES).then_some(i)
        })
    }
}

impl BitAnd for LaneMask {
    type Output = LaneMask;

    #[inline(always)]
    fn bitand(self, other: LaneMask) -> LaneMask {
        LaneMask(self.0 & other.0)
    }
}

impl BitOr for LaneMask {
    type Output = LaneMask;

    #[inline(always)]
    fn bitor(self, other: LaneMask) -> LaneMask {
        LaneMask(self.0 | other.0)
    }
}

impl Not for LaneMask {
    type Output = LaneMask;

    #[inline(always)]
    fn not(self) -> LaneMask {
        LaneMask(!self.0)
    }
}

/// One truth value per run of a block, as vector comparisons give it: every bit of a lane set or
/// clear. The masks the update's formulas compute with; `LaneMask` packs them a bit per lane for
/// counting and storing occurrences.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(align(64))]
pub struct Mask64s(pub Lanes<u64>);

impl Mask64s {
    /// `truth` in every lane.
    #[inline(always)]
    pub fn splat(truth: bool) -> Mask64s {
        Mask64s([if truth { u64::MAX } else { 0 }; LANES])
    }

    /// Lane `i` set where `f(i)` holds.
    #[inline(always)]
    pub fn from_fn(mut f: impl FnMut(usize) -> bool) -> Mask64s {
        Mask64s(std::array::from_fn(|i| if f(i) { u64::MAX } else { 0 }))
    }

    /// Whether lane `i` is set.
    #[inline(always)]
    pub fn test(self, i: usize) -> bool {
        self.0[i] != 0
    }

    /// Sets lane `i` to `truth`.
    #[inline(always)]
    pub fn set(&mut self, i: usize, truth: bool) {
        self.0[i] = if truth { u64::MAX } else { 0 };
    }

    /// The lanes as bits.
    #[inline(always)]
    pub fn bits(self) -> LaneMask {
        #[cfg(target_arch = "x86_64")]
        {
            // The sign bit of each lane by SSE2's `movmskpd`, two lanes at a time (with AVX, four):
            // the compiler builds the byte from a plain loop with three times the instructions.
            use std::arch::x86_64::{__m128d, _mm_movemask_pd};
            let mut bits = 0;
            for k in 0..LANES / 2 {
                // SAFETY: SSE2 is part of every x86-64 CPU; two u64 are the size of an __m128d,
                // and every bit pattern is a valid one.
                let pair = unsafe {
                    _mm_movemask_pd(std::mem::transmute::<[u64; 2], __m128d>([
                        self.0[2 * k],
                        self.0[2 * k + 1],
                    ]))
                };
                bits |= pair << (2 * k);
            }
            LaneMask(bits as u8)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            LaneMask::from_fn(|i| (self.0[i] as i64) < 0)
        }
    }

    /// The lanes set in `bits`.
    #[inline(always)]
    pub fn from_bits(bits: LaneMask) -> Mask64s {
        Mask64s(std::array::from_fn(|i| {
            if bits.0 & (1 << i) != 0 {
                u64::MAX
            } else {
                0
            }
        }))
    }

    /// `yes` where set, `no` elsewhere, lane by lane.
    #[inline(always)]
    pub fn select<T: Copy>(self, yes: Lanes<T>, no: Lanes<T>) -> Lanes<T> {
        // A test of the sign bit, which a vector blend reads directly.
        std::array::from_fn(|i| {
            if (self.0[i] as i64) < 0 {
                yes[i]
            } else {
                no[i]
            }
        })
    }
}

impl BitAnd for Mask64s {
    type Output = Mask64s;

    #[inline(always)]
    fn bitand(self, other: Mask64s) -> Mask64s {
        Mask64s(std::array::from_fn(|i| self.0[i] & other.0[i]))
    }
}

impl BitOr for Mask64s {
    type Output = Mask64s;

    #[inline(always)]
    fn bitor(self, other: Mask64s) -> Mask64s {
        Mask64s(std::array::from_fn(|i| self.0[i] | other.0[i]))
    }
}

impl Not for Mask64s {
    type Output = Mask64s;

    #[inline(always)]
    fn not(self) -> Mask64s {
        Mask64s(self.0.map(|x| !x))
    }
}

/// ln 2 in two parts: `LN2_HI` has its low bits zero, so `k * LN2_HI` is exact for the `k` used here.
const LN2_HI: f64 = 0.693_147_180_369_123_8; // bits 0x3fe62e42fee00000
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10; // bits 0x3dea39ef35793c76
const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// Remez coefficients of `R(r²) ≈ r·(e^r + 1)/(e^r − 1)` on [−ln2/2, ln2/2] (W. J. Cody, W. Waite,
/// *Software Manual for the Elementary Functions*, 1980; the values of the Sun/FreeBSD libm).
const P1: f64 = 0.166_666_666_666_666_02; // bits 0x3fc555555555553e
const P2: f64 = -0.002_777_777_777_701_559_3; // bits 0xbf66c16c16bebd93
const P3: f64 = 6.613_756_321_437_934e-5; // bits 0x3f11566aaf25de2c
const P4: f64 = -1.653_390_220_546_525_2e-6; // bits 0xbebbbd41c5d26bf1
const P5: f64 = 4.138_136_797_057_238_5e-8; // bits 0x3e66376972bea4d0

/// 1.5·2⁵²: adding it to a number of magnitude below 2⁵¹ rounds that number to an integer, which then
/// sits in the low bits of the sum. Used instead of float-to-integer conversions, which have no vector
/// instruction before AVX-512.
const SHIFTER: f64 = 6_755_399_441_055_744.0;

/// `e^x` within one unit in the last place, from IEEE additions, multiplications, one division and
/// exact scalings alone (no fused multiply-add, no table, no branch), so that every platform gives the
/// same bits: `x = k·ln2 + r` with `|r| ≤ ln2/2`, `e^r` from a rational approximation, scaled by `2^k`.
/// Saturates to 0 below −746 and to infinity above 710; NaN gives NaN.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    let x = x.clamp(-746.0, 710.0);
    // k = x / ln2 rounded to the nearest integer (|k| ≤ 1077), as a float and as an integer.
    let t = x * INV_LN2 + SHIFTER;
    let kf = t - SHIFTER;
    let k = t.to_bits().wrapping_sub(SHIFTER.to_bits()); // two's complement
    let hi = x - kf * LN2_HI;
    let lo = kf * LN2_LO;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // 2^k in two exact factors, each a normal number for every k above: k1 = floor(k / 2), shifted
    // through a positive bias because AVX2 has no arithmetic shift of 64-bit lanes.
    let k1 = (k.wrapping_add(2048) >> 1).wrapping_sub(1024);
    y * pow2(k1) * pow2(k.wrapping_sub(k1))
}

/// Remez coefficients of `(ln(1+s) − ln(1−s) − 2s)/s` in `s²` on [0, 0.1716] (the values of the
/// Sun/FreeBSD libm's `log`).
const LG1: f64 = 0.666_666_666_666_673_5; // bits 0x3fe5555555555593
const LG2: f64 = 0.399_999_999_994_094_2; // bits 0x3fd999999997fa04
const LG3: f64 = 0.285_714_287_436_623_9; // bits 0x3fd2492494229359
const LG4: f64 = 0.222_221_984_321_497_84; // bits 0x3fcc71c51d8e78af
const LG5: f64 = 0.181_835_721_616_180_5; // bits 0x3fc7466496cb03de
const LG6: f64 = 0.153_138_376_992_093_73; // bits 0x3fc39a09d078c69f
const LG7: f64 = 0.147_981_986_051_165_86; // bits 0x3fc2f112df3e5244

/// `ln(1 + x)` for `x ≥ 0` within one unit in the last place, from IEEE operations alone (no fused
/// multiply-add, no table, no branch), so that every platform gives the same bits: `1 + x = 2^k · m`
/// with `m` in [√2/2, √2), `ln m` from a rational approximation in `s = (m − 1)/(m + 1)`, plus a term
/// that corrects for the rounding of `1 + x`. Infinity gives infinity, NaN gives NaN. Meant for
/// `x ≥ 0` only, which every caller's `x` is (a sum of non-negative amounts); below 0 its accuracy is
/// not tested.
#[inline(always)]
pub fn ln_1p(x: f64) -> f64 {
    let u = 1.0 + x;
    let (e, m) = split(u);
    // f = m − 1 is exact; for k = 0 it is x itself. c = (1 + x − u)/u, the rounding error of u, which
    // no longer matters once k ≥ 54.
    let whole = e != 1023;
    let f = if whole { m - 1.0 } else { x };
    let error = if e >= 1025 {
        1.0 - (u - x)
    } else {
        x - (u - 1.0)
    };
    let c = if whole & (e < 1077) { error / u } else { 0.0 };
    let y = ln_reduced(f, c, e);
    // Infinity and NaN are themselves (`x < ∞` is false for both).
    if x < f64::INFINITY {
        y
    } else {
        x
    }
}

/// `ln x` within one unit in the last place, the same way as `ln_1p` (without the rounding term): the
/// same bits on every platform. 0 gives −∞, infinity ∞, below 0 and NaN give NaN.
pub fn ln(x: f64) -> f64 {
    // Subnormals are scaled into the normal range first (2^54), and k corrected for it.
    let tiny = x < f64::MIN_POSITIVE;
    let (e, m) = split(if tiny {
        x * 18_014_398_509_481_984.0
    } else {
        x
    });
    let y = ln_reduced(m - 1.0, 0.0, e)
        - if tiny {
            54.0 * std::f64::consts::LN_2
        } else {
            0.0
        };
    if x > 0.0 && x < f64::INFINITY {
        y
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

/// `ln x` for a positive normal finite `x`, which the caller guarantees: `ln` without its edge cases
/// (the same bits as `ln` there).
#[inline(always)]
pub fn ln_normal(x: f64) -> f64 {
    debug_assert!((f64::MIN_POSITIVE..f64::INFINITY).contains(&x));
    let (e, m) = split(x);
    ln_reduced(m - 1.0, 0.0, e)
}

/// A positive normal `u` as `2^k · m` with `m` in [√2/2, √2): the biased exponent `k + 1023` and `m`,
/// in 64-bit integer operations only (the exponent's boundary moved from 1 to √2/2, whose high word
/// is 0x3fe6a09e).
#[inline(always)]
fn split(u: f64) -> (u64, f64) {
    let shifted = u.to_bits().wrapping_add((0x3ff0_0000 - 0x3fe6_a09e) << 32);
    let m = f64::from_bits((shifted & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09e << 32));
    (shifted >> 52, m)
}

/// `k·ln2 + ln(1 + f) + c` for `f = m − 1` with `m` in [√2/2, √2), `e = k + 1023`.
#[inline(always)]
fn ln_reduced(f: f64, c: f64, e: u64) -> f64 {
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    // k as a float: e is below 2^11, so 2^52 + e is exact and subtracting 2^52 leaves it.
    let dk = (f64::from_bits(e | 0x4330_0000_0000_0000) - 4_503_599_627_370_496.0) - 1023.0;
    s * (hfsq + (t2 + t1)) + (dk * LN2_LO + c) - hfsq + f + dk * LN2_HI
}

/// `2^k` for −1022 ≤ k ≤ 1023 (two's complement in a u64), exactly.
#[inline(always)]
fn pow2(k: u64) -> f64 {
    f64::from_bits(k.wrapping_add(1023) << 52)
}

#[cfg(test)]
// The tests compare our functions with the system's, which clippy.toml otherwise forbids.
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Distance in units in the last place between two positive finite numbers.
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    /// Asserts that `ours` is within one ulp of `system` on 200,000 uniform draws from each range.
    fn assert_within_one_ulp(
        seed: u64,
        ranges: &[(f64, f64)],
        ours: fn(f64) -> f64,
        system: fn(f64) -> f64,
    ) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for &(lo, hi) in ranges {
            let mut worst = 0;
            for _ in 0..200_000 {
                let x = rng.random_range(lo..hi);
                worst = worst.max(ulps(ours(x), system(x)));
            }
            assert!(worst <= 1, "{worst} ulps on [{lo}, {hi}]");
        }
    }

    #[test]
    fn exp_is_within_one_ulp_of_the_system_exp() {
        // The softmax's range, the whole normal range, and around 0.
        let ranges = [(-40.0, 0.0), (-708.0, 709.0), (-1e-6, 1e-6)];
        assert_within_one_ulp(1, &ranges, exp, f64::exp);
    }

    #[test]
    fn exp_is_exact_where_it_must_be_and_saturates() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert!(ulps(exp(1.0), std::f64::consts::E) <= 1);
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(800.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        // Subnormal results keep their order of magnitude.
        let tiny = exp(-740.0);
        assert!(tiny > 0.0 && (tiny / (-740.0f64).exp() - 1.0).abs() < 1e-3);
    }

    #[test]
    fn exp_constants_have_their_published_bits() {
        let bits = [LN2_HI, LN2_LO, INV_LN2, P1, P2, P3, P4, P5].map(f64::to_bits);
        let lg = [LG1, LG2, LG3, LG4, LG5, LG6, LG7].map(f64::to_bits);
        assert_eq!(
            lg,
            [
                0x3fe5_5555_5555_5593,
                0x3fd9_9999_9997_fa04,
                0x3fd2_4924_9422_9359,
                0x3fcc_71c5_1d8e_78af,
                0x3fc7_4664_96cb_03de,
                0x3fc3_9a09_d078_c69f,
                0x3fc2_f112_df3e_5244,
            ]
        );
        assert_eq!(
            bits,
            [
                0x3fe6_2e42_fee0_0000,
                0x3dea_39ef_3579_3c76,
                0x3ff7_1547_652b_82fe,
                0x3fc5_5555_5555_553e,
                0xbf66_c16c_16be_bd93,
                0x3f11_566a_af25_de2c,
                0xbebb_bd41_c5d2_6bf1,
                0x3e66_3769_72be_a4d0,
            ]
        );
    }

    #[test]
    fn ln_normal_is_ln_on_positive_normal_numbers() {
        let mut x = f64::MIN_POSITIVE;
        while x < 1e300 {
            for y in [x, x * 1.37, x * 0.999_999_9] {
                if y >= f64::MIN_POSITIVE {
                    assert_eq!(ln_normal(y).to_bits(), ln(y).to_bits(), "{y}");
                }
            }
            x *= 3.1;
        }
    }

    #[test]
    fn ln_1p_is_within_one_ulp_of_the_system_ln_1p() {
        // Tiny, around the k = 0 / k = 1 boundaries, the economic term's range, and far out.
        let ranges = [
            (0.0, 1e-9),
            (0.0, 0.5),
            (0.3, 0.5),
            (0.5, 3.0),
            (0.0, 1e4),
            (1e10, 1e300),
        ];
        assert_within_one_ulp(2, &ranges, ln_1p, f64::ln_1p);
    }

    #[test]
    fn ln_1p_is_exact_where_it_must_be() {
        assert_eq!(ln_1p(0.0).to_bits(), 0.0f64.to_bits());
        // The update's money channels skip the logarithm of zero on this: −0 gives +0 too.
        assert_eq!(ln_1p(-0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(F64s::splat(-0.0).ln_1p(), F64s::splat(0.0));
        assert_eq!(ln_1p(1e-300), 1e-300);
        assert!(ulps(ln_1p(1.0), std::f64::consts::LN_2) <= 1);
        assert!(ulps(ln_1p(std::f64::consts::E - 1.0), 1.0) <= 1);
        assert_eq!(ln_1p(f64::INFINITY), f64::INFINITY);
        assert!(ln_1p(f64::NAN).is_nan());
        assert_eq!(ln_1p(f64::MAX), f64::MAX.ln_1p());
    }

    #[test]
    fn all_zero_holds_only_when_every_lane_is_zero() {
        assert!(F64s::splat(0.0).all_zero() && F64s::splat(-0.0).all_zero());
        for i in 0..LANES {
            for x in [f64::MIN_POSITIVE, -1.0, f64::NAN, f64::INFINITY] {
                let mut v = F64s::splat(0.0);
                *v.lane_mut(i) = x;
                assert!(!v.all_zero(), "lane {i} = {x}");
            }
        }
        assert!(0.0f64.all_zero() && (-0.0f64).all_zero() && !f64::NAN.all_zero());
    }

    #[test]
    fn ln_is_within_one_ulp_of_the_system_ln() {
        let ranges = [
            (1e-6, 1.0),
            (0.5, 2.0),
            (1.0, 1e6),
            (1e-300, 1e-200),
            (1e200, 1e300),
        ];
        assert_within_one_ulp(3, &ranges, ln, f64::ln);
        assert_eq!(ln(1.0).to_bits(), 0.0f64.to_bits());
        assert!(ulps(ln(std::f64::consts::E), 1.0) <= 1);
        assert!(ulps(ln(5e-324), 5e-324f64.ln()) <= 1);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!(ln(-1.0).is_nan() && ln(f64::NAN).is_nan());
    }

    #[test]
    fn exp_in_lanes_is_exp_in_each_lane() {
        let x = F64s(std::array::from_fn(|i| -3.7 * i as f64 + 0.9));
        let y = x.exp();
        let z = F64s(std::array::from_fn(|i| 5.3 * i as f64 * i as f64)).ln_1p();
        for i in 0..LANES {
            assert_eq!(y.0[i].to_bits(), exp(x.0[i]).to_bits());
            assert_eq!(z.0[i].to_bits(), ln_1p(5.3 * i as f64 * i as f64).to_bits());
        }
    }

    #[test]
    fn lanes_compute_what_each_number_computes() {
        let a = F64s(std::array::from_fn(|i| i as f64 * 0.37 - 1.1));
        let b = F64s(std::array::from_fn(|i| 2.3 - i as f64 * 0.61));
        let mask = a.lt(b);
        for i in 0..LANES {
            let (x, y) = (a.0[i], b.0[i]);
            assert_eq!((a + b).0[i], x + y);
            assert_eq!((a - b).0[i], x - y);
            assert_eq!((a * b).0[i], x * y);
            assert_eq!((a / b).0[i], x / y);
            assert_eq!(mask.test(i), x.lt(y));
            assert_eq!(a.gt(b).test(i), x.gt(y));
            assert_eq!(a.ge(b).test(i), x.ge(y));
            assert_eq!(a.ge(a).test(i), x.ge(x));
            assert_eq!(F64s::select(mask, a, b).0[i], f64::select(x < y, x, y));
        }
        assert!(mask.bits().any() && (!mask).bits().any());
    }

    #[test]
    fn a_wide_mask_holds_its_lanes_in_every_bit_and_packs_to_bits() {
        for bits in 0..=u8::MAX {
            let mask = Mask64s::from_bits(LaneMask(bits));
            assert_eq!(mask.bits(), LaneMask(bits));
            for i in 0..LANES {
                assert_eq!(mask.0[i], if LaneMask(bits).test(i) { u64::MAX } else { 0 });
                assert_eq!(mask.test(i), LaneMask(bits).test(i));
                let mut changed = mask;
                changed.set(i, !mask.test(i));
                assert_eq!(changed.bits().0, bits ^ (1 << i));
            }
            assert_eq!(Mask64s::from_fn(|i| mask.test(i)), mask);
            let picked = mask.select([1u32; LANES], [0; LANES]);
            assert_eq!(picked, std::array::from_fn(|i| u32::from(mask.test(i))));
            let other = Mask64s::from_bits(LaneMask(bits.rotate_left(3)));
            assert_eq!((mask & other).bits().0, bits & bits.rotate_left(3));
            assert_eq!((mask | other).bits().0, bits | bits.rotate_left(3));
            assert_eq!((!mask).bits().0, !bits);
        }
        assert_eq!(Mask64s::splat(true).bits(), LaneMask(u8::MAX));
        assert_eq!(Mask64s::splat(false).bits(), LaneMask(0));
    }

    #[test]
    fn a_lane_mask_holds_a_bit_per_lane() {
        for bits in 0..=u8::MAX {
            let mask = LaneMask(bits);
            let lanes: Vec<usize> = (0..LANES).filter(|&i| mask.test(i)).collect();
            assert_eq!(mask.lanes().collect::<Vec<_>>(), lanes, "{bits:08b}");
            assert_eq!(LaneMask::from_fn(|i| mask.test(i)), mask);
            assert_eq!(mask.any(), !lanes.is_empty());
            for n in 0..=LANES {
                let below = lanes.iter().filter(|&&i| i < n).count() as u32;
                assert_eq!(mask.count(n), below, "{bits:08b}, first {n}");
            }
            assert_eq!(
                (mask & !mask, mask | !mask),
                (LaneMask(0), LaneMask(u8::MAX))
            );
        }
    }
}
