//! HTTP/2 for a load run (`--http2`): users share connections, each carrying
//! up to [`crate::transport::Transport::streams`] requests at once, as
//! browsers and service meshes do. A [`Pool`] holds one endpoint's
//! connections, made on first use and made again when one closes; requests
//! go through hyper's HTTP/2 client (framing, flow control, HPACK), whose
//! answers are read to their end and counted, never kept.

use crate::client::Answer;
use crate::plan::Target;
use crate::stats::ErrorKind;
use crate::transport::{alpn, ConnectError, Connector, Endpoint};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::{Builder, SendRequest};
use hyper::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::{Instant, Sleep};

/// A handle on one HTTP/2 connection; cheap to clone.
pub type Sender = SendRequest<Full<Bytes>>;

/// One endpoint's HTTP/2 connections.
pub struct Pool {
    connections: Vec<Mutex<Option<Sender>>>,
}

impl Pool {
    /// Room for `count` connections.
    pub fn new(count: usize) -> Pool {
        Pool {
            connections: (0..count.max(1)).map(|_| Mutex::new(None)).collect(),
        }
    }

    /// Connection `index` (wrapped to the pool's size), opened if it is not
    /// open yet or has closed.
    pub async fn sender(
        &self,
        index: usize,
        connector: &Connector,
        endpoint: &Endpoint,
        timeout: Duration,
    ) -> Result<Sender, ConnectError> {
        let mut held = self.connections[index % self.connections.len()]
            .lock()
            .await;
        if let Some(sender) = held.as_ref().filter(|s| !s.is_closed()) {
            return Ok(sender.clone());
        }
        let stream = connector.connect(endpoint, timeout).await?;
        if endpoint.tls.is_some() && alpn(&stream) != Some(b"h2") {
            return Err(ConnectError {
                kind: ErrorKind::Protocol,
                detail: "the server did not agree to HTTP/2 in the TLS handshake (ALPN); leave out --http2".into(),
            });
        }
        let (sender, connection) = Builder::new(TokioExecutor::new())
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|e| ConnectError {
                kind: ErrorKind::Protocol,
                detail: format!("HTTP/2 handshake failed: {e}"),
            })?;
        // drives the connection until it closes; its error shows in the
        // requests that were on it
        tokio::spawn(connection);
        *held = Some(sender.clone());
        Ok(sender)
    }
}

/// One user's share of an HTTP/2 connection, and the timer its requests'
/// timeouts reuse.
pub struct Share {
    sender: Sender,
    deadline: Pin<Box<Sleep>>,
}

impl Share {
    pub fn new(sender: Sender) -> Share {
        Share {
            sender,
            deadline: Box::pin(tokio::time::sleep(Duration::ZERO)),
        }
    }

    /// Sends `target`'s request and reads the answer to its end within
    /// `timeout`.
    pub async fn send(&mut self, target: &Target, timeout: Duration) -> Result<Answer, ErrorKind> {
        self.deadline.as_mut().reset(Instant::now() + timeout);
        tokio::select! {
            biased;
            result = exchange(&mut self.sender, request(target, &target.method)) => result,
            _ = self.deadline.as_mut() => Err(ErrorKind::Timeout),
        }
    }
}

/// `target`'s request with `method`.
fn request(target: &Target, method: &hyper::Method) -> Request<Full<Bytes>> {
    let mut request = Request::new(Full::new(target.body.clone()));
    *request.method_mut() = method.clone();
    *request.uri_mut() = target.uri.clone();
    let headers = request.headers_mut();
    for (name, value) in &target.headers {
        if name != hyper::header::HOST && name != hyper::header::CONNECTION {
            headers.append(name.clone(), value.clone());
        }
    }
    request
}

/// An `OPTIONS` request to `target` on a new connection: any answer shows
/// the server speaks HTTP/2 (hyper's handshake does not wait for the
/// server's first frame, so a server without HTTP/2 shows only here).
pub async fn probe(sender: &mut Sender, target: &Target, timeout: Duration) -> Result<(), String> {
    match tokio::time::timeout(
        timeout,
        exchange(sender, request(target, &hyper::Method::OPTIONS)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(_)) => Err(if target.is_tls() {
            "the connection broke on the first HTTP/2 request".into()
        } else {
            "no HTTP/2 answer to a first request: the server does not take HTTP/2 by prior knowledge (h2c) here; leave out --http2, or use https:// if it serves TLS".into()
        }),
        Err(_) => Err("no answer to a first HTTP/2 request".into()),
    }
}

async fn exchange(sender: &mut Sender, request: Request<Full<Bytes>>) -> Result<Answer, ErrorKind> {
    {
        sender.ready().await.map_err(|e| kind(&e))?;
        let response = sender.send_request(request).await.map_err(|e| kind(&e))?;
        let status = response.status().as_u16();
        let mut body = response.into_body();
        let mut bytes = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| kind(&e))?;
            if let Some(data) = frame.data_ref() {
                bytes += data.len() as u64;
            }
        }
        Ok(Answer {
            status,
            bytes,
            closed: false,
        })
    }
}

/// A failed HTTP/2 request's kind: the peer broke the protocol, or the
/// stream or connection went away (reset).
fn kind(e: &hyper::Error) -> ErrorKind {
    if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_parse() || e.is_user() {
        ErrorKind::Protocol
    } else {
        ErrorKind::Reset
    }
}
