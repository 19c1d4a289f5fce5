//! The suite file format (YAML; docs/suites.md): tests of ordered steps, each a
//! request with captures and assertions. Unknown keys are errors with a hint.
//! The same types give the JSON Schema editors use (docs/suite.schema.json).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SuiteFile {
    pub name: Option<String>,
    /// Prefix for request paths; may use variables.
    pub base_url: Option<String>,
    #[serde(default)]
    pub variables: BTreeMap<String, Value>,
    /// Variables read from environment variables of the same name; their values
    /// are redacted (`<redacted>`) in every output and report.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// `KEY=VALUE` files (relative to the suite) whose entries become variables.
    #[serde(default)]
    pub env: Vec<String>,
    pub tests: Vec<SuiteTest>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuiteTest {
    pub name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Steps run before `steps` (a failing setup fails the test).
    #[serde(default)]
    pub setup: Vec<SuiteStep>,
    /// Steps run after `steps`, whatever happened (their failures are reported).
    #[serde(default)]
    pub teardown: Vec<SuiteStep>,
    /// Run the test once per row; a row's keys become variables.
    pub matrix: Option<MatrixSpec>,
    pub steps: Vec<SuiteStep>,
}

/// Data for a data-driven test: inline rows, or a CSV (header row) or JSON
/// (array of objects) file relative to the suite.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MatrixSpec {
    #[serde(default)]
    pub rows: Vec<BTreeMap<String, Value>>,
    pub csv: Option<String>,
    pub json: Option<String>,
}

/// A step: a request with its captures and assertions, or an `include` of
/// shared steps: exactly one of the two, checked when the suite loads (so the
/// error has the step's line and column).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(try_from = "SuiteStepFields")]
pub struct SuiteStep(SuiteStepFields);

impl TryFrom<SuiteStepFields> for SuiteStep {
    type Error = String;

    fn try_from(fields: SuiteStepFields) -> Result<Self, String> {
        let name = fields.name.as_deref().unwrap_or("(unnamed)");
        match (&fields.request, &fields.include) {
            (Some(_), Some(_)) => Err(format!(
                "step `{name}` has both a request and an include: give one"
            )),
            (None, None) => Err(format!("step `{name}` needs a request or an include")),
            _ => Ok(SuiteStep(fields)),
        }
    }
}

impl std::ops::Deref for SuiteStep {
    type Target = SuiteStepFields;

    fn deref(&self) -> &SuiteStepFields {
        &self.0
    }
}

impl std::ops::DerefMut for SuiteStep {
    fn deref_mut(&mut self) -> &mut SuiteStepFields {
        &mut self.0
    }
}

/// The keys of a step, as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuiteStepFields {
    /// The file the step was read from (the suite, or an included file); set
    /// when the suite loads, for reports that name `file:line`.
    #[serde(skip)]
    #[schemars(skip)]
    pub source: Option<std::path::PathBuf>,
    pub name: Option<String>,
    /// Steps from another file (a YAML list of steps, relative to this suite),
    /// in place of a request: a login shared by many suites.
    pub include: Option<String>,
    /// Run the step only when this holds: `"{{a}} == b"`, `"{{a}} != b"`, or a
    /// value that is not empty, `false` or `0`.
    #[serde(rename = "if")]
    pub condition: Option<String>,
    #[serde(default)]
    pub request: Option<SuiteRequest>,
    /// Variables taken from the response for later steps.
    #[serde(default)]
    pub capture: BTreeMap<String, CaptureSpec>,
    #[serde(default, rename = "assert")]
    pub assertions: AssertSpec,
    /// Retry until the assertions hold (eventual consistency).
    pub retry: Option<RetrySpec>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RetrySpec {
    /// Further attempts after the first.
    pub times: u32,
    #[serde(default = "default_delay")]
    pub delay_ms: u64,
    /// Each wait is the previous one times this.
    #[serde(default = "one")]
    pub backoff: f64,
}

fn default_delay() -> u64 {
    100
}

fn one() -> f64 {
    1.0
}

fn get() -> String {
    "GET".into()
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SuiteRequest {
    #[serde(
        default = "get",
        deserialize_with = "seam_core::http::deserialize_method"
    )]
    pub method: String,
    /// A path (joined to `baseUrl`) or a full URL.
    pub path: String,
    #[serde(default)]
    pub query: BTreeMap<String, Value>,
    #[serde(default)]
    pub headers: BTreeMap<String, Value>,
    /// A JSON body (sent with `Content-Type: application/json`).
    pub json: Option<Value>,
    /// A text body.
    pub body: Option<String>,
    /// A form body.
    pub form: Option<BTreeMap<String, Value>>,
    /// A multipart form: field → a value, or `{file: PATH, contentType: TYPE}`.
    pub multipart: Option<BTreeMap<String, Value>>,
    /// The body is this file's content (relative to the suite).
    pub file: Option<String>,
    pub auth: Option<AuthSpec>,
}

