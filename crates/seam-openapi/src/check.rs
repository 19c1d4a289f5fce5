//! The structural checks `seam openapi validate` reports: unresolved refs, duplicate operationIds, undeclared path parameters, ...
//!
//! One walk over a document as written ([`check_document`]), per version:
//! required fields, the type of every field, unknown fields where the spec
//! allows only `x-` extensions, fields of a newer version, status keys,
//! parameter locations and styles, path templates against their parameters,
//! duplicate operationIds and parameters, conflicting paths, security
//! requirements naming undefined schemes, schemas (types, keywords of the
//! version, patterns that do not compile). Each problem is a JSON pointer into
//! the document and a message in plain words; [`check`] and [`lint`] position
//! them in the spec's files. Swagger 2.0 documents are checked by
//! [`crate::swagger2::convert`] before they are converted, so their errors
//! point into the file as written.

use crate::model::{escape_token, pointer_join, Spec, SpecError, SpecVersion};
use seam_core::source::{did_you_mean, kind_of};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

/// One problem found in a document: where (a JSON pointer, `#/paths/~1pets/get`)
/// and what, in plain words. Warnings do not make the document invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
    pub warning: bool,
}

/// The structural errors of a loaded spec, each positioned in its file. A
/// Swagger 2.0 spec was checked as 2.0 before its conversion (an error there
/// stops the load), so only what the loader could not see is left.
pub fn check(spec: &Spec) -> Vec<SpecError> {
    positioned(spec, false)
}

/// What is not wrong enough to refuse a spec but probably a mistake: fields
/// beside a 3.0 `$ref` (ignored), unknown schema keywords, examples that do
/// not fit their schema, ...
pub fn lint(spec: &Spec) -> Vec<SpecError> {
    let mut out = positioned(spec, true);
    out.extend(
        examples::misfits(spec)
            .into_iter()
            .map(|(pointer, message)| spec.sources.error(&place(spec, &pointer), message)),
    );
    // a converted 2.0 document repeats a schema per media type
    let mut seen = BTreeSet::new();
    out.retain(|e| seen.insert((e.pointer.clone(), e.at.message.clone())));
    out
}

/// Where a pointer into the spec's document was written: itself, or for a
/// converted Swagger 2.0 document, the 2.0 place it came from.
fn place(spec: &Spec, pointer: &str) -> String {
    if spec.version == SpecVersion::Swagger2 {
        crate::swagger2::original_pointer(pointer)
    } else {
        pointer.to_string()
    }
}

fn positioned(spec: &Spec, warnings: bool) -> Vec<SpecError> {
    // a 2.0 document was checked as 2.0 before its conversion: its errors
    // stopped the load, its warnings are the spec's own (`Spec::warnings`)
    if spec.version == SpecVersion::Swagger2 {
        return vec![];
    }
    // a converted 2.0 document is 3.0 by now
    let version = match spec.version {
        SpecVersion::Swagger2 => SpecVersion::V30,
        v => v,
    };
    check_document(&spec.document, version)
        .into_iter()
        .filter(|p| p.warning == warnings)
        .map(|p| spec.sources.error(&place(spec, &p.pointer), &p.message))
        .collect()
}

/// Examples that do not fit their schemas (warnings: a wrong example misleads
/// readers and mocks, but the API is what the schema says).
mod examples {
    use crate::model::SchemaRef;
    use crate::model::{Example, Spec};
    use crate::schema::{Direction, Schemas, Segment};
    use serde_json::Value;
    use std::collections::BTreeSet;

    /// `(pointer, message)` for each example that fits no direction of its schema.
    pub(super) fn misfits(spec: &Spec) -> Vec<(String, String)> {
        let Ok(schemas) = Schemas::compile(spec) else {
            return vec![];
        };
        let mut out = vec![];
        let mut walked = BTreeSet::new();
        let doc = &spec.document;
        // schema-level `example`s: once, where the schema is written
        if let Some(Value::Object(all)) = doc.pointer("/components/schemas") {
            for name in all.keys() {
                let at = crate::model::pointer_join("#/components/schemas", name);
                walk(spec, &schemas, &at, 0, &mut walked, &mut out);
            }
        }
        let ops = spec.operations.iter().chain(&spec.webhooks).chain(
            spec.operations
                .iter()
                .flat_map(|o| o.callbacks.iter().flat_map(|c| c.operations.iter())),
        );
        for op in ops {
            for p in &op.parameters {
                if let Some(schema) = &p.schema {
                    walk(spec, &schemas, &schema.0, 0, &mut walked, &mut out);
                    if p.content_type.is_none() {
                        fits(
                            spec,
                            &schemas,
                            schema,
                            &p.examples,
                            &p.pointer,
                            Some(Direction::Request),
                            &mut out,
                        );
                    }
                }
            }
            let bodies = op
                .request_body
                .iter()
                .flat_map(|b| b.content.iter().map(|m| (m, Direction::Request)))
                .chain(
                    op.responses
                        .iter()
                        .flat_map(|r| r.content.iter().map(|m| (m, Direction::Response))),
                );
            for (media, direction) in bodies {
                if let Some(schema) = &media.schema {
                    walk(spec, &schemas, &schema.0, 0, &mut walked, &mut out);
                    if is_json(&media.media_type) {
                        fits(
                            spec,
                            &schemas,
                            schema,
                            &media.examples,
                            &media.pointer,
                            Some(direction),
                            &mut out,
                        );
                    }
                }
            }
        }
        out
    }

    fn is_json(media: &str) -> bool {
        let m = media
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        m == "application/json" || m.ends_with("+json") || m == "*/*"
    }

    /// Every schema node under `at` (not following `$ref`s) with an `example`.
    fn walk(
        spec: &Spec,
        schemas: &Schemas,
        at: &str,
        depth: usize,
        walked: &mut BTreeSet<String>,
        out: &mut Vec<(String, String)>,
    ) {
        if depth > 64 || !walked.insert(at.to_string()) {
            return;
        }
        let Some(Value::Object(node)) = spec.document.pointer(at.trim_start_matches('#')) else {
            return;
        };
        if node.contains_key("$ref") {
            return;
        }
        if let Some(example) = node.get("example") {
            let one = [Example {
                name: "example".into(),
                summary: None,
                value: Some(example.clone()),
                external_value: None,
            }];
            fits(
                spec,
                schemas,
                &SchemaRef(at.to_string()),
                &one,
                at,
                None,
                out,
            );
        }
        for (key, value) in node {
            match (key.as_str(), value) {
                ("properties", Value::Object(props)) => {
                    for name in props.keys() {
                        let p = crate::model::pointer_join(&format!("{at}/properties"), name);
                        walk(spec, schemas, &p, depth + 1, walked, out);
                    }
                }
                ("allOf" | "anyOf" | "oneOf", Value::Array(list)) => {
                    for i in 0..list.len() {
                        walk(
                            spec,
                            schemas,
                            &format!("{at}/{key}/{i}"),
                            depth + 1,
                            walked,
                            out,
                        );
                    }
                }
                ("items" | "additionalProperties" | "not", Value::Object(_)) => {
                    walk(
                        spec,
                        schemas,
                        &format!("{at}/{key}"),
                        depth + 1,
                        walked,
                        out,
                    );
                }
                _ => {}
            }
        }
    }

    /// Each example value checked against the schema (in `direction`, or in
    /// either when a schema is not tied to one).
    fn fits(
        spec: &Spec,
        schemas: &Schemas,
        schema: &SchemaRef,
        examples: &[Example],
        at: &str,
        direction: Option<Direction>,
        out: &mut Vec<(String, String)>,
    ) {
        let written = spec.document.pointer(at.trim_start_matches('#'));
        for example in examples {
            let Some(value) = &example.value else {
                continue;
            };
            let directions = match direction {
                Some(d) => vec![d],
                None => vec![Direction::Response, Direction::Request],
            };
            let mut violations = vec![];
            for d in directions {
                violations = schemas.validate(schema, d, value);
                if violations.is_empty() {
                    break;
                }
            }
            let Some(first) = violations.first() else {
                continue;
            };
            if first.message.contains("cannot be used for validation") {
                continue;
            }
            let pointer = match written {
                Some(w) if w.get("example").is_some() => format!("{at}/example"),
                Some(w) if w.get("examples").is_some() => {
                    crate::model::pointer_join(&format!("{at}/examples"), &example.name)
                }
                _ => at.to_string(),
            };
            let path: Vec<String> = first.location.iter().map(Segment::to_string).collect();
            let place = if path.is_empty() {
                String::new()
            } else {
                format!("at /{}: ", path.join("/"))
            };
            let more = match violations.len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            out.push((
                pointer,
                format!(
                    "the example does not fit its schema: {place}{}{more}",
                    first.message
                ),
            ));
        }
    }
}

/// Every problem in a document written in `version` (errors and warnings).
pub fn check_document(doc: &Value, version: SpecVersion) -> Vec<Problem> {
    let mut w = Walker {
        version,
        doc,
        out: vec![],
        operation_ids: HashMap::new(),
        followed: BTreeSet::new(),
    };
    w.root(doc);
    w.out
}

/// How a field's value is checked.
#[derive(Clone, Copy)]
enum T {
    Str,
    Bool,
    Num,
    Int,
    StrList,
    Any,
    /// An object checked by the function.
    Obj(Check),
    /// An object, or a Reference object (`$ref`).
    Ref(Check),
    /// A map of names to values checked by the function.
    Map(Check),
    /// A map of names to values or references.
    MapRef(Check),
    /// An array of values checked by the function.
    List(Check),
    /// An array of values or references.
    ListRef(Check),
    /// A schema (object; boolean in 3.1).
    Schema,
}

