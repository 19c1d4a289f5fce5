//! WireMock-compatible response templating: WireMock's `response-template`
//! transformer rebuilt on `handlebars` (handlebars-rust), so stubs written for
//! WireMock render the same here.
//!
//! This module owns:
//!
//! - the request model templates see ([`TemplateRequest`] → `request.id`, `request.url`,
//!   `request.path` (the path as text, `request.path.[n]` for segments,
//!   `request.path.<name>` for `urlPathTemplate` parameters), `request.pathSegments`,
//!   `request.query.<name>` (first value; `.[n]`, `.first`, `.last`, `.[-n]` for
//!   others), `request.method`, `request.baseUrl`, `request.scheme`, `request.host`,
//!   `request.port`, `request.headers.<name>` (names ignore case),
//!   `request.cookies.<name>`, `request.body`, `request.bodyAsBase64`; the stub's
//!   `transformerParameters` as `parameters`);
//! - WireMock's helpers (`jsonPath`, `xPath`, `soapXPath`, `now`, `date`, `parseDate`,
//!   `truncateDate`, `randomValue`, `randomInt`, `randomDecimal`, `pickRandom`,
//!   `math`, `range`, `array`, `size`, `join`, `trim`, `base64`, `urlEncode`,
//!   `formData`, `regexExtract`, `contains`, `matches`, `parseJson`, `toJson`,
//!   `formatJson`, `formatXml`, `jsonArrayAdd`, `jsonMerge`, `jsonRemove`,
//!   `numberFormat`, `arrayAdd`, `arrayRemove`, `arrayJoin`, `systemValue`, `val`,
//!   `hostname`), the Handlebars.java string, number,
//!   conditional and `assign` helpers WireMock registers (`upper`, `lower`,
//!   `capitalize`, `substring`, `replace`, `eq`, `neq`, `gt`, `and`, `isOdd`, ...),
//!   and `split` (a seam addition);
//! - compiling a stub's templates when the stub loads ([`CompiledTemplate`],
//!   [`ResponseTemplates`], kept in the stub as a [`CompiledResponse`]) and
//!   rendering them from the request as received ([`Templates`]).
//!
//! Where things are: `direct` renders templates that are only text and plain
//! `request.*` lookups without Handlebars (recognised when they compile),
//! `model` builds the request model, `java_ws` applies
//! Handlebars.java's whitespace rules (no standalone lines, inward `~` only),
//! `rewrite` adapts compiled templates to the model, `java_text` renders
//! values as Java does, and
//! `helpers` holds the helper plumbing and one module per helper family;
//! `response` holds what a stub keeps.
//!
//! How it maps WireMock's Java model onto JSON: multi-valued parts (query,
//! headers, cookies) are JSON arrays that render as their first value, as
//! WireMock's `ListOrSingle` does; `request.path` is the segment array that
//! renders as the path text. Both are achieved by rewriting each compiled
//! template once: bare `{{value}}` expressions go through an internal render
//! helper, header names are spelled as WireMock shows them, and `first`/`last`/negative indexes and
//! path-parameter names are turned into plain lookups. Helper failures that WireMock
//! renders inline (`[ERROR: ...]`) render inline here too; syntax errors, unknown
//! helpers and failures WireMock raises become a
//! [`SourceError`] placed at its line and column in the template.
//!
//! As in WireMock 3, output is not HTML-escaped by default
//! ([`Templates::with_escaping`] turns Handlebars escaping on).

mod direct;
mod helpers;
mod java_text;
mod java_ws;
mod model;
mod response;
mod rewrite;
#[cfg(test)]
mod test_support;

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::OnceLock;

use handlebars::template::Template;
use handlebars::{
    Context, Handlebars, RenderContext, RenderError, Renderable, StringOutput, TemplateErrorReason,
};
use seam_core::source::{Location, SourceError};

