//! WireMock's string and body matchers (equalTo, contains, matches, absent,
//! equalToJson, matchesJsonPath, matchesJsonSchema, equalToXml, matchesXPath,
//! and/or/not) as one type, checked against an optional actual value.
//!
//! PLACEHOLDER: being written by a helper; the signature below is the contract.

/// One WireMock matcher.
#[derive(Debug, Clone)]
pub enum StringMatcher {
    EqualTo { value: String, case_insensitive: bool },
}

impl StringMatcher {
    /// Checks `actual` (`None` when the header, parameter, cookie or body is
    /// absent). `Err` holds the reason, written for a near-miss report.
    pub fn check(&self, actual: Option<&str>) -> Result<(), String> {
        match self {
            StringMatcher::EqualTo { value, case_insensitive } => match actual {
                Some(a) if a == value || (*case_insensitive && a.eq_ignore_ascii_case(value)) => Ok(()),
                other => Err(format!("expected \"{value}\" but was {other:?}")),
            },
        }
    }
}

impl StringMatcher {
    /// PLACEHOLDER: equalTo only.
    pub fn from_wiremock_json(v: &serde_json::Value) -> Result<StringMatcher, String> {
        match v.get("equalTo").and_then(|x| x.as_str()) {
            Some(s) => Ok(StringMatcher::EqualTo {
                value: s.to_string(),
                case_insensitive: false,
            }),
            None => Err(format!("unsupported matcher {v}")),
        }
    }
}