type Check = fn(&mut Walker, &str, &Value);

/// `field (name, type)` lists are built per version.
type Fields = Vec<(&'static str, T)>;

const METHODS_V2: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];
const METHODS_V3: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// JSON Schema types (3.1 adds `null`).
const SCHEMA_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// HTTP authentication schemes (the IANA registry) an `http` security scheme may name.
const HTTP_SCHEMES: &[&str] = &[
    "basic",
    "bearer",
    "digest",
    "dpop",
    "gnap",
    "hoba",
    "mutual",
    "negotiate",
    "ntlm",
    "oauth",
    "privatetoken",
    "scram-sha-1",
    "scram-sha-256",
    "vapid",
    "concealed",
    "aws4-hmac-sha256",
];

/// Schema keywords of OpenAPI 3.0 (its JSON Schema subset and extensions).
const SCHEMA_KEYWORDS_V30: &[&str] = &[
    "$ref",
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
];

/// JSON Schema 2020-12 keywords OpenAPI 3.0 does not have (a 3.0 tool ignores
/// them, so a schema using them does not mean what it says).
const SCHEMA_KEYWORDS_2020_ONLY: &[&str] = &[
    "const",
    "prefixItems",
    "contains",
    "minContains",
    "maxContains",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "unevaluatedItems",
    "unevaluatedProperties",
    "propertyNames",
    "patternProperties",
    "$defs",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "examples",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// The deepest schema nesting walked (a deeper document is refused rather than
/// overflowing the stack).
const MAX_DEPTH: usize = 256;

struct Walker<'a> {
    version: SpecVersion,
    doc: &'a Value,
    out: Vec<Problem>,
    /// operationId → where it was first seen.
    operation_ids: HashMap<String, String>,
    /// Ref targets outside the places checked anyway (a bundled file's part),
    /// checked once each.
    followed: BTreeSet<String>,
}

fn what_version(v: SpecVersion) -> &'static str {
    match v {
        SpecVersion::Swagger2 => "Swagger 2.0",
        SpecVersion::V30 => "OpenAPI 3.0",
        SpecVersion::V31 => "OpenAPI 3.1",
    }
}

/// A value as a message quotes it: `"x"`, `42`, `[...]`.
fn shown(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

fn type_name(t: T) -> &'static str {
    match t {
        T::Str => "a string",
        T::Bool => "a boolean (true or false)",
        T::Num => "a number",
        T::Int => "an integer",
        T::StrList => "an array of strings",
        T::Any => "a value",
        T::Obj(_) | T::Ref(_) | T::Map(_) | T::MapRef(_) => "an object",
        T::List(_) | T::ListRef(_) => "an array",
        T::Schema => "a schema (an object)",
    }
}

impl<'a> Walker<'a> {
    fn v2(&self) -> bool {
        self.version == SpecVersion::Swagger2
    }

