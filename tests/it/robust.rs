//! `compare`'s paired differences beyond the horizon shares (issue 15 item 6): every quarter's share
//! differences (paired.csv), every outcome probability's (paired_outcomes.csv), and, over runs that draw
//! their own parameters, each policy's expected effect, regret and probability of beating the baseline
//! (robust.csv).

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{data, ok, records};

type Row = BTreeMap<String, String>;

fn num(r: &Row, col: &str) -> f64 {
    r[col].parse().unwrap()
}

/// `compare` of `scenario` with `runs` runs into `out`; returns its stdout.
fn compare(scenario: &Path, runs: &str, out: &Path) -> String {
    let o = ok(&[
        "compare",
        scenario.to_str().unwrap(),
        "--runs",
        runs,
        "--out",
        out.to_str().unwrap(),
    ]);
    // Words only: the text is wrapped at 100 columns.
    String::from_utf8(o.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn paired_csv_has_every_policy_quarter_state_and_pole_and_ends_at_compare_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let stdout = compare(&data("small.toml"), "400", &out);
    assert!(
        stdout.contains("Ranked by the mean absolute paired change"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cover the model's randomness only"),
        "{stdout}"
    );
    let paired = records(&out.join("paired.csv"));
    let policies: Vec<String> = {
        let mut p: Vec<String> = records(&out.join("compare.csv"))
            .iter()
            .map(|r| r["policy"].clone())
            .collect();
        p.dedup();
        p
    };
    // small.toml: 12 quarters from 2020Q1, 3 states, 3 poles.
    assert_eq!(paired.len(), policies.len() * 12 * 3 * 3);
    let quarters: std::collections::BTreeSet<&str> =
        paired.iter().map(|r| r["quarter"].as_str()).collect();
    assert_eq!(quarters.len(), 12);
    assert!(quarters.contains("2020Q1") && quarters.contains("2022Q4"));
    // The last quarter's differences are compare.csv's, and every interval holds its mean.
    for c in records(&out.join("compare.csv")) {
        let last = paired
            .iter()
            .find(|r| {
                r["quarter"] == "2022Q4"
                    && r["policy"] == c["policy"]
                    && r["state"] == c["state"]
                    && r["pole"] == c["pole"]
            })
            .unwrap();
        assert_eq!(last["mean_difference"], c["mean_difference"], "{c:?}");
        assert_eq!(last["ci95_low"], c["ci95_low"]);
    }
    for r in &paired {
        assert!(num(r, "ci95_low") <= num(r, "mean_difference"));
        assert!(num(r, "mean_difference") <= num(r, "ci95_high"));
        if r["policy"] == "no_op" {
            assert_eq!(num(r, "mean_difference"), 0.0, "{r:?}");
            assert_eq!(num(r, "ci95_high"), 0.0, "{r:?}");
        }
    }
}

#[test]
fn paired_outcomes_are_the_probability_differences_with_their_discordant_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    compare(&data("small.toml"), "400", &out);
    let rows = records(&out.join("paired_outcomes.csv"));
    let outcomes = records(&out.join("outcomes.csv"));
    // Per policy: 3 states x (3 poles x dominant, base, transit + 3 blocs).
    let policies = rows
        .iter()
        .map(|r| r["policy"].as_str())
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(rows.len(), policies.len() * 3 * (3 * 3 + 3));
    let mut moved = 0;
    for r in &rows {
        let (g, l) = (num(r, "gained_runs"), num(r, "lost_runs"));
        let d = num(r, "difference");
        assert!((d - (g - l) / 400.0).abs() < 1e-6, "{r:?}");
        let by_probability = num(r, "policy_probability") - num(r, "baseline_probability");
        assert!((d - by_probability).abs() < 2e-6, "{r:?}");
        assert!(num(r, "ci95_low") <= d && d <= num(r, "ci95_high"));
        if r["policy"] == "no_op" {
            assert_eq!(
                (g, l),
                (0.0, 0.0),
                "a policy that changes nothing changes no outcome"
            );
        }
        if g + l > 0.0 {
            moved += 1;
        }
        // The baseline's probability is outcomes.csv's.
        let kind = match r["outcome"].as_str() {
            "dominant" => "dominant",
            "base" => "base",
            "transit" => "transit",
            _ => "bloc",
        };
        if let Some(o) = outcomes.iter().find(|o| {
            o["policy"] == "baseline"
                && o["state"] == r["state"]
                && o["outcome"] == kind
                && o["subject"] == r["subject"]
        }) {
            assert_eq!(
                num(o, "probability"),
                num(r, "baseline_probability"),
                "{r:?}"
            );
        }
    }
    assert!(moved > 0, "some policy changes some outcome in some run");
}

#[test]
fn over_drawn_parameters_compare_ranks_policies_by_regret_and_writes_robust_csv() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    let text = std::fs::read_to_string(data("small.toml")).unwrap()
        + "\n[[uncertain]]\npath = \"model.economic_weight\"\ndistribution = \"uniform\"\nlow = 0.3\nhigh = 0.9\nreason = \"test\"\n";
    std::fs::write(&scenario, text).unwrap();
    let out = dir.path().join("o");
    let stdout = compare(&scenario, "300", &out);
    assert!(
        stdout.contains("each run with its own drawn parameters"),
        "{stdout}"
    );
    assert!(
        stdout.contains("ranked by the 90th-percentile regret"),
        "{stdout}"
    );
    let rows = records(&out.join("robust.csv"));
    let policies = records(&out.join("compare.csv"))
        .iter()
        .map(|r| r["policy"].clone())
        .collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        rows.len(),
        policies.len() * 9,
        "every policy, state and pole"
    );
    for r in &rows {
        for m in [
            "expected_effect",
            "max_regret",
            "regret_p90",
            "beats_baseline",
        ] {
            let (lo, x, hi) = (
                num(r, &format!("{m}_low")),
                num(r, m),
                num(r, &format!("{m}_high")),
            );
            assert!(
                lo <= x + 1e-9 && x <= hi + 1e-9,
                "{m} outside its interval: {r:?}"
            );
        }
        assert!(num(r, "regret_p90") <= num(r, "max_regret") + 1e-9);
        assert!((0.0..=1.0).contains(&num(r, "beats_baseline")));
        if r["policy"] == "no_op" {
            assert_eq!(num(r, "expected_effect"), 0.0);
            assert_eq!(
                num(r, "beats_baseline"),
                0.0,
                "ties do not beat the baseline"
            );
        }
    }
    // The expected effect is compare.csv's mean difference (both average the same paired runs).
    for c in records(&out.join("compare.csv")) {
        let r = rows
            .iter()
            .find(|r| {
                r["policy"] == c["policy"] && r["state"] == c["state"] && r["pole"] == c["pole"]
            })
            .unwrap();
        assert!(
            (num(r, "expected_effect") - num(&c, "mean_difference")).abs() < 2e-6,
            "{r:?} {c:?}"
        );
    }
    // Without drawn parameters there is no robust.csv.
    compare(&data("small.toml"), "300", &out);
    assert!(!out.join("robust.csv").exists());
}
