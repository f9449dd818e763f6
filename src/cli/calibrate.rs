//! `greatgame calibrate`: search a scenario's `[[calibrate]]` parameters so that its non-holdout
//! `[[check]]`s hold, report calibration and holdout scores separately, and optionally write the
//! calibrated scenario.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;

use greatgame::calibrate::{self, Settings};
use greatgame::output;

use super::budget::{Budget, Writes};
use super::execute;
use super::InputError;

/// Search the [[calibrate]] parameters (Latin hypercube, then pattern search; deterministic given the
/// seed) to best meet the non-holdout [[check]]s, and report the best values with calibration and
/// holdout scores. The scoring rule is in docs/MODEL.md.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame calibrate scenarios/history_2005.toml\n  greatgame calibrate scenarios/history_2005.toml --samples 96 --refine 96 --write scenarios/history_2005.toml"
)]
pub struct Args {
    /// Scenario file (TOML) with [[check]] and [[calibrate]] blocks.
    scenario: PathBuf,
    /// Runs per evaluation.
    #[arg(long, default_value_t = 400, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    runs: u64,
    /// Seed of every evaluation and of the search [default: the scenario's `seed`].
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Latin-hypercube points.
    #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    samples: u32,
    /// Evaluations for local refinement after the hypercube.
    #[arg(long, default_value_t = 48, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    refine: u32,
    /// Write the scenario with the calibrated values to this file (comments kept; may be the input). If
    /// nothing scored better than the scenario as written, that is what is written.
    #[arg(long)]
    write: Option<PathBuf>,
    /// Run even if the estimated memory exceeds what the machine has available.
    #[arg(long)]
    force: bool,
    /// Instead of one best point, return N parameter sets consistent with the history (approximate
    /// Bayesian computation by rejection, docs/MODEL.md), written to --out for `--parameters`.
    #[arg(long, value_name = "N", requires = "out", conflicts_with = "write", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    ensemble: Option<u32>,
    /// With --ensemble: sets drawn from the [[calibrate]] ranges and scored [default: 10 × N].
    #[arg(long, value_name = "M", requires = "ensemble", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    draws: Option<u32>,
    /// With --ensemble: accept only sets whose distance (summed shortfall) is at most T.
    #[arg(long, value_name = "T", requires = "ensemble")]
    tolerance: Option<f64>,
    /// With --ensemble: the ensemble file to write (CSV).
    #[arg(long, value_name = "FILE", requires = "ensemble")]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let loaded = greatgame::scenario::load(&args.scenario)?;
    super::execute::warn(&loaded);
    let file = loaded.file.clone();
    let text =
        std::fs::read_to_string(&args.scenario).with_context(|| format!("{file}: reading"))?;
    let settings = Settings {
        runs: args.runs,
        seed: args.seed.unwrap_or(loaded.scenario.meta.seed),
        threads: args.threads.map(usize::from),
        samples: args.samples as usize,
        refine: args.refine as usize,
    };
    let sc = &loaded.scenario;
    let writes = Writes {
        threads: args.threads,
        ..Writes::default()
    };
    Budget::batch(
        sc,
        std::slice::from_ref(&sc.baseline.name),
        sc.checks.len(),
        args.runs,
        writes,
    )
    .check(std::path::Path::new("."), args.force)?;
    if let Some(path) = &args.write {
        output::replaceable(path)?;
    }
    let tty = std::io::stderr().is_terminal();
    if let (Some(n), Some(out)) = (args.ensemble, &args.out) {
        return run_ensemble(&text, &file, &settings, args, n as usize, out, tty);
    }
    let total = settings.samples + settings.refine + 1;
    let report = calibrate::calibrate(&text, &file, &settings, |n, _, best| {
        if tty {
            eprint!(
                "\revaluation {n}/{total}: best shortfall {:.4}, {}/{} pass   ",
                best.score.shortfall, best.score.passed, best.score.total
            );
        }
    })
    .map_err(calibrate_error)?;
    if tty {
        eprintln!();
    }

    let mut s = format!(
        "{file}: calibrated over {} evaluations of {} runs, seed {}\n\n",
        report.evaluations, settings.runs, settings.seed
    );
    let width = param_width(&report.params);
    let _ = writeln!(
        s,
        "{:<width$}  {:>10}  {:>10}  {:>10}",
        "parameter", "low", "high", "best"
    );
    for (i, p) in report.params.iter().enumerate() {
        let best = match report.best.values.get(i) {
            Some(v) => v.to_string(),
            None => "as written".to_string(),
        };
        let _ = writeln!(
            s,
            "{:<width$}  {:>10}  {:>10}  {:>10}",
            p.param, p.low, p.high, best
        );
    }
    let describe = |sc: &calibrate::Score| {
        format!(
            "calibration checks {}/{} pass (shortfall {:.4}); holdout checks {}/{} pass (shortfall {:.4})",
            sc.passed, sc.total, sc.shortfall, sc.holdout_passed, sc.holdout_total, sc.holdout_shortfall
        )
    };
    let _ = writeln!(s, "\nas written: {}", describe(&report.start.score));
    if report.kept {
        let _ = writeln!(
            s,
            "calibrated: no candidate scored better than the scenario as written, which is kept\n"
        );
    } else {
        let _ = writeln!(s, "calibrated: {}\n", describe(&report.best.score));
    }
    let (sc, outcome) = &report.calibrated;
    s.push_str(&output::hindcast_table(&output::hindcast_rows(
        &sc.world, &sc.checks, outcome,
    )));
    if let Some(path) = &args.write {
        output::write_atomic(path, report.calibrated_text.as_bytes())?;
        let _ = writeln!(s, "\ncalibrated scenario written to {}", path.display());
    }
    execute::print(&s)
}

