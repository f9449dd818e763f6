//! Options for driving greatgame from scripts and analysts' tools (EMA Workbench, process pools):
//! `--set`, `--set-file`, a scenario on standard input, `--policy`, `--outputs`, `--json` and
//! `GREATGAME_THREADS`. Reading and editing the scenario text happens here, before it is validated, so
//! a bad setting is reported like a bad line of the file.

use std::io::Read;
use std::path::Path;

use greatgame::model::Plan;
use greatgame::scenario::{self, Loaded, ScenarioError};

use super::execute::Options;
use super::InputError;

/// The scenario name used in messages when it is read from standard input (`greatgame run -`).
pub const STDIN_NAME: &str = "<stdin>";

/// The environment variable giving the worker threads when `--threads` is absent.
pub const THREADS_ENV: &str = "GREATGAME_THREADS";

/// The files `--outputs` may choose among.
pub const OUTPUT_KINDS: [&str; 10] = [
    "summary",
    "outcomes",
    "events",
    "runs",
    "trajectories",
    "compare",
    "hindcast",
    "paired",
    "paired_outcomes",
    "robust",
];

/// Scripting options shared by `run`, `compare` and `hindcast`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Script {
    /// Set one scenario value before validation, as `PATH=VALUE` with the dotted paths of
    /// `[[calibrate]]` (`model.KEY`, `SECTION.NAME.KEY`); VALUE is TOML (a number, `true`, `"text"`).
    /// Repeatable; applied after --set-file.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Read settings from FILE, one `PATH = VALUE` a line (blank lines and `#` comments skipped).
    #[arg(long, value_name = "FILE")]
    pub set_file: Option<std::path::PathBuf>,
    /// Run this declared [[policy]] instead of the baseline (compare: the baseline and this policy only).
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// Print the horizon table as JSON on stdout, one object per plan, and write no files.
    #[arg(long)]
    pub json: bool,
    /// Write only these outputs (comma-separated among summary, outcomes, events, runs, trajectories,
    /// compare, hindcast, paired, paired_outcomes, robust); the manifest lists only them.
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = clap::builder::PossibleValuesParser::new(OUTPUT_KINDS))]
    pub outputs: Option<Vec<String>>,
}

impl Script {
    /// Whether the output file `name` (`summary.csv`, `runs.csv.gz`) is to be written; without
    /// `--outputs`, `default`.
    pub fn wants(&self, name: &str, default: bool) -> bool {
        match &self.outputs {
            Some(list) => list.iter().any(|kind| name.split('.').next() == Some(kind)),
            None => default,
        }
    }
}

/// `opts` with `--outputs` applied to `--summary-only` and `--trajectories` (which then follow the list).
pub fn resolve(opts: &Options) -> Options {
    let mut opts = opts.clone();
    if opts.script.outputs.is_some() {
        opts.summary_only = !opts.script.wants("runs", true);
        opts.trajectories = opts.script.wants("trajectories", false);
    }
    opts
}

/// Refuses `--report` where it cannot be written: with `--json` (no files) or with an `--outputs`
/// list without `summary` (the report is drawn from summary.csv).
pub fn check_report(script: &Script, report: bool) -> Result<(), InputError> {
    if report && script.json {
        return Err(InputError(
            "--report cannot be combined with --json, which writes no files".into(),
        ));
    }
    if report && !script.wants("summary", true) {
        return Err(InputError(
            "--report needs summary.csv: add `summary` to --outputs".into(),
        ));
    }
    Ok(())
}

