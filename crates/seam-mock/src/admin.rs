//! The admin API, compatible with WireMock's `/__admin` (mappings CRUD, save,
//! reset, import; the request journal with find, count, remove, unmatched and
//! near misses; scenarios; global reset), so WireMock client libraries work
//! unchanged.

use crate::journal::LoggedRequest;
use crate::registry::NearMiss;
use crate::request::MockRequest;
use crate::respond;
use crate::server::MockState;
use crate::stub::{Stub, StubSource};
use crate::wiremock::{stub_from_mapping, stub_to_mapping};
use base64::Engine;
use seam_http::Body;
use serde_json::{json, Map, Value};
use std::time::UNIX_EPOCH;
use uuid::Uuid;

fn ok_json(status: u16, v: &Value) -> hyper::Response<Body> {
    respond::text(
        status,
        "application/json",
        serde_json::to_vec(v).unwrap_or_default(),
    )
}

/// WireMock's error shape.
fn error(status: u16, title: &'static str, detail: impl Into<String>) -> hyper::Response<Body> {
    AdminError::new(status, title, detail).reply()
}

/// A refused admin request, answered in WireMock's error shape.
struct AdminError {
    status: u16,
    title: &'static str,
    detail: String,
}

impl AdminError {
    fn new(status: u16, title: &'static str, detail: impl Into<String>) -> Self {
        AdminError {
            status,
            title,
            detail: detail.into(),
        }
    }

    fn reply(self) -> hyper::Response<Body> {
        ok_json(
            self.status,
            &json!({"errors": [{"code": 10, "title": self.title, "detail": self.detail}]}),
        )
    }
}

fn parse_body(req: &MockRequest) -> Result<Value, AdminError> {
    let text = req.body_text().unwrap_or_default();
    serde_json::from_str(&text).map_err(|e| {
        AdminError::new(
            400,
            "Error parsing JSON",
            format!("line {}, column {}: {e}", e.line(), e.column()),
        )
    })
}

fn stub_from_admin(v: &Value) -> Result<Stub, AdminError> {
    let mut stub = stub_from_mapping(v, None)
        .map_err(|e| AdminError::new(422, "Invalid stub mapping", e.to_string()))?;
    stub.source = StubSource::Admin;
    Ok(stub)
}

/// The request part of a WireMock pattern, for count/find/remove.
fn pattern_from(v: &Value) -> Result<crate::stub::RequestPattern, AdminError> {
    let mapping = json!({"request": v, "response": {}});
    Ok(stub_from_admin(&mapping)?.request)
}

fn logged_json(e: &LoggedRequest) -> Value {
    let r = &e.request;
    let millis = e
        .logged_at
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let headers: Map<String, Value> = r
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                if v.len() == 1 { json!(v[0]) } else { json!(v) },
            )
        })
        .collect();
    let query: Map<String, Value> = r
        .query
        .iter()
        .map(|(k, v)| (k.to_string(), json!({"key": k, "values": v})))
        .collect();
    let cookies: Map<String, Value> = r
        .cookies
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "id": e.id,
        "url": r.url,
        "absoluteUrl": format!("{}{}", r.base_url, r.url),
        "method": r.method,
        "clientIp": r.client_ip.to_string(),
        "headers": headers,
        "cookies": cookies,
        "queryParams": query,
        "browserProxyRequest": false,
        "loggedDate": millis,
        "loggedDateString": chrono::DateTime::<chrono::Utc>::from(e.logged_at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "body": r.body_text().map(|b| b.into_owned()).unwrap_or_default(),
        "bodyAsBase64": base64::engine::general_purpose::STANDARD.encode(&r.body),
    })
}

fn serve_event(state: &MockState, e: &LoggedRequest) -> Value {
    let stub = e.stub_id.and_then(|id| state.registry.get(id));
    let mut ev = json!({
        "id": e.id,
        "request": logged_json(e),
        "responseDefinition": {"status": e.status},
        "response": {"status": e.status},
        "wasMatched": e.stub_id.is_some(),
    });
    if let Some(s) = stub {
        ev["stubMapping"] = stub_to_mapping(&s);
    }
    ev
}

