//! Matching rules: every Pact matcher as a typed value, rule lists combined with
//! AND/OR, and rule sets keyed by path expression per category (body, header,
//! query, path, status, metadata). Also their Pact v3/v4 JSON form.

use crate::datefmt::DateFormat;
use crate::generators::Generators;
use crate::path::{DocPath, PathExpr};
use crate::rule_index::RuleIndex;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

/// A compiled regular expression that keeps its source for display and files.
/// Pact regexes match the whole value (Java's `String.matches`), so the compiled
/// form is anchored; they are written in Java's syntax, translated first
/// ([`crate::regexp::java`]).
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    /// The compiled form, or why the source does not compile (kept only by
    /// [`Pattern::lenient`]; such a pattern matches nothing).
    anchored: Result<crate::regexp::JavaMatcher, String>,
}

impl Pattern {
    /// Compiles `source` for whole-value matching ([`crate::regexp::java`]);
    /// the error is one line naming the source and the reason.
    pub fn new(source: &str) -> Result<Self, String> {
        Ok(Pattern {
            source: source.to_string(),
            anchored: Ok(crate::regexp::java_matcher(
                source,
                crate::regexp::Dot::Line,
            )?),
        })
    }

    /// Like [`Pattern::new`], but a source that does not compile gives a
    /// pattern that matches nothing and says why ([`Pattern::error`]), so a
    /// reader can keep the rule (and write it back) while refusing to use it.
    pub fn lenient(source: &str) -> Self {
        Pattern {
            source: source.to_string(),
            anchored: crate::regexp::java_matcher(source, crate::regexp::Dot::Line),
        }
    }

    /// Why the source does not compile, for a [`Pattern::lenient`] one.
    pub fn error(&self) -> Option<&str> {
        self.anchored.as_ref().err().map(String::as_str)
    }

    /// The regex as written, unanchored (what pact files and reports show).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whole-value match; never, for a pattern that does not compile.
    pub fn is_full_match(&self, value: &str) -> bool {
        self.anchored.as_ref().is_ok_and(|re| re.is_match(value))
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// The classes a `statusCode` matcher accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusClass {
    /// `info`: 100-199.
    Information,
    /// `success`: 200-299.
    Success,
    /// `redirect`: 300-399.
    Redirect,
    /// `clientError`: 400-499.
    ClientError,
    /// `serverError`: 500-599.
    ServerError,
    /// `nonError`: below 400.
    NonError,
    /// `error`: 400 and above.
    Error,
    /// A list of codes: exactly one of them.
    Codes(Vec<u16>),
}

impl StatusClass {
    /// Is `status` in this class?
    pub fn accepts(&self, status: u16) -> bool {
        match self {
            StatusClass::Information => (100..200).contains(&status),
            StatusClass::Success => (200..300).contains(&status),
            StatusClass::Redirect => (300..400).contains(&status),
            StatusClass::ClientError => (400..500).contains(&status),
            StatusClass::ServerError => (500..600).contains(&status),
            StatusClass::NonError => status < 400,
            StatusClass::Error => status >= 400,
            StatusClass::Codes(c) => c.contains(&status),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            StatusClass::Information => json!("info"),
            StatusClass::Success => json!("success"),
            StatusClass::Redirect => json!("redirect"),
            StatusClass::ClientError => json!("clientError"),
            StatusClass::ServerError => json!("serverError"),
            StatusClass::NonError => json!("nonError"),
            StatusClass::Error => json!("error"),
            StatusClass::Codes(c) => json!(c),
        }
    }

