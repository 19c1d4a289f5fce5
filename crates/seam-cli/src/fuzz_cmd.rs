//! `seam fuzz SPEC --url URL`: generative payload checks against a running
//! API (seam-fuzz), with a live progress line, the summary, report files and
//! a baseline; `seam fuzz replay ID` sends a reported finding's request again;
//! `seam explain CODE` prints what a check means. Exit 0 no finding (beyond
//! the baseline), 1 findings, 2 bad input, 3 the API could not be reached.

use crate::reports::{write_all, Requested};
use crate::{exit, CliError, Outcome};
use clap::{Args, Subcommand};
use seam_fuzz::case::Phase;
use seam_fuzz::check::{Check, CheckSet};
use seam_fuzz::{report, Options, Progress};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

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
    #[arg(value_name = "SPEC", required = true)]
    spec: Option<PathBuf>,
    /// The API's base URL; the spec's paths are appended to it.
    #[arg(long, value_name = "URL", required = true)]
    url: Option<String>,
    /// Phases to run, comma-separated: examples, coverage, random, stateful.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        default_value = "examples,coverage,random,stateful"
    )]
    phases: Vec<String>,
    /// Run only these checks (comma-separated codes; `seam explain` lists them).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    checks: Vec<String>,
    /// Turn these checks off.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    exclude_checks: Vec<String>,
    /// Fuzz only these operations: `METHOD /path` or an operationId (repeatable).
    #[arg(long = "operation", value_name = "OP")]
    operations: Vec<String>,
    /// Seed for generated data: the same seed sends the same requests.
    #[arg(long, value_name = "N", default_value_t = 0)]
    seed: u64,
    /// Random-phase cases per operation.
    #[arg(long, value_name = "N", default_value_t = 50)]
    max_examples: usize,
    /// Stop sending after this long (`90s`, `5m`); what was found is reported.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    max_time: Option<Duration>,
    /// Operations fuzzed at once.
    #[arg(long, value_name = "N", default_value_t = 2)]
    workers: usize,
    /// A request without an answer after this long is a hang (`server-error`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "10s")]
    request_timeout: Duration,
    /// Report answers slower than this (`500ms`): the response-time check.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    max_response_time: Option<Duration>,
    /// A header every request carries, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    headers: Vec<String>,
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
    auth: Option<PathBuf>,
    /// The user of the auth file to log in as (default: its first).
    #[arg(long, value_name = "NAME", requires = "auth")]
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
    baseline: Option<PathBuf>,
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

/// `500ms`, `10s`, `5m`, `1h`, or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (write 500ms, 10s, 5m or 1h)"))?;
    let seconds = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => {
            return Err(format!(
                "`{text}` is not a duration (write 500ms, 10s, 5m or 1h)"
            ))
        }
    };
    Ok(Duration::from_secs_f64(seconds))
}

