//! Loading stubs: seam stub files, WireMock directories (`mappings/` +
//! `__files/`), single WireMock mapping files, and pact files (HTTP
//! interactions become stubs matched by the Pact engine, answered with
//! generators applied). Errors carry file:line:column. A stub that cannot be
//! used is skipped with a warning and the rest are served ([`load_all`]).
//! Also hot reload.

use crate::stub::{MethodMatch, RequestPattern, ResponseDef, Stub, StubSource, UrlMatcher};
use seam_core::http::Body;
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

/// What loading a source gives: the stubs to serve, the stubs left out
/// because their definition cannot be used (each placed: file and line,
/// column and JSON path when known, and why), and notes about stubs that are
/// knowingly not served (a pact interaction seam cannot use).
#[derive(Debug, Default)]
pub struct Loaded {
    pub stubs: Vec<Stub>,
    /// Stubs (or whole files in a directory) skipped: the rest is served.
    pub skipped: Vec<LoadError>,
    /// Interactions not served, with the reason the reader gave.
    pub notes: Vec<LoadError>,
}

impl Loaded {
    fn extend(&mut self, other: Loaded) {
        self.stubs.extend(other.stubs);
        self.skipped.extend(other.skipped);
        self.notes.extend(other.notes);
    }

    /// Every warning to print at start, skipped stubs first.
    pub fn warnings(&self) -> impl Iterator<Item = &LoadError> {
        self.skipped.iter().chain(&self.notes)
    }
}

/// How the pact reader ends a warning about an interaction it marks unusable.
const UNUSABLE_SUFFIX: &str = "seam cannot use this interaction";

fn pact_error(file: &Path, e: seam_pact::PactError) -> LoadError {
    match e.location {
        seam_pact::Location::LineColumn(l, c) => error_at(file, l, c, e.message),
        seam_pact::Location::JsonPath(p) => path_error(file, MatcherError::new(p, e.message)),
    }
}

/// Stubs from a pact: one per HTTP interaction seam can use.
pub fn stubs_from_pact(file: &Path, text: &str) -> Result<Vec<Stub>, LoadError> {
    pact_file(file, text).map(|l| l.stubs)
}

fn pact_file(file: &Path, text: &str) -> Result<Loaded, LoadError> {
    let pact = seam_pact::read_pact_str(&file.display().to_string(), text)
        .map_err(|e| pact_error(file, e))?;
    let mut loaded = Loaded::default();
    // what the reader tolerated; an interaction it could not use is named
    // once below, with its reason, instead
    for w in &pact.warnings {
        if !w.message.ends_with(UNUSABLE_SUFFIX) {
            loaded.notes.push(pact_error(file, w.clone()));
        }
    }
    for (n, i) in pact.interactions.iter().enumerate() {
        if let (Some(why), Exchange::Http { .. }) = (&i.unusable, &i.exchange) {
            loaded.notes.push(path_error(
                file,
                MatcherError::new(
                    format!("$.interactions[{n}]"),
                    format!("interaction \"{}\" is not served: {why}", i.description),
                ),
            ));
        }
    }
    let mut stubs = stubs_for_pact(&pact, StubSource::File(file.to_path_buf()));
    let usable: Vec<bool> = pact
        .interactions
        .iter()
        .filter(|i| matches!(i.exchange, Exchange::Http { .. }))
        .map(|i| i.unusable.is_none())
        .collect();
    let mut keep = usable.into_iter();
    stubs.retain(|_| keep.next().unwrap_or(true));
    // the registry tries the newest stub first among equal priorities; the
    // official stub server answers with the first interaction that matches
    stubs.reverse();
    let fallbacks: Vec<Stub> = stubs.iter().filter_map(header_fallback).collect();
    stubs.extend(fallbacks);
    loaded.stubs = stubs;
    Ok(loaded)
}

/// The official stub server picks the first interaction that matches a
/// request, headers included, and when none does, the first that matches
/// but for its headers. A pact stub whose request expects headers gets a
/// second stub, one priority lower, that does not check them.
fn header_fallback(stub: &Stub) -> Option<Stub> {
    let spec = stub.request.pact_request.as_ref()?;
    if spec.request.headers.is_empty() {
        return None;
    }
    let mut fallback = stub.clone();
    fallback.id = uuid::Uuid::new_v4();
    fallback.priority = stub.priority.saturating_add(1);
    std::sync::Arc::make_mut(&mut fallback.request).ignore_pact_headers = true;
    Some(fallback)
}

