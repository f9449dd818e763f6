//! Runs whose parameters differ: the values each run draws for the scenario's `[[uncertain]]` numbers
//! (and the parameter set it takes from an ensemble, `--parameters`), and the world and plans those
//! values give.
//!
//! Public API (for `run`, `compare`, `explore` and anyone who varies a scenario):
//! - the uncertain numbers of a scenario: `Scenario::uncertain` (path, distribution, reason), in file
//!   order; a distribution maps a unit coordinate to a value with `Distribution::quantile`;
//! - [`apply`]: the checked scenario with given values written in for given paths (the scenario text
//!   edited with `scenario::set_values`, then validated again: any derived quantity, such as the
//!   affinities that make the start a rest point, follows the new values);
//! - [`Varied`]: what the engine needs to give every run its own values (`engine::PerRun`); its
//!   [`Varied::names`] and [`Varied::values`] give the values of any run without simulating it.
//!
//! Streams: run `i` draws its uncertain values from the ChaCha8 stream `i` of a key made from the seed
//! and a purpose tag (`Purpose::Uncertain`), one uniform per number in file order mapped through its
//! distribution, and picks its ensemble set from another (`Purpose::Ensemble`). Neither is the run's
//! model stream (`engine::run_rng`), so adding an uncertain number leaves the model's draws as they were;
//! and every plan of run `i` uses the same values (policies stay paired). Must not: do I/O.

use toml_edit::Value;

use super::design::Distribution;
use super::{below, stream_rng, unit, Purpose};
use crate::engine::PerRun;
use crate::model::{rest_point_affinity, Coefficients, Plan, World, COEFFICIENTS};
use crate::scenario::uncertain::Uncertain;
use crate::scenario::{self, Located, Scenario, ScenarioError};

/// An ensemble of parameter sets (a calibrated ensemble from `calibrate --ensemble`): each run takes
/// one set, drawn by weight (uniformly if the sets have no weights). Serialisable, so a shard's
/// partial result can carry the sets its runs drew from.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Ensemble {
    /// The dotted paths, one per column.
    pub names: Vec<String>,
    /// The sets, one value per name each.
    pub sets: Vec<Vec<f64>>,
    /// Each set's weight (non-negative, not all zero), or `None` for equal weights. ABC-SMC's
    /// particles carry importance weights; a run then takes set `j` with probability proportional to
    /// its weight.
    pub weights: Option<Vec<f64>>,
}

impl Ensemble {
    /// The ensemble without its columns for `paths` (those a factor or `--set` gives instead): the
    /// sets keep their order and weights, each without those values. A state's starting shares go
    /// together: a path giving one of them (`state.S.alignment.P`) drops every column of state S's
    /// start, so the value given rescales the shares the scenario writes, as it would without an
    /// ensemble, not a set's shares that no longer sum to 1 with it.
    pub fn without(mut self, paths: &[String]) -> Ensemble {
        let start = |path: &str| {
            let parts: Vec<&str> = path.split('.').collect();
            match parts.as_slice() {
                ["state", code, "alignment", _] => Some(code.to_string()),
                _ => None,
            }
        };
        let starts: Vec<String> = paths.iter().filter_map(|p| start(p)).collect();
        let keep: Vec<bool> = self
            .names
            .iter()
            .map(|n| !paths.contains(n) && start(n).is_none_or(|code| !starts.contains(&code)))
            .collect();
        retain_marked(&mut self.names, &keep);
        self.sets
            .iter_mut()
            .for_each(|set| retain_marked(set, &keep));
        self
    }

    /// The index of the set run `run` takes under `seed`: one word of the run's ensemble stream.
    pub fn pick(&self, seed: u64, run: u64) -> usize {
        let mut rng = stream_rng(seed, Purpose::Ensemble, run);
        match &self.weights {
            Some(weights) => super::abc::pick(&mut rng, weights),
            None => below(&mut rng, self.sets.len() as u64) as usize,
        }
    }

    /// The index of the set at unit coordinate `u` of a design (clamped to [0, 1]): the inverse of
    /// the distribution `pick` draws from, so a uniform `u` takes set `j` with the probability a run
    /// takes it (by weight, or `1/n` each). By weight: the first set whose cumulative weight exceeds
    /// `u` times the total (a set of weight 0 is never taken; `u = 1` takes the last set with weight);
    /// without weights: `⌊u·n⌋`, `u = 1` taking the last. Monotone in `u`, so a stratified or
    /// low-discrepancy coordinate spreads over the sets in file order.
    pub fn set_at(&self, u: f64) -> usize {
        let u = u.clamp(0.0, 1.0);
        let n = self.sets.len();
        let Some(weights) = &self.weights else {
            return ((u * n as f64) as usize).min(n.saturating_sub(1));
        };
        let target = u * weights.iter().sum::<f64>();
        let mut sum = 0.0;
        weights
            .iter()
            .position(|&w| {
                sum += w;
                target < sum
            })
            .or_else(|| weights.iter().rposition(|&w| w > 0.0))
            .unwrap_or(0)
    }
}

