//! Who may touch what: the control requests (each identity creates its own
//! objects; the first identity's valid request to every operation), object
//! level authorization (BOLA: one identity reads, changes and deletes
//! another's objects, confirmed by reading as the owner), function level
//! authorization (BFLA: low identities call role-only operations), and mass
//! assignment (privileged and read-only properties sent, then read back).

use crate::check::Check;
use crate::plan::Resource;
use crate::scan::{success, Found, Probed, Scan};
use seam_fuzz::case::{Case, CaseBody, Sent};
use seam_fuzz::finding::Answer;
use seam_openapi::model::ParamLocation;
use serde_json::{json, Value};

/// The id an answer gives the object it created: a property named like the
/// path parameter or `id`, else the `Location` header's last segment.
pub fn created_id(r: &Resource, answer: &Answer) -> Option<Value> {
    if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(&answer.body) {
        for key in [r.param.as_str(), "id", "uuid", "_id"] {
            if let Some(v) = m.get(key).filter(|v| v.is_string() || v.is_number()) {
                return Some(v.clone());
            }
        }
        if let Some((_, v)) = m.iter().find(|(k, v)| {
            k.to_ascii_lowercase().ends_with("id") && (v.is_string() || v.is_number())
        }) {
            return Some(v.clone());
        }
    }
    let location = answer.header("location")?;
    let last = location.trim_end_matches('/').rsplit('/').next()?;
    (!last.is_empty()).then(|| Value::String(last.to_string()))
}

fn body(answer: &Answer) -> Option<Value> {
    serde_json::from_slice(&answer.body).ok()
}

/// Each identity (the first two) creates an object per resource; then the
/// first identity's valid request to every operation is the control the
/// other probes compare with.
pub async fn controls(scan: &Scan<'_>) -> Probed {
    let creators = scan.identities.len().clamp(1, 2);
    let resources = scan.plan.resources.clone();
    for r in &resources {
        let Some(create) = r.create else { continue };
        if !scan.plan.operations.contains(&create) {
            continue;
        }
        for who in 0..creators {
            let who = (!scan.identities.is_empty()).then_some(who);
            let case = scan.valid_case(create);
            let (_, answer) = scan.send_as(who, create, &case).await?;
            // an answer without an id: the id is what the client chose (a
            // `book_title` sent for `/books/{book_title}`)
            let chosen = match &case.body {
                Some(CaseBody::Json {
                    value: Value::Object(m),
                    ..
                }) => m
                    .get(&r.param)
                    .filter(|v| v.is_string() || v.is_number())
                    .cloned(),
                _ => None,
            };
            let Some(answer) = answer else { continue };
            if who == Some(0) || who.is_none() {
                scan.controls
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(create, answer.clone());
            }
            if (200..300).contains(&answer.status) {
                if let Some(id) = created_id(r, &answer).or(chosen) {
                    scan.created
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .entry(r.collection.clone())
                        .or_default()
                        .push((who.unwrap_or(0), id, body(&answer).unwrap_or(Value::Null)));
                }
            }
        }
    }
    let first = (!scan.identities.is_empty()).then_some(0);
    for &op in &scan.plan.operations.clone() {
        if Some(op) == scan.plan.login
            || scan
                .controls
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains_key(&op)
        {
            continue;
        }
        let case = scan.valid_case(op);
        let (_, answer) = scan.send_as(first, op, &case).await?;
        if let Some(a) = answer {
            scan.controls
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(op, a);
        }
    }
    Ok(())
}

/// BOLA, BFLA and mass assignment.
pub async fn run(scan: &Scan<'_>) -> Probed {
    bola(scan).await?;
    bfla(scan).await?;
    mass_assignment(scan).await
}

