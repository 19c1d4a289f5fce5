//! seam mock under attack, over real sockets: oversized patterns, absurd
//! settings and delays, header injection and path traversal in stubs, huge
//! methods and bodies echoed in 404s, requests HTTP refuses (no Host, a bad
//! chunk), and near misses named and ranked for a reader.

mod common;

use common::{raw, serve, start, Reply};
use seam_mock::{MockConfig, MockServer};
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn near_misses_are_ranked_by_path_and_named_for_a_reader() {
    let server = serve(&[
        json!({"request": {"urlPath": "/reset"}, "response": {"status": 204}}),
        json!({"request": {"method": "GET", "urlPathTemplate": "/todos/{id}",
                "headers": {"Accept": {"equalTo": "application/json"}}}, "response": {}}),
        json!({"name": "list todos", "request": {"method": "GET", "urlPath": "/todos"}, "response": {}}),
    ])
    .await;
    let text = reqwest::get(format!("{}/todoz/1", server.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let closest: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("Closest stub: "))
        .collect();
    assert!(
        closest[0].starts_with("GET /todos/{id} "),
        "the template one edit away comes first: {text}"
    );
    assert!(closest[1].starts_with("list todos "), "{text}");
    assert!(closest[2].starts_with("ANY /reset "), "{text}");
    assert!(
        !text.contains(
            &server
                .state()
                .registry
                .snapshot()
                .iter()
                .next()
                .unwrap()
                .id
                .to_string()
        ),
        "stubs are not named by id: {text}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_pact_near_miss_lists_each_difference_once() {
    let dir = tempfile::tempdir().unwrap();
    let pact = dir.path().join("p.json");
    std::fs::write(
        &pact,
        json!({
            "consumer": {"name": "c"}, "provider": {"name": "p"},
            "interactions": [{"description": "get an order",
                "request": {"method": "GET", "path": "/orders/1"},
                "response": {"status": 200}}],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}
        })
        .to_string(),
    )
    .unwrap();
    let server = start(&pact, MockConfig::default()).await;
    let text = reqwest::Client::new()
        .post(format!("{}/orders/2", server.base_url()))
        .text_value()
        .await;
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("  - ")).collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("  - path")).count(),
        1,
        "{text}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("  - method")).count(),
        1,
        "{text}"
    );
    assert!(text.contains("Closest stub: get an order"), "{text}");
    server.shutdown().await;
}

