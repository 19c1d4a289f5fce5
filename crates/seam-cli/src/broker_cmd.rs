//! `seam broker`: the contract broker on a port, its data in a directory
//! (SQLite) or a PostgreSQL database; prints its URL once it listens.

use crate::{exit, CliError, Outcome};
use clap::{Args, Subcommand};
use seam_broker::clean::Keep;
use seam_broker::{AuthConfig, Broker, BrokerConfig, Role, Store, WebhookConfig};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BrokerArgs {
    #[command(subcommand)]
    command: Option<BrokerCommand>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum BrokerCommand {
    /// Remove versions no keep selector picks (with their pacts, tags and
    /// verifications), overwritten pacts, repeated verifications and old
    /// webhook deliveries, in batches; safe while the broker runs.
    Clean(CleanArgs),
    /// Ask a broker whether a version can be deployed: exit 0 yes, 1 no or
    /// not known, 2 bad input, 3 no answer. `--explain` names the
    /// interactions and fields that failed verification.
    CanIDeploy(Box<crate::broker_client_cmd::CanIDeployArgs>),
}

#[derive(Args)]
struct CleanArgs {
    /// Directory of the SQLite database.
    #[arg(long, default_value = "seam-broker-data")]
    data: PathBuf,
    /// A PostgreSQL database instead (also SEAM_BROKER_DATABASE_URL).
    #[arg(long, env = "SEAM_BROKER_DATABASE_URL")]
    database_url: Option<String>,
    /// A version to keep, as a Pact Broker keep selector (repeatable), e.g.
    /// '{"branch": true, "latest": true}', '{"tag": "prod"}',
    /// '{"deployedOrReleased": true}', '{"mainBranch": true, "max_age": 30}'.
    /// Default: the latest of each pacticipant, branch and tag, what is
    /// deployed or released, and anything from the last 90 days. What is
    /// deployed or released now is always kept.
    #[arg(long = "keep", value_name = "JSON")]
    keep: Vec<String>,
    /// Versions removed per transaction.
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// Count what would go; change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args)]
struct ServeArgs {
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
    /// With credentials configured, let anyone read (writes still need them).
    #[arg(long)]
    allow_public_read: bool,
    /// With credentials configured, let anyone fetch badges (for a README).
    #[arg(long)]
    public_badges: bool,
    /// URL schemes webhooks may use, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "https")]
    webhook_schemes: Vec<String>,
    /// Hosts webhooks may call, comma-separated: names or `*.example.com`
    /// (default: any host).
    #[arg(long, value_delimiter = ',')]
    webhook_hosts: Vec<String>,
    /// Seconds to wait before each retry of a failed webhook delivery,
    /// comma-separated; attempts are one more than the waits.
    #[arg(long, value_delimiter = ',', default_value = "10,60,120,300,600,1200")]
    webhook_retry_schedule: Vec<u64>,
    /// Seconds one webhook request may take.
    #[arg(long, default_value_t = 10)]
    webhook_timeout: u64,
    /// Store a webhook's basic-auth password written in plain text (shown
    /// masked), as the Pact Broker does, instead of refusing it in favour
    /// of `${secret.NAME}`.
    #[arg(long)]
    webhook_plaintext_passwords: bool,
}

/// Reads the broker's credentials from the environment, never from the
/// command line (where `ps` would show them): comma-separated tokens per
/// role, and the Pact Broker's two basic-auth users (its own variable
/// names are accepted too).
fn auth_from_env(args: &ServeArgs) -> Result<AuthConfig, CliError> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let mut tokens = Vec::new();
    for (name, role) in [
        ("SEAM_BROKER_READ_TOKENS", Role::Read),
        ("SEAM_BROKER_WRITE_TOKENS", Role::Write),
        ("SEAM_BROKER_ADMIN_TOKENS", Role::Admin),
    ] {
        for token in var(name).unwrap_or_default().split(',') {
            let token = token.trim();
            if token.is_empty() {
                continue;
            }
            if token.len() < 16 {
                return Err(CliError::Input(format!(
                    "{name}: a token must be at least 16 characters (one is {}); `openssl rand -hex 32` makes a good one",
                    token.len()
                )));
            }
            tokens.push((token.to_string(), role));
        }
    }
    let mut users = Vec::new();
    for (prefix, role) in [
        ("BASIC_AUTH", Role::Write),
        ("BASIC_AUTH_READ_ONLY", Role::Read),
    ] {
        let user = var(&format!("SEAM_BROKER_{prefix}_USERNAME"))
            .or_else(|| var(&format!("PACT_BROKER_{prefix}_USERNAME")));
        let password = var(&format!("SEAM_BROKER_{prefix}_PASSWORD"))
            .or_else(|| var(&format!("PACT_BROKER_{prefix}_PASSWORD")));
        match (user, password) {
            (Some(user), Some(password)) => users.push((user, password, role)),
            (None, None) => {}
            (Some(_), None) => {
                return Err(CliError::Input(format!(
                    "SEAM_BROKER_{prefix}_USERNAME is set but SEAM_BROKER_{prefix}_PASSWORD is not"
                )))
            }
            (None, Some(_)) => {
                return Err(CliError::Input(format!(
                    "SEAM_BROKER_{prefix}_PASSWORD is set but SEAM_BROKER_{prefix}_USERNAME is not"
                )))
            }
        }
    }
    let config = AuthConfig {
        tokens,
        users,
        public_read: args.allow_public_read,
        public_badges: args.public_badges,
    };
    if !config.enabled() && (args.allow_public_read || args.public_badges) {
        return Err(CliError::Input(
            "--allow-public-read and --public-badges open parts of a broker that has credentials, and none are set (SEAM_BROKER_WRITE_TOKENS, SEAM_BROKER_BASIC_AUTH_USERNAME, ...)".into(),
        ));
    }
    Ok(config)
}

/// How the first line describes the broker's credentials.
fn describe_auth(auth: &AuthConfig) -> String {
    if !auth.enabled() {
        return "no credentials: anyone may read and write".into();
    }
    let mut parts = Vec::new();
    let n = auth.tokens.len();
    if n > 0 {
        parts.push(format!("{n} token{}", if n == 1 { "" } else { "s" }));
    }
    let n = auth.users.len();
    if n > 0 {
        parts.push(format!(
            "{n} basic-auth user{}",
            if n == 1 { "" } else { "s" }
        ));
    }
    if auth.public_read {
        parts.push("public reads".into());
    }
    if auth.public_badges {
        parts.push("public badges".into());
    }
    parts.join(", ")
}

pub fn run(args: BrokerArgs) -> Result<Outcome, CliError> {
    match args.command {
        Some(BrokerCommand::Clean(clean)) => crate::runtime()?.block_on(run_clean(clean)),
        Some(BrokerCommand::CanIDeploy(ask)) => crate::broker_client_cmd::run(*ask),
        None => crate::runtime()?.block_on(serve(args.serve)),
    }
}

async fn run_clean(args: CleanArgs) -> Result<Outcome, CliError> {
    let mut keep = Vec::new();
    for (n, text) in args.keep.iter().enumerate() {
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            CliError::Input(format!(
                "--keep #{}: not JSON at column {}: {text}",
                n + 1,
                e.column()
            ))
        })?;
        keep.push(
            Keep::read(&value).map_err(|e| CliError::Input(format!("--keep #{}: {e}", n + 1)))?,
        );
    }
    if keep.is_empty() {
        keep = Keep::defaults();
    }
    if args.batch == 0 {
        return Err(CliError::Input("--batch must be at least 1".into()));
    }
    let url = match &args.database_url {
        Some(url) => url.clone(),
        None => {
            if !args.data.join("broker.db").exists() {
                return Err(CliError::Input(format!(
                    "no broker database in {} (no broker.db there); --data names the directory `seam broker --data` used",
                    args.data.display()
                )));
            }
            Store::sqlite_url(&args.data)
        }
    };
    let store = Store::open(&url)
        .await
        .map_err(|e| CliError::Input(e.to_string()))?;
    let started = std::time::Instant::now();
    let report = seam_broker::clean::clean(&store, &keep, args.batch, args.dry_run)
        .await
        .map_err(|e| CliError::Input(e.to_string()))?;
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    let versions = |n: usize| format!("{n} version{}", if n == 1 { "" } else { "s" });
    println!(
        "{} kept; {verb} {}{}",
        versions(report.versions_kept),
        versions(report.versions_removed),
        if args.dry_run {
            String::new()
        } else {
            format!(" in {} batches of at most {}", report.batches, args.batch)
        }
    );
    println!(
        "{verb} {} overwritten pact revisions, {} repeated verifications, {} pact contents nothing publishes, {} webhook deliveries older than 30 days",
        report.overwritten_revisions,
        report.repeated_verifications,
        report.orphaned_pact_contents,
        report.old_webhook_deliveries
    );
    if !args.dry_run {
        let changes: Vec<String> = report
            .counts_before
            .iter()
            .zip(&report.counts_after)
            .filter(|((_, before), (_, after))| before != after)
            .map(|((table, before), (_, after))| format!("{table} {before} -> {after}"))
            .collect();
        if !changes.is_empty() {
            println!("rows: {}", changes.join(", "));
        }
        println!("done in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(exit::OK)
}

async fn serve(args: ServeArgs) -> Result<Outcome, CliError> {
    let auth = auth_from_env(&args)?;
    let credentials = describe_auth(&auth);
    let config = BrokerConfig {
        addr: SocketAddr::new(args.bind, args.port),
        data_dir: args.data.clone(),
        database_url: args.database_url.clone(),
        base_url: args.base_url.clone(),
        allow_contract_modification: args.allow_contract_modification,
        test_clock: args.test_clock,
        auth,
        webhooks: WebhookConfig {
            schemes: args.webhook_schemes.clone(),
            hosts: args.webhook_hosts.clone(),
            retry_schedule: args
                .webhook_retry_schedule
                .iter()
                .map(|s| Duration::from_secs(*s))
                .collect(),
            timeout: Duration::from_secs(args.webhook_timeout.max(1)),
            plaintext_passwords: args.webhook_plaintext_passwords,
        },
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
        println!("seam broker listening on {local} ({storage}; {credentials})");
    } else {
        println!(
            "seam broker listening on {local} (links as {}; {storage}; {credentials})",
            broker.base_url()
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    broker.shutdown().await;
    Ok(exit::OK)
}
