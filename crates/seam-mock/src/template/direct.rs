//! The direct evaluator: templates made only of literal text and plain
//! `request.*` lookups (`{{request.path}}`, `{{request.pathSegments.[1]}}`,
//! `{{request.query.page}}`, `{{{request.headers.X-Tenant}}}`,
//! `{{request.body}}`, ...) are recognised when they compile ([`plan`]) and
//! rendered by appending to one string from the borrowed request, without
//! Handlebars, its helpers or the request model.
//!
//! It renders exactly what the Handlebars path renders (a property test holds
//! the two together): one-or-many parts (query, headers, cookies) give their
//! first value, or the one `.[n]`, `.first`, `.last`, `.[-n]` names (`-n`
//! counting from the end as WireMock's `get(-n)` does); header names ignore
//! case; `request.path.<name>` is a `urlPathTemplate` parameter; a value that
//! is missing renders empty; `{{ }}` is HTML-escaped when escaping is on and
//! `{{{ }}}` never. `{{jsonPath request.body '$.x'}}` is taken too, its path
//! compiled once, read by the `jsonPath` helper's own functions. Anything
//! else (other helpers, blocks, variables, `request.id`, whitespace control,
//! escaped `\{{`) is left to Handlebars: [`plan`] says `None`.

use std::borrow::Cow;

use base64::Engine as _;

use crate::request::RequestParts;
use crate::template::helpers::json::{compile_json_path, json_path_document, json_path_select};
use crate::template::java_text::{json_text, value_text};
use crate::template::model::{split_base_url, TemplateRequest};

/// A template the direct evaluator renders: its pieces in order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Direct {
    pieces: Vec<Piece>,
    /// The length of the literal text (what the output holds at least).
    text_len: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    /// A lookup; `escape` for `{{ }}` (escaped when escaping is on), not
    /// for `{{{ }}}`.
    Value {
        part: Part,
        escape: bool,
    },
}

