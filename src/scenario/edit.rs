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
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| invalid(file, "", e.to_string()))?;
    set_in(&mut doc, file, assignments)?;
    Ok(doc.to_string())
}

/// Like `set_items`, on the parsed scenario `doc` (named `file` in errors): for callers that set values
/// in one scenario many times, parsing it once.
pub fn set_in(
    doc: &mut DocumentMut,
    file: &str,
    assignments: &[(&str, Value, String)],
) -> Result<(), ScenarioError> {
    let invalid = |key: &str, message: String| invalid(file, key, message);
    for (i, (param, value, note)) in assignments.iter().enumerate() {
        let parts: Vec<&str> = param.split('.').collect();
        let slot: &mut Item = match parts.as_slice() {
            ["model", key] => {
                let model = doc.entry("model").or_insert_with(toml_edit::table);
                let table = model
                    .as_table_like_mut()
                    .ok_or_else(|| invalid("", "`model` is not a table".into()))?;
                table.entry(key).or_insert(Item::None)
            }
            ["lever", pole, state, key] => {
                lever_entry(doc, pole, state).map_err(|m| invalid(param, m))?
                    .entry(key)
                    .or_insert(Item::None)
            }
            [section, name, key] => entry(doc, section, name)
                .map_err(|m| invalid(param, m))?
                .entry(key)
                .or_insert(Item::None),
            [section, name, key, sub] => {
                let parent = entry(doc, section, name)
                    .map_err(|m| invalid(param, m))?
                    .entry(key)
                    .or_insert_with(|| Item::Value(Value::InlineTable(Default::default())));
                let table = parent
                    .as_table_like_mut()
                    .ok_or_else(|| invalid(param, format!("`{key}` is not a table")))?;
                replace_keeping_decor(table.entry(sub).or_insert(Item::None), value);
                if *section == "state" && *key == "alignment" {
                    // The shares of this state given so far by these assignments stay as given.
                    let prefix = format!("state.{name}.alignment.");
                    let given: Vec<&str> = assignments[..=i]
                        .iter()
                        .filter_map(|(p, _, _)| p.strip_prefix(prefix.as_str()))
                        .collect();
                    rescale_others(table, &given);
                }
                // A comment cannot sit inside an inline table: the note goes after the table's line.
                if let Some(inline) = parent.as_value_mut() {
                    annotate(inline, note);
                }
                continue;
            }
            _ => return Err(invalid("", format!("`{param}` is not a parameter path, expected `model.KEY` or `SECTION.NAME.KEY` (like `event.spillover.hazard`), `SECTION.NAME.KEY.SUB` (like `state.KGZ.alignment.Russia`) or `lever.POLE.STATE.KEY`"))),
        };
        annotate(replace_keeping_decor(slot, value), note);
    }
    Ok(())
}

/// Puts `value` in `slot`, keeping the spacing and comment of the value it replaces, and returns it.
fn replace_keeping_decor<'s>(slot: &'s mut Item, value: &Value) -> &'s mut Value {
    let mut new = value.clone();
    if let Some(old) = slot.as_value() {
        *new.decor_mut() = old.decor().clone();
    }
    *slot = Item::Value(new);
    // unwrap OK: just set to a value.
    slot.as_value_mut().expect("a value was just set")
}

/// Appends `note` (if any) to the comment after `value` on its line.
fn annotate(value: &mut Value, note: &str) {
    if note.is_empty() {
        return;
    }
    let suffix = value
        .decor()
        .suffix()
        .and_then(|s| s.as_str())
        .unwrap_or("")
        .trim_end()
        .to_string();
    let sep = if suffix.contains('#') { " ;" } else { " #" };
    value
        .decor_mut()
        .set_suffix(format!("{suffix}{sep} {note}"));
}

/// An error about setting `key` (empty if there is no path to name) in the scenario named `file`: a
/// path that names no value of the file has no place in it, so it names the file alone (a text that
/// does not parse says where in its message).
fn invalid(file: &str, key: &str, message: String) -> ScenarioError {
    ScenarioError::Invalid(Box::new(Located::nowhere(file, key.to_string(), message)))
}

