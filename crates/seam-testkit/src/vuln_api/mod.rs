//! "Acme Notes", a deliberately vulnerable notes API for proving `seam scan`:
//! [`Flaws::All`] seeds the security flaws listed below, [`Flaws::None`] is the
//! hardened twin. Both serve the same document ([`SPEC`]) and know the same
//! identities ([`AUTH`], [`USERS`], [`API_KEYS`]). State is a real SQLite
//! database (sqlx, in memory, one connection) with tables `users(username,
//! password, role, email, api_key)` and `notes(id, owner, title, body)`, seeded
//! with the three users and two notes each (ids 1-2 alice, 3-4 bob, 5-6 root).
//! Requests are dispatched by hand, as in `sample_api`, so each behaviour,
//! right or wrong, is written out here.
//!
//! Tokens are JWTs: `POST /login` issues HS256 tokens (`kid: main`; claims
//! `sub`, `role`, `iat`, `exp` = now + 900 s, `aud: acme-notes`,
//! `iss: acme-auth`), signed with [`WEAK_KEY`] in the flawed API and with 32
//! random bytes in the twin. Service tokens are ES256 (`kid: svc`) under a P-256
//! key made at start (rcgen), whose public half `GET /.well-known/jwks.json`
//! publishes. The service key's PEM (`rcgen::KeyPair::public_key_pem()`) is
//! byte for byte the fixed P-256 SPKI DER prefix
//! `3059301306072a8648ce3d020106082a8648ce3d030107034200` followed by
//! `0x04 || x || y` from the JWKS, base64 in 64-character lines between
//! `-----BEGIN PUBLIC KEY-----\n` and `\n-----END PUBLIC KEY-----\n` (checked
//! by a test here), so a client can rebuild the HMAC secret of flaw 2 from the
//! JWKS alone.
//!
//! The seeded flaws (the twin has none of them):
//! 1. `alg: none` (any case: none, None, NONE, nOnE) tokens are accepted
//!    unsigned, claims read from the payload;
//! 2. key confusion: for `kid: svc` the header's `alg` is trusted, and HS256 is
//!    verified with the service public key's PEM text as the HMAC secret;
//! 3. kid injection: any other `kid` names a file under a keys folder whose
//!    content is the HMAC secret (`../../../../../../../../dev/null` gives the
//!    empty secret);
//! 4. weak HMAC key [`WEAK_KEY`] (`secret`), and `exp`, `nbf`, `aud`, `iss`
//!    are not checked (expired or foreign tokens pass);
//! 5. the token's `role` claim wins over the role in the database (a forged
//!    `role: admin` is an admin);
//! 6. `POST /login` tells an unknown user (404 `no such user`) from a wrong
//!    password (401 `wrong password`), and never limits failed attempts (the
//!    twin answers 401 `invalid credentials` for both, and 429 with
//!    `Retry-After: 60` past 5 failures for a username within 60 s);
//! 7. NoSQL-style operator injection: the password goes into the check as a
//!    Mongo query would take it, so `"password": {"$ne": null}` (or
//!    `{"$ne": "x"}`, any value but the real password) logs in;
//! 8. mass assignment: `POST /users` honours `role` (or `isAdmin: true`);
//! 9. data exposure: `GET /me` adds `password_hash` (bcrypt-looking) and
//!    `card_number`;
//! 10. BFLA: `GET /admin/users` answers any authenticated user;
//! 11. ReDoS: the note title's pattern `^([a-zA-Z0-9]+\s?)*$` is matched by a
//!     backtracking engine (fancy-regex in `spawn_blocking`, the same language
//!     written with a lookahead inside the repetition and words cut in pieces
//!     of 1, 2 or 5): `"a" x n + "!"` costs about 1.7^n steps, 19 ms at
//!     n = 16 and 1.6 s at n = 24 in a debug build (capped at
//!     [`REDOS_STEP_CAP`] backtracks, about 12 s, then refused as not
//!     matching); the twin's linear `regex` refuses it in microseconds;
//! 12. a malformed JSON body to `POST /notes` or `PUT /notes/{id}` answers 500
//!     with a Rust panic message and stack trace as `text/plain`;
//! 13. SQL injection: `GET /notes?search=` is pasted into the SQL (a `'` gives
//!     500 with SQLite's error text; `' AND 1=2 AND '%'='` empties the result,
//!     `x' OR '1'='1' --` returns every user's notes); `limit` has no upper cap;
//! 14. BOLA: `GET`, `PUT`, `DELETE /notes/{id}` do not check the owner;
//! 15. OS command injection: `GET /ping?host=` runs `sh -c "echo pinging HOST"`
//!     (`$((6*7))` prints 42, `;sleep 2` takes 2 s); the shell is stopped after
//!     10 s (500);
//! 16. path traversal: `GET /files/{name}` joins the percent-decoded rest of the
//!     path onto the public folder (`..%2F..%2F..%2Fetc%2Fpasswd`);
//! 17. SSRF: `POST /webhooks` fetches its `url` at once (any host, 2 s timeout);
//! 18. `GET /reports/usage` forgets its bearer check;
//! 19. `GET /stats` also takes the API key from the query (`?api_key=`);
//! 20. undeclared `GET /actuator/env` (leaks a fake `JWT_SECRET`), and `TRACE`
//!     on any path echoes the request (headers included) as `message/http`;
//! 21. CORS reflects any `Origin` with `Access-Control-Allow-Credentials: true`
//!     (preflights too); no `X-Content-Type-Options`, no `Cache-Control`;
//! 22. an HS256 user token with an empty signature (`header.payload.`) is
//!     accepted unchecked (a "no signature yet" shortcut left in);
//! 23. `GET /admin/audit` is refused to non-admins, but the role comes from the
//!     token (flaw 5), so a token forged with the weak key and `role: admin`
//!     opens it (the twin reads the role from the database);
//! 24. `GET /go?next=` writes its redirect headers raw: a CR LF in `next`
//!     starts another header (`X-Seam-Injected: 1` comes back as a header);
//!     the twin refuses CR and LF with 400;
//! 25. bodies up to 32 MB are read and a note's `body` length is not checked
//!     (the twin stops at 1 MB with 413, and at 10,000 characters with 400),
//!     so a 16 MB note body is stored;
//! 26. `PUT /users/{username}/password` lets any authenticated caller change
//!     any account's password (the twin: the account's owner only, else 403);
//! 27. `GET /reports/export` declares a 429 but has no limit (the twin: 10 a
//!     minute per caller, then 429 with `Retry-After`);
//! 28. `GET /billing` needs a bearer token and an API key, and takes any
//!     user's key with anyone's token (the twin: the key must be the
//!     caller's, else 401);
//! 29. `POST /password-reset` answers 404 `no account with that e-mail` for
//!     an unknown address and 202 for a known one (the twin: 202 with the
//!     same words for both).
//!
//! The twin checks tokens strictly (HS256 with its own key for `kid` main or
//! none, ES256 for `svc`, anything else 401; `exp` required, `nbf`, `aud`,
//! `iss` checked, no leeway), takes roles from the database, answers 404 for
//! another owner's note, 403 on admin routes to non-admins, 400 for bad hosts,
//! file names and webhook URLs (`url not allowed`: not https, or a loopback,
//! private or link-local host; it never fetches), 404 for the undeclared
//! route, 405 for TRACE on a declared path (404 elsewhere, like any unknown
//! path), 400 for a malformed body, 400 for `limit` over 100, allows CORS
//! only for `https://notes.acme.test`,
//! and sends `X-Content-Type-Options: nosniff` and `Cache-Control: no-store`
//! on every answer.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::Row;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The API's OpenAPI 3.0.3 document.
pub const SPEC: &str = include_str!("spec.yaml");

