//! A step's compiled assertions are reused across matrix rows and retries
//! (`check::Prepared`): against a real server on loopback, every row and every
//! attempt gets the verdict a fresh compilation would give, and a matcher with
//! a `{{variable}}` takes each row's value.

use seam_core::http::Headers;
use seam_mock::stub::{MethodMatch, RequestPattern, ResponseBody, ResponseDef, UrlMatcher};
use seam_mock::{MockConfig, MockServer, Stub};
use seam_suite::run::{run, RunOptions, StepOutcome};
use serde_json::json;

const SUITE: &str = r#"baseUrl: "{{base}}"
tests:
  - name: rows
    matrix:
      rows: [ { kind: widget }, { kind: widget }, { kind: gadget }, { kind: widget } ]
    steps:
      - request: { path: /items/1 }
        assert:
          headers: { X-Kind: "{{kind}}", Content-Type: { contains: json } }
          schema: { type: object, required: [id, name], properties: { id: { type: integer } } }
          json:
            - { path: "$.name", matches: "[a-z]+" }
            - { path: "$.id", matcher: { match: integer } }
  - name: retried
    steps:
      - request: { path: /items/1 }
        retry: { times: 2, delayMs: 1 }
        assert:
          schema: { type: object, required: [price] }
"#;

#[tokio::test]
async fn rows_and_retries_reuse_compiled_assertions_with_each_rows_variables() {
    let mut headers = Headers::default();
    headers.append("X-Kind", "widget");
    // a stub built in code is WireMock's `jsonBody`: no Content-Type unless set
    headers.append("Content-Type", "application/json");
    let item = Stub::new(
        RequestPattern {
            method: MethodMatch::parse("GET"),
            url: UrlMatcher::UrlPath("/items/1".into()),
            ..Default::default()
        },
        ResponseDef {
            headers,
            body: ResponseBody::Json(json!({"id": 1, "name": "item"})),
            ..Default::default()
        },
    );
    let server = MockServer::start(MockConfig::default(), vec![item])
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("suite.yaml");
    std::fs::write(&path, SUITE).unwrap();
    let suite = seam_suite::load(&path).unwrap();
    let mut options = RunOptions {
        jobs: 1,
        ..Default::default()
    };
    options.vars.insert("base".into(), json!(server.base_url()));
    let results = run(vec![suite], &options).await.unwrap();
    server.shutdown().await;

    let verdicts: Vec<(String, bool)> = results
        .iter()
        .map(|t| (t.name.clone(), t.passed()))
        .collect();
    assert_eq!(verdicts.len(), 5, "{verdicts:?}");
    // rows 1, 2 and 4 pass; row 3 fails on its own value of `kind` only
    let passed: Vec<bool> = verdicts[..4].iter().map(|(_, p)| *p).collect();
    assert_eq!(passed, [true, true, false, true], "{verdicts:?}");
    let StepOutcome::Failed(f) = &results[2].steps[0].outcome else {
        panic!("row 3 fails: {:?}", results[2].steps[0].outcome)
    };
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].what, "header X-Kind");
    assert_eq!(f[0].expected, Some(json!("gadget")));
    // every attempt of the retried step reports the schema failure
    let retried = &results[4];
    assert!(!retried.passed());
    let last = retried.steps.last().unwrap();
    let StepOutcome::Failed(f) = &last.outcome else {
        panic!("the schema fails: {:?}", last.outcome)
    };
    assert_eq!(f[0].what, "schema");
    assert!(f[0].reason.contains("price"), "{}", f[0].reason);
}
