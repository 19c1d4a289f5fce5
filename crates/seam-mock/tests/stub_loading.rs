//! Loading stubs the way `seam mock` serves them, over real sockets: a stub
//! that cannot be used is skipped with a placed warning and the rest are
//! served; pacts served as stubs answer as the official `pact stub` server
//! does (raw paths, the first matching interaction, a Content-Type judged by
//! the body, unusable interactions left out and named). Where the official
//! Pact CLI is installed (`target/pact-cli/bin/pact`), its stub server answers
//! the same requests and the two are compared.

mod common;

use common::{serve, start, write, Reply};
use seam_mock::{sources, MockConfig, MockServer};
use serde_json::json;
use std::path::Path;

async fn get(base: &str, path: &str) -> (u16, Option<String>, String) {
    let r = reqwest::get(format!("{base}{path}")).await.unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    (r.status().as_u16(), ct, r.text().await.unwrap())
}

#[tokio::test]
async fn one_unusable_mapping_never_takes_down_the_others() {
    let root = tempfile::tempdir().unwrap();
    write(
        root.path(),
        "mappings/good.json",
        "// served as WireMock serves it\n{\n  /* a comment */ \"request\": {\"urlPath\": \"/good\"},\n  \"response\": {\"body\": \"good\"} // trailing\n}\n",
    );
    write(
        root.path(),
        "mappings/many.json",
        "{\"mappings\": [\n  {\"request\": {\"urlPath\": \"/first\"}, \"response\": {\"body\": \"first\"}},\n  {\"request\": {\"urlPath\": \"/second\", \"headers\": {\"X\": {\"matchesPathTemplate\": \"/a\"}}},\n   \"response\": {\"body\": \"second\"}}\n]}\n",
    );
    write(root.path(), "mappings/broken.json", "{\"request\": {\n");
    // served, with a note each: WireMock loads both
    write(root.path(), "__files/.keep", "");
    write(
        root.path(),
        "mappings/notes.json",
        "{\"mappings\": [\n{\"request\": {\"urlPath\": \"/no-file\"}, \"response\": {\"bodyFileName\": \"gone.json\"}},\n{\"request\": {\"urlPath\": \"/plain\"}, \"response\": {\"body\": \"{{x}}\", \"transformers\": [\"response-templates\"]}}\n]}",
    );
    let loaded = sources::load_all(root.path()).unwrap();
    let notes: Vec<String> = loaded.notes.iter().map(|e| e.to_string()).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].contains(
            "notes.json:2:67: at $.mappings[0].response.bodyFileName: `gone.json` not found in"
        ),
        "{notes:?}"
    );
    assert!(
        notes[1].contains("unknown transformer `response-templates` is ignored")
            && notes[1].contains("did you mean `response-template`"),
        "{notes:?}"
    );
    assert_eq!(loaded.stubs.len(), 4, "{:?}", loaded.skipped);
    let skipped: Vec<String> = loaded.skipped.iter().map(|e| e.to_string()).collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(
        skipped[0].contains("broken.json:2:1: invalid JSON"),
        "{skipped:?}"
    );
    assert!(
        skipped[1].contains("many.json:3:79: at $.mappings[1].request.headers.X.matchesPathTemplate: the WireMock matcher `matchesPathTemplate` is not supported by seam"),
        "{skipped:?}"
    );
    // the strict load used by tests and hot reload still refuses
    assert!(sources::load(root.path()).is_err());

    let config = MockConfig {
        files_dir: Some(root.path().join("__files")),
        ..Default::default()
    };
    let server = MockServer::start(config, loaded.stubs).await.unwrap();
    let base = server.base_url();
    assert_eq!(get(&base, "/good").await.2, "good");
    assert_eq!(get(&base, "/no-file").await.0, 500);
    assert_eq!(get(&base, "/first").await.2, "first");
    assert_eq!(get(&base, "/second").await.0, 404);
    assert_eq!(get(&base, "/plain").await.2, "{{x}}");
    server.shutdown().await;
}

