//! Shards and their merge: a batch split by run index across processes or cluster tasks, each writing a
//! partial result, combined into outputs byte-identical to one process running every index.
//!
//! Shard `K/N` (1-based) runs indices `⌊(K−1)·R/N⌋ .. ⌊K·R/N⌋` of `R` runs. Its partial result (`Part`)
//! carries everything a merge must agree on (version, command, scenario text and hash, seed, runs, plans,
//! checks) and its exact integer tallies. Tallies add exactly, so the merge equals a single run. Must
//! not: touch files (the CLI reads and writes parts).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::analysis::uncertain::Ensemble;
use crate::engine::Tally;
use crate::output::FileRecord;
use crate::scenario::{sha256_hex, Scenario, MAX_RUNS};
use crate::stats::{Moments, BINS};

/// Version of the part format; a merge refuses parts of another. 2: parts record their streamed files
/// (size and SHA-256) and a hash of their own content. 4: parts carry the parameter sets their runs
/// drew from (`--parameters`) and, for `robust.csv`, every run's horizon shares.
pub const PART_FORMAT: u32 = 4;

/// Shard `k` of `n` (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which shard, 1..=n.
    pub k: u64,
    /// How many shards.
    pub n: u64,
}

impl Shard {
    /// The run indices of this shard among `runs`: `(first, count)`.
    pub fn range(&self, runs: u64) -> (u64, u64) {
        let at = |k: u64| (u128::from(k) * u128::from(runs) / u128::from(self.n)) as u64;
        (at(self.k - 1), at(self.k) - at(self.k - 1))
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: expected K/N with 1 <= K <= N, like 2/8");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

/// Non-zero entries of a count vector: `(index, count)` pairs, with the full length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sparse {
    /// Length of the dense vector.
    pub len: usize,
    /// Non-zero entries in index order.
    pub entries: Vec<(u32, u32)>,
}

impl Sparse {
    fn from_dense(v: &[u32]) -> Sparse {
        let entries = v
            .iter()
            .enumerate()
            .filter(|(_, &c)| c != 0)
            .map(|(i, &c)| (i as u32, c))
            .collect();
        Sparse {
            len: v.len(),
            entries,
        }
    }

    /// The dense vector, if it has length `len` (checked before anything is allocated) and its entries
    /// are in strictly increasing index order, within it, and not zero.
    fn to_dense(&self, len: usize, what: &str) -> Result<Vec<u32>, String> {
        if self.len != len {
            return Err(format!(
                "{what}: length {}, the scenario implies {len}",
                self.len
            ));
        }
        let mut v = vec![0; len];
        let mut next = 0usize;
        for &(i, c) in &self.entries {
            let i = i as usize;
            if i < next || i >= len || c == 0 {
                return Err(format!(
                    "{what}: entry ({i}, {c}) out of order, beyond length {len} or zero"
                ));
            }
            v[i] = c;
            next = i + 1;
        }
        Ok(v)
    }
}

/// A tally as stored in a part file, with its large count vectors sparse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredTally {
    /// As [`Tally`]'s fields; read from a file, so checked by [`StoredTally::to_tally`] before use.
    pub runs: u64,
    /// See `runs`.
    pub alignment: Vec<Moments>,
    /// See `runs`.
    pub histograms: Sparse,
    /// See `runs`.
    pub occurrences: Sparse,
    /// See `runs`.
    pub dominant: Vec<u32>,
    /// See `runs`.
    pub bases: Vec<u32>,
    /// See `runs`.
    pub hosted: Vec<u32>,
    /// See `runs`.
    pub transit: Vec<u32>,
    /// See `runs`.
    pub blocs: Vec<u32>,
    /// See `runs`.
    pub paired: Vec<Moments>,
    /// See `runs`.
    pub checks: Vec<u32>,
    /// See `runs`.
    pub paired_quarters: Vec<Moments>,
    /// See `runs`.
    pub gained: Vec<u32>,
    /// See `runs`.
    pub lost: Vec<u32>,
}

impl From<&Tally> for StoredTally {
    fn from(t: &Tally) -> StoredTally {
        StoredTally {
            runs: t.runs,
            alignment: t.alignment.clone(),
            histograms: Sparse::from_dense(&t.histograms),
            occurrences: Sparse::from_dense(&t.occurrences),
            dominant: t.dominant.clone(),
            bases: t.bases.clone(),
            hosted: t.hosted.clone(),
            transit: t.transit.clone(),
            blocs: t.blocs.clone(),
            paired: t.paired.clone(),
            checks: t.checks.clone(),
            paired_quarters: t.paired_quarters.clone(),
            gained: t.gained.clone(),
            lost: t.lost.clone(),
        }
    }
}

