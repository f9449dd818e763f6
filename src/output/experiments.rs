//! The outputs of experiments (`explore`, `sensitivity`, `discover`): the manifest of an experiment
//! folder, which says how to recompute every row, and the formatting of `experiments.csv`, whose
//! columns depend on the factors and the world (inputs first, then outcomes, as EMA Workbench lays
//! out its experiments and outcomes). Pure: the CLI writes the bytes.

use serde::{Deserialize, Serialize};

use super::{FileRecord, ParametersRecord};
use crate::explore::{describe_distribution, DesignSpec, Factor};

/// `experiments.csv`: one row per design point and plan.
pub const EXPERIMENTS_CSV: &str = "experiments.csv";
/// `sensitivity.csv`: one row per outcome, plan, parameter and index.
pub const SENSITIVITY_CSV: &str = "sensitivity.csv";
/// `prim_trajectory.csv`: PRIM's peeling trajectory, one row per box.
pub const PRIM_TRAJECTORY_CSV: &str = "prim_trajectory.csv";
/// `prim_box.csv`: the chosen box's limits, one row per input.
pub const PRIM_BOX_CSV: &str = "prim_box.csv";

/// The first two columns of `experiments.csv`, before the factors.
pub const KEY_COLUMNS: [&str; 2] = ["point", "policy"];

/// One factor as a manifest records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorNote {
    /// Dotted path, also the column name.
    pub path: String,
    /// The distribution in words (`uniform(0.1, 0.3)`).
    pub distribution: String,
}

impl FactorNote {
    /// The note of `factor`.
    pub fn of(factor: &Factor) -> FactorNote {
        FactorNote {
            path: factor.path.clone(),
            distribution: describe_distribution(&factor.distribution),
        }
    }
}

/// What produced an experiment folder (`explore`, `sensitivity` or `discover`), so it can be
/// reproduced, checked and combined: `merge` refuses shards whose manifests differ in anything but the
/// shard and the files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentManifest {
    /// greatgame's version.
    pub greatgame_version: String,
    /// `explore`, `sensitivity` or `discover`.
    pub command: String,
    /// The full command line.
    pub command_line: Vec<String>,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file as given.
    pub scenario_file: String,
    /// SHA-256 of the scenario text (after `--set`).
    pub scenario_sha256: String,
    /// Master seed of the runs.
    pub seed: u64,
    /// Runs per point and plan.
    pub runs: u64,
    /// First and last simulated quarters.
    pub quarters: [String; 2],
    /// Plans run at every point, in row order.
    pub policies: Vec<String>,
    /// The design.
    pub design: DesignSpec,
    /// The factors, in column order.
    pub factors: Vec<FactorNote>,
    /// The calibrated ensemble that is the design's last factor (`scenario.parameters` or
    /// `--parameters`): its file, SHA-256 and number of sets; absent when the design has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<ParametersRecord>,
    /// Quarters observed (`--at`).
    pub at: Vec<String>,
    /// Points of the whole design.
    pub points: u64,
    /// For a shard, which one (`K/N`); absent for a whole design.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// First point index this folder holds.
    pub first_point: u64,
    /// Points this folder holds.
    pub point_count: u64,
    /// Every file but the manifest, with size and SHA-256.
    pub files: Vec<FileRecord>,
}

impl ExperimentManifest {
    /// True if `other` describes the same experiment (everything but command line, shard, point range
    /// and files).
    pub fn same_experiment(&self, other: &ExperimentManifest) -> bool {
        let key = |m: &ExperimentManifest| {
            (
                m.greatgame_version.clone(),
                m.command.clone(),
                m.scenario_sha256.clone(),
                m.seed,
                m.runs,
                m.quarters.clone(),
                m.policies.clone(),
                m.design,
                m.factors.clone(),
                m.parameters.clone(),
                m.at.clone(),
                m.points,
            )
        };
        key(self) == key(other)
    }
}

/// The header of `experiments.csv`: `point`, `policy`, the input columns (`explore::input_columns`:
/// the factor paths, then an ensemble's set index and columns), the outcome columns.
pub fn experiment_header(inputs: &[String], outcomes: &[String]) -> Vec<String> {
    KEY_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .chain(inputs.iter().cloned())
        .chain(outcomes.iter().cloned())
        .collect()
}

/// The rows of one point: one per plan, `point`, plan name, the input cells (`values`), then that
/// plan's outcomes (`outcomes[plan * columns ..]`). Numbers in Rust's shortest round-trip form (a set
/// index as an integer).
pub fn experiment_records(
    point: u64,
    values: &[f64],
    plans: &[String],
    outcomes: &[f64],
) -> Vec<Vec<String>> {
    let columns = outcomes.len() / plans.len().max(1);
    plans
        .iter()
        .enumerate()
        .map(|(k, plan)| {
            let mut row = Vec::with_capacity(2 + values.len() + columns);
            row.push(point.to_string());
            row.push(plan.clone());
            row.extend(values.iter().map(|v| v.to_string()));
            row.extend(
                outcomes[k * columns..(k + 1) * columns]
                    .iter()
                    .map(|v| v.to_string()),
            );
            row
        })
        .collect()
}
