//! Evaluating a [`StringMatcher`]: on one value (absent or present), on every
//! value of a multi-valued header or parameter (WireMock's `hasExactly` and
//! `includes`), on a cookie, on raw body bytes; and describing a matcher in a
//! phrase for near-miss reports. Failures are one-line reasons.

use crate::equal_to_json::{check_equal_json, JsonOptions};
use crate::equal_to_xml::check_equal_xml;
use crate::json_path::check_json_path;
use crate::text::{quote, was};
use crate::xpath::check_xpath;
use crate::StringMatcher;
use seam_core::matching::brief;
use seam_core::regexp::source_of;

impl StringMatcher {
    /// What the matcher expects, as a phrase: `equal to "x"`, `matching `[0-9]+``.
    pub fn describe(&self) -> String {
        use StringMatcher as M;
        match self {
            M::EqualTo {
                value,
                case_insensitive: false,
            } => format!("equal to {}", quote(value)),
            M::EqualTo { value, .. } => format!("equal to {} (ignoring case)", quote(value)),
            M::BinaryEqualTo(b) => format!("equal to {} given byte(s)", b.len()),
            M::Contains(s) => format!("containing {}", quote(s)),
            M::DoesNotContain(s) => format!("not containing {}", quote(s)),
            M::Matches(re) => format!("matching `{}`", source_of(re)),
            M::DoesNotMatch(re) => format!("not matching `{}`", source_of(re)),
            M::Absent => "absent".to_string(),
            M::Anything => "anything".to_string(),
            M::EqualToJson { value, .. } => format!("JSON equal to {}", brief(value)),
            M::MatchesJsonPath { expression, sub } => {
                describe_path("JSON", expression.as_str(), sub)
            }
            M::MatchesJsonSchema(_) => "JSON valid against the schema".to_string(),
            M::DateTime(d) => d.describe(),
            M::EqualToXml { value, .. } => format!("XML equal to {}", quote(value)),
            M::MatchesXPath {
                expression, sub, ..
            } => describe_path("XML", expression, sub),
            M::And(ms) => join_descriptions(ms, " and "),
            M::Or(ms) => join_descriptions(ms, " or "),
            M::Not(m) => format!("not {}", m.describe()),
            M::HasExactly(ms) => format!("exactly the values [{}]", join_descriptions(ms, ", ")),
            M::Includes(ms) => format!("values including [{}]", join_descriptions(ms, ", ")),
        }
    }

    /// Checks `actual` (`None` when the header, parameter, cookie or body is
    /// absent). `Err` holds the reason, written for a near-miss report.
    pub fn check(&self, actual: Option<&str>) -> Result<(), String> {
        use StringMatcher as M;
        match self {
            M::EqualTo {
                value,
                case_insensitive,
            } => check_equal(value, *case_insensitive, actual),
            M::BinaryEqualTo(bytes) => check_binary(bytes, actual.map(str::as_bytes)),
            M::Contains(s) => match actual {
                Some(a) if contains(a, s) => Ok(()),
                _ => Err(format!(
                    "expected a value containing {} but {}",
                    quote(s),
                    was(actual)
                )),
            },
            M::DoesNotContain(s) => match actual {
                Some(a) if contains(a, s) => Err(format!(
                    "expected a value not containing {} but was {}",
                    quote(s),
                    quote(a)
                )),
                _ => Ok(()),
            },
            M::Matches(re) => match actual {
                Some(a) if re.is_match(a) => Ok(()),
                _ => Err(format!(
                    "expected a value matching `{}` but {}",
                    source_of(re),
                    was(actual)
                )),
            },
            M::DoesNotMatch(re) => match actual {
                Some(a) if re.is_match(a) => Err(format!(
                    "expected a value not matching `{}` but was {}",
                    source_of(re),
                    quote(a)
                )),
                _ => Ok(()),
            },
            M::Absent => match actual {
                None => Ok(()),
                Some(a) => Err(format!("expected no value but was {}", quote(a))),
            },
            M::Anything => Ok(()),
            M::EqualToJson {
                value,
                ignore_array_order,
                ignore_extra_elements,
            } => check_equal_json(
                value,
                JsonOptions {
                    ignore_order: *ignore_array_order,
                    ignore_extra: *ignore_extra_elements,
                },
                actual,
            ),
            M::MatchesJsonPath { expression, sub } => {
                check_json_path(expression, sub.as_deref(), actual)
            }
            M::MatchesJsonSchema(schema) => schema.check(actual),
            M::DateTime(d) => d.check(actual),
            M::EqualToXml {
                value,
                enable_placeholders,
                options,
            } => check_equal_xml(value, *enable_placeholders, options, actual),
            M::MatchesXPath {
                expression,
                namespaces,
                sub,
            } => check_xpath(expression, namespaces, sub.as_deref(), actual),
            M::And(ms) => ms.iter().try_for_each(|m| m.check(actual)),
            M::Or(ms) => check_any(ms, actual),
            M::Not(m) => match m.check(actual) {
                Ok(()) => Err(format!(
                    "expected a value not {} but {}",
                    m.describe(),
                    was(actual)
                )),
                Err(_) => Ok(()),
            },
            M::HasExactly(_) | M::Includes(_) => {
                let values: Vec<&str> = actual.into_iter().collect();
                self.check_values(&values)
            }
        }
    }

