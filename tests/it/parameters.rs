//! A scenario names its parameter ensemble (`parameters` in `[scenario]`, issue 15 item 2): every run
//! draws its set from that file exactly as `--parameters FILE` does; `--parameters FILE` replaces it and
//! `--parameters none` runs without it; a file that is missing, ill-formed or holds columns the
//! scenario cannot take is an error at its place before any output; the manifest names the file and its
//! SHA-256; shards merge into the whole run; the built-in scenario's ensemble is inside the binary.

use std::path::{Path, PathBuf};

use greatgame::analysis::uncertain::{Ensemble, Varied};
use greatgame::engine::{simulate, Batch, ChunkDetail, Outcome, PerRun, Ungrouped};
use greatgame::scenario::{self, Scenario};

use crate::common::{csv_files, data, fails_with, ok};

/// Three weighted sets of two numbers small.toml takes.
const SETS: &str = "set,weight,distance,passed,model.economic_weight,event.crackdown.hazard\n\
                    0,0.5,0,1,0.3,0.1\n1,0.3,0,1,0.6,0.4\n2,0.2,0,1,0.9,0.02\n";

/// small.toml written to `dir/name`, with `parameters = "<file>"` in its `[scenario]` if `file` is
/// given.
fn small_naming(dir: &Path, name: &str, file: Option<&str>) -> PathBuf {
    let text = std::fs::read_to_string(data("small.toml")).unwrap();
    let text = match file {
        Some(f) => text.replacen(
            "seed = 42\n",
            &format!("seed = 42\nparameters = \"{f}\"\n"),
            1,
        ),
        None => text,
    };
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `args` with `--out dir/out`; returns the folder's CSV files and its manifest.
fn outputs(dir: &Path, out: &str, args: &[&str]) -> (Vec<(String, Vec<u8>)>, serde_json::Value) {
    let out = dir.join(out);
    let mut all = args.to_vec();
    all.extend(["--out", out.to_str().unwrap(), "--quiet"]);
    ok(&all);
    let manifest = std::fs::read(out.join("manifest.json")).unwrap();
    (csv_files(&out), serde_json::from_slice(&manifest).unwrap())
}

#[test]
fn a_scenario_s_ensemble_is_drawn_as_parameters_draws_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sets.csv"), SETS).unwrap();
    let named = small_naming(dir.path(), "named.toml", Some("sets.csv"));
    let plain = small_naming(dir.path(), "plain.toml", None);
    let (named, plain) = (named.to_str().unwrap(), plain.to_str().unwrap());
    let sets = dir.path().join("sets.csv");
    let sets = sets.to_str().unwrap();
    for command in ["run", "compare"] {
        let (by_key, manifest) = outputs(dir.path(), "a", &[command, named, "--runs", "200"]);
        let (by_flag, _) = outputs(
            dir.path(),
            "b",
            &[command, plain, "--runs", "200", "--parameters", sets],
        );
        assert_eq!(
            by_key, by_flag,
            "{command}: the key draws as --parameters does"
        );
        assert!(by_key.iter().any(|(n, _)| n == "parameters.csv"));
        let p = &manifest["parameters"];
        assert_eq!(p["sets"], 3);
        assert_eq!(p["named_by"], "scenario.parameters");
        assert_eq!(p["sha256"], scenario::sha256_hex(SETS.as_bytes()));
        assert!(p["file"].as_str().unwrap().ends_with("sets.csv"), "{p}");
        // `none` runs at the values as written: the outputs of the scenario without the key.
        let (none, manifest) = outputs(
            dir.path(),
            "c",
            &[command, named, "--runs", "200", "--parameters", "none"],
        );
        let (without, _) = outputs(dir.path(), "d", &[command, plain, "--runs", "200"]);
        assert_eq!(none, without, "{command}: --parameters none");
        assert!(manifest.get("parameters").is_none(), "{manifest}");
        assert!(!none.iter().any(|(n, _)| n == "parameters.csv"));
        assert_ne!(none, by_key, "the ensemble changes the outputs");
    }
    // --parameters FILE replaces the scenario's ensemble.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "model.economic_weight\n0.45\n").unwrap();
    let other = other.to_str().unwrap();
    let (replaced, manifest) = outputs(
        dir.path(),
        "e",
        &["run", named, "--runs", "100", "--parameters", other],
    );
    let (direct, _) = outputs(
        dir.path(),
        "f",
        &["run", plain, "--runs", "100", "--parameters", other],
    );
    assert_eq!(replaced, direct);
    assert_eq!(manifest["parameters"]["named_by"], "--parameters");
    assert_eq!(manifest["parameters"]["sets"], 1);
}

