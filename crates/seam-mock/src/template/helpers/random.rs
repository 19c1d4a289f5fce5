//! Random values: `randomValue`, `randomInt`, `randomDecimal`, `pickRandom`.

use handlebars::{RenderContext, RenderError};
use rand::Rng;
use serde_json::{Number, Value};

use crate::template::helpers::call::Call;
use crate::template::helpers::{inline_error, raise, text_out, Out};
use crate::template::java_text::{float_of, value_text};

pub(crate) const ALPHANUMERIC: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
pub(crate) const ALPHABETIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub(crate) const NUMERIC: &[u8] = b"0123456789";
pub(crate) const HEXADECIMAL: &[u8] = b"ABCDEF0123456789";
/// Longest string `randomValue` builds.
pub(crate) const MAX_RANDOM_LENGTH: i64 = 1_000_000;

pub(crate) fn random_from(chars: &[u8], len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| chars[rng.gen_range(0..chars.len())] as char)
        .collect()
}

pub(crate) fn random_range(lo: u8, hi_inclusive: u8, len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| rng.gen_range(lo..=hi_inclusive) as char)
        .collect()
}

/// `{{randomValue length=12 type='ALPHANUMERIC' uppercase=true}}` (lower case
/// unless `uppercase`, as WireMock does).
pub(crate) fn random_value<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let len = c
        .hash_int("length", rc)
        .unwrap_or(36)
        .clamp(0, MAX_RANDOM_LENGTH) as usize;
    let kind = c
        .hash_text("type", rc)
        .unwrap_or_else(|| "ALPHANUMERIC".to_string());
    let raw = match kind.as_str() {
        "ALPHANUMERIC" => random_from(ALPHANUMERIC, len),
        "ALPHABETIC" => random_from(ALPHABETIC, len),
        "NUMERIC" => random_from(NUMERIC, len),
        "ALPHANUMERIC_AND_SYMBOLS" => random_range(33, 125, len),
        "UUID" => uuid::Uuid::new_v4().to_string(),
        "HEXADECIMAL" => random_from(HEXADECIMAL, len),
        _ => random_range(32, 126, len),
    };
    Ok(text_out(if c.hash_bool("uppercase") {
        raw.to_uppercase()
    } else {
        raw.to_lowercase()
    }))
}

/// `{{randomInt lower=5 upper=9}}`: `lower` inclusive, `upper` exclusive.
pub(crate) fn random_int<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let lower = c.hash_int("lower", rc).unwrap_or(i32::MIN as i64);
    let upper = c.hash_int("upper", rc).unwrap_or(i32::MAX as i64);
    if lower >= upper {
        return Err(raise(format!(
            "randomInt: upper ({upper}) must be greater than lower ({lower})"
        )));
    }
    Ok(Out::Val(Value::from(
        rand::thread_rng().gen_range(lower..upper),
    )))
}

/// `{{randomDecimal lower=-10.1 upper=-0.9}}`.
pub(crate) fn random_decimal<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let bound = |k: &str, default: f64| {
        c.hash_val(k, rc)
            .and_then(|v| float_of(&v))
            .unwrap_or(default)
    };
    let lower = bound("lower", f64::from_bits(1));
    let upper = bound("upper", f64::MAX);
    if !lower.is_finite() || !upper.is_finite() || lower >= upper {
        return Err(raise(format!(
            "randomDecimal: upper ({upper}) must be greater than lower ({lower})"
        )));
    }
    let t: f64 = rand::thread_rng().gen();
    let v = lower * (1.0 - t) + upper * t;
    let v = if v >= upper || v < lower { lower } else { v };
    Ok(Out::Val(
        Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or(Value::Null),
    ))
}

