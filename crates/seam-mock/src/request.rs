//! The request as the mock server sees it: parsed once from hyper's request and
//! shared by matching, templating, the journal and the admin API. It is what
//! WireMock's matchers see: the raw path, a `Content-Type` as Jetty passes it
//! on; and its form fields, multipart parts, host and port on demand.
//! Matching reads it through [`RequestParts`], which [`HyperRequest`] also
//! gives straight from hyper's request head, building the model only when a
//! stub reads more than method, URL, query, headers and body.

use bytes::Bytes;
use seam_core::http::{query_pairs, Body, Headers, Query, Request};
use std::borrow::Cow;
use std::sync::Arc;
use std::sync::OnceLock;

/// What request matching reads of a request: the full [`MockRequest`], or a
/// [`HyperRequest`] view that copies nothing until asked.
pub trait RequestParts {
    /// The method, upper case.
    fn method(&self) -> &str;
    /// Path and query string as sent.
    fn url(&self) -> &str;
    /// The path as sent (not percent-decoded).
    fn path(&self) -> &str;
    /// `f` of the values of query parameter `name` (decoded; none when absent).
    fn with_query_values<R>(&self, name: &str, f: impl FnOnce(&[&str]) -> R) -> R;
    /// `f` of the values of header `name` (any case; none when absent), a
    /// `Content-Type` as WireMock sees it.
    fn with_header_values<R>(&self, name: &str, f: impl FnOnce(&[&str]) -> R) -> R;
    fn body(&self) -> &Bytes;
    /// The whole model, for what matching reads rarely (cookies, form
    /// fields, multipart parts, host and port, a pact's expectation).
    fn model(&self) -> &MockRequest;
}

/// `f` of `values` as a slice, without allocating for up to 8 of them.
fn with_strs<'s, R>(mut values: impl Iterator<Item = &'s str>, f: impl FnOnce(&[&str]) -> R) -> R {
    let mut buf = [""; 8];
    for (n, slot) in buf.iter_mut().enumerate() {
        match values.next() {
            Some(v) => *slot = v,
            None => return f(&buf[..n]),
        }
    }
    let mut all = buf.to_vec();
    all.extend(values);
    f(&all)
}

impl RequestParts for MockRequest {
    fn method(&self) -> &str {
        &self.method
    }

    fn url(&self) -> &str {
        &self.url
    }

    fn path(&self) -> &str {
        &self.path
    }

    fn with_query_values<R>(&self, name: &str, f: impl FnOnce(&[&str]) -> R) -> R {
        let values = self.query.get_all(name).unwrap_or(&[]);
        with_strs(values.iter().map(String::as_str), f)
    }

    fn with_header_values<R>(&self, name: &str, f: impl FnOnce(&[&str]) -> R) -> R {
        let values = self.headers.get_all(name).unwrap_or(&[]);
        with_strs(values.iter().map(String::as_str), f)
    }

    fn body(&self) -> &Bytes {
        &self.body
    }

    fn model(&self) -> &MockRequest {
        self
    }
}

/// A request as hyper gave it, read in place: what [`MockRequest`] would
/// hold, computed on demand (query parameters read from the query string,
/// decoding only what is percent-encoded; headers read from hyper's map),
/// and the model itself built only when asked for.
pub struct HyperRequest<'a> {
    head: &'a hyper::http::request::Parts,
    method: Cow<'a, str>,
    url: &'a str,
    path: &'a str,
    raw_query: &'a str,
    body: &'a Bytes,
    base_url: Option<&'a Arc<str>>,
    client_ip: std::net::IpAddr,
    /// Boxed: a request's future holds this view, and most never build it.
    model: OnceLock<Box<MockRequest>>,
}

impl<'a> HyperRequest<'a> {
    pub fn new(
        head: &'a hyper::http::request::Parts,
        body: &'a Bytes,
        base_url: Option<&'a Arc<str>>,
        client_ip: std::net::IpAddr,
    ) -> Self {
        let method = head.method.as_str();
        let method = if method.bytes().any(|b| b.is_ascii_lowercase()) {
            Cow::Owned(method.to_ascii_uppercase())
        } else {
            Cow::Borrowed(method)
        };
        let url = head.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let (path, raw_query) = url.split_once('?').unwrap_or((url, ""));
        HyperRequest {
            head,
            method,
            url,
            path,
            raw_query,
            body,
            base_url,
            client_ip,
            model: OnceLock::new(),
        }
    }

