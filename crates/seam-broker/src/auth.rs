//! Who may do what: bearer tokens with a role (read, write, admin) and the
//! Pact Broker's two basic-auth users (read-only and read-write), checked
//! by one middleware before any handler runs. Health is always public;
//! reads and badges can be opened to everyone.

use crate::answer::{hal_response, Shared};
pub use crate::config::{AuthConfig, Role};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;

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
}
