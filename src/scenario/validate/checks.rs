//! `[[check]]` and `[[calibrate]]`. A check names a known kind, the state and exactly the pole, bloc,
//! event, reaction or level its kind uses, a window inside the horizon, and the share of runs required
//! (0..=1, min ≤ max): a hindcast can then evaluate it in every run without a missing reference. A free
//! parameter names a coefficient of `model::COEFFICIENTS` or a declared entry's key, once, with a finite
//! range: `calibrate` writes each value it tries into the file, which is validated again before use.

use std::collections::BTreeSet;

use super::Ctx;
use crate::model::{
    Check, Condition, During, EventTarget, OccurrenceKind, Occurrences, Predicate, World,
    COEFFICIENTS,
};
use crate::scenario::raw::{RawCalibrate, RawCheck, S};
use crate::scenario::ScenarioError;

type Result<T> = std::result::Result<T, ScenarioError>;

/// Every check kind, as written in files.
pub const CHECK_KINDS: [&str; 15] = [
    "event",
    "reaction",
    "base_opened",
    "base_closed",
    "transit_opened",
    "transit_closed",
    "bloc_joined",
    "bloc_left",
    "dominant",
    "share_above",
    "share_below",
    "base_hosted",
    "transit_open",
    "member",
    "share_fell",
];

/// A parameter `greatgame calibrate` may vary, and its plausible range.
#[derive(Clone, Debug, PartialEq)]
pub struct FreeParam {
    /// Dotted path: `model.KEY`, or `SECTION.NAME.FIELD` for a `[[state]]`, `[[event]]`, `[[bloc]]` or
    /// `[[reaction]]` entry (named by `code` or `name`).
    pub param: String,
    /// Lowest value tried.
    pub low: f64,
    /// Highest value tried.
    pub high: f64,
    /// Why the range is plausible.
    pub why: String,
}

/// Checks `raw` against `world`.
pub(super) fn checks(cx: &Ctx, raw: &[RawCheck], world: &World) -> Result<Vec<Check>> {
    let slots = Occurrences::new(world);
    cx.unique(raw.iter().map(|c| &c.name), "check.name")?;
    raw.iter().map(|c| check(cx, c, world, &slots)).collect()
}