#[tokio::test]
async fn the_admin_api_refuses_what_wiremock_refuses_with_422() {
    let server = serve(&[]).await;
    let base = server.base_url();
    let c = reqwest::Client::new();
    // WireMock 3.13.2: 422 "anything operand must be a non-null string"
    let r = c
        .post(format!("{base}/__admin/mappings"))
        .json(&json!({"request": {"url": "/a", "headers": {"X": {"anything": true}}}, "response": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(text.contains("anything"), "{text}");
    // WireMock 3.13.2: 201 for a mapping with comments
    let r = c
        .post(format!("{base}/__admin/mappings"))
        .body("// a comment\n{\"request\": {\"url\": \"/commented\"}, /* x */ \"response\": {\"body\": \"c\"}}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(get(&base, "/commented").await.2, "c");
    // WireMock 3.13.2: 422 "... is not a valid match operation"
    let r = c
        .post(format!("{base}/__admin/mappings"))
        .json(&json!({"request": {"url": "/a", "bodyPatterns": [{"expression": "$.a"}]}, "response": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    server.shutdown().await;
}

/// A pact holding what issue 13 points 7, 9, 10 and 11 are about.
const PACT: &str = r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [
{"description": "encoded", "request": {"method": "GET", "path": "/pricing/Pricing%20Service"}, "response": {"status": 200, "body": {"which": "encoded"}}},
{"description": "first", "request": {"method": "GET", "path": "/dup"}, "response": {"status": 200, "body": "first"}},
{"description": "second", "request": {"method": "GET", "path": "/dup"}, "response": {"status": 200, "body": "second"}},
{"description": "xml", "request": {"method": "GET", "path": "/xml"}, "response": {"status": 200, "body": "<a>1</a>"}},
{"description": "json", "request": {"method": "GET", "path": "/json"}, "response": {"status": 200, "body": {"a": 1}}},
{"description": "text", "request": {"method": "GET", "path": "/text"}, "response": {"status": 200, "body": "hello"}},
{"description": "html", "request": {"method": "GET", "path": "/html"}, "response": {"status": 200, "body": "<html><body>x</body></html>"}},
{"description": "typed", "request": {"method": "GET", "path": "/typed"}, "response": {"status": 200, "headers": {"Content-Type": "text/csv"}, "body": "a,b"}}
], "metadata": {"pactSpecification": {"version": "2.0.0"}}}"#;

/// The requests both stub servers get: path, and what seam answers (status,
/// Content-Type, body).
const ASKED: &[(&str, u16, Option<&str>, &str)] = &[
    (
        "/pricing/Pricing%20Service",
        200,
        Some("application/json"),
        "{\"which\":\"encoded\"}",
    ),
    ("/pricing/Pricing%2520Service", 404, None, ""),
    ("/dup", 200, Some("text/plain"), "first"),
    ("/xml", 200, Some("application/xml"), "<a>1</a>"),
    ("/json", 200, Some("application/json"), "{\"a\":1}"),
    ("/text", 200, Some("text/plain"), "hello"),
    (
        "/html",
        200,
        Some("text/html"),
        "<html><body>x</body></html>",
    ),
    ("/typed", 200, Some("text/csv"), "a,b"),
];

#[tokio::test]
async fn pacts_are_served_as_the_official_stub_server_serves_them() {
    let dir = tempfile::tempdir().unwrap();
    let pact = write(dir.path(), "c-p.json", PACT);
    let loaded = sources::load_all(&pact).unwrap();
    assert!(loaded.skipped.is_empty() && loaded.notes.is_empty());
    let server = MockServer::start(MockConfig::default(), loaded.stubs)
        .await
        .unwrap();
    let base = server.base_url();
    for (path, status, ct, body) in ASKED {
        let (s, c, b) = get(&base, path).await;
        assert_eq!(s, *status, "{path}: {b}");
        if *status == 200 {
            assert_eq!(c.as_deref(), *ct, "{path}");
            assert_eq!(b, *body, "{path}");
        }
    }
    server.shutdown().await;

    let Some(official) = official_stub(&pact) else {
        eprintln!("skipped: the official pact CLI is not at target/pact-cli/bin/pact");
        return;
    };
    for (path, status, ct, body) in ASKED {
        let (s, c, b) = get(&official.base, path).await;
        assert_eq!(s, *status, "official stub, {path}: {b}");
        if *status == 200 {
            assert_eq!(c.as_deref(), *ct, "official stub, {path}");
            assert_eq!(b, *body, "official stub, {path}");
        }
    }
}

/// Interactions told apart by their request headers.
const BY_HEADERS: &str = r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [
{"description": "one", "request": {"method": "GET", "path": "/v", "headers": {"X-V": "1"}}, "response": {"status": 200, "body": "one"}},
{"description": "two", "request": {"method": "GET", "path": "/v", "headers": {"X-V": "2"}}, "response": {"status": 200, "body": "two"}},
{"description": "plain", "request": {"method": "GET", "path": "/n"}, "response": {"status": 200, "body": "plain"}},
{"description": "with header", "request": {"method": "GET", "path": "/n", "headers": {"X-V": "9"}}, "response": {"status": 200, "body": "with header"}},
{"description": "own example fails its rule", "request": {"method": "POST", "path": "/r", "headers": {"Content-Type": "application/json; charset=utf-8"}, "body": {"a": 1},
  "matchingRules": {"$.headers.Content-Type": {"regex": "application\/json"}}}, "response": {"status": 200, "body": "r"}}
], "metadata": {"pactSpecification": {"version": "2.0.0"}}}"#;

/// A request (method, path, headers) and the body both stub servers answer.
type Asked = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
);

const BY_HEADERS_ASKED: &[Asked] = &[
    ("GET", "/v", &[("X-V", "2")], "two"),
    ("GET", "/v", &[("X-V", "1")], "one"),
    ("GET", "/v", &[], "one"),
    ("GET", "/v", &[("X-V", "3")], "one"),
    ("GET", "/n", &[("X-V", "9")], "plain"),
    (
        "POST",
        "/r",
        &[("Content-Type", "application/json; charset=utf-8")],
        "r",
    ),
];

#[tokio::test]
async fn headers_choose_among_interactions_but_never_refuse_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let pact = write(dir.path(), "c-p.json", BY_HEADERS);
    let server = start(&pact, MockConfig::default()).await;
    let official = official_stub(&pact);
    let c = reqwest::Client::new();
    let ask = |base: String, (method, path, headers, _): Asked| {
        let mut r = c.request(method.parse().unwrap(), format!("{base}{path}"));
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        if method == "POST" {
            r = r.body("{\"a\": 1}");
        }
        async move {
            let res = r.send().await.unwrap();
            (res.status().as_u16(), res.text().await.unwrap())
        }
    };
    // a near miss names each interaction once (not its header-blind twin)
    let page = c
        .get(format!("{}/v2", server.base_url()))
        .header("X-V", "5")
        .text_value()
        .await;
    let named: Vec<&str> = page
        .lines()
        .filter_map(|l| l.strip_prefix("Closest stub: "))
        .map(|l| l.split(" (").next().unwrap())
        .collect();
    let mut unique = named.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(named.len(), unique.len(), "{page}");
    for row in BY_HEADERS_ASKED {
        let want = (200, row.3.to_string());
        assert_eq!(ask(server.base_url(), *row).await, want, "seam: {row:?}");
        if let Some(o) = &official {
            assert_eq!(ask(o.base.clone(), *row).await, want, "official: {row:?}");
        }
    }
    server.shutdown().await;
}

#[tokio::test]
async fn unusable_interactions_are_named_once_and_not_served() {
    let dir = tempfile::tempdir().unwrap();
    let pact = write(
        dir.path(),
        "c-p.json",
        r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [
{"description": "unclosed group", "request": {"method": "GET", "path": "/aa", "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": "/(a"}]}}}, "response": {"status": 200, "body": "never"}},
{"description": "fine", "request": {"method": "GET", "path": "/fine"}, "response": {"status": 200, "body": "fine"}}
], "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#,
    );
    let loaded = sources::load_all(&pact).unwrap();
    assert_eq!(loaded.stubs.len(), 1);
    let notes: Vec<String> = loaded.notes.iter().map(|e| e.to_string()).collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("at $.interactions[0]: interaction \"unclosed group\" is not served: "),
        "{notes:?}"
    );
    // a strict load does not refuse the file for it
    assert_eq!(sources::load(&pact).unwrap().len(), 1);
    let server = MockServer::start(MockConfig::default(), loaded.stubs)
        .await
        .unwrap();
    let base = server.base_url();
    assert_eq!(get(&base, "/fine").await.2, "fine");
    assert_eq!(get(&base, "/aa").await.0, 404);
    server.shutdown().await;
}

/// The official stub server on a free loopback port, stopped when dropped.
struct Official {
    child: std::process::Child,
    base: String,
}

impl Drop for Official {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn official_stub(pact: &Path) -> Option<Official> {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pact-cli/bin/pact");
    if !cli.is_file() {
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(cli)
        .args(["stub", "-f"])
        .arg(pact)
        .args(["-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let official = Official {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(official);
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the official stub server did not start on port {port}");
}
