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

/// A server with short timeouts whose `/slow` answers after 600 ms.
async fn timed(header_read: u64, idle: u64) -> seam_http::Server {
    let timeouts = seam_http::Timeouts {
        header_read: Some(std::time::Duration::from_millis(header_read)),
        idle: Some(std::time::Duration::from_millis(idle)),
    };
    seam_http::serve_with(any_port(), None, timeouts, |req, _conn| async move {
        if req.uri().path() == "/slow" {
            tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        }
        hyper::Response::new(full("ok"))
    })
    .await
    .unwrap()
}

/// Reads until the server closes the connection (or `within` passes: `None`).
async fn closed_within(
    s: &mut tokio::net::TcpStream,
    within: std::time::Duration,
) -> Option<(std::time::Duration, Vec<u8>)> {
    use tokio::io::AsyncReadExt;
    let start = std::time::Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(
            tokio::time::Instant::from_std(start + within),
            s.read(&mut buf),
        )
        .await
        {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some((start.elapsed(), got)),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn silent_and_trickling_connections_are_closed_at_the_header_timeout() {
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;
    let server = timed(300, 5_000).await;
    // a connection that never sends a byte
    let mut silent = tokio::net::TcpStream::connect(server.local_addr)
        .await
        .unwrap();
    let (after, _) = closed_within(&mut silent, Duration::from_secs(3))
        .await
        .expect("a silent connection is closed");
    assert!(after < Duration::from_millis(1_500), "{after:?}");

    // slowloris: a header byte every 100 ms never completes the head
    let mut slow = tokio::net::TcpStream::connect(server.local_addr)
        .await
        .unwrap();
    let start = std::time::Instant::now();
    let mut closed = false;
    for b in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
        if slow.write_all(&[*b]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !closed {
        closed = closed_within(&mut slow, Duration::from_millis(100))
            .await
            .is_some();
    }
    assert!(closed, "a trickling head is cut off");
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "{:?}",
        start.elapsed()
    );

    // meanwhile real clients are served
    assert_eq!(
        reqwest::get(format!("{}/", server.base_url()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed_but_slow_answers_are_not() {
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;
    let server = timed(150, 900).await;
    let mut s = tokio::net::TcpStream::connect(server.local_addr)
        .await
        .unwrap();
    // a slow answer (600 ms, past the header timeout) is in flight, not idle
    s.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    // kept alive past the header timeout, then closed at the idle timeout
    let (after, got) = closed_within(&mut s, Duration::from_secs(4))
        .await
        .expect("an idle connection is closed");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(after > Duration::from_millis(300), "kept alive: {after:?}");
    assert!(after < Duration::from_millis(2_500), "{after:?}");
    server.shutdown().await;
}

#[tokio::test]
async fn http11_without_exactly_one_host_is_a_bad_request() {
    use tokio::io::AsyncWriteExt;
    let server = hello().await;
    let ask = |req: &'static [u8]| async move {
        let mut s = tokio::net::TcpStream::connect(server.local_addr)
            .await
            .unwrap();
        s.write_all(req).await.unwrap();
        let (_, got) = closed_within(&mut s, std::time::Duration::from_secs(3))
            .await
            .expect("answered and closed");
        String::from_utf8_lossy(&got).into_owned()
    };
    let text = ask(b"GET /a HTTP/1.1\r\nConnection: close\r\n\r\n").await;
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("needs a Host header"), "{text}");
    let text = ask(b"GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n").await;
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    let text = ask(b"GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    // HTTP/1.0 has no Host requirement
    let text = ask(b"GET /a HTTP/1.0\r\n\r\n").await;
    assert!(text.starts_with("HTTP/1.0 200"), "{text}");
    server.shutdown().await;
}
