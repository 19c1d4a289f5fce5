//! `seam load` as a user runs it, against `seam mock` on loopback: the
//! summary and its counts (checked against the mock's own journal), exit
//! codes of thresholds and bad input, the JSON and JUnit files, shards and
//! their exact merge, the Kubernetes manifest, and https (HTTP/1.1 and
//! HTTP/2) with a CA the run is told to trust, and a suite's cases (captures,
//! auth helpers, a matrix) as the load; the HTML report's charts as headless
//! Chromium draws them.

mod common;

use common::{closed_port, mock, seam};
use serde_json::Value;

fn hello_mock() -> (common::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        "stubs:\n  - request: { path: /hello }\n    response: { text: hi }\n  - request: { path: /down }\n    response: { status: 503 }\n",
    )
    .unwrap();
    (mock(&["--stubs", dir.path().to_str().unwrap()]), dir)
}

fn served(url: &str, path: &str) -> u64 {
    let count: Value = reqwest::blocking::Client::new()
        .post(format!("{url}/__admin/requests/count"))
        .json(&serde_json::json!({"method": "GET", "url": path}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    count["count"].as_u64().unwrap()
}

/// Runs `seam ARGS` and checks it is refused as bad input (exit 2) with an
/// error that says `says`; the error.
fn refused(args: &[&str], says: &str) -> String {
    let (code, _, err) = seam(args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert!(err.contains(says), "{args:?}: {err}");
    err
}

#[test]
fn a_run_reports_what_the_server_served_and_thresholds_decide_the_exit() {
    let (server, dir) = hello_mock();
    let json = dir.path().join("out/summary.json");
    let junit = dir.path().join("out/junit.xml");
    let url = format!("{}/hello", server.url);
    let (code, out, err) = seam(&[
        "load",
        &url,
        // a rate, to stay under the mock journal's 10,000 requests
        "--rate",
        "3000/s",
        "-c",
        "4",
        "-d",
        "1s",
        "--threshold",
        "p99<10s",
        "--threshold",
        "p50<0.001ms",
        "--threshold",
        "errors<1%",
        "--json",
        json.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("3000/s over 4 connections for 1s"), "{err}");
    assert!(out.contains("    FAIL p50<0.001ms  (p50 was "), "{out}");
    assert!(out.contains("    ok   p99<10s"), "{out}");
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let requests = summary["requests"].as_u64().unwrap();
    // every planned request is sent, or counted as dropped when the end
    // came before a busy machine sent it
    let dropped = summary["dropped"].as_u64().unwrap();
    assert_eq!(requests + dropped, 3000, "{summary}");
    assert!(dropped <= 30, "{summary}");
    assert_eq!(requests, served(&server.url, "/hello"));
    assert_eq!(summary["statuses"]["2xx"].as_u64(), Some(requests));
    assert!(summary["rps"].as_f64().unwrap() > 50.0);
    for p in ["p50", "p90", "p95", "p99", "p99.9", "max"] {
        assert!(summary[p].as_f64().unwrap() > 0.0, "{p} in {summary}");
    }
    assert_eq!(summary["thresholds"][1]["passed"], false);
    let junit = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 1, "{junit}");
    assert!(failures[0]
        .attribute("message")
        .unwrap()
        .contains("p50<0.001ms"));
}

#[test]
fn error_statuses_count_as_errors() {
    let (server, _dir) = hello_mock();
    let (code, out, _) = seam(&[
        "load",
        &format!("{}/down", server.url),
        "-c",
        "2",
        "-d",
        "500ms",
        "--threshold",
        "errors<1%",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("statuses   5xx "), "{out}");
    assert!(out.contains("(100.000%): status "), "{out}");
}

#[test]
fn shards_merge_into_the_whole_run() {
    let (server, dir) = hello_mock();
    let url = format!("{}/hello", server.url);
    let shards = dir.path().join("shards");
    for i in 1..=3 {
        let out = shards.join(format!("s{i}.hdr"));
        let (code, stdout, err) = seam(&[
            "load",
            &url,
            "--rate",
            "300/s",
            "-c",
            "3",
            "-n",
            "300",
            "--shard",
            &format!("{i}/3"),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        assert_eq!(code, 0, "{stdout}{err}");
        assert!(
            err.contains("100/s over 1 connections for 100 requests (1s), shard"),
            "{err}"
        );
        assert!(stdout.contains("requests   100 in"), "{stdout}");
    }
    let json = dir.path().join("merged.json");
    let (code, out, err) = seam(&[
        "load",
        "merge",
        shards.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--threshold",
        "rps>250",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("3 shard files"), "{err}");
    let merged: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(merged["requests"], 300);
    assert_eq!(served(&server.url, "/hello"), 300);
    assert_eq!(merged["dropped"], 0);

    let bogus = dir.path().join("notes.hdr");
    std::fs::write(&bogus, "hello\n").unwrap();
    let (code, _, err) = seam(&["load", "merge", bogus.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("notes.hdr: not a `seam load --out` file"),
        "{err}"
    );
}

#[test]
fn bad_input_exits_2_and_an_unreachable_target_3_before_any_load() {
    let nobody = format!("http://127.0.0.1:{}/", closed_port());
    let (code, _, err) = seam(&["load", &nobody, "-d", "30s"]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("connection refused"), "{err}");
    for (args, expected) in [
        (vec!["load", "127.0.0.1:9/"], "has no scheme"),
        (
            vec!["load", "http://127.0.0.1:9/", "--threshold", "p95<soon"],
            "`soon` is not a duration",
        ),
        (
            vec!["load", "http://127.0.0.1:9/", "--rate", "fast"],
            "rate: `fast` is not a rate",
        ),
        (
            vec!["load", "http://127.0.0.1:9/", "-d", "0s"],
            "longer than 0s",
        ),
        (
            vec!["load", "http://127.0.0.1:9/", "--shard", "5/4"],
            "is not a shard",
        ),
        (
            vec!["load", "http://127.0.0.1:9/", "-H", "nocolon"],
            "`Name: value`",
        ),
    ] {
        refused(&args, expected);
    }
}

#[test]
fn the_kubernetes_manifest_runs_the_shards_and_their_merge() {
    let (code, yaml, err) = seam(&[
        "load",
        "k8s",
        "--shards",
        "4",
        "--name",
        "orders",
        "--",
        "http://orders:8080/",
        "--rate",
        "2000/s",
        "--threshold",
        "p95<200ms",
    ]);
    assert_eq!(code, 0, "{err}");
    let docs: Vec<Value> = serde_saphyr::from_multiple(&yaml).unwrap();
    assert_eq!(docs[1]["spec"]["completionMode"], "Indexed");
    assert_eq!(docs[1]["spec"]["completions"], 4);
    let args = &docs[1]["spec"]["template"]["spec"]["containers"][0]["args"];
    assert_eq!(args[args.as_array().unwrap().len() - 3], "auto/4");
    assert_eq!(
        docs[2]["spec"]["template"]["spec"]["containers"][0]["args"][3],
        "--threshold"
    );
    for (shard_args, expected) in [
        (["--shard", "1/2"], "leave out --shard and --out"),
        (["--rat", "5/s"], "--rate"),
    ] {
        let mut args = vec!["load", "k8s", "--shards", "2", "--", "http://x/"];
        args.extend(shard_args);
        refused(&args, expected);
    }
}

#[test]
fn a_load_table_is_a_ci_layer_and_a_config_for_seam_load() {
    let (server, dir) = hello_mock();
    let config = dir.path().join("seam.toml");
    std::fs::write(
        &config,
        "[load]\nurl = \"${MOCK}/hello\"\nconnections = 2\nduration = \"500ms\"\nthresholds = [\"p99<10s\", \"rps>1000000\"]\n\n[report]\njunit = \"reports/seam.xml\"\n",
    )
    .unwrap();
    let env = [("MOCK".to_string(), server.url.clone())];
    let (code, out, err) =
        common::seam_in(None, &env, &["ci", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!("== load: load ({}/hello)", server.url)),
        "{out}"
    );
    assert!(out.contains("FAIL rps>1000000  (rps was "), "{out}");
    let junit = std::fs::read_to_string(dir.path().join("reports/seam.xml")).unwrap();
    assert!(
        junit.contains("name=\"p99&lt;10s\"")
            && junit.contains("threshold `rps&gt;1000000` failed"),
        "{junit}"
    );

    // the same table for `seam load`, a flag over it
    let (code, out, err) = common::seam_in(
        None,
        &env,
        &[
            "load",
            "--config",
            config.to_str().unwrap(),
            "--threshold",
            "errors<1%",
            "-q",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("2 users for 0.5s"), "{err}");
    assert!(
        out.contains("ok   errors<1%") && !out.contains("rps>1000000"),
        "{out}"
    );

    std::fs::write(
        &config,
        "[load]\nurl = \"http://127.0.0.1:9/\"\nconections = 2\n",
    )
    .unwrap();
    let (code, _, err) = seam(&["load", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("seam.toml:3:1") && err.contains("connections"),
        "{err}"
    );
}

#[test]
fn abort_on_fail_and_ctrl_c_stop_early_and_still_report() {
    let (server, dir) = hello_mock();
    let url = format!("{}/hello", server.url);
    let started = std::time::Instant::now();
    let (code, out, err) = seam(&[
        "load",
        &url,
        "--rate",
        "500/s",
        "-c",
        "2",
        "-d",
        "30s",
        "--threshold",
        "p50<0.001ms",
        "--abort-on-fail",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    assert!(
        err.contains("stopped early: threshold `p50<0.001ms` failed (p50 was "),
        "{err}"
    );
    // what was planned and not sent is shown, not lost
    assert!(out.contains("dropped 1"), "{out}");

    let json = dir.path().join("c.json");
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_seam"))
        .args([
            "load",
            &url,
            "--rate",
            "200/s",
            "-c",
            "2",
            "-d",
            "30s",
            "--json",
            json.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("stopped by Ctrl-C after 1."), "{err}");
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let requests = summary["requests"].as_u64().unwrap();
    assert!((200..=400).contains(&requests), "{summary}");
    assert!(summary["dropped"].as_u64().unwrap() > 5000, "{summary}");
}

#[test]
fn stages_ramp_users_or_rates_and_conflicting_flags_are_refused() {
    let (server, _dir) = hello_mock();
    let url = format!("{}/hello", server.url);
    let (code, out, err) = seam(&["load", &url, "--stages", "500ms:200/s,500ms:200/s", "-q"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("up to 200/s in stages over 64 connections for 1s"),
        "{err}"
    );
    assert!(out.contains("requests   150 in"), "{out}");
    let (code, _, err) = seam(&["load", &url, "--stages", "500ms:3", "-q"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("up to 3 users in stages"), "{err}");
    for (extra, expected) in [
        (
            vec!["--stages", "1s:5", "-d", "5s"],
            "a duration or stages, not both",
        ),
        (
            vec!["--stages", "1s:5/s", "--rate", "5/s"],
            "a rate or stages, not both",
        ),
        (
            vec!["--stages", "1s:5/s,1s:5"],
            "users or every stage is a rate",
        ),
        (vec!["--stages", "soon:5"], "not a duration"),
        (
            vec!["--openapi", "x.yaml", "-m", "POST"],
            "method and body go with a single URL",
        ),
        (vec!["--weight", "GET /=2"], "--openapi"),
    ] {
        let mut args = vec!["load", "http://127.0.0.1:9/"];
        args.extend(extra);
        refused(&args, expected);
    }
}

#[test]
fn the_html_report_draws_each_second_and_the_distribution() {
    let (server, dir) = hello_mock();
    let html = dir.path().join("load.html");
    let url = format!("{}/hello", server.url);
    let (code, out, err) = seam(&[
        "load",
        &url,
        "--rate",
        "300/s",
        "-c",
        "2",
        "-d",
        "3s",
        "-q",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("html   {}", html.display())), "{out}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.starts_with("<!doctype html>") && page.contains("seam load: GET /hello"),
        "{page}"
    );
    let svgs: Vec<&str> = page
        .split("<svg ")
        .skip(1)
        .map(|s| s.split("</svg>").next().unwrap())
        .collect();
    assert_eq!(svgs.len(), 3, "{page}");
    let lines = |svg: &str| -> Vec<(String, usize)> {
        let text = format!("<svg {svg}</svg>");
        let doc = roxmltree::Document::parse(&text).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .map(|n| {
                (
                    n.attribute("data-name").unwrap().to_string(),
                    n.attribute("points").unwrap().split(' ').count(),
                )
            })
            .collect()
    };
    // latency over time: p50, p95, p99, a point for each of the 3 seconds
    // (and a fourth when answers still in flight at 3 s came after it, as on
    // a busy machine)
    let over_time = lines(svgs[0]);
    let names: Vec<&str> = over_time.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["p50", "p95", "p99"]);
    let points = over_time[0].1;
    assert!((3..=4).contains(&points), "{over_time:?}");
    assert!(over_time.iter().all(|(_, n)| *n == points), "{over_time:?}");
    assert_eq!(lines(svgs[1]).len(), 2);
    assert_eq!(lines(svgs[2]), vec![("all answers".into(), 7)]);
}

#[test]
fn every_operation_of_a_public_spec_is_loaded_with_valid_requests() {
    // Redocly's Museum API (shared conformance data): its mock validates every
    // request against the spec, so a request built wrong would get a 4xx
    let Some(specs) = seam_testkit::conformance_dir("openapi", "load_cli") else {
        return;
    };
    let spec = specs.join("specs/redocly-museum/openapi.yaml");
    let spec = spec.to_str().unwrap();
    let server = mock(&["--openapi", spec]);
    let (code, out, err) = seam(&[
        "load",
        &server.url,
        "--openapi",
        spec,
        "--all-methods",
        "-H",
        "Authorization: Basic dTpw",
        "-c",
        "2",
        "-d",
        "1s",
        "--weight",
        "GET /museum-hours=3",
        "--threshold",
        "errors<0.01%",
        "--threshold",
        "p99[GET /special-events/{eventId}]<1s",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("seam load 8 operations: 2 users for 1s"),
        "{err}"
    );
    for op in [
        "POST /special-events",
        "PATCH /special-events/{eventId}",
        "GET /tickets/{ticketId}/qr",
    ] {
        assert!(out.contains(&format!("endpoint   {op}: ")), "{op}: {out}");
    }
    let requests = |op: &str| -> u64 {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("endpoint   {op}: ")))
            .unwrap();
        let n = line.split(": ").nth(1).unwrap().split(' ').next().unwrap();
        n.replace(',', "").parse().unwrap()
    };
    // weighted 3: three times as often as any other operation (to within a turn)
    let (hours, events) = (
        requests("GET /museum-hours"),
        requests("GET /special-events"),
    );
    assert!(hours.abs_diff(3 * events) <= 6, "{hours} vs {events}");
    // without credentials every request is refused, and the run says so
    let (code, out, _) = seam(&[
        "load",
        &server.url,
        "--openapi",
        spec,
        "-c",
        "1",
        "-d",
        "300ms",
        "--threshold",
        "errors<1%",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("statuses   4xx "), "{out}");
}

#[test]
fn https_and_http2_reach_a_tls_mock_whose_ca_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_pem, key_pem) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_pem, cert.cert.pem()).unwrap();
    std::fs::write(&key_pem, cert.key_pair.serialize_pem()).unwrap();
    std::fs::write(
        dir.path().join("s.yaml"),
        "stubs:\n  - request: { path: /hello }\n    response: { text: hi }\n",
    )
    .unwrap();
    let server = mock(&[
        "--stubs",
        dir.path().join("s.yaml").to_str().unwrap(),
        "--tls-cert",
        cert_pem.to_str().unwrap(),
        "--tls-key",
        key_pem.to_str().unwrap(),
    ]);
    let base = server.url.replace("127.0.0.1", "localhost");
    assert!(base.starts_with("https://localhost:"), "{base}");
    let admin = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap())
        .build()
        .unwrap();
    let served = || -> u64 {
        let count: Value = admin
            .post(format!("{base}/__admin/requests/count"))
            .json(&serde_json::json!({"method": "GET", "url": "/hello"}))
            .send()
            .unwrap()
            .json()
            .unwrap();
        count["count"].as_u64().unwrap()
    };
    let url = format!("{base}/hello");
    let json = dir.path().join("s.json");
    let cacert = cert_pem.to_str().unwrap();
    let mut before = 0;
    for http2 in [false, true] {
        let mut args = vec![
            "load",
            &url,
            "--rate",
            "2000/s",
            "-c",
            "4",
            "-n",
            "2000",
            "-q",
            "--cacert",
            cacert,
            "--json",
            json.to_str().unwrap(),
        ];
        if http2 {
            args.extend(["--http2", "--streams", "2"]);
        }
        let (code, out, err) = seam(&args);
        assert_eq!(code, 0, "http2 {http2}: {out}{err}");
        assert_eq!(
            err.contains("HTTP/2 with up to 2 streams a connection"),
            http2,
            "{err}"
        );
        let summary: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        let sent = summary["requests"].as_u64().unwrap();
        assert_eq!(sent, 2000, "http2 {http2}: {summary}");
        assert_eq!(summary["errors"], 0, "http2 {http2}: {summary}");
        assert_eq!(
            served() - before,
            sent,
            "http2 {http2}: every request reached the mock"
        );
        before += sent;
    }

    // no CA given: the certificate is refused before any load, with the way out
    let (code, _, err) = seam(&["load", &url, "-d", "1s", "-q"]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("TLS handshake failed") && err.contains("--cacert"),
        "{err}"
    );
    assert_eq!(served(), before, "nothing was sent");
    // --insecure takes any certificate
    let (code, out, err) = seam(&["load", &url, "--rate", "500/s", "-d", "1s", "-q", "-k"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("2xx"), "{out}");
}

#[test]
fn a_request_count_is_split_exactly_over_shards() {
    let (server, _dir) = hello_mock();
    let url = format!("{}/hello", server.url);
    let mut sent = 0;
    for shard in ["1/3", "2/3", "3/3"] {
        let (code, out, err) = seam(&[
            "load", &url, "-n", "1000", "-c", "8", "--shard", shard, "-q",
        ]);
        assert_eq!(code, 0, "{out}{err}");
        let want = if shard == "1/3" { "334 in" } else { "333 in" };
        assert!(out.contains(want), "{shard}: {out}");
        sent += if shard == "1/3" { 334 } else { 333 };
    }
    assert_eq!(served(&server.url, "/hello"), sent);
    // a count and a duration with a rate contradict each other
    refused(
        &["load", &url, "-n", "10", "--rate", "5/s", "-d", "1s"],
        "not both",
    );
    refused(
        &["load", &url, "-n", "2", "--shard", "3/3"],
        "leaves this shard none",
    );
}

#[test]
fn transport_flags_that_cannot_work_are_refused_before_the_load() {
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("ca.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    let port = closed_port();
    let url = format!("https://127.0.0.1:{port}/");
    for (args, says) in [
        (
            vec!["--http2", "--no-keep-alive"],
            "leave out no-keep-alive",
        ),
        (vec!["--streams", "4"], "streams go with HTTP/2"),
        (vec!["--http2", "--streams", "0"], "streams: at least 1"),
        (
            vec!["-k", "--cacert", not_pem.to_str().unwrap()],
            "not both",
        ),
        (
            vec!["--cacert", not_pem.to_str().unwrap()],
            "no certificate in it",
        ),
        (vec!["--cacert", "/nonexistent/ca.pem"], "cannot read"),
    ] {
        let mut all = vec!["load", url.as_str(), "-d", "1s"];
        all.extend(args.iter().copied());
        refused(&all, says);
    }
}

#[test]
fn a_suite_is_run_as_load_with_its_captures_auth_and_matrix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mappings.json"),
        r#"{"mappings": [
          {"request": {"method": "POST", "url": "/login"},
           "response": {"status": 200, "jsonBody": {"token": "t-123"}}},
          {"request": {"method": "GET", "urlPathPattern": "/orders/[0-9]+",
                       "headers": {"Authorization": {"equalTo": "Bearer t-123"}}},
           "response": {"status": 200, "jsonBody": {"ok": true}}},
          {"request": {"method": "GET", "url": "/orders/missing"},
           "response": {"status": 404}}
        ]}"#,
    )
    .unwrap();
    let suite = dir.path().join("shop.yaml");
    std::fs::write(
        &suite,
        r#"name: shop
baseUrl: "http://127.0.0.1:9"
tests:
  - name: order {{id}}
    matrix:
      rows: [ { id: "1" }, { id: "2" } ]
    steps:
      - request: { method: POST, path: /login, json: { user: ann } }
        capture: { token: { jsonpath: $.token } }
        assert: { status: 200 }
      - request: { method: GET, path: "/orders/{{id}}", auth: { bearer: "{{token}}" } }
        assert: { status: 200 }
  - name: a missing order
    tags: [broken]
    steps:
      - request: { method: GET, path: /orders/missing }
        assert: { status: 200 }
"#,
    )
    .unwrap();
    let server = mock(&[
        "--stubs",
        dir.path().join("mappings.json").to_str().unwrap(),
    ]);
    let json = dir.path().join("s.json");
    // the URL replaces the suite's baseUrl (which points nowhere)
    let (code, out, err) = seam(&[
        "load",
        &server.url,
        "--suite",
        suite.to_str().unwrap(),
        "--rate",
        "300/s",
        "-c",
        "4",
        "-n",
        "300",
        "-q",
        "--json",
        json.to_str().unwrap(),
        "--threshold",
        "errors[GET /orders/{{id}}]<0.1%",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("suite shop (3 cases, 3 endpoints)"), "{err}");
    let summary: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let endpoint = |name: &str| {
        summary["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {summary}"))
            .clone()
    };
    let (login, orders, missing) = (
        endpoint("POST /login"),
        endpoint("GET /orders/{{id}}"),
        endpoint("GET /orders/missing"),
    );
    // 300 iterations: two of every three are the matrix's cases (a login and
    // an order each), one is the missing order
    let iterations = login["requests"].as_u64().unwrap() + missing["requests"].as_u64().unwrap();
    assert_eq!(iterations, 300, "{summary}");
    assert_eq!(login["requests"], orders["requests"], "{summary}");
    // every order carried the captured token: the stub that wants it answered
    assert_eq!(orders["errors"], 0, "{summary}");
    assert_eq!(
        served(&server.url, "/orders/1") + served(&server.url, "/orders/2"),
        orders["requests"].as_u64().unwrap()
    );
    assert_eq!(
        served(&server.url, "/orders/1"),
        served(&server.url, "/orders/2")
    );
    // the missing order's assertion fails every time: a check error, counted
    // once (not also as a status error)
    assert_eq!(missing["errors"], missing["requests"], "{summary}");
    assert_eq!(
        missing["errors_by_kind"],
        serde_json::json!({"check": missing["requests"]}),
        "{summary}"
    );

    // --tag: only the broken test; a threshold on errors now fails
    let (code, out, err) = seam(&[
        "load",
        &server.url,
        "--suite",
        suite.to_str().unwrap(),
        "--tag",
        "broken",
        "--rate",
        "50/s",
        "-d",
        "1s",
        "-q",
        "--threshold",
        "errors<1%",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("(1 cases, 3 endpoints)"), "{err}");
}

#[test]
fn a_bad_suite_is_refused_with_its_place_before_the_load() {
    let dir = tempfile::tempdir().unwrap();
    let suite = dir.path().join("bad.yaml");
    std::fs::write(&suite, "name: bad\ntests:\n  - name: t\n    stepz: []\n").unwrap();
    let err = refused(
        &["load", "--suite", suite.to_str().unwrap(), "-d", "1s"],
        "bad.yaml:4:5",
    );
    assert!(err.contains("stepz"), "{err}");
    // a suite's requests are its own
    let good = dir.path().join("good.yaml");
    std::fs::write(
        &good,
        "name: g\nbaseUrl: http://127.0.0.1:9\ntests:\n  - name: t\n    steps:\n      - request: { method: GET, path: / }\n",
    )
    .unwrap();
    for (extra, says) in [
        (vec!["-m", "POST"], "a suite's steps have their own"),
        (vec!["--http2"], "go with a URL or a spec"),
        (vec!["--tag", "none"], "no test has one of the tags"),
    ] {
        let mut args = vec!["load", "--suite", good.to_str().unwrap(), "-d", "1s"];
        args.extend(extra.iter().copied());
        refused(&args, says);
    }
    // nothing listens at the suite's baseUrl: exit 3 before any load
    let (code, _, err) = seam(&["load", "--suite", good.to_str().unwrap(), "-d", "1s"]);
    assert_eq!(code, 3, "{err}");
}

#[test]
fn the_html_report_charts_are_drawn_by_chromium() {
    let Some(chromium) =
        seam_testkit::browser::chromium("the_html_report_charts_are_drawn_by_chromium")
    else {
        return;
    };
    let (server, dir) = hello_mock();
    let html = dir.path().join("report.html");
    let (code, out, err) = seam(&[
        "load",
        &format!("{}/hello", server.url),
        "--rate",
        "2000/s",
        "-c",
        "4",
        "-d",
        "3s",
        "-q",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let png = dir.path().join("report.png");
    seam_testkit::browser::screenshot(
        &chromium,
        &format!("file://{}", html.display()),
        &png,
        1000,
        2400,
    );
    let pixels = seam_testkit::browser::Pixels::read(&png);
    // each series' polyline spans its chart (two seconds' width here: about
    // 300 pixels of its colour), where its legend's short stroke alone gives
    // about 50
    let count = |rgb: [u8; 3]| pixels.count(rgb, 40);
    for (series, rgb) in [
        (
            "p50 (latency over time and distribution)",
            [0x1f, 0x77, 0xb4],
        ),
        ("p95 over time", [0xff, 0x7f, 0x0e]),
        ("answers per second", [0x2c, 0xa0, 0x2c]),
    ] {
        let n = count(rgb);
        assert!(
            n >= 150,
            "{series}: {n} pixels of its colour in {}",
            png.display()
        );
    }
}

#[test]
fn a_suite_on_an_untrusted_https_base_reports_tls_errors() {
    // the suite's requests trust what `seam test` trusts: a self-signed
    // certificate fails each step's handshake, counted by kind, and the run
    // goes on to its summary
    let (_plain, dir) = hello_mock();
    let server = mock(&[
        "--stubs",
        dir.path().join("s.yaml").to_str().unwrap(),
        "--tls-self-signed",
    ]);
    let suite = dir.path().join("hello.yaml");
    std::fs::write(
        &suite,
        "name: h\ntests:\n  - name: t\n    steps:\n      - request: { method: GET, path: /hello }\n",
    )
    .unwrap();
    let json = dir.path().join("s.json");
    let (code, out, err) = seam(&[
        "load",
        &server.url,
        "--suite",
        suite.to_str().unwrap(),
        "-n",
        "20",
        "-c",
        "2",
        "-q",
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let summary: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(summary["requests"], 20, "{summary}");
    assert_eq!(
        summary["errors_by_kind"],
        serde_json::json!({"tls": 20}),
        "{summary}"
    );
}
