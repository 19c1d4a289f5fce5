//! The text report: changes grouped by operation (the group with the most
//! severe change first), each as `error [rule-id] GET /pets`, its sentence, its
//! places in both documents and the consumers it hits; a blank line between
//! operations and one summary line. Levels are coloured only with
//! [`Style::Color`].

use super::{consumers_line, level_word, Report, Reported};
use crate::change::Level;
use seam_core::render::Style;
use std::fmt::Write;

/// The whole text report, ending with the summary line.
pub fn to_text(report: &Report, style: Style) -> String {
    let mut out = String::new();
    for (index, group) in groups(&report.changes).iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        for reported in group {
            write_change(&mut out, reported, style);
        }
    }
    if !report.changes.is_empty() {
        out.push('\n');
    }
    out.push_str(&report.summary());
    out.push('\n');
    out
}

/// The changes by operation, groups in order of their first (most severe)
/// change; changes without an operation (document-wide) form one group.
fn groups(changes: &[Reported]) -> Vec<Vec<&Reported>> {
    let mut groups: Vec<(Option<&str>, Vec<&Reported>)> = Vec::new();
    for reported in changes {
        let operation = reported.change.operation.as_deref();
        match groups.iter_mut().find(|(op, _)| *op == operation) {
            Some((_, group)) => group.push(reported),
            None => groups.push((operation, vec![reported])),
        }
    }
    groups.into_iter().map(|(_, group)| group).collect()
}

fn write_change(out: &mut String, reported: &Reported, style: Style) {
    let change = &reported.change;
    let colour = match change.level {
        Level::Err => "31",
        Level::Warn => "33",
        Level::Info => "36",
    };
    let _ = write!(
        out,
        "{} [{}]",
        style.paint(colour, level_word(change.level)),
        change.id
    );
    if let Some(operation) = &change.operation {
        let _ = write!(out, " {}", style.paint("1", operation));
    }
    out.push('\n');
    let _ = writeln!(out, "  {}", seam_core::source::one_line(&change.text));
    for (label, side) in [("base", &change.base), ("revision", &change.revision)] {
        if let Some(side) = side {
            let place = side.place.as_deref().unwrap_or(&side.pointer);
            let _ = writeln!(out, "  {label}: {}", style.paint("90", place));
        }
    }
    if let Some(consumers) = reported.consumers.as_ref().filter(|c| !c.is_empty()) {
        let _ = writeln!(out, "  {}", consumers_line(change.level, consumers));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{Change, Side};

    fn report() -> Report {
        let change = Change {
            id: "api-path-removed-without-deprecation".into(),
            level: Level::Err,
            operation: Some("GET /pets".into()),
            args: vec![],
            text: "api path removed without deprecation".into(),
            base: Some(Side {
                pointer: "#/paths/~1pets/get".into(),
                place: Some("v1.yaml:7:5".into()),
            }),
            revision: None,
        };
        Report {
            base: "v1.yaml".into(),
            revision: "v2.yaml".into(),
            changes: vec![Reported {
                change,
                consumers: None,
            }],
            ignored: 0,
            hidden: 0,
            fail_level: Level::Err,
        }
    }

    #[test]
    fn plain_text_has_no_escapes_and_colour_paints_the_level() {
        let plain = to_text(&report(), Style::Plain);
        assert_eq!(
            plain,
            "error [api-path-removed-without-deprecation] GET /pets\n  api path removed without deprecation\n  base: v1.yaml:7:5\n\n1 change: 1 error, 0 warnings, 0 info\n"
        );
        let coloured = to_text(&report(), Style::Color);
        assert!(coloured.starts_with("\x1b[31merror\x1b[0m [api-path-removed-without-deprecation] \x1b[1mGET /pets\x1b[0m\n"), "{coloured:?}");
    }
}
