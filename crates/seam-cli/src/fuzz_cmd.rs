//! `seam fuzz SPEC --url URL`: generative payload checks against a running
//! API (seam-fuzz), with a live progress line, the summary, report files and
//! a baseline; `seam fuzz replay ID` sends a reported finding's request again;
//! `seam explain CODE` prints what a check means. Exit 0 no finding (beyond
//! the baseline), 1 findings, 2 bad input, 3 the API could not be reached.

use crate::reports::{write_all, Requested};
use crate::{exit, CliError, Outcome};
use clap::{Args, Subcommand};
use seam_fuzz::check::Check;
use seam_fuzz::config::FuzzSettings;
use seam_fuzz::{report, Progress};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Examples:
  seam fuzz openapi.yaml --url http://127.0.0.1:8080
  seam fuzz openapi.yaml --url http://127.0.0.1:8080 --bearer \"$TOKEN\" --max-time 60s
  seam fuzz openapi.yaml --url http://127.0.0.1:8080 --phases coverage,stateful \\
      --report junit,sarif --report-dir reports --baseline known-findings.txt
  seam fuzz replay F1a2b3c4d --from reports/fuzz.json
  seam explain invalid-accepted

Checks: server-error, undocumented-status, content-type, response-headers,
response-schema, invalid-accepted, valid-rejected, missing-header-accepted,
method-not-allowed, use-after-delete, created-not-found,
failed-write-changed-state, response-time (with --max-response-time).

Exit codes: 0 no finding (flaky ones and those in the baseline do not count),
1 findings, 2 bad input, 3 the API could not be reached.";

/// `seam fuzz`.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, after_help = AFTER_HELP)]
pub struct FuzzArgs {
    #[command(subcommand)]
    command: Option<FuzzCommand>,
    /// The OpenAPI spec (YAML or JSON; 2.0, 3.0, 3.1).
    #[arg(value_name = "SPEC")]
    spec: Option<PathBuf>,
    /// The API's base URL; the spec's paths are appended to it.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Read settings from the `[fuzz]` table of this seam.toml (flags given
    /// here win); per-operation settings live there only.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Phases to run, comma-separated: examples, coverage, random, stateful
    /// (default: all).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    phases: Option<Vec<String>>,
    /// Run only these checks (comma-separated codes; `seam explain` lists them).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    checks: Option<Vec<String>>,
    /// Turn these checks off.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    exclude_checks: Option<Vec<String>>,
    /// Fuzz only these operations: `METHOD /path` or an operationId (repeatable).
    #[arg(long = "operation", value_name = "OP")]
    operations: Option<Vec<String>>,
    /// Seed for generated data: the same seed sends the same requests [default: 0].
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Random-phase cases per operation [default: 50].
    #[arg(long, value_name = "N")]
    max_examples: Option<usize>,
    /// Stop sending after this long (`90s`, `5m`); what was found is reported.
    #[arg(long, value_name = "DURATION")]
    max_time: Option<String>,
    /// Operations fuzzed at once [default: 2].
    #[arg(long, value_name = "N")]
    workers: Option<usize>,
    /// A request without an answer after this long is a hang (`server-error`) [default: 10s].
    #[arg(long, value_name = "DURATION")]
    request_timeout: Option<String>,
    /// Report answers slower than this (`500ms`): the response-time check.
    #[arg(long, value_name = "DURATION")]
    max_response_time: Option<String>,
    /// A header every request carries, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    headers: Option<Vec<String>>,
    /// HTTP basic credentials, `user:password`.
    #[arg(long, value_name = "USER:PASSWORD")]
    basic: Option<String>,
    /// A bearer token (sent as `Authorization: Bearer TOKEN`).
    #[arg(long, value_name = "TOKEN")]
    bearer: Option<String>,
    /// An auth file in the Web Fuzzing Commons format (YAML or JSON): fixed
    /// headers, or a login endpoint whose token (or cookies) every request
    /// carries; logged in again when an answer is 401.
    #[arg(long, value_name = "FILE")]
    auth: Option<String>,
    /// The user of the auth file to log in as (default: its first).
    #[arg(long, value_name = "NAME")]
    auth_user: Option<String>,
    /// Do not send 1 MB strings and 100,000-item arrays.
    #[arg(long)]
    no_huge: bool,
    /// Report files to write, comma-separated: junit, json, ndjson, html, sarif, har.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    report: Vec<String>,
    /// Where report files go (`fuzz.json`, `fuzz-junit.xml`, ...).
    #[arg(long, value_name = "DIR", default_value = "seam-reports")]
    report_dir: PathBuf,
    /// Accepted findings: a `seam fuzz` JSON report, or one finding id per line.
    #[arg(long, value_name = "FILE")]
    baseline: Option<String>,
}

