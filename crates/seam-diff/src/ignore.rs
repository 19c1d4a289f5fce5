//! The ignore file (`seam diff --ignore FILE`): changes a team has accepted.
//!
//! One entry per line; blank lines and lines starting with `#` are skipped:
//!
//! ```text
//! # accepted in review #123
//! response-property-enum-value-added                      -- clients ignore unknown values
//! api-path-removed-without-deprecation GET /pets/{id}     -- v1 is retired
//! GET /api/test removed the success response with the status '201'
//! ```
//!
//! - `RULE-ID` ignores every change of that oasdiff rule;
//! - `RULE-ID METHOD /path` only on that operation (the path compared with
//!   parameters normalised: `/pets/{id}` is `/pets/{petId}`);
//! - ` -- reason` at the end is for people;
//! - a line starting with an HTTP method is oasdiff's own format (method, path and
//!   the change's text, compared ignoring case, quotes and backticks), so teams
//!   moving from oasdiff keep their files.
//!
//! An unknown rule id is an error at its line and column, with a "did you mean".

use crate::change::Change;
use crate::rules;
use crate::structure::normalise_path;
use seam_core::source::{Location, SourceError};
use std::path::Path;

/// A parsed ignore file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IgnoreFile {
    entries: Vec<Entry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Entry {
    /// `RULE-ID [METHOD /path]`: method upper case, path normalised.
    Rule {
        id: String,
        operation: Option<(String, String)>,
    },
    /// oasdiff's `METHOD /path text`: the line, lower case, quotes dropped.
    Oasdiff { line: String },
}

impl IgnoreFile {
    /// Reads and parses `path`; every problem, positioned.
    pub fn read(path: &Path) -> Result<IgnoreFile, Vec<SourceError>> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| {
            vec![SourceError::new(
                &name,
                None,
                format!("cannot read the ignore file: {e}"),
            )]
        })?;
        let text = seam_core::source::decode_text(&bytes).map_err(|e| vec![e.in_file(&name)])?;
        IgnoreFile::parse(&name, text)
    }

    /// Parses the text of an ignore file named `file` (for error messages).
    pub fn parse(file: &str, text: &str) -> Result<IgnoreFile, Vec<SourceError>> {
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            match parse_line(raw) {
                Ok(Some(entry)) => entries.push(entry),
                Ok(None) => {}
                Err((column, message)) => errors.push(SourceError::new(
                    file,
                    Some(Location::at(index + 1, column)),
                    message,
                )),
            }
        }
        if errors.is_empty() {
            Ok(IgnoreFile { entries })
        } else {
            Err(errors)
        }
    }

    /// Whether an entry accepts this change.
    pub fn ignores(&self, change: &Change) -> bool {
        self.entries.iter().any(|entry| entry.matches(change))
    }

    /// How many entries the file holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the file holds no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Entry {
    fn matches(&self, change: &Change) -> bool {
        match self {
            Entry::Rule { id, operation } => {
                *id == change.id
                    && operation.as_ref().is_none_or(|(method, path)| {
                        change
                            .operation
                            .as_deref()
                            .and_then(split_operation)
                            .is_some_and(|(m, p)| {
                                m.eq_ignore_ascii_case(method) && normalise_path(p) == *path
                            })
                    })
            }
            Entry::Oasdiff { line } => {
                let Some(operation) = &change.operation else {
                    return false;
                };
                line.contains(&comparable(operation)) && line.contains(&comparable(&change.text))
            }
        }
    }
}

/// `GET /pets` → (`GET`, `/pets`).
fn split_operation(operation: &str) -> Option<(&str, &str)> {
    operation.split_once(' ')
}

