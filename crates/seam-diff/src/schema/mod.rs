//! Changes inside schemas: at one site of one operation (a request body media
//! type, a response body, a parameter, a response header) the two schemas are
//! paired into a tree of differences ([`walk`]), and each family of oasdiff's
//! schema rules reads that tree ([`properties`], [`types`], [`bounds`],
//! [`enums`], [`composition`], [`lifecycle`]).
//!
//! The site decides the rule ids: a request body reports `request-body-*` at its
//! root and `request-property-*` below, a response body `response-body-*` /
//! `response-property-*` with the status, a parameter `request-parameter-*`, a
//! response header `response-header-*`. Property names are paths as oasdiff
//! writes them (`data/items/qty`, `allOf[#/components/schemas/Dog]/breed`).

mod bounds;
mod composition;
mod enums;
mod lifecycle;
mod properties;
mod types;
pub mod walk;

use crate::change::Change;
use crate::context::Pair;
use crate::rules;
use seam_openapi::model::Operation;
use serde_json::Value;
use std::collections::HashSet;
use walk::{SchemaDiff, Walker};

/// Where a schema sits in an operation.
pub enum SchemaSite<'a> {
    RequestBody {
        media_type: &'a str,
    },
    ResponseBody {
        status: &'a str,
        media_type: &'a str,
    },
    Parameter {
        location: &'a str,
        name: &'a str,
    },
    ResponseHeader {
        status: &'a str,
        name: &'a str,
    },
}

/// Every schema-level change between the two schemas at one site of one
/// operation. `None` on a side means the site has no schema there (existence
/// changes are reported elsewhere); values are as written (may be `$ref`).
pub fn diff_schema<'a>(
    pair: &Pair<'a>,
    operation: &str,
    revision_operation: &Operation,
    site: &SchemaSite,
    base: Option<(&'a Value, &str)>,
    revision: Option<(&'a Value, &str)>,
    out: &mut Vec<Change>,
) {
    let (Some((base_value, base_pointer)), Some((revision_value, revision_pointer))) =
        (base, revision)
    else {
        return;
    };
    let mut walker = Walker::new(
        pair.base,
        pair.revision,
        pair.options.match_inline_refs,
        &pair.schemas,
    );
    let base_schema = walker.base_schema(base_value, base_pointer);
    let revision_schema = walker.revision_schema(revision_value, revision_pointer);
    let Some(diff) = walker.diff(base_schema, revision_schema) else {
        return;
    };
    let mut ctx = Ctx {
        pair,
        operation,
        revision_operation,
        site,
        out,
    };
    if properties::wrapped_in_one_of(&mut ctx, &diff) {
        return;
    }
    let nodes = modified_nodes(&diff);
    properties::check(&mut ctx, &diff, &nodes);
    types::check(&mut ctx, &diff, &nodes);
    bounds::check(&mut ctx, &diff, &nodes);
    enums::check(&mut ctx, &diff, &nodes);
    composition::check(&mut ctx, &diff, &nodes, &mut walker);
    lifecycle::check(&mut ctx, &nodes);
}

/// A request or a response: which way a narrowing breaks clients.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Direction {
    Request,
    Response,
}

/// One diff run at one site: where findings go and how they are named.
pub(crate) struct Ctx<'p, 'a> {
    pub pair: &'p Pair<'a>,
    pub operation: &'p str,
    /// The operation in the revision (its `x-stability-level` sets the
    /// deprecation window).
    pub revision_operation: &'p Operation,
    pub site: &'p SchemaSite<'p>,
    pub out: &'p mut Vec<Change>,
}

impl Ctx<'_, '_> {
    pub fn direction(&self) -> Direction {
        match self.site {
            SchemaSite::RequestBody { .. } | SchemaSite::Parameter { .. } => Direction::Request,
            _ => Direction::Response,
        }
    }

    pub fn is_body(&self) -> bool {
        matches!(
            self.site,
            SchemaSite::RequestBody { .. } | SchemaSite::ResponseBody { .. }
        )
    }

    /// `request` or `response`.
    pub fn side(&self) -> &'static str {
        match self.direction() {
            Direction::Request => "request",
            Direction::Response => "response",
        }
    }

    pub fn status(&self) -> Option<&str> {
        match self.site {
            SchemaSite::ResponseBody { status, .. } | SchemaSite::ResponseHeader { status, .. } => {
                Some(status)
            }
            _ => None,
        }
    }

    pub fn media_type(&self) -> &str {
        match self.site {
            SchemaSite::RequestBody { media_type }
            | SchemaSite::ResponseBody { media_type, .. } => media_type,
            _ => "",
        }
    }

    /// Reports rule `id` located at the diff's two schemas. Args beyond the
    /// message's placeholders are dropped (so callers may always pass the
    /// response status last; some response-body messages do not name it).
    pub fn emit(&mut self, id: &str, args: Vec<String>, at: Option<&SchemaDiff>) {
        let Some(rule) = rules::get(id) else {
            return;
        };
        let placeholders = rule.message.matches("%s").count() + rule.message.matches("%v").count();
        let mut args = args;
        args.truncate(placeholders);
        let change = self.pair.change(
            id,
            Some(self.operation),
            args,
            at.map(|d| d.base.pointer.as_str()),
            at.map(|d| d.revision.pointer.as_str()),
        );
        self.out.push(change);
    }

    /// Reports rule `id` located by explicit pointers.
    pub fn emit_at(
        &mut self,
        id: &str,
        args: Vec<String>,
        base: Option<&str>,
        revision: Option<&str>,
    ) {
        let Some(rule) = rules::get(id) else {
            return;
        };
        let placeholders = rule.message.matches("%s").count() + rule.message.matches("%v").count();
        let mut args = args;
        args.truncate(placeholders);
        let change = self
            .pair
            .change(id, Some(self.operation), args, base, revision);
        self.out.push(change);
    }

    /// The status as an arg ("" for requests; dropped by [`Ctx::emit`] when the
    /// message has no place for it).
    pub fn status_arg(&self) -> String {
        self.status().unwrap_or("").to_string()
    }

    /// Args in the shape most schema messages take: `lead`, then the property
    /// name (property rules only), then `rest`, then the response status.
    pub fn args(
        &self,
        lead: Vec<String>,
        property: Option<&str>,
        rest: Vec<String>,
    ) -> Vec<String> {
        let mut args = lead;
        args.extend(property.map(str::to_string));
        args.extend(rest);
        args.extend(self.status().map(str::to_string));
        args
    }
}

