//! Postman collections (v2.0 and v2.1) as suites: requests in collection order
//! (folders depth-first), auth of every level (bearer, basic, API key in a
//! header or the query, OAuth2 with a token or client credentials; `noauth`,
//! inherit), collection, environment and global variables, dynamic variables,
//! and test scripts through [`super::script`]. Requests that depend on each
//! other (a variable one captures and a later one uses) run as the steps of
//! one test, in order; each top-level folder is one test too.

use super::json_at::{At, Bad, Doc};
use super::script::{self, Asserts};
use super::{client_set, Imported, Lost};
use seam_core::source::SourceError;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Imports `collection`, with the variables of a Postman environment and
/// globals export when given (globals < collection < environment, as in Postman).
pub fn import(
    collection: &Doc,
    env: Option<&Doc>,
    globals: Option<&Doc>,
) -> Result<Imported, SourceError> {
    let mut variables = Map::new();
    if let Some(g) = globals {
        environment(g, &mut variables).map_err(|b| g.error(b))?;
    }
    let mut importer = Importer::default();
    importer
        .collection(collection.root(), &mut variables)
        .map_err(|b| collection.error(b))?;
    if let Some(e) = env {
        environment(e, &mut variables).map_err(|b| e.error(b))?;
    }
    if importer.steps.is_empty() {
        return Err(collection.error(collection.root().bad("the collection has no requests")));
    }
    Ok(importer.finish(variables))
}

/// An environment or globals export: `values: [{key, value, enabled}]`.
fn environment(doc: &Doc, into: &mut Map<String, Value>) -> Result<(), Bad> {
    let root = doc.root();
    root.object()?;
    let values = root.need("values")?;
    for v in values.items()? {
        v.object()?;
        if v.opt_bool("enabled")? == Some(false) {
            continue;
        }
        let key = v.need("key")?.str()?;
        let value = v.get("value").map(|x| x.v.clone()).unwrap_or(json!(""));
        into.insert(key.to_string(), value);
    }
    Ok(())
}

/// What a level's auth turns into.
#[derive(Debug, Clone)]
enum Auth {
    None,
    /// The suite's `auth` object.
    Spec(Value),
    /// An API key sent in the query.
    Query(String, String),
    /// A type seam cannot send (reported where it is defined).
    Unsupported,
}

/// What a folder passes to its items.
#[derive(Clone)]
struct Scope {
    auth: Auth,
    asserts: Asserts,
    captures: Map<String, Value>,
}

struct Step {
    unit: usize,
    unit_name: String,
    item: String,
    step: Value,
    uses: BTreeSet<String>,
}

#[derive(Default)]
struct Importer {
    steps: Vec<Step>,
    lost: Vec<Lost>,
    name: Option<String>,
    units: usize,
}

const COLLECTION: &str = "(collection)";

impl Importer {
    fn collection(&mut self, root: At<'_>, variables: &mut Map<String, Value>) -> Result<(), Bad> {
        root.object()?;
        if root.get("info").is_none() {
            if root.get("requests").is_some() || root.get("order").is_some() {
                return Err(
                    root.bad("a Postman collection v1: export it from Postman as Collection v2.1")
                );
            }
            return Err(root.bad("not a Postman collection: `info` is missing"));
        }
        let info = root.need("info")?;
        info.object()?;
        if let Some(schema) = info.opt_str("schema")? {
            if !schema.contains("v2.1") && !schema.contains("v2.0") {
                return Err(info.get("schema").map_or_else(
                    || info.bad("unsupported schema"),
                    |s| s.bad(format!("unsupported Postman collection schema `{schema}` (v2.0 and v2.1 are supported)")),
                ));
            }
        }
        self.name = info.opt_str("name")?.map(str::to_string);
        for v in root.opt_items("variable")? {
            v.object()?;
            if v.opt_bool("disabled")? == Some(true) {
                continue;
            }
            let key = match v.get("key") {
                Some(k) => k.str()?,
                None => v.need("id")?.str()?,
            };
            let value = v.get("value").map(|x| x.v.clone()).unwrap_or(json!(""));
            variables.insert(key.to_string(), value);
        }
        let top = Scope {
            auth: Auth::None,
            asserts: Asserts::default(),
            captures: Map::new(),
        };
        let scope = self.level(&root, COLLECTION, &top)?;
        let items = root.need("item")?;
        for item in items.items()? {
            self.item(&item, &[], &scope, None)?;
        }
        Ok(())
    }

