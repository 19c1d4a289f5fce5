//! seam-mock: the mock server behind `seam mock`.
//!
//! - [`stub`]: the stub model every source produces.
//! - [`matchers`], [`wiremock`]: WireMock's matchers and mapping files.
//! - [`sources`]: loading stubs from seam stub files, WireMock directories and pacts.
//! - [`matching`], [`registry`]: matching requests to stubs (indexed), scenarios, near misses.
//! - [`report`]: the 404 near-miss page and the request log lines.
//! - [`respond`], [`template`]: answers, delays, faults, chaos, Handlebars templates.
//! - [`server`], [`admin`], [`journal`], [`record`]: the server, the WireMock-compatible
//!   admin API, the bounded request journal, proxy recording.

pub mod admin;
pub mod journal;
pub mod matchers;
pub mod matching;
pub mod record;
pub mod registry;
pub mod report;
pub mod request;
pub mod respond;
pub mod seam_stubs;
pub mod server;
pub mod sources;
pub mod stub;
pub mod template;
pub mod wiremock;

pub use server::{MockConfig, MockServer, MockState};
pub use stub::Stub;
