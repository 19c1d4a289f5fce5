//! seam mock over real sockets: seam stub files, priorities, scenarios, delays,
//! faults, chaos, pact stubs with generators, the bounded journal, near misses,
//! HTTP/2 and TLS, malformed HTTP, hot reload, proxy and record.

use seam_mock::{sources, MockConfig, MockServer};
use std::path::Path;
use std::time::{Duration, Instant};

/// `send`, then the answer's JSON body (panics on errors: tests only).
trait JsonReply {
    async fn json_value(self) -> serde_json::Value;
}

impl JsonReply for reqwest::RequestBuilder {
    async fn json_value(self) -> serde_json::Value {
        self.send().await.unwrap().json().await.unwrap()
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

async fn start(dir: &Path, config: MockConfig) -> MockServer {
    let stubs = sources::load(dir).unwrap();
    MockServer::start(config, stubs).await.unwrap()
}

const STUBS: &str = r#"
stubs:
  - name: get order
    request:
      method: GET
      path: /orders/{id}
      headers:
        Accept: application/json
    response:
      status: 200
      headers: { X-Source: seam }
      json: { id: 1, status: PAID }
  - name: low priority catch-all
    priority: 9
    request:
      pathPattern: /orders/.*
    response:
      status: 418
  - name: slow
    request: { path: /slow }
    response: { status: 200, text: done, delay: 150 }
  - name: dribble
    request: { path: /dribble }
    response: { status: 200, text: "0123456789abcdefghij", dribble: { chunks: 4, totalMs: 120 } }
  - name: reset
    request: { path: /reset }
    response: { fault: CONNECTION_RESET_BY_PEER }
  - name: empty
    request: { path: /empty }
    response: { fault: EMPTY_RESPONSE }
  - name: hang
    request: { path: /hang }
    response: { fault: HANG }
  - name: always 503
    request: { path: /flaky }
    response: { status: 200, chaos: { percent: 100, status: 503 } }
  - name: cart empty
    request: { path: /cart }
    response: { json: { items: [] } }
    scenario: { name: cart, requires: Started }
  - name: add to cart
    request: { method: POST, path: /cart }
    response: { status: 201 }
    scenario: { name: cart, requires: Started, then: filled }
  - name: cart filled
    request: { path: /cart }
    response: { json: { items: [1] } }
    scenario: { name: cart, requires: filled }
"#;

#[tokio::test]
async fn stub_files_priorities_and_near_misses() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "stubs.yaml", STUBS);
    let server = start(dir.path(), MockConfig::default()).await;
    let base = server.base_url();
    let c = reqwest::Client::new();

    let r = c
        .get(format!("{base}/orders/7"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-source"], "seam");
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(
        r.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"id": 1, "status": "PAID"})
    );

    // without the header the specific stub misses and the catch-all (priority 9) answers
    let r = c.get(format!("{base}/orders/7")).send().await.unwrap();
    assert_eq!(r.status(), 418);

