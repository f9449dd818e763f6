//! The checked, static description of a scenario's world: states, poles, blocs, events, reaction rules and
//! coefficients. Built only by `scenario` validation, so every value here is already in range.

use crate::quarter::Quarter;

// `Lever`, `LEVER_COUNT`, `Lever::ALL` and `LEVERS` are made by `levers!` below, from one entry per lever.
impl Lever {
    /// The key used in scenario files.
    pub const fn key(self) -> &'static str {
        LEVERS[self as usize].key
    }

    /// The lever named `key` in a scenario file.
    pub fn from_key(key: &str) -> Option<Lever> {
        Lever::ALL.into_iter().find(|l| l.key() == key)
    }

    /// Position in a lever row.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The largest value the lever may take: finite for every lever, so that no lever, however a
    /// policy or reaction changes it, can carry the arithmetic to infinity (docs/MODEL.md, "Finite by
    /// construction").
    pub fn max(self) -> f64 {
        LEVERS[self.index()].max
    }
}

/// One lever kind as scenario files write it: key, unit, range and meaning, declared once here. The
/// scenario reader (`[[lever]]` keys), validation, the JSON Schema and the lever table of
/// `docs/SCENARIO.md` are made from (or checked against) `LEVERS`; the model clamps to `max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LeverSpec {
    /// The lever.
    pub lever: Lever,
    /// Key in `[[lever]]` entries and in `lever = "..."` of reactions and policy changes.
    pub key: &'static str,
    /// Unit, in words.
    pub unit: &'static str,
    /// Largest value (the smallest is 0); `base_offered` takes only 0 or 1.
    pub max: f64,
    /// What it is, in one line.
    pub meaning: &'static str,
}

/// The largest money lever, $M a year: $1 trillion, more than the GDP of the five Central Asian states
/// together (about $300bn) and than any pole's whole foreign-aid budget, so no plausible entry comes
/// near it; finite, so money sums stay finite.
pub const MAX_USD_M: f64 = 1e6;

/// Declares every lever kind once and makes from that list the `Lever` enum, `LEVER_COUNT`,
/// `Lever::ALL` and `LEVERS` (the table). Adding a lever is one entry here plus the formula that uses it.
macro_rules! levers {
    ($(
        $variant:ident {
            key: $key:literal,
            unit: $unit:literal,
            max: $max:expr,
            meaning: $meaning:literal $(,)?
        }
    )*) => {
        /// What a pole can bring a host state: the lever kinds of a `[[lever]]` entry, in table order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Lever {
            $(
                #[doc = $meaning]
                $variant,
            )*
        }

        /// Number of lever kinds.
        pub const LEVER_COUNT: usize = [$($key),*].len();

        impl Lever {
            /// Every lever, in table order.
            pub const ALL: [Lever; LEVER_COUNT] = [$(Lever::$variant),*];
        }

        /// Every lever, in the order of `Lever::ALL`.
        pub const LEVERS: [LeverSpec; LEVER_COUNT] = [$(
            LeverSpec {
                lever: Lever::$variant,
                key: $key,
                unit: $unit,
                max: $max,
                meaning: $meaning,
            },
        )*];
    };
}

levers! {
    Aid {
        key: "aid_usd_m",
        unit: "$M/yr",
        max: MAX_USD_M,
        meaning: "Aid of every kind (grants, security assistance, military-technical aid); scaled by the pole's economic capacity and presence.",
    }
    BaseRent {
        key: "base_rent_usd_m",
        unit: "$M/yr per base",
        max: MAX_USD_M,
        meaning: "Rent the pole pays for each of its bases (`[[base]]`) in the state, counted while that base is hosted; not scaled by capacity or presence.",
    }
    BaseOffered {
        key: "base_offered",
        unit: "flag",
        max: 1.0,
        meaning: "Exactly 0 or 1. 1: the pole offers (or keeps) its bases declared in the state (`[[base]]`); 0: it withdraws them.",
    }
    Transit {
        key: "transit_usd_m",
        unit: "$M/yr",
        max: MAX_USD_M,
        meaning: "Fees and procurement from the pole's supply route, counted while the route is open; > 0 means the pole wants the route (0: it stops wanting it and the route closes); scaled by presence.",
    }
    Remittance {
        key: "remittance_share",
        unit: "share of the state's GDP",
        max: 1.0,
        meaning: "Migrant remittances from the pole; scaled by economic capacity.",
    }
    Loans {
        key: "loans_usd_m",
        unit: "$M/yr",
        max: MAX_USD_M,
        meaning: "New loans, counted at `loan_weight`; scaled by economic capacity.",
    }
    Investment {
        key: "investment_usd_m",
        unit: "$M/yr",
        max: MAX_USD_M,
        meaning: "Direct investment, counted at `investment_weight`; scaled by economic capacity.",
    }
    Security {
        key: "security",
        unit: "provision",
        max: 1.0,
        meaning: "Security provided without a base (training, arms, border help); scaled by presence.",
    }
    Pressure {
        key: "pressure",
        unit: "campaign, 0..1",
        max: 1.0,
        meaning: "A punitive campaign (a migrant squeeze, pressure on a base): buys compliance scaled by the state's dependence on the pole, leaves a grievance that fades slowly.",
    }
    Trade {
        key: "trade_usd_m",
        unit: "$M/yr",
        max: MAX_USD_M,
        meaning: "Trade and energy the pole buys from the state (gas, oil through a pipeline), counted at `trade_weight` in the economy channel; scaled by economic capacity.",
    }
    JoinPressure {
        key: "join_pressure",
        unit: "campaign, 0..1",
        max: 1.0,
        meaning: "The pole presses the state to join its blocs (Moscow pushing Dushanbe into the EEU, 000:384): lowers the state's joining threshold of the pole's decided blocs by `join_pressure_weight · D · join_pressure`.",
    }
}