#[test]
fn shards_of_a_scenario_s_ensemble_merge_into_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sets.csv"), SETS).unwrap();
    let named = small_naming(dir.path(), "named.toml", Some("sets.csv"));
    let named = named.to_str().unwrap();
    let (whole, whole_manifest) =
        outputs(dir.path(), "whole", &["compare", named, "--runs", "700"]);
    let mut parts = Vec::new();
    for k in 1..=3 {
        let part = dir.path().join(format!("part{k}"));
        let shard = format!("{k}/3");
        ok(&[
            "compare",
            named,
            "--runs",
            "700",
            "--shard",
            &shard,
            "--out",
            part.to_str().unwrap(),
            "--quiet",
        ]);
        parts.push(part);
    }
    let merged = dir.path().join("merged");
    let mut merge = vec!["merge"];
    merge.extend(parts.iter().map(|p| p.to_str().unwrap()));
    merge.extend(["--out", merged.to_str().unwrap()]);
    ok(&merge);
    assert_eq!(whole, csv_files(&merged));
    let (one_thread, _) = outputs(
        dir.path(),
        "threads",
        &["compare", named, "--runs", "700", "--threads", "1"],
    );
    assert_eq!(whole, one_thread, "one thread");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(merged.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["parameters"], whole_manifest["parameters"]);
}

/// Asserts that `row`, a row of an `--ends` file, holds the shares `run` gives at the end of run `run`
/// of `scenario` when every run takes set `j` of `SETS`, and that each state's shares sum to 1.
fn assert_ends_as_run_does(
    dir: &Path,
    scenario: &str,
    j: usize,
    run: u64,
    row: &std::collections::BTreeMap<String, String>,
) {
    let one = dir.join(format!("one{j}.csv"));
    let header = SETS.lines().next().unwrap();
    let line = SETS.lines().nth(j + 1).unwrap();
    std::fs::write(&one, format!("{header}\n{line}\n")).unwrap();
    let o = dir.join(format!("r{j}"));
    let runs = (run + 1).to_string();
    ok(&[
        "run",
        scenario,
        "--runs",
        &runs,
        "--parameters",
        one.to_str().unwrap(),
        "--out",
        o.to_str().unwrap(),
        "--quiet",
    ]);
    let mut sums: std::collections::BTreeMap<String, f64> = Default::default();
    for r in crate::common::records(&o.join("runs.csv"))
        .iter()
        .filter(|r| r["run"] == run.to_string())
    {
        let end: f64 = row[&format!("state.{}.alignment.{}", r["state"], r["pole"])]
            .parse()
            .unwrap();
        let score: f64 = r["score"].parse().unwrap();
        let (state, pole) = (&r["state"], &r["pole"]);
        assert!(
            (end - score).abs() < 1e-6,
            "set {j}, run {run}, {state} {pole}: {end} vs {score}"
        );
        *sums.entry(state.clone()).or_default() += end;
    }
    assert!(!sums.is_empty(), "run {run} is in runs.csv");
    for (state, sum) in sums {
        assert!((sum - 1.0).abs() < 1e-9, "set {j}, {state}: {sum}");
    }
}

/// `SETS` as `dir/sets.csv`, and small.toml with `checks` appended as `dir/small.toml`: what the
/// `--ends` tests run their hindcast on. Returns the scenario's path and the sets'.
fn ends_setup(dir: &Path, checks: &str) -> (PathBuf, PathBuf) {
    let sets = dir.join("sets.csv");
    std::fs::write(&sets, SETS).unwrap();
    let text = std::fs::read_to_string(data("small.toml")).unwrap() + checks;
    let scenario = dir.join("small.toml");
    std::fs::write(&scenario, &text).unwrap();
    (scenario, sets)
}

