//! Variables: `{{name}}` in strings and JSON values, from the suite, `--var`
//! and captures. An undefined variable is an error that names it.

use serde_json::{Map, Value};

pub type Vars = Map<String, Value>;

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Replaces `{{name}}` in `s`.
pub fn interpolate(s: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .ok_or_else(|| format!("unterminated `{{{{` in `{s}`"))?;
        let name = rest[start + 2..start + end].trim();
        let value = vars
            .get(name)
            .ok_or_else(|| format!("undefined variable `{name}`{}", hint(name, vars)))?;
        out.push_str(&text(value));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn hint(name: &str, vars: &Vars) -> String {
    vars.keys()
        .map(|k| (seam_mock::sources::edit_distance(name, k), k))
        .min()
        .filter(|(d, _)| *d <= 2)
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

/// Interpolates every string in a JSON value; a string that is exactly one
/// `{{name}}` takes the variable's JSON type.
pub fn interpolate_json(v: &Value, vars: &Vars) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => {
            let trimmed = s.trim();
            match trimmed
                .strip_prefix("{{")
                .and_then(|r| r.strip_suffix("}}"))
            {
                Some(name) if !name.contains("{{") => {
                    vars.get(name.trim()).cloned().ok_or_else(|| {
                        format!(
                            "undefined variable `{}`{}",
                            name.trim(),
                            hint(name.trim(), vars)
                        )
                    })?
                }
                _ => Value::String(interpolate(s, vars)?),
            }
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| interpolate_json(x, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| Ok((k.clone(), interpolate_json(x, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn interpolates_and_names_what_is_missing() {
        let mut vars = Vars::new();
        vars.insert("id".into(), json!(7));
        vars.insert("user".into(), json!("ann"));
        assert_eq!(
            interpolate("/orders/{{id}}?u={{ user }}", &vars).unwrap(),
            "/orders/7?u=ann"
        );
        assert_eq!(
            interpolate_json(&json!({"id": "{{id}}", "u": "x-{{user}}"}), &vars).unwrap(),
            json!({"id": 7, "u": "x-ann"})
        );
        let e = interpolate("/x/{{usr}}", &vars).unwrap_err();
        assert_eq!(e, "undefined variable `usr` (did you mean `user`?)");
        assert!(interpolate("{{id", &vars).is_err());
    }
}
