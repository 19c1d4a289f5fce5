//! seam-pact: Pact files for Seamline.
//!
//! Reads pact files of every specification version (v1, v1.1, v2, v3, v4; HTTP,
//! asynchronous-message and synchronous-message interactions) into seam-core
//! [`Interaction`]s, writes v3 and v4, and merges interactions into an existing
//! pact. Errors name the file and the JSON path (or line and column) at fault.
//!
//! A v2 pact read from text, looked at, and written as v4:
//!
//! ```
//! use seam_core::interaction::Exchange;
//! use seam_pact::{read_pact_str, SpecVersion};
//!
//! let text = r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
//!   "interactions": [{"description": "order 7", "providerState": "order 7 exists",
//!     "request": {"method": "GET", "path": "/orders/7"},
//!     "response": {"status": 200, "body": {"id": 7}}}],
//!   "metadata": {"pactSpecification": {"version": "2.0.0"}}}"#;
//! let pact = read_pact_str("web-orders.json", text)?;
//! assert_eq!((pact.version, pact.interactions.len()), (SpecVersion::V2, 1));
//! let order = &pact.interactions[0];
//! assert_eq!(order.provider_states[0].name, "order 7 exists");
//! let Exchange::Http { request, response } = &order.exchange else { panic!("not HTTP") };
//! assert_eq!((request.request.path.as_str(), response.response.status), ("/orders/7", 200));
//!
//! let v4 = pact.to_json(SpecVersion::V4)?;
//! assert_eq!(v4["interactions"][0]["type"], "Synchronous/HTTP");
//! assert_eq!(v4["metadata"]["pactSpecification"]["version"], "4.0");
//!
//! // Errors name the file and the JSON path at fault.
//! let bad = text.replace("200", "\"OK\"");
//! let err = read_pact_str("web-orders.json", &bad).unwrap_err();
//! assert!(err.to_string().starts_with("web-orders.json: at $.interactions[0].response.status: "));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod error;
mod read;
mod write;

pub use error::{Location, MergeError, PactError};
pub use read::Reader;

use seam_core::generators::Generators;
use seam_core::interaction::{Exchange, Interaction};
use seam_core::matching::{Mismatch, Part};
use seam_core::rules::Category;
use serde_json::{Map, Value};
use std::fmt;
use std::path::Path;

/// A Pact specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecVersion {
    /// Pact 1.0.0: examples only, no matching rules. Its query strings compare as
    /// parsed parameters here, not as text (see docs/conformance.md).
    V1,
    /// Pact 1.1.0: examples only; the spec compares query strings as parameters.
    V1_1,
    /// Pact 2.0.0: matching rules keyed by flat JSON paths (`$.body.id`); also assumed
    /// when a file declares no version.
    V2,
    /// Pact 3.0.0: rules and generators by category, provider states with params,
    /// asynchronous messages in a separate `messages` array.
    V3,
    /// Pact 4.0: one `interactions` array with a `type` per interaction (HTTP,
    /// asynchronous and synchronous messages), typed bodies, `pending`, keys.
    V4,
}

impl SpecVersion {
    /// Parses `1`, `1.0.0`, `1.1`, `2.0.0`, `3.0.0`, `4.0`, ...
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().trim_start_matches(['v', 'V']);
        let mut parts = s.split('.');
        let major = parts.next()?.parse::<u32>().ok()?;
        let minor = parts
            .next()
            .map(|m| m.parse::<u32>().ok())
            .unwrap_or(Some(0))?;
        Some(match (major, minor) {
            (1, 0) => SpecVersion::V1,
            (1, 1) => SpecVersion::V1_1,
            (2, _) => SpecVersion::V2,
            (3, _) => SpecVersion::V3,
            (4, _) => SpecVersion::V4,
            _ => return None,
        })
    }

    /// The version as pact files write it in `metadata.pactSpecification.version`
    /// (`1.0.0`, `1.1.0`, `2.0.0`, `3.0.0`, `4.0`).
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1 => "1.0.0",
            SpecVersion::V1_1 => "1.1.0",
            SpecVersion::V2 => "2.0.0",
            SpecVersion::V3 => "3.0.0",
            SpecVersion::V4 => "4.0",
        }
    }
}

