//! `[[uncertain]]`: a scenario number given a distribution instead of one value, with its reason.
//!
//! Each entry names a number by the dotted path `[[calibrate]]` and `--set` use (`model.KEY`,
//! `SECTION.NAME.KEY`, `SECTION.NAME.KEY.SUB` for one pole's entry of a per-pole table such as a starting
//! `alignment`, and `lever.POLE.STATE.KEY` for a lever value) and a distribution: `uniform` (low, high),
//! `triangular` (low, mode, high), `normal` (mean, sd, truncated to low..high) or `choice` (values,
//! optional weights). Checked here: the keys each distribution needs and allows, the distribution's own
//! rules (`analysis::design::Distribution`'s constructors), and that the path names a known section and
//! entry. That every value in the range is one the scenario accepts is checked by whoever applies the
//! values (`analysis::uncertain::Varied::new` tries both ends), since that needs the scenario text
//! validated again. Must not: draw or run anything.

use schemars::JsonSchema;
use serde::Deserialize;

use super::raw::S;
use super::validate::Ctx;
use super::ScenarioError;
use crate::analysis::design::Distribution;
use crate::model::{World, COEFFICIENTS};

/// The distribution names `[[uncertain]]` accepts.
pub const DISTRIBUTIONS: [&str; 4] = ["uniform", "triangular", "normal", "choice"];

/// `[[uncertain]]`: a scenario number drawn afresh in every run from a distribution.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUncertain {
    /// The number: `model.KEY`, `SECTION.NAME.KEY` (SECTION: state, bloc, event, reaction),
    /// `SECTION.NAME.KEY.SUB` for one entry of a per-pole or per-state table (e.g.
    /// "state.KGZ.alignment.Russia", the other poles' shares then scaled to keep the sum 1) or
    /// `lever.POLE.STATE.KEY` (e.g. "lever.Russia.TJK.remittance_share"). Required.
    #[schemars(with = "String")]
    pub path: S<String>,
    /// uniform (low, high), triangular (low, mode, high), normal (mean, sd, truncated to low..high) or
    /// choice (values, optional weights). Required.
    #[schemars(with = "String", extend("enum" = ["uniform", "triangular", "normal", "choice"]))]
    pub distribution: S<String>,
    /// Lowest value; the parameter's unit. uniform, triangular, normal.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub low: Option<S<f64>>,
    /// Most likely value, low ≤ mode ≤ high. triangular only.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub mode: Option<S<f64>>,
    /// Highest value, > low. uniform, triangular, normal.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub high: Option<S<f64>>,
    /// Mean of the normal before truncation; default the middle of low..high. normal only.
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub mean: Option<S<f64>>,
    /// Standard deviation of the normal before truncation, > 0. normal only (required).
    #[serde(default)]
    #[schemars(with = "Option<f64>")]
    pub sd: Option<S<f64>>,
    /// The values to choose among, at least one. choice only (required).
    #[serde(default)]
    #[schemars(with = "Option<Vec<f64>>")]
    pub values: Option<S<Vec<f64>>>,
    /// A positive weight per value; default all equal. choice only.
    #[serde(default)]
    #[schemars(with = "Option<Vec<f64>>")]
    pub weights: Option<S<Vec<f64>>>,
    /// Why the distribution is plausible (a citation, or "assumption" and why). Required.
    #[schemars(with = "String")]
    pub reason: S<String>,
}

/// A checked `[[uncertain]]` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncertain {
    /// The dotted path of the number.
    pub path: String,
    /// Its distribution.
    pub distribution: Distribution,
    /// Why.
    pub reason: String,
    /// Byte range of the path in the scenario file, to locate errors found when values are applied.
    pub span: std::ops::Range<usize>,
}

impl Uncertain {
    /// The smallest and largest value the distribution can give.
    pub fn bounds(&self) -> (f64, f64) {
        (
            self.distribution.quantile(0.0),
            self.distribution.quantile(1.0),
        )
    }
}

