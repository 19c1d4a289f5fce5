//! Regex helpers: `matches` and `regexExtract`, with the matchers' bounds.

use handlebars::{RenderContext, RenderError};
use serde_json::Value;

use crate::template::helpers::call::Call;
use crate::template::helpers::{inline_error, raise, text_out, Out};

/// A template's regex, within the matchers' bounds (length and compiled size).
pub(crate) fn compile_regex(pattern: &str, whole: bool) -> Result<regex::Regex, String> {
    if whole {
        seam_core::regexp::anchored(pattern, seam_core::regexp::Dot::All)
    } else {
        seam_core::regexp::bounded(pattern)
    }
}

pub(crate) fn matches<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    if c.arg_count() < 2 {
        return Ok(inline_error(
            "You must specify the string to be matched and the regular expression",
        ));
    }
    let value = c.text(0, rc).unwrap_or_default();
    let pattern = c.text(1, rc).unwrap_or_default();
    let re = compile_regex(&pattern, true).map_err(|e| raise(format!("matches: {e}")))?;
    c.branch(rc, re.is_match(&value))
}

/// `{{regexExtract value 're'}}` (first match) or `{{regexExtract value 're' 'parts'}}`
/// (every group of every match into the `parts` variable); `default=`.
pub(crate) fn regex_extract<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let input = c.text(0, rc).unwrap_or_default();
    let Some(pattern) = c.text(1, rc) else {
        return Ok(inline_error("regexExtract needs a regular expression"));
    };
    let Ok(re) = compile_regex(&pattern, false) else {
        return Ok(inline_error(format!("Invalid regex string {pattern}")));
    };
    let default = c.hash_val("default", rc);
    let no_match = |default: Option<Value>| match default {
        Some(d) => Out::Val(d),
        None => inline_error(format!("Nothing matched {pattern}")),
    };
    if c.arg_count() < 3 {
        return Ok(match re.find(&input) {
            Some(m) => text_out(m.as_str()),
            None => no_match(default),
        });
    }
    let var = c.text(2, rc).unwrap_or_default();
    let mut groups = Vec::new();
    for caps in re.captures_iter(&input) {
        for i in 1..caps.len() {
            groups.push(
                caps.get(i)
                    .map(|m| Value::String(m.as_str().to_string()))
                    .unwrap_or(Value::Null),
            );
        }
    }
    if groups.is_empty() {
        return Ok(no_match(default));
    }
    c.set_var(rc, &var, Value::Array(groups), Some(1))?;
    Ok(Out::Nothing)
}

#[cfg(test)]
mod tests {
    use crate::template::test_support::*;

    #[test]
    fn regex_helpers() {
        let req = with_body("abc-DEF-123");
        assert_eq!(
            render_req("{{regexExtract request.body '[A-Z]+'}}", &req),
            "DEF"
        );
        assert_eq!(
            render_req("{{regexExtract request.body '([a-z]+)-([A-Z]+)-([0-9]+)' 'parts'}}{{parts.0}},{{parts.1}},{{parts.2}}", &req),
            "abc,DEF,123"
        );
        assert_eq!(
            render_req("{{regexExtract request.body '([a-z]+)' 'p'}}{{p}}", &req),
            "abc"
        );
        assert_eq!(
            r("{{regexExtract 'abc' '[0-9]+' default='my default value'}}"),
            "my default value"
        );
        assert_eq!(
            r("{{regexExtract 'abc' '[0-9]+'}}"),
            "[ERROR: Nothing matched [0-9]+]"
        );
        assert_eq!(
            r("{{regexExtract 'abc' '[0-9'}}"),
            "[ERROR: Invalid regex string [0-9]"
        );
        assert_eq!(r("{{#if (matches '123' '[0-9]+')}}YES{{/if}}{{#matches 'a123' '[0-9]+'}}NO{{else}}ELSE{{/matches}}"), "YESELSE");
        assert_eq!(r("{{matches '123' '[0-9]+'}}"), "true");
    }
}
