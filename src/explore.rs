//! Experiments: a design's points over a scenario's uncertain parameters, each point simulated for a
//! number of runs under every chosen plan, reduced to one row of outcomes per point and plan
//! (`greatgame explore`, `sensitivity`, and the table `discover` reads).
//!
//! A point's scenario is the scenario text with each factor's value written in at its dotted path
//! (`model.mood_sd`, `event.spillover.hazard`), parsed and validated like the file: a value is only ever
//! used through the checks every scenario passes. The text is edited once ([`Template::new`] writes a
//! placeholder at each path and keeps the text around it), so a point only substitutes numbers and
//! parses. When every factor's path has a typed setter (`analysis::uncertain::Setters`: coefficients,
//! bloc thresholds, state events' effects, plain hazards), a point's world is the scenario's with
//! the values written in instead, which is the same world without the parse.
//!
//! A calibrated ensemble (`scenario.parameters`, `--parameters`) is one more factor, the design's last
//! coordinate: it picks the point's set by weight ([`Ensemble::set_at`], the distribution `run` draws
//! a run's set from), every run of the point uses that set, and the factors' values go on top (the
//! ensemble's columns that are also factors are dropped before). A row's inputs are then the factors,
//! the set's index ([`SET_COLUMN`]) and the set's values. Run `i` of every point and every plan draws from stream `(seed, i)` (`engine::run_rng`):
//! points and plans are compared under common random numbers (and since a run's draws depend on the
//! world's structure alone, they are drawn once per experiment, [`DrawnShocks`], and every point whose
//! world draws the same cells reads them), and a point's row equals what
//! `greatgame run --set PATH=VALUE … --runs M --seed S` reports for it. Points are simulated in
//! parallel, one point per worker, and handed on in point order, so the rows are the same bits for
//! any thread count and any split of the points into shards. Must not: touch files or print.

use std::ops::Range;
use std::sync::mpsc;

use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::analysis::design::{Design, Distribution, Factorial, LatinHypercube, Morris, Saltelli};
use crate::analysis::uncertain::{Ensemble, Setters};
use crate::analysis::AnalysisError;
use crate::engine::run_rng;
use crate::model::{
    step, F64s, LaneMask, Occurrences, Plan, RunState, Shocks, State, World, LANES,
};
use crate::scenario::{self, Scenario, ScenarioError};

/// One uncertain parameter of an experiment: where it is in the scenario and how it varies.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    /// Dotted path of the value (`model.KEY` or `SECTION.NAME.KEY`), also its column name.
    pub path: String,
    /// Its distribution; a design's unit coordinate becomes a value through its quantile.
    pub distribution: Distribution,
}

/// A distribution in words, as manifests and tables show it: `uniform(0.1, 0.3)`.
pub fn describe_distribution(d: &Distribution) -> String {
    match d {
        Distribution::Uniform { lo, hi } => format!("uniform({lo}, {hi})"),
        Distribution::Triangular { lo, mode, hi } => format!("triangular({lo}, {mode}, {hi})"),
        Distribution::TruncatedNormal { mean, sd, lo, hi } => {
            format!("truncated_normal({mean}, {sd}, {lo}, {hi})")
        }
        Distribution::Choices(c) => format!("choices({:?})", c.values()),
    }
}

impl Factor {
    /// Parses `PATH=LOW..HIGH` (`--factor`): the value at PATH uniform on [LOW, HIGH].
    pub fn parse(text: &str) -> Result<Factor, String> {
        let bad = |why: &str| {
            format!("--factor {text}: {why}; expected PATH=LOW..HIGH, like model.mood_sd=0.1..0.3")
        };
        let (path, range) = text.split_once('=').ok_or_else(|| bad("no `=`"))?;
        let (lo, hi) = range
            .split_once("..")
            .ok_or_else(|| bad("no `..` in the range"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<f64>()
                .map_err(|_| bad(&format!("`{}` is not a number", s.trim())))
        };
        let (lo, hi) = (number(lo)?, number(hi)?);
        let distribution = Distribution::uniform(lo, hi).map_err(|e| bad(&e.to_string()))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(bad("no path"));
        }
        Ok(Factor {
            path: path.to_string(),
            distribution,
        })
    }
}

/// The kinds of design `explore` offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DesignKind {
    /// Latin hypercube of `samples` points.
    Lhs,
    /// Saltelli's design for Sobol indices: `samples` base rows, `samples (k + 2)` points
    /// (`samples (2k + 2)` with second order).
    Sobol,
    /// Morris: `samples` one-at-a-time trajectories of `k + 1` points.
    Morris,
    /// Full factorial: `samples` levels per factor, `samples^k` points.
    Factorial,
}

impl DesignKind {
    /// Its name on the command line and in manifests.
    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Lhs => "lhs",
            DesignKind::Sobol => "sobol",
            DesignKind::Morris => "morris",
            DesignKind::Factorial => "factorial",
        }
    }
}

impl std::str::FromStr for DesignKind {
    type Err = String;

    fn from_str(s: &str) -> Result<DesignKind, String> {
        [
            DesignKind::Lhs,
            DesignKind::Sobol,
            DesignKind::Morris,
            DesignKind::Factorial,
        ]
        .into_iter()
        .find(|d| d.name() == s)
        .ok_or_else(|| format!("`{s}` is not a design; expected lhs, sobol, morris or factorial"))
    }
}

/// Everything that fixes a design's points, given its number of factors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DesignSpec {
    /// Which design.
    pub kind: DesignKind,
    /// Points (lhs), base rows (sobol), trajectories (morris) or levels per factor (factorial).
    pub samples: u32,
    /// With `sobol`, the extra points for second-order indices.
    pub second_order: bool,
    /// Grid levels of a Morris design (even, 2 to 1,000).
    pub levels: u32,
    /// Seed of the seeded designs (lhs, morris).
    pub seed: u64,
}

/// Morris grid levels when none are given (Morris 1991 suggests 4).
pub const MORRIS_LEVELS: u32 = 4;

/// A built design of any kind.
#[derive(Clone, Debug)]
pub enum AnyDesign {
    /// Latin hypercube.
    Lhs(LatinHypercube),
    /// Saltelli.
    Saltelli(Saltelli),
    /// Morris.
    Morris(Morris),
    /// Full factorial.
    Factorial(Factorial),
}

