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

pub use edit::{rescale_shares, set_in, set_items, set_values};
pub use error::{too_large, Located, ScenarioError};
pub use schema::json_schema;
pub use validate::{is_name, DEFAULT_RUNS, DEFAULT_SEED, MAX_QUARTERS, MAX_RUNS, NAME_RULE};
pub use validate::{FreeParam, CHECK_KINDS, MAX_ADD, MAX_SCALE, SHARE_SUM_TOLERANCE};
pub use warnings::{rest_point_note, warnings, Warning};

use crate::model::{Check, Plan, World};

/// The built-in baseline scenario, embedded in the binary.
pub const BUILTIN: &str = include_str!("../../scenarios/central_asia_2017.toml");
/// The name the built-in scenario goes by in messages and manifests.
pub const BUILTIN_NAME: &str = "<built-in>/central_asia_2017.toml";
/// The files the built-in scenario can name (`scenario.parameters`), embedded beside it so that it
/// needs no file system: (name relative to the scenario, contents).
/// `ensemble_2017.csv` is the one it names; `ensemble_2005.csv` (the same sets without their starting
/// shares) is the one it named before the fifteenth session, which games saved then still name.
pub const BUILTIN_FILES: [(&str, &[u8]); 2] = [
    (
        "ensemble_2017.csv",
        include_bytes!("../../scenarios/ensemble_2017.csv"),
    ),
    (
        "ensemble_2005.csv",
        include_bytes!("../../scenarios/ensemble_2005.csv"),
    ),
];

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
    /// The parameter ensemble the runs draw from (`scenario.parameters`), if the scenario names one.
    pub parameters: Option<NamedFile>,
}

/// A file a scenario names, as written, and where it is named (for errors about the file).
#[derive(Clone, Debug, PartialEq)]
pub struct NamedFile {
    /// The path as written: relative to the scenario's folder unless absolute.
    pub path: String,
    /// Byte span of the value in the scenario text.
    pub span: std::ops::Range<usize>,
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
    /// Decisions and reactions the starting situation sets off at once: a base, route or membership the
    /// first quarter's decisions change, or a reaction whose share trigger already holds. Not errors (a
    /// scenario may mean them), but usually a sign the start is inconsistent. Judged by one quarter of
    /// the update on the baseline with no mood, no event and no reaction (`Shocks::quiet`, injects
    /// left out), so it follows the model's own decision rules.
    pub fn start_warnings(&self) -> Vec<String> {
        use crate::model::{OccurrenceKind, Occurrences, RunState, Shocks, Trigger};
        let w = &self.world;
        let mut out = Vec::new();
        let mut quiet = w.clone();
        quiet.injects.fill(false);
        let slots = Occurrences::new(&quiet);
        let mut state = RunState::initial(&quiet);
        let mut occurred = vec![false; slots.len()];
        let shocks = Shocks::quiet(&quiet);
        crate::model::step(
            &quiet,
            &self.baseline,
            &slots,
            0,
            &mut state,
            &shocks,
            &mut occurred,
        );
        for (slot, _) in slots.slots.iter().zip(&occurred).filter(|(_, &hit)| hit) {
            let Some(h) = slot.state else { continue };
            let code = &w.states[h].code;
            let what = match slot.kind {
                OccurrenceKind::BaseOpened => format!("admits base {} in the first quarter: its deal is worth more than its cost from the start", w.bases[slot.subject].name),
                OccurrenceKind::BaseClosed => format!("hosts base {}, but it closes in the first quarter (its deal is worth less than its cost, or base_offered = 0)", w.bases[slot.subject].name),
                OccurrenceKind::TransitOpened => format!("opens {}'s route in the first quarter: the pole wants it and its deal clears", w.poles[slot.subject]),
                OccurrenceKind::TransitClosed => format!("closes {}'s route in the first quarter (transit_usd_m = 0, or its deal is worth less than its cost)", w.poles[slot.subject]),
                OccurrenceKind::BlocJoined => format!("joins {} in the first quarter: its share is past join_above from the start", w.blocs[slot.subject].name),
                OccurrenceKind::BlocLeft => format!("leaves {} in the first quarter: its share is below leave_below from the start", w.blocs[slot.subject].name),
                OccurrenceKind::Event | OccurrenceKind::Reaction => continue,
            };
            out.push(format!("{code}: {what}"));
        }
        for (h, host) in w.states.iter().enumerate() {
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
