//! Generators: values made at the moment an interaction is used (RandomInt, Uuid,
//! DateTime, ProviderState, MockServerURL, ...), their Pact JSON form, and their
//! application to requests, responses and JSON documents by path expression.
//!
//! Applying generators keeps the example where a ProviderState generator has
//! no value to use (no provider state answered one: a mock, or a state-change
//! call that answered `{}`), as the official Pact tools do;
//! [`Generators::unresolved_provider_state`] names those places so callers can
//! say so.

use crate::datefmt::{self, DateFormat};
use crate::http::{Body, Request, Response};
use crate::path::{DocPath, PathExpr};
use crate::rules::Category;
use rand::Rng;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The data a generator may draw on.
#[derive(Debug, Clone, Default)]
pub struct GeneratorContext {
    /// Values returned by the provider-state setup (for ProviderState generators).
    pub provider_state: Map<String, Value>,
    /// The base URL of the mock server serving the interaction.
    pub mock_server_url: Option<String>,
}

/// How a UUID is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UuidFormat {
    /// Pact `simple`: 32 lower-case hex digits, no hyphens.
    Simple,
    /// Pact `lower-case-hyphenated` (`8-4-4-4-12`), the default.
    #[default]
    LowerHyphenated,
    /// Pact `upper-case-hyphenated`.
    UpperHyphenated,
    /// Pact `URN`: `urn:uuid:` then the lower-case hyphenated form.
    Urn,
}

/// Every Pact generator. Each variant is the Pact `type` of the same name
/// ([`Generator::type_name`]); fields are the Pact attributes, with the defaults
/// [`Generator::from_json`] fills in when a file leaves them out.
#[derive(Debug, Clone, PartialEq)]
pub enum Generator {
    /// An integer drawn uniformly from `min..=max`.
    RandomInt {
        /// Lowest value, inclusive (default 0).
        min: i64,
        /// Highest value, inclusive (default 2147483647); never below `min`.
        max: i64,
    },
    /// A decimal number; a string when the example at that place is a string.
    RandomDecimal {
        /// Digits in all, both sides of the point (default 10; 2 to 17 are used).
        digits: usize,
    },
    /// A string of lower-case hexadecimal digits.
    RandomHexadecimal {
        /// Its length in digits (default 10).
        digits: usize,
    },
    /// A string of ASCII letters and digits.
    RandomString {
        /// Its length in characters (default 10).
        size: usize,
    },
    /// A string matching a regex.
    Regex {
        /// The regex (checked when read); unbounded repeats stop at 20.
        regex: String,
    },
    /// A random (v4) UUID as a string.
    Uuid {
        /// How it is written; `None` writes lower-case hyphenated and leaves
        /// `format` out of the pact.
        format: Option<UuidFormat>,
    },
    /// A date, now or relative to now (local time).
    Date {
        /// A Java `SimpleDateFormat` pattern (checked when read); `None` means
        /// `yyyy-MM-dd`.
        format: Option<DateFormat>,
        /// A Pact date expression such as `today + 1 day`; `None` means now.
        expression: Option<String>,
    },
    /// A time of day, now or relative to now (local time).
    Time {
        /// A Java `SimpleDateFormat` pattern (checked when read); `None` means
        /// `HH:mm:ss`.
        format: Option<DateFormat>,
        /// A Pact time expression such as `now + 2 hours`; `None` means now.
        expression: Option<String>,
    },
    /// A date and time (Pact `DateTime`, also read from `Timestamp`).
    DateTime {
        /// A Java `SimpleDateFormat` pattern (checked when read); `None` means
        /// `yyyy-MM-dd'T'HH:mm:ss`.
        format: Option<DateFormat>,
        /// A Pact date expression such as `tomorrow + 2 hours`; `None` means now.
        expression: Option<String>,
    },
    /// `true` or `false`, evenly.
    RandomBoolean,
    /// A value the provider-state setup returned ([`GeneratorContext::provider_state`]).
    ProviderState {
        /// `${name}` (keeps the value's JSON type), `name`, or text with
        /// `${name}`s in it (gives a string).
        expression: String,
        /// Pact `dataType`: `RAW` (keep), `STRING`, `INTEGER`, `DECIMAL`,
        /// `FLOAT` or `BOOLEAN`; `None` is `RAW`.
        data_type: Option<String>,
    },
    /// Pact `MockServerURL`: a URL moved onto the mock server serving the
    /// interaction ([`GeneratorContext::mock_server_url`]).
    MockServerUrl {
        /// The URL as written in the pact (also the value when `regex` does not match).
        example: String,
        /// A regex over `example` whose first group is the part kept after the
        /// mock server's base URL.
        regex: String,
    },
}

