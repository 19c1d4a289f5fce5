//! `seam import postman` end to end: a collection with auth at every level,
//! variables from an environment export, dynamic variables, test scripts and
//! token chaining is imported, loaded as a suite and run against a real local
//! server; what cannot be imported is listed; wrong-typed input is rejected
//! with its line and column.

use seam_http::{full, serve};
use seam_suite::import::{self, postman, Doc, Imported};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

const SHOP: &str = r#"{
  "info": {"name": "shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "variable": [{"key": "base", "value": "http://127.0.0.1:9"}, {"key": "apiKey", "value": "k1"}],
  "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}", "type": "string"}]},
  "event": [{"listen": "test", "script": {"exec": ["pm.test('typed', function () {", "  pm.response.to.have.header('Content-Type');", "});"]}}],
  "item": [
    {"name": "auth", "auth": {"type": "noauth"}, "item": [
      {"name": "login",
       "event": [{"listen": "test", "script": {"exec": [
         "var jsonData = pm.response.json();",
         "pm.environment.set(\"token\", jsonData.token);",
         "pm.collectionVariables.set(\"user_id\", jsonData.user.id);",
         "pm.test(\"ok\", function () { pm.response.to.have.status(200); });"]}}],
       "request": {"method": "POST", "header": [],
                   "url": {"raw": "{{base}}/login", "host": ["{{base}}"], "path": ["login"]},
                   "body": {"mode": "raw", "raw": "{\"user\": \"ann\", \"password\": \"{{password}}\"}", "options": {"raw": {"language": "json"}}}}}
    ]},
    {"name": "users", "item": [
      {"name": "get user",
       "event": [{"listen": "test", "script": {"exec": [
         "pm.expect(pm.response.code).to.eql(200);",
         "const u = pm.response.json();",
         "pm.expect(u.name).to.eql('Ann');",
         "pm.expect(u).to.have.property('tags');",
         "pm.expect(u.tags).to.have.lengthOf(2);",
         "pm.expect(pm.response.responseTime).to.be.below(5000);"]}}],
       "request": {"method": "GET", "auth": {"type": "inherit"},
                   "url": {"raw": "{{base}}/users/:id", "variable": [{"key": "id", "value": "{{user_id}}"}]}}}
    ]},
    {"name": "catalog",
     "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "api_key"}, {"key": "value", "value": "{{apiKey}}"}, {"key": "in", "value": "query"}]},
     "item": [
      {"name": "items",
       "event": [{"listen": "test", "script": {"exec": [
         "var jsonData = pm.response.json();",
         "pm.response.to.have.status(200);",
         "pm.expect(jsonData[0].sku).to.eql(\"A-1\");"]}}],
       "request": {"method": "GET", "url": "{{base}}/items"}}
    ]},
    {"name": "create order",
     "event": [
       {"listen": "prerequest", "script": {"exec": ["pm.environment.set(\"ts\", Date.now());"]}},
       {"listen": "test", "script": {"exec": [
         "var jsonData = pm.response.json();",
         "pm.test(\"created\", () => {",
         "  pm.response.to.have.status(201);",
         "  pm.expect(jsonData.ref).to.have.lengthOf(36);",
         "  pm.expect(pm.response.code).to.be.oneOf([201, 202]);",
         "});",
         "pm.environment.set(\"order\", pm.response.headers.get(\"Location\"));"]}}],
     "request": {"method": "POST", "auth": {"type": "basic", "basic": [{"key": "username", "value": "ann"}, {"key": "password", "value": "secret"}]},
                 "header": [{"key": "Content-Type", "value": "application/json"}, {"key": "X-Off", "value": "1", "disabled": true}],
                 "url": "{{base}}/orders",
                 "body": {"mode": "raw", "raw": "{\"ref\": \"{{$guid}}\", \"qty\": {{$randomInt}}, \"user\": \"{{user_id}}\"}"}}},
    {"name": "fetch order",
     "event": [{"listen": "test", "script": {"exec": ["pm.response.to.have.status(200);"]}}],
     "request": {"method": "GET", "url": "{{base}}{{order}}"}}
  ]
}"#;

