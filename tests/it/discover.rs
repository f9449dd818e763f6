//! `greatgame discover`: PRIM recovers a rule planted in a synthetic experiments.csv, reports it in
//! words with coverage and density, and refuses bad conditions with exit 2.

use std::fmt::Write;

use crate::common::{fails_with, ok, records};

/// A synthetic experiments.csv of 2,000 futures over inputs x1, x2, x3 in [0, 1) (a fixed
/// pseudo-random sequence) where the outcome holds exactly when x1 > 0.6 and x2 < 0.3.
fn planted() -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        // SplitMix64.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut text = String::from("point,policy,x1,x2,x3,S.bloc.B@2027Q4,S.share.P@2027Q4\n");
    for i in 0..2000 {
        let (x1, x2, x3) = (next(), next(), next());
        let hit = x1 > 0.6 && x2 < 0.3;
        writeln!(text, "{i},baseline,{x1},{x2},{x3},{},{}", u8::from(hit), x3).unwrap();
    }
    text
}

#[test]
fn prim_recovers_a_planted_box_and_states_it_as_a_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("experiments.csv");
    std::fs::write(&csv, planted()).unwrap();
    let out = tmp.path().join("d");
    let stdout = String::from_utf8(
        ok(&[
            "discover",
            csv.to_str().unwrap(),
            "--where",
            "S.bloc.B@2027Q4 > 0.5",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout,
    )
    .unwrap();
    let limits = records(&out.join("prim_box.csv"));
    let limit = |name: &str| limits.iter().find(|r| r["input"] == name).unwrap().clone();
    let (x1, x2, x3) = (limit("x1"), limit("x2"), limit("x3"));
    assert_eq!(x1["restricted"], "true");
    assert_eq!(x2["restricted"], "true");
    assert_eq!(x3["restricted"], "false", "x3 plays no part");
    let lo1: f64 = x1["lo"].parse().unwrap();
    let hi2: f64 = x2["hi"].parse().unwrap();
    assert!((lo1 - 0.6).abs() < 0.03, "x1 from {lo1}");
    assert!((hi2 - 0.3).abs() < 0.03, "x2 up to {hi2}");
    assert!(
        stdout.contains("x1 was at least") && stdout.contains("x2 was at most"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(density)") && stdout.contains("(coverage)"),
        "{stdout}"
    );
    let trajectory = records(&out.join("prim_trajectory.csv"));
    let chosen = trajectory.iter().find(|r| r["chosen"] == "true").unwrap();
    let density: f64 = chosen["density"].parse().unwrap();
    let coverage: f64 = chosen["coverage"].parse().unwrap();
    assert!(
        density > 0.9 && coverage >= 0.5,
        "density {density}, coverage {coverage}"
    );
    let first: f64 = trajectory[0]["coverage"].parse().unwrap();
    assert_eq!(first, 1.0, "box 0 holds every future");
}

#[test]
fn bad_conditions_and_columns_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("experiments.csv");
    std::fs::write(&csv, planted()).unwrap();
    let c = csv.to_str().unwrap();
    let syntax = fails_with(2, &["discover", c, "--where", "S.bloc.B@2027Q4 is high"]);
    assert!(String::from_utf8_lossy(&syntax.stderr).contains("COLUMN OP NUMBER"));
    let column = fails_with(2, &["discover", c, "--where", "S.bloc.X@2027Q4 > 0.5"]);
    assert!(String::from_utf8_lossy(&column.stderr).contains("not an outcome column"));
    let never = fails_with(2, &["discover", c, "--where", "S.bloc.B@2027Q4 > 2"]);
    assert!(String::from_utf8_lossy(&never.stderr).contains("holds in 0 of 2000 rows"));
    let k = fails_with(
        2,
        &[
            "discover",
            c,
            "--where",
            "S.bloc.B@2027Q4 > 0.5",
            "--box",
            "9999",
        ],
    );
    assert!(String::from_utf8_lossy(&k.stderr).contains("--box 9999"));
    assert!(!tmp.path().join("discover").exists());
}

/// Over a design whose factor is a calibrated ensemble, discover peels on the sets' values and never on
/// the set's index (an arbitrary id).
#[test]
fn discover_peels_on_an_ensemble_s_values_never_on_its_set_index() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let scenario = dir.join("s.toml");
    std::fs::copy(crate::common::data("small.toml"), &scenario).unwrap();
    // Twenty sets of AAA's starting Russia share, with a second column that does nothing to AAA.
    let mut sets =
        String::from("set,distance,passed,state.AAA.alignment.Russia,model.rent_weight\n");
    for k in 0..20 {
        let share = 0.1 + 0.03 * f64::from(k);
        sets.push_str(&format!(
            "{k},0,1,{share},{}\n",
            0.8 + 0.01 * f64::from(k % 3)
        ));
    }
    std::fs::write(dir.join("sets.csv"), sets).unwrap();
    let ex = dir.join("ex");
    ok(&[
        "explore",
        scenario.to_str().unwrap(),
        "--design",
        "lhs",
        "--samples",
        "40",
        "--runs",
        "20",
        "--factor",
        "model.mood_sd=0.05..0.2",
        "--parameters",
        dir.join("sets.csv").to_str().unwrap(),
        "--out",
        ex.to_str().unwrap(),
    ]);
    let out = dir.join("d");
    let stdout = String::from_utf8(
        ok(&[
            "discover",
            ex.to_str().unwrap(),
            "--where",
            "AAA.dominant.Russia@2022Q4 > 0.5",
            "--policy",
            "baseline",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout,
    )
    .unwrap();
    let limits = records(&out.join("prim_box.csv"));
    let inputs: Vec<&str> = limits.iter().map(|r| r["input"].as_str()).collect();
    assert_eq!(
        inputs,
        [
            "model.mood_sd",
            "state.AAA.alignment.Russia",
            "model.rent_weight"
        ]
    );
    let share = limits
        .iter()
        .find(|r| r["input"] == "state.AAA.alignment.Russia")
        .unwrap();
    assert_eq!(share["restricted"], "true", "{stdout}");
    assert!(!stdout.contains("parameters.set"), "{stdout}");
    for r in records(&out.join("prim_trajectory.csv")) {
        assert!(!r["restricts"].contains("parameters.set"), "{r:?}");
    }
}
