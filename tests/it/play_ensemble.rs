//! A game draws the parameter ensemble its scenario names (or `play --parameters FILE`), as `run`
//! does: its folder equals a one-shot run of its export byte for byte, whatever the thread count; run
//! `i` of every branch draws the same set; the game records the ensemble's file and SHA-256 and
//! refuses to go on when the file has changed or is missing; a game saved before games drew ensembles
//! (no record) goes on at the values as written.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use greatgame::scenario;

use crate::common::{csv_files, data, records};
use crate::play::{input_error_in, ok_in, run_in};
use crate::play_moves::SETS;

/// The CSVs a game and a one-shot run of its export share, the per-run parameter sets included.
const FILES: [&str; 5] = [
    "summary.csv",
    "outcomes.csv",
    "events.csv",
    "runs.csv",
    "parameters.csv",
];

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert!(
            fs::read(a.join(f)).unwrap() == fs::read(b.join(f)).unwrap(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn a_game_of_the_built_in_scenario_draws_its_ensemble_and_equals_a_run_of_its_export() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (name, bytes) = scenario::BUILTIN_FILES[0];
    let stdout = ok_in(
        dir,
        &[
            "play", "--runs", "300", "--to", "2018Q4", "--save", "g.json", "--out", "o", "-q",
        ],
    );
    assert!(
        stdout.contains("(300 runs; runs draw 200 calibrated parameter sets)"),
        "the turn says what its spreads include\n{stdout}"
    );
    let record = &json(&dir.join("g.json"))["parameters"];
    assert_eq!(record["file"], format!("<built-in>/{name}"));
    assert_eq!(record["sha256"], scenario::sha256_hex(bytes));
    // Before any move, the game is `run` of the scenario, which draws the ensemble; at the values
    // as written it is another batch.
    ok_in(dir, &["run", "--runs", "300", "--out", "r0", "-q"]);
    same_files(&dir.join("o"), &dir.join("r0"), &FILES);
    ok_in(
        dir,
        &[
            "run",
            "--runs",
            "300",
            "--parameters",
            "none",
            "--out",
            "p0",
            "-q",
        ],
    );
    assert_ne!(
        fs::read(dir.join("o/summary.csv")).unwrap(),
        fs::read(dir.join("p0/summary.csv")).unwrap()
    );
    // A move, then the export: it names the ensemble, written beside it, and runs as the game ran.
    fs::create_dir(dir.join("x")).unwrap();
    ok_in(
        dir,
        &[
            "play",
            "g.json",
            "--inject",
            "colour_revolution",
            "--state",
            "UZB",
            "--to",
            "2019Q2",
            "--export",
            "x/e.toml",
            "--out",
            "o",
            "-q",
        ],
    );
    let export = fs::read_to_string(dir.join("x/e.toml")).unwrap();
    assert!(
        export.contains(&format!("parameters = \"{name}\"")),
        "the export names the ensemble"
    );
    assert_eq!(fs::read(dir.join("x").join(name)).unwrap(), bytes);
    ok_in(
        dir,
        &[
            "run", "x/e.toml", "--runs", "300", "--seed", "2017", "--out", "r", "-q",
        ],
    );
    same_files(&dir.join("o"), &dir.join("r"), &FILES);
    assert_eq!(
        json(&dir.join("o/manifest.json"))["parameters"]["sha256"],
        json(&dir.join("r/manifest.json"))["parameters"]["sha256"]
    );
    // Exported again into the same folder: the ensemble beside it is the same file, left as it is;
    // another file of that name is not overwritten.
    ok_in(dir, &["play", "g.json", "--export", "x/e.toml", "-q"]);
    fs::write(dir.join("x").join(name), "set,model.mood_sd\n0,0.1\n").unwrap();
    let stderr = input_error_in(dir, &["play", "g.json", "--export", "x/e.toml", "-q"]);
    assert!(stderr.contains("export to another folder"), "{stderr}");
}

/// Plays the same turns with `threads` in `dir`: every stdout and the files of the game's output
/// folder and of its branch's.
fn turns(dir: &Path, threads: &str) -> (Vec<String>, Vec<(String, Vec<u8>)>) {
    let common = ["-q", "--threads", threads];
    let turns: [&[&str]; 3] = [
        &[
            "play", "--runs", "200", "--to", "2018Q4", "--save", "g.json", "--out", "o",
        ],
        &[
            "play",
            "g.json",
            "--inject",
            "colour_revolution",
            "--state",
            "UZB",
            "--watch",
            "UZB.dominant=Russia < 0.5",
            "--to",
            "2019Q4",
            "--attribution",
            "--storyline",
            "5",
            "--out",
            "o",
        ],
        &[
            "play",
            "g.json",
            "--branch",
            "aid",
            "--set",
            "NATO.UZB.aid_usd_m=300",
            "--to",
            "2020Q4",
            "--out",
            "ob",
        ],
    ];
    let mut stdouts = Vec::new();
    for t in turns {
        stdouts.push(ok_in(dir, &[t, &common[..]].concat()));
    }
    stdouts.push(ok_in(dir, &["play", "g.json", "--compare", "g-aid.json"]));
    let mut files = csv_files(&dir.join("o"));
    files.extend(csv_files(&dir.join("ob")));
    (stdouts, files)
}

#[test]
fn a_game_that_draws_its_parameters_is_byte_identical_whatever_the_threads() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, b) = (turns(one.path(), "1"), turns(two.path(), "3"));
    assert_eq!(a.0, b.0, "stdout");
    assert_eq!(a.1, b.1, "the output folder");
    let names: Vec<&str> = a.1.iter().map(|(n, _)| n.as_str()).collect();
    for f in ["attribution.csv", "storylines.csv", "parameters.csv"] {
        assert!(names.contains(&f), "{f} in {names:?}");
    }
    assert!(a.0[1].contains("in each run's own drawn"), "{}", a.0[1]);
    assert!(
        a.0[3].contains("the same parameter set in both"),
        "{}",
        a.0[3]
    );
}

