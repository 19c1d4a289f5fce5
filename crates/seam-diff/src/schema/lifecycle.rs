//! The life cycle of a property: deprecated (with or without an `x-sunset`
//! date, checked against the operation's deprecation window), reactivated, and
//! its `x-stability-level` raised or lowered.

use super::walk::SchemaDiff;
use super::{Ctx, Node};
use crate::lifecycle::{self, parse_sunset};

pub(crate) fn check(ctx: &mut Ctx, nodes: &[Node]) {
    if !ctx.is_body() {
        return;
    }
    for node in nodes.iter().filter(|n| !n.name.is_empty()) {
        deprecation(ctx, node);
        stability(ctx, node.diff, &node.full_name);
    }
}

fn deprecation(ctx: &mut Ctx, node: &Node) {
    let d = node.diff;
    if !d.keyword_changed("deprecated") {
        return;
    }
    let side = ctx.side();
    let name = node.full_name.clone();
    if !d.revision.flag("deprecated") {
        if d.base.flag("deprecated") {
            ctx.emit(&format!("{side}-property-reactivated"), vec![name], Some(d));
        }
        return;
    }
    let days = required_days(ctx);
    match d.revision.get("x-sunset") {
        None => {
            let id = if days > 0 {
                format!("{side}-property-deprecated-sunset-missing")
            } else {
                format!("{side}-property-deprecated")
            };
            ctx.emit(&id, vec![name], Some(d));
        }
        Some(sunset) => match parse_sunset(sunset) {
            Err(error) => {
                let id = format!("{side}-property-deprecated-sunset-invalid");
                ctx.emit(&id, vec![name, error], Some(d));
            }
            Ok(date) => {
                let today = ctx.pair.options.today;
                let written = sunset.as_str().unwrap_or_default().to_string();
                if days > 0 && (date - today).num_days() < i64::from(days) {
                    let id = format!("{side}-property-sunset-date-too-small");
                    ctx.emit(&id, vec![name, written, days.to_string()], Some(d));
                } else {
                    let id = format!("{side}-property-deprecated-with-sunset");
                    ctx.emit(&id, vec![name, written], Some(d));
                }
            }
        },
    }
}

/// The deprecation window of the operation being diffed.
fn required_days(ctx: &Ctx) -> u32 {
    let stability = lifecycle::operation_stability(ctx.pair.revision, ctx.revision_operation);
    lifecycle::deprecation_days(ctx.pair.options, stability)
}

fn stability(ctx: &mut Ctx, d: &SchemaDiff, name: &str) {
    if !d.keyword_changed("x-stability-level") {
        return;
    }
    let levels = (
        lifecycle::parse_stability(d.base.get("x-stability-level")),
        lifecycle::parse_stability(d.revision.get("x-stability-level")),
    );
    let (from, to) = match levels {
        (Ok(Some(from)), Ok(Some(to))) => (from, to),
        (Err(error), _) | (_, Err(error)) => {
            ctx.emit("api-invalid-stability-level", vec![error], Some(d));
            return;
        }
        _ => return,
    };
    let what = if to > from { "increased" } else { "decreased" };
    let id = format!("{}-property-stability-{what}", ctx.side());
    ctx.emit(
        &id,
        vec![name.to_string(), from.to_string(), to.to_string()],
        Some(d),
    );
}
