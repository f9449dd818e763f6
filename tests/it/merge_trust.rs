//! Issue 11: `merge` trusts nothing it reads. A part changed by hand no longer matches its hashes; a part
//! changed and re-hashed (as an adversary would) is refused by the checks of its content; streamed files
//! are checked against the size and SHA-256 their part recorded; an --out inside a part is refused.
//! Every refusal is exit 2 with the part named, and writes nothing.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use greatgame::scenario::Scenario;
use greatgame::shard::{self, Part};

use crate::common::{data, describe, entries, fails_with, ok, relist, tamper_part};

/// Three shards of small.toml (900 runs, with trajectories), made once per test binary.
fn parts() -> &'static [PathBuf; 3] {
    static PARTS: std::sync::OnceLock<(tempfile::TempDir, [PathBuf; 3])> =
        std::sync::OnceLock::new();
    &PARTS
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let paths = [1, 2, 3].map(|k| dir.path().join(format!("p{k}")));
            for (k, p) in paths.iter().enumerate() {
                let shard = format!("{}/3", k + 1);
                let s = data("small.toml");
                ok(&[
                    "run",
                    s.to_str().unwrap(),
                    "--runs",
                    "900",
                    "--trajectories",
                    "--shard",
                    &shard,
                    "--out",
                    p.to_str().unwrap(),
                ]);
            }
            (dir, paths)
        })
        .1
}

/// A copy of part folder `from` in `into`.
fn copy_part(from: &Path, into: &Path) -> PathBuf {
    std::fs::create_dir_all(into).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), into.join(e.file_name())).unwrap();
    }
    into.to_path_buf()
}

/// Merges parts 1 and 3 with `second` as part 2; asserts exit 2, `expected` in the message and nothing
/// written.
fn refused(second: &Path, expected: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("merged");
    let [p1, _, p3] = parts();
    let args = [
        "merge",
        p1.to_str().unwrap(),
        second.to_str().unwrap(),
        p3.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    let e = fails_with(2, &args);
    let stderr = String::from_utf8_lossy(&e.stderr);
    assert!(
        stderr.contains(expected),
        "expected `{expected}`\n{}",
        describe(&args, &e)
    );
    assert!(!out.exists(), "a refused merge wrote {:?}", entries(&out));
}

/// Edits part 2 (a copy), re-sealed and re-listed: only the checks of its content can refuse it.
fn tampered(edit: impl FnOnce(&mut Part)) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = copy_part(&parts()[1], &tmp.path().join("p2"));
    tamper_part(&dir, edit);
    (tmp, dir)
}

