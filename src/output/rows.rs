//! Output rows: one `Serialize` struct per CSV file, one observation per row, and the builders that turn
//! tallies into rows (the structs also `Deserialize`, so the report reads the files back through the
//! same declarations). Rows come in key order: policy (baseline first, then the file's order), quarter,
//! state and pole (the file's order).

use std::io::Write;

use serde::{Deserialize, Serialize};

use super::FileRecord;
use crate::engine::{ChunkDetail, Outcome};
use crate::model::{Check, OccurrenceKind, World};
use crate::scenario::Scenario;
use crate::stats::{hist_quantile, proportion, wilson95, BINS};

/// Rounds to 6 decimals, enough for shares and far below Monte Carlo error.
fn r6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A row of `summary.csv`: the distribution of one alignment score in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SummaryRow {
    /// `baseline` or the policy's name.
    pub policy: String,
    /// Calendar quarter, at its end (`2018Q1`).
    pub quarter: String,
    /// Host state code.
    pub state: String,
    /// Pole name.
    pub pole: String,
    /// Mean alignment share over runs (0..=1).
    pub mean: f64,
    /// Standard deviation over runs.
    pub sd: f64,
    /// 5th percentile over runs (histogram, resolution 0.001).
    pub p05: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// A row of `outcomes.csv`: the probability of one outcome at the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomeRow {
    /// `baseline` or the policy's name.
    pub policy: String,
    /// Host state code.
    pub state: String,
    /// `dominant` (the pole has the largest share), `base` (hosts its base), `transit` (its route is
    /// open) or `bloc` (a member).
    pub outcome: String,
    /// The pole, or for `bloc` the bloc.
    pub subject: String,
    /// Share of runs with the outcome.
    pub probability: f64,
    /// Monte Carlo standard error of that share.
    pub mc_se: f64,
}

/// A row of `events.csv`: how often something happened in one quarter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRow {
    /// `baseline` or the policy's name.
    pub policy: String,
    /// Calendar quarter.
    pub quarter: String,
    /// Host state code; empty for an event that strikes a pole.
    pub state: String,
    /// `event`, `reaction`, `base_opened`, `base_closed`, `transit_opened`, `transit_closed`,
    /// `bloc_joined` or `bloc_left`.
    pub kind: String,
    /// The event or reaction; the pole (bases, transit); or the bloc.
    pub name: String,
    /// Share of runs in which it happened that quarter.
    pub share: f64,
}

/// A row of `runs.csv`: one run's end state for one state and pole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    /// `baseline` or the policy's name.
    pub policy: String,
    /// Run index (its random stream).
    pub run: u64,
    /// Host state code.
    pub state: String,
    /// Pole name.
    pub pole: String,
    /// Alignment share at the horizon.
    pub score: f64,
    /// True if this pole has the largest share.
    pub dominant: bool,
    /// True if the state hosts this pole's base.
    pub base: bool,
    /// True if this pole's route through the state is open.
    pub transit: bool,
    /// The pole's blocs the state belongs to, `;`-separated.
    pub blocs: String,
}

/// A row of `parameters.csv`: the value one run used for one varied number (`[[uncertain]]` or an
/// ensemble's column).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ParameterRow {
    /// Run index.
    pub run: u64,
    /// The number's dotted path, as in the scenario (`model.economic_weight`).
    pub parameter: String,
    /// Its value in this run, in the parameter's unit.
    pub value: f64,
}

/// The rows of `parameters.csv` for runs `runs`: run by run, each run's numbers in the order of `names`;
/// `values(run)` gives one run's values.
pub fn parameter_rows<'a>(
    names: &'a [&'a str],
    runs: std::ops::Range<u64>,
    values: impl Fn(u64) -> Vec<f64> + 'a,
) -> impl Iterator<Item = ParameterRow> + 'a {
    runs.flat_map(move |run| {
        names
            .iter()
            .zip(values(run))
            .map(move |(name, value)| ParameterRow {
                run,
                parameter: name.to_string(),
                value,
            })
            .collect::<Vec<_>>()
    })
}