const ENV: &str = r#"{"id": "e1", "name": "local", "values": [
  {"key": "base", "value": "BASE", "enabled": true},
  {"key": "password", "value": "pw", "enabled": true},
  {"key": "unused", "value": "x", "enabled": false}
], "_postman_variable_scope": "environment"}"#;

fn doc(name: &str, text: &str) -> Doc {
    Doc::parse(name, text.as_bytes()).unwrap()
}

/// The shop API the collection describes, recording what it was sent.
async fn shop() -> (seam_http::Server, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let server = serve("127.0.0.1:0".parse().unwrap(), None, move |req, _| {
        let log = log.clone();
        async move {
            use http_body_util::BodyExt;
            let method = req.method().to_string();
            let path = req.uri().path().to_string();
            let query = req.uri().query().unwrap_or_default().to_string();
            let auth = req
                .headers()
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default();
            let body = req.into_body().collect().await.unwrap().to_bytes();
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            log.lock().unwrap().push(format!("{method} {path}"));
            let reply = |status: u16, v: Value| {
                hyper::Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .header("location", "/orders/9")
                    .body(full(v.to_string()))
                    .unwrap()
            };
            match (method.as_str(), path.as_str()) {
                ("POST", "/login")
                    if body == json!({"user": "ann", "password": "pw"})
                        && (auth.is_empty() || auth == "Bearer") =>
                {
                    reply(200, json!({"token": "t-1", "user": {"id": 7}}))
                }
                ("GET", "/users/7") if auth == "Bearer t-1" => {
                    reply(200, json!({"id": 7, "name": "Ann", "tags": ["a", "b"]}))
                }
                ("GET", "/items") if query == "api_key=k1" && auth.is_empty() => {
                    reply(200, json!([{"sku": "A-1"}]))
                }
                // "YW5uOnNlY3JldA==" is ann:secret
                ("POST", "/orders")
                    if auth == "Basic YW5uOnNlY3JldA=="
                        && body["ref"].as_str().is_some_and(|r| r.len() == 36)
                        && body["qty"].is_u64()
                        && body["user"] == "7" =>
                {
                    reply(201, json!({"ref": body["ref"]}))
                }
                ("GET", "/orders/9") if auth == "Bearer t-1" => reply(200, json!({"id": 9})),
                _ => reply(
                    401,
                    json!({"error": format!("{method} {path}?{query} auth={auth} body={body}")}),
                ),
            }
        }
    })
    .await
    .unwrap();
    (server, seen)
}

fn write_and_load(dir: &std::path::Path, imported: &Imported) -> seam_suite::Suite {
    let yaml = import::to_yaml(&imported.suite).unwrap();
    import::check_loads(&yaml).unwrap();
    let path = dir.join("suite.yaml");
    std::fs::write(&path, &yaml).unwrap();
    seam_suite::load(&path).unwrap_or_else(|e| panic!("{e}\n{yaml}"))
}

