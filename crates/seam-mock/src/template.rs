//! WireMock-compatible response templating: WireMock's `response-template`
//! transformer rebuilt on `handlebars` (handlebars-rust), so stubs written for
//! WireMock render the same here.
//!
//! This module owns:
//!
//! - the request model templates see ([`TemplateRequest`] → `request.url`,
//!   `request.path` (the path as text, `request.path.[n]` for segments,
//!   `request.path.<name>` for `urlPathTemplate` parameters), `request.pathSegments`,
//!   `request.query.<name>` (first value; `.[n]`, `.first`, `.last`, `.[-n]` for
//!   others), `request.method`, `request.baseUrl`, `request.scheme`, `request.host`,
//!   `request.port`, `request.headers.<name>` (names ignore case),
//!   `request.cookies.<name>`, `request.body`, `request.bodyAsBase64`);
//! - WireMock's helpers (`jsonPath`, `xPath`, `soapXPath`, `now`, `date`, `parseDate`,
//!   `truncateDate`, `randomValue`, `randomInt`, `randomDecimal`, `pickRandom`,
//!   `math`, `range`, `array`, `size`, `join`, `trim`, `base64`, `urlEncode`,
//!   `formData`, `regexExtract`, `contains`, `matches`, `parseJson`, `toJson`,
//!   `formatJson`, `val`, `hostname`), the Handlebars.java string, number,
//!   conditional and `assign` helpers WireMock registers (`upper`, `lower`,
//!   `capitalize`, `substring`, `replace`, `eq`, `neq`, `gt`, `and`, `isOdd`, ...),
//!   and `split` (a seam addition);
//! - compiling templates once and caching them by source ([`Templates`]).
//!
//! How it maps WireMock's Java model onto JSON: multi-valued parts (query,
//! headers, cookies) are JSON arrays that render as their first value, as
//! WireMock's `ListOrSingle` does; `request.path` is the segment array that
//! renders as the path text. Both are achieved by rewriting each compiled
//! template once: bare `{{value}}` expressions go through an internal render
//! helper, header names are lower-cased, and `first`/`last`/negative indexes and
//! path-parameter names are turned into plain lookups. Helper failures that WireMock
//! renders inline (`[ERROR: ...]`) render inline here too; syntax errors, unknown
//! helpers and failures WireMock raises become a [`TemplateError`].
//!
//! As in WireMock 3, output is not HTML-escaped by default
//! ([`Templates::with_escaping`] turns Handlebars escaping on).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine as _;
use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime, Timelike, Utc};
use handlebars::template::{Parameter, Template, TemplateElement};
use handlebars::{
    BlockContext, Context, Handlebars, Helper, HelperDef, HelperResult, Output, Path, PathAndJson,
    PathSeg, RenderContext, RenderError, RenderErrorReason, Renderable, ScopedJson, StringOutput,
};
use rand::Rng;
use seam_core::datefmt;
use serde_json::{json, Map, Number, Value as Json};

/// The request as templates see it.
#[derive(Debug, Clone, Default)]
pub struct TemplateRequest {
    /// Upper-case method, e.g. `POST`.
    pub method: String,
    /// Path and query string, as received.
    pub url: String,
    /// The path alone.
    pub path: String,
    /// Scheme, host and port, e.g. `http://localhost:8080`.
    pub base_url: String,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, Vec<String>)>,
    /// Header values by name (names compare ignoring case).
    pub headers: Vec<(String, Vec<String>)>,
    pub cookies: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
    /// Values captured by a `urlPathTemplate` such as `/orders/{id}`.
    pub path_params: Vec<(String, String)>,
}

/// A template that does not compile or fails to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    /// 1-based line of the offending expression, where Handlebars reports it.
    pub line: Option<usize>,
    /// 1-based column of the offending expression, where Handlebars reports it.
    pub column: Option<usize>,
}

impl TemplateError {
    fn new(message: impl Into<String>) -> Self {
        TemplateError {
            message: message.into(),
            line: None,
            column: None,
        }
    }

