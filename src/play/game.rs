//! A game: a scenario (by content and hash), a seed, a run count, how far it has been played, and the
//! journal of the moves made. The journal is the whole truth: the game's scenario is the scenario text
//! with every move written after it (`Game::scenario_text`): injects as `[[inject]]` entries, lever
//! settings as `[[lever]]` entries, and the changes of the plan (policies adopted, reaction rules and
//! hazards changed) as the entries of one `[[policy]]`, each with the quarter it applies from. So
//! replaying a game is running that text (with that policy, if there is one), and a game equals a
//! one-shot run of it by construction.

use serde::{Deserialize, Serialize};

use crate::model::{Lever, Plan, World};
use crate::output::ParametersRecord;
use crate::quarter::Quarter;
use crate::scenario::{sha256_hex, Scenario};

use super::PlayError;

/// The version of the game file format.
pub const GAME_FORMAT: u32 = 1;

/// The branch name of a game that has not been forked.
pub const MAIN_BRANCH: &str = "main";

/// A saved game (`greatgame play ... --save GAME`), stored as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Game {
    /// `GAME_FORMAT`.
    pub format: u32,
    /// The greatgame version that last saved the game.
    pub greatgame_version: String,
    /// The branch's name (`main` unless forked).
    pub branch: String,
    /// The branch this one was forked from and the quarters played at the fork, if forked.
    pub forked_from: Option<Fork>,
    /// The scenario file as first given (for messages).
    pub scenario_file: String,
    /// SHA-256 of `scenario`.
    pub scenario_sha256: String,
    /// The scenario's text, as it was when the game began (settings applied).
    pub scenario: String,
    /// Master seed: run i draws from stream (seed, i), in every branch.
    pub seed: u64,
    /// Number of runs.
    pub runs: u64,
    /// Quarters played so far (0: at the start; the scenario's `quarters`: at the horizon).
    pub played: usize,
    /// Quarters played at the end of the previous turn, for "since the last turn".
    pub previous: usize,
    /// The moves, in the order they were made.
    pub journal: Vec<Move>,
    /// Signposts watched (`--watch`), in the order given.
    pub watches: Vec<String>,
    /// The parameter ensemble the game's runs draw from (its file and SHA-256, as a manifest records
    /// it), or `None`: the game runs at the scenario's values as written (a game saved before games drew
    /// ensembles has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters: Option<ParametersRecord>,
}

/// Where a branch was forked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fork {
    /// The parent branch.
    pub branch: String,
    /// Quarters played at the fork.
    pub played: usize,
}

/// One move, made at a quarter (the first quarter not yet played when it was made).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Move {
    /// The quarter it takes effect, `YYYYQn`.
    pub quarter: String,
    /// What was done.
    pub action: Action,
}

/// What a move does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// An event forced in the quarter, in these states (empty: every state, or a pole event).
    Inject {
        /// The event's name.
        event: String,
        /// State codes.
        states: Vec<String>,
    },
    /// A lever set from the quarter on.
    Set(SetLever),
    /// A declared policy adopted from the quarter on: every change it makes (to levers, reaction
    /// rules and hazards), each from the quarter or from its own later `from`.
    Policy {
        /// The policy's name.
        name: String,
        /// Only in games saved before policies were adopted whole: the lever values the policy gave
        /// in the quarter, replayed as lever settings. Empty for a policy adopted whole.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        levers: Vec<SetLever>,
    },
    /// A reaction rule changed from the quarter on (`--set reaction.NAME.FIELD=VALUE`).
    Reaction(SetReaction),
    /// An event's hazard scaled from the quarter on (`--set event.NAME.hazard_scale=FACTOR`).
    Hazard(SetHazard),
}

impl Action {
    /// True if the move changes the plan (written into the game's policy), not the schedule or the
    /// injects.
    pub fn changes_plan(&self) -> bool {
        match self {
            Action::Policy { levers, .. } => levers.is_empty(),
            Action::Reaction(_) | Action::Hazard(_) => true,
            Action::Inject { .. } | Action::Set(_) => false,
        }
    }
}