/// The width of the parameter column.
fn param_width(params: &[greatgame::scenario::FreeParam]) -> usize {
    params
        .iter()
        .map(|p| p.param.len())
        .max()
        .unwrap_or(5)
        .max(9)
}

/// A calibration error as the command reports it: scenario and input errors exit 2.
fn calibrate_error(e: calibrate::CalibrateError) -> anyhow::Error {
    match e {
        calibrate::CalibrateError::Scenario(e) => anyhow::Error::new(e),
        calibrate::CalibrateError::Nothing(m) => InputError(m).into(),
        other => anyhow::Error::new(other),
    }
}

/// `calibrate --ensemble N --out FILE`: draws, scores and accepts parameter sets, writes them and
/// summarises them on stdout.
fn run_ensemble(
    text: &str,
    file: &str,
    settings: &Settings,
    args: &Args,
    sets: usize,
    out: &std::path::Path,
    tty: bool,
) -> anyhow::Result<()> {
    if let Some(t) = args.tolerance {
        if !(t.is_finite() && t >= 0.0) {
            return Err(
                InputError(format!("--tolerance {t}: expected a distance of 0 or more")).into(),
            );
        }
    }
    output::replaceable(out)?;
    let draws = args.draws.map_or(10 * sets, |d| d as usize);
    let report = calibrate::ensemble(text, file, settings, sets, draws, args.tolerance, |n, _| {
        if tty {
            eprint!("\revaluation {n}/{}   ", draws.max(sets));
        }
    })
    .map_err(calibrate_error)?;
    if tty {
        eprintln!();
    }
    let mut csv = String::from("set,distance,passed");
    for p in &report.params {
        csv.push(',');
        csv.push_str(&p.param);
    }
    csv.push('\n');
    for (i, c) in report.accepted.iter().enumerate() {
        let _ = write!(csv, "{i},{},{}", c.score.shortfall, c.score.passed);
        for v in &c.values {
            let _ = write!(csv, ",{v}");
        }
        csv.push('\n');
    }
    output::write_atomic(out, csv.as_bytes())?;
    let total = report.accepted.first().map_or(0, |c| c.score.total);
    let mut s = format!(
        "{file}: {} of {} sets drawn from the [[calibrate]] ranges accepted (distance at most {:.4}; {} runs per set, seed {})\n\n",
        report.accepted.len(),
        report.evaluations,
        report.tolerance,
        settings.runs,
        settings.seed
    );
    let width = param_width(&report.params);
    let _ = writeln!(
        s,
        "{:<width$}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}",
        "parameter", "low", "high", "p05", "mean", "p95"
    );
    for (k, p) in report.params.iter().enumerate() {
        let mut values: Vec<f64> = report.accepted.iter().map(|c| c.values[k]).collect();
        values.sort_by(f64::total_cmp);
        let at = |q: f64| {
            values
                .get(((values.len() - 1) as f64 * q).round() as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
        let _ = writeln!(
            s,
            "{:<width$}  {:>10}  {:>10}  {:>10.4}  {:>10.4}  {:>10.4}",
            p.param,
            p.low,
            p.high,
            at(0.05),
            mean,
            at(0.95)
        );
    }
    let all_pass = report
        .accepted
        .iter()
        .filter(|c| c.score.passed == total)
        .count();
    let _ = writeln!(
        s,
        "\n{all_pass} of the accepted sets pass all {total} calibration checks\nensemble written to {} (use it with --parameters)",
        out.display()
    );
    execute::print(&s)
}

/// Reads an ensemble file (`calibrate --ensemble`, read by `--parameters`): CSV with a header naming
/// `distance` (ignored here) and one dotted path per other column, then one row per set. A file that is
/// not of that form is an input error naming the file, line and column.
pub fn read_ensemble(
    path: &std::path::Path,
) -> anyhow::Result<greatgame::analysis::uncertain::Ensemble> {
    let shown = path.display();
    let bad = |at: String, message: String| InputError(format!("{shown}:{at}: {message}"));
    let mut reader = csv::Reader::from_path(path)
        .map_err(|e| InputError(format!("--parameters {shown}: cannot read it: {e}")))?;
    let header = reader
        .headers()
        .map_err(|e| bad("1".into(), e.to_string()))?
        .clone();
    let columns: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| !ENSEMBLE_EXTRA_COLUMNS.contains(h))
        .map(|(i, h)| (i, h.to_string()))
        .collect();
    if columns.is_empty() {
        return Err(bad(
            "1".into(),
            "no parameter column: expected a header like `distance,model.economic_weight,...`"
                .into(),
        )
        .into());
    }
    let mut sets = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = record.map_err(|e| bad(line.to_string(), e.to_string()))?;
        let set = columns
            .iter()
            .map(|(i, name)| {
                let cell = record.get(*i).unwrap_or("");
                cell.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        bad(
                            format!("{line}:{}", i + 1),
                            format!("{name} = `{cell}`, expected a finite number"),
                        )
                    })
            })
            .collect::<Result<Vec<f64>, InputError>>()?;
        sets.push(set);
    }
    if sets.is_empty() {
        return Err(bad(
            "2".into(),
            "no parameter set: the file has a header only".into(),
        )
        .into());
    }
    Ok(greatgame::analysis::uncertain::Ensemble {
        names: columns.into_iter().map(|(_, name)| name).collect(),
        sets,
    })
}

/// Columns of an ensemble file that are not parameters.
const ENSEMBLE_EXTRA_COLUMNS: [&str; 4] = ["set", "distance", "passed", "weight"];