/// A row of `trajectories.csv`: one run's score in one quarter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrajectoryRow {
    /// `baseline` or the policy's name.
    pub policy: String,
    /// Run index.
    pub run: u64,
    /// Calendar quarter.
    pub quarter: String,
    /// Host state code.
    pub state: String,
    /// Pole name.
    pub pole: String,
    /// Alignment share.
    pub score: f64,
}

/// A row of `compare.csv`: a policy's effect on one score at the horizon, paired run by run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompareRow {
    /// The policy.
    pub policy: String,
    /// Host state code.
    pub state: String,
    /// Pole name.
    pub pole: String,
    /// Mean share under the baseline.
    pub baseline_mean: f64,
    /// Mean share under the policy.
    pub policy_mean: f64,
    /// Mean of (policy − baseline) over paired runs.
    pub mean_difference: f64,
    /// Lower end of its 95% confidence interval.
    pub ci95_low: f64,
    /// Upper end of its 95% confidence interval.
    pub ci95_high: f64,
}

/// What produced the outputs, so they can be reproduced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// greatgame's version.
    pub greatgame_version: String,
    /// `run` or `compare`.
    pub command: String,
    /// The full command line.
    pub command_line: Vec<String>,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file as given.
    pub scenario_file: String,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// The scenario's one-line title, for reports; absent in manifests written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Each state's code and full name, in the scenario's order, so that reports can name the states;
    /// empty in manifests written before they were recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<StateName>,
    /// Master seed.
    pub seed: u64,
    /// Runs.
    pub runs: u64,
    /// First and last simulated quarters.
    pub quarters: [String; 2],
    /// Plans run, baseline first.
    pub policies: Vec<String>,
    /// For a shard's partial result, which shard (`K/N`); absent for a whole batch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// For a run with `--precision`, how many runs it needed and why it stopped; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionNote>,
    /// The parameter ensemble the runs drew their sets from (`scenario.parameters` or
    /// `--parameters`); absent when every run used the scenario's values as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<ParametersRecord>,
    /// Every file of the run but the manifest, with size and SHA-256: `greatgame verify` checks them.
    pub files: Vec<FileRecord>,
}

/// A state's code, as outputs write it, and its full name (`name` in `[[state]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateName {
    /// The code (`KAZ`).
    pub code: String,
    /// The full name (`Kazakhstan`); the code if the scenario gives none.
    pub name: String,
}

/// Which parameter ensemble runs drew from, so that a result can be traced to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParametersRecord {
    /// The file as named: the path given to `--parameters`, or the scenario's `parameters` joined to
    /// the scenario's folder (`<built-in>/ensemble_2017.csv` for the built-in scenario's).
    pub file: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// Parameter sets in the file.
    pub sets: usize,
    /// What named it: `scenario.parameters` or `--parameters`.
    pub named_by: String,
}

/// How a `--precision` run ended: the runs it needed and why it stopped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrecisionNote {
    /// The margin asked for: every outcome probability's 95% margin was to fall below it.
    pub target_margin: f64,
    /// The widest 95% margin `1.96·sqrt(p(1 − p)/n)` of the outcome probabilities at the end.
    pub widest_margin: f64,
    /// The most runs allowed (`--runs` or the scenario's `runs`).
    pub runs_max: u64,
    /// The runs simulated.
    pub runs: u64,
    /// `precision reached` or `maximum runs reached`.
    pub stopped: String,
}

/// The header line of the CSV file whose rows are `T` (with its line end): what a file with no rows
/// holds.
pub fn csv_header<T: Serialize + Default>() -> csv::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(T::default())?;
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    Ok(bytes[..end].to_vec())
}

/// Writes `rows` as CSV with a header.
pub fn write_csv<W: Write, T: Serialize>(
    w: W,
    rows: impl IntoIterator<Item = T>,
) -> csv::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    for row in rows {
        out.serialize(row)?;
    }
    out.flush()?;
    Ok(())
}

