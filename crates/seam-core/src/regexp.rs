//! Regular expressions from files, compiled one way everywhere: bounded in
//! source length and compiled size (a 50 MB pattern must be refused in
//! microseconds, not parsed for seconds in gigabytes), anchored for whole-value
//! matching where Pact and WireMock mean Java's `String.matches`, and explained
//! in one line when they do not compile ("invalid regex `(`: unclosed group"),
//! with long sources cut. Pact files carry Java (pact-jvm), Ruby and JavaScript
//! regexes: [`java`] translates their syntax to the regex crate's first.
//! Regexes a table holds by the thousand (stub paths) are compiled leanly and
//! shared by pattern: [`whole`].

use regex::{Regex, RegexBuilder};
use regex_automata::dfa::{dense, sparse, Automaton, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::util::{primitives::StateID, start};
use regex_automata::{Anchored, Input};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

/// Compiles a regex written in Java's syntax (what pact files carry, whichever
/// tool wrote them) for whole-value matching: [`translate_java`], then
/// [`anchored`]. Errors name the source as written.
pub fn java(source: &str, dot: Dot) -> Result<Regex, String> {
    check_len(source)?;
    let translated = translate_java(source);
    anchored(&translated, dot).map_err(|e| match translated {
        // the reason is about the translated form; show what the user wrote
        Cow::Owned(ref t) => e.replacen(
            &format!("`{}`", excerpt(t, ECHOED)),
            &format!("`{}`", excerpt(source, ECHOED)),
            1,
        ),
        Cow::Borrowed(_) => e,
    })
}

/// The backtracking steps one match may take in a [`JavaMatcher::Backtracking`]
/// regex before it counts as no match (a catastrophic pattern must fail, not hang).
pub const BACKTRACK_LIMIT: usize = 100_000;

/// A whole-value matcher for a regex written in Java's syntax: the regex
/// crate's linear-time form wherever the pattern has one, and a bounded
/// backtracking form (fancy-regex) only for what needs one: look-around and
/// backreferences, which Java, Ruby and JavaScript have and pact files use.
#[derive(Debug, Clone)]
pub enum JavaMatcher {
    /// Compiled by the regex crate: linear time.
    Linear(Regex),
    /// Needs look-around or backreferences; at most [`BACKTRACK_LIMIT`] steps
    /// per match, a match that would take more counts as no match.
    Backtracking(Box<fancy_regex::Regex>),
}

impl JavaMatcher {
    /// Whether the whole of `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        match self {
            JavaMatcher::Linear(re) => re.is_match(value),
            JavaMatcher::Backtracking(re) => re.is_match(value).unwrap_or(false),
        }
    }
}

/// [`java`], falling back to a bounded backtracking engine for look-around
/// and backreferences; the error is [`java`]'s when neither compiles.
pub fn java_matcher(source: &str, dot: Dot) -> Result<JavaMatcher, String> {
    let linear_error = match java(source, dot) {
        Ok(re) => return Ok(JavaMatcher::Linear(re)),
        Err(e) => e,
    };
    if source.len() > MAX_REGEX_LEN {
        return Err(linear_error);
    }
    let start = match dot {
        Dot::Line => ANCHOR_START,
        Dot::All => ANCHOR_START_DOTALL,
    };
    fancy_regex::RegexBuilder::new(&format!("{start}{}{ANCHOR_END}", translate_java(source)))
        .backtrack_limit(BACKTRACK_LIMIT)
        .delegate_size_limit(REGEX_SIZE_LIMIT)
        .delegate_dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
        .build()
        .map(|re| JavaMatcher::Backtracking(Box::new(re)))
        .map_err(|_| linear_error)
}

/// Java/Ruby/JavaScript regex syntax in the regex crate's terms, keeping what
/// each construct means where the crate can say it:
///
/// - a `{` that does not start a quantifier (`{n}`, `{n,}`, `{n,m}`) is a
///   literal brace (`/users/{id}`), as in Ruby and JavaScript;
/// - `\Q...\E` quotes its text;
/// - Java's POSIX classes (`\p{Alpha}`, `\p{Digit}`, `\p{Punct}`, ...) are
///   ASCII, as in Java, and so are `\d` and `\w` (the crate's are Unicode);
///   `\p{javaLowerCase}` and friends become the Unicode properties they are;
/// - `\h`, `\H`, `\v`, `\V`, `\R` are Java's horizontal/vertical
///   whitespace and line breaks; `\e`, `\cX`, `\0nn` the characters they
///   name; `\<` and `\>` are the literal characters (the crate reads them as
///   word boundaries); `\Z` is the end with an optional final newline;
/// - an atomic group `(?>...)` becomes a plain group and a possessive
///   quantifier (`*+`, `++`, `?+`, `{n,m}+`) a greedy one: an approximation
///   that holds for matching a whole value in all but contrived patterns
///   (`a*+a`, which Java never matches, accepts `aa` here);
/// - the inline flags `d` and `U` (Unix lines, Unicode classes), which the crate
///   lacks or reads differently, are dropped.
///
/// What has no equivalent (look-around, backreferences, `\G`, Unicode blocks)
/// is left as written, so compiling it gives the crate's error.
pub fn translate_java(source: &str) -> Cow<'_, str> {
    let out = Translator::default().run(source);
    if out == source {
        Cow::Borrowed(source)
    } else {
        Cow::Owned(out)
    }
}

