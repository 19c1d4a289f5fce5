//! A templated stub's answer, compiled when the stub loads: its header values,
//! inline body, `bodyFileName` and `proxyBaseUrl` as [`CompiledTemplate`]s
//! ([`ResponseTemplates`]), kept in the stub ([`CompiledResponse`]) and
//! rendered per request. A syntax error is a [`TemplateFieldError`] naming the
//! field, which each loader places in its file (or the admin API answers with
//! 422).
//!
//! A `bodyFileName` file is read on every request (the file may change, and a
//! templated name picks another one), so its content is compiled there, as it
//! is read, unless `transformerParameters.disableBodyFileTemplating` is set.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use seam_core::http::Headers;
use seam_core::source::SourceError;

use super::{describe, CompiledTemplate, TemplateRequest, Templates};
use crate::request::RequestParts;
use crate::respond;
use crate::stub::{ResponseBody, ResponseDef, Stub};

/// The part of a response a template belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateField {
    /// The body (`body`, `jsonBody` or `base64Body`).
    Body,
    /// A header's value (the `index`th value given for `name`).
    Header { name: String, index: usize },
    /// The name of the body file (`bodyFileName`).
    BodyFile,
    /// The proxy target (`proxyBaseUrl`).
    ProxyUrl,
}

impl fmt::Display for TemplateField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateField::Body => f.write_str("the body"),
            TemplateField::Header { name, .. } => write!(f, "header `{name}`"),
            TemplateField::BodyFile => f.write_str("the body file name"),
            TemplateField::ProxyUrl => f.write_str("the proxy base URL"),
        }
    }
}

/// A template in a stub's answer that does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateFieldError {
    /// Which template.
    pub field: TemplateField,
    /// What is wrong, at its line and column in the template's text.
    pub error: SourceError,
}

impl fmt::Display for TemplateFieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template in {}: {}", self.field, describe(&self.error))
    }
}

impl std::error::Error for TemplateFieldError {}

/// What a templated answer renders per request.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseTemplates {
    /// Each header's values, in the stub's order.
    headers: Vec<(String, Vec<CompiledTemplate>)>,
    body: BodyTemplate,
    /// The `proxyBaseUrl`, compiled.
    proxy: Option<CompiledTemplate>,
    /// Whether the headers and the body render without Handlebars and
    /// without a body file: [`render_direct`](Self::render_direct) takes them.
    direct: bool,
    /// Whether no header value is templated: the headers are the stub's own.
    fixed_headers: bool,
    /// The answer's headers when they are fixed, with the answering stub's
    /// `Matched-Stub-Id`, made on first use.
    header_map: OnceLock<(uuid::Uuid, hyper::HeaderMap)>,
}

#[derive(Debug, Clone, PartialEq)]
enum BodyTemplate {
    /// An inline body, compiled.
    Inline(CompiledTemplate),
    /// A `jsonBody`, compiled from its JSON text: what it renders must still
    /// be JSON (WireMock reads it back, and answers 500 when it is not).
    Json(CompiledTemplate),
    /// A `bodyFileName` body: its name compiled once; the file read per
    /// request and, when `content` says so, compiled as it is read.
    File {
        name: CompiledTemplate,
        content: bool,
    },
    /// No body, an empty one or bytes that are not text: sent as they are.
    Verbatim,
}

/// Why a templated answer could not be made.
#[derive(Debug, Clone, PartialEq)]
pub enum RenderFailure {
    /// A template failed (one line saying what failed).
    Template(String),
    /// The body file could not be read.
    Body(String),
}

