//! What the mock says about a request: the 404 near-miss page a client gets
//! when no stub matches, the request log lines it writes to stderr (unmatched
//! requests, or every request with `--verbose`), how stubs are named in both
//! (their `name`, else method and URL), how far a request is from a stub on
//! WireMock's scale (what the admin API's near misses report), and the
//! bounded excerpts that keep a 10 KB method or a 200 KB body from being
//! echoed in full.

use crate::registry::NearMiss;
use crate::request::MockRequest;
use crate::stub::{RequestPattern, Stub, UrlMatcher};
use seam_core::matching::{Mismatch, Part};
use seam_core::regexp::{excerpt, source_of};
use std::borrow::Cow;

/// The longest method echoed, in characters.
pub const MAX_METHOD: usize = 32;
/// The longest URL echoed, in characters.
pub const MAX_URL: usize = 1024;
/// The longest mismatch line echoed, in characters.
pub const MAX_LINE: usize = 512;
/// The longest body (or header value) echoed in the reproducing curl command.
pub const MAX_BODY: usize = 2048;

/// How reports name a stub: its name, else its method and URL
/// (`GET /todos/{id}`); never its id, which says nothing to a reader.
pub fn stub_label(stub: &Stub) -> String {
    if let Some(name) = stub.name.as_deref().filter(|n| !n.is_empty()) {
        return excerpt(name, MAX_URL).into_owned();
    }
    let method = stub.request.method.as_str();
    let url = match &stub.request.url {
        UrlMatcher::Any => "(any URL)",
        UrlMatcher::Url(u) | UrlMatcher::UrlPath(u) => u.as_str(),
        UrlMatcher::UrlPattern(re) | UrlMatcher::UrlPathPattern(re) => source_of(re),
        UrlMatcher::UrlPathTemplate(t) => t.source.as_str(),
    };
    format!("{} {}", excerpt(method, MAX_METHOD), excerpt(url, MAX_URL))
}

/// `METHOD URL` of a request, both bounded.
pub fn request_line(req: &MockRequest) -> String {
    format!(
        "{} {}",
        excerpt(&req.method, MAX_METHOD),
        excerpt(&req.url, MAX_URL)
    )
}

/// The body of the 404 answer: the request, the closest stubs with what
/// differed (each difference once), and a curl command reproducing it.
pub fn near_miss_page(req: &MockRequest, misses: &[NearMiss]) -> String {
    let mut out = String::from("Request was not matched\n=======================\n\n");
    out.push_str(&request_line(req));
    out.push('\n');
    if misses.is_empty() {
        out.push_str("\nNo stubs are loaded.\n");
    }
    for m in misses {
        out.push_str(&format!(
            "\nClosest stub: {} (distance {:.2})\n",
            stub_label(&m.stub),
            m.distance
        ));
        for mm in &m.mismatches {
            let line = format!("{}: {}", mm.location(), mm.reason);
            out.push_str(&format!("  - {}\n", excerpt(&line, MAX_LINE)));
        }
    }
    out.push_str(&format!("\nReproduce: {}\n", curl(req)));
    out
}

/// A curl command sending `req` again (seam-core's, credentials redacted),
/// with long values cut (a cut command says so and no longer reproduces the
/// request exactly).
fn curl(req: &MockRequest) -> String {
    let url = format!("{}{}", req.base_url, excerpt(&req.url, MAX_URL));
    let headers: Vec<(&str, Cow<'_, str>)> = req
        .headers
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| (k, excerpt(v, MAX_BODY))))
        .collect();
    let body = req.body_text().map(|b| excerpt(&b, MAX_BODY).into_owned());
    seam_core::reproduce::curl(
        &excerpt(&req.method, MAX_METHOD),
        &url,
        headers.iter().map(|(k, v)| (*k, v.as_ref())),
        body.as_deref(),
    )
}

/// The stderr line for an unmatched request (as WireMock logs them): method,
/// URL and the closest stub with its first difference.
pub fn unmatched_line(req: &MockRequest, closest: Option<&NearMiss>) -> String {
    let mut line = format!("seam mock: unmatched {}", request_line(req));
    match closest {
        Some(m) => {
            line.push_str(&format!("; closest stub: {}", stub_label(&m.stub)));
            if let Some(first) = m.mismatches.first() {
                let why = format!("{}: {}", first.location(), first.reason);
                line.push_str(&format!(
                    " ({})",
                    excerpt(&why, MAX_LINE).replace('\n', " ")
                ));
            }
        }
        None => line.push_str("; no stubs are loaded"),
    }
    line
}

