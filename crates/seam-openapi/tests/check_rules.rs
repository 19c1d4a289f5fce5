//! The structural checks, one rule at a time, on small documents: what is
//! reported, where (file:line:col and pointer), and in which words.

use seam_openapi::check::{check, check_document, lint, Problem};
use seam_openapi::load::load_str;
use seam_openapi::model::SpecVersion;
use serde_json::Value;

fn problems(version: SpecVersion, text: &str) -> Vec<Problem> {
    let doc: Value = seam_core::yaml::from_str("api.yaml", text).expect("test YAML parses");
    check_document(&doc, version)
}

fn errors(version: SpecVersion, text: &str) -> Vec<(String, String)> {
    problems(version, text)
        .into_iter()
        .filter(|p| !p.warning)
        .map(|p| (p.pointer, p.message))
        .collect()
}

fn warnings(version: SpecVersion, text: &str) -> Vec<(String, String)> {
    problems(version, text)
        .into_iter()
        .filter(|p| p.warning)
        .map(|p| (p.pointer, p.message))
        .collect()
}

/// The one error of a document, or a panic listing them all.
fn one_error(version: SpecVersion, text: &str) -> (String, String) {
    let mut all = errors(version, text);
    assert_eq!(all.len(), 1, "expected one error, got {all:#?}");
    all.remove(0)
}

const V30: SpecVersion = SpecVersion::V30;
const V31: SpecVersion = SpecVersion::V31;
const V2: SpecVersion = SpecVersion::Swagger2;

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

#[test]
fn a_valid_document_has_no_problems() {
    let text = format!(
        "{HEAD}servers: [{{url: 'https://{{region}}.example.com/v1', variables: {{region: {{default: eu, enum: [eu, us]}}}}}}]\npaths:\n  /pets/{{id}}:\n    parameters: [{{name: id, in: path, required: true, schema: {{type: integer}}}}]\n    get:\n      operationId: getPet\n      security: [{{key: []}}]\n      parameters: [{{name: fields, in: query, style: form, explode: false, schema: {{type: array, items: {{type: string}}}}}}]\n      responses:\n        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '#/components/schemas/Pet'}}}}}}}}\n        4XX: {{description: client error}}\n        default: {{description: other}}\ncomponents:\n  schemas:\n    Pet: {{type: object, required: [id], properties: {{id: {{type: integer}}, tag: {{type: string, nullable: true}}}}}}\n  securitySchemes:\n    key: {{type: apiKey, name: X-Key, in: header}}\n"
    );
    assert_eq!(problems(V30, &text), vec![]);
}

#[test]
fn required_fields_are_named() {
    let (at, message) = one_error(V30, "openapi: 3.0.3\ninfo: {title: t}\npaths: {}\n");
    assert_eq!(at, "#/info");
    assert_eq!(message, "info is missing the required field \"version\"");
    let all = errors(V30, "openapi: 3.0.3\n");
    assert!(all.iter().any(|(_, m)| m.contains("\"info\"")), "{all:?}");
    assert!(all.iter().any(|(_, m)| m.contains("\"paths\"")), "{all:?}");
    // 3.1: paths optional, but something must be there
    let (_, message) = one_error(V31, "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n");
    assert!(message.contains("at least one of \"paths\", \"components\" or \"webhooks\""));
    let (at, message) = one_error(
        V30,
        &format!("{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200': {{}}\n"),
    );
    assert_eq!(at, "#/paths/~1a/get/responses/200");
    assert_eq!(
        message,
        "a response is missing the required field \"description\""
    );
    let (at, _) = one_error(V30, &format!("{HEAD}paths:\n  /a:\n    get: {{}}\n"));
    assert_eq!(at, "#/paths/~1a/get", "3.0 operations need responses");
    assert!(errors(
        V31,
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {}\n"
    )
    .is_empty());
}