impl ResponseTemplates {
    /// Compiles the header values and the inline body of `def`.
    pub fn compile(def: &ResponseDef) -> Result<Self, TemplateFieldError> {
        let mut headers = Vec::new();
        for (name, values) in def.headers.iter() {
            let compiled = values
                .iter()
                .enumerate()
                .map(|(index, v)| {
                    CompiledTemplate::compile(v).map_err(|error| TemplateFieldError {
                        field: TemplateField::Header {
                            name: name.to_string(),
                            index,
                        },
                        error,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            headers.push((name.to_string(), compiled));
        }
        let body = match &def.body {
            ResponseBody::File(name) => BodyTemplate::File {
                name: CompiledTemplate::compile(&name.to_string_lossy()).map_err(|error| {
                    TemplateFieldError {
                        field: TemplateField::BodyFile,
                        error,
                    }
                })?,
                content: !disables_body_file_templating(def),
            },
            ResponseBody::None => BodyTemplate::Verbatim,
            _ => {
                let bytes = respond::body_bytes(def, None).unwrap_or_default();
                match std::str::from_utf8(&bytes) {
                    Ok(text) if !text.is_empty() => {
                        let compiled = CompiledTemplate::compile(text).map_err(|error| {
                            TemplateFieldError {
                                field: TemplateField::Body,
                                error,
                            }
                        })?;
                        match def.body {
                            ResponseBody::Json(_) => BodyTemplate::Json(compiled),
                            _ => BodyTemplate::Inline(compiled),
                        }
                    }
                    _ => BodyTemplate::Verbatim,
                }
            }
        };
        let proxy = match &def.proxy_base_url {
            Some(url) if url.contains("{{") => Some(CompiledTemplate::compile(url).map_err(
                |error| TemplateFieldError {
                    field: TemplateField::ProxyUrl,
                    error,
                },
            )?),
            _ => None,
        };
        let direct = headers
            .iter()
            .all(|(_, values)| values.iter().all(CompiledTemplate::is_direct))
            && match &body {
                BodyTemplate::Inline(t) | BodyTemplate::Json(t) => t.is_direct(),
                BodyTemplate::Verbatim => true,
                BodyTemplate::File { .. } => false,
            };
        let fixed_headers = headers
            .iter()
            .all(|(_, values)| values.iter().all(CompiledTemplate::is_text));
        Ok(ResponseTemplates {
            headers,
            body,
            proxy,
            direct,
            fixed_headers,
            header_map: OnceLock::new(),
        })
    }

    /// The rendered headers and body for `req`; a `bodyFileName` is looked
    /// up in `files_dir`.
    pub fn render(
        &self,
        engine: &Templates,
        def: &ResponseDef,
        files_dir: Option<&Path>,
        req: TemplateRequest<'_>,
    ) -> Result<(Headers, Bytes), RenderFailure> {
        let scope = engine.scope(req);
        let render = |t: &CompiledTemplate| {
            scope
                .render(t)
                .map_err(|e| RenderFailure::Template(describe(&e)))
        };
        let mut headers = Headers::new();
        for (name, values) in &self.headers {
            for v in values {
                headers.append(name.as_str(), render(v)?);
            }
        }
        let body = match &self.body {
            BodyTemplate::Inline(t) => Bytes::from(render(t)?),
            BodyTemplate::Json(t) => json_body(render(t)?)?,
            BodyTemplate::File { name, content } => {
                let file = ResponseDef {
                    body: ResponseBody::File(render(name)?.into()),
                    ..Default::default()
                };
                let bytes = respond::body_bytes(&file, files_dir).map_err(RenderFailure::Body)?;
                match std::str::from_utf8(&bytes) {
                    Ok(text) if *content && text.contains("{{") => {
                        let template = CompiledTemplate::compile(text)
                            .map_err(|e| RenderFailure::Template(describe(&e)))?;
                        Bytes::from(render(&template)?)
                    }
                    _ => bytes,
                }
            }
            BodyTemplate::Verbatim => {
                respond::body_bytes(def, None).map_err(RenderFailure::Body)?
            }
        };
        Ok((headers, body))
    }

    /// The headers and body rendered from `req` read in place (nothing
    /// copied, no request model), when every template of the answer is text
    /// or plain lookups ([`direct`](super::direct)) and the body is no file;
    /// `None` otherwise: [`render`](Self::render) renders it. What it
    /// renders is what `render` renders.
    pub fn render_direct<R: RequestParts>(
        &self,
        engine: &Templates,
        def: &ResponseDef,
        req: &R,
        path_params: &[(String, String)],
    ) -> Option<Result<(Headers, Bytes), RenderFailure>> {
        if !self.direct {
            return None;
        }
        let mut headers = Headers::new();
        for (name, values) in &self.headers {
            for v in values {
                headers.append(
                    name.as_str(),
                    v.render_direct(req, path_params, engine.html_escape)?,
                );
            }
        }
        Some(
            self.render_direct_body(engine, def, req, path_params)?
                .map(|body| (headers, body)),
        )
    }

    /// The whole answer of `stub` (whose response this was compiled from)
    /// rendered from `req` read in place, when its headers are fixed (kept
    /// as hyper's map, built once) and its body renders directly; `None`
    /// otherwise.
    pub fn answer_direct<R: RequestParts>(
        &self,
        engine: &Templates,
        stub: &Stub,
        req: &R,
        path_params: &[(String, String)],
    ) -> Option<Result<hyper::Response<seam_http::Body>, RenderFailure>> {
        if !(self.direct && self.fixed_headers) {
            return None;
        }
        let def = &stub.response;
        let body = match self.render_direct_body(engine, def, req, path_params)? {
            Ok(body) => body,
            Err(e) => return Some(Err(e)),
        };
        Some(Ok(
            match respond::stub_headers(&self.header_map, stub, &def.headers) {
                Ok(headers) => respond::assemble(def, def.status, headers, body),
                Err(e) => respond::invalid_response(&e),
            },
        ))
    }

    /// The body rendered from `req` read in place, when it renders directly.
    fn render_direct_body<R: RequestParts>(
        &self,
        engine: &Templates,
        def: &ResponseDef,
        req: &R,
        path_params: &[(String, String)],
    ) -> Option<Result<Bytes, RenderFailure>> {
        let render = |t: &CompiledTemplate| t.render_direct(req, path_params, engine.html_escape);
        Some(match &self.body {
            BodyTemplate::Inline(t) => Ok(Bytes::from(render(t)?)),
            BodyTemplate::Json(t) => json_body(render(t)?),
            BodyTemplate::Verbatim => respond::body_bytes(def, None).map_err(RenderFailure::Body),
            BodyTemplate::File { .. } => return None,
        })
    }

    /// The `proxyBaseUrl` rendered for `req` (as written when it holds no
    /// template). An error is one line saying what failed.
    pub fn render_proxy_url(
        &self,
        engine: &Templates,
        req: TemplateRequest<'_>,
    ) -> Result<String, String> {
        match &self.proxy {
            Some(t) => engine.render(t, req).map_err(|e| describe(&e)),
            None => Err("the stub has no proxy base URL template".into()),
        }
    }
}

/// A rendered `jsonBody`: it must still be JSON (WireMock reads it back).
fn json_body(text: String) -> Result<Bytes, RenderFailure> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
        return Err(RenderFailure::Template(format!(
            "the rendered jsonBody is not JSON ({e}): {}",
            seam_core::regexp::excerpt(&text, 200)
        )));
    }
    Ok(Bytes::from(text))
}

/// `transformerParameters.disableBodyFileTemplating`: the body file is sent
/// as it is, even when the answer is templated.
fn disables_body_file_templating(def: &ResponseDef) -> bool {
    def.extras
        .as_ref()
        .and_then(|e| e.transformer_parameters.as_ref())
        .and_then(|p| p.get("disableBodyFileTemplating"))
        .is_some_and(|v| v == true || v == "true")
}

/// A stub's compiled templates, filled once: by the loader when the stub loads
/// ([`ResponseDef::compile_templates`]), or on first use for a stub built in
/// code. It is derived from the definition, so it takes no part in equality.
/// Both sides are pointers, so a stub pays three words for it (24 bytes).
#[derive(Clone, Default)]
pub struct CompiledResponse(OnceLock<Result<Arc<ResponseTemplates>, Box<TemplateFieldError>>>);

impl CompiledResponse {
    /// The templates of `def` (which this belongs to), compiled on first call.
    pub fn of<'a>(
        &'a self,
        def: &ResponseDef,
    ) -> Result<&'a ResponseTemplates, &'a TemplateFieldError> {
        self.0
            .get_or_init(|| {
                ResponseTemplates::compile(def)
                    .map(Arc::new)
                    .map_err(Box::new)
            })
            .as_ref()
            .map(|t| &**t)
            .map_err(|e| &**e)
    }
}

impl PartialEq for CompiledResponse {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl fmt::Debug for CompiledResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.0.get() {
            None => "not compiled",
            Some(Ok(_)) => "compiled",
            Some(Err(_)) => "invalid",
        };
        f.write_str(state)
    }
}

