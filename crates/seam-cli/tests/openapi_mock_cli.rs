//! `seam mock --openapi` as a user runs it: serving a spec, `--dynamic` with
//! `--seed`, `--validate-requests=false`, a broken spec refused with its
//! positions (exit 2, nothing served), and `--watch` keeping the last good spec.

mod common;

use common::mock as start;
use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

fn shop() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seam-openapi/tests/data/mock-shop.yaml")
}

fn get_json(url: &str) -> Value {
    reqwest::blocking::get(url).unwrap().json().unwrap()
}

#[test]
fn serves_a_spec_and_seeds_generated_data() {
    let spec = shop();
    let spec = spec.to_str().unwrap();
    let server = start(&["--openapi", spec]);
    let orders = get_json(&format!("{}/v1/orders", server.url));
    assert_eq!(
        orders[0]["items"][0]["sku"], "AB-1234",
        "the first example: {orders}"
    );

    let a = start(&["--openapi", spec, "--dynamic", "--seed", "5"]);
    let b = start(&["--openapi", spec, "--dynamic", "--seed", "5"]);
    let c = start(&["--openapi", spec, "--dynamic", "--seed", "6"]);
    let body = |s: &common::Running| get_json(&format!("{}/v1/orders/1", s.url));
    assert_eq!(body(&a), body(&b));
    assert_ne!(body(&a), body(&c));
    assert_ne!(body(&a), orders, "--dynamic generates");
}

#[test]
fn request_validation_can_be_turned_off() {
    let spec = shop();
    let post = |url: &str| {
        reqwest::blocking::Client::new()
            .post(format!("{url}/v1/orders"))
            .bearer_auth("t")
            .json(&serde_json::json!({"items": []}))
            .send()
            .unwrap()
            .status()
    };
    let strict = start(&["--openapi", spec.to_str().unwrap()]);
    assert_eq!(post(&strict.url), 422);
    let lax = start(&[
        "--openapi",
        spec.to_str().unwrap(),
        "--validate-requests=false",
    ]);
    assert_eq!(post(&lax.url), 201);
}

#[test]
fn a_broken_spec_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(
        &f,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a: [\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["mock", "--port", "0", "--openapi", f.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:", f.display())), "{err}");
    assert!(err.contains("nothing served"), "{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).is_empty(),
        "never listened"
    );

    // well-formed YAML that breaks the OpenAPI rules: refused as `openapi validate` would
    let g = dir.path().join("undeclared.yaml");
    std::fs::write(
        &g,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets/{petId}:\n    get:\n      responses:\n        '200': {description: ok}\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["mock", "--port", "0", "--openapi", g.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:", g.display())) && err.contains("petId"),
        "{err}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).is_empty(),
        "never listened"
    );
}

#[test]
fn watch_keeps_the_last_good_spec() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("api.yaml");
    let spec = |status: &str| {
        format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /ping:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {{status: {status}}}\n"
        )
    };
    std::fs::write(&f, spec("one")).unwrap();
    let server = start(&["--openapi", f.to_str().unwrap(), "--watch"]);
    let ping = || get_json(&format!("{}/ping", server.url));
    assert_eq!(ping()["status"], "one");
    std::thread::sleep(Duration::from_millis(50));
    std::fs::write(&f, "openapi: 3.0.3\npaths: [\n").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        ping()["status"],
        "one",
        "a broken spec keeps the last good one"
    );
    std::fs::write(&f, spec("two")).unwrap();
    let mut last = Value::Null;
    for _ in 0..40 {
        last = ping();
        if last["status"] == "two" {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the fixed spec was not reloaded: {last}");
}
