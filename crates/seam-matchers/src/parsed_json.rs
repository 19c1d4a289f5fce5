//! The JSON document a body was last parsed into, per thread: the JSON body
//! matchers (`equalToJson`, `matchesJsonPath`, `matchesJsonSchema`) of every
//! candidate stub check one request body, and it is parsed once for all of
//! them. Keyed by the text itself, so a different body is never mistaken for
//! the last one; texts over [`MAX_REMEMBERED`] bytes are parsed each time.

use serde_json::{Map, Value};
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

/// Objects up to this many members are searched in order: comparing a few
/// short keys costs less than hashing one (serde_json's map hashes with SipHash).
const SCAN_MEMBERS: usize = 8;

/// The member `key` of `object`, as `Map::get` finds it, without hashing
/// when the object is small.
pub(crate) fn member<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if object.len() <= SCAN_MEMBERS {
        object
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    } else {
        object.get(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_is_found_by_name_in_small_and_large_objects() {
        for size in [0, 1, SCAN_MEMBERS, SCAN_MEMBERS + 1, 40] {
            let object: Map<String, Value> = (0..size)
                .map(|i| (format!("k{i}"), Value::from(i)))
                .collect();
            for i in 0..size {
                assert_eq!(member(&object, &format!("k{i}")), Some(&Value::from(i)));
            }
            assert_eq!(member(&object, "missing"), None);
            assert_eq!(member(&object, "k"), None);
        }
    }

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