/// Stubs for a pact's HTTP interactions (one per interaction, in order),
/// matched by the Pact engine and answered with generators applied. A
/// response with a body and no `Content-Type` gets the one the official
/// tools give it, judged by the body ([`default_content_type`]). The
/// registry tries the newest of equal-priority stubs first, so to have the
/// first interaction win, as the official stub server does, add them in
/// reverse order (as [`load_all`] does).
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
        let mut response = response.clone();
        if response.response.headers.get("content-type").is_none() {
            if let Some(ct) = default_content_type(&response.response.body) {
                response.response.headers.append("Content-Type", ct);
            }
        }
        let def = ResponseDef {
            pact: Some(Box::new(response)),
            ..Default::default()
        };
        let mut stub = Stub::new(pattern, def);
        stub.name = Some(i.description.clone());
        stub.source = source.clone();
        stubs.push(stub);
    }
    stubs
}

/// The `Content-Type` the official Pact tools give a response body that has
/// none: by the body's kind, and for text by its first characters (an XML
/// declaration or element is `application/xml`, `<!DOCTYPE`/`<html>` is
/// `text/html`, something that starts like JSON is `application/json`, the
/// rest `text/plain`). No body, no type.
pub fn default_content_type(body: &Body) -> Option<&'static str> {
    Some(match body {
        Body::Absent | Body::Empty => return None,
        Body::Json(_) => "application/json",
        // `<html>` reads as XML too; the official tools call it HTML
        Body::Xml(t) => content_type_of_text(t),
        Body::Form(_) => "application/x-www-form-urlencoded",
        Body::Bytes(_) => "application/octet-stream",
        Body::Text(t) => content_type_of_text(t),
    })
}

/// pact_models' `detect_content_type_from_string`, in order.
fn content_type_of_text(text: &str) -> &'static str {
    let t = text.trim_start();
    let upper = t.to_ascii_uppercase();
    let starts_xml_element = t.strip_prefix('<').is_some_and(|rest| {
        rest.chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    });
    let json_start = match t.chars().next() {
        Some('{') => {
            let inner = t[1..].trim_start();
            inner.starts_with('}') || inner.starts_with('"')
        }
        Some('[') | Some('"') => true,
        Some(c) if c.is_ascii_digit() => true,
        _ => ["true", "false", "null"].iter().any(|w| t.starts_with(w)),
    };
    if upper.starts_with("<?XML") {
        "application/xml"
    } else if upper.starts_with("<!DOCTYPE") || upper.contains("<HTML>") {
        "text/html"
    } else if starts_xml_element {
        "application/xml"
    } else if json_start {
        "application/json"
    } else {
        "text/plain"
    }
}

/// What a file holds, judged by its first key. WireMock mappings may hold
/// `//` and `/* */` comments (WireMock's parser allows them); they are
/// blanked out first, so line and column positions stay right.
fn load_file(file: &Path, files_dir: Option<&Path>) -> Result<Loaded, LoadError> {
    let bytes = std::fs::read(file).map_err(|e| file_error(file, format!("cannot read: {e}")))?;
    let text = seam_core::source::decode_text(&bytes)
        .map_err(|e| e.in_file(file.display().to_string()))?;
    let is_yaml = file.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let only = |stubs| Loaded {
        stubs,
        ..Default::default()
    };
    if is_yaml {
        return crate::seam_stubs::parse(file, text).map(only);
    }
    let text = crate::wiremock::blank_comments(text);
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| crate::wiremock::syntax_error(file, &e))?;
    seam_matchers::check_matcher_counts(&doc).map_err(|e| placed(file, &text, e))?;
    if doc.get("stubs").is_some() {
        crate::seam_stubs::parse(file, &text).map(only)
    } else if doc.get("interactions").is_some() || doc.get("consumer").is_some() {
        pact_file(file, &text)
    } else {
        crate::wiremock::mapping_file(&doc, &text, file, files_dir)
    }
}

/// A [`LoadError`] at a JSON path of `file`, with the line and column where
/// that value starts in `text` when it can be found.
pub fn placed(file: &Path, text: &str, e: MatcherError) -> LoadError {
    Placer::new(file, text).place(e)
}

/// Places errors in one JSON text: however many there are, the text is
/// walked once for the starts of its lines and of its `mappings` items, so
/// 20,000 bad mappings in one file are placed in linear time.
pub(crate) struct Placer<'t> {
    file: &'t Path,
    text: &'t str,
    lines: std::cell::OnceCell<Vec<usize>>,
    items: std::cell::OnceCell<Vec<usize>>,
}

