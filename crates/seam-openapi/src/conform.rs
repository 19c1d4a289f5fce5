//! A request or a response checked against its operation: parameters, security, media types and bodies, each violation with its location.
//!
//! [`check_request`]: security (any requirement met), parameters (read by
//! [`crate::params`], validated by [`crate::schema`]), the body's Content-Type
//! among the declared media types and the body itself (JSON, urlencoded and
//! multipart forms, text). [`check_response`]: the status is declared, required
//! headers are present and valid, the body matches its media type. [`negotiate`]
//! picks the response media type for an `Accept` header, and [`problem`] renders
//! violations as `application/problem+json`.

use crate::model::{MediaType, Operation, ParamLocation, Response, SecurityKind, Spec};
use crate::params::{self, header_values, Read, Sent, Shape};
use crate::schema::{Direction, SchemaCheck, Schemas};
pub use crate::schema::{Segment, Violation, ViolationKind};
use seam_core::http::ContentType;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::fmt;

/// A request as received, for [`check_request`].
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// Upper case (`GET`).
    pub method: &'a str,
    /// From the router: (name, raw value, still percent-encoded).
    pub path_params: &'a [(String, String)],
    /// The raw query, without `?`.
    pub query: Option<&'a str>,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// The body already read as JSON by the caller ([`json_body`]), so a
    /// JSON body is parsed once; `None` when the caller has not read it.
    pub json: Option<&'a Value>,
}

/// A body read as JSON the way the checks read it (decoded as text first, a
/// byte-order mark dropped); `None` when it is not JSON text.
pub fn json_body(body: &[u8]) -> Option<Value> {
    let text = seam_core::source::decode_text(body).ok()?;
    serde_json::from_str(text).ok()
}

/// Whether a declared media type (or range) carries JSON: `application/json`,
/// a `+json` type, or a range that takes JSON (`*/*`, `application/*`).
pub fn carries_json(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence.ends_with("+json")
        || essence == "*/*"
        || essence == "application/*"
}

/// A response as sent, for [`check_response`].
#[derive(Debug, Clone, Copy)]
pub struct ResponseParts<'a> {
    pub status: u16,
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// Every way a request differs from its operation: security, parameters,
/// Content-Type and body. A caller that checks many requests against the same
/// operation keeps a [`RequestPlan`] and calls [`check_planned`].
pub fn check_request(
    spec: &Spec,
    schemas: &Schemas,
    op: &Operation,
    req: &RequestParts<'_>,
) -> Vec<Violation> {
    check_planned(spec, schemas, op, &RequestPlan::new(spec, schemas, op), req)
}

/// What checking requests against one operation needs, worked out once: each
/// checked parameter's location in violations, its coercion [`Shape`] (a walk
/// of its schema through `$ref`s) and its validator, and each request body
/// media type's validator. Validators are still compiled on first use.
#[derive(Debug)]
pub struct RequestPlan {
    params: Vec<ParamPlan>,
    /// One per media type of the request body, in its order (`None`: no schema).
    bodies: Vec<Option<SchemaCheck>>,
}

#[derive(Debug)]
struct ParamPlan {
    /// The parameter's index in the operation's `parameters`.
    index: usize,
    /// `["query", "limit"]`.
    at: Vec<Segment>,
    shape: Shape,
    check: Option<SchemaCheck>,
}

impl RequestPlan {
    /// The plan for `op` (whose schemas are in `schemas`).
    pub fn new(spec: &Spec, schemas: &Schemas, op: &Operation) -> RequestPlan {
        let params = op
            .parameters
            .iter()
            .enumerate()
            // ignored by OpenAPI: described by other fields
            .filter(|(_, p)| {
                !(p.location == ParamLocation::Header
                    && ["accept", "content-type", "authorization"]
                        .iter()
                        .any(|h| p.name.eq_ignore_ascii_case(h)))
            })
            .map(|(index, p)| ParamPlan {
                index,
                at: vec![
                    Segment::from(p.location.as_str()),
                    Segment::from(p.name.as_str()),
                ],
                shape: Shape::of(spec, p.schema.as_ref()),
                check: p
                    .schema
                    .as_ref()
                    .map(|s| schemas.check_for(s, Direction::Request)),
            })
            .collect();
        let bodies = op
            .request_body
            .iter()
            .flat_map(|b| &b.content)
            .map(|m| {
                m.schema
                    .as_ref()
                    .map(|s| schemas.check_for(s, Direction::Request))
            })
            .collect();
        RequestPlan { params, bodies }
    }
}