    /// Whether the model was built (something read more than the view gives).
    pub fn has_model(&self) -> bool {
        self.model.get().is_some()
    }

    /// The model, built now if no one asked for it yet.
    pub fn into_model(self) -> MockRequest {
        match self.model.into_inner() {
            Some(m) => *m,
            None => build_model(self.head, self.body, self.base_url, self.client_ip),
        }
    }
}

fn build_model(
    head: &hyper::http::request::Parts,
    body: &Bytes,
    base_url: Option<&Arc<str>>,
    client_ip: std::net::IpAddr,
) -> MockRequest {
    MockRequest::from_hyper(
        &head.method,
        &head.uri,
        &head.headers,
        body.clone(),
        base_url.cloned().unwrap_or_else(|| "".into()),
        client_ip,
    )
}

/// A header value as matchers see it, when that is the value as sent: UTF-8,
/// and a `Content-Type` that WireMock would not normalize.
fn as_sent(value: &hyper::header::HeaderValue, content_type: bool) -> Option<&str> {
    std::str::from_utf8(value.as_bytes())
        .ok()
        .filter(|t| !content_type || normalize_content_type(t) == *t)
}

impl RequestParts for HyperRequest<'_> {
    fn method(&self) -> &str {
        &self.method
    }

    fn url(&self) -> &str {
        self.url
    }

    fn path(&self) -> &str {
        self.path
    }

    fn with_query_values<R>(&self, name: &str, f: impl FnOnce(&[&str]) -> R) -> R {
        // the query string is read again for each matcher: short, and
        // decoded only where it is percent-encoded
        let mut values: [Cow<'_, str>; 8] = Default::default();
        let mut n = 0;
        for (k, v) in query_pairs(self.raw_query) {
            if k != name {
                continue;
            }
            if n == values.len() {
                let all: Vec<Cow<'_, str>> = query_pairs(self.raw_query)
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v)
                    .collect();
                return with_strs(all.iter().map(|v| &**v), f);
            }
            values[n] = v;
            n += 1;
        }
        with_strs(values[..n].iter().map(|v| &**v), f)
    }

    fn with_header_values<R>(&self, name: &str, f: impl FnOnce(&[&str]) -> R) -> R {
        // a few headers: a scan comparing names beats hashing the name
        let headers = &self.head.headers;
        let values = || {
            headers
                .iter()
                .filter(|(k, _)| k.as_str().eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        };
        let content_type = name.eq_ignore_ascii_case("content-type");
        // nearly always: UTF-8 values, a Content-Type already as Jetty passes it on
        let mut plain = [""; 8];
        let mut n = 0;
        let mut as_is = true;
        for v in values() {
            match as_sent(v, content_type) {
                Some(text) if n < plain.len() => {
                    plain[n] = text;
                    n += 1;
                }
                _ => {
                    as_is = false;
                    break;
                }
            }
        }
        if as_is {
            return f(&plain[..n]);
        }
        // as the model reads them: invalid UTF-8 replaced, Content-Type normalized
        let owned: Vec<String> = values()
            .map(|v| {
                let text = String::from_utf8_lossy(v.as_bytes());
                if content_type {
                    normalize_content_type(&text).into_owned()
                } else {
                    text.into_owned()
                }
            })
            .collect();
        with_strs(owned.iter().map(String::as_str), f)
    }

    fn body(&self) -> &Bytes {
        self.body
    }

    fn model(&self) -> &MockRequest {
        self.model.get_or_init(|| {
            Box::new(build_model(
                self.head,
                self.body,
                self.base_url,
                self.client_ip,
            ))
        })
    }
}

