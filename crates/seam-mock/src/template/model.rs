//! The request model templates see: a [`TemplateRequest`] turned into the JSON
//! tree behind `request.url`, `request.path`, `request.query.<name>`, ... (with the
//! hidden keys the rewritten templates look up).

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::request::MockRequest;

/// The request as templates see it: the mock's request, borrowed (nothing is
/// copied before the model is built), the values a `urlPathTemplate` such
/// as `/orders/{id}` captured, and the stub's `transformerParameters`.
#[derive(Debug, Clone, Copy)]
pub struct TemplateRequest<'a> {
    /// The request as received.
    pub request: &'a MockRequest,
    /// Values captured by a `urlPathTemplate`, by parameter name.
    pub path_params: &'a [(String, String)],
    /// The stub's `transformerParameters`: `parameters.<name>` in templates.
    pub parameters: Option<&'a Value>,
}

impl<'a> TemplateRequest<'a> {
    /// `request` with the path parameters its stub's URL template captured.
    pub fn new(request: &'a MockRequest, path_params: &'a [(String, String)]) -> Self {
        TemplateRequest {
            request,
            path_params,
            parameters: None,
        }
    }

    /// The same request, with the stub's `transformerParameters`.
    pub fn with_parameters(self, parameters: Option<&'a Value>) -> Self {
        TemplateRequest { parameters, ..self }
    }
}

/// Hidden model keys (not part of WireMock's model).
pub(crate) const PATH_TEXT: &str = "__path";
pub(crate) const PATH_PARAMS: &str = "__pathParams";
pub(crate) const REVERSED: &str = "__rev";
/// Root-level variables holding one-or-many values: name → depth of the list.
pub(crate) const LIST_OR_SINGLE_VARS: &str = "__wm_los";
pub(crate) const MULTI: [&str; 3] = ["query", "headers", "cookies"];

/// The costly parts of the model a template can reach, read from its text when
/// it compiles: a template that names no cookies gets none built, one that
/// never says `bodyAsBase64` pays for no encoding. A template that could reach
/// the model by another road (`request` passed whole or as a block, `lookup`,
/// `each`, `with`, `this`, `@root`, `../`) needs all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ModelNeeds {
    id: bool,
    query: bool,
    headers: bool,
    cookies: bool,
    body: bool,
    base64: bool,
    /// `request.<multi>.<name>.last` / `.[-n]` (rewritten to `__rev`).
    reversed: bool,
}

impl ModelNeeds {
    /// Every part.
    pub(crate) const ALL: ModelNeeds = ModelNeeds {
        id: true,
        query: true,
        headers: true,
        cookies: true,
        body: true,
        base64: true,
        reversed: true,
    };

    /// What `source` can reach (never less; sometimes more).
    pub(crate) fn of(source: &str) -> Self {
        const ROADS: [&str; 7] = ["lookup", "each", "with", "this", "@root", "../", "toJson"];
        let whole_request = source
            .match_indices("request")
            .any(|(at, _)| !source[at + "request".len()..].starts_with('.'));
        if whole_request || ROADS.iter().any(|r| source.contains(r)) {
            return Self::ALL;
        }
        ModelNeeds {
            id: source.contains("id"),
            query: source.contains("query"),
            headers: source.contains("headers"),
            cookies: source.contains("cookies"),
            body: source.contains("body"),
            base64: source.contains("bodyAsBase64"),
            reversed: source.contains("last") || source.contains(".-") || source.contains("[-"),
        }
    }

    /// Both needs.
    pub(crate) fn union(self, o: Self) -> Self {
        ModelNeeds {
            id: self.id || o.id,
            query: self.query || o.query,
            headers: self.headers || o.headers,
            cookies: self.cookies || o.cookies,
            body: self.body || o.body,
            base64: self.base64 || o.base64,
            reversed: self.reversed || o.reversed,
        }
    }

    /// Whether a model built for `self` serves a template needing `o`.
    pub(crate) fn covers(self, o: Self) -> bool {
        self.union(o) == self
    }
}

