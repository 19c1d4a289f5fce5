//! Seam stub files (YAML or JSON, documented in docs/mock.md): a friendlier
//! spelling of the stub model. Matchers use WireMock's vocabulary (a plain value
//! means `equalTo`). Errors carry file:line:column.

use crate::matching::parse_template;
use crate::sources::{error_at, file_error, LoadError};
use crate::stub::{
    Chaos, ChaosOutcome, Delay, Fault, MethodMatch, RequestPattern, ResponseBody, ResponseDef,
    ScenarioStep, Stub, StubSource, UrlMatcher, DEFAULT_PRIORITY,
};
use crate::template::{TemplateField, TemplateFieldError};
use base64::Engine;
use seam_core::matching::scalar_text;
use seam_core::regexp::{whole, Dot, Whole};
use seam_matchers::StringMatcher;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    stubs: Vec<StubSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StubSpec {
    name: Option<String>,
    id: Option<Spanned<String>>,
    priority: Option<i32>,
    request: RequestSpec,
    response: ResponseSpec,
    scenario: Option<ScenarioSpec>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RequestSpec {
    #[serde(
        default,
        deserialize_with = "seam_core::http::deserialize_optional_method"
    )]
    method: Option<String>,
    path: Option<String>,
    path_pattern: Option<Spanned<String>>,
    url: Option<String>,
    url_pattern: Option<Spanned<String>>,
    #[serde(default)]
    path_params: BTreeMap<String, Spanned<Value>>,
    #[serde(default)]
    query: BTreeMap<String, Spanned<Value>>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<Value>>,
    #[serde(default)]
    cookies: BTreeMap<String, Spanned<Value>>,
    basic_auth: Option<BasicAuth>,
    body: Option<Spanned<Value>>,
    #[serde(default)]
    body_patterns: Vec<Spanned<Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BasicAuth {
    username: String,
    password: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ResponseSpec {
    status: Option<u16>,
    status_message: Option<Spanned<String>>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<Value>>,
    json: Option<Spanned<Value>>,
    text: Option<Spanned<String>>,
    base64: Option<Spanned<String>>,
    file: Option<Spanned<PathBuf>>,
    #[serde(default)]
    template: bool,
    delay: Option<Spanned<DelaySpec>>,
    dribble: Option<Spanned<Dribble>>,
    fault: Option<Spanned<String>>,
    chaos: Option<Spanned<ChaosSpec>>,
    proxy: Option<String>,
}

/// `delay:` as written: milliseconds, `{uniform: [LOW, HIGH]}` or
/// `{lognormal: {median, sigma}}` (read by hand so a wrong form says which
/// forms there are, not "no variant of an untagged enum").
enum DelaySpec {
    Fixed(u64),
    Uniform { uniform: [u64; 2] },
    LogNormal { lognormal: LogNormal },
}

impl<'de> Deserialize<'de> for DelaySpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DelayVisitor;
        impl<'de> serde::de::Visitor<'de> for DelayVisitor {
            type Value = DelaySpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a delay: milliseconds (200), {uniform: [100, 300]} or {lognormal: {median: 90, sigma: 0.1}}",
                )
            }
            fn visit_u64<E: serde::de::Error>(self, ms: u64) -> Result<DelaySpec, E> {
                Ok(DelaySpec::Fixed(ms))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<DelaySpec, A::Error> {
                const FORMS: &[&str] = &["uniform", "lognormal"];
                let key: String = map
                    .next_key()?
                    .ok_or_else(|| serde::de::Error::invalid_length(0, &self))?;
                let delay = match key.as_str() {
                    "uniform" => DelaySpec::Uniform {
                        uniform: map.next_value()?,
                    },
                    "lognormal" => DelaySpec::LogNormal {
                        lognormal: map.next_value()?,
                    },
                    other => return Err(serde::de::Error::unknown_field(other, FORMS)),
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(serde::de::Error::custom(format!(
                        "a delay has one form; `{extra}` is one too many"
                    )));
                }
                Ok(delay)
            }
        }
        d.deserialize_any(DelayVisitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogNormal {
    median: f64,
    sigma: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Dribble {
    chunks: u32,
    total_ms: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChaosSpec {
    percent: f64,
    status: Option<u16>,
    fault: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioSpec {
    name: String,
    requires: Option<String>,
    then: Option<String>,
}

fn at<T>(file: &Path, s: &Spanned<T>, message: impl Into<String>) -> LoadError {
    error_at(
        file,
        s.referenced.line() as usize,
        s.referenced.column() as usize,
        message,
    )
}

/// A matcher: a scalar is `equalTo`, an object is a WireMock matcher.
fn matcher(file: &Path, v: &Spanned<Value>) -> Result<StringMatcher, LoadError> {
    let m = match &v.value {
        Value::String(s) => serde_json::json!({"equalTo": s}),
        Value::Number(n) => serde_json::json!({"equalTo": n.to_string()}),
        Value::Bool(b) => serde_json::json!({"equalTo": b.to_string()}),
        other => other.clone(),
    };
    StringMatcher::from_wiremock_json(&m).map_err(|e| at(file, v, e))
}

fn regex(file: &Path, s: &Spanned<String>) -> Result<Whole, LoadError> {
    whole(&s.value, Dot::All).map_err(|e| at(file, s, e))
}

fn named_matchers(
    file: &Path,
    m: &BTreeMap<String, Spanned<Value>>,
) -> Result<Vec<(String, StringMatcher)>, LoadError> {
    m.iter()
        .map(|(k, v)| Ok((k.clone(), matcher(file, v)?)))
        .collect()
}

fn request(file: &Path, r: &RequestSpec) -> Result<RequestPattern, LoadError> {
    let url = match (&r.path, &r.path_pattern, &r.url, &r.url_pattern) {
        (None, None, None, None) => UrlMatcher::Any,
        (Some(p), None, None, None) if p.contains('{') => {
            UrlMatcher::UrlPathTemplate(parse_template(p).map_err(|e| file_error(file, e))?)
        }
        (Some(p), None, None, None) => UrlMatcher::UrlPath(p.clone()),
        (None, Some(p), None, None) => UrlMatcher::UrlPathPattern(regex(file, p)?),
        (None, None, Some(u), None) => UrlMatcher::Url(u.clone()),
        (None, None, None, Some(u)) => UrlMatcher::UrlPattern(regex(file, u)?),
        _ => {
            return Err(file_error(
                file,
                "give one of path, pathPattern, url or urlPattern in a request",
            ))
        }
    };
    if let Some(last) = r.body_patterns.get(seam_matchers::MAX_MATCHERS) {
        let e = seam_matchers::check_matcher_count("bodyPatterns", r.body_patterns.len());
        return Err(at(file, last, e.unwrap_err()));
    }
    let mut body_patterns: Vec<StringMatcher> = r
        .body_patterns
        .iter()
        .map(|b| matcher(file, b))
        .collect::<Result<_, _>>()?;
    if let Some(b) = &r.body {
        body_patterns.push(matcher(file, b)?);
    }
    Ok(RequestPattern {
        method: r
            .method
            .as_deref()
            .map_or(MethodMatch::Any, MethodMatch::parse),
        url,
        path_parameters: named_matchers(file, &r.path_params)?,
        query: named_matchers(file, &r.query)?,
        headers: named_matchers(file, &r.headers)?,
        cookies: named_matchers(file, &r.cookies)?,
        basic_auth: r
            .basic_auth
            .as_ref()
            .map(|b| (b.username.clone(), b.password.clone())),
        body_patterns,
        form: Vec::new(),
        multipart: Vec::new(),
        origin: None,
        pact_request: None,
        ignore_pact_headers: false,
    })
}

fn fault(file: &Path, f: &Spanned<String>) -> Result<Fault, LoadError> {
    Fault::parse(&f.value).ok_or_else(|| {
        at(
            file,
            f,
            format!(
                "unknown fault `{}` (expected EMPTY_RESPONSE, MALFORMED_RESPONSE_CHUNK, RANDOM_DATA_THEN_CLOSE, CONNECTION_RESET_BY_PEER or HANG)",
                f.value
            ),
        )
    })
}

fn response(file: &Path, r: &ResponseSpec) -> Result<ResponseDef, LoadError> {
    let mut headers = seam_core::http::Headers::new();
    for (k, v) in &r.headers {
        let values = match &v.value {
            Value::Array(items) => items.iter().map(scalar_text).collect::<Option<Vec<_>>>(),
            other => scalar_text(other).map(|s| vec![s]),
        };
        let values = values.ok_or_else(|| {
            at(
                file,
                v,
                format!("header `{k}` must be a string or a list of strings"),
            )
        })?;
        for value in values {
            crate::respond::check_header(k, &value).map_err(|e| at(file, v, e))?;
            headers.append(k.clone(), value);
        }
    }
    let given = [
        r.json.is_some(),
        r.text.is_some(),
        r.base64.is_some(),
        r.file.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(file_error(
            file,
            "give at most one of json, text, base64 and file in a response",
        ));
    }
    let body = if let Some(j) = &r.json {
        ResponseBody::Json(j.value.clone())
    } else if let Some(t) = &r.text {
        ResponseBody::Text(t.value.clone())
    } else if let Some(b) = &r.base64 {
        ResponseBody::Bytes(
            base64::engine::general_purpose::STANDARD
                .decode(b.value.trim())
                .map_err(|e| at(file, b, format!("invalid base64: {e}")))?,
        )
    } else if let Some(f) = &r.file {
        crate::respond::check_body_file(&f.value).map_err(|e| at(file, f, e))?;
        ResponseBody::File(f.value.clone())
    } else {
        ResponseBody::None
    };
    // a `json:` answer says what it is (WireMock's `jsonBody` does not)
    if matches!(body, ResponseBody::Json(_)) && !headers.contains("content-type") {
        headers.append("Content-Type", "application/json");
    }
    let chaos = match &r.chaos {
        None => None,
        Some(c) => {
            if !(0.0..=100.0).contains(&c.value.percent) {
                return Err(at(file, c, "chaos percent must be between 0 and 100"));
            }
            let outcome = match (&c.value.status, &c.value.fault) {
                (Some(s), None) => ChaosOutcome::Status(*s),
                (None, Some(f)) => ChaosOutcome::Fault(fault(
                    file,
                    &Spanned {
                        value: f.clone(),
                        referenced: c.referenced,
                        defined: c.defined,
                    },
                )?),
                _ => return Err(at(file, c, "chaos needs exactly one of status and fault")),
            };
            Some(Chaos {
                probability: c.value.percent / 100.0,
                outcome,
            })
        }
    };
    let def = ResponseDef {
        status: r.status.unwrap_or(200),
        status_message: r
            .status_message
            .as_ref()
            .map(|m| {
                crate::respond::check_status_message(&m.value).map_err(|e| at(file, m, e))?;
                Ok::<_, LoadError>(m.value.clone())
            })
            .transpose()?,
        headers,
        body,
        templated: r.template,
        delay: r.delay.as_ref().map(|d| delay(file, d)).transpose()?,
        chunked_dribble: r
            .dribble
            .as_ref()
            .map(|d| {
                crate::stub::check_delay_ms("totalMs", d.value.total_ms)
                    .map(|total| (d.value.chunks, total))
                    .map_err(|e| at(file, d, e))
            })
            .transpose()?,
        fault: r.fault.as_ref().map(|f| fault(file, f)).transpose()?,
        chaos,
        proxy_base_url: r.proxy.clone(),
        extras: None,
        pact: None,
        prepared: Default::default(),
        templates: Default::default(),
    };
    def.compile_templates()
        .map_err(|e| template_error(file, r, e))?;
    Ok(def)
}

/// A template that does not compile, placed at its value (the position inside
/// the template is in the message).
fn template_error(file: &Path, r: &ResponseSpec, e: TemplateFieldError) -> LoadError {
    let message = e.to_string();
    let span = match &e.field {
        TemplateField::Header { name, .. } => r
            .headers
            .get(name)
            .map(|v| (v.referenced.line(), v.referenced.column())),
        TemplateField::BodyFile => r
            .file
            .as_ref()
            .map(|f| (f.referenced.line(), f.referenced.column())),
        TemplateField::ProxyUrl => None,
        TemplateField::Body => r
            .text
            .as_ref()
            .map(|t| (t.referenced.line(), t.referenced.column()))
            .or(r
                .json
                .as_ref()
                .map(|j| (j.referenced.line(), j.referenced.column())))
            .or(r
                .base64
                .as_ref()
                .map(|b| (b.referenced.line(), b.referenced.column()))),
    };
    match span {
        Some((line, column)) => error_at(file, line as usize, column as usize, message),
        None => file_error(file, message),
    }
}

/// A delay within its bounds (see [`Delay::check`]), placed on error.
fn delay(file: &Path, d: &Spanned<DelaySpec>) -> Result<Delay, LoadError> {
    let delay = match &d.value {
        DelaySpec::Fixed(ms) => Delay::Fixed { milliseconds: *ms },
        DelaySpec::Uniform { uniform } => Delay::Uniform {
            lower: uniform[0],
            upper: uniform[1],
        },
        DelaySpec::LogNormal { lognormal } => Delay::LogNormal {
            median: lognormal.median,
            sigma: lognormal.sigma,
        },
    };
    if let Delay::Uniform { lower, upper } = delay {
        if lower > upper {
            return Err(at(
                file,
                d,
                format!("delay: uniform upper bound {upper} is below the lower {lower}"),
            ));
        }
    }
    match delay {
        Delay::Fixed { milliseconds } => crate::stub::check_delay_ms("delay", milliseconds)
            .map(drop)
            .map_err(|e| at(file, d, e))?,
        _ => delay
            .check()
            .map_err(|(_, e)| at(file, d, format!("delay: {e}")))?,
    }
    Ok(delay)
}

/// Reads a seam stub file.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Stub>, LoadError> {
    let doc: File = seam_core::yaml::from_str(&file.display().to_string(), text)?;
    let mut stubs = Vec::new();
    for (i, s) in doc.stubs.iter().enumerate() {
        let mut stub = Stub::new(request(file, &s.request)?, response(file, &s.response)?);
        if let Some(id) = &s.id {
            stub.id = uuid::Uuid::parse_str(&id.value)
                .map_err(|_| at(file, id, format!("`{}` is not a UUID", id.value)))?;
        }
        stub.name = Some(
            s.name
                .clone()
                .unwrap_or_else(|| format!("{} #{}", file.display(), i + 1)),
        );
        stub.priority = s.priority.unwrap_or(DEFAULT_PRIORITY);
        stub.scenario = s.scenario.as_ref().map(|sc| ScenarioStep {
            scenario: sc.name.clone(),
            required_state: sc.requires.clone(),
            new_state: sc.then.clone(),
        });
        stub.source = StubSource::File(file.to_path_buf());
        stubs.push(stub);
    }
    Ok(stubs)
}
