//! `greatgame compare`: the baseline and every declared policy, on common random numbers.

use greatgame::engine::Outcome;
use greatgame::scenario::Scenario;

use super::execute::{self, Options};

/// Run the baseline and every [[policy]] of a scenario, run i of each seeing the same random draws, and
/// report each policy's paired difference from the baseline.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame compare                              # policies of the built-in scenario\n  greatgame compare scenarios/nato_return.toml --runs 20000"
)]
pub struct Args {
    #[command(flatten)]
    opts: Options,
    /// Also write report.html, the HTML report, once the outputs are complete.
    #[arg(long)]
    report: bool,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    super::settings::check_report(&args.opts.script, args.report)?;
    let loaded = execute::load(&args.opts)?;
    let sc = &loaded.scenario;
    if sc.policies.is_empty() {
        return Err(execute::no_policies(&loaded));
    }
    let policies = match &args.opts.script.policy {
        Some(name) => vec![super::settings::policy(&loaded, name)?],
        None => sc.policies.clone(),
    };
    let plans: Vec<_> = std::iter::once(sc.baseline.clone())
        .chain(policies.iter().cloned())
        .collect();
    let Some((outcome, dir)) = execute::execute(&args.opts, &loaded, &plans, &[], "compare")?
    else {
        return Ok(());
    };
    let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    let mut text = execute::headline_for(
        &loaded,
        &args.opts,
        &outcome,
        &dir,
        &format!("baseline and {} policies", policies.len()),
    );
    text.push_str(&tables(sc, &names, &outcome));
    text.push_str(&super::report::after_outputs(&dir, args.report)?);
    execute::print(&text)
}

/// The baseline table and the ranking of policies.
pub fn tables(sc: &Scenario, names: &[String], outcome: &Outcome) -> String {
    let mut text = String::from("Baseline:\n");
    text.push_str(&greatgame::output::run_table(&sc.world, outcome, 0));
    text.push_str("\nPolicies ranked by effect:\n");
    // Each plan's description by name (merge knows the plans by name only).
    let descriptions: Vec<String> = names
        .iter()
        .map(|name| {
            std::iter::once(&sc.baseline)
                .chain(&sc.policies)
                .find(|plan| &plan.name == name)
                .map_or_else(String::new, |plan| plan.description.clone())
        })
        .collect();
    text.push_str(&greatgame::output::compare_table(
        &sc.world,
        names,
        &descriptions,
        outcome,
    ));
    text
}
