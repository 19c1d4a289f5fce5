//! `seam test`: run suite files.

use crate::reports::{self, Requested};
use crate::{exit, failure::input, CliError, Outcome};
use clap::Args;
use seam_suite::report::SuiteReport;
use seam_suite::run::RunOptions;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args)]
pub struct TestArgs {
    /// Suite files (YAML).
    #[arg(required = true, value_name = "SUITES")]
    suites: Vec<PathBuf>,
    /// Set a variable (overrides the suite's), e.g. --var base=http://localhost:8080.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<String>,
    /// Tests at a time (default: the number of cores).
    #[arg(long)]
    jobs: Option<usize>,
    /// Only tests with this tag. Repeatable.
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Run one shard of the cases, e.g. 2/4 (deterministic split for CI parallelism).
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
    /// Start no new test after one fails.
    #[arg(long)]
    fail_fast: bool,
    /// Per-request timeout in milliseconds.
    #[arg(long, default_value_t = 30_000)]
    timeout_ms: u64,
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or("expected I/N, e.g. 1/4")?;
    let (i, n): (usize, usize) = (
        i.parse().map_err(|_| format!("`{i}` is not a number"))?,
        n.parse().map_err(|_| format!("`{n}` is not a number"))?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: I must be between 1 and N"));
    }
    Ok((i, n))
}

pub fn run(args: TestArgs) -> Result<Outcome, CliError> {
    let mut suites = Vec::new();
    for s in &args.suites {
        suites.push(seam_suite::load(s).map_err(input)?);
    }
    check_tags(&suites, &args.tags).map_err(CliError::Input)?;
    let mut options = RunOptions {
        tags: args.tags.clone(),
        timeout: Duration::from_millis(args.timeout_ms),
        shard: args.shard,
        fail_fast: args.fail_fast,
        ..Default::default()
    };
    if let Some(j) = args.jobs {
        options.jobs = j.max(1);
    }
    for v in &args.vars {
        let (k, val) = v
            .split_once('=')
            .ok_or_else(|| input(format!("--var `{v}`: expected NAME=VALUE")))?;
        options.vars.insert(
            k.trim().to_string(),
            serde_json::Value::String(val.to_string()),
        );
    }
    let results = crate::runtime()?
        .block_on(seam_suite::run::run(suites, &options))
        .map_err(input)?;
    let report = SuiteReport { results: &results };
    print!("{}", report.to_text(crate::ci_cmd::style()));
    let junit = || report.to_junit();
    let json = || serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
    let html = || report.to_html();
    reports::write_all(&[
        Requested::new("junit", args.junit.as_ref(), &junit),
        Requested::new("json", args.json.as_ref(), &json),
        Requested::new("html", args.html.as_ref(), &html),
    ])?;
    Ok(if results.iter().all(|r| r.passed()) {
        exit::OK
    } else {
        exit::FAILED
    })
}

/// Every `--tag` must name a tag some test has: a typo would otherwise select
/// nothing and pass with "0 passed, 0 failed".
fn check_tags(suites: &[seam_suite::Suite], wanted: &[String]) -> Result<(), String> {
    let known: std::collections::BTreeSet<&str> = suites
        .iter()
        .flat_map(|s| s.file.tests.iter())
        .flat_map(|t| t.tags.iter().map(String::as_str))
        .collect();
    for tag in wanted {
        if !known.contains(tag.as_str()) {
            let listed = if known.is_empty() {
                "no test has a tag".to_string()
            } else {
                format!(
                    "tags in these suites: {}",
                    known.iter().copied().collect::<Vec<_>>().join(", ")
                )
            };
            return Err(format!(
                "--tag {tag}: no test has this tag{} ({listed})",
                seam_core::source::did_you_mean(tag, known.iter().copied())
            ));
        }
    }
    Ok(())
}
