//! What a served mock is set up from, beside its stubs: the TLS it answers
//! with, and the folders a WireMock root keeps (`mappings/`, `__files/`), so
//! every front end (`seam mock`, tests, embedders) sets a server up the same way.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How the mock answers over TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// Plain HTTP (HTTP/1.1 and h2c).
    Off,
    /// A certificate made at start-up for `localhost` and `127.0.0.1`.
    SelfSigned,
    /// A PEM certificate chain and key.
    Files {
        /// The certificate chain (PEM).
        cert: PathBuf,
        /// The private key (PEM).
        key: PathBuf,
    },
}

impl Tls {
    /// The server configuration this asks for (`None` for plain HTTP).
    pub fn server_config(&self) -> Result<Option<Arc<rustls::ServerConfig>>, String> {
        match self {
            Tls::Off => Ok(None),
            Tls::SelfSigned => seam_http::self_signed().map(|(config, _pem)| Some(config)),
            Tls::Files { cert, key } => seam_http::TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }
            .load()
            .map(Some),
        }
    }
}

/// The `__files` folder of the first stub root that has one (WireMock's layout:
/// `bodyFileName` is relative to it).
pub fn files_dir(roots: &[PathBuf]) -> Option<PathBuf> {
    roots.iter().map(|p| p.join("__files")).find(|p| p.is_dir())
}

/// The first stub root that is a folder: where `POST /__admin/mappings/save`
/// writes and hot reload looks.
pub fn mappings_dir(roots: &[PathBuf]) -> Option<PathBuf> {
    roots.iter().find(|p| Path::is_dir(p)).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_looked_up_in_order() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::create_dir(b.path().join("__files")).unwrap();
        let file = a.path().join("stubs.yaml");
        std::fs::write(&file, "stubs: []").unwrap();
        let roots = vec![file, a.path().to_path_buf(), b.path().to_path_buf()];
        assert_eq!(files_dir(&roots), Some(b.path().join("__files")));
        assert_eq!(mappings_dir(&roots), Some(a.path().to_path_buf()));
        assert!(Tls::Off.server_config().unwrap().is_none());
        assert!(Tls::SelfSigned.server_config().unwrap().is_some());
        let missing = Tls::Files {
            cert: a.path().join("no.pem"),
            key: a.path().join("no.key"),
        };
        assert!(missing.server_config().unwrap_err().contains("no.pem"));
    }
}
