//! JSON helpers: `jsonPath`, `parseJson`, `toJson`, `formatJson`, and the
//! editing ones, `jsonArrayAdd`, `jsonMerge`, `jsonRemove` (their answers are
//! compact JSON, their failures WireMock's inline `[ERROR: ...]` texts).

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
        Value::String(s) => match json_path_document(&s) {
            Ok(Some(d)) => d,
            Ok(None) => return Ok(text_out("")),
            Err(error) => return Ok(error),
        },
        other => other,
    };
    let jp = match compile_json_path(&path) {
        Ok(jp) => jp,
        Err(error) => return Ok(error),
    };
    Ok(Out::Json(match json_path_select(&doc, &jp, &path) {
        None => c
            .hash_val("default", rc)
            .unwrap_or_else(|| Value::String(String::new())),
        Some(v) => v,
    }))
}

/// The document `jsonPath` reads from a text: `None` for a blank one (which
/// renders empty), WireMock's inline error when it is not JSON.
pub(crate) fn json_path_document(text: &str) -> Result<Option<Value>, Out> {
    if java_trim(text).is_empty() {
        return Ok(None);
    }
    serde_json::from_str::<Value>(text)
        .map(Some)
        .map_err(|_| inline_error(format!("{text} is not valid JSON")))
}

/// A Jayway JSONPath compiled, or WireMock's inline error.
pub(crate) fn compile_json_path(path: &str) -> Result<serde_json_path::JsonPath, Out> {
    serde_json_path::JsonPath::parse(&jayway_to_rfc(path))
        .map_err(|_| inline_error(format!("{path} is not a valid JSONPath expression")))
}

/// What `jsonPath` answers for `doc` at `path` (compiled as `jp`): the first
/// node of a definite path, the list of every node of another; `None` for
/// nothing or `null` (the `default`, else empty).
pub(crate) fn json_path_select(
    doc: &Value,
    jp: &serde_json_path::JsonPath,
    path: &str,
) -> Option<Value> {
    let nodes = jp.query(doc).all();
    let result = if is_definite_json_path(path) {
        nodes.first().map(|v| (*v).clone())
    } else {
        Some(Value::Array(nodes.into_iter().cloned().collect()))
    };
    result.filter(|v| !v.is_null())
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
    format_helper(c, rc, "formatJson", "JSON", |text, pretty| {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            return Err(inline_error(
                "There was an error parsing the json. Please make sure the json is valid",
            ));
        };
        Ok(if pretty {
            jackson_pretty(&v)
        } else {
            serde_json::to_string(&v).unwrap_or_default()
        })
    })
}

/// A helper's JSON input: text is parsed, a value (from `parseJson`, `array`)
/// taken as it is. None (or null) is the error "`{what}` must be a string",
/// text that does not parse "`{what_text}` is not valid JSON ('text')", as
/// WireMock words them.
fn json_input(v: Option<Value>, what: &str, what_text: &str) -> Result<Value, Out> {
    match v {
        None | Some(Value::Null) => Err(inline_error(format!("{what} must be a string"))),
        Some(Value::String(text)) => serde_json::from_str(&text)
            .map_err(|_| inline_error(format!("{what_text} is not valid JSON ('{text}')"))),
        Some(other) => Ok(other),
    }
}

/// A helper's JSON input that must be an object (see [`json_input`]).
fn json_object_input(v: Option<Value>, what: &str) -> Result<Value, Out> {
    match json_input(v, what, what)? {
        v @ Value::Object(_) => Ok(v),
        other => Err(inline_error(format!(
            "{what} is not a JSON object ('{}')",
            shown(&other)
        ))),
    }
}

/// JSON text as WireMock quotes it in an error.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The second operand of `jsonArrayAdd` / `jsonMerge`: the block, or the
/// second argument.
fn second_operand<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Option<Value>, RenderError> {
    Ok(match c.block(rc)? {
        Some(block) => Some(Value::String(block)),
        None => c.raw(1, rc),
    })
}

fn compact(v: &Value) -> Out {
    text_out(serde_json::to_string(v).unwrap_or_default())
}

