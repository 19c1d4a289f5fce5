//! Throwaway accounts: the scan registers two accounts of its own, then
//! sends the operations that change an account's password or delete it as
//! the one, naming the other, and confirms each by logging in as the target;
//! password-reset requests are compared for a throwaway account and an
//! unknown one (user enumeration). The identities of the auth file neither
//! send these requests nor are named by them: an API that applies a change
//! to the caller instead of the account named touches a throwaway account.

use crate::check::Check;
use crate::plan::role_of;
use crate::scan::{success, Found, Probed, Scan};
use seam_fuzz::auth::{Credentials, LoginPlan, User};
use seam_fuzz::case::{CaseBody, Sent};
use seam_fuzz::finding::Answer;
use seam_openapi::model::ParamLocation;
use serde_json::Value;

/// An account the scan registered.
struct Account {
    username: String,
    password: String,
    email: String,
    /// The id the registration answer gave, if any.
    id: Option<Value>,
    /// The registration request (a step of every finding).
    registered: Sent,
    /// What its requests carry once logged in.
    credentials: Credentials,
}

impl Account {
    /// The value a path parameter naming the account takes.
    fn value_for(&self, param: &str) -> Value {
        let p = param.to_ascii_lowercase();
        if p.contains("mail") {
            return Value::String(self.email.clone());
        }
        match &self.id {
            Some(id) if p.contains("id") && !p.contains("name") => id.clone(),
            _ => Value::String(self.username.clone()),
        }
    }
}

/// The login request of an account, from an identity's login.
fn login_request(plan: &LoginPlan) -> Sent {
    let mut headers = plan.headers.clone();
    let mut body = Vec::new();
    if let Some((content_type, bytes)) = &plan.body {
        headers.push(("Content-Type".into(), content_type.clone()));
        body = bytes.clone();
    }
    Sent {
        method: plan.method.clone(),
        target: plan.target.clone(),
        headers,
        body,
    }
}

/// The login of an identity that logs in with a username and password.
fn login_template(scan: &Scan<'_>) -> Option<LoginPlan> {
    scan.identities
        .iter()
        .find_map(|i| i.user.login.clone().filter(|l| l.fields.is_some()))
}

/// Logs an account in with `password`: the login request and its answer.
async fn log_in(
    scan: &Scan<'_>,
    template: &LoginPlan,
    username: &str,
    password: &str,
) -> Result<Option<(Sent, Answer)>, crate::scan::Stop> {
    let Some(plan) = template.for_account(username, password) else {
        return Ok(None);
    };
    let sent = login_request(&plan);
    Ok(scan.send(&sent).await?.map(|a| (sent, a)))
}

/// The credentials a login answer gives an account: none unless it is a 2xx
/// that carries them (a token where the login says, cookies).
fn credentials_of(
    template: &LoginPlan,
    username: &str,
    password: &str,
    answer: &Answer,
) -> Option<Credentials> {
    let user = User {
        name: username.to_string(),
        roles: Vec::new(),
        fixed: Vec::new(),
        login: template.for_account(username, password),
    };
    user.credentials_from(answer.status, &answer.headers, &answer.body)
        .ok()
}

