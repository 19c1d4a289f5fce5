//! Each seeded flaw of `vuln_api`, shown on the flawed server and absent from
//! its hardened twin with the very same request. Everything goes to
//! 127.0.0.1 only: both servers, and the SSRF canary.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use seam_testkit::vuln_api::{serve, Flaws, API_KEYS, AUTH, SPEC, USERS, WEAK_KEY};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Api {
    base: String,
    http: reqwest::Client,
    flaws: Flaws,
}

/// The flawed server and its twin, each fresh.
async fn both() -> [Api; 2] {
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let mut out = Vec::new();
    for flaws in [Flaws::All, Flaws::None] {
        let addr = serve(flaws).await;
        out.push(Api {
            base: format!("http://{addr}"),
            http: http.clone(),
            flaws,
        });
    }
    out.try_into().ok().unwrap()
}

impl Api {
    fn req(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{path}", self.base))
    }

    fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.req(Method::GET, path)
    }

    async fn login(&self, user: &str, password: &str) -> String {
        let r = self
            .req(Method::POST, "/login")
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{:?} login {user}", self.flaws);
        let body: Value = r.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    async fn token_of(&self, user: &str) -> String {
        let (_, password, _) = USERS.iter().find(|u| u.0 == user).unwrap();
        self.login(user, password).await
    }

    /// `GET /me` with `token`: the status and body.
    async fn me(&self, token: &str) -> (StatusCode, Value) {
        let r = self.get("/me").bearer_auth(token).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    fn flawed(&self) -> bool {
        self.flaws == Flaws::All
    }
}

async fn json_of(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn user_claims(sub: &str, role: &str) -> Value {
    json!({"sub": sub, "role": role, "iat": now(), "exp": now() + 600,
        "aud": "acme-notes", "iss": "acme-auth"})
}

/// An HS256 token with `kid`, signed with `secret`.
fn hs256(kid: Option<&str>, claims: &Value, secret: &[u8]) -> String {
    let header = Header {
        kid: kid.map(str::to_string),
        ..Header::new(Algorithm::HS256)
    };
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
}

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// The twin's answer to a refused token.
async fn assert_unauthorized(r: reqwest::Response) {
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "unauthorized"})
    );
}

/// Flaw 1: `alg: none` in any spelling.
#[tokio::test]
async fn alg_none_tokens() {
    let [flawed, twin] = both().await;
    for alg in ["none", "None", "NONE", "nOnE"] {
        let token = format!(
            "{}.{}.",
            b64(&json!({"alg": alg, "typ": "JWT"})),
            b64(&user_claims("alice", "user"))
        );
        let (status, me) = flawed.me(&token).await;
        assert_eq!(status, 200, "{alg}");
        assert_eq!(me["username"], "alice");
        assert_unauthorized(twin.get("/me").bearer_auth(&token).send().await.unwrap()).await;
    }
}

/// The service key's PEM, rebuilt from the JWKS (P-256 SPKI prefix + point).
async fn pem_from_jwks(api: &Api) -> String {
    let jwks: Value = api
        .get("/.well-known/jwks.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = &jwks["keys"][0];
    for (k, v) in [
        ("kty", "EC"),
        ("crv", "P-256"),
        ("kid", "svc"),
        ("use", "sig"),
        ("alg", "ES256"),
    ] {
        assert_eq!(key[k], v);
    }
    let coord = |k: &str| URL_SAFE_NO_PAD.decode(key[k].as_str().unwrap()).unwrap();
    let (x, y) = (coord("x"), coord("y"));
    assert_eq!((x.len(), y.len()), (32, 32));
    let prefix = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
    let mut der: Vec<u8> = (0..prefix.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&prefix[i..i + 2], 16).unwrap())
        .collect();
    der.push(4);
    der.extend(x);
    der.extend(y);
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

/// Flaw 2: ES256 → HS256 key confusion on `kid: svc`.
#[tokio::test]
async fn key_confusion() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let pem = pem_from_jwks(api).await;
        let token = hs256(Some("svc"), &user_claims("root", "admin"), pem.as_bytes());
        let r = api
            .get("/admin/users")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if api.flawed() {
            assert_eq!(r.status(), 200);
            assert_eq!(
                r.json::<Value>().await.unwrap().as_array().unwrap().len(),
                3
            );
        } else {
            assert_unauthorized(r).await;
        }
    }
}

