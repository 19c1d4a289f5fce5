//! `seam test` against `seam mock` as the API: chained requests with captures,
//! assertions, failure output with curl, reports, bad input, network errors.

mod common;

use common::{closed_port, mock, seam, Running};
use std::process::Command;

const API: &str = r#"stubs:
  - request: { method: POST, path: /orders, body: { matchesJsonPath: "$.sku" } }
    response: { status: 201, headers: { Location: /orders/7 }, json: { id: 7, sku: A-1, qty: 2, tags: [new, paid] } }
  - request: { method: GET, path: /orders/7 }
    response: { json: { id: 7, sku: A-1, status: PAID, placedAt: "2026-11-24" } }
"#;

const SUITE: &str = r#"name: orders
baseUrl: "{{base}}"
variables: { sku: A-1 }
tests:
  - name: create and fetch an order
    tags: [smoke]
    steps:
      - name: create
        request:
          method: POST
          path: /orders
          json: { sku: "{{sku}}", qty: 2 }
        capture:
          order_id: { jsonpath: "$.id" }
          location: { header: Location }
        assert:
          status: 201
          headers: { Content-Type: { contains: json } }
          json:
            - { path: "$.id", type: integer }
            - { path: "$.qty", gte: 1, lt: 10 }
            - { path: "$.tags", length: 2, contains: paid }
            - { path: "$.sku", matches: "[A-Z]-\\d+" }
          maxMs: 5000
      - name: fetch
        request: { path: "{{location}}" }
        assert:
          status: 200
          json:
            - { path: "$.id", equals: "{{order_id}}" }
            - { path: "$.placedAt", matcher: { match: date, format: yyyy-MM-dd } }
            - { path: "$.missing", exists: false }
"#;

fn api(dir: &std::path::Path) -> Running {
    let stubs = dir.join("api.yaml");
    std::fs::write(&stubs, API).unwrap();
    mock(&["--stubs", stubs.to_str().unwrap()])
}

