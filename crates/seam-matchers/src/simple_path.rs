//! The two JSONPath shapes stubs use most, evaluated in place without
//! serde_json_path's general machinery: a member chain (`$.customer.tier`,
//! `$.items[0]`) and a filter with one equality test against a literal
//! (`$[?(@.tier == 'gold')]`, `!=`, strings, booleans and null). Anything
//! else is left to serde_json_path; the tests hold both to the same answers.

use serde_json::Value;

/// One step of a member chain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Name(String),
    Index(usize),
}

/// A path this module evaluates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SimplePath {
    /// `$.a.b[0]`: at most one node.
    Chain(Vec<Step>),
    /// `$[?(@.a.b == 'x')]` (`!=` when `equal` is false).
    Compare {
        chain: Vec<Step>,
        equal: bool,
        literal: Value,
    },
}

/// `.name` and `[N]` steps up to the end of `text` (none of `$`, `@`).
fn chain(mut text: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    while !text.is_empty() {
        if let Some(rest) = text.strip_prefix('.') {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let name = &rest[..end];
            if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            steps.push(Step::Name(name.to_string()));
            text = &rest[end..];
        } else if let Some(rest) = text.strip_prefix('[') {
            let end = rest.find(']')?;
            let digits = &rest[..end];
            if digits.is_empty()
                || !digits.bytes().all(|b| b.is_ascii_digit())
                || (digits.len() > 1 && digits.starts_with('0'))
            {
                return None;
            }
            steps.push(Step::Index(digits.parse().ok()?));
            text = &rest[end + 1..];
        } else {
            return None;
        }
    }
    Some(steps)
}

/// A literal of the comparison: a quoted string without escapes, `true`,
/// `false` or `null` (numbers are left to serde_json_path, which compares
/// them by value).
fn literal(text: &str) -> Option<Value> {
    match text {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        "null" => return Some(Value::Null),
        _ => {}
    }
    let quote = text.chars().next().filter(|q| *q == '\'' || *q == '"')?;
    let inner = text.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote) && !inner.contains('\\')).then(|| Value::String(inner.to_string()))
}

impl SimplePath {
    /// The simple reading of a stage's text (`$...` for a selection,
    /// `$[?...]` for a filter), when it has one.
    pub(crate) fn parse(text: &str, filter: bool) -> Option<SimplePath> {
        let rest = text.strip_prefix('$')?;
        if !filter {
            return chain(rest).map(SimplePath::Chain);
        }
        let body = rest.strip_prefix("[?")?.strip_suffix(']')?.trim();
        let body = match body.strip_prefix('(') {
            Some(inner) => inner.strip_suffix(')')?.trim(),
            None => body,
        };
        let (left, equal, right) = match (body.split_once("=="), body.split_once("!=")) {
            (Some((l, r)), None) => (l, true, r),
            (None, Some((l, r))) => (l, false, r),
            _ => return None,
        };
        let steps = chain(left.trim().strip_prefix('@')?)?;
        Some(SimplePath::Compare {
            chain: steps,
            equal,
            literal: literal(right.trim())?,
        })
    }

    /// The nodes the stage selects from `node`: Jayway's reading, where a
    /// filter applied to an object tests the object itself.
    pub(crate) fn apply<'a>(&self, node: &'a Value) -> Vec<&'a Value> {
        match self {
            SimplePath::Chain(steps) => follow(node, steps).into_iter().collect(),
            SimplePath::Compare { .. } => match node {
                Value::Array(items) => items.iter().filter(|item| self.test(item)).collect(),
                Value::Object(_) if self.test(node) => vec![node],
                _ => Vec::new(),
            },
        }
    }

    /// RFC 9535's comparison of `@...` with the literal: a missing value
    /// equals nothing.
    fn test(&self, item: &Value) -> bool {
        let SimplePath::Compare {
            chain,
            equal,
            literal,
        } = self
        else {
            return false;
        };
        let same = follow(item, chain).is_some_and(|v| v == literal);
        same == *equal
    }
}

fn follow<'a>(mut node: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    for step in steps {
        node = match (step, node) {
            (Step::Name(name), Value::Object(members)) => {
                crate::parsed_json::member(members, name)?
            }
            (Step::Index(i), Value::Array(items)) => items.get(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// serde_json_path's answer for a stage, read the Jayway way (as
    /// json_path's general stage does).
    fn general(text: &str, filter: bool, node: &Value) -> Vec<Value> {
        let path = serde_json_path::JsonPath::parse(text).unwrap();
        let wrapped;
        let target = match node {
            Value::Object(_) if filter => {
                wrapped = Value::Array(vec![node.clone()]);
                &wrapped
            }
            _ => node,
        };
        let n = path.query(target).all();
        if filter && node.is_object() {
            return vec![node.clone(); n.len()];
        }
        if filter && !node.is_array() {
            return Vec::new();
        }
        n.into_iter().cloned().collect()
    }

    #[test]
    fn simple_paths_answer_as_serde_json_path_does() {
        let docs = [
            json!({"customer": {"name": "Ann", "tier": "gold", "vip": true, "note": null},
                   "items": [{"sku": "A-1", "tier": "gold"}, {"sku": "B-7"}, 3, "x", null]}),
            json!([{"tier": "gold"}, {"tier": "silver"}, {"tier": null}, {}, [1], "gold"]),
            json!({"tier": "silver", "a": {"b": [{"c": "d"}]}}),
            json!("gold"),
            json!(null),
        ];
        let stages = [
            ("$", false),
            ("$.customer", false),
            ("$.customer.tier", false),
            ("$.items[0]", false),
            ("$.items[1].sku", false),
            ("$.items[9]", false),
            ("$.a.b[0].c", false),
            ("$.tier", false),
            ("$.missing.deeper", false),
            ("$[0]", false),
            ("$[?(@.tier == 'gold')]", true),
            ("$[?(@.tier != 'gold')]", true),
            ("$[?(@.tier == \"silver\")]", true),
            ("$[?@.tier == 'gold']", true),
            ("$[?(@.vip == true)]", true),
            ("$[?(@.note == null)]", true),
            ("$[?(@.tier == null)]", true),
            ("$[?(@.a.b[0].c == 'd')]", true),
            ("$[?(@ == 'gold')]", true),
        ];
        for (text, filter) in stages {
            let simple = SimplePath::parse(text, filter)
                .unwrap_or_else(|| panic!("`{text}` has a simple reading"));
            for doc in &docs {
                let fast: Vec<Value> = simple.apply(doc).into_iter().cloned().collect();
                assert_eq!(fast, general(text, filter, doc), "`{text}` on {doc}");
            }
        }
    }

    #[test]
    fn other_shapes_are_left_to_serde_json_path() {
        for (text, filter) in [
            ("$..tier", false),
            ("$.items[*]", false),
            ("$.items[-1]", false),
            ("$['customer']", false),
            ("$.items[0:2]", false),
            ("$[?(@.qty == 2)]", true),
            ("$[?(@.qty > 1)]", true),
            ("$[?(@.tier == 'a\\'b')]", true),
            ("$[?(@.a == 'x' && @.b == 'y')]", true),
            ("$[?(@.tier == 'gold' || @.tier != 'x')]", true),
            ("$[?(match(@.tier, 'g.*'))]", true),
            ("$[?(length(@.tags) > 1)]", true),
            ("$[?(@.tags)]", true),
        ] {
            assert_eq!(SimplePath::parse(text, filter), None, "`{text}`");
        }
    }
}
