//! Atomic file writing: a temp file beside the target, renamed into place only when complete.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

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

/// Makes sure `dir` is a writable folder, creating it if needed.
pub fn prepare_dir(dir: &Path) -> Result<(), OutputError> {
    let fail = |reason: String| OutputError::Dir {
        path: dir.to_path_buf(),
        reason,
    };
    if dir.exists() && !dir.is_dir() {
        return Err(fail("it exists and is not a folder".into()));
    }
    fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
    let probe = dir.join(format!(".greatgame-probe-{}", std::process::id()));
    File::create(&probe).map_err(|e| fail(format!("not writable ({e})")))?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

/// A file being written under a temp name in its final folder. `commit` renames it into place; dropping
/// it uncommitted removes the temp file, so no incomplete file ever carries the final name.
pub struct AtomicFile {
    temp: PathBuf,
    path: PathBuf,
    writer: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Starts writing what will become `path`.
    pub fn create(path: &Path) -> Result<AtomicFile, OutputError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = File::create(&temp).map_err(|source| OutputError::Write {
            path: temp.clone(),
            source,
        })?;
        Ok(AtomicFile {
            temp,
            path: path.to_path_buf(),
            writer: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let fail = |source| OutputError::Write {
            path: self.path.clone(),
            source,
        };
        // unwrap OK: the writer is only taken here, and commit consumes self.
        let writer = self.writer.take().unwrap();
        let file = writer.into_inner().map_err(|e| fail(e.into_error()))?;
        file.sync_all().map_err(fail)?;
        fs::rename(&self.temp, &self.path).map_err(fail)
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

    /// Ends the stream and renames the file into place.
    pub fn commit(self) -> Result<(), OutputError> {
        match self {
            StreamFile::Plain(f) => f.commit(),
            StreamFile::Gzip(g) => {
                let path = g.get_ref().path().to_path_buf();
                g.finish()
                    .map_err(|source| OutputError::Write { path, source })?
                    .commit()
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

    /// For gzip, does not flush the compressor: the stream is completed only by `commit`, so equal text
    /// gives equal bytes however it was written (a sync flush would leave a mark where it happened).
    fn flush(&mut self) -> io::Result<()> {
        match self {
            StreamFile::Plain(f) => f.flush(),
            StreamFile::Gzip(_) => Ok(()),
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

/// Writes `bytes` to `path` atomically.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes).map_err(|source| OutputError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    file.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn committed_file_has_its_final_name_and_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.csv");
        write_atomic(&path, b"a,b\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a,b\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_file_is_not_an_output_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x");
        fs::write(&file, b"").unwrap();
        assert!(matches!(prepare_dir(&file), Err(OutputError::Dir { .. })));
    }
}
