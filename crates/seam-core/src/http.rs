//! The HTTP model every engine shares: methods, paths, query and header multimaps,
//! typed bodies, requests and responses. Pure data, no I/O.

use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// An ordered, case-insensitive header multimap. Names keep the spelling they
/// arrived with; lookups ignore ASCII case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headers {
    entries: Vec<(String, Vec<String>)>,
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Headers as a client or server library gives them: names and raw
    /// values (read as UTF-8, invalid bytes replaced), in order.
    pub fn from_raw<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Self {
        let mut headers = Headers::new();
        for (name, value) in pairs {
            headers.append(name, String::from_utf8_lossy(value).into_owned());
        }
        headers
    }

    /// Adds a value to `name`, keeping earlier values.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self.entry_mut(&name) {
            Some(values) => values.push(value),
            None => self.entries.push((name, vec![value])),
        }
    }

    /// Replaces every value of `name`.
    pub fn set(&mut self, name: impl Into<String>, values: Vec<String>) {
        let name = name.into();
        match self.entry_mut(&name) {
            Some(existing) => *existing = values,
            None => self.entries.push((name, values)),
        }
    }

    fn entry_mut(&mut self, name: &str) -> Option<&mut Vec<String>> {
        self.entries
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// All values of `name` (case-insensitive), or `None` when absent.
    pub fn get_all(&self, name: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Every value of `name` (case-insensitive) as text; empty when absent.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.get_all(name)
            .unwrap_or(&[])
            .iter()
            .map(String::as_str)
            .collect()
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_all(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }

    /// Is `name` present (case-insensitive), even with no values?
    pub fn contains(&self, name: &str) -> bool {
        self.get_all(name).is_some()
    }

    /// Removes `name` (case-insensitive) and returns its values, or `None` when absent.
    pub fn remove(&mut self, name: &str) -> Option<Vec<String>> {
        let idx = self
            .entries
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(name))?;
        Some(self.entries.remove(idx).1)
    }

    /// Each name in first-seen order, spelled as it first arrived, with its values.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }

    /// True when there is no header at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of distinct names (case-insensitive), not of values.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The first `Content-Type` value parsed, or `None` when there is none.
    pub fn content_type(&self) -> Option<ContentType> {
        self.get("content-type").map(ContentType::parse)
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Headers {
    fn from_iter<T: IntoIterator<Item = (N, V)>>(iter: T) -> Self {
        let mut h = Headers::new();
        for (n, v) in iter {
            h.append(n, v);
        }
        h
    }
}

/// An ordered query-string multimap (`?a=1&a=2&b=3`). Keys are case-sensitive.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    entries: Vec<(String, Vec<String>)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value to `name` (exact case), keeping earlier values.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => self.entries.push((name, vec![value])),
        }
    }

    /// Replaces every value of `name`; a new name goes last.
    pub fn set(&mut self, name: impl Into<String>, values: Vec<String>) {
        let name = name.into();
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => *existing = values,
            None => self.entries.push((name, values)),
        }
    }

    /// All values of `name` (case-sensitive) in order, or `None` when absent.
    pub fn get_all(&self, name: &str) -> Option<&[String]> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// Each name in first-seen order with its values (decoded).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_slice()))
    }

    /// True when there is no parameter.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Parses `a=1&b=two%20words` (percent- and plus-decoding values and keys).
    pub fn parse(raw: &str) -> Self {
        let mut q = Query::new();
        for (k, v) in query_pairs(raw) {
            q.append(k, v);
        }
        q
    }

    /// Renders `a=1&a=2` with percent-encoding.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        for (k, vs) in &self.entries {
            for v in vs {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(&percent_encode(k));
                out.push('=');
                out.push_str(&percent_encode(v));
            }
        }
        out
    }
}

/// The `name=value` pairs of a raw query string, in order and decoded as
/// [`Query::parse`] reads them (empty pairs skipped), borrowing what needs no
/// decoding.
pub fn query_pairs(raw: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    raw.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode_query_part(k), decode_query_part(v))
    })
}

fn decode_query_part(s: &str) -> Cow<'_, str> {
    if s.contains(['%', '+']) {
        Cow::Owned(percent_decode(s))
    } else {
        Cow::Borrowed(s)
    }
}