    /// The scope a collection or folder gives its items: its auth and scripts.
    fn level(&mut self, at: &At<'_>, name: &str, parent: &Scope) -> Result<Scope, Bad> {
        let mut scope = parent.clone();
        if let Some(a) = at.get("auth") {
            if let Some(auth) = self.auth(&a, name)? {
                scope.auth = auth;
            }
        }
        let t = self.scripts(at, &format!("{name} (script of every request in it)"))?;
        if let Some((a, b)) = scope.asserts.extend(&t.asserts) {
            self.lost.push(Lost::new(
                name,
                format!("status {a} check of an outer level"),
                format!("this level expects {b}"),
            ));
        }
        scope.captures.extend(t.captures);
        Ok(scope)
    }

    /// Test scripts translated, pre-request scripts reported.
    fn scripts(&mut self, at: &At<'_>, item: &str) -> Result<script::Translated, Bad> {
        let mut out = script::Translated::default();
        for e in at.opt_items("event")? {
            e.object()?;
            if e.opt_bool("disabled")? == Some(true) {
                continue;
            }
            let listen = e.opt_str("listen")?.unwrap_or_default();
            let Some(s) = e.get("script") else { continue };
            s.object()?;
            let lines: Vec<String> = match s.get("exec") {
                None => Vec::new(),
                Some(x) if x.v.is_string() => x.str()?.lines().map(str::to_string).collect(),
                Some(x) => x
                    .items()?
                    .iter()
                    .map(|l| l.str().map(str::to_string))
                    .collect::<Result<_, _>>()?,
            };
            let pre = match listen {
                "test" => false,
                "prerequest" => true,
                other => {
                    if lines.iter().any(|l| !l.trim().is_empty()) {
                        self.lost.push(Lost::new(
                            item,
                            format!("`{other}` script"),
                            "not a test or pre-request script",
                        ));
                    }
                    continue;
                }
            };
            let t = script::translate(&lines, pre);
            for (line, text, why) in &t.lost {
                let kind = if pre { "pre-request" } else { "test" };
                self.lost.push(Lost::new(
                    item,
                    format!("{kind} script line {line}: {text}"),
                    why.clone(),
                ));
            }
            out.asserts.extend(&t.asserts);
            out.captures.extend(t.captures);
        }
        Ok(out)
    }

    fn item(
        &mut self,
        item: &At<'_>,
        path: &[String],
        scope: &Scope,
        unit: Option<(usize, String)>,
    ) -> Result<(), Bad> {
        item.object()?;
        let name = item.opt_str("name")?.unwrap_or("(unnamed)").to_string();
        let mut full_path = path.to_vec();
        full_path.push(name.clone());
        let full = full_path.join(" / ");
        let unit = unit.unwrap_or_else(|| {
            self.units += 1;
            (self.units - 1, name.clone())
        });
        if let Some(children) = item.get("item") {
            let children = children.items()?;
            let inner = self.level(item, &full, scope)?;
            for child in children {
                self.item(&child, &full_path, &inner, Some(unit.clone()))?;
            }
            return Ok(());
        }
        let Some(req) = item.get("request") else {
            return Err(item.bad("an item needs `request` (a request) or `item` (a folder)"));
        };
        let inner = {
            let mut s = scope.clone();
            // `request.auth`; some exporters put it on the item
            if let Some(a) = req
                .get("auth")
                .filter(|_| req.v.is_object())
                .or_else(|| item.get("auth"))
            {
                if let Some(auth) = self.auth(&a, &full)? {
                    s.auth = auth;
                }
            }
            s
        };
        let mut request = self.request(&req, &full, &inner.auth)?;
        let t = self.scripts(item, &full)?;
        let mut asserts = inner.asserts.clone();
        if let Some((a, b)) = asserts.extend(&t.asserts) {
            self.lost.push(Lost::new(
                &full,
                format!("status {a} check of an outer level"),
                format!("the request's script expects {b}"),
            ));
        }
        let mut captures = inner.captures.clone();
        captures.extend(t.captures);
        let mut step = Map::new();
        step.insert("name".into(), json!(full));
        step.insert(
            "request".into(),
            Value::Object(std::mem::take(&mut request)),
        );
        if !captures.is_empty() {
            step.insert("capture".into(), Value::Object(captures));
        }
        if let Some(a) = asserts.to_json() {
            step.insert("assert".into(), a);
        }
        let step = Value::Object(step);
        let mut uses = BTreeSet::new();
        variables_in(&step["request"], &mut uses);
        if let Some(a) = step.get("assert") {
            variables_in(a, &mut uses);
        }
        for name in uses.iter().filter(|n| n.starts_with('$')) {
            if crate::vars::generated(name).is_none() {
                self.lost.push(Lost::new(
                    &full,
                    format!("dynamic variable {{{{{name}}}}}"),
                    format!(
                        "seam does not generate it; it generates {}",
                        crate::vars::GENERATED.join(", ")
                    ),
                ));
            }
        }
        self.steps.push(Step {
            unit: unit.0,
            unit_name: unit.1,
            item: full,
            step,
            uses,
        });
        Ok(())
    }

