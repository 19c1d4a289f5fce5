//! seam-load: how an API holds up under load, measured honestly.
//!
//! - [`plan`]: what to send and how (closed model: virtual users looping;
//!   open model: a fixed arrival rate), and a shard's exact share of it.
//! - [`config`]: the `[load]` table of `seam.toml` and `seam load`'s flags,
//!   made into a plan.
//! - [`scenario`]: the targets of an OpenAPI spec's operations, weighted.
//! - [`stages`]: ramping stages of users or of the rate.
//! - [`transport`]: plain TCP or TLS (rustls), the certificates trusted.
//! - [`client`]: one HTTP/1.1 connection per user: the request written as
//!   serialized once, answers framed with `httparse`, errors sorted by kind.
//! - [`h2`]: HTTP/2 connections users share, through hyper's client.
//! - [`engine`]: runs a plan; latency in the open model counts from each
//!   request's intended send time (coordinated omission corrected).
//! - [`stats`]: HDR histograms per endpoint and status class, errors, a
//!   per-second series; shards add up exactly.
//! - [`summary`]: the figures a report shows, from the stats.
//! - [`threshold`]: `p95<200ms`, `errors<0.1%`, `rps>2000`: parsed and judged.
//! - [`report`]: the summary as terminal text, JUnit, an HTML section and a
//!   whole HTML page.
//! - [`charts`]: the page's inline SVG line charts.
//! - [`hdr_file`]: the raw histograms written to and read from an HdrHistogram
//!   interval log, so shards run apart merge into exact percentiles.
//! - [`k8s`]: a Kubernetes Indexed Job that runs the shards of one scenario.
//!
//! The engine never prints: it reports progress through a callback and
//! returns its stats; the command line renders them.

pub mod charts;
pub mod client;
pub mod config;
pub mod engine;
pub mod h2;
pub mod hdr_file;
pub mod k8s;
pub mod plan;
pub mod report;
pub mod scenario;
pub mod stages;
pub mod stats;
pub mod summary;
pub mod threshold;
pub mod transport;

pub use engine::{run, LoadError, Progress, StopHandle};
pub use plan::{Model, Plan, Shard, Target};
pub use stats::Stats;
pub use summary::Summary;
pub use threshold::Threshold;