/// A change of one reaction rule, as a `[[policy.reaction]]` entry gives it: the fields given replace
/// the rule's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetReaction {
    /// The rule's name.
    pub name: String,
    /// `false` switches the rule off, `true` on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Its chance per quarter, 0..=1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chance: Option<f64>,
    /// Its factor on the lever while active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// What it adds to the lever while active, in the lever's unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub add: Option<f64>,
}

/// An event's hazard multiplied by a factor (capped at 1), as a `[[policy.event]]` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetHazard {
    /// The event's name.
    pub event: String,
    /// The factor on its hazard.
    pub hazard_scale: f64,
}

/// One lever of one pole toward one state, set to a value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetLever {
    /// Pole name.
    pub pole: String,
    /// State code.
    pub state: String,
    /// Lever key (`aid_usd_m`).
    pub lever: String,
    /// The value, in the lever's unit.
    pub value: f64,
}

impl Game {
    /// A new game of `scenario_text` (already checked), at the start, on branch `main`.
    pub fn new(scenario_file: &str, scenario_text: &str, seed: u64, runs: u64) -> Game {
        Game {
            format: GAME_FORMAT,
            greatgame_version: env!("CARGO_PKG_VERSION").into(),
            branch: MAIN_BRANCH.into(),
            forked_from: None,
            scenario_file: scenario_file.into(),
            scenario_sha256: sha256_hex(scenario_text.as_bytes()),
            scenario: scenario_text.into(),
            seed,
            runs,
            played: 0,
            previous: 0,
            journal: Vec::new(),
            watches: Vec::new(),
            parameters: None,
        }
    }

    /// Reads a game from its JSON text; `file` names it in errors. Refuses another format and a
    /// scenario whose text no longer matches its hash.
    pub fn from_json(text: &str, file: &str) -> Result<Game, PlayError> {
        let game: Game = serde_json::from_str(text).map_err(|e| PlayError::GameFile {
            file: file.into(),
            message: format!("line {}, column {}: {e}", e.line(), e.column()),
        })?;
        if game.format != GAME_FORMAT {
            return Err(PlayError::GameFile {
                file: file.into(),
                message: format!(
                    "format {} is not the format this greatgame reads ({GAME_FORMAT})",
                    game.format
                ),
            });
        }
        if sha256_hex(game.scenario.as_bytes()) != game.scenario_sha256 {
            return Err(PlayError::GameFile {
                file: file.into(),
                message: "its scenario text does not match its scenario_sha256 (edited by hand?)"
                    .into(),
            });
        }
        Ok(game)
    }

    /// The game as pretty JSON.
    pub fn to_json(&self) -> String {
        // unwrap OK: every field is a plain string, number, list or struct of them.
        serde_json::to_string_pretty(self).unwrap() + "\n"
    }

    /// The game's scenario: the scenario text with every move of the journal written after it, as
    /// `[[inject]]` and `[[lever]]` entries at their quarters, and the plan's changes as the entries of
    /// one `[[policy]]` named `plan_name` (last, so its entries follow it). Running it (with that
    /// policy, if there is one, and drawing the game's parameter ensemble, if it has one) is replaying
    /// the game. A game without an ensemble runs at the values as written: its text has no
    /// `parameters` key.
    pub fn scenario_text(&self) -> Result<String, PlayError> {
        let text = match self.parameters {
            Some(_) => self.scenario.clone(),
            None => at_written_values(&self.scenario),
        };
        self.with_moves(text)
    }

    /// The game's scenario as `scenario_text` gives it, with `[scenario] parameters = path` (the
    /// game's ensemble as the scenario's folder, wherever it is written, finds it), so that running it
    /// draws what the game drew.
    pub fn export_text(&self, path: &str) -> Result<String, PlayError> {
        let mut doc = self
            .scenario
            .parse::<toml_edit::DocumentMut>()
            .map_err(|e| PlayError::GameFile {
                file: self.scenario_file.clone(),
                message: format!("its scenario no longer parses: {e}"),
            })?;
        let meta = doc
            .get_mut("scenario")
            .and_then(|t| t.as_table_like_mut())
            .ok_or_else(|| PlayError::GameFile {
                file: self.scenario_file.clone(),
                message: "its scenario has no [scenario] table".into(),
            })?;
        if meta.get("parameters").and_then(|v| v.as_str()) != Some(path) {
            meta.insert("parameters", toml_edit::value(path));
        }
        self.with_moves(doc.to_string())
    }

