//! `greatgame discover`: scenario discovery with PRIM over an experiments table: under which values of
//! the uncertain parameters (and which policy) does a condition on the outcomes hold? Reports the
//! chosen box as a rule in plain words with its coverage and density, and writes the peeling trajectory
//! and the box as CSV.
//!
//! Condition syntax (`--where`): one or more comparisons joined by `and`, each `COLUMN OP NUMBER`
//! with OP one of `>`, `>=`, `<`, `<=`, `==`, `!=` and COLUMN an outcome column of experiments.csv:
//! `"UZB.bloc.CSTO@2027Q4 > 0.5"`, `"KGZ.dominant.China@2027Q4 >= 0.3 and KGZ.base.Russia@2027Q4 < 0.9"`.
//! A row (a design point under one plan) meets the condition when every comparison holds for it.

use std::path::{Path, PathBuf};

use greatgame::analysis::prim::{Input, Limit, Prim, PrimBox, PrimOptions, Values};
use greatgame::explore::SET_COLUMN;
use greatgame::output::{self, OutputDir, OutputError, PRIM_BOX_CSV, PRIM_TRAJECTORY_CSV};
use greatgame::play::signposts::{self, NotWatched, Signpost, Signposts, SIGNPOSTS_FILE};

use super::interrupt;
use super::{execute, explore, InputError};

/// Find the conditions under which an outcome happens (PRIM): reads EXPERIMENTS (an explore folder,
/// or an experiments.csv file) and a condition on its outcome columns; prints the peeling trajectory
/// and the chosen box as a rule; writes prim_trajectory.csv and prim_box.csv.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Condition: COLUMN OP NUMBER [and COLUMN OP NUMBER]..., OP one of > >= < <= == !=.\n\nExamples:\n  greatgame discover out/central_asia_2017/explore --where \"UZB.bloc.CSTO@2027Q4 > 0.5\"\n  greatgame discover out/x/explore --where \"KGZ.dominant.China@2027Q4 >= 0.3\" --policy baseline --box 12"
)]
pub struct Args {
    /// An explore folder (holding experiments.csv and manifest.json) or an experiments.csv file.
    pub experiments: PathBuf,
    /// The condition on outcome columns that defines the futures of interest.
    #[arg(long = "where", value_name = "CONDITION")]
    pub condition: String,
    /// Use only the rows of this plan (`baseline` or a policy's name) [default: every plan, with the
    /// policy as a categorical input when there are several].
    #[arg(long, value_name = "NAME")]
    pub policy: Option<String>,
    /// The box of the peeling trajectory to report (0 is all futures) [default: the densest box
    /// among those with coverage of at least 0.5].
    #[arg(long = "box", value_name = "K")]
    pub box_index: Option<usize>,
    /// Share of a box's futures each peel removes (0 < alpha < 0.5).
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Smallest share of all futures a box may hold (0 < min_mass < 1).
    #[arg(long, default_value_t = 0.05)]
    pub min_mass: f64,
    /// Output folder [default: discover/ beside experiments.csv].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The smallest coverage the default box must keep.
pub const DEFAULT_MIN_COVERAGE: f64 = 0.5;

/// A comparison operator of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl Op {
    fn symbol(self) -> &'static str {
        match self {
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    fn holds(self, x: f64, y: f64) -> bool {
        match self {
            Op::Gt => x > y,
            Op::Ge => x >= y,
            Op::Lt => x < y,
            Op::Le => x <= y,
            Op::Eq => x == y,
            Op::Ne => x != y,
        }
    }
}

/// One comparison `COLUMN OP NUMBER`.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    column: String,
    op: Op,
    value: f64,
}

