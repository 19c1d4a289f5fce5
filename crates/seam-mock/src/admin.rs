//! The admin API, compatible with WireMock's `/__admin` (mappings CRUD, save,
//! reset, import; the request journal with find, count, remove, unmatched and
//! near misses; scenarios; settings; health; global reset), answering in
//! WireMock 3's JSON shapes (logged requests, serve events, near misses on
//! WireMock's distance scale, `{"errors": [...]}` with a JSON pointer), so
//! WireMock client libraries work unchanged.

use crate::journal::LoggedRequest;
use crate::request::MockRequest;
use crate::respond;
use crate::server::MockState;
use crate::stub::{Delay, RequestPattern, Stub, StubSource};
use crate::wiremock::{stub_from_mapping, stub_to_mapping};
use base64::Engine;
use rustc_hash::FxHashMap;
use seam_http::Body;
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Instant, UNIX_EPOCH};
use uuid::Uuid;

/// How many near misses WireMock gives for one request or pattern.
const NEAR_MISSES: usize = 3;

/// What the admin API keeps beside the stubs and the journal: when the
/// server started (`uptimeInSeconds`), the settings seam accepts and echoes
/// without acting on them, the id of the stand-in mapping that unmatched
/// serve events name (WireMock: one per server), and whether a client asked
/// for a shutdown.
#[derive(Debug)]
pub struct AdminState {
    started: Instant,
    proxy_pass_through: AtomicBool,
    extended: Mutex<Option<Value>>,
    no_stub: Uuid,
    shutdown: tokio::sync::Notify,
}

impl AdminState {
    /// Completes once a client has posted `/__admin/shutdown` (at once if
    /// one already has). The embedding program decides what to do: `seam
    /// mock` stops, as WireMock does.
    pub async fn shutdown_requested(&self) {
        self.shutdown.notified().await
    }
}

impl Default for AdminState {
    fn default() -> Self {
        AdminState {
            started: Instant::now(),
            // WireMock starts with `proxyPassThrough: true`
            proxy_pass_through: AtomicBool::new(true),
            extended: Mutex::new(None),
            no_stub: Uuid::new_v4(),
            shutdown: tokio::sync::Notify::new(),
        }
    }
}

fn ok_json(status: u16, v: &Value) -> hyper::Response<Body> {
    respond::text(
        status,
        "application/json",
        serde_json::to_vec(v).unwrap_or_default(),
    )
}

/// WireMock's error shape, with no JSON pointer.
fn error(
    status: u16,
    title: impl Into<String>,
    detail: impl Into<String>,
) -> hyper::Response<Body> {
    AdminError::new(status, title, detail).reply()
}

/// 200 with no body: how WireMock answers a reset, a save, an import and a
/// settings change.
fn empty_ok() -> hyper::Response<Body> {
    hyper::Response::new(seam_http::full(Vec::new()))
}

/// WireMock's title for every body it cannot use (syntax, types, unknown
/// fields, invalid matchers alike).
const PARSE_ERROR: &str = "Error parsing JSON";

/// A refused admin request, answered in WireMock's error shape:
/// `{"errors": [{"code": 10, "source": {"pointer": "/request/method"},
/// "title": ..., "detail": ...}]}`.
struct AdminError {
    status: u16,
    code: u16,
    title: String,
    detail: String,
    /// Where in the posted JSON (a JSON pointer), when known.
    pointer: Option<String>,
}

impl AdminError {
    fn new(status: u16, title: impl Into<String>, detail: impl Into<String>) -> Self {
        AdminError {
            status,
            code: 10,
            title: title.into(),
            detail: detail.into(),
            pointer: None,
        }
    }

    /// 422 "Error parsing JSON" at `pointer`.
    fn unusable(pointer: Option<String>, detail: impl Into<String>) -> Self {
        AdminError {
            pointer,
            ..AdminError::new(422, PARSE_ERROR, detail)
        }
    }

    fn reply(self) -> hyper::Response<Body> {
        let mut err = json!({"code": self.code});
        if self.code == 10 && self.status == 422 {
            err["source"] = match self.pointer {
                Some(p) => json!({ "pointer": p }),
                None => json!({}),
            };
        }
        err["title"] = json!(self.title);
        if !self.detail.is_empty() {
            err["detail"] = json!(self.detail);
        }
        ok_json(self.status, &json!({ "errors": [err] }))
    }
}

/// A seam JSON path (`$.request.headers['X-Key'].equalTo`, `$.mappings[2]`)
/// as a JSON pointer (`/request/headers/X-Key/equalTo`, `/mappings/2`);
/// the whole document is `/`, as WireMock writes it.
pub fn json_pointer(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    let mut push = |token: &str| {
        out.push('/');
        out.push_str(&token.replace('~', "~0").replace('/', "~1"));
    };
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("['") {
            // a quoted key: up to the first unescaped `']`
            let mut key = String::new();
            let mut chars = r.char_indices();
            let mut end = r.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            key.push(n);
                        }
                    }
                    '\'' if r[i..].starts_with("']") => {
                        end = i + 2;
                        break;
                    }
                    c => key.push(c),
                }
            }
            push(&key);
            rest = &r[end.min(r.len())..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']').unwrap_or(r.len());
            push(&r[..end]);
            rest = r.get(end + 1..).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            push(&r[..end]);
            rest = &r[end..];
        } else {
            push(rest);
            break;
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// The JSON pointer of the object member or array item being read at
/// `offset` of `text` (where a syntax error was found), as WireMock reports
/// it: `{"request": {"method": "GET",}` fails in `/request`. `None` at the
/// top level.
fn pointer_at(text: &str, offset: usize) -> Option<String> {
    enum Frame {
        Object(Option<String>),
        Array(usize),
    }
    let mut stack: Vec<Frame> = Vec::new();
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object(key @ None)) = stack.last_mut() {
                    let raw = &text[start..i.min(text.len())];
                    *key = Some(
                        serde_json::from_str::<String>(&format!("\"{raw}\""))
                            .unwrap_or_else(|_| raw.to_string()),
                    );
                }
            }
            b'{' => stack.push(Frame::Object(None)),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object(key)) => *key = None,
                Some(Frame::Array(n)) => *n += 1,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    let mut out = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Frame::Object(None) => break,
            Frame::Array(n) => out.push_str(&format!("/{n}")),
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The byte offset of a 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// The posted body as JSON; a syntax error is 422 at the JSON pointer where
/// it was found, with its line and column in words.
fn parse_body(req: &MockRequest) -> Result<Value, AdminError> {
    let text = req.body_text().unwrap_or_default();
    // WireMock's parser allows `//` and `/* */` comments; positions stay
    let text = crate::wiremock::blank_comments(&text);
    serde_json::from_str(&text).map_err(|e| {
        let words = e.to_string();
        let words = words
            .rfind(" at line ")
            .map_or(words.as_str(), |i| &words[..i]);
        let (line, column) = (e.line(), e.column());
        AdminError::unusable(
            pointer_at(&text, offset_of(&text, line, column)),
            format!("line {line}, column {column}: {words}"),
        )
    })
}