/// `hindcast --ends FILE --ends-if CHECKS`: each set's end is that of its first run (j, j + n, …) in
/// which every named check agrees, as a sample of one run (a check asking for at most a share of
/// runs: its condition does not hold there); `end_run` names the run, and `run` gives the same shares
/// for it. A check no run agrees with, or an unknown name, is an error with nothing written.
#[test]
fn hindcast_ends_if_takes_each_set_s_first_run_that_agrees_with_the_checks() {
    use crate::common::records;
    let dir = tempfile::tempdir().unwrap();
    // AAA starts Russia-led (0.5 against 0.3 and 0.2): a run where Russia does not lead it at the
    // end is the rarer one, and "at most 0.5 of runs" asks each chosen run for exactly that.
    let checks = "\n[[check]]\nname = \"aaa_not_russian\"\nkind = \"dominant\"\nstate = \"AAA\"\npole = \"Russia\"\nmax_share = 0.5\n\n[[check]]\nname = \"aaa_leaves_sco\"\nkind = \"member\"\nstate = \"AAA\"\nbloc = \"SCO\"\nmax_share = 0.0\n";
    let (scenario, sets) = ends_setup(dir.path(), checks);
    let (s, sets) = (scenario.to_str().unwrap(), sets.to_str().unwrap());
    let ends = dir.path().join("ends.csv");
    let e = ends.to_str().unwrap();
    let out = dir.path().join("h");
    let out = out.to_str().unwrap();
    let hindcast = |extra: &[&str]| -> Vec<String> {
        let mut args = vec![
            "hindcast",
            s,
            "--runs",
            "20",
            "--parameters",
            sets,
            "--ends",
            e,
        ];
        args.extend(extra);
        args.extend(["--out", out, "--quiet"]);
        args.iter().map(|a| a.to_string()).collect()
    };
    ok(&strs(&hindcast(&["--ends-if", "aaa_not_russian"])));
    let rows = records(&ends);
    assert_eq!(rows.len(), 3);
    let mut later = 0;
    for (j, row) in rows.iter().enumerate() {
        let run: u64 = row["end_run"].parse().unwrap();
        assert_eq!(run % 3, j as u64, "set {j} ends with one of its own runs");
        later += usize::from(run >= 3);
        let share = |p: &str| -> f64 { row[&format!("state.AAA.alignment.{p}")].parse().unwrap() };
        assert!(
            share("Russia") < share("NATO").max(share("China")),
            "set {j}: run {run} agrees with aaa_not_russian"
        );
        // `run` of that run index, every run taking set j, ends there.
        assert_ends_as_run_does(dir.path(), s, j, run, row);
    }
    assert!(
        later > 0,
        "Russia leads AAA in most runs, so some set needs a later run"
    );
    // No run agrees; an unknown name.
    std::fs::remove_file(&ends).unwrap();
    for (extra, says) in [
        (
            vec!["--ends-if", "aaa_leaves_sco"],
            "none of its first 1000 runs",
        ),
        (
            vec!["--ends-if", "no_such_check"],
            "declares no [[check]] of that name",
        ),
    ] {
        let failed = fails_with(2, &strs(&hindcast(&extra)));
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert!(!ends.exists(), "{extra:?} wrote {e}");
    }
}

/// `args` as the `&str`s the command helpers take.
fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Shards of the built-in scenario merge into its whole run: its ensemble's starting shares are
/// written to the last bit (`hindcast --ends`), and a part's JSON must carry every one exactly, or the
/// merge refuses the part as changed since it was written (it did, before JSON numbers were read back
/// exactly).
#[test]
fn shards_of_the_built_in_scenario_and_its_starts_merge_into_the_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let (whole, _) = outputs(dir.path(), "whole", &["compare", "--runs", "40"]);
    let mut merge = vec!["merge".to_string()];
    for k in 1..=3 {
        let part = dir.path().join(format!("part{k}"));
        let shard = format!("{k}/3");
        let part = part.to_str().unwrap();
        ok(&[
            "compare", "--runs", "40", "--shard", &shard, "--out", part, "--quiet",
        ]);
        merge.push(part.to_string());
    }
    let merged = dir.path().join("merged");
    merge.extend(["--out".to_string(), merged.to_str().unwrap().to_string()]);
    ok(&merge.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(whole, csv_files(&merged));
}

/// The 1-based line and column of the first `needle` in the file at `path`.
fn line_col(path: &Path, needle: &str) -> (usize, usize) {
    crate::common::line_col(&std::fs::read_to_string(path).unwrap(), needle)
}

