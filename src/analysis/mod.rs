//! Analysis of many runs: experiment designs over uncertain inputs, sensitivity indices, scenario
//! discovery and robust comparison of policies (issue 15, items 3 to 6).
//!
//! Owns: the model-independent estimators an analyst applies to a table of design points and their
//! outcomes. Every function works on plain data (`&[f64]` in, plain structs out), is deterministic
//! given an explicit seed, and never does I/O or printing; the CLI decides what to read and write.
//! - [`design`]: points of the unit hypercube (Latin hypercube, Sobol sequence, Saltelli, Morris,
//!   full factorial), each addressable by index so a design can be sharded and streamed, and the
//!   mapping of a unit coordinate through a distribution;
//! - [`sensitivity`]: Sobol first- and total-order indices and Morris elementary effects, with
//!   bootstrap confidence intervals and warnings when the sample is too small to rank;
//! - [`prim`]: PRIM scenario discovery (peeling, pasting, the coverage-density trade-off, a rule in
//!   plain words);
//! - [`robust`]: expected effect, regret and probability of beating a baseline over paired scenarios;
//! - [`abc`]: the weights, kernel and tolerance schedule of sequential Monte Carlo approximate
//!   Bayesian computation (`calibrate --ensemble`);
//! - [`bootstrap`]: the seeded resampling and percentile intervals the others share;
//! - [`uncertain`]: the values each run draws for `[[uncertain]]` numbers or takes from an ensemble,
//!   and the world they give.
//!
//! Randomness: every seeded draw comes from `rand_chacha::ChaCha8Rng` keyed by the caller's seed and
//! a purpose tag (so a design and the runs never share a stream even under one seed), one stream per
//! point, trajectory or bootstrap resample, so any subset can be recomputed alone. Uniform numbers and
//! bounded integers are made here from raw 64-bit words, so they do not depend on `rand`'s
//! distribution code. Method descriptions for analysts are in `docs/ANALYSIS.md`.

pub mod abc;
pub mod bootstrap;
pub mod design;
pub mod prim;
pub mod robust;
pub mod sensitivity;
pub mod uncertain;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Everything that can be wrong with the inputs of an analysis; each message names the value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// A parameter outside its allowed range.
    #[error("{name} = {value}, expected {allowed}")]
    Invalid {
        /// Which parameter.
        name: &'static str,
        /// Its value, as given.
        value: String,
        /// What is allowed.
        allowed: &'static str,
    },
    /// An output or input vector of the wrong length for its design or table.
    #[error("{name} has {got} values, expected {expected}")]
    Length {
        /// Which vector.
        name: &'static str,
        /// Its length.
        got: usize,
        /// The length the design or table needs.
        expected: usize,
    },
    /// A value that is NaN or infinite where a finite number is needed.
    #[error("{name}[{index}] = {value} is not a finite number")]
    NotFinite {
        /// Which vector.
        name: &'static str,
        /// Position of the value.
        index: usize,
        /// The value.
        value: f64,
    },
    /// The outputs do not vary, so no share of their variance can be attributed.
    #[error("the outputs have zero variance: sensitivity indices are undefined")]
    ConstantOutput,
}

/// Shorthand for results of this module.
pub type Result<T> = std::result::Result<T, AnalysisError>;

/// What a seeded generator is for; part of its key, so that one user seed gives unrelated streams to
/// each purpose (and none equal to the engine's run streams, which use `seed_from_u64`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Purpose {
    /// Latin hypercube column permutations.
    LhsPermutation,
    /// Latin hypercube jitter within a stratum, one stream per point.
    LhsJitter,
    /// Morris trajectories, one stream per trajectory.
    Morris,
    /// Bootstrap resamples, one stream per resample.
    Bootstrap,
    /// The values a run draws for the `[[uncertain]]` numbers, one stream per run.
    Uncertain,
    /// The ensemble set a run takes, one stream per run.
    Ensemble,
    /// ABC-SMC proposals (`calibrate --ensemble`), one stream per particle of each generation.
    Abc,
}

impl Purpose {
    fn tag(self) -> &'static [u8; 24] {
        match self {
            Purpose::LhsPermutation => b"greatgame lhs permute   ",
            Purpose::LhsJitter => b"greatgame lhs jitter    ",
            Purpose::Morris => b"greatgame morris        ",
            Purpose::Bootstrap => b"greatgame bootstrap     ",
            Purpose::Uncertain => b"greatgame uncertain     ",
            Purpose::Ensemble => b"greatgame ensemble      ",
            Purpose::Abc => b"greatgame abc-smc       ",
        }
    }
}

/// The generator for `purpose` under `seed`, positioned at the start of stream `stream`.
pub(crate) fn stream_rng(seed: u64, purpose: Purpose, stream: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..].copy_from_slice(purpose.tag());
    let mut rng = ChaCha8Rng::from_seed(key);
    rng.set_stream(stream);
    rng
}

/// A uniform number in [0, 1) with 53 random bits, from one 64-bit word.
pub(crate) fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

/// A uniform integer in `0..n` (`n ≥ 1`) by Lemire's multiply-shift, from one 64-bit word; its bias,
/// below `n / 2⁶⁴`, is far under anything a resample can show.
pub(crate) fn below(rng: &mut ChaCha8Rng, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

/// Checks that every value of `values` is finite.
pub(crate) fn check_finite(name: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(AnalysisError::NotFinite {
            name,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Checks that `values` has `expected` entries.
pub(crate) fn check_len(name: &'static str, values: usize, expected: usize) -> Result<()> {
    if values == expected {
        Ok(())
    } else {
        Err(AnalysisError::Length {
            name,
            got: values,
            expected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_give_unrelated_streams() {
        let mut a = stream_rng(7, Purpose::Bootstrap, 0);
        let mut b = stream_rng(7, Purpose::Morris, 0);
        let mut c = stream_rng(7, Purpose::Bootstrap, 1);
        let first = a.next_u64();
        assert_ne!(first, b.next_u64());
        assert_ne!(first, c.next_u64());
        assert_eq!(first, stream_rng(7, Purpose::Bootstrap, 0).next_u64());
    }

    #[test]
    fn unit_and_below_stay_in_range() {
        let mut rng = stream_rng(1, Purpose::Bootstrap, 3);
        let mut counts = [0u32; 5];
        for _ in 0..10_000 {
            let u = unit(&mut rng);
            assert!((0.0..1.0).contains(&u));
            counts[below(&mut rng, 5) as usize] += 1;
        }
        // Each of five values about 2,000 times (binomial sd 40).
        assert!(
            counts.iter().all(|&c| (1_800..2_200).contains(&c)),
            "{counts:?}"
        );
    }
}
