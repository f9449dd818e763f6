//! The scenario file as written: plain `Deserialize` types that mirror the TOML one to one.
//!
//! Nothing here is checked beyond TOML syntax, types and unknown keys (all three reported by the toml
//! crate with line and column). Every value that validation may reject is kept `Spanned`, so the error
//! can point at it. `validate` turns these into the checked types of `model`.
//!
//! The same types, through `schemars`, give the JSON Schema editors use (`greatgame schema`): the field
//! docs below become its descriptions, and the `schemars` attributes (a `Spanned<T>` is a plain `T`;
//! simple ranges, names, quarters and the closed lists of words) change the schema only, never parsing.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use toml::Spanned;

use super::schema::{check_kinds, lever_keys, IDENT_PATTERN, NAME_PATTERN, QUARTER_PATTERN};
pub use super::tables::{RawLever, RawModel};

/// A value with the byte range it came from in the scenario file.
pub type S<T> = Spanned<T>;

/// The whole file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "greatgame scenario",
    description = "A greatgame scenario file (TOML). Keys, units, ranges, defaults: docs/SCENARIO.md."
)]
pub struct RawScenario {
    /// Name, time frame and run defaults.
    pub scenario: RawMeta,
    /// Coefficients of the quarterly update; every key optional.
    #[serde(default)]
    pub model: RawModel,
    /// Outside powers: 2 to 8.
    #[serde(default)]
    pub pole: Vec<RawPole>,
    /// Treaty organisations or partnerships, each led by a pole.
    #[serde(default)]
    pub bloc: Vec<RawBloc>,
    /// The states that divide their alignment between the poles: at least one.
    #[serde(default)]
    pub state: Vec<RawState>,
    /// Named foreign bases: deals between a pole and a state.
    #[serde(default)]
    pub base: Vec<RawBase>,
    /// What one pole brings one state, from a quarter on.
    #[serde(default)]
    pub lever: Vec<RawLever>,
    /// Shocks with a quarterly hazard and their effects.
    #[serde(default)]
    pub event: Vec<RawEvent>,
    /// Events forced at a quarter, in every run.
    #[serde(default)]
    pub inject: Vec<RawInject>,
    /// Poles' rules for answering what a state does.
    #[serde(default)]
    pub reaction: Vec<RawReaction>,
    /// Named options to compare with the baseline (`greatgame compare`).
    #[serde(default)]
    pub policy: Vec<RawPolicy>,
    /// Expected outcomes and the share of runs in which they must hold (`hindcast`, `calibrate`).
    #[serde(default)]
    pub check: Vec<RawCheck>,
    /// Parameters `greatgame calibrate` may vary, with their plausible ranges.
    #[serde(default)]
    pub calibrate: Vec<RawCalibrate>,
    /// Numbers given a distribution: each run draws its own value (docs/SCENARIO.md, `[[uncertain]]`).
    #[serde(default)]
    pub uncertain: Vec<super::uncertain::RawUncertain>,
    /// Disputes between neighbouring states.
    #[serde(default)]
    pub tension: Vec<RawTension>,
}

/// `[[tension]]`: a dispute between two neighbouring states (borders, water, transit rivalry).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTension {
    /// The two states (declared state codes, different). Required.
    #[schemars(with = "Vec<String>", length(min = 2, max = 2))]
    pub states: S<Vec<S<String>>>,
    /// What the dispute is, with its source. Documentation only.
    #[serde(default)]
    pub description: Option<String>,
    /// Standing tension at the start and the level it returns to; 0..=1. Required.
    #[schemars(with = "f64", range(min = 0, max = 1))]
    pub level: S<f64>,
    /// One of the two states, through which the other's transit routes run: above `closes_above` it
    /// stops them. Default: neither.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub via: Option<S<String>>,
    /// Tension above which `via` stops the other's transit; 0..=1, above `level`. Required with `via`.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub closes_above: Option<S<f64>>,
}