/// The lengths a scenario implies for each plan's tally.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Quarters × states × poles.
    pub cells: usize,
    /// Quarters × occurrence slots.
    pub occurrences: usize,
    /// States.
    pub states: usize,
    /// Poles.
    pub poles: usize,
    /// States × blocs.
    pub blocs: usize,
    /// Named bases.
    pub named_bases: usize,
    /// Checks.
    pub checks: usize,
}

impl StoredTally {
    /// The dense tally, if every length is what `shape` implies and every count fits `runs`: counts
    /// not above `runs`, each cell's histogram and each state's dominant poles summing to `runs`, and
    /// moments that could come from `runs` values. Nothing is allocated from an unchecked length.
    pub fn to_tally(&self, shape: &Shape, runs: u64) -> Result<Tally, String> {
        let sp = shape.states * shape.poles;
        if self.runs != runs {
            return Err(format!("tally of {} runs in a shard of {runs}", self.runs));
        }
        let lengths = [
            ("alignment", self.alignment.len(), shape.cells),
            ("paired", self.paired.len(), sp),
            ("dominant", self.dominant.len(), sp),
            ("bases", self.bases.len(), sp),
            ("hosted", self.hosted.len(), shape.named_bases),
            ("transit", self.transit.len(), sp),
            ("blocs", self.blocs.len(), shape.blocs),
            ("checks", self.checks.len(), shape.checks),
            ("paired_quarters", self.paired_quarters.len(), shape.cells),
            ("gained", self.gained.len(), 3 * sp + shape.blocs),
            ("lost", self.lost.len(), 3 * sp + shape.blocs),
        ];
        if let Some((what, len, want)) = lengths.iter().find(|(_, len, want)| len != want) {
            return Err(format!("{what}: length {len}, the scenario implies {want}"));
        }
        let histograms = self
            .histograms
            .to_dense(shape.cells.saturating_mul(BINS), "histograms")?;
        let occurrences = self
            .occurrences
            .to_dense(shape.occurrences, "occurrences")?;
        if let Some(i) = self
            .alignment
            .iter()
            .chain(&self.paired)
            .chain(&self.paired_quarters)
            .position(|m| !m.fits(runs))
        {
            return Err(format!(
                "moments {i}: not the moments of {runs} values in [-1, 1]"
            ));
        }
        for (what, counts) in [
            ("occurrences", &occurrences[..]),
            ("bases", &self.bases[..]),
            ("hosted", &self.hosted[..]),
            ("transit", &self.transit[..]),
            ("blocs", &self.blocs[..]),
            ("checks", &self.checks[..]),
            ("gained", &self.gained[..]),
            ("lost", &self.lost[..]),
        ] {
            if let Some(c) = counts.iter().find(|&&c| u64::from(c) > runs) {
                return Err(format!("{what}: count {c} above the shard's {runs} runs"));
            }
        }
        let sums_to_runs = |counts: &[u32], width: usize| {
            counts
                .chunks_exact(width.max(1))
                .all(|c| c.iter().map(|&x| u64::from(x)).sum::<u64>() == runs)
        };
        if !sums_to_runs(&histograms, BINS) {
            return Err(format!("histograms: a cell does not count {runs} runs"));
        }
        if !sums_to_runs(&self.dominant, shape.poles) {
            return Err(format!("dominant: a state does not count {runs} runs"));
        }
        Ok(Tally {
            runs: self.runs,
            alignment: self.alignment.clone(),
            histograms,
            occurrences,
            dominant: self.dominant.clone(),
            bases: self.bases.clone(),
            hosted: self.hosted.clone(),
            transit: self.transit.clone(),
            blocs: self.blocs.clone(),
            paired: self.paired.clone(),
            checks: self.checks.clone(),
            paired_quarters: self.paired_quarters.clone(),
            gained: self.gained.clone(),
            lost: self.lost.clone(),
        })
    }
}

