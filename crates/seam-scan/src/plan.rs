//! What a scan will probe, worked out from the spec and the identities before
//! anything is sent: the login operation, secured operations, resources
//! (create, read, write, delete by id), admin-only operations, writes that
//! could take privileged properties, injectable slots, pattern-validated
//! strings, paging parameters, and the operations left out as destructive.
//! `--dry-run` prints it; the run follows it.

use crate::check::Check;
use crate::identity::Identity;
use seam_fuzz::auth::touches_credentials;
use seam_openapi::model::{ParamLocation, SecurityKind};
use seam_openapi::{Operation, Spec};
use serde_json::{json, Map, Value};

/// Where a slot's value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Param(ParamLocation),
    /// A top-level property of a JSON object body.
    Body,
}

/// One string value of one operation that probes can replace.
#[derive(Debug, Clone)]
pub struct Slot {
    pub op: usize,
    pub place: Place,
    pub name: String,
    /// The merged schema (`$ref`s, `allOf` folded).
    pub schema: Map<String, Value>,
}

impl Slot {
    /// `query parameter \`search\``, `body property \`title\``.
    pub fn label(&self) -> String {
        match self.place {
            Place::Param(l) => format!("{} parameter `{}`", l.as_str(), self.name),
            Place::Body => format!("body property `{}`", self.name),
        }
    }

    pub fn pattern(&self) -> Option<&str> {
        self.schema.get("pattern").and_then(Value::as_str)
    }

    /// Whether the slot takes a URL (by format or by name).
    pub fn takes_url(&self) -> bool {
        let format = self.schema.get("format").and_then(Value::as_str);
        let name = self.name.to_ascii_lowercase();
        matches!(format, Some("uri" | "url" | "iri" | "uri-reference"))
            || [
                "url", "uri", "callback", "webhook", "link", "href", "image", "avatar", "redirect",
                "endpoint", "target", "feed", "src",
            ]
            .iter()
            .any(|w| name.contains(w))
    }

    /// Whether the slot names a file or path.
    pub fn takes_path(&self) -> bool {
        let name = self.name.to_ascii_lowercase();
        self.place == Place::Param(ParamLocation::Path)
            || [
                "file",
                "path",
                "name",
                "doc",
                "template",
                "page",
                "dir",
                "folder",
                "img",
                "download",
                "attachment",
                "include",
                "lang",
            ]
            .iter()
            .any(|w| name.contains(w))
    }
}

/// Objects reached by id: `POST /notes` creates, `GET|PUT|PATCH|DELETE
/// /notes/{id}` act on one.
#[derive(Debug, Clone)]
pub struct Resource {
    pub collection: String,
    pub param: String,
    pub create: Option<usize>,
    pub list: Option<usize>,
    pub read: Option<usize>,
    pub writes: Vec<usize>,
    pub delete: Option<usize>,
}

/// The scan's targets.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Operations in the order they are probed (reads, then writes).
    pub operations: Vec<usize>,
    pub login: Option<usize>,
    /// Operations whose spec asks for credentials.
    pub secured: Vec<usize>,
    /// Operations secured by an API key in a header: (operation, header).
    pub header_keys: Vec<(usize, String)>,
    pub resources: Vec<Resource>,
    /// Operations for a role (operation, role).
    pub role_only: Vec<(usize, String)>,
    /// Creates and updates with a JSON object body: (operation, properties
    /// to set, with the values sent).
    pub writes: Vec<(usize, Vec<(String, Value)>)>,
    pub slots: Vec<Slot>,
    /// Paging parameters: (operation, name, declared maximum).
    pub paging: Vec<(usize, String, Option<i64>)>,
    /// Operations taking a JSON body.
    pub bodies: Vec<usize>,
    /// Operations not sent, and why.
    pub skipped: Vec<(usize, String)>,
    /// The operation that registers an account (a POST taking the login's
    /// username and password fields).
    pub register: Option<usize>,
    /// Operations that change an account's password or delete it, reached
    /// by a path parameter naming the account: (operation, parameter). They
    /// are probed against a throwaway account the scan registers.
    pub accounts: Vec<(usize, String)>,
    /// Password-reset requests (`/forgot-password`, `/password-reset`) and the
    /// body property naming the account: (operation, property). They are
    /// probed with a throwaway account and an unknown one.
    pub resets: Vec<(usize, String)>,
    /// Operations that take a token and an API key in a header together:
    /// (operation, header).
    pub key_pairs: Vec<(usize, String)>,
    /// Operations whose spec says they are rate limited (a 429 answer,
    /// rate-limit headers, `x-rate-limit`).
    pub rate_limited: Vec<usize>,
}

