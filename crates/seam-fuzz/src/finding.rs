//! What a run found and did: findings (check, operation, the minimal request
//! with a curl line, the answer's excerpt, the spec location), counts per
//! operation, and the run's totals. Finding ids are stable across runs of
//! the same spec (a hash of operation, check and what sets the finding
//! apart), so baselines and `seam fuzz replay` can name them.

use crate::case::{Phase, Sent};
use crate::check::Check;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// An answer as received.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed: Duration,
}

/// The part of an answer a report shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerExcerpt {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body's first 2,000 characters.
    pub body: String,
    pub elapsed_ms: u64,
}

/// A response's headers as (name, value) pairs, values read as text.
pub fn header_pairs(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

impl Answer {
    /// The body's first `n` characters on one line.
    pub fn body_excerpt(&self, n: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > n {
            format!("{}…", one_line.chars().take(n).collect::<String>())
        } else {
            one_line
        }
    }

    pub fn excerpt(&self) -> AnswerExcerpt {
        let text = String::from_utf8_lossy(&self.body);
        let body = if text.chars().count() > 2000 {
            format!("{}…", text.chars().take(2000).collect::<String>())
        } else {
            text.into_owned()
        };
        AnswerExcerpt {
            status: self.status,
            headers: self.headers.clone(),
            body,
            elapsed_ms: self.elapsed.as_millis() as u64,
        }
    }
}

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// `F` and 8 hex digits, stable for the same operation, check and key.
    pub id: String,
    pub check: Check,
    /// `POST /items`.
    pub operation: String,
    pub operation_id: Option<String>,
    #[serde(skip)]
    pub operation_index: usize,
    /// What sets this finding apart from others of its check on its operation.
    pub key: String,
    pub phase: Phase,
    pub message: String,
    /// What the request changed from valid data.
    pub mutation: Option<String>,
    /// The JSON pointer of the spec rule involved.
    pub pointer: String,
    /// `file:line:col` of that rule.
    pub spec_location: String,
    /// The (minimal) request.
    pub request: Sent,
    pub curl: String,
    pub answer: Option<AnswerExcerpt>,
    /// A hang or broken connection, in words.
    pub failure: Option<String>,
    /// Sent again, the request did not fail the same way.
    pub flaky: bool,
    /// For a stateful finding: the requests sent before, in order.
    pub steps: Vec<Sent>,
}

impl serde::Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// Requests and answers per operation.
#[derive(Debug, Clone, Serialize)]
pub struct OperationStats {
    pub operation: String,
    pub requests: u64,
    /// Answers by status.
    pub statuses: BTreeMap<u16, u64>,
    /// Requests with no answer (a hang or a broken connection).
    pub failures: u64,
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub base_url: String,
    pub seed: u64,
    pub phases: Vec<Phase>,
    pub requests: u64,
    pub elapsed: Duration,
    /// `--max-time` ran out before every case was sent.
    pub stopped_by_time: bool,
    pub operations: Vec<OperationStats>,
    pub findings: Vec<Finding>,
    /// Things worth knowing that are not findings (operations only ever
    /// answered 401).
    pub notes: Vec<String>,
    /// The response-time check's threshold, if it was on.
    pub max_response_time: Option<Duration>,
    pub request_timeout: Duration,
}

impl Outcome {
    /// Findings that are not flaky.
    pub fn confirmed(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.flaky)
    }

    /// Requests per second over the whole run.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// `F` and 8 hex digits of an FNV-1a hash of operation, check and key.
pub fn finding_id(operation: &str, check: Check, key: &str) -> String {
    format!("F{}", finding_id_of(&[operation, check.code(), key]))
}

/// 8 hex digits of an FNV-1a hash of the parts (each ended by a NUL): the
/// stable part of a finding id.
pub fn finding_id_of(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{:08x}", (h >> 32) as u32 ^ h as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = finding_id("POST /items", Check::ServerError, "500 at body.name");
        assert_eq!(
            a,
            finding_id("POST /items", Check::ServerError, "500 at body.name")
        );
        assert_ne!(
            a,
            finding_id("POST /items", Check::ServerError, "500 at body.qty")
        );
        assert_eq!(a.len(), 9);
    }
}
