//! Ctrl-C, SIGTERM and SIGHUP (what a terminal, SLURM, Kubernetes and a closed session send): a command
//! that writes outputs stops cleanly at the next chunk of runs (or block of a merge), removes its temp
//! files, leaves its output folder as it was, and exits 130 with a message; any other command exits
//! 130 at once. Nothing incomplete ever carries a final name either way, because outputs are renamed
//! into place only when complete, and the manifest last.

use std::sync::atomic::{AtomicBool, Ordering};

/// The exit code of a command stopped by Ctrl-C, SIGTERM or SIGHUP.
pub const EXIT_CODE: u8 = 130;

static WATCHED: AtomicBool = AtomicBool::new(false);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The error of a command stopped by a signal.
#[derive(Debug, thiserror::Error)]
#[error("interrupted (Ctrl-C, SIGTERM or SIGHUP): stopped before the outputs were complete; temp files removed, the output folder left as it was")]
pub struct Interrupted;

/// Installs the handler of SIGINT, SIGTERM and SIGHUP (once, at start).
pub fn install() {
    // A failure to install leaves the default: the process ends at once, which is still safe (no
    // manifest is written until every file is in place).
    let _ = ctrlc::set_handler(|| {
        if WATCHED.load(Ordering::SeqCst) {
            INTERRUPTED.store(true, Ordering::SeqCst);
        } else {
            eprintln!("error: interrupted (Ctrl-C, SIGTERM or SIGHUP)");
            std::process::exit(i32::from(EXIT_CODE));
        }
    });
}

/// While the returned guard lives, a signal sets a flag for `check` instead of ending the process.
pub fn watch() -> Watch {
    WATCHED.store(true, Ordering::SeqCst);
    Watch
}

/// See `watch`.
pub struct Watch;

impl Watch {
    /// `Err(Interrupted)` once a signal came.
    pub fn check(&self) -> Result<(), Interrupted> {
        if INTERRUPTED.load(Ordering::SeqCst) {
            Err(Interrupted)
        } else {
            Ok(())
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        WATCHED.store(false, Ordering::SeqCst);
    }
}