    /// Checks every value of a multi-valued query parameter or header (empty
    /// when absent), as WireMock does: `hasExactly` needs as many values as
    /// matchers and `includes` needs each matcher satisfied by some value; any
    /// other matcher needs one matching value (or, with no values, is checked
    /// against an absent value).
    pub fn check_values(&self, values: &[&str]) -> Result<(), String> {
        match self {
            StringMatcher::HasExactly(ms) => {
                if !values.is_empty() && values.len() != ms.len() {
                    return Err(format!(
                        "expected exactly {} value(s) but there were {}: {}",
                        ms.len(),
                        values.len(),
                        quote_all(values)
                    ));
                }
                check_includes(ms, values)
            }
            StringMatcher::Includes(ms) => check_includes(ms, values),
            _ if values.is_empty() => self.check(None),
            _ => self.check_any_value(values),
        }
    }

    /// Checks a cookie's values as WireMock does: an absent cookie satisfies
    /// only `absent`; otherwise one matching value is enough.
    pub fn check_cookie(&self, values: &[&str]) -> Result<(), String> {
        match (self, values.is_empty()) {
            (StringMatcher::Absent, _) => self.check_values(values),
            (_, true) => Err(format!(
                "expected a cookie {} but it was absent",
                self.describe()
            )),
            _ => self.check_values(values),
        }
    }

    /// Checks a raw body. An empty body counts as absent (as WireMock).
    /// `binaryEqualTo` compares bytes; every other matcher sees the body as
    /// UTF-8 text (invalid sequences replaced).
    pub fn check_bytes(&self, body: Option<&[u8]>) -> Result<(), String> {
        let body = body.filter(|b| !b.is_empty());
        match self {
            StringMatcher::BinaryEqualTo(expected) => check_binary(expected, body),
            _ => match body {
                None => self.check(None),
                // valid UTF-8 (nearly every body) is checked in place
                Some(b) => match std::str::from_utf8(b) {
                    Ok(text) => self.check(Some(text)),
                    Err(_) => self.check(Some(&String::from_utf8_lossy(b))),
                },
            },
        }
    }

    /// Whether `actual` satisfies the matcher: what [`StringMatcher::check`]
    /// decides, without writing a reason (request matching asks this of
    /// every candidate stub; only near-miss reports need the reasons).
    pub fn is_match(&self, actual: Option<&str>) -> bool {
        use StringMatcher as M;
        match self {
            M::EqualTo {
                value,
                case_insensitive,
            } => equal(value, *case_insensitive, actual),
            M::Contains(s) => actual.is_some_and(|a| contains(a, s)),
            M::DoesNotContain(s) => !actual.is_some_and(|a| contains(a, s)),
            M::Matches(re) => actual.is_some_and(|a| re.is_match(a)),
            M::DoesNotMatch(re) => !actual.is_some_and(|a| re.is_match(a)),
            M::Absent => actual.is_none(),
            M::Anything => true,
            M::And(ms) => ms.iter().all(|m| m.is_match(actual)),
            M::Or(ms) => ms.iter().any(|m| m.is_match(actual)),
            M::Not(m) => !m.is_match(actual),
            // the body matchers give no reason on success: checking costs the same
            _ => self.check(actual).is_ok(),
        }
    }

