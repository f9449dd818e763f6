//! Ctrl-C: a command that writes outputs stops cleanly at the next chunk, removes its temp files and
//! exits 130; any other command exits 130 at once. Nothing incomplete ever carries a final name either
//! way, because outputs are renamed into place only when complete.

use std::sync::atomic::{AtomicBool, Ordering};

static WATCHED: AtomicBool = AtomicBool::new(false);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The error of a run stopped by Ctrl-C.
#[derive(Debug, thiserror::Error)]
#[error("interrupted: stopped before the outputs were complete; no output was written under its final name")]
pub struct Interrupted;

/// Installs the Ctrl-C handler (once, at start).
pub fn install() {
    // A failure to install leaves the default: the process ends at once, which is still safe.
    let _ = ctrlc::set_handler(|| {
        if WATCHED.load(Ordering::SeqCst) {
            INTERRUPTED.store(true, Ordering::SeqCst);
        } else {
            eprintln!("error: interrupted");
            std::process::exit(130);
        }
    });
}

/// While the returned guard lives, Ctrl-C sets a flag for `check` instead of ending the process.
pub fn watch() -> Watch {
    WATCHED.store(true, Ordering::SeqCst);
    Watch
}

/// See `watch`.
pub struct Watch;

impl Watch {
    /// `Err(Interrupted)` once Ctrl-C was pressed.
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
