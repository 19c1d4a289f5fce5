//! `REV:path` operands of `seam diff` (`HEAD~1:api/openapi.yaml`): the tree of
//! the revision's directory of `path` is written to a temp dir with
//! `git archive REV:dir | tar -x`, so a multi-file spec's relative `$ref`s load
//! as they did at that revision. Paths follow git's rules (from the repository
//! root; `./` for the current directory). Places in reports and errors are
//! written back as `REV:dir/file`.

use crate::CliError;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A spec operand ready to load.
pub struct Operand {
    /// How reports name it: the path as given, or `REV:path`.
    pub name: String,
    /// The file to load.
    pub path: PathBuf,
    /// For a revision: the temp dir (removed on drop) and how its paths are shown.
    materialised: Option<(tempfile::TempDir, String, String)>,
}

impl Operand {
    /// A file that exists is a file; `REV:path` otherwise when it holds a `:`
    /// (an error naming the revision when git cannot read it); anything else
    /// is left to the spec loader's own "cannot read" error.
    pub fn resolve(text: &str) -> Result<Operand, CliError> {
        let as_file = Operand {
            name: text.to_string(),
            path: PathBuf::from(text),
            materialised: None,
        };
        if Path::new(text).exists() {
            return Ok(as_file);
        }
        let Some((revision, path)) = text.split_once(':').filter(|(rev, _)| !rev.is_empty()) else {
            return Ok(as_file);
        };
        verify_revision(revision)?;
        if path.is_empty() {
            return Err(CliError::Input(format!(
                "{text}: name a spec file after the revision (`{revision}:openapi.yaml`)"
            )));
        }
        let (dir, file) = match path.rsplit_once('/') {
            Some((dir, file)) => (dir, file),
            None => ("", path),
        };
        git(&["cat-file", "-e", &format!("{revision}:{path}")]).map_err(|_| {
            CliError::Input(format!(
                "{text}: `{path}` is not a file in git revision `{revision}`"
            ))
        })?;
        let temp = tempfile::tempdir()
            .map_err(|e| CliError::Input(format!("cannot create a temp dir for {text}: {e}")))?;
        extract(revision, dir, temp.path()).map_err(|e| {
            CliError::Input(format!(
                "{text}: cannot read git revision `{revision}`: {e}"
            ))
        })?;
        let shown_dir = if dir.is_empty() {
            format!("{revision}:")
        } else {
            format!("{revision}:{dir}/")
        };
        let temp_prefix = format!("{}/", temp.path().display());
        Ok(Operand {
            name: text.to_string(),
            path: temp.path().join(file),
            materialised: Some((temp, temp_prefix, shown_dir)),
        })
    }

    /// `text` with this operand's temp paths shown as `REV:dir/`.
    pub fn shown(&self, text: &str) -> String {
        match &self.materialised {
            Some((_, temp_prefix, shown)) => text.replace(temp_prefix.as_str(), shown),
            None => text.to_string(),
        }
    }
}

fn verify_revision(revision: &str) -> Result<(), CliError> {
    git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{revision}^{{commit}}"),
    ])
    .map(|_| ())
    .map_err(|e| CliError::Input(format!("`{revision}` is not a git revision here: {e}")))
}

/// Runs git; its stdout, or its stderr's first line as the error.
fn git(args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(stderr
            .lines()
            .next()
            .filter(|l| !l.is_empty())
            .unwrap_or("git failed (not a git repository?)")
            .to_string())
    }
}

/// `git archive REV:dir | tar -x -C into`.
fn extract(revision: &str, dir: &str, into: &Path) -> Result<(), String> {
    let archive = git(&["archive", "--format=tar", &format!("{revision}:{dir}")])?;
    let mut tar = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(into)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if let Some(mut stdin) = tar.stdin.take() {
        use std::io::Write;
        stdin
            .write_all(&archive)
            .map_err(|e| format!("cannot unpack the tree: {e}"))?;
    }
    let out = tar
        .wait_with_output()
        .map_err(|e| format!("cannot unpack the tree: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "cannot unpack the tree: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}
