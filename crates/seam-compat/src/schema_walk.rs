//! The schemas that apply at a place in a value: from a body's schema, one key
//! or index at a time (`properties`, `additionalProperties`, `items`), through
//! `$ref`s and the members of `allOf`/`oneOf`/`anyOf`. The matcher checks read
//! the constraints found there (type, enum, format, pattern, item counts).

use seam_core::path::Segment;
use seam_openapi::model::escape_token;
use serde_json::Value;

/// At most this many `$ref`s are followed in a chain, and this many schemas
/// kept per place (a deep `oneOf` tree stays bounded).
const MAX_HOPS: usize = 32;
const MAX_CANDIDATES: usize = 16;

/// The schemas (pointers without `#`, `$ref`s followed) that apply at the root
/// of a value whose schema is at `pointer`.
pub fn root(doc: &Value, pointer: &str) -> Vec<String> {
    let mut out = Vec::new();
    expand(doc, pointer.trim_start_matches('#'), &mut out, 0);
    out
}

/// The schemas that apply one step down from `at`.
pub fn child(doc: &Value, at: &[String], seg: &Segment) -> Vec<String> {
    let mut out = Vec::new();
    for pointer in at {
        let Some(schema) = doc.pointer(pointer) else {
            continue;
        };
        let next = match seg {
            Segment::Field(name) => {
                if schema
                    .get("properties")
                    .and_then(|p| p.get(name.as_str()))
                    .is_some()
                {
                    Some(format!("{pointer}/properties/{}", escape_token(name)))
                } else if schema
                    .get("additionalProperties")
                    .is_some_and(Value::is_object)
                {
                    Some(format!("{pointer}/additionalProperties"))
                } else {
                    None
                }
            }
            Segment::Index(_) => schema
                .get("items")
                .filter(|i| i.is_object())
                .map(|_| format!("{pointer}/items")),
        };
        if let Some(next) = next {
            expand(doc, &next, &mut out, 0);
        }
    }
    out
}

/// `pointer` with its `$ref` chain followed, then the members of its
/// compositions, each likewise.
fn expand(doc: &Value, pointer: &str, out: &mut Vec<String>, depth: usize) {
    if depth > MAX_HOPS || out.len() >= MAX_CANDIDATES {
        return;
    }
    let mut pointer = pointer.to_string();
    for _ in 0..MAX_HOPS {
        let Some(target) = doc
            .pointer(&pointer)
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        else {
            break;
        };
        pointer = target.to_string();
    }
    let Some(schema) = doc.pointer(&pointer) else {
        return;
    };
    if out.contains(&pointer) {
        return;
    }
    out.push(pointer.clone());
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(members)) = schema.get(key) {
            for i in 0..members.len() {
                expand(doc, &format!("{pointer}/{key}/{i}"), out, depth + 1);
            }
        }
    }
}

/// The JSON types the schemas at a place allow (`nullable: true` adds `null`),
/// or `None` when none of them says.
pub fn types(doc: &Value, at: &[String]) -> Option<Vec<String>> {
    let mut found: Option<Vec<String>> = None;
    for pointer in at {
        let Some(schema) = doc.pointer(pointer) else {
            continue;
        };
        let mut these: Vec<String> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            _ => continue,
        };
        if schema.get("nullable") == Some(&Value::Bool(true)) {
            these.push("null".into());
        }
        found.get_or_insert_with(Vec::new).extend(these);
    }
    found
}

/// The first schema at a place with `key`, and the value there.
pub fn first_with<'d>(doc: &'d Value, at: &[String], key: &str) -> Option<(String, &'d Value)> {
    at.iter().find_map(|pointer| {
        doc.pointer(pointer)
            .and_then(|s| s.get(key))
            .map(|v| (format!("{pointer}/{key}"), v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walks_properties_items_refs_and_compositions() {
        let doc = json!({
            "components": {"schemas": {
                "List": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}}},
                "Item": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"qty": {"type": "integer", "nullable": true}}}]},
                "Base": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}}
            }}
        });
        let at = root(&doc, "#/components/schemas/List");
        let at = child(&doc, &at, &Segment::Field("items".into()));
        let at = child(&doc, &at, &Segment::Index(0));
        assert!(
            at.contains(&"/components/schemas/Base".to_string()),
            "{at:?}"
        );
        let qty = child(&doc, &at, &Segment::Field("qty".into()));
        assert_eq!(
            types(&doc, &qty),
            Some(vec!["integer".into(), "null".into()])
        );
        let id = child(&doc, &at, &Segment::Field("id".into()));
        assert_eq!(
            first_with(&doc, &id, "format").map(|(p, v)| (p, v.clone())),
            Some((
                "/components/schemas/Base/properties/id/format".into(),
                json!("uuid")
            ))
        );
        assert!(child(&doc, &id, &Segment::Field("x".into())).is_empty());
    }
}
