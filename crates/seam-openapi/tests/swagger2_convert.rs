//! Swagger 2.0 → OpenAPI 3.0.3: each rule of the conversion on a small
//! document, every 2.0 spec of the conformance data converted into a document
//! the 3.0 checks accept, and 2.0 errors pointing into the 2.0 document.

use seam_openapi::check::check_document;
use seam_openapi::model::SpecVersion;
use seam_openapi::swagger2::{convert, rewrite_ref};
use serde_json::{json, Value};

fn yaml(text: &str) -> Value {
    seam_core::yaml::from_str("test.yaml", text).expect("test YAML parses")
}

fn converted(text: &str) -> Value {
    let doc = yaml(text);
    let out = convert(&doc).unwrap_or_else(|e| panic!("2.0 errors: {e:?}"));
    let errors: Vec<_> = check_document(&out, SpecVersion::V30)
        .into_iter()
        .filter(|p| !p.warning)
        .collect();
    assert!(
        errors.is_empty(),
        "the conversion is not valid 3.0: {errors:?}\n{out:#}"
    );
    out
}

const PETSTORE: &str = r##"
swagger: "2.0"
info: {title: Pets, version: "1.0"}
host: pets.example.com
basePath: /v1
schemes: [http, https]
consumes: [application/json]
produces: [application/json, application/xml]
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: tags, in: query, type: array, items: {type: string}, collectionFormat: multi}
        - {name: ids, in: query, type: array, items: {type: integer}}
        - {name: words, in: query, type: array, items: {type: string}, collectionFormat: ssv}
        - {name: bars, in: query, type: array, items: {type: string}, collectionFormat: pipes}
        - {name: limit, in: query, type: integer, format: int32, maximum: 100, x-example: 10}
        - {name: X-Trace, in: header, type: array, items: {type: string}}
      responses:
        "200":
          description: the pets
          schema: {type: array, items: {$ref: "#/definitions/Pet"}}
          headers:
            X-Rate-Limit: {type: integer, description: calls left}
          examples:
            application/json: [{id: 1, name: Rex}]
        default: {$ref: "#/responses/Error"}
    post:
      operationId: addPet
      parameters:
        - {$ref: "#/parameters/PetBody"}
      responses:
        "201": {description: created}
  /pets/{id}:
    parameters:
      - {name: id, in: path, required: true, type: array, items: {type: string}}
    put:
      consumes: [application/xml]
      parameters:
        - {name: pet, in: body, required: true, schema: {$ref: "#/definitions/Pet"}}
      responses:
        "200": {description: ok, schema: {$ref: "other.yaml#/definitions/Thing"}}
  /pets/{id}/photo:
    parameters:
      - {name: id, in: path, required: true, type: string}
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: file, in: formData, type: file, required: true}
        - {name: caption, in: formData, type: string}
      responses:
        "204": {description: stored}
  /login:
    post:
      parameters:
        - {name: user, in: formData, type: string, required: true}
        - {name: roles, in: formData, type: array, items: {type: string}, collectionFormat: csv}
      responses:
        "204": {description: in}
definitions:
  Pet:
    type: object
    discriminator: kind
    required: [id, kind]
    properties:
      id: {type: integer}
      kind: {type: string}
      tag: {type: string, x-nullable: true}
      owner: {$ref: "#/definitions/Owner"}
  Owner: {type: object, properties: {name: {type: string}}}
parameters:
  PetBody: {name: pet, in: body, schema: {$ref: "#/definitions/Pet"}}
  Limit: {name: limit, in: query, type: integer}
responses:
  Error: {description: failed, schema: {type: object, properties: {message: {type: string}}}}
securityDefinitions:
  basicAuth: {type: basic}
  key: {type: apiKey, name: X-Key, in: header}
  implicit: {type: oauth2, flow: implicit, authorizationUrl: "https://auth.example.com/a", scopes: {read: reads}}
  password: {type: oauth2, flow: password, tokenUrl: "https://auth.example.com/t", scopes: {}}
  app: {type: oauth2, flow: application, tokenUrl: "https://auth.example.com/t", scopes: {}}
  code: {type: oauth2, flow: accessCode, authorizationUrl: "https://auth.example.com/a", tokenUrl: "https://auth.example.com/t", scopes: {write: writes}}