    fn from_compile(e: &handlebars::TemplateError) -> Self {
        let (line, column) = match e.pos() {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        TemplateError {
            message: e.reason().to_string(),
            line,
            column,
        }
    }

    fn from_render(e: &RenderError) -> Self {
        TemplateError {
            message: e.reason().to_string(),
            line: e.line_no,
            column: e.column_no,
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{} (line {l}, column {c})", self.message),
            (Some(l), None) => write!(f, "{} (line {l})", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TemplateError {}

/// Compiled templates are dropped wholesale past this many distinct sources.
const MAX_CACHED: usize = 10_000;

/// The template engine: a Handlebars registry with WireMock's helpers, built once,
/// and a cache of compiled templates keyed by their source.
pub struct Templates {
    registry: Handlebars<'static>,
    helper_names: HashSet<String>,
    cache: Mutex<HashMap<String, Arc<Template>>>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Templates")
            .field("cached", &self.cached())
            .finish()
    }
}

impl Templates {
    /// WireMock 3's defaults: no HTML escaping.
    pub fn new() -> Self {
        Self::with_escaping(false)
    }

    /// `html_escape = true` escapes `{{ }}` output as Handlebars does (WireMock 2,
    /// or WireMock 3 with templating escaping enabled); `{{{ }}}` never escapes.
    pub fn with_escaping(html_escape: bool) -> Self {
        let mut registry = Handlebars::new();
        if !html_escape {
            registry.register_escape_fn(handlebars::no_escape);
        }
        let mut helper_names: HashSet<String> =
            BUILTIN_HELPERS.iter().map(|s| s.to_string()).collect();
        for (name, f) in HELPERS {
            registry.register_helper(name, Box::new(Wm(*f)));
            helper_names.insert(name.to_string());
        }
        Templates {
            registry,
            helper_names,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Renders `template` against `req`.
    pub fn render(&self, template: &str, req: &TemplateRequest) -> Result<String, TemplateError> {
        if !template.contains("{{") {
            return Ok(template.to_string());
        }
        catch_unwind(AssertUnwindSafe(|| self.render_inner(template, req))).unwrap_or_else(|_| {
            Err(TemplateError::new(
                "the template engine failed on this template",
            ))
        })
    }

    /// How many compiled templates are cached.
    pub fn cached(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn render_inner(&self, template: &str, req: &TemplateRequest) -> Result<String, TemplateError> {
        let tpl = self.compiled(template)?;
        let ctx = Context::from(build_model(req));
        let mut rc = RenderContext::new(None);
        rc.set_recursive_lookup(true);
        let mut out = StringOutput::new();
        tpl.render(&self.registry, &ctx, &mut rc, &mut out)
            .map_err(|e| TemplateError::from_render(&e))?;
        out.into_string()
            .map_err(|e| TemplateError::new(e.to_string()))
    }

    fn compiled(&self, source: &str) -> Result<Arc<Template>, TemplateError> {
        if let Some(t) = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(source)
        {
            return Ok(t.clone());
        }
        if nesting_depth(source) > MAX_NESTING {
            return Err(TemplateError::new(format!(
                "template nested deeper than {MAX_NESTING} levels"
            )));
        }
        let mut tpl = Template::compile(source).map_err(|e| TemplateError::from_compile(&e))?;
        rewrite_template(&mut tpl, &self.helper_names);
        let tpl = Arc::new(tpl);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(source.to_string(), tpl.clone());
        Ok(tpl)
    }
}

/// Deepest block / subexpression nesting accepted (the parser and renderer recurse).
const MAX_NESTING: usize = 100;

/// Approximate nesting of `{{#block}}`s and `(subexpressions)` in a template.
fn nesting_depth(source: &str) -> usize {
    let (mut blocks, mut max) = (0usize, 0usize);
    let mut rest = source;
    while let Some(i) = rest.find("{{") {
        rest = &rest[i + 2..];
        let end = rest.find("}}").unwrap_or(rest.len());
        let tag = rest[..end].trim_start_matches(['{', '~', ' ']);
        if tag.starts_with('#') {
            blocks += 1;
        } else if tag.starts_with('/') {
            blocks = blocks.saturating_sub(1);
        }
        let mut parens = 0usize;
        for ch in tag.chars() {
            match ch {
                '(' => {
                    parens += 1;
                    max = max.max(blocks + parens);
                }
                ')' => parens = parens.saturating_sub(1),
                _ => {}
            }
        }
        max = max.max(blocks);
        rest = &rest[end..];
    }
    max
}

// ---------------------------------------------------------------------------
// The request model
// ---------------------------------------------------------------------------

/// Hidden model keys (not part of WireMock's model).
const PATH_TEXT: &str = "__path";
const PATH_PARAMS: &str = "__pathParams";
const REVERSED: &str = "__rev";
/// Root-level variables holding one-or-many values: name → depth of the list.
const LOS_VARS: &str = "__wm_los";
const MULTI: [&str; 3] = ["query", "headers", "cookies"];

fn build_model(req: &TemplateRequest) -> Json {
    let segments: Vec<Json> = req
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| Json::String(s.to_string()))
        .collect();
    let mut query = Map::new();
    for (k, vs) in &req.query {
        push_all(&mut query, k.clone(), vs.iter().cloned());
    }
    let mut headers = Map::new();
    for (k, vs) in &req.headers {
        push_all(&mut headers, k.to_ascii_lowercase(), vs.iter().cloned());
    }
    let mut cookies = Map::new();
    for (k, v) in &req.cookies {
        push_all(&mut cookies, k.clone(), std::iter::once(v.clone()));
    }
    let reversed = |m: &Map<String, Json>| -> Json {
        Json::Object(
            m.iter()
                .map(|(k, v)| {
                    let mut items = v.as_array().cloned().unwrap_or_default();
                    items.reverse();
                    (k.clone(), Json::Array(items))
                })
                .collect(),
        )
    };
    let rev = json!({ "query": reversed(&query), "headers": reversed(&headers), "cookies": reversed(&cookies) });
    let path_params: Map<String, Json> = req
        .path_params
        .iter()
        .map(|(k, v)| (k.clone(), Json::String(v.clone())))
        .collect();
    let (scheme, host, port) = split_base_url(&req.base_url);
    json!({
        "request": {
            "url": req.url,
            "path": segments,
            "pathSegments": segments,
            "method": req.method,
            "baseUrl": req.base_url,
            "scheme": scheme,
            "host": host,
            "port": port,
            "query": query,
            "headers": headers,
            "cookies": cookies,
            "body": req.body,
            "bodyAsBase64": base64::engine::general_purpose::STANDARD.encode(req.body.as_bytes()),
            PATH_TEXT: req.path,
            PATH_PARAMS: path_params,
            REVERSED: rev,
        }
    })
}

fn push_all(m: &mut Map<String, Json>, key: String, values: impl Iterator<Item = String>) {
    let entry = m.entry(key).or_insert_with(|| Json::Array(Vec::new()));
    if let Json::Array(a) = entry {
        a.extend(values.map(Json::String));
    }
}

/// `http://host:8080` → (`http`, `host`, 8080), with the scheme's default port.
fn split_base_url(base: &str) -> (String, String, Json) {
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    let authority = rest.split('/').next().unwrap_or("");
    let (host, port) = match authority.strip_prefix('[').and_then(|r| r.split_once(']')) {
        Some((ip6, after)) => (
            format!("[{ip6}]"),
            after.strip_prefix(':').and_then(|p| p.parse::<u16>().ok()),
        ),
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse::<u16>().ok()),
            None => (authority.to_string(), None),
        },
    };
    let port = port.or(match scheme {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    });
    (
        scheme.to_string(),
        host,
        port.map(Json::from).unwrap_or(Json::Null),
    )
}

// ---------------------------------------------------------------------------
// Rewriting compiled templates
// ---------------------------------------------------------------------------

/// The internal helper bare `{{value}}` expressions are routed through.
const RENDER: &str = "__wm_render";
/// Helpers handlebars-rust registers itself (some are replaced below).
const BUILTIN_HELPERS: [&str; 17] = [
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

fn rewrite_template(t: &mut Template, helpers: &HashSet<String>) {
    for el in &mut t.elements {
        rewrite_element(el, helpers);
    }
}

fn rewrite_element(el: &mut TemplateElement, helpers: &HashSet<String>) {
    match el {
        TemplateElement::Expression(ht) | TemplateElement::HtmlExpression(ht) => {
            rewrite_helper_template(ht, helpers);
            let name_only = !ht.block && ht.params.is_empty() && ht.hash.is_empty();
            if name_only {
                if let Parameter::Path(p) = &ht.name {
                    if !helpers.contains(p.raw_text()) {
                        let value =
                            std::mem::replace(&mut ht.name, Parameter::Name(RENDER.to_string()));
                        ht.params.push(value);
                    }
                }
            }
        }
        TemplateElement::HelperBlock(ht) => rewrite_helper_template(ht, helpers),
        TemplateElement::DecoratorExpression(dt)
        | TemplateElement::DecoratorBlock(dt)
        | TemplateElement::PartialExpression(dt)
        | TemplateElement::PartialBlock(dt) => {
            for p in &mut dt.params {
                rewrite_param(p, helpers);
            }
            for p in dt.hash.values_mut() {
                rewrite_param(p, helpers);
            }
            if let Some(t) = &mut dt.template {
                rewrite_template(t, helpers);
            }
        }
        _ => {}
    }
}

fn rewrite_helper_template(
    ht: &mut handlebars::template::HelperTemplate,
    helpers: &HashSet<String>,
) {
    rewrite_param(&mut ht.name, helpers);
    for p in &mut ht.params {
        rewrite_param(p, helpers);
    }
    for p in ht.hash.values_mut() {
        rewrite_param(p, helpers);
    }
    if let Some(t) = &mut ht.template {
        rewrite_template(t, helpers);
    }
    if let Some(t) = &mut ht.inverse {
        rewrite_template(t, helpers);
    }
}

fn rewrite_param(p: &mut Parameter, helpers: &HashSet<String>) {
    match p {
        Parameter::Path(path) => rewrite_path(path),
        Parameter::Subexpression(se) => {
            if let TemplateElement::Expression(ht) = se.element.as_mut() {
                rewrite_helper_template(ht, helpers);
            }
        }
        _ => {}
    }
}

trait RawText {
    fn raw_text(&self) -> &str;
}

impl RawText for Path {
    fn raw_text(&self) -> &str {
        match self {
            Path::Relative((_, raw)) => raw,
            Path::Local((_, _, raw)) => raw,
        }
    }
}

/// `request.headers.X-Id` → `request.headers.x-id`; `request.path.id` →
/// `request.__pathParams.id`; `request.query.q.first` → `.0`;
/// `request.query.q.last` / `.[-n]` → `request.__rev.query.q.0` / `.n`.
fn rewrite_path(path: &mut Path) {
    let Path::Relative((segs, _)) = path else {
        return;
    };
    let start = segs
        .iter()
        .take_while(|s| !matches!(s, PathSeg::Named(_)))
        .count();
    let mut named = Vec::with_capacity(segs.len());
    for s in &segs[start..] {
        match s {
            PathSeg::Named(n) => named.push(n.clone()),
            _ => return,
        }
    }
    if named.first().map(String::as_str) != Some("request") {
        return;
    }
    let mut new = named.clone();
    match new.get(1).map(String::as_str) {
        Some("headers") if new.len() >= 3 => new[2] = new[2].to_ascii_lowercase(),
        Some("path") if new.len() >= 3 && new[2].parse::<usize>().is_err() => {
            new[1] = PATH_PARAMS.to_string()
        }
        _ => {}
    }
    if new.len() >= 4 && MULTI.contains(&new[1].as_str()) {
        let reversed_index = match new[3].as_str() {
            "first" => {
                new[3] = "0".to_string();
                None
            }
            "last" => Some(0),
            other => other
                .strip_prefix('-')
                .and_then(|k| k.parse::<usize>().ok()),
        };
        if let Some(k) = reversed_index {
            let mut r = vec![
                "request".to_string(),
                REVERSED.to_string(),
                new[1].clone(),
                new[2].clone(),
                k.to_string(),
            ];
            r.extend(new[4..].iter().cloned());
            new = r;
        }
    }
    if new != named {
        segs.truncate(start);
        segs.extend(new.into_iter().map(PathSeg::Named));
    }
}

// ---------------------------------------------------------------------------
// Values: WireMock's one-or-many lists, Java-style text
// ---------------------------------------------------------------------------

/// Marker keys of values helpers produce.
const XML_KEY: &str = "__wm_xml";
const DATE_KEY: &str = "__wm_date";
const DATE_FORMAT: &str = "__wm_format";
const DATE_TZ: &str = "__wm_tz";

#[derive(Debug, PartialEq)]
enum Kind {
    Plain,
    /// A one-or-many list (renders its first value).
    Los,
    /// `request.path` / `request.pathSegments` (renders the path text).
    PathText,
}

/// `this.a.[b c]/d` → `["a", "b c", "d"]`.
fn split_raw_path(raw: &str) -> Vec<String> {
    let mut s = raw;
    loop {
        if let Some(r) = s.strip_prefix("this.").or_else(|| s.strip_prefix("this/")) {
            s = r;
        } else if let Some(r) = s.strip_prefix("./").or_else(|| s.strip_prefix("../")) {
            s = r;
        } else if let Some(r) = s
            .strip_prefix("@root.")
            .or_else(|| s.strip_prefix("@root/"))
        {
            s = r;
        } else {
            break;
        }
    }
    if s == "this" {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '.' | '/' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn path_segments(p: &PathAndJson) -> Option<Vec<String>> {
    match p.context_path() {
        Some(cp) => Some(cp.clone()),
        None => p.relative_path().map(|raw| split_raw_path(raw)),
    }
}

fn kind_of_segments(segs: &[String], data: &Json) -> Kind {
    match segs {
        [r, p] if r == "request" && (p == "path" || p == "pathSegments") => Kind::PathText,
        [r, m, _] if r == "request" && MULTI.contains(&m.as_str()) => Kind::Los,
        [first, rest @ ..] => {
            let depth = data
                .get(LOS_VARS)
                .and_then(|m| m.get(first))
                .and_then(Json::as_u64);
            if depth == Some(rest.len() as u64 + 1) {
                Kind::Los
            } else {
                Kind::Plain
            }
        }
        [] => Kind::Plain,
    }
}

fn kind_of(p: &PathAndJson, data: &Json) -> Kind {
    path_segments(p)
        .map(|s| kind_of_segments(&s, data))
        .unwrap_or(Kind::Plain)
}

/// The value a helper argument stands for: one-or-many lists give their first
/// value, `request.path` its text, XPath node lists their first node.
fn scalar(p: &PathAndJson, data: &Json) -> Json {
    if p.is_value_missing() {
        return Json::Null;
    }
    let v = p.value();
    match kind_of(p, data) {
        Kind::PathText => data
            .pointer("/request/__path")
            .cloned()
            .unwrap_or(Json::Null),
        Kind::Los => match v {
            Json::Array(a) => a.first().cloned().unwrap_or(Json::Null),
            other => other.clone(),
        },
        Kind::Plain => match v {
            Json::Array(a) if is_node_list(a) => a[0].clone(),
            other => other.clone(),
        },
    }
}

/// A value with one-or-many lists reduced to a scalar when single (as WireMock
/// serialises them), for `toJson`.
fn collapse_lists(p: &PathAndJson, data: &Json) -> Json {
    let v = p.value();
    let single = |x: &Json| match x {
        Json::Array(a) if a.len() == 1 => a[0].clone(),
        other => other.clone(),
    };
    let segs = path_segments(p).unwrap_or_default();
    if kind_of_segments(&segs, data) == Kind::Los {
        return single(v);
    }
    match (segs.as_slice(), v) {
        ([r, m], Json::Object(map)) if r == "request" && MULTI.contains(&m.as_str()) => {
            Json::Object(map.iter().map(|(k, x)| (k.clone(), single(x))).collect())
        }
        _ => v.clone(),
    }
}

fn is_node_list(a: &[Json]) -> bool {
    a.first().and_then(|f| f.get(XML_KEY)).is_some()
}

/// Java's `toString` of a value, as WireMock renders it.
fn value_text(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Bool(b) => b.to_string(),
        Json::Number(n) => java_number(n),
        Json::Array(a) if is_node_list(a) => value_text(&a[0]),
        Json::Array(a) => list_text(a),
        Json::Object(m) => special_text(m).unwrap_or_else(|| jackson_pretty(v)),
    }
}

fn list_text(a: &[Json]) -> String {
    format!(
        "[{}]",
        a.iter().map(item_text).collect::<Vec<_>>().join(", ")
    )
}

fn item_text(v: &Json) -> String {
    match v {
        Json::Null => "null".to_string(),
        Json::Array(a) => list_text(a),
        Json::Object(m) => special_text(m).unwrap_or_else(|| {
            format!(
                "{{{}}}",
                m.iter()
                    .map(|(k, x)| format!("{k}={}", item_text(x)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
        other => value_text(other),
    }
}

fn special_text(m: &Map<String, Json>) -> Option<String> {
    if let Some(Json::String(x)) = m.get(XML_KEY) {
        return Some(x.clone());
    }
    WmDate::from_map(m).map(|d| d.render().unwrap_or_else(|e| format!("[ERROR: {e}]")))
}

/// How `jsonPath` renders its result: objects as pretty JSON, lists as compact JSON.
fn json_text(v: &Json) -> String {
    match v {
        Json::Array(_) => serde_json::to_string(v).unwrap_or_default(),
        other => value_text(other),
    }
}

fn java_number(n: &Number) -> String {
    if n.is_f64() {
        java_double(n.as_f64().unwrap_or(0.0))
    } else {
        n.to_string()
    }
}

/// Java's `Double.toString`.
fn java_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    let a = f.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        let s = format!("{f}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        let s = format!("{f:e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let m = if m.contains('.') {
            m.to_string()
        } else {
            format!("{m}.0")
        };
        format!("{m}E{e}")
    }
}

/// Jackson's default pretty printer (`{\n  "a" : 1\n}`, `[ 1, 2 ]`).
fn jackson_pretty(v: &Json) -> String {
    let mut out = String::new();
    jackson_write(v, 0, &mut out);
    out
}

fn jackson_write(v: &Json, nesting: usize, out: &mut String) {
    match v {
        Json::Object(m) if m.is_empty() => out.push_str("{ }"),
        Json::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&"  ".repeat(nesting + 1));
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push_str(" : ");
                jackson_write(x, nesting + 1, out);
            }
            out.push('\n');
            out.push_str(&"  ".repeat(nesting));
            out.push('}');
        }
        Json::Array(a) if a.is_empty() => out.push_str("[ ]"),
        Json::Array(a) => {
            out.push_str("[ ");
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                jackson_write(x, nesting, out);
            }
            out.push_str(" ]");
        }
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

/// Handlebars.java's `Utils.isEmpty` (falsy values).
fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::String(s) => s.is_empty(),
        Json::Bool(b) => !b,
        Json::Array(a) => a.is_empty(),
        Json::Number(n) => n.as_f64() == Some(0.0),
        Json::Object(_) => false,
    }
}

/// Java's `String.trim` (strips code points up to U+0020).
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

fn int_of(v: &Json) -> Option<i64> {
    match v {
        Json::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn float_of(v: &Json) -> Option<f64> {
    match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Helper plumbing
// ---------------------------------------------------------------------------

/// What a helper produced.
enum Out {
    /// A value: rendered as Java text (escaped when escaping is on).
    Val(Json),
    /// A value rendered the way `jsonPath` renders (objects and lists as JSON).
    Json(Json),
    /// A one-or-many list: the list as a value, its first item as text.
    Los(Json),
    /// Rendered block content (not escaped again).
    Block(String),
    /// Nothing (variable assignment).
    Nothing,
}

impl Out {
    fn into_value(self) -> Json {
        match self {
            Out::Val(v) | Out::Json(v) | Out::Los(v) => v,
            Out::Block(s) => Json::String(s),
            Out::Nothing => Json::Null,
        }
    }
}

fn text_out(v: impl Into<String>) -> Out {
    Out::Val(Json::String(v.into()))
}

/// A failure WireMock renders inline.
fn inline_error(msg: impl fmt::Display) -> Out {
    text_out(format!("[ERROR: {msg}]"))
}

/// A failure WireMock raises (the response fails).
fn hard(msg: impl Into<String>) -> RenderError {
    RenderErrorReason::Other(msg.into()).into()
}

type HelperFn = for<'a, 'reg, 'rc> fn(
    &Call<'a, 'reg, 'rc>,
    &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError>;

/// One helper invocation.
struct Call<'a, 'reg, 'rc> {
    h: &'a Helper<'rc>,
    r: &'reg Handlebars<'reg>,
    ctx: &'rc Context,
}

impl<'reg: 'rc, 'rc> Call<'_, 'reg, 'rc> {
    fn n(&self) -> usize {
        self.h.params().len()
    }

    fn p(&self, i: usize) -> Option<&PathAndJson<'rc>> {
        self.h.param(i).filter(|p| !p.is_value_missing())
    }

    /// An argument's value as given (lists stay lists).
    fn raw(&self, i: usize, rc: &RenderContext<'reg, 'rc>) -> Option<Json> {
        let p = self.h.param(i)?;
        if unresolved(p) {
            return self.root_lookup(p, rc, false);
        }
        Some(p.value().clone())
    }

    /// Handlebars.java resolves a name missing in the current scope from the
    /// outer ones; handlebars-rust cannot once a block iterates a computed value,
    /// so simple names fall back to the root (where variables live).
    fn root_lookup(
        &self,
        p: &PathAndJson<'rc>,
        rc: &RenderContext<'reg, 'rc>,
        scalarize: bool,
    ) -> Option<Json> {
        let raw = p.relative_path()?;
        if raw.is_empty()
            || raw.starts_with(['@', '.'])
            || raw == "this"
            || raw.starts_with("this.")
        {
            return None;
        }
        let segs = split_raw_path(raw);
        self.data(rc, |d| {
            let mut cur = d;
            for s in &segs {
                cur = match cur {
                    Json::Object(m) => m.get(s)?,
                    Json::Array(a) => a.get(s.parse::<usize>().ok()?)?,
                    _ => return None,
                };
            }
            Some(match (scalarize, kind_of_segments(&segs, d), cur) {
                (true, Kind::Los, Json::Array(a)) => a.first().cloned().unwrap_or(Json::Null),
                (true, Kind::PathText, _) => {
                    d.pointer("/request/__path").cloned().unwrap_or(Json::Null)
                }
                _ => cur.clone(),
            })
        })
    }

    fn data<T>(&self, rc: &RenderContext<'reg, 'rc>, f: impl FnOnce(&Json) -> T) -> T {
        match rc.context() {
            Some(c) => f(c.data()),
            None => f(self.ctx.data()),
        }
    }

    /// An argument's value as WireMock's helpers see it (see [`scalar`]).
    fn val(&self, i: usize, rc: &RenderContext<'reg, 'rc>) -> Option<Json> {
        let p = self.h.param(i)?;
        if unresolved(p) {
            return self.root_lookup(p, rc, true);
        }
        Some(self.data(rc, |d| scalar(p, d)))
    }

    fn text(&self, i: usize, rc: &RenderContext<'reg, 'rc>) -> Option<String> {
        self.val(i, rc).map(|v| value_text(&v))
    }

    fn hp(&self, key: &str) -> Option<&PathAndJson<'rc>> {
        self.h.hash_get(key).filter(|p| !p.is_value_missing())
    }

    fn hash_val(&self, key: &str, rc: &RenderContext<'reg, 'rc>) -> Option<Json> {
        let p = self.h.hash_get(key)?;
        if unresolved(p) {
            return self.root_lookup(p, rc, true);
        }
        Some(self.data(rc, |d| scalar(p, d)))
    }

    fn hash_text(&self, key: &str, rc: &RenderContext<'reg, 'rc>) -> Option<String> {
        self.hash_val(key, rc)
            .filter(|v| !v.is_null())
            .map(|v| value_text(&v))
    }

    fn hash_bool(&self, key: &str) -> bool {
        match self.hp(key).map(PathAndJson::value) {
            Some(Json::Bool(b)) => *b,
            Some(Json::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    fn hash_int(&self, key: &str, rc: &RenderContext<'reg, 'rc>) -> Option<i64> {
        self.hash_val(key, rc).and_then(|v| int_of(&v))
    }

    /// The rendered block, when called as a block helper.
    fn block(&self, rc: &mut RenderContext<'reg, 'rc>) -> Result<Option<String>, RenderError> {
        if !self.h.is_block() {
            return Ok(None);
        }
        match self.h.template() {
            Some(t) => t.renders(self.r, self.ctx, rc).map(Some),
            None => Ok(Some(String::new())),
        }
    }

    /// The block (or `{{else}}` part) for a condition; `yes=`/`no=` or the
    /// boolean when not a block.
    fn branch(&self, rc: &mut RenderContext<'reg, 'rc>, result: bool) -> Result<Out, RenderError> {
        if self.h.is_block() {
            let t = if result {
                self.h.template()
            } else {
                self.h.inverse()
            };
            return Ok(Out::Block(match t {
                Some(t) => t.renders(self.r, self.ctx, rc)?,
                None => String::new(),
            }));
        }
        let key = if result { "yes" } else { "no" };
        Ok(Out::Val(
            self.hp(key)
                .map(|p| p.value().clone())
                .unwrap_or(Json::Bool(result)),
        ))
    }

    /// Renders the block with `item` as its context.
    fn block_with(
        &self,
        rc: &mut RenderContext<'reg, 'rc>,
        item: &Json,
    ) -> Result<String, RenderError> {
        let Some(t) = self.h.template() else {
            return Ok(String::new());
        };
        let mut block = BlockContext::new();
        block.set_base_value(item.clone());
        rc.push_block(block);
        let result = t.renders(self.r, self.ctx, rc);
        rc.pop_block();
        result
    }

    /// Sets a root-level variable (Handlebars.java's `context.data(name, value)`).
    fn set_var(
        &self,
        rc: &mut RenderContext<'reg, 'rc>,
        name: &str,
        value: Json,
        list_depth: Option<u64>,
    ) -> Result<(), RenderError> {
        let mut data = self.data(rc, Json::clone);
        if let Json::Object(m) = &mut data {
            m.insert(name.to_string(), value);
            let los = m
                .entry(LOS_VARS)
                .or_insert_with(|| Json::Object(Map::new()));
            if let Json::Object(los) = los {
                match list_depth {
                    Some(d) => {
                        los.insert(name.to_string(), Json::from(d));
                    }
                    None => {
                        los.remove(name);
                    }
                }
            }
        }
        rc.set_context(Context::from(data));
        Ok(())
    }
}

/// Missing, or (once a variable changed the context, when handlebars-rust
/// reports misses as `null`) a null that came from no context location.
fn unresolved(p: &PathAndJson) -> bool {
    p.is_value_missing() || p.value().is_null() && p.context_path().is_none()
}

/// Adapts a [`HelperFn`] to handlebars.
struct Wm(HelperFn);

impl HelperDef for Wm {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let out = (self.0)(&Call { h, r, ctx }, rc)?;
        Ok(ScopedJson::Derived(out.into_value()))
    }

    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let result = (self.0)(&Call { h, r, ctx }, rc)?;
        let escape = |s: String| {
            if rc.is_disable_escape() {
                s
            } else {
                r.get_escape_fn()(&s)
            }
        };
        let text = match result {
            Out::Val(v) => escape(value_text(&v)),
            Out::Json(v) => escape(json_text(&v)),
            Out::Los(Json::Array(a)) => escape(a.first().map(value_text).unwrap_or_default()),
            Out::Los(v) => escape(value_text(&v)),
            Out::Block(s) => s,
            Out::Nothing => return Ok(()),
        };
        out.write(&text)
            .map_err(|e| RenderErrorReason::Other(e.to_string()).into())
    }
}

const HELPERS: &[(&str, HelperFn)] = &[
    (RENDER, h_render),
    // conditionals (Handlebars.java's ConditionalHelpers)
    ("eq", h_eq),
    ("neq", h_neq),
    ("ne", h_neq),
    ("gt", h_order::<GT>),
    ("gte", h_order::<GTE>),
    ("lt", h_order::<LT>),
    ("lte", h_order::<LTE>),
    ("and", h_and),
    ("or", h_or),
    ("not", h_not),
    ("lookup", h_lookup),
    ("assign", h_assign),
    // Handlebars.java's StringHelpers and NumberHelper
    ("upper", h_upper),
    ("lower", h_lower),
    ("capitalize", h_capitalize),
    ("capitalizeFirst", h_capitalize_first),
    ("abbreviate", h_abbreviate),
    ("center", h_center),
    ("ljust", h_ljust),
    ("rjust", h_rjust),
    ("cut", h_cut),
    ("defaultIfEmpty", h_default_if_empty),
    ("replace", h_replace),
    ("substring", h_substring),
    ("slugify", h_slugify),
    ("stripTags", h_strip_tags),
    ("yesno", h_yesno),
    ("dateFormat", h_date_format),
    ("isEven", h_is_even),
    ("isOdd", h_is_odd),
    ("stripes", h_stripes),
    // WireMock's helpers
    ("jsonPath", h_json_path),
    ("xPath", h_xpath),
    ("soapXPath", h_soap_xpath),
    ("now", h_now),
    ("date", h_date),
    ("parseDate", h_parse_date),
    ("truncateDate", h_truncate_date),
    ("randomValue", h_random_value),
    ("randomInt", h_random_int),
    ("randomDecimal", h_random_decimal),
    ("pickRandom", h_pick_random),
    ("math", h_math),
    ("maths", h_math),
    ("range", h_range),
    ("array", h_array),
    ("size", h_size),
    ("join", h_join),
    ("trim", h_trim),
    ("base64", h_base64),
    ("urlEncode", h_url_encode),
    ("formData", h_form_data),
    ("regexExtract", h_regex_extract),
    ("contains", h_contains),
    ("matches", h_matches),
    ("parseJson", h_parse_json),
    ("toJson", h_to_json),
    ("formatJson", h_format_json),
    ("val", h_val),
    ("hostname", h_hostname),
    // seam addition
    ("split", h_split),
];

// ---------------------------------------------------------------------------
// Helpers: rendering, conditionals, variables
// ---------------------------------------------------------------------------

/// Bare `{{value}}` expressions.
fn h_render<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(match c.val(0, rc) {
        Some(v) => Out::Val(v),
        None => Out::Nothing,
    })
}

fn values_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn compare(a: &Json, b: &Json) -> Result<std::cmp::Ordering, RenderError> {
    let num = |v: &Json| match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let ordering = match (a, b) {
        (Json::String(x), Json::String(y)) => Some(x.cmp(y)),
        (Json::Bool(x), Json::Bool(y)) => Some(x.cmp(y)),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => None,
        },
    };
    ordering.ok_or_else(|| {
        hard(format!(
            "not comparable: {} and {}",
            value_text(a),
            value_text(b)
        ))
    })
}

fn two<'reg, 'rc>(c: &Call<'_, 'reg, 'rc>, rc: &RenderContext<'reg, 'rc>) -> (Json, Json) {
    (
        c.val(0, rc).unwrap_or(Json::Null),
        c.val(1, rc).unwrap_or(Json::Null),
    )
}

fn h_eq<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (a, b) = two(c, rc);
    c.branch(rc, values_equal(&a, &b))
}

fn h_neq<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (a, b) = two(c, rc);
    c.branch(rc, !values_equal(&a, &b))
}

/// `gt`, `gte`, `lt`, `lte`: one helper, the comparison chosen by `OP`.
fn h_order<'reg, 'rc, const OP: u8>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (a, b) = two(c, rc);
    let ord = compare(&a, &b)?;
    let holds = match OP {
        GT => ord.is_gt(),
        GTE => ord.is_ge(),
        LT => ord.is_lt(),
        _ => ord.is_le(),
    };
    c.branch(rc, holds)
}

const GT: u8 = 0;
const GTE: u8 = 1;
const LT: u8 = 2;
const LTE: u8 = 3;

fn h_and<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let result = (0..c.n().max(1)).all(|i| !is_empty(&c.raw(i, rc).unwrap_or(Json::Null)));
    c.branch(rc, result)
}

fn h_or<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let result = (0..c.n()).any(|i| !is_empty(&c.raw(i, rc).unwrap_or(Json::Null)));
    c.branch(rc, result)
}

fn h_not<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let result = is_empty(&c.raw(0, rc).unwrap_or(Json::Null));
    c.branch(rc, result)
}

