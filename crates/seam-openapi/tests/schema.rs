//! Schema validation (`seam_openapi::schema`): the 3.0 dialect translated, 3.1 as
//! JSON Schema 2020-12, discriminators, readOnly/writeOnly per direction, formats,
//! and violations in plain words with their location and spec place.

use seam_openapi::model::SchemaRef;
use seam_openapi::schema::{Direction, Schemas, Segment, Violation};
use seam_openapi::Spec;
use serde_json::{json, Value};

fn spec(name: &str) -> Spec {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    seam_openapi::load::load_str(name, &text).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// A spec of `version` whose `components.schemas` are `schemas` (indented
/// by four spaces, as under `  schemas:`).
fn with_schemas(version: &str, schemas: &str) -> Spec {
    let text = format!(
        "openapi: {version}\ninfo: {{title: t, version: \"1\"}}\npaths: {{}}\ncomponents:\n  schemas:\n{}",
        schemas.trim_start_matches('\n')
    );
    seam_openapi::load::load_str("inline.yaml", &text).unwrap_or_else(|e| panic!("{e:?}"))
}

fn schema(name: &str) -> SchemaRef {
    SchemaRef(format!("#/components/schemas/{name}"))
}

fn check(schemas: &Schemas, name: &str, direction: Direction, value: Value) -> Vec<Violation> {
    schemas.validate(&schema(name), direction, &value)
}

fn messages(violations: &[Violation]) -> Vec<String> {
    violations.iter().map(|v| v.to_string()).collect()
}

fn pet() -> Value {
    json!({"name": "Rex", "petType": "dog", "bark": true})
}

#[test]
fn a_valid_value_has_no_violations() {
    let s = Schemas::compile(&spec("validate-pets30.yaml")).unwrap();
    assert_eq!(check(&s, "Pet", Direction::Request, pet()), vec![]);
}

#[test]
fn type_errors_say_what_was_expected_and_what_came() {
    let s = Schemas::compile(&spec("validate-pets30.yaml")).unwrap();
    let mut v = pet();
    v["name"] = json!(12);
    let found = check(&s, "Pet", Direction::Request, v);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].location, vec![Segment::from("name")]);
    assert_eq!(found[0].message, "expected a string, got the number 12");
    assert_eq!(
        found[0].pointer,
        "#/components/schemas/Pet/properties/name/type"
    );
}

#[test]
fn missing_required_and_limits_in_plain_words() {
    let s = Schemas::compile(&spec("validate-pets30.yaml")).unwrap();
    let found = check(
        &s,
        "Pet",
        Direction::Request,
        json!({"petType": "dog", "bark": true, "weight": 100, "name": "abcdefghijkl"}),
    );
    let m = messages(&found);
    assert!(
        m.contains(&"name: must be at most 10 characters long".to_string()),
        "{m:?}"
    );
    assert!(
        m.contains(&"weight: must be less than 100".to_string()),
        "{m:?}"
    );
    assert!(
        !m.iter()
            .any(|m| m.contains("missing required property `name`")),
        "{m:?}"
    );
    let found = check(
        &s,
        "Pet",
        Direction::Request,
        json!({"petType": "dog", "bark": true}),
    );
    assert_eq!(messages(&found), vec!["missing required property `name`"]);
}

#[test]
fn openapi_30_nullable_and_boolean_exclusive_bounds() {
    let s = Schemas::compile(&spec("validate-pets30.yaml")).unwrap();
    let mut v = pet();
    v["tag"] = Value::Null;
    v["owner"] = Value::Null;
    assert_eq!(check(&s, "Pet", Direction::Request, v.clone()), vec![]);
    v["owner"] = json!({"name": "Ann"});
    assert_eq!(check(&s, "Pet", Direction::Request, v.clone()), vec![]);
    v["age"] = json!(0);
    assert_eq!(
        messages(&check(&s, "Pet", Direction::Request, v.clone())),
        vec!["age: must be greater than 0"]
    );
    v["age"] = json!(1);
    // `example` and the schema's own `x-extension` are not rules; a property
    // that happens to be named `x-internal` is a property like any other.
    v["x-internal"] = json!(1);
    assert_eq!(check(&s, "Pet", Direction::Request, v.clone()), vec![]);
    v["x-internal"] = json!("text");
    assert_eq!(
        messages(&check(&s, "Pet", Direction::Request, v)),
        vec!["x-internal: expected an integer, got the string \"text\""]
    );
}