security:
  - key: []
"##;

#[test]
fn host_base_path_and_schemes_become_servers() {
    let out = converted(PETSTORE);
    assert_eq!(out["openapi"], "3.0.3");
    assert_eq!(
        out["servers"],
        json!([{"url": "http://pets.example.com/v1"}, {"url": "https://pets.example.com/v1"}])
    );
    let no_scheme = converted(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\nhost: h.example\nbasePath: /api\npaths: {}\n",
    );
    assert_eq!(
        no_scheme["servers"],
        json!([{"url": "https://h.example/api"}])
    );
    let base_only =
        converted("swagger: '2.0'\ninfo: {title: t, version: '1'}\nbasePath: /api\npaths: {}\n");
    assert_eq!(base_only["servers"], json!([{"url": "/api"}]));
    let nothing = converted("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n");
    assert!(nothing.get("servers").is_none());
}

#[test]
fn collection_formats_become_style_and_explode() {
    let out = converted(PETSTORE);
    let params = &out["paths"]["/pets"]["get"]["parameters"];
    let style = |i: usize| (params[i]["style"].clone(), params[i]["explode"].clone());
    assert_eq!(style(0), (json!("form"), json!(true)), "multi");
    assert_eq!(style(1), (json!("form"), json!(false)), "csv (the default)");
    assert_eq!(style(2), (json!("spaceDelimited"), json!(false)), "ssv");
    assert_eq!(style(3), (json!("pipeDelimited"), json!(false)), "pipes");
    assert_eq!(style(5), (json!("simple"), json!(false)), "csv in a header");
    assert_eq!(
        params[0]["schema"],
        json!({"type": "array", "items": {"type": "string"}})
    );
    assert_eq!(
        params[4]["schema"],
        json!({"type": "integer", "format": "int32", "maximum": 100})
    );
    assert_eq!(params[4]["example"], 10, "x-example");
    // path-level parameters stay at the path level, csv in a path is simple
    let shared = &out["paths"]["/pets/{id}"]["parameters"][0];
    assert_eq!(shared["style"], "simple");
    assert_eq!(shared["required"], true);
}

#[test]
fn body_parameters_become_request_bodies_per_consumed_type() {
    let out = converted(PETSTORE);
    let put = &out["paths"]["/pets/{id}"]["put"];
    assert_eq!(
        put["requestBody"],
        json!({
            "content": {"application/xml": {"schema": {"$ref": "#/components/schemas/Pet"}}},
            "required": true,
            "x-codegen-request-body-name": "pet"
        }),
        "the operation's consumes replace the document's"
    );
    assert!(put.get("parameters").is_none());
    // a ref to a body parameter is a ref to a request body
    assert_eq!(
        out["paths"]["/pets"]["post"]["requestBody"],
        json!({"$ref": "#/components/requestBodies/PetBody"})
    );
    assert_eq!(
        out["components"]["requestBodies"]["PetBody"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/Pet"})
    );
    assert_eq!(
        out["components"]["parameters"]["Limit"],
        json!({"name": "limit", "in": "query", "schema": {"type": "integer"}})
    );
}

#[test]
fn form_parameters_become_a_form_body() {
    let out = converted(PETSTORE);
    let photo = &out["paths"]["/pets/{id}/photo"]["post"]["requestBody"];
    assert_eq!(
        photo,
        &json!({
            "content": {"multipart/form-data": {"schema": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "caption": {"type": "string"}
                },
                "required": ["file"]
            }}},
            "required": true
        })
    );
    let login = &out["paths"]["/login"]["post"]["requestBody"]["content"];
    let form = &login["application/x-www-form-urlencoded"];
    assert_eq!(form["schema"]["properties"]["roles"]["type"], "array");
    assert_eq!(
        form["encoding"]["roles"],
        json!({"style": "form", "explode": false})
    );
    // a file without a form consumes still goes as multipart
    let file_only = converted(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\nconsumes: [multipart/form-data]\npaths:\n  /u:\n    post:\n      parameters: [{name: f, in: formData, type: file}]\n      responses: {'200': {description: ok}}\n",
    );
    assert!(
        file_only["paths"]["/u"]["post"]["requestBody"]["content"]["multipart/form-data"]
            .is_object()
    );
}

