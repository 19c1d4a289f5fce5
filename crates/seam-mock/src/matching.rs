//! Matching a request against a stub's request pattern. Every difference is a
//! seam-core `Mismatch` (same model as the contract engine), so a 404 can say
//! exactly which parts of the closest stubs differed.

use crate::request::{MockRequest, MultipartPart, RequestParts};
use crate::stub::{
    MultipartPattern, Origin, PathTemplate, RequestPattern, TemplateSegment, UrlMatcher,
};
use base64::Engine;
use seam_core::matching::{match_request, Mismatch, Part};
use seam_core::regexp::{excerpt, source_of};
use seam_matchers::StringMatcher;
use serde_json::{json, Value};

/// The result of a successful match: values captured from a URL template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Captures {
    pub path_params: Vec<(String, String)>,
}

/// Extracts template parameters, or `None` when the path does not fit (a
/// parameter never matches an empty segment, as in WireMock).
pub fn match_template(t: &PathTemplate, path: &str) -> Option<Vec<(String, String)>> {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    if parts.len() != t.segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (seg, part) in t.segments.iter().zip(parts) {
        match seg {
            TemplateSegment::Literal(l) if l == part => {}
            TemplateSegment::Literal(_) => return None,
            TemplateSegment::Param(_) if part.is_empty() => return None,
            TemplateSegment::Param(name) => params.push((name.clone(), part.to_string())),
        }
    }
    Some(params)
}

/// Parses `/orders/{id}/items/{item}`: literal segments and whole-segment
/// parameters, each name once.
pub fn parse_template(source: &str) -> Result<PathTemplate, String> {
    let shown = excerpt(source, 80);
    let mut segments = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for part in source.trim_start_matches('/').split('/') {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) if name.is_empty() || name.contains(['{', '}']) => {
                return Err(format!(
                    "invalid parameter `{}` in path template `{shown}`",
                    excerpt(part, 80)
                ))
            }
            Some(name) if names.contains(&name) => {
                return Err(format!(
                    "parameter `{}` appears twice in `{shown}`",
                    excerpt(name, 80)
                ))
            }
            Some(name) => {
                names.push(name);
                segments.push(TemplateSegment::Param(name.to_string()));
            }
            None if part.contains(['{', '}']) => {
                return Err(format!(
                    "a parameter must fill a whole segment: `{}` in `{shown}`",
                    excerpt(part, 80)
                ))
            }
            None => segments.push(TemplateSegment::Literal(part.to_string())),
        }
    }
    Ok(PathTemplate {
        source: source.to_string(),
        segments,
    })
}

/// URL regexes are anchored when loaded, so `is_match` is a whole-value match.
fn full_match(re: &seam_core::regexp::Whole, s: &str) -> bool {
    re.is_match(s)
}

fn url_mismatch(expected: &str, actual: &str, reason: String) -> Box<Mismatch> {
    Box::new(Mismatch::new(
        Part::Path,
        "",
        json!(expected),
        json!(actual),
        reason,
    ))
}

/// Whether the URL part matches `url_` (path and query) and `path`: the
/// template captures, or `None`.
fn url_captures(url: &UrlMatcher, url_: &str, path: &str) -> Option<Vec<(String, String)>> {
    let fits = match url {
        UrlMatcher::Any => true,
        UrlMatcher::Url(u) => u == url_,
        UrlMatcher::UrlPattern(re) => full_match(re, url_),
        UrlMatcher::UrlPath(p) => p == path,
        UrlMatcher::UrlPathPattern(re) => full_match(re, path),
        UrlMatcher::UrlPathTemplate(t) => return match_template(t, path),
    };
    fits.then(Vec::new)
}

