//! The tables of `docs/MODEL.md` and `docs/SCENARIO.md` that list coefficients and levers, made from
//! `model::COEFFICIENTS` and `model::LEVERS`, so the docs cannot drift from what the reader accepts. A
//! test (`tests/it/docs.rs`) fails when a doc's table differs from these (and rewrites it when blessed).
//! Must not: touch the file system.

use crate::model::{Lever, COEFFICIENTS, LEVERS};

/// The marker lines around a generated table in a doc: `<!-- NAME: generated ... -->` before it and
/// `<!-- NAME end -->` after it.
pub fn markers(name: &str) -> (String, String) {
    (
        format!("<!-- {name}: generated from src/model/world.rs; a test checks it (GREATGAME_BLESS=1 rewrites it) -->"),
        format!("<!-- {name} end -->"),
    )
}

/// Every generated table: (doc file relative to the repository, marker name, table text).
pub fn generated_tables() -> Vec<(&'static str, &'static str, String)> {
    vec![
        ("docs/MODEL.md", "coefficients", model_coefficients()),
        ("docs/SCENARIO.md", "model-keys", scenario_coefficients()),
        ("docs/SCENARIO.md", "lever-keys", scenario_levers()),
    ]
}

/// A number as the docs write it: plain, or in exponent form when very small or large (`1e-6`, `1e6`).
pub fn number(x: f64) -> String {
    if x != 0.0 && !(1e-3..1e5).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// `min..=max`.
fn range(min: f64, max: f64) -> String {
    format!("{}..={}", number(min), number(max))
}

/// The coefficient table of docs/MODEL.md: symbol, unit, range, default and reason.
pub fn model_coefficients() -> String {
    let mut out = String::from(
        "| coefficient | symbol | unit | range | default | reason |\n|---|---|---|---|---|---|\n",
    );
    for c in COEFFICIENTS {
        out += &format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            c.key,
            c.symbol,
            c.unit,
            range(c.min, c.max),
            number(c.default),
            c.reason
        );
    }
    out
}

/// The `[model]` key table of docs/SCENARIO.md.
pub fn scenario_coefficients() -> String {
    let mut out = String::from(
        "| key | type | unit | range | default | meaning |\n|---|---|---|---|---|---|\n",
    );
    for c in COEFFICIENTS {
        let symbol = if c.symbol == "—" {
            String::new()
        } else {
            format!("{}: ", c.symbol)
        };
        out += &format!(
            "| `{}` | number | {} | {} | {} | {symbol}{} |\n",
            c.key,
            c.unit,
            range(c.min, c.max),
            number(c.default),
            c.meaning
        );
    }
    out
}

/// The `[[lever]]` key table of docs/SCENARIO.md.
pub fn scenario_levers() -> String {
    let mut out = String::from(
        "| key | type | unit | range | default | meaning |\n|---|---|---|---|---|---|\n\
         | `pole` | pole name | — | a declared pole | required | the pole that brings it |\n\
         | `state` | state code | — | a declared state | required | the state it is brought to |\n\
         | `from` | quarter | — | inside the horizon | `scenario.start` | first quarter these values apply |\n",
    );
    for l in LEVERS {
        let (range, default) = if l.lever == Lever::BaseOffered {
            (
                "exactly 0 or 1".to_string(),
                "unchanged (1 if a `[[base]]` of the pole is hosted in the state at the start, else 0)",
            )
        } else {
            (range(0.0, l.max), "unchanged (0 if never set)")
        };
        out += &format!(
            "| `{}` | number | {} | {range} | {default} | {} |\n",
            l.key, l.unit, l.meaning
        );
    }
    out
}