use helpers::{WireMockHelper, HELPERS};
pub use model::TemplateRequest;
use model::{build_model, ModelNeeds};
pub use response::{
    CompiledResponse, RenderFailure, ResponseTemplates, TemplateField, TemplateFieldError,
};
use rewrite::{rewrite_template, BUILTIN_HELPERS};

/// What a template error names as its file: the position is inside the
/// template's own text (a loader places the template in its file).
const TEMPLATE: &str = "template";

/// A template problem at `line`/`column` of the template's text.
fn template_error(
    message: impl Into<String>,
    line: Option<usize>,
    column: Option<usize>,
) -> SourceError {
    let at = match (line, column) {
        (Some(line), Some(column)) => Some(Location::at(line, column)),
        (Some(line), None) => Some(Location::at(line, 1)),
        _ => None,
    };
    SourceError::new(TEMPLATE, at, message)
}

/// A template error as the mock prints it after what it belongs to:
/// `message (line 2, column 5)`.
pub fn describe(e: &SourceError) -> String {
    match e.line_column() {
        (Some(l), Some(c)) => format!("{} (line {l}, column {c})", e.message),
        _ => e.message.clone(),
    }
}

/// A template compiled once, when its stub loads; text without `{{` stays text.
#[derive(Debug, Clone, PartialEq)]
pub struct CompiledTemplate(Compiled);

#[derive(Debug, Clone, PartialEq)]
enum Compiled {
    Text(String),
    /// Text and plain `request.*` lookups, rendered without Handlebars.
    Direct(direct::Direct),
    /// The template, and the parts of the request model it can reach.
    Template(Box<Template>, ModelNeeds),
}

impl CompiledTemplate {
    /// Whether this renders without Handlebars (text, or the direct
    /// evaluator's text and plain lookups).
    fn is_direct(&self) -> bool {
        !matches!(self.0, Compiled::Template(..))
    }

    /// Whether this is text without `{{`.
    fn is_text(&self) -> bool {
        matches!(self.0, Compiled::Text(_))
    }

    /// Renders a template [`is_direct`](Self::is_direct) says is direct from
    /// `req` read in place; `None` for one that needs Handlebars.
    fn render_direct<R: crate::request::RequestParts>(
        &self,
        req: &R,
        path_params: &[(String, String)],
        html_escape: bool,
    ) -> Option<String> {
        match &self.0 {
            Compiled::Text(text) => Some(text.clone()),
            Compiled::Direct(direct) => Some(direct.render_from(req, path_params, html_escape)),
            Compiled::Template(..) => None,
        }
    }

    /// Compiles `source` and adapts it to WireMock's model (see `rewrite`).
    /// A syntax error carries its line and column in the template.
    pub fn compile(source: &str) -> Result<Self, SourceError> {
        if !source.contains("{{") {
            return Ok(CompiledTemplate(Compiled::Text(source.to_string())));
        }
        if let Some(direct) = direct::plan(source) {
            return Ok(CompiledTemplate(Compiled::Direct(direct)));
        }
        Self::compile_handlebars(source)
    }

    /// Compiles `source` for Handlebars, whatever it holds (what
    /// [`compile`](Self::compile) does for a template the direct evaluator
    /// does not take).
    fn compile_handlebars(source: &str) -> Result<Self, SourceError> {
        if nesting_depth(source) > MAX_NESTING {
            return Err(template_error(
                format!("template nested deeper than {MAX_NESTING} levels"),
                None,
                None,
            ));
        }
        catch_unwind(AssertUnwindSafe(|| {
            // Handlebars.java's whitespace rules (see `java_ws`)
            let adapted = java_ws::adapt(source);
            let mut tpl = Template::compile(adapted.as_deref().unwrap_or(source)).map_err(|e| {
                let (line, column) = e.pos().unzip();
                let message = match e.reason() {
                    // the parser's list of every rule it expected says nothing to a user
                    TemplateErrorReason::InvalidSyntax(_) => "invalid template syntax".to_string(),
                    other => other.to_string(),
                };
                template_error(message, line, column)
            })?;
            if adapted.is_some() {
                java_ws::strip_markers(&mut tpl);
            }
            rewrite_template(&mut tpl, helper_names());
            Ok(CompiledTemplate(Compiled::Template(
                Box::new(tpl),
                ModelNeeds::of(source),
            )))
        }))
        .unwrap_or_else(|_| Err(engine_failed()))
    }
}