    // nothing matches: 404 naming the closest stub and the part that differed
    let r = c.delete(format!("{base}/orders")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let text = r.text().await.unwrap();
    assert!(text.contains("Request was not matched"), "{text}");
    assert!(text.contains("DELETE /orders"), "{text}");
    assert!(text.contains("Closest stub:"), "{text}");
    assert!(text.contains("curl -X DELETE"), "{text}");
    server.shutdown().await;
}

#[tokio::test]
async fn scenarios_move_through_states() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "stubs.yaml", STUBS);
    let server = start(dir.path(), MockConfig::default()).await;
    let base = server.base_url();
    let c = reqwest::Client::new();
    let items = |v: serde_json::Value| v["items"].as_array().unwrap().len();
    assert_eq!(items(c.get(format!("{base}/cart")).json_value().await), 0);
    assert_eq!(
        c.post(format!("{base}/cart"))
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(items(c.get(format!("{base}/cart")).json_value().await), 1);
    // the admin API shows and resets the state
    let s: serde_json::Value = c
        .get(format!("{base}/__admin/scenarios"))
        .json_value()
        .await;
    assert_eq!(s["scenarios"][0]["state"], "filled");
    c.post(format!("{base}/__admin/scenarios/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(items(c.get(format!("{base}/cart")).json_value().await), 0);
    server.shutdown().await;
}

#[tokio::test]
async fn latency_faults_and_chaos() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "stubs.yaml", STUBS);
    let server = start(dir.path(), MockConfig::default()).await;
    let base = server.base_url();
    let c = reqwest::Client::builder()
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();

    let t = Instant::now();
    assert_eq!(
        c.get(format!("{base}/slow"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "done"
    );
    assert!(
        t.elapsed() >= Duration::from_millis(150),
        "the delay was applied"
    );

    let t = Instant::now();
    let body = c
        .get(format!("{base}/dribble"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "0123456789abcdefghij");
    assert!(
        t.elapsed() >= Duration::from_millis(80),
        "the body was dribbled"
    );

    let e = c.get(format!("{base}/reset")).send().await.unwrap_err();
    assert!(
        e.is_request() || e.is_connect() || e.to_string().contains("reset") || e.is_body(),
        "{e:?}"
    );
    assert!(
        c.get(format!("{base}/empty")).send().await.is_err(),
        "an empty response is an error for the client"
    );
    let e = c.get(format!("{base}/hang")).send().await.unwrap_err();
    assert!(e.is_timeout(), "a hang makes the client time out: {e:?}");
    for _ in 0..5 {
        assert_eq!(
            c.get(format!("{base}/flaky"))
                .send()
                .await
                .unwrap()
                .status(),
            503
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn journal_is_bounded_but_counts_everything() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "stubs.yaml", STUBS);
    let config = MockConfig {
        journal_capacity: 5,
        ..Default::default()
    };
    let server = start(dir.path(), config).await;
    let base = server.base_url();
    let c = reqwest::Client::new();
    for i in 0..12 {
        c.get(format!("{base}/orders/{i}")).send().await.unwrap();
    }
    let j: serde_json::Value = c.get(format!("{base}/__admin/requests")).json_value().await;
    assert_eq!(j["requests"].as_array().unwrap().len(), 5);
    assert_eq!(
        j["requests"][0]["request"]["url"], "/orders/11",
        "newest first"
    );
    let (total, _, kept) = server.state().journal.totals();
    assert_eq!((total, kept), (12, 5));
    server.shutdown().await;
}

#[tokio::test]
async fn pact_interactions_are_served_with_generators() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pact.json",
        r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
        "interactions": [{"description": "an order", "request": {"method": "GET", "path": "/orders/1",
          "query": {"expand": ["items"]}},
          "response": {"status": 200, "headers": {"Content-Type": "application/json"},
            "body": {"id": 1, "link": "http://example.com/orders/1"},
            "generators": {"body": {"$.id": {"type": "RandomInt", "min": 100, "max": 200},
              "$.link": {"type": "MockServerURL", "example": "http://example.com/orders/1", "regex": ".*(/orders/\\d+)$"}}}}}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#,
    );
    let server = start(dir.path(), MockConfig::default()).await;
    let base = server.base_url();
    let v: serde_json::Value = reqwest::get(format!("{base}/orders/1?expand=items"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = v["id"].as_i64().unwrap();
    assert!((100..=200).contains(&id), "{v}");
    assert_eq!(v["link"], format!("{base}/orders/1"));
    // the query is part of the contract
    let r = reqwest::get(format!("{base}/orders/1")).await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        r.text().await.unwrap().contains("query expand"),
        "the near miss names the query parameter"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn http2_tls_and_malformed_http() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "stubs.yaml", STUBS);
    let server = start(dir.path(), MockConfig::default()).await;
    let h2 = reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap();
    let r = h2
        .get(format!("{}/slow", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.text().await.unwrap(), "done");

    // garbage on the wire: the connection gets an error, the server lives on
    let mut s = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .unwrap();
    s.write_all(b"\x00\x01GARBAGE \r\n\r\n\xff\xfe")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(2), s.read_to_end(&mut buf)).await;
    assert_eq!(
        reqwest::get(format!("{}/slow", server.base_url()))
            .await
            .unwrap()
            .status(),
        200
    );
    server.shutdown().await;

    let (tls, pem) = seam_http::self_signed().unwrap();
    let stubs = sources::load(dir.path()).unwrap();
    let server = MockServer::start(
        MockConfig {
            tls: Some(tls),
            ..Default::default()
        },
        stubs,
    )
    .await
    .unwrap();
    let c = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes()).unwrap())
        .build()
        .unwrap();
    let r = c
        .get(format!(
            "https://localhost:{}/slow",
            server.local_addr().port()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.text().await.unwrap(), "done");
    server.shutdown().await;
}

#[tokio::test]
async fn bad_stub_files_name_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "bad.yaml",
        "stubs:\n  - request: { path: /a }\n    response:\n      staus: 200\n",
    );
    let e = sources::load(&f).unwrap_err();
    let s = e.to_string();
    assert!(s.starts_with(&format!("{}:4:", f.display())), "{s}");
    assert!(s.contains("did you mean `status`"), "{s}");

    let f = write(
        dir.path(),
        "bad2.yaml",
        "stubs:\n  - request: { pathPattern: '/a/(' }\n    response: {}\n",
    );
    let s = sources::load(&f).unwrap_err().to_string();
    assert!(s.contains(":2:") && s.contains("invalid regex"), "{s}");

    let f = write(
        dir.path(),
        "bad3.yaml",
        "stubs:\n  - request: { path: /a }\n    response: { fault: EXPLODE }\n",
    );
    let s = sources::load(&f).unwrap_err().to_string();
    assert!(
        s.contains(":3:") && s.contains("unknown fault `EXPLODE`"),
        "{s}"
    );
}

#[tokio::test]
async fn hot_reload_keeps_the_last_good_stubs() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "s.yaml",
        "stubs:\n  - request: { path: /v }\n    response: { text: one }\n",
    );
    let server = start(dir.path(), MockConfig::default()).await;
    let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = logs.clone();
    sources::spawn_reloader(
        server.state().clone(),
        vec![dir.path().to_path_buf()],
        Duration::from_millis(50),
        move |m| sink.lock().unwrap().push(m),
    );
    let get = || async {
        reqwest::get(format!("{}/v", server.base_url()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert_eq!(get().await, "one");
    tokio::time::sleep(Duration::from_millis(20)).await;
    std::fs::write(
        &f,
        "stubs:\n  - request: { path: /v }\n    response: { text: two }\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while get().await != "two" {
        assert!(
            Instant::now() < deadline,
            "reload never happened: {:?}",
            logs.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    std::fs::write(
        &f,
        "stubs:\n  - request: { path: /v }\n    response: { staus: 1 }\n",
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !logs
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.contains("reload failed"))
    {
        assert!(Instant::now() < deadline, "the bad file was never noticed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(get().await, "two", "a bad file keeps the previous stubs");
    server.shutdown().await;
}

#[tokio::test]
async fn proxy_records_and_replays() {
    let upstream_dir = tempfile::tempdir().unwrap();
    write(
        upstream_dir.path(),
        "up.yaml",
        "stubs:\n  - request: { path: /live }\n    response: { text: from upstream, headers: { Date: 'Tue, 01 Jan 2030 00:00:00 GMT', X-Kept: yes } }\n",
    );
    let upstream = start(upstream_dir.path(), MockConfig::default()).await;
    let rec = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    let proxy = start(
        empty.path(),
        MockConfig {
            proxy: Some(upstream.base_url()),
            record_dir: Some(rec.path().to_path_buf()),
            ..Default::default()
        },
    )
    .await;
    for _ in 0..3 {
        let r = reqwest::get(format!("{}/live", proxy.base_url()))
            .await
            .unwrap();
        assert_eq!(r.text().await.unwrap(), "from upstream");
    }
    let files: Vec<_> = std::fs::read_dir(rec.path().join("mappings"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1, "three identical requests make one mapping");
    let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
    assert!(
        !text.to_lowercase().contains("\"date\""),
        "volatile headers are stripped: {text}"
    );
    assert!(text.contains("X-Kept") || text.contains("x-kept"), "{text}");
    upstream.shutdown().await;
    proxy.shutdown().await;
}

/// Plain stubs (method and exact path only, static answers) are answered
/// without building the request model; the answers, the priority order and
/// the journal must be exactly those of the full path.
#[tokio::test]
async fn the_fast_path_answers_and_journals_like_the_full_path() {
    let server = MockServer::start(MockConfig::default(), vec![])
        .await
        .unwrap();
    let base = server.base_url();
    let c = reqwest::Client::new();
    for mapping in [
        r#"{"request": {"method": "GET", "url": "/items"}, "response": {"status": 200, "body": "plain", "headers": {"X-Kind": "plain"}}}"#,
        r#"{"priority": 1, "request": {"method": "GET", "urlPath": "/items", "headers": {"X-Vip": {"equalTo": "yes"}}}, "response": {"status": 200, "body": "vip"}}"#,
        r#"{"request": {"method": "ANY", "urlPath": "/any"}, "response": {"status": 201, "body": "any"}}"#,
        r#"{"request": {"method": "GET", "urlPath": "/slow"}, "response": {"status": 200, "body": "late", "fixedDelayMilliseconds": 120}}"#,
    ] {
        let r = c
            .post(format!("{base}/__admin/mappings"))
            .body(mapping)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{mapping}");
    }
    let get = |path: &str, vip: bool| {
        let mut req = c.get(format!("{base}{path}")).header("X-Trace", "t-1");
        if vip {
            req = req.header("X-Vip", "yes");
        }
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // a stub with a header condition comes first: it decides when it matches
    assert_eq!(get("/items", true).await, (200, "vip".into()));
    assert_eq!(get("/items", false).await, (200, "plain".into()));
    // `url` is path and query exactly
    assert_eq!(get("/items?page=2", false).await.0, 404);
    // ANY method, on the fast path
    let r = c.delete(format!("{base}/any")).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (201, "any".into())
    );
    assert_eq!(
        c.post(format!("{base}/items"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // a delayed stub is not answered early
    let t = Instant::now();
    assert_eq!(get("/slow", false).await, (200, "late".into()));
    assert!(t.elapsed() >= Duration::from_millis(120));
    // the journal, newest first: the DELETE answered on the fast path reads
    // like any other request
    let journal: serde_json::Value = c.get(format!("{base}/__admin/requests")).json_value().await;
    let events = journal["requests"].as_array().unwrap();
    assert_eq!(events.len(), 6, "{journal}");
    let delete = &events[2];
    assert_eq!(delete["request"]["method"], "DELETE", "{delete}");
    assert_eq!(delete["request"]["url"], "/any");
    assert!(delete["request"]["absoluteUrl"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert_eq!(delete["wasMatched"], true);
    assert_eq!(delete["response"]["status"], 201);
    let plain = &events[4];
    assert_eq!(plain["request"]["headers"]["x-trace"], "t-1", "{plain}");
    assert_eq!(plain["stubMapping"]["response"]["body"], "plain");
    // find by a request pattern sees fast-path entries too
    let found: serde_json::Value = c
        .post(format!("{base}/__admin/requests/count"))
        .body(
            r#"{"method": "GET", "urlPath": "/items", "headers": {"X-Trace": {"equalTo": "t-1"}}}"#,
        )
        .json_value()
        .await;
    assert_eq!(found["count"], 3, "{found}");
    // a query string: `urlPath` ignores it, `url` does not
    let r = c.get(format!("{base}/any?page=2")).send().await.unwrap();
    assert_eq!(r.status(), 201);
    // a body: read and journaled before the answer goes out
    let r = c
        .put(format!("{base}/any?v=1"))
        .body(r#"{"order": 42}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (201, "any".into())
    );
    let journal: serde_json::Value = c
        .get(format!("{base}/__admin/requests?limit=2"))
        .json_value()
        .await;
    let put = &journal["requests"][0]["request"];
    assert_eq!(put["method"], "PUT", "{journal}");
    assert_eq!(put["url"], "/any?v=1");
    assert_eq!(put["body"], r#"{"order": 42}"#);
    assert_eq!(put["queryParams"]["v"]["values"][0], "1", "{put}");
    assert_eq!(journal["requests"][1]["request"]["url"], "/any?page=2");
    // too large a body gets the full path's 413
    let big = vec![b'x'; seam_mock::server::MAX_BODY + 1];
    let r = c
        .post(format!("{base}/any"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    server.shutdown().await;
}
