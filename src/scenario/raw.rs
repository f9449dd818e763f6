//! The scenario file as written: plain `Deserialize` types that mirror the TOML one to one.
//!
//! Nothing here is checked beyond TOML syntax, types and unknown keys (all three reported by the toml
//! crate with line and column). Every value that validation may reject is kept `Spanned`, so the error
//! can point at it. `validate` turns these into the checked types of `model`.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A value with the byte range it came from in the scenario file.
pub type S<T> = Spanned<T>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub scenario: RawMeta,
    #[serde(default)]
    pub model: RawModel,
    #[serde(default)]
    pub pole: Vec<RawPole>,
    #[serde(default)]
    pub bloc: Vec<RawBloc>,
    #[serde(default)]
    pub state: Vec<RawState>,
    #[serde(default)]
    pub lever: Vec<RawLever>,
    #[serde(default)]
    pub event: Vec<RawEvent>,
    #[serde(default)]
    pub inject: Vec<RawInject>,
    #[serde(default)]
    pub reaction: Vec<RawReaction>,
    #[serde(default)]
    pub policy: Vec<RawPolicy>,
    #[serde(default)]
    pub check: Vec<RawCheck>,
    #[serde(default)]
    pub calibrate: Vec<RawCalibrate>,
}

/// `[scenario]`: name, time frame and run defaults.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: S<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub start: S<String>,
    pub quarters: S<i64>,
    #[serde(default)]
    pub runs: Option<S<i64>>,
    #[serde(default)]
    pub seed: Option<S<i64>>,
}

/// `[model]`: coefficients of the quarterly update; every one optional, defaults in `model::Coefficients`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    pub adjustment_rate: Option<S<f64>>,
    pub mood_persistence: Option<S<f64>>,
    pub mood_sd: Option<S<f64>>,
    pub economic_weight: Option<S<f64>>,
    pub economic_scale: Option<S<f64>>,
    pub loan_weight: Option<S<f64>>,
    pub investment_weight: Option<S<f64>>,
    pub security_weight: Option<S<f64>>,
    pub regime_insecurity_weight: Option<S<f64>>,
    pub base_security: Option<S<f64>>,
    pub criticism_weight: Option<S<f64>>,
    pub criticism_decay: Option<S<f64>>,
    pub threat_decay: Option<S<f64>>,
    pub regime_recovery: Option<S<f64>>,
    pub economy_recovery: Option<S<f64>>,
    pub bloc_weight: Option<S<f64>>,
    pub base_weight: Option<S<f64>>,
    pub diaspora_weight: Option<S<f64>>,
    pub base_admit_above: Option<S<f64>>,
    pub base_evict_below: Option<S<f64>>,
    pub transit_open_above: Option<S<f64>>,
    pub transit_close_below: Option<S<f64>>,
}

/// `[[pole]]`: an outside power.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPole {
    pub name: S<String>,
    /// Documentation only: read by people, not by the model.
    #[serde(default)]
    #[allow(dead_code)]
    pub description: Option<String>,
}

/// `[[bloc]]`: a treaty organisation or partnership led by a pole.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBloc {
    pub name: S<String>,
    pub pole: S<String>,
    #[serde(default)]
    pub join_above: Option<S<f64>>,
    #[serde(default)]
    pub leave_below: Option<S<f64>>,
}

/// `[[state]]`: a host state, its structure and its situation at the start.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    pub code: S<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub gdp_usd_bn: S<f64>,
    #[serde(default)]
    pub afghan_border_km: Option<S<f64>>,
    #[serde(default)]
    pub diaspora: BTreeMap<String, S<f64>>,
    #[serde(default)]
    pub neutral: Option<bool>,
    #[serde(default)]
    pub bans_bases: Option<bool>,
    #[serde(default)]
    pub bans_bases_from: Option<S<String>>,
    pub regime_security: S<f64>,
    pub threat: S<f64>,
    pub alignment: S<BTreeMap<String, S<f64>>>,
    #[serde(default)]
    pub affinity: Option<S<BTreeMap<String, S<f64>>>>,
    #[serde(default)]
    pub blocs: Vec<S<String>>,
    #[serde(default)]
    pub bases: Vec<S<String>>,
    #[serde(default)]
    pub transit: Vec<S<String>>,
}

