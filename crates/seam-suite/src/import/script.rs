//! Postman scripts as suite checks: the common `pm.*` test patterns become
//! assertions (status, headers, body, JSONPath values, response time) and
//! variable sets from the response become captures. Every other statement is
//! returned as not imported, with its line in the script.
//!
//! The script is split into statements by a small scanner that knows strings,
//! comments, regex literals and blocks: `pm.test(..., function () { ... })`
//! wrappers are transparent; statements inside `if` blocks are not imported
//! except variable sets (captured unconditionally); inside any other block
//! (callbacks, functions, loops) nothing is.

use serde_json::{json, Map, Value};

/// The checks a script makes, as suite assertions.
#[derive(Debug, Default, Clone)]
pub struct Asserts {
    pub status: Option<u16>,
    pub headers: Map<String, Value>,
    pub json: Vec<Value>,
    pub body: Option<Value>,
    pub max_ms: Option<u64>,
}

impl Asserts {
    /// Adds `other`'s checks (an inner script's, run after this one); a status
    /// both give differently is returned as a conflict.
    pub fn extend(&mut self, other: &Asserts) -> Option<(u16, u16)> {
        let mut conflict = None;
        if let Some(s) = other.status {
            match self.status {
                Some(mine) if mine != s => conflict = Some((mine, s)),
                _ => {}
            }
            self.status = Some(s);
        }
        for (k, v) in &other.headers {
            self.headers.insert(k.clone(), v.clone());
        }
        for j in &other.json {
            if !self.json.contains(j) {
                self.json.push(j.clone());
            }
        }
        if other.body.is_some() {
            self.body.clone_from(&other.body);
        }
        if let Some(m) = other.max_ms {
            self.max_ms = Some(self.max_ms.map_or(m, |mine| mine.min(m)));
        }
        conflict
    }

    /// The suite's `assert` object (`None` when there is nothing to check).
    pub fn to_json(&self) -> Option<Value> {
        let mut out = Map::new();
        if let Some(s) = self.status {
            out.insert("status".into(), json!(s));
        }
        if !self.headers.is_empty() {
            out.insert("headers".into(), Value::Object(self.headers.clone()));
        }
        if let Some(b) = &self.body {
            out.insert("body".into(), b.clone());
        }
        if !self.json.is_empty() {
            out.insert("json".into(), Value::Array(self.json.clone()));
        }
        if let Some(m) = self.max_ms {
            out.insert("maxMs".into(), json!(m));
        }
        (!out.is_empty()).then_some(Value::Object(out))
    }
}

/// A script's translation.
#[derive(Debug, Default, Clone)]
pub struct Translated {
    pub asserts: Asserts,
    /// Variable name → capture (`{jsonpath: ...}`, `{header: ...}`, `{regex: ...}`).
    pub captures: Map<String, Value>,
    /// Statements not imported: (1-based line in the script, statement, why).
    pub lost: Vec<(usize, String, String)>,
}

/// Where a statement sits.
#[derive(Debug, Clone, PartialEq)]
enum Ctx {
    Top,
    /// Inside an `if`/`else` block whose head is this.
    Cond(String),
    /// Inside another block (a callback, a function, a loop) whose head is this.
    Other(String),
}

#[derive(Debug)]
struct Stmt {
    line: usize,
    text: String,
    ctx: Ctx,
}

enum Frame {
    /// `(`, `[` or an object literal's `{`.
    Group,
    Block {
        head: String,
        line: usize,
        ctx: Ctx,
    },
}

const PLACEHOLDER: &str = "{…}";

/// Splits a script into statements (whitespace collapsed), with the heads of
/// `if` blocks as statements of their own.
fn statements(src: &str) -> Vec<Stmt> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut buf = String::new();
    let mut buf_line = 1;
    let mut line = 1;
    let mut pending_newline = false;
    let mut i = 0;
    let ctx_of = |stack: &[Frame]| {
        stack
            .iter()
            .rev()
            .find_map(|f| match f {
                Frame::Block { ctx, .. } => Some(ctx.clone()),
                Frame::Group => None,
            })
            .unwrap_or(Ctx::Top)
    };
    let at_statement_level =
        |stack: &[Frame]| matches!(stack.last(), None | Some(Frame::Block { .. }));
    let flush = |buf: &mut String, line: usize, stack: &[Frame], out: &mut Vec<Stmt>| {
        let text = collapse(buf);
        if !text.is_empty() {
            out.push(Stmt {
                line,
                text,
                ctx: ctx_of(stack),
            });
        }
        buf.clear();
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            if at_statement_level(&stack) && !buf.trim().is_empty() {
                pending_newline = true;
            }
            buf.push(' ');
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            buf.push(' ');
            i += 1;
            continue;
        }
        // comments
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                if chars[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
            i += 2;
            continue;
        }
        if pending_newline {
            pending_newline = false;
            if c != '.' && !continues(&buf) {
                flush(&mut buf, buf_line, &stack, &mut out);
            }
        }
        if buf.trim().is_empty() {
            buf_line = line;
        }
        match c {
            '\'' | '"' | '`' => {
                buf.push(c);
                i += 1;
                while i < chars.len() && chars[i] != c {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        buf.push(chars[i]);
                        i += 1;
                    }
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    buf.push(chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    buf.push(c);
                }
                i += 1;
                continue;
            }
            '/' if regex_may_start(&buf) => {
                buf.push(c);
                i += 1;
                let mut class = false;
                while i < chars.len() && chars[i] != '\n' {
                    let d = chars[i];
                    buf.push(d);
                    i += 1;
                    match d {
                        '\\' if i < chars.len() => {
                            buf.push(chars[i]);
                            i += 1;
                        }
                        '[' => class = true,
                        ']' => class = false,
                        '/' if !class => break,
                        _ => {}
                    }
                }
                while i < chars.len() && chars[i].is_ascii_alphabetic() {
                    buf.push(chars[i]);
                    i += 1;
                }
                continue;
            }
            '(' | '[' => {
                stack.push(Frame::Group);
                buf.push(c);
            }
            ')' | ']' => {
                if matches!(stack.last(), Some(Frame::Group)) {
                    stack.pop();
                }
                buf.push(c);
            }
            '{' => {
                let head = collapse(&buf);
                if is_block_head(&head) {
                    let parent = ctx_of(&stack);
                    let ctx = if is_test_wrapper(&head) {
                        parent
                    } else if let Ctx::Other(_) = parent {
                        parent
                    } else if head.starts_with("if")
                        || head.starts_with("else")
                        || head.contains("} else")
                    {
                        let cond = head
                            .rsplit(PLACEHOLDER)
                            .next()
                            .unwrap_or(&head)
                            .trim()
                            .to_string();
                        out.push(Stmt {
                            line: buf_line,
                            text: cond.clone(),
                            ctx: Ctx::Cond(cond.clone()),
                        });
                        Ctx::Cond(cond)
                    } else {
                        Ctx::Other(head.clone())
                    };
                    stack.push(Frame::Block {
                        head,
                        line: buf_line,
                        ctx,
                    });
                    buf.clear();
                } else {
                    stack.push(Frame::Group);
                    buf.push(c);
                }
            }
            '}' => match stack.last() {
                Some(Frame::Block { .. }) => {
                    flush(&mut buf, buf_line, &stack, &mut out);
                    if let Some(Frame::Block { head, line: l, .. }) = stack.pop() {
                        buf = format!("{head} {PLACEHOLDER}");
                        buf_line = l;
                        if at_statement_level(&stack) {
                            pending_newline = true;
                        }
                    }
                }
                Some(Frame::Group) => {
                    stack.pop();
                    buf.push(c);
                }
                None => buf.push(c),
            },
            ';' if at_statement_level(&stack) => {
                flush(&mut buf, buf_line, &stack, &mut out);
            }
            _ => buf.push(c),
        }
        i += 1;
    }
    flush(&mut buf, buf_line, &stack, &mut out);
    out
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a statement cut at a line break goes on (an operator or opener ends it).
fn continues(buf: &str) -> bool {
    let t = buf.trim_end();
    t.ends_with(|c: char| "=+-*/,([&|?:!<>".contains(c))
}

