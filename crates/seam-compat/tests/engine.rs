//! seam compat's own findings where it goes beyond swagger-mock-validator
//! (matchers, messages, status ranges) and where findings point (pact paths,
//! spec file:line:col and pointers).

use seam_compat::{codes, Finding, Report, Severity};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn report(spec: &str, pact: &str) -> Report {
    let spec = seam_openapi::load::load(&data(spec)).unwrap();
    let pact_file = data(pact);
    let pact = seam_pact::read_pact_file(&pact_file).unwrap();
    seam_compat::check(&spec, "spec", &[("pact.json".into(), pact)]).unwrap()
}

fn finding<'r>(report: &'r Report, code: &str) -> &'r Finding {
    report.pacts[0]
        .findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", report.pacts[0].findings))
}

#[test]
fn response_matchers_are_compared_with_the_schema() {
    let r = report(
        "agreement/orders.yaml",
        "agreement/matchers_v3_shape.pact.json",
    );
    let decimal = finding(&r, codes::RESPONSE_MATCHER_INCOMPATIBLE);
    assert_eq!(decimal.severity, Severity::Error);
    assert_eq!(
        decimal.pact_location,
        "$.interactions[0].response.body.items[0].qty"
    );
    assert_eq!(decimal.rule.as_deref(), Some(r#"{"match":"decimal"}"#));
    let spec = decimal.spec_location.as_ref().unwrap();
    assert_eq!(
        spec.pointer,
        "#/components/schemas/Item/properties/qty/type"
    );
    assert!(
        spec.file.ends_with("orders.yaml") && spec.line.is_some(),
        "{spec:?}"
    );
    // a regex narrower than the enum, an integer matcher on a number: warnings
    let narrower: Vec<&str> = r.pacts[0]
        .findings
        .iter()
        .filter(|f| f.code == codes::RESPONSE_MATCHER_NARROWER)
        .map(|f| f.pact_location.as_str())
        .collect();
    assert_eq!(
        narrower,
        [
            "$.interactions[0].response.body.status",
            "$.interactions[0].response.body.total"
        ]
    );
    assert!(finding(&r, codes::RESPONSE_MATCHER_NARROWER)
        .message
        .contains("shipped"));
    assert!(!r.is_compatible());
}

#[test]
fn request_matchers_are_compared_with_the_schema() {
    let r = report(
        "agreement/orders.yaml",
        "agreement/matchers_v3_request.pact.json",
    );
    let min = finding(&r, codes::REQUEST_MATCHER_INCOMPATIBLE);
    assert_eq!(min.pact_location, "$.interactions[0].request.body.items");
    assert!(
        min.message.contains("at least 4") && min.message.contains("at most 3"),
        "{}",
        min.message
    );
    let regex = finding(&r, codes::REQUEST_MATCHER_BROADER);
    assert_eq!(regex.severity, Severity::Warning);
    assert_eq!(
        regex.spec_location.as_ref().unwrap().pointer,
        "#/components/schemas/Item/properties/sku/pattern"
    );
}

#[test]
fn messages_are_checked_against_webhooks_or_reported_unchecked() {
    let r = report("engine/events.yaml", "engine/events.pact.json");
    let findings = &r.pacts[0].findings;
    assert!(
        findings.iter().all(|f| f.index != 0),
        "a fitting message: {findings:#?}"
    );
    let pigeon = finding(&r, codes::MESSAGE_BODY_INCOMPATIBLE);
    assert_eq!(pigeon.index, 1);
    assert_eq!(pigeon.pact_location, "$.messages[1].contents.carrier");
    assert_eq!(pigeon.operation.as_deref(), Some("webhook `orderShipped`"));
    let cancelled = finding(&r, codes::MESSAGE_NOT_CHECKED);
    assert_eq!(
        (cancelled.index, cancelled.severity),
        (2, Severity::Warning)
    );
}

#[test]
fn status_ranges_are_honoured_and_v4_messages_not_guessed() {
    let r = report("agreement/orders.yaml", "agreement/status_range.pact.json");
    assert!(r.pacts[0].findings.is_empty(), "{:#?}", r.pacts[0].findings);
    let r = report("agreement/orders.yaml", "agreement/messages_v4.pact.json");
    let unchecked = finding(&r, codes::MESSAGE_NOT_CHECKED);
    assert_eq!(unchecked.pact_location, "$.interactions[1]");
    assert!(r.is_compatible());
}

#[test]
fn reports_render_every_format() {
    let r = report(
        "agreement/orders.yaml",
        "agreement/response_body_wrong_type.pact.json",
    );
    let text = seam_compat::report::to_text(&r);
    assert!(
        text.contains("error: response.body.incompatible at $.interactions[0].response.body.id"),
        "{text}"
    );
    assert!(
        text.contains("#/components/schemas/Order/properties/id/type"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "incompatible: 1 pact(s), 1 interaction(s) against spec: 1 error(s), 0 warning(s)\n"
        ),
        "{text}"
    );
    let json = seam_compat::report::to_json(&r);
    assert_eq!(json["compatible"], false);
    assert_eq!(
        json["pacts"][0]["findings"][0]["code"],
        "response.body.incompatible"
    );
    let junit = seam_compat::report::to_junit(&r);
    assert!(
        junit.contains("<failure") && junit.contains("get order 7"),
        "{junit}"
    );
    let sarif = seam_compat::report::to_sarif(&r);
    assert_eq!(sarif["version"], "2.1.0");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "response.body.incompatible");
    assert!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"]
            .as_u64()
            .is_some()
    );
}