/// Decodes `%XX` escapes and `+` as space; invalid escapes are kept as written.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Decodes `%XX` escapes in a path (a `+` stays a `+` in paths).
pub fn percent_decode_path(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    percent_decode(&s.replace('+', "%2B"))
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A parsed `Content-Type`: lower-cased essence plus parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentType {
    /// The lower-cased type: `application` in `application/json`.
    pub main: String,
    /// The lower-cased subtype, suffix included (`hal+json`); empty when the value
    /// has no `/`.
    pub sub: String,
    /// Parameters in order: names lower-cased, values as written without quotes
    /// (`charset` keeps its case; compare it ignoring case).
    pub params: Vec<(String, String)>,
}

impl ContentType {
    /// Parses `application/json; charset=UTF-8`. Never fails: parameters without `=`
    /// are dropped, a value without `/` becomes `main` with an empty `sub`.
    pub fn parse(raw: &str) -> Self {
        let mut parts = raw.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let (main, sub) = essence
            .split_once('/')
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap_or((essence.clone(), String::new()));
        let params = parts
            .filter_map(|p| {
                let (k, v) = p.split_once('=')?;
                Some((
                    k.trim().to_ascii_lowercase(),
                    v.trim().trim_matches('"').to_string(),
                ))
            })
            .collect();
        ContentType { main, sub, params }
    }

    /// `main/sub` without parameters (just `main` when `sub` is empty).
    pub fn essence(&self) -> String {
        if self.sub.is_empty() {
            self.main.clone()
        } else {
            format!("{}/{}", self.main, self.sub)
        }
    }

    /// `application` or `text` with `json`, `x-json` or a `+json` suffix.
    pub fn is_json(&self) -> bool {
        (self.main == "application" || self.main == "text")
            && (self.sub == "json" || self.sub.ends_with("+json") || self.sub == "x-json")
    }

    /// `application` or `text` with `xml` or a `+xml` suffix.
    pub fn is_xml(&self) -> bool {
        (self.main == "application" || self.main == "text")
            && (self.sub == "xml" || self.sub.ends_with("+xml"))
    }

    /// `application/x-www-form-urlencoded`.
    pub fn is_form(&self) -> bool {
        self.main == "application" && self.sub == "x-www-form-urlencoded"
    }

    /// Any `text/*` type.
    pub fn is_text(&self) -> bool {
        self.main == "text"
    }

    /// A type whose content is bytes, not text: images, audio, video, fonts,
    /// PDFs, archives, `application/octet-stream`, protobuf, ... Text, JSON,
    /// XML, forms, multipart and the textual `application/*` types are not.
    pub fn is_binary(&self) -> bool {
        if self.is_text() || self.is_json() || self.is_xml() || self.is_form() {
            return false;
        }
        match self.main.as_str() {
            "image" | "audio" | "video" | "font" => true,
            "application" => {
                !matches!(
                    self.sub.as_str(),
                    "javascript" | "ecmascript" | "x-javascript" | "graphql" | "sql" | "csv"
                ) && !self.sub.contains("yaml")
                    && !self.sub.ends_with("+text")
                    && !self.sub.ends_with("ndjson")
            }
            _ => false,
        }
    }
}

impl fmt::Display for ContentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.essence())?;
        for (k, v) in &self.params {
            write!(f, ";{k}={v}")?;
        }
        Ok(())
    }
}

/// A typed body. `Absent` (no body was given) differs from `Empty` (a zero-length
/// body was given): Pact treats them differently.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Body {
    /// No body was given: an expectation without one accepts any body.
    #[default]
    Absent,
    /// A body of zero bytes was given.
    Empty,
    /// JSON, including `null` given explicitly.
    Json(Value),
    /// XML source text.
    Xml(String),
    /// `application/x-www-form-urlencoded` pairs.
    Form(Query),
    /// Text that is not JSON, XML or a form (or failed to parse as its declared type).
    Text(String),
    /// Bytes that are not UTF-8 text, or of a non-text content type.
    Bytes(Vec<u8>),
}

impl Body {
    /// Anything but [`Body::Absent`] (an empty body is present).
    pub fn is_present(&self) -> bool {
        !matches!(self, Body::Absent)
    }

    /// Interprets raw bytes by content type: JSON, XML, form, text or bytes.
    /// A body that does not parse as its declared type is kept as text or bytes.
    pub fn from_bytes(bytes: &[u8], content_type: Option<&ContentType>) -> Body {
        if bytes.is_empty() {
            return Body::Empty;
        }
        let text = std::str::from_utf8(bytes).ok();
        match (content_type, text) {
            (Some(ct), Some(t)) if ct.is_json() => serde_json::from_str(t)
                .map(Body::Json)
                .unwrap_or_else(|_| Body::Text(t.to_string())),
            (Some(ct), Some(t)) if ct.is_xml() => Body::Xml(t.to_string()),
            (Some(ct), Some(t)) if ct.is_form() => Body::Form(Query::parse(t)),
            (None, Some(t)) => {
                let trimmed = t.trim_start();
                if trimmed.starts_with('{') || trimmed.starts_with('[') {
                    if let Ok(v) = serde_json::from_str(t) {
                        return Body::Json(v);
                    }
                }
                if trimmed.starts_with("<?xml") {
                    return Body::Xml(t.to_string());
                }
                Body::Text(t.to_string())
            }
            (Some(ct), Some(t)) if ct.is_text() => Body::Text(t.to_string()),
            _ => Body::Bytes(bytes.to_vec()),
        }
    }

