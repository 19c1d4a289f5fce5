//! Credentials a run sends: fixed headers (`-H`, `--bearer`, `--basic`), or
//! an auth file in the Web Fuzzing Commons format (the one Schemathesis and
//! EvoMaster read): per user, `fixedHeaders`, or a `loginEndpointAuth` whose
//! answer gives a token (`token.extractFrom: body|header`, `extractSelector`,
//! `sendIn: header|query`, `sendName`, `sendTemplate: "Bearer {token}"`; the
//! older `extractFromField`/`httpHeaderName`/`headerPrefix` too) or cookies
//! (`expectCookies`). `authTemplate` fills what entries leave out. The file is
//! YAML or JSON, read strictly (unknown keys get a "did you mean").

use serde::Deserialize;
use serde_json::Value;
use std::path::Path;

/// What every request carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub headers: Vec<(String, String)>,
    /// Query pairs (name, value), appended to every request's query.
    pub query: Vec<(String, String)>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct File {
    #[serde(default)]
    schema_version: Option<String>,
    auth: Vec<Info>,
    #[serde(default)]
    auth_template: Option<Info>,
    #[serde(default)]
    configs: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Info {
    name: Option<String>,
    #[serde(default)]
    require_mock_handling: Option<bool>,
    #[serde(default)]
    fixed_headers: Option<Vec<Header>>,
    #[serde(default)]
    login_endpoint_auth: Option<Login>,
    /// EvoMaster's accounts to create first: accepted, not used.
    #[serde(default)]
    create_users: Option<Value>,
    /// Seamline's addition: the user's roles (`[admin]`), which tell a
    /// security scan who may call what.
    #[serde(default)]
    roles: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    name: String,
    value: String,
}

/// A login endpoint: where, what to send, and how to use its answer.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Login {
    endpoint: Option<String>,
    #[serde(rename = "externalEndpointURL")]
    external_endpoint_url: Option<String>,
    payload_raw: Option<String>,
    payload_user_pwd: Option<UserPassword>,
    #[serde(default)]
    headers: Vec<Header>,
    verb: Option<String>,
    content_type: Option<String>,
    token: Option<Token>,
    #[serde(default)]
    expect_cookies: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct UserPassword {
    username: String,
    password: String,
    username_field: String,
    password_field: String,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Token {
    extract_from: Option<String>,
    extract_selector: Option<String>,
    send_in: Option<String>,
    send_name: Option<String>,
    send_template: Option<String>,
    // the older names
    extract_from_field: Option<String>,
    extract_from_header: Option<String>,
    http_header_name: Option<String>,
    header_prefix: Option<String>,
    header_postfix: Option<String>,
}

/// One user of an auth file, ready to use.
#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    /// The roles the auth file gives (`roles: [admin]`); empty when unsaid.
    pub roles: Vec<String>,
    pub fixed: Vec<(String, String)>,
    pub login: Option<LoginPlan>,
}

/// A login request and how its answer becomes credentials.
#[derive(Debug, Clone)]
pub struct LoginPlan {
    /// A path on the API (`/login`) or a whole URL.
    pub target: String,
    pub method: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<(String, Vec<u8>)>,
    pub extract: Extract,
    pub send_in_query: bool,
    pub send_name: String,
    pub send_template: String,
    /// The username logged in with (a run never sends it to operations
    /// that change credentials or delete users).
    pub username: Option<String>,
    /// `payloadUserPwd`'s field names (username, password), when it is used.
    pub fields: Option<(String, String)>,
}

/// A `payloadUserPwd` login body in the login's content type (form fields
/// or a JSON object).
fn user_password_body(
    content_type: &str,
    (username_field, password_field): (&str, &str),
    username: &str,
    password: &str,
) -> Vec<u8> {
    if content_type.contains("x-www-form-urlencoded") {
        let enc = seam_core::http::percent_encode;
        format!(
            "{}={}&{}={}",
            enc(username_field),
            enc(username),
            enc(password_field),
            enc(password)
        )
        .into_bytes()
    } else {
        let mut m = serde_json::Map::new();
        m.insert(username_field.into(), Value::String(username.into()));
        m.insert(password_field.into(), Value::String(password.into()));
        Value::Object(m).to_string().into_bytes()
    }
}

impl LoginPlan {
    /// The same login for another account (`payloadUserPwd` logins only).
    pub fn for_account(&self, username: &str, password: &str) -> Option<LoginPlan> {
        let (user_field, password_field) = self.fields.clone()?;
        let content_type = self
            .body
            .as_ref()
            .map(|(ct, _)| ct.clone())
            .unwrap_or_else(|| "application/json".into());
        let body = user_password_body(
            &content_type,
            (&user_field, &password_field),
            username,
            password,
        );
        Some(LoginPlan {
            body: Some((content_type, body)),
            username: Some(username.into()),
            ..self.clone()
        })
    }
}

/// Where the token is in the login answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extract {
    /// A JSON Pointer into the body.
    Body(String),
    Header(String),
    /// The answer's `Set-Cookie`s.
    Cookies,
}