/// Keeps the items of `items` whose flag in `keep` is true.
fn retain_marked<T>(items: &mut Vec<T>, keep: &[bool]) {
    let mut flags = keep.iter();
    items.retain(|_| flags.next().copied().unwrap_or(true));
}

/// Why the text of an ensemble file is not one: where (1-based line, and column if one cell is at
/// fault) and what is wrong and allowed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}: {message}", match column { Some(c) => format!("{line}:{c}"), None => line.to_string() })]
pub struct EnsembleError {
    /// 1-based line of the file.
    pub line: usize,
    /// 1-based column (a CSV field's number), if one cell is at fault.
    pub column: Option<usize>,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// Columns of an ensemble file that are not parameters.
pub const ENSEMBLE_EXTRA_COLUMNS: [&str; 5] = ["set", "distance", "passed", "weight", "end_run"];

impl Ensemble {
    /// Reads the text of an ensemble file (`calibrate --ensemble`, `--parameters`,
    /// `scenario.parameters`): CSV with a header naming `set`, `distance` and `passed` (ignored here,
    /// as is `end_run`, the run an `--ends` file took each start from),
    /// optionally `weight` (each set's weight; without it the sets are equally likely), and one dotted
    /// path per other column, then one row per set. Nothing about the columns is assumed beyond that
    /// form: which paths a scenario can take is checked by [`Varied::new`].
    pub fn from_csv(bytes: &[u8]) -> Result<Ensemble, EnsembleError> {
        let bad = |line: usize, column: Option<usize>, message: String| EnsembleError {
            line,
            column,
            message,
        };
        let mut reader = csv::Reader::from_reader(bytes);
        let header = reader
            .headers()
            .map_err(|e| bad(1, None, e.to_string()))?
            .clone();
        let columns: Vec<(usize, String)> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| !ENSEMBLE_EXTRA_COLUMNS.contains(h))
            .map(|(i, h)| (i, h.to_string()))
            .collect();
        if columns.is_empty() {
            return Err(bad(
                1,
                None,
                "no parameter column: expected a header like `distance,model.economic_weight,...`"
                    .into(),
            ));
        }
        let weight_column = header.iter().position(|h| h == "weight");
        let mut sets = Vec::new();
        let mut weights = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let line = n + 2;
            let record = record.map_err(|e| bad(line, None, e.to_string()))?;
            let number = |i: usize, name: &str, ok: fn(f64) -> bool, expected: &str| {
                let cell = record.get(i).unwrap_or("");
                cell.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|&v| ok(v))
                    .ok_or_else(|| {
                        bad(
                            line,
                            Some(i + 1),
                            format!("{name} = `{cell}`, expected {expected}"),
                        )
                    })
            };
            if let Some(i) = weight_column {
                let positive = |w: f64| w.is_finite() && w >= 0.0;
                weights.push(number(
                    i,
                    "weight",
                    positive,
                    "a finite number of 0 or more",
                )?);
            }
            let set = columns
                .iter()
                .map(|(i, name)| number(*i, name, f64::is_finite, "a finite number"))
                .collect::<Result<Vec<f64>, EnsembleError>>()?;
            sets.push(set);
        }
        if sets.is_empty() {
            return Err(bad(
                2,
                None,
                "no parameter set: the file has a header only".into(),
            ));
        }
        if weight_column.is_some() && weights.iter().all(|&w| w == 0.0) {
            return Err(bad(
                2,
                None,
                "every weight is 0: expected at least one set with a positive weight".into(),
            ));
        }
        Ok(Ensemble {
            names: columns.into_iter().map(|(_, name)| name).collect(),
            sets,
            // Equal weights pick as no weights do (so a rejection ensemble gives the runs it always
            // gave).
            weights: (weights.windows(2).any(|w| w[0] != w[1])).then_some(weights),
        })
    }
}

/// The checked scenario `text` (named `file` in errors) with `values[k]` written in for `paths[k]`.
pub fn apply(
    text: &str,
    file: &str,
    paths: &[&str],
    values: &[f64],
) -> Result<Scenario, ScenarioError> {
    let assignments: Vec<(&str, Value, String)> = paths
        .iter()
        .zip(values)
        .map(|(&p, &v)| (p, Value::from(v), String::new()))
        .collect();
    Scenario::from_toml(&scenario::set_items(text, file, &assignments)?, file)
}

/// The values of one run of `uncertain` under `seed`, in order.
pub fn draw(uncertain: &[Uncertain], seed: u64, run: u64) -> Vec<f64> {
    let mut rng = stream_rng(seed, Purpose::Uncertain, run);
    uncertain
        .iter()
        .map(|u| u.distribution.quantile(unit(&mut rng)))
        .collect()
}

/// Worlds and plans already built, by the bits of the values that gave them.
type WorldCache = std::collections::BTreeMap<Vec<u64>, (World, Vec<Plan>)>;

