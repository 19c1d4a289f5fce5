//! Parameters as sent (path, query, header, cookie; every style and explode) read back into JSON values for validation.
//!
//! A value is split by its style (`simple`, `label`, `matrix`, `form`,
//! `spaceDelimited`, `pipeDelimited`, `deepObject`; see the OpenAPI "Style
//! Examples" table), percent-decoded, and coerced by its schema's type
//! (`integer`, `number`, `boolean`, `array`, `object`) so the schema check sees a
//! number as a number. A text that does not parse as its type stays a string, and
//! the schema check then says so ("expected an integer, got the string \"x\"").
//! Parameters given by `content` (JSON in a query) are parsed as that media type.

use crate::model::{ParamLocation, Parameter, SchemaRef, Spec, Style};
use seam_core::http::{percent_decode, percent_decode_path, ContentType};
use serde_json::{Map, Number, Value};

/// A request's parameters as sent, ready to be read by [`read`].
#[derive(Debug, Clone, Default)]
pub struct Sent<'a> {
    /// Path parameters from the router: (name, raw value, still percent-encoded).
    pub path_params: &'a [(String, String)],
    /// Query pairs, percent-decoded, in order.
    pub query: Vec<(String, String)>,
    /// Request headers as received.
    pub headers: &'a [(String, String)],
    /// Cookies from every `Cookie` header, names as sent, values percent-decoded.
    pub cookies: Vec<(String, String)>,
}

impl<'a> Sent<'a> {
    /// Splits a raw query (`a=1&b=x%20y`, without `?`) and the `Cookie` headers.
    pub fn new(
        path_params: &'a [(String, String)],
        query: Option<&str>,
        headers: &'a [(String, String)],
    ) -> Sent<'a> {
        Sent {
            path_params,
            query: query.map(parse_query).unwrap_or_default(),
            headers,
            cookies: parse_cookies(headers),
        }
    }
}

/// `a=1&b=x%20y&flag` → decoded pairs (a name alone has the empty value).
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

/// Every cookie of every `Cookie` header: `a=1; b=2`.
pub fn parse_cookies(headers: &[(String, String)]) -> Vec<(String, String)> {
    header_values(headers, "cookie")
        .into_iter()
        .flat_map(|h| h.split(';'))
        .filter_map(|c| {
            let (k, v) = c.split_once('=')?;
            Some((
                k.trim().to_string(),
                percent_decode_path(v.trim().trim_matches('"')),
            ))
        })
        .collect()
}

/// The values of a header (name compared ignoring case), in order.
pub fn header_values<'h>(headers: &'h [(String, String)], name: &str) -> Vec<&'h str> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect()
}

/// What [`read`] found for a parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// Not sent.
    Missing,
    /// Sent: its value (coerced), and whether it was sent empty (`?q=`).
    Present { value: Value, empty: bool },
}

/// Reads one parameter from a request, by its style and explode, coerced by its
/// schema. `Err` says why the value cannot be read (content that is not JSON, a
/// label value without its `.`, ...).
pub fn read(spec: &Spec, param: &Parameter, sent: &Sent<'_>) -> Result<Read, String> {
    read_shaped(param, &Shape::of(spec, param.schema.as_ref()), sent)
}

/// [`read`] with the parameter's [`Shape`] already worked out (`Shape::of` its
/// schema): what a mock does once per parameter, not once per request.
pub fn read_shaped(param: &Parameter, shape: &Shape, sent: &Sent<'_>) -> Result<Read, String> {
    let name = param.name.as_str();
    if let Some(media) = &param.content_type {
        let raw = match param.location {
            ParamLocation::Path => find(sent.path_params, name).map(percent_decode_path),
            ParamLocation::Query => find(&sent.query, name).map(str::to_string),
            ParamLocation::Header => joined_header(sent.headers, name),
            ParamLocation::Cookie => find(&sent.cookies, name).map(str::to_string),
        };
        let Some(raw) = raw else {
            return Ok(Read::Missing);
        };
        let empty = raw.is_empty();
        let value = if ContentType::parse(media).is_json() {
            serde_json::from_str(&raw)
                .map_err(|e| format!("is not valid JSON ({media}): {}", plain_json_error(&e)))?
        } else {
            Value::String(raw)
        };
        return Ok(Read::Present { value, empty });
    }
    let value = match param.location {
        ParamLocation::Path => match find(sent.path_params, name) {
            Some(raw) => Some(read_path(name, raw, param.style, param.explode, shape)?),
            None => None,
        },
        ParamLocation::Query => read_query(name, &sent.query, param.style, param.explode, shape)?,
        ParamLocation::Header => joined_header(sent.headers, name)
            .map(|raw| read_simple(&header_list(&raw), param.explode, shape, ',')),
        ParamLocation::Cookie => read_cookie(name, &sent.cookies, param.explode, shape),
    };
    Ok(match value {
        None => Read::Missing,
        Some((value, empty)) => Read::Present { value, empty },
    })
}