/// Registers a new account and checks that it can log in.
async fn register(
    scan: &Scan<'_>,
    op: usize,
    template: &LoginPlan,
) -> Result<Option<Account>, crate::scan::Stop> {
    let Some((user_field, password_field)) = template.fields.clone() else {
        return Ok(None);
    };
    let n = scan.unique();
    let username = format!("seamthrowaway{n}");
    let password = format!("Seam-Pw-{n:06}-a!");
    let email = format!("{username}@example.test");
    let mut case = scan.valid_case(op);
    if let Some(CaseBody::Json {
        value: Value::Object(m),
        ..
    }) = &mut case.body
    {
        for (k, v) in m.iter_mut() {
            if k.to_ascii_lowercase().contains("mail") && v.is_string() {
                *v = Value::String(email.clone());
            }
        }
        m.insert(user_field, Value::String(username.clone()));
        m.insert(password_field, Value::String(password.clone()));
    }
    let who = (!scan.spec.operations[op].is_public() && !scan.identities.is_empty()).then_some(0);
    let (registered, answer) = scan.send_as(who, op, &case).await?;
    let Some(answer) = answer.filter(|a| (200..300).contains(&a.status)) else {
        scan.note(format!(
            "account operations not probed: registering a throwaway account ({}) was refused",
            scan.label(op)
        ));
        return Ok(None);
    };
    let logged_in = log_in(scan, template, &username, &password).await?;
    let credentials = logged_in
        .as_ref()
        .and_then(|(_, a)| credentials_of(template, &username, &password, a));
    let Some(credentials) = credentials else {
        scan.note(format!(
            "account operations not probed: the throwaway account `{username}` that {} registered cannot log in",
            scan.label(op)
        ));
        return Ok(None);
    };
    let id = serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|b| {
            let m = b.as_object()?;
            ["id", "user_id", "userId", "uuid", "_id"]
                .iter()
                .find_map(|k| m.get(*k).filter(|v| v.is_string() || v.is_number()))
                .cloned()
        });
    Ok(Some(Account {
        username,
        password,
        email,
        id,
        registered,
        credentials,
    }))
}

/// Password changes and deletes of a throwaway account by another one,
/// then password resets.
pub async fn run(scan: &Scan<'_>) -> Probed {
    let wanted = [Check::BolaWrite, Check::BolaDelete, Check::Bfla];
    let takeovers = !scan.plan.accounts.is_empty() && wanted.iter().any(|c| scan.on(*c));
    let resets = !scan.plan.resets.is_empty() && scan.on(Check::UserEnumeration);
    if !takeovers && !resets {
        return Ok(());
    }
    let (Some(register_op), Some(template)) = (scan.plan.register, login_template(scan)) else {
        scan.note(
            "operations that change or delete accounts were not probed: that needs an operation registering accounts with the login's fields, and an identity that logs in with payloadUserPwd",
        );
        return Ok(());
    };
    if takeovers {
        take_over(scan, register_op, &template).await?;
    }
    if resets {
        reset_enumeration(scan, register_op, &template).await?;
    }
    Ok(())
}

/// Each account operation, sent by a fresh throwaway account for another.
async fn take_over(scan: &Scan<'_>, register_op: usize, template: &LoginPlan) -> Probed {
    for (op, param) in scan.plan.accounts.clone() {
        let operation = &scan.spec.operations[op];
        let deletes = operation.method == "DELETE";
        let role = role_of(scan.spec, operation);
        let check = match (&role, deletes) {
            (Some(_), _) => Check::Bfla,
            (None, true) => Check::BolaDelete,
            (None, false) => Check::BolaWrite,
        };
        if !scan.on(check) {
            continue;
        }
        scan.probe(check);
        let (Some(account), Some(attacker)) = (
            register(scan, register_op, template).await?,
            register(scan, register_op, template).await?,
        ) else {
            return Ok(());
        };
        let new_password = format!("{}-changed", account.password);
        let mut case = scan.valid_case(op);
        case.set_param(ParamLocation::Path, &param, account.value_for(&param));
        if let Some(CaseBody::Json {
            value: Value::Object(m),
            ..
        }) = &mut case.body
        {
            for (k, v) in m.iter_mut() {
                let k = k.to_ascii_lowercase();
                if !(k.contains("pass") || k.contains("pwd")) {
                    continue;
                }
                let old = ["old", "current", "existing"].iter().any(|w| k.contains(w));
                *v = Value::String(if old {
                    "seam-not-the-password".into()
                } else {
                    new_password.clone()
                });
            }
        }
        let sent = scan.request(op, &case, &attacker.credentials);
        let answer = scan.send(&sent).await?;
        if let Some(a) = &answer {
            scan.inspect(op, None, &sent, a);
        }
        if !success(&answer) {
            continue;
        }
        // confirmed by logging in as the account
        let (try_password, want_in) = if deletes {
            (account.password.as_str(), false)
        } else {
            (new_password.as_str(), true)
        };
        let Some((login, after)) = log_in(scan, template, &account.username, try_password).await?
        else {
            continue;
        };
        // some APIs answer a failed login 200 without a token
        let logged_in = credentials_of(template, &account.username, try_password, &after).is_some();
        let confirmed = if want_in {
            logged_in
        } else {
            !logged_in && [200, 400, 401, 403, 404].contains(&after.status)
        };
        if !confirmed {
            continue;
        }
        let name = attacker.username.as_str();
        let what = if deletes {
            "deleted"
        } else {
            "changed the password of"
        };
        let message = match &role {
            Some(r) => format!(
                "`{name}`, without the `{r}` role, {what} `{}`, an account the scan registered",
                account.username
            ),
            None => format!(
                "`{name}` {what} `{}`: two accounts the scan registered, the one acting on the other",
                account.username
            ),
        };
        let evidence = if deletes {
            format!(
                "{} to the delete; the account's login then answered {}",
                answer.as_ref().map(|a| a.status).unwrap_or_default(),
                after.status
            )
        } else {
            format!(
                "{} to the change; the account then logged in with the new password ({})",
                answer.as_ref().map(|a| a.status).unwrap_or_default(),
                after.status
            )
        };
        scan.found(Found {
            check,
            operation: scan.label(op),
            identity: name,
            key: "throwaway-account".into(),
            message,
            evidence,
            request: &sent,
            answer: answer.as_ref(),
            steps: vec![
                account.registered.clone(),
                attacker.registered.clone(),
                login,
            ],
        });
    }
    Ok(())
}

