//! What the seam-mock socket tests share: stub files written into a
//! temporary folder, servers started from WireMock mappings, answers read in
//! one call, and raw exchanges over a TCP socket (for requests a client
//! library would not send). Each test file uses some of it.
#![allow(dead_code)]

use seam_mock::wiremock::stub_from_mapping;
use seam_mock::{MockConfig, MockServer, Stub};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Writes `text` to `dir/name` (creating its folders); the file's path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// WireMock mappings as stubs (panics on a bad one: tests only).
pub fn stubs(mappings: &[Value]) -> Vec<Stub> {
    mappings
        .iter()
        .map(|m| stub_from_mapping(m, None).unwrap())
        .collect()
}

/// A server on loopback with the default settings serving `mappings`.
pub async fn serve(mappings: &[Value]) -> MockServer {
    MockServer::start(MockConfig::default(), stubs(mappings))
        .await
        .unwrap()
}

/// A server on loopback with `config` serving the stubs loaded from `path`
/// (a stub file or a folder of them).
pub async fn start(path: &Path, config: MockConfig) -> MockServer {
    let stubs = seam_mock::sources::load(path).unwrap();
    MockServer::start(config, stubs).await.unwrap()
}

/// `send`, then the answer's body (panics on errors: tests only).
pub trait Reply {
    /// The body as JSON.
    async fn json_value(self) -> Value;
    /// The body as text.
    async fn text_value(self) -> String;
}

impl Reply for reqwest::RequestBuilder {
    async fn json_value(self) -> Value {
        self.send().await.unwrap().json().await.unwrap()
    }

    async fn text_value(self) -> String {
        self.send().await.unwrap().text().await.unwrap()
    }
}

/// Sends raw bytes to `addr`; the first answer as text: its head and
/// whatever follows until the server closes or is quiet for 200 ms (at most
/// 3 s for the head).
pub async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let mut wait = Duration::from_secs(3);
    loop {
        match tokio::time::timeout(wait, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            _ => break,
        }
        if got.windows(4).any(|w| w == b"\r\n\r\n") && !got.starts_with(b"HTTP/1.1 100") {
            // one answer is enough; give a body a moment to arrive
            wait = Duration::from_millis(200);
        }
    }
    String::from_utf8_lossy(&got).into_owned()
}