#[derive(Subcommand)]
enum FuzzCommand {
    /// Send a reported finding's request again (after its earlier steps) and
    /// show the answer; exit 1 while it still fails, 0 once it does not.
    Replay(ReplayArgs),
}

#[derive(Args)]
struct ReplayArgs {
    /// The finding's id (`F` and 8 hex digits, as reports print it).
    id: String,
    /// The JSON report it is in.
    #[arg(long, value_name = "FILE", default_value = "seam-reports/fuzz.json")]
    from: PathBuf,
    /// Send it to this base URL instead of the one the run used.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
}

/// `seam explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// A check's code; without one, every code with its title.
    code: Option<String>,
}

pub fn explain(args: ExplainArgs) -> Result<Outcome, CliError> {
    match args.code {
        None => {
            println!("seam fuzz:");
            for c in Check::ALL {
                println!("  {:<27} {}", c.code(), c.title());
            }
            println!("\nseam scan:");
            for c in seam_scan::Check::ALL {
                println!("  {:<27} {} [{}]", c.code(), c.title(), c.severity().name());
            }
            println!("\n`seam explain CODE` says more about one.");
        }
        Some(code) => {
            if let Some(check) = seam_scan::Check::from_code(&code) {
                println!("{}: {}\n", check.code(), check.title());
                println!("{}, severity {}\n", check.owasp(), check.severity().name());
                println!("{}", wrap(check.explain(), 78));
                return Ok(exit::OK);
            }
            let check = seam_fuzz::check::parse_code(&code).map_err(|e| {
                match seam_scan::check::parse_code(&code) {
                    // a near miss of a scan code says so rather than of a fuzz one
                    Err(scan) if !e.contains("did you mean") && scan.contains("did you mean") => {
                        CliError::Input(scan)
                    }
                    _ => CliError::Input(e),
                }
            })?;
            println!("{}: {}\n", check.code(), check.title());
            println!("{}", wrap(check.explain(), 78));
        }
    }
    Ok(exit::OK)
}

fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + 1 + word.len() > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}

/// A report, rendered only when it is written.
type Render<'a> = Box<dyn Fn() -> String + 'a>;

impl FuzzArgs {
    /// The flags as settings (those not given are `None`).
    /// Paths given here are relative to the current directory; with
    /// `--config` they are made absolute, so the file's own directory (what
    /// its paths are relative to) does not apply to them.
    fn settings(&self) -> FuzzSettings {
        let here = |p: &str| -> String {
            if self.config.is_none() {
                return p.to_string();
            }
            std::path::absolute(p)
                .map(|a| a.display().to_string())
                .unwrap_or_else(|_| p.to_string())
        };
        FuzzSettings {
            spec: self.spec.as_ref().map(|p| here(&p.display().to_string())),
            url: self.url.clone(),
            phases: self.phases.clone(),
            checks: self.checks.clone(),
            exclude_checks: self.exclude_checks.clone(),
            only: self.operations.clone(),
            seed: self.seed,
            max_examples: self.max_examples,
            max_time: self.max_time.clone(),
            workers: self.workers,
            request_timeout: self.request_timeout.clone(),
            max_response_time: self.max_response_time.clone(),
            headers: self.headers.clone(),
            bearer: self.bearer.clone(),
            basic: self.basic.clone(),
            auth: self.auth.as_deref().map(here),
            auth_user: self.auth_user.clone(),
            huge: self.no_huge.then_some(false),
            baseline: self.baseline.as_deref().map(here),
            ..Default::default()
        }
    }
}