/// A folder with `small.toml` and `sets.csv`, and a game `g.json` of them drawing `sets.csv`, played
/// to 2020Q4 with its outputs in `o`.
fn small_game_drawing() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::copy(data("small.toml"), dir.join("s.toml")).unwrap();
    fs::write(dir.join("sets.csv"), SETS).unwrap();
    ok_in(
        dir,
        &[
            "play",
            "s.toml",
            "--parameters",
            "sets.csv",
            "--runs",
            "100",
            "--to",
            "2020Q4",
            "--save",
            "g.json",
            "--out",
            "o",
            "-q",
        ],
    );
    tmp
}

#[test]
fn run_i_of_every_branch_draws_the_same_set() {
    let tmp = small_game_drawing();
    let dir = tmp.path();
    ok_in(
        dir,
        &[
            "play",
            "g.json",
            "--branch",
            "b",
            "--policy",
            "more_nato_aid",
            "--to",
            "2021Q4",
            "--out",
            "ob",
            "-q",
        ],
    );
    ok_in(
        dir,
        &["play", "g.json", "--to", "2021Q4", "--out", "o", "-q"],
    );
    same_files(&dir.join("o"), &dir.join("ob"), &["parameters.csv"]);
    assert_ne!(
        fs::read(dir.join("o/summary.csv")).unwrap(),
        fs::read(dir.join("ob/summary.csv")).unwrap()
    );
}

