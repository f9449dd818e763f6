//! `greatgame merge`: combine the partial results of shards into the outputs one process running every
//! run index would have written, byte for byte. Trusts nothing it reads: every part is checked whole
//! (its manifest, its content hash, every field against the scenario, and its streamed files against
//! their recorded size and SHA-256) before its output is committed, and a failure writes nothing.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use greatgame::engine::Outcome;
use greatgame::model::Occurrences;
use greatgame::output::{self, Digester, FileRecord, OutputDir, StreamFile};
use greatgame::scenario::Scenario;
use greatgame::shard::{self, Part};

use super::budget::Budget;
use super::execute::{self, ManifestInfo, Origin};
use super::interrupt::{self, Watch};
use super::InputError;

/// Combine shard results (folders written by run/compare/hindcast/explore --shard K/N) into full outputs,
/// identical to a single run of all indices. Refuses parts of different scenarios, seeds, versions,
/// commands or run counts, overlapping shards, parts that were changed or are incomplete, and an --out
/// inside a part; reports missing shards. Nothing is written when it refuses.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  greatgame merge parts/* --out out/full\n  greatgame merge out/central_asia_2017/shard-*-of-8 --out out/central_asia_2017"
)]
pub struct Args {
    /// Part folders, each holding part.json, manifest.json and runs.csv, in any order.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// Output folder for the merged outputs (not one of the parts, nor inside one).
    #[arg(long)]
    out: PathBuf,
    /// Merge even if the estimated memory or output size exceeds what the machine has available.
    #[arg(long)]
    force: bool,
}

/// Reads and checks the part in `dir`: its manifest must list `part.json` as it is, and the part must
/// pass `shard::check_part`.
fn read_part(dir: &Path) -> anyhow::Result<Part> {
    let path = dir.join(output::PART);
    let name = dir.display().to_string();
    let bytes = std::fs::read(&path).map_err(|e| {
        InputError(format!(
            "{}: cannot read a shard's partial result: {e}",
            path.display()
        ))
    })?;
    let records = output::manifest_records(dir).map_err(|e| InputError(e.to_string()))?;
    let mut digest = Digester::default();
    digest.update(&bytes);
    let found = digest.record(output::PART);
    if !records.contains(&found) {
        return Err(InputError(format!(
            "{}: not the part.json its manifest.json lists (changed, or from another run)",
            path.display()
        ))
        .into());
    }
    let part: Part = serde_json::from_slice(&bytes).map_err(|e| {
        InputError(format!(
            "{}: not a greatgame partial result: {e}",
            path.display()
        ))
    })?;
    shard::check_part(&name, &part).map_err(|e| InputError(e.to_string()))?;
    Ok(part)
}

/// The real path of `path`, for a path that may not exist yet: its nearest existing ancestor resolved,
/// the rest appended.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut at = absolute.as_path();
    loop {
        if let Ok(real) = at.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return absolute,
        }
    }
}

/// Refuses an `out` that is one of `parts` or lies inside one: writing there would replace a part's
/// files with merged ones.
fn check_out(out: &Path, parts: &[PathBuf]) -> Result<(), InputError> {
    let real_out = resolved(out);
    for part in parts {
        if real_out.starts_with(resolved(part)) {
            return Err(InputError(format!(
                "--out {}: is, or lies inside, the part folder {}; write the merge to another folder",
                out.display(),
                part.display()
            )));
        }
    }
    Ok(())
}

/// A reader that hashes what is read through it.
struct Hashing<R> {
    inner: R,
    digest: Digester,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }
}

/// Copies `from` to `to` in blocks, stopping if interrupted.
fn copy(from: &mut impl Read, to: &mut impl Write, watch: &Watch) -> anyhow::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    loop {
        watch.check()?;
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        to.write_all(&buf[..n])?;
    }
}

/// Appends `src` (gzipped if `gzip`) to `out`, skipping its header line unless `keep_header`, and checks
/// that its bytes are those `record` describes.
pub(super) fn append(
    out: &mut StreamFile,
    src: &Path,
    record: &FileRecord,
    gzip: bool,
    keep_header: bool,
    watch: &Watch,
) -> anyhow::Result<()> {
    let bad = |reason: String| InputError(format!("{}: {reason}", src.display()));
    let file = File::open(src).map_err(|e| bad(format!("cannot read: {e}")))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size != record.bytes {
        return Err(bad(format!(
            "{size} bytes, its part.json says {}: truncated or changed",
            record.bytes
        ))
        .into());
    }
    let mut raw = BufReader::with_capacity(
        1 << 20,
        Hashing {
            inner: file,
            digest: Digester::default(),
        },
    );
    let copied = (|| -> anyhow::Result<()> {
        let mut text: Box<dyn BufRead + '_> = if gzip {
            Box::new(BufReader::with_capacity(
                1 << 20,
                flate2::bufread::GzDecoder::new(&mut raw),
            ))
        } else {
            Box::new(&mut raw)
        };
        let mut header = Vec::new();
        (&mut text).take(1 << 20).read_until(b'\n', &mut header)?;
        if keep_header {
            out.write_all(&header)?;
        }
        copy(&mut text, out, watch)
    })();
    if let Err(e) = copied {
        if e.chain().any(|c| c.is::<interrupt::Interrupted>()) {
            return Err(e);
        }
        return Err(bad(format!(
            "cannot read as a part's rows: {}",
            super::describe(&e)
        ))
        .into());
    }
    // Whatever follows the end of the gzip stream counts too.
    io::copy(&mut raw, &mut io::sink()).with_context(|| format!("reading {}", src.display()))?;
    let found = raw.into_inner().digest.record(&record.name);
    if found.sha256 != record.sha256 {
        return Err(bad(format!(
            "SHA-256 {}, its part.json says {}: changed since the shard wrote it",
            found.sha256, record.sha256
        ))
        .into());
    }
    Ok(())
}