/// `{{lookup obj 'key'}}`, also with a dotted key (`'ids[].1'`).
fn h_lookup<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(base) = c.p(0) else {
        return Ok(Out::Nothing);
    };
    let Some(key) = c.text(1, rc) else {
        return Ok(Out::Nothing);
    };
    let segs = path_segments(base).unwrap_or_default();
    let multi_map =
        matches!(segs.as_slice(), [r, m] if r == "request" && MULTI.contains(&m.as_str()));
    let key = if segs.len() == 2 && segs[0] == "request" && segs[1] == "headers" {
        key.to_ascii_lowercase()
    } else {
        key
    };
    let get = |v: &Json, k: &str| -> Option<Json> {
        match v {
            Json::Object(m) => m.get(k).cloned(),
            Json::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i).cloned()),
            _ => None,
        }
    };
    let value = base.value();
    if let Some(found) = get(value, &key) {
        return Ok(if multi_map {
            Out::Los(found)
        } else {
            Out::Val(found)
        });
    }
    let found = key
        .rsplit_once('.')
        .and_then(|(head, tail)| get(&get(value, head)?, tail));
    Ok(Out::Val(found.unwrap_or(Json::Null)))
}

/// `{{#assign 'name'}}...{{/assign}}` (Handlebars.java's AssignHelper).
fn h_assign<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(name) = c.text(0, rc) else {
        return Err(hard("assign needs a variable name"));
    };
    let value = match c.block(rc)? {
        Some(b) => Json::String(java_trim(&b).to_string()),
        None => c.val(1, rc).unwrap_or(Json::Null),
    };
    c.set_var(rc, &name, value, None)?;
    Ok(Out::Nothing)
}

/// `{{val value default='x'}}`, `{{val value or='x' assign='name'}}`.
fn h_val<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let value = c.val(0, rc).filter(|v| !v.is_null());
    let default = c.hash_val("or", rc).or_else(|| c.hash_val("default", rc));
    let value = value.or(default).unwrap_or(Json::Null);
    if let Some(name) = c.hash_text("assign", rc) {
        c.set_var(rc, &name, value, None)?;
        return Ok(Out::Nothing);
    }
    Ok(Out::Val(value))
}

// ---------------------------------------------------------------------------
// Helpers: strings
// ---------------------------------------------------------------------------

/// Handlebars.java's string helpers: a falsy value renders the first argument
/// (or nothing); otherwise `f` gets the value's text.
fn string_helper<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &RenderContext<'reg, 'rc>,
    f: impl FnOnce(String) -> Result<String, String>,
) -> Result<Out, RenderError> {
    let v = c.val(0, rc).unwrap_or(Json::Null);
    if is_empty(&v) {
        return Ok(match c.text(1, rc) {
            Some(t) => text_out(t),
            None => Out::Nothing,
        });
    }
    f(value_text(&v)).map(text_out).map_err(hard)
}

fn h_upper<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    string_helper(c, rc, |s| Ok(s.to_uppercase()))
}

fn h_lower<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    string_helper(c, rc, |s| Ok(s.to_lowercase()))
}

fn capitalize_words(s: &str, fully: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut word_start = true;
    for ch in s.chars() {
        if ch.is_whitespace() {
            word_start = true;
            out.push(ch);
        } else if word_start {
            word_start = false;
            out.extend(ch.to_uppercase());
        } else if fully {
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

fn h_capitalize<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let fully = c.hash_bool("fully");
    string_helper(c, rc, |s| Ok(capitalize_words(&s, fully)))
}

fn h_capitalize_first<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    string_helper(c, rc, |s| {
        let mut chars = s.chars();
        Ok(match chars.next() {
            Some(f) => f.to_uppercase().chain(chars).collect(),
            None => s,
        })
    })
}

fn h_abbreviate<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let width = c.val(1, rc).and_then(|v| int_of(&v));
    string_helper(c, rc, |s| {
        let width = width.ok_or("abbreviate: expected a width")?;
        let chars: Vec<char> = s.chars().collect();
        if chars.len() as i64 <= width {
            return Ok(s);
        }
        if width < 4 {
            return Err("abbreviate: minimum abbreviation width is 4".to_string());
        }
        Ok(chars[..width as usize - 3].iter().collect::<String>() + "...")
    })
}

fn pad(s: &str, size: i64, padding: &str, left: bool) -> String {
    let len = s.chars().count() as i64;
    let padding: Vec<char> = if padding.is_empty() {
        vec![' ']
    } else {
        padding.chars().collect()
    };
    if size <= len {
        return s.to_string();
    }
    let fill: String = padding.iter().cycle().take((size - len) as usize).collect();
    if left {
        fill + s
    } else {
        format!("{s}{fill}")
    }
}

fn padding_args<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &RenderContext<'reg, 'rc>,
) -> (Option<i64>, String) {
    (
        c.hash_int("size", rc),
        c.hash_text("pad", rc).unwrap_or_else(|| " ".to_string()),
    )
}

fn h_center<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (size, padding) = padding_args(c, rc);
    string_helper(c, rc, |s| {
        let size = size.ok_or("center: expected size=")?;
        let len = s.chars().count() as i64;
        if size <= len {
            return Ok(s);
        }
        let left = pad(&s, len + (size - len) / 2, &padding, true);
        Ok(pad(&left, size, &padding, false))
    })
}

fn h_ljust<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (size, padding) = padding_args(c, rc);
    string_helper(c, rc, |s| {
        Ok(pad(
            &s,
            size.ok_or("ljust: expected size=")?,
            &padding,
            false,
        ))
    })
}

fn h_rjust<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (size, padding) = padding_args(c, rc);
    string_helper(c, rc, |s| {
        Ok(pad(
            &s,
            size.ok_or("rjust: expected size=")?,
            &padding,
            true,
        ))
    })
}

fn h_cut<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let strip = c.text(1, rc).unwrap_or_else(|| " ".to_string());
    string_helper(c, rc, |s| {
        Ok(if strip.is_empty() {
            s
        } else {
            s.replace(&strip, "")
        })
    })
}

fn h_default_if_empty<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let v = c.val(0, rc).unwrap_or(Json::Null);
    Ok(if is_empty(&v) {
        text_out(c.text(1, rc).unwrap_or_default())
    } else {
        text_out(value_text(&v))
    })
}

fn h_replace<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let target = c.text(1, rc);
    let replacement = c.text(2, rc);
    string_helper(c, rc, |s| match (target, replacement) {
        (Some(t), Some(r)) if !t.is_empty() => Ok(s.replace(&t, &r)),
        (Some(_), Some(_)) => Ok(s),
        _ => Err("replace: expected a target and a replacement".to_string()),
    })
}

fn h_substring<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let start = c.val(1, rc).and_then(|v| int_of(&v));
    let end = c.val(2, rc).and_then(|v| int_of(&v));
    string_helper(c, rc, |s| {
        let chars: Vec<char> = s.chars().collect();
        let start = start.ok_or("substring: expected a start offset")?;
        let end = end.unwrap_or(chars.len() as i64);
        if start < 0 || end < start || end > chars.len() as i64 {
            return Err(format!(
                "substring: offsets {start}..{end} out of range for `{s}`"
            ));
        }
        Ok(chars[start as usize..end as usize].iter().collect())
    })
}

fn h_slugify<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    string_helper(c, rc, |s| {
        let mut out = String::new();
        for ch in s.trim().chars() {
            if ch.is_alphabetic() {
                out.extend(ch.to_lowercase());
            }
            if ch.is_whitespace() {
                out.push('-');
            }
        }
        Ok(out)
    })
}

fn h_strip_tags<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    string_helper(c, rc, |s| {
        let mut out = String::with_capacity(s.len());
        let mut rest = s.as_str();
        while let Some(i) = rest.find('<') {
            out.push_str(&rest[..i]);
            match rest[i..].find('>') {
                Some(j) => rest = &rest[i + j + 1..],
                None => {
                    rest = &rest[i..];
                    break;
                }
            }
        }
        out.push_str(rest);
        Ok(out)
    })
}