impl Generator {
    /// The Pact `type` string (`RandomInt`, ..., `MockServerURL`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Generator::RandomInt { .. } => "RandomInt",
            Generator::RandomDecimal { .. } => "RandomDecimal",
            Generator::RandomHexadecimal { .. } => "RandomHexadecimal",
            Generator::RandomString { .. } => "RandomString",
            Generator::Regex { .. } => "Regex",
            Generator::Uuid { .. } => "Uuid",
            Generator::Date { .. } => "Date",
            Generator::Time { .. } => "Time",
            Generator::DateTime { .. } => "DateTime",
            Generator::RandomBoolean => "RandomBoolean",
            Generator::ProviderState { .. } => "ProviderState",
            Generator::MockServerUrl { .. } => "MockServerURL",
        }
    }

    /// Reads `{"type": "RandomInt", "min": 0, "max": 10}`.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let o = v
            .as_object()
            .ok_or_else(|| format!("a generator must be an object, found `{v}`"))?;
        let ty = o
            .get("type")
            .and_then(Value::as_str)
            .ok_or("generator needs a string `type`")?;
        let int = |k: &str, default: i64| -> Result<i64, String> {
            match o.get(k) {
                None | Some(Value::Null) => Ok(default),
                Some(n) => n
                    .as_i64()
                    .ok_or_else(|| format!("`{k}` of {ty} must be an integer, found `{n}`")),
            }
        };
        let size = |k: &str, default: usize| -> Result<usize, String> {
            let n = int(k, default as i64)?;
            usize::try_from(n).map_err(|_| format!("`{k}` of {ty} must not be negative"))
        };
        let opt = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        let req = |k: &str| opt(k).ok_or_else(|| format!("{ty} generator needs a string `{k}`"));
        Ok(match ty {
            "RandomInt" => {
                let (min, max) = (int("min", 0)?, int("max", 2_147_483_647)?);
                if min > max {
                    return Err(format!("RandomInt min {min} is greater than max {max}"));
                }
                Generator::RandomInt { min, max }
            }
            "RandomDecimal" => Generator::RandomDecimal {
                digits: size("digits", 10)?,
            },
            "RandomHexadecimal" => Generator::RandomHexadecimal {
                digits: size("digits", 10)?,
            },
            "RandomString" => Generator::RandomString {
                size: size("size", 10)?,
            },
            "Regex" => {
                let regex = req("regex")?;
                crate::regexp::bounded(&crate::regexp::translate_java(&regex))
                    .map_err(|e| format!("Regex generator: {e}"))?;
                Generator::Regex { regex }
            }
            "Uuid" => Generator::Uuid {
                format: match opt("format").as_deref() {
                    None => None,
                    Some("lower-case-hyphenated") => Some(UuidFormat::LowerHyphenated),
                    Some("simple") => Some(UuidFormat::Simple),
                    Some("upper-case-hyphenated") => Some(UuidFormat::UpperHyphenated),
                    Some("URN") => Some(UuidFormat::Urn),
                    Some(f) => return Err(format!("unknown Uuid format `{f}`")),
                },
            },
            "Date" | "Time" | "DateTime" | "Timestamp" => {
                let format = opt("format").as_deref().map(DateFormat::new).transpose()?;
                let expression = opt("expression");
                match ty {
                    "Date" => Generator::Date { format, expression },
                    "Time" => Generator::Time { format, expression },
                    _ => Generator::DateTime { format, expression },
                }
            }
            "RandomBoolean" => Generator::RandomBoolean,
            "ProviderState" => Generator::ProviderState {
                expression: req("expression")?,
                data_type: opt("dataType"),
            },
            "MockServerURL" => Generator::MockServerUrl {
                example: req("example")?,
                regex: req("regex")?,
            },
            other => return Err(format!("unknown generator `{other}`")),
        })
    }

    /// The Pact JSON form [`Generator::from_json`] reads back; optional attributes
    /// that are `None` are left out.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), json!(self.type_name()));
        let mut put = |k: &str, v: Value| {
            m.insert(k.into(), v);
        };
        match self {
            Generator::RandomInt { min, max } => {
                put("min", json!(min));
                put("max", json!(max));
            }
            Generator::RandomDecimal { digits } | Generator::RandomHexadecimal { digits } => {
                put("digits", json!(digits))
            }
            Generator::RandomString { size } => put("size", json!(size)),
            Generator::Regex { regex } => put("regex", json!(regex)),
            Generator::Uuid {
                format: Some(format),
            } => {
                let f = match format {
                    UuidFormat::Simple => "simple",
                    UuidFormat::LowerHyphenated => "lower-case-hyphenated",
                    UuidFormat::UpperHyphenated => "upper-case-hyphenated",
                    UuidFormat::Urn => "URN",
                };
                put("format", json!(f));
            }
            Generator::Date { format, expression }
            | Generator::Time { format, expression }
            | Generator::DateTime { format, expression } => {
                if let Some(f) = format {
                    put("format", json!(f.as_str()));
                }
                if let Some(e) = expression {
                    put("expression", json!(e));
                }
            }
            Generator::RandomBoolean | Generator::Uuid { format: None } => {}
            Generator::ProviderState {
                expression,
                data_type,
            } => {
                put("expression", json!(expression));
                if let Some(d) = data_type {
                    put("dataType", json!(d));
                }
            }
            Generator::MockServerUrl { example, regex } => {
                put("example", json!(example));
                put("regex", json!(regex));
            }
        }
        Value::Object(m)
    }

    /// The provider-state names a ProviderState generator needs and `ctx`
    /// lacks (empty for other generators).
    pub fn missing_provider_state(&self, ctx: &GeneratorContext) -> Vec<String> {
        match self {
            Generator::ProviderState { expression, .. } => state_names(expression)
                .into_iter()
                .filter(|n| !ctx.provider_state.contains_key(*n))
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Like [`Generator::generate`], but a ProviderState generator whose value
    /// the context lacks gives `current` (the example) back.
    fn generate_or_example(
        &self,
        current: &Value,
        ctx: &GeneratorContext,
    ) -> Result<Value, String> {
        if self.missing_provider_state(ctx).is_empty() {
            self.generate(current, ctx)
        } else {
            Ok(current.clone())
        }
    }

    /// Produces a value. `current` is the example value at the location (used to
    /// keep its type where that matters). A ProviderState generator whose value
    /// the context lacks is an error here (applying [`Generators`] keeps the
    /// example instead).
    pub fn generate(&self, current: &Value, ctx: &GeneratorContext) -> Result<Value, String> {
        let mut rng = rand::thread_rng();
        Ok(match self {
            Generator::RandomInt { min, max } => json!(rng.gen_range(*min..=*max)),
            Generator::RandomDecimal { digits } => {
                let digits = (*digits).clamp(2, 17);
                let mut s: String = (0..digits)
                    .map(|i| {
                        let d = if i == 0 {
                            rng.gen_range(1..10)
                        } else {
                            rng.gen_range(0..10)
                        };
                        char::from(b'0' + d as u8)
                    })
                    .collect();
                let dot = rng.gen_range(1..digits);
                s.insert(dot, '.');
                match current {
                    Value::String(_) => json!(s),
                    _ => serde_json::from_str(&s).map_err(|e| e.to_string())?,
                }
            }
            Generator::RandomHexadecimal { digits } => {
                json!((0..*digits)
                    .map(|_| format!("{:x}", rng.gen_range(0..16)))
                    .collect::<String>())
            }
            Generator::RandomString { size } => json!(rng
                .sample_iter(rand::distributions::Alphanumeric)
                .take(*size)
                .map(char::from)
                .collect::<String>()),
            Generator::Regex { regex } => {
                let gen = rand_regex::Regex::compile(&crate::regexp::translate_java(regex), 20)
                    .map_err(|e| format!("cannot generate from regex `{regex}`: {e}"))?;
                json!(rng.sample::<String, _>(&gen))
            }
            Generator::Uuid { format } => {
                let u = uuid::Uuid::new_v4();
                json!(match format.unwrap_or_default() {
                    UuidFormat::Simple => u.simple().to_string(),
                    UuidFormat::LowerHyphenated => u.hyphenated().to_string(),
                    UuidFormat::UpperHyphenated => u.hyphenated().to_string().to_uppercase(),
                    UuidFormat::Urn => u.urn().to_string(),
                })
            }
            Generator::Date { format, expression }
            | Generator::Time { format, expression }
            | Generator::DateTime { format, expression } => {
                let now = chrono::Local::now().fixed_offset();
                let moment = match expression {
                    Some(e) => datefmt::eval_expression(e, now)?,
                    None => now,
                };
                let default = match self {
                    Generator::Date { .. } => "yyyy-MM-dd",
                    Generator::Time { .. } => "HH:mm:ss",
                    _ => "yyyy-MM-dd'T'HH:mm:ss",
                };
                json!(match format {
                    Some(f) => f.format(&moment),
                    None => datefmt::format_with(&moment, default)?,
                })
            }
            Generator::RandomBoolean => json!(rng.gen_bool(0.5)),
            Generator::ProviderState {
                expression,
                data_type,
            } => {
                let v = substitute(expression, &ctx.provider_state)?;
                convert_type(v, data_type.as_deref())?
            }
            Generator::MockServerUrl { example, regex } => {
                let base = ctx
                    .mock_server_url
                    .as_deref()
                    .ok_or("MockServerURL generator used without a mock server URL")?;
                let re = crate::regexp::bounded(&crate::regexp::translate_java(regex))
                    .map_err(|e| format!("MockServerURL: {e}"))?;
                match re.captures(example).and_then(|c| c.get(1)) {
                    Some(rest) => json!(format!("{}{}", base.trim_end_matches('/'), rest.as_str())),
                    None => json!(example),
                }
            }
        })
    }
}

/// The provider-state names `expr` refers to: each `${name}`, or the whole
/// expression when it has none.
fn state_names(expr: &str) -> Vec<&str> {
    if !expr.contains("${") {
        return vec![expr];
    }
    let mut names = Vec::new();
    let mut rest = expr;
    while let Some(start) = rest.find("${") {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        names.push(&rest[start + 2..start + end]);
        rest = &rest[start + end + 1..];
    }
    names
}

/// Replaces `${name}` in `expr` with provider-state values. An expression that is
/// a single `${name}` keeps the value's JSON type.
fn substitute(expr: &str, values: &Map<String, Value>) -> Result<Value, String> {
    let lookup = |name: &str| -> Result<&Value, String> {
        values
            .get(name)
            .ok_or_else(|| format!("provider state gave no value for `{name}` (in `{expr}`)"))
    };
    if let Some(name) = expr.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        if !name.contains("${") {
            return lookup(name).cloned();
        }
    }
    if !expr.contains("${") {
        return lookup(expr).cloned();
    }
    let mut out = String::new();
    let mut rest = expr;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .ok_or_else(|| format!("unterminated `${{` in `{expr}`"))?;
        let name = &rest[start + 2..start + end];
        match lookup(name)? {
            Value::String(s) => out.push_str(s),
            other => out.push_str(&other.to_string()),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

fn convert_type(v: Value, data_type: Option<&str>) -> Result<Value, String> {
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(match data_type {
        None | Some("RAW") => v,
        Some("STRING") => json!(as_text(&v)),
        Some("INTEGER") => json!(as_text(&v)
            .parse::<i64>()
            .map_err(|_| format!("`{}` is not an integer", as_text(&v)))?),
        Some("DECIMAL") | Some("FLOAT") => json!(as_text(&v)
            .parse::<f64>()
            .map_err(|_| format!("`{}` is not a number", as_text(&v)))?),
        Some("BOOLEAN") => json!(as_text(&v) == "true"),
        Some(other) => return Err(format!("unknown dataType `{other}`")),
    })
}

/// Generators of one interaction part, by category and path expression.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Generators {
    categories: BTreeMap<Category, Vec<(PathExpr, Generator)>>,
}

impl Generators {
    /// True when no category holds a generator.
    pub fn is_empty(&self) -> bool {
        self.categories.values().all(Vec::is_empty)
    }

    /// Adds a generator at `expr` in category `c`, replacing one already there.
    pub fn add(&mut self, c: Category, expr: PathExpr, g: Generator) {
        let list = self.categories.entry(c).or_default();
        match list.iter_mut().find(|(e, _)| *e == expr) {
            Some((_, existing)) => *existing = g,
            None => list.push((expr, g)),
        }
    }

    /// Only the generators for which `keep` is true (a provider verifier applies
    /// ProviderState generators to the expected response, not random ones).
    pub fn filtered(&self, keep: impl Fn(&Generator) -> bool) -> Generators {
        let mut out = Generators::default();
        for (c, list) in &self.categories {
            for (e, g) in list.iter().filter(|(_, g)| keep(g)) {
                out.add(*c, e.clone(), g.clone());
            }
        }
        out
    }

    /// The generators of one category in the order they were added (empty if none).
    pub fn category(&self, c: Category) -> &[(PathExpr, Generator)] {
        self.categories.get(&c).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The non-empty categories in [`Category`] order, each with its generators.
    pub fn iter(&self) -> impl Iterator<Item = (Category, &[(PathExpr, Generator)])> {
        self.categories
            .iter()
            .filter(|(_, l)| !l.is_empty())
            .map(|(c, l)| (*c, l.as_slice()))
    }

    /// Reads the generators of one category (`{"$.id": {"type": "Uuid"}}`); the
    /// path and status categories hold a generator directly.
    pub fn from_category_json(v: &Value) -> Result<Self, String> {
        let mut g = Generators::default();
        g.read_category(Category::Body, v)?;
        Ok(g)
    }

    /// Reads a whole `generators` object (`{"body": {...}, "header": {...}}`).
    pub fn from_json(v: &Value) -> Result<Self, String> {
        let o = v
            .as_object()
            .ok_or_else(|| format!("`generators` must be an object, found `{v}`"))?;
        let mut g = Generators::default();
        for (k, section) in o {
            let c =
                Category::from_key(k).ok_or_else(|| format!("unknown generator category `{k}`"))?;
            if matches!(c, Category::Path | Category::Status | Category::Method) {
                let gen =
                    Generator::from_json(section).map_err(|e| format!("generators.{k}: {e}"))?;
                g.add(c, PathExpr::root(), gen);
            } else {
                g.read_category(c, section)
                    .map_err(|e| format!("generators.{k}: {e}"))?;
            }
        }
        Ok(g)
    }

    fn read_category(&mut self, c: Category, v: &Value) -> Result<(), String> {
        let o = v
            .as_object()
            .ok_or_else(|| format!("generators must be an object, found `{v}`"))?;
        for (k, gen) in o {
            let expr = if matches!(c, Category::Header | Category::Query | Category::Metadata)
                && !k.starts_with('$')
            {
                PathExpr::name(k)
            } else {
                PathExpr::parse(k).map_err(|e| e.to_string())?
            };
            self.add(
                c,
                expr,
                Generator::from_json(gen).map_err(|e| format!("at `{k}`: {e}"))?,
            );
        }
        Ok(())
    }

    /// The body generators as one category object (`{"$.id": {"type": "Uuid"}}`), the
    /// form [`Generators::from_category_json`] reads (`arrayContains` variants).
    pub fn to_category_json(&self) -> Value {
        self.category_json(Category::Body)
    }

    fn category_json(&self, c: Category) -> Value {
        Value::Object(
            self.category(c)
                .iter()
                .map(|(e, g)| (e.as_str().to_string(), g.to_json()))
                .collect(),
        )
    }

    /// The whole `generators` object of a pact (`{"body": {...}, "header": {...}}`); the
    /// path, status and method categories hold their generator directly.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (c, list) in self.iter() {
            if matches!(c, Category::Path | Category::Status | Category::Method) {
                if let Some((_, g)) = list.first() {
                    m.insert(c.key().into(), g.to_json());
                }
            } else {
                m.insert(c.key().into(), self.category_json(c));
            }
        }
        Value::Object(m)
    }

    /// Where ProviderState generators found no value in `ctx` (and so keep the
    /// example): `(category and path, expression)`, e.g. `("body $.id", "${id}")`.
    pub fn unresolved_provider_state(&self, ctx: &GeneratorContext) -> Vec<(String, String)> {
        self.categories
            .iter()
            .flat_map(|(c, list)| list.iter().map(move |(e, g)| (c, e, g)))
            .filter(|(_, _, g)| !g.missing_provider_state(ctx).is_empty())
            .map(|(c, e, g)| {
                let place = if matches!(c, Category::Path | Category::Status | Category::Method) {
                    c.key().to_string()
                } else {
                    format!("{} {}", c.key(), e.as_str())
                };
                let expression = match g {
                    Generator::ProviderState { expression, .. } => expression.clone(),
                    _ => String::new(),
                };
                (place, expression)
            })
            .collect()
    }

    /// Applies body generators to a JSON document in place.
    pub fn apply_to_json(
        &self,
        c: Category,
        doc: &mut Value,
        ctx: &GeneratorContext,
    ) -> Result<(), String> {
        for (expr, gen) in self.category(c) {
            apply_at(doc, &DocPath::root(), expr, gen, ctx)?;
        }
        Ok(())
    }

    /// Applies request generators (path, query, headers, body).
    pub fn apply_to_request(
        &self,
        req: &mut Request,
        ctx: &GeneratorContext,
    ) -> Result<(), String> {
        if let Some((_, g)) = self.category(Category::Path).first() {
            req.path = text_of(g.generate_or_example(&json!(req.path), ctx)?);
        }
        for (expr, g) in self.category(Category::Query) {
            let name = expr.as_str().trim_start_matches("$.");
            if let Some(values) = req.query.get_all(name) {
                let new = values
                    .iter()
                    .map(|v| g.generate_or_example(&json!(v), ctx).map(text_of))
                    .collect::<Result<_, _>>()?;
                req.query.set(name, new);
            }
        }
        self.apply_headers(&mut req.headers, ctx)?;
        self.apply_to_body(&mut req.body, ctx)
    }

    /// Applies response generators (status, headers, body).
    pub fn apply_to_response(
        &self,
        res: &mut Response,
        ctx: &GeneratorContext,
    ) -> Result<(), String> {
        if let Some((_, g)) = self.category(Category::Status).first() {
            let v = g.generate_or_example(&json!(res.status), ctx)?;
            res.status = v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .and_then(|n| u16::try_from(n).ok())
                .ok_or_else(|| format!("generated status `{v}` is not a status code"))?;
        }
        self.apply_headers(&mut res.headers, ctx)?;
        self.apply_to_body(&mut res.body, ctx)
    }

    fn apply_headers(
        &self,
        headers: &mut crate::http::Headers,
        ctx: &GeneratorContext,
    ) -> Result<(), String> {
        for (expr, g) in self.category(Category::Header) {
            let name = expr.as_str().trim_start_matches("$.");
            let current = headers.get(name).map(str::to_string);
            if current.is_none() && !g.missing_provider_state(ctx).is_empty() {
                continue; // no example to keep
            }
            let v = g.generate_or_example(&json!(current.unwrap_or_default()), ctx)?;
            headers.set(name.to_string(), vec![text_of(v)]);
        }
        Ok(())
    }

    fn apply_to_body(&self, body: &mut Body, ctx: &GeneratorContext) -> Result<(), String> {
        if let Body::Json(doc) = body {
            self.apply_to_json(Category::Body, doc, ctx)?;
        }
        Ok(())
    }
}