/// `[scenario]`: name, time frame and run defaults.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    /// Short name; an ASCII letter or digit, then letters, digits, `_` and `-`; names the output folder `out/<name>/`. Required.
    #[schemars(with = "String", pattern(NAME_PATTERN))]
    pub name: S<String>,
    /// One-line title shown in outputs. Default: `name`.
    #[serde(default)]
    pub title: Option<String>,
    /// What situation the scenario describes. Default: empty.
    #[serde(default)]
    pub description: Option<String>,
    /// First simulated quarter, `YEARQn` (e.g. "2018Q1"). Required.
    #[schemars(with = "String", pattern(QUARTER_PATTERN))]
    pub start: S<String>,
    /// Length of the horizon, in quarters; integer 1..=400. Required.
    #[schemars(with = "i64", range(min = 1, max = 400))]
    pub quarters: S<i64>,
    /// Runs when the command line gives no `--runs`; integer 1..=1000000000. Default 1000.
    #[serde(default)]
    #[schemars(with = "Option<i64>", range(min = 1, max = 1_000_000_000))]
    pub runs: Option<S<i64>>,
    /// Master seed when the command line gives no `--seed` (run i uses stream i); integer ≥ 0. Default 1.
    #[serde(default)]
    #[schemars(with = "Option<i64>", range(min = 0))]
    pub seed: Option<S<i64>>,
    /// A calibrated parameter ensemble every run draws its parameter set from (a CSV file written by
    /// `greatgame calibrate --ensemble`, a path relative to this file; the built-in scenario finds
    /// `ensemble_2017.csv` inside the binary), as `--parameters FILE` does. `--parameters FILE`
    /// replaces it and `--parameters none` runs without it. Default: none (every run uses the values
    /// as written).
    #[serde(default)]
    #[schemars(with = "Option<String>", length(min = 1))]
    pub parameters: Option<S<String>>,
}

/// `[[pole]]`: an outside power.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPole {
    /// The pole's name, used everywhere else; unique, a name (docs/SCENARIO.md, "Names"). Required.
    #[schemars(with = "String", pattern(IDENT_PATTERN))]
    pub name: S<String>,
    /// Documentation only: read by people, not by the model.
    #[serde(default)]
    #[allow(dead_code)]
    pub description: Option<String>,
}

/// `[[bloc]]`: a treaty organisation or partnership led by a pole.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBloc {
    /// The bloc's name (e.g. "CSTO"); unique, a name (docs/SCENARIO.md, "Names"). Required.
    #[schemars(with = "String", pattern(IDENT_PATTERN))]
    pub name: S<String>,
    /// The leading pole (a declared pole name): each membership adds bloc_weight to its pull. Required.
    #[schemars(with = "String")]
    pub pole: S<String>,
    /// A non-member joins when its share toward `pole` is ≥ this; share, 0..=1. Give both thresholds
    /// (decided membership) or neither (fixed).
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub join_above: Option<S<f64>>,
    /// A member leaves when its share toward `pole` is < this; share, 0..=1, < join_above.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub leave_below: Option<S<f64>>,
    /// The quarter the bloc is founded (`YEARQn`, inside the horizon); no state is a member before.
    /// Default: it exists from the start.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(QUARTER_PATTERN))]
    pub founded: Option<S<String>>,
    /// A military alliance (the CSTO): a state with `no_military_blocs_from` leaves it and joins none.
    /// Default false.
    #[serde(default)]
    pub military: Option<bool>,
    /// The pole whose partnership with the members the bloc contests (a declared pole, not `pole`;
    /// the CSTO against NATO, 000:486): a state that lists the bloc in `changes_sides` is a member only
    /// while it leans toward `pole` more than toward this one. Default none.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub rival: Option<S<String>>,
}

/// GDP from a quarter on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawGdpFrom {
    /// First quarter of this GDP (`YEARQn`, inside the horizon). Required.
    #[schemars(with = "String", pattern(QUARTER_PATTERN))]
    pub from: S<String>,
    /// GDP, $bn per year, 0.001..=1e6. Required.
    #[schemars(with = "f64", range(min = 1e-3, max = 1e6))]
    pub gdp_usd_bn: S<f64>,
}