    /// `text` with the journal's moves written after it.
    fn with_moves(&self, mut text: String) -> Result<String, PlayError> {
        if self.journal.is_empty() {
            return Ok(text);
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!(
            "\n# Moves of the game (greatgame play, branch {}), in the order they were made.\n",
            self.branch
        ));
        for m in self.journal.iter().filter(|m| !m.action.changes_plan()) {
            text.push('\n');
            text.push_str(&move_toml(m));
        }
        let Some(name) = self.plan_name()? else {
            return Ok(text);
        };
        let doc = self.document()?;
        text.push_str(&format!(
            "\n# The game's plan: the policies adopted and the rules changed, each from its quarter\n\
             # (run this scenario with --policy {name}).\n[[policy]]\nname = {}\ndescription = {}\n",
            quote(&name),
            quote(&format!(
                "the moves of greatgame play, branch {}",
                self.branch
            ))
        ));
        for m in self.journal.iter().filter(|m| m.action.changes_plan()) {
            text.push('\n');
            text.push_str(&plan_toml(&doc, m)?);
        }
        Ok(text)
    }

    /// The name of the `[[policy]]` holding the game's plan, if a move changed the plan: the branch's
    /// name, or, if the scenario declares a policy of that name (or it is `baseline`), the branch's name
    /// followed by `_moves` until it is free.
    pub fn plan_name(&self) -> Result<Option<String>, PlayError> {
        if !self.journal.iter().any(|m| m.action.changes_plan()) {
            return Ok(None);
        }
        let doc = self.document()?;
        let declared: Vec<&str> = policies(&doc)
            .filter_map(|p| p.get("name").and_then(toml::Value::as_str))
            .collect();
        let mut name = self.branch.clone();
        while name == "baseline" || declared.contains(&name.as_str()) {
            name.push_str("_moves");
        }
        Ok(Some(name))
    }

    /// The scenario text as a TOML document (it was checked when the game began).
    fn document(&self) -> Result<toml::Table, PlayError> {
        self.scenario
            .parse::<toml::Table>()
            .map_err(|e| PlayError::GameFile {
                file: self.scenario_file.clone(),
                message: format!("its scenario no longer parses: {e}"),
            })
    }

    /// A copy of this game on a new branch `name`, forked at the quarters played.
    pub fn fork(&self, name: &str) -> Game {
        let mut g = self.clone();
        g.forked_from = Some(Fork {
            branch: self.branch.clone(),
            played: self.played,
        });
        g.branch = name.into();
        g
    }

    /// The label of the first quarter not yet played (where a move now takes effect).
    pub fn next_quarter(&self, world: &World) -> Quarter {
        world.start.plus(self.played)
    }
}

/// A TOML basic string holding `s`.
fn quote(s: &str) -> String {
    // JSON string escapes are TOML basic-string escapes.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

fn lever_toml(l: &SetLever, quarter: &str) -> String {
    format!(
        "[[lever]]\npole = {}\nstate = {}\nfrom = {}\n{} = {:?}\n",
        quote(&l.pole),
        quote(&l.state),
        quote(quarter),
        l.lever,
        l.value
    )
}

/// A move that does not change the plan, as scenario entries.
fn move_toml(m: &Move) -> String {
    match &m.action {
        Action::Inject { event, states } => {
            let mut t = format!(
                "[[inject]]\nevent = {}\nquarter = {}\n",
                quote(event),
                quote(&m.quarter)
            );
            if !states.is_empty() {
                let list: Vec<String> = states.iter().map(|s| quote(s)).collect();
                t.push_str(&format!("states = [{}]\n", list.join(", ")));
            }
            t
        }
        Action::Set(l) => lever_toml(l, &m.quarter),
        Action::Policy { name, levers } => {
            let mut t = format!("# policy {name}, its levers as adopted in {}\n", m.quarter);
            for l in levers {
                t.push_str(&lever_toml(l, &m.quarter));
            }
            t
        }
        Action::Reaction(_) | Action::Hazard(_) => String::new(),
    }
}

/// The `[[policy]]` tables of a scenario document.
fn policies(doc: &toml::Table) -> impl Iterator<Item = &toml::Table> {
    doc.get("policy")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_table)
}

