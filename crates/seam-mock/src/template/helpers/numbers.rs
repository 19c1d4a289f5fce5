//! Number helpers: `math` on [`BigDecimal`]s (Java's `BigDecimal` arithmetic),
//! `isEven`, `isOdd`, `stripes`.

use handlebars::{RenderContext, RenderError};
use serde_json::{Number, Value};

use crate::template::helpers::call::Call;
use crate::template::helpers::{inline_error, text_out, Out};
use crate::template::java_text::{java_double, value_text};

pub(crate) fn parity<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &RenderContext<'reg, 'rc>,
) -> Option<bool> {
    // numbers only: text (`request.body`, `'3'`) gives nothing, as in WireMock
    match c.raw(0, rc) {
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .map(|i| i % 2 == 0),
        _ => None,
    }
}

pub(crate) fn is_even<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(match parity(c, rc) {
        Some(true) => text_out(c.text(1, rc).unwrap_or_else(|| "even".to_string())),
        _ => Out::Nothing,
    })
}

pub(crate) fn is_odd<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(match parity(c, rc) {
        Some(false) => text_out(c.text(1, rc).unwrap_or_else(|| "odd".to_string())),
        _ => Out::Nothing,
    })
}

pub(crate) fn stripes<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(match parity(c, rc) {
        Some(true) => text_out(c.text(1, rc).unwrap_or_else(|| "even".to_string())),
        Some(false) => text_out(c.text(2, rc).unwrap_or_else(|| "odd".to_string())),
        None => Out::Nothing,
    })
}

/// A Java `BigDecimal`: `v × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BigDecimal {
    pub(crate) v: i128,
    pub(crate) scale: u32,
}

impl BigDecimal {
    pub(crate) const ZERO: BigDecimal = BigDecimal { v: 0, scale: 0 };

