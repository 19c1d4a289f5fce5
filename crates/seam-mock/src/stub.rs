//! The stub model: a request pattern and the response (or fault) to answer it
//! with, plus priority, scenario step and provenance. Every stub source (seam
//! stub files, WireMock mappings, pacts) produces these.

use seam_core::http::Headers;
use seam_core::interaction::{RequestSpec, ResponseSpec};
use seam_core::regexp::Whole;
use seam_matchers::StringMatcher;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use uuid::Uuid;

/// WireMock's default priority (lower numbers win).
pub const DEFAULT_PRIORITY: i32 = 5;

/// How the URL is matched.
#[derive(Debug, Clone, Default)]
pub enum UrlMatcher {
    /// Any URL.
    #[default]
    Any,
    /// `url`: path and query string, exactly.
    Url(String),
    /// `urlPattern`: a regex over path and query string (compiled leanly and
    /// shared by pattern: a table holds thousands).
    UrlPattern(Whole),
    /// `urlPath`: the path, exactly (query ignored).
    UrlPath(String),
    /// `urlPathPattern`: a regex over the path (as `urlPattern`'s).
    UrlPathPattern(Whole),
    /// `urlPathTemplate`: `/orders/{id}`; parameters named for `pathParameters`.
    UrlPathTemplate(PathTemplate),
}

/// A parsed `/contacts/{contactId}/addresses/{addressId}` template.
#[derive(Debug, Clone, PartialEq)]
pub struct PathTemplate {
    pub source: String,
    /// Literal segments and named parameters, in order.
    pub segments: Vec<TemplateSegment>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplateSegment {
    Literal(String),
    Param(String),
}

/// The methods a request pattern accepts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MethodMatch {
    /// Every method: no `method` given, or WireMock's `ANY`.
    #[default]
    Any,
    /// One method, upper-case (build it with [`MethodMatch::parse`]).
    Only(String),
}

impl MethodMatch {
    /// A method as a stub source writes it: `ANY` (in any case) is
    /// [`MethodMatch::Any`]; any other method is upper-cased, here and only here.
    pub fn parse(method: &str) -> Self {
        let upper = method.to_ascii_uppercase();
        if upper == "ANY" {
            MethodMatch::Any
        } else {
            MethodMatch::Only(upper)
        }
    }

    /// Whether a request with `method` is accepted (methods compare ignoring
    /// ASCII case, as requests are read).
    pub fn accepts(&self, method: &str) -> bool {
        match self {
            MethodMatch::Any => true,
            // WireMock's `GET_OR_HEAD`
            MethodMatch::Only(m) if m == "GET_OR_HEAD" => {
                method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD")
            }
            MethodMatch::Only(m) => m.eq_ignore_ascii_case(method),
        }
    }

    /// The method as WireMock writes it: `ANY`, or the upper-case method.
    pub fn as_str(&self) -> &str {
        match self {
            MethodMatch::Any => "ANY",
            MethodMatch::Only(m) => m,
        }
    }
}

/// What a request must look like to select a stub.
#[derive(Debug, Clone, Default)]
pub struct RequestPattern {
    pub method: MethodMatch,
    pub url: UrlMatcher,
    pub path_parameters: Vec<(String, StringMatcher)>,
    /// Query parameters: every value of the parameter is offered to the matcher;
    /// one matching value is enough (WireMock's `hasExactly`/`includes` are And/Or
    /// of matchers).
    pub query: Vec<(String, StringMatcher)>,
    /// Header names compare ignoring case.
    pub headers: Vec<(String, StringMatcher)>,
    pub cookies: Vec<(String, StringMatcher)>,
    pub basic_auth: Option<(String, String)>,
    /// Every body pattern must match.
    pub body_patterns: Vec<StringMatcher>,
    /// `formParameters`: fields of an `application/x-www-form-urlencoded`
    /// body, matched as query parameters are (every value offered at once).
    pub form: Vec<(String, StringMatcher)>,
    /// `multipartPatterns`: each must be satisfied by the parts of a
    /// multipart body (any part, or every part).
    pub multipart: Vec<MultipartPattern>,
    /// WireMock's `scheme`, `host` and `port`: where the request says it
    /// was sent (its `Host` header), for stubs serving several domains.
    pub origin: Option<Box<Origin>>,
    /// For stubs made from pacts: the request expectation and its matching rules,
    /// checked with the seam-core engine.
    pub pact_request: Option<Box<RequestSpec>>,
    /// For the fallback stub of a pact interaction: header differences are
    /// not held against a request (the official stub server's second
    /// choice, when no interaction matches with its headers).
    pub ignore_pact_headers: bool,
}