/// Text as oasdiff's ignore lines are compared: lower case, without the quotes
/// and backticks either tool puts around values, spaces collapsed.
fn comparable(text: &str) -> String {
    text.to_lowercase()
        .replace(['`', '\'', '"'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_method(word: &str) -> bool {
    seam_openapi::load::METHODS
        .iter()
        .any(|m| m.eq_ignore_ascii_case(word))
}

/// One line: `Ok(None)` for a blank line or comment; an error is (1-based
/// column, message).
fn parse_line(raw: &str) -> Result<Option<Entry>, (usize, String)> {
    let line = match raw.find(" -- ") {
        Some(at) => &raw[..at],
        None => raw.strip_suffix(" --").unwrap_or(raw),
    };
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    // words with their 1-based columns (in characters)
    let words: Vec<(usize, &str)> = word_columns(line);
    let (column, first) = words[0];
    if is_method(first) {
        return match words.get(1) {
            Some((_, path)) if path.starts_with('/') => Ok(Some(Entry::Oasdiff {
                line: comparable(trimmed),
            })),
            _ => Err((
                column,
                format!("expected a path after `{first}` (oasdiff's format: METHOD /path text of the change)"),
            )),
        };
    }
    if rules::get(first).is_none() {
        let ids = rules::all().iter().map(|r| r.id);
        return Err((
            column,
            match seam_core::source::suggest(first, ids) {
                Some(id) => format!("unknown rule id \"{first}\"; did you mean \"{id}\"?"),
                None => {
                    format!("unknown rule id \"{first}\" (see oasdiff's rule list in docs/diff.md)")
                }
            },
        ));
    }
    let operation = match &words[1..] {
        [] => None,
        [(column, method), rest @ ..] => {
            if !is_method(method) {
                return Err((
                    *column,
                    format!("expected an HTTP method after the rule id, found `{method}`"),
                ));
            }
            match rest {
                [] => {
                    return Err((
                        column + method.chars().count(),
                        format!("expected a path after `{method}`"),
                    ))
                }
                [(column, path), ..] if !path.starts_with('/') => {
                    return Err((
                        *column,
                        format!("expected a path starting with `/`, found `{path}`"),
                    ))
                }
                [(_, path)] => Some((method.to_ascii_uppercase(), normalise_path(path))),
                [_, (column, extra), ..] => {
                    return Err((
                        *column,
                        format!(
                            "unexpected `{extra}`: an entry is RULE-ID [METHOD /path] [-- reason]"
                        ),
                    ))
                }
            }
        }
    };
    Ok(Some(Entry::Rule {
        id: first.to_string(),
        operation,
    }))
}

fn word_columns(line: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    for (at, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                words.push((line[..s].chars().count() + 1, &line[s..at]));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::Level;

    fn change(id: &str, operation: &str, text: &str) -> Change {
        Change {
            id: id.into(),
            level: Level::Err,
            operation: Some(operation.into()),
            args: vec![],
            text: text.into(),
            base: None,
            revision: None,
        }
    }

    #[test]
    fn rule_ids_with_and_without_an_operation() {
        let file = IgnoreFile::parse(
            "i.txt",
            "# accepted\n\nresponse-property-enum-value-added -- fine\n\
             api-path-removed-without-deprecation get /pets/{id}\n",
        )
        .unwrap();
        assert_eq!(file.len(), 2);
        assert!(file.ignores(&change("response-property-enum-value-added", "GET /x", "t")));
        assert!(file.ignores(&change(
            "api-path-removed-without-deprecation",
            "GET /pets/{petId}",
            "t"
        )));
        assert!(!file.ignores(&change(
            "api-path-removed-without-deprecation",
            "GET /pets",
            "t"
        )));
    }

    #[test]
    fn oasdiff_lines_match_operation_and_text() {
        let file = IgnoreFile::parse(
            "i.txt",
            "GET /api/test Removed the success response with the status '201'\n",
        )
        .unwrap();
        let c = change(
            "response-success-status-removed",
            "GET /api/test",
            "removed the success response with the status `201`",
        );
        assert!(file.ignores(&c));
        let other = change(
            "response-success-status-removed",
            "GET /api/other",
            "removed the success response with the status `201`",
        );
        assert!(!file.ignores(&other));
    }

    #[test]
    fn unknown_ids_are_placed_with_a_suggestion() {
        let errors =
            IgnoreFile::parse("i.txt", "\n  api-path-removd-without-deprecation\n").unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "i.txt:2:3: unknown rule id \"api-path-removd-without-deprecation\"; did you mean \"api-path-removed-without-deprecation\"?"
        );
        let errors = IgnoreFile::parse("i.txt", "endpoint-added GETT /x\n").unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "i.txt:1:16: expected an HTTP method after the rule id, found `GETT`"
        );
    }
}