/// An event's hazards from a quarter on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHazardFrom {
    /// First quarter of these hazards (`YEARQn`, inside the horizon). Required.
    #[schemars(with = "String", pattern(QUARTER_PATTERN))]
    pub from: S<String>,
    /// Probability per quarter from `from` on, for every state (a pole event: for its pole); 0..=1.
    /// Default: unchanged.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub hazard: Option<S<f64>>,
    /// Probability per quarter by state code, over `hazard`; state events only. Default: unchanged.
    #[serde(default)]
    #[schemars(
        with = "BTreeMap<String, f64>",
        extend("additionalProperties" = {"type": "number", "minimum": 0, "maximum": 1})
    )]
    pub hazard_by_state: BTreeMap<String, S<f64>>,
}

/// `[[state]]`: a host state, its structure and its situation at the start.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    /// Short code used in files and outputs (e.g. "KGZ"); unique, a name (docs/SCENARIO.md, "Names"). Required.
    #[schemars(with = "String", pattern(IDENT_PATTERN))]
    pub code: S<String>,
    /// Full name. Default: `code`.
    #[serde(default)]
    pub name: Option<String>,
    /// GDP; $bn per year, 1e-3..=1e6. Money levers are divided by 1000 · gdp_usd_bn. Required.
    #[schemars(with = "f64", range(min = 1e-3, max = 1e6))]
    pub gdp_usd_bn: S<f64>,
    /// Government revenue, what the regime can capture; $bn per year, 1e-3..=1e6. The rents channel (aid,
    /// base rents, transit fees) is valued against it. Default: 0.25 · gdp_usd_bn (an assumption: say
    /// where yours comes from).
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 1e-3, max = 1e6))]
    pub revenue_usd_bn: Option<S<f64>>,
    /// Border with Afghanistan; km, 0..=1e5; used by events with border_exposure. Default 0.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1e5))]
    pub afghan_border_km: Option<S<f64>>,
    /// Population share with ethnic or linguistic ties to each pole: pole name → share, 0..=1. Default 0.
    #[serde(default)]
    #[schemars(
        with = "BTreeMap<String, f64>",
        extend("additionalProperties" = {"type": "number", "minimum": 0, "maximum": 1})
    )]
    pub diaspora: BTreeMap<String, S<f64>>,
    /// Extra hedging at the start: what a trust shock before the start has left (fading at
    /// `hedging_decay`); logit points per unit of log share, 0..=10; part of the rest point. Default 0.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 10))]
    pub hedging: Option<S<f64>>,
    /// Grievance toward each pole at the start: remembered pressure or trust lost before the start
    /// (fading at `grievance_decay`): pole name → units, 0..=100; part of the rest point. Default 0.
    #[serde(default)]
    #[schemars(
        with = "BTreeMap<String, f64>",
        extend("additionalProperties" = {"type": "number", "minimum": 0, "maximum": 100})
    )]
    pub grievance: BTreeMap<String, S<f64>>,
    /// Permanent neutrality: hosts no base, joins no decided bloc. Default false.
    #[serde(default)]
    pub neutral: Option<bool>,
    /// A legal ban on foreign bases from the start. Default false.
    #[serde(default)]
    pub bans_bases: Option<bool>,
    /// A ban on foreign bases from this quarter on (`YEARQn`); not together with bans_bases = true.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(QUARTER_PATTERN))]
    pub bans_bases_from: Option<S<String>>,
    /// A doctrine of no military blocs from this quarter on (`YEARQn`): the state leaves every
    /// `military` bloc then, and joins none.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(QUARTER_PATTERN))]
    pub no_military_blocs_from: Option<S<String>>,
    /// By bloc name, share points added to both thresholds of a decided bloc for this state (its
    /// reluctance; negative: eagerness), -1..=1. Default 0.
    #[serde(default)]
    #[schemars(
        with = "BTreeMap<String, f64>",
        extend("additionalProperties" = {"type": "number", "minimum": -1, "maximum": 1})
    )]
    pub reluctance: BTreeMap<String, S<f64>>,
    /// By bloc name, how far above its starting share toward the bloc's pole the state's share must
    /// rise before it joins that decided bloc (its hesitation), -1..=1: this state's joining threshold
    /// is its own start plus this, in place of the bloc's `join_above` plus `reluctance`.
    #[serde(default)]
    #[schemars(
        with = "BTreeMap<String, f64>",
        extend("additionalProperties" = {"type": "number", "minimum": -1, "maximum": 1})
    )]
    pub hesitation: BTreeMap<String, S<f64>>,
    /// By bloc name, the quarter (`YEARQn`) the state joins it whatever its shares: a documented
    /// decision, like an inject.
    #[serde(default)]
    #[schemars(
        with = "BTreeMap<String, String>",
        extend("additionalProperties" = {"type": "string", "pattern": QUARTER_PATTERN})
    )]
    pub joins: BTreeMap<String, S<String>>,
    /// By bloc name, the quarter (`YEARQn`) the state leaves it whatever its shares.
    #[serde(default)]
    #[schemars(
        with = "BTreeMap<String, String>",
        extend("additionalProperties" = {"type": "string", "pattern": QUARTER_PATTERN})
    )]
    pub leaves: BTreeMap<String, S<String>>,
    /// GDP from given quarters on (`gdp_usd_bn` before the first); revenue follows GDP.
    #[serde(default)]
    pub gdp_from: Vec<RawGdpFrom>,
    /// Regime security at the start, and the level it returns to; 0..=1. Required.
    #[schemars(with = "f64", range(min = 0, max = 1))]
    pub regime_security: S<f64>,
    /// Threat (extremist spill-over) at the start, and the level it returns to; 0..=1. Required.
    #[schemars(with = "f64", range(min = 0, max = 1))]
    pub threat: S<f64>,
    /// Alignment at the start: pole name → share, for every pole, each strictly between 0 and 1,
    /// summing to 1. Required.
    #[schemars(
        with = "BTreeMap<String, f64>",
        extend("additionalProperties" = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1})
    )]
    pub alignment: S<BTreeMap<String, S<f64>>>,
    /// Structural leaning the levers do not explain: pole name → logit points, -20..=20.
    /// Default: derived so that the start holds.
    #[serde(default)]
    #[schemars(
        with = "Option<BTreeMap<String, f64>>",
        extend("additionalProperties" = {"type": "number", "minimum": -20, "maximum": 20})
    )]
    pub affinity: Option<S<BTreeMap<String, S<f64>>>>,
    /// Bloc memberships at the start (declared bloc names). Default none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub blocs: Vec<S<String>>,
    /// Decided blocs with a `rival` in which the state changes sides (bloc names): it is a member only
    /// while its share toward the bloc's pole is above its share toward the rival, and joins only then
    /// (Karimov "skillfully changing sides", 000:192; Tashkent in and out of the CSTO, 000:486).
    /// Default none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub changes_sides: Vec<S<String>>,
    /// Blocs the state sees as economic only (bloc names): membership binds it to the bloc's pole
    /// through nothing but what the bloc's levers pay, so it adds no tie to the pull or to a deal
    /// (Nazarbaev "sees the EEU as a pure economic alliance, not political", 000:350). Default none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub economic_only: Vec<S<String>>,
    /// Poles whose supply route through the state is open at the start (pole names). Default none.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub transit: Vec<S<String>>,
}

