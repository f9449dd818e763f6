//! `[[reaction]]`: a pole's rule for answering what a state does. It names a declared pole, exactly one
//! trigger (a watched pole's share above or below a level, or a state event that struck), the lever it
//! changes, how (`scale` and `add`, in the ranges that `bounds` relies on), for how many quarters (within
//! the horizon) and with what chance; its states are declared ones, none twice.

use super::levers::lever;
use super::{flags, Ctx, Names, Result};
use crate::model::{EventTarget, Plan, Reaction, ReactionStrength, Trigger, World};
use crate::scenario::raw::RawReaction;

/// Largest `scale` of a reaction or policy change: a thousandfold, beyond any documented swing.
pub const MAX_SCALE: f64 = 1e3;
/// Largest `add` of a reaction or policy change, in the lever's unit: the largest money lever.
pub const MAX_ADD: f64 = crate::model::MAX_USD_M;

pub(super) fn reaction(
    cx: &Ctx,
    r: &RawReaction,
    world: &World,
    names: &Names,
) -> Result<Reaction> {
    let key = format!("reaction.{}", r.name.get_ref());
    let k = |field: &str| format!("{key}.{field}");
    let pole = cx.lookup(&r.pole, &k("pole"), "pole", names.poles)?;
    let trigger = match (&r.watch, &r.above, &r.below, &r.event) {
        (Some(w), Some(level), None, None) | (Some(w), None, Some(level), None) => Trigger::Share {
            watch: cx.lookup(w, &k("watch"), "pole", names.poles)?,
            above: r.above.is_some(),
            level: cx.real(
                level,
                &k(if r.above.is_some() { "above" } else { "below" }),
                0.0,
                1.0,
            )?,
        },
        (None, None, None, Some(ev)) => {
            let e = cx.lookup(ev, &k("event"), "event", names.events)?;
            if world.events[e].target != EventTarget::States {
                return Err(cx.err(ev.span(), k("event"), format!("`{}` strikes a pole; a reaction can only answer an event that strikes states", ev.get_ref())));
            }
            Trigger::Event(e)
        }
        _ => {
            return Err(cx.err(
                r.name.span(),
                key,
                "give one trigger: `watch` with `above` or `below` (a share), or `event`",
            ));
        }
    };
    let lever = lever(cx, &r.lever, &k("lever"))?;
    if r.scale.is_none() && r.add.is_none() {
        return Err(cx.err(
            r.name.span(),
            key,
            "give `scale`, `add` or both: how the lever changes",
        ));
    }
    cx.opt_real(&r.scale, &k("scale"), 0.0, MAX_SCALE, 1.0)?;
    cx.opt_real(&r.add, &k("add"), -MAX_ADD, MAX_ADD, 0.0)?;
    cx.real(&r.chance, &k("chance"), 0.0, 1.0)?;
    let d = &r.duration;
    if !(1..=world.quarters as i64).contains(d.get_ref()) {
        return Err(cx.err(
            d.span(),
            k("duration"),
            format!(
                "{} is out of range, expected 1..={} quarters",
                d.get_ref(),
                world.quarters
            ),
        ));
    }
    let states = if r.states.is_empty() {
        vec![true; world.states.len()]
    } else {
        flags(cx, &r.states, &k("states"), "state", names.states)?
    };
    Ok(Reaction {
        name: r.name.get_ref().clone(),
        description: r.description.clone().unwrap_or_default(),
        pole,
        trigger,
        states,
        lever,
        duration: *d.get_ref() as u32,
    })
}

/// Writes each rule's strength as written (enabled, its chance, scale and add) for every quarter of the
/// baseline `plan`.
pub(super) fn strengths(raw: &[RawReaction], world: &World, plan: &mut Plan) {
    let qs = world.quarters;
    for _ in 0..qs {
        for r in raw {
            plan.reactions.push(ReactionStrength {
                enabled: true,
                chance: *r.chance.get_ref(),
                scale: r.scale.as_ref().map_or(1.0, |v| *v.get_ref()),
                add: r.add.as_ref().map_or(0.0, |v| *v.get_ref()),
            });
        }
    }
}
