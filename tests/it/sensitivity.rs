//! `greatgame sensitivity`: on a small scenario with a parameter that provably changes nothing (the
//! hazard of an event with no effect) and one that drives the outcome (TJK's starting Russia share,
//! which the rest point carries to the horizon), Sobol and Morris find the first
//! at exactly zero and rank the second first; from an explore folder as from a scenario; bad options
//! exit 2.

use std::path::{Path, PathBuf};

use crate::common::{fails_with, ok, records};

/// `greatgame init`'s scenario with an event that strikes and changes nothing.
fn small(dir: &Path) -> PathBuf {
    let path = dir.join("small.toml");
    ok(&["init", "small", "--out", path.to_str().unwrap()]);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(
        "\n[[event]]\nname = \"inert\"\ndescription = \"Strikes and changes nothing.\"\nhazard = 0.1\n",
    );
    std::fs::write(&path, text).unwrap();
    path
}

const FACTORS: [&str; 6] = [
    "--factor",
    "event.inert.hazard=0..0.5",
    "--factor",
    "state.TJK.alignment.Russia=0.3..0.7",
    "--factor",
    "event.spillover.hazard=0.005..0.03",
];
const OUTCOME: &str = "TJK.share.Russia@2027Q4";

/// The rows of `sensitivity.csv` for `parameter` and `measure`: (estimate, low, high).
fn index(
    rows: &[std::collections::BTreeMap<String, String>],
    parameter: &str,
    measure: &str,
) -> (f64, f64, f64) {
    let row = rows
        .iter()
        .find(|r| r["parameter"] == parameter && r["measure"] == measure && r["other"].is_empty())
        .unwrap_or_else(|| panic!("{parameter} {measure}"));
    let f = |k: &str| row[k].parse::<f64>().unwrap();
    (f("estimate"), f("ci95_low"), f("ci95_high"))
}

#[test]
fn sobol_finds_an_inert_parameter_at_zero_and_the_driving_one_first() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small(tmp.path());
    let out = tmp.path().join("s");
    let mut args = vec![
        "sensitivity",
        scenario.to_str().unwrap(),
        "--method",
        "sobol",
        "--samples",
        "64",
        "--runs",
        "40",
        "--outcome",
        OUTCOME,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(FACTORS);
    let stdout = String::from_utf8(ok(&args).stdout).unwrap();
    assert!(
        stdout.contains(OUTCOME) && stdout.contains("total order"),
        "{stdout}"
    );
    let rows = records(&out.join("sensitivity.csv"));
    assert_eq!(rows.len(), 6, "first and total order of 3 parameters");
    for measure in ["first_order", "total_order"] {
        let (estimate, lo, hi) = index(&rows, "event.inert.hazard", measure);
        assert!(lo <= estimate && estimate <= hi);
        assert!(lo <= 0.0 && 0.0 <= hi, "{measure}: 0 within [{lo}, {hi}]");
        assert!(estimate.abs() < 1e-12, "{measure} {estimate}");
    }
    let (driver, driver_lo, _) = index(&rows, "state.TJK.alignment.Russia", "total_order");
    let (spill, _, spill_hi) = index(&rows, "event.spillover.hazard", "total_order");
    let (_, _, inert_hi) = index(&rows, "event.inert.hazard", "total_order");
    assert!(
        driver > spill,
        "the starting share {driver} above spillover {spill}"
    );
    assert!(driver_lo > inert_hi, "its interval clears the inert one's");
    let _ = spill_hi;
    // The design's rows are kept beside the indices, and the folder verifies.
    assert_eq!(records(&out.join("experiments.csv")).len(), 64 * 5);
    ok(&["verify", out.to_str().unwrap()]);
}

