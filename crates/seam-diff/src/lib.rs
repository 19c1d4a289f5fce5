//! seam-diff: the changes between two versions of an OpenAPI spec, each with
//! oasdiff's rule id and level (ERR/WARN/INFO), the operation, its location in
//! both documents and a sentence. Direction-aware: what breaks a request is not
//! what breaks a response.
//!
//! - [`change`]: a reported [`Change`] and its [`Level`].
//! - [`rules`]: oasdiff's rule table (ids, levels, messages).
//! - [`lifecycle`]: `x-sunset`, `x-stability-level` and deprecation windows.
//! - [`context`]: [`Options`], the [`Pair`] of specs, `$ref` resolution.
//! - `structure`: everything that is not a schema comparison (endpoints,
//!   parameters, bodies, responses, security, tags, ...).
//! - [`schema`]: changes inside schemas, each pair of schemas compared once.
//! - [`ignore`]: the ignore file of accepted changes.
//! - [`pacts`]: which consumers' pact interactions a change hits.
//! - [`report`]: text, json, yaml, markdown, html, junit, GitHub annotations, sarif.

pub mod change;
pub mod context;
pub mod ignore;
pub mod lifecycle;
pub mod pacts;
pub mod report;
pub mod rules;
pub mod schema;
mod structure;

pub use change::{Change, Level, Side};
pub use context::{resolve, Options, Pair, Stability};
use seam_openapi::Spec;

/// Every change from `base` to `revision`, most severe first, then by
/// operation and rule id.
pub fn diff(base: &Spec, revision: &Spec, options: &Options) -> Vec<Change> {
    let pair = Pair {
        base,
        revision,
        options,
        schemas: Default::default(),
    };
    let mut changes = Vec::new();
    structure::diff_structure(&pair, &mut changes);
    changes.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.operation.cmp(&b.operation))
            .then_with(|| a.id.cmp(&b.id))
    });
    changes
}
