//! Outputs: tidy CSV rows, the manifest and the readable table, and writing them without ever leaving a
//! half-written file under a final name.
//!
//! Row builders (`rows`) and the table (`table`) are pure: they turn tallies into values and text. Only
//! `files` and `dir` touch the file system: every file through a temp file in the target folder renamed into
//! place, and an output folder through `OutputDir`, which locks it and commits a run's files with the
//! manifest last.

mod dir;
mod experiments;
mod files;
mod rows;
mod table;

pub use dir::{
    check_file, manifest_records, read_lock, verify, OutputDir, VerifyError, LOCK_FILE, MANIFEST,
    OUTPUT_NAMES, PARAMETERS_CSV, PART,
};
pub use experiments::{
    experiment_header, experiment_records, ExperimentManifest, FactorNote, EXPERIMENTS_CSV,
    KEY_COLUMNS, PRIM_BOX_CSV, PRIM_TRAJECTORY_CSV, SENSITIVITY_CSV,
};
pub use files::{
    digest_file, replaceable, write_atomic, AtomicFile, Digester, FileRecord, OutputError, Staged,
    StreamFile,
};
pub use rows::{
    compare_rows, csv_header, event_rows, hindcast_rows, outcome_rows, paired_outcome_rows,
    paired_rows, parameter_rows, robust_rows, run_rows, summary_rows, trajectory_rows, write_csv,
    CompareRow, EventRow, HindcastRow, Manifest, OutcomeRow, PairedOutcomeRow, PairedRow,
    ParameterRow, ParametersRecord, PrecisionNote, RobustRow, RunRow, StateName, SummaryRow,
    TrajectoryRow,
};
pub use table::{compare_table, hindcast_table, run_table};
