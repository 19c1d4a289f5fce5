//! TLS configuration: certificates from PEM files, or a self-signed certificate
//! for localhost made at start-up. ALPN offers h2 and http/1.1.

use std::path::PathBuf;
use std::sync::Arc;

/// A certificate chain and private key in PEM files.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn with_alpn(mut config: rustls::ServerConfig) -> Arc<rustls::ServerConfig> {
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

fn builder() -> rustls::ConfigBuilder<rustls::ServerConfig, rustls::WantsVerifier> {
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
}

impl TlsFiles {
    /// Loads the files into a server configuration.
    pub fn load(&self) -> Result<Arc<rustls::ServerConfig>, String> {
        let read =
            |p: &PathBuf| std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
        let cert_pem = read(&self.cert)?;
        let key_pem = read(&self.key)?;
        let certs = rustls_pemfile::certs(&mut cert_pem.as_slice())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("{}: invalid PEM certificate: {e}", self.cert.display()))?;
        if certs.is_empty() {
            return Err(format!("{}: no certificate found", self.cert.display()));
        }
        let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
            .map_err(|e| format!("{}: invalid PEM key: {e}", self.key.display()))?
            .ok_or_else(|| format!("{}: no private key found", self.key.display()))?;
        let config = builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| format!("certificate and key do not fit: {e}"))?;
        Ok(with_alpn(config))
    }
}

/// A self-signed certificate for `localhost` and `127.0.0.1`; returns the server
/// configuration and the certificate in PEM (for clients to trust).
pub fn self_signed() -> Result<(Arc<rustls::ServerConfig>, String), String> {
    let cert =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .map_err(|e| format!("cannot make a self-signed certificate: {e}"))?;
    let pem = cert.cert.pem();
    let der = cert.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into());
    let config = builder()
        .with_no_client_auth()
        .with_single_cert(vec![der], key)
        .map_err(|e| format!("self-signed certificate rejected: {e}"))?;
    Ok((with_alpn(config), pem))
}
