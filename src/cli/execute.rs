//! What `run`, `compare` and `hindcast` share: options, loading, simulating, and writing every output
//! (or, for a shard, its partial result); and writing the aggregate outputs `merge` also writes.

use std::io::{self, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};

use anyhow::Context;

use greatgame::analysis::bootstrap::Bootstrap;
use greatgame::analysis::robust::robustness_by_cell;
use greatgame::analysis::uncertain::{Ensemble, Varied};
use greatgame::engine::{self, Batch, ChunkDetail, Outcome};
use greatgame::model::{Check, Plan};
use greatgame::output::{
    self, AtomicFile, FileRecord, Manifest, OutputDir, OutputError, ParametersRecord,
    PrecisionNote, Staged, StateName, StreamFile,
};
use greatgame::scenario::{self, Loaded, Located, Scenario, ScenarioError};
use greatgame::shard::{Part, Shard, StoredTally, PART_FORMAT};

use super::budget::{Budget, Writes};
use super::interrupt::{self, Interrupted};
use super::{json, settings, InputError};

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
    /// Run even if the estimated memory or output size exceeds what the machine has available.
    #[arg(long)]
    pub force: bool,
    /// Stop once every outcome probability's 95% margin 1.96·sqrt(p(1−p)/n) is below P, in (0, 0.5];
    /// --runs (or the scenario's runs) is then the maximum. Runs go in whole chunks of 1,024 and the
    /// stopping point does not depend on the threads. A worst case p = 0.5 needs n = (1.96·0.5/P)² runs:
    /// 9,604 for P = 0.01, 960,400 for P = 0.001.
    #[arg(long, value_name = "P", value_parser = parse_precision)]
    pub precision: Option<f64>,
    /// Draw each run's parameter set from FILE, an ensemble from `greatgame calibrate --ensemble`
    /// (CSV: `set`, `weight`, `distance` and `passed` columns, then one column per dotted path, one
    /// row per set): run i takes the set its own parameter stream picks, by weight, so every policy of
    /// run i has the same set. Replaces the ensemble the scenario names (`parameters` in
    /// `[scenario]`); `--parameters none` runs at the scenario's values without it. Works with
    /// --shard: `merge` writes parameters.csv and robust.csv.
    #[arg(long, value_name = "FILE")]
    pub parameters: Option<PathBuf>,
    #[command(flatten)]
    pub script: settings::Script,
}

/// A `--precision` value: a margin in (0, 0.5].
fn parse_precision(text: &str) -> Result<f64, String> {
    let p: f64 = text.parse().map_err(|_| {
        format!("`{text}` is not a number; expected a margin in (0, 0.5], e.g. 0.01")
    })?;
    if p > 0.0 && p <= 0.5 {
        Ok(p)
    } else {
        Err(format!(
            "{text} is outside (0, 0.5]: a 95% margin is above 0 and never needs to exceed 0.5"
        ))
    }
}

/// Loads the scenario named by `opts`, or the built-in one.
pub fn load(opts: &Options) -> anyhow::Result<Loaded> {
    let loaded = settings::load(opts.scenario.as_deref(), &opts.script)?;
    warn(&loaded);
    Ok(loaded)
}

/// Prints on stderr each warning about a loaded scenario (`scenario::warnings`): valid input that is
/// probably not what was meant, or that cannot take effect. Never stops a command.
pub fn warn(loaded: &Loaded) {
    for w in scenario::warnings(&loaded.scenario) {
        eprintln!("warning: {}: {w}", loaded.file);
    }
}

/// What a batch that wrote its outputs hands back for the text on stdout.
pub struct Executed {
    /// The tallies.
    pub outcome: Outcome,
    /// The output folder.
    pub dir: PathBuf,
    /// With drawn parameters and policies: each policy's robustness on every horizon share.
    pub robust: Vec<output::RobustRow>,
    /// True if each run drew its own parameters (`[[uncertain]]` or a parameter ensemble).
    pub varied: bool,
    /// The parameter ensemble the runs drew from, if any.
    pub parameters: Option<ParametersRecord>,
}

