//! `seam mock` as a user runs it: the printed address, bad stub files, and the
//! unchanged npm WireMock client (`wiremock-rest-client`) driving the admin API.

mod common;

use common::mock as start;
use std::path::Path;
use std::process::Command;

#[test]
fn prints_its_address_and_serves_stub_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        "stubs:\n  - request: { path: /hello }\n    response: { text: hi }\n",
    )
    .unwrap();
    let server = start(&["--stubs", dir.path().to_str().unwrap()]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let body = reqwest::blocking::get(format!("{}/hello", server.url))
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(body, "hi");
}

#[test]
fn bad_stub_files_exit_2_with_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(&f, "stubs:\n  - request: { path: /a }\n    respnse: {}\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["mock", "--port", "0", "--stubs", f.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:3:", f.display())), "{err}");
    assert!(err.contains("did you mean `response`"), "{err}");
}

/// Installs the client with npm when it is not there yet (CI starts clean).
fn client_dir() -> std::path::PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/wiremock-client");
    if !dir.join("node_modules/wiremock-rest-client").is_dir() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("npm is installed (node and npm are required for this test)");
        assert!(status.success(), "npm ci failed in {}", dir.display());
    }
    dir
}

#[test]
fn the_npm_wiremock_client_works_unchanged() {
    let dir = client_dir();
    let server = start(&[]);
    let out = Command::new("node")
        .arg("client.test.js")
        .arg(&server.url)
        .current_dir(&dir)
        .output()
        .expect("node is installed");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "node client failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
}
