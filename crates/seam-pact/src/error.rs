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
    /// Where in the file: a JSON path, or line and column for JSON syntax errors.
    pub location: Location,
    /// What is wrong, for a person; `Display` puts it on one line.
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

impl From<PactError> for seam_core::source::SourceError {
    fn from(e: PactError) -> Self {
        let at = match e.location {
            Location::LineColumn(l, c) => seam_core::source::Location::at(l, c),
            Location::JsonPath(p) => seam_core::source::Location::Path(p),
        };
        seam_core::source::SourceError::new(e.file, Some(at), e.message)
    }
}

/// A conflict while merging an interaction into a pact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// The pacts are between different consumers or providers.
    #[error("cannot merge a pact between {new_consumer} and {new_provider} into one between {consumer} and {provider}")]
    Parties {
        /// The consumer of the pact merged into.
        consumer: String,
        /// The provider of the pact merged into.
        provider: String,
        /// The consumer of the pact being merged.
        new_consumer: String,
        /// The provider of the pact being merged.
        new_provider: String,
    },
    #[error("interaction \"{description}\"{states} is given twice with different contents")]
    /// The merged pact gives one interaction (same description and provider
    /// states) twice with different contents.
    Duplicate {
        /// The interaction's description.
        description: String,
        /// Its provider states as ` given "a" and "b"`, or empty when it has none.
        states: String,
    },
    /// An interaction would change kind (for example HTTP to asynchronous message).
    #[error("interaction \"{description}\"{states} changes kind from {old} to {new}")]
    KindChange {
        /// The interaction's description.
        description: String,
        /// Its provider states as ` given "a" and "b"`, or empty when it has none.
        states: String,
        /// The Pact kind already in the pact (`Synchronous/HTTP`, `Asynchronous/Messages`,
        /// `Synchronous/Messages`).
        old: &'static str,
        /// The Pact kind of the interaction being merged.
        new: &'static str,
    },
    /// Something pact v3 cannot express (a synchronous message, or an output version
    /// other than v3 and v4); the payload says what, for the message.
    #[error("a v3 pact cannot hold {0}: write v4")]
    NotInV3(String),
}
