//! `seam import har`: real recordings (with and without a UTF-8 BOM) import
//! and load, a recorded session replays against a real local server through
//! its `baseUrl` variable, and malformed entries are rejected with their place.

use seam_http::{full, serve};
use seam_suite::import::{self, har, Doc};
use serde_json::{json, Value};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/import")
            .join(name),
    )
    .unwrap()
}

fn load(dir: &std::path::Path, suite: &Value) -> seam_suite::Suite {
    let yaml = import::to_yaml(suite).unwrap();
    import::check_loads(&yaml).unwrap();
    let path = dir.join("session.yaml");
    std::fs::write(&path, &yaml).unwrap();
    seam_suite::load(&path).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

#[test]
fn a_real_recording_imports_with_or_without_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let plain = data("mitmproxy-postdata.har");
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend_from_slice(&plain);
    for bytes in [plain, with_bom] {
        let imported = har::import(&Doc::parse("postdata.har", &bytes).unwrap()).unwrap();
        assert!(imported.lost.is_empty(), "{:?}", imported.lost);
        load(dir.path(), &imported.suite);
        assert_eq!(
            imported.suite["variables"],
            json!({"baseUrl": "https://bi.pst.tech"})
        );
        let step = &imported.suite["tests"][0]["steps"][0];
        assert_eq!(step["name"], "POST /events");
        assert_eq!(step["request"]["path"], "{{baseUrl}}/events");
        assert_eq!(
            step["request"]["headers"],
            json!({"accept": "text/html", "accept-language": "en-US,en;q=0.9", "content-type": "text/plain;charset=UTF-8"})
        );
        assert!(step["request"]["body"]
            .as_str()
            .unwrap()
            .starts_with("eyJjYXRlZ29yeSI6"));
        assert_eq!(step["assert"], json!({"status": 200}));
    }
}

#[tokio::test]
async fn a_recorded_session_replays_against_another_host() {
    let server = serve("127.0.0.1:0".parse().unwrap(), None, |req, _| async move {
        let ok = matches!(
            (
                req.method().as_str(),
                req.uri().path(),
                req.headers().get("x-tenant").map(|v| v.to_str().unwrap())
            ),
            ("POST", "/orders", Some("t1")) | ("GET", "/orders/7", Some("t1"))
        );
        hyper::Response::builder()
            .status(if ok && req.method() == "POST" {
                201
            } else if ok {
                200
            } else {
                404
            })
            .header("content-type", "application/json")
            .body(full("{\"id\": 7}"))
            .unwrap()
    })
    .await
    .unwrap();
    let recording = json!({"log": {"entries": [
        {"request": {"method": "POST", "url": "https://shop.example/orders",
                     "headers": [{"name": "Host", "value": "shop.example"}, {"name": "X-Tenant", "value": "t1"},
                                 {"name": "Cookie", "value": "sid=1"}, {"name": "Content-Type", "value": "application/json"}],
                     "postData": {"mimeType": "application/json", "text": "{\"sku\": \"A-1\"}"}},
         "response": {"status": 201}},
        {"request": {"method": "GET", "url": "https://shop.example/orders/7", "headers": [{"name": "X-Tenant", "value": "t1"}]},
         "response": {"status": 200}}
    ]}});
    let imported =
        har::import(&Doc::parse("s.har", recording.to_string().as_bytes()).unwrap()).unwrap();
    let lost: Vec<String> = imported.lost.iter().map(ToString::to_string).collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(
        lost[0].starts_with("entry 1: Cookie header (recorded session cookies are not replayed"),
        "{lost:?}"
    );
    let dir = tempfile::tempdir().unwrap();
    let suite = load(dir.path(), &imported.suite);
    let mut options = seam_suite::run::RunOptions::default();
    options
        .vars
        .insert("baseUrl".into(), json!(server.base_url()));
    let results = seam_suite::run::run(vec![suite], &options).await.unwrap();
    assert_eq!(results.len(), 1);
    assert!(results[0].passed(), "{:#?}", results[0].steps);
    assert_eq!(results[0].steps.len(), 2);
    server.shutdown().await;
}

#[test]
fn malformed_recordings_are_rejected_with_their_place() {
    let cases = [
        (
            r#"{"log": {"entries": "x"}}"#,
            "h.har:1:21: at $.log.entries: expected an array, found a string",
        ),
        (
            r#"{"log": {"entries": [{"response": {}}]}}"#,
            "h.har:1:22: at $.log.entries[0]: `request` is missing",
        ),
        (
            r#"{"log": {"entries": [{"request": {"method": "GET"}}]}}"#,
            "h.har:1:34: at $.log.entries[0].request: `url` is missing",
        ),
        (
            r#"{"log": {"entries": [{"request": {"method": "GET", "url": ""}}]}}"#,
            "h.har:1:59: at $.log.entries[0].request.url: the URL is empty",
        ),
        (
            r#"{"log": {"entries": [{"request": {"method": 5, "url": "http://h/"}}]}}"#,
            "h.har:1:45: at $.log.entries[0].request.method: expected a string, found a number",
        ),
        (
            r#"{"log": {"entries": [{"request": {"method": "GET", "url": "http://h/"}, "response": {"status": "200"}}]}}"#,
            "h.har:1:96: at $.log.entries[0].response.status: expected a status code (a number)",
        ),
        (
            r#"{"log": {"entries": [{"request": {"method": "GET", "url": "http://h/", "headers": [{"name": "A"}]}}]}}"#,
            "h.har:1:84: at $.log.entries[0].request.headers[0]: `value` is missing",
        ),
        (
            r#"{"log": {"entries": []}}"#,
            "h.har:1:9: at $.log: the recording has no entries",
        ),
        (
            r#"{"info": {}}"#,
            "h.har:1:1: at $: not a HAR file: `log` is missing",
        ),
    ];
    for (text, want) in cases {
        let e = har::import(&Doc::parse("h.har", text.as_bytes()).unwrap()).unwrap_err();
        assert_eq!(e.to_string(), want, "{text}");
    }
}

#[test]
fn bodies_keep_their_recorded_type() {
    let recording = json!({"log": {"entries": [
        {"request": {"method": "POST", "url": "http://h/a", "headers": [{"name": "Content-Type", "value": "text/plain"}],
                     "postData": {"mimeType": "text/plain", "text": "{\"looks\": \"like json\"}"}}},
        {"request": {"method": "POST", "url": "http://h/b", "headers": [{"name": "Content-Type", "value": "application/json"}],
                     "postData": {"mimeType": "application/json", "text": "{\"n\": 1}"}}},
        {"request": {"method": "POST", "url": "http://h/c",
                     "postData": {"mimeType": "application/x-www-form-urlencoded", "params": [{"name": "a", "value": "1"}]}}}
    ]}});
    let imported =
        har::import(&Doc::parse("b.har", recording.to_string().as_bytes()).unwrap()).unwrap();
    let steps = imported.suite["tests"][0]["steps"].as_array().unwrap();
    assert_eq!(steps[0]["request"]["body"], "{\"looks\": \"like json\"}");
    assert_eq!(
        steps[0]["request"]["headers"],
        json!({"Content-Type": "text/plain"})
    );
    assert_eq!(steps[1]["request"]["json"], json!({"n": 1}));
    assert_eq!(steps[2]["request"]["form"], json!({"a": "1"}));
}