/// Flaw 3: the `kid` names a file; /dev/null is the empty key.
#[tokio::test]
async fn kid_injection() {
    let [flawed, twin] = both().await;
    let token = hs256(
        Some("../../../../../../../../dev/null"),
        &user_claims("bob", "user"),
        b"",
    );
    let (status, me) = flawed.me(&token).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("bob"))
    );
    assert_unauthorized(twin.get("/me").bearer_auth(&token).send().await.unwrap()).await;
    // a kid naming no file is refused even by the flawed server
    let missing = hs256(Some("no-such-key"), &user_claims("bob", "user"), b"");
    assert_eq!(flawed.me(&missing).await.0, 401);
}

/// Flaw 4: the weak key, and `exp`, `aud`, `iss`, `nbf` unchecked.
#[tokio::test]
async fn weak_key_and_unchecked_claims() {
    let [flawed, twin] = both().await;
    let old = now() - 7200;
    let stale = json!({"sub": "alice", "role": "user", "iat": old, "exp": old + 900,
        "nbf": now() + 3600, "aud": "someone-else", "iss": "evil"});
    let tokens = [
        hs256(
            Some("main"),
            &user_claims("alice", "user"),
            WEAK_KEY.as_bytes(),
        ),
        hs256(None, &user_claims("alice", "user"), WEAK_KEY.as_bytes()),
        hs256(Some("main"), &stale, WEAK_KEY.as_bytes()),
        hs256(Some("main"), &json!({"sub": "alice"}), WEAK_KEY.as_bytes()),
    ];
    for token in &tokens {
        assert_eq!(flawed.me(token).await.0, 200, "{token}");
        assert_unauthorized(twin.get("/me").bearer_auth(token).send().await.unwrap()).await;
    }
    // a wrong key is refused by both; the twin's own login tokens work
    let wrong = hs256(Some("main"), &user_claims("alice", "user"), b"not-the-key");
    assert_eq!(flawed.me(&wrong).await.0, 401);
    let token = twin.token_of("alice").await;
    let (status, me) = twin.me(&token).await;
    assert_eq!(
        (status, me["username"].as_str()),
        (StatusCode::OK, Some("alice"))
    );
    // the login token's shape
    let mut parts = token.split('.');
    let header: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap();
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap()).unwrap();
    assert_eq!(
        (header["alg"].as_str(), header["kid"].as_str()),
        (Some("HS256"), Some("main"))
    );
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        900
    );
    assert_eq!(
        (claims["aud"].as_str(), claims["iss"].as_str()),
        (Some("acme-notes"), Some("acme-auth"))
    );
    assert_eq!(
        (claims["sub"].as_str(), claims["role"].as_str()),
        (Some("alice"), Some("user"))
    );
}

/// Flaw 5: the token's `role` claim beats the database.
#[tokio::test]
async fn role_claim_wins() {
    let [flawed, twin] = both().await;
    let forged = hs256(
        Some("main"),
        &user_claims("alice", "admin"),
        WEAK_KEY.as_bytes(),
    );
    let (status, me) = flawed.me(&forged).await;
    assert_eq!(
        (status, me["role"].as_str()),
        (StatusCode::OK, Some("admin"))
    );
    assert_unauthorized(twin.get("/me").bearer_auth(&forged).send().await.unwrap()).await;
    // with an honest token both tell the database's role
    for api in [&flawed, &twin] {
        let (_, me) = api.me(&api.token_of("alice").await).await;
        assert_eq!(me["role"], "user");
    }
}

/// Flaw 6a: unknown user and wrong password answer differently.
#[tokio::test]
async fn login_user_enumeration() {
    let [flawed, twin] = both().await;
    let mut answers = Vec::new();
    for api in [&flawed, &twin] {
        for (user, password) in [("nobody", "x"), ("alice", "wrong")] {
            let r = api
                .req(Method::POST, "/login")
                .json(&json!({"username": user, "password": password}))
                .send()
                .await
                .unwrap();
            answers.push(json_of(r).await);
        }
    }
    assert_eq!(
        answers[0],
        (StatusCode::NOT_FOUND, json!({"error": "no such user"}))
    );
    assert_eq!(
        answers[1],
        (StatusCode::UNAUTHORIZED, json!({"error": "wrong password"}))
    );
    let invalid = (
        StatusCode::UNAUTHORIZED,
        json!({"error": "invalid credentials"}),
    );
    assert_eq!(answers[2], invalid);
    assert_eq!(answers[3], invalid);
}

