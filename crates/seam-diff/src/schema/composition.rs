//! Composition and the 2020-12 keywords: `allOf`/`anyOf`/`oneOf`/`prefixItems`
//! branches added or removed (annotation-only `allOf` branches apart),
//! `discriminator` changes, `contains`/`minContains`/`maxContains`,
//! `patternProperties`, `dependentSchemas`, `dependentRequired`,
//! `propertyNames`, `unevaluatedItems`/`unevaluatedProperties`,
//! `if`/`then`/`else`, `contentSchema`/`contentMediaType`/`contentEncoding`.

use super::walk::{is_annotation_only, Branch, SchemaDiff, Slot, Walker};
use super::{show, Ctx, Node};
use serde_json::{Map, Value};

pub(crate) fn check<'a>(
    ctx: &mut Ctx,
    root: &SchemaDiff<'a>,
    nodes: &[Node<'_, 'a>],
    walker: &mut Walker<'_, 'a>,
) {
    if !ctx.is_body() {
        return;
    }
    one(ctx, root, None, walker);
    for node in nodes {
        one(ctx, node.diff, Some(&node.full_name), walker);
    }
}

fn one<'a>(ctx: &mut Ctx, d: &SchemaDiff<'a>, property: Option<&str>, walker: &mut Walker<'_, 'a>) {
    let side = ctx.side();
    let scope = if property.is_some() {
        "property"
    } else {
        "body"
    };
    let prefix = format!("{side}-{scope}");
    // Branch lists.
    for (keyword, name) in [
        ("allOf", "all-of"),
        ("anyOf", "any-of"),
        ("oneOf", "one-of"),
        ("prefixItems", "prefix-items"),
    ] {
        let branches = d.branches(keyword);
        for (what, list, base_side) in [
            ("added", &branches.added, false),
            ("removed", &branches.deleted, true),
        ] {
            if list.is_empty() {
                continue;
            }
            let (plain, annotation): (Vec<&Branch>, Vec<&Branch>) = if keyword == "allOf" {
                list.iter()
                    .partition(|b| !branch_is_annotation_only(d, keyword, b, base_side, walker))
            } else {
                (list.iter().collect(), Vec::new())
            };
            for (group, suffix) in [(plain, ""), (annotation, "-annotation-only")] {
                if group.is_empty() {
                    continue;
                }
                let names = group
                    .iter()
                    .map(|b| b.name())
                    .collect::<Vec<_>>()
                    .join(", ");
                let args = ctx.args(vec![names], property, vec![]);
                ctx.emit(&format!("{prefix}-{name}-{what}{suffix}"), args, Some(d));
            }
        }
    }
    discriminator(ctx, d, property, &prefix);
    // Single subschemas added or removed.
    for (keyword, name) in [
        ("contains", "contains"),
        ("propertyNames", "property-names"),
        ("unevaluatedItems", "unevaluated-items"),
        ("unevaluatedProperties", "unevaluated-properties"),
        ("if", "if"),
        ("then", "then"),
        ("else", "else"),
        ("contentSchema", "content-schema"),
    ] {
        let what = match d.slot(keyword) {
            Some(Slot::Added(_)) => "added",
            Some(Slot::Deleted(_)) => "removed",
            _ => continue,
        };
        let args = ctx.args(vec![], property, vec![]);
        ctx.emit(&format!("{prefix}-{name}-{what}"), args, Some(d));
    }
    for (keyword, name) in [
        ("minContains", "min-contains"),
        ("maxContains", "max-contains"),
    ] {
        if !d.keyword_changed(keyword) {
            continue;
        }
        let (Some(from), Some(to)) = (
            d.base.get(keyword).and_then(Value::as_f64),
            d.revision.get(keyword).and_then(Value::as_f64),
        ) else {
            continue;
        };
        let what = if to > from { "increased" } else { "decreased" };
        let values = vec![
            show(&d.base.get(keyword).cloned().unwrap_or_default()),
            show(&d.revision.get(keyword).cloned().unwrap_or_default()),
        ];
        let args = ctx.args(vec![], property, values);
        ctx.emit(&format!("{prefix}-{name}-{what}"), args, Some(d));
    }
    // Named subschemas added or removed.
    for (named, name) in [
        (&d.pattern_properties, "pattern-property"),
        (&d.dependent_schemas, "dependent-schema"),
    ] {
        for (key, _) in &named.added {
            let args = ctx.args(vec![key.clone()], property, vec![]);
            ctx.emit(&format!("{prefix}-{name}-added"), args, Some(d));
        }
        for (key, _) in &named.deleted {
            let args = ctx.args(vec![key.clone()], property, vec![]);
            ctx.emit(&format!("{prefix}-{name}-removed"), args, Some(d));
        }
    }
    dependent_required(ctx, d, property, &prefix);
    if let Some(p) = property {
        for (keyword, name) in [
            ("contentMediaType", "content-media-type"),
            ("contentEncoding", "content-encoding"),
        ] {
            if d.keyword_changed(keyword) {
                let values = vec![
                    show_or_empty(d.base.get(keyword)),
                    show_or_empty(d.revision.get(keyword)),
                ];
                let args = ctx.args(vec![], Some(p), values);
                ctx.emit(&format!("{prefix}-{name}-changed"), args, Some(d));
            }
        }
    }
}

