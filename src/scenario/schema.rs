//! The JSON Schema of the scenario format, for editors (taplo's `#:schema` directive, VS Code's Even
//! Better TOML): generated from the `raw` types, so it lists exactly the keys the reader accepts.
//!
//! The schema helps while typing (keys, types, simple ranges, closed lists of words) but decides
//! nothing: cross references, sums and the other rules of `validate` are checked only by the program.
//! Must not: touch the file system (the `schema` command writes the text).

use schemars::generate::SchemaSettings;
use schemars::transform::{transform_subschemas, Transform};
use schemars::Schema;
use serde_json::Value;

use super::raw::RawScenario;
use super::CHECK_KINDS;
use crate::model::Lever;

/// A quarter as `Quarter::from_str` reads it: a year 1..=9999 and a quarter 1..=4, `Q` or `q`,
/// surrounding spaces allowed.
pub(super) const QUARTER_PATTERN: &str = r"^\s*\+?0*[1-9][0-9]{0,3}[Qq]\+?0*[1-4]\s*$";

/// `scenario.name`: an ASCII letter or digit, then letters, digits, `_` and `-` (it names the output
/// folder).
pub(super) const NAME_PATTERN: &str = "^[A-Za-z0-9][A-Za-z0-9_-]*$";

/// Names of poles, blocs, states (codes), events, reactions, policies and checks, as `validate::is_name`
/// checks them, for ASCII: a letter or digit, then letters, digits, `_` and `-`. Written without `\p{L}`
/// (which not every editor's regex engine knows), so it lets any non-ASCII character through and leaves
/// those to `greatgame check`.
pub(super) const IDENT_PATTERN: &str = r"^[^\x00-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F][^\x00-\x2C\x2E\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F]*$";

/// The JSON Schema (draft-07) of a scenario file, pretty-printed, ending in a newline.
pub fn json_schema() -> String {
    let generator = SchemaSettings::draft07()
        .with_transform(NoNull)
        .into_generator();
    let schema = generator.into_root_schema_for::<RawScenario>();
    // unwrap OK: a `Schema` is a JSON value, which always serializes.
    let mut text = serde_json::to_string_pretty(&schema).unwrap();
    text.push('\n');
    text
}

/// TOML has no null: an optional key is simply left out, so `Option<T>` is `T` in the schema, with no
/// `"default": null` (an editor would offer to write it).
#[derive(Clone)]
struct NoNull;

impl Transform for NoNull {
    fn transform(&mut self, schema: &mut Schema) {
        if let Some(obj) = schema.as_object_mut() {
            if obj.get("default").is_some_and(Value::is_null) {
                obj.remove("default");
            }
            if let Some(Value::Array(types)) = obj.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    obj.insert("type".into(), only);
                }
            }
            for key in ["anyOf", "oneOf"] {
                if let Some(Value::Array(options)) = obj.get_mut(key) {
                    options.retain(|o| o.get("type").is_none_or(|t| t != "null"));
                    if options.len() == 1 {
                        if let Some(Value::Object(only)) = options.pop() {
                            obj.remove(key);
                            obj.extend(only);
                        }
                    }
                }
            }
        }
        transform_subschemas(self, schema);
    }
}

/// Field transform: the value is one of the eight lever keys.
pub(super) fn lever_keys(schema: &mut Schema) {
    let keys: Vec<&str> = Lever::ALL.iter().map(|l| l.key()).collect();
    schema.insert("enum".into(), keys.into());
}

/// Field transform: the value is one of the check kinds.
pub(super) fn check_kinds(schema: &mut Schema) {
    schema.insert("enum".into(), CHECK_KINDS.to_vec().into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quarter::Quarter;

    fn schema() -> Value {
        serde_json::from_str(&json_schema()).unwrap()
    }

    #[test]
    fn is_draft_07_and_rejects_unknown_keys() {
        let s = schema();
        assert_eq!(s["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(s["additionalProperties"], false);
        assert_eq!(s["definitions"]["RawLever"]["additionalProperties"], false);
    }

    #[test]
    fn spanned_values_are_plain_and_optional_ones_not_nullable() {
        let s = schema();
        let meta = &s["definitions"]["RawMeta"]["properties"];
        assert_eq!(meta["quarters"]["type"], "integer");
        assert_eq!(meta["runs"]["type"], "integer");
        assert_eq!(meta["name"]["type"], "string");
        let required = &s["definitions"]["RawMeta"]["required"];
        assert_eq!(required, &serde_json::json!(["name", "start", "quarters"]));
        assert!(!json_schema().contains("null"), "{}", json_schema());
    }

    #[test]
    fn quarter_pattern_matches_what_the_reader_accepts() {
        let re = matches_pattern(QUARTER_PATTERN);
        for s in [
            "2018Q1", "2018q4", " 2018Q2 ", "1Q1", "9999Q4", "+2018Q1", "02018Q01",
        ] {
            assert!(s.parse::<Quarter>().is_ok(), "{s} rejected by the reader");
            assert!(re(s), "{s} rejected by the pattern");
        }
        for s in [
            "2018", "2018Q0", "2018Q5", "Q1", "abcdQ1", "2018Q1x", "", "0Q1", "10000Q1",
        ] {
            assert!(s.parse::<Quarter>().is_err(), "{s} accepted by the reader");
            assert!(!re(s), "{s} accepted by the pattern");
        }
    }

    #[test]
    fn name_patterns_match_what_validation_accepts() {
        let ident = matches_pattern(IDENT_PATTERN);
        let name = matches_pattern(NAME_PATTERN);
        let mut words: Vec<String> = ["KGZ", "NATO", "east_pays", "a-b", "9x", "Россия"]
            .map(String::from)
            .to_vec();
        // Every ASCII character in first, middle and last place.
        for c in (0u8..128).map(char::from) {
            words.extend([
                format!("{c}ab"),
                format!("a{c}b"),
                format!("ab{c}"),
                c.to_string(),
            ]);
        }
        for w in &words {
            let valid = crate::scenario::is_name(w);
            if w.is_ascii() {
                assert_eq!(ident(w), valid, "{w:?}");
                assert_eq!(name(w), valid, "{w:?}");
            } else if valid {
                assert!(ident(w), "{w:?}");
            }
        }
    }

    /// A matcher for `pattern`, as a JSON Schema validator applies it.
    fn matches_pattern(pattern: &str) -> impl Fn(&str) -> bool {
        let p = pattern.to_string();
        move |s: &str| {
            let schema = serde_json::json!({ "type": "string", "pattern": p });
            jsonschema::is_valid(&schema, &Value::String(s.to_string()))
        }
    }
}
