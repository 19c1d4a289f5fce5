//! WireMock mapping files and admin-API mappings ↔ seam [`Stub`]s.
//!
//! This module owns WireMock's stub-mapping JSON format: reading a mapping (or a
//! `{"mappings": [...]}` file) into a stub, with errors that name the file, the
//! JSON path and, for syntax errors, line and column; and writing a stub back as
//! a mapping. Matchers themselves are read by [`seam_matchers`]. Keys WireMock
//! knows but seam does not implement are accepted and ignored (listed in the
//! `IGNORED_*` constants, each noted when a file is loaded); any other unknown
//! key is an error with a "did you mean" hint. A mapping file is read the way
//! WireMock's parser reads it (`//` and `/* */` comments, [`blank_comments`]),
//! each mapping on its own: one that cannot be used is skipped and placed at
//! its line and column ([`locate`]), the others are served.

use crate::sources::{error_at, LoadError};
use crate::stub::{
    Delay, Fault, MethodMatch, MultipartPattern, Origin, RequestPattern, ResponseBody, ResponseDef,
    ScenarioStep, Stub, StubSource, TemplateSegment, UrlMatcher, DEFAULT_PRIORITY,
};
use base64::Engine;
use seam_core::http::Headers;
pub(crate) use seam_core::json_at::item_starts;
pub use seam_core::json_at::locate;
use seam_core::json_at::string_end;
use seam_core::regexp::{source_of, whole, Dot};
use seam_core::source::did_you_mean;
use seam_matchers::{
    child_path, describe_json, parse_matcher, MatcherError, Parsed, StringMatcher,
};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Top-level mapping keys seam reads.
pub const STUB_KEYS: &[&str] = &[
    "id",
    "uuid",
    "name",
    "request",
    "response",
    "priority",
    "scenarioName",
    "requiredScenarioState",
    "newScenarioState",
    "persistent",
    "metadata",
];

/// Top-level WireMock keys accepted and ignored.
pub const IGNORED_STUB_KEYS: &[&str] =
    &["postServeActions", "serveEventListeners", "insertionIndex"];

/// `request` keys seam reads (`basicAuth` is WireMock's alias of
/// `basicAuthCredentials`).
pub const REQUEST_KEYS: &[&str] = &[
    "method",
    "url",
    "urlPattern",
    "urlPath",
    "urlPathPattern",
    "urlPathTemplate",
    "pathParameters",
    "queryParameters",
    "headers",
    "cookies",
    "basicAuthCredentials",
    "basicAuth",
    "bodyPatterns",
    "formParameters",
    "multipartPatterns",
    "scheme",
    "host",
    "port",
];

/// `request` keys WireMock knows that seam accepts and ignores (the stub then
/// matches without that condition).
pub const IGNORED_REQUEST_KEYS: &[&str] = &["clientIp", "methods", "customMatcher"];

/// `response` keys seam reads.
pub const RESPONSE_KEYS: &[&str] = &[
    "status",
    "statusMessage",
    "headers",
    "body",
    "jsonBody",
    "base64Body",
    "bodyFileName",
    "fixedDelayMilliseconds",
    "delayDistribution",
    "chunkedDribbleDelay",
    "fault",
    "transformers",
    "proxyBaseUrl",
    "proxyUrlPrefixToRemove",
    "additionalProxyRequestHeaders",
    "removeProxyRequestHeaders",
    "transformerParameters",
];

/// `response` keys WireMock knows that seam accepts and ignores.
pub const IGNORED_RESPONSE_KEYS: &[&str] = &["fromConfiguredStub"];

const URL_KEYS: &[&str] = &[
    "url",
    "urlPattern",
    "urlPath",
    "urlPathPattern",
    "urlPathTemplate",
];

const FAULTS: &[&str] = &[
    "EMPTY_RESPONSE",
    "MALFORMED_RESPONSE_CHUNK",
    "RANDOM_DATA_THEN_CLOSE",
    "CONNECTION_RESET_BY_PEER",
];

const RESPONSE_TEMPLATE: &str = "response-template";

/// Reads one WireMock mapping (as posted to `/__admin/mappings`). The stub
/// keeps the mapping in `original`; its source is [`StubSource::Admin`].
/// `files_dir` (the `__files` directory), when given, is where `bodyFileName`
/// must exist. An error names the JSON path at fault (`$.request.url: ...`).
pub fn stub_from_mapping(v: &Value, files_dir: Option<&Path>) -> Parsed<Stub> {
    parse_mapping(v, "$", files_dir)
}

/// Reads a mapping file: one mapping, or `{"mappings": [...]}`. Stubs get the
/// source [`StubSource::File`]. An error names the file, the line and column
/// and the JSON path at fault, or the line and column of a syntax error. The
/// first mapping that cannot be used is an error; [`crate::sources::load_all`]
/// skips it instead and serves the rest.
pub fn stubs_from_mapping_file(
    text: &str,
    file: &Path,
    files_dir: Option<&Path>,
) -> Result<Vec<Stub>, LoadError> {
    let text = blank_comments(text);
    let v: Value = serde_json::from_str(&text).map_err(|e| syntax_error(file, &e))?;
    let loaded = mapping_file(&v, &text, file, files_dir)?;
    match loaded.skipped.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(loaded.stubs),
    }
}

/// The mappings of a parsed mapping file (`text` is its source, comments
/// blanked, for positions): each mapping that cannot be used is skipped with
/// its error; a file whose shape is wrong (`mappings` not an array) is an
/// error.
pub(crate) fn mapping_file(
    doc: &Value,
    text: &str,
    file: &Path,
    files_dir: Option<&Path>,
) -> Result<crate::sources::Loaded, LoadError> {
    let mut loaded = crate::sources::Loaded::default();
    let placer = crate::sources::Placer::new(file, text);
    let placed = |e| placer.place(e);
    // a missing body file is a note here: WireMock serves the other stubs
    // and answers this one with a 500
    let add = |m: &Value, path: &str, loaded: &mut crate::sources::Loaded| match parse_mapping(
        m, path, None,
    ) {
        Ok(mut s) => {
            s.source = StubSource::File(file.to_path_buf());
            let notes = unknown_transformers(m, path)
                .into_iter()
                .chain(ignored_keys(m, path))
                .chain(missing_body_file(&s, path, files_dir));
            loaded.notes.extend(notes.map(placed));
            loaded.stubs.push(s);
        }
        Err(e) => loaded.skipped.push(placed(e)),
    };
    let Some(list) = doc.get("mappings") else {
        add(doc, "$", &mut loaded);
        return Ok(loaded);
    };
    let top = Obj::new(doc, "$", "a mappings file").map_err(placed)?;
    top.check_keys(&["mappings", "meta"], &[], "a mappings file")
        .map_err(placed)?;
    let Value::Array(items) = list else {
        return Err(placed(top.wrong_type(
            "mappings",
            "an array of mappings",
            list,
        )));
    };
    for (i, m) in items.iter().enumerate() {
        add(m, &format!("$.mappings[{i}]"), &mut loaded);
    }
    Ok(loaded)
}