#[test]
fn a_bad_ensemble_is_an_error_at_its_place_before_any_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let fails = |scenario: &Path, expected: &[&str]| {
        for command in ["run", "compare"] {
            let result = fails_with(
                2,
                &[
                    command,
                    scenario.to_str().unwrap(),
                    "--runs",
                    "20",
                    "--out",
                    out.to_str().unwrap(),
                ],
            );
            let stderr = String::from_utf8_lossy(&result.stderr);
            for e in expected {
                assert!(stderr.contains(e), "{command}: `{e}` in {stderr}");
            }
            assert!(!out.exists(), "{command}: nothing written");
        }
    };
    // Missing: at the key, with the path it looked for.
    let missing = small_naming(dir.path(), "missing.toml", Some("nope.csv"));
    let (l, c) = line_col(&missing, "\"nope.csv\"");
    let at =
        format!("missing.toml:{l}:{c}: scenario.parameters: cannot read the parameter ensemble");
    fails(&missing, &[&at, "nope.csv"]);
    // `check` reads the ensemble and tries every set, as a run would.
    let checked = fails_with(2, &["check", missing.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&checked.stderr).contains(&at));
    std::fs::write(dir.path().join("sets.csv"), SETS).unwrap();
    let good = small_naming(dir.path(), "good.toml", Some("sets.csv"));
    let summary = ok(&["check", good.to_str().unwrap()]);
    let summary = String::from_utf8_lossy(&summary.stdout);
    assert!(
        summary.contains("parameters: each run draws one of 3 sets from"),
        "{summary}"
    );
    assert!(
        !summary.contains("starts"),
        "no set gives a start: {summary}"
    );
    // The shipped 2018 ensemble gives every state's start, and check says so, beside the hesitation
    // measured from Tajikistan's written start.
    let shipped = crate::common::shipped("central_asia_2017.toml");
    let summary = ok(&["check", shipped.to_str().unwrap()]);
    let summary = String::from_utf8_lossy(&summary.stdout);
    assert!(
        summary.contains("and starts KAZ, KGZ, TJK, UZB, TKM from its set's shares"),
        "{summary}"
    );
    assert!(
        summary.contains("TJK: joins EEU only above its start 0.75 +0.08 toward Russia"),
        "{summary}"
    );
    // Empty.
    let empty = small_naming(dir.path(), "empty.toml", Some(""));
    fails(&empty, &["empty.toml:", "scenario.parameters: is empty"]);
    // A cell that is not a number: at its line and column of the ensemble, naming the key.
    std::fs::write(
        dir.path().join("cell.csv"),
        "set,model.economic_weight,event.crackdown.hazard\n0,0.3,0.1\n1,x,0.2\n",
    )
    .unwrap();
    let cell = small_naming(dir.path(), "cell.toml", Some("cell.csv"));
    let (l, c) = line_col(&cell, "\"cell.csv\"");
    fails(
        &cell,
        &[
            "cell.csv:3:2: model.economic_weight = `x`, expected a finite number",
            &format!("named by scenario.parameters at {}:{l}:{c}", cell.display()),
        ],
    );
    // A column the scenario cannot take, and a value out of its range: at the key.
    for (name, sets, why) in [
        ("column", "set,event.nothing.hazard\n0,0.1\n", "event.nothing"),
        (
            "range",
            "set,model.economic_weight\n0,0.3\n1,-4\n",
            "set 1 of the parameter file (line 3, parameter column 1): model.economic_weight = -4 is out of range",
        ),
    ] {
        std::fs::write(dir.path().join(format!("{name}.csv")), sets).unwrap();
        let file = format!("{name}.csv");
        let scenario = small_naming(dir.path(), &format!("{name}.toml"), Some(&file));
        let (l, c) = line_col(&scenario, &format!("\"{file}\""));
        let at = format!("{name}.toml:{l}:{c}: scenario.parameters: ");
        fails(&scenario, &[&at, &file, why]);
    }
}

