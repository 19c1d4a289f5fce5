//! seam-http: the server plumbing Seamline's servers share (mock, contract mock,
//! broker, demo): HTTP/1.1 and HTTP/2 on one port (h2c by prior knowledge, and
//! TLS with ALPN), given or self-signed certificates, connection-level faults
//! (empty response, garbage, reset) that a handler can ask for, header-read and
//! idle timeouts ([`Timeouts`]), requests HTTP refuses before any handler sees
//! them (an HTTP/1.1 request without exactly one `Host`: 400), and graceful
//! shutdown.

mod conn;
mod tls;
mod watchdog;

pub use conn::{ConnFault, ConnInfo};
pub use tls::{self_signed, TlsFiles};
pub use watchdog::{Timeouts, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The response body handlers return: bytes known up front, sent with no
/// allocation or dynamic call of their own (what nearly every answer is), or
/// any streamed body (dribbled answers, relayed streams).
pub enum Body {
    /// A complete body; `None` once sent (or when empty).
    Full(Option<Bytes>),
    /// A body produced over time.
    Stream(BoxBody<Bytes, std::io::Error>),
}

impl Body {
    /// A body produced over time by `body`.
    pub fn stream<B>(body: B) -> Self
    where
        B: hyper::body::Body<Data = Bytes, Error = std::io::Error> + Send + Sync + 'static,
    {
        use http_body_util::BodyExt;
        Body::Stream(body.boxed())
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            Body::Full(bytes) => {
                std::task::Poll::Ready(bytes.take().map(|b| Ok(hyper::body::Frame::data(b))))
            }
            Body::Stream(body) => std::pin::Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Body::Full(bytes) => bytes.is_none(),
            Body::Stream(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            Body::Full(bytes) => {
                hyper::body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Body::Stream(body) => body.size_hint(),
        }
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::Full(bytes) => f.debug_tuple("Full").field(bytes).finish(),
            Body::Stream(_) => f.write_str("Stream(..)"),
        }
    }
}

/// Errors starting a server.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("TLS: {0}")]
    Tls(String),
}

/// A running server: its address, and a handle to stop it.
pub struct Server {
    pub local_addr: SocketAddr,
    pub scheme: &'static str,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// `http://127.0.0.1:PORT` (or https).
    pub fn base_url(&self) -> String {
        format!("{}://{}", self.scheme, self.local_addr)
    }

    /// Stops accepting and closes open connections.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// A receiver that turns true when the server stops (for long waits, hangs).
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }
}

/// Binds `addr` (port 0 picks a free port) and serves `handler` on every
/// connection, HTTP/1.1 and HTTP/2 alike; with `tls`, over TLS. Connections
/// get the default [`Timeouts`].
pub async fn serve<H, F>(
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    handler: H,
) -> Result<Server, ServeError>
where
    H: Fn(hyper::Request<Incoming>, &ConnInfo) -> F + Send + Sync + 'static,
    F: Future<Output = hyper::Response<Body>> + Send + 'static,
{
    serve_with(addr, tls, Timeouts::default(), handler).await
}

/// Whether the request target has one of RFC 9112 §3.2's forms: a path
/// (`/a?b`), an absolute URL, an authority for `CONNECT`, `*` for
/// `OPTIONS`. hyper reads `-nearmiss` or `abc` as an authority with an
/// empty path, which a handler would take for `/`.
fn target_is_valid(req: &hyper::Request<Incoming>) -> bool {
    let uri = req.uri();
    uri.scheme().is_some()
        || uri.path().starts_with('/')
        || (req.method() == hyper::Method::CONNECT && uri.authority().is_some())
        || (req.method() == hyper::Method::OPTIONS && uri.path() == "*")
}

