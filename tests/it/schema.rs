//! Editor support: `greatgame schema` and `greatgame init`. The shipped scenarios/schema.json is what the
//! program generates now, every shipped scenario points at it and validates against it, and a new file
//! from `init` passes both the schema and `greatgame check`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{describe, fails_with, ok, shipped};

/// The schema as `greatgame schema` prints it.
fn generated() -> String {
    let out = ok(&["schema"]);
    String::from_utf8(out.stdout).unwrap()
}

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&generated()).unwrap();
    jsonschema::draft7::new(&schema).unwrap()
}

/// A TOML text as the JSON value an editor validates.
fn toml_to_json(text: &str) -> Value {
    let value: toml::Value = toml::from_str(text).unwrap();
    serde_json::to_value(value).unwrap()
}

/// The schema's complaints about `text`, one per line (empty if it validates).
fn schema_errors(text: &str) -> String {
    let instance = toml_to_json(text);
    validator()
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn shipped_scenarios() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(shipped(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn shipped_schema_is_up_to_date() {
    let path = shipped("schema.json");
    let shipped = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        shipped == generated(),
        "{} differs from what `greatgame schema` generates now (a key, type or doc comment in \
         src/scenario/raw.rs changed). Regenerate it:\n    cargo run -- schema --out scenarios/schema.json",
        path.display()
    );
}

#[test]
fn schema_is_draft_07_with_descriptions_and_no_unknown_keys() {
    let schema: Value = serde_json::from_str(&generated()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["additionalProperties"], false);
    let lever = &schema["definitions"]["RawLever"];
    assert_eq!(lever["additionalProperties"], false);
    let share = &lever["properties"]["remittance_share"];
    assert_eq!(share["type"], "number");
    assert!(share["description"].as_str().unwrap().contains("0..=1"));
}

#[test]
fn every_shipped_scenario_names_the_schema_on_its_first_line() {
    for path in shipped_scenarios() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().next(),
            Some("#:schema ./schema.json"),
            "{}: the first line should be the taplo directive `#:schema ./schema.json`",
            path.display()
        );
    }
}

#[test]
fn every_shipped_scenario_validates_against_the_schema() {
    for path in shipped_scenarios() {
        let text = std::fs::read_to_string(&path).unwrap();
        let errors = schema_errors(&text);
        assert!(errors.is_empty(), "{}:\n{errors}", path.display());
    }
}

/// A shipped scenario with `from` replaced by `to` once.
fn edited(name: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(shipped(name)).unwrap();
    assert!(text.contains(from), "{name} has no `{from}`");
    text.replacen(from, to, 1)
}

#[test]
fn an_unknown_key_fails_the_schema() {
    let text = edited(
        "central_asia_2017.toml",
        "remittance_share = 0.32",
        "remitance_share = 0.32",
    );
    let errors = schema_errors(&text);
    assert!(errors.contains("remitance_share"), "{errors}");
}

#[test]
fn a_value_out_of_range_or_of_the_wrong_type_fails_the_schema() {
    let text = edited(
        "central_asia_2017.toml",
        "remittance_share = 0.32",
        "remittance_share = 1.4",
    );
    assert!(schema_errors(&text).contains("remittance_share"));
    let text = edited(
        "central_asia_2017.toml",
        "quarters = 40",
        "quarters = \"40\"",
    );
    assert!(schema_errors(&text).contains("quarters"));
    let text = edited(
        "central_asia_2017.toml",
        "lever = \"aid_usd_m\"",
        "lever = \"aid\"",
    );
    assert!(schema_errors(&text).contains("lever"));
}

fn init_demo(dir: &Path) -> PathBuf {
    let path = dir.join("demo.toml");
    ok(&["init", "demo", "--out", path.to_str().unwrap()]);
    path
}

#[test]
fn init_writes_a_scenario_that_passes_check_and_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = init_demo(dir.path());
    let out = ok(&["check", path.to_str().unwrap()]);
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("demo"), "{summary}");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("#:schema ./schema.json\n"));
    assert!(text.contains("name = \"demo\""));
    let errors = schema_errors(&text);
    assert!(errors.is_empty(), "{errors}");
    // A consistent start: nothing the first quarter's decisions or reactions change at once.
    let sc = greatgame::scenario::load(&path).unwrap().scenario;
    assert!(sc.start_warnings().is_empty(), "{:?}", sc.start_warnings());
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let path = init_demo(dir.path());
    std::fs::write(&path, "# mine\n").unwrap();
    let args = ["init", "demo", "--out", path.to_str().unwrap()];
    let out = fails_with(2, &args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already exists"), "{}", describe(&args, &out));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "# mine\n");

    ok(&["init", "demo", "--out", path.to_str().unwrap(), "--force"]);
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("#:schema"));
}

#[test]
fn init_rejects_a_name_that_cannot_name_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.toml");
    let args = ["init", "my scenario", "--out", path.to_str().unwrap()];
    let out = fails_with(2, &args);
    assert!(String::from_utf8_lossy(&out.stderr).contains("letters, digits"));
    assert!(!path.exists());
}

#[test]
fn init_without_out_writes_name_dot_toml_in_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::common::command()
        .current_dir(dir.path())
        .args(["init", "fresh"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        describe(&["init", "fresh"], &out)
    );
    assert!(dir.path().join("fresh.toml").is_file());
}

#[test]
fn schema_out_writes_the_same_text_as_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.json");
    ok(&["schema", "--out", path.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), generated());
}
