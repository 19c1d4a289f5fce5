//! What a scan found and did: findings (check, operation, identity, evidence,
//! the request with a curl line, the answer's excerpt) and the run's outcome.
//! Finding ids are stable across runs against the same API (a hash of
//! operation, check and what sets the finding apart), so a baseline can name
//! them.

use crate::check::{Check, Severity};
use seam_fuzz::case::Sent;
use seam_fuzz::finding::{finding_id_of, AnswerExcerpt};
use serde::Serialize;
use std::time::Duration;

/// One finding.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// `S` and 8 hex digits.
    pub id: String,
    pub check: Check,
    pub severity: Severity,
    pub owasp: &'static str,
    /// `GET /notes/{id}`, or `*` for the API as a whole.
    pub operation: String,
    /// `file:line:col` of the operation in the spec (the spec file alone for
    /// findings on the API as a whole).
    pub location: String,
    /// The identity the request was sent as (`-` for none).
    pub identity: String,
    /// What sets this finding apart from others of its check on its operation.
    pub key: String,
    pub message: String,
    /// What proves it, in words (the confirmation step).
    pub evidence: String,
    pub request: Sent,
    pub curl: String,
    pub answer: Option<AnswerExcerpt>,
    /// Requests sent before, in order, that the finding depends on.
    pub steps: Vec<Sent>,
}

impl Finding {
    /// The id of a finding of `check` on `operation` set apart by `key`.
    pub fn id_for(operation: &str, check: Check, key: &str) -> String {
        let hex = finding_id_of(&[operation, check.code(), key]);
        format!("S{hex}")
    }
}

/// A whole scan.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub base_url: String,
    pub requests: u64,
    pub elapsed: Duration,
    pub identities: Vec<String>,
    pub findings: Vec<Finding>,
    /// What could not be checked, and why (no second identity, no JWT, ...).
    pub notes: Vec<String>,
    /// The probes run, per check.
    pub probes: Vec<(Check, u64)>,
    /// Why the scan ended early, if it did.
    pub stopped: Option<String>,
}

impl Outcome {
    /// Findings by severity, the worst first.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}
