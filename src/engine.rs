//! Monte Carlo over runs: random streams, parallelism and aggregation.
//!
//! Run `i` draws only from `ChaCha8Rng::seed_from_u64(seed)` on stream `i`, and every plan (baseline and
//! policies) of run `i` consumes the same draws (common random numbers). Runs are processed in
//! fixed-size chunks by run index, in parallel in waves; within a chunk, runs advance `LANES` at a time
//! in lock-step (`model::step` on a `State<F64s>`, each run in its own lane with its own stream). Each chunk is
//! reduced serially into its worker's tallies, and the chunks' per-run details are handed on in index
//! order. Tallies are exact integers, so adding chunks in any order, on any number of workers or shards,
//! gives the same bits. Must not: touch files or print; callers receive per-chunk details through a
//! sink and write them.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::borrow::Borrow;
use std::sync::mpsc::{self, SyncSender};
use std::sync::Mutex;

use crate::model::{
    step, Check, F64s, LaneMask, Lanes, Occurrences, Plan, RunState, Shocks, State, Verdicts,
    World, LANES,
};
use crate::stats::{hist_bin, hist_bin_blocks, push_blocks, BlockSums, Moments, BINS, BLOCK};

/// Runs per chunk: the unit of parallel work and of streaming detail. Fixed, so results do not depend on
/// the machine.
pub const CHUNK_RUNS: u64 = 1024;

/// What to simulate.
#[derive(Clone, Copy, Debug)]
pub struct Batch<'a> {
    /// The world.
    pub world: &'a World,
    /// Plans to run; the first is the reference for paired differences.
    pub plans: &'a [Plan],
    /// First run index (0 unless this is a shard of a larger batch).
    pub first_run: u64,
    /// Number of runs (run indices `first_run..first_run + runs`).
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (`None`: rayon's default, one per core).
    pub threads: Option<usize>,
    /// Checks to evaluate in every run (may be empty).
    pub checks: &'a [Check],
    /// Keep each run's final state for the sink.
    pub keep_finals: bool,
    /// Keep each run's quarterly alignment for the sink.
    pub keep_trajectories: bool,
    /// Where runs differ in their parameters (`[[uncertain]]`, `--parameters`): each run's own world
    /// and plans. `None`: every run uses `world` and `plans`. With it, runs of a chunk that share a
    /// world (`PerRun::group`: the same ensemble set) fill blocks together; any other run goes alone
    /// in its block (lanes cannot share one world), so it costs about `LANES` times more, plus
    /// building its world (microseconds with direct setters, about a millisecond when validated
    /// again).
    pub varied: Option<&'a dyn PerRun>,
}

/// The world and plans of each run when runs differ in their parameters. Implementations must give
/// the same result for the same run whenever asked (they depend on the run index and fixed inputs
/// only), and worlds of the same shape as the batch's `world` (states, poles, blocs, events,
/// reactions, quarters): only numbers may vary.
pub trait PerRun: Sync + std::fmt::Debug {
    /// The world of run `run` and its plans, one per plan of the batch, in the batch's order; or why
    /// they cannot be built (a drawn value the scenario rejects).
    fn world(&self, run: u64) -> Result<(World, Vec<Plan>), String>;

    /// A key that runs with exactly the same world and plans share (an ensemble's set), so that the
    /// engine may simulate them side by side in one block; `None` if run `run` may have a world of
    /// its own (a continuous draw). Each run keeps its own random stream, so its results are the same
    /// bits whichever runs share its block.
    fn group(&self, _run: u64) -> Option<u64> {
        None
    }
}

/// `PerRun` of the inner one with no group: every run alone in its block with its own world, as the
/// engine simulated ensemble runs before runs of one set shared blocks. For tests and benchmarks that
/// compare the two paths (they give the same bits).
#[derive(Debug)]
pub struct Ungrouped<'a>(pub &'a dyn PerRun);

impl PerRun for Ungrouped<'_> {
    fn world(&self, run: u64) -> Result<(World, Vec<Plan>), String> {
        self.0.world(run)
    }
}

/// Exact, mergeable statistics of one plan over some runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Tally {
    /// Runs seen.
    pub runs: u64,
    /// Alignment moments, `[(t * states + h) * poles + p]`.
    pub alignment: Vec<Moments>,
    /// Alignment histograms, `BINS` counts per `(t, h, p)` in the same order.
    pub histograms: Vec<u32>,
    /// Runs in which each occurrence slot happened, `[t * slots + s]`.
    pub occurrences: Vec<u32>,
    /// Runs in which each pole is dominant at the horizon, `[h * poles + p]`.
    pub dominant: Vec<u32>,
    /// Runs hosting any base of each pole at the horizon, `[h * poles + p]`.
    pub bases: Vec<u32>,
    /// Runs hosting each named base at the horizon, `[b]` (`World::bases`).
    pub hosted: Vec<u32>,
    /// Runs with each pole's route open at the horizon, `[h * poles + p]`.
    pub transit: Vec<u32>,
    /// Runs with each bloc membership at the horizon, `[h * blocs + b]`.
    pub blocs: Vec<u32>,
    /// Paired difference of the horizon alignment against the first plan, `[h * poles + p]`.
    pub paired: Vec<Moments>,
    /// Runs in which each check held, in the batch's check order.
    pub checks: Vec<u32>,
    /// Paired difference of the alignment against the first plan in every quarter, in the order of
    /// `alignment` (exactly zero for the first plan itself).
    pub paired_quarters: Vec<Moments>,
    /// Runs in which this plan has a horizon outcome the first plan does not have in the same run, in
    /// the order of `outcome_counts`: dominant, bases, transit (`[h * poles + p]` each), then blocs.
    pub gained: Vec<u32>,
    /// Runs in which the first plan has a horizon outcome this plan does not, in the order of `gained`.
    pub lost: Vec<u32>,
}