#[test]
fn a_game_whose_ensemble_changed_or_is_missing_is_refused_and_left_as_it_was() {
    let tmp = small_game_drawing();
    let dir = tmp.path();
    // Begun with `--parameters sets.csv`, the game names the file by its absolute path.
    let sets = fs::canonicalize(dir.join("sets.csv")).unwrap();
    assert_eq!(
        json(&dir.join("g.json"))["parameters"]["file"],
        sets.display().to_string()
    );
    ok_in(
        dir,
        &["play", "g.json", "--branch", "b", "--to", "2021Q1", "-q"],
    );
    let before = fs::read(dir.join("g.json")).unwrap();
    let summary = fs::read(dir.join("o/summary.csv")).unwrap();
    let old = scenario::sha256_hex(SETS.as_bytes());
    let changed = SETS.replace("0.3,0.1", "0.35,0.1");
    let new = scenario::sha256_hex(changed.as_bytes());
    fs::write(dir.join("sets.csv"), &changed).unwrap();
    for args in [
        &["play", "g.json", "--to", "2021Q4", "--out", "o", "-q"][..],
        &["play", "g.json", "--export", "e.toml", "-q"],
        &["play", "g-b.json", "--compare", "g.json"],
    ] {
        let stderr = input_error_in(dir, args);
        for needle in [old.as_str(), new.as_str(), "restore the file"] {
            assert!(stderr.contains(needle), "{args:?}: no {needle} in {stderr}");
        }
    }
    assert!(!dir.join("e.toml").exists());
    // Another file, or none, for the game's ensemble: refused too.
    fs::write(dir.join("copy.csv"), &changed).unwrap();
    let stderr = input_error_in(dir, &["play", "g.json", "--parameters", "copy.csv", "-q"]);
    assert!(stderr.contains(&old), "{stderr}");
    let stderr = input_error_in(dir, &["play", "g.json", "--parameters", "none", "-q"]);
    assert!(stderr.contains("start a new game"), "{stderr}");
    fs::remove_file(dir.join("sets.csv")).unwrap();
    let stderr = input_error_in(dir, &["play", "g.json", "--to", "2021Q4", "-q"]);
    assert!(
        stderr.contains("cannot be read") && stderr.contains(&old),
        "{stderr}"
    );
    assert_eq!(fs::read(dir.join("g.json")).unwrap(), before);
    assert_eq!(fs::read(dir.join("o/summary.csv")).unwrap(), summary);
    // The same file in a new place: the game goes on, and its record names the new place.
    fs::write(dir.join("moved.csv"), SETS).unwrap();
    ok_in(
        dir,
        &[
            "play",
            "g.json",
            "--parameters",
            "moved.csv",
            "--to",
            "2021Q4",
            "-q",
        ],
    );
    let record = &json(&dir.join("g.json"))["parameters"];
    let moved = fs::canonicalize(dir.join("moved.csv")).unwrap();
    assert_eq!(record["file"], moved.display().to_string());
    assert_eq!(record["sha256"], old);
    ok_in(dir, &["play", "g.json", "--to", "2022Q1", "-q"]);
    // The record names the file by its absolute path, so the game goes on from any folder.
    let elsewhere = tempfile::tempdir().unwrap();
    let game = dir.join("g.json");
    ok_in(
        elsewhere.path(),
        &["play", game.to_str().unwrap(), "--to", "2022Q2", "-q"],
    );
}

