//! What `run`, `compare` and `hindcast` share: options, loading, simulating, and writing every output
//! (or, for a shard, its partial result); and writing the aggregate outputs `merge` also writes.

use std::io::{self, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};

use anyhow::Context;

use greatgame::engine::{self, Batch, ChunkDetail, Outcome};
use greatgame::model::{Check, Plan};
use greatgame::output::{self, AtomicFile, Manifest, OutputError, StreamFile};
use greatgame::scenario::{self, Loaded, Scenario};
use greatgame::shard::{Part, Shard, StoredTally, PART_FORMAT};

use super::interrupt::{self, Interrupted};
use super::InputError;

/// Options common to `run`, `compare` and `hindcast`.
#[derive(Debug, Clone, clap::Args)]
pub struct Options {
    /// Scenario file (TOML). Without one, the built-in baseline `central_asia_2017` is used.
    pub scenario: Option<PathBuf>,
    /// Number of Monte Carlo runs [default: the scenario's `runs`].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=scenario::MAX_RUNS as u64))]
    pub runs: Option<u64>,
    /// Master seed; run i uses random stream i of it [default: the scenario's `seed`].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads; results are identical for any number [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output folder [default: out/<scenario name>, or out/<scenario name>/shard-K-of-N with --shard].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write trajectories.csv: every run's score in every quarter (large).
    #[arg(long)]
    pub trajectories: bool,
    /// Run only shard K of N (1-based) of the run indices and write a partial result for `greatgame merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Skip runs.csv (one row per run, state and pole): for large batches that need only the summaries.
    #[arg(long)]
    pub summary_only: bool,
    /// Write runs.csv and trajectories.csv gzip-compressed, as runs.csv.gz and trajectories.csv.gz.
    #[arg(long)]
    pub gzip: bool,
    /// No progress bar on stderr (it shows only when stderr is a terminal).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Loads the scenario named by `opts`, or the built-in one.
pub fn load(opts: &Options) -> anyhow::Result<Loaded> {
    Ok(match &opts.scenario {
        Some(path) => scenario::load(path)?,
        None => scenario::builtin()?,
    })
}

/// Simulates `plans` of `loaded`, evaluating `checks` on the first plan, and writes every output,
/// returning the outcome for the table; with `--shard`, writes the shard's partial result, says so on
/// stdout and returns `None`.
pub fn execute(
    opts: &Options,
    loaded: &Loaded,
    plans: &[Plan],
    checks: &[Check],
    command: &str,
) -> anyhow::Result<Option<(Outcome, PathBuf)>> {
    let sc = &loaded.scenario;
    let world = &sc.world;
    let runs = opts.runs.unwrap_or(sc.meta.runs);
    let seed = opts.seed.unwrap_or(sc.meta.seed);
    let (first, count) = opts.shard.map_or((0, runs), |s| s.range(runs));
    let dir = opts.out.clone().unwrap_or_else(|| {
        let base = Path::new("out").join(&sc.meta.name);
        match opts.shard {
            Some(s) => base.join(format!("shard-{}-of-{}", s.k, s.n)),
            None => base,
        }
    });
    output::prepare_dir(&dir)?;
    let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();

    let stream = |names: StreamNames, wanted: bool| -> Result<_, OutputError> {
        Ok(match wanted {
            true => Some(csv::Writer::from_writer(StreamFile::create(
                &dir.join(stream_name(names, opts.gzip)),
                opts.gzip,
            )?)),
            false => None,
        })
    };
    let mut runs_csv = stream(RUNS_CSV, !opts.summary_only)?;
    let mut traj_csv = stream(TRAJECTORIES_CSV, opts.trajectories)?;
    let batch = Batch {
        world,
        plans,
        first_run: first,
        runs: count,
        seed,
        threads: opts.threads.map(usize::from),
        checks,
        keep_finals: runs_csv.is_some(),
        keep_trajectories: opts.trajectories,
    };
    let csv_err = |w: &csv::Writer<StreamFile>| {
        let path = w.get_ref().path().to_path_buf();
        move |source| OutputError::Csv { path, source }
    };
    let progress = progress_bar(opts, count);
    let watch = interrupt::watch();
    let simulated = engine::simulate(&batch, |detail: ChunkDetail| -> Result<(), Stop> {
        watch.check()?;
        progress.inc(detail.runs);
        if let Some(w) = runs_csv.as_mut() {
            for row in output::run_rows(world, &names, &detail) {
                w.serialize(row).map_err(csv_err(w))?;
            }
        }
        if let Some(w) = traj_csv.as_mut() {
            for row in output::trajectory_rows(world, &names, &detail) {
                w.serialize(row).map_err(csv_err(w))?;
            }
        }
        Ok(())
    });
    let outcome = match simulated {
        Ok(outcome) => outcome,
        Err(engine::EngineError::Sink(Stop::Interrupted(e))) => return Err(e.into()),
        Err(engine::EngineError::Sink(Stop::Output(e))) => return Err(e.into()),
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    drop(watch);
    progress.finish_and_clear();
    let mut files = Vec::new();
    for (names, writer) in [(RUNS_CSV, runs_csv), (TRAJECTORIES_CSV, traj_csv)] {
        let file = match writer {
            Some(w) => Some(w.into_inner().map_err(|e| OutputError::Write {
                path: dir.join(names.0),
                source: e.into_error(),
            })?),
            None => None,
        };
        files.extend(finish_stream(&dir, names, file)?);
    }

    if let Some(shard) = opts.shard {
        let part = Part {
            format: PART_FORMAT,
            greatgame_version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            scenario: sc.meta.name.clone(),
            scenario_file: loaded.file.clone(),
            scenario_sha256: loaded.sha256.clone(),
            scenario_text: loaded.text.clone(),
            seed,
            runs_total: runs,
            shard,
            first_run: first,
            runs: count,
            plans: names,
            checks: checks.iter().map(|c| c.name.clone()).collect(),
            runs_csv: !opts.summary_only,
            trajectories: opts.trajectories,
            gzip: opts.gzip,
            tallies: outcome.tallies.iter().map(StoredTally::from).collect(),
        };
        let json = serde_json::to_vec(&part).context("encoding part.json")?;
        output::write_atomic(&dir.join("part.json"), &json)?;
        print(&shard_message(loaded, &dir, shard, first, count))?;
        return Ok(None);
    }

    files.extend(write_aggregates(&dir, sc, &names, checks, &outcome)?);
    write_manifest(
        &dir,
        loaded_info(loaded),
        command,
        seed,
        runs,
        sc,
        &names,
        &files,
    )?;
    Ok(Some((outcome, dir)))
}

/// A progress bar with ETA on stderr, hidden unless stderr is a terminal and `--quiet` is absent.
fn progress_bar(opts: &Options, runs: u64) -> ProgressBar {
    if opts.quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {human_pos}/{human_len} runs, {elapsed} elapsed, ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Why the engine's sink stopped a batch.
#[derive(Debug, thiserror::Error)]
enum Stop {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Interrupted(#[from] Interrupted),
}

/// Where a scenario came from, for the manifest.
pub struct Origin {
    /// File as given.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
}

fn loaded_info(loaded: &Loaded) -> Origin {
    Origin {
        file: loaded.file.clone(),
        sha256: loaded.sha256.clone(),
    }
}

/// Writes summary, outcomes and events, and compare and hindcast where they apply (removing stale ones
/// where they do not); returns the files written.
pub fn write_aggregates(
    dir: &Path,
    sc: &Scenario,
    names: &[String],
    checks: &[Check],
    outcome: &Outcome,
) -> Result<Vec<&'static str>, OutputError> {
    let world = &sc.world;
    let mut files = vec!["summary.csv", "outcomes.csv", "events.csv"];
    write_rows(dir, "summary.csv", output::summary_rows(sc, names, outcome))?;
    write_rows(
        dir,
        "outcomes.csv",
        output::outcome_rows(world, names, outcome),
    )?;
    write_rows(dir, "events.csv", output::event_rows(world, names, outcome))?;
    if names.len() > 1 {
        write_rows(
            dir,
            "compare.csv",
            output::compare_rows(world, names, outcome),
        )?;
        files.push("compare.csv");
    } else {
        remove_stale(&dir.join("compare.csv"))?;
    }
    if checks.is_empty() {
        remove_stale(&dir.join("hindcast.csv"))?;
    } else {
        write_rows(
            dir,
            "hindcast.csv",
            output::hindcast_rows(world, checks, outcome),
        )?;
        files.push("hindcast.csv");
    }
    Ok(files)
}

/// Writes `manifest.json` last, so a folder with a manifest is complete.
#[allow(clippy::too_many_arguments)]
pub fn write_manifest(
    dir: &Path,
    origin: Origin,
    command: &str,
    seed: u64,
    runs: u64,
    sc: &Scenario,
    names: &[String],
    files: &[&str],
) -> anyhow::Result<()> {
    let world = &sc.world;
    let manifest = Manifest {
        greatgame_version: env!("CARGO_PKG_VERSION").into(),
        command: command.into(),
        command_line: std::env::args().collect(),
        scenario: sc.meta.name.clone(),
        scenario_file: origin.file,
        scenario_sha256: origin.sha256,
        seed,
        runs,
        quarters: [
            world.start.to_string(),
            world.quarter_label(world.quarters - 1).to_string(),
        ],
        policies: names.to_vec(),
        files: files.iter().map(|f| f.to_string()).collect(),
    };
    let json = serde_json::to_vec_pretty(&manifest).context("encoding manifest.json")?;
    output::write_atomic(&dir.join("manifest.json"), &json)?;
    Ok(())
}

fn write_rows<T: serde::Serialize>(
    dir: &Path,
    name: &str,
    rows: Vec<T>,
) -> Result<(), OutputError> {
    let path = dir.join(name);
    let mut file = AtomicFile::create(&path)?;
    output::write_csv(&mut file, rows).map_err(|source| OutputError::Csv {
        path: path.clone(),
        source,
    })?;
    file.commit()
}

/// The plain and gzip names of a streamed output.
pub type StreamNames = (&'static str, &'static str);
/// `runs.csv`, plain and gzipped.
pub const RUNS_CSV: StreamNames = ("runs.csv", "runs.csv.gz");
/// `trajectories.csv`, plain and gzipped.
pub const TRAJECTORIES_CSV: StreamNames = ("trajectories.csv", "trajectories.csv.gz");

/// The file name of a streamed output, plain or gzipped.
pub fn stream_name((plain, gz): StreamNames, gzip: bool) -> &'static str {
    if gzip {
        gz
    } else {
        plain
    }
}

/// Commits a streamed output if it was written, returning the name it was written under, and removes
/// what an earlier command left under either of its names that this one did not write.
pub fn finish_stream(
    dir: &Path,
    (plain, gz): StreamNames,
    file: Option<StreamFile>,
) -> Result<Option<&'static str>, OutputError> {
    let Some(file) = file else {
        remove_stale(&dir.join(plain))?;
        remove_stale(&dir.join(gz))?;
        return Ok(None);
    };
    let (written, other) = match file {
        StreamFile::Plain(_) => (plain, gz),
        StreamFile::Gzip(_) => (gz, plain),
    };
    file.commit()?;
    remove_stale(&dir.join(other))?;
    Ok(Some(written))
}

/// Removes an output an earlier command wrote that this one does not, so the folder never mixes runs.
pub fn remove_stale(path: &Path) -> Result<(), OutputError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(OutputError::Write {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Prints `text` on stdout; a closed pipe (`greatgame run | head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A headline naming what was run.
pub fn headline(
    title: &str,
    file: &str,
    runs: u64,
    seed: u64,
    sc: &Scenario,
    dir: &Path,
    what: &str,
) -> String {
    format!(
        "{title} ({file}): {what}, {runs} runs, seed {seed}, {} to {}\noutputs in {}\n\n",
        sc.world.start,
        sc.world.quarter_label(sc.world.quarters - 1),
        dir.display()
    )
}

/// The headline for a command run with `opts`.
pub fn headline_for(loaded: &Loaded, opts: &Options, dir: &Path, what: &str) -> String {
    let sc = &loaded.scenario;
    headline(
        &sc.meta.title,
        &loaded.file,
        opts.runs.unwrap_or(sc.meta.runs),
        opts.seed.unwrap_or(sc.meta.seed),
        sc,
        dir,
        what,
    )
}

/// The message for a finished shard.
fn shard_message(loaded: &Loaded, dir: &Path, shard: Shard, first: u64, count: u64) -> String {
    format!(
        "{}: shard {shard}, runs {first}..{}: partial result in {}\ncombine all {} shards with `greatgame merge PART_DIR... --out DIR`\n",
        loaded.file,
        first + count,
        dir.display(),
        shard.n
    )
}

/// Error for `compare` on a scenario without policies.
pub fn no_policies(loaded: &Loaded) -> anyhow::Error {
    InputError(format!(
        "{}: declares no [[policy]] to compare against the baseline",
        loaded.file
    ))
    .into()
}
