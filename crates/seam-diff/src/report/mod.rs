//! A diff's report: the changes kept after `--level` and the ignore file, each
//! with the consumers it hits (`--pacts`), rendered in every format `seam diff`
//! writes — one file per format: [`text`] (grouped, coloured on a terminal),
//! JSON and YAML (here: one object per change), [`markdown`], [`html`],
//! [`junit`], [`github`] (Actions annotations) and [`sarif`].

pub mod github;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use crate::change::{Change, Level};
use serde::Serialize;

/// How one consumer fares with one change (`--pacts`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumerHit {
    /// The consumer's name in its pacts.
    pub consumer: String,
    /// How many of its interactions the change hits.
    pub interactions: usize,
    /// Whether any is hit (`interactions > 0`).
    pub hit: bool,
}

/// A change as reported: the change's own fields, plus its consumers when pacts
/// were given (ERR and WARN changes only; empty for INFO).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reported {
    #[serde(flatten)]
    pub change: Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumers: Option<Vec<ConsumerHit>>,
}

/// Everything one `seam diff` run reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The base as the user named it (`HEAD~1:api.yaml`, `v1.yaml`).
    pub base: String,
    /// The revision as the user named it.
    pub revision: String,
    /// The changes shown, most severe first.
    pub changes: Vec<Reported>,
    /// How many changes the ignore file accepted.
    pub ignored: usize,
    /// How many changes `--level` hid.
    pub hidden: usize,
    /// The level a change fails at: `--fail-on`, or ERR for reports that must
    /// always say pass or fail (JUnit).
    pub fail_level: Level,
}

impl Report {
    /// How many shown changes are at `level`.
    pub fn count(&self, level: Level) -> usize {
        self.changes
            .iter()
            .filter(|r| r.change.level == level)
            .count()
    }

    /// The shown changes at or above the fail level.
    pub fn failing(&self) -> impl Iterator<Item = &Reported> {
        self.changes
            .iter()
            .filter(|r| r.change.level >= self.fail_level)
    }

    /// `3 changes: 1 error, 0 warnings, 2 info`, then `, 1 ignored` and
    /// `, 4 below --level` when any.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{}: {}, {}, {} info",
            plural(self.changes.len(), "change", "changes"),
            plural(self.count(Level::Err), "error", "errors"),
            plural(self.count(Level::Warn), "warning", "warnings"),
            self.count(Level::Info)
        );
        if self.ignored > 0 {
            line.push_str(&format!(", {} ignored", self.ignored));
        }
        if self.hidden > 0 {
            line.push_str(&format!(", {} below --level", self.hidden));
        }
        line
    }

    /// JSON: an array of `{id, level, operation, text, args, base: {pointer,
    /// place}, revision: {...}}` (+ `consumers` with `--pacts`).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(&self.changes).unwrap_or_default();
        text.push('\n');
        text
    }

    /// The JSON report's array as YAML.
    pub fn to_yaml(&self) -> String {
        if self.changes.is_empty() {
            return "[]\n".to_string();
        }
        serde_saphyr::to_string(&self.changes).unwrap_or_default()
    }
}

/// `1 change`, `2 changes`, `0 changes`.
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How a report names a level in words: `error`, `warning`, `info`.
pub fn level_word(level: Level) -> &'static str {
    match level {
        Level::Err => "error",
        Level::Warn => "warning",
        Level::Info => "info",
    }
}

/// A `file:line:col` place split into its parts (the file alone when it has
/// no line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place<'a> {
    pub file: &'a str,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl<'a> Place<'a> {
    pub fn parse(place: &'a str) -> Place<'a> {
        let mut parts = place.rsplitn(3, ':');
        let (last, middle, first) = (parts.next(), parts.next(), parts.next());
        let number = |s: Option<&str>| s.and_then(|s| s.parse::<usize>().ok());
        match (first, number(middle), number(last)) {
            (Some(file), Some(line), Some(column)) => Place {
                file,
                line: Some(line),
                column: Some(column),
            },
            _ => Place {
                file: place,
                line: None,
                column: None,
            },
        }
    }
}

/// The consumers line: `breaking for web (3 interactions), safe for mobile`
/// (`affects` for a WARN change).
pub fn consumers_line(level: Level, consumers: &[ConsumerHit]) -> String {
    let verb = if level == Level::Err {
        "breaking for"
    } else {
        "may affect"
    };
    consumers
        .iter()
        .map(|c| {
            if c.hit {
                format!(
                    "{verb} {} ({})",
                    c.consumer,
                    plural(c.interactions, "interaction", "interactions")
                )
            } else {
                format!("safe for {}", c.consumer)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_split_into_file_line_column() {
        assert_eq!(
            Place::parse("specs/a.yaml:12:5"),
            Place {
                file: "specs/a.yaml",
                line: Some(12),
                column: Some(5)
            }
        );
        assert_eq!(Place::parse("HEAD~1:a.yaml:3:1").file, "HEAD~1:a.yaml");
        assert_eq!(Place::parse("a.yaml").line, None);
        assert_eq!(Place::parse("HEAD:a.yaml").file, "HEAD:a.yaml");
    }

    #[test]
    fn consumers_read_as_a_sentence() {
        let hit = |c: &str, n| ConsumerHit {
            consumer: c.into(),
            interactions: n,
            hit: n > 0,
        };
        assert_eq!(
            consumers_line(Level::Err, &[hit("web", 3), hit("mobile", 0)]),
            "breaking for web (3 interactions), safe for mobile"
        );
        assert_eq!(
            consumers_line(Level::Warn, &[hit("web", 1)]),
            "may affect web (1 interaction)"
        );
    }
}
