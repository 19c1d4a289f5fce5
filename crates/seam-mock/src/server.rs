//! The mock server: reads each request, finds its stub, answers (with delays,
//! faults, templates, generators), proxies or reports a near miss, and journals
//! it. `/__admin` goes to the WireMock-compatible admin API.

use crate::journal::Journal;
use crate::journal::Served;
use crate::record::Recorder;
use crate::registry::Registry;
use crate::report;
use crate::request::{HyperRequest, MockRequest, RequestParts};
use crate::respond::{self, Outcome};
use crate::stub::{Chaos, Delay, Fault, Stub};
use crate::template::{TemplateRequest, Templates};
use bytes::Bytes;
use futures_util::future::Either;
use http_body_util::{BodyExt, Limited};
use seam_core::generators::GeneratorContext;
use seam_core::http::Headers;
use seam_http::{Body, ConnInfo};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::watch;

/// An answer still being worked out (the full path, or a body to read).
type Answering = std::pin::Pin<Box<dyn std::future::Future<Output = hyper::Response<Body>> + Send>>;

/// Requests larger than this are refused with 413.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// How long a `HANG` fault holds a request before giving up.
pub const HANG_LIMIT: Duration = Duration::from_millis(crate::stub::MAX_DELAY_MS);

/// Server settings.
#[derive(Debug, Clone)]
pub struct MockConfig {
    pub addr: SocketAddr,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub journal_capacity: usize,
    /// `__files` for `bodyFileName`.
    pub files_dir: Option<PathBuf>,
    /// Where `/__admin/mappings/save` writes.
    pub mappings_dir: Option<PathBuf>,
    /// The stub files and folders the stubs came from, read again by
    /// `/__admin/reset` (empty: reset returns to the stubs given at start).
    pub sources: Vec<PathBuf>,
    /// Forward unmatched requests here.
    pub proxy: Option<String>,
    /// Write stubs for proxied traffic here.
    pub record_dir: Option<PathBuf>,
    /// Chaos applied to every stubbed answer.
    pub chaos: Option<Chaos>,
    /// Delay added to every stubbed answer.
    pub delay: Option<Delay>,
    /// Header-read and idle timeouts of client connections.
    pub timeouts: seam_http::Timeouts,
    /// Which requests are logged to stderr.
    pub request_log: RequestLog,
    /// Render every answer as a template, as if each stub named the
    /// `response-template` transformer (WireMock's `--global-response-templating`).
    pub global_templating: bool,
    /// Called after each admin request (which may have dropped many stubs,
    /// the journal, or a large request and answer), so the embedding program
    /// can have its allocator give freed memory back to the system.
    pub release_memory: Option<fn()>,
}

/// Which requests the server logs to stderr, one line each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestLog {
    /// None (the library default: embedding servers log their own way).
    #[default]
    Off,
    /// Requests no stub matched, with the closest stub (`seam mock`'s default).
    Unmatched,
    /// Every request, with the stub that answered (`seam mock --verbose`).
    All,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: None,
            journal_capacity: crate::journal::DEFAULT_CAPACITY,
            files_dir: None,
            mappings_dir: None,
            sources: Vec::new(),
            proxy: None,
            record_dir: None,
            chaos: None,
            delay: None,
            timeouts: seam_http::Timeouts::default(),
            request_log: RequestLog::Off,
            global_templating: false,
            release_memory: None,
        }
    }
}

/// Everything a request handler needs, shared across connections.
pub struct MockState {
    pub registry: Registry,
    pub journal: Journal,
    pub templates: Templates,
    pub config: MockConfig,
    /// The stubs a server given its stubs directly (no source files) returns
    /// to on `/__admin/mappings/reset`; empty when there are source files,
    /// which a reset reads again (so 10,000 file stubs are not kept twice).
    pub initial: std::sync::Mutex<Vec<Stub>>,
    pub recorder: Option<Recorder>,
    pub client: reqwest::Client,
    /// `fixedDelay` from `/__admin/settings`, in milliseconds (0: none).
    pub settings_delay: std::sync::atomic::AtomicU64,
    /// What the admin API keeps beside stubs and journal (start time, settings).
    pub admin: crate::admin::AdminState,
    /// The OpenAPI specs answering requests no stub matches (`seam mock
    /// --openapi`); swapped whole on reload.
    pub openapi: arc_swap::ArcSwapOption<crate::openapi::OpenApiMock>,
    /// The validating proxy's checks (`seam proxy --openapi`): proxied
    /// exchanges go through them when set.
    pub conformance: OnceLock<Arc<crate::conformance::Conformance>>,
    /// Forwards proxied requests to `http://` targets (see [`forward`]).
    plain_client: PlainClient,
    base_url: OnceLock<Arc<str>>,
    stopping: OnceLock<watch::Receiver<bool>>,
}

