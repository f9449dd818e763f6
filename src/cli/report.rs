//! `greatgame report`: the HTML report of an output folder; and `--report` for `run`, `compare` and
//! `hindcast`, which writes it once their outputs are complete.

use std::path::{Path, PathBuf};

use greatgame::{output, report};

use super::execute;

/// Write one self-contained HTML page from an output folder: briefing, fan charts, dominance, the event
/// and decision timeline, policy comparisons, the hindcast and the manifest. Works offline; prints well.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame report out/central_asia_2017                # writes out/central_asia_2017/report.html\n  greatgame report out/squeeze --out squeeze.html\n  greatgame compare --report                            # the same, straight after the runs"
)]
pub struct Args {
    /// Output folder written by `run`, `compare`, `hindcast` or `play` (also `play --compare --out`).
    dir: PathBuf,
    /// Where to write the page [default: DIR/report.html].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let path = write(&args.dir, args.out.as_deref())?;
    execute::print(&format!("report in {}\n", path.display()))
}

/// Reads the output folder `dir`, renders the report and writes it atomically to `out` (default
/// `dir/report.html`); returns where.
pub fn write(dir: &Path, out: Option<&Path>) -> anyhow::Result<PathBuf> {
    let html = match report::read_branches(dir)? {
        Some(branches) => report::render_branches(&branches)?,
        None => report::render(&report::read(dir)?)?,
    };
    let path = out.map_or_else(|| dir.join("report.html"), Path::to_path_buf);
    output::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// After a command's outputs are complete in `dir`: writes `dir/report.html` if `wanted` and returns a
/// line saying so; otherwise removes a report an earlier command left there, which would describe other
/// runs.
pub fn after_outputs(dir: &Path, wanted: bool) -> anyhow::Result<String> {
    if wanted {
        Ok(format!("report in {}\n", write(dir, None)?.display()))
    } else {
        match std::fs::remove_file(dir.join("report.html")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(anyhow::Error::new(e)
                .context(format!(
                    "{}: cannot remove the report of an earlier run",
                    dir.join("report.html").display()
                ))),
            _ => Ok(String::new()),
        }
    }
}
