//! Deprecation and stability, shared by every kind of element (operations,
//! parameters, properties): `x-sunset` dates, `x-stability-level`, and the
//! deprecation window that applies to an operation.

use crate::context::{Options, Stability};
use chrono::NaiveDate;
use seam_openapi::{Operation, Spec};
use serde_json::Value;

/// An `x-sunset` date: RFC 3339 full date or date-time (oasdiff's error text
/// otherwise).
pub fn parse_sunset(value: &Value) -> Result<NaiveDate, String> {
    let text = value.as_str().unwrap_or_default();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(text).map(|t| t.date_naive()))
        .map_err(|_| format!("sunset date doesn't conform with RFC3339: {text}"))
}

/// The object at `pointer` (`#/paths/...` or `/paths/...`) in the spec's document.
pub fn at<'s>(spec: &'s Spec, pointer: &str) -> Option<&'s Value> {
    spec.document
        .pointer(pointer.strip_prefix('#').unwrap_or(pointer))
}

/// The operation's object as written in its spec's document.
pub fn operation_object<'s>(spec: &'s Spec, operation: &Operation) -> Option<&'s Value> {
    at(spec, &operation.pointer)
}

/// The `x-stability-level` written on the operation, when it is one of the
/// four levels.
pub fn operation_stability(spec: &Spec, operation: &Operation) -> Option<Stability> {
    operation_object(spec, operation)?
        .get("x-stability-level")?
        .as_str()?
        .parse()
        .ok()
}

/// Minimum days between today and the sunset of something deprecated in an
/// operation of this stability: the beta window for beta operations, the
/// stable one for the rest.
pub fn deprecation_days(options: &Options, stability: Option<Stability>) -> u32 {
    match stability {
        Some(Stability::Beta) => options.deprecation_days_beta,
        _ => options.deprecation_days_stable,
    }
}