/// A hyper client for `http://` upstreams: it sends the headers it is given
/// and `Host`, nothing more.
type PlainClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<Bytes>,
>;

impl MockState {
    pub fn base_url(&self) -> &str {
        self.base_url.get().map(|s| &**s).unwrap_or("")
    }
}

/// A running mock server.
pub struct MockServer {
    server: seam_http::Server,
    state: Arc<MockState>,
}

impl MockServer {
    /// Starts serving `stubs`.
    pub async fn start(
        config: MockConfig,
        stubs: Vec<Stub>,
    ) -> Result<Self, seam_http::ServeError> {
        let registry = Registry::default();
        let initial = if config.sources.is_empty() {
            stubs.clone()
        } else {
            Vec::new()
        };
        registry.add(stubs);
        let recorder = config.record_dir.clone().map(Recorder::new);
        let state = Arc::new(MockState {
            registry,
            journal: Journal::new(config.journal_capacity),
            templates: Templates::new(),
            initial: std::sync::Mutex::new(initial),
            recorder,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(PROXY_USER_AGENT)
                .build()
                .expect("a default client builds"),
            plain_client: hyper_util::client::legacy::Client::builder(
                hyper_util::rt::TokioExecutor::new(),
            )
            .build_http(),
            config: config.clone(),
            settings_delay: std::sync::atomic::AtomicU64::new(0),
            admin: Default::default(),
            openapi: Default::default(),
            conformance: OnceLock::new(),
            base_url: OnceLock::new(),
            stopping: OnceLock::new(),
        });
        let handler_state = state.clone();
        let server = seam_http::serve_with(
            config.addr,
            config.tls.clone(),
            config.timeouts,
            move |req, conn| {
                // The fast path answers a bodiless request without a future of
                // its own; the rest is boxed, so connections carry a small future
                // whichever path runs.
                use hyper::body::Body as _;
                let state = &handler_state;
                match fast_answer(state, &req) {
                    Some((stub_id, response)) if req.body().is_end_stream() => {
                        let status = response.status().as_u16();
                        state.journal.log_head(
                            &req,
                            &[],
                            || state.base_url.get().cloned().unwrap_or_default(),
                            conn.remote.ip(),
                            Served::fast(stub_id, status),
                        );
                        Either::Left(std::future::ready(response))
                    }
                    Some((stub_id, response)) => {
                        Either::Right(Either::Right(Box::pin(fast_answer_after_body(
                            state.clone(),
                            req,
                            conn.remote.ip(),
                            stub_id,
                            response,
                        )) as Answering))
                    }
                    // bodiless: served from the head, at once when nothing waits
                    None if req.body().is_end_stream() => {
                        let arrived = std::time::Instant::now();
                        let (parts, _) = req.into_parts();
                        match serve_read(state, parts, Bytes::new(), conn, arrived) {
                            Either::Left(ready) => Either::Left(ready),
                            Either::Right(later) => Either::Right(Either::Right(later)),
                        }
                    }
                    // not boxed: hyper keeps a connection's answer in one
                    // allocation it reuses
                    None => {
                        let (parts, body) = req.into_parts();
                        Either::Right(Either::Left(handle(
                            state.clone(),
                            parts,
                            body,
                            conn.clone(),
                        )))
                    }
                }
            },
        )
        .await?;
        let _ = state.base_url.set(server.base_url().into());
        let _ = state.stopping.set(server.stopping());
        Ok(MockServer { server, state })
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr
    }

    pub fn state(&self) -> &Arc<MockState> {
        &self.state
    }

    pub async fn shutdown(self) {
        self.server.shutdown().await
    }
}

