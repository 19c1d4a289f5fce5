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
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(&text).map(|t| t.date_naive()))
        .map_err(|_| format!("sunset date doesn't conform with RFC3339: {text}"))
}

/// Days from `options.today` to `date` (negative when it is past).
pub fn days_until(options: &Options, date: NaiveDate) -> i64 {
    (date - options.today).num_days()
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

/// The value of an element's `x-stability-level` (an operation's, a
/// parameter's, a schema's): `Ok(None)` when absent, oasdiff's error text when
/// it is not one of the four levels (or not a string at all).
pub fn parse_stability(level: Option<&Value>) -> Result<Option<Stability>, String> {
    match level {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => text.parse().map(Some),
        Some(_) => Err("x-stability-level isn't a string nor valid json".to_string()),
    }
}

/// The operation's `x-stability-level`, checked ([`parse_stability`]).
pub fn checked_operation_stability(
    spec: &Spec,
    operation: &Operation,
) -> Result<Option<Stability>, String> {
    parse_stability(operation_object(spec, operation).and_then(|o| o.get("x-stability-level")))
}

/// The `x-stability-level` written on the operation, when it is one of the
/// four levels.
pub fn operation_stability(spec: &Spec, operation: &Operation) -> Option<Stability> {
    checked_operation_stability(spec, operation).ok().flatten()
}

/// Minimum days between today and the sunset of something deprecated in an
/// operation of this stability: none for draft and alpha operations (they may
/// change at any time), the beta window for beta ones, the stable one for the
/// rest (unset means stable).
pub fn deprecation_days(options: &Options, stability: Option<Stability>) -> u32 {
    match stability {
        Some(Stability::Draft | Stability::Alpha) => 0,
        Some(Stability::Beta) => options.deprecation_days_beta,
        Some(Stability::Stable) | None => options.deprecation_days_stable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sunsets_are_rfc3339_dates_or_date_times() {
        let date = NaiveDate::from_ymd_opt(2022, 8, 10).unwrap();
        assert_eq!(parse_sunset(&json!("2022-08-10")), Ok(date));
        assert_eq!(parse_sunset(&json!("2022-08-10T00:00:00Z")), Ok(date));
        assert_eq!(
            parse_sunset(&json!("invalid")),
            Err("sunset date doesn't conform with RFC3339: invalid".to_string())
        );
    }

    #[test]
    fn stability_levels_are_checked() {
        assert_eq!(parse_stability(None), Ok(None));
        assert_eq!(
            parse_stability(Some(&json!("beta"))),
            Ok(Some(Stability::Beta))
        );
        assert_eq!(
            parse_stability(Some(&json!("ga"))),
            Err("value is not one of draft, alpha, beta or stable: \"ga\"".to_string())
        );
        assert_eq!(
            parse_stability(Some(&json!(1))),
            Err("x-stability-level isn't a string nor valid json".to_string())
        );
    }

    #[test]
    fn draft_and_alpha_operations_need_no_deprecation_window() {
        let options = Options {
            deprecation_days_beta: 30,
            deprecation_days_stable: 90,
            ..Options::default()
        };
        assert_eq!(deprecation_days(&options, Some(Stability::Draft)), 0);
        assert_eq!(deprecation_days(&options, Some(Stability::Alpha)), 0);
        assert_eq!(deprecation_days(&options, Some(Stability::Beta)), 30);
        assert_eq!(deprecation_days(&options, Some(Stability::Stable)), 90);
        assert_eq!(deprecation_days(&options, None), 90);
    }
}