/// A shard's partial result: what it ran and its tallies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// `PART_FORMAT` of the writer.
    pub format: u32,
    /// greatgame's version.
    pub greatgame_version: String,
    /// `run`, `compare` or `hindcast`.
    pub command: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario file as given.
    pub scenario_file: String,
    /// SHA-256 of the scenario file.
    pub scenario_sha256: String,
    /// The scenario file's text, so a merge can rebuild every label.
    pub scenario_text: String,
    /// Master seed.
    pub seed: u64,
    /// Runs of the whole batch.
    pub runs_total: u64,
    /// Which shard.
    pub shard: Shard,
    /// First run index of the shard.
    pub first_run: u64,
    /// Runs in the shard.
    pub runs: u64,
    /// Plan names, baseline first.
    pub plans: Vec<String>,
    /// Check names (hindcast).
    pub checks: Vec<String>,
    /// True if the part holds runs.csv.
    pub runs_csv: bool,
    /// True if the part holds trajectories.csv.
    pub trajectories: bool,
    /// True if its runs.csv and trajectories.csv are gzipped (`.gz`).
    pub gzip: bool,
    /// Name, size and SHA-256 of each streamed file of the part (runs.csv, trajectories.csv).
    pub files: Vec<FileRecord>,
    /// One tally per plan.
    pub tallies: Vec<StoredTally>,
    /// The parameter sets the runs drew from (`--parameters`), so a merge can write `parameters.csv`.
    pub parameters: Option<Ensemble>,
    /// The file those sets came from (name and SHA-256), for the merged manifest.
    #[serde(default)]
    pub parameters_file: Option<crate::output::ParametersRecord>,
    /// True if the batch writes `robust.csv` (runs with drawn parameters, more than one plan).
    pub robust: bool,
    /// With `robust`: every run's horizon shares, by run (in index order), plan, state and pole, from
    /// which a merge computes `robust.csv` over all runs; empty otherwise.
    pub horizon: Vec<f64>,
    /// SHA-256 of the part's JSON with this field empty (see [`Part::seal`]).
    pub content_sha256: String,
}

impl Part {
    /// The SHA-256 of the part's JSON with `content_sha256` empty.
    fn content_hash(&self) -> String {
        let mut bare = self.clone();
        bare.content_sha256 = String::new();
        // A part holds no maps, and serde_json writes each float as its shortest exact decimal, so its
        // JSON is one fixed text for one value.
        sha256_hex(&serde_json::to_vec(&bare).unwrap_or_default())
    }

    /// Sets `content_sha256`, so any later change to the part is detected by [`Part::sealed`].
    pub fn seal(&mut self) {
        self.content_sha256 = self.content_hash();
    }

    /// True if the part is unchanged since [`Part::seal`].
    pub fn sealed(&self) -> bool {
        self.content_sha256 == self.content_hash()
    }

    /// The streamed files the part must hold, by its flags.
    pub fn stream_names(&self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self.runs_csv {
            names.push(if self.gzip { "runs.csv.gz" } else { "runs.csv" });
        }
        if self.trajectories {
            names.push(if self.gzip {
                "trajectories.csv.gz"
            } else {
                "trajectories.csv"
            });
        }
        names
    }
}

/// Why parts cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// No parts given.
    #[error("no parts to merge")]
    Empty,
    /// Two parts disagree on something they must share.
    #[error("parts differ in {what}: {a} has {va}, {b} has {vb}; merge only parts of one batch")]
    Mismatch {
        what: String,
        a: String,
        va: String,
        b: String,
        vb: String,
    },
    /// The same shard given twice.
    #[error("shard {shard} given twice ({a} and {b}): parts overlap")]
    Overlap { shard: String, a: String, b: String },
    /// Some shards are missing.
    #[error("missing {count} of {n} shards: {}{}", missing.iter().map(u64::to_string).collect::<Vec<_>>().join(", "), if *count > missing.len() as u64 { ", ..." } else { "" })]
    Missing {
        n: u64,
        count: u64,
        missing: Vec<u64>,
    },
    /// A part's range or tallies are inconsistent.
    #[error("{part}: {reason}")]
    Corrupt { part: String, reason: String },
}

/// Missing shards named in an error, at most.
const MISSING_LISTED: usize = 20;