/// Parses a condition: comparisons joined by `and`.
pub fn parse_condition(text: &str) -> Result<Vec<Comparison>, InputError> {
    let bad = |why: String| {
        InputError(format!(
            "--where \"{text}\": {why}; expected COLUMN OP NUMBER [and COLUMN OP NUMBER]..., OP one of > >= < <= == !=, like \"UZB.bloc.CSTO@2027Q4 > 0.5\""
        ))
    };
    let mut out = Vec::new();
    for part in text.split(" and ") {
        let part = part.trim();
        // Two-character operators first, so `>=` is not read as `>` followed by `=1`.
        let ops = [
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            (">", Op::Gt),
            ("<", Op::Lt),
        ];
        let (at, sym, op) = ops
            .iter()
            .filter_map(|&(sym, op)| part.find(sym).map(|at| (at, sym, op)))
            .min_by_key(|&(at, sym, _)| (at, std::cmp::Reverse(sym.len())))
            .ok_or_else(|| bad(format!("`{part}` has no comparison")))?;
        let column = part[..at].trim();
        let number = part[at + sym.len()..].trim();
        if column.is_empty() {
            return Err(bad(format!("`{part}` names no column")));
        }
        let value: f64 = number
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| bad(format!("`{number}` is not a number")))?;
        out.push(Comparison {
            column: column.to_string(),
            op,
            value,
        });
    }
    Ok(out)
}

/// The experiments table: input columns and outcome columns.
struct Table {
    header: Vec<String>,
    /// Indices of the input columns (factors), between `policy` and the outcomes, except an
    /// ensemble set's index (`parameters.set`).
    inputs: Vec<usize>,
    rows: Vec<csv::StringRecord>,
}

/// Reads `path`: a header `point,policy,<inputs…>,<outcomes…>`, outcome columns being those with
/// `@QUARTER` in their name. An ensemble set's index (`parameters.set`) is not an input: it is an
/// arbitrary id (a row of the ensemble file), so a box on it would be a list of rows no one can
/// watch or interpret, and its order means nothing to peel along; the set's values, in the columns
/// after it, are the inputs PRIM peels on.
fn read_table(path: &Path, policy: Option<&str>) -> anyhow::Result<Table> {
    let bad = |why: String| InputError(format!("{}: {why}", path.display()));
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| bad(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    if header.len() < 3 || header[..2] != output::KEY_COLUMNS {
        return Err(bad(format!(
            "not an experiments table: its header must start with {}, then the inputs, then the outcomes",
            output::KEY_COLUMNS.join(",")
        ))
        .into());
    }
    let inputs: Vec<usize> = (2..header.len())
        .take_while(|&c| !header[c].contains('@'))
        .filter(|&c| header[c] != SET_COLUMN)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| bad(e.to_string()))?;
        if policy.is_none_or(|p| record.get(1) == Some(p)) {
            rows.push(record);
        }
    }
    Ok(Table {
        header,
        inputs,
        rows,
    })
}

/// A row of `prim_trajectory.csv`: one box of the peeling trajectory.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrajectoryRow {
    /// Box index along the trajectory (0: every future).
    pub r#box: usize,
    /// Share of the futures meeting the condition that lie in the box.
    pub coverage: f64,
    /// Share of the box's futures meeting the condition.
    pub density: f64,
    /// Share of all futures in the box.
    pub mass: f64,
    /// Futures in the box.
    pub points: usize,
    /// Inputs the box restricts, `;`-separated.
    pub restricts: String,
    /// Whether this is the box reported (before pasting).
    pub chosen: bool,
}

