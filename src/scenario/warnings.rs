//! Warnings a facilitator needs: input that is valid but probably not what was meant, or that cannot
//! take effect, found in the checked scenario before anything runs.
//!
//! Validation refuses what the model cannot compute; these warnings flag what it computes without
//! complaint but that a room would misread: a lever in dollars where $M a year are meant (larger than the
//! state's whole economy), a policy that changes nothing the model reads, a base offered where doctrine
//! forbids every base, a base offered where the deciding share starts far below its admission level, and
//! starting levers that are absorbed into the rest point. They never stop a run; `check` and every
//! command print them on stderr.

use std::fmt;

use super::Scenario;
use crate::model::{rest_point_affinity, Lever, Plan, World};

/// Money levers, $M a year, that a state's GDP bounds in plausibility.
const MONEY: [Lever; 5] = [
    Lever::Aid,
    Lever::BaseRent,
    Lever::Transit,
    Lever::Loans,
    Lever::Investment,
];

/// One warning, in words, naming what it is about and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning(pub String);

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every warning about `sc`, in a fixed order: magnitudes (baseline, then policies in file order), reaction
/// amounts, policies that cannot take effect.
pub fn warnings(sc: &Scenario) -> Vec<Warning> {
    let mut out = Vec::new();
    magnitudes(&sc.world, &sc.baseline, None, &mut out);
    for plan in &sc.policies {
        magnitudes(&sc.world, plan, Some(&sc.baseline), &mut out);
    }
    reaction_amounts(sc, &mut out);
    for plan in &sc.policies {
        ineffective(&sc.world, &sc.baseline, plan, &mut out);
    }
    out
}

/// The note `check` gives about the rest point: where the levers of the first quarter are absorbed into
/// the affinity (every state whose affinity is the derived one, that is, not given in the file). `None`
/// if there is none.
pub fn rest_point_note(sc: &Scenario) -> Option<String> {
    let derived = rest_point_affinity(&sc.world, &sc.baseline);
    let codes: Vec<&str> = sc
        .world
        .states
        .iter()
        .zip(&derived)
        .filter(|(host, d)| host.affinity == **d)
        .map(|(host, _)| host.code.as_str())
        .collect();
    (!codes.is_empty()).then(|| {
        format!(
            "the start is a rest point for {}: their affinity is derived so that the levers of {} \
             explain the starting shares, so editing a lever's starting value changes the affinity, \
             not the outcome; change a lever from a later quarter or in a [[policy]], or give \
             `affinity` to fix it",
            codes.join(", "),
            sc.world.quarter_label(0)
        )
    })
}

/// Money levers of `plan` larger than the state's GDP (for a policy, only where the baseline's is
/// not): once per pole, state and lever, at the first quarter it happens.
fn magnitudes(world: &World, plan: &Plan, baseline: Option<&Plan>, out: &mut Vec<Warning>) {
    for (h, host) in world.states.iter().enumerate() {
        let gdp_m = host.gdp_usd_bn * 1000.0;
        for p in 0..world.poles.len() {
            for lever in MONEY {
                let first = (0..world.quarters).find(|&t| {
                    let v = plan.lever_row(world, t, h, p)[lever.index()];
                    // A policy is named only where it, not the baseline, passes the GDP.
                    let inherited = baseline
                        .is_some_and(|b| b.lever_row(world, t, h, p)[lever.index()] > gdp_m);
                    v > gdp_m && !inherited
                });
                let Some(t) = first else { continue };
                let v = plan.lever_row(world, t, h, p)[lever.index()];
                let whose = match baseline {
                    None => "the baseline".to_string(),
                    Some(_) => format!("policy {}", plan.name),
                };
                let absorbed = if baseline.is_none() && t == 0 {
                    " (a starting value, absorbed into the rest point unless `affinity` is given, so it \
                     changes nothing without a word)"
                } else {
                    ""
                };
                out.push(Warning(format!(
                    "{whose}: {}'s {} toward {} is {} $M a year in {}, more than {}'s whole GDP \
                     ({} $bn){absorbed}; levers are in $M a year: was a dollar figure typed?",
                    world.poles[p],
                    lever.key(),
                    host.code,
                    number(v),
                    world.quarter_label(t),
                    host.code,
                    number(host.gdp_usd_bn)
                )));
            }
        }
    }
}

/// Reaction rules on a money lever whose `add` (in any plan and quarter) exceeds the GDP of a state they
/// apply to: once per rule.
fn reaction_amounts(sc: &Scenario, out: &mut Vec<Warning>) {
    let world = &sc.world;
    for (r, rule) in world.reactions.iter().enumerate() {
        if !MONEY.contains(&rule.lever) {
            continue;
        }
        let add = std::iter::once(&sc.baseline)
            .chain(&sc.policies)
            .flat_map(|plan| (0..world.quarters).map(move |t| plan.reaction(world, t, r).add))
            .fold(0.0, f64::max);
        let smallest = world
            .states
            .iter()
            .zip(&rule.states)
            .filter(|(_, &applies)| applies)
            .map(|(h, _)| h)
            .min_by(|a, b| a.gdp_usd_bn.total_cmp(&b.gdp_usd_bn));
        if let Some(host) = smallest {
            if add > host.gdp_usd_bn * 1000.0 {
                out.push(Warning(format!(
                    "reaction {} adds {} $M a year to {}, more than {}'s whole GDP ({} $bn); levers \
                     are in $M a year: was a dollar figure typed?",
                    rule.name,
                    number(add),
                    rule.lever.key(),
                    host.code,
                    number(host.gdp_usd_bn)
                )));
            }
        }
    }
}

/// A policy that changes nothing the model reads, or offers a base that cannot be admitted (doctrine
/// forbids every base in every quarter it offers one, or the pole has no base declared in the state).
fn ineffective(world: &World, baseline: &Plan, plan: &Plan, out: &mut Vec<Warning>) {
    if plan.levers == baseline.levers
        && plan.hazards == baseline.hazards
        && plan.reactions == baseline.reactions
    {
        out.push(Warning(format!(
            "policy {} changes nothing the model reads: every lever, hazard and reaction equals the \
             baseline's, so its effect is exactly zero",
            plan.name
        )));
        return;
    }
    let offered = Lever::BaseOffered.index();
    for (h, host) in world.states.iter().enumerate() {
        for p in 0..world.poles.len() {
            let newly: Vec<usize> = (0..world.quarters)
                .filter(|&t| {
                    plan.lever_row(world, t, h, p)[offered] > 0.0
                        && baseline.lever_row(world, t, h, p)[offered] <= 0.0
                })
                .collect();
            let Some(&first) = newly.first() else {
                continue;
            };
            let what = format!(
                "policy {}: {}'s base offer to {}",
                plan.name, world.poles[p], host.code
            );
            if newly.iter().all(|&t| host.refuses_bases(t)) {
                out.push(Warning(format!(
                    "{what} cannot take effect: {} hosts no foreign base in any quarter of the offer \
                     ({})",
                    host.code,
                    if host.neutral {
                        "permanent neutrality"
                    } else {
                        "its ban on bases"
                    }
                )));
            } else if !world.has_base(h, p) {
                out.push(Warning(format!(
                    "{what} (from {}) cannot take effect: {} has no [[base]] declared in {}, so \
                     there is nothing to offer",
                    world.quarter_label(first),
                    world.poles[p],
                    host.code,
                )));
            }
        }
    }
}

/// A number as a reader types it: no trailing zeros, thousands not separated.
fn number(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