/// `text` with its `//` line comments and `/* */` block comments replaced by
/// spaces (newlines kept), outside strings: what WireMock's JSON parser
/// accepts, read by a strict parser with every line and column unchanged.
pub fn blank_comments(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains('/') {
        return text.into();
    }
    let b = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut changed = false;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let end = string_end(b, i).unwrap_or(b.len());
                out.extend_from_slice(&b[i..end]);
                i = end;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                changed = true;
                while i < b.len() && b[i] != b'\n' {
                    out.push(if b[i] == b'\r' { b'\r' } else { b' ' });
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let close = text[i + 2..].find("*/").map(|e| i + 2 + e + 2);
                let Some(end) = close else {
                    // an unclosed comment stays, for the parser to place
                    out.extend_from_slice(&b[i..]);
                    break;
                };
                changed = true;
                for &c in &b[i..end] {
                    out.push(match c {
                        b'\n' | b'\r' => c,
                        // a multi-byte character keeps its column count: one
                        // space for its first byte, nothing for the rest
                        0x80..=0xBF => continue,
                        _ => b' ',
                    });
                }
                i = end;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    if !changed {
        return text.into();
    }
    String::from_utf8(out)
        .map(Into::into)
        .unwrap_or_else(|_| text.into())
}

/// A JSON syntax error at its line and column, in words without serde's
/// trailing position.
pub(crate) fn syntax_error(file: &Path, e: &serde_json::Error) -> LoadError {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    // at the end of the input serde says column 0
    error_at(
        file,
        e.line(),
        e.column().max(1),
        format!("invalid JSON: {message}"),
    )
}

/// The mapping for a stub: the mapping it was read from (with its id), else
/// one written from the model ([`mapping_from_model`]).
pub fn stub_to_mapping(stub: &Stub) -> Value {
    match stub.original.as_ref().map(crate::stub::Original::value) {
        Some(Value::Object(mut m)) => {
            m.insert("id".into(), json!(stub.id.to_string()));
            m.insert("uuid".into(), json!(stub.id.to_string()));
            Value::Object(m)
        }
        _ => mapping_from_model(stub),
    }
}

// ---------------------------------------------------------------------------
// Reading

/// An object being read, with its location for errors.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    fn new(v: &'a Value, path: &str, what: &str) -> Parsed<Self> {
        match v {
            Value::Object(map) => Ok(Obj {
                map,
                path: path.to_string(),
            }),
            other => Err(MatcherError::new(
                path,
                format!("{what} must be an object, not {}", describe_json(other)),
            )),
        }
    }

    fn at(&self, key: &str) -> String {
        child_path(&self.path, key)
    }

    /// Rejects keys that are neither read nor knowingly ignored.
    fn check_keys(&self, known: &[&str], ignored: &[&str], what: &str) -> Parsed<()> {
        for key in self.map.keys() {
            if !known.contains(&key.as_str()) && !ignored.contains(&key.as_str()) {
                let mut all = known.to_vec();
                all.extend_from_slice(ignored);
                return Err(MatcherError::new(
                    self.at(key),
                    format!(
                        "unknown key `{key}` in {what}{}",
                        did_you_mean(key, all.iter().copied())
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A present, non-null value.
    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn required(&self, key: &str, what: &str) -> Parsed<&'a Value> {
        self.get(key)
            .ok_or_else(|| MatcherError::new(&self.path, format!("{what} needs `{key}`")))
    }

    fn wrong_type(&self, key: &str, wanted: &str, v: &Value) -> MatcherError {
        MatcherError::new(
            self.at(key),
            format!("`{key}` needs {wanted}, not {}", describe_json(v)),
        )
    }

    fn string(&self, key: &str) -> Parsed<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(self.wrong_type(key, "a string", v)),
        }
    }

    fn boolean(&self, key: &str) -> Parsed<Option<bool>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(self.wrong_type(key, "true or false", v)),
        }
    }

    fn unsigned(&self, key: &str) -> Parsed<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(key, "a whole number ≥ 0", v)),
        }
    }

    fn number(&self, key: &str) -> Parsed<Option<f64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| self.wrong_type(key, "a number", v)),
        }
    }

    fn object(&self, key: &str) -> Parsed<Option<Obj<'a>>> {
        self.get(key)
            .map(|v| Obj::new(v, &self.at(key), &format!("`{key}`")))
            .transpose()
    }
}

fn parse_mapping(v: &Value, path: &str, files_dir: Option<&Path>) -> Parsed<Stub> {
    let o = Obj::new(v, path, "a mapping")?;
    o.check_keys(STUB_KEYS, IGNORED_STUB_KEYS, "a mapping")?;
    let request = parse_request(o.required("request", "a mapping")?, &o.at("request"))?;
    let response = parse_response(
        o.required("response", "a mapping")?,
        &o.at("response"),
        files_dir,
    )?;
    let mut stub = Stub::new(request, response);
    if let Some(id) = parse_id(&o)? {
        stub.id = id;
    }
    stub.name = o.string("name")?.map(str::to_string);
    stub.priority = parse_priority(&o)?;
    stub.scenario = parse_scenario(&o)?;
    stub.persistent = o.boolean("persistent")?.unwrap_or(false);
    stub.metadata = o.object("metadata")?.map(|m| Value::Object(m.map.clone()));
    stub.original = Some(crate::stub::Original::new(v));
    Ok(stub)
}

fn parse_uuid(o: &Obj<'_>, key: &str) -> Parsed<Option<Uuid>> {
    o.string(key)?
        .map(|s| {
            Uuid::parse_str(s)
                .map_err(|e| MatcherError::new(o.at(key), format!("`{key}` is not a UUID: {e}")))
        })
        .transpose()
}

fn parse_id(o: &Obj<'_>) -> Parsed<Option<Uuid>> {
    let (id, uuid) = (parse_uuid(o, "id")?, parse_uuid(o, "uuid")?);
    match (id, uuid) {
        (Some(a), Some(b)) if a != b => Err(MatcherError::new(
            o.at("uuid"),
            format!("`uuid` ({b}) differs from `id` ({a})"),
        )),
        (a, b) => Ok(a.or(b)),
    }
}

fn parse_priority(o: &Obj<'_>) -> Parsed<i32> {
    match o.get("priority") {
        None => Ok(DEFAULT_PRIORITY),
        Some(v) => v
            .as_i64()
            .and_then(|p| i32::try_from(p).ok())
            .ok_or_else(|| o.wrong_type("priority", "a whole number", v)),
    }
}

fn parse_scenario(o: &Obj<'_>) -> Parsed<Option<ScenarioStep>> {
    let required_state = o.string("requiredScenarioState")?.map(str::to_string);
    let new_state = o.string("newScenarioState")?.map(str::to_string);
    match o.string("scenarioName")? {
        Some(name) => Ok(Some(ScenarioStep {
            scenario: name.to_string(),
            required_state,
            new_state,
        })),
        None => match ["requiredScenarioState", "newScenarioState"]
            .into_iter()
            .find(|k| o.get(k).is_some())
        {
            Some(k) => Err(MatcherError::new(
                o.at(k),
                format!("`{k}` needs `scenarioName`"),
            )),
            None => Ok(None),
        },
    }
}

fn parse_request(v: &Value, path: &str) -> Parsed<RequestPattern> {
    let o = Obj::new(v, path, "`request`")?;
    o.check_keys(REQUEST_KEYS, IGNORED_REQUEST_KEYS, "`request`")?;
    let url = parse_url(&o)?;
    Ok(RequestPattern {
        method: parse_method(&o)?,
        path_parameters: parse_path_parameters(&o, &url)?,
        url,
        query: parse_named(&o, "queryParameters", true)?,
        headers: parse_named(&o, "headers", true)?,
        cookies: parse_named(&o, "cookies", false)?,
        basic_auth: parse_basic_auth(&o)?,
        body_patterns: parse_body_patterns(&o)?,
        form: parse_named(&o, "formParameters", true)?,
        multipart: parse_multipart(&o)?,
        origin: parse_origin(&o)?,
        ..Default::default()
    })
}

fn parse_method(o: &Obj<'_>) -> Parsed<MethodMatch> {
    let Some(m) = o.string("method")? else {
        return Ok(MethodMatch::Any);
    };
    seam_core::http::check_method(m).map_err(|e| MatcherError::new(o.at("method"), e))?;
    Ok(MethodMatch::parse(m))
}

/// The URL matcher: with several URL keys, the first of `url`,
/// `urlPattern`, `urlPath`, `urlPathPattern`, `urlPathTemplate` counts and
/// the others are ignored, as WireMock reads them.
fn parse_url(o: &Obj<'_>) -> Parsed<UrlMatcher> {
    let Some(key) = URL_KEYS.iter().copied().find(|k| o.get(k).is_some()) else {
        return Ok(UrlMatcher::Any);
    };
    let text = o.string(key)?.unwrap_or_default();
    let regex = |t: &str| whole(t, Dot::All).map_err(|e| MatcherError::new(o.at(key), e));
    Ok(match key {
        "url" => UrlMatcher::Url(text.to_string()),
        "urlPattern" => UrlMatcher::UrlPattern(regex(text)?),
        "urlPath" => UrlMatcher::UrlPath(text.to_string()),
        "urlPathPattern" => UrlMatcher::UrlPathPattern(regex(text)?),
        _ => UrlMatcher::UrlPathTemplate(
            crate::matching::parse_template(text).map_err(|e| MatcherError::new(o.at(key), e))?,
        ),
    })
}