#[test]
fn openapi_30_formats_are_checked() {
    let s = Schemas::compile(&spec("validate-pets30.yaml")).unwrap();
    let mut v = pet();
    v["born"] = json!("2024-13-01");
    v["email"] = json!("not-an-email");
    v["uid"] = json!("123");
    v["photo"] = json!("%%%");
    v["age"] = json!(3_000_000_000u64);
    let m = messages(&check(&s, "Pet", Direction::Request, v));
    for expected in [
        "born: \"2024-13-01\" is not a valid date",
        "email: \"not-an-email\" is not a valid email",
        "uid: \"123\" is not a valid uuid",
        "photo: \"%%%\" is not a valid byte",
        "age: must be a 32-bit integer (from -2147483648 to 2147483647)",
    ] {
        assert!(m.contains(&expected.to_string()), "{expected} not in {m:?}");
    }
}

#[test]
fn read_only_is_not_required_in_requests_and_not_to_be_sent() {
    let s = Schemas::compile(&spec("validate-pets30.yaml")).unwrap();
    // `id` is required and readOnly: a request need not send it...
    assert_eq!(check(&s, "Pet", Direction::Request, pet()), vec![]);
    // ...and must not.
    let mut v = pet();
    v["id"] = json!(7);
    let found = check(&s, "Pet", Direction::Request, v.clone());
    assert_eq!(
        messages(&found),
        vec!["id: is read-only: it must not be sent in a request"]
    );
    // A response must carry it, and must not carry the writeOnly password.
    assert_eq!(check(&s, "Pet", Direction::Response, v.clone()), vec![]);
    assert_eq!(
        messages(&check(&s, "Pet", Direction::Response, pet())),
        vec!["missing required property `id`"]
    );
    v["password"] = json!("hunter2");
    assert_eq!(
        messages(&check(&s, "Pet", Direction::Response, v.clone())),
        vec!["password: is write-only: it must not be sent in a response"]
    );
    v.as_object_mut().unwrap().remove("id");
    assert_eq!(check(&s, "Pet", Direction::Request, v), vec![]);
}

#[test]
fn read_only_write_only_in_31() {
    let s = Schemas::compile(&spec("validate-shapes31.yaml")).unwrap();
    assert_eq!(
        check(&s, "Account", Direction::Request, json!({"secret": "s"})),
        vec![]
    );
    assert_eq!(
        check(&s, "Account", Direction::Response, json!({"id": "a"})),
        vec![]
    );
    assert_eq!(
        messages(&check(
            &s,
            "Account",
            Direction::Response,
            json!({"secret": "s"})
        )),
        vec![
            "missing required property `id`",
            "secret: is write-only: it must not be sent in a response"
        ]
    );
}

#[test]
fn discriminator_with_inheritance_validates_the_mapped_schema() {
    let s = Schemas::compile(&spec("validate-pets30.yaml")).unwrap();
    // `dog` maps to Dog, which requires `bark`.
    let found = check(
        &s,
        "Pet",
        Direction::Request,
        json!({"name": "Rex", "petType": "dog"}),
    );
    assert_eq!(
        messages(&found),
        vec!["as `dog` (discriminator `petType`): missing required property `bark`"]
    );
    assert_eq!(
        found[0].pointer,
        "#/components/schemas/Dog/allOf/1/required"
    );
    // `Cat` is a child by name (no mapping entry).
    let found = check(
        &s,
        "Pet",
        Direction::Request,
        json!({"name": "Tom", "petType": "Cat", "lives": 12}),
    );
    assert_eq!(
        messages(&found),
        vec!["lives: as `Cat` (discriminator `petType`): must be at most 9"]
    );
    // An unknown value is reported against the mapping.
    let found = check(
        &s,
        "Pet",
        Direction::Request,
        json!({"name": "Moo", "petType": "cow"}),
    );
    assert_eq!(
        messages(&found),
        vec!["petType: \"cow\" is not one of \"dog\", \"Cat\""]
    );
    assert_eq!(found[0].pointer, "#/components/schemas/Pet/discriminator");
    // A child validated on its own does not loop back through the base.
    assert_eq!(check(&s, "Dog", Direction::Request, pet()), vec![]);
}

