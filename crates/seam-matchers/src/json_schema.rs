//! `matchesJsonSchema`: a JSON Schema compiled once for a WireMock
//! `schemaVersion`, checked against a value read as JSON (or as a JSON string).

use crate::text::{child_path, describe_json};
use crate::{MatcherError, Parsed};
use serde_json::{json, Map, Value};
use std::fmt;
use std::sync::Arc;

/// WireMock's `schemaVersion` values.
const SCHEMA_VERSIONS: &[&str] = &["V4", "V6", "V7", "V201909", "V202012"];

/// A JSON schema compiled once (shared between clones).
#[derive(Clone)]
pub struct JsonSchema {
    /// The schema as written (a JSON value, or a string holding JSON).
    written: Value,
    version: Option<String>,
    validator: Arc<jsonschema::Validator>,
}

impl fmt::Debug for JsonSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonSchema")
            .field("schema", &self.written)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl JsonSchema {
    /// Compiles `schema` (a JSON value or a string holding JSON) for a WireMock
    /// `schemaVersion` (`V4`, `V6`, `V7`, `V201909`, `V202012`; default: the
    /// schema's `$schema`, else 2020-12).
    pub fn compile(schema: &Value, version: Option<&str>) -> Result<Self, String> {
        let parsed = match schema {
            Value::String(s) => {
                serde_json::from_str(s).map_err(|e| format!("the schema is not valid JSON: {e}"))?
            }
            other => other.clone(),
        };
        let mut options = jsonschema::options();
        if let Some(v) = version {
            options = options.with_draft(draft(v)?);
        }
        let validator = options
            .build(&parsed)
            .map_err(|e| format!("invalid JSON schema: {e}"))?;
        Ok(JsonSchema {
            written: schema.clone(),
            version: version.map(str::to_string),
            validator: Arc::new(validator),
        })
    }

    pub(crate) fn from_matcher(obj: &Map<String, Value>, path: &str) -> Parsed<Self> {
        let version = match obj.get("schemaVersion") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(other) => {
                return Err(MatcherError::new(
                    child_path(path, "schemaVersion"),
                    format!(
                        "`schemaVersion` needs a string, not {}",
                        describe_json(other)
                    ),
                ))
            }
        };
        let at = if version.is_some_and(|v| !SCHEMA_VERSIONS.contains(&v)) {
            child_path(path, "schemaVersion")
        } else {
            child_path(path, "matchesJsonSchema")
        };
        JsonSchema::compile(&obj["matchesJsonSchema"], version)
            .map_err(|e| MatcherError::new(at, e))
    }

    pub(crate) fn to_wiremock_json(&self) -> Value {
        let mut m = json!({ "matchesJsonSchema": self.written });
        if let Some(v) = &self.version {
            m["schemaVersion"] = json!(v);
        }
        m
    }

    /// The value is read as JSON, or as a JSON string when it is not JSON; a
    /// number or boolean that fails is retried as a string (as WireMock).
    pub(crate) fn check(&self, actual: Option<&str>) -> Result<(), String> {
        let Some(text) = actual else {
            return Err("expected a value valid against the JSON schema but it was absent".into());
        };
        let parsed = crate::parsed_json::parse(text)
            .unwrap_or_else(|_| std::rc::Rc::new(Value::String(text.into())));
        let Some(first) = self.first_error(&parsed) else {
            return Ok(());
        };
        let scalar = !matches!(
            *parsed,
            Value::String(_) | Value::Array(_) | Value::Object(_)
        );
        if scalar && self.validator.is_valid(&Value::String(text.into())) {
            return Ok(());
        }
        Err(format!("not valid against the JSON schema: {first}"))
    }

    fn first_error(&self, instance: &Value) -> Option<String> {
        self.validator.iter_errors(instance).next().map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() {
                "the root".to_string()
            } else {
                at
            };
            format!("at {at}: {e}")
        })
    }
}

fn draft(version: &str) -> Result<jsonschema::Draft, String> {
    use jsonschema::Draft;
    Ok(match version {
        "V4" => Draft::Draft4,
        "V6" => Draft::Draft6,
        "V7" => Draft::Draft7,
        "V201909" => Draft::Draft201909,
        "V202012" => Draft::Draft202012,
        other => {
            return Err(format!(
                "unknown schemaVersion `{other}`; expected one of {}{}",
                SCHEMA_VERSIONS.join(", "),
                seam_core::source::did_you_mean(other, SCHEMA_VERSIONS.iter().copied())
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_table, m};
    use serde_json::{json, Value};

    fn table() -> Vec<(Value, Option<&'static str>, bool)> {
        let schema = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}});
        vec![
            // matchesJsonSchema
            (
                json!({"matchesJsonSchema": schema}),
                Some(r#"{"id": 1}"#),
                true,
            ),
            (
                json!({"matchesJsonSchema": schema}),
                Some(r#"{"id": "1"}"#),
                false,
            ),
            (
                json!({"matchesJsonSchema": schema.to_string()}),
                Some(r#"{}"#),
                false,
            ),
            (
                json!({"matchesJsonSchema": {"type": "string", "maxLength": 3}}),
                Some("abc"),
                true,
            ),
            (
                json!({"matchesJsonSchema": {"type": "string"}}),
                Some("123"),
                true,
            ),
            (
                json!({"matchesJsonSchema": {"type": "integer"}}),
                Some("123"),
                true,
            ),
            (
                json!({"matchesJsonSchema": {"type": "integer"}}),
                None,
                false,
            ),
        ]
    }

    #[test]
    fn behaves_as_wiremock() {
        check_table(table());
    }

    #[test]
    fn reasons_name_the_first_error() {
        let reason = |spec: Value, actual: Option<&str>| m(spec).check(actual).unwrap_err();
        assert!(reason(
            json!({"matchesJsonSchema": {"type": "integer"}}),
            Some("\"x\"")
        )
        .starts_with("not valid against the JSON schema: at the root:"));
    }
}
