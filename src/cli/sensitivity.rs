//! `greatgame sensitivity`: Sobol first- and total-order indices (and second-order ones) or Morris
//! `mu*`, `mu` and `sigma`, with bootstrap intervals, for chosen outcome columns: by running the design
//! (a scenario) or from an explore folder made with a sobol or morris design. Writes `sensitivity.csv`
//! (tidy) and prints a table per outcome, most influential parameter first, with the warnings that say
//! the sample is too small.

use std::path::{Path, PathBuf};

use greatgame::analysis::bootstrap::{Bootstrap, Interval};
use greatgame::analysis::design::Design;
use greatgame::analysis::sensitivity::{
    morris_indices, sobol_indices, Warning, DEFAULT_MAX_MORRIS_WIDTH, DEFAULT_MAX_SOBOL_WIDTH,
};
use greatgame::explore::{AnyDesign, DesignKind, PointResult};
use greatgame::output::{self, ExperimentManifest, OutputDir, EXPERIMENTS_CSV, SENSITIVITY_CSV};

use super::explore::{self, parse_design, Common, Prepared};
use super::interrupt;
use super::{execute, InputError};

/// Sensitivity indices of outcomes to the uncertain parameters. With a scenario (or none: the
/// built-in one), runs a sobol (Saltelli) or morris design over the --factor parameters and writes
/// experiments.csv beside sensitivity.csv; with an explore folder (made with --design sobol or
/// morris), reads its experiments.csv.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame sensitivity --method sobol --samples 512 --runs 200 --factor model.mood_sd=0.05..0.2 --factor event.spillover.hazard=0.005..0.03 --outcome UZB.bloc.CSTO@2027Q4\n  greatgame sensitivity out/central_asia_2017/explore --outcome KGZ.dominant.China@2027Q4"
)]
pub struct Args {
    #[command(flatten)]
    pub common: Common,
    /// sobol (first- and total-order indices, Saltelli's design) or morris (elementary effects);
    /// read from the folder's manifest when SCENARIO is an explore folder.
    #[arg(long, value_parser = parse_design)]
    pub method: Option<DesignKind>,
    /// The outcome column to analyse (a column of experiments.csv, like `UZB.bloc.CSTO@2027Q4` or
    /// `KGZ.share.China@2027Q4`); repeatable.
    #[arg(long = "outcome", value_name = "COLUMN", required = true)]
    pub outcomes: Vec<String>,
    /// The plan whose outcomes are analysed: `baseline` or a policy's name.
    #[arg(long, value_name = "NAME", default_value = "baseline")]
    pub policy: String,
    /// Bootstrap resamples for the 95% intervals.
    #[arg(long, default_value_t = Bootstrap::DEFAULT_RESAMPLES)]
    pub resamples: u32,
    /// Output folder [default: out/<scenario name>/sensitivity, or EXPLORE_DIR/sensitivity].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A row of `sensitivity.csv`: one index of one parameter for one outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Default)]
pub struct SensitivityRow {
    /// The outcome column.
    pub outcome: String,
    /// The plan.
    pub policy: String,
    /// The parameter (its dotted path).
    pub parameter: String,
    /// For a second-order index, the other parameter of the pair; else empty.
    pub other: String,
    /// `first_order`, `total_order`, `second_order` (Sobol), `mu_star`, `mu` or `sigma` (Morris).
    pub measure: String,
    /// The estimate (a share of variance for Sobol; outcome units per unit of the parameter's range
    /// for Morris).
    pub estimate: f64,
    /// Lower end of the bootstrap 95% interval (empty for `mu` and `sigma`).
    pub ci95_low: Option<f64>,
    /// Upper end of the bootstrap 95% interval.
    pub ci95_high: Option<f64>,
}

/// The indices of one outcome, as rows and as the lines of its table.
struct Analysed {
    rows: Vec<SensitivityRow>,
    table: String,
    warnings: Vec<String>,
}

/// Where the design's outputs come from.
struct Source {
    design: AnyDesign,
    /// The parameters' names in tables and warnings: the factors' paths, then the ensemble's label
    /// (`calibrated parameters (200 sets of ensemble_2017.csv)`).
    parameters: Vec<String>,
    /// Their names in `sensitivity.csv`: the input columns of `experiments.csv` (the factors' paths,
    /// then `parameters.set` for the ensemble).
    columns: Vec<String>,
    /// Outputs per requested outcome, in point order.
    outputs: Vec<Vec<f64>>,
    /// The manifest's description of what was run.
    manifest: ExperimentManifest,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let folder = args.common.scenario.as_deref().filter(|p| p.is_dir());
    let watch = interrupt::watch();
    let (source, dir, out, staged) = match folder {
        Some(dir) => {
            let source = from_folder(args, dir)?;
            let out_dir = args.out.clone().unwrap_or_else(|| dir.join("sensitivity"));
            let out = OutputDir::open(&out_dir, &[SENSITIVITY_CSV, output::MANIFEST])?;
            (source, out_dir, out, Vec::new())
        }
        None => {
            let kind = args.method.ok_or_else(|| {
                InputError("--method sobol or --method morris is required with a scenario".into())
            })?;
            if !matches!(kind, DesignKind::Sobol | DesignKind::Morris) {
                return Err(InputError(format!(
                    "--method {}: expected sobol or morris",
                    kind.name()
                ))
                .into());
            }
            explore::samples(&args.common)?;
            let prep = explore::prepare(&args.common, kind, std::slice::from_ref(&args.policy))?;
            let columns = prep.observe.columns(&prep.loaded.scenario.world);
            let picks = pick_columns(&columns, &args.outcomes)?;
            let out_dir = args.out.clone().unwrap_or_else(|| {
                Path::new("out")
                    .join(&prep.loaded.scenario.meta.name)
                    .join("sensitivity")
            });
            let out = OutputDir::open(
                &out_dir,
                &[EXPERIMENTS_CSV, SENSITIVITY_CSV, output::MANIFEST],
            )?;
            let mut outputs = vec![Vec::new(); picks.len()];
            let points = prep.design.len();
            let staged = explore::stream_experiments(
                &prep,
                args.common.runs,
                0..points,
                &out_dir,
                args.common.quiet,
                |p: &PointResult| {
                    for (o, &c) in outputs.iter_mut().zip(&picks) {
                        o.push(p.outcomes[c]);
                    }
                },
            )?;
            let source = from_prepared(&prep, args, outputs);
            (source, out_dir, out, vec![staged])
        }
    };
    let bootstrap = Bootstrap::new(args.resamples, 0.95, source.manifest.seed)
        .map_err(|e| InputError(format!("--resamples: {e}")))?;
    let mut rows = Vec::new();
    let mut text = format!(
        "sensitivity of `{}` ({}, policy {}): {} design points ({} --samples {}, {} parameters) × {} runs, seed {}\n",
        source.manifest.scenario,
        source.manifest.scenario_file,
        args.policy,
        source.design.len(),
        source.manifest.design.kind.name(),
        source.manifest.design.samples,
        source.parameters.len(),
        source.manifest.runs,
        source.manifest.seed,
    );
    for (outcome, outputs) in args.outcomes.iter().zip(&source.outputs) {
        let analysed = analyse(&source, outcome, &args.policy, outputs, &bootstrap)?;
        rows.extend(analysed.rows);
        text.push_str(&analysed.table);
        for w in analysed.warnings {
            eprintln!("warning: {outcome}: {w}");
        }
    }
    let mut staged = staged;
    staged.push(execute::write_rows(&dir, SENSITIVITY_CSV, rows)?);
    let mut manifest = source.manifest.clone();
    manifest.command = "sensitivity".into();
    manifest.command_line = std::env::args().collect();
    watch.check()?;
    out.commit(staged, |files| {
        manifest.files = files.to_vec();
        explore::manifest_bytes(&manifest)
    })?;
    drop(watch);
    text.push_str(&format!("→ {}\n", dir.join(SENSITIVITY_CSV).display()));
    execute::print(&text)
}

/// The indices of `columns` named by `wanted`, or an input error naming the unknown one.
fn pick_columns(columns: &[String], wanted: &[String]) -> Result<Vec<usize>, InputError> {
    wanted
        .iter()
        .map(|w| {
            columns.iter().position(|c| c == w).ok_or_else(|| {
                let state = w.split('.').next().unwrap_or_default();
                let near: Vec<&str> = columns
                    .iter()
                    .filter(|c| c.starts_with(&format!("{state}.")))
                    .take(8)
                    .map(String::as_str)
                    .collect();
                let hint = match near.is_empty() {
                    true => format!(
                        "columns are STATE.KIND.SUBJECT@QUARTER, like {}",
                        columns[0]
                    ),
                    false => format!("for example {}", near.join(", ")),
                };
                InputError(format!("--outcome {w}: no such outcome column; {hint}"))
            })
        })
        .collect()
}

fn from_prepared(prep: &Prepared, args: &Args, outputs: Vec<Vec<f64>>) -> Source {
    let points = prep.design.len();
    let paths: Vec<String> = prep.factors.iter().map(|f| f.path.clone()).collect();
    let record = prep.parameters.as_ref().map(|p| &p.record);
    Source {
        design: prep.design.clone(),
        parameters: explore::factor_names(&paths, record),
        columns: factor_columns(&paths, record.is_some()),
        outputs,
        manifest: prep.manifest("sensitivity", args.common.runs, None, (0, points), &[]),
    }
}

/// Reads the outputs of a whole sobol or morris explore folder.
fn from_folder(args: &Args, dir: &Path) -> anyhow::Result<Source> {
    let manifest = explore::read_explore_dir(dir)?;
    let kind = manifest.design.kind;
    if !matches!(kind, DesignKind::Sobol | DesignKind::Morris) {
        return Err(InputError(format!(
            "{}: made with --design {}; sensitivity needs --design sobol or morris",
            dir.display(),
            kind.name()
        ))
        .into());
    }
    if let Some(m) = args.method.filter(|&m| m != kind) {
        return Err(InputError(format!(
            "--method {}: {} was made with --design {}",
            m.name(),
            dir.display(),
            kind.name()
        ))
        .into());
    }
    if manifest.shard.is_some() {
        return Err(InputError(format!(
            "{}: shard {} of a design; merge the shards first (greatgame merge)",
            dir.display(),
            manifest.shard.as_deref().unwrap_or_default()
        ))
        .into());
    }
    if !manifest.policies.contains(&args.policy) {
        return Err(InputError(format!(
            "--policy {}: {} holds {}",
            args.policy,
            dir.display(),
            manifest.policies.join(", ")
        ))
        .into());
    }
    let dims = manifest.factors.len() + usize::from(manifest.parameters.is_some());
    let design = manifest
        .design
        .build(dims)
        .map_err(|e| InputError(format!("{}: {e}", dir.display())))?;
    let path = dir.join(EXPERIMENTS_CSV);
    let bad = |why: String| InputError(format!("{}: {why}", path.display()));
    let mut reader = csv::Reader::from_path(&path).map_err(|e| bad(e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let picks = pick_columns(&header, &args.outcomes)?;
    let mut outputs = vec![Vec::with_capacity(design.len() as usize); picks.len()];
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        if record.get(1) != Some(args.policy.as_str()) {
            continue;
        }
        for (o, &c) in outputs.iter_mut().zip(&picks) {
            let cell = record.get(c).unwrap_or_default();
            o.push(
                cell.parse::<f64>().map_err(|_| {
                    bad(format!("`{cell}` in column {} is not a number", header[c]))
                })?,
            );
        }
    }
    if outputs[0].len() as u64 != design.len() {
        return Err(bad(format!(
            "{} rows of policy {}, the design has {} points",
            outputs[0].len(),
            args.policy,
            design.len()
        ))
        .into());
    }
    let paths: Vec<String> = manifest.factors.iter().map(|f| f.path.clone()).collect();
    Ok(Source {
        design,
        parameters: explore::factor_names(&paths, manifest.parameters.as_ref()),
        columns: factor_columns(&paths, manifest.parameters.is_some()),
        outputs,
        manifest,
    })
}

/// The names of a design's factors in `sensitivity.csv`: `paths`, then `parameters.set` for an
/// ensemble factor.
fn factor_columns(paths: &[String], ensemble: bool) -> Vec<String> {
    let mut out = paths.to_vec();
    if ensemble {
        out.push(greatgame::explore::SET_COLUMN.to_string());
    }
    out
}

/// A warning with the parameter's name in place of its index.
fn named(w: &Warning, parameters: &[String]) -> String {
    let p = match w {
        Warning::WideInterval { parameter, .. }
        | Warning::Negative { parameter, .. }
        | Warning::FirstAboveTotal { parameter, .. } => *parameter,
    };
    let text = w.to_string();
    let rest = text.split_once(": ").map_or(text.as_str(), |(_, r)| r);
    format!("{}: {rest}", parameters[p])
}

fn interval_row(
    outcome: &str,
    policy: &str,
    parameter: &str,
    other: &str,
    measure: &str,
    i: &Interval,
) -> SensitivityRow {
    SensitivityRow {
        outcome: outcome.into(),
        policy: policy.into(),
        parameter: parameter.into(),
        other: other.into(),
        measure: measure.into(),
        estimate: i.estimate,
        ci95_low: Some(i.lo),
        ci95_high: Some(i.hi),
    }
}

/// `0.123 [0.100, 0.150]`.
fn show(i: &Interval) -> String {
    format!("{:>7.3} [{:>6.3}, {:>6.3}]", i.estimate, i.lo, i.hi)
}

/// Indices of one outcome.
fn analyse(
    source: &Source,
    outcome: &str,
    policy: &str,
    outputs: &[f64],
    bootstrap: &Bootstrap,
) -> anyhow::Result<Analysed> {
    let names = &source.parameters;
    let columns = &source.columns;
    let width = names.iter().map(String::len).max().unwrap_or(9).max(9);
    let mut rows = Vec::new();
    let mut table = format!("\n{outcome}\n");
    let warnings: Vec<Warning>;
    match &source.design {
        AnyDesign::Saltelli(design) => {
            let ix = sobol_indices(outputs, design, bootstrap).map_err(|e| {
                InputError(format!(
                    "{outcome}: {e} (it takes the same value at every design point; choose another outcome or wider ranges)"
                ))
            })?;
            table.push_str(&format!(
                "{:<width$}  {:>24}  {:>24}\n",
                "parameter", "first order S1 [95% CI]", "total order ST [95% CI]"
            ));
            let mut order: Vec<usize> = (0..names.len()).collect();
            order.sort_by(|&a, &b| {
                ix.total[b]
                    .estimate
                    .total_cmp(&ix.total[a].estimate)
                    .then(a.cmp(&b))
            });
            for &p in &order {
                table.push_str(&format!(
                    "{:<width$}  {:>24}  {:>24}\n",
                    names[p],
                    show(&ix.first[p]),
                    show(&ix.total[p])
                ));
            }
            for (p, name) in columns.iter().enumerate() {
                rows.push(interval_row(
                    outcome,
                    policy,
                    name,
                    "",
                    "first_order",
                    &ix.first[p],
                ));
                rows.push(interval_row(
                    outcome,
                    policy,
                    name,
                    "",
                    "total_order",
                    &ix.total[p],
                ));
            }
            for s in &ix.second {
                rows.push(interval_row(
                    outcome,
                    policy,
                    &columns[s.i],
                    &columns[s.j],
                    "second_order",
                    &s.index,
                ));
            }
            table.push_str(&format!(
                "(shares of the outcome's variance {:.3e} across the design; ranked by ST)\n",
                ix.variance
            ));
            warnings = ix.warnings(DEFAULT_MAX_SOBOL_WIDTH);
        }
        AnyDesign::Morris(design) => {
            let ix = morris_indices(design, outputs, bootstrap)
                .map_err(|e| InputError(format!("{outcome}: {e}")))?;
            table.push_str(&format!(
                "{:<width$}  {:>24}  {:>8}  {:>8}\n",
                "parameter", "mu* [95% CI]", "mu", "sigma"
            ));
            for p in ix.ranking() {
                table.push_str(&format!(
                    "{:<width$}  {:>24}  {:>8.3}  {:>8.3}\n",
                    names[p],
                    show(&ix.mu_star[p]),
                    ix.mu[p],
                    ix.sigma[p]
                ));
            }
            for (p, name) in columns.iter().enumerate() {
                rows.push(interval_row(
                    outcome,
                    policy,
                    name,
                    "",
                    "mu_star",
                    &ix.mu_star[p],
                ));
                for (measure, value) in [("mu", ix.mu[p]), ("sigma", ix.sigma[p])] {
                    rows.push(SensitivityRow {
                        outcome: outcome.into(),
                        policy: policy.into(),
                        parameter: name.clone(),
                        measure: measure.into(),
                        estimate: value,
                        ..SensitivityRow::default()
                    });
                }
            }
            table.push_str(
                "(outcome change per unit step of the parameter over its whole range; ranked by mu*)\n",
            );
            warnings = ix.warnings(DEFAULT_MAX_MORRIS_WIDTH);
        }
        _ => {
            return Err(InputError(format!(
                "{outcome}: a {} design has no sensitivity indices; use sobol or morris",
                source.manifest.design.kind.name()
            ))
            .into())
        }
    }
    let warnings: Vec<String> = warnings.iter().map(|w| named(w, names)).collect();
    if !warnings.is_empty() {
        table.push_str(&format!(
            "{} warning(s) on stderr: the intervals say the sample is too small to rank some parameters\n",
            warnings.len()
        ));
    }
    Ok(Analysed {
        rows,
        table,
        warnings,
    })
}
