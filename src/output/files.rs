//! Atomic file writing: a temp file beside the target, hashed as it is written, renamed into place only
//! when complete; and the checks that a target may be replaced at all.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The output folder exists as something else, or cannot be made.
    #[error("{}: cannot use as output folder: {reason}", path.display())]
    Dir {
        /// The folder.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Another greatgame process holds the output folder.
    #[error("{}: in use by another greatgame process ({holder}); wait for it to finish, or write to another folder", path.display())]
    Busy {
        /// The folder.
        path: PathBuf,
        /// Who holds it, as far as the lock file says (`PID 1234`).
        holder: String,
    },
    /// The target exists and must not be replaced (a device, FIFO, folder, or a read-only file).
    #[error("{}: will not replace it: {reason}", path.display())]
    Target {
        /// The target.
        path: PathBuf,
        /// What it is and what to do.
        reason: String,
    },
    /// The folder a file is to be written in is not there (or is not a folder).
    #[error("{}: cannot write it: its folder {} {reason}; create it first or write elsewhere", path.display(), folder.display())]
    NoFolder {
        /// The file.
        path: PathBuf,
        /// Its folder.
        folder: PathBuf,
        /// "does not exist" or "is not a folder".
        reason: &'static str,
    },
    /// Writing or renaming a file failed.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: io::Error,
    },
    /// A row could not be encoded as CSV.
    #[error("{}: cannot write CSV: {source}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// What the CSV writer said.
        source: csv::Error,
    },
}

/// A file's name in its output folder, size and SHA-256, as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// File name, without folder.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
}

/// Size and SHA-256 of bytes seen so far.
#[derive(Clone, Default)]
pub struct Digester {
    hasher: Sha256,
    bytes: u64,
}

impl Digester {
    /// Adds `buf`.
    pub fn update(&mut self, buf: &[u8]) {
        self.hasher.update(buf);
        self.bytes += buf.len() as u64;
    }

    /// Bytes seen.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The record of what was seen, under `name`.
    pub fn record(self, name: &str) -> FileRecord {
        FileRecord {
            name: name.to_string(),
            bytes: self.bytes,
            sha256: hex(&self.hasher.finalize()),
        }
    }
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A file that hashes what is written to it.
struct HashingFile {
    file: File,
    digest: Digester,
}

impl Write for HashingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Where to write to replace `path`: `path` itself, or, for a symbolic link to a regular file, the file
/// it points to (the link is kept). Refuses a path whose folder does not exist, a folder, device, FIFO
/// or socket (or a link to one), and a read-only file: checked from the permission bits, so it holds even for root, who could write anyway.
pub fn replaceable(path: &Path) -> Result<PathBuf, OutputError> {
    let refuse = |reason: &str| OutputError::Target {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    // The folder it goes in must be there: found now, not after a long run whose result is then lost.
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let missing = |reason| OutputError::NoFolder {
        path: path.to_path_buf(),
        folder: folder.to_path_buf(),
        reason,
    };
    match fs::metadata(folder) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(missing("is not a folder")),
        Err(_) => return Err(missing("does not exist")),
    }
    let link = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(path.to_path_buf()),
        Err(e) => {
            return Err(OutputError::Write {
                path: path.to_path_buf(),
                source: e,
            })
        }
        Ok(m) => m,
    };
    if link.file_type().is_symlink() && leads_to_a_descriptor(path) {
        return Err(refuse(
            "it leads to a process's file descriptor (/dev/stdout, /dev/fd/N, /proc/...), which a \
             rename cannot write to; redirect standard output instead (`> FILE`)",
        ));
    }
    let (real, meta) = if link.file_type().is_symlink() {
        match fs::canonicalize(path) {
            Ok(real) => {
                let meta = fs::metadata(&real).map_err(|source| OutputError::Write {
                    path: path.to_path_buf(),
                    source,
                })?;
                (real, meta)
            }
            Err(_) => {
                return Err(refuse(
                    "it is a symbolic link to nothing; remove it or write elsewhere",
                ))
            }
        }
    } else {
        (path.to_path_buf(), link)
    };
    if meta.is_dir() {
        return Err(refuse("it is a folder; give a file name"));
    }
    if !meta.is_file() {
        return Err(refuse(
            "it is not a regular file (a device, FIFO or socket, or a link to one); give a file name",
        ));
    }
    if meta.permissions().readonly() {
        return Err(refuse(
            "it is read-only; make it writable (chmod u+w) if it should be replaced, or write elsewhere",
        ));
    }
    Ok(real)
}

