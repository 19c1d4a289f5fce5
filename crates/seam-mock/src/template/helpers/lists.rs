//! List helpers: `join`, `size`, `contains`, `range`, `array`.

use handlebars::{RenderContext, RenderError};
use serde_json::Value;

use crate::template::helpers::call::{is_node_list, Call};
use crate::template::helpers::{inline_error, raise, text_out, Out};
use crate::template::java_text::{int_of, value_text};

/// WireMock's `join`: `{{join ',' (array 'a' 'b')}}`, `{{join ' ' 'a' 'b'}}`; also
/// Handlebars.java's `{{join list ', '}}`; `prefix=`/`suffix=`; a block renders each item.
pub(crate) fn join<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let n = c.arg_count();
    let last_is_text = n >= 2 && matches!(c.raw(n - 1, rc), Some(Value::String(_)));
    let (sep, items) = match c.raw(0, rc) {
        Some(Value::Array(list)) if last_is_text => (c.text(n - 1, rc).unwrap_or_default(), list),
        Some(Value::String(sep)) => {
            let items = match c.raw(1, rc) {
                Some(Value::Array(list)) if n == 2 => list,
                _ => (1..n)
                    .map(|i| c.val(i, rc).unwrap_or(Value::Null))
                    .collect(),
            };
            (sep, items)
        }
        _ => return Ok(inline_error("Separator parameter must be a String")),
    };
    if items.is_empty() {
        return Ok(text_out(""));
    }
    let prefix = c.hash_text("prefix", rc).unwrap_or_default();
    let suffix = c.hash_text("suffix", rc).unwrap_or_default();
    if c.h.is_block() {
        let mut parts = Vec::with_capacity(items.len());
        for item in &items {
            parts.push(c.block_with(rc, item)?);
        }
        return Ok(Out::Block(format!("{prefix}{}{suffix}", parts.join(&sep))));
    }
    let joined = items.iter().map(value_text).collect::<Vec<_>>().join(&sep);
    Ok(text_out(format!("{prefix}{joined}{suffix}")))
}

pub(crate) fn size<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(Out::Val(match c.raw(0, rc) {
        Some(Value::String(s)) => Value::from(s.encode_utf16().count()),
        Some(Value::Array(a)) => Value::from(a.len()),
        Some(Value::Object(m)) => Value::from(m.len()),
        _ => Value::Null,
    }))
}

pub(crate) fn contains<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    if c.arg_count() < 2 {
        return Ok(inline_error(
            "You must specify the string or array to be matched and the regular expression",
        ));
    }
    let needle = c.text(1, rc);
    let result = match (c.raw(0, rc), needle) {
        (Some(Value::Array(a)), Some(n)) if !is_node_list(&a) => {
            a.iter().any(|x| x.as_str() == Some(n.as_str()))
        }
        (Some(_), Some(n)) => c.text(0, rc).unwrap_or_default().contains(&n),
        _ => false,
    };
    c.branch(rc, result)
}

/// Longest list `range` builds.
pub(crate) const MAX_RANGE: i64 = 1_000_000;

pub(crate) fn range<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let lower = c.val(0, rc).and_then(|v| int_of(&v));
    let upper = c.val(1, rc).and_then(|v| int_of(&v));
    let (Some(lower), Some(upper)) = (lower, upper) else {
        return Ok(inline_error(
            "The range helper requires both lower and upper bounds as integer parameters",
        ));
    };
    if upper.saturating_sub(lower) >= MAX_RANGE {
        return Err(raise(format!("range: {lower}..{upper} is too long")));
    }
    Ok(Out::Val(Value::Array(
        (lower..=upper).map(Value::from).collect(),
    )))
}

pub(crate) fn array<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(Out::Val(Value::Array(
        (0..c.arg_count())
            .map(|i| c.raw(i, rc).unwrap_or(Value::Null))
            .collect(),
    )))
}

#[cfg(test)]
mod tests {
    use crate::template::test_support::*;

    #[test]
    fn ranges_arrays_sizes() {
        assert_eq!(r("{{range 3 8}}"), "[3, 4, 5, 6, 7, 8]");
        assert_eq!(r("{{range -2 2}}"), "[-2, -1, 0, 1, 2]");
        assert_eq!(
            r("{{#each (range 0 2) as |i|}}id:{{i}} {{/each}}"),
            "id:0 id:1 id:2 "
        );
        assert_eq!(r("{{array 1 'two' true}}"), "[1, two, true]");
        assert_eq!(r("[{{array}}]"), "[[]]");
        assert_eq!(
            r("{{size 'abcde'}} {{size (array 1 2)}} {{size (parseJson request.body)}}"),
            "5 2 7"
        );
        assert_eq!(
            r("{{range 1}}"),
            "[ERROR: The range helper requires both lower and upper bounds as integer parameters]"
        );
        assert_eq!(
            r("{{#each (split 'a,b,c' ',')}}[{{this}}]{{/each}}"),
            "[a][b][c]"
        );
        assert_eq!(r("{{isOdd 3}} {{isOdd 3 'rightBox'}} [{{isOdd 2}}] {{isEven 4 'leftBox'}} {{stripes 3 'row-even' 'row-odd'}}"), "odd rightBox [] leftBox row-odd");
    }

    #[test]
    fn join() {
        assert_eq!(
            r("{{join ',' (array 'One' 'Two' 'Three')}}"),
            "One,Two,Three"
        );
        assert_eq!(r("{{join ' ' 'WireMock' 'Rocks'}}"), "WireMock Rocks");
        assert_eq!(
            r("{{join '' 'Number of dogs: ' (math 1 '+' 2)}}"),
            "Number of dogs: 3"
        );
        assert_eq!(r("{{join (array 'a' 'b') ' // '}}"), "a // b");
        assert_eq!(
            r("{{join ',' request.query.q prefix='[' suffix=']'}}"),
            "[one,two,three]"
        );
        assert_eq!(r("{{#join ', ' (jsonPath request.body '$.items') prefix='<' suffix='>'}}'{{name}}'{{/join}}"), "<'One', 'Two'>");
        assert_eq!(
            r("{{join 1 (array 1)}}"),
            "[ERROR: Separator parameter must be a String]"
        );
    }
}