/// Reads an auth file and picks a user (`None`: the first).
pub fn read(path: &Path, user: Option<&str>) -> Result<User, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{}: cannot read the auth file: {e}", path.display()))?;
    let file_name = path.display().to_string();
    let text =
        seam_core::source::decode_text(&bytes).map_err(|e| e.in_file(&file_name).to_string())?;
    parse(&file_name, text, user)
}

/// [`read`] from text.
pub fn parse(file_name: &str, text: &str, user: Option<&str>) -> Result<User, String> {
    let mut users = parse_all(file_name, text)?;
    let index = match user {
        None => 0,
        Some(u) => users.iter().position(|n| n.name == u).ok_or_else(|| {
            let names: Vec<&str> = users.iter().map(|u| u.name.as_str()).collect();
            format!(
                "{file_name}: no user named `{u}`{} (the users: {})",
                seam_core::source::did_you_mean(u, names.iter().copied()),
                names.join(", ")
            )
        })?,
    };
    Ok(users.swap_remove(index))
}

/// Every user of an auth file, in order (a security scan uses them all).
pub fn read_all(path: &Path) -> Result<Vec<User>, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{}: cannot read the auth file: {e}", path.display()))?;
    let file_name = path.display().to_string();
    let text =
        seam_core::source::decode_text(&bytes).map_err(|e| e.in_file(&file_name).to_string())?;
    parse_all(&file_name, text)
}

/// [`read_all`] from text.
pub fn parse_all(file_name: &str, text: &str) -> Result<Vec<User>, String> {
    let file: File = seam_core::yaml::from_str(file_name, text).map_err(|e| e.to_string())?;
    let _ = (&file.schema_version, &file.configs);
    if file.auth.is_empty() {
        return Err(format!("{file_name}: `auth` lists no user"));
    }
    let mut users: Vec<User> = Vec::new();
    for (index, info) in file.auth.iter().enumerate() {
        let entry = merge(info.clone(), file.auth_template.clone());
        let at = format!("{file_name}: auth[{index}]");
        let name = entry
            .name
            .clone()
            .ok_or_else(|| format!("{at}: `name` is required"))?;
        if users.iter().any(|u| u.name == name) {
            return Err(format!("{at}: a user named `{name}` is listed twice"));
        }
        let _ = (&entry.require_mock_handling, &entry.create_users);
        let fixed = entry
            .fixed_headers
            .unwrap_or_default()
            .into_iter()
            .map(|h| (h.name, h.value))
            .collect();
        let login = match entry.login_endpoint_auth {
            Some(l) => Some(plan(&at, l)?),
            None => None,
        };
        users.push(User {
            name,
            roles: entry.roles.unwrap_or_default(),
            fixed,
            login,
        });
    }
    Ok(users)
}