fn regex_may_start(buf: &str) -> bool {
    match buf.trim_end().chars().last() {
        None => true,
        Some(c) => "(,=:[!&|?{};+".contains(c),
    }
}

fn is_block_head(head: &str) -> bool {
    head.is_empty()
        || head.ends_with("=>")
        || head.ends_with("else")
        || matches!(head, "try" | "finally" | "do")
        || (head.ends_with(')')
            && (head.contains("function")
                || ["if", "for", "while", "switch", "catch"].iter().any(|k| {
                    head.starts_with(k)
                        && !head[k.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })))
}

fn is_test_wrapper(head: &str) -> bool {
    ["pm.test(", "pm.test.skip(", "describe(", "it("]
        .iter()
        .any(|p| head.starts_with(p))
}

/// Translates a test script (`pre_request: false`) or reports every statement
/// of a pre-request script as not imported.
pub fn translate(lines: &[String], pre_request: bool) -> Translated {
    let src = lines.join("\n");
    let mut t = Translated::default();
    let mut aliases: Vec<(String, String)> = Vec::new();
    for s in statements(&src) {
        let text = s.text.trim_end_matches(';').trim().to_string();
        if text.is_empty() || ignorable(&text) {
            continue;
        }
        if pre_request {
            if !text.contains(PLACEHOLDER) || !is_structural(&text) {
                t.lost
                    .push((s.line, text, "pre-request scripts are not run".into()));
            }
            continue;
        }
        if text.contains(PLACEHOLDER) {
            if !is_structural(&text) {
                t.lost.push((s.line, text, "no suite equivalent".into()));
            }
            continue;
        }
        match &s.ctx {
            Ctx::Cond(head) if *head == text => {
                t.lost.push((
                    s.line,
                    text,
                    "a condition: the checks under it are not imported, the variables it sets are captured unconditionally".into(),
                ));
                continue;
            }
            Ctx::Other(head) => {
                t.lost
                    .push((s.line, text, format!("inside `{}`", short(head))));
                continue;
            }
            _ => {}
        }
        if let Some((name, path)) = alias(&text, &aliases) {
            aliases.retain(|(n, _)| *n != name);
            aliases.push((name, path));
            continue;
        }
        if let Some(r) = setter(&text, &aliases) {
            match r {
                Ok((name, capture)) => {
                    t.captures.insert(name, capture);
                }
                Err(why) => t.lost.push((s.line, text, why)),
            }
            continue;
        }
        if let Ctx::Cond(head) = &s.ctx {
            t.lost
                .push((s.line, text, format!("inside `{}`", short(head))));
            continue;
        }
        let mut found = Asserts::default();
        match check(&text, &aliases, &mut found) {
            Ok(()) if reads_captured(&found, &t.captures) => t.lost.push((
                s.line,
                text,
                "compares with a variable this script sets; a step checks before it captures"
                    .into(),
            )),
            Ok(()) => {
                t.asserts.extend(&found);
            }
            Err(why) => t.lost.push((s.line, text, why)),
        }
    }
    // a block's head is complete (and reported) after its statements
    t.lost.sort_by_key(|l| l.0);
    t
}

/// Whether a check uses `{{name}}` of a variable the same script captures.
fn reads_captured(found: &Asserts, captures: &Map<String, Value>) -> bool {
    let text = found.to_json().map(|v| v.to_string()).unwrap_or_default();
    captures
        .keys()
        .any(|k| text.contains(&format!("{{{{{k}}}}}")))
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_string()
    }
}

fn ignorable(text: &str) -> bool {
    text.starts_with("console.") || text == "\"use strict\"" || text == "'use strict'"
}

