//! One HTTP/1.1 connection on hyper, as a load run uses it: connect (with a
//! timeout), send a target's request, read the whole answer, and sort any
//! failure into an [`ErrorKind`].

use crate::plan::Target;
use crate::stats::ErrorKind;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpStream;

/// An open connection.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
}

/// What one request got.
pub struct Answer {
    pub status: u16,
    pub bytes: u64,
    /// The server asked to close the connection (or it is closed).
    pub closed: bool,
}

fn io_kind(e: &io::Error) -> ErrorKind {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => ErrorKind::Refused,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe
        | io::ErrorKind::UnexpectedEof => ErrorKind::Reset,
        io::ErrorKind::TimedOut => ErrorKind::Timeout,
        _ => ErrorKind::Connect,
    }
}

fn hyper_kind(e: &hyper::Error) -> ErrorKind {
    if e.is_timeout() {
        return ErrorKind::Timeout;
    }
    if e.is_parse() || e.is_parse_too_large() || e.is_parse_status() {
        return ErrorKind::Protocol;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<io::Error>() {
            return io_kind(io);
        }
        source = s.source();
    }
    // closed before a whole answer (incomplete message, canceled)
    ErrorKind::Reset
}

impl Connection {
    /// Connects to `addr` within `timeout`.
    pub async fn open(addr: SocketAddr, timeout: Duration) -> Result<Connection, ErrorKind> {
        let stream = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
            Err(_) => return Err(ErrorKind::Connect),
            Ok(Err(e)) => {
                return Err(match io_kind(&e) {
                    ErrorKind::Refused => ErrorKind::Refused,
                    _ => ErrorKind::Connect,
                })
            }
            Ok(Ok(s)) => s,
        };
        let _ = stream.set_nodelay(true);
        let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| hyper_kind(&e))?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Connection { sender })
    }

    /// Sends `target`'s request and reads the whole answer within `timeout`;
    /// without `keep_alive` the request asks the server to close.
    pub async fn send(
        &mut self,
        target: &Target,
        timeout: Duration,
        keep_alive: bool,
    ) -> Result<Answer, ErrorKind> {
        match tokio::time::timeout(timeout, self.exchange(target, keep_alive)).await {
            Ok(result) => result,
            Err(_) => Err(ErrorKind::Timeout),
        }
    }

    async fn exchange(&mut self, target: &Target, keep_alive: bool) -> Result<Answer, ErrorKind> {
        self.sender.ready().await.map_err(|e| hyper_kind(&e))?;
        let mut builder = hyper::Request::builder()
            .method(target.method.clone())
            .uri(target.uri.path_and_query().map_or("/", |p| p.as_str()));
        let headers = builder.headers_mut().expect("a fresh builder");
        if let Some(host) = target.uri.authority() {
            headers.insert(
                hyper::header::HOST,
                hyper::header::HeaderValue::from_str(host.as_str())
                    .expect("an authority is a header value"),
            );
        }
        for (name, value) in &target.headers {
            headers.append(name.clone(), value.clone());
        }
        if !keep_alive {
            headers.insert(
                hyper::header::CONNECTION,
                hyper::header::HeaderValue::from_static("close"),
            );
        }
        let request = builder
            .body(Full::new(target.body.clone()))
            .expect("the method, path and headers were checked when the target was read");
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| hyper_kind(&e))?;
        let status = response.status().as_u16();
        let closed = response
            .headers()
            .get(hyper::header::CONNECTION)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        let mut body = response.into_body();
        let mut bytes = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| hyper_kind(&e))?;
            if let Some(data) = frame.data_ref() {
                bytes += data.len() as u64;
            }
        }
        Ok(Answer {
            status,
            bytes,
            closed: closed || self.sender.is_closed(),
        })
    }
}
