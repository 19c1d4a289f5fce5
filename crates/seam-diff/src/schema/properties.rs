//! Object properties: added and removed (new required/optional request
//! property, response required/optional property), `required` changes,
//! nullability (3.0 `nullable`, 3.1 `"null"` in `type`), `readOnly`/`writeOnly`
//! changes, and a body restructured into a `oneOf`.

use super::walk::{Schema, SchemaDiff};
use super::{full_name, Ctx, Direction, Node, SchemaSite};

pub(crate) fn check<'d, 'a>(
    ctx: &mut Ctx<'_, 'a>,
    root: &'d SchemaDiff<'a>,
    nodes: &[Node<'d, 'a>],
) {
    if ctx.is_body() {
        added_and_removed(ctx, root, nodes);
        required_changes(ctx, root, "", root);
        for node in nodes {
            required_changes(ctx, node.diff, &node.full_name, node.diff);
            read_write_only(ctx, node);
        }
    }
    header_property_became_required(ctx, root, nodes);
    nullability(ctx, root, nodes);
}

/// A property added or removed somewhere under the root.
struct Membership<'d, 'a> {
    path: String,
    name: String,
    schema: Schema<'a>,
    parent: &'d SchemaDiff<'a>,
}

/// The properties added (or deleted) in the root and in every modified node
/// below it, named under the node's path.
fn memberships<'d, 'a>(
    root: &'d SchemaDiff<'a>,
    nodes: &[Node<'d, 'a>],
    added: bool,
) -> Vec<Membership<'d, 'a>> {
    let levels =
        std::iter::once(("", root)).chain(nodes.iter().map(|n| (n.path_below.as_str(), n.diff)));
    let mut out = Vec::new();
    for (path, diff) in levels {
        let list = if added {
            &diff.properties.added
        } else {
            &diff.properties.deleted
        };
        for (name, schema) in list {
            out.push(Membership {
                path: path.to_string(),
                name: name.clone(),
                schema: schema.clone(),
                parent: diff,
            });
        }
    }
    out
}

fn added_and_removed<'d, 'a>(
    ctx: &mut Ctx<'_, 'a>,
    root: &'d SchemaDiff<'a>,
    nodes: &[Node<'d, 'a>],
) {
    let removed = memberships(root, nodes, false);
    let added = memberships(root, nodes, true);
    let status = ctx.status_arg();
    match ctx.direction() {
        Direction::Request => {
            for m in removed {
                if m.schema.flag("readOnly") {
                    continue;
                }
                let name = full_name(&m.path, &m.name);
                ctx.emit_at(
                    "request-property-removed",
                    vec![name],
                    Some(&m.schema.pointer),
                    None,
                );
            }
            for m in added {
                if m.schema.flag("readOnly") {
                    continue;
                }
                let id = if m.parent.revision.is_required(&m.name) {
                    if m.schema.get("default").is_some() {
                        "new-required-request-property-with-default"
                    } else {
                        "new-required-request-property"
                    }
                } else {
                    "new-optional-request-property"
                };
                let name = full_name(&m.path, &m.name);
                ctx.emit_at(id, vec![name], None, Some(&m.schema.pointer));
            }
        }
        Direction::Response => {
            for m in removed {
                let write_only = m.schema.flag("writeOnly");
                let id = match (m.parent.base.is_required(&m.name), write_only) {
                    (true, false) => "response-required-property-removed",
                    (true, true) => "response-required-write-only-property-removed",
                    (false, false) => "response-optional-property-removed",
                    (false, true) => "response-optional-write-only-property-removed",
                };
                let name = full_name(&m.path, &m.name);
                ctx.emit_at(
                    id,
                    vec![name, status.clone()],
                    Some(&m.schema.pointer),
                    None,
                );
            }
            for m in added {
                let write_only = m.schema.flag("writeOnly");
                let id = match (m.parent.revision.is_required(&m.name), write_only) {
                    (true, false) => "response-required-property-added",
                    (true, true) => "response-required-write-only-property-added",
                    (false, false) => "response-optional-property-added",
                    (false, true) => "response-optional-write-only-property-added",
                };
                let name = full_name(&m.path, &m.name);
                ctx.emit_at(
                    id,
                    vec![name, status.clone()],
                    None,
                    Some(&m.schema.pointer),
                );
            }
        }
    }
}

