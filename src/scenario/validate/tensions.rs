//! `[[tension]]`: a dispute between two neighbouring states. Two different declared states, no pair
//! declared twice (tensions of one pair would add up unseen); a standing level in 0..=1; `via`, if
//! given, one of the two, with a closing level above the standing one (a route closed from the start
//! would never open, which the author should write as no route).

use super::{Ctx, Names, Result};
use crate::model::Tension;
use crate::scenario::raw::RawTension;

pub(super) fn tensions(cx: &Ctx, raw: &[RawTension], names: &Names) -> Result<Vec<Tension>> {
    let mut out: Vec<Tension> = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let key = format!("tension[{i}]");
        let k = |field: &str| format!("{key}.{field}");
        let list = r.states.get_ref();
        if list.len() != 2 {
            return Err(cx.err(
                r.states.span(),
                k("states"),
                format!(
                    "{} state(s) given, expected two different states",
                    list.len()
                ),
            ));
        }
        let a = cx.lookup(&list[0], &k("states"), "state", names.states)?;
        let b = cx.lookup(&list[1], &k("states"), "state", names.states)?;
        if a == b {
            return Err(cx.err(
                list[1].span(),
                k("states"),
                "a dispute is between two different states",
            ));
        }
        if out.iter().any(|t| t.other(a) == Some(b)) {
            return Err(cx.err(
                r.states.span(),
                k("states"),
                format!(
                    "the pair {} and {} is declared twice: give one [[tension]] per pair",
                    list[0].get_ref(),
                    list[1].get_ref()
                ),
            ));
        }
        let level = cx.real(&r.level, &k("level"), 0.0, 1.0)?;
        let (via, closes_above) = match (&r.via, &r.closes_above) {
            (None, None) => (None, 1.0),
            (Some(v), Some(c)) => {
                let h = cx.lookup(
                    v,
                    &k("via"),
                    "state of the pair",
                    &[list[0].get_ref(), list[1].get_ref()],
                )?;
                let closes = cx.real(c, &k("closes_above"), 0.0, 1.0)?;
                if closes <= level {
                    return Err(cx.err(c.span(), k("closes_above"), format!("{closes} must be above level = {level}: the routes would be closed from the start")));
                }
                (Some(h), closes)
            }
            (Some(v), None) => {
                return Err(cx.err(
                    v.span(),
                    k("closes_above"),
                    "`via` needs `closes_above`: the tension at which the routes close",
                ));
            }
            (None, Some(c)) => {
                return Err(cx.err(
                    c.span(),
                    k("via"),
                    "`closes_above` needs `via`: the state that stops the other's transit",
                ));
            }
        };
        out.push(Tension {
            description: r.description.clone().unwrap_or_default(),
            states: [a, b],
            level,
            via,
            closes_above,
        });
    }
    Ok(out)
}
