//! Operations across versions: added, removed (with or without deprecation, before or after their `x-sunset`), deprecated, reactivated, sunset dates, `x-stability-level`, operationId and tags.
//!
//! Stability also decides which operations the rest of the diff looks at:
//! [`stability_in_scope`] reports a level that cannot be read or that changed,
//! and keeps an operation out of every other check when either version of it
//! is below [`Options::stability_level`](crate::Options) (draft and alpha
//! operations may change freely by default).

use super::normalise_path;
use crate::change::Change;
use crate::context::{Pair, Stability};
use crate::lifecycle::{self, checked_operation_stability, parse_sunset};
use seam_openapi::model::pointer_join;
use seam_openapi::{Operation, Spec};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Operations added or removed between the versions. A removed operation is
/// an `api-path-*` change when its whole path went, an `api-*` one when other
/// methods of the path remain.
pub(crate) fn diff_endpoints(pair: &Pair, out: &mut Vec<Change>) {
    let base_paths = paths_by_shape(pair.base);
    let revision_paths = paths_by_shape(pair.revision);
    let keys = |ops: &[Operation]| -> HashSet<(String, String)> {
        ops.iter()
            .map(|op| (op.method.clone(), normalise_path(&op.path)))
            .collect()
    };
    let base_ops = keys(&pair.base.operations);
    let revision_ops = keys(&pair.revision.operations);
    for op in &pair.base.operations {
        let shape = normalise_path(&op.path);
        if !revision_ops.contains(&(op.method.clone(), shape.clone())) {
            removed(pair, op, !revision_paths.contains_key(&shape), out);
        }
    }
    for op in &pair.revision.operations {
        let shape = normalise_path(&op.path);
        if base_ops.contains(&(op.method.clone(), shape.clone())) {
            continue;
        }
        // A method added to a path both versions have is named by the base's
        // spelling of the path, like every other change of that path.
        let path = base_paths
            .get(&shape)
            .map_or(op.path.as_str(), String::as_str);
        let label = format!("{} {path}", op.method);
        out.push(pair.change(
            "endpoint-added",
            Some(&label),
            vec![],
            None,
            Some(&op.pointer),
        ));
    }
}

/// Every path of a spec (keys of `paths`, and the operations' paths), by
/// shape ([`normalise_path`]), as the spec spells it.
fn paths_by_shape(spec: &Spec) -> HashMap<String, String> {
    let written = spec
        .document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.keys());
    written
        .chain(spec.operations.iter().map(|op| &op.path))
        .map(|path| (normalise_path(path), path.clone()))
        .collect()
}

/// The rule ids of a removal: of a whole path, or of one method of a path
/// that remains.
struct RemovalIds {
    without_deprecation: &'static str,
    with_deprecation: &'static str,
    before_sunset: &'static str,
}

const PATH_REMOVED: RemovalIds = RemovalIds {
    without_deprecation: "api-path-removed-without-deprecation",
    with_deprecation: "api-path-removed-with-deprecation",
    before_sunset: "api-path-removed-before-sunset",
};

const OPERATION_REMOVED: RemovalIds = RemovalIds {
    without_deprecation: "api-removed-without-deprecation",
    with_deprecation: "api-removed-with-deprecation",
    before_sunset: "api-removed-before-sunset",
};

/// A removed operation: breaking unless it was deprecated and its sunset (if
/// it has one) has passed. Operations below the stability threshold may go
/// freely.
fn removed(pair: &Pair, op: &Operation, whole_path: bool, out: &mut Vec<Change>) {
    let label = op.label();
    let level = match checked_operation_stability(pair.base, op) {
        Ok(level) => level,
        Err(error) => {
            out.push(invalid_stability(pair, &label, error, Some(op), None));
            return;
        }
    };
    if level.unwrap_or(Stability::Stable) < pair.options.stability_level {
        return;
    }
    let ids = if whole_path {
        PATH_REMOVED
    } else {
        OPERATION_REMOVED
    };
    let base_pointer = Some(op.pointer.as_str());
    if !op.deprecated {
        out.push(pair.change(
            ids.without_deprecation,
            Some(&label),
            vec![],
            base_pointer,
            None,
        ));
        return;
    }
    let Some(sunset) = extension(pair.base, op, "x-sunset") else {
        out.push(pair.change(
            ids.with_deprecation,
            Some(&label),
            vec![],
            base_pointer,
            None,
        ));
        return;
    };
    let sunset_pointer = pointer_join(&op.pointer, "x-sunset");
    match parse_sunset(sunset) {
        Err(error) => out.push(pair.change(
            "api-path-sunset-parse",
            Some(&label),
            vec![error],
            Some(&sunset_pointer),
            None,
        )),
        Ok(date) if date > pair.options.today => out.push(pair.change(
            ids.before_sunset,
            Some(&label),
            vec![date.to_string()],
            Some(&sunset_pointer),
            None,
        )),
        Ok(_) => out.push(pair.change(
            ids.with_deprecation,
            Some(&label),
            vec![],
            base_pointer,
            None,
        )),
    }
}