/// The identities, in the Web Fuzzing Commons auth format with a `roles`
/// list per user: each user's API key as a fixed header, and how to log in.
pub const AUTH: &str = r#"auth:
  - name: alice
    roles: [user]
    fixedHeaders:
      - {name: X-API-Key, value: ak-alice-7f3e}
    loginEndpointAuth:
      payloadUserPwd: {username: alice, password: alice-pw-1, usernameField: username, passwordField: password}
  - name: bob
    roles: [user]
    fixedHeaders:
      - {name: X-API-Key, value: ak-bob-91c2}
    loginEndpointAuth:
      payloadUserPwd: {username: bob, password: bob-pw-2, usernameField: username, passwordField: password}
  - name: root
    roles: [admin]
    fixedHeaders:
      - {name: X-API-Key, value: ak-root-5d0a}
    loginEndpointAuth:
      payloadUserPwd: {username: root, password: root-pw-3, usernameField: username, passwordField: password}
authTemplate:
  loginEndpointAuth:
    endpoint: /login
    verb: POST
    contentType: application/json
    token: {extractFrom: body, extractSelector: /token, sendIn: header, sendName: Authorization, sendTemplate: "Bearer {token}"}
"#;

/// The flawed API's HS256 key.
pub const WEAK_KEY: &str = "secret";

/// The seeded users: (username, password, role).
pub const USERS: [(&str, &str, &str); 3] = [
    ("alice", "alice-pw-1", "user"),
    ("bob", "bob-pw-2", "user"),
    ("root", "root-pw-3", "admin"),
];

/// The seeded users' API keys (for `X-API-Key`): (username, key).
pub const API_KEYS: [(&str, &str); 3] = [
    ("alice", "ak-alice-7f3e"),
    ("bob", "ak-bob-91c2"),
    ("root", "ak-root-5d0a"),
];

/// The backtracks the flawed title match may make before it gives up (and
/// refuses the title as not matching): `"a" x 24 + "!"` needs 1.27 million
/// (1.6 s in a debug build), the cap is reached near n = 28 (about 12 s), so
/// a long evil title cannot pin a test machine's core for hours.
pub const REDOS_STEP_CAP: usize = 10_000_000;

/// The token audience and issuer.
const AUDIENCE: &str = "acme-notes";
const ISSUER: &str = "acme-auth";
/// The only origin the twin allows cross-origin.
const TRUSTED_ORIGIN: &str = "https://notes.acme.test";
/// The title pattern of the spec.
const TITLE_PATTERN: &str = r"^([a-zA-Z0-9]+\s?)*$";
/// The same language, as the flawed API matches it: words cut into pieces of
/// 1, 2 or 5 characters (any word can be cut so), each checked by a lookahead.
/// The lookahead keeps fancy-regex from handing the pattern to the linear
/// `regex` crate; the pieces make a failing match try every way to cut the
/// word, about 1.7^n for n characters (the `+` of the spec's pattern gives
/// 2^n, too steep to calibrate: 29 s at n = 24 in a debug build).
const TITLE_PATTERN_BACKTRACKING: &str =
    r"^((?:[a-zA-Z0-9]{1,2}|[a-zA-Z0-9]{5})(?=\s|[a-zA-Z0-9]|$)\s?)*$";

/// Which behaviour to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaws {
    /// Every seeded flaw.
    All,
    /// The hardened twin.
    None,
}

/// Serves the API on `127.0.0.1:0` on the current tokio runtime; its address.
pub async fn serve(flaws: Flaws) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("local address");
    let app = App::new(flaws).await;
    tokio::spawn(app.serve(listener));
    addr
}

/// Serves the API on a bound listener until the task is dropped.
pub async fn serve_on(listener: tokio::net::TcpListener, flaws: Flaws) {
    App::new(flaws).await.serve(listener).await
}

struct Inner {
    flawed: bool,
    db: SqlitePool,
    /// The HS256 key of user tokens.
    hs_key: Vec<u8>,
    /// The service key pair (ES256, kid `svc`); the unit tests sign with it.
    #[cfg_attr(not(test), allow(dead_code))]
    svc_key: rcgen::KeyPair,
    /// Its public half as rcgen writes it.
    svc_pem: String,
    svc_decoding: DecodingKey,
    jwks: Value,
    /// Holds `public/` and `keys/`; removed when the server goes.
    _dir: tempfile::TempDir,
    public_dir: PathBuf,
    keys_dir: PathBuf,
    title_fancy: fancy_regex::Regex,
    title_linear: regex::Regex,
    host_re: regex::Regex,
    file_re: regex::Regex,
    username_re: regex::Regex,
    /// The twin's failed logins by username.
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    /// The twin's exports by username.
    exports: Mutex<HashMap<String, Vec<Instant>>>,
    webhooks: AtomicU64,
    http: reqwest::Client,
}

#[derive(Clone)]
struct App(Arc<Inner>);

/// The authenticated caller.
struct Caller {
    username: String,
    email: String,
    role: String,
    password: String,
}

impl App {
    async fn new(flaws: Flaws) -> App {
        let flawed = flaws == Flaws::All;
        let options = SqliteConnectOptions::from_str("sqlite::memory:").expect("sqlite url");
        // One connection that never closes: an in-memory database lives as
        // long as its connection.
        let db = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .expect("open SQLite in memory");
        seed(&db).await;

        let hs_key = if flawed {
            WEAK_KEY.as_bytes().to_vec()
        } else {
            use rand::RngCore;
            let mut key = vec![0u8; 32];
            rand::thread_rng().fill_bytes(&mut key);
            key
        };
        let svc = rcgen::KeyPair::generate().expect("P-256 key");
        let svc_pem = svc.public_key_pem();
        let raw = svc.public_key_raw();
        let (x, y) = (&raw[1..33], &raw[33..65]);
        let jwks = json!({"keys": [{
            "kty": "EC", "crv": "P-256", "kid": "svc", "use": "sig", "alg": "ES256",
            "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
        }]});
        let svc_decoding = DecodingKey::from_ec_pem(svc_pem.as_bytes()).expect("EC public key");

        let dir = tempfile::tempdir().expect("temporary folder");
        let public_dir = dir.path().join("public");
        let keys_dir = dir.path().join("keys");
        std::fs::create_dir_all(&public_dir).expect("public folder");
        std::fs::create_dir_all(&keys_dir).expect("keys folder");
        std::fs::write(public_dir.join("readme.txt"), "Acme Notes").expect("readme.txt");
        std::fs::write(keys_dir.join("main"), &hs_key).expect("keys/main");

        let title_fancy = fancy_regex::RegexBuilder::new(TITLE_PATTERN_BACKTRACKING)
            .backtrack_limit(REDOS_STEP_CAP)
            .build()
            .expect("title pattern");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .no_proxy()
            .build()
            .expect("HTTP client");
        App(Arc::new(Inner {
            flawed,
            db,
            hs_key,
            svc_key: svc,
            svc_pem,
            svc_decoding,
            jwks,
            _dir: dir,
            public_dir,
            keys_dir,
            title_fancy,
            title_linear: regex::Regex::new(TITLE_PATTERN).expect("title pattern"),
            host_re: regex::Regex::new(r"^[a-zA-Z0-9.-]{1,253}$").expect("host pattern"),
            file_re: regex::Regex::new(r"^[a-zA-Z0-9._-]{1,255}$").expect("file pattern"),
            username_re: regex::Regex::new(r"^[a-zA-Z0-9_.-]{1,32}$").expect("user pattern"),
            failures: Mutex::new(HashMap::new()),
            exports: Mutex::new(HashMap::new()),
            webhooks: AtomicU64::new(0),
            http,
        }))
    }

