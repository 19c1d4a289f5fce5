//! seam-scan: API security checks. From an OpenAPI spec and two or more
//! identities, a running API is probed for the OWASP API Security Top 10
//! (2023) flaws that show from outside: broken authentication and JWT
//! handling, object and function level authorization (BOLA, BFLA), mass
//! assignment, data exposure, injection, resource consumption, user
//! enumeration and misconfiguration. Every finding is confirmed against a
//! control request, so a hardened API gets none.
//!
//! - [`check`]: the checks, their codes, OWASP categories, severities and `seam explain` texts.
//! - [`config`]: the `[scan]` table of `seam.toml`, and flags over it.
//! - [`plan`]: what will be probed, from the spec and identities (`--dry-run` prints it).
//! - [`runner`]: a scan from start to end: selection, log-in, the plan, the families in order, the outcome.
//! - [`scan`]: the options, the state probes share, sending as an identity, reading answers.
//! - [`identity`]: the identities of an auth file, logged in and kept logged in.
//! - [`client`]: sending within limits: loopback or allowed hosts, `--rate`, `--max-requests`.
//! - [`access`]: control requests, BOLA, BFLA, mass assignment.
//! - [`accounts`]: password changes and deletes tried on a throwaway account the scan registers.
//! - [`authn`]: missing and bad credentials, API keys in the wrong place, JWT attacks.
//! - [`jwt`]: tokens taken apart, re-signed, cracked; JWKs as PEM.
//! - [`inject`]: SQL, NoSQL, OS command, path traversal, SSRF, header injection.
//! - [`consume`]: ReDoS, page sizes, huge bodies; the login probes (enumeration, rate limit); rate limits of expensive operations.
//! - [`misconfig`]: CORS, debug endpoints, TRACE.
//! - [`exposure`]: secrets, undeclared properties and stack traces in answers.
//! - [`finding`]: findings and the scan's outcome.
//! - [`report`]: terminal, JSON, JUnit, SARIF and HTML reports.

pub mod access;
pub mod accounts;
pub mod authn;
pub mod check;
pub mod client;
pub mod config;
pub mod consume;
pub mod exposure;
pub mod finding;
pub mod identity;
pub mod inject;
pub mod jwt;
pub mod misconfig;
pub mod plan;
pub mod report;
pub mod runner;
pub mod scan;

pub use check::{Check, Severity};
pub use finding::{Finding, Outcome};
pub use runner::{dry_run, run};
pub use scan::{Options, ScanError};
