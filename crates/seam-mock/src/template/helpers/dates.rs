//! Date helpers: `now`, `date`, `parseDate`, `truncateDate`, `dateFormat`, and
//! the date value they pass around ([`WireMockDate`]).

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime, Timelike, Utc};
use handlebars::{RenderContext, RenderError};
use seam_core::datefmt;
use serde_json::{json, Map, Value};

use crate::template::helpers::call::Call;
use crate::template::helpers::{raise, text_out, Out, DATE_FORMAT, DATE_KEY, DATE_TZ};

/// WireMock's `RenderableDate`: an instant with an optional output format
/// (Java pattern, `epoch` or `unix`) and time zone.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WireMockDate {
    pub(crate) millis: i64,
    pub(crate) format: Option<String>,
    pub(crate) tz: Option<String>,
}

impl WireMockDate {
    pub(crate) fn to_json(&self) -> Value {
        json!({ DATE_KEY: self.millis, DATE_FORMAT: self.format, DATE_TZ: self.tz })
    }

    pub(crate) fn from_map(m: &Map<String, Value>) -> Option<WireMockDate> {
        Some(WireMockDate {
            millis: m.get(DATE_KEY)?.as_i64()?,
            format: m
                .get(DATE_FORMAT)
                .and_then(Value::as_str)
                .map(str::to_string),
            tz: m.get(DATE_TZ).and_then(Value::as_str).map(str::to_string),
        })
    }

    pub(crate) fn from_json(v: &Value) -> Option<WireMockDate> {
        v.as_object().and_then(WireMockDate::from_map)
    }

    pub(crate) fn utc(&self) -> Result<DateTime<Utc>, String> {
        DateTime::<Utc>::from_timestamp_millis(self.millis)
            .ok_or_else(|| "date out of range".to_string())
    }

    pub(crate) fn render(&self) -> Result<String, String> {
        match self.format.as_deref() {
            Some("epoch") => return Ok(self.millis.to_string()),
            Some("unix") => return Ok((self.millis / 1000).to_string()),
            _ => {}
        }
        let utc = self.utc()?;
        let local = match &self.tz {
            Some(tz) => Zone::parse(tz)?.at(utc),
            None => utc.fixed_offset(),
        };
        match &self.format {
            Some(f) => datefmt::format_with(&local, f),
            None => Ok(iso8601(&local)),
        }
    }
}

/// Jackson's `ISO8601Utils.format(date, false, tz)`.
pub(crate) fn iso8601(d: &DateTime<FixedOffset>) -> String {
    let base = d.format("%Y-%m-%dT%H:%M:%S");
    if d.offset().local_minus_utc() == 0 {
        format!("{base}Z")
    } else {
        format!("{base}{}", d.format("%:z"))
    }
}

pub(crate) enum Zone {
    Fixed(FixedOffset),
    Named(chrono_tz::Tz),
}

impl Zone {
    /// `UTC`, `GMT+2`, `+05:30`, or an IANA name such as `Australia/Sydney`.
    pub(crate) fn parse(name: &str) -> Result<Zone, String> {
        let n = name.trim();
        let utc = FixedOffset::east_opt(0)
            .map(Zone::Fixed)
            .ok_or("bad offset")?;
        if ["UTC", "GMT", "UT", "Z"]
            .iter()
            .any(|z| n.eq_ignore_ascii_case(z))
        {
            return Ok(utc);
        }
        let offset = ["UTC", "GMT", "UT", ""].iter().find_map(|p| {
            let rest = n
                .get(..p.len())
                .filter(|h| h.eq_ignore_ascii_case(p))
                .map(|_| &n[p.len()..])?;
            rest.starts_with(['+', '-'])
                .then(|| parse_offset(rest))
                .flatten()
        });
        if let Some(o) = offset {
            return Ok(Zone::Fixed(o));
        }
        n.parse::<chrono_tz::Tz>()
            .map(Zone::Named)
            .map_err(|_| format!("unknown time zone `{name}`"))
    }