impl Tally {
    /// An empty tally for `world`.
    pub fn new(world: &World, slots: usize, checks: usize) -> Tally {
        let (q, h, p, b) = (
            world.quarters,
            world.states.len(),
            world.poles.len(),
            world.blocs.len(),
        );
        Tally {
            runs: 0,
            alignment: vec![Moments::default(); q * h * p],
            histograms: vec![0; q * h * p * BINS],
            occurrences: vec![0; q * slots],
            dominant: vec![0; h * p],
            bases: vec![0; h * p],
            hosted: vec![0; world.bases.len()],
            transit: vec![0; h * p],
            blocs: vec![0; h * b],
            paired: vec![Moments::default(); h * p],
            checks: vec![0; checks],
            paired_quarters: vec![Moments::default(); q * h * p],
            gained: vec![0; 3 * h * p + h * b],
            lost: vec![0; 3 * h * p + h * b],
        }
    }

    /// The counts of the horizon outcomes, in the order of `gained` and `lost`: dominant, bases,
    /// transit, blocs.
    pub fn outcome_counts(&self) -> impl Iterator<Item = u32> + '_ {
        self.dominant
            .iter()
            .chain(&self.bases)
            .chain(&self.transit)
            .chain(&self.blocs)
            .copied()
    }

    /// Adds everything `other` has seen.
    pub fn merge(&mut self, other: &Tally) {
        self.runs += other.runs;
        self.alignment
            .iter_mut()
            .zip(&other.alignment)
            .for_each(|(a, b)| a.merge(b));
        self.paired
            .iter_mut()
            .zip(&other.paired)
            .for_each(|(a, b)| a.merge(b));
        self.paired_quarters
            .iter_mut()
            .zip(&other.paired_quarters)
            .for_each(|(a, b)| a.merge(b));
        for (mine, theirs) in [
            (&mut self.histograms, &other.histograms),
            (&mut self.occurrences, &other.occurrences),
            (&mut self.dominant, &other.dominant),
            (&mut self.bases, &other.bases),
            (&mut self.hosted, &other.hosted),
            (&mut self.transit, &other.transit),
            (&mut self.blocs, &other.blocs),
            (&mut self.checks, &other.checks),
            (&mut self.gained, &other.gained),
            (&mut self.lost, &other.lost),
        ] {
            mine.iter_mut().zip(theirs).for_each(|(a, b)| *a += b);
        }
    }
}

/// One run's end state under one plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Final {
    /// Run index.
    pub run: u64,
    /// Plan index.
    pub plan: usize,
    /// The state after the last quarter.
    pub state: RunState,
}

/// Per-run detail of one chunk, in run order, for the caller to stream out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChunkDetail {
    /// First run index of the chunk.
    pub first_run: u64,
    /// Runs in the chunk.
    pub runs: u64,
    /// Final states by run, then plan (empty unless `keep_finals`).
    pub finals: Vec<Final>,
    /// Alignment by run, plan, quarter, host and pole (empty unless `keep_trajectories`).
    pub trajectories: Vec<f64>,
    /// The first score of the chunk that is not finite (NaN or infinite), if any: the batch fails there.
    pub non_finite: Option<NonFinite>,
    /// The first run of the chunk whose world could not be built (`Batch::varied`), and why.
    pub no_world: Option<(u64, String)>,
}

/// Where a score first became NaN or infinite: indices of run, plan, quarter, state and pole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NonFinite {
    /// Run index.
    pub run: u64,
    /// Plan index.
    pub plan: usize,
    /// Quarter index.
    pub quarter: usize,
    /// State index.
    pub state: usize,
    /// Pole index.
    pub pole: usize,
}

/// The result of a batch: one tally per plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Runs simulated.
    pub runs: u64,
    /// Tallies in plan order.
    pub tallies: Vec<Tally>,
    /// The occurrence numbering the tallies use.
    pub slots: Occurrences,
}

