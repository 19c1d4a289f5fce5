//! Schemas compiled for validation with the `jsonschema` crate: 3.1 as JSON Schema 2020-12, 3.0 translated; readOnly/writeOnly per direction.
//!
//! The document is registered whole as one JSON Schema resource, so every
//! `#/components/...` reference resolves. Before that, a copy of it is translated
//! once per [`Direction`] (see [`translate`]):
//! - 3.0 only: `nullable: true` → `type: [t, "null"]` (or `anyOf` with null),
//!   boolean `exclusiveMinimum`/`exclusiveMaximum` → numeric, `example`, `x-*`,
//!   `$id` and `$schema` dropped, `$ref` siblings ignored (as 3.0 says);
//! - both: `discriminator` → the mapped schema is the one validated (an unknown
//!   value is reported against the mapping), `readOnly` properties are not required
//!   in, and must not be sent with, a request (`writeOnly` likewise for a
//!   response), the OpenAPI formats `int32`, `int64`, `float`, `double`, `byte`
//!   and `binary` checked.
//!
//! A validator is compiled on first use per (schema, direction) and cached.
//! Errors become [`Violation`]s: where in the value (`["body","items",0,"qty"]`),
//! what is wrong in plain words, and the place in the spec.

use crate::model::{escape_token, SchemaRef, Spec, SpecError, SpecVersion};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::Location;
use jsonschema::{Draft, Keyword, Registry, ValidationError, Validator};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};

/// Which way a value travels: a request body or parameter, or a response.
/// `readOnly` properties belong to responses, `writeOnly` ones to requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Request,
    Response,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::Request => 0,
            Direction::Response => 1,
        }
    }
}

/// One step of a location: a name (`body`, `qty`) or an array index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Key(k) => f.write_str(k),
            Segment::Index(i) => write!(f, "{i}"),
        }
    }
}

impl From<&str> for Segment {
    fn from(s: &str) -> Self {
        Segment::Key(s.to_string())
    }
}

impl From<String> for Segment {
    fn from(s: String) -> Self {
        Segment::Key(s)
    }
}

impl From<usize> for Segment {
    fn from(i: usize) -> Self {
        Segment::Index(i)
    }
}

impl Segment {
    fn to_json(&self) -> Value {
        match self {
            Segment::Key(k) => Value::String(k.clone()),
            Segment::Index(i) => json!(i),
        }
    }
}

/// What kind of rule a [`Violation`] breaks, which decides the status a mock
/// answers with ([`ViolationKind::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViolationKind {
    /// The operation's security is not met (401).
    Security,
    /// The request's Content-Type is not one the operation accepts (415).
    UnsupportedMediaType,
    /// No declared response media type satisfies `Accept` (406).
    NotAcceptable,
    /// A path, query, header or cookie parameter is missing or invalid (422).
    Parameter,
    /// The request body is missing or invalid (422).
    Body,
    /// The response status is not declared for the operation.
    ResponseStatus,
    /// A response header is missing or invalid.
    ResponseHeader,
    /// The response body (or its Content-Type) does not match the spec.
    ResponseBody,
}

impl ViolationKind {
    /// The status a mock answers a request with for this kind (response kinds:
    /// 502, what a validating proxy answers with).
    pub fn status(self) -> u16 {
        match self {
            ViolationKind::Security => 401,
            ViolationKind::UnsupportedMediaType => 415,
            ViolationKind::NotAcceptable => 406,
            ViolationKind::Parameter | ViolationKind::Body => 422,
            ViolationKind::ResponseStatus
            | ViolationKind::ResponseHeader
            | ViolationKind::ResponseBody => 502,
        }
    }

    /// A short stable name, for reports: `security`, `media-type`, `parameter`, ...
    pub fn code(self) -> &'static str {
        match self {
            ViolationKind::Security => "security",
            ViolationKind::UnsupportedMediaType => "unsupported-media-type",
            ViolationKind::NotAcceptable => "not-acceptable",
            ViolationKind::Parameter => "parameter",
            ViolationKind::Body => "body",
            ViolationKind::ResponseStatus => "response-status",
            ViolationKind::ResponseHeader => "response-header",
            ViolationKind::ResponseBody => "response-body",
        }
    }
}

/// One way a request or response differs from the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where in the message: `["body","items",0,"qty"]`, `["query","limit"]`,
    /// `["header","X-Rate-Limit"]`.
    pub location: Vec<Segment>,
    /// What is wrong, in plain words.
    pub message: String,
    pub kind: ViolationKind,
    /// The place in the spec the rule comes from (`#/components/schemas/Pet/properties/qty/type`).
    pub pointer: String,
}

impl Violation {
    /// A violation at `location`.
    pub fn new(
        kind: ViolationKind,
        location: Vec<Segment>,
        message: impl Into<String>,
        pointer: impl Into<String>,
    ) -> Violation {
        Violation {
            location,
            message: message.into(),
            kind,
            pointer: pointer.into(),
        }
    }

    /// One entry of an `application/problem+json` `errors[]` list:
    /// `{"location": ["body","qty"], "message": "...", "code": "body", "pointer": "#/..."}`.
    pub fn to_json(&self) -> Value {
        json!({
            "location": self.location.iter().map(Segment::to_json).collect::<Vec<_>>(),
            "message": self.message,
            "code": self.kind.code(),
            "pointer": self.pointer,
        })
    }

    /// The location as one string: `body.items[0].qty`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for s in &self.location {
            match s {
                Segment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Segment::Index(i) => {
                    out.push_str(&format!("[{i}]"));
                }
            }
        }
        out
    }
}

impl fmt::Display for Violation {
    /// `body.items[0].qty: expected an integer, got the string "x"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        if path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{path}: {}", self.message)
        }
    }
}

/// Violations reported for one value at most (the first ones found).
pub const MAX_VIOLATIONS: usize = 100;

/// Past this many nodes a value is checked for its first violation only.
const LARGE_VALUE: usize = 10_000;

/// Whether `v` has more than `limit` nodes (counting stops there).
fn more_nodes_than(v: &Value, limit: usize) -> bool {
    fn count(v: &Value, left: &mut usize) -> bool {
        if *left == 0 {
            return true;
        }
        *left -= 1;
        match v {
            Value::Array(a) => a.iter().any(|c| count(c, left)),
            Value::Object(o) => o.values().any(|c| count(c, left)),
            _ => false,
        }
    }
    let mut left = limit;
    count(v, &mut left)
}

