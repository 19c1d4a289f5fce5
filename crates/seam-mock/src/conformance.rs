//! The validating proxy's checks (`seam proxy --openapi SPEC --to URL`): every
//! proxied exchange is held against the operation the spec's router finds for it
//! (the request before it is forwarded, the answer after), the violations are
//! put in the answer's headers (so the journal keeps them too), or, with
//! `--errors`, answered as a 502 `application/problem+json`; each exchange is
//! tallied per operation for the report written at exit (JSON, JUnit, HTML).

use crate::request::MockRequest;
use crate::server::MockState;
use bytes::Bytes;
use seam_http::Body;
use seam_openapi::conform::{self, RequestParts, ResponseParts};
use seam_openapi::router::{Route, Router};
use seam_openapi::schema::Schemas;
use seam_openapi::Spec;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// The header giving how many violations an exchange had (`0` when it conformed).
pub const COUNT_HEADER: &str = "x-seam-violations";
/// One header line per violation: `request query.limit: must be at most 100`.
pub const LINE_HEADER: &str = "x-seam-violation";
/// At most this many [`LINE_HEADER`] lines are added to one answer.
const MAX_HEADER_LINES: usize = 20;
/// At most this many failing exchanges are kept per operation for the report
/// (the rest are counted).
const KEPT_FAILURES: usize = 50;
/// The report's name for requests no operation of the spec matches.
pub const NO_OPERATION: &str = "(no operation)";

/// Which side of an exchange a violation is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Request,
    Response,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Request => "request",
            Side::Response => "response",
        }
    }
}

/// One violation, as reported: the side, where in the message
/// (`["body","items",0,"qty"]`), what is wrong, and the spec's place for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub side: Side,
    /// Location segments (strings and array indexes).
    pub location: Vec<Value>,
    /// The location as one path: `body.items[0].qty`.
    pub path: String,
    pub message: String,
    /// The spec's JSON pointer for the rule broken (empty when none applies).
    pub pointer: String,
    /// Where that pointer was written: `api.yaml:12:7` (empty when unknown).
    pub at: String,
}

impl Finding {
    /// A violation of the request found before any operation is (no
    /// operation for its path or method): at `segment`.
    fn unrouted(segment: &str, message: String) -> Self {
        Finding {
            side: Side::Request,
            location: vec![json!(segment)],
            path: segment.to_string(),
            message,
            pointer: String::new(),
            at: String::new(),
        }
    }

    /// `request body.items[0].qty: must be an integer`.
    pub fn line(&self) -> String {
        if self.path.is_empty() {
            format!("{}: {}", self.side.as_str(), self.message)
        } else {
            format!("{} {}: {}", self.side.as_str(), self.path, self.message)
        }
    }

    /// The `errors[]` entry of a problem body and of the JSON report.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "in": self.side.as_str(),
            "location": self.location,
            "message": self.message,
        });
        if !self.pointer.is_empty() {
            v["pointer"] = json!(self.pointer);
        }
        if !self.at.is_empty() {
            v["at"] = json!(self.at);
        }
        v
    }
}

/// One failing exchange, kept for the report.
#[derive(Debug, Clone)]
pub struct FailedExchange {
    /// `GET /pets/7?x=1`, as the client sent it.
    pub request: String,
    /// The upstream's status; `None` when the request was not forwarded
    /// (`--errors` and a request violation) or the upstream did not answer.
    pub status: Option<u16>,
    pub findings: Vec<Finding>,
    /// The upstream could not be reached (the proxy's network failure text).
    pub error: Option<String>,
    /// A curl command sending the request to the upstream again (credentials
    /// redacted).
    pub curl: String,
}

/// What was seen of one operation.
#[derive(Debug, Clone, Default)]
pub struct OperationRecord {
    /// `GET /pets/{petId}`, or [`NO_OPERATION`].
    pub label: String,
    pub operation_id: Option<String>,
    pub exchanges: u64,
    /// Exchanges with a violation or an upstream failure.
    pub failed: u64,
    /// The first [`KEPT_FAILURES`] failing exchanges.
    pub failures: Vec<FailedExchange>,
}