/// Reads the scenario at `path` (`-`: standard input; none: the built-in one), applies the settings
/// of `script`, and checks the result. The loaded text and its hash are those of the edited scenario.
pub fn load(path: Option<&Path>, script: &Script) -> anyhow::Result<Loaded> {
    let (text, file) = match path {
        None => {
            let builtin = scenario::builtin()?;
            (builtin.text, builtin.file)
        }
        Some(p) if p == Path::new("-") => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|error| ScenarioError::Read {
                    path: STDIN_NAME.into(),
                    error,
                })?;
            (
                decode(bytes, Path::new(STDIN_NAME))?,
                STDIN_NAME.to_string(),
            )
        }
        Some(p) => {
            let bytes = std::fs::read(p).map_err(|error| ScenarioError::Read {
                path: p.to_path_buf(),
                error,
            })?;
            (decode(bytes, p)?, p.display().to_string())
        }
    };
    let settings = settings(script)?;
    // Parsed once and set one setting at a time (`set_in`), so that an error names its setting. A
    // file that does not parse keeps its text: reading it reports the syntax error at its place.
    let text = match text.parse::<toml_edit::DocumentMut>() {
        Ok(mut doc) if !settings.is_empty() => {
            for s in &settings {
                let item = [(s.path.as_str(), s.value.clone(), String::new())];
                scenario::set_in(&mut doc, &file, &item).map_err(|e| s.blame(e))?;
            }
            doc.to_string()
        }
        _ => text,
    };
    scenario::load_text(text, file).map_err(|e| match blamed(&settings, &e) {
        Some(s) => s.blame(e),
        None => e.into(),
    })
}

/// The last of `settings` that set the value `err` is about (its key is the setting's path, or lies
/// inside or around it: `state.KAZ.alignment` for `state.KAZ.alignment.Russia`), if any.
fn blamed<'s>(settings: &'s [Setting], err: &ScenarioError) -> Option<&'s Setting> {
    let ScenarioError::Invalid(at) = err else {
        return None;
    };
    let within = |outer: &str, inner: &str| {
        inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with('.'))
    };
    settings
        .iter()
        .rev()
        .find(|s| !at.key.is_empty() && (within(&s.path, &at.key) || within(&at.key, &s.path)))
}

fn decode(bytes: Vec<u8>, path: &Path) -> Result<String, ScenarioError> {
    String::from_utf8(bytes).map_err(|e| ScenarioError::NotText {
        path: path.to_path_buf(),
        error: e.utf8_error(),
    })
}

/// The paths `--set-file` and `--set` give values for, in order (a path may repeat).
pub fn set_paths(script: &Script) -> anyhow::Result<Vec<String>> {
    Ok(settings(script)?.into_iter().map(|s| s.path).collect())
}

/// One value set from the command line or a settings file.
#[derive(Debug)]
struct Setting {
    /// The dotted path (`model.mood_sd`).
    path: String,
    /// The value, as TOML.
    value: toml_edit::Value,
    /// Where it was given: `--set model.mood_sd=-1`, or `FILE:LINE` of `--set-file`.
    at: String,
}

impl Setting {
    /// `err`, which this setting caused, said to come from it: the lines an error shows are those of
    /// the scenario as edited, which the user's file does not hold.
    fn blame(&self, err: ScenarioError) -> anyhow::Error {
        anyhow::Error::new(err).context(self.at.clone())
    }
}

/// The settings of `--set-file` then `--set`, in order.
fn settings(script: &Script) -> anyhow::Result<Vec<Setting>> {
    let mut out = Vec::new();
    if let Some(file) = &script.set_file {
        let text = std::fs::read_to_string(file).map_err(|e| {
            InputError(format!(
                "--set-file {}: cannot read it: {e}",
                file.display()
            ))
        })?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = format!("{}:{}", file.display(), n + 1);
            out.push(setting(line, '=', &at)?);
        }
    }
    for s in &script.set {
        out.push(setting(s, '=', &format!("--set {s}"))?);
    }
    Ok(out)
}

