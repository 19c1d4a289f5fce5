//! seam-verify: provider verification (`seam verify`).
//!
//! For each interaction of each pact: set the provider up in the interaction's
//! provider states (POST `{state, params, action}` to the state-change URL, as
//! Pact does), apply ProviderState generators from the answer, send the request,
//! check the response with the seam-core engine, tear the states down. Message
//! interactions are asked of the provider (POST `{description, providerStates}`)
//! and their contents and metadata checked. The result is a [`Report`]: text,
//! JUnit XML or JSON, and an exit code.

mod report;
mod source;

pub use report::{Outcome, Report, VerifiedInteraction};
pub use source::{load, load_in, LoadedPact};

use base64::Engine;
use regex::Regex;
use seam_core::generators::{Generator, GeneratorContext};
use seam_core::http::{Body, ContentType, Headers, Request, Response};
use seam_core::interaction::{Exchange, Interaction, MessageSpec, ProviderState};
use seam_core::matching::{match_message, match_response, Message};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};

/// Why a verification could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// A pact file is malformed.
    #[error("{0}")]
    Pact(seam_pact::PactError),
    /// Bad arguments or sources.
    #[error("{0}")]
    Input(String),
    /// The provider does not answer at all.
    #[error("the provider at {url} is unreachable: {reason}")]
    Unreachable { url: String, reason: String },
}

impl VerifyError {
    /// The provider did not answer at all (the other kinds are bad input).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, VerifyError::Unreachable { .. })
    }
}

/// A `NAME: VALUE` header given on the command line or in `seam.toml`.
pub fn parse_header(text: &str) -> Option<(String, String)> {
    text.split_once(':')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .filter(|(k, _)| !k.is_empty())
}

/// What to verify against, and how.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// `http://localhost:8080`.
    pub provider_base_url: String,
    /// Where provider states are set up (POST), if the provider has states.
    pub state_change_url: Option<String>,
    /// Also call the state-change URL with `action: teardown` after each interaction.
    pub state_teardown: bool,
    /// Only interactions whose description matches.
    pub filter_description: Option<Regex>,
    /// Only interactions with this provider state.
    pub filter_state: Option<String>,
    /// Headers added to every request (authorization for the provider).
    pub headers: Vec<(String, String)>,
    /// Treat every interaction as pending: failures are reported, not failing.
    pub all_pending: bool,
    pub timeout: Duration,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            provider_base_url: String::new(),
            state_change_url: None,
            state_teardown: true,
            filter_description: None,
            filter_state: None,
            headers: Vec::new(),
            all_pending: false,
            timeout: Duration::from_secs(30),
        }
    }
}

/// The verifier: options plus one HTTP client reused for every call.
pub struct Verifier {
    options: VerifyOptions,
    client: reqwest::Client,
}

impl Verifier {
    pub fn new(options: VerifyOptions) -> Result<Self, VerifyError> {
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| VerifyError::Input(format!("cannot build the HTTP client: {e}")))?;
        Ok(Verifier { options, client })
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    fn selected(&self, i: &Interaction) -> bool {
        self.options
            .filter_description
            .as_ref()
            .is_none_or(|re| re.is_match(&i.description))
            && self
                .options
                .filter_state
                .as_ref()
                .is_none_or(|s| i.provider_states.iter().any(|p| &p.name == s))
    }

    /// Verifies every selected interaction of `pacts`, in order.
    pub async fn verify(&self, pacts: &[LoadedPact]) -> Result<Report, VerifyError> {
        let started = Instant::now();
        let secrets = seam_core::reproduce::Redactor::new(
            self.options
                .headers
                .iter()
                .filter(|(k, _)| seam_core::reproduce::is_sensitive_header(k))
                .map(|(_, v)| v.clone()),
        );
        let mut results = Vec::new();
        for loaded in pacts {
            for interaction in loaded.pact.interactions.iter().filter(|i| self.selected(i)) {
                let t = Instant::now();
                let outcome = self.verify_one(interaction).await?.redacted(&secrets);
                results.push(VerifiedInteraction {
                    consumer: loaded.pact.consumer.clone(),
                    provider: loaded.pact.provider.clone(),
                    origin: loaded.origin.clone(),
                    description: interaction.description.clone(),
                    states: interaction
                        .provider_states
                        .iter()
                        .map(|s| s.name.clone())
                        .collect(),
                    pending: interaction.pending || self.options.all_pending,
                    outcome,
                    duration: t.elapsed(),
                });
            }
        }
        Ok(Report {
            provider_base_url: self.options.provider_base_url.clone(),
            results,
            duration: started.elapsed(),
        })
    }