#[tokio::test]
async fn a_collection_with_auth_variables_scripts_and_chaining_runs_in_order() {
    let (server, seen) = shop().await;
    let env = ENV.replace("BASE", &server.base_url());
    let imported = postman::import(
        &doc("shop.json", SHOP),
        Some(&doc("local.json", &env)),
        None,
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let suite = write_and_load(dir.path(), &imported);

    // requests that depend on each other are the steps of one test, in order
    let tests: Vec<(&str, Vec<&str>)> = suite
        .file
        .tests
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.steps.iter().map(|s| s.name.as_deref().unwrap()).collect(),
            )
        })
        .collect();
    assert_eq!(
        tests,
        vec![
            (
                "auth + users + create order + fetch order",
                vec![
                    "auth / login",
                    "users / get user",
                    "create order",
                    "fetch order"
                ]
            ),
            ("catalog", vec!["catalog / items"]),
        ]
    );
    // the environment wins over the collection; disabled values are left out
    assert_eq!(suite.file.variables["base"], json!(server.base_url()));
    assert!(!suite.file.variables.contains_key("unused"));

    let lost: Vec<String> = imported.lost.iter().map(ToString::to_string).collect();
    assert_eq!(
        lost,
        [
            "create order: pre-request script line 1: pm.environment.set(\"ts\", Date.now()) (pre-request scripts are not run)",
            "create order: test script line 5: pm.expect(pm.response.code).to.be.oneOf([201, 202]) (one of several statuses; a suite checks one exact status)",
        ]
    );

    let results = seam_suite::run::run(vec![suite], &seam_suite::run::RunOptions::default())
        .await
        .unwrap();
    for r in &results {
        assert!(r.passed(), "{} failed: {:#?}", r.name, r.steps);
    }
    let seen = seen.lock().unwrap().clone();
    let at = |what: &str| {
        seen.iter()
            .position(|s| s == what)
            .unwrap_or_else(|| panic!("{what} not in {seen:?}"))
    };
    assert!(at("POST /login") < at("GET /users/7"));
    assert!(at("GET /users/7") < at("POST /orders"));
    assert!(at("POST /orders") < at("GET /orders/9"));
    assert_eq!(seen.len(), 5, "{seen:?}");
    server.shutdown().await;
}

#[test]
fn auth_of_every_level_becomes_the_requests_auth() {
    let col = r#"{"info": {"name": "a"},
      "auth": {"type": "basic", "basic": {"username": "u", "password": "{{pw}}"}},
      "variable": [{"key": "pw", "value": "p"}, {"key": "h", "value": "http://127.0.0.1:9"}],
      "item": [
        {"name": "inherits collection", "request": {"url": "{{h}}/a"}},
        {"name": "f", "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-Key"}, {"key": "value", "value": "v"}]}, "item": [
          {"name": "inherits folder", "request": {"url": "{{h}}/b", "auth": null}},
          {"name": "none", "request": {"url": "{{h}}/c", "auth": {"type": "noauth"}}},
          {"name": "own bearer", "request": {"url": "{{h}}/d", "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{t}}"}]}}},
          {"name": "oauth2 token", "request": {"url": "{{h}}/e", "auth": {"type": "oauth2", "oauth2": [{"key": "accessToken", "value": "tok"}]}}},
          {"name": "digest", "request": {"url": "{{h}}/f", "auth": {"type": "digest", "digest": []}}}
        ]}
      ]}"#;
    let imported = postman::import(&doc("a.json", col), None, None).unwrap();
    let auth: Vec<Value> = imported.suite["tests"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["steps"].as_array().unwrap().clone())
        .map(|s| s["request"].get("auth").cloned().unwrap_or(Value::Null))
        .collect();
    assert_eq!(
        auth,
        vec![
            json!({"basic": {"username": "u", "password": "{{pw}}"}}),
            json!({"apiKey": {"header": "X-Key", "value": "v"}}),
            Value::Null,
            json!({"bearer": "{{t}}"}),
            json!({"bearer": "tok"}),
            Value::Null,
        ]
    );
    let lost: Vec<String> = imported.lost.iter().map(ToString::to_string).collect();
    assert!(
        lost.iter()
            .any(|l| l.starts_with("f / digest: digest auth (seam has no such auth helper")),
        "{lost:?}"
    );
    assert!(
        lost.iter()
            .any(|l| l.starts_with("f / own bearer: variable {{t}} (defined nowhere")),
        "{lost:?}"
    );
    assert_eq!(lost.len(), 2, "{lost:?}");
}

