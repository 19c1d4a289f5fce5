//! Conformance: every document in `conformance/openapi/invalid/` is rejected
//! for its documented reason (a distinctive word of it found in a message) at
//! a position (line ≥ 1); the valid control passes; and every spec in
//! `conformance/openapi/specs/` has no structural errors (warnings allowed).
//! Both go through [`check::validate`], the path `seam openapi validate` takes.
//! Without the data the tests skip with one visible line (and fail under CI=true).

use seam_openapi::check::{self, Validation};
use seam_openapi::model::SpecError;
use serde_json::Value;
use std::path::Path;

/// Per invalid document: a word (lower case) of its documented reason that one
/// of seam's messages must contain (`a|b`: either; the loader and the checks
/// word a few reasons differently). The INDEX's `what` says the reason in
/// full; this is the part a message about that reason cannot do without.
const REASONS: &[(&str, &str)] = &[
    (
        "validate-schema/invalid/invalid-response-code.yaml",
        "\"foobar\" is not a status code",
    ),
    (
        "validate-schema/invalid/optional-path-param.yaml",
        "\"img_id\" must be required: true",
    ),
    (
        "validate-schema/invalid/non-required-path-param.yaml",
        "\"img_id\" must be required: true",
    ),
    (
        "validate-schema/invalid/invalid-schema-type.yaml",
        "\"type\" value \"user\"",
    ),
    (
        "validate-schema/invalid/invalid-param-type.yaml",
        "type \"user\"",
    ),
    (
        "validate-schema/invalid/non-primitive-param-type.yaml",
        "type \"object\"",
    ),
    (
        "validate-schema/invalid/invalid-param-location.yaml",
        "\"in\" value \"cookie\"",
    ),
    (
        "validate-schema/invalid/file-header-param.yaml",
        "type: file is only allowed for formdata",
    ),
    (
        "validate-schema/invalid/file-body-param.yaml",
        "cannot be type: file",
    ),
    (
        "validate-schema/invalid/multi-header-param.yaml",
        "collectionformat: multi",
    ),
    (
        "validate-schema/invalid/multi-path-param.yaml",
        "collectionformat: multi",
    ),
    (
        "validate-schema/invalid/invalid-response-header-type.yaml",
        "type \"date\"",
    ),
    (
        "validate-schema/invalid/non-primitive-response-header-type.yaml",
        "type \"object\"",
    ),
    (
        "validate-schema/invalid/invalid-response-type.yaml",
        "\"type\" value \"user\"",
    ),
    (
        "validate-schema/invalid/ref-to-invalid-path.yaml",
        "does not point to a path item",
    ),
    ("validate-schema/invalid/anyof.yaml", "do not support anyof"),
    ("validate-schema/invalid/oneof.yaml", "do not support oneof"),
    (
        "validate-spec/invalid/invalid-response-code.yaml",
        "\"888\" is not a status code",
    ),
    (
        "validate-spec/invalid/duplicate-path-params.yaml",
        "\"foo\" is declared twice",
    ),
    (
        "validate-spec/invalid/duplicate-operation-params.yaml",
        "\"username\" is declared twice",
    ),
    (
        "validate-spec/invalid/multiple-path-body-params.yaml",
        "2 body parameters",
    ),
    (
        "validate-spec/invalid/multiple-operation-body-params.yaml",
        "2 body parameters",
    ),
    (
        "validate-spec/invalid/multiple-body-params.yaml",
        "2 body parameters",
    ),
    (
        "validate-spec/invalid/body-and-form-params.yaml",
        "body parameters and formdata parameters",
    ),
    (
        "validate-spec/invalid/path-param-no-placeholder.yaml",
        "\"foo\" is not in the path",
    ),
    (
        "validate-spec/invalid/path-placeholder-no-param.yaml",
        "missing path parameter(s) for {foo}",
    ),
    (
        "validate-spec/invalid/duplicate-path-placeholders.yaml",
        "{username} more than once",
    ),
    (
        "validate-spec/invalid/no-path-params.yaml",
        "missing path parameter(s) for {foo}, {username}",
    ),
    (
        "validate-spec/invalid/array-no-items.yaml",
        "must include an \"items\"",
    ),
    (
        "validate-spec/invalid/array-body-no-items.yaml",
        "must include an \"items\"",
    ),
    (
        "validate-spec/invalid/array-response-header-no-items.yaml",
        "must include an \"items\"",
    ),
    (
        "validate-spec/invalid/file-no-consumes.yaml",
        "must consume multipart/form-data",
    ),
    (
        "validate-spec/invalid/file-invalid-consumes.yaml",
        "must consume multipart/form-data",
    ),
    (
        "validate-spec/invalid/required-property-not-defined-input.yaml",
        "\"notexists\" is listed as required",
    ),
    (
        "validate-spec/invalid/required-property-not-defined-definitions.yaml",
        "\"photourls\" is listed as required",
    ),
    (
        "validate-spec/invalid/duplicate-operation-ids.yaml",
        "duplicate operationid \"users\"",
    ),
    (
        "validate-spec/invalid/array-response-body-no-items.yaml",
        "must include an \"items\"",
    ),
    ("specs/invalid/not-swagger.yaml", "not an openapi document"),
    ("specs/invalid/no-paths-or-webhooks.yaml", "3.1"),
    ("specs/invalid/old-version.yaml", "1.2"),
    ("specs/invalid/newer-version.yaml", "swagger: 3.0"),
    ("specs/invalid/numeric-version.yaml", "quote it"),
    (
        "specs/invalid/numeric-info-version.yaml",
        "\"version\" must be a string",
    ),
    (
        "fail/example-examples.yaml",
        "both \"example\" and \"examples\"",
    ),
    ("fail/header-object-allowreserved.yaml", "allowreserved"),
    (
        "fail/invalid_schema_types.yaml",
        "a schema must be an object or a boolean",
    ),
    ("fail/link-object-no-body.yaml", "unknown field \"body\""),
    (
        "fail/no_containers.yaml",
        "at least one of \"paths\", \"components\" or \"webhooks\"",
    ),
    (
        "fail/parameter-object-cookie-form-allowreserved.yaml",
        "allowreserved",
    ),
    (
        "fail/parameter-object-header-allowreserved.yaml",
        "allowreserved",
    ),
    (
        "fail/parameter-object-path-allowreserved.yaml",
        "allowreserved",
    ),
    (
        "fail/server_enum_empty.yaml",
        "\"enum\" must list at least one value",
    ),
    (
        "fail/servers.yaml",
        "\"servers\" must be an array|a list of servers",
    ),
    ("fail/unknown_container.yaml", "unknown field \"overlays\""),
    (
        "validate/missing-required-info.yaml",
        "info.version is an empty string",
    ),
    ("validate/openapi-version-empty.yaml", "openapi"),
    (
        "validate/license-identifier-in-3-0.yaml",
        "\"identifier\" is an openapi 3.1 field",
    ),
    (
        "validate/webhooks-in-3-0.yaml",
        "\"webhooks\" is an openapi 3.1 field",
    ),
    ("validate/schema-3-1-keyword-in-3-0.yaml", "\"const\""),
    (
        "validate/server-url-mismatched-braces.yaml",
        "mismatched braces",
    ),
    ("validate/operation-missing-responses.yaml", "\"responses\""),
    ("validate/shared-schema-bad-example.yaml", "example"),
    (
        "validate/path-parameter-not-required.yaml",
        "must be required: true",
    ),
    (
        "validate/duplicate-operation-id.yaml",
        "duplicate operationid \"shared\"",
    ),
    (
        "validate/extra-sibling-fields.yaml",
        "fields beside \"$ref\" are ignored",
    ),
    (
        "validate/schema-type-unsupported.yaml",
        "unsupported \"type\" value \"foobar\"",
    ),
    (
        "validate/parameter-in-invalid.yaml",
        "\"in\" value \"body\"|found `body`",
    ),
    ("validate/schema-pattern-regex-invalid.yaml", "look-around"),
    (
        "validate/conflicting-paths.yaml",
        "differ only in their parameter names",
    ),
    (
        "validate/duplicate-parameter.yaml",
        "\"limit\" is declared twice",
    ),
    (
        "validate/path-must-start-with-slash.yaml",
        "must start with \"/\"",
    ),
    ("validate/security-schemes-invalid.yaml", "\"bogus\""),
    (
        "oasdiff/data/openapi-test2.yaml",
        "missing path parameter(s) for {domain}, {project}",
    ),
    (
        "oasdiff/data/openapi-test3.yaml",
        "needs a \"value\" or an \"externalvalue\"",
    ),
    ("oasdiff/data/openapi-test1.yaml", "example"),
    ("v2.0/empty.yaml", "\"info\""),
    ("v3.0/empty.yaml", "\"info\""),
    ("v3.0/missing-description.yaml", "\"description\""),
    ("v3.0/property-missing-reference.yaml", "<some-broken-uri>"),
    ("v2.0/missing-reference.yaml", "definitions/pets"),
];