/// Parses `PATH<sep>VALUE`; VALUE is a TOML value, or else taken as a string.
fn setting(text: &str, sep: char, at: &str) -> Result<Setting, InputError> {
    let Some((path, value)) = text.split_once(sep) else {
        return Err(InputError(format!(
            "{at}: expected `PATH = VALUE`, like `model.mood_sd = 0.3` or `event.spillover.hazard = 0.02`"
        )));
    };
    let (path, value) = (path.trim(), value.trim());
    if path.is_empty() || value.is_empty() {
        return Err(InputError(format!(
            "{at}: expected `PATH = VALUE` with both a path and a value"
        )));
    }
    // A number too large for a float is not a string the user meant: say so here.
    if value.parse::<f64>().is_ok_and(f64::is_infinite)
        && !value.trim_start_matches(['+', '-']).starts_with("inf")
    {
        return Err(InputError(format!("{at}: {}", scenario::too_large(value))));
    }
    let value = value
        .parse::<toml_edit::Value>()
        .unwrap_or_else(|_| toml_edit::Value::from(value));
    Ok(Setting {
        path: path.to_string(),
        value,
        at: at.to_string(),
    })
}

/// The declared policy `name` of `loaded`; an unknown name is an input error listing the policies.
pub fn policy(loaded: &Loaded, name: &str) -> anyhow::Result<Plan> {
    let sc = &loaded.scenario;
    if let Some(plan) = sc.policies.iter().find(|p| p.name == name) {
        return Ok(plan.clone());
    }
    let names: Vec<&str> = sc.policies.iter().map(|p| p.name.as_str()).collect();
    let allowed = match names.is_empty() {
        true => "it declares no [[policy]]".to_string(),
        false => format!("expected one of: {}", names.join(", ")),
    };
    Err(InputError(format!(
        "{}: --policy {name}: no such policy; {allowed}",
        loaded.file
    ))
    .into())
}

/// The plan to run: `--policy`'s, else the baseline.
pub fn plan(loaded: &Loaded, script: &Script) -> anyhow::Result<Plan> {
    match &script.policy {
        Some(name) => policy(loaded, name),
        None => Ok(loaded.scenario.baseline.clone()),
    }
}

/// Worker threads: `--threads`, else `GREATGAME_THREADS`, else none (one per core).
pub fn threads(flag: Option<u16>) -> anyhow::Result<Option<usize>> {
    if let Some(n) = flag {
        return Ok(Some(usize::from(n)));
    }
    match std::env::var(THREADS_ENV) {
        Ok(v) => match v.trim().parse::<u16>() {
            Ok(n) if (1..=1024).contains(&n) => Ok(Some(usize::from(n))),
            _ => Err(InputError(format!(
                "{THREADS_ENV}={v}: expected a whole number of threads from 1 to 1024"
            ))
            .into()),
        },
        Err(_) => Ok(None),
    }
}

/// Wraps each line of `text` at spaces so that no line is longer than `width` characters (a single
/// word longer than `width` stays whole).
pub fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut len = 0;
        for (j, word) in line.split(' ').enumerate() {
            let w = word.chars().count();
            if j > 0 && len + 1 + w > width {
                out.push('\n');
                len = 0;
            } else if j > 0 {
                out.push(' ');
                len += 1;
            }
            out.push_str(word);
            len += w;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_lines_within_width_and_all_words() {
        let text = "aaa bbb ccc ddd\nshort\n";
        let wrapped = wrap(text, 7);
        assert_eq!(wrapped, "aaa bbb\nccc ddd\nshort\n");
        assert!(wrapped.lines().all(|l| l.chars().count() <= 7));
    }

    #[test]
    fn a_setting_value_is_toml_or_else_a_string() {
        let s = setting("model.mood_sd = 0.3", '=', "x").unwrap();
        assert_eq!(
            (s.path.as_str(), s.value.as_float()),
            ("model.mood_sd", Some(0.3))
        );
        assert_eq!(
            setting("a.b.c=text", '=', "x").unwrap().value.as_str(),
            Some("text")
        );
        assert!(setting("model.mood_sd", '=', "f:3")
            .unwrap_err()
            .0
            .contains("f:3"));
    }
}