    fn from_json(v: &Value) -> Result<Self, String> {
        Ok(match v {
            Value::String(s) => match s.as_str() {
                "info" | "information" => StatusClass::Information,
                "success" => StatusClass::Success,
                "redirect" => StatusClass::Redirect,
                "clientError" => StatusClass::ClientError,
                "serverError" => StatusClass::ServerError,
                "nonError" => StatusClass::NonError,
                "error" => StatusClass::Error,
                other => return Err(format!("unknown status class `{other}`")),
            },
            Value::Array(a) => StatusClass::Codes(
                a.iter()
                    .map(|c| {
                        c.as_u64()
                            .and_then(|n| u16::try_from(n).ok())
                            .ok_or_else(|| format!("status code `{c}` is not a number"))
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => return Err("`status` must be a class name or a list of codes".into()),
        })
    }
}

/// One variant of an `arrayContains` matcher: an example item (by index in the
/// expected array) and rules relative to that item.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayVariant {
    /// The 0-based index of the example item in the expected array.
    pub index: usize,
    /// Rules for the item, with paths relative to it (`$` is the item itself).
    pub rules: RuleSet,
    /// Generators for the item, with paths relative to it.
    pub generators: Generators,
}

/// Every Pact matcher.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchingRule {
    /// `equality`: equal to the example (the default where no rule applies).
    Equality,
    /// `regex`: the whole value (as text) matches the pattern.
    Regex(Pattern),
    /// `type`: same type as the example; arrays may have any length (the
    /// bounded forms are [`MatchingRule::MinType`], [`MatchingRule::MaxType`]
    /// and [`MatchingRule::MinMaxType`]).
    Type,
    /// `type` with `min`: same type, arrays of at least this many items.
    MinType(usize),
    /// `type` with `max`: same type, arrays of at most this many items.
    MaxType(usize),
    /// `type` with `min` and `max` (in that order): both bounds, inclusive.
    MinMaxType(usize, usize),
    /// `include`: the value as text contains this substring.
    Include(String),
    /// `integer`: a JSON integer (or, from headers, query, path and XML, text
    /// that parses as one).
    Integer,
    /// `decimal`: a JSON number with a fraction (from text: digits with a `.`).
    Decimal,
    /// `number`: any JSON number (from text: anything that parses as one).
    Number,
    /// `boolean`: `true` or `false` (from text: those words).
    Boolean,
    /// `null`: JSON `null`.
    Null,
    /// `date`: a string in this Java `SimpleDateFormat` pattern (default
    /// `yyyy-MM-dd`), a real calendar date.
    Date(DateFormat),
    /// `time`: a string in this Java pattern (default `HH:mm:ss`).
    Time(DateFormat),
    /// `timestamp` (also `datetime`): a string in this Java pattern (default
    /// `yyyy-MM-dd'T'HH:mm:ss`).
    Timestamp(DateFormat),
    /// `contentType`: the content, sniffed, is of this media type (`image/png`).
    ContentType(String),
    /// Match map values by the rules for their key, ignoring the keys.
    Values,
    /// `eachKey`: every key of the map satisfies these rules.
    EachKey(RuleList),
    /// `eachValue`: every value of the map or array satisfies these rules.
    EachValue(RuleList),
    /// `arrayContains`: for each variant, some item of the actual array matches it,
    /// in any order.
    ArrayContains(Vec<ArrayVariant>),
    /// `semver`: a string that is a semantic version (`1.2.3`).
    Semver,
    /// `notEmpty`: not null, not an empty string, array or object.
    NotEmpty,
    /// `statusCode`: the response status is in this class.
    StatusCode(StatusClass),
}

impl MatchingRule {
    /// The name used in pact files (`"match": ...`).
    pub fn name(&self) -> &'static str {
        match self {
            MatchingRule::Equality => "equality",
            MatchingRule::Regex(_) => "regex",
            MatchingRule::Type => "type",
            MatchingRule::MinType(_) => "type",
            MatchingRule::MaxType(_) => "type",
            MatchingRule::MinMaxType(..) => "type",
            MatchingRule::Include(_) => "include",
            MatchingRule::Integer => "integer",
            MatchingRule::Decimal => "decimal",
            MatchingRule::Number => "number",
            MatchingRule::Boolean => "boolean",
            MatchingRule::Null => "null",
            MatchingRule::Date(_) => "date",
            MatchingRule::Time(_) => "time",
            MatchingRule::Timestamp(_) => "timestamp",
            MatchingRule::ContentType(_) => "contentType",
            MatchingRule::Values => "values",
            MatchingRule::EachKey(_) => "eachKey",
            MatchingRule::EachValue(_) => "eachValue",
            MatchingRule::ArrayContains(_) => "arrayContains",
            MatchingRule::Semver => "semver",
            MatchingRule::NotEmpty => "notEmpty",
            MatchingRule::StatusCode(_) => "statusCode",
        }
    }

