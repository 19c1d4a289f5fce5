//! `seam compat SPEC PACTS...`: pacts checked against the provider's OpenAPI spec.

use crate::{CliError, Outcome};
use clap::Args;
use std::path::PathBuf;

#[derive(Args)]
pub struct CompatArgs {
    /// The provider's OpenAPI spec.
    spec: PathBuf,
    /// Pact files or directories of them.
    #[arg(required = true)]
    pacts: Vec<PathBuf>,
}

pub fn run(args: CompatArgs) -> Result<Outcome, CliError> {
    Err(CliError::Input(format!(
        "seam compat is being built; cannot check {} pact path(s) against {} yet",
        args.pacts.len(),
        args.spec.display()
    )))
}
