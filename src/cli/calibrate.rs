//! `greatgame calibrate`: search a scenario's `[[calibrate]]` parameters so that its non-holdout
//! `[[check]]`s hold, report calibration and holdout scores separately, and optionally write the
//! calibrated scenario.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;

use greatgame::analysis::abc;
use greatgame::calibrate::{self, Settings};
use greatgame::output;

use super::budget::{Budget, Writes};
use super::execute;
use super::InputError;

/// Search the [[calibrate]] parameters (Latin hypercube, then pattern search; deterministic given the
/// seed) to best meet the non-holdout [[check]]s, and report the best values with calibration and
/// holdout scores; or, with --ensemble N, return N weighted parameter sets consistent with the history
/// (ABC-SMC by default). The scoring rule and the ensemble are in docs/MODEL.md.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame calibrate scenarios/history_2005.toml\n  greatgame calibrate scenarios/history_2005.toml --samples 96 --refine 96 --write scenarios/history_2005.toml\n  greatgame calibrate scenarios/history_2005.toml --runs 200 --ensemble 200 --out ensemble.csv"
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
    /// Bayesian computation, docs/MODEL.md), written to --out for `--parameters`.
    #[arg(long, value_name = "N", requires = "out", conflicts_with = "write", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    ensemble: Option<u32>,
    /// With --ensemble: `smc` (sequential Monte Carlo: generations of N particles under a decreasing
    /// tolerance) or `rejection` (draw from the ranges, keep the N nearest).
    #[arg(long, value_enum, default_value_t = Method::Smc, requires = "ensemble")]
    method: Method,
    /// With --ensemble: the most sets scored in all [default: 10 × N for rejection, 50 × N for smc].
    #[arg(long, value_name = "M", requires = "ensemble", value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    draws: Option<u32>,
    /// With --ensemble: rejection accepts only sets whose distance (summed shortfall) is at most T;
    /// smc stops once a generation's tolerance is at most T [default for smc: 0, every check passes].
    #[arg(long, value_name = "T", requires = "ensemble")]
    tolerance: Option<f64>,
    /// With --ensemble --method smc: the most generations, the draws from the ranges included.
    #[arg(long, value_name = "G", default_value_t = 10, requires = "ensemble", value_parser = clap::value_parser!(u32).range(1..=1000))]
    generations: u32,
    /// With --ensemble --method smc: each generation's tolerance is this weighted quantile of the
    /// previous generation's distances (the share of it that would still be accepted).
    #[arg(long, value_name = "Q", default_value_t = 0.5, requires = "ensemble")]
    quantile: f64,
    /// With --ensemble: the ensemble file to write (CSV).
    #[arg(long, value_name = "FILE", requires = "ensemble")]
    out: Option<PathBuf>,
}

/// How `--ensemble` finds the sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Method {
    /// Sequential Monte Carlo ABC (population Monte Carlo with an adaptive tolerance).
    Smc,
    /// Rejection ABC: draws from the ranges, keeps the nearest.
    Rejection,
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

