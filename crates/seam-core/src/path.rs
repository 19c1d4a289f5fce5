//! Document paths (`$.items[2].price`) and Pact path expressions (`$.items[*].price`,
//! `$['a b']`, `$.person.@id`): parsing, rendering, and the weight rule that picks the
//! most specific expression for a location.

use std::fmt;

/// One step of a concrete location inside a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// An object key (JSON) or element/attribute name (XML: `@id`, `#text`), unescaped.
    Field(String),
    /// A 0-based array index (XML: the n-th element of that name).
    Index(usize),
}

/// A concrete location: `$` followed by fields and indexes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DocPath {
    segments: Vec<Segment>,
}

impl DocPath {
    /// `$`, the whole document.
    pub fn root() -> Self {
        Self::default()
    }

    /// This path followed by the key `name` (any text; quoted when displayed if needed).
    pub fn field(&self, name: &str) -> Self {
        let mut segments = self.segments.clone();
        segments.push(Segment::Field(name.to_string()));
        DocPath { segments }
    }

    /// This path followed by the 0-based index `i`.
    pub fn index(&self, i: usize) -> Self {
        let mut segments = self.segments.clone();
        segments.push(Segment::Index(i));
        DocPath { segments }
    }

    /// The steps after `$`, outermost first.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The number of steps after `$` (0 for the root).
    pub fn len(&self) -> usize {
        self.segments.len()
    }

    /// True for the root `$`.
    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '@' | '#' | ':'))
}

impl fmt::Display for DocPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for s in &self.segments {
            match s {
                Segment::Field(n) if is_plain_name(n) => write!(f, ".{n}")?,
                Segment::Field(n) => write!(f, "['{}']", n.replace('\'', "\\'"))?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// One token of a path expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Token {
    /// `.name` or `['name']`: exactly that key.
    Field(String),
    /// `[n]`: exactly that 0-based index.
    Index(usize),
    /// `*` or `[*]`: any field or index.
    Star,
}

/// A parsed Pact path expression. The leading `$` is implied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathExpr {
    source: String,
    tokens: Vec<Token>,
}

/// Why a path expression failed to parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path expression `{expr}` at character {position}: {reason}")]
pub struct PathError {
    /// The expression as written.
    pub expr: String,
    /// The 0-based character offset in `expr` where parsing stopped.
    pub position: usize,
    /// What was expected there (`expected ']'`).
    pub reason: String,
}

