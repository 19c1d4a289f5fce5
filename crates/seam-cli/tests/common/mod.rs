//! Helpers shared by the CLI tests: run `seam`, start `seam mock` on a free
//! port and stop it when dropped.

#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A `seam` process that is killed when dropped, and the base URL it printed.
pub struct Running {
    pub child: Child,
    pub url: String,
}

impl Running {
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port in the URL")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `seam ARGS --port 0` and waits for the URL it prints.
pub fn start(args: &[&str]) -> Running {
    start_with_env(args, &[])
}

/// Starts `seam ARGS --port 0` with environment variables `env`.
pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(args)
        .envs(env.iter().copied())
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("seam starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut line)
        .expect("a first line");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Running { child, url }
}

/// `seam mock` serving `args` (`--stubs DIR`, `--pact FILE`, ...).
pub fn mock(args: &[&str]) -> Running {
    let mut all = vec!["mock"];
    all.extend_from_slice(args);
    start(&all)
}

/// Runs `seam ARGS` (no colours): (exit code, stdout, stderr).
pub fn seam(args: &[&str]) -> (i32, String, String) {
    seam_in(None, &[], args)
}

/// Runs `seam ARGS` in `dir` (or here) with extra environment variables.
#[allow(dead_code)] // not every test file runs seam elsewhere
pub fn seam_in(
    dir: Option<&std::path::Path>,
    env: &[(String, String)],
    args: &[&str],
) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seam"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .envs(env.iter().map(|(k, v)| (k, v)));
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let out = cmd.output().expect("seam runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    seam_testkit::closed_port()
}

const PACT_CLI: &str = "pact-python-cli==1!0.10.9";

/// The official `pact` binary (pact-python-cli from PyPI: the Rust verifier,
/// mock server and broker client), installed into `target/pact-cli` once per
/// test run (tests run in parallel; CI starts clean).
pub fn pact_cli() -> std::path::PathBuf {
    static CLI: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    CLI.get_or_init(install_pact_cli).clone()
}

fn install_pact_cli() -> std::path::PathBuf {
    let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pact-cli");
    let bin = venv.join("bin/pact");
    if !bin.exists() {
        let ok = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 runs");
        assert!(ok.success(), "cannot create {}", venv.display());
        let ok = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", PACT_CLI])
            .status()
            .expect("pip runs");
        assert!(ok.success(), "pip install {PACT_CLI} failed");
    }
    bin
}

/// A `POST /contracts/publish` body: web `version` publishes a pact with
/// orders whose one interaction is named `v<version>` (`GET /o/<version>`).
pub fn publish_body(version: &str) -> serde_json::Value {
    use base64::Engine;
    let pact = serde_json::json!({
        "consumer": {"name": "web"}, "provider": {"name": "orders"},
        "interactions": [{"description": format!("v{version}"), "request": {"method": "GET", "path": format!("/o/{version}")}, "response": {"status": 200}}]
    });
    serde_json::json!({
        "pacticipantName": "web", "pacticipantVersionNumber": version, "branch": "main",
        "contracts": [{
            "consumerName": "web", "providerName": "orders", "specification": "pact",
            "contentType": "application/json",
            "content": base64::engine::general_purpose::STANDARD.encode(pact.to_string()),
        }]
    })
}

/// Checks `text` against SARIF 2.1.0: it must read as the types generated
/// from the OASIS schema (serde-sarif), and read back whole, so a property
/// the schema does not have, or one in the wrong place, fails too.
#[allow(dead_code)] // not every test file writes SARIF
pub fn assert_sarif(text: &str) {
    let original: serde_json::Value = serde_json::from_str(text).expect("SARIF is JSON");
    let typed: serde_sarif::sarif::Sarif =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not SARIF 2.1.0: {e}\n{text}"));
    let again = serde_json::to_value(&typed).unwrap();
    let mut lost = Vec::new();
    kept("$", &original, &again, &mut lost);
    assert!(lost.is_empty(), "not in the SARIF 2.1.0 schema: {lost:?}");
}

fn kept(
    path: &str,
    original: &serde_json::Value,
    again: &serde_json::Value,
    lost: &mut Vec<String>,
) {
    use serde_json::Value;
    match (original, again) {
        (Value::Object(o), Value::Object(a)) => {
            for (k, v) in o {
                match a.get(k) {
                    Some(w) => kept(&format!("{path}.{k}"), v, w, lost),
                    None if v.is_null() => {}
                    None => lost.push(format!("{path}.{k}")),
                }
            }
        }
        (Value::Array(o), Value::Array(a)) => {
            for (i, (v, w)) in o.iter().zip(a).enumerate() {
                kept(&format!("{path}[{i}]"), v, w, lost);
            }
        }
        _ => {}
    }
}
