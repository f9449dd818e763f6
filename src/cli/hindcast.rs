//! `greatgame hindcast`: run a scenario's baseline and report, for every `[[check]]`, the share of runs
//! in which it held, with its 95% interval, against the share required.

use greatgame::output;

use super::execute::{self, Options};
use super::InputError;

/// Run a scenario and test its [[check]] expectations: the share of runs in which each held, its 95%
/// interval, the share required, pass or fail. Writes hindcast.csv beside the usual outputs.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame hindcast scenarios/history_2005.toml\n  greatgame hindcast scenarios/history_2005.toml --runs 5000 --strict   # exit 1 if a calibration check fails"
)]
pub struct Args {
    #[command(flatten)]
    opts: Options,
    /// Also write report.html, the HTML report, once the outputs are complete.
    #[arg(long)]
    report: bool,
    /// Exit with status 1 if any non-holdout check fails.
    #[arg(long)]
    strict: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    super::settings::check_report(&args.opts.script, args.report)?;
    let loaded = execute::load(&args.opts)?;
    let sc = &loaded.scenario;
    if sc.checks.is_empty() {
        return Err(InputError(format!("{}: declares no [[check]] to test", loaded.file)).into());
    }
    let plans = [super::settings::plan(&loaded, &args.opts.script)?];
    let Some(execute::Executed {
        outcome,
        dir,
        parameters,
        ..
    }) = execute::execute(&args.opts, &loaded, &plans, &sc.checks, "hindcast")?
    else {
        return Ok(());
    };
    let rows = output::hindcast_rows(&sc.world, &sc.checks, &outcome);
    let what = execute::with_parameters("hindcast".into(), parameters.as_ref());
    let mut text = execute::headline_for(&loaded, &args.opts, &outcome, &dir, &what);
    text.push_str(&output::hindcast_table(&rows));
    text.push_str(&super::report::after_outputs(&dir, args.report)?);
    execute::print(&text)?;
    let failed = rows.iter().filter(|r| !r.holdout && !r.pass).count();
    if args.strict && failed > 0 {
        anyhow::bail!("{failed} calibration (non-holdout) checks failed");
    }
    Ok(())
}
