//! `seam mock`: serve stubs from seam stub files, WireMock directories and
//! pacts, and answers from OpenAPI specs (`--openapi`) where no stub matches.

use crate::{exit, failure::input, CliError, Outcome};
use clap::Args;
use seam_mock::server::RequestLog;
use seam_mock::setup::{self, Tls};
use seam_mock::stub::{Chaos, ChaosOutcome, Delay, Fault};
use seam_mock::{MockConfig, MockServer};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args)]
pub struct MockArgs {
    /// Stub sources: seam stub files (.yaml/.json), WireMock directories
    /// (mappings/ + __files/) or mapping files, pact files. Repeatable.
    #[arg(long = "stubs", short = 's', value_name = "PATH")]
    stubs: Vec<PathBuf>,
    /// Pact files whose interactions become stubs. Repeatable.
    #[arg(long = "pact", value_name = "FILE")]
    pacts: Vec<PathBuf>,
    /// OpenAPI specs (YAML or JSON, 2.0, 3.0 or 3.1) to answer from when no
    /// stub matches: examples, else data generated from the schemas; requests
    /// validated. Repeatable.
    #[arg(long = "openapi", value_name = "SPEC")]
    openapi: Vec<PathBuf>,
    /// With --openapi: always generate bodies from the schemas (as if each
    /// request sent `Prefer: dynamic=true`).
    #[arg(long, requires = "openapi")]
    dynamic: bool,
    /// With --openapi: the seed for generated data (the same seed gives the
    /// same bodies).
    #[arg(long, value_name = "N", default_value_t = 0, requires = "openapi")]
    seed: u64,
    /// With --openapi: check requests against the spec (401, 415, 422);
    /// `--validate-requests=false` answers every routed request.
    #[arg(long, value_name = "BOOL", default_value_t = true, action = clap::ArgAction::Set)]
    validate_requests: bool,
    /// Port on 127.0.0.1 (0 picks a free one, printed at start).
    #[arg(long, short, default_value_t = 8080, conflicts_with = "bind")]
    port: u16,
    /// Full bind address, e.g. 0.0.0.0:8080.
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Serve HTTPS (and h2 by ALPN) with a self-signed certificate for localhost.
    #[arg(long, conflicts_with_all = ["tls_cert", "tls_key"])]
    tls_self_signed: bool,
    /// PEM certificate chain for HTTPS.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Forward requests no stub matches to this base URL.
    #[arg(long, value_name = "URL")]
    proxy: Option<String>,
    /// With --proxy: write a WireMock mapping for each proxied request here.
    #[arg(long, value_name = "DIR", requires = "proxy")]
    record: Option<PathBuf>,
    /// How many requests the journal keeps (per-stub counters are kept forever).
    #[arg(long, default_value_t = seam_mock::journal::DEFAULT_CAPACITY)]
    journal: usize,
    /// Chaos for every stubbed answer: PERCENT:STATUS or PERCENT:FAULT, e.g. 10:503.
    #[arg(long, value_name = "SPEC", value_parser = parse_chaos)]
    chaos: Option<Chaos>,
    /// A fixed delay added to every stubbed answer, in milliseconds (at most
    /// 300000, 5 minutes).
    #[arg(long, value_name = "MS", value_parser = parse_delay)]
    delay: Option<u64>,
    /// Reload stubs when their files change.
    #[arg(long)]
    watch: bool,
    /// Close a connection that has not sent a complete request head this long
    /// after opening (or after its request's first byte): 500ms, 10s, 1m; 0 or
    /// off disables.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_timeout)]
    header_read_timeout: Timeout,
    /// Close a kept-alive connection with no request in flight after this
    /// long: 500ms, 60s, 5m; 0 or off disables.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_timeout)]
    idle_timeout: Timeout,
    /// Log every request to stderr with the stub that answered (unmatched
    /// requests are always logged, with the closest stub).
    #[arg(long, short = 'v')]
    verbose: bool,
    /// Render every answer as a Handlebars template, as if each stub named
    /// the `response-template` transformer (WireMock's flag of the same name).
    #[arg(long)]
    global_response_templating: bool,
}

fn parse_delay(s: &str) -> Result<u64, String> {
    let ms: u64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a whole number of milliseconds"))?;
    seam_mock::stub::check_delay_ms("--delay", ms)
}

/// A timeout flag's value; `None`: off.
#[derive(Debug, Clone, Copy)]
struct Timeout(Option<Duration>);

/// `500ms`, `10s`, `2m` (or a bare number of seconds); `0` or `off`: none.
fn parse_timeout(s: &str) -> Result<Timeout, String> {
    let t = s.trim();
    if t == "off" || t == "0" {
        return Ok(Timeout(None));
    }
    let (number, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (expected e.g. 500ms, 10s, 2m or off)"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => {
            return Err(format!(
                "`{s}`: unknown unit `{unit}` (expected ms, s or m)"
            ))
        }
    };
    if d > Duration::from_secs(24 * 3600) {
        return Err(format!("`{s}` is longer than a day"));
    }
    Ok(Timeout((!d.is_zero()).then_some(d)))
}

fn parse_chaos(s: &str) -> Result<Chaos, String> {
    let (pct, what) = s
        .split_once(':')
        .ok_or("expected PERCENT:STATUS or PERCENT:FAULT, e.g. 10:503")?;
    let percent: f64 = pct
        .trim_end_matches('%')
        .parse()
        .map_err(|_| format!("`{pct}` is not a percentage"))?;
    if !(0.0..=100.0).contains(&percent) {
        return Err(format!("{percent} is not between 0 and 100"));
    }
    let outcome = match what.parse::<u16>() {
        Ok(status) => ChaosOutcome::Status(status),
        Err(_) => ChaosOutcome::Fault(
            Fault::parse(what)
                .ok_or_else(|| format!("`{what}` is neither a status nor a fault"))?,
        ),
    };
    Ok(Chaos {
        probability: percent / 100.0,
        outcome,
    })
}