/// A row of `prim_box.csv`: the reported box's limit on one input.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BoxRow {
    /// Input (column) name.
    pub input: String,
    /// Whether the box narrows this input.
    pub restricted: bool,
    /// Smallest value inside, for a numeric input.
    pub lo: Option<f64>,
    /// Largest value inside, for a numeric input.
    pub hi: Option<f64>,
    /// Categories inside, `;`-separated, for a categorical input (the policy).
    pub categories: String,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let comparisons = parse_condition(&args.condition)?;
    let (dir, csv_path) = match args.experiments.is_dir() {
        true => (
            args.experiments.clone(),
            args.experiments.join(output::EXPERIMENTS_CSV),
        ),
        false => (
            args.experiments
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            args.experiments.clone(),
        ),
    };
    let _read_lock = output::read_lock(&dir)?;
    if dir.join(output::MANIFEST).exists() && args.experiments.is_dir() {
        explore::read_explore_dir(&dir)?;
    }
    let table = read_table(&csv_path, args.policy.as_deref())?;
    if table.rows.is_empty() {
        return Err(InputError(format!(
            "{}: no rows{}",
            csv_path.display(),
            args.policy
                .as_deref()
                .map(|p| format!(" of policy `{p}`"))
                .unwrap_or_default()
        ))
        .into());
    }
    let outcome = outcome_flags(&table, &comparisons, &csv_path)?;
    let inputs = inputs(&table, &csv_path)?;
    let options = PrimOptions {
        alpha: args.alpha,
        min_mass: args.min_mass,
        ..PrimOptions::default()
    };
    let prim = Prim::new(&inputs, &outcome, options).map_err(|e| {
        InputError(format!(
            "{}: {e} (the condition `{}` holds in {} of {} rows)",
            csv_path.display(),
            args.condition,
            outcome.iter().filter(|&&y| y).count(),
            outcome.len()
        ))
    })?;
    let trajectory = prim.peel();
    let chosen = match args.box_index {
        Some(k) if k < trajectory.len() => k,
        Some(k) => {
            return Err(InputError(format!(
                "--box {k}: the peeling trajectory has boxes 0 to {}",
                trajectory.len() - 1
            ))
            .into())
        }
        None => best_box(&trajectory),
    };
    let pasted = prim.paste(&trajectory[chosen]);
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let trajectory_rows: Vec<TrajectoryRow> = trajectory
        .iter()
        .enumerate()
        .map(|(i, b)| TrajectoryRow {
            r#box: i,
            coverage: b.coverage,
            density: b.density,
            mass: b.mass,
            points: b.points,
            restricts: b
                .restricted
                .iter()
                .map(|&d| names[d].as_str())
                .collect::<Vec<_>>()
                .join(";"),
            chosen: i == chosen,
        })
        .collect();
    let box_rows = box_rows(&inputs, &pasted);
    let signposts = signposts_of(args, &csv_path, &comparisons, &inputs, &pasted, chosen);

    let out_dir = args.out.clone().unwrap_or_else(|| dir.join("discover"));
    let watch = interrupt::watch();
    let out = OutputDir::open(
        &out_dir,
        &[
            PRIM_TRAJECTORY_CSV,
            PRIM_BOX_CSV,
            SIGNPOSTS_FILE,
            output::MANIFEST,
        ],
    )?;
    let staged = vec![
        execute::write_rows(&out_dir, PRIM_TRAJECTORY_CSV, trajectory_rows)?,
        execute::write_rows(&out_dir, PRIM_BOX_CSV, box_rows)?,
        execute::stage_bytes(&out_dir, SIGNPOSTS_FILE, signposts.to_toml().as_bytes())?,
    ];
    watch.check()?;
    out.commit(staged, |files| {
        serde_json::to_vec_pretty(&DiscoverManifest {
            greatgame_version: env!("CARGO_PKG_VERSION").into(),
            command: "discover".into(),
            command_line: std::env::args().collect(),
            experiments: csv_path.display().to_string(),
            condition: args.condition.clone(),
            policy: args.policy.clone(),
            rows: outcome.len(),
            rows_meeting: outcome.iter().filter(|&&y| y).count(),
            chosen_box: chosen,
            files: files.to_vec(),
        })
        .map_err(|e| OutputError::Write {
            path: PathBuf::from(output::MANIFEST),
            source: e.into(),
        })
    })?;
    drop(watch);
    let mut text = report(
        args,
        &csv_path,
        &outcome,
        &trajectory,
        chosen,
        &prim.rule(&pasted, &args.condition),
        &pasted,
        &out_dir,
    );
    text.push_str(&signpost_text(&signposts, &out_dir.join(SIGNPOSTS_FILE)));
    execute::print(&text)
}