    async fn serve(self, listener: tokio::net::TcpListener) {
        let app = self;
        let router = axum::Router::new().fallback(move |req: axum::extract::Request| {
            let app = app.clone();
            async move { app.handle(req).await }
        });
        let _ = axum::serve(listener, router).await;
    }
}

async fn seed(db: &SqlitePool) {
    let schema = [
        "CREATE TABLE users (username TEXT PRIMARY KEY, password TEXT NOT NULL, \
         role TEXT NOT NULL, email TEXT NOT NULL, api_key TEXT NOT NULL UNIQUE)",
        "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, \
         title TEXT NOT NULL, body TEXT NOT NULL)",
    ];
    for sql in schema {
        sqlx::query(sql).execute(db).await.expect("create table");
    }
    for ((name, password, role), (_, key)) in USERS.iter().zip(API_KEYS.iter()) {
        sqlx::query("INSERT INTO users VALUES (?, ?, ?, ?, ?)")
            .bind(name)
            .bind(password)
            .bind(role)
            .bind(format!("{name}@acme.test"))
            .bind(key)
            .execute(db)
            .await
            .expect("seed user");
    }
    let notes = [
        ("alice", "Groceries", "milk, eggs, coffee"),
        ("alice", "Book club", "read chapters 3 to 5"),
        ("bob", "Dentist", "Tuesday at 10"),
        ("bob", "Gift ideas", "a scarf for Ann"),
        (
            "root",
            "Server passwords",
            "rotate the backup keys on Friday",
        ),
        ("root", "Audit", "review the admin accounts"),
    ];
    for (owner, title, body) in notes {
        sqlx::query("INSERT INTO notes (owner, title, body) VALUES (?, ?, ?)")
            .bind(owner)
            .bind(title)
            .bind(body)
            .execute(db)
            .await
            .expect("seed note");
    }
}

