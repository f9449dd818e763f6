//! `greatgame explore`: a design's points over uncertain parameters crossed with the plans, each point
//! `--runs` runs under common random numbers, streamed to a tidy `experiments.csv` (inputs first, then
//! outcomes). Also what `sensitivity` shares with it (the experiment's options and setup) and the
//! merge of explore shards, which `greatgame merge` hands over to this file.

use std::io::Write;
use std::path::{Path, PathBuf};

use greatgame::analysis::design::Design;
use greatgame::analysis::uncertain::{Ensemble, Setters};
use greatgame::explore::{
    AnyDesign, DesignKind, DesignSpec, Experiment, ExploreError, Factor, Observe, Template,
    MORRIS_LEVELS,
};
use greatgame::output::{
    self, ExperimentManifest, FactorNote, OutputDir, OutputError, ParametersRecord, StreamFile,
    EXPERIMENTS_CSV,
};
use greatgame::quarter::Quarter;
use greatgame::scenario::{Loaded, ScenarioError};
use greatgame::shard::Shard;

use super::execute::Stop;
use super::interrupt;
use super::{execute, settings, InputError};

/// Runs per design point when `--runs` is not given: enough for a share's mean to within about ±0.01
/// and a probability to within ±0.07 (95%) at each point, so that a design of thousands of points
/// stays within minutes.
pub const DEFAULT_POINT_RUNS: u64 = 200;

/// Options of an experiment, shared by `explore` and `sensitivity`.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Scenario file (TOML), or `-` for standard input. Without one, the built-in baseline.
    pub scenario: Option<PathBuf>,
    /// Points (lhs), base rows N (sobol: N(k+2) points, N(2k+2) with --second-order), trajectories
    /// (morris: r(k+1) points), or levels per factor (factorial: levels^k points).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1 << 24))]
    pub samples: Option<u32>,
    /// Runs per design point and plan; run i of every point uses random stream i.
    #[arg(long, default_value_t = DEFAULT_POINT_RUNS, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub runs: u64,
    /// Master seed of the runs, also the seed of lhs and morris designs [default: the scenario's].
    #[arg(long)]
    pub seed: Option<u64>,
    /// An uncertain parameter, uniform on [LOW, HIGH]: `PATH=LOW..HIGH` with a dotted path as in
    /// --set (`model.mood_sd=0.1..0.3`, `event.spillover.hazard=0.005..0.02`). Repeatable. The design's
    /// factors are the scenario's [[uncertain]] numbers (a --factor on the same path replaces its
    /// distribution), then the other --factors in order.
    #[arg(long = "factor", value_name = "PATH=LOW..HIGH", value_parser = Factor::parse)]
    pub factors: Vec<Factor>,
    /// A quarter whose outcomes are reported (`2027Q4`); repeatable [default: the horizon].
    #[arg(long = "at", value_name = "QUARTER")]
    pub at: Vec<Quarter>,
    /// With a sobol design, add the points for second-order indices (N(2k+2) in all).
    #[arg(long)]
    pub second_order: bool,
    /// Grid levels of a morris design (even, 2 to 1,000).
    #[arg(long, default_value_t = MORRIS_LEVELS)]
    pub levels: u32,
    /// Worker threads; results are identical for any number [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Set one scenario value before validation (`PATH=VALUE`, as in `run --set`). Repeatable.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Read settings from FILE, one `PATH = VALUE` a line.
    #[arg(long, value_name = "FILE")]
    pub set_file: Option<PathBuf>,
    /// A calibrated parameter ensemble (`greatgame calibrate --ensemble`) as one more factor of the
    /// design, replacing the one the scenario names (`parameters` in `[scenario]`): each point takes
    /// one set (by weight), every run of the point uses it, the factors' and --set values on top.
    /// `--parameters none` leaves it out: every point at the scenario's values as written.
    #[arg(long, value_name = "FILE")]
    pub parameters: Option<PathBuf>,
    /// No progress bar on stderr (it shows only when stderr is a terminal).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Run a design over the scenario's uncertain parameters and write experiments.csv: one row per
