//! `seam broker` killed with SIGKILL (`kill -9`) and started again on the
//! same data: a webhook delivery between retries is still sent, and every
//! publish acknowledged before the kill is there after it, with the
//! database answering.

mod common;

use common::Running;
use reqwest::blocking::Client;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

fn broker(data: &Path) -> Running {
    common::start(&[
        "broker",
        "--data",
        data.to_str().unwrap(),
        "--webhook-schemes",
        "http",
        "--webhook-retry-schedule",
        "1,1,1,1,1,1,1,1,1,1",
    ])
}

/// Polls `url` (up to `secs`) until `done` holds for its JSON.
fn wait_for(client: &Client, url: &str, secs: u64, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let body: Value = client
            .get(url)
            .send()
            .and_then(|r| r.json())
            .unwrap_or(Value::Null);
        if done(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{url} never got there: {body}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_webhook_between_retries_survives_kill_9() {
    let tmp = tempfile::tempdir().unwrap();
    // the receiver: a seam mock answering 503 until told otherwise
    let stubs = tmp.path().join("stubs");
    std::fs::create_dir_all(stubs.join("mappings")).unwrap();
    std::fs::write(
        stubs.join("mappings/hook.json"),
        r#"{"request": {"method": "POST", "url": "/hook"}, "response": {"status": 503}}"#,
    )
    .unwrap();
    let receiver = common::mock(&["--stubs", stubs.to_str().unwrap()]);
    let data = tmp.path().join("data");
    let client = Client::new();

    let mut b = broker(&data);
    let r = client
        .post(format!("{}/webhooks", b.url))
        .json(&json!({"events": [{"name": "contract_published"}],
                      "request": {"method": "POST", "url": format!("{}/hook", receiver.url), "body": "${pactbroker.consumerVersionNumber}"}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let uuid = r.json::<Value>().unwrap()["uuid"]
        .as_str()
        .unwrap()
        .to_string();
    let r = client
        .post(format!("{}/contracts/publish", b.url))
        .json(&common::publish_body("1"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    // one attempt failed and a retry is due: kill the broker there
    wait_for(
        &client,
        &format!("{}/webhooks/{uuid}/deliveries", b.url),
        10,
        |d| d["deliveries"][0]["attempts"].as_i64() >= Some(1),
    );
    b.child.kill().unwrap(); // SIGKILL
    b.child.wait().unwrap();
    drop(b);

    // the receiver recovers while the broker is down
    let r = client
        .post(format!("{}/__admin/mappings", receiver.url))
        .json(&json!({"priority": 1, "request": {"method": "POST", "url": "/hook"}, "response": {"status": 200}}))
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());

    let b = broker(&data);
    let deliveries = wait_for(
        &client,
        &format!("{}/webhooks/{uuid}/deliveries", b.url),
        40,
        |d| d["deliveries"][0]["status"] == "succeeded",
    );
    let logs = deliveries["deliveries"][0]["logs"].as_array().unwrap();
    assert_eq!(logs[0]["response"]["status"], 503);
    assert_eq!(logs.last().unwrap()["response"]["status"], 200);
    let journal: Value = client
        .get(format!("{}/__admin/requests", receiver.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let bodies: Vec<&str> = journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["request"]["body"].as_str())
        .collect();
    assert!(bodies.len() >= 2, "{journal}");
    assert!(bodies.iter().all(|b| *b == "1"), "{bodies:?}");
}

#[test]
fn publishes_acknowledged_before_kill_9_are_all_there_after_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut b = broker(&data);
    let url = b.url.clone();
    // four writers publish as fast as they can; the broker is killed mid-stream
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (url, acknowledged) = (url.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                let client = Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .unwrap();
                for n in 0..1000 {
                    let version = format!("{w}.{n}");
                    match client
                        .post(format!("{url}/contracts/publish"))
                        .json(&common::publish_body(&version))
                        .send()
                    {
                        Ok(r) if r.status() == 200 => acknowledged.lock().unwrap().push(version),
                        Ok(r) => panic!("publish {version}: {}", r.status()),
                        Err(_) => return, // the broker is gone
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().unwrap().len() < 40 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    b.child.kill().unwrap(); // SIGKILL, with writes in flight
    b.child.wait().unwrap();
    for w in writers {
        w.join().unwrap();
    }
    drop(b);
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 40, "only {}", acknowledged.len());

    let b = broker(&data);
    let client = Client::new();
    let health: Value = client
        .get(format!("{}/health", b.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["database"], "ok");
    for version in &acknowledged {
        let r = client
            .get(format!(
                "{}/pacts/provider/orders/consumer/web/version/{version}",
                b.url
            ))
            .send()
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "the pact of {version} was acknowledged, then lost"
        );
        let pact: Value = r.json().unwrap();
        assert_eq!(
            pact["interactions"][0]["description"],
            format!("v{version}")
        );
    }
    // and the broker still takes writes
    let r = client
        .post(format!("{}/contracts/publish", b.url))
        .json(&common::publish_body("after"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}
