//! Every kind of policy is a move: a game that adopts a policy (lever, reaction or hazard changes) or
//! changes a reaction rule or a hazard with `--set` equals, byte for byte, a one-shot run of its
//! exported scenario, and equals the scenario's own policy run from the move's quarter; before that
//! quarter the move changes nothing, run by run.

use std::fs;
use std::path::Path;

use crate::common::records;
use crate::play::{input_error_in, ok_in, small};

/// Three policies for the small scenario, one of each kind.
const POLICIES: &str = r#"
[[policy]]
name = "aid_tripled"
[[policy.change]]
pole = "NATO"
lever = "aid_usd_m"
scale = 3.0

[[policy]]
name = "restraint"
[[policy.reaction]]
name = "nato_cuts_aid"
chance = 0.2
scale = 0.9

[[policy]]
name = "unrest"
[[policy.event]]
name = "spillover"
hazard_scale = 5.0
"#;

/// The CSVs a game and a one-shot run must share.
const FILES: [&str; 4] = ["summary.csv", "outcomes.csv", "events.csv", "runs.csv"];

fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

fn num(cell: &str) -> f64 {
    cell.parse().unwrap()
}

/// The text without the first field of each line (the plan's name, `policy`).
fn without_plan(text: &str) -> String {
    text.lines()
        .map(|l| l.split_once(',').map_or(l, |(_, rest)| rest))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Three weighted parameter sets of numbers the small scenario takes: a coefficient and a hazard.
pub(crate) const SETS: &str =
    "set,weight,distance,passed,model.economic_weight,event.crackdown.hazard\n\
                    0,0.5,0,1,0.3,0.1\n1,0.3,0,1,0.6,0.4\n2,0.2,0,1,0.9,0.02\n";

#[test]
fn every_kind_of_policy_is_a_move_equal_to_a_one_shot_run_and_silent_before_its_quarter() {
    every_kind_of_policy(false);
}

/// The same with a parameter ensemble: each run draws its set (the same in run `i` of every branch),
/// the moves apply on top of it, and the game still equals a one-shot run of its export (which names
/// the ensemble), run by run, with nothing changed before the move's quarter.
#[test]
fn every_kind_of_policy_is_a_move_on_top_of_each_run_s_drawn_parameters() {
    every_kind_of_policy(true);
}

fn every_kind_of_policy(ensemble: bool) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let scenario = fs::read_to_string(small()).unwrap() + POLICIES;
    fs::write(dir.join("s.toml"), scenario).unwrap();
    fs::write(dir.join("sets.csv"), SETS).unwrap();
    let common = ["--runs", "200", "--seed", "5", "-q"];
    let with = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(common.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let ok = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ok_in(dir, &args)
    };
    // Only the game's start and the scenario's own policy run are told the ensemble: the exports
    // name it themselves, and later turns of the game keep it.
    let drawn: &[&str] = match ensemble {
        true => &["--parameters", "sets.csv"],
        false => &[],
    };
    let start = [
        &[
            "play", "s.toml", "--to", "2020Q4", "--save", "g.json", "--out", "o",
        ],
        drawn,
    ]
    .concat();
    let stdout = ok(with(&start));
    assert_eq!(
        stdout.contains("runs draw 3 calibrated parameter sets"),
        ensemble,
        "{stdout}"
    );
    // The game's moves of each kind, made in 2021Q1 on a branch of their own.
    let kinds: [(&str, &[&str], Option<&str>); 5] = [
        ("levers", &["--policy", "aid_tripled"], Some("aid_tripled")),
        ("reactions", &["--policy", "restraint"], Some("restraint")),
        ("hazards", &["--policy", "unrest"], Some("unrest")),
        (
            "rule",
            &["--set", "reaction.nato_cuts_aid.enabled=false"],
            None,
        ),
        ("hazard", &["--set", "event.spillover.hazard_scale=5"], None),
    ];
    let game = |args: &[&str]| {
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        a.extend(["-q".to_string()]);
        ok(a)
    };
    for (branch, moves, policy) in kinds {
        let save = format!("{branch}.json");
        let export = format!("{branch}.toml");
        let out = format!("o-{branch}");
        let mut args = vec![
            "play", "g.json", "--branch", branch, "--save", &save, "--out", &out,
        ];
        args.extend(moves);
        args.extend(["--to", "2022Q4", "--export", &export]);
        let stdout = game(&args);
        assert!(stdout.contains("move from 2021Q1: "), "{stdout}");
        // A one-shot run of the exported scenario with the game's plan: byte for byte.
        let one = format!("r-{branch}");
        ok(with(&[
            "run",
            &export,
            "--policy",
            branch,
            "--out",
            &one,
            "--threads",
            "1",
        ]));
        for f in FILES {
            assert!(
                read(&dir.join(&out), f) == read(&dir.join(&one), f),
                "{branch}: {f} differs between the game and the one-shot run of its scenario"
            );
        }
        assert_eq!(
            dir.join(&one).join("parameters.csv").exists(),
            ensemble,
            "{branch}: the export draws the game's ensemble, and only then"
        );
        // A policy adopted in 2021Q1 is the scenario's policy from 2021Q1.
        if let Some(name) = policy {
            let from = format!("policy.{name}.from=2021Q1");
            let p = format!("p-{branch}");
            ok(with(
                &[
                    &[
                        "run", "s.toml", "--set", &from, "--policy", name, "--out", &p,
                    ],
                    drawn,
                ]
                .concat(),
            ));
            for f in FILES {
                assert_eq!(
                    without_plan(&read(&dir.join(&out), f)),
                    without_plan(&read(&dir.join(&p), f)),
                    "{branch}: {f} differs from {name} run from 2021Q1"
                );
            }
        }
    }
    // Run by run, nothing changes before 2021Q1, and something after.
    game(&["play", "g.json", "--to", "2022Q4", "--out", "o"]);
    for (branch, _, _) in kinds {
        let save = format!("{branch}.json");
        let cmp = format!("c-{branch}");
        game(&["play", "g.json", "--compare", &save, "--out", &cmp]);
        let rows = records(&dir.join(&cmp).join("branches.csv"));
        let (before, after): (Vec<_>, Vec<_>) =
            rows.iter().partition(|r| r["quarter"].as_str() < "2021Q1");
        assert_eq!(
            before.len(),
            4 * 9,
            "{branch}: 2020Q1..2020Q4, 3 states × 3 poles"
        );
        for r in &before {
            assert_eq!(num(&r["difference"]), 0.0, "{branch}: {r:?}");
            assert_eq!(num(&r["lead_difference"]), 0.0, "{branch}: {r:?}");
        }
        assert!(
            after.iter().any(|r| num(&r["difference"]) != 0.0),
            "{branch}: the move changed nothing"
        );
    }
}

