//! The `openapi:` assertion against a real server on loopback (seam mock with
//! stubs answering right and wrong): the operation found by method and path or
//! by `operationId`, each violation a failure with its location and the spec's
//! place, and the assertion's own mistakes (an unknown operationId, a misspelt
//! key, a missing spec) named.

use seam_mock::{MockConfig, MockServer};
use seam_suite::run::{run, RunOptions, StepOutcome, TestResult};
use serde_json::json;
use std::path::Path;

fn spec() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seam-openapi/tests/data/proxy-pets.yaml")
        .canonicalize()
        .unwrap()
}

const STUBS: &str = r#"
stubs:
  - request: { method: GET, path: /pets }
    response: { status: 200, headers: { Content-Type: application/json }, json: [ { id: 1, name: Rex } ] }
  - request: { method: GET, path: /pets/1 }
    response: { status: 200, headers: { Content-Type: application/json }, json: { id: "one" } }
  - request: { method: GET, path: /pets/3 }
    response: { status: 418, text: teapot }
"#;

async fn run_suite(dir: &Path, suite: &str) -> Result<Vec<TestResult>, String> {
    let stubs = dir.join("stubs.yaml");
    std::fs::write(&stubs, STUBS).unwrap();
    let loaded = seam_mock::sources::load_all(&stubs).unwrap();
    let server = MockServer::start(MockConfig::default(), loaded.stubs)
        .await
        .unwrap();
    std::fs::copy(spec(), dir.join("api.yaml")).unwrap();
    let path = dir.join("suite.yaml");
    std::fs::write(&path, suite).unwrap();
    let suite = seam_suite::load(&path).map_err(|e| e.to_string())?;
    let mut options = RunOptions {
        jobs: 1,
        ..Default::default()
    };
    options.vars.insert("base".into(), json!(server.base_url()));
    let results = run(vec![suite], &options).await;
    server.shutdown().await;
    results
}

#[tokio::test]
async fn responses_are_checked_against_their_operation() {
    let dir = tempfile::tempdir().unwrap();
    let results = run_suite(
        dir.path(),
        r#"baseUrl: "{{base}}"
tests:
  - name: conforming
    steps:
      - request: { path: /pets }
        assert: { status: 200, openapi: { spec: api.yaml } }
  - name: wrong body
    steps:
      - request: { path: /pets/1 }
        assert:
          openapi: { spec: api.yaml }
  - name: by operationId
    steps:
      - request: { path: /pets/1 }
        assert: { openapi: { spec: api.yaml, operationId: listPets } }
  - name: undeclared status
    steps:
      - request: { path: /pets/3 }
        assert: { openapi: { spec: api.yaml } }
  - name: no operation
    steps:
      - request: { method: PUT, path: /pets }
        assert: { openapi: { spec: api.yaml } }
  - name: unknown operationId
    steps:
      - request: { path: /pets }
        assert: { openapi: { spec: api.yaml, operationId: getPets } }
  - name: missing spec
    steps:
      - request: { path: /pets }
        assert: { openapi: { spec: nowhere.yaml } }
"#,
    )
    .await
    .unwrap();
    let outcome = |i: usize| &results[i].steps[0].outcome;
    assert!(results[0].passed(), "{:?}", outcome(0));
    let StepOutcome::Failed(f) = outcome(1) else {
        panic!("{:?}", outcome(1))
    };
    let what: Vec<&str> = f.iter().map(|f| f.what.as_str()).collect();
    assert!(what.contains(&"openapi body.id"), "{f:#?}");
    assert!(what.contains(&"openapi body"), "{f:#?}");
    let id = f.iter().find(|f| f.what == "openapi body.id").unwrap();
    assert!(id.reason.contains("integer"), "{id:?}");
    assert!(
        id.reason.contains("api.yaml:"),
        "names the place in the spec: {id:?}"
    );
    assert_eq!(id.line, Some(11), "the assertion's line");
    assert_eq!(id.expected, Some(json!("GET /pets/{petId}")));
    // listPets expects an array: the object fails it
    let StepOutcome::Failed(f) = outcome(2) else {
        panic!("{:?}", outcome(2))
    };
    assert_eq!(f[0].expected, Some(json!("GET /pets")), "{f:#?}");
    let StepOutcome::Failed(f) = outcome(3) else {
        panic!("{:?}", outcome(3))
    };
    assert!(f[0].reason.contains("418"), "{f:#?}");
    let StepOutcome::Failed(f) = outcome(4) else {
        panic!("{:?}", outcome(4))
    };
    assert!(
        f[0].reason.contains("PUT /pets is not an operation"),
        "{f:#?}"
    );
    let StepOutcome::Error(e) = outcome(5) else {
        panic!("{:?}", outcome(5))
    };
    assert!(e.contains("did you mean `getPet`?"), "{e}");
    let StepOutcome::Error(e) = outcome(6) else {
        panic!("{:?}", outcome(6))
    };
    assert!(e.contains("nowhere.yaml: no such file"), "{e}");
}

#[tokio::test]
async fn a_misspelt_key_is_refused_when_the_suite_loads() {
    let dir = tempfile::tempdir().unwrap();
    let e = run_suite(
        dir.path(),
        r#"baseUrl: "{{base}}"
tests:
  - name: t
    steps:
      - request: { path: /pets }
        assert: { openapi: { spec: api.yaml, operationID: listPets } }
"#,
    )
    .await
    .unwrap_err();
    assert!(e.contains("suite.yaml:6:"), "{e}");
    assert!(e.contains("operationId"), "{e}");
}
