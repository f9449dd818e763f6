//! The same scenario and seed give byte-identical CSV whatever the thread count, and a different seed
//! gives different results.

use crate::common::{csv_files, data, ok};

fn outputs(args: &[&str]) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut all = args.to_vec();
    all.extend(["--out", out.to_str().unwrap()]);
    ok(&all);
    csv_files(&out)
}

#[test]
fn run_outputs_are_identical_for_one_and_two_threads() {
    // 2500 runs span three chunks, so the two threads really split the work.
    let scenario = data("small.toml");
    let base = [
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        "2500",
        "--seed",
        "9",
        "--trajectories",
    ];
    let one = outputs(&[&base[..], &["--threads", "1"]].concat());
    let two = outputs(&[&base[..], &["--threads", "2"]].concat());
    let names: Vec<&str> = one.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "events.csv",
            "outcomes.csv",
            "runs.csv",
            "summary.csv",
            "trajectories.csv"
        ]
    );
    for ((name, a), (_, b)) in one.iter().zip(&two) {
        assert!(a == b, "{name} differs between --threads 1 and --threads 2");
    }
}

#[test]
fn compare_outputs_are_identical_for_one_and_two_threads() {
    let scenario = data("small.toml");
    let base = ["compare", scenario.to_str().unwrap(), "--runs", "1500"];
    let one = outputs(&[&base[..], &["--threads", "1"]].concat());
    let two = outputs(&[&base[..], &["--threads", "2"]].concat());
    assert!(one.iter().any(|(n, _)| n == "compare.csv"));
    assert_eq!(one, two);
}

#[test]
fn builtin_scenario_is_identical_for_one_and_two_threads() {
    let one = outputs(&["run", "--runs", "1100", "--threads", "1"]);
    let two = outputs(&["run", "--runs", "1100", "--threads", "2"]);
    assert_eq!(one, two);
}

#[test]
fn a_different_seed_gives_different_runs() {
    let scenario = data("small.toml");
    let a = outputs(&[
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        "50",
        "--seed",
        "1",
    ]);
    let b = outputs(&[
        "run",
        scenario.to_str().unwrap(),
        "--runs",
        "50",
        "--seed",
        "2",
    ]);
    let runs =
        |o: &Vec<(String, Vec<u8>)>| o.iter().find(|(n, _)| n == "runs.csv").unwrap().1.clone();
    assert_ne!(runs(&a), runs(&b));
}
