//! Shared helpers for integration tests: run the binary and, on failure, show everything.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// The repository's root folder, where README.md, docs/, scenarios/ and tests/ are. These tests are
/// the package tests/it (`CARGO_MANIFEST_DIR`), two levels below it.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap()
}

/// Path of a file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    root().join("tests/data").join(name)
}

/// Path of a shipped scenario.
pub fn shipped(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

/// The binary under test: src/main.rs built as this package's binary `greatgame-it`, which Cargo
/// builds from the current source before these tests, whatever the filter (tests/it/Cargo.toml).
pub const BIN: &str = env!("CARGO_BIN_EXE_greatgame-it");

/// A command that runs the binary under test as `greatgame`: argv[0] is the name clap prints in usage
/// and error texts, and the shipped binary's name, so they read as they do for a user.
pub fn std_command() -> std::process::Command {
    let mut cmd = std::process::Command::new(BIN);
    cmd.arg0("greatgame");
    cmd
}

/// [`std_command`] with assert_cmd's helpers (standard input, output capture).
pub fn command() -> Command {
    Command::from_std(std_command())
}

/// Runs `greatgame` with `args`; returns its output.
pub fn greatgame(args: &[&str]) -> Output {
    command().args(args).output().unwrap()
}

/// Describes a finished command for assertion messages.
pub fn describe(args: &[&str], out: &Output) -> String {
    format!(
        "command: greatgame {}\nstatus: {}\n--- stdout\n{}\n--- stderr\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs `greatgame` and asserts it succeeded.
pub fn ok(args: &[&str]) -> Output {
    let out = greatgame(args);
    assert!(
        out.status.success(),
        "expected success\n{}",
        describe(args, &out)
    );
    out
}

/// Runs `greatgame` and asserts it exited with `code`.
pub fn fails_with(code: i32, args: &[&str]) -> Output {
    let out = greatgame(args);
    assert_eq!(
        out.status.code(),
        Some(code),
        "expected exit {code}\n{}",
        describe(args, &out)
    );
    out
}

/// The CSV files of an output folder, by name, sorted.
pub fn csv_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".csv") || name.ends_with(".csv.gz")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Parses a CSV file into header-keyed records.
pub fn records(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Rewrites `name`'s record in `dir`'s manifest.json to what the file now holds, as someone who knows
/// the format (or a tool that rewrites files) would.
pub fn relist(dir: &Path, name: &str) {
    let path = dir.join("manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let record = greatgame::output::digest_file(&dir.join(name))
        .unwrap()
        .record(name);
    for file in manifest["files"].as_array_mut().unwrap() {
        if file["name"] == name {
            *file = serde_json::to_value(&record).unwrap();
        }
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// Edits the part.json in `dir`, re-seals it and re-lists it in the manifest: a tampered part that
/// every hash agrees with, so only the checks of its content can refuse it.
pub fn tamper_part(dir: &Path, edit: impl FnOnce(&mut greatgame::shard::Part)) {
    let path = dir.join("part.json");
    let mut part: greatgame::shard::Part =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut part);
    part.seal();
    std::fs::write(&path, serde_json::to_vec(&part).unwrap()).unwrap();
    relist(dir, "part.json");
}

/// Folders' entries, by name, sorted (hidden ones too).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Waits until the run has started writing (a temp file exists in `out`): the state the test needs,
/// not a timing assumption. Gives up after a minute.
pub fn wait_for_writing(out: &Path) {
    let start = std::time::Instant::now();
    loop {
        let writing = std::fs::read_dir(out)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            })
            .unwrap_or(false);
        if writing {
            // Let at least one chunk reach the temp files.
            let grown = std::fs::read_dir(out)
                .unwrap()
                .flatten()
                .any(|e| e.metadata().map(|m| m.len() > 0).unwrap_or(false));
            if grown {
                return;
            }
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(60),
            "the run never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// `runs` runs (from run 0, on two threads, no checks) of each plan on `world` with `seed`, through the
/// library: the plans are paired run by run (common random numbers).
pub fn simulate_plans(
    world: &greatgame::model::World,
    plans: &[greatgame::model::Plan],
    runs: u64,
    seed: u64,
) -> greatgame::engine::Outcome {
    let batch = greatgame::engine::Batch {
        world,
        plans,
        first_run: 0,
        runs,
        seed,
        threads: Some(2),
        checks: &[],
        keep_finals: false,
        keep_trajectories: false,
        varied: None,
    };
    greatgame::engine::simulate(&batch, |_| Ok::<(), ()>(())).unwrap()
}

/// The words of one shell command line as a POSIX shell splits them: whitespace-separated, a part in
/// `"..."` or `'...'` kept whole (the quotes dropped; inside one kind of quote the other is an ordinary
/// character). The READMEs' sessions are run through this, command by command.
pub fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in line.chars() {
        match (c, quote) {
            ('"' | '\'', None) => {
                quote = Some(c);
                any = true;
            }
            (c, Some(q)) if c == q => quote = None,
            (c, None) if c.is_whitespace() => {
                if any {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (c, _) => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// `f(state, occurred)` after each quarter of run `run` (stream `(seed, run)`) of `plan` on `world`,
/// stepped one run at a time through the reference update.
pub fn run_path<T>(
    world: &greatgame::model::World,
    plan: &greatgame::model::Plan,
    seed: u64,
    run: u64,
    mut f: impl FnMut(&greatgame::model::RunState, &[bool]) -> T,
) -> Vec<T> {
    use greatgame::model::{step, Occurrences, RunState, Shocks};
    let slots = Occurrences::new(world);
    let mut rng = greatgame::engine::run_rng(seed, run);
    let mut state = RunState::initial(world);
    let mut shocks = Shocks::new(world);
    let mut occurred = vec![false; slots.len()];
    (0..world.quarters)
        .map(|t| {
            shocks.draw(&mut rng);
            step(world, plan, &slots, t, &mut state, &shocks, &mut occurred);
            f(&state, &occurred)
        })
        .collect()
}

/// The 1-based line and column of the first `needle` in `text`.
pub fn line_col(text: &str, needle: &str) -> (usize, usize) {
    let at = text.find(needle).unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}