fn engine_failed() -> SourceError {
    template_error("the template engine failed on this template", None, None)
}

/// Every helper name, built in or registered (what `rewrite` must not treat
/// as a value).
fn helper_names() -> &'static HashSet<String> {
    static NAMES: OnceLock<HashSet<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        BUILTIN_HELPERS
            .iter()
            .chain(HELPERS.iter().map(|(name, _)| name))
            .map(|s| s.to_string())
            .collect()
    })
}

/// The template engine: a Handlebars registry with WireMock's helpers, built
/// once per server. Templates are compiled with their stubs
/// ([`CompiledTemplate::compile`]); this renders them.
pub struct Templates {
    registry: Handlebars<'static>,
    /// Whether `{{ }}` output is HTML-escaped.
    html_escape: bool,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

impl Templates {
    /// WireMock 3's defaults: no HTML escaping.
    pub fn new() -> Self {
        Self::with_escaping(false)
    }

    /// `html_escape = true` escapes `{{ }}` output as Handlebars does (WireMock 2,
    /// or WireMock 3 with templating escaping enabled); `{{{ }}}` never escapes.
    pub fn with_escaping(html_escape: bool) -> Self {
        let mut registry = Handlebars::new();
        if !html_escape {
            registry.register_escape_fn(handlebars::no_escape);
        }
        for (name, f) in HELPERS {
            registry.register_helper(name, Box::new(WireMockHelper(*f)));
        }
        Templates {
            registry,
            html_escape,
        }
    }

    /// Renders a compiled template against `req`.
    pub fn render(
        &self,
        template: &CompiledTemplate,
        req: TemplateRequest<'_>,
    ) -> Result<String, SourceError> {
        self.scope(req).render(template)
    }

    /// One answer's rendering: the request model is built once (on the first
    /// template with an expression, with the parts it can reach) and shared
    /// by every template of the answer, its headers and its body; a later
    /// template that reaches further has it built again with both parts.
    pub fn scope<'t>(&'t self, req: TemplateRequest<'t>) -> RenderScope<'t> {
        RenderScope {
            templates: self,
            req,
            model: RefCell::new(None),
        }
    }
}

/// Templates rendered against one request (see [`Templates::scope`]).
pub struct RenderScope<'t> {
    templates: &'t Templates,
    req: TemplateRequest<'t>,
    model: RefCell<Option<(ModelNeeds, Rc<Context>)>>,
}

impl RenderScope<'_> {
    /// Renders `template`; variables it assigns do not reach the next one.
    pub fn render(&self, template: &CompiledTemplate) -> Result<String, SourceError> {
        let (tpl, needs) = match &template.0 {
            Compiled::Text(text) => return Ok(text.clone()),
            Compiled::Direct(direct) => {
                return Ok(direct.render(self.req, self.templates.html_escape))
            }
            Compiled::Template(tpl, needs) => (tpl, *needs),
        };
        catch_unwind(AssertUnwindSafe(|| {
            let ctx = self.model_for(needs);
            let mut rc = RenderContext::new(None);
            rc.set_recursive_lookup(true);
            let mut out = StringOutput::new();
            tpl.render(&self.templates.registry, &ctx, &mut rc, &mut out)
                .map_err(|e| render_error(&e))?;
            out.into_string()
                .map_err(|e| template_error(e.to_string(), None, None))
        }))
        .unwrap_or_else(|_| Err(engine_failed()))
    }
}

