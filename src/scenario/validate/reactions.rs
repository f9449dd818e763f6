//! `[[reaction]]`: a pole's rule for answering what a state does. It names a declared pole, exactly one
//! trigger (a watched pole's share above or below a level, an event that struck the state or a pole, a
//! decision on a named base, a route or a bloc, or membership in a bloc), the lever it
//! changes, how (`scale` and `add`, in the ranges that `bounds` relies on), for how many quarters (within
//! the horizon) and with what chance; its states are declared ones, none twice.

use super::levers::lever;
use super::{flags, Ctx, Names, Result};
use crate::model::{Decision, Plan, Reaction, ReactionStrength, Trigger, World};
use crate::scenario::raw::RawReaction;
use crate::scenario::raw::S;

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
    let trigger = match (&r.watch, &r.above, &r.below, &r.event, &r.on) {
        (Some(w), Some(level), None, None, None) | (Some(w), None, Some(level), None, None) => {
            Trigger::Share {
                watch: cx.lookup(w, &k("watch"), "pole", names.poles)?,
                above: r.above.is_some(),
                level: cx.real(
                    level,
                    &k(if r.above.is_some() { "above" } else { "below" }),
                    0.0,
                    1.0,
                )?,
            }
        }
        (None, None, None, Some(ev), None) => {
            Trigger::Event(cx.lookup(ev, &k("event"), "event", names.events)?)
        }
        (None, None, None, None, Some(on)) => decision(cx, r, on, world, names, &k)?,
        _ => {
            return Err(cx.err(
                r.name.span(),
                key,
                "give one trigger: `watch` with `above` or `below` (a share), `event`, or `on` (a decision or membership)",
            ));
        }
    };
    let subjects = [("base", &r.base), ("bloc", &r.bloc), ("route", &r.route)];
    let wanted = match &trigger {
        Trigger::Decision(Decision::Base(..)) => "base",
        Trigger::Decision(Decision::Route(..)) => "route",
        Trigger::Decision(Decision::Bloc(..)) | Trigger::Member(_) => "bloc",
        _ => "",
    };
    if let Some((name, Some(v))) = subjects.iter().find(|(n, v)| *n != wanted && v.is_some()) {
        return Err(cx.err(
            v.span(),
            k(name),
            format!(
                "not allowed here: `{name}` goes with `on = \"{name}_...\"`{}",
                if *name == "bloc" {
                    " or `on = \"member\"`"
                } else {
                    ""
                }
            ),
        ));
    }
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

/// The kinds of `on`, in the words of files and errors.
const ON_KINDS: [&str; 7] = [
    "base_admitted",
    "base_closed",
    "route_opened",
    "route_closed",
    "bloc_joined",
    "bloc_left",
    "member",
];

/// An `on` trigger: its kind, and the base, route or bloc it needs (a bloc decision only of a bloc
/// whose membership can change).
fn decision(
    cx: &Ctx,
    r: &RawReaction,
    on: &S<String>,
    world: &World,
    names: &Names,
    k: &dyn Fn(&str) -> String,
) -> Result<Trigger> {
    let kind = on.get_ref().as_str();
    fn given<'v>(
        cx: &Ctx,
        on: &S<String>,
        v: &'v Option<S<String>>,
        field: &str,
        k: &dyn Fn(&str) -> String,
    ) -> Result<&'v S<String>> {
        let kind = on.get_ref();
        v.as_ref().ok_or_else(|| {
            cx.err(
                on.span(),
                k(field),
                format!("`on = \"{kind}\"` needs `{field}`"),
            )
        })
    }
    let subject = |v, field| given(cx, on, v, field, k);
    let first = matches!(kind, "base_admitted" | "route_opened" | "bloc_joined");
    match kind {
        "base_admitted" | "base_closed" => {
            let v = subject(&r.base, "base")?;
            let bases: Vec<&str> = world.bases.iter().map(|b| b.name.as_str()).collect();
            let b = cx.lookup(v, &k("base"), "base", &bases)?;
            Ok(Trigger::Decision(Decision::Base(b, first)))
        }
        "route_opened" | "route_closed" => {
            let v = subject(&r.route, "route")?;
            let p = cx.lookup(v, &k("route"), "pole", names.poles)?;
            Ok(Trigger::Decision(Decision::Route(p, first)))
        }
        "bloc_joined" | "bloc_left" | "member" => {
            let v = subject(&r.bloc, "bloc")?;
            let blocs: Vec<&str> = world.blocs.iter().map(|b| b.name.as_str()).collect();
            let b = cx.lookup(v, &k("bloc"), "bloc", &blocs)?;
            if kind == "member" {
                return Ok(Trigger::Member(b));
            }
            if !world.bloc_changes(b) {
                return Err(cx.err(v.span(), k("bloc"), format!("no state ever joins or leaves `{}` (fixed membership, no dates): the trigger could never hold", v.get_ref())));
            }
            Ok(Trigger::Decision(Decision::Bloc(b, first)))
        }
        other => Err(cx.err(
            on.span(),
            k("on"),
            format!(
                "unknown `on` `{other}`, expected one of: {}",
                ON_KINDS.join(", ")
            ),
        )),
    }
}
