//! The coefficient and lever tables of docs/MODEL.md and docs/SCENARIO.md are the ones generated from
//! the declarations in src/model/world.rs (`COEFFICIENTS`, `LEVERS`): a coefficient or lever added,
//! renamed or given another range, default or reason there fails this test until the docs follow.
//! `GREATGAME_BLESS=1 cargo test --release --test it docs::` rewrites the tables between their markers.

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
