//! `seam mock --openapi`: answers requests no explicit stub matched from
//! OpenAPI specs. A request is routed to its operation (404 when no spec has
//! the path, 405 with `Allow` when none has the method), validated (401 for
//! missing credentials, 415, 422 `application/problem+json` listing every
//! violation with its location), its answer picked (`Prefer: code=NNN`, else
//! the lowest declared 2xx, else the first), its media type negotiated from
//! `Accept` (406 when none fits) and its body taken from an example
//! (`Prefer: example=NAME`, else the first) or generated from the schema
//! (`Prefer: dynamic=true` or `--dynamic`; seeded). Global delay and chaos
//! apply as to stubs, and `Prefer: delay=MS`. After answering, the
//! operation's callbacks are sent to the URLs their runtime expressions name
//! (loopback, or a host of the spec's `servers`); 3.1 webhooks are sent on
//! `POST /__admin/openapi/webhooks/{name}?url=...`. Specs can be watched and
//! reloaded; a broken one is reported and the last good one kept.

use crate::request::MockRequest;
use crate::respond::{self, Outcome};
use crate::server::MockState;
use bytes::Bytes;
use seam_http::Body;
use seam_openapi::conform::{self, RequestParts, RequestPlan};
use seam_openapi::generate::{self, Direction};
use seam_openapi::model::{Operation, Spec, SpecError, StatusKey};
use seam_openapi::router::{Route, Router};
use seam_openapi::schema::{Schemas, Violation};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How OpenAPI answers are made.
#[derive(Debug, Clone, Copy)]
pub struct OpenApiOptions {
    /// Check requests against their operation (401, 415, 422).
    pub validate_requests: bool,
    /// Always generate bodies from schemas, as if every request said
    /// `Prefer: dynamic=true`.
    pub dynamic: bool,
    /// The seed generated data starts from: the same seed gives the same body.
    pub seed: u64,
}

impl Default for OpenApiOptions {
    fn default() -> Self {
        OpenApiOptions {
            validate_requests: true,
            dynamic: false,
            seed: 0,
        }
    }
}

/// One served spec.
struct Api {
    file: String,
    spec: Spec,
    schemas: Schemas,
    router: Router,
    /// One id per operation (what the journal records as the "stub" that answered).
    ids: Vec<Uuid>,
    /// Per operation, what checking its requests needs (parameter shapes and
    /// validators), made on its first request and kept.
    plans: Vec<std::sync::OnceLock<RequestPlan>>,
}

/// The specs a mock answers from.
pub struct OpenApiMock {
    apis: Vec<Api>,
    options: OpenApiOptions,
    /// Answers already made (see [`AnswerKey`]).
    answers: std::sync::RwLock<std::collections::HashMap<AnswerKey, Arc<Made>>>,
}

/// What an answer's headers and body depend on: the operation, the status
/// and media type picked, the example asked for, whether it is generated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AnswerKey {
    operation: Uuid,
    status: u16,
    /// The media type's index in the response's content (`usize::MAX`: no body).
    media: usize,
    example: Option<String>,
    dynamic: bool,
}

/// An answer's headers and body, made once.
struct Made {
    headers: Vec<(String, String)>,
    body: Bytes,
}

/// The answer cache starts over past this many answers (each `Prefer:
/// example=NAME` a client invents is a key).
const MAX_CACHED_ANSWERS: usize = 4096;

impl std::fmt::Debug for OpenApiMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let files: Vec<&str> = self.apis.iter().map(|a| a.file.as_str()).collect();
        f.debug_struct("OpenApiMock")
            .field("specs", &files)
            .finish()
    }
}

/// An answer worked out, before delays and chaos.
struct Planned {
    /// The operation's journal id; `None` for 404/405.
    id: Option<Uuid>,
    /// How the request log names what answered (`None`: the operation `id`).
    label: Option<String>,
    response: hyper::Response<Body>,
    /// `Prefer: delay=MS`.
    delay: Option<Duration>,
    /// The operation's callbacks to send after the answer (only for an
    /// answer the operation gave, not a refusal): each callback's index and
    /// the URL its expression gives for this request (a callback whose
    /// expression names nothing in the request is not sent).
    callbacks: Vec<(usize, String)>,
}