/// A response header read with the `simple` style, coerced by its schema.
pub fn read_header(spec: &Spec, schema: Option<&SchemaRef>, raw: &str) -> Value {
    let shape = Shape::of(spec, schema);
    read_simple(&header_list(raw), false, &shape, ',').0
}

/// A header value with the optional whitespace around its commas removed
/// (`a, b` → `a,b`).
fn header_list(raw: &str) -> String {
    raw.split(',').map(str::trim).collect::<Vec<_>>().join(",")
}

/// serde_json's message without its "at line 1 column 1" repeated as internals.
pub fn plain_json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((what, _)) => format!("{what} at line {}, column {}", e.line(), e.column()),
        None => text,
    }
}

fn find<'v>(pairs: &'v [(String, String)], name: &str) -> Option<&'v str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn joined_header(headers: &[(String, String)], name: &str) -> Option<String> {
    let values = header_values(headers, name);
    if values.is_empty() {
        None
    } else {
        Some(values.join(","))
    }
}

/// The type a parameter's schema gives its value (for coercion only: the schema
/// check decides validity).
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Primitive types in the order to try (`integer`, `number`, `boolean`,
    /// `string`, `null`); empty when the schema does not say.
    Primitive(Vec<String>),
    Array(Box<Shape>),
    /// Declared properties and the shape of any other property.
    Object(Vec<(String, Shape)>, Box<Shape>),
}

impl Shape {
    /// The shape of a schema in a spec (`$ref`s followed, `allOf` merged).
    pub fn of(spec: &Spec, schema: Option<&SchemaRef>) -> Shape {
        match schema.and_then(|s| spec.schema(s)) {
            Some(v) => Shape::from_value(&spec.document, v, 0),
            None => Shape::Primitive(Vec::new()),
        }
    }

    fn from_value(doc: &Value, schema: &Value, depth: usize) -> Shape {
        let unknown = Shape::Primitive(Vec::new());
        if depth > 16 {
            return unknown;
        }
        let schema = resolve(doc, schema);
        let types: Vec<String> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        let has = |t: &str| types.iter().any(|x| x == t);
        if has("array") || (types.is_empty() && schema.get("items").is_some()) {
            let item = schema
                .get("items")
                .map(|i| Shape::from_value(doc, i, depth + 1))
                .unwrap_or(unknown);
            return Shape::Array(Box::new(item));
        }
        if has("object") || (types.is_empty() && schema.get("properties").is_some()) {
            let mut props = Vec::new();
            collect_properties(doc, schema, depth, &mut props);
            let extra = match schema.get("additionalProperties") {
                Some(v @ Value::Object(_)) => Shape::from_value(doc, v, depth + 1),
                _ => unknown,
            };
            return Shape::Object(props, Box::new(extra));
        }
        if !types.is_empty() {
            let mut ordered: Vec<String> = Vec::new();
            for t in ["integer", "number", "boolean", "null", "string"] {
                if has(t) {
                    ordered.push(t.to_string());
                }
            }
            return Shape::Primitive(ordered);
        }
        // No type here: the first member of allOf/oneOf/anyOf that has one.
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(members)) = schema.get(key) {
                for m in members {
                    let s = Shape::from_value(doc, m, depth + 1);
                    if s != unknown {
                        return s;
                    }
                }
            }
        }
        unknown
    }

    /// One text coerced to this shape's primitive type (arrays and objects get
    /// the text as a string: their parts are split by the caller).
    pub fn coerce(&self, text: &str) -> Value {
        let Shape::Primitive(types) = self else {
            return Value::String(text.to_string());
        };
        for t in types {
            match t.as_str() {
                "integer" => {
                    if let Ok(i) = text.parse::<i64>() {
                        return Value::from(i);
                    }
                    if let Ok(u) = text.parse::<u64>() {
                        return Value::from(u);
                    }
                }
                "number" => {
                    if let Some(n) = parse_number(text) {
                        return Value::Number(n);
                    }
                }
                "boolean" => match text {
                    "true" => return Value::Bool(true),
                    "false" => return Value::Bool(false),
                    _ => {}
                },
                "null" if text.is_empty() || text == "null" => return Value::Null,
                _ => {}
            }
        }
        Value::String(text.to_string())
    }

    /// A form field's values (one per occurrence) coerced as the property `name`:
    /// an array property gets them all, any other the last one.
    pub fn property_values(&self, name: &str, values: &[String]) -> Value {
        let shape = self.property(name);
        match &shape {
            Shape::Array(item) => Value::Array(values.iter().map(|v| item.coerce(v)).collect()),
            _ => shape.coerce(values.last().map(String::as_str).unwrap_or("")),
        }
    }

    fn property(&self, name: &str) -> Shape {
        match self {
            Shape::Object(props, extra) => props
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.clone())
                .unwrap_or_else(|| (**extra).clone()),
            _ => Shape::Primitive(Vec::new()),
        }
    }
}