/// Every run's own values and the world they give, for the engine.
#[derive(Debug)]
pub struct Varied {
    text: String,
    /// `text` without comments or layout, parsed once: the same scenario, copied for each run.
    compact: Option<toml_edit::DocumentMut>,
    /// Worlds already built, by their values' bits, when the values come from finite sets (choices, an
    /// ensemble's sets), so each distinct set is validated once.
    cache: Option<std::sync::Mutex<WorldCache>>,
    file: String,
    uncertain: Vec<Uncertain>,
    ensemble: Option<Ensemble>,
    seed: u64,
    plans: Vec<String>,
    /// Direct setters for every varied path, when each has one (`None`: runs validate the scenario
    /// with their values).
    direct: Option<Direct>,
}

/// What a direct setter writes: a number of the world that validation copies from the file unchanged
/// (after checking its range), so a run can write it into a copy of the world.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// `model.KEY`: the coefficient at this index of `Coefficients::values`.
    Coefficient(usize),
    /// `bloc.NAME.join_above` of the bloc at this index (hosts decide its membership).
    JoinAbove(usize),
    /// `bloc.NAME.leave_below` of the bloc at this index.
    LeaveBelow(usize),
    /// `event.NAME.KEY` of a state event at this index: one of its effects on the host.
    Effect(usize, Effect),
    /// `event.NAME.hazard` of the event at this index (an index into `Direct::hazards`).
    Hazard(usize),
    /// `state.CODE.reluctance.BLOC`: the reluctance of the state at this index toward the decided bloc.
    Reluctance(usize, usize),
    /// `state.CODE.alignment.POLE`: a starting share, the entry at this index of `Direct::shares` and
    /// the position of the pole in that state's `alignment` table as written.
    Share(usize, usize),
}

/// A state's starting shares as its `alignment` table is written, for the setters of starting shares:
/// they redo what `scenario::set_values` does to the text (`scenario::rescale_shares`, in the table's
/// order) and what validation does to the result (each share strictly between 0
/// and 1, the sum within its tolerance of 1, then divided by the sum in pole order).
#[derive(Clone, Debug, PartialEq)]
struct Shares {
    /// The state's index.
    state: usize,
    /// The pole index of each entry of the table, in the table's order.
    poles: Vec<usize>,
    /// The shares as written, in the table's order.
    written: Vec<f64>,
}

impl Shares {
    /// The starting shares of the state at index `h` of `world`, as the document `doc` writes them;
    /// `None` if they are not written as a table of plain numbers naming each pole once.
    fn of(doc: &toml_edit::DocumentMut, world: &World, h: usize) -> Option<Shares> {
        let code = world.states[h].code.as_str();
        let mut found = doc
            .get("state")?
            .as_array_of_tables()?
            .iter()
            .filter(|t| t.get("code").and_then(|c| c.as_str()) == Some(code));
        let (Some(table), None) = (found.next(), found.next()) else {
            return None;
        };
        let mut poles = Vec::new();
        let mut written = Vec::new();
        for (name, v) in table.get("alignment")?.as_table_like()?.iter() {
            poles.push(world.poles.iter().position(|p| p == name)?);
            written.push(v.as_float()?);
        }
        let mut sorted = poles.clone();
        sorted.sort_unstable();
        sorted.dedup();
        (sorted.len() == world.poles.len() && poles.len() == sorted.len()).then_some(Shares {
            state: h,
            poles,
            written,
        })
    }

    /// The shares in pole order as validation makes them from `written`; `None` where validation
    /// rejects them.
    fn validated(&self, written: &[f64]) -> Option<Vec<f64>> {
        let mut alignment = vec![0.0; written.len()];
        for (&p, &w) in self.poles.iter().zip(written) {
            if !(w > 0.0 && w < 1.0) {
                return None;
            }
            alignment[p] = w;
        }
        let sum: f64 = alignment.iter().sum();
        if (sum - 1.0).abs() > scenario::SHARE_SUM_TOLERANCE {
            return None;
        }
        alignment.iter_mut().for_each(|x| *x /= sum);
        Some(alignment)
    }
}

/// Where an event's `hazard` goes when the event has no scheduled hazards (`hazard_from`) and no plan
/// run changes it (`[[policy.event]]`): every quarter of every state the event's `hazard_by_state`
/// does not name, multiplied by the state's border factor when the event has `border_exposure`, as
/// `scenario::validate::events::hazards` writes it.
#[derive(Clone, Debug, PartialEq)]
struct HazardCells {
    /// The event's index.
    event: usize,
    /// Per state: whether its cells take the event's `hazard` (not named in `hazard_by_state`).
    follows: Vec<bool>,
    /// Whether the event has `border_exposure`: a cell is then `(hazard · (1 + km / 1000)).min(1)`.
    border: bool,
}