/// `{{jsonArrayAdd array item}}` or `{{#jsonArrayAdd array}}item{{/jsonArrayAdd}}`,
/// with `jsonPath=` (the array inside the document), `flatten=true` (an array
/// item adds its items) and `maxItems=` (the oldest items go).
pub(crate) fn json_array_add<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let mut doc = match json_input(c.raw(0, rc), "Base JSON", "Base JSON") {
        Ok(v) => v,
        Err(e) => return Ok(e),
    };
    let item = match json_input(
        second_operand(c, rc)?,
        "Item-to-add JSON",
        "Item-to-add JSON",
    ) {
        Ok(v) => v,
        Err(e) => return Ok(e),
    };
    let target = match c.hash_text("jsonPath", rc) {
        None => Some(&mut doc),
        Some(path) => {
            let pointer = match first_location(&doc, &path) {
                Ok(p) => p,
                Err(e) => return Ok(e),
            };
            pointer.and_then(|p| doc.pointer_mut(&p))
        }
    };
    let Some(Value::Array(items)) = target else {
        let what = c.raw(0, rc).map(|v| shown(&v)).unwrap_or_default();
        return Ok(inline_error(format!(
            "Target JSON is not a JSON array ('{what}')"
        )));
    };
    match item {
        Value::Array(more) if c.hash_bool("flatten") => items.extend(more),
        one => items.push(one),
    }
    if let Some(max) = c.hash_int("maxItems", rc).filter(|m| *m >= 0) {
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        if items.len() > max {
            items.drain(..items.len() - max);
        }
    }
    Ok(compact(&doc))
}

/// `{{jsonMerge base other}}` or `{{#jsonMerge base}}other{{/jsonMerge}}`:
/// objects merge key by key, recursively; anything else in `other` replaces
/// what `base` has. `removeNulls=true` drops null values from the result.
pub(crate) fn json_merge<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let base = match json_object_input(c.raw(0, rc), "Base JSON") {
        Ok(v) => v,
        Err(e) => return Ok(e),
    };
    let other = match json_object_input(second_operand(c, rc)?, "JSON to merge") {
        Ok(v) => v,
        Err(e) => return Ok(e),
    };
    let mut merged = base;
    merge_into(&mut merged, other);
    if c.hash_bool("removeNulls") {
        remove_nulls(&mut merged);
    }
    Ok(compact(&merged))
}

fn merge_into(base: &mut Value, other: Value) {
    match (base, other) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        merge_into(existing, v)
                    }
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

fn remove_nulls(v: &mut Value) {
    if let Value::Object(m) = v {
        m.retain(|_, x| !x.is_null());
        m.values_mut().for_each(remove_nulls);
    }
}

/// `{{jsonRemove json '$.path'}}`: every node the path selects removed.
pub(crate) fn json_remove<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
) -> Result<Out, RenderError> {
    let mut doc = match json_input(c.raw(0, rc), "Input JSON", "Input JSON string") {
        Ok(v) => v,
        Err(e) => return Ok(e),
    };
    let Some(path) = c.text(1, rc) else {
        return Ok(inline_error("JSONPath parameter must be a string"));
    };
    let jp = match parse_jayway(&path) {
        Ok(jp) => jp,
        Err(e) => return Ok(e),
    };
    // (parent pointer, key or index) of each selected node
    let mut targets: Vec<(String, Result<usize, String>)> = jp
        .query_located(&doc)
        .locations()
        .filter_map(|loc| {
            let last = loc.last()?;
            let parent: String = loc
                .iter()
                .take(loc.len() - 1)
                .map(|e| match e {
                    serde_json_path::PathElement::Name(n) => {
                        format!("/{}", n.replace('~', "~0").replace('/', "~1"))
                    }
                    serde_json_path::PathElement::Index(i) => format!("/{i}"),
                })
                .collect();
            Some(match last {
                serde_json_path::PathElement::Name(n) => (parent, Err(n.to_string())),
                serde_json_path::PathElement::Index(i) => (parent, Ok(*i)),
            })
        })
        .collect();
    // later array items first, so earlier indexes stay valid
    targets.sort_by(|a, b| b.1.as_ref().ok().cmp(&a.1.as_ref().ok()));
    for (parent, key) in targets {
        match (doc.pointer_mut(&parent), key) {
            (Some(Value::Object(m)), Err(name)) => {
                m.shift_remove(&name);
            }
            (Some(Value::Array(a)), Ok(i)) if i < a.len() => {
                a.remove(i);
            }
            _ => {}
        }
    }
    Ok(compact(&doc))
}

