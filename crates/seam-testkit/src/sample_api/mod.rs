//! A sample inventory API (items, orders, search; bearer auth) for proving
//! `seam fuzz`: [`Flaws::All`] seeds one defect per fuzz check, [`Flaws::None`]
//! is the corrected twin that follows its spec ([`SPEC`]) to the letter.
//! Requests are dispatched by hand (no framework routing) so each behaviour,
//! right or wrong, is written out here.
//!
//! The seeded defects, by check:
//! - `server-error`: POST /items with a `'` in the name answers 500;
//! - `undocumented-status`: DELETE /items/{itemId} answers 200 (204 declared);
//! - `content-type`: an unknown item answers 404 as `text/plain`;
//! - `response-headers`: POST /items answers 201 without `Location`;
//! - `response-schema`: GET /items/{itemId} sends `price` as a string;
//! - `invalid-accepted`: POST /items takes a negative `qty`;
//! - `valid-rejected`: POST /items refuses `qty: 0` with 400;
//! - `missing-header-accepted`: POST /orders does without `Idempotency-Key`;
//! - `method-not-allowed`: an undeclared method on /search answers 404;
//! - `use-after-delete`: DELETE /items/{itemId} does not delete;
//! - `created-not-found`: GET /orders/{orderId} cannot find a new order,
//!   nor GET /receipts/{receiptId} (linked from POST /orders by `links`);
//! - `failed-write-changed-state`: PUT /items/{itemId} renames before it validates;
//! - `response-time`: GET /search takes 1.5 s for a `q` over 100 characters
//!   (tests set the threshold at 1 s, far above a loaded machine's answers).

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The API's OpenAPI 3.0 document.
pub const SPEC: &str = include_str!("spec.yaml");

/// A bearer token every request may carry.
pub const TOKEN: &str = "sample-token";

/// The user `POST /login` knows: (username, password). Each login answers a
/// new token (`token-N`), which [`serve_expiring`] lets serve a few requests.
pub const USER: (&str, &str) = ("alice", "s3cret");

/// Which behaviour to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaws {
    /// One seeded defect per fuzz check.
    All,
    /// The corrected twin.
    None,
}

#[derive(Default)]
struct Store {
    items: BTreeMap<u64, Value>,
    orders: BTreeMap<u64, Value>,
    next: u64,
    /// The token the last login gave, and the requests it has served.
    token: Option<(String, u64)>,
}

#[derive(Clone)]
struct App {
    flawed: bool,
    store: Arc<Mutex<Store>>,
    requests: Arc<AtomicU64>,
    /// Requests a login's token serves before it expires (`None`: never);
    /// with a budget, the fixed [`TOKEN`] is refused.
    token_budget: Option<u64>,
    logins: Arc<AtomicU64>,
}

/// Serves the API on `127.0.0.1:0` on the current tokio runtime; its address.
pub async fn serve(flaws: Flaws) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(serve_on(listener, flaws));
    addr
}

/// Serves the API on a bound listener until the task is dropped.
pub async fn serve_on(listener: tokio::net::TcpListener, flaws: Flaws) {
    serve_counted(listener, flaws, Arc::new(AtomicU64::new(0))).await
}

/// [`serve_on`], counting the requests it answers in `requests`.
pub async fn serve_counted(
    listener: tokio::net::TcpListener,
    flaws: Flaws,
    requests: Arc<AtomicU64>,
) {
    App::new(flaws, requests, None).serve(listener).await
}

/// Serves the API where only tokens from `POST /login` work, each for
/// `budget` requests; its address and the count of logins so far.
pub async fn serve_expiring(flaws: Flaws, budget: u64) -> (SocketAddr, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let app = App::new(flaws, Arc::new(AtomicU64::new(0)), Some(budget));
    let logins = app.logins.clone();
    tokio::spawn(app.serve(listener));
    (addr, logins)
}

impl App {
    fn new(flaws: Flaws, requests: Arc<AtomicU64>, token_budget: Option<u64>) -> App {
        App {
            flawed: flaws == Flaws::All,
            store: Arc::new(Mutex::new(Store::default())),
            requests,
            token_budget,
            logins: Arc::new(AtomicU64::new(0)),
        }
    }