/// Checks the `[[uncertain]]` entries of a scenario whose world is `world`; `events` and `reactions`
/// are the declared names.
pub(super) fn uncertain(
    cx: &Ctx,
    raw: &[RawUncertain],
    world: &World,
    events: &[&str],
    reactions: &[&str],
) -> Result<Vec<Uncertain>, ScenarioError> {
    let mut seen = std::collections::BTreeSet::new();
    raw.iter()
        .map(|u| {
            let path = u.path.get_ref();
            check_path(cx, &u.path, world, events, reactions)?;
            if !seen.insert(path.clone()) {
                return Err(cx.err(
                    u.path.span(),
                    "uncertain.path",
                    format!("`{path}` is declared twice; give each number one distribution"),
                ));
            }
            if u.reason.get_ref().trim().is_empty() {
                return Err(cx.err(
                    u.reason.span(),
                    format!("uncertain.{path}.reason"),
                    "is empty, expected why the distribution is plausible (a citation, or \"assumption\" and why)",
                ));
            }
            Ok(Uncertain {
                path: path.clone(),
                distribution: distribution(cx, u, path)?,
                reason: u.reason.get_ref().clone(),
                span: u.path.span(),
            })
        })
        .collect()
}

/// The keys each distribution needs, and those it also allows.
fn keys(distribution: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match distribution {
        "uniform" => (&["low", "high"], &[]),
        "triangular" => (&["low", "mode", "high"], &[]),
        "normal" => (&["low", "high", "sd"], &["mean"]),
        _ => (&["values"], &["weights"]),
    }
}

fn distribution(cx: &Ctx, u: &RawUncertain, path: &str) -> Result<Distribution, ScenarioError> {
    let name = u.distribution.get_ref().as_str();
    let key = |k: &str| format!("uncertain.{path}.{k}");
    if !DISTRIBUTIONS.contains(&name) {
        return Err(cx.err(
            u.distribution.span(),
            key("distribution"),
            format!(
                "unknown distribution `{name}`, expected one of: {}",
                DISTRIBUTIONS.join(", ")
            ),
        ));
    }
    let given: [(&str, Option<std::ops::Range<usize>>); 7] = [
        ("low", u.low.as_ref().map(S::span)),
        ("mode", u.mode.as_ref().map(S::span)),
        ("high", u.high.as_ref().map(S::span)),
        ("mean", u.mean.as_ref().map(S::span)),
        ("sd", u.sd.as_ref().map(S::span)),
        ("values", u.values.as_ref().map(S::span)),
        ("weights", u.weights.as_ref().map(S::span)),
    ];
    let (needed, allowed) = keys(name);
    let listed = || {
        let mut all: Vec<&str> = needed.to_vec();
        all.extend(allowed);
        all.join(", ")
    };
    for (k, span) in &given {
        if let Some(span) = span {
            if !needed.contains(k) && !allowed.contains(k) {
                return Err(cx.err(
                    span.clone(),
                    key(k),
                    format!(
                        "is not a key of a {name} distribution, expected only: {}",
                        listed()
                    ),
                ));
            }
        }
    }
    if let Some((k, _)) = given
        .iter()
        .find(|(k, span)| needed.contains(k) && span.is_none())
    {
        return Err(cx.err(
            u.path.span(),
            key(k),
            format!(
                "is missing: a {name} distribution needs {}",
                needed.join(", ")
            ),
        ));
    }
    let v = |x: &Option<S<f64>>| x.as_ref().map_or(f64::NAN, |s| *s.get_ref());
    let (low, high) = (v(&u.low), v(&u.high));
    let built = match name {
        "uniform" => Distribution::uniform(low, high),
        "triangular" => Distribution::triangular(low, v(&u.mode), high),
        "normal" => {
            let mean = u.mean.as_ref().map_or((low + high) / 2.0, |m| *m.get_ref());
            Distribution::truncated_normal(mean, v(&u.sd), low, high)
        }
        _ => {
            // unwrap OK: `values` is needed by choice, checked present above.
            let values = u.values.as_ref().unwrap().get_ref().clone();
            let weights = u
                .weights
                .as_ref()
                .map_or_else(|| vec![1.0; values.len()], |w| w.get_ref().clone());
            if let Some(bad) = values.iter().find(|x| !x.is_finite()) {
                // unwrap OK: as above.
                let span = u.values.as_ref().unwrap().span();
                return Err(cx.err(span, key("values"), format!("{bad} is not a finite number")));
            }
            Distribution::choices(values, &weights)
        }
    };
    built.map_err(|e| {
        // Point at the first value the rule concerns: the mode, the sd, the weights, else the bounds.
        let span = [&u.mode, &u.sd]
            .iter()
            .filter_map(|s| s.as_ref().map(S::span))
            .chain(u.weights.as_ref().map(S::span))
            .chain(u.high.as_ref().map(S::span))
            .chain(u.values.as_ref().map(S::span))
            .next()
            .unwrap_or_else(|| u.distribution.span());
        cx.err(span, key(name), e.to_string())
    })
}

