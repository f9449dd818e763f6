//! `greatgame play`: a game equals a one-shot run of its scenario with its moves written in, byte for
//! byte; branches are paired (a no-op branch differs by exactly zero); signposts, turns, storylines,
//! attribution and the report on a game's folder; bad moves exit 2 and change nothing; and the
//! facilitator's session of the README, command by command.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::common::{data, describe, records, shell_words};

/// Runs `greatgame args` in `dir`; returns its output.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> Output {
    crate::common::command()
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Runs `greatgame args` in `dir` and asserts it succeeded; returns stdout.
pub(crate) fn ok_in(dir: &Path, args: &[&str]) -> String {
    let out = run_in(dir, args);
    assert!(
        out.status.success(),
        "expected success\n{}",
        describe(args, &out)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `greatgame args` in `dir` and asserts exit 2; returns stderr.
pub(crate) fn input_error_in(dir: &Path, args: &[&str]) -> String {
    let out = run_in(dir, args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "expected exit 2\n{}",
        describe(args, &out)
    );
    String::from_utf8(out.stderr).unwrap()
}

pub(crate) fn small() -> String {
    data("small.toml").display().to_string()
}

/// A game of the small scenario with 200 runs and `seed`, played to 2020Q4, saved as `save` in `dir`
/// with its outputs in `out`.
fn small_game_as(dir: &Path, seed: &str, save: &str, out: &str) {
    let args = "--runs 200 --to 2020Q4 -q --seed".split(' ');
    let mut full: Vec<&str> = vec!["play", "--save", save, "--out", out];
    full.extend(args);
    full.push(seed);
    let small = small();
    full.push(&small);
    ok_in(dir, &full);
}

/// The game `g.json` (seed 5, outputs in `o`).
fn small_game(dir: &Path) {
    small_game_as(dir, "5", "g.json", "o");
}

#[test]
fn a_game_equals_a_one_shot_run_of_its_scenario_with_its_moves_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    small_game(dir);
    ok_in(
        dir,
        &[
            "play",
            "g.json",
            "--inject",
            "spillover",
            "--state",
            "AAA,BBB",
            "--set",
            "NATO.BBB.aid_usd_m=300",
            "--to",
            "2021Q2",
            "--out",
            "o",
            "-q",
        ],
    );
    let stdout = ok_in(
        dir,
        &[
            "play",
            "g.json",
            "--inject",
            "sanctions",
            "--to",
            "2021Q4",
            "--out",
            "o",
            "-q",
            "--export",
            "x.toml",
        ],
    );
    assert!(
        stdout.contains("move from 2021Q3: inject sanctions"),
        "{stdout}"
    );
    ok_in(
        dir,
        &[
            "run",
            "x.toml",
            "--runs",
            "200",
            "--seed",
            "5",
            "--out",
            "r",
            "-q",
            "--threads",
            "1",
        ],
    );
    for name in ["summary.csv", "outcomes.csv", "events.csv", "runs.csv"] {
        assert!(
            fs::read(dir.join("o").join(name)).unwrap()
                == fs::read(dir.join("r").join(name)).unwrap(),
            "{name} differs between the game and the one-shot run"
        );
    }
    let sha = |d: &str| {
        let m: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join(d).join("manifest.json")).unwrap()).unwrap();
        m["scenario_sha256"].as_str().unwrap().to_string()
    };
    assert_eq!(sha("o"), sha("r"));
    ok_in(dir, &["verify", "o"]);
    // The moves are in the journal at the quarters they took effect, and they matter.
    let game: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("g.json")).unwrap()).unwrap();
    let quarters: Vec<&str> = game["journal"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["quarter"].as_str().unwrap())
        .collect();
    assert_eq!(quarters, ["2021Q1", "2021Q1", "2021Q3"]);
    ok_in(
        dir,
        &[
            "run",
            &small(),
            "--runs",
            "200",
            "--seed",
            "5",
            "--out",
            "plain",
            "-q",
        ],
    );
    assert_ne!(
        fs::read(dir.join("o/summary.csv")).unwrap(),
        fs::read(dir.join("plain/summary.csv")).unwrap()
    );
}

/// The data rows of a branch comparison: (state-or-empty, pole, diff, ci, lead, lead ci).
fn comparison_rows(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .filter(|l| l.contains('[') && l.contains(']'))
        .map(|l| {
            let l = l.replace(", ", ",");
            l.split_whitespace().map(str::to_string).collect()
        })
        .collect()
}