/// Flaw 6b: failed logins are never limited.
#[tokio::test]
async fn login_rate_limit() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let mut statuses = Vec::new();
        for _ in 0..8 {
            let r = api
                .req(Method::POST, "/login")
                .json(&json!({"username": "bob", "password": "guess"}))
                .send()
                .await
                .unwrap();
            if r.status() == 429 {
                assert_eq!(r.headers()["retry-after"], "60");
            }
            statuses.push(r.status().as_u16());
        }
        if api.flawed() {
            assert_eq!(statuses, [401; 8]);
        } else {
            assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
        }
        // the right password is never limited
        api.login("bob", "bob-pw-2").await;
    }
}

/// Flaw 7: `{"$ne": ...}` as the password skips the check.
#[tokio::test]
async fn nosql_operator_login() {
    let [flawed, twin] = both().await;
    for password in [json!({"$ne": null}), json!({"$ne": "x"})] {
        let body = json!({"username": "root", "password": password});
        let r = flawed
            .req(Method::POST, "/login")
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, v) = json_of(r).await;
        assert_eq!(status, 200);
        let (_, me) = flawed.me(v["token"].as_str().unwrap()).await;
        assert_eq!(
            (me["username"].as_str(), me["role"].as_str()),
            (Some("root"), Some("admin"))
        );
        let r = twin
            .req(Method::POST, "/login")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
}

/// Flaw 8: mass assignment of `role` / `isAdmin` at registration.
#[tokio::test]
async fn mass_assignment() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        for (name, extra) in [
            ("mallory", json!({"role": "admin"})),
            ("trudy", json!({"isAdmin": true})),
        ] {
            let mut body = json!({"username": name, "password": "long-enough-1",
                "email": format!("{name}@evil.test")});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            let r = api
                .req(Method::POST, "/users")
                .json(&body)
                .send()
                .await
                .unwrap();
            let (status, v) = json_of(r).await;
            assert_eq!(status, 201);
            let role = if api.flawed() { "admin" } else { "user" };
            assert_eq!(
                v,
                json!({"username": name, "email": format!("{name}@evil.test"), "role": role})
            );
            let token = api.login(name, "long-enough-1").await;
            let r = api
                .get("/admin/users")
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), if api.flawed() { 200 } else { 403 });
            // taken
            let r = api
                .req(Method::POST, "/users")
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 409);
        }
    }
}

/// Flaw 9: `GET /me` sends a password hash and a card number.
#[tokio::test]
async fn sensitive_data_exposure() {
    let [flawed, twin] = both().await;
    let (_, me) = flawed.me(&flawed.token_of("alice").await).await;
    assert!(me["password_hash"].as_str().unwrap().starts_with("$2b$12$"));
    assert_eq!(me["card_number"], "4111111111111111");
    let (_, me) = twin.me(&twin.token_of("alice").await).await;
    assert_eq!(
        me,
        json!({"username": "alice", "email": "alice@acme.test", "role": "user"})
    );
}

/// Flaw 10: BFLA on the admin route.
#[tokio::test]
async fn admin_route_for_everyone() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let alice = api.token_of("alice").await;
        let r = api
            .get("/admin/users")
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap();
        let (status, v) = json_of(r).await;
        if api.flawed() {
            assert_eq!(status, 200);
            assert_eq!(v.as_array().unwrap().len(), 3);
        } else {
            assert_eq!(
                (status, v),
                (StatusCode::FORBIDDEN, json!({"error": "forbidden"}))
            );
        }
        let root = api.token_of("root").await;
        let r = api
            .get("/admin/users")
            .bearer_auth(&root)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let r = api.get("/admin/users").send().await.unwrap();
        assert_eq!(r.status(), 401);
    }
}