#[test]
fn responses_get_content_per_produced_type_with_examples_and_headers() {
    let out = converted(PETSTORE);
    let ok = &out["paths"]["/pets"]["get"]["responses"]["200"];
    let schema = json!({"type": "array", "items": {"$ref": "#/components/schemas/Pet"}});
    assert_eq!(ok["content"]["application/json"]["schema"], schema);
    assert_eq!(ok["content"]["application/xml"]["schema"], schema);
    assert_eq!(
        ok["content"]["application/json"]["example"],
        json!([{"id": 1, "name": "Rex"}])
    );
    assert!(ok["content"]["application/xml"].get("example").is_none());
    assert_eq!(
        ok["headers"]["X-Rate-Limit"],
        json!({"description": "calls left", "schema": {"type": "integer"}})
    );
    assert_eq!(
        out["paths"]["/pets"]["get"]["responses"]["default"],
        json!({"$ref": "#/components/responses/Error"})
    );
    let created = &out["paths"]["/pets"]["post"]["responses"]["201"];
    assert_eq!(
        created,
        &json!({"description": "created"}),
        "no schema, no content"
    );
}

#[test]
fn definitions_and_refs_move_to_components() {
    let out = converted(PETSTORE);
    let pet = &out["components"]["schemas"]["Pet"];
    assert_eq!(pet["discriminator"], json!({"propertyName": "kind"}));
    assert_eq!(
        pet["properties"]["tag"],
        json!({"type": "string", "nullable": true})
    );
    assert_eq!(
        pet["properties"]["owner"],
        json!({"$ref": "#/components/schemas/Owner"})
    );
    // refs into other files are rewritten the same way
    assert_eq!(
        out["paths"]["/pets/{id}"]["put"]["responses"]["200"]["content"]["application/json"]
            ["schema"],
        json!({"$ref": "other.yaml#/components/schemas/Thing"})
    );
    assert_eq!(rewrite_ref("Pet.json", &[]), "Pet.json");
    assert_eq!(
        rewrite_ref("common.yaml#/parameters/Limit", &["Limit".into()]),
        "common.yaml#/components/parameters/Limit",
        "another file's body parameters are not known here"
    );
    assert_eq!(
        rewrite_ref("#/responses/Error", &[]),
        "#/components/responses/Error"
    );
}

#[test]
fn security_definitions_become_security_schemes() {
    let out = converted(PETSTORE);
    let schemes = &out["components"]["securitySchemes"];
    assert_eq!(
        schemes["basicAuth"],
        json!({"type": "http", "scheme": "basic"})
    );
    assert_eq!(
        schemes["key"],
        json!({"type": "apiKey", "name": "X-Key", "in": "header"})
    );
    assert_eq!(
        schemes["implicit"]["flows"],
        json!({"implicit": {"authorizationUrl": "https://auth.example.com/a", "scopes": {"read": "reads"}}})
    );
    assert!(schemes["password"]["flows"]["password"]["tokenUrl"].is_string());
    assert!(schemes["app"]["flows"]["clientCredentials"]["tokenUrl"].is_string());
    assert_eq!(
        schemes["code"]["flows"]["authorizationCode"]["scopes"],
        json!({"write": "writes"})
    );
    assert_eq!(out["security"], json!([{"key": []}]));
}