/// A modified schema below the root, named the way oasdiff names it.
pub(crate) struct Node<'d, 'a> {
    /// `data/items/qty`, `allOf[#/components/schemas/Dog]/breed`, `items/`.
    pub full_name: String,
    /// The property name ("" for `items`, a branch and the like).
    pub name: String,
    /// The path its own properties are named under (`data/items`).
    pub path_below: String,
    pub diff: &'d SchemaDiff<'a>,
    pub parent: &'d SchemaDiff<'a>,
}

/// Every modified schema under the root, in oasdiff's walk order: branches of
/// allOf/anyOf/oneOf, items, properties, additionalProperties, then the 2020-12
/// subschemas.
///
/// A component's diff reached by several paths is listed under each (as
/// oasdiff names `billing/zip` and `shipping/zip`) until the site has
/// [`REPEATS_UNTIL`] nodes; past that, only under the first path that reaches
/// it, so a change in a component reachable by millions of paths (Stripe's
/// expandable objects) is reported once per site, not once per path.
pub(crate) fn modified_nodes<'d, 'a>(root: &'d SchemaDiff<'a>) -> Vec<Node<'d, 'a>> {
    let mut walk = NodeWalk {
        nodes: Vec::new(),
        seen: HashSet::new(),
    };
    collect(&mut walk, "", "", root, None, 0);
    walk.nodes
}

const MAX_DEPTH: usize = 64;
const REPEATS_UNTIL: usize = 64;

struct NodeWalk<'d, 'a> {
    nodes: Vec<Node<'d, 'a>>,
    /// The diffs already listed (shared diffs are one allocation).
    seen: HashSet<*const SchemaDiff<'a>>,
}

fn collect<'d, 'a>(
    walk: &mut NodeWalk<'d, 'a>,
    path: &str,
    name: &str,
    diff: &'d SchemaDiff<'a>,
    parent: Option<&'d SchemaDiff<'a>>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let first_time = walk.seen.insert(diff as *const SchemaDiff<'a>);
    if !first_time && walk.nodes.len() >= REPEATS_UNTIL {
        return;
    }
    let path_below = if name.is_empty() {
        path.to_string()
    } else {
        join(path, name)
    };
    if let Some(parent) = parent {
        if !name.is_empty() || !path.is_empty() {
            walk.nodes.push(Node {
                full_name: full_name(path, name),
                name: name.to_string(),
                path_below: path_below.clone(),
                diff,
                parent,
            });
        }
    }
    let path = path_below;
    for keyword in ["allOf", "anyOf", "oneOf"] {
        for branch in &diff.branches(keyword).modified {
            let label = format!("{keyword}[{}]", branch.name());
            collect(
                walk,
                &join(&path, &label),
                "",
                &branch.diff,
                Some(diff),
                depth + 1,
            );
        }
    }
    if let Some(items) = diff.child("items") {
        collect(
            walk,
            &join(&path, "items"),
            "",
            items,
            Some(diff),
            depth + 1,
        );
    }
    for (property, child) in &diff.properties.modified {
        collect(walk, &path, property, child, Some(diff), depth + 1);
    }
    if let Some(child) = diff.child("additionalProperties") {
        collect(
            walk,
            &join(&path, "additionalProperties"),
            "",
            child,
            Some(diff),
            depth + 1,
        );
    }
    for branch in &diff.prefix_items.modified {
        let label = format!("{path}/prefixItems[{}]", branch.name());
        collect(walk, &label, "", &branch.diff, Some(diff), depth + 1);
    }
    for keyword in [
        "contains",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "if",
        "then",
        "else",
        "not",
        "contentSchema",
    ] {
        if let Some(child) = diff.child(keyword) {
            collect(
                walk,
                &format!("{path}/{keyword}"),
                "",
                child,
                Some(diff),
                depth + 1,
            );
        }
    }
    for (pattern, child) in &diff.pattern_properties.modified {
        let label = format!("{path}/patternProperties[{pattern}]");
        collect(walk, &label, "", child, Some(diff), depth + 1);
    }
    for (property, child) in &diff.dependent_schemas.modified {
        let label = format!("{path}/dependentSchemas[{property}]");
        collect(walk, &label, "", child, Some(diff), depth + 1);
    }
}

/// oasdiff's `propertyFullName`: `path/name`, or `name` at the top.
pub(crate) fn full_name(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}/{name}")
    }
}

/// `path/segment` without a leading slash when the path is empty.
pub(crate) fn join(path: &str, segment: &str) -> String {
    if path.is_empty() {
        segment.to_string()
    } else {
        format!("{path}/{segment}")
    }
}

/// A JSON value as an arg: strings bare, everything else as JSON.
pub(crate) fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
