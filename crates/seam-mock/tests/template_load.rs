//! Response templates compile when their stub loads: a template that does not
//! compile fails the stub file at start-up with `file:line:col` (seam stub
//! files) or the JSON path (WireMock mappings), and the admin API answers 422
//! naming the field, instead of a 500 on the stub's first request. Good
//! templates render per request from the request as received (real sockets).

use seam_mock::{sources, MockConfig, MockServer};
use serde_json::{json, Value};

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_stub_file_with_a_broken_body_template_fails_to_load_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "stubs.yaml",
        "stubs:\n  - request: { path: /t }\n    response:\n      template: true\n      text: \"{{request.path}} {{#if request.url}}unclosed\"\n",
    );
    let e = sources::load(&path).unwrap_err().to_string();
    let shown = path.display().to_string();
    assert_eq!(
        e,
        format!("{shown}:5:13: template in the body: invalid template syntax (line 1, column 45)")
    );
}

#[test]
fn a_stub_file_with_a_broken_header_template_names_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "stubs.yaml",
        "stubs:\n  - request: { path: /t }\n    response:\n      template: true\n      headers: { X-Id: \"{{request.path\" }\n      text: ok\n",
    );
    let e = sources::load(&path).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}:5:", path.display())), "{e}");
    assert!(
        e.contains("template in header `X-Id`: invalid template syntax (line 1, column"),
        "{e}"
    );
}

#[test]
fn templates_are_only_compiled_when_templated() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "stubs.yaml",
        "stubs:\n  - request: { path: /t }\n    response:\n      text: \"{{not a template here\"\n",
    );
    assert_eq!(sources::load(&path).unwrap().len(), 1);
}

#[test]
fn a_mapping_file_with_a_broken_template_names_its_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let mapping = json!({
        "request": {"urlPath": "/t"},
        "response": {"jsonBody": {"id": "{{jsonPath request.body '$.id'"}, "transformers": ["response-template"]}
    });
    write(dir.path(), "mappings/t.json", &mapping.to_string());
    let e = sources::load(dir.path()).unwrap_err().to_string();
    assert!(e.contains("mappings/t.json"), "{e}");
    assert!(
        e.contains(
            "$.response.jsonBody: invalid template: invalid template syntax (line 1, column 38)"
        ),
        "{e}"
    );
    let headers = json!({
        "request": {"urlPath": "/t"},
        "response": {"headers": {"X-A": ["ok", "{{#each}}"]}, "transformers": ["response-template"]}
    });
    write(dir.path(), "mappings/t.json", &headers.to_string());
    let e = sources::load(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("$.response.headers.X-A[1]: invalid template"),
        "{e}"
    );
}

async fn post(url: String, body: Value) -> (u16, String) {
    let res = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn the_admin_api_refuses_a_broken_template_with_422_naming_the_field() {
    let server = MockServer::start(MockConfig::default(), Vec::new())
        .await
        .unwrap();
    let base = server.base_url();
    let broken = json!({
        "request": {"urlPath": "/t"},
        "response": {"body": "{{request.path}", "transformers": ["response-template"]}
    });
    let (status, text) = post(format!("{base}/__admin/mappings"), broken.clone()).await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("$.response.body"), "{text}");
    assert!(text.contains("invalid template"), "{text}");
    let (status, text) = post(
        format!("{base}/__admin/mappings/import"),
        json!({"mappings": [broken]}),
    )
    .await;
    assert_eq!(status, 422, "{text}");
    assert!(text.contains("$.response.body"), "{text}");
    // nothing was added: the path is still unmatched
    let res = reqwest::get(format!("{base}/t")).await.unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

#[tokio::test]
async fn a_loaded_template_renders_each_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "stubs.yaml",
        "stubs:\n  - request: { path: \"/things/{id}\" }\n    response:\n      template: true\n      headers: { X-Path: \"{{request.path}}\" }\n      text: \"{{request.path.id}} {{jsonPath request.body '$.name'}} {{request.query.q}}\"\n",
    );
    let stubs = sources::load(&path).unwrap();
    let server = MockServer::start(MockConfig::default(), stubs)
        .await
        .unwrap();
    let base = server.base_url();
    let c = reqwest::Client::new();
    for (id, name) in [("1", "Ann"), ("2", "Bob")] {
        let res = c
            .post(format!("{base}/things/{id}?q=x{id}"))
            .body(format!("{{\"name\": \"{name}\"}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(
            res.headers()["x-path"].to_str().unwrap(),
            format!("/things/{id}")
        );
        assert_eq!(res.text().await.unwrap(), format!("{id} {name} x{id}"));
    }
}
