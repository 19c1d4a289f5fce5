//! A webhook as a client sends it (the Pact Broker's shape), read
//! strictly: unknown keys and events are 400s with "did you mean", the URL
//! must use an allowed scheme and host, and a credential written in plain
//! text is refused in favour of a `${secret.NAME}` reference. Also renders
//! a template with an event's values and the secrets from the environment.

use super::WebhookConfig;
use crate::answer::{opt_str, ApiError};
use serde_json::{json, Map, Value};

pub const EVENTS: &[&str] = &[
    "contract_published",
    "contract_content_changed",
    "contract_requiring_verification_published",
    "provider_verification_published",
    "provider_verification_succeeded",
    "provider_verification_failed",
];

const KEYS: &[&str] = &[
    "description",
    "consumer",
    "provider",
    "events",
    "request",
    "enabled",
];
/// What a client may send back after reading a webhook: ignored.
const READ_ONLY: &[&str] = &["uuid", "createdAt", "updatedAt", "_links", "_embedded"];
const REQUEST_KEYS: &[&str] = &["method", "url", "headers", "body", "username", "password"];
const METHODS: &[&str] = &["POST", "PUT", "PATCH", "GET", "DELETE"];
/// Headers whose value is a credential: it must come from a secret.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "proxy-authorization", "x-api-key"];

/// The environment variable a `${secret.NAME}` reads.
pub fn secret_variable(name: &str) -> String {
    format!("SEAM_BROKER_SECRET_{name}")
}

#[derive(Debug, Clone)]
pub struct Definition {
    pub description: Option<String>,
    pub consumer: Option<String>,
    pub provider: Option<String>,
    /// Every consumer carrying this label (instead of one by name).
    pub consumer_label: Option<String>,
    /// Every provider carrying this label.
    pub provider_label: Option<String>,
    pub events: Vec<String>,
    /// `{method, url, headers, body, username, password}`
    pub request: Value,
    pub enabled: bool,
}

fn unknown(field: &str, key: &str, known: &[&str]) -> ApiError {
    ApiError::invalid(
        field,
        format!(
            "unknown key '{key}'{}",
            seam_core::source::did_you_mean(key, known.iter().copied())
        ),
    )
}

/// A webhook's consumer or provider: `{"name": ...}` or `{"label": ...}`
/// (every pacticipant with that label), as (name, label).
fn pacticipant_ref(body: &Value, key: &str) -> Result<(Option<String>, Option<String>), ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok((None, None)),
        Some(Value::Object(m)) => {
            for k in m.keys() {
                if k != "name" && k != "label" && k != "_links" {
                    return Err(unknown(key, k, &["name", "label"]));
                }
            }
            let text = |field: &str| match m.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.clone())),
                _ => Err(ApiError::invalid(
                    key,
                    format!("{key}.{field} must be a non-empty string"),
                )),
            };
            match (text("name")?, text("label")?) {
                (Some(_), Some(_)) => Err(ApiError::invalid(
                    key,
                    format!("{key} takes a name or a label, not both"),
                )),
                (None, None) => Err(ApiError::invalid(
                    key,
                    format!("{key} must be like {{\"name\": \"...\"}} or {{\"label\": \"...\"}}"),
                )),
                pair => Ok(pair),
            }
        }
        Some(_) => Err(ApiError::invalid(
            key,
            format!("{key} must be an object like {{\"name\": \"...\"}} or {{\"label\": \"...\"}}"),
        )),
    }
}

impl Definition {
    /// Reads a webhook from a request body; `consumer`/`provider` from the
    /// path (the older API) win over the body's.
    pub fn read(
        body: &Value,
        config: &WebhookConfig,
        consumer: Option<String>,
        provider: Option<String>,
    ) -> Result<Definition, ApiError> {
        let Some(top) = body.as_object() else {
            return Err(ApiError::invalid("body", "a webhook is a JSON object"));
        };
        for key in top.keys() {
            if !KEYS.contains(&key.as_str()) && !READ_ONLY.contains(&key.as_str()) {
                return Err(unknown("body", key, KEYS));
            }
        }
        let mut errors = Vec::new();
        let events: Vec<String> = match body.get("events") {
            Some(Value::Array(list)) if !list.is_empty() => {
                let mut names = Vec::new();
                for e in list {
                    match e.get("name").and_then(Value::as_str) {
                        Some(n) if EVENTS.contains(&n) => names.push(n.to_string()),
                        Some(n) => errors.push((
                            "events".to_string(),
                            format!(
                                "unknown event '{n}'{}; events are {}",
                                seam_core::source::did_you_mean(n, EVENTS.iter().copied()),
                                EVENTS.join(", ")
                            ),
                        )),
                        None => errors.push((
                            "events".to_string(),
                            "each event is an object like {\"name\": \"contract_published\"}"
                                .to_string(),
                        )),
                    }
                }
                names
            }
            _ => {
                errors.push((
                    "events".into(),
                    format!(
                        "events must list at least one event, like [{{\"name\": \"contract_content_changed\"}}]; events are {}",
                        EVENTS.join(", ")
                    ),
                ));
                Vec::new()
            }
        };
        let request = match body.get("request") {
            Some(Value::Object(r)) => match read_request(r, config) {
                Ok(v) => v,
                Err(mut e) => {
                    errors.append(&mut e);
                    Value::Null
                }
            },
            _ => {
                errors.push((
                    "request".into(),
                    "request is missing: {\"method\": \"POST\", \"url\": \"https://...\"}".into(),
                ));
                Value::Null
            }
        };
        let enabled = match body.get("enabled") {
            None | Some(Value::Null) => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                errors.push(("enabled".into(), "enabled must be true or false".into()));
                true
            }
        };
        let description = opt_str(body, "description")?.map(str::to_string);
        let (consumer, consumer_label) = match consumer {
            Some(c) => (Some(c), None),
            None => pacticipant_ref(body, "consumer")?,
        };
        let (provider, provider_label) = match provider {
            Some(p) => (Some(p), None),
            None => pacticipant_ref(body, "provider")?,
        };
        if !errors.is_empty() {
            return Err(ApiError::Invalid(errors));
        }
        Ok(Definition {
            description,
            consumer,
            provider,
            consumer_label,
            provider_label,
            events,
            request,
            enabled,
        })
    }
}