#[test]
fn a_plan_move_that_changes_nothing_is_refused_and_the_game_left_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let small = small();
    ok_in(
        dir,
        &[
            "play", &small, "--runs", "50", "--to", "2020Q4", "--save", "g.json", "-q",
        ],
    );
    let before = fs::read(dir.join("g.json")).unwrap();
    for moves in [
        &["--policy", "no_op"][..],
        &["--set", "reaction.russia_punishes.chance=0.5"],
        &["--set", "event.sanctions.hazard_scale=1"],
    ] {
        let mut args = vec!["play", "g.json", "--to", "2021Q4"];
        args.extend(moves);
        let err = input_error_in(dir, &args);
        assert!(err.contains("changes nothing from 2021Q1"), "{err}");
        assert_eq!(fs::read(dir.join("g.json")).unwrap(), before);
    }
    let err = input_error_in(
        dir,
        &[
            "play",
            "g.json",
            "--set",
            "reaction.russia_punishes.chance=2",
        ],
    );
    assert!(err.contains("out of range, expected 0..=1"), "{err}");
}

#[test]
fn a_game_at_the_values_as_written_exports_a_scenario_that_runs_as_the_game_ran() {
    // The built-in scenario names a parameter ensemble; a game begun with `--parameters none` runs at
    // the values as written, and so must a run of its export (which would otherwise draw the
    // ensemble, or not find it).
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let common = ["--runs", "300", "-q"];
    let args =
        |a: &[&'static str]| -> Vec<&'static str> { a.iter().chain(&common).copied().collect() };
    let stdout = ok_in(
        dir,
        &args(&[
            "play",
            "--parameters",
            "none",
            "--to",
            "2019Q2",
            "--export",
            "e.toml",
            "--out",
            "o",
        ]),
    );
    assert!(
        stdout.contains("the scenario's values as written (no parameter ensemble drawn)"),
        "{stdout}"
    );
    let export = fs::read_to_string(dir.join("e.toml")).unwrap();
    assert!(
        !export
            .lines()
            .any(|l| l.trim_start().starts_with("parameters")),
        "the export still names the ensemble"
    );
    ok_in(
        dir,
        &args(&["run", "e.toml", "--seed", "2017", "--out", "r"]),
    );
    for f in FILES {
        assert!(
            read(&dir.join("o"), f) == read(&dir.join("r"), f),
            "{f} differs between the game and a run of its export"
        );
    }
}
