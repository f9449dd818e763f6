//! `greatgame hindcast`: run a scenario's baseline and report, for every `[[check]]`, the share of runs
//! in which it held, with its 95% interval, against the share required.

use std::fmt::Write as _;
use std::path::Path;

use greatgame::analysis::uncertain;
use greatgame::output;

use super::execute::{self, Options};
use super::InputError;

/// Run a scenario and test its [[check]] expectations: the share of runs in which each held, its 95%
/// interval, the share required, pass or fail. Writes hindcast.csv beside the usual outputs.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame hindcast scenarios/history_2005.toml\n  greatgame hindcast scenarios/history_2005.toml --runs 5000 --strict   # exit 1 if a calibration check fails"
)]
pub struct Args {
    #[command(flatten)]
    opts: Options,
    /// Also write report.html, the HTML report, once the outputs are complete.
    #[arg(long)]
    report: bool,
    /// Exit with status 1 if any non-holdout check fails.
    #[arg(long)]
    strict: bool,
    /// Also write FILE: the parameter ensemble the runs draw from, each set with where it leaves the
    /// scenario: one more column per state and pole, `state.CODE.alignment.POLE`, the shares at the
    /// last quarter of run j under set j (the seed's stream j; see --ends-if), and `end_run`, the
    /// run. A scenario that starts where this one ends can name FILE as its `parameters`, so each run
    /// starts where its set's history ended (docs/MODEL.md, "The 2018 start"). Needs an ensemble; not
    /// with --shard.
    #[arg(long, value_name = "FILE")]
    ends: Option<std::path::PathBuf>,
    /// With --ends: each set's end is that of its first run (j, j + n, j + 2n, … for n sets; at most
    /// 1,000) that meets every one of these [[check]]s, by name, as a sample of one run: a check asking
    /// for at least a share of runs holds in it, one asking for at most a share does not. For the facts
    /// a later scenario's start assumes (a membership, a base), so no set starts where its history
    /// contradicts them.
    #[arg(long, value_name = "CHECK", value_delimiter = ',', requires = "ends")]
    ends_if: Vec<String>,
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    super::settings::check_report(&args.opts.script, args.report)?;
    let loaded = execute::load(&args.opts)?;
    let sc = &loaded.scenario;
    if sc.checks.is_empty() {
        return Err(InputError(format!("{}: declares no [[check]] to test", loaded.file)).into());
    }
    let plans = [super::settings::plan(&loaded, &args.opts.script)?];
    let ends = match &args.ends {
        Some(out) => Some(ends(args, &loaded, out)?),
        None => None,
    };
    let Some(execute::Executed {
        outcome,
        dir,
        parameters,
        ..
    }) = execute::execute(&args.opts, &loaded, &plans, &sc.checks, "hindcast")?
    else {
        return Ok(());
    };
    let rows = output::hindcast_rows(&sc.world, &sc.checks, &outcome);
    let what = execute::with_parameters("hindcast".into(), parameters.as_ref());
    let mut text = execute::headline_for(&loaded, &args.opts, &outcome, &dir, &what);
    text.push_str(&output::hindcast_table(&rows));
    text.push_str(&super::report::after_outputs(&dir, args.report)?);
    if let Some((file, sets)) = ends {
        let out = file.path().to_path_buf();
        file.commit()?;
        let _ = writeln!(
            text,
            "each set's end (its run's shares at the last quarter, {sets} sets) written to {}",
            out.display()
        );
    }
    execute::print(&text)?;
    let failed = rows.iter().filter(|r| !r.holdout && !r.pass).count();
    if args.strict && failed > 0 {
        anyhow::bail!("{failed} calibration (non-holdout) checks failed");
    }
    Ok(())
}

/// `--ends FILE`: the ensemble's file with each set's end appended, written under a temp name in
/// FILE's folder (so a folder that cannot take it fails before any output), to be committed once the
/// hindcast's outputs are written; and the number of sets. The file's other columns are kept as they
/// are; columns of starting shares it already has are replaced.
fn ends(
    args: &Args,
    loaded: &greatgame::scenario::Loaded,
    out: &Path,
) -> anyhow::Result<(output::AtomicFile, usize)> {
    if let Some(s) = args.opts.shard {
        return Err(InputError(format!("--ends cannot be used with --shard {s}: each set's end is one run of every set; run it unsharded")).into());
    }
    if args.opts.script.json {
        return Err(InputError(
            "--ends cannot be combined with --json, which writes no files".into(),
        )
        .into());
    }
    let Some(parameters) = execute::parameters(args.opts.parameters.as_deref(), loaded)? else {
        return Err(InputError("--ends needs a parameter ensemble: name one with --parameters FILE (or `parameters` in [scenario])".into()).into());
    };
    let set = super::settings::set_paths(&args.opts.script)?;
    if !set.is_empty() {
        return Err(InputError(
            "--ends cannot be used with --set: the file would hold sets the runs did not draw"
                .into(),
        )
        .into());
    }
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(out, Path::new(&parameters.record.file)) {
        return Err(InputError(format!(
            "--ends {}: that is the ensemble the runs draw from; write the ends to another file (a scenario then names that one)",
            out.display()
        ))
        .into());
    }
    let mut file = output::AtomicFile::create(out)
        .map_err(|e| InputError(format!("--ends {}: {e}", out.display())))?;
    let sc = &loaded.scenario;
    let seed = args.opts.seed.unwrap_or(sc.meta.seed);
    let mut meets = Vec::new();
    for name in &args.ends_if {
        let Some(check) = sc.checks.iter().find(|c| &c.name == name) else {
            let names: Vec<&str> = sc.checks.iter().map(|c| c.name.as_str()).collect();
            return Err(InputError(format!(
                "--ends-if {name}: {} declares no [[check]] of that name; expected one of: {}",
                loaded.file,
                names.join(", ")
            ))
            .into());
        };
        meets.push(check.clone());
    }
    let ends = uncertain::ends(
        &loaded.text,
        &loaded.file,
        sc,
        &parameters.ensemble,
        seed,
        &meets,
    )?;
    let mut columns = uncertain::end_columns(&sc.world);
    columns.push("end_run".into());
    let bytes = match execute::builtin_file(&parameters.record.file) {
        Some(bytes) => bytes.to_vec(),
        None => std::fs::read(&parameters.record.file).map_err(|e| {
            InputError(format!(
                "{}: cannot read it again: {e}",
                parameters.record.file
            ))
        })?,
    };
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers()?.clone();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| !columns.iter().any(|c| c == &header[i]))
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(
        keep.iter()
            .map(|&i| &header[i])
            .chain(columns.iter().map(String::as_str)),
    )?;
    for (record, end) in reader.records().zip(&ends) {
        let record = record?;
        let shares = end
            .shares
            .iter()
            .map(|x| x.to_string())
            .chain([end.run.to_string()]);
        let cells: Vec<String> = keep
            .iter()
            .map(|&i| record.get(i).unwrap_or("").to_string())
            .chain(shares)
            .collect();
        writer.write_record(&cells)?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    std::io::Write::write_all(&mut file, &bytes)?;
    Ok((file, ends.len()))
}