    async fn serve(self, listener: tokio::net::TcpListener) {
        let app = self;
        let router = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let app = app.clone();
                async move { app.handle(method, uri, headers, body).await }
            },
        );
        let _ = axum::serve(listener, router).await;
    }
}

fn error(status: u16, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        [("content-type", "application/json")],
        json!({ "error": message }).to_string(),
    )
        .into_response()
}

fn ok(status: u16, body: &Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A path id: digits only, at least 1; `Err` for anything else.
fn path_id(segment: &str) -> Result<Option<u64>, ()> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return Err(());
    }
    match segment.parse::<u64>() {
        Ok(0) => Err(()),
        Ok(n) => Ok(Some(n)),
        // digits past u64: a valid integer no item has
        Err(_) => Ok(None),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        })
        .unwrap_or(false)
}

/// A JSON body, or the status and message to answer with (415, 400).
fn json_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, (u16, &'static str)> {
    if !is_json(headers) {
        return Err((415, "send application/json"));
    }
    serde_json::from_slice(body).map_err(|_| (400, "the body is not JSON"))
}

/// An integer as JSON Schema reads one: any integral number, `1e20` too
/// (past 64 bits it saturates, which no bound or id here reaches).
fn integer(v: Option<&Value>) -> Option<i128> {
    let v = v?;
    if let Some(i) = v.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = v.as_u64() {
        return Some(i128::from(u));
    }
    v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i128)
}

/// The checks of `NewItem`; `flawed` skips the `qty` minimum and refuses 0.
fn check_new_item(v: &Value, flawed: bool) -> Result<(), String> {
    let o = v.as_object().ok_or("the body must be an object")?;
    for k in o.keys() {
        if !["name", "price", "qty", "tags"].contains(&k.as_str()) {
            return Err(format!("unknown field {k}"));
        }
    }
    let name = o
        .get("name")
        .and_then(Value::as_str)
        .ok_or("name must be a string")?;
    let chars = name.chars().count();
    if !(1..=50).contains(&chars) {
        return Err("name must have 1 to 50 characters".into());
    }
    let price = o
        .get("price")
        .and_then(Value::as_f64)
        .ok_or("price must be a number")?;
    if price < 0.0 {
        return Err("price must not be negative".into());
    }
    let qty = integer(o.get("qty")).ok_or("qty must be an integer")?;
    if flawed {
        if qty == 0 {
            return Err("qty must be positive".into());
        }
    } else if qty < 0 {
        return Err("qty must not be negative".into());
    }
    if qty > 10_000 {
        return Err("qty must be at most 10000".into());
    }
    if let Some(tags) = o.get("tags") {
        let tags = tags.as_array().ok_or("tags must be an array")?;
        if tags.len() > 10 {
            return Err("at most 10 tags".into());
        }
        for t in tags {
            let t = t.as_str().ok_or("tags are strings")?;
            if t.chars().count() > 20 {
                return Err("a tag has at most 20 characters".into());
            }
        }
    }
    Ok(())
}

fn item_of(id: u64, v: &Value) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    for k in ["name", "price", "qty"] {
        m.insert(k.into(), v[k].clone());
    }
    m.insert("tags".into(), v.get("tags").cloned().unwrap_or(json!([])));
    Value::Object(m)
}