fn near_miss_json(req: &LoggedRequest, m: &NearMiss) -> Value {
    json!({
        "request": logged_json(req),
        "stubMapping": stub_to_mapping(&m.stub),
        "matchResult": {"distance": m.distance},
        "mismatches": m.mismatches.iter().map(|mm| json!({
            "part": mm.part.name(), "path": mm.path, "reason": mm.reason,
        })).collect::<Vec<_>>(),
    })
}

/// `{"mappings": [...], "meta": {"total": N}}` for a page of `stubs`,
/// written one mapping at a time: listing 100,000 stubs neither copies them
/// nor builds the whole document as a JSON tree first.
fn mappings_reply<'a>(
    stubs: impl Iterator<Item = &'a Stub>,
    total: usize,
    offset: usize,
    limit: Option<usize>,
) -> hyper::Response<Body> {
    let mut out = b"{\"mappings\":[".to_vec();
    for (i, stub) in stubs
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .enumerate()
    {
        if i > 0 {
            out.push(b',');
        }
        // writing a Value to a Vec cannot fail
        let _ = serde_json::to_writer(&mut out, &stub_to_mapping(stub));
    }
    out.extend_from_slice(format!("],\"meta\":{{\"total\":{total}}}}}").as_bytes());
    respond::text(200, "application/json", out)
}

fn query_usize(req: &MockRequest, key: &str) -> Option<usize> {
    req.query.get_all(key)?.first()?.parse().ok()
}

fn reset_mappings(state: &MockState) {
    let initial = state.initial.lock().expect("initial stubs lock").clone();
    state.registry.replace_where(|_| true, initial);
}