/// A mapping posted to the admin API; an unusable one is 422 at the JSON
/// pointer of the problem (`prefix` places a mapping inside the posted
/// document: `/mappings/2` for an import).
fn stub_from_admin(v: &Value, prefix: &str) -> Result<Stub, AdminError> {
    let mut stub = stub_from_mapping(v, None).map_err(|e| {
        let at = match json_pointer(&e.path) {
            at if prefix.is_empty() => at,
            at if at == "/" => prefix.to_string(),
            at => format!("{prefix}{at}"),
        };
        AdminError::unusable(Some(at), e.to_string())
    })?;
    stub.source = StubSource::Admin;
    Ok(stub)
}

/// The request part of a WireMock pattern, for count/find/remove and near
/// misses (errors point into the pattern as posted).
fn pattern_from(v: &Value) -> Result<RequestPattern, AdminError> {
    let mapping = json!({"request": v, "response": {}});
    match stub_from_mapping(&mapping, None) {
        Ok(stub) => Ok(std::sync::Arc::unwrap_or_clone(stub.request)),
        Err(e) => {
            let path = format!("${}", e.path.strip_prefix("$.request").unwrap_or(""));
            Err(AdminError::unusable(
                Some(json_pointer(&path)),
                format!("{path}: {}", e.message),
            ))
        }
    }
}

/// Header names Jetty writes in a form word capitalization does not give.
const IRREGULAR_NAMES: &[&str] = &[
    "Content-MD5",
    "DNT",
    "ETag",
    "Sec-WebSocket-Accept",
    "Sec-WebSocket-Extensions",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Version",
    "TE",
    "WWW-Authenticate",
    "X-XSS-Protection",
];

/// A header name as WireMock shows it for a request read by Jetty: Jetty's
/// own form for the headers it knows (`content-type` is `Content-Type`,
/// `etag` is `ETag`), each word capitalized for the rest. hyper gives names
/// lower-cased, so the casing a client sent is not known; capitalized words
/// are what nearly every HTTP/1.1 client sends.
pub(crate) fn header_case(name: &str) -> String {
    if let Some(known) = IRREGULAR_NAMES
        .iter()
        .find(|k| k.eq_ignore_ascii_case(name))
    {
        return (*known).to_string();
    }
    let mut out = String::with_capacity(name.len());
    let mut word_start = true;
    for c in name.chars() {
        out.push(if word_start {
            c.to_ascii_uppercase()
        } else {
            c
        });
        word_start = c == '-';
    }
    out
}

/// A multimap as WireMock writes headers: one value as a string, more as a list.
fn header_json<'a>(headers: impl Iterator<Item = (&'a str, Vec<&'a str>)>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, values) in headers {
        let name = header_case(name);
        let value = match out.remove(&name) {
            None if values.len() == 1 => json!(values[0]),
            None => json!(values),
            Some(Value::String(first)) => json!([first]
                .into_iter()
                .chain(values.iter().map(|v| v.to_string()))
                .collect::<Vec<_>>()),
            Some(Value::Array(mut list)) => {
                list.extend(values.iter().map(|v| json!(v)));
                Value::Array(list)
            }
            Some(other) => other,
        };
        out.insert(name, value);
    }
    out
}

/// `{"name": {"key": "name", "values": [...]}}`, as WireMock writes query and form parameters.
fn params_json(params: &seam_core::http::Query) -> Map<String, Value> {
    params
        .iter()
        .map(|(k, v)| (k.to_string(), json!({"key": k, "values": v})))
        .collect()
}

/// The scheme, host and port a request was addressed to: its `Host` header
/// (the default port of the scheme when it names none), else the server's
/// own address (an HTTP/2 request carries `:authority`, not `Host`).
fn origin(r: &MockRequest) -> (&str, String, u16) {
    let scheme = if r.base_url.starts_with("https:") {
        "https"
    } else {
        "http"
    };
    let default_port = if scheme == "https" { 443 } else { 80 };
    let authority = r
        .headers
        .get("host")
        .map(str::to_string)
        .unwrap_or_else(|| {
            r.base_url
                .split_once("://")
                .map_or("", |(_, a)| a)
                .to_string()
        });
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => match p.parse() {
            Ok(port) => (h.to_string(), port),
            Err(_) => (authority.clone(), default_port),
        },
        _ => (authority.clone(), default_port),
    };
    (scheme, host, port)
}

