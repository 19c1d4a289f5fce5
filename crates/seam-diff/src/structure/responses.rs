//! An operation's responses across versions: success (2xx) and non-success
//! statuses added or removed, media types added, removed or renamed
//! (generalised, specialised, parameters changed), a media type's schema added
//! or removed, response headers added, removed or made optional. Schema
//! changes (bodies and headers) are [`crate::schema`]'s.

use super::bodies::content::{self, ContentDiff};
use crate::change::Change;
use crate::context::Pair;
use seam_openapi::model::{Header, Response, StatusKey};
use seam_openapi::Operation;

/// Where one operation's response findings go.
struct Site<'p, 'a> {
    pair: &'p Pair<'a>,
    label: &'p str,
    out: &'p mut Vec<Change>,
}

impl Site<'_, '_> {
    fn emit(&mut self, id: &str, args: Vec<String>, base: &str, revision: &str) {
        let change = self
            .pair
            .change(id, Some(self.label), args, Some(base), Some(revision));
        self.out.push(change);
    }
}

/// Every response change of one operation (schema changes are [`crate::schema`]'s).
pub(crate) fn diff_responses(
    pair: &Pair,
    label: &str,
    base: &Operation,
    revision: &Operation,
    out: &mut Vec<Change>,
) {
    let mut site = Site { pair, label, out };
    for before in &base.responses {
        match response_at(revision, before.status) {
            Some(now) => diff_response(&mut site, before, now),
            None => status_changed(
                &mut site,
                before,
                "removed",
                &before.pointer,
                &revision.pointer,
            ),
        }
    }
    for now in &revision.responses {
        if response_at(base, now.status).is_none() {
            status_changed(&mut site, now, "added", &base.pointer, &now.pointer);
        }
    }
}

fn response_at(operation: &Operation, status: StatusKey) -> Option<&Response> {
    operation.responses.iter().find(|r| r.status == status)
}

fn header<'r>(response: &'r Response, name: &str) -> Option<&'r Header> {
    response
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
}

/// A response status added or removed: success ones (2xx) break or widen
/// what clients handle, the rest are for information. Ranges (`4XX`) and
/// `default` are not statuses and are not reported, as in oasdiff.
fn status_changed(site: &mut Site, response: &Response, what: &str, base: &str, revision: &str) {
    let StatusKey::Code(code) = response.status else {
        return;
    };
    let kind = if (200..=299).contains(&code) {
        "success"
    } else {
        "non-success"
    };
    let id = format!("response-{kind}-status-{what}");
    site.emit(&id, vec![code.to_string()], base, revision);
}

/// One status present in both versions: its media types and headers.
fn diff_response(site: &mut Site, before: &Response, now: &Response) {
    let status = now.status.to_string();
    let ContentDiff {
        added,
        removed,
        kept,
    } = content::diff_content(&before.content, &now.content);
    for media in removed {
        site.emit(
            "response-media-type-removed",
            vec![media.media_type.clone(), status.clone()],
            &media.pointer,
            &now.pointer,
        );
    }
    for media in added {
        site.emit(
            "response-media-type-added",
            vec![media.media_type.clone(), status.clone()],
            &before.pointer,
            &media.pointer,
        );
    }
    for (was, is) in kept {
        if was.media_type != is.media_type {
            let id = renamed_media_type(&was.media_type, &is.media_type);
            site.emit(
                id,
                vec![
                    was.media_type.clone(),
                    is.media_type.clone(),
                    status.clone(),
                ],
                &was.pointer,
                &is.pointer,
            );
        }
        let id = match (&was.schema, &is.schema) {
            (None, Some(_)) => "response-body-media-type-schema-added",
            (Some(_), None) => "response-body-media-type-schema-removed",
            _ => continue,
        };
        site.emit(
            id,
            vec![is.media_type.clone(), status.clone()],
            &was.pointer,
            &is.pointer,
        );
    }
    diff_headers(site, before, now, &status);
}

/// The rule for a media type renamed: its parameters changed (no order), it
/// became more specific (`application/json` → `application/problem+json`:
/// clients still understand it), or more general (they may not).
fn renamed_media_type(from: &str, to: &str) -> &'static str {
    let parameters = |name: &str| content::parse(name).map(|parsed| parsed.parameters);
    if parameters(from) != parameters(to) {
        "response-media-type-name-changed"
    } else if content::contains(from, to) {
        "response-media-type-name-specialized"
    } else {
        "response-media-type-name-generalized"
    }
}

/// Response headers added, removed, or no longer required (names compared
/// case-insensitively, as HTTP does).
fn diff_headers(site: &mut Site, before: &Response, now: &Response, status: &str) {
    for was in &before.headers {
        let args = vec![was.name.clone(), status.to_string()];
        match header(now, &was.name) {
            None => {
                let id = if was.required {
                    "required-response-header-removed"
                } else {
                    "optional-response-header-removed"
                };
                site.emit(id, args, &was.pointer, &now.pointer);
            }
            Some(is) if was.required && !is.required => {
                site.emit(
                    "response-header-became-optional",
                    args,
                    &was.pointer,
                    &is.pointer,
                );
            }
            Some(_) => {}
        }
    }
    for is in &now.headers {
        if header(before, &is.name).is_none() {
            site.emit(
                "response-header-added",
                vec![is.name.clone(), status.to_string()],
                &before.pointer,
                &is.pointer,
            );
        }
    }
}
