//! Report files, written the same way by every command: each requested format is
//! written (parent directories created), each one written is listed, and a file
//! that cannot be written is named without stopping the others.

use crate::{exit, CliError};
use std::path::{Path, PathBuf};

/// One report a command was asked for: its label (`junit`, `json`, `html`), where
/// it goes, and how to render it (only called when it was asked for).
pub struct Requested<'a> {
    pub label: &'static str,
    pub path: Option<&'a Path>,
    pub render: &'a dyn Fn() -> String,
}

impl<'a> Requested<'a> {
    pub fn new(
        label: &'static str,
        path: Option<&'a PathBuf>,
        render: &'a dyn Fn() -> String,
    ) -> Self {
        Requested {
            label,
            path: path.map(PathBuf::as_path),
            render,
        }
    }
}

/// Refuses a `--report` format that is not one of `known`, with a "did you mean".
pub fn check_formats(asked: &[String], known: &[&str]) -> Result<(), CliError> {
    for f in asked {
        if !known.contains(&f.as_str()) {
            return Err(CliError::Input(format!(
                "--report `{f}`{}: the formats are {}",
                seam_core::source::did_you_mean(f, known.iter().copied()),
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// The folder a `--config` file's relative paths are read from.
pub fn config_dir(config: &Path) -> PathBuf {
    config
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// Writes every requested report; an error when any could not be written
/// (after trying all of them and saying which).
pub fn write_all(reports: &[Requested<'_>]) -> Result<(), CliError> {
    let mut failed = false;
    for report in reports {
        let Some(path) = report.path else { continue };
        match write_one(path, &(report.render)()) {
            Ok(()) => println!("  {:<6} {}", report.label, path.display()),
            Err(e) => {
                eprintln!(
                    "error: cannot write the {} report {}: {e}",
                    report.label,
                    path.display()
                );
                failed = true;
            }
        }
    }
    if failed {
        Err(CliError::Reported(exit::USAGE))
    } else {
        Ok(())
    }
}

/// Writes `text` to `path`, creating its parent directories.
pub fn write_one(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}