fn json_response(status: u16, body: &Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn error(status: u16, message: &str) -> Response {
    json_response(status, &json!({ "error": message }))
}

fn unauthorized() -> Response {
    let mut r = error(401, "unauthorized");
    r.headers_mut()
        .insert("www-authenticate", HeaderValue::from_static("Bearer"));
    r
}

fn set_header(r: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}

/// Percent-decodes `s`; `+` is a space only in a query.
fn percent_decode(s: &str, plus_is_space: bool) -> String {
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
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

fn query_value(uri: &Uri, name: &str) -> Option<String> {
    query_pairs(uri)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
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

/// A JSON object body, or the status and message to answer (415, 400).
fn json_object(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<serde_json::Map<String, Value>, (u16, &'static str)> {
    if !is_json(headers) {
        return Err((415, "send application/json"));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) => Ok(o),
        Ok(_) => Err((400, "the body must be a JSON object")),
        Err(_) => Err((400, "the body is not valid JSON")),
    }
}

/// A plausible e-mail address: something, `@`, a dotted domain.
fn email_ok(email: &str) -> bool {
    email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email
            .split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.contains('@'))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn b64url_json(segment: &str) -> Option<Value> {
    let bytes = URL_SAFE_NO_PAD.decode(segment.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A bcrypt-looking string derived from the password (flaw 9).
fn fake_bcrypt(password: &str) -> String {
    const ALPHABET: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::from("$2b$12$");
    for i in 0..53u8 {
        for b in password.bytes().chain([i]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        out.push(ALPHABET[(h >> 58) as usize] as char);
    }
    out
}

/// Whether the twin refuses a webhook host (loopback, private, link-local,
/// unspecified and the like).
fn forbidden_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_ip(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Text that reads like a Rust panic with a backtrace (flaw 12).
fn fake_panic(error: &serde_json::Error) -> String {
    format!(
        "thread 'tokio-runtime-worker' panicked at src/notes.rs:88:14:\n\
         called `Result::unwrap()` on an `Err` value: {error:?}\n\
         stack backtrace:\n   \
         0: acme_notes::notes::create\n             at ./src/notes.rs:88:14\n   \
         1: acme_notes::router::dispatch::{{{{closure}}}}\n             at ./src/router.rs:41:9\n   \
         2: <core::pin::Pin<P> as core::future::future::Future>::poll\n             at /rustc/library/core/src/future/future.rs:124:9\n   \
         3: tokio::runtime::task::core::Core<T,S>::poll\n             at /cargo/registry/src/tokio-1.38.0/src/runtime/task/core.rs:328:13\n   \
         4: tokio::runtime::scheduler::multi_thread::worker::Context::run_task\n   \
         5: std::sys_common::backtrace::__rust_begin_short_backtrace\n\
         note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n"
    )
}

type Routed = &'static [&'static str];

impl App {
    fn routes(&self, segments: &[&str]) -> Option<Routed> {
        Some(match segments {
            ["login"] | ["users"] | ["webhooks"] | ["password-reset"] => &["POST"],
            ["me"] | ["admin", "users"] | ["admin", "audit"] | ["ping"] | ["go"] => &["GET"],
            ["reports", "usage"] | ["reports", "export"] | ["stats"] | ["billing"] => &["GET"],
            ["users", name, "password"] if !name.is_empty() => &["PUT"],
            [".well-known", "jwks.json"] => &["GET"],
            ["notes"] => &["GET", "POST"],
            ["notes", id] if !id.is_empty() => &["GET", "PUT", "DELETE"],
            ["files", rest @ ..] if !rest.is_empty() && !rest[0].is_empty() => &["GET"],
            ["actuator", "env"] if self.0.flawed => &["GET"],
            _ => return None,
        })
    }

    async fn handle(&self, req: axum::extract::Request) -> Response {
        let (parts, body) = req.into_parts();
        let limit = if self.0.flawed { 32 << 20 } else { 1 << 20 };
        let body = match axum::body::to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => {
                return self.finish(
                    error(413, "the body is too large"),
                    &parts.method,
                    &parts.headers,
                    None,
                )
            }
        };
        let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
        if self.0.flawed && method == Method::TRACE {
            let mut echo = format!("{} {} {:?}\r\n", method, uri, parts.version);
            for (name, value) in &headers {
                echo.push_str(&format!(
                    "{}: {}\r\n",
                    name,
                    String::from_utf8_lossy(value.as_bytes())
                ));
            }
            echo.push_str("\r\n");
            let r = (StatusCode::OK, [("content-type", "message/http")], echo).into_response();
            return self.finish(r, &method, &headers, None);
        }
        let path = uri.path().to_string();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let Some(allowed) = self.routes(&segments) else {
            return self.finish(error(404, "no such path"), &method, &headers, None);
        };
        if method == Method::OPTIONS {
            let mut r = StatusCode::NO_CONTENT.into_response();
            set_header(&mut r, "allow", &allowed.join(", "));
            return self.finish(r, &method, &headers, Some(allowed));
        }
        if !allowed.contains(&method.as_str()) {
            let mut r = error(405, "method not allowed");
            set_header(&mut r, "allow", &allowed.join(", "));
            return self.finish(r, &method, &headers, None);
        }
        let r = self
            .dispatch(&method, &uri, &headers, &body, &segments)
            .await;
        self.finish(r, &method, &headers, None)
    }

    async fn dispatch(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &Bytes,
        segments: &[&str],
    ) -> Response {
        // Operations anyone may call.
        match (method.as_str(), segments) {
            ("POST", ["login"]) => return self.login(headers, body).await,
            ("POST", ["users"]) => return self.register(headers, body).await,
            ("POST", ["password-reset"]) => return self.password_reset(headers, body).await,
            ("GET", [".well-known", "jwks.json"]) => return json_response(200, &self.0.jwks),
            ("GET", ["stats"]) => return self.stats(uri, headers).await,
            ("GET", ["actuator", "env"]) => {
                return json_response(
                    200,
                    &json!({"DATABASE_URL": "sqlite://notes.db", "JWT_SECRET": WEAK_KEY}),
                )
            }
            ("GET", ["reports", "usage"]) if self.0.flawed => return self.usage().await,
            _ => {}
        }
        let caller = match self.authenticate(headers).await {
            Some(c) => c,
            None => return unauthorized(),
        };
        match (method.as_str(), segments) {
            ("GET", ["me"]) => self.me(&caller),
            ("GET", ["admin", "users"]) => self.admin_users(&caller).await,
            ("GET", ["admin", "audit"]) => self.audit(&caller),
            ("GET", ["go"]) => self.go(uri),
            ("GET", ["notes"]) => self.list_notes(&caller, uri).await,
            ("POST", ["notes"]) => self.create_note(&caller, headers, body).await,
            ("GET", ["notes", id]) => self.get_note(&caller, id).await,
            ("PUT", ["notes", id]) => self.update_note(&caller, id, headers, body).await,
            ("DELETE", ["notes", id]) => self.delete_note(&caller, id).await,
            ("GET", ["ping"]) => self.ping(uri).await,
            ("GET", ["files", ..]) => self.file(uri).await,
            ("POST", ["webhooks"]) => self.webhook(headers, body).await,
            ("GET", ["reports", "usage"]) => self.usage().await,
            ("GET", ["reports", "export"]) => self.export(&caller).await,
            ("GET", ["billing"]) => self.billing(&caller, headers).await,
            ("PUT", ["users", name, "password"]) => {
                self.change_password(&caller, name, headers, body).await
            }
            _ => error(404, "no such path"),
        }
    }

    /// The headers every answer gets: CORS, and the twin's hardening.
    fn finish(
        &self,
        mut r: Response,
        method: &Method,
        headers: &HeaderMap,
        preflight: Option<Routed>,
    ) -> Response {
        let origin = headers
            .get("origin")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let requested_headers = headers
            .get("access-control-request-headers")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let is_preflight = *method == Method::OPTIONS && preflight.is_some();
        if self.0.flawed {
            if let Some(origin) = origin {
                set_header(&mut r, "access-control-allow-origin", &origin);
                set_header(&mut r, "access-control-allow-credentials", "true");
                set_header(&mut r, "vary", "Origin");
                if is_preflight {
                    let methods = headers
                        .get("access-control-request-method")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                        .unwrap_or_else(|| "GET, POST, PUT, DELETE, OPTIONS".into());
                    set_header(&mut r, "access-control-allow-methods", &methods);
                    set_header(
                        &mut r,
                        "access-control-allow-headers",
                        requested_headers.as_deref().unwrap_or("*"),
                    );
                    set_header(&mut r, "access-control-max-age", "86400");
                }
            }
            return r;
        }
        set_header(&mut r, "x-content-type-options", "nosniff");
        set_header(&mut r, "cache-control", "no-store");
        if origin.as_deref() == Some(TRUSTED_ORIGIN) {
            set_header(&mut r, "access-control-allow-origin", TRUSTED_ORIGIN);
            if let Some(allowed) = preflight.filter(|_| is_preflight) {
                set_header(&mut r, "access-control-allow-methods", &allowed.join(", "));
                set_header(
                    &mut r,
                    "access-control-allow-headers",
                    "Authorization, Content-Type, X-API-Key",
                );
                set_header(&mut r, "access-control-max-age", "600");
            }
        }
        set_header(&mut r, "vary", "Origin");
        r
    }

    // ---- authentication -------------------------------------------------

    /// The claims of a token the API accepts.
    fn verify(&self, token: &str) -> Option<Value> {
        if self.0.flawed {
            self.verify_flawed(token)
        } else {
            self.verify_strict(token)
        }
    }

    /// The hand-rolled check of the flawed API (flaws 1 to 4).
    fn verify_flawed(&self, token: &str) -> Option<Value> {
        let mut parts = token.split('.');
        let (h, p) = (parts.next()?, parts.next()?);
        let header = b64url_json(h)?;
        let alg = header.get("alg")?.as_str()?;
        // 1. alg none, any spelling: no signature to check
        if alg.eq_ignore_ascii_case("none") {
            return b64url_json(p).filter(Value::is_object);
        }
        let alg = Algorithm::from_str(alg).ok()?;
        // 22. no signature: taken as it is
        let kid = header.get("kid").and_then(Value::as_str);
        if alg == Algorithm::HS256 && matches!(kid, None | Some("main")) && parts.next() == Some("")
        {
            return b64url_json(p).filter(Value::is_object);
        }
        let hmac = matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512);
        let key = match header.get("kid").and_then(Value::as_str) {
            // 4. the weak key, signature only
            None | Some("main") if alg == Algorithm::HS256 => {
                DecodingKey::from_secret(&self.0.hs_key)
            }
            None | Some("main") => return None,
            // 2. the header's alg decides how the service key is used
            Some("svc") if hmac => DecodingKey::from_secret(self.0.svc_pem.as_bytes()),
            Some("svc") if alg == Algorithm::ES256 => self.0.svc_decoding.clone(),
            Some("svc") => return None,
            // 3. the kid names the key file
            Some(kid) if hmac => {
                let secret = std::fs::read(self.0.keys_dir.join(kid)).ok()?;
                DecodingKey::from_secret(&secret)
            }
            Some(_) => return None,
        };
        let mut validation = Validation::new(alg);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<Value>(token, &key, &validation)
            .ok()
            .map(|d| d.claims)
    }

    /// The twin's check.
    fn verify_strict(&self, token: &str) -> Option<Value> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let (key, alg) = match header.kid.as_deref() {
            None | Some("main") => (DecodingKey::from_secret(&self.0.hs_key), Algorithm::HS256),
            Some("svc") => (self.0.svc_decoding.clone(), Algorithm::ES256),
            Some(_) => return None,
        };
        if header.alg != alg {
            return None;
        }
        let mut validation = Validation::new(alg);
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        jsonwebtoken::decode::<Value>(token, &key, &validation)
            .ok()
            .map(|d| d.claims)
    }

    async fn authenticate(&self, headers: &HeaderMap) -> Option<Caller> {
        let value = headers.get("authorization")?.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let claims = self.verify(token.trim())?;
        let sub = claims.get("sub")?.as_str()?;
        let row =
            sqlx::query("SELECT username, password, role, email FROM users WHERE username = ?")
                .bind(sub)
                .fetch_optional(&self.0.db)
                .await
                .ok()??;
        let mut caller = Caller {
            username: row.get("username"),
            password: row.get("password"),
            role: row.get("role"),
            email: row.get("email"),
        };
        // 5. the token's word on the role wins
        if self.0.flawed {
            if let Some(role) = claims.get("role").and_then(Value::as_str) {
                caller.role = role.to_string();
            }
        }
        Some(caller)
    }

    fn user_token(&self, username: &str, role: &str) -> String {
        let now = now_secs();
        let claims = json!({
            "sub": username, "role": role, "iat": now, "exp": now + 900,
            "aud": AUDIENCE, "iss": ISSUER,
        });
        let header = Header {
            kid: Some("main".into()),
            ..Header::new(Algorithm::HS256)
        };
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&self.0.hs_key))
            .expect("sign a token")
    }

    // ---- operations -------------------------------------------------------

    async fn login(&self, headers: &HeaderMap, body: &Bytes) -> Response {
        let o = match json_object(headers, body) {
            Ok(o) => o,
            Err((status, message)) => return error(status, message),
        };
        let Some(username) = o.get("username").and_then(Value::as_str) else {
            return error(400, "username must be a string");
        };
        let password = o.get("password").cloned().unwrap_or(Value::Null);
        let row = sqlx::query("SELECT password, role FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.0.db)
            .await;
        let row = match row {
            Ok(row) => row.map(|r| (r.get::<String, _>("password"), r.get::<String, _>("role"))),
            Err(e) => return error(500, &e.to_string()),
        };
        if self.0.flawed {
            // a Mongo-style query builder: {password: <value>} as given
            let matches = |stored: &str| match &password {
                Value::String(p) => p == stored,
                Value::Object(op) => match op.get("$ne") {
                    Some(Value::String(v)) => v != stored,
                    Some(_) => true,
                    None => false,
                },
                _ => false,
            };
            return match row {
                None => error(404, "no such user"),
                Some((stored, role)) if matches(&stored) => {
                    json_response(200, &json!({"token": self.user_token(username, &role)}))
                }
                Some(_) => error(401, "wrong password"),
            };
        }
        let Some(password) = password.as_str() else {
            return error(400, "password must be a string");
        };
        match row {
            Some((stored, role)) if stored == password => {
                json_response(200, &json!({"token": self.user_token(username, &role)}))
            }
            _ => {
                let failures = {
                    let mut map = self.0.failures.lock().unwrap_or_else(|e| e.into_inner());
                    let list = map.entry(username.to_string()).or_default();
                    list.retain(|t| t.elapsed() < Duration::from_secs(60));
                    list.push(Instant::now());
                    list.len()
                };
                if failures > 5 {
                    let mut r = error(429, "too many failed logins; retry later");
                    set_header(&mut r, "retry-after", "60");
                    return r;
                }
                error(401, "invalid credentials")
            }
        }
    }

    async fn register(&self, headers: &HeaderMap, body: &Bytes) -> Response {
        let o = match json_object(headers, body) {
            Ok(o) => o,
            Err((status, message)) => return error(status, message),
        };
        let field = |k: &str| o.get(k).and_then(Value::as_str);
        let (Some(username), Some(password), Some(email)) =
            (field("username"), field("password"), field("email"))
        else {
            return error(400, "username, password and email must be strings");
        };
        if !self.0.username_re.is_match(username) {
            return error(400, "username: 1 to 32 of a-z, A-Z, 0-9, _ . -");
        }
        if !(8..=128).contains(&password.chars().count()) {
            return error(400, "password: 8 to 128 characters");
        }
        if !email_ok(email) {
            return error(400, "email must be an email address");
        }
        let mut role = "user";
        if self.0.flawed {
            // 8. mass assignment: whatever the body says
            if o.get("isAdmin") == Some(&Value::Bool(true)) {
                role = "admin";
            }
            match o.get("role") {
                None => {}
                Some(Value::String(r)) if r == "admin" || r == "user" => role = r,
                Some(_) => return error(400, "role must be user or admin"),
            }
        }
        let key = {
            use rand::Rng;
            format!("ak-{username}-{:04x}", rand::thread_rng().gen::<u16>())
        };
        let done = sqlx::query("INSERT INTO users VALUES (?, ?, ?, ?, ?)")
            .bind(username)
            .bind(password)
            .bind(role)
            .bind(email)
            .bind(key)
            .execute(&self.0.db)
            .await;
        match done {
            Ok(_) => json_response(
                201,
                &json!({"username": username, "email": email, "role": role}),
            ),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                error(409, "the username is taken")
            }
            Err(e) => error(500, &e.to_string()),
        }
    }

    fn me(&self, caller: &Caller) -> Response {
        let mut body = json!({
            "username": caller.username, "email": caller.email, "role": caller.role,
        });
        if self.0.flawed {
            body["password_hash"] = json!(fake_bcrypt(&caller.password));
            body["card_number"] = json!("4111111111111111");
        }
        json_response(200, &body)
    }

    /// Flaw 23: the check is right, the role it reads is not (flaw 5).
    fn audit(&self, caller: &Caller) -> Response {
        if caller.role != "admin" {
            return error(403, "forbidden");
        }
        json_response(
            200,
            &json!([{"at": "2026-12-01T10:00:00Z", "who": "root", "what": "login"}]),
        )
    }

    /// Flaw 24: `next` becomes the Location header; the flawed API writes the
    /// value raw, so each CR LF in it starts another header.
    fn go(&self, uri: &Uri) -> Response {
        let next = query_value(uri, "next").unwrap_or_else(|| "/".into());
        if !self.0.flawed && (next.contains('\r') || next.contains('\n')) {
            return error(400, "next must be one line");
        }
        let mut lines = next.split("\r\n");
        let mut r = StatusCode::FOUND.into_response();
        let location = lines.next().unwrap_or("/");
        if let Ok(v) = axum::http::HeaderValue::from_str(location) {
            r.headers_mut().insert("location", v);
        }
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                if let (Ok(n), Ok(v)) = (
                    axum::http::HeaderName::from_bytes(name.trim().as_bytes()),
                    axum::http::HeaderValue::from_str(value.trim()),
                ) {
                    r.headers_mut().insert(n, v);
                }
            }
        }
        r
    }

    async fn admin_users(&self, caller: &Caller) -> Response {
        if !self.0.flawed && caller.role != "admin" {
            return error(403, "forbidden");
        }
        let rows = sqlx::query("SELECT username, email, role FROM users ORDER BY username")
            .fetch_all(&self.0.db)
            .await;
        match rows {
            Ok(rows) => {
                let users: Vec<Value> = rows
                    .iter()
                    .map(|r| {
                        json!({
                            "username": r.get::<String, _>("username"),
                            "email": r.get::<String, _>("email"),
                            "role": r.get::<String, _>("role"),
                        })
                    })
                    .collect();
                json_response(200, &Value::Array(users))
            }
            Err(e) => error(500, &e.to_string()),
        }
    }

    async fn list_notes(&self, caller: &Caller, uri: &Uri) -> Response {
        let search = query_value(uri, "search").unwrap_or_default();
        let limit = match query_value(uri, "limit") {
            None => 20,
            Some(v) => match v.parse::<i64>() {
                Ok(n) if n >= 1 && (self.0.flawed || n <= 100) => n,
                _ => return error(400, "limit must be an integer from 1 to 100"),
            },
        };
        if !self.0.flawed && search.chars().count() > 200 {
            return error(400, "search has at most 200 characters");
        }
        let rows = if self.0.flawed {
            // 13. SQL built by pasting
            let sql = format!(
                "SELECT id, owner, title, body FROM notes WHERE owner = '{}' AND title LIKE '%{}%' LIMIT {}",
                caller.username, search, limit
            );
            sqlx::query(&sql).fetch_all(&self.0.db).await
        } else {
            let escaped = search
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            sqlx::query(
                "SELECT id, owner, title, body FROM notes WHERE owner = ? \
                 AND title LIKE '%' || ? || '%' ESCAPE '\\' ORDER BY id LIMIT ?",
            )
            .bind(&caller.username)
            .bind(escaped)
            .bind(limit)
            .fetch_all(&self.0.db)
            .await
        };
        match rows {
            Ok(rows) => json_response(200, &Value::Array(rows.iter().map(note_json).collect())),
            Err(e) => error(500, &e.to_string()),
        }
    }

    /// A note body's title and body, or the answer to give.
    async fn note_input(
        &self,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Result<(String, String), Response> {
        if !is_json(headers) {
            return Err(error(415, "send application/json"));
        }
        let v: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) if self.0.flawed => {
                // 12. an unwrap that panics, its message sent out as it is
                return Err((
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [("content-type", "text/plain; charset=utf-8")],
                    fake_panic(&e),
                )
                    .into_response());
            }
            Err(_) => return Err(error(400, "the body is not valid JSON")),
        };
        let (Some(title), Some(text)) = (
            v.get("title").and_then(Value::as_str),
            v.get("body").and_then(Value::as_str),
        ) else {
            return Err(error(400, "title and body must be strings"));
        };
        if title.chars().count() > 200 {
            return Err(error(400, "title has at most 200 characters"));
        }
        // 25. the flawed API never checks the body's length
        if !self.0.flawed && text.chars().count() > 10_000 {
            return Err(error(400, "body has at most 10000 characters"));
        }
        if !self.title_matches(title).await {
            return Err(error(400, "title must be words of letters and digits"));
        }
        Ok((title.to_string(), text.to_string()))
    }

    /// Whether `title` matches the spec's pattern: a backtracking match in the
    /// flawed API (11), linear in the twin.
    async fn title_matches(&self, title: &str) -> bool {
        if !self.0.flawed {
            return self.0.title_linear.is_match(title);
        }
        let app = self.clone();
        let title = title.to_string();
        tokio::task::spawn_blocking(move || {
            // past the step cap fancy-regex errs: refused as not matching
            app.0.title_fancy.is_match(&title).unwrap_or(false)
        })
        .await
        .unwrap_or(false)
    }

    async fn create_note(&self, caller: &Caller, headers: &HeaderMap, body: &Bytes) -> Response {
        let (title, text) = match self.note_input(headers, body).await {
            Ok(t) => t,
            Err(r) => return r,
        };
        let done = sqlx::query("INSERT INTO notes (owner, title, body) VALUES (?, ?, ?)")
            .bind(&caller.username)
            .bind(&title)
            .bind(&text)
            .execute(&self.0.db)
            .await;
        match done {
            Ok(done) => {
                let id = done.last_insert_rowid();
                let mut r = json_response(
                    201,
                    &json!({"id": id, "owner": caller.username, "title": title, "body": text}),
                );
                set_header(&mut r, "location", &format!("/notes/{id}"));
                r
            }
            Err(e) => error(500, &e.to_string()),
        }
    }

    /// The note `id` names as the caller may see it: `Err` is the answer.
    async fn find_note(&self, caller: &Caller, id: &str) -> Result<Value, Response> {
        if !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error(400, "id must be a positive integer"));
        }
        let id: i64 = match id.parse() {
            Ok(n) if n >= 1 => n,
            Ok(_) => return Err(error(400, "id must be a positive integer")),
            Err(_) => return Err(error(404, "no such note")),
        };
        let row = sqlx::query("SELECT id, owner, title, body FROM notes WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.0.db)
            .await
            .map_err(|e| error(500, &e.to_string()))?;
        let note = row
            .as_ref()
            .map(note_json)
            .ok_or_else(|| error(404, "no such note"))?;
        // 14. the flawed API never asks whose note it is
        if !self.0.flawed && note["owner"] != caller.username.as_str() {
            return Err(error(404, "no such note"));
        }
        Ok(note)
    }

    async fn get_note(&self, caller: &Caller, id: &str) -> Response {
        match self.find_note(caller, id).await {
            Ok(note) => json_response(200, &note),
            Err(r) => r,
        }
    }

    async fn update_note(
        &self,
        caller: &Caller,
        id: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Response {
        let mut note = match self.find_note(caller, id).await {
            Ok(note) => note,
            Err(r) => return r,
        };
        let (title, text) = match self.note_input(headers, body).await {
            Ok(t) => t,
            Err(r) => return r,
        };
        let done = sqlx::query("UPDATE notes SET title = ?, body = ? WHERE id = ?")
            .bind(&title)
            .bind(&text)
            .bind(note["id"].as_i64())
            .execute(&self.0.db)
            .await;
        if let Err(e) = done {
            return error(500, &e.to_string());
        }
        note["title"] = json!(title);
        note["body"] = json!(text);
        json_response(200, &note)
    }

    async fn delete_note(&self, caller: &Caller, id: &str) -> Response {
        let note = match self.find_note(caller, id).await {
            Ok(note) => note,
            Err(r) => return r,
        };
        let done = sqlx::query("DELETE FROM notes WHERE id = ?")
            .bind(note["id"].as_i64())
            .execute(&self.0.db)
            .await;
        match done {
            Ok(_) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => error(500, &e.to_string()),
        }
    }

    async fn ping(&self, uri: &Uri) -> Response {
        let Some(host) = query_value(uri, "host") else {
            return error(400, "host is required");
        };
        if !self.0.flawed {
            if !self.0.host_re.is_match(&host) {
                return error(400, "host must be a host name or an IP address");
            }
            return json_response(200, &json!({"output": format!("pinging {host}")}));
        }
        if host.is_empty() {
            return error(400, "host is required");
        }
        // 15. the host goes into a shell line as it is
        let child = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(format!("echo pinging {host}"))
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true)
            .output();
        match tokio::time::timeout(Duration::from_secs(10), child).await {
            Ok(Ok(out)) => {
                let text = String::from_utf8_lossy(&out.stdout);
                json_response(200, &json!({"output": text.trim_end_matches('\n')}))
            }
            Ok(Err(e)) => error(500, &e.to_string()),
            Err(_) => error(500, "ping timed out"),
        }
    }

    async fn file(&self, uri: &Uri) -> Response {
        let raw = uri.path().strip_prefix("/files/").unwrap_or("");
        let name = percent_decode(raw, false);
        if !self.0.flawed && (!self.0.file_re.is_match(&name) || name.contains("..")) {
            return error(400, "name must be a plain file name");
        }
        // 16. the flawed API joins whatever it was given
        match tokio::fs::read(self.0.public_dir.join(&name)).await {
            Ok(content) => (
                StatusCode::OK,
                [("content-type", "text/plain; charset=utf-8")],
                content,
            )
                .into_response(),
            Err(_) => error(404, "no such file"),
        }
    }

    async fn webhook(&self, headers: &HeaderMap, body: &Bytes) -> Response {
        let o = match json_object(headers, body) {
            Ok(o) => o,
            Err((status, message)) => return error(status, message),
        };
        let Some(url) = o.get("url").and_then(Value::as_str) else {
            return error(400, "url must be a string");
        };
        let Ok(parsed) = reqwest::Url::parse(url) else {
            return error(400, "url must be an absolute URL");
        };
        let status = if self.0.flawed {
            // 17. fetched at once, wherever it points
            match self.0.http.get(parsed).send().await {
                Ok(resp) => resp.status().as_u16(),
                Err(e) => e.status().map(|s| s.as_u16()).unwrap_or(0),
            }
        } else {
            let host = parsed.host_str().unwrap_or("");
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let allowed = parsed.scheme() == "https"
                && match host.parse::<IpAddr>() {
                    Ok(ip) => !forbidden_ip(ip),
                    Err(_) => {
                        let d = host.trim_end_matches('.').to_ascii_lowercase();
                        d.contains('.') && d != "localhost" && !d.ends_with(".localhost")
                    }
                };
            if !allowed {
                return error(400, "url not allowed");
            }
            // deliveries are queued, never made while the caller waits
            0
        };
        let id = self.0.webhooks.fetch_add(1, Ordering::Relaxed) + 1;
        json_response(201, &json!({"id": id, "url": url, "status": status}))
    }

    async fn usage(&self) -> Response {
        let counts = async {
            let notes: i64 = sqlx::query("SELECT COUNT(*) FROM notes")
                .fetch_one(&self.0.db)
                .await?
                .get(0);
            let users: i64 = sqlx::query("SELECT COUNT(*) FROM users")
                .fetch_one(&self.0.db)
                .await?
                .get(0);
            Ok::<_, sqlx::Error>((notes, users))
        };
        match counts.await {
            Ok((notes, users)) => json_response(200, &json!({"notes": notes, "users": users})),
            Err(e) => error(500, &e.to_string()),
        }
    }

    /// Flaw 29: whether the address has an account shows in the answer.
    async fn password_reset(&self, headers: &HeaderMap, body: &Bytes) -> Response {
        let o = match json_object(headers, body) {
            Ok(o) => o,
            Err((status, message)) => return error(status, message),
        };
        let Some(email) = o.get("email").and_then(Value::as_str) else {
            return error(400, "email must be a string");
        };
        if !email_ok(email) {
            return error(400, "email must be an email address");
        }
        let known = sqlx::query("SELECT username FROM users WHERE email = ?")
            .bind(email)
            .fetch_optional(&self.0.db)
            .await;
        let known = match known {
            Ok(row) => row.is_some(),
            Err(e) => return error(500, &e.to_string()),
        };
        // no mail is sent: the link would go to the account's address
        if self.0.flawed && !known {
            return error(404, "no account with that e-mail");
        }
        let status = if self.0.flawed {
            "a reset link is on its way"
        } else {
            "if an account has this e-mail, a reset link is on its way"
        };
        json_response(202, &json!({"status": status}))
    }

    /// Flaw 26: whose password is changed is not checked.
    async fn change_password(
        &self,
        caller: &Caller,
        name: &str,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Response {
        let name = percent_decode(name, false);
        if !self.0.flawed && name != caller.username {
            return error(403, "only the account's owner changes its password");
        }
        let o = match json_object(headers, body) {
            Ok(o) => o,
            Err((status, message)) => return error(status, message),
        };
        let Some(password) = o.get("password").and_then(Value::as_str) else {
            return error(400, "password must be a string");
        };
        if !(8..=128).contains(&password.chars().count()) {
            return error(400, "password: 8 to 128 characters");
        }
        let done = sqlx::query("UPDATE users SET password = ? WHERE username = ?")
            .bind(password)
            .bind(&name)
            .execute(&self.0.db)
            .await;
        match done {
            Ok(r) if r.rows_affected() == 0 => error(404, "no such user"),
            Ok(_) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => error(500, &e.to_string()),
        }
    }

    /// Flaw 27: an expensive operation without the limit it declares.
    async fn export(&self, caller: &Caller) -> Response {
        if !self.0.flawed {
            let exports = {
                let mut map = self.0.exports.lock().unwrap_or_else(|e| e.into_inner());
                let list = map.entry(caller.username.clone()).or_default();
                list.retain(|t| t.elapsed() < Duration::from_secs(60));
                list.push(Instant::now());
                list.len()
            };
            if exports > 10 {
                let mut r = error(429, "at most 10 exports a minute");
                set_header(&mut r, "retry-after", "60");
                return r;
            }
        }
        let rows =
            sqlx::query("SELECT id, owner, title, body FROM notes WHERE owner = ? ORDER BY id")
                .bind(&caller.username)
                .fetch_all(&self.0.db)
                .await;
        match rows {
            Ok(rows) => json_response(200, &Value::Array(rows.iter().map(note_json).collect())),
            Err(e) => error(500, &e.to_string()),
        }
    }

    /// Flaw 28: the API key must exist, but need not be the caller's.
    async fn billing(&self, caller: &Caller, headers: &HeaderMap) -> Response {
        let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) else {
            return unauthorized();
        };
        let owner = sqlx::query("SELECT username FROM users WHERE api_key = ?")
            .bind(key)
            .fetch_optional(&self.0.db)
            .await;
        let owner: String = match owner {
            Ok(Some(row)) => row.get(0),
            Ok(None) => return unauthorized(),
            Err(e) => return error(500, &e.to_string()),
        };
        if !self.0.flawed && owner != caller.username {
            return unauthorized();
        }
        json_response(200, &json!({"username": caller.username, "plan": "free"}))
    }

    async fn stats(&self, uri: &Uri, headers: &HeaderMap) -> Response {
        let mut key = headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if self.0.flawed && key.is_none() {
            // 19. the key from the URL, where logs and caches keep it
            key = query_value(uri, "api_key");
        }
        let unauthorized = || {
            let mut r = error(401, "unauthorized");
            set_header(&mut r, "www-authenticate", "ApiKey header=\"X-API-Key\"");
            r
        };
        let Some(key) = key else {
            return unauthorized();
        };
        let count = sqlx::query(
            "SELECT COUNT(n.id) FROM users u LEFT JOIN notes n ON n.owner = u.username \
             WHERE u.api_key = ? GROUP BY u.username",
        )
        .bind(key)
        .fetch_optional(&self.0.db)
        .await;
        match count {
            Ok(Some(row)) => json_response(200, &json!({"notes": row.get::<i64, _>(0)})),
            Ok(None) => unauthorized(),
            Err(e) => error(500, &e.to_string()),
        }
    }
}

