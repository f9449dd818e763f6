//! `[[lever]]`: what each pole brings each state, from a quarter on. Each entry names a declared pole
//! and state, a quarter inside the horizon, and at least one lever, each in the range its entry of
//! `model::LEVERS` gives (finite: no lever can carry the money sums to infinity); `base_offered` is a
//! flag, exactly 0 or 1. The entries become the baseline plan's schedule: a value holds from its
//! quarter until a later entry changes it.

use super::{Ctx, Names, Result};
use crate::model::{Lever, Plan, World};
use crate::scenario::raw::{RawLever, S};

/// The message for a lever key that is not one.
pub(super) fn unknown_lever(name: &str) -> String {
    let keys: Vec<&str> = Lever::ALL.iter().map(|l| l.key()).collect();
    format!(
        "unknown lever `{name}`, expected one of: {}",
        keys.join(", ")
    )
}

/// The lever named by `v` (a reaction's or policy change's `lever`).
pub(super) fn lever(cx: &Ctx, v: &S<String>, key: &str) -> Result<Lever> {
    Lever::from_key(v.get_ref()).ok_or_else(|| cx.err(v.span(), key, unknown_lever(v.get_ref())))
}

/// A value for `lever`: in 0..=`Lever::max`, and 0 or 1 for `base_offered`.
pub(super) fn lever_value(cx: &Ctx, v: &S<f64>, lever: Lever, key: &str) -> Result<f64> {
    let x = cx.real(v, key, 0.0, lever.max())?;
    if lever == Lever::BaseOffered && x != 0.0 && x != 1.0 {
        return Err(cx.err(
            v.span(),
            key,
            format!("{x} is not allowed, expected 0 (no base sought) or 1 (base sought)"),
        ));
    }
    Ok(x)
}

/// Writes the `[[lever]]` entries into the baseline `plan`'s lever schedule.
pub(super) fn schedule(
    cx: &Ctx,
    raw: &[RawLever],
    world: &World,
    names: &Names,
    plan: &mut Plan,
) -> Result<()> {
    let qs = world.quarters;
    // A base hosted at the start is offered unless a lever entry says otherwise.
    for h in 0..world.states.len() {
        for p in (0..world.poles.len()).filter(|&p| world.hosts_at_start(h, p)) {
            for t in 0..qs {
                plan.lever_row_mut(world, t, h, p)[Lever::BaseOffered.index()] = 1.0;
            }
        }
    }
    let mut entries = Vec::new();
    for l in raw {
        let p = cx.lookup(&l.pole, "lever.pole", "pole", names.poles)?;
        let h = cx.lookup(&l.state, "lever.state", "state", names.states)?;
        let from = l
            .from
            .as_ref()
            .map_or(Ok(0), |f| cx.within(f, "lever.from", world))?;
        let key = format!("lever.{}.{}", l.pole.get_ref(), l.state.get_ref());
        let mut values = Vec::new();
        for (lever, v) in Lever::ALL.into_iter().zip(&l.values) {
            if let Some(v) = v {
                let lever_key = format!("{key}.{}", lever.key());
                let x = lever_value(cx, v, lever, &lever_key)?;
                if lever == Lever::BaseOffered && x > 0.0 && !world.has_base(h, p) {
                    return Err(cx.err(v.span(), lever_key, format!("{} has no base declared in {}: add a [[base]] with pole = \"{}\" and state = \"{}\" for the offer to have something to offer", l.pole.get_ref(), l.state.get_ref(), l.pole.get_ref(), l.state.get_ref())));
                }
                values.push((lever, x));
            }
        }
        if values.is_empty() {
            return Err(cx.err(
                l.pole.span(),
                key,
                "sets no lever: give at least one lever value",
            ));
        }
        entries.push((from, h, p, values));
    }
    // Later quarters override earlier ones; within a quarter, later entries in the file win.
    entries.sort_by_key(|(from, ..)| *from);
    for (from, h, p, values) in entries {
        for t in from..qs {
            let row = plan.lever_row_mut(world, t, h, p);
            for &(lever, x) in &values {
                row[lever.index()] = x;
            }
        }
    }

    Ok(())
}