/// Simulates `plans` of `loaded`, evaluating `checks` on the first plan, and writes every output,
/// returning the outcome for the table; with `--shard`, writes the shard's partial result, says so on
/// stdout and returns `None`. The output folder is locked for the whole command and committed with the
/// manifest last (`output::OutputDir`); an interrupt before the commit leaves it as it was.
pub fn execute(
    opts: &Options,
    loaded: &Loaded,
    plans: &[Plan],
    checks: &[Check],
    command: &str,
) -> anyhow::Result<Option<Executed>> {
    execute_with(opts, loaded, plans, checks, command, Vec::new())
}

/// `execute`, also writing `extra` files (name and bytes: `attribution.csv`, `storylines.csv`) into the
/// output folder with the others, listed in the manifest. Not with `--shard` or `--json`.
pub fn execute_with(
    opts: &Options,
    loaded: &Loaded,
    plans: &[Plan],
    checks: &[Check],
    command: &str,
    extra: Vec<(&'static str, Vec<u8>)>,
) -> anyhow::Result<Option<Executed>> {
    let parameters = parameters(opts.parameters.as_deref(), loaded)?;
    execute_drawing(opts, loaded, parameters, plans, checks, command, extra)
}

/// `execute_with`, the runs drawing from `parameters` (already read; `opts.parameters` is not read
/// again): for `play`, whose games keep the ensemble they began with.
pub fn execute_drawing(
    opts: &Options,
    loaded: &Loaded,
    parameters: Option<Parameters>,
    plans: &[Plan],
    checks: &[Check],
    command: &str,
    extra: Vec<(&'static str, Vec<u8>)>,
) -> anyhow::Result<Option<Executed>> {
    let sc = &loaded.scenario;
    let world = &sc.world;
    let runs = opts.runs.unwrap_or(sc.meta.runs);
    let seed = opts.seed.unwrap_or(sc.meta.seed);
    if let (Some(s), Some(p)) = (opts.shard, opts.precision) {
        return Err(InputError(format!(
            "--shard {s} cannot be used with --precision {p}: every shard must know the run count in advance to take its share of the run indices; choose --runs instead"
        ))
        .into());
    }
    if let Some(s) = opts.shard {
        if s.n > runs {
            return Err(InputError(format!(
                "--shard {s}: {} shards of {runs} runs would leave shards with no run; use at most {runs} shards",
                s.n
            ))
            .into());
        }
    }
    let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    let set = settings::set_paths(&opts.script)?;
    let parameters = parameters.map(|p| p.without(&set));
    let varied = varied_with(loaded, parameters.as_ref(), &names, seed)?;
    let parameters = parameters.map(|p| p.record);
    if opts.script.json {
        return json::run(opts, loaded, plans, checks, runs, seed, varied.as_ref()).map(|()| None);
    }
    let threads = settings::threads(opts.threads)?;
    let opts = &settings::resolve(opts);
    let (first, count) = opts.shard.map_or((0, runs), |s| s.range(runs));
    let dir = opts.out.clone().unwrap_or_else(|| {
        let base = Path::new("out").join(&sc.meta.name);
        match opts.shard {
            Some(s) => base.join(format!("shard-{}-of-{}", s.k, s.n)),
            None => base,
        }
    });
    let writes = Writes {
        varied: varied.is_some(),
        ..Writes::from(opts)
    };
    Budget::batch(sc, &names, checks.len(), count, writes).check(&dir, opts.force)?;
    let mut will_write = Vec::new();
    if !opts.summary_only {
        will_write.push(stream_name(RUNS_CSV, opts.gzip));
    }
    if opts.trajectories {
        will_write.push(stream_name(TRAJECTORIES_CSV, opts.gzip));
    }
    let write_parameters = varied.is_some() && !opts.summary_only && opts.shard.is_none();
    if write_parameters {
        will_write.push(PARAMETERS_CSV);
    }
    // Over runs that draw their own parameters, each policy's robustness needs every run's horizon
    // shares under every plan: kept in memory (8 bytes a run, plan, state and pole). A shard keeps
    // its runs' shares in its part, and `merge` computes robust.csv over all of them.
    let robust_wanted = varied.is_some() && plans.len() > 1 && opts.script.wants(ROBUST_CSV, true);
    if robust_wanted && opts.shard.is_none() {
        will_write.push(ROBUST_CSV);
    }
    let mut horizon: Vec<f64> = Vec::new();
    if opts.shard.is_some() {
        will_write.push(output::PART);
    } else {
        will_write.extend(
            aggregate_names(&names, checks)
                .into_iter()
                .filter(|name| opts.script.wants(name, true)),
        );
    }
    if opts.shard.is_none() {
        will_write.extend(extra.iter().map(|(name, _)| *name));
    }
    will_write.push(output::MANIFEST);
    let watch = interrupt::watch();
    let out = OutputDir::open(&dir, &will_write)?;

    let stream = |names: StreamNames, wanted: bool| -> Result<_, OutputError> {
        Ok(match wanted {
            true => Some(RowStream::create(
                &dir.join(stream_name(names, opts.gzip)),
                opts.gzip,
            )?),
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
        threads,
        checks,
        keep_finals: runs_csv.is_some() || robust_wanted,
        keep_trajectories: opts.trajectories,
        varied: varied.as_ref().map(|v| v as &dyn engine::PerRun),
    };
    let progress = progress_bar(opts, count);
    let sink = |detail: ChunkDetail| -> Result<(), Stop> {
        watch.check()?;
        progress.inc(detail.runs);
        if let Some(w) = runs_csv.as_mut() {
            w.write_rows(output::run_rows(world, &names, &detail))?;
        }
        if robust_wanted {
            horizon.extend(detail.finals.iter().flat_map(|f| &f.state.alignment));
        }
        if let Some(w) = traj_csv.as_mut() {
            w.write_rows(output::trajectory_rows(world, &names, &detail))?;
        }
        Ok(())
    };
    let simulated = match opts.precision {
        Some(margin) => engine::simulate_to_precision(&batch, margin, sink).map(|(o, _)| o),
        None => engine::simulate(&batch, sink),
    };
    let outcome = match simulated {
        Ok(outcome) => outcome,
        Err(engine::EngineError::Sink(Stop::Interrupted(e))) => return Err(e.into()),
        Err(engine::EngineError::Sink(Stop::Output(e))) => return Err(e.into()),
        Err(e) => return Err(anyhow::anyhow!("{e}")),
    };
    progress.finish_and_clear();
    let mut staged = Vec::new();
    if let Some(w) = runs_csv {
        staged.push(w.finish::<output::RunRow>()?);
    }
    if let Some(w) = traj_csv {
        staged.push(w.finish::<output::TrajectoryRow>()?);
    }
    if let (true, Some(v)) = (write_parameters, &varied) {
        staged.push(write_parameter_rows(&dir, v, first..first + outcome.runs)?);
    }
    let mut manifest = ManifestInfo {
        origin: loaded_info(loaded),
        command,
        seed,
        // A `--precision` run stops at its own count; a shard's manifest names the whole batch's.
        runs: if opts.precision.is_some() {
            outcome.runs
        } else {
            runs
        },
        sc,
        names: &names,
        shard: None,
        precision: opts
            .precision
            .map(|margin| precision_note(margin, runs, &outcome)),
        parameters: parameters.clone(),
    };

    if let Some(shard) = opts.shard {
        let mut part = Part {
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
            plans: names.clone(),
            checks: checks.iter().map(|c| c.name.clone()).collect(),
            runs_csv: !opts.summary_only,
            trajectories: opts.trajectories,
            gzip: opts.gzip,
            files: staged.iter().map(|s| s.record().clone()).collect(),
            tallies: outcome.tallies.iter().map(StoredTally::from).collect(),
            parameters: varied.as_ref().and_then(|v| v.ensemble().cloned()),
            parameters_file: parameters.clone(),
            robust: robust_wanted,
            horizon: std::mem::take(&mut horizon),
            content_sha256: String::new(),
        };
        part.seal();
        let json = serde_json::to_vec(&part).context("encoding part.json")?;
        staged.push(stage_bytes(&dir, output::PART, &json)?);
        manifest.shard = Some(shard);
        watch.check()?;
        out.commit(staged, |files| manifest.bytes(files))?;
        drop(watch);
        print(&shard_message(loaded, &dir, shard, first, count))?;
        return Ok(None);
    }

    staged.extend(
        write_aggregates(&dir, sc, &names, checks, &outcome)?
            .into_iter()
            .filter(|s| opts.script.wants(&s.record().name, true)),
    );
    let mut robust = Vec::new();
    if robust_wanted {
        let written;
        (robust, written) = write_robust(&dir, world, &names, &horizon, seed)?;
        staged.push(written);
    }
    for (name, bytes) in &extra {
        staged.push(stage_bytes(&dir, name, bytes)?);
    }
    watch.check()?;
    out.commit(staged, |files| manifest.bytes(files))?;
    drop(watch);
    Ok(Some(Executed {
        outcome,
        dir,
        robust,
        varied: varied.is_some(),
        parameters,
    }))
}

/// A streamed CSV output being written: rows as they come, the header even if none come.
pub struct RowStream {
    writer: csv::Writer<StreamFile>,
    rows: u64,
}

impl RowStream {
    /// Starts writing `path`, gzip-compressed if `gzip`.
    pub fn create(path: &Path, gzip: bool) -> Result<RowStream, OutputError> {
        Ok(RowStream {
            writer: csv::Writer::from_writer(StreamFile::create(path, gzip)?),
            rows: 0,
        })
    }

    fn csv_error(&self, source: csv::Error) -> OutputError {
        OutputError::Csv {
            path: self.writer.get_ref().path().to_path_buf(),
            source,
        }
    }

    /// Writes `rows`.
    pub fn write_rows<T: serde::Serialize>(
        &mut self,
        rows: impl Iterator<Item = T>,
    ) -> Result<(), OutputError> {
        for row in rows {
            if let Err(e) = self.writer.serialize(row) {
                return Err(self.csv_error(e));
            }
            self.rows += 1;
        }
        Ok(())
    }

    /// Ends the file (with the header of `T` if no row was written), still under its temp name.
    pub fn finish<T: serde::Serialize + Default>(self) -> Result<Staged, OutputError> {
        let path = self.writer.get_ref().path().to_path_buf();
        let header = match self.rows {
            0 => output::csv_header::<T>().map_err(|source| OutputError::Csv {
                path: path.clone(),
                source,
            })?,
            _ => Vec::new(),
        };
        let write_err = |source| OutputError::Write {
            path: path.clone(),
            source,
        };
        let mut file = self
            .writer
            .into_inner()
            .map_err(|e| write_err(e.into_error()))?;
        file.write_all(&header).map_err(write_err)?;
        file.finish()
    }
}

/// Writes `bytes` as `name` in `dir`, under its temp name until committed.
pub fn stage_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Result<Staged, OutputError> {
    let path = dir.join(name);
    let mut file = AtomicFile::create(&path)?;
    file.write_all(bytes)
        .map_err(|source| OutputError::Write { path, source })?;
    file.finish()
}

/// A progress bar with ETA on stderr, hidden unless stderr is a terminal and `--quiet` is absent.
fn progress_bar(opts: &Options, runs: u64) -> ProgressBar {
    progress(runs, "runs", opts.quiet)
}

/// A progress bar over `total` `unit`s with ETA on stderr, hidden when `quiet` or when stderr is not
/// a terminal (so scripts and logs never see it).
pub fn progress(total: u64, unit: &str, quiet: bool) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(&format!(
        "{{bar:40}} {{human_pos}}/{{human_len}} {unit}, {{elapsed}} elapsed, ETA {{eta}}"
    )) {
        bar.set_style(style);
    }
    bar
}

/// Why the engine's sink (or an experiment's) stopped a batch.
#[derive(Debug, thiserror::Error)]
pub enum Stop {
    /// An output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Ctrl-C, SIGTERM or SIGHUP.
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

/// The aggregate outputs of a batch of `names` with `checks`.
pub fn aggregate_names(names: &[String], checks: &[Check]) -> Vec<&'static str> {
    let mut files = vec!["summary.csv", "outcomes.csv", "events.csv"];
    if names.len() > 1 {
        files.extend(["compare.csv", "paired.csv", "paired_outcomes.csv"]);
    }
    if !checks.is_empty() {
        files.push("hindcast.csv");
    }
    files
}

/// Writes summary, outcomes and events, and compare and hindcast where they apply, under temp names
/// until committed.
pub fn write_aggregates(
    dir: &Path,
    sc: &Scenario,
    names: &[String],
    checks: &[Check],
    outcome: &Outcome,
) -> Result<Vec<Staged>, OutputError> {
    let world = &sc.world;
    let mut files = vec![
        write_rows(dir, "summary.csv", output::summary_rows(sc, names, outcome))?,
        write_rows(
            dir,
            "outcomes.csv",
            output::outcome_rows(world, names, outcome),
        )?,
        write_rows(dir, "events.csv", output::event_rows(world, names, outcome))?,
    ];
    if names.len() > 1 {
        files.push(write_rows(
            dir,
            "compare.csv",
            output::compare_rows(world, names, outcome),
        )?);
        files.push(write_rows(
            dir,
            "paired.csv",
            output::paired_rows(world, names, outcome),
        )?);
        files.push(write_rows(
            dir,
            "paired_outcomes.csv",
            output::paired_outcome_rows(world, names, outcome),
        )?);
    }
    if !checks.is_empty() {
        files.push(write_rows(
            dir,
            "hindcast.csv",
            output::hindcast_rows(world, checks, outcome),
        )?);
    }
    Ok(files)
}

/// What the manifest says besides the files.
pub struct ManifestInfo<'a> {
    /// Where the scenario came from.
    pub origin: Origin,
    /// The command.
    pub command: &'a str,
    /// Master seed.
    pub seed: u64,
    /// Runs of the whole batch.
    pub runs: u64,
    /// The scenario.
    pub sc: &'a Scenario,
    /// Plan names.
    pub names: &'a [String],
    /// The shard, for a partial result.
    pub shard: Option<Shard>,
    /// How a `--precision` run ended.
    pub precision: Option<PrecisionNote>,
    /// The parameter ensemble the runs drew from, if any.
    pub parameters: Option<ParametersRecord>,
}

impl ManifestInfo<'_> {
    /// `manifest.json` listing `files`.
    pub fn bytes(&self, files: &[FileRecord]) -> Result<Vec<u8>, OutputError> {
        let world = &self.sc.world;
        let manifest = Manifest {
            greatgame_version: env!("CARGO_PKG_VERSION").into(),
            command: self.command.into(),
            command_line: std::env::args().collect(),
            scenario: self.sc.meta.name.clone(),
            scenario_file: self.origin.file.clone(),
            scenario_sha256: self.origin.sha256.clone(),
            title: Some(self.sc.meta.title.clone()).filter(|t| !t.is_empty()),
            states: world
                .states
                .iter()
                .map(|s| StateName {
                    code: s.code.clone(),
                    name: s.name.clone(),
                })
                .collect(),
            seed: self.seed,
            runs: self.runs,
            quarters: [
                world.start.to_string(),
                world.quarter_label(world.quarters - 1).to_string(),
            ],
            policies: self.names.to_vec(),
            shard: self.shard.map(|s| s.to_string()),
            precision: self.precision.clone(),
            parameters: self.parameters.clone(),
            files: files.to_vec(),
        };
        serde_json::to_vec_pretty(&manifest).map_err(|e| OutputError::Write {
            path: PathBuf::from(output::MANIFEST),
            source: e.into(),
        })
    }
}

/// Writes `rows` as the CSV file `name` in `dir`, under its temp name until committed.
pub fn write_rows<T: serde::Serialize>(
    dir: &Path,
    name: &str,
    rows: Vec<T>,
) -> Result<Staged, OutputError> {
    let path = dir.join(name);
    let mut file = AtomicFile::create(&path)?;
    output::write_csv(&mut file, rows).map_err(|source| OutputError::Csv {
        path: path.clone(),
        source,
    })?;
    file.finish()
}

/// The per-run values of the varied numbers.
pub use greatgame::output::PARAMETERS_CSV;
/// Each policy's robustness over runs with drawn parameters.
pub const ROBUST_CSV: &str = "robust.csv";
/// Bootstrap resamples of the robustness intervals: each resample sorts every policy's regrets, so a
/// thousand (the analysis default) would take seconds per outcome at 10,000 runs.
const ROBUST_RESAMPLES: u32 = 200;

/// Each run's own parameter values (the scenario's `[[uncertain]]` numbers and the sets of
/// `parameters`, read by [`parameters`]), or `None` if every run uses the scenario as written. An error
/// about a set of an ensemble the scenario names is located at its `scenario.parameters`.
pub fn varied_with(
    loaded: &Loaded,
    parameters: Option<&Parameters>,
    names: &[String],
    seed: u64,
) -> anyhow::Result<Option<Varied>> {
    let ensemble = parameters.map(|p| p.ensemble.clone());
    Varied::new(
        &loaded.text,
        &loaded.file,
        &loaded.scenario,
        ensemble,
        seed,
        names,
    )
    .map_err(|e| match (e, parameters.and_then(|p| p.named_at.clone())) {
        (ScenarioError::Invalid(l), Some(span)) if l.key == PARAMETERS_FLAG => {
            let file = parameters.map_or("", |p| p.record.file.as_str());
            let message = format!("{file}: {}", l.message);
            ScenarioError::Invalid(Box::new(Located::at(
                &loaded.file,
                &loaded.text,
                span,
                PARAMETERS_KEY.into(),
                message,
            )))
            .into()
        }
        (e, _) => e.into(),
    })
}

/// The scenario key naming a parameter ensemble.
pub const PARAMETERS_KEY: &str = "scenario.parameters";
/// The option naming a parameter ensemble, which replaces the scenario's.
pub const PARAMETERS_FLAG: &str = "--parameters";
/// `--parameters none`: run at the scenario's values, without the ensemble it names.
pub const NO_PARAMETERS: &str = "none";

/// A parameter ensemble runs draw from, and where it came from.
#[derive(Clone, Debug)]
pub struct Parameters {
    /// The sets.
    pub ensemble: Ensemble,
    /// Its file, hash and what named it, for the manifest.
    pub record: ParametersRecord,
    /// Where the scenario names it (`scenario.parameters`), if the scenario does.
    pub named_at: Option<std::ops::Range<usize>>,
}

impl Parameters {
    /// The ensemble without its columns for `paths` (those `--set` gives): a value set on the command
    /// line holds in every run, over the ensemble's draw.
    pub fn without(mut self, paths: &[String]) -> Parameters {
        self.ensemble = self.ensemble.without(paths);
        self
    }
}

/// The parameter ensemble the runs of `loaded` draw from: the file `given` by `--parameters` (none for
/// `--parameters none`), else the file the scenario names in `parameters`, relative to the scenario's
/// folder (the built-in scenario's is embedded in the binary; a scenario on standard input names one
/// relative to the current folder), else none. A file that cannot be read is an error located at the
/// scenario's key; one that is not an ensemble, an error at its own line and column.
pub fn parameters(given: Option<&Path>, loaded: &Loaded) -> anyhow::Result<Option<Parameters>> {
    if let Some(path) = given {
        if path == Path::new(NO_PARAMETERS) {
            return Ok(None);
        }
        let bytes = std::fs::read(path).map_err(|e| {
            InputError(format!(
                "{PARAMETERS_FLAG} {}: cannot read it: {e}",
                path.display()
            ))
        })?;
        let file = path.display().to_string();
        let ensemble = Ensemble::from_csv(&bytes).map_err(|e| InputError(format!("{file}:{e}")))?;
        return Ok(Some(Parameters {
            record: record(file, &bytes, &ensemble, PARAMETERS_FLAG),
            ensemble,
            named_at: None,
        }));
    }
    let Some(named) = &loaded.scenario.meta.parameters else {
        return Ok(None);
    };
    let at = |message: String| -> anyhow::Error {
        ScenarioError::Invalid(Box::new(Located::at(
            &loaded.file,
            &loaded.text,
            named.span.clone(),
            PARAMETERS_KEY.into(),
            message,
        )))
        .into()
    };
    let (file, bytes) = if loaded.file == scenario::BUILTIN_NAME {
        let file = format!("{BUILTIN_FOLDER}{}", named.path);
        let Some(bytes) = builtin_file(&file) else {
            let known: Vec<&str> = scenario::BUILTIN_FILES.iter().map(|(n, _)| *n).collect();
            return Err(at(format!(
                "`{}` is not a file the built-in scenario holds; expected one of: {}",
                named.path,
                known.join(", ")
            )));
        };
        (file, bytes.to_vec())
    } else {
        let folder = match loaded.file.as_str() {
            settings::STDIN_NAME => Path::new(""),
            file => Path::new(file).parent().unwrap_or(Path::new("")),
        };
        let path = folder.join(&named.path);
        let file = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| {
            at(format!(
                "cannot read the parameter ensemble {file}: {e}; expected the path of a file written by `greatgame calibrate --ensemble`, relative to the scenario's folder (or give {PARAMETERS_FLAG} FILE, or {PARAMETERS_FLAG} {NO_PARAMETERS})"
            ))
        })?;
        (file, bytes)
    };
    let ensemble = Ensemble::from_csv(&bytes).map_err(|e| {
        let l = Located::at(
            &loaded.file,
            &loaded.text,
            named.span.clone(),
            String::new(),
            String::new(),
        );
        InputError(format!(
            "{file}:{e} (the parameter ensemble named by {PARAMETERS_KEY} at {}:{}:{})",
            l.file, l.line, l.column
        ))
    })?;
    Ok(Some(Parameters {
        record: record(file, &bytes, &ensemble, PARAMETERS_KEY),
        ensemble,
        named_at: Some(named.span.clone()),
    }))
}