/// Reads a request body: too large a body is 413, a malformed one (a bad
/// chunk size, a connection cut mid-body) 400.
async fn read_body(body: &mut hyper::body::Incoming) -> Result<Bytes, hyper::Response<Body>> {
    use hyper::body::Body as _;
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    // nearly every body is one frame: kept as it came, with nothing collected
    let first = match body.frame().await {
        None => return Ok(Bytes::new()),
        Some(Ok(frame)) => frame.into_data().unwrap_or_default(),
        Some(Err(_)) => return Err(malformed_body()),
    };
    if first.len() > MAX_BODY {
        return Err(too_large());
    }
    if body.is_end_stream() {
        return Ok(first);
    }
    // boxed: the rest of a body in several frames is rare, and its collector
    // would otherwise size every request's future
    Box::pin(read_rest(body, first)).await
}

/// 400 for a bad chunk size or a connection cut mid-body.
fn malformed_body() -> hyper::Response<Body> {
    respond::text(
        400,
        "text/plain",
        "malformed request body (bad chunk or cut short)\n",
    )
}

/// The frames of a body after its first, joined to it.
async fn read_rest(
    body: &mut hyper::body::Incoming,
    first: Bytes,
) -> Result<Bytes, hyper::Response<Body>> {
    match Limited::new(body, MAX_BODY - first.len()).collect().await {
        Ok(rest) => {
            let rest = rest.to_bytes();
            if first.is_empty() {
                return Ok(rest);
            }
            let mut all = bytes::BytesMut::with_capacity(first.len() + rest.len());
            all.extend_from_slice(&first);
            all.extend_from_slice(&rest);
            Ok(all.freeze())
        }
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(malformed_body()),
    }
}

/// The request as matching reads it: hyper's head and the body, read in
/// place (see [`HyperRequest`]).
fn read_request<'a>(
    state: &'a MockState,
    parts: &'a hyper::http::request::Parts,
    body: &'a Bytes,
    conn: &ConnInfo,
) -> HyperRequest<'a> {
    HyperRequest::new(parts, body, state.base_url.get(), conn.remote.ip())
}

/// The fast path: the answer of a plain stub with a static answer (see
/// [`Registry::answer_plain`]) while no global delay or chaos is set, with the
/// stub's id, found from the request line without building the request model.
/// It is the answer the full path would give. `None`: the full path must
/// answer. The caller journals the request.
fn fast_answer(
    state: &MockState,
    req: &hyper::Request<hyper::body::Incoming>,
) -> Option<(uuid::Uuid, hyper::Response<Body>)> {
    let config = &state.config;
    if config.chaos.is_some()
        || config.delay.is_some()
        || config.request_log == RequestLog::All
        || state
            .settings_delay
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
        || req.uri().path().starts_with("/__admin")
    {
        return None;
    }
    state.registry.answer_plain(
        req.method().as_str(),
        req.uri().path(),
        req.uri().query().is_some(),
        |entry, answer| (entry.stub.id, answer.respond_for(&entry.stub)),
    )
}

/// A fast-path answer to a request with a body: the body is read (the
/// journal keeps it; too large a body gets the full path's 413) before
/// `response` goes out.
async fn fast_answer_after_body(
    state: Arc<MockState>,
    req: hyper::Request<hyper::body::Incoming>,
    client_ip: std::net::IpAddr,
    stub_id: uuid::Uuid,
    response: hyper::Response<Body>,
) -> hyper::Response<Body> {
    let (parts, mut body) = req.into_parts();
    let body = match read_body(&mut body).await {
        Ok(b) => b,
        Err(refused) => return refused,
    };
    state.journal.log_head(
        &parts,
        &body,
        || state.base_url.get().cloned().unwrap_or_default(),
        client_ip,
        Served::fast(stub_id, response.status().as_u16()),
    );
    response
}

fn too_large() -> hyper::Response<Body> {
    respond::text(413, "text/plain", "request body too large\n")
}

/// A request whose body is still to be read: read, then served as
/// [`serve_read`] serves it.
///
/// Not an `async fn`: one moves its arguments into locals, so the future
/// would hold the request's head twice. An `async move` block holds what it
/// captures once, and every request's future is as large as this one (the
/// connection's answer is an `Either` of it), so its size is copied per request.
#[allow(clippy::manual_async_fn)]
fn handle(
    state: Arc<MockState>,
    parts: hyper::http::request::Parts,
    mut body: hyper::body::Incoming,
    conn: ConnInfo,
) -> impl std::future::Future<Output = hyper::Response<Body>> {
    async move {
        let arrived = std::time::Instant::now();
        let body = match read_body(&mut body).await {
            Ok(b) => b,
            Err(refused) => return refused,
        };
        // a decided answer is returned, not awaited: only what waits is held
        // across an await
        let later = match serve_read(&state, parts, body, &conn, arrived) {
            Either::Left(ready) => return ready.into_inner(),
            Either::Right(later) => later,
        };
        later.await
    }
}