/// `[[base]]`: a named foreign base, a deal between a pole and a host state (docs/MODEL.md, "Deals").
/// Its rent and whether the pole offers it are the pole's levers toward the state (`base_rent_usd_m`,
/// `base_offered`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBase {
    /// The base's name in outputs and checks (`Manas`); unique, a name (docs/SCENARIO.md, "Names").
    /// Required.
    #[schemars(with = "String", pattern(IDENT_PATTERN))]
    pub name: S<String>,
    /// What it is, with its source. Default: empty.
    #[serde(default)]
    pub description: Option<String>,
    /// The host (a declared state code). Required.
    #[schemars(with = "String")]
    pub state: S<String>,
    /// Whose base it is (a declared pole name). Required.
    #[schemars(with = "String")]
    pub pole: S<String>,
    /// Security it provides the host while hosted; provision, 0..=1. Default: model.base_security.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub security: Option<S<f64>>,
    /// How much the pole's criticism of the host weighs on this deal; 0..=1. Default 1.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub exposure: Option<S<f64>>,
    /// Hosted at the start. Default false.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub hosted: Option<S<bool>>,
}

/// `[[event]]`: a shock with a quarterly hazard and its effects.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// The event's name; unique, a name (docs/SCENARIO.md, "Names"). Required.
    #[schemars(with = "String", pattern(IDENT_PATTERN))]
    pub name: S<String>,
    /// What the event stands for. Default: empty.
    #[serde(default)]
    pub description: Option<String>,
    /// Whom it strikes: "states" (each state separately) or "pole" (one pole, once). Default "states".
    #[serde(default)]
    #[schemars(with = "Option<String>", extend("enum" = ["states", "pole"]))]
    pub target: Option<S<String>>,
    /// target = "pole": the pole struck (required). target = "states": the pole whose criticism rises
    /// (required with `criticism`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub pole: Option<S<String>>,
    /// Chance the event strikes; probability per quarter (per state for a state event), 0..=1. Default 0.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub hazard: Option<S<f64>>,
    /// Per-state hazards replacing `hazard`: state code → probability per quarter, 0..=1; state events.
    #[serde(default)]
    #[schemars(
        with = "BTreeMap<String, f64>",
        extend("additionalProperties" = {"type": "number", "minimum": 0, "maximum": 1})
    )]
    pub hazard_by_state: BTreeMap<String, S<f64>>,
    /// Multiply each state's hazard by 1 + afghan_border_km/1000, capped at 1. Default false.
    #[serde(default)]
    pub border_exposure: Option<bool>,
    /// Added to the state's threat (clamped to 0..=1); -1..=1; state events only. Default 0.
    #[schemars(with = "Option<f64>", range(min = -1, max = 1))]
    pub threat: Option<S<f64>>,
    /// Added to the state's regime security (clamped to 0..=1); -1..=1; state events only. Default 0.
    #[schemars(with = "Option<f64>", range(min = -1, max = 1))]
    pub regime: Option<S<f64>>,
    /// Added to the state's criticism from `pole` (required); units, 0..=10; state events. Default 0.
    #[schemars(with = "Option<f64>", range(min = 0, max = 10))]
    pub criticism: Option<S<f64>>,
    /// Moves the state's alignment this share of the way to equal shares (or toward
    /// `realign_toward`, or a pole drawn by `realign_weights`); 0..=1; state events. Default 0.
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub realign: Option<S<f64>>,
    /// The pole a realignment moves the shares toward (a declared pole). Default: equal shares.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub realign_toward: Option<S<String>>,
    /// Weights by pole (≥ 0, not all 0) of the pole a realignment moves toward, drawn at each strike;
    /// instead of `realign_toward`.
    #[serde(default)]
    #[schemars(
        with = "Option<BTreeMap<String, f64>>",
        extend("additionalProperties" = {"type": "number", "minimum": 0, "maximum": 1e6})
    )]
    pub realign_weights: Option<S<BTreeMap<String, S<f64>>>>,
    /// A trust shock: added to the hedging of each state struck (a pole event: of every state); 0..=10.
    /// Default 0.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 10))]
    pub hedging: Option<S<f64>>,
    /// Added to the tension of every `[[tension]]` of the state struck (negative: a détente); -1..=1;
    /// state events. Default 0.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = -1, max = 1))]
    pub tension: Option<S<f64>>,
    /// A pair event: each strike in a state is an incident in one of its `[[tension]]` disputes (drawn
    /// in proportion to their tensions), which strikes the other state too and raises only that
    /// dispute's tension; state events only. Default false.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub pair: Option<S<bool>>,
    /// Hazards from given quarters on (an ageing leader, a threat that grows).
    #[serde(default)]
    pub hazard_from: Vec<RawHazardFrom>,
    /// The pole's economic capacity is multiplied by 1 + economy, then recovers; relative change,
    /// -1..=1; pole events only. Default 0.
    #[schemars(with = "Option<f64>", range(min = -1, max = 1))]
    pub economy: Option<S<f64>>,
    /// The pole's presence is multiplied by 1 + presence, permanently; -1..=0; pole events. Default 0.
    #[schemars(with = "Option<f64>", range(min = -1, max = 0))]
    pub presence: Option<S<f64>>,
    /// Trust lost in the pole struck: added to every state's grievance toward it, which fades at
    /// `grievance_decay` like remembered pressure (1 = a quarter of full pressure); 0..=10; pole
    /// events only. Default 0.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 10))]
    pub grievance: Option<S<f64>>,
    /// Per-state grievance replacing `grievance`: state code → 0..=10; pole events only.
    #[serde(default)]
    #[schemars(
        with = "BTreeMap<String, f64>",
        extend("additionalProperties" = {"type": "number", "minimum": 0, "maximum": 10})
    )]
    pub grievance_by_state: BTreeMap<String, S<f64>>,
}