#[tokio::test]
async fn huge_methods_and_bodies_are_cut_in_the_404_page() {
    let server =
        serve(&[json!({"request": {"method": "GET", "urlPath": "/a"}, "response": {}})]).await;
    let method = "X".repeat(10_000);
    let text = reqwest::Client::new()
        .request(
            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
            format!("{}/a", server.base_url()),
        )
        .body("b".repeat(200_000))
        .text_value()
        .await;
    assert!(text.len() < 12_000, "{} bytes", text.len());
    assert!(
        text.contains("more bytes cut)"),
        "{}",
        &text[..2000.min(text.len())]
    );
    assert!(
        text.contains("Reproduce: curl -X XXXX"),
        "{}",
        &text[..2000.min(text.len())]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn http11_without_host_is_400_and_a_bad_chunk_is_400_not_413() {
    let server = serve(&[json!({"request": {"urlPath": "/a"}, "response": {"body": "a"}})]).await;
    let text = raw(server.local_addr(), b"GET /a HTTP/1.1\r\n\r\n").await;
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    let text = raw(
        server.local_addr(),
        b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    )
    .await;
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    let text = raw(
        server.local_addr(),
        b"POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    )
    .await;
    assert!(
        text.starts_with("HTTP/1.1 400"),
        "the full path too: {text}"
    );
    // a well-formed chunked body is still served
    let text = raw(
        server.local_addr(),
        b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    )
    .await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    server.shutdown().await;
}

#[tokio::test]
async fn an_oversized_url_pattern_is_refused_fast_with_a_short_error() {
    let server = serve(&[]).await;
    let pattern = format!("/{}", "a".repeat(20 * 1024 * 1024));
    let r = reqwest::Client::new()
        .post(format!("{}/__admin/mappings", server.base_url()))
        .json(&json!({"request": {"urlPattern": pattern}, "response": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    // 21 s before the cap (debug build); parsing the 20 MB body is most of it now
    assert!(text.len() < 1_000, "{} bytes", text.len());
    assert!(
        text.contains("$.request.urlPattern: regex `/aaaa"),
        "{text}"
    );
    assert!(text.contains("is too long"), "{text}");

    // the same in a stub file, with its position
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.yaml");
    std::fs::write(
        &file,
        format!(
            "stubs:\n  - request:\n      urlPattern: \"/{}\"\n    response: {{ status: 200 }}\n",
            "b".repeat(1024 * 1024)
        ),
    )
    .unwrap();
    let e = seam_mock::sources::load(&file).unwrap_err().to_string();
    assert!(e.len() < 1_000, "{} bytes", e.len());
    assert!(e.contains("big.yaml:3:"), "{e}");
    assert!(e.contains("is too long"), "{e}");
    server.shutdown().await;
}

#[tokio::test]
async fn settings_and_delays_are_validated() {
    let server = serve(&[json!({"request": {"urlPath": "/a"}, "response": {"body": "a"}})]).await;
    let c = reqwest::Client::new();
    let admin = |path: &str| format!("{}/__admin/{path}", server.base_url());
    for (body, needle) in [
        (
            json!({"fixedDelay": "soon"}),
            "$.fixedDelay: needs a whole number of milliseconds",
        ),
        (
            json!({"fixedDelay": 999_999_999_999u64}),
            "$.fixedDelay: `fixedDelay` is 999999999999 ms; at most 300000",
        ),
        (json!({"fixedDelay": -1}), "$.fixedDelay"),
        (json!({"fixedDelai": 5}), "did you mean `fixedDelay`"),
        (
            json!({"delayDistribution": {"type": "uniform", "lower": 1, "upper": 2}}),
            "$.delayDistribution",
        ),
        (json!([1]), "settings must be an object"),
    ] {
        let r = c.post(admin("settings")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let text = r.text().await.unwrap();
        assert!(text.contains(needle), "{body}: {text}");
    }
    // nothing above changed the delay: requests are answered at once
    assert_eq!(
        reqwest::get(format!("{}/a", server.base_url()))
            .await
            .unwrap()
            .status(),
        200
    );
    let r = c
        .post(admin("settings"))
        .json(&json!({"fixedDelay": 150}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let got: Value = c
        .get(admin("settings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // WireMock's shape: what the body left out (`proxyPassThrough`) is reset
    assert_eq!(
        got,
        json!({"settings": {"fixedDelay": 150, "proxyPassThrough": false}})
    );
    let start = std::time::Instant::now();
    reqwest::get(format!("{}/a", server.base_url()))
        .await
        .unwrap();
    assert!(start.elapsed() >= Duration::from_millis(150));
    let r = c
        .post(admin("settings"))
        .json(&json!({"settings": {"fixedDelay": null}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    for (response, path) in [
        (
            json!({"fixedDelayMilliseconds": u64::MAX}),
            "$.response.fixedDelayMilliseconds",
        ),
        (
            json!({"delayDistribution": {"type": "uniform", "lower": 1, "upper": 400_000}}),
            "$.response.delayDistribution.upper",
        ),
        (
            json!({"delayDistribution": {"type": "lognormal", "median": 1e12, "sigma": 0.1}}),
            "$.response.delayDistribution.median",
        ),
        (
            json!({"delayDistribution": {"type": "fixed", "milliseconds": 300_001}}),
            "$.response.delayDistribution.milliseconds",
        ),
        (
            json!({"chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": 10_000_000}}),
            "$.response.chunkedDribbleDelay.totalDuration",
        ),
    ] {
        let r = c
            .post(admin("mappings"))
            .json(&json!({"request": {"urlPath": "/slow"}, "response": response}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{response}");
        let text = r.text().await.unwrap();
        assert!(text.contains(path), "{response}: {text}");
    }
    server.shutdown().await;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("slow.yaml");
    std::fs::write(
        &file,
        "stubs:\n  - request: { path: /a }\n    response:\n      delay: 999999999999\n",
    )
    .unwrap();
    let e = seam_mock::sources::load(&file).unwrap_err().to_string();
    assert!(
        e.contains("slow.yaml:4:14: `delay` is 999999999999 ms; at most 300000"),
        "{e}"
    );
    std::fs::write(&file, "stubs:\n  - request: { path: /a }\n    response:\n      dribble: { chunks: 2, totalMs: 400000 }\n").unwrap();
    let e = seam_mock::sources::load(&file).unwrap_err().to_string();
    assert!(e.contains("slow.yaml:4:16: `totalMs` is 400000 ms"), "{e}");
}

#[tokio::test]
async fn bad_response_headers_and_escaping_body_files_are_refused_at_create_time() {
    let server = serve(&[]).await;
    let c = reqwest::Client::new();
    for (response, path, needle) in [
        (
            json!({"headers": {"X-A": "ok\r\nSet-Cookie: evil=1"}}),
            "$.response.headers.X-A",
            "control character (CR) at byte 2",
        ),
        (
            json!({"headers": {"X-A": ["fine", "bad\nvalue"]}}),
            "$.response.headers.X-A[1]",
            "control character (LF)",
        ),
        (
            json!({"headers": {"Bad Name": "v"}}),
            "$.response.headers['Bad Name']",
            "is not a header name",
        ),
        (
            json!({"headers": {"X\u{e9}": "v"}}),
            "$.response.headers",
            "is not a header name",
        ),
        (
            json!({"bodyFileName": "../../etc/passwd"}),
            "$.response.bodyFileName",
            "inside the __files directory",
        ),
        (
            json!({"bodyFileName": "/etc/passwd"}),
            "$.response.bodyFileName",
            "no leading `/`",
        ),
        (
            json!({"statusMessage": "OK\r\nX: y"}),
            "$.response.statusMessage",
            "control character",
        ),
    ] {
        let r = c
            .post(format!("{}/__admin/mappings", server.base_url()))
            .json(&json!({"request": {"urlPath": "/a"}, "response": response}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{response}");
        let text = r.text().await.unwrap();
        assert!(
            text.contains(path) && text.contains(needle),
            "{response}: {text}"
        );
    }
    // UTF-8 header values are fine, and are served as sent
    let r = c
        .post(format!("{}/__admin/mappings", server.base_url()))
        .json(&json!({"request": {"urlPath": "/u"}, "response": {"headers": {"X-Name": "Zoë"}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = reqwest::get(format!("{}/u", server.base_url()))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-name"].as_bytes(), "Zoë".as_bytes());
    server.shutdown().await;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    for (text, needle) in [
        ("stubs:\n  - request: { path: /a }\n    response:\n      headers:\n        X-A: \"a\\r\\nb\"\n", "bad.yaml:5:14: the value of header `X-A` holds a control character (CR)"),
        ("stubs:\n  - request: { path: /a }\n    response:\n      file: ../secret.txt\n", "bad.yaml:4:13: body file `../secret.txt` must be a relative path"),
    ] {
        std::fs::write(&file, text).unwrap();
        let e = seam_mock::sources::load(&file).unwrap_err().to_string();
        assert!(e.contains(needle), "{e}");
    }
}

#[tokio::test]
async fn absurd_matcher_counts_are_refused_before_compiling() {
    let dir = tempfile::tempdir().unwrap();
    // a pact with 100,000 regex matchers on one path
    let rules = json!({"$.id": {"combine": "AND", "matchers": vec![json!({"match": "regex", "regex": "\\d+"}); 100_000]}});
    let pact = dir.path().join("pact.json");
    std::fs::write(
        &pact,
        json!({
            "consumer": {"name": "c"}, "provider": {"name": "p"},
            "interactions": [{"description": "d",
                "request": {"method": "POST", "path": "/x", "body": {"id": "1"}, "matchingRules": {"body": rules}},
                "response": {"status": 200}}],
            "metadata": {"pactSpecification": {"version": "3.0.0"}}
        })
        .to_string(),
    )
    .unwrap();
    let e = seam_mock::sources::load(&pact).unwrap_err().to_string();
    assert!(
        e.contains("at $.interactions[0].request.matchingRules.body['$.id'].matchers: `matchers` holds 100000 matchers; at most 1000"),
        "{e}"
    );

    // a mapping file with 100,000 body patterns
    let mapping = dir.path().join("m.json");
    let patterns: Vec<Value> = (0..100_000)
        .map(|i| json!({"matches": format!(".*x{i}.*")}))
        .collect();
    std::fs::write(
        &mapping,
        json!({"request": {"bodyPatterns": patterns}, "response": {}}).to_string(),
    )
    .unwrap();
    let e = seam_mock::sources::load(&mapping).unwrap_err().to_string();
    assert!(
        e.contains("at $.request.bodyPatterns: `bodyPatterns` holds 100000 matchers"),
        "{e}"
    );

    // the admin API and seam stub files too
    let server = serve(&[]).await;
    let r = reqwest::Client::new()
        .post(format!("{}/__admin/mappings", server.base_url()))
        .json(&json!({"request": {"headers": {"X": {"or": vec![json!({"equalTo": "a"}); 1_001]}}}, "response": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("$.request.headers.X.or: `or` holds 1001 matchers"),
        "{text}"
    );
    server.shutdown().await;
    let yaml = dir.path().join("s.yaml");
    let mut text = String::from("stubs:\n  - request:\n      bodyPatterns:\n");
    for i in 0..1_001 {
        text.push_str(&format!("        - {{ contains: x{i} }}\n"));
    }
    text.push_str("    response: {}\n");
    std::fs::write(&yaml, text).unwrap();
    let e = seam_mock::sources::load(&yaml).unwrap_err().to_string();
    assert!(
        e.contains("s.yaml:1004:11: `bodyPatterns` holds 1001 matchers"),
        "{e}"
    );

    // up to the limit loads, and fast
    let patterns: Vec<Value> = (0..1_000)
        .map(|i| json!({"matches": format!(".*x{i}.*")}))
        .collect();
    std::fs::write(
        &mapping,
        json!({"request": {"bodyPatterns": patterns}, "response": {}}).to_string(),
    )
    .unwrap();
    assert_eq!(seam_mock::sources::load(&mapping).unwrap().len(), 1);
}

static RELEASED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn count_release() {
    RELEASED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
}

#[tokio::test]
async fn large_imports_list_fast_and_admin_requests_let_memory_go() {
    let config = MockConfig {
        release_memory: Some(count_release),
        ..Default::default()
    };
    let server = MockServer::start(config, Vec::new()).await.unwrap();
    let c = reqwest::Client::new();
    let admin = |path: &str| format!("{}/__admin/{path}", server.base_url());
    let mappings: Vec<Value> = (0..20_000)
        .map(|i| json!({"id": uuid::Uuid::new_v4().to_string(), "request": {"url": format!("/item/{i}")}, "response": {"jsonBody": {"id": i}}}))
        .collect();
    let body = json!({"mappings": mappings, "importOptions": {"duplicatePolicy": "IGNORE"}});
    let r = c
        .post(admin("mappings/import"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // the same again: every id is a duplicate, found in a set, not by a scan per stub
    let r = c
        .post(admin("mappings/import"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page: Value = c
        .get(admin("mappings?offset=19998&limit=5"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["meta"]["total"], 20_000);
    assert_eq!(page["mappings"].as_array().unwrap().len(), 2);
    let all = c
        .get(admin("mappings"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let all: Value = serde_json::from_slice(&all).unwrap();
    assert_eq!(all["mappings"].as_array().unwrap().len(), 20_000);
    assert_eq!(
        all["mappings"][0]["response"]["jsonBody"]["id"], 19_999,
        "newest first, as written"
    );
    let before = RELEASED.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(c.post(admin("reset")).send().await.unwrap().status(), 200);
    assert!(
        RELEASED.load(std::sync::atomic::Ordering::SeqCst) > before,
        "memory released after the reset"
    );
    server.shutdown().await;
}