#[test]
fn wrong_types_name_the_expected_type() {
    let (at, message) = one_error(
        V30,
        "openapi: 3.0.3\ninfo: {title: t, version: 1.0}\npaths: {}\n",
    );
    assert_eq!(at, "#/info/version");
    assert_eq!(
        message,
        "\"version\" must be a string, got a number 1.0 (quote it: \"1.0\")"
    );
    let (at, message) = one_error(
        V31,
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nservers: {url: /}\npaths: {}\n",
    );
    assert_eq!(at, "#/servers");
    assert_eq!(message, "\"servers\" must be an array, got an object");
    let (_, message) = one_error(
        V30,
        &format!("{HEAD}paths:\n  /a:\n    get:\n      deprecated: 'yes'\n      responses: {{default: {{description: x}}}}\n"),
    );
    assert_eq!(
        message,
        "\"deprecated\" must be a boolean (true or false), got a string \"yes\""
    );
}

#[test]
fn unknown_fields_are_errors_with_a_suggestion_and_x_extensions_are_fine() {
    let (at, message) = one_error(
        V30,
        &format!("{HEAD}x-anything: 1\npaths:\n  /a:\n    get:\n      sumary: s\n      responses: {{default: {{description: x}}}}\n"),
    );
    assert_eq!(at, "#/paths/~1a/get/sumary");
    assert!(
        message.starts_with("unknown field \"sumary\" in an operation (did you mean `summary`?)"),
        "{message}"
    );
    let (at, message) = one_error(V30, &format!("{HEAD}paths: {{}}\nwebhooks: {{}}\n"));
    assert_eq!(at, "#/webhooks");
    assert_eq!(
        message,
        "\"webhooks\" is an OpenAPI 3.1 field; this document is OpenAPI 3.0 (declare openapi: 3.1.0 to use it)"
    );
}

#[test]
fn status_keys_are_codes_ranges_or_default() {
    let text = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200': {{description: ok}}\n        2XX: {{description: ok}}\n        '20': {{description: no}}\n        '600': {{description: no}}\n        ok: {{description: no}}\n"
    );
    let all = errors(V30, &text);
    let at: Vec<&str> = all.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        at,
        [
            "#/paths/~1a/get/responses/20",
            "#/paths/~1a/get/responses/600",
            "#/paths/~1a/get/responses/ok"
        ]
    );
    assert!(all[0]
        .1
        .contains("is not a status code (100-599), a range (2XX), nor \"default\""));
    // 2.0 has no ranges
    let v2 = "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        2XX: {description: no}\n";
    assert_eq!(one_error(V2, v2).0, "#/paths/~1a/get/responses/2XX");
}

#[test]
fn parameter_locations_and_styles() {
    let text = format!(
        "{HEAD}paths:\n  /a:\n    get:\n      parameters:\n        - {{name: b, in: body, schema: {{}}}}\n        - {{name: h, in: header, style: form, schema: {{}}}}\n        - {{name: q, in: query, style: deepObject, schema: {{type: object}}}}\n        - {{name: c, in: cookie, allowReserved: true, schema: {{}}}}\n      responses: {{default: {{description: x}}}}\n"
    );
    let all = errors(V30, &text);
    assert_eq!(all.len(), 3, "{all:#?}");
    assert_eq!(all[0].0, "#/paths/~1a/get/parameters/0/in");
    assert!(all[0].1.starts_with("parameter can't have \"in\" value \"body\": it must be query, header, path or cookie (a Swagger 2.0 location"));
    assert_eq!(all[1].0, "#/paths/~1a/get/parameters/1/style");
    assert_eq!(
        all[1].1,
        "style \"form\" is not allowed for header parameters: use simple"
    );
    assert_eq!(all[2].0, "#/paths/~1a/get/parameters/3/allowReserved");
}

