//! `greatgame explore`: the rows and columns of experiments.csv, a point equal to `run --set` at its
//! values, byte-identical output for any thread count and any sharding (merged by `greatgame merge`),
//! and bad options refused with exit 2 before anything is written.

use std::path::Path;

use crate::common::{describe, fails_with, greatgame, ok, records, shell_words};

const FACTORS: [&str; 4] = [
    "--factor",
    "model.mood_sd=0.05..0.2",
    "--factor",
    "event.spillover.hazard=0.005..0.03",
];

/// `explore` over the built-in scenario with the two factors, `extra` options and `--out out`.
fn explore(out: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["explore", "--seed", "11", "--out", out.to_str().unwrap()];
    args.extend(FACTORS);
    args.extend(extra);
    ok(&args);
    std::fs::read(out.join("experiments.csv")).unwrap()
}

#[test]
fn rows_are_points_by_plan_inputs_first_then_outcomes_at_each_quarter() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("e");
    let plans = ["baseline", "china_doubles_lending"];
    explore(
        &out,
        &[
            "--design",
            "lhs",
            "--samples",
            "6",
            "--runs",
            "16",
            "--policy",
            plans[0],
            "--policy",
            plans[1],
            "--at",
            "2020Q4",
            "--at",
            "2027Q4",
            "--parameters",
            "none",
        ],
    );
    let mut reader = csv::Reader::from_path(out.join("experiments.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[..4],
        ["point", "policy", "model.mood_sd", "event.spillover.hazard"]
    );
    let outcomes = &header[4..];
    assert!(outcomes
        .iter()
        .all(|c| c.ends_with("@2020Q4") || c.ends_with("@2027Q4")));
    for col in [
        "UZB.bloc.CSTO@2027Q4",
        "KGZ.dominant.China@2020Q4",
        "TKM.share.Russia@2027Q4",
    ] {
        assert!(outcomes.iter().any(|c| c == col), "{col} in {outcomes:?}");
    }
    assert_eq!(
        outcomes.iter().filter(|c| c.ends_with("@2020Q4")).count(),
        outcomes.len() / 2
    );
    let rows = records(&out.join("experiments.csv"));
    assert_eq!(rows.len(), 12);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["point"], (i / 2).to_string());
        assert_eq!(row["policy"], plans[i % 2]);
        let mood: f64 = row["model.mood_sd"].parse().unwrap();
        assert!((0.05..=0.2).contains(&mood), "{mood}");
        for c in outcomes {
            let x: f64 = row[c].parse().unwrap();
            assert!((0.0..=1.0).contains(&x), "{c} = {x}");
        }
        // The shares of a state sum to 1 in every run, so their means do too.
        let sum: f64 = ["NATO", "Russia", "China"]
            .iter()
            .map(|p| {
                row[&format!("KAZ.share.{p}@2027Q4")]
                    .parse::<f64>()
                    .unwrap()
            })
            .sum();
        assert!((sum - 1.0).abs() < 1e-9, "{sum}");
    }
    // Both plans of a point share its factor values; points differ.
    assert_eq!(rows[0]["model.mood_sd"], rows[1]["model.mood_sd"]);
    assert_ne!(rows[0]["model.mood_sd"], rows[2]["model.mood_sd"]);
    ok(&["verify", out.to_str().unwrap()]);
}

#[test]
fn a_point_reports_what_run_with_its_values_set_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("e");
    explore(
        &out,
        &[
            "--design",
            "lhs",
            "--samples",
            "3",
            "--runs",
            "40",
            "--policy",
            "baseline",
            "--parameters",
            "none",
        ],
    );
    let row = &records(&out.join("experiments.csv"))[2];
    let mood = format!("model.mood_sd={}", row["model.mood_sd"]);
    let hazard = format!("event.spillover.hazard={}", row["event.spillover.hazard"]);
    // Without the scenario's ensemble, explore runs its points at the values as written.
    let args = [
        "run",
        "--runs",
        "40",
        "--seed",
        "11",
        "--json",
        "--set",
        &mood,
        "--set",
        &hazard,
        "--parameters",
        "none",
    ];
    assert!(same_as_run(row, &args) > 50);
}