/// `pm.test(..., function () {…})`, `if (...) {…}`: their statements are handled one by one.
fn is_structural(text: &str) -> bool {
    is_test_wrapper(text)
        || [
            "if", "else", "for", "while", "switch", "try", "do", "function",
        ]
        .iter()
        .any(|k| text.starts_with(k))
        || text.starts_with(PLACEHOLDER)
}

// ---------------------------------------------------------------- expressions

/// `var data = pm.response.json()`, `var user = data.user || {}`: a name for a
/// place in the response body.
fn alias(text: &str, aliases: &[(String, String)]) -> Option<(String, String)> {
    let rest = ["var ", "let ", "const "]
        .iter()
        .find_map(|k| text.strip_prefix(k))
        .unwrap_or(text);
    let (name, expr) = rest.split_once('=')?;
    let name = name.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    let expr = expr.trim();
    if expr.starts_with('=') {
        return None;
    }
    let expr = expr
        .strip_suffix("|| {}")
        .or_else(|| expr.strip_suffix("|| []"))
        .unwrap_or(expr)
        .trim();
    match subject(expr, aliases)? {
        Subject::Json(p) => Some((name.to_string(), p)),
        _ => None,
    }
}

/// What an expression reads from the response.
#[derive(Debug, Clone, PartialEq)]
enum Subject {
    Status,
    Time,
    Body,
    Header(String),
    Json(String),
    /// `.length` of a JSON value.
    Length(String),
}

const JSON_ROOTS: &[&str] = &[
    "pm.response.json()",
    "JSON.parse(responseBody)",
    "JSON.parse(pm.response.text())",
];

fn subject(expr: &str, aliases: &[(String, String)]) -> Option<Subject> {
    let expr = expr.trim();
    match expr {
        "pm.response.code" | "responseCode.code" => return Some(Subject::Status),
        "pm.response.responseTime" | "responseTime" => return Some(Subject::Time),
        "pm.response.text()" | "responseBody" => return Some(Subject::Body),
        _ => {}
    }
    for prefix in ["pm.response.headers.get(", "postman.getResponseHeader("] {
        if let Some(arg) = expr.strip_prefix(prefix).and_then(|r| r.strip_suffix(')')) {
            return match literal(arg)? {
                Value::String(h) => Some(Subject::Header(h)),
                _ => None,
            };
        }
    }
    if let Some(inner) = expr
        .strip_prefix("String(")
        .and_then(|r| r.strip_suffix(')'))
    {
        return subject(inner, aliases);
    }
    let (base, rest) = JSON_ROOTS
        .iter()
        .find_map(|r| expr.strip_prefix(r).map(|rest| ("$".to_string(), rest)))
        .or_else(|| {
            aliases.iter().rev().find_map(|(name, path)| {
                let rest = expr.strip_prefix(name.as_str())?;
                (rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
                    .then(|| (path.clone(), rest))
            })
        })?;
    let (path, length) = json_path(&base, rest)?;
    Some(if length {
        Subject::Length(path)
    } else {
        Subject::Json(path)
    })
}

/// Appends a JavaScript member path (`.a["b c"][0]`) to a JSONPath; `true` when
/// it ends in `.length`.
fn json_path(base: &str, mut rest: &str) -> Option<(String, bool)> {
    let mut path = base.to_string();
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(|c: char| !ident(c)).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() {
                return None;
            }
            rest = &r[end..];
            if name == "length" && rest.is_empty() {
                return Some((path, true));
            }
            if name.starts_with(|c: char| c.is_ascii_digit()) || name.contains('$') {
                path.push_str(&format!("['{name}']"));
            } else {
                path.push('.');
                path.push_str(name);
            }
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let inner = r[..end].trim();
            rest = &r[end + 1..];
            match literal(inner)? {
                Value::Number(n) => path.push_str(&format!("[{n}]")),
                Value::String(k) => path.push_str(&format!(
                    "['{}']",
                    k.replace('\\', "\\\\").replace('\'', "\\'")
                )),
                _ => return None,
            }
        } else {
            return None;
        }
    }
    Some((path, false))
}

/// A JavaScript literal (numbers, strings in any quotes, booleans, null,
/// arrays and objects of literals), or a variable read as `{{name}}`.
fn literal(expr: &str) -> Option<Value> {
    let expr = expr.trim();
    for getter in [
        "pm.environment.get(",
        "pm.variables.get(",
        "pm.collectionVariables.get(",
        "pm.globals.get(",
        "pm.iterationData.get(",
        "postman.getEnvironmentVariable(",
        "postman.getGlobalVariable(",
    ] {
        if let Some(arg) = expr.strip_prefix(getter).and_then(|r| r.strip_suffix(')')) {
            return match literal(arg)? {
                Value::String(name) => Some(Value::String(format!("{{{{{name}}}}}"))),
                _ => None,
            };
        }
    }
    let chars: Vec<char> = expr.chars().collect();
    let mut p = LitParser { c: &chars, i: 0 };
    let v = p.value()?;
    p.ws();
    (p.i == chars.len()).then_some(v)
}

struct LitParser<'a> {
    c: &'a [char],
    i: usize,
}

