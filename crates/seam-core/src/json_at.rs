//! Places in JSON source text: where the value at a JSON path
//! (`$.mappings[2].request['url path']`) starts, where a value ends and where
//! an array's items start, found by scanning the text (never parsing it into
//! a tree), so a reader that already parsed a file can put an error at its
//! line and column only when there is one.
//!
//! Every scan answers `None` for text it cannot follow (not JSON, or a path
//! that is not there); the caller then reports the JSON path alone.

/// One step of a JSON path: an object member or an array element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An object member by key.
    Key(String),
    /// An array element by index (0-based).
    Index(usize),
}

/// The steps of a JSON path as errors write it (`$`, `.key`, `['key']` with
/// `\` escaping, `[3]`), or `None` when it is not written that way.
pub fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$')?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("['") {
            let mut key = String::new();
            let mut chars = r.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => key.push(chars.next()?.1),
                    (i, '\'') => break i,
                    (_, c) => key.push(c),
                }
            };
            rest = r[end + 1..].strip_prefix(']')?;
            out.push(Step::Key(key));
        } else if let Some(r) = rest.strip_prefix('[') {
            let (n, r) = r.split_once(']')?;
            out.push(Step::Index(n.parse().ok()?));
            rest = r;
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            out.push(Step::Key(r[..end].to_string()));
            rest = &r[end..];
        } else {
            return None;
        }
    }
    Some(out)
}

/// The byte offset where the value at the written JSON `path`
/// (`$.request.bodyPatterns[1]`, see [`parse_path`]) starts in `text`.
pub fn locate(text: &str, path: &str) -> Option<usize> {
    locate_steps(text, &parse_path(path)?)
}

/// The byte offset where the value reached by `steps` starts in `text`. A
/// repeated key counts by its last occurrence, as when the text is parsed.
pub fn locate_steps(text: &str, steps: &[Step]) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = skip_ws(b, 0);
    for step in steps {
        match (step, *b.get(i)?) {
            (Step::Key(want), b'{') => {
                i = skip_ws(b, i + 1);
                let mut found = None;
                while b.get(i) == Some(&b'"') {
                    let end = string_end(b, i)?;
                    let key: String = serde_json::from_str(&text[i..end]).ok()?;
                    i = skip_ws(b, end);
                    if b.get(i) != Some(&b':') {
                        return None;
                    }
                    i = skip_ws(b, i + 1);
                    if key == *want {
                        found = Some(i);
                    }
                    i = skip_ws(b, value_end(b, i)?);
                    if b.get(i) == Some(&b',') {
                        i = skip_ws(b, i + 1);
                    }
                }
                i = found?;
            }
            (Step::Index(n), b'[') => {
                i = skip_ws(b, i + 1);
                for _ in 0..*n {
                    i = skip_ws(b, value_end(b, i)?);
                    if b.get(i) != Some(&b',') {
                        return None;
                    }
                    i = skip_ws(b, i + 1);
                }
                if matches!(b.get(i), Some(b']') | None) {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(i)
}

/// The byte offsets where the items of the array at the written JSON `path`
/// start (none when it is not an array), in one walk.
pub fn item_starts(text: &str, path: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let Some(mut i) = locate(text, path).filter(|&i| b.get(i) == Some(&b'[')) else {
        return out;
    };
    i = skip_ws(b, i + 1);
    while i < b.len() && b[i] != b']' {
        out.push(i);
        let Some(end) = value_end(b, i) else {
            break;
        };
        i = skip_ws(b, end);
        if b.get(i) == Some(&b',') {
            i = skip_ws(b, i + 1);
        }
    }
    out
}

/// The offset of the first byte at or after `i` that is not JSON whitespace.
pub fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// The offset just after the JSON string starting at `i` (its opening quote),
/// or `None` when it is not closed.
pub fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        match b.get(i)? {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
}

/// The offset just after the JSON value starting at `i`, or `None` when it
/// is not closed.
pub fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = string_end(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while !matches!(
                b.get(j),
                None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            ) {
                j += 1;
            }
            Some(j)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_located_in_the_text() {
        let text = r#"{"a": [1, {"b c": {"d": true}}], "e": "x"}"#;
        let at = |p: &str| locate(text, p).map(|i| &text[i..i + 4]);
        assert_eq!(at("$.a[1]['b c'].d"), Some("true"));
        assert_eq!(at("$.e"), Some("\"x\"}"));
        assert_eq!(at("$.a[0]"), Some("1, {"));
        assert_eq!(locate(text, "$.a[2]"), None);
        assert_eq!(locate(text, "$.z"), None);
        assert_eq!(locate(text, "$"), Some(0));
        assert_eq!(locate(text, "a.b"), None);
    }

    #[test]
    fn escaped_keys_strings_with_brackets_and_repeated_keys() {
        let text = r#"{"a\"b": {"x y": [1, {"k": "v,}]"}, true]}, "r": 1, "r": 2}"#;
        let key = |k: &str| Step::Key(k.to_string());
        let steps = [key("a\"b"), key("x y"), Step::Index(2)];
        let at = locate_steps(text, &steps).unwrap();
        assert_eq!(&text[at..at + 4], "true");
        let r = locate(text, "$.r").unwrap();
        assert_eq!(&text[r..r + 1], "2");
        let k = locate(text, "$['a\\\"b']['x y'][1].k").unwrap();
        assert_eq!(&text[k..k + 3], "\"v,");
    }

    #[test]
    fn value_ends_and_item_starts() {
        let text = "[ {\"a\": [1, 2]} , \"s\\\"]\" ,3\n, null]";
        let starts = item_starts(text, "$");
        let items: Vec<_> = starts
            .iter()
            .map(|&s| &text[s..value_end(text.as_bytes(), s).unwrap()])
            .collect();
        assert_eq!(items, ["{\"a\": [1, 2]}", "\"s\\\"]\"", "3", "null"]);
        assert_eq!(value_end(b"{\"a\": [1", 0), None);
        assert_eq!(string_end(b"\"abc", 0), None);
        assert!(item_starts(text, "$[0]").is_empty());
    }
}
