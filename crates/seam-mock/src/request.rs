//! The request as the mock server sees it: parsed once from hyper's request and
//! shared by matching, templating, the journal and the admin API.

use bytes::Bytes;
use seam_core::http::{Body, Headers, Query, Request};

/// An incoming request, fully read.
#[derive(Debug, Clone)]
pub struct MockRequest {
    pub method: String,
    /// Path and query string as sent (`/a/b?x=1`).
    pub url: String,
    pub path: String,
    pub query: Query,
    pub headers: Headers,
    pub cookies: Vec<(String, String)>,
    pub body: Bytes,
    /// `http://127.0.0.1:PORT` (shared by every request).
    pub base_url: std::sync::Arc<str>,
    pub client_ip: std::net::IpAddr,
}

/// A request as hyper parsed it, kept as is: the journal entry of a request
/// answered on the fast path (a static stub chosen by method and exact path),
/// turned into a [`MockRequest`] only when the journal is read.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: hyper::Method,
    pub uri: hyper::Uri,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
    pub base_url: std::sync::Arc<str>,
    pub client_ip: std::net::IpAddr,
}

impl RawRequest {
    pub fn to_model(&self) -> MockRequest {
        MockRequest::from_hyper(
            &self.method,
            &self.uri,
            &self.headers,
            self.body.clone(),
            self.base_url.clone(),
            self.client_ip,
        )
    }
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
        let mut headers = Headers::new();
        for (k, v) in header_map {
            headers.append(
                k.as_str(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            );
        }
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
            path: seam_core::http::percent_decode_path(path),
            query: Query::parse(raw_query),
            headers,
            cookies,
            body,
            base_url,
            client_ip,
        }
    }

    /// The body as text (lossy for binary bodies), or `None` when empty.
    pub fn body_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        (!self.body.is_empty()).then(|| String::from_utf8_lossy(&self.body))
    }

    /// The seam-core view (typed body by content type) for the Pact engine.
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

    /// A curl command that sends this request again.
    pub fn to_curl(&self) -> String {
        let mut cmd = format!(
            "curl -X {} '{}{}'",
            self.method,
            self.base_url,
            self.url.replace('\'', "'\\''")
        );
        for (k, vs) in self.headers.iter() {
            if k.eq_ignore_ascii_case("host") || k.eq_ignore_ascii_case("content-length") {
                continue;
            }
            for v in vs {
                cmd.push_str(&format!(" -H '{}: {}'", k, v.replace('\'', "'\\''")));
            }
        }
        if let Some(b) = self.body_text() {
            cmd.push_str(&format!(" --data-binary '{}'", b.replace('\'', "'\\''")));
        }
        cmd
    }
}