    /// Whether the values of a multi-valued parameter or header satisfy the
    /// matcher: what [`StringMatcher::check_values`] decides, without a reason.
    pub fn matches_values(&self, values: &[&str]) -> bool {
        match self {
            StringMatcher::HasExactly(_) | StringMatcher::Includes(_) => {
                self.check_values(values).is_ok()
            }
            _ if values.is_empty() => self.is_match(None),
            _ => values.iter().any(|v| self.is_match(Some(v))),
        }
    }

    /// Whether a raw body satisfies the matcher: what
    /// [`StringMatcher::check_bytes`] decides, without a reason.
    pub fn matches_bytes(&self, body: Option<&[u8]>) -> bool {
        Self::all_match_bytes(std::slice::from_ref(self), body)
    }

    /// Whether a raw body satisfies every one of `matchers`: what
    /// [`StringMatcher::matches_bytes`] decides for each, with the body read
    /// as text once for all of them.
    pub fn all_match_bytes(matchers: &[StringMatcher], body: Option<&[u8]>) -> bool {
        let body = body.filter(|b| !b.is_empty());
        // `from_utf8` first: the lossy reading walks the text far slower
        let text = body.map(|b| match std::str::from_utf8(b) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(b),
        });
        matchers.iter().all(|m| match m {
            StringMatcher::BinaryEqualTo(_) => m.check_bytes(body).is_ok(),
            _ => m.is_match(text.as_deref()),
        })
    }

    /// Whether this is `absent`.
    pub fn is_absent(&self) -> bool {
        matches!(self, StringMatcher::Absent)
    }

    fn check_any_value(&self, values: &[&str]) -> Result<(), String> {
        let mut first_err = None;
        for v in values {
            match self.check(Some(v)) {
                Ok(()) => return Ok(()),
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        let first = first_err.unwrap_or_default();
        match values.len() {
            1 => Err(first),
            n => Err(format!("none of the {n} values matched: {first}")),
        }
    }
}

fn quote_all(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| quote(v)).collect();
    format!("[{}]", quoted.join(", "))
}

fn check_includes(ms: &[StringMatcher], values: &[&str]) -> Result<(), String> {
    if values.is_empty() {
        return Err(format!(
            "expected values {} but there were none",
            join_descriptions(ms, ", ")
        ));
    }
    for m in ms {
        if !values.iter().any(|v| m.check(Some(v)).is_ok()) {
            return Err(format!(
                "expected a value {} among {}",
                m.describe(),
                quote_all(values)
            ));
        }
    }
    Ok(())
}

fn describe_path(kind: &str, expr: &str, sub: &Option<Box<StringMatcher>>) -> String {
    match sub {
        None => format!("{kind} with a match for `{expr}`"),
        Some(m) => format!("{kind} whose `{expr}` is {}", m.describe()),
    }
}

fn join_descriptions(ms: &[StringMatcher], sep: &str) -> String {
    ms.iter()
        .map(StringMatcher::describe)
        .collect::<Vec<_>>()
        .join(sep)
}

/// `equalTo`'s test: the same text, or the same ignoring case when asked.
fn equal(value: &str, case_insensitive: bool, actual: Option<&str>) -> bool {
    actual.is_some_and(|a| {
        a == value || (case_insensitive && a.to_lowercase() == value.to_lowercase())
    })
}