#[test]
fn discriminator_over_one_of_in_31() {
    let s = Schemas::compile(&spec("validate-shapes31.yaml")).unwrap();
    assert_eq!(
        check(
            &s,
            "Shape",
            Direction::Request,
            json!({"kind": "round", "radius": 1})
        ),
        vec![]
    );
    assert_eq!(
        check(
            &s,
            "Shape",
            Direction::Request,
            json!({"kind": "Square", "side": 2})
        ),
        vec![]
    );
    let found = check(
        &s,
        "Shape",
        Direction::Request,
        json!({"kind": "round", "radius": 0}),
    );
    assert_eq!(
        messages(&found),
        vec!["radius: as `round` (discriminator `kind`): must be greater than 0"]
    );
    let found = check(
        &s,
        "Shape",
        Direction::Request,
        json!({"kind": "Square", "side": "2"}),
    );
    assert_eq!(
        messages(&found),
        vec!["side: as `Square` (discriminator `kind`): expected an integer, got the string \"2\""]
    );
    let found = check(&s, "Shape", Direction::Request, json!({"radius": 1}));
    assert_eq!(messages(&found), vec!["missing required property `kind`"]);
}

#[test]
fn openapi_31_is_json_schema_2020_as_written() {
    let s = Schemas::compile(&spec("validate-shapes31.yaml")).unwrap();
    assert_eq!(check(&s, "Maybe", Direction::Request, Value::Null), vec![]);
    assert_eq!(
        messages(&check(&s, "Maybe", Direction::Request, json!(5))),
        vec!["expected a string or null, got the number 5"]
    );
    // `$ref` siblings apply in 3.1.
    assert_eq!(
        messages(&check(&s, "Sibling", Direction::Request, json!("a"))),
        vec!["must be at least 2 characters long"]
    );
    // Recursive schemas.
    let found = check(
        &s,
        "Node",
        Direction::Request,
        json!({"value": 1, "next": {"value": 2, "next": {"value": "x"}}}),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].location,
        vec![
            Segment::from("next"),
            Segment::from("next"),
            Segment::from("value")
        ]
    );
    assert_eq!(
        found[0].pointer,
        "#/components/schemas/Node/properties/value/type"
    );
    // Array items are located by index.
    let found = check(
        &s,
        "Ids",
        Direction::Request,
        json!([1, 2_147_483_648u64, 3]),
    );
    let m = messages(&found);
    assert!(
        m.contains(&"must have at most 2 items".to_string()),
        "{m:?}"
    );
    assert!(
        m.contains(&"[1]: must be a 32-bit integer (from -2147483648 to 2147483647)".to_string()),
        "{m:?}"
    );
}

#[test]
fn violations_serialize_for_problem_json() {
    let s = Schemas::compile(&spec("validate-shapes31.yaml")).unwrap();
    let found = s.validate_at(
        &schema("Ids"),
        Direction::Request,
        &json!(["a"]),
        &[Segment::from("body"), Segment::from("ids")],
        seam_openapi::schema::ViolationKind::Body,
    );
    assert_eq!(
        found[0].to_json(),
        json!({
            "location": ["body", "ids", 0],
            "message": "expected an integer, got the string \"a\"",
            "code": "body",
            "pointer": "#/components/schemas/Ids/items/type",
        })
    );
}

#[test]
fn a_broken_schema_is_reported_not_panicked() {
    let text = r##"
    BadPattern: {type: string, pattern: '(unclosed'}
"##;
    let mut spec = with_schemas("3.1.0", text);
    // The loader rejects unresolved references; a document changed afterwards may still hold one.
    spec.document["components"]["schemas"]["Bad"] = json!({"$ref": "#/components/schemas/Nowhere"});
    let s = Schemas::compile(&spec).unwrap();
    let found = check(&s, "BadPattern", Direction::Request, json!("x"));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .message
            .starts_with("the spec's schema here cannot be used"),
        "{found:?}"
    );
    assert_eq!(found[0].pointer, "#/components/schemas/BadPattern");
    assert!(
        found[0]
            .message
            .ends_with("\"(unclosed\" is not a valid regex"),
        "{found:?}"
    );
    let found = check(&s, "Bad", Direction::Request, json!("x"));
    assert_eq!(
        messages(&found),
        vec!["the spec's schema here cannot be used for validation: a `$ref` cannot be resolved: nothing at `#/components/schemas/Nowhere`"]
    );
    let found = check(&s, "Missing", Direction::Request, json!("x"));
    assert_eq!(
        messages(&found),
        vec!["the spec's schema here cannot be used for validation: nothing at `#/components/schemas/Missing`"]
    );
}

