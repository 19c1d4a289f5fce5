//! Source files as every reader sees them: text decoded the same way (a UTF-8 BOM
//! accepted, invalid UTF-8 reported with its line, column and byte offset), one
//! error type that says where a problem is ([`SourceError`]), and one "did you
//! mean" ([`suggest`]) with one threshold for every unknown key or name.
//!
//! This module does no I/O: callers read the bytes, this decides what they mean.

use std::fmt;

/// Where in a source file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// 1-based line and column (columns count characters).
    LineColumn {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// A path inside a structured document, such as `$.interactions[2].response.status`
    /// or a JSON pointer `#/paths/~1orders/post`.
    Path(String),
    /// Line and column, and the path of the value that failed there.
    LineColumnPath {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The value's path.
        path: String,
    },
}

impl Location {
    /// A line and column.
    pub fn at(line: usize, column: usize) -> Self {
        Location::LineColumn { line, column }
    }

    /// The line and column (in characters) of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let mut cut = offset.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let before = &text[..cut];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        Location::at(line, column)
    }
}

/// A problem in a source file: the file, where in it (when known) and what is wrong.
///
/// Displays as `file:line:col: message`, `file: at $.path: message`, or
/// `file: message`, the one format every reader prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// The file's path as the user named it (or a name standing for the source).
    pub file: String,
    /// Where in the file, when known.
    pub at: Option<Location>,
    /// What is wrong, in one line, with no library internals.
    pub message: String,
}

impl SourceError {
    /// An error at a place in `file`.
    pub fn new(file: impl Into<String>, at: Option<Location>, message: impl Into<String>) -> Self {
        SourceError {
            file: file.into(),
            at,
            message: message.into(),
        }
    }
}

impl SourceError {
    /// The line and column, when the error has them.
    pub fn line_column(&self) -> (Option<usize>, Option<usize>) {
        match self.at {
            Some(Location::LineColumn { line, column })
            | Some(Location::LineColumnPath { line, column, .. }) => (Some(line), Some(column)),
            _ => (None, None),
        }
    }
}

/// `text` on one line: control characters (a newline inside a quoted value)
/// written as escapes, so an error message is always one line.
pub fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().collect::<String>()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = one_line(&self.message);
        match &self.at {
            Some(Location::LineColumn { line, column }) => {
                write!(f, "{}:{line}:{column}: {message}", self.file)
            }
            Some(Location::Path(p)) => write!(f, "{}: at {}: {message}", self.file, one_line(p)),
            Some(Location::LineColumnPath { line, column, path }) => write!(
                f,
                "{}:{line}:{column}: at {}: {message}",
                self.file,
                one_line(path)
            ),
            None => write!(f, "{}: {message}", self.file),
        }
    }
}

impl std::error::Error for SourceError {}

/// A JSON value's kind as an error message names it: "a string", "an array",
/// "null" ("expected a string, found an array").
pub fn kind_of(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Bytes that are not UTF-8, and where the first bad byte is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8 {
    /// 1-based line of the first invalid byte.
    pub line: usize,
    /// 1-based column (in characters) of the first invalid byte.
    pub column: usize,
    /// 0-based byte offset of the first invalid byte in the file (BOM included).
    pub offset: usize,
}

impl NotUtf8 {
    /// As a [`SourceError`] for `file`.
    pub fn in_file(&self, file: impl Into<String>) -> SourceError {
        SourceError::new(
            file,
            Some(Location::at(self.line, self.column)),
            self.to_string(),
        )
    }
}

impl fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the file is not valid UTF-8 (invalid byte at offset {})",
            self.offset
        )
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The text of a source file: a leading UTF-8 byte order mark is dropped; bytes
/// that are not UTF-8 are an error naming the line, column and byte offset.
pub fn decode_text(bytes: &[u8]) -> Result<&str, NotUtf8> {
    let skipped = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
    let body = &bytes[skipped..];
    std::str::from_utf8(body).map_err(|e| {
        // the part before the bad byte is valid UTF-8 by construction
        let good = std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or_default();
        let (line, column) = match Location::of_offset(good, good.len()) {
            Location::LineColumn { line, column } => (line, column),
            _ => (1, 1),
        };
        NotUtf8 {
            line,
            column,
            offset: skipped + e.valid_up_to(),
        }
    })
}

/// Drops a leading UTF-8 byte order mark from text already decoded.
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Levenshtein distance between two strings, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate closest to `word` (ignoring ASCII case), when it is close enough to
/// be a typo: at most a third of the word's length in edits, between 1 and 3.
pub fn suggest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let limit = (word.chars().count() / 3).clamp(1, 3);
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= limit && *c != word)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// ` (did you mean `x`?)` when [`suggest`] finds a candidate, else an empty string.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    suggest(word, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_dropped() {
        assert_eq!(decode_text(b"\xEF\xBB\xBF{\"a\":1}").unwrap(), "{\"a\":1}");
        assert_eq!(strip_bom("\u{feff}x"), "x");
    }

    #[test]
    fn invalid_utf8_names_line_column_and_offset() {
        let e = decode_text(b"a: 1\nbc: \xFF\n").unwrap_err();
        assert_eq!(
            e,
            NotUtf8 {
                line: 2,
                column: 5,
                offset: 9
            }
        );
        let with_bom = decode_text(b"\xEF\xBB\xBFab\xC3").unwrap_err();
        assert_eq!((with_bom.line, with_bom.column, with_bom.offset), (1, 3, 5));
        assert_eq!(
            with_bom.in_file("x.yaml").to_string(),
            "x.yaml:1:3: the file is not valid UTF-8 (invalid byte at offset 5)"
        );
    }

    #[test]
    fn suggestions_share_one_threshold() {
        let keys = ["params", "state", "name"];
        assert_eq!(suggest("parms", keys), Some("params"));
        assert_eq!(suggest("PARAMS", keys), Some("params"));
        assert_eq!(suggest("xyz", keys), None);
        // a two-letter word allows one edit only
        assert_eq!(suggest("nm", ["name"]), None);
        assert_eq!(did_you_mean("stat", keys), " (did you mean `state`?)");
        assert_eq!(did_you_mean("zzzz", keys), "");
    }

    #[test]
    fn messages_stay_on_one_line() {
        let e = SourceError::new("f", None, "unknown generator `Ra\ndomInt`");
        assert_eq!(e.to_string(), "f: unknown generator `Ra\\ndomInt`");
        assert_eq!(one_line("plain"), "plain");
    }

    #[test]
    fn errors_print_their_place() {
        let at = |l| SourceError::new("f.yaml", l, "bad");
        assert_eq!(at(Some(Location::at(3, 4))).to_string(), "f.yaml:3:4: bad");
        assert_eq!(
            at(Some(Location::Path("$.a".into()))).to_string(),
            "f.yaml: at $.a: bad"
        );
        assert_eq!(at(None).to_string(), "f.yaml: bad");
    }
}