    fn v31(&self) -> bool {
        self.version == SpecVersion::V31
    }

    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.out.push(Problem {
            pointer: pointer.to_string(),
            message: message.into(),
            warning: false,
        });
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.out.push(Problem {
            pointer: pointer.to_string(),
            message: message.into(),
            warning: true,
        });
    }

    /// Checks an object's fields: required ones present, each known field's
    /// type, no unknown field but `x-` extensions (`open` allows any). `newer`
    /// lists 3.1 fields a 3.0 document may not use. Returns the object.
    fn object<'v>(
        &mut self,
        ptr: &str,
        value: &'v Value,
        what: &str,
        fields: &[(&'static str, T)],
        required: &[&str],
        newer: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        if value.get(crate::load::REMOTE_REF).is_some() {
            return None; // a remote `$ref` set aside: the loader warned, nothing to check
        }
        let Some(map) = value.as_object() else {
            self.error(
                ptr,
                format!("{what} must be an object, got {}", kind_of(value)),
            );
            return None;
        };
        for field in required {
            if !map.contains_key(*field) {
                self.error(
                    ptr,
                    format!("{what} is missing the required field \"{field}\""),
                );
            }
        }
        for (key, v) in map {
            let at = pointer_join(ptr, key);
            if key.starts_with("x-") {
                continue;
            }
            match fields.iter().find(|(name, _)| name == key) {
                Some((_, t)) => self.typed(&at, v, *t, key),
                None if newer.contains(&key.as_str()) && !self.v31() => self.error(
                    &at,
                    format!(
                        "\"{key}\" is an OpenAPI 3.1 field; this document is {} (declare openapi: 3.1.0 to use it)",
                        what_version(self.version)
                    ),
                ),
                None => {
                    let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                    let hint = did_you_mean(key, names.iter().copied());
                    self.error(
                        &at,
                        format!(
                            "unknown field \"{key}\" in {what}{hint}; {} allows {} and x- extensions",
                            what_version(self.version),
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        Some(map)
    }

    /// Checks one value against its expected type.
    fn typed(&mut self, ptr: &str, v: &Value, t: T, name: &str) {
        // a `$ref` where the spec wants a value: a bundled part, checked where
        // it is (another file's ref is the loader's to resolve and report)
        if let Some(Value::String(r)) = v.as_object().and_then(|m| m.get("$ref")) {
            if !matches!(
                t,
                T::Ref(_) | T::MapRef(_) | T::ListRef(_) | T::Schema | T::Any
            ) {
                let r = r.clone();
                self.follow(&r, |w, at, target| w.typed(at, target, t, name));
                return;
            }
        }
        let ok = match t {
            T::Str => v.is_string(),
            T::Bool => v.is_boolean(),
            T::Num => v.is_number(),
            T::Int => v.is_u64() || v.is_i64(),
            T::Any => true,
            T::StrList => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            T::Obj(_) | T::Ref(_) | T::Map(_) | T::MapRef(_) => v.is_object(),
            T::List(_) | T::ListRef(_) => v.is_array(),
            T::Schema => v.is_object() || (self.v31() && v.is_boolean()),
        };
        if !ok {
            let hint = match (t, v) {
                (T::Str, Value::Number(n)) => format!(" (quote it: \"{n}\")"),
                _ => String::new(),
            };
            let expected = match t {
                T::Schema if self.v31() => "a schema (an object or a boolean)",
                _ => type_name(t),
            };
            self.error(
                ptr,
                format!(
                    "\"{name}\" must be {expected}, got {}{hint}",
                    match v {
                        Value::Array(_) | Value::Object(_) | Value::Null => kind_of(v).to_string(),
                        _ => format!("{} {}", kind_of(v), shown(v)),
                    }
                ),
            );
            return;
        }
        match t {
            T::Obj(check) => check(self, ptr, v),
            T::Ref(check) => self.ref_or(ptr, v, check),
            T::Map(check) | T::MapRef(check) => {
                for (key, item) in v.as_object().into_iter().flatten() {
                    if key.starts_with("x-") && matches!(t, T::Map(_)) && !item.is_object() {
                        continue;
                    }
                    let at = pointer_join(ptr, key);
                    if matches!(t, T::MapRef(_)) {
                        self.ref_or(&at, item, check);
                    } else {
                        check(self, &at, item);
                    }
                }
            }
            T::List(check) | T::ListRef(check) => {
                for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                    let at = format!("{ptr}/{i}");
                    if matches!(t, T::ListRef(_)) {
                        self.ref_or(&at, item, check);
                    } else {
                        check(self, &at, item);
                    }
                }
            }
            T::Schema => self.schema(ptr, v, 0),
            _ => {}
        }
    }

    /// A Reference object (`$ref`, and in 3.1 `summary`/`description`), or a
    /// value checked by `check`.
    fn ref_or(&mut self, ptr: &str, v: &Value, check: Check) {
        let Some(map) = v.as_object() else {
            check(self, ptr, v);
            return;
        };
        let Some(reference) = map.get("$ref") else {
            check(self, ptr, v);
            return;
        };
        self.reference(ptr, reference);
        if let Some(r) = reference.as_str() {
            self.follow(r, |w, at, target| w.ref_or(at, target, check));
        }
        let allowed: &[&str] = if self.v31() {
            &["$ref", "summary", "description"]
        } else {
            &["$ref"]
        };
        let extra: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k) && !k.starts_with("x-"))
            .collect();
        if !extra.is_empty() {
            self.warn(
                ptr,
                format!(
                    "fields beside \"$ref\" are ignored: {} (move them into the referenced object)",
                    extra.join(", ")
                ),
            );
        }
    }

    /// Checks the target of a local `$ref` once, unless it is in a place the
    /// walk checks anyway (components, paths, 2.0 definitions, ...).
    fn follow(&mut self, reference: &str, check: impl FnOnce(&mut Self, &str, &Value)) {
        let Some(fragment) = reference.strip_prefix('#') else {
            return;
        };
        let checked_in_place: &[&str] = if self.v2() {
            &[
                "/definitions/",
                "/parameters/",
                "/responses/",
                "/securityDefinitions/",
                "/paths/",
            ]
        } else {
            &["/components/", "/paths/", "/webhooks/"]
        };
        if fragment.is_empty() || checked_in_place.iter().any(|p| fragment.starts_with(p)) {
            return;
        }
        if !self.followed.insert(fragment.to_string()) {
            return;
        }
        let doc = self.doc;
        if let Some(target) = doc.pointer(&percent_decode(fragment)) {
            check(self, &format!("#{fragment}"), target);
        }
    }

    /// A `$ref` value: a string; a local one must resolve in a 2.0 document
    /// (3.x refs are resolved, and reported, by the loader).
    fn reference(&mut self, ptr: &str, reference: &Value) {
        let at = pointer_join(ptr, "$ref");
        let Some(r) = reference.as_str() else {
            self.error(
                &at,
                format!("\"$ref\" must be a string, got {}", kind_of(reference)),
            );
            return;
        };
        if self.v2() {
            if let Some(fragment) = r.strip_prefix('#') {
                let target = percent_decode(fragment);
                if target.ends_with('/') || self.doc.pointer(&target).is_none() {
                    self.error(
                        &at,
                        format!("\"$ref\": \"{r}\" points to nothing in this document"),
                    );
                }
            }
        }
    }

    fn root(&mut self, doc: &Value) {
        let mut fields: Fields = vec![
            ("info", T::Obj(info)),
            ("paths", T::Obj(paths)),
            ("security", T::List(security_requirement)),
            ("tags", T::List(tag)),
            ("externalDocs", T::Obj(external_docs)),
        ];
        let required: &[&str];
        if self.v2() {
            fields.extend([
                ("swagger", T::Any),
                ("host", T::Str),
                ("basePath", T::Str),
                ("schemes", T::StrList),
                ("consumes", T::StrList),
                ("produces", T::StrList),
                ("definitions", T::Map(schema_entry)),
                ("parameters", T::Map(parameter)),
                ("responses", T::Map(response)),
                ("securityDefinitions", T::Map(security_scheme)),
            ]);
            required = &["swagger", "info", "paths"];
        } else {
            fields.extend([
                ("openapi", T::Any),
                ("servers", T::List(server)),
                ("components", T::Obj(components)),
            ]);
            if self.v31() {
                fields.extend([
                    ("webhooks", T::MapRef(path_item)),
                    ("jsonSchemaDialect", T::Str),
                ]);
                required = &["openapi", "info"];
            } else {
                required = &["openapi", "info", "paths"];
            }
        }
        let Some(map) = self.object(
            "#",
            doc,
            "the document",
            &fields,
            required,
            &["webhooks", "jsonSchemaDialect"],
        ) else {
            return;
        };
        self.version_field(map);
        if self.v31()
            && !["paths", "components", "webhooks"]
                .iter()
                .any(|k| map.contains_key(*k))
        {
            self.error(
                "#",
                "an OpenAPI 3.1 document needs at least one of \"paths\", \"components\" or \"webhooks\"",
            );
        }
        if self.v2() {
            if let Some(Value::String(host)) = map.get("host") {
                if host.contains("://") || host.contains('/') {
                    self.error(
                        "#/host",
                        format!("\"host\" is a host name and optional port, without scheme or path, got \"{host}\""),
                    );
                }
            }
            if let Some(Value::String(base)) = map.get("basePath") {
                if !base.starts_with('/') {
                    self.error(
                        "#/basePath",
                        format!("\"basePath\" must start with \"/\", got \"{base}\""),
                    );
                }
            }
            if let Some(Value::Array(schemes)) = map.get("schemes") {
                for (i, s) in schemes.iter().enumerate() {
                    if let Some(s) = s.as_str() {
                        if !["http", "https", "ws", "wss"].contains(&s) {
                            self.error(
                                &format!("#/schemes/{i}"),
                                format!("scheme \"{s}\" is not one of http, https, ws, wss"),
                            );
                        }
                    }
                }
            }
        }
        self.document_rules(map);
    }

    /// `swagger: "2.0"` or `openapi: 3.0.x` / `3.1.x`, as a string.
    fn version_field(&mut self, root: &Map<String, Value>) {
        let (field, prefix, example) = match self.version {
            SpecVersion::Swagger2 => ("swagger", "2.0", "\"2.0\""),
            SpecVersion::V30 => ("openapi", "3.0.", "3.0.3"),
            SpecVersion::V31 => ("openapi", "3.1.", "3.1.0"),
        };
        let Some(v) = root.get(field) else { return };
        let ok = match v.as_str() {
            Some(text) if self.v2() => text == prefix,
            Some(text) => text.strip_prefix(prefix).is_some_and(|patch| {
                !patch.is_empty()
                    && patch
                        .split('-')
                        .next()
                        .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty())
            }),
            None => false,
        };
        if !ok {
            let quote = match v {
                Value::Number(n) => format!(" (a number: quote it, \"{n}\")"),
                _ => String::new(),
            };
            self.error(
                &pointer_join("#", field),
                format!(
                    "\"{field}\" must be the string {example} for a {} document, got {}{quote}",
                    what_version(self.version),
                    shown(v)
                ),
            );
        }
    }

    /// Rules across the document: path templates and their parameters,
    /// conflicting paths, security requirements naming defined schemes.
    fn document_rules(&mut self, root: &Map<String, Value>) {
        let schemes: Vec<String> = if self.v2() {
            root.get("securityDefinitions")
        } else {
            root.get("components")
                .and_then(|c| c.get("securitySchemes"))
        }
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
        let mut requirements = vec![];
        if let Some(Value::Array(list)) = root.get("security") {
            requirements.push(("#/security".to_string(), list));
        }
        if let Some(Value::Object(paths)) = root.get("paths") {
            let mut shapes: HashMap<String, String> = HashMap::new();
            for (path, item) in paths {
                if path.starts_with("x-") {
                    continue;
                }
                let at = pointer_join("#/paths", path);
                let shape = template_shape(path);
                if let Some(first) = shapes.get(&shape) {
                    self.error(
                        &at,
                        format!(
                            "paths \"{first}\" and \"{path}\" differ only in their parameter names: a request cannot tell them apart"
                        ),
                    );
                } else {
                    shapes.insert(shape, path.clone());
                }
                self.path_parameters(&at, path, item);
                for method in self.methods() {
                    if let Some(Value::Array(list)) =
                        item.get(*method).and_then(|o| o.get("security"))
                    {
                        requirements.push((format!("{}/{method}/security", at), list));
                    }
                }
            }
        }
        let defined_in = if self.v2() {
            "securityDefinitions"
        } else {
            "components.securitySchemes"
        };
        for (at, list) in requirements {
            for (i, req) in list.iter().enumerate() {
                for name in req.as_object().into_iter().flatten().map(|(k, _)| k) {
                    if !schemes.contains(name) {
                        let hint = did_you_mean(name, schemes.iter().map(String::as_str));
                        self.error(
                            &pointer_join(&format!("{at}/{i}"), name),
                            format!("security requirement names \"{name}\", which is not defined in {defined_in}{hint}"),
                        );
                    }
                }
            }
        }
    }

    fn methods(&self) -> &'static [&'static str] {
        if self.v2() {
            METHODS_V2
        } else {
            METHODS_V3
        }
    }

    /// A parameter as written, or the document's own one a local `$ref` names
    /// (`None` when it is elsewhere: another file, or not found).
    fn resolve<'d>(&self, p: &'d Value) -> Option<&'d Value>
    where
        'a: 'd,
    {
        match p.get("$ref") {
            None => Some(p),
            Some(r) => {
                let fragment = r.as_str()?.strip_prefix('#')?;
                self.doc.pointer(&percent_decode(fragment))
            }
        }
    }

    /// Every `{name}` of a path template is declared `in: path` (at the path or
    /// the operation level) and every path parameter is in the template.
    fn path_parameters(&mut self, at: &str, path: &str, item: &Value) {
        if item.get("$ref").is_some() {
            return;
        }
        let names = template_names(path);
        let mut seen = BTreeSet::new();
        for n in &names {
            if !seen.insert(n.as_str()) {
                self.error(
                    at,
                    format!("the path \"{path}\" has the placeholder {{{n}}} more than once"),
                );
            }
        }
        let shared: Vec<(String, &Value)> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .enumerate()
                    .map(|(i, p)| (format!("{at}/parameters/{i}"), p))
                    .collect()
            })
            .unwrap_or_default();
        let mut operations = vec![];
        for method in self.methods() {
            // an operation given by a `$ref` (not the spec, but written) is
            // checked where it points, when that is in this document
            if let Some(op) = item
                .get(*method)
                .and_then(|o| self.resolve(o))
                .filter(|o| o.is_object())
            {
                operations.push((method, op));
            }
        }
        let mut reported_shared = BTreeSet::new();
        for (method, op) in operations {
            let op_at = format!("{at}/{method}");
            let own: Vec<(String, &Value)> = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .enumerate()
                        .map(|(i, p)| (format!("{op_at}/parameters/{i}"), p))
                        .collect()
                })
                .unwrap_or_default();
            let mut declared = BTreeSet::new();
            let mut unknown = false;
            for (p_at, p) in shared.iter().chain(own.iter()) {
                let Some(p) = self.resolve(p) else {
                    unknown = true;
                    continue;
                };
                if p.get("in").and_then(Value::as_str) != Some("path") {
                    continue;
                }
                let Some(name) = p.get("name").and_then(Value::as_str) else {
                    continue;
                };
                declared.insert(name.to_string());
                let is_shared = shared.iter().any(|(s, _)| s == p_at);
                if !names.iter().any(|n| n == name)
                    && (!is_shared || reported_shared.insert(p_at.clone()))
                {
                    let close = names
                        .iter()
                        .find(|n| n.eq_ignore_ascii_case(name))
                        .map(String::as_str)
                        .or_else(|| {
                            seam_core::source::suggest(name, names.iter().map(String::as_str))
                        });
                    let fix = match close {
                        Some(n) => {
                            format!("the path has {{{n}}}: names are case-sensitive and must match")
                        }
                        None => format!("add {{{name}}} to the path, or declare it in: query"),
                    };
                    self.error(
                        p_at,
                        format!("path parameter \"{name}\" is not in the path \"{path}\" ({fix})"),
                    );
                }
            }
            if unknown {
                continue;
            }
            let missing: Vec<&str> = names
                .iter()
                .filter(|n| !declared.contains(n.as_str()))
                .map(String::as_str)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            if !missing.is_empty() {
                let list = missing
                    .iter()
                    .map(|n| format!("{{{n}}}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.error(
                    &op_at,
                    format!(
                        "{} {path} is missing path parameter(s) for {list}: declare each with in: path, required: true",
                        method.to_uppercase()
                    ),
                );
            }
        }
    }

    /// A schema: its keywords for the version, types, nested schemas.
    fn schema(&mut self, ptr: &str, v: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            self.error(
                ptr,
                format!("the schema is nested more than {MAX_DEPTH} levels deep"),
            );
            return;
        }
        let map = match v {
            Value::Object(map) => map,
            Value::Bool(_) if self.v31() => return,
            other => {
                let expected = if self.v31() {
                    "an object or a boolean"
                } else {
                    "an object"
                };
                self.error(
                    ptr,
                    format!("a schema must be {expected}, got {}", kind_of(other)),
                );
                return;
            }
        };
        if let Some(reference) = map.get("$ref") {
            self.reference(ptr, reference);
            if let Some(r) = reference.as_str() {
                self.follow(r, |w, at, target| w.schema(at, target, depth + 1));
            }
            if !self.v31() {
                let extra: Vec<&str> = map
                    .keys()
                    .map(String::as_str)
                    .filter(|k| *k != "$ref" && !k.starts_with("x-"))
                    .collect();
                if !extra.is_empty() {
                    self.warn(
                        ptr,
                        format!(
                            "fields beside \"$ref\" are ignored in {}: {}",
                            what_version(self.version),
                            extra.join(", ")
                        ),
                    );
                }
                return;
            }
        }
        for (key, value) in map {
            let at = pointer_join(ptr, key);
            if key.starts_with("x-") {
                continue;
            }
            if !self.v31() {
                if self.v2() && ["anyOf", "oneOf", "not"].contains(&key.as_str()) {
                    self.error(
                        &at,
                        format!("Swagger 2.0 schemas do not support {key} (only allOf)"),
                    );
                    continue;
                }
                if SCHEMA_KEYWORDS_2020_ONLY.contains(&key.as_str()) {
                    self.error(
                        &at,
                        format!(
                            "\"{key}\" is a JSON Schema keyword {} does not have (it is OpenAPI 3.1's; a {} tool ignores it)",
                            what_version(self.version),
                            what_version(self.version)
                        ),
                    );
                    continue;
                }
                let known = SCHEMA_KEYWORDS_V30.contains(&key.as_str())
                    && !(self.v2()
                        && ["nullable", "writeOnly", "deprecated"].contains(&key.as_str()));
                if !known {
                    let hint = did_you_mean(key, SCHEMA_KEYWORDS_V30.iter().copied());
                    self.warn(
                        &at,
                        format!("unknown schema keyword \"{key}\" is ignored{hint}"),
                    );
                    continue;
                }
            }
            match key.as_str() {
                "type" => self.schema_type(&at, value),
                "properties" | "patternProperties" | "$defs" | "definitions"
                | "dependentSchemas" => match value {
                    // the whole map given by a `$ref` (not the spec, but bundlers read it)
                    Value::Object(props) if props.get("$ref").is_some_and(Value::is_string) => {
                        let r = props["$ref"].as_str().unwrap_or_default().to_string();
                        self.follow(&r, |w, at, target| {
                            for (name, s) in target.as_object().into_iter().flatten() {
                                w.schema(&pointer_join(at, name), s, depth + 1);
                            }
                        });
                    }
                    Value::Object(props) => {
                        for (name, s) in props {
                            self.schema(&pointer_join(&at, name), s, depth + 1);
                        }
                    }
                    other => self.error(
                        &at,
                        format!(
                            "\"{key}\" must be an object of schemas, got {}",
                            kind_of(other)
                        ),
                    ),
                },
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => match value {
                    Value::Array(list) if !list.is_empty() => {
                        for (i, s) in list.iter().enumerate() {
                            self.schema(&format!("{at}/{i}"), s, depth + 1);
                        }
                    }
                    Value::Array(_) => {
                        self.error(&at, format!("\"{key}\" must list at least one schema"))
                    }
                    other => self.error(
                        &at,
                        format!(
                            "\"{key}\" must be an array of schemas, got {}",
                            kind_of(other)
                        ),
                    ),
                },
                "items" if !self.v31() && value.is_array() => {
                    if !self.v2() {
                        self.warn(&at, "\"items\" is a list of schemas (a tuple): OpenAPI 3.0 wants one schema; validators read it differently");
                    }
                    for (i, s) in value.as_array().into_iter().flatten().enumerate() {
                        self.schema(&format!("{at}/{i}"), s, depth + 1);
                    }
                }
                "items"
                | "not"
                | "contains"
                | "if"
                | "then"
                | "else"
                | "propertyNames"
                | "unevaluatedItems"
                | "unevaluatedProperties"
                | "contentSchema" => self.schema(&at, value, depth + 1),
                "additionalProperties" if !value.is_boolean() => self.schema(&at, value, depth + 1),
                "required" => self.required_list(&at, map, value),
                "pattern" => match value {
                    Value::String(p) => self.pattern(&at, p),
                    other => self.error(
                        &at,
                        format!("\"pattern\" must be a string, got {}", kind_of(other)),
                    ),
                },
                "exclusiveMinimum" | "exclusiveMaximum" => {
                    if self.v31() && value.is_boolean() {
                        // the 3.0 form, common in documents moved to 3.1
                        self.warn(&at, format!("\"{key}\" is a boolean, the OpenAPI 3.0 form: in 3.1 it is the bound itself (a number), so 3.1 tools ignore or refuse it"));
                    } else if self.v31() && !value.is_number() {
                        self.error(&at, format!("\"{key}\" must be a number in OpenAPI 3.1 (the bound itself), got {}", kind_of(value)));
                    } else if !self.v31() && !value.is_boolean() {
                        self.error(&at, format!("\"{key}\" must be a boolean in {} (it makes minimum/maximum exclusive), got {}", what_version(self.version), kind_of(value)));
                    }
                }
                "enum" if !value.is_array() => self.error(
                    &at,
                    format!("\"enum\" must be an array, got {}", kind_of(value)),
                ),
                "nullable" | "readOnly" | "writeOnly" | "deprecated" | "uniqueItems"
                    if !value.is_boolean() =>
                {
                    self.error(
                        &at,
                        format!(
                            "\"{key}\" must be a boolean (true or false), got {}",
                            kind_of(value)
                        ),
                    )
                }
                "maxLength" | "minLength" | "maxItems" | "minItems" | "maxProperties"
                | "minProperties"
                    if value.as_u64().is_none() =>
                {
                    self.error(
                        &at,
                        format!(
                            "\"{key}\" must be a non-negative integer, got {}",
                            shown(value)
                        ),
                    )
                }
                "maximum" | "minimum" | "multipleOf" if !value.is_number() => self.error(
                    &at,
                    format!("\"{key}\" must be a number, got {}", kind_of(value)),
                ),
                "discriminator" => self.discriminator(&at, value),
                "title" | "description" | "format" if !value.is_string() => self.error(
                    &at,
                    format!("\"{key}\" must be a string, got {}", kind_of(value)),
                ),
                _ => {}
            }
        }
        // an array says what its items are (2.0 and 3.0; 3.1 allows any items)
        if !self.v31()
            && map.get("type").is_some_and(|t| t == "array")
            && !map.contains_key("items")
        {
            let message = "the schema is an array, so it must include an \"items\" schema";
            // 3.0 says so in its text; only 2.0 tools refuse it
            if self.v2() {
                self.error(ptr, message);
            } else {
                self.warn(ptr, message);
            }
        }
    }

    /// A `pattern` that RE2-style engines (Go, Rust's regex) refuse: a
    /// warning, since ECMA-262 (what the spec names) reads more (look-around,
    /// back-references), but other tools will refuse it.
    fn pattern(&mut self, at: &str, p: &str) {
        if let Err(e) = seam_core::regexp::bounded(p) {
            self.warn(
                at,
                format!("\"pattern\" is refused by RE2-style regex engines (Go, Rust), so some tools cannot use it: {e}"),
            );
        }
    }

    fn schema_type(&mut self, at: &str, value: &Value) {
        let valid = |t: &str, w: &Walker| {
            SCHEMA_TYPES.contains(&t) || (w.v31() && t == "null") || (w.v2() && t == "file")
        };
        let list = SCHEMA_TYPES.join(", ");
        match value {
            Value::String(t) if valid(t, self) => {}
            Value::String(t) => {
                let hint = did_you_mean(t, SCHEMA_TYPES.iter().copied());
                self.error(
                    at,
                    format!("unsupported \"type\" value \"{t}\"{hint}: a schema type is one of {list}{}", if self.v31() { ", null" } else { "" }),
                );
            }
            Value::Array(types) if self.v31() || self.v2() => {
                for (i, t) in types.iter().enumerate() {
                    match t.as_str() {
                        Some(t) if valid(t, self) => {}
                        _ => self.error(
                            &format!("{at}/{i}"),
                            format!("unsupported \"type\" value {}: a schema type is one of {list}, null", shown(t)),
                        ),
                    }
                }
            }
            Value::Array(_) => self.error(
                at,
                format!("\"type\" must be a single type in {} (a list of types is OpenAPI 3.1; use nullable: true for null)", what_version(self.version)),
            ),
            other => self.error(at, format!("\"type\" must be a string, got {}", kind_of(other))),
        }
    }

    /// `required`: a list of property names; in 2.0, each should be defined in
    /// `properties` (swagger-parser refuses it; JSON Schema allows it, meaning
    /// "present, any value", so it is a warning and such a spec still loads).
    fn required_list(&mut self, at: &str, schema: &Map<String, Value>, value: &Value) {
        let Some(names) = value.as_array() else {
            // 2.0 and 3.0 parameters use a boolean `required`, schemas a list
            self.error(
                at,
                format!(
                    "\"required\" in a schema must be an array of property names, got {}",
                    kind_of(value)
                ),
            );
            return;
        };
        let props = schema.get("properties").and_then(Value::as_object);
        // a branch of an allOf may require what a sibling branch defines
        let in_all_of = at.rsplit('/').nth(2).is_some_and(|t| t == "allOf");
        let open = in_all_of
            || schema.contains_key("allOf")
            || schema.contains_key("anyOf")
            || schema.contains_key("oneOf")
            || schema
                .get("additionalProperties")
                .is_some_and(|a| a != &Value::Bool(false));
        for (i, n) in names.iter().enumerate() {
            match n.as_str() {
                None => self.error(
                    &format!("{at}/{i}"),
                    format!(
                        "a required property name must be a string, got {}",
                        kind_of(n)
                    ),
                ),
                Some(name) if self.v2() && !open => {
                    if let Some(props) = props {
                        if !props.contains_key(name) {
                            self.warn(
                                &format!("{at}/{i}"),
                                format!("property \"{name}\" is listed as required but is not defined in \"properties\""),
                            );
                        }
                    }
                }
                Some(_) => {}
            }
        }
    }

    fn discriminator(&mut self, at: &str, value: &Value) {
        if self.v2() {
            if !value.is_string() {
                self.error(
                    at,
                    format!(
                        "\"discriminator\" is a property name (a string) in Swagger 2.0, got {}",
                        kind_of(value)
                    ),
                );
            }
            return;
        }
        self.object(
            at,
            value,
            "a discriminator",
            &[("propertyName", T::Str), ("mapping", T::Map(string_value))],
            &["propertyName"],
            &[],
        );
    }

    /// The parameter rules shared by 3.x parameters and headers: style per
    /// location, `example` xor `examples`, `schema` xor `content`.
    fn parameter_v3(&mut self, ptr: &str, v: &Value, header: bool) {
        let mut fields: Fields = vec![
            ("description", T::Str),
            ("required", T::Bool),
            ("deprecated", T::Bool),
            ("allowEmptyValue", T::Bool),
            ("style", T::Str),
            ("explode", T::Bool),
            ("allowReserved", T::Bool),
            ("schema", T::Schema),
            ("example", T::Any),
            ("examples", T::MapRef(example)),
            ("content", T::Map(media_type)),
        ];
        let what = if header { "a header" } else { "a parameter" };
        let required: &[&str] = if header { &[] } else { &["name", "in"] };
        if !header {
            fields.extend([("name", T::Str), ("in", T::Str)]);
        }
        let Some(map) = self.object(ptr, v, what, &fields, required, &[]) else {
            return;
        };
        let location = if header {
            Some("header")
        } else {
            map.get("in").and_then(Value::as_str)
        };
        let name = map.get("name").and_then(Value::as_str).unwrap_or("");
        match location {
            Some(l @ ("query" | "header" | "path" | "cookie")) => {
                let styles: &[&str] = match l {
                    "path" => &["matrix", "label", "simple"],
                    "query" => &["form", "spaceDelimited", "pipeDelimited", "deepObject"],
                    "header" => &["simple"],
                    _ => &["form"],
                };
                if let Some(style) = map.get("style").and_then(Value::as_str) {
                    if !styles.contains(&style) {
                        self.error(
                            &pointer_join(ptr, "style"),
                            format!(
                                "style \"{style}\" is not allowed for {l} {}: use {}",
                                if header { "headers" } else { "parameters" },
                                styles.join(", ")
                            ),
                        );
                    }
                }
                if l == "path" && map.get("required") != Some(&Value::Bool(true)) {
                    self.error(
                        &pointer_join(
                            ptr,
                            if map.contains_key("required") {
                                "required"
                            } else {
                                "name"
                            },
                        ),
                        format!("path parameter \"{name}\" must be required: true (a path parameter is always sent)"),
                    );
                }
                if l != "query" && map.contains_key("allowReserved") {
                    self.error(
                        &pointer_join(ptr, "allowReserved"),
                        format!(
                            "\"allowReserved\" applies only to query parameters, not to {l} {}",
                            if header { "headers" } else { "parameters" }
                        ),
                    );
                }
            }
            Some(other) => {
                let hint = match other {
                    "body" => " (a Swagger 2.0 location: a body is a requestBody in OpenAPI 3)",
                    "formData" => " (a Swagger 2.0 location: a form is a requestBody with application/x-www-form-urlencoded or multipart/form-data in OpenAPI 3)",
                    _ => "",
                };
                self.error(
                    &pointer_join(ptr, "in"),
                    format!("parameter can't have \"in\" value \"{other}\": it must be query, header, path or cookie{hint}"),
                );
            }
            None => {}
        }
        if map.contains_key("example") && map.contains_key("examples") {
            self.error(
                &pointer_join(ptr, "examples"),
                format!("{what} has both \"example\" and \"examples\": use one"),
            );
        }
        match (map.contains_key("schema"), map.get("content")) {
            (true, Some(_)) => self.error(
                &pointer_join(ptr, "content"),
                format!("{what} has both \"schema\" and \"content\": use one"),
            ),
            (false, None) => self.error(ptr, format!("{what} needs a \"schema\" or a \"content\"")),
            (false, Some(Value::Object(c))) if c.len() != 1 => self.error(
                &pointer_join(ptr, "content"),
                format!(
                    "the \"content\" of {what} must have exactly one media type, got {}",
                    c.len()
                ),
            ),
            _ => {}
        }
    }

    /// A 2.0 non-body parameter, header or items object: its `type` and the
    /// rules on `items`, `collectionFormat` and `file`.
    fn simple_v2(&mut self, ptr: &str, map: &Map<String, Value>, location: &str, what: &str) {
        let ty = map.get("type").and_then(Value::as_str);
        let allowed: &[&str] = match location {
            "formData" => &["string", "number", "integer", "boolean", "array", "file"],
            _ => &["string", "number", "integer", "boolean", "array"],
        };
        match (map.get("type"), ty) {
            (None, _) => self.error(
                ptr,
                format!("{what} is missing the required field \"type\""),
            ),
            (Some(_), Some(t)) if allowed.contains(&t) => {}
            (Some(t), _) => {
                let extra = match ty {
                    Some("file") => {
                        " (type: file is only allowed for formData parameters)".to_string()
                    }
                    Some("object") => " (only a body parameter may be an object)".to_string(),
                    Some(other) => did_you_mean(other, allowed.iter().copied()),
                    None => String::new(),
                };
                self.error(
                    &pointer_join(ptr, "type"),
                    format!(
                        "{what} has type {}: it must be one of {}{extra}",
                        shown(t),
                        allowed.join(", ")
                    ),
                );
            }
        }
        if ty == Some("array") {
            match map.get("items") {
                None => self.error(
                    ptr,
                    format!("{what} is an array, so it must include an \"items\" schema"),
                ),
                Some(items @ Value::Object(i)) => {
                    let at = pointer_join(ptr, "items");
                    if i.contains_key("$ref") {
                        self.reference(&at, &items["$ref"]);
                    } else {
                        self.simple_v2(&at, i, "items", "an items object");
                    }
                }
                Some(other) => self.error(
                    &pointer_join(ptr, "items"),
                    format!("\"items\" must be an object, got {}", kind_of(other)),
                ),
            }
        }
        if let Some(format) = map.get("collectionFormat") {
            let formats = ["csv", "ssv", "tsv", "pipes", "multi"];
            match format.as_str() {
                Some("multi") if !["query", "formData"].contains(&location) => self.error(
                    &pointer_join(ptr, "collectionFormat"),
                    format!("collectionFormat: multi is only allowed for query and formData parameters, not for {what}"),
                ),
                Some(f) if formats.contains(&f) => {}
                _ => self.error(
                    &pointer_join(ptr, "collectionFormat"),
                    format!("collectionFormat {} is not one of {}", shown(format), formats.join(", ")),
                ),
            }
        }
        if let Some(p) = map.get("pattern").and_then(Value::as_str) {
            self.pattern(&pointer_join(ptr, "pattern"), p);
        }
    }
}

