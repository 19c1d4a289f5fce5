//! An operation's request body across versions: added (required or optional),
//! removed, became required or optional, media types added or removed, a media
//! type's schema added or removed. Schema changes are [`crate::schema`]'s;
//! `content` maps are paired by [`content`] (shared with the responses).

pub(crate) mod content;

use crate::change::Change;
use crate::context::Pair;
use seam_openapi::Operation;

/// Every request-body change of one operation (schema changes are [`crate::schema`]'s).
pub(crate) fn diff_request_body(
    pair: &Pair,
    label: &str,
    base: &Operation,
    revision: &Operation,
    out: &mut Vec<Change>,
) {
    let mut emit = |id: &str, args: Vec<String>, at: (Option<&str>, Option<&str>)| {
        out.push(pair.change(id, Some(label), args, at.0, at.1));
    };
    let (before, now) = match (&base.request_body, &revision.request_body) {
        (None, None) => return,
        (None, Some(now)) => {
            let id = if now.required {
                "request-body-added-required"
            } else {
                "request-body-added-optional"
            };
            return emit(id, vec![], (Some(&base.pointer), Some(&now.pointer)));
        }
        (Some(before), None) => {
            return emit(
                "request-body-removed",
                vec![],
                (Some(&before.pointer), Some(&revision.pointer)),
            );
        }
        (Some(before), Some(now)) => (before, now),
    };
    if before.required != now.required {
        let id = if now.required {
            "request-body-became-required"
        } else {
            "request-body-became-optional"
        };
        emit(id, vec![], (Some(&before.pointer), Some(&now.pointer)));
    }
    let media = content::diff_content(&before.content, &now.content);
    for added in &media.added {
        emit(
            "request-body-media-type-added",
            vec![added.media_type.clone()],
            (Some(&before.pointer), Some(&added.pointer)),
        );
    }
    for removed in &media.removed {
        emit(
            "request-body-media-type-removed",
            vec![removed.media_type.clone()],
            (Some(&removed.pointer), Some(&now.pointer)),
        );
    }
    for (was, is) in &media.kept {
        let id = match (&was.schema, &is.schema) {
            (None, Some(_)) => "request-body-media-type-schema-added",
            (Some(_), None) => "request-body-media-type-schema-removed",
            _ => continue,
        };
        emit(
            id,
            vec![is.media_type.clone()],
            (Some(&was.pointer), Some(&is.pointer)),
        );
    }
}
