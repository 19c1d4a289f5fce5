//! WireMock's date/time matchers: `before`, `after` and `equalToDateTime`,
//! with their modifiers `actualFormat` (a Java date pattern for the value
//! checked), `expectedOffset`/`expectedOffsetUnit`, `truncateExpected`/
//! `truncateActual`, and expected values that are a date-time or `now` with an
//! offset (`now +3 days`). Expected values are read when the matcher loads
//! (an unreadable one is an error there); `now` is taken at each check.

use crate::text::{child_path, describe_json, quote};
use crate::{MatcherError, Parsed};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime,
    TimeZone, Timelike, Utc,
};
use serde_json::{Map, Value};

/// The operators this file reads.
pub(crate) const DATE_OPERATORS: &[&str] = &["before", "after", "equalToDateTime"];

/// Modifiers of the date operators.
pub(crate) const DATE_MODIFIERS: &[&str] = &[
    "actualFormat",
    "expectedOffset",
    "expectedOffsetUnit",
    "truncateExpected",
    "truncateActual",
    "applyTruncationLast",
];

/// One of `before`, `after`, `equalToDateTime`, read.
#[derive(Debug, Clone)]
pub struct DateTimeMatcher {
    kind: Kind,
    expected: Expected,
    actual_format: Option<String>,
    truncate_expected: Option<Truncation>,
    truncate_actual: Option<Truncation>,
    /// The matcher as written, for writing it back.
    json: Map<String, Value>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Before,
    After,
    Equal,
}