    /// A level's auth: `None` to inherit the parent's.
    fn auth(&mut self, a: &At<'_>, item: &str) -> Result<Option<Auth>, Bad> {
        a.object()?;
        let kind = a.need("type")?.str()?;
        let params = |key: &str| -> Result<BTreeMap<String, Value>, Bad> {
            let mut out = BTreeMap::new();
            let Some(p) = a.get(key) else { return Ok(out) };
            if p.v.is_object() {
                // v2.0: {"token": "..."}
                for (k, v) in p.object()? {
                    out.insert(k.clone(), v.clone());
                }
            } else {
                // v2.1: [{"key": "token", "value": "..."}]
                for kv in p.items()? {
                    kv.object()?;
                    let k = kv.need("key")?.str()?;
                    out.insert(
                        k.to_string(),
                        kv.get("value").map(|v| v.v.clone()).unwrap_or(json!("")),
                    );
                }
            }
            Ok(out)
        };
        let text = |p: &BTreeMap<String, Value>, k: &str| match p.get(k) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        Ok(Some(match kind {
            "inherit" => return Ok(None),
            "noauth" => Auth::None,
            "bearer" => {
                let p = params("bearer")?;
                Auth::Spec(json!({"bearer": text(&p, "token")}))
            }
            "basic" => {
                let p = params("basic")?;
                Auth::Spec(
                    json!({"basic": {"username": text(&p, "username"), "password": text(&p, "password")}}),
                )
            }
            "apikey" => {
                let p = params("apikey")?;
                let key = text(&p, "key");
                let value = text(&p, "value");
                if text(&p, "in") == "query" {
                    Auth::Query(key, value)
                } else {
                    let header = if key.is_empty() {
                        "X-Api-Key".to_string()
                    } else {
                        key
                    };
                    Auth::Spec(json!({"apiKey": {"header": header, "value": value}}))
                }
            }
            "oauth2" => {
                let p = params("oauth2")?;
                let token = text(&p, "accessToken");
                let grant = text(&p, "grant_type");
                if !token.is_empty() {
                    if text(&p, "addTokenTo") == "queryParams" {
                        Auth::Query("access_token".into(), token)
                    } else {
                        Auth::Spec(json!({"bearer": token}))
                    }
                } else if grant == "client_credentials" {
                    let mut o = json!({
                        "tokenUrl": text(&p, "accessTokenUrl"),
                        "clientId": text(&p, "clientId"),
                        "clientSecret": text(&p, "clientSecret"),
                    });
                    let scope = text(&p, "scope");
                    if !scope.is_empty() {
                        o["scope"] = json!(scope);
                    }
                    Auth::Spec(json!({ "oauth2": o }))
                } else {
                    self.lost.push(Lost::new(
                        item,
                        format!("oauth2 auth ({})", if grant.is_empty() { "no grant type" } else { &grant }),
                        "seam fetches OAuth2 tokens by client credentials only; give a token or use that grant",
                    ));
                    Auth::Unsupported
                }
            }
            other => {
                self.lost.push(Lost::new(
                    item,
                    format!("{other} auth"),
                    "seam has no such auth helper; requests under it are sent without it",
                ));
                Auth::Unsupported
            }
        }))
    }

