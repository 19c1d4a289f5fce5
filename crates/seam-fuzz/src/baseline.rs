//! Baselines: findings a team has accepted, by id. A baseline file is either
//! a JSON report of an earlier run (`fuzz.json`: every finding in it is
//! accepted) or text with one finding id per line (`#` starts a comment).

use std::path::Path;

/// The ids a baseline file accepts; errors name the file (and line).
pub fn read(path: &Path) -> Result<Vec<String>, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{}: cannot read the baseline: {e}", path.display()))?;
    let text = seam_core::source::decode_text(&bytes)
        .map_err(|e| e.in_file(path.display().to_string()).to_string())?;
    parse(text).map_err(|e| format!("{}:{e}", path.display()))
}

/// The ids in a baseline's text; an error reads `line:col: message`.
pub fn parse(text: &str) -> Result<Vec<String>, String> {
    if text.trim_start().starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            format!(
                "{}:{}: {}",
                e.line(),
                e.column(),
                seam_openapi::params::plain_json_error(&e)
            )
        })?;
        let findings = v
            .get("findings")
            .and_then(|f| f.as_array())
            .ok_or("1:1: a JSON baseline is a `seam fuzz` or `seam scan` JSON report, with a `findings` list")?;
        return Ok(findings
            .iter()
            .filter_map(|f| f.get("id")?.as_str().map(str::to_string))
            .collect());
    }
    let mut ids = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let id = line.split('#').next().unwrap_or("").trim();
        if id.is_empty() {
            continue;
        }
        // F: a fuzz finding, S: a scan finding
        let well_formed = id.len() == 9
            && (id.starts_with('F') || id.starts_with('S'))
            && id[1..].chars().all(|c| c.is_ascii_hexdigit());
        if !well_formed {
            return Err(format!(
                "{}:1: `{id}` is not a finding id (an F or S and 8 hex digits, as reports print them)",
                n + 1
            ));
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_json_baselines() {
        assert_eq!(
            parse("# known\nF0123abcd\n\nFdeadbeef # 503 on search\n").unwrap(),
            vec!["F0123abcd", "Fdeadbeef"]
        );
        assert_eq!(
            parse(r#"{"findings": [{"id": "F00000001"}]}"#).unwrap(),
            vec!["F00000001"]
        );
        let e = parse("F1\n").unwrap_err();
        assert!(e.starts_with("1:1: `F1` is not a finding id"), "{e}");
        let e = parse("{\"findings\": [}").unwrap_err();
        assert!(e.starts_with("1:"), "{e}");
    }
}