#[derive(Debug, Clone, PartialEq)]
enum Expected {
    At(DateTime<FixedOffset>),
    /// `now` plus offsets (`now +1 days` and `expectedOffset`), taken at
    /// each check.
    Now(Vec<Offset>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Offset {
    amount: i64,
    unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Seconds,
    Minutes,
    Hours,
    Days,
    Months,
    Years,
}

const UNITS: &[&str] = &["seconds", "minutes", "hours", "days", "months", "years"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Truncation {
    FirstMinuteOfHour,
    FirstHourOfDay,
    FirstDayOfMonth,
    FirstDayOfNextMonth,
    LastDayOfMonth,
    FirstDayOfYear,
    FirstDayOfNextYear,
    LastDayOfYear,
}

const TRUNCATIONS: &[&str] = &[
    "first minute of hour",
    "first hour of day",
    "first day of month",
    "first day of next month",
    "last day of month",
    "first day of year",
    "first day of next year",
    "last day of year",
];

impl Unit {
    fn parse(s: &str) -> Option<Unit> {
        let s = s.to_ascii_lowercase();
        let s = s.trim_end_matches('s');
        Some(match s {
            "second" => Unit::Seconds,
            "minute" => Unit::Minutes,
            "hour" => Unit::Hours,
            "day" => Unit::Days,
            "month" => Unit::Months,
            "year" => Unit::Years,
            _ => return None,
        })
    }
}

impl Offset {
    fn apply(self, t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        let n = self.amount;
        match self.unit {
            Unit::Seconds => t.checked_add_signed(Duration::try_seconds(n)?),
            Unit::Minutes => t.checked_add_signed(Duration::try_minutes(n)?),
            Unit::Hours => t.checked_add_signed(Duration::try_hours(n)?),
            Unit::Days => t.checked_add_signed(Duration::try_days(n)?),
            Unit::Months | Unit::Years => {
                let months = if self.unit == Unit::Years {
                    n.checked_mul(12)?
                } else {
                    n
                };
                let m = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
                if months >= 0 {
                    t.checked_add_months(m)
                } else {
                    t.checked_sub_months(m)
                }
            }
        }
    }
}

impl Truncation {
    fn parse(s: &str) -> Option<Truncation> {
        use Truncation as T;
        Some(
            match s.trim().to_ascii_lowercase().replace('_', " ").as_str() {
                "first minute of hour" => T::FirstMinuteOfHour,
                "first hour of day" => T::FirstHourOfDay,
                "first day of month" => T::FirstDayOfMonth,
                "first day of next month" => T::FirstDayOfNextMonth,
                "last day of month" => T::LastDayOfMonth,
                "first day of year" => T::FirstDayOfYear,
                "first day of next year" => T::FirstDayOfNextYear,
                "last day of year" => T::LastDayOfYear,
                _ => return None,
            },
        )
    }

    /// The moment truncated, in its own offset (days start at midnight).
    fn apply(self, t: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
        use Truncation as T;
        let date = t.date_naive();
        let at = |d: NaiveDate, time: NaiveTime| {
            t.offset().from_local_datetime(&d.and_time(time)).single()
        };
        let midnight = NaiveTime::MIN;
        let first_of_month = date.with_day(1)?;
        match self {
            T::FirstMinuteOfHour => at(date, NaiveTime::from_hms_opt(t.hour(), 0, 0)?),
            T::FirstHourOfDay => at(date, midnight),
            T::FirstDayOfMonth => at(first_of_month, midnight),
            T::FirstDayOfNextMonth => {
                at(first_of_month.checked_add_months(Months::new(1))?, midnight)
            }
            T::LastDayOfMonth => at(
                first_of_month
                    .checked_add_months(Months::new(1))?
                    .pred_opt()?,
                midnight,
            ),
            T::FirstDayOfYear => at(NaiveDate::from_ymd_opt(date.year(), 1, 1)?, midnight),
            T::FirstDayOfNextYear => at(NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)?, midnight),
            T::LastDayOfYear => at(NaiveDate::from_ymd_opt(date.year(), 12, 31)?, midnight),
        }
    }
}

/// A date-time as WireMock reads one without a format: an ISO date-time with
/// an offset or zone, a local ISO date-time (UTC), or a date (its start, UTC).
fn parse_iso(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t);
    }
    // `2021-06-14T12:13:14+02:00[Europe/Paris]`: the zone id is dropped
    if let Some((head, _)) = s.split_once('[') {
        if let Ok(t) = DateTime::parse_from_rfc3339(head) {
            return Some(t);
        }
    }
    // RFC 1123 (`Tue, 01 Jun 2021 15:16:17 GMT`), as HTTP dates are written
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t);
    }
    let utc = FixedOffset::east_opt(0)?;
    // RFC 1036 (`Tuesday, 01-Jun-21 15:16:17 GMT`) and asctime
    // (`Tue Jun  1 15:16:17 2021`), the other HTTP date forms
    let http_dates = ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"];
    for f in http_dates {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return utc.from_local_datetime(&t).single();
        }
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return utc.from_local_datetime(&t).single();
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| {
        utc.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .single()
    })
}

/// A value in a Java pattern (`dd/MM/yyyy HH:mm:ss`): with an offset when the
/// pattern has one, else a local date-time (UTC), else a date.
fn parse_with(s: &str, strftime: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_str(s, strftime) {
        return Some(t);
    }
    let utc = FixedOffset::east_opt(0)?;
    if let Ok(t) = NaiveDateTime::parse_from_str(s, strftime) {
        return utc.from_local_datetime(&t).single();
    }
    NaiveDate::parse_from_str(s, strftime).ok().and_then(|d| {
        utc.from_local_datetime(&d.and_time(NaiveTime::MIN))
            .single()
    })
}

/// `now`, `now +3 days`, `now -1 hours`.
fn parse_now(s: &str) -> Option<Result<Offset, String>> {
    let rest = s.trim().strip_prefix("now")?;
    let rest = rest.trim();
    if rest.is_empty() {
        return Some(Ok(Offset {
            amount: 0,
            unit: Unit::Seconds,
        }));
    }
    let mut words = rest.split_whitespace();
    let (n, unit) = (words.next()?, words.next());
    let parsed = n
        .trim_start_matches('+')
        .parse::<i64>()
        .ok()
        .zip(unit.and_then(Unit::parse))
        .filter(|_| words.next().is_none());
    Some(
        parsed
            .map(|(amount, unit)| Offset { amount, unit })
            .ok_or_else(|| {
                format!(
                    "`{s}` is not `now` with an offset like `now +3 days` (units: {})",
                    UNITS.join(", ")
                )
            }),
    )
}