/// A request as WireMock's `LoggedRequest` JSON.
fn logged_json(e: &LoggedRequest) -> Value {
    let r = &e.request;
    let millis = e
        .logged_at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let headers = header_json(
        r.headers
            .iter()
            .map(|(k, v)| (k, v.iter().map(String::as_str).collect())),
    );
    let cookies: Map<String, Value> = r
        .cookies
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let form = r
        .headers
        .content_type()
        .filter(|ct| ct.main == "application" && ct.sub == "x-www-form-urlencoded")
        .and_then(|_| r.body_text())
        .map(|b| params_json(&seam_core::http::Query::parse(&b)))
        .unwrap_or_default();
    let (scheme, host, port) = origin(r);
    let authority = match r.headers.get("host") {
        Some(h) => h.to_string(),
        None => r
            .base_url
            .split_once("://")
            .map_or("", |(_, a)| a)
            .to_string(),
    };
    json!({
        "url": r.url,
        "absoluteUrl": format!("{scheme}://{authority}{}", r.url),
        "method": r.method,
        "clientIp": r.client_ip.to_string(),
        "headers": headers,
        "cookies": cookies,
        "browserProxyRequest": false,
        "loggedDate": millis,
        "bodyAsBase64": base64::engine::general_purpose::STANDARD.encode(&r.body),
        "body": r.body_text().map(|b| b.into_owned()).unwrap_or_default(),
        "protocol": format!("{:?}", e.version),
        "scheme": scheme,
        "host": host,
        "port": port,
        "loggedDateString": chrono::DateTime::<chrono::Utc>::from(e.logged_at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "queryParams": params_json(&r.query),
        "formParams": form,
    })
}

/// The stubs by id, for answering about many journal entries at once.
fn stubs_by_id(table: &crate::registry::StubTable) -> FxHashMap<Uuid, &Stub> {
    table.iter().map(|s| (s.id, s)).collect()
}

/// The fixed part of a delay, in milliseconds (a random delay counts as
/// processing time: its sample is not kept).
fn fixed_ms(d: Option<&Delay>) -> u64 {
    match d {
        Some(Delay::Fixed { milliseconds }) => *milliseconds,
        _ => 0,
    }
}

/// WireMock's `timing` of a serve event, in milliseconds: `addedDelay` is
/// the fixed delay asked for (by the stub, `--delay` and the global
/// settings), the rest of the time taken is `processTime`; seam does not
/// see the answer leave, so `responseSendTime` is 0.
fn timing(state: &MockState, stub: Option<&Stub>, e: &LoggedRequest) -> Value {
    let total = e.elapsed.as_millis() as u64;
    let added = stub.map_or(0, |s| {
        fixed_ms(s.response.delay.as_ref())
            + fixed_ms(state.config.delay.as_ref())
            + state.settings_delay.load(Ordering::Relaxed)
    });
    let added = added.min(total);
    let process = total - added;
    json!({
        "addedDelay": added,
        "processTime": process,
        "responseSendTime": 0,
        "serveTime": process,
        "totalTime": total,
    })
}

/// WireMock's `response` of a serve event: what was sent, or for an answer
/// the fast path gave (kept without its answer), the answering stub's
/// static answer, which is what was sent.
fn response_json(e: &LoggedRequest, stub: Option<&Stub>) -> Value {
    if e.answer.as_ref().is_some_and(|a| a.status == 0) {
        return fault_json(stub);
    }
    let (rebuilt, own_headers);
    let (status, headers, body): (u16, Option<&hyper::HeaderMap>, &[u8]) = match &e.answer {
        Some(a) => {
            let headers = match &a.headers {
                Some(h) => Some(h),
                None => {
                    own_headers = stub.and_then(respond::own_headers);
                    own_headers.as_ref()
                }
            };
            (a.status, headers, &a.body)
        }
        None => match stub.and_then(|s| Some((s, respond::static_answer(&s.response)?))) {
            Some((s, prepared)) => {
                rebuilt = prepared.respond_for(s);
                let body = match rebuilt.body() {
                    Body::Full(Some(b)) => &b[..],
                    _ => &[],
                };
                (e.status, Some(rebuilt.headers()), body)
            }
            None => (e.status, None, &[]),
        },
    };
    let mut out = json!({"status": status});
    if let Some(h) = headers.filter(|h| !h.is_empty()) {
        out["headers"] = Value::Object(header_json(h.keys().map(|k| {
            (
                k.as_str(),
                h.get_all(k)
                    .iter()
                    .map(|v| v.to_str().unwrap_or_default())
                    .collect(),
            )
        })));
    }
    out["bodyAsBase64"] = json!(base64::engine::general_purpose::STANDARD.encode(body));
    out["body"] = json!(String::from_utf8_lossy(body));
    out
}

/// The `response` of a serve event whose stub answered with a fault (no
/// answer was sent), as WireMock writes it: the stub's status, the
/// `Matched-Stub-Id`, no body, and the fault's name.
fn fault_json(stub: Option<&Stub>) -> Value {
    let mut out = json!({"status": stub.map_or(0, |s| s.response.status)});
    if let Some(s) = stub {
        out["headers"] = json!({"Matched-Stub-Id": s.id.to_string()});
    }
    out["bodyAsBase64"] = json!("");
    let fault = stub.and_then(|s| stub_to_mapping(s)["response"].get("fault").cloned());
    if let Some(f) = fault {
        out["fault"] = f;
    }
    out["body"] = json!("");
    out
}

/// WireMock's serve event: the request, the stub's response definition, the
/// answer, whether a stub matched, timing and the stub (for an unmatched
/// request, WireMock's stand-in 404 mapping).
fn serve_event(state: &MockState, stubs: &FxHashMap<Uuid, &Stub>, e: &LoggedRequest) -> Value {
    let stub = e.stub_id.and_then(|id| stubs.get(&id).copied());
    let not_configured = json!({"status": e.status, "fromConfiguredStub": false});
    // an OpenAPI operation that answered stands in for the stub
    let operation = stub
        .is_none()
        .then(|| e.stub_id.and_then(|id| crate::openapi::describe(state, id)))
        .flatten();
    let (definition, mapping) = match (stub, operation) {
        (Some(s), _) => {
            let mapping = stub_to_mapping(s);
            (
                mapping.get("response").cloned().unwrap_or(json!({})),
                mapping,
            )
        }
        (None, Some(mapping)) => (mapping["response"].clone(), mapping),
        (None, None) => {
            let id = state.admin.no_stub.to_string();
            (
                not_configured.clone(),
                json!({"id": id, "request": {"method": "ANY"}, "response": not_configured, "uuid": id}),
            )
        }
    };
    // WireMock journals its 404 with no body: the near-miss report is a sub-event
    let not_found = e.stub_id.is_none() && e.status == 404 && state.config.proxy.is_none();
    let (response, sub_events) = if not_found {
        let report = e
            .answer
            .as_ref()
            .map(|a| String::from_utf8_lossy(&a.body).into_owned())
            .unwrap_or_default();
        (
            json!({"status": e.status, "bodyAsBase64": "", "body": ""}),
            json!([{"type": "REQUEST_NOT_MATCHED", "timeOffsetNanos": e.elapsed.as_nanos() as u64,
                    "data": {"status": e.status, "contentType": "text/plain", "report": report}}]),
        )
    } else {
        (response_json(e, stub), json!([]))
    };
    json!({
        "id": e.id,
        "request": logged_json(e),
        "responseDefinition": definition,
        "response": response,
        "wasMatched": e.stub_id.is_some(),
        "timing": timing(state, stub, e),
        "subEvents": sub_events,
        "stubMapping": mapping,
    })
}

/// A near miss as WireMock writes it: the request, the stub mapping (or
/// the request pattern) it was compared with, and the match result on
/// WireMock's distance scale. `diffDescriptions` is empty, as WireMock's
/// own matchers leave it (what differed is in the 404 page and the log).
fn near_miss_json(request: Value, against: (&str, Value), distance: f64) -> Value {
    let mut out = Map::new();
    out.insert("request".into(), request);
    out.insert(against.0.into(), against.1);
    out.insert(
        "matchResult".into(),
        json!({"subEvents": [], "diffDescriptions": [], "distance": distance}),
    );
    Value::Object(out)
}

/// The stubs closest to `req` on WireMock's scale, closest first.
fn nearest_stubs(state: &MockState, req: &MockRequest) -> Vec<(f64, crate::registry::NearMiss)> {
    let mut misses: Vec<(f64, crate::registry::NearMiss)> = state
        .registry
        .near_misses(req, usize::MAX)
        .into_iter()
        .map(|m| {
            (
                crate::report::wiremock_distance(&m.stub.request, req, &m.mismatches),
                m,
            )
        })
        .collect();
    misses.sort_by(|a, b| a.0.total_cmp(&b.0));
    misses.truncate(NEAR_MISSES);
    misses
}

/// `{"mappings": [...], "meta": {"total": N}}` for a page of `stubs`,
/// written one mapping at a time: listing 100,000 stubs neither copies them
/// nor builds the whole document as a JSON tree first.
fn mappings_reply<'a>(
    stubs: impl Iterator<Item = &'a Stub>,
    total: usize,
    offset: usize,
    limit: Option<usize>,
) -> hyper::Response<Body> {
    let mut out = b"{\"mappings\":[".to_vec();
    for (i, stub) in stubs
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .enumerate()
    {
        if i > 0 {
            out.push(b',');
        }
        // writing a Value to a Vec cannot fail
        let _ = serde_json::to_writer(&mut out, &stub_to_mapping(stub));
    }
    out.extend_from_slice(format!("],\"meta\":{{\"total\":{total}}}}}").as_bytes());
    respond::text(200, "application/json", out)
}