impl App {
    async fn handle(&self, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let path = uri.path().to_string();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let allowed: &[&str] = match segments.as_slice() {
            ["login"] => &["POST"],
            ["items"] => &["GET", "POST"],
            ["items", _] => &["GET", "PUT", "DELETE"],
            ["orders"] => &["POST"],
            ["orders", _] | ["receipts", _] => &["GET"],
            ["search"] => &["GET"],
            _ => return error(404, "no such path"),
        };
        if !allowed.contains(&method.as_str()) {
            if self.flawed && segments == ["search"] {
                return error(404, "no such path");
            }
            let mut r = error(405, "method not allowed");
            if let Ok(v) = allowed.join(", ").parse() {
                r.headers_mut().insert("allow", v);
            }
            return r;
        }
        if segments == ["login"] {
            return self.login(&headers, &body);
        }
        if !self.authorized(&headers) {
            return error(401, "a bearer token is required");
        }
        match (method.as_str(), segments.as_slice()) {
            ("GET", ["items"]) => self.list(&uri),
            ("POST", ["items"]) => self.create_item(&headers, &body),
            ("GET", ["items", id]) => self.get_item(id),
            ("PUT", ["items", id]) => self.replace_item(id, &headers, &body),
            ("DELETE", ["items", id]) => self.delete_item(id),
            ("POST", ["orders"]) => self.create_order(&headers, &body),
            ("GET", ["orders", id]) | ("GET", ["receipts", id]) => self.get_order(id),
            ("GET", ["search"]) => self.search(&uri).await,
            _ => error(404, "no such path"),
        }
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(sent) = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        let Some(budget) = self.token_budget else {
            return sent == TOKEN || self.store().token.as_ref().is_some_and(|(t, _)| t == sent);
        };
        let mut store = self.store();
        match &mut store.token {
            Some((t, used)) if t == sent && *used < budget => {
                *used += 1;
                true
            }
            _ => false,
        }
    }

    fn login(&self, headers: &HeaderMap, body: &Bytes) -> Response {
        let v = match json_body(headers, body) {
            Ok(v) => v,
            Err((status, message)) => return error(status, message),
        };
        let Some(o) = v.as_object() else {
            return error(400, "the body must be an object");
        };
        if o.keys().any(|k| k != "username" && k != "password") {
            return error(400, "unknown field");
        }
        let (Some(user), Some(password)) = (
            o.get("username").and_then(Value::as_str),
            o.get("password").and_then(Value::as_str),
        ) else {
            return error(400, "username and password must be strings");
        };
        let ok_len = |s: &str| (1..=64).contains(&s.chars().count());
        if !ok_len(user) || !ok_len(password) {
            return error(400, "username and password have 1 to 64 characters");
        }
        if (user, password) != USER {
            return error(401, "unknown user or wrong password");
        }
        let mut store = self.store();
        let n = self.logins.fetch_add(1, Ordering::Relaxed) + 1;
        let token = format!("token-{n}");
        store.token = Some((token.clone(), 0));
        ok(200, &json!({ "access_token": token }))
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn list(&self, uri: &Uri) -> Response {
        let mut limit = 10u64;
        if let Some((_, v)) = query_pairs(uri).into_iter().find(|(k, _)| k == "limit") {
            match v.parse::<u64>() {
                Ok(n) if (1..=100).contains(&n) => limit = n,
                _ => return error(400, "limit must be an integer from 1 to 100"),
            }
        }
        let items: Vec<Value> = self
            .store()
            .items
            .values()
            .take(limit as usize)
            .cloned()
            .collect();
        ok(200, &Value::Array(items))
    }

    fn create_item(&self, headers: &HeaderMap, body: &Bytes) -> Response {
        let v = match json_body(headers, body) {
            Ok(v) => v,
            Err((status, message)) => return error(status, message),
        };
        if let Err(e) = check_new_item(&v, self.flawed) {
            return error(400, &e);
        }
        if self.flawed && v["name"].as_str().is_some_and(|n| n.contains('\'')) {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "syntax error at or near \"'\"",
            )
                .into_response();
        }
        let mut store = self.store();
        store.next += 1;
        let id = store.next;
        let item = item_of(id, &v);
        store.items.insert(id, item.clone());
        let mut r = ok(201, &item);
        if !self.flawed {
            if let Ok(v) = format!("/items/{id}").parse() {
                r.headers_mut().insert("location", v);
            }
        }
        r
    }

    fn not_found(&self) -> Response {
        if self.flawed {
            return (
                StatusCode::NOT_FOUND,
                [("content-type", "text/plain")],
                "not found",
            )
                .into_response();
        }
        error(404, "no such item")
    }