/// `[[lever]]`: what one pole brings one state, from a quarter on (the start if `from` is absent).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLever {
    pub pole: S<String>,
    pub state: S<String>,
    #[serde(default)]
    pub from: Option<S<String>>,
    pub aid_usd_m: Option<S<f64>>,
    pub base_rent_usd_m: Option<S<f64>>,
    pub base_offered: Option<S<f64>>,
    pub transit_usd_m: Option<S<f64>>,
    pub remittance_share: Option<S<f64>>,
    pub loans_usd_m: Option<S<f64>>,
    pub investment_usd_m: Option<S<f64>>,
    pub security: Option<S<f64>>,
}

/// `[[event]]`: a shock with a quarterly hazard and its effects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    pub name: S<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub target: Option<S<String>>,
    #[serde(default)]
    pub pole: Option<S<String>>,
    #[serde(default)]
    pub hazard: Option<S<f64>>,
    #[serde(default)]
    pub hazard_by_state: BTreeMap<String, S<f64>>,
    #[serde(default)]
    pub border_exposure: Option<bool>,
    pub threat: Option<S<f64>>,
    pub regime: Option<S<f64>>,
    pub criticism: Option<S<f64>>,
    pub realign: Option<S<f64>>,
    pub economy: Option<S<f64>>,
    pub presence: Option<S<f64>>,
}

/// `[[inject]]`: an event forced at a quarter.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInject {
    pub event: S<String>,
    pub quarter: S<String>,
    #[serde(default)]
    pub states: Vec<S<String>>,
}

/// `[[reaction]]`: a pole's rule for answering what a host does.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReaction {
    pub name: S<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub pole: S<String>,
    #[serde(default)]
    pub watch: Option<S<String>>,
    #[serde(default)]
    pub above: Option<S<f64>>,
    #[serde(default)]
    pub below: Option<S<f64>>,
    #[serde(default)]
    pub event: Option<S<String>>,
    #[serde(default)]
    pub states: Vec<S<String>>,
    pub lever: S<String>,
    #[serde(default)]
    pub scale: Option<S<f64>>,
    #[serde(default)]
    pub add: Option<S<f64>>,
    pub duration: S<i64>,
    pub chance: S<f64>,
}

/// `[[policy]]`: a named option analysts compare against the baseline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub name: S<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub from: Option<S<String>>,
    #[serde(default)]
    pub change: Vec<RawChange>,
    #[serde(default)]
    pub reaction: Vec<RawReactionOverride>,
    #[serde(default)]
    pub event: Vec<RawEventOverride>,
}

/// `[[policy.change]]`: set, scale or add to one lever of one pole, in one state or all.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawChange {
    pub pole: S<String>,
    #[serde(default)]
    pub state: Option<S<String>>,
    pub lever: S<String>,
    #[serde(default)]
    pub set: Option<S<f64>>,
    #[serde(default)]
    pub scale: Option<S<f64>>,
    #[serde(default)]
    pub add: Option<S<f64>>,
}

/// `[[policy.reaction]]`: switch a reaction rule off or change its strength.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReactionOverride {
    pub name: S<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub chance: Option<S<f64>>,
    #[serde(default)]
    pub scale: Option<S<f64>>,
    #[serde(default)]
    pub add: Option<S<f64>>,
}

/// `[[policy.event]]`: change an event's hazard.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEventOverride {
    pub name: S<String>,
    #[serde(default)]
    pub hazard_scale: Option<S<f64>>,
}

/// `[[check]]`: an expectation about outcomes and the share of runs in which it must hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub name: S<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub kind: S<String>,
    pub state: S<String>,
    #[serde(default)]
    pub pole: Option<S<String>>,
    #[serde(default)]
    pub bloc: Option<S<String>>,
    #[serde(default)]
    pub event: Option<S<String>>,
    #[serde(default)]
    pub reaction: Option<S<String>>,
    #[serde(default)]
    pub level: Option<S<f64>>,
    #[serde(default)]
    pub from: Option<S<String>>,
    #[serde(default)]
    pub to: Option<S<String>>,
    #[serde(default)]
    pub during: Option<S<String>>,
    #[serde(default)]
    pub min_share: Option<S<f64>>,
    #[serde(default)]
    pub max_share: Option<S<f64>>,
    #[serde(default)]
    pub holdout: Option<bool>,
}

/// `[[calibrate]]`: a parameter left free for `greatgame calibrate`, with its plausible range.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalibrate {
    pub param: S<String>,
    pub low: S<f64>,
    pub high: S<f64>,
    #[serde(default)]
    pub why: Option<String>,
}