/// Serves one admin request.
pub async fn handle(state: &MockState, req: &MockRequest) -> hyper::Response<Body> {
    let path = req.path.trim_end_matches('/');
    let rest = path.strip_prefix("/__admin").unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let method = req.method.as_str();
    match (method, segments.as_slice()) {
        ("GET", []) | ("GET", ["health"]) => ok_json(
            200,
            &json!({"status": "healthy", "message": "seam mock is running"}),
        ),
        ("GET", ["version"]) => ok_json(
            200,
            &json!({"version": env!("CARGO_PKG_VERSION"), "server": "seam"}),
        ),
        ("GET", ["mappings"]) => {
            let table = state.registry.snapshot();
            mappings_reply(
                table.iter(),
                table.len(),
                query_usize(req, "offset").unwrap_or(0),
                query_usize(req, "limit"),
            )
        }
        ("POST", ["mappings"]) => {
            let v = match parse_body(req) {
                Ok(v) => v,
                Err(e) => return e.reply(),
            };
            match stub_from_admin(&v) {
                Ok(stub) => {
                    let out = stub_to_mapping(&stub);
                    state.registry.add(vec![stub]);
                    ok_json(201, &out)
                }
                Err(e) => e.reply(),
            }
        }
        ("DELETE", ["mappings"]) => {
            state.registry.replace_where(|_| true, Vec::new());
            ok_json(200, &json!({}))
        }
        ("POST", ["mappings", "reset"]) => {
            reset_mappings(state);
            ok_json(200, &json!({}))
        }
        ("POST", ["mappings", "save"]) => save(state),
        ("POST", ["mappings", "import"]) => import(state, req),
        ("GET", ["mappings", id]) => with_id(id, |id| match state.registry.get(id) {
            Some(s) => ok_json(200, &stub_to_mapping(&s)),
            None => error(
                404,
                "Stub mapping not found",
                format!("no stub mapping with id {id}"),
            ),
        }),
        ("PUT", ["mappings", id]) => with_id(id, |id| {
            if state.registry.get(id).is_none() {
                return error(
                    404,
                    "Stub mapping not found",
                    format!("no stub mapping with id {id}"),
                );
            }
            let mut v = match parse_body(req) {
                Ok(v) => v,
                Err(e) => return e.reply(),
            };
            if let Value::Object(m) = &mut v {
                m.insert("id".into(), json!(id));
                m.remove("uuid");
            }
            match stub_from_admin(&v) {
                Ok(stub) => {
                    let out = stub_to_mapping(&stub);
                    state.registry.add(vec![stub]);
                    ok_json(200, &out)
                }
                Err(e) => e.reply(),
            }
        }),
        ("DELETE", ["mappings", id]) => with_id(id, |id| {
            if state.registry.remove(id) {
                ok_json(200, &json!({}))
            } else {
                error(
                    404,
                    "Stub mapping not found",
                    format!("no stub mapping with id {id}"),
                )
            }
        }),
        ("GET", ["requests"]) => {
            let limit = query_usize(req, "limit").unwrap_or(usize::MAX);
            let unmatched = req
                .query
                .get_all("unmatched")
                .is_some_and(|v| v.first().is_some_and(|x| x == "true"));
            let events: Vec<Value> = state
                .journal
                .find_first(limit, |e| !unmatched || e.stub_id.is_none())
                .iter()
                .map(|e| serve_event(state, e))
                .collect();
            let (_, _, kept) = state.journal.totals();
            ok_json(
                200,
                &json!({"requests": events, "meta": {"total": kept}, "requestJournalDisabled": state.journal.capacity() == 0}),
            )
        }
        ("DELETE", ["requests"]) | ("POST", ["requests", "reset"]) => {
            state.journal.clear();
            ok_json(200, &json!({}))
        }
        ("POST", ["requests", op @ ("count" | "find" | "remove")]) => {
            let pattern = match parse_body(req).and_then(|v| pattern_from(&v)) {
                Ok(p) => p,
                Err(e) => return e.reply(),
            };
            let keep =
                |e: &LoggedRequest| crate::matching::match_pattern(&pattern, &e.request).is_ok();
            match *op {
                "count" => ok_json(200, &json!({"count": state.journal.count(keep)})),
                "find" => {
                    let found: Vec<Value> =
                        state.journal.find(keep).iter().map(logged_json).collect();
                    ok_json(200, &json!({"requests": found}))
                }
                _ => {
                    let gone: Vec<Value> = state
                        .journal
                        .remove(keep)
                        .iter()
                        .map(|e| serve_event(state, e))
                        .collect();
                    ok_json(200, &json!({"requests": gone}))
                }
            }
        }
        ("GET", ["requests", "unmatched"]) => {
            let found: Vec<Value> = state
                .journal
                .find(|e| e.stub_id.is_none())
                .iter()
                .map(logged_json)
                .collect();
            ok_json(200, &json!({"requests": found}))
        }
        ("GET", ["requests", "unmatched", "near-misses"]) => {
            let mut out = Vec::new();
            for e in state.journal.find(|e| e.stub_id.is_none()) {
                for m in state.registry.near_misses(&e.request, 3) {
                    out.push(near_miss_json(&e, &m));
                }
            }
            ok_json(200, &json!({"nearMisses": out}))
        }
        ("GET", ["requests", id]) => with_id(id, |id| match state.journal.get(id) {
            Some(e) => ok_json(200, &serve_event(state, &e)),
            None => error(404, "Request not found", format!("no request with id {id}")),
        }),
        ("DELETE", ["requests", id]) => with_id(id, |id| {
            state.journal.remove(|e| e.id == id);
            ok_json(200, &json!({}))
        }),
        ("GET", ["scenarios"]) => {
            let list: Vec<Value> = state
                .registry
                .scenarios()
                .into_iter()
                .map(|(name, st, possible)| json!({"id": name, "name": name, "state": st, "possibleStates": possible}))
                .collect();
            ok_json(200, &json!({"scenarios": list}))
        }
        ("POST", ["scenarios", "reset"]) => {
            state.registry.reset_scenarios();
            ok_json(200, &json!({}))
        }
        ("PUT", ["scenarios", name, "state"]) => {
            let v = match parse_body(req) {
                Ok(v) => v,
                Err(e) => return e.reply(),
            };
            let st = v
                .get("state")
                .and_then(Value::as_str)
                .unwrap_or(crate::registry::STARTED);
            if state.registry.set_scenario(name, st) {
                ok_json(200, &json!({}))
            } else {
                error(
                    404,
                    "Scenario not found",
                    format!("no scenario named {name}"),
                )
            }
        }
        ("POST", ["mappings", op @ ("find-by-metadata" | "remove-by-metadata")]) => {
            let matcher = match parse_body(req).and_then(|v| {
                seam_matchers::from_wiremock_json(&v)
                    .map_err(|e| AdminError::new(422, "Invalid matcher", e))
            }) {
                Ok(m) => m,
                Err(e) => return e.reply(),
            };
            let hits: Vec<Stub> = state
                .registry
                .snapshot()
                .iter()
                .filter(|s| {
                    s.metadata
                        .as_ref()
                        .is_some_and(|m| matcher.check(Some(&m.to_string())).is_ok())
                })
                .cloned()
                .collect();
            if *op == "remove-by-metadata" {
                let ids: Vec<Uuid> = hits.iter().map(|s| s.id).collect();
                state
                    .registry
                    .replace_where(|s| ids.contains(&s.id), Vec::new());
                return ok_json(200, &json!({}));
            }
            mappings_reply(hits.iter(), hits.len(), 0, None)
        }
        ("POST", ["near-misses", "request"]) | ("POST", ["requests", "near-misses", "request"]) => {
            let v = match parse_body(req) {
                Ok(v) => v,
                Err(e) => return e.reply(),
            };
            let probe = request_from_logged(&v, state.base_url());
            let logged = LoggedRequest {
                id: Uuid::new_v4(),
                request: probe.clone(),
                logged_at: std::time::SystemTime::now(),
                stub_id: None,
                status: 0,
            };
            let out: Vec<Value> = state
                .registry
                .near_misses(&probe, 3)
                .iter()
                .map(|m| near_miss_json(&logged, m))
                .collect();
            ok_json(200, &json!({"nearMisses": out}))
        }
        ("POST" | "PUT", ["settings"]) => match parse_body(req).and_then(|v| fixed_delay(&v)) {
            Ok(delay) => {
                state
                    .settings_delay
                    .store(delay, std::sync::atomic::Ordering::Relaxed);
                ok_json(200, &json!({}))
            }
            Err(e) => e.reply(),
        },
        ("GET", ["settings"]) => {
            let delay = state
                .settings_delay
                .load(std::sync::atomic::Ordering::Relaxed);
            let delay = (delay > 0).then_some(delay);
            ok_json(200, &json!({"settings": {"fixedDelay": delay}}))
        }
        ("POST", ["reset"]) => {
            reset_mappings(state);
            state.journal.clear();
            state.registry.reset_scenarios();
            ok_json(200, &json!({}))
        }
        _ => error(
            404,
            "Not found",
            format!("no admin route for {}", crate::report::request_line(req)),
        ),
    }
}