/// Flaw 11: ReDoS on the note title (1.7^n in the flawed server).
#[tokio::test]
async fn redos_title() {
    let [flawed, twin] = both().await;
    let mut times = Vec::new();
    for api in [&flawed, &twin] {
        let token = api.token_of("alice").await;
        // a matching title is taken, with its Location
        let r = api
            .req(Method::POST, "/notes")
            .bearer_auth(&token)
            .json(&json!({"title": "Plan for May 2", "body": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let note: Value = r.json().await.unwrap();
        assert_eq!(location, format!("/notes/{}", note["id"]));
        assert_eq!(note["owner"], "alice");
        for n in [16, 24] {
            let t = Instant::now();
            let r = api
                .req(Method::POST, "/notes")
                .bearer_auth(&token)
                .json(&json!({"title": format!("{}!", "a".repeat(n)), "body": "x"}))
                .send()
                .await
                .unwrap();
            let took = t.elapsed();
            assert_eq!(r.status(), 400);
            times.push((api.flaws, n, took));
        }
    }
    eprintln!("ReDoS timings: {times:?}");
    let ms = |i: usize| times[i].2.as_millis();
    assert!(ms(0) < 500, "flawed n=16: {times:?}");
    assert!(ms(1) > 800, "flawed n=24: {times:?}");
    assert!(ms(1) > 8 * ms(0), "flawed growth: {times:?}");
    assert!(ms(2) < 300 && ms(3) < 300, "twin: {times:?}");
}

/// Flaw 12: a malformed body answers a panic with a stack trace.
#[tokio::test]
async fn malformed_json_stack_trace() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let token = api.token_of("alice").await;
        for (method, path) in [(Method::POST, "/notes"), (Method::PUT, "/notes/1")] {
            let r = api
                .req(method.clone(), path)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(r#"{"title": "x", "body": "#)
                .send()
                .await
                .unwrap();
            let ct = r.headers()["content-type"].to_str().unwrap().to_string();
            let status = r.status();
            let text = r.text().await.unwrap();
            if api.flawed() {
                assert_eq!(status, 500, "{method} {path}");
                assert!(ct.starts_with("text/plain"));
                assert!(text.starts_with(
                    "thread 'tokio-runtime-worker' panicked at src/notes.rs:88:14:\n"
                ));
                assert!(text.contains("stack backtrace:\n   0: acme_notes::notes::create"));
            } else {
                assert_eq!(status, 400, "{method} {path}");
                assert_eq!(ct, "application/json");
                assert!(!text.contains("panicked"));
            }
        }
    }
}

/// `GET /notes?search=...` as titles.
async fn search(api: &Api, token: &str, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = api
        .get("/notes")
        .bearer_auth(token)
        .query(query)
        .send()
        .await
        .unwrap();
    json_of(r).await
}

fn owners(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n["owner"].as_str().unwrap().to_string())
        .collect()
}

/// Flaw 13: SQL injection in `search`, and no cap on `limit`.
#[tokio::test]
async fn sql_injection() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let token = api.token_of("alice").await;
        let (status, v) = search(api, &token, &[]).await;
        assert_eq!(
            (status, owners(&v)),
            (StatusCode::OK, vec!["alice".to_string(); 2])
        );
        let (status, v) = search(api, &token, &[("search", "Groc")]).await;
        assert_eq!(
            (status, v[0]["title"].as_str()),
            (StatusCode::OK, Some("Groceries"))
        );

        let (status, v) = search(api, &token, &[("search", "'")]).await;
        let truthy = search(api, &token, &[("search", "' AND 1=1 AND '%'='")]).await;
        let falsy = search(api, &token, &[("search", "' AND 1=2 AND '%'='")]).await;
        let everyone = search(api, &token, &[("search", "x' OR '1'='1' --")]).await;
        let big = search(api, &token, &[("limit", "500")]).await;
        if api.flawed() {
            assert_eq!(status, 500);
            let e = v["error"].as_str().unwrap();
            assert!(
                e.starts_with("error returned from database: (code: 1)"),
                "{e}"
            );
            assert_eq!(owners(&truthy.1).len(), 2);
            assert_eq!(owners(&falsy.1).len(), 0);
            let all = owners(&everyone.1);
            assert_eq!(all.len(), 6);
            assert!(all.contains(&"bob".to_string()) && all.contains(&"root".to_string()));
            assert_eq!(big.0, 200);
        } else {
            assert_eq!((status, v), (StatusCode::OK, json!([])));
            for (status, v) in [truthy, falsy, everyone] {
                assert_eq!((status, v), (StatusCode::OK, json!([])));
            }
            assert_eq!(big.0, 400);
        }
        assert_eq!(search(api, &token, &[("limit", "0")]).await.0, 400);
        assert_eq!(
            search(api, &token, &[("limit", "1")])
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

/// Flaw 14: BOLA on read, change and delete.
#[tokio::test]
async fn bola_notes() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let alice = api.token_of("alice").await;
        let bob = api.token_of("bob").await;
        let bob_note = |id: u32| {
            let bob = bob.clone();
            async move {
                let r = api
                    .get(&format!("/notes/{id}"))
                    .bearer_auth(&bob)
                    .send()
                    .await
                    .unwrap();
                json_of(r).await
            }
        };
        let before = bob_note(3).await;
        assert_eq!(
            (before.0, before.1["owner"].as_str()),
            (StatusCode::OK, Some("bob"))
        );

        let (status, v) = json_of(
            api.get("/notes/3")
                .bearer_auth(&alice)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let put = api
            .req(Method::PUT, "/notes/3")
            .bearer_auth(&alice)
            .json(&json!({"title": "pwned", "body": "by alice"}))
            .send()
            .await
            .unwrap();
        let put = json_of(put).await;
        let del = api
            .req(Method::DELETE, "/notes/4")
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap();
        let del = del.status();
        if api.flawed() {
            assert_eq!((status, v), before);
            assert_eq!(
                (put.0, put.1["title"].as_str()),
                (StatusCode::OK, Some("pwned"))
            );
            assert_eq!(bob_note(3).await.1["body"], "by alice");
            assert_eq!(del, 204);
            assert_eq!(bob_note(4).await.0, 404);
        } else {
            assert_eq!(
                (status, v),
                (StatusCode::NOT_FOUND, json!({"error": "no such note"}))
            );
            assert_eq!(put.0, 404);
            assert_eq!(bob_note(3).await, before);
            assert_eq!(del, 404);
            assert_eq!(bob_note(4).await.0, 200);
        }
        // owners work on their own notes in both
        let r = api
            .req(Method::DELETE, "/notes/1")
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let r = api
            .get("/notes/1")
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let r = api
            .get("/notes/abc")
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
    }
}

/// Flaw 15: OS command injection in `/ping`.
#[tokio::test]
async fn command_injection() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let token = api.token_of("alice").await;
        let ping = |host: &'static str| {
            let token = token.clone();
            async move {
                let t = Instant::now();
                let r = api
                    .get("/ping")
                    .bearer_auth(&token)
                    .query(&[("host", host)])
                    .send()
                    .await
                    .unwrap();
                let (status, v) = json_of(r).await;
                (status, v, t.elapsed())
            }
        };
        let (status, v, _) = ping("example.com").await;
        assert_eq!(
            (status, v),
            (StatusCode::OK, json!({"output": "pinging example.com"}))
        );
        let arith = ping("$((6*7))").await;
        let slow = ping("127.0.0.1;sleep 2").await;
        if api.flawed() {
            assert_eq!(
                (arith.0, arith.1),
                (StatusCode::OK, json!({"output": "pinging 42"}))
            );
            assert_eq!(slow.0, 200);
            assert!(slow.2 >= Duration::from_millis(1900), "{:?}", slow.2);
        } else {
            assert_eq!(arith.0, 400);
            assert_eq!(slow.0, 400);
            assert!(slow.2 < Duration::from_millis(1000), "{:?}", slow.2);
        }
    }
}