#[test]
fn a_no_op_branch_differs_by_exactly_zero_and_a_move_by_something() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    small_game(dir);
    ok_in(
        dir,
        &[
            "play", "g.json", "--branch", "same", "--to", "2021Q4", "--out", "ob", "-q",
        ],
    );
    assert!(
        dir.join("g-same.json").is_file(),
        "the branch is saved beside the game"
    );
    ok_in(
        dir,
        &["play", "g.json", "--to", "2021Q4", "--out", "o", "-q"],
    );
    assert_eq!(
        fs::read(dir.join("o/summary.csv")).unwrap(),
        fs::read(dir.join("ob/summary.csv")).unwrap()
    );
    let stdout = ok_in(dir, &["play", "g.json", "--compare", "g-same.json"]);
    let rows = comparison_rows(&stdout);
    assert_eq!(rows.len(), 9, "3 states x 3 poles\n{stdout}");
    for row in &rows {
        let n = row.len();
        assert_eq!(
            &row[n - 4..],
            ["+0.00", "[+0.00,+0.00]", "+0.0", "[+0.0,+0.0]"],
            "{stdout}"
        );
    }
    ok_in(
        dir,
        &[
            "play",
            "g.json",
            "--branch",
            "aid",
            "--set",
            "NATO.BBB.aid_usd_m=900",
            "--to",
            "2022Q4",
            "--out",
            "oc",
            "-q",
        ],
    );
    let stdout = ok_in(dir, &["play", "g-aid.json", "--compare", "g.json"]);
    assert!(
        stdout.contains("at the end of 2021Q4"),
        "the last quarter both played\n{stdout}"
    );
    // Before the main line plays on, the branch's aid has not yet taken effect in 2021Q4.
    assert!(comparison_rows(&stdout)
        .iter()
        .all(|r| r.contains(&"+0.00".to_string())));
    ok_in(
        dir,
        &["play", "g.json", "--to", "2022Q4", "--out", "o", "-q"],
    );
    let stdout = ok_in(
        dir,
        &[
            "play",
            "g.json",
            "--compare",
            "g-aid.json",
            "--out",
            "cmp",
            "--report",
        ],
    );
    // The report of a branch comparison: the page, self-contained, with its chart and both tables.
    let page = fs::read_to_string(dir.join("cmp/report.html")).unwrap();
    for part in [
        "Branch aid against main",
        "id=\"branches\"",
        "id=\"branches-over-time\"",
        "<svg",
        "2022Q4",
    ] {
        assert!(page.contains(part), "{part} missing from the page");
    }
    assert!(
        !page.contains("src=\"http") && !page.contains("<script"),
        "loads nothing and runs no script"
    );
    // branches.csv: every quarter both played (2020Q1-2022Q4) x 3 states x 3 poles; exactly zero in
    // every quarter before the fork (run by run the same), and the folder verifies.
    let csv = records(&dir.join("cmp/branches.csv"));
    assert_eq!(csv.len(), 12 * 9, "{stdout}");
    for r in csv.iter().filter(|r| r["quarter"].as_str() < "2022Q1") {
        for k in ["difference", "ci95_low", "ci95_high", "lead_difference"] {
            assert_eq!(r[k].parse::<f64>().unwrap(), 0.0, "{r:?}");
        }
    }
    let last = csv
        .iter()
        .find(|r| r["quarter"] == "2022Q4" && r["state"] == "BBB" && r["pole"] == "NATO")
        .unwrap();
    assert!(last["difference"].parse::<f64>().unwrap() > 0.0, "{last:?}");
    ok_in(dir, &["verify", "cmp"]);
    let rows = comparison_rows(&stdout);
    let nato_bbb = rows
        .iter()
        .find(|r| r[0] == "BBB")
        .unwrap_or_else(|| panic!("{stdout}"));
    let diff: f64 = nato_bbb[4].parse().unwrap();
    assert!(
        diff > 0.0,
        "more NATO aid raises NATO's share in BBB\n{stdout}"
    );
    assert!(stdout.contains("forked after 8 quarters"), "{stdout}");
}