/// Why a batch could not run.
#[derive(Debug, thiserror::Error)]
pub enum EngineError<E> {
    /// The worker pool could not be built.
    #[error("cannot start {threads} worker threads: {source}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// rayon's error.
        source: rayon::ThreadPoolBuildError,
    },
    /// The sink failed (an output could not be written).
    #[error(transparent)]
    Sink(E),
    /// A run's parameters gave a world the scenario rejects.
    #[error(
        "run {run}: its drawn parameters give an invalid scenario: {message}; nothing was written"
    )]
    Parameters {
        /// Run index.
        run: u64,
        /// Why.
        message: String,
    },
    /// A score became NaN or infinite: the scenario's values overflow the model's arithmetic.
    #[error("run {run}, plan `{plan}`: the {pole} score of {state} in {quarter} is not a finite number (the scenario's coefficients or levers overflow the model's arithmetic); nothing was written")]
    NonFinite {
        /// Run index.
        run: u64,
        /// Plan name.
        plan: String,
        /// Quarter label.
        quarter: String,
        /// State code.
        state: String,
        /// Pole name.
        pole: String,
    },
}

/// The random generator of run `run`: stream `run` of the generator seeded with `seed`.
pub fn run_rng(seed: u64, run: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(run);
    rng
}

/// Simulates `batch`, handing each chunk's detail to `sink` in run order, and returns the tallies.
pub fn simulate<E: Send>(
    batch: &Batch,
    mut sink: impl FnMut(ChunkDetail) -> Result<(), E>,
) -> Result<Outcome, EngineError<E>> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = batch.threads {
        builder = builder.num_threads(threads);
    }
    let pool = builder.build().map_err(|source| EngineError::Threads {
        threads: batch.threads.unwrap_or(0),
        source,
    })?;
    let slots = Occurrences::new(batch.world);
    // Each worker adds its chunks into its own tallies and reuses its scratch buffers: tallies are
    // exact integers, so the order in which chunks are added does not change a bit of the result, and
    // nothing the size of a tally is allocated, zeroed or merged per chunk.
    let workers: Vec<Mutex<Worker>> = (0..pool.current_num_threads().max(1))
        .map(|_| Mutex::new(Worker::new(batch, &slots)))
        .collect();
    let chunks = batch.runs.div_ceil(CHUNK_RUNS);
    // A wave is a few chunks per worker: every worker waits for the slowest at the end of a wave, so
    // more chunks per wave balance better, while kept details (final states, trajectories) are held in
    // memory a wave at a time, so fewer chunks hold less. Without details, 8 per worker; with, 2.
    let keeps_details = batch.keep_finals || batch.keep_trajectories;
    let wave = (pool.current_num_threads() as u64).max(1) * if keeps_details { 2 } else { 8 };
    // Waves are simulated on their own thread while this one hands the previous wave's details to the
    // sink, so writing per-run rows overlaps the simulation instead of idling the workers. The channel
    // holds one wave: the simulation runs at most two waves ahead of the sink, and stops at its next
    // wave once the sink has failed (the receiver is gone).
    let simulate_waves = |to_sink: SyncSender<Vec<ChunkDetail>>| {
        let mut next = 0;
        while next < chunks {
            let end = (next + wave).min(chunks);
            let details: Vec<ChunkDetail> = pool.install(|| {
                (next..end)
                    .into_par_iter()
                    .map(|c| {
                        let me = rayon::current_thread_index().unwrap_or(0) % workers.len();
                        // A worker's lock is only ever contended if rayon runs a chunk off the pool.
                        let mut worker = workers[me].lock().unwrap_or_else(|e| e.into_inner());
                        simulate_chunk(batch, &slots, c, &mut worker)
                    })
                    .collect()
            });
            if to_sink.send(details).is_err() {
                return;
            }
            next = end;
        }
    };
    std::thread::scope(|scope| {
        let (to_sink, from_waves) = mpsc::sync_channel(1);
        scope.spawn(move || simulate_waves(to_sink));
        for details in from_waves {
            for detail in details {
                if let Some((run, message)) = detail.no_world {
                    return Err(EngineError::Parameters { run, message });
                }
                if let Some(at) = detail.non_finite {
                    let world = batch.world;
                    return Err(EngineError::NonFinite {
                        run: at.run,
                        plan: batch.plans[at.plan].name.clone(),
                        quarter: world.quarter_label(at.quarter).to_string(),
                        state: world.states[at.state].code.clone(),
                        pole: world.poles[at.pole].clone(),
                    });
                }
                sink(detail).map_err(EngineError::Sink)?;
            }
        }
        Ok(())
    })?;
    let mut tallies: Vec<Tally> = batch
        .plans
        .iter()
        .map(|_| Tally::new(batch.world, slots.len(), batch.checks.len()))
        .collect();
    for worker in workers {
        let worker = worker.into_inner().unwrap_or_else(|e| e.into_inner());
        tallies
            .iter_mut()
            .zip(&worker.tallies)
            .for_each(|(t, w)| t.merge(w));
    }
    Ok(Outcome {
        runs: batch.runs,
        tallies,
        slots,
    })
}

/// The z value of a two-sided 95% interval under the normal approximation.
pub const Z95: f64 = 1.96;

/// Why a precision-driven batch stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Every outcome probability's 95% margin is below the target.
    Precision,
    /// The maximum number of runs was reached first.
    Maximum,
}

