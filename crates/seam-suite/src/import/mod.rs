//! Importers: Postman collections (v2.1: requests, folders, variables, and the
//! simple status / JSON-field assertions of test scripts) and HAR files (the
//! recorded requests in order, with their status) become seam suites (YAML).

use regex::Regex;
use serde_json::{json, Map, Value};

/// Request headers a suite should not pin (the client sets them).
const VOLATILE: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "accept-encoding",
    "cookie",
    "user-agent",
    "postman-token",
    "cache-control",
    "pragma",
    "origin",
    "referer",
    "sec-fetch-site",
    "sec-fetch-mode",
    "sec-fetch-dest",
];

fn keep_header(name: &str) -> bool {
    !name.starts_with(':') && !VOLATILE.iter().any(|v| name.eq_ignore_ascii_case(v))
}

fn body_value(text: &str, json_hint: bool) -> (&'static str, Value) {
    match serde_json::from_str::<Value>(text) {
        Ok(v) if json_hint || v.is_object() || v.is_array() => ("json", v),
        _ => ("body", Value::String(text.to_string())),
    }
}

/// A Postman collection (v2.1) as a suite.
pub fn postman(collection: &Value) -> Result<Value, String> {
    let info = collection
        .get("info")
        .ok_or("not a Postman collection: no `info`")?;
    let schema = info
        .get("schema")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !schema.is_empty() && !schema.contains("v2.1") && !schema.contains("v2.0") {
        return Err(format!(
            "unsupported Postman collection schema `{schema}` (v2.0 and v2.1 are supported)"
        ));
    }
    let mut variables = Map::new();
    for v in collection
        .get("variable")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(k), Some(val)) = (v.get("key").and_then(Value::as_str), v.get("value")) {
            variables.insert(k.to_string(), val.clone());
        }
    }
    let mut tests = Vec::new();
    walk(
        collection
            .get("item")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[]),
        "",
        &mut tests,
    )?;
    let mut suite = Map::new();
    suite.insert(
        "name".into(),
        info.get("name").cloned().unwrap_or(json!("postman")),
    );
    if !variables.is_empty() {
        suite.insert("variables".into(), Value::Object(variables));
    }
    suite.insert("tests".into(), Value::Array(tests));
    Ok(Value::Object(suite))
}

/// Folders become name prefixes; each request is a one-step test.
fn walk(items: &[Value], prefix: &str, tests: &mut Vec<Value>) -> Result<(), String> {
    for item in items {
        let name = item
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("request");
        let full = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix} / {name}")
        };
        if let Some(children) = item.get("item").and_then(Value::as_array) {
            walk(children, &full, tests)?;
            continue;
        }
        let Some(req) = item.get("request") else {
            continue;
        };
        let mut request = Map::new();
        let method = req.get("method").and_then(Value::as_str).unwrap_or("GET");
        request.insert("method".into(), json!(method));
        let url = match req.get("url") {
            Some(Value::String(s)) => s.clone(),
            Some(u) => u
                .get("raw")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            None => String::new(),
        };
        request.insert("path".into(), json!(url));
        let mut headers = Map::new();
        for h in req
            .get("header")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let disabled = h.get("disabled").and_then(Value::as_bool).unwrap_or(false);
            if let (Some(k), Some(v), false) = (
                h.get("key").and_then(Value::as_str),
                h.get("value"),
                disabled,
            ) {
                if keep_header(k) {
                    headers.insert(k.to_string(), v.clone());
                }
            }
        }
        if !headers.is_empty() {
            request.insert("headers".into(), Value::Object(headers));
        }
        if let Some(b) = req.get("body") {
            match b.get("mode").and_then(Value::as_str) {
                Some("raw") => {
                    let raw = b.get("raw").and_then(Value::as_str).unwrap_or_default();
                    let json_hint =
                        b.pointer("/options/raw/language").and_then(Value::as_str) == Some("json");
                    let (k, v) = body_value(raw, json_hint);
                    request.insert(k.into(), v);
                }
                Some("urlencoded") => {
                    let form: Map<String, Value> = b
                        .get("urlencoded")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|p| {
                            Some((p.get("key")?.as_str()?.to_string(), p.get("value")?.clone()))
                        })
                        .collect();
                    request.insert("form".into(), Value::Object(form));
                }
                _ => {}
            }
        }
        let mut step = Map::new();
        step.insert("request".into(), Value::Object(request));
        let script: Vec<String> = item
            .get("event")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|e| e.get("listen").and_then(Value::as_str) == Some("test"))
            .flat_map(|e| match e.pointer("/script/exec") {
                Some(Value::Array(lines)) => lines
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                Some(Value::String(s)) => s.lines().map(str::to_string).collect(),
                _ => Vec::new(),
            })
            .collect();
        let assertions = script_assertions(&script.join("\n"));
        if !assertions.is_empty() {
            step.insert("assert".into(), Value::Object(assertions));
        }
        tests.push(json!({"name": full, "steps": [Value::Object(step)]}));
    }
    Ok(())
}

