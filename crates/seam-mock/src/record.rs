//! Recording proxied traffic as WireMock mappings (`mappings/` + `__files/`),
//! with volatile headers stripped and repeated requests merged, for replay.

use crate::request::MockRequest;
use base64::Engine;
use seam_core::http::Headers;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Mutex;

/// Response headers that change on every call and would make replays lie.
const VOLATILE: &[&str] = &[
    "date",
    "server",
    "set-cookie",
    "x-request-id",
    "x-correlation-id",
    "x-amzn-trace-id",
    "etag",
    "last-modified",
    "age",
    "expires",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
];

/// Writes one mapping per distinct request (method, URL, body).
pub struct Recorder {
    dir: PathBuf,
    seen: Mutex<HashSet<u64>>,
}

impl Recorder {
    pub fn new(dir: PathBuf) -> Self {
        Recorder {
            dir,
            seen: Mutex::new(HashSet::new()),
        }
    }

    fn key(req: &MockRequest) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        req.method.hash(&mut h);
        req.url.hash(&mut h);
        req.body.hash(&mut h);
        h.finish()
    }

    /// Records a request and its answer; a request seen before is skipped.
    pub fn record(
        &self,
        req: &MockRequest,
        status: u16,
        headers: &Headers,
        body: &[u8],
    ) -> Result<(), String> {
        let key = Self::key(req);
        if !self.seen.lock().expect("recorder lock").insert(key) {
            return Ok(());
        }
        let mut request = Map::new();
        request.insert("method".into(), json!(req.method));
        request.insert("url".into(), json!(req.url));
        if let Some(text) = req.body_text() {
            let pattern = match serde_json::from_str::<Value>(&text) {
                Ok(v) => json!({"equalToJson": v}),
                Err(_) => json!({"equalTo": text}),
            };
            request.insert("bodyPatterns".into(), json!([pattern]));
        }
        let mut response = Map::new();
        response.insert("status".into(), json!(status));
        let kept: Map<String, Value> = headers
            .iter()
            .filter(|(k, _)| !VOLATILE.iter().any(|v| k.eq_ignore_ascii_case(v)))
            .map(|(k, v)| (k.to_string(), json!(v.join(", "))))
            .collect();
        if !kept.is_empty() {
            response.insert("headers".into(), Value::Object(kept));
        }
        match std::str::from_utf8(body) {
            Ok("") => {}
            Ok(text) => {
                response.insert("body".into(), json!(text));
            }
            Err(_) => {
                response.insert(
                    "base64Body".into(),
                    json!(base64::engine::general_purpose::STANDARD.encode(body)),
                );
            }
        }
        let id = uuid::Uuid::new_v4();
        let mapping =
            json!({"id": id, "request": request, "response": response, "persistent": true});
        let mappings = self.dir.join("mappings");
        std::fs::create_dir_all(&mappings)
            .map_err(|e| format!("cannot create {}: {e}", mappings.display()))?;
        let slug: String = req
            .path
            .trim_matches('/')
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .take(40)
            .collect();
        let file = mappings.join(format!(
            "{}-{}-{}.json",
            req.method.to_lowercase(),
            slug,
            &id.to_string()[..8]
        ));
        let text = serde_json::to_string_pretty(&mapping).map_err(|e| e.to_string())?;
        std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))
    }
}