/// The widest 95% margin `1.96·sqrt(p(1 − p)/n)` of the probabilities `outcomes.csv` reports (dominance,
/// base, transit and bloc at the horizon, every plan): the largest `p(1 − p)` decides it, as all plans
/// have the same `n`. Zero for an outcome with no run.
pub fn widest_margin(outcome: &Outcome) -> f64 {
    outcome
        .widest_variance()
        .map_or(0.0, |(pq, n)| Z95 * (pq / n as f64).sqrt())
}

impl Outcome {
    /// The largest `p(1 − p)` over the outcome probabilities, and the run count, if any run was seen.
    fn widest_variance(&self) -> Option<(f64, u64)> {
        let n = self.runs;
        if n == 0 {
            return None;
        }
        let widest = self
            .tallies
            .iter()
            .flat_map(|t| {
                t.dominant
                    .iter()
                    .chain(&t.bases)
                    .chain(&t.transit)
                    .chain(&t.blocs)
            })
            .map(|&count| {
                let p = f64::from(count) / n as f64;
                p * (1.0 - p)
            })
            .fold(0.0, f64::max);
        Some((widest, n))
    }

    /// Adds the runs of `other`, which must be of the same world and plans.
    fn absorb(&mut self, other: &Outcome) {
        self.runs += other.runs;
        self.tallies
            .iter_mut()
            .zip(&other.tallies)
            .for_each(|(t, o)| t.merge(o));
    }
}

/// The runs that would bring the widest margin of `outcome` below `margin` if its probabilities stayed
/// as they are: `1.96²·max p(1 − p) / margin²`, rounded up to whole chunks.
fn runs_estimate(outcome: &Outcome, margin: f64) -> u64 {
    let pq = outcome.widest_variance().map_or(0.25, |(pq, _)| pq);
    let runs = (Z95 * Z95 * pq / (margin * margin)).ceil();
    // A float above u64's range saturates; a chunk count that large is capped by the maximum anyway.
    (runs as u64)
        .div_ceil(CHUNK_RUNS)
        .saturating_mul(CHUNK_RUNS)
}

/// Simulates `batch` as `simulate` does, but stops early, after fewer than `batch.runs` runs, once every
/// outcome probability's 95% margin (`widest_margin`) is below `margin`. Runs go in batches of whole
/// chunks from `batch.first_run`; the decision to stop or go on is taken only after each batch, on the
/// exact tallies of all runs so far, and the next batch's size follows from those tallies alone (the
/// estimate of the runs needed, at least one more chunk). So the same batch and margin stop at the same
/// run count on any number of threads, and the runs simulated, their details and their tallies are
/// exactly those of `simulate` on that many runs.
pub fn simulate_to_precision<E: Send>(
    batch: &Batch,
    margin: f64,
    mut sink: impl FnMut(ChunkDetail) -> Result<(), E>,
) -> Result<(Outcome, Stopped), EngineError<E>> {
    let max = batch.runs;
    let first = Batch {
        runs: max.min(CHUNK_RUNS),
        ..*batch
    };
    let mut total = simulate(&first, &mut sink)?;
    loop {
        if widest_margin(&total) < margin {
            return Ok((total, Stopped::Precision));
        }
        if total.runs >= max {
            return Ok((total, Stopped::Maximum));
        }
        let target = runs_estimate(&total, margin)
            .max(total.runs + CHUNK_RUNS)
            .min(max);
        let next = Batch {
            first_run: batch.first_run + total.runs,
            runs: target - total.runs,
            ..*batch
        };
        let more = simulate(&next, &mut sink)?;
        total.absorb(&more);
    }
}

/// One worker's running tallies and reusable buffers.
struct Worker {
    /// Tallies of every chunk this worker simulated, by plan.
    tallies: Vec<Tally>,
    /// The block of runs in flight, by plan.
    blocks: Vec<State<F64s>>,
    /// One lane of a block as a run's state, by plan (for checks, final tallies and final states).
    lanes: Vec<RunState>,
    /// Check verdicts by lane, then plan.
    verdicts: Vec<Vec<Verdicts>>,
    /// The random generators of the block's runs.
    rngs: Vec<ChaCha8Rng>,
    /// The quarter's draws for the block.
    shocks: Shocks<F64s>,
    /// Occurrence flags of the quarter, by slot, then lane.
    occurred: Vec<LaneMask>,
    /// One lane's occurrence flags (for checks).
    lane_occurred: Vec<bool>,
    /// Sums not yet folded into the tallies, by plan: one per alignment cell, then one per paired
    /// difference at the horizon, then one per paired difference in every quarter (folded at the end of
    /// every chunk).
    pending: Vec<Vec<BlockSums>>,
    /// Paired differences of one block's alignment against the first plan's, `[h * poles + p][lane]`.
    differences: Vec<Lanes<f64>>,
    /// Histogram bin of every run's score in every cell, by plan, `[cell * CHUNK_RUNS + run]` (counted at
    /// the end of a chunk).
    bins: Vec<Vec<u16>>,
}