/// Matches the URL part; returns template captures.
fn match_url(url: &UrlMatcher, req: &MockRequest) -> Result<Vec<(String, String)>, Box<Mismatch>> {
    let (url_, path) = (req.url.as_str(), req.path.as_str());
    if let Some(captures) = url_captures(url, url_, path) {
        return Ok(captures);
    }
    Err(match url {
        UrlMatcher::Any => unreachable!("any URL matches"),
        UrlMatcher::Url(u) => url_mismatch(u, url_, format!("expected URL {u} but was {url_}")),
        UrlMatcher::UrlPattern(re) => {
            let src = source_of(re);
            url_mismatch(
                src,
                url_,
                format!("expected URL matching {src} but was {url_}"),
            )
        }
        UrlMatcher::UrlPath(p) => {
            url_mismatch(p, path, format!("expected path {p} but was {path}"))
        }
        UrlMatcher::UrlPathPattern(re) => {
            let src = source_of(re);
            url_mismatch(
                src,
                path,
                format!("expected path matching {src} but was {path}"),
            )
        }
        UrlMatcher::UrlPathTemplate(t) => url_mismatch(
            &t.source,
            path,
            format!("expected path of the form {} but was {path}", t.source),
        ),
    })
}

/// Checks multi-valued parts (query parameters, headers): every value is offered
/// to the matcher at once (WireMock's `hasExactly`/`includes` need them all).
fn check_multi<'r>(
    out: &mut Vec<Mismatch>,
    part: Part,
    matchers: &[(String, StringMatcher)],
    get: impl Fn(&str) -> Option<&'r [String]>,
) {
    for (name, matcher) in matchers {
        let values: Vec<&str> = get(name)
            .unwrap_or(&[])
            .iter()
            .map(String::as_str)
            .collect();
        if let Err(reason) = matcher.check_values(&values) {
            out.push(Mismatch::new(
                part,
                name.clone(),
                Value::Null,
                json!(values),
                reason,
            ));
        }
    }
}

/// Whether `req` matches `pattern`, with the template captures: what
/// [`match_pattern`] decides, stopping at the first difference and writing
/// no reason. A pattern that reads cookies, form fields, multipart parts,
/// host or port, or a pact's expectation asks the request for its model.
pub fn matches(pattern: &RequestPattern, req: &impl RequestParts) -> Option<Captures> {
    let rare = pattern.pact_request.is_some()
        || !pattern.cookies.is_empty()
        || pattern.origin.is_some()
        || !pattern.form.is_empty()
        || !pattern.multipart.is_empty();
    if rare {
        return match_pattern(pattern, req.model()).ok();
    }
    if !pattern.method.accepts(req.method()) {
        return None;
    }
    let path_params = url_captures(&pattern.url, req.url(), req.path())?;
    for (name, matcher) in &pattern.path_parameters {
        let actual = path_params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        if !matcher.is_match(actual) {
            return None;
        }
    }
    for (name, matcher) in &pattern.query {
        if !req.with_query_values(name, |vs| matcher.matches_values(vs)) {
            return None;
        }
    }
    for (name, matcher) in &pattern.headers {
        if !req.with_header_values(name, |vs| matcher.matches_values(vs)) {
            return None;
        }
    }
    if let Some(credentials) = &pattern.basic_auth {
        let actual_ok = req.with_header_values("authorization", |vs| {
            basic_auth_ok(credentials, vs.first().copied())
        });
        if !actual_ok {
            return None;
        }
    }
    let body = req.body();
    let raw = (!body.is_empty()).then_some(&body[..]);
    if !StringMatcher::all_match_bytes(&pattern.body_patterns, raw) {
        return None;
    }
    Some(Captures { path_params })
}

/// The `Authorization` value basic credentials expect.
fn basic_auth_value((user, pass): &(String, String)) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

/// Whether `actual` carries the credentials (the scheme's case does not
/// matter: `basic ...` is accepted).
fn basic_auth_ok(credentials: &(String, String), actual: Option<&str>) -> bool {
    let expected = basic_auth_value(credentials);
    actual.is_some_and(|a| {
        a.len() == expected.len()
            && a[..6].eq_ignore_ascii_case("Basic ")
            && a.get(6..) == expected.get(6..)
    })
}

