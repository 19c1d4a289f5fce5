//! Swagger 2.0 documents converted to the OpenAPI 3.x shape the model reads.
//!
//! [`convert`] first checks the document as 2.0 ([`crate::check::check_document`]:
//! its errors point into the file as written), then rewrites it as OpenAPI 3.0.3
//! the way swagger2openapi does: `host`/`basePath`/`schemes` → `servers`,
//! `consumes`/`produces` → `content` media types, body and formData parameters →
//! `requestBody`, parameter `type`/`items`/... → `schema`, `collectionFormat` →
//! `style`/`explode`, `definitions`/`parameters`/`responses`/`securityDefinitions`
//! → `components.*` with every `$ref` rewritten (refs into other files too), and
//! the 2.0 extensions that have a 3.0 keyword (`x-nullable`, `x-example`).

use crate::check;
use crate::model::SpecVersion;
use serde_json::{json, Map, Value};

/// The OpenAPI version a converted document declares.
pub const CONVERTED_VERSION: &str = "3.0.3";

/// Converts a Swagger 2.0 document to the OpenAPI 3.0.3 shape, or lists what is
/// wrong with it as 2.0: `(pointer in the 2.0 document, message)`, pointers
/// written `#/paths/~1pets/get/parameters/0`.
pub fn convert(doc: &Value) -> Result<Value, Vec<(String, String)>> {
    convert_with_warnings(doc).map(|(converted, _)| converted)
}

/// [`convert`], and the warnings of the 2.0 checks (fields beside a `$ref`,
/// a parameter's `example`, ...), pointing into the 2.0 document: the loader
/// keeps them as the spec's warnings, in the words of the version written.
#[allow(clippy::type_complexity)]
pub fn convert_with_warnings(
    doc: &Value,
) -> Result<(Value, Vec<(String, String)>), Vec<(String, String)>> {
    let (warnings, errors): (Vec<_>, Vec<_>) = check::check_document(doc, SpecVersion::Swagger2)
        .into_iter()
        .partition(|p| p.warning);
    if !errors.is_empty() {
        return Err(errors.into_iter().map(|p| (p.pointer, p.message)).collect());
    }
    let warnings = warnings
        .into_iter()
        .map(|p| (p.pointer, p.message))
        .collect();
    Ok((convert_unchecked(doc), warnings))
}

