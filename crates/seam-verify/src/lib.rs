//! seam-verify: provider verification (`seam verify`).
//!
//! For each interaction of each pact: set the provider up in the interaction's
//! provider states (POST `{state, params, action}` to the state-change URL, as
//! Pact does), apply ProviderState generators from the answer (a value the
//! answer lacks keeps the example, with a note), send the request, check the
//! response with the seam-core engine, tear the states down. Message
//! interactions are asked of the provider (POST `{description, providerStates}`,
//! plus `request` for a synchronous message, as the official verifier does) and
//! the answer's contents and metadata checked. An interaction the reader marked
//! unusable is not sent: it is reported not verified, with the reason. The
//! result is a [`Report`]: text, JUnit XML, JSON or HTML.

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
use seam_core::rules::Category;
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
    /// Interactions seam cannot use (an unsupported plugin, a rule that does
    /// not compile) are listed as skipped instead of failing the run.
    pub skip_unsupported: bool,
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
            skip_unsupported: false,
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
        // One connection per exchange, as the official verifier does: a reused
        // keep-alive connection stalls ~40 ms per answer on a provider that
        // writes headers and body separately with Nagle on (our delayed ACK
        // holds its second write back), and a single-threaded provider never
        // answers a second connection opened while the first sits idle in a
        // pool. Loopback connects cost far less than either.
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .tcp_nodelay(true)
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
                let (outcome, notes) = match &interaction.unusable {
                    Some(reason) => (
                        Outcome::NotVerified {
                            reason: reason.clone(),
                            skipped: self.options.skip_unsupported,
                        },
                        Vec::new(),
                    ),
                    None => self.verify_one(interaction).await?,
                };
                let outcome = outcome.redacted(&secrets);
                let notes = notes.iter().map(|n| secrets.scrub(n)).collect();
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
                    notes,
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

    /// Verifies one interaction: its outcome and notes (example values used
    /// where a provider state gave none, responses left unchecked).
    async fn verify_one(
        &self,
        interaction: &Interaction,
    ) -> Result<(Outcome, Vec<String>), VerifyError> {
        let mut state_values = Map::new();
        for state in &interaction.provider_states {
            match self.change_state(state, "setup").await {
                Ok(values) => state_values.extend(values),
                Err(reason) => return Ok((Outcome::Error(reason), Vec::new())),
            }
        }
        let ctx = GeneratorContext {
            provider_state: state_values,
            mock_server_url: None,
        };
        let mut notes = Vec::new();
        let outcome = match self.exchange(interaction, &ctx, &mut notes).await {
            Ok(o) => o,
            Err(Failure::Stop(e)) => return Err(e),
            Err(Failure::Interaction(e)) => Outcome::Error(e),
        };
        if self.options.state_teardown {
            for state in &interaction.provider_states {
                let _ = self.change_state(state, "teardown").await;
            }
        }
        Ok((outcome, notes))
    }

    /// Sends the interaction's request (or asks for its message) and checks
    /// the answer; provider states are already set up.
    async fn exchange(
        &self,
        interaction: &Interaction,
        ctx: &GeneratorContext,
        notes: &mut Vec<String>,
    ) -> Result<Outcome, Failure> {
        let lacking = if self.options.state_change_url.is_some() {
            "the provider states gave no value"
        } else {
            "no provider-state URL is set, so there is no value"
        };
        match &interaction.exchange {
            Exchange::Http { request, response } => {
                let mut req = request.request.clone();
                // MockServerURL generators belong to a consumer's mock, not to a provider
                let generators = request
                    .generators
                    .filtered(|g| !matches!(g, Generator::MockServerUrl { .. }));
                note_examples_kept(&generators, ctx, lacking, "sent", notes);
                if let Err(e) = generators.apply_to_request(&mut req, ctx) {
                    return Ok(Outcome::Error(format!("request generators failed: {e}")));
                }
                let mut expected = response.response.clone();
                let injected = response
                    .generators
                    .filtered(|g| matches!(g, Generator::ProviderState { .. }));
                note_examples_kept(&injected, ctx, lacking, "expected", notes);
                if let Err(e) = injected.apply_to_response(&mut expected, ctx) {
                    return Ok(Outcome::Error(format!("response generators failed: {e}")));
                }
                let curl =
                    curl_command(&self.options.provider_base_url, &req, &self.options.headers);
                let actual = self.send(&req).await?;
                let mismatches = match_response(&expected, &actual, &response.rules);
                Ok(if mismatches.is_empty() {
                    Outcome::Passed
                } else {
                    Outcome::Failed { mismatches, curl }
                })
            }
            Exchange::AsyncMessage(spec) => {
                let expected =
                    match generated_message(spec, ctx, true, (lacking, "expected"), notes) {
                        Ok(m) => m,
                        Err(e) => return Ok(Outcome::Error(e)),
                    };
                self.verify_message(interaction, None, spec, &expected)
                    .await
            }
            Exchange::SyncMessage { request, responses } => {
                let Some(first) = responses.first() else {
                    return Ok(Outcome::Error(
                        "the pact gives no response message to check the answer against".into(),
                    ));
                };
                if responses.len() > 1 {
                    notes.push(format!(
                        "the pact expects {} response messages; the provider answers one, checked \
                         against the first (as the official verifier does)",
                        responses.len()
                    ));
                }
                let generated = generated_message(request, ctx, false, (lacking, "sent"), notes)
                    .and_then(|sent| {
                        generated_message(first, ctx, true, (lacking, "expected"), notes)
                            .map(|expected| (sent, expected))
                    });
                match generated {
                    Ok((sent, expected)) => {
                        self.verify_message(interaction, Some(&sent), first, &expected)
                            .await
                    }
                    Err(e) => Ok(Outcome::Error(e)),
                }
            }
        }
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

    /// Asks the provider for a message: POST `{description, providerStates}`,
    /// with `request: {contents: {content, contentType, encoded}, metadata}`
    /// for a synchronous message's request message; the answer's body is the
    /// (response) message's contents,
    /// `Pact-Message-Metadata` (base64 JSON) its metadata, checked against
    /// `expected` with `spec`'s rules.
    async fn verify_message(
        &self,
        interaction: &Interaction,
        request: Option<&Message>,
        spec: &MessageSpec,
        expected: &Message,
    ) -> Result<Outcome, Failure> {
        let url = self.url("");
        let states: Vec<Value> = interaction
            .provider_states
            .iter()
            .map(|s| json!({"name": s.name, "params": s.params}))
            .collect();
        let mut body = json!({"description": interaction.description, "providerStates": states});
        if let Some(request) = request {
            body["request"] = message_json(request);
        }
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
                content_type.as_ref().or(expected.content_type.as_ref()),
            ),
            content_type,
            metadata,
        };
        let mismatches = match_message(expected, &actual, &spec.rules);
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