impl HazardCells {
    /// The cells of `event.NAME.hazard` for the event at index `event` of `world`, given the scenario
    /// as a document and the policies run; `None` where anything is not as `HazardCells` describes or
    /// not written as plain tables.
    fn of(
        doc: &toml_edit::DocumentMut,
        world: &World,
        event: usize,
        plans: &[String],
    ) -> Option<HazardCells> {
        let name = world.events[event].name.as_str();
        let named =
            |t: &dyn toml_edit::TableLike| t.get("name").and_then(|n| n.as_str()) == Some(name);
        let mut found = doc
            .get("event")?
            .as_array_of_tables()?
            .iter()
            .filter(|t| named(*t));
        let (Some(table), None) = (found.next(), found.next()) else {
            return None;
        };
        if table.contains_key("hazard_from") {
            return None;
        }
        let border = match table.get("border_exposure") {
            None => false,
            Some(b) => b.as_bool()?,
        };
        let mut follows = vec![true; world.states.len()];
        if let Some(by_state) = table.get("hazard_by_state") {
            for (code, _) in by_state.as_table_like()?.iter() {
                let h = world.states.iter().position(|s| s.code == code)?;
                follows[h] = false;
            }
        }
        // A policy run that changes the event: its plan's cells are scaled from a quarter on.
        if let Some(policies) = doc.get("policy") {
            for policy in policies.as_array_of_tables()?.iter() {
                let run = policy
                    .get("name")
                    .and_then(|n| n.as_str())
                    .is_some_and(|n| plans.iter().any(|p| p == n));
                let changes = match policy.get("event") {
                    None => false,
                    Some(toml_edit::Item::ArrayOfTables(changes)) => {
                        changes.iter().any(|t| named(t))
                    }
                    Some(toml_edit::Item::Value(toml_edit::Value::Array(changes))) => changes
                        .iter()
                        .any(|c| c.as_inline_table().is_none_or(|t| named(t))),
                    Some(_) => true,
                };
                if run && changes {
                    return None;
                }
            }
        }
        Some(HazardCells {
            event,
            follows,
            border,
        })
    }

    /// Writes `hazard` into its cells of every plan.
    fn write(&self, world: &World, plans: &mut [Plan], hazard: f64) {
        for (h, host) in world.states.iter().enumerate() {
            if !self.follows[h] {
                continue;
            }
            let x = if self.border {
                (hazard * (1.0 + host.afghan_border_km / 1000.0)).min(1.0)
            } else {
                hazard
            };
            for plan in plans.iter_mut() {
                for t in 0..world.quarters {
                    plan.hazards[world.event_index(t, self.event, h)] = x;
                }
            }
        }
    }
}

/// An effect of a state event on the host it strikes, with the range validation allows it
/// (`scenario::validate::events`; a value outside falls back to validation, which reports it).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Effect {
    /// `threat`, -1..=1.
    Threat,
    /// `regime`, -1..=1.
    Regime,
    /// `criticism` of an event with a critic pole, 0..=10.
    Criticism,
    /// `realign`, 0..=1.
    Realign,
}

impl Effect {
    /// The effect named `key` of `event`, if the event may have it.
    fn of(event: &crate::model::Event, key: &str) -> Option<Effect> {
        if event.target != crate::model::EventTarget::States {
            return None;
        }
        match key {
            "threat" => Some(Effect::Threat),
            "regime" => Some(Effect::Regime),
            "criticism" => event.critic.map(|_| Effect::Criticism),
            "realign" => Some(Effect::Realign),
            _ => None,
        }
    }

    /// The range validation allows.
    fn range(self) -> std::ops::RangeInclusive<f64> {
        match self {
            Effect::Threat | Effect::Regime => -1.0..=1.0,
            Effect::Criticism => 0.0..=10.0,
            Effect::Realign => 0.0..=1.0,
        }
    }

    /// The field of `event` it is.
    fn field(self, event: &mut crate::model::Event) -> &mut f64 {
        match self {
            Effect::Threat => &mut event.threat,
            Effect::Regime => &mut event.regime,
            Effect::Criticism => &mut event.criticism,
            Effect::Realign => &mut event.realign,
        }
    }
}

/// Every varied path resolved once to its place in the world, with the scenario as written to copy,
/// and what validation derives from those places.
#[derive(Debug)]
struct Direct {
    /// One target per name of `Varied::names`, in order.
    targets: Vec<Target>,
    /// The world of the scenario as written.
    world: World,
    /// Its baseline, for the rest point.
    baseline: Plan,
    /// The plans of the batch, as written (no target is in a plan).
    plans: Vec<Plan>,
    /// What validation fills in from the coefficients.
    defaults: scenario::uncertain::Defaults,
    /// The cells of each `Target::Hazard`.
    hazards: Vec<HazardCells>,
    /// The starting shares of each state a `Target::Share` sets.
    shares: Vec<Shares>,
}