fn parse_path_parameters(o: &Obj<'_>, url: &UrlMatcher) -> Parsed<Vec<(String, StringMatcher)>> {
    let params = parse_named(o, "pathParameters", false)?;
    if params.is_empty() {
        return Ok(params);
    }
    let UrlMatcher::UrlPathTemplate(t) = url else {
        return Err(MatcherError::new(
            o.at("pathParameters"),
            "`pathParameters` needs `urlPathTemplate`",
        ));
    };
    for (name, _) in &params {
        let known = t
            .segments
            .iter()
            .any(|s| matches!(s, TemplateSegment::Param(p) if p == name));
        if !known {
            return Err(MatcherError::new(
                child_path(&o.at("pathParameters"), name),
                format!("`{name}` is not a parameter of `{}`", t.source),
            ));
        }
    }
    Ok(params)
}

/// A map of name → matcher (query parameters, headers, cookies, path
/// parameters). `hasExactly`/`includes` only where several values can arrive.
fn parse_named(o: &Obj<'_>, key: &str, multi: bool) -> Parsed<Vec<(String, StringMatcher)>> {
    let Some(map) = o.object(key)? else {
        return Ok(Vec::new());
    };
    map.map
        .iter()
        .map(|(name, v)| {
            let at = map.at(name);
            let m = parse_matcher(v, &at)?;
            if !multi {
                reject_multi(&m, &at, key)?;
            }
            Ok((name.clone(), m))
        })
        .collect()
}

fn reject_multi(m: &StringMatcher, path: &str, what: &str) -> Parsed<()> {
    match m {
        StringMatcher::HasExactly(_) | StringMatcher::Includes(_) => Err(MatcherError::new(
            path,
            format!("`hasExactly`/`includes` apply to query parameters and headers, not to {what}"),
        )),
        _ => Ok(()),
    }
}

fn parse_basic_auth(o: &Obj<'_>) -> Parsed<Option<(String, String)>> {
    let key = match (o.get("basicAuthCredentials"), o.get("basicAuth")) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(MatcherError::new(
                o.at("basicAuth"),
                "give `basicAuthCredentials` or `basicAuth`, not both",
            ))
        }
        (Some(_), None) => "basicAuthCredentials",
        (None, Some(_)) => "basicAuth",
    };
    let creds = o.object(key)?.expect("present");
    creds.check_keys(&["username", "password"], &[], &format!("`{key}`"))?;
    let field = |k: &str| -> Parsed<String> {
        creds
            .string(k)?
            .map(str::to_string)
            .ok_or_else(|| MatcherError::new(&creds.path, format!("`{key}` needs `{k}`")))
    };
    Ok(Some((field("username")?, field("password")?)))
}

fn parse_body_patterns(o: &Obj<'_>) -> Parsed<Vec<StringMatcher>> {
    let Some(v) = o.get("bodyPatterns") else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = v else {
        return Err(o.wrong_type("bodyPatterns", "an array of matchers", v));
    };
    seam_matchers::check_matcher_count("bodyPatterns", items.len())
        .map_err(|e| MatcherError::new(o.at("bodyPatterns"), e))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("{}[{i}]", o.at("bodyPatterns"));
            let m = parse_matcher(item, &at)?;
            reject_multi(&m, &at, "bodies")?;
            Ok(m)
        })
        .collect()
}

/// `scheme`, `host` (a matcher) and `port` (a number, or a string holding
/// one, as WireMock reads it).
fn parse_origin(o: &Obj<'_>) -> Parsed<Option<Box<Origin>>> {
    let scheme = match o.string("scheme")? {
        None => None,
        Some(s @ ("http" | "https")) => Some(s.to_string()),
        Some(other) => {
            return Err(MatcherError::new(
                o.at("scheme"),
                format!("`scheme` is http or https, not `{other}`"),
            ))
        }
    };
    let host = o
        .get("host")
        .map(|v| parse_matcher(v, &o.at("host")))
        .transpose()?;
    let port = match o.get("port") {
        None => None,
        Some(v) => Some(
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| o.wrong_type("port", "a port number", v))?,
        ),
    };
    let origin = Origin { scheme, host, port };
    let given = origin.scheme.is_some() || origin.host.is_some() || origin.port.is_some();
    Ok(given.then(|| Box::new(origin)))
}

/// `multipartPatterns`: `[{"matchingType": "ANY"|"ALL", "headers": {...},
/// "bodyPatterns": [...]}]`.
fn parse_multipart(o: &Obj<'_>) -> Parsed<Vec<MultipartPattern>> {
    let Some(v) = o.get("multipartPatterns") else {
        return Ok(Vec::new());
    };
    let Value::Array(items) = v else {
        return Err(o.wrong_type("multipartPatterns", "an array of part patterns", v));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("{}[{i}]", o.at("multipartPatterns"));
            let p = Obj::new(item, &at, "a multipart pattern")?;
            p.check_keys(
                &["matchingType", "headers", "bodyPatterns"],
                &["name"],
                "a multipart pattern",
            )?;
            let all = match p.string("matchingType")? {
                None | Some("ANY") => false,
                Some("ALL") => true,
                Some(other) => {
                    return Err(MatcherError::new(
                        p.at("matchingType"),
                        format!(
                            "unknown `matchingType` `{other}`; expected ANY or ALL{}",
                            did_you_mean(other, ["ANY", "ALL"])
                        ),
                    ))
                }
            };
            Ok(MultipartPattern {
                all,
                headers: parse_named(&p, "headers", true)?,
                body_patterns: parse_body_patterns(&p)?,
            })
        })
        .collect()
}

fn parse_response(v: &Value, path: &str, files_dir: Option<&Path>) -> Parsed<ResponseDef> {
    let o = Obj::new(v, path, "`response`")?;
    o.check_keys(RESPONSE_KEYS, IGNORED_RESPONSE_KEYS, "`response`")?;
    let templated = parse_transformers(&o)?;
    let def = ResponseDef {
        status: parse_status(&o)?,
        status_message: parse_status_message(&o)?,
        headers: parse_headers(&o, "headers")?,
        body: parse_body(&o, files_dir)?,
        templated,
        delay: parse_delay(&o)?,
        chunked_dribble: parse_dribble(&o)?,
        fault: parse_fault(&o)?,
        proxy_base_url: o.string("proxyBaseUrl")?.map(str::to_string),
        extras: parse_extras(&o)?,
        ..Default::default()
    };
    def.compile_templates().map_err(|e| {
        let message = format!("invalid template: {}", crate::template::describe(&e.error));
        MatcherError::new(template_path(&o, &e.field), message)
    })?;
    Ok(def)
}

/// Where a template that does not compile is: `$.response.body` (or
/// `jsonBody`, `base64Body`), `$.response.headers.X-Id` (`[i]` in a list).
fn template_path(o: &Obj<'_>, field: &crate::template::TemplateField) -> String {
    match field {
        crate::template::TemplateField::Body => {
            let key = ["body", "jsonBody", "base64Body"]
                .into_iter()
                .find(|k| o.get(k).is_some())
                .unwrap_or("body");
            o.at(key)
        }
        crate::template::TemplateField::BodyFile => o.at("bodyFileName"),
        crate::template::TemplateField::ProxyUrl => o.at("proxyBaseUrl"),
        crate::template::TemplateField::Header { name, index } => {
            let at = child_path(&o.at("headers"), name);
            match o.get("headers").and_then(|h| h.get(name)) {
                Some(Value::Array(_)) => format!("{at}[{index}]"),
                _ => at,
            }
        }
    }
}

fn parse_status_message(o: &Obj<'_>) -> Parsed<Option<String>> {
    let Some(m) = o.string("statusMessage")? else {
        return Ok(None);
    };
    crate::respond::check_status_message(m)
        .map_err(|e| MatcherError::new(o.at("statusMessage"), e))?;
    Ok(Some(m.to_string()))
}

