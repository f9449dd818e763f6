//! `[[policy]]`: named options compared with the baseline. A policy's name is not `baseline` (the
//! outputs' name for the scenario as written) and is unique; it changes something; each change names a
//! declared pole, state, lever, reaction or event and one operation, in the ranges `bounds` relies on.
//! A changed lever is clamped to its range (`Lever::max`), so no policy can push a lever past what the
//! file itself could say.

use super::levers::{lever, lever_value};
use super::reactions::{MAX_ADD, MAX_SCALE};
use super::{Ctx, Names, Result};
use crate::model::{Lever, Plan, World};
use crate::scenario::raw::{RawPolicy, RawReaction, S};

/// Every `[[policy]]`, in file order, each the baseline with its changes.
pub(super) fn policies(
    cx: &Ctx,
    raw: &[RawPolicy],
    world: &World,
    baseline: &Plan,
    names: &Names,
    reactions: &[RawReaction],
) -> Result<Vec<Plan>> {
    if let Some(p) = raw.iter().find(|p| p.name.get_ref() == "baseline") {
        return Err(cx.err(
            p.name.span(),
            "policy.name",
            "`baseline` is reserved for the scenario without policies: choose another name",
        ));
    }
    cx.unique(raw.iter().map(|p| &p.name), "policy.name")?;
    raw.iter()
        .map(|p| policy(cx, p, world, baseline, names, reactions))
        .collect()
}

fn policy(
    cx: &Ctx,
    p: &RawPolicy,
    world: &World,
    baseline: &Plan,
    names: &Names,
    reactions: &[RawReaction],
) -> Result<Plan> {
    let key = format!("policy.{}", p.name.get_ref());
    let k = |field: &str| format!("{key}.{field}");
    let from = p
        .from
        .as_ref()
        .map_or(Ok(0), |f| cx.within(f, &k("from"), world))?;
    let mut plan = baseline.clone();
    plan.name = p.name.get_ref().clone();
    plan.description = p.description.clone().unwrap_or_default();
    if p.change.is_empty() && p.reaction.is_empty() && p.event.is_empty() {
        return Err(cx.err(p.name.span(), key, "changes nothing: give at least one [[policy.change]], [[policy.reaction]] or [[policy.event]]"));
    }
    let (hs, qs) = (world.states.len(), world.quarters);
    for c in &p.change {
        let pole = cx.lookup(&c.pole, &k("change.pole"), "pole", names.poles)?;
        let hosts: Vec<usize> = match &c.state {
            None => (0..hs).collect(),
            Some(s) => vec![cx.lookup(s, &k("change.state"), "state", names.states)?],
        };
        let lever = lever(cx, &c.lever, &k("change.lever"))?;
        let from = entry_from(cx, &c.from, &k("change.from"), world, from)?;
        let op: Box<dyn Fn(f64) -> f64> = match (&c.set, &c.scale, &c.add) {
            (Some(v), None, None) => {
                let x = lever_value(cx, v, lever, &k("change.set"))?;
                Box::new(move |_| x)
            }
            (None, Some(v), None) => {
                let x = cx.real(v, &k("change.scale"), 0.0, MAX_SCALE)?;
                Box::new(move |old| old * x)
            }
            (None, None, Some(v)) => {
                let x = cx.real(v, &k("change.add"), -MAX_ADD, MAX_ADD)?;
                Box::new(move |old| old + x)
            }
            _ => {
                return Err(cx.err(
                    c.lever.span(),
                    k("change"),
                    "give exactly one of `set`, `scale` or `add`",
                ))
            }
        };
        for t in from..qs {
            for &h in &hosts {
                let x = &mut plan.lever_row_mut(world, t, h, pole)[lever.index()];
                *x = op(*x).clamp(0.0, lever.max());
                if lever == Lever::BaseOffered {
                    *x = x.round();
                }
            }
        }
    }
    let reaction_names: Vec<&str> = reactions
        .iter()
        .map(|r| r.name.get_ref().as_str())
        .collect();
    for o in &p.reaction {
        let r = cx.lookup(&o.name, &k("reaction.name"), "reaction", &reaction_names)?;
        let from = entry_from(cx, &o.from, &k("reaction.from"), world, from)?;
        if o.enabled.is_none() && o.chance.is_none() && o.scale.is_none() && o.add.is_none() {
            return Err(cx.err(
                o.name.span(),
                k("reaction"),
                "changes nothing: give enabled, chance, scale or add",
            ));
        }
        let chance = o
            .chance
            .as_ref()
            .map(|v| cx.real(v, &k("reaction.chance"), 0.0, 1.0))
            .transpose()?;
        let scale = o
            .scale
            .as_ref()
            .map(|v| cx.real(v, &k("reaction.scale"), 0.0, MAX_SCALE))
            .transpose()?;
        let add = o
            .add
            .as_ref()
            .map(|v| cx.real(v, &k("reaction.add"), -MAX_ADD, MAX_ADD))
            .transpose()?;
        for t in from..qs {
            let s = &mut plan.reactions[t * world.reactions.len() + r];
            s.enabled = o.enabled.unwrap_or(s.enabled);
            s.chance = chance.unwrap_or(s.chance);
            s.scale = scale.unwrap_or(s.scale);
            s.add = add.unwrap_or(s.add);
        }
    }
    for o in &p.event {
        let e = cx.lookup(&o.name, &k("event.name"), "event", names.events)?;
        let from = entry_from(cx, &o.from, &k("event.from"), world, from)?;
        let Some(v) = &o.hazard_scale else {
            return Err(cx.err(
                o.name.span(),
                k("event"),
                "give `hazard_scale`, the factor on the event's hazard",
            ));
        };
        let x = cx.real(v, &k("event.hazard_scale"), 0.0, MAX_SCALE)?;
        for t in from..qs {
            for h in 0..hs {
                let i = world.event_index(t, e, h);
                plan.hazards[i] = (plan.hazards[i] * x).min(1.0);
            }
        }
    }
    Ok(plan)
}

/// The first quarter of one change: its own `from` if given (inside the horizon), else the policy's.
fn entry_from(
    cx: &Ctx,
    own: &Option<S<String>>,
    key: &str,
    world: &World,
    policy_from: usize,
) -> Result<usize> {
    own.as_ref()
        .map_or(Ok(policy_from), |f| cx.within(f, key, world))
}
