//! Turning a stub's response definition into bytes on the wire: status, headers,
//! body (inline, JSON, base64 or `__files`), templates, delays (fixed, uniform,
//! lognormal), chunked dribble, faults and chance-based chaos.

use crate::stub::{
    Chaos, ChaosOutcome, Delay, Fault, ResponseBody, ResponseDef, Stub, MAX_DELAY_MS,
};
use bytes::Bytes;
use rand::Rng;
use seam_http::{full, Body, ConnFault};
use std::path::Path;
use std::time::Duration;

/// WireMock response options few stubs use, kept boxed in
/// [`ResponseDef::extras`](crate::stub::ResponseDef::extras).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResponseExtras {
    /// `proxyUrlPrefixToRemove`: cut from the start of the request's URL
    /// before it is appended to `proxyBaseUrl`.
    pub proxy_url_prefix_to_remove: Option<String>,
    /// `additionalProxyRequestHeaders`: sent to the proxy target after the
    /// client's own headers.
    pub additional_proxy_request_headers: seam_core::http::Headers,
    /// `removeProxyRequestHeaders`: client headers not forwarded.
    pub remove_proxy_request_headers: Vec<String>,
    /// `transformerParameters`: what templates see as `parameters`.
    pub transformer_parameters: Option<serde_json::Value>,
}

/// What to do for one request.
pub enum Outcome {
    Respond(hyper::Response<Body>),
    Fault(Fault),
}

/// Picks a delay from its distribution.
pub fn sample_delay(d: &Delay) -> Duration {
    let mut rng = rand::thread_rng();
    let ms = match d {
        Delay::Fixed { milliseconds } => *milliseconds as f64,
        Delay::Uniform { lower, upper } => {
            rng.gen_range(*lower as f64..=(*upper).max(*lower) as f64)
        }
        Delay::LogNormal { median, sigma } => {
            // Box-Muller: a standard normal from two uniforms
            let (u1, u2): (f64, f64) = (rng.gen_range(f64::EPSILON..1.0), rng.gen());
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            median * (sigma * z).exp()
        }
    };
    // a lognormal's tail is unbounded: no sample waits longer than the cap
    Duration::from_micros((ms.clamp(0.0, MAX_DELAY_MS as f64) * 1000.0) as u64)
}

/// Rolls the dice for chaos: `Some` when this request gets the chaos outcome.
pub fn roll_chaos(chaos: &Chaos) -> Option<&ChaosOutcome> {
    (rand::thread_rng().gen::<f64>() < chaos.probability).then_some(&chaos.outcome)
}

/// Rolls the dice for chaos and, when they say so, the answer it gives: the
/// injected status as text, or the fault.
pub fn chaos_outcome(chaos: &Chaos) -> Option<Outcome> {
    Some(match roll_chaos(chaos)? {
        ChaosOutcome::Status(s) => {
            Outcome::Respond(text(*s, "text/plain", format!("chaos: injected {s}\n")))
        }
        ChaosOutcome::Fault(f) => Outcome::Fault(*f),
    })
}

pub fn conn_fault(f: Fault) -> Option<ConnFault> {
    match f {
        Fault::EmptyResponse => Some(ConnFault::EmptyResponse),
        Fault::MalformedResponseChunk => Some(ConnFault::MalformedChunk),
        Fault::RandomDataThenClose => Some(ConnFault::RandomDataThenClose),
        Fault::ConnectionResetByPeer => Some(ConnFault::Reset),
        Fault::Hang => None,
    }
}

/// Checks a response header as HTTP allows it on the wire: the name a token
/// (letters, digits and ``!#$%&'*+-.^_`|~``), the value free of control
/// characters (CR and LF would split the header; tab is allowed).
pub fn check_header(name: &str, value: &str) -> Result<(), String> {
    let shown = |s: &str| seam_core::regexp::excerpt(s, 80).escape_debug().to_string();
    if hyper::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!(
            "`{}` is not a header name (letters, digits and !#$%&'*+-.^_`|~ only)",
            shown(name)
        ));
    }
    if let Some(at) = control_char(value) {
        return Err(format!(
            "the value of header `{name}` holds a control character ({}) at byte {at}: `{}`",
            match value.as_bytes()[at] {
                b'\r' => "CR".to_string(),
                b'\n' => "LF".to_string(),
                b => format!("0x{b:02x}"),
            },
            shown(value)
        ));
    }
    Ok(())
}

/// Checks a status message (reason phrase): no control characters.
pub fn check_status_message(message: &str) -> Result<(), String> {
    match control_char(message) {
        Some(at) => Err(format!(
            "the status message holds a control character (CR, LF or another) at byte {at}"
        )),
        None => Ok(()),
    }
}