impl fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pact: a consumer, a provider and the interactions between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Pact {
    /// The consumer's name (`consumer.name`).
    pub consumer: String,
    /// The provider's name (`provider.name`).
    pub provider: String,
    /// Every interaction in file order; for v3 files, HTTP interactions first, then
    /// the `messages` array's.
    pub interactions: Vec<Interaction>,
    /// The version the file was written in.
    pub version: SpecVersion,
    /// Metadata other than the specification version, kept for round trips.
    pub metadata: Map<String, Value>,
    /// What the reader tolerated (each with the file and JSON path): files the
    /// official tools load but that are not quite right, and interactions seam
    /// cannot use ([`Interaction::unusable`]). Not written back.
    pub warnings: Vec<PactError>,
}

impl Pact {
    /// An empty v4 pact between `consumer` and `provider`, with no metadata.
    pub fn new(consumer: impl Into<String>, provider: impl Into<String>) -> Self {
        Pact {
            consumer: consumer.into(),
            provider: provider.into(),
            interactions: Vec::new(),
            version: SpecVersion::V4,
            metadata: Map::new(),
            warnings: Vec::new(),
        }
    }

    /// The conventional file name: `CONSUMER-PROVIDER.json`.
    pub fn file_name(&self) -> String {
        format!("{}-{}.json", self.consumer, self.provider)
    }

    /// Merges one interaction: one with the same description and provider states
    /// is replaced; changing its kind (HTTP to message) is a conflict.
    pub fn merge_interaction(&mut self, new: Interaction) -> Result<(), MergeError> {
        match self.interactions.iter_mut().find(|i| i.same_identity(&new)) {
            Some(existing) => {
                if std::mem::discriminant(&existing.exchange)
                    != std::mem::discriminant(&new.exchange)
                {
                    return Err(MergeError::KindChange {
                        description: new.description.clone(),
                        states: states_label(&new),
                        old: existing.kind(),
                        new: new.kind(),
                    });
                }
                *existing = new;
            }
            None => self.interactions.push(new),
        }
        Ok(())
    }

    /// Merges another pact between the same parties. Interactions given twice in
    /// `other` with different contents are a conflict.
    pub fn merge(&mut self, other: Pact) -> Result<(), MergeError> {
        if other.consumer != self.consumer || other.provider != self.provider {
            return Err(MergeError::Parties {
                consumer: self.consumer.clone(),
                provider: self.provider.clone(),
                new_consumer: other.consumer,
                new_provider: other.provider,
            });
        }
        for (i, a) in other.interactions.iter().enumerate() {
            if other.interactions[..i]
                .iter()
                .any(|b| b.same_identity(a) && b != a)
            {
                return Err(MergeError::Duplicate {
                    description: a.description.clone(),
                    states: states_label(a),
                });
            }
        }
        for i in other.interactions {
            self.merge_interaction(i)?;
        }
        self.version = self.version.max(other.version);
        Ok(())
    }

    /// Writes the pact as JSON in `version` (v3 or v4).
    pub fn to_json(&self, version: SpecVersion) -> Result<Value, MergeError> {
        write::pact_to_json(self, version)
    }

    /// Does any interaction need v4 (synchronous messages, or HTTP and message
    /// interactions together)?
    pub fn needs_v4(&self) -> bool {
        let http = self
            .interactions
            .iter()
            .any(|i| matches!(i.exchange, Exchange::Http { .. }));
        let msg = self
            .interactions
            .iter()
            .any(|i| matches!(i.exchange, Exchange::AsyncMessage(_)));
        let sync = self
            .interactions
            .iter()
            .any(|i| matches!(i.exchange, Exchange::SyncMessage { .. }));
        sync || (http && msg)
    }
}