    /// Length bounds a rule puts on arrays.
    pub fn length_bounds(&self) -> (Option<usize>, Option<usize>) {
        match self {
            MatchingRule::MinType(m) => (Some(*m), None),
            MatchingRule::MaxType(m) => (None, Some(*m)),
            MatchingRule::MinMaxType(a, b) => (Some(*a), Some(*b)),
            _ => (None, None),
        }
    }

    /// True for rules that compare by type and let the example stand for any value
    /// of its kind (so arrays may differ in length and maps in extra keys).
    pub fn is_type_like(&self) -> bool {
        matches!(
            self,
            MatchingRule::Type
                | MatchingRule::MinType(_)
                | MatchingRule::MaxType(_)
                | MatchingRule::MinMaxType(..)
        )
    }

    /// Reads one matcher from its Pact JSON form (v2 `{"min":1}`, v3/v4 `{"match":..}`).
    pub fn from_json(v: &Value) -> Result<Self, String> {
        Self::read(v, BadRegex::Refuse)
    }

    /// [`MatchingRule::from_json`], with a choice of what a regex that does not
    /// compile does.
    pub fn read(v: &Value, bad_regex: BadRegex) -> Result<Self, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("a matcher must be a JSON object, found `{v}`"))?;
        let usize_field = |k: &str| -> Result<Option<usize>, String> {
            match obj.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(n) => n
                    .as_u64()
                    .or_else(|| n.as_str().and_then(|s| s.parse().ok()))
                    .map(|n| Some(n as usize))
                    .ok_or_else(|| format!("`{k}` must be a non-negative integer, found `{n}`")),
            }
        };
        let str_field = |k: &str| -> Result<String, String> {
            match obj.get(k) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err(format!("`{k}` must be a string, found `{other}`")),
                None => Err(format!("`{k}` is required")),
            }
        };
        let opt_str = |keys: &[&str]| -> Option<String> {
            keys.iter()
                .find_map(|k| obj.get(*k).and_then(Value::as_str).map(str::to_string))
        };
        let kind = match obj.get("match") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => return Err(format!("`match` must be a string, found `{other}`")),
            None => {
                // v2 shorthand: the keys present say what the matcher is
                if obj.contains_key("regex") {
                    "regex"
                } else if obj.contains_key("min") || obj.contains_key("max") {
                    "type"
                } else {
                    return Err("matcher has no `match` key".into());
                }
            }
        };
        let regex = |source: String| -> Result<MatchingRule, String> {
            match bad_regex {
                BadRegex::Refuse => Pattern::new(&source).map(MatchingRule::Regex),
                BadRegex::Keep => Ok(MatchingRule::Regex(Pattern::lenient(&source))),
            }
        };
        // the format is translated here, so a bad one fails when the rule is read
        let date_format = |keys: &[&str], default: &str| -> Result<DateFormat, String> {
            DateFormat::new(opt_str(keys).as_deref().unwrap_or(default))
        };
        Ok(match kind {
            "equality" => MatchingRule::Equality,
            "regex" => regex(str_field("regex")?)?,
            "type" | "min" | "max" | "minType" | "maxType" | "minmax" => {
                match (usize_field("min")?, usize_field("max")?) {
                    (Some(a), Some(b)) => MatchingRule::MinMaxType(a, b),
                    (Some(a), None) => MatchingRule::MinType(a),
                    (None, Some(b)) => MatchingRule::MaxType(b),
                    (None, None) if kind == "type" => MatchingRule::Type,
                    (None, None) => return Err(format!("`{kind}` matcher needs `min` or `max`")),
                }
            }
            "include" => MatchingRule::Include(
                opt_str(&["value"]).ok_or("`include` matcher needs a string `value`")?,
            ),
            "integer" => MatchingRule::Integer,
            "decimal" => MatchingRule::Decimal,
            "number" => MatchingRule::Number,
            "boolean" => MatchingRule::Boolean,
            "null" => MatchingRule::Null,
            "date" => MatchingRule::Date(date_format(&["format", "date"], "yyyy-MM-dd")?),
            "time" => MatchingRule::Time(date_format(&["format", "time"], "HH:mm:ss")?),
            "timestamp" | "datetime" => MatchingRule::Timestamp(date_format(
                &["format", "timestamp", "datetime"],
                "yyyy-MM-dd'T'HH:mm:ss",
            )?),
            "contentType" | "content-type" => MatchingRule::ContentType(
                opt_str(&["value"]).ok_or("`contentType` matcher needs a string `value`")?,
            ),
            "values" => MatchingRule::Values,
            "eachKey" | "eachValue" => {
                let rules = obj
                    .get("rules")
                    .ok_or_else(|| format!("`{kind}` matcher needs `rules`"))?;
                let list = RuleList::read(rules, RuleLogic::And, bad_regex)?;
                if kind == "eachKey" {
                    MatchingRule::EachKey(list)
                } else {
                    MatchingRule::EachValue(list)
                }
            }
            "arrayContains" => {
                let variants = obj
                    .get("variants")
                    .and_then(Value::as_array)
                    .ok_or("`arrayContains` matcher needs a `variants` array")?;
                MatchingRule::ArrayContains(
                    variants
                        .iter()
                        .enumerate()
                        .map(|(n, v)| {
                            let index =
                                v.get("index").and_then(Value::as_u64).unwrap_or(n as u64) as usize;
                            let rules = match v.get("rules") {
                                Some(r) => RuleSet::read_v3(r, bad_regex)?,
                                None => RuleSet::default(),
                            };
                            let generators = match v.get("generators") {
                                Some(g) => Generators::from_category_json(g)?,
                                None => Generators::default(),
                            };
                            Ok(ArrayVariant {
                                index,
                                rules,
                                generators,
                            })
                        })
                        .collect::<Result<_, String>>()?,
                )
            }
            "semver" => MatchingRule::Semver,
            "notEmpty" => MatchingRule::NotEmpty,
            "statusCode" => MatchingRule::StatusCode(StatusClass::from_json(
                obj.get("status")
                    .ok_or("`statusCode` matcher needs `status`")?,
            )?),
            other => return Err(format!("unknown matcher `{other}`")),
        })
    }

    /// Writes the Pact v3/v4 JSON form.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("match".into(), json!(self.name()));
        match self {
            MatchingRule::Regex(p) => {
                m.insert("regex".into(), json!(p.as_str()));
            }
            MatchingRule::MinType(n) => {
                m.insert("min".into(), json!(n));
            }
            MatchingRule::MaxType(n) => {
                m.insert("max".into(), json!(n));
            }
            MatchingRule::MinMaxType(a, b) => {
                m.insert("min".into(), json!(a));
                m.insert("max".into(), json!(b));
            }
            MatchingRule::Include(v) | MatchingRule::ContentType(v) => {
                m.insert("value".into(), json!(v));
            }
            MatchingRule::Date(f) | MatchingRule::Time(f) | MatchingRule::Timestamp(f) => {
                m.insert("format".into(), json!(f.as_str()));
            }
            MatchingRule::EachKey(l) | MatchingRule::EachValue(l) => {
                m.insert(
                    "rules".into(),
                    Value::Array(l.rules.iter().map(MatchingRule::to_json).collect()),
                );
            }
            MatchingRule::ArrayContains(vs) => {
                m.insert(
                    "variants".into(),
                    Value::Array(
                        vs.iter()
                            .map(|v| {
                                let mut o = Map::new();
                                o.insert("index".into(), json!(v.index));
                                o.insert("rules".into(), v.rules.to_v3_json());
                                if !v.generators.is_empty() {
                                    o.insert("generators".into(), v.generators.to_category_json());
                                }
                                Value::Object(o)
                            })
                            .collect(),
                    ),
                );
            }
            MatchingRule::StatusCode(c) => {
                m.insert("status".into(), c.to_json());
            }
            _ => {}
        }
        Value::Object(m)
    }
}