/// Where the first control character (tab excepted) of `text` is.
fn control_char(text: &str) -> Option<usize> {
    text.bytes()
        .position(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
}

/// Checks a `bodyFileName`: a relative path that stays inside the `__files`
/// directory (no `..`, no root or drive).
pub fn check_body_file(rel: &Path) -> Result<(), String> {
    use std::path::Component;
    let leaves = rel
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if leaves || rel.as_os_str().is_empty() {
        return Err(format!(
            "body file `{}` must be a relative path inside the __files directory (no `..`, no leading `/`)",
            seam_core::regexp::excerpt(&rel.display().to_string(), 200)
        ));
    }
    Ok(())
}

/// Reads a stub's body bytes.
pub fn body_bytes(def: &ResponseDef, files_dir: Option<&Path>) -> Result<Bytes, String> {
    Ok(match &def.body {
        ResponseBody::None => Bytes::new(),
        ResponseBody::Text(t) => Bytes::from(t.clone()),
        ResponseBody::Json(v) => Bytes::from(serde_json::to_vec(v).map_err(|e| e.to_string())?),
        ResponseBody::Bytes(b) => Bytes::from(b.clone()),
        ResponseBody::File(rel) => {
            let dir = files_dir.ok_or_else(|| {
                format!(
                    "bodyFileName {} given but no __files directory",
                    rel.display()
                )
            })?;
            check_body_file(rel)?;
            let path = dir.join(rel);
            Bytes::from(
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            )
        }
    })
}

/// Builds the response: headers, body, optional dribble. `matched` is the
/// stub answering, named in `Matched-Stub-Id` (and `Matched-Stub-Name`), as
/// WireMock does for every answer but a proxied one.
pub fn build(
    def: &ResponseDef,
    matched: Option<&Stub>,
    status: u16,
    headers: &seam_core::http::Headers,
    body: Bytes,
) -> hyper::Response<Body> {
    match header_map(matched, headers) {
        Ok(map) => assemble(def, status, map, body),
        Err(e) => invalid_response(&e),
    }
}

/// The answer to a request whose stub's response cannot go on the wire (a
/// header hyper refuses), saying why.
pub fn invalid_response(e: &str) -> hyper::Response<Body> {
    text(500, "text/plain", format!("invalid stub response: {e}\n"))
}

/// A stub's answer headers for `stub` (its `Matched-Stub-Id` and name, then
/// `headers`), built once and kept in `cache` for the stub's id: a copy of
/// the stub under another id gets its own for each answer.
pub fn stub_headers(
    cache: &std::sync::OnceLock<(uuid::Uuid, hyper::HeaderMap)>,
    stub: &Stub,
    headers: &seam_core::http::Headers,
) -> Result<hyper::HeaderMap, String> {
    let (id, map) = match cache.get() {
        Some(kept) => kept,
        None => {
            let map = header_map(Some(stub), headers)?;
            cache.get_or_init(|| (stub.id, map))
        }
    };
    if *id == stub.id {
        Ok(map.clone())
    } else {
        header_map(Some(stub), headers)
    }
}

/// The headers `stub` answers with when a template renders its body alone
/// (what [`stub_headers`] gives); `None` when they cannot be sent.
pub fn own_headers(stub: &Stub) -> Option<hyper::HeaderMap> {
    header_map(Some(stub), &stub.response.headers).ok()
}

/// The header naming the stub that answered.
pub const MATCHED_STUB_ID: &str = "matched-stub-id";
/// The header giving the answering stub's name, when it has one.
pub const MATCHED_STUB_NAME: &str = "matched-stub-name";

/// The response headers as hyper's map: the matched stub's id and name, then
/// the stub's own headers (a `jsonBody` gets no content type it did not ask
/// for, as in WireMock).
fn header_map(
    matched: Option<&Stub>,
    headers: &seam_core::http::Headers,
) -> Result<hyper::HeaderMap, String> {
    // sized to fit: a stub's prepared answer keeps its map for as long as
    // the stub lives (an empty map grows to room for 6 headers, ~600 bytes)
    let values: usize = headers.iter().map(|(_, vs)| vs.len()).sum();
    let mut map = hyper::HeaderMap::with_capacity(values + 2 * usize::from(matched.is_some()));
    if let Some(stub) = matched.filter(|s| s.response.pact.is_none()) {
        let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let id = stub.id.hyphenated().encode_lower(&mut id);
        map.insert(
            MATCHED_STUB_ID,
            hyper::header::HeaderValue::from_str(id).expect("a UUID is a header value"),
        );
        // a name a header cannot carry (a line break) is left out
        if let Some(name) = stub.name.as_deref().filter(|n| control_char(n).is_none()) {
            if let Ok(v) = hyper::header::HeaderValue::from_bytes(name.as_bytes()) {
                map.insert(MATCHED_STUB_NAME, v);
            }
        }
    }
    for (k, vs) in headers.iter() {
        let name = hyper::header::HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| format!("`{k}` is not a header name"))?;
        for v in vs {
            // bytes: UTF-8 values are sent as they are (obs-text)
            let value = hyper::header::HeaderValue::from_bytes(v.as_bytes())
                .map_err(|_| format!("header `{k}`: the value holds a control character"))?;
            map.append(name.clone(), value);
        }
    }
    Ok(map)
}

