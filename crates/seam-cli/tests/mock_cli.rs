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

/// Starts `seam mock ARGS --port 0` with stderr kept: the child and its URL.
fn mock_with_stderr(args: &[&str]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_seam"))
        .arg("mock")
        .args(args)
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap()
        .to_string();
    (child, url)
}

/// Stops the child; what it wrote to stderr.
fn stderr_of(mut child: std::process::Child) -> String {
    use std::io::Read;
    let _ = child.kill();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let _ = child.wait();
    err
}

#[test]
fn unmatched_requests_are_logged_and_verbose_logs_every_request() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        "stubs:\n  - name: get todo\n    request: { method: GET, path: \"/todos/{id}\" }\n    response: { text: hi }\n",
    )
    .unwrap();
    let stubs = dir.path().to_str().unwrap();
    let (child, url) = mock_with_stderr(&["--stubs", stubs]);
    assert_eq!(
        reqwest::blocking::get(format!("{url}/todos/1"))
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        reqwest::blocking::get(format!("{url}/todoz/1"))
            .unwrap()
            .status(),
        404
    );
    let err = stderr_of(child);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("seam mock:"))
        .collect();
    assert_eq!(lines.len(), 1, "only the unmatched request: {err}");
    assert!(
        lines[0].starts_with("seam mock: unmatched GET /todoz/1; closest stub: get todo (path: "),
        "{err}"
    );

    let (child, url) = mock_with_stderr(&["--stubs", stubs, "--verbose"]);
    assert_eq!(
        reqwest::blocking::get(format!("{url}/todos/1"))
            .unwrap()
            .status(),
        200
    );
    let err = stderr_of(child);
    assert!(
        err.contains("seam mock: GET /todos/1 -> 200 by get todo"),
        "{err}"
    );
}

#[test]
fn timeout_flags_are_checked_and_close_silent_connections() {
    use std::io::Read;
    let (code, _, err) = common::seam(&["mock", "--port", "0", "--idle-timeout", "soon"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`soon` is not a duration"), "{err}");
    let (code, _, err) = common::seam(&["mock", "--port", "0", "--delay", "999999999999"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("at most 300000"), "{err}");

    let server = start(&["--header-read-timeout", "300ms"]);
    let mut silent = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    silent
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 16];
    assert_eq!(
        silent.read(&mut buf).unwrap_or(0),
        0,
        "closed by the server"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

#[test]
fn a_stub_that_cannot_be_used_is_skipped_with_a_placed_warning() {
    let root = tempfile::tempdir().unwrap();
    let mappings = root.path().join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    std::fs::write(
        mappings.join("good.json"),
        "// WireMock's parser allows comments\n{\"request\": {\"urlPath\": \"/good\"}, \"response\": {\"body\": \"good\"}}\n",
    )
    .unwrap();
    std::fs::write(
        mappings.join("bad.json"),
        "{\"request\": {\"urlPath\": \"/bad\"},\n \"response\": {\"staus\": 200}}\n",
    )
    .unwrap();
    let pacts = tempfile::tempdir().unwrap();
    let pact = pacts.path().join("c-p.json");
    std::fs::write(
        &pact,
        r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [
{"description": "unclosed group", "request": {"method": "GET", "path": "/aa", "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": "/(a"}]}}}, "response": {"status": 200}},
{"description": "fine", "request": {"method": "GET", "path": "/fine"}, "response": {"status": 200, "body": "fine"}}
], "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#,
    )
    .unwrap();
    let (child, url) = mock_with_stderr(&[
        "--stubs",
        root.path().to_str().unwrap(),
        "--pact",
        pact.to_str().unwrap(),
    ]);
    let get = |p: &str| reqwest::blocking::get(format!("{url}{p}")).unwrap();
    assert_eq!(get("/good").text().unwrap(), "good");
    assert_eq!(get("/fine").text().unwrap(), "fine");
    assert_eq!(get("/bad").status(), 404);
    assert_eq!(get("/aa").status(), 404);
    let err = stderr_of(child);
    let bad = mappings.join("bad.json");
    assert!(
        err.contains(&format!(
            "seam mock: warning: skipped: {}:2:24: at $.response.staus: unknown key `staus` in `response` (did you mean `status`?)",
            bad.display()
        )),
        "{err}"
    );
    let named: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("\"unclosed group\""))
        .collect();
    assert_eq!(named.len(), 1, "named once: {err}");
    assert!(
        named[0].starts_with(&format!(
            "seam mock: warning: {}: at $.interactions[0]: interaction \"unclosed group\" is not served: ",
            pact.display()
        )),
        "{err}"
    );
}
