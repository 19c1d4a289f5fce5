//! `seam proxy --openapi SPEC --to URL`: a real upstream (`seam mock` with stubs
//! that answer right and wrong) behind the validating proxy, over loopback;
//! the violation headers, the journal, `--errors`' 502s, `--record`, and the
//! reports written when the proxy is stopped with SIGTERM.

mod common;

use common::{mock, seam, Running};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../seam-openapi/tests/data/proxy-pets.yaml")
}

/// The real service: right answers for some requests, wrong ones for others.
const UPSTREAM: &str = r#"
stubs:
  - request: { method: GET, path: /pets }
    response: { status: 200, headers: { Content-Type: application/json }, json: [ { id: 1, name: Rex } ] }
  - request: { method: GET, path: /pets/1 }
    response: { status: 200, headers: { Content-Type: application/json }, json: { id: "one" } }
  - request: { method: GET, path: /pets/2 }
    response: { status: 404 }
  - request: { method: GET, path: /pets/3 }
    response: { status: 418, text: teapot }
  - request: { method: POST, path: /pets }
    response: { status: 201, headers: { Content-Type: application/json }, json: { id: 7, name: Rex } }
"#;

fn upstream(dir: &Path) -> Running {
    let stubs = dir.join("upstream.yaml");
    std::fs::write(&stubs, UPSTREAM).unwrap();
    mock(&["--stubs", stubs.to_str().unwrap()])
}

/// Starts `seam proxy` (stderr kept in a file) and waits for its address.
fn proxy(args: &[&str], stderr: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_seam"))
        .arg("proxy")
        .args(args)
        .args(["--port", "0"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .expect("seam starts");
    let mut out = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    out.read_line(&mut line).expect("a first line");
    assert!(line.starts_with("seam proxy listening on"), "{line:?}");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    // the rest of stdout (the summary, the reports written) is drained so
    // the proxy never blocks on a full pipe
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut rest);
    });
    Running { child, url }
}

/// SIGTERM to the proxy (by its id), then its exit code.
fn terminate(mut p: Running) -> i32 {
    let pid = p.child.id().to_string();
    let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(sent.success());
    p.child.wait().unwrap().code().unwrap_or(-1)
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
}