fn note_json(r: &sqlx::sqlite::SqliteRow) -> Value {
    json!({
        "id": r.get::<i64, _>("id"),
        "owner": r.get::<String, _>("owner"),
        "title": r.get::<String, _>("title"),
        "body": r.get::<String, _>("body"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    /// The service key's PEM, rebuilt from the JWKS's x and y.
    fn pem_from_xy(x: &[u8], y: &[u8]) -> String {
        let mut der = Vec::new();
        for i in (0..52).step_by(2) {
            let h = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
            der.push(u8::from_str_radix(&h[i..i + 2], 16).unwrap());
        }
        der.push(4);
        der.extend_from_slice(x);
        der.extend_from_slice(y);
        let b64 = STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
            lines.join("\n")
        )
    }

    #[test]
    fn rcgen_public_pem_is_the_spki_prefix_and_the_raw_point() {
        for _ in 0..20 {
            let key = rcgen::KeyPair::generate().unwrap();
            let raw = key.public_key_raw();
            assert_eq!(raw.len(), 65);
            assert_eq!(raw[0], 4);
            assert_eq!(pem_from_xy(&raw[1..33], &raw[33..65]), key.public_key_pem());
        }
    }

    fn svc_token(key: &rcgen::KeyPair, claims: &Value) -> String {
        let header = Header {
            kid: Some("svc".into()),
            ..Header::new(Algorithm::ES256)
        };
        let key = EncodingKey::from_ec_pem(key.serialize_pem().as_bytes()).unwrap();
        jsonwebtoken::encode(&header, claims, &key).unwrap()
    }

    /// A real service token (ES256 under the service key) passes both checks;
    /// one under another P-256 key passes neither.
    #[tokio::test]
    async fn service_tokens_verify_in_both() {
        for flaws in [Flaws::All, Flaws::None] {
            let app = App::new(flaws).await;
            let claims = json!({"sub": "root", "role": "admin", "exp": now_secs() + 60,
                "aud": AUDIENCE, "iss": ISSUER});
            let token = svc_token(&app.0.svc_key, &claims);
            assert_eq!(app.verify(&token).unwrap()["sub"], "root", "{flaws:?}");
            let other = rcgen::KeyPair::generate().unwrap();
            assert!(
                app.verify(&svc_token(&other, &claims)).is_none(),
                "{flaws:?}"
            );
        }
    }

    fn hs(app: &App, kid: Option<&str>, claims: &Value) -> String {
        let header = Header {
            kid: kid.map(str::to_string),
            ..Header::new(Algorithm::HS256)
        };
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(&app.0.hs_key)).unwrap()
    }

    /// The twin takes only well-formed, current, addressed tokens under its
    /// own key, and reads the role from the database.
    #[tokio::test]
    async fn twin_checks_every_claim() {
        let app = App::new(Flaws::None).await;
        let now = now_secs();
        let good = json!({"sub": "alice", "role": "admin", "exp": now + 60,
            "aud": AUDIENCE, "iss": ISSUER});
        assert!(app.verify(&hs(&app, Some("main"), &good)).is_some());
        assert!(app.verify(&hs(&app, None, &good)).is_some());
        let mut headers = HeaderMap::new();
        let bearer = format!("Bearer {}", hs(&app, Some("main"), &good));
        headers.insert("authorization", bearer.parse().unwrap());
        assert_eq!(app.authenticate(&headers).await.unwrap().role, "user");
        let tweak = |k: &str, v: Value| {
            let mut c = good.clone();
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v;
            }
            c
        };
        for bad in [
            tweak("exp", Value::Null),
            tweak("exp", json!(now - 1)),
            tweak("nbf", json!(now + 60)),
            tweak("aud", json!("other")),
            tweak("aud", Value::Null),
            tweak("iss", json!("evil")),
            tweak("iss", Value::Null),
            tweak("sub", Value::Null),
        ] {
            assert!(app.verify(&hs(&app, Some("main"), &bad)).is_none(), "{bad}");
        }
        for kid in ["svc", "other", "../../../../../../../../dev/null"] {
            assert!(app.verify(&hs(&app, Some(kid), &good)).is_none(), "{kid}");
        }
        // the flawed API takes the token's role
        let flawed = App::new(Flaws::All).await;
        let bearer = format!("Bearer {}", hs(&flawed, Some("main"), &good));
        headers.insert("authorization", bearer.parse().unwrap());
        assert_eq!(flawed.authenticate(&headers).await.unwrap().role, "admin");
    }

    #[test]
    #[ignore = "calibration: prints the backtracking match's times"]
    fn redos_calibration() {
        let fancy = fancy_regex::RegexBuilder::new(TITLE_PATTERN_BACKTRACKING)
            .backtrack_limit(usize::MAX)
            .build()
            .unwrap();
        let linear = regex::Regex::new(TITLE_PATTERN).unwrap();
        for n in (8..=26).step_by(2) {
            let title = format!("{}!", "a".repeat(n));
            let t = Instant::now();
            assert!(!fancy.is_match(&title).unwrap());
            let backtracking = t.elapsed();
            let t = Instant::now();
            assert!(!linear.is_match(&title));
            eprintln!(
                "n={n}: backtracking {backtracking:?}, linear {:?}",
                t.elapsed()
            );
        }
    }

    /// The backtracking pattern and the spec's accept the same titles (all
    /// strings up to 6 characters over a telling alphabet).
    #[test]
    fn title_patterns_agree() {
        let fancy = fancy_regex::Regex::new(TITLE_PATTERN_BACKTRACKING).unwrap();
        let linear = regex::Regex::new(TITLE_PATTERN).unwrap();
        let alphabet = ['a', 'Z', '7', ' ', '\t', '!', '_', '\u{e9}'];
        let mut checked = 0;
        for len in 0..=6u32 {
            for mut code in 0..alphabet.len().pow(len) {
                let mut s = String::new();
                for _ in 0..len {
                    s.push(alphabet[code % alphabet.len()]);
                    code /= alphabet.len();
                }
                assert_eq!(fancy.is_match(&s).unwrap(), linear.is_match(&s), "{s:?}");
                checked += 1;
            }
        }
        assert!(checked > 250_000);
    }

    #[test]
    fn fake_bcrypt_looks_like_bcrypt() {
        let h = fake_bcrypt("alice-pw-1");
        assert_eq!(h.len(), 60);
        assert!(h.starts_with("$2b$12$"));
        assert_ne!(h, fake_bcrypt("bob-pw-2"));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("..%2F..%2fetc", false), "../../etc");
        assert_eq!(percent_decode("a+b%20c%", true), "a b c%");
        assert_eq!(percent_decode("a+b%4", false), "a+b%4");
    }
}