/// [`check_request`] with the operation's plan made beforehand (`plan` must be
/// `RequestPlan::new(spec, schemas, op)`).
pub fn check_planned(
    spec: &Spec,
    schemas: &Schemas,
    op: &Operation,
    plan: &RequestPlan,
    req: &RequestParts<'_>,
) -> Vec<Violation> {
    as_written(spec, planned_violations(spec, schemas, op, plan, req))
}

/// [`check_planned`], every pointer into the document as loaded.
fn planned_violations(
    spec: &Spec,
    schemas: &Schemas,
    op: &Operation,
    plan: &RequestPlan,
    req: &RequestParts<'_>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let sent = Sent::new(req.path_params, req.query, req.headers);
    if let Some(v) = check_security(spec, op, &sent) {
        out.push(v);
    }
    for p in &plan.params {
        let Some(param) = op.parameters.get(p.index) else {
            continue;
        };
        match params::read_shaped(param, &p.shape, &sent) {
            Err(why) => out.push(Violation::new(
                ViolationKind::Parameter,
                p.at.clone(),
                why,
                &param.pointer,
            )),
            Ok(Read::Missing) => {
                if param.required {
                    out.push(Violation::new(
                        ViolationKind::Parameter,
                        p.at.clone(),
                        format!(
                            "missing required {} parameter `{}`",
                            param.location.as_str(),
                            param.name
                        ),
                        &param.pointer,
                    ));
                }
            }
            Ok(Read::Present { value, empty }) => {
                if empty && param.allow_empty_value {
                    continue;
                }
                if let Some(check) = &p.check {
                    out.extend(schemas.validate_with(
                        check,
                        &value,
                        &p.at,
                        ViolationKind::Parameter,
                    ));
                }
            }
        }
    }
    if let Some(body) = &op.request_body {
        if req.body.is_empty() {
            if body.required {
                out.push(Violation::new(
                    ViolationKind::Body,
                    vec![Segment::from("body")],
                    "missing required request body",
                    &body.pointer,
                ));
            }
        } else {
            let content_type = header_values(req.headers, "content-type").first().copied();
            match content_type.and_then(|ct| match_media_type(&body.content, ct)) {
                Some(media) => {
                    let check = body
                        .content
                        .iter()
                        .position(|m| std::ptr::eq(m, media))
                        .and_then(|i| plan.bodies.get(i))
                        .and_then(Option::as_ref);
                    out.extend(check_body(
                        spec,
                        schemas,
                        media,
                        content_type.unwrap_or_default(),
                        (req.body, req.json),
                        Direction::Request,
                        check,
                    ))
                }
                None if body.content.is_empty() => {}
                None => out.push(Violation::new(
                    ViolationKind::UnsupportedMediaType,
                    vec![Segment::from("header"), Segment::from("Content-Type")],
                    match content_type {
                        Some(ct) => format!(
                            "Content-Type `{}` is not accepted; expected {}",
                            ct.trim(),
                            declared(&body.content)
                        ),
                        None => {
                            format!("missing Content-Type; expected {}", declared(&body.content))
                        }
                    },
                    format!("{}/content", body.pointer),
                )),
            }
        }
    }
    out
}

/// Every way a response differs from its operation: an undeclared status,
/// missing or invalid headers, a body that does not match its media type.
pub fn check_response(
    spec: &Spec,
    schemas: &Schemas,
    op: &Operation,
    res: &ResponseParts<'_>,
) -> Vec<Violation> {
    as_written(spec, response_violations(spec, schemas, op, res))
}