impl DesignSpec {
    /// The design over `k` factors.
    pub fn build(&self, k: usize) -> Result<AnyDesign, AnalysisError> {
        Ok(match self.kind {
            DesignKind::Lhs => AnyDesign::Lhs(LatinHypercube::new(self.samples, k, self.seed)?),
            DesignKind::Sobol => {
                AnyDesign::Saltelli(Saltelli::new(self.samples, k, 0, self.second_order)?)
            }
            DesignKind::Morris => {
                AnyDesign::Morris(Morris::new(k, self.samples, self.levels, self.seed)?)
            }
            DesignKind::Factorial => AnyDesign::Factorial(Factorial::new(vec![self.samples; k])?),
        })
    }
}

impl Design for AnyDesign {
    fn len(&self) -> u64 {
        match self {
            AnyDesign::Lhs(d) => d.len(),
            AnyDesign::Saltelli(d) => d.len(),
            AnyDesign::Morris(d) => d.len(),
            AnyDesign::Factorial(d) => d.len(),
        }
    }

    fn dims(&self) -> usize {
        match self {
            AnyDesign::Lhs(d) => d.dims(),
            AnyDesign::Saltelli(d) => d.dims(),
            AnyDesign::Morris(d) => d.dims(),
            AnyDesign::Factorial(d) => d.dims(),
        }
    }

    fn point(&self, index: u64, out: &mut [f64]) {
        match self {
            AnyDesign::Lhs(d) => d.point(index, out),
            AnyDesign::Saltelli(d) => d.point(index, out),
            AnyDesign::Morris(d) => d.point(index, out),
            AnyDesign::Factorial(d) => d.point(index, out),
        }
    }
}

/// The input column of an ensemble set's index in `experiments.csv`: an arbitrary id (the set's row
/// in the file, from 0), not a quantity; the set's values follow it in columns of their own.
pub const SET_COLUMN: &str = "parameters.set";

/// The input columns of an experiment, in `experiments.csv` order: the factors' paths, then, with a
/// calibrated ensemble as a factor, [`SET_COLUMN`] and the ensemble's columns.
pub fn input_columns(factors: &[Factor], ensemble: Option<&Ensemble>) -> Vec<String> {
    let mut out: Vec<String> = factors.iter().map(|f| f.path.clone()).collect();
    if let Some(e) = ensemble {
        out.push(SET_COLUMN.to_string());
        out.extend(e.names.iter().cloned());
    }
    out
}

/// The paths a point writes into the scenario, in the order of [`world_values`]: the factors' paths,
/// then the ensemble's columns (which exclude the factors' paths: a factor takes precedence).
pub fn point_paths<'p>(factors: &'p [Factor], ensemble: Option<&'p Ensemble>) -> Vec<&'p str> {
    factors
        .iter()
        .map(|f| f.path.as_str())
        .chain(
            ensemble
                .iter()
                .flat_map(|e| e.names.iter().map(String::as_str)),
        )
        .collect()
}

/// The input cells of point `index` of `design` (the order of [`input_columns`]): each factor's
/// value, the design's coordinate `u` mapped through its distribution; with an ensemble, its set at
/// the design's last coordinate ([`Ensemble::set_at`]) as an index, then that set's values.
pub fn inputs_at(
    design: &AnyDesign,
    factors: &[Factor],
    ensemble: Option<&Ensemble>,
    index: u64,
) -> Vec<f64> {
    let mut unit = vec![0.0; design.dims()];
    design.point(index, &mut unit);
    let mut out: Vec<f64> = unit
        .iter()
        .zip(factors)
        .map(|(&u, f)| f.distribution.quantile(u))
        .collect();
    if let Some(e) = ensemble {
        let set = e.set_at(unit[factors.len()]);
        out.push(set as f64);
        out.extend(&e.sets[set]);
    }
    out
}

/// The values a point writes at [`point_paths`], from its input cells: all but the set's index.
pub fn world_values(inputs: &[f64], factors: usize, ensemble: bool) -> Vec<f64> {
    match ensemble {
        true => [&inputs[..factors], &inputs[factors + 1..]].concat(),
        false => inputs.to_vec(),
    }
}

/// A scenario text with a slot at each factor's path: a point's scenario is the text with the
/// point's numbers in the slots.
#[derive(Clone, Debug)]
pub struct Template {
    /// The text around the slots: `pieces[0]`, slot, `pieces[1]`, …, slot, `pieces[n]`.
    pieces: Vec<String>,
    /// The factor whose value goes in each slot, in text order.
    slots: Vec<usize>,
    /// The scenario's name in messages.
    file: String,
    /// The scenario text and paths, when a value also changes others (a starting share of one pole
    /// rescales the other poles' shares): then each point edits the text in full, as `--set` does.
    whole: Option<(String, Vec<String>)>,
}

/// Whether setting `path` changes other values too: one pole's starting share
/// (`state.S.alignment.P`) rescales the others to keep their sum.
fn rescales(path: &str) -> bool {
    matches!(
        path.split('.').collect::<Vec<_>>().as_slice(),
        ["state", _, "alignment", _]
    )
}

/// The placeholder written at factor `i`'s path: a TOML string no scenario contains.
fn placeholder(i: usize) -> String {
    format!("@@greatgame-factor-{i}@@")
}