#[test]
fn a_game_saved_before_games_drew_ensembles_goes_on_at_the_values_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    ok_in(
        dir,
        &[
            "play", "--runs", "200", "--to", "2018Q4", "--save", "new.json", "-q",
        ],
    );
    // As an earlier greatgame saved it: no record of an ensemble.
    let mut game = json(&dir.join("new.json"));
    game.as_object_mut().unwrap().remove("parameters").unwrap();
    fs::write(
        dir.join("old.json"),
        serde_json::to_vec_pretty(&game).unwrap(),
    )
    .unwrap();
    let stdout = ok_in(
        dir,
        &["play", "old.json", "--to", "2019Q2", "--out", "o", "-q"],
    );
    assert!(
        stdout.contains("the scenario's values as written (no parameter ensemble drawn)")
            && stdout.contains("Situation at the end of 2019Q2 (200 runs). Share"),
        "{stdout}"
    );
    ok_in(
        dir,
        &[
            "run",
            "--runs",
            "200",
            "--parameters",
            "none",
            "--out",
            "r",
            "-q",
        ],
    );
    same_files(&dir.join("o"), &dir.join("r"), &FILES[..4]);
    assert!(!dir.join("o/parameters.csv").exists());
    assert!(json(&dir.join("old.json")).get("parameters").is_none());
    // It cannot be told to draw one now.
    let out = run_in(dir, &["play", "old.json", "--parameters", "x.csv", "-q"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_turn_s_table_tells_the_drawn_runs_the_folder_holds() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let stdout = ok_in(
        dir,
        &[
            "play",
            "--runs",
            "200",
            "--to",
            "2019Q4",
            "--save",
            "g.json",
            "--out",
            "o",
            "-q",
            "--trajectories",
        ],
    );
    // Every run's shares in 2019Q4, by state and pole, from the folder (6 decimals).
    let mut shares: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    let mut by_run: BTreeMap<(String, String), Vec<(String, f64)>> = BTreeMap::new();
    for r in records(&dir.join("o/trajectories.csv")) {
        if r["quarter"] != "2019Q4" {
            continue;
        }
        let score: f64 = r["score"].parse().unwrap();
        let key = (r["state"].clone(), r["pole"].clone());
        shares.entry(key).or_default().push(score);
        let run = (r["run"].clone(), r["state"].clone());
        by_run
            .entry(run)
            .or_default()
            .push((r["pole"].clone(), score));
    }
    // Each run's start: its parameter set's starting shares (parameters.csv), so the change since
    // the start is the run's own, not from the shares the scenario writes.
    let mut change: BTreeMap<(String, String), f64> = BTreeMap::new();
    for r in records(&dir.join("o/parameters.csv")) {
        let parts: Vec<&str> = r["parameter"].split('.').collect();
        if let ["state", code, "alignment", pole] = parts.as_slice() {
            let start: f64 = r["value"].parse().unwrap();
            let end = by_run[&(r["run"].clone(), code.to_string())]
                .iter()
                .find(|(p, _)| p == pole)
                .unwrap()
                .1;
            *change
                .entry((code.to_string(), pole.to_string()))
                .or_default() += (end - start) / 200.0;
        }
    }
    assert_eq!(change.len(), 15, "every state's start is drawn");
    // The pole leading each run's state (the first on ties, in the scenario's order of poles).
    let mut leads: BTreeMap<(String, String), usize> = BTreeMap::new();
    for ((_, state), poles) in &by_run {
        let best = poles
            .iter()
            .fold(&poles[0], |b, p| if p.1 > b.1 { p } else { b });
        *leads.entry((state.clone(), best.0.clone())).or_default() += 1;
    }
    let table = stdout
        .lines()
        .skip_while(|l| !l.starts_with("state pole"))
        .skip(1)
        .take_while(|l| !l.is_empty());
    let mut state = String::new();
    let mut rows = 0;
    for line in table {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() == 7 {
            state = words[0].to_string();
        }
        let w = &words[words.len() - 6..];
        let key = (state.clone(), w[0].to_string());
        let mut values = shares[&key].clone();
        values.sort_by(f64::total_cmp);
        let median = 100.0 * values[(values.len() - 1) / 2];
        let printed: f64 = w[1].parse().unwrap();
        assert!(
            (printed - median).abs() <= 0.05 + 1e-4,
            "{line}: median {median}"
        );
        let printed: f64 = w[3].parse().unwrap();
        let moved = 100.0 * change[&key];
        assert!(
            (printed - moved).abs() <= 0.05 + 1e-3,
            "{line}: change since each run's start {moved}"
        );
        let lead = 100.0 * leads.get(&key).copied().unwrap_or(0) as f64 / values.len() as f64;
        let printed: f64 = w[5].parse().unwrap();
        assert!((printed - lead).abs() <= 0.5 + 1e-9, "{line}: lead {lead}");
        rows += 1;
    }
    assert_eq!(rows, 15, "five states, three poles\n{stdout}");
}

#[test]
fn a_game_draws_the_scenario_s_uncertain_numbers_as_run_does() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let text = fs::read_to_string(data("small.toml")).unwrap()
        + "\n[[uncertain]]\npath = \"state.AAA.alignment.Russia\"\ndistribution = \"uniform\"\n\
           low = 0.4\nhigh = 0.6\nreason = \"test\"\n";
    fs::write(dir.join("u.toml"), text).unwrap();
    let stdout = ok_in(
        dir,
        &[
            "play",
            "u.toml",
            "--runs",
            "100",
            "--to",
            "2021Q2",
            "--export",
            "e.toml",
            "--out",
            "o",
            "-q",
            "--attribution",
        ],
    );
    assert!(
        stdout.contains("(100 runs; runs draw their own 1 [[uncertain]] number)"),
        "{stdout}"
    );
    ok_in(
        dir,
        &[
            "run", "e.toml", "--runs", "100", "--seed", "42", "--out", "r", "-q",
        ],
    );
    same_files(&dir.join("o"), &dir.join("r"), &FILES);
}