/// How the files the built-in scenario holds are named in records: `<built-in>/ensemble_2017.csv`.
pub const BUILTIN_FOLDER: &str = "<built-in>/";

/// The bytes of a file the built-in scenario holds, named as in records (`<built-in>/NAME`).
pub fn builtin_file(file: &str) -> Option<&'static [u8]> {
    let name = file.strip_prefix(BUILTIN_FOLDER)?;
    scenario::BUILTIN_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

/// The manifest's record of ensemble file `file` with contents `bytes`.
fn record(file: String, bytes: &[u8], ensemble: &Ensemble, named_by: &str) -> ParametersRecord {
    ParametersRecord {
        file,
        sha256: scenario::sha256_hex(bytes),
        sets: ensemble.sets.len(),
        named_by: named_by.into(),
    }
}

/// Computes each policy's robustness over the runs whose horizon shares are `horizon` (by run, plan,
/// state and pole, runs in index order) and writes `robust.csv`, under its temp name until committed:
/// the rows and the staged file. The same for a whole batch and for the merge of its shards.
pub fn write_robust(
    dir: &Path,
    world: &greatgame::model::World,
    names: &[String],
    horizon: &[f64],
    seed: u64,
) -> anyhow::Result<(Vec<output::RobustRow>, Staged)> {
    let cells = world.states.len() * world.poles.len();
    let bootstrap = Bootstrap::new(ROBUST_RESAMPLES, 0.95, seed)?;
    let by_cell = robustness_by_cell(horizon, names.len(), cells, 0.9, &bootstrap)?;
    let rows = output::robust_rows(world, names, &by_cell);
    let staged = write_rows(dir, ROBUST_CSV, rows.clone())?;
    Ok((rows, staged))
}

