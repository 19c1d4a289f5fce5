//! JSON helpers: `jsonPath`, `parseJson`, `toJson`, `formatJson`.

use handlebars::{PathAndJson, RenderContext, RenderError};
use serde_json::{Map, Value};

use crate::template::helpers::call::{collapse_lists, Call};
use crate::template::helpers::strings::block_or_val;
use crate::template::helpers::{inline_error, raise, text_out, Out};
use crate::template::java_text::{jackson_pretty, java_trim, value_text};

/// Jayway's notion of a definite path (one result rather than a list).
pub(crate) fn is_definite_json_path(path: &str) -> bool {
    !(path.contains('*')
        || path.contains("..")
        || path.contains("?")
        || path.contains(',')
        || path.contains(':'))
}

/// `{{jsonPath request.body '$.id' default='x'}}`.
pub(crate) fn json_path<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let input = match c.val(0, rc) {
        None | Some(Value::Null) => return Ok(text_out("")),
        Some(v) => v,
    };
    let Some(path) = c.text(1, rc) else {
        return Ok(inline_error("The JSONPath cannot be empty"));
    };
    let doc = match input {
        Value::String(s) if java_trim(&s).is_empty() => return Ok(text_out("")),
        Value::String(s) => match serde_json::from_str::<Value>(&s) {
            Ok(d) => d,
            Err(_) => return Ok(inline_error(format!("{s} is not valid JSON"))),
        },
        other => other,
    };
    let Ok(jp) = serde_json_path::JsonPath::parse(&path) else {
        return Ok(inline_error(format!(
            "{path} is not a valid JSONPath expression"
        )));
    };
    let nodes = jp.query(&doc).all();
    let result = if is_definite_json_path(&path) {
        nodes.first().map(|v| (*v).clone())
    } else {
        Some(Value::Array(nodes.into_iter().cloned().collect()))
    };
    Ok(Out::Json(match result {
        None | Some(Value::Null) => c
            .hash_val("default", rc)
            .unwrap_or_else(|| Value::String(String::new())),
        Some(v) => v,
    }))
}

/// `{{parseJson request.body}}`, `{{parseJson request.body 'var'}}`,
/// `{{#parseJson 'var'}}{...}{{/parseJson}}`.
pub(crate) fn parse_json<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (text, var) = match c.block(rc)? {
        Some(b) => (b, c.text(0, rc)),
        None => match c.text(0, rc) {
            Some(t) => (t, c.text(1, rc)),
            None => return Ok(inline_error("Missing required JSON string parameter")),
        },
    };
    let trimmed = java_trim(&text);
    let compact: String = trimmed.chars().filter(|ch| !ch.is_whitespace()).collect();
    let value = if compact.is_empty() || compact == "{}" {
        Value::Object(Map::new())
    } else {
        serde_json::from_str::<Value>(trimmed)
            .map_err(|e| raise(format!("parseJson: invalid JSON: {e}")))?
    };
    match var {
        Some(name) => {
            c.set_var(rc, &name, value, None)?;
            Ok(Out::Nothing)
        }
        None => Ok(Out::Val(value)),
    }
}

/// `{{toJson value}}`: Jackson's pretty printing.
pub(crate) fn to_json<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let Some(p) = c.arg(0) else {
        return Ok(text_out(""));
    };
    let v = c.data(rc, |d| collapse_lists(p, d));
    Ok(text_out(jackson_pretty(&v)))
}

/// `{{#formatJson format='compact'}}...{{/formatJson}}` or `{{formatJson value}}`.
pub(crate) fn format_json<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let (text, block) = match c.block(rc)? {
        Some(b) => (b, true),
        None => match c.val(0, rc) {
            Some(Value::String(s)) => (s, false),
            Some(v @ (Value::Object(_) | Value::Array(_))) => {
                (serde_json::to_string(&v).unwrap_or_default(), false)
            }
            _ => (String::new(), false),
        },
    };
    let text = java_trim(&text);
    if text.is_empty() {
        return Ok(inline_error(
            "formatJson should take a block of JSON to format or a single parameter of type String",
        ));
    }
    let pretty = match c.hp("format").map(PathAndJson::value) {
        None => true,
        Some(Value::String(f)) if f == "pretty" => true,
        Some(Value::String(f)) if f == "compact" => false,
        Some(Value::String(f)) => {
            return Ok(inline_error(format!(
                "formatJson: format [{f}] should be one of [pretty, compact]"
            )))
        }
        Some(other) => {
            return Ok(inline_error(format!(
                "formatJson: format [{}] should be a String and one of [pretty, compact]",
                value_text(other)
            )))
        }
    };
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Ok(inline_error(
            "There was an error parsing the json. Please make sure the json is valid",
        ));
    };
    let out = if pretty {
        jackson_pretty(&v)
    } else {
        serde_json::to_string(&v).unwrap_or_default()
    };
    Ok(block_or_val(out, block))
}