#[test]
fn r11_the_untampered_parts_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    let [p1, p2, p3] = parts();
    ok(&[
        "merge",
        p3.to_str().unwrap(),
        p1.to_str().unwrap(),
        p2.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    ok(&["verify", out.to_str().unwrap()]);
}

/// An edit of a part's JSON.
type Edit = Box<dyn FnOnce(&mut Part)>;

#[test]
fn r11_tampered_parts_with_matching_hashes_are_refused_by_their_content() {
    let cases: Vec<(&str, Edit)> = vec![
        ("need 1 <= K <= N <= runs", Box::new(|p| p.shard.n = 0)),
        ("need 1 <= K <= N <= runs", Box::new(|p| p.shard.k = 0)),
        ("need 1 <= K <= N <= runs", Box::new(|p| p.shard.n = 5000)),
        ("runs 0, allowed", Box::new(|p| p.runs_total = 0)),
        ("allowed 1..=", Box::new(|p| p.runs_total = u64::MAX)),
        ("holds runs 300..600", Box::new(|p| p.first_run = 0)),
        ("0 tallies for 1 policies", Box::new(|p| p.tallies.clear())),
        (
            "histograms: length",
            Box::new(|p| p.tallies[0].histograms.len = usize::MAX),
        ),
        (
            "out of order, beyond length",
            Box::new(|p| p.tallies[0].histograms.entries[0].0 = 4_000_000_000),
        ),
        (
            "out of order, beyond length",
            Box::new(|p| p.tallies[0].histograms.entries.swap(0, 1)),
        ),
        (
            "a cell does not count 300 runs",
            Box::new(|p| p.tallies[0].histograms.entries[0].1 = 1_000_000),
        ),
        (
            "count 301 above the shard's 300 runs",
            Box::new(|p| p.tallies[0].bases[0] = 301),
        ),
        (
            "count 4294967295 above",
            Box::new(|p| p.tallies[0].occurrences.entries[0].1 = u32::MAX),
        ),
        (
            "a state does not count 300 runs",
            Box::new(|p| p.tallies[0].dominant[0] += 1),
        ),
        (
            "not the moments of 300 values",
            Box::new(|p| p.tallies[0].alignment[3] = Default::default()),
        ),
        (
            "not the moments of 300 values",
            Box::new(|p| p.tallies[0].paired[0] = Default::default()),
        ),
        (
            "alignment: length",
            Box::new(|p| {
                p.tallies[0].alignment.pop();
            }),
        ),
        ("tally of 299 runs", Box::new(|p| p.tallies[0].runs = 299)),
        ("policies", Box::new(|p| p.plans[0] = "other".into())),
        ("unknown command", Box::new(|p| p.command = "rm".into())),
        ("part format 1", Box::new(|p| p.format = 1)),
        (
            "lists files",
            Box::new(|p| {
                p.files.pop();
            }),
        ),
        (
            "scenario text does not match",
            Box::new(|p| p.scenario_text = "# other\n".into()),
        ),
    ];
    for (expected, edit) in cases {
        let (_tmp, dir) = tampered(edit);
        refused(&dir, expected);
    }
}

#[test]
fn r11_parts_changed_by_hand_or_incomplete_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let source = &parts()[1];
    let case = |name: &str, edit: &dyn Fn(&Path)| {
        let dir = copy_part(source, &tmp.path().join(name));
        edit(&dir);
        dir
    };
    let by_hand = case("by_hand", &|d| {
        let text = std::fs::read_to_string(d.join("part.json")).unwrap();
        std::fs::write(
            d.join("part.json"),
            text.replacen("\"runs\":300", "\"runs\":301", 1),
        )
        .unwrap();
    });
    refused(&by_hand, "not the part.json its manifest.json lists");
    // Re-listed in the manifest, the part's own content hash still catches it.
    relist(&by_hand, "part.json");
    refused(&by_hand, "does not match its content_sha256");
    // Moments whose sum of squares is too small for their sum (Cauchy–Schwarz), edited in the text (the
    // sums are 128-bit integers, beyond what a JSON value holds exactly) and re-sealed.
    let moments = case("moments", &|d| {
        let text = std::fs::read_to_string(d.join("part.json")).unwrap();
        let at = text.find("\"sum_sq\":").unwrap() + "\"sum_sq\":".len();
        let end = at + text[at..].find(|c: char| !c.is_ascii_digit()).unwrap();
        let edited = format!("{}1{}", &text[..at], &text[end..]);
        let mut part: Part = serde_json::from_str(&edited).unwrap();
        part.seal();
        std::fs::write(d.join("part.json"), serde_json::to_vec(&part).unwrap()).unwrap();
        relist(d, "part.json");
    });
    refused(&moments, "not the moments of 300 values");
    let no_manifest = case("no_manifest", &|d| {
        std::fs::remove_file(d.join("manifest.json")).unwrap()
    });
    refused(&no_manifest, "no manifest.json");
    let truncated = case("truncated", &|d| {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(d.join("runs.csv"))
            .unwrap();
        let len = f.metadata().unwrap().len();
        f.set_len(len - 40).unwrap();
    });
    refused(&truncated, "truncated or changed");
    // Same size, one byte changed: found by the SHA-256, after the merge started writing its temp files,
    // which are removed again.
    let flipped = case("flipped", &|d| {
        let mut bytes = std::fs::read(d.join("trajectories.csv")).unwrap();
        let at = bytes.len() / 2;
        bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
        std::fs::write(d.join("trajectories.csv"), bytes).unwrap();
    });
    refused(&flipped, "changed since the shard wrote it");
    let stale = case("stale", &|d| {
        std::fs::remove_file(d.join("part.json")).unwrap()
    });
    refused(&stale, "cannot read a shard's partial result");
}

#[test]
fn r11_merge_refuses_an_out_that_is_or_lies_inside_a_part() {
    let tmp = tempfile::tempdir().unwrap();
    let [p1, p2, p3] = parts().clone().map(|p| {
        let name = p.file_name().unwrap().to_owned();
        copy_part(&p, &tmp.path().join(name))
    });
    let before = entries(&p1);
    let bytes = std::fs::read(p1.join("runs.csv")).unwrap();
    for out in [
        p1.clone(),
        p1.join("sub"),
        p2.join("."),
        tmp.path().join("p3/../p1/x"),
    ] {
        let args = [
            "merge",
            p1.to_str().unwrap(),
            p2.to_str().unwrap(),
            p3.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        let e = fails_with(2, &args);
        assert!(
            String::from_utf8_lossy(&e.stderr).contains("lies inside, the part folder"),
            "{}",
            describe(&args, &e)
        );
    }
    assert_eq!(entries(&p1), before);
    assert_eq!(std::fs::read(p1.join("runs.csv")).unwrap(), bytes);
    // The folder above the parts is fine (the layout out/NAME/shard-K-of-N of --shard without --out).
    let above = tmp.path().to_str().unwrap();
    ok(&[
        "merge",
        p1.to_str().unwrap(),
        p2.to_str().unwrap(),
        p3.to_str().unwrap(),
        "--out",
        above,
    ]);
    ok(&["verify", above, p1.to_str().unwrap()]);
}

#[test]
fn r11_a_part_still_being_written_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let p2 = copy_part(&parts()[1], &tmp.path().join("p2"));
    let held = greatgame::output::OutputDir::open(&p2, &[]).unwrap();
    refused(&p2, "in use by another greatgame process");
    drop(held);
}

