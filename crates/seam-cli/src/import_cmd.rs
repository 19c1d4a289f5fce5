//! `seam import postman|har|openapi FILE`: turn other tools' files into seam suites.
//! The suite goes to `-o FILE` (or standard output); what could not be
//! imported is listed on standard error, and the exit code is still 0.

use crate::{exit, failure::input, CliError, Outcome};
use clap::ValueEnum;
use seam_suite::import::{self, Doc};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    /// A Postman collection (v2.0 or v2.1).
    Postman,
    /// A HAR file (browser or proxy recording).
    Har,
    /// An OpenAPI spec (2.0, 3.0 or 3.1; YAML or JSON): a test per operation.
    Openapi,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// What the file is.
    #[arg(value_enum)]
    kind: Kind,
    /// The file to import.
    file: PathBuf,
    /// Where to write the suite (standard output when omitted).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// A Postman environment export whose enabled values become suite variables
    /// (Postman only).
    #[arg(long, value_name = "FILE")]
    env: Option<PathBuf>,
    /// A Postman globals export, read like `--env` but overridden by the
    /// collection and the environment (Postman only).
    #[arg(long, value_name = "FILE")]
    globals: Option<PathBuf>,
}

fn read(path: &Path) -> Result<Doc, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    Doc::parse(&name, &bytes).map_err(|e| e.to_string())
}

/// The path of `spec` as written in a suite at `suite` (relative to the
/// suite's folder when both are under one root; absolute otherwise).
fn relative_to_suite(spec: &Path, suite: Option<&Path>) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let spec_abs = absolute(spec);
    let dir = suite
        .map(absolute)
        .and_then(|s| s.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| absolute(Path::new(".")));
    let (from, to): (Vec<_>, Vec<_>) =
        (dir.components().collect(), spec_abs.components().collect());
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    // only the root in common: the absolute path reads better
    if common <= 1 {
        return spec_abs.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in common..from.len() {
        rel.push("..");
    }
    for c in &to[common..] {
        rel.push(c);
    }
    rel.to_string_lossy().replace('\\', "/")
}

/// An OpenAPI spec as a suite, with the comment that opens the file.
fn from_spec(args: &ImportArgs) -> Result<(import::Imported, String), CliError> {
    if args.env.is_some() || args.globals.is_some() {
        return Err(input("--env and --globals are for Postman collections"));
    }
    let spec = seam_openapi::load::load(&args.file).map_err(|errors| {
        for e in &errors {
            eprintln!("error: {e}");
        }
        eprintln!(
            "error: {}: {} error(s); nothing imported",
            args.file.display(),
            errors.len()
        );
        CliError::Reported(exit::USAGE)
    })?;
    let spec_ref = relative_to_suite(&args.file, args.output.as_deref());
    let from = import::openapi::import(&spec, &spec_ref, &args.file.display().to_string());
    Ok((from.imported, from.preamble))
}

/// The suite, and the comment it opens with (empty but for OpenAPI specs).
fn convert(args: &ImportArgs) -> Result<(import::Imported, String), CliError> {
    if let Kind::Openapi = args.kind {
        return from_spec(args);
    }
    let converted = other_tool(args).map_err(CliError::Input)?;
    Ok((converted, String::new()))
}

/// A Postman collection or a HAR file.
fn other_tool(args: &ImportArgs) -> Result<import::Imported, String> {
    let doc = read(&args.file)?;
    match args.kind {
        Kind::Postman => {
            let env = args.env.as_deref().map(read).transpose()?;
            let globals = args.globals.as_deref().map(read).transpose()?;
            import::postman::import(&doc, env.as_ref(), globals.as_ref())
        }
        Kind::Har => {
            if args.env.is_some() || args.globals.is_some() {
                return Err("--env and --globals are for Postman collections".into());
            }
            import::har::import(&doc)
        }
        Kind::Openapi => return Err("an OpenAPI spec is not a tool's export".into()),
    }
    .map_err(|e| e.to_string())
}

pub fn run(args: ImportArgs) -> Result<Outcome, CliError> {
    let (imported, preamble) = convert(&args)?;
    let yaml = import::to_yaml(&imported.suite)
        .and_then(|y| import::check_loads(&y).map(|()| preamble + &y))
        .map_err(|e| input(format!("{}: {e}", args.file.display())))?;
    match &args.output {
        Some(path) => crate::reports::write_one(path, &yaml)
            .map_err(|e| input(format!("cannot write {}: {e}", path.display())))?,
        None => print!("{yaml}"),
    }
    if !imported.lost.is_empty() {
        eprintln!("not imported:");
        for l in &imported.lost {
            eprintln!("  {l}");
        }
    }
    Ok(exit::OK)
}
