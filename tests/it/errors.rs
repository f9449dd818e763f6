//! A malformed scenario gets an error naming file, line, column and key, exit code 2, and nothing is
//! written.

use crate::common::{data, fails_with};

/// Writes the small scenario with `from` replaced by `to`, runs it, and returns stderr.
fn broken(from: &str, to: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(data("small.toml")).unwrap();
    assert!(
        text.contains(from),
        "test setup: `{from}` not in small.toml"
    );
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let out_dir = dir.path().join("out");
    let out = fails_with(
        2,
        &[
            "run",
            path.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
        ],
    );
    assert!(
        !out_dir.exists(),
        "output folder created for a bad scenario"
    );
    assert!(
        out.stdout.is_empty(),
        "stdout for a bad scenario: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    (
        String::from_utf8(out.stderr).unwrap(),
        path.display().to_string(),
    )
}

/// 1-based line of the first line of small.toml containing `text`.
fn line_of(text: &str) -> usize {
    std::fs::read_to_string(data("small.toml"))
        .unwrap()
        .lines()
        .position(|l| l.contains(text))
        .unwrap()
        + 1
}

#[test]
fn share_above_one_is_located_and_names_key_and_range() {
    let (err, file) = broken("remittance_share = 0.3", "remittance_share = 1.4");
    let line = line_of("remittance_share = 0.3");
    let expect = format!(
        "{file}:{line}:20: lever.Russia.AAA.remittance_share: 1.4 is out of range, expected 0..=1"
    );
    assert!(err.contains(&expect), "expected `{expect}` in:\n{err}");
}

#[test]
fn unknown_key_is_located() {
    let (err, file) = broken("remittance_share = 0.3", "remitance_share = 0.3");
    let line = line_of("remittance_share = 0.3");
    assert!(
        err.contains(&format!(
            "{file}:{line}:1: lever.Russia.AAA.remitance_share: unknown field `remitance_share`"
        )),
        "{err}"
    );
    assert!(
        err.contains("remittance_share"),
        "should list the allowed keys: {err}"
    );
}

#[test]
fn unknown_state_in_a_reference_is_located() {
    let (err, file) = broken("states = [\"AAA\"]", "states = [\"XXX\"]");
    let line = line_of("states = [\"AAA\"]");
    assert!(err.contains(&format!("{file}:{line}:")), "{err}");
    assert!(
        err.contains("inject.states: unknown state `XXX`, expected one of: AAA, BBB, NEU"),
        "{err}"
    );
}

#[test]
fn syntax_error_is_located() {
    let (err, file) = broken("quarters = 12", "quarters = = 12");
    let line = line_of("quarters = 12");
    assert!(err.contains(&format!("{file}:{line}:")), "{err}");
}

#[test]
fn wrong_type_is_located() {
    let (err, file) = broken("quarters = 12", "quarters = \"twelve\"");
    let line = line_of("quarters = 12");
    assert!(err.contains(&format!("{file}:{line}:12:")), "{err}");
    assert!(err.contains("invalid type"), "{err}");
}

#[test]
fn inject_outside_the_horizon_is_rejected() {
    let (err, _) = broken("quarter = \"2020Q3\"", "quarter = \"2031Q1\"");
    assert!(
        err.contains("inject.quarter: 2031Q1 is outside the horizon, expected 2020Q1..=2022Q4"),
        "{err}"
    );
}

#[test]
fn a_base_in_a_state_that_bans_them_is_rejected() {
    let (err, _) = broken(
        "name = \"BBB-NATO\"\nstate = \"BBB\"\npole = \"NATO\"",
        "name = \"BBB-NATO\"\nstate = \"BBB\"\npole = \"NATO\"\nhosted = true",
    );
    assert!(
        err.contains("base.BBB-NATO.hosted: BBB has bans_bases = true and hosts no base"),
        "{err}"
    );
    // Located at the offending value, not at the base's `state`.
    assert!(err.contains("| hosted = true"), "{err}");
}

#[test]
fn alignment_must_sum_to_one() {
    let (err, _) = broken(
        "{ NATO = 0.2, Russia = 0.5, China = 0.3 }",
        "{ NATO = 0.2, Russia = 0.6, China = 0.3 }",
    );
    assert!(
        err.contains("state.AAA.alignment: shares sum to 1.1"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let out = fails_with(
        2,
        &[
            "run",
            missing.to_str().unwrap(),
            "--out",
            dir.path().join("o").to_str().unwrap(),
        ],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nope.toml: cannot read the scenario file")
    );
    assert!(!dir.path().join("o").exists());
}

#[test]
fn an_output_path_that_is_a_file_is_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, "x").unwrap();
    let out = fails_with(
        2,
        &[
            "run",
            data("small.toml").to_str().unwrap(),
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists and is not a folder"));
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn check_reports_every_bad_file_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[scenario]\nname = \"x\"\n").unwrap();
    let good = data("small.toml");
    let out = fails_with(2, &["check", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("small.toml: ok"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1 of 2 scenario files invalid") && err.contains("missing field `start`"),
        "{err}"
    );
}

#[test]
fn border_exposure_on_a_pole_event_is_rejected() {
    let (err, _) = broken(
        "hazard = 0.05\neconomy",
        "hazard = 0.05\nborder_exposure = true\neconomy",
    );
    assert!(
        err.contains(
            "event.sanctions.border_exposure: not allowed here: a pole event has no border"
        ),
        "{err}"
    );
}

#[test]
fn a_policy_reaction_override_that_changes_nothing_is_rejected() {
    let (err, _) = broken(
        "name = \"russia_punishes\"\nenabled = false",
        "name = \"russia_punishes\"",
    );
    assert!(
        err.contains("policy.more_nato_aid.reaction: changes nothing"),
        "{err}"
    );
}

#[test]
fn a_single_pole_is_rejected() {
    let (err, _) = broken(
        "[[pole]]\nname = \"Russia\"\n[[pole]]\nname = \"China\"\n",
        "",
    );
    assert!(
        err.contains("1 [[pole]] block(s) declared, expected 2..=8"),
        "{err}"
    );
}
