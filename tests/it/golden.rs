//! Value stability: the first draws of a run's random stream, the first quarter's shocks of the built-in
//! scenario and the full output of a small scenario are pinned, so a change that alters results (a new
//! rand version, a reordered draw, a changed equation) fails here and must be made deliberately:
//! re-bless with `GREATGAME_BLESS=1 cargo test --release --test it golden::` and say why in the commit.

use crate::common;
use std::path::Path;

use rand::RngCore;

#[test]
fn the_first_draws_of_a_run_stream_are_pinned() {
    let mut rng = greatgame::engine::run_rng(2017, 7);
    let draws: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
    let expected_path = crate::common::root().join("tests/golden/draws.txt");
    let got = draws.iter().map(|d| format!("{d}\n")).collect::<String>();
    check_or_bless(&expected_path, got.as_bytes());
}

#[test]
fn the_first_quarter_of_shocks_is_pinned() {
    // Which numbers a quarter draws, into which cells and how they are mapped: the stream's layout.
    let loaded = greatgame::scenario::builtin().unwrap();
    let world = &loaded.scenario.world;
    let mut shocks = greatgame::model::Shocks::new(world);
    shocks.draw(&mut greatgame::engine::run_rng(2017, 7));
    let mut got = String::new();
    for (name, values) in [
        ("event", &shocks.event),
        ("mood", &shocks.mood),
        ("reaction", &shocks.reaction),
    ] {
        for (k, x) in values.iter().enumerate() {
            got.push_str(&format!("{name} {k} {x:?}\n"));
        }
    }
    let expected_path = crate::common::root().join("tests/golden/shocks.txt");
    check_or_bless(&expected_path, got.as_bytes());
}

#[test]
fn the_full_output_of_a_small_scenario_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = common::data("small.toml");
    common::ok(&[
        "compare",
        scenario.to_str().unwrap(),
        "--runs",
        "20",
        "--seed",
        "3",
        "--trajectories",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let golden = crate::common::root().join("tests/golden/small");
    for (name, bytes) in common::csv_files(dir.path()) {
        check_or_bless(&golden.join(&name), &bytes);
    }
}

fn check_or_bless(path: &Path, got: &[u8]) {
    if std::env::var_os("GREATGAME_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, got).unwrap();
        return;
    }
    let expected = std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e}; bless with GREATGAME_BLESS=1", path.display()));
    if expected != got {
        let (e, g) = (
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(got),
        );
        let line = e
            .lines()
            .zip(g.lines())
            .position(|(a, b)| a != b)
            .map_or(e.lines().count().min(g.lines().count()), |i| i);
        panic!(
            "{} changed at line {}:\n  expected: {}\n  got:      {}\nIf the change is deliberate, re-bless with GREATGAME_BLESS=1 and say why in the commit.",
            path.display(),
            line + 1,
            e.lines().nth(line).unwrap_or("<end>"),
            g.lines().nth(line).unwrap_or("<end>")
        );
    }
}