    pub(crate) fn at(&self, utc: DateTime<Utc>) -> DateTime<FixedOffset> {
        match self {
            Zone::Fixed(o) => utc.with_timezone(o),
            Zone::Named(tz) => utc.with_timezone(tz).fixed_offset(),
        }
    }
}

/// `+2`, `-02`, `+0530`, `+05:30`.
pub(crate) fn parse_offset(s: &str) -> Option<FixedOffset> {
    let sign = if s.starts_with('-') { -1 } else { 1 };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = if digits.len() <= 2 {
        (digits.as_str(), "0")
    } else {
        digits.split_at(digits.len() - 2)
    };
    let secs = h.parse::<i32>().ok()? * 3600 + m.parse::<i32>().ok()? * 60;
    FixedOffset::east_opt(sign * secs)
}

/// WireMock's offsets: `3 days`, `-24 seconds`, `now +5 years`, `now`.
pub(crate) fn shift(millis: i64, offset: &str) -> Result<i64, String> {
    let words: Vec<&str> = offset.split_whitespace().collect();
    let (amount, unit) = match words.as_slice() {
        [now] if now.eq_ignore_ascii_case("now") => return Ok(millis),
        [amount, unit] => (*amount, *unit),
        [now, amount, unit] if now.eq_ignore_ascii_case("now") => (*amount, *unit),
        _ => {
            return Err(format!(
                "offset `{offset}`: use <amount> <unit> (e.g. 8 seconds) or now +/-<amount> <unit> (e.g. now +5 years)"
            ))
        }
    };
    let n: i64 = amount
        .strip_prefix('+')
        .unwrap_or(amount)
        .parse()
        .map_err(|_| format!("offset `{offset}`: `{amount}` is not a number"))?;
    let base = DateTime::<Utc>::from_timestamp_millis(millis)
        .ok_or("date out of range")?
        .fixed_offset();
    let sign = if n < 0 { "-" } else { "+" };
    let shifted =
        datefmt::eval_expression(&format!("now {sign} {} {unit}", n.unsigned_abs()), base)?;
    Ok(shifted.timestamp_millis())
}

pub(crate) fn check_format(format: &Option<String>) -> Result<(), RenderError> {
    match format.as_deref() {
        None | Some("epoch") | Some("unix") => Ok(()),
        Some(f) => datefmt::java_to_strftime(f).map(|_| ()).map_err(raise),
    }
}

/// `date`/`now`: a date, shifted by `offset=`, with `format=` and `timezone=`.
pub(crate) fn date_out<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &RenderContext<'reg, 'rc>,
    base: Option<WireMockDate>,
) -> Result<Out, RenderError> {
    let mut millis = base
        .as_ref()
        .map(|d| d.millis)
        .unwrap_or_else(|| Utc::now().timestamp_millis());
    if let Some(offset) = c.hash_text("offset", rc) {
        millis = shift(millis, &offset).map_err(raise)?;
    }
    let tz = base
        .and_then(|d| d.tz)
        .or_else(|| c.hash_text("timezone", rc));
    if let Some(tz) = &tz {
        Zone::parse(tz).map_err(raise)?;
    }
    let format = c.hash_text("format", rc);
    check_format(&format)?;
    Ok(Out::Val(WireMockDate { millis, format, tz }.to_json()))
}

/// `{{now offset='3 days' format='yyyy-MM-dd' timezone='Australia/Sydney'}}`.
pub(crate) fn now<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    date_out(c, rc, None)
}

/// `{{date (parseDate request.headers.MyDate) format='yyyy-MM-dd'}}`.
pub(crate) fn date<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let base = c.val(0, rc).and_then(|v| WireMockDate::from_json(&v));
    date_out(c, rc, base)
}

