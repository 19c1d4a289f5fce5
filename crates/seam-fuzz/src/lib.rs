//! seam-fuzz: generative payload checks. From an OpenAPI spec, requests are
//! made in phases and sent to a running API; its answers are checked. Valid
//! data must be accepted, invalid data rejected with a 4xx, never a 5xx, a
//! hang or a corrupted state.
//!
//! - [`case`]: a case, the HTTP request it becomes, and what the spec says of it.
//! - [`mutate`]: the deterministic mutations of a value under its schema.
//! - [`cases`]: the examples, coverage and random phases' cases per operation.
//! - [`run`]: sending, checking, confirming and shrinking; the run's options.
//! - [`stateful`]: sequences over resources (create, read, write, delete).
//! - [`check`]: the checks, their codes and `seam explain` texts.
//! - [`config`]: the `[fuzz]` table of `seam.toml`, and flags over it.
//! - [`finding`]: findings and the run's outcome.
//! - [`report`]: terminal, JSON, NDJSON, JUnit, SARIF, HTML and HAR reports.
//! - [`auth`]: credentials: fixed headers, or a Web Fuzzing Commons auth file (login).
//! - [`baseline`]: known findings a run accepts.
//! - [`replay`]: a reported finding sent again, its check applied to the new answer.

pub mod auth;
pub mod baseline;
pub mod case;
pub mod cases;
pub mod check;
pub mod config;
pub mod finding;
pub mod mutate;
pub mod replay;
pub mod report;
pub mod run;
pub mod stateful;

pub use check::Check;
pub use finding::{Finding, Outcome};
pub use run::{run, Options, Progress, RunError};
