//! What the template tests share: a request with every part filled in, and
//! rendering shortcuts.

use regex::Regex;

pub(crate) use crate::template::{TemplateRequest, Templates};

pub(crate) fn request() -> TemplateRequest {
    TemplateRequest {
        method: "POST".into(),
        url: "/things/42/parts?q=one&q=two&q=three&single=1234".into(),
        path: "/things/42/parts".into(),
        base_url: "http://localhost:8080".into(),
        query: vec![
            ("q".into(), vec!["one".into(), "two".into(), "three".into()]),
            ("single".into(), vec!["1234".into()]),
            ("ids[]".into(), vec!["111".into(), "222".into()]),
        ],
        headers: vec![
            ("X-Request-Id".into(), vec!["req-1".into()]),
            ("Accept".into(), vec!["text/plain".into(), "application/json".into()]),
            ("123$%$^&__why_o_why".into(), vec!["foundit".into()]),
        ],
        cookies: vec![("session".into(), "s-1".into()), ("multi".into(), "a".into()), ("multi".into(), "b".into())],
        body: r#"{"id": 7, "name": "Ann", "outer": {"inner": "Stuff"}, "things": [1, 2, 3], "items": [{"name": "One"}, {"name": "Two"}], "price": 1.5, "nothing": null}"#.into(),
        path_params: vec![("thingId".into(), "42".into())],
    }
}

pub(crate) fn with_body(body: &str) -> TemplateRequest {
    TemplateRequest {
        body: body.into(),
        ..request()
    }
}

pub(crate) fn render_req(t: &str, req: &TemplateRequest) -> String {
    match Templates::new().render(t, req) {
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
