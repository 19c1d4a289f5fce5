//! The Pact Broker's approval snapshots (`../shared/conformance/pact-broker/approvals`):
//! each snapshot's fixture is built through the HTTP API on an empty store,
//! its recorded request is sent, and the answer must hold everything the
//! snapshot holds: the status, and every key and value of its body (seam may
//! add keys; arrays must match element by element). Masked values compare by
//! presence. A triggered webhook's id, which upstream stubs, is compared as
//! a placeholder.

#[macro_use]
mod common;

use base64::Engine;
use common::Backend;
use reqwest::Client;
use serde_json::{json, Value};

/// Every place where `actual` lacks or differs from `expected`.
fn differences(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::String(e), _) if e.starts_with('<') && e.ends_with('>') => {
            if actual.is_null() {
                out.push(format!("{path}: missing (masked {e})"));
            }
        }
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                match a.get(k) {
                    Some(w) => differences(&format!("{path}.{k}"), v, w, out),
                    None => out.push(format!("{path}.{k}: missing (expected {v})")),
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!(
                    "{path}: {} items, expected {}: {}",
                    a.len(),
                    e.len(),
                    Value::Array(a.clone())
                ));
                return;
            }
            for (i, (v, w)) in e.iter().zip(a).enumerate() {
                differences(&format!("{path}[{i}]"), v, w, out);
            }
        }
        (Value::String(e), Value::String(a)) => {
            if normalize(e) != normalize(a) {
                out.push(format!("{path}: {a:?}, expected {e:?}"));
            }
        }
        _ => {
            if expected != actual {
                out.push(format!("{path}: {actual}, expected {expected}"));
            }
        }
    }
}

/// What differs by design, as placeholders: a triggered webhook's id
/// (stubbed upstream), a pact version's hash (SHA-1 of the JSON as sent
/// there, SHA-256 of its canonical form here) and the metadata segment of
/// a verification URL (it encodes database ids).
fn normalize(s: &str) -> String {
    let mut out = s.to_string();
    for marker in ["/triggered-webhooks/", "/pact-version/", "/metadata/"] {
        let mut done = String::new();
        let mut rest = out.as_str();
        while let Some(i) = rest.find(marker) {
            done.push_str(&rest[..i + marker.len()]);
            let after = &rest[i + marker.len()..];
            let end = after
                .find(|c: char| c == '/' || c.is_whitespace())
                .unwrap_or(after.len());
            done.push_str("<id>");
            rest = &after[end..];
        }
        done.push_str(rest);
        out = done;
    }
    out
}

fn pact(consumer: &str, provider: &str, interactions: Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(
        json!({"consumer": {"name": consumer}, "provider": {"name": provider}, "interactions": interactions})
            .to_string(),
    )
}