fn text<'a>(obj: &'a Map<String, Value>, key: &str, path: &str) -> Parsed<Option<&'a str>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(MatcherError::new(
            child_path(path, key),
            format!("`{key}` needs a string, not {}", describe_json(other)),
        )),
    }
}

fn truncation(obj: &Map<String, Value>, key: &str, path: &str) -> Parsed<Option<Truncation>> {
    text(obj, key, path)?
        .map(|s| {
            Truncation::parse(s).ok_or_else(|| {
                MatcherError::new(
                    child_path(path, key),
                    format!(
                        "unknown truncation `{s}`; expected one of: {}{}",
                        TRUNCATIONS.join(", "),
                        seam_core::source::did_you_mean(s, TRUNCATIONS.iter().copied())
                    ),
                )
            })
        })
        .transpose()
}

impl DateTimeMatcher {
    /// Reads `op` (`before`, `after`, `equalToDateTime`) and its modifiers
    /// from the matcher object at `path`.
    pub(crate) fn read(op: &str, obj: &Map<String, Value>, path: &str) -> Parsed<Self> {
        let kind = match op {
            "before" => Kind::Before,
            "after" => Kind::After,
            _ => Kind::Equal,
        };
        let at = child_path(path, op);
        let source = text(obj, op, path)?.unwrap_or_default();
        let mut expected = match parse_now(source) {
            Some(now) => Expected::Now(vec![now.map_err(|e| MatcherError::new(&at, e))?]),
            None => Expected::At(parse_iso(source).ok_or_else(|| {
                MatcherError::new(
                    &at,
                    format!(
                        "`{op}` needs an ISO date-time (2021-06-14T12:13:14Z), a date or `now` \
                         with an optional offset (`now +3 days`), not {}",
                        quote(source)
                    ),
                )
            })?),
        };
        let amount = match obj.get("expectedOffset") {
            None | Some(Value::Null) => None,
            Some(v) => Some(v.as_i64().ok_or_else(|| {
                MatcherError::new(
                    child_path(path, "expectedOffset"),
                    format!(
                        "`expectedOffset` needs a whole number, not {}",
                        describe_json(v)
                    ),
                )
            })?),
        };
        let unit = text(obj, "expectedOffsetUnit", path)?
            .map(|u| {
                Unit::parse(u).ok_or_else(|| {
                    MatcherError::new(
                        child_path(path, "expectedOffsetUnit"),
                        format!(
                            "unknown unit `{u}`; expected one of {}{}",
                            UNITS.join(", "),
                            seam_core::source::did_you_mean(u, UNITS.iter().copied())
                        ),
                    )
                })
            })
            .transpose()?;
        if let Some(amount) = amount {
            let extra = Offset {
                amount,
                unit: unit.unwrap_or(Unit::Days),
            };
            match &mut expected {
                Expected::Now(offsets) => offsets.push(extra),
                Expected::At(t) => {
                    *t = extra.apply(*t).ok_or_else(|| {
                        MatcherError::new(
                            child_path(path, "expectedOffset"),
                            "the offset takes the date out of range",
                        )
                    })?
                }
            }
        }
        let actual_format = text(obj, "actualFormat", path)?
            .map(|f| {
                seam_core::datefmt::java_to_strftime(f)
                    .map_err(|e| MatcherError::new(child_path(path, "actualFormat"), e))
            })
            .transpose()?;
        Ok(DateTimeMatcher {
            kind,
            expected,
            actual_format,
            truncate_expected: truncation(obj, "truncateExpected", path)?,
            truncate_actual: truncation(obj, "truncateActual", path)?,
            json: obj.clone(),
        })
    }

