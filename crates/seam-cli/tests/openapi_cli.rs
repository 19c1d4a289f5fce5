//! `seam openapi validate` run as a user would run it: valid and broken specs,
//! positioned messages, the summary, exit codes 0/1/2, `--format json`.

use std::path::Path;

mod common;
use common::seam;

const VALID: &str = "\
openapi: 3.0.3
info:
  title: Pets
  version: '1.0'
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      parameters:
        - name: petId
          in: path
          required: true
          schema: {type: integer}
      responses:
        '200':
          description: a pet
";

/// The valid spec with three mistakes: the path parameter renamed in the
/// template only, a status key of two digits, an undefined security scheme.
const BROKEN: &str = "\
openapi: 3.0.3
info:
  title: Pets
  version: '1.0'
security:
  - apiKey: []
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - name: petId
          in: path
          required: true
          schema: {type: integer}
      responses:
        '20':
          description: a pet
";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn a_valid_spec_exits_0_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "pets.yaml", VALID);
    let (code, out, err) = seam(&["openapi", "validate", &good]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.trim(),
        format!("ok      {good} (OpenAPI 3.0.3, 1 operation)")
    );
}

#[test]
fn every_error_is_printed_with_file_line_column_and_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "pets.yaml", BROKEN);
    let (code, out, err) = seam(&["openapi", "validate", &bad]);
    assert_eq!(code, 1, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    let expected = [
        format!("{bad}:12:11: #/paths/~1pets~1{{id}}/get/parameters/0: path parameter \"petId\" is not in the path \"/pets/{{id}}\" (add {{petId}} to the path, or declare it in: query)"),
        format!("{bad}:9:5: #/paths/~1pets~1{{id}}/get: GET /pets/{{id}} is missing path parameter(s) for {{id}}: declare each with in: path, required: true"),
        format!("{bad}:17:9: #/paths/~1pets~1{{id}}/get/responses/20: `20` is not a response status: write a code (200), a range (2XX) or `default`"),
        format!("{bad}:6:5: #/security/0/apiKey: security requirement names \"apiKey\", which is not defined in components.securitySchemes"),
    ];
    for e in &expected {
        assert!(lines.contains(&e.as_str()), "missing\n  {e}\nin\n{out}");
    }
    assert_eq!(
        lines.last().copied(),
        Some(format!("invalid {bad}: 4 errors").as_str()),
        "{out}"
    );
    assert_eq!(lines.len(), 5, "{out}");
}

#[test]
fn several_specs_get_one_summary_and_the_worst_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.yaml", VALID);
    let bad = write(dir.path(), "bad.yaml", BROKEN);
    let (code, out, _) = seam(&["openapi", "validate", &good, &bad]);
    assert_eq!(code, 1);
    assert!(out.ends_with("2 specs: 1 valid, 1 invalid\n"), "{out}");

    let missing = dir.path().join("nope.yaml").display().to_string();
    let (code, out, err) = seam(&["openapi", "validate", &good, &bad, &missing]);
    assert_eq!(code, 2, "bad input wins: {out}{err}");
    assert!(
        err.contains(&format!("error: {missing}: no such file")),
        "{err}"
    );
    assert!(
        out.ends_with("3 specs: 1 valid, 1 invalid, 1 unreadable\n"),
        "{out}"
    );
}