/// The entry with the template's fields where it has none.
fn merge(mut entry: Info, template: Option<Info>) -> Info {
    let Some(t) = template else { return entry };
    entry.name = entry.name.or(t.name);
    entry.roles = entry.roles.or(t.roles);
    entry.fixed_headers = entry.fixed_headers.or(t.fixed_headers);
    entry.login_endpoint_auth = match (entry.login_endpoint_auth, t.login_endpoint_auth) {
        (Some(mut e), Some(t)) => {
            e.endpoint = e.endpoint.or(t.endpoint);
            e.external_endpoint_url = e.external_endpoint_url.or(t.external_endpoint_url);
            e.payload_raw = e.payload_raw.or(t.payload_raw);
            e.payload_user_pwd = e.payload_user_pwd.or(t.payload_user_pwd);
            if e.headers.is_empty() {
                e.headers = t.headers;
            }
            e.verb = e.verb.or(t.verb);
            e.content_type = e.content_type.or(t.content_type);
            e.token = e.token.or(t.token);
            e.expect_cookies = e.expect_cookies.or(t.expect_cookies);
            Some(e)
        }
        (e, t) => e.or(t),
    };
    entry
}

fn plan(at: &str, l: Login) -> Result<LoginPlan, String> {
    let at = format!("{at}.loginEndpointAuth");
    let method = l
        .verb
        .clone()
        .ok_or_else(|| format!("{at}: `verb` is required (POST, GET, PATCH, DELETE or PUT)"))?;
    if !["POST", "GET", "PATCH", "DELETE", "PUT"].contains(&method.as_str()) {
        return Err(format!(
            "{at}.verb: `{method}` is not one of POST, GET, PATCH, DELETE, PUT"
        ));
    }
    let target = match (&l.endpoint, &l.external_endpoint_url) {
        (Some(e), None) => e.clone(),
        (None, Some(u)) => u.clone(),
        (Some(_), Some(_)) => {
            return Err(format!(
                "{at}: give `endpoint` or `externalEndpointURL`, not both"
            ))
        }
        (None, None) => {
            return Err(format!(
                "{at}: `endpoint` (a path such as /login) is required"
            ))
        }
    };
    let content_type = l
        .content_type
        .clone()
        .unwrap_or_else(|| "application/json".into());
    let mut username = None;
    let mut fields = None;
    let body = match (&l.payload_raw, &l.payload_user_pwd) {
        (Some(raw), None) => Some((content_type.clone(), raw.clone().into_bytes())),
        (None, Some(up)) => {
            username = Some(up.username.clone());
            fields = Some((up.username_field.clone(), up.password_field.clone()));
            let bytes = user_password_body(
                &content_type,
                (&up.username_field, &up.password_field),
                &up.username,
                &up.password,
            );
            Some((content_type.clone(), bytes))
        }
        (Some(_), Some(_)) => {
            return Err(format!(
                "{at}: give `payloadRaw` or `payloadUserPwd`, not both"
            ))
        }
        (None, None) => None,
    };
    let headers = l
        .headers
        .iter()
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect();
    let (extract, send_in_query, send_name, send_template) = match (&l.token, l.expect_cookies) {
        (Some(t), _) => token_plan(&at, t)?,
        (None, Some(true)) => (Extract::Cookies, false, "Cookie".into(), "{token}".into()),
        (None, _) => {
            return Err(format!(
                "{at}: say how to use the answer: `token` or `expectCookies: true`"
            ))
        }
    };
    Ok(LoginPlan {
        target,
        method,
        headers,
        body,
        extract,
        send_in_query,
        send_name,
        send_template,
        username,
        fields,
    })
}