impl Direct {
    /// Resolves every path of `names` to a target of `sc`, or `None` if one has none (it then needs
    /// the scenario validated again).
    fn new(text: &str, sc: &Scenario, names: &[&str], plan_names: &[String]) -> Option<Direct> {
        let plans = plans_of(sc, plan_names).ok()?;
        let doc = std::cell::OnceCell::new();
        let parsed = || {
            doc.get_or_init(|| text.parse::<toml_edit::DocumentMut>().ok())
                .as_ref()
        };
        let mut hazards = Vec::new();
        let mut hazard = |e: usize| {
            let cells = HazardCells::of(parsed()?, &sc.world, e, plan_names)?;
            hazards.push(cells);
            Some(Target::Hazard(hazards.len() - 1))
        };
        let mut shares: Vec<Shares> = Vec::new();
        let mut share = |h: usize, pole: &str| {
            let p = sc.world.poles.iter().position(|name| name == pole)?;
            let k = match shares.iter().position(|s| s.state == h) {
                Some(k) => k,
                None => {
                    shares.push(Shares::of(parsed()?, &sc.world, h)?);
                    shares.len() - 1
                }
            };
            let j = shares[k].poles.iter().position(|&q| q == p)?;
            Some(Target::Share(k, j))
        };
        let targets = names
            .iter()
            .map(|path| {
                let parts: Vec<&str> = path.split('.').collect();
                let bloc = |name: &str| {
                    sc.world
                        .blocs
                        .iter()
                        .position(|b| b.name == name && b.decided.is_some())
                };
                match parts.as_slice() {
                    ["model", key] => COEFFICIENTS
                        .iter()
                        .position(|c| c.key == *key)
                        .map(Target::Coefficient),
                    ["bloc", name, "join_above"] => bloc(name).map(Target::JoinAbove),
                    ["bloc", name, "leave_below"] => bloc(name).map(Target::LeaveBelow),
                    ["state", code, "reluctance", name] => {
                        let h = sc.world.states.iter().position(|s| s.code == *code)?;
                        bloc(name).map(|b| Target::Reluctance(h, b))
                    }
                    ["state", code, "alignment", pole] => {
                        let h = sc.world.states.iter().position(|s| s.code == *code)?;
                        share(h, pole)
                    }
                    ["event", name, "hazard"] => {
                        let e = sc.world.events.iter().position(|e| e.name == *name)?;
                        hazard(e)
                    }
                    ["event", name, key] => {
                        let e = sc.world.events.iter().position(|e| e.name == *name)?;
                        Effect::of(&sc.world.events[e], key).map(|f| Target::Effect(e, f))
                    }
                    _ => None,
                }
            })
            .collect::<Option<Vec<Target>>>()?;
        let defaults = scenario::uncertain::defaults(text)?;
        Some(Direct {
            targets,
            world: sc.world.clone(),
            baseline: sc.baseline.clone(),
            plans,
            defaults,
            hazards,
            shares,
        })
    }

    /// The world and plans with `values` written in, as validation would build them; `None` if a value
    /// is outside what its key allows (validation then reports it).
    fn apply(&self, values: &[f64]) -> Option<(World, Vec<Plan>)> {
        let mut world = self.world.clone();
        let mut plans = self.plans.clone();
        let mut coefficients = world.coefficients.values();
        // The starting shares as written, and the positions given so far, per entry of `shares`.
        let mut written: Vec<(Vec<f64>, Vec<bool>)> = self
            .shares
            .iter()
            .map(|s| (s.written.clone(), vec![false; s.written.len()]))
            .collect();
        for (&target, &v) in self.targets.iter().zip(values) {
            match target {
                Target::Share(k, j) => {
                    let (shares, given) = &mut written[k];
                    shares[j] = v;
                    given[j] = true;
                    scenario::rescale_shares(shares, given);
                }
                Target::Hazard(k) => {
                    if !(0.0..=1.0).contains(&v) {
                        return None;
                    }
                    self.hazards[k].write(&world, &mut plans, v);
                }
                Target::Coefficient(i) => {
                    let spec = &COEFFICIENTS[i];
                    if !(spec.min..=spec.max).contains(&v) {
                        return None;
                    }
                    coefficients[i] = v;
                }
                Target::Effect(e, effect) => {
                    if !effect.range().contains(&v) {
                        return None;
                    }
                    *effect.field(&mut world.events[e]) = v;
                }
                Target::Reluctance(h, b) => {
                    // The range `scenario::validate::states` allows.
                    if !(-1.0..=1.0).contains(&v) {
                        return None;
                    }
                    world.states[h].reluctance[b] = v;
                }
                Target::JoinAbove(b) | Target::LeaveBelow(b) => {
                    if !(0.0..=1.0).contains(&v) {
                        return None;
                    }
                    let h = world.blocs[b].decided.as_mut()?;
                    match target {
                        Target::JoinAbove(_) => h.join_above = v,
                        _ => h.leave_below = v,
                    }
                }
            }
        }
        if world
            .blocs
            .iter()
            .filter_map(|b| b.decided)
            .any(|h| h.leave_below >= h.join_above)
        {
            return None;
        }
        for (s, (shares, _)) in self.shares.iter().zip(&written) {
            world.states[s.state].alignment = s.validated(shares)?;
        }
        world.coefficients = Coefficients::from_values(coefficients);
        // What validation derives from the coefficients, derived again the same way.
        for (base, &default) in world.bases.iter_mut().zip(&self.defaults.default_security) {
            if default {
                base.security = world.coefficients.base_security;
            }
        }
        let derived = &self.defaults.derived_affinity;
        for (host, &d) in world.states.iter_mut().zip(derived) {
            if d {
                host.affinity.iter_mut().for_each(|a| *a = 0.0);
            }
        }
        let rest = rest_point_affinity(&world, &self.baseline);
        for ((host, &d), rest) in world.states.iter_mut().zip(derived).zip(rest) {
            if d {
                host.affinity = rest;
            }
        }
        Some((world, plans))
    }
}

