//! `seam import postman|har FILE`: turn other tools' files into seam suites.

use crate::exit;
use clap::ValueEnum;
use std::path::PathBuf;

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
}

pub fn run(args: ImportArgs) -> u8 {
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: cannot read: {e}", args.file.display());
            return exit::USAGE;
        }
    };
    let doc: serde_json::Value = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => {
            eprintln!(
                "error: {}:{}:{}: invalid JSON: {e}",
                args.file.display(),
                e.line(),
                e.column()
            );
            return exit::USAGE;
        }
    };
    let suite = match args.kind {
        Kind::Postman => seam_suite::import::postman(&doc),
        Kind::Har => seam_suite::import::har(&doc),
    }
    .and_then(|s| seam_suite::import::to_yaml(&s));
    let yaml = match suite {
        Ok(y) => y,
        Err(e) => {
            eprintln!("error: {}: {e}", args.file.display());
            return exit::USAGE;
        }
    };
    match &args.output {
        Some(path) => match std::fs::write(path, yaml) {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                exit::USAGE
            }
        },
        None => {
            print!("{yaml}");
            exit::OK
        }
    }
}
