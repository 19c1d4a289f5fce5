//! Matching a request against a stub's request pattern. Every difference is a
//! seam-core `Mismatch` (same model as the contract engine), so a 404 can say
//! exactly which parts of the closest stubs differed.

use crate::matchers::regex_source;
use crate::request::MockRequest;
use crate::stub::{PathTemplate, RequestPattern, TemplateSegment, UrlMatcher};
use base64::Engine;
use seam_core::matching::{match_request, Mismatch, Part};
use serde_json::{json, Value};

/// The result of a successful match: values captured from a URL template.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Captures {
    pub path_params: Vec<(String, String)>,
}

/// Extracts template parameters, or `None` when the path does not fit.
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
            TemplateSegment::Param(name) => params.push((name.clone(), part.to_string())),
        }
    }
    Some(params)
}

/// Parses `/orders/{id}/items/{item}`: literal segments and whole-segment
/// parameters, each name once.
pub fn parse_template(source: &str) -> Result<PathTemplate, String> {
    let mut segments = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for part in source.trim_start_matches('/').split('/') {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) if name.is_empty() || name.contains(['{', '}']) => {
                return Err(format!(
                    "invalid parameter `{part}` in path template `{source}`"
                ))
            }
            Some(name) if names.contains(&name) => {
                return Err(format!("parameter `{name}` appears twice in `{source}`"))
            }
            Some(name) => {
                names.push(name);
                segments.push(TemplateSegment::Param(name.to_string()));
            }
            None if part.contains(['{', '}']) => {
                return Err(format!(
                    "a parameter must fill a whole segment: `{part}` in `{source}`"
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
fn full_match(re: &regex::Regex, s: &str) -> bool {
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

/// Matches the URL part; returns template captures.
fn match_url(url: &UrlMatcher, req: &MockRequest) -> Result<Vec<(String, String)>, Box<Mismatch>> {
    let (url_, path) = (req.url.as_str(), req.path.as_str());
    match url {
        UrlMatcher::Any => Ok(Vec::new()),
        UrlMatcher::Url(u) if u == url_ => Ok(Vec::new()),
        UrlMatcher::Url(u) => Err(url_mismatch(
            u,
            url_,
            format!("expected URL {u} but was {url_}"),
        )),
        UrlMatcher::UrlPattern(re) if full_match(re, url_) => Ok(Vec::new()),
        UrlMatcher::UrlPattern(re) => {
            let src = regex_source(re);
            Err(url_mismatch(
                src,
                url_,
                format!("expected URL matching {src} but was {url_}"),
            ))
        }
        UrlMatcher::UrlPath(p) if p == path => Ok(Vec::new()),
        UrlMatcher::UrlPath(p) => Err(url_mismatch(
            p,
            path,
            format!("expected path {p} but was {path}"),
        )),
        UrlMatcher::UrlPathPattern(re) if full_match(re, path) => Ok(Vec::new()),
        UrlMatcher::UrlPathPattern(re) => {
            let src = regex_source(re);
            Err(url_mismatch(
                src,
                path,
                format!("expected path matching {src} but was {path}"),
            ))
        }
        UrlMatcher::UrlPathTemplate(t) => match_template(t, path).ok_or_else(|| {
            url_mismatch(
                &t.source,
                path,
                format!("expected path of the form {} but was {path}", t.source),
            )
        }),
    }
}

/// Checks multi-valued parts (query parameters, headers): every value is offered
/// to the matcher at once (WireMock's `hasExactly`/`includes` need them all).
fn check_multi<'r>(
    out: &mut Vec<Mismatch>,
    part: Part,
    matchers: &[(String, crate::matchers::StringMatcher)],
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

/// Checks every part of `pattern` against `req`. `Ok` carries template captures;
/// `Err` every mismatch (for near-miss reports).
pub fn match_pattern(
    pattern: &RequestPattern,
    req: &MockRequest,
) -> Result<Captures, Vec<Mismatch>> {
    let mut out = Vec::new();
    if let Some(m) = &pattern.method {
        if m != "ANY" && !m.eq_ignore_ascii_case(&req.method) {
            out.push(Mismatch::new(
                Part::Method,
                "",
                json!(m),
                json!(req.method),
                format!("expected method {m} but was {}", req.method),
            ));
        }
    }
    let path_params = match match_url(&pattern.url, req) {
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
    if let Some((user, pass)) = &pattern.basic_auth {
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
        );
        let actual = req.headers.get("authorization");
        if actual != Some(expected.as_str()) {
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
    if let Some(spec) = &pattern.pact_request {
        out.extend(match_request(&spec.request, &req.to_core(), &spec.rules));
    }
    if out.is_empty() {
        Ok(Captures { path_params })
    } else {
        Err(out)
    }
}

/// How far a request is from a pattern, 0.0 (match) to 1.0: the share of the
/// pattern's checks that failed, with the URL and method weighing most.
pub fn distance(pattern: &RequestPattern, mismatches: &[Mismatch]) -> f64 {
    let checks = 2.0
        + pattern.path_parameters.len() as f64
        + pattern.query.len() as f64
        + pattern.headers.len() as f64
        + pattern.cookies.len() as f64
        + pattern.body_patterns.len() as f64
        + f64::from(u8::from(pattern.basic_auth.is_some()))
        + f64::from(u8::from(pattern.pact_request.is_some()));
    let failed: f64 = mismatches
        .iter()
        .map(|m| match m.part {
            Part::Method | Part::Path => 1.5,
            _ => 1.0,
        })
        .sum();
    (failed / (checks + 1.0)).min(1.0)
}
