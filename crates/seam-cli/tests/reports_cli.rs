//! Reports as every command writes them: each requested format is written, into
//! directories that do not exist yet, and no credential reaches any of them.

mod common;

use common::{mock, seam};

const CONTRACT: &str = "consumer: web\nprovider: orders\ninteractions:\n  - description: fetch an order\n    request:\n      path: /orders/1\n      headers: { Authorization: Bearer contract-s3cret, X-Api-Key: key-s3cret }\n    response:\n      status: 200\n      body: { id: 1, status: PAID }\n";

#[test]
fn verify_writes_every_report_into_new_directories_with_credentials_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("web-orders.yaml");
    std::fs::write(&contract, CONTRACT).unwrap();
    // a provider that renamed `status`: the interaction fails and is reported
    let stubs = dir.path().join("provider.yaml");
    std::fs::write(
        &stubs,
        "stubs:\n  - request: { path: /orders/1 }\n    response: { json: { id: 1, state: PAID } }\n",
    )
    .unwrap();
    let provider = mock(&["--stubs", stubs.to_str().unwrap()]);
    let out_dir = dir.path().join("out/nested");
    let path = |name: &str| out_dir.join(name).to_str().unwrap().to_string();
    let (code, out, err) = seam(&[
        "verify",
        "--provider-base-url",
        &provider.url,
        "-H",
        "X-Tenant-Token: header-s3cret",
        "--junit",
        &path("junit.xml"),
        "--json",
        &path("report.json"),
        "--html",
        &path("report.html"),
        contract.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("Authorization: Bearer <redacted>"), "{out}");
    let outputs = [
        ("stdout", out.clone()),
        ("stderr", err),
        ("junit", std::fs::read_to_string(path("junit.xml")).unwrap()),
        (
            "json",
            std::fs::read_to_string(path("report.json")).unwrap(),
        ),
        (
            "html",
            std::fs::read_to_string(path("report.html")).unwrap(),
        ),
    ];
    for (what, text) in &outputs {
        assert!(
            *what == "stderr" || text.contains("fetch an order"),
            "{what} reports the interaction: {text}"
        );
        for secret in ["contract-s3cret", "key-s3cret", "header-s3cret"] {
            assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
        }
    }
    assert!(outputs[4].1.starts_with("<!doctype html>"));
}

#[test]
fn test_writes_html_junit_and_json_into_new_directories() {
    let dir = tempfile::tempdir().unwrap();
    let stubs = dir.path().join("api.yaml");
    std::fs::write(
        &stubs,
        "stubs:\n  - request: { path: /health }\n    response: { json: { ok: true } }\n",
    )
    .unwrap();
    let api = mock(&["--stubs", stubs.to_str().unwrap()]);
    let suite = dir.path().join("suite.yaml");
    std::fs::write(
        &suite,
        "name: health\nbaseUrl: \"{{base}}\"\ntests:\n  - name: up\n    steps:\n      - request: { path: /health }\n        assert: { status: 200 }\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = seam(&[
        "test",
        suite.to_str().unwrap(),
        "--var",
        &format!("base={}", api.url),
        "--junit",
        out.join("a/junit.xml").to_str().unwrap(),
        "--json",
        out.join("b/report.json").to_str().unwrap(),
        "--html",
        out.join("c/report.html").to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let html = std::fs::read_to_string(out.join("c/report.html")).unwrap();
    assert!(
        html.starts_with("<!doctype html>") && html.contains("up"),
        "{html}"
    );
    assert!(std::fs::read_to_string(out.join("a/junit.xml"))
        .unwrap()
        .contains("<testcase"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("b/report.json")).unwrap()).unwrap();
    assert!(json.is_object() || json.is_array(), "{json}");
    for label in ["junit", "json", "html"] {
        assert!(
            stdout.contains(&format!("  {label:<6} ")),
            "{label} listed: {stdout}"
        );
    }
}