#[test]
fn unknown_dynamic_variables_and_scripts_are_listed_by_item() {
    let col = r#"{"info": {"name": "d"}, "item": [{"name": "f", "item": [
      {"name": "r", "request": {"method": "POST", "url": "http://127.0.0.1:9/x?t={{$timestamp}}",
        "body": {"mode": "raw", "raw": "{\"iban\": \"{{$randomBankAccountIban}}\"}"}},
       "event": [{"listen": "test", "script": {"exec": "if (pm.response.code === 200) {\n  pm.environment.set('id', pm.response.json().id);\n  pm.expect(pm.response.json().ok).to.be.true;\n}\npostman.setNextRequest('r');"}}]}
    ]}]}"#;
    let imported = postman::import(&doc("d.json", col), None, None).unwrap();
    let lost: Vec<String> = imported.lost.iter().map(ToString::to_string).collect();
    assert_eq!(lost.len(), 4, "{lost:#?}");
    assert!(
        lost[0]
            .starts_with("f / r: test script line 1: if (pm.response.code === 200) (a condition"),
        "{lost:#?}"
    );
    assert!(lost[1].starts_with("f / r: test script line 3: pm.expect(pm.response.json().ok).to.be.true (inside `if (pm.response.code === 200)`)"), "{lost:#?}");
    assert!(
        lost[2].starts_with(
            "f / r: test script line 5: postman.setNextRequest('r') (no suite equivalent)"
        ),
        "{lost:#?}"
    );
    assert!(
        lost[3].starts_with(
            "f / r: dynamic variable {{$randomBankAccountIban}} (seam does not generate it"
        ),
        "{lost:#?}"
    );
    let step = &imported.suite["tests"][0]["steps"][0];
    assert_eq!(step["capture"], json!({"id": {"jsonpath": "$.id"}}));
}

