//! The broker's answers to bad input (400 with the broker's error shape, 404,
//! 409, 413, never a 500) and to many publishes at once (none lost), over
//! real HTTP on SQLite.

#[macro_use]
mod common;

use common::Backend;
use reqwest::Client;
use serde_json::{json, Value};

#[tokio::test]
async fn bad_input_gets_the_brokers_error_shape_never_a_500() {
    bad_input(Backend::Sqlite).await;
}

#[tokio::test]
async fn bad_input_on_postgres() {
    if common::postgres_url("bad input").is_some() {
        bad_input(Backend::Postgres).await;
    }
}

async fn bad_input(backend: Backend) {
    let broker = common::start(backend, false, false).await;
    let base = broker.url();
    let client = Client::new();

    // malformed JSON: 400 naming line and column
    let r = client
        .post(format!("{base}/contracts/publish"))
        .header("Content-Type", "application/json")
        .body("{\n  \"pacticipantName\": \"web\",\n  oops\n}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    let message = body["errors"]["body"][0].as_str().unwrap();
    assert!(message.contains("line 3, column 3"), "{message}");

    // missing fields, each named
    let r = client
        .post(format!("{base}/contracts/publish"))
        .json(&json!({"contracts": [{"consumerName": "web", "content": "%%%"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    for field in [
        "pacticipantName",
        "pacticipantVersionNumber",
        "contracts[0].providerName",
        "contracts[0].content",
    ] {
        assert!(body["errors"].get(field).is_some(), "{field} in {body}");
    }

    // a pact whose names contradict its path
    let r = client
        .put(format!("{base}/pacts/provider/orders/consumer/web/version/1"))
        .json(&json!({"consumer": {"name": "other"}, "provider": {"name": "orders"}, "interactions": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // unknown things: 404 with a message
    for path in [
        "/pacticipants/nobody",
        "/pacts/provider/a/consumer/b/latest",
        "/environments/nope",
        "/nowhere",
    ] {
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body: Value = r.json().await.unwrap();
        assert!(body["error"].is_string(), "{path}: {body}");
    }

    // bad matrix queries and selectors: 400
    for path in [
        "/matrix",
        "/matrix?q[][pacticipant]=web&latestby=sideways",
        "/can-i-deploy?version=1",
    ] {
        let r = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 400, "{path}");
    }
    client
        .put(format!(
            "{base}/pacts/provider/orders/consumer/web/version/1"
        ))
        .json(&json!({"interactions": []}))
        .send()
        .await
        .unwrap();
    let r = client
        .post(format!("{base}/pacts/provider/orders/for-verification"))
        .json(&json!({"consumerVersionSelectors": [{"tagg": "prod"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(body.to_string().contains("did you mean `tag`"), "{body}");

    // a changed pact for a published version: 409
    let r = client
        .put(format!(
            "{base}/pacts/provider/orders/consumer/web/version/1"
        ))
        .json(&json!({"interactions": [{"description": "changed"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);

    // too large: 413
    let huge = vec![b' '; seam_broker_max_body() + 1];
    let r = client
        .put(format!(
            "{base}/pacts/provider/orders/consumer/web/version/2"
        ))
        .header("Content-Type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);

    // can-i-deploy to an environment that does not exist: 400 saying so
    let r = client
        .get(format!(
            "{base}/can-i-deploy?pacticipant=web&version=1&environment=nowhere"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["errors"]["environment"][0],
        "Environment with name 'nowhere' does not exist"
    );
    broker.stop().await;
}

fn seam_broker_max_body() -> usize {
    16 * 1024 * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_publishes_at_once_lose_nothing() {
    concurrent_publishes(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_publishes_at_once_on_postgres() {
    if common::postgres_url("concurrent publishes").is_some() {
        concurrent_publishes(Backend::Postgres).await;
    }
}

async fn concurrent_publishes(backend: Backend) {
    let broker = common::start(backend, false, false).await;
    let base = broker.url();
    let client = Client::new();
    let sends = (0..100).map(|i| {
        let client = client.clone();
        let base = base.clone();
        async move {
            client
                .post(format!("{base}/contracts/publish"))
                .json(&common::publish_body(
                    &format!("1.0.{i}"),
                    &format!("/things/{}", i % 10),
                ))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_util::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let versions: Value = client
        .get(format!("{base}/pacticipants/web/versions"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        versions["_embedded"]["versions"].as_array().unwrap().len(),
        100
    );
    // ten distinct contents: ten pact versions shared by the hundred versions
    let metrics: Value = client
        .get(format!("{base}/metrics"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metrics["pact_publications"]["count"], 100);
    assert_eq!(metrics["pact_versions"]["count"], 10);
    broker.stop().await;
}

/// The SVG a badge URL answers, after checking it is one.
async fn badge(client: &Client, url: String) -> String {
    let r = client.get(url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("image/svg+xml"));
    assert!(r.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("no-cache"));
    r.text().await.unwrap()
}

on_both_backends!(
    badges_follow_the_verification_results,
    badges_follow_the_verification_results_on_postgres,
    badges_follow_the_verification_results_on
);

async fn badges_follow_the_verification_results_on(backend: Backend) {
    let broker = common::start(backend, false, false).await;
    let base = broker.url();
    let client = Client::new();
    let pact_badge = format!("{base}/pacts/provider/orders/consumer/web/latest/badge");
    // nothing published: unknown, still an image
    assert!(badge(&client, pact_badge.clone())
        .await
        .contains("web/orders pact: unknown"));
    let r = client
        .post(format!("{base}/contracts/publish"))
        .json(&common::publish_body("1", "/a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for (success, provider_version, expected) in [
        (false, "7", "web/orders pact: failed"),
        (true, "8", "web/orders pact: verified"),
    ] {
        common::verify(&client, &base, "web", "orders", success, provider_version).await;
        let svg = badge(&client, pact_badge.clone()).await;
        assert!(svg.contains(expected), "{svg}");
    }
    let svg = badge(&client, format!("{pact_badge}?initials=true")).await;
    assert!(svg.contains("w/o pact: verified"), "{svg}");
    let svg = badge(&client, format!("{pact_badge}?label=contract")).await;
    assert!(svg.contains("contract: verified"), "{svg}");
    // can-i-deploy from the main branch to an environment nobody is in yet
    let r = client
        .post(format!("{base}/environments"))
        .json(&json!({"name": "prod", "production": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let environment: Value = r.json().await.unwrap();
    let can_i_deploy = format!(
        "{base}/pacticipants/web/branches/main/latest-version/can-i-deploy/to-environment/prod/badge"
    );
    let svg = badge(&client, can_i_deploy.clone()).await;
    assert!(svg.contains("can-i-deploy: main to prod: unknown"), "{svg}");
    let r = client
        .post(format!(
            "{base}/pacticipants/orders/versions/8/deployed-versions/environment/{}",
            environment["uuid"].as_str().unwrap()
        ))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let svg = badge(&client, can_i_deploy).await;
    assert!(svg.contains("can-i-deploy: main to prod: yes"), "{svg}");
    broker.stop().await;
}

/// Every link that is not a template, in `body`'s `_links`.
fn plain_links(body: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(links) = body["_links"].as_object() {
        for (rel, l) in links {
            let list = match l {
                Value::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            for item in list {
                if item["templated"] == true {
                    continue;
                }
                if let Some(href) = item["href"].as_str() {
                    out.push((rel.clone(), href.to_string()));
                }
            }
        }
    }
    out
}

on_both_backends!(
    every_link_the_broker_gives_leads_somewhere,
    every_link_the_broker_gives_leads_somewhere_on_postgres,
    every_link_the_broker_gives_leads_somewhere_on
);

async fn every_link_the_broker_gives_leads_somewhere_on(backend: Backend) {
    let broker = common::start(backend, false, false).await;
    let base = broker.url();
    let client = Client::new();
    for (version, path) in [("1", "/a"), ("2", "/b")] {
        let r = client
            .post(format!("{base}/contracts/publish"))
            .json(&common::publish_body(version, path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = client
        .post(format!("{base}/environments"))
        .json(&json!({"name": "prod"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    common::verify(&client, &base, "web", "orders", true, "9").await;
    let mut to_visit = vec![
        format!("{base}/"),
        format!("{base}/pacts/provider/orders/consumer/web/latest"),
        format!("{base}/pacticipants/web"),
        format!("{base}/pacticipants/web/versions/2"),
    ];
    let mut seen = std::collections::HashSet::new();
    let mut broken = Vec::new();
    // two levels: each resource's links, and the links of what they lead to
    for _ in 0..2 {
        let mut next = Vec::new();
        for url in to_visit.drain(..) {
            if !seen.insert(url.clone()) {
                continue;
            }
            let r = client.get(&url).send().await.unwrap();
            let status = r.status().as_u16();
            let text = r.text().await.unwrap();
            // 405 is an action's link (POST only); 400 a query's, asked bare
            if status == 404 || status >= 500 {
                broken.push(format!("{url}: {status}"));
                continue;
            }
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            for (_, href) in plain_links(&body) {
                if href.starts_with(&base) {
                    next.push(href);
                }
            }
        }
        to_visit = next;
    }
    assert!(broken.is_empty(), "links that lead nowhere: {broken:#?}");
    assert!(seen.len() > 20, "only {} resources visited", seen.len());
    // the diff of version 2's pact with version 1's names the change
    let diff = client
        .get(format!(
            "{base}/pacts/provider/orders/consumer/web/version/2/diff/previous-distinct"
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        diff.contains("+ \"x\"") || diff.contains("request.path: \"/a\" -> \"/b\""),
        "{diff}"
    );
    broker.stop().await;
}

on_both_backends!(
    delivery_metrics_come_from_the_brokers_history,
    delivery_metrics_come_from_the_brokers_history_on_postgres,
    delivery_metrics_come_from_the_brokers_history_on
);

async fn delivery_metrics_come_from_the_brokers_history_on(backend: Backend) {
    let broker = common::start(backend, false, true).await;
    let base = broker.url();
    let client = Client::new();
    let advance = |minutes: i64| {
        client
            .post(format!("{base}/test/clock"))
            .json(&json!({"minutes": minutes}))
            .send()
    };
    let r = client
        .post(format!("{base}/contracts/publish"))
        .json(&common::publish_body("1", "/a"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // orders' main branch fails at +0, fails again at +60, passes at +180
    let r = client
        .patch(format!("{base}/pacticipants/orders"))
        .json(&json!({"mainBranch": "main"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    for (minutes, success, version) in [(0, false, "p1"), (60, false, "p2"), (120, true, "p3")] {
        advance(minutes).await.unwrap();
        common::verify_with(
            &client,
            &base,
            "web",
            "orders",
            success,
            version,
            Some("main"),
        )
        .await;
    }
    // web 1 is deployed 4 hours after it was published (3 h passed above, 1 more)
    advance(60).await.unwrap();
    let env: Value = client
        .post(format!("{base}/environments"))
        .json(&json!({"name": "prod"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = client
        .post(format!(
            "{base}/pacticipants/web/versions/1/deployed-versions/environment/{}",
            env["uuid"].as_str().unwrap()
        ))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let m: Value = client
        .get(format!("{base}/metrics/delivery?days=7"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let find = |name: &str| {
        m["pacticipants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {m}"))
    };
    let web = find("web");
    assert_eq!(web["deploymentFrequency"]["byEnvironment"]["prod"], 1);
    assert_eq!(web["deploymentFrequency"]["perWeek"], 1.0);
    assert_eq!(web["leadTimeHours"]["median"], 4.0, "{web}");
    let orders = find("orders");
    assert_eq!(orders["changeFailureRate"]["mainBranchVerifications"], 3);
    assert_eq!(orders["changeFailureRate"]["failed"], 2);
    assert_eq!(orders["timeToRestoreHours"]["restored"], 1);
    assert_eq!(orders["timeToRestoreHours"]["median"], 3.0, "{orders}");
    assert_eq!(orders["timeToRestoreHours"]["open"], json!([]));
    let r = client
        .get(format!("{base}/metrics/delivery?days=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    broker.stop().await;
}

on_both_backends!(
    the_web_pages_show_integrations_pacts_matrix_and_metrics,
    the_web_pages_show_integrations_pacts_matrix_and_metrics_on_postgres,
    the_web_pages_show_integrations_pacts_matrix_and_metrics_on
);

async fn the_web_pages_show_integrations_pacts_matrix_and_metrics_on(backend: Backend) {
    let broker = common::start(backend, false, false).await;
    let base = broker.url();
    let client = Client::new();
    let text = |url: String| {
        let client = client.clone();
        async move {
            let r = client.get(url).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert!(r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"));
            r.text().await.unwrap()
        }
    };
    assert!(text(format!("{base}/ui")).await.contains("No pacts yet"));
    let r = client
        .post(format!("{base}/contracts/publish"))
        .json(&common::publish_body("1", "/<script>"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let ui = text(format!("{base}/ui")).await;
    assert!(ui.contains("<svg") && ui.contains("not verified"), "{ui}");
    assert!(ui.contains(&format!("{base}/ui/pacts/provider/orders/consumer/web")));
    let pact = text(format!("{base}/ui/pacts/provider/orders/consumer/web")).await;
    assert!(pact.contains("GET /&lt;script&gt;"), "escaped: {pact}");
    assert!(!pact.contains("<script>"));
    let matrix = text(format!("{base}/ui/matrix?consumer=web&provider=orders")).await;
    assert!(matrix.contains("not verified"), "{matrix}");
    assert!(text(format!("{base}/ui/metrics"))
        .await
        .contains("Delivery metrics"));
    // a browser asking for the index is sent to the pages; a client is not
    let no_redirect = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = no_redirect
        .get(format!("{base}/"))
        .header("Accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("{base}/ui").as_str());
    let r = no_redirect
        .get(format!("{base}/"))
        .header("Accept", "application/hal+json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    broker.stop().await;
}