/// A move that changes the plan, as entries of the game's `[[policy]]`, each with its `from`: a
/// policy's own entries copied, from the move's quarter or the entry's (or its policy's) later `from`.
fn plan_toml(doc: &toml::Table, m: &Move) -> Result<String, PlayError> {
    let entry = |kind: &str, mut table: toml::Table| {
        table.insert("from".into(), toml::Value::String(m.quarter.clone()));
        entry_toml(kind, &table)
    };
    let number = |x: f64| toml::Value::Float(x);
    Ok(match &m.action {
        Action::Reaction(r) => {
            let mut t = toml::Table::new();
            t.insert("name".into(), toml::Value::String(r.name.clone()));
            if let Some(on) = r.enabled {
                t.insert("enabled".into(), toml::Value::Boolean(on));
            }
            for (key, v) in [("chance", r.chance), ("scale", r.scale), ("add", r.add)] {
                if let Some(x) = v {
                    t.insert(key.into(), number(x));
                }
            }
            entry("reaction", t)
        }
        Action::Hazard(h) => {
            let mut t = toml::Table::new();
            t.insert("name".into(), toml::Value::String(h.event.clone()));
            t.insert("hazard_scale".into(), number(h.hazard_scale));
            entry("event", t)
        }
        Action::Policy { name, .. } => {
            let policy = policies(doc)
                .find(|p| p.get("name").and_then(toml::Value::as_str) == Some(name))
                .ok_or_else(|| PlayError::Move(format!("no policy `{name}` in the scenario")))?;
            let quarter: Quarter = m
                .quarter
                .parse()
                .map_err(|e| PlayError::Move(format!("{}: {e}", m.quarter)))?;
            let from_of = |t: &toml::Table| {
                t.get("from")
                    .and_then(toml::Value::as_str)
                    .and_then(|q| q.parse::<Quarter>().ok())
            };
            let policy_from = from_of(policy);
            let mut text = format!("# policy {name}, adopted from {}\n", m.quarter);
            for kind in ["change", "reaction", "event"] {
                let entries = policy.get(kind).and_then(toml::Value::as_array);
                for e in entries
                    .into_iter()
                    .flatten()
                    .filter_map(toml::Value::as_table)
                {
                    let own = from_of(e)
                        .or(policy_from)
                        .map_or(quarter, |f| f.max(quarter));
                    let mut table = e.clone();
                    table.insert("from".into(), toml::Value::String(own.to_string()));
                    text.push_str(&entry_toml(kind, &table));
                }
            }
            text
        }
        Action::Inject { .. } | Action::Set(_) => String::new(),
    })
}

/// One `[[policy.KIND]]` entry.
fn entry_toml(kind: &str, table: &toml::Table) -> String {
    // unwrap OK: a table of strings, numbers and booleans always serializes.
    format!("[[policy.{kind}]]\n{}", toml::to_string(table).unwrap())
}

/// Checks an inject of `event` into `states` (empty: every state) against `world`.
pub fn check_inject(world: &World, event: &str, states: &[String]) -> Result<(), PlayError> {
    let Some(ev) = world.events.iter().find(|e| e.name == event) else {
        return Err(PlayError::Unknown {
            what: "event",
            name: event.into(),
            allowed: world.events.iter().map(|e| e.name.clone()).collect(),
        });
    };
    if matches!(ev.target, crate::model::EventTarget::Pole(_)) && !states.is_empty() {
        return Err(PlayError::Move(format!(
            "--inject {event}: it strikes a pole, not states; give no --state"
        )));
    }
    for s in states {
        state_index(world, s)?;
    }
    Ok(())
}

fn state_index(world: &World, code: &str) -> Result<usize, PlayError> {
    world
        .states
        .iter()
        .position(|h| h.code == code)
        .ok_or_else(|| PlayError::Unknown {
            what: "state",
            name: code.into(),
            allowed: world.states.iter().map(|h| h.code.clone()).collect(),
        })
}