/// The model for `view`, with the parts `needs` names (the others empty).
pub(crate) fn build_model(view: TemplateRequest<'_>, needs: ModelNeeds) -> Value {
    let req = view.request;
    let segments: Vec<Value> = req
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_string()))
        .collect();
    let mut query = Map::new();
    if needs.query || needs.reversed {
        for (k, vs) in req.query.iter() {
            push_all(&mut query, k.to_string(), vs.iter().cloned());
        }
    }
    let mut headers = Map::new();
    if needs.headers || needs.reversed {
        for (k, vs) in req.headers.iter() {
            push_all(&mut headers, header_key(k), vs.iter().cloned());
        }
    }
    let mut cookies = Map::new();
    if needs.cookies || needs.reversed {
        for (k, v) in &req.cookies {
            push_all(&mut cookies, k.clone(), std::iter::once(v.clone()));
        }
    }
    let reversed = |m: &Map<String, Value>| -> Value {
        Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let mut items = v.as_array().cloned().unwrap_or_default();
                    items.reverse();
                    (k.clone(), Value::Array(items))
                })
                .collect(),
        )
    };
    let rev = if needs.reversed {
        object([
            ("query", reversed(&query)),
            ("headers", reversed(&headers)),
            ("cookies", reversed(&cookies)),
        ])
    } else {
        Value::Object(Map::new())
    };
    let path_params: Map<String, Value> = view
        .path_params
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let (scheme, host, port) = split_base_url(&req.base_url);
    let body = match needs.body {
        true => req.body_text().unwrap_or_default(),
        false => Default::default(),
    };
    let base64 = match needs.base64 {
        true => base64::engine::general_purpose::STANDARD.encode(body.as_bytes()),
        false => String::new(),
    };
    let id = match needs.id {
        // WireMock 3.7+: a fresh id per request
        true => uuid::Uuid::new_v4().to_string(),
        false => String::new(),
    };
    let segments = Value::Array(segments);
    // built value by value: `json!` would copy every part again through serde
    let request = object([
        ("id", Value::String(id)),
        ("url", Value::String(req.url.clone())),
        ("path", segments.clone()),
        ("pathSegments", segments),
        ("method", Value::String(req.method.clone())),
        ("baseUrl", Value::String(req.base_url.to_string())),
        ("scheme", Value::String(scheme)),
        ("host", Value::String(host)),
        ("port", port),
        ("query", Value::Object(query)),
        ("headers", Value::Object(headers)),
        ("cookies", Value::Object(cookies)),
        ("body", Value::String(body.into_owned())),
        ("bodyAsBase64", Value::String(base64)),
        (PATH_TEXT, Value::String(req.path.clone())),
        (PATH_PARAMS, Value::Object(path_params)),
        (REVERSED, rev),
    ]);
    match view.parameters {
        Some(p) => object([("request", request), ("parameters", p.clone())]),
        None => object([("request", request)]),
    }
}

/// A request header's name as the model keys it: as WireMock shows it
/// (`X-Request-Id`, `ETag`; hyper gives names lower-cased, so the casing a
/// client sent is not known), whatever the case of `name`; lookups
/// (`request.headers.x-request-id`, `lookup request.headers 'X-REQUEST-ID'`)
/// go through it too, so they ignore case.
pub(crate) fn header_key(name: &str) -> String {
    crate::admin::header_case(&name.to_ascii_lowercase())
}

/// A JSON object with these entries, in this order.
fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

pub(crate) fn push_all(
    m: &mut Map<String, Value>,
    key: String,
    values: impl Iterator<Item = String>,
) {
    let entry = m.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(a) = entry {
        a.extend(values.map(Value::String));
    }
}