/// Builds the fixture a publish snapshot was recorded with.
async fn publish_fixture(client: &Client, base: &str, file: &str) {
    match file {
        "publish_contract_nothing_exists_with_webhook.approved.json" => {
            let r = client
                .post(format!("{base}/webhooks"))
                .json(&json!({
                    "description": "foo webhook",
                    "events": [{"name": "contract_content_changed"}],
                    // loopback, and nothing listens: the delivery fails, quietly
                    "request": {"method": "POST", "url": format!("http://127.0.0.1:{}/hook", seam_testkit::closed_port())}
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
        "publish_contract_verification_already_exists.approved.json" => {
            let r = client
                .post(format!("{base}/contracts/publish"))
                .json(&json!({
                    "pacticipantName": "Foo", "pacticipantVersionNumber": "1", "branch": "main",
                    "contracts": [{"consumerName": "Foo", "providerName": "Bar", "specification": "pact",
                        "contentType": "application/json",
                        "content": pact("Foo", "Bar", json!([{"description": "before", "request": {"method": "GET", "path": "/"}, "response": {"status": 200}}]))}]
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
            common::verify(client, base, "Foo", "Bar", true, "2").await;
        }
        _ => {}
    }
}

const PUBLISH_SNAPSHOTS: &[&str] = &[
    "publish_contract_nothing_exists.approved.json",
    "publish_contract_no_branch.approved.json",
    "publish_contract_nothing_exists_with_webhook.approved.json",
    "publish_contract_verification_already_exists.approved.json",
    "publish_contract_with_validation_error.approved.json",
];

/// How many snapshots matched when this was last raised.
const PUBLISH_PASSING: usize = 5;

async fn publish_snapshots(backend: Backend) {
    let Some(dir) =
        seam_testkit::conformance_dir("pact-broker", "the Pact Broker's approval snapshots")
    else {
        return;
    };
    let mut results = Vec::new();
    for file in PUBLISH_SNAPSHOTS {
        let snapshot: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("approvals").join(file)).unwrap(),
        )
        .unwrap();
        let broker = common::start_at(backend, "http://example.org", true).await;
        let base = broker.broker.local_url();
        let client = Client::new();
        publish_fixture(&client, &base, file).await;
        let request = &snapshot["request"];
        let r = client
            .post(format!("{base}{}", request["path"].as_str().unwrap()))
            .header("Accept", "application/hal+json")
            .json(&request["body"])
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        let mut found = Vec::new();
        if snapshot["response"]["status"] != json!(status) {
            found.push(format!(
                "status {status}, expected {}",
                snapshot["response"]["status"]
            ));
        }
        differences("body", &snapshot["response"]["body"], &body, &mut found);
        results.push((file.to_string(), found));
        broker.stop().await;
    }
    tally("publish", backend, &results, PUBLISH_PASSING);
}

/// Says how many snapshots of a kind matched and how the others differ;
/// fails when fewer than `floor` matched.
fn tally(kind: &str, backend: Backend, results: &[(String, Vec<String>)], floor: usize) {
    let passed = results.iter().filter(|(_, found)| found.is_empty()).count();
    eprintln!(
        "{kind} snapshots on {backend:?}: {passed}/{} match",
        results.len()
    );
    for (file, found) in results.iter().filter(|(_, found)| !found.is_empty()) {
        eprintln!("  {file}:\n    {}", found.join("\n    "));
    }
    assert!(
        passed >= floor,
        "{passed} {kind} snapshots match, fewer than {floor}"
    );
}

/// `get_provider_pacts_for_verification`: two consumers' pacts, one tagged
/// prod, asked for the latest prod.
async fn for_verification_snapshot(backend: Backend) {
    let Some(dir) =
        seam_testkit::conformance_dir("pact-broker", "the Pact Broker's approval snapshots")
    else {
        return;
    };
    let snapshot: Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.join("approvals/get_provider_pacts_for_verification.approved.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let broker = common::start_at(backend, "http://example.org", false).await;
    let base = broker.broker.local_url();
    let client = Client::new();
    for (consumer, version, content) in [
        ("Consumer", "0.0.1", json!({"some": "content"})),
        ("Consumer%202", "4.5.6", json!({"some": "other content"})),
    ] {
        let r = client
            .put(format!(
                "{base}/pacts/provider/Provider/consumer/{consumer}/version/{version}"
            ))
            .json(&content)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }
    let r = client
        .put(format!(
            "{base}/pacticipants/Consumer%202/versions/4.5.6/tags/prod"
        ))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let request = &snapshot["request"];
    let r = client
        .post(format!("{base}{}", request["path"].as_str().unwrap()))
        .json(&request["body"])
        .send()
        .await
        .unwrap();
    assert_eq!(json!(r.status().as_u16()), snapshot["response"]["status"]);
    let body: Value = r.json().await.unwrap();
    let mut found = Vec::new();
    differences("body", &snapshot["response"]["body"], &body, &mut found);
    assert!(found.is_empty(), "{}", found.join("\n"));
    broker.stop().await;
}

on_both_backends!(
    the_pact_brokers_for_verification_snapshot,
    the_pact_brokers_for_verification_snapshot_on_postgres,
    for_verification_snapshot
);

on_both_backends!(
    the_pact_brokers_publish_snapshots,
    the_pact_brokers_publish_snapshots_on_postgres,
    publish_snapshots
);

/// The instant the API documentation snapshots were recorded at.
const DOCS_CLOCK: &str = "2021-09-01T00:07:21Z";

/// The base URL the documentation snapshots' links start with.
const DOCS_BASE: &str = "https://pact-broker";

/// What the documentation fixture made, to be written as the snapshots
/// write it: (seam's value, the snapshot's value).
#[derive(Default)]
struct Stubbed {
    pairs: Vec<(String, String)>,
}

impl Stubbed {
    fn add(&mut self, ours: impl Into<String>, theirs: &str) {
        self.pairs.push((ours.into(), theirs.to_string()));
    }

    /// `value` with each of seam's ids and addresses written as upstream's.
    fn apply(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => {
                let mut s = s.clone();
                for (ours, theirs) in &self.pairs {
                    s = s.replace(ours, theirs);
                }
                Value::String(s)
            }
            Value::Array(a) => Value::Array(a.iter().map(|v| self.apply(v)).collect()),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| {
                        (
                            self.apply(&json!(k)).as_str().unwrap().to_string(),
                            self.apply(v),
                        )
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// Where a documentation snapshot holds what its fixture wrote straight into
/// the database, which no request can make: (snapshot, JSON path, why).
/// Each is compared by presence only.
const DOCS_FIXTURE_MADE: &[(&str, &str, &str)] = &[
    (
        "docs_webhooks_logs_of_triggered_webhook_get.approved.json",
        "body",
        "the fixture's execution row holds the text 'logs'; here the delivery's real log",
    ),
    (
        "docs_webhooks_triggered_webhooks_for_pact_publication_get.approved.json",
        "body._embedded.triggeredWebhooks[0].status",
        "the fixture's triggered webhook never ran ('not_run'); here it is delivered",
    ),
    (
        "docs_webhooks_webhooks_status_get.approved.json",
        "body._embedded.triggeredWebhooks[0].status",
        "as above",
    ),
    (
        "docs_webhooks_webhooks_status_get.approved.json",
        "body.summary",
        "as above: one successful, not one not run",
    ),
    (
        "docs_webhooks_triggered_webhooks_for_pact_publication_get.approved.json",
        "body._embedded.triggeredWebhooks[0].attemptsRemaining",
        "as above: none remain after a success",
    ),
    (
        "docs_webhooks_webhooks_status_get.approved.json",
        "body._embedded.triggeredWebhooks[0].attemptsRemaining",
        "as above",
    ),
];

/// A log's lines without their times (upstream's clock was frozen in
/// another time zone), up to the request's body: what follows is the answer
/// of upstream's stubbed receiver (`HTTP/1.0 200`, no headers). Ids are
/// placeholders, as everywhere.
fn request_log(logs: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for line in logs.lines() {
        let line = line.split_once("] ").map_or(line, |(_, rest)| rest);
        if line.starts_with("INFO: HTTP/1.0") || line.starts_with("INFO: HTTP/1.1 2") {
            break;
        }
        lines.push(normalize(line));
    }
    lines
}

/// Everything in a documentation snapshot's answer that seam's lacks or
/// writes differently: the status, the headers a client reads, the body.
fn docs_differences(
    file: &str,
    snapshot: &Value,
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: &Value,
) -> Vec<String> {
    let mut found = Vec::new();
    if snapshot["response"]["status"] != json!(status) {
        found.push(format!(
            "status {status}, expected {}",
            snapshot["response"]["status"]
        ));
    }
    for name in ["content-type", "access-control-allow-methods"] {
        if let Some(want) = snapshot["response"]["headers"][name].as_str() {
            let got = headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("(none)");
            if got.replace(' ', "") != want.replace(' ', "") {
                found.push(format!("header {name}: {got:?}, expected {want:?}"));
            }
        }
    }
    // upstream's list resources wrote their own address with the test
    // request's host (http://example.org), the rest with the configured one
    let recorded = serde_json::to_string(&snapshot["response"]["body"])
        .unwrap()
        .replace("http://example.org/", &format!("{DOCS_BASE}/"));
    let mut expected = json!({"body": serde_json::from_str::<Value>(&recorded).unwrap()});
    if let (Some(want), Some(got)) = (expected["body"]["logs"].as_str(), body["logs"].as_str()) {
        let (want, got) = (request_log(want), request_log(got));
        if want != got {
            found.push(format!("body.logs: {got:#?}, expected {want:#?}"));
        }
        expected["body"]["logs"] = json!("<logs>");
    }
    for (f, path, _) in DOCS_FIXTURE_MADE {
        if *f == file {
            mask(&mut expected, path);
        }
    }
    differences("body", &expected["body"], body, &mut found);
    found
}

/// Replaces the value at `path` (`a.b[0].c`) with a presence-only mask.
fn mask(value: &mut Value, path: &str) {
    let mut at = value;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((k, i)) => (k, i.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        at = &mut at[key];
        if let Some(i) = index {
            at = &mut at[i];
        }
    }
    *at = json!("<fixture>");
}

/// A pact between Foo and Bar as the webhook examples have it.
fn docs_pact(consumer: &str, provider: &str) -> Value {
    json!({"consumer": {"name": consumer}, "provider": {"name": provider}, "integrations": []})
}

async fn send_ok(request: reqwest::RequestBuilder, what: &str) -> Value {
    let r = request.send().await.unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert!(status.is_success(), "{what}: {status} {body}");
    serde_json::from_str(&body).unwrap_or(Value::Null)
}

/// Builds the fixture of the pacticipant or webhook documentation examples
/// on an empty broker, through its API; returns what it stubbed.
async fn docs_fixture(client: &Client, base: &str, receiver: &str, webhooks: bool) -> Stubbed {
    let mut stubbed = Stubbed::default();
    let r = client
        .post(format!("{base}/test/clock"))
        .json(&json!({"freezeAt": DOCS_CLOCK}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the test clock");
    let (consumer, provider) = if webhooks {
        ("Foo", "Bar")
    } else {
        ("foo", "bar")
    };
    if !webhooks {
        send_ok(
            client.post(format!("{base}/pacticipants")).json(
                &json!({"name": "foo", "repositoryUrl": "https://github.com/example-organization/foo"}),
            ),
            "creating foo",
        )
        .await;
    } else {
        for name in [consumer, provider] {
            send_ok(
                client
                    .post(format!("{base}/pacticipants"))
                    .json(&json!({"name": name})),
                "a pacticipant",
            )
            .await;
        }
        send_ok(
            client
                .put(format!(
                    "{base}/webhooks/d2181b32-8b03-4daf-8cc0-d9168b2f6fac"
                ))
                .json(&json!({
                    "description": "an example webhook",
                    "consumer": {"name": "Foo"}, "provider": {"name": "Bar"},
                    "events": [{"name": "contract_content_changed"}],
                    "request": {"method": "POST", "url": format!("{receiver}/webhook"),
                        "headers": {"Content-Type": "application/json"},
                        "body": {"pactUrl": "${pactbroker.pactUrl}"}}
                })),
            "the example webhook",
        )
        .await;
    }
    send_ok(
        client
            .put(format!(
                "{base}/pacts/provider/{provider}/consumer/{consumer}/version/3e1f00a04"
            ))
            .json(&docs_pact(consumer, provider)),
        "the example pact",
    )
    .await;
    common::verify(client, base, consumer, provider, true, "950e7a154").await;
    if webhooks {
        // the delivery the publication triggered, once it is made
        let status = common::get_until(
            client,
            &format!("{base}/pacts/provider/Bar/consumer/Foo/webhooks/status"),
            "application/hal+json",
            |s| s["_embedded"]["triggeredWebhooks"][0]["status"] == json!("success"),
        )
        .await;
        let logs = status["_embedded"]["triggeredWebhooks"][0]["_links"]["pb:logs"]["href"]
            .as_str()
            .unwrap();
        let uuid = logs.trim_end_matches("/logs").rsplit('/').next().unwrap();
        stubbed.add(uuid, "6cd5cc48-db3c-4a4c-a36d-e9bedeb9d91e");
        let pact = send_ok(
            client.get(format!("{base}/pacts/provider/Bar/consumer/Foo/latest")),
            "the pact",
        )
        .await;
        let version_href = pact["_links"]["pb:publish-verification-results"]["href"]
            .as_str()
            .unwrap()
            .to_string();
        if let Some(rest) = version_href.split("/pact-version/").nth(1) {
            let sha = rest.split('/').next().unwrap();
            stubbed.add(sha, "3e193ecb37ad04b43ce974a38352c704b2e0ed6b");
            if let Some(meta) = rest.split("/metadata/").nth(1) {
                stubbed.add(
                    meta.split('/').next().unwrap(),
                    "3e193ecb37ad04b43ce974a38352c704b2e0ed6b",
                );
            }
        }
    }
    stubbed.add(receiver, "https://example.org");
    stubbed.add("POST 127.0.0.1", "POST example.org");
    stubbed.add(receiver.trim_start_matches("http://"), "example.org");
    stubbed
}

/// Snapshots that match whole, when this was last raised.
const DOCS_PASSING: usize = 30;

async fn docs_snapshots(backend: Backend) {
    let Some(dir) =
        seam_testkit::conformance_dir("pact-broker", "the Pact Broker's approval snapshots")
    else {
        return;
    };
    let receiver = common::ok_receiver().await;
    let mut files: Vec<String> = std::fs::read_dir(dir.join("approvals"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with("docs_"))
        .collect();
    files.sort();
    let mut results = Vec::new();
    for file in &files {
        let snapshot: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("approvals").join(file)).unwrap(),
        )
        .unwrap();
        let broker = common::start_with(
            backend,
            common::Options {
                base_url: Some(DOCS_BASE.into()),
                test_clock: true,
                webhooks: seam_broker::WebhookConfig {
                    schemes: vec!["http".into()],
                    plaintext_passwords: true,
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await;
        let base = broker.broker.local_url();
        let client = Client::new();
        let webhooks = file.starts_with("docs_webhooks");
        let mut stubbed = docs_fixture(&client, &base, &receiver, webhooks).await;
        let request = &snapshot["request"];
        let mut path = request["path"].as_str().unwrap().to_string();
        for (ours, theirs) in &stubbed.pairs {
            if theirs.len() > 20 {
                path = path.replace(theirs.as_str(), ours);
            }
        }
        let method =
            reqwest::Method::from_bytes(request["method"].as_str().unwrap().as_bytes()).unwrap();
        let mut builder = client.request(method, format!("{base}{path}"));
        for (k, v) in request["headers"].as_object().into_iter().flatten() {
            builder = builder.header(k.as_str(), v.as_str().unwrap());
        }
        if let Some(body) = request.get("body") {
            // the examples' outgoing calls go to the local receiver
            let body = serde_json::to_string(body)
                .unwrap()
                .replace("https://example.org", &receiver);
            builder = builder
                .header("Content-Type", "application/json")
                .body(body);
        }
        let r = builder.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if let Some(uuid) = body["uuid"].as_str() {
            if request["method"] == json!("POST") && path == "/webhooks" {
                stubbed.add(uuid, "dCGCl-Ba3PqEFJ_iE9mJkQ");
            }
        }
        let body = stubbed.apply(&body);
        let found = docs_differences(file, &snapshot, status, &headers, &body);
        results.push((file.to_string(), found));
        broker.stop().await;
    }
    tally("documentation", backend, &results, DOCS_PASSING);
}

on_both_backends!(
    the_pact_brokers_documentation_snapshots,
    the_pact_brokers_documentation_snapshots_on_postgres,
    docs_snapshots
);

/// Publishes `consumer` `version` (on `branch`) with a pact to each provider,
/// each pact one interaction `GET /things/<n>`, as the matrix snapshot has them.
async fn publish_things(
    client: &Client,
    base: &str,
    consumer: &str,
    version: &str,
    branch: Option<&str>,
    pacts: &[(&str, u32)],
) {
    let contracts: Vec<Value> = pacts
        .iter()
        .map(|(provider, n)| {
            json!({"consumerName": consumer, "providerName": provider, "specification": "pact",
                "contentType": "application/json",
                "content": pact(consumer, provider, json!([{"description": format!("things {n}"),
                    "request": {"method": "GET", "path": format!("/things/{n}")}, "response": {"status": 200}}]))})
        })
        .collect();
    send_ok(
        client
            .post(format!("{base}/contracts/publish"))
            .json(&json!({
                "pacticipantName": consumer, "pacticipantVersionNumber": version,
                "branch": branch, "contracts": contracts,
            })),
        "publishing",
    )
    .await;
}

/// `matrix_full_body_ui_browse` and `matrix_full_body_text`: Foo 1 → Bar
/// verified by Bar 10; Foo 2 (main) → Bar failed by Bar 20; Foo 3 (main)
/// → Bar unverified and → Baz verified by Baz 30, deployed to production.
async fn matrix_snapshots(backend: Backend) {
    let Some(dir) =
        seam_testkit::conformance_dir("pact-broker", "the Pact Broker's approval snapshots")
    else {
        return;
    };
    let read = |file: &str| std::fs::read_to_string(dir.join("approvals").join(file)).unwrap();
    let snapshot: Value =
        serde_json::from_str(&read("matrix_full_body_ui_browse.approved.json")).unwrap();
    let broker = common::start_at(backend, "http://example.org", false).await;
    let base = broker.broker.local_url();
    let client = Client::new();
    publish_things(&client, &base, "Foo", "1", None, &[("Bar", 1)]).await;
    common::verify(&client, &base, "Foo", "Bar", true, "10").await;
    publish_things(&client, &base, "Foo", "2", Some("main"), &[("Bar", 2)]).await;
    common::verify(&client, &base, "Foo", "Bar", false, "20").await;
    publish_things(
        &client,
        &base,
        "Foo",
        "3",
        Some("main"),
        &[("Bar", 3), ("Baz", 1)],
    )
    .await;
    common::verify(&client, &base, "Foo", "Baz", true, "30").await;
    let environment = send_ok(
        client
            .post(format!("{base}/environments"))
            .json(&json!({"name": "production", "production": true})),
        "an environment",
    )
    .await;
    send_ok(
        client
            .post(format!(
                "{base}/pacticipants/Baz/versions/30/deployed-versions/environment/{}",
                environment["uuid"].as_str().unwrap()
            ))
            .json(&json!({})),
        "a deployment",
    )
    .await;
    let query = snapshot["request"]["query"].as_str().unwrap();
    let r = client
        .get(format!("{base}/matrix?{query}"))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    let mut found = Vec::new();
    if snapshot["response"]["status"] != json!(status) {
        found.push(format!(
            "status {status}, expected {}",
            snapshot["response"]["status"]
        ));
    }
    differences("body", &snapshot["response"]["body"], &body, &mut found);
    let text = client
        .get(format!("{base}/matrix?{query}"))
        .header("Accept", "text/plain")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let want = read("matrix_full_body_text.approved.txt");
    if text.trim_end() != want.trim_end() {
        found.push(format!("text:\n{text}\nexpected:\n{want}"));
    }
    // beyond the snapshot: a deployed version's row names its environment
    let with_baz: Value = common::get_json(
        &client,
        &format!("{base}/matrix?q[][pacticipant]=Foo&q[][pacticipant]=Baz&latestby=cvpv"),
    )
    .await;
    let environments = &with_baz["matrix"][0]["provider"]["version"]["environments"];
    if environments[0]["name"] != json!("production")
        || environments[0]["production"] != json!(true)
    {
        found.push(format!("Baz 30's environments: {environments}"));
    }
    broker.stop().await;
    assert!(found.is_empty(), "{}", found.join("\n"));
}

on_both_backends!(
    the_pact_brokers_matrix_snapshots,
    the_pact_brokers_matrix_snapshots_on_postgres,
    matrix_snapshots
);

/// Two decorator snapshots, as bodies of the resources they decorate:
/// `pacticipant_branches_decorator` (Foo's branch main, made at a frozen
/// 2020-01-01) and `triggered_webhook_logs_decorator` (a delivery's log
/// asked for as JSON; its event, names and one successful execution).
async fn body_snapshots(backend: Backend) {
    let Some(dir) =
        seam_testkit::conformance_dir("pact-broker", "the Pact Broker's approval snapshots")
    else {
        return;
    };
    let read = |file: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join("approvals").join(file)).unwrap())
            .unwrap()
    };
    let broker = common::start_with(
        backend,
        common::Options {
            base_url: Some("http://example.org".into()),
            test_clock: true,
            ..Default::default()
        },
    )
    .await;
    let base = broker.broker.local_url();
    let client = Client::new();
    send_ok(
        client
            .post(format!("{base}/test/clock"))
            .json(&json!({"freezeAt": "2020-01-01T00:00:00Z"})),
        "the test clock",
    )
    .await;
    let receiver = common::ok_receiver().await;
    for name in ["Example Consumer", "Example Provider"] {
        send_ok(
            client
                .post(format!("{base}/pacticipants"))
                .json(&json!({"name": name})),
            "a pacticipant",
        )
        .await;
    }
    let webhook = send_ok(
        client.post(format!("{base}/webhooks")).json(&json!({
            "events": [{"name": "contract_requiring_verification_published"}],
            "request": {"method": "POST", "url": format!("{receiver}/hook")}
        })),
        "a webhook",
    )
    .await;
    send_ok(
        client
            .put(format!("{base}/pacticipants/Foo/branches/main/versions/1"))
            .json(&json!({})),
        "Foo 1 on main",
    )
    .await;
    let publish = send_ok(
        client.post(format!("{base}/contracts/publish")).json(&json!({
            "pacticipantName": "Example Consumer", "pacticipantVersionNumber": "1", "branch": "main",
            "contracts": [{"consumerName": "Example Consumer", "providerName": "Example Provider",
                "specification": "pact", "contentType": "application/json",
                "content": pact("Example Consumer", "Example Provider", json!([]))}]
        })),
        "publishing",
    )
    .await;
    let logs_href = publish["_embedded"]["notices"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(publish["notices"].as_array().into_iter().flatten())
        .filter_map(|n| n["text"].as_str())
        .find_map(|t| {
            t.split_whitespace()
                .find(|w| w.contains("/triggered-webhooks/"))
        })
        .map(|w| w.trim_end_matches(['.', ')', ',']).to_string())
        .unwrap_or_default();
    let logs_path = &logs_href[logs_href
        .find("/triggered-webhooks/")
        .expect("a publish notice links the delivery's logs")..];
    let mut found = Vec::new();
    let branches: Value =
        common::get_json(&client, &format!("{base}/pacticipants/Foo/branches")).await;
    differences(
        "branches",
        &read("pacticipant_branches_decorator.approved.json"),
        &branches,
        &mut found,
    );
    // the delivery succeeds against the local receiver
    let logs = common::get_until(
        &client,
        &format!("{base}{logs_path}"),
        "application/json",
        |l| l["executions"].as_array().is_some_and(|e| !e.is_empty()),
    )
    .await;
    let delivery = logs_path
        .trim_start_matches("/triggered-webhooks/")
        .trim_end_matches("/logs");
    let stubbed = Stubbed {
        pairs: vec![
            (delivery.to_string(), "1234".to_string()),
            (
                webhook["uuid"].as_str().unwrap().to_string(),
                "1234".to_string(),
            ),
        ],
    };
    let mut expected = read("triggered_webhook_logs_decorator.approved.json");
    // the decorator was given no address for itself, and fixed log text
    expected["_links"]["self"]["href"] = json!("<href>");
    expected["executions"][0]["logs"] = json!("<logs>");
    expected["executions"][0]["createdAt"] = json!("2020-01-01T00:00:00+00:00");
    differences("logs", &expected, &stubbed.apply(&logs), &mut found);
    broker.stop().await;
    assert!(found.is_empty(), "{}", found.join("\n"));
}

on_both_backends!(
    the_pact_brokers_body_snapshots,
    the_pact_brokers_body_snapshots_on_postgres,
    body_snapshots
);