/// One of WireMock's `multipartPatterns`: header and body matchers for the
/// parts of a multipart request.
#[derive(Debug, Clone, Default)]
pub struct MultipartPattern {
    /// `matchingType` `ALL`: every part must match (else `ANY`: one part).
    pub all: bool,
    /// Part header names compare ignoring case.
    pub headers: Vec<(String, StringMatcher)>,
    pub body_patterns: Vec<StringMatcher>,
}

/// WireMock's `scheme`, `host` and `port` request conditions.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: Option<String>,
    /// Matched against the `Host` header's name (as sent, without the port).
    pub host: Option<StringMatcher>,
    /// The `Host` header's port, or the scheme's default port.
    pub port: Option<u16>,
}

/// A latency applied before answering.
#[derive(Debug, Clone, PartialEq)]
pub enum Delay {
    Fixed { milliseconds: u64 },
    Uniform { lower: u64, upper: u64 },
    LogNormal { median: f64, sigma: f64 },
}

/// The longest delay a stub, a setting or a flag may ask for, in
/// milliseconds: 5 minutes, as long as a `HANG` fault holds a request.
pub const MAX_DELAY_MS: u64 = 300_000;

/// The widest lognormal spread accepted (beyond it, samples are mostly 0 or
/// the cap).
pub const MAX_SIGMA: f64 = 10.0;

/// `ms` if it is at most [`MAX_DELAY_MS`]; else why not, naming `what`.
pub fn check_delay_ms(what: &str, ms: u64) -> Result<u64, String> {
    if ms > MAX_DELAY_MS {
        return Err(format!(
            "`{what}` is {ms} ms; at most {MAX_DELAY_MS} (5 minutes) is allowed"
        ));
    }
    Ok(ms)
}