/// What `--set` takes: a lever, a reaction rule's field, or an event's hazard factor.
pub const SET_SYNTAX: &str = "expected POLE.STATE.LEVER=VALUE (NATO.UZB.aid_usd_m=50), \
     reaction.NAME.FIELD=VALUE with FIELD enabled, chance, scale or add \
     (reaction.russia_squeezes_migrants.chance=0.1), or event.NAME.hazard_scale=FACTOR";

/// Parses a `--set` move and checks it against `world`: `POLE.STATE.LEVER=VALUE` (known names, the
/// lever's range), `reaction.NAME.FIELD=VALUE` or `event.NAME.hazard_scale=FACTOR` (the ranges of
/// `[[policy.reaction]]` and `[[policy.event]]`). `reaction` and `event` are keywords unless a pole has
/// that name.
pub fn parse_set(world: &World, text: &str) -> Result<Action, PlayError> {
    let bad = |why: &str| PlayError::Move(format!("--set {text}: {why}"));
    let (path, value) = text.split_once('=').ok_or_else(|| bad(SET_SYNTAX))?;
    let parts: Vec<&str> = path.trim().split('.').collect();
    let [first, name, key] = parts[..] else {
        return Err(bad(SET_SYNTAX));
    };
    let value = value.trim();
    let number = |lo: f64, hi: f64| -> Result<f64, PlayError> {
        let x: f64 = value
            .parse()
            .map_err(|_| bad(&format!("`{value}` is not a number")))?;
        match x.is_finite() && (lo..=hi).contains(&x) {
            true => Ok(x),
            false => Err(bad(&format!("{x} is out of range, expected {lo}..={hi}"))),
        }
    };
    let keyword = world.pole_index(first).is_none();
    if keyword && first == "reaction" {
        if !world.reactions.iter().any(|r| r.name == name) {
            return Err(PlayError::Unknown {
                what: "reaction",
                name: name.into(),
                allowed: world.reactions.iter().map(|r| r.name.clone()).collect(),
            });
        }
        let mut r = SetReaction {
            name: name.into(),
            ..SetReaction::default()
        };
        match key {
            "enabled" => {
                r.enabled = Some(value.parse().map_err(|_| bad("enabled is true or false"))?)
            }
            "chance" => r.chance = Some(number(0.0, 1.0)?),
            "scale" => r.scale = Some(number(0.0, crate::scenario::MAX_SCALE)?),
            "add" => {
                let max = crate::scenario::MAX_ADD;
                r.add = Some(number(-max, max)?)
            }
            _ => {
                return Err(PlayError::Unknown {
                    what: "reaction field",
                    name: key.into(),
                    allowed: ["enabled", "chance", "scale", "add"]
                        .map(String::from)
                        .to_vec(),
                })
            }
        }
        return Ok(Action::Reaction(r));
    }
    if keyword && first == "event" {
        if !world.events.iter().any(|e| e.name == name) {
            return Err(PlayError::Unknown {
                what: "event",
                name: name.into(),
                allowed: world.events.iter().map(|e| e.name.clone()).collect(),
            });
        }
        if key != "hazard_scale" {
            return Err(bad(
                "an event's move is event.NAME.hazard_scale=FACTOR (its hazard times FACTOR, capped at 1)",
            ));
        }
        return Ok(Action::Hazard(SetHazard {
            event: name.into(),
            hazard_scale: number(0.0, crate::scenario::MAX_SCALE)?,
        }));
    }
    parse_lever(world, first, name, key, value).map_err(|e| match e {
        PlayError::Move(why) => bad(&why),
        e => e,
    })
}