    async fn verify_one(&self, interaction: &Interaction) -> Result<Outcome, VerifyError> {
        let mut state_values = Map::new();
        for state in &interaction.provider_states {
            match self.change_state(state, "setup").await {
                Ok(values) => state_values.extend(values),
                Err(reason) => return Ok(Outcome::Error(reason)),
            }
        }
        let ctx = GeneratorContext {
            provider_state: state_values,
            mock_server_url: None,
        };
        let outcome = match &interaction.exchange {
            Exchange::Http { request, response } => {
                let mut req = request.request.clone();
                if let Err(e) = request.generators.apply_to_request(&mut req, &ctx) {
                    return Ok(Outcome::Error(format!("request generators failed: {e}")));
                }
                let mut expected = response.response.clone();
                let injected = response
                    .generators
                    .filtered(|g| matches!(g, Generator::ProviderState { .. }));
                if let Err(e) = injected.apply_to_response(&mut expected, &ctx) {
                    return Ok(Outcome::Error(format!("response generators failed: {e}")));
                }
                let curl =
                    curl_command(&self.options.provider_base_url, &req, &self.options.headers);
                let actual = match self.send(&req).await {
                    Ok(a) => a,
                    Err(Failure::Stop(e)) => return Err(e),
                    Err(Failure::Interaction(e)) => return Ok(Outcome::Error(e)),
                };
                let mismatches = match_response(&expected, &actual, &response.rules);
                if mismatches.is_empty() {
                    Outcome::Passed
                } else {
                    Outcome::Failed { mismatches, curl }
                }
            }
            Exchange::AsyncMessage(spec) => match self.verify_message(interaction, spec).await {
                Ok(o) => o,
                Err(Failure::Stop(e)) => return Err(e),
                Err(Failure::Interaction(e)) => Outcome::Error(e),
            },
            Exchange::SyncMessage { .. } => {
                Outcome::Error("synchronous message interactions are not verified yet".into())
            }
        };
        if self.options.state_teardown {
            for state in &interaction.provider_states {
                let _ = self.change_state(state, "teardown").await;
            }
        }
        Ok(outcome)
    }