#[test]
fn path_templates_and_path_parameters_agree() {
    let text = format!(
        "{HEAD}paths:\n  /users/{{id}}/{{tab}}:\n    parameters: [{{name: id, in: path, required: true, schema: {{}}}}]\n    get:\n      parameters: [{{name: extra, in: path, required: true, schema: {{}}}}]\n      responses: {{default: {{description: x}}}}\n    put:\n      parameters: [{{name: tab, in: path, schema: {{}}}}]\n      responses: {{default: {{description: x}}}}\n"
    );
    let all = errors(V30, &text);
    let p = "#/paths/~1users~1{id}~1{tab}";
    assert!(all.contains(&(
        format!("{p}/get/parameters/0"),
        "path parameter \"extra\" is not in the path \"/users/{id}/{tab}\" (add {extra} to the path, or declare it in: query)".into()
    )), "{all:#?}");
    assert!(all.contains(&(
        format!("{p}/get"),
        "GET /users/{id}/{tab} is missing path parameter(s) for {tab}: declare each with in: path, required: true".into()
    )), "{all:#?}");
    assert!(
        all.contains(&(
            format!("{p}/put/parameters/0/name"),
            "path parameter \"tab\" must be required: true (a path parameter is always sent)"
                .into()
        )),
        "{all:#?}"
    );
    assert_eq!(all.len(), 3, "{all:#?}");
}

#[test]
fn a_path_parameter_differing_in_case_is_named() {
    let text = format!(
        "{HEAD}paths:\n  /a/{{id}}:\n    get:\n      parameters: [{{name: Id, in: path, required: true, schema: {{}}}}]\n      responses: {{default: {{description: x}}}}\n"
    );
    let all = errors(V30, &text);
    assert!(all.contains(&(
        "#/paths/~1a~1{id}/get/parameters/0".into(),
        "path parameter \"Id\" is not in the path \"/a/{id}\" (the path has {id}: names are case-sensitive and must match)".into()
    )), "{all:#?}");
}

#[test]
fn duplicates_and_conflicting_paths() {
    let text = format!(
        "{HEAD}paths:\n  /pets/{{id}}:\n    get:\n      operationId: pet\n      parameters:\n        - {{name: id, in: path, required: true, schema: {{}}}}\n        - {{name: X-A, in: header, schema: {{}}}}\n        - {{name: x-a, in: header, schema: {{}}}}\n      responses: {{default: {{description: x}}}}\n  /pets/{{name}}:\n    get:\n      operationId: pet\n      parameters: [{{name: name, in: path, required: true, schema: {{}}}}]\n      responses: {{default: {{description: x}}}}\n"
    );
    let all = errors(V30, &text);
    assert_eq!(all.len(), 3, "{all:#?}");
    let find = |at: &str| {
        all.iter()
            .find(|(p, _)| p == at)
            .map(|(_, m)| m.as_str())
            .unwrap_or_else(|| panic!("nothing at {at}: {all:#?}"))
    };
    assert!(find("#/paths/~1pets~1{id}/get/parameters/2")
        .starts_with("header parameter \"x-a\" is declared twice (also at #/paths/~1pets~1{id}/get/parameters/1)"));
    assert_eq!(
        find("#/paths/~1pets~1{name}"),
        "paths \"/pets/{id}\" and \"/pets/{name}\" differ only in their parameter names: a request cannot tell them apart"
    );
    assert_eq!(
        find("#/paths/~1pets~1{name}/get/operationId"),
        "duplicate operationId \"pet\": already used at #/paths/~1pets~1{id}/get"
    );
}

#[test]
fn security_requirements_name_defined_schemes() {
    let text = format!(
        "{HEAD}security: [{{apiKey: []}}]\npaths: {{}}\ncomponents:\n  securitySchemes:\n    api_key: {{type: apiKey, name: k, in: query}}\n    basic: {{type: http, scheme: Basic}}\n    odd: {{type: http, scheme: bogus}}\n"
    );
    let all = errors(V30, &text);
    assert_eq!(all.len(), 2, "{all:#?}");
    assert_eq!(all[0].0, "#/components/securitySchemes/odd/scheme");
    assert_eq!(all[1].0, "#/security/0/apiKey");
    assert_eq!(
        all[1].1,
        "security requirement names \"apiKey\", which is not defined in components.securitySchemes (did you mean `api_key`?)"
    );
}

