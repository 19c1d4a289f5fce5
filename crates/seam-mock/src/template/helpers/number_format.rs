//! `numberFormat`: Java's `NumberFormat` / `DecimalFormat` as WireMock's
//! helper uses it: the predefined `integer`, `currency` and `percent` formats
//! or a pattern (`#,##0.00`), a locale (`en_GB`), digit bounds, grouping and a
//! rounding mode. Numbers are rounded from their exact value, as Java rounds a
//! `double` (`1.005` is `1.00499…`, so it rounds to `1`).

use handlebars::{RenderContext, RenderError};
use serde_json::Value;

use crate::template::helpers::call::Call;
use crate::template::helpers::{raise, text_out, Out};
use crate::template::java_text::{int_of, value_text};

/// Digits Java keeps in a `double`'s exact expansion that can matter here.
const EXACT_FRACTION_DIGITS: usize = 60;
/// Largest digit bound accepted (Java caps them at 340 for doubles).
const MAX_DIGITS: i64 = 340;

/// How a number is written.
#[derive(Debug, Clone, PartialEq)]
struct Format {
    prefix: String,
    suffix: String,
    min_int: usize,
    max_int: usize,
    min_frac: usize,
    max_frac: usize,
    /// Digits per group (`None`: no grouping).
    grouping: Option<usize>,
    /// 100 for percents.
    percent: bool,
}

impl Format {
    fn general() -> Self {
        Format {
            prefix: String::new(),
            suffix: String::new(),
            min_int: 1,
            max_int: usize::MAX,
            min_frac: 0,
            max_frac: 3,
            grouping: Some(3),
            percent: false,
        }
    }

    fn named(name: &str, locale: &Locale) -> Option<Self> {
        let base = Format::general();
        Some(match name {
            "integer" => Format {
                max_frac: 0,
                ..base
            },
            "percent" => Format {
                max_frac: 0,
                percent: true,
                suffix: locale.percent.to_string(),
                ..base
            },
            "currency" => Format {
                min_frac: 2,
                max_frac: 2,
                prefix: locale.currency_prefix.to_string(),
                suffix: locale.currency_suffix.to_string(),
                ..base
            },
            _ => return None,
        })
    }

    /// A `DecimalFormat` pattern: `prefix #,##0.00 suffix` (the positive part).
    fn pattern(pattern: &str) -> Self {
        let pattern = pattern.split(';').next().unwrap_or("");
        let is_digit = |c: char| matches!(c, '#' | '0' | ',' | '.');
        let start = pattern.find(is_digit).unwrap_or(pattern.len());
        let end = pattern
            .rfind(is_digit)
            .map_or(pattern.len(), |i| i + 1)
            .max(start);
        let (prefix, body, suffix) = (&pattern[..start], &pattern[start..end], &pattern[end..]);
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let grouping = int.rfind(',').map(|i| int.len() - i - 1).filter(|g| *g > 0);
        let percent = prefix.contains('%') || suffix.contains('%');
        let mut min_int = int.chars().filter(|c| *c == '0').count();
        // Java reads `#.##` as `0.##`: a pattern with no `0` keeps one digit
        if !body.contains('0') && int.contains('#') && body.contains('.') {
            min_int = 1;
        }
        Format {
            prefix: unquote(prefix),
            suffix: unquote(suffix),
            min_int,
            max_int: usize::MAX,
            min_frac: frac.chars().filter(|c| *c == '0').count(),
            max_frac: frac.chars().filter(|c| matches!(c, '0' | '#')).count(),
            grouping,
            percent,
        }
    }
}

/// Pattern text outside digits, with `'quoted'` parts unquoted.
fn unquote(s: &str) -> String {
    s.replace("''", "\u{0}")
        .replace('\'', "")
        .replace('\u{0}', "'")
}

/// The separators and currency signs of the locales seam knows.
struct Locale {
    group: &'static str,
    decimal: char,
    percent: &'static str,
    currency_prefix: &'static str,
    currency_suffix: &'static str,
}

fn locale(tag: Option<&str>) -> Locale {
    let tag = tag.unwrap_or("").replace('-', "_");
    let english = |prefix| Locale {
        group: ",",
        decimal: '.',
        percent: "%",
        currency_prefix: prefix,
        currency_suffix: "",
    };
    let euro = |group| Locale {
        group,
        decimal: ',',
        percent: "\u{a0}%",
        currency_prefix: "",
        currency_suffix: "\u{a0}€",
    };
    match tag.as_str() {
        "en_US" => english("$"),
        "en_GB" => english("£"),
        "en_IE" => english("€"),
        "en_IN" => english("₹"),
        "ja_JP" => english("￥"),
        "de_DE" | "de_AT" | "nl_NL" | "es_ES" | "it_IT" => euro("."),
        "fr_FR" => Locale {
            percent: "\u{202f}%",
            ..euro("\u{202f}")
        },
        _ => english("¤"),
    }
}

