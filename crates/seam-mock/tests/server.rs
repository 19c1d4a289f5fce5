//! seam mock over real sockets: seam stub files, priorities, scenarios, delays,
//! faults, chaos, pact stubs with generators, the bounded journal, near misses,
//! HTTP/2 and TLS, malformed HTTP, hot reload, proxy and record.

mod common;

use common::{raw, serve, start, write, Reply};
use seam_mock::{sources, MockConfig, MockServer};
use std::time::{Duration, Instant};

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
    assert_eq!(c.get(format!("{base}/slow")).text_value().await, "done");
    assert!(
        t.elapsed() >= Duration::from_millis(150),
        "the delay was applied"
    );

    let t = Instant::now();
    let body = c.get(format!("{base}/dribble")).text_value().await;
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
    let server = start(
        dir.path(),
        MockConfig {
            tls: Some(tls),
            ..Default::default()
        },
    )
    .await;
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
    let server = serve(&[]).await;
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
    assert_eq!(plain["request"]["headers"]["X-Trace"], "t-1", "{plain}");
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

/// Posts WireMock mappings through the admin API (each must be accepted).
async fn post_mappings(c: &reqwest::Client, base: &str, mappings: &[serde_json::Value]) {
    for m in mappings {
        let r = c
            .post(format!("{base}/__admin/mappings"))
            .json(m)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{m}: {}", r.text().await.unwrap());
    }
}

