//! `seam broker clean` on a broker's data while the broker runs: keep
//! selectors decide which versions stay, what is deployed always stays,
//! a dry run changes nothing, and bad selectors are refused with a hint.

mod common;

use reqwest::blocking::Client;
use serde_json::{json, Value};

fn status(client: &Client, url: String) -> u16 {
    client.get(url).send().unwrap().status().as_u16()
}

#[test]
fn clean_keeps_what_the_selectors_pick_and_what_is_deployed() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let b = common::start(&["broker", "--data", data.to_str().unwrap()]);
    let client = Client::new();
    for n in 1..=10 {
        let r = client
            .post(format!("{}/contracts/publish", b.url))
            .json(&common::publish_body(&n.to_string()))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let env: Value = client
        .post(format!("{}/environments", b.url))
        .json(&json!({"name": "prod"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let r = client
        .post(format!(
            "{}/pacticipants/web/versions/3/deployed-versions/environment/{}",
            b.url,
            env["uuid"].as_str().unwrap()
        ))
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = client
        .put(format!(
            "{}/pacticipants/web/versions/5/tags/audited",
            b.url
        ))
        .json(&json!({}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 201);
    let clean = |extra: &[&str]| {
        let mut args = vec!["broker", "clean", "--data", data.to_str().unwrap()];
        args.extend_from_slice(extra);
        common::seam(&args)
    };

    // a dry run counts and changes nothing
    let (code, out, err) = clean(&["--keep", r#"{"branch": true, "latest": true}"#, "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("would remove 8 versions"), "{out}");
    assert_eq!(
        status(&client, format!("{}/pacticipants/web/versions/1", b.url)),
        200
    );

    let (code, out, err) = clean(&[
        "--keep",
        r#"{"branch": true, "latest": true}"#,
        "--keep",
        r#"{"tag": "audited"}"#,
        "--batch",
        "2",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("removed 7 versions in 4 batches"), "{out}");
    for (version, expected) in [("1", 404), ("3", 200), ("5", 200), ("9", 404), ("10", 200)] {
        assert_eq!(
            status(
                &client,
                format!("{}/pacticipants/web/versions/{version}", b.url)
            ),
            expected,
            "version {version}"
        );
    }
    // the pacts of what stays are whole; the others' contents are gone
    assert_eq!(
        status(
            &client,
            format!("{}/pacts/provider/orders/consumer/web/version/3", b.url)
        ),
        200
    );
    let metrics: Value = client
        .get(format!("{}/metrics", b.url))
        .header("Accept", "application/json")
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(metrics["pact_versions"]["count"], 3, "{metrics}");

    // bad selectors: exit 2, saying what was meant
    let (code, _, err) = clean(&["--keep", r#"{"lates": true}"#]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `latest`"), "{err}");
    let (code, _, err) = clean(&["--keep", "{latest"]);
    assert_eq!(code, 2);
    assert!(err.contains("--keep #1: not JSON"), "{err}");
    let (code, _, err) = common::seam(&["broker", "clean", "--data", tmp.path().to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("no broker database"), "{err}");
}
