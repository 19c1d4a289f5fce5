//! Value constraints: `enum` values added or removed (and a schema that became
//! an enum), `x-extensible-enum` values removed, `default` and `const` added,
//! removed or changed.

use super::walk::SchemaDiff;
use super::{show, Ctx, Direction, Node, SchemaSite};
use serde_json::Value;

pub(crate) fn check<'a>(ctx: &mut Ctx<'_, 'a>, root: &SchemaDiff<'a>, nodes: &[Node<'_, 'a>]) {
    match ctx.site {
        SchemaSite::RequestBody { .. } | SchemaSite::ResponseBody { .. } => {
            body_enum(ctx, root, None);
            default_and_const(ctx, root, None);
            for node in nodes {
                body_enum(ctx, node.diff, Some(&node.full_name));
                default_and_const(ctx, node.diff, Some(&node.full_name));
            }
        }
        SchemaSite::Parameter { location, name } => {
            let (location, name) = (location.to_string(), name.to_string());
            parameter_enum(ctx, root, &location, &name);
            for node in nodes.iter().filter(|n| !n.name.is_empty()) {
                parameter_property_enum(ctx, node, &location, &name);
            }
            if root.keyword_changed("default") {
                let (b, r) = (root.base.get("default"), root.revision.get("default"));
                let (id, values) = match (b, r) {
                    (Some(b), Some(r)) => (
                        "request-parameter-default-value-changed",
                        vec![show(b), show(r)],
                    ),
                    (None, Some(r)) => ("request-parameter-default-value-added", vec![show(r)]),
                    (Some(b), None) => ("request-parameter-default-value-removed", vec![show(b)]),
                    _ => return,
                };
                let mut args = vec![location, name];
                args.extend(values);
                ctx.emit(id, args, Some(root));
            }
        }
        SchemaSite::ResponseHeader { .. } => {}
    }
}

/// Values of `from` missing in `to`.
fn missing<'v>(from: &'v [Value], to: &[Value]) -> Vec<&'v Value> {
    from.iter().filter(|v| !to.contains(v)).collect()
}

fn enum_lists<'a>(
    d: &SchemaDiff<'a>,
    keyword: &str,
) -> (Option<&'a Vec<Value>>, Option<&'a Vec<Value>>) {
    (
        d.base.get(keyword).and_then(Value::as_array),
        d.revision.get(keyword).and_then(Value::as_array),
    )
}