fn token_plan(at: &str, t: &Token) -> Result<(Extract, bool, String, String), String> {
    let at = format!("{at}.token");
    let extract = match (
        t.extract_from.as_deref(),
        &t.extract_selector,
        &t.extract_from_field,
        &t.extract_from_header,
    ) {
        (Some("body"), Some(sel), _, _) => {
            if !sel.starts_with('/') {
                return Err(format!("{at}.extractSelector: `{sel}` is not a JSON Pointer (write /token or /data/accessToken)"));
            }
            Extract::Body(sel.clone())
        }
        (Some("header"), Some(name), _, _) => Extract::Header(name.clone()),
        (Some(other), _, _, _) if other != "body" && other != "header" => {
            return Err(format!("{at}.extractFrom: `{other}` is not body or header"))
        }
        (Some(_), None, _, _) => {
            return Err(format!(
                "{at}: `extractSelector` is required with `extractFrom`"
            ))
        }
        (None, _, Some(field), _) => Extract::Body(field.clone()),
        (None, _, None, Some(header)) => Extract::Header(header.clone()),
        _ => {
            return Err(format!(
                "{at}: say where the token is: `extractFrom` and `extractSelector`"
            ))
        }
    };
    let send_in_query = match t.send_in.as_deref() {
        None | Some("header") => false,
        Some("query") => true,
        Some(other) => return Err(format!("{at}.sendIn: `{other}` is not header or query")),
    };
    let send_name = t
        .send_name
        .clone()
        .or_else(|| t.http_header_name.clone())
        .unwrap_or_else(|| "Authorization".into());
    let send_template = match &t.send_template {
        Some(tpl) if !tpl.contains("{token}") => {
            return Err(format!(
                "{at}.sendTemplate: `{tpl}` has no `{{token}}` placeholder"
            ))
        }
        Some(tpl) => tpl.clone(),
        None => format!(
            "{}{{token}}{}",
            t.header_prefix.clone().unwrap_or_default(),
            t.header_postfix.clone().unwrap_or_default()
        ),
    };
    Ok((extract, send_in_query, send_name, send_template))
}