/// The URI the bundled document is registered under.
const DOC_URI: &str = "urn:seam:openapi";
/// Where translated copies of discriminator base schemas live in a translated document.
const BASE_COPIES: &str = "x-seam-base";
/// Where a translated document records the maps of schemas that a `$ref` stood
/// for: `{"<pointer of the map>": "<pointer it names>"}`.
const ALIASES: &str = "x-seam-aliases";
/// The marker on a synthesized discriminator branch: `{"property": .., "value": ..}`.
const WHEN: &str = "x-seam-when";
/// The marker on a synthesized discriminator value check: the property name.
const DISCRIMINATOR: &str = "x-seam-discriminator";
/// Custom keyword: a numeric range from an OpenAPI format (`int32`, ...).
const RANGE: &str = "x-seam-range";
/// Custom keyword: a property that must not be sent in this direction.
const FORBID: &str = "x-seam-forbid";

/// The schemas of one spec, ready to validate values.
///
/// Cheap to clone (shared); safe to use from many threads. Validators are
/// compiled on first use per (schema, direction) and cached.
#[derive(Clone)]
pub struct Schemas {
    inner: Arc<Inner>,
}

struct Inner {
    version: SpecVersion,
    /// The document as loaded; translated per direction on first use.
    source: Value,
    translated: [OnceLock<Arc<Value>>; 2],
    /// The translated document registered once per direction, shared by every
    /// validator compiled for it (each `$ref` target is resolved in place, not copied).
    registries: [OnceLock<Result<Registry<'static>, String>>; 2],
    cache: RwLock<HashMap<(String, Direction), Arc<Compiled>>>,
}

enum Compiled {
    Ready(Validator),
    /// The schema cannot be compiled: why, in plain words.
    Broken(String),
}

impl fmt::Debug for Schemas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schemas")
            .field("version", &self.inner.version)
            .finish_non_exhaustive()
    }
}

impl Schemas {
    /// Prepares a spec's schemas. Nothing is compiled yet (start-up stays cheap on
    /// large specs); [`Schemas::check_all`] compiles every schema the operations use.
    pub fn compile(spec: &Spec) -> Result<Schemas, Vec<SpecError>> {
        Ok(Schemas {
            inner: Arc::new(Inner {
                version: spec.version,
                source: spec.document.clone(),
                translated: [OnceLock::new(), OnceLock::new()],
                registries: [OnceLock::new(), OnceLock::new()],
                cache: RwLock::new(HashMap::new()),
            }),
        })
    }

    /// Compiles every schema an operation of `spec` uses (parameters, bodies,
    /// response headers and bodies, callbacks, webhooks), in the direction it is
    /// used, and reports those that cannot be compiled.
    pub fn check_all(&self, spec: &Spec) -> Vec<SpecError> {
        let mut errors = Vec::new();
        let mut seen = HashSet::new();
        for (schema, direction) in used_schemas(spec) {
            if !seen.insert((schema.0.clone(), direction)) {
                continue;
            }
            if let Compiled::Broken(why) = &*self.compiled(&schema, direction) {
                errors.push(SpecError {
                    at: seam_core::source::SourceError::new(spec.locate(&schema.0), None, why),
                    pointer: schema.0.clone(),
                });
            }
        }
        errors
    }

    /// The translated document for a direction (what the validators see): for
    /// tests and for the generator, which wants the same view.
    pub fn translated(&self, direction: Direction) -> Arc<Value> {
        self.inner.translated[direction.index()]
            .get_or_init(|| Arc::new(translate(&self.inner.source, self.inner.version, direction)))
            .clone()
    }

    /// Validates a value against a schema; violations are located from the root of
    /// the value and are of kind [`ViolationKind::Body`].
    pub fn validate(
        &self,
        schema: &SchemaRef,
        direction: Direction,
        value: &Value,
    ) -> Vec<Violation> {
        self.validate_at(schema, direction, value, &[], ViolationKind::Body)
    }

    /// Whether a value is valid (no violations built).
    pub fn is_valid(&self, schema: &SchemaRef, direction: Direction, value: &Value) -> bool {
        match &*self.compiled(schema, direction) {
            Compiled::Ready(v) => v.is_valid(value),
            Compiled::Broken(_) => false,
        }
    }

    /// Validates a value; every violation's location starts with `prefix`
    /// (`["body"]`, `["query","limit"]`) and has `kind`.
    pub fn validate_at(
        &self,
        schema: &SchemaRef,
        direction: Direction,
        value: &Value,
        prefix: &[Segment],
        kind: ViolationKind,
    ) -> Vec<Violation> {
        self.violations(
            &self.compiled(schema, direction),
            schema,
            direction,
            value,
            prefix,
            kind,
        )
    }

    /// A [`SchemaCheck`] for a schema in a direction: what a hot path keeps
    /// (a mock checking each request) so that a check does not look the
    /// validator up again.
    pub fn check_for(&self, schema: &SchemaRef, direction: Direction) -> SchemaCheck {
        SchemaCheck {
            schema: schema.clone(),
            direction,
            compiled: OnceLock::new(),
        }
    }

    /// [`Schemas::validate_at`] with a [`SchemaCheck`] made by this `Schemas`.
    pub fn validate_with(
        &self,
        check: &SchemaCheck,
        value: &Value,
        prefix: &[Segment],
        kind: ViolationKind,
    ) -> Vec<Violation> {
        let compiled = check
            .compiled
            .get_or_init(|| self.compiled(&check.schema, check.direction));
        self.violations(
            compiled,
            &check.schema,
            check.direction,
            value,
            prefix,
            kind,
        )
    }

