//! The security checks: each with a stable code, the OWASP API Security Top 10
//! (2023) category it belongs to, a severity, a one-line title and the text
//! `seam explain CODE` prints (what is probed, and how a finding is confirmed
//! so that a hardened API gets none).

use std::fmt;

/// How bad a finding is (SARIF's `security-severity` follows it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// The CVSS-like score SARIF viewers sort by.
    pub fn score(self) -> &'static str {
        match self {
            Severity::Critical => "9.5",
            Severity::High => "8.0",
            Severity::Medium => "5.5",
            Severity::Low => "3.0",
        }
    }

    pub fn parse(text: &str) -> Result<Severity, String> {
        match text.to_ascii_lowercase().as_str() {
            "critical" => Ok(Severity::Critical),
            "high" => Ok(Severity::High),
            "medium" => Ok(Severity::Medium),
            "low" => Ok(Severity::Low),
            _ => Err(format!(
                "`{text}` is not a severity: critical, high, medium or low"
            )),
        }
    }
}

macro_rules! checks {
    ($( $variant:ident => $code:literal, $owasp:literal, $severity:ident, $title:literal, $explain:literal; )*) => {
        /// One security check. Its code is stable: reports, baselines and
        /// `seam.toml` name checks by it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Check { $( $variant, )* }

        impl Check {
            /// Every check, in the order reports list them.
            pub const ALL: &'static [Check] = &[ $( Check::$variant, )* ];

            pub fn code(self) -> &'static str {
                match self { $( Check::$variant => $code, )* }
            }

            /// `API1:2023 Broken Object Level Authorization`.
            pub fn owasp(self) -> &'static str {
                match self { $( Check::$variant => $owasp, )* }
            }

            pub fn severity(self) -> Severity {
                match self { $( Check::$variant => Severity::$severity, )* }
            }

            /// One line: what a finding of this check means.
            pub fn title(self) -> &'static str {
                match self { $( Check::$variant => $title, )* }
            }

            /// What `seam explain CODE` prints.
            pub fn explain(self) -> &'static str {
                match self { $( Check::$variant => $explain, )* }
            }
        }
    };
}

const API1: &str = "API1:2023 Broken Object Level Authorization";
const API2: &str = "API2:2023 Broken Authentication";
const API3: &str = "API3:2023 Broken Object Property Level Authorization";
const API4: &str = "API4:2023 Unrestricted Resource Consumption";
const API5: &str = "API5:2023 Broken Function Level Authorization";
const API7: &str = "API7:2023 Server Side Request Forgery";
const API8: &str = "API8:2023 Security Misconfiguration";
const API9: &str = "API9:2023 Improper Inventory Management";

/// The OWASP categories, in order, for reports that group by them.
pub const OWASP: [&str; 8] = [API1, API2, API3, API4, API5, API7, API8, API9];