fn collect_properties(doc: &Value, schema: &Value, depth: usize, out: &mut Vec<(String, Shape)>) {
    if depth > 16 {
        return;
    }
    let schema = resolve(doc, schema);
    if let Some(Value::Object(props)) = schema.get("properties") {
        for (n, s) in props {
            if !out.iter().any(|(k, _)| k == n) {
                out.push((n.clone(), Shape::from_value(doc, s, depth + 1)));
            }
        }
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        for m in all {
            collect_properties(doc, m, depth + 1, out);
        }
    }
}

/// Follows `$ref`s (local, `#/...`) to the schema they name.
pub fn resolve<'v>(doc: &'v Value, mut schema: &'v Value) -> &'v Value {
    for _ in 0..32 {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with('#') => match doc.pointer(&r[1..]) {
                Some(t) => schema = t,
                None => return schema,
            },
            _ => return schema,
        }
    }
    schema
}

fn parse_number(text: &str) -> Option<Number> {
    let t = text.trim();
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    if let Ok(i) = t.parse::<i64>() {
        return Some(Number::from(i));
    }
    t.parse::<f64>().ok().and_then(Number::from_f64)
}

/// Items split by `sep`, coerced as the array's items.
fn array_of(parts: &[&str], item: &Shape) -> Value {
    Value::Array(parts.iter().map(|p| item.coerce(p)).collect())
}

/// `R,100,G,200` → an object (pairs of name and value).
fn object_of_pairs(parts: &[&str], shape: &Shape) -> Value {
    let mut map = Map::new();
    for pair in parts.chunks(2) {
        let value = pair.get(1).copied().unwrap_or("");
        map.insert(pair[0].to_string(), shape.property(pair[0]).coerce(value));
    }
    Value::Object(map)
}

/// `R=100,G=200` → an object.
fn object_of_assignments(parts: &[&str], shape: &Shape) -> Value {
    let mut map = Map::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        map.insert(k.to_string(), shape.property(k).coerce(v));
    }
    Value::Object(map)
}

/// A decoded text by the `simple` rules with `sep` between items.
fn read_simple(text: &str, explode: bool, shape: &Shape, sep: char) -> (Value, bool) {
    let empty = text.is_empty();
    let value = match shape {
        Shape::Array(item) => {
            if empty {
                Value::Array(Vec::new())
            } else {
                array_of(&text.split(sep).collect::<Vec<_>>(), item)
            }
        }
        Shape::Object(..) => {
            let parts: Vec<&str> = if empty {
                Vec::new()
            } else {
                text.split(sep).collect()
            };
            if explode {
                object_of_assignments(&parts, shape)
            } else {
                object_of_pairs(&parts, shape)
            }
        }
        Shape::Primitive(_) => shape.coerce(text),
    };
    (value, empty)
}

/// A path parameter's raw (percent-encoded) value by `simple`, `label` or `matrix`.
fn read_path(
    name: &str,
    raw: &str,
    style: Style,
    explode: bool,
    shape: &Shape,
) -> Result<(Value, bool), String> {
    let text = percent_decode_path(raw);
    match style {
        Style::Label => {
            let Some(rest) = text.strip_prefix('.') else {
                return Err(format!(
                    "expected a value starting with `.` (label style), got `{text}`"
                ));
            };
            let sep = if explode && !matches!(shape, Shape::Primitive(_)) {
                '.'
            } else {
                ','
            };
            Ok(read_simple(rest, explode, shape, sep))
        }
        Style::Matrix => {
            let Some(rest) = text.strip_prefix(';') else {
                return Err(format!(
                    "expected a value starting with `;{name}` (matrix style), got `{text}`"
                ));
            };
            if explode {
                match shape {
                    Shape::Object(..) => {
                        let parts: Vec<&str> = rest.split(';').collect();
                        Ok((object_of_assignments(&parts, shape), rest.is_empty()))
                    }
                    Shape::Array(item) => {
                        let values: Vec<&str> = rest
                            .split(';')
                            .filter_map(|p| matrix_value(p, name))
                            .collect();
                        Ok((array_of(&values, item), values.is_empty()))
                    }
                    Shape::Primitive(_) => Ok(primitive_matrix(rest, name, shape)),
                }
            } else {
                match matrix_value(rest, name) {
                    Some(v) => Ok(read_simple(v, false, shape, ',')),
                    None => Err(format!(
                        "expected `;{name}=...` (matrix style), got `{text}`"
                    )),
                }
            }
        }
        _ => Ok(read_simple(&text, explode, shape, ',')),
    }
}

