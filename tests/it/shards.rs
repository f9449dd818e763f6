//! Shards 1/3, 2/3 and 3/3 merged give the same bytes as one process running every index; `merge`
//! refuses parts that do not belong together and names what is missing.

use std::path::Path;

use crate::common::{csv_files, data, fails_with, ok, tamper_part};

fn shard_into(dir: &Path, name: &str, command: &str, seed: &str, k: u64) -> String {
    run_into(dir, name, command, seed, Some(k), &[])
}

/// Runs `command` on small.toml (2,500 runs, with trajectories) into `dir/name`: shard `k` of 3, or
/// every run if `shard` is `None`. Returns the output folder.
fn run_into(
    dir: &Path,
    name: &str,
    command: &str,
    seed: &str,
    shard: Option<u64>,
    extra: &[&str],
) -> String {
    let out = dir.join(name);
    let scenario = data("small.toml");
    let mut args = vec![
        command,
        scenario.to_str().unwrap(),
        "--runs",
        "2500",
        "--seed",
        seed,
        "--trajectories",
        "--out",
        out.to_str().unwrap(),
    ];
    let shard = shard.map(|k| format!("{k}/3"));
    if let Some(shard) = &shard {
        args.extend(["--shard", shard.as_str()]);
    }
    args.extend(extra);
    ok(&args);
    out.display().to_string()
}

fn merged_equals_single(command: &str, extra: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let parts: Vec<String> = (1..=3)
        .map(|k| run_into(dir.path(), &format!("p{k}"), command, "4", Some(k), extra))
        .collect();
    let merged = dir.path().join("merged");
    // Parts given out of order: the merge orders them by shard.
    ok(&[
        "merge",
        &parts[2],
        &parts[0],
        &parts[1],
        "--out",
        merged.to_str().unwrap(),
    ]);
    run_into(dir.path(), "single", command, "4", None, extra);
    let single = dir.path().join("single");
    let (a, b) = (csv_files(&single), csv_files(&merged));
    let gzipped = a.iter().any(|(name, _)| name == "runs.csv.gz");
    assert_eq!(gzipped, extra.contains(&"--gzip"), "{command}: runs.csv.gz");
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(
            x == y,
            "{command}: {name} differs between merged shards and a single run"
        );
    }
}

#[test]
fn merged_shards_of_run_equal_a_single_run() {
    merged_equals_single("run", &[]);
}

#[test]
fn merged_gzipped_shards_equal_a_single_gzipped_run() {
    merged_equals_single("run", &["--gzip"]);
}

#[test]
fn merged_shards_of_compare_equal_a_single_compare() {
    merged_equals_single("compare", &[]);
}

#[test]
fn merge_refuses_missing_overlapping_and_mismatched_parts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let p1 = shard_into(d, "p1", "run", "4", 1);
    let p2 = shard_into(d, "p2", "run", "4", 2);
    let p3 = shard_into(d, "p3", "run", "4", 3);
    let other_seed = shard_into(d, "q3", "run", "5", 3);
    let out = d.join("m");
    let o = out.to_str().unwrap();

    let e = fails_with(2, &["merge", &p1, &p2, "--out", o]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("missing 1 of 3 shards: 3"));
    let e = fails_with(2, &["merge", &p1, &p2, &p2, &p3, "--out", o]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("shard 2/3 given twice"));
    let e = fails_with(2, &["merge", &p1, &p2, &other_seed, "--out", o]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("parts differ in seed"));
    let gzipped = run_into(d, "g3", "run", "4", Some(3), &["--gzip"]);
    let e = fails_with(2, &["merge", &p1, &p2, &gzipped, "--out", o]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("parts differ in gzip"));

    // A part from another version of greatgame (re-sealed and re-listed, so only the comparison of
    // parts can tell).
    tamper_part(Path::new(&p3), |part| {
        part.greatgame_version = "0.0.0-other".into();
    });
    let e = fails_with(2, &["merge", &p1, &p2, &p3, "--out", o]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("parts differ in greatgame version"));
    // An edit by hand, without the tools: the manifest no longer lists that part.json.
    let part = Path::new(&p3).join("part.json");
    let text = std::fs::read_to_string(&part).unwrap();
    let needle = "\"greatgame_version\":\"0.0.0-other\"";
    assert!(text.contains(needle));
    std::fs::write(
        &part,
        text.replace(needle, "\"greatgame_version\":\"0.0.0-another\""),
    )
    .unwrap();
    let e = fails_with(2, &["merge", &p1, &p2, &p3, "--out", o]);
    assert!(
        String::from_utf8_lossy(&e.stderr).contains("not the part.json its manifest.json lists")
    );

    // A part of another scenario.
    let other = d.join("other.toml");
    std::fs::write(
        &other,
        std::fs::read_to_string(data("small.toml"))
            .unwrap()
            .replace("gdp_usd_bn = 10.0", "gdp_usd_bn = 11.0"),
    )
    .unwrap();
    let q = d.join("o3");
    ok(&[
        "run",
        other.to_str().unwrap(),
        "--runs",
        "2500",
        "--seed",
        "4",
        "--trajectories",
        "--shard",
        "3/3",
        "--out",
        q.to_str().unwrap(),
    ]);
    let e = fails_with(2, &["merge", &p1, &p2, q.to_str().unwrap(), "--out", o]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("parts differ in scenario (SHA-256)"));
    assert!(!out.exists(), "a refused merge wrote output");
}

#[test]
fn gzipped_outputs_decompress_to_the_plain_outputs_and_replace_them() {
    use std::io::Read;
    let dir = tempfile::tempdir().unwrap();
    let scenario = data("small.toml");
    let run = |out: &Path, gzip: bool| {
        let mut args = vec![
            "run",
            scenario.to_str().unwrap(),
            "--runs",
            "1500",
            "--trajectories",
            "--out",
            out.to_str().unwrap(),
        ];
        if gzip {
            args.push("--gzip");
        }
        ok(&args);
    };
    let (plain, gz) = (dir.path().join("plain"), dir.path().join("gz"));
    run(&plain, false);
    run(&gz, false);
    run(&gz, true);
    for name in ["runs.csv", "trajectories.csv"] {
        let mut text = Vec::new();
        let file = std::fs::File::open(gz.join(format!("{name}.gz"))).unwrap();
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut text)
            .unwrap();
        assert!(text == std::fs::read(plain.join(name)).unwrap(), "{name}");
        assert!(
            !gz.join(name).exists(),
            "stale plain {name} left beside the .gz"
        );
    }
}
