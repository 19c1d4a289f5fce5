//! How a broker is set up, in plain data with no behaviour of the server's:
//! who may do what (tokens, basic-auth users, roles, what is public) and
//! where webhooks may send. The CLI fills these; `auth` and `webhooks` read
//! them.

use axum::http::HeaderValue;
use base64::Engine;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// What a caller may do; each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Reads, and asking which pacts to verify.
    Read,
    /// Publishing pacts and results, versions, tags, deployments.
    Write,
    /// Webhooks, and deleting pacticipants and environments.
    Admin,
}

/// The broker's credentials. With none configured, everyone is admin (a
/// broker on a developer's machine).
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    pub tokens: Vec<(String, Role)>,
    /// (username, password, role) for basic auth.
    pub users: Vec<(String, String, Role)>,
    /// Reads need no credentials.
    pub public_read: bool,
    /// Badges need no credentials (to show them in a README).
    pub public_badges: bool,
}

impl AuthConfig {
    pub fn enabled(&self) -> bool {
        !self.tokens.is_empty() || !self.users.is_empty()
    }

    /// The role the `Authorization` header proves, if any.
    pub fn role_of(&self, authorization: Option<&HeaderValue>) -> Option<Role> {
        let value = authorization?.to_str().ok()?;
        let (scheme, credentials) = value.split_once(' ')?;
        let credentials = credentials.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            return self
                .tokens
                .iter()
                .filter(|(token, _)| same(token, credentials))
                .map(|(_, role)| *role)
                .max();
        }
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(credentials)
                .ok()?;
            let decoded = String::from_utf8(decoded).ok()?;
            let (user, password) = decoded.split_once(':')?;
            return self
                .users
                .iter()
                .filter(|(u, p, _)| same(u, user) & same(p, password))
                .map(|(_, _, role)| *role)
                .max();
        }
        None
    }
}

/// Compares secrets in time that does not depend on where they differ.
fn same(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// Where webhooks may send and how often they retry.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// URL schemes allowed (`https` by default, as the Pact Broker has it).
    pub schemes: Vec<String>,
    /// Hosts allowed: exact names, or `*.example.com`; empty allows any.
    pub hosts: Vec<String>,
    /// The waits before each retry; attempts are one more than its length.
    pub retry_schedule: Vec<Duration>,
    /// How long one request may take.
    pub timeout: Duration,
    /// Stores a basic-auth password written in plain text, as the Pact
    /// Broker does (shown masked), instead of refusing it for a
    /// `${secret.NAME}` reference. Off by default.
    pub plaintext_passwords: bool,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            schemes: vec!["https".into()],
            hosts: Vec::new(),
            retry_schedule: [10, 60, 120, 300, 600, 1200]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            timeout: Duration::from_secs(10),
            plaintext_passwords: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials() {
        let config = AuthConfig {
            tokens: vec![("r".into(), Role::Read), ("w".into(), Role::Write)],
            users: vec![("u".into(), "p".into(), Role::Write)],
            ..Default::default()
        };
        let h = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(config.role_of(Some(&h("Bearer r"))), Some(Role::Read));
        assert_eq!(config.role_of(Some(&h("bearer w"))), Some(Role::Write));
        assert_eq!(config.role_of(Some(&h("Bearer x"))), None);
        assert_eq!(config.role_of(Some(&h("Basic dTpw"))), Some(Role::Write));
        assert_eq!(config.role_of(Some(&h("Basic dTpx"))), None);
        assert_eq!(config.role_of(None), None);
    }
}
