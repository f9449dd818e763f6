//! Reading an output folder back: the manifest and every CSV the report draws on, through the same row
//! declarations `output` writes them with, plus dominance over time derived from trajectories.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::output::{
    CompareRow, EventRow, HindcastRow, Manifest, OutcomeRow, PairedOutcomeRow, SummaryRow,
};
use crate::play::{AttributionRow, BranchRow, StoryRow};

use super::ReportError;

/// Everything the report shows, as read from one output folder.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The folder.
    pub dir: PathBuf,
    /// `manifest.json`.
    pub manifest: Manifest,
    /// `summary.csv` (required).
    pub summary: Vec<SummaryRow>,
    /// `outcomes.csv`, when present.
    pub outcomes: Option<Vec<OutcomeRow>>,
    /// `events.csv`, when present.
    pub events: Option<Vec<EventRow>>,
    /// `compare.csv`, when present.
    pub compare: Option<Vec<CompareRow>>,
    /// `paired_outcomes.csv` (`compare`), when present.
    pub paired_outcomes: Option<Vec<PairedOutcomeRow>>,
    /// `hindcast.csv`, when present.
    pub hindcast: Option<Vec<HindcastRow>>,
    /// Baseline dominance per quarter, derived from `trajectories.csv(.gz)` when present.
    pub dominance: Option<Vec<Dominance>>,
    /// `attribution.csv` (`--attribution`), when present.
    pub attribution: Option<Vec<AttributionRow>>,
    /// `storylines.csv` (`play`), when present.
    pub storylines: Option<Vec<StoryRow>>,
}

/// The share of runs in which a pole is dominant (largest share) in a state in one quarter.
#[derive(Debug, Clone, PartialEq)]
pub struct Dominance {
    /// Quarter label.
    pub quarter: String,
    /// State code.
    pub state: String,
    /// Pole name.
    pub pole: String,
    /// Share of runs, 0..=1.
    pub probability: f64,
    /// Its Wilson 95% interval over runs, as the tables on stdout give it.
    pub low: f64,
    /// The interval's upper end.
    pub high: f64,
}

impl Folder {
    /// The policy names in the manifest's order, baseline first.
    pub fn policies(&self) -> Vec<String> {
        first_seen(self.summary.iter().map(|r| &r.policy))
    }

    /// The quarters in order.
    pub fn quarters(&self) -> Vec<String> {
        first_seen(self.summary.iter().map(|r| &r.quarter))
    }

    /// The state codes in the scenario's order.
    pub fn states(&self) -> Vec<String> {
        first_seen(self.summary.iter().map(|r| &r.state))
    }

    /// What the report calls state `code`: its full name from the manifest (`Kazakhstan`), or the code
    /// where the manifest has none (written before names were recorded, or a scenario without names).
    pub fn state_name(&self, code: &str) -> String {
        self.manifest
            .states
            .iter()
            .find(|s| s.code == code)
            .map_or_else(|| code.to_string(), |s| s.name.clone())
    }

    /// A chart's title for state `code`: `Kazakhstan (KAZ)`, or the code alone where it is the name.
    pub fn state_title(&self, code: &str) -> String {
        match self.state_name(code) {
            name if name == code => name,
            name => format!("{name} ({code})"),
        }
    }

    /// The pole names in the scenario's order.
    pub fn poles(&self) -> Vec<String> {
        first_seen(self.summary.iter().map(|r| &r.pole))
    }

    /// The baseline's name (the first policy).
    pub fn baseline(&self) -> String {
        self.policies().into_iter().next().unwrap_or_default()
    }
}

/// A folder written by `play A --compare B --out DIR`: the paired differences of two branches in every
/// quarter both have played.
#[derive(Debug, Clone)]
pub struct Branches {
    /// The folder.
    pub dir: PathBuf,
    /// The first branch (the game compared against) and the second.
    pub names: [String; 2],
    /// `branches.csv`, in file order (quarter, state, pole).
    pub rows: Vec<BranchRow>,
}