/// Checks every part of `pattern` against `req`. `Ok` carries template captures;
/// `Err` every mismatch (for near-miss reports).
pub fn match_pattern(
    pattern: &RequestPattern,
    req: &MockRequest,
) -> Result<Captures, Vec<Mismatch>> {
    let mut out = Vec::new();
    // a pact stub's expectation checks the method and path itself (the
    // pattern's copies only index it): checking both would report each
    // difference twice, in two phrasings
    let pact = pattern.pact_request.is_some();
    if !pact && !pattern.method.accepts(&req.method) {
        let m = pattern.method.as_str();
        out.push(Mismatch::new(
            Part::Method,
            "",
            json!(m),
            json!(req.method),
            format!("expected method {m} but was {}", req.method),
        ));
    }
    let url = if pact { &UrlMatcher::Any } else { &pattern.url };
    let path_params = match match_url(url, req) {
        Ok(p) => p,
        Err(m) => {
            out.push(*m);
            Vec::new()
        }
    };
    for (name, matcher) in &pattern.path_parameters {
        let actual = path_params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        if let Err(reason) = matcher.check(actual) {
            out.push(Mismatch::new(
                Part::Path,
                format!("{{{name}}}"),
                Value::Null,
                json!(actual),
                reason,
            ));
        }
    }
    check_multi(&mut out, Part::Query, &pattern.query, |n| {
        req.query.get_all(n)
    });
    check_multi(&mut out, Part::Header, &pattern.headers, |n| {
        req.headers.get_all(n)
    });
    for (name, matcher) in &pattern.cookies {
        let values: Vec<&str> = req
            .cookies
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect();
        if let Err(reason) = matcher.check_cookie(&values) {
            out.push(Mismatch::new(
                Part::Header,
                format!("Cookie {name}"),
                Value::Null,
                json!(values),
                reason,
            ));
        }
    }
    if let Some(credentials @ (user, _)) = &pattern.basic_auth {
        let actual = req.headers.get("authorization");
        if !basic_auth_ok(credentials, actual) {
            let expected = basic_auth_value(credentials);
            out.push(Mismatch::new(
                Part::Header,
                "Authorization",
                json!(expected),
                json!(actual),
                format!("expected basic credentials for user '{user}'"),
            ));
        }
    }
    if !pattern.body_patterns.is_empty() {
        let raw = (!req.body.is_empty()).then_some(&req.body[..]);
        for (i, matcher) in pattern.body_patterns.iter().enumerate() {
            if let Err(reason) = matcher.check_bytes(raw) {
                let excerpt: Option<String> =
                    req.body_text().map(|b| b.chars().take(200).collect());
                out.push(Mismatch::new(
                    Part::Body,
                    format!("bodyPatterns[{i}]"),
                    Value::Null,
                    json!(excerpt),
                    reason,
                ));
            }
        }
    }
    if let Some(origin) = &pattern.origin {
        check_origin(&mut out, origin, req);
    }
    if !pattern.form.is_empty() {
        let form = req.form_params();
        check_multi(&mut out, Part::Body, &pattern.form, |n| form.get_all(n));
    }
    if !pattern.multipart.is_empty() {
        check_multipart(&mut out, &pattern.multipart, req);
    }
    if let Some(spec) = &pattern.pact_request {
        let found = match_request(&spec.request, &req.to_core(), &spec.rules);
        let ignored = |m: &Mismatch| pattern.ignore_pact_headers && m.part == Part::Header;
        out.extend(found.into_iter().filter(|m| !ignored(m)));
    }
    if out.is_empty() {
        Ok(Captures { path_params })
    } else {
        Err(out)
    }
}

/// Checks WireMock's `scheme`, `host` and `port` against where the request
/// says it was sent.
fn check_origin(out: &mut Vec<Mismatch>, origin: &Origin, req: &MockRequest) {
    let (host, port) = req.host_and_port();
    if let Some(scheme) = origin.scheme.as_deref().filter(|s| *s != req.scheme()) {
        out.push(Mismatch::new(
            Part::Path,
            "scheme",
            json!(scheme),
            json!(req.scheme()),
            format!("expected scheme {scheme} but was {}", req.scheme()),
        ));
    }
    if let Some(m) = &origin.host {
        if let Err(reason) = m.check(host) {
            out.push(Mismatch::new(
                Part::Header,
                "Host",
                Value::Null,
                json!(host),
                format!("host: {reason}"),
            ));
        }
    }
    if let Some(p) = origin.port.filter(|p| *p != port) {
        out.push(Mismatch::new(
            Part::Header,
            "Host",
            json!(p),
            json!(port),
            format!("expected port {p} but was {port}"),
        ));
    }
}

