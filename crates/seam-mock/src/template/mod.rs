//! WireMock-compatible response templating: WireMock's `response-template`
//! transformer rebuilt on `handlebars` (handlebars-rust), so stubs written for
//! WireMock render the same here.
//!
//! This module owns:
//!
//! - the request model templates see ([`TemplateRequest`] → `request.url`,
//!   `request.path` (the path as text, `request.path.[n]` for segments,
//!   `request.path.<name>` for `urlPathTemplate` parameters), `request.pathSegments`,
//!   `request.query.<name>` (first value; `.[n]`, `.first`, `.last`, `.[-n]` for
//!   others), `request.method`, `request.baseUrl`, `request.scheme`, `request.host`,
//!   `request.port`, `request.headers.<name>` (names ignore case),
//!   `request.cookies.<name>`, `request.body`, `request.bodyAsBase64`);
//! - WireMock's helpers (`jsonPath`, `xPath`, `soapXPath`, `now`, `date`, `parseDate`,
//!   `truncateDate`, `randomValue`, `randomInt`, `randomDecimal`, `pickRandom`,
//!   `math`, `range`, `array`, `size`, `join`, `trim`, `base64`, `urlEncode`,
//!   `formData`, `regexExtract`, `contains`, `matches`, `parseJson`, `toJson`,
//!   `formatJson`, `val`, `hostname`), the Handlebars.java string, number,
//!   conditional and `assign` helpers WireMock registers (`upper`, `lower`,
//!   `capitalize`, `substring`, `replace`, `eq`, `neq`, `gt`, `and`, `isOdd`, ...),
//!   and `split` (a seam addition);
//! - compiling templates once and caching them by source ([`Templates`]).
//!
//! Where things are: `model` builds the request model, [`rewrite`] adapts
//! compiled templates to it, `java_text` renders values as Java does, and
//! `helpers` holds the helper plumbing and one module per helper family.
//!
//! How it maps WireMock's Java model onto JSON: multi-valued parts (query,
//! headers, cookies) are JSON arrays that render as their first value, as
//! WireMock's `ListOrSingle` does; `request.path` is the segment array that
//! renders as the path text. Both are achieved by rewriting each compiled
//! template once: bare `{{value}}` expressions go through an internal render
//! helper, header names are lower-cased, and `first`/`last`/negative indexes and
//! path-parameter names are turned into plain lookups. Helper failures that WireMock
//! renders inline (`[ERROR: ...]`) render inline here too; syntax errors, unknown
//! helpers and failures WireMock raises become a [`TemplateError`].
//!
//! As in WireMock 3, output is not HTML-escaped by default
//! ([`Templates::with_escaping`] turns Handlebars escaping on).

mod helpers;
mod java_text;
mod model;
mod rewrite;
#[cfg(test)]
mod test_support;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

use handlebars::template::Template;
use handlebars::{Context, Handlebars, RenderContext, RenderError, Renderable, StringOutput};

use helpers::{WireMockHelper, HELPERS};
use model::build_model;
pub use model::TemplateRequest;
use rewrite::{rewrite_template, BUILTIN_HELPERS};

/// A template that does not compile or fails to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    /// 1-based line of the offending expression, where Handlebars reports it.
    pub line: Option<usize>,
    /// 1-based column of the offending expression, where Handlebars reports it.
    pub column: Option<usize>,
}

impl TemplateError {
    fn new(message: impl Into<String>) -> Self {
        TemplateError {
            message: message.into(),
            line: None,
            column: None,
        }
    }

