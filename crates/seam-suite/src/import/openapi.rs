//! OpenAPI specs as starter suites (`seam import openapi SPEC`): a test per
//! operation, in document order, its request made from the spec's examples
//! (path parameters, required query and header parameters, the request body),
//! or generated from the schemas when there is no example (or the example does
//! not validate); credentials from the operation's security schemes, as secrets
//! read from the environment; the base URL from `servers[0]` as the `baseUrl`
//! variable; each answer checked for the status the spec leads with and with
//! the `openapi:` assertion. Against `seam mock --openapi SPEC` the suite passes
//! as written, so a team with a spec has a regression suite in one command.

use super::{Imported, Lost};
use seam_openapi::generate::{self, Direction};
use seam_openapi::model::{
    MediaType, Operation, ParamLocation, Parameter, SchemaRef, SecurityKind, StatusKey,
};
use seam_openapi::schema::Schemas;
use seam_openapi::Spec;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// The seed of generated values (the same spec gives the same suite).
const SEED: u64 = 1;

/// A suite made from a spec: the suite, what could not be carried over, and
/// the comment that opens the file (how to run it, which secrets to set).
#[derive(Debug)]
pub struct FromSpec {
    pub imported: Imported,
    /// `# ...` lines, each ending in a newline.
    pub preamble: String,
}

/// A secret a scheme needs, with what it is for (the preamble lists them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Secret {
    name: String,
    what: String,
}

/// Builds the suite; `spec_ref` is how the suite names the spec in its
/// `openapi:` assertions (relative to where the suite is written), `shown` how
/// the preamble names it.
pub fn import(spec: &Spec, spec_ref: &str, shown: &str) -> FromSpec {
    let schemas = Schemas::compile(spec).ok();
    let mut importer = Importer {
        spec,
        schemas: schemas.as_ref(),
        spec_ref,
        secrets: BTreeSet::new(),
        lost: Vec::new(),
    };
    let tests: Vec<Value> = spec
        .operations
        .iter()
        .filter_map(|op| importer.test(op))
        .collect();
    let base = base_url(spec);
    let mut suite = Map::new();
    suite.insert(
        "name".into(),
        json!(if spec.title.is_empty() {
            shown
        } else {
            &spec.title
        }),
    );
    suite.insert("baseUrl".into(), json!("{{baseUrl}}"));
    suite.insert("variables".into(), json!({ "baseUrl": base }));
    if !importer.secrets.is_empty() {
        suite.insert(
            "secrets".into(),
            json!(importer
                .secrets
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()),
        );
    }
    suite.insert("tests".into(), Value::Array(tests));
    let mut preamble = format!(
        "# {} {}: imported from {shown} by `seam import openapi`.\n\
         # A test per operation; each answer is checked against the spec (`openapi:`).\n\
         # Run it against the service, or against a mock of the spec:\n\
         #   seam mock --openapi {shown} --port 4010 &\n\
         #   seam test SUITE --var baseUrl=http://127.0.0.1:4010\n",
        spec.title, spec.api_version
    );
    if !importer.secrets.is_empty() {
        preamble.push_str(
            "# Credentials are secrets, read from these environment variables\n\
             # (shown as <redacted> in every report):\n",
        );
        for s in &importer.secrets {
            preamble.push_str(&format!("#   {}: {}\n", s.name, s.what));
        }
    }
    FromSpec {
        imported: Imported {
            suite: Value::Object(suite),
            lost: importer.lost,
        },
        preamble,
    }
}

/// `servers[0]` with its variables at their defaults; a relative one (`/v1`)
/// on `http://localhost:8080`.
fn base_url(spec: &Spec) -> String {
    let url = spec
        .servers
        .first()
        .map(|s| s.resolved_url.trim_end_matches('/').to_string())
        .unwrap_or_default();
    if url.starts_with("http://") || url.starts_with("https://") {
        url
    } else {
        format!("http://localhost:8080{url}")
    }
}

struct Importer<'a> {
    spec: &'a Spec,
    schemas: Option<&'a Schemas>,
    spec_ref: &'a str,
    secrets: BTreeSet<Secret>,
    lost: Vec<Lost>,
}