/// Whether an operation deletes, touches credentials, or (by its name)
/// resets or re-creates data (`/createdb`, `/reset`, `/seed`...).
pub fn is_destructive(op: &Operation) -> bool {
    let text =
        format!("{} {}", op.path, op.operation_id.as_deref().unwrap_or("")).to_ascii_lowercase();
    let words = [
        "createdb",
        "resetdb",
        "initdb",
        "dropdb",
        "reset",
        "reinit",
        "seed",
        "purge",
        "flush",
        "wipe",
        "truncate",
        "restore",
        "factory-reset",
    ];
    op.method == "DELETE"
        || touches_credentials(&op.method, &op.path, op.operation_id.as_deref())
        || text
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .any(|w| words.contains(&w))
}

/// Privileged properties clients should never set, with the value sent.
fn privileged_properties() -> Vec<(String, Value)> {
    [
        ("role", json!("admin")),
        ("roles", json!(["admin"])),
        ("isAdmin", json!(true)),
        ("is_admin", json!(true)),
        ("admin", json!(true)),
        ("verified", json!(true)),
        ("balance", json!(1_000_000)),
        ("credits", json!(1_000_000)),
        ("permissions", json!(["*"])),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

impl Plan {
    pub fn new(
        spec: &Spec,
        selected: &[usize],
        identities: &[Identity],
        allow_destructive: bool,
    ) -> Plan {
        let mut plan = Plan::default();
        let doc = &spec.document;
        let login_target = identities
            .iter()
            .find_map(|i| i.user.login.as_ref())
            .map(|l| (l.method.clone(), l.target.clone()));
        let login_fields = identities
            .iter()
            .find_map(|i| i.user.login.as_ref()?.fields.clone());
        for &i in selected {
            let op = &spec.operations[i];
            if let Some((m, t)) = &login_target {
                if &op.method == m && (op.path == *t || t.ends_with(&op.path)) {
                    plan.login = Some(i);
                }
            }
            if let Some(param) = account_param(op) {
                plan.accounts.push((i, param));
            }
            if let Some(field) = reset_field(spec, op) {
                plan.resets.push((i, field));
            }
            if is_destructive(op) && !allow_destructive {
                let why = if op.method == "DELETE" {
                    "it deletes; only objects the scan created itself are deleted (--allow-destructive for the rest)"
                } else if touches_credentials(&op.method, &op.path, op.operation_id.as_deref()) {
                    "it changes credentials (--allow-destructive to include it)"
                } else {
                    "by its name it resets or re-creates data (--allow-destructive to include it)"
                };
                plan.skipped.push((i, why.to_string()));
                continue;
            }
            plan.operations.push(i);
        }
        // reads first, writes after, deletes and credential changes last
        plan.operations.sort_by_key(|&i| {
            let op = &spec.operations[i];
            match op.method.as_str() {
                _ if is_destructive(op) => 2,
                "GET" | "HEAD" | "OPTIONS" => 0,
                _ => 1,
            }
        });
        for &i in &plan.operations.clone() {
            let op = &spec.operations[i];
            if !op.is_public() {
                plan.secured.push(i);
                for req in &op.security {
                    for (name, _) in &req.schemes {
                        if let Some(SecurityKind::ApiKey {
                            name: header,
                            location: ParamLocation::Header,
                        }) = spec.security_scheme(name).map(|s| &s.kind)
                        {
                            if !plan.header_keys.iter().any(|(o, _)| *o == i) {
                                plan.header_keys.push((i, header.clone()));
                            }
                        }
                    }
                }
            }
            if let Some(role) = role_of(spec, op) {
                plan.role_only.push((i, role));
            }
            for p in &op.parameters {
                let Some(schema) = p.schema.as_ref().and_then(|s| spec.schema(s)) else {
                    continue;
                };
                let view = seam_fuzz::mutate::view(doc, schema, None);
                let ty = view.get("type").and_then(Value::as_str);
                let lower = p.name.to_ascii_lowercase();
                if p.location == ParamLocation::Query
                    && ty == Some("integer")
                    && [
                        "limit",
                        "size",
                        "per_page",
                        "perpage",
                        "page_size",
                        "pagesize",
                        "count",
                        "top",
                        "max",
                        "maxresults",
                        "first",
                        "take",
                        "pagelimit",
                    ]
                    .contains(&lower.as_str())
                {
                    let max = view.get("maximum").and_then(Value::as_i64);
                    plan.paging.push((i, p.name.clone(), max));
                }
                let is_auth_header = p.location == ParamLocation::Header
                    && ["authorization", "content-type", "accept"].contains(&lower.as_str());
                if (ty == Some("string") || ty.is_none())
                    && !view.contains_key("enum")
                    && !is_auth_header
                {
                    plan.slots.push(Slot {
                        op: i,
                        place: Place::Param(p.location),
                        name: p.name.clone(),
                        schema: view,
                    });
                }
            }
            let Some(media) = seam_fuzz::cases::body_media(op) else {
                continue;
            };
            if !seam_openapi::conform::carries_json(&media.media_type) {
                continue;
            }
            plan.bodies.push(i);
            let Some(schema) = media.schema.as_ref().and_then(|s| spec.schema(s)) else {
                continue;
            };
            let view = seam_fuzz::mutate::view(doc, schema, None);
            let Some(Value::Object(props)) = view.get("properties") else {
                continue;
            };
            let mut privileged = Vec::new();
            for (name, prop) in props {
                let pv = seam_fuzz::mutate::view(doc, prop, None);
                let ty = pv.get("type").and_then(Value::as_str);
                if pv.get("readOnly") == Some(&Value::Bool(true)) {
                    privileged.push((name.clone(), read_only_value(&pv)));
                    continue;
                }
                if ty == Some("string") && !pv.contains_key("enum") {
                    plan.slots.push(Slot {
                        op: i,
                        place: Place::Body,
                        name: name.clone(),
                        schema: pv,
                    });
                }
            }
            if ["POST", "PUT", "PATCH"].contains(&op.method.as_str()) && Some(i) != plan.login {
                for (k, v) in privileged_properties() {
                    if !privileged.iter().any(|(n, _)| *n == k)
                        && !props
                            .get(&k)
                            .map(|p| seam_fuzz::mutate::view(doc, p, None))
                            .is_some_and(|pv| pv.get("readOnly") != Some(&Value::Bool(true)))
                    {
                        privileged.push((k, v));
                    }
                }
                plan.writes.push((i, privileged));
            }
        }
        plan.resources = resources(spec, selected);
        if let Some((user_field, password_field)) = &login_fields {
            plan.register = selected.iter().copied().find(|&i| {
                let op = &spec.operations[i];
                op.method == "POST"
                    && Some(i) != plan.login
                    && !is_destructive(op)
                    && body_properties(spec, op).is_some_and(|p| {
                        p.contains_key(user_field) && p.contains_key(password_field)
                    })
            });
        }
        for &i in &plan.operations {
            let op = &spec.operations[i];
            if let Some(header) = token_and_key(spec, op) {
                plan.key_pairs.push((i, header));
            }
            if declares_rate_limit(spec, op) && Some(i) != plan.login {
                plan.rate_limited.push(i);
            }
        }
        if plan.register.is_some() {
            for (i, why) in &mut plan.skipped {
                if plan
                    .accounts
                    .iter()
                    .chain(&plan.resets)
                    .any(|(a, _)| a == i)
                {
                    why.push_str("; probed only against a throwaway account the scan registers");
                }
            }
        }
        plan
    }

    /// What `--dry-run` prints: (check, operation, what is sent).
    pub fn describe(&self, spec: &Spec, identities: &[Identity]) -> Vec<(Check, String, String)> {
        let label = |i: usize| spec.operations[i].label();
        let mut out = Vec::new();
        let others = identities.len().saturating_sub(1);
        for &i in &self.secured {
            out.push((
                Check::AuthMissing,
                label(i),
                "sent with no credentials".into(),
            ));
            out.push((
                Check::AuthInvalidToken,
                label(i),
                "sent with an empty, garbage and malformed token, the wrong scheme, a wrong API key".into(),
            ));
        }
        for (i, header) in &self.header_keys {
            out.push((
                Check::ApiKeyWrongPlace,
                label(*i),
                format!("the `{header}` key sent in the query instead"),
            ));
        }
        if let Some(&target) = self.secured.first() {
            for (check, what) in [
                (
                    Check::JwtAlgNone,
                    "the identity's JWT re-encoded with alg none/None/NONE/nOnE",
                ),
                (
                    Check::JwtSignatureNotVerified,
                    "the identity's JWT with its signature stripped, and altered",
                ),
                (
                    Check::JwtWeakKey,
                    "an HMAC-signed JWT checked offline against common secrets",
                ),
                (
                    Check::JwtKeyConfusion,
                    "a JWT signed HS256 with each published public key as the secret",
                ),
                (
                    Check::JwtKidInjection,
                    "JWTs whose kid is /dev/null by traversal, and an SQL injection",
                ),
                (
                    Check::JwtExpiredAccepted,
                    "with the key given or cracked: exp an hour ago",
                ),
                (
                    Check::JwtNoExpiryAccepted,
                    "with the key given or cracked: no exp",
                ),
                (
                    Check::JwtNbfIgnored,
                    "with the key given or cracked: nbf an hour ahead",
                ),
                (
                    Check::JwtAudienceIgnored,
                    "with the key given or cracked: another aud",
                ),
                (
                    Check::JwtIssuerIgnored,
                    "with the key given or cracked: another iss",
                ),
            ] {
                out.push((
                    check,
                    label(target),
                    format!("if the identity's token is a JWT: {what}"),
                ));
            }
        }
        for r in &self.resources {
            let by = if others > 0 {
                "by a second identity"
            } else {
                "(needs a second identity)"
            };
            if let Some(i) = r.read {
                out.push((
                    Check::BolaRead,
                    label(i),
                    format!("an object another identity created, read {by}"),
                ));
            }
            for &i in &r.writes {
                out.push((
                    Check::BolaWrite,
                    label(i),
                    format!("an object another identity created, changed {by}, read back"),
                ));
            }
            if let Some(i) = r.delete {
                out.push((
                    Check::BolaDelete,
                    label(i),
                    format!("an object the scan created, deleted {by}, looked for again"),
                ));
            }
        }
        if let Some(register) = self.register {
            for (i, param) in &self.accounts {
                let op = &spec.operations[*i];
                let (check, what) = match (role_of(spec, op), op.method == "DELETE") {
                    (Some(_), true) => (Check::Bfla, "deleted"),
                    (Some(_), false) => (Check::Bfla, "given a new password"),
                    (None, true) => (Check::BolaDelete, "deleted"),
                    (None, false) => (Check::BolaWrite, "given a new password"),
                };
                out.push((
                    check,
                    label(*i),
                    format!(
                        "a throwaway account registered by {}, named by `{{{param}}}`, {what} by a second throwaway account, then logged in as",
                        label(register),
                    ),
                ));
            }
        }
        for (i, field) in self.resets.iter().filter(|_| self.register.is_some()) {
            out.push((
                Check::UserEnumeration,
                label(*i),
                format!(
                    "`{field}` of a throwaway account the scan registered, and of an unknown one"
                ),
            ));
        }
        for (i, header) in &self.key_pairs {
            out.push((
                Check::ApiKeyNotBound,
                label(*i),
                format!("the first identity's token with another identity's `{header}`"),
            ));
        }
        for &i in &self.rate_limited {
            out.push((
                Check::NoRateLimit,
                label(i),
                "a burst of valid requests; a 429 with Retry-After expected".into(),
            ));
        }
        for (i, role) in &self.role_only {
            out.push((
                Check::Bfla,
                label(*i),
                format!("called by each identity without the `{role}` role; undeclared methods on its path too"),
            ));
            out.push((
                Check::JwtClaimEscalation,
                label(*i),
                "with the key given or cracked: a low identity's JWT with its role raised".into(),
            ));
        }
        for (i, props) in &self.writes {
            let names: Vec<&str> = props.iter().map(|(n, _)| n.as_str()).collect();
            out.push((
                Check::MassAssignment,
                label(*i),
                format!("sent with {}, read back", names.join(", ")),
            ));
        }
        for s in &self.slots {
            let op = label(s.op);
            out.push((
                Check::SqlInjection,
                op.clone(),
                format!("{}: quotes, true/false pairs, sleeps", s.label()),
            ));
            out.push((
                Check::CommandInjection,
                op.clone(),
                format!("{}: $(echo), ;sleep", s.label()),
            ));
            if s.place == Place::Body || s.place == Place::Param(ParamLocation::Query) {
                out.push((
                    Check::NosqlInjection,
                    op.clone(),
                    format!(
                        "{}: $ne/$gt operators where a wrong value is refused",
                        s.label()
                    ),
                ));
            }
            if s.takes_path() && s.place != Place::Body {
                out.push((
                    Check::PathTraversal,
                    op.clone(),
                    format!("{}: ../ towards /etc/passwd", s.label()),
                ));
            }
            if s.takes_url() {
                out.push((
                    Check::Ssrf,
                    op.clone(),
                    format!("{}: the URL of seam's loopback listener", s.label()),
                ));
            }
            if matches!(
                s.place,
                Place::Param(ParamLocation::Query | ParamLocation::Header)
            ) {
                out.push((
                    Check::HeaderInjection,
                    op.clone(),
                    format!("{}: CR LF and a header", s.label()),
                ));
            }
            if let Some(p) = s.pattern() {
                out.push((
                    Check::Redos,
                    op,
                    format!("{}: near-matches of `{p}` at growing lengths", s.label()),
                ));
            }
        }
        for (i, name, max) in &self.paging {
            let value = max.map(|m| m.saturating_mul(10)).unwrap_or(1_000_000);
            out.push((Check::UnboundedPage, label(*i), format!("`{name}={value}`")));
        }
        for &i in &self.bodies {
            out.push((
                Check::UnboundedPayload,
                label(i),
                "a 16 MB JSON body".into(),
            ));
            out.push((
                Check::VerboseError,
                label(i),
                "a malformed JSON body".into(),
            ));
        }
        if let Some(i) = self.login {
            out.push((
                Check::UserEnumeration,
                label(i),
                "a known user with a wrong password, and an unknown user".into(),
            ));
            out.push((
                Check::LoginNoRateLimit,
                label(i),
                "a burst of failed logins for a made-up user".into(),
            ));
            out.push((
                Check::NosqlInjection,
                label(i),
                "the password as {\"$ne\": null}".into(),
            ));
        }
        out.push((
            Check::CorsAnyOrigin,
            "*".into(),
            "an authenticated request and a preflight from https://evil.seam.test".into(),
        ));
        out.push((
            Check::DebugEndpoint,
            "*".into(),
            "well-known debug paths the spec does not declare".into(),
        ));
        out.push((
            Check::TraceEnabled,
            "*".into(),
            "TRACE with a marker header".into(),
        ));
        out.push((
            Check::SecurityHeaders,
            "*".into(),
            "read from every authenticated answer".into(),
        ));
        out.push((
            Check::SensitiveData,
            "*".into(),
            "read from every answer".into(),
        ));
        out.push((
            Check::UndeclaredField,
            "*".into(),
            "read from every answer".into(),
        ));
        out
    }
}

/// The properties of an operation's JSON body schema.
fn body_properties(spec: &Spec, op: &Operation) -> Option<Map<String, Value>> {
    let media = seam_fuzz::cases::body_media(op)?;
    let schema = media.schema.as_ref().and_then(|s| spec.schema(s))?;
    let view = seam_fuzz::mutate::view(&spec.document, schema, None);
    match view.get("properties") {
        Some(Value::Object(props)) => Some(props.clone()),
        _ => None,
    }
}

/// For an operation that changes an account's password or deletes an
/// account: the path parameter that names the account
/// (`/users/{username}/password`, `DELETE /accounts/{id}`).
fn account_param(op: &Operation) -> Option<String> {
    let changes_password = ["password", "passwd"]
        .iter()
        .any(|w| op.path.to_ascii_lowercase().contains(w))
        && ["PUT", "PATCH", "POST"].contains(&op.method.as_str());
    let segments: Vec<&str> = op.path.split('/').collect();
    // `DELETE /users/{id}`, `/accounts/v1/{name}`: an account word before
    // the last parameter, with only version segments between
    let deletes_account = op.method == "DELETE"
        && segments.last().is_some_and(|s| s.starts_with('{'))
        && segments[..segments.len() - 1]
            .iter()
            .rev()
            .find(|s| !is_version(s))
            .is_some_and(|s| is_account_word(s));
    if !changes_password && !deletes_account {
        return None;
    }
    // the parameter right after an account word, else one named like one
    let mut after_word = None;
    for pair in segments.windows(2) {
        if is_account_word(pair[0]) {
            if let Some(p) = pair[1].strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                after_word = Some(p.to_string());
            }
        }
    }
    after_word.or_else(|| {
        op.parameters
            .iter()
            .filter(|p| p.location == ParamLocation::Path)
            .find(|p| {
                let n = p.name.to_ascii_lowercase();
                n.contains("user") || n.contains("account") || n.contains("login")
            })
            .map(|p| p.name.clone())
    })
}

/// For a password-reset request (`forgot`, `reset` or `recover` in its path
/// or operationId, a JSON body): the body property naming the account, an
/// e-mail address first.
fn reset_field(spec: &Spec, op: &Operation) -> Option<String> {
    let text =
        format!("{} {}", op.path, op.operation_id.as_deref().unwrap_or("")).to_ascii_lowercase();
    if !["forgot", "reset", "recover"]
        .iter()
        .any(|w| text.contains(w))
        || !["POST", "PUT"].contains(&op.method.as_str())
    {
        return None;
    }
    let props = body_properties(spec, op)?;
    let names: Vec<&String> = props.keys().collect();
    names
        .iter()
        .find(|n| n.to_ascii_lowercase().contains("mail"))
        .or_else(|| {
            names.iter().find(|n| {
                let n = n.to_ascii_lowercase();
                n.contains("user") || n.contains("login")
            })
        })
        .map(|n| n.to_string())
}

/// `v1`, `v2`, `api`: path segments that only say which version.
fn is_version(segment: &str) -> bool {
    let s = segment.to_ascii_lowercase();
    s == "api"
        || s.strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// `users`, `account`, `members`, `profiles`... (a path segment).
fn is_account_word(segment: &str) -> bool {
    let s = segment.to_ascii_lowercase();
    [
        "user", "users", "account", "accounts", "member", "members", "profile", "profiles",
    ]
    .contains(&s.as_str())
}

/// The header of an API key an operation requires together with a token
/// (one security requirement naming both).
fn token_and_key(spec: &Spec, op: &Operation) -> Option<String> {
    op.security.iter().find_map(|req| {
        let kinds: Vec<&SecurityKind> = req
            .schemes
            .iter()
            .filter_map(|(name, _)| spec.security_scheme(name).map(|s| &s.kind))
            .collect();
        let token = kinds.iter().any(|k| {
            matches!(
                k,
                SecurityKind::Http { .. }
                    | SecurityKind::OAuth2 { .. }
                    | SecurityKind::OpenIdConnect { .. }
            )
        });
        let header = kinds.iter().find_map(|k| match k {
            SecurityKind::ApiKey {
                name,
                location: ParamLocation::Header,
            } => Some(name.clone()),
            _ => None,
        });
        header.filter(|_| token)
    })
}

/// Whether the spec says an operation is rate limited: a 429 answer,
/// rate-limit response headers, or an `x-rate-limit` extension.
fn declares_rate_limit(spec: &Spec, op: &Operation) -> bool {
    let raw = spec.document.pointer(&op.pointer.replacen('#', "", 1));
    let extension = raw.and_then(Value::as_object).is_some_and(|o| {
        o.keys()
            .any(|k| k.to_ascii_lowercase().starts_with("x-rate"))
    });
    extension
        || op.responses.iter().any(|r| {
            r.status == seam_openapi::model::StatusKey::Code(429)
                || r.headers.iter().any(|h| {
                    let n = h.name.to_ascii_lowercase();
                    n.starts_with("ratelimit") || n.starts_with("x-ratelimit") || n == "retry-after"
                })
        })
}

/// A value for a read-only property: the most privileged of its enum, else
/// one of its type.
fn read_only_value(view: &Map<String, Value>) -> Value {
    if let Some(Value::Array(options)) = view.get("enum") {
        return options
            .iter()
            .find(|v| v.as_str().is_some_and(crate::identity::is_privileged_role))
            .or(options.last())
            .cloned()
            .unwrap_or(Value::Null);
    }
    match view.get("type").and_then(Value::as_str) {
        Some("boolean") => json!(true),
        Some("integer") | Some("number") => json!(999_999),
        Some("array") => json!(["seam-probe"]),
        Some("object") => json!({}),
        _ => json!("seam-probe"),
    }
}

/// The role an operation is meant for, when the spec says so.
pub fn role_of(spec: &Spec, op: &Operation) -> Option<String> {
    let raw = spec.document.pointer(&op.pointer.replacen('#', "", 1));
    if let Some(Value::Array(roles)) = raw.and_then(|o| o.get("x-roles")) {
        let roles: Vec<&str> = roles.iter().filter_map(Value::as_str).collect();
        if let Some(r) = roles
            .iter()
            .find(|r| crate::identity::is_privileged_role(r))
        {
            return Some(r.to_string());
        }
    }
    let admin_word = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.contains("admin only")
            || s.contains("admins only")
            || s.contains("administrators only")
            || s.contains("requires admin")
            || s.contains("admin role")
    };
    let description = raw
        .and_then(|o| o.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if op.tags.iter().any(|t| t.eq_ignore_ascii_case("admin"))
        || op.path.split('/').any(|s| s.eq_ignore_ascii_case("admin"))
        || op.summary.as_deref().is_some_and(admin_word)
        || admin_word(description)
        || op.security.iter().any(|r| {
            r.schemes.iter().any(|(_, scopes)| {
                scopes
                    .iter()
                    .any(|s| s.to_ascii_lowercase().contains("admin"))
            })
        })
    {
        return Some("admin".into());
    }
    None
}

/// Resources: item paths `P/{id}` with the operations on `P` and `P/{id}`.
fn resources(spec: &Spec, selected: &[usize]) -> Vec<Resource> {
    let mut out: Vec<Resource> = Vec::new();
    for &i in selected {
        let op = &spec.operations[i];
        let Some((collection, last)) = op.path.rsplit_once('/') else {
            continue;
        };
        let Some(param) = last.strip_prefix('{').and_then(|l| l.strip_suffix('}')) else {
            continue;
        };
        let find = |method: &str, path: &str| {
            selected
                .iter()
                .copied()
                .find(|&j| spec.operations[j].method == method && spec.operations[j].path == path)
        };
        if out
            .iter()
            .any(|r| r.collection == collection && r.param == param)
        {
            continue;
        }
        let item = op.path.clone();
        out.push(Resource {
            collection: collection.to_string(),
            param: param.to_string(),
            create: find("POST", collection),
            list: find("GET", collection),
            read: find("GET", &item),
            writes: ["PUT", "PATCH"]
                .iter()
                .filter_map(|m| find(m, &item))
                .collect(),
            delete: find("DELETE", &item),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
    key: {type: apiKey, in: header, name: X-Key}
    queryKey: {type: apiKey, in: query, name: key}
paths:
  /users/v1/{username}/password:
    put:
      parameters: [{name: username, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: ok}}
  /users/v1/{username}:
    delete:
      parameters: [{name: username, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: ok}}
  /users/{userId}/notes/{noteId}:
    delete:
      parameters:
        - {name: userId, in: path, required: true, schema: {type: string}}
        - {name: noteId, in: path, required: true, schema: {type: string}}
      responses: {'204': {description: ok}}
  /accounts/{accountId}:
    delete:
      parameters: [{name: accountId, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: ok}}
  /notes/{id}:
    delete:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {'204': {description: ok}}
  /password-reset:
    post:
      responses: {'204': {description: ok}}
  /both:
    get:
      security: [{bearer: [], key: []}]
      responses: {'200': {description: ok}}
  /either:
    get:
      security: [{bearer: []}, {key: []}]
      responses: {'200': {description: ok}}
  /in-query:
    get:
      security: [{bearer: [], queryKey: []}]
      responses: {'200': {description: ok}}
  /limited:
    get:
      responses:
        '200': {description: ok}
        '429': {description: slow down}
  /headers:
    get:
      responses:
        '200':
          description: ok
          headers: {X-RateLimit-Remaining: {schema: {type: integer}}}
  /extension:
    get:
      x-rate-limit: {per-minute: 10}
      responses: {'200': {description: ok}}
"#;

    fn op<'s>(spec: &'s Spec, method: &str, path: &str) -> &'s Operation {
        spec.operations
            .iter()
            .find(|o| o.method == method && o.path == path)
            .unwrap()
    }

    #[test]
    fn account_operations_are_found_with_the_parameter_naming_the_account() {
        let spec = seam_openapi::load::load_str("t.yaml", SPEC).unwrap();
        let param = |m: &str, p: &str| account_param(op(&spec, m, p));
        assert_eq!(
            param("PUT", "/users/v1/{username}/password").as_deref(),
            Some("username")
        );
        assert_eq!(
            param("DELETE", "/accounts/{accountId}").as_deref(),
            Some("accountId")
        );
        assert_eq!(param("DELETE", "/notes/{id}"), None);
        assert_eq!(
            param("DELETE", "/users/v1/{username}").as_deref(),
            Some("username")
        );
        assert_eq!(param("DELETE", "/users/{userId}/notes/{noteId}"), None);
        assert_eq!(param("POST", "/password-reset"), None);
    }

    #[test]
    fn a_token_and_a_header_key_must_be_asked_for_together() {
        let spec = seam_openapi::load::load_str("t.yaml", SPEC).unwrap();
        let pair = |p: &str| token_and_key(&spec, op(&spec, "GET", p));
        assert_eq!(pair("/both").as_deref(), Some("X-Key"));
        assert_eq!(pair("/either"), None);
        assert_eq!(pair("/in-query"), None);
    }

    #[test]
    fn rate_limits_are_read_from_429s_headers_and_extensions() {
        let spec = seam_openapi::load::load_str("t.yaml", SPEC).unwrap();
        let limited = |p: &str| declares_rate_limit(&spec, op(&spec, "GET", p));
        assert!(limited("/limited"));
        assert!(limited("/headers"));
        assert!(limited("/extension"));
        assert!(!limited("/both"));
    }
}
