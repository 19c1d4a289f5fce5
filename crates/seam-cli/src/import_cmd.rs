//! `seam import postman|har FILE`: turn other tools' files into seam suites.
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

fn convert(args: &ImportArgs) -> Result<import::Imported, String> {
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
    }
    .map_err(|e| e.to_string())
}

pub fn run(args: ImportArgs) -> Result<Outcome, CliError> {
    let imported = convert(&args).map_err(CliError::Input)?;
    let yaml = import::to_yaml(&imported.suite)
        .and_then(|y| import::check_loads(&y).map(|()| y))
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