impl Importer<'_> {
    fn lose(&mut self, op: &Operation, what: impl Into<String>, why: impl Into<String>) {
        self.lost.push(Lost::new(&op.label(), what, why));
    }

    /// The test for one operation; `None` (listed as lost) when no request
    /// that the spec accepts can be made.
    fn test(&mut self, op: &Operation) -> Option<Value> {
        let mut request = Map::new();
        request.insert("method".into(), json!(op.method));
        let mut path = op.path.clone();
        let mut query = Map::new();
        let mut extra_query: Vec<(String, String)> = Vec::new();
        let mut headers = Map::new();
        for p in &op.parameters {
            if p.location != ParamLocation::Path && !p.required {
                continue;
            }
            let Some(value) = self.parameter_value(op, p) else {
                self.lose(
                    op,
                    format!("{} parameter `{}`", p.location.as_str(), p.name),
                    "no example and no schema to make a value from",
                );
                return None;
            };
            match p.location {
                ParamLocation::Path => {
                    path = path.replace(&format!("{{{}}}", p.name), &path_text(p, &value));
                }
                ParamLocation::Query => match &value {
                    Value::Array(items) if p.explode => {
                        for item in items {
                            extra_query.push((p.name.clone(), simple_text(item)));
                        }
                    }
                    Value::Object(_) => {
                        self.lose(
                            op,
                            format!("query parameter `{}`", p.name),
                            "an object in the query is not written by the importer",
                        );
                        return None;
                    }
                    v => {
                        query.insert(p.name.clone(), json!(simple_text(v)));
                    }
                },
                ParamLocation::Header => {
                    headers.insert(p.name.clone(), json!(simple_text(&value)));
                }
                ParamLocation::Cookie => {
                    let cookie = format!("{}={}", p.name, simple_text(&value));
                    add_cookie(&mut headers, &cookie);
                }
            }
        }
        if !extra_query.is_empty() {
            let joined: Vec<String> = extra_query
                .iter()
                .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                .collect();
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str(&joined.join("&"));
        }
        request.insert("path".into(), json!(path));
        // auth and body go after the query and headers they may add to
        let mut rest = Map::new();
        self.auth(op, &mut rest, &mut query, &mut headers);
        if let Some(body) = &op.request_body {
            if !self.body(op, &body.content, body.required, &mut rest, &mut headers) {
                return None;
            }
        }
        if !query.is_empty() {
            request.insert("query".into(), Value::Object(query));
        }
        if !headers.is_empty() {
            request.insert("headers".into(), Value::Object(headers));
        }
        request.extend(rest);
        let mut assert = Map::new();
        if let Some(status) = expected_status(op) {
            assert.insert("status".into(), json!(status));
        }
        let mut openapi = Map::new();
        openapi.insert("spec".into(), json!(self.spec_ref));
        if let Some(id) = &op.operation_id {
            openapi.insert("operationId".into(), json!(id));
        }
        assert.insert("openapi".into(), Value::Object(openapi));
        let name = match (&op.operation_id, &op.summary) {
            (Some(id), _) => format!("{id}: {}", op.label()),
            (None, Some(summary)) if !summary.trim().is_empty() => {
                format!("{}: {}", op.label(), summary.trim())
            }
            _ => op.label(),
        };
        let mut test = Map::new();
        test.insert("name".into(), json!(name));
        if !op.tags.is_empty() {
            test.insert("tags".into(), json!(op.tags));
        }
        test.insert(
            "steps".into(),
            json!([{ "request": request, "assert": assert }]),
        );
        Some(Value::Object(test))
    }

    /// A parameter's value: its first example that validates, else one
    /// generated from its schema.
    fn parameter_value(&mut self, op: &Operation, p: &Parameter) -> Option<Value> {
        let example = p.examples.iter().find_map(|e| e.value.clone());
        let schema = p.schema.as_ref();
        let what = format!("{} parameter `{}`", p.location.as_str(), p.name);
        match (example, schema) {
            (Some(v), Some(s)) if self.valid(s, &v) => Some(v),
            (Some(v), None) => Some(v),
            (Some(_), Some(s)) => {
                self.lose(
                    op,
                    format!(
                        "the example of {} parameter `{}`",
                        p.location.as_str(),
                        p.name
                    ),
                    "it does not match its schema; a generated value is sent",
                );
                Some(self.generated(op, &what, s))
            }
            (None, Some(s)) => Some(self.generated(op, &what, s)),
            (None, None) => None,
        }
    }

    /// A value generated from `schema` for `what`; one that does not fit its
    /// own schema (a `pattern` the generator cannot follow, such as one with
    /// look-ahead) is kept, and listed for the user to fix.
    fn generated(&mut self, op: &Operation, what: &str, schema: &SchemaRef) -> Value {
        let value = generate::from_schema(self.spec, schema, Direction::Request, SEED);
        if let Some(schemas) = self.schemas {
            let wrong = schemas.validate(schema, seam_openapi::schema::Direction::Request, &value);
            if let Some(first) = wrong.first() {
                self.lose(
                    op,
                    format!("the value generated for {what}"),
                    format!(
                        "it does not fit its schema ({}{}); write one that does in the suite",
                        match first.path() {
                            p if p.is_empty() => String::new(),
                            p => format!("{p}: "),
                        },
                        first.message
                    ),
                );
            }
        }
        value
    }

    /// Whether `value` validates against `schema` as a request part (true when
    /// the schemas could not be compiled: the example is then trusted).
    fn valid(&self, schema: &SchemaRef, value: &Value) -> bool {
        self.schemas.is_none_or(|s| {
            s.validate(schema, seam_openapi::schema::Direction::Request, value)
                .is_empty()
        })
    }

    /// The request body: the first media type the importer can write (JSON,
    /// a form, text), from its example or generated. `false` when the body
    /// is required and none can be made (the operation is then left out).
    fn body(
        &mut self,
        op: &Operation,
        content: &[MediaType],
        required: bool,
        request: &mut Map<String, Value>,
        headers: &mut Map<String, Value>,
    ) -> bool {
        let kind = |m: &MediaType| {
            let essence = m
                .media_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if essence == "application/json"
                || essence.ends_with("+json")
                || essence == "*/*"
                || essence == "application/*"
            {
                Some("json")
            } else if essence == "application/x-www-form-urlencoded" {
                Some("form")
            } else if essence.starts_with("text/") || essence == "application/xml" {
                Some("text")
            } else {
                None
            }
        };
        let Some((media, kind)) = content.iter().find_map(|m| Some((m, kind(m)?))) else {
            let types: Vec<&str> = content.iter().map(|m| m.media_type.as_str()).collect();
            self.lose(
                op,
                format!("request body ({})", types.join(", ")),
                "the importer writes JSON, form and text bodies only",
            );
            return !required;
        };
        let example = generate::example(self.spec, media, None);
        let value = match (example, &media.schema) {
            (Some(v), Some(s)) if kind != "text" && !self.valid(s, &v) => {
                self.lose(
                    op,
                    format!("the request body example ({})", media.media_type),
                    "it does not match its schema; a generated body is sent",
                );
                self.generated(op, &format!("the request body ({})", media.media_type), s)
            }
            (Some(v), _) => v,
            (None, Some(s)) => {
                self.generated(op, &format!("the request body ({})", media.media_type), s)
            }
            (None, None) if kind == "json" => json!({}),
            (None, None) => Value::String(String::new()),
        };
        let essence = media.media_type.split(';').next().unwrap_or("").trim();
        match kind {
            "json" => {
                if !essence.eq_ignore_ascii_case("application/json") && !essence.contains('*') {
                    headers.insert("Content-Type".into(), json!(media.media_type));
                }
                request.insert("json".into(), value);
            }
            "form" => match value {
                Value::Object(fields) => {
                    let form: Map<String, Value> = fields
                        .into_iter()
                        .map(|(k, v)| (k, json!(simple_text(&v))))
                        .collect();
                    request.insert("form".into(), Value::Object(form));
                }
                _ => {
                    self.lose(op, "the form body", "its example is not an object");
                    return !required;
                }
            },
            _ => {
                headers.insert("Content-Type".into(), json!(media.media_type));
                let text = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                request.insert("body".into(), json!(text));
            }
        }
        true
    }

    /// Credentials for the operation's first security requirement (none when
    /// a requirement is empty: the operation is then public).
    fn auth(
        &mut self,
        op: &Operation,
        request: &mut Map<String, Value>,
        query: &mut Map<String, Value>,
        headers: &mut Map<String, Value>,
    ) {
        if op.is_public() {
            return;
        }
        let requirement = &op.security[0];
        let mut auth_used = false;
        for (scheme_name, _) in &requirement.schemes {
            let Some(scheme) = self.spec.security_scheme(scheme_name) else {
                continue;
            };
            let base = secret_name(scheme_name);
            match &scheme.kind {
                SecurityKind::Http { scheme: s, .. } if s.eq_ignore_ascii_case("basic") => {
                    let (user, pass) = (format!("{base}_USERNAME"), format!("{base}_PASSWORD"));
                    self.secret(&user, format!("HTTP basic `{scheme_name}`: the user name"));
                    self.secret(&pass, format!("HTTP basic `{scheme_name}`: the password"));
                    let basic = json!({"basic": {"username": var(&user), "password": var(&pass)}});
                    if !auth_used {
                        request.insert("auth".into(), basic);
                        auth_used = true;
                    } else {
                        self.lose(
                            op,
                            format!("scheme `{scheme_name}`"),
                            "a second Authorization header",
                        );
                    }
                }
                SecurityKind::Http { scheme: s, .. } if !s.eq_ignore_ascii_case("bearer") => {
                    self.lose(
                        op,
                        format!("scheme `{scheme_name}` (HTTP {s})"),
                        "seam suites send bearer, basic and API key credentials",
                    );
                }
                SecurityKind::Http { .. }
                | SecurityKind::OAuth2 { .. }
                | SecurityKind::OpenIdConnect { .. } => {
                    let name = if base.ends_with("TOKEN") {
                        base.clone()
                    } else {
                        format!("{base}_TOKEN")
                    };
                    let what = match &scheme.kind {
                        SecurityKind::OAuth2 { .. } => "OAuth2",
                        SecurityKind::OpenIdConnect { .. } => "OpenID Connect",
                        _ => "HTTP bearer",
                    };
                    self.secret(&name, format!("{what} `{scheme_name}`: a bearer token"));
                    if !auth_used {
                        request.insert("auth".into(), json!({"bearer": var(&name)}));
                        auth_used = true;
                    } else {
                        self.lose(
                            op,
                            format!("scheme `{scheme_name}`"),
                            "a second Authorization header",
                        );
                    }
                }
                SecurityKind::ApiKey {
                    name: key,
                    location,
                } => {
                    let secret = if base.ends_with("KEY") {
                        base.clone()
                    } else {
                        format!("{base}_KEY")
                    };
                    self.secret(
                        &secret,
                        format!(
                            "API key `{scheme_name}` (sent in the {} as `{key}`)",
                            location.as_str()
                        ),
                    );
                    match location {
                        ParamLocation::Query => {
                            query.insert(key.clone(), json!(var(&secret)));
                        }
                        ParamLocation::Cookie => {
                            add_cookie(headers, &format!("{key}={}", var(&secret)));
                        }
                        _ => {
                            headers.insert(key.clone(), json!(var(&secret)));
                        }
                    }
                }
                SecurityKind::MutualTls => self.lose(
                    op,
                    format!("scheme `{scheme_name}` (mutual TLS)"),
                    "client certificates are not part of a suite",
                ),
            }
        }
    }

    fn secret(&mut self, name: &str, what: String) {
        if !self.secrets.iter().any(|s| s.name == name) {
            self.secrets.insert(Secret {
                name: name.to_string(),
                what,
            });
        }
    }
}