/// The condition and the chosen box as signposts a game can watch (`play --watch-file`), and the
/// parts of them it cannot observe, with the reason.
fn signposts_of(
    args: &Args,
    path: &Path,
    comparisons: &[Comparison],
    inputs: &[Input],
    pasted: &PrimBox,
    chosen: usize,
) -> Signposts {
    let mut out = Signposts {
        header: vec![
            format!(
                "Signposts from greatgame discover: the condition and box {chosen} (after pasting) of"
            ),
            format!("{},", path.display()),
            format!(
                "where `{}`{}.",
                args.condition,
                args.policy
                    .as_deref()
                    .map(|p| format!(" (policy {p})"))
                    .unwrap_or_default()
            ),
            "Watch them in a game: greatgame play GAME --watch-file THIS_FILE. A game says in which"
                .into(),
            "quarter each is first met (the condition's @QUARTER is dropped). [[not_watched]] lists"
                .into(),
            "what no game can observe (docs/PLAY.md, \"Signposts from discover\").".into(),
        ],
        ..Signposts::default()
    };
    for c in comparisons {
        let rule = format!("{} {}", c.op.symbol(), c.value);
        let mapped = signposts::outcome_subject(&c.column).and_then(|subject| {
            let op = signposts::watch_op(c.op.symbol())?;
            Ok(format!("{subject} {op} {}", signposts::level(c.value)))
        });
        match mapped {
            Ok(watch) => out.signpost.push(Signpost {
                watch,
                from: format!("the condition {} {rule}", c.column),
            }),
            Err(why) => out.not_watched.push(NotWatched {
                input: c.column.clone(),
                rule,
                why,
            }),
        }
    }
    for &d in &pasted.restricted {
        let input = &inputs[d];
        let (lo, hi, rule) = match (&pasted.limits[d], &input.values) {
            (Limit::Range { lo, hi }, Values::Continuous(values)) => {
                let min = values.iter().copied().fold(f64::INFINITY, f64::min);
                let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let (lo, hi) = ((*lo > min).then_some(*lo), (*hi < max).then_some(*hi));
                let rule = match (lo, hi) {
                    (Some(l), Some(h)) => format!("from {l:.3} to {h:.3}"),
                    (Some(l), None) => format!("at least {l:.3}"),
                    (None, Some(h)) => format!("at most {h:.3}"),
                    (None, None) => continue,
                };
                (lo, hi, rule)
            }
            (Limit::Categories(inside), Values::Categorical { levels, .. }) => {
                let kept: Vec<&str> = levels
                    .iter()
                    .zip(inside)
                    .filter(|(_, &i)| i)
                    .map(|(l, _)| l.as_str())
                    .collect();
                (None, None, format!("one of {}", kept.join(", ")))
            }
            _ => continue,
        };
        match signposts::input_signposts(&input.name, lo, hi) {
            Ok(watches) => out
                .signpost
                .extend(watches.into_iter().map(|watch| Signpost {
                    watch,
                    from: format!(
                        "the box: {} {rule} (a starting share, watched as the mean share)",
                        input.name
                    ),
                })),
            Err(why) => out.not_watched.push(NotWatched {
                input: input.name.clone(),
                rule,
                why,
            }),
        }
    }
    out
}

/// The signposts in words, for stdout.
fn signpost_text(s: &Signposts, path: &Path) -> String {
    let mut text = format!(
        "\nsignposts for a game (play GAME --watch-file {}):\n",
        path.display()
    );
    // Wrapped at 100 columns, continuation lines indented under the entry.
    let item = |line: String| {
        super::settings::wrap(&line, 96)
            .trim_end()
            .replace('\n', "\n    ")
            + "\n"
    };
    for p in &s.signpost {
        text.push_str(&item(format!("  watch {}   ({})", p.watch, p.from)));
    }
    if s.signpost.is_empty() {
        text.push_str("  none: nothing in the rule is observable during a game\n");
    }
    for n in &s.not_watched {
        text.push_str(&item(format!(
            "  not watched: {} {}: {}",
            n.input, n.rule, n.why
        )));
    }
    text
}