/// Rows of `summary.csv`.
pub fn summary_rows(scenario: &Scenario, names: &[String], outcome: &Outcome) -> Vec<SummaryRow> {
    let w = &scenario.world;
    let (hs, ps) = (w.states.len(), w.poles.len());
    let mut rows = Vec::new();
    for (name, tally) in names.iter().zip(&outcome.tallies) {
        for t in 0..w.quarters {
            for h in 0..hs {
                for p in 0..ps {
                    let i = (t * hs + h) * ps + p;
                    let m = &tally.alignment[i];
                    let hist = &tally.histograms[i * BINS..(i + 1) * BINS];
                    let q = |x| r6(hist_quantile(hist, x));
                    rows.push(SummaryRow {
                        policy: name.clone(),
                        quarter: w.quarter_label(t).to_string(),
                        state: w.states[h].code.clone(),
                        pole: w.poles[p].clone(),
                        mean: r6(m.mean()),
                        sd: r6(m.sd()),
                        p05: q(0.05),
                        p25: q(0.25),
                        p50: q(0.5),
                        p75: q(0.75),
                        p95: q(0.95),
                    });
                }
            }
        }
    }
    rows
}

/// Rows of `outcomes.csv`.
pub fn outcome_rows(world: &World, names: &[String], outcome: &Outcome) -> Vec<OutcomeRow> {
    let (hs, ps) = (world.states.len(), world.poles.len());
    let mut rows = Vec::new();
    for (name, tally) in names.iter().zip(&outcome.tallies) {
        for h in 0..hs {
            let mut push = |kind: &str, subject: &str, count: u32| {
                let (probability, se) = proportion(u64::from(count), tally.runs);
                rows.push(OutcomeRow {
                    policy: name.clone(),
                    state: world.states[h].code.clone(),
                    outcome: kind.into(),
                    subject: subject.into(),
                    probability: r6(probability),
                    mc_se: r6(se),
                });
            };
            for (kind, counts) in [
                ("dominant", &tally.dominant),
                ("base", &tally.bases),
                ("transit", &tally.transit),
            ] {
                for p in 0..ps {
                    push(kind, &world.poles[p], counts[h * ps + p]);
                }
            }
            for (b, base) in world.bases.iter().enumerate().filter(|(_, b)| b.host == h) {
                push("hosted", &base.name, tally.hosted[b]);
            }
            for (b, bloc) in world.blocs.iter().enumerate() {
                push("bloc", &bloc.name, tally.blocs[h * world.blocs.len() + b]);
            }
        }
    }
    rows
}

/// Rows of `events.csv`.
pub fn event_rows(world: &World, names: &[String], outcome: &Outcome) -> Vec<EventRow> {
    let slots = &outcome.slots;
    let mut rows = Vec::new();
    for (name, tally) in names.iter().zip(&outcome.tallies) {
        for t in 0..world.quarters {
            for (s, slot) in slots.slots.iter().enumerate() {
                let subject = match slot.kind {
                    OccurrenceKind::Event => &world.events[slot.subject].name,
                    OccurrenceKind::Reaction => &world.reactions[slot.subject].name,
                    OccurrenceKind::BaseOpened | OccurrenceKind::BaseClosed => {
                        &world.bases[slot.subject].name
                    }
                    OccurrenceKind::BlocJoined | OccurrenceKind::BlocLeft => {
                        &world.blocs[slot.subject].name
                    }
                    _ => &world.poles[slot.subject],
                };
                let count = tally.occurrences[t * slots.len() + s];
                rows.push(EventRow {
                    policy: name.clone(),
                    quarter: world.quarter_label(t).to_string(),
                    state: slot
                        .state
                        .map(|h| world.states[h].code.clone())
                        .unwrap_or_default(),
                    kind: slot.kind.key().into(),
                    name: subject.clone(),
                    share: r6(proportion(u64::from(count), tally.runs).0),
                });
            }
        }
    }
    rows
}

/// Rows of `runs.csv` for one chunk.
pub fn run_rows<'a>(
    world: &'a World,
    names: &'a [String],
    detail: &'a ChunkDetail,
) -> impl Iterator<Item = RunRow> + 'a {
    let ps = world.poles.len();
    detail.finals.iter().flat_map(move |f| {
        (0..world.states.len()).flat_map(move |h| {
            let dominant = f.state.dominant(world, h);
            (0..ps).map(move |p| RunRow {
                policy: names[f.plan].clone(),
                run: f.run,
                state: world.states[h].code.clone(),
                pole: world.poles[p].clone(),
                score: r6(f.state.alignment[h * ps + p]),
                dominant: dominant == p,
                base: f.state.bases[h * ps + p],
                transit: f.state.transit[h * ps + p],
                blocs: world
                    .blocs
                    .iter()
                    .enumerate()
                    .filter(|(b, bloc)| bloc.pole == p && f.state.blocs[h * world.blocs.len() + b])
                    .map(|(_, bloc)| bloc.name.as_str())
                    .collect::<Vec<_>>()
                    .join(";"),
            })
        })
    })
}