/// `[[inject]]`: an event forced at a quarter.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInject {
    /// The event forced (a declared event name). Required.
    #[schemars(with = "String")]
    pub event: S<String>,
    /// The quarter it strikes (`YEARQn`, inside the horizon). Required.
    #[schemars(with = "String", pattern(QUARTER_PATTERN))]
    pub quarter: S<String>,
    /// States it strikes (state codes); absent or empty for a pole event. Default: every state.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub states: Vec<S<String>>,
    /// A pair event's dispute: the two states of a declared `[[tension]]`; not with `states`. Default:
    /// each state struck draws its dispute as a strike by hazard does.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub pair: Option<S<Vec<S<String>>>>,
}

/// `[[reaction]]`: a pole's rule for answering what a host does.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReaction {
    /// The rule's name; unique, a name (docs/SCENARIO.md, "Names"). Required.
    #[schemars(with = "String", pattern(IDENT_PATTERN))]
    pub name: S<String>,
    /// What the rule stands for. Default: empty.
    #[serde(default)]
    pub description: Option<String>,
    /// The reacting pole (a pole name); the lever changed is its lever toward the state. Required.
    #[schemars(with = "String")]
    pub pole: S<String>,
    /// Share trigger: the pole whose share is watched; needs exactly one of `above`, `below`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub watch: Option<S<String>>,
    /// Triggers while the state's share toward `watch` is > this; share, 0..=1.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub above: Option<S<f64>>,
    /// Triggers while the state's share toward `watch` is < this; share, 0..=1.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub below: Option<S<f64>>,
    /// Event trigger: this state event struck the state this quarter, or this pole event struck its
    /// pole. Give one trigger: `watch`, `event` or `on`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub event: Option<S<String>>,
    /// Decision or membership trigger: `base_admitted`, `base_closed` (with `base`: that named base,
    /// wherever it is), `route_opened`, `route_closed` (with `route`: the state's route of that pole),
    /// `bloc_joined`, `bloc_left` (with `bloc`: the state's decision this quarter), `member` (with
    /// `bloc`: while the state is a member).
    #[serde(default)]
    #[schemars(
        with = "Option<String>",
        extend("enum" = ["base_admitted", "base_closed", "route_opened", "route_closed", "bloc_joined", "bloc_left", "member"])
    )]
    pub on: Option<S<String>>,
    /// The named base of `on = "base_admitted"` or `"base_closed"`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub base: Option<S<String>>,
    /// The bloc of `on = "bloc_joined"`, `"bloc_left"` or `"member"`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub bloc: Option<S<String>>,
    /// The pole whose route `on = "route_opened"` or `"route_closed"` watches.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub route: Option<S<String>>,
    /// States the rule applies to (declared state codes). Default: every state.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub states: Vec<S<String>>,
    /// The lever that changes while the rule is active. Required.
    #[schemars(with = "String", transform = lever_keys)]
    pub lever: S<String>,
    /// While active: lever ← lever · scale + add; factor, 0..=1e3. Default 1. Give scale, add or both.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1e3))]
    pub scale: Option<S<f64>>,
    /// See `scale`; the lever's unit, -1e6..=1e6. Default 0.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = -1e6, max = 1e6))]
    pub add: Option<S<f64>>,
    /// Quarters the change lasts once set off; integer 1..=scenario.quarters. Required.
    #[schemars(with = "i64", range(min = 1, max = 400))]
    pub duration: S<i64>,
    /// Chance of firing in a quarter in which the trigger holds and the rule is idle; probability per
    /// quarter, 0..=1. Required.
    #[schemars(with = "f64", range(min = 0, max = 1))]
    pub chance: S<f64>,
}

