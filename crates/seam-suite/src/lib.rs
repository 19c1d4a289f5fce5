//! seam-suite: declarative API test suites (`seam test`).
//!
//! - [`model`]: the YAML format (docs/suites.md).
//! - [`vars`]: `{{variables}}` from the suite, `--var` and captures.
//! - [`check`]: assertions on a response.
//! - [`openapi`]: the `openapi:` assertion (a response against its operation in a spec).
//! - [`run`]: the runner (tests in parallel, steps in order).
//! - [`scenario`]: a suite as a load scenario (`seam load --suite`).
//! - [`report`]: terminal report with curl commands, JUnit XML, JSON, HTML.
//! - [`import`]: Postman collections, HAR files and OpenAPI specs as suites.

pub mod check;
pub mod import;
pub mod model;
pub mod openapi;
pub mod report;
pub mod run;
pub mod scenario;
pub mod vars;

use seam_core::source::SourceError;
use std::path::{Path, PathBuf};

/// A parsed suite file.
#[derive(Debug)]
pub struct Suite {
    /// Where the file is (files it names are relative to its folder).
    pub path: PathBuf,
    /// How reports name the file (the path as the user wrote it).
    pub shown: String,
    pub file: model::SuiteFile,
}

impl Suite {
    /// The suite's name, or its file name.
    pub fn name(&self) -> String {
        self.file.name.clone().unwrap_or_else(|| {
            self.path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    }
}

/// Reads `base/path`, a suite named in a file relative to `base` (a pipeline's
/// `seam.toml`): reports name it and its steps' files as written there.
pub fn load_in(base: &Path, path: &str) -> Result<Suite, SuiteError> {
    let mut suite = load(&base.join(path))?;
    suite.shown = path.to_string();
    for test in &mut suite.file.tests {
        for step in test
            .setup
            .iter_mut()
            .chain(&mut test.steps)
            .chain(&mut test.teardown)
        {
            if let Some(shown) = step.source.as_ref().and_then(|s| s.strip_prefix(base).ok()) {
                step.source = Some(shown.to_path_buf());
            }
        }
    }
    Ok(suite)
}

/// A problem in a suite file: where (`file:line:col`) and what.
pub type SuiteError = SourceError;

/// An error about `path` as a whole (no line).
fn file_error(path: &Path, message: impl Into<String>) -> SuiteError {
    SourceError::new(path.display().to_string(), None, message)
}

/// Reads a suite file.
pub fn load(path: &Path) -> Result<Suite, SuiteError> {
    let file: model::SuiteFile = read_yaml(path)?;
    if file.tests.is_empty() {
        return Err(file_error(path, "the suite has no tests"));
    }
    let mut file = file;
    for test in &mut file.tests {
        for steps in [&mut test.setup, &mut test.steps, &mut test.teardown] {
            *steps = expand_includes(std::mem::take(steps), path, 0)?;
        }
    }
    Ok(Suite {
        path: path.to_path_buf(),
        shown: path.display().to_string(),
        file,
    })
}

/// Reads a text file a suite names (env files, matrices, expected bodies): a
/// BOM is dropped, and an error says which file and, for bad UTF-8, where.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    seam_core::source::decode_text(&bytes)
        .map(str::to_string)
        .map_err(|e| e.in_file(name).to_string())
}

/// Reads a YAML file of the suite format (a suite, or included steps).
fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, SuiteError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| file_error(path, format!("cannot read: {e}")))?;
    seam_core::source::decode_text(&bytes)
        .map_err(|e| e.in_file(name.clone()))
        .and_then(|text| seam_core::yaml::from_str(&name, text))
}

/// Replaces `include:` steps with the steps of the named file (recursively).
fn expand_includes(
    steps: Vec<model::SuiteStep>,
    file: &Path,
    depth: usize,
) -> Result<Vec<model::SuiteStep>, SuiteError> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut out = Vec::new();
    for step in steps {
        let Some(inc) = &step.include else {
            let mut step = step;
            step.source = Some(file.to_path_buf());
            out.push(step);
            continue;
        };
        let path = dir.join(inc);
        if depth > 8 {
            return Err(file_error(
                &path,
                "includes nest more than 8 deep (a cycle?)",
            ));
        }
        let included: Vec<model::SuiteStep> = read_yaml(&path)?;
        for mut s in expand_includes(included, &path, depth + 1)? {
            if s.condition.is_none() {
                s.condition = step.condition.clone();
            }
            out.push(s);
        }
    }
    Ok(out)
}
