//! The broker's web pages as a browser draws them: headless Chromium takes
//! a screenshot of the integrations page, and the network graph's arrows
//! are there in the colours of their verifications (green verified, red
//! failed, grey not verified).

mod common;

use reqwest::blocking::Client;
use serde_json::{json, Value};

fn publish(client: &Client, base: &str, consumer: &str, provider: &str) {
    use base64::Engine;
    let pact = json!({"consumer": {"name": consumer}, "provider": {"name": provider},
        "interactions": [{"description": "get it", "request": {"method": "GET", "path": "/x"}, "response": {"status": 200}}]});
    let r = client
        .post(format!("{base}/contracts/publish"))
        .json(&json!({"pacticipantName": consumer, "pacticipantVersionNumber": "1", "branch": "main",
            "contracts": [{"consumerName": consumer, "providerName": provider, "specification": "pact",
                "contentType": "application/json",
                "content": base64::engine::general_purpose::STANDARD.encode(pact.to_string())}]}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

fn verify(client: &Client, base: &str, consumer: &str, provider: &str, success: bool) {
    let pact: Value = client
        .get(format!(
            "{base}/pacts/provider/{provider}/consumer/{consumer}/latest"
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let r = client
        .post(
            pact["_links"]["pb:publish-verification-results"]["href"]
                .as_str()
                .unwrap(),
        )
        .json(&json!({"success": success, "providerApplicationVersion": "9"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[test]
fn the_integrations_graph_is_drawn_in_the_verifications_colours() {
    let Some(chromium) = seam_testkit::browser::chromium(
        "the_integrations_graph_is_drawn_in_the_verifications_colours",
    ) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let b = common::start(&[
        "broker",
        "--data",
        tmp.path().join("data").to_str().unwrap(),
    ]);
    let client = Client::new();
    publish(&client, &b.url, "web", "orders");
    publish(&client, &b.url, "mobile", "orders");
    publish(&client, &b.url, "orders", "payments");
    verify(&client, &b.url, "web", "orders", false);
    verify(&client, &b.url, "mobile", "orders", true);
    let png = tmp.path().join("ui.png");
    seam_testkit::browser::screenshot(&chromium, &format!("{}/ui", b.url), &png, 1000, 900);
    let pixels = seam_testkit::browser::Pixels::read(&png);
    // an arrow between two of the circle's points is some 100-300 pixels
    // long and 5 wide; the table's status cells are pale, not these colours
    for (what, rgb) in [
        ("the failed verification's red arrow", [0xc6, 0x28, 0x28]),
        ("the verified green arrow", [0x2e, 0x7d, 0x32]),
        ("the unverified grey arrow", [0x9e, 0x9e, 0x9e]),
    ] {
        let n = pixels.count(rgb, 24);
        assert!(n >= 300, "{what}: {n} pixels in {}", png.display());
    }
    // the table's red cell (failed) is there too
    assert!(pixels.count([0xff, 0xcd, 0xd2], 6) >= 1000);
}