/// A request with its body read: answered at once when nothing waits (no
/// future, no allocation for it: a bodiless request to a stub without a
/// delay never leaves the connection's task), else by [`serve_later`].
fn serve_read(
    state: &Arc<MockState>,
    parts: hyper::http::request::Parts,
    body: Bytes,
    conn: &ConnInfo,
    arrived: std::time::Instant,
) -> Either<std::future::Ready<hyper::Response<Body>>, Answering> {
    let req = read_request(state, &parts, &body, conn);
    match decide(state, &req) {
        Decision::Answered(answered)
            if !matches!(answered.outcome, Outcome::Fault(Fault::Hang)) =>
        {
            Either::Left(std::future::ready(deliver(
                state, req, &parts, &body, conn, arrived, answered,
            )))
        }
        decision => {
            drop(req);
            Either::Right(Box::pin(serve_later(
                state.clone(),
                parts,
                body,
                conn.clone(),
                arrived,
                decision,
            )))
        }
    }
}

/// What a request gets, as far as it can be decided at once.
enum Decision {
    /// A matched stub's answer (or fault), or a 404.
    Answered(Answered),
    /// A matched stub whose answer waits or is forwarded.
    Waits {
        entry: Arc<crate::registry::Entry>,
        captures: crate::matching::Captures,
    },
    /// No stub: an OpenAPI operation or the proxy may answer.
    Unmatched,
    /// `/__admin/...`.
    Admin,
}

/// An answer, with what the journal keeps of it.
struct Answered {
    stub_id: Option<uuid::Uuid>,
    outcome: Outcome,
    keep: Keep,
}

/// What the journal must keep of an answer to show it later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// Nothing: it is the matched stub's static answer, rebuilt from the
    /// stub when read (as the fast path's answers are).
    Nothing,
    /// Its status and body: its headers are the matched stub's own (a
    /// template rendered the body alone).
    Body,
    /// All of it.
    All,
}

fn decide(state: &MockState, req: &HyperRequest<'_>) -> Decision {
    if req.path().starts_with("/__admin") {
        return Decision::Admin;
    }
    state.registry.lookup_with(req, |found| match found {
        Some((entry, captures)) if waits(state, &entry.stub.response) => Decision::Waits {
            entry: entry.clone(),
            captures,
        },
        Some((entry, captures)) => {
            let (outcome, keep) = answer_at_once(state, &entry.stub, req, &captures.path_params);
            Decision::Answered(matched(state, &entry.stub, req, outcome, keep))
        }
        None if state.openapi.load().is_none() && state.config.proxy.is_none() => {
            Decision::Answered(unmatched_locally(state, req.model()))
        }
        None => Decision::Unmatched,
    })
}

/// A matched stub's outcome, logged when every request is.
fn matched(
    state: &MockState,
    stub: &Stub,
    req: &HyperRequest<'_>,
    outcome: Outcome,
    keep: Keep,
) -> Answered {
    if state.config.request_log == RequestLog::All {
        let status = match &outcome {
            Outcome::Respond(r) => r.status().as_u16(),
            Outcome::Fault(_) => 0,
        };
        eprintln!(
            "{}",
            report::served_line(req.method(), req.url(), status, &report::stub_label(stub))
        );
    }
    Answered {
        stub_id: Some(stub.id),
        outcome,
        keep,
    }
}

/// No stub, no OpenAPI operation and no proxy: a file under `__files` for a
/// GET, else 404.
fn unmatched_locally(state: &MockState, mreq: &MockRequest) -> Answered {
    let file = state
        .config
        .files_dir
        .as_deref()
        .filter(|_| mreq.method == "GET")
        .and_then(|dir| respond::static_file(dir, &mreq.path));
    Answered {
        stub_id: None,
        outcome: Outcome::Respond(file.unwrap_or_else(|| not_found(state, mreq))),
        keep: Keep::All,
    }
}

