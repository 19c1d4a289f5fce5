//! Focused checks of an operation's parameters, request body and responses
//! across versions, for the oasdiff rules the shared corpus does not pin: each
//! test diffs two small specs and asserts the rule ids, levels and args.

use seam_diff::{diff, Level, Options};
use std::io::Write;

/// A spec with one operation, `GET /pets/{id}`, whose body (parameters,
/// requestBody, responses) is `operation`, indented under the method.
fn spec(path: &str, operation: &str) -> seam_openapi::Spec {
    let indented: String = operation
        .lines()
        .map(|line| format!("      {line}\n"))
        .collect();
    let text = format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: \"1\"}}\npaths:\n  {path}:\n    get:\n{indented}"
    );
    let mut file = tempfile::NamedTempFile::with_suffix(".yaml").expect("temp file");
    file.write_all(text.as_bytes()).expect("write spec");
    seam_openapi::load::load(file.path()).unwrap_or_else(|e| panic!("spec does not load: {e:?}"))
}

fn options() -> Options {
    Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        ..Options::default()
    }
}

/// `(id, level, args)` of every change from `base` to `revision` (same path).
fn changes(base: &str, revision: &str) -> Vec<(String, Level, Vec<String>)> {
    changes_between("/pets/{id}", base, "/pets/{id}", revision, &options())
}

fn changes_between(
    base_path: &str,
    base: &str,
    revision_path: &str,
    revision: &str,
    options: &Options,
) -> Vec<(String, Level, Vec<String>)> {
    diff(
        &spec(base_path, base),
        &spec(revision_path, revision),
        options,
    )
    .into_iter()
    .map(|c| (c.id, c.level, c.args))
    .collect()
}

fn one(id: &str, level: Level, args: &[&str]) -> Vec<(String, Level, Vec<String>)> {
    vec![(
        id.to_string(),
        level,
        args.iter().map(|a| a.to_string()).collect(),
    )]
}

const ID: &str = "- {name: id, in: path, required: true, schema: {type: string}}";
const OK: &str = "responses:\n  \"200\": {description: ok}";

fn with_params(params: &[&str]) -> String {
    let mut out = String::from("parameters:\n");
    for p in params {
        out.push_str(&format!("  {p}\n"));
    }
    out.push_str(OK);
    out
}

#[test]
fn a_deprecated_parameter_removed_without_a_sunset_is_info() {
    let base = with_params(&[
        ID,
        "- {name: q, in: query, deprecated: true, schema: {type: string}}",
    ]);
    assert_eq!(
        changes(&base, &with_params(&[ID])),
        one(
            "request-parameter-removed-with-deprecation",
            Level::Info,
            &["query", "q"]
        )
    );
}

#[test]
fn a_parameter_removed_after_its_sunset_is_not_reported() {
    let base = with_params(&[
        ID,
        "- {name: q, in: query, deprecated: true, x-sunset: \"2026-01-01\", schema: {type: string}}",
    ]);
    assert!(changes(&base, &with_params(&[ID])).is_empty());
    let before_sunset = base.replace("2026-01-01", "2027-01-01");
    assert_eq!(
        changes(&before_sunset, &with_params(&[ID])),
        one(
            "request-parameter-removed-before-sunset",
            Level::Err,
            &["query", "q", "2027-01-01"]
        )
    );
}

#[test]
fn a_sunset_sooner_than_the_window_is_an_error() {
    let base = with_params(&[ID, "- {name: q, in: query, schema: {type: string}}"]);
    let revision = with_params(&[
        ID,
        "- {name: q, in: query, deprecated: true, x-sunset: \"2026-06-11\", schema: {type: string}}",
    ]);
    let options = Options {
        deprecation_days_stable: 30,
        ..options()
    };
    assert_eq!(
        changes_between("/pets/{id}", &base, "/pets/{id}", &revision, &options),
        one(
            "request-parameter-sunset-date-too-small",
            Level::Err,
            &["query", "q", "2026-06-11", "30"]
        )
    );
}

