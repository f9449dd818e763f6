//! From `raw` to checked types: ranges, cross references and names resolved to indices. Every rejection
//! names the key and what is allowed, at the value's place in the file (`Ctx::err`), so a user can fix
//! the file without reading code.
//!
//! One module per part of the file, each opening with what it checks and why:
//! - `scenario`: `[scenario]` (name, horizon, runs, seed) and `[model]` (the coefficients, from
//!   `model::COEFFICIENTS`);
//! - `states`: `[[bloc]]` and `[[state]]`;
//! - `bases`: `[[base]]`, named bases (deals of a pole with a state);
//! - `levers`: `[[lever]]`, the baseline's lever schedule (ranges from `model::LEVERS`);
//! - `events`: `[[event]]`, their hazards and `[[inject]]`;
//! - `reactions`: `[[reaction]]`;
//! - `tensions`: `[[tension]]`, disputes between neighbours;
//! - `policies`: `[[policy]]` and its changes;
//! - `checks`: `[[check]]` and `[[calibrate]]`;
//! - `bounds`: what no single key shows, that every number the model computes stays finite.
//!
//! This module holds what they share: locating errors, reading numbers, quarters and references, the
//! rule for names, and the order in which the sections are checked (each needs the ones before it).

mod bases;
mod bounds;
mod checks;
mod events;
mod levers;
mod policies;
mod reactions;
mod scenario;
mod states;
mod tensions;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::docs::number;
use super::error::{Located, ScenarioError};
use super::raw::*;
use super::Scenario;
use crate::model::{rest_point_affinity, Plan, World, LEVER_COUNT, MAX_POLES};
use crate::quarter::Quarter;

pub use checks::{FreeParam, CHECK_KINDS};
pub use reactions::{MAX_ADD, MAX_SCALE};
pub use scenario::{DEFAULT_RUNS, DEFAULT_SEED, MAX_QUARTERS, MAX_RUNS};
pub use states::SHARE_SUM_TOLERANCE;

type Result<T> = std::result::Result<T, ScenarioError>;

/// The file being checked, for locating errors.
pub(crate) struct Ctx<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Ctx<'_> {
    pub fn err(
        &self,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError::Invalid(Box::new(Located::at(
            self.file,
            self.text,
            span,
            key.into(),
            message.into(),
        )))
    }

    pub(super) fn real(&self, v: &S<f64>, key: &str, lo: f64, hi: f64) -> Result<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x >= lo && x <= hi {
            Ok(x)
        } else {
            Err(self.err(
                v.span(),
                key,
                format!(
                    "{} is out of range, expected {}",
                    number(x),
                    range_text(lo, hi)
                ),
            ))
        }
    }

    pub(super) fn opt_real(
        &self,
        v: &Option<S<f64>>,
        key: &str,
        lo: f64,
        hi: f64,
        default: f64,
    ) -> Result<f64> {
        v.as_ref()
            .map_or(Ok(default), |v| self.real(v, key, lo, hi))
    }

    /// Checks that `v` follows the rule for names (`NAME_RULE`).
    pub(super) fn name(&self, v: &S<String>, key: &str) -> Result<()> {
        let name = v.get_ref();
        if name.is_empty() {
            return Err(self.err(v.span(), key, "must not be empty"));
        }
        if !is_name(name) {
            return Err(self.err(
                v.span(),
                key,
                format!(
                    "`{}` is not allowed: a name is {NAME_RULE}",
                    name.escape_debug()
                ),
            ));
        }
        Ok(())
    }

    fn quarter(&self, v: &S<String>, key: &str) -> Result<Quarter> {
        v.get_ref()
            .parse()
            .map_err(|e: crate::quarter::BadQuarter| self.err(v.span(), key, e.to_string()))
    }

    /// Quarter `v` as an index into the horizon.
    pub(super) fn within(&self, v: &S<String>, key: &str, world: &World) -> Result<usize> {
        let q = self.quarter(v, key)?;
        let t = q.since(world.start);
        let last = world.quarter_label(world.quarters - 1);
        usize::try_from(t)
            .ok()
            .filter(|&t| t < world.quarters)
            .ok_or_else(|| {
                self.err(
                    v.span(),
                    key,
                    format!(
                        "{q} is outside the horizon, expected {}..={last}",
                        world.start
                    ),
                )
            })
    }

    /// Quarter `v` of a schedule entry as an index into the horizon, after the previous entry's
    /// `last` (which it then becomes): a schedule's quarters increase from one entry to the next.
    pub(super) fn within_after(
        &self,
        v: &S<String>,
        key: &str,
        world: &World,
        last: &mut Option<usize>,
    ) -> Result<usize> {
        let t = self.within(v, key, world)?;
        if last.is_some_and(|l| t <= l) {
            return Err(self.err(
                v.span(),
                key,
                "quarters must increase from one entry to the next",
            ));
        }
        *last = Some(t);
        Ok(t)
    }

    pub(super) fn lookup(
        &self,
        v: &S<String>,
        key: &str,
        what: &str,
        names: &[&str],
    ) -> Result<usize> {
        names.iter().position(|n| n == v.get_ref()).ok_or_else(|| {
            self.err(
                v.span(),
                key,
                format!(
                    "unknown {what} `{}`, expected one of: {}",
                    v.get_ref(),
                    names.join(", ")
                ),
            )
        })
    }

    pub(super) fn lookup_key(
        &self,
        name: &str,
        span: Range<usize>,
        key: &str,
        what: &str,
        names: &[&str],
    ) -> Result<usize> {
        names.iter().position(|n| *n == name).ok_or_else(|| {
            self.err(
                span,
                key,
                format!(
                    "unknown {what} `{name}`, expected one of: {}",
                    names.join(", ")
                ),
            )
        })
    }

    pub(super) fn unique<'n>(
        &self,
        names: impl Iterator<Item = &'n S<String>>,
        key: &str,
    ) -> Result<()> {
        let mut seen = BTreeSet::new();
        for n in names {
            self.name(n, key)?;
            if !seen.insert(n.get_ref().as_str()) {
                return Err(self.err(
                    n.span(),
                    key,
                    format!("`{}` is declared twice; names must be unique", n.get_ref()),
                ));
            }
        }
        Ok(())
    }
}