    /// Calls the state-change URL; returns the values it answered with.
    async fn change_state(
        &self,
        state: &ProviderState,
        action: &str,
    ) -> Result<Map<String, Value>, String> {
        let Some(url) = &self.options.state_change_url else {
            return Ok(Map::new());
        };
        let body = json!({"state": state.name, "params": state.params, "action": action});
        let res = self
            .client
            .post(url)
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                format!(
                    "provider state '{}' {action} failed: cannot reach {url}: {e}",
                    state.name
                )
            })?;
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(format!(
                "provider state '{}' {action} failed: {url} answered {status}{}",
                state.name,
                if text.is_empty() {
                    String::new()
                } else {
                    format!(": {}", text.trim())
                }
            ));
        }
        Ok(match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        })
    }

    fn url(&self, path_and_query: &str) -> String {
        format!(
            "{}{}",
            self.options.provider_base_url.trim_end_matches('/'),
            path_and_query
        )
    }

    async fn send(&self, req: &Request) -> Result<Response, Failure> {
        let mut target = req.path.clone();
        if !req.query.is_empty() {
            target.push('?');
            target.push_str(&req.query.to_query_string());
        }
        let url = self.url(&target);
        let method = reqwest::Method::from_bytes(req.method.as_bytes())
            .map_err(|_| VerifyError::Input(format!("invalid method `{}`", req.method)))?;
        let mut builder = self.client.request(method, &url);
        for (k, vs) in req.headers.iter() {
            for v in vs {
                builder = builder.header(k, v);
            }
        }
        if req.body.is_present() {
            if !req.headers.contains("content-type") {
                if let Some(ct) = default_content_type(&req.body) {
                    builder = builder.header("content-type", ct);
                }
            }
            builder = builder.body(req.body.to_bytes());
        }
        for (k, v) in &self.options.headers {
            builder = builder.header(k, v);
        }
        let res = builder
            .send()
            .await
            .map_err(|e| unreachable(&self.options.provider_base_url, e))?;
        let status = res.status().as_u16();
        let headers = Headers::from_raw(
            res.headers()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_bytes())),
        );
        let bytes = res
            .bytes()
            .await
            .map_err(|e| unreachable(&self.options.provider_base_url, e))?;
        let body = if bytes.is_empty() {
            Body::Absent
        } else {
            Body::from_bytes(&bytes, headers.content_type().as_ref())
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    /// Asks the provider for a message: POST `{description, providerStates}`;
    /// the answer's body is the contents, `Pact-Message-Metadata` (base64 JSON)
    /// the metadata.
    async fn verify_message(
        &self,
        interaction: &Interaction,
        spec: &MessageSpec,
    ) -> Result<Outcome, Failure> {
        let url = self.url("");
        let states: Vec<Value> = interaction
            .provider_states
            .iter()
            .map(|s| json!({"name": s.name, "params": s.params}))
            .collect();
        let body = json!({"description": interaction.description, "providerStates": states});
        let res = self
            .client
            .post(&url)
            .json(&body)
            .send()
            .await
            .map_err(|e| unreachable(&self.options.provider_base_url, e))?;
        if !res.status().is_success() {
            return Ok(Outcome::Error(format!(
                "the provider answered {} when asked for the message",
                res.status()
            )));
        }
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(ContentType::parse);
        let metadata = res
            .headers()
            .get("pact-message-metadata")
            .and_then(|v| {
                base64::engine::general_purpose::STANDARD
                    .decode(v.as_bytes())
                    .ok()
            })
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        let bytes = res
            .bytes()
            .await
            .map_err(|e| unreachable(&self.options.provider_base_url, e))?;
        let actual = Message {
            contents: Body::from_bytes(
                &bytes,
                content_type.as_ref().or(spec.message.content_type.as_ref()),
            ),
            content_type,
            metadata,
        };
        let mismatches = match_message(&spec.message, &actual, &spec.rules);
        let curl = format!(
            "curl -X POST '{url}' -H 'Content-Type: application/json' --data-binary '{}'",
            body.to_string().replace('\'', "'\\''")
        );
        Ok(if mismatches.is_empty() {
            Outcome::Passed
        } else {
            Outcome::Failed { mismatches, curl }
        })
    }
}

/// Why an exchange with the provider failed: it cannot be reached at all (the
/// run stops, exit 3), or this one interaction failed (a timeout, a broken
/// answer): that interaction is an error and the run goes on.
enum Failure {
    Stop(VerifyError),
    Interaction(String),
}

impl From<VerifyError> for Failure {
    fn from(e: VerifyError) -> Self {
        Failure::Stop(e)
    }
}

fn unreachable(base: &str, e: reqwest::Error) -> Failure {
    if e.is_connect() {
        Failure::Stop(VerifyError::Unreachable {
            url: base.to_string(),
            reason: seam_core::reproduce::network_error_text(&e),
        })
    } else if e.is_timeout() {
        Failure::Interaction("the provider did not answer in time".into())
    } else {
        Failure::Interaction(format!(
            "the exchange with the provider failed: {}",
            seam_core::reproduce::network_error_text(&e)
        ))
    }
}

fn default_content_type(b: &Body) -> Option<&'static str> {
    match b {
        Body::Json(_) => Some("application/json"),
        Body::Xml(_) => Some("application/xml"),
        Body::Form(_) => Some("application/x-www-form-urlencoded"),
        Body::Text(_) => Some("text/plain"),
        _ => None,
    }
}

/// A curl command that sends `req` to the provider (for failure reports), with
/// credentials redacted.
pub fn curl_command(base: &str, req: &Request, extra: &[(String, String)]) -> String {
    let mut target = format!("{}{}", base.trim_end_matches('/'), req.path);
    if !req.query.is_empty() {
        target.push('?');
        target.push_str(&req.query.to_query_string());
    }
    let default_type = default_content_type(&req.body)
        .filter(|_| req.body.is_present() && !req.headers.contains("content-type"))
        .map(|ct| ("Content-Type", ct));
    let headers = req
        .headers
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| (k, v.as_str())))
        .chain(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .chain(default_type);
    let body = req
        .body
        .is_present()
        .then(|| String::from_utf8_lossy(&req.body.to_bytes()).into_owned());
    seam_core::reproduce::curl(req.method.as_str(), &target, headers, body.as_deref())
}