/// The `[[SECTION]]` entry whose `name` or `code` is `name`.
fn entry<'d>(
    doc: &'d mut DocumentMut,
    section: &str,
    name: &str,
) -> Result<&'d mut toml_edit::Table, String> {
    let entries = doc
        .get_mut(section)
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| format!("no [[{section}]] entries, expected `model.KEY` or `SECTION.NAME.KEY` (like `event.spillover.hazard`)"))?;
    // What a path names an entry by: a state's code (`state.KGZ.…`), any other entry's name.
    let id = |t: &toml_edit::Table| -> Option<String> {
        [t.get("code"), t.get("name")]
            .into_iter()
            .flatten()
            .find_map(|v| v.as_str().map(String::from))
    };
    let known: Vec<String> = entries.iter().filter_map(id).collect();
    entries
        .iter_mut()
        .find(|t| {
            [t.get("name"), t.get("code")]
                .into_iter()
                .flatten()
                .any(|v| v.as_str() == Some(name))
        })
        .ok_or_else(|| {
            format!(
                "no [[{section}]] named `{name}`, expected one of: {}",
                known.join(", ")
            )
        })
}

/// The `[[lever]]` entry of `pole` and `state`: the only one, or else the only one without `from` (the
/// values from the start).
fn lever_entry<'d>(
    doc: &'d mut DocumentMut,
    pole: &str,
    state: &str,
) -> Result<&'d mut toml_edit::Table, String> {
    let entries = doc
        .get_mut("lever")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or_else(|| "the scenario has no [[lever]] entries".to_string())?;
    let of = |t: &toml_edit::Table| {
        t.get("pole").and_then(Item::as_str) == Some(pole)
            && t.get("state").and_then(Item::as_str) == Some(state)
    };
    let matching: Vec<bool> = entries.iter().map(of).collect();
    let count = matching.iter().filter(|&&m| m).count();
    let pick = match count {
        0 => {
            return Err(format!(
                "no [[lever]] with pole = \"{pole}\" and state = \"{state}\""
            ))
        }
        1 => matching.iter().position(|&m| m),
        _ => {
            let starts: Vec<usize> = entries
                .iter()
                .enumerate()
                .filter(|(i, t)| matching[*i] && !t.contains_key("from"))
                .map(|(i, _)| i)
                .collect();
            match starts.as_slice() {
                [i] => Some(*i),
                _ => return Err(format!("{count} [[lever]] entries with pole = \"{pole}\" and state = \"{state}\" and not exactly one without `from`: the path is ambiguous")),
            }
        }
    };
    // unwrap OK: `pick` is the index of an entry, found above.
    Ok(entries.get_mut(pick.unwrap()).unwrap())
}

/// Scales the shares of `table` not named in `given` so that, with the given ones as they are, they
/// sum to 1: the other poles keep their proportions. Leaves the table alone if the others sum to zero
/// (or there are none: every pole was given), the given ones sum to more than 1, or a value is not a
/// number.
fn rescale_others(table: &mut dyn toml_edit::TableLike, given: &[&str]) {
    let number = |item: &Item| {
        item.as_float()
            .or_else(|| item.as_integer().map(|i| i as f64))
    };
    let keys: Vec<String> = table.iter().map(|(k, _)| k.to_string()).collect();
    let mut shares: Vec<f64> = table
        .iter()
        .map(|(_, v)| number(v).unwrap_or(f64::NAN))
        .collect();
    let fixed: Vec<bool> = keys.iter().map(|k| given.contains(&k.as_str())).collect();
    if !rescale_shares(&mut shares, &fixed) {
        return;
    }
    for ((k, v), fixed) in keys.iter().zip(shares).zip(fixed) {
        if let (Some(item), false) = (table.get_mut(k), fixed) {
            let mut new = Value::from(v);
            if let Some(old) = item.as_value() {
                *new.decor_mut() = old.decor().clone();
            }
            *item = Item::Value(new);
        }
    }
}

