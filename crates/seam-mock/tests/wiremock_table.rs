//! WireMock mappings over real sockets: a table of mapping + request → expected
//! response, loaded through the admin API as a WireMock user would, plus
//! `mappings/` + `__files/` directories and invalid admin JSON.
//!
//! The table is the cases below plus every `tests/wiremock-cases/*.json` file:
//! an array of `{"name", "source", "mapping", "request": {"method", "url",
//! "headers", "body"}, "expect": {"status", "bodyContains", "headers"}}`, each
//! taken from WireMock's documentation (`source` says where).

use seam_mock::{sources, MockConfig, MockServer};
use serde_json::{json, Value};

struct Case {
    name: &'static str,
    mapping: Value,
    method: &'static str,
    url: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: Option<&'static str>,
    status: u16,
    body_contains: &'static str,
}

/// One row of a `tests/wiremock-cases/*.json` file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileCase {
    name: String,
    /// Where the mapping and the expected answer come from (a WireMock doc page).
    #[allow(dead_code)]
    source: String,
    mapping: Value,
    request: FileRequest,
    expect: FileExpect,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRequest {
    #[serde(default = "get")]
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    body: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FileExpect {
    status: u16,
    #[serde(default)]
    body_contains: String,
    /// Response headers that must be present with these values; a `null`
    /// value means the header must be absent.
    #[serde(default)]
    headers: Vec<(String, Option<String>)>,
}

fn get() -> String {
    "GET".into()
}

/// The rows of every `tests/wiremock-cases/*.json` file, named `file: name`.
fn file_cases() -> Vec<(String, FileCase)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wiremock-cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut out = Vec::new();
    for f in files
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "json"))
    {
        let text = std::fs::read_to_string(&f).unwrap();
        let rows: Vec<FileCase> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        out.extend(rows.into_iter().map(|c| (stem.clone(), c)));
    }
    out
}

