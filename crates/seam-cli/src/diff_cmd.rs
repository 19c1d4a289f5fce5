//! `seam diff BASE REVISION`: breaking changes between two OpenAPI specs.

use crate::{CliError, Outcome};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct DiffArgs {
    /// The spec before the change.
    base: PathBuf,
    /// The spec after the change.
    revision: PathBuf,
}

pub fn run(args: DiffArgs) -> Result<Outcome, CliError> {
    Err(CliError::Input(format!(
        "seam diff is being built; cannot compare {} and {} yet",
        args.base.display(),
        args.revision.display()
    )))
}
