//! Loading stubs: seam stub files, WireMock directories (`mappings/` +
//! `__files/`), single WireMock mapping files, and pact files (HTTP
//! interactions become stubs matched by the Pact engine, answered with
//! generators applied). Errors carry file:line:column. Also hot reload.

use crate::stub::{MethodMatch, RequestPattern, ResponseDef, Stub, StubSource, UrlMatcher};
use seam_core::interaction::Exchange;
use seam_core::source::{Location, SourceError};
use seam_matchers::MatcherError;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// A problem in a stub source: seam-core's one positioned error, printed
/// `file:line:col: message`, `file: at $.json.path: message` or `file: message`.
pub type LoadError = SourceError;

/// A [`LoadError`] at a line and column of `file`.
pub fn error_at(file: &Path, line: usize, column: usize, message: impl Into<String>) -> LoadError {
    SourceError::new(
        file.display().to_string(),
        Some(Location::at(line, column)),
        message,
    )
}

/// A [`LoadError`] about `file` as a whole (it cannot be read, a rule that
/// spans the file).
pub fn file_error(file: &Path, message: impl Into<String>) -> LoadError {
    SourceError::new(file.display().to_string(), None, message)
}

/// A [`LoadError`] at a JSON path of `file` (a WireMock mapping, a matcher).
pub fn path_error(file: &Path, e: MatcherError) -> LoadError {
    SourceError::new(
        file.display().to_string(),
        Some(Location::Path(e.path)),
        e.message,
    )
}

/// Stubs from a pact: one per HTTP interaction.
pub fn stubs_from_pact(file: &Path, text: &str) -> Result<Vec<Stub>, LoadError> {
    let pact = seam_pact::read_pact_str(&file.display().to_string(), text).map_err(|e| match e
        .location
    {
        seam_pact::Location::LineColumn(l, c) => error_at(file, l, c, e.message),
        seam_pact::Location::JsonPath(p) => path_error(file, MatcherError::new(p, e.message)),
    })?;
    Ok(stubs_for_pact(&pact, StubSource::File(file.to_path_buf())))
}

/// Stubs for a pact's HTTP interactions, matched by the Pact engine and answered
/// with generators applied.
pub fn stubs_for_pact(pact: &seam_pact::Pact, source: StubSource) -> Vec<Stub> {
    let mut stubs = Vec::new();
    for i in &pact.interactions {
        let Exchange::Http { request, response } = &i.exchange else {
            continue;
        };
        let has_path_rules = request
            .rules
            .category(seam_core::rules::Category::Path)
            .is_some();
        let pattern = RequestPattern {
            method: MethodMatch::parse(&request.request.method),
            url: if has_path_rules {
                UrlMatcher::Any
            } else {
                UrlMatcher::UrlPath(request.request.path.clone())
            },
            pact_request: Some(Box::new(request.clone())),
            ..Default::default()
        };
        let def = ResponseDef {
            pact: Some(Box::new(response.clone())),
            ..Default::default()
        };
        let mut stub = Stub::new(pattern, def);
        stub.name = Some(i.description.clone());
        stub.source = source.clone();
        stubs.push(stub);
    }
    stubs
}

/// What a file holds, judged by its first key.
fn load_file(file: &Path, files_dir: Option<&Path>) -> Result<Vec<Stub>, LoadError> {
    let bytes = std::fs::read(file).map_err(|e| file_error(file, format!("cannot read: {e}")))?;
    let text = seam_core::source::decode_text(&bytes)
        .map_err(|e| e.in_file(file.display().to_string()))?;
    let is_yaml = file.extension().is_some_and(|e| e == "yaml" || e == "yml");
    if is_yaml {
        return crate::seam_stubs::parse(file, text);
    }
    let doc: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| error_at(file, e.line(), e.column(), format!("invalid JSON: {e}")))?;
    seam_matchers::check_matcher_counts(&doc).map_err(|e| path_error(file, e))?;
    if doc.get("stubs").is_some() {
        crate::seam_stubs::parse(file, text)
    } else if doc.get("interactions").is_some() || doc.get("consumer").is_some() {
        stubs_from_pact(file, text)
    } else {
        crate::wiremock::stubs_from_mapping_file(text, file, files_dir)
    }
}