/// Flaw 16: path traversal in `/files/{name}`.
#[tokio::test]
async fn path_traversal() {
    let [flawed, twin] = both().await;
    let deep = "/files/..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd";
    // three levels reach / from the public folder when the temp dir is /tmp
    let shallow = "/files/..%2F..%2F..%2Fetc%2Fpasswd";
    let tmp_is_top = std::env::temp_dir().components().count() <= 2;
    for api in [&flawed, &twin] {
        let token = api.token_of("alice").await;
        let r = api
            .get("/files/readme.txt")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
        assert_eq!(r.text().await.unwrap(), "Acme Notes");
        let r = api
            .get("/files/missing.txt")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        for path in [deep, shallow] {
            if path == shallow && !tmp_is_top {
                continue;
            }
            let r = api.get(path).bearer_auth(&token).send().await.unwrap();
            if api.flawed() {
                assert_eq!(r.status(), 200, "{path}");
                assert!(r.text().await.unwrap().contains("root:"));
            } else {
                assert_eq!(r.status(), 400, "{path}");
            }
        }
    }
}

/// Flaw 17: SSRF through `POST /webhooks`.
#[tokio::test]
async fn ssrf_webhook() {
    let [flawed, twin] = both().await;
    // a canary on 127.0.0.1 that counts its hits
    let hits = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let canary = listener.local_addr().unwrap();
    let counter = hits.clone();
    let router = axum::Router::new().fallback(move || {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            axum::http::StatusCode::IM_A_TEAPOT
        }
    });
    tokio::spawn(async move { axum::serve(listener, router).await });

    let url = format!("http://{canary}/internal/admin");
    for api in [&flawed, &twin] {
        let token = api.token_of("alice").await;
        let before = hits.load(Ordering::SeqCst);
        let r = api
            .req(Method::POST, "/webhooks")
            .bearer_auth(&token)
            .json(&json!({"url": url}))
            .send()
            .await
            .unwrap();
        let (status, v) = json_of(r).await;
        if api.flawed() {
            assert_eq!(
                (status, v),
                (
                    StatusCode::CREATED,
                    json!({"id": 1, "url": url, "status": 418})
                )
            );
            assert_eq!(hits.load(Ordering::SeqCst), before + 1);
        } else {
            assert_eq!(
                (status, v),
                (StatusCode::BAD_REQUEST, json!({"error": "url not allowed"}))
            );
            assert_eq!(hits.load(Ordering::SeqCst), before);
            for bad in [
                "https://127.0.0.1/x",
                "https://10.0.0.8/",
                "https://169.254.169.254/latest",
                "https://[::1]/",
                "https://localhost/",
                "http://hooks.example.com/",
            ] {
                let r = api
                    .req(Method::POST, "/webhooks")
                    .bearer_auth(&token)
                    .json(&json!({"url": bad}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 400, "{bad}");
            }
            // an https URL on a public name is taken and never fetched
            let r = api
                .req(Method::POST, "/webhooks")
                .bearer_auth(&token)
                .json(&json!({"url": "https://hooks.example.com/acme"}))
                .send()
                .await
                .unwrap();
            assert_eq!(json_of(r).await.1["status"], 0);
        }
    }
}