/// ISO 8601, RFC 1123, RFC 1036 and asctime; or `format=` (Java pattern,
/// `epoch` or `unix`).
pub(crate) fn parse_date_text(text: &str, format: Option<&str>) -> Option<i64> {
    let t = text.trim();
    let from_naive = |n: NaiveDateTime| n.and_utc().timestamp_millis();
    match format {
        Some("epoch") => t.parse().ok(),
        Some("unix") => t.parse::<i64>().ok().and_then(|s| s.checked_mul(1000)),
        Some(java) => {
            let f = datefmt::java_to_strftime(java).ok()?;
            DateTime::parse_from_str(t, &f)
                .map(|d| d.timestamp_millis())
                .ok()
                .or_else(|| NaiveDateTime::parse_from_str(t, &f).ok().map(from_naive))
                .or_else(|| {
                    NaiveDate::parse_from_str(t, &f)
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                        .map(from_naive)
                })
        }
        None => DateTime::parse_from_rfc3339(t)
            .or_else(|_| DateTime::parse_from_rfc2822(t))
            .map(|d| d.timestamp_millis())
            .ok()
            .or_else(|| {
                [
                    "%A, %d-%b-%y %H:%M:%S GMT",
                    "%a %b %e %H:%M:%S %Y",
                    "%Y-%m-%dT%H:%M:%S%.f",
                ]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
                .map(from_naive)
            })
            .or_else(|| {
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .ok()
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .map(from_naive)
            }),
    }
}

pub(crate) fn parse_date<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let text = c.text(0, rc).unwrap_or_default();
    let format = c.hash_text("format", rc);
    Ok(Out::Val(match parse_date_text(&text, format.as_deref()) {
        Some(millis) => WireMockDate {
            millis,
            format: None,
            tz: None,
        }
        .to_json(),
        None => Value::Null,
    }))
}

/// `{{truncateDate date 'first day of month'}}` (computed in UTC).
pub(crate) fn truncate_date<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(date) = c.val(0, rc).and_then(|v| WireMockDate::from_json(&v)) else {
        return Err(raise("truncateDate: the first argument must be a date"));
    };
    let how = c.text(1, rc).unwrap_or_default();
    let t = date.utc().map_err(raise)?.naive_utc();
    let day = t.date();
    let first_of_month = day.with_day(1);
    let midnight = |d: Option<NaiveDate>| d.and_then(|d| d.and_hms_opt(0, 0, 0));
    let truncated = match how.to_ascii_lowercase().as_str() {
        "first minute of hour" => t
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0)),
        "first hour of day" => midnight(Some(day)),
        "first day of month" => midnight(first_of_month),
        "first day of next month" => {
            midnight(first_of_month.and_then(|d| d.checked_add_months(Months::new(1))))
        }
        "last day of month" => midnight(
            first_of_month
                .and_then(|d| d.checked_add_months(Months::new(1)))
                .and_then(|d| d.pred_opt()),
        ),
        "first day of year" => midnight(NaiveDate::from_ymd_opt(day.year(), 1, 1)),
        "first day of next year" => midnight(NaiveDate::from_ymd_opt(day.year() + 1, 1, 1)),
        "last day of year" => midnight(NaiveDate::from_ymd_opt(day.year(), 12, 31)),
        other => return Err(raise(format!("truncateDate: unknown truncation `{other}`"))),
    };
    let truncated = truncated.ok_or_else(|| raise("truncateDate: date out of range"))?;
    Ok(Out::Val(
        WireMockDate {
            millis: truncated.and_utc().timestamp_millis(),
            format: None,
            tz: date.tz,
        }
        .to_json(),
    ))
}