checks! {
    AuthMissing => "auth-missing", "API2:2023 Broken Authentication", High,
        "a secured operation answered 2xx without credentials",
        "Every operation whose spec declares `security` is sent without any credentials (no Authorization, no API key, no cookie). A 2xx means anyone can call it. The request is otherwise the one that succeeded with an identity's credentials, so the finding is about the missing auth check, not the data.";
    AuthInvalidToken => "auth-invalid-token", "API2:2023 Broken Authentication", High,
        "a secured operation accepted an empty, malformed or garbage credential",
        "Each secured operation is sent with an empty bearer token, a garbage token, a malformed JWT (`a.b`), the real token under the wrong scheme (`Basic <token>`) and a wrong API key. Any 2xx is a finding: the server looked for a credential but did not check it.";
    ApiKeyWrongPlace => "api-key-wrong-place", "API2:2023 Broken Authentication", Medium,
        "an API key was accepted somewhere the spec does not put it",
        "For an operation secured by an API key in a header, the identity's key is sent in the query (`?api_key=`, `?apikey=`, `?key=` and the header's own name) instead. Keys in URLs end up in proxy and server logs and browser history; an API that accepts them there invites that leak. A 2xx is a finding.";
    ApiKeyNotBound => "api-key-not-bound", "API2:2023 Broken Authentication", High,
        "an operation that takes a token and an API key accepted another identity's key",
        "For an operation whose spec asks for a token and an API key together (one security requirement naming both), the first identity's token is sent with the second identity's API key. A 2xx, where the same token with a made-up key is refused, means the key is checked to exist but not to belong to the caller: a key leaked from one account opens every other.";
    JwtAlgNone => "jwt-alg-none", "API2:2023 Broken Authentication", Critical,
        "a JWT with `alg: none` (unsigned) was accepted",
        "The identity's own token is re-encoded with the header's `alg` set to `none`, `None`, `NONE` and `nOnE` and no signature. A 2xx on an operation that answers 401 to a garbage token means anyone can mint tokens with any claims.";
    JwtSignatureNotVerified => "jwt-signature-not-verified", "API2:2023 Broken Authentication", Critical,
        "a JWT with its signature stripped or altered was accepted",
        "The identity's own token is sent with its signature removed, and with one character of it changed. A 2xx means the signature is not checked: claims can be edited at will.";
    JwtWeakKey => "jwt-weak-key", "API2:2023 Broken Authentication", Critical,
        "the HMAC key that signs the API's JWTs is a common secret",
        "An HS256/HS384/HS512 token captured from an identity's login is checked offline against a built-in list of common secrets (and `--jwt-wordlist`). A match is confirmed by signing a copy of the token with the key found and having the API accept it. Anyone with the key can sign tokens for any user.";
    JwtExpiredAccepted => "jwt-expired-accepted", "API2:2023 Broken Authentication", High,
        "a JWT whose `exp` has passed was accepted",
        "With the signing key (given with `--jwt-key` or cracked), the identity's token is signed again with `exp` an hour in the past. A 2xx means stolen tokens never stop working.";
    JwtNoExpiryAccepted => "jwt-no-expiry-accepted", "API2:2023 Broken Authentication", Medium,
        "a JWT without `exp` was accepted",
        "With the signing key, the identity's token is signed again without `exp`. A 2xx means a token can be made that lives for ever.";
    JwtNbfIgnored => "jwt-nbf-ignored", "API2:2023 Broken Authentication", Low,
        "a JWT not valid before a future time (`nbf`) was accepted",
        "With the signing key, the identity's token is signed again with `nbf` an hour ahead. A 2xx means `nbf` is not checked.";
    JwtAudienceIgnored => "jwt-audience-ignored", "API2:2023 Broken Authentication", Medium,
        "a JWT meant for another audience (`aud`) was accepted",
        "With the signing key, the identity's token is signed again with `aud` set to another service. A 2xx means a token issued for one service works on this one.";
    JwtIssuerIgnored => "jwt-issuer-ignored", "API2:2023 Broken Authentication", Medium,
        "a JWT from another issuer (`iss`) was accepted",
        "With the signing key, the identity's token is signed again with `iss` set to another issuer. A 2xx means the issuer is not checked.";
    JwtKeyConfusion => "jwt-key-confusion", "API2:2023 Broken Authentication", Critical,
        "a JWT signed with HS256 over the API's published public key was accepted",
        "The public keys the API publishes (`/.well-known/jwks.json`, `/jwks.json`, OpenID configuration's `jwks_uri`, or `--jwt-public-key`) are written as PEM, and the identity's token is signed with HS256 using that PEM text as the secret. A verifier that takes the algorithm from the token accepts it (RS256/ES256 to HS256 confusion): anyone can forge tokens.";
    JwtKidInjection => "jwt-kid-injection", "API2:2023 Broken Authentication", Critical,
        "a JWT whose `kid` points at a file or query the attacker controls was accepted",
        "The identity's token is signed with HS256 and an empty key, its `kid` set to `/dev/null` through a path traversal, and with the key `seam`, its `kid` an SQL injection that selects `seam`. A 2xx means the key id is used to find the key without being checked.";
    JwtClaimEscalation => "jwt-claim-escalation", "API5:2023 Broken Function Level Authorization", High,
        "a forged JWT with an elevated role claim opened an operation the identity is refused",
        "With the signing key, a low-privilege identity's token is signed again with `role`/`roles`/`admin`/`scope` claims raised to admin, then sent to an operation that refused the genuine token with 401/403. A 2xx means the server trusts the token's role claim: together with a weak or leaked key, anyone becomes admin.";
    BolaRead => "bola-read", "API1:2023 Broken Object Level Authorization", High,
        "one identity read an object another identity created",
        "Identity A creates an object (or lists its own); identity B then reads it by its id. A 2xx whose body carries A's object is a finding: ids can be guessed or enumerated, so every object is readable by every user.";
    BolaWrite => "bola-write", "API1:2023 Broken Object Level Authorization", Critical,
        "one identity changed an object another identity owns",
        "Identity B sends PUT/PATCH to an object identity A created. The finding is confirmed by reading the object back as A and seeing B's change.";
    BolaDelete => "bola-delete", "API1:2023 Broken Object Level Authorization", Critical,
        "one identity deleted an object another identity owns",
        "Identity B sends DELETE to an object identity A created (only objects the scan made itself, unless `--allow-destructive`). The finding is confirmed by A no longer finding it.";
    Bfla => "bfla", "API5:2023 Broken Function Level Authorization", High,
        "a low-privilege identity called an admin-only operation",
        "Operations meant for admins (an `x-roles` list, an `admin` tag, an `/admin` path segment, an admin scope, or a description saying so) are called with every identity whose `roles` lack that role; on their paths, the methods the spec does not declare are tried too (method swaps; DELETE only with `--allow-destructive`). A 2xx is a finding.";
    MassAssignment => "mass-assignment", "API3:2023 Broken Object Property Level Authorization", High,
        "a privileged or read-only property sent by the client was stored",
        "Creates and updates are sent with the spec's `readOnly` properties and privileged ones (`role`, `isAdmin`, `admin`, `balance`, `owner`, ...) set. The finding is confirmed when the answer, a read back, or the new user's own profile after logging in shows the value sent, where a control request without it shows another.";
    SensitiveData => "sensitive-data", "API3:2023 Broken Object Property Level Authorization", High,
        "a response carries a password, hash, secret, key or card number",
        "Every JSON answer the scan receives is searched for properties named like credentials and card data (`password`, `password_hash`, `client_secret`, `private_key`, `ssn`, `cvv`, `card_number`, ...) and for values shaped like them: bcrypt/argon2/sha-crypt hashes, private keys in PEM, AWS, Stripe, GitHub and Slack keys, and card numbers that pass the Luhn check. Login answers are not searched (their tokens are the point).";
    UndeclaredField => "undeclared-field", "API3:2023 Broken Object Property Level Authorization", Low,
        "a response carries properties its schema does not declare",
        "Every JSON answer is compared with its declared schema; properties the schema does not list (where it lists properties and does not allow others explicitly) are reported. Undeclared fields are how internal data leaks without anyone noticing.";
    VerboseError => "verbose-error", "API8:2023 Security Misconfiguration", Medium,
        "an error answer shows a stack trace or internals",
        "Every answer is searched for stack traces and internals (Rust panics, Java, Python, .NET, Node, Go and PHP traces, file paths of source code). Malformed bodies are sent to each operation to provoke them.";
    SqlInjection => "sql-injection", "API8:2023 Security Misconfiguration", Critical,
        "input reached an SQL statement unescaped",
        "Each string parameter and body property gets a quote (error-based: the answer shows an SQLite, PostgreSQL, MySQL, MSSQL or Oracle error that the plain request did not), a pair of always-true and always-false conditions (boolean-based: the two answers differ while each repeats the same), and sleeps for MySQL, PostgreSQL and MSSQL (time-based: the answer is delayed by the time asked, and not without it). (OWASP's 2019 list had Injection as API8; in 2023 it falls under misconfiguration.)";
    NosqlInjection => "nosql-injection", "API8:2023 Security Misconfiguration", Critical,
        "a query operator object was accepted where a wrong value is refused",
        "Each string body property and query parameter whose wrong value is refused (a login with a wrong password, say) is sent again as a MongoDB operator (`{\"$ne\": null}`, `{\"$gt\": \"\"}`, `name[$ne]=`). A 2xx where the wrong value got a 4xx means the operator reached the query.";
    CommandInjection => "command-injection", "API8:2023 Security Misconfiguration", Critical,
        "input reached an operating system shell",
        "Each string parameter and body property gets shell metacharacters with an arithmetic echo (`$(echo seam$((6*7)))`: the answer shows `seam42`) and with sleeps (`;sleep 2`: the answer is delayed by the time asked, and not with `sleep 0`).";
    PathTraversal => "path-traversal", "API8:2023 Security Misconfiguration", High,
        "a file outside the served directory was read",
        "String path and query parameters get `../` sequences (plain, URL-encoded, doubled, backslashed, absolute) towards `/etc/passwd` and `win.ini`. The answer showing those files' contents is the finding.";
    Ssrf => "ssrf", "API7:2023 Server Side Request Forgery", High,
        "the server fetched a URL the client gave it",
        "Properties and parameters that take URLs (format `uri`/`url`, names like `url`, `callback`, `webhook`, `image`) are given the address of a listener seam runs on loopback for the scan. The listener being called is the finding.";
    HeaderInjection => "header-injection", "API8:2023 Security Misconfiguration", Medium,
        "a CR/LF in input added a header to the response",
        "String parameters get `\\r\\nX-Seam-Injected: 1`; the response carrying that header is the finding.";
    Redos => "redos", "API4:2023 Unrestricted Resource Consumption", High,
        "a pattern-validated input makes the server's regex backtrack for seconds",
        "For each string whose schema has a `pattern` (and each e-mail, which servers check with regexes of their own), inputs that almost match are sent at growing lengths. Response times that grow by orders of magnitude while the lengths grow linearly, confirmed by sending the longest again while the same length that matches stays quick, mean one request can pin a CPU.";
    UnboundedPage => "unbounded-page", "API4:2023 Unrestricted Resource Consumption", Medium,
        "a page size far above the declared maximum was served",
        "Paging parameters (`limit`, `size`, `per_page`, `pageSize`, ...) are sent at ten times their `maximum` (or 1,000,000 where none is declared). A 2xx that returns more items than the maximum, or accepts the value without clamping it, is a finding.";
    UnboundedPayload => "unbounded-payload", "API4:2023 Unrestricted Resource Consumption", Low,
        "a 16 MB request body was accepted",
        "Each operation that takes a JSON body is sent one of 16 MB (a string property without a pattern made huge), last of all probes. An API should refuse it with 413 or 400 before reading it all. A 2xx is a finding; so is an API that answers nothing afterwards (the scan then stops and says so).";
    LoginNoRateLimit => "login-no-rate-limit", "API2:2023 Broken Authentication", Medium,
        "failed logins are not rate-limited",
        "The login operation gets a bounded burst of failed logins for a made-up user (30 by default). None answered 429 (with `Retry-After`) means passwords can be guessed at full speed.";
    NoRateLimit => "no-rate-limit", "API4:2023 Unrestricted Resource Consumption", Medium,
        "an expensive operation met a burst of requests without a 429 and Retry-After",
        "Operations that are expensive by their spec (a declared 429 answer, rate-limit response headers, `x-rate-limit`) or by their control request (500 ms or more) are sent a bounded burst (`--burst`, 30) of the identity's valid request, one after another. No 429 at all is a finding; a 429 without `Retry-After` is a finding of low severity (clients cannot tell when to come back). The bursts run after every other family but the huge bodies, so the limits they set off cannot hide other findings.";
    UserEnumeration => "user-enumeration", "API2:2023 Broken Authentication", Medium,
        "login answers differ for unknown users and wrong passwords",
        "The login operation is sent a known username with a wrong password and an unknown username. Different statuses or bodies (after removing values that change per request) tell an attacker which usernames exist.";
    CorsAnyOrigin => "cors-any-origin", "API8:2023 Security Misconfiguration", High,
        "CORS allows any origin with credentials",
        "An authenticated request and a preflight are sent with `Origin: https://evil.seam.test` (and `null`). `Access-Control-Allow-Origin` echoing that origin together with `Access-Control-Allow-Credentials: true` lets any web page act as the logged-in user.";
    SecurityHeaders => "security-headers", "API8:2023 Security Misconfiguration", Low,
        "authenticated answers lack `X-Content-Type-Options` or `Cache-Control`",
        "Authenticated 2xx answers should carry `X-Content-Type-Options: nosniff` and a `Cache-Control` that keeps them out of shared caches (`no-store` or `private`). One finding per missing header, naming the operations.";
    DebugEndpoint => "debug-endpoint", "API9:2023 Improper Inventory Management", High,
        "an undeclared debug, admin or actuator endpoint answers",
        "Well-known debug paths the spec does not declare (`/actuator/env`, `/debug/pprof/`, `/.env`, `/server-status`, `/.git/config`, ...) are requested. A 2xx unlike the answer to a made-up path is a finding.";
    TraceEnabled => "trace-enabled", "API8:2023 Security Misconfiguration", Low,
        "the server answers TRACE by echoing the request",
        "`TRACE` is sent with a marker header. An answer that echoes the marker can leak credentials headers to scripts (cross-site tracing).";
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl Check {
    /// The check a code names.
    pub fn from_code(code: &str) -> Option<Check> {
        Check::ALL.iter().copied().find(|c| c.code() == code)
    }
}

/// A code as a check, or an error with a "did you mean".
pub fn parse_code(code: &str) -> Result<Check, String> {
    Check::from_code(code).ok_or_else(|| {
        format!(
            "`{code}` is not a scan check{}; `seam explain` lists them",
            seam_core::source::did_you_mean(code, Check::ALL.iter().map(|c| c.code()))
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_categories_known() {
        let mut codes: Vec<&str> = Check::ALL.iter().map(|c| c.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Check::ALL.len());
        for c in Check::ALL {
            assert!(OWASP.contains(&c.owasp()), "{c}: {}", c.owasp());
            assert_eq!(Check::from_code(c.code()), Some(*c));
        }
        assert!(parse_code("bola-reed").unwrap_err().contains("bola-read"));
    }
}
