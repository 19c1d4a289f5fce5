//! What answers give away, read from every answer the scan receives:
//! secrets by name and by shape (hashes, private keys, cloud keys, card
//! numbers that pass Luhn), properties the response schema does not declare,
//! and stack traces or other internals in error answers.

use regex::Regex;
use seam_openapi::{Operation, Spec};
use serde_json::Value;
use std::sync::OnceLock;

/// Property names that hold secrets (compared lower case, `-`/`_` removed).
const SECRET_NAMES: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "passwordhash",
    "hashedpassword",
    "passwordsalt",
    "clientsecret",
    "apisecret",
    "privatekey",
    "secretkey",
    "ssn",
    "socialsecuritynumber",
    "cvv",
    "cvc",
    "cardnumber",
    "creditcard",
    "creditcardnumber",
    "otpsecret",
    "totpsecret",
    "mfasecret",
    "recoverycodes",
];

/// One secret in an answer: where (`$.user.password_hash`) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secret {
    pub path: String,
    pub what: String,
}

fn patterns() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        [
            (
                r"^\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{20,}",
                "a bcrypt password hash",
            ),
            (r"^\$argon2(id|i|d)\$", "an Argon2 password hash"),
            (
                r"^\$[56]\$[^$]+\$[./A-Za-z0-9]{20,}",
                "a SHA-crypt password hash",
            ),
            (r"^pbkdf2[_:$]", "a PBKDF2 password hash"),
            (r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----", "a private key"),
            (r"\b(AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key id"),
            (r"\bsk_live_[0-9a-zA-Z]{16,}", "a Stripe secret key"),
            (r"\bgh[pousr]_[A-Za-z0-9]{36}\b", "a GitHub token"),
            (r"\bxox[baprs]-[A-Za-z0-9-]{10,}", "a Slack token"),
        ]
        .into_iter()
        .filter_map(|(p, w)| Regex::new(p).ok().map(|r| (r, w)))
        .collect()
    })
}

/// Whether 13 to 19 digits (spaces and dashes allowed) pass the Luhn check
/// and start like a card number (Visa, Mastercard, Amex, Discover, ...).
pub fn is_card_number(text: &str) -> bool {
    let digits: Vec<u32> = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .map(|c| c.to_digit(10))
        .collect::<Option<Vec<u32>>>()
        .unwrap_or_default();
    if !(13..=19).contains(&digits.len()) || !matches!(digits[0], 2..=6) {
        return false;
    }
    if digits.iter().all(|d| *d == digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Secrets in a JSON answer (by property name, and by the shape of values).
pub fn secrets(value: &Value) -> Vec<Secret> {
    let mut out = Vec::new();
    walk(value, "$", &mut out, 0);
    out
}

fn walk(v: &Value, path: &str, out: &mut Vec<Secret>, depth: usize) {
    if depth > 32 || out.len() >= 20 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let at = format!("{path}.{k}");
                let norm: String = k
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric())
                    .collect::<String>()
                    .to_ascii_lowercase();
                let filled = match child {
                    Value::Null => false,
                    Value::String(s) => !s.is_empty(),
                    _ => true,
                };
                if filled && SECRET_NAMES.contains(&norm.as_str()) {
                    out.push(Secret {
                        path: at.clone(),
                        what: format!("a property named `{k}`"),
                    });
                    continue;
                }
                walk(child, &at, out, depth + 1);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate().take(50) {
                walk(item, &format!("{path}[{i}]"), out, depth + 1);
            }
        }
        Value::String(s) => {
            if let Some((_, what)) = patterns().iter().find(|(r, _)| r.is_match(s)) {
                out.push(Secret {
                    path: path.to_string(),
                    what: what.to_string(),
                });
            } else if is_card_number(s) {
                out.push(Secret {
                    path: path.to_string(),
                    what: "a card number (it passes the Luhn check)".into(),
                });
            }
        }
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                if is_card_number(&u.to_string()) {
                    out.push(Secret {
                        path: path.to_string(),
                        what: "a card number (it passes the Luhn check)".into(),
                    });
                }
            }
        }
        _ => {}
    }
}

/// Properties of `value` that its response schema does not declare, as
/// paths (`$.password_hash`, `$[0].card`). Schemas that list no properties,
/// or allow others (`additionalProperties` given), are not judged.
pub fn undeclared(spec: &Spec, op: &Operation, status: u16, value: &Value) -> Vec<String> {
    let Some(schema) = op
        .response_for(status)
        .and_then(|r| {
            r.content
                .iter()
                .find(|m| seam_openapi::conform::carries_json(&m.media_type))
        })
        .and_then(|m| m.schema.as_ref())
        .and_then(|s| spec.schema(s))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    compare(&spec.document, schema, value, "$", &mut out, 0);
    out
}