/// [`check_response`], every pointer into the document as loaded.
fn response_violations(
    spec: &Spec,
    schemas: &Schemas,
    op: &Operation,
    res: &ResponseParts<'_>,
) -> Vec<Violation> {
    let Some(declared_response) = op.response_for(res.status) else {
        return vec![Violation::new(
            ViolationKind::ResponseStatus,
            vec![Segment::from("status")],
            format!("status {} is not declared for {}", res.status, op.label()),
            format!("{}/responses", op.pointer),
        )];
    };
    let mut out = Vec::new();
    for header in &declared_response.headers {
        if header.name.eq_ignore_ascii_case("content-type") {
            continue;
        }
        let at = vec![Segment::from("header"), Segment::from(header.name.as_str())];
        let values = header_values(res.headers, &header.name);
        if values.is_empty() {
            if header.required {
                out.push(Violation::new(
                    ViolationKind::ResponseHeader,
                    at,
                    format!("missing required header `{}`", header.name),
                    &header.pointer,
                ));
            }
            continue;
        }
        if let Some(schema) = &header.schema {
            let value = params::read_header(spec, Some(schema), &values.join(","));
            out.extend(schemas.validate_at(
                schema,
                Direction::Response,
                &value,
                &at,
                ViolationKind::ResponseHeader,
            ));
        }
    }
    let what = format!("{} of {}", declared_response.status, op.label());
    let content_type = header_values(res.headers, "content-type").first().copied();
    if declared_response.content.is_empty() {
        if !res.body.is_empty() {
            out.push(Violation::new(
                ViolationKind::ResponseBody,
                vec![Segment::from("body")],
                format!("the spec declares no body for {what}, but one was sent"),
                &declared_response.pointer,
            ));
        }
        return out;
    }
    if res.body.is_empty() {
        if op.method != "HEAD" && res.status != 204 && res.status != 304 {
            out.push(Violation::new(
                ViolationKind::ResponseBody,
                vec![Segment::from("body")],
                format!(
                    "the response has no body; {what} declares {}",
                    declared(&declared_response.content)
                ),
                format!("{}/content", declared_response.pointer),
            ));
        }
        return out;
    }
    match content_type.and_then(|ct| match_media_type(&declared_response.content, ct)) {
        Some(media) => out.extend(check_body(
            spec,
            schemas,
            media,
            content_type.unwrap_or_default(),
            (res.body, None),
            Direction::Response,
            None,
        )),
        None => out.push(Violation::new(
            ViolationKind::ResponseBody,
            vec![Segment::from("header"), Segment::from("Content-Type")],
            match content_type {
                Some(ct) => format!(
                    "Content-Type `{}` is not declared for {what} (declared: {})",
                    ct.trim(),
                    declared(&declared_response.content)
                ),
                None => format!(
                    "missing Content-Type; {what} declares {}",
                    declared(&declared_response.content)
                ),
            },
            format!("{}/content", declared_response.pointer),
        )),
    }
    out
}

/// `application/json` or "one of `a`, `b`".
fn declared(content: &[MediaType]) -> String {
    match content {
        [one] => format!("`{}`", one.media_type),
        many => format!(
            "one of {}",
            many.iter()
                .map(|m| format!("`{}`", m.media_type))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The declared media type a sent Content-Type falls under: the exact type, else
/// `type/*`, else a structured suffix (`application/problem+json` under
/// `application/json`), else `*/*`. Parameters (`charset`) are ignored.
pub fn match_media_type<'m>(content: &'m [MediaType], content_type: &str) -> Option<&'m MediaType> {
    let sent = ContentType::parse(content_type);
    if sent.sub.is_empty() {
        return None;
    }
    content
        .iter()
        .filter_map(|m| {
            let d = ContentType::parse(&m.media_type);
            let rank = if d.main == sent.main && d.sub == sent.sub {
                4
            } else if d.main == sent.main && d.sub == "*" {
                3
            } else if d.main == sent.main
                && sent
                    .sub
                    .rsplit_once('+')
                    .is_some_and(|(_, suffix)| suffix == d.sub)
            {
                2
            } else if d.main == "*" {
                1
            } else {
                0
            };
            (rank > 0).then_some((rank, m))
        })
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, m)| m)
}