/// Java's horizontal whitespace (`\h`), as class contents.
const HSPACE: &str =
    "\\t\\x20\\xA0\\x{1680}\\x{180E}\\x{2000}-\\x{200A}\\x{202F}\\x{205F}\\x{3000}";
/// Java's vertical whitespace (`\v`), as class contents.
const VSPACE: &str = "\\n\\x0B\\f\\r\\x{85}\\x{2028}\\x{2029}";

#[derive(Default)]
struct Translator {
    out: String,
    /// How deep in character classes (Java and the crate both nest them).
    class_depth: usize,
}

impl Translator {
    fn run(mut self, source: &str) -> String {
        let chars: Vec<char> = source.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            i += 1;
            match c {
                '\\' if i < chars.len() => i = self.escape(&chars, i),
                '[' => {
                    self.out.push('[');
                    self.class_depth += 1;
                    // a `]` first (after an optional `^`) is a literal
                    if chars.get(i) == Some(&'^') {
                        self.out.push('^');
                        i += 1;
                    }
                    if chars.get(i) == Some(&']') {
                        self.out.push(']');
                        i += 1;
                    }
                }
                ']' if self.class_depth > 0 => {
                    self.out.push(']');
                    self.class_depth -= 1;
                }
                _ if self.class_depth > 0 => self.out.push(c),
                '{' => match quantifier_end(&chars, i) {
                    Some(end) => {
                        self.out.extend(&chars[i - 1..end]);
                        i = self.skip_possessive(&chars, end);
                    }
                    None => self.out.push_str("\\{"),
                },
                '*' | '+' | '?' => {
                    self.out.push(c);
                    i = self.skip_possessive(&chars, i);
                }
                '(' if chars.get(i) == Some(&'?') => i = self.group(&chars, i + 1),
                _ => self.out.push(c),
            }
        }
        self.out
    }

    /// A quantifier just ended before `i`: a `+` after it makes it possessive
    /// (dropped); a `?` makes it lazy (kept).
    fn skip_possessive(&mut self, chars: &[char], i: usize) -> usize {
        match chars.get(i) {
            Some('+') => i + 1,
            Some('?') => {
                self.out.push('?');
                i + 1
            }
            _ => i,
        }
    }

    /// After `(?`: atomic groups and inline flags.
    fn group(&mut self, chars: &[char], i: usize) -> usize {
        if chars.get(i) == Some(&'>') {
            self.out.push_str("(?:");
            return i + 1;
        }
        let flags_end = chars[i..]
            .iter()
            .position(|c| !(c.is_ascii_alphabetic() || *c == '-'))
            .map(|n| i + n);
        match flags_end {
            Some(end) if end > i && matches!(chars[end], ')' | ':') => {
                let flags: String = chars[i..end]
                    .iter()
                    .filter(|c| !matches!(c, 'd' | 'U'))
                    .collect();
                let flags = flags.trim_end_matches('-');
                match (flags.is_empty(), chars[end]) {
                    (true, ')') => {}
                    (true, _) => self.out.push_str("(?:"),
                    _ => {
                        self.out.push_str("(?");
                        self.out.push_str(flags);
                        self.out.push(chars[end]);
                    }
                }
                end + 1
            }
            _ => {
                self.out.push_str("(?");
                i
            }
        }
    }

    /// Pushes a class given by its contents: bare inside a class, bracketed
    /// outside, negated as a nested class.
    fn class(&mut self, contents: &str, negated: bool) {
        match (negated, self.class_depth > 0) {
            (false, true) => self.out.push_str(contents),
            (false, false) => self.out.push_str(&format!("[{contents}]")),
            (true, _) => self.out.push_str(&format!("[^{contents}]")),
        }
    }

    /// After a backslash at `i - 1`; returns where to go on.
    fn escape(&mut self, chars: &[char], i: usize) -> usize {
        let c = chars[i];
        let mut next = i + 1;
        match c {
            'Q' => {
                let mut quoted = String::new();
                while next < chars.len() {
                    if chars[next] == '\\' && chars.get(next + 1) == Some(&'E') {
                        next += 2;
                        break;
                    }
                    quoted.push(chars[next]);
                    next += 1;
                }
                self.out.push_str(&regex::escape(&quoted));
            }
            'E' => {} // a stray \E ends nothing: Java ignores it
            'd' | 'D' => self.class("0-9", c == 'D'),
            'w' | 'W' => self.class("0-9A-Za-z_", c == 'W'),
            'h' | 'H' => self.class(HSPACE, c == 'H'),
            'v' | 'V' => self.class(VSPACE, c == 'V'),
            'R' if self.class_depth == 0 => {
                self.out.push_str(&format!("(?:\\r\\n|[{VSPACE}])"));
            }
            'Z' if self.class_depth == 0 => self.out.push_str("(?:\\n?\\z)"),
            '<' | '>' => self.out.push_str(&regex::escape(&c.to_string())),
            'e' => self.out.push_str("\\x1B"),
            'c' if next < chars.len() && chars[next].is_ascii() => {
                let code = (chars[next] as u8) ^ 0x40;
                self.out.push_str(&format!("\\x{code:02X}"));
                next += 1;
            }
            '0' => {
                // Java: \0n, \0nn, \0mnn (m at most 3)
                let digits: String = chars[next..]
                    .iter()
                    .take(3)
                    .take_while(|d| ('0'..='7').contains(*d))
                    .collect();
                let digits = match digits.len() {
                    3 if digits.as_bytes()[0] > b'3' => &digits[..2],
                    _ => digits.as_str(),
                };
                match u32::from_str_radix(digits, 8) {
                    Ok(code) => {
                        self.out.push_str(&format!("\\x{{{code:X}}}"));
                        next += digits.len();
                    }
                    Err(_) => self.out.push_str("\\0"),
                }
            }
            'p' | 'P' if chars.get(next) == Some(&'{') => {
                let close = chars[next..]
                    .iter()
                    .position(|c| *c == '}')
                    .map(|n| next + n);
                let name: Option<String> = close.map(|end| chars[next + 1..end].iter().collect());
                match (close, name.as_deref().and_then(java_property)) {
                    (Some(_), Some(contents)) => self.class(contents, c == 'P'),
                    // the crate's own (Unicode) names, as written
                    (Some(end), None) => {
                        self.out.push('\\');
                        self.out.extend(&chars[i..=end]);
                    }
                    (None, _) => {
                        self.out.push('\\');
                        self.out.push(c);
                    }
                }
                if let Some(end) = close {
                    next = end + 1;
                }
            }
            _ => {
                self.out.push('\\');
                self.out.push(c);
            }
        }
        next
    }
}

