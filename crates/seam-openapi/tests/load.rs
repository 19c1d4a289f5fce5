//! The loader on hand-written specs: the model built from a one-file 3.0 YAML
//! and 3.1 JSON document (refs followed, parameters merged, security in effect,
//! callbacks, webhooks, servers), and bad documents refused with a place.

use seam_openapi::load::{load, load_str};
use seam_openapi::model::{
    ParamLocation, SecurityKind, SecurityRequirement, SpecVersion, StatusKey, Style,
};
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn errors_of(file: &str, text: &str) -> Vec<String> {
    match load_str(file, text) {
        Ok(_) => panic!("{file} loaded"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_3_0_yaml_spec_becomes_the_model() {
    let spec = load(&data("load-petstore.yaml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(spec.version, SpecVersion::V30);
    assert_eq!(spec.title, "Load petstore");
    assert_eq!(spec.api_version, "1.2.0");
    assert_eq!(spec.servers.len(), 1);
    assert_eq!(spec.servers[0].resolved_url, "https://eu.example.com/v1");
    assert_eq!(spec.servers[0].url, "https://{region}.example.com/v1");

    let labels: Vec<String> = spec.operations.iter().map(|o| o.label()).collect();
    assert_eq!(
        labels,
        ["GET /pets", "POST /pets", "GET /pets/{petId}"],
        "document order"
    );

    // Path-level parameters merged: the operation's `limit` wins, in place.
    let list = spec.operation_by_id("listPets").unwrap();
    let params: Vec<(&str, ParamLocation, bool)> = list
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.location, p.required))
        .collect();
    assert_eq!(
        params,
        [
            ("x-trace", ParamLocation::Header, false),
            ("limit", ParamLocation::Query, true),
            ("sort", ParamLocation::Query, false),
        ]
    );
    assert_eq!(list.parameters[0].pointer, "#/components/parameters/Trace");
    assert_eq!(
        spec.schema(list.parameters[1].schema.as_ref().unwrap()),
        Some(&serde_json::json!({"type": "integer", "maximum": 100}))
    );
    assert_eq!(list.parameters[1].style, Style::Form);
    assert!(list.parameters[1].explode);
    assert_eq!(list.parameters[2].style, Style::PipeDelimited);
    assert!(!list.parameters[2].explode);
    assert_eq!(list.tags, ["pets"]);

    // Responses in order, an unquoted YAML `200:` key, refs followed.
    let statuses: Vec<StatusKey> = list.responses.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            StatusKey::Code(200),
            StatusKey::Range(4),
            StatusKey::Default
        ]
    );
    let ok = &list.responses[0];
    assert_eq!(ok.headers[0].name, "X-Total");
    assert!(ok.headers[0].required);
    assert_eq!(ok.headers[0].pointer, "#/components/headers/Total");
    let json = &ok.content[0];
    assert_eq!(json.media_type, "application/json");
    assert_eq!(
        json.schema.as_ref().unwrap().0,
        "#/paths/~1pets/get/responses/200/content/application~1json/schema"
    );
    assert_eq!(json.examples[0].name, "two");
    assert_eq!(json.examples[0].summary.as_deref(), Some("two pets"));
    assert_eq!(json.examples[0].value.as_ref().unwrap()[1]["name"], "Tom");
    assert_eq!(list.responses[1].description, "a problem");
    assert_eq!(list.responses[1].pointer, "#/components/responses/Problem");
    assert_eq!(list.response_for(404).unwrap().status, StatusKey::Range(4));

    // Security: the document's, unless the operation says otherwise.
    let api_key = SecurityRequirement {
        schemes: vec![("apiKey".into(), vec![])],
    };
    assert_eq!(list.security, [api_key]);
    assert!(!list.is_public());
    let create = spec.operation_by_id("createPet").unwrap();
    assert!(create.security.is_empty() && create.is_public());
    let show = spec.operation_by_id("showPet").unwrap();
    assert_eq!(show.security.len(), 2);
    assert_eq!(
        show.security[1].schemes,
        [
            ("apiKey".to_string(), vec![]),
            ("oauth".to_string(), vec!["read".to_string()])
        ]
    );
    // A path parameter is required even when it does not say so (a warning).
    assert!(show.parameters[0].required);
    assert!(spec
        .warnings
        .iter()
        .any(|w| w.to_string().contains("`petId` must say `required: true`")));
    assert_eq!(show.responses[0].links[0].0, "owner");

    // Request bodies and callbacks.
    let body = create.request_body.as_ref().unwrap();
    assert!(body.required);
    assert_eq!(body.pointer, "#/components/requestBodies/NewPet");
    assert_eq!(body.content.len(), 2);
    assert_eq!(
        create.responses[0].content[0].examples[0].name, "default",
        "a single `example` is named default"
    );
    let cb = &create.callbacks[0];
    assert_eq!(cb.name, "petCreated");
    assert_eq!(cb.expression, "{$request.body#/callbackUrl}");
    assert_eq!(
        cb.operations[0].label(),
        "POST {$request.body#/callbackUrl}"
    );

    // Security schemes in document order.
    let kinds: Vec<&SecurityKind> = spec.security_schemes.iter().map(|s| &s.kind).collect();
    assert_eq!(
        kinds[0],
        &SecurityKind::ApiKey {
            name: "X-Api-Key".into(),
            location: ParamLocation::Header
        }
    );
    assert_eq!(
        kinds[1],
        &SecurityKind::Http {
            scheme: "bearer".into(),
            bearer_format: Some("JWT".into())
        }
    );
    assert!(matches!(kinds[2], SecurityKind::OAuth2 { .. }));
    assert!(matches!(kinds[3], SecurityKind::OpenIdConnect { .. }));
}

#[test]
fn a_3_1_json_spec_has_webhooks_from_component_path_items() {
    let spec = load(&data("load-webhooks.json")).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(spec.version, SpecVersion::V31);
    assert!(spec.operations.is_empty());
    assert_eq!(spec.webhooks.len(), 1);
    let hook = &spec.webhooks[0];
    assert_eq!(hook.label(), "POST newPet");
    assert_eq!(hook.pointer, "#/components/pathItems/NewPet/post");
    assert_eq!(spec.security_schemes[0].kind, SecurityKind::MutualTls);
}

#[test]
fn versions_that_are_not_read_are_refused_with_the_ones_that_are() {
    let e = errors_of("v.yaml", "info: {title: t}\nswagger: 2.0\n");
    assert_eq!(
        e,
        ["v.yaml:2:1: #/swagger: `swagger` must be the string \"2.0\" (quote it), found a number"]
    );
    let e = errors_of("v.yaml", "swagger: '1.2'\n");
    assert!(e[0].starts_with("v.yaml:1:1: #/swagger: unsupported version `swagger: 1.2`: the versions read are OpenAPI 3.0.x and 3.1.x"), "{e:?}");
    let e = errors_of("v.yaml", "openapi: '3.2.0'\n");
    assert!(
        e[0].contains("unsupported version `openapi: 3.2.0`"),
        "{e:?}"
    );
    let e = errors_of("v.yaml", "openapi: 3.1\n");
    assert!(e[0].contains("must be a string"), "{e:?}");
    let e = errors_of("v.json", "{\"type\": \"object\"}");
    assert!(
        e[0].starts_with("v.json:1:1: this is not an OpenAPI document"),
        "{e:?}"
    );
    let e = errors_of("v.yaml", "- a\n");
    assert!(e[0].contains("found an array"), "{e:?}");
}

#[test]
fn parse_errors_are_placed() {
    let e = errors_of("d.yaml", "openapi: 3.0.3\ninfo: {}\ninfo: {}\n");
    assert_eq!(e, ["d.yaml:3:1: the key `info` is given twice"]);
    let e = errors_of("d.json", "{\n  \"openapi\": \"3.0.3\",\n  \"info\": {,}\n}");
    assert!(e[0].starts_with("d.json:3:12: not valid JSON"), "{e:?}");
    // A BOM is accepted.
    load_str(
        "b.yaml",
        "\u{feff}openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n",
    )
    .unwrap();
}

#[test]
fn refs_that_loop_or_name_nothing_are_errors_not_hangs() {
    let text = r##"openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      parameters:
        - $ref: '#/components/parameters/A'
        - $ref: '#/components/parameters/Missing'
      responses:
        '200': {$ref: './other.yaml#/components/responses/X'}
        '201': {$ref: 'https://example.com/r.yaml'}
components:
  parameters:
    A: {$ref: '#/components/parameters/B'}
    B: {$ref: '#/components/parameters/A'}
"##;
    let e = errors_of("r.yaml", text);
    // the remote ref (201) is a warning, not an error: see remote_refs_are_warnings
    assert_eq!(e.len(), 3, "{e:#?}");
    assert_eq!(
        e[0],
        "r.yaml:8:11: #/paths/~1a/get/parameters/1/$ref: `#/components/parameters/Missing` names nothing in the document"
    );
    assert!(e[1].contains("refers to another file"), "{e:?}");
    assert_eq!(
        e[2],
        "r.yaml:15:9: #/components/parameters/B/$ref: `$ref`s loop: #/components/parameters/A → #/components/parameters/B → #/components/parameters/A"
    );
}

#[test]
fn wrong_kinds_are_errors_with_their_pointer() {
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters: {name: x}\n      responses:\n        '20X': {description: x}\n    post:\n      parameters:\n        - {name: q, in: body}\n        - {name: s, in: query, style: fancy}\n";
    let e = errors_of("w.yaml", text);
    assert_eq!(
        e,
        [
            "w.yaml:6:7: #/paths/~1a/get/parameters: expected a list of parameters, found an object",
            "w.yaml:8:9: #/paths/~1a/get/responses/20X: `20X` is not a response status: write a code (200), a range (2XX) or `default`",
            "w.yaml:11:21: #/paths/~1a/post/parameters/0/in: a parameter's `in` must be path, query, header or cookie, found `body`",
            "w.yaml:12:32: #/paths/~1a/post/parameters/1/style: unknown parameter style `fancy`: expected one of matrix, label, form, simple, spaceDelimited, pipeDelimited, deepObject",
        ]
    );
}

#[test]
fn a_swagger_2_spec_is_converted_and_its_components_placed_in_2_0_terms() {
    let text = "swagger: '2.0'\ninfo: {title: t, version: '1'}\nbasePath: /v1\npaths:\n  /pets:\n    get:\n      produces: [application/json]\n      responses:\n        200:\n          description: ok\n          schema: {$ref: '#/definitions/Pet'}\ndefinitions:\n  Pet:\n    type: object\n";
    let spec = load_str("s.yaml", text).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(spec.version, SpecVersion::Swagger2);
    assert_eq!(spec.operations[0].label(), "GET /pets");
    assert_eq!(spec.servers[0].resolved_url, "/v1");
    assert_eq!(spec.locate("#/components/schemas/Pet"), "s.yaml:13:3");
    assert_eq!(spec.locate("#/paths/~1pets/get"), "s.yaml:6:5");
}

#[test]
fn a_one_file_spec_refuses_refs_to_other_files_anywhere() {
    let text = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ncomponents:\n  schemas:\n    Pet:\n      properties:\n        owner: {$ref: 'owner.yaml'}\n        self: {$ref: '#'}\n        anchored: {$ref: '#pet'}\n";
    let e = errors_of("one.yaml", text);
    assert_eq!(
        e,
        ["one.yaml:7:17: #/components/schemas/Pet/properties/owner/$ref: `owner.yaml` refers to another file: load the spec from its file so refs to other files can be followed"]
    );
}

#[test]
fn remote_refs_are_warnings_and_never_followed() {
    let text = r##"openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /a:
    get:
      parameters:
        - {name: q, in: query, schema: {$ref: 'https://example.com/s.json'}}
      responses:
        '200': {$ref: 'https://example.com/r.yaml'}
"##;
    let spec = load_str("w.yaml", text).expect("loads");
    let warnings: Vec<String> = spec.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("w.yaml:7:")
            && w.contains("remote reference not followed: `https://example.com/s.json`")
            && w.contains("the schema is treated as unconstrained")),
        "{warnings:#?}"
    );
    assert!(
        warnings.iter().any(|w| w.starts_with("w.yaml:9:")
            && w.contains("`https://example.com/r.yaml`")
            && w.contains("left out")),
        "{warnings:#?}"
    );
    let op = &spec.operations[0];
    assert!(op.responses.is_empty(), "the remote response is left out");
    assert_eq!(op.parameters.len(), 1, "the parameter stays, unconstrained");
}