/// What `discover` records in its folder's manifest.
#[derive(Debug, serde::Serialize)]
struct DiscoverManifest {
    greatgame_version: String,
    command: String,
    command_line: Vec<String>,
    experiments: String,
    condition: String,
    policy: Option<String>,
    rows: usize,
    rows_meeting: usize,
    chosen_box: usize,
    files: Vec<output::FileRecord>,
}

/// The default box: the densest among those with coverage at least `DEFAULT_MIN_COVERAGE` (the
/// earliest on ties); box 0 covers everything, so there is always one.
fn best_box(trajectory: &[PrimBox]) -> usize {
    let mut best = 0;
    for (i, b) in trajectory.iter().enumerate() {
        if b.coverage >= DEFAULT_MIN_COVERAGE && b.density > trajectory[best].density {
            best = i;
        }
    }
    best
}

/// Whether each row meets every comparison.
fn outcome_flags(
    table: &Table,
    comparisons: &[Comparison],
    path: &Path,
) -> Result<Vec<bool>, InputError> {
    let mut cols = Vec::new();
    for c in comparisons {
        let at = table
            .header
            .iter()
            .position(|h| h == &c.column && h.contains('@'))
            .ok_or_else(|| {
                let state = c.column.split('.').next().unwrap_or_default();
                let near: Vec<&str> = table
                    .header
                    .iter()
                    .filter(|h| h.contains('@') && h.starts_with(&format!("{state}.")))
                    .take(6)
                    .map(String::as_str)
                    .collect();
                InputError(format!(
                    "--where: `{}` is not an outcome column of {}{}",
                    c.column,
                    path.display(),
                    match near.is_empty() {
                        true => " (outcome columns are STATE.KIND.SUBJECT@QUARTER)".to_string(),
                        false => format!("; for example {}", near.join(", ")),
                    }
                ))
            })?;
        cols.push(at);
    }
    table
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            comparisons
                .iter()
                .zip(&cols)
                .try_fold(true, |all, (c, &at)| {
                    let cell = row.get(at).unwrap_or_default();
                    let x: f64 = cell.parse().map_err(|_| {
                        InputError(format!(
                            "{}: row {}: `{cell}` in column {} is not a number",
                            path.display(),
                            r + 2,
                            c.column
                        ))
                    })?;
                    Ok(all && c.op.holds(x, c.value))
                })
        })
        .collect()
}

/// PRIM's inputs: each factor column, and the policy as a category when the rows hold several.
fn inputs(table: &Table, path: &Path) -> Result<Vec<Input>, InputError> {
    let mut out = Vec::new();
    for &c in &table.inputs {
        let mut values = Vec::with_capacity(table.rows.len());
        for (r, row) in table.rows.iter().enumerate() {
            let cell = row.get(c).unwrap_or_default();
            values.push(cell.parse::<f64>().map_err(|_| {
                InputError(format!(
                    "{}: row {}: `{cell}` in input column {} is not a number",
                    path.display(),
                    r + 2,
                    table.header[c]
                ))
            })?);
        }
        out.push(Input {
            name: table.header[c].clone(),
            values: Values::Continuous(values),
        });
    }
    let mut levels: Vec<String> = Vec::new();
    let codes: Vec<u32> = table
        .rows
        .iter()
        .map(|row| {
            let p = row.get(1).unwrap_or_default();
            match levels.iter().position(|l| l == p) {
                Some(i) => i as u32,
                None => {
                    levels.push(p.to_string());
                    (levels.len() - 1) as u32
                }
            }
        })
        .collect();
    if levels.len() > 1 {
        out.push(Input {
            name: "policy".into(),
            values: Values::Categorical { levels, codes },
        });
    }
    if out.is_empty() {
        return Err(InputError(format!(
            "{}: no input columns between `policy` and the outcomes",
            path.display()
        )));
    }
    Ok(out)
}

