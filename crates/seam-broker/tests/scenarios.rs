//! The Pact Broker's own can-i-deploy, matrix and pacts-for-verification
//! examples (`conformance/pact-broker/{matrix,for-verification}`), replayed
//! through seam broker's HTTP API on an empty SQLite store each, the query
//! sent, and every expectation the data states checked. The count of
//! scenarios that pass may only grow: each run prints the ones that fail.

mod common;

use common::Backend;
use reqwest::Client;
use serde_json::{json, Value};
use std::collections::BTreeMap;

struct Replay {
    client: Client,
    base: String,
    /// content label → pact JSON (steps sharing a label publish the same bytes)
    contents: BTreeMap<String, String>,
    unique: usize,
    t0: chrono::DateTime<chrono::Utc>,
}

fn seg(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn text(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

impl Replay {
    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut req = self
            .client
            .request(method.parse().expect("method"), &url)
            .header("Accept", "application/hal+json");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the broker answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = self.send(method, path, body).await;
        assert!(status < 300, "{method} {path}: {status} {v}");
        v
    }

    fn pact(&mut self, consumer: &str, provider: &str, step: &Value) -> String {
        if let Some(exact) = step.get("contentJson") {
            return exact.to_string();
        }
        let label = match step.get("content").and_then(Value::as_str) {
            Some(l) => l.to_string(),
            None => {
                self.unique += 1;
                format!("unique-{}", self.unique)
            }
        };
        self.contents
            .entry(label.clone())
            .or_insert_with(|| {
                // no names: a label may be shared by several pairs
                let _ = (consumer, provider);
                json!({
                    "interactions": [{"description": format!("a request for {label}"), "request": {"method": "GET", "path": format!("/things/{label}")}, "response": {"status": 200}}],
                    "metadata": {"pactSpecification": {"version": "2.0.0"}}
                })
                .to_string()
            })
            .clone()
    }

    async fn version(&self, p: &str, v: &str, branch: Option<&str>, tags: &[String]) {
        match branch {
            Some(b) => {
                self.ok(
                    "PUT",
                    &format!(
                        "/pacticipants/{}/branches/{}/versions/{}",
                        seg(p),
                        seg(b),
                        seg(v)
                    ),
                    Some(json!({})),
                )
                .await;
            }
            None => {
                self.ok(
                    "PUT",
                    &format!("/pacticipants/{}/versions/{}", seg(p), seg(v)),
                    Some(json!({})),
                )
                .await;
            }
        }
        for t in tags {
            self.ok(
                "PUT",
                &format!(
                    "/pacticipants/{}/versions/{}/tags/{}",
                    seg(p),
                    seg(v),
                    seg(t)
                ),
                Some(json!({})),
            )
            .await;
        }
    }

    async fn step(&mut self, step: &Value) {
        let (kind, s) = step
            .as_object()
            .and_then(|m| m.iter().next())
            .expect("a step");
        let list = |k: &str| -> Vec<String> {
            s.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(String::from)
                        .collect()
                })
                .unwrap_or_default()
        };
        match kind.as_str() {
            "createPacticipant" => {
                let mut body = json!({"name": text(s, "name")});
                if let Some(b) = s.get("mainBranch") {
                    body["mainBranch"] = b.clone();
                }
                self.ok("POST", "/pacticipants", Some(body)).await;
            }
            "createVersion" => {
                let branch = s.get("branch").and_then(Value::as_str);
                self.version(
                    &text(s, "pacticipant"),
                    &text(s, "version"),
                    branch,
                    &list("tags"),
                )
                .await;
            }
            "publish" | "revisePact" => {
                let (c, v, p) = (
                    text(s, "consumer"),
                    text(s, "consumerVersion"),
                    text(s, "provider"),
                );
                let content = if kind == "revisePact" {
                    self.unique += 1;
                    json!({"consumer": {"name": c}, "provider": {"name": p}, "interactions": [{"description": format!("revised {}", self.unique), "request": {"method": "GET", "path": format!("/revised/{}", self.unique)}, "response": {"status": 200}}]}).to_string()
                } else {
                    self.pact(&c, &p, s)
                };
                let body: Value = serde_json::from_str(&content).expect("pact json");
                self.ok(
                    "PUT",
                    &format!(
                        "/pacts/provider/{}/consumer/{}/version/{}",
                        seg(&p),
                        seg(&c),
                        seg(&v)
                    ),
                    Some(body),
                )
                .await;
                let branch = s.get("branch").and_then(Value::as_str);
                if branch.is_some() || !list("tags").is_empty() {
                    self.version(&c, &v, branch, &list("tags")).await;
                }
            }
            "tag" => {
                let (p, v, t) = (text(s, "pacticipant"), text(s, "version"), text(s, "tag"));
                self.ok(
                    "PUT",
                    &format!(
                        "/pacticipants/{}/versions/{}/tags/{}",
                        seg(&p),
                        seg(&v),
                        seg(&t)
                    ),
                    Some(json!({})),
                )
                .await;
            }
            "verify" => {
                let (p, pv, c, cv) = (
                    text(s, "provider"),
                    text(s, "providerVersion"),
                    text(s, "consumer"),
                    text(s, "consumerVersion"),
                );
                let branch = s.get("providerVersionBranch").and_then(Value::as_str);
                self.version(&p, &pv, branch, &list("providerVersionTags"))
                    .await;
                let pact = self
                    .ok(
                        "GET",
                        &format!(
                            "/pacts/provider/{}/consumer/{}/version/{}",
                            seg(&p),
                            seg(&c),
                            seg(&cv)
                        ),
                        None,
                    )
                    .await;
                let mut href = pact["_links"]["pb:publish-verification-results"]["href"]
                    .as_str()
                    .expect("link")
                    .to_string();
                if s.get("wip").and_then(Value::as_bool) == Some(true) {
                    use base64::Engine;
                    let m = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("w=true");
                    href = href.replace(
                        "/verification-results",
                        &format!("/metadata/{m}/verification-results"),
                    );
                }
                self.ok(
                    "POST",
                    &href,
                    Some(json!({"success": s["success"], "providerApplicationVersion": pv})),
                )
                .await;
            }
            "createEnvironment" => {
                let name = text(s, "name");
                let mut display = name.clone();
                if let Some(f) = display.get_mut(0..1) {
                    f.make_ascii_uppercase();
                }
                self.ok(
                    "POST",
                    "/environments",
                    Some(json!({"name": name, "displayName": display, "production": false})),
                )
                .await;
            }
            "deploy" | "release" => {
                let (p, v, e) = (
                    text(s, "pacticipant"),
                    text(s, "version"),
                    text(s, "environment"),
                );
                self.version(&p, &v, None, &[]).await;
                let version = self
                    .ok(
                        "GET",
                        &format!("/pacticipants/{}/versions/{}", seg(&p), seg(&v)),
                        None,
                    )
                    .await;
                let rel = if kind == "deploy" {
                    "pb:record-deployment"
                } else {
                    "pb:record-release"
                };
                let href = version["_links"][rel]
                    .as_array()
                    .and_then(|l| l.iter().find(|x| x["name"] == e.as_str()))
                    .and_then(|x| x["href"].as_str())
                    .expect("a link for the environment")
                    .to_string();
                let mut body = json!({});
                if let Some(i) = s.get("applicationInstance") {
                    body["applicationInstance"] = i.clone();
                }
                self.ok("POST", &href, Some(body)).await;
            }
            "undeploy" | "endSupport" => {
                let (p, v, e) = (
                    text(s, "pacticipant"),
                    text(s, "version"),
                    text(s, "environment"),
                );
                let envs = self.ok("GET", "/environments", None).await;
                let env = envs["_embedded"]["environments"]
                    .as_array()
                    .and_then(|l| l.iter().find(|x| x["name"] == e.as_str()))
                    .expect("environment")
                    .clone();
                let (rel, key, flag) = if kind == "undeploy" {
                    (
                        "pb:currently-deployed-deployed-versions",
                        "deployedVersions",
                        "currentlyDeployed",
                    )
                } else {
                    (
                        "pb:currently-supported-released-versions",
                        "releasedVersions",
                        "currentlySupported",
                    )
                };
                let href = format!(
                    "{}?pacticipant={}",
                    env["_links"][rel]["href"].as_str().expect("link"),
                    seg(&p)
                );
                let list = self.ok("GET", &href, None).await;
                for d in list["_embedded"][key]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                {
                    if d["_embedded"]["version"]["number"] == v.as_str()
                        && s.get("applicationInstance")
                            .is_none_or(|i| d["applicationInstance"] == *i)
                    {
                        let self_href = d["_links"]["self"]["href"]
                            .as_str()
                            .expect("self")
                            .to_string();
                        self.ok("PATCH", &self_href, Some(json!({flag: false})))
                            .await;
                    }
                }
            }
            "advanceClock" => {
                let days = s.get("days").cloned().unwrap_or(json!(0));
                let minutes = s.get("minutes").cloned().unwrap_or(json!(0));
                self.ok(
                    "POST",
                    "/test/clock",
                    Some(json!({"days": days, "minutes": minutes})),
                )
                .await;
            }
            other => panic!("unknown step {other}"),
        }
    }

    /// `T0-1d` → a date relative to the scenario's start.
    fn date(&self, s: &str) -> String {
        let Some(rest) = s.strip_prefix("T0") else {
            return s.to_string();
        };
        let days: i64 = rest.trim_end_matches('d').parse().unwrap_or(0);
        (self.t0 + chrono::Duration::days(days)).to_rfc3339()
    }
}

