//! Reading and validating scenario files: TOML in, a checked `Scenario` out.
//!
//! Owns every user-facing error about a scenario: syntax, types, unknown keys (from the toml crate, with
//! line and column), and ranges and cross references (checked here, pointing at the offending value).
//! Parsing (`raw`) and checking (`validate`) are separate stages; the rest of the crate accepts only the
//! checked types. Must not: run anything, write anything.

pub mod docs;
mod edit;
mod error;
mod raw;
mod schema;
mod suggest;
mod tables;
pub mod uncertain;
mod validate;
mod warnings;

use std::path::Path;

use sha2::{Digest, Sha256};

pub use edit::{set_in, set_items, set_values};
pub use error::{Located, ScenarioError};
pub use schema::json_schema;
pub use validate::{is_name, DEFAULT_RUNS, DEFAULT_SEED, MAX_QUARTERS, MAX_RUNS, NAME_RULE};
pub use validate::{FreeParam, CHECK_KINDS};
pub use warnings::{rest_point_note, warnings, Warning};

use crate::model::{Check, Plan, World};

/// The built-in baseline scenario, embedded in the binary.
pub const BUILTIN: &str = include_str!("../../scenarios/central_asia_2017.toml");
/// The name the built-in scenario goes by in messages and manifests.
pub const BUILTIN_NAME: &str = "<built-in>/central_asia_2017.toml";

/// What a scenario says about itself and its runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    /// Short name; names the output folder.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// What situation it describes.
    pub description: String,
    /// Runs when the command line gives none.
    pub runs: u64,
    /// Seed when the command line gives none.
    pub seed: u64,
}

/// A checked scenario: its world, the baseline plan and one plan per policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Name and run defaults.
    pub meta: Meta,
    /// The static world.
    pub world: World,
    /// The scenario as written.
    pub baseline: Plan,
    /// Each `[[policy]]`, in file order.
    pub policies: Vec<Plan>,
    /// Each `[[check]]`, in file order.
    pub checks: Vec<Check>,
    /// Each `[[calibrate]]` parameter, in file order.
    pub free: Vec<FreeParam>,
    /// Each `[[uncertain]]` number, in file order (`analysis::uncertain` draws and applies them).
    pub uncertain: Vec<uncertain::Uncertain>,
}

/// A scenario together with where it came from.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The checked scenario.
    pub scenario: Scenario,
    /// The file as the user named it (or `BUILTIN_NAME`).
    pub file: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    /// The file's text.
    pub text: String,
}

impl Scenario {
    /// Parses and checks `text`; errors name `file`.
    pub fn from_toml(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
        let raw: raw::RawScenario = toml::from_str(text)
            .map_err(|e| ScenarioError::Invalid(Box::new(Located::from_toml(file, text, &e))))?;
        validate::validate(&validate::Ctx { file, text }, raw)
    }
}

/// Reads and checks the scenario at `path`.
pub fn load(path: &Path) -> Result<Loaded, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|error| ScenarioError::Read {
        path: path.to_path_buf(),
        error,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|error| ScenarioError::NotText {
        path: path.to_path_buf(),
        error,
    })?;
    let file = path.display().to_string();
    let scenario = Scenario::from_toml(text, &file)?;
    Ok(Loaded {
        scenario,
        file,
        sha256: sha256_hex(&bytes),
        text: text.to_string(),
    })
}

/// Checks the scenario `text` that came from `file` (a path, or a name like `<stdin>`).
pub fn load_text(text: String, file: String) -> Result<Loaded, ScenarioError> {
    let scenario = Scenario::from_toml(&text, &file)?;
    Ok(Loaded {
        scenario,
        file,
        sha256: sha256_hex(text.as_bytes()),
        text,
    })
}

/// The built-in baseline scenario.
pub fn builtin() -> Result<Loaded, ScenarioError> {
    let scenario = Scenario::from_toml(BUILTIN, BUILTIN_NAME)?;
    Ok(Loaded {
        scenario,
        file: BUILTIN_NAME.to_string(),
        sha256: sha256_hex(BUILTIN.as_bytes()),
        text: BUILTIN.to_string(),
    })
}

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Scenario {
    /// Decisions and reactions the starting situation sets off at once: a base, route or membership whose
    /// share is already past its threshold, or a reaction whose share trigger already holds. Not errors
    /// (a scenario may mean them), but usually a sign the start is inconsistent. Judged on the starting
    /// shares and the baseline's first-quarter levers, before any mood or event.
    pub fn start_warnings(&self) -> Vec<String> {
        use crate::model::{Lever, Trigger};
        let w = &self.world;
        let c = &w.coefficients;
        let mut out = Vec::new();
        for (h, host) in w.states.iter().enumerate() {
            for (p, pole) in w.poles.iter().enumerate() {
                let share = host.alignment[p];
                let row = self.baseline.lever_row(w, 0, h, p);
                let offered = row[Lever::BaseOffered.index()] >= 0.5;
                if host.bases[p] && (share < c.base_evict_below || !offered) {
                    out.push(format!("{}: hosts {pole}'s base, but it closes in the first quarter ({pole} share {share:.3} < base_evict_below {:.3}, or base_offered = 0)", host.code, c.base_evict_below));
                }
                if !host.bases[p]
                    && offered
                    && !host.refuses_bases(0)
                    && share >= c.base_admit_above
                {
                    out.push(format!("{}: {pole} offers a base and its share {share:.3} >= base_admit_above {:.3}: admitted in the first quarter", host.code, c.base_admit_above));
                }
                let wanted = row[Lever::Transit.index()] > 0.0;
                if host.transit[p] && share < c.transit_close_below {
                    out.push(format!("{}: {pole}'s route is open, but its share {share:.3} < transit_close_below {:.3}: closed in the first quarter", host.code, c.transit_close_below));
                }
                if !host.transit[p] && wanted && share >= c.transit_open_above {
                    out.push(format!("{}: {pole} wants transit and its share {share:.3} >= transit_open_above {:.3}: opened in the first quarter", host.code, c.transit_open_above));
                }
            }
            for (b, bloc) in w.blocs.iter().enumerate() {
                let Some(rule) = bloc.decided else { continue };
                let share = host.alignment[bloc.pole];
                if host.blocs[b] && share < rule.leave_below {
                    out.push(format!("{}: a member of {}, but its {} share {share:.3} < leave_below {:.3}: leaves in the first quarter", host.code, bloc.name, w.poles[bloc.pole], rule.leave_below));
                }
                if !host.blocs[b] && !host.neutral && share >= rule.join_above {
                    out.push(format!("{}: not in {}, but its {} share {share:.3} >= join_above {:.3}: joins in the first quarter", host.code, bloc.name, w.poles[bloc.pole], rule.join_above));
                }
            }
            for (r, rule) in w.reactions.iter().enumerate() {
                if let Trigger::Share {
                    watch,
                    above,
                    level,
                } = rule.trigger
                {
                    let share = host.alignment[watch];
                    let holds = if above { share > level } else { share < level };
                    if rule.states[h] && holds && self.baseline.reaction(w, 0, r).enabled {
                        out.push(format!("{}: reaction {} is triggered from the start ({} share {share:.3} {} {level})", host.code, rule.name, w.poles[watch], if above { ">" } else { "<" }));
                    }
                }
            }
        }
        out
    }
}