#[test]
fn the_built_in_scenario_s_ensemble_is_inside_the_binary_and_every_set_fits_it_by_direct_setters() {
    let builtin = scenario::builtin().unwrap();
    let named = builtin
        .scenario
        .meta
        .parameters
        .as_ref()
        .map(|n| n.path.as_str());
    let Some(named) = named else {
        return; // The built-in scenario names none: nothing to find.
    };
    let (_, bytes) = scenario::BUILTIN_FILES
        .iter()
        .find(|(name, _)| *name == named)
        .unwrap_or_else(|| panic!("{named} is not embedded"));
    let on_disk = std::fs::read(crate::common::shipped(named)).unwrap();
    assert_eq!(
        *bytes,
        on_disk.as_slice(),
        "the embedded file is the shipped one"
    );
    let ensemble = Ensemble::from_csv(bytes).unwrap();
    let sc: &Scenario = &builtin.scenario;
    let plans = vec!["baseline".to_string()];
    // Every set gives a valid scenario (checked when the runs start), and every column has a direct
    // setter: a column without one sends every run through validation again, about ten times slower.
    let varied = Varied::new(&builtin.text, &builtin.file, sc, Some(ensemble), 1, &plans)
        .unwrap()
        .unwrap();
    assert!(
        varied.is_direct(),
        "a column of {named} has no direct setter (src/analysis/uncertain.rs, Target)"
    );
}

/// The tallies and every chunk's details of `runs` runs of `batch` drawn through `varied`.
fn simulated(batch: &Batch, varied: &dyn PerRun, threads: usize) -> (Outcome, Vec<ChunkDetail>) {
    let batch = Batch {
        varied: Some(varied),
        threads: Some(threads),
        ..*batch
    };
    let mut details = Vec::new();
    let outcome = simulate(&batch, |d| {
        details.push(d);
        Ok::<(), ()>(())
    })
    .unwrap();
    (outcome, details)
}

#[test]
fn runs_of_one_set_share_blocks_and_give_the_bits_they_give_alone() {
    let builtin = scenario::builtin().unwrap();
    let sc = &builtin.scenario;
    let ensemble =
        Ensemble::from_csv(&std::fs::read(crate::common::shipped("ensemble_2005.csv")).unwrap())
            .unwrap();
    // Every plan (policies stay paired) and every check, kept finals and trajectories, across chunks.
    let plans: Vec<_> = std::iter::once(sc.baseline.clone())
        .chain(sc.policies.iter().take(2).cloned())
        .collect();
    let names: Vec<String> = plans.iter().map(|p| p.name.clone()).collect();
    let varied = Varied::new(&builtin.text, &builtin.file, sc, Some(ensemble), 7, &names)
        .unwrap()
        .unwrap();
    assert!(
        PerRun::group(&varied, 0).is_some(),
        "ensemble runs are grouped"
    );
    let batch = Batch {
        world: &sc.world,
        plans: &plans,
        first_run: 3,
        runs: 1100,
        seed: 7,
        threads: None,
        checks: &sc.checks,
        keep_finals: true,
        keep_trajectories: true,
        varied: None,
    };
    let (grouped, details) = simulated(&batch, &varied, 2);
    let (alone, alone_details) = simulated(&batch, &Ungrouped(&varied), 2);
    assert_eq!(grouped, alone, "tallies");
    assert_eq!(
        details, alone_details,
        "finals and trajectories, in run order"
    );
    assert_eq!(details.len(), 2);
    assert!(details[0]
        .finals
        .windows(2)
        .all(|w| (w[0].run, w[0].plan) < (w[1].run, w[1].plan)));
    assert_eq!(
        simulated(&batch, &varied, 1),
        (grouped, details),
        "one thread"
    );
}

#[test]
fn a_value_set_on_the_command_line_holds_over_the_ensemble_s_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("sets.csv"), SETS).unwrap();
    let named = small_naming(dir.path(), "named.toml", Some("sets.csv"));
    let out = dir.path().join("o");
    ok(&[
        "run",
        named.to_str().unwrap(),
        "--runs",
        "40",
        "--set",
        "model.economic_weight=0.5",
        "--out",
        out.to_str().unwrap(),
    ]);
    let rows = crate::common::records(&out.join("parameters.csv"));
    assert_eq!(rows.len(), 40, "one drawn number a run");
    assert!(rows
        .iter()
        .all(|r| r["parameter"] == "event.crackdown.hazard"));
}