/// No declared media type satisfies the request's `Accept` (a mock's 406).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAcceptable {
    /// The `Accept` header as sent.
    pub accept: String,
    /// The media types the response declares.
    pub available: Vec<String>,
}

impl fmt::Display for NotAcceptable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no declared media type ({}) matches Accept: {}",
            self.available.join(", "),
            self.accept
        )
    }
}

impl NotAcceptable {
    /// As a violation (kind [`ViolationKind::NotAcceptable`]) at `["header","Accept"]`.
    pub fn to_violation(&self, pointer: &str) -> Violation {
        Violation::new(
            ViolationKind::NotAcceptable,
            vec![Segment::from("header"), Segment::from("Accept")],
            self.to_string(),
            pointer,
        )
    }
}

/// The response media type to answer with for an `Accept` header: the declared
/// type the client prefers most (by `q`, then by how specific the matching
/// range is, then in spec order). `Ok(None)` when the response declares no body;
/// without `Accept` (or `*/*`), the first declared type.
pub fn negotiate<'r>(
    response: &'r Response,
    accept: Option<&str>,
) -> Result<Option<&'r MediaType>, NotAcceptable> {
    let Some(first) = response.content.first() else {
        return Ok(None);
    };
    let accept_text = accept.map(str::trim).unwrap_or_default();
    if accept_text.is_empty() {
        return Ok(Some(first));
    }
    let ranges: Vec<(ContentType, f32)> = accept_text
        .split(',')
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            let ct = ContentType::parse(r);
            let q = ct
                .params
                .iter()
                .find(|(k, _)| k == "q")
                .and_then(|(_, v)| v.parse::<f32>().ok())
                .unwrap_or(1.0);
            (ct, q)
        })
        .collect();
    let mut best: Option<(f32, u8, &MediaType)> = None;
    for media in &response.content {
        let d = ContentType::parse(&media.media_type);
        // The most specific range matching this type decides its q.
        let mut found: Option<(u8, f32)> = None;
        for (range, q) in &ranges {
            let specificity = if range.main == "*" {
                1
            } else if range.main == d.main && (range.sub == "*" || d.sub == "*") {
                2
            } else if d.main == "*" {
                1
            } else if range.main == d.main && range.sub == d.sub {
                3
            } else {
                0
            };
            if specificity > 0 && found.is_none_or(|(s, _)| specificity > s) {
                found = Some((specificity, *q));
            }
        }
        if let Some((specificity, q)) = found {
            if q > 0.0 && best.is_none_or(|(bq, bs, _)| q > bq || (q == bq && specificity > bs)) {
                best = Some((q, specificity, media));
            }
        }
    }
    match best {
        Some((_, _, media)) => Ok(Some(media)),
        None => Err(NotAcceptable {
            accept: accept_text.to_string(),
            available: response
                .content
                .iter()
                .map(|m| m.media_type.clone())
                .collect(),
        }),
    }
}

/// Violations as an `application/problem+json` answer: the status the most
/// decisive kind asks for (401, then 415, 406, 422; 502 for a response) and
/// `{"type", "title", "status", "detail", "errors": [...]}`.
pub fn problem(violations: &[Violation]) -> (u16, Value) {
    let status = [
        ViolationKind::Security,
        ViolationKind::UnsupportedMediaType,
        ViolationKind::NotAcceptable,
        ViolationKind::Parameter,
        ViolationKind::Body,
        ViolationKind::ResponseStatus,
        ViolationKind::ResponseHeader,
        ViolationKind::ResponseBody,
    ]
    .into_iter()
    .find(|k| violations.iter().any(|v| v.kind == *k))
    .map(ViolationKind::status)
    .unwrap_or(422);
    let title = match status {
        401 => "Unauthorized",
        415 => "Unsupported Media Type",
        406 => "Not Acceptable",
        502 => "Invalid response",
        _ => "Invalid request",
    };
    let detail = match violations {
        [one] => one.to_string(),
        many => format!("{} violations of the OpenAPI document", many.len()),
    };
    (
        status,
        json!({
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "errors": violations.iter().map(Violation::to_json).collect::<Vec<_>>(),
        }),
    )
}

