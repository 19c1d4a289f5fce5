//! `seam mock --openapi` over real sockets: routing (404, 405 with `Allow`),
//! validation (401, 415, 422 with every violation located), negotiation
//! (406), `Prefer` (code, example, dynamic, delay), stubs first, delay and
//! chaos, the journal naming the operation, callbacks and webhooks sent to a
//! loopback receiver, and every operation of a real spec asked once.

mod common;

use seam_mock::openapi::{OpenApiMock, OpenApiOptions};
use seam_mock::{MockConfig, MockServer};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn shop() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../seam-openapi/tests/data/mock-shop.yaml")
}

async fn serve_with(config: MockConfig, options: OpenApiOptions, stubs: &[Value]) -> MockServer {
    let mock = OpenApiMock::load(&[shop()], options).expect("the shop spec loads");
    let server = MockServer::start(config, common::stubs(stubs))
        .await
        .unwrap();
    server.state().openapi.store(Some(Arc::new(mock)));
    server
}

async fn serve() -> MockServer {
    serve_with(MockConfig::default(), OpenApiOptions::default(), &[]).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn problem(r: reqwest::Response, status: u16) -> Value {
    assert_eq!(r.status(), status);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], status);
    body
}

#[tokio::test]
async fn answers_from_the_first_example_with_required_headers() {
    let server = serve().await;
    for path in ["/v1/orders", "/orders"] {
        let r = client()
            .get(format!("{}{path}", server.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert!(r.headers()["x-total"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .is_ok());
        assert_eq!(r.headers()["content-type"], "application/json");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body.as_array().unwrap().len(), 2, "{body}");
    }
    server.shutdown().await;
}

#[tokio::test]
async fn prefer_picks_example_code_and_dynamic_data() {
    let server = serve().await;
    let url = format!("{}/v1/orders", server.base_url());
    let none: Value = client()
        .get(&url)
        .header("Prefer", "example=none")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(none, json!([]));
    let r = client()
        .get(&url)
        .header("Prefer", "example=twoo")
        .send()
        .await
        .unwrap();
    let body = problem(r, 404).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("did you mean `two`"),
        "{body}"
    );

    let one = format!("{}/v1/orders/5", server.base_url());
    let r = client()
        .get(&one)
        .header("Prefer", "code=404")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"code": 404, "message": "no such order"})
    );
    let r = client()
        .get(&one)
        .header("Prefer", "code=418")
        .send()
        .await
        .unwrap();
    problem(r, 404).await;

    // no example: generated, the same each time (fixed seed), valid
    let a: Value = client()
        .get(&one)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let b: Value = client()
        .get(&one)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a, b);
    assert!(
        a["id"].is_i64()
            && a["items"].is_array()
            && ["open", "shipped"].contains(&a["status"].as_str().unwrap()),
        "{a}"
    );
    let d: Value = client()
        .get(&url)
        .header("Prefer", "dynamic=true")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(d.as_array().unwrap().len(), 0, "{d}");
    for order in d.as_array().unwrap() {
        for item in order["items"].as_array().unwrap() {
            let sku = item["sku"].as_str().unwrap();
            assert!(sku.len() == 7 && sku.as_bytes()[2] == b'-', "{sku}");
        }
    }
    let deleted = client().delete(&one).send().await.unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(deleted.text().await.unwrap(), "");
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_requests_are_refused_with_every_violation_located() {
    let server = serve().await;
    let url = format!("{}/v1/orders", server.base_url());
    let order = json!({"items": [{"sku": "AB-1234", "qty": 2}]});

    let r = client().post(&url).json(&order).send().await.unwrap();
    let body = problem(r, 401).await;
    assert!(
        body["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "{body}"
    );

    let r = client()
        .post(&url)
        .bearer_auth("t")
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .unwrap();
    problem(r, 415).await;

    let bad = json!({"items": [{"sku": "AB-1234", "qty": 0}, {"sku": "nope", "qty": 1}]});
    let r = client()
        .post(&url)
        .bearer_auth("t")
        .json(&bad)
        .send()
        .await
        .unwrap();
    let body = problem(r, 422).await;
    assert_eq!(body["title"], "Invalid request");
    let locations: Vec<&Value> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["location"])
        .collect();
    assert!(
        locations.contains(&&json!(["body", "items", 0, "qty"])),
        "{body:#}"
    );
    assert!(
        locations.contains(&&json!(["body", "items", 1, "sku"])),
        "{body:#}"
    );

    let r = client().get(format!("{url}?limit=0")).send().await.unwrap();
    let body = problem(r, 422).await;
    assert_eq!(
        body["errors"][0]["location"],
        json!(["query", "limit"]),
        "{body:#}"
    );

    let r = client()
        .post(&url)
        .bearer_auth("t")
        .json(&order)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.json::<Value>().await.unwrap()["id"], 7);
    server.shutdown().await;
}

