//! `[[event]]`, their hazards, and `[[inject]]`. An event strikes states or one pole; each effect is
//! allowed only for the target it acts on (a state event cannot cut a pole's economy), in a range that
//! keeps threat and regime security in 0..=1 and criticism finite; hazards are probabilities per quarter;
//! `border_exposure` only for state events. An inject names a declared event, a quarter inside the
//! horizon, and states only for a state event.

use std::collections::BTreeMap;

use super::{flags, per_pole, Ctx, Names, Result};
use crate::model::{Event, EventTarget, Plan, Toward, World};
use crate::scenario::raw::{RawEvent, RawInject, S};

pub(super) fn event(cx: &Ctx, e: &RawEvent, names: &Names) -> Result<Event> {
    let poles = names.poles;
    let key = format!("event.{}", e.name.get_ref());
    let k = |field: &str| format!("{key}.{field}");
    let target = match e.target.as_ref().map(|t| t.get_ref().as_str()) {
        None | Some("states") => EventTarget::States,
        Some("pole") => {
            let pole = e.pole.as_ref().ok_or_else(|| {
                cx.err(
                    e.name.span(),
                    k("pole"),
                    "an event with target = \"pole\" needs `pole`, the pole it strikes",
                )
            })?;
            EventTarget::Pole(cx.lookup(pole, &k("pole"), "pole", poles)?)
        }
        Some(other) => {
            // unwrap OK: the match arm is only reached when `target` is present.
            let span = e.target.as_ref().unwrap().span();
            return Err(cx.err(
                span,
                k("target"),
                format!("unknown target `{other}`, expected one of: states, pole"),
            ));
        }
    };
    let host_only = [
        ("threat", &e.threat),
        ("regime", &e.regime),
        ("criticism", &e.criticism),
        ("realign", &e.realign),
        ("tension", &e.tension),
    ];
    if target != EventTarget::States {
        if let Some(v) = e
            .realign_toward
            .as_ref()
            .map(|v| v.span())
            .or(e.realign_weights.as_ref().map(|v| v.span()))
        {
            return Err(cx.err(v, k("realign_toward"), "not allowed here: this event strikes a pole; a realignment needs target = \"states\""));
        }
    }
    let pole_only = [
        ("economy", &e.economy),
        ("presence", &e.presence),
        ("grievance", &e.grievance),
    ];
    let (wrong, why) = match target {
        EventTarget::States => (
            &pole_only[..],
            "strikes states; economy, presence and grievance need target = \"pole\"",
        ),
        EventTarget::Pole(_) => (
            &host_only[..],
            "strikes a pole; threat, regime, criticism, realign and tension need target = \"states\"",
        ),
    };
    if let Some((name, Some(v))) = wrong.iter().find(|(_, v)| v.is_some()) {
        return Err(cx.err(
            v.span(),
            k(name),
            format!("not allowed here: this event {why}"),
        ));
    }
    if matches!(target, EventTarget::Pole(_)) {
        one_hazard(cx, &e.hazard_by_state, &key)?;
        if let Some(v) = &e.pair {
            return Err(cx.err(
                v.span(),
                k("pair"),
                "not allowed here: this event strikes a pole; a pair event needs target = \"states\"",
            ));
        }
    }
    let critic = match (&e.pole, target) {
        (Some(p), EventTarget::States) => Some(cx.lookup(p, &k("pole"), "pole", poles)?),
        _ => None,
    };
    if let (Some(v), None) = (&e.criticism, critic) {
        return Err(cx.err(
            v.span(),
            k("criticism"),
            "criticism needs `pole`: the pole whose criticism rises",
        ));
    }
    let toward = toward(cx, e, poles, &k)?;
    let grievance = grievance(cx, e, target, names.states, &k)?;
    Ok(Event {
        grievance,
        toward,
        hedging: cx.opt_real(&e.hedging, &k("hedging"), 0.0, 10.0, 0.0)?,
        tension: cx.opt_real(&e.tension, &k("tension"), -1.0, 1.0, 0.0)?,
        pair: e.pair.as_ref().is_some_and(|v| *v.get_ref()),
        name: e.name.get_ref().clone(),
        description: e.description.clone().unwrap_or_default(),
        target,
        critic,
        threat: cx.opt_real(&e.threat, &k("threat"), -1.0, 1.0, 0.0)?,
        regime: cx.opt_real(&e.regime, &k("regime"), -1.0, 1.0, 0.0)?,
        criticism: cx.opt_real(&e.criticism, &k("criticism"), 0.0, 10.0, 0.0)?,
        realign: cx.opt_real(&e.realign, &k("realign"), 0.0, 1.0, 0.0)?,
        economy: cx.opt_real(&e.economy, &k("economy"), -1.0, 1.0, 0.0)?,
        presence: cx.opt_real(&e.presence, &k("presence"), -1.0, 0.0, 0.0)?,
    })
}