/// `[[policy]]`: a named option analysts compare against the baseline.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// The option's name in `compare` outputs; unique, a name, not "baseline". Required.
    #[schemars(with = "String", pattern(IDENT_PATTERN))]
    pub name: S<String>,
    /// What the option is. Default: empty.
    #[serde(default)]
    pub description: Option<String>,
    /// First quarter every change of this policy applies (`YEARQn`). Default: scenario.start.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(QUARTER_PATTERN))]
    pub from: Option<S<String>>,
    /// Changes to levers.
    #[serde(default)]
    pub change: Vec<RawChange>,
    /// Changes to reaction rules.
    #[serde(default)]
    pub reaction: Vec<RawReactionOverride>,
    /// Changes to events' hazards.
    #[serde(default)]
    pub event: Vec<RawEventOverride>,
}

/// `[[policy.change]]`: set, scale or add to one lever of one pole, in one state or all.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawChange {
    /// Whose lever changes (a declared pole name). Required.
    #[schemars(with = "String")]
    pub pole: S<String>,
    /// Toward which state (a declared state code). Default: every state.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub state: Option<S<String>>,
    /// Which lever. Required.
    #[schemars(with = "String", transform = lever_keys)]
    pub lever: S<String>,
    /// First quarter this change applies (`YEARQn`), replacing the policy's `from` for it (a policy
    /// whose steps start at different quarters). Default: the policy's `from`.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(QUARTER_PATTERN))]
    pub from: Option<S<String>>,
    /// Replace the value; in the lever's own range. Give exactly one of `set`, `scale`, `add`.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0))]
    pub set: Option<S<f64>>,
    /// Multiply the value; factor, 0..=1e3.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1e3))]
    pub scale: Option<S<f64>>,
    /// Add to the value; the lever's unit, -1e6..=1e6.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = -1e6, max = 1e6))]
    pub add: Option<S<f64>>,
}

