//! The HTML report: one self-contained page a facilitator can show a room or print, made from an output
//! folder written by `run`, `compare` or `hindcast`.
//!
//! Two stages: [`read`] loads the folder into a [`Folder`] (the only file access here, reading only);
//! [`render`] turns it into the page as a `String`, pure. Writing the file is the caller's, through
//! `output::write_atomic`. The page loads nothing and runs no script: charts are inline SVG drawn with
//! `plotters`, styles are inline CSS (screen and print).

mod briefing;
mod charts;
mod data;
mod html;
mod why;

use std::io;
use std::path::PathBuf;

pub use data::{read, read_branches, Branches, Dominance, Folder};
pub use html::{render, render_branches};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The folder is not a complete output folder.
    #[error(
        "{}: not a greatgame output folder: {reason}; give a folder written by `greatgame run`, `compare` or `hindcast`",
        dir.display()
    )]
    NotOutputFolder {
        /// The folder.
        dir: PathBuf,
        /// What is missing.
        reason: String,
    },
    /// A file in the folder could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A file in the folder is not what `run`, `compare` or `hindcast` write.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Line, 1-based (0: unknown).
        line: u64,
        /// Column (CSV: field number), 1-based (0: unknown).
        column: u64,
        /// What is wrong.
        message: String,
    },
    /// A chart could not be drawn.
    #[error("drawing a chart: {0}")]
    Draw(String),
}

impl ReportError {
    /// True if the error is in what the user gave (the folder or its files), not a failure while running.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            ReportError::NotOutputFolder { .. } | ReportError::Parse { .. }
        )
    }
}