/// Flaw 18: `GET /reports/usage` without authentication.
#[tokio::test]
async fn usage_report_without_auth() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let bare = api.get("/reports/usage").send().await.unwrap();
        let garbage = api
            .get("/reports/usage")
            .bearer_auth("garbage")
            .send()
            .await
            .unwrap();
        if api.flawed() {
            assert_eq!(
                json_of(bare).await,
                (StatusCode::OK, json!({"notes": 6, "users": 3}))
            );
            assert_eq!(garbage.status(), 200);
        } else {
            assert_unauthorized(bare).await;
            assert_unauthorized(garbage).await;
        }
        let token = api.token_of("bob").await;
        let r = api
            .get("/reports/usage")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            json_of(r).await,
            (StatusCode::OK, json!({"notes": 6, "users": 3}))
        );
    }
}

/// Flaw 19: the API key taken from the query string.
#[tokio::test]
async fn api_key_in_query() {
    let [flawed, twin] = both().await;
    let (_, key) = API_KEYS[0];
    for api in [&flawed, &twin] {
        let r = api
            .get("/stats")
            .header("x-api-key", key)
            .send()
            .await
            .unwrap();
        assert_eq!(json_of(r).await, (StatusCode::OK, json!({"notes": 2})));
        let r = api
            .get("/stats")
            .query(&[("api_key", key)])
            .send()
            .await
            .unwrap();
        let expected = if api.flawed() { 200 } else { 401 };
        assert_eq!(r.status(), expected);
        let r = api
            .get("/stats")
            .header("x-api-key", "ak-nope")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
}

/// Flaw 20: the undeclared actuator route and TRACE.
#[tokio::test]
async fn undeclared_endpoints() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let (status, v) = json_of(api.get("/actuator/env").send().await.unwrap()).await;
        let trace = api
            .req(Method::TRACE, "/notes")
            .header("x-probe", "xst-1")
            .bearer_auth("t0ken")
            .send()
            .await
            .unwrap();
        if api.flawed() {
            assert_eq!(status, 200);
            assert_eq!(v["JWT_SECRET"], "secret");
            assert_eq!(trace.status(), 200);
            assert_eq!(trace.headers()["content-type"], "message/http");
            let echo = trace.text().await.unwrap();
            assert!(echo.starts_with("TRACE /notes HTTP/1.1\r\n"), "{echo}");
            assert!(
                echo.contains("x-probe: xst-1\r\n")
                    && echo.contains("authorization: Bearer t0ken\r\n")
            );
        } else {
            assert_eq!(
                (status, v),
                (StatusCode::NOT_FOUND, json!({"error": "no such path"}))
            );
            assert_eq!(trace.status(), 405);
            assert_eq!(trace.headers()["allow"], "GET, POST");
        }
    }
}