    fn request(
        &mut self,
        req: &At<'_>,
        item: &str,
        auth: &Auth,
    ) -> Result<Map<String, Value>, Bad> {
        let mut out = Map::new();
        if req.v.is_string() {
            out.insert("method".into(), json!("GET"));
            out.insert("path".into(), json!(url_text(req.str()?, req)?));
            self.add_auth(&mut out, auth);
            return Ok(out);
        }
        req.object()?;
        let method = match req.get("method") {
            Some(m) => {
                let s = m.str()?;
                if s.is_empty()
                    || !s
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_!#$%&'*+.^`|~".contains(c))
                {
                    return Err(m.bad(format!("`{s}` is not an HTTP method")));
                }
                s.to_ascii_uppercase()
            }
            None => "GET".into(),
        };
        out.insert("method".into(), json!(method));
        let url_at = req.need("url")?;
        out.insert("path".into(), json!(url(&url_at)?));
        let mut headers: Map<String, Value> = Map::new();
        let mut add_header = |k: &str, v: String, lost: &mut Vec<Lost>| {
            if client_set(k) {
                lost.push(Lost::new(
                    item,
                    format!("header {k}"),
                    "the HTTP client sets it",
                ));
                return;
            }
            if k.eq_ignore_ascii_case("postman-token") {
                lost.push(Lost::new(
                    item,
                    format!("header {k}"),
                    "Postman's own request id",
                ));
                return;
            }
            match headers.keys().find(|h| h.eq_ignore_ascii_case(k)).cloned() {
                Some(existing) => {
                    let joined =
                        format!("{}, {v}", headers[&existing].as_str().unwrap_or_default());
                    headers.insert(existing, json!(joined));
                }
                None => {
                    headers.insert(k.to_string(), json!(v));
                }
            }
        };
        if let Some(h) = req.get("header") {
            if h.v.is_string() {
                for line in h.str()?.lines() {
                    if let Some((k, v)) = line.split_once(':') {
                        if !k.trim().starts_with("//") {
                            add_header(k.trim(), v.trim().to_string(), &mut self.lost);
                        }
                    }
                }
            } else {
                for (k, v) in enabled_pairs(h.items()?)? {
                    add_header(k, v, &mut self.lost);
                }
            }
        }
        if let Some(b) = req.get("body") {
            self.body(&b, item, &mut out, &mut headers)?;
        }
        if !headers.is_empty() {
            out.insert("headers".into(), Value::Object(headers));
        }
        self.add_auth(&mut out, auth);
        Ok(out)
    }

    fn add_auth(&mut self, out: &mut Map<String, Value>, auth: &Auth) {
        match auth {
            Auth::Spec(spec) => {
                out.insert("auth".into(), spec.clone());
            }
            Auth::Query(k, v) => {
                let mut q = Map::new();
                q.insert(k.clone(), json!(v));
                out.insert("query".into(), Value::Object(q));
            }
            Auth::None | Auth::Unsupported => {}
        }
    }