/// `http://host:8080` → (`http`, `host`, 8080), with the scheme's default port.
pub(crate) fn split_base_url(base: &str) -> (String, String, Value) {
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    let authority = rest.split('/').next().unwrap_or("");
    let (host, port) = match authority.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((ip6, after)) => (
            format!("[{ip6}]"),
            after.strip_prefix(':').and_then(|p| p.parse::<u16>().ok()),
        ),
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse::<u16>().ok()),
            None => (authority.to_string(), None),
        },
    };
    let port = port.or(match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    });
    (
        scheme.to_string(),
        host,
        port.map(Value::from).unwrap_or(Value::Null),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::test_support::*;

    #[test]
    fn a_template_gets_the_parts_it_names() {
        let n =
            ModelNeeds::of("{{request.path}} {{request.headers.X-Tenant}} {{request.query.page}}");
        assert!(n.headers && n.query);
        assert!(
            !(n.id || n.cookies || n.body || n.base64 || n.reversed),
            "{n:?}"
        );
        assert!(ModelNeeds::of("{{request.query.q.last}}").reversed);
        assert!(ModelNeeds::of("{{request.headers.a.[-1]}}").reversed);
        assert!(ModelNeeds::of("{{jsonPath request.bodyAsBase64 '$'}}").base64);
        // any road to the whole model needs all of it
        for whole in [
            "{{toJson request}}",
            "{{#with request}}{{url}}{{/with}}",
            "{{#each request.headers}}{{@key}}{{/each}}",
            "{{lookup request.headers 'a'}}",
            "{{#request}}{{url}}{{/request}}",
            "{{@root.request.url}}",
        ] {
            assert_eq!(ModelNeeds::of(whole), ModelNeeds::ALL, "{whole}");
        }
        assert!(ModelNeeds::ALL.covers(n) && !n.covers(ModelNeeds::ALL));
    }

    /// One answer's templates share one model; a later template that reaches
    /// further (a body after a header) still sees every part it names.
    #[test]
    fn a_scope_builds_more_when_a_later_template_needs_it() {
        let engine = crate::template::Templates::new();
        let req = with_body(r#"{"a": 1}"#);
        let params = path_params();
        let scope = engine.scope(TemplateRequest::new(&req, &params));
        let compile = |s: &str| crate::template::CompiledTemplate::compile(s).unwrap();
        assert_eq!(
            scope.render(&compile("{{request.method}}")).unwrap(),
            "POST"
        );
        assert_eq!(
            scope
                .render(&compile("{{request.body}}|{{request.bodyAsBase64}}"))
                .unwrap(),
            r#"{"a": 1}|eyJhIjogMX0="#
        );
        assert_eq!(
            scope
                .render(&compile(
                    "{{request.query.q.last}} {{request.cookies.session}}"
                ))
                .unwrap(),
            "three s-1"
        );
    }

    #[test]
    fn base_urls_split() {
        assert_eq!(
            split_base_url("https://example.com"),
            ("https".into(), "example.com".into(), Value::from(443))
        );
        assert_eq!(
            split_base_url("http://[::1]:9000"),
            ("http".into(), "[::1]".into(), Value::from(9000))
        );
    }

    #[test]
    fn url_path_method_base() {
        assert_eq!(
            r("{{request.url}}"),
            "/things/42/parts?q=one&q=two&q=three&single=1234"
        );
        assert_eq!(r("{{request.path}}"), "/things/42/parts");
        assert_eq!(r("{{request.pathSegments}}"), "/things/42/parts");
        assert_eq!(r("{{request.method}}"), "POST");
        assert_matches(
            "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            &r("{{request.id}}"),
        );
        assert_eq!(r("{{request.baseUrl}}"), "http://localhost:8080");
        assert_eq!(
            r("{{request.scheme}} {{request.host}} {{request.port}}"),
            "http localhost 8080"
        );
    }

    #[test]
    fn path_segments_and_parameters() {
        assert_eq!(
            r("{{request.path.[0]}} {{request.path.1}} {{request.pathSegments.[2]}}"),
            "things 42 parts"
        );
        assert_eq!(r("{{request.path.thingId}}"), "42");
        assert_eq!(r("[{{request.path.[9]}}]"), "[]");
        assert_eq!(
            r("{{#each request.path}}<{{this}}>{{/each}}"),
            "<things><42><parts>"
        );
        assert_eq!(r("{{size request.path}}"), "3");
        let root = MockRequest {
            path: "/".into(),
            ..request()
        };
        assert_eq!(render_req("[{{request.path.[0]}}]", &root), "[]");
    }

    #[test]
    fn query_values() {
        assert_eq!(r("{{request.query.q}}"), "one");
        assert_eq!(
            r("{{request.query.q.[1]}} {{request.query.q.2}}"),
            "two three"
        );
        assert_eq!(
            r("{{request.query.q.first}} {{request.query.q.last}}"),
            "one three"
        );
        // WireMock's get(-1) is size - 2
        assert_eq!(r("{{request.query.q.[-1]}}"), "two");
        assert_eq!(r("{{request.query.single}}"), "1234");
        assert_eq!(
            r("[{{request.query.missing}}][{{request.query.missing.[0]}}]"),
            "[][]"
        );
        assert_eq!(
            r("{{#each request.query.q}}{{this}},{{/each}}"),
            "one,two,three,"
        );
        assert_eq!(r("{{size request.query.q}}"), "3");
        assert_eq!(r("{{lookup request.query 'ids[].1'}}"), "222");
        assert_eq!(r("{{lookup request.query 'ids[]'}}"), "111");
    }

    #[test]
    fn headers_ignore_case() {
        assert_eq!(
            r("{{request.headers.X-Request-Id}}|{{request.headers.x-request-id}}"),
            "req-1|req-1"
        );
        assert_eq!(
            r("{{request.headers.ACCEPT}} / {{request.headers.Accept.[1]}}"),
            "text/plain / application/json"
        );
        assert_eq!(r("{{request.headers.[123$%$^&__why_o_why]}}"), "foundit");
        assert_eq!(r("{{request.headers.accept.last}}"), "application/json");
        assert_eq!(r("{{lookup request.headers 'X-REQUEST-ID'}}"), "req-1");
        // names as WireMock shows them, though hyper gives them lower-cased
        let req = MockRequest {
            headers: headers(&[("x-api-key", &["k"]), ("etag", &["e"]), ("accept", &["a"])]),
            ..request()
        };
        assert_eq!(
            render_req("{{#each request.headers}}{{@key}}={{this}};{{/each}}", &req),
            "X-Api-Key=k;ETag=e;Accept=a;"
        );
        assert_eq!(
            render_req(
                "{{request.headers.ETAG}} {{request.headers.x-API-key.last}} {{lookup request.headers 'Etag'}}",
                &req
            ),
            "e k e"
        );
    }

    #[test]
    fn cookies_and_body() {
        assert_eq!(r("{{request.cookies.session}}"), "s-1");
        assert_eq!(r("{{request.cookies.multi}}, {{request.cookies.multi.[0]}}, {{request.cookies.multi.[1]}}"), "a, a, b");
        let req = with_body("All of the body content");
        assert_eq!(
            render_req("Body: {{{request.body}}}", &req),
            "Body: All of the body content"
        );
        assert_eq!(
            render_req("{{request.bodyAsBase64}}", &with_body("hello")),
            "aGVsbG8="
        );
    }
}