impl Template {
    /// The template of `text` (named `file` in errors) with a slot at each of `paths`. A path that
    /// names no value of the scenario, or names one twice, is an error naming it.
    pub fn new(text: &str, file: &str, paths: &[&str]) -> Result<Template, ScenarioError> {
        let items: Vec<(&str, toml_edit::Value, String)> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| (*p, toml_edit::Value::from(placeholder(i)), String::new()))
            .collect();
        let marked = scenario::set_items(text, file, &items)?;
        let mut found: Vec<(usize, usize, usize)> = Vec::with_capacity(paths.len());
        for (i, path) in paths.iter().enumerate() {
            let quoted = format!("\"{}\"", placeholder(i));
            let mut at = marked.match_indices(&quoted).map(|(at, _)| at);
            match (at.next(), at.next()) {
                (Some(start), None) => found.push((start, start + quoted.len(), i)),
                _ => {
                    return Err(scenario::ScenarioError::Invalid(Box::new(
                        scenario::Located::nowhere(
                            file,
                            path.to_string(),
                            "given twice (each factor needs its own path)".into(),
                        ),
                    )))
                }
            }
        }
        found.sort_unstable();
        let mut pieces = Vec::with_capacity(found.len() + 1);
        let mut from = 0;
        for &(start, end, _) in &found {
            pieces.push(marked[from..start].to_string());
            from = end;
        }
        pieces.push(marked[from..].to_string());
        let whole = paths.iter().any(|p| rescales(p)).then(|| {
            (
                text.to_string(),
                paths.iter().map(|p| p.to_string()).collect(),
            )
        });
        Ok(Template {
            pieces,
            slots: found.iter().map(|&(_, _, i)| i).collect(),
            file: file.to_string(),
            whole,
        })
    }

    /// The scenario text with `values` (one per factor, in factor order) in the slots. Numbers are
    /// written in Rust's shortest form that reads back as the same `f64`, always as TOML floats.
    pub fn text(&self, values: &[f64]) -> String {
        let mut out = String::with_capacity(
            self.pieces.iter().map(String::len).sum::<usize>() + 24 * values.len(),
        );
        out.push_str(&self.pieces[0]);
        for (piece, &slot) in self.pieces[1..].iter().zip(&self.slots) {
            out.push_str(&format!("{:?}", values[slot]));
            out.push_str(piece);
        }
        out
    }

    /// The checked scenario at `values`.
    pub fn scenario(&self, values: &[f64]) -> Result<Scenario, ScenarioError> {
        match &self.whole {
            Some((text, paths)) => {
                let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
                crate::analysis::uncertain::apply(text, &self.file, &paths, values)
            }
            None => Scenario::from_toml(&self.text(values), &self.file),
        }
    }
}

/// Which outcomes a row reports: the quarters (indices into the world's quarters, ascending).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observe {
    /// Quarter indices, ascending and distinct.
    pub at: Vec<usize>,
}

/// The outcome kinds of a row, per state, in column order.
const KINDS: [&str; 5] = ["share", "dominant", "base", "transit", "bloc"];

impl Observe {
    /// The quarters a run must be simulated for: `0..end`, up to the last one observed.
    pub fn end(&self) -> usize {
        self.at.last().map_or(0, |&t| t + 1)
    }

    /// The outcome column names for `world`: for each quarter, each state, then `share`, `dominant`,
    /// `base` and `transit` per pole and `bloc` per bloc: `UZB.bloc.CSTO@2027Q4`.
    pub fn columns(&self, world: &World) -> Vec<String> {
        let mut out = Vec::new();
        for &t in &self.at {
            let q = world.quarter_label(t);
            for s in &world.states {
                for kind in KINDS {
                    let subjects: Vec<&str> = match kind {
                        "bloc" => world.blocs.iter().map(|b| b.name.as_str()).collect(),
                        _ => world.poles.iter().map(String::as_str).collect(),
                    };
                    for subject in subjects {
                        out.push(format!("{}.{kind}.{subject}@{q}", s.code));
                    }
                }
            }
        }
        out
    }

    /// Columns per quarter for `world`.
    fn per_quarter(world: &World) -> usize {
        world.states.len() * (4 * world.poles.len() + world.blocs.len())
    }
}

/// Buffers a worker reuses from batch to batch (every point's world has the same dimensions).
pub struct Scratch {
    /// Each point's blocks, one per plan: `[point][plan]`.
    blocks: Vec<Vec<State<F64s>>>,
    lane: RunState,
    rngs: Vec<ChaCha8Rng>,
    shocks: Shocks<F64s>,
    occurred: Vec<LaneMask>,
}

impl Scratch {
    /// Buffers for `plans` plans of worlds shaped like `world`.
    pub fn new(world: &World, plans: usize) -> Scratch {
        let mut scratch = Scratch {
            blocks: Vec::new(),
            lane: RunState::initial(world),
            rngs: Vec::with_capacity(LANES),
            shocks: Shocks::quiet(world),
            occurred: Vec::new(),
        };
        scratch.grow(world, 1, plans);
        scratch
    }

    /// Makes blocks for `points` points of `plans` plans each of worlds shaped like `world`, where
    /// fewer are made.
    fn grow(&mut self, world: &World, points: usize, plans: usize) {
        self.blocks
            .resize_with(self.blocks.len().max(points), Vec::new);
        for blocks in &mut self.blocks[..points] {
            let missing = plans.saturating_sub(blocks.len());
            blocks.extend((0..missing).map(|_| State::initial(world)));
        }
    }
}

/// The most memory the shocks drawn once for an experiment may take (`DrawnShocks::bytes_for`):
/// 6 MB at the benchmark's 200 runs of the built-in scenario, so designs of up to about 2,000 runs a
/// point keep them; above, every point draws its own, as it did before, and memory stays that of a
/// point whatever the runs.
pub const MAX_DRAWN_BYTES: u64 = 64 << 20;

/// The shocks of runs `0..runs` under `seed` in quarters `0..end`, drawn once for a whole experiment.
///
/// Run `i` of every point draws from stream `(seed, i)`, and which cells it draws depends on the
/// world's structure alone (`Shocks::draws_like`: its events, their targets, the reactions and their
/// hosts), which a design's numbers do not change. So run `i`'s shocks in quarter `t` are the same at
/// every point, and are drawn here once instead of once a point. Read-only, shared by the workers;
/// its size depends on the runs and quarters only, not on the number of points.
#[derive(Debug)]
pub struct DrawnShocks {
    /// Master seed of the runs.
    seed: u64,
    /// Runs drawn, `LANES` to a block.
    runs: u64,
    /// Quarters drawn per block.
    end: usize,
    /// Block `b`'s shocks in quarter `t` at `[b * end + t]`, as `Shocks::draw_lanes` leaves them.
    quarters: Vec<Shocks<F64s>>,
}

impl DrawnShocks {
    /// Draws runs `0..runs` under `seed` for quarters `0..end` of `world`, exactly as
    /// `simulate_point` draws them run block by run block.
    pub fn new(world: &World, seed: u64, runs: u64, end: usize) -> DrawnShocks {
        let mut shocks = Shocks::quiet(world);
        let mut rngs = Vec::with_capacity(LANES);
        let mut quarters = Vec::new();
        for first in (0..runs).step_by(LANES) {
            let n = (runs - first).min(LANES as u64);
            rngs.clear();
            rngs.extend((first..first + n).map(|run| run_rng(seed, run)));
            for _ in 0..end {
                shocks.draw_lanes(&mut rngs);
                quarters.push(shocks.clone());
            }
        }
        DrawnShocks {
            seed,
            runs,
            end,
            quarters,
        }
    }