/// Java's rounding modes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rounding {
    Up,
    Down,
    Ceiling,
    Floor,
    HalfUp,
    HalfDown,
    HalfEven,
}

fn rounding(name: &str) -> Option<Rounding> {
    Some(match name.to_ascii_lowercase().as_str() {
        "up" => Rounding::Up,
        "down" => Rounding::Down,
        "ceiling" => Rounding::Ceiling,
        "floor" => Rounding::Floor,
        "half_up" => Rounding::HalfUp,
        "half_down" => Rounding::HalfDown,
        "half_even" => Rounding::HalfEven,
        _ => return None,
    })
}

/// A number's exact digits: sign, integer digits, fraction digits.
fn exact_digits(n: &serde_json::Number) -> Option<(bool, String, String)> {
    let text = if n.is_f64() {
        let f = n.as_f64()?;
        if !f.is_finite() {
            return None;
        }
        format!("{f:.EXACT_FRACTION_DIGITS$}")
    } else {
        n.to_string()
    };
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, text),
    };
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    Some((
        negative,
        int.to_string(),
        frac.trim_end_matches('0').to_string(),
    ))
}

/// Rounds `int.frac` to `places` fraction digits.
fn round(negative: bool, int: &str, frac: &str, places: usize, mode: Rounding) -> (String, String) {
    if frac.len() <= places {
        return (int.to_string(), frac.to_string());
    }
    let (kept, dropped) = frac.split_at(places);
    let first = dropped.as_bytes()[0] - b'0';
    let rest_zero = dropped[1..].bytes().all(|b| b == b'0');
    let nonzero = first != 0 || !rest_zero;
    let last_odd = kept
        .bytes()
        .last()
        .or_else(|| int.bytes().last())
        .is_some_and(|b| (b - b'0') % 2 == 1);
    let up = match mode {
        Rounding::Up => nonzero,
        Rounding::Down => false,
        Rounding::Ceiling => nonzero && !negative,
        Rounding::Floor => nonzero && negative,
        Rounding::HalfUp => first >= 5,
        Rounding::HalfDown => first > 5 || (first == 5 && !rest_zero),
        Rounding::HalfEven => first > 5 || (first == 5 && (!rest_zero || last_odd)),
    };
    let mut digits: Vec<u8> = format!("{int}{kept}").into_bytes();
    if up {
        let mut i = digits.len();
        loop {
            if i == 0 {
                digits.insert(0, b'1');
                break;
            }
            i -= 1;
            if digits[i] == b'9' {
                digits[i] = b'0';
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    let split = digits.len() - kept.len();
    let text = String::from_utf8(digits).unwrap_or_default();
    (text[..split].to_string(), text[split..].to_string())
}

fn render(n: &serde_json::Number, f: &Format, loc: &Locale, mode: Rounding) -> Option<String> {
    let (negative, mut int, mut frac) = exact_digits(n)?;
    if f.percent {
        // × 100: the point moves two digits right
        let moved: String = frac.chars().chain("00".chars()).take(2).collect();
        int.push_str(&moved);
        frac = frac.chars().skip(2).collect();
    }
    let (int, frac) = round(negative, &int, &frac, f.max_frac, mode);
    let mut frac = frac.trim_end_matches('0').to_string();
    while frac.len() < f.min_frac {
        frac.push('0');
    }
    let mut int = int.trim_start_matches('0').to_string();
    if int.len() > f.max_int {
        int = int[int.len() - f.max_int..].to_string();
    }
    while int.len() < f.min_int {
        int.insert(0, '0');
    }
    let grouped = match f.grouping {
        Some(g) if int.len() > g => {
            let mut out = String::new();
            for (i, ch) in int.chars().enumerate() {
                if i > 0 && (int.len() - i) % g == 0 {
                    out.push_str(loc.group);
                }
                out.push(ch);
            }
            out
        }
        _ => int,
    };
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&f.prefix);
    out.push_str(&grouped);
    if !frac.is_empty() {
        out.push(loc.decimal);
        out.push_str(&frac);
    }
    out.push_str(&f.suffix);
    Some(out)
}

/// `{{numberFormat 123.4567 'currency' 'en_GB'}}`, `{{numberFormat n '#,##0.00'}}`,
/// `{{numberFormat n maximumFractionDigits=2 roundingMode='down'}}`.
pub(crate) fn number_format<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    // WireMock formats numbers only: text renders nothing
    let Some(Value::Number(n)) = c.val(0, rc) else {
        return Ok(text_out(""));
    };
    let loc = locale(c.text(2, rc).as_deref());
    let mut f = match c.text(1, rc) {
        None => Format::general(),
        Some(name) => Format::named(&name, &loc).unwrap_or_else(|| Format::pattern(&name)),
    };
    let bound = |key: &str| -> Result<Option<usize>, RenderError> {
        match c.hash_val(key, rc) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match int_of(&v) {
                Some(i) if (0..=MAX_DIGITS).contains(&i) => Ok(Some(i as usize)),
                _ => Err(raise(format!(
                    "numberFormat: {key} must be a whole number from 0 to {MAX_DIGITS}, not {}",
                    value_text(&v)
                ))),
            },
        }
    };
    if let Some(v) = bound("maximumFractionDigits")? {
        f.max_frac = v;
        f.min_frac = f.min_frac.min(v);
    }
    if let Some(v) = bound("minimumFractionDigits")? {
        f.min_frac = v;
        f.max_frac = f.max_frac.max(v);
    }
    if let Some(v) = bound("maximumIntegerDigits")? {
        f.max_int = v;
        f.min_int = f.min_int.min(v);
    }
    if let Some(v) = bound("minimumIntegerDigits")? {
        f.min_int = v;
        f.max_int = f.max_int.max(v);
    }
    if c.hp("groupingUsed").is_some() && !c.hash_bool("groupingUsed") {
        f.grouping = None;
    }
    let mode = match c.hash_text("roundingMode", rc) {
        None => Rounding::HalfEven,
        Some(name) => rounding(&name).ok_or_else(|| {
            raise(format!(
                "numberFormat: unknown roundingMode `{name}`; expected one of up, down, \
                 half_up, half_down, half_even, ceiling, floor"
            ))
        })?,
    };
    match render(&n, &f, &loc, mode) {
        Some(text) => Ok(text_out(text)),
        None => Err(raise(format!("numberFormat: cannot format {n}"))),
    }
}

