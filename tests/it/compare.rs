//! `compare` runs every policy on common random numbers: a policy that changes nothing differs from the
//! baseline by exactly zero, and a real policy shows its effect with a confidence interval.

use crate::common::{self, data, ok, records};

/// `compare` on small.toml with 400 runs: its output and the rows of its compare.csv.
fn compare_small() -> (
    std::process::Output,
    Vec<std::collections::BTreeMap<String, String>>,
) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = data("small.toml");
    let out = ok(&[
        "compare",
        scenario.to_str().unwrap(),
        "--runs",
        "400",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let rows = records(&dir.path().join("compare.csv"));
    (out, rows)
}

#[test]
fn a_policy_that_changes_nothing_gives_exactly_zero_difference() {
    let (_, rows) = compare_small();
    let no_op: Vec<_> = rows.iter().filter(|r| r["policy"] == "no_op").collect();
    assert_eq!(no_op.len(), 9, "3 states x 3 poles");
    for r in no_op {
        for col in ["mean_difference", "ci95_low", "ci95_high"] {
            assert_eq!(r[col].parse::<f64>().unwrap(), 0.0, "{col} in {r:?}");
        }
        assert_eq!(r["baseline_mean"], r["policy_mean"]);
    }
}

#[test]
fn more_aid_raises_the_donor_share_with_an_interval_that_excludes_zero() {
    let (out, rows) = compare_small();
    for r in rows
        .iter()
        .filter(|r| r["policy"] == "more_nato_aid" && r["pole"] == "NATO")
    {
        let low: f64 = r["ci95_low"].parse().unwrap();
        assert!(low > 0.0, "NATO share should rise in {}: {r:?}", r["state"]);
    }
    let stdout = String::from_utf8(out.stdout).unwrap();
    let ranked: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("rank"))
        .skip(1)
        .take(2)
        .collect();
    assert!(
        ranked[0].contains("more_nato_aid") && ranked[1].contains("no_op"),
        "ranking:\n{stdout}"
    );
}

#[test]
fn compare_refuses_a_scenario_without_policies() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data("small.toml")).unwrap();
    let cut = text.find("[[policy]]").unwrap();
    let path = dir.path().join("nopolicy.toml");
    std::fs::write(&path, &text[..cut]).unwrap();
    let out = common::fails_with(
        2,
        &[
            "compare",
            path.to_str().unwrap(),
            "--out",
            dir.path().join("o").to_str().unwrap(),
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("declares no [[policy]]"));
    assert!(!dir.path().join("o").exists());
}
