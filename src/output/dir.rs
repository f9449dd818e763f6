//! An output folder that holds one run's files, whole, or says it does not.
//!
//! A run takes an exclusive lock on its folder (`.greatgame.lock`, holding its PID), so two runs never
//! write into one folder. It writes every output under a temp name and only then commits, in this order:
//! 1. remove `manifest.json` and `part.json` (from here on the folder says it is incomplete);
//! 2. remove the tool's own outputs this run does not rewrite;
//! 3. rename each new file into place;
//! 4. write `manifest.json`, listing every file with its size and SHA-256.
//!
//! A process stopped before step 1 leaves the previous complete folder (its temp files are removed, or,
//! after SIGKILL, removed by the next run in the folder); stopped between 1 and 4, a folder without a
//! manifest. [`verify`] checks a folder against its manifest.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::files::{
    digest_file, replaceable, temp_pid, write_atomic, FileRecord, OutputError, Staged,
};

/// The lock file of an output folder.
pub const LOCK_FILE: &str = ".greatgame.lock";
/// The manifest: written last, lists every file of the run.
pub const MANIFEST: &str = "manifest.json";
/// A shard's partial result.
pub const PART: &str = "part.json";
/// The per-run values of the numbers runs draw (a parameter ensemble's sets, `[[uncertain]]` numbers).
pub const PARAMETERS_CSV: &str = "parameters.csv";
/// Every name greatgame writes into an output folder: an earlier run's files under these names that
/// this run does not rewrite are removed when it commits.
pub const OUTPUT_NAMES: [&str; 22] = [
    "summary.csv",
    "outcomes.csv",
    "events.csv",
    "runs.csv",
    "runs.csv.gz",
    "trajectories.csv",
    "trajectories.csv.gz",
    "compare.csv",
    "hindcast.csv",
    PARAMETERS_CSV,
    "paired.csv",
    "paired_outcomes.csv",
    "robust.csv",
    super::EXPERIMENTS_CSV,
    super::SENSITIVITY_CSV,
    super::PRIM_TRAJECTORY_CSV,
    super::PRIM_BOX_CSV,
    "signposts.toml",
    "attribution.csv",
    "storylines.csv",
    PART,
    MANIFEST,
];

/// An output folder locked by this process. Dropping it uncommitted releases the lock (and removes the
/// folder again if this process made it and left it empty).
pub struct OutputDir {
    path: PathBuf,
    lock: Option<File>,
    created: bool,
}

/// Whether process `pid` is alive (or may be: a process of another user counts as alive).
fn alive(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    if raw <= 0 {
        return false;
    }
    !matches!(
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(raw), None),
        Err(nix::errno::Errno::ESRCH)
    )
}

