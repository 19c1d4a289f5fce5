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

impl MockRequest {
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