impl fmt::Display for MatchingRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

/// What reading a rule does with a regex that does not compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadRegex {
    /// Reading fails (seam's own files: the author can fix the regex).
    #[default]
    Refuse,
    /// The rule is kept with a [`Pattern`] that matches nothing and says why
    /// ([`RuleList::broken_regex`]): pact files from other tools, whose other
    /// interactions stay usable.
    Keep,
}

/// How the rules of one list combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleLogic {
    /// Every rule must pass (Pact `"combine": "AND"`, the default).
    #[default]
    And,
    /// One passing rule is enough (Pact `"combine": "OR"`).
    Or,
}

/// The rules at one path expression.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleList {
    /// The matchers in file order; an empty list checks nothing.
    pub rules: Vec<MatchingRule>,
    /// How their results combine.
    pub logic: RuleLogic,
}

impl RuleList {
    /// A list whose rules must all pass (AND).
    pub fn new(rules: Vec<MatchingRule>) -> Self {
        RuleList {
            rules,
            logic: RuleLogic::And,
        }
    }

    /// True when the list holds no matcher.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Reads `{"matchers": [...], "combine": "AND"}`, a bare array of matchers, or
    /// a single matcher object (v2).
    pub fn from_matchers_json(v: &Value, default_logic: RuleLogic) -> Result<Self, String> {
        Self::read(v, default_logic, BadRegex::Refuse)
    }

