//! Operations across versions: added, removed (with or without deprecation, before or after their `x-sunset`), deprecated, reactivated, sunset dates, `x-stability-level`, operationId and tags.

use crate::change::Change;
use crate::context::Pair;
use seam_openapi::Operation;

/// Operations added or removed between the versions.
pub(crate) fn diff_endpoints(_pair: &Pair, _out: &mut Vec<Change>) {}

/// What changed on an operation present in both versions (deprecation,
/// sunset, stability, operationId, tags).
pub(crate) fn diff_operation(
    _pair: &Pair,
    _label: &str,
    _base: &Operation,
    _revision: &Operation,
    _out: &mut Vec<Change>,
) {
}
