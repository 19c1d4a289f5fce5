//! `seam compat SPEC PACTS...`: pacts checked against the provider's OpenAPI
//! spec (bi-directional contract testing). Reads the spec and every pact (files,
//! or the `.json` files of directories), runs seam-compat, prints or writes the
//! report; exit 0 compatible (warnings allowed), 1 errors found, 2 bad input.

use crate::reports::write_one;
use crate::{exit, CliError, Outcome};
use clap::{Args, ValueEnum};
use seam_compat::report;
use std::path::{Path, PathBuf};

#[derive(Args)]
#[command(after_help = "\
Examples:
  seam compat openapi.yaml pacts/
  seam compat openapi.yaml web-orders.json -f junit -o reports/compat.xml

Output (text):
  web → orders (pacts/web-orders.json): 2 interaction(s), 1 error(s), 0 warning(s)
    interaction \"get order 7\" [GET /orders/{id}]
      error: response.body.incompatible at $.interactions[0].response.body.total
        body.total: expected a number, got the string \"12\"
        spec: openapi.yaml:40:15 #/components/schemas/Order/properties/total/type
  incompatible: 1 pact(s), 2 interaction(s) against openapi.yaml: 1 error(s), 0 warning(s)")]
pub struct CompatArgs {
    /// The provider's OpenAPI spec (2.0, 3.0 or 3.1; YAML or JSON; multi-file).
    spec: PathBuf,
    /// Pact files, or directories whose `.json` files are pacts.
    #[arg(required = true)]
    pacts: Vec<PathBuf>,
    /// `text` for people, `json`, `junit` or `sarif` for tools.
    #[arg(short, long, value_enum, default_value = "text")]
    format: Format,
    /// Write the report (in `--format`) to this file; the text report is
    /// still printed.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Junit,
    Sarif,
}

pub fn run(args: CompatArgs) -> Result<Outcome, CliError> {
    let spec_name = args.spec.display().to_string();
    let mut problems = Vec::new();
    let spec = match seam_openapi::load::load(&args.spec) {
        Ok(spec) => Some(spec),
        Err(errors) => {
            problems.extend(errors.iter().map(ToString::to_string));
            None
        }
    };
    let mut pacts = Vec::new();
    for path in pact_files(&args.pacts, &mut problems) {
        match seam_pact::read_pact_file(&path) {
            Ok(pact) => pacts.push((path.display().to_string(), pact)),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let Some(spec) = spec.filter(|_| problems.is_empty()) else {
        for p in &problems {
            eprintln!("error: {p}");
        }
        return Err(CliError::Reported(exit::USAGE));
    };
    let result = seam_compat::check(&spec, &spec_name, &pacts).map_err(|errors| {
        for e in &errors {
            eprintln!("error: {e}");
        }
        CliError::Reported(exit::USAGE)
    })?;
    let rendered = match args.format {
        Format::Text => report::to_text(&result),
        Format::Json => pretty(&report::to_json(&result)),
        Format::Junit => report::to_junit(&result),
        Format::Sarif => pretty(&report::to_sarif(&result)),
    };
    match &args.output {
        Some(path) => {
            write_one(path, &rendered).map_err(|e| {
                CliError::Input(format!("cannot write the report {}: {e}", path.display()))
            })?;
            print!("{}", report::to_text(&result));
        }
        None => print!("{rendered}"),
    }
    Ok(if result.is_compatible() {
        exit::OK
    } else {
        exit::FAILED
    })
}

fn pretty(v: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(v).unwrap_or_default();
    text.push('\n');
    text
}

/// The pact files named: files as given, directories' `.json` files (sorted,
/// subdirectories included); a path that does not exist is a problem.
pub(crate) fn pact_files(paths: &[PathBuf], problems: &mut Vec<String>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = out.len();
            collect_json(path, &mut out, problems);
            if out.len() == before {
                problems.push(format!(
                    "{}: no .json pact files in this directory",
                    path.display()
                ));
            }
        } else if path.exists() {
            out.push(path.clone());
        } else {
            problems.push(format!(
                "{}: cannot read the file: no such file",
                path.display()
            ));
        }
    }
    out
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(format!("{}: cannot read the directory: {e}", dir.display()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect_json(&p, out, problems);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}