fn query_usize(req: &MockRequest, key: &str) -> Option<usize> {
    req.query.get_all(key)?.first()?.parse().ok()
}

/// Back to the stub files as they are now (WireMock's reset: every stub
/// added through the API goes, and the files are read again, so a deleted
/// file leaves no stub). A server given its stubs directly (no source
/// files) returns to those. A file that no longer reads is an error and
/// changes nothing.
fn reset_mappings(state: &MockState) -> Result<(), AdminError> {
    let sources = &state.config.sources;
    let stubs = if sources.is_empty() {
        state.initial.lock().expect("initial stubs lock").clone()
    } else {
        let mut loaded = Vec::new();
        for path in sources.iter().filter(|p| p.exists()) {
            let stubs = crate::sources::load(path)
                .map_err(|e| AdminError::new(500, "Cannot read the stub files", e.to_string()))?;
            loaded.extend(stubs);
        }
        loaded
    };
    state.registry.replace_where(|_| true, stubs);
    Ok(())
}

fn done(result: Result<(), AdminError>) -> hyper::Response<Body> {
    match result {
        Ok(()) => empty_ok(),
        Err(e) => e.reply(),
    }
}

/// Whether the journal keeps requests (`requestJournalDisabled` in answers).
fn journal_disabled(state: &MockState) -> bool {
    state.journal.capacity() == 0
}

/// `GET /__admin/health`, WireMock's shape.
fn health(state: &MockState) -> Value {
    json!({
        "status": "healthy",
        "message": "seam mock is ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeInSeconds": state.admin.started.elapsed().as_secs(),
        "timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
    })
}

