//! A Rust API for consumers' tests: describe the interactions (with the same
//! inline matchers as YAML contracts), start an in-process mock server, run the
//! test against it, and write the pact.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! use seam_contract::builder::ContractBuilder;
//! use serde_json::json;
//! let session = ContractBuilder::new("web", "orders")
//!     .interaction("fetch an order", |i| {
//!         i.given_with("order exists", json!({"id": 42}))
//!             .request("GET", "/orders/42")
//!             .response(200)
//!             .response_body(json!({"id": {"$integer": 42}, "status": {"$regex": "NEW|PAID", "example": "PAID"}}))
//!     })
//!     .start()
//!     .await?;
//! // ... the consumer code under test calls session.base_url() ...
//! let (usage, written) = session.finish("pacts".as_ref(), seam_pact::SpecVersion::V4).await?;
//! assert!(usage.is_clean());
//! # Ok(()) }
//! ```

#[cfg(feature = "session")]
use crate::session::ConsumerSession;
use crate::ContractError;
use seam_pact::Pact;
use serde_json::{json, Map, Value};
use std::path::Path;

/// Builds a contract in code.
pub struct ContractBuilder {
    consumer: String,
    provider: String,
    interactions: Vec<Value>,
}

/// Builds one interaction.
#[derive(Default)]
pub struct InteractionBuilder {
    given: Vec<Value>,
    request: Map<String, Value>,
    response: Map<String, Value>,
    pending: bool,
}

impl InteractionBuilder {
    /// A provider state.
    pub fn given(mut self, state: &str) -> Self {
        self.given.push(json!(state));
        self
    }

    /// A provider state with params.
    pub fn given_with(mut self, state: &str, params: Value) -> Self {
        self.given.push(json!({"state": state, "params": params}));
        self
    }

    pub fn pending(mut self) -> Self {
        self.pending = true;
        self
    }

    pub fn request(mut self, method: &str, path: impl Into<Value>) -> Self {
        self.request.insert("method".into(), json!(method));
        self.request.insert("path".into(), path.into());
        self
    }

    fn put(map: &mut Map<String, Value>, section: &str, key: &str, value: Value) {
        let entry = map.entry(section).or_insert_with(|| json!({}));
        if let Value::Object(m) = entry {
            m.insert(key.to_string(), value);
        }
    }

    /// A query parameter: a value, or an inline matcher object.
    pub fn query(mut self, name: &str, value: impl Into<Value>) -> Self {
        Self::put(&mut self.request, "query", name, value.into());
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<Value>) -> Self {
        Self::put(&mut self.request, "headers", name, value.into());
        self
    }

    /// The request body (JSON with inline matchers).
    pub fn body(mut self, body: Value) -> Self {
        self.request.insert("body".into(), body);
        self
    }

    pub fn response(mut self, status: u16) -> Self {
        self.response.insert("status".into(), json!(status));
        self
    }

    pub fn response_header(mut self, name: &str, value: impl Into<Value>) -> Self {
        Self::put(&mut self.response, "headers", name, value.into());
        self
    }

    /// The response body (JSON with inline matchers).
    pub fn response_body(mut self, body: Value) -> Self {
        self.response.insert("body".into(), body);
        self
    }
}

impl ContractBuilder {
    pub fn new(consumer: &str, provider: &str) -> Self {
        ContractBuilder {
            consumer: consumer.into(),
            provider: provider.into(),
            interactions: Vec::new(),
        }
    }

    pub fn interaction(
        mut self,
        description: &str,
        f: impl FnOnce(InteractionBuilder) -> InteractionBuilder,
    ) -> Self {
        let b = f(InteractionBuilder::default());
        let mut i = Map::new();
        i.insert("description".into(), json!(description));
        if !b.given.is_empty() {
            i.insert("given".into(), Value::Array(b.given));
        }
        if b.pending {
            i.insert("pending".into(), json!(true));
        }
        i.insert("request".into(), Value::Object(b.request));
        i.insert("response".into(), Value::Object(b.response));
        self.interactions.push(Value::Object(i));
        self
    }

    /// The pact this describes (JSON is YAML, so the YAML reader does the work).
    pub fn build(&self) -> Result<Pact, ContractError> {
        let doc = json!({"consumer": self.consumer, "provider": self.provider, "interactions": self.interactions});
        crate::parse_yaml(Path::new("<ContractBuilder>"), &doc.to_string())
    }

    /// Starts an in-process mock server on a free loopback port (feature `session`).
    #[cfg(feature = "session")]
    pub async fn start(&self) -> Result<ConsumerSession, Box<dyn std::error::Error + Send + Sync>> {
        let pact = self.build()?;
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        Ok(ConsumerSession::start(vec![pact], addr).await?)
    }
}
