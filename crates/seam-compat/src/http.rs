//! One HTTP interaction checked against its operation, the way PactFlow's engine
//! does it (swagger-mock-validator's codes and skips), with seam-openapi doing
//! the work: the router finds the operation, `conform::check_request` reads and
//! validates parameters, security and the body, and the response is checked
//! against the response view of the spec ([`crate::transform`]).
//!
//! As in swagger-mock-validator, a request whose response status is 400 or more
//! is taken to be deliberately wrong: its body, parameters and credentials are
//! not checked (its path and method still are).

use crate::codes;
use crate::{matchers, Checker, Finding, SpecLocation};
use seam_core::http::{Body, ContentType, Headers};
use seam_core::interaction::{RequestSpec, ResponseSpec};
use seam_core::path::DocPath;
use seam_core::rules::Category;
use seam_openapi::conform::{self, RequestParts, Segment, ViolationKind};
use seam_openapi::model::{MediaType, Operation, ParamLocation, SecurityKind};
use seam_openapi::params;
use seam_openapi::router::Route;
use seam_openapi::schema::Direction;

/// Request headers every client may send without the spec declaring them
/// (swagger-mock-validator's list).
const STANDARD_REQUEST_HEADERS: &[&str] = &[
    "accept",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "accept-language",
    "authorization",
    "cache-control",
    "connection",
    "content-length",
    "content-md5",
    "content-type",
    "cookie",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "range",
    "referer",
    "te",
    "upgrade",
    "user-agent",
    "via",
    "warning",
];

/// Response headers that are standard HTTP: expecting one the spec does not
/// declare is a warning, not an error (swagger-mock-validator's list).
const STANDARD_RESPONSE_HEADERS: &[&str] = &[
    "access-control-allow-origin",
    "accept-patch",
    "accept-ranges",
    "age",
    "allow",
    "alt-svc",
    "cache-control",
    "connection",
    "content-disposition",
    "content-encoding",
    "content-language",
    "content-length",
    "content-location",
    "content-md5",
    "content-range",
    "date",
    "etag",
    "expires",
    "last-modified",
    "link",
    "location",
    "p3p",
    "pragma",
    "proxy-authenticate",
    "public-key-pins",
    "refresh",
    "retry-after",
    "server",
    "set-cookie",
    "status",
    "strict-transport-security",
    "trailer",
    "transfer-encoding",
    "tsv",
    "upgrade",
    "vary",
    "via",
    "warning",
    "www-authenticate",
    "x-frame-options",
];

/// Where findings of one interaction go, and what names them.
pub(crate) struct Context<'a> {
    pub interaction: &'a str,
    pub index: usize,
    /// The interaction in the pact file: `$.interactions[3]`.
    pub at: &'a str,
    pub operation: Option<String>,
    pub out: &'a mut Vec<Finding>,
}

impl Context<'_> {
    /// Adds a finding at `rel` under the interaction (`.response.body.id`).
    pub fn push(
        &mut self,
        code: &'static str,
        rel: &str,
        spec: Option<SpecLocation>,
        rule: Option<String>,
        message: impl Into<String>,
    ) {
        self.out.push(Finding {
            code,
            severity: codes::severity(code),
            interaction: self.interaction.to_string(),
            index: self.index,
            pact_location: format!("{}{rel}", self.at),
            operation: self.operation.clone(),
            spec_location: spec,
            rule,
            message: message.into(),
        });
    }
}

/// `.request` + `["body","items",0]` → `.request.body.items[0]` (header
/// locations under `headers`, as pact files write them).
pub(crate) fn pact_path(prefix: &str, location: &[Segment]) -> String {
    let mut path = DocPath::root();
    for (i, seg) in location.iter().enumerate() {
        path = match seg {
            Segment::Key(k) if i == 0 && k == "header" => path.field("headers"),
            Segment::Key(k) => path.field(k),
            Segment::Index(n) => path.index(*n),
        };
    }
    format!("{prefix}{}", &path.to_string()[1..])
}