/// Documents whose documented problem is one that OpenAPI allows and tools
/// only warn about (oasdiff reports them at WARN or INFO; the spec text says
/// the field is ignored, or the regex dialect is ECMA-262's): seam reports
/// them as warnings, and the document as valid.
///
/// A property listed in `required` but not defined: swagger-parser refuses
/// it, but JSON Schema (and OpenAPI's own schema) allows it ("present, any
/// value"), and a real spec (docker.yaml in specs/) has it: seam warns, so
/// that spec still loads and mocks.
const WARNED: &[&str] = &[
    "validate-spec/invalid/required-property-not-defined-input.yaml",
    "validate-spec/invalid/required-property-not-defined-definitions.yaml",
    "validate/extra-sibling-fields.yaml",
    "validate/schema-pattern-regex-invalid.yaml",
    "validate/shared-schema-bad-example.yaml",
    "oasdiff/data/openapi-test1.yaml",
];

/// Documents of `specs/` with a structural error by the letter of the spec (or
/// that cannot be read offline), and (part of) the error seam reports; Prism
/// loads the second anyway (so does seam: `check` finds it, `load` does not).
const SPECS_WITH_ERRORS: &[(&str, &str)] = &[(
    "prism/examples/callbacks/payment-service.oas3.yaml",
    "the document is missing the required field \"info\"",
)];