#[test]
fn schemas_are_checked_for_their_version() {
    let schema = |s: &str| format!("{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {s}\n");
    let (at, message) = one_error(V30, &schema("{type: strin}"));
    assert_eq!(at, "#/components/schemas/A/type");
    assert!(
        message.starts_with("unsupported \"type\" value \"strin\" (did you mean `string`?)"),
        "{message}"
    );
    let (at, message) = one_error(V30, &schema("{const: 1}"));
    assert_eq!(at, "#/components/schemas/A/const");
    assert!(message.contains("OpenAPI 3.1"), "{message}");
    let (_, message) = one_error(V30, &schema("{type: [string, 'null']}"));
    assert!(message.contains("use nullable: true"), "{message}");
    // 3.1: type lists and const are fine, boolean schemas too
    let v31 = |s: &str| {
        format!("openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\ncomponents:\n  schemas:\n    A: {s}\n")
    };
    assert!(errors(V31, &v31("{type: [string, 'null'], const: x}")).is_empty());
    assert!(errors(V31, &v31("true")).is_empty());
    assert_eq!(
        one_error(V31, &v31("3")).1,
        "a schema must be an object or a boolean, got a number"
    );
    // 2.0: no anyOf; required properties should be defined
    let v2 = "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\ndefinitions:\n  A: {type: object, required: [id], properties: {name: {type: string}}}\n  B: {anyOf: [{type: string}]}\n";
    let all = errors(V2, v2);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(
        all[0].1,
        "Swagger 2.0 schemas do not support anyOf (only allOf)"
    );
    // JSON Schema allows it (present, any value): a warning
    assert_eq!(
        warnings(V2, v2)[0].1,
        "property \"id\" is listed as required but is not defined in \"properties\""
    );
}

#[test]
fn likely_mistakes_are_warnings() {
    let text = format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '#/components/schemas/B', description: d}}\n    B: {{type: string, pattern: '(?=x)y', minimum: 1, maximumm: 2}}\n"
    );
    assert!(errors(V30, &text).is_empty());
    let all = warnings(V30, &text);
    assert_eq!(all.len(), 3, "{all:#?}");
    assert!(all[0]
        .1
        .starts_with("fields beside \"$ref\" are ignored in OpenAPI 3.0: description"));
    assert!(all[1].1.contains("RE2-style"), "{}", all[1].1);
    assert!(
        all[2].1.contains("(did you mean `maximum`?)"),
        "{}",
        all[2].1
    );
}

#[test]
fn version_fields_are_strings_of_the_version() {
    let (at, message) = one_error(
        V2,
        "swagger: 2.0\ninfo: {title: t, version: '1'}\npaths: {}\n",
    );
    assert_eq!(at, "#/swagger");
    assert_eq!(
        message,
        "\"swagger\" must be the string \"2.0\" for a Swagger 2.0 document, got 2.0 (a number: quote it, \"2.0\")"
    );
    assert_eq!(
        one_error(
            V30,
            "openapi: '3.0'\ninfo: {title: t, version: '1'}\npaths: {}\n"
        )
        .0,
        "#/openapi"
    );
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let mut schema = serde_json::json!({"type": "string"});
    for _ in 0..300 {
        schema = serde_json::json!({"type": "array", "items": schema});
    }
    let doc = serde_json::json!({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
        "components": {"schemas": {"A": schema}}
    });
    let all = check_document(&doc, V30);
    assert!(
        all.iter()
            .any(|p| p.message.contains("nested more than 256 levels")),
        "{all:?}"
    );
}

#[test]
fn errors_are_positioned_in_the_file() {
    let text = "openapi: 3.0.3\ninfo:\n  title: t\n  version: '1'\npaths:\n  /a/{id}:\n    get:\n      responses:\n        '200':\n          description: ok\n";
    let spec = match load_str("api.yaml", text) {
        Ok(spec) => spec,
        Err(e) => panic!("the loader refused it: {e:?}"),
    };
    let errors = check(&spec);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        "api.yaml:7:5: #/paths/~1a~1{id}/get: GET /a/{id} is missing path parameter(s) for {id}: declare each with in: path, required: true"
    );
    assert!(lint(&spec).is_empty());
}
