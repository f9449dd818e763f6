//! From `raw` to checked types: ranges, cross references and names resolved to indices. Every rejection
//! names the key and what is allowed, at the value's place in the file.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::error::{Located, ScenarioError};
use super::raw::*;
use super::{Meta, Scenario};
use crate::model::{
    rest_point_affinity, Bloc, Coefficients, Event, EventTarget, HostState, Hysteresis, Lever,
    Plan, Reaction, ReactionStrength, Trigger, World, LEVER_COUNT, MAX_POLES,
};
use crate::quarter::Quarter;

/// The longest horizon a scenario may have, in quarters (a century).
pub const MAX_QUARTERS: i64 = 400;
/// The most runs a scenario may ask for by default.
pub const MAX_RUNS: i64 = 1_000_000_000;
/// Runs when the file names none.
pub const DEFAULT_RUNS: u64 = 1000;
/// Seed when the file names none.
pub const DEFAULT_SEED: u64 = 1;
/// How far alignment shares may sum from 1.
const SUM_TOLERANCE: f64 = 1e-6;

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

    fn real(&self, v: &S<f64>, key: &str, lo: f64, hi: f64) -> Result<f64> {
        let x = *v.get_ref();
        if x.is_finite() && x >= lo && x <= hi {
            Ok(x)
        } else {
            Err(self.err(
                v.span(),
                key,
                format!("{x} is out of range, expected {}", range_text(lo, hi)),
            ))
        }
    }

    fn opt_real(
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

    fn lookup_key(
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
            if n.get_ref().trim().is_empty() {
                return Err(self.err(n.span(), key, "must not be empty"));
            }
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

fn range_text(lo: f64, hi: f64) -> String {
    match (lo, hi) {
        (lo, hi) if hi == f64::INFINITY => format!("a finite number ≥ {lo}"),
        (lo, hi) if lo == f64::NEG_INFINITY => format!("a finite number ≤ {hi}"),
        _ => format!("{lo}..={hi}"),
    }
}

/// Checks `raw` and builds the scenario.
pub(super) fn validate(cx: &Ctx, raw: RawScenario) -> Result<Scenario> {
    let meta = meta(cx, &raw.scenario)?;
    let start = cx.quarter(&raw.scenario.start, "scenario.start")?;
    let q = &raw.scenario.quarters;
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
    let coefficients = coefficients(cx, &raw.model)?;

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
        .map(|b| bloc(cx, b, &pole_names))
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
        .map(|s| host(cx, s, &pole_names, &bloc_names, &blocs))
        .collect::<Result<Vec<_>>>()?;
    let state_names: Vec<&str> = raw
        .state
        .iter()
        .map(|s| s.code.get_ref().as_str())
        .collect();

    cx.unique(raw.event.iter().map(|e| &e.name), "event.name")?;
    let events = raw
        .event
        .iter()
        .map(|e| event(cx, e, &pole_names))
        .collect::<Result<Vec<_>>>()?;
    let event_names: Vec<&str> = raw
        .event
        .iter()
        .map(|e| e.name.get_ref().as_str())
        .collect();

    cx.unique(raw.reaction.iter().map(|r| &r.name), "reaction.name")?;
    let mut world = World {
        start,
        quarters,
        poles: poles.clone(),
        blocs,
        states,
        events,
        reactions: Vec::new(),
        injects: Vec::new(),
        coefficients,
    };
    let names = Names {
        poles: &pole_names,
        states: &state_names,
        events: &event_names,
    };
    world.reactions = raw
        .reaction
        .iter()
        .map(|r| reaction(cx, r, &world, &names))
        .collect::<Result<Vec<_>>>()?;
    world.injects = injects(cx, &raw.inject, &world, &names)?;
    for (h, s) in raw.state.iter().enumerate() {
        if let Some(from) = &s.bans_bases_from {
            let key = format!("state.{}.bans_bases_from", s.code.get_ref());
            if s.bans_bases == Some(true) {
                return Err(cx.err(from.span(), key, "give either bans_bases = true (a ban from the start) or bans_bases_from (a ban from that quarter), not both"));
            }
            world.states[h].bans_bases_from = Some(cx.within(from, &key, &world)?);
        }
    }

    let mut baseline = baseline_plan(cx, &raw, &world, &names)?;
    baseline.description = "the scenario as written, with no policy applied".into();
    let given: Vec<bool> = raw.state.iter().map(|s| s.affinity.is_some()).collect();
    let derived = rest_point_affinity(&world, &baseline);
    for ((host, given), derived) in world.states.iter_mut().zip(given).zip(derived) {
        if !given {
            host.affinity = derived;
        }
    }

    if let Some(p) = raw.policy.iter().find(|p| p.name.get_ref() == "baseline") {
        return Err(cx.err(
            p.name.span(),
            "policy.name",
            "`baseline` is reserved for the scenario without policies: choose another name",
        ));
    }
    cx.unique(raw.policy.iter().map(|p| &p.name), "policy.name")?;
    let mut policies = Vec::new();
    for p in &raw.policy {
        policies.push(policy(cx, p, &world, &baseline, &names, &raw.reaction)?);
    }
    let checks = super::checks::checks(cx, &raw.check, &world)?;
    let reaction_names: Vec<&str> = raw
        .reaction
        .iter()
        .map(|r| r.name.get_ref().as_str())
        .collect();
    let free =
        super::checks::free_params(cx, &raw.calibrate, &world, &reaction_names, &event_names)?;
    Ok(Scenario {
        meta,
        world,
        baseline,
        policies,
        checks,
        free,
    })
}

struct Names<'a> {
    poles: &'a [&'a str],
    states: &'a [&'a str],
    events: &'a [&'a str],
}