#[test]
fn chained_steps_pass_and_failures_are_pinpointed() {
    let dir = tempfile::tempdir().unwrap();
    let server = api(dir.path());
    let suite = dir.path().join("orders.yaml");
    std::fs::write(&suite, SUITE).unwrap();
    let junit = dir.path().join("junit.xml");
    let (code, out, err) = seam(&[
        "test",
        suite.to_str().unwrap(),
        "--var",
        &format!("base={}", server.url),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("PASS orders › create and fetch an order (2 step(s)"),
        "{out}"
    );
    // a misspelt tag selects nothing: an error with a suggestion, not a green run
    let (code, out, err) = seam(&["test", suite.to_str().unwrap(), "--tag", "smok"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("--tag smok: no test has this tag (did you mean `smoke`?) (tags in these suites: smoke)"),
        "{err}"
    );
    assert!(std::fs::read_to_string(&junit)
        .unwrap()
        .contains("create and fetch an order"));

    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        SUITE
            .replace("equals: \"{{order_id}}\"", "equals: 8")
            .replace("length: 2", "length: 3"),
    )
    .unwrap();
    let json = dir.path().join("report.json");
    let (code, out, _) = seam(&[
        "test",
        broken.to_str().unwrap(),
        "--var",
        &format!("base={}", server.url),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("step \"create\": POST"), "{out}");
    assert!(
        out.contains("json $.tags: expected length 3 but was 2"),
        "{out}"
    );
    assert!(out.contains("response: 201 {"), "{out}");
    assert!(
        out.contains(&format!("reproduce: curl -X POST '{}/orders'", server.url)),
        "{out}"
    );
    assert!(out.contains("(1 later step(s) skipped)"), "{out}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["summary"]["failed"], 1);
    assert_eq!(
        report["tests"][0]["steps"][0]["failures"][0]["what"],
        "json $.tags"
    );
}

#[test]
fn bad_input_and_network_errors() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.yaml");
    std::fs::write(&f, SUITE.replace("capture:", "captre:")).unwrap();
    let (code, _, err) = seam(&["test", f.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("bad.yaml:") && err.contains("did you mean `capture`"),
        "{err}"
    );

    // an undefined variable fails its test, naming the variable
    let f = dir.path().join("undefined.yaml");
    std::fs::write(&f, SUITE.replace("\"{{sku}}\"", "\"{{skuu}}\"")).unwrap();
    let (code, out, _) = seam(&[
        "test",
        f.to_str().unwrap(),
        "--var",
        "base=http://127.0.0.1:1",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("undefined variable `skuu` (did you mean `sku`?)"),
        "{out}"
    );

    // connection refused is reported per step; other tests still run
    let port = closed_port();
    let f = dir.path().join("two.yaml");
    let server = api(dir.path());
    std::fs::write(
        &f,
        format!(
            "tests:\n  - name: down\n    steps:\n      - request: {{ path: 'http://127.0.0.1:{port}/x' }}\n  - name: up\n    steps:\n      - request: {{ path: '{}/orders/7' }}\n        assert: {{ status: 200 }}\n",
            server.url
        ),
    )
    .unwrap();
    let (code, out, _) = seam(&["test", f.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("error: connection refused: http://127.0.0.1:"),
        "{out}"
    );
    assert!(out.contains("PASS two › up"), "{out}");
    // a slow answer times out; TLS to a plain-HTTP port fails the handshake
    let slow = dir.path().join("slow.yaml");
    std::fs::write(
        &slow,
        "stubs:\n  - request: { path: /slow }\n    response: { text: late, delay: 2000 }\n",
    )
    .unwrap();
    let slow_server = mock(&["--stubs", slow.to_str().unwrap()]);
    let https = slow_server.url.replace("http://", "https://");
    std::fs::write(
        &f,
        format!(
            "tests:\n  - name: slow\n    steps:\n      - request: {{ path: '{}/slow' }}\n  - name: tls\n    steps:\n      - request: {{ path: '{https}/slow' }}\n",
            slow_server.url
        ),
    )
    .unwrap();
    let (code, out, _) = seam(&["test", f.to_str().unwrap(), "--timeout-ms", "300"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("error: timed out: http://127.0.0.1:"), "{out}");
    assert!(
        out.contains("error: TLS handshake failed: https://127.0.0.1:"),
        "{out}"
    );
}

const MORE_API: &str = r#"stubs:
  - request: { path: /me, headers: { Authorization: "Bearer s3cr3t-token" } }
    response: { json: { name: ann, roles: [admin] } }
  - request: { path: /job }
    response: { json: { status: pending } }
    scenario: { name: job, requires: Started, then: running }
  - request: { path: /job }
    response: { json: { status: pending } }
    scenario: { name: job, requires: running, then: done }
  - request: { path: /job }
    response: { json: { status: done } }
    scenario: { name: job, requires: done }
  - request: { path: /square, query: { n: { matches: ".*" } } }
    response: { template: true, text: "{{request.query.n}}" }
"#;

#[test]
fn matrix_retries_auth_secrets_schema_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let stubs = dir.path().join("more.yaml");
    std::fs::write(&stubs, MORE_API).unwrap();
    let server = mock(&["--stubs", stubs.to_str().unwrap()]);
    std::fs::write(dir.path().join("numbers.csv"), "n,expected\n3,3\n4,4\n").unwrap();
    let suite = dir.path().join("more.yaml.suite.yaml");
    std::fs::write(
        &suite,
        format!(
            r#"name: more
baseUrl: {base}
secrets: [API_TOKEN]
tests:
  - name: me
    steps:
      - request: {{ path: /me, auth: {{ bearer: "{{{{API_TOKEN}}}}" }} }}
        assert:
          status: 200
          schema: {{ type: object, required: [name, roles], properties: {{ roles: {{ type: array }} }} }}
  - name: job finishes
    steps:
      - request: {{ path: /job }}
        retry: {{ times: 5, delayMs: 10, backoff: 2 }}
        assert: {{ json: [ {{ path: "$.status", equals: done }} ] }}
  - name: echo
    matrix:
      rows: [ {{ n: 1, expected: 1 }} ]
      csv: numbers.csv
    steps:
      - request: {{ path: /square, query: {{ n: "{{{{n}}}}" }} }}
        assert: {{ body: "{{{{expected}}}}" }}
"#,
            base = server.url
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["test", suite.to_str().unwrap(), "--jobs", "1"])
        .env("API_TOKEN", "s3cr3t-token")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("PASS more › job finishes"), "{text}");
    assert!(
        text.contains("PASS more › echo [3: expected=4, n=4]"),
        "{text}"
    );
    assert!(
        text.contains("3 passed") || text.contains("5 passed"),
        "{text}"
    );

    // a wrong token fails, and the secret never shows
    // a tag no test has is a usage error, not an empty pass
    let out = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["test", suite.to_str().unwrap(), "--tag", "none"])
        .env("API_TOKEN", "s3cr3t-token")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tag none: no test has this tag"));
    let out = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["test", suite.to_str().unwrap()])
        .env("API_TOKEN", "wrong-s3cr3t")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("Authorization: Bearer <redacted>"), "{text}");
    assert!(
        !text.contains("wrong-s3cr3t"),
        "secrets are redacted: {text}"
    );

    // shards split the five cases deterministically and completely
    let mut seen = Vec::new();
    for shard in ["1/2", "2/2"] {
        let out = Command::new(env!("CARGO_BIN_EXE_seam"))
            .args(["test", suite.to_str().unwrap(), "--shard", shard])
            .env("API_TOKEN", "s3cr3t-token")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        seen.extend(
            text.lines()
                .filter(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
                .map(|l| l.split(" (").next().unwrap().to_string()),
        );
    }
    seen.sort();
    assert_eq!(seen.len(), 5, "{seen:?}");
    seen.dedup();
    assert_eq!(seen.len(), 5, "no case runs in two shards: {seen:?}");
    let (code, _, err) = seam(&["test", suite.to_str().unwrap(), "--shard", "3/2"]);
    assert_eq!(code, 2, "{err}");
}

const POSTMAN: &str = r#"{
  "info": {"name": "shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "variable": [{"key": "base", "value": "BASE"}],
  "item": [{"name": "orders", "item": [
    {"name": "create order",
     "request": {"method": "POST", "header": [{"key": "Content-Type", "value": "application/json"}, {"key": "Postman-Token", "value": "x"}],
                 "url": {"raw": "{{base}}/orders"},
                 "body": {"mode": "raw", "raw": "{\"sku\": \"A-1\", \"qty\": 2}", "options": {"raw": {"language": "json"}}}},
     "event": [{"listen": "test", "script": {"exec": [
        "pm.test('created', function () { pm.response.to.have.status(201); });",
        "var jsonData = pm.response.json();",
        "pm.expect(jsonData.sku).to.eql('A-1');",
        "pm.expect(jsonData.tags[1]).to.eql(\"paid\");"]}}]},
    {"name": "get order", "request": {"method": "GET", "url": "{{base}}/orders/7"}}
  ]}]
}"#;

#[test]
fn postman_and_har_imports_run() {
    let dir = tempfile::tempdir().unwrap();
    let server = api(dir.path());
    let collection = dir.path().join("shop.postman_collection.json");
    std::fs::write(&collection, POSTMAN.replace("BASE", &server.url)).unwrap();
    let suite = dir.path().join("shop.yaml");
    let (code, _, err) = seam(&[
        "import",
        "postman",
        collection.to_str().unwrap(),
        "-o",
        suite.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let yaml = std::fs::read_to_string(&suite).unwrap();
    assert!(
        yaml.contains("orders / create order") && !yaml.contains("Postman-Token"),
        "{yaml}"
    );
    let (code, out, err) = seam(&["test", suite.to_str().unwrap()]);
    assert_eq!(code, 0, "{yaml}\n{out}{err}");
    assert!(out.contains("1 passed"), "{out}");

    let har = dir.path().join("session.har");
    std::fs::write(
        &har,
        serde_json::json!({"log": {"entries": [
            {"request": {"method": "POST", "url": format!("{}/orders", server.url), "headers": [{"name": "Host", "value": "x"}],
                         "postData": {"mimeType": "application/json", "text": "{\"sku\":\"A-1\"}"}},
             "response": {"status": 201}},
            {"request": {"method": "GET", "url": format!("{}/orders/7", server.url), "headers": []}, "response": {"status": 200}}
        ]}})
        .to_string(),
    )
    .unwrap();
    let suite = dir.path().join("session.yaml");
    let (code, _, err) = seam(&[
        "import",
        "har",
        har.to_str().unwrap(),
        "-o",
        suite.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = seam(&["test", suite.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");

    let (code, _, err) = seam(&["import", "har", collection.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not a HAR file"), "{err}");
}

const AUTH_API: &str = r#"stubs:
  - request: { method: POST, path: /oauth/token, body: { contains: grant_type=client_credentials } }
    response: { json: { access_token: tok-123, token_type: bearer, expires_in: 3600 } }
  - request: { path: /profile, headers: { Authorization: "Bearer tok-123" } }
    response: { json: { name: ann } }
  - request: { method: POST, path: /login }
    response: { json: { session: s-1 }, headers: { Set-Cookie: "sid=abc123; Path=/; HttpOnly" } }
  - request: { path: /whoami, cookies: { sid: abc123 } }
    response: { text: ann }
  - request: { path: /cart, headers: { X-Session: s-1 } }
    response: { json: { items: [] } }
  - request: { method: DELETE, path: /cart }
    response: { status: 204 }
"#;

#[test]
fn includes_conditions_setup_teardown_body_files_and_oauth2() {
    let dir = tempfile::tempdir().unwrap();
    let stubs = dir.path().join("auth-api.yaml");
    std::fs::write(&stubs, AUTH_API).unwrap();
    let server = mock(&["--stubs", stubs.to_str().unwrap()]);
    std::fs::write(
        dir.path().join("login.yaml"),
        "- name: login\n  request: { method: POST, path: /login }\n  capture: { session: { jsonpath: $.session }, sid: { cookie: sid } }\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("empty-cart.json"), "{\"items\": []}\n").unwrap();
    let suite = dir.path().join("flows.yaml");
    std::fs::write(
        &suite,
        format!(
            r#"baseUrl: {base}
variables: {{ env: ci }}
tests:
  - name: cart
    setup:
      - include: login.yaml
    steps:
      - request: {{ path: /cart, headers: {{ X-Session: "{{{{session}}}}" }} }}
        assert: {{ status: 200, bodyFile: empty-cart.json }}
      - if: "{{{{env}}}} == prod"
        request: {{ path: /only-in-prod }}
      - request: {{ path: /whoami, headers: {{ Cookie: "sid={{{{sid}}}}" }} }}
        assert: {{ body: ann }}
    teardown:
      - request: {{ method: DELETE, path: /cart }}
        assert: {{ status: 204 }}
  - name: profile twice
    steps:
      - request: {{ path: /profile, auth: {{ oauth2: {{ tokenUrl: "{base}/oauth/token", clientId: app, clientSecret: s }} }} }}
        assert: {{ json: [ {{ path: $.name, equals: ann }} ] }}
      - request: {{ path: /profile, auth: {{ oauth2: {{ tokenUrl: "{base}/oauth/token", clientId: app, clientSecret: s }} }} }}
        assert: {{ status: 200 }}
"#,
            base = server.url
        ),
    )
    .unwrap();
    let (code, out, err) = seam(&["test", suite.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("PASS flows › cart (4 step(s)"),
        "setup + step + teardown, the prod-only step skipped: {out}"
    );
    // the token was fetched once and cached
    let count: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/__admin/requests/count", server.url))
        .body(r#"{"method": "POST", "url": "/oauth/token"}"#)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(count["count"], 1, "{count}");
}

const XML_API: &str = r#"stubs:
  - request: { method: POST, path: /upload, bodyPatterns: [ { contains: 'filename="note.txt"' }, { contains: hello from a file }, { contains: 'name="title"' } ] }
    response: { status: 201 }
  - request: { method: POST, path: /raw, body: { equalToJson: { id: 5 } } }
    response: { status: 200 }
  - request: { path: /order.xml }
    response: { headers: { Content-Type: application/xml }, text: "<order id='7'><item sku='A-1'>2</item><item sku='B-2'>5</item></order>" }
  - request: { path: /orders/7 }
    response: { text: ok }
"#;

#[test]
fn multipart_file_bodies_and_xpath() {
    let dir = tempfile::tempdir().unwrap();
    let stubs = dir.path().join("xml-api.yaml");
    std::fs::write(&stubs, XML_API).unwrap();
    let server = mock(&["--stubs", stubs.to_str().unwrap()]);
    std::fs::write(dir.path().join("note.txt"), "hello from a file").unwrap();
    std::fs::write(dir.path().join("order.json"), r#"{"id": 5}"#).unwrap();
    let suite = dir.path().join("io.yaml");
    std::fs::write(
        &suite,
        format!(
            r#"baseUrl: {}
tests:
  - name: io
    steps:
      - request: {{ method: POST, path: /upload, multipart: {{ title: notes, doc: {{ file: note.txt, contentType: text/plain }} }} }}
        assert: {{ status: 201 }}
      - request: {{ method: POST, path: /raw, file: order.json, headers: {{ Content-Type: application/json }} }}
        assert: {{ status: 200 }}
      - request: {{ path: /order.xml }}
        capture: {{ order: {{ xpath: "/order/@id" }} }}
        assert:
          xml:
            - {{ path: "count(/order/item)", equals: 2 }}
            - {{ path: "/order/item[@sku='B-2']", gt: 4 }}
            - {{ path: "/order/missing", exists: false }}
      - request: {{ path: "/orders/{{{{order}}}}" }}
        assert: {{ body: ok }}
"#,
            server.url
        ),
    )
    .unwrap();
    let (code, out, err) = seam(&["test", suite.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("PASS io › io (4 step(s)"), "{out}");
}