    fn violations(
        &self,
        compiled: &Compiled,
        schema: &SchemaRef,
        direction: Direction,
        value: &Value,
        prefix: &[Segment],
        kind: ViolationKind,
    ) -> Vec<Violation> {
        let validator = match compiled {
            Compiled::Ready(v) => v,
            Compiled::Broken(why) => {
                return vec![Violation::new(
                    kind,
                    prefix.to_vec(),
                    format!("the spec's schema here cannot be used for validation: {why}"),
                    format!("#{}", schema.pointer()),
                )]
            }
        };
        if validator.is_valid(value) {
            return Vec::new();
        }
        let doc = self.translated(direction);
        let mut out: Vec<Violation> = Vec::new();
        // The same rule seen directly and again through a discriminator branch
        // (a base schema's own keywords) is reported once.
        let mut seen: HashSet<(Vec<Segment>, String, String)> = HashSet::new();
        // jsonschema collects every error before the first is read: a value
        // of 100,000 nodes, each wrong, would cost a GB. A large value gets
        // its first violation only.
        let errors: Box<dyn Iterator<Item = jsonschema::ValidationError<'_>>> =
            if more_nodes_than(value, LARGE_VALUE) {
                Box::new(validator.validate(value).err().into_iter())
            } else {
                Box::new(validator.iter_errors(value))
            };
        for error in errors {
            // a value wrong in 100,000 places says so in a bounded answer
            if out.len() == MAX_VIOLATIONS {
                break;
            }
            let mut location = prefix.to_vec();
            location.extend(instance_segments(value, error.instance_path().as_str()));
            // A keyword's evaluation path starts at the compiled root's `$ref`;
            // a custom keyword's (`x-seam-*`) is already its place in the document.
            let path = error.evaluation_path().as_str();
            let start = if path.is_empty() || path.starts_with("/$ref") {
                schema.pointer()
            } else {
                ""
            };
            let place = locate(&doc, start, path);
            let plain = describe(&error);
            if !seen.insert((location.clone(), plain.clone(), place.pointer.clone())) {
                continue;
            }
            let message = match &place.discriminator {
                Some((property, value)) => {
                    format!("as `{value}` (discriminator `{property}`): {plain}")
                }
                None => plain,
            };
            out.push(Violation::new(
                kind,
                location,
                message,
                format!("#{}", place.pointer),
            ));
        }
        out
    }

    /// The translated document for a direction, registered for `$ref` resolution.
    fn registry(&self, direction: Direction) -> &Result<Registry<'static>, String> {
        self.inner.registries[direction.index()].get_or_init(|| {
            Registry::new()
                .draft(Draft::Draft202012)
                .add(DOC_URI, (*self.translated(direction)).clone())
                .and_then(|builder| builder.prepare())
                .map_err(|e| format!("the document cannot be read as JSON Schema: {e}"))
        })
    }

    fn compiled(&self, schema: &SchemaRef, direction: Direction) -> Arc<Compiled> {
        let key = (schema.pointer().to_string(), direction);
        if let Some(c) = self.inner.cache.read().expect("schema cache").get(&key) {
            return c.clone();
        }
        let doc = self.translated(direction);
        let compiled = Arc::new(match self.registry(direction) {
            Ok(registry) => build(&doc, registry, schema.pointer()),
            Err(why) => Compiled::Broken(why.clone()),
        });
        self.inner
            .cache
            .write()
            .expect("schema cache")
            .entry(key)
            .or_insert(compiled)
            .clone()
    }
}

/// One schema's validator in one direction, held where it is used (see
/// [`Schemas::check_for`]): compiled on its first check (or taken from the
/// `Schemas` cache), then used directly.
pub struct SchemaCheck {
    schema: SchemaRef,
    direction: Direction,
    compiled: OnceLock<Arc<Compiled>>,
}

impl SchemaCheck {
    /// The schema checked.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }
}

impl fmt::Debug for SchemaCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaCheck")
            .field("schema", &self.schema)
            .field("direction", &self.direction)
            .finish_non_exhaustive()
    }
}

/// Every (schema, direction) an operation uses.
fn used_schemas(spec: &Spec) -> Vec<(SchemaRef, Direction)> {
    fn operation(op: &crate::model::Operation, out: &mut Vec<(SchemaRef, Direction)>) {
        for p in &op.parameters {
            if let Some(s) = &p.schema {
                out.push((s.clone(), Direction::Request));
            }
        }
        if let Some(body) = &op.request_body {
            for m in &body.content {
                if let Some(s) = &m.schema {
                    out.push((s.clone(), Direction::Request));
                }
            }
        }
        for r in &op.responses {
            for h in &r.headers {
                if let Some(s) = &h.schema {
                    out.push((s.clone(), Direction::Response));
                }
            }
            for m in &r.content {
                if let Some(s) = &m.schema {
                    out.push((s.clone(), Direction::Response));
                }
            }
        }
        for cb in &op.callbacks {
            for op in &cb.operations {
                operation(op, out);
            }
        }
    }
    let mut out = Vec::new();
    for op in spec.operations.iter().chain(&spec.webhooks) {
        operation(op, &mut out);
    }
    out
}

/// Compiles the schema at `pointer` in a translated document, its `$ref`s
/// resolved through the document's registry.
fn build(doc: &Value, registry: &Registry<'static>, pointer: &str) -> Compiled {
    if doc.pointer(pointer).is_none() {
        return Compiled::Broken(format!("nothing at `#{pointer}`"));
    }
    let options = jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .with_registry(registry)
        .with_format("int32", |_: &str| true)
        .with_format("int64", |_: &str| true)
        .with_format("float", |_: &str| true)
        .with_format("double", |_: &str| true)
        .with_format("binary", |_: &str| true)
        .with_format("byte", is_base64)
        .with_keyword(RANGE, range_keyword)
        .with_keyword(FORBID, forbid_keyword);
    let root = json!({ "$ref": format!("{DOC_URI}#{}", fragment(pointer)) });
    match options.build(&root) {
        Ok(v) => Compiled::Ready(v),
        Err(e) => Compiled::Broken(compile_error(&e)),
    }
}

/// A JSON pointer as a URI fragment: characters a fragment cannot hold
/// (`{id}` in a path, spaces, non-ASCII) percent-encoded.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A compile error in plain words.
fn compile_error(e: &ValidationError<'_>) -> String {
    match e.kind() {
        ValidationErrorKind::Referencing(r) => {
            let text = r.to_string();
            let target = text.split('\'').nth(1).unwrap_or_default();
            let target = target.strip_prefix(DOC_URI).unwrap_or(target);
            let target = target.trim_start_matches('#');
            format!("a `$ref` cannot be resolved: nothing at `#{target}`")
        }
        _ => {
            let at = e.schema_path().as_str();
            let what = describe(e);
            if at.is_empty() {
                format!("the schema is not valid: {what}")
            } else {
                format!("the schema is not valid at `{at}`: {what}")
            }
        }
    }
}