/// The operation's security: `None` when a requirement is met (or none is
/// needed), else the one violation naming what to send.
fn check_security(spec: &Spec, op: &Operation, sent: &Sent<'_>) -> Option<Violation> {
    if op.is_public() {
        return None;
    }
    let authorization = header_values(sent.headers, "authorization");
    let has_scheme = |scheme: &str| {
        authorization.iter().any(|a| {
            let a = a.trim();
            a.len() > scheme.len()
                && a[..scheme.len()].eq_ignore_ascii_case(scheme)
                && a.as_bytes()[scheme.len()] == b' '
                && !a[scheme.len()..].trim().is_empty()
        })
    };
    let met = |name: &str| -> bool {
        let Some(scheme) = spec.security_scheme(name) else {
            return true; // an unknown scheme is reported by `openapi validate`
        };
        match &scheme.kind {
            SecurityKind::ApiKey { name, location } => match location {
                ParamLocation::Header => !header_values(sent.headers, name).is_empty(),
                ParamLocation::Query => sent.query.iter().any(|(k, _)| k == name),
                ParamLocation::Cookie => sent.cookies.iter().any(|(k, _)| k == name),
                ParamLocation::Path => true,
            },
            SecurityKind::Http { scheme, .. } => has_scheme(scheme),
            SecurityKind::OAuth2 { .. } | SecurityKind::OpenIdConnect { .. } => {
                has_scheme("bearer")
            }
            SecurityKind::MutualTls => true,
        }
    };
    if op
        .security
        .iter()
        .any(|req| req.schemes.iter().all(|(name, _)| met(name)))
    {
        return None;
    }
    let describe = |name: &str| -> (String, Vec<Segment>) {
        let header = |h: &str| vec![Segment::from("header"), Segment::from(h)];
        match spec.security_scheme(name).map(|s| &s.kind) {
            Some(SecurityKind::ApiKey {
                name: key,
                location,
            }) => (
                format!("the {} `{key}` ({name})", location_word(*location)),
                vec![
                    Segment::from(location.as_str()),
                    Segment::from(key.as_str()),
                ],
            ),
            Some(SecurityKind::Http { scheme, .. }) => {
                let mut shown = scheme.clone();
                if let Some(first) = shown.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                (
                    format!("`Authorization: {shown} ...` ({name})"),
                    header("Authorization"),
                )
            }
            _ => (
                format!("`Authorization: Bearer ...` ({name})"),
                header("Authorization"),
            ),
        }
    };
    // The location: the first missing part of the requirement closest to being met.
    let mut alternatives = Vec::new();
    let mut location: Option<(usize, Vec<Segment>)> = None;
    for req in &op.security {
        let met_count = req.schemes.iter().filter(|(name, _)| met(name)).count();
        let mut parts = Vec::new();
        for (name, _) in req.schemes.iter().filter(|(name, _)| !met(name)) {
            let (text, at) = describe(name);
            if location.as_ref().is_none_or(|(best, _)| met_count > *best) {
                location = Some((met_count, at));
            }
            parts.push(text);
        }
        alternatives.push(parts.join(" and "));
    }
    let location = location.map(|(_, at)| at);
    let own = format!("{}/security", op.pointer);
    let pointer = if spec.document.pointer(&own[1..]).is_some() {
        own
    } else {
        "#/security".to_string()
    };
    Some(Violation::new(
        ViolationKind::Security,
        location.unwrap_or_default(),
        format!(
            "missing credentials: {} must send {}",
            op.label(),
            alternatives.join(", or ")
        ),
        pointer,
    ))
}