fn check_equal(value: &str, case_insensitive: bool, actual: Option<&str>) -> Result<(), String> {
    if equal(value, case_insensitive, actual) {
        return Ok(());
    }
    let how = if case_insensitive {
        " (ignoring case)"
    } else {
        ""
    };
    Err(format!(
        "expected {}{how} but {}",
        quote(value),
        was(actual)
    ))
}

fn check_binary(expected: &[u8], actual: Option<&[u8]>) -> Result<(), String> {
    match actual {
        Some(a) if a == expected => Ok(()),
        None => Err(format!(
            "expected {} byte(s) but the value was absent",
            expected.len()
        )),
        Some(a) => {
            let at = expected.iter().zip(a).position(|(x, y)| x != y);
            let where_ = at.map_or_else(String::new, |i| format!(", first difference at byte {i}"));
            Err(format!(
                "expected {} byte(s) but got {} different byte(s){where_}",
                expected.len(),
                a.len()
            ))
        }
    }
}

fn check_any(ms: &[StringMatcher], actual: Option<&str>) -> Result<(), String> {
    let mut reasons = Vec::new();
    for m in ms {
        match m.check(actual) {
            Ok(()) => return Ok(()),
            Err(e) => reasons.push(e),
        }
    }
    Err(format!("no alternative matched: {}", reasons.join("; ")))
}

