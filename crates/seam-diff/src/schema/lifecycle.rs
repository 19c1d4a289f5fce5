//! The life cycle of a property: deprecated (with or without an `x-sunset`
//! date, checked against the operation's deprecation window), reactivated, and
//! its `x-stability-level` raised or lowered.

use super::walk::SchemaDiff;
use super::{Ctx, Node};
use crate::context::Stability;
use chrono::NaiveDate;
use serde_json::Value;

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

/// An `x-sunset` date: RFC 3339 full date or date-time.
fn parse_sunset(value: &Value) -> Result<NaiveDate, String> {
    let text = value.as_str().unwrap_or_default();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(text).map(|t| t.date_naive()))
        .map_err(|_| format!("sunset date doesn't conform with RFC3339: {text}"))
}

/// The deprecation window of the operation: beta operations use the beta
/// window, the rest the stable one.
fn required_days(ctx: &Ctx) -> u32 {
    let options = ctx.pair.options;
    match operation_stability(ctx) {
        Some(Stability::Beta) => options.deprecation_days_beta,
        _ => options.deprecation_days_stable,
    }
}

fn operation_stability(ctx: &Ctx) -> Option<Stability> {
    let spec = ctx.pair.revision;
    let operation = spec
        .operations
        .iter()
        .chain(spec.webhooks.iter())
        .find(|op| op.label() == ctx.operation)?;
    let pointer = operation
        .pointer
        .strip_prefix('#')
        .unwrap_or(&operation.pointer);
    spec.document
        .pointer(pointer)?
        .get("x-stability-level")?
        .as_str()?
        .parse()
        .ok()
}

fn stability(ctx: &mut Ctx, d: &SchemaDiff, name: &str) {
    if !d.keyword_changed("x-stability-level") {
        return;
    }
    let level = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .and_then(|s| s.parse::<Stability>().ok())
    };
    let (Some(from), Some(to)) = (
        level(d.base.get("x-stability-level")),
        level(d.revision.get("x-stability-level")),
    ) else {
        return;
    };
    let what = if to > from { "increased" } else { "decreased" };
    let id = format!("{}-property-stability-{what}", ctx.side());
    ctx.emit(
        &id,
        vec![name.to_string(), from.to_string(), to.to_string()],
        Some(d),
    );
}