/// Where a quantifier that starts with the `{` at `i - 1` ends (one past its
/// `}`), if it is one: `{n}`, `{n,}` or `{n,m}`.
fn quantifier_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    let digits = |j: &mut usize| {
        let start = *j;
        while chars.get(*j).is_some_and(char::is_ascii_digit) {
            *j += 1;
        }
        *j > start
    };
    if !digits(&mut j) {
        return None;
    }
    if chars.get(j) == Some(&',') {
        j += 1;
        digits(&mut j);
    }
    (chars.get(j) == Some(&'}')).then_some(j + 1)
}

/// Java's named classes the crate lacks or reads differently, as class
/// contents: the POSIX names are ASCII in Java.
fn java_property(name: &str) -> Option<&'static str> {
    Some(match name {
        "Lower" => "[:lower:]",
        "Upper" => "[:upper:]",
        "ASCII" => "[:ascii:]",
        "Alpha" => "[:alpha:]",
        "Digit" => "[:digit:]",
        "Alnum" => "[:alnum:]",
        "Punct" => "[:punct:]",
        "Graph" => "[:graph:]",
        "Print" => "[:print:]",
        "Blank" => "[:blank:]",
        "Cntrl" => "[:cntrl:]",
        "XDigit" => "[:xdigit:]",
        "Space" => "[:space:]",
        "javaLowerCase" => "\\p{Lowercase}",
        "javaUpperCase" => "\\p{Uppercase}",
        "javaAlphabetic" => "\\p{Alphabetic}",
        "javaLetter" => "\\p{L}",
        "javaDigit" => "\\p{Nd}",
        "javaLetterOrDigit" => "\\p{L}\\p{Nd}",
        "javaWhitespace" => "\\s",
        _ => return None,
    })
}

/// A compiled regex's pattern, as compiled (for [`source_of`]).
pub trait AsPattern {
    /// The pattern, with what [`anchored`] added.
    fn pattern(&self) -> &str;
}

impl AsPattern for Regex {
    fn pattern(&self) -> &str {
        self.as_str()
    }
}

impl AsPattern for Whole {
    fn pattern(&self) -> &str {
        self.as_str()
    }
}