#[test]
fn two_point_o_errors_point_into_the_two_point_o_document() {
    let doc = yaml(
        "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /u/{id}:\n    get:\n      parameters:\n        - {name: id, in: path, type: string}\n        - {name: q, in: cookie, type: string}\n      responses: {'200': {description: ok}}\n",
    );
    let errors = convert(&doc).unwrap_err();
    let pointers: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
    assert!(
        pointers.contains(&"#/paths/~1u~1{id}/get/parameters/0/name"),
        "{errors:?}"
    );
    assert!(
        pointers.contains(&"#/paths/~1u~1{id}/get/parameters/1/in"),
        "{errors:?}"
    );
    assert!(errors
        .iter()
        .any(|(_, m)| m.contains("must be required: true")));
    assert!(errors.iter().any(|(_, m)| m.contains("\"cookie\"")));
}

#[test]
fn odd_shapes_never_panic() {
    for text in [
        "swagger: '2.0'",
        "swagger: '2.0'\npaths: []\n",
        "swagger: '2.0'\ninfo: 1\npaths: {/a: {get: []}}\n",
        "swagger: '2.0'\npaths: {/a: {parameters: [1, {in: body}], get: {parameters: [{$ref: 3}]}}}\n",
        "swagger: '2.0'\ndefinitions: {A: {properties: []}}\nparameters: {B: 1}\nsecurityDefinitions: {C: []}\n",
    ] {
        let doc = yaml(text);
        let _ = convert(&doc);
        let _ = seam_openapi::swagger2::convert_unchecked(&doc);
    }
}

/// Every Swagger 2.0 document of the conformance data converts into a
/// document the 3.0 checks accept (the multi-file ones as far as one file goes).
#[test]
fn every_conformance_swagger_spec_converts_to_valid_3_0() {
    let Some(dir) = seam_testkit::conformance_dir("openapi", "swagger2_convert") else {
        return;
    };
    let index: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("specs/INDEX.json")).expect("specs/INDEX.json"),
    )
    .expect("INDEX.json is JSON");
    let mut converted_count = 0;
    for spec in index["specs"].as_array().expect("specs list") {
        if spec["version"] != "2.0" {
            continue;
        }
        let file = spec["file"].as_str().expect("file");
        let text = std::fs::read_to_string(dir.join("specs").join(file)).expect("readable spec");
        let Ok(doc) = seam_core::yaml::from_str::<Value>(file, &text) else {
            // too deep for the YAML reader's alias limits: the loader's to report
            continue;
        };
        let Ok(out) = convert(&doc) else {
            continue; // its 2.0 errors are asserted by check_specs
        };
        let errors: Vec<_> = check_document(&out, SpecVersion::V30)
            .into_iter()
            .filter(|p| !p.warning)
            .collect();
        assert!(
            errors.is_empty(),
            "{file}: the conversion is not valid 3.0: {errors:?}"
        );
        converted_count += 1;
    }
    assert!(
        converted_count >= 10,
        "only {converted_count} 2.0 specs converted"
    );
}

#[test]
fn converted_pointers_map_back_to_their_two_point_o_places() {
    use seam_openapi::swagger2::original_pointer;
    assert_eq!(
        original_pointer("#/components/schemas/Pet/properties/id"),
        "#/definitions/Pet/properties/id"
    );
    assert_eq!(
        original_pointer("#/paths/~1pets/get/responses/200/content/application~1json/schema/items"),
        "#/paths/~1pets/get/responses/200/schema/items"
    );
    assert_eq!(
        original_pointer("#/paths/~1pets/get/responses/200/content/application~1json/example"),
        "#/paths/~1pets/get/responses/200/examples/application~1json"
    );
    assert_eq!(
        original_pointer("#/paths/~1pets/post/requestBody/content/application~1json/schema"),
        "#/paths/~1pets/post/parameters",
        "the body parameter's index is not kept"
    );
    assert_eq!(
        original_pointer("#/components/requestBodies/PetBody/content/application~1json/schema"),
        "#/parameters/PetBody/schema"
    );
}
