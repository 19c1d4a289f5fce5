//! `seam pact validate` and `seam pact convert`.

use crate::{exit, failure::input, CliError, Outcome};
use clap::{Subcommand, ValueEnum};
use seam_pact::{check_examples, read_pact_file, SpecVersion};
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum PactCommand {
    /// Check pact files: syntax, structure, matchers, generators, and that every
    /// example satisfies its own matching rules. What the official Pact tools
    /// load but is not quite right (an example breaking its own rules, a null
    /// version, an interaction seam cannot use) is a warning on stderr.
    /// Exit 0 valid (warnings allowed), 1 invalid or unreadable (or, with
    /// --strict, any warning), 2 usage.
    Validate {
        /// Pact files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Hold files to more than the official tools do: any warning makes
        /// the file invalid.
        #[arg(long)]
        strict: bool,
    },
    /// Rewrite a pact file in another specification version.
    Convert {
        /// The pact file to convert.
        file: PathBuf,
        /// The version to write.
        #[arg(long, value_enum)]
        to: Target,
        /// Where to write (standard output when omitted).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Target {
    V3,
    V4,
}

pub fn run(cmd: PactCommand) -> Result<Outcome, CliError> {
    match cmd {
        PactCommand::Validate { files, strict } => Ok(validate(&files, strict)),
        PactCommand::Convert { file, to, output } => convert(&file, to, output.as_deref()),
    }
}

fn validate(files: &[PathBuf], strict: bool) -> u8 {
    let mut invalid = 0;
    for f in files {
        let pact = match read_pact_file(f) {
            Ok(pact) => pact,
            Err(e) => {
                invalid += 1;
                println!("invalid {e}");
                continue;
            }
        };
        // an example that breaks its own rules is a contract the official
        // tools load (the provider is held to the rules, not the example)
        let problems = check_examples(&f.display().to_string(), &pact);
        let warnings = pact.warnings.iter().chain(&problems);
        if strict && (!pact.warnings.is_empty() || !problems.is_empty()) {
            invalid += 1;
            for w in warnings {
                println!("invalid {w}");
            }
            continue;
        }
        for w in warnings {
            eprintln!("warning: {w}");
        }
        let unusable = pact
            .interactions
            .iter()
            .filter(|i| i.unusable.is_some())
            .count();
        let unusable = match unusable {
            0 => String::new(),
            n => format!(", {n} seam cannot use"),
        };
        println!(
            "ok      {} (v{}, {} → {}, {} interaction(s){unusable})",
            f.display(),
            pact.version,
            pact.consumer,
            pact.provider,
            pact.interactions.len()
        );
    }
    if invalid > 0 {
        eprintln!("{invalid} of {} file(s) invalid", files.len());
        exit::FAILED
    } else {
        exit::OK
    }
}

fn convert(
    file: &std::path::Path,
    to: Target,
    output: Option<&std::path::Path>,
) -> Result<Outcome, CliError> {
    let pact = read_pact_file(file).map_err(input)?;
    for w in &pact.warnings {
        eprintln!("warning: {w}");
    }
    let version = match to {
        Target::V3 => SpecVersion::V3,
        Target::V4 => SpecVersion::V4,
    };
    let doc = pact
        .to_json(version)
        .map_err(|e| input(format!("{}: {e}", file.display())))?;
    let text = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes") + "\n";
    match output {
        Some(path) => crate::reports::write_one(path, &text)
            .map_err(|e| input(format!("cannot write {}: {e}", path.display())))?,
        None => std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| input(format!("cannot write to standard output: {e}")))?,
    }
    Ok(exit::OK)
}
