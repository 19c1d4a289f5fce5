//! The Markdown report: one table (level, rule, operation, change, where), and
//! the summary line under it — for a pull-request comment.

use super::{consumers_line, Report};

/// A Markdown table of the changes, then the summary.
pub fn to_markdown(report: &Report) -> String {
    let mut out = format!(
        "## API changes from `{}` to `{}`\n\n",
        cell(&report.base),
        cell(&report.revision)
    );
    if !report.changes.is_empty() {
        let with_consumers = report.changes.iter().any(|r| r.consumers.is_some());
        out.push_str("| Level | Rule | Operation | Change | Where |");
        out.push_str(if with_consumers {
            " Consumers |\n"
        } else {
            "\n"
        });
        out.push_str("| --- | --- | --- | --- | --- |");
        out.push_str(if with_consumers { " --- |\n" } else { "\n" });
        for reported in &report.changes {
            let change = &reported.change;
            out.push_str(&format!(
                "| {} | `{}` | {} | {} | {} |",
                change.level,
                change.id,
                cell(change.operation.as_deref().unwrap_or("")),
                cell(&change.text),
                cell(change.place().unwrap_or(""))
            ));
            if with_consumers {
                let consumers = reported
                    .consumers
                    .as_deref()
                    .map(|c| consumers_line(change.level, c))
                    .unwrap_or_default();
                out.push_str(&format!(" {} |", cell(&consumers)));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&report.summary());
    out.push('\n');
    out
}

/// Text safe inside a table cell: `|` escaped, line breaks as spaces.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn pipes_and_newlines_stay_inside_a_cell() {
        assert_eq!(super::cell("a|b\nc"), "a\\|b c");
    }
}
