//! `greatgame merge`: combine the partial results of shards into the outputs one process running every
//! run index would have written, byte for byte.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use greatgame::engine::Outcome;
use greatgame::model::Occurrences;
use greatgame::output::{self, StreamFile};
use greatgame::scenario::{sha256_hex, Scenario};
use greatgame::shard::{self, Part};

use super::execute::{self, Origin};
use super::InputError;

/// Combine shard results (folders written by run/compare/hindcast --shard K/N) into full outputs,
/// identical to a single run of all indices. Refuses parts of different scenarios, seeds, versions,
/// commands or run counts, overlapping shards, and reports missing ones.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame merge parts/* --out out/full\n  greatgame merge out/central_asia_2017/shard-*-of-8 --out out/central_asia_2017"
)]
pub struct Args {
    /// Part folders, each holding part.json and runs.csv, in any order.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Output folder for the merged outputs.
    #[arg(long)]
    out: PathBuf,
}

fn read_part(dir: &Path) -> anyhow::Result<Part> {
    let path = dir.join("part.json");
    let file = File::open(&path).map_err(|e| {
        InputError(format!(
            "{}: cannot read a shard's partial result: {e}",
            path.display()
        ))
    })?;
    serde_json::from_reader(BufReader::new(file)).map_err(|e| {
        InputError(format!(
            "{}: not a greatgame partial result: {e}",
            path.display()
        ))
        .into()
    })
}

/// Appends `src` (gzipped if `gzip`) to `out`, skipping its header line unless `keep_header`.
fn append(out: &mut StreamFile, src: &Path, gzip: bool, keep_header: bool) -> anyhow::Result<()> {
    let file =
        File::open(src).map_err(|e| InputError(format!("{}: cannot read: {e}", src.display())))?;
    let raw: Box<dyn Read> = if gzip {
        Box::new(flate2::read::GzDecoder::new(BufReader::new(file)))
    } else {
        Box::new(file)
    };
    let mut reader = BufReader::with_capacity(1 << 20, raw);
    let mut header = String::new();
    reader
        .read_line(&mut header)
        .with_context(|| format!("reading {}", src.display()))?;
    if keep_header {
        out.write_all(header.as_bytes())?;
    }
    std::io::copy(&mut reader, out).with_context(|| format!("copying {}", src.display()))?;
    Ok(())
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    let mut parts = Vec::new();
    for dir in &args.parts {
        parts.push((dir.display().to_string(), read_part(dir)?));
    }
    let tallies = shard::merge(&parts).map_err(|e| InputError(e.to_string()))?;
    // Order the part folders by shard for concatenation.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| parts[i].1.shard.k);
    let first = &parts[order[0]].1;
    if sha256_hex(first.scenario_text.as_bytes()) != first.scenario_sha256 {
        return Err(InputError(format!(
            "{}: the scenario text does not match its SHA-256",
            parts[order[0]].0
        ))
        .into());
    }
    let sc = Scenario::from_toml(&first.scenario_text, &first.scenario_file)?;
    let checks = if first.checks.is_empty() {
        Vec::new()
    } else {
        sc.checks.clone()
    };
    let outcome = Outcome {
        runs: first.runs_total,
        tallies,
        slots: Occurrences::new(&sc.world),
    };

    output::prepare_dir(&args.out)?;
    let mut files = Vec::new();
    for (names, wanted) in [
        (execute::RUNS_CSV, first.runs_csv),
        (execute::TRAJECTORIES_CSV, first.trajectories),
    ] {
        let merged = if wanted {
            let name = execute::stream_name(names, first.gzip);
            let mut out = StreamFile::create(&args.out.join(name), first.gzip)?;
            for (n, &i) in order.iter().enumerate() {
                append(
                    &mut out,
                    &Path::new(&parts[i].0).join(name),
                    first.gzip,
                    n == 0,
                )?;
            }
            Some(out)
        } else {
            None
        };
        files.extend(execute::finish_stream(&args.out, names, merged)?);
    }
    files.extend(
        execute::write_aggregates(&args.out, &sc, &first.plans, &checks, &outcome)
            .map_err(anyhow::Error::from)?,
    );
    let origin = Origin {
        file: first.scenario_file.clone(),
        sha256: first.scenario_sha256.clone(),
    };
    execute::write_manifest(
        &args.out,
        origin,
        &first.command,
        first.seed,
        first.runs_total,
        &sc,
        &first.plans,
        &files,
    )?;

    let what = format!("merged {} shards of `{}`", parts.len(), first.command);
    let mut text = execute::headline(
        &sc.meta.title,
        &first.scenario_file,
        first.runs_total,
        first.seed,
        &sc,
        &args.out,
        &what,
    );
    text.push_str(&match first.command.as_str() {
        "compare" => super::compare::tables(&sc, &first.plans, &outcome),
        "hindcast" => output::hindcast_table(&output::hindcast_rows(&sc.world, &checks, &outcome)),
        _ => output::run_table(&sc.world, &outcome, 0),
    });
    execute::print(&text)
}
