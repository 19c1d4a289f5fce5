//! The one model of an OpenAPI document every engine reads: operations with their
//! parameters, bodies, responses, security and callbacks, 3.1 webhooks, security
//! schemes and servers, over the bundled document they came from.
//!
//! Schemas stay where they are in [`Spec::document`] and are named by a JSON
//! pointer ([`SchemaRef`]): a circular schema is then just a `$ref` back, and the
//! validator ([`crate::schema`]) and the generator ([`crate::generate`]) follow
//! `$ref`s in one document, whatever file a schema was written in.

use serde_json::Value;
use std::fmt;

/// Which OpenAPI version a document was written in. The model is always 3.x:
/// Swagger 2.0 is converted on load ([`crate::swagger2`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    /// Swagger 2.0.
    Swagger2,
    /// OpenAPI 3.0.x.
    V30,
    /// OpenAPI 3.1.x.
    V31,
}

impl SpecVersion {
    /// Whether schemas are JSON Schema 2020-12 as written (3.1), or need the 3.0
    /// dialect translated (`nullable`, boolean `exclusiveMinimum`, ...).
    pub fn is_json_schema_2020(self) -> bool {
        self == SpecVersion::V31
    }
}

/// A loaded, checked OpenAPI document.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The version the root file was written in.
    pub version: SpecVersion,
    /// The whole document in the 3.x shape, bundled into one: every `$ref` to
    /// another file is rewritten to a local pointer (`#/...`), so pointers into this
    /// value are all a reader needs. `$ref`s are kept, not inlined (cycles stay finite).
    pub document: Value,
    /// Where each part of [`Spec::document`] was written (file, line, column).
    pub sources: crate::position::Sources,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub api_version: String,
    /// `servers` (for 2.0: from `host`, `basePath`, `schemes`).
    pub servers: Vec<Server>,
    /// Every operation under `paths`, in document order.
    pub operations: Vec<Operation>,
    /// 3.1 `webhooks`: operations the API calls on its consumers. `path` is the
    /// webhook's name.
    pub webhooks: Vec<Operation>,
    /// `components.securitySchemes` (2.0: `securityDefinitions`), in document order.
    pub security_schemes: Vec<SecurityScheme>,
    /// Problems that do not stop the spec from being served (an unused component,
    /// an example that does not match its schema, ...).
    pub warnings: Vec<SpecError>,
}

/// One `servers` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    /// The URL as written, variables not substituted (`https://{region}.api.example.com/v1`).
    pub url: String,
    /// The URL with every variable at its default.
    pub resolved_url: String,
    pub description: Option<String>,
}

/// One operation: a method on a path (or on a webhook or callback expression).
#[derive(Debug, Clone)]
pub struct Operation {
    /// Upper case: `GET`, `POST`, ...
    pub method: String,
    /// The path template as written (`/pets/{petId}`).
    pub path: String,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub tags: Vec<String>,
    pub deprecated: bool,
    /// Where the operation is in the document (`#/paths/~1pets~1{petId}/get`).
    pub pointer: String,
    /// Path-level and operation-level parameters merged (the operation's win on
    /// the same name and location), refs resolved.
    pub parameters: Vec<Parameter>,
    pub request_body: Option<RequestBody>,
    /// In document order.
    pub responses: Vec<Response>,
    /// The security in effect: the operation's own, else the document's. Any one
    /// requirement satisfied is enough; an empty list means no auth is needed
    /// (as does a list holding an empty requirement, `- {}`).
    pub security: Vec<SecurityRequirement>,
    pub callbacks: Vec<Callback>,
}

impl Operation {
    /// `GET /pets/{petId}`: how reports name an operation.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The response declared for a status: the exact code, else its range
    /// (`2XX`), else `default`.
    pub fn response_for(&self, status: u16) -> Option<&Response> {
        let exact = self
            .responses
            .iter()
            .find(|r| r.status == StatusKey::Code(status));
        let range = || {
            self.responses
                .iter()
                .find(|r| r.status == StatusKey::Range((status / 100) as u8))
        };
        let default = || {
            self.responses
                .iter()
                .find(|r| r.status == StatusKey::Default)
        };
        exact.or_else(range).or_else(default)
    }