fn show_or_empty(v: Option<&Value>) -> String {
    v.map(show).unwrap_or_default()
}

fn branch_is_annotation_only<'a>(
    d: &SchemaDiff<'a>,
    keyword: &str,
    branch: &Branch,
    base_side: bool,
    walker: &Walker<'_, 'a>,
) -> bool {
    let schema = if base_side { &d.base } else { &d.revision };
    let Some(value) = schema
        .get(keyword)
        .and_then(Value::as_array)
        .and_then(|l| l.get(branch.index))
    else {
        return false;
    };
    let resolved = if base_side {
        walker.base_schema(value, "")
    } else {
        walker.revision_schema(value, "")
    };
    is_annotation_only(&resolved)
}

fn discriminator(ctx: &mut Ctx, d: &SchemaDiff, property: Option<&str>, prefix: &str) {
    if !d.keyword_changed("discriminator") {
        return;
    }
    let base = d.base.get("discriminator").and_then(Value::as_object);
    let revision = d.revision.get("discriminator").and_then(Value::as_object);
    let id = |what: &str| format!("{prefix}-discriminator-{what}");
    let (base, revision) = match (base, revision) {
        (None, Some(_)) => {
            let args = ctx.args(vec![], property, vec![]);
            ctx.emit(&id("added"), args, Some(d));
            return;
        }
        (Some(_), None) => {
            let args = ctx.args(vec![], property, vec![]);
            ctx.emit(&id("removed"), args, Some(d));
            return;
        }
        (Some(b), Some(r)) => (b, r),
        _ => return,
    };
    let name = |m: &Map<String, Value>| {
        m.get("propertyName")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if name(base) != name(revision) {
        let args = ctx.args(vec![], property, vec![name(base), name(revision)]);
        ctx.emit(&id("property-name-changed"), args, Some(d));
    }
    let empty = Map::new();
    let mapping = |m: &Map<String, Value>| {
        m.get("mapping")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
            .clone()
    };
    let (bm, rm) = (mapping(base), mapping(revision));
    let added: Vec<String> = rm
        .keys()
        .filter(|k| !bm.contains_key(*k))
        .cloned()
        .collect();
    let deleted: Vec<String> = bm
        .keys()
        .filter(|k| !rm.contains_key(*k))
        .cloned()
        .collect();
    if !added.is_empty() {
        let args = ctx.args(vec![added.join(", ")], property, vec![]);
        ctx.emit(&id("mapping-added"), args, Some(d));
    }
    if !deleted.is_empty() {
        let args = ctx.args(vec![deleted.join(", ")], property, vec![]);
        ctx.emit(&id("mapping-deleted"), args, Some(d));
    }
    for (key, from) in &bm {
        if let Some(to) = rm.get(key) {
            if to != from {
                let args = ctx.args(vec![key.clone(), show(from), show(to)], property, vec![]);
                ctx.emit(&id("mapping-changed"), args, Some(d));
            }
        }
    }
}

fn dependent_required(ctx: &mut Ctx, d: &SchemaDiff, property: Option<&str>, prefix: &str) {
    if !d.keyword_changed("dependentRequired") {
        return;
    }
    let empty = Map::new();
    let base = d
        .base
        .get("dependentRequired")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let revision = d
        .revision
        .get("dependentRequired")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let list = |v: &Value| {
        v.as_array()
            .map(|l| l.iter().map(show).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    for (key, value) in revision {
        match base.get(key) {
            None => {
                let args = dependent_args(ctx, property, vec![key.clone(), list(value)]);
                ctx.emit(&format!("{prefix}-dependent-required-added"), args, Some(d));
            }
            Some(old) if old != value => {
                let change = format!("[{}] -> [{}]", list(old), list(value));
                let args = dependent_args(ctx, property, vec![key.clone(), change]);
                ctx.emit(
                    &format!("{prefix}-dependent-required-changed"),
                    args,
                    Some(d),
                );
            }
            _ => {}
        }
    }
    for (key, value) in base {
        if !revision.contains_key(key) {
            let args = dependent_args(ctx, property, vec![key.clone(), list(value)]);
            ctx.emit(
                &format!("{prefix}-dependent-required-removed"),
                args,
                Some(d),
            );
        }
    }
}

/// dependentRequired messages put the status before the key in responses
/// (`... was added for the status %s: when %s is present ...`).
fn dependent_args(ctx: &Ctx, property: Option<&str>, values: Vec<String>) -> Vec<String> {
    let mut args: Vec<String> = property.map(str::to_string).into_iter().collect();
    if let Some(status) = ctx.status() {
        args.push(status.to_string());
    }
    args.extend(values);
    args
}