/// `calibrate --ensemble N --out FILE`: finds the sets (ABC-SMC or rejection), writes them and
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
    if !(args.quantile > 0.0 && args.quantile < 1.0) {
        return Err(InputError(format!(
            "--quantile {}: expected a share strictly between 0 and 1",
            args.quantile
        ))
        .into());
    }
    output::replaceable(out)?;
    let mut s = String::new();
    let (params, particles): (_, Vec<(calibrate::Candidate, f64)>) = match args.method {
        Method::Rejection => {
            let draws = args.draws.map_or(10 * sets, |d| d as usize);
            let report =
                calibrate::ensemble(text, file, settings, sets, draws, args.tolerance, |n, _| {
                    if tty {
                        eprint!("\revaluation {n}/{}   ", draws.max(sets));
                    }
                })
                .map_err(calibrate_error)?;
            if tty {
                eprintln!();
            }
            let _ = writeln!(
                s,
                "{file}: {} of {} sets drawn from the [[calibrate]] ranges accepted by rejection (distance at most {:.4}; {} runs per set, seed {})\n",
                report.accepted.len(),
                report.evaluations,
                report.tolerance,
                settings.runs,
                settings.seed
            );
            let weight = 1.0 / report.accepted.len().max(1) as f64;
            let particles = report.accepted.into_iter().map(|c| (c, weight)).collect();
            (report.params, particles)
        }
        Method::Smc => {
            let smc = calibrate::SmcSettings {
                population: sets,
                generations: args.generations as usize,
                quantile: args.quantile,
                final_tolerance: args.tolerance.unwrap_or(0.0),
                budget: args.draws.map_or(50 * sets, |d| d as usize),
            };
            let report = calibrate::smc(text, file, settings, &smc, |p| match p {
                calibrate::SmcProgress::Particle { generation, done } if tty => {
                    eprint!("\rgeneration {generation}: {done}/{sets} particles accepted   ");
                }
                calibrate::SmcProgress::Generation(g) => {
                    if tty {
                        eprint!("\r");
                    }
                    eprintln!(
                        "generation {}: tolerance {:.4}, {} evaluations, distances {:.4} to {:.4}, effective size {:.0}   ",
                        g.generation, g.tolerance, g.evaluations, g.best, g.worst, g.effective_size
                    );
                }
                _ => {}
            })
            .map_err(calibrate_error)?;
            let why = match report.stopped {
                calibrate::SmcStop::Tolerance => "the final tolerance was reached",
                calibrate::SmcStop::Generations => "the generations asked for are done",
                calibrate::SmcStop::Budget => {
                    "the next generation could not be completed within the evaluation budget (--draws)"
                }
            };
            let _ = writeln!(
                s,
                "{file}: ABC-SMC, {} particles, {} generations kept, {} evaluations of {} runs, seed {}; stopped because {why}\n",
                sets,
                report.generations.len(),
                report.evaluations,
                settings.runs,
                settings.seed
            );
            let _ = writeln!(
                s,
                "{:>10}  {:>10}  {:>11}  {:>10}  {:>10}  {:>10}  {:>14}",
                "generation",
                "tolerance",
                "evaluations",
                "accepted",
                "best",
                "worst",
                "effective size"
            );
            for g in &report.generations {
                let _ = writeln!(
                    s,
                    "{:>10}  {:>10.4}  {:>11}  {:>9.1}%  {:>10.4}  {:>10.4}  {:>14.0}",
                    g.generation,
                    g.tolerance,
                    g.evaluations,
                    100.0 * sets as f64 / g.evaluations.max(1) as f64,
                    g.best,
                    g.worst,
                    g.effective_size
                );
            }
            s.push('\n');
            let mut particles: Vec<(calibrate::Candidate, f64)> = report
                .particles
                .into_iter()
                .map(|p| (p.candidate, p.weight))
                .collect();
            // Stable: equal distances and passes keep the particles' order.
            particles.sort_by(|a, b| {
                a.0.score
                    .shortfall
                    .total_cmp(&b.0.score.shortfall)
                    .then(b.0.score.passed.cmp(&a.0.score.passed))
            });
            (report.params, particles)
        }
    };
    let mut csv = String::from("set,weight,distance,passed");
    for p in &params {
        csv.push(',');
        csv.push_str(&p.param);
    }
    csv.push('\n');
    for (i, (c, w)) in particles.iter().enumerate() {
        let _ = write!(csv, "{i},{w},{},{}", c.score.shortfall, c.score.passed);
        for v in &c.values {
            let _ = write!(csv, ",{v}");
        }
        csv.push('\n');
    }
    output::write_atomic(out, csv.as_bytes())?;
    let width = param_width(&params);
    let _ = writeln!(
        s,
        "{:<width$}  {:>10}  {:>10}  {:>10}  {:>10}  {:>10}",
        "parameter", "low", "high", "p05", "mean", "p95"
    );
    for (k, p) in params.iter().enumerate() {
        let mut pairs: Vec<(f64, f64)> = particles.iter().map(|(c, w)| (c.values[k], *w)).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (values, weights): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let total: f64 = weights.iter().sum();
        let at = |q: f64| abc::weighted_quantile(&values, &weights, q).unwrap_or(f64::NAN);
        let mean = values.iter().zip(&weights).map(|(v, w)| v * w).sum::<f64>() / total;
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
    let total = particles.first().map_or(0, |(c, _)| c.score.total);
    let all_pass = particles
        .iter()
        .filter(|(c, _)| c.score.passed == total)
        .count();
    let worst = particles
        .iter()
        .map(|(c, _)| c.score.shortfall)
        .fold(0.0, f64::max);
    let _ = writeln!(
        s,
        "\n{all_pass} of the {} sets pass all {total} calibration checks; the largest distance is {worst:.4}\nensemble written to {} (use it with --parameters: each run draws a set by its weight)",
        particles.len(),
        out.display()
    );
    execute::print(&s)
}