/// The source a regex was written with, without what [`anchored`] (or
/// [`whole`]) added.
pub fn source_of(re: &impl AsPattern) -> &str {
    let s = re.pattern();
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

/// How many compiled regexes are kept for sharing (the cache is emptied when
/// full, so patterns no longer used are not kept for long).
const SHARED: usize = 256;

/// Compiled forms by pattern, at most [`SHARED`] of them.
type Shared<T> = Mutex<Option<HashMap<String, T>>>;

/// Compiled regexes by pattern: many stubs and matchers carry the same
/// pattern (a header `matches`, a path regex per pair of stubs), and each
/// compiled regex takes 9 to 16 KB; a clone shares the compiled program.
static COMPILED: Shared<Regex> = Mutex::new(None);

/// [`Whole`] regexes by pattern: a clone shares everything.
static WHOLE: Shared<Whole> = Mutex::new(None);

/// The compiled form of `pattern` from `cache`, or `make`'s, then kept there.
fn shared<T: Clone, E>(
    cache: &Shared<T>,
    pattern: &str,
    make: impl FnOnce() -> Result<T, E>,
) -> Result<T, E> {
    let found = cache
        .lock()
        .ok()
        .and_then(|c| c.as_ref().and_then(|c| c.get(pattern).cloned()));
    if let Some(found) = found {
        return Ok(found);
    }
    let made = make()?;
    if let Ok(mut c) = cache.lock() {
        let c = c.get_or_insert_with(Default::default);
        if c.len() >= SHARED {
            c.clear();
        }
        c.insert(pattern.to_string(), made.clone());
    }
    Ok(made)
}

fn compile(pattern: &str) -> Result<Regex, regex::Error> {
    shared(&COMPILED, pattern, || {
        RegexBuilder::new(pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .dfa_size_limit(REGEX_DFA_SIZE_LIMIT)
            .build()
    })
}

/// The most a [`Whole`] regex's DFA may take while it is built (beyond it,
/// the regex crate's form is used).
const WHOLE_BUILD_LIMIT: usize = 512 * 1024;

/// The most a [`Whole`] regex's finished DFA may take: about what the regex
/// crate's form takes (beyond it, that form is used).
const WHOLE_DFA_MAX: usize = 16 * 1024;

/// A regex matched against whole values, as [`anchored`] compiles it, in the
/// leanest form that holds it, and shared: clones (and every regex compiled
/// from the same pattern while it is in use) share one compiled form.
///
/// The regex crate's `Regex` takes 16 KB for a 40-byte path pattern, and each
/// clone (each stub) adds a cache pool of its own (2 KB, 7 KB more once used,
/// per thread). Most patterns fit a fully compiled DFA in its sparse form
/// instead: about 1 KB, nothing per thread, as fast on short values. The few
/// that do not (Unicode word boundaries, or a DFA that would be large) keep
/// the regex crate's form.
#[derive(Clone)]
pub struct Whole(Arc<WholeForm>);

struct WholeForm {
    /// As compiled (with the anchors [`anchored`] adds).
    pattern: Box<str>,
    engine: WholeEngine,
}

// one per pattern, behind the `Arc`: the size of the DFA's header is paid once
#[allow(clippy::large_enum_variant)]
enum WholeEngine {
    Dfa(LeanDfa),
    Regex(Regex),
}

/// A small pattern's DFA, walked byte by byte after the pattern's literal
/// prefix: a value is compared with the prefix at once (`/api/users-101/orders/`
/// in `/api/users-101/orders/[0-9]+`), and the DFA reads only the rest.
struct LeanDfa {
    /// What every match starts with.
    prefix: Box<[u8]>,
    rest: RestDfa,
}

/// The automaton that reads what follows the prefix.
enum RestDfa {
    /// The DFA of the pattern's rest alone (`[0-9]+` above), dense when that
    /// is small: a table lookup a byte, where a sparse state is searched.
    Dense {
        dfa: dense::DFA<Vec<u32>>,
        start: StateID,
    },
    /// A sparse DFA (the rest's, or the whole pattern's when its prefix is
    /// not a plain literal), from the state after the prefix.
    Sparse {
        dfa: sparse::DFA<Vec<u8>>,
        start: StateID,
    },
}

/// The most a dense DFA of a pattern's rest may take (beyond it, the sparse
/// form: about half the size, several times slower a byte).
const DENSE_REST_MAX: usize = 1024;

impl LeanDfa {
    /// `pattern` (anchored at both ends) as a small DFA with its prefix read.
    fn new(pattern: &str) -> Option<LeanDfa> {
        if let Some((prefix, rest)) = split_literal_prefix(pattern) {
            let nfa = lean_nfa(|c| c.build_from_hir(&rest).ok())?;
            let dense = lean_dense(&nfa)?;
            if dense.memory_usage() <= DENSE_REST_MAX {
                let start = anchored_start(&dense)?;
                return Some(LeanDfa {
                    prefix: prefix.into(),
                    rest: RestDfa::Dense { dfa: dense, start },
                });
            }
            let dfa = small_sparse(&dense)?;
            let start = anchored_start(&dfa)?;
            return Some(LeanDfa {
                prefix: prefix.into(),
                rest: RestDfa::Sparse { dfa, start },
            });
        }
        let nfa = lean_nfa(|c| c.build(pattern).ok())?;
        let dfa = small_sparse(&lean_dense(&nfa)?)?;
        let mut prefix = literal_prefix(pattern);
        let mut state = anchored_start(&dfa)?;
        for (n, &b) in prefix.iter().enumerate() {
            let next = dfa.next_state(state, b);
            if dfa.is_dead_state(next) || dfa.is_quit_state(next) || dfa.is_match_state(next) {
                prefix.truncate(n);
                break;
            }
            state = next;
        }
        Some(LeanDfa {
            prefix: prefix.into(),
            rest: RestDfa::Sparse { dfa, start: state },
        })
    }

    fn is_match(&self, value: &str) -> bool {
        let Some(rest) = value.as_bytes().strip_prefix(&*self.prefix) else {
            return false;
        };
        let found = match &self.rest {
            RestDfa::Dense { dfa, start } => walk(dfa, *start, rest),
            RestDfa::Sparse { dfa, start } => walk(dfa, *start, rest),
        };
        match found {
            Some(found) => found,
            // a quit byte: the DFA's own search over the whole value
            None => match &self.rest {
                RestDfa::Dense { dfa, .. } => search(dfa, rest),
                RestDfa::Sparse { dfa, .. } => search(dfa, value.as_bytes()),
            },
        }
    }
}

/// Whether reading `bytes` from `state` ends in a match (`None`: a quit byte).
fn walk<A: Automaton>(dfa: &A, mut state: StateID, bytes: &[u8]) -> Option<bool> {
    for &b in bytes {
        state = dfa.next_state(state, b);
        if dfa.is_special_state(state) {
            if dfa.is_dead_state(state) {
                return Some(false);
            }
            if dfa.is_quit_state(state) {
                return None;
            }
        }
    }
    Some(dfa.is_match_state(dfa.next_eoi_state(state)))
}

/// The DFA's own search, anchored: the pattern is anchored at both ends, so
/// a match from the start is a match of the whole haystack.
fn search<A: Automaton>(dfa: &A, haystack: &[u8]) -> bool {
    let input = Input::new(haystack).anchored(Anchored::Yes).earliest(true);
    matches!(dfa.try_search_fwd(&input), Ok(Some(_)))
}

fn anchored_start<A: Automaton>(dfa: &A) -> Option<StateID> {
    dfa.start_state(&start::Config::new().anchored(Anchored::Yes))
        .ok()
}

/// `pattern` split into the literal it starts with and the rest, when it is
/// `\A`, a literal, then anything whose assertions are only `\z` (so the
/// rest reads the same from the cut as from the start of a value).
fn split_literal_prefix(pattern: &str) -> Option<(Vec<u8>, regex_syntax::hir::Hir)> {
    use regex_syntax::hir::{Hir, HirKind, Look};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let [first, second, rest @ ..] = parts.as_slice() else {
        return None;
    };
    if !matches!(first.kind(), HirKind::Look(Look::Start)) {
        return None;
    }
    let HirKind::Literal(literal) = second.kind() else {
        return None;
    };
    let rest = Hir::concat(rest.to_vec());
    let looks = rest.properties().look_set();
    if !looks.remove(Look::End).is_empty() {
        return None;
    }
    Some((literal.0.to_vec(), rest))
}

/// The longest literal every match of `pattern` starts with (empty when
/// there is none, or the pattern does not parse here).
fn literal_prefix(pattern: &str) -> Vec<u8> {
    let Ok(hir) = regex_syntax::Parser::new().parse(pattern) else {
        return Vec::new();
    };
    let seq = regex_syntax::hir::literal::Extractor::new()
        .kind(regex_syntax::hir::literal::ExtractKind::Prefix)
        .extract(&hir);
    seq.longest_common_prefix()
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

impl Whole {
    /// Whether the whole of `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        match &self.0.engine {
            WholeEngine::Dfa(dfa) => dfa.is_match(value),
            WholeEngine::Regex(re) => re.is_match(value),
        }
    }

    /// The pattern as compiled; [`source_of`] gives it as written.
    pub fn as_str(&self) -> &str {
        &self.0.pattern
    }

    /// Whether the lean form (a DFA) holds this regex.
    pub fn is_lean(&self) -> bool {
        matches!(self.0.engine, WholeEngine::Dfa(_))
    }

    /// Which form holds this regex, and its size in bytes: `dense` (the
    /// rest after a literal prefix), `sparse`, or `regex` (the regex crate's).
    pub fn form(&self) -> (&'static str, usize) {
        match &self.0.engine {
            WholeEngine::Dfa(d) => match &d.rest {
                RestDfa::Dense { dfa, .. } => ("dense", dfa.memory_usage() + d.prefix.len()),
                RestDfa::Sparse { dfa, .. } => ("sparse", dfa.memory_usage() + d.prefix.len()),
            },
            WholeEngine::Regex(_) => ("regex", 0),
        }
    }
}

impl std::fmt::Debug for Whole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Whole").field(&self.as_str()).finish()
    }
}