fn stub_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| file_error(&d, format!("cannot list: {e}")))?;
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "__files") {
                    stack.push(p);
                }
            } else if p
                .extension()
                .is_some_and(|x| x == "json" || x == "yaml" || x == "yml")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Loads every stub under `path` (a file, or a directory searched recursively;
/// `__files/` next to `mappings/` holds WireMock body files).
pub fn load(path: &Path) -> Result<Vec<Stub>, LoadError> {
    if path.is_file() {
        let files_dir = path
            .parent()
            .and_then(|p| p.parent())
            .map(|p| p.join("__files"));
        return load_file(path, files_dir.as_deref().filter(|d| d.is_dir()));
    }
    if !path.is_dir() {
        return Err(file_error(path, "no such file or directory"));
    }
    let files_dir = path.join("__files");
    let files_dir = files_dir.is_dir().then_some(files_dir);
    let mut stubs = Vec::new();
    for f in stub_files(path)? {
        stubs.extend(load_file(&f, files_dir.as_deref())?);
    }
    Ok(stubs)
}

/// The newest modification time under `paths` (and how many files), to notice changes.
fn fingerprint(paths: &[PathBuf]) -> (Option<SystemTime>, usize) {
    let mut newest = None;
    let mut count = 0;
    for p in paths {
        let files = if p.is_dir() {
            stub_files(p).unwrap_or_default()
        } else {
            vec![p.clone()]
        };
        for f in files {
            count += 1;
            if let Ok(t) = std::fs::metadata(&f).and_then(|m| m.modified()) {
                newest = newest.max(Some(t));
            }
        }
    }
    (newest, count)
}

/// Watches `paths` and reloads file stubs when they change. A bad file keeps the
/// previous stubs and reports the error through `log`.
pub fn spawn_reloader(
    registry: std::sync::Arc<crate::server::MockState>,
    paths: Vec<PathBuf>,
    every: Duration,
    log: impl Fn(String) + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut last = fingerprint(&paths);
        loop {
            tokio::time::sleep(every).await;
            let now = fingerprint(&paths);
            if now == last {
                continue;
            }
            last = now;
            let mut loaded = Vec::new();
            let mut failed = None;
            for p in &paths {
                match load(p) {
                    Ok(s) => loaded.extend(s),
                    Err(e) => failed = Some(e),
                }
            }
            match failed {
                Some(e) => log(format!("reload failed, keeping the previous stubs: {e}")),
                None => {
                    let n = loaded.len();
                    *registry.initial.lock().expect("initial lock") = loaded.clone();
                    registry
                        .registry
                        .replace_where(|s| matches!(s.source, StubSource::File(_)), loaded);
                    log(format!("reloaded {n} stub(s)"));
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_with_a_bom_load_and_invalid_utf8_is_placed() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = dir.path().join("s.yaml");
        std::fs::write(
            &yaml,
            "\u{feff}stubs:\n  - request: { path: /a }\n    response: { status: 204 }\n",
        )
        .unwrap();
        assert_eq!(load_file(&yaml, None).unwrap().len(), 1);
        let json = dir.path().join("m.json");
        std::fs::write(
            &json,
            "\u{feff}{\"request\": {\"url\": \"/a\"}, \"response\": {\"status\": 200}}",
        )
        .unwrap();
        assert_eq!(load_file(&json, None).unwrap().len(), 1);
        std::fs::write(&yaml, b"stubs:\n  - request: { path: /\xff }\n").unwrap();
        let e = load_file(&yaml, None).unwrap_err();
        assert_eq!(e.line_column(), (Some(2), Some(23)), "{e}");
        assert!(e.message.contains("offset 29"), "{e}");
    }

    #[test]
    fn mapping_errors_name_their_json_path_as_every_reader_does() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("m.json");
        let bad = r#"{"request": {"bodyPatterns": [{"matches": "("}]}, "response": {}}"#;
        std::fs::write(&json, bad).unwrap();
        let e = load_file(&json, None).unwrap_err();
        let at = "$.request.bodyPatterns[0].matches";
        assert_eq!(e.at, Some(Location::Path(at.into())));
        assert_eq!(
            e.to_string(),
            format!(
                "{}: at {at}: invalid regex `(`: unclosed group",
                json.display()
            )
        );
        // the same place and wording as a list that is too long
        let many = vec![serde_json::json!({"equalTo": "a"}); 1_001];
        let doc = serde_json::json!({"request": {"bodyPatterns": many}, "response": {}});
        std::fs::write(&json, doc.to_string()).unwrap();
        let e = load_file(&json, None).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: at $.request.bodyPatterns: `bodyPatterns` holds 1001 matchers; at most 1000 are allowed in one list",
                json.display()
            )
        );
    }
}
