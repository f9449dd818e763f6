//! Errors a scenario file can earn, each naming the file and, where it applies, the line, column and key.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

/// Why a scenario could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("{}: cannot read the scenario file: {error}", path.display())]
    Read {
        /// The path as given.
        path: PathBuf,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{}: not a text file: a scenario is UTF-8 TOML ({error})", path.display())]
    NotText {
        /// The path as given.
        path: PathBuf,
        /// Where decoding failed.
        error: std::str::Utf8Error,
    },
    /// The text is not a valid scenario; `Located` says where and why.
    #[error("{0}")]
    Invalid(Box<Located>),
}

/// An error at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The file name as given by the user (or `<built-in>`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Dotted key of the offending value (`state.KGZ.remittance_share`), empty if unknown.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
    /// The offending line of the file.
    pub source_line: String,
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        write!(f, "{}", self.message)?;
        if !self.source_line.is_empty() {
            let gutter = self.line.to_string().len();
            write!(
                f,
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | {:>col$}",
                "",
                self.line,
                self.source_line,
                "",
                "^",
                col = self.column
            )?;
        }
        Ok(())
    }
}

impl Located {
    /// Locates byte range `span` of `text` (only its start is used).
    pub fn at(file: &str, text: &str, span: Range<usize>, key: String, message: String) -> Located {
        let start = span.start.min(text.len());
        let before = &text[..floor_char_boundary(text, start)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        let source_line = text[line_start..].lines().next().unwrap_or("").to_string();
        Located {
            file: file.to_string(),
            line,
            column,
            key,
            message,
            source_line,
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column_of_a_span() {
        let text = "a = 1\nbb = 2\n";
        let e = Located::at("f.toml", text, 11..12, "bb".into(), "too big".into());
        assert_eq!((e.line, e.column), (2, 6));
        assert_eq!(e.source_line, "bb = 2");
        assert!(e.to_string().starts_with("f.toml:2:6: bb: too big"));
    }
}