fn row_of(r: &Value) -> Value {
    json!({
        "consumer": r["consumer"]["name"],
        "consumerVersion": r["consumer"]["version"]["number"],
        "provider": r["provider"]["name"],
        "providerVersion": r["provider"]["version"]["number"],
        "success": r["verificationResult"]["success"],
    })
}

fn same_row(expected: &Value, actual: &Value) -> bool {
    expected.as_object().is_some_and(|m| {
        m.iter()
            .all(|(k, v)| actual.get(k).unwrap_or(&Value::Null) == v)
    })
}

/// Checks a matrix answer against `expect`; the failures, in words.
fn check_matrix(expect: &Value, status: u16, body: &Value, reasons: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    // The Pact Broker redirects a badge to shields.io; seam draws it itself
    // (no outbound call), so the same words must be in its SVG instead.
    if expect.get("locationStartsWith").and_then(Value::as_str)
        == Some("https://img.shields.io/badge/")
    {
        let svg = body.as_str().unwrap_or_default();
        if status != 200 || !svg.starts_with("<svg") {
            failures.push(format!("status {status}, expected 200 and an SVG badge"));
        }
        for word in expect["locationContains"].as_array().into_iter().flatten() {
            if !svg.contains(word.as_str().unwrap_or_default()) {
                failures.push(format!("the badge does not say {word}"));
            }
        }
        return failures;
    }
    if let Some(s) = expect.get("status") {
        if s != &json!(status) {
            failures.push(format!("status {status}, expected {s}"));
        }
    }
    if let Some(d) = expect.get("deployable") {
        if &body["summary"]["deployable"] != d {
            failures.push(format!(
                "deployable {}, expected {d}",
                body["summary"]["deployable"]
            ));
        }
    }
    if let Some(list) = expect.get("reasons").and_then(Value::as_array) {
        let reason_text = body["summary"]["reason"].as_str().unwrap_or_default();
        let lines: Vec<&str> = reason_text.lines().collect();
        let fragment = |class: &str| {
            reasons[class]["fragment"]
                .as_str()
                .unwrap_or(class)
                .to_string()
        };
        let mut expected: Vec<String> = list
            .iter()
            .filter_map(Value::as_str)
            .map(fragment)
            .collect();
        let mut actual: Vec<String> = lines
            .iter()
            .filter_map(|l| {
                reasons
                    .as_object()
                    .and_then(|m| {
                        m.values()
                            .filter_map(|r| r["fragment"].as_str())
                            .find(|f| l.starts_with(f))
                    })
                    .map(String::from)
            })
            .collect();
        expected.sort();
        actual.sort();
        if expected != actual {
            failures.push(format!(
                "reasons {actual:?}, expected {expected:?} ({reason_text:?})"
            ));
        }
    }
    if let Some(s) = expect.get("summary") {
        if &body["summary"] != s {
            failures.push(format!("summary {}, expected {s}", body["summary"]));
        }
    }
    let rows: Vec<Value> = body["matrix"]
        .as_array()
        .map(|a| a.iter().map(row_of).collect())
        .unwrap_or_default();
    if let Some(n) = expect.get("rows") {
        if n != &json!(rows.len()) {
            failures.push(format!("{} rows, expected {n}", rows.len()));
        }
    }
    if let Some(exact) = expect.get("rowsExact").and_then(Value::as_array) {
        let all_found = exact.iter().all(|e| rows.iter().any(|r| same_row(e, r)));
        if exact.len() != rows.len() || !all_found {
            failures.push(format!("rows {rows:?}, expected exactly {exact:?}"));
        }
    }
    for e in expect
        .get("rowsInclude")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !rows.iter().any(|r| same_row(e, r)) {
            failures.push(format!("no row {e}"));
        }
    }
    for e in expect
        .get("rowsExclude")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if rows.iter().any(|r| same_row(e, r)) {
            failures.push(format!("unexpected row {e}"));
        }
    }
    if let Some(types) = expect.get("noticeTypes") {
        let actual: Vec<Value> = body["notices"]
            .as_array()
            .map(|a| a.iter().map(|n| n["type"].clone()).collect())
            .unwrap_or_default();
        if &json!(actual) != types {
            failures.push(format!("notice types {actual:?}, expected {types}"));
        }
    }
    failures
}

