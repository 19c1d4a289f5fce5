//! Document-level elements: webhooks added or removed, component schemas removed.

use crate::change::Change;
use crate::context::Pair;
use seam_openapi::model::pointer_join;
use seam_openapi::Spec;
use serde_json::Value;

/// Webhooks and component schemas added or removed.
pub(crate) fn diff_components(pair: &Pair, out: &mut Vec<Change>) {
    let (base, revision) = (
        names(pair.base, "/webhooks"),
        names(pair.revision, "/webhooks"),
    );
    for name in base.iter().filter(|n| !revision.contains(n)) {
        let pointer = pointer_join("#/webhooks", name);
        out.push(pair.change(
            "webhook-removed",
            None,
            vec![name.clone()],
            Some(&pointer),
            None,
        ));
    }
    for name in revision.iter().filter(|n| !base.contains(n)) {
        let pointer = pointer_join("#/webhooks", name);
        out.push(pair.change(
            "webhook-added",
            None,
            vec![name.clone()],
            None,
            Some(&pointer),
        ));
    }
    let revision_schemas = names(pair.revision, "/components/schemas");
    for name in names(pair.base, "/components/schemas") {
        if !revision_schemas.contains(&name) {
            let pointer = pointer_join("#/components/schemas", &name);
            out.push(pair.change("api-schema-removed", None, vec![name], Some(&pointer), None));
        }
    }
}

/// The keys of the mapping at `pointer`, in document order.
fn names(spec: &Spec, pointer: &str) -> Vec<String> {
    spec.document
        .pointer(pointer)
        .and_then(Value::as_object)
        .map(|map| map.keys().cloned().collect())
        .unwrap_or_default()
}
