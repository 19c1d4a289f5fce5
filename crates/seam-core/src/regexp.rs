//! Regular expressions from files, compiled one way everywhere: bounded in
//! source length and compiled size (a 50 MB pattern must be refused in
//! microseconds, not parsed for seconds in gigabytes), anchored for whole-value
//! matching where Pact and WireMock mean Java's `String.matches`, and explained
//! in one line when they do not compile ("invalid regex `(`: unclosed group"),
//! with long sources cut.

use regex::{Regex, RegexBuilder};
use std::borrow::Cow;

/// The longest regex accepted, in bytes of source.
pub const MAX_REGEX_LEN: usize = 16 * 1024;

/// The compiled size one regex may take (the regex crate's default, made
/// explicit: Unicode classes are large, `\w{1,64}` takes 3.2 MB).
pub const REGEX_SIZE_LIMIT: usize = 10 * 1024 * 1024;

/// The lazy DFA's cache per regex and thread.
pub const REGEX_DFA_SIZE_LIMIT: usize = 2 * 1024 * 1024;

/// How much of a refused regex an error message echoes, in characters.
const ECHOED: usize = 80;

/// What [`anchored`] wraps a source in: the whole value (Java's `matches()`).
const ANCHOR_START: &str = "\\A(?:";
/// The same, with `.` matching newlines (Java's `DOTALL`, as WireMock compiles).
const ANCHOR_START_DOTALL: &str = "(?s)\\A(?:";
const ANCHOR_END: &str = ")\\z";

/// How `.` treats line breaks in an anchored regex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dot {
    /// `.` stops at a newline (Pact, Java's default).
    Line,
    /// `.` matches newlines too (WireMock's patterns, Java's `DOTALL`).
    All,
}

/// Compiles `source` as written (not anchored), within the bounds above.
pub fn bounded(source: &str) -> Result<Regex, String> {
    check_len(source)?;
    compile(source).map_err(|e| error_text(source, &e))
}

/// Compiles `source` for whole-value matching, within the bounds above; errors
/// point into what the user wrote, not into the anchored form.
pub fn anchored(source: &str, dot: Dot) -> Result<Regex, String> {
    check_len(source)?;
    let start = match dot {
        Dot::Line => ANCHOR_START,
        Dot::All => ANCHOR_START_DOTALL,
    };
    // one compilation (it is most of the cost of loading a regex); only a
    // failure compiles the source alone, so the error is about what was written
    compile(&format!("{start}{source}{ANCHOR_END}")).map_err(|anchored| match compile(source) {
        Err(alone) => error_text(source, &alone),
        Ok(_) => error_text(source, &anchored),
    })
}

/// The source a regex was written with, without what [`anchored`] added.
pub fn source_of(re: &Regex) -> &str {
    let s = re.as_str();
    s.strip_prefix(ANCHOR_START_DOTALL)
        .or_else(|| s.strip_prefix(ANCHOR_START))
        .and_then(|r| r.strip_suffix(ANCHOR_END))
        .unwrap_or(s)
}

fn check_len(source: &str) -> Result<(), String> {
    if source.len() > MAX_REGEX_LEN {
        return Err(format!(
            "regex `{}` is too long: {} bytes (at most {MAX_REGEX_LEN})",
            excerpt(source, ECHOED),
            source.len()
        ));
    }
    Ok(())
}

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .build()
}

/// A regex error in one line: the source (cut when long) and the reason.
pub fn error_text(source: &str, e: &regex::Error) -> String {
    let shown = excerpt(source, ECHOED);
    if let regex::Error::CompiledTooBig(_) = e {
        return format!(
            "regex `{shown}` is too complex: compiled, it would take more than {} MiB (use fewer or smaller repetitions)",
            REGEX_SIZE_LIMIT / (1024 * 1024)
        );
    }
    let text = e.to_string();
    let reason = text
        .lines()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or(""));
    format!("invalid regex `{shown}`: {reason}")
}

/// At most `max` characters of `text`, saying how much was cut.
pub fn excerpt(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some((cut, _)) => Cow::Owned(format!(
            "{}… ({} more bytes cut)",
            &text[..cut],
            text.len() - cut
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_one_line_about_what_was_written() {
        assert_eq!(
            anchored("applicat[on/json.*", Dot::Line).unwrap_err(),
            "invalid regex `applicat[on/json.*`: unclosed character class"
        );
        let long = "a".repeat(MAX_REGEX_LEN + 1);
        let e = bounded(&long).unwrap_err();
        assert!(e.starts_with("regex `aaaa") && e.contains("more bytes cut") && e.len() < 200);
        let e = bounded("\\w{1,64}{1,64}").unwrap_err();
        assert!(e.contains("too complex"), "{e}");
    }

    #[test]
    fn anchored_matches_the_whole_value_across_lines() {
        let re = anchored("a.b|c", Dot::All).unwrap();
        assert!(re.is_match("a\nb") && re.is_match("c") && !re.is_match("cc"));
        assert_eq!(source_of(&re), "a.b|c");
        let re = anchored("a.b|c", Dot::Line).unwrap();
        assert!(!re.is_match("a\nb") && re.is_match("axb") && !re.is_match("c\n"));
        assert_eq!(source_of(&re), "a.b|c");
    }
}
