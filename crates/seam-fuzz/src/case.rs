//! A generated test case and the HTTP request it becomes: parameter values
//! serialized by their `style` and `explode` (path, query, header, cookie),
//! the body as JSON or raw bytes, and what seam's own reading of the spec says
//! of the request: valid, or invalid and why (the oracle every expectation
//! comes from, so a request is only "invalid" when the spec forbids it).

use seam_core::http::percent_encode;
use seam_openapi::conform::{check_request, RequestParts};
use seam_openapi::model::{ParamLocation, Parameter, Style};
use seam_openapi::schema::{Violation, ViolationKind};
use seam_openapi::{Operation, Spec};
use serde::Serialize;
use serde_json::Value;

/// The phase a case comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Examples,
    Coverage,
    Random,
    Stateful,
}

impl Phase {
    pub const ALL: [Phase; 4] = [
        Phase::Examples,
        Phase::Coverage,
        Phase::Random,
        Phase::Stateful,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Phase::Examples => "examples",
            Phase::Coverage => "coverage",
            Phase::Random => "random",
            Phase::Stateful => "stateful",
        }
    }

    /// A phase by its name, or an error listing the names.
    pub fn parse(name: &str) -> Result<Phase, String> {
        Phase::ALL
            .into_iter()
            .find(|p| p.name() == name)
            .ok_or_else(|| {
                let hint =
                    seam_core::source::did_you_mean(name, Phase::ALL.iter().map(|p| p.name()));
                format!(
                    "unknown phase `{name}`{hint}; the phases are: examples, coverage, random, stateful"
                )
            })
    }
}

/// A request body as a case holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseBody {
    /// A JSON value sent as `media` (`application/json`, `application/*+json`).
    Json { media: String, value: Value },
    /// Bytes as they are, with a Content-Type or none.
    Raw {
        media: Option<String>,
        bytes: Vec<u8>,
    },
}

/// One generated case for an operation: its inputs before serialization.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The operation's index in `Spec::operations`.
    pub operation: usize,
    pub phase: Phase,
    /// Parameter values by location and name; a parameter left out is not sent.
    pub params: Vec<(ParamLocation, String, Value)>,
    /// Headers sent as they are (after the parameters), e.g. a malformed one.
    pub extra_headers: Vec<(String, String)>,
    /// Query pairs appended as they are (already encoded), e.g. a repeated parameter.
    pub extra_query: Vec<String>,
    pub body: Option<CaseBody>,
    /// Send this method instead of the operation's (an undeclared method).
    pub method: Option<String>,
    /// What this case changed from a valid one, in words (`body.qty: -1, below
    /// the minimum 0`); `None` for a case made valid on purpose.
    pub mutation: Option<String>,
    pub purpose: Purpose,
}

/// What a case is for, beyond the data it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Valid or invalid data: the spec decides which.
    Data,
    /// A required header left out.
    MissingHeader,
    /// A method the path does not declare.
    UndeclaredMethod,
    /// A request HTTP and OpenAPI leave open (a parameter sent twice, a body
    /// without Content-Type): accepting it is not a finding, a 5xx still is.
    Lenient,
}

impl Case {
    pub fn new(operation: usize, phase: Phase) -> Case {
        Case {
            operation,
            phase,
            params: Vec::new(),
            extra_headers: Vec::new(),
            extra_query: Vec::new(),
            body: None,
            method: None,
            mutation: None,
            purpose: Purpose::Data,
        }
    }

    /// The value of a parameter, if the case sends it.
    pub fn param(&self, location: ParamLocation, name: &str) -> Option<&Value> {
        self.params
            .iter()
            .find(|(l, n, _)| *l == location && n == name)
            .map(|(_, _, v)| v)
    }

    /// Sets (or adds) a parameter's value.
    pub fn set_param(&mut self, location: ParamLocation, name: &str, value: Value) {
        match self
            .params
            .iter_mut()
            .find(|(l, n, _)| *l == location && n == name)
        {
            Some(slot) => slot.2 = value,
            None => self.params.push((location, name.to_string(), value)),
        }
    }

    /// Removes a parameter.
    pub fn remove_param(&mut self, location: ParamLocation, name: &str) {
        self.params
            .retain(|(l, n, _)| !(*l == location && n == name));
    }
}

/// A request ready to send: what a case becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub method: String,
    /// Path and query, percent-encoded (`/items/7?limit=5`).
    pub target: String,
    pub headers: Vec<(String, String)>,
    #[serde(skip)]
    pub body: Vec<u8>,
}

