//! Rendering bare values, conditionals (`eq`, `neq`, `gt`, `and`, `or`, `not`, ...),
//! `lookup`, and variables (`assign`, `val`).

use handlebars::{RenderContext, RenderError};
use serde_json::Value;

use crate::template::helpers::call::{path_segments, Call};
use crate::template::helpers::{raise, Out};
use crate::template::java_text::{is_empty, java_trim, value_text};
use crate::template::model::MULTI;

/// Bare `{{value}}` expressions.
pub(crate) fn render_value<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    Ok(match c.val(0, rc) {
        Some(v) => Out::Val(v),
        None => Out::Nothing,
    })
}

pub(crate) fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

pub(crate) fn compare(a: &Value, b: &Value) -> Result<std::cmp::Ordering, RenderError> {
    let num = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let ordering = match (a, b) {
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => None,
        },
    };
    ordering.ok_or_else(|| {
        raise(format!(
            "not comparable: {} and {}",
            value_text(a),
            value_text(b)
        ))
    })
}

pub(crate) fn two<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &RenderContext<'reg, 'rc>,
) -> (Value, Value) {
    (
        c.val(0, rc).unwrap_or(Value::Null),
        c.val(1, rc).unwrap_or(Value::Null),
    )
}

pub(crate) fn eq<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (a, b) = two(c, rc);
    c.branch(rc, values_equal(&a, &b))
}

pub(crate) fn neq<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (a, b) = two(c, rc);
    c.branch(rc, !values_equal(&a, &b))
}

/// `gt`, `gte`, `lt`, `lte`: one helper, the comparison chosen by `OP`.
pub(crate) fn compare_order<'reg, 'rc, const OP: u8>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (a, b) = two(c, rc);
    let ord = compare(&a, &b)?;
    let holds = match OP {
        GT => ord.is_gt(),
        GTE => ord.is_ge(),
        LT => ord.is_lt(),
        _ => ord.is_le(),
    };
    c.branch(rc, holds)
}

pub(crate) const GT: u8 = 0;
pub(crate) const GTE: u8 = 1;
pub(crate) const LT: u8 = 2;
pub(crate) const LTE: u8 = 3;

pub(crate) fn and<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let result = (0..c.arg_count().max(1)).all(|i| !is_empty(&c.raw(i, rc).unwrap_or(Value::Null)));
    c.branch(rc, result)
}

pub(crate) fn or<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let result = (0..c.arg_count()).any(|i| !is_empty(&c.raw(i, rc).unwrap_or(Value::Null)));
    c.branch(rc, result)
}

pub(crate) fn not<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let result = is_empty(&c.raw(0, rc).unwrap_or(Value::Null));
    c.branch(rc, result)
}

/// `{{lookup obj 'key'}}`, also with a dotted key (`'ids[].1'`).
pub(crate) fn lookup<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(base) = c.arg(0) else {
        return Ok(Out::Nothing);
    };
    let Some(key) = c.text(1, rc) else {
        return Ok(Out::Nothing);
    };
    let segs = path_segments(base).unwrap_or_default();
    let multi_map =
        matches!(segs.as_slice(), [r, m] if r == "request" && MULTI.contains(&m.as_str()));
    let key = if segs.len() == 2 && segs[0] == "request" && segs[1] == "headers" {
        crate::template::model::header_key(&key)
    } else {
        key
    };
    let get = |v: &Value, k: &str| -> Option<Value> {
        match v {
            Value::Object(m) => m.get(k).cloned(),
            Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i).cloned()),
            _ => None,
        }
    };
    let value = base.value();
    if let Some(found) = get(value, &key) {
        return Ok(if multi_map {
            Out::ListOrSingle(found)
        } else {
            Out::Val(found)
        });
    }
    let found = key
        .rsplit_once('.')
        .and_then(|(head, tail)| get(&get(value, head)?, tail));
    Ok(Out::Val(found.unwrap_or(Value::Null)))
}

/// `{{#assign 'name'}}...{{/assign}}` (Handlebars.java's AssignHelper).
pub(crate) fn assign<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(name) = c.text(0, rc) else {
        return Err(raise("assign needs a variable name"));
    };
    let value = match c.block(rc)? {
        Some(b) => Value::String(java_trim(&b).to_string()),
        None => c.val(1, rc).unwrap_or(Value::Null),
    };
    c.set_var(rc, &name, value, None)?;
    Ok(Out::Nothing)
}

/// `{{val value default='x'}}`, `{{val value or='x' assign='name'}}`.
pub(crate) fn val<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let value = c.val(0, rc).filter(|v| !v.is_null());
    let default = c.hash_val("or", rc).or_else(|| c.hash_val("default", rc));
    let value = value.or(default).unwrap_or(Value::Null);
    if let Some(name) = c.hash_text("assign", rc) {
        c.set_var(rc, &name, value, None)?;
        return Ok(Out::Nothing);
    }
    Ok(Out::Val(value))
}

