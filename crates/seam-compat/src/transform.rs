//! The response view of a spec: the transformations PactFlow's engine
//! (swagger-mock-validator, default options) applies before checking a pact's
//! response against a schema.
//!
//! - A consumer reads a subset of a response: `required` is dropped (except
//!   where `oneOf` needs it to pick a branch), so a pact may omit any field.
//! - A provider must give a superset of what the consumer reads: an object
//!   schema (`type: object`, no `allOf`/`oneOf`/`anyOf`) without
//!   `additionalProperties` (or with `true`) is closed, so a field the spec
//!   does not have is an error.
//! - `allOf` is the union of its members, as OpenAPI means it: its members stay
//!   open and the `allOf` itself gets `unevaluatedProperties: false`.
//!
//! Requests are checked against the spec as written. The view is a copy of the
//! bundled document, so pointers (and positions) are unchanged.

use seam_openapi::model::escape_token;
use seam_openapi::Spec;
use serde_json::Value;
use std::collections::HashSet;

/// `spec` with its document rewritten for checking responses.
pub fn response_view(spec: &Spec) -> Spec {
    let mut document = spec.document.clone();
    let mut members = HashSet::new();
    collect_all_of_members(&spec.document, &spec.document, String::new(), &mut members);
    rewrite(&mut document, &mut String::new(), &members);
    Spec {
        document,
        ..spec.clone()
    }
}

/// Pointers (no `#`) of every `allOf` member, and of what a `$ref` member names.
fn collect_all_of_members(doc: &Value, v: &Value, at: String, out: &mut HashSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(all)) = map.get("allOf") {
                for (i, member) in all.iter().enumerate() {
                    out.insert(format!("{at}/allOf/{i}"));
                    let mut target = member;
                    for _ in 0..32 {
                        let Some(r) = target.get("$ref").and_then(Value::as_str) else {
                            break;
                        };
                        let Some(pointer) = r.strip_prefix('#') else {
                            break;
                        };
                        out.insert(pointer.to_string());
                        match doc.pointer(pointer) {
                            Some(next) => target = next,
                            None => break,
                        }
                    }
                }
            }
            for (k, child) in map {
                collect_all_of_members(doc, child, format!("{at}/{}", escape_token(k)), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_all_of_members(doc, child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn rewrite(v: &mut Value, at: &mut String, all_of_members: &HashSet<String>) {
    match v {
        Value::Object(map) => {
            let composed = ["allOf", "oneOf", "anyOf"]
                .iter()
                .any(|k| map.contains_key(*k));
            let member = all_of_members.contains(at.as_str());
            if matches!(map.get("required"), Some(Value::Array(_))) && !map.contains_key("oneOf") {
                map.remove("required");
            }
            let is_object = map.get("type").and_then(Value::as_str) == Some("object");
            let open = matches!(
                map.get("additionalProperties"),
                None | Some(Value::Bool(true))
            );
            if member {
                map.remove("additionalProperties");
            } else if is_object && open && !composed {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            if map.contains_key("allOf") && !member {
                map.insert("unevaluatedProperties".into(), Value::Bool(false));
            }
            for (k, child) in map.iter_mut() {
                let len = at.len();
                at.push('/');
                at.push_str(&escape_token(k));
                rewrite(child, at, all_of_members);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                rewrite(child, at, all_of_members);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view(doc: &str) -> Value {
        let spec = seam_openapi::load::load_str("api.yaml", doc).expect("loads");
        response_view(&spec).document
    }

    #[test]
    fn objects_close_and_required_goes() {
        let doc = view(
            r#"openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      type: object
      required: [id]
      properties: {id: {type: integer}}
    Base:
      type: object
      properties: {a: {type: string}}
    Both:
      allOf:
        - $ref: '#/components/schemas/Base'
        - type: object
          properties: {b: {type: string}}
    Either:
      oneOf: [{type: object, required: [x], properties: {x: {type: string}}}]
      required: [x]
"#,
        );
        let s = &doc["components"]["schemas"];
        assert_eq!(s["Pet"]["additionalProperties"], json!(false));
        assert!(s["Pet"].get("required").is_none());
        assert!(
            s["Base"].get("additionalProperties").is_none(),
            "an allOf member stays open"
        );
        assert!(s["Both"]["allOf"][1].get("additionalProperties").is_none());
        assert_eq!(s["Both"]["unevaluatedProperties"], json!(false));
        assert_eq!(
            s["Either"]["required"],
            json!(["x"]),
            "oneOf keeps required"
        );
        assert!(s["Either"]["oneOf"][0].get("required").is_none());
    }
}