/// Scales the shares whose flag in `given` is false so that, with the given ones as they are, all
/// sum to 1 (the others keep their proportions); `false`, changing nothing, where the others sum to
/// zero or are not all numbers (or there are none: every share was given), or the given ones sum to
/// less than 0 or more than 1 (left for validation to report as they were given, not turned into
/// negative shares). What `--set` does to a state's starting shares, and what the direct setters of
/// `analysis::uncertain` redo, so that both give the same bits.
pub fn rescale_shares(shares: &mut [f64], given: &[bool]) -> bool {
    let part = |g: bool| -> f64 {
        shares
            .iter()
            .zip(given)
            .filter(|(_, &x)| x == g)
            .map(|(v, _)| v)
            .sum()
    };
    let (share, sum) = (part(true), part(false));
    if !(sum.is_finite() && sum > 0.0 && (0.0..=1.0).contains(&share)) {
        return false;
    }
    let scale = (1.0 - share) / sum;
    for (v, _) in shares.iter_mut().zip(given).filter(|(_, &g)| !g) {
        *v *= scale;
    }
    true
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
    fn sets_lever_values_and_starting_shares_keeping_the_sum() {
        let text = "[[state]]\ncode = \"A\"\nalignment = { X = 0.5, Y = 0.3, Z = 0.2 }\n\n[[lever]]\npole = \"X\"\nstate = \"A\"\naid_usd_m = 1\n\n[[lever]]\npole = \"X\"\nstate = \"A\"\nfrom = \"2020Q1\"\naid_usd_m = 2\n";
        let out = set_values(
            text,
            "t.toml",
            &[
                ("state.A.alignment.X", 0.6, String::new()),
                ("lever.X.A.aid_usd_m", 5.0, String::new()),
            ],
        )
        .unwrap();
        let doc: DocumentMut = out.parse().unwrap();
        let a = doc["state"][0]["alignment"].as_inline_table().unwrap();
        let share = |k: &str| a.get(k).unwrap().as_float().unwrap();
        assert_eq!(share("X"), 0.6);
        assert!(
            (share("Y") - 0.24).abs() < 1e-12 && (share("Z") - 0.16).abs() < 1e-12,
            "{out}"
        );
        assert_eq!(doc["lever"][0]["aid_usd_m"].as_float(), Some(5.0), "{out}");
        assert_eq!(doc["lever"][1]["aid_usd_m"].as_integer(), Some(2), "{out}");
        let err = set_values(
            text,
            "t.toml",
            &[("lever.Y.A.aid_usd_m", 1.0, String::new())],
        );
        assert!(err.unwrap_err().to_string().contains("no [[lever]]"));
    }

    #[test]
    fn starting_shares_given_together_stay_as_given() {
        let text = "[[state]]\ncode = \"A\"\nalignment = { X = 0.5, Y = 0.3, Z = 0.2 }\n";
        let shares = |assignments: &[(&str, f64, String)]| {
            let out = set_values(text, "t.toml", assignments).unwrap();
            let doc: DocumentMut = out.parse().unwrap();
            let a = doc["state"][0]["alignment"]
                .as_inline_table()
                .unwrap()
                .clone();
            ["X", "Y", "Z"].map(|k| a.get(k).unwrap().as_float().unwrap())
        };
        let set = |k: &'static str, v: f64| (k, v, String::new());
        // Every pole given: written as given, in any order.
        let all = [
            set("state.A.alignment.Z", 0.1),
            set("state.A.alignment.X", 0.7),
            set("state.A.alignment.Y", 0.2),
        ];
        assert_eq!(shares(&all), [0.7, 0.2, 0.1]);
        // Two given: the third makes up the rest, whichever was given first.
        let two = shares(&[
            set("state.A.alignment.Y", 0.2),
            set("state.A.alignment.X", 0.7),
        ]);
        assert_eq!(&two[..2], &[0.7, 0.2]);
        assert!((two[2] - 0.1).abs() < 1e-12, "{two:?}");
        // A share of another state does not count as given for this one.
        let text2 = format!(
            "{text}\n[[state]]\ncode = \"B\"\nalignment = {{ X = 0.5, Y = 0.3, Z = 0.2 }}\n"
        );
        let out = set_values(
            &text2,
            "t.toml",
            &[
                set("state.B.alignment.X", 0.6),
                set("state.A.alignment.Y", 0.5),
            ],
        )
        .unwrap();
        let doc: DocumentMut = out.parse().unwrap();
        let a = doc["state"][0]["alignment"].as_inline_table().unwrap();
        assert!(
            (a.get("X").unwrap().as_float().unwrap() - 0.5 * 0.5 / 0.7).abs() < 1e-12,
            "{out}"
        );
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
        // It has no place in the file: the file is named alone, with no line and column.
        assert!(
            err.to_string().starts_with("t.toml: event.b.hazard: "),
            "{err}"
        );
    }
}
