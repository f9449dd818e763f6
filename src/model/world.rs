//! The checked, static description of a scenario's world: states, poles, blocs, events, reaction rules and
//! coefficients. Built only by `scenario` validation, so every value here is already in range.

use crate::quarter::Quarter;

/// What a pole can bring a host state: the lever kinds of a `[[lever]]` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lever {
    /// Aid of every kind (security assistance, grants, military-technical aid), $M per year.
    Aid,
    /// Rent paid for a base, $M per year; counts only while the base is hosted.
    BaseRent,
    /// 1 if the pole seeks (or keeps) a base in the host, 0 if not.
    BaseOffered,
    /// Transit fees and procurement the host earns from the pole's supply route, $M per year; counts only
    /// while the route is open.
    Transit,
    /// Migrant remittances from the pole, as a share of the host's GDP (0..=1).
    Remittance,
    /// New loans, $M per year.
    Loans,
    /// Direct investment, $M per year.
    Investment,
    /// Security the pole provides without a base (training, arms, border help), 0..=1.
    Security,
}

/// Number of lever kinds.
pub const LEVER_COUNT: usize = 8;

impl Lever {
    /// Every lever, in table order.
    pub const ALL: [Lever; LEVER_COUNT] = [
        Lever::Aid,
        Lever::BaseRent,
        Lever::BaseOffered,
        Lever::Transit,
        Lever::Remittance,
        Lever::Loans,
        Lever::Investment,
        Lever::Security,
    ];

    /// The key used in scenario files.
    pub fn key(self) -> &'static str {
        match self {
            Lever::Aid => "aid_usd_m",
            Lever::BaseRent => "base_rent_usd_m",
            Lever::BaseOffered => "base_offered",
            Lever::Transit => "transit_usd_m",
            Lever::Remittance => "remittance_share",
            Lever::Loans => "loans_usd_m",
            Lever::Investment => "investment_usd_m",
            Lever::Security => "security",
        }
    }

    /// The lever named `key` in a scenario file.
    pub fn from_key(key: &str) -> Option<Lever> {
        Lever::ALL.into_iter().find(|l| l.key() == key)
    }

    /// Position in a lever row.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The largest value the lever may take (`f64::INFINITY` for money).
    pub fn max(self) -> f64 {
        match self {
            Lever::BaseOffered | Lever::Remittance | Lever::Security => 1.0,
            _ => f64::INFINITY,
        }
    }
}

/// The coefficients of the quarterly update. Defaults and reasons are in `docs/MODEL.md`.
#[derive(Clone, Debug, PartialEq)]
pub struct Coefficients {
    /// λ: share of the gap to the target alignment closed each quarter.
    pub adjustment_rate: f64,
    /// ρ: persistence of the political mood (AR(1) coefficient per quarter).
    pub mood_persistence: f64,
    /// σ: standard deviation of the quarterly mood innovation, logit points.
    pub mood_sd: f64,
    /// Logit points per unit of `ln(1 + benefit / economic_scale)`.
    pub economic_weight: f64,
    /// Benefit (share of GDP) at which the economic pull is `economic_weight * ln 2`.
    pub economic_scale: f64,
    /// Grant equivalent of a dollar of loans.
    pub loan_weight: f64,
    /// Grant equivalent of a dollar of investment.
    pub investment_weight: f64,
    /// Logit points per unit of security demand times provision.
    pub security_weight: f64,
    /// How much regime insecurity (1 − regime security) adds to security demand.
    pub regime_insecurity_weight: f64,
    /// Security provision added by a hosted base, 0..=1.
    pub base_security: f64,
    /// Logit points lost per unit of criticism.
    pub criticism_weight: f64,
    /// Share of criticism forgotten each quarter.
    pub criticism_decay: f64,
    /// Share of the gap between threat and its baseline closed each quarter.
    pub threat_decay: f64,
    /// Share of the gap between regime security and its baseline closed each quarter.
    pub regime_recovery: f64,
    /// Share of the gap between a pole's economic capacity and 1 closed each quarter.
    pub economy_recovery: f64,
    /// Logit points per bloc membership with the bloc's pole.
    pub bloc_weight: f64,
    /// Logit points for hosting the pole's base.
    pub base_weight: f64,
    /// Logit points per unit of population share with ties to the pole.
    pub diaspora_weight: f64,
    /// Alignment share at or above which a host admits an offered base.
    pub base_admit_above: f64,
    /// Alignment share below which a host evicts a base.
    pub base_evict_below: f64,
    /// Alignment share at or above which a host opens a route the pole wants.
    pub transit_open_above: f64,
    /// Alignment share below which a host closes the pole's route.
    pub transit_close_below: f64,
}

impl Default for Coefficients {
    fn default() -> Coefficients {
        Coefficients {
            adjustment_rate: 0.15,
            mood_persistence: 0.9,
            mood_sd: 0.2,
            economic_weight: 0.5,
            economic_scale: 0.01,
            loan_weight: 0.35,
            investment_weight: 0.5,
            security_weight: 1.5,
            regime_insecurity_weight: 0.5,
            base_security: 0.3,
            criticism_weight: 1.5,
            criticism_decay: 0.15,
            threat_decay: 0.2,
            regime_recovery: 0.1,
            economy_recovery: 0.1,
            bloc_weight: 0.3,
            base_weight: 0.3,
            diaspora_weight: 1.0,
            base_admit_above: 0.45,
            base_evict_below: 0.2,
            transit_open_above: 0.25,
            transit_close_below: 0.12,
        }
    }
}

