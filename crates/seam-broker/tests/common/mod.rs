//! Brokers for the tests on each backend: SQLite in a temporary directory,
//! and PostgreSQL in a database of its own when `SEAM_BROKER_TEST_POSTGRES`
//! names a server (`.ci/run` starts one; without it the PostgreSQL tests
//! skip with one line, and fail under `CI=true`).

#![allow(dead_code)] // each test binary uses a different part
#![allow(unused_macros)]

/// A test on SQLite and its twin on PostgreSQL (skipped visibly without a
/// server), both running `body(backend)`.
macro_rules! on_both_backends {
    ($sqlite:ident, $postgres:ident, $body:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            $body(common::Backend::Sqlite).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            if common::postgres_url(stringify!($sqlite)).is_some() {
                $body(common::Backend::Postgres).await;
            }
        }
    };
}

use seam_broker::{Broker, BrokerConfig};
use sqlx::Connection;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL admin URL, or `None` after saying why the test skips.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("SEAM_BROKER_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            seam_testkit::skip(&format!(
                "{test} on PostgreSQL: SEAM_BROKER_TEST_POSTGRES is not set (`. .ci/postgres.sh` starts a server and sets it)"
            ));
            None
        }
    }
}

/// A running broker and what to remove after it.
pub struct TestBroker {
    pub broker: Broker,
    _dir: Option<tempfile::TempDir>,
    database: Option<(String, String)>,
}

impl TestBroker {
    pub fn url(&self) -> String {
        self.broker.base_url().to_string()
    }

    pub async fn stop(self) {
        self.broker.shutdown().await;
        if let Some((admin, name)) = self.database {
            if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut conn)
                    .await;
            }
        }
    }
}

/// A broker on an empty store of `backend`.
pub async fn start(
    backend: Backend,
    allow_contract_modification: bool,
    test_clock: bool,
) -> TestBroker {
    start_with_auth(
        backend,
        allow_contract_modification,
        test_clock,
        Default::default(),
    )
    .await
}

/// A broker on an empty store of `backend` whose links start with `base_url`
/// (it still listens on loopback: send to `broker.local_url()`).
pub async fn start_at(
    backend: Backend,
    base_url: &str,
    allow_contract_modification: bool,
) -> TestBroker {
    start_with(
        backend,
        Options {
            allow_contract_modification,
            base_url: Some(base_url.to_string()),
            ..Default::default()
        },
    )
    .await
}

/// A broker on an empty store of `backend` that checks credentials.
pub async fn start_with_auth(
    backend: Backend,
    allow_contract_modification: bool,
    test_clock: bool,
    auth: seam_broker::AuthConfig,
) -> TestBroker {
    start_with(
        backend,
        Options {
            allow_contract_modification,
            test_clock,
            auth,
            ..Default::default()
        },
    )
    .await
}

/// How a test broker is set up beyond its backend.
pub struct Options {
    pub allow_contract_modification: bool,
    pub test_clock: bool,
    pub auth: seam_broker::AuthConfig,
    /// Where links start (the broker still listens on loopback).
    pub base_url: Option<String>,
    pub webhooks: seam_broker::WebhookConfig,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            allow_contract_modification: false,
            test_clock: false,
            auth: Default::default(),
            base_url: None,
            // loopback receivers, retried quickly
            webhooks: seam_broker::WebhookConfig {
                schemes: vec!["http".into()],
                retry_schedule: vec![std::time::Duration::from_millis(200); 3],
                ..Default::default()
            },
        }
    }
}

/// GETs `url` and reads its JSON.
pub async fn get_json(client: &reqwest::Client, url: &str) -> serde_json::Value {
    client
        .get(url)
        .send()
        .await
        .expect("the broker answers")
        .json()
        .await
        .expect("a JSON answer")
}

