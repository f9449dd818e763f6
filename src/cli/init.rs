//! `greatgame init`: write a new, valid, commented scenario to start from.

use std::path::PathBuf;

use greatgame::output;
use greatgame::scenario::Scenario;

use super::{execute, InputError};

/// The scenario `init` writes, with `__NAME__` for the name. Every number cites its source or says
/// `assumption:`, as in the shipped scenarios.
const TEMPLATE: &str = include_str!("init_template.toml");

/// Write a new, commented scenario to start from (NAME.toml)
///
/// Five states, three poles, blocs, levers, events, an inject, a reaction, a policy and a check, each
/// number citing its source or marked as an assumption; it passes `greatgame check` as written. Its
/// first line points editors at ./schema.json (`greatgame schema --out schema.json` writes it).
/// Refuses to overwrite an existing file unless --force.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame init my_scenario                 # writes my_scenario.toml\n  greatgame init test1 --out scenarios/test1.toml\n  greatgame schema --out scenarios/schema.json   # the schema its first line points at"
)]
pub struct Args {
    /// Scenario name: letters, digits, `_` and `-` (it names the output folder out/NAME/).
    name: String,
    /// File to write. Default: NAME.toml in the current folder.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Overwrite the file if it exists.
    #[arg(long)]
    force: bool,
}

/// The template with `name` filled in.
fn scenario_text(name: &str) -> String {
    TEMPLATE.replace("__NAME__", name)
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let name = &args.name;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(InputError(format!(
            "`{name}` is not allowed as a scenario name: use letters, digits, `_` and `-` only (it names the output folder)"
        ))
        .into());
    }
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{name}.toml")));
    if !args.force && path.symlink_metadata().is_ok() {
        return Err(InputError(format!(
            "{}: already exists; give --force to overwrite it, or --out another file",
            path.display()
        ))
        .into());
    }
    let text = scenario_text(name);
    // The template is part of the program: if it does not validate, that is a bug, not bad input.
    if let Err(e) = Scenario::from_toml(&text, &path.display().to_string()) {
        anyhow::bail!("the built-in template is invalid (a bug in greatgame): {e}");
    }
    output::write_atomic(&path, text.as_bytes())?;
    execute::print(&format!(
        "wrote {0}; check it with `greatgame check {0}`\n",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_a_valid_scenario_with_its_name() {
        let sc = Scenario::from_toml(&scenario_text("demo-1"), "demo-1.toml").unwrap();
        assert_eq!(sc.meta.name, "demo-1");
        assert_eq!(sc.world.poles.len(), 3);
        assert_eq!(sc.world.states.len(), 5);
        assert_eq!(sc.policies.len(), 1);
        assert_eq!(sc.checks.len(), 1);
    }

    #[test]
    fn template_starts_with_the_schema_directive() {
        assert!(TEMPLATE.starts_with("#:schema ./schema.json\n"));
    }
}
