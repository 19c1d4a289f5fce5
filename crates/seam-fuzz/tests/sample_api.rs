//! The proof: the sample API with one seeded defect per check is fuzzed, and
//! each defect must be found with its check and operation; its corrected
//! twin must give no finding at all (a false positive is a defect).

use seam_fuzz::{Check, Options, Outcome};
use seam_testkit::sample_api::{serve, Flaws, SPEC, TOKEN};
use std::time::Duration;

fn spec() -> seam_openapi::Spec {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.yaml");
    std::fs::write(&path, SPEC).unwrap();
    seam_openapi::load::load(&path).expect("the sample spec loads")
}

async fn fuzz(flaws: Flaws) -> Outcome {
    let addr = serve(flaws).await;
    let spec = spec();
    let mut options = Options::new(format!("http://{addr}"));
    options.headers = vec![("Authorization".into(), format!("Bearer {TOKEN}"))];
    options.max_response_time = Some(Duration::from_secs(1));
    options.max_examples = 20;
    seam_fuzz::run(&spec, &options, &|_| {})
        .await
        .expect("the run completes")
}

fn summary(outcome: &Outcome) -> String {
    outcome
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} [{}] {}{}: {}",
                f.operation,
                f.check,
                f.key,
                if f.flaky { " (flaky)" } else { "" },
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_seeded_defect_is_found_with_its_check_and_operation() {
    let outcome = fuzz(Flaws::All).await;
    let all = summary(&outcome);
    let expected = [
        (Check::ServerError, "POST /items"),
        (Check::UndocumentedStatus, "DELETE /items/{itemId}"),
        (Check::ContentType, "GET /items/{itemId}"),
        (Check::ResponseHeaders, "POST /items"),
        (Check::ResponseSchema, "GET /items/{itemId}"),
        (Check::InvalidAccepted, "POST /items"),
        (Check::ValidRejected, "POST /items"),
        (Check::MissingHeaderAccepted, "POST /orders"),
        (Check::MethodNotAllowed, "GET /search"),
        (Check::UseAfterDelete, "GET /items/{itemId}"),
        (Check::CreatedNotFound, "GET /orders/{orderId}"),
        // reached through the spec's `links` only (no path convention)
        (Check::CreatedNotFound, "GET /receipts/{receiptId}"),
        (Check::FailedWriteChangedState, "PUT /items/{itemId}"),
        (Check::ResponseTime, "GET /search"),
    ];
    for (check, operation) in expected {
        assert!(
            outcome
                .confirmed()
                .any(|f| f.check == check && f.operation == operation),
            "{check} on {operation} was not found; the findings:\n{all}"
        );
    }
    // every finding names a request to reproduce it with
    for f in &outcome.findings {
        assert!(f.curl.starts_with("curl -X "), "{}", f.curl);
        assert!(
            f.curl.contains("<redacted>"),
            "the token is redacted: {}",
            f.curl
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_corrected_twin_gives_no_finding() {
    let outcome = fuzz(Flaws::None).await;
    assert!(
        outcome.findings.is_empty(),
        "false positives:\n{}",
        summary(&outcome)
    );
    assert!(outcome.requests > 500, "{} requests", outcome.requests);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auth_file_logs_in_and_logs_in_again_when_the_token_expires() {
    // each token serves 100 requests; the run needs many more
    let (addr, logins) = seam_testkit::sample_api::serve_expiring(Flaws::None, 100).await;
    let dir = tempfile::tempdir().unwrap();
    let auth = dir.path().join("auth.yaml");
    std::fs::write(
        &auth,
        "auth:\n  - name: alice\n    loginEndpointAuth:\n      endpoint: /login\n      verb: POST\n      \
         contentType: application/json\n      payloadUserPwd: {username: alice, password: s3cret, \
         usernameField: username, passwordField: password}\n      token: {extractFrom: body, \
         extractSelector: /access_token, sendIn: header, sendName: Authorization, sendTemplate: \"Bearer {token}\"}\n",
    )
    .unwrap();
    let mut options = Options::new(format!("http://{addr}"));
    options.login = Some(seam_fuzz::auth::read(&auth, None).unwrap());
    options.max_examples = 20;
    let outcome = seam_fuzz::run(&spec(), &options, &|_| {}).await.unwrap();
    let n = logins.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        n > 3,
        "logged in {n} time(s) over {} requests",
        outcome.requests
    );
    assert!(outcome.findings.is_empty(), "{}", summary(&outcome));
    assert!(
        !outcome.notes.iter().any(|n| n.contains("401")),
        "{:?}",
        outcome.notes
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_finding_fails_until_the_service_is_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let spec_path = dir.path().join("sample.yaml");
    std::fs::write(&spec_path, SPEC).unwrap();
    let outcome = fuzz(Flaws::All).await;
    let report: serde_json::Value = serde_json::from_str(&seam_fuzz::report::render(
        "json",
        &outcome,
        spec_path.to_str().unwrap(),
        &[],
    ))
    .unwrap();
    let fixed = serve(Flaws::None).await;
    for check in [
        Check::ServerError,
        Check::ResponseSchema,
        Check::UndocumentedStatus,
    ] {
        let id = outcome
            .confirmed()
            .find(|f| f.check == check)
            .unwrap()
            .id
            .clone();
        let finding = seam_fuzz::replay::find(&report, &id).unwrap();
        let base = report["base_url"].as_str().unwrap();
        let again = seam_fuzz::replay::replay(&report, finding, base)
            .await
            .unwrap();
        assert!(again.still_failing, "{check}: {}", again.reason);
        let now = seam_fuzz::replay::replay(&report, finding, &format!("http://{fixed}"))
            .await
            .unwrap();
        assert!(!now.still_failing, "{check} on the twin: {}", now.reason);
    }
    // a baseline made of this report accepts every finding in it
    let accepted = seam_fuzz::baseline::parse(&report.to_string()).unwrap();
    assert_eq!(accepted.len(), outcome.findings.len());
    assert!(seam_fuzz::replay::find(&report, "F00000000").is_err());
}