impl Delay {
    /// Checks the delay's bounds; an error names the field (`upper`,
    /// `median`, `sigma`, or `milliseconds` for a fixed delay) and why.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        match self {
            Delay::Fixed { milliseconds } => check_delay_ms("milliseconds", *milliseconds)
                .map(drop)
                .map_err(|e| ("milliseconds", e)),
            Delay::Uniform { upper, .. } => check_delay_ms("upper", *upper)
                .map(drop)
                .map_err(|e| ("upper", e)),
            Delay::LogNormal { median, sigma } => {
                if !median.is_finite() || *median < 0.0 || *median > MAX_DELAY_MS as f64 {
                    return Err((
                        "median",
                        format!("`median` must be between 0 and {MAX_DELAY_MS} ms, not {median}"),
                    ));
                }
                if !sigma.is_finite() || *sigma < 0.0 || *sigma > MAX_SIGMA {
                    return Err((
                        "sigma",
                        format!("`sigma` must be between 0 and {MAX_SIGMA}, not {sigma}"),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// A broken answer, as WireMock names them, plus a hang.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    EmptyResponse,
    MalformedResponseChunk,
    RandomDataThenClose,
    ConnectionResetByPeer,
    /// Accept the request and never answer (the client times out).
    Hang,
}

impl Fault {
    pub fn parse(name: &str) -> Option<Fault> {
        Some(match name {
            "EMPTY_RESPONSE" => Fault::EmptyResponse,
            "MALFORMED_RESPONSE_CHUNK" => Fault::MalformedResponseChunk,
            "RANDOM_DATA_THEN_CLOSE" => Fault::RandomDataThenClose,
            "CONNECTION_RESET_BY_PEER" => Fault::ConnectionResetByPeer,
            "HANG" | "TIMEOUT" => Fault::Hang,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Fault::EmptyResponse => "EMPTY_RESPONSE",
            Fault::MalformedResponseChunk => "MALFORMED_RESPONSE_CHUNK",
            Fault::RandomDataThenClose => "RANDOM_DATA_THEN_CLOSE",
            Fault::ConnectionResetByPeer => "CONNECTION_RESET_BY_PEER",
            Fault::Hang => "HANG",
        }
    }
}

/// What a stub's body is.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ResponseBody {
    #[default]
    None,
    Text(String),
    Json(Value),
    Bytes(Vec<u8>),
    /// `bodyFileName`, relative to the `__files` directory.
    File(PathBuf),
}

/// A percentage of requests that get a different answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Chaos {
    /// 0.0 to 1.0.
    pub probability: f64,
    pub outcome: ChaosOutcome,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChaosOutcome {
    Status(u16),
    Fault(Fault),
}

/// How a stub answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseDef {
    pub status: u16,
    pub status_message: Option<String>,
    pub headers: Headers,
    pub body: ResponseBody,
    /// Render the body and headers as Handlebars templates (WireMock's
    /// `response-template` transformer).
    pub templated: bool,
    pub delay: Option<Delay>,
    /// Send the body in `chunks` pieces spread over `total_ms`.
    pub chunked_dribble: Option<(u32, u64)>,
    pub fault: Option<Fault>,
    pub chaos: Option<Chaos>,
    /// Forward the request to this base URL instead of answering.
    pub proxy_base_url: Option<String>,
    /// WireMock options few stubs use (proxy request rewriting, transformer
    /// parameters), boxed so other stubs pay one word.
    pub extras: Option<Box<crate::respond::ResponseExtras>>,
    /// For stubs made from pacts: the example response with its generators,
    /// applied on every request (then `status`, `headers` and `body` are unused).
    pub pact: Option<Box<ResponseSpec>>,
    /// The answer of a static stub, built on first use.
    /// (Boxed: a stub never served pays one word, not the 256 bytes of an answer.)
    pub prepared: std::sync::OnceLock<Option<Box<Result<crate::respond::Prepared, String>>>>,
    /// The templates of a templated answer, compiled when the stub loads
    /// ([`ResponseDef::compile_templates`]).
    pub templates: crate::template::CompiledResponse,
}

impl Default for ResponseDef {
    fn default() -> Self {
        ResponseDef {
            status: 200,
            status_message: None,
            headers: Headers::new(),
            body: ResponseBody::None,
            templated: false,
            delay: None,
            chunked_dribble: None,
            fault: None,
            chaos: None,
            proxy_base_url: None,
            extras: None,
            pact: None,
            prepared: std::sync::OnceLock::new(),
            templates: Default::default(),
        }
    }
}

/// A step of a stateful scenario: the stub applies only in `required_state`
/// and moves the scenario to `new_state`.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioStep {
    pub scenario: String,
    /// `None` means any state; WireMock's initial state is `Started`.
    pub required_state: Option<String>,
    pub new_state: Option<String>,
}

/// Where a stub came from (hot reload replaces stubs by source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StubSource {
    File(PathBuf),
    Admin,
    Recorded,
}

/// One stub.
#[derive(Debug, Clone)]
pub struct Stub {
    pub id: Uuid,
    pub name: Option<String>,
    /// Lower wins; ties go to the newest stub.
    pub priority: i32,
    /// Shared by clones (the server keeps the stubs it started with beside
    /// its table): a clone costs the stub's small fields only. Change one
    /// stub's with [`Arc::make_mut`].
    pub request: Arc<RequestPattern>,
    pub response: Arc<ResponseDef>,
    pub scenario: Option<ScenarioStep>,
    pub persistent: bool,
    pub metadata: Option<Value>,
    pub source: StubSource,
    /// The stub as written, when it came from a WireMock mapping (returned
    /// unchanged by the admin API).
    pub original: Option<Original>,
}

/// A mapping as written, kept as compact JSON text: a third of the memory of
/// an imported stub when kept as a JSON tree (100,000 stubs: 220 MB of 530).
#[derive(Debug, Clone, PartialEq)]
pub struct Original(std::sync::Arc<str>);

impl Original {
    pub fn new(mapping: &Value) -> Self {
        Original(mapping.to_string().into())
    }

    /// The mapping, parsed again.
    pub fn value(&self) -> Value {
        // it was written from a Value, so it parses
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }
}

impl Stub {
    pub fn new(request: RequestPattern, response: ResponseDef) -> Self {
        Stub {
            id: Uuid::new_v4(),
            name: None,
            priority: DEFAULT_PRIORITY,
            request: Arc::new(request),
            response: Arc::new(response),
            scenario: None,
            persistent: false,
            metadata: None,
            source: StubSource::Admin,
            original: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_method_is_one_value_and_methods_are_upper_cased_once() {
        assert_eq!(MethodMatch::parse("any"), MethodMatch::Any);
        assert_eq!(MethodMatch::parse("ANY"), MethodMatch::default());
        assert_eq!(MethodMatch::parse("post"), MethodMatch::Only("POST".into()));
        assert_eq!(MethodMatch::parse("post").as_str(), "POST");
        assert_eq!(MethodMatch::Any.as_str(), "ANY");
        assert!(MethodMatch::Any.accepts("PATCH"));
        assert!(MethodMatch::parse("get").accepts("GET"));
        assert!(!MethodMatch::parse("GET").accepts("POST"));
        let get_or_head = MethodMatch::parse("GET_OR_HEAD");
        assert!(get_or_head.accepts("GET") && get_or_head.accepts("HEAD"));
        assert!(!get_or_head.accepts("POST"));
    }
}