fn location_word(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Header => "header",
        ParamLocation::Query => "query parameter",
        ParamLocation::Cookie => "cookie",
        ParamLocation::Path => "path parameter",
    }
}

/// A body (with its JSON reading, when the caller has one) checked against
/// the media type it falls under.
fn check_body(
    spec: &Spec,
    schemas: &Schemas,
    media: &MediaType,
    content_type: &str,
    (body, json): (&[u8], Option<&Value>),
    direction: Direction,
    check: Option<&SchemaCheck>,
) -> Vec<Violation> {
    let kind = match direction {
        Direction::Request => ViolationKind::Body,
        Direction::Response => ViolationKind::ResponseBody,
    };
    let at = vec![Segment::from("body")];
    let sent = ContentType::parse(content_type);
    let Some(schema) = &media.schema else {
        return Vec::new();
    };
    let text = || {
        seam_core::source::decode_text(body).map_err(|e| {
            let why = format!("the body is not text: {e}");
            vec![Violation::new(kind, at.clone(), why, &media.pointer)]
        })
    };
    let json_sent = sent.is_json() || sent.essence() == "*/*";
    let value: Cow<Value> = if let (true, Some(json)) = (json_sent, json) {
        Cow::Borrowed(json)
    } else if json_sent {
        let text = match text() {
            Ok(t) => t,
            Err(refused) => return refused,
        };
        match serde_json::from_str::<Value>(text) {
            Ok(v) => Cow::Owned(v),
            Err(e) => {
                return vec![Violation::new(
                    kind,
                    at,
                    format!(
                        "the body is not valid JSON: {}",
                        params::plain_json_error(&e)
                    ),
                    &media.pointer,
                )]
            }
        }
    } else if sent.is_form() {
        let text = match text() {
            Ok(t) => t,
            Err(refused) => return refused,
        };
        Cow::Owned(form_object(spec, schema, &params::parse_query(text)))
    } else if sent.main == "multipart" {
        let Some(boundary) = sent
            .params
            .iter()
            .find(|(k, _)| k == "boundary")
            .map(|(_, v)| v.clone())
        else {
            return vec![Violation::new(
                ViolationKind::UnsupportedMediaType,
                vec![Segment::from("header"), Segment::from("Content-Type")],
                "a multipart Content-Type needs a `boundary` parameter",
                &media.pointer,
            )];
        };
        match multipart_object(spec, schema, body, &boundary) {
            Ok(v) => Cow::Owned(v),
            Err(why) => return vec![Violation::new(kind, at, why, &media.pointer)],
        }
    } else if sent.is_text() || sent.is_xml() {
        // Text is checked when its schema is a string; XML is not read.
        match (Shape::of(spec, Some(schema)), sent.is_xml(), text()) {
            (Shape::Primitive(types), false, Ok(t)) if types.iter().any(|t| t == "string") => {
                Cow::Owned(Value::String(t.to_string()))
            }
            _ => return Vec::new(),
        }
    } else {
        return Vec::new();
    };
    match check {
        Some(check) => schemas.validate_with(check, &value, &at, kind),
        None => schemas.validate_at(schema, direction, &value, &at, kind),
    }
}

/// Form fields (`a=1&b=2&b=3`) as an object, coerced by the schema's properties.
fn form_object(spec: &Spec, schema: &crate::model::SchemaRef, pairs: &[(String, String)]) -> Value {
    let shape = Shape::of(spec, Some(schema));
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in pairs {
        match grouped.iter_mut().find(|(n, _)| n == k) {
            Some((_, vs)) => vs.push(v.clone()),
            None => grouped.push((k.clone(), vec![v.clone()])),
        }
    }
    let mut map = Map::new();
    for (name, values) in grouped {
        map.insert(name.clone(), shape.property_values(&name, &values));
    }
    Value::Object(map)
}

