//! Webhooks over real HTTP: a receiver on loopback that fails before it
//! succeeds, a publish and a verification that fire them, the template's
//! values and a secret from the environment in what arrives, the retries
//! and their logs (secrets masked), and bad definitions refused.

#[macro_use]
mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use common::Backend;
use reqwest::Client;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the receiver got, and how many requests it fails before it answers 200.
#[derive(Default)]
struct Receiver {
    got: Mutex<Vec<(HeaderMap, String)>>,
    failures_left: AtomicUsize,
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: String) -> StatusCode {
    r.got.lock().unwrap().push((headers, body));
    let failing = r
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

async fn receiver(failures: usize) -> (String, Arc<Receiver>) {
    let r = Arc::new(Receiver::default());
    r.failures_left.store(failures, Ordering::SeqCst);
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, r)
}

/// Waits (up to 10 s) until the webhook's deliveries satisfy `done`.
async fn deliveries_until(
    client: &Client,
    webhook: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let url = format!("{webhook}/deliveries");
    let body = common::get_until(client, &url, "application/json", |b| {
        done(b["deliveries"].as_array().map_or(&[][..], Vec::as_slice))
    })
    .await;
    body["deliveries"].as_array().cloned().unwrap_or_default()
}

on_both_backends!(
    a_published_pact_reaches_the_receiver_after_retries_with_its_secret,
    a_published_pact_reaches_the_receiver_after_retries_with_its_secret_on_postgres,
    a_published_pact_reaches_the_receiver_after_retries_with_its_secret_on
);