/// design point and plan, the point's parameter values, then its outcomes (mean shares, and the share
/// of runs with each dominance, base, transit route and bloc membership, per state, at each --at
/// quarter).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame explore --design lhs --samples 500 --runs 200 --factor model.mood_sd=0.1..0.3 --factor event.spillover.hazard=0.005..0.02\n  greatgame explore my.toml --design sobol --samples 256 --factor model.mood_sd=0.1..0.3 --shard 1/4\n  greatgame merge out/my/explore/shard-*-of-4 --out out/my/explore"
)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// The design: lhs (Latin hypercube), sobol (Saltelli's design, for Sobol indices), morris
    /// (one-at-a-time trajectories) or factorial (every combination of --samples levels).
    #[arg(long, value_parser = parse_design)]
    pub design: DesignKind,
    /// A plan to run at every point: `baseline` or a policy's name; repeatable [default: the baseline
    /// and every policy].
    #[arg(long = "policy", value_name = "NAME")]
    pub policies: Vec<String>,
    /// Output folder [default: out/<scenario name>/explore, or …/explore/shard-K-of-N with --shard].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Run only shard K of N (1-based) of the design's points; `greatgame merge` combines the shards.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
}

/// A `--design` or `--method` value.
pub fn parse_design(text: &str) -> Result<DesignKind, String> {
    text.parse()
}

/// An experiment ready to run: the scenario, its factors and design, the plans and what is observed.
pub struct Prepared {
    /// The scenario as loaded (after --set).
    pub loaded: Loaded,
    /// The factors, in column order.
    pub factors: Vec<Factor>,
    /// The scenario with a slot per factor.
    pub template: Template,
    /// Typed setters for the points' paths (`explore::point_paths`) and `plans`, when every path has
    /// one.
    pub setters: Option<Setters>,
    /// The calibrated ensemble that is the design's last factor, without the columns the factors
    /// and `--set` give, if the design has one.
    pub parameters: Option<execute::Parameters>,
    /// The design's parameters.
    pub spec: DesignSpec,
    /// The design.
    pub design: AnyDesign,
    /// Plans at every point.
    pub plans: Vec<String>,
    /// Quarters observed.
    pub observe: Observe,
    /// Master seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: Option<usize>,
}

impl Prepared {
    /// The experiment over every point.
    pub fn experiment(&self, runs: u64) -> Experiment<'_> {
        Experiment {
            template: &self.template,
            factors: &self.factors,
            design: &self.design,
            plans: &self.plans,
            runs,
            seed: self.seed,
            observe: &self.observe,
            threads: self.threads,
            setters: self.setters.as_ref(),
            ensemble: self.ensemble(),
        }
    }

    /// The ensemble that is the design's last factor, if any.
    pub fn ensemble(&self) -> Option<&Ensemble> {
        self.parameters.as_ref().map(|p| &p.ensemble)
    }

    /// The manifest of a folder holding points `first..first + count` of this experiment.
    pub fn manifest(
        &self,
        command: &str,
        runs: u64,
        shard: Option<Shard>,
        (first, count): (u64, u64),
        files: &[output::FileRecord],
    ) -> ExperimentManifest {
        let sc = &self.loaded.scenario;
        let world = &sc.world;
        ExperimentManifest {
            greatgame_version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            command_line: std::env::args().collect(),
            scenario: sc.meta.name.clone(),
            scenario_file: self.loaded.file.clone(),
            scenario_sha256: self.loaded.sha256.clone(),
            seed: self.seed,
            runs,
            quarters: [
                world.start.to_string(),
                world.quarter_label(world.quarters - 1).to_string(),
            ],
            policies: self.plans.clone(),
            design: self.spec,
            factors: self.factors.iter().map(FactorNote::of).collect(),
            parameters: self.parameters.as_ref().map(|p| p.record.clone()),
            at: self
                .observe
                .at
                .iter()
                .map(|&t| world.quarter_label(t).to_string())
                .collect(),
            points: self.design.len(),
            shard: shard.map(|s| s.to_string()),
            first_point: first,
            point_count: count,
            files: files.to_vec(),
        }
    }
}