#[test]
fn morris_from_an_explore_folder_ranks_the_same_way() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small(tmp.path());
    let dir = tmp.path().join("e");
    let mut args = vec![
        "explore",
        scenario.to_str().unwrap(),
        "--design",
        "morris",
        "--samples",
        "20",
        "--runs",
        "40",
        "--policy",
        "baseline",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend(FACTORS);
    ok(&args);
    let out = tmp.path().join("m");
    let stdout = String::from_utf8(
        ok(&[
            "sensitivity",
            dir.to_str().unwrap(),
            "--outcome",
            OUTCOME,
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout,
    )
    .unwrap();
    assert!(stdout.contains("mu*"), "{stdout}");
    let rows = records(&out.join("sensitivity.csv"));
    let (inert, lo, hi) = index(&rows, "event.inert.hazard", "mu_star");
    assert_eq!(
        (inert, lo, hi),
        (0.0, 0.0, 0.0),
        "no effect in any trajectory"
    );
    let (driver, _, _) = index(&rows, "state.TJK.alignment.Russia", "mu_star");
    let (spill, _, _) = index(&rows, "event.spillover.hazard", "mu_star");
    assert!(driver > spill && spill > 0.0, "{driver} > {spill} > 0");
}

#[test]
fn bad_options_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small(tmp.path());
    let s = scenario.to_str().unwrap();
    let out = tmp.path().join("never");
    let o = out.to_str().unwrap();
    let base = [
        "sensitivity",
        s,
        "--samples",
        "8",
        "--factor",
        "model.adjustment_rate=0.1..0.5",
        "--out",
        o,
    ];
    let unknown = fails_with(
        2,
        &[
            &base[..],
            &["--method", "sobol", "--outcome", "TJK.share.Mars@2027Q4"],
        ]
        .concat(),
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no such outcome column"));
    let lhs = fails_with(
        2,
        &[&base[..], &["--method", "lhs", "--outcome", OUTCOME]].concat(),
    );
    assert!(String::from_utf8_lossy(&lhs.stderr).contains("expected sobol or morris"));
    let none = fails_with(2, &[&base[..], &["--outcome", OUTCOME]].concat());
    assert!(String::from_utf8_lossy(&none.stderr).contains("--method"));
    assert!(!out.exists());
    // An lhs explore folder has no sensitivity indices.
    let dir = tmp.path().join("lhs");
    ok(&[
        "explore",
        s,
        "--design",
        "lhs",
        "--samples",
        "5",
        "--runs",
        "8",
        "--factor",
        "model.adjustment_rate=0.1..0.5",
        "--out",
        dir.to_str().unwrap(),
    ]);
    let refused = fails_with(
        2,
        &[
            "sensitivity",
            dir.to_str().unwrap(),
            "--outcome",
            OUTCOME,
            "--out",
            o,
        ],
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("needs --design sobol or morris"));
}

/// Eight equally likely sets of TJK's starting Russia share (the outcome's driver), in `dir`.
fn driving_sets(dir: &Path) -> PathBuf {
    let mut text = String::from("set,distance,passed,state.TJK.alignment.Russia\n");
    for k in 0..8 {
        text.push_str(&format!("{k},0,1,{}\n", 0.3 + 0.05 * f64::from(k)));
    }
    let path = dir.join("sets.csv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_calibrated_ensemble_is_one_grouped_factor_named_plainly() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = small(tmp.path());
    let sets = driving_sets(tmp.path());
    let out = tmp.path().join("s");
    let stdout = ok(&[
        "sensitivity",
        scenario.to_str().unwrap(),
        "--method",
        "sobol",
        "--samples",
        "32",
        "--runs",
        "20",
        "--factor",
        "event.inert.hazard=0..0.5",
        "--parameters",
        sets.to_str().unwrap(),
        "--outcome",
        OUTCOME,
        "--out",
        out.to_str().unwrap(),
    ])
    .stdout;
    let stdout = String::from_utf8(stdout).unwrap();
    assert!(
        stdout.contains("calibrated parameters (8 sets of sets.csv)"),
        "{stdout}"
    );
    let rows = records(&out.join("sensitivity.csv"));
    assert_eq!(rows.len(), 4, "first and total order of 2 factors");
    let (set, set_lo, _) = index(&rows, "parameters.set", "total_order");
    let (inert, _, inert_hi) = index(&rows, "event.inert.hazard", "total_order");
    assert!(inert.abs() < 1e-12, "{inert}");
    assert!(
        set > 0.5 && set_lo > inert_hi,
        "the ensemble drives it: {set}"
    );
    // One plan: 32 base rows of (2 + 2) points.
    assert_eq!(records(&out.join("experiments.csv")).len(), 32 * 4);
    ok(&["verify", out.to_str().unwrap()]);

    // Morris from an explore folder: the folder's manifest says the design has the ensemble too.
    let dir = tmp.path().join("e");
    ok(&[
        "explore",
        scenario.to_str().unwrap(),
        "--design",
        "morris",
        "--samples",
        "10",
        "--runs",
        "20",
        "--policy",
        "baseline",
        "--factor",
        "event.inert.hazard=0..0.5",
        "--parameters",
        sets.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let m = tmp.path().join("m");
    let stdout = ok(&[
        "sensitivity",
        dir.to_str().unwrap(),
        "--outcome",
        OUTCOME,
        "--out",
        m.to_str().unwrap(),
    ])
    .stdout;
    assert!(String::from_utf8_lossy(&stdout).contains("calibrated parameters (8 sets of sets.csv)"));
    let rows = records(&m.join("sensitivity.csv"));
    let (set, _, _) = index(&rows, "parameters.set", "mu_star");
    let (inert, _, _) = index(&rows, "event.inert.hazard", "mu_star");
    assert_eq!(inert, 0.0);
    assert!(set > 0.0, "{set}");
}
