//! Security across versions: the global requirements, each operation's requirements and scopes, and the security schemes under `components`.

use crate::change::Change;
use crate::context::Pair;
use seam_openapi::Operation;

/// The document's global security and its security schemes.
pub(crate) fn diff_global(_pair: &Pair, _out: &mut Vec<Change>) {}

/// An operation's security requirements and scopes.
pub(crate) fn diff_operation(
    _pair: &Pair,
    _label: &str,
    _base: &Operation,
    _revision: &Operation,
    _out: &mut Vec<Change>,
) {
}
