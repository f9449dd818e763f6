//! Changing values in a scenario's text while keeping its comments and layout: how `calibrate` tries
//! parameter values and writes the calibrated scenario.

use toml_edit::{DocumentMut, Item, Value};

use super::{Located, ScenarioError};

/// Sets each `(param, value, note)` in the scenario `text` (named `file` in errors) and returns the new
/// text. `param` is `model.KEY` or `SECTION.NAME.KEY` (the `[[SECTION]]` entry whose `name` or `code` is
/// NAME). An existing value keeps its comments; `note`, if not empty, is appended as a comment.
pub fn set_values(
    text: &str,
    file: &str,
    assignments: &[(&str, f64, String)],
) -> Result<String, ScenarioError> {
    let items: Vec<(&str, Value, String)> = assignments
        .iter()
        .map(|(param, value, note)| (*param, Value::from(*value), note.clone()))
        .collect();
    set_items(text, file, &items)
}

/// Like `set_values`, for any TOML value (`--set PATH=VALUE`).
pub fn set_items(
    text: &str,
    file: &str,
    assignments: &[(&str, Value, String)],
) -> Result<String, ScenarioError> {
    let invalid = |message: String| {
        ScenarioError::Invalid(Box::new(Located::at(
            file,
            text,
            0..0,
            String::new(),
            message,
        )))
    };
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| invalid(e.to_string()))?;
    for (param, value, note) in assignments {
        let parts: Vec<&str> = param.split('.').collect();
        let slot: &mut Item = match parts.as_slice() {
            ["model", key] => {
                let model = doc.entry("model").or_insert_with(toml_edit::table);
                let table = model
                    .as_table_like_mut()
                    .ok_or_else(|| invalid("`model` is not a table".into()))?;
                table.entry(key).or_insert(Item::None)
            }
            [section, name, key] => {
                let entries = doc
                    .get_mut(section)
                    .and_then(Item::as_array_of_tables_mut)
                    .ok_or_else(|| invalid(format!("{param}: no [[{section}]] entries, expected `model.KEY` or `SECTION.NAME.KEY` (like `event.spillover.hazard`)")))?;
                let id = |t: &toml_edit::Table| -> Option<String> {
                    [t.get("name"), t.get("code")]
                        .into_iter()
                        .flatten()
                        .find_map(|v| v.as_str().map(String::from))
                };
                let known: Vec<String> = entries.iter().filter_map(id).collect();
                let entry = entries
                    .iter_mut()
                    .find(|t| {
                        [t.get("name"), t.get("code")]
                            .into_iter()
                            .flatten()
                            .any(|v| v.as_str() == Some(name))
                    })
                    .ok_or_else(|| {
                        invalid(format!(
                            "{param}: no [[{section}]] named `{name}`, expected one of: {}",
                            known.join(", ")
                        ))
                    })?;
                entry.entry(key).or_insert(Item::None)
            }
            _ => return Err(invalid(format!("`{param}` is not a parameter path, expected `model.KEY` or `SECTION.NAME.KEY` (like `event.spillover.hazard`)"))),
        };
        let mut new = value.clone();
        if let Some(old) = slot.as_value() {
            *new.decor_mut() = old.decor().clone();
        }
        if !note.is_empty() {
            let suffix = new
                .decor()
                .suffix()
                .and_then(|s| s.as_str())
                .unwrap_or("")
                .trim_end()
                .to_string();
            let sep = if suffix.contains('#') { " ;" } else { " #" };
            new.decor_mut().set_suffix(format!("{suffix}{sep} {note}"));
        }
        *slot = Item::Value(new);
    }
    Ok(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_existing_and_new_values_and_keeps_comments() {
        let text =
            "# head\n[model]\nmood_sd = 0.2 # why\n\n[[event]]\nname = \"a\"\nhazard = 0.1\n";
        let out = set_values(
            text,
            "t.toml",
            &[
                ("model.mood_sd", 0.3, String::new()),
                ("model.bloc_weight", 0.5, "calibrated".into()),
                ("event.a.hazard", 0.25, String::new()),
            ],
        )
        .unwrap();
        assert!(out.contains("# head"), "{out}");
        assert!(out.contains("mood_sd = 0.3 # why"), "{out}");
        assert!(out.contains("bloc_weight = 0.5 # calibrated"), "{out}");
        assert!(out.contains("hazard = 0.25"), "{out}");
    }

    #[test]
    fn an_unknown_entry_is_an_error() {
        let err = set_values(
            "[[event]]\nname = \"a\"\n",
            "t.toml",
            &[("event.b.hazard", 0.1, String::new())],
        )
        .unwrap_err();
        assert!(err.to_string().contains("no [[event]] named `b`"), "{err}");
    }
}
