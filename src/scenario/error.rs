//! Errors a scenario file can earn, each naming the file and, where it applies, the line, column and key.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use toml_edit::{Item, TableLike, Value};

use super::suggest;

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
    /// 1-based line; 0 for an error that has no place in the file (a `--set` or `--factor` path that
    /// names nothing in it), shown as the file's name alone.
    pub line: usize,
    /// 1-based column, in characters; 0 with `line`.
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
        if self.line == 0 {
            write!(f, "{}: ", self.file)?;
        } else {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        }
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        write!(f, "{}", self.message)?;
        if !self.source_line.is_empty() {
            let gutter = self.line.to_string().len();
            let (shown, col) = window(&self.source_line, self.column);
            write!(
                f,
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | {:>col$}",
                "", self.line, shown, "", "^",
            )?;
        }
        Ok(())
    }
}

/// Longest source line shown whole under an error, in characters.
const SHOWN_WIDTH: usize = 100;

/// The part of `line` shown under an error at 1-based character `column`, and the caret's column in
/// it: the whole line if it is short, else `SHOWN_WIDTH` characters around the column with `…` where
/// it is cut (a 100,000-character line is not printed whole).
fn window(line: &str, column: usize) -> (String, usize) {
    let len = line.chars().count();
    if len <= SHOWN_WIDTH {
        return (line.to_string(), column);
    }
    let start = column
        .saturating_sub(SHOWN_WIDTH / 2)
        .min(len - SHOWN_WIDTH);
    let mut shown: String = line.chars().skip(start).take(SHOWN_WIDTH).collect();
    let mut col = column - start;
    if start > 0 {
        shown.insert(0, '…');
        col += 1;
    }
    if start + SHOWN_WIDTH < len {
        shown.push('…');
    }
    (shown, col)
}

