//! The bad-input catalogue: every broken scenario in `tests/catalogue/` (`NAME.toml`) is rejected by
//! `greatgame run NAME.toml --out DIR` with exit code 2, nothing on stdout, no `DIR` created, and on
//! stderr exactly the text stored beside it in `NAME.expected`, with the case's path written `$FILE`
//! (and an output path `$OUT`). Problems the catalogue cannot hold as a file (a binary file, a missing
//! file, an output path that is a file or an unwritable folder) are made by the tests below and compared
//! with their `.expected` the same way.
//!
//! After changing a message: `GREATGAME_BLESS=1 cargo test --release --test it catalogue::` rewrites every `.expected`
//! from what the binary says; read the diff by eye before committing it.

use std::path::{Path, PathBuf};

use crate::common::{describe, greatgame};

/// Fewest broken scenario files the catalogue must hold.
const MIN_CASES: usize = 32;
/// The valid base every case breaks in one place; not a case.
const VALID: &str = "valid";
/// Cases made by the tests below rather than stored as `NAME.toml`.
const MADE: [&str; 4] = ["binary", "missing_file", "out_is_file", "out_not_writable"];

fn catalogue() -> PathBuf {
    crate::common::root().join("tests/catalogue")
}

fn blessing() -> bool {
    std::env::var_os("GREATGAME_BLESS").is_some_and(|v| v == "1")
}

/// Runs `greatgame run file --out out` and checks the rejection: exit 2, empty stdout, and stderr,
/// with `file` and `out` written `$FILE` and `$OUT`, equal to `NAME.expected` (rewritten when
/// blessing). Returns what is wrong, if anything, and stderr as printed.
fn rejected(name: &str, file: &Path, out: &Path) -> (Vec<String>, String) {
    let args = [
        "run".to_string(),
        file.display().to_string(),
        "--out".to_string(),
        out.display().to_string(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = greatgame(&args);
    let printed = String::from_utf8_lossy(&output.stderr).into_owned();
    let mut wrong = Vec::new();
    if output.status.code() != Some(2) {
        wrong.push(format!(
            "{name}: expected exit code 2\n{}",
            describe(&args, &output)
        ));
    }
    if !output.stdout.is_empty() {
        wrong.push(format!(
            "{name}: expected nothing on stdout\n{}",
            describe(&args, &output)
        ));
    }
    let stderr = printed
        .replace(&out.display().to_string(), "$OUT")
        .replace(&file.display().to_string(), "$FILE");
    let expected_path = catalogue().join(format!("{name}.expected"));
    if blessing() {
        std::fs::write(&expected_path, &stderr).unwrap();
        eprintln!("blessed {}", expected_path.display());
        return (wrong, printed);
    }
    match std::fs::read_to_string(&expected_path) {
        Ok(expected) if expected == stderr => {}
        Ok(expected) => wrong.push(format!(
            "{name}: stderr differs from {}\n--- expected\n{expected}--- actual\n{stderr}--- \
             (GREATGAME_BLESS=1 rewrites it)\n{}",
            expected_path.display(),
            describe(&args, &output)
        )),
        Err(e) => wrong.push(format!(
            "{name}: cannot read {} ({e}); GREATGAME_BLESS=1 writes it. stderr was:\n{stderr}",
            expected_path.display()
        )),
    }
    (wrong, printed)
}

/// `rejected`, with `--out` a folder that must not exist afterwards.
fn rejected_writing_nothing(name: &str, file: &Path) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut wrong, printed) = rejected(name, file, &out);
    if out.exists() {
        wrong.push(format!("{name}: {} was created", out.display()));
    }
    (wrong, printed)
}

/// Names of the stored cases (`NAME.toml`, but not the valid base), sorted.
fn stored_cases() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(catalogue())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|n| n != VALID)
        .collect();
    names.sort();
    names
}

fn fail_if_any(wrong: Vec<String>) {
    assert!(
        wrong.is_empty(),
        "{} problem(s):\n\n{}",
        wrong.len(),
        wrong.join("\n\n")
    );
}

#[test]
fn the_base_of_the_catalogue_is_valid() {
    let file = catalogue().join(format!("{VALID}.toml"));
    let args = ["check", file.to_str().unwrap()];
    let out = greatgame(&args);
    assert!(out.status.success(), "{}", describe(&args, &out));
}

#[test]
fn every_broken_scenario_is_rejected_with_its_message_and_nothing_written() {
    let cases = stored_cases();
    assert!(
        cases.len() >= MIN_CASES,
        "the catalogue holds {} cases, expected at least {MIN_CASES}",
        cases.len()
    );
    let mut wrong = Vec::new();
    for name in &cases {
        let file = catalogue().join(format!("{name}.toml"));
        let (problems, stderr) = rejected_writing_nothing(name, &file);
        wrong.extend(problems);
        if !stderr.starts_with(&format!("error: {}:", file.display())) {
            wrong.push(format!(
                "{name}: the message does not start by naming the file and place:\n{stderr}"
            ));
        }
    }
    fail_if_any(wrong);
}

#[test]
fn every_expected_message_has_its_case() {
    let cases = stored_cases();
    let orphans: Vec<String> = std::fs::read_dir(catalogue())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "expected"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|n| !cases.contains(n) && !MADE.contains(&n.as_str()))
        .collect();
    assert!(orphans.is_empty(), ".expected without a case: {orphans:?}");
}

#[test]
fn a_binary_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("binary.toml");
    // A PNG signature and a few bytes that are not UTF-8: what a mistaken file name would feed us.
    std::fs::write(&file, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00").unwrap();
    fail_if_any(rejected_writing_nothing("binary", &file).0);
}

#[test]
fn a_missing_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("missing.toml");
    fail_if_any(rejected_writing_nothing("missing_file", &file).0);
}

#[test]
fn an_output_path_that_is_a_file_is_rejected_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let file = catalogue().join(format!("{VALID}.toml"));
    let out = dir.path().join("results.csv");
    std::fs::write(&out, "keep me\n").unwrap();
    let (mut wrong, _) = rejected("out_is_file", &file, &out);
    if std::fs::read_to_string(&out).unwrap() != "keep me\n" {
        wrong.push("out_is_file: the file given as --out was changed".into());
    }
    fail_if_any(wrong);
}

#[cfg(unix)]
#[test]
fn an_output_folder_that_is_not_writable_is_rejected() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("locked");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = out.join("probe");
    if std::fs::write(&probe, "").is_ok() {
        // Root (or a capability) writes anywhere: there is no unwritable folder to test with.
        std::fs::remove_file(&probe).unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!(
            "note: skipped out_not_writable: a read-only folder is writable for this user (root?)"
        );
        return;
    }
    let file = catalogue().join(format!("{VALID}.toml"));
    let (mut wrong, _) = rejected("out_not_writable", &file, &out);
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    if !left.is_empty() {
        wrong.push(format!("out_not_writable: {} entries written", left.len()));
    }
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755)).unwrap();
    fail_if_any(wrong);
}
