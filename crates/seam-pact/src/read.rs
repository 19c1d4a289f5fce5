//! Reading pact files v1, v1.1, v2, v3 and v4 (HTTP, asynchronous-message and
//! synchronous-message interactions) into seam-core interactions. Every error
//! names the file and the JSON path of the bad part. Files the official Pact
//! tools load, seam loads: their quirks (a null specification version, a v2
//! string `providerStates`, pact FFI's status rules) are read their way with a
//! warning, and what seam cannot use (a regex that does not compile even
//! translated from Java's syntax, a Pact plugin) marks only the interaction
//! concerned unusable, with a warning too. Bodies are typed by content type:
//! base64 for binary types in v1-v3, JSON text written as a JSON string parsed.

use crate::error::{Location, PactError};
use crate::{Pact, SpecVersion};
use base64::Engine;
use seam_core::generators::{Generator, Generators};
use seam_core::http::{Body, ContentType, Headers, Query, Request, Response};
use seam_core::interaction::{
    Exchange, Interaction, MessageSpec, ProviderState, RequestSpec, ResponseSpec,
};
use seam_core::matching::{scalar_text, Message};
use seam_core::path::{DocPath, PathExpr};
use seam_core::rules::{BadRegex, Category, MatchingRules, RuleList, RuleLogic};
use seam_core::source::kind_of as kind;
use serde_json::{Map, Value};
use std::cell::RefCell;

/// Reading context: the file name for errors and the spec version in force.
pub struct Reader<'a> {
    /// The name errors give for the source (a path, a URL, or a label).
    pub file: &'a str,
    /// The specification version the document declares; it decides the layout
    /// expected (v2 flat rule paths, v3 categories, v4 typed bodies).
    pub version: SpecVersion,
    /// What was tolerated so far, in file order.
    warnings: RefCell<Vec<PactError>>,
    /// Why the interaction being read cannot be used, once something says so.
    unusable: RefCell<Option<String>>,
    /// The plugins the pact's metadata names (`metadata.plugins[].name`).
    plugins: RefCell<Vec<String>>,
}

type R<T> = Result<T, PactError>;

impl<'a> Reader<'a> {
    /// A reader for `file` in `version`'s layout.
    pub fn new(file: &'a str, version: SpecVersion) -> Self {
        Reader {
            file,
            version,
            warnings: RefCell::new(Vec::new()),
            unusable: RefCell::new(None),
            plugins: RefCell::new(Vec::new()),
        }
    }

    /// Records something tolerated at `at`.
    pub fn warn(&self, at: &DocPath, message: impl Into<String>) {
        self.warn_with(self.err(at, message));
    }

    /// Records a warning made elsewhere.
    pub fn warn_with(&self, warning: PactError) {
        self.warnings.borrow_mut().push(warning);
    }

    /// The warnings recorded so far, taken out of the reader.
    pub fn take_warnings(&self) -> Vec<PactError> {
        std::mem::take(&mut self.warnings.borrow_mut())
    }

    /// Marks the interaction being read unusable because of what is at `at`
    /// (the first reason stays) and records the warning.
    fn unusable(&self, at: &DocPath, problem: &str, why: String) {
        self.warn(at, format!("{problem}; seam cannot use this interaction"));
        self.unusable.borrow_mut().get_or_insert(why);
    }

    fn err(&self, at: &DocPath, message: impl Into<String>) -> PactError {
        PactError {
            file: self.file.to_string(),
            location: Location::JsonPath(at.to_string()),
            message: message.into(),
        }
    }

