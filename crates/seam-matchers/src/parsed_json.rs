//! The JSON document a body was last parsed into, per thread: the JSON body
//! matchers (`equalToJson`, `matchesJsonPath`, `matchesJsonSchema`) of every
//! candidate stub check one request body, and it is parsed once for all of
//! them. Keyed by the text itself, so a different body is never mistaken for
//! the last one; texts over [`MAX_REMEMBERED`] bytes are parsed each time.

use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;

/// The largest text remembered (a copy of it is kept for the comparison).
const MAX_REMEMBERED: usize = 256 * 1024;

thread_local! {
    static LAST: RefCell<Option<(Box<str>, Rc<Value>)>> = const { RefCell::new(None) };
}

/// `text` parsed as JSON, from the memo when it is the text parsed last on
/// this thread. A text that is not JSON is not remembered.
pub(crate) fn parse(text: &str) -> Result<Rc<Value>, serde_json::Error> {
    if text.len() > MAX_REMEMBERED {
        return serde_json::from_str(text).map(Rc::new);
    }
    if let Some(hit) = LAST.with_borrow(|last| match last {
        Some((t, v)) if **t == *text => Some(v.clone()),
        _ => None,
    }) {
        return Ok(hit);
    }
    let value = Rc::new(serde_json::from_str::<Value>(text)?);
    LAST.set(Some((text.into(), value.clone())));
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_parses_once_and_another_text_is_parsed_anew() {
        let a = parse(r#"{"a": 1}"#).unwrap();
        let again = parse(r#"{"a": 1}"#).unwrap();
        assert!(Rc::ptr_eq(&a, &again), "the memo answers the same text");
        let b = parse(r#"{"a": 2}"#).unwrap();
        assert_eq!(*b, serde_json::json!({"a": 2}));
        assert!(parse("{").is_err());
        // an error leaves the last good parse in place, and answers nothing stale
        assert_eq!(*parse(r#"{"a": 2}"#).unwrap(), serde_json::json!({"a": 2}));
        let big = format!("[{}1]", "1,".repeat(MAX_REMEMBERED));
        assert_eq!(
            parse(&big).unwrap().as_array().unwrap().len(),
            MAX_REMEMBERED + 1
        );
        assert_eq!(*parse(r#"{"a": 2}"#).unwrap(), serde_json::json!({"a": 2}));
    }
}