/// The owner and the other identity BOLA uses: plain users before
/// privileged ones (an admin may read everything by design).
fn pair(scan: &Scan<'_>) -> Option<(usize, usize)> {
    let mut order: Vec<usize> = (0..scan.identities.len()).collect();
    order.sort_by_key(|&i| scan.identities[i].is_privileged());
    let plain: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| !scan.identities[i].is_privileged())
        .collect();
    match plain.as_slice() {
        [a, b, ..] => Some((*a, *b)),
        _ if order.len() >= 2 => Some((order[0], order[1])),
        _ => None,
    }
}

fn with_id(scan: &Scan<'_>, op: usize, r: &Resource, id: &Value) -> Case {
    let mut case = scan.valid_case(op);
    case.set_param(ParamLocation::Path, &r.param, id.clone());
    case
}

/// Whether `answer` is the object `id` (its id property, or the same body
/// as the owner's read).
fn shows(answer: &Answer, r: &Resource, id: &Value, owners: Option<&Answer>) -> bool {
    if !(200..300).contains(&answer.status) {
        return false;
    }
    if let Some(o) = owners {
        if o.body == answer.body && !answer.body.is_empty() {
            return true;
        }
    }
    body(answer)
        .as_ref()
        .and_then(|b| {
            created_id(
                r,
                &Answer {
                    body: serde_json::to_vec(b).unwrap_or_default(),
                    ..answer.clone()
                },
            )
        })
        .is_some_and(|got| seam_fuzz::case::scalar_text(&got) == seam_fuzz::case::scalar_text(id))
}

