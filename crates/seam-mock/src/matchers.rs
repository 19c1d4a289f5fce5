//! WireMock's string and body matchers as one type, [`StringMatcher`]: equalTo,
//! binaryEqualTo, contains, doesNotContain, matches, doesNotMatch, absent,
//! anything, equalToJson, matchesJsonPath, matchesJsonSchema, equalToXml,
//! matchesXPath, and/or/not, and the multi-value hasExactly/includes.
//!
//! This module owns the matchers' semantics (as WireMock 3 applies them), their
//! WireMock JSON form in both directions ([`from_wiremock_json`],
//! [`StringMatcher::to_wiremock_json`]) and the human reasons a failed check
//! gives. Regexes are compiled once, anchored for whole-value matching (Java's
//! `String.matches`, with DOTALL as WireMock compiles them).

use base64::Engine;
use regex::Regex;
use seam_core::matching::{brief, match_json, BodyMode, Part};
use seam_core::path::DocPath;
use seam_core::rules::RuleSet;
use serde_json::{json, Map, Value};
use std::fmt;
use std::sync::Arc;

/// One WireMock matcher.
#[derive(Debug, Clone)]
pub enum StringMatcher {
    EqualTo {
        value: String,
        case_insensitive: bool,
    },
    /// `binaryEqualTo` (base64 in JSON): the raw bytes, for bodies.
    BinaryEqualTo(Vec<u8>),
    Contains(String),
    /// Passes when the value is absent (as WireMock).
    DoesNotContain(String),
    /// Whole-value match; the regex is anchored (see [`anchored_regex`]).
    Matches(Regex),
    /// Passes when the value is absent (as WireMock).
    DoesNotMatch(Regex),
    Absent,
    /// `anything`: any value, or none.
    Anything,
    EqualToJson {
        value: Value,
        ignore_array_order: bool,
        ignore_extra_elements: bool,
    },
    MatchesJsonPath {
        expression: JsonPathExpr,
        sub: Option<Box<StringMatcher>>,
    },
    MatchesJsonSchema(JsonSchema),
    EqualToXml {
        value: String,
        /// XMLUnit placeholders (`${xmlunit.ignore}`, `${xmlunit.isNumber}`,
        /// `${xmlunit.matchesRegex(...)}`, `${xmlunit.isDateTime}`).
        enable_placeholders: bool,
    },
    MatchesXPath {
        expression: String,
        /// `xPathNamespaces`: prefix → namespace URI.
        namespaces: Vec<(String, String)>,
        sub: Option<Box<StringMatcher>>,
    },
    And(Vec<StringMatcher>),
    Or(Vec<StringMatcher>),
    Not(Box<StringMatcher>),
    /// `hasExactly` (multi-valued parameters and headers): as many values as
    /// matchers, each matcher satisfied by some value. See
    /// [`StringMatcher::check_values`].
    HasExactly(Vec<StringMatcher>),
    /// `includes`: each matcher satisfied by some value.
    Includes(Vec<StringMatcher>),
}

/// A matcher that could not be read: where (a JSON path) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatcherError {
    pub path: String,
    pub message: String,
}

impl MatcherError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        MatcherError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for MatcherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

type Parsed<T> = Result<T, MatcherError>;

// ---------------------------------------------------------------------------
// Regexes

const ANCHOR_START: &str = "(?s)\\A(?:";
const ANCHOR_END: &str = ")\\z";

/// The longest regex accepted, in bytes of source. Longer patterns are refused
/// before the regex engine sees them (parsing a 50 MB pattern took seconds and
/// gigabytes).
pub const MAX_REGEX_LEN: usize = 16 * 1024;

/// The compiled size one regex may take (the regex crate's default, made
/// explicit: Unicode classes are large, `\w{1,64}` takes 3.2 MB).
pub const REGEX_SIZE_LIMIT: usize = 10 * 1024 * 1024;

/// The lazy DFA's cache per regex and thread.
pub const REGEX_DFA_SIZE_LIMIT: usize = 2 * 1024 * 1024;

/// How much of a refused regex an error message echoes, in characters.
const ECHOED: usize = 80;

/// Compiles `source` as written (not anchored), within [`MAX_REGEX_LEN`] and
/// [`REGEX_SIZE_LIMIT`]. Errors read "invalid regex `(`: unclosed group", with
/// long sources cut.
pub fn bounded_regex(source: &str) -> Result<Regex, String> {
    check_regex_len(source)?;
    compile_bounded(source).map_err(|e| regex_error(source, &e))
}

fn check_regex_len(source: &str) -> Result<(), String> {
    if source.len() > MAX_REGEX_LEN {
        return Err(format!(
            "regex `{}` is too long: {} bytes (at most {MAX_REGEX_LEN})",
            crate::report::excerpt(source, ECHOED),
            source.len()
        ));
    }
    Ok(())
}

fn compile_bounded(pattern: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .build()
}

/// Compiles `source` for whole-value matching (Java `matches()`, DOTALL),
/// within the bounds of [`bounded_regex`]. Errors read "invalid regex `(`:
/// unclosed group".
pub fn anchored_regex(source: &str) -> Result<Regex, String> {
    check_regex_len(source)?;
    // one compilation (it is most of the cost of loading a regex); only a
    // failure compiles the source alone, so the error points into what the
    // user wrote rather than into the anchoring
    compile_bounded(&format!("{ANCHOR_START}{source}{ANCHOR_END}")).map_err(|anchored| {
        match compile_bounded(source) {
            Err(alone) => regex_error(source, &alone),
            Ok(_) => regex_error(source, &anchored),
        }
    })
}

/// The most matchers one list may hold: `bodyPatterns`, the operands of
/// `and`/`or`/`hasExactly`/`includes`, a pact rule's `matchers`. Each can be a
/// regex compiled at load (0.1 to 0.3 ms and 10 to 30 KB each), and no real
/// stub needs more; 100,000 took a minute and gigabytes.
pub const MAX_MATCHERS: usize = 1_000;

/// Keys whose arrays are lists of matchers.
const MATCHER_LISTS: &[&str] = &[
    "matchers",
    "bodyPatterns",
    "and",
    "or",
    "hasExactly",
    "includes",
];

/// Checks `items`, the matchers of the list `key`, against [`MAX_MATCHERS`].
pub fn check_matcher_count(key: &str, items: usize) -> Result<(), String> {
    if items > MAX_MATCHERS {
        return Err(format!(
            "`{key}` holds {items} matchers; at most {MAX_MATCHERS} are allowed in one list"
        ));
    }
    Ok(())
}