/// Checks that the outcomes of an experiments.csv `row` are those `run ARGS --json` prints for the
/// baseline; the number of outcomes compared.
fn same_as_run(row: &std::collections::BTreeMap<String, String>, args: &[&str]) -> usize {
    let json: serde_json::Value =
        serde_json::from_slice(&ok(args).stdout).expect("one JSON line for the baseline");
    let mut compared = 0;
    for (col, value) in row.iter().filter(|(c, _)| c.contains('@')) {
        let key = col.split('@').next().unwrap();
        let run = json[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} in run --json"));
        let x: f64 = value.parse().unwrap();
        // Probabilities are counts over the same runs; mean shares are summed in another order.
        let tolerance = if key.contains(".share.") { 1e-9 } else { 0.0 };
        assert!(
            (x - run).abs() <= tolerance,
            "{col}: explore {x}, run {run} ({})",
            args.join(" ")
        );
        compared += 1;
    }
    compared
}

#[test]
fn experiments_are_byte_identical_across_threads_and_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let design = ["--design", "sobol", "--samples", "4", "--runs", "12"];
    let one = explore(
        &tmp.path().join("t1"),
        &[&design[..], &["--threads", "1"]].concat(),
    );
    let two = explore(
        &tmp.path().join("t2"),
        &[&design[..], &["--threads", "2"]].concat(),
    );
    assert_eq!(one, two, "1 and 2 threads");
    let mut parts = Vec::new();
    for k in 1..=3 {
        let dir = tmp.path().join(format!("s{k}"));
        let shard = format!("{k}/3");
        explore(&dir, &[&design[..], &["--shard", &shard]].concat());
        parts.push(dir.to_str().unwrap().to_string());
    }
    let merged = tmp.path().join("merged");
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--out", merged.to_str().unwrap()]);
    ok(&args);
    assert_eq!(
        std::fs::read(merged.join("experiments.csv")).unwrap(),
        one,
        "merged shards"
    );
    ok(&["verify", merged.to_str().unwrap()]);
    // A merge missing a shard is refused and writes nothing.
    let partial = tmp.path().join("partial");
    let out = fails_with(
        2,
        &[
            "merge",
            &parts[0],
            &parts[2],
            "--out",
            partial.to_str().unwrap(),
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected each of 1..=3 once"));
    assert!(!partial.join("experiments.csv").exists());
}

#[test]
fn bad_options_exit_2_naming_the_problem_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("never");
    let o = out.to_str().unwrap();
    let cases: [(&[&str], &str); 7] = [
        (
            &[
                "explore",
                "--design",
                "lhs",
                "--samples",
                "4",
                "--parameters",
                "none",
                "--out",
                o,
            ],
            "--factor",
        ),
        (
            &[
                "explore",
                "--design",
                "lhs",
                "--samples",
                "4",
                "--factor",
                "model.mood_sd=0.3",
                "--out",
                o,
            ],
            "PATH=LOW..HIGH",
        ),
        (
            &[
                "explore",
                "--design",
                "lhs",
                "--samples",
                "4",
                "--factor",
                "model.no_such_key=0..1",
                "--out",
                o,
            ],
            "no_such_key",
        ),
        (
            &[
                "explore",
                "--design",
                "lhs",
                "--samples",
                "4",
                "--factor",
                "model.mood_sd=-1..0.2",
                "--out",
                o,
            ],
            "lower bound",
        ),
        (
            &[
                "explore",
                "--design",
                "lhs",
                "--samples",
                "4",
                "--factor",
                "model.mood_sd=0.1..0.2",
                "--policy",
                "nope",
                "--out",
                o,
            ],
            "no such plan",
        ),
        (
            &[
                "explore",
                "--design",
                "lhs",
                "--samples",
                "4",
                "--factor",
                "model.mood_sd=0.1..0.2",
                "--at",
                "2040Q1",
                "--out",
                o,
            ],
            "2040Q1",
        ),
        (
            &[
                "explore",
                "--design",
                "grid",
                "--samples",
                "4",
                "--factor",
                "model.mood_sd=0.1..0.2",
                "--out",
                o,
            ],
            "lhs, sobol, morris or factorial",
        ),
    ];
    for (args, needle) in cases {
        let result = greatgame(args);
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{}", describe(args, &result));
        assert!(
            stderr.contains(needle),
            "`{needle}` in\n{}",
            describe(args, &result)
        );
        assert!(
            !out.exists(),
            "nothing written\n{}",
            describe(args, &result)
        );
    }
}

