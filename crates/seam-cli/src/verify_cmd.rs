//! `seam verify`: provider verification against pact files, directories or URLs.

use crate::reports::{self, Requested};
use crate::{exit, failure::input, CliError, Outcome};
use clap::Args;
use seam_core::render::Style;
use seam_verify::{Verifier, VerifyError, VerifyOptions};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args)]
pub struct VerifyArgs {
    /// Pact files, directories of pact files, http(s) URLs, or seam YAML contracts.
    #[arg(required = true, value_name = "PACTS")]
    pacts: Vec<String>,
    /// The provider to verify, e.g. http://localhost:8080.
    #[arg(long, value_name = "URL")]
    provider_base_url: String,
    /// Where provider states are set up: POST {state, params, action}.
    #[arg(long, value_name = "URL")]
    provider_states_setup_url: Option<String>,
    /// Do not call the state-change URL with action=teardown.
    #[arg(long)]
    no_teardown: bool,
    /// Only interactions whose description matches this regex.
    #[arg(long, value_name = "REGEX")]
    filter_description: Option<String>,
    /// Only interactions given this provider state.
    #[arg(long, value_name = "STATE")]
    filter_state: Option<String>,
    /// A header added to every request, e.g. 'Authorization: Bearer xyz'. Repeatable.
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Report failures without failing (all interactions are pending).
    #[arg(long)]
    pending: bool,
    /// List interactions seam cannot use (an unsupported plugin, a matching
    /// rule that does not compile) as skipped; without it they are reported
    /// not verified and the run exits 2.
    #[arg(long)]
    skip_unsupported: bool,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Per-request timeout in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
}

fn options(args: &VerifyArgs) -> Result<VerifyOptions, String> {
    let filter_description = args
        .filter_description
        .as_deref()
        .map(regex::Regex::new)
        .transpose()
        .map_err(|e| format!("--filter-description: {e}"))?;
    let headers = args
        .headers
        .iter()
        .map(|h| {
            seam_verify::parse_header(h)
                .ok_or_else(|| format!("--header `{h}`: expected NAME: VALUE"))
        })
        .collect::<Result<_, _>>()?;
    Ok(VerifyOptions {
        provider_base_url: args.provider_base_url.clone(),
        state_change_url: args.provider_states_setup_url.clone(),
        state_teardown: !args.no_teardown,
        filter_description,
        filter_state: args.filter_state.clone(),
        headers,
        all_pending: args.pending,
        skip_unsupported: args.skip_unsupported,
        timeout: Duration::from_millis(args.timeout_ms),
    })
}

pub fn run(args: VerifyArgs) -> Result<Outcome, CliError> {
    let options = options(&args).map_err(CliError::Input)?;
    crate::runtime()?.block_on(async {
        let verifier = Verifier::new(options).map_err(cli_error)?;
        let pacts = seam_verify::load(&args.pacts, verifier.client())
            .await
            .map_err(cli_error)?;
        for w in pacts.iter().flat_map(|p| &p.pact.warnings) {
            eprintln!("warning: {w}");
        }
        let report = verifier.verify(&pacts).await.map_err(cli_error)?;
        print!(
            "{}",
            report.to_text(Style::for_stream(std::io::stdout().is_terminal()))
        );
        let junit = || report.to_junit();
        let json = || serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
        let html = || seam_core::html::page("seam verify", &report.html_fragment());
        reports::write_all(&[
            Requested::new("junit", args.junit.as_ref(), &junit),
            Requested::new("json", args.json.as_ref(), &json),
            Requested::new("html", args.html.as_ref(), &html),
        ])?;
        let (not_verified, _) = report.unsupported();
        Ok(if not_verified > 0 {
            eprintln!(
                "{not_verified} interaction(s) not verified: seam cannot use them (see `not verified:` above); \
                 --skip-unsupported lists them as skipped"
            );
            exit::USAGE
        } else if report.passed() {
            exit::OK
        } else {
            exit::FAILED
        })
    })
}

fn cli_error(e: VerifyError) -> CliError {
    if e.is_unreachable() {
        CliError::Unreachable(e.to_string())
    } else {
        input(e)
    }
}