/// Compiles `source` for whole-value matching, as [`anchored`] does (same
/// bounds, same errors), into a [`Whole`]: the form for regexes kept by the
/// thousand, such as stub paths.
pub fn whole(source: &str, dot: Dot) -> Result<Whole, String> {
    check_len(source)?;
    let start = match dot {
        Dot::Line => ANCHOR_START,
        Dot::All => ANCHOR_START_DOTALL,
    };
    let pattern = format!("{start}{source}{ANCHOR_END}");
    shared(&WHOLE, &pattern, || {
        let engine = match LeanDfa::new(&pattern) {
            Some(dfa) => WholeEngine::Dfa(dfa),
            None => WholeEngine::Regex(anchored(source, dot)?),
        };
        Ok(Whole(Arc::new(WholeForm {
            pattern: pattern.as_str().into(),
            engine,
        })))
    })
}

/// An NFA for a lean DFA (no captures, bounded), from `build`.
fn lean_nfa(
    build: impl FnOnce(&thompson::Compiler) -> Option<thompson::NFA>,
) -> Option<thompson::NFA> {
    let mut compiler = thompson::Compiler::new();
    compiler.configure(
        thompson::Config::new()
            .which_captures(thompson::WhichCaptures::None)
            .nfa_size_limit(Some(WHOLE_BUILD_LIMIT)),
    );
    build(&compiler)
}