/// One coefficient of the quarterly update as declared in `coefficients!` below: the single place its
/// key, symbol, unit, range, default and reason are written. The scenario reader, validation, the JSON
/// Schema and the coefficient tables of `docs/MODEL.md` and `docs/SCENARIO.md` are all made from (or
/// checked against) `COEFFICIENTS`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CoefficientSpec {
    /// Key in `[model]` and field of `Coefficients`.
    pub key: &'static str,
    /// Symbol in the equations of `docs/MODEL.md` (`—` if it has none).
    pub symbol: &'static str,
    /// Unit, in words.
    pub unit: &'static str,
    /// Smallest value allowed.
    pub min: f64,
    /// Largest value allowed: always finite, so that no valid scenario reaches infinity or NaN (the
    /// argument is in `docs/MODEL.md`, "Finite by construction").
    pub max: f64,
    /// Value when the scenario gives none.
    pub default: f64,
    /// What it does, in one line (the field's doc and the schema's description).
    pub meaning: &'static str,
    /// Why the default (and the range) are what they are.
    pub reason: &'static str,
}

/// Declares every coefficient once and makes from that list the `Coefficients` struct, its `Default`,
/// `COEFFICIENTS` (the table) and access by table index. Adding a coefficient is one entry here plus
/// the formula that uses it.
macro_rules! coefficients {
    ($(
        $key:ident {
            symbol: $symbol:literal,
            unit: $unit:literal,
            range: $min:literal ..= $max:literal,
            default: $default:literal,
            meaning: $meaning:literal,
            reason: $reason:literal $(,)?
        }
    )*) => {
        /// The coefficients of the quarterly update, one field per entry of `COEFFICIENTS` (each field's
        /// unit, range, default and reason are there and in `docs/MODEL.md`).
        #[derive(Clone, Debug, PartialEq)]
        pub struct Coefficients {
            $(
                #[doc = $meaning]
                pub $key: f64,
            )*
        }

        impl Default for Coefficients {
            fn default() -> Coefficients {
                Coefficients { $($key: $default,)* }
            }
        }

        /// Number of coefficients.
        pub const COEFFICIENT_COUNT: usize = [$(stringify!($key)),*].len();

        /// Every coefficient, in declaration order (the order of `[model]` in docs and schema).
        pub const COEFFICIENTS: [CoefficientSpec; COEFFICIENT_COUNT] = [$(
            CoefficientSpec {
                key: stringify!($key),
                symbol: $symbol,
                unit: $unit,
                min: $min,
                max: $max,
                default: $default,
                meaning: $meaning,
                reason: $reason,
            },
        )*];

        impl Coefficients {
            /// The coefficients whose values, in the order of `COEFFICIENTS`, are `values`.
            pub fn from_values(values: [f64; COEFFICIENT_COUNT]) -> Coefficients {
                let [$($key),*] = values;
                Coefficients { $($key,)* }
            }

            /// Every coefficient's value, in the order of `COEFFICIENTS`.
            pub fn values(&self) -> [f64; COEFFICIENT_COUNT] {
                [$(self.$key),*]
            }
        }
    };
}