fn is_base64(s: &str) -> bool {
    use base64::Engine;
    let trimmed: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(&trimmed)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(&trimmed))
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(&trimmed))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&trimmed))
        .is_ok()
}

/// `x-seam-range: "int32"`: a number within the format's range.
struct RangeKeyword {
    format: &'static str,
}

#[allow(clippy::result_large_err)] // the signature jsonschema asks for
fn range_keyword<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _location: Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let format = match value.as_str() {
        Some("int32") => "int32",
        Some("int64") => "int64",
        Some("float") => "float",
        _ => "double",
    };
    Ok(Box::new(RangeKeyword { format }))
}

impl<'i> Keyword<'i> for RangeKeyword {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        let message = match self.format {
            "int32" => "must be a 32-bit integer (from -2147483648 to 2147483647)",
            "int64" => {
                "must be a 64-bit integer (from -9223372036854775808 to 9223372036854775807)"
            }
            "float" => "must fit a 32-bit float",
            _ => "must be a number",
        };
        Err(ValidationError::custom(message))
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        let Value::Number(n) = instance else {
            return true;
        };
        match self.format {
            "int32" => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => i32::try_from(i).is_ok(),
                (None, Some(_)) => false,
                _ => n.as_f64().is_some_and(|f| {
                    f.fract() != 0.0 || (f >= i32::MIN as f64 && f <= i32::MAX as f64)
                }),
            },
            "int64" => match (n.as_i64(), n.as_u64()) {
                (Some(_), _) => true,
                (None, Some(_)) => false,
                _ => n.as_f64().is_some_and(|f| {
                    f.fract() != 0.0 || (f >= i64::MIN as f64 && f < i64::MAX as f64)
                }),
            },
            "float" => n.as_f64().is_some_and(|f| f.abs() <= f32::MAX as f64),
            _ => true,
        }
    }
}

/// `x-seam-forbid: "read-only"`: a property that must not be sent this way.
struct ForbidKeyword {
    message: &'static str,
}

#[allow(clippy::result_large_err)] // the signature jsonschema asks for
fn forbid_keyword<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _location: Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let message = match value.as_str() {
        Some("read-only") => "is read-only: it must not be sent in a request",
        _ => "is write-only: it must not be sent in a response",
    };
    Ok(Box::new(ForbidKeyword { message }))
}

impl<'i> Keyword<'i> for ForbidKeyword {
    fn validate(&self, _instance: &'i Value) -> Result<(), ValidationError<'i>> {
        Err(ValidationError::custom(self.message))
    }

    fn is_valid(&self, _instance: &'i Value) -> bool {
        false
    }
}

/// A JSON pointer into `value` as location segments (array indexes as numbers).
fn instance_segments(value: &Value, pointer: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut at = Some(value);
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let index = match at {
            Some(Value::Array(_)) => token.parse::<usize>().ok(),
            _ => None,
        };
        match index {
            Some(i) => {
                at = at.and_then(|v| v.get(i));
                out.push(Segment::Index(i));
            }
            None => {
                at = at.and_then(|v| v.get(&token));
                out.push(Segment::Key(token));
            }
        }
    }
    out
}

/// Where a failing keyword is in the spec, found by following the error's
/// keyword path through the translated document.
struct Place {
    /// JSON pointer in the document as loaded (without `#`).
    pointer: String,
    /// The discriminator branch the keyword is in: (property, value).
    discriminator: Option<(String, String)>,
}

fn locate(doc: &Value, start: &str, schema_path: &str) -> Place {
    let mut tokens = schema_path.split('/').skip(1).peekable();
    // The compiled root is `{"$ref": <start>}`.
    if tokens.peek() == Some(&"$ref") {
        tokens.next();
    }
    let mut current = start.to_string();
    let mut discriminator = None;
    let mut synthetic = false;
    let mut anchor = start.to_string();
    for token in tokens {
        if token == "$ref" {
            let target = doc
                .pointer(&current)
                .and_then(|n| n.get("$ref"))
                .and_then(Value::as_str)
                .map(ref_pointer);
            match target {
                Some(t) => {
                    current = t;
                    synthetic = false;
                    anchor = current.clone();
                    continue;
                }
                None => break,
            }
        }
        current.push('/');
        current.push_str(token);
        if let Some(node) = doc.pointer(&current) {
            let marked = node.get(WHEN).is_some() || node.get(DISCRIMINATOR).is_some();
            if marked && !synthetic {
                // `<schema>/allOf/<n>`: the discriminator of `<schema>`.
                let mut parts: Vec<&str> = current.rsplitn(3, '/').collect();
                anchor = parts.pop().unwrap_or_default().to_string();
            }
            if let Some(when) = node.get(WHEN) {
                discriminator = Some((
                    when.get("property")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    when.get("value")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                ));
                synthetic = true;
            } else if node.get(DISCRIMINATOR).is_some() {
                synthetic = true;
            }
        }
        if !synthetic {
            anchor.clone_from(&current);
        }
    }
    let pointer = if synthetic {
        format!("{anchor}/discriminator")
    } else {
        current
    };
    Place {
        pointer: unalias(doc, &original_pointer(&pointer)),
        discriminator,
    }
}

/// A `$ref` value as a pointer into the document (`#/a/b` or `urn..#/a/b` → `/a/b`).
fn ref_pointer(r: &str) -> String {
    match r.split_once('#') {
        Some((_, p)) => p.to_string(),
        None => String::new(),
    }
}

/// Maps a pointer under a map of schemas that a `$ref` stood for (see
/// [`ALIASES`]) to the map it names.
fn unalias(doc: &Value, pointer: &str) -> String {
    let Some(Value::Object(aliases)) = doc.get(ALIASES) else {
        return pointer.to_string();
    };
    for (from, to) in aliases {
        if let (Some(rest), Some(to)) = (pointer.strip_prefix(from.as_str()), to.as_str()) {
            if rest.is_empty() || rest.starts_with('/') {
                return format!("{to}{rest}");
            }
        }
    }
    pointer.to_string()
}