#[test]
fn deprecation_text_carries_the_sunset() {
    let base = with_params(&[ID, "- {name: q, in: query, schema: {type: string}}"]);
    let revision = with_params(&[
        ID,
        "- {name: q, in: query, deprecated: true, x-sunset: \"2099-01-01\", schema: {type: string}}",
    ]);
    let found = diff(
        &spec("/pets/{id}", &base),
        &spec("/pets/{id}", &revision),
        &options(),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "request-parameter-deprecated");
    assert_eq!(
        found[0].text,
        "`query` request parameter `q` was deprecated (sunset: 2099-01-01)"
    );
    assert!(found[0]
        .revision
        .as_ref()
        .is_some_and(|side| side.pointer.ends_with("/get/parameters/1")));
}

#[test]
fn parameters_becoming_required_break_and_optional_do_not() {
    let optional = with_params(&[ID, "- {name: q, in: query, schema: {type: string}}"]);
    let required = with_params(&[
        ID,
        "- {name: q, in: query, required: true, schema: {type: string}}",
    ]);
    assert_eq!(
        changes(&optional, &required),
        one(
            "request-parameter-became-required",
            Level::Err,
            &["query", "q"]
        )
    );
    assert_eq!(
        changes(&required, &optional),
        one(
            "request-parameter-became-optional",
            Level::Info,
            &["query", "q"]
        )
    );
}

#[test]
fn a_new_required_parameter_breaks() {
    let header = "- {name: X-Key, in: header, required: true, schema: {type: string}}";
    assert_eq!(
        changes(&with_params(&[ID]), &with_params(&[ID, header])),
        one(
            "new-required-request-parameter",
            Level::Err,
            &["header", "X-Key"]
        )
    );
}