    /// [`RuleList::from_matchers_json`], with a choice of what a regex that does
    /// not compile does.
    pub fn read(v: &Value, default_logic: RuleLogic, bad_regex: BadRegex) -> Result<Self, String> {
        let rule = |m: &Value| MatchingRule::read(m, bad_regex);
        match v {
            Value::Array(items) => Ok(RuleList {
                rules: items.iter().map(rule).collect::<Result<_, _>>()?,
                logic: default_logic,
            }),
            Value::Object(o) if o.contains_key("matchers") => {
                let logic = match o.get("combine").and_then(Value::as_str) {
                    None => default_logic,
                    Some(s) if s.eq_ignore_ascii_case("and") => RuleLogic::And,
                    Some(s) if s.eq_ignore_ascii_case("or") => RuleLogic::Or,
                    Some(s) => return Err(format!("`combine` must be AND or OR, found `{s}`")),
                };
                let matchers = o
                    .get("matchers")
                    .and_then(Value::as_array)
                    .ok_or("`matchers` must be an array")?;
                Ok(RuleList {
                    rules: matchers.iter().map(rule).collect::<Result<_, _>>()?,
                    logic,
                })
            }
            Value::Object(_) => Ok(RuleList::new(vec![rule(v)?])),
            other => Err(format!("expected a rule list object, found `{other}`")),
        }
    }

    /// The v3/v4 form `{"matchers": [...]}`, with `"combine": "OR"` only when OR.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "matchers".into(),
            Value::Array(self.rules.iter().map(MatchingRule::to_json).collect()),
        );
        if self.logic == RuleLogic::Or {
            m.insert("combine".into(), json!("OR"));
        }
        Value::Object(m)
    }

    /// Why a regex in this list (or nested in `eachKey`, `eachValue`,
    /// `arrayContains`) does not compile, for rules read with [`BadRegex::Keep`].
    pub fn broken_regex(&self) -> Option<&str> {
        self.rules.iter().find_map(|r| match r {
            MatchingRule::Regex(p) => p.error(),
            MatchingRule::EachKey(l) | MatchingRule::EachValue(l) => l.broken_regex(),
            MatchingRule::ArrayContains(vs) => vs
                .iter()
                .find_map(|v| v.rules.iter().find_map(|(_, l)| l.broken_regex())),
            _ => None,
        })
    }

    /// Does a rule let the example stand for any value of its type
    /// ([`MatchingRule::is_type_like`])?
    pub fn has_type_like(&self) -> bool {
        self.rules.iter().any(MatchingRule::is_type_like)
    }
}