fn primitive_matrix(rest: &str, name: &str, shape: &Shape) -> (Value, bool) {
    let v = matrix_value(rest, name).unwrap_or("");
    (shape.coerce(v), v.is_empty())
}

/// `color=blue` (or `color` alone) → `blue` (or empty) when the name matches.
fn matrix_value<'t>(part: &'t str, name: &str) -> Option<&'t str> {
    match part.split_once('=') {
        Some((k, v)) if k == name => Some(v),
        None if part == name => Some(""),
        _ => None,
    }
}

/// A query parameter by `form`, `spaceDelimited`, `pipeDelimited` or `deepObject`.
fn read_query(
    name: &str,
    pairs: &[(String, String)],
    style: Style,
    explode: bool,
    shape: &Shape,
) -> Result<Option<(Value, bool)>, String> {
    if style == Style::DeepObject {
        let prefix = format!("{name}[");
        let mut map = Map::new();
        let mut any = false;
        for (k, v) in pairs {
            let Some(rest) = k.strip_prefix(&prefix) else {
                continue;
            };
            any = true;
            let keys: Vec<&str> = rest.trim_end_matches(']').split("][").collect();
            insert_deep(&mut map, &keys, v, shape);
        }
        return Ok(any.then(|| (Value::Object(map), false)));
    }
    let named: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect();
    let sep = match style {
        Style::SpaceDelimited => ' ',
        Style::PipeDelimited => '|',
        _ => ',',
    };
    match shape {
        Shape::Array(item) => {
            if named.is_empty() {
                return Ok(None);
            }
            if explode {
                let empty = named.iter().all(|v| v.is_empty());
                let values: Vec<&str> = named.into_iter().filter(|v| !v.is_empty()).collect();
                Ok(Some((array_of(&values, item), empty)))
            } else {
                Ok(Some(read_simple(named[named.len() - 1], false, shape, sep)))
            }
        }
        Shape::Object(props, _) if explode && style == Style::Form => {
            // `R=100&G=200`: the object's properties are query names of their own.
            let mut map = Map::new();
            for (k, v) in pairs {
                if props.iter().any(|(n, _)| n == k) {
                    map.insert(k.clone(), shape.property(k).coerce(v));
                }
            }
            if map.is_empty() {
                return Ok(named
                    .first()
                    .map(|v| (Value::Object(Map::new()), v.is_empty())));
            }
            Ok(Some((Value::Object(map), false)))
        }
        _ => Ok(named.last().map(|v| read_simple(v, false, shape, sep))),
    }
}

fn insert_deep(map: &mut Map<String, Value>, keys: &[&str], value: &str, shape: &Shape) {
    let Some((first, rest)) = keys.split_first() else {
        return;
    };
    let sub = shape.property(first);
    if rest.is_empty() {
        let v = match &sub {
            Shape::Array(item) => {
                let mut items = match map.remove(*first) {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                };
                items.push(item.coerce(value));
                Value::Array(items)
            }
            _ => sub.coerce(value),
        };
        map.insert(first.to_string(), v);
        return;
    }
    let entry = map
        .entry(first.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(inner) = entry {
        insert_deep(inner, rest, value, &sub);
    }
}

/// A cookie parameter (`form` style).
fn read_cookie(
    name: &str,
    cookies: &[(String, String)],
    explode: bool,
    shape: &Shape,
) -> Option<(Value, bool)> {
    let named: Vec<&str> = cookies
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect();
    if named.is_empty() {
        return None;
    }
    match shape {
        Shape::Array(item) if explode && named.len() > 1 => Some((array_of(&named, item), false)),
        _ => Some(read_simple(named[0], false, shape, ',')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn prim(t: &str) -> Shape {
        Shape::Primitive(vec![t.to_string()])
    }

    #[test]
    fn coercion_follows_the_type() {
        assert_eq!(prim("integer").coerce("12"), json!(12));
        assert_eq!(prim("integer").coerce("x"), json!("x"));
        assert_eq!(prim("number").coerce("1.5"), json!(1.5));
        assert_eq!(prim("number").coerce("NaN"), json!("NaN"));
        assert_eq!(prim("boolean").coerce("true"), json!(true));
        assert_eq!(prim("string").coerce("12"), json!("12"));
    }

    #[test]
    fn query_is_split_and_decoded() {
        assert_eq!(
            parse_query("a=1&b=x%20y+z&flag"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "x y z".into()),
                ("flag".into(), String::new())
            ]
        );
    }
}