/// Flaw 21: reflected CORS with credentials; no hardening headers.
#[tokio::test]
async fn cors_and_security_headers() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let token = api.token_of("alice").await;
        let r = api
            .get("/me")
            .bearer_auth(&token)
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        let pre = api
            .req(Method::OPTIONS, "/notes/1")
            .header("origin", "https://evil.example")
            .header("access-control-request-method", "DELETE")
            .header("access-control-request-headers", "authorization")
            .send()
            .await
            .unwrap();
        let h = r.headers();
        let ph = pre.headers();
        if api.flawed() {
            assert_eq!(h["access-control-allow-origin"], "https://evil.example");
            assert_eq!(h["access-control-allow-credentials"], "true");
            assert!(h.get("x-content-type-options").is_none());
            assert!(h.get("cache-control").is_none());
            assert_eq!(ph["access-control-allow-origin"], "https://evil.example");
            assert_eq!(ph["access-control-allow-credentials"], "true");
            assert_eq!(ph["access-control-allow-methods"], "DELETE");
            assert_eq!(ph["access-control-allow-headers"], "authorization");
        } else {
            assert!(h.get("access-control-allow-origin").is_none());
            assert!(h.get("access-control-allow-credentials").is_none());
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert_eq!(h["cache-control"], "no-store");
            assert!(ph.get("access-control-allow-origin").is_none());
            let ok = api
                .get("/me")
                .bearer_auth(&token)
                .header("origin", "https://notes.acme.test")
                .send()
                .await
                .unwrap();
            assert_eq!(
                ok.headers()["access-control-allow-origin"],
                "https://notes.acme.test"
            );
        }
        assert_eq!(pre.status(), 204);
    }
}

/// Routing: unknown paths, wrong methods, the JWKS; the same in both.
#[tokio::test]
async fn routing() {
    let [flawed, twin] = both().await;
    for api in [&flawed, &twin] {
        let r = api.get("/nope").send().await.unwrap();
        assert_eq!(
            json_of(r).await,
            (StatusCode::NOT_FOUND, json!({"error": "no such path"}))
        );
        let r = api.req(Method::DELETE, "/me").send().await.unwrap();
        assert_eq!(r.status(), 405);
        assert_eq!(r.headers()["allow"], "GET");
        let r = api.req(Method::PATCH, "/notes/1").send().await.unwrap();
        assert_eq!(r.headers()["allow"], "GET, PUT, DELETE");
        let r = api.get("/me").send().await.unwrap();
        assert_unauthorized(r).await;
        let r = api.get("/.well-known/jwks.json").send().await.unwrap();
        assert_eq!(r.status(), 200);
        let r = api
            .req(Method::POST, "/login")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 415);
    }
}

/// Flaw 26: anyone changes anyone's password.
#[tokio::test]
async fn password_change_of_another_account() {
    for api in both().await {
        let bob = api.token_of("bob").await;
        let r = api
            .req(Method::PUT, "/users/alice/password")
            .bearer_auth(&bob)
            .json(&json!({"password": "taken-over-1"}))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let login = api
            .req(Method::POST, "/login")
            .json(&json!({"username": "alice", "password": "taken-over-1"}))
            .send()
            .await
            .unwrap()
            .status();
        if api.flawed() {
            assert_eq!((status, login), (StatusCode::NO_CONTENT, StatusCode::OK));
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN);
            assert_eq!(login, StatusCode::UNAUTHORIZED);
        }
        // the owner may, in both
        let r = api
            .req(Method::PUT, "/users/bob/password")
            .bearer_auth(&bob)
            .json(&json!({"password": "bob-new-pw"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT, "{:?}", api.flaws);
        api.login("bob", "bob-new-pw").await;
        let r = api
            .req(Method::PUT, "/users/nobody/password")
            .bearer_auth(&bob)
            .json(&json!({"password": "whatever-1"}))
            .send()
            .await
            .unwrap();
        let want = if api.flawed() { 404 } else { 403 };
        assert_eq!(r.status(), want);
    }
}

/// Flaw 29: the password reset tells who has an account.
#[tokio::test]
async fn password_reset_enumeration() {
    for api in both().await {
        let ask = |email: &str| {
            api.req(Method::POST, "/password-reset")
                .json(&json!({"email": email}))
                .send()
        };
        let (known_status, known) = json_of(ask("alice@acme.test").await.unwrap()).await;
        let (unknown_status, unknown) = json_of(ask("nobody@acme.test").await.unwrap()).await;
        if api.flawed() {
            assert_eq!(
                (known_status, unknown_status),
                (StatusCode::ACCEPTED, StatusCode::NOT_FOUND)
            );
            assert_eq!(unknown, json!({"error": "no account with that e-mail"}));
        } else {
            assert_eq!(
                (known_status, unknown_status),
                (StatusCode::ACCEPTED, StatusCode::ACCEPTED)
            );
            assert_eq!(known, unknown);
        }
        let (bad, _) = json_of(ask("not an address").await.unwrap()).await;
        assert_eq!(bad, StatusCode::BAD_REQUEST);
    }
}

/// Flaw 27: the export declares a 429 the flawed API never sends.
#[tokio::test]
async fn export_rate_limit() {
    for api in both().await {
        let token = api.token_of("alice").await;
        let mut statuses = Vec::new();
        for _ in 0..12 {
            let r = api
                .get("/reports/export")
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            statuses.push((
                r.status().as_u16(),
                r.headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_string()),
            ));
        }
        if api.flawed() {
            assert!(statuses.iter().all(|s| *s == (200, None)), "{statuses:?}");
        } else {
            assert!(
                statuses[..10].iter().all(|s| *s == (200, None)),
                "{statuses:?}"
            );
            assert_eq!(statuses[10], (429, Some("60".into())));
        }
    }
}