/// An extension (`x-sunset`, ...) written on the operation.
fn extension<'s>(spec: &'s Spec, op: &Operation, key: &str) -> Option<&'s Value> {
    lifecycle::operation_object(spec, op)?
        .get(key)
        .filter(|v| !v.is_null())
}

/// `#/paths/.../get/<key>` when the operation has that key, else the operation.
fn field_pointer(spec: &Spec, op: &Operation, key: &str) -> String {
    match lifecycle::operation_object(spec, op).and_then(|o| o.get(key)) {
        Some(_) => pointer_join(&op.pointer, key),
        None => op.pointer.clone(),
    }
}

/// `api-invalid-stability-level` for the version(s) given.
fn invalid_stability(
    pair: &Pair,
    label: &str,
    error: String,
    base: Option<&Operation>,
    revision: Option<&Operation>,
) -> Change {
    let base_pointer = base.map(|op| field_pointer(pair.base, op, "x-stability-level"));
    let revision_pointer = revision.map(|op| field_pointer(pair.revision, op, "x-stability-level"));
    pair.change(
        "api-invalid-stability-level",
        Some(label),
        vec![error],
        base_pointer.as_deref(),
        revision_pointer.as_deref(),
    )
}

/// The stability pass of an operation present in both versions: an
/// `x-stability-level` that is not a level is reported (once per version);
/// a level that moved is `api-stability-decreased` or `-increased` when the
/// base's level was within the threshold. Returns whether the rest of the
/// diff should look at the operation: both levels readable and neither
/// below [`Options::stability_level`](crate::Options).
pub(crate) fn stability_in_scope(
    pair: &Pair,
    label: &str,
    base: &Operation,
    revision: &Operation,
    out: &mut Vec<Change>,
) -> bool {
    let base_level = checked_operation_stability(pair.base, base);
    let revision_level = checked_operation_stability(pair.revision, revision);
    let (base_level, revision_level) = match (base_level, revision_level) {
        (Ok(b), Ok(r)) => (
            b.unwrap_or(Stability::Stable),
            r.unwrap_or(Stability::Stable),
        ),
        (b, r) => {
            if let Err(error) = b {
                out.push(invalid_stability(pair, label, error, Some(base), None));
            }
            if let Err(error) = r {
                out.push(invalid_stability(pair, label, error, None, Some(revision)));
            }
            return false;
        }
    };
    let threshold = pair.options.stability_level;
    if base_level != revision_level && base_level >= threshold {
        let id = if revision_level < base_level {
            "api-stability-decreased"
        } else {
            "api-stability-increased"
        };
        out.push(pair.change(
            id,
            Some(label),
            vec![base_level.to_string(), revision_level.to_string()],
            Some(&field_pointer(pair.base, base, "x-stability-level")),
            Some(&field_pointer(pair.revision, revision, "x-stability-level")),
        ));
    }
    base_level >= threshold && revision_level >= threshold
}

/// What changed on an operation present in both versions (deprecation,
/// sunset, operationId, tags).
pub(crate) fn diff_operation(
    pair: &Pair,
    label: &str,
    base: &Operation,
    revision: &Operation,
    out: &mut Vec<Change>,
) {
    deprecation(pair, label, base, revision, out);
    sunset_changed(pair, label, base, revision, out);
    operation_id(pair, label, base, revision, out);
    tags(pair, label, base, revision, out);
}

/// ` (stability: beta)` when the operation states its level.
fn stability_detail(pair: &Pair, op: &Operation) -> String {
    lifecycle::operation_stability(pair.revision, op)
        .map(|level| format!(" (stability: {level})"))
        .unwrap_or_default()
}

