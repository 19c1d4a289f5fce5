//! The admin API at parity with WireMock 3.13, over real sockets: every
//! expected shape and value below was observed on the WireMock 3.13.2 jar
//! (`java -jar wiremock-standalone-3.13.2.jar`) with the same stubs and
//! requests, or is taken from WireMock's admin API documentation
//! (<https://wiremock.org/docs/standalone/admin-api-reference/>). Ids,
//! dates and timings are compared by shape only.

mod common;

use common::{raw, serve, start, stubs, write};
use seam_mock::{MockConfig, MockServer};
use serde_json::{json, Value};
use std::time::Duration;

const ORDERS: &str = "11111111-1111-1111-1111-111111111111";

/// A server with WireMock's `POST /orders` (with a header) and
/// `GET /from-file` mappings, the two stubs of the reference session.
async fn reference_server(config: MockConfig) -> MockServer {
    let mappings = [
        json!({"id": ORDERS, "request": {"method": "POST", "urlPath": "/orders", "headers": {"X-Key": {"equalTo": "k"}}},
               "response": {"status": 201, "body": "made", "headers": {"Content-Type": "text/plain"}}}),
        json!({"request": {"method": "GET", "url": "/from-file"}, "response": {"status": 200, "body": "file"}}),
    ];
    MockServer::start(config, stubs(&mappings)).await.unwrap()
}

struct Admin {
    client: reqwest::Client,
    base: String,
}