#[cfg(test)]
mod tests {
    use crate::template::test_support::*;

    #[test]
    fn json_path() {
        assert_eq!(r("{{jsonPath request.body '$.name'}}"), "Ann");
        assert_eq!(r("{{jsonPath request.body '$.id'}}"), "7");
        assert_eq!(r("{{jsonPath request.body '$.price'}}"), "1.5");
        assert_eq!(
            r("{{jsonPath request.body '$.outer'}}"),
            "{\n  \"inner\" : \"Stuff\"\n}"
        );
        assert_eq!(r("{{jsonPath request.body '$.things'}}"), "[1,2,3]");
        assert_eq!(
            r("{{jsonPath request.body '$.items[*].name'}}"),
            "[\"One\",\"Two\"]"
        );
        assert_eq!(r("[{{jsonPath request.body '$.missing'}}]"), "[]");
        assert_eq!(r("{{jsonPath request.body '$.missing' default='M'}}"), "M");
        assert_eq!(r("{{jsonPath request.body '$.nothing' default='0'}}"), "0");
        assert_eq!(
            r("{{#each (jsonPath request.body '$.items') as |item|}}{{item.name}} {{/each}}"),
            "One Two "
        );
        assert_eq!(
            r("{{#each (jsonPath request.body '$.outer') as |value key|}}{{key}}={{value}}{{/each}}"),
            "inner=Stuff"
        );
        assert_eq!(
            render_req("{{jsonPath request.body '$.a'}}", &with_body("{\"a\": bad")),
            "[ERROR: {\"a\": bad is not valid JSON]"
        );
        assert_eq!(
            r("{{jsonPath request.body '$==x'}}"),
            "[ERROR: $==x is not a valid JSONPath expression]"
        );
        assert_eq!(
            render_req("[{{jsonPath request.body '$.a'}}]", &with_body("")),
            "[]"
        );
    }

    #[test]
    fn parse_json_to_json_format_json() {
        assert_eq!(
            r("{{parseJson request.body 'b'}}{{b.outer.inner}} {{b.things.[1]}}"),
            "Stuff 2"
        );
        assert_eq!(
            r("{{#parseJson 'o'}}{\"name\": \"transformed\"}{{/parseJson}}{{o.name}}"),
            "transformed"
        );
        assert_eq!(r("{{lookup (parseJson request.body) 'name'}}"), "Ann");
        assert_eq!(r("{{toJson (array 1 2 3)}}"), "[ 1, 2, 3 ]");
        assert_eq!(r("{{toJson 'null'}}"), "\"null\"");
        assert_eq!(r("{{toJson true}} {{toJson 123}}"), "true 123");
        let req = MockRequest {
            headers: headers(&[
                ("Authorization", &["whatever"]),
                ("Content-Type", &["text/plain"]),
            ]),
            ..request()
        };
        assert_eq!(
            render_req("{{toJson request.headers}}", &req),
            "{\n  \"authorization\" : \"whatever\",\n  \"content-type\" : \"text/plain\"\n}"
        );
        let compact = r#"{"foo":true,"bar":{"baz":false}}"#;
        let pretty = "{\n  \"foo\" : true,\n  \"bar\" : {\n    \"baz\" : false\n  }\n}";
        assert_eq!(
            r(&format!(
                "{{{{#formatJson}}}} {compact} {{{{/formatJson}}}}"
            )),
            pretty
        );
        assert_eq!(
            r(&format!(
                "{{{{#formatJson format='compact'}}}} {pretty} {{{{/formatJson}}}}"
            )),
            compact
        );
        assert_eq!(
            r("{{formatJson '{\"a\": [1, {\"b\": []}]}'}}"),
            "{\n  \"a\" : [ 1, {\n    \"b\" : [ ]\n  } ]\n}"
        );
        assert_eq!(
            r("{{#formatJson format='foo'}}{}{{/formatJson}}"),
            "[ERROR: formatJson: format [foo] should be one of [pretty, compact]]"
        );
        assert_eq!(
            r("{{#formatJson}}{\"a\":}{{/formatJson}}"),
            "[ERROR: There was an error parsing the json. Please make sure the json is valid]"
        );
        assert_eq!(
            r("{{formatJson}}"),
            "[ERROR: formatJson should take a block of JSON to format or a single parameter of type String]"
        );
    }
}
