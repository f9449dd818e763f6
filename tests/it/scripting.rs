//! Driving greatgame from scripts: `--policy`, `--json`, `--set`, `--set-file`, a scenario on
//! standard input, `GREATGAME_THREADS`, `--outputs`, and a headline that fits 100 columns.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::common::{self, describe, fails_with, ok, records, shipped};

const POLICY: &str = "china_doubles_lending";

/// Runs `greatgame args` in `cwd` with `env` set and `stdin` given.
fn command(cwd: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = common::command();
    cmd.current_dir(cwd).args(args).write_stdin(stdin);
    cmd.env_remove("GREATGAME_THREADS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// The JSON objects printed on stdout, one a line.
fn json_lines(out: &Output) -> Vec<BTreeMap<String, Value>> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn run_policy_runs_that_policy_alone_under_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("p");
    let o = out.to_str().unwrap();
    ok(&["run", "--runs", "40", "--policy", POLICY, "--out", o, "-q"]);
    let rows = records(&out.join("outcomes.csv"));
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["policy"] == POLICY), "{rows:?}");
    assert_eq!(manifest(&out)["policies"], serde_json::json!([POLICY]));
    // On common random numbers, the policy run alone equals its row in compare.
    let alone = json_lines(&ok(&["run", "--runs", "40", "--policy", POLICY, "--json"]));
    let compared = json_lines(&ok(&["compare", "--runs", "40", "--json"]));
    let row = compared.iter().find(|r| r["policy"] == POLICY).unwrap();
    assert_eq!(alone, vec![row.clone()]);
    let baseline = compared.iter().find(|r| r["policy"] == "baseline").unwrap();
    assert_ne!(row, baseline, "the policy should change something");
    // compare --policy: the baseline and that policy only.
    let pair = json_lines(&ok(&[
        "compare", "--runs", "40", "--json", "--policy", POLICY,
    ]));
    assert_eq!(pair, vec![baseline.clone(), row.clone()]);
}

#[test]
fn an_unknown_policy_exits_2_listing_the_policies() {
    let out = fails_with(2, &["run", "--runs", "5", "--policy", "nope", "--json"]);
    let err = stderr(&out);
    assert!(
        err.contains("--policy nope") && err.contains(POLICY),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn json_prints_the_horizon_table_and_writes_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let args = ["compare", "--runs", "60", "--seed", "9", "--json"];
    let out = command(tmp.path(), &args, &[], "");
    assert!(out.status.success(), "{}", describe(&args, &out));
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "--json wrote files"
    );
    let lines = json_lines(&out);
    let policies = greatgame::scenario::builtin()
        .unwrap()
        .scenario
        .policies
        .len();
    assert_eq!(lines.len(), 1 + policies, "the baseline and every policy");
    // The same numbers as outcomes.csv of the same batch written to files.
    let dir = tmp.path().join("files");
    let d = dir.to_str().unwrap();
    ok(&["compare", "--runs", "60", "--seed", "9", "--out", d, "-q"]);
    let rows = records(&dir.join("outcomes.csv"));
    for r in &rows {
        let line = lines
            .iter()
            .find(|l| l["policy"] == r["policy"].as_str())
            .unwrap();
        let key = format!("{}.{}.{}", r["state"], r["outcome"], r["subject"]);
        let p = line[&key].as_f64().unwrap();
        let se = line[&format!("{key}.mc_se")].as_f64().unwrap();
        assert!(
            (p - r["probability"].parse::<f64>().unwrap()).abs() < 1e-6,
            "{key}"
        );
        assert!(
            (se - r["mc_se"].parse::<f64>().unwrap()).abs() < 1e-6,
            "{key}"
        );
    }
    // Mean shares at the horizon: the summary's last quarter, and shares of a state sum to 1.
    let summary = records(&dir.join("summary.csv"));
    let horizon = lines[0]["horizon"].as_str().unwrap();
    let mut checked = 0;
    for r in summary.iter().filter(|r| r["quarter"] == horizon) {
        let line = lines
            .iter()
            .find(|l| l["policy"] == r["policy"].as_str())
            .unwrap();
        let key = format!("{}.share.{}", r["state"], r["pole"]);
        let mean = line[&key].as_f64().unwrap();
        assert!(
            (mean - r["mean"].parse::<f64>().unwrap()).abs() < 1e-6,
            "{key}"
        );
        let sd: f64 = r["sd"].parse().unwrap();
        let se = line[&format!("{key}.mc_se")].as_f64().unwrap();
        assert!((se - sd / 60f64.sqrt()).abs() < 1e-6, "{key}");
        checked += 1;
    }
    assert!(checked > 0);
    let json = fails_with(2, &["run", "--json", "--out", d]);
    assert!(stderr(&json).contains("--json writes no files"));
}