/// `{{NAME}}`.
fn var(name: &str) -> String {
    format!("{{{{{name}}}}}")
}

/// A scheme's name as an environment variable: `petstore_auth` →
/// `PETSTORE_AUTH`, `bearerAuth` → `BEARER_AUTH`.
fn secret_name(scheme: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in scheme.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower {
                out.push('_');
            }
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_uppercase());
        } else {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("AUTH_{out}")
    } else {
        out
    }
}

fn add_cookie(headers: &mut Map<String, Value>, cookie: &str) {
    let joined = match headers.get("Cookie").and_then(Value::as_str) {
        Some(c) => format!("{c}; {cookie}"),
        None => cookie.to_string(),
    };
    headers.insert("Cookie".into(), json!(joined));
}

/// A path parameter's value as its style writes it (`simple`, `label`
/// `.a.b`, `matrix` `;id=a,b`), percent-encoded.
fn path_text(p: &Parameter, value: &Value) -> String {
    use seam_openapi::model::Style;
    let items: Vec<String> = match value {
        Value::Array(items) => items.iter().map(simple_text).collect(),
        _ => Vec::new(),
    };
    let pairs: Vec<(String, String)> = match value {
        Value::Object(o) => o.iter().map(|(k, v)| (k.clone(), simple_text(v))).collect(),
        _ => Vec::new(),
    };
    let enc = |v: &[String]| v.iter().map(|x| encode(x)).collect::<Vec<_>>();
    match (p.style, value) {
        (Style::Label, Value::Array(_)) => {
            format!(".{}", enc(&items).join(if p.explode { "." } else { "," }))
        }
        (Style::Label, Value::Object(_)) if p.explode => pairs
            .iter()
            .map(|(k, v)| format!(".{}={}", encode(k), encode(v)))
            .collect(),
        (Style::Label, v) => format!(".{}", encode(&simple_text(v))),
        (Style::Matrix, Value::Array(_)) if p.explode => enc(&items)
            .iter()
            .map(|v| format!(";{}={v}", p.name))
            .collect(),
        (Style::Matrix, Value::Object(_)) if p.explode => pairs
            .iter()
            .map(|(k, v)| format!(";{}={}", encode(k), encode(v)))
            .collect(),
        (Style::Matrix, v) => format!(";{}={}", p.name, encode(&simple_text(v))),
        (_, Value::Object(_)) if p.explode => pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join(","),
        (_, v) => encode(&simple_text(v)),
    }
}