/// What a lookup reads from the request.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Url,
    Method,
    BaseUrl,
    Scheme,
    Host,
    Port,
    Body,
    BodyAsBase64,
    /// `request.path`, `request.pathSegments`: the path as sent.
    PathText,
    /// `request.path.[n]`: the `n`th non-empty segment.
    Segment(usize),
    /// `request.path.<name>`: what a `urlPathTemplate` captured.
    PathParam(String),
    /// `jsonPath request.body '<path>'`.
    JsonPath {
        path: String,
        compiled: serde_json_path::JsonPath,
    },
    /// A value of a one-or-many part.
    Multi {
        part: Multi,
        name: String,
        pick: Pick,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Multi {
    Query,
    Headers,
    Cookies,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pick {
    /// The `n`th value from the start.
    Index(usize),
    /// The `n`th value from the end (0 is the last).
    FromEnd(usize),
}

/// Whitespace Handlebars allows inside `{{ }}`.
const WS: [char; 4] = [' ', '\t', '\n', '\r'];

/// The direct form of `source`, when it is only text and plain lookups.
pub(crate) fn plan(source: &str) -> Option<Direct> {
    let mut pieces = Vec::new();
    let mut text_len = 0;
    let mut push_text = |pieces: &mut Vec<Piece>, text: &str| {
        if !text.is_empty() {
            text_len += text.len();
            pieces.push(Piece::Text(text.to_string()));
        }
    };
    let mut rest = source;
    while let Some(at) = rest.find("{{") {
        let text = &rest[..at];
        // `\{{` and `\\{{` are Handlebars escapes
        if text.ends_with('\\') {
            return None;
        }
        push_text(&mut pieces, text);
        let after = &rest[at + 2..];
        let (escape, inner, close) = match after.strip_prefix('{') {
            Some(inner) => (false, inner, "}}}"),
            None => (true, after, "}}"),
        };
        let end = inner.find(close)?;
        let expression = inner[..end].trim_matches(WS);
        let part = lookup(expression).or_else(|| json_path_call(expression))?;
        pieces.push(Piece::Value { part, escape });
        rest = &inner[end + close.len()..];
    }
    push_text(&mut pieces, rest);
    Some(Direct { pieces, text_len })
}

/// `a.[b c].d` → `["a", "b c", "d"]`: names of letters, digits, `_` and `-`,
/// or anything but `]` in brackets, joined by dots.
fn segments(path: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = path;
    loop {
        let (segment, after) = match rest.strip_prefix('[') {
            Some(r) => {
                let end = r.find(']')?;
                (&r[..end], &r[end + 1..])
            }
            None => {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                    .unwrap_or(rest.len());
                rest.split_at(end)
            }
        };
        if segment.is_empty() {
            return None;
        }
        out.push(segment);
        if after.is_empty() {
            return Some(out);
        }
        rest = after.strip_prefix('.')?;
    }
}

/// `jsonPath request.body '$.x'` (or `"$.x"`), with a path that compiles.
fn json_path_call(expression: &str) -> Option<Part> {
    let after_word = |s: &'static str, rest: &str| -> Option<String> {
        let rest = rest.strip_prefix(s)?;
        rest.starts_with(WS)
            .then(|| rest.trim_start_matches(WS).to_string())
    };
    let rest = after_word("jsonPath", expression)?;
    let rest = after_word("request.body", &rest)?;
    let quote = rest.chars().next().filter(|q| matches!(q, '\'' | '"'))?;
    let (path, after) = rest[1..].split_once(quote)?;
    // escapes in the literal are read by Handlebars
    if !after.is_empty() || path.contains('\\') {
        return None;
    }
    let compiled = compile_json_path(path).ok()?;
    Some(Part::JsonPath {
        path: path.to_string(),
        compiled,
    })
}

/// The part a lookup's path reads, when it is one the direct evaluator knows.
fn lookup(path: &str) -> Option<Part> {
    let segs = segments(path)?;
    let ("request", rest) = segs.split_first().map(|(f, r)| (*f, r))? else {
        return None;
    };
    // an index as handlebars reads one into a list
    let index = |s: &str| s.parse::<usize>().ok();
    Some(match rest {
        ["url"] => Part::Url,
        ["method"] => Part::Method,
        ["baseUrl"] => Part::BaseUrl,
        ["scheme"] => Part::Scheme,
        ["host"] => Part::Host,
        ["port"] => Part::Port,
        ["body"] => Part::Body,
        ["bodyAsBase64"] => Part::BodyAsBase64,
        ["path"] | ["pathSegments"] => Part::PathText,
        ["path", s] => match index(s) {
            Some(n) => Part::Segment(n),
            None => Part::PathParam(s.to_string()),
        },
        // a name into a list is an error in Handlebars: left to it
        ["pathSegments", s] => Part::Segment(index(s)?),
        [part @ ("query" | "headers" | "cookies"), name, picks @ ..] => {
            let part = match *part {
                "query" => Multi::Query,
                "headers" => Multi::Headers,
                _ => Multi::Cookies,
            };
            let pick = match picks {
                [] | ["first"] => Pick::Index(0),
                ["last"] => Pick::FromEnd(0),
                [p] => match p.strip_prefix('-').and_then(index) {
                    Some(k) => Pick::FromEnd(k),
                    None => Pick::Index(index(p)?),
                },
                _ => return None,
            };
            Part::Multi {
                part,
                name: name.to_string(),
                pick,
            }
        }
        _ => return None,
    })
}

impl Direct {
    /// The template rendered for `req`; `html_escape` escapes `{{ }}` values.
    pub(crate) fn render(&self, req: TemplateRequest<'_>, html_escape: bool) -> String {
        self.render_from(req.request, req.path_params, html_escape)
    }

    /// The template rendered from `req` read in place (the model, or hyper's
    /// request through [`HyperRequest`](crate::request::HyperRequest)) and the
    /// values a `urlPathTemplate` captured.
    pub(crate) fn render_from<R: RequestParts>(
        &self,
        req: &R,
        path_params: &[(String, String)],
        html_escape: bool,
    ) -> String {
        let mut out = String::with_capacity(self.text_len + 64);
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Value { part, escape } => {
                    part.write(req, path_params, html_escape && *escape, &mut out)
                }
            }
        }
        out
    }
}

/// Appends `value` to `out`, HTML-escaped when `escape` says so: the
/// characters Handlebars' `html_escape` replaces, replaced the same way, but
/// written straight into `out` (a value with none of them, the usual case, is
/// copied in one go).
fn push(out: &mut String, value: &str, escape: bool) {
    /// The bytes escaped, as a table: one load a byte.
    const SPECIAL: [bool; 256] = {
        let mut table = [false; 256];
        let mut i = 0;
        while i < 7 {
            table[b"<>\"&'`="[i] as usize] = true;
            i += 1;
        }
        table
    };
    if !escape || !value.bytes().any(|b| SPECIAL[b as usize]) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&#x27;"),
            '`' => out.push_str("&#x60;"),
            '=' => out.push_str("&#x3D;"),
            _ => out.push(c),
        }
    }
}