/// `Pact between C (V) and P` → (C, V).
fn entry_of(p: &Value) -> (String, String) {
    let name = p["_links"]["self"]["name"].as_str().unwrap_or_default();
    let inner = name.strip_prefix("Pact between ").unwrap_or(name);
    let (consumer, rest) = inner.split_once(" (").unwrap_or((inner, ""));
    let version = rest.rsplit_once(") and ").map(|(v, _)| v).unwrap_or(rest);
    (consumer.to_string(), version.to_string())
}

fn check_for_verification(expect: &Value, status: u16, body: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    if let Some(s) = expect.get("status") {
        if s != &json!(status) {
            failures.push(format!("status {status}, expected {s}"));
        }
    }
    let pacts = body["_embedded"]["pacts"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let entries: Vec<Value> = pacts
        .iter()
        .map(|p| {
            let (c, v) = entry_of(p);
            json!({"consumer": c, "consumerVersion": v, "pending": p["verificationProperties"]["pending"], "wip": p["verificationProperties"]["wip"]})
        })
        .collect();
    let matches = |e: &Value, a: &Value| {
        e["consumer"] == a["consumer"]
            && e["consumerVersion"] == a["consumerVersion"]
            && e.get("pending").is_none_or(|p| *p == a["pending"])
            && e.get("wip")
                .is_none_or(|w| *w == a["wip"] || (*w == json!(false) && a["wip"].is_null()))
    };
    if let Some(exact) = expect.get("pacts").and_then(Value::as_array) {
        let ok = exact.len() == entries.len()
            && exact.iter().all(|e| entries.iter().any(|a| matches(e, a)));
        let ordered_ok = expect.get("ordered") != Some(&json!(true))
            || exact.iter().zip(&entries).all(|(e, a)| matches(e, a));
        if !ok || !ordered_ok {
            failures.push(format!("pacts {entries:?}, expected {exact:?}"));
        }
    }
    for e in expect
        .get("pactsInclude")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if !entries.iter().any(|a| matches(e, a)) {
            failures.push(format!("missing {e} in {entries:?}"));
        }
    }
    for e in expect
        .get("pactsExclude")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if entries.iter().any(|a| matches(e, a)) {
            failures.push(format!("unexpected {e}"));
        }
    }
    if let Some(n) = expect.get("count") {
        if n != &json!(entries.len()) {
            failures.push(format!("{} pacts, expected {n}", entries.len()));
        }
    }
    if let Some(n) = expect.get("wipCount") {
        let wip = entries.iter().filter(|e| e["wip"] == json!(true)).count();
        if n != &json!(wip) {
            failures.push(format!("{wip} WIP pacts, expected {n}"));
        }
    }
    let first_notice = pacts
        .first()
        .and_then(|p| p["verificationProperties"]["notices"][0]["text"].as_str())
        .unwrap_or_default();
    if let Some(prefix) = expect.get("firstNoticeStartsWith").and_then(Value::as_str) {
        if !first_notice.starts_with(prefix) {
            failures.push(format!(
                "first notice {first_notice:?} does not start with {prefix:?}"
            ));
        }
    }
    if let Some(prefix) = expect
        .get("firstNoticeNotStartsWith")
        .and_then(Value::as_str)
    {
        if first_notice.starts_with(prefix) {
            failures.push(format!("first notice starts with {prefix:?}"));
        }
    }
    failures
}