/// Rows of `trajectories.csv` for one chunk.
pub fn trajectory_rows<'a>(
    world: &'a World,
    names: &'a [String],
    detail: &'a ChunkDetail,
) -> impl Iterator<Item = TrajectoryRow> + 'a {
    let (qs, hs, ps) = (world.quarters, world.states.len(), world.poles.len());
    let per_run = names.len() * qs * hs * ps;
    (0..detail.runs).flat_map(move |r| {
        (0..names.len()).flat_map(move |k| {
            (0..qs).flat_map(move |t| {
                (0..hs).flat_map(move |h| {
                    (0..ps).map(move |p| {
                        let i = r as usize * per_run + ((k * qs + t) * hs + h) * ps + p;
                        TrajectoryRow {
                            policy: names[k].clone(),
                            run: detail.first_run + r,
                            quarter: world.quarter_label(t).to_string(),
                            state: world.states[h].code.clone(),
                            pole: world.poles[p].clone(),
                            score: r6(detail.trajectories[i]),
                        }
                    })
                })
            })
        })
    })
}

/// Rows of `compare.csv`: every policy against the baseline (the first tally).
pub fn compare_rows(world: &World, names: &[String], outcome: &Outcome) -> Vec<CompareRow> {
    let (hs, ps) = (world.states.len(), world.poles.len());
    let last = (world.quarters - 1) * hs * ps;
    let base = &outcome.tallies[0];
    let mut rows = Vec::new();
    for (name, tally) in names.iter().zip(&outcome.tallies).skip(1) {
        for h in 0..hs {
            for p in 0..ps {
                let d = &tally.paired[h * ps + p];
                let (lo, hi) = d.ci95();
                rows.push(CompareRow {
                    policy: name.clone(),
                    state: world.states[h].code.clone(),
                    pole: world.poles[p].clone(),
                    baseline_mean: r6(base.alignment[last + h * ps + p].mean()),
                    policy_mean: r6(tally.alignment[last + h * ps + p].mean()),
                    mean_difference: r6(d.mean()),
                    ci95_low: r6(lo),
                    ci95_high: r6(hi),
                });
            }
        }
    }
    rows
}

/// A row of `paired.csv`: a policy's effect on one score in one quarter, paired run by run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedRow {
    /// The policy's name.
    pub policy: String,
    /// Calendar quarter.
    pub quarter: String,
    /// Host state code.
    pub state: String,
    /// Pole name.
    pub pole: String,
    /// Mean over runs of (policy score − baseline score) in this quarter, same run.
    pub mean_difference: f64,
    /// Lower end of its 95% interval (mean ± 1.96 standard errors of the paired differences).
    pub ci95_low: f64,
    /// Upper end of its 95% interval.
    pub ci95_high: f64,
}

/// Rows of `paired.csv`: every policy's paired difference of every score in every quarter.
pub fn paired_rows(world: &World, names: &[String], outcome: &Outcome) -> Vec<PairedRow> {
    let (hs, ps) = (world.states.len(), world.poles.len());
    let mut rows = Vec::new();
    for (name, tally) in names.iter().zip(&outcome.tallies).skip(1) {
        for t in 0..world.quarters {
            let quarter = world.quarter_label(t).to_string();
            for h in 0..hs {
                for p in 0..ps {
                    let d = &tally.paired_quarters[(t * hs + h) * ps + p];
                    let (lo, hi) = d.ci95();
                    rows.push(PairedRow {
                        policy: name.clone(),
                        quarter: quarter.clone(),
                        state: world.states[h].code.clone(),
                        pole: world.poles[p].clone(),
                        mean_difference: r6(d.mean()),
                        ci95_low: r6(lo),
                        ci95_high: r6(hi),
                    });
                }
            }
        }
    }
    rows
}