/// Checks `pole`, `state`, `lever` and `value` of a lever setting against `world`.
fn parse_lever(
    world: &World,
    pole: &str,
    state: &str,
    lever: &str,
    value: &str,
) -> Result<Action, PlayError> {
    if world.pole_index(pole).is_none() {
        return Err(PlayError::Unknown {
            what: "pole (or `reaction`, `event`)",
            name: pole.into(),
            allowed: world.poles.clone(),
        });
    }
    state_index(world, state)?;
    let Some(kind) = Lever::from_key(lever) else {
        return Err(PlayError::Unknown {
            what: "lever",
            name: lever.into(),
            allowed: Lever::ALL.iter().map(|l| l.key().to_string()).collect(),
        });
    };
    let value: f64 = value
        .parse()
        .map_err(|_| PlayError::Move("the value is not a number".into()))?;
    let max = kind.max();
    let ok = match kind {
        Lever::BaseOffered => value == 0.0 || value == 1.0,
        _ => value.is_finite() && (0.0..=max).contains(&value),
    };
    if !ok {
        return Err(PlayError::Move(match kind {
            Lever::BaseOffered => "base_offered is exactly 0 or 1".to_string(),
            _ => format!(
                "{value} is out of range, expected 0..={max} ({})",
                kind_unit(kind)
            ),
        }));
    }
    Ok(Action::Set(SetLever {
        pole: pole.into(),
        state: state.into(),
        lever: lever.into(),
        value,
    }))
}

fn kind_unit(kind: Lever) -> &'static str {
    crate::model::LEVERS[kind.index()].unit
}

/// Checks that `name` is a declared policy of `sc`.
pub fn check_policy(sc: &Scenario, name: &str) -> Result<(), PlayError> {
    match sc.policies.iter().any(|p| p.name == name) {
        true => Ok(()),
        false => Err(PlayError::Unknown {
            what: "policy",
            name: name.into(),
            allowed: sc.policies.iter().map(|p| p.name.clone()).collect(),
        }),
    }
}

/// The plan a game's scenario runs: its `[[policy]]` named `plan` (the game's plan, from
/// `Game::plan_name`), or its baseline.
pub fn plan_of<'a>(sc: &'a Scenario, plan: Option<&str>) -> &'a Plan {
    plan.and_then(|n| sc.policies.iter().find(|p| p.name == n))
        .unwrap_or(&sc.baseline)
}

/// True if two plans give the same levers, hazards and reaction strengths in every quarter.
pub fn same_inputs(a: &Plan, b: &Plan) -> bool {
    a.levers == b.levers && a.hazards == b.hazards && a.reactions == b.reactions
}