fn text_of(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Replaces every location of `doc` that `expr` names exactly.
fn apply_at(
    doc: &mut Value,
    at: &DocPath,
    expr: &PathExpr,
    gen: &Generator,
    ctx: &GeneratorContext,
) -> Result<(), String> {
    if at.len() == expr.tokens().len() {
        if expr.matches_exactly(at) {
            *doc = gen.generate_or_example(doc, ctx)?;
        }
        return Ok(());
    }
    if !expr.prefix_covers(at) {
        return Ok(());
    }
    match doc {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                apply_at(v, &at.field(k), expr, gen, ctx)?;
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter_mut().enumerate() {
                apply_at(v, &at.index(i), expr, gen, ctx)?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> GeneratorContext {
        let mut c = GeneratorContext::default();
        c.provider_state.insert("id".into(), json!(42));
        c.provider_state.insert("name".into(), json!("Ann"));
        c.mock_server_url = Some("http://127.0.0.1:1234".into());
        c
    }

    #[test]
    fn every_generator_generates() {
        let c = ctx();
        let cases = [
            (json!({"type":"RandomInt","min":3,"max":5}), "int"),
            (json!({"type":"RandomDecimal","digits":6}), "number"),
            (json!({"type":"RandomHexadecimal","digits":8}), "hex"),
            (json!({"type":"RandomString","size":12}), "string12"),
            (json!({"type":"Regex","regex":"[a-c]{4}\\d"}), "regex"),
            (json!({"type":"Uuid"}), "uuid"),
            (json!({"type":"Date","format":"yyyy-MM-dd"}), "date"),
            (json!({"type":"Time","format":"HH:mm"}), "time"),
            (
                json!({"type":"DateTime","format":"yyyy-MM-dd'T'HH:mm:ss","expression":"today + 1 day"}),
                "datetime",
            ),
            (json!({"type":"RandomBoolean"}), "bool"),
            (json!({"type":"ProviderState","expression":"${id}"}), "ps"),
            (
                json!({"type":"ProviderState","expression":"/users/${name}","dataType":"STRING"}),
                "ps-string",
            ),
            (
                json!({"type":"MockServerURL","example":"http://localhost:8080/items/1","regex":".*(/items/\\d+)$"}),
                "url",
            ),
        ];
        let generated_regex = regex::Regex::new("^[a-c]{4}\\d$").unwrap();
        for (spec, what) in cases {
            let g = Generator::from_json(&spec).unwrap();
            assert_eq!(g.to_json(), spec, "round trip {what}");
            let v = g.generate(&json!(0), &c).unwrap();
            match what {
                "int" => assert!((3..=5).contains(&v.as_i64().unwrap())),
                "number" => assert!(v.is_f64()),
                "hex" => assert!(
                    v.as_str().unwrap().len() == 8
                        && v.as_str().unwrap().chars().all(|c| c.is_ascii_hexdigit())
                ),
                "string12" => assert_eq!(v.as_str().unwrap().len(), 12),
                "regex" => assert!(generated_regex.is_match(v.as_str().unwrap())),
                "uuid" => assert!(uuid::Uuid::parse_str(v.as_str().unwrap()).is_ok()),
                "date" => {
                    assert!(datefmt::matches_format(v.as_str().unwrap(), "yyyy-MM-dd").is_ok())
                }
                "time" => assert!(datefmt::matches_format(v.as_str().unwrap(), "HH:mm").is_ok()),
                "datetime" => assert!(datefmt::matches_format(
                    v.as_str().unwrap(),
                    "yyyy-MM-dd'T'HH:mm:ss"
                )
                .is_ok()),
                "bool" => assert!(v.is_boolean()),
                "ps" => assert_eq!(v, json!(42)),
                "ps-string" => assert_eq!(v, json!("/users/Ann")),
                "url" => assert_eq!(v, json!("http://127.0.0.1:1234/items/1")),
                _ => unreachable!(),
            }
        }
    }

    #[test]
    fn bad_generators_are_reported() {
        assert!(Generator::from_json(&json!({"type":"Nope"}))
            .unwrap_err()
            .contains("unknown generator"));
        assert!(Generator::from_json(&json!({"type":"RandomInt","min":5,"max":1})).is_err());
        assert!(Generator::from_json(&json!({"type":"Regex","regex":"(["})).is_err());
        let g = Generator::from_json(&json!({"type":"ProviderState","expression":"${missing}"}))
            .unwrap();
        assert!(g
            .generate(&json!(0), &ctx())
            .unwrap_err()
            .contains("missing"));
    }

    #[test]
    fn regex_generators_read_java_syntax() {
        // a literal brace and a \Q..\E quote, as pact-jvm writes them
        let g = Generator::from_json(&json!({"type":"Regex","regex":"/items/{id}/\\Q.x\\E\\d{2}"}))
            .unwrap();
        let v = g.generate(&json!(""), &ctx()).unwrap();
        let want = regex::Regex::new(r"^/items/\{id\}/\.x\d{2}$").unwrap();
        assert!(want.is_match(v.as_str().unwrap()), "{v}");
        let g = Generator::from_json(&json!({"type":"MockServerURL",
            "example":"http://localhost:8080/{x}/1","regex":".*(/\\Q{x}\\E/\\d+)$"}))
        .unwrap();
        assert_eq!(
            g.generate(&json!(0), &ctx()).unwrap(),
            json!("http://127.0.0.1:1234/{x}/1")
        );
    }

    #[test]
    fn provider_state_values_missing_keep_the_example() {
        let gens = Generators::from_json(&json!({
            "body": {"$.id": {"type": "ProviderState", "expression": "${id}"},
                     "$.n": {"type": "RandomInt", "min": 5, "max": 5}},
            "header": {"Location": {"type": "ProviderState", "expression": "/items/${id}"},
                       "X-Absent": {"type": "ProviderState", "expression": "${id}"}},
            "status": {"type": "ProviderState", "expression": "${code}"}
        }))
        .unwrap();
        let example = || Response {
            status: 201,
            headers: [("Location", "/items/1")].into_iter().collect(),
            body: Body::Json(json!({"id": 1, "n": 0})),
        };
        // a mock (no provider state at all) and a state that answered `{}`
        for ctx in [
            GeneratorContext::default(),
            GeneratorContext {
                provider_state: Map::new(),
                ..ctx()
            },
        ] {
            let mut res = example();
            gens.apply_to_response(&mut res, &ctx).unwrap();
            assert_eq!(res.status, 201);
            assert_eq!(res.headers.get("location"), Some("/items/1"));
            assert_eq!(res.headers.get("x-absent"), None);
            assert_eq!(
                res.body,
                Body::Json(json!({"id": 1, "n": 5})),
                "other generators still run"
            );
            let unresolved = gens.unresolved_provider_state(&ctx);
            assert_eq!(
                unresolved,
                vec![
                    ("header Location".to_string(), "/items/${id}".to_string()),
                    ("header X-Absent".to_string(), "${id}".to_string()),
                    ("body $.id".to_string(), "${id}".to_string()),
                    ("status".to_string(), "${code}".to_string()),
                ]
            );
        }
        let mut res = example();
        gens.apply_to_response(&mut res, &ctx()).unwrap(); // `code` is missing, `id` is not
        assert_eq!(
            (res.status, res.headers.get("location")),
            (201, Some("/items/42"))
        );
        assert_eq!(gens.unresolved_provider_state(&ctx()).len(), 1);
        let mut with_code = ctx();
        with_code.provider_state.insert("code".into(), json!(200));
        gens.apply_to_response(&mut res, &with_code).unwrap();
        assert_eq!(res.status, 200);
        assert_eq!(res.body, Body::Json(json!({"id": 42, "n": 5})));
        assert!(gens.unresolved_provider_state(&with_code).is_empty());
    }

    #[test]
    fn applies_by_path_to_json_and_responses() {
        let gens = Generators::from_json(&json!({
            "body": {"$.items[*].id": {"type": "ProviderState", "expression": "${id}"}},
            "header": {"Location": {"type": "ProviderState", "expression": "/items/${id}"}},
            "status": {"type": "RandomInt", "min": 201, "max": 201}
        }))
        .unwrap();
        let mut res = Response {
            status: 200,
            body: Body::Json(json!({"items": [{"id": 1}, {"id": 2}], "id": 7})),
            ..Default::default()
        };
        gens.apply_to_response(&mut res, &ctx()).unwrap();
        assert_eq!(res.status, 201);
        assert_eq!(res.headers.get("location"), Some("/items/42"));
        assert_eq!(
            res.body,
            Body::Json(json!({"items": [{"id": 42}, {"id": 42}], "id": 7}))
        );
    }
}