/// An incoming request, fully read.
#[derive(Debug, Clone)]
pub struct MockRequest {
    pub method: String,
    /// Path and query string as sent (`/a/b?x=1`).
    pub url: String,
    /// The path as sent, not percent-decoded: WireMock and the official Pact
    /// stub server both match the raw path (`/a%20b` is not `/a b`).
    pub path: String,
    pub query: Query,
    pub headers: Headers,
    pub cookies: Vec<(String, String)>,
    pub body: Bytes,
    /// `http://127.0.0.1:PORT` (shared by every request).
    pub base_url: std::sync::Arc<str>,
    pub client_ip: std::net::IpAddr,
}

/// A request kept compactly: the journal entry of a request answered on the
/// fast path (a static stub chosen by method and exact path), turned into a
/// [`MockRequest`] only when the journal is read. The URL and headers are
/// copied as bytes into one buffer: hyper's header values point into the
/// connection's read buffer, which a kept `HeaderMap` would keep alive
/// (kilobytes each); text decoding waits for a read.
#[derive(Debug, Clone)]
pub struct RawRequest {
    method: hyper::Method,
    /// `URL\nname:value\nname:value...` (header names and values hold no
    /// newline), then the body from `body_at`: one buffer, reused.
    head: Vec<u8>,
    body_at: usize,
    base_url: std::sync::Arc<str>,
    client_ip: std::net::IpAddr,
}

/// A request head as hyper gives it (from a request or its parts): what the
/// journal copies of a request.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    pub method: &'a hyper::Method,
    pub uri: &'a hyper::Uri,
    pub headers: &'a hyper::HeaderMap,
    pub version: hyper::Version,
}

impl<'a, B> From<&'a hyper::Request<B>> for Head<'a> {
    fn from(r: &'a hyper::Request<B>) -> Self {
        Head {
            method: r.method(),
            uri: r.uri(),
            headers: r.headers(),
            version: r.version(),
        }
    }
}

impl<'a> From<&'a hyper::http::request::Parts> for Head<'a> {
    fn from(p: &'a hyper::http::request::Parts) -> Self {
        Head {
            method: &p.method,
            uri: &p.uri,
            headers: &p.headers,
            version: p.version,
        }
    }
}

impl RawRequest {
    /// `body` is copied as given (the journal cuts a long one first).
    pub fn new(
        request: Head<'_>,
        body: &[u8],
        base_url: std::sync::Arc<str>,
        client_ip: std::net::IpAddr,
    ) -> Self {
        let mut raw = RawRequest {
            method: request.method.clone(),
            head: Vec::new(),
            body_at: 0,
            base_url,
            client_ip,
        };
        raw.copy_head(request, body);
        raw
    }

    /// Makes this entry another request to the same server, reusing its
    /// buffer (how a full journal records without allocating).
    pub fn refill(&mut self, request: Head<'_>, body: &[u8], client_ip: std::net::IpAddr) {
        self.method = request.method.clone();
        self.client_ip = client_ip;
        self.copy_head(request, body);
    }

    fn copy_head(&mut self, request: Head<'_>, body: &[u8]) {
        let url = request
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let head = &mut self.head;
        if head.capacity() > 4096 {
            // a reused buffer does not stay as large as the largest head it held
            *head = Vec::new();
        }
        head.clear();
        head.extend_from_slice(url.as_bytes());
        for (k, v) in request.headers {
            head.push(b'\n');
            head.extend_from_slice(k.as_str().as_bytes());
            head.push(b':');
            head.extend_from_slice(v.as_bytes());
        }
        self.body_at = head.len();
        head.extend_from_slice(body);
    }

    pub fn to_model(&self) -> MockRequest {
        let (head, body) = self.head.split_at(self.body_at);
        let mut lines = head.split(|&b| b == b'\n');
        let url = String::from_utf8_lossy(lines.next().unwrap_or(b"/"));
        let mut headers = Headers::new();
        for line in lines {
            if let Some(colon) = line.iter().position(|&b| b == b':') {
                headers.append(
                    String::from_utf8_lossy(&line[..colon]).into_owned(),
                    String::from_utf8_lossy(&line[colon + 1..]).into_owned(),
                );
            }
        }
        MockRequest::new(
            self.method.as_str(),
            &url,
            headers,
            Bytes::copy_from_slice(body),
            self.base_url.clone(),
            self.client_ip,
        )
    }
}