#[test]
fn set_edits_the_scenario_before_validation_like_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = shipped("central_asia_2017.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text.lines().find(|l| l.starts_with("mood_sd = ")).unwrap();
    let edited = text.replacen(line, "mood_sd = 0.3", 1);
    assert_ne!(text, edited);
    let file = tmp.path().join("edited.toml");
    std::fs::write(&file, &edited).unwrap();
    let p = path.to_str().unwrap();
    // At the values as written: the scenario's ensemble (which draws mood_sd) is not drawn.
    let none = ["--parameters", "none"];
    let by_file = ok(&[
        &["run", file.to_str().unwrap(), "--runs", "30", "--json"],
        &none[..],
    ]
    .concat());
    let by_set = ok(&[
        &[
            "run",
            p,
            "--runs",
            "30",
            "--json",
            "--set",
            "model.mood_sd=0.3",
        ],
        &none[..],
    ]
    .concat());
    let plain = ok(&[&["run", p, "--runs", "30", "--json"], &none[..]].concat());
    assert_eq!(by_set.stdout, by_file.stdout);
    assert_ne!(by_set.stdout, plain.stdout);
    // --set-file gives the same, and --set after it wins.
    let settings = tmp.path().join("settings.txt");
    std::fs::write(&settings, "# trial 1\n\nmodel.mood_sd = 0.5\n").unwrap();
    let s = settings.to_str().unwrap();
    let by_set_file = ok(&[
        "run",
        p,
        "--runs",
        "30",
        "--json",
        "--set-file",
        s,
        "--set",
        "model.mood_sd=0.3",
        "--parameters",
        "none",
    ]);
    assert_eq!(by_set_file.stdout, by_file.stdout);
    // The manifest hashes the edited text.
    let dir = tmp.path().join("o");
    let d = dir.to_str().unwrap();
    ok(&[
        "run",
        p,
        "--runs",
        "10",
        "--out",
        d,
        "--set",
        "model.mood_sd=0.3",
        "-q",
    ]);
    let hash = greatgame::scenario::sha256_hex(
        greatgame::scenario::set_values(&text, p, &[("model.mood_sd", 0.3, String::new())])
            .unwrap()
            .as_bytes(),
    );
    assert_eq!(manifest(&dir)["scenario_sha256"], Value::from(hash));
}

