//! Seamline's contract broker (`seam broker`): pacts, pacticipants,
//! versions, branches, tags, environments, deployments, releases and
//! verification results, stored in SQLite (a file in the data directory) or
//! PostgreSQL, served through the Pact Broker's HTTP API so the official
//! clients work with it unchanged.
//!
//! Modules: the tables (`schema`), reads and writes (`store`), links and
//! names (`hal`), what handlers share: state, errors, answers (`answer`),
//! how it is set up (`config`: credentials, roles, webhook limits),
//! the credentials check (`auth`), the router, index, health and metrics
//! (`api`), and one module per group of resources (`pacticipants`, `pacts`,
//! `history`, `for_verification`, `environments`, `matrix`, `badges`,
//! `webhooks` with its delivery queue), and `clean`, which removes what
//! no question will ask about again; `explain` reads why a verification
//! failed from its test results; `delivery` computes the delivery metrics
//! (deployment frequency, lead time, change failure rate, time to restore);
//! `ui` renders the web pages; `bidirectional` takes provider contracts
//! (OpenAPI) and checks pacts against them with seam-compat.

mod answer;
mod api;
pub mod auth;
mod badges;
mod bidirectional;
pub mod clean;
pub mod config;
mod delivery;
mod environments;
mod explain;
mod for_verification;
mod hal;
mod history;
mod matrix;
mod pacticipants;
mod pacts;
mod schema;
pub mod store;
mod ui;
pub mod webhooks;

pub use config::WebhookConfig;
pub use config::{AuthConfig, Role};
pub use store::{Store, StoreError};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// How to start a broker.
#[derive(Debug, Clone)]
pub struct BrokerConfig {
    pub addr: SocketAddr,
    /// Where the SQLite database lives (ignored with `database_url`).
    pub data_dir: PathBuf,
    /// `postgres://...` (or `sqlite://...`) instead of the data directory's file.
    pub database_url: Option<String>,
    /// The URL links are built from (behind a proxy); else where it listens.
    pub base_url: Option<String>,
    /// Lets a consumer version's pact be republished with other content.
    pub allow_contract_modification: bool,
    /// Serves `POST /test/clock` to move the broker's clock (tests only).
    pub test_clock: bool,
    /// Tokens, users and what is public.
    pub auth: config::AuthConfig,
    /// Where webhooks may send, how they retry.
    pub webhooks: config::WebhookConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot create the data directory {dir}: {reason}")]
    DataDir { dir: String, reason: String },
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: SocketAddr, reason: String },
}

/// A running broker.
pub struct Broker {
    pub local_addr: SocketAddr,
    base_url: String,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Broker {
    pub async fn start(config: BrokerConfig) -> Result<Broker, BrokerError> {
        let url = match &config.database_url {
            Some(url) => url.clone(),
            None => {
                std::fs::create_dir_all(&config.data_dir).map_err(|e| BrokerError::DataDir {
                    dir: config.data_dir.display().to_string(),
                    reason: e.to_string(),
                })?;
                Store::sqlite_url(&config.data_dir)
            }
        };
        let store = Store::open(&url).await?;
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| BrokerError::Bind {
                addr: config.addr,
                reason: e.to_string(),
            })?;
        let local_addr = listener.local_addr().map_err(|e| BrokerError::Bind {
            addr: config.addr,
            reason: e.to_string(),
        })?;
        let base_url = config
            .base_url
            .as_deref()
            .map(|b| b.trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("http://{local_addr}"));
        let state = Arc::new(answer::AppState {
            store,
            base_url: OnceLock::new(),
            test_clock: config.test_clock,
            allow_contract_modification: config.allow_contract_modification,
            auth: config.auth.clone(),
            webhooks: Arc::new(config.webhooks.clone()),
            webhook_wakeup: Arc::new(tokio::sync::Notify::new()),
        });
        let worker = tokio::spawn(webhooks::queue::run(
            state.store.clone(),
            state.webhooks.clone(),
            state.webhook_wakeup.clone(),
        ));
        let _ = state
            .base_url
            .set(base_url.trim_end_matches('/').to_string());
        let app = api::router(state);
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            // a delivery cut short stays queued and is sent again later
            worker.abort();
        });
        Ok(Broker {
            local_addr,
            base_url,
            shutdown,
            task,
        })
    }

    /// Where it listens, as links are built (`--base-url` when given).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Where it listens, whatever the links say.
    pub fn local_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// Stops accepting, lets requests in flight finish.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }

    /// Runs until the task ends (it ends only on shutdown).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}
