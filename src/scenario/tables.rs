//! The two sections whose keys come from a table rather than from a struct: `[model]` (one key per entry
//! of `model::COEFFICIENTS`) and `[[lever]]` (`pole`, `state`, `from` and one key per entry of
//! `model::LEVERS`). Reading them, and their JSON Schema, are made from those tables, so a coefficient or
//! lever added there is read, validated, documented and offered to editors with no edit here.
//!
//! Like the rest of `raw`, nothing is checked here beyond types and unknown or missing keys (reported by
//! the toml crate at the key, with the allowed keys listed); values stay `Spanned` for validation.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::raw::S;
use super::schema::QUARTER_PATTERN;
use crate::model::{Lever, COEFFICIENTS, COEFFICIENT_COUNT, LEVERS, LEVER_COUNT};

/// `[model]`: coefficients of the quarterly update, every one optional; `values[i]` is the value given
/// for `COEFFICIENTS[i]`, if any.
#[derive(Debug)]
pub struct RawModel {
    /// Values given, in the order of `COEFFICIENTS`.
    pub values: [Option<S<f64>>; COEFFICIENT_COUNT],
}

impl Default for RawModel {
    fn default() -> RawModel {
        RawModel {
            values: std::array::from_fn(|_| None),
        }
    }
}

/// `[[lever]]`: what one pole brings one state, from a quarter on.
#[derive(Debug)]
pub struct RawLever {
    /// The pole that brings it (a declared pole name). Required.
    pub pole: S<String>,
    /// The state it is brought to (a declared state code). Required.
    pub state: S<String>,
    /// First quarter these values apply. Default: scenario.start.
    pub from: Option<S<String>>,
    /// Values given, in the order of `LEVERS` (`Lever::index`).
    pub values: [Option<S<f64>>; LEVER_COUNT],
}

/// The keys of `[model]`, in table order.
const MODEL_KEYS: [&str; COEFFICIENT_COUNT] = {
    let mut keys = [""; COEFFICIENT_COUNT];
    let mut i = 0;
    while i < COEFFICIENT_COUNT {
        keys[i] = COEFFICIENTS[i].key;
        i += 1;
    }
    keys
};

/// The keys of a `[[lever]]` entry besides the lever values.
const LEVER_FIXED: [&str; 3] = ["pole", "state", "from"];

/// The keys of a `[[lever]]` entry: `LEVER_FIXED`, then the lever keys in table order.
const LEVER_ENTRY_KEYS: [&str; 3 + LEVER_COUNT] = {
    let mut keys = [""; 3 + LEVER_COUNT];
    let mut i = 0;
    while i < 3 {
        keys[i] = LEVER_FIXED[i];
        i += 1;
    }
    while i < 3 + LEVER_COUNT {
        keys[i] = LEVERS[i - 3].key;
        i += 1;
    }
    keys
};

/// Reads a key of a table whose keys are `self.0`, as its index there; any other key is the
/// "unknown field" error serde's derive gives (the toml crate puts it at the key).
struct KeyIn(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for KeyIn {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for KeyIn {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "one of: {}", self.0.join(", "))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|k| *k == key)
            .ok_or_else(|| E::unknown_field(key, self.0))
    }
}

impl<'de> Deserialize<'de> for RawModel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawModel, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawModel;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("the table [model]")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawModel, A::Error> {
                let mut model = RawModel::default();
                while let Some(i) = map.next_key_seed(KeyIn(&MODEL_KEYS))? {
                    model.values[i] = Some(map.next_value()?);
                }
                Ok(model)
            }
        }
        d.deserialize_struct("RawModel", &MODEL_KEYS, V)
    }
}

impl<'de> Deserialize<'de> for RawLever {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawLever, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawLever;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a [[lever]] table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawLever, A::Error> {
                let (mut pole, mut state, mut from) = (None, None, None);
                let mut values: [Option<S<f64>>; LEVER_COUNT] = std::array::from_fn(|_| None);
                while let Some(i) = map.next_key_seed(KeyIn(&LEVER_ENTRY_KEYS))? {
                    match i {
                        0 => pole = Some(map.next_value()?),
                        1 => state = Some(map.next_value()?),
                        2 => from = Some(map.next_value()?),
                        _ => values[i - LEVER_FIXED.len()] = Some(map.next_value()?),
                    }
                }
                Ok(RawLever {
                    pole: pole.ok_or_else(|| de::Error::missing_field("pole"))?,
                    state: state.ok_or_else(|| de::Error::missing_field("state"))?,
                    from,
                    values,
                })
            }
        }
        d.deserialize_struct("RawLever", &LEVER_ENTRY_KEYS, V)
    }
}

/// A number property of the schema: `description`, `minimum`, `maximum`.
fn number(description: String, min: f64, max: f64) -> Value {
    json!({
        "description": description,
        "type": "number",
        "format": "double",
        "minimum": min,
        "maximum": max,
    })
}

/// The schema of a table with `properties` and no other key.
fn object(description: &str, properties: Map<String, Value>, required: &[&str]) -> Schema {
    let mut schema = json!({
        "description": description,
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    // unwrap OK: a JSON object is always a valid schema.
    Schema::try_from(schema).unwrap()
}

impl JsonSchema for RawModel {
    fn schema_name() -> Cow<'static, str> {
        "RawModel".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let properties = COEFFICIENTS
            .iter()
            .map(|c| {
                let symbol = if c.symbol == "—" {
                    String::new()
                } else {
                    format!("{}: ", c.symbol)
                };
                let description = format!(
                    "{symbol}{} {}, {}..={}. Default {}.",
                    c.meaning, c.unit, c.min, c.max, c.default
                );
                (c.key.to_string(), number(description, c.min, c.max))
            })
            .collect();
        object(
            "`[model]`: coefficients of the quarterly update; every one optional (docs/MODEL.md).",
            properties,
            &[],
        )
    }
}

impl JsonSchema for RawLever {
    fn schema_name() -> Cow<'static, str> {
        "RawLever".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let mut properties: Map<String, Value> = LEVERS
            .iter()
            .map(|l| {
                let description = format!("{} {}, 0..={}.", l.meaning, l.unit, l.max);
                let mut schema = number(description, 0.0, l.max);
                if l.lever == Lever::BaseOffered {
                    schema["enum"] = json!([0, 1]);
                }
                (l.key.to_string(), schema)
            })
            .collect();
        properties.insert(
            "pole".into(),
            json!({"description": "The pole that brings it (a declared pole name). Required.", "type": "string"}),
        );
        properties.insert(
            "state".into(),
            json!({"description": "The state it is brought to (a declared state code). Required.", "type": "string"}),
        );
        properties.insert(
            "from".into(),
            json!({
                "description": "First quarter these values apply (`YEARQn`, inside the horizon). Default: scenario.start.",
                "type": "string",
                "pattern": QUARTER_PATTERN,
            }),
        );
        object(
            "`[[lever]]`: what one pole brings one state, from a quarter on (the start if `from` is absent).",
            properties,
            &LEVER_FIXED[..2],
        )
    }
}