/// A row of `paired_outcomes.csv`: a policy's effect on the probability of one outcome at the horizon,
/// paired run by run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedOutcomeRow {
    /// The policy's name.
    pub policy: String,
    /// Host state code.
    pub state: String,
    /// `dominant`, `base`, `transit` (of a pole) or `bloc` (membership).
    pub outcome: String,
    /// The pole or bloc.
    pub subject: String,
    /// Share of runs with the outcome under the baseline.
    pub baseline_probability: f64,
    /// Share of runs with the outcome under the policy.
    pub policy_probability: f64,
    /// `policy_probability − baseline_probability`: the mean over runs of the paired difference.
    pub difference: f64,
    /// Lower end of its 95% interval (normal approximation on the paired differences, which are −1, 0
    /// or 1 in each run).
    pub ci95_low: f64,
    /// Upper end of its 95% interval.
    pub ci95_high: f64,
    /// Runs with the outcome under the policy but not under the baseline.
    pub gained_runs: u64,
    /// Runs with the outcome under the baseline but not under the policy.
    pub lost_runs: u64,
}

/// Rows of `paired_outcomes.csv`: every policy's paired difference of every horizon outcome.
pub fn paired_outcome_rows(
    world: &World,
    names: &[String],
    outcome: &Outcome,
) -> Vec<PairedOutcomeRow> {
    let (hs, ps, bs) = (world.states.len(), world.poles.len(), world.blocs.len());
    // (outcome, subject) of each entry of `Tally::outcome_counts`, then the state it belongs to.
    let mut labels = Vec::new();
    for kind in ["dominant", "base", "transit"] {
        for h in 0..hs {
            labels.extend(world.poles.iter().map(|p| (kind, p.clone(), h)));
        }
    }
    for h in 0..hs {
        labels.extend(world.blocs.iter().map(|b| ("bloc", b.name.clone(), h)));
    }
    debug_assert_eq!(labels.len(), 3 * hs * ps + hs * bs);
    let base = &outcome.tallies[0];
    let mut rows = Vec::new();
    for (name, tally) in names.iter().zip(&outcome.tallies).skip(1) {
        let n = tally.runs.max(1) as f64;
        let counts = base.outcome_counts().zip(tally.outcome_counts());
        for ((((kind, subject, h), (b, p)), &g), &l) in labels
            .iter()
            .zip(counts)
            .zip(&tally.gained)
            .zip(&tally.lost)
        {
            let d = (f64::from(g) - f64::from(l)) / n;
            // Variance of the paired differences (values −1, 0, 1), with n − 1 in the denominator.
            let var = ((f64::from(g) + f64::from(l)) / n - d * d) * n / (n - 1.0).max(1.0);
            let half = crate::engine::Z95 * (var.max(0.0) / n).sqrt();
            rows.push(PairedOutcomeRow {
                policy: name.clone(),
                state: world.states[*h].code.clone(),
                outcome: kind.to_string(),
                subject: subject.clone(),
                baseline_probability: r6(f64::from(b) / n),
                policy_probability: r6(f64::from(p) / n),
                difference: r6(d),
                ci95_low: r6(d - half),
                ci95_high: r6(d + half),
                gained_runs: u64::from(g),
                lost_runs: u64::from(l),
            });
        }
    }
    rows.sort_by(|a, b| {
        (&a.policy, &a.state, &a.outcome, &a.subject)
            .cmp(&(&b.policy, &b.state, &b.outcome, &b.subject))
    });
    rows
}

