//! Truncated and garbled specs (mutations of small valid ones, YAML and JSON)
//! never panic or hang the loader or the router, and every error names the
//! file first, in one line, with no parser internals.

use proptest::prelude::*;
use seam_openapi::load::load_str;
use seam_openapi::router::Router;
use seam_testkit::mutate::{assert_placed, mutated};

const SEEDS: &[&str] = &[
    r##"openapi: 3.0.3
info: {title: Pets, version: '1'}
servers: [{url: 'https://{r}.example.com/v1', variables: {r: {default: eu}}}]
security: [{key: []}]
paths:
  /pets/{id}:
    parameters:
      - {$ref: '#/components/parameters/Id'}
    get:
      operationId: getPet
      parameters:
        - {name: fields, in: query, style: form, explode: false, schema: {type: array, items: {type: string}}}
      responses:
        200:
          description: ok
          headers: {X-Rate: {$ref: '#/components/headers/Rate'}}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
              examples: {rex: {$ref: '#/components/examples/Rex'}}
        default: {$ref: '#/components/responses/Err'}
      callbacks:
        done: {'{$request.body#/url}': {post: {responses: {'204': {description: x}}}}}
components:
  schemas:
    Pet: {type: object, properties: {id: {type: integer}, kid: {$ref: '#/components/schemas/Pet'}}}
  parameters:
    Id: {name: id, in: path, required: true, schema: {type: integer}}
  headers:
    Rate: {schema: {type: integer}}
  examples:
    Rex: {value: {id: 1}}
  responses:
    Err: {$ref: '#/components/responses/Err2'}
    Err2: {description: error}
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
"##,
    r##"{"openapi": "3.1.0", "info": {"title": "Hooks", "version": "1"},
 "paths": {"/a/{b}.{c}": {"$ref": "#/components/pathItems/A"}},
 "webhooks": {"w": {"post": {"requestBody": {"$ref": "#/components/requestBodies/B"}, "responses": {"2XX": {"description": "ok"}}}}},
 "components": {"pathItems": {"A": {"get": {"security": [], "responses": {"200": {"description": "ok"}}}}},
   "requestBodies": {"B": {"content": {"application/json": {"schema": {"type": "object"}}}}},
   "securitySchemes": {"b": {"type": "http", "scheme": "bearer"}, "m": {"type": "mutualTLS"}}}}
"##,
];

proptest! {
    #![proptest_config(seam_testkit::mutate::config("tests/regressions/load_fuzz.txt"))]

    #[test]
    fn garbled_specs_are_refused_with_a_place_or_load(doc in mutated(SEEDS)) {
        let Ok(text) = std::str::from_utf8(&doc) else {
            return Ok(());
        };
        match load_str("api.yaml", text) {
            Ok(spec) => {
                let router = Router::new(&spec);
                for op in &spec.operations {
                    let _ = router.find(&op.method, &op.path);
                    let _ = spec.locate(&op.pointer);
                }
                let _ = router.find("GET", "/a/x.y");
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for e in errors {
                    assert_placed(&e.to_string(), "api.yaml");
                }
            }
        }
    }
}

#[test]
fn the_seeds_load() {
    for seed in SEEDS {
        let spec = load_str("api.yaml", seed).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(!spec.operations.is_empty());
    }
}