/// WireMock's global settings seam reads, and those it accepts and ignores.
const SETTINGS_KEYS: &[&str] = &[
    "fixedDelay",
    "delayDistribution",
    "extended",
    "proxyPassThrough",
];

/// The global fixed delay (0: none) from WireMock's settings JSON (also
/// accepted wrapped in `{"settings": ...}`, as `GET` returns it), checked:
/// a whole number of milliseconds up to [`crate::stub::MAX_DELAY_MS`].
fn fixed_delay(v: &Value) -> Result<u64, AdminError> {
    let invalid = |detail: String| AdminError::new(422, "Invalid settings", detail);
    let v = match v.as_object() {
        Some(o) if o.len() == 1 && o.contains_key("settings") => &o["settings"],
        _ => v,
    };
    let Some(settings) = v.as_object() else {
        return Err(invalid(format!(
            "settings must be an object, not {}",
            seam_matchers::describe_json(v)
        )));
    };
    for key in settings.keys() {
        if !SETTINGS_KEYS.contains(&key.as_str()) {
            return Err(invalid(format!(
                "$.{}: unknown setting{}; seam reads fixedDelay",
                seam_core::regexp::excerpt(key, 80),
                seam_core::source::did_you_mean(key, SETTINGS_KEYS.iter().copied())
            )));
        }
    }
    if settings
        .get("delayDistribution")
        .is_some_and(|d| !d.is_null())
    {
        return Err(invalid(
            "$.delayDistribution: a global delay distribution is not supported; give fixedDelay, or a delayDistribution on each stub".into(),
        ));
    }
    match settings.get("fixedDelay") {
        None | Some(Value::Null) => Ok(0),
        Some(d) => d
            .as_u64()
            .ok_or_else(|| {
                invalid(format!(
                    "$.fixedDelay: needs a whole number of milliseconds ≥ 0, not {}",
                    seam_matchers::describe_json(d)
                ))
            })
            .and_then(|ms| {
                crate::stub::check_delay_ms("fixedDelay", ms)
                    .map_err(|e| invalid(format!("$.fixedDelay: {e}")))
            }),
    }
}

