//! `seam broker` driven by the official Pact clients, as a team's pipeline
//! would drive it: the consumer publishes with `pact broker publish`, the
//! provider verifies with `pact verifier --broker-url ... --publish`,
//! deployments are recorded, and `pact broker can-i-deploy` answers, with its
//! exit code, before and after. The data outlives a restart. The Ruby
//! clients (`pact-broker`, `pact-provider-verifier`, npm
//! `@pact-foundation/pact-cli-linux-x64`), which read links differently, do
//! the same.

mod common;

use common::{pact_cli, Running};
use std::path::Path;
use std::process::Command;

/// `pact ARGS`: (exit code, stdout + stderr).
fn pact(args: &[&str]) -> (i32, String) {
    run(Command::new(pact_cli()).args(args))
}

/// A broker in `dir/data` where web 1.0.0 (branch main) has published its
/// pact with orders through `pact broker publish`.
fn broker_with_pact(dir: &Path) -> Running {
    let b = broker(&dir.join("data"));
    let pacts = dir.join("pacts");
    write_pact(&pacts);
    let (code, out) = pact_broker(
        &b.url,
        "publish",
        &[
            pacts.to_str().unwrap(),
            "--consumer-app-version",
            "1.0.0",
            "--branch",
            "main",
        ],
    );
    assert_eq!(code, 0, "{out}");
    b
}

/// `pact broker SUBCOMMAND --broker-base-url URL ARGS...`: (exit code, output).
fn pact_broker(url: &str, subcommand: &str, args: &[&str]) -> (i32, String) {
    let mut all = vec!["broker", subcommand, "--broker-base-url", url];
    all.extend_from_slice(args);
    pact(&all)
}

