//! `greatgame report` and `--report`: every section and chart is there, the briefing says what the CSVs
//! say, missing optional files still give a report, and a folder that is not an output folder is
//! refused with exit 2.

use std::fs;
use std::path::Path;

use crate::common::{data, fails_with, ok, shipped};

/// Rows of a CSV file as header → value maps.
fn csv_rows(path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Runs `greatgame COMMAND SCENARIO --runs RUNS -q --out DIR` and then `extra`.
fn run_into(command: &str, scenario: &Path, runs: &str, dir: &Path, extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        command,
        scenario.to_str().unwrap(),
        "--runs",
        runs,
        "-q",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    ok(&args).stdout
}

/// The report of `compare` on the small scenario with trajectories, made by `--report`.
fn small_compare_report(dir: &Path) -> String {
    small_compare_report_and_stdout(dir).0
}

/// As `small_compare_report`, with what the command printed.
fn small_compare_report_and_stdout(dir: &Path) -> (String, String) {
    let stdout = run_into(
        "compare",
        &data("small.toml"),
        "200",
        dir,
        &["--trajectories", "--report"],
    );
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    assert!(stdout.contains("report in "));
    (fs::read_to_string(dir.join("report.html")).unwrap(), stdout)
}

/// Percent as the briefing writes it.
fn pct(p: f64) -> String {
    match p * 100.0 {
        x if x >= 99.5 && p < 1.0 => ">99%".into(),
        x if x < 0.5 && p > 0.0 => "<1%".into(),
        x => format!("{x:.0}%"),
    }
}

#[test]
fn the_report_of_a_small_compare_has_every_section_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let html = small_compare_report(dir.path());
    for section in [
        "briefing",
        "fans",
        "dominance",
        "timeline",
        "compare",
        "manifest",
    ] {
        assert!(
            html.contains(&format!("id=\"{section}\"")),
            "no section {section}"
        );
    }
    // The briefing says what its spread leaves out (model honesty: no spread presented as complete).
    assert!(
        html.contains("does not include uncertainty about the coefficients"),
        "the briefing must say the spread omits coefficient uncertainty"
    );
    let mut charts = vec!["dominance-horizon".to_string(), "timeline".to_string()];
    for state in ["AAA", "BBB", "NEU"] {
        charts.push(format!("fan-{state}"));
        charts.push(format!("dominance-{state}"));
    }
    for policy in ["no_op", "more_nato_aid"] {
        charts.push(format!("compare-{policy}"));
    }
    for chart in &charts {
        let start = html
            .find(&format!("data-chart=\"{chart}\""))
            .unwrap_or_else(|| panic!("no chart {chart}"));
        let figure = &html[start..start + html[start..].find("</figure>").unwrap()];
        assert!(figure.contains("<svg"), "chart {chart} has no SVG");
        let marks: usize = ["<polygon", "<polyline", "<rect", "<circle", "<line"]
            .iter()
            .map(|m| figure.matches(m).count())
            .sum();
        assert!(marks > 10, "chart {chart} draws nothing");
        if chart.starts_with("fan-") {
            // Three poles, each with two bands.
            assert!(
                figure.matches("<polygon").count() >= 6,
                "chart {chart} lacks its bands"
            );
        }
    }
    assert_eq!(html.matches("data-chart=").count(), charts.len());
    // Self-contained: nothing to load, no script.
    for external in ["src=", "href=", "url(", "@import", "<script", "<link"] {
        assert!(!html.contains(external), "the report contains {external}");
    }
    // The manifest stamp.
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    let sha = manifest["scenario_sha256"].as_str().unwrap();
    assert!(html.contains(sha));
    assert!(html.contains("seed 42"));
    assert!(html.contains("200 runs"));
    assert!(html.contains(&format!("greatgame {}", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn the_briefing_states_the_numbers_in_the_csvs() {
    let dir = tempfile::tempdir().unwrap();
    let (html, stdout) = small_compare_report_and_stdout(dir.path());
    let outcomes = csv_rows(&dir.path().join("outcomes.csv"));
    assert!(html.contains("What is likely by 2022Q4"));
    for state in ["AAA", "BBB", "NEU"] {
        let top = outcomes
            .iter()
            .filter(|r| {
                r["policy"] == "baseline" && r["state"] == state && r["outcome"] == "dominant"
            })
            .max_by(|a, b| {
                let p = |r: &std::collections::HashMap<String, String>| -> f64 {
                    r["probability"].parse().unwrap()
                };
                p(a).total_cmp(&p(b))
            })
            .unwrap();
        let p: f64 = top["probability"].parse().unwrap();
        // The margin is the one the baseline table on stdout prints for the same state (the wider
        // side of the Wilson interval), so the page and the terminal agree.
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{state} ")))
            .unwrap_or_else(|| panic!("no table line for {state}: {stdout}"));
        let printed = line
            .split_whitespace()
            .find(|w| w.starts_with('±'))
            .unwrap_or_else(|| panic!("no margin in {line}"));
        let tail = match p {
            1.0 => format!("the dominant partner of {state} in every run."),
            _ => format!(
                "the dominant partner of {state} in {} of runs ({printed} pp).",
                pct(p)
            ),
        };
        let sentence = html
            .lines()
            .flat_map(|l| l.split("<li>"))
            .find(|s| s.contains(&tail))
            .unwrap_or_else(|| panic!("no sentence ending {tail:?}"));
        assert!(
            sentence.starts_with(&format!("{} ", top["subject"])),
            "{sentence}"
        );
    }
    // What would change it: first the policy that changes a chance of dominance the most (beyond its
    // 95% interval), with the interval; else the largest paired difference of a share.
    let value =
        |r: &std::collections::HashMap<String, String>, k: &str| -> f64 { r[k].parse().unwrap() };
    let signed = |x: f64| {
        let x = x * 100.0;
        match x {
            0.0 => "0.0".to_string(),
            x if x.abs() < 0.095 => format!("{x:+.2}"),
            x => format!("{x:+.1}"),
        }
        .replace('-', "−")
    };
    type Row = std::collections::HashMap<String, String>;
    // The row of `rows` with the largest absolute `key`, and a difference `key` with its interval.
    fn largest<'a>(rows: impl Iterator<Item = &'a Row>, key: &str) -> Option<&'a Row> {
        let size = |r: &Row| r[key].parse::<f64>().unwrap().abs();
        rows.max_by(|a, b| size(a).total_cmp(&size(b)))
    }
    let with_interval = |r: &Row, key: &str| {
        format!(
            "{} pp (95% CI {} to {} pp)",
            signed(value(r, key)),
            signed(value(r, "ci95_low")),
            signed(value(r, "ci95_high"))
        )
    };
    let paired = csv_rows(&dir.path().join("paired_outcomes.csv"));
    let clear = paired.iter().filter(|r| {
        r["outcome"] == "dominant" && (value(r, "ci95_low") > 0.0 || value(r, "ci95_high") < 0.0)
    });
    let expected = match largest(clear, "difference") {
        Some(r) => format!(
            "{} changes the chance that {} dominates {} at 2022Q4 from {} to {}, by {}",
            r["policy"],
            r["subject"],
            r["state"],
            pct(value(r, "baseline_probability")),
            pct(value(r, "policy_probability")),
            with_interval(r, "difference")
        ),
        None => {
            let compare = csv_rows(&dir.path().join("compare.csv"));
            let r = largest(compare.iter(), "mean_difference").unwrap();
            format!(
                "{} moves {}'s {} share by {}",
                r["policy"],
                r["state"],
                r["pole"],
                with_interval(r, "mean_difference")
            )
        }
    };
    assert!(html.contains(&expected), "no sentence {expected:?}");
    // A policy that changes nothing changes no chance.
    assert!(!html.contains("no_op changes the chance"));
    // The no-op policy changes nothing, and the comparison table says so.
    assert!(
        html.contains("<td>no_op</td><td>AAA NATO 0.0 [0.0, 0.0];"),
        "no_op is not shown as exactly zero"
    );
}

#[test]
fn the_report_of_a_hindcast_has_its_table_and_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = shipped("history_2005.toml");
    run_into("hindcast", &scenario, "50", dir.path(), &["--report"]);
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("id=\"hindcast\""));
    let rows = csv_rows(&dir.path().join("hindcast.csv"));
    for row in &rows {
        assert!(
            html.contains(&format!("<td>{}</td>", row["check"])),
            "no row for {}",
            row["check"]
        );
    }
    let passed = rows
        .iter()
        .filter(|r| r["holdout"] == "false" && r["pass"] == "true")
        .count();
    let all = rows.iter().filter(|r| r["holdout"] == "false").count();
    assert!(html.contains(&format!("{passed} of {all} calibration checks")));
    // Dominance only at the horizon, and the report says why.
    assert!(html.contains("no trajectories.csv"));
    assert!(!html.contains("data-chart=\"dominance-KGZ\""));
}