    /// Whether no credentials are needed.
    pub fn is_public(&self) -> bool {
        self.security.is_empty() || self.security.iter().any(|r| r.schemes.is_empty())
    }
}

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamLocation {
    Path,
    Query,
    Header,
    Cookie,
}

impl ParamLocation {
    /// As written in a spec: `path`, `query`, `header`, `cookie`.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// How a parameter's value is serialized (OpenAPI 3 `style`; 2.0's
/// `collectionFormat` maps onto it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Matrix,
    Label,
    Form,
    Simple,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

/// One parameter of an operation.
#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub location: ParamLocation,
    /// Path parameters are always required.
    pub required: bool,
    pub deprecated: bool,
    pub allow_empty_value: bool,
    /// The declared style, else the default for the location (form for query and
    /// cookie, simple for path and header).
    pub style: Style,
    /// The declared explode, else true for form and false otherwise.
    pub explode: bool,
    pub allow_reserved: bool,
    /// The schema (`schema`), or the schema of the one `content` entry.
    pub schema: Option<SchemaRef>,
    /// The media type when the parameter is given by `content` (e.g. JSON in a query).
    pub content_type: Option<String>,
    /// `example` and `examples` (the single `example` is named `default`).
    pub examples: Vec<Example>,
    /// Where the parameter is in the document.
    pub pointer: String,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct RequestBody {
    pub required: bool,
    /// Per media type, in document order (`application/json`, `application/*`, `*/*`, ...).
    pub content: Vec<MediaType>,
    pub pointer: String,
}

/// One entry of a `content` map.
#[derive(Debug, Clone)]
pub struct MediaType {
    /// As written, e.g. `application/json` or `application/*`.
    pub media_type: String,
    pub schema: Option<SchemaRef>,
    /// `example` and `examples` (the single `example` is named `default`), in
    /// document order; `$ref`s to `components/examples` resolved.
    pub examples: Vec<Example>,
    pub pointer: String,
}

/// A named example.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub name: String,
    pub summary: Option<String>,
    /// `value` (None when only `externalValue` is given).
    pub value: Option<Value>,
    pub external_value: Option<String>,
}

/// Which statuses a response is declared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKey {
    /// `200`.
    Code(u16),
    /// `2XX`: the first digit.
    Range(u8),
    /// `default`.
    Default,
}

impl fmt::Display for StatusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusKey::Code(c) => write!(f, "{c}"),
            StatusKey::Range(d) => write!(f, "{d}XX"),
            StatusKey::Default => f.write_str("default"),
        }
    }
}

/// One declared response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusKey,
    pub description: String,
    pub headers: Vec<Header>,
    pub content: Vec<MediaType>,
    /// `links`, as written (names and their objects).
    pub links: Vec<(String, Value)>,
    pub pointer: String,
}

/// A response header.
#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    pub required: bool,
    pub schema: Option<SchemaRef>,
    pub pointer: String,
}

/// One way to satisfy an operation's security: every scheme named must be met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityRequirement {
    /// Scheme names (keys of `components.securitySchemes`) with their scopes.
    pub schemes: Vec<(String, Vec<String>)>,
}

/// A security scheme.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    pub name: String,
    pub kind: SecurityKind,
    pub description: Option<String>,
}

/// What a security scheme asks a request for.
#[derive(Debug, Clone, PartialEq)]
pub enum SecurityKind {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        name: String,
        location: ParamLocation,
    },
    /// HTTP auth: `basic`, `bearer` (with an optional bearer format), `digest`, ...
    Http {
        scheme: String,
        bearer_format: Option<String>,
    },
    /// OAuth 2: a bearer token; the flows as written.
    OAuth2 { flows: Value },
    /// OpenID Connect: a bearer token.
    OpenIdConnect { url: String },
    /// Mutual TLS (3.1).
    MutualTls,
}