impl LitParser<'_> {
    fn ws(&mut self) {
        while self.c.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.ws();
        match *self.c.get(self.i)? {
            q @ ('\'' | '"' | '`') => self.string(q).map(Value::String),
            '[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.c.get(self.i) == Some(&']') {
                        self.i += 1;
                        return Some(Value::Array(items));
                    }
                    items.push(self.value()?);
                    self.ws();
                    match self.c.get(self.i)? {
                        ',' => self.i += 1,
                        ']' => {}
                        _ => return None,
                    }
                }
            }
            '{' => {
                self.i += 1;
                let mut map = Map::new();
                loop {
                    self.ws();
                    match *self.c.get(self.i)? {
                        '}' => {
                            self.i += 1;
                            return Some(Value::Object(map));
                        }
                        q @ ('\'' | '"') => {
                            let k = self.string(q)?;
                            self.colon_value(k, &mut map)?;
                        }
                        _ => {
                            let start = self.i;
                            while self
                                .c
                                .get(self.i)
                                .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                            {
                                self.i += 1;
                            }
                            if start == self.i {
                                return None;
                            }
                            let k: String = self.c[start..self.i].iter().collect();
                            self.colon_value(k, &mut map)?;
                        }
                    }
                    self.ws();
                    match self.c.get(self.i)? {
                        ',' => self.i += 1,
                        '}' => {}
                        _ => return None,
                    }
                }
            }
            _ => {
                let start = self.i;
                while self
                    .c
                    .get(self.i)
                    .is_some_and(|c| c.is_alphanumeric() || "+-.".contains(*c))
                {
                    self.i += 1;
                }
                let word: String = self.c[start..self.i].iter().collect();
                match word.as_str() {
                    "true" => Some(json!(true)),
                    "false" => Some(json!(false)),
                    "null" => Some(Value::Null),
                    w => serde_json::from_str::<serde_json::Number>(w)
                        .ok()
                        .map(Value::Number),
                }
            }
        }
    }

    fn colon_value(&mut self, k: String, map: &mut Map<String, Value>) -> Option<()> {
        self.ws();
        if self.c.get(self.i) != Some(&':') {
            return None;
        }
        self.i += 1;
        let v = self.value()?;
        map.insert(k, v);
        Some(())
    }

    fn string(&mut self, q: char) -> Option<String> {
        self.i += 1;
        let mut s = String::new();
        loop {
            let c = *self.c.get(self.i)?;
            self.i += 1;
            match c {
                '\\' => {
                    let e = *self.c.get(self.i)?;
                    self.i += 1;
                    s.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                }
                '$' if q == '`' && self.c.get(self.i) == Some(&'{') => return None,
                c if c == q => return Some(s),
                c => s.push(c),
            }
        }
    }
}

/// The characters of `s` outside quoted strings (`'`, `"`, template literals),
/// each with its byte offset and the bracket depth after it.
fn unquoted(s: &str) -> impl Iterator<Item = (usize, char, i32)> + '_ {
    let (mut quote, mut escaped, mut depth) = (None::<char>, false, 0i32);
    s.char_indices().filter_map(move |(i, c)| {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            return None;
        }
        match c {
            '\'' | '"' | '`' => {
                quote = Some(c);
                return None;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        Some((i, c, depth))
    })
}

/// The text inside the parentheses opening `s` and what follows them.
fn parenthesized(s: &str) -> Option<(&str, &str)> {
    if !s.starts_with('(') {
        return None;
    }
    unquoted(s)
        .find(|&(_, c, depth)| depth == 0 && matches!(c, ')' | ']' | '}'))
        .map(|(i, _, _)| (&s[1..i], &s[i + 1..]))
}

/// Splits arguments at top-level commas.
fn args(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c, depth) in unquoted(s) {
        if c == ',' && depth == 0 {
            out.push(s[start..i].trim());
            start = i + 1;
        }
    }
    if !s[start..].trim().is_empty() {
        out.push(s[start..].trim());
    }
    out
}

/// `.to.have.property('x').and.equal(1)` as words with their arguments.
fn chain(mut rest: &str) -> Option<Vec<(&str, Option<&str>)>> {
    let mut out = Vec::new();
    while !rest.is_empty() {
        rest = rest.trim_start().strip_prefix('.')?.trim_start();
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let word = &rest[..end];
        if word.is_empty() {
            return None;
        }
        rest = rest[end..].trim_start();
        if rest.starts_with('(') {
            let (inner, after) = parenthesized(rest)?;
            out.push((word, Some(inner)));
            rest = after;
        } else {
            out.push((word, None));
        }
    }
    Some(out)
}

const FILLER: &[&str] = &[
    "to", "be", "been", "is", "that", "which", "and", "has", "have", "with", "at", "of", "same",
    "but", "does", "deep", "own", "nested", "ordered", "any", "all", "itself", "should",
];

/// `pm.environment.set('token', data.token)` (and the collection, globals,
/// local and legacy forms) as a capture.
fn setter(text: &str, aliases: &[(String, String)]) -> Option<Result<(String, Value), String>> {
    let rest = [
        "pm.environment.set",
        "pm.collectionVariables.set",
        "pm.globals.set",
        "pm.variables.set",
        "postman.setEnvironmentVariable",
        "postman.setGlobalVariable",
    ]
    .iter()
    .find_map(|p| text.strip_prefix(p))?;
    let Some((inner, "")) = parenthesized(rest.trim()) else {
        return Some(Err("no suite equivalent".into()));
    };
    let a = args(inner);
    let (Some(Value::String(name)), Some(expr)) = (a.first().and_then(|n| literal(n)), a.get(1))
    else {
        return Some(Err("the variable name is computed".into()));
    };
    Some(match subject(expr, aliases) {
        Some(Subject::Json(p)) => Ok((name, json!({ "jsonpath": p }))),
        Some(Subject::Header(h)) => Ok((name, json!({ "header": h }))),
        Some(Subject::Body) => Ok((name, json!({ "regex": "(?s)^(.*)$" }))),
        Some(_) => Err("captures take values from the body or headers".into()),
        None if literal(expr).is_some() => {
            Err("sets a fixed value (a suite variable can hold it)".into())
        }
        None => Err("the value is computed".into()),
    })
}