// Logit weights are capped at 100 logit points (two orders of magnitude above the largest default, a
// pull of e^100 ≈ 1e43 to one): far past any plausible value, and low enough that every pull stays a
// finite number (docs/MODEL.md, "Finite by construction").
coefficients! {
    adjustment_rate {
        symbol: "λ", unit: "per quarter", range: 0.0 ..= 1.0, default: 0.15,
        meaning: "Share of the gap between alignment and target closed each quarter.",
        reason: "half-life of a gap ≈ 4 quarters: alignment follows interests within a year or two, as UZB's turn after Andijan (May 2005 → K2 eviction within six months, CSTO 2006; 000:200-206)",
    }
    mood_persistence {
        symbol: "ρ", unit: "per quarter", range: 0.0 ..= 0.999, default: 0.9,
        meaning: "AR(1) persistence of the political mood.",
        reason: "moods last: a leader's preference persists for years (half-life ≈ 6.6 quarters); below 1 so the mood stays stationary",
    }
    mood_sd {
        symbol: "σ", unit: "logit points", range: 0.0 ..= 10.0, default: 0.2,
        meaning: "Standard deviation of the quarterly mood innovation.",
        reason: "stationary spread `σ/√(1−ρ²)` ≈ 0.46 logit: enough for an unforeseen turn within a decade (Karimov's \"unpredictability\", 000:192) without drowning the levers",
    }
    economic_weight {
        symbol: "w_econ", unit: "logit points", range: 0.0 ..= 100.0, default: 0.5,
        meaning: "Pull of the economy channel: `w_econ · ln(1 + (w_loan·loans + w_inv·investment) / (s_econ·GDP))`.",
        reason: "loans and investment reach the economy, not the regime's purse (004:338-370 on who captures rents): 1% of GDP pulls `0.5·ln 2 ≈ 0.35` logit",
    }
    economic_scale {
        symbol: "s_econ", unit: "share of GDP", range: 1e-6 ..= 1.0, default: 0.01,
        meaning: "Share of GDP at which the economy and household channels pull `w · ln 2`.",
        reason: "1% of GDP is where money starts to matter: diminishing returns above it (log); above 0 so the ratio is finite",
    }
    household_weight {
        symbol: "w_hh", unit: "logit points", range: 0.0 ..= 100.0, default: 0.5,
        meaning: "Pull of the household channel: `w_hh · ln(1 + remittances / s_econ)`, remittances a share of GDP.",
        reason: "remittances reach households (49% of Tajik GDP, 000:382): TJK's pull `0.5·ln 50 ≈ 2` logit; its own term, so it cannot saturate the regime's rents",
    }
    rent_weight {
        symbol: "w_rent", unit: "logit points", range: 0.0 ..= 100.0, default: 0.8,
        meaning: "Pull of the rents channel: `w_rent · ln(1 + rents / (s_rent·revenue))`, rents = aid + base rents + transit fees.",
        reason: "rents reach the regime directly: fees were 'the necessary economic incentives' and officials took their cut (004:338-363); each wanted 'its piece of the pie' (000:144); assumption: 1% of revenue pulls `0.8·ln 2 ≈ 0.55` logit",
    }
    rent_scale {
        symbol: "s_rent", unit: "share of revenue", range: 1e-6 ..= 1.0, default: 0.01,
        meaning: "Share of government revenue at which the rents channel pulls `w_rent · ln 2`.",
        reason: "assumption: a rent of 1% of what the regime collects is noticed; Manas's $60M (000:380) is about 3% of Kyrgyz revenue",
    }
    loan_weight {
        symbol: "w_loan", unit: "grant equivalent per $", range: 0.0 ..= 1.0, default: 0.35,
        meaning: "A dollar of loans counts as this many dollars of aid.",
        reason: "a loan must be repaid: counted at a grant element of about a third (assumption)",
    }
    investment_weight {
        symbol: "w_inv", unit: "grant equivalent per $", range: 0.0 ..= 1.0, default: 0.5,
        meaning: "A dollar of investment counts as this many dollars of aid.",
        reason: "investment benefits the economy but less directly than cash to the elite (004:338-370 on rents)",
    }
    security_weight {
        symbol: "w_sec", unit: "logit points", range: 0.0 ..= 100.0, default: 1.5,
        meaning: "Pull per unit of security demand × provision.",
        reason: "full provision against full threat pulls 1.5 logit: security demand drove the 2008 restoration (000:216)",
    }
    regime_insecurity_weight {
        symbol: "w_regime", unit: "threat units per unit of insecurity", range: 0.0 ..= 100.0, default: 0.5,
        meaning: "Security demand = threat + w_regime · (1 − regime security).",
        reason: "an insecure regime values protection at half the weight of external threat (assumption)",
    }
    base_security {
        symbol: "—", unit: "provision", range: 0.0 ..= 1.0, default: 0.3,
        meaning: "Provision a hosted base adds to the pole's `security` when its `[[base]]` gives no `security`.",
        reason: "a hosted base adds provision (Russia's 201st division, 000:384-392)",
    }
    criticism_weight {
        symbol: "w_crit", unit: "logit points per unit", range: 0.0 ..= 100.0, default: 1.5,
        meaning: "Pull lost per unit of criticism.",
        reason: "a crisis of size 1 costs 1.5 logit: enough to flip UZB after Andijan (000:200-206)",
    }
    criticism_decay {
        symbol: "δ_c", unit: "per quarter", range: 0.0 ..= 1.0, default: 0.15,
        meaning: "Share of criticism forgotten each quarter.",
        reason: "criticism fades within about two years (relations restored by 2008, 000:216)",
    }
    threat_decay {
        symbol: "δ_θ", unit: "per quarter", range: 0.0 ..= 1.0, default: 0.2,
        meaning: "Share of the gap between threat and its baseline closed each quarter.",
        reason: "a spill-over scare fades within about a year",
    }
    regime_recovery {
        symbol: "δ_r", unit: "per quarter", range: 0.0 ..= 1.0, default: 0.1,
        meaning: "Share of the gap between regime security and its baseline closed each quarter.",
        reason: "regimes re-consolidate within two years of a shock",
    }
    economy_recovery {
        symbol: "δ_E", unit: "per quarter", range: 0.0 ..= 1.0, default: 0.1,
        meaning: "Share of the gap between a pole's economic capacity and 1 closed each quarter.",
        reason: "remittances recover slowly after a shock (2014 cut lasted years, 000:382)",
    }
    bloc_weight {
        symbol: "w_bloc", unit: "logit points", range: 0.0 ..= 100.0, default: 0.3,
        meaning: "Pull per membership in a bloc led by the pole.",
        reason: "each membership binds a little (treaty and customs ties, 000:366 on EEU)",
    }
    base_weight {
        symbol: "w_base", unit: "logit points", range: 0.0 ..= 100.0, default: 0.3,
        meaning: "Pull of hosting the pole's base.",
        reason: "hosting a base binds (elite rents, 004:338-370)",
    }
    diaspora_weight {
        symbol: "w_dia", unit: "logit points per unit", range: 0.0 ..= 100.0, default: 1.0,
        meaning: "Pull per unit of population share tied to the pole.",
        reason: "a 24% Russian minority (KAZ, 000:348) adds 0.24 logit toward Russia",
    }
    dependence_scale {
        symbol: "s_dep", unit: "share of GDP", range: 1e-6 ..= 1.0, default: 0.1,
        meaning: "Dependence on a pole `D = m / (m + s_dep)`, m its remittances as a share of GDP.",
        reason: "migrants are 'a bargaining chip to keep Dushanbe accountable' (000:382): TJK's 49% gives D ≈ 0.83, KAZ's 0.2% D ≈ 0.02; assumption: half the bite at 10% of GDP",
    }
    compliance_weight {
        symbol: "φ", unit: "logit points per unit of pressure", range: 0.0 ..= 100.0, default: 1.0,
        meaning: "Short-run pull toward a coercing pole: `φ · D · pressure`.",
        reason: "punitive power buys compliance where the target depends on the coercer: 'Bishkek was pushed by Moscow' to close Manas (000:380); 'ideological, remunerative and punitive' powers (000:332)",
    }
    grievance_weight {
        symbol: "w_g", unit: "logit points per unit", range: 0.0 ..= 100.0, default: 0.1,
        meaning: "Pull lost per unit of grievance: the remembered pressure of a pole, and trust lost to its shocks (an event's `grievance`).",
        reason: "coercion damages trust for years: after 2014 the states turned 'multi-vector' (000:414); assumption: a year of full pressure costs 0.4 logit once it ends",
    }
    grievance_decay {
        symbol: "δ_g", unit: "per quarter", range: 0.0 ..= 1.0, default: 0.05,
        meaning: "Share of grievance forgotten each quarter (grievance ← (1 − δ_g)·grievance + pressure; an event's `grievance` adds when it strikes).",
        reason: "assumption: half-life about 3.4 years, far slower than criticism (δ_c): lasting damage (000:414)",
    }
    base_cost {
        symbol: "c_base", unit: "logit points", range: 0.0 ..= 100.0, default: 0.5,
        meaning: "What hosting a foreign base costs a regime in sovereignty, before punishment and criticism.",
        reason: "assumption: a base is a concession that needs payment or protection to be worth it ('for enormous rentals', 000:396)",
    }
    route_cost {
        symbol: "c_route", unit: "logit points", range: 0.0 ..= 100.0, default: 0.05,
        meaning: "What opening a supply route costs a regime, before criticism.",
        reason: "assumption: transit is a commercial favour, far cheaper than a base: the NDN ran through Russia itself (004:13-16) and small residual routes stayed open after 2014 (000:170, 000:218)",
    }
    partnership_weight {
        symbol: "w_tie", unit: "logit points per membership", range: 0.0 ..= 100.0, default: 0.3,
        meaning: "In a route's value, `w_tie` for each of the pole's blocs the host belongs to (its partnership programmes, its alliances).",
        reason: "a partner's cooperation follows its ties more than the fee: Kazakhstan's 'deep cooperation' with NATO is 'related to its political will to be engaged with the Alliance' (000:184) and its Aktau port served NATO supply from 2009 (000:170); neutral Turkmenistan, a PfP partner, 'allowed use of its territory as a supply route' (000:408); assumption: a tie weighs in a deal as much as it binds in the pull (`w_bloc`)",
    }
    punishment_weight {
        symbol: "w_pun", unit: "logit points", range: 0.0 ..= 100.0, default: 2.0,
        meaning: "Weight of the expected punishment by rival poles in a base deal: `w_pun · Σ_{q≠p} D_q · (κ + pressure_q)`.",
        reason: "a state dependent on a rival fears its punishment: Moscow pushed Bishkek to close Manas (000:380); assumption: full dependence with an open campaign costs 2 logit",
    }
    rival_objection {
        symbol: "κ", unit: "pressure units", range: 0.0 ..= 1.0, default: 0.25,
        meaning: "The objection a rival pole is assumed to raise to any foreign base, without a campaign.",
        reason: "Russia and China object to Western bases as a matter of course (the 2005 SCO call to set a withdrawal date, 000:204); assumption",
    }
    alignment_weight {
        symbol: "w_al", unit: "logit points", range: 0.0 ..= 100.0, default: 0.25,
        meaning: "In a deal's value, `w_al · ln(n · a)`: closeness to the pole (share a, n poles) lowers the cost, distance raises it.",
        reason: "alignment modifies the cost of a deal, it does not gate it: Kyrgyzstan hosted Manas beside Russia's Kant (000:380); assumption: a share of a tenth among three poles costs `0.25·ln 0.3 ≈ 0.3` logit",
    }
    trade_weight {
        symbol: "w_trade", unit: "grant equivalent per $", range: 0.0 ..= 1.0, default: 0.1,
        meaning: "A dollar of trade the pole buys counts as this many dollars of aid in the economy channel.",
        reason: "trade is paid for: only its margin over selling elsewhere binds (assumption); Turkmen gas (000:230) and the Kazakh pipeline to Xinjiang (001:59) are the lines the papers name",
    }
    hedging_weight {
        symbol: "β", unit: "logit points per unit of log share", range: 0.0 ..= 10.0, default: 0.5,
        meaning: "Balancing: every pole's pull gains `−β·ln a`, a the state's share toward it, so a state resists leaning on one pole.",
        reason: "the states play the poles against each other ('multi-vector', 000:414, 004:536-543; Karimov 'skillfully changing sides', 000:192); assumption: at 0.5 a pull difference moves log shares by two thirds of it",
    }
    hedging_decay {
        symbol: "δ_β", unit: "per quarter", range: 0.0 ..= 1.0, default: 0.02,
        meaning: "Share of a trust shock's extra hedging forgotten each quarter.",
        reason: "the Ukraine crisis 'damaged their trust' and made them 'cautiously diversify' (000:414): a lasting change; assumption: half-life about 8.6 years",
    }
    join_pressure_weight {
        symbol: "χ", unit: "share points", range: 0.0 ..= 1.0, default: 0.1,
        meaning: "How far a pole's full `join_pressure` lowers a fully dependent state's joining threshold of its decided blocs.",
        reason: "Moscow 'is pushing a hesitant Dushanbe to accept the terms of the Eurasian Economic Union' with 'more than enough leverage' (000:384); assumption: ten share points at full dependence",
    }
    tension_weight {
        symbol: "w_τ", unit: "threat units per unit of tension", range: 0.0 ..= 10.0, default: 0.5,
        meaning: "Security demand gains `w_τ · Σ τ` over the state's disputes with its neighbours (`[[tension]]`).",
        reason: "border and water disputes are a standing threat (000:536: 'always potential for inter-state conflicts'); assumption: a dispute at full tension weighs half a full external threat",
    }
    tension_decay {
        symbol: "δ_τ", unit: "per quarter", range: 0.0 ..= 1.0, default: 0.1,
        meaning: "Share of the gap between a dispute's tension and its standing level closed each quarter.",
        reason: "a border incident flares and settles within a couple of years (the Kyrgyz-Tajik clashes, 000:536); assumption",
    }
    rivalry_weight {
        symbol: "w_rg", unit: "logit points", range: 0.0 ..= 100.0, default: 0.5,
        meaning: "Relative gains: a pole's pull on a state loses `w_rg · Σ τ · ln(1 + fees_n / (s_rent·revenue))` for the transit fees that pole pays each disputing neighbour n.",
        reason: "the NDN 'increased intraregional competition': freight cars piled at the Uzbek border, a rail spur blown up (004:374-390); assumption: weighs less than the state's own rents (w_rent)",
    }
    deal_margin {
        symbol: "m", unit: "logit points", range: 0.0 ..= 100.0, default: 0.25,
        meaning: "Hysteresis of deals: a base or route is taken up when its value exceeds m and ended when it falls below −m.",
        reason: "deals are sticky: states renegotiated rather than evicted at each swing (Manas 2009 rent hike instead of closure, 000:380, 001:37)",
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
    /// Government revenue, $bn per year: what the regime can capture, the scale of the rents channel.
    pub revenue_usd_bn: f64,
    /// Length of the border with Afghanistan, km.
    pub afghan_border_km: f64,
    /// Population share with ethnic or linguistic ties to each pole (0..=1), by pole.
    pub diaspora: Vec<f64>,
    /// Extra hedging at the start (`x[h]`), left by a trust shock before the start.
    pub hedging: f64,
    /// Grievance toward each pole at the start (`g[h,p]`), by pole.
    pub grievance: Vec<f64>,
    /// Permanent neutrality: joins no deciding bloc and hosts no base.
    pub neutral: bool,
    /// A legal ban on foreign bases from this quarter index on (0: from the start): hosts no base then,
    /// and a base still standing when the ban takes effect is closed.
    pub bans_bases_from: Option<usize>,
    /// A doctrine of no military blocs from this quarter index on: the state then leaves every military
    /// bloc and joins none (Mirziyoev's "non-participation in any military block", 000:406).
    pub no_military_blocs_from: Option<usize>,
    /// Per bloc, share points added to both thresholds of a decided bloc for this state (its reluctance;
    /// negative: eagerness).
    pub reluctance: Vec<f64>,
    /// Per bloc, if set: the state joins that decided bloc only when its share toward the bloc's pole
    /// is above its starting share by this much (its hesitation, 000:384: "a hesitant Dushanbe"), less
    /// the pole's pressure to join; this replaces the bloc's `join_above` and the reluctance for
    /// joining (leaving is as without it).
    pub hesitation: Vec<Option<f64>>,
    /// Per bloc, whether the state changes sides in it: a member of that decided bloc only while its
    /// share toward the bloc's pole is above its share toward the bloc's rival, and a joiner only then
    /// (Karimov "skillfully changing sides", 000:192; Tashkent in and out of the CSTO with its relations
    /// with the West, 000:486). The bloc has a rival (checked by the scenario reader).
    pub changes_sides: Vec<bool>,
    /// Per bloc, whether the state sees it as economic only: its membership adds no tie toward the
    /// bloc's pole (`HostState::tie`; Nazarbaev on the EEU, 000:350).
    pub economic_only: Vec<bool>,
    /// Dated membership changes, in quarter order: at quarter `t`, the state joins (`true`) or leaves
    /// bloc `b`, whatever its shares (a documented decision, like an inject).
    pub bloc_dates: Vec<BlocDate>,
    /// GDP from a quarter on, $bn per year, in quarter order (`gdp_usd_bn` before the first).
    pub gdp_from: Vec<(usize, f64)>,
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
    /// Transit routes open at the start, by pole.
    pub transit: Vec<bool>,
}

impl HostState {
    /// The tie a membership in bloc `b` adds toward the bloc's pole: 1, or 0 for a bloc the state
    /// sees as economic only.
    pub fn tie(&self, b: usize) -> f64 {
        if self.economic_only[b] {
            0.0
        } else {
            1.0
        }
    }

    /// True if doctrine forbids this state to host any foreign base in quarter `t`.
    pub fn refuses_bases(&self, t: usize) -> bool {
        self.neutral || self.bans_bases_from.is_some_and(|from| t >= from)
    }

    /// True if doctrine forbids this state any military bloc in quarter `t`.
    pub fn refuses_military_blocs(&self, t: usize) -> bool {
        self.no_military_blocs_from.is_some_and(|from| t >= from)
    }

    /// GDP in quarter `t`, $bn per year: the last `gdp_from` entry in force, else `gdp_usd_bn`.
    pub fn gdp_at(&self, t: usize) -> f64 {
        self.gdp_from
            .iter()
            .rev()
            .find(|&&(from, _)| from <= t)
            .map_or(self.gdp_usd_bn, |&(_, gdp)| gdp)
    }

    /// Government revenue in quarter `t`, $bn per year: `revenue_usd_bn` scaled with GDP (the revenue's
    /// share of GDP is held at the start's).
    pub fn revenue_at(&self, t: usize) -> f64 {
        self.revenue_usd_bn * (self.gdp_at(t) / self.gdp_usd_bn)
    }
}

/// A dated change of a state's membership in a bloc.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlocDate {
    /// Quarter index.
    pub t: usize,
    /// Index of the bloc.
    pub bloc: usize,
    /// Joins (`true`) or leaves.
    pub joins: bool,
}