fn check(cx: &Ctx, c: &RawCheck, world: &World, slots: &Occurrences) -> Result<Check> {
    let key = format!("check.{}", c.name.get_ref());
    let k = |field: &str| format!("{key}.{field}");
    let kind = c.kind.get_ref().as_str();
    if !CHECK_KINDS.contains(&kind) {
        return Err(cx.err(
            c.kind.span(),
            k("kind"),
            format!(
                "unknown kind `{kind}`, expected one of: {}",
                CHECK_KINDS.join(", ")
            ),
        ));
    }
    let states: Vec<&str> = world.states.iter().map(|s| s.code.as_str()).collect();
    let poles: Vec<&str> = world.poles.iter().map(String::as_str).collect();
    let blocs: Vec<&str> = world.blocs.iter().map(|b| b.name.as_str()).collect();
    let h = cx.lookup(&c.state, &k("state"), "state", &states)?;
    let pole = c
        .pole
        .as_ref()
        .map(|v| cx.lookup(v, &k("pole"), "pole", &poles))
        .transpose()?;
    let bloc = c
        .bloc
        .as_ref()
        .map(|v| cx.lookup(v, &k("bloc"), "bloc", &blocs))
        .transpose()?;
    let base_kind = matches!(kind, "base_opened" | "base_closed" | "base_hosted");
    let base = match &c.base {
        None => None,
        Some(v) if !base_kind => {
            return Err(cx.err(
                v.span(),
                k("base"),
                format!("not allowed for kind `{kind}`"),
            ))
        }
        Some(v) => {
            let bases: Vec<&str> = world.bases.iter().map(|b| b.name.as_str()).collect();
            let b = cx.lookup(v, &k("base"), "base", &bases)?;
            if world.bases[b].host != h {
                return Err(cx.err(
                    v.span(),
                    k("base"),
                    format!(
                        "base `{}` is in {}, not in {}: name a base of the check's state",
                        v.get_ref(),
                        world.states[world.bases[b].host].code,
                        world.states[h].code
                    ),
                ));
            }
            if let Some(p) = &c.pole {
                return Err(cx.err(
                    p.span(),
                    k("pole"),
                    "give `base` (one named base) or `pole` (any base of the pole), not both",
                ));
            }
            Some(b)
        }
    };

    // Which of pole, bloc, event, reaction and level the kind uses; the rest must be absent.
    let (wants_pole, wants_bloc, wants_event, wants_reaction, wants_level) = match kind {
        "event" => (false, false, true, false, false),
        "reaction" => (false, false, false, true, false),
        "bloc_joined" | "bloc_left" | "member" => (false, true, false, false, false),
        "share_above" | "share_below" | "share_fell" => (true, false, false, false, true),
        _ => (true, false, false, false, false),
    };
    let present: [(&str, bool, Option<std::ops::Range<usize>>); 5] = [
        ("pole", wants_pole, c.pole.as_ref().map(|v| v.span())),
        ("bloc", wants_bloc, c.bloc.as_ref().map(|v| v.span())),
        ("event", wants_event, c.event.as_ref().map(|v| v.span())),
        (
            "reaction",
            wants_reaction,
            c.reaction.as_ref().map(|v| v.span()),
        ),
        ("level", wants_level, c.level.as_ref().map(|v| v.span())),
    ];
    if let Some((field, _, Some(span))) = present
        .iter()
        .find(|(_, wanted, span)| !wanted && span.is_some())
    {
        return Err(cx.err(
            span.clone(),
            k(field),
            format!("not allowed for kind `{kind}`"),
        ));
    }

    let state_kind = matches!(
        kind,
        "dominant" | "share_above" | "share_below" | "base_hosted" | "transit_open" | "member"
    );
    let during = match c.during.as_ref().map(|v| (v.get_ref().as_str(), v.span())) {
        None => During::End,
        Some((_, span)) if kind == "share_fell" => {
            return Err(cx.err(span, k("during"), "not allowed for kind `share_fell`: it compares the share at `from` with the share at `to`"));
        }
        Some((_, span)) if !state_kind => {
            return Err(cx.err(span, k("during"), format!("not allowed for kind `{kind}`: it counts as held if it happens at least once in the window")));
        }
        Some(("end", _)) => During::End,
        Some(("all", _)) => During::All,
        Some(("any", _)) => During::Any,
        Some((other, span)) => {
            return Err(cx.err(
                span,
                k("during"),
                format!("unknown `{other}`, expected one of: end, all, any"),
            ))
        }
    };
    let need_pole = || {
        pole.ok_or_else(|| {
            cx.err(
                c.kind.span(),
                k("pole"),
                format!("kind `{kind}` needs `pole`"),
            )
        })
    };
    let subject_of =
        |i: Option<usize>, names: &[&str]| i.map_or(String::new(), |i| names[i].to_string());

    let occurs = |kinds: &[OccurrenceKind], subject: Option<usize>| -> Vec<usize> {
        slots
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                kinds.contains(&s.kind)
                    && subject.is_none_or(|x| x == s.subject)
                    && (s.state == Some(h) || s.state.is_none())
            })
            .map(|(i, _)| i)
            .collect()
    };
    let (condition, subject) = match kind {
        "event" => {
            let v = c.event.as_ref().ok_or_else(|| {
                cx.err(
                    c.kind.span(),
                    k("event"),
                    "kind `event` needs `event`, the event's name",
                )
            })?;
            let names: Vec<&str> = world.events.iter().map(|e| e.name.as_str()).collect();
            let e = cx.lookup(v, &k("event"), "event", &names)?;
            let list = occurs(&[OccurrenceKind::Event], Some(e));
            let list = match world.events[e].target {
                EventTarget::Pole(_) => list,
                EventTarget::States => list
                    .into_iter()
                    .filter(|&s| slots.slots[s].state == Some(h))
                    .collect(),
            };
            (Condition::Occurs(list), names[e].to_string())
        }
        "reaction" => {
            let v = c.reaction.as_ref().ok_or_else(|| {
                cx.err(
                    c.kind.span(),
                    k("reaction"),
                    "kind `reaction` needs `reaction`, the rule's name",
                )
            })?;
            let names: Vec<&str> = world.reactions.iter().map(|r| r.name.as_str()).collect();
            let r = cx.lookup(v, &k("reaction"), "reaction", &names)?;
            (
                Condition::Occurs(occurs(&[OccurrenceKind::Reaction], Some(r))),
                names[r].to_string(),
            )
        }
        "base_opened" | "base_closed" => {
            let which = if kind == "base_opened" {
                OccurrenceKind::BaseOpened
            } else {
                OccurrenceKind::BaseClosed
            };
            // Base slots are numbered by base: keep those of the named base, or of the pole's bases.
            let list = occurs(&[which], None)
                .into_iter()
                .filter(|&s| {
                    let b = slots.slots[s].subject;
                    base.is_none_or(|x| x == b) && pole.is_none_or(|p| world.bases[b].pole == p)
                })
                .collect();
            let subject = base.map_or(subject_of(pole, &poles), |b| world.bases[b].name.clone());
            (Condition::Occurs(list), subject)
        }
        "transit_opened" | "transit_closed" => {
            let which = if kind == "transit_opened" {
                OccurrenceKind::TransitOpened
            } else {
                OccurrenceKind::TransitClosed
            };
            (
                Condition::Occurs(occurs(&[which], pole)),
                subject_of(pole, &poles),
            )
        }
        "bloc_joined" | "bloc_left" => {
            let which = if kind == "bloc_joined" {
                OccurrenceKind::BlocJoined
            } else {
                OccurrenceKind::BlocLeft
            };
            if let (Some(b), Some(v)) = (bloc, &c.bloc) {
                if world.blocs[b].decided.is_none() {
                    return Err(cx.err(v.span(), k("bloc"), format!("`{}` has fixed membership (no join_above/leave_below): nobody joins or leaves it", v.get_ref())));
                }
            }
            (
                Condition::Occurs(occurs(&[which], bloc)),
                subject_of(bloc, &blocs),
            )
        }
        "dominant" => {
            let p = need_pole()?;
            (
                Condition::State(Predicate::Dominant { h, p }, during),
                poles[p].to_string(),
            )
        }
        "share_above" | "share_below" => {
            let p = need_pole()?;
            let v = c.level.as_ref().ok_or_else(|| {
                cx.err(
                    c.kind.span(),
                    k("level"),
                    format!("kind `{kind}` needs `level`, a share in 0..=1"),
                )
            })?;
            let level = *v.get_ref();
            if !(0.0..=1.0).contains(&level) {
                return Err(cx.err(
                    v.span(),
                    k("level"),
                    format!("{level} is out of range, expected 0..=1"),
                ));
            }
            let predicate = if kind == "share_above" {
                Predicate::ShareAbove { h, p, level }
            } else {
                Predicate::ShareBelow { h, p, level }
            };
            (Condition::State(predicate, during), poles[p].to_string())
        }
        "share_fell" => {
            let p = need_pole()?;
            let by = match &c.level {
                None => 0.0,
                Some(v) => cx.real(v, &k("level"), 0.0, 1.0)?,
            };
            if c.from.is_none() || c.to.is_none() {
                return Err(cx.err(
                    c.kind.span(),
                    k(if c.from.is_none() { "from" } else { "to" }),
                    "kind `share_fell` compares the share at `from` with the share at `to`: give both",
                ));
            }
            (Condition::Fell { h, p, by }, poles[p].to_string())
        }
        "base_hosted" => match base {
            Some(b) => (
                Condition::State(Predicate::NamedBaseHosted { b }, during),
                world.bases[b].name.clone(),
            ),
            None => (
                Condition::State(Predicate::BaseHosted { h, p: pole }, during),
                subject_of(pole, &poles),
            ),
        },
        "transit_open" => (
            Condition::State(Predicate::TransitOpen { h, p: pole }, during),
            subject_of(pole, &poles),
        ),
        _ => (
            Condition::State(Predicate::Member { h, b: bloc }, during),
            subject_of(bloc, &blocs),
        ),
    };

    let from = c
        .from
        .as_ref()
        .map_or(Ok(0), |v| cx.within(v, &k("from"), world))?;
    let to =
        c.to.as_ref()
            .map_or(Ok(world.quarters - 1), |v| cx.within(v, &k("to"), world))?;
    if to < from {
        // `to < from` needs an explicit `to` (the default is the last quarter), so its span is there.
        let span = c.to.as_ref().map_or(0..0, |v| v.span());
        return Err(cx.err(
            span,
            k("to"),
            format!(
                "{} is before from = {}",
                world.quarter_label(to),
                world.quarter_label(from)
            ),
        ));
    }
    let share = |v: &Option<S<f64>>, field: &str| -> Result<Option<f64>> {
        v.as_ref()
            .map(|v| {
                let x = *v.get_ref();
                if (0.0..=1.0).contains(&x) {
                    Ok(x)
                } else {
                    Err(cx.err(
                        v.span(),
                        k(field),
                        format!("{x} is out of range, expected 0..=1 (a share of runs)"),
                    ))
                }
            })
            .transpose()
    };
    let min_share = share(&c.min_share, "min_share")?;
    let max_share = share(&c.max_share, "max_share")?;
    match (min_share, max_share) {
        (None, None) => {
            return Err(cx.err(
                c.name.span(),
                key,
                "give min_share, max_share or both: the share of runs in which the check must hold",
            ))
        }
        (Some(lo), Some(hi)) if lo > hi => {
            // unwrap OK: both are present in this arm.
            return Err(cx.err(
                c.max_share.as_ref().unwrap().span(),
                k("max_share"),
                format!("{hi} is below min_share = {lo}"),
            ));
        }
        _ => {}
    }
    Ok(Check {
        name: c.name.get_ref().clone(),
        description: c.description.clone().unwrap_or_default(),
        kind: kind.to_string(),
        state: states[h].to_string(),
        subject,
        condition,
        from,
        to,
        min_share,
        max_share,
        holdout: c.holdout.unwrap_or(false),
    })
}

