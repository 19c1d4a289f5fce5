//! An operation's responses across versions: success and non-success statuses added or removed, media types added, removed or renamed, a media type's schema added or removed, response headers added, removed or made optional.

use crate::change::Change;
use crate::context::Pair;
use seam_openapi::Operation;

/// Every response change of one operation (schema changes are [`crate::schema`]'s).
pub(crate) fn diff_responses(
    _pair: &Pair,
    _label: &str,
    _base: &Operation,
    _revision: &Operation,
    _out: &mut Vec<Change>,
) {
}