/// The validating proxy's state: the spec, its router and compiled schemas,
/// the `--errors` choice, and what has been seen so far.
pub struct Conformance {
    spec: Spec,
    router: Router,
    schemas: Schemas,
    /// Answer a violation with a 502 instead of relaying the exchange.
    errors: bool,
    /// Print a line per failing exchange to stderr.
    log: bool,
    seen: Mutex<BTreeMap<String, OperationRecord>>,
}

impl std::fmt::Debug for Conformance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conformance")
            .field("spec", &self.spec.title)
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

/// What the request side decided.
enum Checked<'a> {
    Found(&'a seam_openapi::Operation, Vec<Finding>),
    Unknown(Vec<Finding>),
}

impl Conformance {
    /// Compiles the spec's schemas; the errors are the spec's.
    pub fn new(spec: Spec, errors: bool, log: bool) -> Result<Self, Vec<seam_openapi::SpecError>> {
        let schemas = Schemas::compile(&spec)?;
        let router = Router::new(&spec);
        Ok(Conformance {
            spec,
            router,
            schemas,
            errors,
            log,
            seen: Mutex::new(BTreeMap::new()),
        })
    }

    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// A violation of the spec's, with where the rule was written.
    fn finding(&self, side: Side, v: &conform::Violation) -> Finding {
        let json = v.to_json();
        let location = match json.get("location") {
            Some(Value::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        Finding {
            side,
            location,
            path: v.path(),
            message: v.message.clone(),
            pointer: v.pointer.clone(),
            at: if v.pointer.is_empty() {
                String::new()
            } else {
                self.spec.locate(&v.pointer)
            },
        }
    }

    /// The request held against its operation (found by method and path).
    fn check_request(&self, req: &MockRequest, headers: &[(String, String)]) -> Checked<'_> {
        match self.router.find(&req.method, &req.path) {
            Route::Found {
                operation,
                path_params,
                ..
            } => {
                let parts = RequestParts {
                    method: &req.method,
                    path_params: &path_params,
                    query: req.url.split_once('?').map(|(_, q)| q),
                    headers,
                    body: &req.body,
                    json: None,
                };
                let found = conform::check_request(&self.spec, &self.schemas, operation, &parts)
                    .iter()
                    .map(|v| self.finding(Side::Request, v))
                    .collect();
                Checked::Found(operation, found)
            }
            Route::MethodNotAllowed { allow } => Checked::Unknown(vec![Finding::unrouted(
                "method",
                format!(
                    "{} is not an operation of {} in the spec (it has {})",
                    req.method,
                    req.path,
                    allow.join(", ")
                ),
            )]),
            Route::NotFound => Checked::Unknown(vec![Finding::unrouted(
                "path",
                format!(
                    "no operation of the spec matches {} {}",
                    req.method, req.path
                ),
            )]),
        }
    }

    /// Proxies `req` to `target` with the checks: the answer relayed with the
    /// violation headers, or a 502 problem under `--errors`.
    pub async fn proxy(
        &self,
        state: &MockState,
        target: &str,
        req: &MockRequest,
    ) -> hyper::Response<Body> {
        let headers: Vec<(String, String)> = req
            .headers
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.to_string(), v.clone())))
            .collect();
        let (operation, mut findings) = match self.check_request(req, &headers) {
            Checked::Found(op, f) => (Some(op), f),
            Checked::Unknown(f) => (None, f),
        };
        let upstream_url = format!("{}{}", target.trim_end_matches('/'), req.url);
        let curl = seam_core::reproduce::curl(
            &req.method,
            &upstream_url,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            (!req.body.is_empty())
                .then(|| String::from_utf8_lossy(&req.body))
                .as_deref(),
        );
        if self.errors && !findings.is_empty() {
            let label = operation.map(|o| o.label());
            let answer = problem(label.as_deref(), None, &findings);
            self.tally(req, operation, None, findings, None, curl);
            return answer;
        }
        let mut response = crate::server::proxy(state, target, req, true, None).await;
        let status = response.status().as_u16();
        let body = match response.body() {
            Body::Full(Some(b)) => b.clone(),
            _ => Bytes::new(),
        };
        if let Some(failure) = crate::server::network_failure(status, &body) {
            let answer = if self.errors {
                crate::respond::text(502, "text/plain", body)
            } else {
                response
            };
            self.tally(req, operation, None, findings, Some(failure), curl);
            return answer;
        }
        if let Some(op) = operation {
            let headers: Vec<(String, String)> = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let parts = ResponseParts {
                status,
                headers: &headers,
                body: &body,
            };
            findings.extend(
                conform::check_response(&self.spec, &self.schemas, op, &parts)
                    .iter()
                    .map(|v| self.finding(Side::Response, v)),
            );
        }
        if self.errors && !findings.is_empty() {
            let label = operation.map(|o| o.label());
            let answer = problem(label.as_deref(), Some(status), &findings);
            self.tally(req, operation, Some(status), findings, None, curl);
            return answer;
        }
        add_headers(response.headers_mut(), &findings);
        self.tally(req, operation, Some(status), findings, None, curl);
        response
    }

    /// Counts an exchange under its operation; keeps it when it failed.
    fn tally(
        &self,
        req: &MockRequest,
        operation: Option<&seam_openapi::Operation>,
        status: Option<u16>,
        findings: Vec<Finding>,
        error: Option<String>,
        curl: String,
    ) {
        let label = operation.map_or_else(|| NO_OPERATION.to_string(), |o| o.label());
        let failing = !findings.is_empty() || error.is_some();
        if failing && self.log {
            let answered = status.map_or_else(|| "not forwarded".to_string(), |s| s.to_string());
            eprintln!(
                "seam proxy: {} {} -> {answered}: {}",
                req.method,
                req.url,
                match &error {
                    Some(e) => format!("upstream failed: {e}"),
                    None => format!("{} violation(s)", findings.len()),
                }
            );
            for f in &findings {
                eprintln!("  {}", f.line());
            }
        }
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let record = seen
            .entry(label.clone())
            .or_insert_with(|| OperationRecord {
                label,
                operation_id: operation.and_then(|o| o.operation_id.clone()),
                ..Default::default()
            });
        record.exchanges += 1;
        if failing {
            record.failed += 1;
            if record.failures.len() < KEPT_FAILURES {
                record.failures.push(FailedExchange {
                    request: format!("{} {}", req.method, req.url),
                    status,
                    findings,
                    error,
                    curl,
                });
            }
        }
    }

    /// What was seen so far, for the reports.
    pub fn report(&self, upstream: &str) -> Report {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        Report {
            spec: self.spec.title.clone(),
            upstream: upstream.to_string(),
            operations: seen.values().cloned().collect(),
        }
    }
}