    fn object<'v>(&self, v: &'v Value, at: &DocPath) -> R<&'v Map<String, Value>> {
        v.as_object()
            .ok_or_else(|| self.err(at, format!("expected an object, found {}", kind(v))))
    }

    fn string<'v>(&self, o: &'v Map<String, Value>, key: &str, at: &DocPath) -> R<Option<&'v str>> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.err(
                &at.field(key),
                format!("expected a string, found {}", kind(other)),
            )),
        }
    }

    /// Reads a whole pact document.
    pub fn pact(&self, doc: &Value) -> R<Pact> {
        let root = DocPath::root();
        let o = self.object(doc, &root)?;
        let party = |key: &str| -> R<String> {
            match o.get(key) {
                Some(p) => {
                    let po = self.object(p, &root.field(key))?;
                    Ok(self
                        .string(po, "name", &root.field(key))?
                        .ok_or_else(|| {
                            self.err(&root.field(key).field("name"), "a name is required")
                        })?
                        .to_string())
                }
                None => Err(self.err(&root.field(key), "missing")),
            }
        };
        let consumer = party("consumer")?;
        let provider = party("provider")?;
        *self.plugins.borrow_mut() = o
            .get("metadata")
            .and_then(|m| m.get("plugins"))
            .and_then(Value::as_array)
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mut interactions = Vec::new();
        for key in ["interactions", "messages"] {
            match o.get(key) {
                None | Some(Value::Null) => {}
                Some(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        let at = root.field(key).index(i);
                        interactions.push(self.interaction(item, &at, key == "messages")?);
                    }
                }
                Some(other) => {
                    return Err(self.err(
                        &root.field(key),
                        format!("expected an array, found {}", kind(other)),
                    ))
                }
            }
        }
        let mut metadata = match o.get("metadata") {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        for k in [
            "pactSpecification",
            "pact-specification",
            "pactSpecificationVersion",
        ] {
            metadata.remove(k);
        }
        Ok(Pact {
            consumer,
            provider,
            interactions,
            version: self.version,
            metadata,
            warnings: self.take_warnings(),
        })
    }

    fn interaction(&self, v: &Value, at: &DocPath, is_v3_message: bool) -> R<Interaction> {
        self.unusable.borrow_mut().take();
        let o = self.object(v, at)?;
        let description = self
            .string(o, "description", at)?
            .ok_or_else(|| self.err(&at.field("description"), "a description is required"))?
            .to_string();
        let provider_states = self.provider_states(o, at)?;
        let ty = self.string(o, "type", at)?;
        let exchange = match ty {
            Some("Synchronous/HTTP") | None if !is_v3_message && o.contains_key("request") => Exchange::Http {
                request: self.request(o.get("request").unwrap_or(&Value::Null), &at.field("request"))?,
                response: self.response(o.get("response").unwrap_or(&Value::Null), &at.field("response"))?,
            },
            Some("Synchronous/HTTP") => return Err(self.err(&at.field("request"), "an HTTP interaction needs a request")),
            Some("Asynchronous/Messages") | None => Exchange::AsyncMessage(self.message(v, at)?),
            Some("Synchronous/Messages") => {
                let req = o
                    .get("request")
                    .ok_or_else(|| self.err(&at.field("request"), "missing"))?;
                let responses = match o.get("response") {
                    Some(Value::Array(rs)) => rs
                        .iter()
                        .enumerate()
                        .map(|(i, r)| self.message(r, &at.field("response").index(i)))
                        .collect::<R<Vec<_>>>()?,
                    Some(other) => vec![self.message(other, &at.field("response"))?],
                    None => Vec::new(),
                };
                Exchange::SyncMessage {
                    request: self.message(req, &at.field("request"))?,
                    responses,
                }
            }
            Some(other) => {
                return Err(self.err(
                    &at.field("type"),
                    format!("unknown interaction type `{other}` (expected Synchronous/HTTP, Asynchronous/Messages or Synchronous/Messages)"),
                ))
            }
        };
        if let Some((pat, plugin)) = self.plugin_used(o, at) {
            let why = format!("uses {plugin}, which seam does not support");
            self.unusable(&pat, &why, why.clone());
        }
        let mut extra = o.clone();
        for k in [
            "description",
            "providerStates",
            "providerState",
            "provider_state",
            "type",
            "request",
            "response",
            "contents",
            "metadata",
            "metaData",
            "matchingRules",
            "generators",
            "key",
            "pending",
        ] {
            extra.remove(k);
        }
        Ok(Interaction {
            description,
            provider_states,
            exchange,
            key: self.string(o, "key", at)?.map(str::to_string),
            pending: o.get("pending").and_then(Value::as_bool).unwrap_or(false),
            extra,
            unusable: self.unusable.borrow_mut().take(),
        })
    }

    fn provider_states(&self, o: &Map<String, Value>, at: &DocPath) -> R<Vec<ProviderState>> {
        let mut states = o.get("providerStates");
        let wrong = match states {
            None | Some(Value::Null) => false,
            Some(Value::Array(_)) => {
                self.version < SpecVersion::V3 && !states.is_some_and(is_v3_states)
            }
            Some(_) => true,
        };
        if wrong {
            // v1 and v2 know only `providerState`; the official tools ignore
            // anything but an array here, whatever the version
            let found = match states {
                Some(Value::Array(_)) => {
                    "expected provider states (objects with a name), found other items".to_string()
                }
                other => format!(
                    "expected an array of provider states, found {}",
                    kind(other.unwrap_or(&Value::Null))
                ),
            };
            self.warn(
                &at.field("providerStates"),
                format!("{found}: ignored, as the official Pact tools do"),
            );
            states = None;
        }
        for k in ["providerState", "provider_state"] {
            if let Some(name) = self.string(o, k, at)? {
                return Ok(vec![ProviderState::new(name)]);
            }
        }
        match states {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(states)) => states
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let sat = at.field("providerStates").index(i);
                    let so = self.object(s, &sat)?;
                    let name = self.string(so, "name", &sat)?.ok_or_else(|| {
                        self.err(&sat.field("name"), "a provider state needs a name")
                    })?;
                    let params = match so.get("params") {
                        None | Some(Value::Null) => Map::new(),
                        Some(Value::Object(p)) => p.clone(),
                        Some(other) => {
                            return Err(self.err(
                                &sat.field("params"),
                                format!("expected an object, found {}", kind(other)),
                            ))
                        }
                    };
                    Ok(ProviderState {
                        name: name.to_string(),
                        params,
                    })
                })
                .collect(),
            Some(other) => Err(self.err(
                &at.field("providerStates"),
                format!("expected an array, found {}", kind(other)),
            )),
        }
    }

    /// Reads a request object in this version's layout.
    pub fn request(&self, v: &Value, at: &DocPath) -> R<RequestSpec> {
        let o = self.object(v, at)?;
        let method = self
            .string(o, "method", at)?
            .unwrap_or("GET")
            .to_uppercase();
        let path = self.string(o, "path", at)?.unwrap_or("/").to_string();
        let query = self.query(o.get("query"), &at.field("query"))?;
        let headers = self.headers(o.get("headers"), &at.field("headers"))?;
        let body = self.body(o, &headers, at)?;
        let (rules, generators) = self.rules_and_generators(o, at, false)?;
        Ok(RequestSpec {
            request: Request {
                method,
                path,
                query,
                headers,
                body,
            },
            rules,
            generators,
        })
    }

    /// Reads a response object in this version's layout.
    pub fn response(&self, v: &Value, at: &DocPath) -> R<ResponseSpec> {
        let o = self.object(v, at)?;
        let headers = self.headers(o.get("headers"), &at.field("headers"))?;
        let body = self.body(o, &headers, at)?;
        let (rules, generators) = self.rules_and_generators(o, at, false)?;
        let status = match o.get("status") {
            None | Some(Value::Null) => 200,
            Some(s) => match s
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| (100..=999).contains(n))
            {
                Some(n) => n,
                None => {
                    let sat = at.field("status");
                    let Some((_, g)) = generators.category(Category::Status).first() else {
                        return Err(
                            self.err(&sat, format!("expected a status code (100-999), found {s}"))
                        );
                    };
                    // pact-php writes 0 beside a status generator: the
                    // generator gives every answer's status, the example
                    // stands for it
                    let example = match g {
                        Generator::RandomInt { min, .. } => u16::try_from(*min)
                            .ok()
                            .filter(|n| (100..=999).contains(n))
                            .unwrap_or(200),
                        _ => 200,
                    };
                    self.warn(
                        &sat,
                        format!("{s} is not a status code: {example} stands for the status the generator gives"),
                    );
                    example
                }
            },
        };
        Ok(ResponseSpec {
            response: Response {
                status,
                headers,
                body,
            },
            rules,
            generators,
        })
    }

    /// Reads a message: v3 (`contents` + `metaData`) or v4 (`contents` with
    /// `content`/`contentType`/`encoded`, and `metadata`).
    pub fn message(&self, v: &Value, at: &DocPath) -> R<MessageSpec> {
        let o = self.object(v, at)?;
        let metadata = match o.get("metadata").or_else(|| o.get("metaData")) {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(other) => {
                return Err(self.err(
                    &at.field("metadata"),
                    format!("expected an object, found {}", kind(other)),
                ))
            }
        };
        let meta_type = metadata
            .iter()
            .find(|(k, _)| {
                k.eq_ignore_ascii_case("contentType") || k.eq_ignore_ascii_case("content-type")
            })
            .and_then(|(_, v)| v.as_str())
            .map(ContentType::parse);
        let (contents, content_type) = match o.get("contents") {
            None => (Body::Absent, meta_type),
            Some(c) => self.body_value(c, meta_type, &at.field("contents"))?,
        };
        let (rules, generators) = self.rules_and_generators(o, at, true)?;
        Ok(MessageSpec {
            message: Message {
                contents,
                content_type,
                metadata,
            },
            rules,
            generators,
        })
    }

    fn query(&self, v: Option<&Value>, at: &DocPath) -> R<Query> {
        match v {
            None | Some(Value::Null) => Ok(Query::new()),
            Some(Value::String(s)) => Ok(Query::parse(s)),
            Some(Value::Object(m)) => {
                let mut q = Query::new();
                for (k, vals) in m {
                    match vals {
                        Value::Array(items) => {
                            let mut values = Vec::new();
                            for (i, item) in items.iter().enumerate() {
                                values.push(scalar_text(item).ok_or_else(|| {
                                    self.err(
                                        &at.field(k).index(i),
                                        format!("expected a string, found {}", kind(item)),
                                    )
                                })?);
                            }
                            q.set(k.clone(), values);
                        }
                        other => q.append(
                            k.clone(),
                            scalar_text(other).ok_or_else(|| {
                                self.err(
                                    &at.field(k),
                                    format!(
                                        "expected a string or array of strings, found {}",
                                        kind(other)
                                    ),
                                )
                            })?,
                        ),
                    }
                }
                Ok(q)
            }
            Some(other) => Err(self.err(
                at,
                format!("expected a query string or object, found {}", kind(other)),
            )),
        }
    }

    fn headers(&self, v: Option<&Value>, at: &DocPath) -> R<Headers> {
        let mut h = Headers::new();
        match v {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, vals) in m {
                    match vals {
                        Value::Array(items) => {
                            for (i, item) in items.iter().enumerate() {
                                h.append(
                                    k.clone(),
                                    scalar_text(item).ok_or_else(|| {
                                        self.err(
                                            &at.field(k).index(i),
                                            format!("expected a string, found {}", kind(item)),
                                        )
                                    })?,
                                );
                            }
                        }
                        other => h.append(
                            k.clone(),
                            scalar_text(other).ok_or_else(|| {
                                self.err(
                                    &at.field(k),
                                    format!("expected a string, found {}", kind(other)),
                                )
                            })?,
                        ),
                    }
                }
            }
            Some(other) => {
                return Err(self.err(at, format!("expected an object, found {}", kind(other))))
            }
        }
        Ok(h)
    }

    fn body(&self, o: &Map<String, Value>, headers: &Headers, at: &DocPath) -> R<Body> {
        match o.get("body") {
            None => Ok(Body::Absent),
            // pact-jvm writes `"body": null` for "no body"; the official tools
            // read it so (the stub sends none, the verifier expects none)
            Some(Value::Null) if self.version < SpecVersion::V4 => Ok(Body::Empty),
            Some(v) => Ok(self
                .body_value(v, headers.content_type(), &at.field("body"))?
                .0),
        }
    }

    /// Interprets a body value: the v4 `{content, contentType, encoded}` form, or
    /// a v1-v3 JSON value whose kind the content type decides.
    fn body_value(
        &self,
        v: &Value,
        declared: Option<ContentType>,
        at: &DocPath,
    ) -> R<(Body, Option<ContentType>)> {
        if self.version >= SpecVersion::V4 {
            if let Value::Object(m) = v {
                if m.contains_key("content") || m.contains_key("encoded") {
                    // `*/*` (written by pact-reference when it did not know) says
                    // nothing: the headers, or the content itself, decide
                    let ct = match m.get("contentType").and_then(Value::as_str) {
                        Some(s) if s.trim() != "*/*" => Some(ContentType::parse(s)),
                        _ => declared,
                    };
                    let content = m.get("content").unwrap_or(&Value::Null);
                    let encoded = m.get("encoded").cloned().unwrap_or(Value::Bool(false));
                    let body = match (&encoded, content) {
                        (Value::String(e), Value::String(s))
                            if e.eq_ignore_ascii_case("base64") =>
                        {
                            let bytes = base64::engine::general_purpose::STANDARD
                                .decode(s.trim())
                                .map_err(|e| {
                                    self.err(&at.field("content"), format!("invalid base64: {e}"))
                                })?;
                            Body::from_bytes(&bytes, ct.as_ref())
                        }
                        (Value::String(e), Value::String(s)) if e.eq_ignore_ascii_case("json") => {
                            Body::Json(serde_json::from_str(s).map_err(|e| {
                                self.err(
                                    &at.field("content"),
                                    format!("content marked as JSON does not parse: {e}"),
                                )
                            })?)
                        }
                        (Value::Bool(false) | Value::Null, c) => {
                            classify(c, ct.as_ref(), Binary::AsIs)
                        }
                        (Value::String(e), _) => {
                            return Err(self.err(
                                &at.field("encoded"),
                                format!("unknown encoding `{e}` (expected false, base64 or json)"),
                            ))
                        }
                        (other, _) => {
                            return Err(self.err(
                                &at.field("encoded"),
                                format!("expected false or a string, found {}", kind(other)),
                            ))
                        }
                    };
                    return Ok((body, ct));
                }
            }
        }
        Ok((classify(v, declared.as_ref(), Binary::Base64), declared))
    }

    fn rules_and_generators(
        &self,
        o: &Map<String, Value>,
        at: &DocPath,
        message: bool,
    ) -> R<(MatchingRules, Generators)> {
        let mut rules = MatchingRules::default();
        if let Some(mr) = o.get("matchingRules").filter(|v| !v.is_null()) {
            let rat = at.field("matchingRules");
            let mo = self.object(mr, &rat)?;
            let v2_layout = mo.keys().any(|k| k.starts_with('$'));
            if v2_layout {
                for (k, list) in mo {
                    let kat = rat.field(k);
                    let (cat, expr) = self.v2_rule_key(k, &kat)?;
                    rules.add(cat, expr, self.rule_list(list, &kat)?);
                }
            } else {
                for (k, section) in mo {
                    let kat = rat.field(k);
                    let mut cat = Category::from_key(k).ok_or_else(|| {
                        self.err(&kat, format!("unknown matching rule category `{k}` (expected body, header, query, path, status, metadata or content)"))
                    })?;
                    if message && cat == Category::Content {
                        cat = Category::Body;
                    }
                    if matches!(cat, Category::Path | Category::Status | Category::Method) {
                        if section.as_object().is_some_and(Map::is_empty) || section.is_null() {
                            // `"status": {}` (pact FFI output): no rule
                            continue;
                        }
                        // the rule list sits directly under the category, or
                        // (pact FFI) under `"$"`
                        let (section, kat) = match section.as_object() {
                            Some(m) if m.len() == 1 && m.contains_key("$") => {
                                (&m["$"], kat.field("$"))
                            }
                            _ => (section, kat),
                        };
                        rules.add(cat, PathExpr::root(), self.rule_list(section, &kat)?);
                        continue;
                    }
                    let so = self.object(section, &kat)?;
                    for (expr, list) in so {
                        let eat = kat.field(expr);
                        let path = if matches!(
                            cat,
                            Category::Header | Category::Query | Category::Metadata
                        ) && !expr.starts_with('$')
                        {
                            PathExpr::name(expr)
                        } else {
                            PathExpr::parse(expr).map_err(|e| self.err(&eat, e.to_string()))?
                        };
                        rules.add(cat, path, self.rule_list(list, &eat)?);
                    }
                }
            }
        }
        let generators = match o.get("generators").filter(|v| !v.is_null()) {
            None => Generators::default(),
            Some(g) => {
                let mut g = g.clone();
                if message {
                    if let Some(Value::Object(m)) = Some(&mut g) {
                        if let Some(c) = m.remove("content") {
                            m.insert("body".into(), c);
                        }
                    }
                }
                Generators::from_json(&g).map_err(|e| self.err(&at.field("generators"), e))?
            }
        };
        Ok((rules, generators))
    }

    /// Does this interaction need a Pact plugin (its `pluginConfiguration`, a
    /// plugin's transport, plugin matching rules such as CSV's `column:1`, or,
    /// in a pact whose metadata lists plugins, content of a type only a plugin
    /// knows)? Where it says so, and "the NAME plugin".
    fn plugin_used(&self, o: &Map<String, Value>, at: &DocPath) -> Option<(DocPath, String)> {
        let plugins = self.plugins.borrow();
        let named = |names: &[String]| match names {
            [] => "a Pact plugin".to_string(),
            [one] => format!("the {one} plugin"),
            several => format!("a Pact plugin ({})", several.join(", ")),
        };
        if let Some(Value::Object(config)) = o.get("pluginConfiguration") {
            if !config.is_empty() {
                let names: Vec<String> = config.keys().cloned().collect();
                return Some((at.field("pluginConfiguration"), named(&names)));
            }
        }
        if let Some(t) = o.get("transport").and_then(Value::as_str) {
            if !t.eq_ignore_ascii_case("http") && !t.eq_ignore_ascii_case("https") {
                let names = if plugins.is_empty() {
                    vec![t.to_string()]
                } else {
                    plugins.clone()
                };
                return Some((at.field("transport"), named(&names)));
            }
        }
        // the parts that carry bodies and rules: an HTTP request and response,
        // a message, a synchronous message's request and responses
        let mut parts: Vec<(DocPath, &Map<String, Value>)> = vec![(at.clone(), o)];
        for key in ["request", "response"] {
            match o.get(key) {
                Some(Value::Object(m)) => parts.push((at.field(key), m)),
                Some(Value::Array(items)) => parts.extend(
                    items
                        .iter()
                        .enumerate()
                        .filter_map(|(i, r)| r.as_object().map(|m| (at.field(key).index(i), m))),
                ),
                _ => {}
            }
        }
        for (pat, part) in &parts {
            let body_rules = part
                .get("matchingRules")
                .and_then(|r| r.get("body").or_else(|| r.get("content")))
                .and_then(Value::as_object);
            if let Some(key) = body_rules.and_then(|r| r.keys().find(|k| !k.starts_with('$'))) {
                let rat = pat.field("matchingRules").field("body").field(key);
                return Some((rat, named(&plugins)));
            }
        }
        if plugins.is_empty() {
            return None;
        }
        for (pat, part) in &parts {
            for key in ["body", "contents"] {
                let declared = part
                    .get(key)
                    .and_then(|b| b.get("contentType"))
                    .and_then(Value::as_str);
                let header = part
                    .get("headers")
                    .and_then(Value::as_object)
                    .and_then(|h| {
                        h.iter()
                            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                            .and_then(|(_, v)| {
                                v.as_str().or_else(|| v.get(0).and_then(Value::as_str))
                            })
                    });
                if let Some(ct) = declared.or(header) {
                    if !seam_knows(&ContentType::parse(ct)) {
                        return Some((pat.field(key), named(&plugins)));
                    }
                }
            }
        }
        None
    }

    /// Reads one rule list; a regex that does not compile keeps the rule and
    /// makes the interaction unusable.
    fn rule_list(&self, v: &Value, at: &DocPath) -> R<RuleList> {
        let list =
            RuleList::read(v, RuleLogic::And, BadRegex::Keep).map_err(|e| self.err(at, e))?;
        if let Some(reason) = list.broken_regex() {
            self.unusable(at, reason, format!("matching rule at {at}: {reason}"));
        }
        Ok(list)
    }

    /// Splits a v2 key (`$.body.a`, `$.headers.Accept`, `$.query.q`, `$.path`).
    fn v2_rule_key(&self, key: &str, at: &DocPath) -> R<(Category, PathExpr)> {
        let expr = PathExpr::parse(key).map_err(|e| self.err(at, e.to_string()))?;
        let rest = |n: usize| -> R<PathExpr> {
            // rebuild `$` + the tokens after the category
            let mut s = String::from("$");
            for t in &expr.tokens()[n..] {
                match t {
                    seam_core::path::Token::Field(f) => {
                        s.push_str(&format!("['{}']", f.replace('\'', "\\'")))
                    }
                    seam_core::path::Token::Index(i) => s.push_str(&format!("[{i}]")),
                    seam_core::path::Token::Star => s.push_str("[*]"),
                }
            }
            PathExpr::parse(&s).map_err(|e| self.err(at, e.to_string()))
        };
        let first = match expr.tokens().first() {
            Some(seam_core::path::Token::Field(f)) => f.as_str(),
            _ => {
                return Err(self.err(
                    at,
                    "a v2 rule key must start with $.body, $.headers, $.query or $.path",
                ))
            }
        };
        let name_after = |cat| -> R<(Category, PathExpr)> {
            match expr.tokens().get(1) {
                Some(seam_core::path::Token::Field(n)) => Ok((cat, PathExpr::name(n))),
                _ => Err(self.err(at, "expected a name after the category")),
            }
        };
        match first {
            "body" => Ok((Category::Body, rest(1)?)),
            "headers" | "header" => name_after(Category::Header),
            "query" => name_after(Category::Query),
            "path" => Ok((Category::Path, PathExpr::root())),
            "status" => Ok((Category::Status, PathExpr::root())),
            other => Err(self.err(at, format!("unknown category `{other}` in v2 rule key"))),
        }
    }
}