#[test]
fn a_turn_shows_the_situation_what_happened_and_the_signposts_within_100_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    small_game(dir);
    let stdout = ok_in(
        dir,
        &[
            "play",
            "g.json",
            "--inject",
            "spillover",
            "--state",
            "BBB",
            "--watch",
            "AAA.share.NATO > 0",
            "--watch",
            "BBB.dominant=NATO >= 0.99",
            "--to",
            "2021Q2",
            "--out",
            "o",
            "-q",
        ],
    );
    for needle in [
        "Situation at the end of 2021Q2 (200 runs)",
        "change since the end of 2020Q4",
        "What happened in 2021Q1..2021Q2",
        "100.0%  spillover struck BBB",
        "MET      AAA.share.NATO > 0: in 2021Q1",
        "not met  BBB.dominant=NATO >= 0.99",
    ] {
        assert!(stdout.contains(needle), "no `{needle}` in\n{stdout}");
    }
    assert!(stdout.lines().all(|l| l.chars().count() <= 100), "{stdout}");
    // Each signpost's value is on its level's scale (0..1) and says what it measures.
    let value_after = |line: &str, unit: &str| -> f64 {
        let at = line
            .rfind(unit)
            .unwrap_or_else(|| panic!("no `{unit}` in `{line}`"));
        let rest = line[at + unit.len()..].trim_start();
        rest.split(|c: char| c != '.' && !c.is_ascii_digit())
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or_else(|| panic!("no value after `{unit}` in `{line}`"))
    };
    let share = stdout
        .lines()
        .find(|l| l.contains("MET      AAA.share.NATO"))
        .unwrap();
    assert!(
        (0.0..=1.0).contains(&value_after(share, "now mean share")),
        "{share}"
    );
    let runs = stdout
        .lines()
        .find(|l| l.contains("not met  BBB.dominant"))
        .unwrap();
    assert!(runs.ends_with(" of runs"), "{runs}");
    let now = &runs[runs.rfind("now ").unwrap() + 4..];
    let now: f64 = now.trim_end_matches(" of runs").parse().unwrap();
    assert!((0.0..0.99).contains(&now), "{runs}");
    // The signposts stay in the game for the next turn.
    let stdout = ok_in(
        dir,
        &["play", "g.json", "--to", "2021Q3", "--out", "o", "-q"],
    );
    assert!(stdout.contains("AAA.share.NATO > 0: in 2021Q3"), "{stdout}");
    // A storyline tells the injected spillover in its quarter.
    let stdout = ok_in(
        dir,
        &[
            "play",
            "g.json",
            "--storyline",
            "3",
            "--out",
            "o",
            "-q",
            "--trajectories",
            "--report",
        ],
    );
    let html = fs::read_to_string(dir.join("o/report.html")).unwrap();
    assert!(
        html.contains("id=\"storylines\""),
        "a game's report tells its runs"
    );
    assert!(html.contains("A game played turn by turn (<code>greatgame play</code>) to 2021Q3"));
    assert!(dir.join("o/trajectories.csv").is_file());
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("2021Q1"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains("spillover struck BBB"), "{line}");
}

#[test]
fn bad_moves_exit_2_and_leave_the_game_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    small_game(dir);
    let before = fs::read(dir.join("g.json")).unwrap();
    for (args, says) in [
        (vec!["--to", "2020Q2"], "the game is played to 2020Q4"),
        (vec!["--inject", "coup"], "spillover"),
        (
            vec!["--inject", "sanctions", "--state", "AAA"],
            "strikes a pole",
        ),
        (vec!["--set", "NATO.AAA.aid=5"], "aid_usd_m"),
        (vec!["--set", "NATO.AAA.aid_usd_m=-1"], "out of range"),
        (vec!["--policy", "more_aid"], "more_nato_aid"),
        (vec!["--policy", "no_op"], "changes nothing from 2021Q1"),
        (vec!["--watch", "AAA.dominant=Rome > 0.5"], "NATO"),
        (vec!["--storyline", "200"], "runs 0..200"),
        (vec!["--runs", "10"], "keeps the runs and seed"),
    ] {
        let mut full = vec!["play", "g.json", "--out", "o", "-q"];
        full.extend(args.iter().copied());
        let stderr = input_error_in(dir, &full);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert_eq!(fs::read(dir.join("g.json")).unwrap(), before, "{args:?}");
    }
    let stderr = input_error_in(
        dir,
        &[
            "play",
            &small(),
            "--set",
            "NATO.AAA.aid_usd_m=5",
            "--save",
            "s.json",
            "-q",
        ],
    );
    assert!(stderr.contains("absorbed into the rest point"), "{stderr}");
    assert!(!dir.join("s.json").exists());
    let tampered = String::from_utf8(before.clone())
        .unwrap()
        .replace("quarters = 12", "quarters = 13");
    fs::write(dir.join("t.json"), tampered).unwrap();
    let stderr = input_error_in(dir, &["play", "t.json", "--to", "2021Q1", "-q"]);
    assert!(stderr.contains("scenario_sha256"), "{stderr}");
    small_game_as(dir, "6", "h.json", "oh");
    let stderr = input_error_in(dir, &["play", "g.json", "--compare", "h.json"]);
    assert!(stderr.contains("not a branch of the same game"), "{stderr}");
}