/// A row of `robust.csv`: over runs that each draw their own parameters, a policy's robustness on one
/// horizon share (higher is better for that pole), each measure with its 95% bootstrap interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RobustRow {
    /// The policy's name.
    pub policy: String,
    /// Host state code.
    pub state: String,
    /// Pole whose share is the outcome.
    pub pole: String,
    /// Mean over runs of (policy share − baseline share).
    pub expected_effect: f64,
    /// Lower end of its interval.
    pub expected_effect_low: f64,
    /// Upper end of its interval.
    pub expected_effect_high: f64,
    /// Largest shortfall, over runs, from the best of all plans in that run (0: best in every run).
    pub max_regret: f64,
    /// Lower end of its interval.
    pub max_regret_low: f64,
    /// Upper end of its interval.
    pub max_regret_high: f64,
    /// 90th percentile over runs of the same shortfall.
    pub regret_p90: f64,
    /// Lower end of its interval.
    pub regret_p90_low: f64,
    /// Upper end of its interval.
    pub regret_p90_high: f64,
    /// Share of runs where the policy's share is strictly above the baseline's.
    pub beats_baseline: f64,
    /// Lower end of its interval.
    pub beats_baseline_low: f64,
    /// Upper end of its interval.
    pub beats_baseline_high: f64,
}

/// Rows of `robust.csv` from `by_cell` (`analysis::robust::robustness_by_cell` over the horizon shares,
/// cell `h * poles + p`), policy by policy.
pub fn robust_rows(
    world: &World,
    names: &[String],
    by_cell: &[Vec<crate::analysis::robust::PolicyRobustness>],
) -> Vec<RobustRow> {
    let ps = world.poles.len();
    let mut rows = Vec::new();
    for (k, name) in names.iter().enumerate().skip(1) {
        for (cell, policies) in by_cell.iter().enumerate() {
            let r = &policies[k - 1];
            let i = |x: &crate::analysis::bootstrap::Interval| (r6(x.estimate), r6(x.lo), r6(x.hi));
            let (e, el, eh) = i(&r.expected_effect);
            let (m, ml, mh) = i(&r.max_regret);
            let (q, ql, qh) = i(&r.percentile_regret);
            let (b, bl, bh) = i(&r.beats_baseline);
            rows.push(RobustRow {
                policy: name.clone(),
                state: world.states[cell / ps].code.clone(),
                pole: world.poles[cell % ps].clone(),
                expected_effect: e,
                expected_effect_low: el,
                expected_effect_high: eh,
                max_regret: m,
                max_regret_low: ml,
                max_regret_high: mh,
                regret_p90: q,
                regret_p90_low: ql,
                regret_p90_high: qh,
                beats_baseline: b,
                beats_baseline_low: bl,
                beats_baseline_high: bh,
            });
        }
    }
    rows
}

/// A row of `hindcast.csv`: one check, the share of runs in which it held, and the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HindcastRow {
    /// The check's name.
    pub check: String,
    /// True if the check is held out of calibration.
    pub holdout: bool,
    /// Its kind (`base_closed`, `dominant`, ...).
    pub kind: String,
    /// Host state code.
    pub state: String,
    /// The pole, bloc, event or reaction; empty for "any".
    pub subject: String,
    /// First quarter of the window.
    pub from: String,
    /// Last quarter of the window.
    pub to: String,
    /// Share of runs in which the check held.
    pub share: f64,
    /// Lower end of its Wilson 95% interval.
    pub ci95_low: f64,
    /// Upper end of its Wilson 95% interval.
    pub ci95_high: f64,
    /// Required minimum share (empty if none).
    pub min_share: Option<f64>,
    /// Required maximum share (empty if none).
    pub max_share: Option<f64>,
    /// True if the share meets the requirement.
    pub pass: bool,
}

/// Rows of `hindcast.csv`, in the file's check order, from the first plan's tally.
pub fn hindcast_rows(world: &World, checks: &[Check], outcome: &Outcome) -> Vec<HindcastRow> {
    let tally = &outcome.tallies[0];
    checks
        .iter()
        .zip(&tally.checks)
        .map(|(c, &held)| {
            let (share, _) = proportion(u64::from(held), tally.runs);
            let (lo, hi) = wilson95(u64::from(held), tally.runs);
            HindcastRow {
                check: c.name.clone(),
                holdout: c.holdout,
                kind: c.kind.clone(),
                state: c.state.clone(),
                subject: c.subject.clone(),
                from: world.quarter_label(c.from).to_string(),
                to: world.quarter_label(c.to).to_string(),
                share: r6(share),
                ci95_low: r6(lo),
                ci95_high: r6(hi),
                min_share: c.min_share,
                max_share: c.max_share,
                pass: c.passes(share),
            }
        })
        .collect()
}