/// Is `v` a v3 `providerStates` value (null, or an array of objects with a
/// string name and object or null params)?
fn is_v3_states(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(items) => items.iter().all(|s| {
            s.get("name").is_some_and(Value::is_string)
                && s.get("params").is_none_or(|p| p.is_object() || p.is_null())
        }),
        _ => false,
    }
}

/// Content seam reads without a plugin: JSON, XML, forms, text, multipart
/// and the common binary types.
fn seam_knows(ct: &ContentType) -> bool {
    ct.is_json()
        || ct.is_xml()
        || ct.is_form()
        || ct.is_text()
        || matches!(
            ct.main.as_str(),
            "multipart" | "image" | "audio" | "video" | "font"
        )
        || matches!(
            ct.essence().as_str(),
            "application/octet-stream" | "application/pdf" | "application/zip" | "application/gzip"
        )
}

/// How a body string of a binary content type is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Binary {
    /// v1-v3: the tools write the bytes in base64 (a string that does not
    /// decode is the text itself), as pact-jvm, pact-js and pact-reference do.
    Base64,
    /// v4 `"encoded": false`: the string is the content.
    AsIs,
}

/// Decides a body's kind from its JSON value and declared type.
///
/// A string under a JSON type is the body's text, written as a JSON string:
/// it is parsed when it parses (`"{\"a\":1}"`, `"\"hello\""`), never
/// encoded a second time; what does not parse is a JSON string, as the
/// official tools serve it. A string under a binary type (images, PDFs,
/// `application/octet-stream`, ...) is base64 in v1-v3.
fn classify(v: &Value, ct: Option<&ContentType>, binary: Binary) -> Body {
    match (v, ct) {
        (Value::String(s), _) if s.is_empty() => Body::Empty,
        (Value::String(s), Some(ct)) if ct.is_xml() => Body::Xml(s.clone()),
        (Value::String(s), Some(ct)) if ct.is_form() => Body::Form(Query::parse(s)),
        (Value::String(s), Some(ct)) if ct.is_json() => match serde_json::from_str(s) {
            Ok(v) => Body::Json(v),
            _ => Body::Json(Value::String(s.clone())),
        },
        // multipart too: pact-jvm writes one with a binary part in base64 (a
        // multipart text never decodes as base64)
        (Value::String(s), Some(ct))
            if binary == Binary::Base64 && (ct.is_binary() || ct.main == "multipart") =>
        {
            match base64::engine::general_purpose::STANDARD.decode(s.trim()) {
                Ok(bytes) => Body::Bytes(bytes),
                Err(_) => Body::Text(s.clone()),
            }
        }
        (Value::String(s), Some(_)) => Body::Text(s.clone()),
        (Value::String(s), None) => {
            if s.trim_start().starts_with('<') && roxmltree::Document::parse(s).is_ok() {
                Body::Xml(s.clone())
            } else {
                Body::Text(s.clone())
            }
        }
        (other, _) => Body::Json(other.clone()),
    }
}