    /// Whether these are the shocks runs `0..runs` of `world` under `seed` draw in quarters
    /// `0..end`: the same seed, runs and quarters, and a world that draws the same cells.
    pub fn fits(&self, world: &World, seed: u64, runs: u64, end: usize) -> bool {
        (self.seed, self.runs, self.end) == (seed, runs, end)
            && self.quarters.first().is_none_or(|q| q.draws_like(world))
    }

    /// The bytes `DrawnShocks::new(world, _, runs, end)` would hold, without drawing them.
    pub fn bytes_for(world: &World, runs: u64, end: usize) -> u64 {
        let quiet = Shocks::<F64s>::quiet(world);
        let cells = (quiet.event.len() + quiet.mood.len() + quiet.reaction.len()) as u64;
        runs.div_ceil(LANES as u64)
            .saturating_mul(end as u64)
            .saturating_mul(cells * size_of::<F64s>() as u64)
    }

    /// The bytes the drawn numbers take (the buffers' contents, without the bookkeeping).
    pub fn bytes(&self) -> usize {
        self.quarters
            .iter()
            .map(|q| (q.event.len() + q.mood.len() + q.reaction.len()) * size_of::<F64s>())
            .sum()
    }
}

/// Simulates runs `0..runs` of each of `plans` in `world` under `seed` and returns, per plan, the
/// outcome columns of `observe` (`Observe::columns` order): mean shares and the shares of runs with
/// each dominance, base, route and membership at each observed quarter. Runs advance `LANES` at a
/// time in lock-step as in the engine, with the same draws: read from `drawn` when it holds them
/// (`DrawnShocks::fits`), else drawn here. `simulate_points` of this one point.
pub fn simulate_point(
    world: &World,
    plans: &[&Plan],
    seed: u64,
    runs: u64,
    observe: &Observe,
    drawn: Option<&DrawnShocks>,
    scratch: &mut Scratch,
) -> Vec<f64> {
    let point = PointSpec { world, plans };
    simulate_points(&[point], seed, runs, observe, drawn, scratch)
        .pop()
        .expect("one point gives one result")
}

/// A design point to simulate: its world and the plans run in it.
#[derive(Clone, Copy)]
pub struct PointSpec<'a> {
    /// The point's world.
    pub world: &'a World,
    /// The plans run at the point, in row order.
    pub plans: &'a [&'a Plan],
}

/// `simulate_point` of each of `points`, each giving exactly the numbers it gives alone, computed
/// together: run block by run block and quarter by quarter, every point steps through a quarter
/// while its shocks are in the cache. Read once a batch rather than once a point, the shocks drawn
/// for an experiment (6 MB at 200 runs of the built-in scenario, more than a core's cache) stop
/// being a stream from memory per point; and where each point would draw its own, the batch draws
/// them once when every point's world draws the same cells (`Shocks::draws_like`). Points whose
/// worlds draw other cells are simulated alone.
pub fn simulate_points(
    points: &[PointSpec],
    seed: u64,
    runs: u64,
    observe: &Observe,
    drawn: Option<&DrawnShocks>,
    scratch: &mut Scratch,
) -> Vec<Vec<f64>> {
    let end = observe.end();
    let Some(first) = points.first() else {
        return Vec::new();
    };
    let drawn = drawn.filter(|d| points.iter().all(|p| d.fits(p.world, seed, runs, end)));
    let alike = drawn.is_some() || points.iter().all(|p| scratch.shocks.draws_like(p.world));
    if !alike && points.len() > 1 {
        return points
            .iter()
            .map(|&p| simulate_points(&[p], seed, runs, observe, drawn, scratch))
            .map(|mut one| one.pop().expect("one point gives one result"))
            .collect();
    }
    if !alike {
        scratch.shocks = Shocks::quiet(first.world);
    }
    let width = Observe::per_quarter(first.world);
    let columns = width * observe.at.len();
    let mut sums: Vec<Vec<f64>> = points
        .iter()
        .map(|p| vec![0.0; p.plans.len() * columns])
        .collect();
    let slots: Vec<Occurrences> = points.iter().map(|p| Occurrences::new(p.world)).collect();
    let most_plans = points.iter().map(|p| p.plans.len()).max().unwrap_or(0);
    scratch.grow(first.world, points.len(), most_plans);
    let Scratch {
        blocks: all_blocks,
        lane,
        rngs,
        shocks,
        occurred,
        ..
    } = scratch;
    for (block_index, first_run) in (0..runs).step_by(LANES).enumerate() {
        let n = (runs - first_run).min(LANES as u64) as usize;
        if drawn.is_none() {
            rngs.clear();
            rngs.extend((first_run..first_run + n as u64).map(|run| run_rng(seed, run)));
        }
        for (point, blocks) in points.iter().zip(all_blocks.iter_mut()) {
            blocks[..point.plans.len()]
                .iter_mut()
                .for_each(|b| b.reset(point.world));
        }
        let mut next = 0;
        for t in 0..end {
            let shocks: &Shocks<F64s> = match drawn {
                Some(d) => &d.quarters[block_index * end + t],
                None => {
                    shocks.draw_lanes(rngs);
                    shocks
                }
            };
            let observed = observe.at[next] == t;
            for (((point, blocks), slots), sums) in points
                .iter()
                .zip(all_blocks.iter_mut())
                .zip(&slots)
                .zip(&mut sums)
            {
                // `step` clears the flags it is given; only the length follows the point's world.
                occurred.resize(slots.len(), LaneMask(0));
                for (k, (plan, block)) in point.plans.iter().zip(blocks.iter_mut()).enumerate() {
                    step(point.world, plan, slots, t, block, shocks, occurred);
                    if observed {
                        let row = &mut sums[k * columns + next * width..][..width];
                        add_observation(point.world, block, n, lane, row);
                    }
                }
            }
            if observed {
                next += 1;
            }
        }
    }
    let n = runs as f64;
    for s in &mut sums {
        s.iter_mut().for_each(|s| *s /= n);
    }
    sums
}