/// An assertion statement into `out`, or why it has no suite equivalent.
fn check(text: &str, aliases: &[(String, String)], out: &mut Asserts) -> Result<(), String> {
    if let Some(rest) = text
        .strip_prefix("pm.response.to")
        .or_else(|| text.strip_prefix("pm.response.should"))
    {
        let full = format!(".to{rest}");
        let words = chain(&full).ok_or("no suite equivalent")?;
        return response_check(&words, out);
    }
    if let Some(rest) = text.strip_prefix("pm.expect") {
        let (inner, rest) = parenthesized(rest.trim_start()).ok_or("no suite equivalent")?;
        let a = args(inner);
        let expr = a.first().copied().unwrap_or_default();
        let words = chain(rest).ok_or("no suite equivalent")?;
        if expr == "pm.response" {
            return response_check(&words, out);
        }
        return match subject(expr, aliases) {
            Some(s) => expect_check(s, &words, out),
            None if matches!(
                words.iter().rev().find(|(w, _)| !FILLER.contains(w)),
                Some(("true", None))
            ) =>
            {
                boolean(expr, aliases, out)
            }
            None => Err(format!("`{}` is not read from the response", short(expr))),
        };
    }
    if let Some(rest) = text.strip_prefix("tests[") {
        let (_, expr) = rest.split_once("] =").ok_or("no suite equivalent")?;
        return boolean(expr.trim(), aliases, out);
    }
    Err("no suite equivalent".into())
}