impl Sent {
    /// The raw query, without `?`.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The body as text (lossy), for reports.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A curl command sending it to `base` (credentials redacted). A body
    /// over 16 KB is not written out: the command reads it from
    /// `request-body` (the JSON report holds it, `findings[].request.body`).
    pub fn curl(&self, base: &str) -> String {
        let url = format!("{}{}", base.trim_end_matches('/'), self.target);
        let headers = self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        if self.body.len() > 16 * 1024 {
            let cmd = seam_core::reproduce::curl(&self.method, &url, headers, None);
            return format!(
                "{cmd} --data-binary @request-body  # the {} KB body is in the JSON report: findings[].request.body",
                self.body.len() / 1024
            );
        }
        let body = (!self.body.is_empty()).then(|| self.body_text());
        seam_core::reproduce::curl(&self.method, &url, headers, body.as_deref())
    }
}

/// What the spec says of a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Valid,
    /// Forbidden; the violations (security ones left out: credentials are the
    /// scan's concern, and the run sends what it was given).
    Invalid(Vec<Violation>),
}

impl Verdict {
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid)
    }
}

/// The case as an HTTP request for `op`, with the credentials added (a
/// header or query parameter the case sets itself is kept).
pub fn render(op: &Operation, case: &Case, auth: &crate::auth::Credentials) -> Sent {
    let mut path = String::new();
    let template = op.path.as_str();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        path.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        let param = op
            .parameters
            .iter()
            .find(|p| p.location == ParamLocation::Path && p.name == name);
        match (case.param(ParamLocation::Path, name), param) {
            (Some(v), Some(p)) => path.push_str(&path_value(p, v)),
            (Some(v), None) => path.push_str(&percent_encode(&scalar_text(v))),
            // a path parameter left out: the segment is sent empty
            (None, _) => {}
        }
        rest = &rest[open + close + 1..];
    }
    path.push_str(rest);
    let mut query = Vec::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookies = Vec::new();
    for (location, name, value) in &case.params {
        let param = op
            .parameters
            .iter()
            .find(|p| p.location == *location && &p.name == name);
        match location {
            ParamLocation::Path => {}
            ParamLocation::Query => query.extend(query_pairs(param, name, value)),
            ParamLocation::Header => headers.push((name.clone(), header_value(param, value))),
            ParamLocation::Cookie => cookies.push(format!(
                "{name}={}",
                percent_encode(&text_for(param, value))
            )),
        }
    }
    if !cookies.is_empty() {
        headers.push(("Cookie".into(), cookies.join("; ")));
    }
    query.extend(case.extra_query.iter().cloned());
    for (n, v) in &auth.query {
        if !case
            .params
            .iter()
            .any(|(l, name, _)| *l == ParamLocation::Query && name == n)
        {
            query.push(format!("{}={}", percent_encode(n), percent_encode(v)));
        }
    }
    let mut target = path;
    if !query.is_empty() {
        target.push('?');
        target.push_str(&query.join("&"));
    }
    let mut body = Vec::new();
    match &case.body {
        Some(CaseBody::Json { media, value }) => {
            headers.push(("Content-Type".into(), media.clone()));
            body = serde_json::to_vec(value).unwrap_or_default();
        }
        Some(CaseBody::Raw { media, bytes }) => {
            if let Some(m) = media {
                headers.push(("Content-Type".into(), m.clone()));
            }
            body = bytes.clone();
        }
        None => {}
    }
    headers.extend(case.extra_headers.iter().cloned());
    for (n, v) in &auth.headers {
        if !headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n)) {
            headers.push((n.clone(), v.clone()));
        }
    }
    Sent {
        method: case.method.clone().unwrap_or_else(|| op.method.clone()),
        target,
        headers,
        body,
    }
}

/// What the spec says of `sent` as a request to `op`.
pub fn judge(
    spec: &Spec,
    schemas: &seam_openapi::schema::Schemas,
    op: &Operation,
    case: &Case,
    sent: &Sent,
) -> Verdict {
    let path_params: Vec<(String, String)> = op
        .parameters
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|p| {
            let raw = case
                .param(ParamLocation::Path, &p.name)
                .map(|v| path_value(p, v))
                .unwrap_or_default();
            (p.name.clone(), raw)
        })
        .collect();
    let json = seam_openapi::conform::json_body(&sent.body);
    let parts = RequestParts {
        method: &op.method,
        path_params: &path_params,
        query: sent.query(),
        headers: &sent.headers,
        body: &sent.body,
        json: json.as_ref(),
    };
    let violations: Vec<Violation> = check_request(spec, schemas, op, &parts)
        .into_iter()
        .filter(|v| v.kind != ViolationKind::Security)
        .collect();
    if violations.is_empty() {
        Verdict::Valid
    } else {
        Verdict::Invalid(violations)
    }
}

