//! Importers: Postman collections ([`postman`]), HAR recordings ([`har`]) and
//! OpenAPI specs ([`openapi`]) become seam suites. What cannot be expressed in
//! a suite is never dropped silently: it is listed in [`Imported::lost`] with
//! the item it came from.
//! Wrong-typed input is an error at its line, column and JSON path.
//!
//! - [`json_at`]: JSON values with their path and position.
//! - [`script`]: Postman test scripts' common `pm.*` patterns as assertions and captures.

pub mod har;
pub mod json_at;
pub mod openapi;
pub mod postman;
pub mod script;

use serde_json::Value;
use std::fmt;

pub use json_at::Doc;

/// A suite made from another tool's file, and what could not be carried over.
#[derive(Debug)]
pub struct Imported {
    /// The suite (the YAML format's JSON form).
    pub suite: Value,
    /// What was not imported, in file order.
    pub lost: Vec<Lost>,
}

/// Something in the source with no equivalent in the suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lost {
    /// The item it belongs to: `folder / request`, `(collection)`, `entry 3 (GET /x)`.
    pub item: String,
    /// What was left out: a script line, an auth type, a header.
    pub what: String,
    /// Why.
    pub why: String,
}

impl fmt::Display for Lost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.item, self.what, self.why)
    }
}

impl Lost {
    fn new(item: &str, what: impl Into<String>, why: impl Into<String>) -> Self {
        Lost {
            item: item.to_string(),
            what: what.into(),
            why: why.into(),
        }
    }
}

/// Request headers an HTTP client sets itself: a suite does not pin them.
const CLIENT_SET: &[&str] = &["host", "content-length", "connection", "transfer-encoding"];

/// Request headers a browser or proxy adds on its own (dropped from recordings).
const BROWSER_SET: &[&str] = &[
    "accept-encoding",
    "user-agent",
    "postman-token",
    "cache-control",
    "pragma",
    "origin",
    "referer",
    "dnt",
    "upgrade-insecure-requests",
];

fn client_set(name: &str) -> bool {
    name.starts_with(':') || CLIENT_SET.iter().any(|v| name.eq_ignore_ascii_case(v))
}

fn browser_set(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    client_set(name) || lower.starts_with("sec-") || BROWSER_SET.contains(&lower.as_str())
}

/// The suite as YAML text.
pub fn to_yaml(suite: &Value) -> Result<String, String> {
    serde_saphyr::to_string(suite).map_err(|e| format!("cannot write YAML: {e}"))
}

/// Checks that `yaml` is a suite `seam test` loads (the importers' own guarantee).
pub fn check_loads(yaml: &str) -> Result<(), String> {
    let file: crate::model::SuiteFile = serde_saphyr::from_str(yaml)
        .map_err(|e| format!("the written suite does not load: {e}"))?;
    if file.tests.is_empty() {
        return Err("the file has no requests to import".into());
    }
    Ok(())
}