#[tokio::test]
async fn validation_can_be_turned_off() {
    let options = OpenApiOptions {
        validate_requests: false,
        ..Default::default()
    };
    let server = serve_with(MockConfig::default(), options, &[]).await;
    let r = client()
        .post(format!("{}/v1/orders", server.base_url()))
        .json(&json!({"items": "no"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_methods_and_media_types() {
    let server = serve().await;
    let r = client()
        .put(format!("{}/v1/orders", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["allow"], "GET, POST");
    problem(r, 405).await;
    let r = client()
        .get(format!("{}/v1/nothing", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let url = format!("{}/v1/orders", server.base_url());
    let r = client()
        .get(&url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    problem(r, 406).await;
    let r = client()
        .get(&url)
        .header("accept", "application/xml")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/xml");
    server.shutdown().await;
}

#[tokio::test]
async fn explicit_stubs_come_first() {
    let stub = json!({"request": {"method": "GET", "urlPath": "/v1/orders"}, "response": {"status": 200, "body": "from a stub"}});
    let server = serve_with(MockConfig::default(), OpenApiOptions::default(), &[stub]).await;
    let text = client()
        .get(format!("{}/v1/orders", server.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(text, "from a stub");
    let r = client()
        .get(format!("{}/v1/orders/3", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.shutdown().await;
}

#[tokio::test]
async fn the_journal_names_the_operation() {
    let server = serve().await;
    client()
        .get(format!("{}/v1/orders/3", server.base_url()))
        .send()
        .await
        .unwrap();
    let log: Value = client()
        .get(format!("{}/__admin/requests", server.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let event = &log["requests"][0];
    assert_eq!(event["wasMatched"], true, "{event:#}");
    assert_eq!(
        event["stubMapping"]["name"], "GET /orders/{id} (getOrder)",
        "{event:#}"
    );
    assert_eq!(event["response"]["status"], 200);
    server.shutdown().await;
}

#[tokio::test]
async fn delays_and_chaos_apply() {
    let server = serve().await;
    let started = Instant::now();
    let r = client()
        .get(format!("{}/v1/orders", server.base_url()))
        .header("Prefer", "delay=300")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    server.shutdown().await;

    let config = MockConfig {
        delay: Some(seam_mock::stub::Delay::Fixed { milliseconds: 200 }),
        ..Default::default()
    };
    let server = serve_with(config, OpenApiOptions::default(), &[]).await;
    let started = Instant::now();
    client()
        .get(format!("{}/v1/orders", server.base_url()))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    server.shutdown().await;

    let chaos = seam_mock::stub::Chaos {
        probability: 1.0,
        outcome: seam_mock::stub::ChaosOutcome::Status(503),
    };
    let config = MockConfig {
        chaos: Some(chaos),
        ..Default::default()
    };
    let server = serve_with(config, OpenApiOptions::default(), &[]).await;
    let r = client()
        .get(format!("{}/v1/orders", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    server.shutdown().await;
}

/// A seam mock with no stubs as the loopback receiver: its journal shows what arrived.
async fn receiver() -> MockServer {
    MockServer::start(MockConfig::default(), vec![])
        .await
        .unwrap()
}

async fn received(receiver: &MockServer) -> Vec<seam_mock::journal::LoggedRequest> {
    for _ in 0..100 {
        let got = receiver.state().journal.find(|_| true);
        if !got.is_empty() {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the receiver got nothing");
}

#[tokio::test]
async fn callbacks_go_to_the_url_in_the_request() {
    let server = serve().await;
    let hook = receiver().await;
    let order = json!({"items": [{"sku": "AB-1234", "qty": 2}], "callbackUrl": format!("{}/events", hook.base_url())});
    let r = client()
        .post(format!("{}/v1/orders", server.base_url()))
        .bearer_auth("t")
        .json(&order)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let got = received(&hook).await;
    assert_eq!(got[0].request.method, "POST");
    assert_eq!(got[0].request.path, "/events");
    let body: Value = serde_json::from_slice(&got[0].request.body).unwrap();
    assert_eq!(body["event"], "created", "{body}");
    assert!(body["orderId"].is_i64(), "{body}");
    server.shutdown().await;
    hook.shutdown().await;
}

#[tokio::test]
async fn webhooks_are_sent_on_request_and_only_to_loopback() {
    let server = serve().await;
    let hook = receiver().await;
    let admin = format!("{}/__admin/openapi/webhooks", server.base_url());
    let r = client()
        .post(format!(
            "{admin}/orderShipped?url={}/shipped",
            hook.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let got = received(&hook).await;
    assert_eq!(got[0].request.path, "/shipped");
    let body: Value = serde_json::from_slice(&got[0].request.body).unwrap();
    assert!(
        ["ups", "dhl"].contains(&body["carrier"].as_str().unwrap()),
        "{body}"
    );

    let r = client()
        .post(format!("{admin}/orderShiped?url={}/x", hook.base_url()))
        .send()
        .await
        .unwrap();
    let body = problem(r, 404).await;
    assert!(
        body["detail"].as_str().unwrap().contains("orderShipped"),
        "{body}"
    );
    // 192.0.2.1 (TEST-NET-1) is refused before any connection is tried
    let r = client()
        .post(format!("{admin}/orderShipped?url=http://192.0.2.1/x"))
        .send()
        .await
        .unwrap();
    let body = problem(r, 502).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("neither loopback"),
        "{body}"
    );
    server.shutdown().await;
    hook.shutdown().await;
}

/// A request for `op` built from its examples (path and query parameters,
/// body), else values generated for requests, with credentials for its first
/// security requirement.
fn example_request(
    client: &reqwest::Client,
    base: &str,
    spec: &seam_openapi::Spec,
    op: &seam_openapi::Operation,
) -> reqwest::RequestBuilder {
    use seam_openapi::generate::{self, Direction};
    use seam_openapi::model::{ParamLocation, SecurityKind};
    let text = |v: Value| match v {
        Value::String(s) => s,
        other => other.to_string(),
    };
    let value_of = |p: &seam_openapi::model::Parameter| {
        p.examples
            .iter()
            .find_map(|e| e.value.clone())
            .or_else(|| {
                p.schema
                    .as_ref()
                    .map(|s| generate::from_schema(spec, s, Direction::Request, 1))
            })
            .map(text)
            .unwrap_or_else(|| "x".into())
    };
    let mut path = op.path.clone();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for p in &op.parameters {
        match p.location {
            ParamLocation::Path => {
                path = path.replace(
                    &format!("{{{}}}", p.name),
                    &seam_core::http::percent_encode(&value_of(p)),
                )
            }
            ParamLocation::Query if p.required => query.push((p.name.clone(), value_of(p))),
            ParamLocation::Header if p.required => headers.push((p.name.clone(), value_of(p))),
            _ => {}
        }
    }
    let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap();
    let mut req = client
        .request(method, format!("{base}{path}"))
        .query(&query);
    for (k, v) in headers {
        req = req.header(k, v);
    }
    for (name, _) in op
        .security
        .first()
        .map(|r| r.schemes.as_slice())
        .unwrap_or_default()
    {
        req = match spec.security_scheme(name).map(|s| &s.kind) {
            Some(SecurityKind::ApiKey {
                name,
                location: ParamLocation::Header,
            }) => req.header(name, "key"),
            Some(SecurityKind::ApiKey {
                name,
                location: ParamLocation::Query,
            }) => req.query(&[(name, "key")]),
            Some(SecurityKind::ApiKey { name, .. }) => req.header("cookie", format!("{name}=key")),
            Some(SecurityKind::Http { scheme, .. }) if scheme.eq_ignore_ascii_case("basic") => {
                req.basic_auth("u", Some("p"))
            }
            _ => req.bearer_auth("token"),
        };
    }
    if let Some(media) = op.request_body.as_ref().and_then(|b| b.content.first()) {
        let body = generate::example(spec, media, None).or_else(|| {
            media
                .schema
                .as_ref()
                .map(|s| generate::from_schema(spec, s, Direction::Request, 1))
        });
        if let Some(body) = body {
            let bytes = match body {
                Value::String(s) if !media.media_type.contains("json") => s.into_bytes(),
                v => serde_json::to_vec(&v).unwrap(),
            };
            req = req
                .header("content-type", media.media_type.as_str())
                .body(bytes);
        }
    }
    req
}

#[tokio::test]
async fn every_operation_of_a_shared_spec_answers_its_example() {
    let Some(dir) = seam_testkit::conformance_dir(
        "openapi",
        "every_operation_of_a_shared_spec_answers_its_example",
    ) else {
        return;
    };
    for file in [
        "redocly-museum/openapi.yaml",
        "oai-examples/examples/v3.0/petstore-expanded.json",
    ] {
        let path = dir.join("specs").join(file);
        let spec = seam_openapi::load::load(&path).unwrap_or_else(|e| panic!("{file}: {e:?}"));
        let mock = OpenApiMock::load(&[path], OpenApiOptions::default()).unwrap();
        let server = MockServer::start(MockConfig::default(), vec![])
            .await
            .unwrap();
        server.state().openapi.store(Some(Arc::new(mock)));
        let client = client();
        for op in &spec.operations {
            let r = example_request(&client, &server.base_url(), &spec, op)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body = r.text().await.unwrap();
            let declared = op.response_for(status).is_some();
            assert!(
                (200..300).contains(&status)
                    || (declared && status < 400)
                    || (declared
                        && op.responses.iter().all(|x| !matches!(
                            x.status,
                            seam_openapi::model::StatusKey::Code(200..=299)
                        ))),
                "{file} {}: {status} {body}",
                op.label()
            );
        }
        assert_eq!(
            server.state().journal.find(|_| true).len(),
            spec.operations.len()
        );
        server.shutdown().await;
    }
}

#[tokio::test]
async fn several_specs_are_served_together_and_methods_are_merged() {
    let dir = tempfile::tempdir().unwrap();
    let other = common::write(
        dir.path(),
        "other.yaml",
        "openapi: 3.0.3\ninfo: {title: other, version: '1'}\npaths:\n  /ping:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {pong: true}\n  /orders:\n    patch:\n      responses:\n        '204': {description: patched}\n",
    );
    let mock = OpenApiMock::load(&[shop(), other], OpenApiOptions::default()).unwrap();
    let server = MockServer::start(MockConfig::default(), vec![])
        .await
        .unwrap();
    server.state().openapi.store(Some(Arc::new(mock)));
    let base = server.base_url();
    let pong: Value = client()
        .get(format!("{base}/ping"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pong, json!({"pong": true}));
    assert_eq!(
        client()
            .get(format!("{base}/orders"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        client()
            .patch(format!("{base}/orders"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let r = client().put(format!("{base}/orders")).send().await.unwrap();
    assert_eq!(r.headers()["allow"], "GET, POST, PATCH");
    server.shutdown().await;
}