/// The part of a report from the dominance section to the timeline.
fn dominance_section(html: &str) -> &str {
    let start = html.find("id=\"dominance\"").unwrap();
    let end = html.find("id=\"timeline\"").unwrap();
    &html[start..end]
}

#[test]
fn gzipped_trajectories_give_the_same_dominance_over_time() {
    let plain = tempfile::tempdir().unwrap();
    let gzip = tempfile::tempdir().unwrap();
    let small = data("small.toml");
    run_into(
        "run",
        &small,
        "60",
        plain.path(),
        &["--trajectories", "--report"],
    );
    run_into(
        "run",
        &small,
        "60",
        gzip.path(),
        &["--trajectories", "--gzip", "--report"],
    );
    assert!(gzip.path().join("trajectories.csv.gz").exists());
    let read = |d: &Path| fs::read_to_string(d.join("report.html")).unwrap();
    let (a, b) = (read(plain.path()), read(gzip.path()));
    assert!(dominance_section(&a).contains("data-chart=\"dominance-AAA\""));
    assert_eq!(dominance_section(&a), dominance_section(&b));
}

#[test]
fn the_report_names_states_by_the_names_the_manifest_records() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(data("small.toml"))
        .unwrap()
        .replace("code = \"AAA\"", "code = \"AAA\"\nname = \"Alphaland\"");
    let scenario = dir.path().join("named.toml");
    fs::write(&scenario, text).unwrap();
    let out = dir.path().join("out");
    run_into("run", &scenario, "50", &out, &["--report"]);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["title"], "Small test scenario");
    assert_eq!(manifest["states"][0]["code"], "AAA");
    assert_eq!(manifest["states"][0]["name"], "Alphaland");
    assert_eq!(manifest["states"][1]["name"], "BBB");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Small test scenario"));
    assert!(
        html.contains("the dominant partner of Alphaland in"),
        "no sentence on Alphaland"
    );
    assert!(!html.contains("the dominant partner of AAA"));
    assert!(html.contains("Alphaland (AAA): share of alignment"));
    // A state without a name keeps its code, with no repetition.
    assert!(html.contains("<figcaption>BBB: share of alignment, %</figcaption>"));
    // A manifest written before names were recorded still reports, by code.
    let mut old = manifest.clone();
    old.as_object_mut().unwrap().remove("states");
    old.as_object_mut().unwrap().remove("title");
    fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&old).unwrap(),
    )
    .unwrap();
    let again = dir.path().join("again.html");
    ok(&[
        "report",
        out.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
    ]);
    let html = fs::read_to_string(&again).unwrap();
    assert!(html.contains("the dominant partner of AAA in"));
    assert!(!html.contains("Alphaland"));
}