/// Serves one admin request.
pub async fn handle(state: &MockState, req: &MockRequest) -> hyper::Response<Body> {
    let path = req.path.trim_end_matches('/');
    let rest = path.strip_prefix("/__admin").unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let method = req.method.as_str();
    match (method, segments.as_slice()) {
        ("GET", []) | ("GET", ["health"]) => ok_json(200, &health(state)),
        ("GET", ["version"]) => ok_json(
            200,
            &json!({"version": env!("CARGO_PKG_VERSION"), "server": "seam"}),
        ),
        ("GET", ["mappings"]) => {
            let table = state.registry.snapshot();
            mappings_reply(
                table.iter(),
                table.len(),
                query_usize(req, "offset").unwrap_or(0),
                query_usize(req, "limit"),
            )
        }
        ("POST", ["mappings"]) => match parse_body(req).and_then(|v| stub_from_admin(&v, "")) {
            Ok(stub) => {
                let out = stub_to_mapping(&stub);
                state.registry.add(vec![stub]);
                ok_json(201, &out)
            }
            Err(e) => e.reply(),
        },
        ("DELETE", ["mappings"]) => {
            state.registry.replace_where(|_| true, Vec::new());
            ok_json(200, &json!({}))
        }
        ("POST", ["mappings", "reset"]) => done(reset_mappings(state)),
        ("GET", ["mappings", "unmatched"]) => {
            let unmatched = unmatched_stubs(state);
            mappings_reply(unmatched.iter(), unmatched.len(), 0, None)
        }
        ("DELETE", ["mappings", "unmatched"]) => {
            let ids: rustc_hash::FxHashSet<Uuid> =
                unmatched_stubs(state).iter().map(|s| s.id).collect();
            state
                .registry
                .replace_where(|s| ids.contains(&s.id), Vec::new());
            ok_json(200, &json!({}))
        }
        ("POST", ["mappings", "save"]) => save(state),
        ("POST", ["mappings", "import"]) => import(state, req),
        ("GET", ["mappings", id]) => with_id(id, |id| match state.registry.get(id) {
            Some(s) => ok_json(200, &stub_to_mapping(&s)),
            None => error(
                404,
                "Stub mapping not found",
                format!("no stub mapping with id {id}"),
            ),
        }),
        ("PUT", ["mappings", id]) => with_id(id, |id| {
            if state.registry.get(id).is_none() {
                return error(
                    404,
                    "Stub mapping not found",
                    format!("no stub mapping with id {id}"),
                );
            }
            let mut v = match parse_body(req) {
                Ok(v) => v,
                Err(e) => return e.reply(),
            };
            if let Value::Object(m) = &mut v {
                m.insert("id".into(), json!(id));
                m.remove("uuid");
            }
            match stub_from_admin(&v, "") {
                Ok(stub) => {
                    let out = stub_to_mapping(&stub);
                    state.registry.add(vec![stub]);
                    ok_json(200, &out)
                }
                Err(e) => e.reply(),
            }
        }),
        ("DELETE", ["mappings", id]) => with_id(id, |id| {
            if state.registry.remove(id) {
                ok_json(200, &json!({}))
            } else {
                error(
                    404,
                    "Stub mapping not found",
                    format!("no stub mapping with id {id}"),
                )
            }
        }),
        ("GET", ["requests"]) => {
            let limit = query_usize(req, "limit").unwrap_or(usize::MAX);
            let unmatched = req
                .query
                .get_all("unmatched")
                .is_some_and(|v| v.first().is_some_and(|x| x == "true"));
            let since = match req.query.get_all("since").and_then(|v| v.first()) {
                None => None,
                Some(raw) => match chrono::DateTime::parse_from_rfc3339(raw) {
                    Ok(t) => Some(std::time::SystemTime::from(t)),
                    Err(_) => {
                        return error(
                            400,
                            "Invalid since",
                            format!(
                                "`since` must be an ISO 8601 date-time (2024-01-31T12:00:00Z), not `{}`",
                                seam_core::regexp::excerpt(raw, 80)
                            ),
                        )
                    }
                },
            };
            let table = state.registry.snapshot();
            let stubs = stubs_by_id(&table);
            let events: Vec<Value> = state
                .journal
                .find_first(limit, |e| {
                    (!unmatched || e.stub_id.is_none()) && since.is_none_or(|t| e.logged_at > t)
                })
                .iter()
                .map(|e| serve_event(state, &stubs, e))
                .collect();
            let (_, _, kept) = state.journal.totals();
            ok_json(
                200,
                &json!({"requests": events, "meta": {"total": kept}, "requestJournalDisabled": journal_disabled(state)}),
            )
        }
        ("DELETE", ["requests"]) | ("POST", ["requests", "reset"]) => {
            state.journal.clear();
            ok_json(200, &json!({}))
        }
        ("POST", ["requests", op @ ("count" | "find" | "remove")]) => {
            let pattern = match parse_body(req).and_then(|v| pattern_from(&v)) {
                Ok(p) => p,
                Err(e) => return e.reply(),
            };
            let keep =
                |e: &LoggedRequest| crate::matching::match_pattern(&pattern, &e.request).is_ok();
            let disabled = journal_disabled(state);
            match *op {
                "count" => ok_json(
                    200,
                    &json!({"count": state.journal.count(keep), "requestJournalDisabled": disabled}),
                ),
                "find" => {
                    let found: Vec<Value> =
                        state.journal.find(keep).iter().map(logged_json).collect();
                    ok_json(
                        200,
                        &json!({"requests": found, "requestJournalDisabled": disabled}),
                    )
                }
                _ => {
                    let gone = state.journal.remove(keep);
                    let table = state.registry.snapshot();
                    let stubs = stubs_by_id(&table);
                    let gone: Vec<Value> =
                        gone.iter().map(|e| serve_event(state, &stubs, e)).collect();
                    ok_json(200, &json!({"serveEvents": gone}))
                }
            }
        }
        ("GET", ["requests", "unmatched"]) => {
            let found: Vec<Value> = state
                .journal
                .find(|e| e.stub_id.is_none())
                .iter()
                .map(logged_json)
                .collect();
            ok_json(
                200,
                &json!({"requests": found, "requestJournalDisabled": journal_disabled(state)}),
            )
        }
        ("GET", ["requests", "unmatched", "near-misses"]) => {
            let mut out = Vec::new();
            for e in state.journal.find(|e| e.stub_id.is_none()) {
                let request = logged_json(&e);
                for (distance, m) in nearest_stubs(state, &e.request) {
                    out.push(near_miss_json(
                        request.clone(),
                        ("stubMapping", stub_to_mapping(&m.stub)),
                        distance,
                    ));
                }
            }
            ok_json(200, &json!({"nearMisses": out}))
        }
        ("GET", ["requests", id]) => with_id(id, |id| match state.journal.get(id) {
            Some(e) => {
                let table = state.registry.snapshot();
                ok_json(200, &serve_event(state, &stubs_by_id(&table), &e))
            }
            None => error(404, "Request not found", format!("no request with id {id}")),
        }),
        ("DELETE", ["requests", id]) => with_id(id, |id| {
            state.journal.remove(|e| e.id == id);
            ok_json(200, &json!({}))
        }),
        ("GET", ["files"]) => files_list(state),
        (op @ ("GET" | "PUT" | "DELETE"), ["files", _, ..]) => {
            let rel = seam_core::http::percent_decode_path(
                rest.strip_prefix("/files/").unwrap_or_default(),
            );
            file_op(state, op, &rel, req)
        }
        ("GET", ["scenarios"]) => ok_json(200, &json!({"scenarios": scenarios(state)})),
        ("POST", ["scenarios", "reset"]) => {
            state.registry.reset_scenarios();
            ok_json(200, &json!({}))
        }
        ("PUT", ["scenarios", name, "state"]) => set_scenario_state(state, name, req),
        ("POST", ["mappings", op @ ("find-by-metadata" | "remove-by-metadata")]) => {
            let matcher = match parse_body(req).and_then(|v| {
                seam_matchers::from_wiremock_json(&v)
                    .map_err(|e| AdminError::unusable(Some("/".into()), e))
            }) {
                Ok(m) => m,
                Err(e) => return e.reply(),
            };
            let hits: Vec<Stub> = state
                .registry
                .snapshot()
                .iter()
                .filter(|s| {
                    s.metadata
                        .as_ref()
                        .is_some_and(|m| matcher.check(Some(&m.to_string())).is_ok())
                })
                .cloned()
                .collect();
            if *op == "remove-by-metadata" {
                let ids: Vec<Uuid> = hits.iter().map(|s| s.id).collect();
                state
                    .registry
                    .replace_where(|s| ids.contains(&s.id), Vec::new());
                return ok_json(200, &json!({}));
            }
            mappings_reply(hits.iter(), hits.len(), 0, None)
        }
        ("POST", ["near-misses", "request"]) | ("POST", ["requests", "near-misses", "request"]) => {
            let v = match parse_body(req) {
                Ok(v) => v,
                Err(e) => return e.reply(),
            };
            let probe = request_from_logged(&v, state.base_url());
            let request = posted_request_json(&v, &probe);
            let out: Vec<Value> = nearest_stubs(state, &probe)
                .into_iter()
                .map(|(distance, m)| {
                    near_miss_json(
                        request.clone(),
                        ("stubMapping", stub_to_mapping(&m.stub)),
                        distance,
                    )
                })
                .collect();
            ok_json(200, &json!({"nearMisses": out}))
        }
        ("POST", ["near-misses", "request-pattern"])
        | ("POST", ["requests", "near-misses", "request-pattern"]) => {
            let (v, pattern) = match parse_body(req).and_then(|v| Ok((pattern_from(&v)?, v))) {
                Ok((p, v)) => (v, p),
                Err(e) => return e.reply(),
            };
            ok_json(
                200,
                &json!({"nearMisses": nearest_requests(state, &v, &pattern)}),
            )
        }
        ("POST" | "PUT", ["settings"]) => {
            done(parse_body(req).and_then(|v| set_settings(state, &v)))
        }
        ("GET", ["settings"]) => ok_json(200, &json!({"settings": settings(state)})),
        ("POST", ["shutdown"]) => {
            state.admin.shutdown.notify_one();
            empty_ok()
        }
        ("POST", ["openapi", "webhooks", name]) => {
            crate::openapi::fire_webhook(state, req, name).await
        }
        ("POST", ["requests", "remove-by-metadata"]) => {
            let matcher = match parse_body(req).and_then(|v| {
                seam_matchers::from_wiremock_json(&v)
                    .map_err(|e| AdminError::unusable(Some("/".into()), e))
            }) {
                Ok(m) => m,
                Err(e) => return e.reply(),
            };
            let table = state.registry.snapshot();
            let stubs = stubs_by_id(&table);
            let tagged = |e: &LoggedRequest| {
                e.stub_id
                    .and_then(|id| stubs.get(&id))
                    .and_then(|s| s.metadata.as_ref())
                    .is_some_and(|m| matcher.check(Some(&m.to_string())).is_ok())
            };
            let gone: Vec<Value> = state
                .journal
                .remove(tagged)
                .iter()
                .map(|e| serve_event(state, &stubs, e))
                .collect();
            ok_json(200, &json!({ "serveEvents": gone }))
        }
        ("POST", ["reset"]) => {
            let reloaded = reset_mappings(state);
            state.journal.clear();
            state.registry.reset_scenarios();
            done(reloaded)
        }
        _ => error(
            404,
            "Not found",
            format!("no admin route for {}", crate::report::request_line(req)),
        ),
    }
}