/// Maps a pointer into a translated base copy back to the schema it copies.
fn original_pointer(pointer: &str) -> String {
    let prefix = format!("/{BASE_COPIES}/");
    match pointer.strip_prefix(&prefix) {
        Some(rest) => {
            let (token, tail) = match rest.split_once('/') {
                Some((t, tail)) => (t, format!("/{tail}")),
                None => (rest, String::new()),
            };
            let original = token.replace("~1", "/").replace("~0", "~");
            format!("{original}{tail}")
        }
        None => pointer.to_string(),
    }
}

/// A value named for a message: `the string "x"`, `the number 3`, `an object`.
pub fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => {
            let shown: String = s.chars().take(60).collect();
            let more = if shown.len() < s.len() { "…" } else { "" };
            format!("the string {}{more}", Value::String(shown))
        }
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(60).collect();
        format!("{cut}…")
    } else {
        text
    }
}

fn with_article(t: &str) -> String {
    match t {
        "integer" | "array" | "object" => format!("an {t}"),
        "null" => "null".into(),
        _ => format!("a {t}"),
    }
}

fn names(list: &[String]) -> String {
    list.iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An error in plain words.
fn describe(error: &ValidationError<'_>) -> String {
    let instance = &**error.instance();
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => with_article(&t.to_string()),
                TypeKind::Multiple(set) => {
                    let mut all: Vec<String> = (*set).into_iter().map(|t| t.to_string()).collect();
                    // `null` reads best last: "a string or null".
                    all.sort_by_key(|t| t == "null");
                    let all: Vec<String> = all.iter().map(|t| with_article(t)).collect();
                    match all.split_last() {
                        Some((last, rest)) if !rest.is_empty() => {
                            format!("{} or {last}", rest.join(", "))
                        }
                        _ => all.join(""),
                    }
                }
            };
            format!("expected {expected}, got {}", describe_value(instance))
        }
        ValidationErrorKind::Required { property } => format!(
            "missing required property `{}`",
            property
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| property.to_string())
        ),
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            match unexpected.as_slice() {
                [one] => format!("property `{one}` is not allowed"),
                many => format!("properties {} are not allowed", names(many)),
            }
        }
        ValidationErrorKind::UnevaluatedItems { unexpected } => {
            format!("items {} are not allowed", unexpected.join(", "))
        }
        ValidationErrorKind::AdditionalItems { limit } => {
            format!("must have at most {limit} items")
        }
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!("must be greater than {limit}"),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!("must be less than {limit}"),
        ValidationErrorKind::MinLength { limit } => format!(
            "must be at least {limit} character{} long",
            if *limit == 1 { "" } else { "s" }
        ),
        ValidationErrorKind::MaxLength { limit } => format!(
            "must be at most {limit} character{} long",
            if *limit == 1 { "" } else { "s" }
        ),
        ValidationErrorKind::MinItems { limit } => {
            format!(
                "must have at least {limit} item{}",
                if *limit == 1 { "" } else { "s" }
            )
        }
        ValidationErrorKind::MaxItems { limit } => {
            format!(
                "must have at most {limit} item{}",
                if *limit == 1 { "" } else { "s" }
            )
        }
        ValidationErrorKind::MinProperties { limit } => format!(
            "must have at least {limit} propert{}",
            if *limit == 1 { "y" } else { "ies" }
        ),
        ValidationErrorKind::MaxProperties { limit } => format!(
            "must have at most {limit} propert{}",
            if *limit == 1 { "y" } else { "ies" }
        ),
        ValidationErrorKind::Enum { options } => {
            let listed = match &**options {
                Value::Array(items) => items.iter().map(short).collect::<Vec<_>>().join(", "),
                other => short(other),
            };
            format!("{} is not one of {listed}", short(instance))
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("must be exactly {}", short(expected_value))
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("{} does not match the pattern `{pattern}`", short(instance))
        }
        ValidationErrorKind::Format { format } => {
            format!("{} is not a valid {format}", short(instance))
        }
        ValidationErrorKind::MultipleOf { multiple_of } => {
            format!("must be a multiple of {multiple_of}")
        }
        ValidationErrorKind::UniqueItems => "items must be unique".into(),
        ValidationErrorKind::AnyOf { .. } => {
            "does not match any of the allowed schemas (anyOf)".into()
        }
        ValidationErrorKind::OneOfNotValid { .. } => {
            "does not match any of the schemas in oneOf".into()
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "matches more than one of the schemas in oneOf".into()
        }
        ValidationErrorKind::Not { .. } => "must not match the schema under `not`".into(),
        ValidationErrorKind::FalseSchema => "is not allowed here".into(),
        ValidationErrorKind::Contains => "has no item matching the `contains` schema".into(),
        ValidationErrorKind::PropertyNames { error } => {
            format!(
                "property name {} is not allowed: {}",
                short(error.instance()),
                describe(error)
            )
        }
        ValidationErrorKind::Custom { message, .. } => message.clone(),
        ValidationErrorKind::ContentEncoding { content_encoding } => {
            format!("is not valid {content_encoding}")
        }
        ValidationErrorKind::ContentMediaType { content_media_type } => {
            format!("is not valid {content_media_type}")
        }
        ValidationErrorKind::FromUtf8 { .. } => "is not valid UTF-8".into(),
        ValidationErrorKind::BacktrackLimitExceeded { .. }
        | ValidationErrorKind::RegexEngineFailure { .. } => {
            "cannot be checked: the pattern is too complex".into()
        }
        ValidationErrorKind::Referencing(_) => "a `$ref` in the spec cannot be resolved".into(),
    }
}

// ---------------------------------------------------------------------------
// Translation
// ---------------------------------------------------------------------------