/// A `multipart/form-data` body as an object of its parts: text parts coerced by
/// the schema, JSON parts parsed, files as their text (so `required` and simple
/// rules apply).
fn multipart_object(
    spec: &Spec,
    schema: &crate::model::SchemaRef,
    body: &[u8],
    boundary: &str,
) -> Result<Value, String> {
    let shape = Shape::of(spec, Some(schema));
    let parts = multipart_parts(body, boundary)?;
    let mut grouped: Vec<(String, Vec<String>, bool)> = Vec::new();
    for part in parts {
        let text = String::from_utf8_lossy(&part.body).into_owned();
        let json = part
            .content_type
            .as_deref()
            .is_some_and(|c| ContentType::parse(c).is_json());
        match grouped.iter_mut().find(|(n, _, _)| *n == part.name) {
            Some((_, vs, _)) => vs.push(text),
            None => grouped.push((part.name, vec![text], json)),
        }
    }
    let mut map = Map::new();
    for (name, values, json) in grouped {
        let value = if json && values.len() == 1 {
            serde_json::from_str(&values[0]).map_err(|e| {
                format!(
                    "part `{name}` is not valid JSON: {}",
                    params::plain_json_error(&e)
                )
            })?
        } else {
            shape.property_values(&name, &values)
        };
        map.insert(name, value);
    }
    Ok(Value::Object(map))
}

struct Part {
    name: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

/// The named parts of a multipart body.
fn multipart_parts(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let positions: Vec<usize> = body
        .windows(d.len())
        .enumerate()
        .filter(|(i, w)| *w == d && (*i == 0 || body[..*i].ends_with(b"\n")))
        .map(|(i, _)| i)
        .collect();
    if positions.is_empty() {
        return Err(format!(
            "the multipart body has no part delimited by `{delimiter}`"
        ));
    }
    let mut parts = Vec::new();
    for pair in positions.windows(2) {
        let mut chunk = &body[pair[0] + d.len()..pair[1]];
        chunk = chunk
            .strip_prefix(b"\r\n")
            .or_else(|| chunk.strip_prefix(b"\n"))
            .unwrap_or(chunk);
        chunk = chunk
            .strip_suffix(b"\r\n")
            .or_else(|| chunk.strip_suffix(b"\n"))
            .unwrap_or(chunk);
        let split = find(chunk, b"\r\n\r\n")
            .map(|i| (i, 4))
            .or_else(|| find(chunk, b"\n\n").map(|i| (i, 2)));
        let Some((end, skip)) = split else {
            return Err("a multipart part has no blank line after its headers".into());
        };
        let head = String::from_utf8_lossy(&chunk[..end]);
        let mut name = None;
        let mut content_type = None;
        for line in head.lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = disposition_name(v);
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_string());
            }
        }
        let Some(name) = name else {
            return Err(
                "a multipart part has no `Content-Disposition: form-data; name=...`".into(),
            );
        };
        parts.push(Part {
            name,
            content_type,
            body: chunk[end + skip..].to_vec(),
        });
    }
    Ok(parts)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `form-data; name="file"; filename="a.txt"` → `file`.
fn disposition_name(value: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("name")).then(|| v.trim().trim_matches('"').to_string())
    })
}

/// Violations of a Swagger 2.0 spec point into the 2.0 file as written
/// (`#/definitions/Pet/required`), not into the 3.x document it was read as.
fn as_written(spec: &Spec, mut found: Vec<Violation>) -> Vec<Violation> {
    if spec.version == crate::model::SpecVersion::Swagger2 {
        for v in &mut found {
            v.pointer = crate::swagger2::original_pointer(&v.pointer);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_are_named() {
        let body = b"--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--XX--\r\n";
        let parts = multipart_parts(body, "XX").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "a");
        assert_eq!(parts[0].body, b"1");
        assert_eq!(parts[1].name, "f");
        assert_eq!(parts[1].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts[1].body, b"hello");
        assert!(multipart_parts(b"nothing", "XX").is_err());
    }
}