/// Rules of one category keyed by path expression, in insertion order. The
/// expression index is built on first use.
#[derive(Debug, Default)]
pub struct RuleSet {
    entries: Vec<(PathExpr, RuleList)>,
    index: OnceLock<RuleIndex>,
}

impl Clone for RuleSet {
    fn clone(&self) -> Self {
        RuleSet {
            entries: self.entries.clone(),
            index: OnceLock::new(),
        }
    }
}

impl PartialEq for RuleSet {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl RuleSet {
    /// The expression trie, built on first use.
    pub fn index(&self) -> &RuleIndex {
        self.index
            .get_or_init(|| RuleIndex::build(self.entries.iter().map(|(e, _)| e.tokens())))
    }

    pub(crate) fn entry(&self, i: usize) -> &RuleList {
        &self.entries[i].1
    }

    /// True when no expression has rules.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The number of distinct path expressions.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Adds rules at `expr`, merging with rules already there.
    pub fn add(&mut self, expr: PathExpr, list: RuleList) {
        self.index = OnceLock::new();
        match self.entries.iter_mut().find(|(e, _)| *e == expr) {
            Some((_, existing)) => existing.rules.extend(list.rules),
            None => self.entries.push((expr, list)),
        }
    }

    /// Each expression with its rules, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&PathExpr, &RuleList)> {
        self.entries.iter().map(|(e, l)| (e, l))
    }

    /// The rules of the most specific expression covering `path` (itself or an
    /// ancestor), if any.
    pub fn best_for(&self, path: &DocPath) -> Option<&RuleList> {
        let mut best: Option<(u64, usize, &RuleList)> = None;
        for (expr, list) in &self.entries {
            let w = expr.weight(path);
            if w == 0 {
                continue;
            }
            let len = expr.tokens().len();
            if best.is_none_or(|(bw, bl, _)| (w, len) > (bw, bl)) {
                best = Some((w, len, list));
            }
        }
        best.map(|(_, _, l)| l)
    }

    /// Rules whose expression names exactly `path`.
    pub fn exact_for(&self, path: &DocPath) -> Option<&RuleList> {
        let mut best: Option<(u64, &RuleList)> = None;
        for (expr, list) in &self.entries {
            if expr.matches_exactly(path) {
                let w = expr.weight(path);
                if best.is_none_or(|(bw, _)| w > bw) {
                    best = Some((w, list));
                }
            }
        }
        best.map(|(_, l)| l)
    }

    /// Is any rule defined for `path` or an ancestor?
    pub fn covers(&self, path: &DocPath) -> bool {
        self.best_for(path).is_some()
    }

    /// Reads a v3/v4 category object `{"$.a": {"matchers": [...]}}`.
    pub fn from_v3_json(v: &Value) -> Result<Self, String> {
        Self::read_v3(v, BadRegex::Refuse)
    }

    /// [`RuleSet::from_v3_json`], with a choice of what a regex that does not
    /// compile does.
    pub fn read_v3(v: &Value, bad_regex: BadRegex) -> Result<Self, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("matching rules must be an object, found `{v}`"))?;
        let mut set = RuleSet::default();
        for (k, rules) in obj {
            let expr = PathExpr::parse(k).map_err(|e| e.to_string())?;
            let list = RuleList::read(rules, RuleLogic::And, bad_regex)
                .map_err(|e| format!("at `{k}`: {e}"))?;
            set.add(expr, list);
        }
        Ok(set)
    }

    /// The v3/v4 category object [`RuleSet::from_v3_json`] reads.
    pub fn to_v3_json(&self) -> Value {
        Value::Object(
            self.entries
                .iter()
                .map(|(e, l)| (e.as_str().to_string(), l.to_json()))
                .collect(),
        )
    }
}