    fn body(
        &mut self,
        b: &At<'_>,
        item: &str,
        out: &mut Map<String, Value>,
        headers: &mut Map<String, Value>,
    ) -> Result<(), Bad> {
        b.object()?;
        if b.opt_bool("disabled")? == Some(true) {
            return Ok(());
        }
        let Some(mode) = b.opt_str("mode")? else {
            return Ok(());
        };
        let has_content_type = headers
            .keys()
            .any(|k| k.eq_ignore_ascii_case("content-type"));
        let content_type = |headers: &mut Map<String, Value>, ct: &str| {
            if !has_content_type {
                headers.insert("Content-Type".into(), json!(ct));
            }
        };
        match mode {
            "raw" => {
                let raw = b.opt_str("raw")?.unwrap_or_default();
                if raw.is_empty() {
                    return Ok(());
                }
                let language = match b.get("options").and_then(|o| o.get("raw")) {
                    Some(r) => r.opt_str("language")?.unwrap_or_default().to_string(),
                    None => String::new(),
                };
                match language.as_str() {
                    "json" => content_type(headers, "application/json"),
                    "xml" => content_type(headers, "application/xml"),
                    "javascript" => content_type(headers, "application/javascript"),
                    "html" => content_type(headers, "text/html"),
                    _ => {}
                }
                // as text, so `"{{id}}"` stays a string as Postman sends it
                out.insert("body".into(), json!(raw));
            }
            "urlencoded" => {
                let mut form = Map::new();
                for (k, v) in enabled_pairs(b.opt_items("urlencoded")?)? {
                    if form.contains_key(k) {
                        self.lost.push(Lost::new(
                            item,
                            format!("second form field `{k}`"),
                            "a suite form has one value per field",
                        ));
                        continue;
                    }
                    form.insert(k.to_string(), json!(v));
                }
                out.insert("form".into(), Value::Object(form));
            }
            "formdata" => {
                let mut parts = Map::new();
                for kv in b.opt_items("formdata")? {
                    kv.object()?;
                    if kv.opt_bool("disabled")? == Some(true) {
                        continue;
                    }
                    let k = kv.need("key")?.str()?;
                    let part = if kv.opt_str("type")? == Some("file") {
                        match kv.get("src") {
                            Some(src) if src.v.is_string() => json!({"file": src.str()?}),
                            _ => {
                                self.lost.push(Lost::new(
                                    item,
                                    format!("file field `{k}`"),
                                    "no single file path",
                                ));
                                continue;
                            }
                        }
                    } else {
                        json!(kv
                            .get("value")
                            .map(|v| v.scalar())
                            .transpose()?
                            .unwrap_or_default())
                    };
                    if parts.contains_key(k) {
                        self.lost.push(Lost::new(
                            item,
                            format!("second form field `{k}`"),
                            "a suite form has one value per field",
                        ));
                        continue;
                    }
                    parts.insert(k.to_string(), part);
                }
                out.insert("multipart".into(), Value::Object(parts));
            }
            "file" => match b.get("file").and_then(|f| f.get("src")) {
                Some(src) => {
                    out.insert("file".into(), json!(src.str()?));
                }
                None => self.lost.push(Lost::new(item, "file body", "no file path")),
            },
            "graphql" => {
                let g = b.need("graphql")?;
                g.object()?;
                let query = g.opt_str("query")?.unwrap_or_default();
                let vars = g.opt_str("variables")?.unwrap_or_default().trim();
                let vars = if vars.is_empty() { "{}" } else { vars };
                content_type(headers, "application/json");
                out.insert(
                    "body".into(),
                    json!(format!(
                        "{{\"query\":{},\"variables\":{vars}}}",
                        Value::String(query.to_string())
                    )),
                );
            }
            other => self.lost.push(Lost::new(
                item,
                format!("`{other}` body"),
                "no suite equivalent",
            )),
        }
        Ok(())
    }

