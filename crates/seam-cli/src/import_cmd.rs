//! `seam import postman|har FILE`: turn other tools' files into seam suites.
//! The suite goes to `-o FILE` (or standard output); what could not be
//! imported is listed on standard error, and the exit code is still 0.

use crate::exit;
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

pub fn run(args: ImportArgs) -> u8 {
    let imported = match convert(&args) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let yaml =
        match import::to_yaml(&imported.suite).and_then(|y| import::check_loads(&y).map(|()| y)) {
            Ok(y) => y,
            Err(e) => {
                eprintln!("error: {}: {e}", args.file.display());
                return exit::USAGE;
            }
        };
    let written = match &args.output {
        Some(path) => std::fs::write(path, yaml)
            .map_err(|e| format!("error: cannot write {}: {e}", path.display())),
        None => {
            print!("{yaml}");
            Ok(())
        }
    };
    if let Err(e) = written {
        eprintln!("{e}");
        return exit::USAGE;
    }
    if !imported.lost.is_empty() {
        eprintln!("not imported:");
        for l in &imported.lost {
            eprintln!("  {l}");
        }
    }
    exit::OK
}