/// Checks `raw` free parameters: known sections and entries, and a proper range.
pub(super) fn free_params(
    cx: &Ctx,
    raw: &[RawCalibrate],
    world: &World,
    reactions: &[&str],
    events: &[&str],
) -> Result<Vec<FreeParam>> {
    let mut seen = BTreeSet::new();
    raw.iter()
        .map(|c| {
            let p = c.param.get_ref();
            let parts: Vec<&str> = p.split('.').collect();
            let bad = |msg: String| cx.err(c.param.span(), "calibrate.param", msg);
            match parts.as_slice() {
                ["model", key] => {
                    if !COEFFICIENTS.iter().any(|c| c.key == *key) {
                        let keys: Vec<&str> = COEFFICIENTS.iter().map(|c| c.key).collect();
                        return Err(bad(format!("unknown coefficient `{key}` in `{p}`, expected one of: {}", keys.join(", "))));
                    }
                }
                [section, name, _] | [section, name, _, _] => {
                    let names: Vec<&str> = match *section {
                        "state" => world.states.iter().map(|s| s.code.as_str()).collect(),
                        "bloc" => world.blocs.iter().map(|b| b.name.as_str()).collect(),
                        "event" => events.to_vec(),
                        "reaction" => reactions.to_vec(),
                        _ => return Err(bad(format!("`{p}`: unknown section `{section}`, expected model, state, bloc, event or reaction"))),
                    };
                    if !names.contains(name) {
                        return Err(bad(format!("`{p}`: no {section} named `{name}`, expected one of: {}", names.join(", "))));
                    }
                }
                _ => return Err(bad(format!("`{p}` is not a parameter path, expected `model.KEY`, `SECTION.NAME.KEY` (like `event.spillover.hazard`) or `SECTION.NAME.KEY.SUB` (like `state.UZB.reluctance.CSTO`)"))),
            }
            if !seen.insert(p.clone()) {
                return Err(bad(format!("`{p}` is declared twice")));
            }
            let (low, high) = (*c.low.get_ref(), *c.high.get_ref());
            if !low.is_finite() || !high.is_finite() || low >= high {
                return Err(cx.err(c.high.span(), format!("calibrate.{p}.high"), format!("expected finite low < high, got {low} and {high}")));
            }
            Ok(FreeParam { param: p.clone(), low, high, why: c.why.clone().unwrap_or_default() })
        })
        .collect()
}