/// `pm.response.to.have.status(201)`, `.to.be.ok`, `.to.have.header('X')`, ...
fn response_check(words: &[(&str, Option<&str>)], out: &mut Asserts) -> Result<(), String> {
    let mut negated = false;
    for (word, arg) in words {
        if FILLER.contains(word) {
            continue;
        }
        if *word == "not" {
            negated = true;
            continue;
        }
        if negated {
            return Err("negated response checks have no suite equivalent".into());
        }
        let a: Vec<Value> = match arg {
            Some(s) => args(s)
                .into_iter()
                .map(|x| literal(x).ok_or_else(|| format!("`{}` is not a literal", short(x))))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let code = |out: &mut Asserts, c: u16| {
            out.status = Some(c);
            Ok(())
        };
        match (*word, a.as_slice()) {
            ("status", [Value::Number(n)]) => {
                return code(
                    out,
                    n.as_u64()
                        .and_then(|n| u16::try_from(n).ok())
                        .ok_or("not a status code")?,
                )
            }
            ("status", [Value::String(_)]) => {
                return Err("a status text (reason phrase) check".into())
            }
            ("ok", []) => return code(out, 200),
            ("accepted", []) => return code(out, 202),
            ("withoutContent", []) => return code(out, 204),
            ("badRequest", []) => return code(out, 400),
            ("unauthorized", []) => return code(out, 401),
            ("forbidden", []) => return code(out, 403),
            ("notFound", []) => return code(out, 404),
            ("rateLimited", []) => return code(out, 429),
            ("success" | "info" | "redirection" | "clientError" | "serverError" | "error", []) => {
                return Err("a status class; a suite checks one exact status".into())
            }
            ("header", [Value::String(h)]) => {
                out.headers.insert(h.clone(), json!({"matches": "(?s).*"}));
                return Ok(());
            }
            ("header", [Value::String(h), v]) => {
                out.headers.insert(h.clone(), v.clone());
                return Ok(());
            }
            ("body", [v @ Value::String(_)]) => {
                out.body = Some(v.clone());
                return Ok(());
            }
            ("json" | "withBody", []) if *word == "json" => {
                out.headers
                    .insert("Content-Type".into(), json!({"contains": "json"}));
                return Ok(());
            }
            ("jsonBody", [Value::String(p)]) => {
                out.json
                    .push(json!({"path": format!("$.{p}"), "exists": true}));
                return Ok(());
            }
            ("jsonBody", [Value::String(p), v]) => {
                out.json
                    .push(json!({"path": format!("$.{p}"), "equals": v}));
                return Ok(());
            }
            _ => return Err(format!("`.{word}` has no suite equivalent")),
        }
    }
    Err("no assertion".into())
}

/// `pm.expect(SUBJECT).to....` checks.
fn expect_check(
    mut subject: Subject,
    words: &[(&str, Option<&str>)],
    out: &mut Asserts,
) -> Result<(), String> {
    let mut negated = false;
    let mut any = false;
    for (word, arg) in words {
        if FILLER.contains(word) {
            continue;
        }
        if *word == "not" {
            negated = !negated;
            continue;
        }
        let a: Vec<Value> = match arg {
            Some(s) => args(s)
                .into_iter()
                .map(|x| {
                    literal(x)
                        .or_else(|| regex_literal(x))
                        .ok_or_else(|| format!("`{}` is not a literal", short(x)))
                })
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        if *word == "property" {
            let (Subject::Json(p), Some(Value::String(k))) = (&subject, a.first()) else {
                return Err("`.property` of something other than the JSON body".into());
            };
            let (path, _) =
                json_path(p, &format!("[{}]", Value::String(k.clone()))).ok_or("bad property")?;
            match a.get(1) {
                Some(v) => out
                    .json
                    .push(json!({"path": path, (if negated {"notEquals"} else {"equals"}): v})),
                None => out.json.push(json!({"path": path, "exists": !negated})),
            }
            subject = Subject::Json(path);
            negated = false;
            any = true;
            continue;
        }
        let op = op(word, &a, negated)?;
        apply(&subject, op, out)?;
        negated = false;
        any = true;
    }
    if any {
        Ok(())
    } else {
        Err("no assertion".into())
    }
}

/// A JavaScript regex literal `/re/flags` as a (partial-match) pattern.
fn regex_literal(x: &str) -> Option<Value> {
    let body = x.strip_prefix('/')?;
    let end = body.rfind('/')?;
    let (re, flags) = (&body[..end], &body[end + 1..]);
    if !flags.chars().all(|f| "gimsuy".contains(f)) {
        return None;
    }
    let mut prefix = String::from("(?s");
    if flags.contains('i') {
        prefix.push('i');
    }
    if flags.contains('m') {
        prefix.push('m');
    }
    prefix.push(')');
    // seam's `matches` is anchored; a JavaScript regex searches
    let re = match (
        re.strip_prefix('^'),
        re.ends_with('$') && !re.ends_with("\\$"),
    ) {
        (Some(r), true) => format!("{prefix}{}", &r[..r.len() - 1]),
        (Some(r), false) => format!("{prefix}(?:{r}).*"),
        (None, true) => format!("{prefix}.*(?:{})", &re[..re.len() - 1]),
        (None, false) => format!("{prefix}.*(?:{re}).*"),
    };
    Some(json!({ "regex": re }))
}

#[derive(Debug)]
enum Op {
    Eq(Value),
    NotEq(Value),
    Cmp(&'static str, Value),
    Type(String),
    Contains(Value),
    Length(Value),
    Exists(bool),
    Matches(String),
    OneOf(Vec<Value>),
    NotEmpty,
    Within(Value, Value),
}

fn op(word: &str, a: &[Value], negated: bool) -> Result<Op, String> {
    let plain = |o: Op| {
        if negated {
            Err(format!("`.not.{word}` has no suite equivalent"))
        } else {
            Ok(o)
        }
    };
    match (word, a) {
        ("eql" | "equal" | "equals" | "eq" | "eqls", [v]) => Ok(if negated {
            Op::NotEq(v.clone())
        } else {
            Op::Eq(v.clone())
        }),
        ("above" | "gt" | "greaterThan", [v]) => plain(Op::Cmp("gt", v.clone())),
        ("below" | "lt" | "lessThan", [v]) => plain(Op::Cmp("lt", v.clone())),
        ("least" | "gte" | "greaterThanOrEqual", [v]) => plain(Op::Cmp("gte", v.clone())),
        ("most" | "lte" | "lessThanOrEqual", [v]) => plain(Op::Cmp("lte", v.clone())),
        ("a" | "an", [Value::String(t)]) => {
            let t = match t.to_ascii_lowercase().as_str() {
                k @ ("string" | "number" | "boolean" | "array" | "object" | "null") => {
                    k.to_string()
                }
                other => return Err(format!("type `{other}` has no suite equivalent")),
            };
            plain(Op::Type(t))
        }
        ("include" | "includes" | "contain" | "contains", [v]) => plain(Op::Contains(v.clone())),
        ("lengthOf" | "length", [v]) => plain(Op::Length(v.clone())),
        ("exist" | "exists", []) => Ok(Op::Exists(!negated)),
        ("undefined", []) => Ok(Op::Exists(negated)),
        ("true", []) => Ok(if negated {
            Op::NotEq(json!(true))
        } else {
            Op::Eq(json!(true))
        }),
        ("false", []) => Ok(if negated {
            Op::NotEq(json!(false))
        } else {
            Op::Eq(json!(false))
        }),
        ("null", []) => Ok(if negated {
            Op::NotEq(Value::Null)
        } else {
            Op::Eq(Value::Null)
        }),
        ("empty", []) if negated => Ok(Op::NotEmpty),
        ("empty", []) => Ok(Op::Length(json!(0))),
        ("within", [lo, hi]) if lo.is_number() && hi.is_number() => {
            plain(Op::Within(lo.clone(), hi.clone()))
        }
        ("match", [re]) => match re.get("regex").and_then(Value::as_str) {
            Some(r) => plain(Op::Matches(r.to_string())),
            None => Err("`.match` needs a regex literal".into()),
        },
        ("oneOf", [Value::Array(vs)]) => plain(Op::OneOf(vs.clone())),
        _ => Err(format!("`.{word}` has no suite equivalent")),
    }
}

fn apply(subject: &Subject, op: Op, out: &mut Asserts) -> Result<(), String> {
    match (subject, op) {
        (Subject::Status, Op::Eq(Value::Number(n))) => {
            out.status = Some(
                n.as_u64()
                    .and_then(|n| u16::try_from(n).ok())
                    .ok_or("not a status code")?,
            );
        }
        (Subject::Status, Op::OneOf(_)) => {
            return Err("one of several statuses; a suite checks one exact status".into())
        }
        (Subject::Time, Op::Cmp("lt" | "lte", Value::Number(n))) => {
            out.max_ms = Some(n.as_f64().map(|f| f as u64).ok_or("not a number")?);
        }
        (Subject::Body, Op::Contains(v @ Value::String(_))) => {
            out.body = Some(json!({ "contains": v }))
        }
        (Subject::Body, Op::Eq(v @ Value::String(_))) => out.body = Some(v),
        (Subject::Body, Op::Matches(re)) => out.body = Some(json!({ "matches": re })),
        (Subject::Header(h), Op::Eq(v)) => {
            out.headers.insert(h.clone(), v);
        }
        (Subject::Header(h), Op::Contains(v)) => {
            out.headers.insert(h.clone(), json!({ "contains": v }));
        }
        (Subject::Header(h), Op::Matches(re)) => {
            out.headers.insert(h.clone(), json!({ "matches": re }));
        }
        (Subject::Header(h), Op::Exists(true)) => {
            out.headers.insert(h.clone(), json!({"matches": "(?s).*"}));
        }
        (Subject::Header(h), Op::Exists(false)) => {
            out.headers.insert(h.clone(), json!({"absent": true}));
        }
        (Subject::Json(p), op) => out.json.push(json_check(p, op)?),
        (Subject::Length(p), Op::Eq(n)) if n.is_u64() => {
            out.json.push(json!({"path": p, "length": n}))
        }
        (Subject::Length(p), Op::Cmp(k, n @ Value::Number(_))) if k == "gt" && n == json!(0) => out
            .json
            .push(json!({"path": p, "matcher": {"match": "notEmpty"}})),
        (s, op) => {
            let what = match s {
                Subject::Status => "the status",
                Subject::Time => "the response time",
                Subject::Body => "the body text",
                Subject::Header(_) => "a header",
                Subject::Json(_) => "a JSON value",
                Subject::Length(_) => "a length",
            };
            return Err(format!(
                "{what} checked with {} has no suite equivalent",
                op_name(&op)
            ));
        }
    }
    Ok(())
}

fn op_name(op: &Op) -> &'static str {
    match op {
        Op::Eq(_) => "equality",
        Op::NotEq(_) => "inequality",
        Op::Cmp(..) => "a comparison",
        Op::Type(_) => "a type",
        Op::Contains(_) => "includes",
        Op::Length(_) => "a length",
        Op::Exists(_) => "existence",
        Op::Matches(_) => "a regex",
        Op::OneOf(_) => "one of",
        Op::NotEmpty => "not empty",
        Op::Within(..) => "a range",
    }
}

fn json_check(path: &str, op: Op) -> Result<Value, String> {
    Ok(match op {
        Op::Eq(v) => json!({"path": path, "equals": v}),
        Op::NotEq(v) => json!({"path": path, "notEquals": v}),
        Op::Cmp(k, v) => {
            if !v.is_number() {
                return Err("a comparison with something other than a number".into());
            }
            json!({"path": path, k: v})
        }
        Op::Type(t) => json!({"path": path, "type": t}),
        Op::Contains(v) => json!({"path": path, "contains": v}),
        Op::Length(v) => {
            if !v.is_u64() {
                return Err("a length that is not a literal count".into());
            }
            json!({"path": path, "length": v})
        }
        Op::Exists(e) => json!({"path": path, "exists": e}),
        Op::Matches(re) => json!({"path": path, "matches": re}),
        Op::NotEmpty => json!({"path": path, "matcher": {"match": "notEmpty"}}),
        Op::Within(lo, hi) => json!({"path": path, "gte": lo, "lte": hi}),
        Op::OneOf(vs) => {
            let alts: Vec<String> = vs
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(regex::escape(s)),
                    Value::Number(n) => Ok(regex::escape(&n.to_string())),
                    Value::Bool(b) => Ok(b.to_string()),
                    _ => Err("one of values that are not scalars".to_string()),
                })
                .collect::<Result<_, _>>()?;
            json!({"path": path, "matches": format!("(?:{})", alts.join("|"))})
        }
    })
}

