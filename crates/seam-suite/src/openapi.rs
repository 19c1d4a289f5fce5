//! The `openapi:` assertion: a response checked against its operation in an
//! OpenAPI spec (found by `operationId`, or by the request's method and path).
//! Specs are read once per process (keyed by file, size and modification time)
//! with their compiled schemas and router, so a suite of a thousand steps reads
//! its spec once.

use crate::check::{Failure, Received};
use crate::model::OpenApiAssert;
use seam_openapi::conform::{self, ResponseParts};
use seam_openapi::router::{Route, Router};
use seam_openapi::schema::Schemas;
use seam_openapi::Spec;
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

/// A spec ready to check against.
pub struct Loaded {
    pub spec: Spec,
    schemas: Schemas,
    router: Router,
}

/// The cache key: the file and what says it changed.
type Key = (PathBuf, u64, Option<SystemTime>);

/// Each spec read, or why it could not be.
type Cache = Mutex<HashMap<Key, Arc<Result<Loaded, String>>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The spec at `path` (relative to the suite's folder `dir`), loaded on first
/// use and kept; its errors, kept too (each step names them the same way).
pub fn load(dir: &Path, path: &str) -> Arc<Result<Loaded, String>> {
    let file = dir.join(path);
    let meta = std::fs::metadata(&file);
    let key = (
        file.canonicalize().unwrap_or_else(|_| file.clone()),
        meta.as_ref().map(|m| m.len()).unwrap_or(0),
        meta.as_ref().ok().and_then(|m| m.modified().ok()),
    );
    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry(key)
        .or_insert_with(|| Arc::new(read(&file)))
        .clone()
}

fn read(file: &Path) -> Result<Loaded, String> {
    let shown = file.display();
    let errors = |errors: Vec<seam_openapi::SpecError>| {
        let first = errors.first().map(|e| e.to_string()).unwrap_or_default();
        match errors.len() {
            1 => format!("openapi spec {shown}: {first}"),
            n => format!("openapi spec {shown}: {n} errors, the first: {first}"),
        }
    };
    if !file.is_file() {
        return Err(format!("openapi spec {shown}: no such file"));
    }
    let spec = seam_openapi::load::load(file).map_err(errors)?;
    let schemas = Schemas::compile(&spec).map_err(errors)?;
    let router = Router::new(&spec);
    Ok(Loaded {
        spec,
        schemas,
        router,
    })
}

/// The path of a URL (`http://h:1/v1/pets?x=1` → `/v1/pets`).
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.find('/').map_or("/", |i| &rest[i..]);
    rest.split(['?', '#']).next().unwrap_or("/")
}

/// The response `got` checked against its operation: one failure per
/// violation (`what` is `openapi body.items[0].qty`, the reason names the
/// spec's place for the rule); `Err` when the assertion cannot be evaluated
/// (the spec does not load, an unknown `operationId`).
pub fn check(
    assert: &OpenApiAssert,
    got: &Received,
    line: Option<usize>,
) -> Result<Vec<Failure>, String> {
    let (method, url) = (got.method, got.url);
    let loaded = load(got.dir, &assert.spec);
    let loaded = loaded.as_ref().as_ref().map_err(Clone::clone)?;
    let spec = &loaded.spec;
    let failure = |what: String, reason: String| Failure {
        what,
        expected: None,
        actual: None,
        reason,
        line,
    };
    let operation = match &assert.operation_id {
        Some(id) => spec.operation_by_id(id).ok_or_else(|| {
            format!(
                "openapi: no operation `{id}` in {}{}",
                assert.spec,
                seam_core::source::did_you_mean(
                    id,
                    spec.operations
                        .iter()
                        .filter_map(|o| o.operation_id.as_deref())
                )
            )
        })?,
        None => match loaded.router.find(method, path_of(url)) {
            Route::Found { operation, .. } => operation,
            Route::MethodNotAllowed { allow } => {
                return Ok(vec![failure(
                    "openapi".into(),
                    format!(
                        "{method} {} is not an operation of {} (the path has {})",
                        path_of(url),
                        assert.spec,
                        allow.join(", ")
                    ),
                )])
            }
            Route::NotFound => {
                return Ok(vec![failure(
                    "openapi".into(),
                    format!(
                        "no operation of {} matches {method} {}",
                        assert.spec,
                        path_of(url)
                    ),
                )])
            }
        },
    };
    let headers: Vec<(String, String)> = got
        .headers
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| (k.to_string(), v.clone())))
        .collect();
    let parts = ResponseParts {
        status: got.status,
        headers: &headers,
        body: got.body.as_bytes(),
    };
    let label = operation.label();
    Ok(
        conform::check_response(spec, &loaded.schemas, operation, &parts)
            .iter()
            .map(|v| {
                let location = v.path();
                let at = if v.pointer.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", spec.locate(&v.pointer))
                };
                Failure {
                    what: format!("openapi {location}").trim_end().to_string(),
                    expected: Some(json!(label)),
                    actual: None,
                    reason: format!("{}{at}", v.message),
                    line,
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_come_from_urls() {
        assert_eq!(path_of("http://h:1/v1/pets?x=1"), "/v1/pets");
        assert_eq!(path_of("https://h"), "/");
        assert_eq!(path_of("/pets#top"), "/pets");
    }
}
