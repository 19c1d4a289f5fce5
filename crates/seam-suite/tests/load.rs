//! Loading suites strictly: every mistake is an error naming the file, line and
//! column when the suite loads (never after a request was sent), and YAML
//! scalars mean what the file shows.

use std::path::Path;

fn load(dir: &Path, text: &[u8]) -> Result<seam_suite::Suite, String> {
    let path = dir.join("s.yaml");
    std::fs::write(&path, text).unwrap();
    seam_suite::load(&path).map_err(|e| e.to_string())
}

const HEAD: &str = "tests:\n  - name: t\n    steps:\n";

#[test]
fn a_step_without_a_request_is_placed() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(
        dir.path(),
        format!("{HEAD}      - name: ok\n        request: {{ path: /a }}\n      - name: create\n        assert: {{ status: 201 }}\n").as_bytes(),
    )
    .unwrap_err();
    let file = dir.path().join("s.yaml").display().to_string();
    assert_eq!(
        e,
        format!("{file}:6:9: step `create` needs a request or an include")
    );
}

#[test]
fn a_capture_takes_exactly_one_source() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(
        dir.path(),
        format!("{HEAD}      - request: {{ path: /a }}\n        capture:\n          id: {{ jsonpath: $.id, header: Location }}\n").as_bytes(),
    )
    .unwrap_err();
    assert!(e.contains("s.yaml:6:"), "{e}");
    let e = load(
        dir.path(),
        format!("{HEAD}      - request: {{ path: /a }}\n        capture:\n          id: {{ jsonpth: $.id }}\n").as_bytes(),
    )
    .unwrap_err();
    assert!(
        e.contains("s.yaml:6:") && e.contains("did you mean `jsonpath`?"),
        "{e}"
    );
}

#[test]
fn a_number_is_not_a_method_and_norway_is_not_false() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(
        dir.path(),
        format!("{HEAD}      - request: {{ method: 5, path: /a }}\n").as_bytes(),
    )
    .unwrap_err();
    assert!(
        e.contains("s.yaml:4:") && e.contains("`5` is not an HTTP method"),
        "{e}"
    );
    let suite = load(
        dir.path(),
        format!("\u{feff}{HEAD}      - request: {{ method: POST, path: /a, json: {{ country: NO, ok: y, n: 1_000 }} }}\n        assert: {{ json: [ {{ path: $.ok, equals: y }} ] }}\n").as_bytes(),
    )
    .unwrap();
    let step = &suite.file.tests[0].steps[0];
    let body = step.request.as_ref().unwrap().json.clone().unwrap();
    assert_eq!(
        body,
        serde_json::json!({"country": "NO", "ok": "y", "n": "1_000"})
    );
    assert_eq!(
        step.assertions.json[0].value.equals,
        Some(serde_json::json!("y"))
    );
}

#[test]
fn invalid_utf8_names_its_line_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(dir.path(), b"tests:\n  - name: \xff\n").unwrap_err();
    assert!(
        e.contains("s.yaml:2:11: the file is not valid UTF-8 (invalid byte at offset 17)"),
        "{e}"
    );
}

#[test]
fn a_bad_capture_regex_is_an_error_at_load() {
    let dir = tempfile::tempdir().unwrap();
    let e = load(
        dir.path(),
        format!("{HEAD}      - request: {{ path: /a }}\n        capture:\n          id: {{ regex: \"id=(\\\\d+\" }}\n").as_bytes(),
    )
    .unwrap_err();
    assert!(e.contains("s.yaml:6:"), "{e}");
    assert!(
        e.contains("invalid regex `id=(\\d+`: unclosed group"),
        "{e}"
    );
}