/// Writes `parameters.csv` for `runs` of `varied`, under its temp name until committed.
pub fn write_parameter_rows(
    dir: &Path,
    varied: &Varied,
    runs: std::ops::Range<u64>,
) -> Result<Staged, OutputError> {
    let path = dir.join(PARAMETERS_CSV);
    let mut file = AtomicFile::create(&path)?;
    let names = varied.names();
    let rows = output::parameter_rows(&names, runs, |run| varied.values(run));
    output::write_csv(&mut file, rows).map_err(|source| OutputError::Csv {
        path: path.clone(),
        source,
    })?;
    file.finish()
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

/// Prints `text` on stdout; a closed pipe (`greatgame run | head`) is not an error.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// `n` and `noun`, plural unless `n` is 1: "1 plan", "2 plans".
pub fn counted(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

/// What a headline says of `what` was run when its runs drew from the ensemble `parameters`.
pub fn with_parameters(what: String, parameters: Option<&ParametersRecord>) -> String {
    match parameters {
        Some(p) => format!(
            "{what}, parameter sets drawn from {} ({})",
            p.file,
            counted(p.sets, "set")
        ),
        None => what,
    }
}

/// The widest line of a headline, in characters.
const HEADLINE_WIDTH: usize = 100;

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
    let text = format!(
        "{title} ({file}): {what}, {runs} runs, seed {seed}, {} to {}\noutputs in {}\n\n",
        sc.world.start,
        sc.world.quarter_label(sc.world.quarters - 1),
        dir.display()
    );
    settings::wrap(&text, HEADLINE_WIDTH)
}

/// The headline for a command run with `opts` that gave `outcome`; for a `--precision` run, it says how
/// many runs were needed and why it stopped.
pub fn headline_for(
    loaded: &Loaded,
    opts: &Options,
    outcome: &Outcome,
    dir: &Path,
    what: &str,
) -> String {
    let sc = &loaded.scenario;
    let mut text = headline(
        &sc.meta.title,
        &loaded.file,
        outcome.runs,
        opts.seed.unwrap_or(sc.meta.seed),
        sc,
        dir,
        what,
    );
    if let Some(margin) = opts.precision {
        let note = precision_note(margin, opts.runs.unwrap_or(sc.meta.runs), outcome);
        let line = format!(
            "--precision {}: {} after {} runs (at most {}): widest 95% margin of an outcome probability {:.5}\n\n",
            note.target_margin, note.stopped, note.runs, note.runs_max, note.widest_margin
        );
        text.push_str(&settings::wrap(&line, HEADLINE_WIDTH));
    }
    text
}

/// How a `--precision margin` run of at most `runs_max` runs that gave `outcome` ended.
fn precision_note(margin: f64, runs_max: u64, outcome: &Outcome) -> PrecisionNote {
    let widest = engine::widest_margin(outcome);
    PrecisionNote {
        target_margin: margin,
        widest_margin: widest,
        runs_max,
        runs: outcome.runs,
        stopped: if widest < margin {
            "precision reached"
        } else {
            "maximum runs reached"
        }
        .into(),
    }
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
