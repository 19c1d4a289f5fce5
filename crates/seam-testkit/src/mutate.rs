//! Malformed inputs for the file parsers' "never panics, always placed" tests:
//! a valid seed document mutated the ways real files go wrong (a byte changed,
//! a line cut or doubled, a token of the format dropped in, a BOM, bytes that
//! are not UTF-8, a truncation), shrunk by proptest to the smallest failing case.
//!
//! Proptest keeps every failing input it finds in the crate's
//! `proptest-regressions/` folder, which is committed: each one runs first, in
//! every later run, as a regression case.

use proptest::prelude::*;

/// Tokens that mean something in YAML, JSON or TOML, and values parsers trip on.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ":",
    ": ",
    ",",
    "\"",
    "'",
    "- ",
    "\n",
    "\n  ",
    "\t",
    "#",
    "&a ",
    "*a",
    "!!binary ",
    "<<: ",
    "---\n",
    "...",
    "~",
    "null",
    "true",
    "NO",
    "1e999",
    "-0",
    "0x1F",
    "18446744073709551616",
    "\u{feff}",
    "\u{0}",
    "\\u0000",
    "\u{202e}",
    "😀",
    "${X}",
    "{{x}}",
    "[[a]]\n",
    "= ",
    "\"\"\"",
    "\\",
    "$.",
    "/*",
    "//",
];

/// One mutation of `seed`, as bytes.
#[derive(Debug, Clone)]
enum Edit {
    /// Replace the byte at (position mod length).
    Byte(usize, u8),
    /// Insert a token at a position.
    Token(usize, usize),
    /// Delete a range.
    Cut(usize, usize),
    /// Repeat a line.
    DoubleLine(usize),
    /// Keep only a prefix.
    Truncate(usize),
}

fn apply(mut doc: Vec<u8>, edit: &Edit) -> Vec<u8> {
    let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
    match *edit {
        Edit::Byte(p, b) if !doc.is_empty() => {
            let i = p % doc.len();
            doc[i] = b;
        }
        Edit::Byte(..) => {}
        Edit::Token(p, t) => {
            let i = at(p, doc.len());
            let token = TOKENS[t % TOKENS.len()].as_bytes();
            doc.splice(i..i, token.iter().copied());
        }
        Edit::Cut(p, n) => {
            let i = at(p, doc.len());
            let end = (i + n % 16).min(doc.len());
            doc.drain(i..end);
        }
        Edit::DoubleLine(p) => {
            let lines: Vec<&[u8]> = doc.split(|&b| b == b'\n').collect();
            if !lines.is_empty() {
                let k = p % lines.len();
                let mut out = Vec::with_capacity(doc.len() * 2);
                for (j, l) in lines.iter().enumerate() {
                    out.extend_from_slice(l);
                    out.push(b'\n');
                    if j == k {
                        out.extend_from_slice(l);
                        out.push(b'\n');
                    }
                }
                return out;
            }
        }
        Edit::Truncate(p) => {
            let i = at(p, doc.len());
            doc.truncate(i);
        }
    }
    doc
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Byte(p, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(p, t)| Edit::Token(p, t)),
        (any::<usize>(), any::<usize>()).prop_map(|(p, n)| Edit::Cut(p, n)),
        any::<usize>().prop_map(Edit::DoubleLine),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// A seed picked from `seeds` with one to four edits applied.
pub fn mutated(seeds: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    (0..seeds.len(), prop::collection::vec(edit(), 1..5))
        .prop_map(move |(i, edits)| edits.iter().fold(seeds[i].as_bytes().to_vec(), apply))
}

/// The property tests' configuration: `PROPTEST_CASES` cases (256 unless set),
/// and failing inputs kept in `regressions` (a path relative to the crate,
/// committed), so each one found runs first from then on.
pub fn config(regressions: &'static str) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::Direct(regressions),
        )),
        ..ProptestConfig::default()
    }
}

/// Checks the one promise every reader makes about a bad file: the error names
/// the file first (`FILE:line:col: ...`, `FILE: at $.path: ...` or `FILE: ...`),
/// in one line, with no parser internals.
pub fn assert_placed(error: &str, file: &str) {
    assert!(
        error.starts_with(file),
        "the error does not start with the file `{file}`: {error}"
    );
    assert!(
        !error.contains('\n'),
        "the error is more than one line: {error}"
    );
    for internal in [
        "DuplicateKeyPolicy",
        "budget breached",
        "untagged enum",
        "Events {",
        "Error {",
    ] {
        assert!(
            !error.contains(internal),
            "the error shows a parser internal ({internal}): {error}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_change_the_seed_as_named() {
        let seed = b"a: 1\nb: 2\n".to_vec();
        assert_eq!(apply(seed.clone(), &Edit::Byte(0, b'x')), b"x: 1\nb: 2\n");
        assert_eq!(apply(seed.clone(), &Edit::Truncate(3)), b"a: ");
        assert_eq!(apply(seed.clone(), &Edit::Cut(0, 5)), b"b: 2\n");
        assert_eq!(
            apply(seed.clone(), &Edit::DoubleLine(0)),
            b"a: 1\na: 1\nb: 2\n\n"
        );
        assert_eq!(apply(seed, &Edit::Token(0, 0)), b"{a: 1\nb: 2\n");
    }
}
