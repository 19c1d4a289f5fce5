//! The matching engine: compares an expected request, response or message (with its
//! matching rules) against an actual one, and returns every mismatch with its
//! location, expected value, actual value and reason.

mod body;
mod http;
mod json;
mod value;
mod xml;

pub use body::match_body;
pub use http::{match_message, match_request, match_response, Message};
pub use json::{match_json, BodyMode};
pub use value::{check_rule, check_rule_list, check_text_rule_list, scalar_text, type_name};
pub use xml::match_xml;

use serde_json::Value;
use std::fmt;

/// Which part of an interaction a mismatch is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// The HTTP method (requests).
    Method,
    /// The request path.
    Path,
    /// A query parameter; the mismatch path is its name.
    Query,
    /// A header; the mismatch path is its name.
    Header,
    /// A place in the body or message contents (`$.items[2].price`).
    Body,
    /// The content types differ (`application/json` expected, `text/plain`
    /// arrived); the bodies themselves were not compared.
    BodyType,
    /// The response status.
    Status,
    /// A message metadata key; the mismatch path is the key.
    Metadata,
}

impl Part {
    /// The word reports print before the path (`body`, `body type`, `header`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Part::Method => "method",
            Part::Path => "path",
            Part::Query => "query",
            Part::Header => "header",
            Part::Body => "body",
            Part::BodyType => "body type",
            Part::Status => "status",
            Part::Metadata => "metadata",
        }
    }
}

/// One difference between what was expected and what arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// Which part of the interaction differs.
    pub part: Part,
    /// Where: `$.items[2].price` for bodies, the name for headers and query
    /// parameters, empty for method, path and status.
    pub path: String,
    /// `None`: nothing was expected there (an unexpected key, header or
    /// element), which is not the same as an expected `null`.
    pub expected: Option<Value>,
    /// `None`: nothing was there (a missing key, header, attribute or body).
    pub actual: Option<Value>,
    /// Why, in one sentence for people (`expected 3 but was 4`).
    pub reason: String,
}

impl Mismatch {
    /// A mismatch; `expected`/`actual` take a `Value`, `Some(value)` or `None`.
    pub fn new(
        part: Part,
        path: impl Into<String>,
        expected: impl Into<Option<Value>>,
        actual: impl Into<Option<Value>>,
        reason: impl Into<String>,
    ) -> Self {
        Mismatch {
            part,
            path: path.into(),
            expected: expected.into(),
            actual: actual.into(),
            reason: reason.into(),
        }
    }

    /// `body $.items[2].price` or `header Accept` or `status`.
    pub fn location(&self) -> String {
        if self.path.is_empty() {
            self.part.name().to_string()
        } else {
            format!("{} {}", self.part.name(), self.path)
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.reason)
    }
}

/// How reports show a mismatch side where nothing is (`None`).
pub const ABSENT: &str = "(absent)";

/// A side of a mismatch on one line: the value, or [`ABSENT`].
pub fn brief_side(v: Option<&Value>) -> String {
    v.map_or_else(|| ABSENT.to_string(), brief)
}

/// Renders a JSON value briefly for messages: strings quoted, long values cut.
pub fn brief(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 80 {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    } else {
        s
    }
}