/// A pole event's grievance by host: `grievance` for every state, replaced where `grievance_by_state`
/// names one; empty for a state event (whose `grievance_by_state` is refused).
fn grievance(
    cx: &Ctx,
    e: &RawEvent,
    target: EventTarget,
    states: &[&str],
    k: &dyn Fn(&str) -> String,
) -> Result<Vec<f64>> {
    if target == EventTarget::States {
        if let Some(v) = e.grievance_by_state.values().next() {
            return Err(cx.err(
                v.span(),
                k("grievance_by_state"),
                "not allowed here: this event strikes states; grievance needs target = \"pole\"",
            ));
        }
        return Ok(Vec::new());
    }
    let all = cx.opt_real(&e.grievance, &k("grievance"), 0.0, 10.0, 0.0)?;
    let mut by_host = vec![all; states.len()];
    let key = k("grievance_by_state");
    by_states(
        cx,
        &e.grievance_by_state,
        &key,
        states,
        0.0..=10.0,
        &mut by_host,
    )?;
    Ok(by_host)
}

/// Where a realignment goes: `realign_toward` (a pole), `realign_weights` (a pole drawn by weight,
/// normalised), or equal shares; not both keys, and either only with a `realign` to give it a size.
fn toward(cx: &Ctx, e: &RawEvent, poles: &[&str], k: &dyn Fn(&str) -> String) -> Result<Toward> {
    let (to, weights) = (&e.realign_toward, &e.realign_weights);
    if let (Some(_), Some(w)) = (to, weights) {
        return Err(cx.err(
            w.span(),
            k("realign_weights"),
            "give realign_toward (one pole) or realign_weights (a drawn pole), not both",
        ));
    }
    let given = to
        .as_ref()
        .map(|v| (v.span(), "realign_toward"))
        .or(weights.as_ref().map(|w| (w.span(), "realign_weights")));
    if let (Some((span, key)), None) = (given, &e.realign) {
        return Err(cx.err(span, k(key), "needs `realign`: how far the shares move"));
    }
    if let Some(v) = to {
        return Ok(Toward::Pole(cx.lookup(
            v,
            &k("realign_toward"),
            "pole",
            poles,
        )?));
    }
    let Some(w) = weights else {
        return Ok(Toward::Equal);
    };
    let weights = per_pole(cx, w.get_ref(), &k("realign_weights"), poles, 0.0, 1e6)?;
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        return Err(cx.err(
            w.span(),
            k("realign_weights"),
            "the weights sum to 0: give some pole a positive weight",
        ));
    }
    Ok(Toward::Drawn(weights.iter().map(|w| w / sum).collect()))
}

/// Forced cells (`World::injects`) and the disputes injects of pair events name (`World::inject_pairs`).
type Injects = (Vec<bool>, Vec<(usize, usize)>);

/// The injects' cells, and the disputes named by injects of pair events.
pub(super) fn injects(
    cx: &Ctx,
    list: &[RawInject],
    world: &World,
    names: &Names,
) -> Result<Injects> {
    let hs = world.states.len();
    let mut injects = vec![false; world.quarters * world.events.len() * hs];
    let mut pairs = Vec::new();
    for inj in list {
        let e = cx.lookup(&inj.event, "inject.event", "event", names.events)?;
        let t = cx.within(&inj.quarter, "inject.quarter", world)?;
        if let Some(pair) = &inj.pair {
            let (h, d) = inject_pair(cx, inj, pair, world, e, names)?;
            let i = world.event_index(t, e, h);
            injects[i] = true;
            if !pairs.contains(&(i, d)) {
                pairs.push((i, d));
            }
            continue;
        }
        match world.events[e].target {
            EventTarget::Pole(_) => {
                if let Some(v) = inj.states.first() {
                    return Err(cx.err(
                        v.span(),
                        "inject.states",
                        format!(
                            "`{}` strikes a pole, not states: remove `states`",
                            inj.event.get_ref()
                        ),
                    ));
                }
                injects[world.event_index(t, e, 0)] = true;
            }
            EventTarget::States => {
                let hit = if inj.states.is_empty() {
                    vec![true; hs]
                } else {
                    flags(cx, &inj.states, "inject.states", "state", names.states)?
                };
                for (h, _) in hit.iter().enumerate().filter(|(_, hit)| **hit) {
                    injects[world.event_index(t, e, h)] = true;
                }
            }
        }
    }
    Ok((injects, pairs))
}