/// Adds to `row` (`Observe::per_quarter` columns) the state of lanes `0..n` of `block`: per host,
/// its shares, then dominance, bases and routes per pole, then memberships per bloc.
fn add_observation(
    world: &World,
    block: &State<F64s>,
    n: usize,
    lane: &mut RunState,
    row: &mut [f64],
) {
    let (hs, ps, bs) = (world.states.len(), world.poles.len(), world.blocs.len());
    for i in 0..n {
        block.lane(i, lane);
        let mut c = 0;
        for h in 0..hs {
            let dominant = lane.dominant(world, h);
            for p in 0..ps {
                row[c + p] += lane.alignment[h * ps + p];
                row[c + ps + p] += f64::from(u8::from(p == dominant));
                row[c + 2 * ps + p] += f64::from(u8::from(lane.bases[h * ps + p]));
                row[c + 3 * ps + p] += f64::from(u8::from(lane.transit[h * ps + p]));
            }
            c += 4 * ps;
            for b in 0..bs {
                row[c + b] += f64::from(u8::from(lane.blocs[h * bs + b]));
            }
            c += bs;
        }
    }
}

/// Points a worker simulates together (`simulate_points`): enough that the drawn shocks are read
/// from memory once for many points, few enough that a wave of four batches a worker balances.
const BATCH: u64 = 8;

/// What an experiment runs.
#[derive(Clone, Debug)]
pub struct Experiment<'a> {
    /// The scenario text with a slot per factor.
    pub template: &'a Template,
    /// The factors, in column order.
    pub factors: &'a [Factor],
    /// The design over the factors.
    pub design: &'a AnyDesign,
    /// Names of the plans to run at every point (`baseline` or a policy's name), in row order.
    pub plans: &'a [String],
    /// Runs per point and plan.
    pub runs: u64,
    /// Master seed of the runs.
    pub seed: u64,
    /// Quarters observed.
    pub observe: &'a Observe,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Typed setters for the points' paths ([`point_paths`]), giving `plans`, when every path has
    /// one: a point's world is then a copy of the scenario's with its values written in, not the
    /// template's text parsed and validated (the same world; a value a setter refuses falls back to
    /// validation, which says why).
    pub setters: Option<&'a Setters>,
    /// A calibrated ensemble as one more factor, the design's last coordinate: each point takes one
    /// set ([`Ensemble::set_at`]), every run of the point uses it, with the factors' values on top.
    /// Its columns exclude the factors' paths; the template and setters hold its columns after the
    /// factors' paths ([`point_paths`]).
    pub ensemble: Option<&'a Ensemble>,
}

/// One design point's results.
#[derive(Clone, Debug, PartialEq)]
pub struct PointResult {
    /// Point index in the design.
    pub point: u64,
    /// Its input cells ([`input_columns`] order): the factors' values, then, with an ensemble, the
    /// set's index and values.
    pub inputs: Vec<f64>,
    /// Outcome columns per plan, `[plan * columns + c]`.
    pub outcomes: Vec<f64>,
}

/// Why an experiment could not run.
#[derive(Debug, thiserror::Error)]
pub enum ExploreError<E> {
    /// A point's scenario is invalid (a factor's value out of the range the scenario allows).
    #[error("design point {point} ({values}): {source}")]
    Point {
        /// Point index.
        point: u64,
        /// The factor values, `path = value, …`.
        values: String,
        /// Why its scenario is invalid.
        source: ScenarioError,
    },
    /// A plan name that is neither `baseline` nor a policy of the point's scenario.
    #[error("no plan named `{0}`")]
    Plan(String),
    /// A point's outcome is not a finite number.
    #[error("design point {point} ({values}): an outcome is not a finite number (the values overflow the model's arithmetic)")]
    NonFinite {
        /// Point index.
        point: u64,
        /// The factor values.
        values: String,
    },
    /// The worker pool could not be built.
    #[error("cannot start {threads} worker threads: {source}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// rayon's error.
        source: rayon::ThreadPoolBuildError,
    },
    /// The sink failed.
    #[error(transparent)]
    Sink(E),
}

/// `path = value` pairs for messages.
pub fn describe(factors: &[Factor], values: &[f64]) -> String {
    let paths: Vec<&str> = factors.iter().map(|f| f.path.as_str()).collect();
    describe_cells(&paths, values)
}