/// Checks `multipartPatterns`: a request that is not multipart matches none;
/// an `ANY` pattern needs one part that satisfies it, an `ALL` pattern every
/// part.
fn check_multipart(out: &mut Vec<Mismatch>, patterns: &[MultipartPattern], req: &MockRequest) {
    let parts = req.multipart_parts();
    for (i, p) in patterns.iter().enumerate() {
        let at = format!("multipartPatterns[{i}]");
        let Some(parts) = &parts else {
            out.push(Mismatch::new(
                Part::Body,
                at,
                Value::Null,
                Value::Null,
                "expected a multipart body but the request is not multipart".to_string(),
            ));
            continue;
        };
        let results: Vec<Result<(), String>> =
            parts.iter().map(|part| check_part(p, part)).collect();
        let failure = if p.all {
            results.into_iter().find_map(Result::err)
        } else if results.iter().any(Result::is_ok) {
            None
        } else {
            let first = results.into_iter().find_map(Result::err);
            Some(format!(
                "no part matched: {}",
                first.unwrap_or_else(|| "the body has no part".into())
            ))
        };
        if let Some(reason) = failure {
            out.push(Mismatch::new(
                Part::Body,
                at,
                Value::Null,
                Value::Null,
                reason,
            ));
        }
    }
}

fn check_part(p: &MultipartPattern, part: &MultipartPart) -> Result<(), String> {
    for (name, m) in &p.headers {
        let values = part.headers.values(name);
        m.check_values(&values)
            .map_err(|e| format!("part header {name}: {e}"))?;
    }
    for m in &p.body_patterns {
        m.check_bytes(Some(&part.body))
            .map_err(|e| format!("part body: {e}"))?;
    }
    Ok(())
}

/// How far a request is from a pattern, 0.0 (match) to 1.0, for ranking near
/// misses. The path weighs most, by similarity (edit distance between the
/// request's path and the pattern's, so `/todoz/1` is close to `/todos/{id}`
/// and far from `/reset`), then the method, then the share of the other
/// checks that failed.
pub fn distance(pattern: &RequestPattern, req: &MockRequest, mismatches: &[Mismatch]) -> f64 {
    let pact_spec = pattern.pact_request.as_deref();
    let path_missed = mismatches.iter().any(|m| m.part == Part::Path);
    let path = if path_missed {
        path_dissimilarity(pattern, pact_spec, req)
    } else {
        0.0
    };
    let method = if mismatches.iter().any(|m| m.part == Part::Method) {
        1.0
    } else {
        0.0
    };
    let others = pattern.path_parameters.len()
        + pattern.query.len()
        + pattern.headers.len()
        + pattern.cookies.len()
        + pattern.body_patterns.len()
        + pattern.form.len()
        + pattern.multipart.len()
        + usize::from(pattern.origin.is_some())
        + usize::from(pattern.basic_auth.is_some())
        + usize::from(pact_spec.is_some());
    let failed = mismatches
        .iter()
        .filter(|m| !matches!(m.part, Part::Method | Part::Path))
        .count();
    let rest = (failed as f64 / others.max(1) as f64).min(1.0);
    0.7 * path + 0.2 * method + 0.1 * rest
}

