//! Interoperability with the official Pact tools (`pact-python-cli` from PyPI:
//! the pact-reference verifier and mock server in one binary):
//! - pacts seam writes (v3 and v4) are verified by the official verifier;
//! - pacts the official mock server writes (v3 and v4) are verified by seam.
//!
//! The CLI is installed into `target/pact-cli` on first use (CI starts clean).

use std::path::Path;
use std::process::{Child, Command, Stdio};

mod common;
use common::pact_cli;

/// The official mock server's master process, stopped when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn seam() -> Command {
    Command::new(env!("CARGO_BIN_EXE_seam"))
}

/// `seam mock` serving `args`; returns it and its port.
fn seam_mock(args: &[&str]) -> (common::Running, u16) {
    let running = common::mock(args);
    let port = running.port();
    (running, port)
}

/// `seam verify` on `pact` against the provider on `port`: (exit code, stdout, stderr).
fn seam_verify(port: u16, pact: &Path) -> (i32, String, String) {
    common::seam(&[
        "verify",
        "--provider-base-url",
        &format!("http://127.0.0.1:{port}"),
        pact.to_str().unwrap(),
    ])
}

/// The official verifier on `pact` against the provider on `port`.
fn official_verify(cli: &Path, pact: &Path, port: u16) -> std::process::Output {
    Command::new(cli)
        .args([
            "verifier",
            "-f",
            pact.to_str().unwrap(),
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ])
        .output()
        .unwrap()
}

const FIXTURE: &str = r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [
    {"description": "fetch an order", "providerStates": [{"name": "order exists", "params": {"id": 1}}],
     "request": {"method": "GET", "path": "/orders/1", "query": {"expand": ["items"]}, "headers": {"Accept": "application/json"}},
     "response": {"status": 200, "headers": {"Content-Type": "application/json"},
       "body": {"id": 1, "status": "PAID", "placedAt": "2026-11-24T10:15:00", "items": [{"sku": "A-1", "qty": 2}]},
       "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]},
         "$.status": {"matchers": [{"match": "regex", "regex": "NEW|PAID"}]},
         "$.placedAt": {"matchers": [{"match": "timestamp", "format": "yyyy-MM-dd'T'HH:mm:ss"}]},
         "$.items": {"matchers": [{"match": "type", "min": 1}]}}}}},
    {"description": "create an order",
     "request": {"method": "POST", "path": "/orders", "headers": {"Content-Type": "application/json"}, "body": {"sku": "A-1", "qty": 1}},
     "response": {"status": 201, "headers": {"Content-Type": "application/json"}, "body": {"id": 7},
       "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}}}
  ],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#;

/// A provider that renamed `status` to `state`.
const BREAKING: &str = "stubs:\n  - request: { method: GET, path: /orders/1 }\n    response: { json: { id: 1, state: PAID, placedAt: '2026-11-24T10:15:00', items: [ { sku: A-1, qty: 2 } ] } }\n  - request: { method: POST, path: /orders }\n    response: { status: 201, json: { id: 7 } }\n";

#[test]
fn the_official_verifier_accepts_pacts_seam_writes() {
    let cli = pact_cli();
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("fixture.json");
    std::fs::write(&fixture, FIXTURE).unwrap();
    let breaking = dir.path().join("breaking.yaml");
    std::fs::write(&breaking, BREAKING).unwrap();
    for version in ["v3", "v4"] {
        let written = dir.path().join(format!("web-orders-{version}.json"));
        let out = seam()
            .args([
                "pact",
                "convert",
                fixture.to_str().unwrap(),
                "--to",
                version,
                "-o",
                written.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // seam mock, serving the same pact, is the provider
        let (_provider, port) = seam_mock(&["--pact", written.to_str().unwrap()]);
        let out = official_verify(&cli, &written, port);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "official verifier on seam's {version} pact:\n{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.contains("has a matching body") && !text.contains("FAILED"),
            "{text}"
        );

        // and it fails when the provider breaks the contract
        let (_provider, port) = seam_mock(&["--stubs", breaking.to_str().unwrap()]);
        let out = official_verify(&cli, &written, port);
        assert!(
            !out.status.success(),
            "the official verifier must reject the breaking provider ({version})"
        );
    }
}

#[test]
fn seam_verifies_pacts_the_official_mock_server_writes() {
    let cli = pact_cli();
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("fixture.json");
    std::fs::write(&fixture, FIXTURE).unwrap();
    let breaking = dir.path().join("breaking.yaml");
    std::fs::write(&breaking, BREAKING).unwrap();
    for spec in ["V3", "V4"] {
        let work = dir.path().join(spec);
        std::fs::create_dir_all(&work).unwrap();
        let master = common::closed_port();
        let _master = Running(
            Command::new(&cli)
                .args([
                    "mock",
                    "start",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    &master.to_string(),
                    "--no-file-log",
                ])
                .current_dir(&work)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        // wait for the master server
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", master)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the pact mock master did not start"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = Command::new(&cli)
            .args([
                "mock",
                "create",
                // 127.0.0.1, not `localhost`, which may resolve to ::1 first
                "-h",
                "127.0.0.1",
                "-p",
                &master.to_string(),
                "--specification",
                spec,
                "-f",
                fixture.to_str().unwrap(),
            ])
            .current_dir(&work)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let port: u16 = text
            .split("started on port ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no mock server port in: {text}"));
        // exercise the consumer side, then let the official tool write the pact
        let client = reqwest::blocking::Client::new();
        let r = client
            .get(format!("http://127.0.0.1:{port}/orders/1?expand=items"))
            .header("Accept", "application/json")
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = client
            .post(format!("http://127.0.0.1:{port}/orders"))
            .header("Content-Type", "application/json")
            .body(r#"{"sku": "A-1", "qty": 1}"#)
            .send()
            .unwrap();
        assert_eq!(r.status(), 201);
        let out = Command::new(&cli)
            .args([
                "mock",
                "verify",
                "-h",
                "127.0.0.1",
                "-p",
                &master.to_string(),
                "-m",
                &port.to_string(),
            ])
            .current_dir(&work)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let written = work.join("web-orders.json");
        let text =
            std::fs::read_to_string(&written).expect("the official mock server wrote the pact");
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let version = doc["metadata"]["pactSpecification"]["version"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            version.starts_with(if spec == "V3" { "3" } else { "4" }),
            "{version}"
        );

        let (_provider, pport) = seam_mock(&["--pact", fixture.to_str().unwrap()]);
        let (code, report, _) = seam_verify(pport, &written);
        assert_eq!(
            Some(code),
            Some(0),
            "seam on the official {spec} pact:\n{report}"
        );
        assert!(report.contains("2 passed"), "{report}");

        let (_provider, pport) = seam_mock(&["--stubs", breaking.to_str().unwrap()]);
        let (code, report, _) = seam_verify(pport, &written);
        assert_eq!(code, 1, "{report}");
        assert!(
            report.contains("body $.status expected key 'status' but it was missing"),
            "{report}"
        );
    }
}