/// Typed setters for a fixed list of paths of a checked scenario, resolved once (`explore` resolves
/// its factors' paths with them): the world and plans at given values are a copy of the scenario's
/// with the values written in and what validation derives from them derived again, exactly what
/// validating the scenario text with the values gives (tested), without parsing or validating it.
/// Paths with a setter: `model.KEY`, a decided bloc's `join_above` and `leave_below`, a state's
/// `reluctance` toward a decided bloc, a starting share (`state.CODE.alignment.POLE`: the shares not
/// given rescaled to make up the rest, as `--set` does; those given together stay as given), a state
/// event's `threat`, `regime`, `criticism` and `realign`,
/// and an event's `hazard` where that one number is its hazard everywhere (no scheduled hazards, no
/// policy changing it).
#[derive(Debug)]
pub struct Setters {
    direct: Direct,
    plans: Vec<String>,
}

impl Setters {
    /// Setters for `paths` of the checked scenario `sc` read from `text`, giving the plans named
    /// `plans` (`baseline` or a policy's name) in that order; `None` if some path has no setter or a
    /// plan does not exist.
    pub fn new(text: &str, sc: &Scenario, paths: &[&str], plans: &[String]) -> Option<Setters> {
        let direct = Direct::new(text, sc, paths, plans)?;
        Some(Setters {
            direct,
            plans: plans.to_vec(),
        })
    }

    /// The names of the plans `apply` gives, in order.
    pub fn plans(&self) -> &[String] {
        &self.plans
    }

    /// The world and plans with `values` (one per path, in order) written in; `None` if a value is
    /// outside what its key allows (validating the scenario then says why).
    pub fn apply(&self, values: &[f64]) -> Option<(World, Vec<Plan>)> {
        self.direct.apply(values)
    }
}

impl Varied {
    /// The varied runs of the checked scenario `sc` read from `text` (named `file`), under `seed`, for
    /// the plans named `plans` (`baseline` or a policy's name), with `ensemble`'s sets if given; `None`
    /// if nothing varies. Checks that each uncertain number's smallest and largest values are ones the
    /// scenario accepts (an error located at its path), and that the ensemble has sets.
    pub fn new(
        text: &str,
        file: &str,
        sc: &Scenario,
        ensemble: Option<Ensemble>,
        seed: u64,
        plans: &[String],
    ) -> Result<Option<Varied>, ScenarioError> {
        if sc.uncertain.is_empty() && ensemble.is_none() {
            return Ok(None);
        }
        for u in &sc.uncertain {
            let (low, high) = u.bounds();
            for v in [low, high] {
                apply(text, file, &[u.path.as_str()], &[v]).map_err(|e| {
                    let message = format!("{} = {v} (an end of its distribution) is not a value the scenario accepts: {e}", u.path);
                    ScenarioError::Invalid(Box::new(Located::at(
                        file,
                        text,
                        u.span.clone(),
                        "uncertain.path".into(),
                        message,
                    )))
                })?;
            }
        }
        let names: Vec<&str> = sc
            .uncertain
            .iter()
            .map(|u| u.path.as_str())
            .chain(
                ensemble
                    .iter()
                    .flat_map(|e| e.names.iter().map(String::as_str)),
            )
            .collect();
        let direct = Direct::new(text, sc, &names, plans);
        if let Some(e) = &ensemble {
            let invalid = |message: String| {
                ScenarioError::Invalid(Box::new(Located::at(
                    file,
                    text,
                    0..0,
                    "--parameters".into(),
                    message,
                )))
            };
            if e.sets.is_empty() {
                return Err(invalid("the parameter file holds no set".into()));
            }
            // Every set is tried now, so that no run can fail on one later.
            let paths: Vec<&str> = e.names.iter().map(String::as_str).collect();
            for (i, set) in e.sets.iter().enumerate() {
                // A coefficient outside its range is named by its row and column of the file.
                for (k, (name, &v)) in e.names.iter().zip(set).enumerate() {
                    let spec = name
                        .strip_prefix("model.")
                        .and_then(|key| COEFFICIENTS.iter().find(|c| c.key == key));
                    if let Some(c) = spec.filter(|c| !(c.min..=c.max).contains(&v)) {
                        return Err(invalid(format!(
                            "set {i} of the parameter file (line {}, parameter column {}): {name} = {v} is out of range, expected {}..={}",
                            i + 2,
                            k + 1,
                            c.min,
                            c.max
                        )));
                    }
                }
                // Where the direct setters take the set, the world is the one validation would build
                // (`direct_setters_give_exactly_the_world_validation_gives`): no need to validate.
                let quick = direct.as_ref().filter(|_| sc.uncertain.is_empty());
                if quick.is_some_and(|d| d.apply(set).is_some()) {
                    continue;
                }
                apply(text, file, &paths, set).map_err(|err| {
                    invalid(format!(
                        "set {i} of the parameter file (line {}) does not give a valid scenario: {err}",
                        i + 2
                    ))
                })?;
            }
        }
        Ok(Some(Varied {
            direct,
            compact: compact(text),
            cache: sc
                .uncertain
                .iter()
                .all(|u| matches!(u.distribution, Distribution::Choices(_)))
                .then(Default::default),
            text: text.to_string(),
            file: file.to_string(),
            uncertain: sc.uncertain.clone(),
            ensemble,
            seed,
            plans: plans.to_vec(),
        }))
    }