/// Finds a matcher list longer than [`MAX_MATCHERS`] anywhere in a JSON stub
/// source (a pact's rule `matchers`, a mapping's `bodyPatterns`, `and`/`or`
/// operands), before anything is compiled.
pub fn check_matcher_counts(doc: &Value) -> Result<(), MatcherError> {
    fn walk(v: &Value, path: &mut String) -> Result<(), MatcherError> {
        match v {
            Value::Object(map) => {
                for (key, child) in map {
                    let len = path.len();
                    *path = child_path(path, key);
                    if let (true, Value::Array(items)) =
                        (MATCHER_LISTS.contains(&key.as_str()), child)
                    {
                        check_matcher_count(key, items.len())
                            .map_err(|e| MatcherError::new(path.clone(), e))?;
                    }
                    walk(child, path)?;
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(child, path)?;
                    path.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(doc, &mut "$".to_string())
}

/// The source a regex was written with (without the anchoring [`anchored_regex`]
/// adds).
pub fn regex_source(re: &Regex) -> &str {
    let s = re.as_str();
    s.strip_prefix(ANCHOR_START)
        .and_then(|r| r.strip_suffix(ANCHOR_END))
        .unwrap_or(s)
}

fn regex_error(source: &str, e: &regex::Error) -> String {
    let shown = crate::report::excerpt(source, ECHOED);
    if let regex::Error::CompiledTooBig(_) = e {
        return format!(
            "regex `{shown}` is too complex: compiled, it would take more than {} MiB (use fewer or smaller repetitions)",
            REGEX_SIZE_LIMIT / (1024 * 1024)
        );
    }
    let text = e.to_string();
    let reason = text
        .lines()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or(""));
    format!("invalid regex `{shown}`: {reason}")
}

// ---------------------------------------------------------------------------
// Suggestions

/// ` (did you mean `x`?)` when a candidate is close to `key`, else empty
/// (seam-core's one threshold for every hint).
pub(crate) fn did_you_mean(key: &str, candidates: &[&str]) -> String {
    seam_core::source::did_you_mean(key, candidates.iter().copied())
}

// ---------------------------------------------------------------------------
// Reading WireMock JSON

/// Operators: exactly one per matcher object.
const OPERATORS: &[&str] = &[
    "equalTo",
    "binaryEqualTo",
    "contains",
    "doesNotContain",
    "matches",
    "doesNotMatch",
    "absent",
    "anything",
    "equalToJson",
    "matchesJsonPath",
    "matchesJsonSchema",
    "equalToXml",
    "matchesXPath",
    "and",
    "or",
    "not",
    "hasExactly",
    "includes",
];

/// Modifier keys and the operator each belongs to.
const MODIFIERS: &[(&str, &str)] = &[
    ("caseInsensitive", "equalTo"),
    ("ignoreArrayOrder", "equalToJson"),
    ("ignoreExtraElements", "equalToJson"),
    ("schemaVersion", "matchesJsonSchema"),
    ("enablePlaceholders", "equalToXml"),
    ("placeholderOpeningDelimiterRegex", "equalToXml"),
    ("placeholderClosingDelimiterRegex", "equalToXml"),
    ("exemptedComparisons", "equalToXml"),
    ("xPathNamespaces", "matchesXPath"),
];

/// WireMock matchers seam does not implement.
const UNSUPPORTED: &[&str] = &[
    "before",
    "after",
    "equalToDateTime",
    "matchesPathTemplate",
    "equalToXPath",
];

const SCHEMA_VERSIONS: &[&str] = &["V4", "V6", "V7", "V201909", "V202012"];

/// The path of `key` under `path` (`$.a.b`, `$['x y']`).
pub(crate) fn child_path(path: &str, key: &str) -> String {
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
pub(crate) fn describe_json(v: &Value) -> String {
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

/// Reads WireMock's JSON form of a matcher (`{"equalTo": "x"}`, ...). Errors
/// name the nested location when it is not the matcher itself.
pub fn from_wiremock_json(v: &Value) -> Result<StringMatcher, String> {
    parse_matcher(v, "$").map_err(|e| {
        if e.path == "$" {
            e.message
        } else {
            e.to_string()
        }
    })
}

impl StringMatcher {
    /// Same as the free [`from_wiremock_json`].
    pub fn from_wiremock_json(v: &Value) -> Result<StringMatcher, String> {
        from_wiremock_json(v)
    }
}

/// Reads a matcher located at `path` (a JSON path used in errors).
pub fn parse_matcher(v: &Value, path: &str) -> Result<StringMatcher, MatcherError> {
    let obj = v.as_object().ok_or_else(|| {
        MatcherError::new(
            path,
            format!(
                "a matcher must be an object like {{\"equalTo\": \"x\"}}, not {}",
                describe_json(v)
            ),
        )
    })?;
    let op = find_operator(obj, path)?;
    check_modifiers(obj, op, path)?;
    parse_operator(op, obj, path)
}

fn find_operator<'a>(obj: &'a Map<String, Value>, path: &str) -> Parsed<&'a str> {
    let mut ops = Vec::new();
    for key in obj.keys() {
        if OPERATORS.contains(&key.as_str()) {
            ops.push(key.as_str());
        } else if UNSUPPORTED.contains(&key.as_str()) {
            return Err(MatcherError::new(
                child_path(path, key),
                format!("the WireMock matcher `{key}` is not supported by seam"),
            ));
        } else if !MODIFIERS.iter().any(|(m, _)| m == key) {
            let mut known: Vec<&str> = OPERATORS.to_vec();
            known.extend(MODIFIERS.iter().map(|(m, _)| *m));
            return Err(MatcherError::new(
                child_path(path, key),
                format!("unknown matcher key `{key}`{}", did_you_mean(key, &known)),
            ));
        }
    }
    match ops.as_slice() {
        [op] => Ok(op),
        [] => Err(MatcherError::new(
            path,
            format!(
                "no matcher operator given; expected one of {}",
                OPERATORS.join(", ")
            ),
        )),
        many => Err(MatcherError::new(
            path,
            format!(
                "a matcher takes one operator but this one has {}",
                many.iter()
                    .map(|o| format!("`{o}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

fn check_modifiers(obj: &Map<String, Value>, op: &str, path: &str) -> Parsed<()> {
    for key in obj.keys() {
        if let Some((m, owner)) = MODIFIERS.iter().find(|(m, _)| m == key) {
            if *owner != op {
                return Err(MatcherError::new(
                    child_path(path, m),
                    format!("`{m}` applies to `{owner}`, not to `{op}`"),
                ));
            }
        }
    }
    Ok(())
}

fn string_operand<'a>(obj: &'a Map<String, Value>, key: &str, path: &str) -> Parsed<&'a str> {
    match &obj[key] {
        Value::String(s) => Ok(s),
        other => Err(MatcherError::new(
            child_path(path, key),
            format!("`{key}` needs a string, not {}", describe_json(other)),
        )),
    }
}

fn bool_modifier(obj: &Map<String, Value>, key: &str, path: &str) -> Parsed<bool> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(MatcherError::new(
            child_path(path, key),
            format!("`{key}` needs true or false, not {}", describe_json(other)),
        )),
    }
}

fn regex_operand(obj: &Map<String, Value>, key: &str, path: &str) -> Parsed<Regex> {
    let src = string_operand(obj, key, path)?;
    anchored_regex(src).map_err(|e| MatcherError::new(child_path(path, key), e))
}

fn parse_operator(op: &str, obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    use StringMatcher as M;
    Ok(match op {
        "equalTo" => M::EqualTo {
            value: string_operand(obj, op, path)?.to_string(),
            case_insensitive: bool_modifier(obj, "caseInsensitive", path)?,
        },
        "binaryEqualTo" => M::BinaryEqualTo(parse_base64(obj, path)?),
        "contains" => M::Contains(string_operand(obj, op, path)?.to_string()),
        "doesNotContain" => M::DoesNotContain(string_operand(obj, op, path)?.to_string()),
        "matches" => M::Matches(regex_operand(obj, op, path)?),
        "doesNotMatch" => M::DoesNotMatch(regex_operand(obj, op, path)?),
        "absent" => parse_absent(obj, path)?,
        "anything" => M::Anything,
        "equalToJson" => parse_equal_to_json(obj, path)?,
        "matchesJsonPath" => parse_json_path(obj, path)?,
        "matchesJsonSchema" => M::MatchesJsonSchema(JsonSchema::from_matcher(obj, path)?),
        "equalToXml" => parse_equal_to_xml(obj, path)?,
        "matchesXPath" => parse_xpath(obj, path)?,
        "and" => M::And(parse_list(obj, op, path)?),
        "or" => M::Or(parse_list(obj, op, path)?),
        "not" => M::Not(Box::new(parse_matcher(&obj[op], &child_path(path, op))?)),
        "hasExactly" => M::HasExactly(parse_list(obj, op, path)?),
        "includes" => M::Includes(parse_list(obj, op, path)?),
        _ => unreachable!("operator list and parser disagree on `{op}`"),
    })
}

fn parse_base64(obj: &Map<String, Value>, path: &str) -> Parsed<Vec<u8>> {
    let text = string_operand(obj, "binaryEqualTo", path)?;
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| {
            MatcherError::new(
                child_path(path, "binaryEqualTo"),
                format!("invalid base64: {e}"),
            )
        })
}

fn parse_absent(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    match &obj["absent"] {
        Value::Bool(true) => Ok(StringMatcher::Absent),
        other => Err(MatcherError::new(
            child_path(path, "absent"),
            format!(
                "`absent` takes true, not {} (WireMock treats any value as \"absent\"; \
                 to require a value use {{\"matches\": \".*\"}})",
                describe_json(other)
            ),
        )),
    }
}

fn parse_list(obj: &Map<String, Value>, key: &str, path: &str) -> Parsed<Vec<StringMatcher>> {
    let at = child_path(path, key);
    let items = match &obj[key] {
        Value::Array(items) if items.len() > MAX_MATCHERS => {
            return Err(MatcherError::new(
                at,
                check_matcher_count(key, items.len()).unwrap_err(),
            ))
        }
        Value::Array(items) if !items.is_empty() => items,
        other => {
            return Err(MatcherError::new(
                at,
                format!(
                    "`{key}` needs a non-empty array of matchers, not {}",
                    describe_json(other)
                ),
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, m)| parse_matcher(m, &format!("{at}[{i}]")))
        .collect()
}

/// A JSON operand given either as JSON or as a string holding JSON.
fn json_operand(obj: &Map<String, Value>, key: &str, path: &str) -> Parsed<Value> {
    match &obj[key] {
        Value::String(s) => serde_json::from_str(s).map_err(|e| {
            MatcherError::new(
                child_path(path, key),
                format!("`{key}` is not valid JSON: {e}"),
            )
        }),
        other => Ok(other.clone()),
    }
}

fn parse_equal_to_json(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    let value = json_operand(obj, "equalToJson", path)?;
    check_placeholders(&value, &child_path(path, "equalToJson"))?;
    Ok(StringMatcher::EqualToJson {
        value,
        ignore_array_order: bool_modifier(obj, "ignoreArrayOrder", path)?,
        ignore_extra_elements: bool_modifier(obj, "ignoreExtraElements", path)?,
    })
}

/// The advanced form `{"expression": "...", <sub-matcher>}` or a plain string.
fn path_operand(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Parsed<(String, Option<Box<StringMatcher>>)> {
    let at = child_path(path, key);
    match &obj[key] {
        Value::String(s) => Ok((s.clone(), None)),
        Value::Object(inner) => {
            let expr = match inner.get("expression") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => {
                    return Err(MatcherError::new(
                        child_path(&at, "expression"),
                        format!("`expression` needs a string, not {}", describe_json(other)),
                    ))
                }
                None => {
                    return Err(MatcherError::new(
                        at,
                        format!("the object form of `{key}` needs an `expression`"),
                    ))
                }
            };
            let mut rest = inner.clone();
            rest.remove("expression");
            let sub = if rest.is_empty() {
                None
            } else {
                Some(Box::new(parse_matcher(&Value::Object(rest), &at)?))
            };
            Ok((expr, sub))
        }
        other => Err(MatcherError::new(
            at,
            format!(
                "`{key}` needs an expression string or {{\"expression\": ..., <matcher>}}, not {}",
                describe_json(other)
            ),
        )),
    }
}

fn parse_json_path(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    let (expr, sub) = path_operand(obj, "matchesJsonPath", path)?;
    let expression = JsonPathExpr::parse(&expr)
        .map_err(|e| MatcherError::new(child_path(path, "matchesJsonPath"), e))?;
    Ok(StringMatcher::MatchesJsonPath { expression, sub })
}

fn parse_xpath(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    let (expression, sub) = path_operand(obj, "matchesXPath", path)?;
    let namespaces = parse_namespaces(obj, path)?;
    compile_xpath(&expression)
        .map_err(|e| MatcherError::new(child_path(path, "matchesXPath"), e))?;
    Ok(StringMatcher::MatchesXPath {
        expression,
        namespaces,
        sub,
    })
}

fn parse_namespaces(obj: &Map<String, Value>, path: &str) -> Parsed<Vec<(String, String)>> {
    let at = child_path(path, "xPathNamespaces");
    match obj.get("xPathNamespaces") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(uri) => Ok((k.clone(), uri.clone())),
                other => Err(MatcherError::new(
                    child_path(&at, k),
                    format!(
                        "a namespace URI must be a string, not {}",
                        describe_json(other)
                    ),
                )),
            })
            .collect(),
        Some(other) => Err(MatcherError::new(
            at,
            format!(
                "`xPathNamespaces` needs an object of prefix → URI, not {}",
                describe_json(other)
            ),
        )),
    }
}

fn parse_equal_to_xml(obj: &Map<String, Value>, path: &str) -> Parsed<StringMatcher> {
    let value = string_operand(obj, "equalToXml", path)?.to_string();
    roxmltree::Document::parse(&value).map_err(|e| {
        MatcherError::new(
            child_path(path, "equalToXml"),
            format!("`equalToXml` is not valid XML: {e}"),
        )
    })?;
    for key in [
        "placeholderOpeningDelimiterRegex",
        "placeholderClosingDelimiterRegex",
        "exemptedComparisons",
    ] {
        if obj.get(key).is_some_and(|v| !v.is_null()) {
            return Err(MatcherError::new(
                child_path(path, key),
                format!("`{key}` is not supported by seam"),
            ));
        }
    }
    Ok(StringMatcher::EqualToXml {
        value,
        enable_placeholders: bool_modifier(obj, "enablePlaceholders", path)?,
    })
}

// ---------------------------------------------------------------------------
// Writing WireMock JSON

impl StringMatcher {
    /// WireMock's JSON form; [`from_wiremock_json`] reads it back.
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
            M::Matches(re) => json!({ "matches": regex_source(re) }),
            M::DoesNotMatch(re) => json!({ "doesNotMatch": regex_source(re) }),
            M::Absent => json!({ "absent": true }),
            M::Anything => json!({ "anything": "anything" }),
            M::EqualToJson { .. } => self.equal_to_json_json(),
            M::MatchesJsonPath { expression, sub } => {
                json!({ "matchesJsonPath": path_json(expression.as_str(), sub.as_deref()) })
            }
            M::MatchesJsonSchema(schema) => schema.to_wiremock_json(),
            M::EqualToXml {
                value,
                enable_placeholders,
            } => {
                let mut m = json!({ "equalToXml": value });
                if *enable_placeholders {
                    m["enablePlaceholders"] = json!(true);
                }
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

// ---------------------------------------------------------------------------
// Describing and checking

/// A value quoted for a reason, cut when long.
fn quote(s: &str) -> String {
    const MAX: usize = 120;
    if s.chars().count() > MAX {
        let cut: String = s.chars().take(MAX - 3).collect();
        format!("{}...", Value::String(cut))
    } else {
        Value::String(s.to_string()).to_string()
    }
}

fn was(actual: Option<&str>) -> String {
    match actual {
        Some(a) => format!("was {}", quote(a)),
        None => "it was absent".to_string(),
    }
}

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
            M::Matches(re) => format!("matching `{}`", regex_source(re)),
            M::DoesNotMatch(re) => format!("not matching `{}`", regex_source(re)),
            M::Absent => "absent".to_string(),
            M::Anything => "anything".to_string(),
            M::EqualToJson { value, .. } => format!("JSON equal to {}", brief(value)),
            M::MatchesJsonPath { expression, sub } => {
                describe_path("JSON", expression.as_str(), sub)
            }
            M::MatchesJsonSchema(_) => "JSON valid against the schema".to_string(),
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
                Some(a) if a.contains(s.as_str()) => Ok(()),
                _ => Err(format!(
                    "expected a value containing {} but {}",
                    quote(s),
                    was(actual)
                )),
            },
            M::DoesNotContain(s) => match actual {
                Some(a) if a.contains(s.as_str()) => Err(format!(
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
                    regex_source(re),
                    was(actual)
                )),
            },
            M::DoesNotMatch(re) => match actual {
                Some(a) if re.is_match(a) => Err(format!(
                    "expected a value not matching `{}` but was {}",
                    regex_source(re),
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
            M::EqualToXml {
                value,
                enable_placeholders,
            } => check_equal_xml(value, *enable_placeholders, actual),
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
                Some(b) => self.check(Some(&String::from_utf8_lossy(b))),
            },
        }
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

fn check_equal(value: &str, case_insensitive: bool, actual: Option<&str>) -> Result<(), String> {
    let ok = actual.is_some_and(|a| {
        a == value || (case_insensitive && a.to_lowercase() == value.to_lowercase())
    });
    if ok {
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

// ---------------------------------------------------------------------------
// equalToJson

#[derive(Clone, Copy)]
struct JsonOptions {
    ignore_order: bool,
    ignore_extra: bool,
}

/// A JsonUnit placeholder in an expected string.
enum Placeholder<'a> {
    Ignore,
    IgnoreElement,
    AnyString,
    AnyNumber,
    AnyBoolean,
    Regex(&'a str),
}

fn placeholder(s: &str) -> Option<Placeholder<'_>> {
    let rest = s
        .strip_prefix("${json-unit.")
        .or_else(|| s.strip_prefix("#{json-unit."))?;
    if let Some(re) = rest.strip_prefix("regex}") {
        return Some(Placeholder::Regex(re));
    }
    Some(match rest {
        "ignore}" => Placeholder::Ignore,
        "ignore-element}" => Placeholder::IgnoreElement,
        "any-string}" => Placeholder::AnyString,
        "any-number}" => Placeholder::AnyNumber,
        "any-boolean}" => Placeholder::AnyBoolean,
        _ => return None,
    })
}

fn has_placeholders(v: &Value) -> bool {
    match v {
        Value::String(s) => placeholder(s).is_some(),
        Value::Array(items) => items.iter().any(has_placeholders),
        Value::Object(m) => m.values().any(has_placeholders),
        _ => false,
    }
}

/// Validates `${json-unit.regex}` patterns and rejects placeholders seam does
/// not know (`${json-unit.matches:...}` needs Java code).
fn check_placeholders(v: &Value, path: &str) -> Parsed<()> {
    match v {
        Value::String(s) => {
            if let Some(Placeholder::Regex(re)) = placeholder(s) {
                anchored_regex(re).map_err(|e| MatcherError::new(path, e))?;
            } else if s.starts_with("${json-unit.matches:") {
                return Err(MatcherError::new(
                    path,
                    format!("the placeholder `{s}` needs a custom JsonUnit matcher; not supported"),
                ));
            }
            Ok(())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| check_placeholders(item, &format!("{path}[{i}]"))),
        Value::Object(m) => m
            .iter()
            .try_for_each(|(k, item)| check_placeholders(item, &child_path(path, k))),
        _ => Ok(()),
    }
}

fn check_equal_json(
    expected: &Value,
    opts: JsonOptions,
    actual: Option<&str>,
) -> Result<(), String> {
    let Some(text) = actual else {
        return Err(format!(
            "expected JSON equal to {} but it was absent",
            brief(expected)
        ));
    };
    let actual: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "expected JSON but the value is not valid JSON ({e}): {}",
            quote(text)
        )
    })?;
    if !opts.ignore_order && !opts.ignore_extra && !has_placeholders(expected) {
        return strict_json(expected, &actual);
    }
    match (JsonDiff { opts }).diff(&DocPath::root(), expected, &actual) {
        None => Ok(()),
        Some((path, reason)) => Err(format!("JSON differs at {path}: {reason}")),
    }
}

/// Plain equality through the seam-core engine (requests reject extra keys).
fn strict_json(expected: &Value, actual: &Value) -> Result<(), String> {
    let mismatches = match_json(
        expected,
        actual,
        &RuleSet::default(),
        BodyMode::Request,
        Part::Body,
    );
    let Some(first) = mismatches.first() else {
        return Ok(());
    };
    let more = match mismatches.len() - 1 {
        0 => String::new(),
        n => format!(" (and {n} more difference(s))"),
    };
    Err(format!(
        "JSON differs at {}: {}{more}",
        first.path, first.reason
    ))
}

/// Numbers equal by value (`1` equals `1.0`, as WireMock's normalised
/// comparator).
fn json_scalars_equal(e: &Value, a: &Value) -> bool {
    match (e, a) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        _ => e == a,
    }
}

/// JsonUnit-style comparison with WireMock's options and placeholders; the first
/// difference wins.
struct JsonDiff {
    opts: JsonOptions,
}

type Difference = Option<(String, String)>;

impl JsonDiff {
    fn diff(&self, path: &DocPath, e: &Value, a: &Value) -> Difference {
        if let Value::String(s) = e {
            if let Some(p) = placeholder(s) {
                return check_placeholder(&p, a)
                    .err()
                    .map(|r| (path.to_string(), r));
            }
        }
        match (e, a) {
            (Value::Object(e), Value::Object(a)) => self.diff_objects(path, e, a),
            (Value::Array(e), Value::Array(a)) if self.opts.ignore_order => {
                self.diff_unordered(path, e, a)
            }
            (Value::Array(e), Value::Array(a)) => self.diff_ordered(path, e, a),
            _ if seam_core::matching::type_name(e) != seam_core::matching::type_name(a) => Some((
                path.to_string(),
                format!("expected {} but was {}", describe_json(e), describe_json(a)),
            )),
            _ if json_scalars_equal(e, a) => None,
            _ => Some((
                path.to_string(),
                format!("expected {} but was {}", brief(e), brief(a)),
            )),
        }
    }

    fn diff_objects(
        &self,
        path: &DocPath,
        e: &Map<String, Value>,
        a: &Map<String, Value>,
    ) -> Difference {
        for (k, ev) in e {
            match a.get(k) {
                Some(av) => {
                    if let Some(d) = self.diff(&path.field(k), ev, av) {
                        return Some(d);
                    }
                }
                None if is_ignore_element(ev) => {}
                None => {
                    return Some((
                        path.field(k).to_string(),
                        format!("expected key '{k}' but it was missing"),
                    ))
                }
            }
        }
        if self.opts.ignore_extra {
            return None;
        }
        a.keys()
            .find(|k| !e.contains_key(*k))
            .map(|k| (path.field(k).to_string(), format!("unexpected key '{k}'")))
    }

    fn length_difference(&self, path: &DocPath, e: usize, a: usize) -> Difference {
        let ok = e == a || (self.opts.ignore_extra && e < a);
        (!ok).then(|| {
            (
                path.to_string(),
                format!("expected an array of {e} item(s) but it has {a}"),
            )
        })
    }

    fn diff_ordered(&self, path: &DocPath, e: &[Value], a: &[Value]) -> Difference {
        if let Some(d) = self.length_difference(path, e.len(), a.len()) {
            return Some(d);
        }
        e.iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (ev, av))| self.diff(&path.index(i), ev, av))
    }

    /// Pairs every expected item with a distinct actual item (a bipartite
    /// matching, so the pairing order never causes a false mismatch).
    fn diff_unordered(&self, path: &DocPath, e: &[Value], a: &[Value]) -> Difference {
        if let Some(d) = self.length_difference(path, e.len(), a.len()) {
            return Some(d);
        }
        let fits: Vec<Vec<usize>> = e
            .iter()
            .enumerate()
            .map(|(i, ev)| {
                (0..a.len())
                    .filter(|&j| self.diff(&path.index(i), ev, &a[j]).is_none())
                    .collect()
            })
            .collect();
        let mut owner: Vec<Option<usize>> = vec![None; a.len()];
        for (i, item) in e.iter().enumerate() {
            let mut seen = vec![false; a.len()];
            if !augment(i, &fits, &mut owner, &mut seen) {
                return Some((
                    path.to_string(),
                    format!(
                        "no item matches expected item [{i}] {} (array order ignored)",
                        brief(item)
                    ),
                ));
            }
        }
        None
    }
}

/// Kuhn's augmenting path step.
fn augment(i: usize, fits: &[Vec<usize>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    for &j in &fits[i] {
        if seen[j] {
            continue;
        }
        seen[j] = true;
        if owner[j].is_none_or(|other| augment(other, fits, owner, seen)) {
            owner[j] = Some(i);
            return true;
        }
    }
    false
}

fn is_ignore_element(v: &Value) -> bool {
    matches!(v, Value::String(s) if matches!(placeholder(s), Some(Placeholder::IgnoreElement)))
}

fn check_placeholder(p: &Placeholder<'_>, a: &Value) -> Result<(), String> {
    let ok = match p {
        Placeholder::Ignore | Placeholder::IgnoreElement => true,
        Placeholder::AnyString => a.is_string(),
        Placeholder::AnyNumber => a.is_number(),
        Placeholder::AnyBoolean => a.is_boolean(),
        Placeholder::Regex(re) => {
            let re = anchored_regex(re)?;
            a.as_str().is_some_and(|s| re.is_match(s))
        }
    };
    if ok {
        return Ok(());
    }
    let wanted = match p {
        Placeholder::AnyString => "any string".to_string(),
        Placeholder::AnyNumber => "any number".to_string(),
        Placeholder::AnyBoolean => "any boolean".to_string(),
        Placeholder::Regex(re) => format!("a string matching `{re}`"),
        _ => String::new(),
    };
    Err(format!("expected {wanted} but was {}", describe_json(a)))
}

// ---------------------------------------------------------------------------
// matchesJsonPath

/// A compiled JSONPath, evaluated with Jayway's (WireMock's) semantics on top
/// of RFC 9535: a path without `$` gets `$.` prepended; `@.x =~ /re/i` becomes
/// `match(@.x, '(?i)re')`; a filter applied to an object tests the object
/// itself (Jayway) rather than its members (RFC).
#[derive(Debug, Clone)]
pub struct JsonPathExpr {
    source: String,
    stages: Vec<PathStage>,
    /// Jayway's "definite" path: no wildcard, deep scan, filter, slice or union.
    definite: bool,
}

#[derive(Debug, Clone)]
enum PathStage {
    Select(serde_json_path::JsonPath),
    /// `$[?...]`: a filter segment, applied the Jayway way.
    Filter(serde_json_path::JsonPath),
}

/// What a path selected, as Jayway returns it.
enum PathResult {
    /// A definite path: the value, or `None` when the path is missing.
    Definite(Option<Value>),
    /// An indefinite path: every selected value.
    List(Vec<Value>),
}

impl JsonPathExpr {
    pub fn parse(source: &str) -> Result<Self, String> {
        let normalized = translate_regex_filters(&normalize_path(source));
        let stages = split_filters(&normalized)
            .into_iter()
            .map(|(filter, text)| compile_stage(source, filter, &text))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(JsonPathExpr {
            source: source.to_string(),
            definite: is_definite(&normalized),
            stages,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    fn evaluate(&self, doc: &Value) -> PathResult {
        let mut nodes = vec![doc.clone()];
        for stage in &self.stages {
            nodes = nodes.iter().flat_map(|n| stage.apply(n)).collect();
        }
        if self.definite {
            PathResult::Definite(nodes.into_iter().next())
        } else {
            PathResult::List(nodes)
        }
    }
}

impl fmt::Display for JsonPathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl PathStage {
    fn apply(&self, node: &Value) -> Vec<Value> {
        match self {
            PathStage::Select(p) => p.query(node).all().into_iter().cloned().collect(),
            PathStage::Filter(p) => match node {
                Value::Array(_) => p.query(node).all().into_iter().cloned().collect(),
                Value::Object(_) => {
                    let wrapped = Value::Array(vec![node.clone()]);
                    p.query(&wrapped).all().into_iter().cloned().collect()
                }
                _ => Vec::new(),
            },
        }
    }
}

fn compile_stage(source: &str, filter: bool, text: &str) -> Result<PathStage, String> {
    let path = serde_json_path::JsonPath::parse(text).map_err(|e| {
        let hint = if text.contains("()") {
            " (Jayway functions such as length() or size() are not supported; seam follows RFC 9535)"
        } else {
            ""
        };
        format!("invalid JSONPath `{source}`: {}{hint}", e.message())
    })?;
    Ok(if filter {
        PathStage::Filter(path)
    } else {
        PathStage::Select(path)
    })
}

fn normalize_path(source: &str) -> String {
    let s = source.trim();
    if s.starts_with('$') {
        s.to_string()
    } else if s.starts_with('[') {
        format!("${s}")
    } else {
        format!("$.{s}")
    }
}

/// Jayway's `@.name =~ /regex/flags` as RFC 9535 `match(@.name, 'regex')`.
fn translate_regex_filters(path: &str) -> String {
    let re = Regex::new(r#"(@(?:\.[\w-]+|\[[^\]]*\])*)\s*=~\s*/((?:\\.|[^/\\])*)/([a-zA-Z]*)"#)
        .expect("static regex");
    re.replace_all(path, |c: &regex::Captures| {
        let flags = if c[3].contains('i') { "(?i)" } else { "" };
        let body = format!("{flags}{}", &c[2])
            .replace('\\', "\\\\")
            .replace('\'', "\\'");
        format!("match({}, '{body}')", &c[1])
    })
    .into_owned()
}

/// Byte positions outside quoted names, with bracket depth, for scanning.
fn scan_unquoted(path: &str) -> Vec<(usize, char, usize)> {
    let mut out = Vec::new();
    let (mut quote, mut escaped, mut depth) = (None::<char>, false, 0usize);
    for (i, c) in path.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '[' => {
                out.push((i, c, depth));
                depth += 1;
                continue;
            }
            ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push((i, c, depth));
    }
    out
}

/// Splits at child filter segments (`[?...]` not after `..`): pieces of plain
/// path, each made a `$`-rooted path, and filters as `$[?...]`.
fn split_filters(path: &str) -> Vec<(bool, String)> {
    let chars = scan_unquoted(path);
    let mut pieces = Vec::new();
    let mut cut = 0;
    let mut k = 0;
    while k < chars.len() {
        let (i, c, depth) = chars[k];
        let is_filter = c == '['
            && depth == 0
            && path[i + 1..].trim_start().starts_with('?')
            && !path[..i].ends_with("..");
        if !is_filter {
            k += 1;
            continue;
        }
        let end = chars[k + 1..]
            .iter()
            .find(|(_, c, d)| *c == ']' && *d == 0)
            .map_or(path.len(), |(j, _, _)| j + 1);
        push_piece(&mut pieces, &path[cut..i]);
        pieces.push((true, format!("${}", &path[i..end])));
        cut = end;
        k = chars
            .iter()
            .position(|(j, _, _)| *j >= end)
            .unwrap_or(chars.len());
    }
    push_piece(&mut pieces, &path[cut..]);
    if pieces.is_empty() {
        pieces.push((false, "$".to_string()));
    }
    pieces
}

fn push_piece(pieces: &mut Vec<(bool, String)>, piece: &str) {
    let rest = piece.strip_prefix('$').unwrap_or(piece);
    if !rest.trim().is_empty() {
        pieces.push((false, format!("${rest}")));
    }
}

fn is_definite(path: &str) -> bool {
    let chars = scan_unquoted(path);
    let deep = path.contains("..");
    !deep
        && !chars
            .iter()
            .any(|(_, c, depth)| matches!(c, '*' | '?') || (*depth > 0 && matches!(c, ':' | ',')))
}

/// A selected JSON value as WireMock offers it to a sub-matcher: strings bare,
/// scalars as text, objects and arrays as JSON.
fn json_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn parse_json_document(actual: Option<&str>, expr: &JsonPathExpr) -> Result<Value, String> {
    let Some(text) = actual else {
        return Err(format!(
            "expected a JSON document for `{expr}` but the value was absent"
        ));
    };
    if text.trim_start().starts_with('<') {
        return Err(format!(
            "expected a JSON document for `{expr}` but the value is XML"
        ));
    }
    serde_json::from_str(text).map_err(|e| {
        format!(
            "expected a JSON document for `{expr}` but it is not valid JSON ({e}): {}",
            quote(text)
        )
    })
}

fn check_json_path(
    expr: &JsonPathExpr,
    sub: Option<&StringMatcher>,
    actual: Option<&str>,
) -> Result<(), String> {
    let doc = parse_json_document(actual, expr)?;
    let result = expr.evaluate(&doc);
    match sub {
        None => simple_json_path(expr, &result),
        Some(sub) => {
            let values = sub_values(&result, sub);
            check_selected(expr.as_str(), &values, sub)
        }
    }
}

/// Without a sub-matcher: the path must select something (Jayway: a definite
/// path's value must not be null, `[]` or `{}`; an indefinite path must select
/// at least one value).
fn simple_json_path(expr: &JsonPathExpr, result: &PathResult) -> Result<(), String> {
    let problem = match result {
        PathResult::Definite(None) => "selected nothing".to_string(),
        PathResult::Definite(Some(v)) => match v {
            Value::Null => "selected null".to_string(),
            Value::Array(a) if a.is_empty() => "selected an empty array".to_string(),
            Value::Object(o) if o.is_empty() => "selected an empty object".to_string(),
            _ => return Ok(()),
        },
        PathResult::List(vs) if vs.is_empty() => "selected nothing".to_string(),
        PathResult::List(_) => return Ok(()),
    };
    Err(format!("expected a match for `{expr}` but it {problem}"))
}

/// The texts a sub-matcher sees, as WireMock renders the selection: objects
/// whole as JSON (and everything as JSON for `equalToJson`), arrays item by
/// item, scalars as text, null or nothing as no value.
fn sub_values(result: &PathResult, sub: &StringMatcher) -> Vec<String> {
    let obj = match result {
        PathResult::Definite(v) => v.clone().unwrap_or(Value::Null),
        PathResult::List(vs) => Value::Array(vs.clone()),
    };
    if matches!(sub, StringMatcher::EqualToJson { .. }) || obj.is_object() {
        return vec![obj.to_string()];
    }
    match obj {
        Value::Array(items) => items.iter().map(json_text).collect(),
        Value::Null => Vec::new(),
        scalar => vec![json_text(&scalar)],
    }
}

/// One selected value satisfying `sub` is enough; with none, `absent` passes.
fn check_selected(expr: &str, values: &[String], sub: &StringMatcher) -> Result<(), String> {
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

// ---------------------------------------------------------------------------
// matchesJsonSchema

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
            options.with_draft(draft(v)?);
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

    fn from_matcher(obj: &Map<String, Value>, path: &str) -> Parsed<Self> {
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

    fn to_wiremock_json(&self) -> Value {
        let mut m = json!({ "matchesJsonSchema": self.written });
        if let Some(v) = &self.version {
            m["schemaVersion"] = json!(v);
        }
        m
    }

    /// The value is read as JSON, or as a JSON string when it is not JSON; a
    /// number or boolean that fails is retried as a string (as WireMock).
    fn check(&self, actual: Option<&str>) -> Result<(), String> {
        let Some(text) = actual else {
            return Err("expected a value valid against the JSON schema but it was absent".into());
        };
        let parsed: Value =
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.into()));
        let Some(first) = self.first_error(&parsed) else {
            return Ok(());
        };
        let scalar = !matches!(
            parsed,
            Value::String(_) | Value::Array(_) | Value::Object(_)
        );
        if scalar && self.validator.is_valid(&Value::String(text.into())) {
            return Ok(());
        }
        Err(format!("not valid against the JSON schema: {first}"))
    }

    fn first_error(&self, instance: &Value) -> Option<String> {
        self.validator.iter_errors(instance).next().map(|e| {
            let at = e.instance_path.to_string();
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
                did_you_mean(other, SCHEMA_VERSIONS)
            ))
        }
    })
}

// ---------------------------------------------------------------------------
// equalToXml

/// The children XMLUnit compares once whitespace and comments are ignored.
enum XmlChild<'a, 'i> {
    Element(roxmltree::Node<'a, 'i>),
    Text(String),
}

fn significant_children<'a, 'i>(node: roxmltree::Node<'a, 'i>) -> Vec<XmlChild<'a, 'i>> {
    let mut out = Vec::new();
    let mut text = String::new();
    for child in node.children() {
        if child.is_element() {
            flush_text(&mut text, &mut out);
            out.push(XmlChild::Element(child));
        } else if child.is_text() {
            text.push_str(child.text().unwrap_or(""));
        }
    }
    flush_text(&mut text, &mut out);
    out
}

fn child_texts(children: &[XmlChild<'_, '_>]) -> Vec<String> {
    children
        .iter()
        .filter_map(|x| match x {
            XmlChild::Text(t) => Some(t.clone()),
            XmlChild::Element(_) => None,
        })
        .collect()
}

fn child_elements<'a, 'i>(children: Vec<XmlChild<'a, 'i>>) -> Vec<roxmltree::Node<'a, 'i>> {
    children
        .into_iter()
        .filter_map(|x| match x {
            XmlChild::Element(n) => Some(n),
            XmlChild::Text(_) => None,
        })
        .collect()
}

fn flush_text(text: &mut String, out: &mut Vec<XmlChild<'_, '_>>) {
    let trimmed = text.trim();
    if !trimmed.is_empty() {
        out.push(XmlChild::Text(trimmed.to_string()));
    }
    text.clear();
}

fn expanded_name<'a>(n: roxmltree::Node<'a, '_>) -> (Option<&'a str>, &'a str) {
    (n.tag_name().namespace(), n.tag_name().name())
}

fn element_label(n: roxmltree::Node<'_, '_>) -> String {
    match n.tag_name().namespace() {
        Some(ns) => format!("<{}> (namespace {ns})", n.tag_name().name()),
        None => format!("<{}>", n.tag_name().name()),
    }
}

fn check_equal_xml(expected: &str, placeholders: bool, actual: Option<&str>) -> Result<(), String> {
    let Some(text) = actual.filter(|t| !t.is_empty()) else {
        return Err("expected an XML document but the value was absent".into());
    };
    let e = roxmltree::Document::parse(expected)
        .map_err(|err| format!("invalid expected XML: {err}"))?;
    let a = roxmltree::Document::parse(text).map_err(|err| {
        format!(
            "expected XML but the value is not valid XML ({err}): {}",
            quote(text)
        )
    })?;
    let xml = XmlDiff { placeholders };
    let (er, ar) = (e.root_element(), a.root_element());
    match xml.diff(&format!("/{}", er.tag_name().name()), er, ar) {
        None => Ok(()),
        Some(reason) => Err(reason),
    }
}

/// XMLUnit-like comparison as WireMock configures it: whitespace between
/// elements and comments ignored, text trimmed, attribute order and the order
/// of differently named siblings free, namespace URIs (not prefixes) compared.
struct XmlDiff {
    placeholders: bool,
}

impl XmlDiff {
    fn diff(
        &self,
        path: &str,
        e: roxmltree::Node<'_, '_>,
        a: roxmltree::Node<'_, '_>,
    ) -> Option<String> {
        if expanded_name(e) != expanded_name(a) {
            return Some(format!(
                "XML differs at {path}: expected element {} but was {}",
                element_label(e),
                element_label(a)
            ));
        }
        self.diff_attributes(path, e, a)
            .or_else(|| self.diff_children(path, e, a))
    }

    fn diff_attributes(
        &self,
        path: &str,
        e: roxmltree::Node<'_, '_>,
        a: roxmltree::Node<'_, '_>,
    ) -> Option<String> {
        for ea in e.attributes() {
            let found = a
                .attributes()
                .find(|aa| aa.name() == ea.name() && aa.namespace() == ea.namespace());
            match found {
                None => {
                    return Some(format!(
                        "XML differs at {path}/@{}: expected the attribute but it was missing",
                        ea.name()
                    ))
                }
                Some(aa) if !self.text_equal(ea.value(), aa.value()) => {
                    return Some(format!(
                        "XML differs at {path}/@{}: expected {} but was {}",
                        ea.name(),
                        quote(ea.value()),
                        quote(aa.value())
                    ))
                }
                Some(_) => {}
            }
        }
        a.attributes()
            .find(|aa| {
                !e.attributes()
                    .any(|ea| ea.name() == aa.name() && ea.namespace() == aa.namespace())
            })
            .map(|aa| format!("XML differs at {path}/@{}: unexpected attribute", aa.name()))
    }

    fn diff_children(
        &self,
        path: &str,
        e: roxmltree::Node<'_, '_>,
        a: roxmltree::Node<'_, '_>,
    ) -> Option<String> {
        let (ec, ac) = (significant_children(e), significant_children(a));
        if let Some(d) = self.diff_texts(path, &child_texts(&ec), &child_texts(&ac)) {
            return Some(d);
        }
        self.diff_elements(path, &child_elements(ec), &child_elements(ac))
    }

    fn diff_texts(&self, path: &str, e: &[String], a: &[String]) -> Option<String> {
        if e.len() == 1 && a.is_empty() && self.is_ignore(&e[0]) {
            return None;
        }
        for i in 0..e.len().max(a.len()) {
            match (e.get(i), a.get(i)) {
                (Some(x), Some(y)) if self.text_equal(x, y) => {}
                (x, y) => {
                    return Some(format!(
                        "XML differs at {path}/text(): expected {} but was {}",
                        x.map_or("no text".to_string(), |t| quote(t)),
                        y.map_or("no text".to_string(), |t| quote(t))
                    ))
                }
            }
        }
        None
    }

    /// Pairs children by expanded name, in order within each name (XMLUnit
    /// with WireMock's order-invariant node matcher).
    fn diff_elements(
        &self,
        path: &str,
        e: &[roxmltree::Node<'_, '_>],
        a: &[roxmltree::Node<'_, '_>],
    ) -> Option<String> {
        let mut used = vec![false; a.len()];
        for ev in e {
            let Some(j) =
                (0..a.len()).find(|&j| !used[j] && expanded_name(a[j]) == expanded_name(*ev))
            else {
                return Some(format!(
                    "XML differs at {path}: expected a child element {} but it was missing",
                    element_label(*ev)
                ));
            };
            used[j] = true;
            let child_path = format!("{path}/{}", step_name(*ev, e));
            if let Some(d) = self.diff(&child_path, *ev, a[j]) {
                return Some(d);
            }
        }
        (0..a.len()).find(|&j| !used[j]).map(|j| {
            format!(
                "XML differs at {path}: unexpected child element {}",
                element_label(a[j])
            )
        })
    }

    fn is_ignore(&self, expected: &str) -> bool {
        self.placeholders && expected == "${xmlunit.ignore}"
    }

    fn text_equal(&self, expected: &str, actual: &str) -> bool {
        if !self.placeholders {
            return expected == actual;
        }
        match expected
            .strip_prefix("${xmlunit.")
            .and_then(|r| r.strip_suffix('}'))
        {
            Some("ignore") => true,
            Some("isNumber") => actual.trim().parse::<f64>().is_ok(),
            Some("isDateTime") => is_date_time(actual.trim()),
            Some(p) if p.starts_with("matchesRegex(") && p.ends_with(')') => {
                let re = &p["matchesRegex(".len()..p.len() - 1];
                anchored_regex(re).is_ok_and(|re| re.is_match(actual))
            }
            _ => expected == actual,
        }
    }
}

fn is_date_time(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
        || chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// `item` or `item[2]` when several siblings share the name.
fn step_name(n: roxmltree::Node<'_, '_>, siblings: &[roxmltree::Node<'_, '_>]) -> String {
    let same: Vec<_> = siblings
        .iter()
        .filter(|s| expanded_name(**s) == expanded_name(n))
        .collect();
    let name = n.tag_name().name();
    if same.len() < 2 {
        return name.to_string();
    }
    let pos = same.iter().position(|s| **s == n).unwrap_or(0) + 1;
    format!("{name}[{pos}]")
}

// ---------------------------------------------------------------------------
// matchesXPath

fn compile_xpath(expr: &str) -> Result<sxd_xpath::XPath, String> {
    sxd_xpath::Factory::new()
        .build(expr)
        .map_err(|e| format!("invalid XPath `{expr}`: {e}"))?
        .ok_or_else(|| format!("invalid XPath `{expr}`: it is empty"))
}

/// What an XPath selected, rendered as WireMock does: text and attribute nodes
/// by value, elements as XML, scalars as text (a false boolean selects nothing).
fn xpath_values(
    expr: &str,
    namespaces: &[(String, String)],
    text: &str,
) -> Result<Vec<String>, String> {
    if !text.trim_start().starts_with('<') {
        return Err(format!(
            "expected an XML document for `{expr}` but got {}",
            quote(text)
        ));
    }
    let package = sxd_document::parser::parse(text)
        .map_err(|e| format!("expected XML for `{expr}` but it is not valid XML: {e}"))?;
    let doc = package.as_document();
    let xpath = compile_xpath(expr)?;
    let mut context = sxd_xpath::Context::new();
    for (prefix, uri) in namespaces {
        context.set_namespace(prefix, uri);
    }
    let value = xpath
        .evaluate(&context, doc.root())
        .map_err(|e| format!("XPath `{expr}` failed: {e}"))?;
    Ok(match value {
        sxd_xpath::Value::Nodeset(nodes) => {
            nodes.document_order().iter().map(render_node).collect()
        }
        sxd_xpath::Value::Boolean(true) => vec!["true".to_string()],
        sxd_xpath::Value::Boolean(false) => Vec::new(),
        sxd_xpath::Value::Number(n) => vec![format_number(n)],
        sxd_xpath::Value::String(s) => vec![s],
    })
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn render_node(node: &sxd_xpath::nodeset::Node<'_>) -> String {
    use sxd_xpath::nodeset::Node;
    match node {
        Node::Element(e) => {
            let mut out = String::new();
            write_element(&mut out, *e, None);
            out
        }
        Node::Root(r) => {
            let mut out = String::new();
            for child in r.children() {
                if let Some(e) = child.element() {
                    write_element(&mut out, e, None);
                }
            }
            out
        }
        other => other.string_value(),
    }
}

fn escape_xml(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Serializes an element (declaring its namespace where it changes).
fn write_element(out: &mut String, e: sxd_document::dom::Element<'_>, parent_ns: Option<&str>) {
    let name = e.name();
    let prefix = e.preferred_prefix();
    let tag = match prefix {
        Some(p) => format!("{p}:{}", name.local_part()),
        None => name.local_part().to_string(),
    };
    out.push('<');
    out.push_str(&tag);
    if let Some(ns) = name.namespace_uri().filter(|ns| Some(*ns) != parent_ns) {
        match prefix {
            Some(p) => out.push_str(&format!(" xmlns:{p}=\"{}\"", escape_xml(ns, true))),
            None => out.push_str(&format!(" xmlns=\"{}\"", escape_xml(ns, true))),
        }
    }
    for a in e.attributes() {
        let an = match a.preferred_prefix() {
            Some(p) => format!("{p}:{}", a.name().local_part()),
            None => a.name().local_part().to_string(),
        };
        out.push_str(&format!(" {an}=\"{}\"", escape_xml(a.value(), true)));
    }
    let children = e.children();
    if children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in children {
        use sxd_document::dom::ChildOfElement as C;
        match child {
            C::Element(c) => write_element(out, c, name.namespace_uri()),
            C::Text(t) => out.push_str(&escape_xml(t.text(), false)),
            C::Comment(c) => out.push_str(&format!("<!--{}-->", c.text())),
            C::ProcessingInstruction(_) => {}
        }
    }
    out.push_str(&format!("</{tag}>"));
}

fn check_xpath(
    expr: &str,
    namespaces: &[(String, String)],
    sub: Option<&StringMatcher>,
    actual: Option<&str>,
) -> Result<(), String> {
    let Some(text) = actual else {
        return Err(format!(
            "expected an XML document for `{expr}` but the value was absent"
        ));
    };
    let values = xpath_values(expr, namespaces, text)?;
    match sub {
        None if values.is_empty() => Err(format!(
            "expected a match for `{expr}` but it selected nothing"
        )),
        None => Ok(()),
        Some(_) if values.is_empty() => Err(format!("`{expr}` selected nothing")),
        Some(sub) => check_selected(expr, &values, sub),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: Value) -> StringMatcher {
        from_wiremock_json(&v).unwrap_or_else(|e| panic!("{v}: {e}"))
    }

    fn err(v: Value) -> String {
        from_wiremock_json(&v).expect_err("should not parse")
    }

    /// (matcher, actual, should match)
    fn table() -> Vec<(Value, Option<&'static str>, bool)> {
        let doc = r#"{"name": "Ann", "qty": 3, "tags": ["a", "b"], "items": [{"id": 1, "qty": 2}, {"id": 2, "qty": 5}], "empty": [], "none": null, "obj": {"k": "v"}}"#;
        let xml = r#"<order xmlns:x="urn:x"><item id="1">pen</item><item id="2">ink</item><x:note>hi</x:note></order>"#;
        let schema = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}});
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
            // equalToJson
            (
                json!({"equalToJson": {"a": 1, "b": [1, 2]}}),
                Some(r#"{"b": [1, 2], "a": 1.0}"#),
                true,
            ),
            (
                json!({"equalToJson": "{\"a\": 1}"}),
                Some(r#"{"a": 1}"#),
                true,
            ),
            (
                json!({"equalToJson": {"a": 1}}),
                Some(r#"{"a": 1, "b": 2}"#),
                false,
            ),
            (
                json!({"equalToJson": {"a": 1}, "ignoreExtraElements": true}),
                Some(r#"{"a": 1, "b": 2}"#),
                true,
            ),
            (json!({"equalToJson": [1, 2]}), Some("[2, 1]"), false),
            (
                json!({"equalToJson": [1, 2], "ignoreArrayOrder": true}),
                Some("[2, 1]"),
                true,
            ),
            (
                json!({"equalToJson": [1, 2], "ignoreArrayOrder": true}),
                Some("[2, 1, 3]"),
                false,
            ),
            (
                json!({"equalToJson": [1, 2], "ignoreArrayOrder": true, "ignoreExtraElements": true}),
                Some("[3, 2, 1]"),
                true,
            ),
            (
                json!({"equalToJson": [1, 2], "ignoreExtraElements": true}),
                Some("[1, 2, 3]"),
                true,
            ),
            (
                json!({"equalToJson": [1, 2], "ignoreExtraElements": true}),
                Some("[2, 1, 3]"),
                false,
            ),
            (
                json!({"equalToJson": [{"a": 1}, {"a": 1, "b": 2}], "ignoreArrayOrder": true, "ignoreExtraElements": true}),
                Some(r#"[{"a": 1, "b": 2}, {"a": 1, "c": 3}]"#),
                true,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.any-string}", "n": "${json-unit.any-number}"}}),
                Some(r#"{"id": "x", "n": 2}"#),
                true,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.any-string}"}}),
                Some(r#"{"id": 5}"#),
                false,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.regex}[a-z]+"}}),
                Some(r#"{"id": "abc"}"#),
                true,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.regex}[a-z]+"}}),
                Some(r#"{"id": "abc1"}"#),
                false,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.ignore}", "a": 1}}),
                Some(r#"{"id": [1], "a": 1}"#),
                true,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.ignore}"}}),
                Some(r#"{}"#),
                false,
            ),
            (
                json!({"equalToJson": {"id": "${json-unit.ignore-element}"}}),
                Some(r#"{}"#),
                true,
            ),
            (json!({"equalToJson": {"a": 1}}), Some("not json"), false),
            (json!({"equalToJson": {"a": 1}}), None, false),
            // matchesJsonPath
            (json!({"matchesJsonPath": "$.name"}), Some(doc), true),
            (json!({"matchesJsonPath": "name"}), Some(doc), true),
            (json!({"matchesJsonPath": "$.missing"}), Some(doc), false),
            (json!({"matchesJsonPath": "$.none"}), Some(doc), false),
            (json!({"matchesJsonPath": "$.empty"}), Some(doc), false),
            (
                json!({"matchesJsonPath": "$.items[?(@.qty > 4)]"}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": "$.items[?(@.qty > 9)]"}),
                Some(doc),
                false,
            ),
            (
                json!({"matchesJsonPath": "$[?(@.qty == 3)]"}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": "$[?(@.qty == 4)]"}),
                Some(doc),
                false,
            ),
            (
                json!({"matchesJsonPath": "$.obj[?(@.k == 'v')]"}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": "$[?(@.name =~ /a.*/i)]"}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": "$[?(@.name =~ /a.*/)]"}),
                Some(doc),
                false,
            ),
            (json!({"matchesJsonPath": "$.name"}), Some("<a/>"), false),
            (json!({"matchesJsonPath": "$.name"}), None, false),
            (
                json!({"matchesJsonPath": {"expression": "$.name", "equalTo": "Ann"}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.qty", "equalTo": "3"}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.qty", "equalTo": "4"}}),
                Some(doc),
                false,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.tags", "equalTo": "b"}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.items[*].qty", "matches": "5"}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.obj", "equalToJson": {"k": "v"}}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.obj", "contains": "\"k\""}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.missing", "absent": true}}),
                Some(doc),
                true,
            ),
            (
                json!({"matchesJsonPath": {"expression": "$.name", "absent": true}}),
                Some(doc),
                false,
            ),
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
            // equalToXml
            (
                json!({"equalToXml": "<a><b x=\"1\" y=\"2\">t</b><c/></a>"}),
                Some("<a>\n  <c/>\n  <b y=\"2\" x=\"1\"> t </b>\n</a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a><b>t</b></a>"}),
                Some("<a><b>u</b></a>"),
                false,
            ),
            (
                json!({"equalToXml": "<a><b>t</b></a>"}),
                Some("<a><b>t</b><b>t</b></a>"),
                false,
            ),
            (
                json!({"equalToXml": "<p:a xmlns:p=\"urn:n\"/>"}),
                Some("<q:a xmlns:q=\"urn:n\"/>"),
                true,
            ),
            (
                json!({"equalToXml": "<p:a xmlns:p=\"urn:n\"/>"}),
                Some("<a/>"),
                false,
            ),
            (
                json!({"equalToXml": "<a><!-- c --><b/></a>"}),
                Some("<a><b/></a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a id=\"${xmlunit.isNumber}\">${xmlunit.ignore}</a>", "enablePlaceholders": true}),
                Some("<a id=\"12\">whatever</a>"),
                true,
            ),
            (
                json!({"equalToXml": "<a id=\"${xmlunit.isNumber}\"/>", "enablePlaceholders": true}),
                Some("<a id=\"x\"/>"),
                false,
            ),
            (json!({"equalToXml": "<a/>"}), None, false),
            (json!({"equalToXml": "<a/>"}), Some(""), false),
            // matchesXPath
            (
                json!({"matchesXPath": "/order/item[@id='2']"}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": "/order/item[@id='3']"}),
                Some(xml),
                false,
            ),
            (
                json!({"matchesXPath": "//x:note", "xPathNamespaces": {"x": "urn:x"}}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": "count(//item) = 2"}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": "count(//item) = 3"}),
                Some(xml),
                false,
            ),
            (
                json!({"matchesXPath": {"expression": "//item/text()", "equalTo": "ink"}}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": {"expression": "//item", "equalTo": "ink"}}),
                Some(xml),
                false,
            ),
            (
                json!({"matchesXPath": {"expression": "//item[1]", "contains": "id=\"1\""}}),
                Some(xml),
                true,
            ),
            (
                json!({"matchesXPath": {"expression": "//item/@id", "matches": "[3-9]"}}),
                Some(xml),
                false,
            ),
            (json!({"matchesXPath": "/order"}), Some("{\"a\": 1}"), false),
            (json!({"matchesXPath": "/order"}), None, false),
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
    fn every_matcher_behaves_as_wiremock() {
        for (spec, actual, expected) in table() {
            let result = m(spec.clone()).check(actual);
            assert_eq!(
                result.is_ok(),
                expected,
                "{spec} against {actual:?} gave {result:?}"
            );
        }
    }

    #[test]
    fn round_trips_through_wiremock_json() {
        for (spec, _, _) in table() {
            let written = m(spec.clone()).to_wiremock_json();
            let again = m(written.clone()).to_wiremock_json();
            assert_eq!(written, again, "{spec}");
        }
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
            reason(
                json!({"equalToJson": {"items": [{"qty": 1}, {"qty": 2}]}}),
                Some(r#"{"items": [{"qty": 1}, {"qty": 3}]}"#)
            ),
            "JSON differs at $.items[1].qty: expected 2 but was 3"
        );
        assert_eq!(
            reason(
                json!({"equalToJson": {"a": 1}, "ignoreExtraElements": true}),
                Some(r#"{"a": "1", "b": 2}"#)
            ),
            "JSON differs at $.a: expected number 1 but was string \"1\""
        );
        assert_eq!(
            reason(
                json!({"equalToJson": [1, 2], "ignoreArrayOrder": true}),
                Some("[1, 3]")
            ),
            "JSON differs at $: no item matches expected item [1] 2 (array order ignored)"
        );
        assert_eq!(
            reason(json!({"matchesJsonPath": "$.a"}), Some(r#"{"b": 1}"#)),
            "expected a match for `$.a` but it selected nothing"
        );
        assert_eq!(
            reason(
                json!({"matchesJsonPath": {"expression": "$.a", "equalTo": "2"}}),
                Some(r#"{"a": 1}"#)
            ),
            "at `$.a`: expected \"2\" but was \"1\""
        );
        assert_eq!(
            reason(
                json!({"equalToXml": "<a><b x=\"1\"/></a>"}),
                Some("<a><b x=\"2\"/></a>")
            ),
            "XML differs at /a/b/@x: expected \"1\" but was \"2\""
        );
        assert_eq!(
            reason(json!({"not": {"contains": "a"}}), Some("abc")),
            "expected a value not containing \"a\" but was \"abc\""
        );
        assert!(reason(
            json!({"matchesJsonSchema": {"type": "integer"}}),
            Some("\"x\"")
        )
        .starts_with("not valid against the JSON schema: at the root:"));
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

    #[test]
    fn reading_errors_name_the_problem() {
        assert_eq!(
            err(json!({"matches": "("})),
            "$.matches: invalid regex `(`: unclosed group"
        );
        assert_eq!(
            err(json!({"equalsTo": "x"})),
            "$.equalsTo: unknown matcher key `equalsTo` (did you mean `equalTo`?)"
        );
        assert_eq!(
            err(json!({"and": [{"equalTo": "a"}, {"contain": "b"}]})),
            "$.and[1].contain: unknown matcher key `contain` (did you mean `contains`?)"
        );
        assert_eq!(
            err(json!({"equalTo": 5})),
            "$.equalTo: `equalTo` needs a string, not number 5"
        );
        assert_eq!(
            err(json!({"equalTo": "a", "contains": "b"})),
            "a matcher takes one operator but this one has `equalTo`, `contains`"
        );
        assert_eq!(
            err(json!({"contains": "a", "caseInsensitive": true})),
            "$.caseInsensitive: `caseInsensitive` applies to `equalTo`, not to `contains`"
        );
        assert!(err(json!({"before": "now"})).contains("not supported"));
        assert!(err(json!({"absent": false})).contains("takes true"));
        assert!(err(json!({"equalToJson": "{nope"}))
            .starts_with("$.equalToJson: `equalToJson` is not valid JSON"));
        assert!(err(json!({"equalToXml": "<a>"}))
            .starts_with("$.equalToXml: `equalToXml` is not valid XML"));
        assert!(
            err(json!({"matchesXPath": "//["})).starts_with("$.matchesXPath: invalid XPath `//[`")
        );
        assert!(err(json!({"matchesJsonPath": "$.a[?(@.b.length() > 1)]"})).contains("RFC 9535"));
        assert!(err(json!({"matchesJsonSchema": {"type": 5}}))
            .starts_with("$.matchesJsonSchema: invalid JSON schema"));
        assert!(err(json!({"matchesJsonSchema": {}, "schemaVersion": "V8"}))
            .starts_with("$.schemaVersion: unknown schemaVersion `V8`"));
        assert!(err(json!({"equalToJson": {"a": "${json-unit.regex}("}}))
            .starts_with("$.equalToJson.a: invalid regex"));
        assert!(err(json!("x")).starts_with("a matcher must be an object"));
        assert!(err(json!({})).starts_with("no matcher operator given"));
    }

    #[test]
    fn regexes_are_bounded_in_length_and_compiled_size() {
        let huge = format!("/{}", "a".repeat(50 * 1024 * 1024));
        let start = std::time::Instant::now();
        let e = anchored_regex(&huge).unwrap_err();
        assert!(start.elapsed() < std::time::Duration::from_millis(100));
        assert!(
            e.contains("is too long: 52428801 bytes (at most 16384)"),
            "{e}"
        );
        assert!(e.len() < 300, "a bounded excerpt: {} bytes", e.len());
        let e = anchored_regex("(a{100}){100}{100}").unwrap_err();
        assert!(e.contains("too complex"), "{e}");
        let e = anchored_regex(&format!("({}", "b".repeat(5000))).unwrap_err();
        assert!(e.len() < 300, "{e}");
        assert!(e.contains("more bytes cut"), "{e}");
        // ordinary patterns are well within the bounds
        for ok in [
            r"/api/v[0-9]+/orders/\w{1,64}",
            r"[\p{L}\d_-]{1,64}",
            r"^\S+@\S+\.\S+$",
        ] {
            assert!(anchored_regex(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn regexes_keep_their_source() {
        let re = anchored_regex("a|ab").unwrap();
        assert!(re.is_match("ab"));
        assert_eq!(regex_source(&re), "a|ab");
        assert!(anchored_regex("(?<=a)b")
            .unwrap_err()
            .starts_with("invalid regex `(?<=a)b`"));
    }

    #[test]
    fn json_paths_split_and_classify() {
        assert!(is_definite("$.a.b[0]['c d']"));
        assert!(!is_definite("$.a[*]"));
        assert!(!is_definite("$..a"));
        assert!(!is_definite("$.a[0,1]"));
        assert!(!is_definite("$.a[?(@.b)]"));
        assert!(is_definite("$['a*?']"));
        let pieces = split_filters("$.a[?(@.x == ']')].b[0]");
        assert_eq!(
            pieces,
            vec![
                (false, "$.a".to_string()),
                (true, "$[?(@.x == ']')]".to_string()),
                (false, "$.b[0]".to_string())
            ]
        );
        assert_eq!(
            translate_regex_filters("$[?(@.name =~ /a\\d+/i)]"),
            "$[?(match(@.name, '(?i)a\\\\d+'))]"
        );
    }

    #[test]
    fn did_you_mean_finds_close_keys() {
        assert_eq!(
            did_you_mean("urlpath", &["urlPath", "url"]),
            " (did you mean `urlPath`?)"
        );
        assert_eq!(did_you_mean("zzz", &["urlPath"]), "");
    }
}
