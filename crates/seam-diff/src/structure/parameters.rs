//! An operation's parameters across versions: added (required, optional, with a default, path), removed (with or without deprecation, before their sunset), required or optional, deprecated, reactivated, sunset dates.

use crate::change::Change;
use crate::context::Pair;
use seam_openapi::Operation;

/// Every parameter change of one operation (schema changes are [`crate::schema`]'s).
pub(crate) fn diff_parameters(
    _pair: &Pair,
    _label: &str,
    _base: &Operation,
    _revision: &Operation,
    _out: &mut Vec<Change>,
) {
}
