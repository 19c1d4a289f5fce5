//! Document-level elements: webhooks added or removed, component schemas removed.

use crate::change::Change;
use crate::context::Pair;

/// Webhooks and component schemas added or removed.
pub(crate) fn diff_components(_pair: &Pair, _out: &mut Vec<Change>) {}