/// `status`: a number, or a string holding one (`"200"`), which WireMock
/// also reads.
fn parse_status(o: &Obj<'_>) -> Parsed<u16> {
    match o.get("status") {
        None => Ok(200),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .filter(|s| (100..=999).contains(s))
            .map(|s| s as u16)
            .ok_or_else(|| o.wrong_type("status", "an HTTP status (100 to 999)", v)),
    }
}

/// The proxy request rewriting and `transformerParameters` of a response.
fn parse_extras(o: &Obj<'_>) -> Parsed<Option<Box<crate::respond::ResponseExtras>>> {
    let remove = match o.get("removeProxyRequestHeaders") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(MatcherError::new(
                    format!("{}[{i}]", o.at("removeProxyRequestHeaders")),
                    format!(
                        "a header name must be a string, not {}",
                        describe_json(other)
                    ),
                )),
            })
            .collect::<Parsed<_>>()?,
        Some(v) => {
            return Err(o.wrong_type("removeProxyRequestHeaders", "an array of header names", v))
        }
    };
    let parameters = match o.get("transformerParameters") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(v) => return Err(o.wrong_type("transformerParameters", "an object", v)),
    };
    let extras = crate::respond::ResponseExtras {
        proxy_url_prefix_to_remove: o.string("proxyUrlPrefixToRemove")?.map(str::to_string),
        additional_proxy_request_headers: parse_headers(o, "additionalProxyRequestHeaders")?,
        remove_proxy_request_headers: remove,
        transformer_parameters: parameters,
    };
    Ok((extras != Default::default()).then(|| Box::new(extras)))
}

fn parse_headers(o: &Obj<'_>, key: &str) -> Parsed<Headers> {
    let mut headers = Headers::new();
    let Some(map) = o.object(key)? else {
        return Ok(headers);
    };
    for (name, v) in map.map {
        let check = |at: String, value: &str| {
            crate::respond::check_header(name, value).map_err(|e| MatcherError::new(at, e))
        };
        match v {
            Value::String(s) => {
                check(map.at(name), s)?;
                headers.append(name.as_str(), s.as_str())
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let Value::String(s) = item else {
                        return Err(MatcherError::new(
                            format!("{}[{i}]", map.at(name)),
                            format!(
                                "a header value must be a string, not {}",
                                describe_json(item)
                            ),
                        ));
                    };
                    check(format!("{}[{i}]", map.at(name)), s)?;
                    headers.append(name.as_str(), s.as_str());
                }
            }
            other => return Err(map.wrong_type(name, "a string or an array of strings", other)),
        }
    }
    Ok(headers)
}

fn parse_body(o: &Obj<'_>, files_dir: Option<&Path>) -> Parsed<ResponseBody> {
    let given: Vec<&str> = ["body", "jsonBody", "base64Body", "bodyFileName"]
        .into_iter()
        .filter(|k| o.get(k).is_some())
        .collect();
    let key = match given.as_slice() {
        [] => return Ok(ResponseBody::None),
        [key] => *key,
        [first, second, ..] => {
            return Err(MatcherError::new(
                o.at(second),
                format!("give one body: `{first}` or `{second}`"),
            ))
        }
    };
    Ok(match key {
        "body" => match o.get(key) {
            Some(Value::String(s)) => ResponseBody::Text(s.clone()),
            Some(v) => return Err(o.wrong_type(key, "a string (for JSON use `jsonBody`)", v)),
            None => unreachable!(),
        },
        "jsonBody" => ResponseBody::Json(o.get(key).cloned().unwrap_or(Value::Null)),
        "base64Body" => ResponseBody::Bytes(decode_base64(o, key)?),
        _ => ResponseBody::File(body_file(o, files_dir)?),
    })
}

fn decode_base64(o: &Obj<'_>, key: &str) -> Parsed<Vec<u8>> {
    let text = o.string(key)?.unwrap_or_default();
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| MatcherError::new(o.at(key), format!("invalid base64: {e}")))
}

/// `bodyFileName`, checked against `files_dir` unless it is a template.
fn body_file(o: &Obj<'_>, files_dir: Option<&Path>) -> Parsed<PathBuf> {
    let name = o.string("bodyFileName")?.unwrap_or_default();
    let path = PathBuf::from(name);
    crate::respond::check_body_file(&path)
        .map_err(|e| MatcherError::new(o.at("bodyFileName"), e))?;
    if let Some(dir) = files_dir.filter(|_| !name.contains("{{")) {
        if !dir.join(&path).is_file() {
            return Err(MatcherError::new(
                o.at("bodyFileName"),
                format!("`{name}` not found in {}", dir.display()),
            ));
        }
    }
    Ok(path)
}

fn parse_delay(o: &Obj<'_>) -> Parsed<Option<Delay>> {
    let fixed = o.unsigned("fixedDelayMilliseconds")?;
    let dist = o.object("delayDistribution")?;
    match (fixed, dist) {
        (Some(_), Some(_)) => Err(MatcherError::new(
            o.at("delayDistribution"),
            "give `fixedDelayMilliseconds` or `delayDistribution`, not both",
        )),
        (Some(ms), None) => crate::stub::check_delay_ms("fixedDelayMilliseconds", ms)
            .map(|milliseconds| Some(Delay::Fixed { milliseconds }))
            .map_err(|e| MatcherError::new(o.at("fixedDelayMilliseconds"), e)),
        (None, Some(d)) => {
            let delay = parse_distribution(&d)?;
            delay
                .check()
                .map_err(|(field, e)| MatcherError::new(d.at(field), e))?;
            Ok(Some(delay))
        }
        (None, None) => Ok(None),
    }
}

fn parse_distribution(d: &Obj<'_>) -> Parsed<Delay> {
    let kind = d
        .string("type")?
        .ok_or_else(|| MatcherError::new(&d.path, "`delayDistribution` needs `type`"))?;
    let need = |k: &str| MatcherError::new(&d.path, format!("a {kind} delay needs `{k}`"));
    match kind {
        "uniform" => {
            d.check_keys(&["type", "lower", "upper"], &[], "a uniform delay")?;
            let lower = d.unsigned("lower")?.ok_or_else(|| need("lower"))?;
            let upper = d.unsigned("upper")?.ok_or_else(|| need("upper"))?;
            if lower > upper {
                return Err(MatcherError::new(
                    d.at("upper"),
                    format!("`upper` ({upper}) is below `lower` ({lower})"),
                ));
            }
            Ok(Delay::Uniform { lower, upper })
        }
        "lognormal" => {
            d.check_keys(
                &["type", "median", "sigma"],
                &["maxValue"],
                "a lognormal delay",
            )?;
            Ok(Delay::LogNormal {
                median: d.number("median")?.ok_or_else(|| need("median"))?,
                sigma: d.number("sigma")?.ok_or_else(|| need("sigma"))?,
            })
        }
        "fixed" => {
            d.check_keys(&["type", "milliseconds"], &[], "a fixed delay")?;
            let ms = d
                .unsigned("milliseconds")?
                .ok_or_else(|| need("milliseconds"))?;
            Ok(Delay::Fixed { milliseconds: ms })
        }
        other => {
            let kinds = ["uniform", "lognormal", "fixed"];
            Err(MatcherError::new(
                d.at("type"),
                format!(
                    "unknown delay type `{other}`; expected uniform, lognormal or fixed{}",
                    did_you_mean(other, kinds.iter().copied())
                ),
            ))
        }
    }
}

fn parse_dribble(o: &Obj<'_>) -> Parsed<Option<(u32, u64)>> {
    let Some(d) = o.object("chunkedDribbleDelay")? else {
        return Ok(None);
    };
    d.check_keys(
        &["numberOfChunks", "totalDuration"],
        &[],
        "`chunkedDribbleDelay`",
    )?;
    let need = |k: &str| MatcherError::new(&d.path, format!("`chunkedDribbleDelay` needs `{k}`"));
    let chunks = d
        .unsigned("numberOfChunks")?
        .ok_or_else(|| need("numberOfChunks"))?;
    let total = d
        .unsigned("totalDuration")?
        .ok_or_else(|| need("totalDuration"))?;
    crate::stub::check_delay_ms("totalDuration", total)
        .map_err(|e| MatcherError::new(d.at("totalDuration"), e))?;
    let chunks = u32::try_from(chunks)
        .ok()
        .filter(|c| *c >= 1)
        .ok_or_else(|| {
            MatcherError::new(
                d.at("numberOfChunks"),
                "`numberOfChunks` must be at least 1",
            )
        })?;
    Ok(Some((chunks, total)))
}

