//! Simulating one plan in memory and keeping, per run, the shares of the quarters asked for: what turns,
//! branch comparisons and attribution read. Runs through the engine, so run `i` draws from stream
//! `(seed, i)` exactly as in `run`, and any thread count gives the same numbers. When runs draw their
//! own parameters (a parameter ensemble, `[[uncertain]]` numbers), each run is simulated in the world
//! its own draw gives (`Setup::varied`), as `run` simulates it.

use crate::engine::{self, Batch, ChunkDetail, PerRun, Tally};
use crate::model::{Check, Plan, World};

use super::PlayError;

/// Per-run shares of one plan in some quarters, with the plan's tally.
#[derive(Clone, Debug)]
pub struct Ensemble {
    /// Runs.
    pub runs: u64,
    /// The quarters kept, in the order given.
    pub kept: Vec<usize>,
    /// Cells per quarter: states × poles.
    pub cells: usize,
    /// `shares[(run * kept.len() + k) * cells + h * poles + p]` for quarter `kept[k]`.
    pub shares: Vec<f64>,
    /// The engine's tally of the plan (checks included).
    pub tally: Tally,
}

impl Ensemble {
    /// Shares of run `run` in quarter `t` (one of the quarters kept), by `h * poles + p`.
    pub fn at(&self, run: u64, t: usize) -> &[f64] {
        // unwrap OK: callers ask only for the quarters they kept; anything else is a bug here.
        let k = self
            .kept
            .iter()
            .position(|&q| q == t)
            .expect("a quarter kept");
        let i = (run as usize * self.kept.len() + k) * self.cells;
        &self.shares[i..i + self.cells]
    }
}

/// Each run's starting shares: its own drawn world's when runs draw their parameters (a parameter set
/// or an uncertain number may move the start), else the scenario's. What a change "since the start"
/// is measured from.
#[derive(Clone, Debug)]
pub struct Starts {
    /// Cells per run: states × poles.
    cells: usize,
    /// `values[run * cells + h * poles + p]`, or, when every run starts alike, that start alone.
    values: Vec<f64>,
}

impl Starts {
    /// The starts of the runs of `setup` (building each run's world once when runs draw their own).
    pub fn of(setup: &Setup) -> Result<Starts, PlayError> {
        let start_of = |world: &World| -> Vec<f64> {
            world
                .states
                .iter()
                .flat_map(|h| h.alignment.iter().copied())
                .collect()
        };
        let cells = setup.world.states.len() * setup.world.poles.len();
        let values = match setup.varied {
            None => start_of(setup.world),
            Some(_) => {
                let mut values = Vec::with_capacity(setup.runs as usize * cells);
                for run in 0..setup.runs {
                    values.extend(start_of(&setup.run_world(run)?.0));
                }
                values
            }
        };
        Ok(Starts { cells, values })
    }

    /// Starting shares of run `run`, by `h * poles + p`.
    pub fn run(&self, run: u64) -> &[f64] {
        let i = match self.values.len() == self.cells {
            true => 0,
            false => run as usize * self.cells,
        };
        &self.values[i..i + self.cells]
    }
}

/// What to simulate in memory.
#[derive(Clone, Copy, Debug)]
pub struct Setup<'a> {
    /// The world (injects included).
    pub world: &'a World,
    /// The plan.
    pub plan: &'a Plan,
    /// Master seed.
    pub seed: u64,
    /// Runs `0..runs`.
    pub runs: u64,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Each run's own world and plan when runs draw their own parameters (one plan: `plan`'s, built
    /// from the run's draw); `None`: every run in `world` under `plan`.
    pub varied: Option<&'a dyn PerRun>,
}

impl Setup<'_> {
    /// The world and plan run `run` is simulated in: its own draw's, or the setup's.
    pub fn run_world(&self, run: u64) -> Result<(World, Plan), PlayError> {
        let Some(v) = self.varied else {
            return Ok((self.world.clone(), self.plan.clone()));
        };
        let (world, plans) = v.world(run).map_err(|e| {
            PlayError::Engine(format!(
                "run {run}: its drawn parameters give no world: {e}"
            ))
        })?;
        let plan = plans.into_iter().next().ok_or_else(|| {
            PlayError::Engine(format!("run {run}: its drawn parameters give no plan"))
        })?;
        Ok((world, plan))
    }
}

/// Simulates `setup` over the whole horizon, keeping every run's shares in the quarters `kept` and
/// evaluating `checks`.
pub fn simulate(setup: &Setup, kept: &[usize], checks: &[Check]) -> Result<Ensemble, PlayError> {
    let world = setup.world;
    let cells = world.states.len() * world.poles.len();
    let plans = std::slice::from_ref(setup.plan);
    let batch = Batch {
        world,
        plans,
        first_run: 0,
        runs: setup.runs,
        seed: setup.seed,
        threads: setup.threads,
        checks,
        keep_finals: false,
        keep_trajectories: !kept.is_empty(),
        varied: setup.varied,
    };
    let mut shares = Vec::with_capacity(setup.runs as usize * kept.len() * cells);
    let sink = |detail: ChunkDetail| -> Result<(), std::convert::Infallible> {
        // One plan: the detail is by run, quarter (all of them), state and pole.
        for run in detail.trajectories.chunks_exact(world.quarters * cells) {
            for &t in kept {
                shares.extend_from_slice(&run[t * cells..(t + 1) * cells]);
            }
        }
        Ok(())
    };
    let outcome = engine::simulate(&batch, sink).map_err(|e| PlayError::Engine(e.to_string()))?;
    let tally = outcome
        .tallies
        .into_iter()
        .next()
        .ok_or_else(|| PlayError::Engine("the engine returned no tally for the plan".into()))?;
    Ok(Ensemble {
        runs: setup.runs,
        kept: kept.to_vec(),
        cells,
        shares,
        tally,
    })
}

/// Index of the largest of `row` (the first on ties), as `RunState::dominant` picks it.
pub fn dominant(row: &[f64]) -> usize {
    let mut best = 0;
    for (i, a) in row.iter().enumerate() {
        if a.total_cmp(&row[best]).is_gt() {
            best = i;
        }
    }
    best
}

/// Mean of `values` and its 95% interval (normal approximation, `mean ± 1.96·sd/√n`, sd with n − 1),
/// summed in the order given, so the same values give the same bits; values that are all zero give
/// exactly zero.
pub fn mean_ci(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let values: Vec<f64> = values.collect();
    let n = values.len() as f64;
    if values.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, mean, mean);
    }
    let ss: f64 = values.iter().map(|x| (x - mean) * (x - mean)).sum();
    let half = engine::Z95 * (ss / (n - 1.0)).sqrt() / n.sqrt();
    (mean, mean - half, mean + half)
}

/// The `q` quantile (0..=1) of `values` (sorted here), by the nearest rank below.
pub fn quantile(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let i = (q * (values.len() - 1) as f64).floor() as usize;
    values[i.min(values.len() - 1)]
}