/// The response of `def` with `headers` as they go on the wire and `body`.
pub fn assemble(
    def: &ResponseDef,
    status: u16,
    headers: hyper::HeaderMap,
    body: Bytes,
) -> hyper::Response<Body> {
    let body = match def.chunked_dribble {
        Some((chunks, total_ms)) if chunks > 0 && !body.is_empty() => {
            dribble(body, chunks, total_ms)
        }
        _ => full(body),
    };
    let mut res = hyper::Response::new(body);
    *res.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    *res.headers_mut() = headers;
    if let Some(msg) = &def.status_message {
        if let Ok(phrase) = hyper::ext::ReasonPhrase::try_from(msg.as_bytes().to_vec()) {
            res.extensions_mut().insert(phrase);
        }
    }
    res
}

/// A static stub's answer, built once: its headers and body never change.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    headers: hyper::HeaderMap,
    body: Bytes,
    /// Whether some header or the body holds `{{` (a template under global
    /// templating).
    template_text: bool,
    /// The headers with the answering stub's `Matched-Stub-Id` (and name),
    /// made on first use.
    matched: std::sync::OnceLock<(uuid::Uuid, hyper::HeaderMap)>,
}

impl Prepared {
    /// The stub's answer, built on first use; `None` for answers that change
    /// per request (templates, files that may change).
    pub fn of(def: &ResponseDef) -> Option<&Result<Prepared, String>> {
        def.prepared
            .get_or_init(|| Prepared::build(def).map(Box::new))
            .as_deref()
    }

    fn build(def: &ResponseDef) -> Option<Result<Prepared, String>> {
        if def.templated || matches!(def.body, ResponseBody::File(_)) {
            return None;
        }
        Some((|| {
            let body = body_bytes(def, None)?;
            let template_text = memchr_pair(&body)
                || def
                    .headers
                    .iter()
                    .any(|(_, vs)| vs.iter().any(|v| v.contains("{{")));
            Ok(Prepared {
                headers: header_map(None, &def.headers)?,
                body,
                template_text,
                matched: std::sync::OnceLock::new(),
            })
        })())
    }

    /// Whether the answer would change if it were rendered as a template.
    pub fn has_template_text(&self) -> bool {
        self.template_text
    }

    /// The answer as prepared from `def`, naming no stub.
    pub fn respond(&self, def: &ResponseDef) -> hyper::Response<Body> {
        assemble(def, def.status, self.headers.clone(), self.body.clone())
    }

    /// The answer of `stub` (whose response this was prepared from), with
    /// its `Matched-Stub-Id`.
    pub fn respond_for(&self, stub: &Stub) -> hyper::Response<Body> {
        let def = &stub.response;
        if def.pact.is_some() {
            return assemble(def, def.status, self.headers.clone(), self.body.clone());
        }
        let (id, headers) = self.matched.get_or_init(|| {
            let mut map = header_map(Some(stub), &Default::default()).unwrap_or_default();
            map.extend(self.headers.clone());
            (stub.id, map)
        });
        let headers = if *id == stub.id {
            headers.clone()
        } else {
            // a copy of the stub under another id: built for this answer
            let mut map = header_map(Some(stub), &Default::default()).unwrap_or_default();
            map.extend(self.headers.clone());
            map
        };
        assemble(def, def.status, headers, self.body.clone())
    }
}

/// Whether `bytes` holds `{{`.
fn memchr_pair(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == b"{{")
}

/// The answer of a stub that the fast path may give without looking at the
/// request: static, with no proxy, fault, chaos, delay or pact example, and
/// no `{{` (which global templating would render).
pub fn static_answer(def: &ResponseDef) -> Option<&Prepared> {
    if def.proxy_base_url.is_some()
        || def.chaos.is_some()
        || def.fault.is_some()
        || def.delay.is_some()
        || def.pact.is_some()
    {
        return None;
    }
    Prepared::of(def)?
        .as_ref()
        .ok()
        .filter(|p| !p.template_text)
}