/// Whether `name` follows the rule for names of states, poles, blocs, events, reactions, policies and
/// checks (`NAME_RULE`): a letter or digit, then letters, digits, `_` and `-`.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(char::is_alphanumeric)
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The rule `is_name` applies, in the words of error messages and docs. Names are written into CSV
/// cells and dotted keys: a first character `=`, `+`, `-`, `@` (or a tab or carriage return) would make
/// a spreadsheet evaluate the cell as a formula, and a `.` or space would make a dotted key ambiguous.
pub const NAME_RULE: &str = "a letter or digit, then letters, digits, `_` and `-` (no spaces or dots; never a first `=`, `+`, `-` or `@`, which spreadsheets read as a formula)";

/// `lo..=hi` as the docs write it (every range is finite).
fn range_text(lo: f64, hi: f64) -> String {
    format!("{}..={}", number(lo), number(hi))
}

/// Checks `raw` and builds the scenario, section by section in the order each needs the last.
pub(super) fn validate(cx: &Ctx, raw: RawScenario) -> Result<Scenario> {
    let meta = scenario::meta(cx, &raw.scenario)?;
    let (start, quarters) = scenario::horizon(cx, &raw.scenario)?;
    let coefficients = scenario::coefficients(cx, &raw.model)?;

    let top = 0..0;
    if raw.pole.len() < 2 || raw.pole.len() > MAX_POLES {
        return Err(cx.err(
            top.clone(),
            "pole",
            format!(
                "{} [[pole]] block(s) declared, expected 2..={MAX_POLES} (a state balances between poles)",
                raw.pole.len()
            ),
        ));
    }
    cx.unique(raw.pole.iter().map(|p| &p.name), "pole.name")?;
    let poles: Vec<String> = raw.pole.iter().map(|p| p.name.get_ref().clone()).collect();
    let pole_names: Vec<&str> = poles.iter().map(String::as_str).collect();

    cx.unique(raw.bloc.iter().map(|b| &b.name), "bloc.name")?;
    let blocs = raw
        .bloc
        .iter()
        .map(|b| states::bloc(cx, b, &pole_names))
        .collect::<Result<Vec<_>>>()?;
    let bloc_names: Vec<&str> = raw.bloc.iter().map(|b| b.name.get_ref().as_str()).collect();

    if raw.state.is_empty() {
        return Err(cx.err(
            top,
            "state",
            "no states declared, expected at least one [[state]] block",
        ));
    }
    cx.unique(raw.state.iter().map(|s| &s.code), "state.code")?;
    let states = raw
        .state
        .iter()
        .map(|s| states::host(cx, s, &pole_names, &bloc_names, &blocs))
        .collect::<Result<Vec<_>>>()?;
    let state_names: Vec<&str> = raw
        .state
        .iter()
        .map(|s| s.code.get_ref().as_str())
        .collect();

    cx.unique(raw.event.iter().map(|e| &e.name), "event.name")?;
    let event_names: Vec<&str> = raw
        .event
        .iter()
        .map(|e| e.name.get_ref().as_str())
        .collect();
    let names = Names {
        poles: &pole_names,
        states: &state_names,
        events: &event_names,
    };
    let events = raw
        .event
        .iter()
        .map(|e| events::event(cx, e, &names))
        .collect::<Result<Vec<_>>>()?;

    cx.unique(raw.reaction.iter().map(|r| &r.name), "reaction.name")?;
    let mut world = World {
        start,
        quarters,
        poles: poles.clone(),
        blocs,
        states,
        bases: Vec::new(),
        events,
        reactions: Vec::new(),
        tensions: Vec::new(),
        injects: Vec::new(),
        inject_pairs: Vec::new(),
        coefficients,
    };
    states::dates(cx, &raw.bloc, &raw.state, &mut world)?;
    world.tensions = tensions::tensions(cx, &raw.tension, &names)?;
    world.bases = bases::bases(cx, &raw.base, &world, &names)?;
    world.reactions = raw
        .reaction
        .iter()
        .map(|r| reactions::reaction(cx, r, &world, &names))
        .collect::<Result<Vec<_>>>()?;
    (world.injects, world.inject_pairs) = events::injects(cx, &raw.inject, &world, &names)?;
    states::base_bans(cx, &raw.state, &mut world)?;

    let mut baseline = Plan {
        name: "baseline".into(),
        description: "the scenario as written, with no policy applied".into(),
        levers: vec![[0.0; LEVER_COUNT]; quarters * world.states.len() * world.poles.len()],
        hazards: vec![0.0; quarters * world.events.len() * world.states.len()],
        reactions: Vec::with_capacity(quarters * raw.reaction.len()),
    };
    levers::schedule(cx, &raw.lever, &world, &names, &mut baseline)?;
    events::hazards(cx, &raw.event, &world, &names, &mut baseline)?;
    reactions::strengths(&raw.reaction, &world, &mut baseline);
    let given: Vec<bool> = raw.state.iter().map(|s| s.affinity.is_some()).collect();
    let derived = rest_point_affinity(&world, &baseline);
    for ((host, given), derived) in world.states.iter_mut().zip(given).zip(derived) {
        if !given {
            host.affinity = derived;
        }
    }

    let policies = policies::policies(cx, &raw.policy, &world, &baseline, &names, &raw.reaction)?;
    bounds::finite(cx, &raw.event, &world)?;
    let checks = checks::checks(cx, &raw.check, &world)?;
    let reaction_names: Vec<&str> = raw
        .reaction
        .iter()
        .map(|r| r.name.get_ref().as_str())
        .collect();
    let free = checks::free_params(cx, &raw.calibrate, &world, &reaction_names, &event_names)?;
    let uncertain =
        super::uncertain::uncertain(cx, &raw.uncertain, &world, &event_names, &reaction_names)?;
    Ok(Scenario {
        meta,
        world,
        baseline,
        policies,
        checks,
        free,
        uncertain,
    })
}

/// The declared names of poles, states and events, by index, for resolving references.
pub(super) struct Names<'a> {
    pub poles: &'a [&'a str],
    pub states: &'a [&'a str],
    pub events: &'a [&'a str],
}

pub(super) fn per_pole(
    cx: &Ctx,
    map: &BTreeMap<String, S<f64>>,
    key: &str,
    poles: &[&str],
    lo: f64,
    hi: f64,
) -> Result<Vec<f64>> {
    let mut row = vec![0.0; poles.len()];
    for (name, v) in map {
        let key = format!("{key}.{name}");
        let p = cx.lookup_key(name, v.span(), &key, "pole", poles)?;
        row[p] = cx.real(v, &key, lo, hi)?;
    }
    Ok(row)
}

pub(super) fn flags(
    cx: &Ctx,
    list: &[S<String>],
    key: &str,
    what: &str,
    names: &[&str],
) -> Result<Vec<bool>> {
    let mut row = vec![false; names.len()];
    for v in list {
        let i = cx.lookup(v, key, what, names)?;
        if row[i] {
            return Err(cx.err(v.span(), key, format!("`{}` is listed twice", v.get_ref())));
        }
        row[i] = true;
    }
    Ok(row)
}