/// The limits of `chosen` per input.
fn box_rows(inputs: &[Input], chosen: &PrimBox) -> Vec<BoxRow> {
    inputs
        .iter()
        .zip(&chosen.limits)
        .enumerate()
        .map(|(d, (input, limit))| {
            let restricted = chosen.restricted.contains(&d);
            match (limit, &input.values) {
                (Limit::Range { lo, hi }, _) => BoxRow {
                    input: input.name.clone(),
                    restricted,
                    lo: Some(*lo),
                    hi: Some(*hi),
                    categories: String::new(),
                },
                (Limit::Categories(inside), Values::Categorical { levels, .. }) => BoxRow {
                    input: input.name.clone(),
                    restricted,
                    lo: None,
                    hi: None,
                    categories: levels
                        .iter()
                        .zip(inside)
                        .filter(|(_, &i)| i)
                        .map(|(l, _)| l.as_str())
                        .collect::<Vec<_>>()
                        .join(";"),
                },
                (Limit::Categories(_), Values::Continuous(_)) => BoxRow {
                    input: input.name.clone(),
                    restricted,
                    lo: None,
                    hi: None,
                    categories: String::new(),
                },
            }
        })
        .collect()
}

/// The text on stdout: the share of futures meeting the condition, the trajectory (coverage,
/// density, mass per box), and the rule of the chosen box after pasting.
#[allow(clippy::too_many_arguments)]
fn report(
    args: &Args,
    path: &Path,
    outcome: &[bool],
    trajectory: &[PrimBox],
    chosen: usize,
    rule: &str,
    pasted: &PrimBox,
    out_dir: &Path,
) -> String {
    let hits = outcome.iter().filter(|&&y| y).count();
    let mut text = format!(
        "discover in {}: `{}` holds in {hits} of {} futures ({:.1}%)\n\npeeling trajectory:\n{:>4}  {:>8}  {:>7}  {:>5}  restricts\n",
        path.display(),
        args.condition,
        outcome.len(),
        100.0 * hits as f64 / outcome.len() as f64,
        "box",
        "coverage",
        "density",
        "mass",
    );
    for (i, b) in trajectory.iter().enumerate() {
        text.push_str(&format!(
            "{:>4}  {:>8.3}  {:>7.3}  {:>5.3}  {}{}\n",
            i,
            b.coverage,
            b.density,
            b.mass,
            b.restricted.len(),
            if i == chosen { "  <- chosen" } else { "" }
        ));
    }
    text.push_str(&format!(
        "\nbox {chosen} after pasting (coverage {:.3}, density {:.3}, mass {:.3}):\n{}\n→ {}, {}\n",
        pasted.coverage,
        pasted.density,
        pasted.mass,
        super::settings::wrap(rule, 100),
        out_dir.join(PRIM_TRAJECTORY_CSV).display(),
        out_dir.join(PRIM_BOX_CSV).display()
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse_with_two_character_operators_and_and() {
        let c =
            parse_condition("UZB.bloc.CSTO@2027Q4 >= 0.5 and KGZ.share.China@2027Q4<0.3").unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].column.as_str(), c[0].op, c[0].value),
            ("UZB.bloc.CSTO@2027Q4", Op::Ge, 0.5)
        );
        assert_eq!(
            (c[1].column.as_str(), c[1].op, c[1].value),
            ("KGZ.share.China@2027Q4", Op::Lt, 0.3)
        );
        for bad in ["UZB.bloc.CSTO@2027Q4", "> 0.5", "x > high", "x > NaN"] {
            assert!(parse_condition(bad).is_err(), "{bad}");
        }
    }
}