#[test]
fn a_ref_standing_for_a_whole_properties_map_is_read_as_that_map() {
    // DigitalOcean's spec writes `properties: {$ref: attributes.yml}`: a
    // reference where a map of schemas is expected.
    let text = r##"
    attributes:
      name: {type: string, maxLength: 3}
      size: {type: integer}
    Balancer:
      type: object
      properties:
        $ref: '#/components/schemas/attributes'
"##;
    let spec = with_schemas("3.0.3", text);
    let s = Schemas::compile(&spec).unwrap();
    assert!(s.check_all(&spec).is_empty());
    let balancer = |v: Value| check(&s, "Balancer", Direction::Request, v);
    assert_eq!(balancer(json!({"name": "abc", "size": 2})), vec![]);
    let found = balancer(json!({"name": "abcd", "size": "2"}));
    assert_eq!(
        messages(&found),
        vec![
            "name: must be at most 3 characters long",
            "size: expected an integer, got the string \"2\"",
        ]
    );
    assert_eq!(
        found[0].pointer,
        "#/components/schemas/attributes/name/maxLength"
    );
}

#[test]
fn a_discriminator_without_mapping_takes_the_values_each_branch_declares() {
    // OpenAI's event unions: `discriminator: {propertyName: type}` with no
    // mapping, each branch saying its own `type` (`enum` or `const`); a
    // branch that says nothing is named by its schema name.
    let text = r##"
    Event:
      oneOf:
        - $ref: '#/components/schemas/Delta'
        - $ref: '#/components/schemas/Done'
        - $ref: '#/components/schemas/Plain'
      discriminator: {propertyName: type}
    Delta:
      type: object
      required: [type, delta]
      properties:
        type: {type: string, enum: [speech.audio.delta]}
        delta: {type: string}
    Done:
      allOf:
        - type: object
          required: [type]
          properties:
            type: {const: speech.audio.done}
    Plain:
      type: object
      properties:
        type: {type: string}
"##;
    let spec = with_schemas("3.1.0", text);
    let s = Schemas::compile(&spec).unwrap();
    let ok = |v: Value| check(&s, "Event", Direction::Response, v);
    assert_eq!(
        ok(json!({"type": "speech.audio.delta", "delta": "x"})),
        vec![]
    );
    assert_eq!(ok(json!({"type": "speech.audio.done"})), vec![]);
    assert_eq!(ok(json!({"type": "Plain"})), vec![]);
    // the branch's own rules still apply once it is chosen
    assert_eq!(
        messages(&ok(json!({"type": "speech.audio.delta"}))),
        vec!["as `speech.audio.delta` (discriminator `type`): missing required property `delta`"]
    );
    // a schema name is not a value when the branch declares its own
    assert_eq!(
        messages(&ok(json!({"type": "Delta", "delta": "x"}))),
        vec!["type: \"Delta\" is not one of \"speech.audio.delta\", \"speech.audio.done\", \"Plain\""]
    );
    // and generated values use the declared ones
    for seed in 0..12 {
        let v =
            seam_openapi::generate::from_schema(&spec, &schema("Event"), Direction::Response, seed);
        assert_eq!(ok(v.clone()), vec![], "seed {seed}: {v}");
    }
}

#[test]
fn a_value_wrong_in_many_places_gets_a_bounded_list() {
    let spec = with_schemas(
        "3.1.0",
        "    Names:\n      type: array\n      items: {type: string}\n",
    );
    let s = Schemas::compile(&spec).unwrap();
    // 500 wrong items: the first 100 are named
    let some = check(&s, "Names", Direction::Request, json!(vec![1; 500]));
    assert_eq!(some.len(), seam_openapi::schema::MAX_VIOLATIONS);
    assert_eq!(some[0].location, vec![Segment::Index(0)]);
    // 100,000 wrong items (a body that would have cost a GB of errors): the first one
    let huge = check(&s, "Names", Direction::Request, json!(vec![1; 100_000]));
    assert_eq!(
        messages(&huge),
        vec!["[0]: expected a string, got the number 1"]
    );
}