fn h_yesno<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let pick = |key: &str, default: &str| {
        text_out(c.hash_text(key, rc).unwrap_or_else(|| default.to_string()))
    };
    match c.val(0, rc) {
        None | Some(Json::Null) => Ok(pick("maybe", "maybe")),
        Some(Json::Bool(true)) => Ok(pick("yes", "yes")),
        Some(Json::Bool(false)) => Ok(pick("no", "no")),
        Some(other) => Err(hard(format!(
            "yesno: found '{}', expected 'boolean'",
            value_text(&other)
        ))),
    }
}

fn h_split<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let text = c.text(0, rc).unwrap_or_default();
    let sep = c.text(1, rc).unwrap_or_else(|| ",".to_string());
    let parts: Vec<Json> = if text.is_empty() {
        Vec::new()
    } else if sep.is_empty() {
        text.chars()
            .map(|ch| Json::String(ch.to_string()))
            .collect()
    } else {
        text.split(sep.as_str())
            .map(|p| Json::String(p.to_string()))
            .collect()
    };
    Ok(Out::Val(Json::Array(parts)))
}

fn h_trim<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    if let Some(b) = c.block(rc)? {
        return Ok(Out::Block(java_trim(&b).to_string()));
    }
    Ok(text_out(java_trim(&c.text(0, rc).unwrap_or_default())))
}

/// Helpers that take their input from a block or the first argument.
fn block_or_text<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<(String, bool), RenderError> {
    Ok(match c.block(rc)? {
        Some(b) => (b, true),
        None => (c.text(0, rc).unwrap_or_default(), false),
    })
}

fn block_or_val(text: String, block: bool) -> Out {
    if block {
        Out::Block(text)
    } else {
        text_out(text)
    }
}

fn h_base64<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    use base64::engine::general_purpose::{
        GeneralPurpose, GeneralPurposeConfig, STANDARD, STANDARD_NO_PAD,
    };
    use base64::engine::DecodePaddingMode;
    let (value, block) = block_or_text(c, rc)?;
    let result = if c.hash_bool("decode") {
        let cleaned: String = value.chars().filter(|ch| !ch.is_whitespace()).collect();
        let lenient = GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
        );
        let bytes = lenient
            .decode(cleaned.as_bytes())
            .or_else(|_| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(cleaned.trim_end_matches('='))
            })
            .map_err(|e| hard(format!("base64: cannot decode `{value}`: {e}")))?;
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        let padding = c
            .hp("padding")
            .map(|p| !is_empty(p.value()) && p.value() != "false")
            .unwrap_or(true);
        if padding {
            STANDARD.encode(value.as_bytes())
        } else {
            STANDARD_NO_PAD.encode(value.as_bytes())
        }
    };
    Ok(block_or_val(result, block))
}

/// Java's `URLEncoder.encode(s, "UTF-8")`.
fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Java's `URLDecoder.decode(s, "UTF-8")` (lenient with stray `%`).
fn url_decode(s: &str) -> String {
    seam_core::http::percent_decode(s)
}

fn h_url_encode<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (value, block) = block_or_text(c, rc)?;
    let result = if c.hash_bool("decode") {
        url_decode(&value)
    } else {
        url_encode(&value)
    };
    Ok(block_or_val(result, block))
}

/// WireMock's `join`: `{{join ',' (array 'a' 'b')}}`, `{{join ' ' 'a' 'b'}}`; also
/// Handlebars.java's `{{join list ', '}}`; `prefix=`/`suffix=`; a block renders each item.
fn h_join<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let n = c.n();
    let last_is_text = n >= 2 && matches!(c.raw(n - 1, rc), Some(Json::String(_)));
    let (sep, items) = match c.raw(0, rc) {
        Some(Json::Array(list)) if last_is_text => (c.text(n - 1, rc).unwrap_or_default(), list),
        Some(Json::String(sep)) => {
            let items = match c.raw(1, rc) {
                Some(Json::Array(list)) if n == 2 => list,
                _ => (1..n).map(|i| c.val(i, rc).unwrap_or(Json::Null)).collect(),
            };
            (sep, items)
        }
        _ => return Ok(inline_error("Separator parameter must be a String")),
    };
    if items.is_empty() {
        return Ok(text_out(""));
    }
    let prefix = c.hash_text("prefix", rc).unwrap_or_default();
    let suffix = c.hash_text("suffix", rc).unwrap_or_default();
    if c.h.is_block() {
        let mut parts = Vec::with_capacity(items.len());
        for item in &items {
            parts.push(c.block_with(rc, item)?);
        }
        return Ok(Out::Block(format!("{prefix}{}{suffix}", parts.join(&sep))));
    }
    let joined = items.iter().map(value_text).collect::<Vec<_>>().join(&sep);
    Ok(text_out(format!("{prefix}{joined}{suffix}")))
}

fn h_size<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(Out::Val(match c.raw(0, rc) {
        Some(Json::String(s)) => Json::from(s.encode_utf16().count()),
        Some(Json::Array(a)) => Json::from(a.len()),
        Some(Json::Object(m)) => Json::from(m.len()),
        _ => Json::Null,
    }))
}

fn h_contains<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    if c.n() < 2 {
        return Ok(inline_error(
            "You must specify the string or array to be matched and the regular expression",
        ));
    }
    let needle = c.text(1, rc);
    let result = match (c.raw(0, rc), needle) {
        (Some(Json::Array(a)), Some(n)) if !is_node_list(&a) => {
            a.iter().any(|x| x.as_str() == Some(n.as_str()))
        }
        (Some(_), Some(n)) => c.text(0, rc).unwrap_or_default().contains(&n),
        _ => false,
    };
    c.branch(rc, result)
}

/// A template's regex, within the matchers' bounds (length and compiled size).
fn compile_regex(pattern: &str, whole: bool) -> Result<regex::Regex, String> {
    if whole {
        crate::matchers::anchored_regex(pattern)
    } else {
        crate::matchers::bounded_regex(pattern)
    }
}

fn h_matches<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    if c.n() < 2 {
        return Ok(inline_error(
            "You must specify the string to be matched and the regular expression",
        ));
    }
    let value = c.text(0, rc).unwrap_or_default();
    let pattern = c.text(1, rc).unwrap_or_default();
    let re = compile_regex(&pattern, true).map_err(|e| hard(format!("matches: {e}")))?;
    c.branch(rc, re.is_match(&value))
}

/// `{{regexExtract value 're'}}` (first match) or `{{regexExtract value 're' 'parts'}}`
/// (every group of every match into the `parts` variable); `default=`.
fn h_regex_extract<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let input = c.text(0, rc).unwrap_or_default();
    let Some(pattern) = c.text(1, rc) else {
        return Ok(inline_error("regexExtract needs a regular expression"));
    };
    let Ok(re) = compile_regex(&pattern, false) else {
        return Ok(inline_error(format!("Invalid regex string {pattern}")));
    };
    let default = c.hash_val("default", rc);
    let no_match = |default: Option<Json>| match default {
        Some(d) => Out::Val(d),
        None => inline_error(format!("Nothing matched {pattern}")),
    };
    if c.n() < 3 {
        return Ok(match re.find(&input) {
            Some(m) => text_out(m.as_str()),
            None => no_match(default),
        });
    }
    let var = c.text(2, rc).unwrap_or_default();
    let mut groups = Vec::new();
    for caps in re.captures_iter(&input) {
        for i in 1..caps.len() {
            groups.push(
                caps.get(i)
                    .map(|m| Json::String(m.as_str().to_string()))
                    .unwrap_or(Json::Null),
            );
        }
    }
    if groups.is_empty() {
        return Ok(no_match(default));
    }
    c.set_var(rc, &var, Json::Array(groups), Some(1))?;
    Ok(Out::Nothing)
}

/// `{{formData request.body 'form' urlDecode=true}}` then `{{form.field}}`.
fn h_form_data<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let body = c.text(0, rc).unwrap_or_default();
    let decode = c.hash_bool("urlDecode");
    let mut form = Map::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = if decode {
            (url_decode(k), url_decode(v))
        } else {
            (k.to_string(), v.to_string())
        };
        push_all(&mut form, k, std::iter::once(v));
    }
    match c.text(1, rc) {
        Some(name) => {
            c.set_var(rc, &name, Json::Object(form), Some(2))?;
            Ok(Out::Nothing)
        }
        None => Ok(Out::Val(Json::Object(form))),
    }
}

fn hostname() -> String {
    ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .map(|s| s.trim().to_string())
        .chain(std::env::var("HOSTNAME").ok())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

fn h_hostname<'reg, 'rc>(
    _c: &Call<'_, 'reg, 'rc>,
    _rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(text_out(hostname()))
}

// ---------------------------------------------------------------------------
// Helpers: numbers, lists, randomness
// ---------------------------------------------------------------------------

fn parity<'reg, 'rc>(c: &Call<'_, 'reg, 'rc>, rc: &RenderContext<'reg, 'rc>) -> Option<bool> {
    match c.raw(0, rc) {
        Some(Json::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(|i| i % 2 == 0),
        _ => c.val(0, rc).and_then(|v| int_of(&v)).map(|i| i % 2 == 0),
    }
}

fn h_is_even<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(match parity(c, rc) {
        Some(true) => text_out(c.text(1, rc).unwrap_or_else(|| "even".to_string())),
        _ => Out::Nothing,
    })
}

fn h_is_odd<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(match parity(c, rc) {
        Some(false) => text_out(c.text(1, rc).unwrap_or_else(|| "odd".to_string())),
        _ => Out::Nothing,
    })
}

fn h_stripes<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(match parity(c, rc) {
        Some(true) => text_out(c.text(1, rc).unwrap_or_else(|| "even".to_string())),
        Some(false) => text_out(c.text(2, rc).unwrap_or_else(|| "odd".to_string())),
        None => Out::Nothing,
    })
}

/// A Java `BigDecimal`: `v × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Dec {
    v: i128,
    scale: u32,
}

impl Dec {
    const ZERO: Dec = Dec { v: 0, scale: 0 };

    fn parse(s: &str) -> Option<Dec> {
        let s = s.trim();
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
            None => (s, 0),
        };
        let (neg, digits) = match mantissa.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty()
            || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let mut v: i128 = 0;
        for d in int.chars().chain(frac.chars()) {
            v = v.checked_mul(10)?.checked_add(d.to_digit(10)? as i128)?;
        }
        let mut scale = frac.len() as i64 - exp as i64;
        if scale < 0 {
            v = v.checked_mul(10i128.checked_pow(u32::try_from(-scale).ok()?)?)?;
            scale = 0;
        }
        Some(Dec {
            v: if neg { -v } else { v },
            scale: u32::try_from(scale).ok()?,
        })
    }

    fn of(v: &Json) -> Dec {
        match v {
            Json::Number(n) if n.is_i64() => Dec {
                v: n.as_i64().unwrap_or(0) as i128,
                scale: 0,
            },
            Json::Number(n) if n.is_u64() => Dec {
                v: n.as_u64().unwrap_or(0) as i128,
                scale: 0,
            },
            Json::Number(n) => {
                Dec::parse(&java_double(n.as_f64().unwrap_or(0.0))).unwrap_or(Dec::ZERO)
            }
            other => Dec::parse(&value_text(other)).unwrap_or(Dec::ZERO),
        }
    }

    fn to_f64(self) -> f64 {
        self.v as f64 / 10f64.powi(self.scale as i32)
    }

    fn rescale(self, scale: u32) -> Option<i128> {
        self.v.checked_mul(10i128.checked_pow(scale - self.scale)?)
    }

    fn aligned(self, other: Dec) -> Option<(i128, i128, u32)> {
        let s = self.scale.max(other.scale);
        Some((self.rescale(s)?, other.rescale(s)?, s))
    }

    /// Java's `BigDecimal` operation; `None` on overflow.
    fn apply(self, op: &str, other: Dec) -> Option<Result<Dec, &'static str>> {
        Some(Ok(match op {
            "+" => {
                let (a, b, s) = self.aligned(other)?;
                Dec {
                    v: a.checked_add(b)?,
                    scale: s,
                }
            }
            "-" => {
                let (a, b, s) = self.aligned(other)?;
                Dec {
                    v: a.checked_sub(b)?,
                    scale: s,
                }
            }
            "*" | "x" => Dec {
                v: self.v.checked_mul(other.v)?,
                scale: self.scale.checked_add(other.scale)?,
            },
            "/" => {
                if other.v == 0 {
                    return Some(Err("Division by zero"));
                }
                // result scale = dividend's scale, rounded half up
                let num = self.v.checked_mul(10i128.checked_pow(other.scale)?)?;
                let (q, r) = (num / other.v, num % other.v);
                let q = if r.checked_abs()?.checked_mul(2)? >= other.v.checked_abs()? {
                    q + num.signum() * other.v.signum()
                } else {
                    q
                };
                Dec {
                    v: q,
                    scale: self.scale,
                }
            }
            "%" => {
                if other.v == 0 {
                    return Some(Err("Division by zero"));
                }
                let (a, b, s) = self.aligned(other)?;
                Dec { v: a % b, scale: s }
            }
            _ => return Some(Err("not a valid mathematical operator")),
        }))
    }

    fn to_json(self) -> Json {
        if self.scale == 0 {
            if let Ok(i) = i64::try_from(self.v) {
                return Json::from(i);
            }
        }
        Number::from_f64(self.to_f64())
            .map(Json::Number)
            .unwrap_or(Json::Null)
    }
}

/// `{{math 1 '+' 2}}`: `+ - * x / %` on Java `BigDecimal`s.
fn h_math<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    if c.n() != 3 {
        return Ok(inline_error(
            "All maths functions require two operands and an operator as parameters e.g. 3 '+' 2",
        ));
    }
    let left = Dec::of(&c.val(0, rc).unwrap_or(Json::Null));
    let op = c.text(1, rc).unwrap_or_default();
    let right = Dec::of(&c.val(2, rc).unwrap_or(Json::Null));
    Ok(match left.apply(&op, right) {
        Some(Ok(d)) => Out::Val(d.to_json()),
        Some(Err("not a valid mathematical operator")) => {
            inline_error(format!("{op} is not a valid mathematical operator"))
        }
        Some(Err(e)) => inline_error(e),
        None => {
            let (a, b) = (left.to_f64(), right.to_f64());
            let f = match op.as_str() {
                "+" => a + b,
                "-" => a - b,
                "*" | "x" => a * b,
                "/" => a / b,
                _ => a % b,
            };
            Out::Val(Number::from_f64(f).map(Json::Number).unwrap_or(Json::Null))
        }
    })
}

/// Longest list `range` builds.
const MAX_RANGE: i64 = 1_000_000;