#[test]
fn a_renamed_path_parameter_is_the_same_parameter() {
    let base = with_params(&[ID]);
    let revision =
        with_params(&["- {name: petId, in: path, required: true, schema: {type: string}}"]);
    let found = changes_between("/pets/{id}", &base, "/pets/{petId}", &revision, &options());
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_path_parameter_added_to_an_operation_is_new() {
    let base = format!("parameters: []\n{OK}");
    let revision = with_params(&[ID]);
    assert_eq!(
        changes(&base, &revision),
        one("new-request-path-parameter", Level::Err, &["id"])
    );
}

fn with_body(body: &str) -> String {
    let indented: String = body.lines().map(|l| format!("  {l}\n")).collect();
    format!("parameters:\n  {ID}\nrequestBody:\n{indented}{OK}")
}

#[test]
fn request_bodies_added_removed_and_required() {
    let none = with_params(&[ID]);
    let optional = with_body("content:\n  application/json: {schema: {type: object}}");
    let required =
        with_body("required: true\ncontent:\n  application/json: {schema: {type: object}}");
    assert_eq!(
        changes(&none, &optional),
        one("request-body-added-optional", Level::Info, &[])
    );
    assert_eq!(
        changes(&none, &required),
        one("request-body-added-required", Level::Err, &[])
    );
    assert_eq!(
        changes(&required, &none),
        one("request-body-removed", Level::Err, &[])
    );
    assert_eq!(
        changes(&optional, &required),
        one("request-body-became-required", Level::Err, &[])
    );
    assert_eq!(
        changes(&required, &optional),
        one("request-body-became-optional", Level::Info, &[])
    );
}

#[test]
fn request_body_media_types_and_their_schemas() {
    let json = with_body("content:\n  application/json: {schema: {type: object}}");
    let no_schema = with_body("content:\n  application/json: {}");
    let both = with_body(
        "content:\n  application/json: {schema: {type: object}}\n  text/plain: {schema: {type: string}}",
    );
    assert_eq!(
        changes(&no_schema, &json),
        one(
            "request-body-media-type-schema-added",
            Level::Err,
            &["application/json"]
        )
    );
    assert_eq!(
        changes(&json, &no_schema),
        one(
            "request-body-media-type-schema-removed",
            Level::Info,
            &["application/json"]
        )
    );
    assert_eq!(
        changes(&json, &both),
        one(
            "request-body-media-type-added",
            Level::Info,
            &["text/plain"]
        )
    );
    assert_eq!(
        changes(&both, &json),
        one(
            "request-body-media-type-removed",
            Level::Err,
            &["text/plain"]
        )
    );
}

fn with_responses(responses: &str) -> String {
    let indented: String = responses.lines().map(|l| format!("  {l}\n")).collect();
    format!("parameters:\n  {ID}\nresponses:\n{indented}")
}

#[test]
fn statuses_added_and_removed_by_kind() {
    let ok = with_responses("\"200\": {description: ok}");
    let more = with_responses(
        "\"200\": {description: ok}\n\"201\": {description: made}\n\"404\": {description: no}\n\"5XX\": {description: oops}",
    );
    let mut added = changes(&ok, &more);
    added.sort();
    assert_eq!(
        added,
        vec![
            (
                "response-non-success-status-added".to_string(),
                Level::Info,
                vec!["404".to_string()]
            ),
            (
                "response-success-status-added".to_string(),
                Level::Info,
                vec!["201".to_string()]
            ),
        ]
    );
    let mut removed = changes(&more, &ok);
    removed.sort();
    assert_eq!(
        removed,
        vec![
            (
                "response-non-success-status-removed".to_string(),
                Level::Info,
                vec!["404".to_string()]
            ),
            (
                "response-success-status-removed".to_string(),
                Level::Err,
                vec!["201".to_string()]
            ),
        ]
    );
}

fn answering(media_type: &str, schema: &str) -> String {
    with_responses(&format!(
        "\"200\":\n  description: ok\n  content:\n    {media_type}: {schema}"
    ))
}

#[test]
fn response_media_types_renamed_by_direction() {
    let json = answering("application/json", "{schema: {type: object}}");
    let problem = answering("application/problem+json", "{schema: {type: object}}");
    let charset = answering(
        "\"application/json; charset=utf-8\"",
        "{schema: {type: object}}",
    );
    assert_eq!(
        changes(&json, &problem),
        one(
            "response-media-type-name-specialized",
            Level::Info,
            &["application/json", "application/problem+json", "200"]
        )
    );
    assert_eq!(
        changes(&problem, &json),
        one(
            "response-media-type-name-generalized",
            Level::Err,
            &["application/problem+json", "application/json", "200"]
        )
    );
    assert_eq!(
        changes(&json, &charset),
        one(
            "response-media-type-name-changed",
            Level::Info,
            &["application/json", "application/json; charset=utf-8", "200"]
        )
    );
}

#[test]
fn response_schemas_added_and_removed() {
    let typed = answering("application/json", "{schema: {type: object}}");
    let untyped = answering("application/json", "{}");
    assert_eq!(
        changes(&untyped, &typed),
        one(
            "response-body-media-type-schema-added",
            Level::Info,
            &["application/json", "200"]
        )
    );
    assert_eq!(
        changes(&typed, &untyped),
        one(
            "response-body-media-type-schema-removed",
            Level::Warn,
            &["application/json", "200"]
        )
    );
}

fn with_header(header: &str) -> String {
    with_responses(&format!(
        "\"200\":\n  description: ok\n  headers:\n    {header}"
    ))
}

#[test]
fn response_headers_added_removed_and_made_optional() {
    let none = with_responses("\"200\": {description: ok}");
    let required = with_header("X-Rate: {required: true, schema: {type: integer}}");
    let optional = with_header("X-Rate: {schema: {type: integer}}");
    assert_eq!(
        changes(&none, &optional),
        one("response-header-added", Level::Info, &["X-Rate", "200"])
    );
    assert_eq!(
        changes(&required, &none),
        one(
            "required-response-header-removed",
            Level::Err,
            &["X-Rate", "200"]
        )
    );
    assert_eq!(
        changes(&optional, &none),
        one(
            "optional-response-header-removed",
            Level::Warn,
            &["X-Rate", "200"]
        )
    );
    assert_eq!(
        changes(&required, &optional),
        one(
            "response-header-became-optional",
            Level::Err,
            &["X-Rate", "200"]
        )
    );
}

#[test]
fn a_refined_request_media_type_is_neither_removed_nor_added() {
    let json = with_body("content:\n  application/json: {schema: {type: object}}");
    let vendor = with_body("content:\n  application/vnd.pets+json: {schema: {type: object}}");
    let found = changes(&json, &vendor);
    assert!(
        !found
            .iter()
            .any(|c| c.0.starts_with("request-body-media-type")),
        "{found:?}"
    );
    let xml = with_body("content:\n  application/xml: {schema: {type: object}}");
    let mut found = changes(&json, &xml);
    found.sort();
    assert_eq!(
        found,
        vec![
            (
                "request-body-media-type-added".to_string(),
                Level::Info,
                vec!["application/xml".to_string()]
            ),
            (
                "request-body-media-type-removed".to_string(),
                Level::Err,
                vec!["application/json".to_string()]
            ),
        ]
    );
}

#[test]
fn parameters_folded_into_an_exploded_object_are_not_removed() {
    let simple = with_params(&[
        ID,
        "- {name: color, in: query, schema: {type: string}}",
        "- {name: size, in: query, schema: {type: integer}}",
    ]);
    let exploded = with_params(&[
        ID,
        "- {name: filter, in: query, style: form, explode: true, schema: {type: object, properties: {color: {type: string}, size: {type: integer}}}}",
    ]);
    let found = changes(&simple, &exploded);
    assert!(found.is_empty(), "{found:?}");
    let not_exploded = exploded.replace("explode: true", "explode: false");
    let mut found = changes(&simple, &not_exploded);
    found.sort();
    assert_eq!(
        found.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
        vec![
            "new-optional-request-parameter",
            "request-parameter-removed",
            "request-parameter-removed"
        ]
    );
}

#[test]
fn schema_changes_under_a_renamed_media_type_are_reported() {
    let json = answering(
        "application/json",
        "{schema: {type: object, properties: {name: {type: string}}, required: [name]}}",
    );
    let problem = answering(
        "application/problem+json",
        "{schema: {type: object, properties: {name: {type: string}}}}",
    );
    let found = changes(&json, &problem);
    assert!(
        found.contains(&(
            "response-property-became-optional".to_string(),
            Level::Err,
            vec!["name".to_string(), "200".to_string()]
        )),
        "{found:?}"
    );
}

/// A response property deprecated with a sunset 10 days away, in a beta
/// operation whose path parameter was renamed: the beta window (0 days here)
/// applies, not the stable one (the operation is found though its path is
/// spelled differently in the two versions).
#[test]
fn the_deprecation_window_follows_a_renamed_operations_stability() {
    let operation = |param: &str, deprecated: &str| {
        format!(
            "x-stability-level: beta\nparameters:\n  - {{name: {param}, in: path, required: true, schema: {{type: string}}}}\nresponses:\n  \"200\":\n    description: ok\n    content:\n      application/json:\n        schema:\n          type: object\n          properties:\n            name: {{type: string{deprecated}}}\n"
        )
    };
    let base = operation("id", "");
    let revision = operation("petId", ", deprecated: true, x-sunset: \"2026-06-11\"");
    let options = Options {
        deprecation_days_beta: 0,
        deprecation_days_stable: 90,
        ..options()
    };
    let found = changes_between("/pets/{id}", &base, "/pets/{petId}", &revision, &options);
    assert_eq!(
        found,
        one(
            "response-property-deprecated-with-sunset",
            Level::Info,
            &["name", "2026-06-11"]
        )
    );
}