/// Loads the scenario, resolves the factors, the design, the plans (`policies`, empty for all) and
/// the quarters, and checks the scenario at the factors' lower and upper bounds, so that a path or a
/// range the scenario refuses exits 2 before anything is written.
pub fn prepare(common: &Common, kind: DesignKind, policies: &[String]) -> anyhow::Result<Prepared> {
    let script = settings::Script {
        set: common.set.clone(),
        set_file: common.set_file.clone(),
        ..settings::Script::default()
    };
    let loaded = settings::load(common.scenario.as_deref(), &script)?;
    execute::warn(&loaded);
    let sc = &loaded.scenario;
    let world = &sc.world;
    let factors = factors(sc, &common.factors);
    let seed = common.seed.unwrap_or(sc.meta.seed);
    let plans = plans(&loaded, policies)?;
    let parameters = ensemble_factor(common, &script, &loaded, &factors, &plans, seed)?;
    let ensemble = parameters.as_ref().map(|p| &p.ensemble);
    if factors.is_empty() && ensemble.is_none() {
        return Err(InputError(format!(
            "{}: no uncertain parameters to explore: declare [[uncertain]] numbers in the scenario, give --factor PATH=LOW..HIGH (like --factor model.mood_sd=0.1..0.3), or name a calibrated ensemble (--parameters FILE)",
            loaded.file
        ))
        .into());
    }
    let paths = greatgame::explore::point_paths(&factors, ensemble);
    let template = Template::new(&loaded.text, &loaded.file, &paths).map_err(|e| {
        // A path that names nothing in the file comes from the command line: say which option.
        let given = match &e {
            ScenarioError::Invalid(at) => common.factors.iter().find(|f| f.path == at.key),
            _ => None,
        };
        match given {
            Some(f) => anyhow::Error::new(e).context(format!("--factor {}", f.path)),
            None => e.into(),
        }
    })?;
    for (bound, u) in [("lower", 0.0), ("upper", 1.0)] {
        let mut values: Vec<f64> = factors.iter().map(|f| f.distribution.quantile(u)).collect();
        // With an ensemble, at its first set (every set was tried alone above).
        values.extend(ensemble.iter().flat_map(|e| e.sets[0].iter().copied()));
        template.scenario(&values).map_err(|e| {
            anyhow::Error::new(e).context(format!(
                "the scenario with every factor at its {bound} bound ({}){}",
                greatgame::explore::describe(&factors, &values),
                if ensemble.is_some() {
                    " and the ensemble's first set"
                } else {
                    ""
                }
            ))
        })?;
    }
    if kind != DesignKind::Sobol && common.second_order {
        return Err(InputError("--second-order applies to --design sobol only".into()).into());
    }
    let samples = samples(common)?;
    let spec = DesignSpec {
        kind,
        samples,
        second_order: common.second_order,
        levels: common.levels,
        seed,
    };
    let dims = factors.len() + usize::from(ensemble.is_some());
    let design = spec.build(dims).map_err(|e| {
        InputError(format!(
            "--design {} --samples {} over {dims} factors: {e}",
            kind.name(),
            samples,
        ))
    })?;
    let mut at = Vec::new();
    for q in &common.at {
        let t = (0..world.quarters)
            .find(|&t| world.quarter_label(t) == *q)
            .ok_or_else(|| {
                InputError(format!(
                    "--at {q}: not a simulated quarter of {}; expected {} to {}",
                    loaded.file,
                    world.quarter_label(0),
                    world.quarter_label(world.quarters - 1)
                ))
            })?;
        at.push(t);
    }
    if at.is_empty() {
        at.push(world.quarters - 1);
    }
    at.sort_unstable();
    at.dedup();
    // The points' paths resolved into setters once, on the scenario the template's text gives (the
    // loaded text, `--set` included).
    let setters = Setters::new(&loaded.text, sc, &paths, &plans);
    Ok(Prepared {
        setters,
        parameters,
        factors,
        template,
        spec,
        design,
        plans,
        observe: Observe { at },
        seed,
        threads: settings::threads(common.threads)?,
        loaded,
    })
}

