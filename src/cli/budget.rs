//! Resource budgets: before a command runs, estimate its peak memory and the size of what it writes,
//! and refuse (exit 2, nothing written) when either exceeds what the machine has: `MemAvailable` of
//! `/proc/meminfo`, and the free space of the file system of the output folder. `--force` goes ahead.
//!
//! The estimate counts the large allocations of `engine::simulate` (per worker thread and plan: a tally
//! with a 1,000-bin histogram and exact moments per quarter, state and pole, the chunk's histogram bins
//! and pending sums; the final tallies; with `runs.csv` or `--trajectories`, the per-run details of the
//! waves in flight), the aggregate rows and the stream buffers, on top of the program itself. The
//! program is measured, not assumed: on Linux its peak resident size so far (`VmHWM` in
//! `/proc/self/status`, read when the estimate is made, after the scenario is loaded) is what its code,
//! libraries and data already hold, whatever build it is (an unoptimised build holds 1.5 MB more than
//! the shipped one); added to it are what the run still pages in and each worker thread's stack and
//! arena, both measured. Where `/proc/self/status` cannot be read, a constant measured on the shipped
//! build stands in for the resident size. README ("Errors and interruptions") gives how the estimate
//! compares with measured peaks; `tests/it/faults.rs` pins it within a factor of two above them.

use std::fmt::Write as _;
use std::path::Path;

use greatgame::engine::{Tally, CHUNK_RUNS};
use greatgame::model::Occurrences;
use greatgame::scenario::Scenario;
use greatgame::stats::{Moments, BINS};

use super::execute::{counted, Options};
use super::InputError;

/// What a batch writes and on how many threads, as far as its budget depends on it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Writes {
    /// Worker threads (`None`: one per core).
    pub threads: Option<u16>,
    /// `runs.csv` is written.
    pub runs_csv: bool,
    /// `trajectories.csv` is written.
    pub trajectories: bool,
    /// Streams are gzipped.
    pub gzip: bool,
    /// Each run draws its own parameters (`[[uncertain]]`, a parameter ensemble).
    pub varied: bool,
}

impl From<&Options> for Writes {
    fn from(opts: &Options) -> Writes {
        Writes {
            threads: opts.threads,
            runs_csv: !opts.summary_only,
            trajectories: opts.trajectories,
            gzip: opts.gzip,
            varied: false,
        }
    }
}

/// The program's resident size when it makes an estimate, where it cannot be read: the shipped build's
/// `VmHWM` at the estimate, measured at 8.4 MiB for `check` of `tests/data/small.toml`, 10.1 MiB for
/// `check` of the built-in scenario and 12.5 MiB for its `compare` (which has loaded more by then).
/// An unoptimised build holds 1.5 MiB more, which only the measured size covers.
const RESIDENT_BYTES: u64 = 10 << 20;
/// What the program adds after the estimate besides the allocations counted: the simulation's and the
/// writers' code paged in, the worker pool. Measured as the peak less the resident size at the estimate
/// for 5 runs of `tests/data/small.toml` with `--summary-only` on 1 thread (where the counted
/// allocations are a few kB): 1.6 to 1.7 MiB for the shipped and the unoptimised build.
const LATER_BYTES: u64 = 2 << 20;
/// What each worker thread adds as touched: its stack and its allocator arena. Measured from the same
/// runs on 1 and 32 threads: 78 to 80 KiB a thread.
const THREAD_BYTES: u64 = 128 << 10;
/// A streamed output's buffers: 1 MiB write buffer, the CSV writer's and the compressor's.
const STREAM_BYTES: u64 = 2 << 20;
/// What drawing each run's parameters adds: the scenario parsed and resolved once more, each worker's
/// own world and plans.
const VARIED_BYTES: u64 = 4 << 20;
/// Bytes of one aggregate CSV row held in memory before it is written (strings and numbers).
const ROW_BYTES: u64 = 160;
/// Gzip's typical ratio on greatgame's CSV (README: about 5×; 4 to be safe).
const GZIP_RATIO: u64 = 4;

/// What a command will need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Estimated peak memory, bytes.
    pub memory: u64,
    /// Estimated size of what it writes, bytes.
    pub disk: u64,
    /// What it runs, for messages: `10000 runs × 3 plans on 8 threads`.
    pub what: String,
    /// How to need less.
    pub reduce: &'static str,
}

/// Bytes of one plan's tally for `sc`.
fn tally_bytes(sc: &Scenario, checks: usize) -> u64 {
    let w = &sc.world;
    let (q, h, p, b) = (w.quarters, w.states.len(), w.poles.len(), w.blocs.len());
    let cells = (q * h * p) as u64;
    let slots = Occurrences::new(w).len() as u64;
    let moments = std::mem::size_of::<Moments>() as u64;
    std::mem::size_of::<Tally>() as u64
        + cells * (moments + BINS as u64 * 4)
        + q as u64 * slots * 4
        + (h * p) as u64 * (moments + 12)
        + (h * b) as u64 * 4
        + checks as u64 * 4
}

