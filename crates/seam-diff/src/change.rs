//! One reported change: oasdiff's rule id and level, the operation it concerns,
//! where it is in both documents and the sentence that says what changed.

use std::fmt;
use std::str::FromStr;

/// How serious a change is for the API's clients (oasdiff's levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    /// Worth knowing, breaks nobody.
    Info,
    /// May break some clients.
    Warn,
    /// Breaks clients.
    Err,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Err => "ERR",
        })
    }
}

impl FromStr for Level {
    type Err = String;

    /// `ERR`, `WARN` or `INFO` (any case; `error`, `warning` too).
    fn from_str(text: &str) -> Result<Level, String> {
        match text.to_ascii_uppercase().as_str() {
            "ERR" | "ERROR" => Ok(Level::Err),
            "WARN" | "WARNING" => Ok(Level::Warn),
            "INFO" => Ok(Level::Info),
            _ => Err(format!(
                "unknown level `{text}`: expected ERR, WARN or INFO"
            )),
        }
    }
}

/// Where a change is in one of the two documents.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Side {
    /// JSON pointer in that document, e.g. `#/paths/~1pets/post/requestBody`.
    pub pointer: String,
    /// `file:line:col` when found (the file alone when only that is known).
    pub place: Option<String>,
}

/// One change between the base and the revision.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Change {
    /// oasdiff rule id (`api-path-removed-without-deprecation`).
    pub id: String,
    pub level: Level,
    /// `POST /pets`: method upper case, path as written in the spec.
    pub operation: Option<String>,
    /// The values the rule's message names, in message order.
    pub args: Vec<String>,
    /// The rule's message with the args filled in.
    pub text: String,
    pub base: Option<Side>,
    pub revision: Option<Side>,
}

impl Change {
    /// The place to point a reader at: the revision's when it has one, else the base's.
    pub fn place(&self) -> Option<&str> {
        self.revision
            .as_ref()
            .and_then(|s| s.place.as_deref())
            .or_else(|| self.base.as_ref().and_then(|s| s.place.as_deref()))
    }
}
