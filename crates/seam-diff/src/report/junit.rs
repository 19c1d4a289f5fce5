//! The JUnit report: one suite, one failing test case per change at or above
//! the fail level (`--fail-on`, else ERR), named by rule id and operation, with
//! the sentence, places and consumers in the failure; a single passing case
//! when there is none, so a CI test view shows the check ran.

use super::{consumers_line, Report};

/// JUnit XML.
pub fn to_junit(report: &Report) -> String {
    use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
    let mut junit = quick_junit::Report::new("seam diff");
    let mut suite = TestSuite::new(format!("{} → {}", report.base, report.revision));
    let mut failing = 0;
    for reported in report.failing() {
        failing += 1;
        let change = &reported.change;
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status.set_message(change.text.clone());
        status.set_type(change.level.to_string());
        let mut description = format!("{} [{}] {}", change.level, change.id, change.text);
        for (label, side) in [("base", &change.base), ("revision", &change.revision)] {
            if let Some(side) = side {
                let place = side.place.as_deref().unwrap_or(&side.pointer);
                description.push_str(&format!("\n{label}: {place}"));
            }
        }
        if let Some(consumers) = reported.consumers.as_ref().filter(|c| !c.is_empty()) {
            description.push_str(&format!("\n{}", consumers_line(change.level, consumers)));
        }
        status.set_description(description);
        let name = match &change.operation {
            Some(operation) => format!("{} {operation}", change.id),
            None => change.id.clone(),
        };
        let mut case = TestCase::new(name, status);
        case.set_classname(change.place().unwrap_or(&report.revision).to_string());
        suite.add_test_case(case);
    }
    if failing == 0 {
        let mut case = TestCase::new(
            format!("no changes at or above {}", report.fail_level),
            TestCaseStatus::success(),
        );
        case.set_classname(report.revision.clone());
        case.set_system_out(report.summary());
        suite.add_test_case(case);
    }
    junit.add_test_suite(suite);
    junit.to_string().unwrap_or_default()
}