/// Bytes of the aggregate rows of one plan (summary, events, outcomes).
fn rows_bytes(sc: &Scenario) -> u64 {
    let w = &sc.world;
    let cells = (w.quarters * w.states.len() * w.poles.len()) as u64;
    let slots = Occurrences::new(w).len() as u64;
    (cells + w.quarters as u64 * slots) * ROW_BYTES
}

/// Bytes of one row of runs.csv and of trajectories.csv, at most (longest names, 9-digit run index).
fn row_sizes(sc: &Scenario, plans: &[String]) -> (u64, u64) {
    let w = &sc.world;
    let longest = |it: &mut dyn Iterator<Item = usize>| it.max().unwrap_or(0) as u64;
    let policy = longest(&mut plans.iter().map(String::len));
    let state = longest(&mut w.states.iter().map(|s| s.code.len()));
    let pole = longest(&mut w.poles.iter().map(String::len));
    let blocs: u64 = w.blocs.iter().map(|b| b.name.len() as u64 + 1).sum();
    // policy,run,state,pole,score,dominant,base,transit,blocs: score "0.123456", booleans "false".
    let runs_row = policy + 10 + state + pole + 8 + 3 * 5 + blocs + 9;
    // policy,run,quarter,state,pole,score.
    let trajectory_row = policy + 10 + 6 + state + pole + 8 + 6;
    (runs_row, trajectory_row)
}

impl Budget {
    /// The budget of simulating `runs` runs of `plans` plans of `sc` with `checks` checks, writing what
    /// `opts` says.
    pub fn batch(
        sc: &Scenario,
        plans: &[String],
        checks: usize,
        runs: u64,
        opts: impl Into<Writes>,
    ) -> Budget {
        let opts: Writes = opts.into();
        let threads = opts.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
            u64::from,
        );
        let w = &sc.world;
        let k = plans.len() as u64;
        let cells = (w.quarters * w.states.len() * w.poles.len()) as u64;
        let sp = (w.states.len() * w.poles.len()) as u64;
        let tally = tally_bytes(sc, checks);
        // Per worker and plan: its tally, the chunk's histogram bins (u16 per run and cell) and the
        // pending block sums (104 bytes per cell).
        let worker = tally + CHUNK_RUNS * cells * 2 + (cells + sp) * 104;
        let program =
            resident_bytes().unwrap_or(RESIDENT_BYTES) + LATER_BYTES + threads * THREAD_BYTES;
        let mut memory = program + threads * k * worker + k * (tally + rows_bytes(sc));
        // Kept details: a wave is two chunks per worker; one wave is simulated while one waits in the
        // channel and one is written.
        let in_flight = (3 * 2 * threads * CHUNK_RUNS).min(runs.max(1));
        let waves = in_flight * k;
        if opts.runs_csv {
            let state = sp * 30
                + (w.states.len() * (16 + w.blocs.len() + 4 * w.reactions.len())) as u64
                + 400;
            memory += waves * state + STREAM_BYTES;
        }
        // Drawn parameters: the scenario kept parsed and resolved to build each run's world, and each
        // worker's world and plans (`VARIED_BYTES`: measured 1.5 to 2.3 MB more on the 2018 scenarios);
        // with more than one plan, the horizon shares `robust.csv` is computed from, kept and sorted
        // cell by cell. Measured on the built-in scenario's ensemble with its 10 plans: 5.6, 8.8 to 14
        // and 18.6 MB more than at the values as written for 1,000, 2,000 and 4,000 runs of `compare`,
        // about 29 bytes a run, plan, state and pole: counted as four 8-byte copies.
        if opts.varied {
            memory += VARIED_BYTES;
            if k > 1 {
                memory += 4 * runs * k * sp * 8;
            }
        }
        let (runs_row, trajectory_row) = row_sizes(sc, plans);
        let mut disk = k * rows_bytes(sc);
        if opts.runs_csv {
            disk += runs * k * sp * runs_row / if opts.gzip { GZIP_RATIO } else { 1 };
        }
        if opts.trajectories {
            memory += waves * w.quarters as u64 * sp * 8 + STREAM_BYTES;
            disk += runs * k * w.quarters as u64 * sp * trajectory_row
                / if opts.gzip { GZIP_RATIO } else { 1 };
        }
        Budget {
            memory,
            disk,
            what: format!(
                "{} × {} on {}",
                counted(runs as usize, "run"),
                counted(k as usize, "plan"),
                counted(threads as usize, "thread")
            ),
            reduce: "fewer --threads (memory), fewer --runs or --shard K/N across processes, --summary-only, \
                     --gzip (output about 5× smaller), or no --trajectories",
        }
    }

    /// The budget of merging `parts` parts of `plans` plans whose streamed files hold `streamed` bytes.
    pub fn merge(
        sc: &Scenario,
        plans: usize,
        checks: usize,
        parts: usize,
        streamed: u64,
    ) -> Budget {
        let k = plans as u64;
        let tally = tally_bytes(sc, checks);
        // `merge` makes its estimate after reading every part's tallies and adding them up, so the
        // resident size holds them already; where it cannot be read, they are counted: every part's
        // tallies as read, one dense copy while adding it, and the sum.
        let held =
            resident_bytes().unwrap_or_else(|| RESIDENT_BYTES + (parts as u64 + 2) * k * tally);
        Budget {
            memory: held + LATER_BYTES + k * rows_bytes(sc) + STREAM_BYTES,
            disk: streamed + k * rows_bytes(sc),
            what: format!(
                "{} × {}",
                counted(parts, "part"),
                counted(k as usize, "plan")
            ),
            reduce: "merge on a machine with more memory or free disk",
        }
    }

    /// Refuses, naming the estimate and how to reduce it, if it exceeds the memory available or the free
    /// space where `dir` is; `force` skips the check. Where the machine does not say, nothing is refused.
    pub fn check(&self, dir: &Path, force: bool) -> Result<(), InputError> {
        if force {
            return Ok(());
        }
        let mut problems = String::new();
        if let Some(available) = available_memory() {
            if self.memory > available {
                let _ = write!(
                    problems,
                    "needs an estimated {} of memory at its peak, and {} is available",
                    human(self.memory),
                    human(available)
                );
            }
        }
        if let Some(free) = free_disk(dir) {
            if self.disk > free {
                if !problems.is_empty() {
                    problems.push_str("; it also ");
                }
                let _ = write!(
                    problems,
                    "writes an estimated {}, and {} has {} free",
                    human(self.disk),
                    dir.display(),
                    human(free)
                );
            }
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(InputError(format!(
            "{}: {problems}; reduce it with {}; or give --force to go ahead anyway",
            self.what, self.reduce
        )))
    }

    /// One line for `check`.
    pub fn describe(&self) -> String {
        format!(
            "estimated peak memory {}, output {} ({})",
            human(self.memory),
            human(self.disk),
            self.what
        )
    }
}