fn states_label(i: &Interaction) -> String {
    if i.provider_states.is_empty() {
        String::new()
    } else {
        let names: Vec<_> = i.provider_states.iter().map(|s| s.name.as_str()).collect();
        format!(" given \"{}\"", names.join("\" and \""))
    }
}

/// Finds the specification version a document declares (v2 when it says nothing,
/// as Pact does for files without metadata), with a warning when the file
/// names no version where it should: `"pactSpecification": {"version": null}`
/// (or an empty or missing version) is read as v3, as the official tools do.
pub fn declared_version(
    file: &str,
    doc: &Value,
) -> Result<(SpecVersion, Option<PactError>), PactError> {
    let at = |path: &str, message: String| PactError {
        file: file.to_string(),
        location: Location::JsonPath(path.into()),
        message,
    };
    let meta = doc.get("metadata");
    let spec = meta.and_then(|m| {
        [
            ("pactSpecification", "$.metadata.pactSpecification"),
            ("pact-specification", "$.metadata['pact-specification']"),
        ]
        .into_iter()
        .find_map(|(k, path)| m.get(k).map(|v| (v, path)))
    });
    let (found, path) = match spec {
        Some((Value::Object(o), path)) => match (
            o.get("version"),
            meta.and_then(|m| m.get("pactSpecificationVersion")),
        ) {
            (None, Some(v)) => (Some(v), "$.metadata.pactSpecificationVersion".to_string()),
            (v, _) => (v, format!("{path}.version")),
        },
        Some((other, path)) => (Some(other), path.to_string()),
        None => match meta.and_then(|m| m.get("pactSpecificationVersion")) {
            Some(v) => (Some(v), "$.metadata.pactSpecificationVersion".to_string()),
            None => return Ok((SpecVersion::V2, None)),
        },
    };
    let lenient = |what: &str| {
        Ok((
            SpecVersion::V3,
            Some(at(
                &path,
                format!("{what}: read as 3.0.0, as the official Pact tools do"),
            )),
        ))
    };
    match found {
        None => lenient("no specification version"),
        Some(Value::Null) => lenient("the specification version is null"),
        Some(Value::String(s)) if s.trim().is_empty() => {
            lenient("the specification version is empty")
        }
        Some(Value::String(s)) => SpecVersion::parse(s)
            .map(|v| (v, None))
            .ok_or_else(|| at(&path, format!("unsupported pact specification version `{s}` (supported: 1.0.0, 1.1.0, 2.0.0, 3.0.0, 4.0)"))),
        Some(other) => Err(at(
            &path,
            format!(
                "expected a version string, found {}",
                seam_core::source::kind_of(other)
            ),
        )),
    }
}

/// Parses JSON text, turning syntax errors into `file:line:column` errors.
pub fn parse_json(file: &str, text: &str) -> Result<Value, PactError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    serde_json::from_str(text).map_err(|e| PactError {
        file: file.to_string(),
        // at the end of the input serde says column 0
        location: Location::LineColumn(e.line(), e.column().max(1)),
        message: format!("invalid JSON: {e}")
            .replace(&format!(" at line {} column {}", e.line(), e.column()), ""),
    })
}

/// Reads a pact from JSON text; `file` names the source in errors.
pub fn read_pact_str(file: &str, text: &str) -> Result<Pact, PactError> {
    let doc = parse_json(file, text)?;
    let (version, warning) = declared_version(file, &doc)?;
    let reader = Reader::new(file, version);
    if let Some(w) = warning {
        reader.warn_with(w);
    }
    reader.pact(&doc)
}