/// A state's start goes together: `--set` on one starting share of a state whose start the ensemble
/// gives drops all of that state's start columns (the value rescales the shares as written, so they
/// sum to 1), and leaves the other states' starts drawn.
#[test]
fn a_starting_share_set_on_the_command_line_replaces_that_state_s_whole_start() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    ok(&[
        "run",
        "--runs",
        "16",
        "--set",
        "state.UZB.alignment.Russia=0.3",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let rows = crate::common::records(&out.join("parameters.csv"));
    assert!(rows
        .iter()
        .all(|r| !r["parameter"].starts_with("state.UZB.alignment.")));
    assert!(rows
        .iter()
        .any(|r| r["parameter"] == "state.KAZ.alignment.Russia"));
    // UZB starts at 0.3 toward Russia in every run, the others scaled from the shares as written.
    let summary = crate::common::records(&out.join("summary.csv"));
    let first = summary
        .iter()
        .find(|r| r["quarter"] == "2018Q1" && r["state"] == "UZB" && r["pole"] == "Russia")
        .unwrap();
    let mean: f64 = first["mean"].parse().unwrap();
    assert!((mean - 0.3).abs() < 0.05, "{mean}");
}

#[test]
fn the_built_in_scenario_draws_its_embedded_ensemble_from_any_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        crate::common::command()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["run", "--runs", "30", "--out", "o", "--report", "-q"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("o/manifest.json")).unwrap())
            .unwrap();
    let (_, bytes) = scenario::BUILTIN_FILES[0];
    assert_eq!(
        manifest["parameters"]["file"],
        "<built-in>/ensemble_2017.csv"
    );
    assert_eq!(
        manifest["parameters"]["sha256"],
        scenario::sha256_hex(bytes)
    );
    // Storylines and attribution tell the runs the folder holds, each in its own drawn world: every
    // told run ends with the leading partners and shares its row of runs.csv gives.
    // The report says what its spread covers: the runs drew the calibrated sets.
    let html = std::fs::read_to_string(dir.path().join("o/report.html")).unwrap();
    assert!(html.contains("30 runs drawing 200 calibrated parameter sets"));
    assert!(html.contains("each run drew one of 200 calibrated parameter sets"));
    assert!(!html.contains("does not include uncertainty about the coefficients"));
    let explained = run(&["run", "--runs", "30", "--out", "p", "--attribution", "-q"]);
    assert!(
        explained.status.success(),
        "{}",
        String::from_utf8_lossy(&explained.stderr)
    );
    let stdout = String::from_utf8_lossy(&explained.stdout);
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("in each run's own drawn parameters"),
        "{stdout}"
    );
    for folder in ["o", "p"] {
        let folder = dir.path().join(folder);
        let runs = crate::common::records(&folder.join("runs.csv"));
        let stories = crate::common::records(&folder.join("storylines.csv"));
        let mut told = 0;
        for last in stories.iter().filter(|r| r["quarter"] == "2027Q4") {
            let leads: Vec<String> = runs
                .iter()
                .filter(|r| r["run"] == last["run"] && r["dominant"] == "true")
                .map(|r| {
                    let share: f64 = r["score"].parse().unwrap();
                    format!("{} {} {:.0}%", r["state"], r["pole"], 100.0 * share)
                })
                .collect();
            assert_eq!(leads.len(), 5, "run {}", last["run"]);
            assert!(
                last["text"].ends_with(&format!("Leading partners now: {}", leads.join(", "))),
                "run {}: {} against {leads:?}",
                last["run"],
                last["text"]
            );
            told += 1;
        }
        assert_eq!(told, 3, "the median, lowest and highest runs");
    }
}

/// A design's unit coordinate takes set `j` with the probability a run's draw takes it: by weight
/// (a set of weight 0 never), or `1/n` each; monotone in the coordinate, the ends included.
#[test]
fn a_design_coordinate_takes_each_set_with_the_probability_a_run_draws_it() {
    let weighted = Ensemble::from_csv(
        b"set,weight,distance,passed,model.mood_sd\n0,0.2,0,1,0.1\n1,0,0,1,0.2\n2,0.6,0,1,0.3\n3,0.2,0,1,0.4\n",
    )
    .unwrap();
    let equal =
        Ensemble::from_csv(b"set,distance,passed,model.mood_sd\n0,0,1,0.1\n1,0,1,0.2\n2,0,1,0.3\n")
            .unwrap();
    let n: u32 = 10_000;
    for (e, expected) in [
        (&weighted, vec![0.2, 0.0, 0.6, 0.2]),
        (&equal, vec![1.0 / 3.0; 3]),
    ] {
        let mut by_design = vec![0u32; e.sets.len()];
        let mut by_draw = vec![0u32; e.sets.len()];
        let mut last = 0;
        for i in 0..n {
            let set = e.set_at((f64::from(i) + 0.5) / f64::from(n));
            assert!(set >= last, "monotone");
            last = set;
            by_design[set] += 1;
            by_draw[e.pick(9, u64::from(i))] += 1;
        }
        for (j, &p) in expected.iter().enumerate() {
            let share = f64::from(by_design[j]) / f64::from(n);
            assert!((share - p).abs() < 1e-3, "set {j}: {share} against {p}");
            // The draws: binomial, sd below 0.005.
            let drawn = f64::from(by_draw[j]) / f64::from(n);
            assert!(
                (drawn - p).abs() < 0.02,
                "set {j} drawn {drawn} against {p}"
            );
        }
        assert_eq!(e.set_at(0.0), 0);
        assert_eq!(e.set_at(1.0), e.sets.len() - 1);
    }
    assert_eq!(weighted.set_at(0.2), 2, "the zero-weight set is skipped");
}