/// `{{pickRandom '1' '2' '3'}}` or `{{pickRandom list}}`.
pub(crate) fn pick_random<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let items: Vec<Value> =
        match c.raw(0, rc) {
            None => return Ok(inline_error(
                "Must specify either a single list argument or a set of single value arguments.",
            )),
            Some(Value::Array(a)) => a,
            Some(_) => (0..c.arg_count()).filter_map(|i| c.val(i, rc)).collect(),
        };
    if items.is_empty() {
        return Ok(text_out(""));
    }
    // `count=n`: n distinct items (all of them when fewer), as a list
    let count = match c.hp("count").map(|p| p.value()) {
        None => 0,
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(other) => {
            return Err(raise(format!(
                "pickRandom: count must be an integer, not {}",
                value_text(other)
            )))
        }
    };
    let mut rng = rand::thread_rng();
    if count > 0 {
        use rand::seq::SliceRandom;
        let mut picked = items;
        picked.shuffle(&mut rng);
        picked.truncate(count.min(usize::MAX as u64) as usize);
        return Ok(Out::Val(Value::Array(picked)));
    }
    let i = rng.gen_range(0..items.len());
    Ok(text_out(value_text(&items[i])))
}

#[cfg(test)]
mod tests {
    use crate::template::test_support::*;

    #[test]
    fn random_values() {
        assert_matches(
            r"^[a-z0-9]{33}$",
            &r("{{randomValue length=33 type='ALPHANUMERIC'}}"),
        );
        assert_matches(
            r"^[A-Z0-9]{12}$",
            &r("{{randomValue length=12 type='ALPHANUMERIC' uppercase=true}}"),
        );
        assert_matches(
            r"^[a-z]{55}$",
            &r("{{randomValue length=55 type='ALPHABETIC'}}"),
        );
        assert_matches(
            r"^[0-9]{10}$",
            &r("{{randomValue length=10 type='NUMERIC'}}"),
        );
        assert_matches(
            r"^[!-}]{5}$",
            &r("{{randomValue length=5 type='ALPHANUMERIC_AND_SYMBOLS'}}"),
        );
        assert_matches(
            r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            &r("{{randomValue type='UUID'}}"),
        );
        assert_matches(
            r"^[0-9A-F]{32}$",
            &r("{{randomValue length=32 type='HEXADECIMAL' uppercase=true}}"),
        );
        assert_matches(r"^[a-z0-9]{36}$", &r("{{randomValue}}"));
    }

    #[test]
    fn random_numbers_and_picks() {
        let picked = r("{{pickRandom 1 2 3 4 5 count=3}}");
        let items: Vec<&str> = picked.trim_matches(['[', ']']).split(", ").collect();
        assert_eq!(items.len(), 3, "{picked}");
        assert!(items.iter().all(|i| ["1", "2", "3", "4", "5"].contains(i)));
        assert!(
            items
                .iter()
                .enumerate()
                .all(|(k, i)| !items[..k].contains(i)),
            "distinct: {picked}"
        );
        assert_eq!(r("{{size (pickRandom 1 2 3 count=9)}}"), "3");
        assert_eq!(r("{{pickRandom (array 'a') count=0}}"), "a");
        assert!(Templates::new()
            .render_text("{{pickRandom 1 2 count='2'}}", &request())
            .is_err());
        for _ in 0..50 {
            let i: i64 = r("{{randomInt lower=5 upper=9}}").parse().unwrap();
            assert!((5..9).contains(&i));
            let d: f64 = r("{{randomDecimal lower=-10.1 upper=-0.9}}")
                .parse()
                .unwrap();
            assert!((-10.1..-0.9).contains(&d));
            assert!(["1", "2", "3"].contains(&r("{{pickRandom '1' '2' '3'}}").as_str()));
            assert!(["1", "2", "3"]
                .contains(&r("{{pickRandom (jsonPath request.body '$.things')}}").as_str()));
        }
        assert_matches(r"^-?\d+$", &r("{{randomInt}}"));
        assert_matches(r"^-?\d+$", &r("{{randomInt upper=54323}}"));
        assert_matches(r"^\d", &r("{{randomDecimal upper=12.5}}"));
        let n: i64 = r("{{math (randomInt lower=1 upper=2) '+' 1}}")
            .parse()
            .unwrap();
        assert_eq!(n, 2);
        assert!(Templates::new()
            .render_text("{{randomInt lower=5 upper=5}}", &request())
            .is_err());
    }
}
