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

/// A request kept compactly: the journal entry of a request answered on the
/// fast path (a static stub chosen by method and exact path), turned into a
/// [`MockRequest`] only when the journal is read. The URL and headers are
/// copied as bytes into one buffer: hyper's header values point into the
/// connection's read buffer, which a kept `HeaderMap` would keep alive
/// (kilobytes each); text decoding waits for a read.
#[derive(Debug, Clone)]
pub struct RawRequest {
    method: hyper::Method,
    /// `URL\nname:value\nname:value...` (header names and values hold no newline).
    head: Vec<u8>,
    body: Bytes,
    base_url: std::sync::Arc<str>,
    client_ip: std::net::IpAddr,
}

impl RawRequest {
    pub fn new<B>(
        request: &hyper::Request<B>,
        body: Bytes,
        base_url: std::sync::Arc<str>,
        client_ip: std::net::IpAddr,
    ) -> Self {
        let mut raw = RawRequest {
            method: request.method().clone(),
            head: Vec::new(),
            body,
            base_url,
            client_ip,
        };
        raw.copy_head(request);
        raw
    }

    /// Makes this entry another request to the same server, reusing its
    /// buffer (how a full journal records without allocating).
    pub fn refill<B>(
        &mut self,
        request: &hyper::Request<B>,
        body: Bytes,
        client_ip: std::net::IpAddr,
    ) {
        self.method = request.method().clone();
        self.body = body;
        self.client_ip = client_ip;
        self.copy_head(request);
    }

    fn copy_head<B>(&mut self, request: &hyper::Request<B>) {
        let url = request
            .uri()
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
        for (k, v) in request.headers() {
            head.push(b'\n');
            head.extend_from_slice(k.as_str().as_bytes());
            head.push(b':');
            head.extend_from_slice(v.as_bytes());
        }
    }

    pub fn body_mut(&mut self) -> &mut Bytes {
        &mut self.body
    }

    pub fn to_model(&self) -> MockRequest {
        let mut lines = self.head.split(|&b| b == b'\n');
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
