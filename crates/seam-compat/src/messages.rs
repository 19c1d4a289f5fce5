//! Message interactions (v3 `messages`, v4 asynchronous and synchronous
//! messages). OpenAPI describes messages only as the requests an API makes to
//! its consumers: 3.1 `webhooks` and operation `callbacks`. An asynchronous
//! message is checked against the one whose name or `operationId` equals the
//! message's description (or its metadata's `operationId`/`webhook`); with none,
//! it is reported not checked (a warning), never guessed.

use crate::codes;
use crate::http::{pact_path, Context};
use crate::Checker;
use seam_core::http::Body;
use seam_core::interaction::MessageSpec;
use seam_openapi::conform::{self, Segment, ViolationKind};
use seam_openapi::model::Operation;
use seam_openapi::schema::Direction;

/// A message with nothing in the spec to check it against.
pub(crate) fn not_checked(ctx: &mut Context<'_>, why: &str) {
    ctx.push(
        codes::MESSAGE_NOT_CHECKED,
        "",
        None,
        None,
        format!("not checked: {why}"),
    );
}

/// The webhook or callback operation a message names.
fn counterpart<'s>(
    checker: &'s Checker<'_>,
    message: &MessageSpec,
    description: &str,
) -> Option<(&'s Operation, String)> {
    let mut names = vec![description.to_string()];
    for key in ["operationId", "webhook", "callback"] {
        if let Some(v) = message.message.metadata.get(key).and_then(|v| v.as_str()) {
            names.push(v.to_string());
        }
    }
    let named = |name: &str, op: &Operation| {
        names
            .iter()
            .any(|n| n == name || op.operation_id.as_deref() == Some(n.as_str()))
    };
    let spec = checker.spec;
    if let Some(op) = spec.webhooks.iter().find(|op| named(&op.path, op)) {
        return Some((op, format!("webhook `{}`", op.path)));
    }
    spec.operations.iter().find_map(|parent| {
        parent.callbacks.iter().find_map(|cb| {
            cb.operations
                .iter()
                .find(|op| named(&cb.name, op))
                .map(|op| (op, format!("callback `{}` of {}", cb.name, parent.label())))
        })
    })
}

/// An asynchronous message's contents against its webhook's or callback's
/// request body.
pub(crate) fn check_async(checker: &Checker<'_>, ctx: &mut Context<'_>, message: &MessageSpec) {
    let Some((op, name)) = counterpart(checker, message, ctx.interaction) else {
        not_checked(
            ctx,
            "no webhook or callback in the spec is named by the message's description or metadata (`operationId`, `webhook`)",
        );
        return;
    };
    ctx.operation = Some(name);
    let Body::Json(value) = &message.message.contents else {
        return;
    };
    let content_type = message
        .message
        .content_type
        .as_ref()
        .map(|c| c.essence())
        .unwrap_or_else(|| "application/json".into());
    let Some(schema) = op
        .request_body
        .as_ref()
        .and_then(|b| conform::match_media_type(&b.content, &content_type))
        .and_then(|m| m.schema.as_ref())
    else {
        not_checked(ctx, "its webhook or callback declares no JSON request body");
        return;
    };
    for v in checker.request_schemas.validate_at(
        schema,
        Direction::Request,
        value,
        &[Segment::from("contents")],
        ViolationKind::Body,
    ) {
        ctx.push(
            codes::MESSAGE_BODY_INCOMPATIBLE,
            &pact_path("", &v.location),
            Some(checker.locate(&v.pointer)),
            None,
            v.to_string(),
        );
    }
}