/// The requests [`serve_read`] cannot answer at once: the admin API, a
/// stub's delay or proxy, an OpenAPI operation, the proxy, a hang.
async fn serve_later(
    state: Arc<MockState>,
    parts: hyper::http::request::Parts,
    body: Bytes,
    conn: ConnInfo,
    arrived: std::time::Instant,
    decision: Decision,
) -> hyper::Response<Body> {
    let req = read_request(&state, &parts, &body, &conn);
    let answered = match decision {
        Decision::Admin => {
            let mreq = req.into_model();
            let response = crate::admin::handle(&state, &mreq).await;
            drop(mreq);
            if let Some(release) = state.config.release_memory {
                release();
            }
            return response;
        }
        Decision::Answered(answered) => answered,
        Decision::Waits { entry, captures } => {
            let (outcome, keep) = answer(&state, &entry.stub, &req, &captures.path_params).await;
            matched(&state, &entry.stub, &req, outcome, keep)
        }
        Decision::Unmatched => {
            let mreq = req.model();
            match crate::openapi::respond(&state, mreq).await {
                Some((stub_id, outcome)) => Answered {
                    stub_id,
                    outcome,
                    keep: Keep::All,
                },
                None => match &state.config.proxy {
                    Some(target) => {
                        let response = match state.conformance.get() {
                            Some(c) => c.proxy(&state, target, mreq).await,
                            None => proxy(&state, target, mreq, true, None).await,
                        };
                        if state.config.request_log != RequestLog::Off {
                            eprintln!(
                                "{}",
                                report::served_line(
                                    &mreq.method,
                                    &mreq.url,
                                    response.status().as_u16(),
                                    &format!("no stub: proxied to {target}")
                                )
                            );
                        }
                        Answered {
                            stub_id: None,
                            outcome: Outcome::Respond(response),
                            keep: Keep::All,
                        }
                    }
                    None => unmatched_locally(&state, mreq),
                },
            }
        }
    };
    if matches!(answered.outcome, Outcome::Fault(Fault::Hang)) {
        hang(&state).await;
    }
    deliver(&state, req, &parts, &body, &conn, arrived, answered)
}

/// Sends `answered`: a fault breaks the connection, and the journal keeps
/// the request (its head alone when nothing read more).
fn deliver(
    state: &MockState,
    req: HyperRequest<'_>,
    parts: &hyper::http::request::Parts,
    body: &Bytes,
    conn: &ConnInfo,
    arrived: std::time::Instant,
    answered: Answered,
) -> hyper::Response<Body> {
    let Answered {
        stub_id,
        outcome,
        keep,
    } = answered;
    let (response, status) = match outcome {
        Outcome::Respond(r) => {
            let s = r.status().as_u16();
            (r, s)
        }
        Outcome::Fault(f) => {
            if let Some(cf) = respond::conn_fault(f) {
                conn.inject(cf);
            }
            (respond::text(500, "text/plain", ""), 0)
        }
    };
    let elapsed = arrived.elapsed();
    let kept = |keep| match keep {
        Keep::Body => crate::journal::Answer::body_of(&response, status),
        _ => crate::journal::Answer::of(&response, status),
    };
    if req.has_model() {
        let answer = kept(keep);
        let mreq = req.into_model();
        state
            .journal
            .log_served(mreq, stub_id, parts.version, answer, elapsed);
        return response;
    }
    // nothing read more than the head: the journal copies the head
    drop(req);
    let answer = (keep != Keep::Nothing).then(|| kept(keep));
    state.journal.log_head(
        parts,
        body,
        || state.base_url.get().cloned().unwrap_or_default(),
        conn.remote.ip(),
        Served {
            stub_id,
            status,
            answer,
            elapsed,
        },
    );
    response
}