impl User {
    /// The credentials a login answer gives, with the fixed headers.
    pub fn credentials_from(
        &self,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Credentials, String> {
        let mut c = Credentials {
            headers: self.fixed.clone(),
            query: Vec::new(),
        };
        let Some(login) = &self.login else {
            return Ok(c);
        };
        if !(200..300).contains(&status) {
            return Err(format!(
                "the login ({} {}) answered {status}: {}",
                login.method,
                login.target,
                String::from_utf8_lossy(body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ));
        }
        let token = match &login.extract {
            Extract::Body(pointer) => {
                let v: Value = serde_json::from_slice(body).map_err(|_| {
                    format!("the login answer is not JSON, so `{pointer}` cannot be read from it")
                })?;
                match v.pointer(pointer) {
                    Some(Value::String(s)) => s.clone(),
                    Some(other @ Value::Number(_)) => other.to_string(),
                    _ => return Err(format!("the login answer has no string at `{pointer}`")),
                }
            }
            Extract::Header(name) => headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
                .ok_or_else(|| format!("the login answer has no `{name}` header"))?,
            Extract::Cookies => {
                let cookies: Vec<String> = headers
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
                    .filter_map(|(_, v)| v.split(';').next().map(|p| p.trim().to_string()))
                    .collect();
                if cookies.is_empty() {
                    return Err("the login answer set no cookie".into());
                }
                cookies.join("; ")
            }
        };
        let value = login.send_template.replace("{token}", &token);
        if login.send_in_query {
            c.query.push((login.send_name.clone(), value));
        } else {
            c.headers.push((login.send_name.clone(), value));
        }
        Ok(c)
    }
}

/// Logs `user` in against the API at `base_url` (a login target that is a
/// whole URL is used as it is): the credentials its answer gives, with the
/// fixed headers; a user without a login gives the fixed headers alone.
pub async fn log_in(
    client: &reqwest::Client,
    base_url: &str,
    user: &User,
) -> Result<Credentials, String> {
    let Some(plan) = &user.login else {
        return user.credentials_from(200, &[], b"");
    };
    let url = if plan.target.starts_with("http://") || plan.target.starts_with("https://") {
        plan.target.clone()
    } else {
        format!("{}{}", base_url.trim_end_matches('/'), plan.target)
    };
    let method = reqwest::Method::from_bytes(plan.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = client.request(method, &url);
    for (n, v) in &plan.headers {
        req = req.header(n, v);
    }
    if let Some((ct, body)) = &plan.body {
        req = req.header("content-type", ct).body(body.clone());
    }
    let res = req.send().await.map_err(|e| {
        format!(
            "the login ({} {url}) failed: {}",
            plan.method,
            seam_core::reproduce::network_error_text(&e)
        )
    })?;
    let status = res.status().as_u16();
    let headers = crate::finding::header_pairs(res.headers());
    let body = res.bytes().await.map_err(|e| e.to_string())?;
    user.credentials_from(status, &headers, &body)
}

/// Whether an operation changes credentials or removes users (it runs last,
/// and never with the identity the run logs in with).
pub fn touches_credentials(method: &str, path: &str, operation_id: Option<&str>) -> bool {
    let text = format!("{path} {}", operation_id.unwrap_or("")).to_ascii_lowercase();
    let words = [
        "password",
        "passwd",
        "credential",
        "logout",
        "log-out",
        "signout",
        "sign-out",
        "revoke",
        "apikey",
        "api-key",
        "api_key",
    ];
    words.iter().any(|w| text.contains(w))
        || (method == "DELETE"
            && ["user", "account", "member", "profile"]
                .iter()
                .any(|w| text.contains(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
schemaVersion: "0.1.0"
authTemplate:
  loginEndpointAuth:
    endpoint: /login
    verb: POST
    contentType: application/json
    token:
      extractFrom: body
      extractSelector: /access_token
      sendIn: header
      sendName: Authorization
      sendTemplate: "Bearer {token}"
auth:
  - name: alice
    loginEndpointAuth:
      payloadUserPwd: {username: alice, password: s3cret, usernameField: user, passwordField: pass}
  - name: service
    fixedHeaders:
      - {name: X-Api-Key, value: k-1}
"#;

    #[test]
    fn a_template_fills_each_entry() {
        let alice = parse("auth.yaml", FILE, None).unwrap();
        assert_eq!(alice.name, "alice");
        let login = alice.login.as_ref().unwrap();
        assert_eq!(login.target, "/login");
        assert_eq!(login.extract, Extract::Body("/access_token".into()));
        assert_eq!(
            login.body.as_ref().unwrap().1,
            br#"{"user":"alice","pass":"s3cret"}"#.to_vec()
        );
        assert_eq!(login.username.as_deref(), Some("alice"));
        let c = alice
            .credentials_from(200, &[], br#"{"access_token": "t-9"}"#)
            .unwrap();
        assert_eq!(
            c.headers,
            vec![("Authorization".to_string(), "Bearer t-9".to_string())]
        );
        let service = parse("auth.yaml", FILE, Some("service")).unwrap();
        assert_eq!(
            service.fixed,
            vec![("X-Api-Key".to_string(), "k-1".to_string())]
        );
    }

    #[test]
    fn mistakes_are_named() {
        let e = parse(
            "auth.yaml",
            "auth:\n  - name: a\n    fixedHeader: []\n",
            None,
        )
        .unwrap_err();
        assert!(e.starts_with("auth.yaml:3:5"), "{e}");
        assert!(e.contains("fixedHeaders"), "{e}");
        let e = parse("auth.yaml", FILE, Some("alise")).unwrap_err();
        assert!(e.contains("did you mean `alice`"), "{e}");
        let bad = FILE.replace("/access_token", "access_token");
        let e = parse("auth.yaml", &bad, None).unwrap_err();
        assert!(
            e.contains("extractSelector") && e.contains("JSON Pointer"),
            "{e}"
        );
        let e = alice_login_error();
        assert!(e.contains("answered 401"), "{e}");
    }

    fn alice_login_error() -> String {
        parse("auth.yaml", FILE, None)
            .unwrap()
            .credentials_from(401, &[], b"no")
            .unwrap_err()
    }

    #[test]
    fn credential_operations_are_recognised() {
        assert!(touches_credentials("PUT", "/users/{id}/password", None));
        assert!(touches_credentials("DELETE", "/users/{id}", None));
        assert!(touches_credentials("POST", "/auth", Some("logout")));
        assert!(!touches_credentials("GET", "/users/{id}", None));
    }
}
