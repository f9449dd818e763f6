//! Robust comparison of policies over many futures (scenarios, design points or ensemble members):
//! not only which policy is best on average, but how badly each can do and how often it helps.
//!
//! Input: for each policy and for the baseline, one outcome per future, paired (the same futures, in
//! the same order, under common random numbers), and whether higher or lower outcomes are better.
//! Per policy:
//! - **expected effect**: the mean over futures of `policy − baseline` (in outcome units; its sign
//!   is good or bad according to the direction);
//! - **regret** in each future: how far the policy falls short of the best alternative in that
//!   future (the baseline and all the policies compete), `max_q y_q − y_p` when higher is better
//!   (Savage 1951; Lempert, Popper & Bankes 2003, *Shaping the Next One Hundred Years*, RAND, for its
//!   use in robust decision making); reported as its **maximum** and its **`percentile`** over
//!   futures (a high percentile is less driven by a single extreme future);
//! - **probability of beating the baseline**: the share of futures where the policy is strictly
//!   better than the baseline (ties count as not better).
//!
//! Each comes with a bootstrap interval that resamples whole futures, keeping the pairing
//! ([`Bootstrap`]). Assumptions: the futures are equally likely draws (a Monte Carlo or Latin
//! hypercube sample, an ensemble), not a hand-picked set; the maximum's interval is a rough guide,
//! since the bootstrap cannot see futures worse than the worst one sampled. Must not: do I/O.

use super::bootstrap::{quantile_sorted, Bootstrap, Interval};
use super::{check_finite, check_len, AnalysisError, Result};

/// Which outcomes are better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Larger outcomes are better (a share a policy wants to raise).
    HigherIsBetter,
    /// Smaller outcomes are better (a risk a policy wants to lower).
    LowerIsBetter,
}

/// One policy's robustness measures, each with its interval.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct PolicyRobustness {
    /// Mean of `policy − baseline` over futures, in outcome units.
    pub expected_effect: Interval,
    /// Largest regret over futures (0 for a policy best in every future).
    pub max_regret: Interval,
    /// Regret at the chosen percentile over futures.
    pub percentile_regret: Interval,
    /// Share of futures where the policy is strictly better than the baseline.
    pub beats_baseline: Interval,
}

/// Robustness of each policy in `policies` against `baseline`: every slice holds one outcome per
/// future, in the same order (at least 2 futures). `percentile` in [0, 1] (e.g. 0.9) sets the
/// percentile regret, by linear interpolation between futures.
pub fn robustness(
    baseline: &[f64],
    policies: &[&[f64]],
    direction: Direction,
    percentile: f64,
    bootstrap: &Bootstrap,
) -> Result<Vec<PolicyRobustness>> {
    let n = baseline.len();
    if n < 2 || policies.is_empty() {
        return Err(AnalysisError::Invalid {
            name: "robustness inputs",
            value: format!("{n} futures, {} policies", policies.len()),
            allowed: "at least two futures and one policy",
        });
    }
    if !(0.0..=1.0).contains(&percentile) {
        return Err(AnalysisError::Invalid {
            name: "percentile",
            value: percentile.to_string(),
            allowed: "between 0 and 1",
        });
    }
    check_finite("baseline outcomes", baseline)?;
    for p in policies {
        check_len("policy outcomes", p.len(), n)?;
        check_finite("policy outcomes", p)?;
    }
    // Outcomes turned so that higher is better.
    let sign = match direction {
        Direction::HigherIsBetter => 1.0,
        Direction::LowerIsBetter => -1.0,
    };
    let best: Vec<f64> = (0..n)
        .map(|s| {
            policies
                .iter()
                .map(|p| sign * p[s])
                .fold(sign * baseline[s], f64::max)
        })
        .collect();
    let statistics = |rows: &[usize], out: &mut [f64]| {
        let mut regrets = Vec::with_capacity(rows.len());
        for (p, o) in policies.iter().zip(out.chunks_mut(4)) {
            regrets.clear();
            regrets.extend(rows.iter().map(|&s| best[s] - sign * p[s]));
            regrets.sort_by(f64::total_cmp);
            let m = rows.len() as f64;
            o[0] = rows.iter().map(|&s| p[s] - baseline[s]).sum::<f64>() / m;
            o[1] = *regrets.last().unwrap_or(&f64::NAN);
            o[2] = quantile_sorted(&regrets, percentile);
            o[3] = rows
                .iter()
                .filter(|&&s| sign * p[s] > sign * baseline[s])
                .count() as f64
                / m;
        }
    };
    let all: Vec<usize> = (0..n).collect();
    let mut estimates = vec![0.0; 4 * policies.len()];
    statistics(&all, &mut estimates);
    let intervals = bootstrap.intervals(n, &estimates, statistics);
    Ok(intervals
        .chunks(4)
        .map(|c| PolicyRobustness {
            expected_effect: c[0],
            max_regret: c[1],
            percentile_regret: c[2],
            beats_baseline: c[3],
        })
        .collect())
}

