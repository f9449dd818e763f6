//! Shared helpers for integration tests: run the binary and, on failure, show everything.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// Path of a file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Path of a shipped scenario.
pub fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Runs `greatgame` with `args`; returns its output.
pub fn greatgame(args: &[&str]) -> Output {
    Command::cargo_bin("greatgame")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

/// Describes a finished command for assertion messages.
pub fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "command: greatgame {}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `greatgame` and asserts it succeeded.
pub fn ok(args: &[&str]) -> Output {
    let out = greatgame(args);
    assert!(
        out.status.success(),
        "expected success\n{}",
        describe(args, &out)
    );
    out
}

/// Runs `greatgame` and asserts it exited with `code`.
pub fn fails_with(code: i32, args: &[&str]) -> Output {
    let out = greatgame(args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}\n{}",
        describe(args, &out)
    );
    out
}

/// The CSV files of an output folder, by name, sorted.
pub fn csv_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".csv") || name.ends_with(".csv.gz")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Parses a CSV file into header-keyed records.
pub fn records(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}