/// The names of a path template's placeholders, in order (`/a/{x}/{y}` → x, y).
pub fn template_names(path: &str) -> Vec<String> {
    let mut names = vec![];
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        names.push(after[..close].to_string());
        rest = &after[close + 1..];
    }
    names
}

/// A path with its placeholders' names blanked: two paths with the same shape
/// match the same requests.
fn template_shape(path: &str) -> String {
    let mut shape = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        shape.push_str(&rest[..open]);
        shape.push_str("{}");
        rest = &after[close + 1..];
    }
    shape.push_str(rest);
    shape.trim_end_matches('/').to_string()
}

/// A JSON pointer fragment as written in a URI (`%7B` → `{`).
fn percent_decode(fragment: &str) -> String {
    if !fragment.contains('%') {
        return fragment.to_string();
    }
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&fragment[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ----- the objects of the specification, one function each -----

fn string_value(w: &mut Walker, ptr: &str, v: &Value) {
    if !v.is_string() {
        w.error(ptr, format!("expected a string, got {}", kind_of(v)));
    }
}

fn schema_entry(w: &mut Walker, ptr: &str, v: &Value) {
    w.schema(ptr, v, 0);
}

fn info(w: &mut Walker, ptr: &str, v: &Value) {
    let mut fields: Fields = vec![
        ("title", T::Str),
        ("description", T::Str),
        ("termsOfService", T::Str),
        ("contact", T::Obj(contact)),
        ("license", T::Obj(license)),
        ("version", T::Str),
    ];
    if w.v31() {
        fields.push(("summary", T::Str));
    }
    let Some(map) = w.object(ptr, v, "info", &fields, &["title", "version"], &["summary"]) else {
        return;
    };
    if map.get("version").and_then(Value::as_str) == Some("") {
        w.error(
            &pointer_join(ptr, "version"),
            "info.version is an empty string: give the API's version (e.g. \"1.0.0\")",
        );
    }
}

fn contact(w: &mut Walker, ptr: &str, v: &Value) {
    w.object(
        ptr,
        v,
        "contact",
        &[("name", T::Str), ("url", T::Str), ("email", T::Str)],
        &[],
        &[],
    );
}

fn license(w: &mut Walker, ptr: &str, v: &Value) {
    let mut fields: Fields = vec![("name", T::Str), ("url", T::Str)];
    if w.v31() {
        fields.push(("identifier", T::Str));
    }
    let Some(map) = w.object(ptr, v, "license", &fields, &["name"], &["identifier"]) else {
        return;
    };
    if map.contains_key("identifier") && map.contains_key("url") {
        w.warn(
            &pointer_join(ptr, "identifier"),
            "license has both \"identifier\" and \"url\": use one",
        );
    }
}

fn external_docs(w: &mut Walker, ptr: &str, v: &Value) {
    w.object(
        ptr,
        v,
        "externalDocs",
        &[("description", T::Str), ("url", T::Str)],
        &["url"],
        &[],
    );
}

fn tag(w: &mut Walker, ptr: &str, v: &Value) {
    w.object(
        ptr,
        v,
        "a tag",
        &[
            ("name", T::Str),
            ("description", T::Str),
            ("externalDocs", T::Obj(external_docs)),
        ],
        &["name"],
        &[],
    );
}

fn server(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = w.object(
        ptr,
        v,
        "a server",
        &[
            ("url", T::Str),
            ("description", T::Str),
            ("variables", T::Map(server_variable)),
        ],
        &["url"],
        &[],
    ) else {
        return;
    };
    let Some(url) = map.get("url").and_then(Value::as_str) else {
        return;
    };
    let at = pointer_join(ptr, "url");
    let mut depth = 0i32;
    for c in url.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            break;
        }
    }
    if depth != 0 {
        w.error(
            &at,
            format!("server url \"{url}\" has mismatched braces: each {{variable}} needs its closing }}"),
        );
        return;
    }
    let variables = map.get("variables").and_then(Value::as_object);
    for name in template_names(url) {
        if !variables.is_some_and(|v| v.contains_key(&name)) {
            w.error(
                &at,
                format!("server url \"{url}\" uses {{{name}}}, which is not defined in the server's \"variables\""),
            );
        }
    }
}

