//! The numbers the update's formulas compute with: `f64` for one run (`step`), or `F64s`, one `f64` per
//! run of a block (`step_block`). Every operation on `F64s` is the same IEEE operation on each lane, so a
//! formula written once over `Real` gives each lane of a block exactly the bits it gives one run.

use std::ops::{Add, Div, Mul, Sub};

use super::block::{Lanes, LANES};

/// A number, or a number per lane, with the operations the update's formulas use.
pub trait Real:
    Copy + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self> + Div<Output = Self>
{
    /// A truth value, or one per lane.
    type Mask: Copy;
    /// `x` in every lane.
    fn splat(x: f64) -> Self;
    /// `yes` where `mask` holds, `no` elsewhere.
    fn select(mask: Self::Mask, yes: Self, no: Self) -> Self;
    /// `self < other`.
    fn lt(self, other: Self) -> Self::Mask;
}

impl Real for f64 {
    type Mask = bool;

    #[inline(always)]
    fn splat(x: f64) -> f64 {
        x
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
}

/// One `f64` per run of a block.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(align(64))]
pub struct F64s(pub Lanes<f64>);

/// One truth value per run of a block.
pub type Bools = Lanes<bool>;

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

lanewise!(Add, add, +);
lanewise!(Sub, sub, -);
lanewise!(Mul, mul, *);
lanewise!(Div, div, /);

impl Real for F64s {
    type Mask = Bools;

    #[inline(always)]
    fn splat(x: f64) -> F64s {
        F64s([x; LANES])
    }

    #[inline(always)]
    fn select(mask: Bools, yes: F64s, no: F64s) -> F64s {
        F64s(std::array::from_fn(|i| {
            if mask[i] {
                yes.0[i]
            } else {
                no.0[i]
            }
        }))
    }

    #[inline(always)]
    fn lt(self, other: F64s) -> Bools {
        std::array::from_fn(|i| self.0[i] < other.0[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(mask[i], x.lt(y));
            assert_eq!(F64s::select(mask, a, b).0[i], f64::select(x < y, x, y));
        }
        assert!(mask.contains(&true) && mask.contains(&false));
    }
}
