//! Why a command could not do its work, and the one place that turns it into
//! an exit code. Commands return `Result<Outcome, CliError>`; `main` prints the
//! error once (`error: ...`) and maps its kind to the documented code.

use std::fmt;

/// Exit codes shared by every command.
pub mod exit {
    /// Everything passed.
    pub const OK: u8 = 0;
    /// Checks failed (an invalid file, a mismatch, a failing test).
    pub const FAILED: u8 = 1;
    /// Usage or input error.
    pub const USAGE: u8 = 2;
    /// A target could not be reached.
    pub const UNREACHABLE: u8 = 3;
}

/// What a command that ran to its end reports: its exit code (0, 1, or a
/// consumer test command's own code).
pub type Outcome = u8;

/// A command that could not run to its end.
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments or input files (exit 2).
    Input(String),
    /// A target did not answer at all (exit 3).
    Unreachable(String),
    /// The error was already printed (with its context); only the code is left.
    Reported(u8),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input(_) => exit::USAGE,
            CliError::Unreachable(_) => exit::UNREACHABLE,
            CliError::Reported(code) => *code,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(m) | CliError::Unreachable(m) => f.write_str(m),
            CliError::Reported(_) => Ok(()),
        }
    }
}

/// Any displayable error is bad input unless said otherwise.
pub fn input(e: impl fmt::Display) -> CliError {
    CliError::Input(e.to_string())
}