/// A request rebuilt from WireMock's LoggedRequest JSON (url, method, headers, body).
fn request_from_logged(v: &Value, base_url: &str) -> MockRequest {
    let mut headers = seam_core::http::Headers::new();
    if let Some(Value::Object(h)) = v.get("headers") {
        for (k, val) in h {
            match val {
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .for_each(|x| headers.append(k.clone(), x)),
                Value::String(x) => headers.append(k.clone(), x.clone()),
                _ => {}
            }
        }
    }
    let body = v
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    MockRequest::new(
        v.get("method").and_then(Value::as_str).unwrap_or("GET"),
        v.get("url").and_then(Value::as_str).unwrap_or("/"),
        headers,
        body.into(),
        base_url.into(),
        std::net::IpAddr::from([127, 0, 0, 1]),
    )
}

fn with_id(raw: &str, f: impl FnOnce(Uuid) -> hyper::Response<Body>) -> hyper::Response<Body> {
    match Uuid::parse_str(raw) {
        Ok(id) => f(id),
        Err(_) => error(
            400,
            "Invalid id",
            format!("`{}` is not a UUID", seam_core::regexp::excerpt(raw, 80)),
        ),
    }
}

fn import(state: &MockState, req: &MockRequest) -> hyper::Response<Body> {
    let v = match parse_body(req) {
        Ok(v) => v,
        Err(e) => return e.reply(),
    };
    let Some(list) = v.get("mappings").and_then(Value::as_array) else {
        return error(422, "Invalid import", "expected {\"mappings\": [...]}");
    };
    let mut stubs = Vec::new();
    for (i, m) in list.iter().enumerate() {
        match stub_from_admin(m) {
            Ok(s) => stubs.push(s),
            Err(_) => {
                let detail = stub_from_mapping(m, None)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                return error(
                    422,
                    "Invalid stub mapping",
                    format!("mappings[{i}]: {detail}"),
                );
            }
        }
    }
    let options = v.get("importOptions");
    let delete_others = options
        .and_then(|o| o.get("deleteAllNotInImport"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let ignore_dups = options
        .and_then(|o| o.get("duplicatePolicy"))
        .and_then(Value::as_str)
        == Some("IGNORE");
    // sets: an import of 100,000 stubs compares ids in O(1), not O(n)
    let ids: rustc_hash::FxHashSet<Uuid> = stubs.iter().map(|s| s.id).collect();
    if ignore_dups {
        let existing: rustc_hash::FxHashSet<Uuid> =
            state.registry.snapshot().iter().map(|s| s.id).collect();
        stubs.retain(|s| !existing.contains(&s.id));
    }
    state.registry.replace_where(
        |s| delete_others || (ids.contains(&s.id) && !ignore_dups),
        stubs,
    );
    ok_json(200, &json!({}))
}

fn save(state: &MockState) -> hyper::Response<Body> {
    let Some(dir) = &state.config.mappings_dir else {
        return error(
            409,
            "No mappings directory",
            "start seam mock with --stubs DIR to save mappings",
        );
    };
    let dir = dir.join("mappings");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        return error(500, "Cannot save", format!("{}: {e}", dir.display()));
    }
    let table = state.registry.snapshot();
    for stub in table.iter().filter(|s| s.source == StubSource::Admin) {
        let file = dir.join(format!("{}.json", stub.id));
        let text = serde_json::to_string_pretty(&stub_to_mapping(stub)).unwrap_or_default();
        if let Err(e) = std::fs::write(&file, text) {
            return error(500, "Cannot save", format!("{}: {e}", file.display()));
        }
    }
    ok_json(200, &json!({}))
}