impl PathExpr {
    /// Parses `$.a.b[0]['c d'].*[*]`. A bare name (`a.b`) is read as `$.a.b`,
    /// as the Pact spec allows for header and query keys.
    pub fn parse(expr: &str) -> Result<Self, PathError> {
        let err = |position: usize, reason: &str| PathError {
            expr: expr.to_string(),
            position,
            reason: reason.to_string(),
        };
        let chars: Vec<char> = expr.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        if chars.first() == Some(&'$') {
            i = 1;
        } else if !chars.is_empty() {
            // bare field names: read up to the first '.' or '['
            let mut name = String::new();
            while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                name.push(chars[i]);
                i += 1;
            }
            tokens.push(if name == "*" {
                Token::Star
            } else {
                Token::Field(name)
            });
        }
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    i += 1;
                    let start = i;
                    while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                        i += 1;
                    }
                    let name: String = chars[start..i].iter().collect();
                    if name.is_empty() {
                        return Err(err(start, "expected a field name after '.'"));
                    }
                    tokens.push(if name == "*" {
                        Token::Star
                    } else {
                        Token::Field(name)
                    });
                }
                '[' => {
                    i += 1;
                    match chars.get(i) {
                        Some('\'') | Some('"') => {
                            let quote = chars[i];
                            i += 1;
                            let mut name = String::new();
                            loop {
                                match chars.get(i) {
                                    None => return Err(err(i, "unterminated quoted name")),
                                    Some('\\') if chars.get(i + 1).is_some() => {
                                        name.push(chars[i + 1]);
                                        i += 2;
                                    }
                                    Some(c) if *c == quote => {
                                        i += 1;
                                        break;
                                    }
                                    Some(c) => {
                                        name.push(*c);
                                        i += 1;
                                    }
                                }
                            }
                            tokens.push(Token::Field(name));
                        }
                        Some('*') => {
                            i += 1;
                            tokens.push(Token::Star);
                        }
                        Some(c) if c.is_ascii_digit() => {
                            let start = i;
                            while i < chars.len() && chars[i].is_ascii_digit() {
                                i += 1;
                            }
                            let digits: String = chars[start..i].iter().collect();
                            let n = digits
                                .parse()
                                .map_err(|_| err(start, "index is too large"))?;
                            tokens.push(Token::Index(n));
                        }
                        _ => {
                            return Err(err(i, "expected an index, '*' or a quoted name after '['"))
                        }
                    }
                    if chars.get(i) != Some(&']') {
                        return Err(err(i, "expected ']'"));
                    }
                    i += 1;
                }
                _ => return Err(err(i, "expected '.' or '['")),
            }
        }
        Ok(PathExpr {
            source: expr.to_string(),
            tokens,
        })
    }

    /// The expression for the document root (`$`).
    pub fn root() -> Self {
        PathExpr {
            source: "$".into(),
            tokens: Vec::new(),
        }
    }

    /// An expression with a single field token, used for header, query and
    /// path-parameter keys that are names, not expressions.
    pub fn name(name: &str) -> Self {
        PathExpr {
            source: name.to_string(),
            tokens: vec![Token::Field(name.to_string())],
        }
    }

    /// The tokens after the implied `$`; empty for the root.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The expression as written (how pact files key rules and generators).
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// How specifically this expression covers `path`, or 0 when it does not.
    /// Expressions shorter than the path cover its descendants (cascading rules).
    /// Exact tokens weigh 2, stars 1; the weight multiplies, so the longest and
    /// most exact expression wins.
    pub fn weight(&self, path: &DocPath) -> u64 {
        if self.tokens.len() > path.len() {
            return 0;
        }
        let mut w: u64 = 2; // the root token
        for (t, s) in self.tokens.iter().zip(path.segments()) {
            w = w.saturating_mul(match token_weight(t, s) {
                0 => return 0,
                n => n,
            });
        }
        w
    }

    /// True when the expression's first tokens cover `path`, so it may name
    /// `path` itself or one of its descendants.
    pub fn prefix_covers(&self, path: &DocPath) -> bool {
        path.len() <= self.tokens.len()
            && self
                .tokens
                .iter()
                .zip(path.segments())
                .all(|(t, s)| token_weight(t, s) > 0)
    }

    /// True when the expression names exactly `path` (not just an ancestor).
    pub fn matches_exactly(&self, path: &DocPath) -> bool {
        self.tokens.len() == path.len() && self.weight(path) > 0
    }
}

/// How well one expression token matches one path segment: 2 exact, 1 star, 0 not.
pub fn token_weight(t: &Token, s: &Segment) -> u64 {
    match (t, s) {
        (Token::Field(a), Segment::Field(b)) if a == b => 2,
        (Token::Index(a), Segment::Index(b)) if a == b => 2,
        (Token::Star, _) => 1,
        _ => 0,
    }
}

impl fmt::Display for PathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_token_forms() {
        let e = PathExpr::parse("$.a['b c'][2].*[*].@id").unwrap();
        assert_eq!(
            e.tokens(),
            [
                Token::Field("a".into()),
                Token::Field("b c".into()),
                Token::Index(2),
                Token::Star,
                Token::Star,
                Token::Field("@id".into())
            ]
        );
        assert_eq!(PathExpr::parse("$").unwrap().tokens(), []);
        assert_eq!(
            PathExpr::parse("Content-Type").unwrap().tokens(),
            [Token::Field("Content-Type".into())]
        );
    }

    #[test]
    fn reports_where_parsing_failed() {
        let e = PathExpr::parse("$.a[x]").unwrap_err();
        assert_eq!(e.position, 4);
        assert!(PathExpr::parse("$.a['b").is_err());
        assert!(PathExpr::parse("$..a").is_err());
    }

    #[test]
    fn weight_prefers_exact_and_longer_expressions() {
        let p = DocPath::root().field("items").index(2).field("price");
        let star = PathExpr::parse("$.items[*].price").unwrap();
        let exact = PathExpr::parse("$.items[2].price").unwrap();
        let parent = PathExpr::parse("$.items").unwrap();
        let other = PathExpr::parse("$.other").unwrap();
        assert!(exact.weight(&p) > star.weight(&p));
        assert!(star.weight(&p) > parent.weight(&p));
        assert_eq!(other.weight(&p), 0);
        assert!(exact.matches_exactly(&p));
        assert!(!parent.matches_exactly(&p));
    }

    #[test]
    fn renders_paths() {
        let p = DocPath::root().field("items").index(2).field("unit price");
        assert_eq!(p.to_string(), "$.items[2]['unit price']");
    }
}
