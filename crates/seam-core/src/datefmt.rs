//! Date, time and timestamp formats. Pact writes them as Java `SimpleDateFormat` /
//! `DateTimeFormatter` patterns (`yyyy-MM-dd'T'HH:mm:ss.SSSXXX`); this module turns
//! them into chrono format items ([`DateFormat`], once, when a rule or generator is
//! read), checks values against them and formats `now`.

use chrono::format::{Item, Parsed, StrftimeItems};
use chrono::{DateTime, FixedOffset};
use std::fmt;

/// A Java date pattern translated once into chrono format items, keeping its
/// source for display and for writing pacts back (like
/// [`crate::rules::Pattern`] for regexes). A pattern that cannot be translated
/// is rejected by [`DateFormat::new`], so a bad format fails when the pact or
/// contract is read, not when a value is checked.
#[derive(Debug, Clone)]
pub struct DateFormat {
    source: String,
    items: Vec<Item<'static>>,
}

impl DateFormat {
    /// Translates a Java pattern (`yyyy-MM-dd'T'HH:mm:ss`); the error is one
    /// line naming the pattern and what is wrong with it.
    pub fn new(java_pattern: &str) -> Result<Self, String> {
        let strftime = java_to_strftime(java_pattern)?;
        let items = StrftimeItems::new(&strftime)
            .parse_to_owned()
            .map_err(|_| format!("invalid date format `{java_pattern}`"))?;
        Ok(DateFormat {
            source: java_pattern.to_string(),
            items,
        })
    }

    /// The pattern as written (what pact files and reports show).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Checks that `value` is written in this format, with valid field values
    /// (a real calendar date: `2023-02-30` is rejected).
    pub fn check(&self, value: &str) -> Result<(), String> {
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, value, self.items.iter()).map_err(|e| {
            format!(
                "'{value}' is not a valid value for format '{}': {e}",
                self.source
            )
        })?;
        if let (Some(y), Some(m), Some(d)) = (parsed.year(), parsed.month(), parsed.day()) {
            if chrono::NaiveDate::from_ymd_opt(y, m, d).is_none() {
                return Err(format!("'{value}' is not a valid date"));
            }
        }
        Ok(())
    }

    /// Writes `moment` in this format.
    pub fn format(&self, moment: &DateTime<FixedOffset>) -> String {
        moment.format_with_items(self.items.iter()).to_string()
    }
}

impl PartialEq for DateFormat {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Converts a Java date pattern into a chrono strftime string.
pub fn java_to_strftime(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // quoted literal; '' is a single quote
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                push_literal(&mut out, chars[i]);
                i += 1;
            }
            if i >= chars.len() {
                return Err(format!("unterminated quote in date format `{pattern}`"));
            }
            i += 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            push_literal(&mut out, c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        let spec = match (c, n) {
            ('y' | 'u', 2) => "%y",
            ('y' | 'u', _) => "%Y",
            ('M' | 'L', 1) => "%-m",
            ('M' | 'L', 2) => "%m",
            ('M' | 'L', 3) => "%b",
            ('M' | 'L', _) => "%B",
            ('d', 1) => "%-d",
            ('d', _) => "%d",
            ('D', _) => "%j",
            ('H', 1) => "%-H",
            ('H', _) => "%H",
            ('k', _) => "%H",
            ('h', 1) => "%-I",
            ('h', _) => "%I",
            ('K', _) => "%I",
            ('m', 1) => "%-M",
            ('m', _) => "%M",
            ('s', 1) => "%-S",
            ('s', _) => "%S",
            ('S', 1..=3) => "%3f",
            ('S', 4..=6) => "%6f",
            ('S', _) => "%9f",
            ('n', _) => "%9f",
            ('a', _) => "%p",
            ('E', 1..=3) => "%a",
            ('E', _) => "%A",
            ('Z', _) => "%z",
            ('X', 1) => "%#z",
            ('X' | 'x', _) => "%:z",
            ('z', _) => "%Z",
            ('G', _) => "AD",
            _ => {
                return Err(format!(
                    "unsupported letter `{c}` in date format `{pattern}`"
                ))
            }
        };
        out.push_str(spec);
        i += n;
    }
    Ok(out)
}

fn push_literal(out: &mut String, c: char) {
    if c == '%' {
        out.push_str("%%");
    } else {
        out.push(c);
    }
}

/// Checks that `value` is written in `java_pattern`, with valid field values
/// (translates the pattern each call; keep a [`DateFormat`] to check many values).
pub fn matches_format(value: &str, java_pattern: &str) -> Result<(), String> {
    DateFormat::new(java_pattern)?.check(value)
}

/// Formats a moment with a Java pattern (translates the pattern each call; keep
/// a [`DateFormat`] to format many moments).
pub fn format_with(moment: &DateTime<FixedOffset>, java_pattern: &str) -> Result<String, String> {
    Ok(DateFormat::new(java_pattern)?.format(moment))
}