#[test]
fn bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = write(dir.path(), "garbage.yaml", "openapi: [3.0.3\ninfo: {\n");
    let (code, _, err) = seam(&["openapi", "validate", &garbage]);
    assert_eq!(code, 2, "{err}");
    assert!(err.starts_with(&format!("error: {garbage}:")), "{err}");
    assert!(
        err.contains("(the file is not valid YAML or JSON)"),
        "{err}"
    );

    let binary = dir.path().join("binary.yaml");
    std::fs::write(&binary, b"openapi: \xff\xfe\n").unwrap();
    let (code, _, err) = seam(&["openapi", "validate", binary.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("UTF-8"), "{err}");

    let (code, _, err) = seam(&["openapi", "validate", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("is a directory"), "{err}");

    let (code, _, err) = seam(&["openapi", "validate"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn an_unsupported_version_is_an_invalid_spec() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(
        dir.path(),
        "old.yaml",
        "swagger: '1.2'\ninfo: {title: t, version: '1'}\n",
    );
    let (code, out, _) = seam(&["openapi", "validate", &old]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with(&format!("{old}:1:1: #/swagger: ")), "{out}");
    assert!(out.contains("1.2"), "{out}");
}

#[test]
fn json_format_for_machines() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.yaml", VALID);
    let bad = write(dir.path(), "bad.yaml", BROKEN);
    let (code, out, err) = seam(&["openapi", "validate", "--format", "json", &good, &bad]);
    assert_eq!(code, 1, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    assert_eq!(report["valid"], false);
    let specs = report["specs"].as_array().unwrap();
    assert_eq!(specs[0]["status"], "valid");
    assert_eq!(specs[0]["operations"], 1);
    assert_eq!(specs[1]["status"], "invalid");
    let first = specs[1]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["pointer"] == "#/paths/~1pets~1{id}/get/parameters/0")
        .expect("the path parameter's error");
    assert_eq!(first["file"], bad.as_str());
    assert_eq!(first["line"], 12);
    assert_eq!(first["column"], 11);
    assert_eq!(specs[1]["warnings"], serde_json::json!([]));
    assert!(first["message"]
        .as_str()
        .unwrap()
        .starts_with("path parameter \"petId\""));
    assert_eq!(specs[1]["errors"].as_array().unwrap().len(), 4);
}

#[test]
fn warnings_are_marked_and_do_not_fail() {
    let dir = tempfile::tempdir().unwrap();
    let text = VALID.replace(
        "schema: {type: integer}",
        "schema: {type: integer, maximumm: 3}",
    );
    let spec = write(dir.path(), "w.yaml", &text);
    let (code, out, _) = seam(&["openapi", "validate", &spec]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!("warning: {spec}:13:35: #/paths/~1pets~1{{petId}}/get/parameters/0/schema/maximumm: unknown schema keyword \"maximumm\" is ignored (did you mean `maximum`?)")),
        "{out}"
    );
    assert!(out.ends_with(", 1 warning)\n"), "{out}");
}

#[test]
fn help_shows_an_example() {
    let (code, out, _) = seam(&["openapi", "validate", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("seam openapi validate api.yaml"), "{out}");
    assert!(out.contains("Exit 0 valid"), "{out}");
}

#[test]
fn swagger_2_errors_and_warnings_point_into_the_file_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(
        dir.path(),
        "v2.json",
        "{\"swagger\": \"2.0\", \"info\": {\"title\": \"x\", \"version\": \"1\"},\n \"paths\": {\"/a\": {\"get\": {\"parameters\": [{\"name\": \"q\", \"in\": \"query\", \"type\": \"array\"}],\n \"responses\": {\"200\": {\"description\": \"ok\"}}}}}}\n",
    );
    let (code, out, _) = seam(&["openapi", "validate", &spec]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out,
        format!("{spec}:2:42: #/paths/~1a/get/parameters/0: query parameter \"q\" is an array, so it must include an \"items\" schema\ninvalid {spec}: 1 error\n")
    );
    let fixed = write(
        dir.path(),
        "v2-fixed.json",
        &std::fs::read_to_string(&spec).unwrap().replace(
            "\"type\": \"array\"}",
            "\"type\": \"array\", \"items\": {\"type\": \"string\"}, \"example\": [\"a\"]}",
        ),
    );
    let (code, out, _) = seam(&["openapi", "validate", &fixed]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.starts_with(&format!("warning: {fixed}:2:128: #/paths/~1a/get/parameters/0/example: \"example\" is not a Swagger 2.0 parameter field")),
        "{out}"
    );
    assert!(
        out.ends_with("(Swagger 2.0, 1 operation, 1 warning)\n"),
        "{out}"
    );
}