/// The conversion alone, for a document already checked as 2.0. Never panics:
/// parts of an unexpected shape are dropped or copied as they are.
pub fn convert_unchecked(doc: &Value) -> Value {
    let Some(root) = doc.as_object() else {
        return doc.clone();
    };
    let body_params = body_parameter_names(root);
    let cx = Converter {
        root,
        body_params: &body_params,
    };
    let mut out = Map::new();
    out.insert("openapi".into(), json!(CONVERTED_VERSION));
    for (key, value) in root {
        match key.as_str() {
            "swagger"
            | "host"
            | "basePath"
            | "schemes"
            | "consumes"
            | "produces"
            | "paths"
            | "definitions"
            | "parameters"
            | "responses"
            | "securityDefinitions" => {}
            _ => {
                out.insert(key.clone(), cx.refs(value));
            }
        }
    }
    let servers = servers(root);
    if !servers.is_empty() {
        out.insert("servers".into(), Value::Array(servers));
    }
    let mut paths = Map::new();
    if let Some(Value::Object(p)) = root.get("paths") {
        for (path, item) in p {
            paths.insert(path.clone(), cx.path_item(item));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    let components = cx.components();
    if !components.is_empty() {
        out.insert("components".into(), Value::Object(components));
    }
    // keep the familiar order: openapi, info, servers, paths, components, the rest
    let mut ordered = Map::new();
    for key in ["openapi", "info", "servers", "paths", "components"] {
        if let Some(v) = out.remove(key) {
            ordered.insert(key.into(), v);
        }
    }
    ordered.extend(out);
    Value::Object(ordered)
}

/// Rewrites one `$ref` from its 2.0 place to its 3.0 place, in this file or
/// another (`other.yaml#/definitions/Pet` → `other.yaml#/components/schemas/Pet`).
/// `body_params` names the document's `#/parameters/X` that are body parameters
/// (they become `#/components/requestBodies/X`).
pub fn rewrite_ref(reference: &str, body_params: &[String]) -> String {
    let (file, fragment) = match reference.split_once('#') {
        Some((file, fragment)) => (file, fragment),
        None => return reference.to_string(),
    };
    let moved = [
        ("/definitions/", "/components/schemas/"),
        ("/responses/", "/components/responses/"),
        ("/securityDefinitions/", "/components/securitySchemes/"),
    ];
    for (from, to) in moved {
        if let Some(rest) = fragment.strip_prefix(from) {
            return format!("{file}#{to}{rest}");
        }
    }
    if let Some(rest) = fragment.strip_prefix("/parameters/") {
        let name = rest.split('/').next().unwrap_or(rest);
        let place = if file.is_empty() && body_params.iter().any(|b| b == name) {
            "/components/requestBodies/"
        } else {
            "/components/parameters/"
        };
        return format!("{file}#{place}{rest}");
    }
    reference.to_string()
}

/// Where a pointer into a converted document points in the 2.0 document it
/// came from, as near as the conversion allows (for messages):
/// `#/components/schemas/Pet` → `#/definitions/Pet`,
/// `.../responses/200/content/application~1json/schema` → `.../responses/200/schema`,
/// a request body → the operation's parameters.
pub fn original_pointer(pointer: &str) -> String {
    let moved = [
        ("#/components/schemas/", "#/definitions/"),
        ("#/components/responses/", "#/responses/"),
        ("#/components/parameters/", "#/parameters/"),
        ("#/components/securitySchemes/", "#/securityDefinitions/"),
        ("#/components/requestBodies/", "#/parameters/"),
    ];
    let mut p = pointer.to_string();
    for (from, to) in moved {
        if let Some(rest) = p.strip_prefix(from) {
            p = format!("{to}{rest}");
            break;
        }
    }
    let tokens: Vec<&str> = p.split('/').collect();
    let mut out: Vec<String> = vec![];
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        // content/<media type>/schema → schema; .../example → examples/<media type>
        if t == "content" && i + 1 < tokens.len() {
            let media = tokens[i + 1];
            match tokens.get(i + 2) {
                Some(&"example") => {
                    out.push("examples".into());
                    out.push(media.into());
                    i += 3;
                }
                _ => i += 2,
            }
            continue;
        }
        if t == "requestBody" {
            out.push("parameters".into());
            break;
        }
        if t == "parameters"
            && out.first().is_some_and(|f| f == "#")
            && out.get(1).is_some_and(|s| s == "paths")
        {
            // indexes shift as body and form parameters leave the list
            out.push(t.into());
            break;
        }
        out.push(t.into());
        i += 1;
    }
    out.join("/")
}

/// The names of the document-level parameters that are `in: body`.
fn body_parameter_names(root: &Map<String, Value>) -> Vec<String> {
    match root.get("parameters") {
        Some(Value::Object(params)) => params
            .iter()
            .filter(|(_, p)| p.get("in").and_then(Value::as_str) == Some("body"))
            .map(|(name, _)| name.clone())
            .collect(),
        _ => vec![],
    }
}

/// `servers` from `host`, `basePath` and `schemes`: one per scheme.
fn servers(root: &Map<String, Value>) -> Vec<Value> {
    let host = root.get("host").and_then(Value::as_str);
    let base = root.get("basePath").and_then(Value::as_str).unwrap_or("");
    let schemes: Vec<&str> = root
        .get("schemes")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    match host {
        None if base.is_empty() || base == "/" => vec![],
        None => vec![json!({ "url": base })],
        Some(host) if schemes.is_empty() => vec![json!({ "url": format!("https://{host}{base}") })],
        Some(host) => schemes
            .iter()
            .map(|s| json!({ "url": format!("{s}://{host}{base}") }))
            .collect(),
    }
}

/// The non-body fields of a 2.0 parameter, header or items object that make up
/// its 3.0 `schema`.
const SCHEMA_FIELDS: &[&str] = &[
    "type",
    "format",
    "items",
    "default",
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
    "enum",
    "multipleOf",
];

struct Converter<'a> {
    root: &'a Map<String, Value>,
    body_params: &'a [String],
}

