//! `seam scan SPEC --url URL --auth auth.yaml`: security checks against a
//! running API (seam-scan), with a progress line, the summary grouped by
//! severity, report files, a baseline and `--dry-run`. Exit 0 no finding at
//! or above `--fail-on` (beyond the baseline), 1 findings, 2 bad input, 3 the
//! API could not be reached.

use crate::reports::{write_all, Requested};
use crate::{exit, CliError, Outcome};
use clap::Args;
use seam_scan::config::ScanSettings;
use seam_scan::report;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Examples:
  seam scan openapi.yaml --url http://127.0.0.1:8080 --auth auth.yaml
  seam scan openapi.yaml --url http://127.0.0.1:8080 --auth auth.yaml --dry-run
  seam scan openapi.yaml --url http://127.0.0.1:8080 --auth auth.yaml \\
      --report sarif,junit --report-dir reports --baseline known.json --fail-on high
  seam explain bola-read

The auth file is the Web Fuzzing Commons format (as for `seam fuzz --auth`)
listing two or more users, each with `roles` (e.g. [user], [admin]):
  auth:
    - name: alice
      roles: [user]
      loginEndpointAuth:
        payloadUserPwd: {username: alice, password: pw, usernameField: username, passwordField: password}
  authTemplate:
    loginEndpointAuth:
      endpoint: /login
      verb: POST
      token: {extractFrom: body, extractSelector: /token, sendIn: header,
              sendName: Authorization, sendTemplate: \"Bearer {token}\"}

Safety: only loopback hosts and those named with --allow-host are sent to;
DELETE of objects the scan did not create, and operations that change
credentials, run only with --allow-destructive.

Exit codes: 0 no finding at or above --fail-on (baseline findings do not
count), 1 findings, 2 bad input, 3 the API could not be reached.";

/// `seam scan`.
#[derive(Args)]
#[command(after_help = AFTER_HELP)]
pub struct ScanArgs {
    /// The OpenAPI spec (YAML or JSON; 2.0, 3.0, 3.1).
    #[arg(value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// The API's base URL; the spec's paths are appended to it.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Read settings from the `[scan]` table of this seam.toml (flags given
    /// here win).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The identities: an auth file (Web Fuzzing Commons format, plus
    /// `roles` per user). Two users or more for BOLA; roles for BFLA.
    #[arg(long, value_name = "FILE")]
    auth: Option<PathBuf>,
    /// Run only these checks (comma-separated codes; `seam explain` lists them).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    checks: Option<Vec<String>>,
    /// Turn these checks off.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    exclude_checks: Vec<String>,
    /// Scan only these operations: `METHOD /path` or an operationId (repeatable).
    #[arg(long = "operation", value_name = "OP")]
    operations: Vec<String>,
    /// A host besides loopback that may be sent to (repeatable).
    #[arg(long = "allow-host", value_name = "HOST")]
    allow_hosts: Vec<String>,
    /// Requests per second at most.
    #[arg(long, value_name = "N")]
    rate: Option<f64>,
    /// Stop after this many requests; what was found is reported.
    #[arg(long, value_name = "N")]
    max_requests: Option<u64>,
    /// A request without an answer after this long gets none [default: 10s].
    #[arg(long, value_name = "DURATION")]
    request_timeout: Option<String>,
    /// Also delete objects the scan did not create, and call operations
    /// that change credentials (never with the identities' own usernames).
    #[arg(long)]
    allow_destructive: bool,
    /// The HMAC key the API signs JWTs with (a test environment's): tokens
    /// are forged with it to check expiry, nbf, aud, iss and role claims.
    #[arg(long, value_name = "KEY")]
    jwt_key: Option<String>,
    /// A public key (PEM file) the API verifies JWTs with, for the key
    /// confusion check (besides the JWKS the API serves) (repeatable).
    #[arg(long = "jwt-public-key", value_name = "FILE")]
    jwt_public_keys: Vec<PathBuf>,
    /// Secrets to try on the API's HMAC-signed JWTs before the built-in list
    /// (a file, one per line).
    #[arg(long, value_name = "FILE")]
    jwt_wordlist: Option<PathBuf>,
    /// How long time-based probes ask the server to sleep [default: 2s].
    #[arg(long, value_name = "DURATION")]
    delay: Option<String>,
    /// Requests in a rate-limit burst: failed logins, and each expensive operation [default: 30].
    #[arg(long, value_name = "N")]
    burst: Option<usize>,
    /// Seed for generated data [default: 1].
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// List the probes and send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Exit 1 only for findings at or above this severity: critical, high,
    /// medium, low [default: low].
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<String>,
    /// Report files to write, comma-separated: junit, json, html, sarif.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    report: Vec<String>,
    /// Where report files go (`seam-scan.json`, `seam-scan.sarif`, ...).
    #[arg(long, value_name = "DIR", default_value = "seam-reports")]
    report_dir: PathBuf,
    /// Accepted findings: a `seam scan` JSON report, or one finding id per line.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
}

impl ScanArgs {
    /// The flags as settings (those not given are `None`). Paths given here
    /// are relative to the current directory; with `--config` they are made
    /// absolute, so the file's own directory does not apply to them.
    fn settings(&self) -> ScanSettings {
        let here = |p: &std::path::Path| -> String {
            if self.config.is_none() {
                return p.display().to_string();
            }
            std::path::absolute(p)
                .map(|a| a.display().to_string())
                .unwrap_or_else(|_| p.display().to_string())
        };
        let some_list = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        ScanSettings {
            name: None,
            spec: self.spec.as_deref().map(here),
            url: self.url.clone(),
            auth: self.auth.as_deref().map(here),
            checks: self.checks.clone(),
            exclude_checks: some_list(&self.exclude_checks),
            only: some_list(&self.operations),
            allow_hosts: some_list(&self.allow_hosts),
            rate: self.rate,
            max_requests: self.max_requests,
            request_timeout: self.request_timeout.clone(),
            allow_destructive: self.allow_destructive.then_some(true),
            jwt_key: self.jwt_key.clone(),
            jwt_public_keys: (!self.jwt_public_keys.is_empty())
                .then(|| self.jwt_public_keys.iter().map(|p| here(p)).collect()),
            jwt_wordlist: self.jwt_wordlist.as_deref().map(here),
            delay: self.delay.clone(),
            burst: self.burst,
            seed: self.seed,
            fail_on: self.fail_on.clone(),
            baseline: self.baseline.as_deref().map(here),
        }
    }
}

/// A report, rendered only when it is written.
type Render<'a> = Box<dyn Fn() -> String + 'a>;

pub fn run(args: ScanArgs) -> Result<Outcome, CliError> {
    crate::reports::check_formats(&args.report, &report::FORMATS)?;
    let flags = args.settings();
    let (settings, dir) = match &args.config {
        Some(path) => {
            let file = seam_pipeline::config::load_scan(path, &|name| std::env::var(name).ok())
                .map_err(|e| CliError::Input(e.to_string()))?;
            (file.overridden_by(flags), crate::reports::config_dir(path))
        }
        None => (flags, PathBuf::from(".")),
    };
    let resolved = settings.resolve(&dir).map_err(CliError::Input)?;
    let (options, accepted, fail_on) = (resolved.options, resolved.baseline, resolved.fail_on);
    let spec_path = resolved.spec;
    let spec = seam_openapi::load::load(&spec_path).map_err(|errors| {
        for e in &errors {
            eprintln!("error: {e}");
        }
        eprintln!(
            "error: {}: {} error(s); nothing was sent",
            spec_path.display(),
            errors.len()
        );
        CliError::Reported(exit::USAGE)
    })?;
    if args.dry_run {
        let lines =
            seam_scan::dry_run(&spec, &options).map_err(|e| CliError::Input(e.to_string()))?;
        for (check, operation, what) in &lines {
            println!("{check:<27} {operation:<30} {what}");
        }
        println!("\n{} probe(s) planned; nothing was sent", lines.len());
        return Ok(exit::OK);
    }
    let live = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let progress = |family: &str, requests: u64, findings: usize| {
        if live {
            eprint!(
                "\r\x1b[2Kscan: {family} · {requests} requests · {findings} finding(s) · {} s",
                started.elapsed().as_secs()
            );
            let _ = std::io::stderr().flush();
        }
    };
    let outcome = crate::runtime()?
        .block_on(seam_scan::run(&spec, &options, &progress))
        .map_err(|e| match e {
            seam_scan::ScanError::Unreachable(m) => CliError::Unreachable(m),
            seam_scan::ScanError::Usage(m) => CliError::Input(m),
        })?;
    if live {
        eprint!("\r\x1b[2K");
    }
    print!("{}", report::text(&outcome, &accepted));
    let spec_name = spec_path.display().to_string();
    let asked: Vec<(&'static str, PathBuf)> = report::FORMATS
        .iter()
        .filter(|f| args.report.iter().any(|r| r == *f))
        .map(|f| (*f, args.report_dir.join(report::file_name(f))))
        .collect();
    let render = |format: &str| report::render(format, &outcome, &spec_name, &accepted);
    let renders: Vec<Render<'_>> = asked
        .iter()
        .map(|(format, _)| {
            let format = *format;
            Box::new(move || render(format)) as Render<'_>
        })
        .collect();
    let requested: Vec<Requested<'_>> = asked
        .iter()
        .zip(&renders)
        .map(|((label, path), render)| Requested {
            label,
            path: Some(path.as_path()),
            render: render.as_ref(),
        })
        .collect();
    write_all(&requested)?;
    let failing = outcome
        .findings
        .iter()
        .filter(|f| !accepted.contains(&f.id) && f.severity <= fail_on)
        .count();
    Ok(if failing > 0 { exit::FAILED } else { exit::OK })
}
