//! `seam scan` against the deliberately vulnerable Acme Notes API (one seeded
//! flaw per check: a real JWT library with a weak key, real SQLite with SQL
//! built from strings, a backtracking regex, a real shell) and its hardened
//! twin: every flaw is found under its code, the twin gives no finding, and
//! the safety limits hold.

use seam_scan::check::Check;
use seam_scan::{Options, ScanError};
use seam_testkit::vuln_api::{serve, Flaws, AUTH, SPEC, WEAK_KEY};
use std::collections::BTreeSet;
use std::time::Duration;

fn spec() -> seam_openapi::Spec {
    seam_openapi::load::load_str("acme-notes.yaml", SPEC).expect("the sample spec loads")
}

fn options(base: String) -> Options {
    let mut o = Options::new(base);
    o.identities = seam_fuzz::auth::parse_all("auth.yaml", AUTH).expect("the auth file reads");
    o.delay = Duration::from_secs(1);
    o
}

async fn scan(o: &Options) -> seam_scan::Outcome {
    seam_scan::run(&spec(), o, &|_, _, _| {})
        .await
        .expect("the scan runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_seeded_flaw_is_found_under_its_code() {
    let addr = serve(Flaws::All).await;
    let outcome = scan(&options(format!("http://{addr}"))).await;
    let found: BTreeSet<&str> = outcome.findings.iter().map(|f| f.check.code()).collect();
    let missing: Vec<&str> = Check::ALL
        .iter()
        .map(|c| c.code())
        .filter(|c| !found.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "not found: {missing:?}\nnotes: {:?}",
        outcome.notes
    );
    assert_eq!(outcome.stopped, None);
    let of = |code: &str| {
        outcome
            .findings
            .iter()
            .filter(|f| f.check.code() == code)
            .collect::<Vec<_>>()
    };
    // the weak key is named, and BOLA is between two plain users
    assert!(of("jwt-weak-key")[0]
        .message
        .contains(&format!("{WEAK_KEY:?}")));
    let bola = of("bola-read")[0];
    assert_eq!(
        (bola.operation.as_str(), bola.identity.as_str()),
        ("GET /notes/{id}", "bob")
    );
    assert!(of("bola-write")[0]
        .evidence
        .contains("read back as `alice`"));
    assert_eq!(of("bfla")[0].operation, "GET /admin/users");
    // a throwaway account the scan registered, taken over by another identity
    let takeover = of("bola-write")
        .into_iter()
        .find(|f| f.operation == "PUT /users/{username}/password")
        .expect("the password change of another account is found");
    // sent by a second throwaway account: no identity of the auth file acts
    assert!(
        takeover.identity.starts_with("seamthrowaway"),
        "{takeover:?}"
    );
    assert!(takeover.request.target.contains("/users/seamthrowaway"));
    assert!(takeover
        .evidence
        .contains("logged in with the new password"));
    assert_eq!(of("api-key-not-bound")[0].operation, "GET /billing");
    assert!(of("user-enumeration")
        .iter()
        .any(|f| f.operation == "POST /password-reset" && f.evidence.contains("404")));
    assert_eq!(of("no-rate-limit")[0].operation, "GET /reports/export");
    assert_eq!(of("jwt-claim-escalation")[0].operation, "GET /admin/audit");
    assert!(of("sql-injection")[0].message.contains("SQLite"));
    assert!(of("command-injection")[0].evidence.contains("seam42"));
    assert!(of("ssrf")[0].evidence.contains("seam-ssrf-"));
    assert!(of("redos").iter().any(|f| f.key == "body property `title`"));
    assert!(of("mass-assignment")[0].message.contains("role=\"admin\""));
    // every finding names its OWASP category and carries a curl line
    for f in &outcome.findings {
        assert!(f.owasp.starts_with("API"), "{f:?}");
        assert!(f.curl.starts_with("curl "), "{f:?}");
        assert!(f.id.starts_with('S') && f.id.len() == 9, "{f:?}");
    }
    // the SARIF report carries the OWASP tag and a severity
    let sarif: serde_json::Value = serde_json::from_str(&seam_scan::report::render(
        "sarif",
        &outcome,
        "acme.yaml",
        &[],
    ))
    .unwrap();
    let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][0];
    assert!(rule["properties"]["tags"][1]
        .as_str()
        .unwrap()
        .starts_with("OWASP API"));
    assert!(rule["properties"]["security-severity"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hardened_twin_gives_no_finding() {
    let addr = serve(Flaws::None).await;
    let outcome = scan(&options(format!("http://{addr}"))).await;
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
    // it was really probed: every family sent requests
    assert!(outcome.requests > 300, "{}", outcome.requests);
    let probed: BTreeSet<&str> = outcome.probes.iter().map(|(c, _)| c.code()).collect();
    for code in [
        "bola-read",
        "bola-write",
        "bfla",
        "sql-injection",
        "jwt-alg-none",
        "ssrf",
        "redos",
        "api-key-not-bound",
        "no-rate-limit",
    ] {
        assert!(probed.contains(code), "{code} was not probed: {probed:?}");
    }
    // the password change was tried on a throwaway account
    assert!(
        !outcome.notes.iter().any(|n| n.contains("not probed")),
        "{:?}",
        outcome.notes
    );
    // without the key, the claim checks are skipped, and the scan says so
    assert!(
        outcome.notes.iter().any(|n| n.contains("--jwt-key")),
        "{:?}",
        outcome.notes
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_key_lets_the_twin_prove_its_claim_checks() {
    // the twin's key is random: with a wrong one given, forged tokens are
    // refused and nothing is reported
    let addr = serve(Flaws::None).await;
    let mut o = options(format!("http://{addr}"));
    o.jwt_key = Some(WEAK_KEY.as_bytes().to_vec());
    o.checks = [
        Check::JwtExpiredAccepted,
        Check::JwtNoExpiryAccepted,
        Check::JwtAudienceIgnored,
    ]
    .into_iter()
    .collect();
    let outcome = scan(&o).await;
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
    assert!(outcome
        .probes
        .iter()
        .any(|(c, _)| *c == Check::JwtExpiredAccepted));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_budget_stops_the_scan_and_says_so() {
    let addr = serve(Flaws::All).await;
    let mut o = options(format!("http://{addr}"));
    o.max_requests = Some(40);
    let outcome = scan(&o).await;
    assert!(outcome.requests <= 40, "{}", outcome.requests);
    assert!(
        outcome
            .stopped
            .as_deref()
            .is_some_and(|s| s.contains("--max-requests 40")),
        "{:?}",
        outcome.stopped
    );
}

#[tokio::test]
async fn only_loopback_and_named_hosts_are_scanned() {
    let o = Options::new("http://api.example.com");
    let err = seam_scan::run(&spec(), &o, &|_, _, _| {})
        .await
        .unwrap_err();
    match err {
        ScanError::Usage(m) => assert!(m.contains("--allow-host"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_dry_run_lists_the_probes_and_needs_no_server() {
    // port 9 (discard) on loopback: nothing listens, nothing is sent
    let lines = seam_scan::dry_run(&spec(), &options("http://127.0.0.1:9".into())).unwrap();
    let has = |code: &str, op: &str| lines.iter().any(|(c, o, _)| *c == code && o == op);
    assert!(has("bola-read", "GET /notes/{id}"));
    assert!(has("bfla", "GET /admin/users"));
    assert!(has("redos", "POST /notes"));
    assert!(has("ssrf", "POST /webhooks"));
    assert!(has("sql-injection", "GET /notes"));
    assert!(has("bola-write", "PUT /users/{username}/password"));
    assert!(has("api-key-not-bound", "GET /billing"));
    assert!(has("no-rate-limit", "GET /reports/export"));
    assert!(has("user-enumeration", "POST /password-reset"));
    // DELETE of objects the scan did not make is left out, and said so
    assert!(lines
        .iter()
        .any(|(_, o, what)| o == "DELETE /notes/{id}" && what.starts_with("not sent")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_that_stops_working_mid_scan_stops_it() {
    use axum::routing::{get, post};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    // logins work once; the token works for 8 requests, then 401
    let logins = Arc::new(AtomicU64::new(0));
    let uses = Arc::new(AtomicU64::new(0));
    let (l, u) = (logins.clone(), uses.clone());
    let app = axum::Router::new()
        .route(
            "/login",
            post(move || {
                let l = l.clone();
                async move {
                    if l.fetch_add(1, Ordering::SeqCst) == 0 {
                        (axum::http::StatusCode::OK, r#"{"token":"t1"}"#)
                    } else {
                        (
                            axum::http::StatusCode::SERVICE_UNAVAILABLE,
                            r#"{"error":"down"}"#,
                        )
                    }
                }
            }),
        )
        .route(
            "/things",
            get(move |h: axum::http::HeaderMap| {
                let u = u.clone();
                async move {
                    let ok = h.get("authorization").is_some_and(|v| v == "Bearer t1")
                        && u.fetch_add(1, Ordering::SeqCst) < 8;
                    if ok {
                        (axum::http::StatusCode::OK, "[]")
                    } else {
                        (axum::http::StatusCode::UNAUTHORIZED, "{}")
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let spec_text = r#"
openapi: 3.0.3
info: {title: t, version: '1'}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
paths:
  /login:
    post:
      security: []
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {username: {type: string}, password: {type: string}}}
      responses: {'200': {description: ok}}
  /things:
    get:
      parameters:
        - {name: q, in: query, schema: {type: string}}
      responses: {'200': {description: ok}}
"#;
    let spec = seam_openapi::load::load_str("t.yaml", spec_text).unwrap();
    let auth = r#"
auth:
  - name: alice
    loginEndpointAuth:
      endpoint: /login
      verb: POST
      payloadUserPwd: {username: alice, password: pw, usernameField: username, passwordField: password}
      token: {extractFrom: body, extractSelector: /token, sendIn: header, sendName: Authorization, sendTemplate: "Bearer {token}"}
"#;
    let mut o = Options::new(format!("http://{addr}"));
    o.identities = seam_fuzz::auth::parse_all("auth.yaml", auth).unwrap();
    let outcome = seam_scan::run(&spec, &o, &|_, _, _| {}).await.unwrap();
    let why = outcome.stopped.expect("the scan stopped");
    assert!(why.contains("authentication stopped working"), "{why}");
    assert!(why.contains("503"), "{why}");
    assert_eq!(logins.load(Ordering::SeqCst), 2);
}