async fn bola(scan: &Scan<'_>) -> Probed {
    let wanted = [Check::BolaRead, Check::BolaWrite, Check::BolaDelete];
    if !wanted.iter().any(|c| scan.on(*c)) || scan.plan.resources.is_empty() {
        return Ok(());
    }
    let Some((a, b)) = pair(scan) else {
        scan.note("BOLA not checked: it needs two identities in the auth file");
        return Ok(());
    };
    let (name_a, name_b) = (scan.identities[a].name(), scan.identities[b].name());
    for r in scan.plan.resources.clone() {
        // an operation the spec declares public is open by design (when the
        // spec declares security at all)
        let declared_public = |op: Option<usize>| {
            !scan.spec.security_schemes.is_empty()
                && op.is_some_and(|o| scan.spec.operations[o].is_public())
        };
        if declared_public(r.read) && r.writes.iter().all(|&w| declared_public(Some(w))) {
            continue;
        }
        let created = scan.created_by(&r.collection, a);
        let listed = match created {
            Some(_) => None,
            None => listed_id(scan, &r, a).await?,
        };
        // an object A's list shows is A's own only if B's list does not show it
        if let Some(id) = &listed {
            if listed_ids(scan, &r, b).await?.contains(id) {
                scan.note(format!(
                    "BOLA on {}/{{{}}}: the objects `{name_a}` lists are listed to `{name_b}` too (shared by design?), so none was tried",
                    r.collection, r.param
                ));
                continue;
            }
        }
        let Some(id) = created.or(listed) else {
            if r.read.is_some() {
                scan.note(format!(
                    "BOLA on {}/{{{}}}: `{name_a}` has no object there to try (no create answered 2xx with an id, no list showed one)",
                    r.collection, r.param
                ));
            }
            continue;
        };
        let mut owners_read = None;
        if let Some(read) = r.read {
            let (_, answer) = scan
                .send_as(Some(a), read, &with_id(scan, read, &r, &id))
                .await?;
            owners_read = answer.filter(|x| (200..300).contains(&x.status));
            if scan.on(Check::BolaRead) && owners_read.is_some() {
                scan.probe(Check::BolaRead);
                let case = with_id(scan, read, &r, &id);
                let (sent, answer) = scan.send_as(Some(b), read, &case).await?;
                if let Some(ans) = answer.filter(|x| shows(x, &r, &id, owners_read.as_ref())) {
                    scan.found(Found {
                        check: Check::BolaRead,
                        operation: scan.label(read),
                        identity: name_b,
                        key: r.param.clone(),
                        message: format!(
                            "`{name_b}` read `{name_a}`'s object {} = {}",
                            r.param,
                            seam_fuzz::case::scalar_text(&id)
                        ),
                        evidence: format!(
                            "{} answered {} to `{name_b}` with the object `{name_a}` created",
                            scan.label(read),
                            ans.status
                        ),
                        request: &sent,
                        answer: Some(&ans),
                        steps: Vec::new(),
                    });
                }
            }
        }
        if scan.on(Check::BolaWrite) {
            for &write in &r.writes {
                scan.probe(Check::BolaWrite);
                // letters and digits only: most patterns take them
                let marker = format!("seambola{}", scan.unique());
                let mut case = with_id(scan, write, &r, &id);
                let Some(field) = mark_body(&mut case, &marker) else {
                    continue;
                };
                let (sent, answer) = scan.send_as(Some(b), write, &case).await?;
                let Some(ans) = answer.filter(|x| (200..300).contains(&x.status)) else {
                    continue;
                };
                let (confirmed, evidence) = match r.read {
                    Some(read) => {
                        let (_, back) = scan
                            .send_as(Some(a), read, &with_id(scan, read, &r, &id))
                            .await?;
                        let changed = back
                            .as_ref()
                            .is_some_and(|x| String::from_utf8_lossy(&x.body).contains(&marker));
                        (changed, format!("read back as `{name_a}`, `{field}` is `{marker}`, the value `{name_b}` sent"))
                    }
                    None => (
                        true,
                        format!(
                            "{} answered {}; no read operation to confirm with",
                            scan.label(write),
                            ans.status
                        ),
                    ),
                };
                if confirmed {
                    scan.found(Found {
                        check: Check::BolaWrite,
                        operation: scan.label(write),
                        identity: name_b,
                        key: r.param.clone(),
                        message: format!(
                            "`{name_b}` changed `{name_a}`'s object {} = {}",
                            r.param,
                            seam_fuzz::case::scalar_text(&id)
                        ),
                        evidence,
                        request: &sent,
                        answer: Some(&ans),
                        steps: Vec::new(),
                    });
                }
            }
        }
        if let (Some(delete), Some(create), true) = (r.delete, r.create, scan.on(Check::BolaDelete))
        {
            // a fresh object of the owner's, so the others keep theirs
            let (create_sent, created) = scan
                .send_as(Some(a), create, &scan.valid_case(create))
                .await?;
            let Some(victim) = created
                .as_ref()
                .filter(|x| (200..300).contains(&x.status))
                .and_then(|x| created_id(&r, x))
            else {
                continue;
            };
            scan.probe(Check::BolaDelete);
            let (sent, answer) = scan
                .send_as(Some(b), delete, &with_id(scan, delete, &r, &victim))
                .await?;
            let Some(ans) = answer.filter(|x| (200..300).contains(&x.status)) else {
                continue;
            };
            let (confirmed, evidence) = match r.read {
                Some(read) => {
                    let (_, back) = scan
                        .send_as(Some(a), read, &with_id(scan, read, &r, &victim))
                        .await?;
                    let gone = back
                        .as_ref()
                        .is_some_and(|x| x.status == 404 || x.status == 410);
                    (
                        gone,
                        format!(
                            "`{name_a}` then got {} reading it",
                            back.map(|x| x.status).unwrap_or(0)
                        ),
                    )
                }
                None => (
                    true,
                    format!(
                        "{} answered {}; no read operation to confirm with",
                        scan.label(delete),
                        ans.status
                    ),
                ),
            };
            if confirmed {
                scan.found(Found {
                    check: Check::BolaDelete,
                    operation: scan.label(delete),
                    identity: name_b,
                    key: r.param.clone(),
                    message: format!(
                        "`{name_b}` deleted `{name_a}`'s object {} = {}",
                        r.param,
                        seam_fuzz::case::scalar_text(&victim)
                    ),
                    evidence,
                    request: &sent,
                    answer: Some(&ans),
                    steps: vec![create_sent],
                });
            }
        }
        let _ = owners_read;
    }
    Ok(())
}