fn compare(
    doc: &Value,
    schema: &Value,
    value: &Value,
    path: &str,
    out: &mut Vec<String>,
    depth: usize,
) {
    if depth > 16 || out.len() >= 20 {
        return;
    }
    let view = seam_fuzz::mutate::view(doc, schema, Some(value));
    match value {
        Value::Object(m) => {
            let Some(Value::Object(props)) = view.get("properties") else {
                return;
            };
            let open = view.contains_key("additionalProperties")
                && view.get("additionalProperties") != Some(&Value::Bool(false));
            for (k, child) in m {
                let at = format!("{path}.{k}");
                match props.get(k) {
                    Some(s) => compare(doc, s, child, &at, out, depth + 1),
                    None if !open => out.push(at),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = view.get("items") {
                for (i, item) in items.iter().enumerate().take(20) {
                    compare(
                        doc,
                        item_schema,
                        item,
                        &format!("{path}[{i}]"),
                        out,
                        depth + 1,
                    );
                }
            }
        }
        _ => {}
    }
}

/// A stack trace or internals in an answer's text: what kind, and the line.
pub fn verbose_error(body: &str) -> Option<(String, String)> {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    let patterns = P.get_or_init(|| {
        [
            (r"panicked at [^\n]*\.rs:\d+", "a Rust panic"),
            (r"stack backtrace:", "a stack backtrace"),
            (r"Traceback \(most recent call last\)", "a Python traceback"),
            (r"(?m)^\s+at [a-zA-Z_$][\w$]*(\.[\w$<>]+)+\([\w$]+\.java:\d+\)", "a Java stack trace"),
            (r"Exception in thread \S+", "a Java exception"),
            (r"(?m)^\s+at .+\((/|[A-Z]:\\|node:)[^)]+:\d+:\d+\)", "a Node.js stack trace"),
            (r"(?m)^\s+at [\w.<>`]+\(.*\) in .+:line \d+", "a .NET stack trace"),
            (r"goroutine \d+ \[running\]", "a Go panic"),
            (r"(Fatal error|Warning|Parse error): .+ in .+\.php on line \d+", "a PHP error"),
            (r"\b(/home|/usr/src|/app|/var/www|/srv)/[\w./-]+\.(rs|py|rb|php|js|ts|go|java|cs):\d+", "a source file path"),
        ]
        .into_iter()
        .filter_map(|(p, w)| Regex::new(p).ok().map(|r| (r, w)))
        .collect()
    });
    for (r, what) in patterns {
        if let Some(m) = r.find(body) {
            let line = body[..m.end()]
                .rsplit('\n')
                .next()
                .unwrap_or("")
                .trim()
                .chars()
                .take(160)
                .collect();
            return Some((what.to_string(), line));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn card_numbers_pass_luhn_and_ids_do_not() {
        assert!(is_card_number("4111111111111111"));
        assert!(is_card_number("5500 0000 0000 0004"));
        assert!(!is_card_number("4111111111111112"));
        assert!(!is_card_number("1234567890123"));
        assert!(!is_card_number("4444444444444444"));
    }

    #[test]
    fn secrets_are_found_by_name_and_by_shape() {
        let v = json!({"username": "a", "password_hash": "$2b$12$abcdefghijklmnopqrstuvABCDEFGHIJ",
                       "billing": {"card": "4111111111111111"}, "password": null, "id": 4111111111111111u64});
        let found = secrets(&v);
        let paths: Vec<&str> = found.iter().map(|s| s.path.as_str()).collect();
        assert_eq!(paths, vec!["$.password_hash", "$.billing.card", "$.id"]);
        assert!(secrets(&json!({"token": "x", "count": 3, "secret": "the plot"})).is_empty());
    }

    #[test]
    fn traces_are_recognised_and_plain_errors_are_not() {
        let rust = "thread 'main' panicked at src/notes.rs:88:14:\nboom\nstack backtrace:";
        assert_eq!(verbose_error(rust).unwrap().0, "a Rust panic");
        let java = "java.lang.NullPointerException\n\tat com.acme.Notes.get(Notes.java:42)";
        assert_eq!(verbose_error(java).unwrap().0, "a Java stack trace");
        assert!(verbose_error("{\"error\":\"invalid title\"}").is_none());
    }
}
