//! Bounds and patterns: `minimum`/`maximum` (and 2020-12's numeric
//! `exclusiveMinimum`/`exclusiveMaximum`), `minLength`/`maxLength`,
//! `minItems`/`maxItems` increased, decreased, set or unset, and `pattern`
//! added, removed or changed. In a request a tighter bound breaks clients; in
//! a response a looser one does.

use super::walk::SchemaDiff;
use super::{show, Ctx, Direction, Node, SchemaSite};
use crate::rules;
use serde_json::Value;

/// A bound keyword, its name in rule ids, and whether it is a lower bound.
const BOUNDS: [(&str, &str, bool); 8] = [
    ("minimum", "min", true),
    ("maximum", "max", false),
    ("exclusiveMinimum", "exclusive-min", true),
    ("exclusiveMaximum", "exclusive-max", false),
    ("minLength", "min-length", true),
    ("maxLength", "max-length", false),
    ("minItems", "min-items", true),
    ("maxItems", "max-items", false),
];

pub(crate) fn check<'a>(ctx: &mut Ctx<'_, 'a>, root: &SchemaDiff<'a>, nodes: &[Node<'_, 'a>]) {
    match ctx.site {
        SchemaSite::RequestBody { .. } | SchemaSite::ResponseBody { .. } => {
            bounds(ctx, root, None);
            for node in nodes {
                if ctx.direction() == Direction::Response && node.diff.revision.flag("writeOnly") {
                    continue;
                }
                bounds(ctx, node.diff, Some(&node.full_name));
                pattern(ctx, node.diff, Some(&node.full_name));
            }
        }
        SchemaSite::Parameter { .. } => {
            bounds(ctx, root, None);
            items_max_items(ctx, root);
            pattern(ctx, root, None);
        }
        SchemaSite::ResponseHeader { .. } => {}
    }
}

/// oasdiff's fallback for array parameters: a `maxItems` written on the
/// `items` schema counts as the parameter's when the parameter's own did not
/// change.
fn items_max_items(ctx: &mut Ctx, root: &SchemaDiff) {
    if root.keyword_changed("maxItems") {
        return;
    }
    let Some(items) = root.child("items") else {
        return;
    };
    let (base, revision) = (items.base.get("maxItems"), items.revision.get("maxItems"));
    let (Some(from), Some(to)) = (number(base), number(revision)) else {
        return;
    };
    if from == to {
        return;
    }
    let id = if to > from {
        "request-parameter-max-items-increased"
    } else {
        "request-parameter-max-items-decreased"
    };
    let values = vec![
        show(base.unwrap_or(&Value::Null)),
        show(revision.unwrap_or(&Value::Null)),
    ];
    emit_bound(ctx, id, None, values, items);
}

fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64)
}

fn bounds(ctx: &mut Ctx, d: &SchemaDiff, property: Option<&str>) {
    for (keyword, name, lower) in BOUNDS {
        if !d.keyword_changed(keyword) {
            continue;
        }
        let base = d.base.get(keyword).filter(|v| v.is_number());
        let revision = d.revision.get(keyword).filter(|v| v.is_number());
        let read_only = d.revision.flag("readOnly");
        match (number(base), number(revision)) {
            (Some(from), Some(to)) if from != to => {
                let increased = to > from;
                let direction = if increased { "increased" } else { "decreased" };
                let narrows = increased == lower;
                let (from, to) = (
                    show(base.unwrap_or(&Value::Null)),
                    show(revision.unwrap_or(&Value::Null)),
                );
                match ctx.direction() {
                    Direction::Request => {
                        let id = id_for(ctx, property, name, direction, narrows && read_only);
                        emit_bound(ctx, &id, property, vec![from, to], d);
                    }
                    Direction::Response if !narrows => {
                        let id = id_for(ctx, property, name, direction, false);
                        emit_bound(ctx, &id, property, vec![from, to], d);
                    }
                    Direction::Response => {}
                }
            }
            (None, Some(_)) if ctx.direction() == Direction::Request => {
                let id = id_for(ctx, property, name, "set", false);
                emit_bound(
                    ctx,
                    &id,
                    property,
                    vec![show(revision.unwrap_or(&Value::Null))],
                    d,
                );
            }
            (Some(_), None) if ctx.direction() == Direction::Response => {
                let id = id_for(ctx, property, name, "unset", false);
                emit_bound(
                    ctx,
                    &id,
                    property,
                    vec![show(base.unwrap_or(&Value::Null))],
                    d,
                );
            }
            _ => {}
        }
    }
}