/// A boolean expression (legacy `tests[...] = EXPR`, `pm.expect(EXPR).to.be.true`).
fn boolean(expr: &str, aliases: &[(String, String)], out: &mut Asserts) -> Result<(), String> {
    let expr = expr.trim();
    let unwrap = |e: &str, f: &str| {
        e.strip_prefix(f)
            .and_then(|r| r.strip_suffix(')'))
            .map(str::to_string)
    };
    if let Some(inner) = unwrap(expr, "Array.isArray(") {
        return subject_op(&inner, aliases, Op::Type("array".into()), out);
    }
    if let Some(inner) = unwrap(expr, "Number.isInteger(") {
        let s = subject(&inner, aliases).ok_or("not read from the response")?;
        let Subject::Json(p) = s else {
            return Err("no suite equivalent".into());
        };
        out.json
            .push(json!({"path": p, "matcher": {"match": "integer"}}));
        return Ok(());
    }
    if let Some(arg) = unwrap(expr, "responseBody.has(") {
        return match literal(&arg) {
            Some(v @ Value::String(_)) => apply(&Subject::Body, Op::Contains(v), out),
            _ => Err("the text is computed".into()),
        };
    }
    if let Some(pos) = expr.find(".hasOwnProperty(") {
        let (base, call) = expr.split_at(pos);
        let arg = unwrap(call, ".hasOwnProperty(").ok_or("no suite equivalent")?;
        let Some(Subject::Json(p)) = subject(base, aliases) else {
            return Err("not read from the response".into());
        };
        let Some(Value::String(k)) = literal(&arg) else {
            return Err("the property name is computed".into());
        };
        let (path, _) = json_path(&p, &format!("[{}]", Value::String(k))).ok_or("bad property")?;
        out.json.push(json!({"path": path, "exists": true}));
        return Ok(());
    }
    if expr.starts_with('/') {
        if let Some(pos) = expr.rfind("/.test(") {
            let re = regex_literal(&expr[..pos + 1]).ok_or("not a regex literal")?;
            let inner = expr[pos + 7..]
                .strip_suffix(')')
                .ok_or("no suite equivalent")?;
            let re = re["regex"].as_str().unwrap_or_default().to_string();
            return subject_op(inner, aliases, Op::Matches(re), out);
        }
    }
    for (sym, kind) in [
        ("===", "eq"),
        ("!==", "ne"),
        ("==", "eq"),
        ("!=", "ne"),
        (">=", "gte"),
        ("<=", "lte"),
        (">", "gt"),
        ("<", "lt"),
    ] {
        if let Some((l, r)) = expr.split_once(sym) {
            let (l, r) = (l.trim(), r.trim());
            let (subj, lit) = match (subject(l, aliases), literal(r)) {
                (Some(s), Some(v)) => (s, v),
                _ => match (subject(r, aliases), literal(l)) {
                    (Some(s), Some(v)) if kind == "eq" || kind == "ne" => (s, v),
                    _ => return Err("no suite equivalent".into()),
                },
            };
            if let (Some(t), true) = (l.strip_prefix("typeof "), kind == "eq") {
                if let Value::String(ty) = &lit {
                    return subject_op(t, aliases, Op::Type(ty.clone()), out);
                }
            }
            let op = match kind {
                "eq" => Op::Eq(lit),
                "ne" => Op::NotEq(lit),
                k @ ("gt" | "lt" | "gte" | "lte") => Op::Cmp(
                    match k {
                        "gt" => "gt",
                        "lt" => "lt",
                        "gte" => "gte",
                        _ => "lte",
                    },
                    lit,
                ),
                _ => unreachable!("every kind is listed"),
            };
            return apply(&subj, op, out);
        }
    }
    Err("no suite equivalent".into())
}