/// The host and dispute of an inject's `pair`: a pair event, no `states` beside it, and the two states
/// of a declared `[[tension]]`. The incident is recorded in the first state's cell.
fn inject_pair(
    cx: &Ctx,
    inj: &RawInject,
    pair: &S<Vec<S<String>>>,
    world: &World,
    e: usize,
    names: &Names,
) -> Result<(usize, usize)> {
    let key = "inject.pair";
    if !world.events[e].pair {
        return Err(cx.err(
            pair.span(),
            key,
            format!(
                "`{}` is not a pair event (`pair = true` in its [[event]]): use `states`",
                inj.event.get_ref()
            ),
        ));
    }
    if let Some(v) = inj.states.first() {
        return Err(cx.err(
            v.span(),
            "inject.states",
            "give `pair` (one dispute) or `states`, not both",
        ));
    }
    let list = pair.get_ref();
    if list.len() != 2 {
        return Err(cx.err(
            pair.span(),
            key,
            format!(
                "{} state(s) given, expected the two states of a [[tension]]",
                list.len()
            ),
        ));
    }
    let a = cx.lookup(&list[0], key, "state", names.states)?;
    let b = cx.lookup(&list[1], key, "state", names.states)?;
    let d = world
        .tensions
        .iter()
        .position(|t| t.other(a) == Some(b))
        .ok_or_else(|| {
            cx.err(
                pair.span(),
                key,
                format!(
                    "no [[tension]] is declared between {} and {}: a pair event strikes a declared dispute",
                    list[0].get_ref(),
                    list[1].get_ref()
                ),
            )
        })?;
    Ok((a, d))
}

/// Writes each event's hazards (`hazard`, `hazard_by_state`, `border_exposure`) into the baseline `plan`.
pub(super) fn hazards(
    cx: &Ctx,
    raw: &[RawEvent],
    world: &World,
    names: &Names,
    plan: &mut Plan,
) -> Result<()> {
    let (hs, qs) = (world.states.len(), world.quarters);
    for (e, raw_e) in raw.iter().enumerate() {
        let k = format!("event.{}", raw_e.name.get_ref());
        let hazard = cx.opt_real(&raw_e.hazard, &format!("{k}.hazard"), 0.0, 1.0, 0.0)?;
        let mut by_state = vec![hazard; hs];
        let key = format!("{k}.hazard_by_state");
        by_states(
            cx,
            &raw_e.hazard_by_state,
            &key,
            names.states,
            0.0..=1.0,
            &mut by_state,
        )?;
        let pole_event = matches!(world.events[e].target, EventTarget::Pole(_));
        let exposed = raw_e.border_exposure.unwrap_or(false);
        if exposed && pole_event {
            return Err(cx.err(raw_e.name.span(), format!("{k}.border_exposure"), "not allowed here: a pole event has no border; border_exposure needs target = \"states\""));
        }
        // From each scheduled quarter on, the hazards given there; the rest as before.
        let mut from = vec![(0, by_state)];
        let mut last = None;
        for entry in &raw_e.hazard_from {
            let key = format!("{k}.hazard_from");
            let t = cx.within_after(&entry.from, &format!("{key}.from"), world, &mut last)?;
            // unwrap OK: `from` starts with one row and only grows.
            let mut row = from.last().unwrap().1.clone();
            if let Some(v) = &entry.hazard {
                row.fill(cx.real(v, &format!("{key}.hazard"), 0.0, 1.0)?);
            }
            if pole_event {
                one_hazard(cx, &entry.hazard_by_state, &key)?;
            }
            let table = format!("{key}.hazard_by_state");
            by_states(
                cx,
                &entry.hazard_by_state,
                &table,
                names.states,
                0.0..=1.0,
                &mut row,
            )?;
            from.push((t, row));
        }
        for (i, (start, row)) in from.iter().enumerate() {
            let end = from.get(i + 1).map_or(qs, |f| f.0);
            let mut row = row.clone();
            if exposed {
                for (x, host) in row.iter_mut().zip(&world.states) {
                    *x = (*x * (1.0 + host.afghan_border_km / 1000.0)).min(1.0);
                }
            }
            for t in *start..end {
                for (h, x) in row.iter().enumerate() {
                    plan.hazards[world.event_index(t, e, h)] = *x;
                }
            }
        }
    }

    Ok(())
}

/// Writes the per-state values of `map` (the table at `key`: state code → a value in `range`, like
/// `hazard_by_state`) into `row`, by state.
fn by_states(
    cx: &Ctx,
    map: &BTreeMap<String, S<f64>>,
    key: &str,
    states: &[&str],
    range: std::ops::RangeInclusive<f64>,
    row: &mut [f64],
) -> Result<()> {
    for (code, v) in map {
        let key = format!("{key}.{code}");
        let h = cx.lookup_key(code, v.span(), &key, "state", states)?;
        row[h] = cx.real(v, &key, *range.start(), *range.end())?;
    }
    Ok(())
}

/// Refuses per-state hazards (given at `key.hazard_by_state`) for a pole event, which has one hazard.
fn one_hazard(cx: &Ctx, map: &BTreeMap<String, S<f64>>, key: &str) -> Result<()> {
    match map.values().next() {
        None => Ok(()),
        Some(v) => Err(cx.err(
            v.span(),
            format!("{key}.hazard_by_state"),
            "not allowed here: a pole event has one hazard, `hazard`",
        )),
    }
}