#[test]
fn a_folder_missing_optional_files_still_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    run_into("run", &data("small.toml"), "50", dir.path(), &[]);
    for name in ["outcomes.csv", "events.csv", "runs.csv"] {
        fs::remove_file(dir.path().join(name)).unwrap();
    }
    let target = dir.path().join("elsewhere.html");
    ok(&["report", out, "--out", target.to_str().unwrap()]);
    let html = fs::read_to_string(&target).unwrap();
    assert!(!dir.path().join("report.html").exists());
    assert!(html.contains("data-chart=\"fan-AAA\""));
    assert!(html.contains("No outcomes.csv in this folder"));
    assert!(html.contains("No events.csv in this folder"));
    assert!(html.contains("No compare.csv in this folder"));
    assert!(!html.contains("id=\"hindcast\""));
}

#[test]
fn a_folder_that_is_not_an_output_folder_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let err = fails_with(2, &["report", path]).stderr;
    let err = String::from_utf8_lossy(&err);
    assert!(
        err.contains(path) && err.contains("not a greatgame output folder"),
        "{err}"
    );
    assert!(err.contains("manifest.json"), "{err}");
    assert!(!dir.path().join("report.html").exists());

    let missing = dir.path().join("nothing-here");
    fails_with(2, &["report", missing.to_str().unwrap()]);
}

#[test]
fn a_shard_folder_is_refused_with_the_way_to_merge_it() {
    let dir = tempfile::tempdir().unwrap();
    run_into(
        "run",
        &data("small.toml"),
        "20",
        dir.path(),
        &["--shard", "1/2"],
    );
    let err = fails_with(2, &["report", dir.path().to_str().unwrap()]).stderr;
    let err = String::from_utf8_lossy(&err);
    assert!(
        err.contains("part.json") && err.contains("greatgame merge"),
        "{err}"
    );
}

#[test]
fn a_malformed_summary_is_refused_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    run_into("run", &data("small.toml"), "20", dir.path(), &[]);
    let summary = dir.path().join("summary.csv");
    let text = fs::read_to_string(&summary).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[3] = lines[3].replacen(",0.", ",zero.", 1);
    fs::write(&summary, lines.join("\n")).unwrap();
    let err = fails_with(2, &["report", out]).stderr;
    let err = String::from_utf8_lossy(&err);
    assert!(err.contains("summary.csv:4:"), "{err}");
    assert!(!dir.path().join("report.html").exists());
}

#[test]
fn a_run_without_report_removes_the_report_of_an_earlier_run() {
    let dir = tempfile::tempdir().unwrap();
    run_into("run", &data("small.toml"), "20", dir.path(), &["--report"]);
    assert!(dir.path().join("report.html").exists());
    run_into("run", &data("small.toml"), "30", dir.path(), &[]);
    assert!(!dir.path().join("report.html").exists());
}

#[test]
fn the_built_in_scenario_report_stays_under_2_mb() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    ok(&[
        "compare",
        "--runs",
        "40",
        "--trajectories",
        "--summary-only",
        "-q",
        "--out",
        out,
        "--report",
    ]);
    let size = fs::metadata(dir.path().join("report.html")).unwrap().len();
    assert!(size < 2_000_000, "report.html is {size} bytes");
}
