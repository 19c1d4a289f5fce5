//! Interactions the reader marked unusable (an unsupported plugin, a matching
//! rule that does not compile) are not sent: every report says "not verified"
//! with the reason and the run fails, unless `skip_unsupported` lists them as
//! skipped. The other interactions are verified as usual.

use seam_core::http::{Body, Request, Response};
use seam_core::interaction::Interaction;
use seam_http::{full, serve};
use seam_pact::Pact;
use seam_verify::{LoadedPact, Outcome, Verifier, VerifyOptions};

fn pact() -> Vec<LoadedPact> {
    let ok = Interaction::http(
        "a plain one",
        Request {
            method: "GET".into(),
            path: "/ok".into(),
            ..Default::default()
        },
        Response {
            status: 200,
            ..Default::default()
        },
    );
    let mut plugin = Interaction::http(
        "a CSV report",
        Request {
            method: "GET".into(),
            path: "/report.csv".into(),
            ..Default::default()
        },
        Response {
            status: 200,
            body: Body::Text("a,b\n".into()),
            ..Default::default()
        },
    );
    plugin.unusable = Some("the csv plugin is not supported".into());
    let mut pact = Pact::new("web", "reports");
    pact.interactions = vec![ok, plugin];
    vec![LoadedPact {
        origin: "web-reports.json".into(),
        pact,
    }]
}

#[tokio::test]
async fn unusable_interactions_are_not_verified_unless_skipped() {
    // the provider answers 200 to anything, and counts what it is sent
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sent.clone();
    let server = serve("127.0.0.1:0".parse().unwrap(), None, move |req, _| {
        let counter = counter.clone();
        async move {
            assert_eq!(req.uri().path(), "/ok", "an unusable interaction was sent");
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            hyper::Response::new(full(""))
        }
    })
    .await
    .unwrap();
    let options = |skip_unsupported| VerifyOptions {
        provider_base_url: server.base_url(),
        skip_unsupported,
        ..Default::default()
    };

    let report = Verifier::new(options(false))
        .unwrap()
        .verify(&pact())
        .await
        .unwrap();
    assert!(matches!(report.results[0].outcome, Outcome::Passed));
    assert!(matches!(
        &report.results[1].outcome,
        Outcome::NotVerified { reason, skipped: false } if reason == "the csv plugin is not supported"
    ));
    assert!(!report.passed());
    assert_eq!(report.unsupported(), (1, 0));
    let text = report.to_text(seam_core::render::Style::Plain);
    assert!(
        text.contains("  N/V  web → reports: a CSV report"),
        "{text}"
    );
    assert!(
        text.contains("  not verified: the csv plugin is not supported"),
        "{text}"
    );
    let json = report.to_json();
    assert_eq!(json["interactions"][1]["status"], "not verified");
    assert_eq!(
        json["interactions"][1]["notVerified"],
        "the csv plugin is not supported"
    );
    assert_eq!(json["summary"]["notVerified"], 1);
    let junit = report.to_junit();
    assert!(
        junit.contains("not verified: the csv plugin is not supported"),
        "{junit}"
    );
    assert!(report
        .html_fragment()
        .contains("not verified: the csv plugin is not supported"));

    let report = Verifier::new(options(true))
        .unwrap()
        .verify(&pact())
        .await
        .unwrap();
    assert!(report.passed());
    assert_eq!(report.unsupported(), (0, 1));
    let text = report.to_text(seam_core::render::Style::Plain);
    assert!(
        text.contains("  SKIP web → reports: a CSV report"),
        "{text}"
    );
    assert!(
        text.contains("skipped, not verified: the csv plugin is not supported"),
        "{text}"
    );
    assert_eq!(report.to_json()["interactions"][1]["status"], "skipped");
    assert!(report.to_junit().contains("<skipped"));
    assert_eq!(sent.load(std::sync::atomic::Ordering::SeqCst), 2);
}