/// What one operation's body and form parameters add up to.
#[derive(Default)]
struct BodyParts {
    /// The `in: body` parameter (resolved when it was a local `$ref`), or a ref
    /// to a `components/requestBodies` entry.
    body: Option<Value>,
    /// The `in: formData` parameters, in order.
    form: Vec<Map<String, Value>>,
}

impl Converter<'_> {
    /// Any value with its `$ref`s rewritten (and schemas' 2.0 keywords where
    /// they are recognizable: under `definitions`, a `schema`).
    fn refs(&self, value: &Value) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => {
                            (k.clone(), Value::String(rewrite_ref(r, self.body_params)))
                        }
                        _ => (k.clone(), self.refs(v)),
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.refs(v)).collect()),
            other => other.clone(),
        }
    }

    /// A 2.0 schema as a 3.0 schema: refs rewritten, `x-nullable` → `nullable`,
    /// `type: file` → binary string, a string `discriminator` → `{propertyName}`.
    fn schema(&self, schema: &Value) -> Value {
        let Value::Object(map) = schema else {
            return schema.clone();
        };
        let mut out = Map::new();
        for (key, value) in map {
            match key.as_str() {
                "$ref" => {
                    let r = value.as_str().map(|r| rewrite_ref(r, self.body_params));
                    out.insert(key.clone(), r.map(Value::String).unwrap_or(value.clone()));
                }
                "x-nullable" => {
                    out.insert("nullable".into(), value.clone());
                }
                "type" if value == "file" => {
                    out.insert("type".into(), json!("string"));
                    out.insert("format".into(), json!("binary"));
                }
                "format" if map.get("type").is_some_and(|t| t == "file") => {}
                "discriminator" => {
                    let d = match value {
                        Value::String(name) => json!({ "propertyName": name }),
                        other => other.clone(),
                    };
                    out.insert(key.clone(), d);
                }
                "properties" | "definitions" => {
                    let props = match value {
                        Value::Object(p) => Value::Object(
                            p.iter()
                                .map(|(name, s)| (name.clone(), self.schema(s)))
                                .collect(),
                        ),
                        other => other.clone(),
                    };
                    out.insert(key.clone(), props);
                }
                "items" | "additionalProperties" | "not" => {
                    let v = match value {
                        Value::Array(list) => {
                            Value::Array(list.iter().map(|s| self.schema(s)).collect())
                        }
                        other => self.schema(other),
                    };
                    out.insert(key.clone(), v);
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let v = match value {
                        Value::Array(list) => {
                            Value::Array(list.iter().map(|s| self.schema(s)).collect())
                        }
                        other => other.clone(),
                    };
                    out.insert(key.clone(), v);
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// The schema of a non-body parameter, header or items object (its `type`,
    /// `format`, `items`, bounds, ...), `x-nullable` honoured.
    fn simple_schema(&self, param: &Map<String, Value>) -> Value {
        let mut schema = Map::new();
        for field in SCHEMA_FIELDS {
            if let Some(v) = param.get(*field) {
                let v = match (*field, v) {
                    ("items", Value::Object(items)) => self.simple_schema(items),
                    _ => v.clone(),
                };
                schema.insert((*field).to_string(), v);
            }
        }
        if param.get("type").is_some_and(|t| t == "file") {
            schema.insert("type".into(), json!("string"));
            schema.insert("format".into(), json!("binary"));
        }
        if let Some(n) = param.get("x-nullable") {
            schema.insert("nullable".into(), n.clone());
        }
        if let Some(r) = param.get("$ref").and_then(Value::as_str) {
            schema.insert("$ref".into(), json!(rewrite_ref(r, self.body_params)));
        }
        Value::Object(schema)
    }

    /// A 2.0 non-body parameter as a 3.0 parameter.
    fn parameter(&self, param: &Map<String, Value>) -> Value {
        if let Some(Value::String(r)) = param.get("$ref") {
            return json!({ "$ref": rewrite_ref(r, self.body_params) });
        }
        let location = param.get("in").and_then(Value::as_str).unwrap_or("query");
        let mut out = Map::new();
        for (key, value) in param {
            match key.as_str() {
                "name" | "in" | "description" | "required" | "allowEmptyValue" | "deprecated" => {
                    out.insert(key.clone(), value.clone());
                }
                "x-example" | "example" => {
                    out.insert("example".into(), value.clone());
                }
                k if k.starts_with("x-") && k != "x-nullable" => {
                    out.insert(key.clone(), self.refs(value));
                }
                _ => {}
            }
        }
        if param.get("type").is_some_and(|t| t == "array") {
            let format = param
                .get("collectionFormat")
                .and_then(Value::as_str)
                .unwrap_or("csv");
            if let Some((style, explode)) = collection_style(format, location) {
                out.insert("style".into(), json!(style));
                out.insert("explode".into(), json!(explode));
            }
        }
        out.insert("schema".into(), self.simple_schema(param));
        Value::Object(out)
    }

    /// A response header: its `type`, `items`, ... as a schema.
    fn header(&self, header: &Value) -> Value {
        let Value::Object(h) = header else {
            return header.clone();
        };
        if let Some(Value::String(r)) = h.get("$ref") {
            return json!({ "$ref": rewrite_ref(r, self.body_params) });
        }
        let mut out = Map::new();
        if let Some(d) = h.get("description") {
            out.insert("description".into(), d.clone());
        }
        for (k, v) in h {
            if k.starts_with("x-") && k != "x-nullable" {
                out.insert(k.clone(), v.clone());
            }
        }
        if h.get("type").is_some_and(|t| t == "array") {
            let format = h
                .get("collectionFormat")
                .and_then(Value::as_str)
                .unwrap_or("csv");
            if let Some((style, explode)) = collection_style(format, "header") {
                out.insert("style".into(), json!(style));
                out.insert("explode".into(), json!(explode));
            }
        }
        out.insert("schema".into(), self.simple_schema(h));
        Value::Object(out)
    }

    /// A 2.0 response: its schema under each produced media type, `examples`
    /// per media type as that media type's `example`, headers as 3.0 headers.
    fn response(&self, response: &Value, produces: &[String]) -> Value {
        let Value::Object(r) = response else {
            return response.clone();
        };
        if let Some(Value::String(reference)) = r.get("$ref") {
            return json!({ "$ref": rewrite_ref(reference, self.body_params) });
        }
        let mut out = Map::new();
        out.insert(
            "description".into(),
            r.get("description").cloned().unwrap_or(json!("")),
        );
        if let Some(Value::Object(headers)) = r.get("headers") {
            let headers: Map<String, Value> = headers
                .iter()
                .map(|(name, h)| (name.clone(), self.header(h)))
                .collect();
            out.insert("headers".into(), Value::Object(headers));
        }
        let examples = r.get("examples").and_then(Value::as_object);
        let mut content = Map::new();
        if let Some(schema) = r.get("schema") {
            let schema = self.schema(schema);
            for media in produces {
                let mut m = Map::new();
                m.insert("schema".into(), schema.clone());
                if let Some(example) = examples.and_then(|e| e.get(media)) {
                    m.insert("example".into(), example.clone());
                }
                content.insert(media.clone(), Value::Object(m));
            }
        }
        // examples for media types the operation does not list still say what
        // the answer looks like there
        for (media, example) in examples.into_iter().flatten() {
            if !content.contains_key(media) {
                let mut m = Map::new();
                if let Some(schema) = r.get("schema") {
                    m.insert("schema".into(), self.schema(schema));
                }
                m.insert("example".into(), example.clone());
                content.insert(media.clone(), Value::Object(m));
            }
        }
        if !content.is_empty() {
            out.insert("content".into(), Value::Object(content));
        }
        for (k, v) in r {
            if k.starts_with("x-") {
                out.insert(k.clone(), self.refs(v));
            }
        }
        Value::Object(out)
    }

    /// A parameter as written, or the document-level one a local `$ref` names.
    fn resolve_param<'p>(&'p self, param: &'p Value) -> Option<&'p Map<String, Value>> {
        let map = param.as_object()?;
        match map.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let name = r.strip_prefix("#/parameters/")?;
                self.root.get("parameters")?.get(name)?.as_object()
            }
            None => Some(map),
        }
    }

    /// A path item: its operations converted, path-level non-body parameters
    /// kept at the path level, body and form parameters pushed down into each
    /// operation's request body.
    fn path_item(&self, item: &Value) -> Value {
        let Value::Object(item) = item else {
            return item.clone();
        };
        let shared = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut out = Map::new();
        for (key, value) in item {
            match key.as_str() {
                "$ref" => {
                    let r = value.as_str().map(|r| rewrite_ref(r, self.body_params));
                    out.insert(key.clone(), r.map(Value::String).unwrap_or(value.clone()));
                }
                "parameters" => {
                    let kept: Vec<Value> = shared
                        .iter()
                        .filter(|p| !self.is_body_or_form(p))
                        .map(|p| self.parameter(p.as_object().unwrap_or(&Map::new())))
                        .collect();
                    if !kept.is_empty() {
                        out.insert(key.clone(), Value::Array(kept));
                    }
                }
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" => {
                    out.insert(key.clone(), self.operation(value, &shared));
                }
                _ => {
                    out.insert(key.clone(), self.refs(value));
                }
            }
        }
        Value::Object(out)
    }

    /// Whether a parameter (followed through a local `$ref`) is `in: body` or
    /// `in: formData`.
    fn is_body_or_form(&self, param: &Value) -> bool {
        self.resolve_param(param)
            .and_then(|p| p.get("in"))
            .and_then(Value::as_str)
            .is_some_and(|i| i == "body" || i == "formData")
    }

    /// The media types an operation reads or writes: its own list, else the
    /// document's, else `application/json`.
    fn media_types(&self, op: &Map<String, Value>, field: &str) -> Vec<String> {
        let list = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let own = list(op.get(field));
        if !own.is_empty() {
            return own;
        }
        let global = list(self.root.get(field));
        if !global.is_empty() {
            return global;
        }
        vec!["application/json".into()]
    }

    fn operation(&self, op: &Value, shared: &[Value]) -> Value {
        let Value::Object(op) = op else {
            return op.clone();
        };
        let consumes = self.media_types(op, "consumes");
        let produces = self.media_types(op, "produces");
        let own = op
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        // body and form parameters: the path level's, unless the operation
        // redeclares the same name and location
        let mut parts = BodyParts::default();
        let key = |p: &Map<String, Value>| {
            (
                p.get("name").and_then(Value::as_str).map(str::to_string),
                p.get("in").and_then(Value::as_str).map(str::to_string),
            )
        };
        let own_keys: Vec<_> = own
            .iter()
            .filter_map(|p| self.resolve_param(p))
            .map(key)
            .collect();
        let inherited = shared
            .iter()
            .filter(|p| {
                self.resolve_param(p)
                    .is_some_and(|r| !own_keys.contains(&key(r)))
            })
            .map(|p| (p, false));
        let mut parameters = vec![];
        for (p, is_own) in inherited.chain(own.iter().map(|p| (p, true))) {
            let resolved = self.resolve_param(p);
            match resolved.and_then(|r| r.get("in")).and_then(Value::as_str) {
                Some("body") => {
                    let local_ref = p
                        .get("$ref")
                        .and_then(Value::as_str)
                        .filter(|r| r.starts_with("#/parameters/"));
                    parts.body = Some(match local_ref {
                        Some(r) => json!({ "$ref": rewrite_ref(r, self.body_params) }),
                        None => p.clone(),
                    });
                }
                Some("formData") => {
                    if let Some(r) = resolved {
                        parts.form.push(r.clone());
                    }
                }
                _ if is_own => {
                    parameters.push(self.parameter(p.as_object().unwrap_or(&Map::new())));
                }
                // path-level non-body parameters stay at the path level
                _ => {}
            }
        }
        let mut out = Map::new();
        for (k, v) in op {
            match k.as_str() {
                "consumes" | "produces" | "schemes" | "parameters" | "responses" => {}
                _ => {
                    out.insert(k.clone(), self.refs(v));
                }
            }
        }
        if !parameters.is_empty() {
            out.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(body) = self.request_body(parts, &consumes) {
            out.insert("requestBody".into(), body);
        }
        if let Some(Value::Object(responses)) = op.get("responses") {
            let responses: Map<String, Value> = responses
                .iter()
                .map(|(code, r)| {
                    let r = if code.starts_with("x-") {
                        r.clone()
                    } else {
                        self.response(r, &produces)
                    };
                    (code.clone(), r)
                })
                .collect();
            out.insert("responses".into(), Value::Object(responses));
        }
        // an operation's own schemes narrow the servers it is reached on
        if let (Some(Value::Array(schemes)), Some(host)) = (
            op.get("schemes"),
            self.root.get("host").and_then(Value::as_str),
        ) {
            let base = self
                .root
                .get("basePath")
                .and_then(Value::as_str)
                .unwrap_or("");
            let servers: Vec<Value> = schemes
                .iter()
                .filter_map(Value::as_str)
                .map(|s| json!({ "url": format!("{s}://{host}{base}") }))
                .collect();
            if !servers.is_empty() && Some(&servers) != self.root_servers().as_ref() {
                out.insert("servers".into(), Value::Array(servers));
            }
        }
        Value::Object(out)
    }

    fn root_servers(&self) -> Option<Vec<Value>> {
        Some(servers(self.root))
    }

    /// The 3.0 `requestBody` of an operation's body or form parameters.
    fn request_body(&self, parts: BodyParts, consumes: &[String]) -> Option<Value> {
        if let Some(body) = parts.body {
            if let Some(r) = body.get("$ref") {
                return Some(json!({ "$ref": r }));
            }
            return Some(self.body_parameter(&body, consumes));
        }
        if parts.form.is_empty() {
            return None;
        }
        let mut properties = Map::new();
        let mut required = vec![];
        let mut encoding = Map::new();
        let mut has_file = false;
        for p in &parts.form {
            let Some(name) = p.get("name").and_then(Value::as_str) else {
                continue;
            };
            has_file |= p.get("type").is_some_and(|t| t == "file");
            let mut schema = self.simple_schema(p);
            if let (Some(d), Value::Object(s)) = (p.get("description"), &mut schema) {
                s.insert("description".into(), d.clone());
            }
            properties.insert(name.into(), schema);
            if p.get("required").is_some_and(|r| r == true) {
                required.push(json!(name));
            }
            if p.get("type").is_some_and(|t| t == "array") {
                let format = p
                    .get("collectionFormat")
                    .and_then(Value::as_str)
                    .unwrap_or("csv");
                if let Some((style, explode)) = collection_style(format, "formData") {
                    encoding.insert(name.into(), json!({ "style": style, "explode": explode }));
                }
            }
        }
        let mut schema = Map::new();
        schema.insert("type".into(), json!("object"));
        schema.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            schema.insert("required".into(), Value::Array(required.clone()));
        }
        let schema = Value::Object(schema);
        let form_types: Vec<&str> = consumes
            .iter()
            .map(String::as_str)
            .filter(|m| {
                m.starts_with("multipart/form-data")
                    || m.starts_with("application/x-www-form-urlencoded")
            })
            .collect();
        let media: Vec<&str> = if !form_types.is_empty() {
            form_types
        } else if has_file {
            vec!["multipart/form-data"]
        } else {
            vec!["application/x-www-form-urlencoded"]
        };
        let mut content = Map::new();
        for m in media {
            let mut entry = Map::new();
            entry.insert("schema".into(), schema.clone());
            if !encoding.is_empty() && m.starts_with("application/x-www-form-urlencoded") {
                entry.insert("encoding".into(), Value::Object(encoding.clone()));
            }
            content.insert(m.into(), Value::Object(entry));
        }
        let mut body = Map::new();
        body.insert("content".into(), Value::Object(content));
        if !required.is_empty() {
            body.insert("required".into(), json!(true));
        }
        Some(Value::Object(body))
    }

    /// An `in: body` parameter as a 3.0 request body.
    fn body_parameter(&self, body: &Value, consumes: &[String]) -> Value {
        let schema = body
            .get("schema")
            .map(|s| self.schema(s))
            .unwrap_or(json!({}));
        let examples = body.get("x-examples").and_then(Value::as_object);
        let mut content = Map::new();
        for media in consumes {
            let mut m = Map::new();
            m.insert("schema".into(), schema.clone());
            if let Some(example) = examples.and_then(|e| e.get(media)) {
                m.insert("example".into(), example.clone());
            }
            content.insert(media.clone(), Value::Object(m));
        }
        let mut out = Map::new();
        if let Some(d) = body.get("description") {
            out.insert("description".into(), d.clone());
        }
        out.insert("content".into(), Value::Object(content));
        if body.get("required").is_some_and(|r| r == true) {
            out.insert("required".into(), json!(true));
        }
        if let Some(name) = body.get("name") {
            out.insert("x-codegen-request-body-name".into(), name.clone());
        }
        for (k, v) in body.as_object().into_iter().flatten() {
            if k.starts_with("x-") && k != "x-examples" {
                out.insert(k.clone(), self.refs(v));
            }
        }
        Value::Object(out)
    }

    /// `components` from `definitions`, `parameters` (body ones become
    /// `requestBodies`), `responses` and `securityDefinitions`.
    fn components(&self) -> Map<String, Value> {
        let mut components = Map::new();
        let produces = self.media_types(&Map::new(), "produces");
        let consumes = self.media_types(&Map::new(), "consumes");
        if let Some(Value::Object(defs)) = self.root.get("definitions") {
            let schemas: Map<String, Value> = defs
                .iter()
                .map(|(name, s)| (name.clone(), self.schema(s)))
                .collect();
            components.insert("schemas".into(), Value::Object(schemas));
        }
        if let Some(Value::Object(responses)) = self.root.get("responses") {
            let responses: Map<String, Value> = responses
                .iter()
                .map(|(name, r)| (name.clone(), self.response(r, &produces)))
                .collect();
            components.insert("responses".into(), Value::Object(responses));
        }
        if let Some(Value::Object(params)) = self.root.get("parameters") {
            let mut parameters = Map::new();
            let mut bodies = Map::new();
            for (name, p) in params {
                let Some(map) = p.as_object() else { continue };
                match map.get("in").and_then(Value::as_str) {
                    Some("body") => {
                        bodies.insert(name.clone(), self.body_parameter(p, &consumes));
                    }
                    // form parameters are folded into each operation's body;
                    // kept here so refs to them still resolve
                    _ => {
                        parameters.insert(name.clone(), self.parameter(map));
                    }
                }
            }
            if !parameters.is_empty() {
                components.insert("parameters".into(), Value::Object(parameters));
            }
            if !bodies.is_empty() {
                components.insert("requestBodies".into(), Value::Object(bodies));
            }
        }
        if let Some(Value::Object(defs)) = self.root.get("securityDefinitions") {
            let schemes: Map<String, Value> = defs
                .iter()
                .map(|(name, s)| (name.clone(), security_scheme(s)))
                .collect();
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        components
    }
}

/// `collectionFormat` as 3.0 `style` and `explode` for a parameter location.
fn collection_style(format: &str, location: &str) -> Option<(&'static str, bool)> {
    let simple = matches!(location, "path" | "header");
    Some(match format {
        "csv" | "tsv" if simple => ("simple", false),
        "csv" | "tsv" => ("form", false),
        "ssv" => ("spaceDelimited", false),
        "pipes" => ("pipeDelimited", false),
        "multi" => ("form", true),
        _ => return None,
    })
}

/// A 2.0 security definition as a 3.0 security scheme.
fn security_scheme(def: &Value) -> Value {
    let Value::Object(d) = def else {
        return def.clone();
    };
    let mut out = Map::new();
    match d.get("type").and_then(Value::as_str) {
        Some("basic") => {
            out.insert("type".into(), json!("http"));
            out.insert("scheme".into(), json!("basic"));
        }
        Some("oauth2") => {
            out.insert("type".into(), json!("oauth2"));
            let flow = match d.get("flow").and_then(Value::as_str) {
                Some("application") => "clientCredentials",
                Some("accessCode") => "authorizationCode",
                Some("password") => "password",
                _ => "implicit",
            };
            let mut f = Map::new();
            for field in ["authorizationUrl", "tokenUrl"] {
                if let Some(v) = d.get(field) {
                    f.insert(field.into(), v.clone());
                }
            }
            f.insert(
                "scopes".into(),
                d.get("scopes").cloned().unwrap_or(json!({})),
            );
            out.insert("flows".into(), json!({ flow: f }));
        }
        _ => {
            for field in ["type", "name", "in"] {
                if let Some(v) = d.get(field) {
                    out.insert(field.into(), v.clone());
                }
            }
        }
    }
    for (k, v) in d {
        if k == "description" || k.starts_with("x-") {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}