/// Keywords whose value is one subschema.
const ONE_SCHEMA: &[&str] = &[
    "additionalProperties",
    "items",
    "additionalItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
];
/// Keywords whose value is a map of subschemas.
const MAP_OF_SCHEMAS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];
/// Keywords whose value is a list of subschemas.
const LIST_OF_SCHEMAS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// The document as the validators see it for one direction (see the module doc).
pub fn translate(doc: &Value, version: SpecVersion, direction: Direction) -> Value {
    let mut t = Translator {
        root: doc,
        v30: !version.is_json_schema_2020(),
        direction,
        bases: discriminator_bases(doc),
        copies: Map::new(),
        aliases: Map::new(),
    };
    let mut out = t.document(doc, "");
    // Base copies: a discriminator base schema as seen by its children (no dispatch).
    let mut pending: Vec<String> = t.bases.keys().cloned().collect();
    pending.sort();
    for pointer in pending {
        if let Some(schema) = doc.pointer(&pointer) {
            let copy = t.schema_inner(schema, &pointer, false);
            t.copies.insert(pointer.clone(), copy);
        }
    }
    if let Value::Object(map) = &mut out {
        map.insert(
            BASE_COPIES.into(),
            Value::Object(std::mem::take(&mut t.copies)),
        );
        if !t.aliases.is_empty() {
            map.insert(
                ALIASES.into(),
                Value::Object(std::mem::take(&mut t.aliases)),
            );
        }
    }
    out
}

struct Translator<'a> {
    root: &'a Value,
    v30: bool,
    direction: Direction,
    /// Discriminator base schemas (a discriminator without oneOf/anyOf), by
    /// pointer: their (value → child pointer) mapping.
    bases: HashMap<String, Vec<(String, String)>>,
    copies: Map<String, Value>,
    /// Maps of schemas read through a `$ref` (see [`ALIASES`]).
    aliases: Map<String, Value>,
}

/// Every schema under `components/schemas` that carries a discriminator without
/// `oneOf`/`anyOf` (inheritance: children `allOf` it), with its mapping: the
/// explicit `mapping`, then each child by its name.
fn discriminator_bases(doc: &Value) -> HashMap<String, Vec<(String, String)>> {
    let mut out = HashMap::new();
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return out;
    };
    for (name, schema) in schemas {
        let Some(d) = schema.get("discriminator") else {
            continue;
        };
        if schema.get("oneOf").is_some() || schema.get("anyOf").is_some() {
            continue;
        }
        let pointer = format!("/components/schemas/{}", escape_token(name));
        let mut mapping = explicit_mapping(d);
        let mapped: HashSet<String> = mapping.iter().map(|(_, p)| p.clone()).collect();
        for (child_name, child) in schemas {
            let is_child = child
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|all| {
                    all.iter().any(|s| {
                        s.get("$ref")
                            .and_then(Value::as_str)
                            .map(ref_pointer)
                            .as_deref()
                            == Some(pointer.as_str())
                    })
                });
            let child_pointer = format!("/components/schemas/{}", escape_token(child_name));
            if is_child && !mapped.contains(&child_pointer) {
                mapping.push((child_name.clone(), child_pointer));
            }
        }
        out.insert(pointer, mapping);
    }
    out
}

/// `discriminator.mapping`: value → schema pointer (a bare name means a component schema).
fn explicit_mapping(discriminator: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(m) = discriminator.get("mapping").and_then(Value::as_object) {
        for (value, target) in m {
            if let Some(t) = target.as_str() {
                let pointer = if t.contains('#') {
                    ref_pointer(t)
                } else {
                    format!("/components/schemas/{}", escape_token(t))
                };
                out.push((value.clone(), pointer));
            }
        }
    }
    out
}

impl<'a> Translator<'a> {
    /// A non-schema part of the document: schemas are found under `schema` keys
    /// and `components/schemas`; examples and extensions are copied as they are.
    fn document(&mut self, v: &Value, pointer: &str) -> Value {
        match v {
            Value::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, child) in map {
                    let p = format!("{pointer}/{}", escape_token(k));
                    let t = if k == "schema" && child.is_object() {
                        self.schema(child, &p)
                    } else if k == "schemas" && pointer == "/components" {
                        match child {
                            Value::Object(all) => Value::Object(
                                all.iter()
                                    .map(|(n, s)| {
                                        let sp = format!("{p}/{}", escape_token(n));
                                        (n.clone(), self.schema(s, &sp))
                                    })
                                    .collect(),
                            ),
                            other => other.clone(),
                        }
                    } else if k.starts_with("x-") || k == "example" || k == "examples" {
                        child.clone()
                    } else {
                        self.document(child, &p)
                    };
                    out.insert(k.clone(), t);
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, c)| self.document(c, &format!("{pointer}/{i}")))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn schema(&mut self, v: &Value, pointer: &str) -> Value {
        self.schema_inner(v, pointer, true)
    }