fn body_enum(ctx: &mut Ctx, d: &SchemaDiff, property: Option<&str>) {
    let (base, revision) = enum_lists(d, "enum");
    if d.keyword_changed("enum") {
        match (base, revision, ctx.direction()) {
            (None, Some(_), Direction::Request) => match property {
                None => ctx.emit("request-body-became-enum", vec![], Some(d)),
                Some(p) => {
                    if !d.revision.flag("readOnly") {
                        ctx.emit("request-property-became-enum", vec![p.to_string()], Some(d));
                    }
                }
            },
            (Some(base), Some(revision), Direction::Request) => {
                for value in missing(base, revision) {
                    match property {
                        None => ctx.emit(
                            "request-body-enum-value-removed",
                            vec![show(value)],
                            Some(d),
                        ),
                        Some(p) => {
                            let id = if d.revision.flag("readOnly") {
                                "request-read-only-property-enum-value-removed"
                            } else {
                                "request-property-enum-value-removed"
                            };
                            ctx.emit(id, vec![show(value), p.to_string()], Some(d));
                        }
                    }
                }
                if let Some(p) = property {
                    for value in missing(revision, base) {
                        ctx.emit(
                            "request-property-enum-value-added",
                            vec![show(value), p.to_string()],
                            Some(d),
                        );
                    }
                }
            }
            (Some(base), Some(revision), Direction::Response) => {
                let write_only = d.revision.flag("writeOnly");
                for value in missing(revision, base) {
                    let p = property.unwrap_or("");
                    let id = if write_only {
                        "response-write-only-property-enum-value-added"
                    } else {
                        "response-property-enum-value-added"
                    };
                    let args = ctx.args(vec![show(value)], Some(p), vec![]);
                    ctx.emit(id, args, Some(d));
                }
                for value in missing(base, revision) {
                    match property {
                        None => {
                            let media_type = ctx.media_type().to_string();
                            ctx.emit(
                                "response-mediatype-enum-value-removed",
                                vec![media_type, show(value)],
                                Some(d),
                            );
                        }
                        Some(p) => {
                            let args = ctx.args(vec![show(value)], Some(p), vec![]);
                            ctx.emit("response-property-enum-value-removed", args, Some(d));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    if ctx.direction() == Direction::Request && d.keyword_changed("x-extensible-enum") {
        if let (Some(base), Some(revision), Some(p)) = (
            enum_lists(d, "x-extensible-enum").0,
            enum_lists(d, "x-extensible-enum").1,
            property,
        ) {
            for value in missing(base, revision) {
                ctx.emit(
                    "request-property-x-extensible-enum-value-removed",
                    vec![show(value), p.to_string()],
                    Some(d),
                );
            }
        }
    }
}

fn parameter_enum(ctx: &mut Ctx, d: &SchemaDiff, location: &str, name: &str) {
    let (l, n) = (location.to_string(), name.to_string());
    if d.keyword_changed("enum") {
        match enum_lists(d, "enum") {
            (None, Some(_)) => ctx.emit(
                "request-parameter-became-enum",
                vec![l.clone(), n.clone()],
                Some(d),
            ),
            (Some(base), Some(revision)) => {
                for value in missing(base, revision) {
                    ctx.emit(
                        "request-parameter-enum-value-removed",
                        vec![show(value), l.clone(), n.clone()],
                        Some(d),
                    );
                }
                for value in missing(revision, base) {
                    ctx.emit(
                        "request-parameter-enum-value-added",
                        vec![show(value), l.clone(), n.clone()],
                        Some(d),
                    );
                }
            }
            _ => {}
        }
    }
    if d.keyword_changed("x-extensible-enum") {
        if let (Some(base), Some(revision)) = enum_lists(d, "x-extensible-enum") {
            for value in missing(base, revision) {
                ctx.emit(
                    "request-parameter-x-extensible-enum-value-removed",
                    vec![show(value), l.clone(), n.clone()],
                    Some(d),
                );
            }
        }
    }
}

fn parameter_property_enum(ctx: &mut Ctx, node: &Node, location: &str, name: &str) {
    let d = node.diff;
    if !d.keyword_changed("enum") {
        return;
    }
    match enum_lists(d, "enum") {
        (None, Some(_)) if location == "header" => {
            ctx.emit(
                "request-header-property-became-enum",
                vec![name.to_string(), node.full_name.clone()],
                Some(d),
            );
        }
        (Some(base), Some(revision)) => {
            let tail = vec![
                node.full_name.clone(),
                location.to_string(),
                name.to_string(),
            ];
            for value in missing(base, revision) {
                let mut args = vec![show(value)];
                args.extend(tail.clone());
                ctx.emit(
                    "request-parameter-property-enum-value-removed",
                    args,
                    Some(d),
                );
            }
            for value in missing(revision, base) {
                let mut args = vec![show(value)];
                args.extend(tail.clone());
                ctx.emit("request-parameter-property-enum-value-added", args, Some(d));
            }
        }
        _ => {}
    }
}

/// `default` and `const` at a body root (args lead with the media type) or a
/// property.
fn default_and_const(ctx: &mut Ctx, d: &SchemaDiff, property: Option<&str>) {
    for (keyword, name) in [("default", "default-value"), ("const", "const")] {
        if !d.keyword_changed(keyword) {
            continue;
        }
        let (what, values) = match (d.base.get(keyword), d.revision.get(keyword)) {
            (Some(b), Some(r)) => ("changed", vec![show(b), show(r)]),
            (None, Some(r)) => ("added", vec![show(r)]),
            (Some(b), None) => ("removed", vec![show(b)]),
            _ => continue,
        };
        let side = ctx.side();
        let (id, lead) = match property {
            None => (
                format!("{side}-body-{name}-{what}"),
                vec![ctx.media_type().to_string()],
            ),
            Some(p) => (
                format!("{side}-property-{name}-{what}"),
                vec![p.to_string()],
            ),
        };
        let args = ctx.args(lead, None, values);
        ctx.emit(&id, args, Some(d));
    }
}