#[test]
fn a_bad_setting_exits_2_saying_what_is_allowed() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["--set", "model.nope=1"],
            "expected one of `adjustment_rate`",
        ),
        (
            &["--set", "event.zzz.hazard=0.1"],
            "expected one of: sanctions_on_russia",
        ),
        (
            &["--set", "bogus=1"],
            "expected `model.KEY` or `SECTION.NAME.KEY`",
        ),
        (&["--set", "model.mood_sd=-1"], "expected 0..=10"),
        (&["--set", "model.mood_sd"], "expected `PATH = VALUE`"),
        (
            &["--set", "model.mood_sd=1e400"],
            "`1e400` is too large for a number",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["run", "--runs", "5", "--json"];
        args.extend_from_slice(extra);
        let out = fails_with(2, &args);
        assert!(stderr(&out).contains(want), "{}", describe(&args, &out));
        assert!(out.stdout.is_empty());
    }
    // The range error points at the line of the setting, as in the file.
    let out = fails_with(2, &["run", "--json", "--set", "model.mood_sd=-1"]);
    let shipped =
        std::fs::read_to_string(crate::common::shipped("central_asia_2017.toml")).unwrap();
    let line = 1 + shipped
        .lines()
        .position(|l| l.starts_with("mood_sd = "))
        .unwrap();
    assert!(
        stderr(&out).contains(&format!("central_asia_2017.toml:{line}:11: model.mood_sd")),
        "{}",
        stderr(&out)
    );
    let tmp = tempfile::tempdir().unwrap();
    let settings = tmp.path().join("s.txt");
    std::fs::write(&settings, "model.mood_sd = 0.2\nnot a setting\n").unwrap();
    let s = settings.to_str().unwrap();
    let out = fails_with(2, &["run", "--json", "--set-file", s]);
    assert!(
        stderr(&out).contains(&format!("{s}:2: expected")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_error_a_setting_causes_names_the_setting() {
    // The lines an error shows are those of the scenario as edited, which the user's file does not
    // hold: the message starts with the setting that put them there.
    let tmp = tempfile::tempdir().unwrap();
    let settings = tmp.path().join("s.txt");
    std::fs::write(
        &settings,
        "model.mood_sd = 0.2\nmodel.adjustment_rate = 7\n",
    )
    .unwrap();
    let file = settings.to_str().unwrap();
    let cases: [(&[&str], String); 5] = [
        (
            &["--set", "model.mood_sd=0.2", "--set", "model.mood_sd=-1"],
            "error: --set model.mood_sd=-1: ".into(),
        ),
        (
            &["--set-file", file, "--set", "model.mood_sd=0.3"],
            format!("error: {file}:2: "),
        ),
        (&["--set", "bogus.x=1"], "error: --set bogus.x=1: ".into()),
        // A share out of range is reported as given, not as the other poles rescaled below 0.
        (
            &["--set", "state.KAZ.alignment.Russia=2"],
            "state.KAZ.alignment.Russia: 2 is out of range, expected 0..=1".into(),
        ),
        // A path names a state by its code, so the codes are what it lists; naming nothing in the
        // file, it has no line and column there.
        (
            &["--set", "state.XXX.alignment.Russia=0.5"],
            "error: --set state.XXX.alignment.Russia=0.5: <built-in>/central_asia_2017.toml: \
             state.XXX.alignment.Russia: no [[state]] named `XXX`, expected one of: KAZ, KGZ, TJK, UZB, TKM"
                .into(),
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["run", "--runs", "5", "--json"];
        args.extend_from_slice(extra);
        let out = fails_with(2, &args);
        assert!(stderr(&out).contains(&want), "{}", describe(&args, &out));
    }
    // So does a design's factor, named with its option; nothing is written.
    let tmp_out = tmp.path().join("explore");
    let out_dir = tmp_out.to_str().unwrap();
    let args = [
        "explore",
        "--design",
        "lhs",
        "--samples",
        "4",
        "--runs",
        "5",
        "--factor",
        "event.nothing.hazard=0..0.1",
        "--out",
        out_dir,
    ];
    let out = fails_with(2, &args);
    assert!(
        stderr(&out).starts_with(
            "error: --factor event.nothing.hazard: <built-in>/central_asia_2017.toml: \
             event.nothing.hazard: no [[event]] named `nothing`"
        ),
        "{}",
        describe(&args, &out)
    );
    assert!(!tmp_out.exists());
    // An error the settings did not cause is not blamed on them.
    let out = fails_with(
        2,
        &[
            "run",
            "--json",
            "--set",
            "model.mood_sd=0.2",
            "--policy",
            "nope",
        ],
    );
    assert!(!stderr(&out).contains("--set"), "{}", stderr(&out));
}

#[test]
fn a_scenario_can_come_from_standard_input() {
    let tmp = tempfile::tempdir().unwrap();
    let path = shipped("russia_squeeze.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let args = ["run", "-", "--runs", "20", "--json"];
    // Its parameter ensemble is found relative to the current folder.
    let missing = command(tmp.path(), &args, &[], &text);
    assert_eq!(
        missing.status.code(),
        Some(2),
        "{}",
        describe(&args, &missing)
    );
    assert!(
        stderr(&missing).contains("<stdin>:") && stderr(&missing).contains("scenario.parameters"),
        "{}",
        stderr(&missing)
    );
    std::fs::copy(
        shipped("ensemble_2017.csv"),
        tmp.path().join("ensemble_2017.csv"),
    )
    .unwrap();
    let from_stdin = command(tmp.path(), &args, &[], &text);
    assert!(
        from_stdin.status.success(),
        "{}",
        describe(&args, &from_stdin)
    );
    let from_file = ok(&["run", path.to_str().unwrap(), "--runs", "20", "--json"]);
    assert_eq!(from_stdin.stdout, from_file.stdout);
    let bad = command(tmp.path(), &args, &[], "[scenario]\nrunz = 3\n");
    assert_eq!(bad.status.code(), Some(2), "{}", describe(&args, &bad));
    assert!(stderr(&bad).contains("<stdin>:2:1"), "{}", stderr(&bad));
}

#[test]
fn threads_can_be_set_by_environment_without_changing_results() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for n in ["1", "2"] {
        let args = ["run", "--runs", "300", "--out", n, "-q"];
        let out = command(tmp.path(), &args, &[("GREATGAME_THREADS", n)], "");
        assert!(out.status.success(), "{}", describe(&args, &out));
        files.push(common::csv_files(&tmp.path().join(n)));
    }
    assert_eq!(files[0], files[1]);
    let args = ["run", "--runs", "5", "--json"];
    let out = command(tmp.path(), &args, &[("GREATGAME_THREADS", "many")], "");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&args, &out));
    assert!(
        stderr(&out).contains("GREATGAME_THREADS=many"),
        "{}",
        stderr(&out)
    );
    // --threads wins over the environment.
    let args = ["run", "--runs", "5", "--json", "--threads", "1"];
    let out = command(tmp.path(), &args, &[("GREATGAME_THREADS", "many")], "");
    assert!(out.status.success(), "{}", describe(&args, &out));
}

/// `compare --runs 20 --out dir`, with `--outputs list` unless `list` is empty.
fn compare_into(dir: &Path, list: &str) {
    let mut args = vec![
        "compare",
        "--runs",
        "20",
        "--out",
        dir.to_str().unwrap(),
        "-q",
    ];
    if !list.is_empty() {
        args.extend(["--outputs", list]);
    }
    ok(&args);
}

#[test]
fn outputs_chooses_the_files_and_the_manifest_lists_only_them() {
    let tmp = tempfile::tempdir().unwrap();
    let full = tmp.path().join("full");
    let some = tmp.path().join("some");
    compare_into(&full, "");
    compare_into(&some, "compare,trajectories");
    assert_eq!(
        common::entries(&some),
        ["compare.csv", "manifest.json", "trajectories.csv"]
    );
    let listed = manifest(&some);
    let names: Vec<&str> = listed["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["trajectories.csv", "compare.csv"]);
    assert_eq!(
        std::fs::read(some.join("compare.csv")).unwrap(),
        std::fs::read(full.join("compare.csv")).unwrap()
    );
    // The report is drawn from summary.csv, so --report needs it; --json writes no report either.
    let s = some.to_str().unwrap();
    let out = fails_with(2, &["run", "--out", s, "--outputs", "outcomes", "--report"]);
    assert!(
        stderr(&out).contains("add `summary` to --outputs"),
        "{}",
        stderr(&out)
    );
    let out = fails_with(2, &["run", "--json", "--report"]);
    assert!(stderr(&out).contains("--report cannot be combined with --json"));
    // Rerun into the same folder with another choice: nothing of the first run stays.
    compare_into(&some, "summary");
    assert_eq!(common::entries(&some), ["manifest.json", "summary.csv"]);
}

#[test]
fn the_headline_fits_in_100_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("h");
    let out = ok(&["run", "--runs", "5", "--out", d.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    let head: Vec<&str> = text.split("\n\n").next().unwrap().lines().collect();
    assert!(head.len() >= 3, "{text}");
    assert!(head.iter().all(|l| l.chars().count() <= 100), "{text}");
    assert!(
        head.join(" ").contains(
            "baseline, parameter sets drawn from <built-in>/ensemble_2017.csv (200 sets), 5 runs, seed 2017"
        ),
        "{text}"
    );
}

#[test]
fn json_and_the_headline_follow_precision() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("p");
    let args = ["run", "--runs", "100000", "--precision", "0.05"];
    let lines = json_lines(&ok(&[&args[..], &["--json"]].concat()));
    let runs = lines[0]["runs"].as_u64().unwrap();
    assert!(runs < 100_000, "{runs}");
    let out = ok(&[&args[..], &["--out", d.to_str().unwrap()]].concat());
    assert_eq!(manifest(&d)["runs"], Value::from(runs));
    let text = String::from_utf8(out.stdout).unwrap();
    let head: Vec<&str> = text.split("\n\n").take(2).flat_map(str::lines).collect();
    assert!(head.iter().any(|l| l.starts_with("--precision")), "{text}");
    assert!(head.iter().all(|l| l.chars().count() <= 100), "{text}");
}