#[test]
fn attribution_and_storylines_reach_the_csv_stdout_and_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let stdout = ok_in(
        dir,
        &[
            "run",
            &small(),
            "--runs",
            "200",
            "--attribution",
            "--report",
            "--out",
            "r",
            "-q",
        ],
    );
    assert!(
        stdout.contains("Why: each cause switched off in turn"),
        "{stdout}"
    );
    for code in ["AAA", "BBB", "NEU"] {
        assert!(
            stdout.contains(&format!("{code} ({code}), start to 2022Q4")),
            "{stdout}"
        );
    }
    assert!(stdout.contains("  1. "), "{stdout}");
    assert!(stdout.lines().all(|l| l.chars().count() <= 100), "{stdout}");
    let rows = records(&dir.join("r/attribution.csv"));
    for (state, pole, measure) in [("AAA", "NATO", "share"), ("NEU", "China", "lead")] {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r["state"] == state && r["pole"] == pole && r["measure"] == measure)
            .collect();
        assert_eq!(mine.first().unwrap()["kind"], "shift");
        assert_eq!(mine.last().unwrap()["kind"], "residual");
        let kinds: Vec<&str> = mine.iter().map(|r| r["kind"].as_str()).collect();
        for kind in ["lever", "event", "inject", "reaction", "decision"] {
            assert!(
                kinds.contains(&kind),
                "{state} {pole} {measure}: no {kind} in {kinds:?}"
            );
        }
        for r in &mine {
            let (e, lo, hi): (f64, f64, f64) = (
                r["effect"].parse().unwrap(),
                r["ci95_low"].parse().unwrap(),
                r["ci95_high"].parse().unwrap(),
            );
            assert!(lo <= e && e <= hi, "{r:?}");
        }
    }
    // The scheduled aid cut (20 -> 5 from 2021Q1) lowers NATO's share in AAA.
    let cut = rows
        .iter()
        .find(|r| {
            r["state"] == "AAA"
                && r["pole"] == "NATO"
                && r["measure"] == "share"
                && r["cause"].starts_with("NATO aid_usd_m to AAA 20 -> 5 from 2021Q1")
        })
        .unwrap_or_else(|| panic!("no aid cut among the causes"));
    assert!(cut["ci95_high"].parse::<f64>().unwrap() < 0.0, "{cut:?}");
    let stories = records(&dir.join("r/storylines.csv"));
    assert_eq!(stories.len(), 3 * 12, "three runs, twelve quarters each");
    let html = fs::read_to_string(dir.join("r/report.html")).unwrap();
    for section in [
        "id=\"attribution\"",
        "id=\"storylines\"",
        "Why the states moved",
    ] {
        assert!(html.contains(section), "no {section}");
    }
    ok_in(dir, &["verify", "r"]);
    // A later run without --attribution into the same folder removes the stale files.
    ok_in(dir, &["run", &small(), "--runs", "50", "--out", "r", "-q"]);
    assert!(!dir.join("r/attribution.csv").exists());
    assert!(!dir.join("r/storylines.csv").exists());
}

/// The commands of the README's facilitator session (the shell block after its marker), each as
/// words, continuation lines joined and comments dropped.
fn readme_session() -> Vec<Vec<String>> {
    let readme = fs::read_to_string(crate::common::root().join("README.md")).unwrap();
    let from = readme
        .find("<!-- facilitator-session: tests/it/play.rs runs these commands -->")
        .expect("the README's facilitator session marker");
    let block = &readme[from..];
    let start = block.find("```sh\n").unwrap() + 6;
    let end = start + block[start..].find("```").unwrap();
    let joined = block[start..end].replace("\\\n", " ");
    joined
        .lines()
        .map(|l| l.split(" # ").next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .map(shell_words)
        .collect()
}

#[test]
fn the_readme_facilitator_session_runs_command_by_command() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let session = readme_session();
    assert!(session.len() >= 7, "{session:?}");
    let mut injected = 0;
    let mut watched_rule = false;
    for words in &session {
        assert_eq!(words[0], "greatgame", "{words:?}");
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let stdout = ok_in(dir, &args);
        injected += usize::from(args.contains(&"--inject"));
        if args.contains(&"--compare") {
            assert!(!comparison_rows(&stdout).is_empty(), "{stdout}");
        }
        if args.contains(&"--report") {
            assert!(stdout.contains("report in "), "{stdout}");
        }
        if args.contains(&"--watch-file") {
            assert!(
                stdout.contains("UZB.dominant=Russia < 0.5") && args.contains(&"--policy"),
                "the session watches the discovered rule and adopts a policy\n{stdout}"
            );
        }
        watched_rule |= args.contains(&"--watch-file");
    }
    assert!(watched_rule, "the session watches a discovered rule");
    assert!(injected >= 1, "the session injects");
    let game: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("game.json")).unwrap()).unwrap();
    assert!(
        game["played"].as_u64().unwrap() >= 12,
        "three turns and more"
    );
    assert!(dir.join("out/game-lending/report.html").is_file());
    ok_in(dir, &["verify", "out/game", "out/game-lending"]);
}