impl OutputDir {
    /// Makes `path` a folder if needed, checks it is writable, takes its lock, checks that none of
    /// `will_write` nor any earlier greatgame output in it is something that must not be replaced (see
    /// `files::replaceable`), and removes temp files left by processes
    /// that no longer exist. Writes nothing else: until [`OutputDir::commit`], an earlier run's files stay
    /// as they were.
    pub fn open(path: &Path, will_write: &[&str]) -> Result<OutputDir, OutputError> {
        let fail = |reason: String| OutputError::Dir {
            path: path.to_path_buf(),
            reason,
        };
        if path.exists() && !path.is_dir() {
            return Err(fail("it exists and is not a folder".into()));
        }
        let created = !path.exists();
        fs::create_dir_all(path).map_err(|e| fail(e.to_string()))?;
        let mut dir = OutputDir {
            path: path.to_path_buf(),
            lock: None,
            created,
        };
        // Creating the lock file is the writability check: a separate probe file would be left behind
        // by a process killed between making and removing it, beside a run's outputs.
        dir.lock = Some(lock(path).map_err(|e| match e {
            OutputError::Write { source, .. } => fail(format!("not writable ({source})")),
            other => other,
        })?);
        // What this run rewrites, and the earlier outputs its commit removes: none may be a device, FIFO,
        // folder or read-only file.
        for name in will_write.iter().chain(&OUTPUT_NAMES) {
            replaceable(&path.join(name))?;
        }
        dir.remove_dead_temps();
        Ok(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes `.NAME.tmp-PID` files whose process no longer exists (or is this one: a previous process
    /// with the same id). Best effort: a file that cannot be removed stays.
    fn remove_dead_temps(&self) {
        let Ok(entries) = fs::read_dir(&self.path) else {
            return;
        };
        let me = std::process::id();
        for entry in entries.flatten() {
            let name = entry.file_name();
            if let Some(pid) = temp_pid(&name.to_string_lossy()) {
                if pid == me || !alive(pid) {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
    }

    /// Commits `staged` files and then the manifest that `manifest` makes from their records (see the
    /// module doc for the order); returns the records of every file, the manifest last.
    pub fn commit(
        mut self,
        staged: Vec<Staged>,
        manifest: impl FnOnce(&[FileRecord]) -> Result<Vec<u8>, OutputError>,
    ) -> Result<Vec<FileRecord>, OutputError> {
        let records: Vec<FileRecord> = staged.iter().map(|s| s.record().clone()).collect();
        let bytes = manifest(&records)?;
        for name in [MANIFEST, PART] {
            remove_if_present(&self.path.join(name))?;
        }
        sync_dir(&self.path);
        for name in OUTPUT_NAMES {
            if !records.iter().any(|r| r.name == name) {
                remove_if_present(&self.path.join(name))?;
            }
        }
        let mut done = Vec::with_capacity(staged.len() + 1);
        for file in staged {
            done.push(file.commit()?);
        }
        sync_dir(&self.path);
        done.push(write_atomic(&self.path.join(MANIFEST), &bytes)?);
        sync_dir(&self.path);
        self.created = false;
        Ok(done)
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take() {
            // Unlink before unlocking: a process that opened this file and locks it after us sees that
            // the name no longer leads to it, and tries again (see `lock`).
            let _ = fs::remove_file(self.path.join(LOCK_FILE));
            drop(lock);
        }
        if self.created {
            let _ = fs::remove_dir(&self.path);
        }
    }
}

/// Takes the exclusive lock of folder `dir`, writing this process's id into the lock file.
fn lock(dir: &Path) -> Result<File, OutputError> {
    let path = dir.join(LOCK_FILE);
    let write_err = |source| OutputError::Write {
        path: path.clone(),
        source,
    };
    loop {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(write_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let holder = match text.trim().parse::<u32>() {
                    Ok(pid) => format!("PID {pid}"),
                    Err(_) => "a process starting up".to_string(),
                };
                return Err(OutputError::Busy {
                    path: dir.to_path_buf(),
                    holder,
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(write_err(e)),
        }
        // The holder before us may have unlinked the file between our open and our lock: then the lock
        // is on a file nobody else will find, so start again.
        let same = match (file.metadata(), fs::metadata(&path)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        };
        if !same {
            continue;
        }
        file.set_len(0).map_err(write_err)?;
        file.rewind().map_err(write_err)?;
        writeln!(file, "{}", std::process::id()).map_err(write_err)?;
        return Ok(file);
    }
}

/// Takes a shared lock on folder `dir` if it has a lock file, so no run writes into it while it is read;
/// refuses if a run holds it. Without a lock file nobody is writing it.
pub fn read_lock(dir: &Path) -> Result<Option<File>, OutputError> {
    let path = dir.join(LOCK_FILE);
    let Ok(mut file) = File::open(&path) else {
        return Ok(None);
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(Some(file)),
        Err(fs::TryLockError::WouldBlock) => {
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            Err(OutputError::Busy {
                path: dir.to_path_buf(),
                holder: format!("PID {}", text.trim()),
            })
        }
        Err(fs::TryLockError::Error(source)) => Err(OutputError::Write { path, source }),
    }
}

fn remove_if_present(path: &Path) -> Result<(), OutputError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(OutputError::Write {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Makes renames and removals in `dir` durable (best effort: not every file system can sync a folder).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Why a folder does not verify against its manifest.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// No manifest: the run that wrote the folder did not finish (or it is not an output folder).
    #[error("{}: no manifest.json: not a complete greatgame output (interrupted, failed, or still being written)", dir.display())]
    NoManifest {
        /// The folder.
        dir: PathBuf,
    },
    /// The manifest cannot be read or is not a manifest.
    #[error("{}: {reason}", path.display())]
    BadManifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A listed file is missing or differs from its record, or an output is not listed.
    #[error("{}: {reason}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
struct ListedFiles {
    files: Vec<FileRecord>,
}

/// The file records of `dir`'s manifest, checked to be plain names in the folder, each listed once.
pub fn manifest_records(dir: &Path) -> Result<Vec<FileRecord>, VerifyError> {
    let path = dir.join(MANIFEST);
    let text = match fs::read(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(VerifyError::NoManifest {
                dir: dir.to_path_buf(),
            })
        }
        Err(e) => {
            return Err(VerifyError::BadManifest {
                path,
                reason: format!("cannot read: {e}"),
            })
        }
        Ok(t) => t,
    };
    let listed: ListedFiles =
        serde_json::from_slice(&text).map_err(|e| VerifyError::BadManifest {
            path: path.clone(),
            reason: format!("not a greatgame manifest with a file list: {e}"),
        })?;
    for (i, r) in listed.files.iter().enumerate() {
        let plain = !r.name.is_empty()
            && !r.name.contains(['/', '\\'])
            && r.name != "."
            && r.name != ".."
            && r.name != MANIFEST;
        if !plain || listed.files[..i].iter().any(|o| o.name == r.name) {
            return Err(VerifyError::BadManifest {
                path,
                reason: format!(
                    "lists `{}`, not a file name of the folder (or twice)",
                    r.name
                ),
            });
        }
    }
    Ok(listed.files)
}

/// Checks that `dir` holds exactly what its manifest lists: every listed file with its size and
/// SHA-256, and no greatgame output the manifest does not list. Returns the records.
pub fn verify(dir: &Path) -> Result<Vec<FileRecord>, VerifyError> {
    let records = manifest_records(dir)?;
    for r in &records {
        check_file(&dir.join(&r.name), r)?;
    }
    for name in OUTPUT_NAMES {
        if name != MANIFEST && !records.iter().any(|r| r.name == name) && dir.join(name).exists() {
            return Err(VerifyError::File {
                path: dir.join(name),
                reason: "present but not listed in manifest.json: left by another run".into(),
            });
        }
    }
    Ok(records)
}

/// Checks the file at `path` against `record`.
pub fn check_file(path: &Path, record: &FileRecord) -> Result<(), VerifyError> {
    let fail = |reason: String| VerifyError::File {
        path: path.to_path_buf(),
        reason,
    };
    let digest = digest_file(path)
        .map_err(|e| fail(format!("listed in manifest.json but cannot be read: {e}")))?;
    if digest.bytes() != record.bytes {
        return Err(fail(format!(
            "{} bytes, manifest.json says {}: truncated or changed",
            digest.bytes(),
            record.bytes
        )));
    }
    let found = digest.record(&record.name);
    if found.sha256 != record.sha256 {
        return Err(fail(format!(
            "SHA-256 {}, manifest.json says {}: changed since it was written",
            found.sha256, record.sha256
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::AtomicFile;

    fn stage(dir: &OutputDir, name: &str, text: &[u8]) -> Staged {
        let mut f = AtomicFile::create(&dir.path().join(name)).unwrap();
        f.write_all(text).unwrap();
        f.finish().unwrap()
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_committed_folder_verifies_and_holds_only_this_runs_outputs() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("out");
        fs::create_dir(&path).unwrap();
        for stale in ["part.json", "hindcast.csv", "manifest.json", "notes.txt"] {
            fs::write(path.join(stale), b"old").unwrap();
        }
        let dir = OutputDir::open(&path, &["summary.csv"]).unwrap();
        let staged = vec![stage(&dir, "summary.csv", b"a\n1\n")];
        // Until the commit, the earlier run's files are as they were.
        assert_eq!(fs::read(path.join("hindcast.csv")).unwrap(), b"old");
        let manifest = |records: &[FileRecord]| {
            Ok(serde_json::to_vec(&serde_json::json!({ "files": records })).unwrap())
        };
        let records = dir.commit(staged, manifest).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(verify(&path).unwrap(), records[..1]);
        assert_eq!(names(&path), ["manifest.json", "notes.txt", "summary.csv"]);
        fs::write(path.join("summary.csv"), b"a\n2\n").unwrap();
        assert!(matches!(verify(&path), Err(VerifyError::File { .. })));
        fs::write(path.join("summary.csv"), b"a\n1\n").unwrap();
        fs::write(path.join("part.json"), b"{}").unwrap();
        assert!(matches!(verify(&path), Err(VerifyError::File { .. })));
        fs::remove_file(path.join("manifest.json")).unwrap();
        assert!(matches!(verify(&path), Err(VerifyError::NoManifest { .. })));
    }

    #[test]
    fn a_second_opener_is_refused_naming_the_holder_and_the_lock_goes_with_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("out");
        let first = OutputDir::open(&path, &[]).unwrap();
        let err = OutputDir::open(&path, &[]).err().unwrap();
        let text = err.to_string();
        assert!(
            text.contains(&format!("PID {}", std::process::id())),
            "{text}"
        );
        assert!(matches!(read_lock(&path), Err(OutputError::Busy { .. })));
        drop(first);
        assert!(
            !path.exists(),
            "a folder made and left empty is removed again"
        );
        let again = OutputDir::open(&path, &[]).unwrap();
        drop(again);
    }

    #[test]
    fn a_read_only_earlier_output_is_not_removed() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let kept = tmp.path().join("hindcast.csv");
        fs::write(&kept, b"keep").unwrap();
        fs::set_permissions(&kept, fs::Permissions::from_mode(0o444)).unwrap();
        let err = OutputDir::open(tmp.path(), &["summary.csv"]).err().unwrap();
        assert!(matches!(err, OutputError::Target { .. }), "{err}");
        assert_eq!(fs::read(&kept).unwrap(), b"keep");
        assert!(!tmp.path().join(LOCK_FILE).exists());
    }

    #[test]
    fn temp_files_of_dead_processes_are_removed_and_others_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path();
        // PID 1 is always alive; i32::MAX is above any pid_max.
        let alive = ".runs.csv.tmp-1".to_string();
        let dead = format!(".runs.csv.tmp-{}", i32::MAX);
        for name in [&alive, &dead] {
            fs::write(path.join(name), b"x").unwrap();
        }
        let dir = OutputDir::open(path, &[]).unwrap();
        assert!(path.join(&alive).exists());
        assert!(!path.join(&dead).exists());
        drop(dir);
    }
}