fn parse_fault(o: &Obj<'_>) -> Parsed<Option<Fault>> {
    let Some(name) = o.string("fault")? else {
        return Ok(None);
    };
    Fault::parse(name).map(Some).ok_or_else(|| {
        MatcherError::new(
            o.at("fault"),
            format!(
                "unknown fault `{name}`; expected one of {}{}",
                FAULTS.join(", "),
                did_you_mean(name, FAULTS.iter().copied())
            ),
        )
    })
}

/// `transformers`: `response-template` makes the response templated; other
/// names are ignored, as WireMock ignores transformers it does not have (a
/// mapping file's loader notes them, [`unknown_transformers`]).
fn parse_transformers(o: &Obj<'_>) -> Parsed<bool> {
    let Some(v) = o.get("transformers") else {
        return Ok(false);
    };
    let Value::Array(items) = v else {
        return Err(o.wrong_type("transformers", "an array of names", v));
    };
    let mut templated = false;
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(RESPONSE_TEMPLATE) => templated = true,
            Some(_) => {}
            None => {
                return Err(MatcherError::new(
                    format!("{}[{i}]", o.at("transformers")),
                    format!(
                        "a transformer name must be a string, not {}",
                        describe_json(item)
                    ),
                ))
            }
        }
    }
    Ok(templated)
}

/// The transformer names in a mapping (at `path`) that seam does not have,
/// each as a note saying it is ignored (with a "did you mean" for a typo).
fn unknown_transformers(mapping: &Value, path: &str) -> Vec<MatcherError> {
    let Some(Value::Array(items)) = mapping.pointer("/response/transformers") else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let name = item.as_str().filter(|n| *n != RESPONSE_TEMPLATE)?;
            Some(MatcherError::new(
                format!("{path}.response.transformers[{i}]"),
                format!(
                    "unknown transformer `{name}` is ignored, as WireMock ignores it{}",
                    did_you_mean(name, [RESPONSE_TEMPLATE])
                ),
            ))
        })
        .collect()
}

/// Notes for the WireMock features a mapping uses that seam accepts and
/// ignores: webhooks (`serveEventListeners`, `postServeActions`) are not
/// called, and the request conditions `clientIp`, `customMatcher` and
/// `methods` are not checked, so the stub matches without them.
fn ignored_keys(mapping: &Value, path: &str) -> Vec<MatcherError> {
    let present = |v: Option<&Value>| match v {
        None | Some(Value::Null) => false,
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    };
    let mut out = Vec::new();
    for key in ["serveEventListeners", "postServeActions"] {
        if present(mapping.get(key)) {
            out.push(MatcherError::new(
                child_path(path, key),
                format!("`{key}` (webhooks and other serve actions) is not supported by seam: nothing is called after the answer"),
            ));
        }
    }
    for key in ["clientIp", "customMatcher", "methods"] {
        if present(mapping.get("request").and_then(|r| r.get(key))) {
            out.push(MatcherError::new(
                child_path(&child_path(path, "request"), key),
                format!("`{key}` is not supported by seam: the stub matches without it"),
            ));
        }
    }
    out
}

/// A note for a `bodyFileName` missing from `files_dir`: WireMock loads the
/// stub and answers it with a 500, and so does seam.
fn missing_body_file(stub: &Stub, path: &str, files_dir: Option<&Path>) -> Option<MatcherError> {
    let (ResponseBody::File(name), Some(dir)) = (&stub.response.body, files_dir) else {
        return None;
    };
    let templated = name.to_string_lossy().contains("{{");
    (!templated && !dir.join(name).is_file()).then(|| {
        MatcherError::new(
            format!("{path}.response.bodyFileName"),
            format!(
                "`{}` not found in {}; the stub answers 500 until it exists, as in WireMock",
                name.display(),
                dir.display()
            ),
        )
    })
}

// ---------------------------------------------------------------------------
// Writing

/// A WireMock mapping written from the stub's model (ignores `original`).
/// Pact expectations and chaos have no WireMock form and are left out.
pub fn mapping_from_model(stub: &Stub) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(stub.id.to_string()));
    m.insert("uuid".into(), json!(stub.id.to_string()));
    if let Some(name) = &stub.name {
        m.insert("name".into(), json!(name));
    }
    m.insert("request".into(), request_json(&stub.request));
    m.insert("response".into(), response_json(&stub.response));
    if stub.priority != DEFAULT_PRIORITY {
        m.insert("priority".into(), json!(stub.priority));
    }
    if let Some(s) = &stub.scenario {
        m.insert("scenarioName".into(), json!(s.scenario));
        insert_opt(&mut m, "requiredScenarioState", s.required_state.as_deref());
        insert_opt(&mut m, "newScenarioState", s.new_state.as_deref());
    }
    if stub.persistent {
        m.insert("persistent".into(), json!(true));
    }
    if let Some(meta) = &stub.metadata {
        m.insert("metadata".into(), meta.clone());
    }
    Value::Object(m)
}

fn insert_opt(m: &mut Map<String, Value>, key: &str, v: Option<&str>) {
    if let Some(v) = v {
        m.insert(key.into(), json!(v));
    }
}

fn named_json(m: &mut Map<String, Value>, key: &str, items: &[(String, StringMatcher)]) {
    if items.is_empty() {
        return;
    }
    let obj: Map<String, Value> = items
        .iter()
        .map(|(n, matcher)| (n.clone(), matcher.to_wiremock_json()))
        .collect();
    m.insert(key.into(), Value::Object(obj));
}

fn request_json(r: &RequestPattern) -> Value {
    let mut m = Map::new();
    m.insert("method".into(), json!(r.method.as_str()));
    match &r.url {
        UrlMatcher::Any => {}
        UrlMatcher::Url(u) => insert_opt(&mut m, "url", Some(u)),
        UrlMatcher::UrlPattern(re) => insert_opt(&mut m, "urlPattern", Some(source_of(re))),
        UrlMatcher::UrlPath(p) => insert_opt(&mut m, "urlPath", Some(p)),
        UrlMatcher::UrlPathPattern(re) => insert_opt(&mut m, "urlPathPattern", Some(source_of(re))),
        UrlMatcher::UrlPathTemplate(t) => insert_opt(&mut m, "urlPathTemplate", Some(&t.source)),
    }
    named_json(&mut m, "pathParameters", &r.path_parameters);
    named_json(&mut m, "queryParameters", &r.query);
    named_json(&mut m, "headers", &r.headers);
    named_json(&mut m, "cookies", &r.cookies);
    if let Some((user, pass)) = &r.basic_auth {
        m.insert(
            "basicAuthCredentials".into(),
            json!({"username": user, "password": pass}),
        );
    }
    if let Some(origin) = &r.origin {
        insert_opt(&mut m, "scheme", origin.scheme.as_deref());
        if let Some(h) = &origin.host {
            m.insert("host".into(), h.to_wiremock_json());
        }
        if let Some(p) = origin.port {
            m.insert("port".into(), json!(p));
        }
    }
    named_json(&mut m, "formParameters", &r.form);
    body_patterns_json(&mut m, &r.body_patterns);
    if !r.multipart.is_empty() {
        let parts: Vec<Value> = r
            .multipart
            .iter()
            .map(|p| {
                let mut pm = Map::new();
                let kind = if p.all { "ALL" } else { "ANY" };
                pm.insert("matchingType".into(), json!(kind));
                named_json(&mut pm, "headers", &p.headers);
                body_patterns_json(&mut pm, &p.body_patterns);
                Value::Object(pm)
            })
            .collect();
        m.insert("multipartPatterns".into(), Value::Array(parts));
    }
    Value::Object(m)
}

fn body_patterns_json(m: &mut Map<String, Value>, patterns: &[StringMatcher]) {
    if !patterns.is_empty() {
        let patterns: Vec<Value> = patterns
            .iter()
            .map(StringMatcher::to_wiremock_json)
            .collect();
        m.insert("bodyPatterns".into(), Value::Array(patterns));
    }
}