/// The branch comparison in `dir`, if `dir` holds one (`branches.csv` and its manifest, no
/// `summary.csv`); `None` for any other folder.
pub fn read_branches(dir: &Path) -> Result<Option<Branches>, ReportError> {
    let csv_path = dir.join("branches.csv");
    if !csv_path.is_file() || dir.join("summary.csv").is_file() {
        return Ok(None);
    }
    let manifest_path = dir.join("manifest.json");
    let text =
        std::fs::read_to_string(&manifest_path).map_err(|_| ReportError::NotOutputFolder {
            dir: dir.to_path_buf(),
            reason:
                "branches.csv without a manifest.json (written last): the comparison is incomplete"
                    .into(),
        })?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| ReportError::Parse {
            path: manifest_path.clone(),
            line: e.line() as u64,
            column: e.column() as u64,
            message: e.to_string(),
        })?;
    let name = |key: &str| manifest[key].as_str().unwrap_or(key).to_string();
    let rows: Vec<BranchRow> = read_csv(&csv_path)?;
    if rows.is_empty() {
        return Err(ReportError::NotOutputFolder {
            dir: dir.to_path_buf(),
            reason: "branches.csv has no rows".into(),
        });
    }
    Ok(Some(Branches {
        dir: dir.to_path_buf(),
        names: [name("first"), name("second")],
        rows,
    }))
}

/// Distinct values in order of first appearance.
pub(super) fn first_seen<'a>(values: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for v in values {
        if !seen.contains(v) {
            seen.push(v.clone());
        }
    }
    seen
}

/// Reads the output folder `dir`: `manifest.json` and `summary.csv` must be there (a folder with a
/// manifest is complete: it is written last); the other files are read when present.
pub fn read(dir: &Path) -> Result<Folder, ReportError> {
    let not_output = |reason: String| ReportError::NotOutputFolder {
        dir: dir.to_path_buf(),
        reason,
    };
    if !dir.is_dir() {
        return Err(not_output("no such folder".into()));
    }
    let manifest_path = dir.join("manifest.json");
    if dir.join("part.json").is_file() {
        return Err(not_output(
            "it holds one shard's partial result (part.json); combine the shards with \
             `greatgame merge PART_DIR... --out DIR` and report on that folder"
                .into(),
        ));
    }
    if !manifest_path.is_file() {
        return Err(not_output(
            "no manifest.json (written last by `run`, `compare` and `hindcast`)".into(),
        ));
    }
    let text = std::fs::read_to_string(&manifest_path).map_err(|source| ReportError::Read {
        path: manifest_path.clone(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| ReportError::Parse {
        path: manifest_path.clone(),
        line: e.line() as u64,
        column: e.column() as u64,
        message: e.to_string(),
    })?;
    let summary_path = dir.join("summary.csv");
    if !summary_path.is_file() {
        return Err(not_output("no summary.csv".into()));
    }
    let summary: Vec<SummaryRow> = read_csv(&summary_path)?;
    if summary.is_empty() {
        return Err(not_output("summary.csv has no rows".into()));
    }
    let optional = |name: &str| {
        let path = dir.join(name);
        path.is_file().then_some(path)
    };
    let mut folder = Folder {
        dir: dir.to_path_buf(),
        manifest,
        summary,
        outcomes: optional("outcomes.csv").map(|p| read_csv(&p)).transpose()?,
        events: optional("events.csv").map(|p| read_csv(&p)).transpose()?,
        compare: optional("compare.csv").map(|p| read_csv(&p)).transpose()?,
        paired_outcomes: optional("paired_outcomes.csv")
            .map(|p| read_csv(&p))
            .transpose()?,
        hindcast: optional("hindcast.csv").map(|p| read_csv(&p)).transpose()?,
        dominance: None,
        attribution: optional("attribution.csv")
            .map(|p| read_csv(&p))
            .transpose()?,
        storylines: optional("storylines.csv")
            .map(|p| read_csv(&p))
            .transpose()?,
    };
    folder.dominance = match (
        optional("trajectories.csv"),
        optional("trajectories.csv.gz"),
    ) {
        (Some(path), _) => Some(dominance(&folder, &path, open(&path)?)?),
        (None, Some(path)) => {
            let file = open(&path)?;
            Some(dominance(
                &folder,
                &path,
                flate2::read::GzDecoder::new(file),
            )?)
        }
        (None, None) => None,
    };
    Ok(folder)
}

fn open(path: &Path) -> Result<BufReader<File>, ReportError> {
    File::open(path)
        .map(|f| BufReader::with_capacity(1 << 20, f))
        .map_err(|source| ReportError::Read {
            path: path.to_path_buf(),
            source,
        })
}

/// A CSV error as a report error naming the file, line and column (field) where it can.
fn csv_error(path: &Path, e: csv::Error) -> ReportError {
    let message = e.to_string();
    let (line, column) = match e.kind() {
        csv::ErrorKind::Deserialize { pos, err } => (
            pos.as_ref().map_or(0, |p| p.line()),
            err.field().map_or(0, |f| f + 1),
        ),
        _ => (e.position().map_or(0, |p| p.line()), 0),
    };
    match e.into_kind() {
        csv::ErrorKind::Io(source) => ReportError::Read {
            path: path.to_path_buf(),
            source,
        },
        _ => ReportError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message,
        },
    }
}

fn read_csv<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, ReportError> {
    let mut reader = csv::Reader::from_reader(open(path)?);
    reader
        .deserialize()
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| csv_error(path, e))
}

