//! The identities a scan acts as: every user of a Web Fuzzing Commons auth
//! file (fixed headers, API keys, basic, or a login flow), with the `roles`
//! Seamline adds. Each logs in at the start and again when its credentials
//! stop working; when a login fails mid-run the scan stops and says why.

use seam_fuzz::auth::{Credentials, User};
use std::sync::RwLock;

/// One identity and its current credentials.
#[derive(Debug)]
pub struct Identity {
    pub user: User,
    credentials: RwLock<Credentials>,
}

impl Identity {
    pub fn new(user: User) -> Identity {
        Identity {
            user,
            credentials: RwLock::new(Credentials::default()),
        }
    }

    pub fn name(&self) -> &str {
        &self.user.name
    }

    /// The username the identity logs in with, when it has a login.
    pub fn username(&self) -> Option<&str> {
        self.user.login.as_ref()?.username.as_deref()
    }

    /// Whether the auth file gives the identity `role`.
    pub fn has_role(&self, role: &str) -> bool {
        self.user.roles.iter().any(|r| r.eq_ignore_ascii_case(role))
    }

    /// Whether the identity holds a privileged role (admin, superuser, root, owner, staff).
    pub fn is_privileged(&self) -> bool {
        self.user.roles.iter().any(|r| is_privileged_role(r))
    }

    /// What the identity's requests carry now.
    pub fn credentials(&self) -> Credentials {
        self.credentials
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Logs in (or takes the fixed headers) and keeps the credentials.
    pub async fn log_in(&self, client: &reqwest::Client, base_url: &str) -> Result<(), String> {
        let creds = seam_fuzz::auth::log_in(client, base_url, &self.user)
            .await
            .map_err(|e| format!("identity `{}`: {e}", self.user.name))?;
        *self.credentials.write().unwrap_or_else(|e| e.into_inner()) = creds;
        Ok(())
    }

    /// The bearer token the identity sends, if it sends one.
    pub fn bearer(&self) -> Option<String> {
        let creds = self.credentials();
        creds
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .and_then(|(_, v)| {
                let (scheme, token) = v.split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then(|| token.trim().to_string())
            })
    }
}

/// Role names that mean more privilege than a plain user.
pub fn is_privileged_role(role: &str) -> bool {
    let r = role.to_ascii_lowercase();
    [
        "admin",
        "superuser",
        "root",
        "owner",
        "staff",
        "operator",
        "sysadmin",
    ]
    .iter()
    .any(|p| r == *p || r.ends_with(&format!("-{p}")) || r.ends_with(&format!("_{p}")))
}
