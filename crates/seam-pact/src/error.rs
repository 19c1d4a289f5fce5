//! Errors reading, writing and merging pact files: always the file, and the JSON
//! path (or line and column for syntax errors) of the offending part.

use std::fmt;

/// Where in a pact file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A syntax error: 1-based line and column.
    LineColumn(usize, usize),
    /// A JSON path such as `$.interactions[2].response.status`.
    JsonPath(String),
}

/// A problem with a pact file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PactError {
    /// The file (or a name standing for the source).
    pub file: String,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for PactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = seam_core::source::one_line(&self.message);
        match &self.location {
            Location::LineColumn(l, c) => write!(f, "{}:{l}:{c}: {message}", self.file),
            Location::JsonPath(p) => write!(
                f,
                "{}: at {}: {message}",
                self.file,
                seam_core::source::one_line(p)
            ),
        }
    }
}

/// A conflict while merging an interaction into a pact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("cannot merge a pact between {new_consumer} and {new_provider} into one between {consumer} and {provider}")]
    Parties {
        consumer: String,
        provider: String,
        new_consumer: String,
        new_provider: String,
    },
    #[error("interaction \"{description}\"{states} is given twice with different contents")]
    Duplicate { description: String, states: String },
    #[error("interaction \"{description}\"{states} changes kind from {old} to {new}")]
    KindChange {
        description: String,
        states: String,
        old: &'static str,
        new: &'static str,
    },
    #[error("a v3 pact cannot hold {0}: write v4")]
    NotInV3(String),
}