/// Why a request is refused before the handler sees it: a malformed request
/// target (as WireMock's Jetty answers it), and, as RFC 9112 §3.2 wants, an
/// HTTP/1.1 request without a `Host` header or with more than one: 400.
fn refused(req: &hyper::Request<Incoming>) -> Option<hyper::Response<Body>> {
    if !target_is_valid(req) {
        return Some(bad_request(
            "malformed request target: expected a path starting with / or an absolute URL\n",
        ));
    }
    if req.version() != hyper::Version::HTTP_11 {
        return None;
    }
    // Host comes first in nearly every request, so a scan of the names finds
    // it sooner than a hash lookup (150 instructions per request); only a
    // request with some repeated header needs the count
    let headers = req.headers();
    let present = headers.keys().any(|k| k == hyper::header::HOST);
    let repeated = || {
        headers.len() != headers.keys_len()
            && headers.get_all(hyper::header::HOST).iter().nth(1).is_some()
    };
    let reason = if !present {
        "an HTTP/1.1 request needs a Host header\n"
    } else if repeated() {
        "an HTTP/1.1 request needs exactly one Host header\n"
    } else {
        return None;
    };
    Some(bad_request(reason))
}

/// A 400 answer saying `reason`, closing the connection.
fn bad_request(reason: &'static str) -> hyper::Response<Body> {
    let mut res = hyper::Response::new(full(reason));
    *res.status_mut() = hyper::StatusCode::BAD_REQUEST;
    res.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    res.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    res
}

/// [`serve`] with the given connection timeouts.
pub async fn serve_with<H, F>(
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    timeouts: Timeouts,
    handler: H,
) -> Result<Server, ServeError>
where
    H: Fn(hyper::Request<Incoming>, &ConnInfo) -> F + Send + Sync + 'static,
    F: Future<Output = hyper::Response<Body>> + Send + 'static,
{
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let local_addr = listener
        .local_addr()
        .map_err(|source| ServeError::Bind { addr, source })?;
    let (stop, mut stopped) = watch::channel(false);
    let handler = Arc::new(handler);
    let scheme = if tls.is_some() { "https" } else { "http" };
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    let task = tokio::spawn(async move {
        // Connections run as tasks of their own; stopping aborts them, so a
        // connection never polls a shutdown signal on its hot path.
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = stopped.changed() => break,
            };
            while connections.try_join_next().is_some() {}
            let Ok((stream, remote)) = accepted else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let handler = handler.clone();
            let acceptor = acceptor.clone();
            let activity = Arc::new(watchdog::Activity::default());
            let (io, fault) = conn::FaultableStream::new(stream, activity.clone());
            let info = ConnInfo { remote, fault };
            let in_flight = activity.clone();
            let service = hyper::service::service_fn(move |req| {
                let guard = in_flight.begin();
                let early = refused(&req);
                let fut = early.is_none().then(|| handler(req, &info));
                async move {
                    let res = match fut {
                        Some(fut) => fut.await,
                        None => early.expect("refused when there is no handler future"),
                    };
                    drop(guard);
                    Ok::<_, Infallible>(res)
                }
            });
            let connection = connections.spawn(async move {
                let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                match acceptor {
                    None => {
                        let _ = builder.serve_connection(TokioIo::new(io), service).await;
                    }
                    Some(acceptor) => {
                        let Ok(tls_stream) = acceptor.accept(io).await else {
                            return;
                        };
                        let _ = builder
                            .serve_connection(TokioIo::new(tls_stream), service)
                            .await;
                    }
                }
            });
            // The watchdog is a task of its own (woken only by its tick, not by
            // every wake of the connection); it aborts, so closes, a
            // connection that overstays its timeouts, and ends with it.
            if timeouts.header_read.is_some() || timeouts.idle.is_some() {
                connections.spawn(async move {
                    if watchdog::expired(&activity, timeouts, || connection.is_finished()).await {
                        connection.abort();
                    }
                });
            }
        }
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    });
    Ok(Server {
        local_addr,
        scheme,
        stop,
        task,
    })
}

/// A complete body from bytes.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    let bytes = bytes.into();
    Body::Full((!bytes.is_empty()).then_some(bytes))
}