/// `hindcast --ends FILE` writes the ensemble with each set's end: set `j`'s row keeps its cells as
/// they were and gains one column per state and pole, the shares at the last quarter of run `j` with
/// set `j`'s values (what `run` gives for run `j` when every run takes set `j`); the file is itself an
/// ensemble a scenario can draw its starting shares from. Without an ensemble, with `--shard` or with
/// `--set` it is an error, and nothing is written.
#[test]
fn hindcast_ends_gives_each_set_where_its_own_run_ends() {
    use crate::common::records;
    let dir = tempfile::tempdir().unwrap();
    let check = "\n[[check]]\nname = \"aaa_russia\"\nkind = \"dominant\"\nstate = \"AAA\"\npole = \"Russia\"\nmin_share = 0.0\n";
    let (scenario, sets) = ends_setup(dir.path(), check);
    let (s, sets) = (scenario.to_str().unwrap(), sets.to_str().unwrap());
    let ends = dir.path().join("ends.csv");
    let e = ends.to_str().unwrap();
    let out = dir.path().join("h");
    let hindcast = |extra: &[&str]| {
        let mut args = vec![
            "hindcast",
            s,
            "--runs",
            "40",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        args.extend(["--quiet"]);
        args.iter().map(|a| a.to_string()).collect::<Vec<String>>()
    };
    let args = hindcast(&["--parameters", sets, "--ends", e]);
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let rows = records(&ends);
    let given = records(&dir.path().join("sets.csv"));
    assert_eq!(rows.len(), 3);
    for (j, (row, set)) in rows.iter().zip(&given).enumerate() {
        for (k, v) in set {
            assert_eq!(&row[k], v, "set {j}: {k} kept as written");
        }
        // What `run` gives for run j when every run takes set j.
        assert_ends_as_run_does(dir.path(), s, j, j as u64, row);
    }
    // The file is an ensemble the scenario takes, starting shares and all.
    let from_ends = dir.path().join("from_ends");
    ok(&[
        "run",
        s,
        "--runs",
        "50",
        "--parameters",
        e,
        "--out",
        from_ends.to_str().unwrap(),
        "--quiet",
    ]);
    // Errors, with nothing written: neither FILE nor the hindcast's outputs.
    std::fs::remove_file(&ends).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
    let missing = dir.path().join("no-such-folder/ends.csv");
    let missing = missing.to_str().unwrap().to_string();
    for (extra, says) in [
        (vec!["--ends", e], "needs a parameter ensemble"),
        (
            vec!["--parameters", sets, "--ends", e, "--shard", "1/2"],
            "--shard",
        ),
        (vec!["--parameters", sets, "--ends", e, "--json"], "--json"),
        (
            vec!["--parameters", sets, "--ends", sets],
            "the ensemble the runs draw from",
        ),
        (
            vec!["--parameters", sets, "--ends", missing.as_str()],
            "cannot write",
        ),
        (
            vec![
                "--parameters",
                sets,
                "--ends",
                e,
                "--set",
                "model.mood_sd=0.1",
            ],
            "--set",
        ),
    ] {
        let args = hindcast(&extra);
        let failed = fails_with(2, &args.iter().map(String::as_str).collect::<Vec<_>>());
        let stderr = String::from_utf8_lossy(&failed.stderr);
        assert!(stderr.contains(says), "{stderr}");
        assert!(!ends.exists(), "{extra:?} wrote {e}");
        assert!(!out.exists(), "{extra:?} wrote the hindcast's outputs");
        assert_eq!(
            std::fs::read_to_string(sets).unwrap(),
            SETS,
            "{extra:?} changed {sets}"
        );
    }
}