fn lines(res: &reqwest::blocking::Response) -> Vec<String> {
    res.headers()
        .get_all("x-seam-violation")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn count(res: &reqwest::blocking::Response) -> usize {
    res.headers()["x-seam-violations"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn violations_in_headers_journal_and_reports_written_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let up = upstream(dir.path());
    let reports = dir.path().join("reports");
    let (json, junit, html) = (
        reports.join("proxy.json"),
        reports.join("proxy.xml"),
        reports.join("proxy.html"),
    );
    let p = proxy(
        &[
            "--openapi",
            spec().to_str().unwrap(),
            "--to",
            &up.url,
            "--report-json",
            json.to_str().unwrap(),
            "--report-junit",
            junit.to_str().unwrap(),
            "--report-html",
            html.to_str().unwrap(),
        ],
        &dir.path().join("stderr"),
    );
    let c = client();
    // a conforming exchange: relayed as is, with a zero count
    let res = c.get(format!("{}/pets", p.url)).send().unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(count(&res), 0);
    assert_eq!(res.text().unwrap(), r#"[{"id":1,"name":"Rex"}]"#);
    // a wrong answer: relayed, its violations in the headers
    let res = c.get(format!("{}/pets/1", p.url)).send().unwrap();
    assert_eq!(res.status(), 200, "relayed without --errors");
    let found = lines(&res);
    assert!(count(&res) >= 2, "{found:?}");
    assert!(
        found.iter().any(|l| l.starts_with("response body.id")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|l| l.starts_with("response body") && l.contains("name")),
        "{found:?}"
    );
    // a declared error status conforms; an undeclared one does not
    let res = c.get(format!("{}/pets/2", p.url)).send().unwrap();
    assert_eq!((res.status().as_u16(), count(&res)), (404, 0));
    let res = c.get(format!("{}/pets/3", p.url)).send().unwrap();
    assert_eq!(res.status(), 418);
    assert!(lines(&res)[0].contains("418"), "{:?}", lines(&res));
    // a request that breaks the spec is still forwarded (and its answer checked)
    let res = c.get(format!("{}/pets?limit=500", p.url)).send().unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        lines(&res)
            .iter()
            .any(|l| l.starts_with("request query.limit")),
        "{:?}",
        lines(&res)
    );
    // no operation for the path
    let res = c.get(format!("{}/nowhere", p.url)).send().unwrap();
    assert_eq!(res.status(), 404, "the upstream's own answer");
    assert!(
        lines(&res)[0].contains("no operation of the spec matches GET /nowhere"),
        "{:?}",
        lines(&res)
    );
    // security: the API key is missing
    let res = c
        .post(format!("{}/pets", p.url))
        .json(&serde_json::json!({"name": "Rex"}))
        .send()
        .unwrap();
    assert_eq!(res.status(), 201);
    assert!(count(&res) >= 1, "{:?}", lines(&res));
    // the journal keeps what each request was answered, violation headers included
    let journal: Value = c
        .get(format!("{}/__admin/requests", p.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let entries = journal["requests"].as_array().expect("requests");
    assert_eq!(entries.len(), 7, "{journal:#}");
    let pet1 = entries
        .iter()
        .find(|e| e["request"]["url"] == "/pets/1")
        .expect("GET /pets/1 journaled");
    // the journal writes header names as WireMock does
    let headers = &pet1["response"]["headers"];
    assert!(
        headers["X-Seam-Violations"]
            .as_str()
            .is_some_and(|n| n.parse::<usize>().unwrap() >= 2),
        "{pet1:#}"
    );
    assert!(headers["X-Seam-Violation"].is_array(), "{pet1:#}");

    assert_eq!(terminate(p), 1, "violations: exit 1");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["exchanges"], 7);
    assert_eq!(report["passed"], false);
    let ops = report["operations"].as_array().unwrap();
    let op = |label: &str| {
        ops.iter()
            .find(|o| o["operation"] == label)
            .unwrap_or_else(|| panic!("{label} in {report:#}"))
    };
    assert_eq!(op("GET /pets")["exchanges"], 2);
    assert_eq!(op("GET /pets")["failed"], 1);
    let get_pet = op("GET /pets/{petId}");
    assert_eq!(
        (get_pet["exchanges"].as_u64(), get_pet["failed"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(get_pet["operationId"], "getPet");
    let failure = &get_pet["failures"][0];
    assert_eq!(failure["request"], "GET /pets/1");
    assert_eq!(failure["status"], 200);
    assert!(
        failure["curl"]
            .as_str()
            .unwrap()
            .starts_with("curl -X GET 'http://127.0.0.1:"),
        "{failure:#}"
    );
    let v = &failure["violations"][0];
    assert_eq!(v["in"], "response");
    assert_eq!(v["location"][0], "body");
    assert!(
        v["at"].as_str().unwrap_or("").contains("proxy-pets.yaml:"),
        "a violation names its place in the spec: {v:#}"
    );
    assert_eq!(op("(no operation)")["failed"], 1);
    assert_eq!(op("POST /pets")["failed"], 1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(r#"<testcase name="GET /pets/{petId}""#),
        "{xml}"
    );
    assert!(xml.contains("2 of 3 exchange(s) failed"), "{xml}");
    assert!(xml.contains("reproduce: curl -X GET"), "{xml}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!doctype html>") && page.contains("GET /pets/{petId}"));
    let stderr = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    assert!(stderr.contains("GET /pets/1 -> 200"), "{stderr}");
    drop(up);
}

#[test]
fn errors_turns_violations_into_502s_and_a_bad_request_is_not_forwarded() {
    let dir = tempfile::tempdir().unwrap();
    let up = upstream(dir.path());
    let p = proxy(
        &[
            "--openapi",
            spec().to_str().unwrap(),
            "--to",
            &up.url,
            "--errors",
        ],
        &dir.path().join("stderr"),
    );
    let c = client();
    let res = c.get(format!("{}/pets", p.url)).send().unwrap();
    assert_eq!(res.status(), 200, "a conforming exchange is relayed");
    let res = c.get(format!("{}/pets/1", p.url)).send().unwrap();
    assert_eq!(res.status(), 502);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: Value = res.json().unwrap();
    assert_eq!(problem["status"], 502);
    assert_eq!(problem["upstreamStatus"], 200);
    assert_eq!(problem["operation"], "GET /pets/{petId}");
    let errors = problem["errors"].as_array().unwrap();
    assert!(errors.len() >= 2, "{problem:#}");
    assert!(errors.iter().all(|e| e["in"] == "response"), "{problem:#}");
    // a request that breaks the spec never reaches the upstream
    let res = c.get(format!("{}/pets?limit=500", p.url)).send().unwrap();
    assert_eq!(res.status(), 502);
    let problem: Value = res.json().unwrap();
    assert!(problem.get("upstreamStatus").is_none(), "{problem:#}");
    assert_eq!(problem["errors"][0]["in"], "request");
    assert_eq!(problem["errors"][0]["location"][0], "query");
    let upstream_journal: Value = c
        .get(format!("{}/__admin/requests", up.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let urls: Vec<&str> = upstream_journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["request"]["url"].as_str())
        .collect();
    assert_eq!(urls.len(), 2, "{urls:?}");
    assert!(!urls.contains(&"/pets?limit=500"), "{urls:?}");
    assert_eq!(terminate(p), 1);
}

#[test]
fn a_clean_run_exits_0_and_record_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let up = upstream(dir.path());
    let recorded = dir.path().join("recorded");
    let json = dir.path().join("report.json");
    let p = proxy(
        &[
            "--openapi",
            spec().to_str().unwrap(),
            "--to",
            &up.url,
            "--record",
            recorded.to_str().unwrap(),
            "--report-json",
            json.to_str().unwrap(),
        ],
        &dir.path().join("stderr"),
    );
    let res = client().get(format!("{}/pets", p.url)).send().unwrap();
    assert_eq!((res.status().as_u16(), count(&res)), (200, 0));
    assert_eq!(terminate(p), 0, "no violation: exit 0");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        (report["exchanges"].as_u64(), report["passed"].as_bool()),
        (Some(1), Some(true))
    );
    let mappings: Vec<_> = std::fs::read_dir(recorded.join("mappings"))
        .expect("mappings recorded")
        .collect();
    assert_eq!(mappings.len(), 1);
}

#[test]
fn a_broken_spec_or_target_is_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.3\ninfo: { title: x, version: '1' }\npaths:\n  /a:\n    get:\n      responses:\n        '200': { $ref: '#/components/responses/Nope' }\n").unwrap();
    let (code, _, stderr) = seam(&[
        "proxy",
        "--openapi",
        broken.to_str().unwrap(),
        "--to",
        "http://127.0.0.1:9",
        "--port",
        "0",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("broken.yaml:7:"), "{stderr}");
    assert!(stderr.contains("the proxy did not start"), "{stderr}");
    let (code, _, stderr) = seam(&[
        "proxy",
        "--openapi",
        spec().to_str().unwrap(),
        "--to",
        "127.0.0.1:9",
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("not an http:// or https:// URL"),
        "{stderr}"
    );
}

#[test]
fn an_unreachable_upstream_is_a_failed_exchange_and_a_502_under_errors() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let target = format!("http://127.0.0.1:{}", common::closed_port());
    let spec = spec();
    for (errors, status) in [(false, 500), (true, 502)] {
        let mut args = vec![
            "--openapi",
            spec.to_str().unwrap(),
            "--to",
            target.as_str(),
            "--report-json",
            json.to_str().unwrap(),
        ];
        if errors {
            args.push("--errors");
        }
        let p = proxy(&args, &dir.path().join("stderr"));
        let res = client().get(format!("{}/pets", p.url)).send().unwrap();
        assert_eq!(res.status(), status, "--errors: {errors}");
        let text = res.text().unwrap();
        assert!(
            text.starts_with("Network failure trying to make a proxied request to"),
            "{text}"
        );
        assert_eq!(terminate(p), 1);
        let report: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        let failure = &report["operations"][0]["failures"][0];
        assert!(failure["status"].is_null(), "{report:#}");
        assert!(
            failure["error"]
                .as_str()
                .is_some_and(|e| e.contains("Network failure")),
            "{report:#}"
        );
    }
}
