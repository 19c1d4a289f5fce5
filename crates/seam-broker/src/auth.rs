//! Who may do what: bearer tokens with a role (read, write, admin) and the
//! Pact Broker's two basic-auth users (read-only and read-write), checked
//! by one middleware before any handler runs. Health is always public;
//! reads and badges can be opened to everyone.

use crate::answer::{hal_response, Shared};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use serde_json::json;
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
    fn role_of(&self, authorization: Option<&HeaderValue>) -> Option<Role> {
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

/// The role a request needs.
fn needed(method: &Method, path: &str) -> Option<Role> {
    if path == "/health" || path == "/diagnostic/status/heartbeat" {
        return None;
    }
    let reads = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        // asking which pacts to verify changes nothing
        || (*method == Method::POST && path.ends_with("/for-verification"));
    if path.starts_with("/webhooks") || path.contains("/webhooks") {
        return Some(if reads { Role::Read } else { Role::Admin });
    }
    if reads {
        return Some(Role::Read);
    }
    let deletes_a_root = *method == Method::DELETE
        && (path.matches('/').count() == 2
            && (path.starts_with("/pacticipants/") || path.starts_with("/environments/")));
    Some(if deletes_a_root {
        Role::Admin
    } else {
        Role::Write
    })
}

pub fn is_badge(path: &str) -> bool {
    path.ends_with("/badge") || path.ends_with("/badge.svg")
}

/// The middleware: 401 without valid credentials, 403 with too little.
pub async fn check(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let auth = &state.auth;
    if !auth.enabled() {
        return next.run(req).await;
    }
    let path = req.uri().path();
    let Some(needed) = needed(req.method(), path) else {
        return next.run(req).await;
    };
    let public = (needed == Role::Read && auth.public_read)
        || (auth.public_badges && is_badge(path) && *req.method() == Method::GET);
    if public {
        return next.run(req).await;
    }
    match auth.role_of(req.headers().get(header::AUTHORIZATION)) {
        Some(role) if role >= needed => next.run(req).await,
        Some(role) => refuse(
            StatusCode::FORBIDDEN,
            format!(
                "these credentials are {} and this request needs {}",
                describe(role),
                describe(needed)
            ),
            auth,
        ),
        None => refuse(
            StatusCode::UNAUTHORIZED,
            match req.headers().get(header::AUTHORIZATION) {
                Some(_) => "the credentials given are not valid".to_string(),
                None => {
                    "this broker needs credentials: a bearer token or a basic-auth user".to_string()
                }
            },
            auth,
        ),
    }
}

fn describe(role: Role) -> &'static str {
    match role {
        Role::Read => "read-only",
        Role::Write => "read-write",
        Role::Admin => "admin",
    }
}

fn refuse(status: StatusCode, message: String, auth: &AuthConfig) -> Response {
    let mut response = hal_response(
        status,
        json!({"error": message, "errors": {"authorization": [message]}}),
    );
    if status == StatusCode::UNAUTHORIZED {
        let challenge = if auth.users.is_empty() {
            "Bearer realm=\"seam broker\""
        } else {
            "Basic realm=\"seam broker\""
        };
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(challenge),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_needed() {
        assert_eq!(needed(&Method::GET, "/health"), None);
        assert_eq!(needed(&Method::GET, "/pacticipants"), Some(Role::Read));
        assert_eq!(
            needed(&Method::POST, "/pacts/provider/p/for-verification"),
            Some(Role::Read)
        );
        assert_eq!(
            needed(&Method::POST, "/contracts/publish"),
            Some(Role::Write)
        );
        assert_eq!(
            needed(&Method::DELETE, "/pacticipants/web/versions/1"),
            Some(Role::Write)
        );
        assert_eq!(
            needed(&Method::DELETE, "/pacticipants/web"),
            Some(Role::Admin)
        );
        assert_eq!(needed(&Method::POST, "/webhooks"), Some(Role::Admin));
        assert_eq!(needed(&Method::GET, "/webhooks"), Some(Role::Read));
    }

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
