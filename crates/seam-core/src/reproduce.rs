//! What reports show of a request: a curl command that sends it again, with
//! credentials redacted. Every command builds its "reproduce" line here, so a
//! token never reaches a terminal, a JUnit file or an HTML page by one path
//! while another hides it.
//!
//! Redacted are the values of headers that carry credentials (Authorization,
//! Cookie, API keys, tokens; see [`is_sensitive_header`]) and any declared
//! secret value ([`Redactor`]). The scheme of an Authorization value stays
//! (`Bearer <redacted>`), so the command says what to fill in.

use crate::matching::{Mismatch, Part};

/// What stands in for a redacted value.
pub const REDACTED: &str = "<redacted>";

/// Whether a header's value is a credential: Authorization, Proxy-Authorization,
/// Cookie, Set-Cookie, and names that say key, token, secret, password,
/// session or signature (`X-Api-Key`, `X-Auth-Token`, `X-Amz-Security-Token`).
pub fn is_sensitive_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || [
        "key",
        "token",
        "secret",
        "password",
        "session",
        "signature",
        "credential",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A header value as reports show it: redacted when the header is sensitive
/// (keeping an Authorization scheme such as `Bearer`).
pub fn shown_header_value<'a>(name: &str, value: &'a str) -> std::borrow::Cow<'a, str> {
    if !is_sensitive_header(name) {
        return value.into();
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with("authorization") {
        if let Some((scheme, rest)) = value.split_once(' ') {
            if !rest.trim().is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-')
            {
                return format!("{scheme} {REDACTED}").into();
            }
        }
    }
    REDACTED.into()
}

/// Declared secret values (from environment variables, `--var`, auth helpers),
/// replaced wherever they appear in report text.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    /// A redactor for these values (empty ones are ignored; longer ones are
    /// replaced first, so a secret containing another is hidden whole).
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Redactor { secrets }
    }

    /// Whether there is nothing to hide.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn scrub(&self, text: &str) -> String {
        self.secrets
            .iter()
            .fold(text.to_string(), |acc, s| acc.replace(s.as_str(), REDACTED))
    }

    /// A JSON value with every secret replaced in its strings (keys included).
    pub fn scrub_json(&self, value: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.scrub(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.scrub_json(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.scrub(k), self.scrub_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// Hides the sides of a header mismatch whose header carries a credential.
pub fn redact_mismatch(m: &mut Mismatch) {
    if m.part != Part::Header {
        return;
    }
    if is_sensitive_header(&m.path) {
        for v in [&mut m.expected, &mut m.actual].into_iter().flatten() {
            *v = serde_json::Value::String(REDACTED.into());
        }
        m.reason = REDACTED_REASON.into();
    }
}

const REDACTED_REASON: &str = "the credential differs (values redacted)";

/// What went wrong on the wire: a kind a reader acts on (connection refused,
/// timed out, DNS lookup failed, TLS handshake failed, cannot connect, request
/// failed) and the innermost cause in its own words, not a client library's
/// wrapper ("error sending request for url (...)") that repeats the URL.
pub fn network_failure(e: &(dyn std::error::Error + 'static)) -> (&'static str, String) {
    let mut chain = e.to_string();
    let mut inner = e;
    while let Some(next) = inner.source() {
        chain.push_str(": ");
        chain.push_str(&next.to_string());
        inner = next;
    }
    let lower = chain.to_lowercase();
    let kind = if lower.contains("timed out") || lower.contains("timeout") {
        "timed out"
    } else if lower.contains("dns")
        || lower.contains("failed to lookup")
        || lower.contains("name or service")
    {
        "DNS lookup failed"
    } else if [
        "tls",
        "certificate",
        "handshake",
        "corrupt message",
        "invalidcontenttype",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        "TLS handshake failed"
    } else if lower.contains("refused") {
        "connection refused"
    } else if lower.contains("connect") {
        "cannot connect"
    } else {
        "request failed"
    };
    let cause = inner.to_string();
    let cause = cause
        .rsplit_once(" (os error ")
        .map_or(cause.as_str(), |(head, _)| head)
        .to_string();
    (kind, cause)
}

/// [`network_failure`] as one phrase: the kind, then the cause when it says more.
pub fn network_error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let (kind, cause) = network_failure(e);
    if cause.to_lowercase().contains(kind) {
        kind.to_string()
    } else {
        format!("{kind}: {cause}")
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A curl command that sends a request again: method, full URL, headers (sensitive
/// values redacted; Host and Content-Length left to curl) and the body as text.
pub fn curl<'a>(
    method: &str,
    url: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: Option<&str>,
) -> String {
    let mut cmd = format!("curl -X {method} {}", quote(url));
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("content-length") {
            continue;
        }
        let shown = shown_header_value(name, value);
        cmd.push_str(&format!(" -H {}", quote(&format!("{name}: {shown}"))));
    }
    if let Some(body) = body {
        cmd.push_str(&format!(" --data-binary {}", quote(body)));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_in_curl() {
        let cmd = curl(
            "POST",
            "http://127.0.0.1:1/x?q=1",
            [
                ("Authorization", "Bearer abc.def"),
                ("Cookie", "sid=42"),
                ("X-Api-Key", "k-123"),
                ("Accept", "application/json"),
                ("Host", "h"),
            ],
            Some("it's"),
        );
        assert_eq!(
            cmd,
            "curl -X POST 'http://127.0.0.1:1/x?q=1' -H 'Authorization: Bearer <redacted>' \
             -H 'Cookie: <redacted>' -H 'X-Api-Key: <redacted>' -H 'Accept: application/json' \
             --data-binary 'it'\\''s'"
        );
        assert!(!cmd.contains("abc.def") && !cmd.contains("42") && !cmd.contains("k-123"));
    }

    #[test]
    fn sensitive_names() {
        for n in [
            "authorization",
            "Proxy-Authorization",
            "set-cookie",
            "X-Auth-Token",
            "api-key",
            "X-Client-Secret",
        ] {
            assert!(is_sensitive_header(n), "{n}");
        }
        for n in ["accept", "content-type", "x-request-id", "etag"] {
            assert!(!is_sensitive_header(n), "{n}");
        }
        assert_eq!(shown_header_value("Authorization", "opaque"), REDACTED);
        assert_eq!(
            shown_header_value("Authorization", "Basic dXNlcjpwdw=="),
            "Basic <redacted>"
        );
    }

    #[test]
    fn network_errors_name_the_innermost_cause() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("error sending request for url (http://x/)")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let refused = std::io::Error::from_raw_os_error(111);
        let e = Outer(refused);
        assert_eq!(network_error_text(&e), "connection refused");
    }

    #[test]
    fn secrets_are_scrubbed_longest_first() {
        let r = Redactor::new(["ab".to_string(), "abcd".to_string(), String::new()]);
        assert_eq!(r.scrub("x abcd ab"), "x <redacted> <redacted>");
        assert_eq!(
            r.scrub_json(&serde_json::json!({"t": ["abcd", 1]})),
            serde_json::json!({"t": ["<redacted>", 1]})
        );
        assert!(Redactor::new([String::new()]).is_empty());
    }
}
