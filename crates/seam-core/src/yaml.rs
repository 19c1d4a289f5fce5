//! YAML as every seam file is read (suites, contracts, stub files): YAML 1.2
//! core-schema scalars, a UTF-8 BOM accepted, duplicate keys rejected, and errors
//! as [`SourceError`]s with `file:line:col` in plain words.
//!
//! YAML 1.1 readers turn `NO` (Norway), `y`, `on` and `off` into booleans and
//! `1_000` into a number; here they stay strings, as YAML 1.2 says, so a request
//! body sends what the file shows. Only `true`/`false` (any case YAML 1.2
//! allows) are booleans. Two readings go further than the core schema, to lose
//! nothing silently: a number with a leading zero (`007`, a zip code) stays a
//! string, and so do `.inf` and `.nan` (JSON has no such numbers).

use crate::source::{did_you_mean, strip_bom, Location, SourceError};
use serde::de::DeserializeOwned;

/// The most events and nodes one document may have: large enough for generated
/// suites of 10,000 steps, small enough to stop an alias bomb.
const MAX_EVENTS: usize = 50_000_000;
const MAX_NODES: usize = 20_000_000;

/// The options every seam YAML file is read with.
pub fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! { max_events: MAX_EVENTS, max_nodes: MAX_NODES },
        strict_booleans: true,
        underscored_numbers_as_strings: true,
        leading_zero_numbers_as_strings: true,
        non_finite_float_policy: serde_saphyr::options::NonFiniteFloatPolicy::AsString,
        with_snippet: false,
    }
}

/// Reads `text` (the contents of `file`) as a `T`.
pub fn from_str<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, SourceError> {
    serde_saphyr::from_str_with_options(strip_bom(text), options()).map_err(|e| error(file, &e))
}

/// A YAML error as a [`SourceError`]: where it is, and a one-line message with
/// no parser internals (with a "did you mean" for a misspelt key).
pub fn error(file: &str, e: &serde_saphyr::Error) -> SourceError {
    let at = e
        .location()
        .filter(|l| l.line() > 0)
        .map(|l| Location::at(l.line() as usize, l.column() as usize));
    SourceError::new(file, at, message(&e.to_string()))
}

/// The first line of a parser message, without its position prefix, in words.
pub fn message(full: &str) -> String {
    let first = full.lines().next().unwrap_or_default();
    let mut plain = first.strip_prefix("error: ").unwrap_or(first);
    if let Some(rest) = plain.strip_prefix("line ") {
        // "line L column C: message"
        if let Some((_, m)) = rest.split_once(": ") {
            plain = m;
        }
    }
    // "... at line L, column C" (the position is printed in front instead)
    if let Some((head, tail)) = plain.rsplit_once(" at line ") {
        if tail
            .split(", column ")
            .all(|n| n.chars().all(|c| c.is_ascii_digit()))
        {
            plain = head;
        }
    }
    if let Some(key) = plain.strip_prefix("duplicate mapping key: ") {
        let key = key.split(", set DuplicateKeyPolicy").next().unwrap_or(key);
        return format!("the key `{key}` is given twice");
    }
    if plain.starts_with("budget breached") {
        return format!(
            "the document is too large or nests aliases too deeply (at most {MAX_EVENTS} events and {MAX_NODES} nodes)"
        );
    }
    if let Some(rest) = plain.strip_prefix("data did not match any variant of untagged enum ") {
        let _ = rest;
        return "this value has none of the forms allowed here".into();
    }
    let unknown = plain
        .split("unknown field `")
        .nth(1)
        .or_else(|| plain.split("unknown variant `").nth(1));
    if let Some(rest) = unknown {
        if let Some((unknown, expected)) = rest.split_once('`') {
            let expected = expected.split("expected one of").nth(1).unwrap_or(expected);
            let candidates = expected.split([',', '`', ' ']).filter(|c| !c.is_empty());
            return format!("{plain}{}", did_you_mean(unknown, candidates));
        }
    }
    plain.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn scalars_follow_yaml_1_2_core() {
        let v: Value = from_str(
            "t.yaml",
            "\u{feff}a: y\nb: NO\nc: 1_000\nd: on\ne: TRUE\nf: false\ng: 007\nh: ~\ni: 1.5\nj: .inf\nk: 12\nl: -3\nm: off\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": "y", "b": "NO", "c": "1_000", "d": "on", "e": true, "f": false,
                   "g": "007", "h": null, "i": 1.5, "j": ".inf", "k": 12, "l": -3, "m": "off"})
        );
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        name: String,
        #[serde(default)]
        params: Option<Value>,
    }

    #[test]
    fn errors_have_positions_and_plain_words() {
        let e = from_str::<Doc>("d.yaml", "name: a\nparms: {}\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "d.yaml:2:1: unknown field `parms`, expected one of name, params (did you mean `params`?)"
        );
        let e = from_str::<Doc>("d.yaml", "name: a\nname: b\n").unwrap_err();
        assert_eq!(e.to_string(), "d.yaml:2:1: the key `name` is given twice");
        let e = message("error: line 2 column 9: budget breached: Events { events: 1001 }");
        assert!(e.starts_with("the document is too large"), "{e}");
        assert!(!e.contains("Events"), "{e}");
    }
}
