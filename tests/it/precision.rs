//! `--precision P`: runs go on chunk by chunk until every outcome probability's 95% margin is below P,
//! stop at the same count on any number of threads, give the same bytes as a plain run of that count,
//! honour the maximum, and refuse margins outside (0, 0.5] and shards.

use std::path::Path;

use crate::common::{csv_files, data, fails_with, ok, records};

/// Runs per engine chunk: a precision run stops only at a multiple of it (or at the maximum).
const CHUNK_RUNS: u64 = 1024;

/// Runs `compare` on small.toml into `dir/name` with `extra`; returns the folder and stdout.
fn compare_into(dir: &Path, name: &str, extra: &[&str]) -> (std::path::PathBuf, String) {
    let out = dir.join(name);
    let scenario = data("small.toml");
    let mut args = vec![
        "compare",
        scenario.to_str().unwrap(),
        "--seed",
        "11",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let output = ok(&args);
    // Lines joined: the headline wraps at 100 columns wherever its numbers put the break.
    (
        out,
        String::from_utf8_lossy(&output.stdout).replace('\n', " "),
    )
}

/// The manifest's `runs` and its `precision` record.
fn manifest(dir: &Path) -> (u64, serde_json::Value) {
    let text = std::fs::read(dir.join("manifest.json")).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&text).unwrap();
    (json["runs"].as_u64().unwrap(), json["precision"].clone())
}

/// The widest 95% margin `1.96·sqrt(p(1 − p)/n)` over the rows of outcomes.csv.
fn widest_margin(dir: &Path, runs: u64) -> f64 {
    let rows = records(&dir.join("outcomes.csv"));
    assert!(!rows.is_empty());
    rows.iter()
        .map(|row| {
            let p: f64 = row["probability"].parse().unwrap();
            1.96 * (p * (1.0 - p) / runs as f64).sqrt()
        })
        .fold(0.0, f64::max)
}

#[test]
fn stops_once_every_outcome_margin_is_below_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let (out, stdout) = compare_into(
        dir.path(),
        "p",
        &["--precision", "0.02", "--runs", "100000"],
    );
    let (runs, note) = manifest(&out);
    assert_eq!(note["stopped"], "precision reached", "{note}");
    assert_eq!(note["runs"].as_u64(), Some(runs));
    assert_eq!(note["runs_max"].as_u64(), Some(100000));
    assert!(
        runs.is_multiple_of(CHUNK_RUNS),
        "stops at whole chunks: {runs}"
    );
    // No outcome needs more than the worst case p = 0.5, (1.96·0.5/P)² = 2,401 runs: 3 chunks.
    assert!(runs <= 3 * CHUNK_RUNS, "{runs} runs for P = 0.02");
    let widest = widest_margin(&out, runs);
    assert!(widest < 0.02, "widest margin {widest} at {runs} runs");
    assert!((note["widest_margin"].as_f64().unwrap() - widest).abs() < 1e-4);
    assert!(
        stdout.contains(&format!(
            "precision reached after {runs} runs (at most 100000)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(", {runs} runs, seed 11")),
        "{stdout}"
    );

    // A tighter target needs more runs, and meets it too.
    let (tight, _) = compare_into(
        dir.path(),
        "tight",
        &["--precision", "0.01", "--runs", "100000"],
    );
    let (tight_runs, note) = manifest(&tight);
    assert_eq!(note["stopped"], "precision reached", "{note}");
    assert!(
        tight_runs > runs,
        "{tight_runs} runs for 0.01, {runs} for 0.02"
    );
    assert!(widest_margin(&tight, tight_runs) < 0.01);
}

#[test]
fn same_stop_and_bytes_on_one_and_two_threads_as_a_plain_run_of_that_count() {
    let dir = tempfile::tempdir().unwrap();
    let precision = ["--precision", "0.015", "--runs", "50000"];
    let (one, _) = compare_into(
        dir.path(),
        "one",
        &[&precision[..], &["--threads", "1"]].concat(),
    );
    let (two, _) = compare_into(
        dir.path(),
        "two",
        &[&precision[..], &["--threads", "2"]].concat(),
    );
    let (runs, note) = manifest(&one);
    assert_eq!(manifest(&two), (runs, note));
    let files = csv_files(&one);
    assert!(files.iter().any(|(name, _)| name == "runs.csv"));
    assert_eq!(files, csv_files(&two));

    let runs_text = runs.to_string();
    let (plain, _) = compare_into(dir.path(), "plain", &["--runs", &runs_text]);
    let (plain_runs, plain_note) = manifest(&plain);
    assert_eq!(plain_runs, runs);
    assert!(plain_note.is_null(), "a plain run has no precision record");
    assert_eq!(files, csv_files(&plain), "precision run of {runs} runs");
}

#[test]
fn stops_at_the_maximum_when_the_target_is_out_of_reach() {
    let dir = tempfile::tempdir().unwrap();
    // 1,500 runs: one whole chunk and a part one.
    let (out, stdout) = compare_into(
        dir.path(),
        "max",
        &["--precision", "0.001", "--runs", "1500"],
    );
    let (runs, note) = manifest(&out);
    assert_eq!(runs, 1500);
    assert_eq!(note["stopped"], "maximum runs reached", "{note}");
    assert!(widest_margin(&out, runs) >= 0.001);
    assert!(
        stdout.contains("maximum runs reached after 1500 runs (at most 1500)"),
        "{stdout}"
    );
    let (plain, _) = compare_into(dir.path(), "plain", &["--runs", "1500"]);
    assert_eq!(csv_files(&out), csv_files(&plain));
}

#[test]
fn run_and_hindcast_take_precision_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let scenario = data("small.toml");
    let args = [
        "run",
        scenario.to_str().unwrap(),
        "--precision",
        "0.03",
        "--runs",
        "20000",
        "--summary-only",
        "--out",
        out.to_str().unwrap(),
    ];
    ok(&args);
    let (runs, note) = manifest(&out);
    assert_eq!(note["stopped"], "precision reached", "{note}");
    assert!(widest_margin(&out, runs) < 0.03);
    let hindcast = dir.path().join("hindcast");
    let history = crate::common::shipped("history_2005.toml");
    ok(&[
        "hindcast",
        history.to_str().unwrap(),
        "--precision",
        "0.5",
        "--runs",
        "3000",
        "--summary-only",
        "--out",
        hindcast.to_str().unwrap(),
    ]);
    let (runs, note) = manifest(&hindcast);
    assert_eq!(note["stopped"], "precision reached", "{note}");
    assert_eq!(runs, CHUNK_RUNS, "any margin is below 0.5 after one chunk");
}

#[test]
fn margins_outside_zero_to_a_half_and_shards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let scenario = data("small.toml");
    for bad in ["0", "-0.1", "0.6", "NaN", "inf", "tight"] {
        // `--precision=-0.1`: a separate `-0.1` would read as an option.
        let precision = format!("--precision={bad}");
        let args = [
            "run",
            scenario.to_str().unwrap(),
            &precision,
            "--out",
            out.to_str().unwrap(),
        ];
        let failed = fails_with(2, &args);
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(stderr.contains("(0, 0.5]"), "{bad}: {stderr}");
        assert!(!out.exists(), "{bad}: nothing written");
    }
    let args = [
        "run",
        scenario.to_str().unwrap(),
        "--precision",
        "0.01",
        "--shard",
        "1/2",
        "--out",
        out.to_str().unwrap(),
    ];
    let failed = fails_with(2, &args);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("in advance"), "{stderr}");
    assert!(!out.exists(), "nothing written");
}
