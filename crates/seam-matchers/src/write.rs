//! Writing a [`StringMatcher`] back as WireMock JSON; [`crate::from_wiremock_json`]
//! reads it again to the same matcher.

use crate::StringMatcher;
use base64::Engine;
use seam_core::regexp::source_of;
use serde_json::{json, Map, Value};

impl StringMatcher {
    /// WireMock's JSON form; [`crate::from_wiremock_json`] reads it back.
    pub fn to_wiremock_json(&self) -> Value {
        use StringMatcher as M;
        match self {
            M::EqualTo {
                value,
                case_insensitive,
            } => {
                let mut m = json!({ "equalTo": value });
                if *case_insensitive {
                    m["caseInsensitive"] = json!(true);
                }
                m
            }
            M::BinaryEqualTo(bytes) => {
                json!({ "binaryEqualTo": base64::engine::general_purpose::STANDARD.encode(bytes) })
            }
            M::Contains(s) => json!({ "contains": s }),
            M::DoesNotContain(s) => json!({ "doesNotContain": s }),
            M::Matches(re) => json!({ "matches": source_of(re) }),
            M::DoesNotMatch(re) => json!({ "doesNotMatch": source_of(re) }),
            M::Absent => json!({ "absent": true }),
            M::Anything => json!({ "anything": "anything" }),
            M::EqualToJson { .. } => self.equal_to_json_json(),
            M::MatchesJsonPath { expression, sub } => {
                json!({ "matchesJsonPath": path_json(expression.as_str(), sub.as_deref()) })
            }
            M::MatchesJsonSchema(schema) => schema.to_wiremock_json(),
            M::DateTime(d) => d.to_json(),
            M::EqualToXml {
                value,
                enable_placeholders,
                options,
            } => {
                let mut m = json!({ "equalToXml": value });
                if *enable_placeholders {
                    m["enablePlaceholders"] = json!(true);
                }
                options.write(&mut m);
                m
            }
            M::MatchesXPath { .. } => self.xpath_json(),
            M::And(ms) => json!({ "and": list_json(ms) }),
            M::Or(ms) => json!({ "or": list_json(ms) }),
            M::Not(m) => json!({ "not": m.to_wiremock_json() }),
            M::HasExactly(ms) => json!({ "hasExactly": list_json(ms) }),
            M::Includes(ms) => json!({ "includes": list_json(ms) }),
        }
    }

    fn equal_to_json_json(&self) -> Value {
        let StringMatcher::EqualToJson {
            value,
            ignore_array_order,
            ignore_extra_elements,
        } = self
        else {
            unreachable!()
        };
        let mut m = json!({ "equalToJson": value });
        if *ignore_array_order {
            m["ignoreArrayOrder"] = json!(true);
        }
        if *ignore_extra_elements {
            m["ignoreExtraElements"] = json!(true);
        }
        m
    }

    fn xpath_json(&self) -> Value {
        let StringMatcher::MatchesXPath {
            expression,
            namespaces,
            sub,
        } = self
        else {
            unreachable!()
        };
        let mut m = json!({ "matchesXPath": path_json(expression, sub.as_deref()) });
        if !namespaces.is_empty() {
            let ns: Map<String, Value> = namespaces
                .iter()
                .map(|(p, u)| (p.clone(), json!(u)))
                .collect();
            m["xPathNamespaces"] = Value::Object(ns);
        }
        m
    }
}

fn list_json(ms: &[StringMatcher]) -> Value {
    Value::Array(ms.iter().map(StringMatcher::to_wiremock_json).collect())
}

fn path_json(expression: &str, sub: Option<&StringMatcher>) -> Value {
    match sub {
        None => json!(expression),
        Some(sub) => {
            let mut m = Map::new();
            m.insert("expression".into(), json!(expression));
            if let Value::Object(inner) = sub.to_wiremock_json() {
                m.extend(inner);
            }
            Value::Object(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::m;
    use serde_json::json;

    #[test]
    fn canonical_forms_are_written_back_as_read() {
        let canonical = [
            json!({"equalTo": "x", "caseInsensitive": true}),
            json!({"matches": "[0-9]+"}),
            json!({"matchesJsonPath": {"expression": "$.a", "equalTo": "1"}}),
            json!({"matchesXPath": {"expression": "//a", "contains": "x"}, "xPathNamespaces": {"p": "urn:p"}}),
            json!({"matchesJsonSchema": "{\"type\": \"string\"}", "schemaVersion": "V7"}),
            json!({"equalToJson": {"a": [1]}, "ignoreArrayOrder": true, "ignoreExtraElements": true}),
            json!({"and": [{"absent": true}, {"not": {"contains": "x"}}]}),
            json!({"hasExactly": [{"equalTo": "a"}, {"doesNotMatch": "b"}]}),
            json!({"binaryEqualTo": "AQID"}),
        ];
        for spec in canonical {
            assert_eq!(m(spec.clone()).to_wiremock_json(), spec);
        }
    }
}