/// The matching categories of an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// `method`: the request method, one entry at `$`.
    Method,
    /// `path`: the request path, one rule list at `$`.
    Path,
    /// `query`: by parameter name.
    Query,
    /// `header` (also read from `headers`): by header name.
    Header,
    /// `body`: by path expression into the body.
    Body,
    /// `status`: the response status, one rule list at `$`.
    Status,
    /// `metadata`: message metadata, by key.
    Metadata,
    /// `content` (also read from `contents`): v4 message contents, by path
    /// expression; used in place of `body` when present.
    Content,
}

impl Category {
    /// The key used in v3/v4 pact files.
    pub fn key(self) -> &'static str {
        match self {
            Category::Method => "method",
            Category::Path => "path",
            Category::Query => "query",
            Category::Header => "header",
            Category::Body => "body",
            Category::Status => "status",
            Category::Metadata => "metadata",
            Category::Content => "content",
        }
    }

    /// The category a pact file key names (`headers` and `contents` accepted too);
    /// `None` for an unknown key.
    pub fn from_key(k: &str) -> Option<Self> {
        Some(match k {
            "method" => Category::Method,
            "path" => Category::Path,
            "query" => Category::Query,
            "header" | "headers" => Category::Header,
            "body" => Category::Body,
            "status" => Category::Status,
            "metadata" => Category::Metadata,
            "content" | "contents" => Category::Content,
            _ => return None,
        })
    }
}

/// All rules of a request, response or message, by category.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatchingRules {
    categories: BTreeMap<Category, RuleSet>,
}

impl MatchingRules {
    /// True when no category holds a rule (every value compared by equality).
    pub fn is_empty(&self) -> bool {
        self.categories.values().all(RuleSet::is_empty)
    }

    /// The rules of one category; `None` when it has none.
    pub fn category(&self, c: Category) -> Option<&RuleSet> {
        self.categories.get(&c).filter(|s| !s.is_empty())
    }

    /// The rules of one category, created empty if missing.
    pub fn category_mut(&mut self, c: Category) -> &mut RuleSet {
        self.categories.entry(c).or_default()
    }

    /// Adds rules at `expr` in category `c`, merging with rules already there.
    pub fn add(&mut self, c: Category, expr: PathExpr, list: RuleList) {
        self.category_mut(c).add(expr, list);
    }

    /// The non-empty categories in [`Category`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Category, &RuleSet)> {
        self.categories
            .iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(c, s)| (*c, s))
    }
}