/// Checks one part on its own, before anything of it is used: its content hash, format, command, shard
/// numbers and run range, and that its scenario text is what its hash says.
pub fn check_part(name: &str, p: &Part) -> Result<(), MergeError> {
    let corrupt = |reason: String| MergeError::Corrupt {
        part: name.to_string(),
        reason,
    };
    if p.format != PART_FORMAT {
        return Err(corrupt(format!(
            "part format {}, this greatgame reads format {PART_FORMAT}: rerun the shard with this version",
            p.format
        )));
    }
    if !p.sealed() {
        return Err(corrupt(
            "content does not match its content_sha256: changed or corrupted since it was written"
                .into(),
        ));
    }
    if !["run", "compare", "hindcast"].contains(&p.command.as_str()) {
        return Err(corrupt(format!("unknown command `{}`", p.command)));
    }
    if !(1..=MAX_RUNS as u64).contains(&p.runs_total) {
        return Err(corrupt(format!(
            "runs {}, allowed 1..={MAX_RUNS}",
            p.runs_total
        )));
    }
    if p.shard.n == 0 || p.shard.k == 0 || p.shard.k > p.shard.n || p.shard.n > p.runs_total {
        return Err(corrupt(format!(
            "shard {}/{} of {} runs: need 1 <= K <= N <= runs",
            p.shard.k, p.shard.n, p.runs_total
        )));
    }
    let (from, count) = p.shard.range(p.runs_total);
    if (from, count) != (p.first_run, p.runs) {
        return Err(corrupt(format!(
            "shard {} of {} runs holds runs {from}..{}, the part says {}..{}",
            p.shard,
            p.runs_total,
            from + count,
            p.first_run,
            p.first_run.saturating_add(p.runs)
        )));
    }
    if sha256_hex(p.scenario_text.as_bytes()) != p.scenario_sha256 {
        return Err(corrupt(
            "the scenario text does not match its SHA-256".into(),
        ));
    }
    let names: Vec<&str> = p.files.iter().map(|f| f.name.as_str()).collect();
    if names != p.stream_names() {
        return Err(corrupt(format!(
            "lists files {names:?}, its flags imply {:?}",
            p.stream_names()
        )));
    }
    Ok(())
}

/// The tally shape `sc` implies.
pub fn shape(sc: &Scenario, checks: usize) -> Shape {
    let w = &sc.world;
    let (q, h, p) = (w.quarters, w.states.len(), w.poles.len());
    Shape {
        cells: q * h * p,
        occurrences: q * crate::model::Occurrences::new(w).len(),
        states: h,
        poles: p,
        blocs: h * w.blocs.len(),
        named_bases: w.bases.len(),
        checks,
    }
}

/// The plan and check names a part of `command` on `sc` must hold.
pub fn expected_names(sc: &Scenario, command: &str) -> (Vec<String>, Vec<String>) {
    let plans = std::iter::once(&sc.baseline)
        .chain(if command == "compare" {
            &sc.policies[..]
        } else {
            &[]
        })
        .map(|p| p.name.clone())
        .collect();
    let checks = if command == "hindcast" {
        sc.checks.iter().map(|c| c.name.clone()).collect()
    } else {
        Vec::new()
    };
    (plans, checks)
}