    fn get_item(&self, id: &str) -> Response {
        let Ok(id) = path_id(id) else {
            return error(400, "itemId must be a positive integer");
        };
        let item = id.and_then(|id| self.store().items.get(&id).cloned());
        match item {
            Some(mut item) => {
                if self.flawed {
                    item["price"] = json!(item["price"].to_string());
                }
                ok(200, &item)
            }
            None => self.not_found(),
        }
    }

    fn replace_item(&self, id: &str, headers: &HeaderMap, body: &Bytes) -> Response {
        let Ok(id) = path_id(id) else {
            return error(400, "itemId must be a positive integer");
        };
        let v = match json_body(headers, body) {
            Ok(v) => v,
            Err((status, message)) => return error(status, message),
        };
        let mut store = self.store();
        let Some(current) = id.and_then(|id| store.items.get_mut(&id)) else {
            drop(store);
            return self.not_found();
        };
        if self.flawed {
            if let Some(name) = v.get("name").filter(|n| n.is_string()) {
                current["name"] = name.clone();
            }
        }
        if let Err(e) = check_new_item(&v, false) {
            return error(400, &e);
        }
        let item = item_of(current["id"].as_u64().unwrap_or(0), &v);
        *current = item.clone();
        ok(200, &item)
    }

    fn delete_item(&self, id: &str) -> Response {
        let Ok(id) = path_id(id) else {
            return error(400, "itemId must be a positive integer");
        };
        let mut store = self.store();
        let exists = id.is_some_and(|id| store.items.contains_key(&id));
        if !exists {
            drop(store);
            return self.not_found();
        }
        if self.flawed {
            return ok(200, &json!({"deleted": true}));
        }
        if let Some(id) = id {
            store.items.remove(&id);
        }
        StatusCode::NO_CONTENT.into_response()
    }

    fn create_order(&self, headers: &HeaderMap, body: &Bytes) -> Response {
        if !self.flawed {
            let key = headers
                .get("idempotency-key")
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            match key {
                Some(k) if (8..=64).contains(&k.chars().count()) => {}
                _ => return error(400, "Idempotency-Key must have 8 to 64 characters"),
            }
        }
        let v = match json_body(headers, body) {
            Ok(v) => v,
            Err((status, message)) => return error(status, message),
        };
        let Some(o) = v.as_object() else {
            return error(400, "the body must be an object");
        };
        if o.keys().any(|k| k != "itemId" && k != "quantity") {
            return error(400, "unknown field");
        }
        let (Some(item), Some(quantity)) = (integer(o.get("itemId")), integer(o.get("quantity")))
        else {
            return error(400, "itemId and quantity must be integers");
        };
        if item < 1 || !(1..=50).contains(&quantity) {
            return error(400, "itemId must be positive and quantity 1 to 50");
        }
        let mut store = self.store();
        if !u64::try_from(item).is_ok_and(|i| store.items.contains_key(&i)) {
            return error(404, "no such item");
        }
        store.next += 1;
        let id = store.next;
        let order =
            json!({"id": id, "itemId": item as u64, "quantity": quantity as u64, "status": "open"});
        // the flawed service files the order under another key
        let key = if self.flawed { id + 1_000_000 } else { id };
        store.orders.insert(key, order.clone());
        ok(201, &order)
    }

    fn get_order(&self, id: &str) -> Response {
        let Ok(id) = path_id(id) else {
            return error(400, "orderId must be a positive integer");
        };
        match id.and_then(|id| self.store().orders.get(&id).cloned()) {
            Some(order) => ok(200, &order),
            None => error(404, "no such order"),
        }
    }

    async fn search(&self, uri: &Uri) -> Response {
        let Some((_, q)) = query_pairs(uri).into_iter().find(|(k, _)| k == "q") else {
            return error(400, "q is required");
        };
        let chars = q.chars().count();
        if !(1..=200).contains(&chars) {
            return error(400, "q must have 1 to 200 characters");
        }
        if self.flawed && chars > 100 {
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
        let results: Vec<Value> = self
            .store()
            .items
            .values()
            .filter(|i| i["name"].as_str().is_some_and(|n| n.contains(q.as_str())))
            .take(20)
            .cloned()
            .collect();
        ok(200, &json!({ "results": results }))
    }
}