fn response_json(r: &ResponseDef) -> Value {
    let mut m = Map::new();
    m.insert("status".into(), json!(r.status));
    insert_opt(&mut m, "statusMessage", r.status_message.as_deref());
    if !r.headers.is_empty() {
        let headers: Map<String, Value> = r
            .headers
            .iter()
            .map(|(n, vs)| match vs {
                [one] => (n.to_string(), json!(one)),
                many => (n.to_string(), json!(many)),
            })
            .collect();
        m.insert("headers".into(), Value::Object(headers));
    }
    body_json(&mut m, &r.body);
    delay_json(&mut m, r);
    if let Some(f) = r.fault {
        m.insert("fault".into(), json!(f.name()));
    }
    if r.templated {
        m.insert("transformers".into(), json!([RESPONSE_TEMPLATE]));
    }
    insert_opt(&mut m, "proxyBaseUrl", r.proxy_base_url.as_deref());
    Value::Object(m)
}

fn body_json(m: &mut Map<String, Value>, body: &ResponseBody) {
    let (key, v) = match body {
        ResponseBody::None => return,
        ResponseBody::Text(s) => ("body", json!(s)),
        ResponseBody::Json(v) => ("jsonBody", v.clone()),
        ResponseBody::Bytes(b) => (
            "base64Body",
            json!(base64::engine::general_purpose::STANDARD.encode(b)),
        ),
        ResponseBody::File(p) => ("bodyFileName", json!(p.to_string_lossy())),
    };
    m.insert(key.into(), v);
}

