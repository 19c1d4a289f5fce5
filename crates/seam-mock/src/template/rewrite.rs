//! Rewriting compiled templates once, when they compile: bare `{{value}}`
//! expressions go through the internal render helper, header names are
//! spelled as the model keys them, and `first`/`last`/negative indexes and path-parameter names
//! become plain lookups into the request model.

use std::collections::HashSet;

use handlebars::template::{Parameter, Subexpression, Template, TemplateElement};
use handlebars::{Path, PathSeg};

use crate::template::model::{header_key, MULTI, PATH_PARAMS, REVERSED};

/// The internal helper bare `{{value}}` expressions are routed through.
pub(crate) const RENDER: &str = "__wm_render";
/// The internal helper `variable.first` / `.last` / `.[-n]` become.
pub(crate) const ITEM: &str = "__wm_item";
/// Helpers handlebars-rust registers itself (some are replaced below).
pub(crate) const BUILTIN_HELPERS: [&str; 17] = [
    "if", "unless", "each", "with", "lookup", "raw", "log", "eq", "ne", "gt", "gte", "lt", "lte",
    "and", "or", "not", "len",
];

pub(crate) fn rewrite_template(t: &mut Template, helpers: &HashSet<String>) {
    for el in &mut t.elements {
        rewrite_element(el, helpers);
    }
}

pub(crate) fn rewrite_element(el: &mut TemplateElement, helpers: &HashSet<String>) {
    match el {
        TemplateElement::Expression(ht) | TemplateElement::HtmlExpression(ht) => {
            let name_only = !ht.block && ht.params.is_empty() && ht.hash.is_empty();
            if name_only {
                if let Parameter::Path(p) = &ht.name {
                    if !helpers.contains(p.raw_text()) {
                        let value =
                            std::mem::replace(&mut ht.name, Parameter::Name(RENDER.to_string()));
                        ht.params.push(value);
                    }
                }
            }
            rewrite_helper_template(ht, helpers);
        }
        TemplateElement::HelperBlock(ht) => rewrite_helper_template(ht, helpers),
        TemplateElement::DecoratorExpression(dt)
        | TemplateElement::DecoratorBlock(dt)
        | TemplateElement::PartialExpression(dt)
        | TemplateElement::PartialBlock(dt) => {
            for p in &mut dt.params {
                rewrite_param(p, helpers);
            }
            for p in dt.hash.values_mut() {
                rewrite_param(p, helpers);
            }
            if let Some(t) = &mut dt.template {
                rewrite_template(t, helpers);
            }
        }
        _ => {}
    }
}

pub(crate) fn rewrite_helper_template(
    ht: &mut handlebars::template::HelperTemplate,
    helpers: &HashSet<String>,
) {
    rewrite_param(&mut ht.name, helpers);
    for p in &mut ht.params {
        rewrite_param(p, helpers);
    }
    for p in ht.hash.values_mut() {
        rewrite_param(p, helpers);
    }
    if let Some(t) = &mut ht.template {
        rewrite_template(t, helpers);
    }
    if let Some(t) = &mut ht.inverse {
        rewrite_template(t, helpers);
    }
}

pub(crate) fn rewrite_param(p: &mut Parameter, helpers: &HashSet<String>) {
    match p {
        Parameter::Path(path) => {
            rewrite_path(path);
            if let Some(item) = list_item(path) {
                *p = item;
            }
        }
        Parameter::Subexpression(se) => {
            if let TemplateElement::Expression(ht) = se.element.as_mut() {
                rewrite_helper_template(ht, helpers);
            }
        }
        _ => {}
    }
}

/// `form.field.first` (`.last`, `.[-n]`) on a variable, which may hold a
/// one-or-many list (`formData`, `regexExtract`): a call of the [`ITEM`]
/// helper, which takes the item from a list and the key from an object.
/// `request.*` paths were rewritten to plain lookups already.
fn list_item(path: &Path) -> Option<Parameter> {
    let Path::Relative((segs, raw)) = path else {
        return None;
    };
    let [first, .., last] = segs.as_slice() else {
        return None;
    };
    let (PathSeg::Named(root), PathSeg::Named(key)) = (first, last) else {
        return None;
    };
    let indexed = matches!(key.as_str(), "first" | "last")
        || key
            .strip_prefix('-')
            .is_some_and(|n| n.parse::<usize>().is_ok());
    if root == "request" || !indexed {
        return None;
    }
    let list = segs[..segs.len() - 1].to_vec();
    let list_raw = raw
        .rsplit_once(['.', '/'])
        .map_or(raw.as_str(), |(head, _)| head)
        .to_string();
    Some(Parameter::Subexpression(Subexpression::new(
        Parameter::Name(ITEM.to_string()),
        vec![
            Parameter::Path(Path::Relative((list, list_raw))),
            Parameter::Literal(serde_json::Value::String(key.clone())),
        ],
        Default::default(),
    )))
}

pub(crate) trait RawText {
    fn raw_text(&self) -> &str;
}

impl RawText for Path {
    fn raw_text(&self) -> &str {
        match self {
            Path::Relative((_, raw)) => raw,
            Path::Local((_, _, raw)) => raw,
        }
    }
}

/// `request.headers.X-Id` → `request.headers.x-id`; `request.path.id` →
/// `request.__pathParams.id`; `request.query.q.first` → `.0`;
/// `request.query.q.last` / `.[-n]` → `request.__rev.query.q.0` / `.n`.
pub(crate) fn rewrite_path(path: &mut Path) {
    let Path::Relative((segs, _)) = path else {
        return;
    };
    let start = segs
        .iter()
        .take_while(|s| !matches!(s, PathSeg::Named(_)))
        .count();
    let mut named = Vec::with_capacity(segs.len());
    for s in &segs[start..] {
        match s {
            PathSeg::Named(n) => named.push(n.clone()),
            _ => return,
        }
    }
    if named.first().map(String::as_str) != Some("request") {
        return;
    }
    let mut new = named.clone();
    match new.get(1).map(String::as_str) {
        Some("headers") if new.len() >= 3 => new[2] = header_key(&new[2]),
        Some("path") if new.len() >= 3 && new[2].parse::<usize>().is_err() => {
            new[1] = PATH_PARAMS.to_string()
        }
        _ => {}
    }
    if new.len() >= 4 && MULTI.contains(&new[1].as_str()) {
        let reversed_index = match new[3].as_str() {
            "first" => {
                new[3] = "0".to_string();
                None
            }
            "last" => Some(0),
            other => other
                .strip_prefix('-')
                .and_then(|k| k.parse::<usize>().ok()),
        };
        if let Some(k) = reversed_index {
            let mut r = vec![
                "request".to_string(),
                REVERSED.to_string(),
                new[1].clone(),
                new[2].clone(),
                k.to_string(),
            ];
            r.extend(new[4..].iter().cloned());
            new = r;
        }
    }
    if new != named {
        segs.truncate(start);
        segs.extend(new.into_iter().map(PathSeg::Named));
    }
}