/// One part of a multipart body: its headers and its bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct MultipartPart {
    pub headers: Headers,
    pub body: Bytes,
}

/// Splits a multipart body at `--boundary` lines (RFC 2046): the preamble and
/// epilogue are dropped, each part's headers end at the first empty line,
/// and the CRLF before the next delimiter belongs to the delimiter. A part
/// without a header block is all body.
fn split_multipart(body: &Bytes, boundary: &str) -> Vec<MultipartPart> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let find = |from: usize| -> Option<usize> {
        body.get(from..)?
            .windows(d.len())
            .position(|w| w == d)
            .map(|p| p + from)
    };
    let mut parts = Vec::new();
    let Some(mut at) = find(0) else {
        return parts;
    };
    loop {
        let mut start = at + d.len();
        if body.get(start..start + 2) == Some(b"--") {
            break;
        }
        // the rest of the delimiter line
        while start < body.len() && body[start] != b'\n' {
            start += 1;
        }
        start += 1;
        let Some(next) = find(start) else {
            break;
        };
        let mut end = next;
        if end >= start + 2 && &body[end - 2..end] == b"\r\n" {
            end -= 2;
        } else if end > start && body[end - 1] == b'\n' {
            end -= 1;
        }
        let raw = body.slice(start.min(end)..end);
        parts.push(parse_part(raw));
        at = next;
    }
    parts
}

fn parse_part(raw: Bytes) -> MultipartPart {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| {
            raw.windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| (p, p + 2))
        });
    let (head, body) = match split {
        Some((h, b)) => (&raw[..h], raw.slice(b..)),
        None if raw.starts_with(b"\r\n") => (&raw[..0], raw.slice(2..)),
        None => (&raw[..0], raw.clone()),
    };
    let mut headers = Headers::new();
    for line in String::from_utf8_lossy(head).lines() {
        if let Some((k, v)) = line.split_once(':') {
            headers.append(k.trim(), v.trim());
        }
    }
    MultipartPart { headers, body }
}

/// Media types WireMock's server (Jetty) writes in lower case whatever case
/// a request gave them in.
const CANONICAL_MEDIA_TYPES: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "text/html",
    "text/json",
    "text/plain",
    "text/xml",
];

/// A `Content-Type` value as WireMock's matchers see it: Jetty lower-cases
/// the well-known media types (`APPLICATION/JSON` → `application/json`) and,
/// when `charset` is the first parameter, its name (and upper-cases a UTF-8
/// or ISO-8859-1 value); anything else is left as sent.
pub fn normalize_content_type(value: &str) -> std::borrow::Cow<'_, str> {
    // nearly always: no parameter and no capital, so nothing to change (the
    // well-known types are lower-case)
    if !value.bytes().any(|b| b == b';' || b.is_ascii_uppercase()) {
        return value.into();
    }
    let (base, rest) = match value.split_once(';') {
        Some((b, r)) => (b, Some(r)),
        None => (value, None),
    };
    let Some(canonical) = CANONICAL_MEDIA_TYPES
        .iter()
        .find(|t| t.eq_ignore_ascii_case(base))
    else {
        return value.into();
    };
    let Some(rest) = rest else {
        return if base == *canonical {
            value.into()
        } else {
            (*canonical).into()
        };
    };
    let spaces = rest.len() - rest.trim_start().len();
    let param = &rest[spaces..];
    let charset = param
        .get(..8)
        .filter(|p| p.eq_ignore_ascii_case("charset="))
        .map(|_| &param[8..]);
    let charset_as_is = match charset {
        Some(cs) if !cs.contains(';') => {
            let known = cs.eq_ignore_ascii_case("utf-8") || cs.eq_ignore_ascii_case("iso-8859-1");
            param.starts_with("charset=") && (!known || cs == cs.to_ascii_uppercase())
        }
        _ => true,
    };
    if base == *canonical && charset_as_is {
        return value.into();
    }
    let normal = match charset {
        Some(cs) if !cs.contains(';') => {
            let cs = match cs.to_ascii_lowercase().as_str() {
                "utf-8" | "iso-8859-1" => cs.to_ascii_uppercase(),
                _ => cs.to_string(),
            };
            format!("{canonical};{}charset={cs}", &rest[..spaces])
        }
        _ => format!("{canonical};{rest}"),
    };
    normal.into()
}