impl ResponseDef {
    /// Compiles this answer's templates, when it is templated, so a template
    /// that does not compile fails the stub's loading rather than its first
    /// request. Call it once the definition is complete.
    pub fn compile_templates(&self) -> Result<(), TemplateFieldError> {
        if !self.templated {
            return Ok(());
        }
        self.templates.of(self).map(drop).map_err(Clone::clone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::test_support::{path_params, request};

    fn templated(headers: &[(&str, &str)], body: &str) -> ResponseDef {
        let mut h = Headers::new();
        for (k, v) in headers {
            h.append(*k, *v);
        }
        ResponseDef {
            headers: h,
            body: ResponseBody::Text(body.into()),
            templated: true,
            ..Default::default()
        }
    }

    #[test]
    fn headers_and_body_render_from_one_model_without_sharing_variables() {
        let def = templated(
            &[
                ("X-Var", "{{#assign 'v'}}set{{/assign}}{{v}}"),
                ("X-Path", "{{request.path}}"),
            ],
            "[{{v}}] {{request.method}}",
        );
        let templates = ResponseTemplates::compile(&def).unwrap();
        let (req, params) = (request(), path_params());
        let (headers, body) = templates
            .render(
                &Templates::new(),
                &def,
                None,
                TemplateRequest::new(&req, &params),
            )
            .unwrap();
        assert_eq!(headers.get("x-var"), Some("set"));
        assert_eq!(headers.get("x-path"), Some("/things/42/parts"));
        assert_eq!(&body[..], b"[] POST");
    }

    #[test]
    fn a_json_body_must_render_json() {
        let (req, params) = (request(), path_params());
        let json = |body: serde_json::Value| ResponseDef {
            body: ResponseBody::Json(body),
            templated: true,
            ..Default::default()
        };
        let render = |def: &ResponseDef| {
            ResponseTemplates::compile(def).unwrap().render(
                &Templates::new(),
                def,
                None,
                TemplateRequest::new(&req, &params),
            )
        };
        let ok = json(serde_json::json!({"m": "{{request.method}}"}));
        assert_eq!(&render(&ok).unwrap().1[..], br#"{"m":"POST"}"#);
        // a value with a line break cannot sit in a JSON string: WireMock answers 500
        let broken = json(serde_json::json!({"o": "{{jsonPath request.body '$.outer'}}"}));
        match render(&broken) {
            Err(RenderFailure::Template(e)) => assert!(e.contains("not JSON"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_stub_pays_three_words_for_its_templates() {
        assert_eq!(std::mem::size_of::<CompiledResponse>(), 24);
    }

    #[test]
    fn a_template_that_does_not_compile_names_its_field() {
        let def = templated(&[("X-A", "ok"), ("X-A", "{{#if}}")], "fine");
        let e = def.compile_templates().unwrap_err();
        assert_eq!(
            e.field,
            TemplateField::Header {
                name: "X-A".into(),
                index: 1
            }
        );
        let e = templated(&[], "{{request.url")
            .compile_templates()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "template in the body: invalid template syntax (line 1, column 14)"
        );
        // the error stays with the stub: the server answers it without compiling again
        assert!(def.templates.of(&def).is_err());
        let plain = ResponseDef {
            templated: false,
            ..templated(&[], "{{not compiled")
        };
        assert!(plain.compile_templates().is_ok());
    }
}