fn server_variable(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = w.object(
        ptr,
        v,
        "a server variable",
        &[
            ("enum", T::StrList),
            ("default", T::Str),
            ("description", T::Str),
        ],
        &["default"],
        &[],
    ) else {
        return;
    };
    if let Some(Value::Array(values)) = map.get("enum") {
        if values.is_empty() {
            w.error(
                &pointer_join(ptr, "enum"),
                "a server variable's \"enum\" must list at least one value",
            );
        } else if let Some(d) = map.get("default") {
            if !values.contains(d) {
                w.error(
                    &pointer_join(ptr, "default"),
                    format!(
                        "the default {} is not one of the variable's \"enum\" values",
                        shown(d)
                    ),
                );
            }
        }
    }
}

fn components(w: &mut Walker, ptr: &str, v: &Value) {
    let mut fields: Fields = vec![
        ("schemas", T::Map(schema_entry)),
        ("responses", T::MapRef(response)),
        ("parameters", T::MapRef(parameter)),
        ("examples", T::MapRef(example)),
        ("requestBodies", T::MapRef(request_body)),
        ("headers", T::MapRef(header)),
        ("securitySchemes", T::MapRef(security_scheme)),
        ("links", T::MapRef(link)),
        ("callbacks", T::MapRef(callback)),
    ];
    if w.v31() {
        fields.push(("pathItems", T::MapRef(path_item)));
    }
    let Some(map) = w.object(ptr, v, "components", &fields, &[], &["pathItems"]) else {
        return;
    };
    for (kind, entries) in map {
        if kind.starts_with("x-") {
            continue;
        }
        for name in entries.as_object().into_iter().flatten().map(|(k, _)| k) {
            let ok = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
            if !ok {
                w.error(
                    &pointer_join(&pointer_join(ptr, kind), name),
                    format!("component name \"{name}\" may only use letters, digits, \".\", \"-\" and \"_\""),
                );
            }
        }
    }
}