/// `[[policy.reaction]]`: switch a reaction rule off or change its strength.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawReactionOverride {
    /// The rule changed (a declared reaction name). Required.
    #[schemars(with = "String")]
    pub name: S<String>,
    /// First quarter this change applies (`YEARQn`), replacing the policy's `from` for it (a policy
    /// whose steps start at different quarters). Default: the policy's `from`.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(QUARTER_PATTERN))]
    pub from: Option<S<String>>,
    /// false switches the rule off (no new firings). Default: unchanged.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Replaces the rule's `chance`; probability per quarter, 0..=1.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub chance: Option<S<f64>>,
    /// Replaces the rule's `scale`; factor, 0..=1e3.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1e3))]
    pub scale: Option<S<f64>>,
    /// Replaces the rule's `add`; the lever's unit, -1e6..=1e6.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = -1e6, max = 1e6))]
    pub add: Option<S<f64>>,
}

/// `[[policy.event]]`: change an event's hazard.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawEventOverride {
    /// The event changed (a declared event name). Required.
    #[schemars(with = "String")]
    pub name: S<String>,
    /// First quarter this change applies (`YEARQn`), replacing the policy's `from` for it (a policy
    /// whose steps start at different quarters). Default: the policy's `from`.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(QUARTER_PATTERN))]
    pub from: Option<S<String>>,
    /// Multiplies the event's hazard in every state, capped at 1; factor, 0..=1e3. Required.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1e3))]
    pub hazard_scale: Option<S<f64>>,
}