/// Notes where ProviderState generators keep the example because the
/// provider states gave no value (`lacking` says why; `what`: "sent" for the
/// request, "expected" for the response).
fn note_examples_kept(
    generators: &seam_core::generators::Generators,
    ctx: &GeneratorContext,
    lacking: &str,
    what: &str,
    notes: &mut Vec<String>,
) {
    for (place, expression) in generators.unresolved_provider_state(ctx) {
        notes.push(format!(
            "{lacking} for `{expression}` ({place}): the example is {what}"
        ));
    }
}

/// `spec`'s message with its generators applied to JSON contents (only the
/// ProviderState ones for a message expected back, `provider_state_only`;
/// MockServerURL ones never), noting examples kept (`note`: why there is no
/// value, and sent or expected).
fn generated_message(
    spec: &MessageSpec,
    ctx: &GeneratorContext,
    provider_state_only: bool,
    (lacking, what): (&str, &str),
    notes: &mut Vec<String>,
) -> Result<Message, String> {
    let mut message = spec.message.clone();
    let generators = spec.generators.filtered(|g| match g {
        Generator::ProviderState { .. } => true,
        Generator::MockServerUrl { .. } => false,
        _ => !provider_state_only,
    });
    note_examples_kept(&generators, ctx, lacking, what, notes);
    if let Body::Json(doc) = &mut message.contents {
        for c in [Category::Body, Category::Content] {
            generators
                .apply_to_json(c, doc, ctx)
                .map_err(|e| format!("message generators failed: {e}"))?;
        }
    }
    Ok(message)
}

/// A message as the official verifier posts it, in the Pact v4 form:
/// `{contents: {content, contentType, encoded}, metadata}`, the content as
/// JSON when it is JSON, base64 (`encoded: "base64"`) when it is bytes, else
/// text.
fn message_json(m: &Message) -> Value {
    let (content, encoded) = match &m.contents {
        Body::Absent => (Value::Null, json!(false)),
        Body::Json(v) => (v.clone(), json!(false)),
        Body::Bytes(b) => (
            json!(base64::engine::general_purpose::STANDARD.encode(b)),
            json!("base64"),
        ),
        other => (
            json!(String::from_utf8_lossy(&other.to_bytes())),
            json!(false),
        ),
    };
    let mut contents = json!({"content": content, "encoded": encoded});
    let content_type = m
        .content_type
        .as_ref()
        .map(ContentType::to_string)
        .or_else(|| default_content_type(&m.contents).map(str::to_string));
    if let Some(ct) = content_type {
        contents["contentType"] = json!(ct);
    }
    json!({"contents": contents, "metadata": m.metadata})
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
