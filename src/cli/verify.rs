//! `greatgame verify`: check that output folders hold exactly what their manifests list.

use std::path::PathBuf;

use greatgame::output;

use super::execute;

/// Check output folders against their manifest.json: every listed file present with its size and
/// SHA-256, and no greatgame output the manifest does not list. A folder without a manifest is not a
/// complete output (its run was interrupted, failed or is still writing). Exit 0 if all verify, 1 if
/// not.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame verify out/central_asia_2017\n  greatgame verify parts/*"
)]
pub struct Args {
    /// Output folders (of run, compare, hindcast, a shard, or merge).
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
}

/// Runs the command: every folder is checked; the first failure is returned after all are tried.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let mut failures = Vec::new();
    for dir in &args.dirs {
        let checked = output::read_lock(dir)
            .map_err(anyhow::Error::from)
            .and_then(|_lock| output::verify(dir).map_err(anyhow::Error::from));
        match checked {
            Ok(records) => execute::print(&format!(
                "{}: ok, {} files as manifest.json lists them\n",
                dir.display(),
                records.len()
            ))?,
            Err(e) => failures.push(e),
        }
    }
    let failed = failures.len();
    let mut failures = failures.into_iter();
    let Some(first) = failures.next() else {
        return Ok(());
    };
    for e in failures {
        eprintln!("error: {e}");
    }
    Err(first.context(format!(
        "{failed} of {} folders do not verify; the first",
        args.dirs.len()
    )))
}