fn index(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("INDEX.json")).expect("INDEX.json is readable");
    serde_json::from_str(&text).expect("INDEX.json is JSON")
}

fn positioned(e: &SpecError) -> bool {
    e.at.line_column().0.is_some_and(|line| line >= 1)
}

fn lines(all: &[SpecError]) -> String {
    all.iter().map(|e| format!("\n    {e}")).collect()
}

#[test]
fn every_invalid_document_is_rejected_for_its_reason_at_a_position() {
    let Some(dir) = seam_testkit::conformance_dir("openapi", "invalid_specs") else {
        return;
    };
    let dir = dir.join("invalid");
    let index = index(&dir);
    let mut failures = vec![];
    let mut checked = 0;
    for doc in index["documents"].as_array().expect("documents") {
        let file = doc["file"].as_str().expect("file");
        let path = dir.join(file);
        let Validation {
            errors, warnings, ..
        } = check::validate(&path);
        if doc["valid"] == true {
            if !errors.is_empty() {
                failures.push(format!(
                    "{file}: the valid control has errors:{}",
                    lines(&errors)
                ));
            }
            checked += 1;
            continue;
        }
        let Some((_, word)) = REASONS
            .iter()
            .find(|(suffix, _)| file.to_lowercase().ends_with(suffix))
        else {
            failures.push(format!(
                "{file}: no reason listed in REASONS for it ({})",
                doc["what"]
            ));
            continue;
        };
        let warned = WARNED.iter().any(|s| file.ends_with(s));
        let reported = if warned { &warnings } else { &errors };
        let hit = reported.iter().find(|e| {
            let message = e.at.message.to_lowercase();
            word.split('|').any(|w| message.contains(w))
        });
        match hit {
            None => failures.push(format!(
                "{file}: expected {} saying \"{word}\" ({}), got errors:{} warnings:{}",
                if warned { "a warning" } else { "an error" },
                doc["what"],
                lines(&errors),
                lines(&warnings)
            )),
            Some(e) if !positioned(e) => {
                failures.push(format!("{file}: the error has no line: {e}"))
            }
            Some(_) if warned && !errors.is_empty() => failures.push(format!(
                "{file}: a warning-level problem, but errors too:{}",
                lines(&errors)
            )),
            Some(_) => {}
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} documents:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 80, "only {checked} documents checked");
}

#[test]
fn every_real_spec_has_no_structural_errors() {
    let Some(dir) = seam_testkit::conformance_dir("openapi", "invalid_specs") else {
        return;
    };
    let dir = dir.join("specs");
    let index = index(&dir);
    let mut failures = vec![];
    let mut checked = 0;
    for spec in index["specs"].as_array().expect("specs") {
        let file = spec["file"].as_str().expect("file");
        let path = dir.join(file);
        let validation = check::validate(&path);
        let expected = SPECS_WITH_ERRORS
            .iter()
            .find(|(f, _)| *f == file)
            .map(|(_, m)| *m);
        match expected {
            Some(message)
                if !validation
                    .errors
                    .iter()
                    .any(|e| e.at.message.contains(message) && positioned(e)) =>
            {
                failures.push(format!(
                    "{file}: expected the error \"{message}\", got:{}",
                    lines(&validation.errors)
                ))
            }
            Some(_) => {}
            None if !validation.errors.is_empty() => failures.push(format!(
                "{file}:{}",
                lines(&validation.errors[..validation.errors.len().min(10)])
            )),
            None => {}
        }
        checked += 1;
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} specs:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 60, "only {checked} specs checked");
}