/// `PUT /__admin/scenarios/{name}/state`, as WireMock answers it: no body
/// resets the scenario (WireMock clients' `resetScenario`); a state none of
/// its stubs names is 422 (code 11); an unknown scenario 404.
fn set_scenario_state(state: &MockState, name: &str, req: &MockRequest) -> hyper::Response<Body> {
    // the name as sent, not decoded, as WireMock looks it up: a scenario
    // whose name has a space cannot be addressed (`To%20do%20list` is 404)
    let scenarios = state.registry.scenarios();
    let found = scenarios.iter().find(|(s, _, _)| s == name);
    let refusal = |status: u16, code: u16, title: String| {
        AdminError {
            code,
            ..AdminError::new(status, title, "")
        }
        .reply()
    };
    let Some((name, _, possible)) = found else {
        let shown = seam_core::regexp::excerpt(name, 80);
        return refusal(404, 404, format!("Scenario {shown} does not exist"));
    };
    let wanted = if req.body.is_empty() {
        Some(crate::registry::STARTED.to_string())
    } else {
        match parse_body(req) {
            Ok(v) => v.get("state").and_then(Value::as_str).map(str::to_string),
            Err(e) => return e.reply(),
        }
    };
    match wanted.filter(|w| possible.contains(w)) {
        Some(w) if state.registry.set_scenario(name, &w) => ok_json(200, &json!({})),
        _ => {
            let asked = match parse_body(req).ok().and_then(|v| v.get("state").cloned()) {
                Some(Value::String(s)) => seam_core::regexp::excerpt(&s, 80).into_owned(),
                Some(Value::Null) | None => "null".to_string(),
                Some(other) => seam_core::regexp::excerpt(&other.to_string(), 80).into_owned(),
            };
            let shown = seam_core::regexp::excerpt(name, 80);
            refusal(
                422,
                11,
                format!("Scenario {shown} does not support state {asked}"),
            )
        }
    }
}

/// The stubs no kept request was answered by (WireMock's unmatched stub
/// mappings: after the journal is cleared, every stub is).
fn unmatched_stubs(state: &MockState) -> Vec<Stub> {
    let used: rustc_hash::FxHashSet<Uuid> = state
        .journal
        .find(|e| e.stub_id.is_some())
        .iter()
        .filter_map(|e| e.stub_id)
        .collect();
    state
        .registry
        .snapshot()
        .iter()
        .filter(|s| !used.contains(&s.id))
        .cloned()
        .collect()
}

/// The body files folder (`__files` of the first stub root), if any.
fn files_dir(state: &MockState) -> Option<&std::path::Path> {
    state.config.files_dir.as_deref()
}

/// `GET /__admin/files`: every file under `__files`, as paths relative to
/// it (`sub/b.json`), sorted.
fn files_list(state: &MockState) -> hyper::Response<Body> {
    let mut names = Vec::new();
    if let Some(root) = files_dir(state) {
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(rel) = path.strip_prefix(root) {
                    let parts: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    names.push(parts.join("/"));
                }
            }
        }
    }
    names.sort();
    ok_json(200, &json!(names))
}