/// A named foreign base (`[[base]]`): a deal between a pole and a host, taken up and kept while its
/// value to the regime exceeds its cost (docs/MODEL.md, "Deals").
#[derive(Clone, Debug, PartialEq)]
pub struct Base {
    /// Name used in files and outputs (`Manas`).
    pub name: String,
    /// What it is, in words, with its source.
    pub description: String,
    /// Index of the host state.
    pub host: usize,
    /// Index of the pole whose base it is.
    pub pole: usize,
    /// Provision the base adds to the pole's security while hosted, 0..=1.
    pub security: f64,
    /// How much the pole's criticism of the host weighs on this deal, 0..=1 (Termez 0.2: Germany kept
    /// silent after Andijan, 000:206-210).
    pub exposure: f64,
    /// Hosted at the start.
    pub hosted: bool,
}

/// A dispute between two neighbouring states (`[[tension]]`): its tension raises both states' demand for
/// security, weighs a pole's transit fees to one against the other, and above a level closes the
/// routes that run through one to the other.
#[derive(Clone, Debug, PartialEq)]
pub struct Tension {
    /// What the dispute is, in words, with its source.
    pub description: String,
    /// The two states, by index.
    pub states: [usize; 2],
    /// Standing tension at the start and the level it returns to, 0..=1.
    pub level: f64,
    /// The state the other's transit routes run through, if any (`Some(i)`: `states[i]`).
    pub via: Option<usize>,
    /// Tension above which the state `via` stops the other's transit (routes close), 0..=1.
    pub closes_above: f64,
}

