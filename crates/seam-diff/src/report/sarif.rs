//! SARIF 2.1.0 for code-scanning tools: one run, a rule per rule id reported
//! (with its oasdiff message and level as help text), a result per change with
//! level error/warning/note and its physical location (file, line, column)
//! plus the JSON pointer as a logical location.

use super::{consumers_line, Place, Report};
use crate::change::Level;
use crate::rules;
use serde_json::{json, Value};

/// The SARIF log, pretty-printed.
pub fn to_sarif(report: &Report) -> String {
    let mut ids: Vec<&str> = report
        .changes
        .iter()
        .map(|r| r.change.id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let sarif_rules: Vec<Value> = ids
        .iter()
        .map(|id| {
            let rule = rules::get(id);
            let level = rule.map(|r| r.level).unwrap_or(Level::Info);
            // `%s` placeholders read as `…` out of context
            let message = rule
                .map(|r| r.message.replace("%s", "…").replace("%v", "…"))
                .unwrap_or_else(|| id.to_string());
            json!({
                "id": id,
                "shortDescription": {"text": message},
                "help": {"text": format!(
                    "{level}: {message} (oasdiff rule {id}; direction {})",
                    rule.map(|r| r.direction).unwrap_or("none")
                )},
                "defaultConfiguration": {"level": sarif_level(level)},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .changes
        .iter()
        .map(|reported| {
            let change = &reported.change;
            let mut text = match &change.operation {
                Some(operation) => format!("{operation}: {}", change.text),
                None => change.text.clone(),
            };
            if let Some(consumers) = reported.consumers.as_ref().filter(|c| !c.is_empty()) {
                text.push_str(&format!(" ({})", consumers_line(change.level, consumers)));
            }
            let mut result = json!({
                "ruleId": change.id,
                "ruleIndex": ids.binary_search(&change.id.as_str()).unwrap_or(0),
                "level": sarif_level(change.level),
                "message": {"text": text},
                "locations": [location(reported)],
            });
            if let Some(consumers) = &reported.consumers {
                result["properties"] = json!({"consumers": consumers});
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "seam diff",
                "informationUri": "https://github.com/seamline/seamline",
                "rules": sarif_rules,
            }},
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Err => "error",
        Level::Warn => "warning",
        Level::Info => "note",
    }
}

/// The change's place (the revision's, else the base's) as a physical
/// location, its pointer as a logical one.
fn location(reported: &super::Reported) -> Value {
    let change = &reported.change;
    let side = change
        .revision
        .as_ref()
        .filter(|s| s.place.is_some())
        .or(change.base.as_ref());
    let Some(side) = side else {
        return json!({});
    };
    let mut location = json!({"logicalLocations": [{"fullyQualifiedName": side.pointer}]});
    if let Some(place) = &side.place {
        let place = Place::parse(place);
        let mut physical = json!({"artifactLocation": {"uri": place.file}});
        if let Some(line) = place.line {
            physical["region"] =
                json!({"startLine": line, "startColumn": place.column.unwrap_or(1)});
        }
        location["physicalLocation"] = physical;
    }
    location
}
