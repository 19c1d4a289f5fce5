//! List helpers: `join`, `arrayJoin`, `size`, `contains`, `range`, `array`,
//! `arrayAdd`, `arrayRemove`.

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

/// `list.first`, `list.last`, `list.[-n]` on a variable (the rewrite turns
/// them into this helper): an item of a list, counted as WireMock's
/// `ListOrSingle` does (`-1` is the one before the last), or an object's key.
pub(crate) fn item<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let key = c.text(1, rc).unwrap_or_default();
    let found = match c.raw(0, rc) {
        Some(Value::Array(a)) => match key.as_str() {
            "first" => a.first().cloned(),
            "last" => a.last().cloned(),
            other => other
                .strip_prefix('-')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| a.len().checked_sub(n + 1))
                .and_then(|i| a.get(i).cloned()),
        },
        Some(Value::Object(m)) => m.get(&key).cloned(),
        _ => None,
    };
    Ok(found.map_or_else(|| text_out(""), Out::Val))
}

/// `{{arrayJoin ',' (array 'a' 'b')}}`, `{{arrayJoin ' - ' 'a' 'b'}}`: the
/// separator first; `prefix=`/`suffix=`; a block (`as |item|`) renders each item.
pub(crate) fn array_join<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    match c.raw(0, rc) {
        Some(Value::String(_)) => {}
        _ => return Ok(inline_error("Separator parameter must be a String")),
    }
    if c.arg_count() < 2 {
        return Ok(inline_error("The parameter must be list"));
    }
    join(c, rc)
}

/// Where `arrayAdd` / `arrayRemove` act: `position=` an index, `start` or
/// `end` (the default). `Err` is WireMock's inline error.
fn position<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &RenderContext<'reg, 'rc>,
    end: usize,
    len: usize,
) -> Result<usize, Out> {
    let at = match c.hash_val("position", rc) {
        None | Some(Value::Null) => return Ok(end),
        Some(Value::String(s)) if s == "start" => return Ok(0),
        Some(Value::String(s)) if s == "end" => return Ok(end),
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    let Some(at) = at else {
        return Err(inline_error(
            "position must be 'start', 'end' or an integer",
        ));
    };
    usize::try_from(at).ok().filter(|i| *i <= len).ok_or_else(|| {
        inline_error(
            "position must be greater than or equal to 0 and less than or equal to the size of the list",
        )
    })
}

/// `{{arrayAdd list item position=1}}` (`start`, `end`: the default).
pub(crate) fn array_add<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(Value::Array(mut list)) = c.raw(0, rc) else {
        return Err(raise("arrayAdd: the first parameter must be a list"));
    };
    let item = c.raw(1, rc).unwrap_or(Value::Null);
    match position(c, rc, list.len(), list.len()) {
        Ok(at) => {
            list.insert(at, item);
            Ok(Out::Val(Value::Array(list)))
        }
        Err(e) => Ok(e),
    }
}

/// `{{arrayRemove list position=1}}` (`start`, `end`: the default).
pub(crate) fn array_remove<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(Value::Array(mut list)) = c.raw(0, rc) else {
        return Err(raise("arrayRemove: the first parameter must be a list"));
    };
    if list.is_empty() {
        return Err(raise("arrayRemove: the list is empty"));
    }
    match position(c, rc, list.len() - 1, list.len()) {
        Ok(at) if at < list.len() => {
            list.remove(at);
            Ok(Out::Val(Value::Array(list)))
        }
        Ok(_) => Ok(inline_error(
            "position must be greater than or equal to 0 and less than or equal to the size of the list",
        )),
        Err(e) => Ok(e),
    }
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
    fn array_add_remove_join_as_wiremock_3_13() {
        for (template, expected) in [
            ("{{arrayAdd (array 1 'three') 2 position=1}}", "[1, 2, three]"),
            ("{{arrayAdd (array 1 'three') 2 position='start'}}", "[2, 1, three]"),
            ("{{arrayAdd (array 1 'three') 2}}", "[1, three, 2]"),
            ("{{arrayRemove (array 1 2 'three') position=1}}", "[1, three]"),
            ("{{arrayRemove (array 1 2 'three') position='start'}}", "[2, three]"),
            ("{{arrayRemove (array 1 2 'three')}}", "[1, 2]"),
            ("{{arrayAdd (array 1) 2 position=5}}", "[ERROR: position must be greater than or equal to 0 and less than or equal to the size of the list]"),
            ("{{arrayAdd (array 1) 2 position='mid'}}", "[ERROR: position must be 'start', 'end' or an integer]"),
            ("{{size (arrayAdd (array 1) 2)}}", "2"),
            ("{{arrayJoin ' - ' 'a' 'b' 'c'}}", "a - b - c"),
            ("{{arrayJoin ', ' (range 1 5)}}", "1, 2, 3, 4, 5"),
            ("{{arrayJoin ' * ' (array 1 2 3) prefix='(' suffix=')'}}", "(1 * 2 * 3)"),
            ("{{#parseJson 't'}}[{\"id\": 1, \"n\": \"One\"},{\"id\": 2, \"n\": \"Two\"}]{{/parseJson}}[{{#arrayJoin ',' t as |item|}}{\"n{{item.id}}\": \"{{item.n}}\"}{{/arrayJoin}}]", r#"[{"n1": "One"},{"n2": "Two"}]"#),
            ("{{arrayJoin ','}}", "[ERROR: The parameter must be list]"),
            ("{{arrayJoin 1 (array 1)}}", "[ERROR: Separator parameter must be a String]"),
            ("[{{arrayJoin ',' (array)}}]", "[]"),
        ] {
            assert_eq!(r(template), expected, "{template}");
        }
        assert!(Templates::new()
            .render_text("{{arrayRemove (array)}}", &request())
            .is_err());
        assert!(Templates::new()
            .render_text("{{arrayAdd 'x' 2}}", &request())
            .is_err());
    }

    #[test]
    fn list_items_of_variables() {
        let form = with_body("a=1&a=2&b=x%20y");
        assert_eq!(
            render_req("{{formData request.body 'f'}}{{f.a}}|{{f.a.first}}|{{f.a.last}}|{{f.a.[1]}}|{{f.b}}|{{f.a.[-1]}}", &form),
            "1|1|2|2|x%20y|1"
        );
        assert_eq!(
            render_req(
                "{{formData request.body 'f' urlDecode=true}}{{f.b.first}}",
                &form
            ),
            "x y"
        );
        assert_eq!(
            render_req("{{formData request.body 'f'}}{{toJson f}}", &form),
            "{\n  \"a\" : [ \"1\", \"2\" ],\n  \"b\" : \"x%20y\"\n}"
        );
        // an object's own `first` / `last` keys still read
        assert_eq!(
            r("{{#parseJson 'o'}}{\"first\": \"F\", \"x\": {\"last\": 2}}{{/parseJson}}{{o.first}} {{o.x.last}}"),
            "F 2"
        );
    }

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