/// The assertions a test script makes that have a seam equivalent: status
/// codes, and `pm.expect(<json var>.a.b).to.eql(value)`.
fn script_assertions(script: &str) -> Map<String, Value> {
    let mut out = Map::new();
    let status = Regex::new(
        r"to\.have\.status\((\d{3})\)|pm\.response\.code\)\.to\.(?:eql|equal)\((\d{3})\)",
    )
    .expect("static regex");
    if let Some(c) = status.captures(script) {
        if let Some(code) = c
            .get(1)
            .or(c.get(2))
            .and_then(|m| m.as_str().parse::<u16>().ok())
        {
            out.insert("status".into(), json!(code));
        }
    }
    let json_var = Regex::new(r"(\w+)\s*=\s*pm\.response\.json\(\)").expect("static regex");
    if let Some(var) = json_var
        .captures(script)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
    {
        let expect = Regex::new(&format!(
            r#"pm\.expect\({}((?:\.\w+|\[\d+\])+)\)\.to\.(?:eql|equal)\(([^)]*)\)"#,
            regex::escape(&var)
        ))
        .expect("escaped regex");
        let mut checks = Vec::new();
        for c in expect.captures_iter(script) {
            let path = format!("${}", &c[1]);
            let raw = c[2].trim().replace('\'', "\"");
            if let Ok(v) = serde_json::from_str::<Value>(&raw) {
                checks.push(json!({"path": path, "equals": v}));
            }
        }
        if !checks.is_empty() {
            out.insert("json".into(), Value::Array(checks));
        }
    }
    out
}

/// A HAR file as a suite: one test, the entries as steps, each asserting the
/// recorded status.
pub fn har(doc: &Value) -> Result<Value, String> {
    let entries = doc
        .pointer("/log/entries")
        .and_then(Value::as_array)
        .ok_or("not a HAR file: no `log.entries`")?;
    let mut steps = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let req = e
            .get("request")
            .ok_or_else(|| format!("entry {i} has no request"))?;
        let mut request = Map::new();
        request.insert(
            "method".into(),
            req.get("method").cloned().unwrap_or(json!("GET")),
        );
        request.insert(
            "path".into(),
            req.get("url")
                .cloned()
                .ok_or_else(|| format!("entry {i} has no url"))?,
        );
        let mut headers = Map::new();
        for h in req
            .get("headers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let (Some(k), Some(v)) = (h.get("name").and_then(Value::as_str), h.get("value")) {
                if keep_header(k) {
                    headers.insert(k.to_string(), v.clone());
                }
            }
        }
        if !headers.is_empty() {
            request.insert("headers".into(), Value::Object(headers));
        }
        if let Some(text) = req.pointer("/postData/text").and_then(Value::as_str) {
            let json_hint = req
                .pointer("/postData/mimeType")
                .and_then(Value::as_str)
                .is_some_and(|m| m.contains("json"));
            let (k, v) = body_value(text, json_hint);
            request.insert(k.into(), v);
        }
        let mut step = json!({"name": format!("{} {}", request["method"].as_str().unwrap_or("GET"), i + 1), "request": request});
        if let Some(status) = e
            .pointer("/response/status")
            .and_then(Value::as_u64)
            .filter(|s| *s > 0)
        {
            step["assert"] = json!({"status": status});
        }
        steps.push(step);
    }
    Ok(json!({"name": "recorded", "tests": [{"name": "recorded session", "steps": steps}]}))
}

/// The suite as YAML text.
pub fn to_yaml(suite: &Value) -> Result<String, String> {
    serde_saphyr::to_string(suite).map_err(|e| format!("cannot write YAML: {e}"))
}