/// The plans to run at every point: `policies` (each checked), or the baseline and every policy.
fn plans(loaded: &Loaded, policies: &[String]) -> Result<Vec<String>, InputError> {
    let mut plans = vec!["baseline".to_string()];
    plans.extend(loaded.scenario.policies.iter().map(|p| p.name.clone()));
    if policies.is_empty() {
        return Ok(plans);
    }
    for name in policies {
        if !plans.contains(name) {
            return Err(InputError(format!(
                "{}: --policy {name}: no such plan; expected one of: {}",
                loaded.file,
                plans.join(", ")
            )));
        }
    }
    Ok(policies.to_vec())
}

/// The calibrated ensemble that becomes the design's last factor: `--parameters FILE`, else the one
/// the scenario names, none with `--parameters none`; read and every set tried as `run` reads and
/// tries it (the same errors, exit 2). Its columns that a factor or `--set` gives are dropped: those
/// values hold at every point (as `--set` holds over `run`'s draw). An ensemble left with no column
/// changes nothing, so it is no factor (said on stderr).
fn ensemble_factor(
    common: &Common,
    script: &settings::Script,
    loaded: &Loaded,
    factors: &[Factor],
    plans: &[String],
    seed: u64,
) -> anyhow::Result<Option<execute::Parameters>> {
    let Some(parameters) = execute::parameters(common.parameters.as_deref(), loaded)? else {
        return Ok(None);
    };
    let mut given = settings::set_paths(script)?;
    given.extend(factors.iter().map(|f| f.path.clone()));
    let parameters = parameters.without(&given);
    if parameters.ensemble.names.is_empty() {
        eprintln!(
            "warning: every column of the parameter ensemble {} is a --factor or --set: it is not a factor of the design",
            parameters.record.file
        );
        return Ok(None);
    }
    execute::varied_with(loaded, Some(&parameters), plans, seed)?;
    Ok(Some(parameters))
}

/// A design's factors in words, for tables and warnings: the factors' `paths`, then, with an
/// ensemble factor, its [`ensemble_label`].
pub fn factor_names(paths: &[String], parameters: Option<&ParametersRecord>) -> Vec<String> {
    let mut names = paths.to_vec();
    names.extend(parameters.map(ensemble_label));
    names
}

/// The ensemble factor's name in tables: `calibrated parameters (200 sets of ensemble_2017.csv)`.
pub fn ensemble_label(record: &ParametersRecord) -> String {
    let name = Path::new(&record.file)
        .file_name()
        .map_or(record.file.clone(), |n| n.to_string_lossy().into_owned());
    format!(
        "calibrated parameters ({} of {name})",
        execute::counted(record.sets, "set")
    )
}

/// The design's factors: the scenario's `[[uncertain]]` numbers in file order, each `--factor` on the
/// same path replacing its distribution, then the other `--factor`s in order.
pub fn factors(sc: &greatgame::scenario::Scenario, extra: &[Factor]) -> Vec<Factor> {
    let mut out: Vec<Factor> = sc
        .uncertain
        .iter()
        .map(|u| Factor {
            path: u.path.clone(),
            distribution: u.distribution.clone(),
        })
        .collect();
    for f in extra {
        match out.iter_mut().find(|o| o.path == f.path) {
            Some(o) => o.distribution = f.distribution.clone(),
            None => out.push(f.clone()),
        }
    }
    out
}