/// Flaw 28: the billing operation takes anyone's API key with a token.
#[tokio::test]
async fn billing_key_of_another_identity() {
    for api in both().await {
        let alice = api.token_of("alice").await;
        let with_key = |key: &str| {
            api.get("/billing")
                .bearer_auth(&alice)
                .header("X-API-Key", key)
                .send()
        };
        let own = with_key(API_KEYS[0].1).await.unwrap();
        assert_eq!(own.status(), 200);
        assert_eq!(
            own.json::<Value>().await.unwrap(),
            json!({"username": "alice", "plan": "free"})
        );
        let made_up = with_key("ak-nobody").await.unwrap().status();
        assert_eq!(made_up, 401);
        let bobs = with_key(API_KEYS[1].1).await.unwrap().status();
        let want = if api.flawed() { 200 } else { 401 };
        assert_eq!(bobs, want);
        let no_token = api
            .get("/billing")
            .header("X-API-Key", API_KEYS[0].1)
            .send()
            .await
            .unwrap();
        assert_eq!(no_token.status(), 401);
    }
}

/// The document and the auth file agree with the constants and the server.
#[tokio::test]
async fn spec_and_auth_agree() {
    let spec: Value = serde_saphyr::from_str(SPEC).unwrap();
    assert_eq!(spec["openapi"], "3.0.3");
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if method != "parameters" {
                ops.push(format!("{} {path}", method.to_uppercase()));
                assert!(op["operationId"].is_string(), "{method} {path}");
                // each operation declares its 4xx answers (the JWKS has none)
                let responses = op["responses"].as_object().unwrap();
                assert!(
                    path == "/.well-known/jwks.json"
                        || responses.keys().any(|k| k.starts_with('4')),
                    "{method} {path}"
                );
            }
        }
    }
    assert_eq!(ops.len(), 21, "{ops:?}");
    let admin = &spec["paths"]["/admin/users"]["get"];
    assert_eq!(
        (admin["x-roles"].clone(), admin["description"].clone()),
        (json!(["admin"]), json!("Admin only"))
    );
    assert_eq!(
        spec["components"]["securitySchemes"]["apiKeyAuth"]["name"],
        "X-API-Key"
    );
    assert_eq!(spec["security"], json!([{"bearerAuth": []}]));
    assert_eq!(
        spec["paths"]["/stats"]["get"]["security"],
        json!([{"apiKeyAuth": []}])
    );
    assert_eq!(
        spec["components"]["schemas"]["NewUser"]["properties"]["role"]["readOnly"],
        true
    );

    let auth: Value = serde_saphyr::from_str(AUTH).unwrap();
    let users = auth["auth"].as_array().unwrap();
    for (((user, entry), (name, password, role)), (_, key)) in
        users.iter().zip(users).zip(USERS).zip(API_KEYS)
    {
        assert_eq!(user, entry);
        assert_eq!(entry["name"], name);
        assert_eq!(entry["roles"], json!([role]));
        assert_eq!(
            entry["fixedHeaders"][0],
            json!({"name": "X-API-Key", "value": key})
        );
        let login = &entry["loginEndpointAuth"]["payloadUserPwd"];
        assert_eq!(
            (login["username"].as_str(), login["password"].as_str()),
            (Some(name), Some(password))
        );
    }
    assert_eq!(
        auth["authTemplate"]["loginEndpointAuth"]["token"]["sendTemplate"],
        "Bearer {token}"
    );

    // every declared operation is routed (no 404) on both servers
    for api in both().await {
        for op in &ops {
            let (method, path) = op.split_once(' ').unwrap();
            let path = path
                .replace("{id}", "1")
                .replace("{name}", "readme.txt")
                .replace("{username}", "alice");
            let r = api
                .req(Method::from_bytes(method.as_bytes()).unwrap(), &path)
                .send()
                .await
                .unwrap();
            assert_ne!(r.status(), 404, "{op} on {:?}", api.flaws);
            assert_ne!(r.status(), 405, "{op} on {:?}", api.flaws);
        }
    }
}