/// A body sent in `chunks` pieces spread over `total_ms`: as in WireMock, each
/// piece waits `total_ms / chunks` before it goes, so the last one leaves when
/// the whole duration has passed.
fn dribble(body: Bytes, chunks: u32, total_ms: u64) -> Body {
    let (tx, rx) =
        tokio::sync::mpsc::channel::<Result<hyper::body::Frame<Bytes>, std::io::Error>>(4);
    let n = chunks as usize;
    let size = body.len().div_ceil(n).max(1);
    let pause = Duration::from_millis(total_ms / u64::from(chunks));
    tokio::spawn(async move {
        let mut offset = 0;
        while offset < body.len() {
            tokio::time::sleep(pause).await;
            let end = (offset + size).min(body.len());
            if tx
                .send(Ok(hyper::body::Frame::data(body.slice(offset..end))))
                .await
                .is_err()
            {
                return;
            }
            offset = end;
        }
    });
    let stream =
        futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|f| (f, rx)) });
    Body::stream(http_body_util::StreamBody::new(stream))
}

/// WireMock's fallback for a GET no stub matched: the file at the request's
/// path (percent-decoded) under `__files`, with a content type from its
/// extension; a directory's `index.html`; a directory without one is 403.
/// `None` when there is no such file (the request is unmatched).
pub fn static_file(files_dir: &Path, path: &str) -> Option<hyper::Response<Body>> {
    let decoded = seam_core::http::percent_decode_path(path);
    let mut rel = std::path::PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if segment == ".." || segment.contains('\\') {
            return None;
        }
        rel.push(segment);
    }
    let full = files_dir.join(&rel);
    let (file, content_type) = if full.is_dir() {
        let index = full.join("index.html");
        if !index.is_file() {
            return Some(text(403, "text/plain", "403 Forbidden: a directory\n"));
        }
        (index, "text/html;charset=utf-8")
    } else if full.is_file() && !path.ends_with('/') {
        let ct = content_type_of(&full);
        (full, ct)
    } else {
        return None;
    };
    Some(match std::fs::read(&file) {
        Ok(bytes) => text(200, content_type, bytes),
        Err(e) => text(
            500,
            "text/plain",
            format!("cannot read {}: {e}\n", file.display()),
        ),
    })
}

/// The content type WireMock (Jetty) gives a file by its extension; JSON
/// when it knows none.
fn content_type_of(file: &Path) -> &'static str {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "text" => "text/plain",
        "html" | "htm" => "text/html",
        "xml" => "application/xml",
        "js" | "mjs" => "text/javascript",
        "css" => "text/css",
        "csv" => "text/csv",
        "png" => "image/png",
        "gif" => "image/gif",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => "application/json",
    }
}

/// A plain response with a status and text.
pub fn text(status: u16, content_type: &str, body: impl Into<Bytes>) -> hyper::Response<Body> {
    hyper::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(full(body.into()))
        .expect("static parts are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_follow_their_distribution() {
        assert_eq!(
            sample_delay(&Delay::Fixed { milliseconds: 30 }),
            Duration::from_millis(30)
        );
        for _ in 0..100 {
            let d = sample_delay(&Delay::Uniform {
                lower: 10,
                upper: 20,
            });
            assert!(d >= Duration::from_millis(10) && d <= Duration::from_millis(20));
        }
        let mut samples: Vec<f64> = (0..2001)
            .map(|_| {
                sample_delay(&Delay::LogNormal {
                    median: 100.0,
                    sigma: 0.5,
                })
                .as_secs_f64()
                    * 1000.0
            })
            .collect();
        samples.sort_by(f64::total_cmp);
        let median = samples[1000];
        assert!((80.0..125.0).contains(&median), "median {median}");
    }

    #[test]
    fn chaos_hits_about_its_share() {
        let chaos = Chaos {
            probability: 0.1,
            outcome: ChaosOutcome::Status(503),
        };
        let hits = (0..10_000).filter(|_| roll_chaos(&chaos).is_some()).count();
        assert!((800..1200).contains(&hits), "{hits}");
    }

    #[test]
    fn files_stay_inside_their_directory() {
        let dir = std::env::temp_dir();
        let def = ResponseDef {
            body: ResponseBody::File("../etc/passwd".into()),
            ..Default::default()
        };
        assert!(body_bytes(&def, Some(&dir))
            .unwrap_err()
            .contains("must be a relative path inside the __files directory"));
    }
}