impl Tension {
    /// The other state of the pair, if `h` is in it.
    pub fn other(&self, h: usize) -> Option<usize> {
        match self.states {
            [a, b] if a == h => Some(b),
            [a, b] if b == h => Some(a),
            _ => None,
        }
    }

    /// The state whose routes the pair's tension can close, if any: the one that is not `via`.
    pub fn downstream(&self) -> Option<usize> {
        self.via.map(|i| self.states[1 - i])
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
    /// `Some` if hosts join and leave it during a run; `None` if membership is fixed (but for dated
    /// changes, `HostState::bloc_dates`).
    pub decided: Option<Hysteresis>,
    /// Quarter index from which it exists (0: from the start); no state is a member before.
    pub founded: usize,
    /// A military alliance: refused by a state with a no-military-blocs doctrine.
    pub military: bool,
    /// The pole whose partnership with the members the bloc contests (the CSTO against NATO, 000:486),
    /// if any: a member that changes sides (`HostState::changes_sides`) stays only while it leans
    /// toward the bloc's pole more than toward this one.
    pub rival: Option<usize>,
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
    /// Share by which the host's alignment moves toward `toward` (a new leader re-aligns).
    pub realign: f64,
    /// Where a realignment goes.
    pub toward: Toward,
    /// Added to the hedging of the host it strikes (a pole event: of every host): a trust shock.
    pub hedging: f64,
    /// Added to the tension of every dispute of the host it strikes (negative: a détente); for a pair
    /// event, of the one dispute it strikes.
    pub tension: f64,
    /// A pair event: each strike in a host is an incident in one of its disputes (`World::tensions`),
    /// which strikes the other state of the pair too (MODEL.md §1, "Events that strike a pair").
    pub pair: bool,
    /// Relative change of the pole's economic capacity (−0.3: flows fall by 30%).
    pub economy: f64,
    /// Relative change of the pole's presence in the region (−1: full withdrawal), permanent.
    pub presence: f64,
    /// Added to each host's grievance toward the struck pole, by host (a pole event; empty for a state
    /// event): trust lost, fading at `grievance_decay`.
    pub grievance: Vec<f64>,
}

/// Where an event's realignment moves a host's shares.
#[derive(Clone, Debug, PartialEq)]
pub enum Toward {
    /// Toward equal shares (a new leader re-balances).
    Equal,
    /// Toward one pole (its share toward 1).
    Pole(usize),
    /// Toward one pole drawn per strike with these probabilities, by pole (summing to 1).
    Drawn(Vec<f64>),
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
    /// The event struck the host this quarter (a pole event: struck its pole, for every host).
    Event(usize),
    /// A decision was taken this quarter: a named base admitted or closed (anywhere), or the host's
    /// own route or bloc decision.
    Decision(Decision),
    /// The host is a member of the bloc.
    Member(usize),
}

/// A decision a reaction can answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Named base `b` was admitted (`true`) or closed.
    Base(usize, bool),
    /// The host opened (`true`) or closed pole `p`'s route.
    Route(usize, bool),
    /// The host joined (`true`) or left bloc `b`.
    Bloc(usize, bool),
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
    /// Named bases, in file order.
    pub bases: Vec<Base>,
    /// Events, in file order.
    pub events: Vec<Event>,
    /// Reaction rules, in file order.
    pub reactions: Vec<Reaction>,
    /// Disputes between neighbouring states, in file order.
    pub tensions: Vec<Tension>,
    /// Forced events: `injects[(t * events + e) * states + h]` (pole events use `h = 0`).
    pub injects: Vec<bool>,
    /// The dispute of each inject of a pair event that names one (`[[inject]] pair`): its index into
    /// `injects`, and the dispute (`tensions`). An inject of a pair event not listed here draws its
    /// dispute as a strike by hazard does.
    pub inject_pairs: Vec<(usize, usize)>,
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

