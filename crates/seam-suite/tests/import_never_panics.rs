//! Importers on damaged input: every value of real and sample files replaced
//! by values of other types, and scripts cut at every character. An import
//! either fails with a positioned error or gives a suite that loads; it never
//! panics.

use seam_suite::import::{self, har, postman, Doc};
use serde_json::{json, Value};

fn data(name: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/import")
            .join(name),
    )
    .unwrap()
}

/// Every copy of `v` with one node replaced by one of `others`.
fn mutations(v: &Value) -> Vec<Value> {
    let others = [
        json!(5),
        json!("x"),
        json!({}),
        json!([]),
        Value::Null,
        json!(true),
        json!(""),
        json!([{}]),
    ];
    let mut out = Vec::new();
    fn walk(root: &Value, path: &mut Vec<Value>, others: &[Value], out: &mut Vec<Value>) {
        let node = path.iter().try_fold(root, |n, k| match k {
            Value::String(s) => n.get(s.as_str()),
            Value::Number(i) => n.get(i.as_u64()? as usize),
            _ => None,
        });
        let Some(node) = node else { return };
        for o in others {
            let mut copy = root.clone();
            let mut at = &mut copy;
            for k in path.iter() {
                at = match k {
                    Value::String(s) => &mut at[s.as_str()],
                    Value::Number(i) => &mut at[i.as_u64().unwrap() as usize],
                    _ => unreachable!(),
                };
            }
            *at = o.clone();
            out.push(copy);
        }
        let keys: Vec<Value> = match node {
            Value::Object(m) => m.keys().map(|k| json!(k)).collect(),
            Value::Array(a) => (0..a.len()).map(|i| json!(i)).collect(),
            _ => Vec::new(),
        };
        for k in keys {
            path.push(k);
            walk(root, path, others, out);
            path.pop();
        }
    }
    walk(v, &mut Vec::new(), &others, &mut out);
    out
}

fn check(result: Result<import::Imported, seam_core::source::SourceError>, file: &str) {
    match result {
        Ok(i) => {
            let yaml = import::to_yaml(&i.suite).unwrap();
            import::check_loads(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
            for t in i.suite["tests"].as_array().unwrap() {
                for s in t["steps"].as_array().unwrap() {
                    let path = s["request"]["path"].as_str().unwrap_or_default();
                    assert!(!path.trim().is_empty(), "an empty URL in {yaml}");
                }
            }
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with(&format!("{file}:")), "{text}");
            assert!(e.at.is_some(), "no place in {text}");
        }
    }
}

#[test]
fn damaged_collections_fail_with_a_place_or_import_into_a_suite_that_loads() {
    let sources = [
        String::from_utf8(data(
            "newman-bom-in-collection-file.postman_collection.json",
        ))
        .unwrap(),
        String::from_utf8(data("k6-inherit-nested.postman_collection.json")).unwrap(),
        include_str!("import_postman.rs")
            .split("const SHOP: &str = r#\"")
            .nth(1)
            .and_then(|r| r.split("\"#;").next())
            .unwrap()
            .to_string(),
    ];
    let mut n = 0;
    for src in sources {
        let v: Value = serde_json::from_str(src.trim_start_matches('\u{feff}')).unwrap();
        for m in mutations(&v) {
            let text = serde_json::to_string_pretty(&m).unwrap();
            let doc = Doc::parse("c.json", text.as_bytes()).unwrap();
            check(postman::import(&doc, None, None), "c.json");
            n += 1;
        }
    }
    assert!(n > 1000, "{n} mutations");
}

#[test]
fn damaged_recordings_fail_with_a_place_or_import_into_a_suite_that_loads() {
    let v: Value = serde_json::from_slice(&data("mitmproxy-postdata.har")).unwrap();
    for m in mutations(&v) {
        let text = serde_json::to_string(&m).unwrap();
        let doc = Doc::parse("h.har", text.as_bytes()).unwrap();
        check(har::import(&doc), "h.har");
    }
}

#[test]
fn scripts_cut_anywhere_never_panic() {
    let script = include_str!("import_postman.rs");
    let start = script.find("\"var jsonData").unwrap();
    let sample: String = script[start..].chars().take(3000).collect();
    let chars: Vec<char> = sample.chars().collect();
    for cut in 0..chars.len() {
        let text: String = chars[..cut].iter().collect();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        let _ = import::script::translate(&lines, false);
    }
    for odd in [
        "pm.expect(",
        "pm.expect(a).to.",
        "tests[",
        "/",
        "/[/",
        "`${x}`",
        "}}}",
        "{{{",
        "(((",
        "pm.response.to.have.status(",
        "var = ;",
        "if (",
        "pm.environment.set('é', jsonData.é)",
    ] {
        let _ = import::script::translate(&[odd.to_string()], false);
        let _ = import::script::translate(&[odd.to_string()], true);
    }
}