/// Runs a Pact client without its usage tracking: (exit code, stdout + stderr).
fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd
        .env("PACT_DO_NOT_TRACK", "true")
        .output()
        .expect("the client runs");
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
    let (code, out) = pact_broker(
        &url,
        "record-deployment",
        &[
            "--pacticipant",
            "orders",
            "--version",
            "2.0.0",
            "--environment",
            "production",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out, answer) = can_i_deploy(&url, "web", "1.0.0");
    assert_eq!(code, 0, "{out}");
    assert_eq!(answer, serde_json::Value::Bool(true), "{out}");

    // the consumer goes to production; the broken provider version may not
    // replace the good one under it
    let (code, out) = pact_broker(
        &url,
        "record-deployment",
        &[
            "--pacticipant",
            "web",
            "--version",
            "1.0.0",
            "--environment",
            "production",
        ],
    );
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

#[test]
fn with_tokens_the_clients_need_the_right_one() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let b = common::start_with_env(
        &["broker", "--data", data.to_str().unwrap()],
        &[
            ("SEAM_BROKER_READ_TOKENS", "reader-0123456789abcdef"),
            ("SEAM_BROKER_WRITE_TOKENS", "writer-0123456789abcdef"),
        ],
    );
    let pacts = tmp.path().join("pacts");
    write_pact(&pacts);
    let publish = |token: Option<&str>| {
        let mut args = vec![
            "broker",
            "publish",
            pacts.to_str().unwrap(),
            "--broker-base-url",
            &b.url,
            "--consumer-app-version",
            "1.0.0",
        ];
        if let Some(token) = token {
            args.extend(["--broker-token", token]);
        }
        pact(&args)
    };
    let (code, out) = publish(None);
    assert_ne!(code, 0, "{out}");
    let (code, out) = publish(Some("reader-0123456789abcdef"));
    assert_ne!(code, 0, "{out}");
    let (code, out) = publish(Some("writer-0123456789abcdef"));
    assert_eq!(code, 0, "{out}");
    let (code, out) = pact_broker(
        &b.url,
        "describe-version",
        &[
            "--pacticipant",
            "web",
            "--broker-token",
            "reader-0123456789abcdef",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1.0.0"), "{out}");
    // a token too short to be safe is refused at start
    let (code, _, err) = common::seam_in(
        Some(tmp.path()),
        &[("SEAM_BROKER_WRITE_TOKENS".into(), "short".into())],
        &["broker", "--port", "0", "--data", data.to_str().unwrap()],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at least 16 characters"), "{err}");
}

#[test]
fn a_verifier_without_selectors_and_can_i_deploy_explain() {
    let tmp = tempfile::tempdir().unwrap();
    let b = broker_with_pact(tmp.path());
    // the provider answers the id as a string: the verification fails
    let p = provider(&tmp.path().join("provider"), r#"{"id": "1"}"#);
    // no selectors: the verifier follows the provider's latest pacts (`pacts`)
    let (code, out) = pact(&[
        "verifier",
        "--broker-url",
        &b.url,
        "--provider-name",
        "orders",
        "--hostname",
        "127.0.0.1",
        "--port",
        &p.port().to_string(),
        "--publish",
        "--provider-version",
        "2.0.0",
    ]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("an order"), "{out}");
    let (code, out) = pact_broker(
        &b.url,
        "record-deployment",
        &[
            "--pacticipant",
            "orders",
            "--version",
            "2.0.0",
            "--environment",
            "production",
        ],
    );
    assert_ne!(code, 0, "no such environment yet: {out}");
    let (code, out) = pact_broker(&b.url, "create-environment", &["--name", "production"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = pact_broker(
        &b.url,
        "record-deployment",
        &[
            "--pacticipant",
            "orders",
            "--version",
            "2.0.0",
            "--environment",
            "production",
        ],
    );
    assert_eq!(code, 0, "{out}");
    let (code, out, err) = common::seam(&[
        "broker",
        "can-i-deploy",
        "--broker-base-url",
        &b.url,
        "--pacticipant",
        "web",
        "--version",
        "1.0.0",
        "--to-environment",
        "production",
        "--explain",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("deployed to production? no"), "{out}");
    assert!(out.contains("\"an order\""), "{out}");
    assert!(
        out.contains("body $.id: Expected '1' (String) to be equal to 1 (Integer)"),
        "{out}"
    );
    // JSON carries the same blockers; a missing pacticipant is bad input
    let (code, out, _) = common::seam(&[
        "broker",
        "can-i-deploy",
        "-b",
        &b.url,
        "-a",
        "web",
        "-e",
        "1.0.0",
        "--to-environment",
        "production",
        "--explain",
        "--output",
        "json",
    ]);
    assert_eq!(code, 1);
    let answer: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        answer["matrix"][0]["verificationResult"]["blockers"][0]["interaction"],
        "an order"
    );
    let (code, _, err) = common::seam(&[
        "broker",
        "can-i-deploy",
        "-b",
        &format!("http://127.0.0.1:{}", common::closed_port()),
        "-a",
        "web",
        "--to-environment",
        "production",
    ]);
    assert_eq!(code, 3, "{err}");
}

const RUBY_CLI: &str = "@pact-foundation/pact-cli-linux-x64@16.1.7";

/// The Ruby standalone's `bin` directory, installed into
/// `target/pact-ruby-cli` once (npm).
fn ruby_bin() -> std::path::PathBuf {
    static BIN: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let prefix = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pact-ruby-cli");
        let find = || {
            std::fs::read_dir(
                prefix.join("node_modules/@pact-foundation/pact-cli-linux-x64/standalone"),
            )
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path().join("pact/bin"))
            .find(|p| p.join("pact-broker").exists())
        };
        if let Some(bin) = find() {
            return bin;
        }
        let ok = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .arg(RUBY_CLI)
            .status()
            .expect("npm runs");
        assert!(ok.success(), "npm install {RUBY_CLI} failed");
        find().expect("the Ruby standalone's bin directory")
    })
    .clone()
}

/// A Ruby client: (exit code, stdout + stderr).
fn ruby(tool: &str, args: &[&str]) -> (i32, String) {
    run(Command::new(ruby_bin().join(tool)).args(args))
}

#[test]
fn the_ruby_clients_work_the_same_pipeline() {
    let tmp = tempfile::tempdir().unwrap();
    let b = broker(&tmp.path().join("data"));
    let url = b.url.as_str();
    let pacts = tmp.path().join("pacts");
    write_pact(&pacts);
    let broker_cmd = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--broker-base-url", url]);
        ruby("pact-broker", &all)
    };
    let (code, out) = broker_cmd(&[
        "publish",
        pacts.to_str().unwrap(),
        "--consumer-app-version",
        "1.0.0",
        "--branch",
        "main",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Pact successfully published for web version 1.0.0 and provider orders"),
        "{out}"
    );
    let (code, out) = broker_cmd(&["create-environment", "--name", "production"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = broker_cmd(&["describe-version", "--pacticipant", "web"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1.0.0"), "{out}");
    let can_i_deploy = || {
        broker_cmd(&[
            "can-i-deploy",
            "--pacticipant",
            "web",
            "--version",
            "1.0.0",
            "--to-environment",
            "production",
        ])
    };
    let (code, out) = can_i_deploy();
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("There is no verified pact between version 1.0.0 of web"),
        "{out}"
    );

    let good = provider(&tmp.path().join("good"), r#"{"id": 1}"#);
    let (code, out) = ruby(
        "pact-provider-verifier",
        &[
            "--pact-broker-base-url",
            url,
            "--provider",
            "orders",
            "--provider-base-url",
            &good.url,
            "--publish-verification-results",
            "--provider-app-version",
            "2.0.0",
            "--provider-version-branch",
            "main",
            "--enable-pending",
            "--consumer-version-selector",
            r#"{"mainBranch": true}"#,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Verification results published"), "{out}");
    let (code, out) = broker_cmd(&[
        "record-deployment",
        "--pacticipant",
        "orders",
        "--version",
        "2.0.0",
        "--environment",
        "production",
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = can_i_deploy();
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("All required verification results are published and successful"),
        "{out}"
    );
    for args in [
        vec![
            "record-undeployment",
            "--pacticipant",
            "orders",
            "--environment",
            "production",
        ],
        vec![
            "record-release",
            "--pacticipant",
            "web",
            "--version",
            "1.0.0",
            "--environment",
            "production",
        ],
        vec![
            "create-or-update-pacticipant",
            "--name",
            "web",
            "--main-branch",
            "main",
        ],
    ] {
        let (code, out) = broker_cmd(&args);
        assert_eq!(code, 0, "{args:?}: {out}");
    }
    // with the provider undeployed, the consumer has nothing verified in production
    let (code, out) = can_i_deploy();
    assert_eq!(code, 1, "{out}");
}

/// An OpenAPI document for `orders`: GET /orders/{id} answers `{"id": <id_type>}`.
fn orders_contract(dir: &Path, id_type: &str) -> std::path::PathBuf {
    let path = dir.join(format!("orders-{id_type}.yaml"));
    std::fs::write(
        &path,
        format!(
            "openapi: 3.0.0\ninfo: {{title: orders, version: '1'}}\npaths:\n  /orders/{{id}}:\n    get:\n      parameters: [{{name: id, in: path, required: true, schema: {{type: integer}}}}]\n      responses:\n        '200':\n          description: an order\n          content:\n            application/json:\n              schema: {{type: object, properties: {{id: {{type: {id_type}}}}}, required: [id]}}\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn bi_directional_contracts_with_the_official_clients() {
    let tmp = tempfile::tempdir().unwrap();
    let b = broker_with_pact(tmp.path());
    let (code, out) = pact_broker(&b.url, "create-environment", &["--name", "production"]);
    assert_eq!(code, 0, "{out}");
    let report = tmp.path().join("report.txt");
    std::fs::write(&report, "42 tests passed").unwrap();
    let publish_contract = |file: &Path, version: &str| {
        pact(&[
            "pactflow",
            "publish-provider-contract",
            file.to_str().unwrap(),
            "--broker-base-url",
            &b.url,
            "--provider",
            "orders",
            "--provider-app-version",
            version,
            "--branch",
            "main",
            "--content-type",
            "application/yaml",
            "--verification-exit-code",
            "0",
            "--verification-results",
            report.to_str().unwrap(),
            "--verification-results-content-type",
            "text/plain",
            "--verifier",
            "schemathesis",
        ])
    };
    let deploy = |version: &str| {
        let (code, out) = pact_broker(
            &b.url,
            "record-deployment",
            &[
                "--pacticipant",
                "orders",
                "--version",
                version,
                "--environment",
                "production",
            ],
        );
        assert_eq!(code, 0, "{out}");
    };
    let can_i_deploy = || {
        common::seam(&[
            "broker",
            "can-i-deploy",
            "-b",
            &b.url,
            "-a",
            "web",
            "-e",
            "1.0.0",
            "--to-environment",
            "production",
            "--explain",
        ])
    };

    // a contract that fits the pact: compatible, and web may deploy
    let (code, out) = publish_contract(&orders_contract(tmp.path(), "integer"), "2.0.0");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("web version 1.0.0 is compatible"), "{out}");
    deploy("2.0.0");
    let (code, out, err) = can_i_deploy();
    assert_eq!(code, 0, "{out}{err}");

    // one where the id is a string: not compatible, and --explain says where
    let (code, out) = publish_contract(&orders_contract(tmp.path(), "string"), "3.0.0");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("NOT compatible"), "{out}");
    deploy("3.0.0");
    let (code, out, _) = can_i_deploy();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("response.body.incompatible"), "{out}");
    assert!(
        out.contains("body.id: expected a string, got the number 1"),
        "{out}"
    );

    // the Ruby client publishes the same way; a broken document is a 400 naming the place
    let broken = tmp.path().join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.0\ninfo: {title: x\n").unwrap();
    let (code, out) = ruby(
        "pactflow",
        &[
            "publish-provider-contract",
            orders_contract(tmp.path(), "integer").to_str().unwrap(),
            "--broker-base-url",
            &b.url,
            "--provider",
            "orders",
            "--provider-app-version",
            "4.0.0",
            "--branch",
            "main",
            "--content-type",
            "application/yaml",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("is compatible"), "{out}");
    let (code, out) = ruby(
        "pactflow",
        &[
            "publish-provider-contract",
            broken.to_str().unwrap(),
            "--broker-base-url",
            &b.url,
            "--provider",
            "orders",
            "--provider-app-version",
            "5.0.0",
            "--content-type",
            "application/yaml",
        ],
    );
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("contract.content"), "{out}");
}