/// Bytes as `12.3 MB` (powers of 1,000).
pub fn human(bytes: u64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut x = bytes as f64;
    let mut u = 0;
    while x >= 1000.0 && u + 1 < units.len() {
        x /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{x:.1} {}", units[u])
    }
}

/// `MemAvailable` of `/proc/meminfo`, bytes.
fn available_memory() -> Option<u64> {
    proc_kib("/proc/meminfo", "MemAvailable:")
}

/// The most memory this process has held resident so far (`VmHWM` of `/proc/self/status`), bytes: its
/// code, libraries and data as this build lays them out.
fn resident_bytes() -> Option<u64> {
    proc_kib("/proc/self/status", "VmHWM:")
}

/// The value of the line `key  N kB` of the `/proc` file `path`, bytes (the kernel's kB are KiB).
fn proc_kib(path: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Free space for an unprivileged writer on the file system that holds `dir` (or its nearest existing
/// ancestor), bytes.
fn free_disk(dir: &Path) -> Option<u64> {
    let mut at = dir;
    let stat = loop {
        match nix::sys::statvfs::statvfs(if at.as_os_str().is_empty() {
            Path::new(".")
        } else {
            at
        }) {
            Ok(stat) => break stat,
            Err(_) => at = at.parent()?,
        }
    };
    // The field types differ between platforms (u64 on Linux, u32 on some BSDs).
    #[allow(clippy::useless_conversion)]
    u64::from(stat.blocks_available()).checked_mul(u64::from(stat.fragment_size()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes_read_as_written() {
        assert_eq!(human(999), "999 B");
        assert_eq!(human(12_345_678), "12.3 MB");
        assert_eq!(human(u64::MAX), "18.4 EB");
    }

    #[test]
    fn the_machine_reports_memory_and_disk() {
        assert!(available_memory().is_some_and(|m| m > 0));
        assert!(resident_bytes().is_some_and(|m| m > 0));
        assert!(free_disk(Path::new("/nonexistent/deeper")).is_some());
    }

    #[test]
    fn the_estimate_counts_what_the_program_holds_when_it_is_made() {
        let text = include_str!("../../tests/data/small.toml");
        let sc = Scenario::from_toml(text, "small.toml").unwrap();
        let plans = [sc.baseline.name.clone()];
        let writes = Writes {
            threads: Some(1),
            ..Writes::default()
        };
        let alone = Budget::batch(&sc, &plans, 0, 10, writes).memory;
        // 64 MiB filled with ones (so resident, unlike untouched zeroed pages), far more than a batch
        // of 10 runs counts.
        let held = vec![1u8; 64 << 20];
        let holding = Budget::batch(&sc, &plans, 0, 10, writes).memory;
        assert!(alone < 64 << 20, "{alone} bytes for 10 runs");
        assert!(holding > 64 << 20, "{holding} bytes while holding 64 MiB");
        assert_eq!(std::hint::black_box(held)[12345], 1);
    }
}