extern "C" {
    /// mimalloc's collection (the binary's global allocator, linked in by the
    /// `mimalloc` crate): frees what it can and gives free memory back to
    /// the system now.
    fn mi_collect(force: bool);
    /// Sets one of mimalloc's options (see [`PURGE_DELAY`]).
    fn mi_option_set(option: i32, value: std::ffi::c_long);
}

/// mimalloc's `mi_option_purge_delay` (v2's `mi_option_t`: the 16th option):
/// how long freed memory is kept before it goes back to the system, 10 ms
/// by default.
const PURGE_DELAY: i32 = 15;

/// While stubs are read, memory freed goes back to the system at once: the
/// temporaries of 10,000 mappings otherwise stay resident (about 3 KB a stub
/// on top of the stubs' own 5 KB). Serving goes back to mimalloc's default,
/// which is faster under load.
fn purge_at_once(on: bool) {
    // SAFETY: mi_option_set takes no pointers and may be called at any time
    unsafe { mi_option_set(PURGE_DELAY, if on { 0 } else { 10 }) }
}

/// After an admin request: without it, mimalloc keeps memory freed by, say,
/// `/__admin/reset` after an import of 100,000 stubs (800 MB) until the
/// threads that allocated it allocate again, which an idle server never does.
fn release_memory() {
    // SAFETY: mi_collect takes no pointers and may be called at any time
    unsafe { mi_collect(true) }
}

pub fn run(args: MockArgs) -> Result<Outcome, CliError> {
    crate::runtime()?.block_on(serve(args))
}

async fn serve(args: MockArgs) -> Result<Outcome, CliError> {
    purge_at_once(true);
    let mut stubs = Vec::new();
    let sources: Vec<PathBuf> = args.stubs.iter().chain(&args.pacts).cloned().collect();
    for path in &sources {
        // a stub that cannot be used is skipped with a warning (once, here)
        // and the rest are served
        let loaded = seam_mock::sources::load_all(path).map_err(input)?;
        for w in loaded.skipped.iter() {
            eprintln!("seam mock: warning: skipped: {w}");
        }
        for w in loaded.notes.iter() {
            eprintln!("seam mock: warning: {w}");
        }
        stubs.extend(loaded.stubs);
    }
    // a broken spec stops the start with every positioned error: never half-served
    let openapi_options = seam_mock::openapi::OpenApiOptions {
        validate_requests: args.validate_requests,
        dynamic: args.dynamic,
        seed: args.seed,
    };
    let openapi = if args.openapi.is_empty() {
        None
    } else {
        match seam_mock::openapi::OpenApiMock::load(&args.openapi, openapi_options) {
            Ok(mock) => Some(std::sync::Arc::new(mock)),
            Err(errors) => {
                for e in &errors {
                    eprintln!("seam mock: {e}");
                }
                return Err(CliError::Input(format!(
                    "{} error(s) in the OpenAPI spec(s); nothing served",
                    errors.len()
                )));
            }
        }
    };
    let tls = if args.tls_self_signed {
        Tls::SelfSigned
    } else if let (Some(cert), Some(key)) = (&args.tls_cert, &args.tls_key) {
        Tls::Files {
            cert: cert.clone(),
            key: key.clone(),
        }
    } else {
        Tls::Off
    };
    let config = MockConfig {
        addr: args
            .bind
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], args.port))),
        tls: tls.server_config().map_err(CliError::Input)?,
        journal_capacity: args.journal,
        files_dir: setup::files_dir(&args.stubs),
        mappings_dir: setup::mappings_dir(&args.stubs),
        sources: sources.clone(),
        proxy: args.proxy.clone(),
        record_dir: args.record.clone(),
        chaos: args.chaos.clone(),
        delay: args.delay.map(|ms| Delay::Fixed { milliseconds: ms }),
        timeouts: seam_http::Timeouts {
            header_read: args.header_read_timeout.0,
            idle: args.idle_timeout.0,
        },
        request_log: if args.verbose {
            RequestLog::All
        } else {
            RequestLog::Unmatched
        },
        global_templating: args.global_response_templating,
        release_memory: Some(release_memory),
    };
    let count = stubs.len();
    let server = MockServer::start(config, stubs).await.map_err(input)?;
    let operations = openapi.as_ref().map(|m| m.operation_count());
    server.state().openapi.store(openapi);
    // what reading the files allocated and freed goes back to the system
    // before the first request (a 10,000-stub table: about 25 MB)
    release_memory();
    purge_at_once(false);
    match operations {
        Some(n) => println!(
            "seam mock listening on {} ({count} stub(s), {n} OpenAPI operation(s))",
            server.base_url()
        ),
        None => println!(
            "seam mock listening on {} ({count} stub(s))",
            server.base_url()
        ),
    }
    if args.watch && !args.openapi.is_empty() {
        seam_mock::openapi::spawn_watcher(
            server.state().clone(),
            args.openapi.clone(),
            openapi_options,
            Duration::from_millis(250),
            |m| eprintln!("seam mock: {m}"),
        );
    }
    if args.watch && !sources.is_empty() {
        seam_mock::sources::spawn_reloader(
            server.state().clone(),
            sources,
            Duration::from_millis(250),
            |m| eprintln!("seam mock: {m}"),
        );
    }
    // Ctrl-C, or a client's `POST /__admin/shutdown` (as WireMock stops)
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = server.state().admin.shutdown_requested() => {}
    }
    server.shutdown().await;
    Ok(exit::OK)
}