/// Authorization helpers.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AuthSpec {
    /// `Authorization: Bearer TOKEN`.
    pub bearer: Option<String>,
    pub basic: Option<BasicAuth>,
    pub api_key: Option<ApiKey>,
    /// OAuth2 client credentials: the token is fetched once and cached until
    /// it expires.
    pub oauth2: Option<OAuth2>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OAuth2 {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// The header to send it in (default `X-Api-Key`).
    pub header: Option<String>,
    pub value: String,
}

/// Where a captured value comes from: one source, written as its only key
/// (`{jsonpath: $.id}`); two keys, or none, are an error when the suite loads.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CaptureSpec {
    /// A JSONPath over the JSON body (several matches are captured as an array).
    Jsonpath(String),
    /// An XPath 1.0 expression over an XML body; its string value is captured.
    Xpath(String),
    /// A cookie the response sets (`Set-Cookie`).
    Cookie(String),
    /// A response header.
    Header(String),
    /// A regex over the body; the first group (or the whole match) is captured.
    Regex(#[schemars(with = "String")] BodyRegex),
}

/// A capture's regex, compiled when the suite loads (a bad one is an error with
/// its line and column, before any request is sent).
#[derive(Debug, Clone)]
pub struct BodyRegex(pub regex::Regex);

impl<'de> Deserialize<'de> for BodyRegex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let source = String::deserialize(d)?;
        seam_core::regexp::bounded(&source)
            .map(BodyRegex)
            .map_err(serde::de::Error::custom)
    }
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
// every assertion keeps its place in the file, so a failure names its line
pub struct AssertSpec {
    #[schemars(with = "Option<u16>")]
    pub status: Option<Spanned<u16>>,
    /// Header name → a value (equalTo) or a WireMock matcher object.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Value>")]
    pub headers: BTreeMap<String, Spanned<Value>>,
    /// Checks on the values JSONPath expressions select in a JSON body.
    #[serde(default)]
    #[schemars(with = "Vec<JsonAssert>")]
    pub json: Vec<Spanned<JsonAssert>>,
    /// Checks on XPath 1.0 expressions over an XML body (same operators as
    /// `json`, on the expression's string value).
    #[serde(default)]
    #[schemars(with = "Vec<JsonAssert>")]
    pub xml: Vec<Spanned<JsonAssert>>,
    /// The body as text: a value (equalTo) or a WireMock matcher object.
    #[schemars(with = "Option<Value>")]
    pub body: Option<Spanned<Value>>,
    /// The response must arrive within this many milliseconds.
    #[schemars(with = "Option<u64>")]
    pub max_ms: Option<Spanned<u64>>,
    /// The JSON body must validate against this JSON Schema.
    #[schemars(with = "Option<Value>")]
    pub schema: Option<Spanned<Value>>,
    /// The body must equal this file's content (relative to the suite; JSON
    /// files compare as JSON).
    #[schemars(with = "Option<String>")]
    pub body_file: Option<Spanned<String>>,
    /// The response must conform to its operation in an OpenAPI spec: its
    /// status declared, its headers and body valid.
    #[schemars(with = "Option<OpenApiAssert>")]
    pub openapi: Option<Spanned<OpenApiAssert>>,
    /// The compiled assertions, made by the step's first check and reused by
    /// its retries and matrix rows ([`crate::check::Prepared`]).
    #[serde(skip)]
    #[schemars(skip)]
    pub prepared: crate::check::PreparedSlot,
}

/// Which spec (and operation) a response is checked against.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OpenApiAssert {
    /// The spec file (YAML or JSON), relative to the suite.
    pub spec: String,
    /// The operation; by default the one the request's method and path route to.
    pub operation_id: Option<String>,
}

/// One check on the value at a JSONPath.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JsonAssert {
    pub path: String,
    pub equals: Option<Value>,
    #[serde(rename = "notEquals")]
    pub not_equals: Option<Value>,
    pub lt: Option<f64>,
    pub lte: Option<f64>,
    pub gt: Option<f64>,
    pub gte: Option<f64>,
    pub contains: Option<Value>,
    pub matches: Option<String>,
    pub exists: Option<bool>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub length: Option<usize>,
    /// A Pact matcher (`{match: integer}`, `{match: date, format: ...}`, ...).
    pub matcher: Option<Value>,
}

/// The JSON Schema of suite files, for editor completion and checking.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(SuiteFile);
    serde_json::to_value(&schema).expect("a schema serializes")
}