    /// Orders steps into tests and reports variables nobody defines.
    fn finish(mut self, mut variables: Map<String, Value>) -> Imported {
        // a variable used by a step comes from the latest earlier step that captures it
        let mut parent: Vec<usize> = (0..self.units).collect();
        fn root(p: &mut [usize], mut i: usize) -> usize {
            while p[i] != i {
                p[i] = p[p[i]];
                i = p[i];
            }
            i
        }
        let mut captured_by: BTreeMap<String, usize> = BTreeMap::new();
        let mut undefined: BTreeMap<String, String> = BTreeMap::new();
        // used before any request captures it (a collection-wide `{{token}}`
        // also sent by the login that captures it)
        let mut early: BTreeMap<String, String> = BTreeMap::new();
        let all_captured: BTreeSet<String> = self
            .steps
            .iter()
            .filter_map(|s| s.step.get("capture").and_then(Value::as_object))
            .flat_map(|c| c.keys().cloned())
            .collect();
        for s in &self.steps {
            for v in &s.uses {
                if let Some(&u) = captured_by.get(v) {
                    let (a, b) = (root(&mut parent, u), root(&mut parent, s.unit));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                } else if !v.starts_with('$') && !variables.contains_key(v) {
                    if all_captured.contains(v) {
                        early.entry(v.clone()).or_insert_with(|| s.item.clone());
                    } else {
                        undefined.entry(v.clone()).or_insert_with(|| s.item.clone());
                    }
                }
            }
            if let Some(c) = s.step.get("capture").and_then(Value::as_object) {
                for k in c.keys() {
                    captured_by.insert(k.clone(), s.unit);
                }
            }
        }
        self.schemes(&mut variables);
        for (v, item) in early {
            // Postman sends an unresolved variable as it is; the suite sends
            // an empty value rather than failing the request
            variables.insert(v.clone(), json!(""));
            self.lost.push(Lost::new(
                &item,
                format!("variable {{{{{v}}}}} before a request captures it"),
                "sent empty (the suite defines it as \"\"); Postman would send `{{...}}` as it is"
                    .replace("...", &v),
            ));
        }
        for (v, item) in undefined {
            self.lost.push(Lost::new(
                &item,
                format!("variable {{{{{v}}}}}"),
                format!("defined nowhere in the collection; give `--env FILE` to seam import or `--var {v}=...` to seam test"),
            ));
        }
        let mut tests: Vec<(usize, Vec<String>, Vec<Value>)> = Vec::new();
        for s in self.steps {
            let r = root(&mut parent, s.unit);
            match tests.iter_mut().find(|t| t.0 == r) {
                Some(t) => {
                    if !t.1.contains(&s.unit_name) {
                        t.1.push(s.unit_name);
                    }
                    t.2.push(s.step);
                }
                None => tests.push((r, vec![s.unit_name], vec![s.step])),
            }
        }
        let tests: Vec<Value> = tests
            .into_iter()
            .map(|(_, names, steps)| json!({"name": names.join(" + "), "steps": steps}))
            .collect();
        let mut suite = Map::new();
        suite.insert(
            "name".into(),
            json!(self.name.unwrap_or_else(|| "postman".into())),
        );
        if !variables.is_empty() {
            suite.insert("variables".into(), Value::Object(variables));
        }
        suite.insert("tests".into(), Value::Array(tests));
        Imported {
            suite: Value::Object(suite),
            lost: self.lost,
        }
    }
}

impl Importer {
    /// A variable that starts URLs and holds a host without a scheme
    /// (`localhost:3000`): Postman sends it over `http://`; a suite needs the
    /// scheme, so the value gets it when the variable is used nowhere else.
    fn schemes(&mut self, variables: &mut Map<String, Value>) {
        let mut starts: BTreeMap<String, String> = BTreeMap::new();
        let mut elsewhere = BTreeSet::new();
        for s in &self.steps {
            let path = s.step["request"]["path"].as_str().unwrap_or_default();
            let lead = path
                .strip_prefix("{{")
                .and_then(|r| r.split_once("}}"))
                .map(|(name, _)| name.trim().to_string());
            let mut in_path = BTreeSet::new();
            variables_in(&json!(path), &mut in_path);
            let mut all = s.uses.clone();
            for v in &in_path {
                if Some(v) != lead.as_ref() {
                    elsewhere.insert(v.clone());
                }
            }
            all.retain(|v| !in_path.contains(v));
            elsewhere.extend(all);
            if let Some(l) = lead {
                starts.entry(l).or_insert_with(|| s.item.clone());
            }
        }
        for (name, item) in starts {
            let Some(Value::String(value)) = variables.get(&name) else {
                continue;
            };
            let lower = value.to_ascii_lowercase();
            if value.is_empty()
                || lower.starts_with("http://")
                || lower.starts_with("https://")
                || value.starts_with("{{")
            {
                continue;
            }
            if elsewhere.contains(&name) {
                self.lost.push(Lost::new(
                    &item,
                    format!("variable {{{{{name}}}}} = `{value}` starting the URL"),
                    "no http:// or https:// (Postman adds http://); give a full URL with --var",
                ));
                continue;
            }
            let fixed = format!("http://{value}");
            self.lost.push(Lost::new(
                &item,
                format!("variable {{{{{name}}}}} = `{value}`"),
                format!("written `{fixed}`: a suite URL needs its scheme, Postman adds http://"),
            ));
            variables.insert(name, json!(fixed));
        }
    }
}

