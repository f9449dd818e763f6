//! Outputs: tidy CSV rows, the manifest and the readable table, and writing them without ever leaving a
//! half-written file under a final name.
//!
//! Row builders (`rows`) and the table (`table`) are pure: they turn tallies into values and text. Only
//! `files` touches the file system, always through a temp file in the target folder renamed into place.

mod files;
mod rows;
mod table;

pub use files::{prepare_dir, write_atomic, AtomicFile, OutputError, StreamFile};
pub use rows::{
    compare_rows, event_rows, hindcast_rows, outcome_rows, run_rows, summary_rows, trajectory_rows,
    write_csv, CompareRow, EventRow, HindcastRow, Manifest, OutcomeRow, RunRow, SummaryRow,
    TrajectoryRow,
};
pub use table::{compare_table, hindcast_table, run_table};