impl Part {
    /// Appends the text this part reads from `req` to `out` (nothing when it
    /// is missing).
    fn write<R: RequestParts>(
        &self,
        req: &R,
        path_params: &[(String, String)],
        escape: bool,
        out: &mut String,
    ) {
        let body = || String::from_utf8_lossy(req.body());
        match self {
            Part::Url => push(out, req.url(), escape),
            Part::Method => push(out, req.method(), escape),
            // the base URL and cookies are rare: read from the model
            Part::BaseUrl => push(out, &req.model().base_url, escape),
            Part::Scheme => push(out, &split_base_url(&req.model().base_url).0, escape),
            Part::Host => push(out, &split_base_url(&req.model().base_url).1, escape),
            Part::Port => {
                let port = value_text(&split_base_url(&req.model().base_url).2);
                push(out, &port, escape)
            }
            Part::Body => push(out, &body(), escape),
            Part::BodyAsBase64 => {
                // the body as text (invalid UTF-8 replaced), as the model reads it
                let encoded = base64::engine::general_purpose::STANDARD.encode(body().as_bytes());
                push(out, &encoded, escape)
            }
            Part::PathText => push(out, req.path(), escape),
            Part::JsonPath { path, compiled } => {
                let text: Cow<'_, str> = match json_path_document(&body()) {
                    Ok(None) => Cow::Borrowed(""),
                    Ok(Some(doc)) => match json_path_select(&doc, compiled, path) {
                        Some(v) => json_text(&v).into(),
                        None => Cow::Borrowed(""),
                    },
                    Err(error) => value_text(&error.into_value()).into(),
                };
                push(out, &text, escape)
            }
            Part::Segment(n) => {
                if let Some(segment) = req.path().split('/').filter(|s| !s.is_empty()).nth(*n) {
                    push(out, segment, escape)
                }
            }
            // the model keeps the last value captured under a name
            Part::PathParam(name) => {
                if let Some((_, v)) = path_params.iter().rev().find(|(k, _)| k == name) {
                    push(out, v, escape)
                }
            }
            Part::Multi { part, name, pick } => {
                let mut write = |values: &[&str]| {
                    if let Some(v) = pick.from(values) {
                        push(out, v, escape)
                    }
                };
                match part {
                    Multi::Query => req.with_query_values(name, write),
                    Multi::Headers => req.with_header_values(name, write),
                    Multi::Cookies => {
                        let cookies = &req.model().cookies;
                        let values: Vec<&str> = cookies
                            .iter()
                            .filter(|(k, _)| k == name)
                            .map(|(_, v)| v.as_str())
                            .collect();
                        write(&values)
                    }
                }
            }
        }
    }
}