fn h_range<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let lower = c.val(0, rc).and_then(|v| int_of(&v));
    let upper = c.val(1, rc).and_then(|v| int_of(&v));
    let (Some(lower), Some(upper)) = (lower, upper) else {
        return Ok(inline_error(
            "The range helper requires both lower and upper bounds as integer parameters",
        ));
    };
    if upper.saturating_sub(lower) >= MAX_RANGE {
        return Err(hard(format!("range: {lower}..{upper} is too long")));
    }
    Ok(Out::Val(Json::Array(
        (lower..=upper).map(Json::from).collect(),
    )))
}

fn h_array<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(Out::Val(Json::Array(
        (0..c.n())
            .map(|i| c.raw(i, rc).unwrap_or(Json::Null))
            .collect(),
    )))
}

const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const ALPHABETIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const NUMERIC: &[u8] = b"0123456789";
const HEXADECIMAL: &[u8] = b"ABCDEF0123456789";
/// Longest string `randomValue` builds.
const MAX_RANDOM_LENGTH: i64 = 1_000_000;

fn random_from(chars: &[u8], len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| chars[rng.gen_range(0..chars.len())] as char)
        .collect()
}

fn random_range(lo: u8, hi_inclusive: u8, len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| rng.gen_range(lo..=hi_inclusive) as char)
        .collect()
}

/// `{{randomValue length=12 type='ALPHANUMERIC' uppercase=true}}` (lower case
/// unless `uppercase`, as WireMock does).
fn h_random_value<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let len = c
        .hash_int("length", rc)
        .unwrap_or(36)
        .clamp(0, MAX_RANDOM_LENGTH) as usize;
    let kind = c
        .hash_text("type", rc)
        .unwrap_or_else(|| "ALPHANUMERIC".to_string());
    let raw = match kind.as_str() {
        "ALPHANUMERIC" => random_from(ALPHANUMERIC, len),
        "ALPHABETIC" => random_from(ALPHABETIC, len),
        "NUMERIC" => random_from(NUMERIC, len),
        "ALPHANUMERIC_AND_SYMBOLS" => random_range(33, 125, len),
        "UUID" => uuid::Uuid::new_v4().to_string(),
        "HEXADECIMAL" => random_from(HEXADECIMAL, len),
        _ => random_range(32, 126, len),
    };
    Ok(text_out(if c.hash_bool("uppercase") {
        raw.to_uppercase()
    } else {
        raw.to_lowercase()
    }))
}

/// `{{randomInt lower=5 upper=9}}`: `lower` inclusive, `upper` exclusive.
fn h_random_int<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let lower = c.hash_int("lower", rc).unwrap_or(i32::MIN as i64);
    let upper = c.hash_int("upper", rc).unwrap_or(i32::MAX as i64);
    if lower >= upper {
        return Err(hard(format!(
            "randomInt: upper ({upper}) must be greater than lower ({lower})"
        )));
    }
    Ok(Out::Val(Json::from(
        rand::thread_rng().gen_range(lower..upper),
    )))
}

/// `{{randomDecimal lower=-10.1 upper=-0.9}}`.
fn h_random_decimal<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let bound = |k: &str, default: f64| {
        c.hash_val(k, rc)
            .and_then(|v| float_of(&v))
            .unwrap_or(default)
    };
    let lower = bound("lower", f64::from_bits(1));
    let upper = bound("upper", f64::MAX);
    if !lower.is_finite() || !upper.is_finite() || lower >= upper {
        return Err(hard(format!(
            "randomDecimal: upper ({upper}) must be greater than lower ({lower})"
        )));
    }
    let t: f64 = rand::thread_rng().gen();
    let v = lower * (1.0 - t) + upper * t;
    let v = if v >= upper || v < lower { lower } else { v };
    Ok(Out::Val(
        Number::from_f64(v).map(Json::Number).unwrap_or(Json::Null),
    ))
}

/// `{{pickRandom '1' '2' '3'}}` or `{{pickRandom list}}`.
fn h_pick_random<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let items: Vec<Json> =
        match c.raw(0, rc) {
            None => return Ok(inline_error(
                "Must specify either a single list argument or a set of single value arguments.",
            )),
            Some(Json::Array(a)) => a,
            Some(_) => (0..c.n()).filter_map(|i| c.val(i, rc)).collect(),
        };
    if items.is_empty() {
        return Ok(text_out(""));
    }
    let i = rand::thread_rng().gen_range(0..items.len());
    Ok(text_out(value_text(&items[i])))
}

// ---------------------------------------------------------------------------
// Helpers: JSON
// ---------------------------------------------------------------------------

/// Jayway's notion of a definite path (one result rather than a list).
fn is_definite_json_path(path: &str) -> bool {
    !(path.contains('*')
        || path.contains("..")
        || path.contains("?")
        || path.contains(',')
        || path.contains(':'))
}

/// `{{jsonPath request.body '$.id' default='x'}}`.
fn h_json_path<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let input = match c.val(0, rc) {
        None | Some(Json::Null) => return Ok(text_out("")),
        Some(v) => v,
    };
    let Some(path) = c.text(1, rc) else {
        return Ok(inline_error("The JSONPath cannot be empty"));
    };
    let doc = match input {
        Json::String(s) if java_trim(&s).is_empty() => return Ok(text_out("")),
        Json::String(s) => match serde_json::from_str::<Json>(&s) {
            Ok(d) => d,
            Err(_) => return Ok(inline_error(format!("{s} is not valid JSON"))),
        },
        other => other,
    };
    let Ok(jp) = serde_json_path::JsonPath::parse(&path) else {
        return Ok(inline_error(format!(
            "{path} is not a valid JSONPath expression"
        )));
    };
    let nodes = jp.query(&doc).all();
    let result = if is_definite_json_path(&path) {
        nodes.first().map(|v| (*v).clone())
    } else {
        Some(Json::Array(nodes.into_iter().cloned().collect()))
    };
    Ok(Out::Json(match result {
        None | Some(Json::Null) => c
            .hash_val("default", rc)
            .unwrap_or_else(|| Json::String(String::new())),
        Some(v) => v,
    }))
}

/// `{{parseJson request.body}}`, `{{parseJson request.body 'var'}}`,
/// `{{#parseJson 'var'}}{...}{{/parseJson}}`.
fn h_parse_json<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (text, var) = match c.block(rc)? {
        Some(b) => (b, c.text(0, rc)),
        None => match c.text(0, rc) {
            Some(t) => (t, c.text(1, rc)),
            None => return Ok(inline_error("Missing required JSON string parameter")),
        },
    };
    let trimmed = java_trim(&text);
    let compact: String = trimmed.chars().filter(|ch| !ch.is_whitespace()).collect();
    let value = if compact.is_empty() || compact == "{}" {
        Json::Object(Map::new())
    } else {
        serde_json::from_str::<Json>(trimmed)
            .map_err(|e| hard(format!("parseJson: invalid JSON: {e}")))?
    };
    match var {
        Some(name) => {
            c.set_var(rc, &name, value, None)?;
            Ok(Out::Nothing)
        }
        None => Ok(Out::Val(value)),
    }
}

/// `{{toJson value}}`: Jackson's pretty printing.
fn h_to_json<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(p) = c.p(0) else {
        return Ok(text_out(""));
    };
    let v = c.data(rc, |d| collapse_lists(p, d));
    Ok(text_out(jackson_pretty(&v)))
}

/// `{{#formatJson format='compact'}}...{{/formatJson}}` or `{{formatJson value}}`.
fn h_format_json<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (text, block) = match c.block(rc)? {
        Some(b) => (b, true),
        None => match c.val(0, rc) {
            Some(Json::String(s)) => (s, false),
            Some(v @ (Json::Object(_) | Json::Array(_))) => {
                (serde_json::to_string(&v).unwrap_or_default(), false)
            }
            _ => (String::new(), false),
        },
    };
    let text = java_trim(&text);
    if text.is_empty() {
        return Ok(inline_error(
            "formatJson should take a block of JSON to format or a single parameter of type String",
        ));
    }
    let pretty = match c.hp("format").map(PathAndJson::value) {
        None => true,
        Some(Json::String(f)) if f == "pretty" => true,
        Some(Json::String(f)) if f == "compact" => false,
        Some(Json::String(f)) => {
            return Ok(inline_error(format!(
                "formatJson: format [{f}] should be one of [pretty, compact]"
            )))
        }
        Some(other) => {
            return Ok(inline_error(format!(
                "formatJson: format [{}] should be a String and one of [pretty, compact]",
                value_text(other)
            )))
        }
    };
    let Ok(v) = serde_json::from_str::<Json>(text) else {
        return Ok(inline_error(
            "There was an error parsing the json. Please make sure the json is valid",
        ));
    };
    let out = if pretty {
        jackson_pretty(&v)
    } else {
        serde_json::to_string(&v).unwrap_or_default()
    };
    Ok(block_or_val(out, block))
}

// ---------------------------------------------------------------------------
// Helpers: XML
// ---------------------------------------------------------------------------

/// Deepest XML nesting `xPath` accepts.
const MAX_XML_DEPTH: usize = 256;

fn xml_node(name: &str, text: &str, xml: &str) -> Json {
    json!({ "name": name, "text": text, "attributes": {}, XML_KEY: xml })
}

/// Evaluates XPath 1.0 over `xml` with namespaces ignored (names match by local
/// name, as WireMock's examples do). Elements render as their source text.
// sxd elements hash by node identity, not by their (mutable) content
#[allow(clippy::mutable_key_type)]
fn xpath_query(xml: &str, expr: &str) -> Result<Json, String> {
    use sxd_xpath::nodeset::Node;
    let invalid_xml = || format!("{xml} is not valid XML");
    if xml_depth(xml) > MAX_XML_DEPTH {
        return Err(format!("XML nested deeper than {MAX_XML_DEPTH} levels"));
    }
    let src = roxmltree::Document::parse(xml).map_err(|_| invalid_xml())?;
    let package = sxd_document::Package::new();
    let doc = package.as_document();
    let mut ranges = HashMap::new();
    let top = copy_element(&doc, src.root_element(), &mut ranges, 0).ok_or_else(invalid_xml)?;
    doc.root().append_child(top);
    let invalid_xpath = || format!("{expr} is not a valid XPath expression");
    let xpath = sxd_xpath::Factory::new()
        .build(expr)
        .ok()
        .flatten()
        .ok_or_else(invalid_xpath)?;
    let value = xpath
        .evaluate(&sxd_xpath::Context::new(), doc.root())
        .map_err(|_| invalid_xpath())?;
    Ok(match value {
        sxd_xpath::Value::Nodeset(nodes) => {
            let nodes: Vec<Json> = nodes
                .document_order()
                .into_iter()
                .map(|n| match n {
                    Node::Element(e) => {
                        let attributes: Map<String, Json> = e
                            .attributes()
                            .iter()
                            .map(|a| {
                                (
                                    a.name().local_part().to_string(),
                                    Json::String(a.value().to_string()),
                                )
                            })
                            .collect();
                        let source = ranges
                            .get(&e)
                            .and_then(|r: &Range<usize>| xml.get(r.clone()))
                            .unwrap_or("");
                        json!({
                            "name": e.name().local_part(),
                            "text": n.string_value(),
                            "attributes": attributes,
                            XML_KEY: source,
                        })
                    }
                    Node::Attribute(a) => xml_node(a.name().local_part(), a.value(), a.value()),
                    Node::Text(t) => xml_node("#text", t.text(), t.text()),
                    Node::Root(_) => xml_node("#document", &n.string_value(), java_trim(xml)),
                    other => {
                        let text = other.string_value();
                        xml_node("", &text, &text)
                    }
                })
                .collect();
            if nodes.is_empty() {
                Json::String(String::new())
            } else {
                Json::Array(nodes)
            }
        }
        sxd_xpath::Value::String(s) => Json::String(s),
        sxd_xpath::Value::Boolean(b) => Json::Bool(b),
        sxd_xpath::Value::Number(f) if f.fract() == 0.0 && f.abs() < 9e15 => Json::from(f as i64),
        sxd_xpath::Value::Number(f) => Number::from_f64(f).map(Json::Number).unwrap_or(Json::Null),
    })
}

/// Approximate element nesting depth (over-counts only in odd inputs), checked
/// before parsing because the parser recurses.
fn xml_depth(xml: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let tag_end = rest.find('>').map_or(rest.len(), |j| j + 1);
        let tag = &rest[..tag_end];
        if tag.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if !(tag.starts_with('!') || tag.starts_with('?') || tag.ends_with("/>")) {
            depth += 1;
            max = max.max(depth);
        }
        rest = &rest[tag_end..];
    }
    max
}

#[allow(clippy::mutable_key_type)]
fn copy_element<'d>(
    doc: &sxd_document::dom::Document<'d>,
    node: roxmltree::Node,
    ranges: &mut HashMap<sxd_document::dom::Element<'d>, Range<usize>>,
    depth: usize,
) -> Option<sxd_document::dom::Element<'d>> {
    if depth > MAX_XML_DEPTH {
        return None;
    }
    let el = doc.create_element(node.tag_name().name());
    for a in node.attributes() {
        el.set_attribute_value(a.name(), a.value());
    }
    for child in node.children() {
        if child.is_element() {
            el.append_child(copy_element(doc, child, ranges, depth + 1)?);
        } else if child.is_text() {
            if let Some(t) = child.text() {
                el.append_child(doc.create_text(t));
            }
        }
    }
    ranges.insert(el, node.range());
    Some(el)
}

fn xpath_helper<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
    prefix: &str,
) -> Result<Out, RenderError> {
    let Some(xml) = c.text(0, rc).filter(|x| !java_trim(x).is_empty()) else {
        return Ok(text_out(""));
    };
    let Some(expr) = c.text(1, rc).filter(|e| !e.is_empty()) else {
        return Ok(inline_error("The XPath expression cannot be empty"));
    };
    Ok(
        match xpath_query(java_trim(&xml), &format!("{prefix}{expr}")) {
            Ok(v) => Out::Val(v),
            Err(e) => inline_error(e),
        },
    )
}

/// `{{xPath request.body '/outer/inner/text()'}}`.
fn h_xpath<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    xpath_helper(c, rc, "")
}

/// `{{soapXPath request.body '/a/test/text()'}}`: XPath below `/Envelope/Body/`.
fn h_soap_xpath<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    xpath_helper(c, rc, "/Envelope/Body/")
}

// ---------------------------------------------------------------------------
// Helpers: dates
// ---------------------------------------------------------------------------

/// WireMock's `RenderableDate`: an instant with an optional output format
/// (Java pattern, `epoch` or `unix`) and time zone.
#[derive(Debug, Clone, PartialEq)]
struct WmDate {
    millis: i64,
    format: Option<String>,
    tz: Option<String>,
}

impl WmDate {
    fn to_json(&self) -> Json {
        json!({ DATE_KEY: self.millis, DATE_FORMAT: self.format, DATE_TZ: self.tz })
    }

