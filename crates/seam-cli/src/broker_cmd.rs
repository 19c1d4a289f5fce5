//! `seam broker`: the contract broker on a port, its data in a directory
//! (SQLite) or a PostgreSQL database; prints its URL once it listens.

use crate::{exit, CliError, Outcome};
use clap::Args;
use seam_broker::{Broker, BrokerConfig};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

#[derive(Args)]
pub struct BrokerArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 9292)]
    port: u16,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Directory of the SQLite database (`broker.db`), created when missing.
    #[arg(long, default_value = "seam-broker-data")]
    data: PathBuf,
    /// A PostgreSQL database instead (`postgres://user:pass@host/db`); also
    /// read from SEAM_BROKER_DATABASE_URL.
    #[arg(long, env = "SEAM_BROKER_DATABASE_URL")]
    database_url: Option<String>,
    /// The URL the broker's links start with, when clients reach it through a
    /// proxy (default: where it listens).
    #[arg(long)]
    base_url: Option<String>,
    /// Let a consumer version's pact be republished with different content
    /// (a new revision). Off: a changed pact for a published version is 409,
    /// as the Pact Broker refuses it.
    #[arg(long)]
    allow_contract_modification: bool,
    /// Serve `POST /test/clock` to move the broker's clock (for tests of
    /// time-dependent rules; never in production).
    #[arg(long, hide = true)]
    test_clock: bool,
}

pub fn run(args: BrokerArgs) -> Result<Outcome, CliError> {
    crate::runtime()?.block_on(serve(args))
}

async fn serve(args: BrokerArgs) -> Result<Outcome, CliError> {
    let config = BrokerConfig {
        addr: SocketAddr::new(args.bind, args.port),
        data_dir: args.data.clone(),
        database_url: args.database_url.clone(),
        base_url: args.base_url.clone(),
        allow_contract_modification: args.allow_contract_modification,
        test_clock: args.test_clock,
    };
    let broker = Broker::start(config)
        .await
        .map_err(|e| CliError::Input(e.to_string()))?;
    let storage = match &args.database_url {
        Some(url) => seam_broker::store::redact(url),
        None => format!("SQLite in {}", args.data.display()),
    };
    let local = broker.local_url();
    if broker.base_url() == local {
        println!("seam broker listening on {local} ({storage})");
    } else {
        println!(
            "seam broker listening on {local} (links as {}; {storage})",
            broker.base_url()
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    broker.shutdown().await;
    Ok(exit::OK)
}