#[test]
fn wrong_typed_fields_are_rejected_with_their_place() {
    let cases = [
        (r#"{"info": {"name": "x"}, "item": [{"name": "a", "request": 5}]}"#, "c.json:1:59: at $.item[0].request: expected an object, found a number"),
        (r#"{"info": {"name": "x"}, "item": [{"name": "a", "request": {"url": {"raw": 3}}}]}"#, "c.json:1:75: at $.item[0].request.url.raw: expected a string, found a number"),
        (r#"{"info": {"name": "x"}, "item": [{"name": "a", "request": {"method": 1.5, "url": "http://h/"}}]}"#, "c.json:1:70: at $.item[0].request.method: expected a string, found a number"),
        (r#"{"info": {"name": "x"}, "item": {}}"#, "c.json:1:33: at $.item: expected an array, found an object"),
        (r#"{"info": {"name": "x"}, "item": [{"name": "a", "request": {"method": "GET"}}]}"#, "c.json:1:59: at $.item[0].request: `url` is missing"),
        (r#"{"info": {"name": "x"}, "item": [{"name": "a", "request": {"url": ""}}]}"#, "c.json:1:67: at $.item[0].request.url: the URL is empty"),
        (r#"{"info": {"name": "x"}, "item": [{"name": "a"}]}"#, "c.json:1:34: at $.item[0]: an item needs `request` (a request) or `item` (a folder)"),
        (r#"{"info": {"name": "x"}, "item": [{"name": "a", "request": {"method": "GE T", "url": "http://h/"}}]}"#, "c.json:1:70: at $.item[0].request.method: `GE T` is not an HTTP method"),
        (r#"{"info": {"name": "x"}, "item": []}"#, "c.json:1:1: at $: the collection has no requests"),
        ("{\"info\": {\"name\": \"x\"},\n  \"item\": [{\"name\": \"a\",\n    \"request\": {\"url\": \"http://h/\", \"header\": [{\"key\": \"A\", \"value\": {}}]}}]}", "c.json:3:70: at $.item[0].request.header[0].value: expected a string, found an object"),
        (r#"{"requests": [], "order": []}"#, "c.json:1:1: at $: a Postman collection v1: export it from Postman as Collection v2.1"),
    ];
    for (text, want) in cases {
        let e = postman::import(&doc("c.json", text), None, None).unwrap_err();
        assert_eq!(e.to_string(), want, "{text}");
    }
    let e = postman::import(
        &doc(
            "c.json",
            r#"{"info": {"name": "x"}, "item": [{"name": "a", "request": "http://h/"}]}"#,
        ),
        Some(&doc("e.json", r#"{"values": [{"key": 1, "value": "v"}]}"#)),
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "e.json:1:21: at $.values[0].key: expected a string, found a number"
    );
}

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/import")
            .join(name),
    )
    .unwrap()
}

#[test]
fn real_public_collections_import_and_load() {
    let dir = tempfile::tempdir().unwrap();
    // newman's own test collection, with a UTF-8 BOM
    let bytes = data("newman-bom-in-collection-file.postman_collection.json");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let imported =
        postman::import(&Doc::parse("newman.json", &bytes).unwrap(), None, None).unwrap();
    write_and_load(dir.path(), &imported);
    assert!(imported.lost.is_empty(), "{:?}", imported.lost);
    let first = &imported.suite["tests"][0]["steps"][0];
    assert_eq!(
        first["assert"],
        json!({"status": 200, "json": [
            {"path": "$.args['source']", "exists": true},
            {"path": "$.args['source']", "equals": "newman-sample-github-collection"}]})
    );
    assert_eq!(
        imported.suite["tests"].as_array().unwrap().len(),
        3,
        "three independent requests"
    );

    // postman-to-k6: a bearer token four folders up, no scheme in the URL
    let imported = postman::import(
        &Doc::parse(
            "k6.json",
            &data("k6-inherit-nested.postman_collection.json"),
        )
        .unwrap(),
        None,
        None,
    )
    .unwrap();
    write_and_load(dir.path(), &imported);
    let step = &imported.suite["tests"][0]["steps"][0];
    assert_eq!(
        step["name"],
        "TestFolder1 / TestFolder2 / TestFolder3 / TestFolder4 / TestRequest"
    );
    assert_eq!(step["request"]["auth"], json!({"bearer": "token"}));
    assert_eq!(step["request"]["path"], "http://example.com");

    let imported = postman::import(
        &Doc::parse("r.json", &data("k6-var-rand.postman_collection.json")).unwrap(),
        None,
        None,
    )
    .unwrap();
    write_and_load(dir.path(), &imported);
    assert!(imported.lost.is_empty(), "{:?}", imported.lost);

    let imported = postman::import(
        &Doc::parse("p.json", &data("k6-post-request.postman_collection.json")).unwrap(),
        None,
        None,
    )
    .unwrap();
    write_and_load(dir.path(), &imported);
    let lost: Vec<String> = imported.lost.iter().map(ToString::to_string).collect();
    assert_eq!(lost.len(), 3, "{lost:?}");
    assert_eq!(lost[0], "TestRequest: test script line 1: pm.variables.set('test', 'a') (sets a fixed value (a suite variable can hold it))");
}

#[test]
fn globals_collection_and_environment_in_postmans_order_and_urls_from_parts() {
    let col = r#"{"info": {"name": "v"},
      "variable": [{"key": "a", "value": "collection"}, {"key": "b", "value": "collection"}, {"id": "old", "value": 1}],
      "item": [{"name": "parts", "request": {"method": "delete", "url": {
        "protocol": "http", "host": ["127", "0", "0", "1"], "port": "9",
        "path": ["users", ":id", {"type": "string", "value": "x"}],
        "query": [{"key": "q", "value": "{{a}}"}, {"key": "off", "value": "1", "disabled": true}],
        "variable": [{"key": "id", "value": "7"}]}}}]}"#;
    let globals =
        r#"{"values": [{"key": "a", "value": "global"}, {"key": "g", "value": "global"}]}"#;
    let env = r#"{"values": [{"key": "b", "value": "env"}]}"#;
    let imported = postman::import(
        &doc("v.json", col),
        Some(&doc("e.json", env)),
        Some(&doc("g.json", globals)),
    )
    .unwrap();
    assert_eq!(
        imported.suite["variables"],
        json!({"a": "collection", "g": "global", "b": "env", "old": 1})
    );
    let request = &imported.suite["tests"][0]["steps"][0]["request"];
    assert_eq!(request["method"], "DELETE");
    assert_eq!(request["path"], "http://127.0.0.1:9/users/7/x?q={{a}}");
    assert!(imported.lost.is_empty(), "{:?}", imported.lost);
}

#[tokio::test]
async fn a_collection_token_used_by_the_login_that_sets_it_still_runs() {
    let (server, seen) = shop().await;
    // the usual shape: bearer {{token}} for the whole collection, login included
    let col = r#"{"info": {"name": "t"},
      "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{token}}"}]},
      "variable": [{"key": "base", "value": "BASE"}],
      "item": [
        {"name": "login", "request": {"method": "POST", "url": "{{base}}/login", "body": {"mode": "raw", "raw": "{\"user\": \"ann\", \"password\": \"pw\"}"}},
         "event": [{"listen": "test", "script": {"exec": ["pm.collectionVariables.set('token', pm.response.json().token);"]}}]},
        {"name": "user", "request": {"method": "GET", "url": "{{base}}/users/7"},
         "event": [{"listen": "test", "script": {"exec": ["pm.response.to.have.status(200);"]}}]}
      ]}"#
        .replace("BASE", &server.base_url());
    let imported = postman::import(&doc("t.json", &col), None, None).unwrap();
    let lost: Vec<String> = imported.lost.iter().map(ToString::to_string).collect();
    assert_eq!(
        lost,
        ["login: variable {{token}} before a request captures it (sent empty (the suite defines it as \"\"); Postman would send `{{token}}` as it is)"]
    );
    assert_eq!(imported.suite["variables"]["token"], "");
    let dir = tempfile::tempdir().unwrap();
    let suite = write_and_load(dir.path(), &imported);
    let results = seam_suite::run::run(vec![suite], &seam_suite::run::RunOptions::default())
        .await
        .unwrap();
    assert_eq!(results.len(), 1);
    assert!(results[0].passed(), "{:#?}", results[0].steps);
    assert_eq!(*seen.lock().unwrap(), ["POST /login", "GET /users/7"]);
    server.shutdown().await;
}

#[test]
fn a_host_variable_without_a_scheme_gets_http_as_in_postman() {
    let col = r#"{"info": {"name": "s"},
      "variable": [{"key": "host", "value": "127.0.0.1:9"}, {"key": "full", "value": "https://x.test"}],
      "item": [
        {"name": "a", "request": "{{host}}/a"},
        {"name": "b", "request": "{{full}}/b"}
      ]}"#;
    let imported = postman::import(&doc("s.json", col), None, None).unwrap();
    assert_eq!(imported.suite["variables"]["host"], "http://127.0.0.1:9");
    assert_eq!(imported.suite["variables"]["full"], "https://x.test");
    let lost: Vec<String> = imported.lost.iter().map(ToString::to_string).collect();
    assert_eq!(
        lost,
        ["a: variable {{host}} = `127.0.0.1:9` (written `http://127.0.0.1:9`: a suite URL needs its scheme, Postman adds http://)"]
    );
    // used elsewhere too: left alone, and said
    let col = col.replace(
        "\"{{full}}/b\"",
        "{\"url\": \"{{full}}/b\", \"header\": [{\"key\": \"X-Host\", \"value\": \"{{host}}\"}]}",
    );
    let imported = postman::import(&doc("s.json", &col), None, None).unwrap();
    assert_eq!(imported.suite["variables"]["host"], "127.0.0.1:9");
    assert!(
        imported.lost[0].why.contains("give a full URL with --var"),
        "{:?}",
        imported.lost
    );
}