/// A password reset asked for a throwaway account and for an unknown one:
/// answers that differ (status, or body once the names are blanked) tell
/// who has an account.
async fn reset_enumeration(scan: &Scan<'_>, register_op: usize, template: &LoginPlan) -> Probed {
    for (op, field) in scan.plan.resets.clone() {
        scan.probe(Check::UserEnumeration);
        let Some(account) = register(scan, register_op, template).await? else {
            return Ok(());
        };
        let unknown_name = format!("seamnobody{}", scan.unique());
        let unknown = Account {
            email: format!("{unknown_name}@example.test"),
            username: unknown_name,
            password: String::new(),
            id: None,
            registered: account.registered.clone(),
            credentials: Credentials::default(),
        };
        let mut answers = Vec::new();
        for who in [&account, &unknown] {
            let mut case = scan.valid_case(op);
            if let Some(CaseBody::Json {
                value: Value::Object(m),
                ..
            }) = &mut case.body
            {
                m.insert(field.clone(), who.value_for(&field));
            }
            let (sent, answer) = scan.send_as(None, op, &case).await?;
            let Some(answer) = answer else {
                break;
            };
            answers.push((sent, answer, who));
        }
        let [(_, known_answer, known), (unknown_sent, unknown_answer, nobody)] = &answers[..]
        else {
            continue;
        };
        let blank = |a: &Answer, who: &Account| {
            String::from_utf8_lossy(&a.body)
                .replace(&who.email, "§")
                .replace(&who.username, "§")
        };
        let differs = known_answer.status != unknown_answer.status
            || blank(known_answer, known) != blank(unknown_answer, nobody);
        // a refusal of both (a 4xx for every request) tells nothing
        if !differs || !(200..300).contains(&known_answer.status) {
            continue;
        }
        scan.found(Found {
            check: Check::UserEnumeration,
            operation: scan.label(op),
            identity: "-",
            key: format!("reset:{field}"),
            message: "the password reset tells an unknown account from a real one".into(),
            evidence: format!(
                "a throwaway account's `{field}`: {} {}; an unknown one: {} {}",
                known_answer.status,
                known_answer.body_excerpt(80),
                unknown_answer.status,
                unknown_answer.body_excerpt(80)
            ),
            request: unknown_sent,
            answer: Some(unknown_answer),
            steps: vec![account.registered.clone()],
        });
    }
    Ok(())
}