/// Replays every scenario of `file`; returns (passed, failures).
async fn run_file(file: &str, check: &str, backend: Backend) -> (usize, usize, Vec<String>) {
    let Some(root) = seam_testkit::conformance_dir("pact-broker", "broker scenarios") else {
        return (0, 0, Vec::new());
    };
    let scenarios: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(root.join(file)).unwrap()).unwrap();
    let reasons: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("matrix/reasons.json")).unwrap())
            .unwrap();
    let mut passed = 0;
    let mut failures = Vec::new();
    for sc in &scenarios {
        let broker = common::start(backend, true, true).await;
        let mut replay = Replay {
            client: Client::new(),
            base: broker.url(),
            contents: BTreeMap::new(),
            unique: 0,
            t0: chrono::Utc::now(),
        };
        for step in sc["setup"].as_array().into_iter().flatten() {
            replay.step(step).await;
        }
        let http = &sc["query"]["http"];
        let mut path = http["path"].as_str().unwrap_or("/").to_string();
        if let Some(q) = http["query"].as_str() {
            path = format!("{path}?{q}");
        }
        let method = http["method"].as_str().unwrap_or("GET");
        let body = sc["query"].get("body").cloned().map(|mut b| {
            if let Some(d) = b.get("includeWipPactsSince").and_then(Value::as_str) {
                b["includeWipPactsSince"] = json!(replay.date(d));
            }
            b
        });
        let (status, answer) = replay.send(method, &path, body).await;
        let found = if check == "matrix"
            || answer.get("summary").is_some()
                && sc["expect"].get("deployable").is_some()
                && sc["expect"].get("pacts").is_none()
        {
            check_matrix(&sc["expect"], status, &answer, &reasons)
        } else {
            check_for_verification(&sc["expect"], status, &answer)
        };
        if found.is_empty() {
            passed += 1;
        } else {
            failures.push(format!(
                "{} {}: {}",
                sc["id"].as_str().unwrap_or("?"),
                sc["name"].as_str().unwrap_or(""),
                found.join("; ")
            ));
        }
        broker.stop().await;
    }
    (passed, scenarios.len(), failures)
}

