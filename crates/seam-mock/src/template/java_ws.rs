//! Handlebars.java's whitespace rules, applied to a template's source before
//! handlebars-rust compiles it (and undone in the compiled template after).
//!
//! Measured on WireMock 3.13.2, Handlebars.java differs from Handlebars.js
//! (which handlebars-rust follows) in two ways:
//!
//! - no "standalone" lines: a block tag, `{{else}}` or a comment alone on its
//!   line keeps the line's indentation and newline (`a\n{{#if x}}\nb` renders
//!   `a\n\nb`, not `a\nb`);
//! - a `~` only strips inside a block: the `~}}` of an opening tag, the `{{~`
//!   of a closing tag and both of an `{{else}}`; a `~` pointing out of a block,
//!   or on a plain `{{~value~}}`, strips nothing.
//!
//! The outward tildes are dropped from the source, and a marker character is
//! put right after each block, else, comment or partial tag that ends its line,
//! so handlebars-rust never sees a standalone tag; [`strip_markers`] removes
//! the markers from the compiled template's text.

use handlebars::template::{Template, TemplateElement};

/// Put after a tag that ends its line (a private-use character: templates
/// holding one are compiled as they are).
const MARKER: char = '\u{E000}';

/// What a tag is, for whitespace purposes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Tag {
    /// `{{#name}}`, `{{^name}}`: its `~}}` strips the start of the block.
    Open,
    /// `{{/name}}`: its `{{~` strips the end of the block.
    Close,
    /// `{{else}}`: both its tildes point into the blocks around it.
    Else,
    /// `{{! comment }}`, `{{> partial}}`, `{{* decorator}}`: no tilde kept,
    /// but standalone in handlebars-rust.
    Other,
    /// `{{value}}`, `{{helper args}}`: no tilde kept, never standalone.
    Plain,
}

fn classify(body: &str) -> Tag {
    match body.chars().next() {
        Some('#') => Tag::Open,
        Some('^') if !body[1..].trim_start().starts_with('}') => Tag::Open,
        Some('^') => Tag::Else,
        Some('/') => Tag::Close,
        Some('!' | '>' | '*') => Tag::Other,
        _ => {
            let word = body.trim_start();
            let is_else = word.strip_prefix("else").is_some_and(|rest| {
                rest.is_empty()
                    || rest.starts_with(|c: char| c.is_whitespace() || c == '~' || c == '}')
            });
            if is_else {
                Tag::Else
            } else {
                Tag::Plain
            }
        }
    }
}

/// Whether `rest` (what follows a tag) is blank up to the end of its line.
fn ends_line(rest: &str) -> bool {
    let blank = rest.trim_start_matches([' ', '\t']);
    blank.is_empty() || blank.starts_with('\n') || blank.starts_with("\r\n")
}

/// `source` rewritten for Handlebars.java's whitespace rules; `None` when it
/// needs no change (or holds the marker character).
pub(crate) fn adapt(source: &str) -> Option<String> {
    if source.contains(MARKER) {
        return None;
    }
    let mut out = String::with_capacity(source.len() + 16);
    let mut changed = false;
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = source[from..].find("{{") {
        let start = from + found;
        if source[..start].ends_with('\\') {
            // an escaped `\{{` is text
            from = start + 2;
            continue;
        }
        if source[start..].starts_with("{{{{") {
            // a raw block: left to the compiler as written
            return changed.then(|| out + &source[copied..]);
        }
        let triple = source[start..].starts_with("{{{");
        let open = start + if triple { 3 } else { 2 };
        let left = source[open..].starts_with('~');
        let body_at = open + usize::from(left);
        let body = &source[body_at..];
        let close = if body.starts_with("!--") {
            body.find("--}}").map(|p| body_at + p + 2)
        } else {
            body.find("}}").map(|p| body_at + p)
        };
        let Some(close) = close else {
            break;
        };
        let end = (close + if triple { 3 } else { 2 }).min(source.len());
        let right = close > body_at && source[..close].ends_with('~');
        let tag = classify(body);
        let (keep_left, keep_right) = match tag {
            Tag::Open => (false, true),
            Tag::Close => (true, false),
            Tag::Else => (true, true),
            Tag::Other | Tag::Plain => (false, false),
        };
        let drop_left = left && !keep_left;
        let drop_right = right && !keep_right;
        let marker = tag != Tag::Plain && ends_line(&source[end..]);
        if drop_left || drop_right || marker {
            out.push_str(&source[copied..start]);
            out.push_str(&source[start..open]);
            let inner_from = if drop_left { body_at } else { open };
            let inner_to = if drop_right { close - 1 } else { close };
            out.push_str(&source[inner_from..inner_to]);
            out.push_str(&source[close..end]);
            if marker {
                out.push(MARKER);
            }
            copied = end;
            changed = true;
        }
        from = end;
    }
    changed.then(|| out + &source[copied..])
}

/// Removes the markers [`adapt`] added from the compiled template's text.
pub(crate) fn strip_markers(t: &mut Template) {
    for el in &mut t.elements {
        match el {
            TemplateElement::RawString(text) if text.contains(MARKER) => {
                text.retain(|c| c != MARKER);
            }
            TemplateElement::HelperBlock(ht) => {
                if let Some(t) = &mut ht.template {
                    strip_markers(t);
                }
                if let Some(t) = &mut ht.inverse {
                    strip_markers(t);
                }
            }
            TemplateElement::DecoratorBlock(dt) | TemplateElement::PartialBlock(dt) => {
                if let Some(t) = &mut dt.template {
                    strip_markers(t);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outward_tildes_go_and_line_ending_tags_get_a_marker() {
        assert_eq!(adapt("plain {{x}}"), None);
        assert_eq!(adapt("a {{~x~}} b").as_deref(), Some("a {{x}} b"));
        assert_eq!(
            adapt("[{{~#if a~}} x {{~/if~}} ]").as_deref(),
            Some("[{{#if a~}} x {{~/if}} ]")
        );
        assert_eq!(
            adapt("{{#if a}}\nx\n{{else}}\ny\n{{/if}}").as_deref(),
            Some("{{#if a}}\u{E000}\nx\n{{else}}\u{E000}\ny\n{{/if}}\u{E000}")
        );
        assert_eq!(
            adapt("{{! note }}  \r\nb").as_deref(),
            Some("{{! note }}\u{E000}  \r\nb")
        );
        assert_eq!(adapt("\\{{#if}}\n"), None);
        assert_eq!(adapt("{{#if a}}x{{/if}} y"), None);
        assert_eq!(adapt("{{~else~}}"), Some("{{~else~}}\u{E000}".into()));
        assert_eq!(adapt("{{{~x~}}}").as_deref(), Some("{{{x}}}"));
        assert_eq!(adapt("{{#if"), None, "unterminated: left to the compiler");
    }
}
