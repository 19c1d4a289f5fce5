//! seam-core: the model every Seamline engine shares, and the one matching engine.
//!
//! - [`http`]: requests, responses, headers, query, typed bodies.
//! - [`interaction`]: interactions (HTTP, asynchronous and synchronous messages) with provider states.
//! - [`json_at`]: places in JSON source text (where the value at a JSON path starts, where a value ends).
//! - [`rules`]: every Pact matcher, rule lists (AND/OR) and rule sets by path.
//! - [`matching`]: the engine: compare expected and actual, get [`matching::Mismatch`]es.
//! - [`generators`]: values produced at use time (random, dates, provider state).
//! - [`html`]: the shell of self-contained HTML report pages.
//! - [`render`]: mismatch reports for terminals (colored) and pipes (plain).
//! - [`regexp`]: regexes from files, bounded and anchored, with one-line errors.
//! - [`reproduce`]: curl commands for reports, with credentials redacted.
//! - [`source`]: source text (BOM, invalid UTF-8), [`source::SourceError`] with positions, "did you mean".
//! - [`yaml`]: YAML files read one way (1.2 core scalars, BOM, positioned errors).
//! - [`units`]: durations and headers as written on command lines and in config files.
//! - [`path`], [`rule_index`], [`datefmt`]: path expressions, their index, Java-style date formats.
//!
//! No file or network I/O happens here: files and sockets belong to the crates above.
//!
//! Every comparison has one output, a list of [`matching::Mismatch`]es, each with
//! its place, the expected and actual values and a reason; reports only render them:
//!
//! ```
//! use seam_core::{http::{Body, Response}, matching::match_response, path::PathExpr};
//! use seam_core::render::{render_mismatches, Style};
//! use seam_core::rules::{Category, MatchingRule, MatchingRules, RuleList};
//! use serde_json::json;
//!
//! let with_body = |v| Response { body: Body::Json(v), ..Response::default() };
//! let expected = with_body(json!({"id": 7, "name": "kettle"}));
//! let mut rules = MatchingRules::default(); // any integer id, not only 7
//! rules.add(Category::Body, PathExpr::parse("$.id")?, RuleList::new(vec![MatchingRule::Integer]));
//! assert!(match_response(&expected, &with_body(json!({"id": 8, "name": "kettle"})), &rules).is_empty());
//!
//! let mismatches = match_response(&expected, &with_body(json!({"id": "7", "name": "kettle"})), &rules);
//! assert_eq!((mismatches.len(), mismatches[0].location().as_str()), (1, "body $.id"));
//! let report = render_mismatches(&mismatches, Style::Plain);
//! assert!(report.starts_with("1) body $.id expected an integer but was \"7\"\n"), "{report}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod datefmt;
pub mod generators;
pub mod html;
pub mod http;
pub mod interaction;
pub mod json_at;
pub mod matching;
pub mod path;
pub mod regexp;
pub mod render;
pub mod reproduce;
pub mod rule_index;
pub mod rules;
pub mod source;
pub mod units;
pub mod yaml;