/// Turns an experiment's error into the command's: bad points are input errors (exit 2).
pub fn explore_error(e: ExploreError<Stop>) -> anyhow::Error {
    match e {
        ExploreError::Sink(Stop::Interrupted(i)) => i.into(),
        ExploreError::Sink(Stop::Output(o)) => o.into(),
        e @ (ExploreError::Point { .. } | ExploreError::Plan(_)) => {
            InputError(e.to_string()).into()
        }
        e => anyhow::anyhow!("{e}"),
    }
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let samples = samples(&args.common)?;
    let prep = prepare(&args.common, args.design, &args.policies)?;
    let sc = &prep.loaded.scenario;
    let points = prep.design.len();
    if let Some(s) = args.shard {
        if s.n > points {
            return Err(InputError(format!(
                "--shard {s}: {} shards of {points} design points would leave shards with no point; use at most {points} shards",
                s.n
            ))
            .into());
        }
    }
    let (first, count) = args.shard.map_or((0, points), |s| s.range(points));
    let dir = args.out.clone().unwrap_or_else(|| {
        let base = Path::new("out").join(&sc.meta.name).join("explore");
        match args.shard {
            Some(s) => base.join(format!("shard-{}-of-{}", s.k, s.n)),
            None => base,
        }
    });
    let watch = interrupt::watch();
    let out = OutputDir::open(&dir, &[EXPERIMENTS_CSV, output::MANIFEST])?;
    let runs = args.common.runs;
    let staged = stream_experiments(
        &prep,
        runs,
        first..first + count,
        &dir,
        args.common.quiet,
        |_| {},
    )?;
    watch.check()?;
    out.commit(vec![staged], |files| {
        manifest_bytes(&prep.manifest("explore", runs, args.shard, (first, count), files))
    })?;
    drop(watch);
    let what = match args.shard {
        Some(s) => format!(
            "explore shard {s}: design points {first}..{} of {points}",
            first + count
        ),
        None => format!("explore: {points} design points"),
    };
    let ensemble = match &prep.parameters {
        Some(p) => format!(", one of them the {}", ensemble_label(&p.record)),
        None => String::new(),
    };
    execute::print(&format!(
        "{what} ({} --samples {samples}, {}{ensemble}) × {} × {runs} runs, seed {}\n{} rows → {}\n",
        prep.spec.kind.name(),
        execute::counted(
            prep.factors.len() + usize::from(prep.parameters.is_some()),
            "factor"
        ),
        execute::counted(prep.plans.len(), "plan"),
        prep.seed,
        count * prep.plans.len() as u64,
        dir.join(EXPERIMENTS_CSV).display()
    ))
}

/// `--samples`, which every design needs.
pub fn samples(common: &Common) -> Result<u32, InputError> {
    common.samples.ok_or_else(|| {
        InputError("--samples N is required: the points (lhs), base rows (sobol), trajectories (morris) or levels per factor (factorial)".into())
    })
}

/// Simulates the points `range` of `prep` at `runs` runs each and writes their rows to
/// `dir/experiments.csv` (under its temp name, for the caller to commit), handing each point's result
/// to `each` too. Stops if interrupted.
pub fn stream_experiments(
    prep: &Prepared,
    runs: u64,
    range: std::ops::Range<u64>,
    dir: &Path,
    quiet: bool,
    mut each: impl FnMut(&greatgame::explore::PointResult),
) -> anyhow::Result<output::Staged> {
    let watch = interrupt::watch();
    let bar = super::execute::progress(range.end - range.start, "points", quiet);
    let outcomes = prep.observe.columns(&prep.loaded.scenario.world);
    let path = dir.join(EXPERIMENTS_CSV);
    let csv_err = |source| OutputError::Csv {
        path: path.clone(),
        source,
    };
    let mut csv = csv::Writer::from_writer(StreamFile::create(&path, false)?);
    let inputs = greatgame::explore::input_columns(&prep.factors, prep.ensemble());
    csv.write_record(output::experiment_header(&inputs, &outcomes))
        .map_err(csv_err)?;
    prep.experiment(runs)
        .run(range, |point| -> Result<(), Stop> {
            watch.check()?;
            bar.inc(1);
            each(&point);
            for record in
                output::experiment_records(point.point, &point.inputs, &prep.plans, &point.outcomes)
            {
                csv.write_record(&record).map_err(csv_err)?;
            }
            Ok(())
        })
        .map_err(explore_error)?;
    bar.finish_and_clear();
    let write_err = |source| OutputError::Write {
        path: path.clone(),
        source,
    };
    let mut file = csv.into_inner().map_err(|e| write_err(e.into_error()))?;
    file.flush().map_err(write_err)?;
    Ok(file.finish()?)
}

/// `manifest.json` of an experiment folder.
pub fn manifest_bytes(manifest: &ExperimentManifest) -> Result<Vec<u8>, OutputError> {
    serde_json::to_vec_pretty(manifest).map_err(|e| OutputError::Write {
        path: PathBuf::from(output::MANIFEST),
        source: e.into(),
    })
}

