//! `seam broker` driven by the official Pact clients, as a team's pipeline
//! would drive it: the consumer publishes with `pact broker publish`, the
//! provider verifies with `pact verifier --broker-url ... --publish`,
//! deployments are recorded, and `pact broker can-i-deploy` answers, with its
//! exit code, before and after. The data outlives a restart.

mod common;

use common::{pact_cli, Running};
use std::path::Path;
use std::process::Command;

/// `pact ARGS`: (exit code, stdout + stderr).
fn pact(args: &[&str]) -> (i32, String) {
    let out = Command::new(pact_cli())
        .args(args)
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .expect("pact runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn broker(data: &Path) -> Running {
    common::start(&["broker", "--data", data.to_str().unwrap()])
}

/// A pact of `web` against `orders`: GET /orders/1 answers `{"id": 1}`.
fn write_pact(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("web-orders.json"),
        r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
            "interactions": [{"description": "an order", "request": {"method": "GET", "path": "/orders/1"},
              "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": 1}}}],
            "metadata": {"pactSpecification": {"version": "2.0.0"}}}"#,
    )
    .unwrap();
}

/// The provider, as a seam mock answering the order with `body`.
fn provider(dir: &Path, body: &str) -> Running {
    let mappings = dir.join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    std::fs::write(
        mappings.join("order.json"),
        format!(
            r#"{{"request": {{"method": "GET", "url": "/orders/1"}},
                "response": {{"status": 200, "headers": {{"Content-Type": "application/json"}}, "body": {body:?}}}}}"#
        ),
    )
    .unwrap();
    common::mock(&["--stubs", dir.to_str().unwrap()])
}

/// `pact broker can-i-deploy` to production: its exit code and text, and
/// `summary.deployable` from the same question with `--output json` (the
/// client exits 0 whatever the answer when asked for JSON).
fn can_i_deploy(url: &str, pacticipant: &str, version: &str) -> (i32, String, serde_json::Value) {
    let args = [
        "broker",
        "can-i-deploy",
        "--broker-base-url",
        url,
        "--pacticipant",
        pacticipant,
        "--version",
        version,
        "--to-environment",
        "production",
    ];
    let (code, text) = pact(&args);
    let mut json_args = args.to_vec();
    json_args.extend(["--output", "json"]);
    let (_, json) = pact(&json_args);
    (code, text, deployable(&json))
}

fn deployable(out: &str) -> serde_json::Value {
    let start = out.find('{').unwrap_or_else(|| panic!("no JSON in {out}"));
    let v: serde_json::Value = serde_json::Deserializer::from_str(&out[start..])
        .into_iter()
        .next()
        .and_then(Result::ok)
        .unwrap_or_else(|| panic!("no JSON in {out}"));
    v["summary"]["deployable"].clone()
}

fn verify(url: &str, port: u16, version: &str) -> (i32, String) {
    pact(&[
        "verifier",
        "--broker-url",
        url,
        "--provider-name",
        "orders",
        "--hostname",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--publish",
        "--provider-version",
        version,
        "--provider-branch",
        "main",
        "--consumer-version-selectors",
        r#"{"mainBranch": true}"#,
        "--enable-pending",
    ])
}

#[test]
fn the_official_clients_publish_verify_record_and_ask_can_i_deploy() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let b = broker(&data);
    let url = b.url.clone();
    write_pact(&tmp.path().join("pacts"));

    let (code, out) = pact(&[
        "broker",
        "publish",
        tmp.path().join("pacts").to_str().unwrap(),
        "--broker-base-url",
        &url,
        "--consumer-app-version",
        "1.0.0",
        "--branch",
        "main",
        "--tag",
        "dev",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Created web version 1.0.0 with branch main and tags dev"),
        "{out}"
    );
    assert!(!out.contains("Failed to process"), "{out}");

    for args in [
        vec!["create-environment", "--name", "production", "--production"],
        vec![
            "describe-version",
            "--pacticipant",
            "web",
            "--version",
            "1.0.0",
        ],
        vec![
            "create-version-tag",
            "--pacticipant",
            "web",
            "--version",
            "1.0.0",
            "--tag",
            "rc",
        ],
    ] {
        let mut all = vec!["broker"];
        all.extend(args.iter().copied());
        all.extend(["--broker-base-url", &url]);
        let (code, out) = pact(&all);
        assert_eq!(code, 0, "{args:?}: {out}");
    }

    // nothing verified yet: the consumer cannot go to production
    let (code, out, answer) = can_i_deploy(&url, "web", "1.0.0");
    assert_eq!(code, 1, "{out}");
    assert_eq!(answer, serde_json::Value::Null, "{out}");
    assert!(
        out.contains("There is no verified pact between version 1.0.0 of web"),
        "{out}"
    );

    // a provider that breaks the contract: its verification fails and is published
    let bad = provider(&tmp.path().join("bad"), r#"{"id": "one"}"#);
    let (code, out) = verify(&url, bad.port(), "1.9.0");
    // pending: the first verification of a pact does not fail the provider's build
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("pending"), "{out}");

    // the good provider verifies it, and is deployed
    let good = provider(&tmp.path().join("good"), r#"{"id": 1}"#);
    let (code, out) = verify(&url, good.port(), "2.0.0");
    assert_eq!(code, 0, "{out}");
    let (code, out) = pact(&[
        "broker",
        "record-deployment",
        "--broker-base-url",
        &url,
        "--pacticipant",
        "orders",
        "--version",
        "2.0.0",
        "--environment",
        "production",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out, answer) = can_i_deploy(&url, "web", "1.0.0");
    assert_eq!(code, 0, "{out}");
    assert_eq!(answer, serde_json::Value::Bool(true), "{out}");

    // the consumer goes to production; the broken provider version may not
    // replace the good one under it
    let (code, out) = pact(&[
        "broker",
        "record-deployment",
        "--broker-base-url",
        &url,
        "--pacticipant",
        "web",
        "--version",
        "1.0.0",
        "--environment",
        "production",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out, answer) = can_i_deploy(&url, "orders", "1.9.0");
    assert_eq!(code, 1, "{out}");
    assert_eq!(answer, serde_json::Value::Bool(false), "{out}");
    assert!(out.contains("failed"), "{out}");

    // the store outlives the process
    drop(b);
    let b = broker(&data);
    let (code, out, _) = can_i_deploy(&b.url, "web", "1.0.0");
    assert_eq!(code, 0, "after a restart: {out}");
}

#[test]
fn a_changed_pact_for_a_published_version_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let b = broker(&tmp.path().join("data"));
    let pacts = tmp.path().join("pacts");
    write_pact(&pacts);
    let publish = || {
        pact(&[
            "broker",
            "publish",
            pacts.to_str().unwrap(),
            "--broker-base-url",
            &b.url,
            "--consumer-app-version",
            "1.0.0",
        ])
    };
    assert_eq!(publish().0, 0);
    // the same content again is fine
    let (code, out) = publish();
    assert_eq!(code, 0, "{out}");
    let changed = std::fs::read_to_string(pacts.join("web-orders.json"))
        .unwrap()
        .replace("/orders/1", "/orders/2");
    std::fs::write(pacts.join("web-orders.json"), changed).unwrap();
    let (code, out) = publish();
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("Cannot change the content of the pact"),
        "{out}"
    );
}