fn paths(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = v.as_object() else {
        w.error(
            ptr,
            format!("\"paths\" must be an object, got {}", kind_of(v)),
        );
        return;
    };
    for (path, item) in map {
        if path.starts_with("x-") {
            continue;
        }
        let at = pointer_join(ptr, path);
        if !path.starts_with('/') {
            w.error(
                &at,
                format!("path \"{path}\" must start with \"/\" (write \"/{path}\")"),
            );
        }
        path_item(w, &at, item);
    }
}

fn path_item(w: &mut Walker, ptr: &str, v: &Value) {
    let mut fields: Fields = vec![("$ref", T::Str), ("parameters", T::ListRef(parameter))];
    for m in w.methods() {
        fields.push((m, T::Obj(operation)));
    }
    if !w.v2() {
        fields.extend([
            ("summary", T::Str),
            ("description", T::Str),
            ("servers", T::List(server)),
        ]);
    }
    let Some(map) = w.object(ptr, v, "a path item", &fields, &[], &[]) else {
        return;
    };
    if let Some(r) = map.get("$ref") {
        w.reference(ptr, r);
        if let Some(target) = r
            .as_str()
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|f| w.doc.pointer(&percent_decode(f)))
        {
            let r = r.as_str().unwrap_or_default();
            let is_path_item = target.as_object().is_some_and(|t| {
                t.keys()
                    .all(|k| k.starts_with("x-") || fields.iter().any(|(n, _)| n == k))
            });
            if !is_path_item {
                w.error(
                    &pointer_join(ptr, "$ref"),
                    format!(
                        "\"$ref\": \"{r}\" does not point to a path item (an object of operations)"
                    ),
                );
            }
        }
    }
    if let Some(Value::Array(params)) = map.get("parameters") {
        duplicate_parameters(w, &pointer_join(ptr, "parameters"), params);
    }
    if w.v2() {
        let shared: &[Value] = map
            .get("parameters")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for method in METHODS_V2 {
            if let Some(Value::Object(op)) = map.get(*method) {
                let op_at = pointer_join(ptr, method);
                let own: &[Value] = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let merged = merged_parameters(w, shared, own);
                body_rules(w, &op_at, op, &merged);
            }
        }
    }
}

/// An operation's parameters in effect: the path level's, unless the
/// operation declares the same name and location, then the operation's
/// (followed through local `$ref`s; others left out).
fn merged_parameters<'d>(w: &Walker<'d>, shared: &'d [Value], own: &'d [Value]) -> Vec<&'d Value> {
    let key = |p: &Value| {
        (
            p.get("name").and_then(Value::as_str).map(str::to_string),
            p.get("in").and_then(Value::as_str).map(str::to_string),
        )
    };
    let own: Vec<&Value> = own.iter().filter_map(|p| w.resolve(p)).collect();
    let own_keys: Vec<_> = own.iter().map(|p| key(p)).collect();
    shared
        .iter()
        .filter_map(|p| w.resolve(p))
        .filter(|p| !own_keys.contains(&key(p)))
        .chain(own)
        .collect()
}

