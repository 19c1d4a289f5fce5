//! Focused checks of the schema rules' direction semantics: the same change
//! in a request and in a response gets different rule ids and levels.

use seam_diff::{diff, Level, Options};
use std::io::Write;

fn spec(property: &str) -> seam_openapi::Spec {
    let text = format!(
        r#"openapi: 3.0.3
info: {{title: t, version: "1"}}
paths:
  /pets:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                kind: {property}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  kind: {property}
"#
    );
    let mut file = tempfile::NamedTempFile::with_suffix(".yaml").expect("temp file");
    file.write_all(text.as_bytes()).expect("write spec");
    seam_openapi::load::load(file.path()).unwrap_or_else(|e| panic!("spec does not load: {e:?}"))
}

fn found(base: &str, revision: &str) -> Vec<(String, Level, Vec<String>)> {
    let changes = diff(&spec(base), &spec(revision), &Options::default());
    changes
        .into_iter()
        .map(|c| (c.id, c.level, c.args))
        .collect()
}

#[test]
fn enum_value_added_is_info_in_requests_and_warn_in_responses() {
    let changes = found("{type: string, enum: [a]}", "{type: string, enum: [a, b]}");
    assert!(changes.contains(&(
        "request-property-enum-value-added".into(),
        Level::Info,
        vec!["b".into(), "kind".into()]
    )));
    assert!(changes.contains(&(
        "response-property-enum-value-added".into(),
        Level::Warn,
        vec!["b".into(), "kind".into(), "200".into()]
    )));
}

#[test]
fn max_length_decreased_breaks_requests_and_not_responses() {
    let changes = found(
        "{type: string, maxLength: 10}",
        "{type: string, maxLength: 5}",
    );
    assert!(changes.contains(&(
        "request-property-max-length-decreased".into(),
        Level::Err,
        vec!["kind".into(), "5".into()]
    )));
    assert!(!changes
        .iter()
        .any(|c| c.0.starts_with("response-property-max-length")));
}
