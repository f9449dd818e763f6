//! The coefficient and lever tables of docs/MODEL.md and docs/SCENARIO.md are the ones generated from
//! the declarations in src/model/world.rs (`COEFFICIENTS`, `LEVERS`): a coefficient or lever added,
//! renamed or given another range, default or reason there fails this test until the docs follow.
//! `GREATGAME_BLESS=1 cargo test --release --test it docs::` rewrites the tables between their markers.
//! And the doc comments in src/ hold no Rust code block, which rustdoc would compile as a doc test:
//! the root package builds none (`doctest = false` in Cargo.toml), so one would silently never run.

use greatgame::scenario::docs::{generated_tables, markers};

fn blessing() -> bool {
    std::env::var_os("GREATGAME_BLESS").is_some_and(|v| v == "1")
}

/// The text between the marker lines named `name` in `doc` (after the begin line, before the end
/// line), and the byte range it occupies.
fn region(doc: &str, name: &str) -> Option<std::ops::Range<usize>> {
    let (begin, end) = markers(name);
    let start = doc.find(&begin)? + begin.len() + 1;
    let stop = start + doc[start..].find(&end)?;
    Some(start..stop)
}

#[test]
fn doc_tables_are_generated_from_the_declarations() {
    let root = crate::common::root();
    let mut wrong = Vec::new();
    for (file, name, table) in generated_tables() {
        let path = root.join(file);
        let mut doc = std::fs::read_to_string(&path).unwrap();
        let Some(range) = region(&doc, name) else {
            wrong.push(format!(
                "{file}: no table marked `{name}` (lines {:?})",
                markers(name)
            ));
            continue;
        };
        if doc[range.clone()] != table {
            if blessing() {
                doc.replace_range(range, &table);
                std::fs::write(&path, doc).unwrap();
            } else {
                wrong.push(format!(
                    "{file}: the `{name}` table differs from the declarations in src/model/world.rs \
                     (GREATGAME_BLESS=1 rewrites it):\n--- in the doc\n{}--- generated\n{table}",
                    &doc[range]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_coefficient_and_lever_key_is_in_the_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&greatgame::scenario::json_schema()).unwrap();
    let model = &schema["definitions"]["RawModel"]["properties"];
    for c in greatgame::model::COEFFICIENTS {
        assert_eq!(model[c.key]["maximum"], c.max, "{}", c.key);
        assert_eq!(model[c.key]["minimum"], c.min, "{}", c.key);
    }
    let lever = &schema["definitions"]["RawLever"]["properties"];
    for l in greatgame::model::LEVERS {
        assert_eq!(lever[l.key]["maximum"], l.max, "{}", l.key);
    }
}

/// Whether a code block opened by a fence with `info` (the text after the backticks) is Rust to
/// rustdoc: no language, `rust` among the words, or only rustdoc's own attributes (rustdoc book,
/// "Documentation tests").
fn rustdoc_runs(info: &str) -> bool {
    const ATTRIBUTES: [&str; 7] = [
        "rust",
        "ignore",
        "no_run",
        "should_panic",
        "compile_fail",
        "test_harness",
        "standalone_crate",
    ];
    let mut words = info
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty());
    words
        .clone()
        .all(|w| ATTRIBUTES.contains(&w) || w.starts_with("edition"))
        || words.any(|w| w == "rust")
}

/// The `.rs` files under `dir`, recursively.
fn rust_files(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn doc_comments_hold_no_rust_code_blocks() {
    let root = crate::common::root();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    assert!(files.len() > 20, "{} files under src/", files.len());
    let mut found = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut open = false;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_start();
            let Some(doc) = line
                .strip_prefix("///")
                .or_else(|| line.strip_prefix("//!"))
            else {
                continue;
            };
            let Some(info) = doc.trim().strip_prefix("```") else {
                continue;
            };
            if !open && rustdoc_runs(info) {
                found.push(format!(
                    "{}:{}",
                    path.strip_prefix(root).unwrap().display(),
                    i + 1
                ));
            }
            open = !open;
        }
    }
    assert!(
        found.is_empty(),
        "doc comments open Rust code blocks, doc tests that would never run (Cargo.toml has \
         `doctest = false`): mark them ```text, or turn doc tests on: {found:?}"
    );
}

#[test]
fn a_fence_is_rust_to_rustdoc_unless_it_names_another_language() {
    for info in [
        "",
        "rust",
        "no_run",
        "rust,ignore",
        "should_panic",
        "edition2021",
    ] {
        assert!(rustdoc_runs(info), "`{info}`");
    }
    for info in ["text", "toml", "sh", "text,ignore", "json"] {
        assert!(!rustdoc_runs(info), "`{info}`");
    }
}
