//! seam-mock: the mock server behind `seam mock`.
//!
//! - [`stub`]: the stub model every source produces.
//! - [`wiremock`]: WireMock mapping files (the matchers themselves are [`seam_matchers`]).
//! - [`sources`]: loading stubs from seam stub files, WireMock directories and pacts.
//! - [`matching`], [`registry`]: matching requests to stubs (indexed), scenarios, near misses.
//! - [`report`]: the 404 near-miss page and the request log lines.
//! - [`respond`], [`template`]: answers, delays, faults, chaos, Handlebars templates.
//! - [`server`], [`admin`], [`journal`], [`record`]: the server, the WireMock-compatible
//!   admin API, the bounded request journal, proxy recording.
//! - [`openapi`]: answers from OpenAPI specs where no stub matches (`seam mock --openapi`).
//! - [`conformance`]: proxied exchanges checked against an OpenAPI spec (`seam proxy`).
//!
//! One stub, served on a free loopback port and asked once:
//!
//! ```
//! use seam_mock::stub::{MethodMatch, RequestPattern, ResponseBody, ResponseDef, UrlMatcher};
//! use seam_mock::{MockConfig, MockServer, Stub};
//! use serde_json::{json, Value};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let order = Stub::new(
//!         RequestPattern {
//!             method: MethodMatch::parse("GET"),
//!             url: UrlMatcher::UrlPath("/orders/7".into()),
//!             ..Default::default()
//!         },
//!         ResponseDef { body: ResponseBody::Json(json!({"id": 7})), ..Default::default() },
//!     );
//!     let id = order.id;
//!     // MockConfig::default() listens on 127.0.0.1:0.
//!     let server = MockServer::start(MockConfig::default(), vec![order]).await?;
//!     let client = reqwest::Client::builder().no_proxy().build()?;
//!     let answer = client.get(format!("{}/orders/7", server.base_url())).send().await?;
//!     assert_eq!(answer.status(), 200);
//!     assert_eq!(answer.json::<Value>().await?, json!({"id": 7}));
//!     assert_eq!(server.state().journal.stub_count(id), 1);
//!     server.shutdown().await;
//!     Ok(())
//! }
//! ```

pub mod admin;
pub mod conformance;
pub mod index;
pub mod journal;
pub mod matching;
pub mod openapi;
pub mod record;
pub mod registry;
pub mod report;
pub mod request;
pub mod respond;
pub mod seam_stubs;
pub mod server;
pub mod setup;
pub mod sources;
pub mod stub;
pub mod template;
pub mod wiremock;

pub use server::{MockConfig, MockServer, MockState};
pub use stub::Stub;