impl<'t> Placer<'t> {
    pub(crate) fn new(file: &'t Path, text: &'t str) -> Self {
        Placer {
            file,
            text,
            lines: Default::default(),
            items: Default::default(),
        }
    }

    /// The byte offset where the value at `path` starts.
    fn offset(&self, path: &str) -> Option<usize> {
        const ITEM: &str = "$.mappings[";
        if let Some(rest) = path.strip_prefix(ITEM) {
            let (index, tail) = rest.split_once(']')?;
            let items = self
                .items
                .get_or_init(|| crate::wiremock::item_starts(self.text, "$.mappings"));
            let start = *items.get(index.parse::<usize>().ok()?)?;
            let inner = crate::wiremock::locate(&self.text[start..], &format!("${tail}"))?;
            return Some(start + inner);
        }
        crate::wiremock::locate(self.text, path)
    }

    /// Line and column (in characters) of a byte offset.
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let lines = self.lines.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = lines.partition_point(|&start| start <= offset).max(1);
        let start = lines[line - 1];
        let mut cut = offset.min(self.text.len());
        while !self.text.is_char_boundary(cut) {
            cut -= 1;
        }
        (line, self.text[start..cut.max(start)].chars().count() + 1)
    }

    pub(crate) fn place(&self, e: MatcherError) -> LoadError {
        match self.offset(&e.path) {
            Some(offset) => {
                let (line, column) = self.line_column(offset);
                SourceError::new(
                    self.file.display().to_string(),
                    Some(Location::LineColumnPath {
                        line,
                        column,
                        path: e.path,
                    }),
                    e.message,
                )
            }
            None => path_error(self.file, e),
        }
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
/// `__files/` next to `mappings/` holds WireMock body files), strictly: a
/// stub that cannot be used is an error. Pact interactions marked unusable
/// are left out without one (see [`load_all`] for the notes).
pub fn load(path: &Path) -> Result<Vec<Stub>, LoadError> {
    let loaded = load_all(path)?;
    match loaded.skipped.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(loaded.stubs),
    }
}

/// Loads every stub under `path` as `seam mock` serves them: a stub that
/// cannot be used (an unsupported field, a regex that does not compile) is
/// skipped with a placed warning and the rest are served; in a directory, so
/// is a file that cannot be read at all. A single file that cannot be read is
/// an error, and so is a path that does not exist.
pub fn load_all(path: &Path) -> Result<Loaded, LoadError> {
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
    let mut loaded = Loaded::default();
    for f in stub_files(path)? {
        match load_file(&f, files_dir.as_deref()) {
            Ok(l) => loaded.extend(l),
            Err(e) => loaded.skipped.push(e),
        }
    }
    Ok(loaded)
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

/// Watches `paths` and reloads file stubs when they change. A bad file (or a
/// stub that cannot be used) keeps the previous stubs and reports the error
/// through `log`: a file being edited is often half written.
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
                // while serving, a file being edited is often half written:
                // any stub that cannot be used keeps every previous stub
                match load(p) {
                    Ok(l) => loaded.extend(l),
                    Err(e) => failed = Some(e),
                }
            }
            match failed {
                Some(e) => log(format!("reload failed, keeping the previous stubs: {e}")),
                None => {
                    let n = loaded.len();
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
        assert_eq!(load_file(&yaml, None).unwrap().stubs.len(), 1);
        let json = dir.path().join("m.json");
        std::fs::write(
            &json,
            "\u{feff}{\"request\": {\"url\": \"/a\"}, \"response\": {\"status\": 200}}",
        )
        .unwrap();
        assert_eq!(load_file(&json, None).unwrap().stubs.len(), 1);
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
        let e = load(&json).unwrap_err();
        let at = "$.request.bodyPatterns[0].matches";
        assert_eq!(
            e.at,
            Some(Location::LineColumnPath {
                line: 1,
                column: 43,
                path: at.into()
            })
        );
        assert_eq!(
            e.to_string(),
            format!(
                "{}:1:43: at {at}: invalid regex `(`: unclosed group",
                json.display()
            )
        );
        // the same place and wording as a list that is too long
        let many = vec![serde_json::json!({"equalTo": "a"}); 1_001];
        let doc = serde_json::json!({"request": {"bodyPatterns": many}, "response": {}});
        std::fs::write(&json, doc.to_string()).unwrap();
        let e = load(&json).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}:1:28: at $.request.bodyPatterns: `bodyPatterns` holds 1001 matchers; at most 1000 are allowed in one list",
                json.display()
            )
        );
    }
}