#[test]
fn the_readme_analyst_session_runs_as_written() {
    let readme = std::fs::read_to_string(crate::common::root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- analyst-session:begin")
        .expect("the session's begin marker");
    let end = readme
        .find("<!-- analyst-session:end")
        .expect("the session's end marker");
    let block = readme[start..end].replace("\\\n", " ");
    let commands: Vec<Vec<String>> = block
        .lines()
        .filter(|l| l.starts_with("greatgame "))
        .map(|l| shell_words(l)[1..].to_vec())
        .collect();
    assert_eq!(commands.len(), 4, "{block}");
    let tmp = tempfile::tempdir().unwrap();
    for args in &commands {
        let out = crate::common::command()
            .current_dir(tmp.path())
            .args(args)
            .output()
            .unwrap();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert!(out.status.success(), "{}", describe(&args, &out));
        if args[0] == "discover" {
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                stdout.contains("In ") && stdout.contains("(coverage)"),
                "{stdout}"
            );
        }
    }
    let explore = tmp.path().join("out/central_asia_2017/explore");
    assert_eq!(records(&explore.join("experiments.csv")).len(), 400);
    assert!(explore.join("discover/prim_box.csv").exists());
    assert!(tmp
        .path()
        .join("out/central_asia_2017/sensitivity/sensitivity.csv")
        .exists());
}