#[cfg(test)]
mod tests {
    use crate::template::test_support::*;

    #[test]
    fn conditionals() {
        assert_eq!(r("{{#if (contains 'abcde' 'abc')}}YES{{/if}} {{#contains (array 'a' 'b' 'c') 'a'}}YES{{/contains}}"), "YES YES");
        assert_eq!(
            r("{{contains request.query.q 'two'}} {{contains 'abc' 'z'}}"),
            "true false"
        );
        assert_eq!(
            r("{{#eq request.headers.X-Request-Id.[0] 'req-1'}}ONE{{else}}MANY{{/eq}}"),
            "ONE"
        );
        assert_eq!(
            r("{{#eq request.query.single '1234'}}Y{{else}}N{{/eq}}"),
            "Y"
        );
        assert_eq!(
            r("{{eq 5 5 yes='y' no='n'}} {{eq 5 6 yes='y' no='n'}} {{eq 5 5}}"),
            "y n true"
        );
        assert_eq!(r("{{neq 1 2}} {{ne 'a' 'a'}}"), "true false");
        assert_eq!(
            r("{{gt 3 2}} {{gte 2 2}} {{lt 'a' 'b'}} {{lte 3 2}}"),
            "true true true false"
        );
        assert_eq!(
            r("{{#gt (jsonPath request.body '$.id') 5}}big{{/gt}}"),
            "big"
        );
        assert_eq!(r("{{and true 1 'x'}} {{and true 0}} {{or '' null 'x'}} {{or '' 0}} {{not ''}} {{not 'x'}}"), "true false true false true false");
        assert_eq!(
            r("{{#and request.query.q request.query.single}}both{{/and}}"),
            "both"
        );
        assert_eq!(r("{{#if request.query.missing}}yes{{else}}no{{/if}}"), "no");
        assert!(Templates::new()
            .render_text("{{gt 'a' 1}}", &request())
            .is_err());
    }

    #[test]
    fn variables() {
        assert_eq!(
            r("{{#assign 'myQuery'}} {{capitalize request.query.q}} {{/assign}}[{{myQuery}}]"),
            "[One]"
        );
        assert_eq!(
            r("{{val request.query.missing default='d'}} {{val request.query.single or='d'}}"),
            "d 1234"
        );
        assert_eq!(
            r("{{val (jsonPath request.body '$.id') assign='theId'}}{{math theId '+' 1}}"),
            "8"
        );
        assert_eq!(
            r("{{#assign 'x'}}v{{/assign}}{{#each request.query.q}}{{x}}{{this}} {{/each}}"),
            "vone vtwo vthree "
        );
        let form = with_body("formField1=a&formField3=hello%20there&multi=1&multi=2");
        assert_eq!(
            render_req(
                "{{formData request.body 'form' urlDecode=true}}{{form.formField3}}",
                &form
            ),
            "hello there"
        );
        assert_eq!(
            render_req(
                "{{formData request.body 'form'}}{{form.multi}} {{form.multi.[1]}}",
                &form
            ),
            "1 2"
        );
        // the model still works after a variable changed the context
        assert_eq!(
            r("{{#assign 'v'}}1{{/assign}}{{request.query.q}} {{request.path}}"),
            "one /things/42/parts"
        );
    }

    #[test]
    fn misc_helpers() {
        assert!(!r("{{hostname}}").is_empty());
        assert_eq!(r("{{#with request.query}}{{single}}{{/with}}"), "1234");
        assert_eq!(
            r("{{#each request.headers}}{{@key}}={{this}};{{/each}}"),
            "X-Request-Id=req-1;Accept=text/plain;123$%$^&__why_o_why=foundit;"
        );
        assert_eq!(
            r("{{#unless request.query.single}}no{{else}}yes{{/unless}}"),
            "yes"
        );
        assert_eq!(
            r("{{{{raw}}}}{{request.url}}{{{{/raw}}}}"),
            "{{request.url}}"
        );
        assert_eq!(r("{{!-- a comment --}}x"), "x");
    }

    #[test]
    fn locals_and_iteration() {
        assert_eq!(
            r("{{#each request.query.q}}{{@index}}{{#if @first}}!{{/if}}{{/each}}"),
            "0!12"
        );
        assert_eq!(
            r("{{#each request.query}}{{@key}}:{{this}} {{/each}}"),
            "q:one single:1234 ids[]:111 "
        );
        assert_eq!(
            r("{{#each request.cookies.multi as |c|}}{{c}}{{/each}}"),
            "ab"
        );
        fn shared<T: Send + Sync>() {}
        shared::<Templates>();
    }
}