/// `column = value` pairs for messages.
pub fn describe_cells<S: AsRef<str>>(columns: &[S], values: &[f64]) -> String {
    columns
        .iter()
        .zip(values)
        .map(|(c, v)| format!("{} = {v}", c.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The plans named `names` in `sc`, in that order.
pub fn plans_named<'s>(sc: &'s Scenario, names: &[String]) -> Result<Vec<&'s Plan>, String> {
    names
        .iter()
        .map(|name| match name.as_str() {
            "baseline" => Ok(&sc.baseline),
            _ => sc
                .policies
                .iter()
                .find(|p| &p.name == name)
                .ok_or_else(|| name.clone()),
        })
        .collect()
}

/// A design point's world and plans. Short-lived, one a point, so its variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
enum PointWorld {
    /// The scenario's, with the point's values written in by typed setters.
    Direct(World, Vec<Plan>),
    /// The point's scenario text, parsed and validated.
    Validated(Scenario),
}

impl Experiment<'_> {
    /// The world and plans of the point whose world values (`world_values`) are `values`: by the
    /// setters when they give the experiment's plans and take the values, else validated.
    fn world_at(&self, values: &[f64]) -> Result<PointWorld, ScenarioError> {
        let direct = self
            .setters
            .filter(|s| s.plans() == self.plans)
            .and_then(|s| s.apply(values));
        match direct {
            Some((world, plans)) => Ok(PointWorld::Direct(world, plans)),
            None => self.template.scenario(values).map(PointWorld::Validated),
        }
    }

    /// The shocks every point of `range` reads, drawn for the world of its first point; `None` when
    /// the range or the runs are empty or that point has no world (it then reports why itself).
    fn draw_shocks(&self, range: &Range<u64>) -> Option<DrawnShocks> {
        if range.is_empty() || self.runs == 0 {
            return None;
        }
        let inputs = inputs_at(self.design, self.factors, self.ensemble, range.start);
        let values = world_values(&inputs, self.factors.len(), self.ensemble.is_some());
        let world = match self.world_at(&values).ok()? {
            PointWorld::Direct(world, _) => world,
            PointWorld::Validated(sc) => sc.world,
        };
        if DrawnShocks::bytes_for(&world, self.runs, self.observe.end()) > MAX_DRAWN_BYTES {
            return None;
        }
        Some(DrawnShocks::new(
            &world,
            self.seed,
            self.runs,
            self.observe.end(),
        ))
    }

    /// Simulates the points of `points` together (`simulate_points`), reading their shocks from
    /// `drawn` where they fit, and gives each point's result in point order: a point whose world or
    /// plans cannot be made, or whose outcomes are not finite, gives its error in its place.
    fn batch<E>(
        &self,
        points: Range<u64>,
        drawn: Option<&DrawnShocks>,
        scratch: &mut Option<Scratch>,
    ) -> Vec<Result<PointResult, ExploreError<E>>> {
        let described = |inputs: &[f64]| {
            let columns = input_columns(self.factors, self.ensemble);
            describe_cells(&columns, inputs)
        };
        // Each point's index and inputs, its error where it has one, else its world and plans.
        let mut heads = Vec::new();
        let mut errors: Vec<Option<ExploreError<E>>> = Vec::new();
        let mut worlds = Vec::new();
        for point in points {
            let inputs = inputs_at(self.design, self.factors, self.ensemble, point);
            let values = world_values(&inputs, self.factors.len(), self.ensemble.is_some());
            match self.world_at(&values) {
                Ok(world) => {
                    errors.push(None);
                    worlds.push(Some(world));
                }
                Err(source) => {
                    errors.push(Some(ExploreError::Point {
                        point,
                        values: described(&inputs),
                        source,
                    }));
                    worlds.push(None);
                }
            }
            heads.push((point, inputs));
        }
        let mut specs_plans: Vec<(&World, Vec<&Plan>)> = Vec::new();
        for (world, error) in worlds.iter().zip(&mut errors) {
            match world {
                Some(PointWorld::Direct(world, plans)) => {
                    specs_plans.push((world, plans.iter().collect()));
                }
                Some(PointWorld::Validated(sc)) => match plans_named(sc, self.plans) {
                    Ok(plans) => specs_plans.push((&sc.world, plans)),
                    Err(name) => *error = Some(ExploreError::Plan(name)),
                },
                None => {}
            }
        }
        let specs: Vec<PointSpec> = specs_plans
            .iter()
            .map(|(world, plans)| PointSpec { world, plans })
            .collect();
        let mut outcomes = match specs.first() {
            Some(first) => {
                let scratch =
                    scratch.get_or_insert_with(|| Scratch::new(first.world, first.plans.len()));
                simulate_points(&specs, self.seed, self.runs, self.observe, drawn, scratch)
            }
            None => Vec::new(),
        }
        .into_iter();
        heads
            .into_iter()
            .zip(errors)
            .map(|((point, inputs), error)| {
                if let Some(error) = error {
                    return Err(error);
                }
                let outcomes = outcomes.next().expect("a result for every point simulated");
                if outcomes.iter().any(|x| !x.is_finite()) {
                    return Err(ExploreError::NonFinite {
                        point,
                        values: described(&inputs),
                    });
                }
                Ok(PointResult {
                    point,
                    inputs,
                    outcomes,
                })
            })
            .collect()
    }

    /// Simulates the points `range` and hands each point's result to `sink` in point order. Points go
    /// in waves of a few per worker, each point on one worker, the next wave simulated while the sink
    /// takes the last; a failing point or sink stops it.
    pub fn run<E: Send>(
        &self,
        range: Range<u64>,
        mut sink: impl FnMut(PointResult) -> Result<(), E>,
    ) -> Result<(), ExploreError<E>> {
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(threads) = self.threads {
            builder = builder.num_threads(threads);
        }
        let pool = builder.build().map_err(|source| ExploreError::Threads {
            threads: self.threads.unwrap_or(0),
            source,
        })?;
        let wave = pool.current_num_threads().max(1) as u64 * 4 * BATCH;
        let drawn = self.draw_shocks(&range);
        let drawn = drawn.as_ref();
        // Waves are simulated on their own thread while this one hands the previous wave's rows to the
        // sink, so writing overlaps the simulation (as in the engine). The channel holds one wave; the
        // simulation stops at its next wave once the sink has failed (the receiver is gone).
        type Wave<E> = Vec<Result<PointResult, ExploreError<E>>>;
        let simulate_waves = |to_sink: mpsc::SyncSender<Wave<E>>| {
            let mut next = range.start;
            while next < range.end {
                let end = (next + wave).min(range.end);
                let results: Wave<E> = pool.install(|| {
                    (next..end)
                        .step_by(BATCH as usize)
                        .collect::<Vec<u64>>()
                        .into_par_iter()
                        .map_init(
                            || None,
                            |scratch, first| {
                                let points = first..(first + BATCH).min(end);
                                self.batch(points, drawn, scratch)
                            },
                        )
                        .flatten()
                        .collect()
                });
                if to_sink.send(results).is_err() {
                    return;
                }
                next = end;
            }
        };
        std::thread::scope(|scope| {
            let (to_sink, from_waves) = mpsc::sync_channel(1);
            scope.spawn(move || simulate_waves(to_sink));
            for results in from_waves {
                for result in results {
                    sink(result?).map_err(ExploreError::Sink)?;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_puts_each_value_at_its_path() {
        let text = scenario::BUILTIN;
        let paths = ["model.mood_sd", "event.spillover.hazard"];
        let t = Template::new(text, "x", &paths).unwrap();
        let edited = t.text(&[0.25, 0.0125]);
        let direct = scenario::set_values(
            text,
            "x",
            &[
                ("model.mood_sd", 0.25, String::new()),
                ("event.spillover.hazard", 0.0125, String::new()),
            ],
        )
        .unwrap();
        assert_eq!(
            Scenario::from_toml(&edited, "x").unwrap(),
            Scenario::from_toml(&direct, "x").unwrap()
        );
        assert!(Template::new(text, "x", &["model.mood_sd", "model.mood_sd"]).is_err());
        assert!(Template::new(text, "x", &["event.nothing.hazard"]).is_err());
    }

    #[test]
    fn a_starting_share_rescales_the_others_as_set_does() {
        let text = scenario::BUILTIN;
        let paths = ["state.KGZ.alignment.Russia", "model.mood_sd"];
        let t = Template::new(text, "x", &paths).unwrap();
        let values = [0.5, 0.15];
        let expected = crate::analysis::uncertain::apply(text, "x", &paths, &values).unwrap();
        assert_eq!(t.scenario(&values).unwrap(), expected);
        let kgz = expected
            .world
            .states
            .iter()
            .find(|s| s.code == "KGZ")
            .unwrap();
        assert!((kgz.alignment.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    /// The factors of docs/PERFORMANCE.md's Sobol benchmark: six coefficients and four hazards (one
    /// with border exposure, one with per-state hazards and a policy that scales it).
    const BENCHMARK_FACTORS: [&str; 10] = [
        "model.adjustment_rate=0.25..0.45",
        "model.mood_sd=0.05..0.2",
        "model.economic_weight=0.4..0.7",
        "model.criticism_decay=0.2..0.4",
        "model.security_weight=0.6..0.95",
        "model.deal_margin=0.2..0.4",
        "event.sanctions_on_russia.hazard=0.01..0.04",
        "event.spillover.hazard=0.005..0.03",
        "event.nato_drawdown.hazard=0.01..0.03",
        "event.values_crisis.hazard=0.003..0.01",
    ];

    /// `BENCHMARK_FACTORS`, the template of `text` with their paths, and a Sobol design of `samples`
    /// base rows over them.
    fn benchmark_design(text: &str, samples: u32) -> (Vec<Factor>, Template, AnyDesign) {
        let factors: Vec<Factor> = BENCHMARK_FACTORS
            .iter()
            .map(|f| Factor::parse(f).unwrap())
            .collect();
        let paths: Vec<&str> = factors.iter().map(|f| f.path.as_str()).collect();
        let template = Template::new(text, "x", &paths).unwrap();
        let spec = DesignSpec {
            kind: DesignKind::Sobol,
            samples,
            second_order: false,
            levels: 4,
            seed: 5,
        };
        let design = spec.build(factors.len()).unwrap();
        (factors, template, design)
    }

    #[test]
    fn points_built_by_setters_give_the_rows_validation_gives() {
        let loaded = scenario::builtin().unwrap();
        let (text, sc) = (&loaded.text, &loaded.scenario);
        let (factors, template, design) = benchmark_design(text, 4);
        let paths: Vec<&str> = factors.iter().map(|f| f.path.as_str()).collect();
        let plans = vec!["baseline".to_string()];
        let setters = Setters::new(text, sc, &paths, &plans);
        assert!(setters.is_some(), "every benchmark factor has a setter");
        let observe = Observe {
            at: vec![20, sc.world.quarters - 1],
        };
        let experiment = |setters: Option<&'_ Setters>| {
            let e = Experiment {
                template: &template,
                factors: &factors,
                design: &design,
                plans: &plans,
                runs: 12,
                seed: 3,
                observe: &observe,
                threads: Some(1),
                setters,
                ensemble: None,
            };
            rows(&e)
        };
        let slow = experiment(None);
        assert_eq!(slow.len() as u64, design.len());
        assert_eq!(experiment(setters.as_ref()), slow);
        // A policy that scales a factor's hazard has no setter: its points are validated.
        let all: Vec<String> = std::iter::once("baseline".to_string())
            .chain(sc.policies.iter().map(|p| p.name.clone()))
            .collect();
        assert!(Setters::new(text, sc, &paths, &all).is_none());
    }

    /// With the built-in scenario's ensemble as a factor (its columns for the two factors' paths
    /// dropped), the points built by setters over the factors' and the ensemble's paths are the rows
    /// validation gives, and each row's inputs are its set's index and that set's values.
    #[test]
    fn with_an_ensemble_points_built_by_setters_give_the_rows_validation_gives() {
        let loaded = scenario::builtin().unwrap();
        let (text, sc) = (&loaded.text, &loaded.scenario);
        let factors: Vec<Factor> = BENCHMARK_FACTORS[..2]
            .iter()
            .map(|f| Factor::parse(f).unwrap())
            .collect();
        let full = Ensemble::from_csv(scenario::BUILTIN_FILES[0].1).unwrap();
        let given: Vec<String> = factors.iter().map(|f| f.path.clone()).collect();
        let ensemble = full.clone().without(&given);
        assert_eq!(
            ensemble.names.len(),
            full.names.len() - 2,
            "both are columns"
        );
        let paths = point_paths(&factors, Some(&ensemble));
        let template = Template::new(text, "x", &paths).unwrap();
        let spec = DesignSpec {
            kind: DesignKind::Sobol,
            samples: 2,
            second_order: false,
            levels: 4,
            seed: 5,
        };
        let design = spec.build(factors.len() + 1).unwrap();
        let plans = vec!["baseline".to_string()];
        let setters = Setters::new(text, sc, &paths, &plans);
        assert!(setters.is_some(), "every path has a setter");
        let observe = Observe {
            at: vec![sc.world.quarters - 1],
        };
        let experiment = |setters: Option<&Setters>| {
            rows(&Experiment {
                template: &template,
                factors: &factors,
                design: &design,
                plans: &plans,
                runs: 8,
                seed: 3,
                observe: &observe,
                threads: Some(1),
                setters,
                ensemble: Some(&ensemble),
            })
        };
        let slow = experiment(None);
        assert_eq!(experiment(setters.as_ref()), slow);
        for r in &slow {
            let set = r.inputs[2] as usize;
            assert_eq!(set as f64, r.inputs[2]);
            assert_eq!(r.inputs[3..], ensemble.sets[set]);
        }
    }

    /// Every point reads the shocks `Experiment::run` draws once, and gets exactly the row it gets
    /// drawing them itself: with every plan (points validated) and with the baseline alone (points
    /// by setters), over 21 runs (a last block of five) and three observed quarters.
    #[test]
    fn points_reading_the_shocks_drawn_once_get_the_rows_they_get_drawing_them() {
        let loaded = scenario::builtin().unwrap();
        let (text, sc) = (&loaded.text, &loaded.scenario);
        let (factors, template, design) = benchmark_design(text, 2);
        let paths: Vec<&str> = factors.iter().map(|f| f.path.as_str()).collect();
        let observe = Observe {
            at: vec![3, 20, sc.world.quarters - 1],
        };
        let all: Vec<String> = std::iter::once("baseline".to_string())
            .chain(sc.policies.iter().map(|p| p.name.clone()))
            .collect();
        let baseline = vec!["baseline".to_string()];
        let setters = Setters::new(text, sc, &paths, &baseline);
        assert!(setters.is_some());
        for (plans, setters) in [(&all, None), (&baseline, setters.as_ref())] {
            let e = Experiment {
                template: &template,
                factors: &factors,
                design: &design,
                plans,
                runs: 21,
                seed: 7,
                observe: &observe,
                threads: Some(2),
                setters,
                ensemble: None,
            };
            let drawn = e.draw_shocks(&(0..design.len())).unwrap();
            assert_eq!(
                drawn.bytes() as u64,
                DrawnShocks::bytes_for(&sc.world, e.runs, observe.end())
            );
            // So many runs that their shocks would pass the cap: every point draws its own.
            let many = Experiment {
                runs: 8
                    * (MAX_DRAWN_BYTES / DrawnShocks::bytes_for(&sc.world, 8, observe.end()) + 1),
                ..e
            };
            assert!(many.draw_shocks(&(0..design.len())).is_none());
            let got = rows(&e);
            assert_eq!(got.len() as u64, design.len());
            for row in &got {
                let values = world_values(&row.inputs, factors.len(), false);
                let built = e.world_at(&values).unwrap();
                let (world, plans): (&World, Vec<&Plan>) = match &built {
                    PointWorld::Direct(w, p) => (w, p.iter().collect()),
                    PointWorld::Validated(sc) => (&sc.world, plans_named(sc, e.plans).unwrap()),
                };
                assert!(
                    drawn.fits(world, e.seed, e.runs, observe.end()),
                    "point {} reads the drawn shocks",
                    row.point
                );
                let mut scratch = Scratch::new(world, plans.len());
                let own =
                    simulate_point(world, &plans, e.seed, e.runs, &observe, None, &mut scratch);
                assert_eq!(row.outcomes, own, "point {}", row.point);
            }
        }
    }

    /// A world whose reaction applies to one more host draws one more number a quarter, so every
    /// later draw of a run moves along its stream: shocks drawn for the scenario's world are not
    /// that world's, and a point of it draws its own.
    #[test]
    fn a_world_that_draws_other_cells_draws_its_own_shocks() {
        let sc = scenario::builtin().unwrap().scenario;
        let mut other = sc.world.clone();
        let rule = &mut other.reactions[0].states;
        let h = rule.iter().position(|&applies| !applies).unwrap();
        rule[h] = true;
        let observe = Observe {
            at: vec![sc.world.quarters - 1],
        };
        let (seed, runs, end) = (4, 10, observe.end());
        let drawn = DrawnShocks::new(&sc.world, seed, runs, end);
        assert!(drawn.fits(&sc.world, seed, runs, end));
        assert!(!drawn.fits(&other, seed, runs, end));
        assert!(!drawn.fits(&sc.world, seed + 1, runs, end));
        assert!(!drawn.fits(&sc.world, seed, runs + 1, end));
        assert!(!drawn.fits(&sc.world, seed, runs, end - 1));
        let own = DrawnShocks::new(&other, seed, runs, end);
        assert_ne!(
            own.quarters, drawn.quarters,
            "the other world's numbers differ"
        );
        let plans = [&sc.baseline];
        let mut scratch = Scratch::new(&other, 1);
        let offered = simulate_point(
            &other,
            &plans,
            seed,
            runs,
            &observe,
            Some(&drawn),
            &mut scratch,
        );
        let drawing = simulate_point(&other, &plans, seed, runs, &observe, None, &mut scratch);
        let from_own = simulate_point(
            &other,
            &plans,
            seed,
            runs,
            &observe,
            Some(&own),
            &mut scratch,
        );
        assert_eq!(offered, drawing);
        assert_eq!(from_own, drawing);
    }

    /// Points simulated together give exactly what each gives alone: reading drawn shocks, drawing
    /// their own, and in a batch with a world that draws other cells (simulated alone); over 21 runs
    /// (a last block of five), every plan and three observed quarters.
    #[test]
    fn points_simulated_together_get_the_rows_each_gets_alone() {
        let loaded = scenario::builtin().unwrap();
        let (text, sc) = (&loaded.text, &loaded.scenario);
        let (factors, template, design) = benchmark_design(text, 4);
        let observe = Observe {
            at: vec![3, 20, sc.world.quarters - 1],
        };
        // Points of three base samples (a first sample is the corner where every factor is lowest).
        let worlds: Vec<Scenario> = [12, 24, 31, 36]
            .into_iter()
            .map(|point| {
                let inputs = inputs_at(&design, &factors, None, point);
                template
                    .scenario(&world_values(&inputs, factors.len(), false))
                    .unwrap()
            })
            .collect();
        let mut other = sc.clone();
        let rule = &mut other.world.reactions[0].states;
        let h = rule.iter().position(|&applies| !applies).unwrap();
        rule[h] = true;
        let plans: Vec<Vec<&Plan>> = worlds
            .iter()
            .chain([&other])
            .map(|sc| std::iter::once(&sc.baseline).chain(&sc.policies).collect())
            .collect();
        let specs: Vec<PointSpec> = worlds
            .iter()
            .chain([&other])
            .zip(&plans)
            .map(|(sc, plans)| PointSpec {
                world: &sc.world,
                plans,
            })
            .collect();
        let (seed, runs) = (11, 21);
        let drawn = DrawnShocks::new(&sc.world, seed, runs, observe.end());
        let alone: Vec<Vec<f64>> = specs
            .iter()
            .map(|p| {
                let mut scratch = Scratch::new(p.world, p.plans.len());
                simulate_point(p.world, p.plans, seed, runs, &observe, None, &mut scratch)
            })
            .collect();
        assert!(
            alone[1..4].iter().any(|row| row != &alone[0]),
            "the points differ"
        );
        assert!(alone[3] != alone[4], "the other world differs");
        for (points, drawn) in [
            (0..4, Some(&drawn)),
            (0..4, None),
            (0..5, Some(&drawn)),
            (0..5, None),
            (2..5, None),
        ] {
            let mut scratch = Scratch::new(&sc.world, 1);
            let batch = &specs[points.clone()];
            let together = simulate_points(batch, seed, runs, &observe, drawn, &mut scratch);
            let same = together == alone[points.clone()];
            assert!(same, "points {points:?}, drawn once: {}", drawn.is_some());
        }
    }

    /// Every point's result, in point order.
    fn rows(e: &Experiment) -> Vec<PointResult> {
        let mut rows = Vec::new();
        e.run(0..e.design.len(), |r| {
            rows.push(r);
            Ok::<(), ()>(())
        })
        .unwrap();
        rows
    }

    #[test]
    fn column_names_follow_quarter_state_kind_subject() {
        let sc = scenario::builtin().unwrap().scenario;
        let world = &sc.world;
        let observe = Observe {
            at: vec![world.quarters - 1],
        };
        let cols = observe.columns(world);
        assert_eq!(cols.len(), Observe::per_quarter(world));
        assert_eq!(cols[0], "KAZ.share.NATO@2027Q4");
        assert!(cols.iter().any(|c| c == "UZB.bloc.CSTO@2027Q4"));
    }
}
