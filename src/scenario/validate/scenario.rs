//! `[scenario]` and `[model]`: the name (it names the output folder, so it is a plain ASCII name), the
//! horizon (at most `MAX_QUARTERS`, and ending by 9999Q4, the last quarter a label can name), the run
//! defaults, and every coefficient of the update in the range its entry of `model::COEFFICIENTS` gives.
//! Those ranges are finite, which is half of why no valid scenario can reach infinity or NaN (`bounds`
//! has the other half); the two hysteresis pairs must keep their gap.

use super::{is_name, Ctx, Result};
use crate::model::{Coefficients, COEFFICIENTS, COEFFICIENT_COUNT};
use crate::quarter::Quarter;
use crate::scenario::raw::{RawMeta, RawModel};
use crate::scenario::{Meta, NamedFile};

/// The longest horizon a scenario may have, in quarters (a century).
pub const MAX_QUARTERS: i64 = 400;
/// The most runs a scenario may ask for by default.
pub const MAX_RUNS: i64 = 1_000_000_000;
/// Runs when the file names none.
pub const DEFAULT_RUNS: u64 = 1000;
/// Seed when the file names none.
pub const DEFAULT_SEED: u64 = 1;

/// `[scenario]`: name and run defaults.
pub(super) fn meta(cx: &Ctx, m: &RawMeta) -> Result<Meta> {
    let name = m.name.get_ref();
    if !(is_name(name) && name.is_ascii()) {
        return Err(cx.err(m.name.span(), "scenario.name", format!("`{}` is not allowed: use an ASCII letter or digit, then letters, digits, `_` and `-` only (it names the output folder)", name.escape_debug())));
    }
    let runs = match &m.runs {
        None => DEFAULT_RUNS,
        Some(r) if (1..=MAX_RUNS).contains(r.get_ref()) => *r.get_ref() as u64,
        Some(r) => {
            return Err(cx.err(
                r.span(),
                "scenario.runs",
                format!("{} is out of range, expected 1..={MAX_RUNS}", r.get_ref()),
            ))
        }
    };
    let seed = match &m.seed {
        None => DEFAULT_SEED,
        Some(s) if *s.get_ref() >= 0 => *s.get_ref() as u64,
        Some(s) => {
            return Err(cx.err(
                s.span(),
                "scenario.seed",
                format!("{} is negative, expected a whole number ≥ 0", s.get_ref()),
            ))
        }
    };
    let parameters = match &m.parameters {
        None => None,
        Some(p) if p.get_ref().trim().is_empty() => {
            return Err(cx.err(
                p.span(),
                "scenario.parameters",
                "is empty: expected the path of an ensemble file (like \"ensemble_2017.csv\", relative to this file), or no key",
            ))
        }
        Some(p) => Some(NamedFile {
            path: p.get_ref().clone(),
            span: p.span(),
        }),
    };
    Ok(Meta {
        parameters,
        name: name.clone(),
        title: m.title.clone().unwrap_or_else(|| name.clone()),
        description: m.description.clone().unwrap_or_default(),
        runs,
        seed,
    })
}

/// `scenario.start` and `scenario.quarters`: the first quarter and the number of quarters. The last
/// quarter must be at most 9999Q4: the outputs label quarters `YEARQn` with a year of at most four
/// digits, and the reader of those labels (and of this file) accepts nothing later.
pub(super) fn horizon(cx: &Ctx, m: &RawMeta) -> Result<(Quarter, usize)> {
    let start = cx.quarter(&m.start, "scenario.start")?;
    let q = &m.quarters;
    if !(1..=MAX_QUARTERS).contains(q.get_ref()) {
        return Err(cx.err(
            q.span(),
            "scenario.quarters",
            format!(
                "{} is out of range, expected 1..={MAX_QUARTERS}",
                q.get_ref()
            ),
        ));
    }
    let quarters = *q.get_ref() as usize;
    // unwrap OK: 9999Q4 is a valid quarter.
    let last_allowed = Quarter::new(9999, 4).unwrap();
    let room = last_allowed.since(start) + 1;
    if quarters as i64 > room {
        return Err(cx.err(
            q.span(),
            "scenario.quarters",
            format!(
                "{quarters} quarters from {start} would end after 9999Q4, the last quarter a label can name: expected 1..={room}"
            ),
        ));
    }
    Ok((start, quarters))
}

/// `[model]`: each coefficient given, in its range; the others take their defaults.
pub(super) fn coefficients(cx: &Ctx, m: &RawModel) -> Result<Coefficients> {
    let mut values = [0.0; COEFFICIENT_COUNT];
    for ((spec, given), value) in COEFFICIENTS.iter().zip(&m.values).zip(&mut values) {
        *value = cx.opt_real(
            given,
            &format!("model.{}", spec.key),
            spec.min,
            spec.max,
            spec.default,
        )?;
    }
    let c = Coefficients::from_values(values);
    Ok(c)
}