    fn from_map(m: &Map<String, Json>) -> Option<WmDate> {
        Some(WmDate {
            millis: m.get(DATE_KEY)?.as_i64()?,
            format: m
                .get(DATE_FORMAT)
                .and_then(Json::as_str)
                .map(str::to_string),
            tz: m.get(DATE_TZ).and_then(Json::as_str).map(str::to_string),
        })
    }

    fn from_json(v: &Json) -> Option<WmDate> {
        v.as_object().and_then(WmDate::from_map)
    }

    fn utc(&self) -> Result<DateTime<Utc>, String> {
        DateTime::<Utc>::from_timestamp_millis(self.millis)
            .ok_or_else(|| "date out of range".to_string())
    }

    fn render(&self) -> Result<String, String> {
        match self.format.as_deref() {
            Some("epoch") => return Ok(self.millis.to_string()),
            Some("unix") => return Ok((self.millis / 1000).to_string()),
            _ => {}
        }
        let utc = self.utc()?;
        let local = match &self.tz {
            Some(tz) => Zone::parse(tz)?.at(utc),
            None => utc.fixed_offset(),
        };
        match &self.format {
            Some(f) => datefmt::format_with(&local, f),
            None => Ok(iso8601(&local)),
        }
    }
}

/// Jackson's `ISO8601Utils.format(date, false, tz)`.
fn iso8601(d: &DateTime<FixedOffset>) -> String {
    let base = d.format("%Y-%m-%dT%H:%M:%S");
    if d.offset().local_minus_utc() == 0 {
        format!("{base}Z")
    } else {
        format!("{base}{}", d.format("%:z"))
    }
}

enum Zone {
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl Zone {
    /// `UTC`, `GMT+2`, `+05:30`, or an IANA name such as `Australia/Sydney`.
    fn parse(name: &str) -> Result<Zone, String> {
        let n = name.trim();
        let utc = FixedOffset::east_opt(0)
            .map(Zone::Fixed)
            .ok_or("bad offset")?;
        if ["UTC", "GMT", "UT", "Z"]
            .iter()
            .any(|z| n.eq_ignore_ascii_case(z))
        {
            return Ok(utc);
        }
        let offset = ["UTC", "GMT", "UT", ""].iter().find_map(|p| {
            let rest = n
                .get(..p.len())
                .filter(|h| h.eq_ignore_ascii_case(p))
                .map(|_| &n[p.len()..])?;
            rest.starts_with(['+', '-'])
                .then(|| parse_offset(rest))
                .flatten()
        });
        if let Some(o) = offset {
            return Ok(Zone::Fixed(o));
        }
        n.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("unknown time zone `{name}`"))
    }

    fn at(&self, utc: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            Zone::Fixed(o) => utc.with_timezone(o),
            Zone::Named(tz) => utc.with_timezone(tz).fixed_offset(),
        }
    }
}

/// `+2`, `-02`, `+0530`, `+05:30`.
fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = if digits.len() <= 2 {
        (digits.as_str(), "0")
    } else {
        digits.split_at(digits.len() - 2)
    };
    let secs = h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60;
    FixedOffset::east_opt(sign * secs)
}

/// WireMock's offsets: `3 days`, `-24 seconds`, `now +5 years`, `now`.
fn shift(millis: i64, offset: &str) -> Result<i64, String> {
    let words: Vec<&str> = offset.split_whitespace().collect();
    let (amount, unit) = match words.as_slice() {
        [now] if now.eq_ignore_ascii_case("now") => return Ok(millis),
        [amount, unit] => (*amount, *unit),
        [now, amount, unit] if now.eq_ignore_ascii_case("now") => (*amount, *unit),
        _ => {
            return Err(format!(
                "offset `{offset}`: use <amount> <unit> (e.g. 8 seconds) or now +/-<amount> <unit> (e.g. now +5 years)"
            ))
        }
    };
    let n: i64 = amount
        .strip_prefix('+')
        .unwrap_or(amount)
        .parse()
        .map_err(|_| format!("offset `{offset}`: `{amount}` is not a number"))?;
    let base = DateTime::<Utc>::from_timestamp_millis(millis)
        .ok_or("date out of range")?
        .fixed_offset();
    let sign = if n < 0 { "-" } else { "+" };
    let shifted =
        datefmt::eval_expression(&format!("now {sign} {} {unit}", n.unsigned_abs()), base)?;
    Ok(shifted.timestamp_millis())
}

fn check_format(format: &Option<String>) -> Result<(), RenderError> {
    match format.as_deref() {
        None | Some("epoch") | Some("unix") => Ok(()),
        Some(f) => datefmt::java_to_strftime(f).map(|_| ()).map_err(hard),
    }
}

/// `date`/`now`: a date, shifted by `offset=`, with `format=` and `timezone=`.
fn date_out<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &RenderContext<'reg, 'rc>,
    base: Option<WmDate>,
) -> Result<Out, RenderError> {
    let mut millis = base
        .as_ref()
        .map(|d| d.millis)
        .unwrap_or_else(|| Utc::now().timestamp_millis());
    if let Some(offset) = c.hash_text("offset", rc) {
        millis = shift(millis, &offset).map_err(hard)?;
    }
    let tz = base
        .and_then(|d| d.tz)
        .or_else(|| c.hash_text("timezone", rc));
    if let Some(tz) = &tz {
        Zone::parse(tz).map_err(hard)?;
    }
    let format = c.hash_text("format", rc);
    check_format(&format)?;
    Ok(Out::Val(WmDate { millis, format, tz }.to_json()))
}

/// `{{now offset='3 days' format='yyyy-MM-dd' timezone='Australia/Sydney'}}`.
fn h_now<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    date_out(c, rc, None)
}

/// `{{date (parseDate request.headers.MyDate) format='yyyy-MM-dd'}}`.
fn h_date<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let base = c.val(0, rc).and_then(|v| WmDate::from_json(&v));
    date_out(c, rc, base)
}

/// ISO 8601, RFC 1123, RFC 1036 and asctime; or `format=` (Java pattern,
/// `epoch` or `unix`).
fn parse_date(text: &str, format: Option<&str>) -> Option<i64> {
    let t = text.trim();
    let from_naive = |n: NaiveDateTime| n.and_utc().timestamp_millis();
    match format {
        Some("epoch") => t.parse().ok(),
        Some("unix") => t.parse::<i64>().ok().and_then(|s| s.checked_mul(1000)),
        Some(java) => {
            let f = datefmt::java_to_strftime(java).ok()?;
            DateTime::parse_from_str(t, &f)
                .map(|d| d.timestamp_millis())
                .ok()
                .or_else(|| NaiveDateTime::parse_from_str(t, &f).ok().map(from_naive))
                .or_else(|| {
                    NaiveDate::parse_from_str(t, &f)
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map(from_naive)
                })
        }
        None => DateTime::parse_from_rfc3339(t)
            .or_else(|_| DateTime::parse_from_rfc2822(t))
            .map(|d| d.timestamp_millis())
            .ok()
            .or_else(|| {
                [
                    "%A, %d-%b-%y %H:%M:%S GMT",
                    "%a %b %e %H:%M:%S %Y",
                    "%Y-%m-%dT%H:%M:%S%.f",
                ]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
                .map(from_naive)
            })
            .or_else(|| {
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(from_naive)
            }),
    }
}

fn h_parse_date<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let text = c.text(0, rc).unwrap_or_default();
    let format = c.hash_text("format", rc);
    Ok(Out::Val(match parse_date(&text, format.as_deref()) {
        Some(millis) => WmDate {
            millis,
            format: None,
            tz: None,
        }
        .to_json(),
        None => Json::Null,
    }))
}

/// `{{truncateDate date 'first day of month'}}` (computed in UTC).
fn h_truncate_date<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(date) = c.val(0, rc).and_then(|v| WmDate::from_json(&v)) else {
        return Err(hard("truncateDate: the first argument must be a date"));
    };
    let how = c.text(1, rc).unwrap_or_default();
    let t = date.utc().map_err(hard)?.naive_utc();
    let day = t.date();
    let first_of_month = day.with_day(1);
    let midnight = |d: Option<NaiveDate>| d.and_then(|d| d.and_hms_opt(0, 0, 0));
    let truncated = match how.to_ascii_lowercase().as_str() {
        "first minute of hour" => t
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0)),
        "first hour of day" => midnight(Some(day)),
        "first day of month" => midnight(first_of_month),
        "first day of next month" => {
            midnight(first_of_month.and_then(|d| d.checked_add_months(Months::new(1))))
        }
        "last day of month" => midnight(
            first_of_month
                .and_then(|d| d.checked_add_months(Months::new(1)))
                .and_then(|d| d.pred_opt()),
        ),
        "first day of year" => midnight(NaiveDate::from_ymd_opt(day.year(), 1, 1)),
        "first day of next year" => midnight(NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)),
        "last day of year" => midnight(NaiveDate::from_ymd_opt(day.year(), 12, 31)),
        other => return Err(hard(format!("truncateDate: unknown truncation `{other}`"))),
    };
    let truncated = truncated.ok_or_else(|| hard("truncateDate: date out of range"))?;
    Ok(Out::Val(
        WmDate {
            millis: truncated.and_utc().timestamp_millis(),
            format: None,
            tz: date.tz,
        }
        .to_json(),
    ))
}