/// A property (present in both versions) that became required or optional.
fn required_changes<'a>(
    ctx: &mut Ctx<'_, 'a>,
    diff: &SchemaDiff<'a>,
    path: &str,
    at: &SchemaDiff<'a>,
) {
    if !diff.keyword_changed("required") {
        return;
    }
    let base_required = diff.base.required();
    let revision_required = diff.revision.required();
    let base_props = diff.base.properties();
    let revision_props = diff.revision.properties();
    let status = ctx.status_arg();
    for name in revision_required
        .iter()
        .filter(|n| !base_required.contains(n))
    {
        let (Some(_), Some(revision_property)) = (
            base_props.and_then(|p| p.get(*name)),
            revision_props.and_then(|p| p.get(*name)),
        ) else {
            continue;
        };
        let property = resolved(ctx, revision_property);
        let full = full_name(path, name);
        match ctx.direction() {
            Direction::Request => {
                if property.get("readOnly").and_then(|v| v.as_bool()) == Some(true) {
                    continue;
                }
                let id = if property.get("default").is_some() {
                    "request-property-became-required-with-default"
                } else {
                    "request-property-became-required"
                };
                ctx.emit(id, vec![full], Some(at));
            }
            Direction::Response => {
                let id = if property.get("writeOnly").and_then(|v| v.as_bool()) == Some(true) {
                    "response-write-only-property-became-required"
                } else {
                    "response-property-became-required"
                };
                ctx.emit(id, vec![full, status.clone()], Some(at));
            }
        }
    }
    for name in base_required
        .iter()
        .filter(|n| !revision_required.contains(n))
    {
        let (Some(_), Some(revision_property)) = (
            base_props.and_then(|p| p.get(*name)),
            revision_props.and_then(|p| p.get(*name)),
        ) else {
            continue;
        };
        let property = resolved(ctx, revision_property);
        let full = full_name(path, name);
        match ctx.direction() {
            Direction::Request => {
                if property.get("readOnly").and_then(|v| v.as_bool()) == Some(true) {
                    continue;
                }
                ctx.emit("request-property-became-optional", vec![full], Some(at));
            }
            Direction::Response => {
                let id = if property.get("writeOnly").and_then(|v| v.as_bool()) == Some(true) {
                    "response-write-only-property-became-optional"
                } else {
                    "response-property-became-optional"
                };
                ctx.emit(id, vec![full, status.clone()], Some(at));
            }
        }
    }
}

fn resolved<'a>(ctx: &Ctx<'_, 'a>, value: &'a serde_json::Value) -> &'a serde_json::Value {
    crate::context::resolve(ctx.pair.revision, value, "").0
}

/// Request header parameters whose object schema made a property required.
fn header_property_became_required(ctx: &mut Ctx, root: &SchemaDiff, nodes: &[Node]) {
    let SchemaSite::Parameter {
        location: "header",
        name,
    } = ctx.site
    else {
        return;
    };
    let name = name.to_string();
    let check_one = |ctx: &mut Ctx, diff: &SchemaDiff, path: &str| {
        if !diff.keyword_changed("required") {
            return;
        }
        let base_required = diff.base.required();
        for added in diff.revision.required() {
            if base_required.contains(&added) {
                continue;
            }
            ctx.emit(
                "request-header-property-became-required",
                vec![name.clone(), full_name(path, added)],
                Some(diff),
            );
        }
    };
    check_one(ctx, root, "");
    for node in nodes {
        check_one(ctx, node.diff, &node.full_name);
    }
}