/// Handlebars.java's `{{dateFormat date 'yyyy-MM-dd' tz='UTC'}}` (also `format=`,
/// and the styles `full`, `long`, `medium`, `short`).
pub(crate) fn date_format<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(date) = c.val(0, rc).and_then(|v| WireMockDate::from_json(&v)) else {
        return Err(raise("dateFormat: expected a date"));
    };
    let pattern = c
        .text(1, rc)
        .or_else(|| c.hash_text("format", rc))
        .unwrap_or_else(|| "medium".to_string());
    let pattern = match pattern.as_str() {
        "full" => "EEEE, MMMM d, yyyy".to_string(),
        "long" => "MMMM d, yyyy".to_string(),
        "medium" => "MMM d, yyyy".to_string(),
        "short" => "M/d/yy".to_string(),
        _ => pattern,
    };
    let tz = c.hash_text("tz", rc).or(date.tz);
    let text = WireMockDate {
        millis: date.millis,
        format: Some(pattern),
        tz,
    }
    .render()
    .map_err(raise)?;
    Ok(text_out(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::test_support::*;

    #[test]
    fn now_formats_and_offsets() {
        assert_matches(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$", &r("{{now}}"));
        assert_matches(r"^\d{4}-\d{2}-\d{2}$", &r("{{now format='yyyy-MM-dd'}}"));
        assert_matches(r"^\d{13}$", &r("{{now format='epoch'}}"));
        assert_matches(r"^\d{10}$", &r("{{now format='unix'}}"));
        let in_three_days: i64 = r("{{now offset='3 days' format='epoch'}}").parse().unwrap();
        let now = Utc::now().timestamp_millis();
        assert!((in_three_days - now - 3 * 86_400_000).abs() < 60_000);
        let past: i64 = r("{{now offset='now -24 seconds' format='unix'}}")
            .parse()
            .unwrap();
        assert!((now / 1000 - 24 - past).abs() < 60);
        assert_matches(
            r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\+1[01]00$",
            &r("{{now timezone='Australia/Sydney' format='yyyy-MM-dd HH:mm:ssZ'}}"),
        );
        assert_matches(
            r"T\d{2}:\d{2}:\d{2}\+05:30$",
            &r("{{now timezone='GMT+05:30'}}"),
        );
        assert!(Templates::new()
            .render_text("{{now offset='three days'}}", &request())
            .is_err());
        assert!(Templates::new()
            .render_text("{{now timezone='Mars/Olympus'}}", &request())
            .is_err());
    }

    #[test]
    fn parse_date_and_date() {
        assert_eq!(
            r("{{date (parseDate '2021-06-15T15:16:17Z')}}"),
            "2021-06-15T15:16:17Z"
        );
        assert_eq!(
            r("{{date (parseDate 'Tue, 15 Jun 2021 15:16:17 GMT') format='yyyy-MM-dd'}}"),
            "2021-06-15"
        );
        assert_eq!(
            r("{{date (parseDate '15/06/2021' format='dd/MM/yyyy')}}"),
            "2021-06-15T00:00:00Z"
        );
        assert_eq!(
            r("{{date (parseDate '1623770177' format='unix') format='epoch'}}"),
            "1623770177000"
        );
        assert_eq!(
            r("{{date (parseDate '1623770177000' format='epoch') format='unix'}}"),
            "1623770177"
        );
        assert_eq!(
            r("{{date (parseDate '2021-06-15T15:16:17Z') offset='1 months' format='yyyy-MM-dd'}}"),
            "2021-07-15"
        );
        assert_eq!(
            r("{{date (parseDate '2021-06-15T15:16:17Z') timezone='Australia/Sydney'}}"),
            "2021-06-16T01:16:17+10:00"
        );
        assert_eq!(
            r("{{parseDate '2021-06-15T15:16:17+02:00'}}"),
            "2021-06-15T13:16:17Z"
        );
        assert_eq!(
            r("{{date (truncateDate (parseDate 'Tue, 15 Jun 2021 15:16:17 GMT') 'first day of month')}}"),
            "2021-06-01T00:00:00Z"
        );
        assert_eq!(
            r("{{date (truncateDate (parseDate '2021-02-10T10:00:00Z') 'last day of month')}}"),
            "2021-02-28T00:00:00Z"
        );
        assert_eq!(
            r("{{dateFormat (parseDate '2021-06-15T15:16:17Z') 'dd MMM yyyy'}}"),
            "15 Jun 2021"
        );
    }
}