    pub(crate) fn parse(s: &str) -> Option<BigDecimal> {
        let s = s.trim();
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
            None => (s, 0),
        };
        let (neg, digits) = match mantissa.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty()
            || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let mut v: i128 = 0;
        for d in int.chars().chain(frac.chars()) {
            v = v.checked_mul(10)?.checked_add(d.to_digit(10)? as i128)?;
        }
        let mut scale = frac.len() as i64 - exp as i64;
        if scale < 0 {
            v = v.checked_mul(10i128.checked_pow(u32::try_from(-scale).ok()?)?)?;
            scale = 0;
        }
        Some(BigDecimal {
            v: if neg { -v } else { v },
            scale: u32::try_from(scale).ok()?,
        })
    }

    pub(crate) fn of(v: &Value) -> BigDecimal {
        match v {
            Value::Number(n) if n.is_i64() => BigDecimal {
                v: n.as_i64().unwrap_or(0) as i128,
                scale: 0,
            },
            Value::Number(n) if n.is_u64() => BigDecimal {
                v: n.as_u64().unwrap_or(0) as i128,
                scale: 0,
            },
            Value::Number(n) => BigDecimal::parse(&java_double(n.as_f64().unwrap_or(0.0)))
                .unwrap_or(BigDecimal::ZERO),
            other => BigDecimal::parse(&value_text(other)).unwrap_or(BigDecimal::ZERO),
        }
    }

    pub(crate) fn to_f64(self) -> f64 {
        self.v as f64 / 10f64.powi(self.scale as i32)
    }

    pub(crate) fn rescale(self, scale: u32) -> Option<i128> {
        self.v.checked_mul(10i128.checked_pow(scale - self.scale)?)
    }

    pub(crate) fn aligned(self, other: BigDecimal) -> Option<(i128, i128, u32)> {
        let s = self.scale.max(other.scale);
        Some((self.rescale(s)?, other.rescale(s)?, s))
    }

    /// Java's `BigDecimal` operation; `None` on overflow.
    pub(crate) fn apply(
        self,
        op: &str,
        other: BigDecimal,
    ) -> Option<Result<BigDecimal, &'static str>> {
        Some(Ok(match op {
            "+" => {
                let (a, b, s) = self.aligned(other)?;
                BigDecimal {
                    v: a.checked_add(b)?,
                    scale: s,
                }
            }
            "-" => {
                let (a, b, s) = self.aligned(other)?;
                BigDecimal {
                    v: a.checked_sub(b)?,
                    scale: s,
                }
            }
            "*" | "x" => BigDecimal {
                v: self.v.checked_mul(other.v)?,
                scale: self.scale.checked_add(other.scale)?,
            },
            "/" => {
                if other.v == 0 {
                    return Some(Err("Division by zero"));
                }
                // result scale = dividend's scale, rounded half up
                let num = self.v.checked_mul(10i128.checked_pow(other.scale)?)?;
                let (q, r) = (num / other.v, num % other.v);
                let q = if r.checked_abs()?.checked_mul(2)? >= other.v.checked_abs()? {
                    q + num.signum() * other.v.signum()
                } else {
                    q
                };
                BigDecimal {
                    v: q,
                    scale: self.scale,
                }
            }
            "%" => {
                if other.v == 0 {
                    return Some(Err("Division by zero"));
                }
                let (a, b, s) = self.aligned(other)?;
                BigDecimal { v: a % b, scale: s }
            }
            _ => return Some(Err("not a valid mathematical operator")),
        }))
    }

    pub(crate) fn to_json(self) -> Value {
        if self.scale == 0 {
            if let Ok(i) = i64::try_from(self.v) {
                return Value::from(i);
            }
        }
        Number::from_f64(self.to_f64())
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

/// `{{math 1 '+' 2}}`: `+ - * x / %` on Java `BigDecimal`s.
pub(crate) fn math<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    if c.arg_count() != 3 {
        return Ok(inline_error(
            "All maths functions require two operands and an operator as parameters e.g. 3 '+' 2",
        ));
    }
    let left = BigDecimal::of(&c.val(0, rc).unwrap_or(Value::Null));
    let op = c.text(1, rc).unwrap_or_default();
    let right = BigDecimal::of(&c.val(2, rc).unwrap_or(Value::Null));
    Ok(match left.apply(&op, right) {
        Some(Ok(d)) => Out::Val(d.to_json()),
        Some(Err("not a valid mathematical operator")) => {
            inline_error(format!("{op} is not a valid mathematical operator"))
        }
        Some(Err(e)) => inline_error(e),
        None => {
            let (a, b) = (left.to_f64(), right.to_f64());
            let f = match op.as_str() {
                "+" => a + b,
                "-" => a - b,
                "*" | "x" => a * b,
                "/" => a / b,
                _ => a % b,
            };
            Out::Val(
                Number::from_f64(f)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::test_support::*;

    #[test]
    fn big_decimals_parse() {
        assert_eq!(
            BigDecimal::parse("1.50"),
            Some(BigDecimal { v: 150, scale: 2 })
        );
        assert_eq!(
            BigDecimal::parse("1e3"),
            Some(BigDecimal { v: 1000, scale: 0 })
        );
    }

    #[test]
    fn parity_helpers_take_numbers_only() {
        assert_eq!(
            r("[{{isEven 2}}][{{isOdd 3 'odd!'}}][{{stripes 4 'e' 'o'}}]"),
            "[even][odd!][e]"
        );
        // text gives nothing, as in WireMock (`request.body` is text)
        assert_eq!(
            render_req(
                "[{{isEven request.body}}][{{stripes request.body 'e' 'o'}}][{{isOdd '3'}}]",
                &with_body("2")
            ),
            "[][][]"
        );
    }

    #[test]
    fn math() {
        assert_eq!(r("{{math 1 '+' 2}} {{math 4 '-' 2}} {{math 2 '*' 3}} {{math 8 '/' 2}} {{math 10 '%' 3}}"), "3 2 6 4 1");
        assert_eq!(
            r("{{math 2 'x' 3}} {{maths 1.5 '+' 1.5}} {{math 10 '/' 4}} {{math 10.0 '/' 4}}"),
            "6 3.0 3 2.5"
        );
        assert_eq!(r("{{math '7' '-' request.query.single}}"), "-1227");
        assert_eq!(
            r("{{math 1 '^' 2}}"),
            "[ERROR: ^ is not a valid mathematical operator]"
        );
        assert_eq!(r("{{math 1 '+'}}"), "[ERROR: All maths functions require two operands and an operator as parameters e.g. 3 '+' 2]");
        assert_eq!(r("{{math 1 '/' 0}}"), "[ERROR: Division by zero]");
    }
}