fn flat_headers(headers: &Headers) -> Vec<(String, String)> {
    headers
        .iter()
        .flat_map(|(k, vs)| vs.iter().map(move |v| (k.to_string(), v.clone())))
        .collect()
}

/// Does the range of an `Accept` header admit a declared media type?
fn accept_admits(range: &str, declared: &str) -> bool {
    let r = ContentType::parse(range);
    let d = ContentType::parse(declared);
    r.main == "*"
        || d.main == "*"
        || (r.main == d.main
            && (r.sub == "*"
                || d.sub == "*"
                || r.sub == d.sub
                || r.sub.rsplit_once('+').is_some_and(|(_, s)| s == d.sub)))
}

impl Checker<'_> {
    pub(crate) fn check_http(
        &self,
        ctx: &mut Context<'_>,
        request: &RequestSpec,
        response: &ResponseSpec,
    ) {
        let req = &request.request;
        let method = req.method.to_ascii_uppercase();
        let (op, path_params) = match self.router.find(&method, &req.path) {
            Route::Found {
                operation,
                path_params,
                ..
            } => (operation, path_params),
            _ => {
                ctx.push(
                    codes::PATH_OR_METHOD_UNKNOWN,
                    ".request.path",
                    Some(self.locate("#/paths")),
                    None,
                    format!(
                        "path or method not defined in the spec: {method} {}",
                        req.path
                    ),
                );
                return;
            }
        };
        ctx.operation = Some(op.label());
        let deliberately_bad = response.response.status >= 400;
        self.check_request_content_type(ctx, op, req.headers.get("content-type"), &req.body);
        self.check_accept(ctx, op, req.headers.get("accept"));
        self.check_request(ctx, op, request, &path_params, deliberately_bad);
        self.check_response(ctx, op, request, response);
    }

    fn check_request_content_type(
        &self,
        ctx: &mut Context<'_>,
        op: &Operation,
        content_type: Option<&str>,
        body: &Body,
    ) {
        let consumes: &[MediaType] = op
            .request_body
            .as_ref()
            .map(|b| b.content.as_slice())
            .unwrap_or_default();
        let at = ".request.headers.Content-Type";
        match content_type {
            Some(ct) if consumes.is_empty() => ctx.push(
                codes::REQUEST_CONTENT_TYPE_UNKNOWN,
                at,
                Some(self.locate(&op.pointer)),
                None,
                format!(
                    "the request sends Content-Type `{ct}` but {} declares no request body",
                    op.label()
                ),
            ),
            Some(ct) if conform::match_media_type(consumes, ct).is_none() => ctx.push(
                codes::REQUEST_CONTENT_TYPE_INCOMPATIBLE,
                at,
                op.request_body
                    .as_ref()
                    .map(|b| self.locate(&format!("{}/content", b.pointer))),
                None,
                format!(
                    "Content-Type `{ct}` is not one {} accepts ({})",
                    op.label(),
                    list(consumes)
                ),
            ),
            Some(_) => {}
            None if !consumes.is_empty() && body.is_present() && body != &Body::Empty => ctx.push(
                codes::REQUEST_CONTENT_TYPE_MISSING,
                ".request.headers",
                op.request_body
                    .as_ref()
                    .map(|b| self.locate(&format!("{}/content", b.pointer))),
                None,
                format!(
                    "the request has a body but no Content-Type; {} accepts {}",
                    op.label(),
                    list(consumes)
                ),
            ),
            None => {}
        }
    }

    /// Media types any of the operation's responses declare.
    fn produces(op: &Operation) -> Vec<&MediaType> {
        op.responses.iter().flat_map(|r| r.content.iter()).collect()
    }

    fn check_accept(&self, ctx: &mut Context<'_>, op: &Operation, accept: Option<&str>) {
        let Some(accept) = accept else { return };
        let produces = Self::produces(op);
        let at = ".request.headers.Accept";
        if produces.is_empty() {
            ctx.push(
                codes::ACCEPT_UNKNOWN,
                at,
                Some(self.locate(&op.pointer)),
                None,
                format!("the request sends Accept `{accept}` but no response of {} declares a media type", op.label()),
            );
        } else if !accept
            .split(',')
            .any(|range| produces.iter().any(|m| accept_admits(range, &m.media_type)))
        {
            let names: Vec<String> = produces
                .iter()
                .map(|m| format!("`{}`", m.media_type))
                .collect();
            ctx.push(
                codes::ACCEPT_INCOMPATIBLE,
                at,
                Some(self.locate(&format!("{}/responses", op.pointer))),
                None,
                format!(
                    "Accept `{accept}` admits none of the media types {} produces ({})",
                    op.label(),
                    names.join(", ")
                ),
            );
        }
    }

    fn check_request(
        &self,
        ctx: &mut Context<'_>,
        op: &Operation,
        request: &RequestSpec,
        path_params: &[(String, String)],
        deliberately_bad: bool,
    ) {
        let req = &request.request;
        let mut headers = flat_headers(&req.headers);
        // a pact's JSON body without a Content-Type is JSON (already reported as missing)
        if matches!(req.body, Body::Json(_)) && req.headers.get("content-type").is_none() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        let query = req.query.to_query_string();
        let body = req.body.to_bytes();
        let parts = RequestParts {
            method: &req.method,
            path_params,
            query: (!query.is_empty()).then_some(query.as_str()),
            headers: &headers,
            body: &body,
            json: None,
        };
        for v in conform::check_request(self.spec, &self.request_schemas, op, &parts) {
            let first = v
                .location
                .first()
                .map(ToString::to_string)
                .unwrap_or_default();
            let code = match (v.kind, first.as_str()) {
                (ViolationKind::Parameter, "path") => codes::PATH_OR_METHOD_UNKNOWN,
                _ if deliberately_bad => continue,
                (ViolationKind::Parameter, "query") => codes::REQUEST_QUERY_INCOMPATIBLE,
                (ViolationKind::Parameter, "header") => codes::REQUEST_HEADER_INCOMPATIBLE,
                (ViolationKind::Parameter, _) => codes::REQUEST_COOKIE_INCOMPATIBLE,
                (ViolationKind::Security, _) => codes::AUTHORIZATION_MISSING,
                (ViolationKind::Body, _) => codes::REQUEST_BODY_INCOMPATIBLE,
                // the Content-Type was checked above, as swagger-mock-validator does
                _ => continue,
            };
            let rel = if v.location.is_empty() {
                ".request".to_string()
            } else {
                pact_path(".request", &v.location)
            };
            ctx.push(
                code,
                &rel,
                Some(self.locate(&v.pointer)),
                None,
                v.to_string(),
            );
        }
        if deliberately_bad {
            return;
        }
        self.check_unknown_parameters(ctx, op, request);
        if !req.body.is_present() || req.body == Body::Empty {
            return;
        }
        let ct = req
            .headers
            .get("content-type")
            .unwrap_or("application/json");
        let Some(body) = &op.request_body else {
            ctx.push(
                codes::REQUEST_BODY_UNKNOWN,
                ".request.body",
                Some(self.locate(&op.pointer)),
                None,
                format!(
                    "the request has a body but {} declares no request body",
                    op.label()
                ),
            );
            return;
        };
        let declares_json = body
            .content
            .iter()
            .any(|m| ContentType::parse(&m.media_type).is_json());
        let Some(media) = conform::match_media_type(&body.content, ct) else {
            if declares_json {
                ctx.push(
                    codes::REQUEST_BODY_UNKNOWN,
                    ".request.body",
                    Some(self.locate(&format!("{}/content", body.pointer))),
                    None,
                    format!(
                        "no schema for a `{ct}` request body in {} ({})",
                        op.label(),
                        list(&body.content)
                    ),
                );
            }
            return;
        };
        let (Some(schema), Body::Json(value)) = (&media.schema, &req.body) else {
            return;
        };
        if let Some(rules) = request.rules.category(Category::Body) {
            matchers::check_body(
                self,
                ctx,
                Direction::Request,
                value,
                rules,
                schema,
                ".request.body",
            );
        }
    }

    fn check_unknown_parameters(
        &self,
        ctx: &mut Context<'_>,
        op: &Operation,
        request: &RequestSpec,
    ) {
        let req = &request.request;
        let declared = |location: ParamLocation, name: &str| {
            op.parameters.iter().any(|p| {
                p.location == location
                    && if location == ParamLocation::Header {
                        p.name.eq_ignore_ascii_case(name)
                    } else {
                        p.name == name
                    }
            })
        };
        let security_key = |location: ParamLocation, name: &str| {
            op.security
                .iter()
                .flat_map(|r| r.schemes.iter())
                .any(|(scheme, _)| {
                    matches!(
                        self.spec.security_scheme(scheme).map(|s| &s.kind),
                        Some(SecurityKind::ApiKey { name: key, location: l })
                            if *l == location && key.eq_ignore_ascii_case(name)
                    )
                })
        };
        for (name, _) in req.query.iter() {
            if !declared(ParamLocation::Query, name) && !security_key(ParamLocation::Query, name) {
                ctx.push(
                    codes::REQUEST_QUERY_UNKNOWN,
                    &pact_path(".request", &[Segment::from("query"), Segment::from(name)]),
                    Some(self.locate(&op.pointer)),
                    None,
                    format!("query parameter `{name}` is not defined for {}", op.label()),
                );
            }
        }
        for (name, _) in req.headers.iter() {
            let lower = name.to_ascii_lowercase();
            if !STANDARD_REQUEST_HEADERS.contains(&lower.as_str())
                && !declared(ParamLocation::Header, name)
                && !security_key(ParamLocation::Header, name)
            {
                ctx.push(
                    codes::REQUEST_HEADER_UNKNOWN,
                    &pact_path(".request", &[Segment::from("header"), Segment::from(name)]),
                    Some(self.locate(&op.pointer)),
                    None,
                    format!("request header `{name}` is not defined for {}", op.label()),
                );
            }
        }
    }

    fn check_response(
        &self,
        ctx: &mut Context<'_>,
        op: &Operation,
        request: &RequestSpec,
        response: &ResponseSpec,
    ) {
        let res = &response.response;
        let Some(declared) = op.response_for(res.status) else {
            ctx.push(
                codes::RESPONSE_STATUS_UNKNOWN,
                ".response.status",
                Some(self.locate(&format!("{}/responses", op.pointer))),
                None,
                format!("status {} is not declared for {}", res.status, op.label()),
            );
            return;
        };
        if declared.status == seam_openapi::model::StatusKey::Default {
            ctx.push(
                codes::RESPONSE_STATUS_DEFAULT,
                ".response.status",
                Some(self.locate(&declared.pointer)),
                None,
                format!(
                    "status {} is only covered by the `default` response of {}",
                    res.status,
                    op.label()
                ),
            );
        }
        // Content-Type
        let content_type = res.headers.get("content-type");
        if let Some(ct) = content_type {
            let at = ".response.headers.Content-Type";
            if declared.content.is_empty() {
                if op.method != "HEAD" {
                    ctx.push(
                        codes::RESPONSE_CONTENT_TYPE_UNKNOWN,
                        at,
                        Some(self.locate(&declared.pointer)),
                        None,
                        format!("the response sends Content-Type `{ct}` but {} of {} declares no content", declared.status, op.label()),
                    );
                }
            } else if conform::match_media_type(&declared.content, ct).is_none() {
                ctx.push(
                    codes::RESPONSE_CONTENT_TYPE_INCOMPATIBLE,
                    at,
                    Some(self.locate(&format!("{}/content", declared.pointer))),
                    None,
                    format!(
                        "Content-Type `{ct}` is not declared for {} of {} ({})",
                        declared.status,
                        op.label(),
                        list(&declared.content)
                    ),
                );
            }
        }
        // headers the consumer expects
        for (name, values) in res.headers.iter() {
            if name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let rel = pact_path(".response", &[Segment::from("header"), Segment::from(name)]);
            match declared
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
            {
                None => {
                    let standard =
                        STANDARD_RESPONSE_HEADERS.contains(&name.to_ascii_lowercase().as_str());
                    ctx.push(
                        if standard {
                            codes::RESPONSE_HEADER_UNDEFINED
                        } else {
                            codes::RESPONSE_HEADER_UNKNOWN
                        },
                        &rel,
                        Some(self.locate(&declared.pointer)),
                        None,
                        format!(
                            "response header `{name}` is not defined for {} of {}",
                            declared.status,
                            op.label()
                        ),
                    );
                }
                Some(header) => {
                    let Some(schema) = &header.schema else {
                        continue;
                    };
                    let value =
                        params::read_header(&self.response_spec, Some(schema), &values.join(","));
                    for v in self.response_schemas.validate_at(
                        schema,
                        Direction::Response,
                        &value,
                        &[Segment::from("header"), Segment::from(name)],
                        ViolationKind::ResponseHeader,
                    ) {
                        ctx.push(
                            codes::RESPONSE_HEADER_INCOMPATIBLE,
                            &rel,
                            Some(self.locate(&v.pointer)),
                            None,
                            v.to_string(),
                        );
                    }
                }
            }
        }
        // the body
        let value = match &res.body {
            Body::Json(v) => v,
            Body::Absent | Body::Empty => return,
            _ => return, // not JSON: swagger-mock-validator checks JSON bodies only
        };
        if declared.content.is_empty() {
            ctx.push(
                codes::RESPONSE_BODY_UNKNOWN,
                ".response.body",
                Some(self.locate(&declared.pointer)),
                None,
                format!(
                    "the response has a body but {} of {} declares no content",
                    declared.status,
                    op.label()
                ),
            );
            return;
        }
        if !declared.content.iter().any(|m| {
            let t = ContentType::parse(&m.media_type);
            t.is_json() || t.main == "*" || t.sub == "*"
        }) {
            return; // no JSON declared: not checked, as swagger-mock-validator does
        }
        let accept = request.request.headers.get("accept");
        let candidates: Vec<&str> = match (content_type, accept) {
            (Some(ct), _) => vec![ct],
            (None, Some(a)) => a.split(',').collect(),
            (None, None) => vec!["application/json"],
        };
        let media = candidates
            .iter()
            .find_map(|ct| conform::match_media_type(&declared.content, ct));
        let Some(schema) = media.and_then(|m| m.schema.as_ref()) else {
            if media.is_none() {
                ctx.push(
                    codes::RESPONSE_BODY_UNKNOWN,
                    ".response.body",
                    Some(self.locate(&format!("{}/content", declared.pointer))),
                    None,
                    format!(
                        "no schema for the response body's media type in {} of {} ({})",
                        declared.status,
                        op.label(),
                        list(&declared.content)
                    ),
                );
            }
            return;
        };
        for v in self.response_schemas.validate_at(
            schema,
            Direction::Response,
            value,
            &[Segment::from("body")],
            ViolationKind::ResponseBody,
        ) {
            ctx.push(
                codes::RESPONSE_BODY_INCOMPATIBLE,
                &pact_path(".response", &v.location),
                Some(self.locate(&v.pointer)),
                None,
                v.to_string(),
            );
        }
        if let Some(rules) = response.rules.category(Category::Body) {
            matchers::check_body(
                self,
                ctx,
                Direction::Response,
                value,
                rules,
                schema,
                ".response.body",
            );
        }
    }
}

/// `` `application/json` `` or `` `a`, `b` ``.
fn list(content: &[MediaType]) -> String {
    content
        .iter()
        .map(|m| format!("`{}`", m.media_type))
        .collect::<Vec<_>>()
        .join(", ")
}
