//! Variables: `{{name}}` in strings and JSON values, from the suite, `--var`
//! and captures, and generated values (`{{$guid}}`, `{{$timestamp}}`, ...: the
//! names Postman uses, fresh at each use). An undefined variable is an error
//! that names it.

use seam_core::source::did_you_mean;
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
        out.push_str(&text(&lookup(name, vars)?));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A variable's value: defined ones first (so `--var '$timestamp=1'` pins a
/// generated value), then generated values.
fn lookup(name: &str, vars: &Vars) -> Result<Value, String> {
    if let Some(v) = vars.get(name) {
        return Ok(v.clone());
    }
    generated(name).ok_or_else(|| {
        let hint = if name.starts_with('$') {
            did_you_mean(name, GENERATED.iter().copied())
        } else {
            did_you_mean(name, vars.keys().map(String::as_str))
        };
        format!("undefined variable `{name}`{hint}")
    })
}

/// The generated values `{{$name}}` gives (Postman's names for them).
pub const GENERATED: &[&str] = &[
    "$guid",
    "$randomUUID",
    "$timestamp",
    "$isoTimestamp",
    "$randomInt",
    "$randomBoolean",
    "$randomAlphaNumeric",
    "$randomEmail",
    "$randomExampleEmail",
    "$randomUserName",
    "$randomFirstName",
    "$randomLastName",
    "$randomFullName",
    "$randomWord",
    "$randomPassword",
];

const FIRST: &[&str] = &[
    "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken",
];
const LAST: &[&str] = &[
    "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
];
const WORDS: &[&str] = &[
    "alpha", "bridge", "cobalt", "delta", "ember", "falcon", "garnet", "harbor",
];

/// A fresh value for a generated variable, `None` for other names.
pub fn generated(name: &str) -> Option<Value> {
    use seam_core::generators::{Generator, GeneratorContext};
    let gen = |g: Generator| g.generate(&Value::Null, &GeneratorContext::default()).ok();
    let int = |min: i64, max: i64| {
        gen(Generator::RandomInt { min, max })
            .and_then(|v| v.as_i64())
            .unwrap_or(min)
    };
    let pick = |list: &[&str]| list[int(0, list.len() as i64 - 1) as usize].to_string();
    let text = |regex: &str| {
        gen(Generator::Regex {
            regex: regex.into(),
        })
    };
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
    };
    Some(match name {
        "$guid" | "$randomUUID" => gen(Generator::Uuid { format: None })?,
        "$timestamp" => Value::from(now().as_secs()),
        "$isoTimestamp" => Value::String(iso_utc(now())),
        "$randomInt" => Value::from(int(0, 1000)),
        "$randomBoolean" => gen(Generator::RandomBoolean)?,
        "$randomAlphaNumeric" => gen(Generator::RandomString { size: 1 })?,
        "$randomEmail" | "$randomExampleEmail" => text("[a-z]{8}@example\\.(com|org|net)")?,
        "$randomUserName" => text("[a-z]{6}[0-9]{2}")?,
        "$randomPassword" => text("[A-Za-z0-9]{15}")?,
        "$randomFirstName" => Value::String(pick(FIRST)),
        "$randomLastName" => Value::String(pick(LAST)),
        "$randomFullName" => Value::String(format!("{} {}", pick(FIRST), pick(LAST))),
        "$randomWord" => Value::String(pick(WORDS)),
        _ => return None,
    })
}

/// `2026-01-02T03:04:05.678Z` for a time since the Unix epoch.
fn iso_utc(since_epoch: std::time::Duration) -> String {
    let secs = since_epoch.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // civil date from days since 1970-01-01 (Howard Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since_epoch.subsec_millis()
    )
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
                Some(name) if !name.contains("{{") => lookup(name.trim(), vars)?,
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

    #[test]
    fn generated_values_are_fresh_typed_and_overridable() {
        let mut vars = Vars::new();
        let a = interpolate("{{$guid}}", &vars).unwrap();
        let b = interpolate("{{ $randomUUID }}", &vars).unwrap();
        assert_eq!(a.len(), 36);
        assert_ne!(a, b, "a fresh value at each use");
        let v = interpolate_json(
            &json!({"n": "{{$randomInt}}", "t": "{{$timestamp}}"}),
            &vars,
        )
        .unwrap();
        assert!(v["n"].as_i64().is_some_and(|n| (0..=1000).contains(&n)));
        assert!(v["t"].as_u64().is_some_and(|t| t > 1_700_000_000));
        let email = interpolate("{{$randomEmail}}", &vars).unwrap();
        assert!(email.contains("@example."), "{email}");
        for name in GENERATED {
            assert!(generated(name).is_some(), "{name}");
        }
        vars.insert("$timestamp".into(), json!(5));
        assert_eq!(interpolate("t={{$timestamp}}", &vars).unwrap(), "t=5");
        let e = interpolate("{{$randomUUDI}}", &vars).unwrap_err();
        assert_eq!(
            e,
            "undefined variable `$randomUUDI` (did you mean `$randomUUID`?)"
        );
    }

    #[test]
    fn iso_timestamps_are_utc_calendar_dates() {
        use std::time::Duration;
        assert_eq!(
            iso_utc(Duration::from_millis(0)),
            "1970-01-01T00:00:00.000Z"
        );
        // 2024-02-29T12:34:56.789Z, a leap day
        assert_eq!(
            iso_utc(Duration::from_millis(1_709_210_096_789)),
            "2024-02-29T12:34:56.789Z"
        );
    }
}
