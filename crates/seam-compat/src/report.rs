//! A [`Report`] rendered for people (text, grouped by consumer, then
//! interaction), for machines (JSON), for CI test views (JUnit: a suite per
//! pact, a case per interaction) and for code-scanning tools (SARIF 2.1.0: a
//! result per finding, located in the spec file).

use crate::codes::{self, Severity};
use crate::{Finding, PactReport, Report};
use serde_json::{json, Value};

/// Text for a terminal: each pact's consumer and provider, each interaction
/// with findings, each finding with its code, pact location, spec location and
/// message; one summary line.
pub fn to_text(report: &Report) -> String {
    let mut out = String::new();
    for pact in &report.pacts {
        out.push_str(&format!(
            "{} → {} ({}): {} interaction(s), {} error(s), {} warning(s)\n",
            pact.consumer,
            pact.provider,
            pact.file,
            pact.interactions.len(),
            pact.errors(),
            pact.warnings()
        ));
        for (index, checked) in pact.interactions.iter().enumerate() {
            let findings: Vec<&Finding> =
                pact.findings.iter().filter(|f| f.index == index).collect();
            if findings.is_empty() {
                continue;
            }
            let operation = findings
                .iter()
                .find_map(|f| f.operation.as_deref())
                .map(|o| format!(" [{o}]"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  interaction \"{}\"{operation}\n",
                checked.description
            ));
            for f in findings {
                out.push_str(&format!(
                    "    {}: {} at {}\n",
                    f.severity.as_str(),
                    f.code,
                    f.pact_location
                ));
                out.push_str(&format!(
                    "      {}\n",
                    seam_core::source::one_line(&f.message)
                ));
                if let Some(rule) = &f.rule {
                    out.push_str(&format!("      matcher: {rule}\n"));
                }
                if let Some(spec) = &f.spec_location {
                    out.push_str(&format!("      spec: {spec}\n"));
                }
            }
        }
    }
    out.push_str(&format!(
        "{}: {} pact(s), {} interaction(s) against {}: {} error(s), {} warning(s)\n",
        if report.is_compatible() {
            "compatible"
        } else {
            "incompatible"
        },
        report.pacts.len(),
        report.interactions(),
        report.spec,
        report.errors(),
        report.warnings()
    ));
    out
}

/// One JSON object: `{spec, compatible, errors, warnings, pacts: [{file,
/// consumer, provider, interactions, findings: [...]}]}`.
pub fn to_json(report: &Report) -> Value {
    json!({
        "spec": report.spec,
        "compatible": report.is_compatible(),
        "errors": report.errors(),
        "warnings": report.warnings(),
        "pacts": report.pacts,
    })
}

/// JUnit XML: a suite per pact, a case per interaction, failing on an error
/// (warnings in its output).
pub fn to_junit(report: &Report) -> String {
    use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
    let mut junit = quick_junit::Report::new("seam compat");
    for pact in &report.pacts {
        let mut suite = TestSuite::new(format!("{} → {}", pact.consumer, pact.provider));
        for (index, checked) in pact.interactions.iter().enumerate() {
            let findings: Vec<&Finding> =
                pact.findings.iter().filter(|f| f.index == index).collect();
            let line = |f: &&Finding| {
                format!(
                    "{} {} at {}: {}",
                    f.severity.as_str(),
                    f.code,
                    f.pact_location,
                    f.message
                )
            };
            let errors: Vec<String> = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(line)
                .collect();
            let status = if errors.is_empty() {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(errors.join("; "));
                s.set_description(findings.iter().map(line).collect::<Vec<_>>().join("\n"));
                s
            };
            let mut case = TestCase::new(checked.description.clone(), status);
            case.set_classname(format!("{} {}", pact.file, checked.pact_location));
            let warnings: String = findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .map(|f| format!("{}\n", line(f)))
                .collect();
            if !warnings.is_empty() {
                case.set_system_out(warnings);
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().unwrap_or_default()
}

/// SARIF 2.1.0: one run, a rule per code, a result per finding located at its
/// place in the spec (line and column when known), the pact location in its
/// message and properties.
pub fn to_sarif(report: &Report) -> Value {
    let rules: Vec<Value> = codes::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.name,
                "shortDescription": {"text": c.meaning},
                "defaultConfiguration": {"level": level(c.severity)},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .pacts
        .iter()
        .flat_map(|pact| pact.findings.iter().map(move |f| sarif_result(pact, f)))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "seam compat",
                "informationUri": "https://github.com/seamline/seamline",
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn sarif_result(pact: &PactReport, f: &Finding) -> Value {
    let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": pact.file}}});
    if let Some(spec) = &f.spec_location {
        let mut physical = json!({"artifactLocation": {"uri": spec.file}});
        if let Some(line) = spec.line {
            physical["region"] =
                json!({"startLine": line, "startColumn": spec.column.unwrap_or(1)});
        }
        location = json!({"physicalLocation": physical, "logicalLocations": [{"fullyQualifiedName": spec.pointer}]});
    }
    json!({
        "ruleId": f.code,
        "level": level(f.severity),
        "message": {"text": format!("{} → {}: \"{}\" at {}: {}", pact.consumer, pact.provider, f.interaction, f.pact_location, f.message)},
        "locations": [location],
        "properties": {
            "pactFile": pact.file,
            "consumer": pact.consumer,
            "provider": pact.provider,
            "interaction": f.interaction,
            "pactLocation": f.pact_location,
            "rule": f.rule,
        },
    })
}
