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

use crate::engine::Tally;
use crate::stats::Moments;

/// Version of the part format; a merge refuses parts of another.
pub const PART_FORMAT: u32 = 1;

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

    fn to_dense(&self) -> Result<Vec<u32>, String> {
        let mut v = vec![0; self.len];
        for &(i, c) in &self.entries {
            *v.get_mut(i as usize)
                .ok_or_else(|| format!("entry {i} beyond length {}", self.len))? = c;
        }
        Ok(v)
    }
}

/// A tally as stored in a part file, with its large count vectors sparse.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredTally {
    runs: u64,
    alignment: Vec<Moments>,
    histograms: Sparse,
    occurrences: Sparse,
    dominant: Vec<u32>,
    bases: Vec<u32>,
    transit: Vec<u32>,
    blocs: Vec<u32>,
    paired: Vec<Moments>,
    checks: Vec<u32>,
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
            transit: t.transit.clone(),
            blocs: t.blocs.clone(),
            paired: t.paired.clone(),
            checks: t.checks.clone(),
        }
    }
}

impl StoredTally {
    /// The dense tally.
    pub fn to_tally(&self) -> Result<Tally, String> {
        Ok(Tally {
            runs: self.runs,
            alignment: self.alignment.clone(),
            histograms: self.histograms.to_dense()?,
            occurrences: self.occurrences.to_dense()?,
            dominant: self.dominant.clone(),
            bases: self.bases.clone(),
            transit: self.transit.clone(),
            blocs: self.blocs.clone(),
            paired: self.paired.clone(),
            checks: self.checks.clone(),
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
    #[serde(default)]
    pub gzip: bool,
    /// One tally per plan.
    pub tallies: Vec<StoredTally>,
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
    #[error("missing {} of {n} shards: {}", missing.len(), missing.iter().map(u64::to_string).collect::<Vec<_>>().join(", "))]
    Missing { n: u64, missing: Vec<u64> },
    /// A part's range or tallies are inconsistent.
    #[error("{part}: {reason}")]
    Corrupt { part: String, reason: String },
}

/// Checks that `parts` (each with the name it came from) form one complete batch, and sums their
/// tallies in shard order.
pub fn merge(parts: &[(String, Part)]) -> Result<Vec<Tally>, MergeError> {
    let (first_name, first) = parts.first().ok_or(MergeError::Empty)?;
    for (name, p) in parts {
        let fields: [(&str, String, String); 12] = [
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
        let (from, count) = p.shard.range(p.runs_total);
        if (from, count) != (p.first_run, p.runs)
            || p.tallies.len() != p.plans.len()
            || p.tallies.iter().any(|t| t.runs != p.runs)
        {
            return Err(MergeError::Corrupt {
                part: name.clone(),
                reason: format!(
                    "shard {} does not hold runs {from}..{} with one tally per policy",
                    p.shard,
                    from + count
                ),
            });
        }
    }
    let n = first.shard.n;
    let mut by_k: Vec<Option<usize>> = vec![None; n as usize];
    for (i, (name, p)) in parts.iter().enumerate() {
        let slot = &mut by_k[(p.shard.k - 1) as usize];
        if let Some(j) = slot {
            return Err(MergeError::Overlap {
                shard: p.shard.to_string(),
                a: parts[*j].0.clone(),
                b: name.clone(),
            });
        }
        *slot = Some(i);
    }
    let missing: Vec<u64> = by_k
        .iter()
        .enumerate()
        .filter(|(_, i)| i.is_none())
        .map(|(k, _)| k as u64 + 1)
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { n, missing });
    }
    let mut total: Option<Vec<Tally>> = None;
    for i in by_k.into_iter().flatten() {
        let (name, p) = &parts[i];
        let tallies = p
            .tallies
            .iter()
            .map(StoredTally::to_tally)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| MergeError::Corrupt {
                part: name.clone(),
                reason,
            })?;
        match &mut total {
            None => total = Some(tallies),
            Some(sum) => {
                for (s, t) in sum.iter_mut().zip(&tallies) {
                    if s.histograms.len() != t.histograms.len()
                        || s.alignment.len() != t.alignment.len()
                        || s.occurrences.len() != t.occurrences.len()
                    {
                        return Err(MergeError::Corrupt {
                            part: name.clone(),
                            reason: "tallies of another shape".into(),
                        });
                    }
                    s.merge(t);
                }
            }
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
        assert_eq!(Sparse::from_dense(&v).to_dense().unwrap(), v);
    }
}
