//! GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` line
//! per change, at its file, line and column, titled with the rule id, escaped
//! as GitHub requires (`%`, CR and LF in the message; also `:` and `,` in
//! properties).

use super::{consumers_line, Place, Report};
use crate::change::Level;

/// One annotation line per change, then nothing else (the summary is for people).
pub fn to_github(report: &Report) -> String {
    let mut out = String::new();
    for reported in &report.changes {
        let change = &reported.change;
        let command = match change.level {
            Level::Err => "error",
            Level::Warn => "warning",
            Level::Info => "notice",
        };
        let mut properties = Vec::new();
        if let Some(place) = change.place() {
            let place = Place::parse(place);
            // `HEAD~1:api.yaml`: the annotation goes on the file as the repository has it
            let file = place.file.rsplit(':').next().unwrap_or(place.file);
            properties.push(format!("file={}", property(file)));
            if let Some(line) = place.line {
                properties.push(format!("line={line}"));
            }
            if let Some(column) = place.column {
                properties.push(format!("col={column}"));
            }
        }
        properties.push(format!("title={}", property(&change.id)));
        let mut message = match &change.operation {
            Some(operation) => format!("{operation}: {}", change.text),
            None => change.text.clone(),
        };
        if let Some(consumers) = reported.consumers.as_ref().filter(|c| !c.is_empty()) {
            message.push_str(&format!("\n{}", consumers_line(change.level, consumers)));
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            data(&message)
        ));
    }
    out
}

/// A command's message: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as [`data`], and `:` and `,` too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_as_github_requires() {
        assert_eq!(super::data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