/// `GET/PUT/DELETE /__admin/files/{path}`: a body file read (its bytes),
/// written (answered with its base64, as WireMock does) or deleted. A path
/// that would leave `__files` is 404, as in WireMock.
fn file_op(state: &MockState, op: &str, rel: &str, req: &MockRequest) -> hyper::Response<Body> {
    let not_found = || {
        error(
            404,
            "File not found",
            format!(
                "no file {} under __files",
                seam_core::regexp::excerpt(rel, 200)
            ),
        )
    };
    let rel_path = std::path::Path::new(rel);
    if respond::check_body_file(rel_path).is_err() {
        return not_found();
    }
    let Some(root) = files_dir(state) else {
        return match op {
            "PUT" => error(
                409,
                "No __files directory",
                "start seam mock with --stubs DIR, where DIR holds a __files folder, to store body files",
            ),
            "DELETE" => empty_ok(),
            _ => not_found(),
        };
    };
    let path = root.join(rel_path);
    match op {
        "GET" => match std::fs::read(&path) {
            Ok(bytes) if path.is_file() => respond::text(200, "application/octet-stream", bytes),
            _ => not_found(),
        },
        "PUT" => {
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, &req.body));
            match written {
                Ok(()) => ok_json(
                    200,
                    &json!(base64::engine::general_purpose::STANDARD.encode(&req.body)),
                ),
                Err(e) => error(
                    500,
                    "Cannot write the file",
                    format!("{}: {e}", path.display()),
                ),
            }
        }
        _ => {
            let _ = std::fs::remove_file(&path);
            empty_ok()
        }
    }
}

/// Every scenario as WireMock lists it: its state, the states its stubs
/// name, and those stubs' mappings (oldest first).
fn scenarios(state: &MockState) -> Vec<Value> {
    let table = state.registry.snapshot();
    state
        .registry
        .scenarios()
        .into_iter()
        .map(|(name, st, possible)| {
            let mut mappings: Vec<Value> = table
                .iter()
                .filter(|s| s.scenario.as_ref().is_some_and(|sc| sc.scenario == name))
                .map(stub_to_mapping)
                .collect();
            // the table lists newest first
            mappings.reverse();
            json!({"id": name, "name": name, "state": st, "possibleStates": possible, "mappings": mappings})
        })
        .collect()
}

/// The kept requests closest to `pattern` (posted as `posted`), closest
/// first; a request it matches is at distance 0.
fn nearest_requests(state: &MockState, posted: &Value, pattern: &RequestPattern) -> Vec<Value> {
    let mut scored: Vec<(f64, LoggedRequest)> = state
        .journal
        .find(|_| true)
        .into_iter()
        .map(
            |e| match crate::matching::match_pattern(pattern, &e.request) {
                Ok(_) => (0.0, e),
                Err(m) => (crate::report::wiremock_distance(pattern, &e.request, &m), e),
            },
        )
        .collect();
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    scored
        .iter()
        .take(NEAR_MISSES)
        .map(|(distance, e)| {
            near_miss_json(
                logged_json(e),
                ("requestPattern", posted.clone()),
                *distance,
            )
        })
        .collect()
}

/// WireMock's global settings: those seam acts on (`fixedDelay`) and those
/// it keeps and gives back (`proxyPassThrough`, `extended`).
const SETTINGS_KEYS: &[&str] = &[
    "fixedDelay",
    "delayDistribution",
    "extended",
    "proxyPassThrough",
];

/// The settings as `GET /__admin/settings` gives them.
fn settings(state: &MockState) -> Value {
    let mut out = Map::new();
    let delay = state.settings_delay.load(Ordering::Relaxed);
    if delay > 0 {
        out.insert("fixedDelay".into(), json!(delay));
    }
    out.insert(
        "proxyPassThrough".into(),
        json!(state.admin.proxy_pass_through.load(Ordering::Relaxed)),
    );
    if let Some(extended) = state.admin.extended.lock().expect("settings lock").clone() {
        out.insert("extended".into(), extended);
    }
    Value::Object(out)
}

/// Replaces the settings, as WireMock does (what the body leaves out is
/// reset: no delay, `proxyPassThrough` false). Accepted wrapped in
/// `{"settings": ...}`, as `GET` returns them.
fn set_settings(state: &MockState, v: &Value) -> Result<(), AdminError> {
    let (v, at) = match v.as_object() {
        Some(o) if o.len() == 1 && o.contains_key("settings") => (&o["settings"], "/settings"),
        _ => (v, ""),
    };
    let Some(settings) = v.as_object() else {
        return Err(AdminError::unusable(
            Some(if at.is_empty() { "/" } else { at }.to_string()),
            format!(
                "settings must be an object, not {}",
                seam_matchers::describe_json(v)
            ),
        ));
    };
    let invalid = |key: &str, detail: String| {
        AdminError::unusable(Some(format!("{at}/{key}")), format!("$.{key}: {detail}"))
    };
    for key in settings.keys() {
        if !SETTINGS_KEYS.contains(&key.as_str()) {
            return Err(invalid(
                key,
                format!(
                    "unknown setting{}; seam reads {}",
                    seam_core::source::did_you_mean(key, SETTINGS_KEYS.iter().copied()),
                    SETTINGS_KEYS.join(", ")
                ),
            ));
        }
    }
    if settings
        .get("delayDistribution")
        .is_some_and(|d| !d.is_null())
    {
        return Err(invalid("delayDistribution", "a global delay distribution is not supported; give fixedDelay, or a delayDistribution on each stub".into()));
    }
    let delay = match settings.get("fixedDelay") {
        None | Some(Value::Null) => 0,
        Some(d) => {
            let ms = d.as_u64().ok_or_else(|| {
                invalid(
                    "fixedDelay",
                    format!(
                        "needs a whole number of milliseconds ≥ 0, not {}",
                        seam_matchers::describe_json(d)
                    ),
                )
            })?;
            crate::stub::check_delay_ms("fixedDelay", ms).map_err(|e| invalid("fixedDelay", e))?
        }
    };
    let pass_through = match settings.get("proxyPassThrough") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(invalid(
                "proxyPassThrough",
                format!(
                    "needs true or false, not {}",
                    seam_matchers::describe_json(other)
                ),
            ))
        }
    };
    state.settings_delay.store(delay, Ordering::Relaxed);
    state
        .admin
        .proxy_pass_through
        .store(pass_through, Ordering::Relaxed);
    *state.admin.extended.lock().expect("settings lock") =
        settings.get("extended").filter(|e| !e.is_null()).cloned();
    Ok(())
}

