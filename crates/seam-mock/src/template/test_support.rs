//! What the template tests share: a request with every part filled in, and
//! rendering shortcuts.

use regex::Regex;
use seam_core::http::{Headers, Query};
use seam_core::source::SourceError;

pub(crate) use crate::request::MockRequest;
pub(crate) use crate::template::{CompiledTemplate, TemplateRequest, Templates};

/// Headers from `(name, values)` pairs, in order.
pub(crate) fn headers(pairs: &[(&str, &[&str])]) -> Headers {
    let mut h = Headers::new();
    for (name, values) in pairs {
        for v in *values {
            h.append(*name, *v);
        }
    }
    h
}

/// A request with a query, headers, cookies and a JSON body, matched by a
/// stub whose URL template captured `thingId`.
pub(crate) fn request() -> MockRequest {
    let mut query = Query::new();
    for (k, v) in [
        ("q", "one"),
        ("q", "two"),
        ("q", "three"),
        ("single", "1234"),
        ("ids[]", "111"),
        ("ids[]", "222"),
    ] {
        query.append(k, v);
    }
    MockRequest {
        method: "POST".into(),
        url: "/things/42/parts?q=one&q=two&q=three&single=1234".into(),
        path: "/things/42/parts".into(),
        query,
        headers: headers(&[
            ("X-Request-Id", &["req-1"]),
            ("Accept", &["text/plain", "application/json"]),
            ("123$%$^&__why_o_why", &["foundit"]),
        ]),
        cookies: vec![("session".into(), "s-1".into()), ("multi".into(), "a".into()), ("multi".into(), "b".into())],
        body: r#"{"id": 7, "name": "Ann", "outer": {"inner": "Stuff"}, "things": [1, 2, 3], "items": [{"name": "One"}, {"name": "Two"}], "price": 1.5, "nothing": null}"#.into(),
        base_url: "http://localhost:8080".into(),
        client_ip: std::net::Ipv4Addr::LOCALHOST.into(),
    }
}

/// What the stub's `/things/{thingId}/parts` captured.
pub(crate) fn path_params() -> Vec<(String, String)> {
    vec![("thingId".into(), "42".into())]
}

pub(crate) fn with_body(body: &str) -> MockRequest {
    MockRequest {
        body: body.to_string().into(),
        ..request()
    }
}

/// Compiling and rendering in one call, with [`path_params`].
pub(crate) trait RenderText {
    fn render_text(&self, source: &str, req: &MockRequest) -> Result<String, SourceError>;
}

impl RenderText for Templates {
    fn render_text(&self, source: &str, req: &MockRequest) -> Result<String, SourceError> {
        let params = path_params();
        self.render(
            &CompiledTemplate::compile(source)?,
            TemplateRequest::new(req, &params),
        )
    }
}

pub(crate) fn render_req(t: &str, req: &MockRequest) -> String {
    match Templates::new().render_text(t, req) {
        Ok(s) => s,
        Err(e) => panic!("`{t}` failed: {e}"),
    }
}

pub(crate) fn r(t: &str) -> String {
    render_req(t, &request())
}

pub(crate) fn assert_matches(re: &str, value: &str) {
    assert!(
        Regex::new(re).unwrap().is_match(value),
        "`{value}` does not match /{re}/"
    );
}