    /// Whether pole `p` has a base declared in host `h`.
    pub fn has_base(&self, h: usize, p: usize) -> bool {
        self.bases.iter().any(|b| b.host == h && b.pole == p)
    }

    /// Whether pole `p` hosts a base in host `h` at the start.
    pub fn hosts_at_start(&self, h: usize, p: usize) -> bool {
        self.bases
            .iter()
            .any(|b| b.host == h && b.pole == p && b.hosted)
    }

    /// Whether bloc `b`'s membership can change during a run: hosts decide it, it is founded after the
    /// start, or some state has a dated change of it.
    pub fn bloc_changes(&self, b: usize) -> bool {
        let bloc = &self.blocs[b];
        bloc.decided.is_some()
            || bloc.founded > 0
            || bloc.military
                && self
                    .states
                    .iter()
                    .any(|s| s.no_military_blocs_from.is_some())
            || self
                .states
                .iter()
                .any(|s| s.bloc_dates.iter().any(|d| d.bloc == b))
    }

    /// Whether any state hedges: the coefficient, some event's trust shock or a state's starting hedging.
    pub fn hedges(&self) -> bool {
        self.coefficients.hedging_weight > 0.0
            || self.events.iter().any(|e| e.hedging > 0.0)
            || self.states.iter().any(|h| h.hedging > 0.0)
    }

    /// Label of the `t`-th simulated quarter.
    pub fn quarter_label(&self, t: usize) -> Quarter {
        self.start.plus(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lever_table_is_in_the_order_of_lever_all() {
        for (i, lever) in Lever::ALL.into_iter().enumerate() {
            assert_eq!(LEVERS[i].lever, lever);
            assert_eq!(lever.index(), i);
        }
    }

    #[test]
    fn every_range_is_finite_and_holds_its_default() {
        for c in COEFFICIENTS {
            assert!(
                c.min.is_finite() && c.max.is_finite() && c.min < c.max,
                "{}",
                c.key
            );
            assert!((c.min..=c.max).contains(&c.default), "{}", c.key);
        }
        assert!(LEVERS.iter().all(|l| l.max.is_finite() && l.max > 0.0));
        let d = Coefficients::default();
        assert_eq!(Coefficients::from_values(d.values()), d);
    }
}