impl Worker {
    fn new(batch: &Batch, slots: &Occurrences) -> Worker {
        let world = batch.world;
        let cells = world.quarters * world.states.len() * world.poles.len();
        let initial = RunState::initial(world);
        Worker {
            tallies: batch
                .plans
                .iter()
                .map(|_| Tally::new(world, slots.len(), batch.checks.len()))
                .collect(),
            blocks: batch.plans.iter().map(|_| State::initial(world)).collect(),
            lanes: batch.plans.iter().map(|_| initial.clone()).collect(),
            verdicts: vec![vec![Verdicts::new(batch.checks); batch.plans.len()]; LANES],
            rngs: Vec::with_capacity(LANES),
            shocks: Shocks::quiet(world),
            occurred: vec![LaneMask(0); slots.len()],
            lane_occurred: vec![false; slots.len()],
            pending: batch
                .plans
                .iter()
                .map(|_| {
                    vec![BlockSums::default(); 2 * cells + world.states.len() * world.poles.len()]
                })
                .collect(),
            differences: Vec::with_capacity(world.states.len() * world.poles.len()),
            bins: batch
                .plans
                .iter()
                .map(|_| vec![0; CHUNK_RUNS as usize * cells])
                .collect(),
        }
    }
}

/// Adds to `counts` how many of the first `n` lanes each slot's flags hold. Most slots hold none in
/// most quarters: eight slots' flags are read as one word and skipped together when all are clear.
#[inline]
fn count_occurrences(counts: &mut [u32], occurred: &[LaneMask], n: usize) {
    debug_assert_eq!(counts.len(), occurred.len());
    const WORD: usize = 8;
    let mut counts = counts.chunks_exact_mut(WORD);
    let mut flags = occurred.chunks_exact(WORD);
    for (counts, flags) in counts.by_ref().zip(flags.by_ref()) {
        if u64::from_le_bytes(std::array::from_fn(|i| flags[i].0)) != 0 {
            for (count, f) in counts.iter_mut().zip(flags) {
                *count += f.count(n);
            }
        }
    }
    for (count, f) in counts.into_remainder().iter_mut().zip(flags.remainder()) {
        *count += f.count(n);
    }
}

const _: () = assert!(LANES == BLOCK, "a block of runs is one block push");

/// Adds the first `n` lanes of each row of `values` to the matching `moments`, all `LANES` at once when
/// the block is full (then possibly only to `pending`, to be folded into `moments`). Only the last block
/// of a chunk can be part-filled; its other lanes hold no run.
fn push_live<B: Borrow<Lanes<f64>>>(
    moments: &mut [Moments],
    pending: &mut [BlockSums],
    values: &[B],
    n: usize,
) {
    if n == LANES {
        push_blocks(moments, pending, values);
    } else {
        for (m, row) in moments.iter_mut().zip(values) {
            row.borrow()[..n].iter().for_each(|&x| m.push(x));
        }
    }
}

/// Writes the histogram bin of the first `n` lanes of each row of `values` to `bins`, row `i` at
/// `bins[i * CHUNK_RUNS..]`, all `LANES` at once when the block is full.
fn bin_live(values: &[F64s], n: usize, bins: &mut [u16]) {
    if n == LANES {
        hist_bin_blocks(values, bins, CHUNK_RUNS as usize);
    } else {
        for (row, to) in values.iter().zip(bins.chunks_mut(CHUNK_RUNS as usize)) {
            to[..n]
                .iter_mut()
                .zip(&row.0)
                .for_each(|(b, &x)| *b = hist_bin(x));
        }
    }
}

/// True if the first `n` lanes of every row of `values` are finite. A finite number times zero is zero
/// and NaN or an infinity times zero is NaN, so each lane's sum of those products is zero exactly when
/// the lane is finite: a few vector operations per row, no branch per value.
#[inline]
fn all_finite<B: Borrow<Lanes<f64>>>(values: &[B], n: usize) -> bool {
    let mut sums = [0.0f64; LANES];
    for row in values {
        for (s, &x) in sums.iter_mut().zip(row.borrow()) {
            *s += x * 0.0;
        }
    }
    sums[..n].iter().all(|&s| s == 0.0)
}

/// The first cell and lane among the first `n` lanes of `values` that is NaN or infinite.
fn first_non_finite<B: Borrow<Lanes<f64>>>(values: &[B], n: usize) -> Option<(usize, usize)> {
    values.iter().enumerate().find_map(|(cell, lanes)| {
        lanes.borrow()[..n]
            .iter()
            .position(|x| !x.is_finite())
            .map(|lane| (cell, lane))
    })
}

/// Puts in `differences` each cell's alignment in `block` minus that in `reference`, lane by lane.
fn paired_differences(
    differences: &mut Vec<Lanes<f64>>,
    block: &State<F64s>,
    reference: &State<F64s>,
) {
    differences.clear();
    differences.extend(
        block
            .alignment
            .iter()
            .zip(&reference.alignment)
            .map(|(a, r)| std::array::from_fn(|i| a.0[i] - r.0[i])),
    );
}