/// [`robustness`] of every outcome of a table, higher being better for each: `values` holds, future by
/// future, plan by plan (the baseline first), `cells` outcomes, `[(future * plans + plan) * cells +
/// cell]`. Returns, by cell, one result per policy (plans after the first).
pub fn robustness_by_cell(
    values: &[f64],
    plans: usize,
    cells: usize,
    percentile: f64,
    bootstrap: &Bootstrap,
) -> Result<Vec<Vec<PolicyRobustness>>> {
    let width = plans * cells;
    if plans < 2 || cells == 0 || !values.len().is_multiple_of(width) {
        return Err(AnalysisError::Invalid {
            name: "robustness table",
            value: format!("{} values, {plans} plans, {cells} outcomes", values.len()),
            allowed: "a baseline and at least one policy, and whole futures",
        });
    }
    let column = |plan: usize, cell: usize| -> Vec<f64> {
        values
            .chunks_exact(width)
            .map(|future| future[plan * cells + cell])
            .collect()
    };
    (0..cells)
        .map(|cell| {
            let policies: Vec<Vec<f64>> = (1..plans).map(|k| column(k, cell)).collect();
            let refs: Vec<&[f64]> = policies.iter().map(Vec::as_slice).collect();
            robustness(
                &column(0, cell),
                &refs,
                Direction::HigherIsBetter,
                percentile,
                bootstrap,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{stream_rng, unit, Purpose};
    use super::*;

    fn boot() -> Bootstrap {
        Bootstrap::new(400, 0.95, 8).unwrap()
    }

    /// Four futures worked by hand. Best per future (higher better): max(b, p, q) = 3, 5, 4, 2.
    /// p's regrets 1, 0, 4, 0: max 4, median 0.5; effect mean(2, 1, −2, 0) = 0.25; beats b in 2 of 4.
    /// q's regrets 0, 2, 0, 1: max 2; effect mean(3, −1, 2, −1) = 0.75; beats b in 2 of 4.
    #[test]
    fn measures_match_a_hand_computed_case() {
        let b = [0.0, 4.0, 2.0, 2.0];
        let p = [2.0, 5.0, 0.0, 2.0];
        let q = [3.0, 3.0, 4.0, 1.0];
        let r = robustness(&b, &[&p, &q], Direction::HigherIsBetter, 0.5, &boot()).unwrap();
        assert_eq!(r[0].expected_effect.estimate, 0.25);
        assert_eq!(r[0].max_regret.estimate, 4.0);
        assert_eq!(r[0].percentile_regret.estimate, 0.5);
        assert_eq!(r[0].beats_baseline.estimate, 0.5);
        assert_eq!(r[1].expected_effect.estimate, 0.75);
        assert_eq!(r[1].max_regret.estimate, 2.0);
        assert_eq!(r[1].beats_baseline.estimate, 0.5);
        // Lower is better: best = min(b, p, q) = 0, 3, 0, 1; p's regrets 2, 2, 0, 1; p beats b once.
        let r = robustness(&b, &[&p, &q], Direction::LowerIsBetter, 1.0, &boot()).unwrap();
        assert_eq!(r[0].max_regret.estimate, 2.0);
        assert_eq!(r[0].percentile_regret.estimate, 2.0);
        assert_eq!(r[0].beats_baseline.estimate, 0.25);
        assert_eq!(r[0].expected_effect.estimate, 0.25);
    }

    /// 1,000 futures where the policy is the baseline plus a uniform on [−0.3, 0.7]: the true
    /// effect 0.2 and the true probability of beating the baseline 0.7 lie in their intervals, which
    /// are about 2 × 1.96 × sd / √1000 wide (0.036 and 0.057).
    #[test]
    fn intervals_cover_known_values() {
        let mut rng = stream_rng(5, Purpose::Bootstrap, 1 << 40);
        let b: Vec<f64> = (0..1000).map(|_| unit(&mut rng)).collect();
        let p: Vec<f64> = b.iter().map(|x| x + unit(&mut rng) - 0.3).collect();
        let r = robustness(&b, &[&p], Direction::HigherIsBetter, 0.9, &boot()).unwrap();
        let r = &r[0];
        assert!(r.expected_effect.contains(0.2), "{r:?}");
        assert!(r.beats_baseline.contains(0.7), "{r:?}");
        assert!((r.expected_effect.width() - 0.036).abs() < 0.01, "{r:?}");
        assert!((r.beats_baseline.width() - 0.057).abs() < 0.015, "{r:?}");
        // Regret: 0.3 − u when u < 0.3, else 0: the 90th percentile is 0.3 − 0.1 = 0.2 at most.
        assert!(r.max_regret.estimate <= 0.3 && r.percentile_regret.estimate < 0.2 + 0.02);
        let again = robustness(&b, &[&p], Direction::HigherIsBetter, 0.9, &boot()).unwrap();
        assert_eq!(&again[0], r);
    }

    #[test]
    fn rejects_bad_inputs() {
        let b = [0.0, 1.0];
        assert!(robustness(&b, &[], Direction::HigherIsBetter, 0.9, &boot()).is_err());
        assert!(robustness(&b, &[&[1.0]], Direction::HigherIsBetter, 0.9, &boot()).is_err());
        assert!(robustness(&b, &[&[1.0, 2.0]], Direction::HigherIsBetter, 1.5, &boot()).is_err());
        assert!(robustness(
            &b,
            &[&[1.0, f64::NAN]],
            Direction::HigherIsBetter,
            0.9,
            &boot()
        )
        .is_err());
    }
}