fn delay_json(m: &mut Map<String, Value>, r: &ResponseDef) {
    match &r.delay {
        None => {}
        Some(Delay::Fixed { milliseconds }) => {
            m.insert("fixedDelayMilliseconds".into(), json!(milliseconds));
        }
        Some(Delay::Uniform { lower, upper }) => {
            m.insert(
                "delayDistribution".into(),
                json!({"type": "uniform", "lower": lower, "upper": upper}),
            );
        }
        Some(Delay::LogNormal { median, sigma }) => {
            m.insert(
                "delayDistribution".into(),
                json!({"type": "lognormal", "median": median, "sigma": sigma}),
            );
        }
    }
    if let Some((chunks, total)) = r.chunked_dribble {
        m.insert(
            "chunkedDribbleDelay".into(),
            json!({"numberOfChunks": chunks, "totalDuration": total}),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seam_core::source::Location;

    fn full_mapping() -> Value {
        json!({
            "id": "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7",
            "name": "Create order",
            "priority": 1,
            "scenarioName": "orders",
            "requiredScenarioState": "Started",
            "newScenarioState": "created",
            "persistent": true,
            "metadata": {"team": "checkout"},
            "postServeActions": [],
            "request": {
                "method": "post",
                "urlPathTemplate": "/customers/{customerId}/orders",
                "pathParameters": {"customerId": {"matches": "[0-9]+"}},
                "queryParameters": {
                    "tag": {"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]},
                    "debug": {"absent": true}
                },
                "headers": {"Content-Type": {"contains": "json"}},
                "cookies": {"session": {"matches": ".*12345.*"}},
                "basicAuthCredentials": {"username": "jeff", "password": "secret"},
                "bodyPatterns": [
                    {"matchesJsonPath": "$.items"},
                    {"equalToJson": {"total": 3}, "ignoreExtraElements": true}
                ],
                "host": {"equalTo": "example.com"}
            },
            "response": {
                "status": 201,
                "statusMessage": "Created",
                "headers": {"Content-Type": "application/json", "Set-Cookie": ["a=1", "b=2"]},
                "jsonBody": {"id": "{{randomValue type='UUID'}}"},
                "transformers": ["response-template"],
                "transformerParameters": {"x": 1},
                "delayDistribution": {"type": "lognormal", "median": 80, "sigma": 0.4},
                "chunkedDribbleDelay": {"numberOfChunks": 5, "totalDuration": 1000}
            }
        })
    }

    fn parse_err(v: Value) -> MatcherError {
        stub_from_mapping(&v, None).expect_err("should fail")
    }

    #[test]
    fn reads_every_field() {
        let v = full_mapping();
        let s = stub_from_mapping(&v, None).unwrap();
        assert_eq!(s.id.to_string(), "8c5db8b0-2db4-4ad7-a99f-38c9b00da3f7");
        assert_eq!(s.name.as_deref(), Some("Create order"));
        assert_eq!(s.priority, 1);
        assert!(s.persistent);
        assert_eq!(s.metadata, Some(json!({"team": "checkout"})));
        assert_eq!(
            s.scenario,
            Some(ScenarioStep {
                scenario: "orders".into(),
                required_state: Some("Started".into()),
                new_state: Some("created".into())
            })
        );
        assert_eq!(s.source, StubSource::Admin);
        assert_eq!(s.original.as_ref().map(|o| o.value()), Some(v.clone()));
        let r = &s.request;
        assert_eq!(r.method, MethodMatch::Only("POST".into()));
        let UrlMatcher::UrlPathTemplate(t) = &r.url else {
            panic!("{:?}", r.url)
        };
        assert_eq!(
            t.segments,
            vec![
                TemplateSegment::Literal("customers".into()),
                TemplateSegment::Param("customerId".into()),
                TemplateSegment::Literal("orders".into())
            ]
        );
        assert!(r.path_parameters[0].1.check(Some("42")).is_ok());
        assert!(r.query[0].1.check_values(&["b", "a"]).is_ok());
        assert!(r.query[1].1.check_values(&[]).is_ok());
        assert!(r.headers[0].1.check(Some("application/json")).is_ok());
        assert!(r.cookies[0].1.check(Some("x12345y")).is_ok());
        assert_eq!(r.basic_auth, Some(("jeff".into(), "secret".into())));
        assert_eq!(r.body_patterns.len(), 2);
        assert!(r.body_patterns[1]
            .check(Some(r#"{"total": 3, "x": 1}"#))
            .is_ok());
        let res = &s.response;
        assert_eq!(res.status, 201);
        assert_eq!(res.status_message.as_deref(), Some("Created"));
        assert_eq!(
            res.headers.get_all("set-cookie"),
            Some(&["a=1".to_string(), "b=2".to_string()][..])
        );
        assert!(res.templated);
        assert!(matches!(res.body, ResponseBody::Json(_)));
        assert_eq!(
            res.delay,
            Some(Delay::LogNormal {
                median: 80.0,
                sigma: 0.4
            })
        );
        assert_eq!(res.chunked_dribble, Some((5, 1000)));
    }

    #[test]
    fn reads_urls_bodies_delays_and_faults() {
        let cases = [
            (json!({"url": "/a?b=1"}), "Url"),
            (json!({"urlPattern": "/a/.*"}), "UrlPattern"),
            (json!({"urlPath": "/a"}), "UrlPath"),
            (json!({"urlPathPattern": "/a/[0-9]+"}), "UrlPathPattern"),
            (json!({}), "Any"),
        ];
        for (req, kind) in cases {
            let s = stub_from_mapping(&json!({"request": req, "response": {}}), None).unwrap();
            assert!(format!("{:?}", s.request.url).starts_with(kind), "{req}");
            assert_eq!(s.request.method, MethodMatch::Any);
        }
        let s = stub_from_mapping(
            &json!({"request": {"urlPattern": "/a|/ab"}, "response": {}}),
            None,
        )
        .unwrap();
        let UrlMatcher::UrlPattern(re) = &s.request.url else {
            panic!()
        };
        assert!(re.is_match("/ab"), "URL regexes match the whole URL");
        let response = |r: Value| {
            stub_from_mapping(&json!({"request": {}, "response": r}), None)
                .unwrap()
                .response
        };
        assert_eq!(
            response(json!({"body": "hi"})).body,
            ResponseBody::Text("hi".into())
        );
        assert_eq!(
            response(json!({"base64Body": "AQI="})).body,
            ResponseBody::Bytes(vec![1, 2])
        );
        assert_eq!(
            response(json!({"bodyFileName": "a/b.json"})).body,
            ResponseBody::File("a/b.json".into())
        );
        assert_eq!(response(json!({})).status, 200);
        assert_eq!(
            response(json!({"fixedDelayMilliseconds": 50})).delay,
            Some(Delay::Fixed { milliseconds: 50 })
        );
        assert_eq!(
            response(json!({"delayDistribution": {"type": "uniform", "lower": 10, "upper": 20}}))
                .delay,
            Some(Delay::Uniform {
                lower: 10,
                upper: 20
            })
        );
        assert_eq!(
            response(json!({"fault": "CONNECTION_RESET_BY_PEER"})).fault,
            Some(Fault::ConnectionResetByPeer)
        );
        assert_eq!(
            response(json!({"proxyBaseUrl": "http://x"}))
                .proxy_base_url
                .as_deref(),
            Some("http://x")
        );
    }

    #[test]
    fn round_trips_through_the_model() {
        let stub = stub_from_mapping(&full_mapping(), None).unwrap();
        let written = mapping_from_model(&stub);
        let again = stub_from_mapping(&written, None).unwrap();
        assert_eq!(mapping_from_model(&again), written);
        assert_eq!(written["request"]["method"], json!("POST"));
        assert_eq!(
            written["request"]["urlPathTemplate"],
            json!("/customers/{customerId}/orders")
        );
        assert_eq!(
            written["request"]["queryParameters"]["tag"],
            json!({"hasExactly": [{"equalTo": "a"}, {"equalTo": "b"}]})
        );
        assert_eq!(
            written["response"]["headers"]["Set-Cookie"],
            json!(["a=1", "b=2"])
        );
        assert_eq!(
            written["response"]["transformers"],
            json!(["response-template"])
        );
        assert!(written.get("host").is_none());
        for r in [
            json!({"urlPattern": "/a/.*"}),
            json!({"urlPathPattern": "/a/[0-9]+", "method": "GET"}),
            json!({"url": "/x?y=1", "basicAuth": {"username": "u", "password": "p"}}),
        ] {
            let s = stub_from_mapping(&json!({"request": r, "response": {"base64Body": "AQI=", "fixedDelayMilliseconds": 5, "fault": "EMPTY_RESPONSE"}}), None).unwrap();
            let w = mapping_from_model(&s);
            assert_eq!(mapping_from_model(&stub_from_mapping(&w, None).unwrap()), w);
        }
    }

    #[test]
    fn stub_to_mapping_returns_the_original_with_its_id() {
        let v = json!({"request": {"url": "/x"}, "response": {"status": 204, "transformerParameters": {"a": 1}}});
        let s = stub_from_mapping(&v, None).unwrap();
        let out = stub_to_mapping(&s);
        assert_eq!(out["id"], json!(s.id.to_string()));
        assert_eq!(out["uuid"], json!(s.id.to_string()));
        assert_eq!(out["response"]["transformerParameters"], json!({"a": 1}));
        let mut model_only = s.clone();
        model_only.original = None;
        assert_eq!(
            stub_to_mapping(&model_only)["response"]["status"],
            json!(204)
        );
    }

    #[test]
    fn errors_name_the_path_and_suggest() {
        let e = parse_err(json!({"request": {"urlpath": "/a"}, "response": {}}));
        assert_eq!(e.path, "$.request.urlpath");
        assert_eq!(
            e.message,
            "unknown key `urlpath` in `request` (did you mean `urlPath`?)"
        );
        let e = parse_err(json!({"request": {}, "response": {"bodyFilename": "x"}}));
        assert_eq!(e.to_string(), "$.response.bodyFilename: unknown key `bodyFilename` in `response` (did you mean `bodyFileName`?)");
        let e = parse_err(
            json!({"request": {"bodyPatterns": [{"equalTo": "a"}, {"matches": "("}]}, "response": {}}),
        );
        assert_eq!(
            e.to_string(),
            "$.request.bodyPatterns[1].matches: invalid regex `(`: unclosed group"
        );
        let e = parse_err(
            json!({"request": {"headers": {"Accept": {"equalsTo": "x"}}}, "response": {}}),
        );
        assert_eq!(e.path, "$.request.headers.Accept.equalsTo");
        assert!(
            e.message.contains("did you mean `equalTo`"),
            "{}",
            e.message
        );
        let e = parse_err(json!({"request": {}, "response": {"fault": "EMPTY_RESPONS"}}));
        assert!(
            e.message.contains("did you mean `EMPTY_RESPONSE`"),
            "{}",
            e.message
        );
        let e = parse_err(
            json!({"request": {"urlPath": "/a", "pathParameters": {"id": {"equalTo": "1"}}}, "response": {}}),
        );
        assert_eq!(e.message, "`pathParameters` needs `urlPathTemplate`");
        let e = parse_err(
            json!({"request": {"urlPathTemplate": "/a/{id}", "pathParameters": {"di": {"equalTo": "1"}}}, "response": {}}),
        );
        assert_eq!(
            e.to_string(),
            "$.request.pathParameters.di: `di` is not a parameter of `/a/{id}`"
        );
        let e = parse_err(json!({"request": {}, "response": {"status": "two hundred"}}));
        assert_eq!(
            e.to_string(),
            "$.response.status: `status` needs an HTTP status (100 to 999), not string \"two hundred\""
        );
        let e = parse_err(json!({"request": {}, "response": {"body": "a", "jsonBody": {}}}));
        assert_eq!(e.path, "$.response.jsonBody");
        let typo = json!({"request": {}, "response": {"transformers": ["response-templates"]}});
        assert!(!stub_from_mapping(&typo, None).unwrap().response.templated);
        let notes = unknown_transformers(&typo, "$");
        assert_eq!(notes[0].path, "$.response.transformers[0]");
        assert!(
            notes[0]
                .message
                .contains("did you mean `response-template`"),
            "{}",
            notes[0].message
        );
        let e = parse_err(json!({"request": {}, "response": {"base64Body": "!!"}}));
        assert!(e.message.starts_with("invalid base64"), "{}", e.message);
        let e = parse_err(
            json!({"request": {}, "response": {"delayDistribution": {"type": "uniform", "lower": 5}}}),
        );
        assert_eq!(
            e.to_string(),
            "$.response.delayDistribution: a uniform delay needs `upper`"
        );
        let e = parse_err(
            json!({"request": {"cookies": {"s": {"includes": [{"equalTo": "a"}]}}}, "response": {}}),
        );
        assert_eq!(e.path, "$.request.cookies.s");
        let e = parse_err(json!({"response": {}}));
        assert_eq!(e.to_string(), "$: a mapping needs `request`");
        let e = parse_err(json!({"request": {}, "response": {}, "requiredScenarioState": "x"}));
        assert_eq!(e.message, "`requiredScenarioState` needs `scenarioName`");
        let e = parse_err(json!({"id": "nope", "request": {}, "response": {}}));
        assert!(e.message.starts_with("`id` is not a UUID"), "{}", e.message);
        let e = parse_err(json!({"request": {"urlPathTemplate": "/a/x{id}"}, "response": {}}));
        assert!(e.message.contains("whole segment"), "{}", e.message);
    }

    #[test]
    fn mapping_files_hold_one_or_many() {
        let file = Path::new("mappings/orders.json");
        let one = r#"{"request": {"url": "/a"}, "response": {"status": 200}}"#;
        let stubs = stubs_from_mapping_file(one, file, None).unwrap();
        assert_eq!(stubs.len(), 1);
        assert_eq!(stubs[0].source, StubSource::File(file.to_path_buf()));
        let many = r#"{"mappings": [
            {"request": {"url": "/a"}, "response": {}},
            {"request": {"url": "/b"}, "response": {}}
        ], "meta": {"total": 2}}"#;
        assert_eq!(stubs_from_mapping_file(many, file, None).unwrap().len(), 2);
        let bad = r#"{"mappings": [
            {"request": {"url": "/a"}, "response": {}},
            {"request": {"url": "/b", "bodyPatterns": [{"matches": "["}]}, "response": {}}
        ]}"#;
        let e = stubs_from_mapping_file(bad, file, None).unwrap_err();
        assert_eq!(
            e.at,
            Some(Location::LineColumnPath {
                line: 3,
                column: 68,
                path: "$.mappings[1].request.bodyPatterns[0].matches".into()
            })
        );
        assert!(e.to_string().starts_with("mappings/orders.json:3:68: at $.mappings[1].request.bodyPatterns[0].matches: invalid regex `[`"), "{e}");
        let syntax = "{\n  \"request\": {\"url\": \"/a\",}\n}";
        let e = stubs_from_mapping_file(syntax, file, None).unwrap_err();
        assert_eq!(e.line_column(), (Some(2), Some(27)));
        assert_eq!(
            e.to_string(),
            "mappings/orders.json:2:27: invalid JSON: trailing comma"
        );
        let e = stubs_from_mapping_file(r#"{"mappings": {}}"#, file, None).unwrap_err();
        assert_eq!(e.line_column(), (Some(1), Some(14)));
    }

    #[test]
    fn body_files_must_exist_when_the_directory_is_known() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hello.txt"), "hi").unwrap();
        let ok = json!({"request": {}, "response": {"bodyFileName": "hello.txt"}});
        assert!(stub_from_mapping(&ok, Some(dir.path())).is_ok());
        let missing = json!({"request": {}, "response": {"bodyFileName": "nope.txt"}});
        let e = stub_from_mapping(&missing, Some(dir.path())).unwrap_err();
        assert_eq!(e.path, "$.response.bodyFileName");
        let templated = json!({"request": {}, "response": {"bodyFileName": "{{request.path.[0]}}.json", "transformers": ["response-template"]}});
        assert!(stub_from_mapping(&templated, Some(dir.path())).is_ok());
    }

    #[test]
    fn shapes_wiremock_tolerates() {
        // the first URL key counts (WireMock 3.13.2 served /a?x=1, not /b)
        let s = stub_from_mapping(
            &json!({"request": {"url": "/a?x=1", "urlPath": "/b"}, "response": {}}),
            None,
        )
        .unwrap();
        assert!(matches!(&s.request.url, UrlMatcher::Url(u) if u == "/a?x=1"));
        let s = stub_from_mapping(&json!({"request": {}, "response": {"status": "201"}}), None)
            .unwrap();
        assert_eq!(s.response.status, 201);
        // `anything` needs a string operand: WireMock answers 422
        let e =
            parse_err(json!({"request": {"headers": {"X": {"anything": true}}}, "response": {}}));
        assert_eq!(e.path, "$.request.headers.X.anything");
    }

    #[test]
    fn one_bad_mapping_is_skipped_and_placed() {
        let file = Path::new("mappings/many.json");
        let text = "{\"mappings\": [\n  {\"request\": {\"url\": \"/a\"}, \"response\": {}},\n  {\"request\": {\"url\": \"/b\"},\n   \"response\": {\"staus\": 200}},\n  {\"request\": {\"url\": \"/c\"}, \"response\": {}}\n]}";
        let v: Value = serde_json::from_str(text).unwrap();
        let loaded = mapping_file(&v, text, file, None).unwrap();
        assert_eq!(loaded.stubs.len(), 2);
        assert_eq!(loaded.skipped.len(), 1);
        assert_eq!(
            loaded.skipped[0].to_string(),
            "mappings/many.json:4:26: at $.mappings[1].response.staus: unknown key `staus` in `response` (did you mean `status`?)"
        );
    }

    #[test]
    fn comments_are_blanked_and_positions_kept() {
        let text = "// a mapping\n{\n  /* the request\n     é */ \"request\": {\"url\": \"/a//b\"}, // end\n  \"response\": {\"staus\": 1}\n}";
        let blanked = blank_comments(text);
        assert_eq!(blanked.lines().count(), text.lines().count());
        let v: Value = serde_json::from_str(&blanked).unwrap();
        assert_eq!(
            v["request"]["url"],
            json!("/a//b"),
            "a // in a string stays"
        );
        let e = stubs_from_mapping_file(text, Path::new("m.json"), None).unwrap_err();
        assert_eq!(e.line_column(), (Some(5), Some(25)), "{e}");
        assert_eq!(blank_comments("{\"a\": \"/*x*/\"}"), "{\"a\": \"/*x*/\"}");
        // an unclosed comment is left for the parser to place
        let e = stubs_from_mapping_file("{\n/* open", Path::new("m.json"), None).unwrap_err();
        assert_eq!(e.line_column().0, Some(2), "{e}");
    }

    #[test]
    fn many_bad_mappings_are_placed_in_one_walk() {
        // 20,000 of them took minutes when each error walked the file from
        // its start; each is placed where a walk from the start places it
        let items: Vec<String> = (0..2_000)
            .map(|i| format!("{{\"request\": {{\"url\": \"/{i}\", \"bodyPatterns\": [\n  {{\"matchesPathTemplate\": \"/x\"}}]}}, \"response\": {{}}}}"))
            .collect();
        let text = format!("{{\"mappings\": [\n{}\n]}}", items.join(",\n"));
        let v: Value = serde_json::from_str(&text).unwrap();
        let file = Path::new("many.json");
        let loaded = mapping_file(&v, &text, file, None).unwrap();
        assert_eq!(loaded.skipped.len(), 2_000);
        for i in [0, 1, 999, 1_999] {
            let path = format!("$.mappings[{i}].request.bodyPatterns[0].matchesPathTemplate");
            let offset = locate(&text, &path).unwrap();
            let Location::LineColumn { line, column } = Location::of_offset(&text, offset) else {
                unreachable!()
            };
            assert_eq!(
                loaded.skipped[i].line_column(),
                (Some(line), Some(column)),
                "{i}"
            );
            assert_eq!(line, 2 * i + 3);
        }
        assert_eq!(item_starts(&text, "$.mappings").len(), 2_000);
        assert!(item_starts(&text, "$.nothing").is_empty());
    }

    #[test]
    fn form_and_multipart_patterns_are_read() {
        let s = stub_from_mapping(
            &json!({"request": {"formParameters": {"tool": {"equalTo": "WireMock"}},
                    "multipartPatterns": [{"matchingType": "ALL", "headers": {"Content-Disposition": {"contains": "name="}},
                                           "bodyPatterns": [{"contains": "x"}]}]},
                    "response": {}}),
            None,
        )
        .unwrap();
        assert_eq!(s.request.form.len(), 1);
        assert!(s.request.multipart[0].all);
        let written = mapping_from_model(&s);
        assert_eq!(
            written["request"]["multipartPatterns"][0]["matchingType"],
            json!("ALL")
        );
        assert_eq!(
            mapping_from_model(&stub_from_mapping(&written, None).unwrap()),
            written
        );
        let e = parse_err(
            json!({"request": {"multipartPatterns": [{"matchingType": "SOME"}]}, "response": {}}),
        );
        assert_eq!(e.path, "$.request.multipartPatterns[0].matchingType");
    }

    #[test]
    fn ignored_features_are_noted() {
        let m = json!({"request": {"url": "/a", "customMatcher": {"name": "x"}, "clientIp": null},
                       "response": {}, "serveEventListeners": [{"name": "webhook"}], "postServeActions": []});
        let notes: Vec<String> = ignored_keys(&m, "$.mappings[2]")
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0]
                .starts_with("$.mappings[2].serveEventListeners: `serveEventListeners` (webhooks"),
            "{notes:?}"
        );
        assert!(
            notes[1].starts_with(
                "$.mappings[2].request.customMatcher: `customMatcher` is not supported"
            ),
            "{notes:?}"
        );
    }

    #[test]
    fn known_wiremock_keys_are_ignored() {
        let v = json!({
            "request": {"scheme": "https", "host": {"equalTo": "x"}, "port": 1, "clientIp": {"equalTo": "1.2.3.4"},
                        "formParameters": {}, "multipartPatterns": [], "customMatcher": {}, "methods": ["GET"]},
            "response": {"additionalProxyRequestHeaders": {}, "removeProxyRequestHeaders": [],
                         "proxyUrlPrefixToRemove": "/x", "fromConfiguredStub": true, "transformerParameters": {}},
            "serveEventListeners": [], "insertionIndex": 3
        });
        assert!(stub_from_mapping(&v, None).is_ok());
    }
}
