//! The HTML report: one self-contained page (seam-core's shared page shell: inline
//! CSS, no scripts, nothing fetched), the summary and a table of the changes;
//! every value escaped.

use super::{consumers_line, level_word, Report};
use crate::change::Level;
use seam_core::html::{escape, page};

/// The page.
pub fn to_html(report: &Report) -> String {
    let title = format!("API changes from {} to {}", report.base, report.revision);
    let mut body = format!(
        "<p class=\"sum\"><b>{}</b></p>\n",
        escape(&report.summary())
    );
    if !report.changes.is_empty() {
        body.push_str(
            "<table>\n<tr><th>Level</th><th>Rule</th><th>Operation</th><th>Change</th></tr>\n",
        );
        for reported in &report.changes {
            let change = &reported.change;
            let level = match change.level {
                Level::Err => "<b class=\"ko\">error</b>".to_string(),
                Level::Warn => "<b style=\"color:#a15c00\">warning</b>".to_string(),
                Level::Info => format!("<span class=\"skip\">{}</span>", level_word(Level::Info)),
            };
            let mut details = String::new();
            for (label, side) in [("base", &change.base), ("revision", &change.revision)] {
                if let Some(side) = side {
                    let place = side.place.as_deref().unwrap_or(&side.pointer);
                    details.push_str(&format!(
                        "<br><span class=\"skip\">{label}: {}</span>",
                        escape(place)
                    ));
                }
            }
            if let Some(consumers) = reported.consumers.as_ref().filter(|c| !c.is_empty()) {
                details.push_str(&format!(
                    "<br>{}",
                    escape(&consumers_line(change.level, consumers))
                ));
            }
            body.push_str(&format!(
                "<tr><td>{level}</td><td><code>{}</code></td><td>{}</td><td>{}{details}</td></tr>\n",
                escape(&change.id),
                escape(change.operation.as_deref().unwrap_or("")),
                escape(&change.text),
            ));
        }
        body.push_str("</table>\n");
    }
    page(&title, &body)
}