impl Located {
    /// Locates byte range `span` of `text` (only its start is used). A message naming an unknown key or
    /// name gets the nearest allowed one suggested (`suggest`); every error passes through here or
    /// through `nowhere`.
    pub fn at(file: &str, text: &str, span: Range<usize>, key: String, message: String) -> Located {
        let message = suggest::with_suggestion(message);
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

impl Located {
    /// An error about `key` that has no place in `file` (a `--set` or `--factor` path that names
    /// nothing in it): shown as the file's name alone, with no line, column or source line.
    pub fn nowhere(file: &str, key: String, message: String) -> Located {
        Located {
            file: file.to_string(),
            line: 0,
            column: 0,
            key,
            message: suggest::with_suggestion(message),
            source_line: String::new(),
        }
    }

    /// An error of the toml crate (syntax, type, unknown or missing key) at its place in `text`, with
    /// the dotted key of the value where it can be told (`state.AAA.gdp_usd_bn`), and the message put
    /// in the words of a TOML file rather than of Rust types.
    pub fn from_toml(file: &str, text: &str, error: &toml::de::Error) -> Located {
        let span = error
            .span()
            .or_else(|| first_line_failing(text, error.message()))
            .unwrap_or(0..0);
        let message = error.message().trim_end();
        let path = toml_path(error);
        let (key, message) = if message == "missing field `scenario`" && is_blank(text) {
            (
                String::new(),
                format!("the file is empty: a scenario needs {NEEDS}"),
            )
        } else if path.is_empty() {
            syntax(text, span.start, message)
        } else {
            (
                labelled_key(text, &path, span.start),
                plain_message(text, span.start, message),
            )
        };
        Located::at(file, text, span, key, message)
    }
}

/// Where an error the toml crate gives without a place happens: the start of the first line at which
/// the file, read up to and including that line, fails with the same `message` (the crate stops at the
/// first error, so that line holds it). The toml crate gives no place for some errors (a key nested
/// past its recursion limit); without this they would be reported at 1:1. `None` if no prefix fails
/// that way (an error about the whole file, such as a missing `[scenario]`).
fn first_line_failing(text: &str, message: &str) -> Option<Range<usize>> {
    let ends: Vec<usize> = text
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .chain((!text.ends_with('\n')).then_some(text.len()))
        .collect();
    let fails = |lines: usize| {
        let prefix = &text[..ends[lines - 1]];
        prefix
            .parse::<toml::Table>()
            .is_err_and(|e| e.message() == message)
    };
    if ends.is_empty() || !fails(ends.len()) {
        return None;
    }
    // The smallest number of lines that fails: reading more of the file never removes the error.
    let (mut good, mut bad) = (0, ends.len());
    while bad - good > 1 {
        let mid = (good + bad) / 2;
        if fails(mid) {
            bad = mid;
        } else {
            good = mid;
        }
    }
    let start = if bad == 1 { 0 } else { ends[bad - 2] };
    let line = &text[start..ends[bad - 1]];
    let column = line.len() - line.trim_start().len();
    Some(start + column..start + column)
}

/// What every scenario must have, for messages about a file that lacks it.
const NEEDS: &str =
    "a [scenario] table (name, start, quarters), two or more [[pole]] and one or more [[state]]";

/// Whether `text` holds nothing but blank lines and comments.
fn is_blank(text: &str) -> bool {
    text.lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
}

/// The path the toml crate names for `error` (it shows it only without input: "in `lever.aid_usd_m`"),
/// ending with the unknown or missing key itself. Empty for syntax errors.
fn toml_path(error: &toml::de::Error) -> Vec<String> {
    let mut bare = error.clone();
    bare.set_input(None);
    let shown = bare.to_string();
    let after = shown.strip_prefix(error.message()).unwrap_or("");
    let mut path: Vec<String> = after
        .lines()
        .find_map(|l| l.strip_prefix("in `")?.strip_suffix('`'))
        .map(|k| k.split('.').map(String::from).collect())
        .unwrap_or_default();
    let message = error.message();
    for prefix in ["unknown field `", "missing field `"] {
        if let Some((name, _)) = message.strip_prefix(prefix).and_then(|r| r.split_once('`')) {
            path.push(name.to_string());
        }
    }
    path
}

/// `path` joined with dots, each `[[table]]` element on the way named as validation names it: by its
/// `code` (a state) or `name`, a `[[lever]]` by `pole.state` (`lever.Russia.KGZ.remittance_share`). The element is
/// the one whose text holds byte `at`. The last segment, the key itself, is never an element.
fn labelled_key(text: &str, path: &[String], at: usize) -> String {
    // A value the TOML reader itself refuses (a number that overflows) leaves no document to read the
    // labels from: read them from the text with that value replaced by 0, whose elements are the same.
    let patched = {
        let at = floor_char_boundary(text, at.min(text.len()));
        let rest = &text[at..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | ']' | '#'))
            .unwrap_or(rest.len());
        format!("{}0{}", &text[..at], &rest[end..])
    };
    let Ok(doc) =
        toml_edit::Document::parse(text).or_else(|_| toml_edit::Document::parse(patched.as_str()))
    else {
        return path.join(".");
    };
    let mut key = Vec::new();
    let mut table: Option<&dyn TableLike> = Some(doc.as_table());
    for (i, segment) in path.iter().enumerate() {
        key.push(segment.clone());
        if i + 1 == path.len() {
            break;
        }
        let (next, element): (Option<&dyn TableLike>, bool) =
            match table.and_then(|t| t.get(segment)) {
                Some(Item::ArrayOfTables(list)) => (
                    list.iter()
                        .filter(|t| t.span().is_some_and(|s| s.start <= at))
                        .last()
                        .map(|t| t as &dyn TableLike),
                    true,
                ),
                Some(Item::Value(Value::Array(list))) => (
                    list.iter()
                        .find(|v| v.span().is_some_and(|s| s.contains(&at)))
                        .and_then(Value::as_inline_table)
                        .map(|t| t as &dyn TableLike),
                    true,
                ),
                Some(item) => (item.as_table_like(), false),
                None => (None, false),
            };
        if let Some(label) = next.filter(|_| element).and_then(|t| label(segment, t)) {
            key.push(label);
        }
        table = next;
    }
    key.join(".")
}

/// How validation names an element of `[[segment]]`, if it has what names it.
fn label(segment: &str, table: &dyn TableLike) -> Option<String> {
    let text = |k: &str| table.get(k).and_then(Item::as_str);
    match (text("code").or(text("name")), segment) {
        (Some(name), _) => Some(name.to_string()),
        (None, "lever") => Some(format!("{}.{}", text("pole")?, text("state")?)),
        (None, _) => None,
    }
}

/// What is wrong with `raw`, a number too large for a float, and what to give instead: for a value in
/// a file and on the command line (`--set`) alike.
pub fn too_large(raw: &str) -> String {
    format!(
        "`{raw}` is too large for a number (a number is at most about 1.8e308 in size): give a number in the key's range"
    )
}

/// The rest of the line of `text` from byte `at`, without a trailing comment.
fn value_text(text: &str, at: usize) -> &str {
    let rest = text.get(at..).unwrap_or("");
    let line = rest.lines().next().unwrap_or("");
    line.split(" #").next().unwrap_or("").trim()
}

/// Key and message for a syntax error at byte `at`: the parser's words, made plain where they mislead.
fn syntax(text: &str, at: usize, message: &str) -> (String, String) {
    if message == "recursion limit" {
        return (String::new(), "this key has too many dotted parts: the TOML reader follows at most 80 (`a.b.c` has 3); a scenario's keys have at most 3".to_string());
    }
    if message.starts_with("cannot recurse further") {
        return (String::new(), "values nested too deeply: the TOML reader follows arrays and inline tables at most 80 levels deep; a scenario's values nest at most 2".to_string());
    }
    if message.starts_with("string values must be quoted") {
        let raw = value_text(text, at);
        let message = if raw.is_empty() || raw.starts_with('#') {
            "no value after `=`: give a number, a quoted string, true or false, an array [...] or an inline table { ... }".to_string()
        } else {
            format!("`{raw}` is not a TOML value: quote a string (\"{raw}\"); numbers, true and false stand alone")
        };
        return (String::new(), message);
    }
    if let Some(quote) = ["basic string", "literal string"]
        .iter()
        .find_map(|kind| message.strip_prefix(&format!("invalid {kind}, expected ")))
    {
        if value_text(text, at).is_empty() {
            return (
                String::new(),
                format!("string not closed: end it with {quote} on the same line"),
            );
        }
    }
    if message == "duplicate key" {
        let (header, name, is_header) = duplicate(text, at);
        let mut path: Vec<String> = header
            .split('.')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        path.extend(name.split('.').map(|s| s.trim().to_string()));
        let message = if is_header && matches!(name.as_str(), "scenario" | "model") {
            format!("`{name}` is defined twice: a table is defined only once")
        } else if is_header {
            format!("`{name}` is defined twice: a table is defined only once (a list of tables is written [[{name}]], once per entry)")
        } else {
            format!("`{name}` is defined twice: a key is given only once in a table")
        };
        return (labelled_key(text, &path, at), message);
    }
    (String::new(), message.to_string())
}

/// For a duplicate key at byte `at`: the header of the table it is in (empty at the top level or for a
/// table header itself), the key as written, and whether it is a table header.
fn duplicate(text: &str, at: usize) -> (String, String, bool) {
    let at = floor_char_boundary(text, at.min(text.len()));
    let (before, rest) = text.split_at(at);
    let is_header = before.trim_end_matches([' ', '\t']).ends_with('[');
    let end = rest
        .find(if is_header { ']' } else { '=' })
        .into_iter()
        .chain(rest.find('\n'))
        .min()
        .unwrap_or(rest.len());
    let name = rest[..end].trim().to_string();
    if is_header {
        return (String::new(), name, true);
    }
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let header = before[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
        .unwrap_or_default();
    (header, name, false)
}

/// The toml crate's `message` about a value at byte `at`, in the words of a TOML file rather than of
/// Rust types (`f64` is a number, a map a table).
fn plain_message(text: &str, at: usize, message: &str) -> String {
    if message == "missing field `scenario`" {
        return format!("no [scenario] table: a scenario needs {NEEDS}");
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        // The crate points at the table that lacks the key: its header, or an inline table.
        let header = value_text(text, at);
        let place = match header {
            h if h.starts_with("[[") => format!("every {h}"),
            h if h.starts_with('[') => h.to_string(),
            _ => "this table".to_string(),
        };
        let name = rest.split('`').next().unwrap_or("");
        return format!("missing field `{name}`, required in {place}");
    }
    if message == "floating-point number overflowed" {
        let raw = value_text(text, at);
        let raw = raw
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | ']'))
            .next()
            .unwrap_or(raw);
        return too_large(raw);
    }
    if let Some((number, _)) = message
        .strip_prefix("invalid type: integer `")
        .and_then(|r| r.split_once("` as i128"))
    {
        return format!(
            "{number} does not fit a whole number, expected {}..={}",
            i64::MIN,
            i64::MAX
        );
    }
    let Some((found, expected)) = message
        .strip_prefix("invalid type: ")
        .and_then(|m| m.split_once(", expected "))
    else {
        return message.to_string();
    };
    let raw = value_text(text, at);
    let found = match found {
        "map" if raw.starts_with(|c: char| c.is_ascii_digit()) => format!("date `{raw}`"),
        "map" => "table".to_string(),
        "sequence" => "array".to_string(),
        other => other.to_string(),
    };
    let expected = match expected {
        "f64" => "a number",
        "i64" => "a whole number",
        "a sequence" => "an array",
        "a map" => "a table",
        s if s.starts_with("struct ") => "a table",
        s => s,
    };
    let hint = match (expected, raw.strip_prefix('[')) {
        ("an array", Some(h)) if !h.starts_with('[') => {
            format!(" (write [[{}]] once per entry)", h.trim_end_matches(']'))
        }
        _ => String::new(),
    };
    format!("invalid type: {found}, expected {expected}{hint}")
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
    fn a_long_line_is_shown_around_its_column_with_the_caret_on_the_same_character() {
        let line: String = (0..1000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        assert_eq!(window("short", 3), ("short".to_string(), 3));
        for column in [1, 2, 50, 51, 500, 999, 1000] {
            let (shown, col) = window(&line, column);
            assert!(shown.chars().count() <= SHOWN_WIDTH + 2, "{column}");
            assert_eq!(
                shown.chars().nth(col - 1),
                line.chars().nth(column - 1),
                "{column}"
            );
        }
    }

    #[test]
    fn an_error_without_a_place_is_located_at_the_first_line_that_fails() {
        let text = format!("a = 1\nb = 2\n[{}]\nc = 3\n", vec!["x"; 200].join("."));
        let error = text.parse::<toml::Table>().unwrap_err();
        assert!(error.span().is_none(), "the toml crate now gives a place");
        let e = Located::from_toml(
            "f.toml",
            &text,
            &toml::from_str::<toml::Table>(&text).unwrap_err(),
        );
        assert_eq!((e.line, e.column), (3, 1));
    }

    #[test]
    fn locates_line_and_column_of_a_span() {
        let text = "a = 1\nbb = 2\n";
        let e = Located::at("f.toml", text, 11..12, "bb".into(), "too big".into());
        assert_eq!((e.line, e.column), (2, 6));
        assert_eq!(e.source_line, "bb = 2");
        assert!(e.to_string().starts_with("f.toml:2:6: bb: too big"));
    }

    const SMALL: &str = r#"[scenario]
name = "t"
start = "2020Q1"
quarters = 8

[[pole]]
name = "West"

[[pole]]
name = "East"

[[state]]
code = "AAA"
gdp_usd_bn = 10
regime_security = 0.6
threat = 0.3
alignment = { West = 0.4, East = 0.6 }

[[lever]]
pole = "East"
state = "AAA"
remittance_share = 0.3
"#;

    /// The located error for `SMALL` with `from` replaced by `to`.
    fn broken(from: &str, to: &str) -> Located {
        assert!(SMALL.contains(from), "test setup: `{from}` not in SMALL");
        match crate::scenario::Scenario::from_toml(&SMALL.replacen(from, to, 1), "t.toml") {
            Err(ScenarioError::Invalid(located)) => *located,
            other => panic!("expected an invalid scenario, got {other:?}"),
        }
    }

    #[test]
    fn the_small_scenario_is_valid() {
        crate::scenario::Scenario::from_toml(SMALL, "t.toml").unwrap();
    }

    #[test]
    fn an_unknown_key_gets_its_dotted_path_and_a_suggestion() {
        let e = broken("remittance_share", "remitance_share");
        assert_eq!(e.key, "lever.East.AAA.remitance_share");
        assert!(e
            .message
            .starts_with("unknown field `remitance_share`, expected one of `pole`"));
        assert!(
            e.message.ends_with("; did you mean `remittance_share`?"),
            "{}",
            e.message
        );
        assert_eq!((e.line, e.column), (22, 1));
    }

    #[test]
    fn a_wrong_type_gets_the_key_and_toml_words() {
        let e = broken("gdp_usd_bn = 10", "gdp_usd_bn = \"10\"");
        assert_eq!(e.key, "state.AAA.gdp_usd_bn");
        assert_eq!(e.message, "invalid type: string \"10\", expected a number");
        let e = broken("quarters = 8", "quarters = 8.5");
        assert_eq!(e.key, "scenario.quarters");
        assert_eq!(
            e.message,
            "invalid type: floating point `8.5`, expected a whole number"
        );
    }

    #[test]
    fn a_missing_key_names_the_table_that_needs_it() {
        let e = broken("gdp_usd_bn = 10\n", "");
        assert_eq!(e.key, "state.AAA.gdp_usd_bn");
        assert_eq!(
            e.message,
            "missing field `gdp_usd_bn`, required in every [[state]]"
        );
        assert_eq!(e.source_line, "[[state]]");
    }

    #[test]
    fn syntax_errors_are_put_plainly() {
        let e = broken("quarters = 8", "quarters =");
        assert_eq!(e.key, "");
        assert!(e.message.starts_with("no value after `=`"), "{}", e.message);
        let e = broken("start = \"2020Q1\"", "start = 2020Q1");
        assert!(
            e.message.starts_with("`2020Q1` is not a TOML value"),
            "{}",
            e.message
        );
        let e = broken("quarters = 8", "quarters = 8\nquarters = 9");
        assert_eq!(e.key, "scenario.quarters");
        assert!(
            e.message.starts_with("`quarters` is defined twice"),
            "{}",
            e.message
        );
        let e = broken("name = \"t\"", "name = \"t");
        assert!(e.message.starts_with("string not closed"), "{}", e.message);
    }

    #[test]
    fn an_empty_file_says_so() {
        for text in ["", "\n\n", "# only a comment\n"] {
            let Err(ScenarioError::Invalid(e)) =
                crate::scenario::Scenario::from_toml(text, "t.toml")
            else {
                panic!("accepted {text:?}");
            };
            assert!(e.message.starts_with("the file is empty"), "{}", e.message);
            assert_eq!((e.line, e.column, e.key.as_str()), (1, 1, ""));
        }
    }

    #[test]
    fn no_prefix_or_line_deletion_of_a_scenario_panics() {
        let text = SMALL.replace("West", "Wést");
        let cut = text.char_indices().map(|(i, _)| &text[..i]);
        let lines: Vec<&str> = text.lines().collect();
        let dropped = (0..lines.len()).map(|i| {
            let mut l = lines.clone();
            l.remove(i);
            l.join("\n")
        });
        for t in cut.map(String::from).chain(dropped) {
            let _ = crate::scenario::Scenario::from_toml(&t, "t.toml");
        }
    }
}