/// An id from the owner's list of the collection.
async fn listed_id(
    scan: &Scan<'_>,
    r: &Resource,
    who: usize,
) -> Result<Option<Value>, crate::scan::Stop> {
    Ok(listed_ids(scan, r, who).await?.into_iter().next())
}

/// The ids in `who`'s list of the collection.
async fn listed_ids(
    scan: &Scan<'_>,
    r: &Resource,
    who: usize,
) -> Result<Vec<Value>, crate::scan::Stop> {
    let Some(list) = r.list else {
        return Ok(Vec::new());
    };
    let (_, answer) = scan
        .send_as(Some(who), list, &scan.valid_case(list))
        .await?;
    let Some(v) = answer
        .as_ref()
        .filter(|a| (200..300).contains(&a.status))
        .and_then(body)
    else {
        return Ok(Vec::new());
    };
    let items = match &v {
        Value::Array(items) => items.clone(),
        Value::Object(m) => m
            .values()
            .find_map(|x| x.as_array().cloned())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    Ok(items
        .iter()
        .filter_map(|item| {
            let m = item.as_object()?;
            [r.param.as_str(), "id"].iter().find_map(|k| {
                m.get(*k)
                    .filter(|v| v.is_string() || v.is_number())
                    .cloned()
            })
        })
        .collect())
}

/// Sets the first string property of a JSON body to `marker`: its name.
fn mark_body(case: &mut Case, marker: &str) -> Option<String> {
    let Some(CaseBody::Json {
        value: Value::Object(m),
        ..
    }) = &mut case.body
    else {
        return None;
    };
    let key = m
        .iter()
        .find(|(k, v)| v.is_string() && !k.to_ascii_lowercase().contains("id"))
        .map(|(k, _)| k.clone())?;
    m.insert(key.clone(), Value::String(marker.to_string()));
    Some(key)
}

async fn bfla(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::Bfla) || scan.plan.role_only.is_empty() {
        return Ok(());
    }
    if scan.identities.iter().all(|i| i.user.roles.is_empty()) {
        scan.note("BFLA not checked: give the identities `roles` in the auth file (an admin and a plain user)");
        return Ok(());
    }
    for (op, role) in scan.plan.role_only.clone() {
        for (w, identity) in scan.identities.iter().enumerate() {
            if identity.has_role(&role)
                || identity.is_privileged()
                || identity.user.roles.is_empty()
            {
                continue;
            }
            scan.probe(Check::Bfla);
            let (sent, answer) = scan.send_as(Some(w), op, &scan.valid_case(op)).await?;
            if let Some(ans) = answer.filter(|a| (200..300).contains(&a.status)) {
                scan.found(Found {
                    check: Check::Bfla,
                    operation: scan.label(op),
                    identity: identity.name(),
                    key: role.clone(),
                    message: format!(
                        "`{}` (roles: {}) called an operation for `{role}`",
                        identity.name(),
                        identity.user.roles.join(", ")
                    ),
                    evidence: format!(
                        "answered {} to an identity without the `{role}` role",
                        ans.status
                    ),
                    request: &sent,
                    answer: Some(&ans),
                    steps: Vec::new(),
                });
            }
        }
    }
    method_swaps(scan).await
}