/// `request-property-min-increased`, `request-read-only-property-...`,
/// `request-parameter-...`, `response-body-...`.
fn id_for(ctx: &Ctx, property: Option<&str>, name: &str, what: &str, read_only: bool) -> String {
    match ctx.site {
        SchemaSite::Parameter { .. } => format!("request-parameter-{name}-{what}"),
        _ => {
            let side = ctx.side();
            match property {
                None => format!("{side}-body-{name}-{what}"),
                Some(_) if read_only => format!("{side}-read-only-property-{name}-{what}"),
                Some(_) => format!("{side}-property-{name}-{what}"),
            }
        }
    }
}

/// Emits a bound rule; messages that only name the new value (`was increased
/// to %s`) get the new value only.
fn emit_bound(
    ctx: &mut Ctx,
    id: &str,
    property: Option<&str>,
    mut values: Vec<String>,
    d: &SchemaDiff,
) {
    let Some(rule) = rules::get(id) else {
        return;
    };
    let placeholders = rule.message.matches("%s").count();
    let lead = match ctx.site {
        SchemaSite::Parameter { location, name } => vec![location.to_string(), name.to_string()],
        _ => Vec::new(),
    };
    let fixed = lead.len()
        + usize::from(property.is_some())
        + usize::from(ctx.status().is_some() && rule.message.contains("status"));
    while values.len() > 1 && fixed + values.len() > placeholders {
        values.remove(0);
    }
    let args = ctx.args(lead, property, values);
    ctx.emit(id, args, Some(d));
}

fn pattern(ctx: &mut Ctx, d: &SchemaDiff, property: Option<&str>) {
    if !d.keyword_changed("pattern") {
        return;
    }
    // an empty pattern constrains nothing: oasdiff reads it as no pattern
    let base = d.base.str("pattern").filter(|p| !p.is_empty());
    let revision = d.revision.str("pattern").filter(|p| !p.is_empty());
    let (what, values) = match (base, revision) {
        (None, Some(to)) => ("added", vec![to.to_string()]),
        (Some(from), None) => ("removed", vec![from.to_string()]),
        (Some(from), Some(to)) if to == ".*" => {
            ("generalized", vec![from.to_string(), to.to_string()])
        }
        (Some(from), Some(to)) => ("changed", vec![from.to_string(), to.to_string()]),
        _ => return,
    };
    match ctx.site {
        SchemaSite::Parameter { location, name } => {
            let id = format!("request-parameter-pattern-{what}");
            let (location, name) = (location.to_string(), name.to_string());
            let args = if values.len() == 1 {
                vec![values[0].clone(), location, name]
            } else {
                vec![location, name, values[0].clone(), values[1].clone()]
            };
            ctx.emit(&id, args, Some(d));
        }
        _ => {
            let Some(property) = property else { return };
            let property = property.to_string();
            match ctx.direction() {
                Direction::Request => {
                    let id = format!("request-property-pattern-{what}");
                    let args = if values.len() == 1 {
                        vec![values[0].clone(), property]
                    } else {
                        let mut a = vec![property];
                        a.extend(values);
                        a
                    };
                    ctx.emit(&id, args, Some(d));
                }
                Direction::Response => {
                    let what = if what == "generalized" {
                        "changed"
                    } else {
                        what
                    };
                    let id = format!("response-property-pattern-{what}");
                    let args = ctx.args(vec![], Some(&property), values);
                    ctx.emit(&id, args, Some(d));
                }
            }
        }
    }
}