pub fn run(args: FuzzArgs) -> Result<Outcome, CliError> {
    if let Some(FuzzCommand::Replay(r)) = args.command {
        return replay(r);
    }
    crate::reports::check_formats(&args.report, &report::FORMATS)?;
    let flags = args.settings();
    let (settings, dir) = match &args.config {
        Some(path) => {
            let file = seam_pipeline::config::load_fuzz(path, &|name| std::env::var(name).ok())
                .map_err(|e| CliError::Input(e.to_string()))?;
            (file.overridden_by(flags), crate::reports::config_dir(path))
        }
        None => (flags, PathBuf::from(".")),
    };
    let resolved = settings.resolve(&dir).map_err(CliError::Input)?;
    let spec_path = resolved.spec.clone();
    let accepted = resolved.baseline.clone();
    let options = resolved.options;
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
    let live = std::io::stderr().is_terminal();
    let progress = |p: Progress| {
        if live {
            eprint!(
                "\r\x1b[2Kfuzz: {}/{} operations, {} requests, {} finding(s)",
                p.operations_done, p.operations, p.requests, p.findings
            );
            let _ = std::io::stderr().flush();
        }
    };
    let outcome = crate::runtime()?
        .block_on(seam_fuzz::run(&spec, &options, &progress))
        .map_err(|e| match e {
            seam_fuzz::RunError::Unreachable(m) => CliError::Unreachable(m),
            seam_fuzz::RunError::Usage(m) => CliError::Input(m),
        })?;
    if live {
        eprint!("\r\x1b[2K");
    }
    print!("{}", report::text(&outcome, &accepted));
    // the JSON report names the spec absolutely, so `seam fuzz replay` finds
    // it from anywhere
    let spec_name = std::fs::canonicalize(&spec_path)
        .unwrap_or_else(|_| spec_path.clone())
        .display()
        .to_string();
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
        .confirmed()
        .filter(|f| !accepted.contains(&f.id))
        .count();
    Ok(if failing > 0 { exit::FAILED } else { exit::OK })
}

/// `seam fuzz replay`: the finding's steps and request sent again, its check
/// applied to the answer.
fn replay(args: ReplayArgs) -> Result<Outcome, CliError> {
    let from = args.from.display().to_string();
    let bytes = std::fs::read(&args.from)
        .map_err(|e| CliError::Input(format!("{from}: cannot read the report: {e}")))?;
    let report: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::Input(format!(
            "{from}:{}:{}: not a JSON report: {}",
            e.line(),
            e.column(),
            seam_openapi::params::plain_json_error(&e)
        ))
    })?;
    let finding = seam_fuzz::replay::find(&report, &args.id)
        .map_err(|e| CliError::Input(format!("{from}: {e}")))?;
    let base = args
        .url
        .clone()
        .or_else(|| report["base_url"].as_str().map(str::to_string))
        .ok_or_else(|| CliError::Input(format!("{from}: no base_url; give --url")))?;
    let replayed = crate::runtime()?
        .block_on(seam_fuzz::replay::replay(&report, finding, &base))
        .map_err(CliError::Input)?;
    for (label, outcome) in &replayed.steps {
        println!("  step: {label} -> {outcome}");
    }
    let req = &finding["request"];
    println!(
        "{} [{}] {} {}",
        args.id,
        replayed.check.code(),
        req["method"].as_str().unwrap_or(""),
        req["target"].as_str().unwrap_or("")
    );
    if let Ok(a) = &replayed.answer {
        println!("  answer: {} {}", a.status, a.body_excerpt(200));
    }
    if replayed.still_failing {
        println!("  still failing: {}", replayed.reason);
        Ok(exit::FAILED)
    } else {
        println!("  passes now: {}", replayed.reason);
        Ok(exit::OK)
    }
}
