//! seam-contract: contracts between a consumer and a provider.
//!
//! - [`load`]: a contract is a seam YAML file (documented in docs/contracts.md:
//!   interactions with inline matchers and provider states with params) or a
//!   pact file; either way the result is a [`seam_pact::Pact`].
//! - [`builder`]: the same in Rust code, for Rust consumers' tests.
//! - [`session`] (feature `session`, on by default): the consumer side: serve a
//!   contract's interactions from a mock server, reject requests no interaction
//!   matches, report interactions never exercised, and write (merge) the pact.
//!
//! Reading contracts needs no server: a provider verifier depends on this
//! crate with `default-features = false` and does not link the mock server.

pub mod builder;
mod inline;
#[cfg(feature = "session")]
pub mod session;

use inline::{Extractor, Slot};
use seam_core::generators::Generators;
use seam_core::http::{Body, ContentType, Headers, Query, Request, Response};
use seam_core::interaction::{
    Exchange, Interaction, MessageSpec, ProviderState, RequestSpec, ResponseSpec,
};
use seam_core::matching::Message;
use seam_core::path::DocPath;
use seam_core::rules::MatchingRules;
use seam_core::source::{Location, SourceError};
use seam_pact::{Pact, SpecVersion};
use serde::Deserialize;
use serde_json::{Map, Value};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// A problem in a contract file: the file, where (line and column, or the
/// pact's JSON path), and what.
pub type ContractError = SourceError;