/// The scenario `text` without its `[scenario] parameters` key, and a comment saying why: a game
/// without an ensemble (begun with `--parameters none`, or saved before games drew ensembles) runs at
/// the scenario's values as written (docs/SCENARIO.md, `parameters`), so a run of its exported scenario
/// must too. Any other text is returned as it is.
fn at_written_values(text: &str) -> String {
    let Ok(mut doc) = text.parse::<toml_edit::DocumentMut>() else {
        return text.to_string();
    };
    let removed = doc
        .get_mut("scenario")
        .and_then(|t| t.as_table_like_mut())
        .and_then(|t| t.remove("parameters"));
    let Some(file) = removed else {
        return text.to_string();
    };
    let file = file.as_str().unwrap_or("?").to_string();
    let mut text = doc.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "\n# This game runs at the values as written: the scenario's parameter ensemble ({file}) is\n\
         # not drawn, and its `parameters` key was removed from [scenario] (docs/PLAY.md).\n"
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;

    fn builtin() -> (Scenario, String) {
        let b = scenario::builtin().unwrap();
        (b.scenario, b.text)
    }

    #[test]
    fn a_game_round_trips_through_json_and_refuses_an_edited_scenario() {
        let (_, text) = builtin();
        let mut g = Game::new("x.toml", &text, 7, 100);
        g.journal.push(Move {
            quarter: "2019Q1".into(),
            action: Action::Inject {
                event: "colour_revolution".into(),
                states: vec!["UZB".into()],
            },
        });
        let json = g.to_json();
        assert_eq!(Game::from_json(&json, "g.json").unwrap(), g);
        let edited = json.replace("central_asia_2017", "central_asia_2018");
        let err = Game::from_json(&edited, "g.json").unwrap_err().to_string();
        assert!(
            err.contains("g.json") && err.contains("scenario_sha256"),
            "{err}"
        );
    }

    /// The scenario a game's text gives, and the game's plan in it.
    fn played(g: &Game) -> Scenario {
        Scenario::from_toml(&g.scenario_text().unwrap(), "game").unwrap()
    }

    #[test]
    fn moves_are_written_as_entries_the_scenario_reader_accepts() {
        let (sc, text) = builtin();
        let mut g = Game::new("x.toml", &text, 7, 100);
        g.played = 4;
        let at = |action| Move {
            quarter: "2019Q1".into(),
            action,
        };
        g.journal
            .push(at(parse_set(&sc.world, "NATO.UZB.aid_usd_m=50").unwrap()));
        g.journal.push(at(Action::Inject {
            event: "nato_drawdown".into(),
            states: vec![],
        }));
        let played = played(&g);
        assert_eq!(g.plan_name().unwrap(), None, "levers and injects only");
        let t = 4;
        let (h, p) = (3, 0); // UZB, NATO
        assert_eq!(
            played.baseline.lever_row(&played.world, t, h, p)[Lever::Aid.index()],
            50.0
        );
        assert_ne!(
            sc.baseline.lever_row(&sc.world, t, h, p)[Lever::Aid.index()],
            50.0
        );
        let e = played
            .world
            .events
            .iter()
            .position(|e| e.name == "nato_drawdown")
            .unwrap();
        assert!(played.world.injects[played.world.event_index(t, e, 0)]);
    }

    /// The built-in scenario with policy `name` applying from `quarter` instead of its own `from`.
    fn policy_from(text: &str, name: &str, quarter: &str) -> Plan {
        let item = toml_edit::Value::from(quarter);
        let edited = scenario::set_items(
            text,
            "x",
            &[(&format!("policy.{name}.from"), item, String::new())],
        )
        .unwrap();
        let sc = Scenario::from_toml(&edited, "x").unwrap();
        sc.policies.into_iter().find(|p| p.name == name).unwrap()
    }

    #[test]
    fn an_adopted_policy_is_the_policy_from_the_quarter_of_the_move_whatever_it_changes() {
        let (sc, text) = builtin();
        // Levers (scale: later steps of the schedule are scaled too), a reaction rule and a hazard.
        for name in ["china_doubles_lending", "nato_quiet_diplomacy"] {
            let mut g = Game::new("x.toml", &text, 7, 100);
            g.played = 4;
            g.journal.push(Move {
                quarter: "2019Q1".into(),
                action: Action::Policy {
                    name: name.into(),
                    levers: vec![],
                },
            });
            let played = played(&g);
            let plan = plan_of(&played, g.plan_name().unwrap().as_deref());
            assert_eq!(plan.name, MAIN_BRANCH);
            assert!(
                same_inputs(plan, &policy_from(&text, name, "2019Q1")),
                "{name}"
            );
            assert!(!same_inputs(plan, &sc.baseline), "{name}");
        }
    }

    #[test]
    fn plan_moves_compose_in_order_each_from_its_quarter() {
        let (sc, text) = builtin();
        let w = &sc.world;
        let mut g = Game::new("x.toml", &text, 7, 100);
        g.played = 4;
        let r = w
            .reactions
            .iter()
            .position(|r| r.name == "nato_cuts_aid_after_crackdown")
            .unwrap();
        let e = w
            .events
            .iter()
            .position(|e| e.name == "values_crisis")
            .unwrap();
        let moves = [
            (
                "2019Q1",
                "reaction.nato_cuts_aid_after_crackdown.chance=0.25",
            ),
            ("2019Q1", "event.values_crisis.hazard_scale=2"),
            (
                "2020Q1",
                "reaction.nato_cuts_aid_after_crackdown.enabled=false",
            ),
            ("2020Q1", "event.values_crisis.hazard_scale=0.5"),
        ];
        for (quarter, set) in moves {
            g.journal.push(Move {
                quarter: quarter.into(),
                action: parse_set(w, set).unwrap(),
            });
        }
        let played = played(&g);
        let plan = plan_of(&played, g.plan_name().unwrap().as_deref());
        let base = &sc.baseline;
        for t in 0..w.quarters {
            let (got, was) = (plan.reaction(w, t, r), base.reaction(w, t, r));
            let hazard = |p: &Plan| p.hazards[w.event_index(t, e, 0)];
            match t {
                0..4 => {
                    assert_eq!(got, was);
                    assert_eq!(hazard(plan), hazard(base));
                }
                4..8 => {
                    assert!(got.enabled && got.chance == 0.25 && got.scale == was.scale);
                    assert_eq!(hazard(plan), (2.0 * hazard(base)).min(1.0));
                }
                _ => {
                    assert!(!got.enabled && got.chance == 0.25);
                    assert_eq!(hazard(plan), (2.0 * hazard(base)).min(1.0) * 0.5);
                }
            }
        }
    }

    #[test]
    fn a_policy_saved_as_lever_values_by_an_earlier_greatgame_replays_as_those_levers() {
        let (sc, text) = builtin();
        let mut g = Game::new("x.toml", &text, 7, 100);
        g.played = 4;
        let json = g.to_json().replace(
            "\"journal\": []",
            r#""journal": [{"quarter": "2019Q1", "action": {"policy": {"name": "china_doubles_lending",
                "levers": [{"pole": "China", "state": "KGZ", "lever": "loans_usd_m", "value": 999.0}]}}}]"#,
        );
        let old = Game::from_json(&json, "old.json").unwrap();
        assert_eq!(old.plan_name().unwrap(), None);
        let played = played(&old);
        let (t, h, china) = (4, 1, 2);
        let loans =
            |s: &Scenario, t| s.baseline.lever_row(&s.world, t, h, china)[Lever::Loans.index()];
        assert_eq!(loans(&played, t), 999.0);
        assert_eq!(loans(&played, t - 1), loans(&sc, t - 1));
    }

    #[test]
    fn the_plan_is_named_after_the_branch_unless_the_scenario_has_that_name() {
        let (_, text) = builtin();
        let mut g = Game::new("x.toml", &text, 7, 100).fork("china_doubles_lending");
        g.journal.push(Move {
            quarter: "2019Q1".into(),
            action: Action::Hazard(SetHazard {
                event: "values_crisis".into(),
                hazard_scale: 2.0,
            }),
        });
        assert_eq!(
            g.plan_name().unwrap().as_deref(),
            Some("china_doubles_lending_moves")
        );
        assert!(played(&g)
            .policies
            .iter()
            .any(|p| p.name == "china_doubles_lending_moves"));
    }

    #[test]
    fn bad_moves_name_what_is_allowed() {
        let (sc, _) = builtin();
        let w = &sc.world;
        let err = parse_set(w, "NATO.UZB.aid=5").unwrap_err().to_string();
        assert!(err.contains("aid_usd_m"), "{err}");
        let err = parse_set(w, "NATO.XXX.aid_usd_m=5")
            .unwrap_err()
            .to_string();
        assert!(err.contains("UZB"), "{err}");
        let err = parse_set(w, "NATO.UZB.aid_usd_m=-5")
            .unwrap_err()
            .to_string();
        assert!(err.contains("out of range"), "{err}");
        let err = parse_set(w, "NATO.UZB.base_offered=0.5")
            .unwrap_err()
            .to_string();
        assert!(err.contains("exactly 0 or 1"), "{err}");
        let err = check_inject(w, "nato_drawdown", &["UZB".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("strikes a pole"), "{err}");
        let err = check_inject(w, "coup", &[]).unwrap_err().to_string();
        assert!(err.contains("colour_revolution"), "{err}");
        let err = check_policy(&sc, "nato_quiet").unwrap_err().to_string();
        assert!(err.contains("nato_quiet_diplomacy"), "{err}");
        for (bad, says) in [
            ("reaction.nope.chance=0.1", "nato_cuts_aid_after_crackdown"),
            (
                "reaction.nato_cuts_aid_after_crackdown.chance=1.5",
                "out of range",
            ),
            (
                "reaction.nato_cuts_aid_after_crackdown.duration=2",
                "enabled, chance",
            ),
            (
                "reaction.nato_cuts_aid_after_crackdown.enabled=maybe",
                "true or false",
            ),
            ("event.values_crisis.hazard=0.1", "hazard_scale"),
            ("event.values_crisis.hazard_scale=-1", "out of range"),
            ("event.nope.hazard_scale=2", "values_crisis"),
            ("NATO.UZB", "reaction.NAME.FIELD"),
        ] {
            let err = parse_set(w, bad).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