pub fn explain(args: ExplainArgs) -> Result<Outcome, CliError> {
    match args.code {
        None => {
            for c in Check::ALL {
                println!("{:<27} {}", c.code(), c.title());
            }
            println!("\n`seam explain CODE` says more about one.");
        }
        Some(code) => {
            let check = seam_fuzz::check::parse_code(&code).map_err(CliError::Input)?;
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

fn auth_headers(args: &FuzzArgs) -> Result<Vec<(String, String)>, CliError> {
    let mut out = Vec::new();
    for h in &args.headers {
        let Some((name, value)) = h.split_once(':') else {
            return Err(CliError::Input(format!(
                "-H `{h}`: write a header as `Name: value`"
            )));
        };
        out.push((name.trim().to_string(), value.trim().to_string()));
    }
    if let Some(token) = &args.bearer {
        out.push(("Authorization".into(), format!("Bearer {token}")));
    }
    if let Some(basic) = &args.basic {
        if !basic.contains(':') {
            return Err(CliError::Input(
                "--basic: write the credentials as `user:password`".into(),
            ));
        }
        use base64::Engine as _;
        out.push((
            "Authorization".into(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(basic)
            ),
        ));
    }
    Ok(out)
}

pub fn run(args: FuzzArgs) -> Result<Outcome, CliError> {
    if let Some(FuzzCommand::Replay(r)) = args.command {
        return replay(r);
    }
    let (Some(spec_path), Some(url)) = (args.spec.clone(), args.url.clone()) else {
        return Err(CliError::Input("give a spec and --url".into()));
    };
    let phases = args
        .phases
        .iter()
        .map(|p| Phase::parse(p.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::Input)?;
    let checks = if args.checks.is_empty() {
        CheckSet::default()
    } else {
        CheckSet::only(&args.checks).map_err(CliError::Input)?
    }
    .without(&args.exclude_checks)
    .map_err(CliError::Input)?;
    for f in &args.report {
        if !report::FORMATS.contains(&f.as_str()) {
            return Err(CliError::Input(format!(
                "--report `{f}`{}: the formats are {}",
                seam_core::source::did_you_mean(f, report::FORMATS),
                report::FORMATS.join(", ")
            )));
        }
    }
    let accepted = match &args.baseline {
        Some(path) => seam_fuzz::baseline::read(path).map_err(CliError::Input)?,
        None => Vec::new(),
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(CliError::Input(format!(
            "--url `{url}`: give an http:// or https:// base URL"
        )));
    }
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
    let mut options = Options::new(url);
    options.phases = phases;
    options.checks = checks;
    options.seed = args.seed;
    options.max_examples = args.max_examples;
    options.max_time = args.max_time;
    options.workers = args.workers.max(1);
    options.request_timeout = args.request_timeout;
    options.max_response_time = args.max_response_time;
    options.headers = auth_headers(&args)?;
    if let Some(path) = &args.auth {
        options.login =
            Some(seam_fuzz::auth::read(path, args.auth_user.as_deref()).map_err(CliError::Input)?);
    }
    options.operations = args.operations.clone();
    options.huge = !args.no_huge;
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
    let spec_name = spec_path.display().to_string();
    let renders: Vec<(&'static str, PathBuf, Box<dyn Fn() -> String>)> = report::FORMATS
        .iter()
        .filter(|f| args.report.iter().any(|r| r == *f))
        .map(|f| {
            let outcome = &outcome;
            let spec_name = spec_name.clone();
            let render: Box<dyn Fn() -> String> =
                Box::new(move || report::render(f, outcome, &spec_name));
            (*f, args.report_dir.join(report::file_name(f)), render)
        })
        .collect();
    let requested: Vec<Requested<'_>> = renders
        .iter()
        .map(|(label, path, render)| Requested {
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

/// `seam fuzz replay`: the finding's steps and request sent again.
fn replay(args: ReplayArgs) -> Result<Outcome, CliError> {
    let bytes = std::fs::read(&args.from).map_err(|e| {
        CliError::Input(format!(
            "{}: cannot read the report: {e}",
            args.from.display()
        ))
    })?;
    let report: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        CliError::Input(format!(
            "{}:{}:{}: not a JSON report: {}",
            args.from.display(),
            e.line(),
            e.column(),
            seam_openapi::params::plain_json_error(&e)
        ))
    })?;
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let Some(finding) = findings.iter().find(|f| f["id"] == args.id.as_str()) else {
        let ids: Vec<&str> = findings.iter().filter_map(|f| f["id"].as_str()).collect();
        return Err(CliError::Input(format!(
            "{}: no finding `{}`{} ({} finding(s) in it)",
            args.from.display(),
            args.id,
            seam_core::source::did_you_mean(&args.id, ids.iter().copied()),
            ids.len()
        )));
    };
    let base = args
        .url
        .clone()
        .or_else(|| report["base_url"].as_str().map(str::to_string))
        .unwrap_or_default();
    let send = |req: &serde_json::Value| -> Result<(u16, String), CliError> {
        let client = reqwest::blocking::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| CliError::Input(e.to_string()))?;
        let method = req["method"].as_str().unwrap_or("GET");
        let url = format!(
            "{}{}",
            base.trim_end_matches('/'),
            req["target"].as_str().unwrap_or("/")
        );
        let mut r = client.request(
            reqwest::Method::from_bytes(method.as_bytes())
                .map_err(|e| CliError::Input(e.to_string()))?,
            &url,
        );
        for h in req["headers"].as_array().into_iter().flatten() {
            if let (Some(n), Some(v)) = (h[0].as_str(), h[1].as_str()) {
                r = r.header(n, v);
            }
        }
        if let Some(body) = req["body"].as_str().filter(|b| !b.is_empty()) {
            r = r.body(body.to_string());
        }
        let res = r.send().map_err(|e| {
            CliError::Unreachable(format!(
                "{method} {url}: {}",
                seam_core::reproduce::network_error_text(&e)
            ))
        })?;
        let status = res.status().as_u16();
        Ok((status, res.text().unwrap_or_default()))
    };
    for step in finding["steps"].as_array().into_iter().flatten() {
        let (status, _) = send(step)?;
        println!(
            "step: {} {} -> {status}",
            step["method"].as_str().unwrap_or(""),
            step["target"].as_str().unwrap_or("")
        );
    }
    let req = &finding["request"];
    let (status, body) = send(req)?;
    let was = finding["answer"]["status"].as_u64();
    println!(
        "{} [{}] {} {}\n  was: {}\n  now: {status} {}",
        args.id,
        finding["check"].as_str().unwrap_or(""),
        req["method"].as_str().unwrap_or(""),
        req["target"].as_str().unwrap_or(""),
        was.map(|s| s.to_string())
            .unwrap_or_else(|| finding["failure"].as_str().unwrap_or("").to_string()),
        body.chars().take(200).collect::<String>()
    );
    // the same status as when found: still failing
    Ok(if was == Some(u64::from(status)) {
        exit::FAILED
    } else {
        exit::OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("3").unwrap(), Duration::from_secs(3));
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5d").is_err());
    }
}
