//! The server over real sockets: HTTP/1.1, h2c, TLS with ALPN h2, and each
//! connection fault as a client sees it.

use seam_http::{full, self_signed, serve, ConnFault};
use std::net::SocketAddr;

fn any_port() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn hello() -> seam_http::Server {
    serve(any_port(), None, |req, conn| {
        let conn = conn.clone();
        async move {
            let fault = match req.uri().path() {
                "/empty" => Some(ConnFault::EmptyResponse),
                "/garbage" => Some(ConnFault::RandomDataThenClose),
                "/chunk" => Some(ConnFault::MalformedChunk),
                "/reset" => Some(ConnFault::Reset),
                _ => None,
            };
            if let Some(f) = fault {
                conn.inject(f);
            }
            let body = format!("{:?} {}", req.version(), req.uri().path());
            hyper::Response::new(full(body))
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn serves_http1_and_h2c_on_one_port() {
    let server = hello().await;
    assert_ne!(server.local_addr.port(), 0);
    let h1 = reqwest::Client::new();
    let text = h1
        .get(format!("{}/a", server.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "HTTP/1.1 /a");
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let text = h2
        .get(format!("{}/b", server.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "HTTP/2.0 /b");
    server.shutdown().await;
}

#[tokio::test]
async fn serves_tls_with_alpn() {
    let (config, pem) = self_signed().unwrap();
    let server = serve(any_port(), Some(config), |req, _| async move {
        hyper::Response::new(full(format!("{:?}", req.version())))
    })
    .await
    .unwrap();
    assert!(server.base_url().starts_with("https://"));
    let client = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let url = format!("https://localhost:{}/", server.local_addr.port());
    let text = client.get(url).send().await.unwrap().text().await.unwrap();
    assert_eq!(text, "HTTP/2.0", "ALPN picks h2");
    server.shutdown().await;
}

#[tokio::test]
async fn faults_break_the_connection_as_asked() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = hello().await;
    for (path, check) in [
        ("/empty", "empty"),
        ("/garbage", "garbage"),
        ("/chunk", "chunk"),
        ("/reset", "reset"),
    ] {
        let mut s = tokio::net::TcpStream::connect(server.local_addr)
            .await
            .unwrap();
        s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut buf = Vec::new();
        let read = s.read_to_end(&mut buf).await;
        match check {
            "empty" => assert!(read.is_ok() && buf.is_empty(), "{path}: {read:?} {buf:?}"),
            "garbage" => assert_eq!(buf.len(), 64, "{path}"),
            "chunk" => assert!(
                String::from_utf8_lossy(&buf).contains("Transfer-Encoding: chunked\r\n\r\nlorem"),
                "{path}"
            ),
            "reset" => assert_eq!(
                read.unwrap_err().kind(),
                std::io::ErrorKind::ConnectionReset,
                "{path}"
            ),
            _ => unreachable!(),
        }
    }
    // a healthy request on a fresh connection still works
    let text = reqwest::get(format!("{}/ok", server.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "HTTP/1.1 /ok");
    server.shutdown().await;
}

#[tokio::test]
async fn bind_errors_name_the_address() {
    let server = hello().await;
    let err = serve(server.local_addr, None, |_, _| async {
        hyper::Response::new(full(""))
    })
    .await
    .err()
    .expect("the port is taken");
    assert!(
        err.to_string().contains(&server.local_addr.to_string()),
        "{err}"
    );
}