/// Adds the violation headers: the count, then a line per violation (at most
/// [`MAX_HEADER_LINES`], then a line saying how many more).
fn add_headers(headers: &mut hyper::HeaderMap, findings: &[Finding]) {
    use hyper::header::{HeaderName, HeaderValue};
    headers.insert(
        HeaderName::from_static(COUNT_HEADER),
        HeaderValue::from(findings.len()),
    );
    let name = HeaderName::from_static(LINE_HEADER);
    for f in findings.iter().take(MAX_HEADER_LINES) {
        if let Ok(v) = HeaderValue::from_str(&header_text(&f.line())) {
            headers.append(name.clone(), v);
        }
    }
    if findings.len() > MAX_HEADER_LINES {
        let more = format!("... {} more", findings.len() - MAX_HEADER_LINES);
        headers.append(name, HeaderValue::from_str(&more).expect("ASCII"));
    }
}

/// Text fit for a header value: visible ASCII and spaces; anything else
/// written `\u{..}`; at most 400 characters.
pub fn header_text(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if out.len() >= 400 {
            out.push_str("...");
            break;
        }
        if c == ' ' || c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// The `--errors` answer: 502 `application/problem+json` listing every violation.
fn problem(
    operation: Option<&str>,
    upstream: Option<u16>,
    findings: &[Finding],
) -> hyper::Response<Body> {
    let forwarded = upstream.is_some();
    let mut body = json!({
        "type": "https://seamline.dev/problems/openapi-violation",
        "title": "The exchange does not conform to the OpenAPI spec",
        "status": 502,
        "detail": if forwarded {
            format!("{} violation(s); the upstream's answer was not relayed", findings.len())
        } else {
            format!("{} violation(s) in the request; it was not forwarded", findings.len())
        },
        "operation": operation,
        "errors": findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
    });
    if let Some(status) = upstream {
        body["upstreamStatus"] = json!(status);
    }
    let mut answer = crate::respond::text(
        502,
        "application/problem+json",
        serde_json::to_vec_pretty(&body).expect("JSON serializes"),
    );
    add_headers(answer.headers_mut(), findings);
    answer
}

/// What the validating proxy saw: each operation with its exchanges and the
/// failing ones.
#[derive(Debug, Clone)]
pub struct Report {
    /// The spec's title.
    pub spec: String,
    pub upstream: String,
    /// By operation label.
    pub operations: Vec<OperationRecord>,
}

impl Report {
    pub fn exchanges(&self) -> u64 {
        self.operations.iter().map(|o| o.exchanges).sum()
    }

    /// Exchanges with a violation or an upstream failure.
    pub fn failed(&self) -> u64 {
        self.operations.iter().map(|o| o.failed).sum()
    }

    pub fn passed(&self) -> bool {
        self.failed() == 0
    }

    /// `12 exchange(s) over 3 operation(s): 2 with violations`.
    pub fn summary(&self) -> String {
        format!(
            "{} exchange(s) over {} operation(s): {} failed",
            self.exchanges(),
            self.operations.len(),
            self.failed()
        )
    }

    pub fn to_json(&self) -> Value {
        json!({
            "spec": self.spec,
            "upstream": self.upstream,
            "exchanges": self.exchanges(),
            "failed": self.failed(),
            "passed": self.passed(),
            "operations": self.operations.iter().map(|o| json!({
                "operation": o.label,
                "operationId": o.operation_id,
                "exchanges": o.exchanges,
                "failed": o.failed,
                "failures": o.failures.iter().map(|f| json!({
                    "request": f.request,
                    "status": f.status,
                    "error": f.error,
                    "violations": f.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
                    "curl": f.curl,
                })).collect::<Vec<_>>(),
                "notKept": o.failed.saturating_sub(o.failures.len() as u64),
            })).collect::<Vec<_>>(),
        })
    }

    /// One JUnit test case per operation seen; a failing one lists each
    /// failing exchange's violations and a curl to send it again.
    pub fn to_junit(&self) -> String {
        use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
        let mut suite = TestSuite::new(format!("seam proxy: {}", self.spec));
        for o in &self.operations {
            let status = if o.failed == 0 {
                TestCaseStatus::success()
            } else {
                let kind = if o.failures.iter().all(|f| f.error.is_some()) {
                    NonSuccessKind::Error
                } else {
                    NonSuccessKind::Failure
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_message(format!(
                    "{} of {} exchange(s) failed",
                    o.failed, o.exchanges
                ));
                s.set_description(failure_text(o));
                s
            };
            let mut case = TestCase::new(o.label.clone(), status);
            case.set_classname(o.operation_id.clone().unwrap_or_else(|| o.label.clone()));
            suite.add_test_case(case);
        }
        let mut report = quick_junit::Report::new("seam proxy");
        report.add_test_suite(suite);
        report.to_string().unwrap_or_default()
    }

    /// A self-contained HTML page: each operation a `<details>`, failing ones
    /// open with their violations and curl commands.
    pub fn to_html(&self) -> String {
        use seam_core::html::{escape, page, summary};
        let failed_ops = self.operations.iter().filter(|o| o.failed > 0).count();
        let mut body = summary(
            self.operations.len() - failed_ops,
            failed_ops,
            &format!("  {} exchange(s) to {}", self.exchanges(), self.upstream),
        );
        for o in &self.operations {
            let failing = o.failed > 0;
            body.push_str(&format!(
                "<details class=\"{}\"{}><summary><b>{}</b> {} <span class=\"t\">{} exchange(s), {} failed</span></summary>\n",
                if failing { "fail" } else { "pass" },
                if failing { " open" } else { "" },
                if failing { "✗" } else { "✓" },
                escape(&o.label),
                o.exchanges,
                o.failed
            ));
            for f in &o.failures {
                body.push_str(&format!(
                    "<p><code>{}</code> → {}</p>\n",
                    escape(&f.request),
                    f.status
                        .map_or_else(|| "not forwarded".to_string(), |s| s.to_string())
                ));
                if let Some(e) = &f.error {
                    body.push_str(&format!("<p class=\"ko\">{}</p>\n", escape(e)));
                }
                if !f.findings.is_empty() {
                    body.push_str("<table><tr><th>in</th><th>where</th><th>violation</th><th>spec</th></tr>\n");
                    for v in &f.findings {
                        body.push_str(&format!(
                            "<tr class=\"ko\"><td>{}</td><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>\n",
                            v.side.as_str(),
                            escape(&v.path),
                            escape(&v.message),
                            escape(if v.at.is_empty() { &v.pointer } else { &v.at })
                        ));
                    }
                    body.push_str("</table>\n");
                }
                body.push_str(&format!("<pre class=\"curl\">{}</pre>\n", escape(&f.curl)));
            }
            let not_kept = o.failed.saturating_sub(o.failures.len() as u64);
            if not_kept > 0 {
                body.push_str(&format!(
                    "<p>{not_kept} more failing exchange(s) not kept</p>\n"
                ));
            }
            body.push_str("</details>\n");
        }
        page(&format!("seam proxy: {}", self.spec), &body)
    }
}

/// A failing operation's exchanges as plain text (JUnit descriptions).
fn failure_text(o: &OperationRecord) -> String {
    let mut out = String::new();
    for f in &o.failures {
        let status = f
            .status
            .map_or_else(|| "not forwarded".to_string(), |s| s.to_string());
        out.push_str(&format!("{} -> {status}\n", f.request));
        if let Some(e) = &f.error {
            out.push_str(&format!("  upstream failed: {e}\n"));
        }
        for v in &f.findings {
            out.push_str(&format!("  {}", v.line()));
            if !v.at.is_empty() {
                out.push_str(&format!(" ({})", v.at));
            }
            out.push('\n');
        }
        out.push_str(&format!("  reproduce: {}\n", f.curl));
    }
    let not_kept = o.failed.saturating_sub(o.failures.len() as u64);
    if not_kept > 0 {
        out.push_str(&format!("{not_kept} more failing exchange(s) not kept\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_is_visible_ascii() {
        assert_eq!(header_text("a é\nb"), "a \\u{e9}\\u{a}b");
        let long = header_text(&"x".repeat(1000));
        assert!(long.len() < 410 && long.ends_with("..."));
        assert!(hyper::header::HeaderValue::from_str(&header_text("ü\u{7f}\t")).is_ok());
    }

    #[test]
    fn every_violation_is_a_header_line() {
        let f = |i: usize| Finding {
            side: Side::Response,
            location: vec![json!("body"), json!(i)],
            path: format!("body[{i}]"),
            message: "expected an integer".into(),
            pointer: String::new(),
            at: String::new(),
        };
        let findings: Vec<Finding> = (0..25).map(f).collect();
        let mut headers = hyper::HeaderMap::new();
        add_headers(&mut headers, &findings);
        assert_eq!(headers[COUNT_HEADER], "25");
        let lines: Vec<_> = headers.get_all(LINE_HEADER).iter().collect();
        assert_eq!(lines.len(), MAX_HEADER_LINES + 1);
        assert_eq!(lines[0], "response body[0]: expected an integer");
        assert_eq!(lines[MAX_HEADER_LINES], "... 5 more");
    }
}
