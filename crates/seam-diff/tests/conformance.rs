//! oasdiff's own expectations, replayed: every case of
//! `conformance/openapi/diff/cases.json` (spec pairs with the rule ids oasdiff's
//! tests assert) diffed and scored as that folder's README says — the case's
//! check scope and minimum level, exact multisets or containment, pinned
//! counts, ids that must be absent. Prints one summary line (straight to
//! stderr, so CI logs show it) and asserts the pass rates never fall below
//! the floors recorded here.

use seam_diff::{diff, rules, Change, Level, Options, Stability};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// What passes today; raise these as rules land, never lower them.
const FLOOR_CASES: usize = 335;
const FLOOR_ERR_EXPECTATIONS: usize = 196;
const FLOOR_ALL_EXPECTATIONS: usize = 376;

/// Rule ids that oasdiff raises from more than one check (the rules table
/// names the first): (id, the other checks).
const ALSO_RAISED_BY: [(&str, &[&str]); 2] = [
    ("api-path-sunset-parse", &["APISunsetChangedCheck"]),
    (
        "request-parameter-sunset-parse",
        &[
            "RequestParameterDeprecationCheck",
            "RequestParameterSunsetChangedCheck",
        ],
    ),
];

/// Cases where seam reports what oasdiff deliberately does not, each listed
/// in docs/conformance.md: (the case's base file, why).
const DOCUMENTED_DIVERGENCES: [(&str, &str); 1] = [(
    "no-findings/34/base.yaml",
    "path-level parameters are compared in every operation that inherits them; oasdiff only does so with --flatten-params",
)];

/// One expected finding: a rule id, its level, and the operation when the
/// upstream test states it.
struct Expected {
    id: String,
    level: Level,
    operation: Option<String>,
}

/// How one case went: expectations met (ERR ones and all), and what was wrong.
#[derive(Default)]
struct Score {
    err_met: usize,
    err_total: usize,
    met: usize,
    total: usize,
    problems: Vec<String>,
}

fn options_of(case: &Value) -> Options {
    let mut options = Options::default();
    let Some(given) = case.get("options").and_then(Value::as_object) else {
        return options;
    };
    for (key, value) in given {
        match key.as_str() {
            "stability_level" => {
                if let Some(level) = value.as_str().and_then(|s| s.parse::<Stability>().ok()) {
                    options.stability_level = level;
                }
            }
            "deprecation_days_beta" => {
                options.deprecation_days_beta = value.as_u64().unwrap_or(0) as u32
            }
            "deprecation_days_stable" => {
                options.deprecation_days_stable = value.as_u64().unwrap_or(0) as u32
            }
            "match_inline_refs" => options.match_inline_refs = value.as_bool().unwrap_or(true),
            // parameters flattened into their schemas' properties: not an option here
            _ => {}
        }
    }
    options
}

fn expected(case: &Value) -> Vec<Expected> {
    case["expect"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| Expected {
            id: e["id"].as_str().unwrap_or_default().to_string(),
            level: e["level"]
                .as_str()
                .unwrap_or("INFO")
                .parse()
                .unwrap_or(Level::Info),
            operation: e
                .get("operation")
                .and_then(Value::as_str)
                .map(str::to_string),
        })
        .collect()
}

/// The findings inside the case's scope: its one check (unless "all") and
/// its minimum level.
fn in_scope(changes: Vec<Change>, case: &Value) -> Vec<Change> {
    let check = case["checks"].as_str().unwrap_or("all");
    let min_level: Level = case["min_level"]
        .as_str()
        .unwrap_or("INFO")
        .parse()
        .unwrap_or(Level::Info);
    changes
        .into_iter()
        .filter(|c| check == "all" || raised_by(&c.id, check))
        .filter(|c| c.level >= min_level)
        .collect()
}

/// Whether oasdiff's `check` raises rule `id`.
fn raised_by(id: &str, check: &str) -> bool {
    rules::get(id).and_then(|rule| rule.check) == Some(check)
        || ALSO_RAISED_BY
            .iter()
            .any(|(also, checks)| *also == id && checks.contains(&check))
}