/// How many scenarios passed when this was last raised: a change that makes
/// fewer pass fails the test.
const MATRIX_PASSING: usize = 138;
const FOR_VERIFICATION_PASSING: usize = 103;

async fn check(file: &str, kind: &str, backend: Backend, at_least: usize) {
    let (passed, total, failures) = run_file(file, kind, backend).await;
    if total == 0 {
        return;
    }
    eprintln!("{kind} scenarios on {backend:?}: {passed}/{total} pass");
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(
        passed >= at_least,
        "{passed}/{total} pass, fewer than {at_least}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pact_brokers_matrix_scenarios() {
    check(
        "matrix/scenarios.json",
        "matrix",
        Backend::Sqlite,
        MATRIX_PASSING,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pact_brokers_for_verification_scenarios() {
    check(
        "for-verification/scenarios.json",
        "for-verification",
        Backend::Sqlite,
        FOR_VERIFICATION_PASSING,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pact_brokers_matrix_scenarios_on_postgres() {
    if common::postgres_url("matrix scenarios").is_some() {
        check(
            "matrix/scenarios.json",
            "matrix",
            Backend::Postgres,
            MATRIX_PASSING,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pact_brokers_for_verification_scenarios_on_postgres() {
    if common::postgres_url("for-verification scenarios").is_some() {
        check(
            "for-verification/scenarios.json",
            "for-verification",
            Backend::Postgres,
            FOR_VERIFICATION_PASSING,
        )
        .await;
    }
}