/// A callback: requests the API makes after an operation, to a URL computed from
/// a runtime expression (`{$request.body#/callbackUrl}`).
#[derive(Debug, Clone)]
pub struct Callback {
    pub name: String,
    /// The runtime expression, as written.
    pub expression: String,
    /// The requests made there (`path` is the expression).
    pub operations: Vec<Operation>,
}

/// A schema, named by where it is in [`Spec::document`]
/// (`#/components/schemas/Pet`, `#/paths/~1pets/get/responses/200/content/application~1json/schema`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaRef(pub String);

impl SchemaRef {
    /// The JSON pointer, without the leading `#`.
    pub fn pointer(&self) -> &str {
        self.0.strip_prefix('#').unwrap_or(&self.0)
    }
}

impl Spec {
    /// The value a schema names (its `$ref` not followed).
    pub fn schema(&self, schema: &SchemaRef) -> Option<&Value> {
        self.document.pointer(schema.pointer())
    }

    /// The operation with this `operationId`.
    pub fn operation_by_id(&self, id: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|o| o.operation_id.as_deref() == Some(id))
    }

    /// The security scheme with this name.
    pub fn security_scheme(&self, name: &str) -> Option<&SecurityScheme> {
        self.security_schemes.iter().find(|s| s.name == name)
    }

    /// A pointer's place in its source file: `file:line:col`, or the file alone.
    pub fn locate(&self, pointer: &str) -> String {
        self.sources.describe(pointer)
    }
}

/// A problem in a spec: where it is (file, line, column, and the JSON pointer in
/// the document as written) and what is wrong, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file, with line and column where known.
    pub at: seam_core::source::SourceError,
    /// The JSON pointer in that file (`#/paths/~1orders/post/requestBody`).
    pub pointer: String,
}

impl fmt::Display for SpecError {
    /// `api.yaml:12:7: #/paths/~1orders/post: ...`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, column) = self.at.line_column();
        write!(f, "{}", self.at.file)?;
        if let Some(line) = line {
            write!(f, ":{line}")?;
            if let Some(column) = column {
                write!(f, ":{column}")?;
            }
        }
        if !self.pointer.is_empty() {
            write!(f, ": {}", self.pointer)?;
        }
        write!(f, ": {}", self.at.message)
    }
}

impl std::error::Error for SpecError {}

/// Escapes one JSON pointer token (`~` → `~0`, `/` → `~1`).
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `#/a/b` + `c/d` → `#/a/b/c~1d`.
pub fn pointer_join(base: &str, token: &str) -> String {
    format!("{base}/{}", escape_token(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: StatusKey) -> Response {
        Response {
            status,
            description: String::new(),
            headers: vec![],
            content: vec![],
            links: vec![],
            pointer: String::new(),
        }
    }

    #[test]
    fn response_for_prefers_exact_then_range_then_default() {
        let mut op = Operation {
            method: "GET".into(),
            path: "/p".into(),
            operation_id: None,
            summary: None,
            tags: vec![],
            deprecated: false,
            pointer: "#/paths/~1p/get".into(),
            parameters: vec![],
            request_body: None,
            responses: vec![
                response(StatusKey::Default),
                response(StatusKey::Range(2)),
                response(StatusKey::Code(201)),
            ],
            security: vec![],
            callbacks: vec![],
        };
        assert_eq!(op.response_for(201).unwrap().status, StatusKey::Code(201));
        assert_eq!(op.response_for(204).unwrap().status, StatusKey::Range(2));
        assert_eq!(op.response_for(500).unwrap().status, StatusKey::Default);
        op.responses.clear();
        assert!(op.response_for(200).is_none());
        assert!(op.is_public());
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(
            pointer_join("#/paths", "/pets/{id}"),
            "#/paths/~1pets~1{id}"
        );
        assert_eq!(escape_token("a~b"), "a~0b");
    }
}