    /// One schema (and its subschemas). `dispatch`: whether a discriminator here
    /// selects the mapped schema (false for a base schema's copy seen by its children).
    fn schema_inner(&mut self, v: &Value, pointer: &str, dispatch: bool) -> Value {
        let Value::Object(map) = v else {
            return v.clone();
        };
        // 3.0: a `$ref` replaces its siblings (a `nullable` beside it is honoured).
        if self.v30 {
            if let Some(r) = map.get("$ref") {
                let target = self.child_ref(r);
                let reference = json!({ "$ref": target });
                return if map.get("nullable") == Some(&Value::Bool(true)) {
                    json!({ "anyOf": [reference, { "type": "null" }] })
                } else {
                    reference
                };
            }
        }
        let mut out = Map::with_capacity(map.len());
        for (k, child) in map {
            let p = format!("{pointer}/{}", escape_token(k));
            if k.starts_with("x-") {
                if !self.v30 && !k.starts_with("x-seam-") {
                    out.insert(k.clone(), child.clone());
                }
                continue;
            }
            if self.v30
                && matches!(
                    k.as_str(),
                    "example" | "nullable" | "$id" | "$schema" | "discriminator"
                )
            {
                continue;
            }
            let t = if k == "$ref" {
                Value::String(self.child_ref(child))
            } else if ONE_SCHEMA.contains(&k.as_str()) && (child.is_object() || child.is_boolean())
            {
                self.schema(child, &p)
            } else if MAP_OF_SCHEMAS.contains(&k.as_str()) {
                // A `$ref` standing for the whole map (`properties: {$ref: ...}`,
                // as DigitalOcean writes it) is read as the map it names.
                let (map, at) = match self.map_ref(child) {
                    Some((target, at)) => {
                        self.aliases.insert(p.clone(), Value::String(at.clone()));
                        (target, at)
                    }
                    None => (child, p.clone()),
                };
                match map {
                    Value::Object(m) => Value::Object(
                        m.iter()
                            .map(|(n, s)| {
                                let sp = format!("{at}/{}", escape_token(n));
                                (n.clone(), self.schema(s, &sp))
                            })
                            .collect(),
                    ),
                    other => other.clone(),
                }
            } else if LIST_OF_SCHEMAS.contains(&k.as_str()) || (k == "items" && child.is_array()) {
                match child {
                    Value::Array(items) => Value::Array(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, s)| self.schema(s, &format!("{p}/{i}")))
                            .collect(),
                    ),
                    other => other.clone(),
                }
            } else {
                child.clone()
            };
            out.insert(k.clone(), t);
        }
        // `required` listing a name twice (OpenAI's ContainerResource): once
        if let Some(Value::Array(required)) = out.get_mut("required") {
            let mut once: Vec<Value> = Vec::with_capacity(required.len());
            for name in required.drain(..) {
                if !once.contains(&name) {
                    once.push(name);
                }
            }
            *required = once;
        }
        self.exclusive_bounds(&mut out);
        self.formats(&mut out);
        self.direction_rules(&mut out);
        if dispatch {
            self.discriminator(&mut out, pointer);
        }
        if self.v30 && map.get("nullable") == Some(&Value::Bool(true)) {
            return nullable(out);
        }
        Value::Object(out)
    }

    /// The map a `{"$ref": "#/..."}` names where a map of schemas is expected,
    /// with its pointer (chains of such refs followed, a few steps at most).
    fn map_ref<'v>(&self, v: &'v Value) -> Option<(&'a Value, String)>
    where
        'a: 'v,
    {
        let mut at = v;
        let mut found = None;
        for _ in 0..8 {
            let Value::Object(m) = at else { break };
            let Some(Value::String(r)) = m.get("$ref") else {
                break;
            };
            if m.len() != 1 || !r.starts_with('#') {
                break;
            }
            let pointer = ref_pointer(r);
            let target = self.root.pointer(&pointer)?;
            found = Some((target, pointer));
            at = target;
        }
        found.filter(|(target, _)| target.get("$ref").is_none())
    }

    /// A `$ref` inside a schema; a child's reference to its discriminator base
    /// goes to the base's copy (no dispatch, no loop).
    fn child_ref(&self, r: &Value) -> String {
        let Some(text) = r.as_str() else {
            return r.to_string();
        };
        if !text.starts_with('#') {
            return text.to_string();
        }
        let pointer = ref_pointer(text);
        if self.bases.contains_key(&pointer) {
            format!("#/{BASE_COPIES}/{}", escape_token(&pointer))
        } else {
            text.to_string()
        }
    }

    /// Boolean `exclusiveMinimum`/`exclusiveMaximum` (3.0) → the numeric form.
    fn exclusive_bounds(&self, out: &mut Map<String, Value>) {
        for (flag, bound) in [
            ("exclusiveMinimum", "minimum"),
            ("exclusiveMaximum", "maximum"),
        ] {
            match out.get(flag) {
                Some(Value::Bool(true)) => {
                    out.remove(flag);
                    if let Some(b) = out.remove(bound) {
                        out.insert(flag.into(), b);
                    }
                }
                Some(Value::Bool(false)) => {
                    out.remove(flag);
                }
                _ => {}
            }
        }
    }

    /// Number formats → a range check (formats only apply to strings in JSON Schema).
    fn formats(&self, out: &mut Map<String, Value>) {
        if let Some(f @ ("int32" | "int64" | "float")) = out.get("format").and_then(Value::as_str) {
            let f = f.to_string();
            out.insert(RANGE.into(), Value::String(f));
        }
    }

    /// readOnly properties in a request, writeOnly ones in a response: not
    /// required, and not to be sent.
    fn direction_rules(&self, out: &mut Map<String, Value>) {
        let flag = match self.direction {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        };
        let Some(Value::Object(props)) = out.get("properties") else {
            return;
        };
        let hidden: Vec<String> = props
            .iter()
            .filter(|(_, s)| self.flagged(s, flag))
            .map(|(n, _)| n.clone())
            .collect();
        if hidden.is_empty() {
            return;
        }
        if let Some(Value::Array(required)) = out.get_mut("required") {
            required.retain(|r| !r.as_str().is_some_and(|r| hidden.iter().any(|h| h == r)));
        }
        let forbid = match self.direction {
            Direction::Request => "read-only",
            Direction::Response => "write-only",
        };
        if let Some(Value::Object(props)) = out.get_mut("properties") {
            for name in &hidden {
                props.insert(name.clone(), json!({ FORBID: forbid }));
            }
        }
    }

    /// Whether a property schema (or the schema its `$ref` names) sets `flag`.
    fn flagged(&self, schema: &Value, flag: &str) -> bool {
        if schema.get(flag) == Some(&Value::Bool(true)) {
            return true;
        }
        let target = schema
            .get("$ref")
            .and_then(Value::as_str)
            .filter(|r| r.starts_with('#'))
            .and_then(|r| self.root.pointer(&ref_pointer(r)));
        target.is_some_and(|t| t.get(flag) == Some(&Value::Bool(true)))
    }

    /// `discriminator`: the mapped schema is the one validated.
    fn discriminator(&mut self, out: &mut Map<String, Value>, pointer: &str) {
        let Some(d) = self
            .root
            .pointer(pointer)
            .and_then(|s| s.get("discriminator"))
        else {
            return;
        };
        let Some(property) = d.get("propertyName").and_then(Value::as_str) else {
            return;
        };
        let property = property.to_string();
        let mut mapping: Vec<(String, String)>;
        let choice = ["oneOf", "anyOf"]
            .into_iter()
            .find(|k| out.contains_key(*k));
        if let Some(choice) = choice {
            mapping = explicit_mapping(d);
            let mapped: HashSet<String> = mapping.iter().map(|(_, p)| p.clone()).collect();
            // Implicit: each `$ref`ed alternative by the values it declares
            // for the property itself (`enum`/`const`, as OpenAI's event
            // schemas do), else by its component name.
            if let Some(Value::Array(alternatives)) =
                self.root.pointer(pointer).and_then(|s| s.get(choice))
            {
                for alt in alternatives {
                    let Some(target) = alt.get("$ref").and_then(Value::as_str).map(ref_pointer)
                    else {
                        continue;
                    };
                    if mapped.contains(&target) {
                        continue;
                    }
                    let mut values = self.declared_values(&target, &property);
                    values.retain(|v| !mapping.iter().any(|(taken, _)| taken == v));
                    if values.is_empty() {
                        let name = target.rsplit('/').next().unwrap_or_default();
                        values.push(name.replace("~1", "/").replace("~0", "~"));
                    }
                    for value in values {
                        if !mapping.iter().any(|(v, _)| *v == value) {
                            mapping.push((value, target.clone()));
                        }
                    }
                }
            }
            if mapping.is_empty() {
                return;
            }
            out.remove(choice);
        } else {
            match self.bases.get(pointer) {
                Some(m) if !m.is_empty() => mapping = m.clone(),
                _ => return,
            }
        }
        let values: Vec<Value> = mapping
            .iter()
            .map(|(v, _)| Value::String(v.clone()))
            .collect();
        let mut all = match out.remove("allOf") {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        };
        all.push(json!({
            DISCRIMINATOR: property,
            "required": [property],
            "properties": { property.clone(): { "enum": values } },
        }));
        for (value, target) in &mapping {
            let reference = if self.bases.contains_key(target) {
                format!("#/{BASE_COPIES}/{}", escape_token(target))
            } else {
                format!("#{target}")
            };
            all.push(json!({
                "if": { "required": [property], "properties": { property.clone(): { "const": value } } },
                "then": { WHEN: { "property": property, "value": value }, "$ref": reference },
            }));
        }
        out.insert("allOf".into(), Value::Array(all));
    }
}