#[test]
fn the_factors_are_the_scenarios_uncertain_numbers_then_the_factor_options() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("u.toml");
    let mut text = greatgame::scenario::BUILTIN.to_string();
    text.push_str(
        "\n[[uncertain]]\npath = \"model.mood_sd\"\ndistribution = \"uniform\"\nlow = 0.05\nhigh = 0.2\nreason = \"assumption: a test\"\n",
    );
    std::fs::write(&path, text).unwrap();
    // Four points of an lhs design with `factor`, baseline only, into `out`; their rows.
    let explore = |factor: &str, out: &Path| {
        ok(&[
            "explore",
            path.to_str().unwrap(),
            "--design",
            "lhs",
            "--samples",
            "4",
            "--runs",
            "8",
            "--policy",
            "baseline",
            "--factor",
            factor,
            // The built-in text names its ensemble relative to its folder, which this one is not.
            "--parameters",
            "none",
            "--out",
            out.to_str().unwrap(),
        ]);
        records(&out.join("experiments.csv"))
    };
    let out = tmp.path().join("e");
    let rows = explore("event.spillover.hazard=0.005..0.03", &out);
    let mut reader = csv::Reader::from_path(out.join("experiments.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[2..4], ["model.mood_sd", "event.spillover.hazard"]);
    for row in &rows {
        let mood: f64 = row["model.mood_sd"].parse().unwrap();
        assert!((0.05..=0.2).contains(&mood), "{mood}");
    }
    // A --factor on the uncertain number's path replaces its distribution.
    for row in explore("model.mood_sd=0.3..0.4", &tmp.path().join("n")) {
        let mood: f64 = row["model.mood_sd"].parse().unwrap();
        assert!((0.3..=0.4).contains(&mood), "{mood}");
    }
}

/// Three weighted sets of two numbers small.toml takes (cumulative weights 0.5, 0.75, 1: whole
/// strata of a 12-point Latin hypercube).
const SETS: &str = "set,weight,distance,passed,model.economic_weight,event.crackdown.hazard\n\
                    0,0.5,0,1,0.3,0.1\n1,0.25,0,1,0.6,0.4\n2,0.25,0,1,0.9,0.02\n";

/// small.toml in `dir` naming `sets.csv` (written beside it) as its ensemble; the scenario's path.
fn with_ensemble(dir: &Path) -> String {
    let text = std::fs::read_to_string(crate::common::data("small.toml")).unwrap();
    let text = text.replacen("seed = 42\n", "seed = 42\nparameters = \"sets.csv\"\n", 1);
    std::fs::write(dir.join("sets.csv"), SETS).unwrap();
    let path = dir.join("named.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// `explore SCENARIO` with `args` and `--out dir/out`; experiments.csv's bytes.
fn explore_in(dir: &Path, scenario: &str, out: &str, args: &[&str]) -> Vec<u8> {
    let out = dir.join(out);
    let mut all = vec!["explore", scenario, "--out", out.to_str().unwrap()];
    all.extend(args);
    ok(&all);
    std::fs::read(out.join("experiments.csv")).unwrap()
}

const SMALL_DESIGN: [&str; 10] = [
    "--design",
    "lhs",
    "--samples",
    "12",
    "--runs",
    "16",
    "--seed",
    "5",
    "--factor",
    "model.mood_sd=0.05..0.2",
];

#[test]
fn the_scenario_s_ensemble_is_one_factor_whose_set_and_values_are_input_columns() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = with_ensemble(tmp.path());
    explore_in(tmp.path(), &scenario, "e", &SMALL_DESIGN);
    let path = tmp.path().join("e/experiments.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[..6],
        [
            "point",
            "policy",
            "model.mood_sd",
            "parameters.set",
            "model.economic_weight",
            "event.crackdown.hazard"
        ]
    );
    assert!(header[6].contains('@'), "outcomes follow: {header:?}");
    let sets = [[0.3, 0.1], [0.6, 0.4], [0.9, 0.02]];
    let mut seen = [0; 3];
    let rows = records(&path);
    for row in &rows {
        let set: usize = row["parameters.set"].parse().expect("an integer index");
        let values = [
            row["model.economic_weight"].parse::<f64>().unwrap(),
            row["event.crackdown.hazard"].parse::<f64>().unwrap(),
        ];
        assert_eq!(values, sets[set], "the set's own values, row {row:?}");
        seen[set] += 1;
    }
    // A Latin hypercube stratifies the ensemble's coordinate: 12 strata over weights 0.5, 0.25, 0.25.
    let points: Vec<_> = rows.iter().filter(|r| r["policy"] == "baseline").collect();
    let per_set = |s: &str| points.iter().filter(|r| r["parameters.set"] == s).count();
    assert_eq!([per_set("0"), per_set("1"), per_set("2")], [6, 3, 3]);
    assert!(seen.iter().all(|&n| n > 0));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("e/manifest.json")).unwrap())
            .unwrap();
    let p = &manifest["parameters"];
    assert_eq!(p["sets"], 3);
    assert_eq!(p["named_by"], "scenario.parameters");
    assert_eq!(
        p["sha256"],
        greatgame::scenario::sha256_hex(SETS.as_bytes())
    );
    let stdout = ok(&[
        "explore",
        &scenario,
        "--design",
        "lhs",
        "--samples",
        "2",
        "--runs",
        "2",
        "--parameters",
        tmp.path().join("sets.csv").to_str().unwrap(),
        "--out",
        tmp.path().join("f").to_str().unwrap(),
    ])
    .stdout;
    let stdout = String::from_utf8(stdout).unwrap();
    assert!(
        stdout.contains("1 factor, one of them the calibrated parameters (3 sets of sets.csv)"),
        "an ensemble alone is a design's factor: {stdout}"
    );
    ok(&["verify", tmp.path().join("e").to_str().unwrap()]);
}