/// True if the chain of symbolic links from `path` passes through `/proc` or `/dev/fd` (as
/// `/dev/stdout` does): the file at its end is some process's descriptor, not a place to write a file.
fn leads_to_a_descriptor(path: &Path) -> bool {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        let Ok(target) = fs::read_link(&at) else {
            return false;
        };
        let target = match at.parent() {
            Some(parent) if target.is_relative() => parent.join(target),
            _ => target,
        };
        if target.starts_with("/proc") || target.starts_with("/dev/fd") {
            return true;
        }
        at = target;
    }
    false
}

/// A file being written under a temp name in its final folder, hashed as it goes. `finish` completes it
/// as a [`Staged`] file and `commit` renames it into place; dropping it unfinished removes the temp
/// file, so no incomplete file ever carries the final name.
pub struct AtomicFile {
    temp: PathBuf,
    path: PathBuf,
    writer: Option<BufWriter<HashingFile>>,
}

/// The temp name of `path` while process `pid` writes it: `.NAME.tmp-PID` in the same folder.
pub fn temp_name(path: &Path, pid: u32) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{pid}"))
}

/// The process id in a temp name written by [`temp_name`], if `name` is one.
pub fn temp_pid(name: &str) -> Option<u32> {
    let (stem, pid) = name.strip_prefix('.')?.rsplit_once(".tmp-")?;
    if stem.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

impl AtomicFile {
    /// Starts writing what will become `path` (checked with [`replaceable`] first).
    pub fn create(path: &Path) -> Result<AtomicFile, OutputError> {
        let path = replaceable(path)?;
        let temp = temp_name(&path, std::process::id());
        let file = File::create(&temp).map_err(|source| OutputError::Write {
            path: temp.clone(),
            source,
        })?;
        Ok(AtomicFile {
            temp,
            path,
            writer: Some(BufWriter::with_capacity(
                1 << 20,
                HashingFile {
                    file,
                    digest: Digester::default(),
                },
            )),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and syncs the file, still under its temp name.
    pub fn finish(mut self) -> Result<Staged, OutputError> {
        let fail = |source| OutputError::Write {
            path: self.path.clone(),
            source,
        };
        // unwrap OK: the writer is only taken here, and finish consumes self.
        let writer = self.writer.take().unwrap();
        let inner = writer.into_inner().map_err(|e| fail(e.into_error()))?;
        inner.file.sync_all().map_err(fail)?;
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(Staged {
            temp: Some(self.temp.clone()),
            path: self.path.clone(),
            record: inner.digest.record(&name),
        })
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<FileRecord, OutputError> {
        self.finish()?.commit()
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.writer {
            Some(w) => w.write(buf),
            None => Err(io::Error::other("file already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.writer {
            Some(w) => w.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// A complete file under its temp name, waiting to be renamed into place; dropping it uncommitted
/// removes it.
pub struct Staged {
    temp: Option<PathBuf>,
    path: PathBuf,
    record: FileRecord,
}

impl Staged {
    /// Its name, size and SHA-256.
    pub fn record(&self) -> &FileRecord {
        &self.record
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the file into place.
    pub fn commit(mut self) -> Result<FileRecord, OutputError> {
        // unwrap OK: the temp path is only taken here, and commit consumes self.
        let temp = self.temp.take().unwrap();
        if let Err(source) = fs::rename(&temp, &self.path) {
            let _ = fs::remove_file(&temp);
            return Err(OutputError::Write {
                path: self.path.clone(),
                source,
            });
        }
        Ok(self.record.clone())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(temp) = &self.temp {
            let _ = fs::remove_file(temp);
        }
    }
}

/// A streamed output (`runs.csv`, `trajectories.csv`), plain or gzip-compressed, written atomically.
pub enum StreamFile {
    /// Plain text.
    Plain(AtomicFile),
    /// Gzip (one member, no file name or time in the header, so equal text gives equal bytes).
    Gzip(flate2::write::GzEncoder<AtomicFile>),
}

impl StreamFile {
    /// Starts writing `path`, gzip-compressed if `gzip`.
    pub fn create(path: &Path, gzip: bool) -> Result<StreamFile, OutputError> {
        let file = AtomicFile::create(path)?;
        Ok(if gzip {
            StreamFile::Gzip(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::fast(),
            ))
        } else {
            StreamFile::Plain(file)
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        match self {
            StreamFile::Plain(f) => f.path(),
            StreamFile::Gzip(g) => g.get_ref().path(),
        }
    }

    /// Ends the stream, still under its temp name.
    pub fn finish(self) -> Result<Staged, OutputError> {
        match self {
            StreamFile::Plain(f) => f.finish(),
            StreamFile::Gzip(g) => {
                let path = g.get_ref().path().to_path_buf();
                g.finish()
                    .map_err(|source| OutputError::Write { path, source })?
                    .finish()
            }
        }
    }
}

impl Write for StreamFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            StreamFile::Plain(f) => f.write(buf),
            StreamFile::Gzip(g) => g.write(buf),
        }
    }

    /// For gzip, does not flush the compressor: the stream is completed only by `finish`, so equal text
    /// gives equal bytes however it was written (a sync flush would leave a mark where it happened).
    fn flush(&mut self) -> io::Result<()> {
        match self {
            StreamFile::Plain(f) => f.flush(),
            StreamFile::Gzip(_) => Ok(()),
        }
    }
}

/// Writes `bytes` to `path` atomically (checked with [`replaceable`] first).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<FileRecord, OutputError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    file.commit()
}

/// Size and SHA-256 of the file at `path`, read in blocks.
pub fn digest_file(path: &Path) -> io::Result<Digester> {
    let mut file = File::open(path)?;
    let mut digest = Digester::default();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match io::Read::read(&mut file, &mut buf) {
            Ok(0) => return Ok(digest),
            Ok(n) => digest.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn uncommitted_file_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        {
            let mut f = AtomicFile::create(&path).unwrap();
            f.write_all(b"half a row").unwrap();
        }
        assert!(!path.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_staged_file_dropped_uncommitted_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("runs.csv");
        let mut f = AtomicFile::create(&path).unwrap();
        f.write_all(b"a,b\n").unwrap();
        let staged = f.finish().unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        drop(staged);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn committed_file_has_its_final_name_content_and_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.csv");
        let record = write_atomic(&path, b"a,b\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a,b\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        assert_eq!(record.name, "summary.csv");
        assert_eq!(record.bytes, 4);
        assert_eq!(record, digest_file(&path).unwrap().record("summary.csv"));
        // SHA-256 of "a,b\n", from `printf 'a,b\n' | sha256sum`.
        assert_eq!(
            record.sha256,
            "5be08c9684a1d25efcee09318204824278b08bbfb4aef973ffefd0b9d7478313"
        );
    }

    #[test]
    fn temp_names_round_trip_and_others_are_not_temp_names() {
        let t = temp_name(Path::new("/x/runs.csv"), 4321);
        assert_eq!(t, Path::new("/x/.runs.csv.tmp-4321"));
        assert_eq!(temp_pid(".runs.csv.tmp-4321"), Some(4321));
        for other in [
            "runs.csv",
            ".runs.csv.tmp-",
            ".tmp-12",
            "runs.csv.tmp-12",
            ".a.tmp-1x",
        ] {
            assert_eq!(temp_pid(other), None, "{other}");
        }
    }

    #[test]
    fn a_read_only_file_is_not_replaced_even_by_root() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        fs::write(&path, b"old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
        let err = write_atomic(&path, b"new").unwrap_err();
        assert!(err.to_string().contains("read-only"), "{err}");
        assert_eq!(fs::read(&path).unwrap(), b"old");
    }

    #[test]
    fn a_link_to_a_regular_file_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        fs::write(&real, b"old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");
    }

    #[test]
    fn devices_fifos_folders_and_links_to_them_are_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("null-link");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let descriptor = dir.path().join("out-link");
        std::os::unix::fs::symlink("/proc/self/fd/1", &descriptor).unwrap();
        for target in [
            Path::new("/dev/null"),
            &link,
            &fifo,
            dir.path(),
            &descriptor,
        ] {
            assert!(
                matches!(replaceable(target), Err(OutputError::Target { .. })),
                "{}",
                target.display()
            );
        }
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}
