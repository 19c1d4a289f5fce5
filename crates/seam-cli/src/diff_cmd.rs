//! `seam diff BASE REVISION`: the changes between two versions of an OpenAPI
//! spec with oasdiff's rule ids and levels. Loads both (files, or `REV:path`
//! from git: [`git_rev`]), runs seam-diff, drops what the ignore file accepts
//! and what is below `--level`, joins breaking changes with pacts
//! (`--pacts`), prints or writes the report; exit 0, 1 at `--fail-on`, 2 bad
//! input.

mod git_rev;

use crate::reports::write_one;
use crate::{exit, CliError, Outcome};
use clap::{Args, ValueEnum};
use git_rev::Operand;
use seam_core::render::Style;
use seam_diff::ignore::IgnoreFile;
use seam_diff::pacts::Consumers;
use seam_diff::report::{self, Report, Reported};
use seam_diff::{Change, Level, Options, Stability};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Args)]
#[command(after_help = "\
Examples:
  seam diff v1/openapi.yaml v2/openapi.yaml
  seam diff HEAD~1:api/openapi.yaml api/openapi.yaml --fail-on ERR
  seam diff main:openapi.yaml openapi.yaml -f githubactions --ignore .seam-diff-ignore
  seam diff v1.yaml v2.yaml --pacts pacts/ -f sarif -o reports/diff.sarif

Output (text):
  error [api-path-removed-without-deprecation] GET /pets/{petId}
    api path removed without deprecation
    base: v1.yaml:31:5
    breaking for web (2 interactions), safe for mobile

  info [response-property-enum-value-added] GET /pets
    added the new `sold` enum value to the `items/status` response property for the response status `200`
    base: v1.yaml:52:17
    revision: v2.yaml:53:17

  2 changes: 1 error, 0 warnings, 1 info")]
pub struct DiffArgs {
    /// The spec before the change: a file, or `REV:path` from git (`HEAD~1:api.yaml`).
    base: String,
    /// The spec after the change: a file, or `REV:path`.
    revision: String,
    /// text (for people), json, yaml, markdown, html, junit, githubactions or sarif.
    #[arg(short, long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report (in `--format`) to this file; the text report is still printed.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit 1 when a change at or above this level is reported (ERR or WARN);
    /// without it the exit is 0 whatever is found.
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    fail_on: Option<Level>,
    /// Show changes at or above this level (ERR, WARN, INFO).
    #[arg(long, value_name = "LEVEL", value_parser = parse_level, default_value = "INFO")]
    level: Level,
    /// Changes accepted: one `RULE-ID [METHOD /path] [-- reason]` per line
    /// (oasdiff's ignore lines work too).
    #[arg(long, value_name = "FILE")]
    ignore: Option<PathBuf>,
    /// Pact files or directories: say which consumers each breaking change hits.
    #[arg(long, value_name = "DIR")]
    pacts: Vec<PathBuf>,
    /// Check operations whose `x-stability-level` is at least this.
    #[arg(long, value_name = "LEVEL", value_parser = parse_stability, default_value = "beta")]
    stability_level: Stability,
    /// Minimum days between a beta operation's deprecation and its `x-sunset`.
    #[arg(long, value_name = "DAYS", default_value_t = 0)]
    deprecation_days_beta: u32,
    /// Minimum days between a stable operation's deprecation and its `x-sunset`.
    #[arg(long, value_name = "DAYS", default_value_t = 0)]
    deprecation_days_stable: u32,
    /// Breaking changes need a major bump of `info.version` (a minor one
    /// below 1.0.0); a missing or backwards bump is an error.
    #[arg(long)]
    check_version: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Yaml,
    Markdown,
    Html,
    Junit,
    Githubactions,
    Sarif,
}

fn parse_level(text: &str) -> Result<Level, String> {
    text.parse()
}

fn parse_stability(text: &str) -> Result<Stability, String> {
    text.parse()
}