    /// The matcher as WireMock JSON.
    pub(crate) fn to_json(&self) -> Value {
        Value::Object(self.json.clone())
    }

    /// The operator's name and operand, for descriptions.
    pub(crate) fn describe(&self) -> String {
        let (op, word) = match self.kind {
            Kind::Before => ("before", "a date-time before"),
            Kind::After => ("after", "a date-time after"),
            Kind::Equal => ("equalToDateTime", "a date-time equal to"),
        };
        let operand = self.json.get(op).and_then(Value::as_str).unwrap_or("?");
        format!("{word} {operand}")
    }

    fn expected_now(&self) -> Option<DateTime<FixedOffset>> {
        let t = match &self.expected {
            Expected::At(t) => *t,
            Expected::Now(offsets) => offsets
                .iter()
                .try_fold(Utc::now().fixed_offset(), |t, o| o.apply(t))?,
        };
        match self.truncate_expected {
            Some(tr) => tr.apply(t),
            None => Some(t),
        }
    }

    /// Checks a value (`None` when absent, which never matches).
    pub(crate) fn check(&self, actual: Option<&str>) -> Result<(), String> {
        let Some(a) = actual else {
            return Err(format!("expected {} but it was absent", self.describe()));
        };
        let parsed = match &self.actual_format {
            Some(f) => parse_with(a.trim(), f),
            None => parse_iso(a),
        };
        let Some(mut actual_t) = parsed else {
            let how = match self.json.get("actualFormat").and_then(Value::as_str) {
                Some(f) => format!("in the format `{f}`"),
                None => "as an ISO date-time".to_string(),
            };
            return Err(format!(
                "expected {} but {} could not be read {how}",
                self.describe(),
                quote(a)
            ));
        };
        if let Some(tr) = self.truncate_actual {
            actual_t = tr.apply(actual_t).unwrap_or(actual_t);
        }
        let Some(expected) = self.expected_now() else {
            return Err(format!("{} is out of range", self.describe()));
        };
        let ok = match self.kind {
            Kind::Before => actual_t < expected,
            Kind::After => actual_t > expected,
            Kind::Equal => actual_t == expected,
        };
        if ok {
            Ok(())
        } else {
            Err(format!(
                "expected {} ({}) but was {}",
                self.describe(),
                expected.to_rfc3339(),
                quote(a)
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::m;
    use serde_json::json;

    /// Each row's verdict is what WireMock 3.13.2 answered for the same
    /// header matcher and value.
    #[test]
    fn behaves_as_wiremock() {
        let rows = [
            (
                json!({"before": "2021-06-01T00:00:00Z"}),
                "2021-05-01T00:00:00Z",
                true,
            ),
            (
                json!({"before": "2021-06-01T00:00:00Z"}),
                "2021-07-01T00:00:00Z",
                false,
            ),
            (
                json!({"after": "now -1 days"}),
                "2099-01-01T00:00:00Z",
                true,
            ),
            (
                json!({"after": "now", "expectedOffset": -1, "expectedOffsetUnit": "days"}),
                "2099-01-01T00:00:00Z",
                true,
            ),
            (
                json!({"before": "now +3 days"}),
                "2020-01-01T00:00:00Z",
                true,
            ),
            (
                json!({"equalToDateTime": "2021-06-14T12:13:14Z"}),
                "2021-06-14T12:13:14Z",
                true,
            ),
            (
                json!({"equalToDateTime": "2021-06-14T12:13:14Z"}),
                "2021-06-14T12:13:14.000Z",
                true,
            ),
            (
                json!({"equalToDateTime": "2021-06-14T12:13:14Z"}),
                "2021-06-14T14:13:14+02:00",
                true,
            ),
            (
                json!({"equalToDateTime": "2021-06-14T12:13:14"}),
                "2021-06-14T12:13:14Z",
                true,
            ),
            (
                json!({"equalToDateTime": "2021-06-14"}),
                "2021-06-14T00:00:00Z",
                true,
            ),
            (
                json!({"equalToDateTime": "2021-06-14T12:13:14Z", "actualFormat": "dd/MM/yyyy HH:mm:ss"}),
                "14/06/2021 12:13:14",
                true,
            ),
            (
                json!({"before": "2021-06-14T12:13:14Z", "actualFormat": "dd/MM/yyyy"}),
                "13/06/2021",
                true,
            ),
            (
                json!({"after": "now", "truncateExpected": "first day of year"}),
                "2999-03-01T00:00:00Z",
                true,
            ),
            (
                json!({"before": "2021-06-01T00:00:00Z"}),
                "Tue, 01 May 2021 00:00:00 GMT",
                false,
            ),
            // 1 May 2021 was a Saturday (above: refused); the right weekday
            (
                json!({"after": "2021-05-01T00:00:00Z"}),
                "Tue, 01 Jun 2021 15:16:17 GMT",
                true,
            ),
            (
                json!({"after": "2021-05-01T00:00:00Z"}),
                "Tuesday, 01-Jun-21 15:16:17 GMT",
                true,
            ),
            (
                json!({"after": "2021-05-01T00:00:00Z"}),
                "Tue Jun  1 15:16:17 2021",
                true,
            ),
            (
                json!({"before": "2021-06-01T00:00:00Z"}),
                "1619827200",
                false,
            ),
            (json!({"before": "2021-06-01T00:00:00Z"}), "garbage", false),
            (
                json!({"before": "2021-06-01T00:00:00Z"}),
                "2021-05-01",
                true,
            ),
            (
                json!({"equalToDateTime": "2021-06-14T12:13:14Z", "truncateActual": "first hour of day"}),
                "2021-06-14T12:55:14Z",
                false,
            ),
            (
                json!({"equalToDateTime": "2021-06-14T12:00:00Z", "truncateActual": "first minute of hour"}),
                "2021-06-14T12:55:14Z",
                true,
            ),
            (
                json!({"after": "2021-06-14T12:00:00Z"}),
                "2021-06-14T12:00:00Z",
                false,
            ),
            (
                json!({"equalToDateTime": "2021-06-01T00:00:00Z", "truncateActual": "first day of month"}),
                "2021-06-14T12:55:14Z",
                true,
            ),
            (
                json!({"equalToDateTime": "2021-06-30T00:00:00Z", "truncateActual": "last day of month"}),
                "2021-06-14T12:55:14Z",
                true,
            ),
        ];
        for (spec, actual, expected) in rows {
            let matcher = m(spec.clone());
            let got = matcher.check(Some(actual));
            assert_eq!(got.is_ok(), expected, "{spec} against {actual}: {got:?}");
            assert_eq!(matcher.to_wiremock_json(), spec);
        }
        assert!(m(json!({"before": "now"})).check(None).is_err());
    }

    #[test]
    fn unreadable_operands_are_placed() {
        let e = crate::test_support::err(json!({"before": "garbage"}));
        assert!(
            e.starts_with("$.before: `before` needs an ISO date-time"),
            "{e}"
        );
        let e = crate::test_support::err(json!({"after": "now +3 fortnights"}));
        assert!(e.contains("not `now` with an offset"), "{e}");
        let e = crate::test_support::err(
            json!({"after": "now", "truncateExpected": "first day of mnth"}),
        );
        assert!(e.contains("did you mean `first day of month`"), "{e}");
        let e = crate::test_support::err(json!({"after": "now", "expectedOffsetUnit": "weeks"}));
        assert!(
            e.starts_with("$.expectedOffsetUnit: unknown unit `weeks`"),
            "{e}"
        );
        let e = crate::test_support::err(json!({"contains": "a", "actualFormat": "yyyy"}));
        assert!(e.contains("applies to"), "{e}");
    }
}