/// A parameter (name, location) declared twice in one list.
fn duplicate_parameters(w: &mut Walker, ptr: &str, params: &[Value]) {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (i, p) in params.iter().enumerate() {
        let Some(p) = w.resolve(p) else { continue };
        let (Some(name), Some(location)) = (
            p.get("name").and_then(Value::as_str),
            p.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        let key_name = if location == "header" {
            name.to_ascii_lowercase()
        } else {
            name.to_string()
        };
        if location == "body" {
            continue;
        }
        if let Some(first) = seen.insert((key_name, location.to_string()), i) {
            w.error(
                &format!("{ptr}/{i}"),
                format!("{location} parameter \"{name}\" is declared twice (also at {ptr}/{first}): a name and location must be unique"),
            );
        }
    }
}

/// 2.0, on an operation's parameters in effect (path level included): at
/// most one body parameter, not both body and formData, and `type: file` only
/// when the operation consumes a form media type.
fn body_rules(w: &mut Walker, ptr: &str, op: &Map<String, Value>, params: &[&Value]) {
    let location = |p: &&Value| {
        p.get("in")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let locations: Vec<String> = params.iter().map(location).collect();
    let bodies = locations.iter().filter(|l| *l == "body").count();
    let at = if op.contains_key("parameters") {
        pointer_join(ptr, "parameters")
    } else {
        ptr.to_string()
    };
    if bodies > 1 {
        w.error(
            &at,
            format!("the operation has {bodies} body parameters (its own and its path's): only one is allowed"),
        );
    }
    if bodies > 0 && locations.iter().any(|l| l == "formData") {
        w.error(
            &at,
            "the operation has body parameters and formData parameters (its own and its path's): only one or the other is allowed",
        );
    }
    let has_file = params
        .iter()
        .any(|p| p.get("type").is_some_and(|t| t == "file"));
    if !has_file {
        return;
    }
    let consumes = op
        .get("consumes")
        .or_else(|| w.doc.get("consumes"))
        .and_then(Value::as_array);
    let ok = consumes.is_some_and(|c| {
        c.iter().filter_map(Value::as_str).any(|m| {
            m.starts_with("multipart/form-data")
                || m.starts_with("application/x-www-form-urlencoded")
        })
    });
    if !ok {
        w.error(
            ptr,
            "the operation has a file parameter, so it must consume multipart/form-data or application/x-www-form-urlencoded",
        );
    }
}

fn operation(w: &mut Walker, ptr: &str, v: &Value) {
    let mut fields: Fields = vec![
        ("tags", T::StrList),
        ("summary", T::Str),
        ("description", T::Str),
        ("externalDocs", T::Obj(external_docs)),
        ("operationId", T::Str),
        ("parameters", T::ListRef(parameter)),
        ("responses", T::Obj(responses)),
        ("deprecated", T::Bool),
        ("security", T::List(security_requirement)),
    ];
    if w.v2() {
        fields.extend([
            ("consumes", T::StrList),
            ("produces", T::StrList),
            ("schemes", T::StrList),
        ]);
    } else {
        fields.extend([
            ("requestBody", T::Ref(request_body)),
            ("callbacks", T::MapRef(callback)),
            ("servers", T::List(server)),
        ]);
    }
    let required: &[&str] = if w.v31() { &[] } else { &["responses"] };
    let Some(map) = w.object(ptr, v, "an operation", &fields, required, &[]) else {
        return;
    };
    if let Some(Value::String(id)) = map.get("operationId") {
        let at = pointer_join(ptr, "operationId");
        if let Some(first) = w.operation_ids.get(id) {
            let first = first.clone();
            w.error(
                &at,
                format!("duplicate operationId \"{id}\": already used at {first}"),
            );
        } else {
            w.operation_ids.insert(id.clone(), ptr.to_string());
        }
    }
    if let Some(Value::Array(params)) = map.get("parameters") {
        duplicate_parameters(w, &pointer_join(ptr, "parameters"), params);
    }
}

fn parameter(w: &mut Walker, ptr: &str, v: &Value) {
    if !w.v2() {
        w.parameter_v3(ptr, v, false);
        return;
    }
    let Some(map) = v.as_object() else {
        w.error(
            ptr,
            format!("a parameter must be an object, got {}", kind_of(v)),
        );
        return;
    };
    let location = map.get("in").and_then(Value::as_str).unwrap_or("");
    let common: Fields = vec![
        ("name", T::Str),
        ("in", T::Str),
        ("description", T::Str),
        ("required", T::Bool),
    ];
    let mut fields = common;
    if location == "body" {
        fields.push(("schema", T::Schema));
        w.object(
            ptr,
            v,
            "a body parameter",
            &fields,
            &["name", "in", "schema"],
            &[],
        );
        if let Some(Value::Object(s)) = map.get("schema") {
            if s.get("type").is_some_and(|t| t == "file") {
                w.error(
                    &pointer_join(&pointer_join(ptr, "schema"), "type"),
                    "a body parameter's schema cannot be type: file (send a file as a formData parameter)",
                );
            }
        }
        return;
    }
    fields.extend([
        ("type", T::Any),
        ("format", T::Str),
        ("allowEmptyValue", T::Bool),
        ("items", T::Any),
        ("collectionFormat", T::Any),
        ("default", T::Any),
        ("maximum", T::Num),
        ("exclusiveMaximum", T::Bool),
        ("minimum", T::Num),
        ("exclusiveMinimum", T::Bool),
        ("maxLength", T::Int),
        ("minLength", T::Int),
        ("pattern", T::Any),
        ("maxItems", T::Int),
        ("minItems", T::Int),
        ("uniqueItems", T::Bool),
        ("enum", T::Any),
        ("multipleOf", T::Num),
        ("example", T::Any),
    ]);
    w.object(ptr, v, "a parameter", &fields, &["name", "in"], &[]);
    if map.contains_key("example") {
        // what swag and other generators write; 2.0 tools ignore it
        w.warn(
            &pointer_join(ptr, "example"),
            "\"example\" is not a Swagger 2.0 parameter field (2.0 has x-example); it is read as the parameter's example",
        );
    }
    let name = map.get("name").and_then(Value::as_str).unwrap_or("");
    match location {
        "query" | "header" | "path" | "formData" => {}
        "" => return,
        other => {
            w.error(
                &pointer_join(ptr, "in"),
                format!("parameter can't have \"in\" value \"{other}\": Swagger 2.0 locations are query, header, path, formData and body"),
            );
            return;
        }
    }
    if location == "path" && map.get("required") != Some(&Value::Bool(true)) {
        w.error(
            &pointer_join(
                ptr,
                if map.contains_key("required") {
                    "required"
                } else {
                    "name"
                },
            ),
            format!("path parameter \"{name}\" must be required: true (a path parameter is always sent)"),
        );
    }
    w.simple_v2(
        ptr,
        map,
        location,
        &format!("{location} parameter \"{name}\""),
    );
}

fn header(w: &mut Walker, ptr: &str, v: &Value) {
    if !w.v2() {
        w.parameter_v3(ptr, v, true);
        return;
    }
    let fields: Fields = vec![
        ("description", T::Str),
        ("type", T::Any),
        ("format", T::Str),
        ("items", T::Any),
        ("collectionFormat", T::Any),
        ("default", T::Any),
        ("maximum", T::Num),
        ("exclusiveMaximum", T::Bool),
        ("minimum", T::Num),
        ("exclusiveMinimum", T::Bool),
        ("maxLength", T::Int),
        ("minLength", T::Int),
        ("pattern", T::Any),
        ("maxItems", T::Int),
        ("minItems", T::Int),
        ("uniqueItems", T::Bool),
        ("enum", T::Any),
        ("multipleOf", T::Num),
    ];
    if let Some(map) = w.object(ptr, v, "a response header", &fields, &[], &[]) {
        w.simple_v2(ptr, map, "header", "a response header");
    }
}

fn responses(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = v.as_object() else {
        w.error(
            ptr,
            format!("\"responses\" must be an object, got {}", kind_of(v)),
        );
        return;
    };
    if map.keys().all(|k| k.starts_with("x-")) && !w.v31() {
        w.error(ptr, "\"responses\" must declare at least one response");
    }
    for (key, r) in map {
        if key.starts_with("x-") {
            continue;
        }
        let at = pointer_join(ptr, key);
        if !valid_status_key(key, w.v2()) {
            w.error(
                &at,
                format!(
                    "response key \"{key}\" is not a status code (100-599){}, nor \"default\"",
                    if w.v2() { "" } else { ", a range (2XX)" }
                ),
            );
        }
        w.ref_or(&at, r, response);
    }
}

/// `200`, `2XX` (3.x), `default`.
fn valid_status_key(key: &str, v2: bool) -> bool {
    if key == "default" {
        return true;
    }
    let b = key.as_bytes();
    if b.len() != 3 || !(b'1'..=b'5').contains(&b[0]) {
        return false;
    }
    (b[1].is_ascii_digit() && b[2].is_ascii_digit())
        || (!v2 && b[1].eq_ignore_ascii_case(&b'X') && b[2].eq_ignore_ascii_case(&b'X'))
}

fn response(w: &mut Walker, ptr: &str, v: &Value) {
    let fields: Fields = if w.v2() {
        vec![
            ("description", T::Str),
            ("schema", T::Schema),
            ("headers", T::Map(header)),
            ("examples", T::Map(any_value)),
        ]
    } else {
        vec![
            ("description", T::Str),
            ("headers", T::MapRef(header)),
            ("content", T::Map(media_type)),
            ("links", T::MapRef(link)),
        ]
    };
    w.object(ptr, v, "a response", &fields, &["description"], &[]);
}

fn any_value(_: &mut Walker, _: &str, _: &Value) {}

fn request_body(w: &mut Walker, ptr: &str, v: &Value) {
    w.object(
        ptr,
        v,
        "a request body",
        &[
            ("description", T::Str),
            ("content", T::Map(media_type)),
            ("required", T::Bool),
        ],
        &["content"],
        &[],
    );
}

fn media_type(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = w.object(
        ptr,
        v,
        "a media type",
        &[
            ("schema", T::Schema),
            ("example", T::Any),
            ("examples", T::MapRef(example)),
            ("encoding", T::Map(encoding)),
        ],
        &[],
        &[],
    ) else {
        return;
    };
    if map.contains_key("example") && map.contains_key("examples") {
        w.error(
            &pointer_join(ptr, "examples"),
            "a media type has both \"example\" and \"examples\": use one",
        );
    }
}

fn encoding(w: &mut Walker, ptr: &str, v: &Value) {
    w.object(
        ptr,
        v,
        "an encoding",
        &[
            ("contentType", T::Str),
            ("headers", T::MapRef(header)),
            ("style", T::Str),
            ("explode", T::Bool),
            ("allowReserved", T::Bool),
        ],
        &[],
        &[],
    );
}

fn example(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = w.object(
        ptr,
        v,
        "an example",
        &[
            ("summary", T::Str),
            ("description", T::Str),
            ("value", T::Any),
            ("externalValue", T::Str),
        ],
        &[],
        &[],
    ) else {
        return;
    };
    match (map.contains_key("value"), map.contains_key("externalValue")) {
        (true, true) => w.error(
            &pointer_join(ptr, "externalValue"),
            "an example has both \"value\" and \"externalValue\": use one",
        ),
        (false, false) => w.error(ptr, "an example needs a \"value\" or an \"externalValue\""),
        _ => {}
    }
}

fn link(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = w.object(
        ptr,
        v,
        "a link",
        &[
            ("operationRef", T::Str),
            ("operationId", T::Str),
            ("parameters", T::Map(any_value)),
            ("requestBody", T::Any),
            ("description", T::Str),
            ("server", T::Obj(server)),
        ],
        &[],
        &[],
    ) else {
        return;
    };
    match (map.contains_key("operationRef"), map.contains_key("operationId")) {
        (true, true) => w.error(
            ptr,
            "a link has both \"operationRef\" and \"operationId\": use one",
        ),
        (false, false) => w.error(
            ptr,
            "a link needs an \"operationId\" or an \"operationRef\" naming the operation it leads to",
        ),
        _ => {}
    }
}

fn callback(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = v.as_object() else {
        w.error(
            ptr,
            format!("a callback must be an object, got {}", kind_of(v)),
        );
        return;
    };
    for (expression, item) in map {
        if expression.starts_with("x-") {
            continue;
        }
        let at = pointer_join(ptr, expression);
        w.ref_or(&at, item, path_item);
    }
}

fn security_requirement(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = v.as_object() else {
        w.error(
            ptr,
            format!(
                "a security requirement must be an object (scheme name: [scopes]), got {}",
                kind_of(v)
            ),
        );
        return;
    };
    for (name, scopes) in map {
        if !scopes
            .as_array()
            .is_some_and(|a| a.iter().all(Value::is_string))
        {
            w.error(
                &pointer_join(ptr, name),
                format!("the scopes of \"{name}\" must be an array of strings (empty for schemes without scopes), got {}", kind_of(scopes)),
            );
        }
    }
}

fn security_scheme(w: &mut Walker, ptr: &str, v: &Value) {
    let Some(map) = v.as_object() else {
        w.error(
            ptr,
            format!("a security scheme must be an object, got {}", kind_of(v)),
        );
        return;
    };
    let ty = map.get("type").and_then(Value::as_str).unwrap_or("");
    let (types, locations): (&[&str], &[&str]) = if w.v2() {
        (&["basic", "apiKey", "oauth2"], &["query", "header"])
    } else if w.v31() {
        (
            &["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"],
            &["query", "header", "cookie"],
        )
    } else {
        (
            &["apiKey", "http", "oauth2", "openIdConnect"],
            &["query", "header", "cookie"],
        )
    };
    let mut fields: Fields = vec![("type", T::Str), ("description", T::Str)];
    let required: Vec<&str> = match ty {
        "apiKey" => {
            fields.extend([("name", T::Str), ("in", T::Str)]);
            vec!["type", "name", "in"]
        }
        "http" => {
            fields.extend([("scheme", T::Str), ("bearerFormat", T::Str)]);
            vec!["type", "scheme"]
        }
        "oauth2" if w.v2() => {
            fields.extend([
                ("flow", T::Str),
                ("authorizationUrl", T::Str),
                ("tokenUrl", T::Str),
                ("scopes", T::Map(string_value)),
            ]);
            vec!["type", "flow", "scopes"]
        }
        "oauth2" => {
            fields.push(("flows", T::Obj(oauth_flows)));
            vec!["type", "flows"]
        }
        "openIdConnect" => {
            fields.push(("openIdConnectUrl", T::Str));
            vec!["type", "openIdConnectUrl"]
        }
        _ => vec!["type"],
    };
    if !types.contains(&ty) && map.contains_key("type") {
        let hint = did_you_mean(ty, types.iter().copied());
        w.error(
            &pointer_join(ptr, "type"),
            format!(
                "security scheme type {} is not one of {}{hint}",
                shown(&map["type"]),
                types.join(", ")
            ),
        );
        return;
    }
    w.object(
        ptr,
        v,
        &format!("a {ty} security scheme"),
        &fields,
        &required,
        &[],
    );
    if ty == "apiKey" {
        if let Some(l) = map.get("in").and_then(Value::as_str) {
            if !locations.contains(&l) {
                w.error(
                    &pointer_join(ptr, "in"),
                    format!(
                        "an apiKey security scheme's \"in\" must be one of {}, got \"{l}\"",
                        locations.join(", ")
                    ),
                );
            }
        }
    }
    if ty == "http" {
        if let Some(s) = map.get("scheme").and_then(Value::as_str) {
            if !HTTP_SCHEMES.contains(&s.to_ascii_lowercase().as_str()) {
                let hint = did_you_mean(s, HTTP_SCHEMES.iter().copied());
                w.error(
                    &pointer_join(ptr, "scheme"),
                    format!("http security scheme \"{s}\" is not an HTTP authentication scheme (basic, bearer, digest, ...){hint}"),
                );
            }
        }
    }
    if ty == "oauth2" && w.v2() {
        let flow = map.get("flow").and_then(Value::as_str).unwrap_or("");
        let needs: &[&str] = match flow {
            "implicit" => &["authorizationUrl"],
            "password" | "application" => &["tokenUrl"],
            "accessCode" => &["authorizationUrl", "tokenUrl"],
            "" => &[],
            other => {
                w.error(
                    &pointer_join(ptr, "flow"),
                    format!("oauth2 flow \"{other}\" is not one of implicit, password, application, accessCode"),
                );
                &[]
            }
        };
        for n in needs {
            if !map.contains_key(*n) {
                w.error(ptr, format!("an oauth2 {flow} flow needs \"{n}\""));
            }
        }
    }
}

fn oauth_flows(w: &mut Walker, ptr: &str, v: &Value) {
    w.object(
        ptr,
        v,
        "oauth2 flows",
        &[
            ("implicit", T::Obj(flow_implicit)),
            ("password", T::Obj(flow_token)),
            ("clientCredentials", T::Obj(flow_token)),
            ("authorizationCode", T::Obj(flow_code)),
        ],
        &[],
        &[],
    );
}

fn flow(w: &mut Walker, ptr: &str, v: &Value, required: &[&str]) {
    w.object(
        ptr,
        v,
        "an oauth2 flow",
        &[
            ("authorizationUrl", T::Str),
            ("tokenUrl", T::Str),
            ("refreshUrl", T::Str),
            ("scopes", T::Map(string_value)),
        ],
        required,
        &[],
    );
}

fn flow_implicit(w: &mut Walker, ptr: &str, v: &Value) {
    flow(w, ptr, v, &["authorizationUrl", "scopes"]);
}

fn flow_token(w: &mut Walker, ptr: &str, v: &Value) {
    flow(w, ptr, v, &["tokenUrl", "scopes"]);
}

fn flow_code(w: &mut Walker, ptr: &str, v: &Value) {
    flow(w, ptr, v, &["authorizationUrl", "tokenUrl", "scopes"]);
}

/// `#/a/b~1c` for a list of tokens (tests and callers building pointers).
pub fn pointer(tokens: &[&str]) -> String {
    let mut p = String::from("#");
    for t in tokens {
        p.push('/');
        p.push_str(&escape_token(t));
    }
    p
}

/// The checks of a one-file document the loader refused (its version known,
/// its model not built): what [`check`] and [`lint`] would have said, placed
/// in `file`, so a user sees every problem at once rather than the loader's
/// first stop. `None` when the text is not a YAML/JSON document with a
/// version this reads.
pub fn check_text(file: &str, text: &str) -> Option<Vec<(SpecError, bool)>> {
    let doc: Value = seam_core::yaml::from_str(file, text).ok()?;
    let version = match (doc.get("openapi"), doc.get("swagger")) {
        (Some(Value::String(v)), _) if v.starts_with("3.1.") => SpecVersion::V31,
        (Some(Value::String(v)), _) if v.starts_with("3.0.") => SpecVersion::V30,
        (None, Some(Value::String(v))) if v == "2.0" => SpecVersion::Swagger2,
        _ => return None,
    };
    let sources = crate::position::Sources::single(file, text);
    Some(
        check_document(&doc, version)
            .into_iter()
            .map(|p| (sources.error(&p.pointer, &p.message), p.warning))
            .collect(),
    )
}

/// Everything `seam openapi validate` reports for one spec file.
#[derive(Debug, Default)]
pub struct Validation {
    /// The spec, when the loader could build it.
    pub spec: Option<Spec>,
    /// The loader's errors, or [`check`]'s; a refused file also gets the
    /// checks' errors at places the loader did not name ([`check_text`]).
    pub errors: Vec<SpecError>,
    /// The loader's warnings and [`lint`]'s.
    pub warnings: Vec<SpecError>,
}

/// Loads and checks the spec at `path`: the one path `seam openapi validate`
/// and the conformance tests take.
pub fn validate(path: &std::path::Path) -> Validation {
    let mut validation = validate_unsorted(path);
    // in reading order, file by file
    let order = |e: &SpecError| {
        let (line, column) = e.at.line_column();
        (e.at.file.clone(), line.unwrap_or(0), column.unwrap_or(0))
    };
    validation.errors.sort_by_key(order);
    validation.warnings.sort_by_key(order);
    validation
}

fn validate_unsorted(path: &std::path::Path) -> Validation {
    match crate::load::load(path) {
        Ok(spec) => {
            let errors = check(&spec);
            let mut warnings = spec.warnings.clone();
            warnings.extend(lint(&spec));
            Validation {
                spec: Some(spec),
                errors,
                warnings,
            }
        }
        Err(mut errors) => {
            let file = path.display().to_string();
            let text = std::fs::read(path)
                .ok()
                .and_then(|b| seam_core::source::decode_text(&b).ok().map(str::to_string));
            let more = text.and_then(|t| check_text(&file, &t)).unwrap_or_default();
            for (e, warning) in more {
                if !warning && !errors.iter().any(|known| known.pointer == e.pointer) {
                    errors.push(e);
                }
            }
            Validation {
                spec: None,
                errors,
                warnings: vec![],
            }
        }
    }
}