/// The rows of one run, quarter and state being read: the best pole so far and its share.
struct Group {
    /// (quarter, state) indices.
    cell: (usize, usize),
    /// The run, as written.
    run: Vec<u8>,
    /// Index of the pole with the largest share so far.
    best: usize,
    /// Its share.
    score: f64,
}

/// The baseline's dominance per quarter, state and pole, counted from every run's trajectory: in each
/// (run, quarter, state) the pole with the largest share (the first on a tie) is dominant.
fn dominance(
    folder: &Folder,
    path: &Path,
    input: impl Read,
) -> Result<Vec<Dominance>, ReportError> {
    let baseline = folder.baseline();
    let (quarters, states, poles) = (folder.quarters(), folder.states(), folder.poles());
    let index = |list: &[String], field: &[u8]| list.iter().position(|s| s.as_bytes() == field);
    let mut counts = vec![0u64; quarters.len() * states.len() * poles.len()];
    let mut reader = csv::Reader::from_reader(input);
    let headers = reader
        .byte_headers()
        .map_err(|e| csv_error(path, e))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name.as_bytes())
            .ok_or_else(|| ReportError::Parse {
                path: path.to_path_buf(),
                line: 1,
                column: 0,
                message: format!("no column `{name}`"),
            })
    };
    let [c_policy, c_run, c_quarter, c_state, c_pole, c_score] =
        ["policy", "run", "quarter", "state", "pole", "score"].map(column);
    let (c_policy, c_run, c_quarter, c_state, c_pole, c_score) =
        (c_policy?, c_run?, c_quarter?, c_state?, c_pole?, c_score?);
    let mut record = csv::ByteRecord::new();
    let mut group: Option<Group> = None;
    let mut flush = |group: &mut Option<Group>| {
        if let Some(g) = group.take() {
            counts[(g.cell.0 * states.len() + g.cell.1) * poles.len() + g.best] += 1;
        }
    };
    loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(path, e))?;
        if !more {
            break;
        }
        if &record[c_policy] != baseline.as_bytes() {
            continue;
        }
        let bad = |what: &str| ReportError::Parse {
            path: path.to_path_buf(),
            line: record.position().map_or(0, |p| p.line()),
            column: 0,
            message: format!("unknown {what} (not in summary.csv)"),
        };
        let t = index(&quarters, &record[c_quarter]).ok_or_else(|| bad("quarter"))?;
        let h = index(&states, &record[c_state]).ok_or_else(|| bad("state"))?;
        let p = index(&poles, &record[c_pole]).ok_or_else(|| bad("pole"))?;
        let score: f64 = std::str::from_utf8(&record[c_score])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("score (not a number)"))?;
        let run = &record[c_run];
        match &mut group {
            Some(g) if g.cell == (t, h) && g.run.as_slice() == run => {
                if score > g.score {
                    (g.best, g.score) = (p, score);
                }
            }
            _ => {
                flush(&mut group);
                group = Some(Group {
                    cell: (t, h),
                    run: run.to_vec(),
                    best: p,
                    score,
                });
            }
        }
    }
    flush(&mut group);
    // Every run has exactly one dominant pole in the first quarter's first state.
    let n = counts[..poles.len()].iter().sum::<u64>() as f64;
    let mut rows = Vec::with_capacity(counts.len());
    for (t, quarter) in quarters.iter().enumerate() {
        for (h, state) in states.iter().enumerate() {
            for (p, pole) in poles.iter().enumerate() {
                let count = counts[(t * states.len() + h) * poles.len() + p];
                let probability = if n > 0.0 { count as f64 / n } else { 0.0 };
                let (low, high) = crate::stats::wilson95(count, n as u64);
                rows.push(Dominance {
                    quarter: quarter.clone(),
                    state: state.clone(),
                    pole: pole.clone(),
                    probability,
                    low,
                    high,
                });
            }
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with(trajectories: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Manifest {
            greatgame_version: "0".into(),
            command: "run".into(),
            command_line: vec![],
            scenario: "t".into(),
            scenario_file: "t.toml".into(),
            scenario_sha256: "00".into(),
            title: None,
            states: vec![],
            seed: 1,
            runs: 3,
            quarters: ["2020Q1".into(), "2020Q2".into()],
            policies: vec!["baseline".into()],
            shard: None,
            precision: None,
            parameters: None,
            files: vec![],
        };
        std::fs::write(
            dir.path().join("manifest.json"),
            serde_json::to_vec(&manifest).unwrap(),
        )
        .unwrap();
        let mut summary = String::from("policy,quarter,state,pole,mean,sd,p05,p25,p50,p75,p95\n");
        for q in ["2020Q1", "2020Q2"] {
            for p in ["A", "B"] {
                summary.push_str(&format!("baseline,{q},S,{p},0.5,0,0.5,0.5,0.5,0.5,0.5\n"));
            }
        }
        std::fs::write(dir.path().join("summary.csv"), summary).unwrap();
        std::fs::write(dir.path().join("trajectories.csv"), trajectories).unwrap();
        dir
    }

    #[test]
    fn dominance_over_time_counts_the_largest_share_of_each_run() {
        // Three runs; in 2020Q1 pole B leads in runs 1 and 2, in 2020Q2 only in run 2. Rows of another
        // policy are ignored.
        let text = "policy,run,quarter,state,pole,score\n\
            baseline,0,2020Q1,S,A,0.6\nbaseline,0,2020Q1,S,B,0.4\n\
            baseline,0,2020Q2,S,A,0.7\nbaseline,0,2020Q2,S,B,0.3\n\
            other,0,2020Q1,S,A,0.1\nother,0,2020Q1,S,B,0.9\n\
            baseline,1,2020Q1,S,A,0.2\nbaseline,1,2020Q1,S,B,0.8\n\
            baseline,1,2020Q2,S,A,0.55\nbaseline,1,2020Q2,S,B,0.45\n\
            baseline,2,2020Q1,S,A,0.1\nbaseline,2,2020Q1,S,B,0.9\n\
            baseline,2,2020Q2,S,A,0.4\nbaseline,2,2020Q2,S,B,0.6\n";
        let dir = folder_with(text);
        let folder = read(dir.path()).unwrap();
        let dominance = folder.dominance.unwrap();
        let p = |q: &str, pole: &str| {
            dominance
                .iter()
                .find(|d| d.quarter == q && d.pole == pole)
                .unwrap()
                .probability
        };
        assert_eq!(p("2020Q1", "B"), 2.0 / 3.0);
        assert_eq!(p("2020Q1", "A"), 1.0 / 3.0);
        assert_eq!(p("2020Q2", "B"), 1.0 / 3.0);
        assert!(folder.outcomes.is_none() && folder.events.is_none());
    }

    #[test]
    fn a_trajectory_naming_an_unknown_state_is_refused_with_its_line() {
        let text = "policy,run,quarter,state,pole,score\nbaseline,0,2020Q1,XX,A,0.6\n";
        let dir = folder_with(text);
        let err = read(dir.path()).unwrap_err();
        assert!(err.is_input());
        assert!(err.to_string().contains("trajectories.csv:2:"), "{err}");
    }
}
