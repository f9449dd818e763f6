//! `greatgame run`: Monte Carlo runs of a scenario's baseline.

use super::execute::{self, Options};

/// Run a scenario's baseline and write summary, outcomes, events, runs and manifest.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame run                                  # built-in central_asia_2017\n  greatgame run scenarios/russia_squeeze.toml --runs 10000 --seed 7 --out out/squeeze\n  greatgame run --runs 1000000 --shard 3/8 --out parts/3   # one task of a cluster job array"
)]
pub struct Args {
    #[command(flatten)]
    opts: Options,
    /// Also write report.html, the HTML report, once the outputs are complete (with storylines.csv:
    /// the median and extreme runs told in words).
    #[arg(long)]
    report: bool,
    #[command(flatten)]
    why: super::play::Why,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    super::settings::check_report(&args.opts.script, args.report)?;
    let loaded = execute::load(&args.opts)?;
    let plans = [super::settings::plan(&loaded, &args.opts.script)?];
    // The ensemble is read once: storylines and attribution tell the runs the folder holds.
    let drawn = execute::parameters(args.opts.parameters.as_deref(), &loaded)?;
    let why = super::play::explain(
        &args.opts,
        &loaded,
        drawn.as_ref(),
        &plans[0],
        &args.why,
        args.report,
    )?;
    let Some(execute::Executed {
        outcome,
        dir,
        parameters,
        ..
    }) = execute::execute_drawing(&args.opts, &loaded, drawn, &plans, &[], "run", why.files)?
    else {
        return Ok(());
    };
    let what = match &args.opts.script.policy {
        Some(name) => format!("policy {name}"),
        None => "baseline".into(),
    };
    let what = execute::with_parameters(what, parameters.as_ref());
    let mut text = execute::headline_for(&loaded, &args.opts, &outcome, &dir, &what);
    text.push_str(&greatgame::output::run_table(
        &loaded.scenario.world,
        &outcome,
        0,
    ));
    text.push_str(&why.text);
    text.push_str(&super::report::after_outputs(&dir, args.report)?);
    execute::print(&text)
}