fn meta(cx: &Ctx, m: &RawMeta) -> Result<Meta> {
    let name = m.name.get_ref();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(cx.err(m.name.span(), "scenario.name", format!("`{name}` is not allowed: use letters, digits, `_` and `-` only (it names the output folder)")));
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
    Ok(Meta {
        name: name.clone(),
        title: m.title.clone().unwrap_or_else(|| name.clone()),
        description: m.description.clone().unwrap_or_default(),
        runs,
        seed,
    })
}

fn coefficients(cx: &Ctx, m: &RawModel) -> Result<Coefficients> {
    let d = Coefficients::default();
    let inf = f64::INFINITY;
    let c = Coefficients {
        adjustment_rate: cx.opt_real(
            &m.adjustment_rate,
            "model.adjustment_rate",
            0.0,
            1.0,
            d.adjustment_rate,
        )?,
        mood_persistence: cx.opt_real(
            &m.mood_persistence,
            "model.mood_persistence",
            0.0,
            0.999,
            d.mood_persistence,
        )?,
        mood_sd: cx.opt_real(&m.mood_sd, "model.mood_sd", 0.0, 10.0, d.mood_sd)?,
        economic_weight: cx.opt_real(
            &m.economic_weight,
            "model.economic_weight",
            0.0,
            inf,
            d.economic_weight,
        )?,
        economic_scale: cx.opt_real(
            &m.economic_scale,
            "model.economic_scale",
            1e-6,
            1.0,
            d.economic_scale,
        )?,
        loan_weight: cx.opt_real(&m.loan_weight, "model.loan_weight", 0.0, 1.0, d.loan_weight)?,
        investment_weight: cx.opt_real(
            &m.investment_weight,
            "model.investment_weight",
            0.0,
            1.0,
            d.investment_weight,
        )?,
        security_weight: cx.opt_real(
            &m.security_weight,
            "model.security_weight",
            0.0,
            inf,
            d.security_weight,
        )?,
        regime_insecurity_weight: cx.opt_real(
            &m.regime_insecurity_weight,
            "model.regime_insecurity_weight",
            0.0,
            inf,
            d.regime_insecurity_weight,
        )?,
        base_security: cx.opt_real(
            &m.base_security,
            "model.base_security",
            0.0,
            1.0,
            d.base_security,
        )?,
        criticism_weight: cx.opt_real(
            &m.criticism_weight,
            "model.criticism_weight",
            0.0,
            inf,
            d.criticism_weight,
        )?,
        criticism_decay: cx.opt_real(
            &m.criticism_decay,
            "model.criticism_decay",
            0.0,
            1.0,
            d.criticism_decay,
        )?,
        threat_decay: cx.opt_real(
            &m.threat_decay,
            "model.threat_decay",
            0.0,
            1.0,
            d.threat_decay,
        )?,
        regime_recovery: cx.opt_real(
            &m.regime_recovery,
            "model.regime_recovery",
            0.0,
            1.0,
            d.regime_recovery,
        )?,
        economy_recovery: cx.opt_real(
            &m.economy_recovery,
            "model.economy_recovery",
            0.0,
            1.0,
            d.economy_recovery,
        )?,
        bloc_weight: cx.opt_real(&m.bloc_weight, "model.bloc_weight", 0.0, inf, d.bloc_weight)?,
        base_weight: cx.opt_real(&m.base_weight, "model.base_weight", 0.0, inf, d.base_weight)?,
        diaspora_weight: cx.opt_real(
            &m.diaspora_weight,
            "model.diaspora_weight",
            0.0,
            inf,
            d.diaspora_weight,
        )?,
        base_admit_above: cx.opt_real(
            &m.base_admit_above,
            "model.base_admit_above",
            0.0,
            1.0,
            d.base_admit_above,
        )?,
        base_evict_below: cx.opt_real(
            &m.base_evict_below,
            "model.base_evict_below",
            0.0,
            1.0,
            d.base_evict_below,
        )?,
        transit_open_above: cx.opt_real(
            &m.transit_open_above,
            "model.transit_open_above",
            0.0,
            1.0,
            d.transit_open_above,
        )?,
        transit_close_below: cx.opt_real(
            &m.transit_close_below,
            "model.transit_close_below",
            0.0,
            1.0,
            d.transit_close_below,
        )?,
    };
    if c.base_evict_below >= c.base_admit_above {
        let span = m
            .base_evict_below
            .as_ref()
            .or(m.base_admit_above.as_ref())
            .map_or(0..0, |v| v.span());
        return Err(cx.err(
            span,
            "model.base_evict_below",
            format!(
                "{} must be below model.base_admit_above = {} (hysteresis)",
                c.base_evict_below, c.base_admit_above
            ),
        ));
    }
    if c.transit_close_below >= c.transit_open_above {
        let span = m
            .transit_close_below
            .as_ref()
            .or(m.transit_open_above.as_ref())
            .map_or(0..0, |v| v.span());
        return Err(cx.err(
            span,
            "model.transit_close_below",
            format!(
                "{} must be below model.transit_open_above = {} (hysteresis)",
                c.transit_close_below, c.transit_open_above
            ),
        ));
    }
    Ok(c)
}