/// What the CLI does with part texts, minus files: parse, check each, rebuild the scenario, merge.
fn try_merge(texts: &[String]) -> Result<Vec<greatgame::engine::Tally>, String> {
    let mut parts = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let part: Part = serde_json::from_str(t).map_err(|e| e.to_string())?;
        shard::check_part(&format!("p{i}"), &part).map_err(|e| e.to_string())?;
        parts.push((format!("p{i}"), part));
    }
    let first = &parts[0].1;
    let sc = Scenario::from_toml(&first.scenario_text, &first.scenario_file)
        .map_err(|e| e.to_string())?;
    shard::merge(&parts, &sc).map_err(|e| e.to_string())
}

fn part_texts() -> Vec<String> {
    parts()
        .iter()
        .map(|p| std::fs::read_to_string(p.join("part.json")).unwrap())
        .collect()
}

/// The numbers a random edit writes: edges, overflows and plausible values.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("1".to_string()),
        Just(u32::MAX.to_string()),
        Just(u64::MAX.to_string()),
        Just("340282366920938463463374607431768211455".to_string()),
        Just("1e308".to_string()),
        (0u64..2000).prop_map(|n| n.to_string()),
    ]
}

/// Byte offsets of the numbers in `text`.
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            spans.push((start, i));
        } else {
            i += 1;
        }
    }
    spans
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Random edits of a valid part.json (a number replaced, bytes cut out, bytes inserted) never panic
    /// the merge and never merge, unless the edit left the part's value as it was.
    #[test]
    fn r11_random_edits_of_a_part_never_panic_and_never_merge(
        which in 0usize..3,
        kind in 0usize..3,
        at in any::<prop::sample::Index>(),
        len in 1usize..40,
        value in number(),
        noise in prop::collection::vec(any::<u8>(), 1..12),
    ) {
        let texts = part_texts();
        let original: Part = serde_json::from_str(&texts[which]).unwrap();
        let text = &texts[which];
        let edited = match kind {
            0 => {
                let spans = number_spans(text);
                let (s, e) = spans[at.index(spans.len())];
                format!("{}{value}{}", &text[..s], &text[e..])
            }
            1 => {
                let s = at.index(text.len());
                let e = (s + len).min(text.len());
                let mut b = text.as_bytes().to_vec();
                b.drain(s..e);
                String::from_utf8_lossy(&b).into_owned()
            }
            _ => {
                let s = at.index(text.len());
                let mut b = text.as_bytes().to_vec();
                b.splice(s..s, noise);
                String::from_utf8_lossy(&b).into_owned()
            }
        };
        let mut all = texts.clone();
        all[which] = edited.clone();
        let unchanged = serde_json::from_str::<Part>(&edited).is_ok_and(|p| p == original);
        let merged = std::panic::catch_unwind(|| try_merge(&all));
        prop_assert!(merged.is_ok(), "merge panicked on edit kind {}", kind);
        prop_assert!(merged.unwrap().is_err() || unchanged, "an edited part merged (kind {})", kind);
    }

    /// The same edits of numbers with the part re-sealed afterwards (an adversary who recomputes the
    /// hash) never panic the merge.
    #[test]
    fn r11_resealed_edits_never_panic(
        which in 0usize..3,
        at in any::<prop::sample::Index>(),
        value in number(),
    ) {
        let texts = part_texts();
        let text = &texts[which];
        let spans = number_spans(text);
        let (s, e) = spans[at.index(spans.len())];
        let edited = format!("{}{value}{}", &text[..s], &text[e..]);
        let mut all = texts.clone();
        if let Ok(mut part) = serde_json::from_str::<Part>(&edited) {
            part.seal();
            all[which] = serde_json::to_string(&part).unwrap();
        }
        let merged = std::panic::catch_unwind(|| try_merge(&all));
        prop_assert!(merged.is_ok(), "merge panicked");
    }
}