fn cases() -> Vec<Case> {
    let ok = |body: &str| json!({"status": 200, "body": body});
    vec![
        Case {
            name: "url exact",
            mapping: json!({"request": {"url": "/a?x=1"}, "response": ok("A")}),
            method: "GET",
            url: "/a?x=1",
            headers: &[],
            body: None,
            status: 200,
            body_contains: "A",
        },
        Case {
            name: "url exact needs the query",
            mapping: json!({"request": {"url": "/a?x=1"}, "response": ok("A")}),
            method: "GET",
            url: "/a",
            headers: &[],
            body: None,
            status: 404,
            body_contains: "expected URL /a?x=1",
        },
        Case {
            name: "urlPath ignores the query",
            mapping: json!({"request": {"urlPath": "/b"}, "response": ok("B")}),
            method: "GET",
            url: "/b?anything=1",
            headers: &[],
            body: None,
            status: 200,
            body_contains: "B",
        },
        Case {
            name: "urlPattern",
            mapping: json!({"request": {"urlPattern": "/c/[0-9]+\\?.*"}, "response": ok("C")}),
            method: "GET",
            url: "/c/12?q=1",
            headers: &[],
            body: None,
            status: 200,
            body_contains: "C",
        },
        Case {
            name: "urlPathPattern is whole-path",
            mapping: json!({"request": {"urlPathPattern": "/d/[a-z]+"}, "response": ok("D")}),
            method: "GET",
            url: "/d/abc/extra",
            headers: &[],
            body: None,
            status: 404,
            body_contains: "expected path matching",
        },
        Case {
            name: "urlPathTemplate + pathParameters",
            mapping: json!({"request": {"urlPathTemplate": "/e/{id}", "pathParameters": {"id": {"matches": "[0-9]+"}}}, "response": ok("E")}),
            method: "GET",
            url: "/e/42",
            headers: &[],
            body: None,
            status: 200,
            body_contains: "E",
        },
        Case {
            name: "pathParameters mismatch",
            mapping: json!({"request": {"urlPathTemplate": "/e/{id}", "pathParameters": {"id": {"matches": "[0-9]+"}}}, "response": ok("E")}),
            method: "GET",
            url: "/e/abc",
            headers: &[],
            body: None,
            status: 404,
            body_contains: "{id}",
        },
        Case {
            name: "method",
            mapping: json!({"request": {"method": "POST", "urlPath": "/f"}, "response": ok("F")}),
            method: "GET",
            url: "/f",
            headers: &[],
            body: None,
            status: 404,
            body_contains: "expected method POST",
        },
        Case {
            name: "method ANY",
            mapping: json!({"request": {"method": "ANY", "urlPath": "/f2"}, "response": ok("F2")}),
            method: "PATCH",
            url: "/f2",
            headers: &[],
            body: None,
            status: 200,
            body_contains: "F2",
        },
        Case {
            name: "queryParameters equalTo",
            mapping: json!({"request": {"urlPath": "/g", "queryParameters": {"q": {"equalTo": "x"}}}, "response": ok("G")}),
            method: "GET",
            url: "/g?q=x",
            headers: &[],
            body: None,
            status: 200,
            body_contains: "G",
        },
        Case {
            name: "queryParameters absent",
            mapping: json!({"request": {"urlPath": "/g2", "queryParameters": {"debug": {"absent": true}}}, "response": ok("G2")}),
            method: "GET",
            url: "/g2?debug=1",
            headers: &[],
            body: None,
            status: 404,
            body_contains: "debug",
        },
        Case {
            name: "headers caseInsensitive",
            mapping: json!({"request": {"urlPath": "/h", "headers": {"X-Mode": {"equalTo": "FAST", "caseInsensitive": true}}}, "response": ok("H")}),
            method: "GET",
            url: "/h",
            headers: &[("x-mode", "fast")],
            body: None,
            status: 200,
            body_contains: "H",
        },
        Case {
            name: "headers contains",
            mapping: json!({"request": {"urlPath": "/h2", "headers": {"Accept": {"contains": "json"}}}, "response": ok("H2")}),
            method: "GET",
            url: "/h2",
            headers: &[("Accept", "text/html")],
            body: None,
            status: 404,
            body_contains: "Accept",
        },
        Case {
            name: "cookies",
            mapping: json!({"request": {"urlPath": "/i", "cookies": {"session": {"matches": "[a-f0-9]+"}}}, "response": ok("I")}),
            method: "GET",
            url: "/i",
            headers: &[("Cookie", "theme=dark; session=abc123")],
            body: None,
            status: 200,
            body_contains: "I",
        },
        Case {
            name: "basic auth",
            mapping: json!({"request": {"urlPath": "/j", "basicAuthCredentials": {"username": "u", "password": "p"}}, "response": ok("J")}),
            method: "GET",
            url: "/j",
            headers: &[("Authorization", "Basic dTpw")],
            body: None,
            status: 200,
            body_contains: "J",
        },
        Case {
            name: "basic auth wrong",
            mapping: json!({"request": {"urlPath": "/j2", "basicAuthCredentials": {"username": "u", "password": "p"}}, "response": ok("J2")}),
            method: "GET",
            url: "/j2",
            headers: &[("Authorization", "Basic dTp4")],
            body: None,
            status: 404,
            body_contains: "Authorization",
        },
        Case {
            name: "equalToJson ignoreExtraElements",
            mapping: json!({"request": {"urlPath": "/k", "bodyPatterns": [{"equalToJson": {"a": 1}, "ignoreExtraElements": true}]}, "response": ok("K")}),
            method: "POST",
            url: "/k",
            headers: &[],
            body: Some(r#"{"a": 1.0, "b": 2}"#),
            status: 200,
            body_contains: "K",
        },
        Case {
            name: "equalToJson strict",
            mapping: json!({"request": {"urlPath": "/k2", "bodyPatterns": [{"equalToJson": "{\"items\": [1, 2]}"}]}, "response": ok("K2")}),
            method: "POST",
            url: "/k2",
            headers: &[],
            body: Some(r#"{"items": [2, 1]}"#),
            status: 404,
            body_contains: "items",
        },
        Case {
            name: "equalToJson ignoreArrayOrder",
            mapping: json!({"request": {"urlPath": "/k3", "bodyPatterns": [{"equalToJson": {"items": [1, 2]}, "ignoreArrayOrder": true}]}, "response": ok("K3")}),
            method: "POST",
            url: "/k3",
            headers: &[],
            body: Some(r#"{"items": [2, 1]}"#),
            status: 200,
            body_contains: "K3",
        },
        Case {
            name: "matchesJsonPath",
            mapping: json!({"request": {"urlPath": "/l", "bodyPatterns": [{"matchesJsonPath": "$.items[?(@.qty > 1)]"}]}, "response": ok("L")}),
            method: "POST",
            url: "/l",
            headers: &[],
            body: Some(r#"{"items": [{"qty": 3}]}"#),
            status: 200,
            body_contains: "L",
        },
        Case {
            name: "matchesJsonPath with sub-matcher",
            mapping: json!({"request": {"urlPath": "/l2", "bodyPatterns": [{"matchesJsonPath": {"expression": "$.user.name", "equalTo": "ann"}}]}, "response": ok("L2")}),
            method: "POST",
            url: "/l2",
            headers: &[],
            body: Some(r#"{"user": {"name": "bob"}}"#),
            status: 404,
            body_contains: "bodyPatterns[0]",
        },
        Case {
            name: "matchesJsonSchema",
            mapping: json!({"request": {"urlPath": "/m", "bodyPatterns": [{"matchesJsonSchema": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}}]}, "response": ok("M")}),
            method: "POST",
            url: "/m",
            headers: &[],
            body: Some(r#"{"id": "x"}"#),
            status: 404,
            body_contains: "bodyPatterns[0]",
        },
        Case {
            name: "equalToXml ignores attribute order",
            mapping: json!({"request": {"urlPath": "/n", "bodyPatterns": [{"equalToXml": "<a x=\"1\" y=\"2\"><b>t</b></a>"}]}, "response": ok("N")}),
            method: "POST",
            url: "/n",
            headers: &[],
            body: Some("<a y=\"2\" x=\"1\">\n  <b>t</b>\n</a>"),
            status: 200,
            body_contains: "N",
        },
        Case {
            name: "matchesXPath",
            mapping: json!({"request": {"urlPath": "/o", "bodyPatterns": [{"matchesXPath": "/order/item[@sku='A1']"}]}, "response": ok("O")}),
            method: "POST",
            url: "/o",
            headers: &[],
            body: Some("<order><item sku=\"A1\"/></order>"),
            status: 200,
            body_contains: "O",
        },
        Case {
            name: "and/or",
            mapping: json!({"request": {"urlPath": "/p", "headers": {"X-T": {"or": [{"equalTo": "a"}, {"and": [{"contains": "b"}, {"doesNotContain": "c"}]}]}}}, "response": ok("P")}),
            method: "GET",
            url: "/p",
            headers: &[("X-T", "xbx")],
            body: None,
            status: 200,
            body_contains: "P",
        },
        Case {
            name: "jsonBody + headers + statusMessage",
            mapping: json!({"request": {"urlPath": "/q"}, "response": {"status": 201, "statusMessage": "Made", "headers": {"Location": "/q/1"}, "jsonBody": {"id": 1}}}),
            method: "GET",
            url: "/q",
            headers: &[],
            body: None,
            status: 201,
            body_contains: "{\"id\":1}",
        },
        Case {
            name: "base64Body",
            mapping: json!({"request": {"urlPath": "/r"}, "response": {"status": 200, "base64Body": "aGVsbG8="}}),
            method: "GET",
            url: "/r",
            headers: &[],
            body: None,
            status: 200,
            body_contains: "hello",
        },
        Case {
            name: "response template",
            mapping: json!({"request": {"urlPathTemplate": "/s/{id}"}, "response": {"status": 200, "body": "id={{request.path.id}} q={{request.query.q}}", "transformers": ["response-template"]}}),
            method: "GET",
            url: "/s/7?q=z",
            headers: &[],
            body: None,
            status: 200,
            body_contains: "id=7 q=z",
        },
    ]
}

#[tokio::test]
async fn wiremock_mapping_table() {
    let server = MockServer::start(MockConfig::default(), Vec::new())
        .await
        .unwrap();
    let base = server.base_url();
    let c = reqwest::Client::new();
    let mut failures = Vec::new();
    let mut rows: Vec<(String, FileCase)> = cases()
        .into_iter()
        .map(|c| {
            let case = FileCase {
                name: c.name.to_string(),
                source: String::new(),
                mapping: c.mapping,
                request: FileRequest {
                    method: c.method.to_string(),
                    url: c.url.to_string(),
                    headers: c
                        .headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    body: c.body.map(str::to_string),
                },
                expect: FileExpect {
                    status: c.status,
                    body_contains: c.body_contains.to_string(),
                    headers: Vec::new(),
                },
            };
            ("table".to_string(), case)
        })
        .collect();
    rows.extend(file_cases());
    for (file, case) in rows {
        let name = format!("{file}: {}", case.name);
        c.delete(format!("{base}/__admin/mappings"))
            .send()
            .await
            .unwrap();
        let r = c
            .post(format!("{base}/__admin/mappings"))
            .json(&case.mapping)
            .send()
            .await
            .unwrap();
        if r.status() != 201 {
            failures.push(format!(
                "{name}: the mapping was refused: {}",
                r.text().await.unwrap()
            ));
            continue;
        }
        let (want, ask) = (&case.expect, &case.request);
        let mut req = c.request(ask.method.parse().unwrap(), format!("{base}{}", ask.url));
        for (k, v) in &ask.headers {
            req = req.header(k, v);
        }
        if let Some(b) = &ask.body {
            req = req.body(b.clone());
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        if status != want.status || !text.contains(&want.body_contains) {
            failures.push(format!(
                "{name}: expected {} containing {:?}, got {status}: {text}",
                want.status, want.body_contains
            ));
        }
        for (k, v) in &want.headers {
            let got = headers
                .get(k)
                .map(|h| String::from_utf8_lossy(h.as_bytes()));
            if got.as_deref() != v.as_deref() {
                failures.push(format!("{name}: header {k}: expected {v:?}, got {got:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn priorities_newest_wins_and_admin_errors() {
    let server = MockServer::start(MockConfig::default(), Vec::new())
        .await
        .unwrap();
    let base = server.base_url();
    let c = reqwest::Client::new();
    let add = |m: Value| {
        let c = c.clone();
        let base = base.clone();
        async move {
            assert_eq!(
                c.post(format!("{base}/__admin/mappings"))
                    .json(&m)
                    .send()
                    .await
                    .unwrap()
                    .status(),
                201
            )
        }
    };
    add(json!({"priority": 1, "request": {"urlPath": "/x"}, "response": {"body": "one"}})).await;
    add(json!({"priority": 2, "request": {"urlPath": "/x"}, "response": {"body": "two"}})).await;
    assert_eq!(
        c.get(format!("{base}/x"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "one",
        "lowest priority wins"
    );
    add(json!({"request": {"urlPath": "/y"}, "response": {"body": "old"}})).await;
    add(json!({"request": {"urlPath": "/y"}, "response": {"body": "new"}})).await;
    assert_eq!(
        c.get(format!("{base}/y"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "new",
        "ties go to the newest"
    );

    let r = c
        .post(format!("{base}/__admin/mappings"))
        .body("{\"request\": ")
        .send()
        .await
        .unwrap();
    // WireMock 3.13 answers unusable JSON with 422
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert!(
        e["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("line 1"),
        "{e}"
    );
    let r = c
        .post(format!("{base}/__admin/mappings"))
        .json(&json!({"request": {"urlPath": "/z", "bodyPatterns": [{"matches": "("}]}, "response": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("bodyPatterns[0]") && text.contains("regex"),
        "{text}"
    );
    let r = c
        .post(format!("{base}/__admin/requests/count"))
        .body("[]")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    server.shutdown().await;
}

#[tokio::test]
async fn mapping_directories_with_files() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("mappings")).unwrap();
    std::fs::create_dir_all(root.path().join("__files")).unwrap();
    std::fs::write(root.path().join("__files/order.json"), r#"{"id": 9}"#).unwrap();
    std::fs::write(
        root.path().join("mappings/order.json"),
        r#"{"request": {"method": "GET", "urlPath": "/order"}, "response": {"status": 200, "bodyFileName": "order.json", "headers": {"Content-Type": "application/json"}}}"#,
    )
    .unwrap();
    std::fs::write(
        root.path().join("mappings/many.json"),
        r#"{"mappings": [{"request": {"urlPath": "/m1"}, "response": {"body": "1"}}, {"request": {"urlPath": "/m2"}, "response": {"body": "2"}}]}"#,
    )
    .unwrap();
    let stubs = sources::load(root.path()).unwrap();
    assert_eq!(stubs.len(), 3);
    let config = MockConfig {
        files_dir: Some(root.path().join("__files")),
        ..Default::default()
    };
    let server = MockServer::start(config, stubs).await.unwrap();
    let base = server.base_url();
    assert_eq!(
        reqwest::get(format!("{base}/order"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        r#"{"id": 9}"#
    );
    assert_eq!(
        reqwest::get(format!("{base}/m2"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "2"
    );
    server.shutdown().await;

    std::fs::write(
        root.path().join("mappings/bad.json"),
        "{\"request\": {\"urlPath\": \"/b\"},\n \"response\": {\"staus\": 200}}",
    )
    .unwrap();
    let e = sources::load(root.path()).unwrap_err().to_string();
    assert!(e.contains("bad.json") && e.contains("staus"), "{e}");
}