/// A value in the `simple` style: scalars as text, arrays comma-joined,
/// objects as `key,value` pairs.
fn simple_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(simple_text).collect::<Vec<_>>().join(","),
        Value::Object(o) => o
            .iter()
            .flat_map(|(k, v)| [k.clone(), simple_text(v)])
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (and `,`,
/// the simple style's separator); `{` too, so a value never reads as a
/// `{{variable}}`.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The status a mock of the spec answers with by default: the lowest declared
/// 2xx code, else the first declared code; `None` when only ranges or
/// `default` are declared.
fn expected_status(op: &Operation) -> Option<u16> {
    let lowest_2xx = op
        .responses
        .iter()
        .filter_map(|r| match r.status {
            StatusKey::Code(c) if (200..300).contains(&c) => Some(c),
            _ => None,
        })
        .min();
    lowest_2xx.or_else(|| match op.responses.first()?.status {
        StatusKey::Code(c) => Some(c),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_names_become_environment_variables() {
        assert_eq!(secret_name("petstore_auth"), "PETSTORE_AUTH");
        assert_eq!(secret_name("bearerAuth"), "BEARER_AUTH");
        assert_eq!(secret_name("api-key"), "API_KEY");
        assert_eq!(secret_name("OAuth2"), "OAUTH2");
        assert_eq!(secret_name("1x"), "AUTH_1X");
    }

    fn path_param(style: seam_openapi::model::Style, explode: bool) -> Parameter {
        Parameter {
            name: "id".into(),
            location: ParamLocation::Path,
            required: true,
            deprecated: false,
            allow_empty_value: false,
            style,
            explode,
            allow_reserved: false,
            schema: None,
            content_type: None,
            examples: vec![],
            pointer: String::new(),
        }
    }

    /// The OpenAPI spec's style examples (path rows).
    #[test]
    fn path_values_follow_their_style() {
        use seam_openapi::model::Style::*;
        let (n, a, o) = (
            json!(5),
            json!([3, 4, 5]),
            json!({"role": "admin", "firstName": "Alex"}),
        );
        let cases = [
            (Simple, false, &n, "5"),
            (Simple, false, &a, "3,4,5"),
            (Simple, true, &o, "role=admin,firstName=Alex"),
            (Label, false, &n, ".5"),
            (Label, false, &a, ".3,4,5"),
            (Label, true, &a, ".3.4.5"),
            (Label, true, &o, ".role=admin.firstName=Alex"),
            (Matrix, false, &n, ";id=5"),
            (Matrix, false, &a, ";id=3,4,5"),
            (Matrix, true, &a, ";id=3;id=4;id=5"),
            (Matrix, true, &o, ";role=admin;firstName=Alex"),
        ];
        for (style, explode, value, want) in cases {
            assert_eq!(
                path_text(&path_param(style, explode), value),
                want,
                "{style:?} {explode}"
            );
        }
    }

    #[test]
    fn values_are_written_in_the_simple_style_and_encoded() {
        assert_eq!(simple_text(&json!([1, "a"])), "1,a");
        assert_eq!(simple_text(&json!({"a": 1, "b": "x"})), "a,1,b,x");
        assert_eq!(encode("a b/{{c}}"), "a%20b%2F%7B%7Bc%7D%7D");
        assert_eq!(var("TOKEN"), "{{TOKEN}}");
    }
}