    /// The body as bytes to send on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Body::Absent | Body::Empty => Vec::new(),
            Body::Json(v) => serde_json::to_vec(v).unwrap_or_default(),
            Body::Xml(s) | Body::Text(s) => s.as_bytes().to_vec(),
            Body::Form(q) => q.to_query_string().into_bytes(),
            Body::Bytes(b) => b.clone(),
        }
    }

    /// A short kind name used in mismatch messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Absent => "no body",
            Body::Empty => "an empty body",
            Body::Json(_) => "a JSON body",
            Body::Xml(_) => "an XML body",
            Body::Form(_) => "a form body",
            Body::Text(_) => "a text body",
            Body::Bytes(_) => "a binary body",
        }
    }
}

/// An HTTP request as seen by every engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The method as given (`GET`); compared ignoring case.
    pub method: String,
    /// The path without the query string, percent-decoded (`/orders/7`).
    pub path: String,
    /// The query parameters, decoded.
    pub query: Query,
    /// Headers by name ignoring case; a repeated header keeps every value.
    pub headers: Headers,
    /// The body, typed by the `Content-Type` header when read from bytes.
    pub body: Body,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            method: "GET".into(),
            path: "/".into(),
            query: Query::new(),
            headers: Headers::new(),
            body: Body::Absent,
        }
    }
}

/// An HTTP response as seen by every engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The status code (100-999; the default is 200).
    pub status: u16,
    /// Headers by name ignoring case; a repeated header keeps every value.
    pub headers: Headers,
    /// The body, typed by the `Content-Type` header when read from bytes.
    pub body: Body,
}

impl Default for Response {
    fn default() -> Self {
        Response {
            status: 200,
            headers: Headers::new(),
            body: Body::Absent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_case_insensitive_multimaps() {
        let mut h = Headers::new();
        h.append("Accept", "a");
        h.append("accept", "b");
        assert_eq!(h.get_all("ACCEPT").unwrap(), ["a", "b"]);
        assert_eq!(h.values("ACCEPT"), ["a", "b"]);
        assert!(h.values("X-None").is_empty());
        assert_eq!(h.len(), 1);
        assert!(h.remove("aCcEpT").is_some());
        assert!(h.is_empty());
    }

    #[test]
    fn query_parses_and_renders() {
        let q = Query::parse("a=1&a=2&b=two+words&c=%2Fx");
        assert_eq!(q.get_all("a").unwrap(), ["1", "2"]);
        assert_eq!(q.get_all("b").unwrap(), ["two words"]);
        assert_eq!(q.get_all("c").unwrap(), ["/x"]);
        assert_eq!(q.to_query_string(), "a=1&a=2&b=two%20words&c=%2Fx");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn content_type_parses_params() {
        let ct = ContentType::parse("Application/JSON; charset=UTF-8");
        assert!(ct.is_json());
        assert_eq!(ct.params, vec![("charset".into(), "UTF-8".into())]);
        assert!(ContentType::parse("application/hal+json").is_json());
        assert!(ContentType::parse("text/xml").is_xml());
    }

    #[test]
    fn body_from_bytes_by_content_type() {
        let json = ContentType::parse("application/json");
        assert_eq!(
            Body::from_bytes(b"{\"a\":1}", Some(&json)),
            Body::Json(serde_json::json!({"a":1}))
        );
        assert_eq!(Body::from_bytes(b"", Some(&json)), Body::Empty);
        assert_eq!(
            Body::from_bytes(b"[1]", None),
            Body::Json(serde_json::json!([1]))
        );
        assert!(matches!(
            Body::from_bytes(&[0xff, 0xfe], None),
            Body::Bytes(_)
        ));
    }
}

/// Checks an HTTP method name as written in a file: an RFC 9110 token with at
/// least one letter (`GET`, `PROPFIND`, `M-SEARCH`), so that a number such as
/// `5` or `1.5` written where a method belongs is an error, not a method.
pub fn check_method(m: &str) -> Result<(), String> {
    let token = !m.is_empty()
        && m.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_!#$%&'*+.^`|~".contains(c));
    if token && m.chars().any(|c| c.is_ascii_alphabetic()) {
        Ok(())
    } else {
        Err(format!(
            "`{m}` is not an HTTP method (a name such as GET or POST)"
        ))
    }
}

/// Serde helper for method fields (`#[serde(deserialize_with = ...)]`): reads a
/// string and applies [`check_method`], so the error carries the value's position.
/// A value holding a `{{variable}}` is checked once filled in, not here.
pub fn deserialize_method<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let m = <String as serde::Deserialize>::deserialize(d)?;
    if !m.contains("{{") {
        check_method(&m).map_err(serde::de::Error::custom)?;
    }
    Ok(m)
}

/// Like [`deserialize_method`], for optional method fields.
pub fn deserialize_optional_method<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    deserialize_method(d).map(Some)
}

#[cfg(test)]
mod method_tests {
    use super::check_method;

    #[test]
    fn methods_are_named_tokens() {
        for ok in ["GET", "post", "PROPFIND", "M-SEARCH"] {
            assert!(check_method(ok).is_ok(), "{ok}");
        }
        for bad in ["5", "1.5", "", "GET /", "G\r\nET"] {
            assert!(check_method(bad).is_err(), "{bad:?}");
        }
    }
}