/// A request URL: a string, or an object (`raw`, or host/path/query parts),
/// with `:name` path variables filled in.
fn url(at: &At<'_>) -> Result<String, Bad> {
    if at.v.is_string() {
        return url_text(at.str()?, at);
    }
    at.object()?;
    let mut raw = match at.opt_str("raw")? {
        Some(r) => r.to_string(),
        None => {
            let mut s = String::new();
            if let Some(p) = at.opt_str("protocol")? {
                s.push_str(p);
                s.push_str("://");
            }
            s.push_str(&parts(at, "host", ".")?);
            if let Some(port) = at.get("port") {
                s.push(':');
                s.push_str(&port.scalar()?);
            }
            let path = parts(at, "path", "/")?;
            if !path.is_empty() {
                s.push('/');
                s.push_str(&path);
            }
            let mut q = Vec::new();
            for kv in at.opt_items("query")? {
                kv.object()?;
                if kv.opt_bool("disabled")? == Some(true) {
                    continue;
                }
                let k = kv.opt_str("key")?.unwrap_or_default();
                match kv.get("value") {
                    Some(v) => q.push(format!("{k}={}", v.scalar()?)),
                    None => q.push(k.to_string()),
                }
            }
            if !q.is_empty() {
                s.push('?');
                s.push_str(&q.join("&"));
            }
            s
        }
    };
    for v in at.opt_items("variable")? {
        v.object()?;
        let key = match v.get("key") {
            Some(k) => k.str()?,
            None => v.need("id")?.str()?,
        };
        let value = v
            .get("value")
            .map(|x| x.scalar())
            .transpose()?
            .unwrap_or_default();
        raw = fill_path_variable(&raw, key, &value);
    }
    url_text(&raw, at)
}

fn parts(at: &At<'_>, key: &str, sep: &str) -> Result<String, Bad> {
    let Some(p) = at.get(key) else {
        return Ok(String::new());
    };
    if p.v.is_string() {
        return Ok(p.str()?.to_string());
    }
    let mut out = Vec::new();
    for seg in p.items()? {
        if seg.v.is_object() {
            // {"type": "string", "value": "users"}
            out.push(
                seg.get("value")
                    .map(|v| v.scalar())
                    .transpose()?
                    .unwrap_or_default(),
            );
        } else {
            out.push(seg.scalar()?);
        }
    }
    Ok(out.join(sep))
}

/// Replaces the `:name` path segment (not in the query) with `value`.
fn fill_path_variable(url: &str, name: &str, value: &str) -> String {
    let (path, query) = match url.find(['?', '#']) {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let pattern = format!(":{name}");
    let filled: Vec<String> = path
        .split('/')
        .map(|seg| {
            if seg == pattern {
                value.to_string()
            } else {
                seg.to_string()
            }
        })
        .collect();
    format!("{}{query}", filled.join("/"))
}

/// Checks a URL is there; adds `http://` when it has no scheme and does not
/// start with a variable (Postman's default).
fn url_text(raw: &str, at: &At<'_>) -> Result<String, Bad> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(at.bad("the URL is empty"));
    }
    let lower = raw.to_ascii_lowercase();
    Ok(
        if lower.starts_with("http://") || lower.starts_with("https://") || raw.starts_with("{{") {
            raw.to_string()
        } else {
            format!("http://{raw}")
        },
    )
}

/// Every `{{name}}` in a value's strings.
fn variables_in(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            let mut rest = s.as_str();
            while let Some(start) = rest.find("{{") {
                let Some(end) = rest[start..].find("}}") else {
                    break;
                };
                let name = rest[start + 2..start + end].trim();
                if !name.is_empty() && !name.contains("{{") {
                    out.insert(name.to_string());
                }
                rest = &rest[start + end + 2..];
            }
        }
        Value::Array(a) => a.iter().for_each(|x| variables_in(x, out)),
        Value::Object(o) => o.values().for_each(|x| variables_in(x, out)),
        _ => {}
    }
}

/// The `{key, value}` entries of a Postman list (headers, urlencoded bodies)
/// that are not `disabled`, values as text (a missing value is empty).
fn enabled_pairs<'d>(items: Vec<At<'d>>) -> Result<Vec<(&'d str, String)>, Bad> {
    let mut out = Vec::new();
    for kv in items {
        kv.object()?;
        if kv.opt_bool("disabled")? == Some(true) {
            continue;
        }
        let key = kv.need("key")?.str()?;
        let value = kv.get("value").map(|v| v.scalar()).transpose()?;
        out.push((key, value.unwrap_or_default()));
    }
    Ok(out)
}