impl OpenApiMock {
    /// Loads and checks every spec (as `seam openapi validate` does); all of
    /// their errors, or a mock serving them all.
    pub fn load(paths: &[PathBuf], options: OpenApiOptions) -> Result<Self, Vec<SpecError>> {
        let mut specs = Vec::new();
        let mut errors = Vec::new();
        for path in paths {
            // a spec that loads but breaks the OpenAPI rules is refused too
            match seam_openapi::load::load(path) {
                Ok(spec) => {
                    let problems = seam_openapi::check::check(&spec);
                    if problems.is_empty() {
                        specs.push((path.display().to_string(), spec));
                    } else {
                        errors.extend(problems);
                    }
                }
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Self::new(specs, options)
    }

    /// A mock over loaded specs (named by their file), their schemas compiled.
    pub fn new(
        specs: Vec<(String, Spec)>,
        options: OpenApiOptions,
    ) -> Result<Self, Vec<SpecError>> {
        let mut apis = Vec::new();
        let mut errors = Vec::new();
        for (file, spec) in specs {
            match Schemas::compile(&spec) {
                Ok(schemas) => {
                    let router = Router::new(&spec);
                    let ids = spec.operations.iter().map(|_| Uuid::new_v4()).collect();
                    let plans = spec.operations.iter().map(|_| Default::default()).collect();
                    apis.push(Api {
                        file,
                        spec,
                        schemas,
                        router,
                        ids,
                        plans,
                    });
                }
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OpenApiMock {
            apis,
            options,
            answers: Default::default(),
        })
    }

    /// How many operations are served.
    pub fn operation_count(&self) -> usize {
        self.apis.iter().map(|a| a.spec.operations.len()).sum()
    }

    /// The operation a journal id names, as a mapping-like JSON object for the
    /// admin API (`name` is `GET /pets (listPets)`, `metadata.openapi` says
    /// where it is).
    pub fn describe(&self, id: Uuid) -> Option<Value> {
        self.apis.iter().find_map(|api| {
            let i = api.ids.iter().position(|x| *x == id)?;
            let op = &api.spec.operations[i];
            Some(json!({
                "id": id,
                "uuid": id,
                "name": operation_name(op),
                "request": {"method": op.method, "urlPathTemplate": op.path},
                "response": {"fromConfiguredStub": false},
                "metadata": {"openapi": {
                    "spec": api.file,
                    "operationId": op.operation_id,
                    "pointer": op.pointer,
                    "at": api.spec.locate(&op.pointer),
                }},
            }))
        })
    }

    /// The answer to `req`, or `None` when no spec has its path.
    fn plan(&self, req: &MockRequest) -> Option<Planned> {
        let mut allow: Vec<String> = Vec::new();
        for api in &self.apis {
            match api.router.find(&req.method, &req.path) {
                Route::Found {
                    operation,
                    index,
                    path_params,
                } => return Some(self.plan_operation(api, operation, index, &path_params, req)),
                Route::MethodNotAllowed { allow: methods } => {
                    for m in methods {
                        if !allow.contains(&m) {
                            allow.push(m);
                        }
                    }
                }
                Route::NotFound => {}
            }
        }
        if allow.is_empty() {
            return None;
        }
        let mut response = problem(
            405,
            "Method not allowed",
            &format!(
                "{} is not declared for {}; allowed: {}",
                req.method,
                req.path,
                allow.join(", ")
            ),
        );
        if let Ok(v) = allow.join(", ").parse() {
            response.headers_mut().insert(hyper::header::ALLOW, v);
        }
        Some(Planned {
            id: None,
            label: Some(format!("{} {}: method not allowed", req.method, req.path)),
            response,
            delay: None,
            callbacks: Vec::new(),
        })
    }

    fn plan_operation(
        &self,
        api: &Api,
        op: &Operation,
        index: usize,
        path_params: &[(String, String)],
        req: &MockRequest,
    ) -> Planned {
        let prefer = Prefer::of(req);
        let id = api.ids.get(index).copied();
        // named only when an answer needs it (formatting costs on every request)
        let label = || operation_name(op);
        let planned = |response| Planned {
            id,
            label: None,
            response,
            delay: prefer.delay,
            callbacks: Vec::new(),
        };
        // read once, for the body's check and the callbacks' expressions
        let json = (self.options.validate_requests || !op.callbacks.is_empty())
            .then(|| conform::json_body(&req.body))
            .flatten();
        if self.options.validate_requests {
            let headers: Vec<(String, String)> = req
                .headers
                .iter()
                .flat_map(|(k, vs)| vs.iter().map(move |v| (k.to_string(), v.clone())))
                .collect();
            let violations =
                check_request(api, op, index, req, path_params, &headers, json.as_ref());
            if let Some(refusal) = refusal(&api.spec, op, &violations) {
                return planned(refusal);
            }
        }
        // the response: Prefer: code, else the lowest 2xx, else the first
        let chosen = match prefer.code {
            Some(code) => match op.response_for(code) {
                Some(r) => Some((code, r)),
                None => {
                    return planned(problem(
                        404,
                        "No response declared",
                        &format!(
                        "{} declares no response for status {code} (asked by Prefer: code={code})",
                        label()
                    ),
                    ))
                }
            },
            None => pick_response(op),
        };
        let Some((status, response)) = chosen else {
            return planned(empty(200));
        };
        let media = match conform::negotiate(response, req.headers.get("accept")) {
            Ok(m) => m,
            Err(refused) => return planned(problem_of(&[refused.to_violation(&response.pointer)])),
        };
        let dynamic = prefer.dynamic.unwrap_or(self.options.dynamic);
        // the answer's headers and body depend only on what was picked (the
        // seed is fixed): made once, then served from the cache
        let key = AnswerKey {
            operation: id.unwrap_or_default(),
            status,
            media: media
                .and_then(|m| response.content.iter().position(|c| std::ptr::eq(c, m)))
                .unwrap_or(usize::MAX),
            example: if dynamic {
                None
            } else {
                prefer.example.clone()
            },
            dynamic,
        };
        let cached = self.answers.read().ok().and_then(|c| c.get(&key).cloned());
        let made = match cached {
            Some(made) => made,
            None => {
                let made = match self.make_answer(api, &label(), response, status, media, &key) {
                    Ok(made) => Arc::new(made),
                    Err(refused) => return planned(*refused),
                };
                if let Ok(mut cache) = self.answers.write() {
                    if cache.len() >= MAX_CACHED_ANSWERS {
                        cache.clear();
                    }
                    cache.insert(key, made.clone());
                }
                made
            }
        };
        let mut builder = hyper::Response::builder().status(status);
        for (name, value) in &made.headers {
            builder = builder.header(name, value);
        }
        let response = builder
            .body(Body::Full(Some(made.body.clone())))
            .unwrap_or_else(|e| respond::text(500, "text/plain", format!("{}: {e}\n", label())));
        let callbacks = if op.callbacks.is_empty() {
            Vec::new()
        } else {
            let ctx = Context {
                req,
                body: json.as_ref(),
                path_params,
            };
            op.callbacks
                .iter()
                .enumerate()
                .filter_map(|(i, c)| expand(&c.expression, &ctx).ok().map(|url| (i, url)))
                .collect()
        };
        Planned {
            callbacks,
            ..planned(response)
        }
    }

    /// The headers and body of an answer (required headers generated; the body
    /// from the named example, the first, or generated), or the refusal when
    /// the named example does not exist.
    fn make_answer(
        &self,
        api: &Api,
        label: &str,
        response: &seam_openapi::model::Response,
        status: u16,
        media: Option<&seam_openapi::model::MediaType>,
        key: &AnswerKey,
    ) -> Result<Made, Box<hyper::Response<Body>>> {
        let generated = |s: &seam_openapi::model::SchemaRef| {
            generate::from_schema(&api.spec, s, Direction::Response, self.options.seed)
        };
        let mut headers = Vec::new();
        for h in response.headers.iter().filter(|h| h.required) {
            if h.name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let value = match &h.schema {
                Some(s) => generated(s),
                None => Value::String("string".into()),
            };
            headers.push((h.name.clone(), header_text(&value)));
        }
        let Some(media) = media else {
            return Ok(Made {
                headers,
                body: Bytes::new(),
            });
        };
        let value = if key.dynamic {
            media.schema.as_ref().map(generated)
        } else if let Some(name) = &key.example {
            match generate::example(&api.spec, media, Some(name)) {
                Some(v) => Some(v),
                None => {
                    let known: Vec<&str> = media.examples.iter().map(|e| e.name.as_str()).collect();
                    return Err(Box::new(problem(
                        404,
                        "No such example",
                        &format!(
                            "{label} has no example `{name}` for {status} {}{}",
                            media.media_type,
                            seam_core::source::did_you_mean(name, known.iter().copied())
                        ),
                    )));
                }
            }
        } else {
            generate::example(&api.spec, media, None)
                .or_else(|| media.schema.as_ref().map(generated))
        };
        headers.push((
            "content-type".to_string(),
            concrete_media_type(&media.media_type),
        ));
        let body = match value {
            None => Bytes::new(),
            Some(Value::String(s)) if !seam_openapi::conform::carries_json(&media.media_type) => {
                Bytes::from(s)
            }
            Some(v) => Bytes::from(serde_json::to_vec(&v).unwrap_or_default()),
        };
        Ok(Made { headers, body })
    }

    /// The operation that answered `req` (to fire its callbacks).
    fn operation(&self, id: Uuid) -> Option<(&Api, &Operation)> {
        self.apis.iter().find_map(|api| {
            let i = api.ids.iter().position(|x| *x == id)?;
            Some((api, &api.spec.operations[i]))
        })
    }

    /// The 3.1 webhook `name` in any spec.
    fn webhook(&self, name: &str) -> Option<(&Api, &Operation)> {
        self.apis.iter().find_map(|api| {
            let op = api.spec.webhooks.iter().find(|w| w.path == name)?;
            Some((api, op))
        })
    }
}

/// What is wrong with a request for `op`.
fn check_request(
    api: &Api,
    op: &Operation,
    index: usize,
    req: &MockRequest,
    path_params: &[(String, String)],
    headers: &[(String, String)],
    json: Option<&Value>,
) -> Vec<Violation> {
    let parts = RequestParts {
        method: &req.method,
        path_params,
        query: req.url.split_once('?').map(|(_, q)| q),
        headers,
        body: &req.body,
        json,
    };
    match api.plans.get(index) {
        Some(plan) => {
            let plan = plan.get_or_init(|| RequestPlan::new(&api.spec, &api.schemas, op));
            conform::check_planned(&api.spec, &api.schemas, op, plan, &parts)
        }
        None => conform::check_request(&api.spec, &api.schemas, op, &parts),
    }
}

/// `GET /pets (listPets)`.
fn operation_name(op: &Operation) -> String {
    match &op.operation_id {
        Some(id) => format!("{} ({id})", op.label()),
        None => op.label(),
    }
}

/// The refusal of an invalid request: 401 for missing credentials, 415 for a
/// body media type the operation does not take, else 422, every violation
/// listed with its location (`conform::problem`). `None`: the request is valid.
fn refusal(spec: &Spec, op: &Operation, violations: &[Violation]) -> Option<hyper::Response<Body>> {
    if violations.is_empty() {
        return None;
    }
    let mut r = problem_of(violations);
    if r.status() == 401 {
        if let Some(v) = challenge(spec, op).and_then(|c| c.parse().ok()) {
            r.headers_mut().insert(hyper::header::WWW_AUTHENTICATE, v);
        }
    }
    Some(r)
}

/// Violations as an `application/problem+json` answer.
fn problem_of(violations: &[Violation]) -> hyper::Response<Body> {
    let (status, body) = conform::problem(violations);
    respond::text(
        status,
        "application/problem+json",
        serde_json::to_vec_pretty(&body).unwrap_or_default(),
    )
}

/// `WWW-Authenticate` for an operation's first HTTP or OAuth scheme.
fn challenge(spec: &Spec, op: &Operation) -> Option<String> {
    use seam_openapi::model::SecurityKind;
    op.security
        .iter()
        .flat_map(|r| &r.schemes)
        .find_map(|(name, _)| match &spec.security_scheme(name)?.kind {
            SecurityKind::Http { scheme, .. } => {
                let mut s = scheme.clone();
                if let Some(first) = s.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                Some(format!("{s} realm=\"seam\""))
            }
            SecurityKind::OAuth2 { .. } | SecurityKind::OpenIdConnect { .. } => {
                Some("Bearer realm=\"seam\"".into())
            }
            _ => None,
        })
}

/// An `application/problem+json` answer (RFC 9457) that is not about
/// violations (no route, no such example or status, webhooks).
fn problem(status: u16, title: &str, detail: &str) -> hyper::Response<Body> {
    let body = json!({
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    });
    respond::text(
        status,
        "application/problem+json",
        serde_json::to_vec_pretty(&body).unwrap_or_default(),
    )
}

fn empty(status: u16) -> hyper::Response<Body> {
    hyper::Response::builder()
        .status(status)
        .body(Body::Full(None))
        .unwrap_or_else(|_| respond::text(500, "text/plain", ""))
}

/// The lowest declared 2xx (a `2XX` range answers 200), else the first
/// response (`default` answers 200 there, its range's first code for a range).
fn pick_response(op: &Operation) -> Option<(u16, &seam_openapi::model::Response)> {
    let code_of = |k: StatusKey| match k {
        StatusKey::Code(c) => c,
        StatusKey::Range(d) => u16::from(d) * 100,
        StatusKey::Default => 200,
    };
    op.responses
        .iter()
        .filter(|r| (200..300).contains(&code_of(r.status)) && r.status != StatusKey::Default)
        .min_by_key(|r| code_of(r.status))
        .or_else(|| op.responses.first())
        .map(|r| (code_of(r.status), r))
}

/// A declared media type to send: wildcards made concrete.
fn concrete_media_type(declared: &str) -> String {
    match declared.trim() {
        "*/*" | "application/*" => "application/json".into(),
        "text/*" => "text/plain".into(),
        other => other.into(),
    }
}

/// A generated value as header text: strings as they are, the rest as JSON.
fn header_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(header_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// What a request's `Prefer` header asks of the mock (Prism's names):
/// `code=NNN`, `example=NAME`, `dynamic=true|false`, `delay=MS`.
#[derive(Debug, Default, PartialEq)]
struct Prefer {
    code: Option<u16>,
    example: Option<String>,
    dynamic: Option<bool>,
    delay: Option<Duration>,
}

impl Prefer {
    fn of(req: &MockRequest) -> Prefer {
        let mut p = Prefer::default();
        for header in req.headers.values("prefer") {
            for pref in header.split([',', ';']) {
                let Some((k, v)) = pref.split_once('=') else {
                    continue;
                };
                let v = v.trim().trim_matches('"');
                match k.trim().to_ascii_lowercase().as_str() {
                    "code" => p.code = v.parse().ok().filter(|c| (100..600).contains(c)),
                    "example" => p.example = Some(v.to_string()),
                    "dynamic" => p.dynamic = v.parse().ok(),
                    "delay" => {
                        p.delay = v
                            .parse::<u64>()
                            .ok()
                            .map(|ms| Duration::from_millis(ms.min(crate::stub::MAX_DELAY_MS)))
                    }
                    _ => {}
                }
            }
        }
        p
    }
}

/// The operation a journal id names, for the admin API (see [`OpenApiMock::describe`]).
pub fn describe(state: &MockState, id: Uuid) -> Option<Value> {
    state.openapi.load().as_ref()?.describe(id)
}

/// The OpenAPI answer to a request no stub matched, with the operation's
/// journal id; `None` when no spec is served or none has the path (the
/// caller proxies or answers 404). Delays, chaos and callbacks included.
pub async fn respond(state: &Arc<MockState>, req: &MockRequest) -> Option<(Option<Uuid>, Outcome)> {
    let mock = state.openapi.load_full()?;
    let planned = mock.plan(req)?;
    if state.config.request_log == crate::server::RequestLog::All {
        eprintln!(
            "{}",
            crate::report::served_line(
                &req.method,
                &req.url,
                planned.response.status().as_u16(),
                &format!(
                    "openapi: {}",
                    planned.label.clone().unwrap_or_else(|| planned
                        .id
                        .and_then(|id| mock.operation(id))
                        .map(|(_, op)| operation_name(op))
                        .unwrap_or_default())
                )
            )
        );
    }
    if let Some(outcome) = state.config.chaos.as_ref().and_then(respond::chaos_outcome) {
        return Some((planned.id, outcome));
    }
    crate::server::global_delays(state).await;
    if let Some(d) = planned.delay {
        tokio::time::sleep(d).await;
    }
    if let (false, Some(id)) = (planned.callbacks.is_empty(), planned.id) {
        spawn_callbacks(state.clone(), mock.clone(), id, planned.callbacks);
    }
    Some((planned.id, Outcome::Respond(planned.response)))
}

/// The values a runtime expression can read.
struct Context<'a> {
    req: &'a MockRequest,
    /// The request body as JSON, if it is JSON.
    body: Option<&'a Value>,
    path_params: &'a [(String, String)],
}

/// A runtime expression (`{$request.body#/callbackUrl}/events`,
/// `{$request.query.url}`, `{$request.header.X-Hook}`, `{$url}`, `{$method}`)
/// with each `{...}` replaced by what it names; an error names the part that
/// has no value.
fn expand(expression: &str, ctx: &Context<'_>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = expression;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| format!("`{expression}`: a `{{` is not closed"))?;
        let inner = &rest[open + 1..close];
        out.push_str(
            &evaluate(inner, ctx)
                .ok_or_else(|| format!("`{inner}` has no value in this request"))?,
        );
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn evaluate(expr: &str, ctx: &Context<'_>) -> Option<String> {
    let req = ctx.req;
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match expr {
        "$url" => return Some(format!("{}{}", req.base_url, req.url)),
        "$method" => return Some(req.method.clone()),
        "$request.body" => return Some(String::from_utf8_lossy(&req.body).into_owned()),
        _ => {}
    }
    if let Some(pointer) = expr.strip_prefix("$request.body#") {
        return ctx.body?.pointer(pointer).map(text);
    }
    if let Some(name) = expr.strip_prefix("$request.query.") {
        return req.query.get_all(name)?.first().cloned();
    }
    if let Some(name) = expr.strip_prefix("$request.header.") {
        return req.headers.get(name).map(str::to_string);
    }
    if let Some(name) = expr.strip_prefix("$request.path.") {
        return ctx
            .path_params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| seam_core::http::percent_decode(v));
    }
    None
}

/// Whether a callback may be sent to `url`: a loopback host, or a host one
/// of the spec's `servers` names.
fn may_call(spec: &Spec, url: &str) -> Result<(), String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{url}`: only http and https callbacks are sent"));
    }
    let host = parsed.host_str().unwrap_or("");
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let declared = spec
        .servers
        .iter()
        .any(|s| reqwest::Url::parse(&s.resolved_url).is_ok_and(|u| u.host_str() == Some(host)));
    if loopback || declared {
        Ok(())
    } else {
        Err(format!(
            "`{url}`: not sent: the host is neither loopback nor one of the spec's servers"
        ))
    }
}

/// Sends one callback or webhook request: `op`'s method to `url`, with a body
/// generated from its request body's first media type (its example if it has one).
async fn send(
    state: &MockState,
    api: &Api,
    op: &Operation,
    url: &str,
    seed: u64,
) -> Result<u16, String> {
    may_call(&api.spec, url)?;
    let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap_or(reqwest::Method::POST);
    let mut request = state.client.request(method, url);
    if let Some(media) = op.request_body.as_ref().and_then(|b| b.content.first()) {
        let value = generate::example(&api.spec, media, None).or_else(|| {
            media
                .schema
                .as_ref()
                .map(|s| generate::from_schema(&api.spec, s, Direction::Request, seed))
        });
        if let Some(v) = value {
            let body = match v {
                Value::String(s) if !seam_openapi::conform::carries_json(&media.media_type) => {
                    s.into_bytes()
                }
                v => serde_json::to_vec(&v).unwrap_or_default(),
            };
            request = request
                .header("content-type", concrete_media_type(&media.media_type))
                .body(body);
        }
    }
    let answer = request
        .send()
        .await
        .map_err(|e| format!("{url}: {}", seam_core::reproduce::network_error_text(&e)))?;
    Ok(answer.status().as_u16())
}

/// Sends the callbacks of the operation `id` (by index, to their URLs)
/// after its answer; a failure is logged.
fn spawn_callbacks(
    state: Arc<MockState>,
    mock: Arc<OpenApiMock>,
    id: Uuid,
    targets: Vec<(usize, String)>,
) {
    tokio::spawn(async move {
        let Some((api, op)) = mock.operation(id) else {
            return;
        };
        for (i, url) in targets {
            let Some(callback) = op.callbacks.get(i) else {
                continue;
            };
            for cop in &callback.operations {
                if let Err(e) = send(&state, api, cop, &url, mock.options.seed).await {
                    eprintln!(
                        "seam mock: callback {} of {}: {e}",
                        callback.name,
                        op.label()
                    );
                }
            }
        }
    });
}

/// `POST /__admin/openapi/webhooks/{name}?url=URL`: sends the 3.1 webhook
/// `name` to `url` and answers with what happened (JSON).
pub async fn fire_webhook(
    state: &MockState,
    req: &MockRequest,
    name: &str,
) -> hyper::Response<Body> {
    let Some(mock) = state.openapi.load_full() else {
        return problem(404, "No OpenAPI spec", "this mock serves no OpenAPI spec");
    };
    let name = seam_core::http::percent_decode(name);
    let Some((api, op)) = mock.webhook(&name) else {
        let known: Vec<&str> = mock
            .apis
            .iter()
            .flat_map(|a| a.spec.webhooks.iter().map(|w| w.path.as_str()))
            .collect();
        return problem(
            404,
            "No such webhook",
            &format!(
                "no spec declares the webhook `{name}`{}",
                seam_core::source::did_you_mean(&name, known.iter().copied())
            ),
        );
    };
    let Some(url) = req.query.get_all("url").and_then(|v| v.first()) else {
        return problem(
            400,
            "No target",
            "give the receiver as ?url=http://127.0.0.1:PORT/path",
        );
    };
    match send(state, api, op, url, mock.options.seed).await {
        Ok(status) => respond::text(
            200,
            "application/json",
            json!({"webhook": name, "url": url, "status": status}).to_string(),
        ),
        Err(e) => problem(502, "Webhook not delivered", &e),
    }
}

/// Reloads the specs when their files change: a good load replaces what is
/// served; a broken one is reported (with its positioned errors) and the last
/// good specs kept.
pub fn spawn_watcher(
    state: Arc<MockState>,
    paths: Vec<PathBuf>,
    options: OpenApiOptions,
    every: Duration,
    report: impl Fn(&str) + Send + 'static,
) {
    tokio::spawn(async move {
        let mut seen = stamps(&paths);
        loop {
            tokio::time::sleep(every).await;
            let now = stamps(&paths);
            if now == seen {
                continue;
            }
            seen = now;
            let load = {
                let paths = paths.clone();
                tokio::task::spawn_blocking(move || OpenApiMock::load(&paths, options)).await
            };
            match load {
                Ok(Ok(mock)) => {
                    let n = mock.operation_count();
                    state.openapi.store(Some(Arc::new(mock)));
                    report(&format!("reloaded OpenAPI spec(s): {n} operation(s)"));
                }
                Ok(Err(errors)) => {
                    let mut text = String::from(
                        "OpenAPI spec not reloaded (still serving the last good one):",
                    );
                    for e in &errors {
                        text.push_str(&format!("\n  {e}"));
                    }
                    report(&text);
                }
                Err(_) => report("OpenAPI spec not reloaded: the loader stopped"),
            }
        }
    });
}

/// Modification times of the spec files and of the files beside them (a
/// multi-file spec's parts), to notice a change.
fn stamps(paths: &[PathBuf]) -> Vec<(PathBuf, Option<std::time::SystemTime>)> {
    let mut out = Vec::new();
    for p in paths {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.retain(|f| {
            matches!(
                f.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json")
            )
        });
        files.sort();
        for f in files {
            let t = std::fs::metadata(&f).and_then(|m| m.modified()).ok();
            out.push((f, t));
        }
        let t = std::fs::metadata(p).and_then(|m| m.modified()).ok();
        out.push((p.clone(), t));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_expressions_read_the_request() {
        let mut req = MockRequest::from_hyper(
            &hyper::Method::POST,
            &"/subscribe?to=http://127.0.0.1:9/q".parse().unwrap(),
            &hyper::HeaderMap::from_iter([(
                hyper::header::HeaderName::from_static("x-hook"),
                hyper::header::HeaderValue::from_static("http://127.0.0.1:9/h"),
            )]),
            Bytes::from_static(br#"{"callbackUrl": "http://127.0.0.1:9/b", "n": 3}"#),
            "http://127.0.0.1:1".into(),
            std::net::IpAddr::from([127, 0, 0, 1]),
        );
        req.method = "POST".into();
        let json = conform::json_body(&req.body);
        let ctx = Context {
            body: json.as_ref(),
            req: &req,
            path_params: &[("id".into(), "a%20b".into())],
        };
        assert_eq!(
            expand("{$request.body#/callbackUrl}/events", &ctx).unwrap(),
            "http://127.0.0.1:9/b/events"
        );
        assert_eq!(
            expand("{$request.query.to}", &ctx).unwrap(),
            "http://127.0.0.1:9/q"
        );
        assert_eq!(
            expand("{$request.header.X-Hook}", &ctx).unwrap(),
            "http://127.0.0.1:9/h"
        );
        assert_eq!(
            expand("{$url}", &ctx).unwrap(),
            "http://127.0.0.1:1/subscribe?to=http://127.0.0.1:9/q"
        );
        assert_eq!(
            expand("x/{$request.path.id}/{$request.body#/n}", &ctx).unwrap(),
            "x/a b/3"
        );
        assert!(expand("{$request.body#/nope}", &ctx)
            .unwrap_err()
            .contains("$request.body#/nope"));
    }

    #[test]
    fn prefer_reads_prisms_names() {
        let mut req = MockRequest::from_hyper(
            &hyper::Method::GET,
            &"/".parse().unwrap(),
            &hyper::HeaderMap::new(),
            Bytes::new(),
            "".into(),
            std::net::IpAddr::from([127, 0, 0, 1]),
        );
        req.headers.append("Prefer", "code=404, example=missing");
        req.headers.append("Prefer", "dynamic=true; delay=25");
        assert_eq!(
            Prefer::of(&req),
            Prefer {
                code: Some(404),
                example: Some("missing".into()),
                dynamic: Some(true),
                delay: Some(Duration::from_millis(25)),
            }
        );
    }
}