#[cfg(test)]
mod tests {
    use crate::template::test_support::*;

    #[test]
    fn number_format_as_wiremock_3_13() {
        for (template, expected) in [
            ("{{{numberFormat 123.4567 'currency' 'en_GB'}}}", "£123.46"),
            ("{{{numberFormat 123.4567 'percent' 'en_GB'}}}", "12,346%"),
            (
                "{{{numberFormat 123.4567 '###.000000' 'en_GB'}}}",
                "123.456700",
            ),
            (
                "{{{numberFormat 1234.567 maximumIntegerDigits=3 minimumFractionDigits=6}}}",
                "234.567000",
            ),
            (
                "{{{numberFormat 12345.678 groupingUsed=false}}}",
                "12345.678",
            ),
            (
                "{{{numberFormat 1.239 roundingMode='down' maximumFractionDigits=2}}}",
                "1.23",
            ),
            ("{{numberFormat 12345.678}}", "12,345.678"),
            ("{{numberFormat 12345.678 'integer'}}", "12,346"),
            ("{{numberFormat 1234567.891 'en_US'}}", "en_US1234568"),
            ("{{numberFormat 0.5 'percent'}}", "50%"),
            ("{{numberFormat '12.5'}}", ""),
            ("{{numberFormat 2.5 'integer'}}", "2"),
            ("{{numberFormat 3.5 'integer'}}", "4"),
            ("{{numberFormat 1234.5 'currency' 'en_US'}}", "$1,234.50"),
            (
                "{{numberFormat 1234.5 'currency' 'de_DE'}}",
                "1.234,50\u{a0}€",
            ),
            ("{{numberFormat 1234.5 'currency'}}", "¤1,234.50"),
            ("{{numberFormat 1234.5 '#,##0.00'}}", "1,234.50"),
            ("{{numberFormat -1234.5 '0.0'}}", "-1234.5"),
            ("{{numberFormat 1 '00.00'}}", "01.00"),
            ("{{numberFormat 1.005 maximumFractionDigits=2}}", "1"),
            ("{{numberFormat 123456789}}", "123,456,789"),
            ("{{numberFormat 0.000123}}", "0"),
            ("{{numberFormat 0.5 '#.##'}}", "0.5"),
            ("{{numberFormat -0.1 'integer'}}", "-0"),
            ("{{numberFormat 99.995 '0.00'}}", "100.00"),
            ("{{numberFormat 1234.5 '#,##0.00 EUR'}}", "1,234.50 EUR"),
            ("{{numberFormat 5 minimumIntegerDigits=3}}", "005"),
        ] {
            assert_eq!(r(template), expected, "{template}");
        }
        assert!(Templates::new()
            .render_text("{{numberFormat 1 roundingMode='sideways'}}", &request())
            .is_err());
    }
}