/// Reads a pact file.
pub fn read_pact_file(path: &Path) -> Result<Pact, PactError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| PactError {
        file: file.clone(),
        location: Location::JsonPath("$".into()),
        message: format!("cannot read the file: {e}"),
    })?;
    let text = seam_core::source::decode_text(&bytes).map_err(|e| PactError {
        file: file.clone(),
        location: Location::LineColumn(e.line, e.column),
        message: e.to_string(),
    })?;
    read_pact_str(&file, text)
}

/// Checks that every example satisfies its own matching rules (an example that
/// breaks its own matchers is a contract no provider can honour). Returns one
/// error per broken example, located by JSON path. Unusable interactions
/// ([`Interaction::unusable`]) are skipped: their rules cannot run.
pub fn check_examples(file: &str, pact: &Pact) -> Vec<PactError> {
    use seam_core::matching::{match_message, match_request, match_response};
    let mut out = Vec::new();
    let key = "interactions";
    let mut report = |at: String, mismatches: Vec<Mismatch>, generators: &Generators| {
        // a value a generator replaces is a placeholder (pact-php writes
        // `null` under an integer rule beside a RandomInt generator)
        for m in mismatches.into_iter().filter(|m| !generated(m, generators)) {
            out.push(PactError {
                file: file.to_string(),
                location: Location::JsonPath(at.clone()),
                message: format!("the example does not satisfy its own matching rules: {m}"),
            });
        }
    };
    let (mut http_i, mut msg_i) = (0, 0);
    for i in &pact.interactions {
        let (at, n) = match (&i.exchange, pact.version < SpecVersion::V4) {
            (Exchange::AsyncMessage(_), true) => ("messages", &mut msg_i),
            _ => (key, &mut http_i),
        };
        let base = format!("$.{at}[{n}]");
        *n += 1;
        if i.unusable.is_some() {
            // its rules cannot run; the reader warned why
            continue;
        }
        match &i.exchange {
            Exchange::Http { request, response } => {
                report(
                    format!("{base}.request"),
                    match_request(&request.request, &request.request, &request.rules),
                    &request.generators,
                );
                report(
                    format!("{base}.response"),
                    match_response(&response.response, &response.response, &response.rules),
                    &response.generators,
                );
            }
            Exchange::AsyncMessage(m) => {
                report(
                    base.clone(),
                    match_message(&m.message, &m.message, &m.rules),
                    &m.generators,
                );
            }
            Exchange::SyncMessage { request, responses } => {
                report(
                    format!("{base}.request"),
                    match_message(&request.message, &request.message, &request.rules),
                    &request.generators,
                );
                for (j, r) in responses.iter().enumerate() {
                    report(
                        format!("{base}.response[{j}]"),
                        match_message(&r.message, &r.message, &r.rules),
                        &r.generators,
                    );
                }
            }
        }
    }
    out
}

/// Is the place a mismatch is about given by a generator?
fn generated(m: &Mismatch, generators: &Generators) -> bool {
    use seam_core::path::{PathExpr, Token};
    let category = match m.part {
        Part::Body => Category::Body,
        Part::Header => Category::Header,
        Part::Query => Category::Query,
        Part::Path => Category::Path,
        Part::Status => Category::Status,
        Part::Metadata => Category::Metadata,
        Part::Method | Part::BodyType => return false,
    };
    let exprs = generators.category(category);
    match category {
        Category::Path | Category::Status => !exprs.is_empty(),
        Category::Header | Category::Query | Category::Metadata => exprs.iter().any(
            |(e, _)| matches!(e.tokens(), [Token::Field(n)] if n.eq_ignore_ascii_case(&m.path)),
        ),
        _ => {
            let Ok(at) = PathExpr::parse(&m.path) else {
                return false;
            };
            exprs.iter().any(|(e, _)| {
                e.tokens().len() == at.tokens().len()
                    && e.tokens()
                        .iter()
                        .zip(at.tokens())
                        .all(|(g, t)| g == t || *g == Token::Star)
            })
        }
    }
}