async fn a_published_pact_reaches_the_receiver_after_retries_with_its_secret_on(backend: Backend) {
    std::env::set_var("SEAM_BROKER_SECRET_TEST_CI_TOKEN", "tok-42-secret");
    let (hook, received) = receiver(2).await;
    let broker = common::start(backend, false, false).await;
    let base = broker.url();
    let client = Client::new();
    // a webhook names pacticipants the broker knows (else 400, as the Pact Broker)
    let r = client
        .post(format!("{base}/pacticipants"))
        .json(&json!({"name": "orders"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);

    let r = client
        .post(format!("{base}/webhooks"))
        .json(&json!({
            "description": "build the provider",
            "provider": {"name": "orders"},
            "events": [{"name": "contract_content_changed"}],
            "request": {
                "method": "POST", "url": hook,
                "headers": {"Authorization": "Bearer ${secret.TEST_CI_TOKEN}"},
                "body": {"pact": "${pactbroker.pactUrl}", "consumer": "${pactbroker.consumerName}", "version": "${pactbroker.consumerVersionNumber}"}
            }
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let webhook: Value = r.json().await.unwrap();
    let href = webhook["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!webhook.to_string().contains("tok-42-secret"));

    let r = client
        .post(format!("{base}/contracts/publish"))
        .json(&common::publish_body("1", "/a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let list = deliveries_until(&client, &href, |l| {
        l.first().is_some_and(|d| d["status"] == "succeeded")
    })
    .await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["attempts"], 3);
    let logs = list[0]["logs"].as_array().unwrap();
    assert_eq!(logs[0]["response"]["status"], 503);
    assert_eq!(logs[2]["response"]["status"], 200);
    assert_eq!(
        logs[0]["request"]["headers"]["Authorization"],
        "Bearer ********"
    );
    assert!(!list[0].to_string().contains("tok-42-secret"));

    let got = received.got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    let (headers, body) = &got[2];
    assert_eq!(headers["authorization"], "Bearer tok-42-secret");
    assert_eq!(headers["content-type"], "application/json");
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["consumer"], "web");
    assert_eq!(body["version"], "1");
    assert!(body["pact"].as_str().unwrap().starts_with(&format!(
        "{base}/pacts/provider/orders/consumer/web/pact-version/"
    )));

    // the same content again changes nothing: no new delivery
    let r = client
        .post(format!("{base}/contracts/publish"))
        .json(&common::publish_body("2", "/a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(received.got.lock().unwrap().len(), 3);
    broker.stop().await;
}

on_both_backends!(
    a_verification_fires_its_outcome_and_a_dead_receiver_ends_failed,
    a_verification_fires_its_outcome_and_a_dead_receiver_ends_failed_on_postgres,
    a_verification_fires_its_outcome_and_a_dead_receiver_ends_failed_on
);

async fn a_verification_fires_its_outcome_and_a_dead_receiver_ends_failed_on(backend: Backend) {
    let (hook, received) = receiver(0).await;
    let broker = common::start(backend, false, false).await;
    let base = broker.url();
    let client = Client::new();
    let create = |url: String, event: &str| {
        client.post(format!("{base}/webhooks")).json(&json!({
            "events": [{"name": event}],
            "request": {"method": "POST", "url": url, "body": "${pactbroker.providerVersionNumber} ${pactbroker.githubVerificationStatus}"}
        }))
    };
    let r = create(hook.clone(), "provider_verification_failed")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    // a receiver nobody listens on: every attempt fails, then it is given up
    let dead = format!("http://127.0.0.1:{}/hook", seam_testkit::closed_port());
    let r = create(dead, "provider_verification_published")
        .send()
        .await
        .unwrap();
    let dead_href = r.json::<Value>().await.unwrap()["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let r = client
        .post(format!("{base}/contracts/publish"))
        .json(&common::publish_body("1", "/a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for (success, version) in [(true, "7"), (false, "8")] {
        common::verify(&client, &base, "web", "orders", success, version).await;
    }
    let list = deliveries_until(&client, &dead_href, |l| {
        l.len() == 2 && l.iter().all(|d| d["status"] == "failed")
    })
    .await;
    assert_eq!(list[0]["attempts"], 4, "one try and three retries");
    assert!(
        list[0]["logs"][0]["error"]
            .as_str()
            .unwrap()
            .contains("could not connect"),
        "{}",
        list[0]
    );
    // only the failed verification reached the failure webhook
    let got = received.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].1, "8 failure");
    // the queue shows in the metrics
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("seam_broker_webhook_deliveries_by_status{status=\"failed\"} 2"),
        "{metrics}"
    );
    broker.stop().await;
}

#[tokio::test]
async fn bad_webhooks_are_refused_and_execute_tries_one_now() {
    let (hook, received) = receiver(0).await;
    let broker = common::start(Backend::Sqlite, false, false).await;
    let base = broker.url();
    let client = Client::new();
    let r = client
        .post(format!("{base}/webhooks"))
        .json(&json!({"events": [{"name": "contract_publised"}], "request": {"method": "POST", "url": hook, "password": "hunter2", "username": "ci"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    let text = body.to_string();
    assert!(text.contains("did you mean `contract_published`"), "{text}");
    assert!(text.contains("plain text"), "{text}");
    let r = client
        .post(format!("{base}/webhooks"))
        .json(&json!({"events": [{"name": "contract_published"}], "request": {"method": "POST", "url": "ftp://x/y"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r
        .text()
        .await
        .unwrap()
        .contains("scheme ftp is not allowed"));

    let r = client
        .put(format!("{base}/webhooks/my-hook-0001"))
        .json(&json!({"events": [{"name": "contract_published"}], "request": {"method": "POST", "url": hook, "body": "hello ${pactbroker.consumerName}"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = client
        .post(format!("{base}/webhooks/my-hook-0001/execute"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["success"], true, "{body}");
    assert_eq!(received.got.lock().unwrap()[0].1, "hello consumer");
    let list: Value = client
        .get(format!("{base}/webhooks"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["_links"]["pb:webhooks"].as_array().unwrap().len(), 1);
    let r = client
        .delete(format!("{base}/webhooks/my-hook-0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    broker.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_can_pick_its_provider_by_label() {
    let (hook, received) = receiver(0).await;
    let broker = common::start(Backend::Sqlite, false, false).await;
    let base = broker.url();
    let client = Client::new();
    let r = client
        .put(format!("{base}/pacticipants/orders/labels/team-a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let listed: Value = client
        .get(format!("{base}/pacticipants/label/team-a"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["_embedded"]["pacticipants"][0]["name"], "orders");
    for label in ["team-a", "team-b"] {
        let r = client
            .post(format!("{base}/webhooks"))
            .json(&json!({
                "provider": {"label": label},
                "events": [{"name": "contract_published"}],
                "request": {"method": "POST", "url": hook, "body": label}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["provider"]["label"], label);
    }
    let r = client
        .post(format!("{base}/contracts/publish"))
        .json(&common::publish_body("1", "/a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for _ in 0..100 {
        if !received.got.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got = received.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "only team-a's webhook fires");
    assert_eq!(got[0].1, "team-a");
    // a label both ways at once is refused; a removed label is gone
    let r = client
        .post(format!("{base}/webhooks"))
        .json(&json!({"provider": {"label": "x", "name": "orders"}, "events": [{"name": "contract_published"}], "request": {"method": "POST", "url": hook}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let r = client
        .delete(format!("{base}/pacticipants/orders/labels/team-a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = client
        .get(format!("{base}/pacticipants/orders/labels/team-a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    broker.stop().await;
}