    fn from_compile(e: &handlebars::TemplateError) -> Self {
        let (line, column) = match e.pos() {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        TemplateError {
            message: e.reason().to_string(),
            line,
            column,
        }
    }

    fn from_render(e: &RenderError) -> Self {
        TemplateError {
            message: e.reason().to_string(),
            line: e.line_no,
            column: e.column_no,
        }
    }
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{} (line {l}, column {c})", self.message),
            (Some(l), None) => write!(f, "{} (line {l})", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for TemplateError {}

/// Compiled templates are dropped wholesale past this many distinct sources.
const MAX_CACHED: usize = 10_000;

/// The template engine: a Handlebars registry with WireMock's helpers, built once,
/// and a cache of compiled templates keyed by their source.
pub struct Templates {
    registry: Handlebars<'static>,
    helper_names: HashSet<String>,
    cache: Mutex<HashMap<String, Arc<Template>>>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Templates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Templates")
            .field("cached", &self.cached())
            .finish()
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
        let mut helper_names: HashSet<String> =
            BUILTIN_HELPERS.iter().map(|s| s.to_string()).collect();
        for (name, f) in HELPERS {
            registry.register_helper(name, Box::new(WireMockHelper(*f)));
            helper_names.insert(name.to_string());
        }
        Templates {
            registry,
            helper_names,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Renders `template` against `req`.
    pub fn render(&self, template: &str, req: &TemplateRequest) -> Result<String, TemplateError> {
        if !template.contains("{{") {
            return Ok(template.to_string());
        }
        catch_unwind(AssertUnwindSafe(|| self.render_inner(template, req))).unwrap_or_else(|_| {
            Err(TemplateError::new(
                "the template engine failed on this template",
            ))
        })
    }

    /// How many compiled templates are cached.
    pub fn cached(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn render_inner(&self, template: &str, req: &TemplateRequest) -> Result<String, TemplateError> {
        let tpl = self.compiled(template)?;
        let ctx = Context::from(build_model(req));
        let mut rc = RenderContext::new(None);
        rc.set_recursive_lookup(true);
        let mut out = StringOutput::new();
        tpl.render(&self.registry, &ctx, &mut rc, &mut out)
            .map_err(|e| TemplateError::from_render(&e))?;
        out.into_string()
            .map_err(|e| TemplateError::new(e.to_string()))
    }

    fn compiled(&self, source: &str) -> Result<Arc<Template>, TemplateError> {
        if let Some(t) = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(source)
        {
            return Ok(t.clone());
        }
        if nesting_depth(source) > MAX_NESTING {
            return Err(TemplateError::new(format!(
                "template nested deeper than {MAX_NESTING} levels"
            )));
        }
        let mut tpl = Template::compile(source).map_err(|e| TemplateError::from_compile(&e))?;
        rewrite_template(&mut tpl, &self.helper_names);
        let tpl = Arc::new(tpl);
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(source.to_string(), tpl.clone());
        Ok(tpl)
    }
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
            escaping.render("{{request.body}}", &req).unwrap(),
            "&lt;a href&#x3D;&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
        );
        assert_eq!(
            escaping.render("{{{request.body}}}", &req).unwrap(),
            "<a href=\"x\">'&'</a>"
        );
        assert_eq!(
            escaping
                .render(
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
        let e = t.render("hello {{nope 1}}", &req).unwrap_err();
        assert!(e.message.contains("nope"), "{e}");
        let e = t
            .render("line one\n{{#if request.url}}unclosed", &req)
            .unwrap_err();
        assert_eq!(e.line, Some(2), "{e:?}");
        assert!(e.column.is_some());
        assert!(t.render("{{request.url", &req).is_err());
        assert!(t.render("{{#each}}{{/if}}", &req).is_err());
        assert!(t.render("{{> missingPartial}}", &req).is_err());
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
            let _ = t.render(bad, &req);
        }
        let deep = with_body(&"<a>".repeat(2000));
        assert!(t
            .render("{{xPath request.body '/a'}}", &deep)
            .unwrap()
            .starts_with("[ERROR: XML nested deeper"));
        let blocks = format!(
            "{}x{}",
            "{{#if request.url}}".repeat(2000),
            "{{/if}}".repeat(2000)
        );
        assert!(t
            .render(&blocks, &req)
            .unwrap_err()
            .message
            .contains("nested deeper"));
        let parens = format!(
            "{{{{math {}1{}}}}}",
            "(math ".repeat(2000),
            " '+' 1)".repeat(2000)
        );
        assert!(t
            .render(&parens, &req)
            .unwrap_err()
            .message
            .contains("nested deeper"));
        let ok = format!(
            "{{{{math {}1{} '+' 1}}}}",
            "(math ".repeat(50),
            " '+' 1)".repeat(50)
        );
        assert_eq!(t.render(&ok, &req).unwrap(), "52");
    }

    #[test]
    fn compiled_templates_are_cached() {
        let t = Templates::new();
        let req = request();
        for _ in 0..3 {
            assert_eq!(t.render("{{request.method}}", &req).unwrap(), "POST");
        }
        assert_eq!(t.render("{{request.query.q}}", &req).unwrap(), "one");
        assert_eq!(t.cached(), 2);
    }
}