fn read_write_only(ctx: &mut Ctx, node: &Node) {
    if node.name.is_empty() {
        return;
    }
    let d = node.diff;
    let required = node.parent.revision.is_required(&node.name);
    let kind = if required { "required" } else { "optional" };
    let side = ctx.side();
    let status = ctx.status_arg();
    for (keyword, label) in [("readOnly", "read-only"), ("writeOnly", "write-only")] {
        if !d.keyword_changed(keyword) {
            continue;
        }
        let became = if d.revision.flag(keyword) {
            label.to_string()
        } else {
            format!("not-{label}")
        };
        let id = format!("{side}-{kind}-property-became-{became}");
        ctx.emit(&id, vec![node.full_name.clone(), status.clone()], Some(d));
    }
}

fn nullability(ctx: &mut Ctx, root: &SchemaDiff, nodes: &[Node]) {
    let status = ctx.status_arg();
    let became = |d: &SchemaDiff| -> Option<bool> {
        let (b, r) = (d.base.nullable(), d.revision.nullable());
        (b != r).then_some(r)
    };
    match ctx.site {
        SchemaSite::RequestBody { .. } | SchemaSite::ResponseBody { .. } => {
            let side = ctx.side();
            if let Some(nullable) = became(root) {
                let id = format!("{side}-body-became-{}", nullable_word(nullable));
                ctx.emit(&id, vec![status.clone()], Some(root));
            }
            for node in nodes {
                if let Some(nullable) = became(node.diff) {
                    let id = format!("{side}-property-became-{}", nullable_word(nullable));
                    ctx.emit(
                        &id,
                        vec![node.full_name.clone(), status.clone()],
                        Some(node.diff),
                    );
                }
            }
        }
        SchemaSite::Parameter { location, name } => {
            let (location, name) = (location.to_string(), name.to_string());
            if let Some(nullable) = became(root) {
                let id = format!("request-parameter-became-{}", nullable_word(nullable));
                ctx.emit(&id, vec![location.clone(), name.clone()], Some(root));
            }
            for node in nodes.iter().filter(|n| !n.name.is_empty()) {
                if let Some(nullable) = became(node.diff) {
                    let id = format!(
                        "request-parameter-property-became-{}",
                        nullable_word(nullable)
                    );
                    ctx.emit(
                        &id,
                        vec![node.full_name.clone(), location.clone(), name.clone()],
                        Some(node.diff),
                    );
                }
            }
        }
        SchemaSite::ResponseHeader { name, .. } => {
            if let Some(nullable) = became(root) {
                let id = format!("response-header-became-{}", nullable_word(nullable));
                ctx.emit(&id, vec![name.to_string(), status], Some(root));
            }
        }
    }
}

fn nullable_word(nullable: bool) -> &'static str {
    if nullable {
        "nullable"
    } else {
        "not-nullable"
    }
}

/// A body whose object schema was replaced by a `oneOf` of object variants:
/// oasdiff reports the restructuring once instead of every property change.
pub(crate) fn wrapped_in_one_of(ctx: &mut Ctx, root: &SchemaDiff) -> bool {
    if !ctx.is_body() {
        return false;
    }
    let (b, r) = (&root.base, &root.revision);
    let base_is_object = b.types() == ["object"] || b.properties().is_some();
    let base_has_composition = ["oneOf", "anyOf", "allOf"]
        .iter()
        .any(|k| b.get(k).is_some());
    let revision_variants = r
        .get("oneOf")
        .and_then(|v| v.as_array())
        .map_or(0, Vec::len);
    let revision_flat = r.properties().is_none() && r.types().is_empty();
    if !base_is_object || base_has_composition || revision_variants == 0 || !revision_flat {
        return false;
    }
    let id = format!("{}-body-wrapped-in-one-of", ctx.side());
    ctx.emit(&id, vec![], Some(root));
    true
}