    /// The paths each run sets: the uncertain numbers in file order, then the ensemble's columns (a path
    /// in both takes the ensemble's value, applied last).
    pub fn names(&self) -> Vec<&str> {
        let ensemble = self.ensemble.iter().flat_map(|e| &e.names);
        self.uncertain
            .iter()
            .map(|u| u.path.as_str())
            .chain(ensemble.map(String::as_str))
            .collect()
    }

    /// Run `run`'s values, in the order of `names`.
    pub fn values(&self, run: u64) -> Vec<f64> {
        let mut values = draw(&self.uncertain, self.seed, run);
        if let Some(e) = &self.ensemble {
            values.extend(&e.sets[e.pick(self.seed, run)]);
        }
        values
    }

    /// True if every varied path has a direct setter (those of [`Setters`]), so a run's world is a
    /// copy of the scenario's with its values written in, not the scenario validated again.
    pub fn is_direct(&self) -> bool {
        self.direct.is_some()
    }

    /// The ensemble the runs take their sets from, if any.
    pub fn ensemble(&self) -> Option<&Ensemble> {
        self.ensemble.as_ref()
    }

    /// The ensemble set run `run` takes, if there is an ensemble.
    pub fn set_of(&self, run: u64) -> Option<usize> {
        self.ensemble.as_ref().map(|e| e.pick(self.seed, run))
    }
}

/// The plans of `sc` named `names` (`baseline` or a policy's name), in order.
fn plans_of(sc: &Scenario, names: &[String]) -> Result<Vec<Plan>, String> {
    names
        .iter()
        .map(|name| match name.as_str() {
            "baseline" => Ok(sc.baseline.clone()),
            _ => sc
                .policies
                .iter()
                .find(|p| &p.name == name)
                .cloned()
                .ok_or_else(|| format!("no policy `{name}`")),
        })
        .collect()
}

/// `text` with every comment and blank line removed, and parsed, if it parses: the same tables, keys
/// and values.
fn compact(text: &str) -> Option<toml_edit::DocumentMut> {
    fn strip(table: &mut toml_edit::Table) {
        table.fmt();
        table.decor_mut().clear();
        for (_, item) in table.iter_mut() {
            match item {
                toml_edit::Item::Table(t) => strip(t),
                toml_edit::Item::ArrayOfTables(a) => a.iter_mut().for_each(strip),
                _ => {}
            }
        }
    }
    let mut doc: toml_edit::DocumentMut = text.parse().ok()?;
    strip(doc.as_table_mut());
    doc.set_trailing("");
    Some(doc)
}

/// Most worlds the cache keeps (about 100 KB each for the shipped scenarios): beyond, runs build their
/// own.
const CACHE_MAX: usize = 4096;

impl PerRun for Varied {
    /// The ensemble set run `run` takes, when that is all that varies (no `[[uncertain]]` number): runs
    /// of one set have one world. A continuous draw gives each run its own.
    fn group(&self, run: u64) -> Option<u64> {
        match self.uncertain.is_empty() {
            true => self.set_of(run).map(|set| set as u64),
            false => None,
        }
    }

    fn world(&self, run: u64) -> Result<(World, Vec<Plan>), String> {
        let values = self.values(run);
        if let Some(built) = self.direct.as_ref().and_then(|d| d.apply(&values)) {
            return Ok(built);
        }
        let names = self.names();
        // The compact text validates as the file does; an error is reported against the file itself,
        // so that its line and column are the user's.
        let key: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        if let Some(cache) = &self.cache {
            let cache = cache.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(found) = cache.get(&key) {
                return Ok(found.clone());
            }
        }
        let built = match &self.compact {
            Some(doc) => {
                let mut doc = doc.clone();
                let items: Vec<(&str, Value, String)> = names
                    .iter()
                    .zip(&values)
                    .map(|(&p, &v)| (p, Value::from(v), String::new()))
                    .collect();
                scenario::set_in(&mut doc, &self.file, &items)
                    .and_then(|()| Scenario::from_toml(&doc.to_string(), &self.file))
            }
            None => apply(&self.text, &self.file, &names, &values),
        };
        let sc = built.map_err(|_| match apply(&self.text, &self.file, &names, &values) {
            Err(e) => e.to_string(),
            Ok(_) => "the scenario without its comments does not validate as it does with them"
                .to_string(),
        })?;
        let plans = plans_of(&sc, &self.plans)?;
        if let Some(cache) = &self.cache {
            let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() < CACHE_MAX {
                cache.insert(key, (sc.world.clone(), plans.clone()));
            }
        }
        Ok((sc.world, plans))
    }
}