/// Checks that `path` names a known section and entry; whether the key is one that entry takes is
/// found when a value is applied and the scenario validated again.
fn check_path(
    cx: &Ctx,
    path: &S<String>,
    world: &World,
    events: &[&str],
    reactions: &[&str],
) -> Result<(), ScenarioError> {
    let p = path.get_ref();
    let parts: Vec<&str> = p.split('.').collect();
    let bad = |msg: String| cx.err(path.span(), "uncertain.path", msg);
    let known = |what: &str, name: &str, names: Vec<&str>| {
        if names.contains(&name) {
            Ok(())
        } else {
            Err(bad(format!(
                "`{p}`: no {what} named `{name}`, expected one of: {}",
                names.join(", ")
            )))
        }
    };
    let states = || world.states.iter().map(|s| s.code.as_str()).collect();
    match parts.as_slice() {
        ["model", key] => {
            if COEFFICIENTS.iter().any(|c| c.key == *key) {
                Ok(())
            } else {
                let keys: Vec<&str> = COEFFICIENTS.iter().map(|c| c.key).collect();
                Err(bad(format!(
                    "unknown coefficient `{key}` in `{p}`, expected one of: {}",
                    keys.join(", ")
                )))
            }
        }
        ["lever", pole, state, _] => {
            known("pole", pole, world.poles.iter().map(String::as_str).collect())?;
            known("state", state, states())
        }
        [section, name, _] | [section, name, _, _] => match *section {
            "state" => known("state", name, states()),
            "bloc" => known("bloc", name, world.blocs.iter().map(|b| b.name.as_str()).collect()),
            "event" => known("event", name, events.to_vec()),
            "reaction" => known("reaction", name, reactions.to_vec()),
            _ => Err(bad(format!("`{p}`: unknown section `{section}`, expected model, state, bloc, event, reaction or lever"))),
        },
        _ => Err(bad(format!("`{p}` is not a parameter path, expected `model.KEY`, `SECTION.NAME.KEY`, `SECTION.NAME.KEY.SUB` or `lever.POLE.STATE.KEY` (like `event.spillover.hazard`)"))),
    }
}

/// Which numbers validation fills in from others when the scenario leaves them out, so that a run
/// that changes those others can fill them in again without validating the whole scenario
/// (`analysis::uncertain`'s direct setters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Defaults {
    /// By state: its `affinity` is not given, so it is derived to make the start a rest point
    /// (`model::rest_point_affinity`, which depends on the coefficients).
    pub derived_affinity: Vec<bool>,
    /// By `[[base]]`: its `security` is not given, so it is the coefficient `base_security`.
    pub default_security: Vec<bool>,
}

/// The [`Defaults`] of the scenario `text`, or `None` if it does not parse.
pub fn defaults(text: &str) -> Option<Defaults> {
    let raw: super::raw::RawScenario = toml::from_str(text).ok()?;
    Some(Defaults {
        derived_affinity: raw.state.iter().map(|s| s.affinity.is_none()).collect(),
        default_security: raw.base.iter().map(|b| b.security.is_none()).collect(),
    })
}