pub fn run(args: DiffArgs) -> Result<Outcome, CliError> {
    let base = Operand::resolve(&args.base)?;
    let revision = Operand::resolve(&args.revision)?;
    let mut problems: Vec<String> = Vec::new();
    let mut load = |operand: &Operand| match seam_openapi::load::load(&operand.path) {
        Ok(spec) => Some(spec),
        Err(errors) => {
            problems.extend(errors.iter().map(|e| operand.shown(&e.to_string())));
            None
        }
    };
    let (base_spec, revision_spec) = (load(&base), load(&revision));
    let ignore = match &args.ignore {
        Some(path) => match IgnoreFile::read(path) {
            Ok(file) => Some(file),
            Err(errors) => {
                problems.extend(errors.iter().map(ToString::to_string));
                None
            }
        },
        None => None,
    };
    let pacts = read_pacts(&args.pacts, &mut problems);
    let (Some(base_spec), Some(revision_spec)) = (base_spec, revision_spec) else {
        return Err(reported(&problems));
    };
    if !problems.is_empty() {
        return Err(reported(&problems));
    }

    let options = Options {
        stability_level: args.stability_level,
        deprecation_days_beta: args.deprecation_days_beta,
        deprecation_days_stable: args.deprecation_days_stable,
        version_policy: args.check_version,
        ..Options::default()
    };
    let mut changes = seam_diff::diff(&base_spec, &revision_spec, &options);
    for change in &mut changes {
        show_places(change, &base, &revision);
    }
    let before = changes.len();
    if let Some(ignore) = &ignore {
        changes.retain(|c| !ignore.ignores(c));
    }
    let ignored = before - changes.len();
    let failed = args
        .fail_on
        .is_some_and(|level| changes.iter().any(|c| c.level >= level));
    let shown_before = changes.len();
    changes.retain(|c| c.level >= args.level);
    let hidden = shown_before - changes.len();

    let consumers =
        (!args.pacts.is_empty()).then(|| Consumers::new(&pacts, &base_spec, &revision_spec));
    let report = Report {
        base: base.name.clone(),
        revision: revision.name.clone(),
        changes: changes
            .into_iter()
            .map(|change| Reported {
                consumers: consumers
                    .as_ref()
                    .map(|c| c.hits(&change).unwrap_or_default()),
                change,
            })
            .collect(),
        ignored,
        hidden,
        fail_level: args.fail_on.unwrap_or(Level::Err),
    };

    let style = Style::for_stream(std::io::stdout().is_terminal());
    let rendered = match args.format {
        Format::Text => report::text::to_text(&report, style),
        Format::Json => report.to_json(),
        Format::Yaml => report.to_yaml(),
        Format::Markdown => report::markdown::to_markdown(&report),
        Format::Html => report::html::to_html(&report),
        Format::Junit => report::junit::to_junit(&report),
        Format::Githubactions => report::github::to_github(&report),
        Format::Sarif => report::sarif::to_sarif(&report),
    };
    match &args.output {
        Some(path) => {
            write_one(path, &rendered).map_err(|e| {
                CliError::Input(format!("cannot write the report {}: {e}", path.display()))
            })?;
            print!("{}", report::text::to_text(&report, style));
        }
        None => print!("{rendered}"),
    }
    Ok(if failed { exit::FAILED } else { exit::OK })
}

/// Every problem on its own line; exit 2.
fn reported(problems: &[String]) -> CliError {
    for problem in problems {
        eprintln!("error: {problem}");
    }
    CliError::Reported(exit::USAGE)
}

/// Places in a materialised revision shown as `REV:path:line:col`.
fn show_places(change: &mut Change, base: &Operand, revision: &Operand) {
    for (side, operand) in [(&mut change.base, base), (&mut change.revision, revision)] {
        if let Some(place) = side.as_mut().and_then(|s| s.place.as_mut()) {
            *place = operand.shown(place);
        }
    }
}

/// The pacts named by `--pacts` (files, or directories' `.json` files).
fn read_pacts(paths: &[PathBuf], problems: &mut Vec<String>) -> Vec<seam_pact::Pact> {
    let mut pacts = Vec::new();
    for path in paths {
        if path.to_string_lossy().contains("://") {
            problems.push(format!(
                "{}: a pact broker is not supported yet: give a directory of pact files",
                path.display()
            ));
        }
    }
    let local: Vec<PathBuf> = paths
        .iter()
        .filter(|p| !p.to_string_lossy().contains("://"))
        .cloned()
        .collect();
    for file in crate::compat_cmd::pact_files(&local, problems) {
        match seam_pact::read_pact_file(&file) {
            Ok(pact) => pacts.push(pact),
            Err(e) => problems.push(e.to_string()),
        }
    }
    pacts
}