/// A posted `LoggedRequest` as WireMock gives it back in near misses: the
/// fields it was given, its query parsed, and the scheme, host and port of
/// its `absoluteUrl` (port -1 without one).
fn posted_request_json(v: &Value, probe: &MockRequest) -> Value {
    let mut out = Map::new();
    for key in [
        "url",
        "absoluteUrl",
        "method",
        "clientIp",
        "headers",
        "cookies",
    ] {
        if let Some(x) = v.get(key).filter(|x| !x.is_null()) {
            out.insert(key.into(), x.clone());
        }
    }
    out.insert("browserProxyRequest".into(), json!(false));
    let absolute = v.get("absoluteUrl").and_then(Value::as_str);
    match absolute.and_then(|u| u.split_once("://")) {
        Some((scheme, rest)) => {
            let authority = rest.split(['/', '?']).next().unwrap_or("");
            let default_port = if scheme.eq_ignore_ascii_case("https") {
                443
            } else {
                80
            };
            let (host, port) = match authority.rsplit_once(':') {
                Some((h, p)) if p.parse::<u16>().is_ok() => (h, p.parse().unwrap_or(default_port)),
                _ => (authority, default_port),
            };
            out.insert("scheme".into(), json!(scheme));
            out.insert("host".into(), json!(host));
            out.insert("port".into(), json!(port));
        }
        None => {
            out.insert("port".into(), json!(-1));
        }
    }
    out.insert(
        "queryParams".into(),
        Value::Object(params_json(&probe.query)),
    );
    out.insert("formParams".into(), json!({}));
    Value::Object(out)
}

/// A request rebuilt from WireMock's LoggedRequest JSON (url, method, headers, body).
fn request_from_logged(v: &Value, base_url: &str) -> MockRequest {
    let mut headers = seam_core::http::Headers::new();
    if let Some(Value::Object(h)) = v.get("headers") {
        for (k, val) in h {
            match val {
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .for_each(|x| headers.append(k.clone(), x)),
                Value::String(x) => headers.append(k.clone(), x.clone()),
                _ => {}
            }
        }
    }
    let body = v
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    MockRequest::new(
        v.get("method").and_then(Value::as_str).unwrap_or("GET"),
        v.get("url").and_then(Value::as_str).unwrap_or("/"),
        headers,
        body.into(),
        base_url.into(),
        std::net::IpAddr::from([127, 0, 0, 1]),
    )
}

fn with_id(raw: &str, f: impl FnOnce(Uuid) -> hyper::Response<Body>) -> hyper::Response<Body> {
    match Uuid::parse_str(raw) {
        Ok(id) => f(id),
        Err(_) => error(
            400,
            format!(
                "{} is not a valid UUID",
                seam_core::regexp::excerpt(raw, 80)
            ),
            "",
        ),
    }
}

fn import(state: &MockState, req: &MockRequest) -> hyper::Response<Body> {
    let v = match parse_body(req) {
        Ok(v) => v,
        Err(e) => return e.reply(),
    };
    let Some(list) = v.get("mappings").and_then(Value::as_array) else {
        return AdminError::unusable(Some("/mappings".into()), "expected {\"mappings\": [...]}")
            .reply();
    };
    let mut stubs = Vec::new();
    for (i, m) in list.iter().enumerate() {
        match stub_from_admin(m, &format!("/mappings/{i}")) {
            Ok(s) => stubs.push(s),
            Err(mut e) => {
                e.detail = format!("mappings[{i}]: {}", e.detail);
                return e.reply();
            }
        }
    }
    let options = v.get("importOptions");
    let delete_others = options
        .and_then(|o| o.get("deleteAllNotInImport"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let ignore_dups = options
        .and_then(|o| o.get("duplicatePolicy"))
        .and_then(Value::as_str)
        == Some("IGNORE");
    // sets: an import of 100,000 stubs compares ids in O(1), not O(n)
    let ids: rustc_hash::FxHashSet<Uuid> = stubs.iter().map(|s| s.id).collect();
    if ignore_dups {
        let existing: rustc_hash::FxHashSet<Uuid> =
            state.registry.snapshot().iter().map(|s| s.id).collect();
        stubs.retain(|s| !existing.contains(&s.id));
    }
    state.registry.replace_where(
        |s| delete_others || (ids.contains(&s.id) && !ignore_dups),
        stubs,
    );
    empty_ok()
}

fn save(state: &MockState) -> hyper::Response<Body> {
    let Some(dir) = &state.config.mappings_dir else {
        return error(
            409,
            "No mappings directory",
            "start seam mock with --stubs DIR to save mappings",
        );
    };
    let dir = dir.join("mappings");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return error(500, "Cannot save", format!("{}: {e}", dir.display()));
    }
    let table = state.registry.snapshot();
    for stub in table.iter().filter(|s| s.source == StubSource::Admin) {
        let file = dir.join(format!("{}.json", stub.id));
        let text = serde_json::to_string_pretty(&stub_to_mapping(stub)).unwrap_or_default();
        if let Err(e) = std::fs::write(&file, text) {
            return error(500, "Cannot save", format!("{}: {e}", file.display()));
        }
    }
    empty_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_read_as_jetty_writes_them() {
        for (name, shown) in [
            ("content-type", "Content-Type"),
            ("x-mixed-case", "X-Mixed-Case"),
            ("etag", "ETag"),
            ("www-authenticate", "WWW-Authenticate"),
            ("te", "TE"),
            ("x", "X"),
        ] {
            assert_eq!(header_case(name), shown);
        }
    }

    #[test]
    fn json_paths_become_json_pointers() {
        for (path, pointer) in [
            ("$", "/"),
            ("$.request.method", "/request/method"),
            ("$.mappings[2].request", "/mappings/2/request"),
            (
                "$.request.headers['X Key'].equalTo",
                "/request/headers/X Key/equalTo",
            ),
            ("$['a/b']", "/a~1b"),
        ] {
            assert_eq!(json_pointer(path), pointer, "{path}");
        }
    }

    #[test]
    fn a_syntax_error_points_at_the_member_being_read() {
        let at = |text: &str| pointer_at(text, text.len());
        assert_eq!(
            at(r#"{"request": {"method": "GET","#),
            Some("/request".into())
        );
        assert_eq!(at(r#"{"a": [1, {"b": "#), Some("/a/1/b".into()));
        assert_eq!(at(r#"{"a\"b": {"#), Some("/a\"b".into()));
        assert_eq!(at("not json"), None);
    }
}