/// How unlike the pattern's path the request's is: the edit distance between
/// the two, over the longer length (0.0 same, 1.0 nothing in common). A
/// template's parameters take the request's segments; a regex is compared as
/// written. The comparison looks at the first 256 characters of each.
fn path_dissimilarity(
    pattern: &RequestPattern,
    pact: Option<&seam_core::interaction::RequestSpec>,
    req: &MockRequest,
) -> f64 {
    const LOOKED_AT: usize = 256;
    let cut = |s: &str| -> String { s.chars().take(LOOKED_AT).collect() };
    let (expected, actual): (String, &str) = match (&pattern.url, pact) {
        (_, Some(spec)) => (cut(&spec.request.path), &req.path),
        (UrlMatcher::Any, None) => return 0.0,
        (UrlMatcher::Url(u), None) => (cut(u), &req.url),
        (UrlMatcher::UrlPattern(re), None) => (cut(source_of(re)), &req.url),
        (UrlMatcher::UrlPath(p), None) => (cut(p), &req.path),
        (UrlMatcher::UrlPathPattern(re), None) => (cut(source_of(re)), &req.path),
        (UrlMatcher::UrlPathTemplate(t), None) => {
            let parts: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
            let filled: Vec<&str> = t
                .segments
                .iter()
                .enumerate()
                .map(|(i, seg)| match seg {
                    TemplateSegment::Literal(l) => l.as_str(),
                    TemplateSegment::Param(p) => parts.get(i).copied().unwrap_or(p.as_str()),
                })
                .collect();
            (cut(&format!("/{}", filled.join("/"))), &req.path)
        }
    };
    let actual = cut(actual);
    let longest = expected.chars().count().max(actual.chars().count()).max(1);
    seam_core::source::edit_distance(&expected, &actual) as f64 / longest as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::HyperRequest;
    use bytes::Bytes;
    use serde_json::json;

    /// A request as hyper hands it over: its head and body.
    fn hyper_request(
        method: &str,
        url: &str,
        headers: &[(&str, &[u8])],
        body: &str,
    ) -> (hyper::http::request::Parts, Bytes) {
        let mut b = hyper::Request::builder().method(method).uri(url);
        for (k, v) in headers {
            b = b.header(*k, hyper::header::HeaderValue::from_bytes(v).unwrap());
        }
        let (parts, ()) = b.body(()).unwrap().into_parts();
        (parts, Bytes::from(body.to_string()))
    }

    /// Matching a request read in place decides as matching its full model
    /// does, with the same captures, for every part a mapping can check.
    #[test]
    fn the_view_of_hyper_request_matches_as_the_model() {
        let mappings = [
            json!({"method": "GET", "url": "/a/b?x=1"}),
            json!({"method": "ANY", "urlPattern": "/a/.*\\?x=[0-9]"}),
            json!({"method": "GET", "urlPath": "/a/b"}),
            json!({"method": "GET", "urlPathPattern": "/a/[a-z]+"}),
            json!({"method": "GET", "urlPathTemplate": "/a/{id}",
                   "pathParameters": {"id": {"matches": "[a-z]"}}}),
            json!({"method": "PATCH", "urlPath": "/a/b"}),
            json!({"urlPath": "/a/b", "queryParameters": {"x": {"equalTo": "1"}}}),
            json!({"urlPath": "/a/b", "queryParameters": {"q": {"equalTo": "a b&c"}}}),
            json!({"urlPath": "/a/b", "queryParameters": {"q": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}}}),
            json!({"urlPath": "/a/b", "queryParameters": {"missing": {"absent": true}}}),
            json!({"urlPath": "/a/b", "queryParameters": {"q": {"includes": [{"equalTo": "10"}]}}}),
            json!({"urlPath": "/a/b", "headers": {"X-Many": {"includes": [{"equalTo": "v9"}]}}}),
            json!({"urlPath": "/a/b", "queryParameters": {"x": {"doesNotMatch": "[0-9]"}}}),
            json!({"urlPath": "/a/b", "headers": {"X-Tenant": {"contains": "acme"}}}),
            json!({"urlPath": "/a/b", "headers": {"x-tenant": {"equalTo": "ACME-1", "caseInsensitive": true}}}),
            json!({"urlPath": "/a/b", "headers": {"Accept": {"includes": [{"equalTo": "text/plain"}]}}}),
            json!({"urlPath": "/a/b", "headers": {"Accept": {"hasExactly": [{"equalTo": "text/plain"}, {"contains": "json"}]}}}),
            json!({"urlPath": "/a/b", "headers": {"Content-Type": {"equalTo": "application/json"}}}),
            json!({"urlPath": "/a/b", "headers": {"Content-Type": {"equalTo": "APPLICATION/JSON"}}}),
            json!({"urlPath": "/a/b", "headers": {"X-Raw": {"contains": "\u{fffd}"}}}),
            json!({"urlPath": "/a/b", "headers": {"X-None": {"absent": true}}}),
            json!({"urlPath": "/a/b", "headers": {"X-Tenant": {"not": {"contains": "other"}}}}),
            json!({"urlPath": "/a/b", "headers": {"Bad Name": {"absent": true}}}),
            json!({"urlPath": "/a/b", "basicAuthCredentials": {"username": "u", "password": "p"}}),
            json!({"urlPath": "/a/b", "cookies": {"session": {"equalTo": "s1"}}}),
            json!({"urlPath": "/a/b", "host": {"equalTo": "example.com"}}),
            json!({"urlPath": "/a/b", "bodyPatterns": [{"equalToJson": {"a": 1}, "ignoreExtraElements": true}]}),
            json!({"urlPath": "/a/b", "bodyPatterns": [{"matchesJsonPath": "$.c[?(@.d == 'e')]"}, {"contains": "\"a\""}]}),
            json!({"urlPath": "/a/b", "bodyPatterns": [{"absent": true}]}),
        ];
        let auth = format!(
            "basic {}",
            base64::engine::general_purpose::STANDARD.encode("u:p")
        );
        type Asked<'a> = (&'a str, &'a str, Vec<(&'a str, &'a [u8])>, &'a str);
        let requests: Vec<Asked> = vec![
            ("GET", "/a/b?x=1", vec![], ""),
            (
                "get",
                "/a/b?x=1&q=a+b%26c",
                vec![("X-Tenant", b"acme-1")],
                "",
            ),
            (
                "PATCH",
                "/a/b?q=1&q=2",
                vec![("Accept", b"text/plain"), ("accept", b"application/json")],
                "",
            ),
            (
                "GET",
                "/a/B",
                vec![("Content-Type", b"APPLICATION/JSON")],
                "",
            ),
            (
                "GET",
                "/a/b",
                vec![("Content-Type", b"APPLICATION/JSON")],
                "",
            ),
            (
                "GET",
                "/a/b",
                vec![("content-type", b"Text/Plain; Charset=utf-8")],
                "",
            ),
            (
                "GET",
                "/a/",
                vec![("Content-Type", b"application/json")],
                "",
            ),
            (
                "POST",
                "/a/b",
                vec![("X-Raw", b"caf\xe9"), ("Authorization", auth.as_bytes())],
                r#"{"a": 1, "c": {"d": "e"}}"#,
            ),
            (
                "POST",
                "/a/b?x=x",
                vec![("Cookie", b"session=s1; other=2"), ("Host", b"example.com")],
                r#"{"a": 2}"#,
            ),
            ("GET", "/a/%41b", vec![("X-Tenant", b"other")], "not json"),
            (
                "GET",
                "/a/b?q=1&q=2&q=3&q=4&q=5&q=6&q=7&q=8&q=9&%71=10",
                (0..10)
                    .map(|i| {
                        (
                            "X-Many",
                            [
                                b"v0", b"v1", b"v2", b"v3", b"v4", b"v5", b"v6", b"v7", b"v8",
                                b"v9",
                            ][i]
                                .as_slice(),
                        )
                    })
                    .collect(),
                "",
            ),
        ];
        for mapping in &mappings {
            let pattern = crate::wiremock::stub_from_mapping(
                &json!({"request": mapping, "response": {"status": 200}}),
                None,
            )
            .unwrap_or_else(|e| panic!("{mapping}: {e}"))
            .request;
            for (method, url, headers, body) in &requests {
                let (parts, body) = hyper_request(method, url, headers, body);
                let view = HyperRequest::new(&parts, &body, None, [127, 0, 0, 1].into());
                let model = MockRequest::from_hyper(
                    &parts.method,
                    &parts.uri,
                    &parts.headers,
                    body.clone(),
                    "".into(),
                    [127, 0, 0, 1].into(),
                );
                let expected = match_pattern(&pattern, &model).ok();
                let case = format!("{mapping} against {method} {url} {headers:?}");
                assert_eq!(matches(&pattern, &view), expected, "view: {case}");
                assert_eq!(matches(&pattern, &model), expected, "model: {case}");
            }
        }
    }
}