/// Evaluates a Pact date expression relative to `base`: `now`, `today`,
/// `tomorrow`, `yesterday`, optionally followed by `+ 2 days`, `- 1 hour`, ...
/// (units: second(s), minute(s), hour(s), day(s), week(s), month(s), year(s)).
pub fn eval_expression(
    expr: &str,
    base: DateTime<FixedOffset>,
) -> Result<DateTime<FixedOffset>, String> {
    use chrono::{Duration, Months};
    let bad = |why: &str| format!("invalid date expression `{expr}`: {why}");
    let lower = expr.trim().to_ascii_lowercase();
    let mut words = lower.split_whitespace().peekable();
    let mut t = match words.peek().copied() {
        Some("now") | Some("today") => {
            words.next();
            base
        }
        Some("tomorrow") => {
            words.next();
            base + Duration::days(1)
        }
        Some("yesterday") => {
            words.next();
            base - Duration::days(1)
        }
        _ => base,
    };
    while let Some(op) = words.next() {
        let sign: i64 = match op {
            "+" => 1,
            "-" => -1,
            _ => return Err(bad(&format!("expected + or -, found `{op}`"))),
        };
        let n: i64 = words
            .next()
            .and_then(|w| w.parse().ok())
            .ok_or_else(|| bad("expected a number"))?;
        let unit = words.next().ok_or_else(|| bad("expected a unit"))?;
        let k = sign * n;
        t = match unit.trim_end_matches('s') {
            "second" => t + Duration::seconds(k),
            "minute" => t + Duration::minutes(k),
            "hour" => t + Duration::hours(k),
            "day" => t + Duration::days(k),
            "week" => t + Duration::weeks(k),
            "fortnight" => t + Duration::weeks(2 * k),
            "month" | "year" => {
                let months = if unit.starts_with("year") { 12 * n } else { n } as u32;
                let shifted = if sign > 0 {
                    t.checked_add_months(Months::new(months))
                } else {
                    t.checked_sub_months(Months::new(months))
                };
                shifted.ok_or_else(|| bad("date out of range"))?
            }
            other => return Err(bad(&format!("unknown unit `{other}`"))),
        };
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_java_patterns() {
        assert_eq!(java_to_strftime("yyyy-MM-dd").unwrap(), "%Y-%m-%d");
        assert_eq!(
            java_to_strftime("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").unwrap(),
            "%Y-%m-%dT%H:%M:%S.%3f%:z"
        );
        assert_eq!(
            java_to_strftime("'o''clock' h a").unwrap(),
            "o'clock %-I %p"
        );
        assert!(java_to_strftime("yyyy-qq").is_err());
    }

    #[test]
    fn checks_values() {
        assert!(matches_format("2024-02-29", "yyyy-MM-dd").is_ok());
        assert!(matches_format("2023-02-30", "yyyy-MM-dd").is_err());
        assert!(matches_format("2024-13-01", "yyyy-MM-dd").is_err());
        assert!(matches_format("14:05:59", "HH:mm:ss").is_ok());
        assert!(matches_format("25:05:59", "HH:mm:ss").is_err());
        assert!(matches_format("2015-06-10T20:41:37", "yyyy-MM-dd'T'HH:mm:ss").is_ok());
        assert!(matches_format(
            "2015-06-10T20:41:37.123+02:00",
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
        )
        .is_ok());
    }

    #[test]
    fn a_date_format_is_translated_once_and_keeps_its_source() {
        let f = DateFormat::new("yyyy-MM-dd'T'HH:mm:ss").unwrap();
        assert_eq!(f.as_str(), "yyyy-MM-dd'T'HH:mm:ss");
        assert_eq!(f.to_string(), "yyyy-MM-dd'T'HH:mm:ss");
        assert!(f.check("2015-06-10T20:41:37").is_ok());
        assert_eq!(
            f.check("2015-02-30T20:41:37"),
            Err("'2015-02-30T20:41:37' is not a valid date".into())
        );
        let moment = DateTime::parse_from_rfc3339("2024-01-31T10:00:00+00:00").unwrap();
        assert_eq!(f.format(&moment), "2024-01-31T10:00:00");
        assert_eq!(f, DateFormat::new("yyyy-MM-dd'T'HH:mm:ss").unwrap());
        assert_eq!(
            DateFormat::new("yyyy-qq").unwrap_err(),
            "unsupported letter `q` in date format `yyyy-qq`"
        );
        assert_eq!(
            DateFormat::new("HH 'o''clock").unwrap_err(),
            "unterminated quote in date format `HH 'o''clock`"
        );
    }

    #[test]
    fn evaluates_expressions() {
        let base = DateTime::parse_from_rfc3339("2024-01-31T10:00:00+00:00").unwrap();
        let t = eval_expression("today + 1 day", base).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-02-01T10:00:00+00:00");
        let t = eval_expression("now - 2 hours", base).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-31T08:00:00+00:00");
        let t = eval_expression("+ 1 month", base).unwrap();
        assert_eq!(t.to_rfc3339(), "2024-02-29T10:00:00+00:00");
        assert!(eval_expression("now * 2", base).is_err());
    }
}