impl Pick {
    /// The value this pick names among `values`.
    fn from<'v>(self, values: &[&'v str]) -> Option<&'v str> {
        match self {
            Pick::Index(n) => values.get(n).copied(),
            Pick::FromEnd(k) => values.len().checked_sub(k + 1).map(|n| values[n]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::test_support::*;
    use crate::template::{Compiled, CompiledTemplate};
    use proptest::prelude::*;
    use seam_core::http::{Headers, Query};

    fn direct(source: &str) -> Option<Direct> {
        match CompiledTemplate::compile(source).ok()?.0 {
            Compiled::Direct(d) => Some(d),
            _ => None,
        }
    }

    #[test]
    fn plain_lookups_are_rendered_directly() {
        for source in [
            "{{request.path}}",
            r#"{"path": "{{request.path}}", "tenant": "{{request.headers.X-Tenant}}", "page": "{{request.query.page}}"}"#,
            "{{ request.pathSegments.[1] }} {{{request.body}}} {{request.query.q.last}}",
            "{{request.headers.[123$%$^&__why_o_why]}} {{request.cookies.multi.[-1]}}",
            "a }} b {{request.url}}}",
            "{{jsonPath request.body '$.customer.name'}} {{{ jsonPath  request.body \"$..name\" }}}",
        ] {
            assert!(direct(source).is_some(), "{source}");
        }
        for source in [
            "{{request.id}}",
            "{{request}}",
            "{{request.query}}",
            "{{request.__path}}",
            "{{request.path.[0].x}}",
            "{{request.query.q.[0].x}}",
            "{{~request.path~}}",
            "{{&request.path}}",
            "\\{{request.path}}",
            "{{this.request.path}}",
            "{{request/path}}",
            "{{jsonPath request.body '$.a' default='x'}}",
            "{{jsonPath request.body '$['}}",
            "{{jsonPath request.body 'it\\'s'}}",
            "{{jsonPath request.bodyAsBase64 '$.a'}}",
            "{{#if request.url}}x{{/if}}",
            "{{! comment }}",
            "{{parameters.a}}",
            "{{{request.path}}",
            "{{request.path",
            "{{request.[path}}",
            "{{request..path}}",
            "{{request.[]}}",
            // a name into a list fails in Handlebars
            "{{request.pathSegments.thingId}}",
            "{{request.query.q.x}}",
        ] {
            assert!(direct(source).is_none(), "{source}");
        }
    }

    #[test]
    fn escaping_in_place_is_handlebars_escaping() {
        for value in ["plain /a/b?c", "<a href=\"x\">&'`=</a>", "é<ü>", ""] {
            let mut out = String::from(">");
            push(&mut out, value, true);
            assert_eq!(out, format!(">{}", handlebars::html_escape(value)));
        }
    }

    #[test]
    fn renders_what_handlebars_renders_on_the_shared_request() {
        let req = request();
        let params = path_params();
        for source in [
            "{{request.url}} {{request.path}} {{request.pathSegments}} {{request.method}}",
            "{{request.baseUrl}} {{request.scheme}} {{request.host}} {{request.port}}",
            "{{request.path.[0]}} {{request.path.1}} {{request.pathSegments.[2]}} [{{request.path.[9]}}]",
            "{{request.path.thingId}} [{{request.path.nope}}]",
            "{{request.query.q}} {{request.query.q.[1]}} {{request.query.q.2}} {{request.query.q.first}}",
            "{{request.query.q.last}} {{request.query.q.[-1]}} {{request.query.q.-2}} [{{request.query.q.[-3]}}]",
            "{{request.query.[single]}} [{{request.query.missing}}] [{{request.query.missing.[2]}}]",
            "{{request.headers.X-Request-Id}}|{{request.headers.ACCEPT}}|{{request.headers.Accept.[1]}}",
            "{{request.cookies.session}} {{request.cookies.multi.last}} {{request.body}} {{request.bodyAsBase64}}",
            "{{jsonPath request.body '$.name'}} {{jsonPath request.body '$.outer'}} {{jsonPath request.body '$.things'}}",
            "{{jsonPath request.body '$..name'}} [{{jsonPath request.body '$.nothing'}}] {{jsonPath request.body '$.price'}}",
            "{{jsonPath request.body '$.items[1].name'}} [{{jsonPath request.body '$.missing'}}]",
        ] {
            let d = direct(source).expect(source);
            let hb = CompiledTemplate::compile_handlebars(source).unwrap();
            for escaping in [false, true] {
                let t = Templates::with_escaping(escaping);
                let view = TemplateRequest::new(&req, &params);
                assert_eq!(
                    d.render(view, escaping),
                    t.render(&hb, view).unwrap(),
                    "{source}"
                );
            }
        }
    }

    /// A name as a template may spell it: bare when it can be, else in brackets.
    fn spelled(name: &str, bracket: bool) -> String {
        let bare = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if bracket || !bare {
            format!("[{name}]")
        } else {
            name.to_string()
        }
    }

    /// Lookups the direct evaluator takes, mostly, and some it leaves.
    fn lookup() -> impl Strategy<Value = String> {
        let scalar = prop::sample::select(vec![
            "url",
            "method",
            "baseUrl",
            "scheme",
            "host",
            "port",
            "body",
            "bodyAsBase64",
            "path",
            "pathSegments",
        ]);
        let path = prop::sample::select(vec!["path", "pathSegments"]);
        let segment = prop::sample::select(vec![
            "0", "1", "2", "9", "+1", "01", "thingId", "id", "first", "missing",
        ]);
        let multi = prop::sample::select(vec!["query", "headers", "cookies"]);
        let name = prop::sample::select(vec![
            "q", "single", "x-tenant", "X-Tenant", "ACCEPT", "accept", "session", "multi", "a b",
            "first", "Q", "missing",
        ]);
        let pick = prop::sample::select(vec![
            "", "", "", "first", "last", "0", "1", "2", "7", "-1", "-2", "-5", "01", "+1", "-+1",
            "x",
        ]);
        let any_part = prop::sample::select(vec![
            "url", "path", "query", "headers", "id", "nope", "__path",
        ]);
        let json_path = prop::sample::select(vec![
            "$.a",
            "$.outer",
            "$.outer.inner",
            "$..inner",
            "$.things",
            "$.things[1]",
            "$.things.[0]",
            "$.nothing",
            "$.price",
            "$.missing",
            "$.*",
            "$.things.length()",
        ]);
        prop_oneof![
            2 => json_path.prop_map(|p| format!("jsonPath request.body '{p}'")),
            4 => (scalar, any::<bool>())
                .prop_map(|(part, b)| format!("request.{}", spelled(part, b))),
            3 => (path, segment, any::<[bool; 2]>()).prop_map(|(part, seg, b)| {
                format!("request.{}.{}", spelled(part, b[0]), spelled(seg, b[1]))
            }),
            6 => (multi, name.clone(), pick.clone(), any::<[bool; 3]>()).prop_map(|(part, name, pick, b)| {
                let mut path = format!("request.{}.{}", spelled(part, b[0]), spelled(name, b[1]));
                if !pick.is_empty() {
                    path += &format!(".{}", spelled(pick, b[2]));
                }
                path
            }),
            1 => (any_part, name, pick).prop_map(|(part, name, pick)| {
                format!("request.{part}.{name}.{pick}").trim_end_matches('.').to_string()
            }),
        ]
    }

    fn template() -> impl Strategy<Value = String> {
        let text = prop::sample::select(vec![
            "", "", "a", " ", "{", "}", "}}", "<b>", "&", "\"'=`", "é", "\n", "/", "\\",
        ]);
        let piece = (text, lookup(), 0..3u8, any::<bool>()).prop_map(|(text, path, form, pad)| {
            let ws = if pad { " " } else { "" };
            match form {
                0 => format!("{text}{{{{{ws}{path}{ws}}}}}"),
                1 => format!("{text}{{{{{{{ws}{path}{ws}}}}}}}"),
                _ => text.to_string(),
            }
        });
        prop::collection::vec(piece, 0..5).prop_map(|pieces| pieces.concat())
    }

    fn mock_request() -> impl Strategy<Value = (MockRequest, Vec<(String, String)>)> {
        let word = || prop::sample::select(vec!["a", "b", "42", "q", "é", "<x>", "x y", ""]);
        let header_name = prop::sample::select(vec![
            "X-Tenant", "x-tenant", "X-TENANT", "Accept", "accept", "Cookie", "a b",
        ]);
        let query_name = prop::sample::select(vec!["q", "single", "ids[]", "first", "Q", "a b"]);
        let cookie_name = prop::sample::select(vec!["session", "multi", "Session"]);
        let base = prop::sample::select(vec![
            "http://localhost:8080",
            "https://example.com",
            "http://[::1]:9000",
            "ftp://host",
            "http://h:x",
        ]);
        let body = prop::sample::select(vec![
            b"".to_vec(),
            b"{\"a\": 1}".to_vec(),
            b"<p>it's & \"so\"</p>".to_vec(),
            br#"{"a": "it's <b>", "outer": {"inner": "x"}, "things": [1, 2.50, "t"], "nothing": null, "price": 1.5}"#.to_vec(),
            b"  ".to_vec(),
            vec![b'a', 0xff, b'b'],
        ]);
        (
            prop::collection::vec(word(), 0..4),
            prop::collection::vec((query_name, word()), 0..5),
            prop::collection::vec((header_name, word()), 0..5),
            prop::collection::vec((cookie_name, word()), 0..4),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["thingId", "id", "first", "0"]),
                    word(),
                ),
                0..3,
            ),
            body,
            base,
            prop::sample::select(vec!["GET", "POST"]),
        )
            .prop_map(
                |(segs, query, headers, cookies, params, body, base, method)| {
                    let path = format!("/{}", segs.join("/"));
                    let mut q = Query::new();
                    for (k, v) in &query {
                        q.append(*k, *v);
                    }
                    let mut h = Headers::new();
                    for (k, v) in &headers {
                        h.append(*k, *v);
                    }
                    let req = MockRequest {
                        method: method.into(),
                        url: format!("{path}?{}", q.to_query_string()),
                        path,
                        query: q,
                        headers: h,
                        cookies: cookies
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_string()))
                            .collect(),
                        body: body.into(),
                        base_url: base.into(),
                        client_ip: std::net::Ipv4Addr::LOCALHOST.into(),
                    };
                    let params = params
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect();
                    (req, params)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        /// Whatever the direct evaluator takes, it renders as Handlebars does,
        /// with escaping on and off.
        #[test]
        fn the_direct_evaluator_renders_what_handlebars_renders(
            source in template(),
            (req, params) in mock_request(),
            escaping in any::<bool>(),
        ) {
            let hb = CompiledTemplate::compile_handlebars(&source);
            if let Some(d) = direct(&source) {
                let hb = hb.expect("a template the direct evaluator takes compiles");
                let view = TemplateRequest::new(&req, &params);
                let expected = Templates::with_escaping(escaping).render(&hb, view).unwrap();
                prop_assert_eq!(d.render(view, escaping), expected, "{:?}", source);
            }
        }
    }
}