#[test]
fn every_run_of_a_point_uses_the_point_s_set_as_run_does_with_that_set_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = with_ensemble(tmp.path());
    explore_in(
        tmp.path(),
        &scenario,
        "e",
        &[&SMALL_DESIGN[..], &["--policy", "baseline"]].concat(),
    );
    let rows = records(&tmp.path().join("e/experiments.csv"));
    // A point of each set.
    for set in ["0", "1", "2"] {
        let row = rows.iter().find(|r| r["parameters.set"] == set).unwrap();
        let one = tmp.path().join(format!("one-{set}.csv"));
        std::fs::write(
            &one,
            format!(
                "set,distance,passed,model.economic_weight,event.crackdown.hazard\n0,0,1,{},{}\n",
                row["model.economic_weight"], row["event.crackdown.hazard"]
            ),
        )
        .unwrap();
        let mood = format!("model.mood_sd={}", row["model.mood_sd"]);
        let args = [
            "run",
            &scenario,
            "--runs",
            "16",
            "--seed",
            "5",
            "--json",
            "--set",
            &mood,
            "--parameters",
            one.to_str().unwrap(),
        ];
        assert!(same_as_run(row, &args) > 20, "set {set}");
    }
}

#[test]
fn a_factor_on_an_ensemble_column_takes_the_factor_s_value() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = with_ensemble(tmp.path());
    let design = [
        &SMALL_DESIGN[..],
        &["--factor", "model.economic_weight=0.1..0.2"],
    ]
    .concat();
    let both = explore_in(tmp.path(), &scenario, "e", &design);
    let path = tmp.path().join("e/experiments.csv");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header[2..6],
        [
            "model.mood_sd",
            "model.economic_weight",
            "parameters.set",
            "event.crackdown.hazard"
        ]
    );
    for row in records(&path) {
        let w: f64 = row["model.economic_weight"].parse().unwrap();
        assert!((0.1..=0.2).contains(&w), "the factor's range: {w}");
    }
    // The same rows as an ensemble without the column: the factor's value is the only one used.
    let without = tmp.path().join("without.csv");
    std::fs::write(
        &without,
        "set,weight,distance,passed,event.crackdown.hazard\n0,0.5,0,1,0.1\n1,0.25,0,1,0.4\n2,0.25,0,1,0.02\n",
    )
    .unwrap();
    let alone = explore_in(
        tmp.path(),
        &scenario,
        "w",
        &[&design[..], &["--parameters", without.to_str().unwrap()]].concat(),
    );
    assert_eq!(both, alone);
    // A value given by --set holds at every point over the ensemble's column, as in `run`.
    let set = ["--set", "model.economic_weight=0.15"];
    let by_set = explore_in(
        tmp.path(),
        &scenario,
        "s",
        &[&SMALL_DESIGN[..], &set[..]].concat(),
    );
    let header = String::from_utf8_lossy(&by_set)
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert!(!header.contains("model.economic_weight"), "{header}");
    let without_column = explore_in(
        tmp.path(),
        &scenario,
        "t",
        &[
            &SMALL_DESIGN[..],
            &set[..],
            &["--parameters", without.to_str().unwrap()],
        ]
        .concat(),
    );
    assert_eq!(by_set, without_column);
}