/// A host state: structure, doctrines, and its situation at the start.
#[derive(Clone, Debug, PartialEq)]
pub struct HostState {
    /// Short code used in files and outputs (`KGZ`).
    pub code: String,
    /// Full name.
    pub name: String,
    /// GDP, $bn per year.
    pub gdp_usd_bn: f64,
    /// Length of the border with Afghanistan, km.
    pub afghan_border_km: f64,
    /// Population share with ethnic or linguistic ties to each pole (0..=1), by pole.
    pub diaspora: Vec<f64>,
    /// Permanent neutrality: joins no deciding bloc and hosts no base.
    pub neutral: bool,
    /// A legal ban on foreign bases from this quarter index on (0: from the start): hosts no base then,
    /// and a base still standing when the ban takes effect is closed.
    pub bans_bases_from: Option<usize>,
    /// Regime security at the start and the level it returns to, 0..=1.
    pub regime_baseline: f64,
    /// Threat level at the start and the level it returns to, 0..=1.
    pub threat_baseline: f64,
    /// Alignment shares at the start, by pole (positive, summing to 1).
    pub alignment: Vec<f64>,
    /// Structural affinity toward each pole, logit points (given, or derived so the start is a rest point).
    pub affinity: Vec<f64>,
    /// Bloc memberships at the start, by bloc.
    pub blocs: Vec<bool>,
    /// Bases hosted at the start, by pole.
    pub bases: Vec<bool>,
    /// Transit routes open at the start, by pole.
    pub transit: Vec<bool>,
}

impl HostState {
    /// True if doctrine forbids this state to host any foreign base in quarter `t`.
    pub fn refuses_bases(&self, t: usize) -> bool {
        self.neutral || self.bans_bases_from.is_some_and(|from| t >= from)
    }
}

/// Join and leave thresholds of a bloc whose membership hosts decide.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hysteresis {
    /// Share toward the bloc's pole at or above which a non-member joins.
    pub join_above: f64,
    /// Share toward the bloc's pole below which a member leaves.
    pub leave_below: f64,
}

/// A treaty organisation or partnership.
#[derive(Clone, Debug, PartialEq)]
pub struct Bloc {
    /// Name (`CSTO`).
    pub name: String,
    /// Index of the leading pole.
    pub pole: usize,
    /// `Some` if hosts join and leave it during a run; `None` if membership is fixed.
    pub decided: Option<Hysteresis>,
}

/// Whom an event strikes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventTarget {
    /// Each host state separately, with its own hazard.
    States,
    /// One pole, once.
    Pole(usize),
}

/// A shock and its effects. Hazards live in the `Plan`, since policies may change them.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Name used in files and outputs.
    pub name: String,
    /// What it stands for, in words.
    pub description: String,
    /// Whom it strikes.
    pub target: EventTarget,
    /// The pole whose criticism rises (state events with a `criticism` effect).
    pub critic: Option<usize>,
    /// Added to the host's threat level.
    pub threat: f64,
    /// Added to the host's regime security (usually negative).
    pub regime: f64,
    /// Added to the host's criticism from `critic`.
    pub criticism: f64,
    /// Share by which the host's alignment moves toward equal shares (a new leader re-balances).
    pub realign: f64,
    /// Relative change of the pole's economic capacity (−0.3: flows fall by 30%).
    pub economy: f64,
    /// Relative change of the pole's presence in the region (−1: full withdrawal), permanent.
    pub presence: f64,
}

/// What sets off a reaction rule in a host.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Trigger {
    /// The host's share toward `watch` is above (or below) `level`.
    Share {
        watch: usize,
        above: bool,
        level: f64,
    },
    /// The event struck the host this quarter.
    Event(usize),
}

/// A pole's rule for answering a host: when triggered, with some chance, a lever of the pole toward that
/// host is scaled and shifted for a number of quarters.
#[derive(Clone, Debug, PartialEq)]
pub struct Reaction {
    /// Name used in files and outputs.
    pub name: String,
    /// What it stands for, in words.
    pub description: String,
    /// The reacting pole.
    pub pole: usize,
    /// What sets it off.
    pub trigger: Trigger,
    /// Hosts it applies to, by state.
    pub states: Vec<bool>,
    /// The lever of `pole` toward the host that changes.
    pub lever: Lever,
    /// Quarters the change lasts once set off.
    pub duration: u32,
}

/// The whole static world of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    /// First simulated quarter.
    pub start: Quarter,
    /// Number of simulated quarters.
    pub quarters: usize,
    /// Pole names, in file order.
    pub poles: Vec<String>,
    /// Blocs, in file order.
    pub blocs: Vec<Bloc>,
    /// Host states, in file order.
    pub states: Vec<HostState>,
    /// Events, in file order.
    pub events: Vec<Event>,
    /// Reaction rules, in file order.
    pub reactions: Vec<Reaction>,
    /// Forced events: `injects[(t * events + e) * states + h]` (pole events use `h = 0`).
    pub injects: Vec<bool>,
    /// Coefficients of the update.
    pub coefficients: Coefficients,
}

impl World {
    /// Index into `injects` and into `Plan::hazards`.
    pub fn event_index(&self, t: usize, e: usize, h: usize) -> usize {
        (t * self.events.len() + e) * self.states.len() + h
    }

    /// The pole index named `name`.
    pub fn pole_index(&self, name: &str) -> Option<usize> {
        self.poles.iter().position(|p| p == name)
    }

    /// Label of the `t`-th simulated quarter.
    pub fn quarter_label(&self, t: usize) -> Quarter {
        self.start.plus(t)
    }
}