fn bloc(cx: &Ctx, b: &RawBloc, poles: &[&str]) -> Result<Bloc> {
    let key = format!("bloc.{}", b.name.get_ref());
    let pole = cx.lookup(&b.pole, &format!("{key}.pole"), "pole", poles)?;
    let decided = match (&b.join_above, &b.leave_below) {
        (None, None) => None,
        (Some(j), Some(l)) => {
            let join_above = cx.real(j, &format!("{key}.join_above"), 0.0, 1.0)?;
            let leave_below = cx.real(l, &format!("{key}.leave_below"), 0.0, 1.0)?;
            if leave_below >= join_above {
                return Err(cx.err(
                    l.span(),
                    format!("{key}.leave_below"),
                    format!("{leave_below} must be below join_above = {join_above} (hysteresis)"),
                ));
            }
            Some(Hysteresis {
                join_above,
                leave_below,
            })
        }
        (Some(v), None) | (None, Some(v)) => {
            return Err(cx.err(v.span(), key, "give both join_above and leave_below (hosts decide membership), or neither (membership is fixed)"));
        }
    };
    Ok(Bloc {
        name: b.name.get_ref().clone(),
        pole,
        decided,
    })
}

fn per_pole(
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

fn flags(cx: &Ctx, list: &[S<String>], key: &str, what: &str, names: &[&str]) -> Result<Vec<bool>> {
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

fn host(
    cx: &Ctx,
    s: &RawState,
    poles: &[&str],
    bloc_names: &[&str],
    blocs: &[Bloc],
) -> Result<HostState> {
    let code = s.code.get_ref().clone();
    let key = format!("state.{code}");
    let k = |field: &str| format!("{key}.{field}");
    let gdp_usd_bn = cx.real(&s.gdp_usd_bn, &k("gdp_usd_bn"), 1e-3, 1e6)?;
    let afghan_border_km = s
        .afghan_border_km
        .as_ref()
        .map_or(Ok(0.0), |v| cx.real(v, &k("afghan_border_km"), 0.0, 1e5))?;
    let diaspora = per_pole(cx, &s.diaspora, &k("diaspora"), poles, 0.0, 1.0)?;

    let a = &s.alignment;
    for name in poles {
        if !a.get_ref().contains_key(*name) {
            return Err(cx.err(
                a.span(),
                k("alignment"),
                format!(
                    "no share for pole `{name}`: give a share for every pole ({})",
                    poles.join(", ")
                ),
            ));
        }
    }
    let mut alignment = per_pole(cx, a.get_ref(), &k("alignment"), poles, 0.0, 1.0)?;
    for (name, v) in a.get_ref() {
        if *v.get_ref() <= 0.0 || *v.get_ref() >= 1.0 {
            return Err(cx.err(v.span(), format!("{key}.alignment.{name}"), format!("{} is out of range, expected strictly between 0 and 1 (every pole keeps some pull)", v.get_ref())));
        }
    }
    let sum: f64 = alignment.iter().sum();
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(cx.err(
            a.span(),
            k("alignment"),
            format!("shares sum to {sum}, expected 1"),
        ));
    }
    alignment.iter_mut().for_each(|x| *x /= sum);
    let affinity = match &s.affinity {
        None => vec![0.0; poles.len()],
        Some(m) => per_pole(cx, m.get_ref(), &k("affinity"), poles, -20.0, 20.0)?,
    };

    let member = flags(cx, &s.blocs, &k("blocs"), "bloc", bloc_names)?;
    let bases = flags(cx, &s.bases, &k("bases"), "pole", poles)?;
    let transit = flags(cx, &s.transit, &k("transit"), "pole", poles)?;
    let neutral = s.neutral.unwrap_or(false);
    let bans_bases = s.bans_bases.unwrap_or(false);
    if neutral || bans_bases {
        if let Some(v) = s.bases.first() {
            let doctrine = if neutral {
                "neutral = true"
            } else {
                "bans_bases = true"
            };
            return Err(cx.err(
                v.span(),
                k("bases"),
                format!(
                    "a state with {doctrine} hosts no base; remove `{}` or the doctrine",
                    v.get_ref()
                ),
            ));
        }
    }
    if neutral {
        for v in &s.blocs {
            let b = &blocs[cx.lookup(v, &k("blocs"), "bloc", bloc_names)?];
            if b.decided.is_some() {
                return Err(cx.err(v.span(), k("blocs"), format!("a neutral state joins no bloc whose membership is decided; `{}` has join_above/leave_below", b.name)));
            }
        }
    }
    Ok(HostState {
        name: s.name.clone().unwrap_or_else(|| code.clone()),
        code,
        gdp_usd_bn,
        afghan_border_km,
        diaspora,
        neutral,
        bans_bases_from: bans_bases.then_some(0),
        regime_baseline: cx.real(&s.regime_security, &k("regime_security"), 0.0, 1.0)?,
        threat_baseline: cx.real(&s.threat, &k("threat"), 0.0, 1.0)?,
        alignment,
        affinity,
        blocs: member,
        bases,
        transit,
    })
}

fn event(cx: &Ctx, e: &RawEvent, poles: &[&str]) -> Result<Event> {
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
    ];
    let pole_only = [("economy", &e.economy), ("presence", &e.presence)];
    let (wrong, why) = match target {
        EventTarget::States => (
            &pole_only[..],
            "strikes states; economy and presence need target = \"pole\"",
        ),
        EventTarget::Pole(_) => (
            &host_only[..],
            "strikes a pole; threat, regime, criticism and realign need target = \"states\"",
        ),
    };
    if let Some((name, Some(v))) = wrong.iter().find(|(_, v)| v.is_some()) {
        return Err(cx.err(
            v.span(),
            k(name),
            format!("not allowed here: this event {why}"),
        ));
    }
    if matches!(target, EventTarget::Pole(_)) && !e.hazard_by_state.is_empty() {
        let v = e.hazard_by_state.values().next().map_or(0..0, |v| v.span());
        return Err(cx.err(
            v,
            k("hazard_by_state"),
            "not allowed here: a pole event has one hazard, `hazard`",
        ));
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
    Ok(Event {
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

fn reaction(cx: &Ctx, r: &RawReaction, world: &World, names: &Names) -> Result<Reaction> {
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
    let lever = Lever::from_key(r.lever.get_ref())
        .ok_or_else(|| cx.err(r.lever.span(), k("lever"), unknown_lever(r.lever.get_ref())))?;
    if r.scale.is_none() && r.add.is_none() {
        return Err(cx.err(
            r.name.span(),
            key,
            "give `scale`, `add` or both: how the lever changes",
        ));
    }
    cx.opt_real(&r.scale, &k("scale"), 0.0, 1e3, 1.0)?;
    cx.opt_real(&r.add, &k("add"), -1e6, 1e6, 0.0)?;
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

fn unknown_lever(name: &str) -> String {
    let keys: Vec<&str> = Lever::ALL.iter().map(|l| l.key()).collect();
    format!(
        "unknown lever `{name}`, expected one of: {}",
        keys.join(", ")
    )
}

fn injects(cx: &Ctx, list: &[RawInject], world: &World, names: &Names) -> Result<Vec<bool>> {
    let hs = world.states.len();
    let mut injects = vec![false; world.quarters * world.events.len() * hs];
    for inj in list {
        let e = cx.lookup(&inj.event, "inject.event", "event", names.events)?;
        let t = cx.within(&inj.quarter, "inject.quarter", world)?;
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
    Ok(injects)
}

fn lever_fields(l: &RawLever) -> [(Lever, &Option<S<f64>>); LEVER_COUNT] {
    [
        (Lever::Aid, &l.aid_usd_m),
        (Lever::BaseRent, &l.base_rent_usd_m),
        (Lever::BaseOffered, &l.base_offered),
        (Lever::Transit, &l.transit_usd_m),
        (Lever::Remittance, &l.remittance_share),
        (Lever::Loans, &l.loans_usd_m),
        (Lever::Investment, &l.investment_usd_m),
        (Lever::Security, &l.security),
    ]
}

fn lever_value(cx: &Ctx, v: &S<f64>, lever: Lever, key: &str) -> Result<f64> {
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

fn baseline_plan(cx: &Ctx, raw: &RawScenario, world: &World, names: &Names) -> Result<Plan> {
    let (hs, ps, qs) = (world.states.len(), world.poles.len(), world.quarters);
    let mut plan = Plan {
        name: "baseline".into(),
        description: String::new(),
        levers: vec![[0.0; LEVER_COUNT]; qs * hs * ps],
        hazards: vec![0.0; qs * world.events.len() * hs],
        reactions: Vec::with_capacity(qs * raw.reaction.len()),
    };
    // A base hosted at the start is sought unless a lever entry says otherwise.
    for (h, host) in world.states.iter().enumerate() {
        for p in (0..ps).filter(|&p| host.bases[p]) {
            for t in 0..qs {
                plan.lever_row_mut(world, t, h, p)[Lever::BaseOffered.index()] = 1.0;
            }
        }
    }
    let mut entries = Vec::new();
    for l in &raw.lever {
        let p = cx.lookup(&l.pole, "lever.pole", "pole", names.poles)?;
        let h = cx.lookup(&l.state, "lever.state", "state", names.states)?;
        let from = l
            .from
            .as_ref()
            .map_or(Ok(0), |f| cx.within(f, "lever.from", world))?;
        let key = format!("lever.{}.{}", l.pole.get_ref(), l.state.get_ref());
        let mut values = Vec::new();
        for (lever, v) in lever_fields(l) {
            if let Some(v) = v {
                values.push((
                    lever,
                    lever_value(cx, v, lever, &format!("{key}.{}", lever.key()))?,
                ));
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

    for (e, raw_e) in raw.event.iter().enumerate() {
        let k = format!("event.{}", raw_e.name.get_ref());
        let hazard = cx.opt_real(&raw_e.hazard, &format!("{k}.hazard"), 0.0, 1.0, 0.0)?;
        let mut by_state = vec![hazard; hs];
        for (code, v) in &raw_e.hazard_by_state {
            let key = format!("{k}.hazard_by_state.{code}");
            let h = cx.lookup_key(code, v.span(), &key, "state", names.states)?;
            by_state[h] = cx.real(v, &key, 0.0, 1.0)?;
        }
        if raw_e.border_exposure.unwrap_or(false) {
            if matches!(world.events[e].target, EventTarget::Pole(_)) {
                return Err(cx.err(raw_e.name.span(), format!("{k}.border_exposure"), "not allowed here: a pole event has no border; border_exposure needs target = \"states\""));
            }
            for (h, host) in world.states.iter().enumerate() {
                by_state[h] = (by_state[h] * (1.0 + host.afghan_border_km / 1000.0)).min(1.0);
            }
        }
        for t in 0..qs {
            for (h, x) in by_state.iter().enumerate() {
                plan.hazards[world.event_index(t, e, h)] = *x;
            }
        }
    }

    for _ in 0..qs {
        for r in &raw.reaction {
            plan.reactions.push(ReactionStrength {
                enabled: true,
                chance: *r.chance.get_ref(),
                scale: r.scale.as_ref().map_or(1.0, |v| *v.get_ref()),
                add: r.add.as_ref().map_or(0.0, |v| *v.get_ref()),
            });
        }
    }
    Ok(plan)
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
        let lever = Lever::from_key(c.lever.get_ref()).ok_or_else(|| {
            cx.err(
                c.lever.span(),
                k("change.lever"),
                unknown_lever(c.lever.get_ref()),
            )
        })?;
        let op: Box<dyn Fn(f64) -> f64> = match (&c.set, &c.scale, &c.add) {
            (Some(v), None, None) => {
                let x = lever_value(cx, v, lever, &k("change.set"))?;
                Box::new(move |_| x)
            }
            (None, Some(v), None) => {
                let x = cx.real(v, &k("change.scale"), 0.0, 1e3)?;
                Box::new(move |old| old * x)
            }
            (None, None, Some(v)) => {
                let x = cx.real(v, &k("change.add"), -1e6, 1e6)?;
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
            .map(|v| cx.real(v, &k("reaction.scale"), 0.0, 1e3))
            .transpose()?;
        let add = o
            .add
            .as_ref()
            .map(|v| cx.real(v, &k("reaction.add"), -1e6, 1e6))
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
        let Some(v) = &o.hazard_scale else {
            return Err(cx.err(
                o.name.span(),
                k("event"),
                "give `hazard_scale`, the factor on the event's hazard",
            ));
        };
        let x = cx.real(v, &k("event.hazard_scale"), 0.0, 1e3)?;
        for t in from..qs {
            for h in 0..hs {
                let i = world.event_index(t, e, h);
                plan.hazards[i] = (plan.hazards[i] * x).min(1.0);
            }
        }
    }
    Ok(plan)
}