/// `nfa` as a dense DFA, anchored, if it can be built within bounds.
fn lean_dense(nfa: &thompson::NFA) -> Option<dense::DFA<Vec<u32>>> {
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .dfa_size_limit(Some(WHOLE_BUILD_LIMIT))
                .determinize_size_limit(Some(WHOLE_BUILD_LIMIT)),
        )
        .build_from_nfa(nfa)
        .ok()
}

/// `dense` in its sparse form, if that is small.
fn small_sparse(dense: &dense::DFA<Vec<u32>>) -> Option<sparse::DFA<Vec<u8>>> {
    let dfa = dense.to_sparse().ok()?;
    (dfa.memory_usage() <= WHOLE_DFA_MAX).then_some(dfa)
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

    /// Java/Ruby/JavaScript constructs the crate refuses or reads differently:
    /// each compiles and accepts what Java accepts (whole value).
    #[test]
    fn java_syntax_is_translated_keeping_its_meaning() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            // a brace that is not a quantifier is a literal
            ("/x/{name}", &["/x/{name}"], &["/x/name"]),
            ("\\{id\\}|{id}", &["{id}"], &["id"]),
            ("[^{}]+/{v}", &["ab/{v}"], &["a{/{v}"]),
            ("a{,5}", &["a{,5}"], &["aaaaa"]),
            ("a{2}b{1,}c{1,2}", &["aabcc"], &["abc"]),
            // quoting
            ("\\Qa.b*\\E+", &["a.b*", "a.b**"], &["axb"]),
            ("x\\Q(y", &["x(y"], &["xy"]),
            // atomic groups and possessive quantifiers: plain and greedy
            ("(?>ab|a)c", &["abc", "ac"], &["ab"]),
            ("a?+b", &["ab", "b"], &["aab"]),
            ("a*+b", &["aaab"], &["a"]),
            ("a{1,2}+", &["a", "aa"], &["aaa"]),
            ("a++b", &["ab"], &["b"]),
            ("a+?b", &["aab"], &["b"]),
            // Java's POSIX classes are ASCII, and so are \d and \w
            ("\\p{Alpha}+", &["abZ"], &["é", "a1"]),
            ("\\p{Digit}\\P{Digit}", &["1a"], &["١a", "12"]),
            ("\\p{Punct}+", &["$+<=>^`|~!"], &["«"]),
            ("[\\p{Lower}\\p{Digit}_]+", &["ab_9"], &["aB"]),
            ("[^\\p{Alnum}]", &["-"], &["a"]),
            ("\\d{2}\\w", &["12_"], &["١٢a", "12é"]),
            ("[\\d-]+\\D", &["1-2x"], &["12"]),
            ("\\p{javaLowerCase}+", &["éa"], &["A"]),
            ("\\p{L}\\p{IsLatin}", &["éa"], &["1a"]),
            // whitespace, line breaks, escapes
            ("a\\hb", &["a b", "a\tb", "a\u{3000}b"], &["a\nb"]),
            ("a\\Hb", &["axb"], &["a b"]),
            ("a\\vb", &["a\nb", "a\u{2028}b"], &["a b"]),
            ("a\\Rb", &["a\r\nb", "a\nb"], &["ab"]),
            ("\\e\\cA\\0101\\07", &["\u{1b}\u{1}A\u{7}"], &["x"]),
            ("\\<a\\>", &["<a>"], &["a"]),
            ("ab\\Z", &["ab", "ab\n"], &["ab\n\n"]),
            // inline flags the crate lacks or reads otherwise are dropped
            ("(?dU)a+", &["aa"], &["b"]),
            ("(?i)ab(?-i:c)", &["ABc"], &["ABC"]),
            ("(?iU:x)y", &["Xy"], &["XY"]),
            // named groups are the crate's too
            ("(?<year>\\d{4})-\\d\\d", &["2024-01"], &["24-01"]),
        ];
        for (source, yes, no) in cases {
            let re = java(source, Dot::Line)
                .unwrap_or_else(|e| panic!("{source} (as {}): {e}", translate_java(source)));
            for y in *yes {
                assert!(
                    re.is_match(y),
                    "{source} should match {y:?} (as {})",
                    re.as_str()
                );
            }
            for n in *no {
                assert!(
                    !re.is_match(n),
                    "{source} should not match {n:?} (as {})",
                    re.as_str()
                );
            }
        }
        // the crate's own syntax passes through untouched
        for plain in ["[a-z]+", "^a|b$", "x{3}", "(?:a)(?i:b)", "[[:alpha:]]"] {
            assert!(matches!(translate_java(plain), Cow::Borrowed(_)), "{plain}");
        }
    }

    #[test]
    fn untranslatable_java_says_so_about_what_was_written() {
        assert_eq!(
            java("(?=a)\\d", Dot::Line).unwrap_err(),
            "invalid regex `(?=a)\\d`: look-around, including look-ahead and look-behind, is not supported"
        );
        assert!(java("(a)\\1", Dot::Line)
            .unwrap_err()
            .starts_with("invalid regex `(a)\\1`: "));
        assert!(java("\\p{InGreek}", Dot::Line).is_err());
    }

    /// Truncated and odd escapes neither panic nor loop.
    #[test]
    fn translation_survives_truncated_input() {
        for source in [
            "\\",
            "\\c",
            "\\0",
            "\\07",
            "\\0777",
            "\\p",
            "\\p{",
            "\\p{Alpha",
            "\\P{}",
            "\\Q",
            "\\Qab",
            "\\E",
            "(?",
            "(?>",
            "(?-",
            "(?i",
            "(?d)",
            "{",
            "a{",
            "a{1",
            "a{1,",
            "[",
            "[^",
            "[]",
            "[\\",
            "]",
            "a*+",
            "+",
            "é{ü}",
            "\\Qé\\E",
            "[\\Q]\\E]",
            "\\h\\H\\v\\V\\R\\Z",
        ] {
            let _ = translate_java(source);
            let _ = java(source, Dot::Line);
        }
    }

    /// A [`Whole`] regex accepts exactly what [`anchored`]'s does, whichever
    /// form holds it, and refuses what it refuses with the same error.
    #[test]
    fn whole_regexes_match_as_anchored_ones_do() {
        let patterns = [
            "/api/catalog-1/orders/[0-9]+(/lines)?",
            "/api/v[0-9]+/users-9/items/[0-9]+",
            "/api/.*",
            ".*/health",
            "(?i)/API/x",
            "/a|/b",
            "/é/[^/]+",
            "a.b",
            "\\w+/\\d{2,4}",
            "[[:alpha:]]+",
            "",
            "x*",
            "\\bword\\b.*",
            "(a|b)*c{0,3}",
            "/users/\\p{Greek}+",
        ];
        let values = [
            "/api/catalog-1/orders/12",
            "/api/catalog-1/orders/12/lines",
            "/api/catalog-1/orders/12/lines/x",
            "/api/catalog-1/orders/",
            "/api/v2/users-9/items/7",
            "/api/x",
            "/API/X",
            "/a",
            "/b",
            "/ab",
            "/é/ü",
            "/é/",
            "a\nb",
            "axb",
            "ab/١٢",
            "abc/12",
            "word and more",
            "words",
            "",
            "xxx",
            "ababccc",
            "ababcccc",
            "/users/αβ",
            "/x/health",
            "/health\n",
        ];
        for p in patterns {
            for dot in [Dot::Line, Dot::All] {
                let (w, a) = (whole(p, dot).unwrap(), anchored(p, dot).unwrap());
                assert_eq!(source_of(&w), p);
                for v in values {
                    assert_eq!(w.is_match(v), a.is_match(v), "{p:?} ({dot:?}) on {v:?}");
                }
            }
        }
        // Unicode word boundaries stay with the regex crate, and so does a
        // pattern whose DFA would be large; path patterns are lean
        assert!(!whole("\\bx", Dot::All).unwrap().is_lean());
        assert!(!whole("[ab]*a[ab]{14}", Dot::All).unwrap().is_lean());
        assert!(whole(patterns[0], Dot::All).unwrap().is_lean());
        for bad in ["applicat[on/json.*", "\\w{1,64}{1,64}", "(?=a)b"] {
            assert_eq!(
                whole(bad, Dot::All).unwrap_err(),
                anchored(bad, Dot::All).unwrap_err()
            );
        }
        assert!(whole(&"a".repeat(MAX_REGEX_LEN + 1), Dot::All).is_err());
    }

    /// A path pattern that starts with a literal is read as the literal and
    /// a small dense DFA of the rest; one that does not, as a sparse DFA.
    #[test]
    fn a_literal_prefix_leaves_a_small_dense_rest() {
        for p in [
            "/api/search-100/orders/[0-9]+(/lines)?",
            "application/(json|[a-z.]+\\+json)",
            "/exact/path",
        ] {
            let (form, size) = whole(p, Dot::All).unwrap().form();
            assert_eq!(form, "dense", "{p}");
            assert!(size <= DENSE_REST_MAX + p.len(), "{p}: {size} bytes");
        }
        assert_eq!(whole("(a|b)/x[0-9]+", Dot::All).unwrap().form().0, "sparse");
        // a rest whose dense form is large (a Unicode class) stays sparse
        assert_eq!(
            whole("/api/users-7/items/[^/]+", Dot::All)
                .unwrap()
                .form()
                .0,
            "sparse"
        );
        // an assertion after the literal reads the literal: not cut there
        assert_eq!(
            whole("/ab(?-u:\\b)[0-9]", Dot::Line).unwrap().form().0,
            "sparse"
        );
        let w = whole("/ab(?-u:\\b)[0-9]", Dot::Line).unwrap();
        assert!(!w.is_match("/ab1") && !w.is_match("/ab"));
    }

    #[test]
    fn a_whole_regex_is_shared_by_pattern() {
        let a = whole("/shared/[0-9]+", Dot::All).unwrap();
        let b = whole("/shared/[0-9]+", Dot::All).unwrap();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert!(!Arc::ptr_eq(
            &a.0,
            &whole("/shared/[0-9]+", Dot::Line).unwrap().0
        ));
    }

    proptest::proptest! {
        /// Random patterns over a small alphabet: the lean form agrees with
        /// the regex crate on random values.
        #[test]
        fn whole_agrees_with_anchored(
            parts in proptest::collection::vec(proptest::sample::select(
                &["/", "a", "b", ".", "[ab]", "[^/]", "(a|b/)", "*", "+", "?", "{1,2}", "(?i)", "\\b", "\\B", "$", "é"][..]
            ), 0..8),
            values in proptest::collection::vec("[/abAé\n]{0,6}", 8),
        ) {
            let p = parts.concat();
            if let (Ok(w), Ok(a)) = (whole(&p, Dot::All), anchored(&p, Dot::All)) {
                for v in &values {
                    proptest::prop_assert_eq!(w.is_match(v), a.is_match(v), "{:?} on {:?}", p, v);
                }
            } else {
                proptest::prop_assert_eq!(whole(&p, Dot::All).err(), anchored(&p, Dot::All).err());
            }
        }
    }

    #[test]
    fn look_around_and_backreferences_fall_back_to_backtracking() {
        // pact-php writes ISO 8601 dates with a negative look-ahead
        let m = java_matcher(r"\d{4}-\d{2}(?!\d)", Dot::Line).unwrap();
        assert!(matches!(m, JavaMatcher::Backtracking(_)));
        assert!(m.is_match("2024-12") && !m.is_match("2024-123"));
        let m = java_matcher(r"(\w)\1", Dot::Line).unwrap();
        assert!(m.is_match("aa") && !m.is_match("ab"));
        // what the crate compiles stays linear
        assert!(matches!(
            java_matcher("/users/{id}", Dot::Line).unwrap(),
            JavaMatcher::Linear(_)
        ));
        // a catastrophic pattern stops at the step limit: no match, no hang
        let m = java_matcher(r"(?=a)(a|a)+b", Dot::Line).unwrap();
        assert!(!m.is_match(&"a".repeat(40)));
        // neither engine compiles it: the crate's error, about what was written
        let e = java_matcher("(?<=a", Dot::Line).unwrap_err();
        assert!(e.contains("(?<=a"), "{e}");
    }
}