/// A scalar as text: strings as they are, numbers and booleans as JSON writes them.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A parameter given by `content` is sent as its JSON text; others as text.
fn text_for(param: Option<&Parameter>, v: &Value) -> String {
    if param.is_some_and(|p| p.content_type.is_some()) {
        return v.to_string();
    }
    match v {
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, v)| [k.clone(), scalar_text(v)])
            .collect::<Vec<_>>()
            .join(","),
        other => scalar_text(other),
    }
}

fn path_value(p: &Parameter, v: &Value) -> String {
    if p.content_type.is_some() {
        return percent_encode(&v.to_string());
    }
    let enc = |v: &Value| percent_encode(&scalar_text(v));
    let (prefix, sep) = match p.style {
        Style::Label => (".".to_string(), if p.explode { "." } else { "," }),
        Style::Matrix => (format!(";{}=", p.name), if p.explode { "" } else { "," }),
        _ => (String::new(), ","),
    };
    match v {
        Value::Array(items) if p.style == Style::Matrix && p.explode => items
            .iter()
            .map(|i| format!(";{}={}", p.name, enc(i)))
            .collect(),
        Value::Array(items) => prefix + &items.iter().map(enc).collect::<Vec<_>>().join(sep),
        Value::Object(m) if p.explode && p.style != Style::Matrix => {
            prefix
                + &m.iter()
                    .map(|(k, v)| format!("{}={}", percent_encode(k), enc(v)))
                    .collect::<Vec<_>>()
                    .join(sep)
        }
        Value::Object(m) => {
            prefix
                + &m.iter()
                    .flat_map(|(k, v)| [percent_encode(k), enc(v)])
                    .collect::<Vec<_>>()
                    .join(",")
        }
        other => prefix + &enc(other),
    }
}

fn query_pairs(param: Option<&Parameter>, name: &str, v: &Value) -> Vec<String> {
    let key = percent_encode(name);
    let enc = |v: &Value| percent_encode(&scalar_text(v));
    let Some(p) = param.filter(|p| p.content_type.is_none()) else {
        return vec![format!("{key}={}", percent_encode(&text_for(param, v)))];
    };
    match (v, p.style) {
        (Value::Array(items), Style::Form) if p.explode => {
            items.iter().map(|i| format!("{key}={}", enc(i))).collect()
        }
        (Value::Array(items), style) => {
            let sep = match style {
                Style::SpaceDelimited => "%20",
                Style::PipeDelimited => "%7C",
                _ => ",",
            };
            vec![format!(
                "{key}={}",
                items.iter().map(enc).collect::<Vec<_>>().join(sep)
            )]
        }
        (Value::Object(m), Style::DeepObject) => m
            .iter()
            .map(|(k, v)| format!("{key}%5B{}%5D={}", percent_encode(k), enc(v)))
            .collect(),
        (Value::Object(m), Style::Form) if p.explode => m
            .iter()
            .map(|(k, v)| format!("{}={}", percent_encode(k), enc(v)))
            .collect(),
        (Value::Object(m), _) => vec![format!(
            "{key}={}",
            m.iter()
                .flat_map(|(k, v)| [percent_encode(k), enc(v)])
                .collect::<Vec<_>>()
                .join(",")
        )],
        (other, _) => vec![format!("{key}={}", enc(other))],
    }
}

fn header_value(param: Option<&Parameter>, v: &Value) -> String {
    let text = match (v, param) {
        (Value::Object(m), Some(p)) if p.explode && p.content_type.is_none() => m
            .iter()
            .map(|(k, v)| format!("{k}={}", scalar_text(v)))
            .collect::<Vec<_>>()
            .join(","),
        _ => text_for(param, v),
    };
    // a header value cannot hold CR, LF or NUL: such a value is sent with
    // them escaped (the injection strings still reach bodies and queries)
    // (and what arrives is trimmed, as HTTP trims it)
    text.replace(|c: char| c.is_ascii_control() && c != '\t', " ")
        .trim()
        .to_string()
}