impl MockRequest {
    /// Builds the view from hyper's request head and the collected body.
    pub fn from_hyper(
        method: &hyper::Method,
        uri: &hyper::Uri,
        header_map: &hyper::HeaderMap,
        body: Bytes,
        base_url: std::sync::Arc<str>,
        client_ip: std::net::IpAddr,
    ) -> Self {
        let headers = Headers::from_raw(header_map.iter().map(|(k, v)| (k.as_str(), v.as_bytes())));
        let url = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        MockRequest::new(method.as_str(), url, headers, body, base_url, client_ip)
    }

    /// Builds the view from parts (the body already collected).
    pub fn new(
        method: &str,
        url: &str,
        headers: Headers,
        body: Bytes,
        base_url: std::sync::Arc<str>,
        client_ip: std::net::IpAddr,
    ) -> Self {
        let (path, raw_query) = url.split_once('?').unwrap_or((url, ""));
        let mut headers = headers;
        if let Some(values) = headers.get_all("content-type") {
            // most requests send it as Jetty would pass it on: no copy then
            let changed = values
                .iter()
                .any(|v| normalize_content_type(v) != v.as_str());
            if changed {
                let normal = values
                    .iter()
                    .map(|v| normalize_content_type(v).into_owned())
                    .collect();
                headers.set("content-type", normal);
            }
        }
        let cookies = headers
            .get_all("cookie")
            .unwrap_or(&[])
            .iter()
            .flat_map(|h| h.split(';'))
            .filter_map(|c| {
                let (k, v) = c.trim().split_once('=')?;
                Some((k.to_string(), v.to_string()))
            })
            .collect();
        MockRequest {
            method: method.to_ascii_uppercase(),
            url: url.to_string(),
            path: path.to_string(),
            query: Query::parse(raw_query),
            headers,
            cookies,
            body,
            base_url,
            client_ip,
        }
    }

    /// The fields of an `application/x-www-form-urlencoded` body (none for
    /// any other content type), as WireMock's `formParameters` sees them.
    pub fn form_params(&self) -> Query {
        let is_form = self
            .headers
            .content_type()
            .is_some_and(|ct| ct.main == "application" && ct.sub == "x-www-form-urlencoded");
        match (is_form, self.body_text()) {
            (true, Some(text)) => Query::parse(&text),
            _ => Query::default(),
        }
    }

    /// `http` or `https`, as the server was reached.
    pub fn scheme(&self) -> &str {
        if self.base_url.starts_with("https:") {
            "https"
        } else {
            "http"
        }
    }

    /// The host and port the request was addressed to: its `Host` header
    /// (an `[IPv6]` literal kept in brackets), the port defaulting to the
    /// scheme's.
    pub fn host_and_port(&self) -> (Option<&str>, u16) {
        let default = if self.scheme() == "https" { 443 } else { 80 };
        let Some(host) = self.headers.get("host").map(str::trim) else {
            return (None, default);
        };
        let split = match host.rfind(':') {
            Some(i) if !host[i..].contains(']') => Some(i),
            _ => None,
        };
        match split {
            Some(i) => (Some(&host[..i]), host[i + 1..].parse().unwrap_or(default)),
            None => (Some(host), default),
        }
    }

    /// The parts of a `multipart/*` body with a boundary, or `None` when the
    /// request is not multipart (or its body has no part).
    pub fn multipart_parts(&self) -> Option<Vec<MultipartPart>> {
        let ct = self.headers.content_type()?;
        if ct.main != "multipart" {
            return None;
        }
        let boundary = ct
            .params
            .iter()
            .find(|(k, _)| k == "boundary")
            .map(|(_, v)| v.as_str())?;
        let parts = split_multipart(&self.body, boundary);
        (!parts.is_empty()).then_some(parts)
    }