/// Adds to `tally` the horizon outcomes `state` has and `reference` (the first plan's state in the same
/// run) has not (`gained`), and the other way round (`lost`).
fn count_switches(world: &World, reference: &RunState, state: &RunState, tally: &mut Tally) {
    let ps = world.poles.len();
    let hp = world.states.len() * ps;
    for h in 0..world.states.len() {
        let (was, is) = (reference.dominant(world, h), state.dominant(world, h));
        if was != is {
            tally.gained[h * ps + is] += 1;
            tally.lost[h * ps + was] += 1;
        }
    }
    let flags = [
        (&reference.bases, &state.bases, hp),
        (&reference.transit, &state.transit, 2 * hp),
        (&reference.blocs, &state.blocs, 3 * hp),
    ];
    for (was, is, offset) in flags {
        for (i, (&a, &b)) in was.iter().zip(is.iter()).enumerate() {
            tally.gained[offset + i] += u32::from(b && !a);
            tally.lost[offset + i] += u32::from(a && !b);
        }
    }
}

/// The runs `first..last` in blocks of at most `LANES` that can share one world, each with the key of
/// its group (`PerRun::group`): without `varied`, consecutive runs; with it, the runs of each key in
/// run order (keys in increasing order), then every run without a key alone, in run order.
fn group_runs(varied: Option<&dyn PerRun>, first: u64, last: u64) -> Vec<(Option<u64>, Vec<u64>)> {
    let Some(v) = varied else {
        return (first..last)
            .step_by(LANES)
            .map(|b| (None, (b..(b + LANES as u64).min(last)).collect()))
            .collect();
    };
    let (mut keyed, mut alone) = (Vec::new(), Vec::new());
    for run in first..last {
        match v.group(run) {
            Some(key) => keyed.push((key, run)),
            None => alone.push(run),
        }
    }
    keyed.sort_unstable();
    let mut blocks: Vec<(Option<u64>, Vec<u64>)> = Vec::new();
    for same in keyed.chunk_by(|a, b| a.0 == b.0) {
        for lanes in same.chunks(LANES) {
            blocks.push((
                Some(lanes[0].0),
                lanes.iter().map(|&(_, run)| run).collect(),
            ));
        }
    }
    blocks.extend(alone.into_iter().map(|run| (None, vec![run])));
    blocks
}