fn read_request(
    r: &Map<String, Value>,
    config: &WebhookConfig,
) -> Result<Value, Vec<(String, String)>> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: String| errors.push((format!("request.{field}"), message));
    for key in r.keys() {
        if !REQUEST_KEYS.contains(&key.as_str()) {
            err(
                key,
                format!(
                    "unknown key '{key}'{}",
                    seam_core::source::did_you_mean(key, REQUEST_KEYS.iter().copied())
                ),
            );
        }
    }
    let method = r
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        err(
            "method",
            format!("method must be one of {}", METHODS.join(", ")),
        );
    }
    match r.get("url").and_then(Value::as_str) {
        Some(url) => {
            if let Err(message) = check_url(url, config) {
                err("url", message);
            }
        }
        None => err("url", "url is missing".into()),
    }
    if let Some(headers) = r.get("headers") {
        match headers.as_object() {
            Some(h) => {
                for (name, value) in h {
                    match value.as_str() {
                        Some(v) => {
                            if CREDENTIAL_HEADERS.contains(&name.to_ascii_lowercase().as_str())
                                && !v.contains("${secret.")
                            {
                                err(
                                    "headers",
                                    format!("the {name} header is a credential written in plain text; store it as a secret instead: set SEAM_BROKER_SECRET_NAME in the broker's environment and write \"{name}\": \"Bearer ${{secret.NAME}}\""),
                                );
                            }
                        }
                        None => err(
                            "headers",
                            format!("the {name} header's value must be a string"),
                        ),
                    }
                }
            }
            None => err(
                "headers",
                "headers must be an object of names to values".into(),
            ),
        }
    }
    for key in ["username", "password"] {
        if let Some(v) = r.get(key) {
            if !v.is_string() {
                err(key, format!("{key} must be a string"));
            }
        }
    }
    if let Some(password) = r.get("password").and_then(Value::as_str) {
        if !password.contains("${secret.") && !config.plaintext_passwords {
            err(
                "password",
                "a password written in plain text is not stored; set SEAM_BROKER_SECRET_NAME in the broker's environment and write \"password\": \"${secret.NAME}\"".into(),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut request = json!({"method": method, "url": r["url"]});
    for key in ["headers", "body", "username", "password"] {
        if let Some(v) = r.get(key) {
            request[key] = v.clone();
        }
    }
    Ok(request)
}

/// Whether a URL template may be sent to: its scheme and host (with the
/// templates filled by placeholders) are in the allowed lists.
pub fn check_url(template: &str, config: &WebhookConfig) -> Result<(), String> {
    let sample = render(template, &Map::new(), Secrets::Placeholder)
        .unwrap_or_else(|_| template.to_string());
    let url =
        reqwest::Url::parse(&sample).map_err(|e| format!("'{template}' is not a URL: {e}"))?;
    if !config.schemes.iter().any(|s| s == url.scheme()) {
        return Err(format!(
            "the scheme {} is not allowed for webhooks (allowed: {}; the broker's --webhook-schemes sets them)",
            url.scheme(),
            config.schemes.join(", ")
        ));
    }
    let host = url.host_str().unwrap_or_default();
    let allowed = config.hosts.is_empty()
        || config.hosts.iter().any(|h| match h.strip_prefix("*.") {
            Some(suffix) => host.ends_with(&format!(".{suffix}")),
            None => h.eq_ignore_ascii_case(host),
        });
    if !allowed {
        return Err(format!(
            "the host {host} is not allowed for webhooks (allowed: {}; the broker's --webhook-hosts sets them)",
            config.hosts.join(", ")
        ));
    }
    Ok(())
}

/// How `${secret.NAME}` is filled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Secrets {
    /// from the broker's environment (to send)
    Environment,
    /// as `********` (to log or show)
    Masked,
    /// as `x` (to check a URL's shape)
    Placeholder,
}

/// Fills `${pactbroker.X}` from `context` (unknown names stay as written,
/// as in the Pact Broker) and `${secret.NAME}` as `secrets` says; a secret
/// missing from the environment is an error naming its variable.
pub fn render(
    template: &str,
    context: &Map<String, Value>,
    secrets: Secrets,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let name = &after[..end];
        if let Some(secret) = name.strip_prefix("secret.") {
            match secrets {
                Secrets::Masked => out.push_str("********"),
                Secrets::Placeholder => out.push('x'),
                Secrets::Environment => {
                    let variable = secret_variable(secret);
                    match std::env::var(&variable) {
                        Ok(v) => out.push_str(&v),
                        Err(_) => {
                            return Err(format!(
                                "the secret {secret} is not set: the broker's environment has no {variable}"
                            ))
                        }
                    }
                }
            }
        } else if let Some(v) = context.get(name).and_then(Value::as_str) {
            out.push_str(v);
        } else if secrets == Secrets::Placeholder {
            out.push('x');
        } else {
            out.push_str(&rest[start..start + 3 + end]);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Renders every string inside a JSON body.
pub fn render_json(
    v: &Value,
    context: &Map<String, Value>,
    secrets: Secrets,
) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(render(s, context, secrets)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|i| render_json(i, context, secrets))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, i) in m {
                out.insert(k.clone(), render_json(i, context, secrets)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> WebhookConfig {
        WebhookConfig {
            schemes: vec!["https".into()],
            hosts: vec!["ci.example.com".into(), "*.slack.com".into()],
            ..WebhookConfig::default()
        }
    }

    #[test]
    fn templates_fill_values_and_secrets() {
        let mut c = Map::new();
        c.insert("pactbroker.consumerName".into(), json!("web"));
        std::env::set_var("SEAM_BROKER_SECRET_TEST_ONE", "s3cret");
        let t = "to ${pactbroker.consumerName} with ${secret.TEST_ONE} and ${pactbroker.other}";
        assert_eq!(
            render(t, &c, Secrets::Environment).unwrap(),
            "to web with s3cret and ${pactbroker.other}"
        );
        assert_eq!(
            render(t, &c, Secrets::Masked).unwrap(),
            "to web with ******** and ${pactbroker.other}"
        );
        let e = render("${secret.NOT_SET_ANYWHERE}", &c, Secrets::Environment).unwrap_err();
        assert!(e.contains("SEAM_BROKER_SECRET_NOT_SET_ANYWHERE"), "{e}");
    }

    #[test]
    fn a_webhook_is_read_strictly() {
        let read = |body: Value| Definition::read(&body, &config(), None, None);
        let ok = read(json!({
            "events": [{"name": "contract_content_changed"}],
            "request": {"method": "post", "url": "https://ci.example.com/build?pact=${pactbroker.pactUrl}",
                        "headers": {"Authorization": "Bearer ${secret.CI}"}},
            "consumer": {"name": "web"}
        }))
        .unwrap();
        assert_eq!(ok.request["method"], "POST");
        assert_eq!(ok.consumer.as_deref(), Some("web"));
        let message = |body: Value| match read(body) {
            Err(ApiError::Invalid(e)) => e
                .into_iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .collect::<Vec<_>>()
                .join("\n"),
            other => panic!("{other:?}"),
        };
        let m = message(
            json!({"events": [{"name": "contract_publised"}], "request": {"method": "POST", "url": "https://ci.example.com"}}),
        );
        assert!(m.contains("did you mean `contract_published`"), "{m}");
        let m = message(
            json!({"events": [{"name": "contract_published"}], "request": {"method": "POST", "url": "http://ci.example.com"}}),
        );
        assert!(m.contains("scheme http is not allowed"), "{m}");
        let m = message(
            json!({"events": [{"name": "contract_published"}], "request": {"method": "POST", "url": "https://evil.example.org"}}),
        );
        assert!(m.contains("host evil.example.org is not allowed"), "{m}");
        assert!(read(json!({"events": [{"name": "contract_published"}], "request": {"method": "POST", "url": "https://hooks.slack.com/x"}})).is_ok());
        let m = message(
            json!({"events": [{"name": "contract_published"}], "request": {"method": "POST", "url": "https://ci.example.com", "password": "hunter2"}}),
        );
        assert!(m.contains("plain text"), "{m}");
        let m = message(
            json!({"events": [{"name": "contract_published"}], "request": {"method": "POST", "url": "https://ci.example.com", "headers": {"authorization": "Bearer abc"}}}),
        );
        assert!(m.contains("${secret.NAME}"), "{m}");
        let m = message(json!({"event": [], "request": {}}));
        assert!(m.contains("did you mean `events`"), "{m}");
    }
}