/// The most runs [`ends`] tries for one set before giving up on finding one that meets its checks.
pub const ENDS_TRIES: u64 = 1000;

/// Where one set of an ensemble leaves a scenario: the run that gave it, and its shares at the last
/// quarter, by state then pole.
#[derive(Clone, Debug, PartialEq)]
pub struct End {
    /// The run index (its model stream under the seed).
    pub run: u64,
    /// The shares at the last quarter, `[h * poles + p]`.
    pub shares: Vec<f64>,
}

/// Where each set of `ensemble` leaves the checked scenario `sc` (read from `text`, named `file`),
/// simulated with the set's values written in: for set `j` of `n`, the first of runs `j`, `j + n`,
/// `j + 2n`, … (each its own model stream under `seed`, as in any batch) that meets every check of
/// `meets` (as a sample of one run: a check asking for at least a share of runs holds in it, one asking
/// for at most a share does not), at most [`ENDS_TRIES`] of them; with no checks, run `j`. A scenario
/// that starts where this one ends can give these as its starting shares, set by set (`hindcast
/// --ends`), so its runs start as spread as the history leaves them, and (with `meets`) only where the
/// history's runs agree with the facts its start assumes. Errors: a set the scenario rejects, or one
/// with no run meeting the checks.
pub fn ends(
    text: &str,
    file: &str,
    sc: &Scenario,
    ensemble: &Ensemble,
    seed: u64,
    meets: &[crate::model::Check],
) -> Result<Vec<End>, ScenarioError> {
    let paths: Vec<&str> = ensemble.names.iter().map(String::as_str).collect();
    let baseline = ["baseline".to_string()];
    let setters = Setters::new(text, sc, &paths, &baseline);
    let sets = Sets {
        text,
        file,
        paths: &paths,
        ensemble,
        setters: setters.as_ref(),
    };
    let failed = |message: String| {
        ScenarioError::Invalid(Box::new(Located::nowhere(file, String::new(), message)))
    };
    let n = ensemble.sets.len() as u64;
    let mut ends = Vec::with_capacity(ensemble.sets.len());
    for j in 0..n {
        // The set's world, built once for all its tries (a set the scenario rejects is its error).
        let (world, plans) = sets.build(j as usize)?;
        let found = (0..ENDS_TRIES).map(|k| j + k * n).find_map(|run| {
            let batch = crate::engine::Batch {
                world: &world,
                plans: &plans,
                first_run: run,
                runs: 1,
                seed,
                threads: Some(1),
                checks: meets,
                keep_finals: true,
                keep_trajectories: false,
                varied: None,
            };
            let mut shares = Vec::new();
            let outcome = crate::engine::simulate(&batch, |chunk| {
                if let Some(f) = chunk.finals.first() {
                    shares = f.state.alignment.clone();
                }
                Ok::<(), std::convert::Infallible>(())
            });
            let outcome = match outcome {
                Ok(o) => o,
                Err(e) => return Some(Err(failed(e.to_string()))),
            };
            let held = &outcome.tallies[0].checks;
            let agrees = meets.iter().zip(held).all(|(c, &h)| c.passes(f64::from(h)));
            agrees.then_some(Ok(End { run, shares }))
        });
        match found {
            Some(end) => ends.push(end?),
            None => {
                let names: Vec<&str> = meets.iter().map(|c| c.name.as_str()).collect();
                return Err(failed(format!(
                    "set {j}: none of its first {ENDS_TRIES} runs meets every check of {}",
                    names.join(", ")
                )));
            }
        }
    }
    Ok(ends)
}

/// The names of the columns [`ends`] gives for `world`: `state.CODE.alignment.POLE`, by state then pole.
pub fn end_columns(world: &World) -> Vec<String> {
    world
        .states
        .iter()
        .flat_map(|s| {
            world
                .poles
                .iter()
                .map(move |p| format!("state.{}.alignment.{p}", s.code))
        })
        .collect()
}

/// The sets of an ensemble, each built into the world and baseline it gives (for [`ends`]).
#[derive(Debug)]
struct Sets<'a> {
    text: &'a str,
    file: &'a str,
    paths: &'a [&'a str],
    ensemble: &'a Ensemble,
    setters: Option<&'a Setters>,
}

impl Sets<'_> {
    /// The world and baseline of set `j`.
    fn build(&self, j: usize) -> Result<(World, Vec<Plan>), ScenarioError> {
        let set = &self.ensemble.sets[j];
        if let Some(built) = self.setters.and_then(|s| s.apply(set)) {
            return Ok(built);
        }
        let sc = apply(self.text, self.file, self.paths, set)?;
        Ok((sc.world, vec![sc.baseline]))
    }
}