#[test]
fn parameters_none_gives_the_design_of_the_scenario_without_its_ensemble() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = with_ensemble(tmp.path());
    let plain = tmp.path().join("plain.toml");
    std::fs::write(
        &plain,
        std::fs::read_to_string(crate::common::data("small.toml")).unwrap(),
    )
    .unwrap();
    let none = explore_in(
        tmp.path(),
        &scenario,
        "n",
        &[&SMALL_DESIGN[..], &["--parameters", "none"]].concat(),
    );
    let without = explore_in(tmp.path(), plain.to_str().unwrap(), "p", &SMALL_DESIGN);
    assert_eq!(none, without);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("n/manifest.json")).unwrap())
            .unwrap();
    assert!(manifest.get("parameters").is_none(), "{manifest}");
}

#[test]
fn a_design_with_an_ensemble_is_byte_identical_across_threads_and_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = with_ensemble(tmp.path());
    let design = [
        "--design",
        "sobol",
        "--samples",
        "4",
        "--runs",
        "12",
        "--factor",
        "model.mood_sd=0.05..0.2",
    ];
    let one = explore_in(
        tmp.path(),
        &scenario,
        "t1",
        &[&design[..], &["--threads", "1"]].concat(),
    );
    let two = explore_in(
        tmp.path(),
        &scenario,
        "t2",
        &[&design[..], &["--threads", "2"]].concat(),
    );
    assert_eq!(one, two, "1 and 2 threads");
    let mut args = vec!["merge".to_string()];
    for k in 1..=3 {
        let out = format!("s{k}");
        explore_in(
            tmp.path(),
            &scenario,
            &out,
            &[&design[..], &["--shard", &format!("{k}/3")]].concat(),
        );
        args.push(tmp.path().join(out).to_str().unwrap().to_string());
    }
    let merged = tmp.path().join("merged");
    args.extend(["--out".into(), merged.to_str().unwrap().to_string()]);
    ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(std::fs::read(merged.join("experiments.csv")).unwrap(), one);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(merged.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["parameters"]["sets"], 3);
    ok(&["verify", merged.to_str().unwrap()]);
    // A shard drawn from another ensemble is not a shard of this experiment.
    let other = tmp.path().join("other.csv");
    std::fs::write(&other, SETS.replace("0.9,0.02", "0.8,0.02")).unwrap();
    explore_in(
        tmp.path(),
        &scenario,
        "x3",
        &[
            &design[..],
            &["--shard", "3/3", "--parameters", other.to_str().unwrap()],
        ]
        .concat(),
    );
    let out = fails_with(
        2,
        &[
            "merge",
            &args[1],
            &args[2],
            tmp.path().join("x3").to_str().unwrap(),
            "--out",
            tmp.path().join("bad").to_str().unwrap(),
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a shard of the same experiment"));
}

/// A design shows its progress in points on a terminal (a pseudo-terminal from util-linux's `script`),
/// and not with `--quiet`, nor when stderr is not a terminal (the tests' own runs, whose stderr stays
/// empty).
#[test]
fn a_design_shows_its_progress_on_a_terminal_only() {
    let dir = tempfile::tempdir().unwrap();
    let run = |quiet: bool, out: &str| {
        let out = dir.path().join(out);
        let command = format!(
            "{} explore --design lhs --samples 40 --runs 50 --factor model.mood_sd=0.1..0.2 --parameters none --policy baseline --out {}{}",
            crate::common::BIN,
            out.display(),
            if quiet { " --quiet" } else { "" }
        );
        let output = std::process::Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .output()
            .expect("util-linux's script runs");
        assert!(output.status.success(), "{output:?}");
        assert!(out.join("experiments.csv").exists());
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(run(false, "a").contains("/40 points"));
    assert!(!run(true, "b").contains("points,"));
    let plain = crate::common::ok(&[
        "explore",
        "--design",
        "lhs",
        "--samples",
        "4",
        "--runs",
        "5",
        "--factor",
        "model.mood_sd=0.1..0.2",
        "--parameters",
        "none",
        "--policy",
        "baseline",
        "--out",
        dir.path().join("c").to_str().unwrap(),
    ]);
    assert!(
        plain.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
}
