//! `greatgame schema`: write the JSON Schema (draft-07) of the scenario format, for editors.

use std::path::PathBuf;

use greatgame::output;
use greatgame::scenario;

use super::execute;

/// Write the JSON Schema (draft-07) of scenario files, for editors
///
/// The schema is generated from the scenario reader itself. Editors that understand taplo's `#:schema`
/// directive (the first line of a scenario) then offer completion, hover docs and key checks. It checks
/// keys, types and simple ranges; `greatgame check` checks everything else.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame schema > schema.json\n  greatgame schema --out scenarios/schema.json   # refresh the shipped copy\n\nA scenario refers to it on its first line:\n  #:schema ./schema.json"
)]
pub struct Args {
    /// Write to this file (atomically) instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let text = scenario::json_schema();
    match &args.out {
        Some(path) => {
            output::write_atomic(path, text.as_bytes())?;
            Ok(())
        }
        None => execute::print(&text),
    }
}