/// `deprecated` switched on (with or without a sunset, which must leave the
/// operation's deprecation window) or off.
fn deprecation(
    pair: &Pair,
    label: &str,
    base: &Operation,
    revision: &Operation,
    out: &mut Vec<Change>,
) {
    if base.deprecated == revision.deprecated {
        return;
    }
    let pointers = (
        Some(field_pointer(pair.base, base, "deprecated")),
        Some(field_pointer(pair.revision, revision, "deprecated")),
    );
    let change = |id: &str, args: Vec<String>| {
        pair.change(
            id,
            Some(label),
            args,
            pointers.0.as_deref(),
            pointers.1.as_deref(),
        )
    };
    if !revision.deprecated {
        let mut change = change("endpoint-reactivated", vec![]);
        change.text.push_str(&stability_detail(pair, revision));
        out.push(change);
        return;
    }
    let stability = lifecycle::operation_stability(pair.revision, revision);
    let window = lifecycle::deprecation_days(pair.options, stability);
    let Some(sunset) = extension(pair.revision, revision, "x-sunset") else {
        if window > 0 {
            out.push(change("api-deprecated-sunset-missing", vec![]));
        } else {
            let mut change = change("endpoint-deprecated", vec![]);
            change.text.push_str(&stability_detail(pair, revision));
            out.push(change);
        }
        return;
    };
    match parse_sunset(sunset) {
        Err(error) => out.push(change("api-deprecated-sunset-parse", vec![error])),
        Ok(date) if lifecycle::days_until(pair.options, date) < i64::from(window) => {
            out.push(change(
                "api-sunset-date-too-small",
                vec![date.to_string(), window.to_string()],
            ))
        }
        Ok(date) => {
            let mut change = change("endpoint-deprecated-with-sunset", vec![date.to_string()]);
            change.text.push_str(&stability_detail(pair, revision));
            out.push(change);
        }
    }
}

/// The `x-sunset` of an operation that stays deprecated: deleted, unreadable,
/// or moved earlier than both the old date and the deprecation window allow.
fn sunset_changed(
    pair: &Pair,
    label: &str,
    base: &Operation,
    revision: &Operation,
    out: &mut Vec<Change>,
) {
    if !revision.deprecated {
        return;
    }
    let (Some(base_sunset), revision_sunset) = (
        extension(pair.base, base, "x-sunset"),
        extension(pair.revision, revision, "x-sunset"),
    ) else {
        return;
    };
    let base_pointer = pointer_join(&base.pointer, "x-sunset");
    let Some(revision_sunset) = revision_sunset else {
        out.push(pair.change(
            "sunset-deleted",
            Some(label),
            vec![],
            Some(&base_pointer),
            Some(&revision.pointer),
        ));
        return;
    };
    if base_sunset == revision_sunset {
        return;
    }
    let revision_pointer = pointer_join(&revision.pointer, "x-sunset");
    let parse_error = |error: String| {
        pair.change(
            "api-path-sunset-parse",
            Some(label),
            vec![error],
            Some(&base_pointer),
            Some(&revision_pointer),
        )
    };
    let (new_date, old_date) = match (parse_sunset(revision_sunset), parse_sunset(base_sunset)) {
        (Err(error), _) | (Ok(_), Err(error)) => {
            out.push(parse_error(error));
            return;
        }
        (Ok(new_date), Ok(old_date)) => (new_date, old_date),
    };
    let stability = lifecycle::operation_stability(pair.revision, revision);
    let window = lifecycle::deprecation_days(pair.options, stability);
    if old_date > new_date && lifecycle::days_until(pair.options, new_date) < i64::from(window) {
        out.push(pair.change(
            "api-sunset-date-changed-too-small",
            Some(label),
            vec![
                old_date.to_string(),
                new_date.to_string(),
                old_date.to_string(),
                window.to_string(),
            ],
            Some(&base_pointer),
            Some(&revision_pointer),
        ));
    }
}

/// operationId added, or removed/replaced.
fn operation_id(
    pair: &Pair,
    label: &str,
    base: &Operation,
    revision: &Operation,
    out: &mut Vec<Change>,
) {
    let written = |id: &Option<String>| id.clone().filter(|id| !id.is_empty());
    let (old, new) = (written(&base.operation_id), written(&revision.operation_id));
    if old == new {
        return;
    }
    let base_pointer = field_pointer(pair.base, base, "operationId");
    let revision_pointer = field_pointer(pair.revision, revision, "operationId");
    out.push(match old {
        None => pair.change(
            "api-operation-id-added",
            Some(label),
            vec![new.unwrap_or_default()],
            None,
            Some(&revision_pointer),
        ),
        Some(old) => pair.change(
            "api-operation-id-removed",
            Some(label),
            vec![old, new.unwrap_or_default()],
            Some(&base_pointer),
            Some(&revision_pointer),
        ),
    });
}

/// Tags removed from or added to the operation.
fn tags(pair: &Pair, label: &str, base: &Operation, revision: &Operation, out: &mut Vec<Change>) {
    let base_pointer = field_pointer(pair.base, base, "tags");
    let revision_pointer = field_pointer(pair.revision, revision, "tags");
    for tag in base.tags.iter().filter(|t| !revision.tags.contains(t)) {
        out.push(pair.change(
            "api-tag-removed",
            Some(label),
            vec![tag.clone()],
            Some(&base_pointer),
            Some(&revision_pointer),
        ));
    }
    for tag in revision.tags.iter().filter(|t| !base.tags.contains(t)) {
        out.push(pair.change(
            "api-tag-added",
            Some(label),
            vec![tag.clone()],
            Some(&base_pointer),
            Some(&revision_pointer),
        ));
    }
}
