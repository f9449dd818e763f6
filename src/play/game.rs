//! A game: a scenario (by content and hash), a seed, a run count, how far it has been played, and the
//! journal of the moves made. The journal is the whole truth: the game's scenario is the scenario text
//! with every move written after it as an `[[inject]]` or `[[lever]]` entry (`Game::scenario_text`), so
//! replaying a game is running that text, and a game equals a one-shot run of it by construction.

use serde::{Deserialize, Serialize};

use crate::model::{Lever, Plan, World};
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
    /// A declared policy adopted from the quarter on, as the lever values it gives in that quarter.
    Policy {
        /// The policy's name.
        name: String,
        /// The levers it sets.
        levers: Vec<SetLever>,
    },
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
    /// `[[inject]]` and `[[lever]]` entries at their quarters. Running it is replaying the game.
    pub fn scenario_text(&self) -> String {
        let mut text = self.scenario.clone();
        if self.journal.is_empty() {
            return text;
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!(
            "\n# Moves of the game (greatgame play, branch {}), in the order they were made.\n",
            self.branch
        ));
        for m in &self.journal {
            text.push('\n');
            text.push_str(&move_toml(m));
        }
        text
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

/// One move as scenario entries.
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
            let mut t = format!("# policy {name}, adopted from {}\n", m.quarter);
            for l in levers {
                t.push_str(&lever_toml(l, &m.quarter));
            }
            t
        }
    }
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

/// Parses `POLE.STATE.LEVER=VALUE` and checks it against `world`: known names and the lever's range.
pub fn parse_set(world: &World, text: &str) -> Result<SetLever, PlayError> {
    let bad = |why: &str| PlayError::Move(format!("--set {text}: {why}"));
    let (path, value) = text
        .split_once('=')
        .ok_or_else(|| bad("expected POLE.STATE.LEVER=VALUE, like NATO.UZB.aid_usd_m=50"))?;
    let parts: Vec<&str> = path.trim().split('.').collect();
    let [pole, state, lever] = parts[..] else {
        return Err(bad(
            "expected POLE.STATE.LEVER=VALUE, like NATO.UZB.aid_usd_m=50",
        ));
    };
    if world.pole_index(pole).is_none() {
        return Err(PlayError::Unknown {
            what: "pole",
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
        .trim()
        .parse()
        .map_err(|_| bad("the value is not a number"))?;
    let max = kind.max();
    let ok = match kind {
        Lever::BaseOffered => value == 0.0 || value == 1.0,
        _ => value.is_finite() && (0.0..=max).contains(&value),
    };
    if !ok {
        return Err(bad(&match kind {
            Lever::BaseOffered => "base_offered is exactly 0 or 1".to_string(),
            _ => format!(
                "{value} is out of range, expected 0..={max} ({})",
                kind_unit(kind)
            ),
        }));
    }
    Ok(SetLever {
        pole: pole.into(),
        state: state.into(),
        lever: lever.into(),
        value,
    })
}

fn kind_unit(kind: Lever) -> &'static str {
    crate::model::LEVERS[kind.index()].unit
}

/// The lever values policy `name` of `sc` gives in quarter `t`, where they differ from the baseline's:
/// a policy adopted in play. A policy that changes reaction rules or event hazards cannot be written as
/// levers and is refused, as is one that changes no lever in quarter `t`.
pub fn policy_levers(sc: &Scenario, name: &str, t: usize) -> Result<Vec<SetLever>, PlayError> {
    let Some(policy) = sc.policies.iter().find(|p| p.name == name) else {
        return Err(PlayError::Unknown {
            what: "policy",
            name: name.into(),
            allowed: sc.policies.iter().map(|p| p.name.clone()).collect(),
        });
    };
    let (world, base) = (&sc.world, &sc.baseline);
    let r = world.reactions.len();
    let hazards_per = world.events.len() * world.states.len();
    if policy.reactions[t * r..] != base.reactions[t * r..]
        || policy.hazards[t * hazards_per..] != base.hazards[t * hazards_per..]
    {
        return Err(PlayError::Move(format!(
            "--policy {name}: it changes reaction rules or event hazards, which play cannot write as \
             a move; play its lever changes with --set, or compare it with `greatgame compare`"
        )));
    }
    let levers = lever_differences(world, policy, base, t);
    if levers.is_empty() {
        return Err(PlayError::Move(format!(
            "--policy {name}: it changes no lever in {} (it may start later: see its `from`)",
            world.quarter_label(t)
        )));
    }
    Ok(levers)
}

/// The levers in which `plan` differs from `base` in quarter `t`, as `plan`'s values.
fn lever_differences(world: &World, plan: &Plan, base: &Plan, t: usize) -> Vec<SetLever> {
    let mut out = Vec::new();
    for (h, host) in world.states.iter().enumerate() {
        for (p, pole) in world.poles.iter().enumerate() {
            let (mine, theirs) = (
                plan.lever_row(world, t, h, p),
                base.lever_row(world, t, h, p),
            );
            for lever in Lever::ALL {
                let i = lever.index();
                if mine[i] != theirs[i] {
                    out.push(SetLever {
                        pole: pole.clone(),
                        state: host.code.clone(),
                        lever: lever.key().into(),
                        value: mine[i],
                    });
                }
            }
        }
    }
    out
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

    #[test]
    fn moves_are_written_as_entries_the_scenario_reader_accepts() {
        let (sc, text) = builtin();
        let mut g = Game::new("x.toml", &text, 7, 100);
        g.played = 4;
        let set = parse_set(&sc.world, "NATO.UZB.aid_usd_m=50").unwrap();
        g.journal.push(Move {
            quarter: "2019Q1".into(),
            action: Action::Set(set),
        });
        g.journal.push(Move {
            quarter: "2019Q1".into(),
            action: Action::Inject {
                event: "nato_drawdown".into(),
                states: vec![],
            },
        });
        let levers = policy_levers(&sc, "china_doubles_lending", 4).unwrap();
        assert!(levers
            .iter()
            .all(|l| l.pole == "China" && l.lever == "loans_usd_m"));
        g.journal.push(Move {
            quarter: "2019Q1".into(),
            action: Action::Policy {
                name: "china_doubles_lending".into(),
                levers,
            },
        });
        let played = Scenario::from_toml(&g.scenario_text(), "game").unwrap();
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
        // The policy's loans hold from the quarter on, as written.
        let china = 2;
        for h in 0..sc.world.states.len() {
            let want = 2.0 * sc.baseline.lever_row(&sc.world, t, h, china)[Lever::Loans.index()];
            let got = played.baseline.lever_row(&played.world, t, h, china)[Lever::Loans.index()];
            assert_eq!(got, want.min(Lever::Loans.max()));
        }
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
        let err = policy_levers(&sc, "nato_quiet_diplomacy", 4)
            .unwrap_err()
            .to_string();
        assert!(err.contains("reaction rules or event hazards"), "{err}");
    }
}