/// Runs the command.
pub fn run(args: &Args) -> anyhow::Result<()> {
    check_out(&args.out, &args.parts)?;
    if super::explore::is_explore_dir(&args.parts[0]) {
        return super::explore::merge(&args.parts, &args.out);
    }
    let mut _read_locks = Vec::new();
    let mut parts = Vec::new();
    for dir in &args.parts {
        _read_locks.push(output::read_lock(dir)?);
        parts.push((dir.display().to_string(), read_part(dir)?));
    }
    let first_dir = &parts[0].0;
    let first = &parts[0].1;
    let sc = Scenario::from_toml(&first.scenario_text, &first.scenario_file)
        .with_context(|| format!("{first_dir}: the scenario a part carries"))?;
    let tallies = shard::merge(&parts, &sc).map_err(|e| InputError(e.to_string()))?;
    // Order the part folders by shard for concatenation.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| parts[i].1.shard.k);
    let first = &parts[order[0]].1;
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
    let streamed: u64 = parts
        .iter()
        .flat_map(|(_, p)| &p.files)
        .map(|f| f.bytes)
        .sum();
    Budget::merge(&sc, first.plans.len(), checks.len(), parts.len(), streamed)
        .check(&args.out, args.force)?;

    let streams = first.stream_names();
    let mut will_write = streams.clone();
    // The runs' own parameter values follow from the scenario, the seed and the parameter sets the
    // parts carry: written again whole.
    let varied = greatgame::analysis::uncertain::Varied::new(
        &first.scenario_text,
        &first.scenario_file,
        &sc,
        first.parameters.clone(),
        first.seed,
        &first.plans,
    )?
    .filter(|_| first.runs_csv);
    if varied.is_some() {
        will_write.push(execute::PARAMETERS_CSV);
    }
    if first.robust {
        will_write.push(execute::ROBUST_CSV);
    }
    will_write.extend(execute::aggregate_names(&first.plans, &checks));
    will_write.push(output::MANIFEST);
    let watch = interrupt::watch();
    let out = OutputDir::open(&args.out, &will_write)?;
    let mut staged = Vec::new();
    for (s, name) in streams.iter().enumerate() {
        let mut merged = StreamFile::create(&args.out.join(name), first.gzip)?;
        for (n, &i) in order.iter().enumerate() {
            let (dir, part) = &parts[i];
            append(
                &mut merged,
                &Path::new(dir).join(name),
                &part.files[s],
                first.gzip,
                n == 0,
                &watch,
            )?;
        }
        staged.push(merged.finish()?);
    }
    if let Some(v) = &varied {
        staged.push(execute::write_parameter_rows(
            &args.out,
            v,
            0..first.runs_total,
        )?);
    }
    staged.extend(execute::write_aggregates(
        &args.out,
        &sc,
        &first.plans,
        &checks,
        &outcome,
    )?);
    let mut robust = Vec::new();
    if first.robust {
        // Every run's horizon shares, in run order: the parts in shard order.
        let horizon: Vec<f64> = order
            .iter()
            .flat_map(|&i| parts[i].1.horizon.iter().copied())
            .collect();
        let written;
        (robust, written) =
            execute::write_robust(&args.out, &sc.world, &first.plans, &horizon, first.seed)?;
        staged.push(written);
    }
    let manifest = ManifestInfo {
        origin: Origin {
            file: first.scenario_file.clone(),
            sha256: first.scenario_sha256.clone(),
        },
        command: &first.command,
        seed: first.seed,
        runs: first.runs_total,
        sc: &sc,
        names: &first.plans,
        shard: None,
        precision: None,
        parameters: first.parameters_file.clone(),
    };
    watch.check()?;
    out.commit(staged, |files| manifest.bytes(files))?;
    drop(watch);

    let what = execute::with_parameters(
        format!("merged {} shards of `{}`", parts.len(), first.command),
        first.parameters_file.as_ref(),
    );
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
        "compare" => {
            let varied = first.parameters.is_some() || !sc.uncertain.is_empty();
            super::compare::tables(&sc, &first.plans, &outcome)
                + &super::compare::basis(&outcome, varied)
                + &super::compare::robust_table(&robust, outcome.runs)
        }
        "hindcast" => output::hindcast_table(&output::hindcast_rows(&sc.world, &checks, &outcome)),
        _ => output::run_table(&sc.world, &outcome, 0),
    });
    execute::print(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_out_inside_or_equal_to_a_part_is_refused_and_beside_or_above_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        let p1 = tmp.path().join("p1");
        std::fs::create_dir(&p1).unwrap();
        let parts = [p1.clone()];
        for bad in [p1.clone(), p1.join("sub"), p1.join("../p1/new/deeper")] {
            assert!(check_out(&bad, &parts).is_err(), "{}", bad.display());
        }
        for fine in [tmp.path().join("merged"), tmp.path().to_path_buf()] {
            assert!(check_out(&fine, &parts).is_ok(), "{}", fine.display());
        }
    }
}
