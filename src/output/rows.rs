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
    /// Every file of the run but the manifest, with size and SHA-256: `greatgame verify` checks them.
    pub files: Vec<FileRecord>,
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