/// Rules that accept any value of the same shape as `example`: a type rule on
/// every node, with `min: 1` on non-empty arrays (what Pact DSLs' `like` and
/// `eachLike` produce).
pub fn type_rules_for(example: &Value) -> RuleSet {
    fn walk(v: &Value, at: &DocPath, set: &mut RuleSet) {
        let rule = match v {
            Value::Array(a) if !a.is_empty() => MatchingRule::MinType(1),
            _ => MatchingRule::Type,
        };
        let expr = PathExpr::parse(&at.to_string()).expect("a rendered path parses");
        set.add(expr, RuleList::new(vec![rule]));
        match v {
            Value::Array(a) => {
                if let Some(first) = a.first() {
                    walk(first, &at.index(0), set);
                }
            }
            Value::Object(m) => {
                for (k, x) in m {
                    walk(x, &at.field(k), set);
                }
            }
            _ => {}
        }
    }
    let mut set = RuleSet::default();
    walk(example, &DocPath::root(), &mut set);
    set
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_every_matcher() {
        let forms = [
            json!({"match":"equality"}),
            json!({"match":"regex","regex":"\\d+"}),
            json!({"match":"type"}),
            json!({"match":"type","min":1}),
            json!({"match":"type","max":3}),
            json!({"match":"type","min":1,"max":3}),
            json!({"match":"include","value":"x"}),
            json!({"match":"integer"}),
            json!({"match":"decimal"}),
            json!({"match":"number"}),
            json!({"match":"boolean"}),
            json!({"match":"null"}),
            json!({"match":"date","format":"yyyy-MM-dd"}),
            json!({"match":"time","format":"HH:mm"}),
            json!({"match":"timestamp","format":"yyyy-MM-dd HH:mm"}),
            json!({"match":"contentType","value":"image/png"}),
            json!({"match":"values"}),
            json!({"match":"eachKey","rules":[{"match":"regex","regex":"[a-z]+"}]}),
            json!({"match":"eachValue","rules":[{"match":"type"}]}),
            json!({"match":"arrayContains","variants":[{"index":0,"rules":{"$.a":{"matchers":[{"match":"type"}]}}}]}),
            json!({"match":"semver"}),
            json!({"match":"notEmpty"}),
            json!({"match":"statusCode","status":"success"}),
            json!({"match":"statusCode","status":[200,201]}),
        ];
        for f in forms {
            let rule = MatchingRule::from_json(&f).unwrap();
            assert_eq!(rule.to_json(), f, "round trip of {f}");
        }
    }

    #[test]
    fn rejects_bad_matchers_with_reasons() {
        let e = MatchingRule::from_json(&json!({"match":"fuzzy"})).unwrap_err();
        assert!(e.contains("unknown matcher `fuzzy`"), "{e}");
        let e = MatchingRule::from_json(&json!({"match":"regex","regex":"(["})).unwrap_err();
        assert!(e.contains("invalid regex"), "{e}");
        assert!(MatchingRule::from_json(&json!({"match":"type","min":-1})).is_err());
        // a date format is translated when the rule is read, not when it checks
        let e = MatchingRule::from_json(&json!({"match":"timestamp","format":"yyyy-MM-dd Q"}))
            .unwrap_err();
        assert_eq!(e, "unsupported letter `Q` in date format `yyyy-MM-dd Q`");
    }

    #[test]
    fn type_without_bounds_is_its_own_variant() {
        assert_eq!(
            MatchingRule::from_json(&json!({"match":"type"})).unwrap(),
            MatchingRule::Type
        );
        assert_eq!(MatchingRule::Type.length_bounds(), (None, None));
        assert!(MatchingRule::Type.is_type_like());
        assert_eq!(MatchingRule::Type.to_json(), json!({"match":"type"}));
        let e = MatchingRule::from_json(&json!({"match":"minType"})).unwrap_err();
        assert!(e.contains("needs `min` or `max`"), "{e}");
    }

    #[test]
    fn date_rules_default_their_format() {
        for (kind, default) in [
            ("date", "yyyy-MM-dd"),
            ("time", "HH:mm:ss"),
            ("timestamp", "yyyy-MM-dd'T'HH:mm:ss"),
            ("datetime", "yyyy-MM-dd'T'HH:mm:ss"),
        ] {
            let rule = MatchingRule::from_json(&json!({ "match": kind })).unwrap();
            assert_eq!(rule.to_json()["format"], json!(default), "{kind}");
        }
    }

    #[test]
    fn v2_shorthand_is_understood() {
        assert_eq!(
            MatchingRule::from_json(&json!({"min": 2})).unwrap(),
            MatchingRule::MinType(2)
        );
        assert!(matches!(
            MatchingRule::from_json(&json!({"regex": "a+"})).unwrap(),
            MatchingRule::Regex(_)
        ));
    }

    #[test]
    fn best_rule_is_most_specific() {
        let set = RuleSet::from_v3_json(&json!({
            "$.items": {"matchers": [{"match": "type", "min": 1}]},
            "$.items[*].id": {"matchers": [{"match": "integer"}]}
        }))
        .unwrap();
        let p = DocPath::root().field("items").index(0).field("id");
        assert_eq!(set.best_for(&p).unwrap().rules, [MatchingRule::Integer]);
        let p = DocPath::root().field("items").index(0).field("name");
        assert_eq!(set.best_for(&p).unwrap().rules, [MatchingRule::MinType(1)]);
        assert!(set.exact_for(&p).is_none());
    }

    #[test]
    fn full_match_regex() {
        let p = Pattern::new("a|ab").unwrap();
        assert!(p.is_full_match("ab"));
        assert!(!p.is_full_match("abc"));
    }
}
