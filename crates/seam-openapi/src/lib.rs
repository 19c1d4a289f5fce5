//! seam-openapi: OpenAPI documents as one model every engine uses (the mock, the
//! validating proxy, suites, and later the diff, compat and fuzz checks).
//!
//! - [`model`]: the [`Spec`] (operations, parameters, bodies, responses, security,
//!   callbacks, webhooks) over one bundled document in the 3.x shape.
//! - [`load`]: reading a spec from files (YAML or JSON, `$ref` across files,
//!   Swagger 2.0 converted by [`swagger2`]), with every error positioned by [`position`].
//! - [`check`]: the structural checks `seam openapi validate` reports.
//! - [`router`]: a request's method and path to its operation and path parameters.
//! - [`schema`]: schemas compiled for validation (3.0 translated to JSON Schema 2020-12).
//! - [`params`], [`conform`]: a request or response checked against its operation.
//! - [`generate`]: answers from examples, or data generated from a schema.

pub mod check;
pub mod conform;
pub mod generate;
pub mod load;
pub mod model;
pub mod params;
pub mod position;
pub mod router;
pub mod schema;
pub mod swagger2;

pub use model::{Operation, Spec, SpecError};
