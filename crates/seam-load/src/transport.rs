//! How a load run reaches its servers: plain TCP, or TLS (rustls) with the
//! certificates a run trusts (the Mozilla roots, extra CAs from PEM files, or
//! none checked with `--insecure`), offering HTTP/1.1 or HTTP/2 by ALPN.
//! [`Stream`] is either kind of connection behind one read/write interface,
//! so the HTTP/1.1 client and the HTTP/2 pool ([`crate::h2`]) use both alike.

use crate::stats::ErrorKind;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// The protocol and the certificates a run trusts.
#[derive(Debug, Clone)]
pub struct Transport {
    /// HTTP/2 (h2c by prior knowledge on http://, ALPN h2 on https://).
    pub http2: bool,
    /// HTTP/2 requests one connection carries at once; users beyond share
    /// the next connection.
    pub streams: u32,
    /// Accept any server certificate (a test server's self-signed one).
    pub insecure: bool,
    /// CAs trusted besides the Mozilla roots.
    pub ca: Vec<CertificateDer<'static>>,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            http2: false,
            streams: 100,
            insecure: false,
            ca: Vec::new(),
        }
    }
}

/// Reads the certificates of a PEM file (`--cacert`).
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem =
        std::fs::read(path).map_err(|e| format!("cacert {}: cannot read: {e}", path.display()))?;
    let certs = rustls_pemfile::certs(&mut pem.as_slice())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("cacert {}: not PEM: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "cacert {}: no certificate in it (expected a PEM `-----BEGIN CERTIFICATE-----` block)",
            path.display()
        ));
    }
    Ok(certs)
}

/// Where one connection goes: an address, and for TLS the name the
/// certificate must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub addr: SocketAddr,
    /// `Some(host)`: TLS, checked against `host`.
    pub tls: Option<String>,
}

/// Why a connection could not be made, for the message before a run.
#[derive(Debug)]
pub struct ConnectError {
    pub kind: ErrorKind,
    pub detail: String,
}

/// Opens connections as the run's [`Transport`] says.
#[derive(Clone)]
pub struct Connector {
    tls: Option<TlsConnector>,
}

impl Connector {
    /// A connector; the TLS configuration is built only when a target needs
    /// it.
    pub fn new(transport: &Transport, any_tls: bool) -> Result<Connector, String> {
        if !any_tls {
            return Ok(Connector { tls: None });
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("ring supports the default protocol versions");
        let mut config = if transport.insecure {
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
                .with_no_client_auth()
        } else {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            for cert in &transport.ca {
                roots
                    .add(cert.clone())
                    .map_err(|e| format!("cacert: a certificate rustls refuses: {e}"))?;
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        };
        config.alpn_protocols = vec![if transport.http2 {
            b"h2".to_vec()
        } else {
            b"http/1.1".to_vec()
        }];
        Ok(Connector {
            tls: Some(TlsConnector::from(Arc::new(config))),
        })
    }

    /// Connects (and shakes hands) within `timeout`.
    pub async fn connect(
        &self,
        endpoint: &Endpoint,
        timeout: Duration,
    ) -> Result<Stream, ConnectError> {
        let connecting = async {
            let tcp = TcpStream::connect(endpoint.addr)
                .await
                .map_err(|e| ConnectError {
                    kind: if e.kind() == io::ErrorKind::ConnectionRefused {
                        ErrorKind::Refused
                    } else {
                        ErrorKind::Connect
                    },
                    detail: if e.kind() == io::ErrorKind::ConnectionRefused {
                        "connection refused".into()
                    } else {
                        e.to_string()
                    },
                })?;
            let _ = tcp.set_nodelay(true);
            let Some(host) = &endpoint.tls else {
                return Ok(Stream::Plain(tcp));
            };
            let Some(connector) = self.tls.as_ref() else {
                return Err(ConnectError {
                    kind: ErrorKind::Tls,
                    detail: "an https target, but the run was set up without TLS".into(),
                });
            };
            let name = server_name(host).map_err(|detail| ConnectError {
                kind: ErrorKind::Tls,
                detail,
            })?;
            let tls = connector
                .connect(name, tcp)
                .await
                .map_err(|e| ConnectError {
                    kind: ErrorKind::Tls,
                    detail: format!("TLS handshake failed: {}", tls_reason(&e)),
                })?;
            Ok(Stream::Tls(Box::new(tls)))
        };
        match tokio::time::timeout(timeout, connecting).await {
            Ok(result) => result,
            Err(_) => Err(ConnectError {
                kind: ErrorKind::Connect,
                detail: "no answer".into(),
            }),
        }
    }
}

fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    ServerName::try_from(bare.to_string()).map_err(|_| format!("`{host}` is not a TLS server name"))
}

/// A handshake error in words a user can act on.
fn tls_reason(e: &io::Error) -> String {
    let text = e
        .get_ref()
        .map_or_else(|| e.to_string(), |inner| inner.to_string());
    if text.contains("certificate") || text.contains("UnknownIssuer") {
        format!("{text} (trust its CA with --cacert FILE, or skip the check with --insecure)")
    } else {
        text
    }
}

/// The protocol the TLS handshake agreed on (`None` for plain TCP or
/// without ALPN).
pub fn alpn(stream: &Stream) -> Option<&[u8]> {
    match stream {
        Stream::Plain(_) => None,
        Stream::Tls(tls) => tls.get_ref().1.alpn_protocol(),
    }
}

/// A connection, plain or TLS.
pub enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }
}

/// `--insecure`: every certificate is accepted; signatures are still
/// checked, so the handshake itself is sound.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