fn score(case: &Value, dir: &Path) -> Score {
    let expect = expected(case);
    let mut score = Score {
        err_total: expect.iter().filter(|e| e.level == Level::Err).count(),
        total: expect.len(),
        ..Score::default()
    };
    let load = |key: &str| {
        let path = dir.join(case[key].as_str().unwrap_or_default());
        seam_openapi::load::load(&path).map_err(|errors| {
            let first = errors.first().map(ToString::to_string).unwrap_or_default();
            format!("{key} does not load: {first}")
        })
    };
    let (base, revision) = match (load("base"), load("revision")) {
        (Ok(base), Ok(revision)) => (base, revision),
        (Err(e), _) | (_, Err(e)) => {
            score.problems.push(e);
            return score;
        }
    };
    let found = in_scope(diff(&base, &revision, &options_of(case)), case);
    let mut unmatched: Vec<&Change> = found.iter().collect();
    for e in &expect {
        let position = unmatched.iter().position(|c| {
            c.id == e.id
                && e.operation
                    .as_ref()
                    .is_none_or(|op| c.operation.as_deref() == Some(op.as_str()))
        });
        match position {
            Some(n) => {
                unmatched.remove(n);
                score.met += 1;
                if e.level == Level::Err {
                    score.err_met += 1;
                }
            }
            None => score.problems.push(format!(
                "missing {} {}",
                e.id,
                e.operation.as_deref().unwrap_or("")
            )),
        }
    }
    if case["exact"].as_bool() == Some(true) {
        for c in &unmatched {
            score.problems.push(format!(
                "unexpected {} {}: {}",
                c.id,
                c.operation.as_deref().unwrap_or(""),
                c.text
            ));
        }
    }
    if let Some(count) = case["count"].as_u64() {
        if found.len() as u64 != count {
            score
                .problems
                .push(format!("{} findings, the case pins {count}", found.len()));
        }
    }
    for absent in case["absent"].as_array().into_iter().flatten() {
        let absent = absent.as_str().unwrap_or_default();
        if found.iter().any(|c| c.id == absent) {
            score
                .problems
                .push(format!("{absent} reported, must be absent"));
        }
    }
    score
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

#[test]
fn oasdiff_cases_pass_at_or_above_the_recorded_floor() {
    let Some(root) = seam_testkit::conformance_dir("openapi", "diff conformance") else {
        return;
    };
    let dir = root.join("diff");
    let text = std::fs::read_to_string(dir.join("cases.json")).expect("cases.json");
    let cases: Vec<Value> = serde_json::from_str(&text).expect("cases.json is JSON");
    let (mut passed, mut err_met, mut err_total, mut met, mut total) = (0, 0, 0, 0, 0);
    let mut failures = Vec::new();
    let mut divergences = Vec::new();
    let mut stale = Vec::new();
    for case in &cases {
        let score = score(case, &dir);
        err_met += score.err_met;
        err_total += score.err_total;
        met += score.met;
        total += score.total;
        let base = case["base"].as_str().unwrap_or_default();
        let divergence = DOCUMENTED_DIVERGENCES
            .iter()
            .find(|(case, _)| *case == base);
        if score.problems.is_empty() {
            passed += 1;
            if divergence.is_some() {
                stale.push(base.to_string());
            }
        } else if let Some((_, why)) = divergence {
            divergences.push(format!("{base}: {why} ({})", score.problems.join("; ")));
        } else {
            failures.push(format!(
                "{} ({}): {}",
                case["base"].as_str().unwrap_or_default(),
                case["source"].as_str().unwrap_or_default(),
                score.problems.join("; ")
            ));
        }
    }
    for failure in &failures {
        eprintln!("  failed: {failure}");
    }
    for divergence in &divergences {
        eprintln!("  documented divergence: {divergence}");
    }
    let summary = format!(
        "diff conformance (oasdiff cases): {passed}/{} cases pass ({:.1}%), {} documented divergence(s); expectations met: ERR {err_met}/{err_total} ({:.1}%), all {met}/{total} ({:.1}%)",
        cases.len(),
        percent(passed, cases.len()),
        divergences.len(),
        percent(err_met, err_total),
        percent(met, total)
    );
    let _ = writeln!(std::io::stderr(), "{summary}");
    assert!(
        stale.is_empty(),
        "listed as documented divergences but now agree with oasdiff (remove them here and in docs/conformance.md): {stale:?}"
    );
    assert!(
        passed >= FLOOR_CASES && err_met >= FLOOR_ERR_EXPECTATIONS && met >= FLOOR_ALL_EXPECTATIONS,
        "{summary}: below the recorded floor ({FLOOR_CASES} cases, {FLOOR_ERR_EXPECTATIONS} ERR, {FLOOR_ALL_EXPECTATIONS} all)"
    );
}