async fn hang(state: &MockState) {
    let stopping = state.stopping.get().cloned();
    let wait = async move {
        match stopping {
            Some(mut rx) => {
                let _ = rx.wait_for(|s| *s).await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    let _ = tokio::time::timeout(HANG_LIMIT, wait).await;
}

/// The answer of a matched stub (the request's model is built only for a
/// proxy or a template).
async fn answer(
    state: &MockState,
    stub: &Stub,
    req: &HyperRequest<'_>,
    path_params: &[(String, String)],
) -> (Outcome, Keep) {
    let def = &stub.response;
    let templated = def.templated || state.config.global_templating;
    if let Some(target) = &def.proxy_base_url {
        let extras = def.extras.as_deref();
        if !(templated && target.contains("{{")) {
            let response = Box::pin(proxy(state, target, req.model(), false, extras)).await;
            return (Outcome::Respond(response), Keep::All);
        }
        let target = match def.templates.of(def) {
            Ok(t) => t.render_proxy_url(
                &state.templates,
                TemplateRequest::new(req.model(), path_params).with_parameters(parameters(def)),
            ),
            Err(e) => Err(crate::template::describe(&e.error)),
        };
        let response = match target {
            Ok(target) => Box::pin(proxy(state, &target, req.model(), false, extras)).await,
            Err(e) => respond::text(
                500,
                "text/plain",
                format!("template error in stub {}: {e}\n", stub.id),
            ),
        };
        return (Outcome::Respond(response), Keep::All);
    }
    if let Some(outcome) = chaos_or_fault(state, def) {
        return (outcome, Keep::All);
    }
    if let Some(delay) = &def.delay {
        tokio::time::sleep(respond::sample_delay(delay)).await;
    }
    global_delays(state).await;
    answer_now(state, stub, req, path_params)
}

/// Whether a matched stub's answer waits (a delay) or is forwarded (a
/// proxy); any other is given at once by [`answer_at_once`], with no future.
fn waits(state: &MockState, def: &crate::stub::ResponseDef) -> bool {
    def.proxy_base_url.is_some()
        || def.delay.is_some()
        || state.config.delay.is_some()
        || state
            .settings_delay
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
}

/// What [`answer`] gives for a stub that does not [`wait`](waits).
fn answer_at_once(
    state: &MockState,
    stub: &Stub,
    req: &HyperRequest<'_>,
    path_params: &[(String, String)],
) -> (Outcome, Keep) {
    match chaos_or_fault(state, &stub.response) {
        Some(outcome) => (outcome, Keep::All),
        None => answer_now(state, stub, req, path_params),
    }
}

/// A chaos outcome or the stub's fault, which come before any delay.
fn chaos_or_fault(state: &MockState, def: &crate::stub::ResponseDef) -> Option<Outcome> {
    for chaos in def.chaos.iter().chain(&state.config.chaos) {
        if let Some(outcome) = respond::chaos_outcome(chaos) {
            return Some(outcome);
        }
    }
    def.fault.map(Outcome::Fault)
}

/// A matched stub's answer once its delays are waited: a pact example, its
/// static answer, a template's, or its body file's.
fn answer_now(
    state: &MockState,
    stub: &Stub,
    req: &HyperRequest<'_>,
    path_params: &[(String, String)],
) -> (Outcome, Keep) {
    let def = &stub.response;
    let templated = def.templated || state.config.global_templating;
    if let Some(spec) = &def.pact {
        return (Outcome::Respond(pact_answer(state, spec)), Keep::All);
    }
    match respond::Prepared::of(def) {
        // under global templating, text with `{{` is rendered
        Some(Ok(p)) if !(templated && p.has_template_text()) => {
            let keep = if state.config.chaos.is_none() && respond::static_answer(def).is_some() {
                Keep::Nothing
            } else {
                Keep::All
            };
            return (Outcome::Respond(p.respond_for(stub)), keep);
        }
        Some(Err(e)) => {
            let response = respond::text(500, "text/plain", format!("stub {}: {e}\n", stub.id));
            return (Outcome::Respond(response), Keep::All);
        }
        _ => {}
    }
    if templated {
        let (response, keep) = templated_answer(state, stub, req, path_params);
        return (Outcome::Respond(response), keep);
    }
    let response = match respond::body_bytes(def, state.config.files_dir.as_deref()) {
        Ok(body) => respond::build(def, Some(stub), def.status, &def.headers, body),
        Err(e) => body_error(stub, &e),
    };
    (Outcome::Respond(response), Keep::All)
}

/// A stub's `transformerParameters` (`parameters` in its templates).
/// The delays every answer waits, whatever its source: `--delay` and the admin
/// API's global `fixedDelay`.
pub(crate) async fn global_delays(state: &MockState) {
    if let Some(delay) = &state.config.delay {
        tokio::time::sleep(respond::sample_delay(delay)).await;
    }
    let global = state
        .settings_delay
        .load(std::sync::atomic::Ordering::Relaxed);
    if global > 0 {
        tokio::time::sleep(Duration::from_millis(global)).await;
    }
}

fn parameters(def: &crate::stub::ResponseDef) -> Option<&serde_json::Value> {
    def.extras.as_ref()?.transformer_parameters.as_ref()
}

fn body_error(stub: &Stub, e: &str) -> hyper::Response<Body> {
    respond::text(500, "text/plain", format!("stub {}: {e}\n", stub.id))
}

/// The answer of a templated stub: its templates (compiled when it loaded)
/// rendered from the request as received, with nothing copied (read in place
/// when they are only text and plain lookups; else from the request model).
fn templated_answer(
    state: &MockState,
    stub: &Stub,
    req: &HyperRequest<'_>,
    path_params: &[(String, String)],
) -> (hyper::Response<Body>, Keep) {
    let def = &stub.response;
    let template_error = |e: &dyn std::fmt::Display| {
        respond::text(
            500,
            "text/plain",
            format!("template error in stub {}: {e}\n", stub.id),
        )
    };
    let templates = match def.templates.of(def) {
        Ok(t) => t,
        Err(e) => {
            let response = template_error(&crate::template::describe(&e.error));
            return (response, Keep::All);
        }
    };
    // the stub's own headers and a rendered body: the journal keeps the body
    match templates.answer_direct(&state.templates, stub, req, path_params) {
        Some(Ok(response)) => return (response, Keep::Body),
        Some(Err(crate::template::RenderFailure::Body(e))) => {
            return (body_error(stub, &e), Keep::All)
        }
        Some(Err(crate::template::RenderFailure::Template(e))) => {
            return (template_error(&e), Keep::All)
        }
        None => {}
    }
    let rendered = match templates.render_direct(&state.templates, def, req, path_params) {
        Some(rendered) => rendered,
        None => {
            let req =
                TemplateRequest::new(req.model(), path_params).with_parameters(parameters(def));
            templates.render(
                &state.templates,
                def,
                state.config.files_dir.as_deref(),
                req,
            )
        }
    };
    let response = match rendered {
        Ok((headers, body)) => respond::build(def, Some(stub), def.status, &headers, body),
        Err(crate::template::RenderFailure::Body(e)) => body_error(stub, &e),
        Err(crate::template::RenderFailure::Template(e)) => template_error(&e),
    };
    (response, Keep::All)
}

/// A pact example with its generators applied.
fn pact_answer(
    state: &MockState,
    spec: &seam_core::interaction::ResponseSpec,
) -> hyper::Response<Body> {
    let mut res = spec.response.clone();
    let ctx = GeneratorContext {
        mock_server_url: Some(state.base_url().to_string()),
        ..Default::default()
    };
    if let Err(e) = spec.generators.apply_to_response(&mut res, &ctx) {
        return respond::text(500, "text/plain", format!("generator error: {e}\n"));
    }
    let mut headers = res.headers.clone();
    if !headers.contains("content-type") {
        match &res.body {
            seam_core::http::Body::Json(_) => headers.append("Content-Type", "application/json"),
            seam_core::http::Body::Xml(_) => headers.append("Content-Type", "application/xml"),
            _ => {}
        }
    }
    respond::build(
        &Default::default(),
        None,
        res.status,
        &headers,
        Bytes::from(res.body.to_bytes()),
    )
}

/// The User-Agent proxied requests carry (WireMock sends its HTTP client's
/// own, whatever the client sent).
pub const PROXY_USER_AGENT: &str = concat!("seam-mock/", env!("CARGO_PKG_VERSION"));

/// Volatile headers that are not forwarded.
const HOP_BY_HOP: &[&str] = &[
    "host",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "user-agent",
];

/// Forwards `req` to `target` and relays the answer; records it when asked.
/// A proxy stub's `extras` cut a prefix from the URL, drop and add request
/// headers (added ones after the client's, as WireMock sends them).
pub(crate) async fn proxy(
    state: &MockState,
    target: &str,
    req: &MockRequest,
    record: bool,
    extras: Option<&respond::ResponseExtras>,
) -> hyper::Response<Body> {
    let tail = extras
        .and_then(|e| e.proxy_url_prefix_to_remove.as_deref())
        .and_then(|prefix| req.url.strip_prefix(prefix))
        .unwrap_or(&req.url);
    let url = format!("{}{tail}", target.trim_end_matches('/'));
    let removed = |k: &str| {
        extras.is_some_and(|e| {
            e.remove_proxy_request_headers
                .iter()
                .any(|r| r.eq_ignore_ascii_case(k))
        })
    };
    let mut sent: Vec<(&str, &str)> = Vec::new();
    for (k, vs) in req.headers.iter() {
        if HOP_BY_HOP.iter().any(|h| k.eq_ignore_ascii_case(h)) || removed(k) {
            continue;
        }
        sent.extend(vs.iter().map(|v| (k, v.as_str())));
    }
    // an added User-Agent too gives way to seam's own, as in WireMock 3.13.2
    for (k, vs) in extras
        .iter()
        .flat_map(|e| e.additional_proxy_request_headers.iter())
        .filter(|(k, _)| !k.eq_ignore_ascii_case("user-agent"))
    {
        sent.extend(vs.iter().map(|v| (k, v.as_str())));
    }
    let (status, upstream_headers, body) =
        match forward(state, &req.method, &url, &sent, req.body.clone()).await {
            Ok(answer) => answer,
            // WireMock's status and first line
            Err(e) => {
                return respond::text(500, "text/plain", format!("{NETWORK_FAILURE} {url}\n{e}\n"))
            }
        };
    let headers = Headers::from_raw(
        upstream_headers
            .iter()
            .filter(|(k, _)| {
                !HOP_BY_HOP
                    .iter()
                    .any(|h| k.as_str().eq_ignore_ascii_case(h))
            })
            .map(|(k, v)| (k.as_str(), v.as_bytes())),
    );
    if record {
        if let Some(rec) = &state.recorder {
            if let Err(e) = rec.record(req, status, &headers, &body) {
                eprintln!("seam mock: recording failed: {e}");
            }
        }
    }
    respond::build(&Default::default(), None, status, &headers, body)
}

/// The first words of the answer to a proxied request the upstream did not
/// answer (WireMock's).
const NETWORK_FAILURE: &str = "Network failure trying to make a proxied request to";

/// What failed, when `status` and `body` are [`proxy`]'s answer to an
/// upstream that could not be reached.
pub(crate) fn network_failure(status: u16, body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    (status == 500 && text.starts_with(NETWORK_FAILURE))
        .then(|| text.trim_end().replace('\n', ": "))
}

/// Sends a forwarded request with exactly `headers` (which hold no
/// `User-Agent`), `Host` and seam's `User-Agent`: `http://` targets through a
/// plain hyper client, `https://` ones through reqwest (which also sends
/// `Accept: */*` when none is given). The answer's status, headers and body,
/// or what failed.
async fn forward(
    state: &MockState,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Result<(u16, hyper::HeaderMap, Bytes), String> {
    use seam_core::reproduce::network_error_text;
    if url.starts_with("http://") {
        let mut request = hyper::Request::builder().method(method).uri(url);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request = request.header(hyper::header::USER_AGENT, PROXY_USER_AGENT);
        let request = request
            .body(http_body_util::Full::new(body))
            .map_err(|e| format!("the request cannot be sent: {e}"))?;
        let answer = state
            .plain_client
            .request(request)
            .await
            .map_err(|e| network_error_text(&e))?;
        let (parts, body) = answer.into_parts();
        let body = Limited::new(body, MAX_BODY)
            .collect()
            .await
            .map_err(|e| format!("reading the answer failed: {e}"))?
            .to_bytes();
        return Ok((parts.status.as_u16(), parts.headers, body));
    }
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut request = state.client.request(method, url).body(body);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let answer = request.send().await.map_err(|e| network_error_text(&e))?;
    let status = answer.status().as_u16();
    let headers = answer.headers().clone();
    let body = answer
        .bytes()
        .await
        .map_err(|e| format!("reading the answer failed: {}", network_error_text(&e)))?;
    Ok((status, headers, body))
}

/// 404 with the closest stubs and what differed; logged unless logging is off.
fn not_found(state: &MockState, req: &MockRequest) -> hyper::Response<Body> {
    let misses = state.registry.near_misses(req, 3);
    if state.config.request_log != RequestLog::Off {
        eprintln!("{}", report::unmatched_line(req, misses.first()));
    }
    respond::text(
        404,
        "text/plain; charset=utf-8",
        report::near_miss_page(req, &misses),
    )
}

/// Every request's future is as large as [`handle`]'s, and hyper moves it a
/// few times per request: 904 bytes as an `async fn` taking the whole request,
/// 400 as it is.
#[cfg(test)]
mod future_size {
    fn returned_size<A, B, C, D, F>(_: fn(A, B, C, D) -> F) -> usize {
        std::mem::size_of::<F>()
    }

    #[test]
    fn a_request_with_a_body_is_served_by_a_small_future() {
        let size = returned_size(super::handle);
        let head = std::mem::size_of::<hyper::http::request::Parts>();
        assert!(size <= head + 256, "handle's future is {size} bytes");
    }
}
