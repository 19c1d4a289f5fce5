//! HAR recordings as suites: one test whose steps are the recorded requests in
//! order, each asserting the recorded status. Each origin becomes a variable
//! (`baseUrl`, `baseUrl2`, ...) so the session replays against another host
//! with `--var baseUrl=...`. Headers the browser or proxy sets on its own are
//! dropped; recorded cookies are listed as not imported.

use super::json_at::{At, Bad, Doc};
use super::{browser_set, Imported, Lost};
use seam_core::source::SourceError;
use serde_json::{json, Map, Value};

/// Imports a HAR file.
pub fn import(doc: &Doc) -> Result<Imported, SourceError> {
    run(doc.root()).map_err(|b| doc.error(b))
}

fn run(root: At<'_>) -> Result<Imported, Bad> {
    root.object()?;
    let log = root
        .get("log")
        .ok_or_else(|| root.bad("not a HAR file: `log` is missing"))?;
    log.object()?;
    let entries = log.need("entries")?;
    let entries = entries.items()?;
    if entries.is_empty() {
        return Err(log.bad("the recording has no entries"));
    }
    let mut origins: Vec<String> = Vec::new();
    let mut steps = Vec::new();
    let mut lost = Vec::new();
    let mut with_cookies = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        e.object()?;
        let req = e.need("request")?;
        req.object()?;
        let m = req.need("method")?;
        let method = m.str()?;
        if method.is_empty()
            || !method
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(m.bad(format!("`{method}` is not an HTTP method")));
        }
        let u = req.need("url")?;
        let url = u.str()?;
        if url.trim().is_empty() {
            return Err(u.bad("the URL is empty"));
        }
        let Some((origin, rest)) = split_origin(url) else {
            return Err(u.bad(format!("`{url}` is not an http:// or https:// URL")));
        };
        let n = match origins.iter().position(|o| *o == origin) {
            Some(n) => n,
            None => {
                origins.push(origin.to_string());
                origins.len() - 1
            }
        };
        let var = if n == 0 {
            "baseUrl".to_string()
        } else {
            format!("baseUrl{}", n + 1)
        };
        let item = format!("entry {} ({method} {url})", i + 1);
        let mut request = Map::new();
        request.insert("method".into(), json!(method));
        request.insert("path".into(), json!(format!("{{{{{var}}}}}{rest}")));
        let mut headers: Map<String, Value> = Map::new();
        for h in req.opt_items("headers")? {
            h.object()?;
            let name = h.need("name")?.str()?;
            let value = h.need("value")?.str()?;
            if name.eq_ignore_ascii_case("cookie") {
                with_cookies.push(i + 1);
                continue;
            }
            if browser_set(name) {
                continue;
            }
            match headers
                .keys()
                .find(|k| k.eq_ignore_ascii_case(name))
                .cloned()
            {
                Some(k) => {
                    let joined = format!("{}, {value}", headers[&k].as_str().unwrap_or_default());
                    headers.insert(k, json!(joined));
                }
                None => {
                    headers.insert(name.to_string(), json!(value));
                }
            }
        }
        if let Some(post) = req.get("postData") {
            post.object()?;
            let mime = post.opt_str("mimeType")?.unwrap_or_default();
            if let Some(text) = post.opt_str("text")? {
                if !text.is_empty() {
                    // JSON only when recorded as JSON: the recorded Content-Type stays
                    match serde_json::from_str::<Value>(text) {
                        Ok(v) if mime.contains("json") => request.insert("json".into(), v),
                        _ => request.insert("body".into(), json!(text)),
                    };
                }
            } else {
                let mut fields = Map::new();
                for p in post.opt_items("params")? {
                    p.object()?;
                    let name = p.need("name")?.str()?;
                    if p.get("fileName").is_some() {
                        lost.push(Lost::new(
                            &item,
                            format!("file field `{name}`"),
                            "the recording does not hold the file",
                        ));
                        continue;
                    }
                    let value = p.opt_str("value")?.unwrap_or_default();
                    fields.insert(name.to_string(), json!(value));
                }
                if !fields.is_empty() {
                    let key = if mime.contains("multipart") {
                        "multipart"
                    } else {
                        "form"
                    };
                    headers.retain(|h, _| !h.eq_ignore_ascii_case("content-type"));
                    request.insert(key.into(), Value::Object(fields));
                }
            }
        }
        if !headers.is_empty() {
            request.insert("headers".into(), Value::Object(headers));
        }
        let path_only = rest.split(['?', '#']).next().unwrap_or("/");
        let mut step = json!({"name": format!("{method} {}", if path_only.is_empty() { "/" } else { path_only }), "request": request});
        if let Some(res) = e.get("response") {
            res.object()?;
            if let Some(s) = res.get("status") {
                let status =
                    s.v.as_u64()
                        .ok_or_else(|| s.bad("expected a status code (a number)"))?;
                if (100..=599).contains(&status) {
                    step["assert"] = json!({ "status": status });
                } else if status != 0 {
                    return Err(s.bad(format!("{status} is not an HTTP status")));
                }
            }
        }
        steps.push(step);
    }
    if !with_cookies.is_empty() {
        let list: Vec<String> = with_cookies.iter().map(usize::to_string).collect();
        lost.insert(
            0,
            Lost::new(
                &format!("entr{} {}", if list.len() == 1 { "y" } else { "ies" }, list.join(", ")),
                "Cookie header",
                "recorded session cookies are not replayed; capture cookies with `capture: {NAME: {cookie: NAME}}`",
            ),
        );
    }
    let variables: Map<String, Value> = origins
        .iter()
        .enumerate()
        .map(|(n, o)| {
            (
                if n == 0 {
                    "baseUrl".to_string()
                } else {
                    format!("baseUrl{}", n + 1)
                },
                json!(o),
            )
        })
        .collect();
    Ok(Imported {
        suite: json!({
            "name": "recorded",
            "variables": variables,
            "tests": [{"name": "recorded session", "steps": steps}],
        }),
        lost,
    })
}

/// `https://host:8080/a?b` as (`https://host:8080`, `/a?b`).
fn split_origin(url: &str) -> Option<(&str, &str)> {
    let starts = |p: &str| {
        url.get(..p.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
    };
    let after = if starts("https://") {
        8
    } else if starts("http://") {
        7
    } else {
        return None;
    };
    let end = url[after..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after + i);
    if end == after {
        return None;
    }
    Some((&url[..end], &url[end..]))
}