fn subject_op(
    expr: &str,
    aliases: &[(String, String)],
    op: Op,
    out: &mut Asserts,
) -> Result<(), String> {
    let s = subject(expr, aliases).ok_or("not read from the response")?;
    apply(&s, op, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(src: &str) -> Translated {
        translate(&src.lines().map(str::to_string).collect::<Vec<_>>(), false)
    }

    #[test]
    fn common_test_patterns_become_assertions() {
        let r = t(r#"
var jsonData = pm.response.json();
pm.test("Status code is 201", function () {
    pm.response.to.have.status(201);
});
pm.test("code", () => { pm.expect(pm.response.code).to.eql(201); });
pm.test("name", function () {
    pm.expect(jsonData.user.name).to.eql('Ann');
    pm.expect(jsonData.items[0].qty)
      .to.equal(2);
    pm.expect(jsonData).to.have.property('id');
    pm.expect(jsonData.tags).to.be.an('array');
    pm.expect(jsonData.total).to.be.above(10);
    pm.expect(jsonData.id).to.not.eql(pm.environment.get("old_id"));
});
pm.response.to.have.header("Content-Type");
pm.expect(pm.response.headers.get('Content-Type')).to.include('json');
pm.expect(pm.response.responseTime).to.be.below(500);
console.log(jsonData);
"#);
        assert!(r.lost.is_empty(), "{:?}", r.lost);
        let a = r.asserts.to_json().unwrap();
        assert_eq!(a["status"], 201);
        assert_eq!(a["maxMs"], 500);
        assert_eq!(a["headers"]["Content-Type"], json!({"contains": "json"}));
        assert_eq!(
            a["json"],
            json!([
                {"path": "$.user.name", "equals": "Ann"},
                {"path": "$.items[0].qty", "equals": 2},
                {"path": "$['id']", "exists": true},
                {"path": "$.tags", "type": "array"},
                {"path": "$.total", "gt": 10},
                {"path": "$.id", "notEquals": "{{old_id}}"},
            ])
        );
    }

    #[test]
    fn sets_become_captures_and_the_rest_is_listed_with_its_line() {
        let r = t(r#"var data = JSON.parse(responseBody);
pm.environment.set("token", data.token);
pm.collectionVariables.set('user_id', data.user.id);
pm.globals.set("loc", pm.response.headers.get("Location"));
postman.setEnvironmentVariable("x", "Bearer " + data.token);
if (data.refresh) {
    pm.environment.set("refresh", data.refresh);
    pm.expect(data.refresh).to.be.a('string');
}
pm.sendRequest("http://x", function (err, res) {
    pm.environment.set("other", res.json().a);
});
pm.expect(pm.response.code).to.be.oneOf([200, 201]);
"#);
        assert_eq!(
            Value::Object(r.captures.clone()),
            json!({
                "token": {"jsonpath": "$.token"},
                "user_id": {"jsonpath": "$.user.id"},
                "loc": {"header": "Location"},
                "refresh": {"jsonpath": "$.refresh"},
            })
        );
        let lines: Vec<usize> = r.lost.iter().map(|l| l.0).collect();
        assert_eq!(lines, vec![5, 6, 8, 10, 11, 13], "{:#?}", r.lost);
        assert!(r.lost[0].2.contains("computed"), "{:?}", r.lost[0]);
        assert!(
            r.lost[2].2.contains("inside `if (data.refresh)`"),
            "{:?}",
            r.lost[2]
        );
        assert!(
            r.lost[4].2.contains("inside `pm.sendRequest"),
            "{:?}",
            r.lost[4]
        );
    }

    #[test]
    fn legacy_tests_object_and_chained_property() {
        let r = t(r#"var responseJSON = JSON.parse(responseBody);
tests['has user'] = responseJSON.hasOwnProperty('user');
var user = responseJSON.user || {};
tests['User has "email" property'] = user.hasOwnProperty('email');
tests["Status code is 200"] = responseCode.code === 200;
tests['count'] = Number.isInteger(responseJSON.count);
tests['iso'] = /^\d{4}-\d\d$/.test(user.createdAt);
pm.expect(pm.response.json().args).to.have.property('source')
  .and.equal('newman');
"#);
        assert!(r.lost.is_empty(), "{:?}", r.lost);
        let a = r.asserts.to_json().unwrap();
        assert_eq!(a["status"], 200);
        assert_eq!(
            a["json"],
            json!([
                {"path": "$['user']", "exists": true},
                {"path": "$.user['email']", "exists": true},
                {"path": "$.count", "matcher": {"match": "integer"}},
                {"path": "$.user.createdAt", "matches": "(?s)\\d{4}-\\d\\d"},
                {"path": "$.args['source']", "exists": true},
                {"path": "$.args['source']", "equals": "newman"},
            ])
        );
    }

    #[test]
    fn a_check_against_a_variable_the_script_just_set_is_listed() {
        let r = t("var user = pm.response.json().user;\npm.globals.set('token', user.token);\ntests['set'] = pm.globals.get('token') === user.token;");
        assert_eq!(
            Value::Object(r.captures.clone()),
            json!({"token": {"jsonpath": "$.user.token"}})
        );
        assert!(r.asserts.to_json().is_none());
        assert_eq!(r.lost.len(), 1);
        assert_eq!(r.lost[0].0, 3);
        assert!(
            r.lost[0].2.contains("a step checks before it captures"),
            "{:?}",
            r.lost
        );
    }

    #[test]
    fn response_subject_ranges_and_not_empty() {
        let r = t("pm.expect(pm.response).to.have.status(202);\nconst d = pm.response.json();\npm.expect(d.items).to.be.an('array').that.is.not.empty;\npm.expect(d.n).to.be.within(1, 5);");
        assert!(r.lost.is_empty(), "{:?}", r.lost);
        let a = r.asserts.to_json().unwrap();
        assert_eq!(a["status"], 202);
        assert_eq!(
            a["json"],
            json!([
                {"path": "$.items", "type": "array"},
                {"path": "$.items", "matcher": {"match": "notEmpty"}},
                {"path": "$.n", "gte": 1, "lte": 5},
            ])
        );
    }

    #[test]
    fn pre_request_scripts_are_listed() {
        let r = translate(
            &[
                "pm.environment.set('ts', Date.now());".into(),
                "// note".into(),
            ],
            true,
        );
        assert_eq!(r.lost.len(), 1);
        assert_eq!(r.lost[0].0, 1);
        assert!(r.captures.is_empty());
    }
}
