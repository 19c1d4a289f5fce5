//! `seam proxy --openapi SPEC --to URL`: a validating proxy. Every request is
//! forwarded to the real service (seam mock's proxy), both directions are
//! checked against the spec (seam-mock's `conformance`), violations go in the
//! answer's headers and the journal, and the JSON, JUnit and HTML reports are
//! written when the proxy stops (Ctrl-C, SIGTERM or `POST /__admin/shutdown`):
//! exit 1 when any exchange broke the spec, 0 when none did.

use crate::reports::{self, Requested};
use crate::{exit, failure::input, CliError, Outcome};
use clap::Args;
use seam_mock::conformance::Conformance;
use seam_mock::{MockConfig, MockServer};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct ProxyArgs {
    /// The OpenAPI document (2.0, 3.0 or 3.1; YAML or JSON) exchanges are
    /// checked against.
    #[arg(long, value_name = "SPEC")]
    openapi: PathBuf,
    /// The real service's base URL every request is forwarded to.
    #[arg(long, value_name = "URL", value_parser = parse_target)]
    to: String,
    /// Port on 127.0.0.1 (0 picks a free one, printed at start).
    #[arg(long, short, default_value_t = 8080, conflicts_with = "bind")]
    port: u16,
    /// Full bind address, e.g. 0.0.0.0:8080.
    #[arg(long)]
    bind: Option<SocketAddr>,
    /// Answer an exchange that breaks the spec with a 502
    /// application/problem+json listing the violations (a request that breaks
    /// it is not forwarded), instead of relaying it with the violation headers.
    #[arg(long)]
    errors: bool,
    /// Write a WireMock mapping for each forwarded exchange here (as `seam mock
    /// --proxy URL --record DIR`).
    #[arg(long, value_name = "DIR")]
    record: Option<PathBuf>,
    /// How many requests the journal (`GET /__admin/requests`) keeps.
    #[arg(long, default_value_t = seam_mock::journal::DEFAULT_CAPACITY)]
    journal: usize,
    /// Write a JSON report here when the proxy stops.
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,
    /// Write a JUnit XML report here when the proxy stops (a test case per
    /// operation seen).
    #[arg(long, value_name = "FILE")]
    report_junit: Option<PathBuf>,
    /// Write a self-contained HTML report here when the proxy stops.
    #[arg(long, value_name = "FILE")]
    report_html: Option<PathBuf>,
}

/// An `http://` or `https://` URL with a host.
fn parse_target(s: &str) -> Result<String, String> {
    let rest = s
        .strip_prefix("http://")
        .or_else(|| s.strip_prefix("https://"))
        .ok_or_else(|| format!("`{s}` is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("`{s}` has no host"));
    }
    if s.contains('?') || s.contains('#') {
        return Err(format!(
            "`{s}`: give a base URL without a query or fragment"
        ));
    }
    Ok(s.trim_end_matches('/').to_string())
}

pub fn run(args: ProxyArgs) -> Result<Outcome, CliError> {
    crate::runtime()?.block_on(serve(args))
}

/// Loads the spec; every error is printed with its place and the command
/// stops with exit 2 (nothing is served from a broken spec).
fn load(args: &ProxyArgs) -> Result<Conformance, CliError> {
    let spec_errors = |errors: Vec<seam_openapi::SpecError>| {
        for e in &errors {
            eprintln!("error: {e}");
        }
        eprintln!(
            "error: {}: {} error(s); the proxy did not start",
            args.openapi.display(),
            errors.len()
        );
        CliError::Reported(exit::USAGE)
    };
    let spec = seam_openapi::load::load(&args.openapi).map_err(spec_errors)?;
    Conformance::new(spec, args.errors, true).map_err(spec_errors)
}

/// Resolves when the process is asked to stop: Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

async fn serve(args: ProxyArgs) -> Result<Outcome, CliError> {
    let conformance = Arc::new(load(&args)?);
    let operations = conformance.spec().operations.len();
    let title = conformance.spec().title.clone();
    let config = MockConfig {
        addr: args
            .bind
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], args.port))),
        journal_capacity: args.journal,
        proxy: Some(args.to.clone()),
        record_dir: args.record.clone(),
        ..Default::default()
    };
    let server = MockServer::start(config, Vec::new()).await.map_err(input)?;
    // set before the address is printed: no client can have been answered yet
    let _ = server.state().conformance.set(conformance.clone());
    println!(
        "seam proxy listening on {} -> {} (checking against {title}: {operations} operation(s){})",
        server.base_url(),
        args.to,
        if args.errors { ", --errors" } else { "" }
    );
    tokio::select! {
        _ = stop_signal() => {}
        _ = server.state().admin.shutdown_requested() => {}
    }
    server.shutdown().await;
    let report = conformance.report(&args.to);
    println!("seam proxy: {}", report.summary());
    let json = || serde_json::to_string_pretty(&report.to_json()).expect("JSON serializes") + "\n";
    let junit = || report.to_junit();
    let html = || report.to_html();
    reports::write_all(&[
        Requested::new("json", args.report_json.as_ref(), &json),
        Requested::new("junit", args.report_junit.as_ref(), &junit),
        Requested::new("html", args.report_html.as_ref(), &html),
    ])?;
    Ok(if report.passed() {
        exit::OK
    } else {
        exit::FAILED
    })
}

#[cfg(test)]
mod tests {
    use super::parse_target;

    #[test]
    fn targets_are_base_urls() {
        assert_eq!(
            parse_target("http://127.0.0.1:9/api/").unwrap(),
            "http://127.0.0.1:9/api"
        );
        assert!(parse_target("127.0.0.1:9").unwrap_err().contains("http://"));
        assert!(parse_target("http:///x").unwrap_err().contains("no host"));
        assert!(parse_target("http://h/?a=1").unwrap_err().contains("query"));
    }
}