/// A JSONPath as WireMock's editing helpers write it (`$.[?(@.id == 1)]` is
/// Jayway's form of `$[?(@.id == 1)]`), or the inline error.
fn parse_jayway(path: &str) -> Result<serde_json_path::JsonPath, Out> {
    serde_json_path::JsonPath::parse(&jayway_to_rfc(path)).map_err(|_| {
        inline_error(format!(
            "JSONPath parameter is not a valid JSONPath expression ('{path}')"
        ))
    })
}

/// Jayway's `.[` (`$.names.[0]`, `$.[?(...)]`) as RFC 9535's `[`; a
/// descendant `..[` stays.
pub(crate) fn jayway_to_rfc(path: &str) -> String {
    let path = path.trim();
    let mut out = String::with_capacity(path.len());
    let mut prev = None;
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '.' && chars.peek() == Some(&'[') && prev != Some('.') {
            prev = Some(c);
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// Where `path` first points in `doc`, as a JSON pointer.
fn first_location(doc: &Value, path: &str) -> Result<Option<String>, Out> {
    let jp = parse_jayway(path)?;
    let nodes = jp.query_located(doc);
    Ok(nodes.locations().next().map(|loc| loc.to_json_pointer()))
}

/// A `formatJson` or `formatXml` call (`name`, formatting `kind`: `JSON` or
/// `XML`): its text (its block, else its first parameter, trimmed as Java
/// trims) given to `format` with whether to write it pretty (`format='pretty'`,
/// the default) or compact; the result replaces the block or is the value.
/// No text to format, or a `format` other than `pretty`/`compact`, is an
/// inline error, as is what `format` refuses. `formatJson` also takes an
/// object or array parameter (formatted as its JSON) and, as WireMock, says
/// a non-text `format` should be a String.
pub(crate) fn format_helper<'reg, 'rc>(
    c: &Call<'_, 'reg, 'rc>,
    rc: &mut RenderContext<'reg, 'rc>,
    name: &str,
    kind: &str,
    format: impl FnOnce(&str, bool) -> Result<String, Out>,
) -> Result<Out, RenderError> {
    let json = kind == "JSON";
    let (text, block) = match c.block(rc)? {
        Some(b) => (b, true),
        None => match c.val(0, rc) {
            Some(Value::String(s)) => (s, false),
            Some(v @ (Value::Object(_) | Value::Array(_))) if json => {
                (serde_json::to_string(&v).unwrap_or_default(), false)
            }
            _ => (String::new(), false),
        },
    };
    let trimmed = java_trim(&text);
    if trimmed.is_empty() {
        return Ok(inline_error(format!(
            "{name} should take a block of {kind} to format or a single parameter of type String"
        )));
    }
    let pretty = match c.hp("format").map(PathAndJson::value) {
        None => true,
        Some(Value::String(f)) if f == "pretty" => true,
        Some(Value::String(f)) if f == "compact" => false,
        Some(Value::String(f)) => {
            return Ok(inline_error(format!(
                "{name}: format [{f}] should be one of [pretty, compact]"
            )))
        }
        Some(other) => {
            let must = if json { "be a String and " } else { "be " };
            return Ok(inline_error(format!(
                "{name}: format [{}] should {must}one of [pretty, compact]",
                value_text(other)
            )));
        }
    };
    Ok(match format(trimmed, pretty) {
        Ok(out) => block_or_val(out, block),
        Err(e) => e,
    })
}

#[cfg(test)]
mod tests {
    use crate::template::test_support::*;

    #[test]
    fn json_editing_helpers_as_wiremock_3_13() {
        for (template, expected) in [
            ("{{#assign 'a'}}[{\"id\": 123}]{{/assign}}{{#assign 'i'}}{\"id\": 321}{{/assign}}{{jsonArrayAdd a i}}", r#"[{"id":123},{"id":321}]"#),
            ("{{#jsonArrayAdd (val nothing or='[]')}}{\"id\": 321}{{/jsonArrayAdd}}", r#"[{"id":321}]"#),
            ("{{jsonArrayAdd '[1,2]' '[3]' flatten=true}}", "[1,2,3]"),
            ("{{jsonArrayAdd '[1,2]' '[3]'}}", "[1,2,[3]]"),
            ("{{jsonArrayAdd '{\"a\":[1]}' '2' jsonPath='$.a'}}", r#"{"a":[1,2]}"#),
            ("{{jsonArrayAdd '[1,2,3]' '[4,5]' flatten=true maxItems=3}}", "[3,4,5]"),
            ("{{jsonArrayAdd 'x' '3'}}", "[ERROR: Base JSON is not valid JSON ('x')]"),
            ("{{jsonArrayAdd '{}' '3'}}", "[ERROR: Target JSON is not a JSON array ('{}')]"),
            ("{{jsonArrayAdd '[1]' 'x'}}", "[ERROR: Item-to-add JSON is not valid JSON ('x')]"),
            ("{{jsonArrayAdd}}", "[ERROR: Base JSON must be a string]"),
            (
                "{{jsonMerge '{\"id\":4,\"ad\":{\"n\":\"12\"},\"h\":[\"c\"]}' '{\"nick\":\"Bob\",\"ad\":{\"s\":\"H\"},\"h\":[\"r\"]}'}}",
                r#"{"id":4,"ad":{"n":"12","s":"H"},"h":["r"],"nick":"Bob"}"#,
            ),
            ("{{jsonMerge '{\"a\":{\"b\":1,\"c\":null}}' '{\"a\":{\"c\":2,\"d\":null}}' removeNulls=true}}", r#"{"a":{"b":1,"c":2}}"#),
            ("{{#jsonMerge '{\"a\":1}'}}{\"b\":2}{{/jsonMerge}}", r#"{"a":1,"b":2}"#),
            ("{{jsonMerge '[1]' '{}'}}", "[ERROR: Base JSON is not a JSON object ('[1]')]"),
            ("{{jsonMerge '{}' 'x'}}", "[ERROR: JSON to merge is not valid JSON ('x')]"),
            ("{{jsonMerge '{}' '[1]'}}", "[ERROR: JSON to merge is not a JSON object ('[1]')]"),
            ("{{jsonRemove '[{\"id\":4},{\"id\":123},{\"id\":5}]' '$.[?(@.id == 123)]'}}", r#"[{"id":4},{"id":5}]"#),
            ("{{jsonRemove '{\"id\":456,\"name\":\"bob\"}' '$.name'}}", r#"{"id":456}"#),
            ("{{jsonRemove '[1,2,3,4]' '$[1,3]'}}", "[1,3]"),
            ("{{jsonRemove '{\"id\":456}' '$.nope'}}", r#"{"id":456}"#),
            ("{{jsonRemove 'x' '$.a'}}", "[ERROR: Input JSON string is not valid JSON ('x')]"),
            ("{{jsonRemove '{}' '$$bad'}}", "[ERROR: JSONPath parameter is not a valid JSONPath expression ('$$bad')]"),
        ] {
            assert_eq!(r(template), expected, "{template}");
        }
    }

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
        // Jayway's `.[`, as WireMock reads it
        assert_eq!(r("{{jsonPath request.body '$.things.[1]'}}"), "2");
        assert_eq!(
            r("{{jsonPath request.body '$..[1]'}}"),
            "[2,{\"name\":\"Two\"}]"
        );
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
            "{\n  \"Authorization\" : \"whatever\",\n  \"Content-Type\" : \"text/plain\"\n}"
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