fn error(file: &Path, at: Option<Location>, message: impl Into<String>) -> ContractError {
    SourceError::new(file.display().to_string(), at, message)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContractFile {
    consumer: String,
    provider: String,
    interactions: Vec<InteractionSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InteractionSpec {
    description: String,
    #[serde(default)]
    given: Vec<GivenSpec>,
    #[serde(default)]
    pending: bool,
    request: Option<RequestYaml>,
    response: Option<ResponseYaml>,
    message: Option<MessageYaml>,
}

/// A provider state: a name, or `{state, params}` (read by hand so that a
/// misspelt key is an error with a suggestion, not a silently dropped field).
enum GivenSpec {
    Name(String),
    WithParams {
        state: String,
        params: Map<String, Value>,
    },
}

impl<'de> Deserialize<'de> for GivenSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct GivenVisitor;
        const FIELDS: &[&str] = &["state", "params"];
        impl<'de> serde::de::Visitor<'de> for GivenVisitor {
            type Value = GivenSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a provider state name, or `{state: NAME, params: {...}}`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<GivenSpec, E> {
                Ok(GivenSpec::Name(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<GivenSpec, A::Error> {
                let (mut state, mut params) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "state" => state = Some(map.next_value::<String>()?),
                        "params" => params = Some(map.next_value::<Map<String, Value>>()?),
                        other => return Err(serde::de::Error::unknown_field(other, FIELDS)),
                    }
                }
                let state = state.ok_or_else(|| serde::de::Error::missing_field("state"))?;
                Ok(GivenSpec::WithParams {
                    state,
                    params: params.unwrap_or_default(),
                })
            }
        }
        d.deserialize_any(GivenVisitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestYaml {
    #[serde(
        default = "get",
        deserialize_with = "seam_core::http::deserialize_method"
    )]
    method: String,
    path: Spanned<Value>,
    #[serde(default)]
    query: BTreeMap<String, Spanned<Value>>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<Value>>,
    body: Option<Spanned<Value>>,
}

fn get() -> String {
    "GET".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResponseYaml {
    #[serde(default = "ok")]
    status: Spanned<Value>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<Value>>,
    body: Option<Spanned<Value>>,
}

fn ok() -> Spanned<Value> {
    Spanned {
        value: Value::from(200),
        referenced: serde_saphyr::Location::UNKNOWN,
        defined: serde_saphyr::Location::UNKNOWN,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageYaml {
    contents: Spanned<Value>,
    #[serde(default)]
    metadata: Map<String, Value>,
}

struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err<T>(&self, at: &Spanned<T>, message: impl Into<String>) -> ContractError {
        let known = at.referenced != serde_saphyr::Location::UNKNOWN;
        let place = known.then(|| {
            Location::at(
                at.referenced.line() as usize,
                at.referenced.column() as usize,
            )
        });
        error(self.file, place, message)
    }

    fn text(
        &self,
        v: &Spanned<Value>,
        ex: &mut Extractor,
        slot: Slot,
        what: &str,
    ) -> Result<String, ContractError> {
        let value = ex
            .extract(slot, &DocPath::root(), &v.value)
            .map_err(|e| self.err(v, format!("{what}: {e}")))?;
        match value {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(self.err(v, format!("{what} must be text, found {other}"))),
        }
    }

    fn body(
        &self,
        v: &Option<Spanned<Value>>,
        headers: &Headers,
        ex: &mut Extractor,
        what: &str,
    ) -> Result<Body, ContractError> {
        let Some(b) = v else { return Ok(Body::Absent) };
        let example = ex
            .extract(Slot::Body, &DocPath::root(), &b.value)
            .map_err(|e| self.err(b, format!("{what}: {e}")))?;
        let ct = headers.content_type();
        Ok(match (example, ct) {
            (Value::String(s), Some(ct)) if ct.is_xml() => Body::Xml(s),
            (Value::String(s), Some(ct)) if !ct.is_json() => Body::Text(s),
            (Value::String(s), None) => Body::Text(s),
            (other, _) => Body::Json(other),
        })
    }

    fn headers(
        &self,
        m: &BTreeMap<String, Spanned<Value>>,
        ex: &mut Extractor,
        what: &str,
    ) -> Result<Headers, ContractError> {
        let mut h = Headers::new();
        for (k, v) in m {
            h.append(
                k.clone(),
                self.text(v, ex, Slot::Header(k), &format!("{what} header {k}"))?,
            );
        }
        Ok(h)
    }

    fn request(&self, r: &RequestYaml) -> Result<RequestSpec, ContractError> {
        let mut rules = MatchingRules::default();
        let mut generators = Generators::default();
        let mut ex = Extractor {
            rules: &mut rules,
            generators: &mut generators,
        };
        let path = self.text(&r.path, &mut ex, Slot::Path, "request path")?;
        let mut query = Query::new();
        for (k, v) in &r.query {
            query.append(
                k.clone(),
                self.text(v, &mut ex, Slot::Query(k), &format!("query {k}"))?,
            );
        }
        let headers = self.headers(&r.headers, &mut ex, "request")?;
        let body = self.body(&r.body, &headers, &mut ex, "request body")?;
        Ok(RequestSpec {
            request: Request {
                method: r.method.to_ascii_uppercase(),
                path,
                query,
                headers,
                body,
            },
            rules,
            generators,
        })
    }

    fn response(&self, r: &ResponseYaml) -> Result<ResponseSpec, ContractError> {
        let mut rules = MatchingRules::default();
        let mut generators = Generators::default();
        let mut ex = Extractor {
            rules: &mut rules,
            generators: &mut generators,
        };
        let status_text = self.text(&r.status, &mut ex, Slot::Status, "status")?;
        let status = status_text
            .parse::<u16>()
            .ok()
            .filter(|s| (100..=999).contains(s))
            .ok_or_else(|| self.err(&r.status, format!("`{status_text}` is not a status code")))?;
        let headers = self.headers(&r.headers, &mut ex, "response")?;
        let body = self.body(&r.body, &headers, &mut ex, "response body")?;
        Ok(ResponseSpec {
            response: Response {
                status,
                headers,
                body,
            },
            rules,
            generators,
        })
    }

    fn message(&self, m: &MessageYaml) -> Result<MessageSpec, ContractError> {
        let mut rules = MatchingRules::default();
        let mut generators = Generators::default();
        let mut ex = Extractor {
            rules: &mut rules,
            generators: &mut generators,
        };
        let contents = ex
            .extract(Slot::Body, &DocPath::root(), &m.contents.value)
            .map_err(|e| self.err(&m.contents, format!("message contents: {e}")))?;
        Ok(MessageSpec {
            message: Message {
                contents: Body::Json(contents),
                content_type: Some(ContentType::parse("application/json")),
                metadata: m.metadata.clone(),
            },
            rules,
            generators,
        })
    }
}

/// Reads a seam YAML contract.
pub fn parse_yaml(file: &Path, text: &str) -> Result<Pact, ContractError> {
    let doc: ContractFile = seam_core::yaml::from_str(&file.display().to_string(), text)?;
    let ctx = Ctx { file };
    let mut pact = Pact::new(doc.consumer, doc.provider);
    pact.version = SpecVersion::V4;
    for (n, i) in doc.interactions.iter().enumerate() {
        let exchange = match (&i.request, &i.response, &i.message) {
            (Some(req), resp, None) => Exchange::Http {
                request: ctx.request(req)?,
                response: match resp {
                    Some(r) => ctx.response(r)?,
                    None => ResponseSpec::default(),
                },
            },
            (None, None, Some(m)) => Exchange::AsyncMessage(ctx.message(m)?),
            _ => {
                return Err(error(
                    file,
                    None,
                    format!(
                        "interaction {} (\"{}\") needs either request (+ response) or message",
                        n + 1,
                        i.description
                    ),
                ))
            }
        };
        let provider_states = i
            .given
            .iter()
            .map(|g| match g {
                GivenSpec::Name(name) => ProviderState::new(name.clone()),
                GivenSpec::WithParams { state, params } => ProviderState {
                    name: state.clone(),
                    params: params.clone(),
                },
            })
            .collect();
        let mut interaction = Interaction {
            description: i.description.clone(),
            provider_states,
            exchange,
            key: None,
            pending: i.pending,
            extra: Map::new(),
            unusable: None,
        };
        interaction.pending = i.pending;
        pact.merge_interaction(interaction)
            .map_err(|e| error(file, None, e.to_string()))?;
    }
    Ok(pact)
}

/// Reads a contract: seam YAML (`.yaml`/`.yml`) or a pact file (JSON).
pub fn load(path: &Path) -> Result<Pact, ContractError> {
    let bytes = std::fs::read(path).map_err(|e| error(path, None, format!("cannot read: {e}")))?;
    let text = seam_core::source::decode_text(&bytes)
        .map_err(|e| e.in_file(path.display().to_string()))?;
    if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
        return parse_yaml(path, text);
    }
    seam_pact::read_pact_str(&path.display().to_string(), text).map_err(SourceError::from)
}
