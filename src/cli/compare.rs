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
    let Some(execute::Executed {
        outcome,
        dir,
        robust,
        varied,
        parameters,
    }) = execute::execute(&args.opts, &loaded, &plans, &[], "compare")?
    else {
        return Ok(());
    };
    let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    let mut text = execute::headline_for(
        &loaded,
        &args.opts,
        &outcome,
        &dir,
        &execute::with_parameters(
            format!("baseline and {} policies", policies.len()),
            parameters.as_ref(),
        ),
    );
    text.push_str(&tables(sc, &names, &outcome));
    text.push_str(&basis(&outcome, varied));
    text.push_str(&robust_table(&robust, outcome.runs));
    text.push_str(&super::report::after_outputs(&dir, args.report)?);
    execute::print(&text)
}

/// What the ranking above is based on, and what its intervals cover.
pub(super) fn basis(outcome: &Outcome, varied: bool) -> String {
    let spread = match varied {
        true => "each run with its own drawn parameters, so the intervals include what the parameters leave uncertain",
        false => "with the scenario's parameters as written, so the intervals cover the model's randomness only, not uncertainty about the parameters",
    };
    let text = format!(
        "\nRanked by the mean absolute paired change of the horizon shares over all states (compare.csv), \
         over {} runs, {spread}. Every quarter's paired differences are in paired.csv, those of the \
         dominance, base, transit and bloc probabilities in paired_outcomes.csv.\n",
        outcome.runs
    );
    super::settings::wrap(&text, 100)
}

/// The robust comparison on stdout: for each policy, the share it moves most, with its expected
/// effect, regret and probability of beating the baseline; ranked by the 90th-percentile regret.
pub(super) fn robust_table(rows: &[greatgame::output::RobustRow], runs: u64) -> String {
    use std::fmt::Write as _;
    if rows.is_empty() {
        return String::new();
    }
    let mut best: Vec<&greatgame::output::RobustRow> = Vec::new();
    for r in rows {
        match best.iter_mut().find(|b| b.policy == r.policy) {
            Some(b) if r.expected_effect.abs() > b.expected_effect.abs() => *b = r,
            Some(_) => {}
            None => best.push(r),
        }
    }
    best.sort_by(|a, b| {
        a.regret_p90
            .total_cmp(&b.regret_p90)
            .then(a.policy.cmp(&b.policy))
    });
    let width = best
        .iter()
        .map(|r| r.policy.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let mut s = super::settings::wrap(&format!(
        "\nRobust comparison over {runs} runs with drawn parameters (robust.csv: every state and pole), \
         for each policy on the share it moves most (higher is better for that pole), ranked by the \
         90th-percentile regret (lowest first); [95% bootstrap intervals]:\n"
    ), 100);
    let _ = writeln!(
        s,
        "{:<width$}  {:<12}  {:>26}  {:>24}  {:>21}",
        "policy", "share", "expected effect", "regret p90", "P(beats baseline)"
    );
    for r in best {
        let effect = format!(
            "{:+.4} [{:+.4}, {:+.4}]",
            r.expected_effect, r.expected_effect_low, r.expected_effect_high
        );
        let regret = format!(
            "{:.4} [{:.4}, {:.4}]",
            r.regret_p90, r.regret_p90_low, r.regret_p90_high
        );
        let beats = format!(
            "{:.3} [{:.3}, {:.3}]",
            r.beats_baseline, r.beats_baseline_low, r.beats_baseline_high
        );
        let share = format!("{} {}", r.state, r.pole);
        let _ = writeln!(
            s,
            "{:<width$}  {share:<12}  {effect:>26}  {regret:>24}  {beats:>21}",
            r.policy
        );
    }
    s
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