impl Admin {
    fn of(server: &MockServer) -> Self {
        Admin {
            client: reqwest::Client::new(),
            base: server.base_url(),
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.body(b.to_string());
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    async fn json(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let (status, text) = self.send(method, path, body).await;
        let v = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
        };
        (status, v)
    }

    async fn get(&self, path: &str) -> Value {
        let (status, v) = self.json("GET", path, None).await;
        assert_eq!(status, 200, "{path}: {v}");
        v
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.json("POST", path, Some(&body.to_string())).await
    }
}

/// The reference traffic: a matched POST with a query, cookies and a
/// mixed-case header; an unmatched form POST; an unmatched GET.
async fn reference_traffic(server: &MockServer) {
    let client = reqwest::Client::new();
    let base = server.base_url();
    let res = client
        .post(format!("{base}/orders?a=1&a=2&b=x"))
        .header("X-Key", "k")
        .header("X-Mixed-Case", "Yes")
        .header("Cookie", "c1=v1; c2=v2")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let res = client
        .post(format!("{base}/form"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("f1=a&f1=b&f2=c")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = client.get(format!("{base}/ordrs")).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

/// The keys of a JSON object, sorted.
fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    k.sort();
    k
}

/// WireMock's LoggedRequest keys (3.13.2).
const LOGGED_REQUEST: &[&str] = &[
    "absoluteUrl",
    "body",
    "bodyAsBase64",
    "browserProxyRequest",
    "clientIp",
    "cookies",
    "formParams",
    "headers",
    "host",
    "loggedDate",
    "loggedDateString",
    "method",
    "port",
    "protocol",
    "queryParams",
    "scheme",
    "url",
];

#[tokio::test]
async fn health_gives_version_uptime_and_timestamp() {
    let server = reference_server(MockConfig::default()).await;
    let health = Admin::of(&server).get("/__admin/health").await;
    // WireMock: {"status": "healthy", "message": "Wiremock is ok",
    // "version": "3.13.2", "uptimeInSeconds": 6, "timestamp": "2026-12-01T04:48:54.477143763Z"}
    assert_eq!(
        keys(&health),
        [
            "message",
            "status",
            "timestamp",
            "uptimeInSeconds",
            "version"
        ]
    );
    assert_eq!(health["status"], "healthy");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert!(health["uptimeInSeconds"].as_u64().is_some(), "{health}");
    let ts = health["timestamp"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(ts).is_ok() && ts.ends_with('Z'),
        "{ts}"
    );
}

#[tokio::test]
async fn serve_events_carry_the_request_answer_stub_and_timing() {
    let server = reference_server(MockConfig::default()).await;
    reference_traffic(&server).await;
    let admin = Admin::of(&server);
    let journal = admin.get("/__admin/requests").await;
    assert_eq!(journal["meta"], json!({"total": 3}));
    assert_eq!(journal["requestJournalDisabled"], false);
    let events = journal["requests"].as_array().unwrap();
    let matched = &events[2];
    assert_eq!(
        keys(matched),
        [
            "id",
            "request",
            "response",
            "responseDefinition",
            "stubMapping",
            "subEvents",
            "timing",
            "wasMatched"
        ]
    );
    let req = &matched["request"];
    assert_eq!(keys(req), LOGGED_REQUEST);
    let port = server.local_addr().port();
    assert_eq!(req["url"], "/orders?a=1&a=2&b=x");
    assert_eq!(
        req["absoluteUrl"],
        format!("http://127.0.0.1:{port}/orders?a=1&a=2&b=x")
    );
    assert_eq!(req["protocol"], "HTTP/1.1");
    assert_eq!(req["scheme"], "http");
    assert_eq!(req["host"], "127.0.0.1");
    assert_eq!(req["port"], port);
    // header names as WireMock shows them, not lower-cased
    assert_eq!(req["headers"]["X-Mixed-Case"], "Yes");
    assert_eq!(req["headers"]["X-Key"], "k");
    assert_eq!(req["headers"]["Host"], format!("127.0.0.1:{port}"));
    assert_eq!(req["cookies"], json!({"c1": "v1", "c2": "v2"}));
    assert_eq!(
        req["queryParams"],
        json!({"a": {"key": "a", "values": ["1", "2"]}, "b": {"key": "b", "values": ["x"]}})
    );
    assert_eq!(req["body"], "hello");
    assert_eq!(req["bodyAsBase64"], "aGVsbG8=");
    assert_eq!(
        matched["responseDefinition"],
        json!({"status": 201, "body": "made", "headers": {"Content-Type": "text/plain"}})
    );
    assert_eq!(matched["response"]["status"], 201);
    assert_eq!(matched["response"]["body"], "made");
    assert_eq!(matched["response"]["bodyAsBase64"], "bWFkZQ==");
    assert_eq!(matched["response"]["headers"]["Content-Type"], "text/plain");
    assert_eq!(matched["wasMatched"], true);
    assert_eq!(matched["subEvents"], json!([]));
    assert_eq!(matched["stubMapping"]["id"], ORDERS);
    assert_eq!(
        keys(&matched["timing"]),
        [
            "addedDelay",
            "processTime",
            "responseSendTime",
            "serveTime",
            "totalTime"
        ]
    );

    // a form body is parsed into formParams
    let form = &events[1]["request"];
    assert_eq!(
        form["formParams"],
        json!({"f1": {"key": "f1", "values": ["a", "b"]}, "f2": {"key": "f2", "values": ["c"]}})
    );
    assert_eq!(
        form["headers"]["Content-Type"],
        "application/x-www-form-urlencoded"
    );

    // an unmatched request: WireMock's stand-in mapping, no body, the
    // near-miss report as a sub-event
    let unmatched = &events[0];
    assert_eq!(unmatched["wasMatched"], false);
    assert_eq!(
        unmatched["responseDefinition"],
        json!({"status": 404, "fromConfiguredStub": false})
    );
    assert_eq!(
        unmatched["response"],
        json!({"status": 404, "bodyAsBase64": "", "body": ""})
    );
    assert_eq!(
        unmatched["stubMapping"]["request"],
        json!({"method": "ANY"})
    );
    assert_eq!(
        unmatched["stubMapping"]["response"],
        json!({"status": 404, "fromConfiguredStub": false})
    );
    let sub = &unmatched["subEvents"][0];
    assert_eq!(sub["type"], "REQUEST_NOT_MATCHED");
    assert_eq!(sub["data"]["status"], 404);
    assert!(
        sub["data"]["report"]
            .as_str()
            .unwrap()
            .contains("Request was not matched"),
        "{sub}"
    );
}

#[tokio::test]
async fn a_fast_path_answer_is_journaled_with_its_body_and_headers() {
    // a plain stub is answered without building the request model; its
    // serve event still shows what was sent
    let server = reference_server(MockConfig::default()).await;
    let res = reqwest::get(format!("{}/from-file", server.base_url()))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "file");
    let event = &Admin::of(&server).get("/__admin/requests").await["requests"][0];
    assert_eq!(event["wasMatched"], true);
    assert_eq!(event["response"]["status"], 200);
    assert_eq!(event["response"]["body"], "file");
    assert_eq!(event["response"]["bodyAsBase64"], "ZmlsZQ==");
    assert_eq!(event["request"]["protocol"], "HTTP/1.1");
    assert_eq!(keys(&event["request"]), LOGGED_REQUEST);
}

#[tokio::test]
async fn a_fixed_delay_is_the_added_delay_of_its_serve_event() {
    // WireMock: {"addedDelay": 150, "processTime": 0, "responseSendTime": 0,
    // "serveTime": 0, "totalTime": 150}
    let mapping = json!({"request": {"url": "/me"}, "response": {"status": 200, "body": "me", "fixedDelayMilliseconds": 150}});
    let server = serve(&[mapping]).await;
    reqwest::get(format!("{}/me", server.base_url()))
        .await
        .unwrap();
    let event = &Admin::of(&server).get("/__admin/requests").await["requests"][0];
    let timing = &event["timing"];
    assert_eq!(timing["addedDelay"], 150, "{timing}");
    let total = timing["totalTime"].as_u64().unwrap();
    assert!(total >= 150, "{timing}");
    assert_eq!(
        timing["processTime"].as_u64().unwrap() + 150,
        total,
        "{timing}"
    );
}

#[tokio::test]
async fn count_find_unmatched_and_remove_answer_in_wiremocks_shapes() {
    let server = reference_server(MockConfig::default()).await;
    reference_traffic(&server).await;
    let admin = Admin::of(&server);
    // WireMock: {"count": 2, "requestJournalDisabled": false}
    let (status, count) = admin
        .post("/__admin/requests/count", json!({"method": "POST"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(count, json!({"count": 2, "requestJournalDisabled": false}));
    let (_, found) = admin
        .post("/__admin/requests/find", json!({"method": "GET"}))
        .await;
    assert_eq!(keys(&found), ["requestJournalDisabled", "requests"]);
    assert_eq!(found["requests"][0]["url"], "/ordrs");
    assert_eq!(keys(&found["requests"][0]), LOGGED_REQUEST);
    let unmatched = admin.get("/__admin/requests/unmatched").await;
    assert_eq!(keys(&unmatched), ["requestJournalDisabled", "requests"]);
    assert_eq!(unmatched["requests"].as_array().unwrap().len(), 2);
    // WireMock: {"serveEvents": [...]}
    let (_, removed) = admin
        .post("/__admin/requests/remove", json!({"method": "GET"}))
        .await;
    assert_eq!(keys(&removed), ["serveEvents"]);
    assert_eq!(removed["serveEvents"][0]["request"]["url"], "/ordrs");
    let (_, count) = admin
        .post("/__admin/requests/count", json!({"method": "GET"}))
        .await;
    assert_eq!(count["count"], 0);
}

#[tokio::test]
async fn a_disabled_journal_says_so() {
    let server = reference_server(MockConfig {
        journal_capacity: 0,
        ..Default::default()
    })
    .await;
    reference_traffic(&server).await;
    let admin = Admin::of(&server);
    let (_, count) = admin
        .post("/__admin/requests/count", json!({"method": "POST"}))
        .await;
    assert_eq!(count, json!({"count": 0, "requestJournalDisabled": true}));
    let (_, found) = admin.post("/__admin/requests/find", json!({})).await;
    assert_eq!(found["requestJournalDisabled"], true);
    assert_eq!(
        admin.get("/__admin/requests/unmatched").await["requestJournalDisabled"],
        true
    );
}

#[tokio::test]
async fn near_misses_use_wiremocks_distance_and_shape() {
    let server = reference_server(MockConfig::default()).await;
    reference_traffic(&server).await;
    let admin = Admin::of(&server);
    let near = admin.get("/__admin/requests/unmatched/near-misses").await;
    let near = near["nearMisses"].as_array().unwrap();
    // two unmatched requests × two stubs, as WireMock lists them
    let seen: Vec<(String, Value, f64)> = near
        .iter()
        .map(|m| {
            assert_eq!(keys(m), ["matchResult", "request", "stubMapping"]);
            assert_eq!(
                keys(&m["matchResult"]),
                ["diffDescriptions", "distance", "subEvents"]
            );
            (
                m["request"]["url"].as_str().unwrap().to_string(),
                m["stubMapping"]["request"]["urlPath"]
                    .clone()
                    .or_url(&m["stubMapping"]["request"]["url"]),
                m["matchResult"]["distance"].as_f64().unwrap(),
            )
        })
        .collect();
    // the distances WireMock 3.13.2 gives for these requests and stubs
    let expected = [
        ("/ordrs", json!("/orders"), 0.11355311355311357),
        ("/ordrs", json!("/from-file"), 0.20512820512820512),
        ("/form", json!("/orders"), 0.18315018315018317),
        ("/form", json!("/from-file"), 0.2564102564102564),
    ];
    assert_eq!(seen.len(), expected.len(), "{seen:?}");
    for ((url, stub, d), (e_url, e_stub, e_d)) in seen.iter().zip(expected) {
        assert_eq!((url.as_str(), stub), (e_url, &e_stub));
        assert!((d - e_d).abs() < 1e-12, "{url} vs {stub}: {d} != {e_d}");
    }
}

/// `a`, else `b` when `a` is null.
trait OrUrl {
    fn or_url(self, b: &Value) -> Value;
}

impl OrUrl for Value {
    fn or_url(self, b: &Value) -> Value {
        if self.is_null() {
            b.clone()
        } else {
            self
        }
    }
}

#[tokio::test]
async fn near_misses_for_a_request_and_for_a_pattern() {
    let server = reference_server(MockConfig::default()).await;
    let admin = Admin::of(&server);
    // WireMock echoes the posted request: what it was given, its query,
    // port -1 without an absolute URL
    let (status, near) = admin
        .post(
            "/__admin/near-misses/request",
            json!({"method": "GET", "url": "/from-fil?x=1&x=2"}),
        )
        .await;
    assert_eq!(status, 200);
    let first = &near["nearMisses"][0];
    assert_eq!(
        first["request"],
        json!({"url": "/from-fil?x=1&x=2", "method": "GET", "browserProxyRequest": false, "port": -1,
               "queryParams": {"x": {"key": "x", "values": ["1", "2"]}}, "formParams": {}})
    );
    assert_eq!(first["stubMapping"]["request"]["url"], "/from-file");
    assert_eq!(first["matchResult"]["diffDescriptions"], json!([]));

    // a pattern against the journal: a request it matches is at distance 0
    for path in ["/from-file", "/orders"] {
        reqwest::get(format!("{}{path}", server.base_url()))
            .await
            .unwrap();
    }
    let pattern = json!({"method": "GET", "url": "/from-file"});
    let (status, near) = admin
        .post("/__admin/near-misses/request-pattern", pattern.clone())
        .await;
    assert_eq!(status, 200);
    let near = near["nearMisses"].as_array().unwrap();
    assert_eq!(near.len(), 2);
    assert_eq!(keys(&near[0]), ["matchResult", "request", "requestPattern"]);
    assert_eq!(near[0]["request"]["url"], "/from-file");
    assert_eq!(near[0]["requestPattern"], pattern);
    assert_eq!(near[0]["matchResult"]["distance"], 0.0);
    // WireMock 3.13.2: `/orders` against url `/from-file` is 0.20512820512820512
    // (edit distance 8 of 10, weighed 10 of 39)
    assert_eq!(near[1]["request"]["url"], "/orders");
    let d = near[1]["matchResult"]["distance"].as_f64().unwrap();
    assert!((d - 0.20512820512820512).abs() < 1e-12, "{d}");
}

#[tokio::test]
async fn settings_are_read_and_replaced_as_wiremock_does() {
    let server = reference_server(MockConfig::default()).await;
    let admin = Admin::of(&server);
    // WireMock at start: {"settings": {"proxyPassThrough": true}}
    assert_eq!(
        admin.get("/__admin/settings").await,
        json!({"settings": {"proxyPassThrough": true}})
    );
    let (status, text) = admin
        .send("POST", "/__admin/settings", Some(r#"{"fixedDelay": 5}"#))
        .await;
    assert_eq!((status, text.as_str()), (200, ""));
    // what a POST leaves out is reset
    assert_eq!(
        admin.get("/__admin/settings").await,
        json!({"settings": {"fixedDelay": 5, "proxyPassThrough": false}})
    );
    let (status, err) = admin.post("/__admin/settings", json!({"foo": 1})).await;
    assert_eq!(status, 422);
    assert_eq!(err["errors"][0]["code"], 10);
    assert_eq!(err["errors"][0]["source"], json!({"pointer": "/foo"}));
    assert_eq!(err["errors"][0]["title"], "Error parsing JSON");
    let (status, _) = admin
        .send("PUT", "/__admin/settings", Some(r#"{"fixedDelay": null}"#))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        admin.get("/__admin/settings").await,
        json!({"settings": {"proxyPassThrough": false}})
    );
}

#[tokio::test]
async fn scenarios_list_their_mappings() {
    let login = json!({"id": "22222222-2222-2222-2222-222222222222", "scenarioName": "login",
        "requiredScenarioState": "Started", "newScenarioState": "in",
        "request": {"method": "POST", "url": "/login"}, "response": {"status": 204}});
    let me = json!({"id": "33333333-3333-3333-3333-333333333333", "scenarioName": "login",
        "requiredScenarioState": "in",
        "request": {"method": "GET", "url": "/me"}, "response": {"status": 200, "body": "me"}});
    let server = serve(&[]).await;
    let admin = Admin::of(&server);
    for m in [&login, &me] {
        assert_eq!(admin.post("/__admin/mappings", m.clone()).await.0, 201);
    }
    let scenarios = admin.get("/__admin/scenarios").await;
    let with_ids = |m: &Value| {
        let mut m = m.clone();
        m["uuid"] = m["id"].clone();
        m
    };
    // WireMock 3.13.2's answer, mappings in the order they were added
    assert_eq!(
        scenarios,
        json!({"scenarios": [{"id": "login", "name": "login", "state": "Started",
            "possibleStates": ["Started", "in"], "mappings": [with_ids(&login), with_ids(&me)]}]})
    );
    // WireMock 3.13.2: a state none of the scenario's stubs names is 422
    for (body, asked) in [(r#"{"state": "zzz"}"#, "zzz"), ("{}", "null")] {
        let (status, err) = admin
            .json("PUT", "/__admin/scenarios/login/state", Some(body))
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(
            err,
            json!({"errors": [{"code": 11, "title": format!("Scenario login does not support state {asked}")}]})
        );
    }
    let (status, _) = admin
        .json(
            "PUT",
            "/__admin/scenarios/login/state",
            Some(r#"{"state": "in"}"#),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        admin.get("/__admin/scenarios").await["scenarios"][0]["state"],
        "in"
    );
    // a scenario name with a space: WireMock 3.13.2 looks the name up as
    // sent (`log%20in`), so it cannot be addressed
    let spaced = json!({"scenarioName": "log in", "requiredScenarioState": "Started",
        "newScenarioState": "other", "request": {"url": "/x"}, "response": {"status": 200}});
    assert_eq!(admin.post("/__admin/mappings", spaced).await.0, 201);
    let (status, err) = admin
        .json(
            "PUT",
            "/__admin/scenarios/log%20in/state",
            Some(r#"{"state": "other"}"#),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        err,
        json!({"errors": [{"code": 404, "title": "Scenario log%20in does not exist"}]})
    );
    // a PUT with no body resets the scenario (WireMock clients' resetScenario)
    admin
        .json(
            "PUT",
            "/__admin/scenarios/login/state",
            Some(r#"{"state": "in"}"#),
        )
        .await;
    let (status, _) = admin
        .json("PUT", "/__admin/scenarios/login/state", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        admin.get("/__admin/scenarios").await["scenarios"][0]["state"],
        "Started"
    );
    let (status, err) = admin
        .json(
            "PUT",
            "/__admin/scenarios/nope/state",
            Some(r#"{"state": "x"}"#),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        err,
        json!({"errors": [{"code": 404, "title": "Scenario nope does not exist"}]})
    );
}

#[tokio::test]
async fn unusable_json_is_422_at_a_json_pointer() {
    let server = reference_server(MockConfig::default()).await;
    let admin = Admin::of(&server);
    // (body, WireMock's source) — WireMock 3.13.2 answers each with 422,
    // code 10, "Error parsing JSON"
    let cases = [
        (
            r#"{"request": {"method": "GET",}"#,
            json!({"pointer": "/request"}),
        ),
        ("not json", json!({})),
        (
            r#"{"request": {"urlPath": "/a"}, "response": {"status": "abc"}}"#,
            json!({"pointer": "/response/status"}),
        ),
        (
            r#"{"request": {"urlPath": "/a", "methd": "GET"}, "response": {"status": 200}}"#,
            json!({"pointer": "/request/methd"}),
        ),
        (
            r#"{"request": {"urlPath": "/a", "headers": {"X": {"equalsTo": "b"}}}, "response": {}}"#,
            json!({"pointer": "/request/headers/X/equalsTo"}),
        ),
        ("[1, 2]", json!({"pointer": "/"})),
    ];
    for (body, source) in cases {
        let (status, err) = admin.json("POST", "/__admin/mappings", Some(body)).await;
        assert_eq!(status, 422, "{body}: {err}");
        let e = &err["errors"][0];
        assert_eq!(e["code"], 10, "{body}: {err}");
        assert_eq!(e["title"], "Error parsing JSON", "{body}: {err}");
        assert_eq!(e["source"], source, "{body}: {err}");
        let detail = e["detail"].as_str().unwrap();
        assert!(!detail.contains(" at line "), "no serde position: {detail}");
    }
    // a syntax error says where, once
    let (_, err) = admin
        .json(
            "POST",
            "/__admin/mappings",
            Some(r#"{"request": {"method": "GET",}"#),
        )
        .await;
    assert_eq!(
        err["errors"][0]["detail"],
        "line 1, column 30: trailing comma"
    );
    // a count pattern points into the pattern as posted
    let (status, err) = admin
        .json(
            "POST",
            "/__admin/requests/count",
            Some(r#"{"method": "GET", "urlPattern": "("}"#),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        err["errors"][0]["source"],
        json!({"pointer": "/urlPattern"})
    );
    // an import points at the mapping
    let (status, err) = admin
        .json(
            "POST",
            "/__admin/mappings/import",
            Some(r#"{"mappings": [{"request": {}, "response": {}}, {"request": {"method": 5}, "response": {}}]}"#),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        err["errors"][0]["source"],
        json!({"pointer": "/mappings/1/request/method"})
    );
    // an invalid id: WireMock's 400
    let (status, err) = admin.json("GET", "/__admin/mappings/nope", None).await;
    assert_eq!(status, 400);
    assert_eq!(
        err,
        json!({"errors": [{"code": 10, "title": "nope is not a valid UUID"}]})
    );
}

#[tokio::test]
async fn reset_reads_the_stub_files_again() {
    let root = tempfile::tempdir().unwrap();
    let mappings = root.path().join("mappings");
    std::fs::create_dir(&mappings).unwrap();
    write(
        &mappings,
        "file-stub.json",
        r#"{"request": {"method": "GET", "url": "/from-file"}, "response": {"status": 200, "body": "file"}}"#,
    );
    let config = MockConfig {
        sources: vec![root.path().to_path_buf()],
        ..Default::default()
    };
    let server = start(root.path(), config).await;
    let admin = Admin::of(&server);
    let (status, _) = admin
        .post(
            "/__admin/mappings",
            json!({"request": {"url": "/added"}, "response": {"status": 200}}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(admin.get("/__admin/mappings").await["meta"]["total"], 2);

    // WireMock: the file is gone, so after a reset no stub is left
    std::fs::remove_file(mappings.join("file-stub.json")).unwrap();
    let res = admin
        .client
        .post(format!("{}/__admin/reset", admin.base))
        .send()
        .await
        .unwrap();
    // WireMock: 200, no body and no content type
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("content-type").is_none(), "{res:?}");
    assert_eq!(res.text().await.unwrap(), "");
    assert_eq!(
        admin.get("/__admin/mappings").await,
        json!({"mappings": [], "meta": {"total": 0}})
    );

    // a new file is read by the next reset of the mappings
    write(
        &mappings,
        "new.json",
        r#"{"request": {"method": "GET", "url": "/new"}, "response": {"status": 200, "body": "new"}}"#,
    );
    let (status, _) = admin.send("POST", "/__admin/mappings/reset", None).await;
    assert_eq!(status, 200);
    let listed = admin.get("/__admin/mappings").await;
    assert_eq!(listed["meta"]["total"], 1);
    assert_eq!(listed["mappings"][0]["request"]["url"], "/new");
    let res = reqwest::get(format!("{}/new", server.base_url()))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "new");

    // a file that no longer reads is an error and changes nothing
    write(&mappings, "broken.json", "{");
    let (status, err) = admin.json("POST", "/__admin/reset", None).await;
    assert_eq!(status, 500, "{err}");
    assert!(
        err["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("broken.json"),
        "{err}"
    );
    assert_eq!(admin.get("/__admin/mappings").await["meta"]["total"], 1);
}

#[tokio::test]
async fn reset_without_source_files_returns_to_the_stubs_given_at_start() {
    let server = reference_server(MockConfig::default()).await;
    let admin = Admin::of(&server);
    admin
        .post(
            "/__admin/mappings",
            json!({"request": {"url": "/added"}, "response": {"status": 200}}),
        )
        .await;
    assert_eq!(admin.get("/__admin/mappings").await["meta"]["total"], 3);
    let (status, _) = admin.send("POST", "/__admin/reset", None).await;
    assert_eq!(status, 200);
    assert_eq!(admin.get("/__admin/mappings").await["meta"]["total"], 2);
}

#[tokio::test]
async fn a_malformed_request_target_is_400_not_the_root_stub() {
    let root = json!({"request": {"method": "GET", "url": "/"}, "response": {"status": 200, "body": "root"}});
    let options = json!({"request": {"method": "OPTIONS"}, "response": {"status": 204}});
    let server = serve(&[root, options]).await;
    // WireMock's Jetty: 400 for each; hyper reads them as an authority with an empty path
    for target in ["-nearmiss", "abc", "*", "example.com:80"] {
        let status = raw(
            server.local_addr(),
            format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await;
        assert_eq!(
            status.lines().next(),
            Some("HTTP/1.1 400 Bad Request"),
            "{target}"
        );
    }
    for (request, expected) in [
        ("GET / HTTP/1.1", "HTTP/1.1 200 OK"),
        ("GET http://x/ HTTP/1.1", "HTTP/1.1 200 OK"),
        ("OPTIONS * HTTP/1.1", "HTTP/1.1 204 No Content"),
    ] {
        let status = raw(
            server.local_addr(),
            format!("{request}\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await;
        assert_eq!(status.lines().next(), Some(expected), "{request}");
    }
    // nothing reached the journal
    let journal = Admin::of(&server).get("/__admin/requests").await;
    assert_eq!(journal["meta"]["total"], 3);
}

#[tokio::test]
async fn unmatched_stub_mappings_are_listed_and_removed() {
    let server = reference_server(MockConfig::default()).await;
    let admin = Admin::of(&server);
    reqwest::get(format!("{}/from-file", server.base_url()))
        .await
        .unwrap();
    // WireMock 3.13.2: the stubs no journaled request was answered by
    let unmatched = admin.get("/__admin/mappings/unmatched").await;
    assert_eq!(unmatched["meta"], json!({"total": 1}));
    assert_eq!(unmatched["mappings"][0]["id"], ORDERS);
    let (status, _) = admin
        .json("DELETE", "/__admin/mappings/unmatched", None)
        .await;
    assert_eq!(status, 200);
    let left = admin.get("/__admin/mappings").await;
    assert_eq!(left["meta"], json!({"total": 1}));
    assert_eq!(left["mappings"][0]["request"]["url"], "/from-file");
}

#[tokio::test]
async fn the_journal_can_be_read_since_a_date() {
    let server = reference_server(MockConfig::default()).await;
    let admin = Admin::of(&server);
    reqwest::get(format!("{}/from-file", server.base_url()))
        .await
        .unwrap();
    let all = admin
        .get("/__admin/requests?since=2000-01-01T00:00:00Z")
        .await;
    assert_eq!(all["requests"].as_array().unwrap().len(), 1);
    let none = admin
        .get("/__admin/requests?since=2099-01-01T00:00:00Z")
        .await;
    assert_eq!(none["requests"], json!([]));
    assert_eq!(none["meta"], json!({"total": 1}));
    let (status, err) = admin
        .json("GET", "/__admin/requests?since=soon", None)
        .await;
    assert_eq!(status, 400);
    assert!(
        err["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("ISO 8601"),
        "{err}"
    );
}

#[tokio::test]
async fn body_files_are_listed_written_read_and_deleted() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("__files")).unwrap();
    let config = MockConfig {
        files_dir: Some(root.path().join("__files")),
        ..Default::default()
    };
    let mapping = json!({"request": {"url": "/b"}, "response": {"bodyFileName": "sub/b.json"}});
    let server = MockServer::start(config, stubs(&[mapping])).await.unwrap();
    let admin = Admin::of(&server);
    assert_eq!(admin.get("/__admin/files").await, json!([]));
    // WireMock answers a PUT with the file's base64
    let (status, put) = admin
        .json("PUT", "/__admin/files/sub/b.json", Some(r#"{"x":1}"#))
        .await;
    assert_eq!((status, put), (200, json!("eyJ4IjoxfQ==")));
    admin
        .json("PUT", "/__admin/files/a.txt", Some("hello"))
        .await;
    assert_eq!(
        admin.get("/__admin/files").await,
        json!(["a.txt", "sub/b.json"])
    );
    let (status, text) = admin.send("GET", "/__admin/files/a.txt", None).await;
    assert_eq!((status, text.as_str()), (200, "hello"));
    // the stub serves the file just written
    let res = reqwest::get(format!("{}/b", server.base_url()))
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), r#"{"x":1}"#);
    // a path leaving __files is 404, as in WireMock
    let (status, _) = admin
        .send("PUT", "/__admin/files/..%2F..%2Fevil.txt", Some("x"))
        .await;
    assert_eq!(status, 404);
    assert!(!root.path().join("evil.txt").exists());
    let (status, _) = admin.send("DELETE", "/__admin/files/a.txt", None).await;
    assert_eq!(status, 200);
    assert_eq!(admin.get("/__admin/files").await, json!(["sub/b.json"]));
    let (status, _) = admin.send("GET", "/__admin/files/a.txt", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn requests_are_removed_by_their_stubs_metadata() {
    let tagged =
        json!({"request": {"url": "/m"}, "response": {"status": 200}, "metadata": {"tag": "x"}});
    let plain = json!({"request": {"url": "/p"}, "response": {"status": 200}});
    let server = serve(&[tagged, plain]).await;
    for path in ["/m", "/p", "/other"] {
        reqwest::get(format!("{}{path}", server.base_url()))
            .await
            .unwrap();
    }
    let admin = Admin::of(&server);
    // WireMock 3.13.2: {"serveEvents": [the /m event]}, the rest kept
    let (status, removed) = admin
        .post(
            "/__admin/requests/remove-by-metadata",
            json!({"matchesJsonPath": "$.tag"}),
        )
        .await;
    assert_eq!(status, 200);
    let removed = removed["serveEvents"].as_array().unwrap();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["request"]["url"], "/m");
    let left: Vec<Value> = admin.get("/__admin/requests").await["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request"]["url"].clone())
        .collect();
    assert_eq!(left, [json!("/other"), json!("/p")]);
}

#[tokio::test]
async fn a_shutdown_request_is_answered_and_signalled() {
    let server = reference_server(MockConfig::default()).await;
    let (status, text) = Admin::of(&server)
        .send("POST", "/__admin/shutdown", None)
        .await;
    assert_eq!((status, text.as_str()), (200, ""));
    tokio::time::timeout(
        Duration::from_secs(2),
        server.state().admin.shutdown_requested(),
    )
    .await
    .expect("the embedding program hears of the shutdown request");
}

#[tokio::test]
async fn a_fault_is_journaled_with_no_answer() {
    let mapping = json!({"request": {"url": "/boom"}, "response": {"fault": "EMPTY_RESPONSE"}});
    let server = serve(&[mapping]).await;
    assert!(reqwest::get(format!("{}/boom", server.base_url()))
        .await
        .is_err());
    let event = &Admin::of(&server).get("/__admin/requests").await["requests"][0];
    assert_eq!(event["wasMatched"], true);
    // WireMock 3.13.2: {"status": 200, "headers": {"Matched-Stub-Id": ...},
    // "bodyAsBase64": "", "fault": "EMPTY_RESPONSE", "body": ""}
    let id = event["stubMapping"]["id"].as_str().unwrap();
    assert_eq!(
        event["response"],
        json!({"status": 200, "headers": {"Matched-Stub-Id": id}, "bodyAsBase64": "",
               "fault": "EMPTY_RESPONSE", "body": ""})
    );
    assert_eq!(
        event["responseDefinition"],
        json!({"fault": "EMPTY_RESPONSE"})
    );
}

#[tokio::test]
async fn the_404_page_names_each_difference_once() {
    // issue 13: the near-miss report printed each method and path mismatch twice
    let server = reference_server(MockConfig::default()).await;
    let text = reqwest::get(format!("{}/ordrs", server.base_url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for closest in text.split("Closest stub:").skip(1) {
        let lines: Vec<&str> = closest.lines().filter(|l| l.starts_with("  - ")).collect();
        for part in ["  - method", "  - path"] {
            assert!(
                lines.iter().filter(|l| l.starts_with(part)).count() <= 1,
                "{part} twice:\n{text}"
            );
        }
    }
    assert!(
        text.contains("  - method: expected method POST but was GET"),
        "{text}"
    );
}