/// BFLA by method: on each role-only path, the methods the spec does not
/// declare there, sent by low identities (DELETE only with
/// `--allow-destructive`). A 2xx means a function the spec hides is open.
async fn method_swaps(scan: &Scan<'_>) -> Probed {
    let mut paths: Vec<(usize, String)> = Vec::new();
    for (op, role) in &scan.plan.role_only {
        if !paths
            .iter()
            .any(|(o, _)| scan.spec.operations[*o].path == scan.spec.operations[*op].path)
        {
            paths.push((*op, role.clone()));
        }
    }
    let low: Vec<usize> = (0..scan.identities.len())
        .filter(|&w| {
            let i = &scan.identities[w];
            !i.is_privileged() && !i.user.roles.is_empty()
        })
        .collect();
    let Some(&w) = low.first() else {
        return Ok(());
    };
    let identity = &scan.identities[w];
    for (op, role) in paths {
        let path = scan.spec.operations[op].path.clone();
        let declared: Vec<&str> = scan
            .spec
            .operations
            .iter()
            .filter(|o| o.path == path)
            .map(|o| o.method.as_str())
            .collect();
        let mut methods = vec!["GET", "POST", "PUT", "PATCH"];
        if scan.options.allow_destructive {
            methods.push("DELETE");
        }
        for m in methods.into_iter().filter(|m| !declared.contains(m)) {
            scan.probe(Check::Bfla);
            let mut case = scan.valid_case(op);
            case.method = Some(m.to_string());
            let (sent, answer) = scan.send_as(Some(w), op, &case).await?;
            if let Some(ans) = answer.filter(|a| (200..300).contains(&a.status)) {
                scan.found(Found {
                    check: Check::Bfla,
                    operation: format!("{m} {path}"),
                    identity: identity.name(),
                    key: format!("{role} {m}"),
                    message: format!(
                        "`{}` called `{m} {path}`, a method the spec does not declare on a path for `{role}`",
                        identity.name()
                    ),
                    evidence: format!("answered {} (declared there: {})", ans.status, declared.join(", ")),
                    request: &sent,
                    answer: Some(&ans),
                    steps: Vec::new(),
                });
            }
        }
    }
    Ok(())
}

fn get_path<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.as_object()?.get(key)
}

async fn mass_assignment(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::MassAssignment) {
        return Ok(());
    }
    let who = pair(scan)
        .map(|(a, _)| a)
        .or((!scan.identities.is_empty()).then_some(0));
    for (op, props) in scan.plan.writes.clone() {
        if props.is_empty() {
            continue;
        }
        let control_case = scan.valid_case(op);
        let (_, control) = scan.send_as(who, op, &control_case).await?;
        if !success(&control) {
            continue;
        }
        let control_body = control.as_ref().and_then(body).unwrap_or(Value::Null);
        scan.probe(Check::MassAssignment);
        let mut case = scan.valid_case(op);
        let Some(CaseBody::Json {
            value: Value::Object(m),
            ..
        }) = &mut case.body
        else {
            continue;
        };
        for (k, v) in &props {
            m.insert(k.clone(), v.clone());
        }
        let sent_body = Value::Object(m.clone());
        let (sent, answer) = scan.send_as(who, op, &case).await?;
        let Some(ans) = answer.filter(|a| (200..300).contains(&a.status)) else {
            continue;
        };
        let answered = body(&ans).unwrap_or(Value::Null);
        let taken = |v: &Value| -> Vec<String> {
            props
                .iter()
                .filter(|(k, sent_v)| {
                    get_path(v, k) == Some(sent_v) && get_path(&control_body, k) != Some(sent_v)
                })
                .map(|(k, v)| format!("{k}={v}"))
                .collect()
        };
        let mut stored = taken(&answered);
        let mut how = "the answer shows".to_string();
        let mut steps: Vec<Sent> = Vec::new();
        if stored.is_empty() {
            // a new user: log in as it and read its own profile
            if let Some((profile, s)) = login_and_read(scan, &sent_body).await? {
                stored = taken(&profile);
                how = "logged in as the new user, its profile shows".into();
                steps = s;
            }
        }
        if !stored.is_empty() {
            let control_values: Vec<String> = props
                .iter()
                .filter(|(k, _)| stored.iter().any(|s| s.starts_with(&format!("{k}="))))
                .map(|(k, _)| {
                    format!(
                        "{k}={}",
                        get_path(&control_body, k).cloned().unwrap_or(Value::Null)
                    )
                })
                .collect();
            scan.found(Found {
                check: Check::MassAssignment,
                operation: scan.label(op),
                identity: who.map(|w| scan.identities[w].name()).unwrap_or("-"),
                key: stored
                    .iter()
                    .map(|s| s.split('=').next().unwrap_or(""))
                    .collect::<Vec<_>>()
                    .join(","),
                message: format!("the client set {}", stored.join(", ")),
                evidence: format!(
                    "{how} {}; without them: {}",
                    stored.join(", "),
                    control_values.join(", ")
                ),
                request: &sent,
                answer: Some(&ans),
                steps,
            });
        }
    }
    Ok(())
}

