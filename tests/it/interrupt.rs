//! Interrupted runs: Ctrl-C (SIGINT) stops a real run with a message and exit code 130 and leaves no
//! file behind; SIGKILL mid-write leaves no file under a final name.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::common::wait_for_writing;

const FINAL_NAMES: [&str; 10] = [
    "summary.csv",
    "outcomes.csv",
    "events.csv",
    "runs.csv",
    "trajectories.csv",
    "runs.csv.gz",
    "trajectories.csv.gz",
    "compare.csv",
    "hindcast.csv",
    "manifest.json",
];

/// Starts a run far too long to finish during the test, writing into `out`.
fn start(out: &Path, extra: &[&str]) -> Child {
    crate::common::std_command()
        .args([
            "run",
            "--runs",
            "50000000",
            "--force",
            "--trajectories",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn final_files(out: &Path) -> Vec<String> {
    FINAL_NAMES
        .iter()
        .filter(|n| out.join(n).exists())
        .map(|n| n.to_string())
        .collect()
}

#[test]
fn ctrl_c_stops_cleanly_with_exit_code_130_and_leaves_nothing() {
    ctrl_c_leaves_nothing(&[]);
}

#[test]
fn ctrl_c_while_gzipping_leaves_nothing() {
    ctrl_c_leaves_nothing(&["--gzip"]);
}

fn ctrl_c_leaves_nothing(extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let child = start(&out, extra);
    wait_for_writing(&out);
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    // The folder the run made is removed again once empty; if it stays, it must be empty.
    let left: Vec<String> = std::fs::read_dir(&out)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "files left after Ctrl-C: {left:?}");
}

#[test]
fn sigkill_mid_write_leaves_no_file_under_a_final_name() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut child = start(&out, &[]);
    wait_for_writing(&out);
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        final_files(&out).is_empty(),
        "final names after SIGKILL: {:?}",
        final_files(&out)
    );
    // What is left is only temp files, named so nobody mistakes them for results, and the lock file
    // (the kernel released the lock with the process; the next run takes it over).
    for e in std::fs::read_dir(&out).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(
            (name.starts_with('.') && name.contains(".tmp-")) || name == ".greatgame.lock",
            "unexpected file {name}"
        );
    }
}
