//! An operation's request body across versions: added (required or optional), removed, became required or optional, media types added or removed, a media type's schema added or removed.

use crate::change::Change;
use crate::context::Pair;
use seam_openapi::Operation;

/// Every request-body change of one operation (schema changes are [`crate::schema`]'s).
pub(crate) fn diff_request_body(
    _pair: &Pair,
    _label: &str,
    _base: &Operation,
    _revision: &Operation,
    _out: &mut Vec<Change>,
) {
}