/// The object of a list answer (a top-level array, or one under any
/// property) that names `username`.
fn entry_for(v: &Value, username: &str) -> Option<serde_json::Map<String, Value>> {
    let items: Vec<&Value> = match v {
        Value::Array(items) => items.iter().collect(),
        Value::Object(m) => m.values().filter_map(Value::as_array).flatten().collect(),
        _ => Vec::new(),
    };
    items
        .into_iter()
        .filter_map(Value::as_object)
        .find(|m| m.values().any(|x| x.as_str() == Some(username)))
        .cloned()
}

/// For a create that registers a user (its body has the login's username
/// and password fields): logs in as that user and reads every secured GET
/// without parameters (`/me`), merged. The profile and the requests.
async fn login_and_read(
    scan: &Scan<'_>,
    sent_body: &Value,
) -> Result<Option<(Value, Vec<Sent>)>, crate::scan::Stop> {
    let Some(template) = scan
        .identities
        .iter()
        .find(|i| i.user.login.as_ref().is_some_and(|l| l.fields.is_some()))
    else {
        return Ok(None);
    };
    let mut user = template.user.clone();
    let Some(plan) = user.login.as_mut() else {
        return Ok(None);
    };
    let Some((uf, pf)) = plan.fields.clone() else {
        return Ok(None);
    };
    let (Some(username), Some(password)) = (
        sent_body.get(&uf).and_then(Value::as_str),
        sent_body.get(&pf).and_then(Value::as_str),
    ) else {
        return Ok(None);
    };
    let content_type = plan
        .body
        .as_ref()
        .map(|(ct, _)| ct.clone())
        .unwrap_or_else(|| "application/json".into());
    plan.body = Some((
        content_type,
        json!({uf.clone(): username, pf.clone(): password})
            .to_string()
            .into_bytes(),
    ));
    plan.username = Some(username.to_string());
    let fresh = crate::identity::Identity::new(user);
    if fresh
        .log_in(&scan.client.http, &scan.client.base_url)
        .await
        .is_err()
    {
        return Ok(None);
    }
    let mut merged = serde_json::Map::new();
    let mut steps = Vec::new();
    // the user's own profile (`/me`), or its entry in a list of users
    for &op in &scan.plan.operations {
        let o = &scan.spec.operations[op];
        if o.method != "GET" || o.parameters.iter().any(|p| p.required) {
            continue;
        }
        let sent = scan.request(op, &scan.valid_case(op), &fresh.credentials());
        let Some(a) = scan.send(&sent).await? else {
            continue;
        };
        let found = match body(&a).filter(|_| (200..300).contains(&a.status)) {
            Some(Value::Object(m))
                if m.values().any(|v| v.as_str() == Some(username)) || o.path.ends_with("/me") =>
            {
                Some(m)
            }
            Some(v) => entry_for(&v, username),
            None => None,
        };
        if let Some(m) = found {
            for (k, v) in m {
                merged.entry(k).or_insert(v);
            }
            steps.push(sent);
        }
    }
    Ok((!merged.is_empty()).then(|| (Value::Object(merged), steps)))
}