/// One selected value satisfying `sub` is enough; with none, `absent` passes.
pub(crate) fn check_selected(
    expr: &str,
    values: &[String],
    sub: &StringMatcher,
) -> Result<(), String> {
    if values.is_empty() {
        return sub.check(None).map_err(|_| {
            format!(
                "`{expr}` selected nothing (expected a value {})",
                sub.describe()
            )
        });
    }
    let mut first_err = None;
    for v in values {
        match sub.check(Some(v)) {
            Ok(()) => return Ok(()),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    let first = first_err.unwrap_or_default();
    match values.len() {
        1 => Err(format!("at `{expr}`: {first}")),
        n => Err(format!(
            "none of the {n} values at `{expr}` matched; first: {first}"
        )),
    }
}

/// Whether `text` contains `part` (Rabin-Karp on short values: std's
/// two-way search spends hundreds of instructions on its set-up, more than a
/// header value takes to read).
fn contains(text: &str, part: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), part.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_table, m};
    use serde_json::{json, Value};

    fn table() -> Vec<(Value, Option<&'static str>, bool)> {
        vec![
            // equalTo
            (json!({"equalTo": "abc"}), Some("abc"), true),
            (json!({"equalTo": "abc"}), Some("ABC"), false),
            (json!({"equalTo": "abc"}), None, false),
            (
                json!({"equalTo": "abc", "caseInsensitive": true}),
                Some("ABC"),
                true,
            ),
            (
                json!({"binaryEqualTo": "AQID"}),
                Some("\u{1}\u{2}\u{3}"),
                true,
            ),
            (json!({"binaryEqualTo": "AQID"}), Some("\u{1}\u{2}"), false),
            // contains / doesNotContain
            (json!({"contains": "b"}), Some("abc"), true),
            (json!({"contains": "x"}), Some("abc"), false),
            (json!({"contains": "x"}), None, false),
            (json!({"doesNotContain": "x"}), Some("abc"), true),
            (json!({"doesNotContain": "b"}), Some("abc"), false),
            (json!({"doesNotContain": "b"}), None, true),
            // matches / doesNotMatch: whole value, DOTALL
            (json!({"matches": "[0-9]+"}), Some("123"), true),
            (json!({"matches": "[0-9]+"}), Some("123a"), false),
            (json!({"matches": "a|ab"}), Some("ab"), true),
            (json!({"matches": "a.b"}), Some("a\nb"), true),
            (json!({"matches": ".*"}), None, false),
            (json!({"doesNotMatch": "[0-9]+"}), Some("12a"), true),
            (json!({"doesNotMatch": "[0-9]+"}), Some("12"), false),
            (json!({"doesNotMatch": "[0-9]+"}), None, true),
            // absent / anything
            (json!({"absent": true}), None, true),
            (json!({"absent": true}), Some(""), false),
            (json!({"anything": "anything"}), None, true),
            (json!({"anything": "anything"}), Some("x"), true),
        ]
    }
    fn combinators() -> Vec<(Value, Option<&'static str>, bool)> {
        vec![
            // and / or / not
            (
                json!({"and": [{"contains": "a"}, {"contains": "b"}]}),
                Some("ab"),
                true,
            ),
            (
                json!({"and": [{"contains": "a"}, {"contains": "c"}]}),
                Some("ab"),
                false,
            ),
            (
                json!({"or": [{"equalTo": "a"}, {"absent": true}]}),
                None,
                true,
            ),
            (
                json!({"or": [{"equalTo": "a"}, {"equalTo": "b"}]}),
                Some("c"),
                false,
            ),
            (json!({"not": {"equalTo": "a"}}), Some("b"), true),
            (json!({"not": {"equalTo": "a"}}), Some("a"), false),
            (json!({"not": {"absent": true}}), None, false),
            // hasExactly / includes on a single value
            (json!({"includes": [{"equalTo": "a"}]}), Some("a"), true),
            (
                json!({"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]}),
                Some("a"),
                false,
            ),
            (json!({"includes": [{"equalTo": "a"}]}), None, false),
        ]
    }

    #[test]
    fn behaves_as_wiremock() {
        check_table(table());
        check_table(combinators());
    }

    #[test]
    fn reasons_are_precise() {
        let reason = |spec: Value, actual: Option<&str>| m(spec).check(actual).unwrap_err();
        assert_eq!(
            reason(json!({"matches": "[0-9]+"}), Some("abc")),
            "expected a value matching `[0-9]+` but was \"abc\""
        );
        assert_eq!(
            reason(json!({"equalTo": "a"}), None),
            "expected \"a\" but it was absent"
        );
        assert_eq!(
            reason(json!({"not": {"contains": "a"}}), Some("abc")),
            "expected a value not containing \"a\" but was \"abc\""
        );
    }

    #[test]
    fn multi_values_follow_wiremock() {
        let has = m(json!({"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]}));
        assert!(has.check_values(&["b", "a"]).is_ok());
        assert_eq!(
            has.check_values(&["a", "b", "c"]).unwrap_err(),
            "expected exactly 2 value(s) but there were 3: [\"a\", \"b\", \"c\"]"
        );
        assert!(has.check_values(&["a", "a"]).is_err());
        assert!(has.check_values(&[]).is_err());
        let inc = m(json!({"includes": [{"equalTo": "a"}, {"matches": "[0-9]"}]}));
        assert!(inc.check_values(&["x", "7", "a"]).is_ok());
        assert_eq!(
            inc.check_values(&["a", "x"]).unwrap_err(),
            "expected a value matching `[0-9]` among [\"a\", \"x\"]"
        );
        let single = m(json!({"equalTo": "b"}));
        assert!(single.check_values(&["a", "b"]).is_ok());
        assert_eq!(
            single.check_values(&["a", "c"]).unwrap_err(),
            "none of the 2 values matched: expected \"b\" but was \"a\""
        );
        assert!(m(json!({"absent": true})).check_values(&[]).is_ok());
        assert!(m(json!({"doesNotContain": "x"})).check_values(&[]).is_ok());
    }

    #[test]
    fn cookies_and_bytes() {
        let dnc = m(json!({"doesNotContain": "x"}));
        assert!(
            dnc.check_cookie(&[]).is_err(),
            "an absent cookie only satisfies absent"
        );
        assert!(m(json!({"absent": true})).check_cookie(&[]).is_ok());
        assert!(dnc.check_cookie(&["abc"]).is_ok());
        let bin = m(json!({"binaryEqualTo": "/w=="}));
        assert!(bin.check_bytes(Some(&[0xff])).is_ok());
        assert!(bin.check_bytes(Some(&[0xfe])).is_err());
        assert!(m(json!({"absent": true})).check_bytes(Some(b"")).is_ok());
        assert!(m(json!({"contains": "b"}))
            .check_bytes(Some(b"abc"))
            .is_ok());
    }
}
