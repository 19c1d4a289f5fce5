//! How values and places are written in reasons and errors: quoted values
//! (cut when long), "was ..." / "it was absent", a JSON value's kind, and the
//! JSON path of a child key.

use seam_core::matching::brief;
use serde_json::Value;

/// The path of `key` under `path` (`$.a.b`, `$['x y']`).
pub fn child_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-'));
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}['{}']", key.replace('\'', "\\'"))
    }
}

/// A JSON value's kind and a short rendering, for errors.
pub fn describe_json(v: &Value) -> String {
    let kind = match v {
        Value::Null => return "null".to_string(),
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    format!("{kind} {}", brief(v))
}

/// A value quoted for a reason, cut when long.
pub(crate) fn quote(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() > MAX {
        let cut: String = s.chars().take(MAX - 3).collect();
        format!("{}...", Value::String(cut))
    } else {
        Value::String(s.to_string()).to_string()
    }
}

pub(crate) fn was(actual: Option<&str>) -> String {
    match actual {
        Some(a) => format!("was {}", quote(a)),
        None => "it was absent".to_string(),
    }
}
