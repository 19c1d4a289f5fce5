//! Providers as ordinary frameworks write them, not as seam's own servers do:
//! a single-threaded server that serves one keep-alive connection at a time
//! and writes headers and body in separate small writes (Python's
//! `http.server.HTTPServer` with `BaseHTTPRequestHandler`). Every interaction
//! must be answered: none may wait on a second connection the server will not
//! accept while the first one sits idle in a client pool (with a pooling
//! client this hit a few of 200 interactions, each a timeout).

use seam_verify::{load, Outcome, Verifier, VerifyOptions};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

/// Serves `GET /items/{i}` → `{"id": i}` on one connection at a time, each
/// connection kept until the client closes it; returns the base URL.
fn single_threaded_provider() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut out = conn;
            loop {
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                    break;
                }
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let id = request_line
                    .split_whitespace()
                    .nth(1)
                    .and_then(|p| p.strip_prefix("/items/"))
                    .unwrap_or("0")
                    .to_string();
                let body = json!({ "id": id.parse::<i64>().unwrap_or(0) }).to_string();
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                // two writes, as BaseHTTPRequestHandler does
                if out.write_all(head.as_bytes()).is_err()
                    || out.write_all(body.as_bytes()).is_err()
                {
                    break;
                }
            }
        }
    });
    url
}

// the CLI's runtime: a multi-threaded one
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_threaded_keep_alive_provider_answers_every_interaction() {
    let url = single_threaded_provider();
    let interactions: Vec<_> = (0..200)
        .map(|i| {
            json!({
                "description": format!("get item {i}"),
                "request": {"method": "GET", "path": format!("/items/{i}")},
                "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                             "body": {"id": i}}
            })
        })
        .collect();
    let pact = json!({"consumer": {"name": "web"}, "provider": {"name": "items"},
        "interactions": interactions, "metadata": {"pactSpecification": {"version": "3.0.0"}}});
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web-items.json");
    std::fs::write(&path, pact.to_string()).unwrap();
    let verifier = Verifier::new(VerifyOptions {
        provider_base_url: url,
        timeout: std::time::Duration::from_secs(2),
        ..Default::default()
    })
    .unwrap();
    let pacts = load(&[path.display().to_string()], verifier.client())
        .await
        .unwrap();
    let report = verifier.verify(&pacts).await.unwrap();
    assert_eq!(report.results.len(), 200);
    assert!(
        report
            .results
            .iter()
            .all(|r| matches!(r.outcome, Outcome::Passed)),
        "{}",
        report.to_text(seam_core::render::Style::Plain)
    );
}