/// `[[check]]`: an expectation about outcomes and the share of runs in which it must hold.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    /// The check's name in outputs; unique, a name (docs/SCENARIO.md, "Names"). Required.
    #[schemars(with = "String", pattern(IDENT_PATTERN))]
    pub name: S<String>,
    /// What it tests and where the expectation comes from. Default: empty.
    #[serde(default)]
    pub description: Option<String>,
    /// What is tested. Required.
    #[schemars(with = "String", transform = check_kinds)]
    pub kind: S<String>,
    /// The state concerned (a declared state code). Required.
    #[schemars(with = "String")]
    pub state: S<String>,
    /// A declared pole name, for the kinds that use one.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub pole: Option<S<String>>,
    /// A declared base name (`[[base]]` in `state`), for base_opened, base_closed and base_hosted;
    /// not together with `pole`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub base: Option<S<String>>,
    /// A declared bloc name, for the kinds that use one.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub bloc: Option<S<String>>,
    /// A declared event name; kind "event" only (required there).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub event: Option<S<String>>,
    /// A declared reaction name; kind "reaction" only (required there).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub reaction: Option<S<String>>,
    /// The threshold, compared strictly; share, 0..=1; kinds share_above, share_below only (required).
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub level: Option<S<f64>>,
    /// First quarter of the window (`YEARQn`, inside the horizon). Default: scenario.start.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(QUARTER_PATTERN))]
    pub from: Option<S<String>>,
    /// Last quarter of the window, inclusive (`YEARQn`, not before `from`). Default: the last quarter.
    #[serde(default)]
    #[schemars(with = "Option<String>", pattern(QUARTER_PATTERN))]
    pub to: Option<S<String>>,
    /// State kinds only: the condition holds in the window's last quarter ("end"), every quarter
    /// ("all") or at least one ("any"). Default "end".
    #[serde(default)]
    #[schemars(with = "Option<String>", extend("enum" = ["end", "all", "any"]))]
    pub during: Option<S<String>>,
    /// The check passes if at least this share of runs meets it; share of runs, 0..=1.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub min_share: Option<S<f64>>,
    /// …and at most this share; share of runs, 0..=1, ≥ min_share. Give min_share, max_share or both.
    #[serde(default)]
    #[schemars(with = "Option<f64>", range(min = 0, max = 1))]
    pub max_share: Option<S<f64>>,
    /// Reported, but never scored by `calibrate`, and a failing holdout does not fail `hindcast
    /// --strict`. Default false.
    #[serde(default)]
    pub holdout: Option<bool>,
}

/// `[[calibrate]]`: a parameter left free for `greatgame calibrate`, with its plausible range.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCalibrate {
    /// The number varied: `model.KEY` or `SECTION.NAME.KEY` (SECTION: state, bloc, event, reaction),
    /// e.g. "event.spillover.hazard". Required.
    #[schemars(with = "String")]
    pub param: S<String>,
    /// Lowest value tried; the parameter's unit, finite, < high. Required.
    #[schemars(with = "f64")]
    pub low: S<f64>,
    /// Highest value tried; the parameter's unit, finite, > low. Required.
    #[schemars(with = "f64")]
    pub high: S<f64>,
    /// Why the range is plausible. Default: empty.
    #[serde(default)]
    pub why: Option<String>,
}
