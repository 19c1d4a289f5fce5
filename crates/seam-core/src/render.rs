//! Mismatch reports: one block per mismatch with location, reason, and an
//! expected/actual diff; ANSI colors on a terminal, plain text when piped.

use crate::matching::{brief_side, Mismatch};
use std::fmt::Write;

/// Color or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain text: for pipes, files and `NO_COLOR`.
    Plain,
    /// ANSI colors: bold location, red expected, green actual.
    Color,
}

impl Style {
    /// Color when `stream` is a terminal and `NO_COLOR` is unset.
    pub fn for_stream(is_terminal: bool) -> Style {
        if is_terminal && std::env::var_os("NO_COLOR").is_none() {
            Style::Color
        } else {
            Style::Plain
        }
    }

    /// `s` in the ANSI color `code` (`"31"` red, `"32"` green, `"90"`
    /// grey), or as is.
    pub fn paint(self, code: &str, s: &str) -> String {
        match self {
            Style::Plain => s.to_string(),
            Style::Color => format!("\x1b[{code}m{s}\x1b[0m"),
        }
    }
}

/// Renders mismatches as a numbered list with `-` expected and `+` actual lines.
pub fn render_mismatches(mismatches: &[Mismatch], style: Style) -> String {
    let mut out = String::new();
    for (i, m) in mismatches.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}) {} {}",
            i + 1,
            style.paint("1", &m.location()),
            m.reason
        );
        let _ = writeln!(
            out,
            "   {}",
            style.paint(
                "31",
                &format!("- expected: {}", brief_side(m.expected.as_ref()))
            )
        );
        let _ = writeln!(
            out,
            "   {}",
            style.paint(
                "32",
                &format!("+ actual:   {}", brief_side(m.actual.as_ref()))
            )
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::Part;
    use serde_json::json;

    #[test]
    fn plain_and_colored() {
        let m = vec![Mismatch::new(
            Part::Body,
            "$.items[2].price",
            json!(3),
            json!("3"),
            "expected number (3) but was string (\"3\")",
        )];
        let plain = render_mismatches(&m, Style::Plain);
        assert_eq!(
            plain,
            "1) body $.items[2].price expected number (3) but was string (\"3\")\n   - expected: 3\n   + actual:   \"3\"\n"
        );
        assert!(!plain.contains('\x1b'));
        assert!(render_mismatches(&m, Style::Color).contains("\x1b[31m"));
    }

    #[test]
    fn a_missing_key_reads_absent_and_a_null_reads_null() {
        use crate::matching::{match_json, BodyMode};
        use crate::rules::RuleSet;
        let m = match_json(
            &json!({"price": 3, "name": "x"}),
            &json!({"name": null, "extra": true}),
            &RuleSet::default(),
            BodyMode::Request,
            Part::Body,
        );
        assert_eq!(
            render_mismatches(&m, Style::Plain),
            "1) body $.price expected key 'price' but it was missing\n   - expected: 3\n   + actual:   (absent)\n\
             2) body $.name expected string (\"x\") but was null (null)\n   - expected: \"x\"\n   + actual:   null\n\
             3) body $.extra unexpected key 'extra'\n   - expected: (absent)\n   + actual:   true\n"
        );
    }
}