/// Checks that `parts` (each with the name it came from, each passed by [`check_part`]) form one
/// complete batch of scenario `sc` (read from the first part), and sums their tallies in shard order.
pub fn merge(parts: &[(String, Part)], sc: &Scenario) -> Result<Vec<Tally>, MergeError> {
    let (first_name, first) = parts.first().ok_or(MergeError::Empty)?;
    let (plans, checks) = expected_names(sc, &first.command);
    if first.plans != plans || first.checks != checks {
        return Err(MergeError::Corrupt {
            part: first_name.clone(),
            reason: format!(
                "policies {:?} and checks {:?}; its scenario and command imply {plans:?} and {checks:?}",
                first.plans, first.checks
            ),
        });
    }
    let shape = shape(sc, checks.len());
    for (name, p) in parts {
        let parameters = |p: &Part| {
            p.parameters.as_ref().map_or("none".to_string(), |e| {
                format!(
                    "sets with SHA-256 {}",
                    sha256_hex(&serde_json::to_vec(e).unwrap_or_default())
                )
            })
        };
        let fields: [(&str, String, String); 14] = [
            (
                "part format",
                first.format.to_string(),
                p.format.to_string(),
            ),
            (
                "greatgame version",
                first.greatgame_version.clone(),
                p.greatgame_version.clone(),
            ),
            ("command", first.command.clone(), p.command.clone()),
            (
                "scenario (SHA-256)",
                first.scenario_sha256.clone(),
                p.scenario_sha256.clone(),
            ),
            ("seed", first.seed.to_string(), p.seed.to_string()),
            (
                "runs",
                first.runs_total.to_string(),
                p.runs_total.to_string(),
            ),
            (
                "shard count",
                first.shard.n.to_string(),
                p.shard.n.to_string(),
            ),
            ("policies", first.plans.join(","), p.plans.join(",")),
            ("checks", first.checks.join(","), p.checks.join(",")),
            (
                "runs.csv",
                first.runs_csv.to_string(),
                p.runs_csv.to_string(),
            ),
            (
                "trajectories",
                first.trajectories.to_string(),
                p.trajectories.to_string(),
            ),
            ("gzip", first.gzip.to_string(), p.gzip.to_string()),
            ("--parameters", parameters(first), parameters(p)),
            ("robust.csv", first.robust.to_string(), p.robust.to_string()),
        ];
        if let Some((what, va, vb)) = fields.into_iter().find(|(_, a, b)| a != b) {
            return Err(MergeError::Mismatch {
                what: what.into(),
                a: first_name.clone(),
                va,
                b: name.clone(),
                vb,
            });
        }
        if p.tallies.len() != p.plans.len() {
            return Err(MergeError::Corrupt {
                part: name.clone(),
                reason: format!("{} tallies for {} policies", p.tallies.len(), p.plans.len()),
            });
        }
        let horizon = match p.robust {
            true => (p.runs as usize)
                .saturating_mul(p.plans.len())
                .saturating_mul(shape.states * shape.poles),
            false => 0,
        };
        if p.horizon.len() != horizon || p.horizon.iter().any(|x| !(0.0..=1.0).contains(x)) {
            return Err(MergeError::Corrupt {
                part: name.clone(),
                reason: format!(
                    "{} horizon shares, expected {horizon} in [0, 1] (runs x policies x states x poles)",
                    p.horizon.len()
                ),
            });
        }
    }
    let n = first.shard.n;
    // Indexed by the parts given, never by the shard count read from a file.
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| parts[i].1.shard.k);
    for pair in order.windows(2) {
        let (a, b) = (&parts[pair[0]], &parts[pair[1]]);
        if a.1.shard.k == b.1.shard.k {
            return Err(MergeError::Overlap {
                shard: b.1.shard.to_string(),
                a: a.0.clone(),
                b: b.0.clone(),
            });
        }
    }
    if (order.len() as u64) < n {
        let mut given = order.iter().map(|&i| parts[i].1.shard.k).peekable();
        let mut missing = Vec::new();
        for k in 1..=n {
            if given.peek() == Some(&k) {
                given.next();
            } else {
                missing.push(k);
                if missing.len() == MISSING_LISTED {
                    break;
                }
            }
        }
        return Err(MergeError::Missing {
            n,
            count: n - order.len() as u64,
            missing,
        });
    }
    let mut total: Option<Vec<Tally>> = None;
    for i in order {
        let (name, p) = &parts[i];
        let tallies = p
            .tallies
            .iter()
            .enumerate()
            .map(|(k, t)| {
                t.to_tally(&shape, p.runs)
                    .map_err(|reason| format!("tally of `{}`: {reason}", p.plans[k]))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| MergeError::Corrupt {
                part: name.clone(),
                reason,
            })?;
        match &mut total {
            None => total = Some(tallies),
            Some(sum) => sum.iter_mut().zip(&tallies).for_each(|(s, t)| s.merge(t)),
        }
    }
    // unwrap OK: `parts` is not empty and every shard is present, so at least one was summed.
    Ok(total.unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_run_exactly_once() {
        for runs in [1u64, 7, 10, 1000, 1_000_003] {
            for n in 1..=7 {
                let mut next = 0;
                for k in 1..=n {
                    let (first, count) = Shard { k, n }.range(runs);
                    assert_eq!(first, next, "runs {runs} shard {k}/{n}");
                    next += count;
                }
                assert_eq!(next, runs);
            }
        }
    }

    #[test]
    fn shard_labels_parse_and_bad_ones_are_refused() {
        assert_eq!("2/8".parse::<Shard>().unwrap(), Shard { k: 2, n: 8 });
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sparse_counts_round_trip() {
        let v = vec![0, 3, 0, 0, 7, 0];
        assert_eq!(Sparse::from_dense(&v).to_dense(6, "v").unwrap(), v);
    }

    #[test]
    fn sparse_counts_of_another_length_or_out_of_order_are_refused_before_allocating() {
        let huge = Sparse {
            len: usize::MAX,
            entries: vec![],
        };
        assert!(huge.to_dense(6, "v").is_err());
        for entries in [
            vec![(4, 1), (1, 2)],
            vec![(1, 1), (1, 1)],
            vec![(6, 1)],
            vec![(2, 0)],
        ] {
            let s = Sparse { len: 6, entries };
            assert!(s.to_dense(6, "v").is_err(), "{s:?}");
        }
    }
}