/// Simulates chunk `c` serially, up to `LANES` runs at a time in lock-step (`group_runs`), adding its
/// statistics to `worker`'s tallies.
fn simulate_chunk(batch: &Batch, slots: &Occurrences, c: u64, worker: &mut Worker) -> ChunkDetail {
    let world = batch.world;
    let first = batch.first_run + c * CHUNK_RUNS;
    let last = (first + CHUNK_RUNS).min(batch.first_run + batch.runs);
    let Worker {
        tallies,
        blocks,
        lanes,
        verdicts,
        rngs,
        shocks,
        occurred,
        lane_occurred,
        pending,
        differences,
        bins,
    } = worker;
    let runs = (last - first) as usize;
    let (hs, ps, plans) = (world.states.len(), world.poles.len(), batch.plans.len());
    let row_len = hs * ps;
    let mut detail = ChunkDetail {
        first_run: first,
        runs: last - first,
        ..ChunkDetail::default()
    };
    if batch.keep_trajectories {
        detail.trajectories = vec![0.0; runs * plans * world.quarters * row_len];
    }
    // Which runs go side by side in a block: consecutive runs, or with varied worlds runs that share
    // one, grouped by key (in run order within a group) and the others alone. Every statistic below
    // is a count or an exact sum, so the order of blocks changes no bit of the tallies; per-run
    // details are written at their run's place (trajectories) or put back in run order (finals).
    let groups = group_runs(batch.varied, first, last);
    let mut own: Option<(Option<u64>, World, Vec<Plan>)> = None;
    // Each block's runs take the next positions of the chunk's histogram bins.
    let mut r0 = 0;
    for (key, block_runs) in &groups {
        let n = block_runs.len();
        // A block of varied runs gets their world and plans, and buffers shaped by them; consecutive
        // blocks of one group reuse them.
        if let Some(v) = batch.varied {
            if key.is_none() || own.as_ref().is_none_or(|(k, _, _)| k != key) {
                match v.world(block_runs[0]) {
                    Ok((w, p)) => {
                        *shocks = Shocks::quiet(&w);
                        own = Some((*key, w, p));
                    }
                    Err(message) => {
                        if detail
                            .no_world
                            .as_ref()
                            .is_none_or(|(r, _)| block_runs[0] < *r)
                        {
                            detail.no_world = Some((block_runs[0], message));
                        }
                        own = None;
                        r0 += n;
                        continue;
                    }
                }
            }
        }
        let (world, run_plans) = match &own {
            Some((_, w, p)) => (w, p.as_slice()),
            None => (world, batch.plans),
        };
        rngs.clear();
        rngs.extend(block_runs.iter().map(|&run| run_rng(batch.seed, run)));
        blocks.iter_mut().for_each(|b| b.reset(world));
        verdicts
            .iter_mut()
            .flatten()
            .for_each(|v| v.reset(batch.checks));
        // The first score of the block that is not finite; the chunk reports that of its lowest run.
        let mut bad: Option<NonFinite> = None;
        for t in 0..world.quarters {
            shocks.draw_lanes(rngs);
            for (k, (plan, block)) in run_plans.iter().zip(blocks.iter_mut()).enumerate() {
                step(world, plan, slots, t, block, shocks, occurred);
                if bad.is_none() && !all_finite(&block.alignment, n) {
                    bad = first_non_finite(&block.alignment, n).map(|(cell, lane)| NonFinite {
                        run: block_runs[lane],
                        plan: k,
                        quarter: t,
                        state: cell / ps,
                        pole: cell % ps,
                    });
                }
                if !batch.checks.is_empty() {
                    for (i, v) in verdicts[..n].iter_mut().map(|v| &mut v[k]).enumerate() {
                        block.lane(i, &mut lanes[k]);
                        lane_occurred
                            .iter_mut()
                            .zip(occurred.iter())
                            .for_each(|(o, flags)| *o = flags.test(i));
                        v.observe(batch.checks, world, slots, t, &lanes[k], lane_occurred);
                    }
                }
                let tally = &mut tallies[k];
                let row = t * row_len;
                push_live(
                    &mut tally.alignment[row..row + row_len],
                    &mut pending[k][row..row + row_len],
                    &block.alignment,
                    n,
                );
                bin_live(
                    &block.alignment,
                    n,
                    &mut bins[k][row * CHUNK_RUNS as usize + r0..],
                );
                let occ = &mut tally.occurrences[t * slots.len()..(t + 1) * slots.len()];
                count_occurrences(occ, occurred, n);
                if batch.keep_trajectories {
                    for (i, &run) in block_runs.iter().enumerate() {
                        let at =
                            (((run - first) as usize * plans + k) * world.quarters + t) * row_len;
                        let to = &mut detail.trajectories[at..at + row_len];
                        to.iter_mut()
                            .zip(&block.alignment)
                            .for_each(|(x, a)| *x = a.0[i]);
                    }
                }
            }
            // Every quarter's paired differences against the first plan (whose own are zeros, added
            // at the end of the chunk).
            let row = t * row_len;
            let skip = tallies[0].alignment.len() + row_len;
            for ((tally, pending), block) in tallies
                .iter_mut()
                .zip(pending.iter_mut())
                .zip(blocks.iter())
                .skip(1)
            {
                paired_differences(differences, block, &blocks[0]);
                push_live(
                    &mut tally.paired_quarters[row..row + row_len],
                    &mut pending[skip + row..skip + row + row_len],
                    differences,
                    n,
                );
            }
        }
        // Paired differences against the first plan, a block at a time: the same differences as run by
        // run, and the sums are exact, so the order in which runs are added changes nothing.
        for ((tally, pending), block) in tallies
            .iter_mut()
            .zip(pending.iter_mut())
            .zip(blocks.iter())
        {
            paired_differences(differences, block, &blocks[0]);
            let paired_pending = &mut pending[tally.alignment.len()..];
            push_live(&mut tally.paired, paired_pending, differences, n);
        }
        for (i, verdicts) in verdicts[..n].iter().enumerate() {
            for (block, lane) in blocks.iter().zip(lanes.iter_mut()) {
                block.lane(i, lane);
            }
            for (k, state) in lanes.iter().enumerate().skip(1) {
                count_switches(world, &lanes[0], state, &mut tallies[k]);
            }
            for (k, state) in lanes.iter().enumerate() {
                let tally = &mut tallies[k];
                tally.runs += 1;
                for h in 0..hs {
                    tally.dominant[h * ps + state.dominant(world, h)] += 1;
                }
                for (n, &b) in tally.bases.iter_mut().zip(&state.bases) {
                    *n += u32::from(b);
                }
                for (n, &b) in tally.hosted.iter_mut().zip(&state.hosted) {
                    *n += u32::from(b);
                }
                for (n, &b) in tally.transit.iter_mut().zip(&state.transit) {
                    *n += u32::from(b);
                }
                for (n, &b) in tally.blocs.iter_mut().zip(&state.blocs) {
                    *n += u32::from(b);
                }
                for (n, &held) in tally.checks.iter_mut().zip(&verdicts[k].held) {
                    *n += u32::from(held);
                }
                if batch.keep_finals {
                    detail.finals.push(Final {
                        run: block_runs[i],
                        plan: k,
                        state: state.clone(),
                    });
                }
            }
        }
        if let Some(b) = bad {
            if detail.non_finite.is_none_or(|d| b.run < d.run) {
                detail.non_finite = Some(b);
            }
        }
        r0 += n;
    }
    if batch.varied.is_some() {
        detail.finals.sort_by_key(|f| (f.run, f.plan));
    }
    for (tally, pending) in tallies.iter_mut().zip(pending.iter_mut()) {
        let moments = tally
            .alignment
            .iter_mut()
            .chain(tally.paired.iter_mut())
            .chain(tally.paired_quarters.iter_mut());
        moments.zip(pending).for_each(|(m, p)| p.fold_into(m));
    }
    for m in &mut tallies[0].paired_quarters {
        m.push_zeros(runs as u64);
    }
    for (tally, bins) in tallies.iter_mut().zip(bins.iter()) {
        for (hist, cell_bins) in tally
            .histograms
            .chunks_exact_mut(BINS)
            .zip(bins.chunks_exact(CHUNK_RUNS as usize))
        {
            // Four bins per step: the loop's own counting and test are shared by four increments.
            let cell_bins = cell_bins[..runs].chunks_exact(4);
            for &b in cell_bins.remainder() {
                hist[usize::from(b)] += 1;
            }
            for four in cell_bins {
                for &b in four {
                    hist[usize::from(b)] += 1;
                }
            }
        }
    }
    detail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Simulates the built-in baseline's runs `0..runs` on `threads` threads, to the margin if given.
    fn baseline(runs: u64, threads: usize, margin: Option<f64>) -> (Outcome, Option<Stopped>) {
        let sc = crate::scenario::builtin().unwrap().scenario;
        let plans = [sc.baseline.clone()];
        let batch = Batch {
            world: &sc.world,
            plans: &plans,
            first_run: 0,
            runs,
            seed: 5,
            threads: Some(threads),
            checks: &[],
            keep_finals: false,
            keep_trajectories: false,
            varied: None,
        };
        let ok = |_| Ok::<(), ()>(());
        match margin {
            Some(m) => {
                let (outcome, stopped) = simulate_to_precision(&batch, m, ok).unwrap();
                (outcome, Some(stopped))
            }
            None => (simulate(&batch, ok).unwrap(), None),
        }
    }

    #[test]
    fn precision_stops_at_whole_chunks_with_the_tallies_of_a_plain_batch() {
        // 0.03 needs at most (1.96·0.5/0.03)² ≈ 1,068 runs: one or two chunks, well below the maximum.
        let (outcome, stopped) = baseline(50_000, 2, Some(0.03));
        assert_eq!(stopped, Some(Stopped::Precision));
        assert!(widest_margin(&outcome) < 0.03);
        assert!(outcome.runs.is_multiple_of(CHUNK_RUNS) && outcome.runs <= 2 * CHUNK_RUNS);
        assert_eq!(baseline(50_000, 1, Some(0.03)).0, outcome, "one thread");
        assert_eq!(baseline(outcome.runs, 2, None).0, outcome, "plain batch");
        // The margin of each probability shrinks as 1/sqrt(n): an estimate made at one count meets it.
        let estimate = runs_estimate(&outcome, 0.01);
        let (pq, n) = outcome.widest_variance().unwrap();
        assert!(Z95 * (pq / estimate as f64).sqrt() < 0.01);
        assert!(estimate.is_multiple_of(CHUNK_RUNS) && estimate > n);
    }

    #[test]
    fn precision_stops_at_the_maximum_even_within_a_chunk() {
        let (outcome, stopped) = baseline(700, 1, Some(0.001));
        assert_eq!(stopped, Some(Stopped::Maximum));
        assert_eq!(outcome.runs, 700);
        assert!(widest_margin(&outcome) >= 0.001);
        assert_eq!(baseline(700, 1, None).0, outcome);
    }

    #[test]
    fn non_finite_values_are_found_in_the_first_n_lanes_only() {
        let mut values = vec![[0.25f64; LANES]; 5];
        assert!(all_finite(&values, LANES));
        assert_eq!(first_non_finite(&values, LANES), None);
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            values[3][5] = bad;
            assert!(!all_finite(&values, LANES));
            assert!(all_finite(&values, 5), "lane 5 holds no run when n = 5");
            assert_eq!(first_non_finite(&values, LANES), Some((3, 5)));
            assert_eq!(first_non_finite(&values, 5), None);
            values[3][5] = 0.25;
        }
    }

    #[test]
    fn occurrences_are_counted_in_the_first_n_lanes_of_every_slot() {
        // 21 slots: two words of eight and a remainder, with clear words among them.
        let patterns = [0u8, 0b1010_0101, 0xff, 0b1000_0000, 0b0000_0001];
        let occurred: Vec<LaneMask> = (0..21)
            .map(|s| {
                LaneMask(if (8..16).contains(&s) {
                    0
                } else {
                    patterns[s % 5]
                })
            })
            .collect();
        for n in 1..=LANES {
            let mut counts = vec![7u32; occurred.len()];
            count_occurrences(&mut counts, &occurred, n);
            for (s, (&count, flags)) in counts.iter().zip(&occurred).enumerate() {
                let set = (0..n).filter(|&i| flags.test(i)).count() as u32;
                assert_eq!(count, 7 + set, "slot {s}, first {n} lanes");
            }
        }
    }
}