/// GETs `url` (asking for `accept`) until its JSON satisfies `done`, for up
/// to 10 s; the last answer.
pub async fn get_until(
    client: &reqwest::Client,
    url: &str,
    accept: &str,
    done: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    for _ in 0..200 {
        let body: serde_json::Value = client
            .get(url)
            .header("Accept", accept)
            .send()
            .await
            .expect("the broker answers")
            .json()
            .await
            .unwrap_or_default();
        if done(&body) {
            return body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{url} never got there");
}

/// A receiver on loopback answering 200, with an empty body, to any
/// request: where examples' webhooks are sent instead of the internet.
#[allow(dead_code)]
pub async fn ok_receiver() -> String {
    let app = axum::Router::new().fallback(|| async { axum::http::StatusCode::OK });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// A broker on an empty store of `backend`, set up as `options` say.
pub async fn start_with(backend: Backend, options: Options) -> TestBroker {
    let Options {
        allow_contract_modification,
        test_clock,
        auth,
        base_url,
        webhooks,
    } = options;
    let (dir, database_url, database) = match backend {
        Backend::Sqlite => (Some(tempfile::tempdir().expect("tempdir")), None, None),
        Backend::Postgres => {
            let admin = std::env::var("SEAM_BROKER_TEST_POSTGRES").expect("checked by the caller");
            let name = format!("seam_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("the test PostgreSQL answers");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("a database for the test");
            let (server, _) = admin.rsplit_once('/').expect("a database in the URL");
            (
                None,
                Some(format!("{server}/{name}")),
                Some((admin.clone(), name)),
            )
        }
    };
    let broker = Broker::start(BrokerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        data_dir: dir
            .as_ref()
            .map(|d| d.path().to_path_buf())
            .unwrap_or_default(),
        database_url,
        base_url,
        allow_contract_modification,
        test_clock,
        auth,
        webhooks,
    })
    .await
    .expect("broker starts");
    TestBroker {
        broker,
        _dir: dir,
        database,
    }
}

/// A `POST /contracts/publish` body: web `version` publishes its pact with
/// orders, one interaction `GET path`, on branch main.
pub fn publish_body(version: &str, path: &str) -> serde_json::Value {
    use base64::Engine;
    let pact = serde_json::json!({
        "consumer": {"name": "web"}, "provider": {"name": "orders"},
        "interactions": [{"description": "x", "request": {"method": "GET", "path": path}, "response": {"status": 200}}]
    });
    serde_json::json!({
        "pacticipantName": "web",
        "pacticipantVersionNumber": version,
        "branch": "main",
        "contracts": [{
            "consumerName": "web", "providerName": "orders", "specification": "pact",
            "contentType": "application/json",
            "content": base64::engine::general_purpose::STANDARD.encode(pact.to_string()),
        }]
    })
}

/// Publishes a verification result of the latest pact between `consumer`
/// and `provider` by provider `version`, through the pact's own link.
pub async fn verify(
    client: &reqwest::Client,
    base: &str,
    consumer: &str,
    provider: &str,
    success: bool,
    version: &str,
) {
    verify_with(client, base, consumer, provider, success, version, None).await;
}

/// As [`verify`], the provider version on `branch` when given.
pub async fn verify_with(
    client: &reqwest::Client,
    base: &str,
    consumer: &str,
    provider: &str,
    success: bool,
    version: &str,
    branch: Option<&str>,
) {
    let pact: serde_json::Value = client
        .get(format!(
            "{base}/pacts/provider/{provider}/consumer/{consumer}/latest"
        ))
        .send()
        .await
        .expect("the broker answers")
        .json()
        .await
        .expect("a pact");
    let href = pact["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .expect("the results link");
    // links carry the broker's base URL, which may not be where it listens
    let path = &href[href.find("/pacts/").expect("a pact path")..];
    let r = client
        .post(format!("{base}{path}"))
        .json(&serde_json::json!({"success": success, "providerApplicationVersion": version, "providerVersionBranch": branch}))
        .send()
        .await
        .expect("the broker answers");
    assert_eq!(r.status(), 201, "publishing a verification");
}
