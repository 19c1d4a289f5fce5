//! `seam openapi validate`: OpenAPI specs loaded as every command loads them,
//! then checked against the rules of their version; every problem printed as
//! `file:line:col: #/pointer: message`, one summary line, exit 0/1/2.

use crate::{exit, CliError, Outcome};
use clap::{Args, Subcommand, ValueEnum};
use seam_openapi::model::{Spec, SpecError, SpecVersion};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum OpenapiCommand {
    /// Check OpenAPI specs (Swagger 2.0, OpenAPI 3.0 and 3.1; YAML or JSON;
    /// multi-file): structure, path parameters, duplicate operationIds,
    /// unresolved refs, security schemes, schemas. Prints every problem as
    /// `file:line:col: #/pointer: message` and warnings marked `warning:`.
    /// Exit 0 valid (warnings allowed), 1 a spec is invalid, 2 bad input (a
    /// file missing, unreadable, or not YAML or JSON).
    #[command(after_help = "\
Examples:
  seam openapi validate api.yaml
  seam openapi validate specs/*.yaml --format json

Output:
  api.yaml:14:9: #/paths/~1pets~1{petId}/get: GET /pets/{petId} is missing path parameter(s) for {petId}: ...
  warning: api.yaml:40:19: #/components/schemas/Pet/example: ...
  invalid api.yaml: 1 error, 1 warning")]
    Validate(ValidateArgs),
}

#[derive(Args)]
pub struct ValidateArgs {
    /// The specs to check (the root file of a multi-file spec).
    #[arg(required = true, value_name = "SPEC")]
    specs: Vec<PathBuf>,
    /// `text` for people, `json` for machines (one JSON object on standard output).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Print every warning (by default at most 20 per spec, then a count).
    #[arg(long)]
    all_warnings: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Warnings printed per spec unless `--all-warnings`.
const WARNINGS_SHOWN: usize = 20;

pub fn run(cmd: OpenapiCommand) -> Result<Outcome, CliError> {
    match cmd {
        OpenapiCommand::Validate(args) => Ok(validate(&args)),
    }
}

/// What checking one spec found.
enum Verdict {
    /// Loaded; `errors` empty means valid.
    Checked {
        spec: Box<Spec>,
        errors: Vec<SpecError>,
        warnings: Vec<SpecError>,
    },
    /// The loader refused it (a structural error, an unresolved ref, an
    /// unsupported version).
    Refused(Vec<SpecError>),
    /// Not something to check: missing, unreadable, not YAML or JSON.
    BadInput(String),
}

fn validate(args: &ValidateArgs) -> u8 {
    let verdicts: Vec<(String, Verdict)> = args
        .specs
        .iter()
        .map(|p| (p.display().to_string(), check_one(p)))
        .collect();
    let bad = verdicts
        .iter()
        .filter(|(_, v)| matches!(v, Verdict::BadInput(_)))
        .count();
    let invalid = verdicts
        .iter()
        .filter(|(_, v)| match v {
            Verdict::Checked { errors, .. } => !errors.is_empty(),
            Verdict::Refused(_) => true,
            Verdict::BadInput(_) => false,
        })
        .count();
    match args.format {
        Format::Json => print_json(&verdicts, invalid == 0 && bad == 0),
        Format::Text => {
            for (file, verdict) in &verdicts {
                print_text(file, verdict, args.all_warnings);
            }
            if verdicts.len() > 1 {
                let valid = verdicts.len() - invalid - bad;
                let mut line =
                    format!("{} specs: {valid} valid, {invalid} invalid", verdicts.len());
                if bad > 0 {
                    line.push_str(&format!(", {bad} unreadable"));
                }
                println!("{line}");
            }
        }
    }
    if bad > 0 {
        exit::USAGE
    } else if invalid > 0 {
        exit::FAILED
    } else {
        exit::OK
    }
}

fn check_one(path: &Path) -> Verdict {
    let file = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Verdict::BadInput(format!("{file}: no such file"))
        }
        Err(e) if path.is_dir() => {
            let _ = e;
            return Verdict::BadInput(format!(
                "{file}: is a directory (name the spec's root file)"
            ));
        }
        Err(e) => return Verdict::BadInput(format!("{file}: cannot read it: {e}")),
    };
    let validation = seam_openapi::check::validate(path);
    if let Some(spec) = validation.spec {
        return Verdict::Checked {
            spec: Box::new(spec),
            errors: validation.errors,
            warnings: validation.warnings,
        };
    }
    // not text, or not YAML/JSON at all: bad input, not an invalid spec
    let text = match seam_core::source::decode_text(&bytes) {
        Ok(text) => text,
        Err(e) => return Verdict::BadInput(e.in_file(&file).to_string()),
    };
    if let Err(e) = seam_core::yaml::from_str::<Value>(&file, text) {
        if !looks_like_yaml_budget(&e.message) {
            return Verdict::BadInput(format!("{e} (the file is not valid YAML or JSON)"));
        }
    }
    Verdict::Refused(validation.errors)
}

/// A YAML error that is the reader's size budget rather than bad syntax (the
/// loader reads specs with a larger budget than this second look).
fn looks_like_yaml_budget(message: &str) -> bool {
    message.contains("too large") || message.contains("too deeply")
}

fn version_label(spec: &Spec) -> String {
    match spec.version {
        SpecVersion::Swagger2 => "Swagger 2.0".into(),
        _ => format!(
            "OpenAPI {}",
            spec.document
                .get("openapi")
                .and_then(Value::as_str)
                .unwrap_or("3")
        ),
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn print_text(file: &str, verdict: &Verdict, all_warnings: bool) {
    match verdict {
        Verdict::BadInput(message) => eprintln!("error: {message}"),
        Verdict::Refused(errors) => {
            for e in errors {
                println!("{e}");
            }
            println!("invalid {file}: {}", plural(errors.len(), "error"));
        }
        Verdict::Checked {
            spec,
            errors,
            warnings,
        } => {
            for e in errors {
                println!("{e}");
            }
            let shown = if all_warnings {
                warnings.len()
            } else {
                WARNINGS_SHOWN.min(warnings.len())
            };
            for w in &warnings[..shown] {
                println!("warning: {w}");
            }
            if shown < warnings.len() {
                println!(
                    "warning: ... and {} more (--all-warnings lists them)",
                    plural(warnings.len() - shown, "warning")
                );
            }
            let warned = if warnings.is_empty() {
                String::new()
            } else {
                format!(", {}", plural(warnings.len(), "warning"))
            };
            if errors.is_empty() {
                println!(
                    "ok      {file} ({}, {}{warned})",
                    version_label(spec),
                    plural(spec.operations.len() + spec.webhooks.len(), "operation")
                );
            } else {
                println!("invalid {file}: {}{warned}", plural(errors.len(), "error"));
            }
        }
    }
}

fn error_json(e: &SpecError) -> Value {
    let (line, column) = e.at.line_column();
    json!({
        "file": e.at.file,
        "line": line,
        "column": column,
        "pointer": e.pointer,
        "message": e.at.message,
    })
}

fn print_json(verdicts: &[(String, Verdict)], valid: bool) {
    let specs: Vec<Value> = verdicts
        .iter()
        .map(|(file, verdict)| match verdict {
            Verdict::BadInput(message) => json!({
                "file": file, "status": "unreadable", "valid": false,
                "errors": [{"file": file, "line": null, "column": null, "pointer": "", "message": message}],
                "warnings": [],
            }),
            Verdict::Refused(errors) => json!({
                "file": file, "status": "invalid", "valid": false,
                "errors": errors.iter().map(error_json).collect::<Vec<_>>(),
                "warnings": [],
            }),
            Verdict::Checked {
                spec,
                errors,
                warnings,
            } => json!({
                "file": file,
                "status": if errors.is_empty() { "valid" } else { "invalid" },
                "valid": errors.is_empty(),
                "version": version_label(spec),
                "operations": spec.operations.len() + spec.webhooks.len(),
                "errors": errors.iter().map(error_json).collect::<Vec<_>>(),
                "warnings": warnings.iter().map(error_json).collect::<Vec<_>>(),
            }),
        })
        .collect();
    let out = json!({ "valid": valid, "specs": specs });
    println!(
        "{}",
        serde_json::to_string_pretty(&out).expect("a JSON value always serializes")
    );
}