/// A header's value as text (`None` when absent).
fn header(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// WireMock serves an unmatched GET from `__files` (content type from the
/// extension, JSON when unknown; a folder's `index.html`; a folder without
/// one is 403), as measured against WireMock 3.13.2.
#[tokio::test]
async fn unmatched_gets_fall_back_to_files() {
    let root = tempfile::tempdir().unwrap();
    let files = root.path().join("__files");
    for d in ["site", "dir"] {
        std::fs::create_dir_all(files.join(d)).unwrap();
    }
    write(&files, "hello.txt", "hello\n");
    write(&files, "data.json", r#"{"a":1}"#);
    write(&files, "noext", "x");
    write(&files, "site/index.html", "<p>index</p>");
    write(&files, "dir/x.txt", "deep");
    write(root.path(), "outside.txt", "secret");
    let server = MockServer::start(
        MockConfig {
            files_dir: Some(files.clone()),
            ..Default::default()
        },
        vec![],
    )
    .await
    .unwrap();
    let base = server.base_url();
    let c = reqwest::Client::new();
    post_mappings(
        &c,
        &base,
        &[serde_json::json!({"request": {"url": "/data.json"}, "response": {"body": "stubbed"}})],
    )
    .await;
    let get = |path: &str| {
        let req = c.get(format!("{base}{path}"));
        async move {
            let r = req.send().await.unwrap();
            let ct = header(&r, "content-type").unwrap_or_default();
            let stub = header(&r, "matched-stub-id");
            (r.status().as_u16(), ct, r.text().await.unwrap(), stub)
        }
    };
    assert_eq!(
        get("/hello.txt").await,
        (200, "text/plain".into(), "hello\n".into(), None)
    );
    assert_eq!(get("/%68ello.txt?q=1").await.2, "hello\n");
    assert_eq!(get("/dir/x.txt").await.2, "deep");
    assert_eq!(get("/noext").await.1, "application/json");
    assert_eq!(
        get("/site").await,
        (
            200,
            "text/html;charset=utf-8".into(),
            "<p>index</p>".into(),
            None
        )
    );
    assert_eq!(get("/dir").await.0, 403);
    assert_eq!(get("/dir/").await.0, 403);
    assert_eq!(get("/hello.txt/").await.0, 404);
    assert_eq!(get("/nope.txt").await.0, 404);
    assert_eq!(get("/%2e%2e/outside.txt").await.0, 404);
    // a stub comes first
    assert_eq!(get("/data.json").await.2, "stubbed");
    // only GET
    let r = c.post(format!("{base}/hello.txt")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // the journal has the file requests as unmatched
    let unmatched: serde_json::Value = c
        .get(format!("{base}/__admin/requests/unmatched"))
        .json_value()
        .await;
    let urls: Vec<&str> = unmatched["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["url"].as_str())
        .collect();
    assert!(urls.contains(&"/hello.txt"), "{unmatched}");
    server.shutdown().await;
}

/// Every answer of a matched stub names it in `Matched-Stub-Id` (and
/// `Matched-Stub-Name` when it has one), whichever path answers; a `jsonBody`
/// gets no content type it did not ask for. Both as WireMock 3.13.2 does.
#[tokio::test]
async fn answers_name_their_stub() {
    let root = tempfile::tempdir().unwrap();
    write(root.path(), "hello.txt", "hi");
    let server = MockServer::start(
        MockConfig {
            files_dir: Some(root.path().to_path_buf()),
            ..Default::default()
        },
        vec![],
    )
    .await
    .unwrap();
    let base = server.base_url();
    let c = reqwest::Client::new();
    let ids = [
        "11111111-1111-4111-8111-111111111111",
        "22222222-2222-4222-8222-222222222222",
        "33333333-3333-4333-8333-333333333333",
        "44444444-4444-4444-8444-444444444444",
        "55555555-5555-4555-8555-555555555555",
    ];
    post_mappings(
        &c,
        &base,
        &[
            serde_json::json!({"id": ids[0], "name": "plain one", "request": {"method": "GET", "url": "/plain"}, "response": {"body": "p"}}),
            serde_json::json!({"id": ids[1], "request": {"urlPathPattern": "/tpl/.*"}, "response": {"body": "{{request.path.[1]}}", "transformers": ["response-template"]}}),
            serde_json::json!({"id": ids[2], "request": {"url": "/json"}, "response": {"jsonBody": {"a": 1}}}),
            serde_json::json!({"id": ids[3], "request": {"url": "/file"}, "response": {"bodyFileName": "hello.txt"}}),
            serde_json::json!({"id": ids[4], "request": {"url": "/typed"}, "response": {"jsonBody": [1], "headers": {"Content-Type": "application/vnd.x+json"}}}),
        ],
    )
    .await;
    for (path, id, body) in [
        ("/plain", ids[0], "p"),
        ("/tpl/x", ids[1], "x"),
        ("/json", ids[2], r#"{"a":1}"#),
        ("/file", ids[3], "hi"),
        ("/typed", ids[4], "[1]"),
    ] {
        // twice: the first answer of a static stub prepares it
        for _ in 0..2 {
            let r = c.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(header(&r, "matched-stub-id").as_deref(), Some(id), "{path}");
            let name = header(&r, "matched-stub-name");
            assert_eq!(name.as_deref(), (path == "/plain").then_some("plain one"));
            if path == "/json" {
                assert_eq!(header(&r, "content-type"), None, "jsonBody sets none");
            }
            if path == "/typed" {
                assert_eq!(
                    header(&r, "content-type").as_deref(),
                    Some("application/vnd.x+json")
                );
            }
            assert_eq!(r.text().await.unwrap(), body);
        }
    }
    let r = c.get(format!("{base}/nothing")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(header(&r, "matched-stub-id"), None);
    server.shutdown().await;
}

/// A proxy stub's `proxyUrlPrefixToRemove`, `additionalProxyRequestHeaders`
/// (after the client's own), `removeProxyRequestHeaders`, a templated
/// `proxyBaseUrl`, and seam's own User-Agent (WireMock sends its HTTP
/// client's, whatever the client sent). The upstream echoes what it got.
#[tokio::test]
async fn proxy_stubs_rewrite_the_forwarded_request() {
    let c = reqwest::Client::new();
    let upstream = serve(&[]).await;
    post_mappings(
        &c,
        &upstream.base_url(),
        &[serde_json::json!({"request": {"method": "ANY", "urlPathPattern": "/.*"}, "response": {
            "body": "{{request.url}}|ua={{request.headers.User-Agent}}|x={{#each request.headers.X-Extra}}{{this}},{{/each}}|gone={{request.headers.X-Gone}}|accept={{request.headers.Accept}}",
            "transformers": ["response-template"]}})],
    )
    .await;
    let proxy = serve(&[]).await;
    let base = proxy.base_url();
    post_mappings(
        &c,
        &base,
        &[
            serde_json::json!({"request": {"urlPathPattern": "/px/.*"}, "response": {
                "proxyBaseUrl": format!("{}/base", upstream.base_url()),
                "proxyUrlPrefixToRemove": "/px",
                "additionalProxyRequestHeaders": {"X-Extra": "added", "User-Agent": "ignored/1"},
                "removeProxyRequestHeaders": ["x-gone"]}}),
            serde_json::json!({"request": {"urlPathPattern": "/tp/.*"}, "response": {
                "proxyBaseUrl": "{{request.headers.X-Target}}",
                "transformers": ["response-template"]}}),
        ],
    )
    .await;
    let ua = seam_mock::server::PROXY_USER_AGENT;
    let r = c
        .get(format!("{base}/px/a/b?q=1"))
        .header("User-Agent", "client/1")
        .header("X-Extra", "mine")
        .header("X-Gone", "yes")
        .header("Accept", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.text().await.unwrap(),
        format!("/base/a/b?q=1|ua={ua}|x=mine,added,|gone=|accept=text/plain")
    );
    // a client that sends no Accept: none is added on the way
    let raw = raw(
        proxy.local_addr(),
        b"GET /px/plain HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(
        raw.ends_with(&format!("/base/plain|ua={ua}|x=added,|gone=|accept=")),
        "{raw}"
    );
    let r = c
        .get(format!("{base}/tp/z"))
        .header("X-Target", upstream.base_url())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.text().await.unwrap(),
        format!("/tp/z|ua={ua}|x=|gone=|accept=*/*")
    );
    proxy.shutdown().await;
    upstream.shutdown().await;
}

/// `chunkedDribbleDelay` lasts its whole `totalDuration`: WireMock waits
/// `totalDuration / numberOfChunks` before every chunk, the first included.
#[tokio::test]
async fn a_dribbled_body_takes_its_whole_duration() {
    let server = serve(&[]).await;
    let base = server.base_url();
    let c = reqwest::Client::new();
    post_mappings(
        &c,
        &base,
        &[
            serde_json::json!({"request": {"url": "/dribble"}, "response": {"body": "abcdefghij",
            "chunkedDribbleDelay": {"numberOfChunks": 5, "totalDuration": 500}}}),
        ],
    )
    .await;
    let t = Instant::now();
    let body = c.get(format!("{base}/dribble")).text_value().await;
    assert_eq!(body, "abcdefghij");
    assert!(
        t.elapsed() >= Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    server.shutdown().await;
}

/// `MALFORMED_RESPONSE_CHUNK` as WireMock 3.13.2 sends it: a 200 status line
/// announcing a chunked body, a chunk that is not one, then the connection
/// closes (the stub's own status, headers and body are not sent).
#[tokio::test]
async fn a_malformed_chunk_is_a_200_then_garbage_then_close() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = serve(&[]).await;
    let c = reqwest::Client::new();
    post_mappings(
        &c,
        &server.base_url(),
        &[serde_json::json!({"request": {"url": "/bad"}, "response": {"status": 201, "headers": {"X-A": "b"}, "body": "hello", "fault": "MALFORMED_RESPONSE_CHUNK"}})],
    )
    .await;
    let mut s = tokio::net::TcpStream::connect(server.local_addr())
        .await
        .unwrap();
    s.write_all(b"GET /bad HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n").expect("a response head");
    assert_eq!(
        head, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
        "{text}"
    );
    let size = rest.split("\r\n").next().unwrap();
    assert!(
        !size.is_empty() && usize::from_str_radix(size, 16).is_err(),
        "not a chunk size: {rest:?}"
    );
    let e = c
        .get(format!("{}/bad", server.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await;
    assert!(e.is_err(), "a client cannot read the body");
    server.shutdown().await;
}

/// `--global-response-templating`: every answer is a template, with no
/// `transformers`; a stub without `{{` keeps its static (fast-path) answer.
#[tokio::test]
async fn global_templating_renders_every_answer() {
    let mappings = [
        serde_json::json!({"request": {"urlPathPattern": "/g/.*"}, "response": {"body": "{{request.path.[1]}}", "headers": {"X-M": "{{request.method}}"}}}),
        serde_json::json!({"request": {"method": "GET", "url": "/static"}, "response": {"body": "static"}}),
    ];
    let c = reqwest::Client::new();
    for global in [false, true] {
        let server = MockServer::start(
            MockConfig {
                global_templating: global,
                ..Default::default()
            },
            vec![],
        )
        .await
        .unwrap();
        let base = server.base_url();
        post_mappings(&c, &base, &mappings).await;
        let r = c.get(format!("{base}/g/x")).send().await.unwrap();
        let m = header(&r, "x-m");
        let body = r.text().await.unwrap();
        if global {
            assert_eq!((m.as_deref(), body.as_str()), (Some("GET"), "x"));
        } else {
            assert_eq!(
                (m.as_deref(), body.as_str()),
                (Some("{{request.method}}"), "{{request.path.[1]}}")
            );
        }
        let r = c.get(format!("{base}/static")).send().await.unwrap();
        assert_eq!(r.text().await.unwrap(), "static");
        server.shutdown().await;
    }
}

/// A templated `bodyFileName` picks the file per request (its name compiled
/// when the stub loads); the file is rendered with `parameters` from
/// `transformerParameters`, unless `disableBodyFileTemplating` is set.
#[tokio::test]
async fn templated_body_file_names_and_parameters() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "tpl.txt",
        "Hi {{request.path.[0]}} {{parameters.who}}",
    );
    let server = MockServer::start(
        MockConfig {
            files_dir: Some(root.path().to_path_buf()),
            ..Default::default()
        },
        vec![],
    )
    .await
    .unwrap();
    let base = server.base_url();
    let c = reqwest::Client::new();
    post_mappings(
        &c,
        &base,
        &[
            serde_json::json!({"request": {"urlPathPattern": "/on/.*"}, "response": {"bodyFileName": "{{request.pathSegments.[1]}}", "transformers": ["response-template"], "transformerParameters": {"who": "ann"}}}),
            serde_json::json!({"request": {"urlPathPattern": "/off/.*"}, "response": {"bodyFileName": "{{request.pathSegments.[1]}}", "transformers": ["response-template"], "transformerParameters": {"disableBodyFileTemplating": true}}}),
            serde_json::json!({"request": {"url": "/param"}, "response": {"body": "{{parameters.n}}/{{parameters.list.[1]}}", "transformers": ["response-template"], "transformerParameters": {"n": 7, "list": ["a", "b"]}}}),
        ],
    )
    .await;
    let text = |path: &str| {
        let req = c.get(format!("{base}{path}"));
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(text("/on/tpl.txt").await, (200, "Hi on ann".into()));
    assert_eq!(
        text("/off/tpl.txt").await,
        (200, "Hi {{request.path.[0]}} {{parameters.who}}".into())
    );
    assert_eq!(text("/param").await, (200, "7/b".into()));
    let (status, body) = text("/on/missing.txt").await;
    assert_eq!(status, 500);
    assert!(body.contains("missing.txt"), "{body}");
    let (status, body) = text("/on/..%2F..%2Fetc%2Fpasswd").await;
    assert_eq!(status, 500, "{body}");
    // a file name that does not compile is refused when the stub loads
    let r = c
        .post(format!("{base}/__admin/mappings"))
        .json(&serde_json::json!({"request": {"url": "/bad"}, "response": {"bodyFileName": "{{#if}}", "transformers": ["response-template"]}}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body = r.text().await.unwrap();
    assert!(status >= 400, "{status}");
    assert!(body.contains("bodyFileName"), "{body}");
    server.shutdown().await;
}