    /// The body as text (lossy for binary bodies), or `None` when empty.
    pub fn body_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        (!self.body.is_empty()).then(|| String::from_utf8_lossy(&self.body))
    }

    /// The seam-core view (typed body by content type) for the Pact engine.
    /// The path stays raw, as the official stub server compares it.
    pub fn to_core(&self) -> Request {
        Request {
            method: self.method.clone(),
            path: self.path.clone(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            body: if self.body.is_empty() {
                Body::Absent
            } else {
                Body::from_bytes(&self.body, self.headers.content_type().as_ref())
            },
        }
    }

    /// A curl command that sends this request again, credentials redacted
    /// (it ends up in logs, 404 pages and consumer test reports).
    pub fn to_curl(&self) -> String {
        let headers = self
            .headers
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k, v.as_str())));
        let body = self.body_text();
        seam_core::reproduce::curl(
            &self.method,
            &format!("{}{}", self.base_url, self.url),
            headers,
            body.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each row is what WireMock 3.13.2 (Jetty) logged for the value sent.
    #[test]
    fn content_types_are_normalized_as_wiremock_sees_them() {
        for (sent, seen) in [
            ("APPLICATION/JSON", "application/json"),
            (
                "Application/Json; Charset=UTF-8",
                "application/json; charset=UTF-8",
            ),
            ("TEXT/PLAIN;CHARSET=UTF-8", "text/plain;charset=UTF-8"),
            (
                "TEXT/HTML; CHARSET=iso-8859-1",
                "text/html; charset=ISO-8859-1",
            ),
            ("Text/Xml;Charset=Utf-8", "text/xml;charset=UTF-8"),
            ("Text/Plain; Foo=Bar", "text/plain; Foo=Bar"),
            (
                "Text/Plain; Foo=Bar; Charset=utf-8",
                "text/plain; Foo=Bar; Charset=utf-8",
            ),
            ("APPLICATION/XML", "APPLICATION/XML"),
            ("APPLICATION/VND.API+JSON", "APPLICATION/VND.API+JSON"),
            (
                "Multipart/Form-Data; boundary=X",
                "Multipart/Form-Data; boundary=X",
            ),
        ] {
            assert_eq!(normalize_content_type(sent), seen, "{sent}");
            let again = normalize_content_type(seen);
            assert!(
                matches!(again, std::borrow::Cow::Borrowed(_)),
                "{seen} is kept without a copy"
            );
        }
    }

    #[test]
    fn multipart_bodies_split_into_parts() {
        let body = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"info\"\r\nContent-Type: application/json\r\n\r\n{\"a\": 1}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n";
        let mut headers = Headers::new();
        headers.append("Content-Type", "multipart/form-data; boundary=XyZ");
        let r = MockRequest::new(
            "POST",
            "/u",
            headers,
            Bytes::from(body),
            "http://127.0.0.1:1".into(),
            std::net::IpAddr::from([127, 0, 0, 1]),
        );
        let parts = r.multipart_parts().unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parts[0].headers.get("content-type"),
            Some("application/json")
        );
        assert_eq!(&parts[0].body[..], b"{\"a\": 1}");
        assert_eq!(&parts[1].body[..], b"line1\r\nline2");
        assert!(r.form_params().get_all("a").is_none());
    }

    #[test]
    fn requests_carry_the_normalized_content_type() {
        for (sent, seen) in [
            ("APPLICATION/JSON", "application/json"),
            ("application/json", "application/json"),
            ("Text/Plain; Charset=utf-8", "text/plain; charset=UTF-8"),
        ] {
            let mut headers = Headers::new();
            headers.append("Content-Type", sent);
            let r = MockRequest::new(
                "POST",
                "/",
                headers,
                Bytes::new(),
                "http://127.0.0.1:1".into(),
                std::net::IpAddr::from([127, 0, 0, 1]),
            );
            assert_eq!(r.headers.get("content-type"), Some(seen), "{sent}");
        }
    }

    #[test]
    fn the_path_stays_raw() {
        let r = MockRequest::new(
            "get",
            "/a%20b/c?x=%41",
            Headers::new(),
            Bytes::new(),
            "http://127.0.0.1:1".into(),
            std::net::IpAddr::from([127, 0, 0, 1]),
        );
        assert_eq!(r.path, "/a%20b/c");
        assert_eq!(r.to_core().path, "/a%20b/c");
        assert_eq!(r.method, "GET");
    }
}
