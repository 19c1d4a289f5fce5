//! seam-matchers: WireMock's string and body matchers as one type,
//! [`StringMatcher`]: equalTo, binaryEqualTo, contains, doesNotContain, matches,
//! doesNotMatch, absent, anything, equalToJson, matchesJsonPath,
//! matchesJsonSchema, equalToXml, matchesXPath, before/after/equalToDateTime,
//! and/or/not, and the multi-value
//! hasExactly/includes.
//!
//! This crate owns the matchers' semantics (as WireMock 3 applies them), their
//! WireMock JSON form in both directions ([`from_wiremock_json`],
//! [`StringMatcher::to_wiremock_json`]) and the human reasons a failed check
//! gives. It knows nothing of a server: the mock server (seam-mock) matches
//! requests with it and the suite runner (seam-suite) asserts with it.
//! Regexes are compiled once by seam-core's one policy
//! ([`seam_core::regexp::anchored`] with [`seam_core::regexp::Dot::All`]):
//! bounded, anchored for whole-value matching (Java's `String.matches`, with
//! DOTALL as WireMock compiles them).
//!
//! - `read`: WireMock JSON → matchers, with errors naming a JSON path.
//! - `write`: matchers → WireMock JSON.
//! - `check`: evaluating a matcher on a value, a list of values, a cookie or
//!   raw bytes, and describing it.
//! - one file per body matcher: `equal_to_json`, `json_path`, `json_schema`,
//!   `equal_to_xml`, `xpath`; and the date/time matchers (`date_time`).
//! - `text`: how values and places are written in reasons and errors.
//! - `parsed_json`: one parse of a request body for all its JSON matchers.

mod check;
mod date_time;
mod equal_to_json;
mod equal_to_xml;
mod json_path;
mod json_schema;
mod parsed_json;
mod read;
mod simple_path;
mod text;
mod write;
mod xpath;

pub use date_time::DateTimeMatcher;
pub use equal_to_xml::XmlOptions;
pub use json_path::JsonPathExpr;
pub use json_schema::JsonSchema;
pub use read::{
    check_matcher_count, check_matcher_counts, from_wiremock_json, parse_matcher, MAX_MATCHERS,
};
pub use text::{child_path, describe_json};

use seam_core::regexp::Whole;
use serde_json::Value;
use std::fmt;

/// One WireMock matcher.
#[derive(Debug, Clone)]
pub enum StringMatcher {
    EqualTo {
        value: String,
        case_insensitive: bool,
    },
    /// `binaryEqualTo` (base64 in JSON): the raw bytes, for bodies.
    BinaryEqualTo(Vec<u8>),
    Contains(String),
    /// Passes when the value is absent (as WireMock).
    DoesNotContain(String),
    /// Whole-value match; the regex is anchored, in its leanest shared form
    /// (see [`seam_core::regexp::whole`]: a stub's copy costs a pointer).
    Matches(Whole),
    /// Passes when the value is absent (as WireMock).
    DoesNotMatch(Whole),
    Absent,
    /// `anything`: any value, or none.
    Anything,
    EqualToJson {
        value: Value,
        ignore_array_order: bool,
        ignore_extra_elements: bool,
    },
    MatchesJsonPath {
        expression: JsonPathExpr,
        sub: Option<Box<StringMatcher>>,
    },
    MatchesJsonSchema(JsonSchema),
    /// `before`, `after`, `equalToDateTime` with their modifiers.
    DateTime(Box<DateTimeMatcher>),
    EqualToXml {
        value: String,
        /// XMLUnit placeholders (`${xmlunit.ignore}`, `${xmlunit.isNumber}`,
        /// `${xmlunit.matchesRegex(...)}`, `${xmlunit.isDateTime}`).
        enable_placeholders: bool,
        /// The other WireMock options (`exemptedComparisons`,
        /// `ignoreOrderOfSameNode`, `namespaceAwareness`, placeholder
        /// delimiters); the default is WireMock's.
        options: Box<XmlOptions>,
    },
    MatchesXPath {
        expression: String,
        /// `xPathNamespaces`: prefix → namespace URI.
        namespaces: Vec<(String, String)>,
        sub: Option<Box<StringMatcher>>,
    },
    And(Vec<StringMatcher>),
    Or(Vec<StringMatcher>),
    Not(Box<StringMatcher>),
    /// `hasExactly` (multi-valued parameters and headers): as many values as
    /// matchers, each matcher satisfied by some value. See
    /// [`StringMatcher::check_values`].
    HasExactly(Vec<StringMatcher>),
    /// `includes`: each matcher satisfied by some value.
    Includes(Vec<StringMatcher>),
}

/// A matcher that could not be read: where (a JSON path) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatcherError {
    /// Where: `$.request.bodyPatterns[0].matches`.
    pub path: String,
    /// Why, in one line.
    pub message: String,
}

impl MatcherError {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        MatcherError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for MatcherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// What reading a matcher gives: the value, or where (a JSON path) and why not.
pub type Parsed<T> = Result<T, MatcherError>;

#[cfg(test)]
pub(crate) mod test_support {
    //! What every matcher file's tests share: reading a matcher and checking a
    //! table of (matcher, actual value, should match) rows.

    use crate::{from_wiremock_json, StringMatcher};
    use serde_json::Value;

    pub fn m(v: Value) -> StringMatcher {
        from_wiremock_json(&v).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    pub fn err(v: Value) -> String {
        from_wiremock_json(&v).expect_err("should not parse")
    }

    /// Each row behaves as WireMock does, and survives a round trip through
    /// WireMock JSON.
    pub fn check_table(rows: Vec<(Value, Option<&'static str>, bool)>) {
        for (spec, actual, expected) in rows {
            let matcher = m(spec.clone());
            let result = matcher.check(actual);
            // the predicates request matching uses decide as the checks do
            assert_eq!(matcher.is_match(actual), result.is_ok(), "{spec} is_match");
            let values: Vec<&str> = actual.into_iter().collect();
            assert_eq!(
                matcher.matches_values(&values),
                matcher.check_values(&values).is_ok(),
                "{spec} matches_values"
            );
            let bytes = actual.map(str::as_bytes);
            assert_eq!(
                matcher.matches_bytes(bytes),
                matcher.check_bytes(bytes).is_ok(),
                "{spec} matches_bytes"
            );
            assert_eq!(
                result.is_ok(),
                expected,
                "{spec} against {actual:?} gave {result:?}"
            );
            let written = matcher.to_wiremock_json();
            let again = m(written.clone()).to_wiremock_json();
            assert_eq!(written, again, "{spec}");
        }
    }
}
