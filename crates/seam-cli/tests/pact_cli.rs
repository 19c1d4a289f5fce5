//! `seam pact validate` and `seam pact convert` run as a user would run them.

use std::path::Path;

mod common;
use common::seam;

const GOOD: &str = r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [{"description": "an order", "request": {"method": "GET", "path": "/orders/1"},
    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": 1},
      "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}}}],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn validate_exit_codes_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", GOOD);
    let (code, out, _) = seam(&["pact", "validate", &good]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok") && out.contains("web → orders"), "{out}");

    let bad = write(
        dir.path(),
        "bad.json",
        &GOOD.replace("\"integer\"", "\"intgr\""),
    );
    let (code, out, err) = seam(&["pact", "validate", &good, &bad]);
    assert_eq!(code, 1);
    assert!(
        out.contains("bad.json: at $.interactions[0].response.matchingRules.body['$.id']: unknown matcher `intgr`"),
        "{out}"
    );
    assert!(err.contains("1 of 2 file(s) invalid"), "{err}");

    let broken = write(dir.path(), "broken.json", "{\n \"consumer\": ,\n}");
    let (code, out, _) = seam(&["pact", "validate", &broken]);
    assert_eq!(code, 1);
    assert!(out.contains("broken.json:2:14: invalid JSON"), "{out}");

    let (code, _, err) = seam(&["pact", "validate"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = seam(&["pact", "frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn convert_to_v4_and_back_to_v3() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", GOOD);
    let (code, out, err) = seam(&["pact", "convert", &good, "--to", "v4"]);
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["metadata"]["pactSpecification"]["version"], "4.0");
    assert_eq!(doc["interactions"][0]["type"], "Synchronous/HTTP");
    assert_eq!(
        doc["interactions"][0]["response"]["body"]["content"],
        serde_json::json!({"id": 1})
    );
    assert_eq!(
        doc["interactions"][0]["response"]["matchingRules"]["body"]["$.id"]["matchers"][0]["match"],
        "integer"
    );

    // into a directory that does not exist yet
    let v4 = dir.path().join("out/v4/v4.json");
    let (code, _, err) = seam(&[
        "pact",
        "convert",
        &good,
        "--to",
        "v4",
        "-o",
        v4.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = seam(&["pact", "convert", v4.to_str().unwrap(), "--to", "v3"]);
    assert_eq!(code, 0, "{err}");
    let v3: serde_json::Value = serde_json::from_str(&out).unwrap();
    let original: serde_json::Value = serde_json::from_str(GOOD).unwrap();
    assert_eq!(
        v3["interactions"], original["interactions"],
        "v3 → v4 → v3 keeps the interaction"
    );

    let (code, _, err) = seam(&["pact", "convert", "/nonexistent/pact.json", "--to", "v4"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("/nonexistent/pact.json") && err.contains("cannot read"),
        "{err}"
    );
}

/// What other tools write and load but seam cannot use is a warning on stderr
/// (`warning: file: at $.path: message`), not a rejection: exit 0.
#[test]
fn validate_prints_warnings_and_passes() {
    let dir = tempfile::tempdir().unwrap();
    let lookahead = GOOD.replace(
        r#"{"match": "integer"}"#,
        r#"{"match": "regex", "regex": "\\p{InGreek}+"}"#,
    );
    let file = write(dir.path(), "lookahead.json", &lookahead);
    let (code, out, err) = seam(&["pact", "validate", &file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("lookahead.json (v3.0.0, web → orders, 1 interaction(s), 1 seam cannot use)"),
        "{out}"
    );
    assert!(
        err.contains(&format!(
            "warning: {file}: at $.interactions[0].response.matchingRules.body['$.id']: invalid regex `\\p{{InGreek}}+`: Unicode property not found; seam cannot use this interaction\n"
        )),
        "{err}"
    );
    // braces and Java's quoting need no warning at all
    let braces = GOOD.replace(
        r#"{"match": "integer"}"#,
        r#"{"match": "regex", "regex": "\\Q{\\E?\\d+}?|/x/{id}"}"#,
    );
    let file = write(dir.path(), "braces.json", &braces);
    let (code, out, err) = seam(&["pact", "validate", &file]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
}

/// An example that breaks its own rules is a warning (the official tools load
/// such files); `--strict` makes every warning an invalid file.
#[test]
fn examples_breaking_their_rules_warn_and_strict_fails() {
    let dir = tempfile::tempdir().unwrap();
    let text = GOOD.replace(r#""body": {"id": 1}"#, r#""body": {"id": "one"}"#);
    let file = write(dir.path(), "example.json", &text);
    let (code, out, err) = seam(&["pact", "validate", &file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ok      "), "{out}");
    assert_eq!(
        err,
        format!("warning: {file}: at $.interactions[0].response: the example does not satisfy its own matching rules: body $.id: expected an integer but was \"one\"\n")
    );
    let (code, out, err) = seam(&["pact", "validate", "--strict", &file]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with(&format!(
            "invalid {file}: at $.interactions[0].response: the example does not satisfy"
        )),
        "{out}"
    );
    assert!(err.contains("1 of 1 file(s) invalid"), "{err}");
    // a tolerated quirk fails --strict too; a clean file passes it
    let null = GOOD.replace(r#""version": "3.0.0""#, r#""version": null"#);
    let file = write(dir.path(), "null.json", &null);
    assert_eq!(seam(&["pact", "validate", &file]).0, 0);
    assert_eq!(seam(&["pact", "validate", "--strict", &file]).0, 1);
    let good = write(dir.path(), "good.json", GOOD);
    assert_eq!(
        seam(&["pact", "validate", "--strict", &good]),
        (
            0,
            format!("ok      {good} (v3.0.0, web → orders, 1 interaction(s))\n"),
            String::new()
        )
    );
}

/// Converting a file the reader tolerated says what it tolerated.
#[test]
fn convert_prints_the_readers_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let null = GOOD.replace(r#""version": "3.0.0""#, r#""version": null"#);
    let file = write(dir.path(), "null.json", &null);
    let (code, out, err) = seam(&["pact", "convert", &file, "--to", "v4"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"4.0\""), "{out}");
    assert_eq!(
        err,
        format!("warning: {file}: at $.metadata.pactSpecification.version: the specification version is null: read as 3.0.0, as the official Pact tools do\n")
    );
}