impl Translator<'_> {
    /// The string values the schema at `target` allows for `property`
    /// (its `const` or `enum`, directly or in an `allOf` member), `$ref`s
    /// followed one step.
    fn declared_values(&self, target: &str, property: &str) -> Vec<String> {
        self.declared_values_within(target, property, 0)
    }

    /// [`Translator::declared_values`]; a union (`oneOf`/`anyOf` of `$ref`s,
    /// as OpenAI's `Item`) declares its branches' values, `depth` deep.
    fn declared_values_within(&self, target: &str, property: &str, depth: usize) -> Vec<String> {
        let resolve = |v: &'_ Value| -> Option<Value> {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) if r.starts_with('#') => self.root.pointer(&ref_pointer(r)).cloned(),
                Some(_) => None,
                None => Some(v.clone()),
            }
        };
        let own = |schema: &Value| -> Vec<String> {
            let Some(p) = schema
                .get("properties")
                .and_then(|ps| ps.get(property))
                .and_then(&resolve)
            else {
                return Vec::new();
            };
            match (p.get("const"), p.get("enum")) {
                (Some(Value::String(c)), _) => vec![c.clone()],
                (_, Some(Value::Array(options))) => options
                    .iter()
                    .filter_map(|o| o.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let Some(schema) = self.root.pointer(target) else {
            return Vec::new();
        };
        let direct = own(schema);
        if !direct.is_empty() {
            return direct;
        }
        if depth < 3 {
            let union: Vec<String> = ["oneOf", "anyOf"]
                .iter()
                .filter_map(|k| schema.get(*k).and_then(Value::as_array))
                .flatten()
                .filter_map(|b| b.get("$ref").and_then(Value::as_str))
                .filter(|r| r.starts_with('#'))
                .flat_map(|r| self.declared_values_within(&ref_pointer(r), property, depth + 1))
                .collect();
            if !union.is_empty() {
                return union;
            }
        }
        // an `allOf` member: one written in place first, then one `$ref`ed,
        // unless that is a discriminator's base (its values are every branch's)
        let Some(Value::Array(members)) = schema.get("allOf") else {
            return Vec::new();
        };
        let inline = members.iter().filter(|m| m.get("$ref").is_none()).cloned();
        let referenced = members
            .iter()
            .filter(|m| m.get("$ref").is_some())
            .filter_map(&resolve)
            .filter(|m| m.get("discriminator").is_none());
        inline
            .chain(referenced)
            .map(|m| own(&m))
            .find(|v| !v.is_empty())
            .unwrap_or_default()
    }
}

/// A 3.0 `nullable: true` schema: null is also allowed.
fn nullable(mut out: Map<String, Value>) -> Value {
    if let Some(Value::Array(options)) = out.get_mut("enum") {
        if !options.contains(&Value::Null) {
            options.push(Value::Null);
        }
    }
    match out.get("type").cloned() {
        Some(Value::String(t)) => {
            out.insert("type".into(), json!([t, "null"]));
            Value::Object(out)
        }
        Some(Value::Array(mut ts)) => {
            if !ts.contains(&json!("null")) {
                ts.push(json!("null"));
            }
            out.insert("type".into(), Value::Array(ts));
            Value::Object(out)
        }
        _ => json!({ "anyOf": [{ "type": "null" }, Value::Object(out)] }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_pointer_becomes_segments() {
        let v = json!({"items": [{"qty": 1}], "a/b": 1});
        assert_eq!(
            instance_segments(&v, "/items/0/qty"),
            vec![
                Segment::from("items"),
                Segment::Index(0),
                Segment::from("qty")
            ]
        );
        assert_eq!(instance_segments(&v, "/a~1b"), vec![Segment::from("a/b")]);
    }

    #[test]
    fn base_copy_pointers_map_back() {
        assert_eq!(
            original_pointer("/x-seam-base/~1components~1schemas~1Pet/properties/name"),
            "/components/schemas/Pet/properties/name"
        );
        assert_eq!(original_pointer("/components/x"), "/components/x");
    }

    #[test]
    fn nullable_enum_gains_null() {
        let m = json!({"type": "string", "enum": ["a"]});
        let Value::Object(m) = m else { unreachable!() };
        assert_eq!(
            nullable(m),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }
}