/// The `--verbose` stderr line for a request a stub (or the proxy) answered.
pub fn served_line(method: &str, url: &str, status: u16, by: &str) -> String {
    format!(
        "seam mock: {} {} -> {status} by {by}",
        excerpt(method, MAX_METHOD),
        excerpt(url, MAX_URL)
    )
}

/// How far `req` is from `pattern` (which it missed by `mismatches`) on
/// WireMock 3's scale, 0.0 (a match) to 1.0, so near misses read as
/// WireMock's do. WireMock weighs the URL 10 and the method 3 (with the
/// scheme 3, host 10, port 10 and client IP 3 seam does not match on, all
/// matching): when either differs, that is the whole distance, over 39.
/// Otherwise each further part (path parameters, headers with basic
/// credentials, query, form, cookies, body, multipart) weighs 1, as the
/// share of its matchers that failed, over 46. An exact `url`/`urlPath`
/// (or a pact's path) that differs counts by edit distance, as WireMock's
/// `equalTo`; a regex or template differs entirely.
pub fn wiremock_distance(
    pattern: &RequestPattern,
    req: &MockRequest,
    mismatches: &[Mismatch],
) -> f64 {
    /// Long URLs are compared on this many characters (the edit distance is quadratic).
    const LOOKED_AT: usize = 1024;
    let similar = |expected: &str, actual: &str| -> f64 {
        let cut = |s: &str| -> String { s.chars().take(LOOKED_AT).collect() };
        let (e, a) = (cut(expected), cut(actual));
        let longest = e.chars().count().max(a.chars().count()).max(1);
        seam_core::source::edit_distance(&e, &a) as f64 / longest as f64
    };
    let url_missed = mismatches
        .iter()
        .any(|m| m.part == Part::Path && !m.path.starts_with('{'));
    let raw_path = req.url.split('?').next().unwrap_or("");
    let url = if !url_missed {
        0.0
    } else if let Some(spec) = &pattern.pact_request {
        similar(&spec.request.path, &req.path)
    } else {
        match &pattern.url {
            UrlMatcher::Url(u) => similar(u, &req.url),
            UrlMatcher::UrlPath(p) => similar(p, raw_path),
            _ => 1.0,
        }
    };
    let method = if mismatches.iter().any(|m| m.part == Part::Method) {
        1.0
    } else {
        0.0
    };
    if url > 0.0 || method > 0.0 {
        return (10.0 * url + 3.0 * method) / 39.0;
    }
    let pact = pattern.pact_request.is_some();
    // the share of a part's matchers that failed (a pact's parts count as one each)
    let share = |failed: usize, of: usize| -> f64 {
        if failed == 0 {
            0.0
        } else if pact {
            1.0
        } else {
            (failed as f64 / of.max(1) as f64).min(1.0)
        }
    };
    let count = |keep: &dyn Fn(&Mismatch) -> bool| mismatches.iter().filter(|m| keep(m)).count();
    let cookie = |m: &Mismatch| m.part == Part::Header && m.path.starts_with("Cookie ");
    let parts = [
        share(
            count(&|m| m.part == Part::Path),
            pattern.path_parameters.len(),
        ),
        share(
            count(&|m| m.part == Part::Header && !cookie(m)),
            pattern.headers.len() + usize::from(pattern.basic_auth.is_some()),
        ),
        share(count(&|m| m.part == Part::Query), pattern.query.len()),
        share(count(&cookie), pattern.cookies.len()),
        share(
            count(&|m| m.part == Part::Body),
            pattern.body_patterns.len(),
        ),
    ];
    // form parameters and multipart patterns weigh 1 each and match here
    parts.iter().sum::<f64>() / 46.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_say_how_much_was_cut() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("ééééé", 2), "éé… (6 more bytes cut)");
        let long = "X".repeat(10_000);
        let cut = excerpt(&long, MAX_METHOD);
        assert!(cut.len() < 100, "{cut}");
        assert!(cut.ends_with("(9968 more bytes cut)"), "{cut}");
    }
}