/// Reads the experiment manifest of folder `dir`; `None` if its manifest is not an experiment's.
pub fn read_manifest(dir: &Path) -> anyhow::Result<Option<ExperimentManifest>> {
    let path = dir.join(output::MANIFEST);
    let bytes = std::fs::read(&path).map_err(|e| {
        InputError(format!(
            "{}: cannot read it ({e}): not a complete greatgame output folder",
            path.display()
        ))
    })?;
    Ok(serde_json::from_slice(&bytes).ok())
}

/// Reads and checks an explore folder: its manifest is an explore manifest and its files are as the
/// manifest lists them.
pub fn read_explore_dir(dir: &Path) -> anyhow::Result<ExperimentManifest> {
    let manifest = read_manifest(dir)?
        .filter(|m| m.command == "explore")
        .ok_or_else(|| {
            InputError(format!(
                "{}: not an explore folder (its manifest.json was not written by `greatgame explore`)",
                dir.display()
            ))
        })?;
    output::verify(dir).map_err(|e| InputError(e.to_string()))?;
    Ok(manifest)
}

/// True if `dir` holds an explore folder (its manifest says so), for `merge`.
pub fn is_explore_dir(dir: &Path) -> bool {
    matches!(read_manifest(dir), Ok(Some(m)) if m.command == "explore")
}

/// Merges explore shards into `out`: the shards must be of one experiment and cover every shard of
/// 1..=N once; `experiments.csv` is the header once and each shard's rows in shard order, which is the
/// file one process running every point writes.
pub fn merge(parts: &[PathBuf], out: &Path) -> anyhow::Result<()> {
    let mut _read_locks = Vec::new();
    let mut manifests = Vec::new();
    for dir in parts {
        _read_locks.push(output::read_lock(dir)?);
        manifests.push(read_explore_dir(dir)?);
    }
    let first = &manifests[0];
    let mut shards = Vec::new();
    for (dir, m) in parts.iter().zip(&manifests) {
        if !m.same_experiment(first) {
            return Err(InputError(format!(
                "{}: not a shard of the same experiment as {} (scenario, seed, runs, design, factors, parameter ensemble, plans, quarters or version differ)",
                dir.display(),
                parts[0].display()
            ))
            .into());
        }
        let shard: Shard = m
            .shard
            .as_deref()
            .ok_or_else(|| InputError(format!("{}: a whole design, not a shard", dir.display())))?
            .parse()
            .map_err(InputError)?;
        shards.push(shard);
    }
    let n = shards[0].n;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| shards[i].k);
    for (want, &i) in (1..=n).zip(&order) {
        if shards[i].n != n || shards[i].k != want {
            return Err(InputError(format!(
                "the parts hold shards {} of {n}: expected each of 1..={n} once",
                order
                    .iter()
                    .map(|&i| shards[i].to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into());
        }
    }
    if order.len() as u64 != n {
        return Err(InputError(format!(
            "{} parts given, but the design has {n} shards: expected each of 1..={n} once",
            order.len()
        ))
        .into());
    }
    let watch = interrupt::watch();
    let dir = OutputDir::open(out, &[EXPERIMENTS_CSV, output::MANIFEST])?;
    let mut merged = StreamFile::create(&out.join(EXPERIMENTS_CSV), false)?;
    for (j, &i) in order.iter().enumerate() {
        let record = manifests[i]
            .files
            .iter()
            .find(|r| r.name == EXPERIMENTS_CSV)
            .ok_or_else(|| {
                InputError(format!(
                    "{}: lists no {EXPERIMENTS_CSV}",
                    parts[i].display()
                ))
            })?;
        super::merge::append(
            &mut merged,
            &parts[i].join(EXPERIMENTS_CSV),
            record,
            false,
            j == 0,
            &watch,
        )?;
    }
    let staged = vec![merged.finish()?];
    let mut manifest = first.clone();
    manifest.command_line = std::env::args().collect();
    manifest.shard = None;
    manifest.first_point = 0;
    manifest.point_count = first.points;
    watch.check()?;
    dir.commit(staged, |files| {
        manifest.files = files.to_vec();
        manifest_bytes(&manifest)
    })?;
    drop(watch);
    execute::print(&format!(
        "merged {n} explore shards: {} design points × {} → {}\n",
        first.points,
        execute::counted(first.policies.len(), "plan"),
        out.join(EXPERIMENTS_CSV).display()
    ))
}
