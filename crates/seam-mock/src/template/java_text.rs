//! Values as WireMock (Java) renders them: `toString` of lists and maps,
//! `Double.toString`, Jackson's pretty printer, Handlebars.java's falsy values.

use serde_json::{Map, Number, Value};

use crate::template::helpers::call::is_node_list;
use crate::template::helpers::dates::WireMockDate;
use crate::template::helpers::XML_KEY;

/// Java's `toString` of a value, as WireMock renders it.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => java_number(n),
        Value::Array(a) if is_node_list(a) => value_text(&a[0]),
        Value::Array(a) => list_text(a),
        Value::Object(m) => special_text(m).unwrap_or_else(|| jackson_pretty(v)),
    }
}

pub(crate) fn list_text(a: &[Value]) -> String {
    format!(
        "[{}]",
        a.iter().map(item_text).collect::<Vec<_>>().join(", ")
    )
}

pub(crate) fn item_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Array(a) => list_text(a),
        Value::Object(m) => special_text(m).unwrap_or_else(|| {
            format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, x)| format!("{k}={}", item_text(x)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
        other => value_text(other),
    }
}

pub(crate) fn special_text(m: &Map<String, Value>) -> Option<String> {
    if let Some(Value::String(x)) = m.get(XML_KEY) {
        return Some(x.clone());
    }
    WireMockDate::from_map(m).map(|d| d.render().unwrap_or_else(|e| format!("[ERROR: {e}]")))
}

/// How `jsonPath` renders its result: objects as pretty JSON, lists as compact JSON.
pub(crate) fn json_text(v: &Value) -> String {
    match v {
        Value::Array(_) => serde_json::to_string(v).unwrap_or_default(),
        other => value_text(other),
    }
}

pub(crate) fn java_number(n: &Number) -> String {
    if n.is_f64() {
        java_double(n.as_f64().unwrap_or(0.0))
    } else {
        n.to_string()
    }
}

/// Java's `Double.toString`.
pub(crate) fn java_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let a = f.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{f}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.to_string()
        } else {
            format!("{m}.0")
        };
        format!("{m}E{e}")
    }
}

/// Jackson's default pretty printer (`{\n  "a" : 1\n}`, `[ 1, 2 ]`).
pub(crate) fn jackson_pretty(v: &Value) -> String {
    let mut out = String::new();
    jackson_write(v, 0, &mut out);
    out
}

pub(crate) fn jackson_write(v: &Value, nesting: usize, out: &mut String) {
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{ }"),
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&"  ".repeat(nesting + 1));
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push_str(" : ");
                jackson_write(x, nesting + 1, out);
            }
            out.push('\n');
            out.push_str(&"  ".repeat(nesting));
            out.push('}');
        }
        Value::Array(a) if a.is_empty() => out.push_str("[ ]"),
        Value::Array(a) => {
            out.push_str("[ ");
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                jackson_write(x, nesting, out);
            }
            out.push_str(" ]");
        }
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

/// Handlebars.java's `Utils.isEmpty` (falsy values).
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Array(a) => a.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Object(_) => false,
    }
}

/// Java's `String.trim` (strips code points up to U+0020).
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

pub(crate) fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn float_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_rendering() {
        assert_eq!(java_double(3.0), "3.0");
        assert_eq!(java_double(1.5), "1.5");
        assert_eq!(java_double(1.0e7), "1.0E7");
        assert_eq!(java_double(1.0e-4), "1.0E-4");
        assert_eq!(java_double(0.001), "0.001");
    }
}