/// Handlebars.java's `{{dateFormat date 'yyyy-MM-dd' tz='UTC'}}` (also `format=`,
/// and the styles `full`, `long`, `medium`, `short`).
fn h_date_format<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(date) = c.val(0, rc).and_then(|v| WmDate::from_json(&v)) else {
        return Err(hard("dateFormat: expected a date"));
    };
    let pattern = c
        .text(1, rc)
        .or_else(|| c.hash_text("format", rc))
        .unwrap_or_else(|| "medium".to_string());
    let pattern = match pattern.as_str() {
        "full" => "EEEE, MMMM d, yyyy".to_string(),
        "long" => "MMMM d, yyyy".to_string(),
        "medium" => "MMM d, yyyy".to_string(),
        "short" => "M/d/yy".to_string(),
        _ => pattern,
    };
    let tz = c.hash_text("tz", rc).or(date.tz);
    let text = WmDate {
        millis: date.millis,
        format: Some(pattern),
        tz,
    }
    .render()
    .map_err(hard)?;
    Ok(text_out(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    fn request() -> TemplateRequest {
        TemplateRequest {
            method: "POST".into(),
            url: "/things/42/parts?q=one&q=two&q=three&single=1234".into(),
            path: "/things/42/parts".into(),
            base_url: "http://localhost:8080".into(),
            query: vec![
                ("q".into(), vec!["one".into(), "two".into(), "three".into()]),
                ("single".into(), vec!["1234".into()]),
                ("ids[]".into(), vec!["111".into(), "222".into()]),
            ],
            headers: vec![
                ("X-Request-Id".into(), vec!["req-1".into()]),
                ("Accept".into(), vec!["text/plain".into(), "application/json".into()]),
                ("123$%$^&__why_o_why".into(), vec!["foundit".into()]),
            ],
            cookies: vec![("session".into(), "s-1".into()), ("multi".into(), "a".into()), ("multi".into(), "b".into())],
            body: r#"{"id": 7, "name": "Ann", "outer": {"inner": "Stuff"}, "things": [1, 2, 3], "items": [{"name": "One"}, {"name": "Two"}], "price": 1.5, "nothing": null}"#.into(),
            path_params: vec![("thingId".into(), "42".into())],
        }
    }

    fn with_body(body: &str) -> TemplateRequest {
        TemplateRequest {
            body: body.into(),
            ..request()
        }
    }

    fn render_req(t: &str, req: &TemplateRequest) -> String {
        match Templates::new().render(t, req) {
            Ok(s) => s,
            Err(e) => panic!("`{t}` failed: {e}"),
        }
    }

    fn r(t: &str) -> String {
        render_req(t, &request())
    }

    fn assert_matches(re: &str, value: &str) {
        assert!(
            Regex::new(re).unwrap().is_match(value),
            "`{value}` does not match /{re}/"
        );
    }

    // --- the model ---

    #[test]
    fn url_path_method_base() {
        assert_eq!(
            r("{{request.url}}"),
            "/things/42/parts?q=one&q=two&q=three&single=1234"
        );
        assert_eq!(r("{{request.path}}"), "/things/42/parts");
        assert_eq!(r("{{request.pathSegments}}"), "/things/42/parts");
        assert_eq!(r("{{request.method}}"), "POST");
        assert_eq!(r("{{request.baseUrl}}"), "http://localhost:8080");
        assert_eq!(
            r("{{request.scheme}} {{request.host}} {{request.port}}"),
            "http localhost 8080"
        );
    }

    #[test]
    fn path_segments_and_parameters() {
        assert_eq!(
            r("{{request.path.[0]}} {{request.path.1}} {{request.pathSegments.[2]}}"),
            "things 42 parts"
        );
        assert_eq!(r("{{request.path.thingId}}"), "42");
        assert_eq!(r("[{{request.path.[9]}}]"), "[]");
        assert_eq!(
            r("{{#each request.path}}<{{this}}>{{/each}}"),
            "<things><42><parts>"
        );
        assert_eq!(r("{{size request.path}}"), "3");
        let root = TemplateRequest {
            path: "/".into(),
            ..request()
        };
        assert_eq!(render_req("[{{request.path.[0]}}]", &root), "[]");
    }

    #[test]
    fn query_values() {
        assert_eq!(r("{{request.query.q}}"), "one");
        assert_eq!(
            r("{{request.query.q.[1]}} {{request.query.q.2}}"),
            "two three"
        );
        assert_eq!(
            r("{{request.query.q.first}} {{request.query.q.last}}"),
            "one three"
        );
        // WireMock's get(-1) is size - 2
        assert_eq!(r("{{request.query.q.[-1]}}"), "two");
        assert_eq!(r("{{request.query.single}}"), "1234");
        assert_eq!(
            r("[{{request.query.missing}}][{{request.query.missing.[0]}}]"),
            "[][]"
        );
        assert_eq!(
            r("{{#each request.query.q}}{{this}},{{/each}}"),
            "one,two,three,"
        );
        assert_eq!(r("{{size request.query.q}}"), "3");
        assert_eq!(r("{{lookup request.query 'ids[].1'}}"), "222");
        assert_eq!(r("{{lookup request.query 'ids[]'}}"), "111");
    }

    #[test]
    fn headers_ignore_case() {
        assert_eq!(
            r("{{request.headers.X-Request-Id}}|{{request.headers.x-request-id}}"),
            "req-1|req-1"
        );
        assert_eq!(
            r("{{request.headers.ACCEPT}} / {{request.headers.Accept.[1]}}"),
            "text/plain / application/json"
        );
        assert_eq!(r("{{request.headers.[123$%$^&__why_o_why]}}"), "foundit");
        assert_eq!(r("{{request.headers.accept.last}}"), "application/json");
        assert_eq!(r("{{lookup request.headers 'X-REQUEST-ID'}}"), "req-1");
    }

    #[test]
    fn cookies_and_body() {
        assert_eq!(r("{{request.cookies.session}}"), "s-1");
        assert_eq!(r("{{request.cookies.multi}}, {{request.cookies.multi.[0]}}, {{request.cookies.multi.[1]}}"), "a, a, b");
        let req = with_body("All of the body content");
        assert_eq!(
            render_req("Body: {{{request.body}}}", &req),
            "Body: All of the body content"
        );
        assert_eq!(
            render_req("{{request.bodyAsBase64}}", &with_body("hello")),
            "aGVsbG8="
        );
    }

    #[test]
    fn text_without_expressions_is_returned_as_is() {
        assert_eq!(r("plain {text}"), "plain {text}");
        assert_eq!(r(""), "");
    }

    #[test]
    fn output_is_not_escaped_by_default() {
        let req = with_body("<a href=\"x\">'&'</a>");
        assert_eq!(
            render_req("{{request.body}}", &req),
            "<a href=\"x\">'&'</a>"
        );
        let escaping = Templates::with_escaping(true);
        assert_eq!(
            escaping.render("{{request.body}}", &req).unwrap(),
            "&lt;a href&#x3D;&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
        assert_eq!(
            escaping.render("{{{request.body}}}", &req).unwrap(),
            "<a href=\"x\">'&'</a>"
        );
        assert_eq!(
            escaping
                .render(
                    "{{jsonPath request.body '$.a'}}",
                    &with_body(r#"{"a": "it's"}"#)
                )
                .unwrap(),
            "it&#x27;s"
        );
    }

    // --- JSON ---

    #[test]
    fn json_path() {
        assert_eq!(r("{{jsonPath request.body '$.name'}}"), "Ann");
        assert_eq!(r("{{jsonPath request.body '$.id'}}"), "7");
        assert_eq!(r("{{jsonPath request.body '$.price'}}"), "1.5");
        assert_eq!(
            r("{{jsonPath request.body '$.outer'}}"),
            "{\n  \"inner\" : \"Stuff\"\n}"
        );
        assert_eq!(r("{{jsonPath request.body '$.things'}}"), "[1,2,3]");
        assert_eq!(
            r("{{jsonPath request.body '$.items[*].name'}}"),
            "[\"One\",\"Two\"]"
        );
        assert_eq!(r("[{{jsonPath request.body '$.missing'}}]"), "[]");
        assert_eq!(r("{{jsonPath request.body '$.missing' default='M'}}"), "M");
        assert_eq!(r("{{jsonPath request.body '$.nothing' default='0'}}"), "0");
        assert_eq!(
            r("{{#each (jsonPath request.body '$.items') as |item|}}{{item.name}} {{/each}}"),
            "One Two "
        );
        assert_eq!(
            r("{{#each (jsonPath request.body '$.outer') as |value key|}}{{key}}={{value}}{{/each}}"),
            "inner=Stuff"
        );
        assert_eq!(
            render_req("{{jsonPath request.body '$.a'}}", &with_body("{\"a\": bad")),
            "[ERROR: {\"a\": bad is not valid JSON]"
        );
        assert_eq!(
            r("{{jsonPath request.body '$==x'}}"),
            "[ERROR: $==x is not a valid JSONPath expression]"
        );
        assert_eq!(
            render_req("[{{jsonPath request.body '$.a'}}]", &with_body("")),
            "[]"
        );
    }

    #[test]
    fn parse_json_to_json_format_json() {
        assert_eq!(
            r("{{parseJson request.body 'b'}}{{b.outer.inner}} {{b.things.[1]}}"),
            "Stuff 2"
        );
        assert_eq!(
            r("{{#parseJson 'o'}}{\"name\": \"transformed\"}{{/parseJson}}{{o.name}}"),
            "transformed"
        );
        assert_eq!(r("{{lookup (parseJson request.body) 'name'}}"), "Ann");
        assert_eq!(r("{{toJson (array 1 2 3)}}"), "[ 1, 2, 3 ]");
        assert_eq!(r("{{toJson 'null'}}"), "\"null\"");
        assert_eq!(r("{{toJson true}} {{toJson 123}}"), "true 123");
        let req = TemplateRequest {
            headers: vec![
                ("Authorization".into(), vec!["whatever".into()]),
                ("Content-Type".into(), vec!["text/plain".into()]),
            ],
            ..request()
        };
        assert_eq!(
            render_req("{{toJson request.headers}}", &req),
            "{\n  \"authorization\" : \"whatever\",\n  \"content-type\" : \"text/plain\"\n}"
        );
        let compact = r#"{"foo":true,"bar":{"baz":false}}"#;
        let pretty = "{\n  \"foo\" : true,\n  \"bar\" : {\n    \"baz\" : false\n  }\n}";
        assert_eq!(
            r(&format!(
                "{{{{#formatJson}}}} {compact} {{{{/formatJson}}}}"
            )),
            pretty
        );
        assert_eq!(
            r(&format!(
                "{{{{#formatJson format='compact'}}}} {pretty} {{{{/formatJson}}}}"
            )),
            compact
        );
        assert_eq!(
            r("{{formatJson '{\"a\": [1, {\"b\": []}]}'}}"),
            "{\n  \"a\" : [ 1, {\n    \"b\" : [ ]\n  } ]\n}"
        );
        assert_eq!(
            r("{{#formatJson format='foo'}}{}{{/formatJson}}"),
            "[ERROR: formatJson: format [foo] should be one of [pretty, compact]]"
        );
        assert_eq!(
            r("{{#formatJson}}{\"a\":}{{/formatJson}}"),
            "[ERROR: There was an error parsing the json. Please make sure the json is valid]"
        );
        assert_eq!(
            r("{{formatJson}}"),
            "[ERROR: formatJson should take a block of JSON to format or a single parameter of type String]"
        );
    }

    // --- XML ---

    #[test]
    fn xpath() {
        let req = with_body("<outer>\n    <inner id=\"i1\">Stuff</inner>\n</outer>");
        assert_eq!(
            render_req("{{xPath request.body '/outer/inner/text()'}}", &req),
            "Stuff"
        );
        assert_eq!(
            render_req("{{xPath request.body '/outer/inner'}}", &req),
            "<inner id=\"i1\">Stuff</inner>"
        );
        assert_eq!(
            render_req("{{xPath request.body '/outer/inner/@id'}}", &req),
            "i1"
        );
        assert_eq!(
            render_req("{{xPath request.body 'count(/outer/inner)'}}", &req),
            "1"
        );
        assert_eq!(
            render_req("<t>{{xPath request.body '/b/test'}}</t>", &req),
            "<t></t>"
        );
        let things = with_body(
            "<?xml version=\"1.0\"?>\n<stuff xmlns:th=\"https://thing.com\">\n  <th:thing id=\"1\">One</th:thing>\n  <th:thing id=\"2\">Two</th:thing>\n</stuff>",
        );
        assert_eq!(
            render_req("{{#each (xPath request.body '/stuff/thing') as |t|}}{{t.name}}:{{t.text}}:{{t.attributes.id}} {{/each}}", &things),
            "thing:One:1 thing:Two:2 "
        );
        assert_eq!(
            render_req(
                "{{#each (xPath request.body '/stuff/thing/text()') as |t|}}{{t}} {{/each}}",
                &things
            ),
            "One Two "
        );
        assert_eq!(
            render_req("{{size (xPath request.body '/stuff/*')}}", &things),
            "2"
        );
        let soap = with_body(
            "<soap:Envelope xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope/\"><soap:Body><m:a xmlns:m=\"urn:m\"><m:test>success</m:test></m:a></soap:Body></soap:Envelope>",
        );
        assert_eq!(
            render_req("{{soapXPath request.body '/a/test/text()'}}", &soap),
            "success"
        );
        assert_eq!(
            render_req(
                "{{xPath request.body '/test'}}",
                &with_body("<testsuccess</test>")
            ),
            "[ERROR: <testsuccess</test> is not valid XML]"
        );
        assert_eq!(
            render_req("{{xPath request.body '/a['}}", &with_body("<test/>")),
            "[ERROR: /a[ is not a valid XPath expression]"
        );
    }

    // --- dates ---

    #[test]
    fn now_formats_and_offsets() {
        assert_matches(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", &r("{{now}}"));
        assert_matches(r"^\d{4}-\d{2}-\d{2}$", &r("{{now format='yyyy-MM-dd'}}"));
        assert_matches(r"^\d{13}$", &r("{{now format='epoch'}}"));
        assert_matches(r"^\d{10}$", &r("{{now format='unix'}}"));
        let in_three_days: i64 = r("{{now offset='3 days' format='epoch'}}").parse().unwrap();
        let now = Utc::now().timestamp_millis();
        assert!((in_three_days - now - 3 * 86_400_000).abs() < 60_000);
        let past: i64 = r("{{now offset='now -24 seconds' format='unix'}}")
            .parse()
            .unwrap();
        assert!((now / 1000 - 24 - past).abs() < 60);
        assert_matches(
            r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+1[01]00$",
            &r("{{now timezone='Australia/Sydney' format='yyyy-MM-dd HH:mm:ssZ'}}"),
        );
        assert_matches(
            r"T\d{2}:\d{2}:\d{2}\+05:30$",
            &r("{{now timezone='GMT+05:30'}}"),
        );
        assert!(Templates::new()
            .render("{{now offset='three days'}}", &request())
            .is_err());
        assert!(Templates::new()
            .render("{{now timezone='Mars/Olympus'}}", &request())
            .is_err());
    }

    #[test]
    fn parse_date_and_date() {
        assert_eq!(
            r("{{date (parseDate '2021-06-15T15:16:17Z')}}"),
            "2021-06-15T15:16:17Z"
        );
        assert_eq!(
            r("{{date (parseDate 'Tue, 15 Jun 2021 15:16:17 GMT') format='yyyy-MM-dd'}}"),
            "2021-06-15"
        );
        assert_eq!(
            r("{{date (parseDate '15/06/2021' format='dd/MM/yyyy')}}"),
            "2021-06-15T00:00:00Z"
        );
        assert_eq!(
            r("{{date (parseDate '1623770177' format='unix') format='epoch'}}"),
            "1623770177000"
        );
        assert_eq!(
            r("{{date (parseDate '1623770177000' format='epoch') format='unix'}}"),
            "1623770177"
        );
        assert_eq!(
            r("{{date (parseDate '2021-06-15T15:16:17Z') offset='1 months' format='yyyy-MM-dd'}}"),
            "2021-07-15"
        );
        assert_eq!(
            r("{{date (parseDate '2021-06-15T15:16:17Z') timezone='Australia/Sydney'}}"),
            "2021-06-16T01:16:17+10:00"
        );
        assert_eq!(
            r("{{parseDate '2021-06-15T15:16:17+02:00'}}"),
            "2021-06-15T13:16:17Z"
        );
        assert_eq!(
            r("{{date (truncateDate (parseDate 'Tue, 15 Jun 2021 15:16:17 GMT') 'first day of month')}}"),
            "2021-06-01T00:00:00Z"
        );
        assert_eq!(
            r("{{date (truncateDate (parseDate '2021-02-10T10:00:00Z') 'last day of month')}}"),
            "2021-02-28T00:00:00Z"
        );
        assert_eq!(
            r("{{dateFormat (parseDate '2021-06-15T15:16:17Z') 'dd MMM yyyy'}}"),
            "15 Jun 2021"
        );
    }

    // --- randomness ---

    #[test]
    fn random_values() {
        assert_matches(
            r"^[a-z0-9]{33}$",
            &r("{{randomValue length=33 type='ALPHANUMERIC'}}"),
        );
        assert_matches(
            r"^[A-Z0-9]{12}$",
            &r("{{randomValue length=12 type='ALPHANUMERIC' uppercase=true}}"),
        );
        assert_matches(
            r"^[a-z]{55}$",
            &r("{{randomValue length=55 type='ALPHABETIC'}}"),
        );
        assert_matches(
            r"^[0-9]{10}$",
            &r("{{randomValue length=10 type='NUMERIC'}}"),
        );
        assert_matches(
            r"^[!-}]{5}$",
            &r("{{randomValue length=5 type='ALPHANUMERIC_AND_SYMBOLS'}}"),
        );
        assert_matches(
            r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            &r("{{randomValue type='UUID'}}"),
        );
        assert_matches(
            r"^[0-9A-F]{32}$",
            &r("{{randomValue length=32 type='HEXADECIMAL' uppercase=true}}"),
        );
        assert_matches(r"^[a-z0-9]{36}$", &r("{{randomValue}}"));
    }

    #[test]
    fn random_numbers_and_picks() {
        for _ in 0..50 {
            let i: i64 = r("{{randomInt lower=5 upper=9}}").parse().unwrap();
            assert!((5..9).contains(&i));
            let d: f64 = r("{{randomDecimal lower=-10.1 upper=-0.9}}")
                .parse()
                .unwrap();
            assert!((-10.1..-0.9).contains(&d));
            assert!(["1", "2", "3"].contains(&r("{{pickRandom '1' '2' '3'}}").as_str()));
            assert!(["1", "2", "3"]
                .contains(&r("{{pickRandom (jsonPath request.body '$.things')}}").as_str()));
        }
        assert_matches(r"^-?\d+$", &r("{{randomInt}}"));
        assert_matches(r"^-?\d+$", &r("{{randomInt upper=54323}}"));
        assert_matches(r"^\d", &r("{{randomDecimal upper=12.5}}"));
        let n: i64 = r("{{math (randomInt lower=1 upper=2) '+' 1}}")
            .parse()
            .unwrap();
        assert_eq!(n, 2);
        assert!(Templates::new()
            .render("{{randomInt lower=5 upper=5}}", &request())
            .is_err());
    }

    // --- numbers and lists ---

    #[test]
    fn math() {
        assert_eq!(r("{{math 1 '+' 2}} {{math 4 '-' 2}} {{math 2 '*' 3}} {{math 8 '/' 2}} {{math 10 '%' 3}}"), "3 2 6 4 1");
        assert_eq!(
            r("{{math 2 'x' 3}} {{maths 1.5 '+' 1.5}} {{math 10 '/' 4}} {{math 10.0 '/' 4}}"),
            "6 3.0 3 2.5"
        );
        assert_eq!(r("{{math '7' '-' request.query.single}}"), "-1227");
        assert_eq!(
            r("{{math 1 '^' 2}}"),
            "[ERROR: ^ is not a valid mathematical operator]"
        );
        assert_eq!(r("{{math 1 '+'}}"), "[ERROR: All maths functions require two operands and an operator as parameters e.g. 3 '+' 2]");
        assert_eq!(r("{{math 1 '/' 0}}"), "[ERROR: Division by zero]");
    }

    #[test]
    fn ranges_arrays_sizes() {
        assert_eq!(r("{{range 3 8}}"), "[3, 4, 5, 6, 7, 8]");
        assert_eq!(r("{{range -2 2}}"), "[-2, -1, 0, 1, 2]");
        assert_eq!(
            r("{{#each (range 0 2) as |i|}}id:{{i}} {{/each}}"),
            "id:0 id:1 id:2 "
        );
        assert_eq!(r("{{array 1 'two' true}}"), "[1, two, true]");
        assert_eq!(r("[{{array}}]"), "[[]]");
        assert_eq!(
            r("{{size 'abcde'}} {{size (array 1 2)}} {{size (parseJson request.body)}}"),
            "5 2 7"
        );
        assert_eq!(
            r("{{range 1}}"),
            "[ERROR: The range helper requires both lower and upper bounds as integer parameters]"
        );
        assert_eq!(
            r("{{#each (split 'a,b,c' ',')}}[{{this}}]{{/each}}"),
            "[a][b][c]"
        );
        assert_eq!(r("{{isOdd 3}} {{isOdd 3 'rightBox'}} [{{isOdd 2}}] {{isEven 4 'leftBox'}} {{stripes 3 'row-even' 'row-odd'}}"), "odd rightBox [] leftBox row-odd");
    }

    #[test]
    fn join() {
        assert_eq!(
            r("{{join ',' (array 'One' 'Two' 'Three')}}"),
            "One,Two,Three"
        );
        assert_eq!(r("{{join ' ' 'WireMock' 'Rocks'}}"), "WireMock Rocks");
        assert_eq!(
            r("{{join '' 'Number of dogs: ' (math 1 '+' 2)}}"),
            "Number of dogs: 3"
        );
        assert_eq!(r("{{join (array 'a' 'b') ' // '}}"), "a // b");
        assert_eq!(
            r("{{join ',' request.query.q prefix='[' suffix=']'}}"),
            "[one,two,three]"
        );
        assert_eq!(r("{{#join ', ' (jsonPath request.body '$.items') prefix='<' suffix='>'}}'{{name}}'{{/join}}"), "<'One', 'Two'>");
        assert_eq!(
            r("{{join 1 (array 1)}}"),
            "[ERROR: Separator parameter must be a String]"
        );
    }

    // --- strings ---

    #[test]
    fn string_helpers() {
        let req = with_body("  some text  ");
        assert_eq!(render_req("[{{trim request.body}}]", &req), "[some text]");
        assert_eq!(
            r("[{{#trim}}\n\n    Some stuff\n\n{{/trim}}]"),
            "[Some stuff]"
        );
        assert_eq!(r("{{upper 'abc'}} {{lower 'ABC'}}"), "ABC abc");
        assert_eq!(r("{{capitalize 'my first post'}}|{{capitalize 'mY fIrst' fully=true}}|{{capitalizeFirst 'handlebars.java'}}"), "My First Post|My First|Handlebars.java");
        assert_eq!(
            r("{{substring 'Handlebars.java' 11}} {{substring 'Handlebars.java' 0 10}}"),
            "java Handlebars"
        );
        assert_eq!(
            r("{{replace 'Handlebars ...' '...' 'rocks'}}"),
            "Handlebars rocks"
        );
        assert_eq!(r("{{abbreviate 'Handlebars rocks' 13}}"), "Handlebars...");
        assert_eq!(
            r("[{{center 'abc' size=7}}][{{ljust 'abc' size=5 pad='-'}}][{{rjust 'abc' size=5}}]"),
            "[  abc  ][abc--][  abc]"
        );
        assert_eq!(
            r("{{cut 'String with spaces'}} {{cut 'a-b-c' '-'}}"),
            "Stringwithspaces abc"
        );
        assert_eq!(r("{{defaultIfEmpty request.query.missing 'nothing'}} {{defaultIfEmpty 'x' 'nothing'}}"), "nothing x");
        assert_eq!(
            r("{{slugify ' Joel is a slug '}} {{stripTags '<b>bold</b> text'}}"),
            "joel-is-a-slug bold text"
        );
        assert_eq!(
            r("{{yesno true}} {{yesno false no='nope'}} {{yesno request.query.missing}}"),
            "yes nope maybe"
        );
        assert_eq!(r("[{{upper request.query.missing}}]"), "[]");
        assert_eq!(r("{{upper request.query.q}}"), "ONE");
        assert!(Templates::new()
            .render("{{substring 'abc' 5}}", &request())
            .is_err());
    }

    #[test]
    fn base64_and_url_encoding() {
        assert_eq!(r("{{base64 'hello'}} {{base64 'aGVsbG8=' decode=true}} {{base64 'hi' padding=false}}"), "aGVsbG8= hello aGk");
        assert_eq!(
            r("{{#base64}}Content to encode{{/base64}}"),
            "Q29udGVudCB0byBlbmNvZGU="
        );
        assert_eq!(
            r("{{#base64 decode=true}}\nQ29udGVudCB0byBkZWNvZGUK\n{{/base64}}"),
            "Content to decode\n"
        );
        assert_eq!(r("{{base64 request.headers.X-Request-Id}}"), "cmVxLTE=");
        assert_eq!(r("{{urlEncode 'a b&c=d/é'}}"), "a+b%26c%3Dd%2F%C3%A9");
        assert_eq!(
            r("{{urlEncode 'a+b%26c%3Dd%2F%C3%A9' decode=true}}"),
            "a b&c=d/é"
        );
        assert_eq!(
            r("{{#urlEncode decode=true}}Content%20to%20decode{{/urlEncode}}"),
            "Content to decode"
        );
    }

    #[test]
    fn regex_helpers() {
        let req = with_body("abc-DEF-123");
        assert_eq!(
            render_req("{{regexExtract request.body '[A-Z]+'}}", &req),
            "DEF"
        );
        assert_eq!(
            render_req("{{regexExtract request.body '([a-z]+)-([A-Z]+)-([0-9]+)' 'parts'}}{{parts.0}},{{parts.1}},{{parts.2}}", &req),
            "abc,DEF,123"
        );
        assert_eq!(
            render_req("{{regexExtract request.body '([a-z]+)' 'p'}}{{p}}", &req),
            "abc"
        );
        assert_eq!(
            r("{{regexExtract 'abc' '[0-9]+' default='my default value'}}"),
            "my default value"
        );
        assert_eq!(
            r("{{regexExtract 'abc' '[0-9]+'}}"),
            "[ERROR: Nothing matched [0-9]+]"
        );
        assert_eq!(
            r("{{regexExtract 'abc' '[0-9'}}"),
            "[ERROR: Invalid regex string [0-9]"
        );
        assert_eq!(r("{{#if (matches '123' '[0-9]+')}}YES{{/if}}{{#matches 'a123' '[0-9]+'}}NO{{else}}ELSE{{/matches}}"), "YESELSE");
        assert_eq!(r("{{matches '123' '[0-9]+'}}"), "true");
    }

    #[test]
    fn conditionals() {
        assert_eq!(r("{{#if (contains 'abcde' 'abc')}}YES{{/if}} {{#contains (array 'a' 'b' 'c') 'a'}}YES{{/contains}}"), "YES YES");
        assert_eq!(
            r("{{contains request.query.q 'two'}} {{contains 'abc' 'z'}}"),
            "true false"
        );
        assert_eq!(
            r("{{#eq request.headers.X-Request-Id.[0] 'req-1'}}ONE{{else}}MANY{{/eq}}"),
            "ONE"
        );
        assert_eq!(
            r("{{#eq request.query.single '1234'}}Y{{else}}N{{/eq}}"),
            "Y"
        );
        assert_eq!(
            r("{{eq 5 5 yes='y' no='n'}} {{eq 5 6 yes='y' no='n'}} {{eq 5 5}}"),
            "y n true"
        );
        assert_eq!(r("{{neq 1 2}} {{ne 'a' 'a'}}"), "true false");
        assert_eq!(
            r("{{gt 3 2}} {{gte 2 2}} {{lt 'a' 'b'}} {{lte 3 2}}"),
            "true true true false"
        );
        assert_eq!(
            r("{{#gt (jsonPath request.body '$.id') 5}}big{{/gt}}"),
            "big"
        );
        assert_eq!(r("{{and true 1 'x'}} {{and true 0}} {{or '' null 'x'}} {{or '' 0}} {{not ''}} {{not 'x'}}"), "true false true false true false");
        assert_eq!(
            r("{{#and request.query.q request.query.single}}both{{/and}}"),
            "both"
        );
        assert_eq!(r("{{#if request.query.missing}}yes{{else}}no{{/if}}"), "no");
        assert!(Templates::new().render("{{gt 'a' 1}}", &request()).is_err());
    }

    #[test]
    fn variables() {
        assert_eq!(
            r("{{#assign 'myQuery'}} {{capitalize request.query.q}} {{/assign}}[{{myQuery}}]"),
            "[One]"
        );
        assert_eq!(
            r("{{val request.query.missing default='d'}} {{val request.query.single or='d'}}"),
            "d 1234"
        );
        assert_eq!(
            r("{{val (jsonPath request.body '$.id') assign='theId'}}{{math theId '+' 1}}"),
            "8"
        );
        assert_eq!(
            r("{{#assign 'x'}}v{{/assign}}{{#each request.query.q}}{{x}}{{this}} {{/each}}"),
            "vone vtwo vthree "
        );
        let form = with_body("formField1=a&formField3=hello%20there&multi=1&multi=2");
        assert_eq!(
            render_req(
                "{{formData request.body 'form' urlDecode=true}}{{form.formField3}}",
                &form
            ),
            "hello there"
        );
        assert_eq!(
            render_req(
                "{{formData request.body 'form'}}{{form.multi}} {{form.multi.[1]}}",
                &form
            ),
            "1 2"
        );
        // the model still works after a variable changed the context
        assert_eq!(
            r("{{#assign 'v'}}1{{/assign}}{{request.query.q}} {{request.path}}"),
            "one /things/42/parts"
        );
    }

    #[test]
    fn misc_helpers() {
        assert!(!r("{{hostname}}").is_empty());
        assert_eq!(r("{{#with request.query}}{{single}}{{/with}}"), "1234");
        assert_eq!(
            r("{{#each request.headers}}{{@key}}={{this}};{{/each}}"),
            "x-request-id=req-1;accept=text/plain;123$%$^&__why_o_why=foundit;"
        );
        assert_eq!(
            r("{{#unless request.query.single}}no{{else}}yes{{/unless}}"),
            "yes"
        );
        assert_eq!(
            r("{{{{raw}}}}{{request.url}}{{{{/raw}}}}"),
            "{{request.url}}"
        );
        assert_eq!(r("{{!-- a comment --}}x"), "x");
    }

    #[test]
    fn locals_and_iteration() {
        assert_eq!(
            r("{{#each request.query.q}}{{@index}}{{#if @first}}!{{/if}}{{/each}}"),
            "0!12"
        );
        assert_eq!(
            r("{{#each request.query}}{{@key}}:{{this}} {{/each}}"),
            "q:one single:1234 ids[]:111 "
        );
        assert_eq!(
            r("{{#each request.cookies.multi as |c|}}{{c}}{{/each}}"),
            "ab"
        );
        fn shared<T: Send + Sync>() {}
        shared::<Templates>();
    }

    // --- errors, caching ---

    #[test]
    fn errors_are_reported_not_panicked() {
        let t = Templates::new();
        let req = request();
        let e = t.render("hello {{nope 1}}", &req).unwrap_err();
        assert!(e.message.contains("nope"), "{e}");
        let e = t
            .render("line one\n{{#if request.url}}unclosed", &req)
            .unwrap_err();
        assert_eq!(e.line, Some(2), "{e:?}");
        assert!(e.column.is_some());
        assert!(t.render("{{request.url", &req).is_err());
        assert!(t.render("{{#each}}{{/if}}", &req).is_err());
        assert!(t.render("{{> missingPartial}}", &req).is_err());
        for bad in [
            "{{",
            "}}{{",
            "{{{}}}",
            "{{#}}",
            "{{/}}",
            "{{else}}",
            "{{#if}}{{else}}{{else}}{{/if}}",
            "{{../../x}}",
            "{{@root}}",
            "{{[}}",
            "{{request.[}}",
            "{{#each 1}}{{/each}}",
            "{{lookup}}",
            "{{jsonPath}}",
            "{{xPath}}",
            "{{math}}",
            "{{date 'x'}}",
            "{{parseDate}}",
            "{{truncateDate 1 'x'}}",
            "{{substring}}",
            "{{join}}",
            "{{#assign}}{{/assign}}",
            "{{range 1 9999999999}}",
            "{{randomValue length=-5}}",
            "{{request.query.q.[x]}}",
            "{{request.path.[-1]}}",
            "{{{{raw}}}}",
            "{{*inline}}",
            "{{#*inline \"p\"}}x{{/inline}}{{> p}}",
        ] {
            let _ = t.render(bad, &req);
        }
        let deep = with_body(&"<a>".repeat(2000));
        assert!(t
            .render("{{xPath request.body '/a'}}", &deep)
            .unwrap()
            .starts_with("[ERROR: XML nested deeper"));
        let blocks = format!(
            "{}x{}",
            "{{#if request.url}}".repeat(2000),
            "{{/if}}".repeat(2000)
        );
        assert!(t
            .render(&blocks, &req)
            .unwrap_err()
            .message
            .contains("nested deeper"));
        let parens = format!(
            "{{{{math {}1{}}}}}",
            "(math ".repeat(2000),
            " '+' 1)".repeat(2000)
        );
        assert!(t
            .render(&parens, &req)
            .unwrap_err()
            .message
            .contains("nested deeper"));
        let ok = format!(
            "{{{{math {}1{} '+' 1}}}}",
            "(math ".repeat(50),
            " '+' 1)".repeat(50)
        );
        assert_eq!(t.render(&ok, &req).unwrap(), "52");
    }

    #[test]
    fn compiled_templates_are_cached() {
        let t = Templates::new();
        let req = request();
        for _ in 0..3 {
            assert_eq!(t.render("{{request.method}}", &req).unwrap(), "POST");
        }
        assert_eq!(t.render("{{request.query.q}}", &req).unwrap(), "one");
        assert_eq!(t.cached(), 2);
    }

    #[test]
    fn java_rendering() {
        assert_eq!(java_double(3.0), "3.0");
        assert_eq!(java_double(1.5), "1.5");
        assert_eq!(java_double(1.0e7), "1.0E7");
        assert_eq!(java_double(1.0e-4), "1.0E-4");
        assert_eq!(java_double(0.001), "0.001");
        assert_eq!(Dec::parse("1.50"), Some(Dec { v: 150, scale: 2 }));
        assert_eq!(Dec::parse("1e3"), Some(Dec { v: 1000, scale: 0 }));
        assert_eq!(split_raw_path("this.a.[b c]/d"), vec!["a", "b c", "d"]);
        assert_eq!(
            split_base_url("https://example.com"),
            ("https".into(), "example.com".into(), Json::from(443))
        );
        assert_eq!(
            split_base_url("http://[::1]:9000"),
            ("http".into(), "[::1]".into(), Json::from(9000))
        );
    }
}