impl RenderScope<'_> {
    /// The model with at least the parts `needs` names.
    fn model_for(&self, needs: ModelNeeds) -> Rc<Context> {
        let mut model = self.model.borrow_mut();
        match &*model {
            Some((built, ctx)) if built.covers(needs) => ctx.clone(),
            built => {
                let needs = built.as_ref().map_or(needs, |(b, _)| b.union(needs));
                let ctx = Rc::new(Context::from(build_model(self.req, needs)));
                *model = Some((needs, ctx.clone()));
                ctx
            }
        }
    }
}

fn render_error(e: &RenderError) -> SourceError {
    template_error(e.reason().to_string(), e.line_no, e.column_no)
}

/// Deepest block / subexpression nesting accepted (the parser and renderer recurse).
const MAX_NESTING: usize = 100;

/// Approximate nesting of `{{#block}}`s and `(subexpressions)` in a template.
fn nesting_depth(source: &str) -> usize {
    let (mut blocks, mut max) = (0usize, 0usize);
    let mut rest = source;
    while let Some(i) = rest.find("{{") {
        rest = &rest[i + 2..];
        let end = rest.find("}}").unwrap_or(rest.len());
        let tag = rest[..end].trim_start_matches(['{', '~', ' ']);
        if tag.starts_with('#') {
            blocks += 1;
        } else if tag.starts_with('/') {
            blocks = blocks.saturating_sub(1);
        }
        let mut parens = 0usize;
        for ch in tag.chars() {
            match ch {
                '(' => {
                    parens += 1;
                    max = max.max(blocks + parens);
                }
                ')' => parens = parens.saturating_sub(1),
                _ => {}
            }
        }
        max = max.max(blocks);
        rest = &rest[end..];
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_support::*;

    #[test]
    fn text_without_expressions_is_returned_as_is() {
        assert_eq!(r("plain {text}"), "plain {text}");
        assert_eq!(r(""), "");
    }

    #[test]
    fn output_is_not_escaped_by_default() {
        let req = with_body("<a href=\"x\">'&'</a>");
        assert_eq!(
            render_req("{{request.body}}", &req),
            "<a href=\"x\">'&'</a>"
        );
        let escaping = Templates::with_escaping(true);
        assert_eq!(
            escaping.render_text("{{request.body}}", &req).unwrap(),
            "&lt;a href&#x3D;&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
        assert_eq!(
            escaping.render_text("{{{request.body}}}", &req).unwrap(),
            "<a href=\"x\">'&'</a>"
        );
        assert_eq!(
            escaping
                .render_text(
                    "{{jsonPath request.body '$.a'}}",
                    &with_body(r#"{"a": "it's"}"#)
                )
                .unwrap(),
            "it&#x27;s"
        );
    }

    #[test]
    fn errors_are_reported_not_panicked() {
        let t = Templates::new();
        let req = request();
        let e = t.render_text("hello {{nope 1}}", &req).unwrap_err();
        assert!(e.message.contains("nope"), "{e}");
        let e = t
            .render_text("line one\n{{#if request.url}}unclosed", &req)
            .unwrap_err();
        assert_eq!(e.line_column().0, Some(2), "{e:?}");
        assert!(e.line_column().1.is_some());
        assert!(t.render_text("{{request.url", &req).is_err());
        assert!(t.render_text("{{#each}}{{/if}}", &req).is_err());
        assert!(t.render_text("{{> missingPartial}}", &req).is_err());
        for bad in [
            "{{",
            "}}{{",
            "{{{}}}",
            "{{#}}",
            "{{/}}",
            "{{else}}",
            "{{#if}}{{else}}{{else}}{{/if}}",
            "{{../../x}}",
            "{{@root}}",
            "{{[}}",
            "{{request.[}}",
            "{{#each 1}}{{/each}}",
            "{{lookup}}",
            "{{jsonPath}}",
            "{{xPath}}",
            "{{math}}",
            "{{date 'x'}}",
            "{{parseDate}}",
            "{{truncateDate 1 'x'}}",
            "{{substring}}",
            "{{join}}",
            "{{#assign}}{{/assign}}",
            "{{range 1 9999999999}}",
            "{{randomValue length=-5}}",
            "{{request.query.q.[x]}}",
            "{{request.path.[-1]}}",
            "{{{{raw}}}}",
            "{{*inline}}",
            "{{#*inline \"p\"}}x{{/inline}}{{> p}}",
        ] {
            let _ = t.render_text(bad, &req);
        }
        let deep = with_body(&"<a>".repeat(2000));
        assert!(t
            .render_text("{{xPath request.body '/a'}}", &deep)
            .unwrap()
            .starts_with("[ERROR: XML nested deeper"));
        let blocks = format!(
            "{}x{}",
            "{{#if request.url}}".repeat(2000),
            "{{/if}}".repeat(2000)
        );
        assert!(t
            .render_text(&blocks, &req)
            .unwrap_err()
            .message
            .contains("nested deeper"));
        let parens = format!(
            "{{{{math {}1{}}}}}",
            "(math ".repeat(2000),
            " '+' 1)".repeat(2000)
        );
        assert!(t
            .render_text(&parens, &req)
            .unwrap_err()
            .message
            .contains("nested deeper"));
        let ok = format!(
            "{{{{math {}1{} '+' 1}}}}",
            "(math ".repeat(50),
            " '+' 1)".repeat(50)
        );
        assert_eq!(t.render_text(&ok, &req).unwrap(), "52");
    }

    #[test]
    fn whitespace_follows_handlebars_java() {
        // measured on WireMock 3.13.2: no standalone lines, inward `~` only
        for (template, expected) in [
            ("a\n{{#if true}}\nb\n{{/if}}\nc", "a\n\nb\n\nc"),
            (
                "a\n  {{#each (array 1 2)}}\n  - {{this}}\n  {{/each}}\nc",
                "a\n  \n  - 1\n  \n  - 2\n  \nc",
            ),
            ("a\n{{! comment }}\nb", "a\n\nb"),
            ("[{{~#if true~}} x {{~/if~}} ]", "[x ]"),
            ("[ {{~#if true}}x{{/if}} ]", "[ x ]"),
            ("[{{#if true}}x {{~/if}}]", "[x]"),
            ("a  {{~request.method~}}  b", "a  POST  b"),
            ("[ {{~#each (array 1 2)~}} {{this}} {{~/each~}} ]", "[ 12 ]"),
            ("[\n  {{~#if true}}\n  x\n  {{~/if}}\n]", "[\n  \n  x\n]"),
            ("{{#if false}}a{{~else~}} b {{/if}}", "b "),
            ("{{#assign 'x'}}\nv\n{{/assign}}[{{x}}]", "[v]"),
        ] {
            assert_eq!(r(template), expected, "{template:?}");
        }
    }

    #[test]
    fn syntax_errors_are_found_when_compiling() {
        let e = CompiledTemplate::compile("line one\n{{#if request.url}}unclosed").unwrap_err();
        assert_eq!(describe(&e), "invalid template syntax (line 2, column 28)");
        assert!(CompiledTemplate::compile("{{request.url").is_err());
        assert!(CompiledTemplate::compile("{{#each}}{{/if}}").is_err());
        // text without expressions and well-formed templates compile
        assert!(CompiledTemplate::compile("plain {text}").is_ok());
        assert!(
            CompiledTemplate::compile("{{nope 1}}").is_ok(),
            "helpers resolve when rendering"
        );
    }

    #[test]
    fn one_compiled_template_renders_every_request() {
        let t = Templates::new();
        let tpl = CompiledTemplate::compile("{{request.method}} {{request.path.[0]}}").unwrap();
        let params = path_params();
        let get = MockRequest {
            method: "GET".into(),
            path: "/other".into(),
            ..request()
        };
        assert_eq!(
            t.render(&tpl, TemplateRequest::new(&request(), &params))
                .unwrap(),
            "POST things"
        );
        assert_eq!(
            t.render(&tpl, TemplateRequest::new(&get, &params)).unwrap(),
            "GET other"
        );
    }
}
