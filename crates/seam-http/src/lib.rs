//! seam-http: the server plumbing Seamline's servers share (mock, contract mock,
//! broker, demo): HTTP/1.1 and HTTP/2 on one port (h2c by prior knowledge, and
//! TLS with ALPN), given or self-signed certificates, connection-level faults
//! (empty response, garbage, reset) that a handler can ask for, and graceful
//! shutdown.

mod conn;
mod tls;

pub use conn::{ConnFault, ConnInfo};
pub use tls::{self_signed, TlsFiles};

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

/// The response body type handlers return.
pub type Body = BoxBody<Bytes, std::io::Error>;

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
/// connection, HTTP/1.1 and HTTP/2 alike; with `tls`, over TLS.
pub async fn serve<H, F>(
    addr: SocketAddr,
    tls: Option<Arc<rustls::ServerConfig>>,
    handler: H,
) -> Result<Server, ServeError>
where
    H: Fn(hyper::Request<Incoming>, ConnInfo) -> F + Send + Sync + 'static,
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
            connections.spawn(async move {
                let (io, fault) = conn::FaultableStream::new(stream);
                let info = ConnInfo { remote, fault };
                let service = hyper::service::service_fn(move |req| {
                    let fut = handler(req, info.clone());
                    async move { Ok::<_, Infallible>(fut.await) }
                });
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
    use http_body_util::BodyExt;
    http_body_util::Full::new(bytes.into())
        .map_err(|never: Infallible| match never {})
        .boxed()
}
