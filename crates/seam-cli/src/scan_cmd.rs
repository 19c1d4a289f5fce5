//! `seam scan SPEC --url URL --auth auth.yaml`: security checks against a
//! running API (seam-scan), with a progress line, the summary grouped by
//! severity, report files, a baseline and `--dry-run`. Exit 0 no finding at
//! or above `--fail-on` (beyond the baseline), 1 findings, 2 bad input, 3 the
//! API could not be reached.

use crate::reports::{write_all, Requested};
use crate::{exit, CliError, Outcome};
use clap::Args;
use seam_scan::check::{parse_code, Check, Severity};
use seam_scan::report;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

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
    spec: PathBuf,
    /// The API's base URL; the spec's paths are appended to it.
    #[arg(long, value_name = "URL")]
    url: String,
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
    /// Failed logins sent to find a rate limit [default: 30].
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

fn read_text(path: &PathBuf, what: &str) -> Result<String, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Input(format!("{}: cannot read the {what}: {e}", path.display())))?;
    seam_core::source::decode_text(&bytes)
        .map(str::to_string)
        .map_err(|e| CliError::Input(e.in_file(path.display().to_string()).to_string()))
}

fn duration(flag: &str, text: &Option<String>, default: Duration) -> Result<Duration, CliError> {
    match text {
        None => Ok(default),
        Some(t) => seam_fuzz::config::parse_duration(t)
            .map_err(|e| CliError::Input(format!("{flag}: {e}"))),
    }
}

fn options(args: &ScanArgs) -> Result<seam_scan::Options, CliError> {
    let mut o = seam_scan::Options::new(args.url.clone());
    if let Some(auth) = &args.auth {
        o.identities = seam_fuzz::auth::read_all(auth).map_err(CliError::Input)?;
    }
    let mut checks: Vec<Check> = match &args.checks {
        Some(codes) => codes
            .iter()
            .map(|c| parse_code(c))
            .collect::<Result<_, _>>()
            .map_err(CliError::Input)?,
        None => Check::ALL.to_vec(),
    };
    for code in &args.exclude_checks {
        let c = parse_code(code).map_err(CliError::Input)?;
        checks.retain(|x| *x != c);
    }
    o.checks = checks.into_iter().collect();
    o.operations = args.operations.clone();
    o.allow_hosts = args.allow_hosts.clone();
    if let Some(r) = args.rate {
        if r.is_nan() || r <= 0.0 {
            return Err(CliError::Input(format!(
                "--rate {r}: give a number of requests per second above 0"
            )));
        }
        o.rate = Some(r);
    }
    o.max_requests = args.max_requests;
    o.request_timeout = duration(
        "--request-timeout",
        &args.request_timeout,
        o.request_timeout,
    )?;
    o.delay = duration("--delay", &args.delay, o.delay)?;
    if o.delay < Duration::from_secs(1) {
        return Err(CliError::Input(
            "--delay: give 1s or more (time-based probes ask for whole seconds)".into(),
        ));
    }
    if let Some(b) = args.burst {
        o.burst = b;
    }
    if let Some(s) = args.seed {
        o.seed = s;
    }
    o.allow_destructive = args.allow_destructive;
    o.jwt_key = args.jwt_key.as_ref().map(|k| k.as_bytes().to_vec());
    for path in &args.jwt_public_keys {
        let pem = read_text(path, "public key")?;
        if !pem.contains("-----BEGIN") {
            return Err(CliError::Input(format!(
                "{}:1:1: expected a PEM public key (-----BEGIN PUBLIC KEY-----)",
                path.display()
            )));
        }
        o.jwt_public_keys.push(pem);
    }
    if let Some(path) = &args.jwt_wordlist {
        o.jwt_wordlist = read_text(path, "wordlist")?
            .lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .filter(|l| !l.is_empty())
            .collect();
    }
    Ok(o)
}

/// A report, rendered only when it is written.
type Render<'a> = Box<dyn Fn() -> String + 'a>;

pub fn run(args: ScanArgs) -> Result<Outcome, CliError> {
    for f in &args.report {
        if !report::FORMATS.contains(&f.as_str()) {
            return Err(CliError::Input(format!(
                "--report `{f}`{}: the formats are {}",
                seam_core::source::did_you_mean(f, report::FORMATS),
                report::FORMATS.join(", ")
            )));
        }
    }
    let fail_on = match &args.fail_on {
        Some(s) => Severity::parse(s).map_err(|e| CliError::Input(format!("--fail-on: {e}")))?,
        None => Severity::Low,
    };
    let options = options(&args)?;
    let accepted = match &args.baseline {
        Some(path) => seam_fuzz::baseline::read(path).map_err(CliError::Input)?,
        None => Vec::new(),
    };
    let spec_path = args.spec.clone();
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
            println!("{:<27} {:<28} {}", check.code(), operation, what);
        }
        println!("\n{} probe(s) planned; nothing was sent", lines.len());
        return Ok(exit::OK);
    }
    let live = std::io::stderr().is_terminal();
    let progress = |family: &str, requests: u64, findings: usize| {
        if live {
            eprint!("\r\x1b[2Kscan: {family}, {requests} requests, {findings} finding(s)");
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
