//! The stateful phase: sequences over a resource. A POST on a collection
//! creates one; its id (from the spec's `links`, a body field named after the
//! item's path parameter or `id`, or the `Location` header) feeds the item
//! operations: GET it (it must be found), send PUT/PATCH requests the spec
//! forbids (a rejected one must leave it unchanged), DELETE it, GET it again
//! (it must be gone). Every request is also checked like any other.

use crate::case::{judge, render, Case, Phase, Purpose, Sent};
use crate::cases::Maker;
use crate::check::Check;
use crate::finding::Answer;
use crate::run::{Candidate, Shared};
use seam_openapi::model::ParamLocation;
use seam_openapi::Operation;
use serde_json::Value;

/// A collection's POST and the operations on its items.
struct Resource {
    create: usize,
    /// The item path's parameter (`itemId` in `/items/{itemId}`).
    param: String,
    get: Option<usize>,
    writes: Vec<usize>,
    delete: Option<usize>,
    /// From the POST's `links`: the runtime expression giving the id.
    link_expression: Option<String>,
}

fn find(shared: &Shared<'_>, selected: &[usize], method: &str, path: &str) -> Option<usize> {
    selected.iter().copied().find(|&i| {
        shared.spec.operations[i].method == method && shared.spec.operations[i].path == path
    })
}

fn resources(shared: &Shared<'_>, selected: &[usize]) -> Vec<Resource> {
    let ops = &shared.spec.operations;
    let mut out = Vec::new();
    for &i in selected {
        let post = &ops[i];
        if post.method != "POST" {
            continue;
        }
        // /items/{itemId}: one more segment, a parameter
        let mut items: Vec<(String, String)> = ops
            .iter()
            .filter_map(|o| {
                let rest = o.path.strip_prefix(post.path.trim_end_matches('/'))?;
                let param = rest.strip_prefix("/{")?.strip_suffix('}')?;
                (!param.contains(['/', '{', '}'])).then(|| (o.path.clone(), param.to_string()))
            })
            .collect();
        items.dedup();
        if let Some((item_path, param)) = items.into_iter().next() {
            let link_expression = link_for(post, &param);
            out.push(resource(
                shared,
                selected,
                i,
                &item_path,
                param,
                link_expression,
            ));
        }
        // the spec's own links from the POST's answers to a GET elsewhere
        for (target, param, expression) in links_to_reads(shared, selected, post) {
            let path = ops[target].path.clone();
            if !out.iter().any(|r| r.create == i && r.get == Some(target)) {
                out.push(resource(
                    shared,
                    selected,
                    i,
                    &path,
                    param,
                    Some(expression),
                ));
            }
        }
    }
    out
}

/// The operations on `item_path`, created by the POST `create`.
fn resource(
    shared: &Shared<'_>,
    selected: &[usize],
    create: usize,
    item_path: &str,
    param: String,
    link_expression: Option<String>,
) -> Resource {
    Resource {
        create,
        get: find(shared, selected, "GET", item_path),
        writes: ["PUT", "PATCH"]
            .iter()
            .filter_map(|m| find(shared, selected, m, item_path))
            .collect(),
        delete: find(shared, selected, "DELETE", item_path),
        param,
        link_expression,
    }
}

/// The POST's `links` that name a GET (by `operationId` or `operationRef`)
/// and give one of its path parameters from the answer: (the GET, the
/// parameter, the runtime expression).
fn links_to_reads(
    shared: &Shared<'_>,
    selected: &[usize],
    post: &Operation,
) -> Vec<(usize, String, String)> {
    let ops = &shared.spec.operations;
    let mut out = Vec::new();
    for (_, link) in post.responses.iter().flat_map(|r| &r.links) {
        let target = if let Some(id) = link.get("operationId").and_then(Value::as_str) {
            selected
                .iter()
                .copied()
                .find(|&i| ops[i].operation_id.as_deref() == Some(id))
        } else if let Some(r) = link.get("operationRef").and_then(Value::as_str) {
            let pointer = r.trim_start_matches('#');
            selected
                .iter()
                .copied()
                .find(|&i| ops[i].pointer.trim_start_matches('#') == pointer)
        } else {
            None
        };
        let Some(target) = target.filter(|&t| ops[t].method == "GET") else {
            continue;
        };
        let Some(params) = link.get("parameters").and_then(Value::as_object) else {
            continue;
        };
        for (name, expr) in params {
            // `path.itemId` or `itemId`
            let name = name.strip_prefix("path.").unwrap_or(name);
            let is_path_param = ops[target]
                .parameters
                .iter()
                .any(|p| p.location == ParamLocation::Path && p.name == name);
            if let (true, Some(expr)) = (is_path_param, expr.as_str()) {
                if expr.starts_with("$response.") {
                    out.push((target, name.to_string(), expr.to_string()));
                    break;
                }
            }
        }
    }
    out
}

/// The runtime expression a POST's success response links to the item
/// parameter with (`$response.body#/id`).
fn link_for(post: &Operation, param: &str) -> Option<String> {
    post.responses
        .iter()
        .flat_map(|r| &r.links)
        .filter_map(|(_, link)| link.get("parameters")?.get(param)?.as_str())
        .map(str::to_string)
        .next()
}

/// The new resource's id from the POST's answer.
fn created_id(resource: &Resource, answer: &Answer) -> Option<Value> {
    let body: Option<Value> = serde_json::from_slice(&answer.body).ok();
    if let Some(expr) = &resource.link_expression {
        if let Some(ptr) = expr.strip_prefix("$response.body#") {
            if let Some(v) = body.as_ref().and_then(|b| b.pointer(ptr)) {
                return Some(v.clone());
            }
        }
        if let Some(h) = expr.strip_prefix("$response.header.") {
            if let Some(v) = answer.header(h) {
                return Some(Value::String(v.to_string()));
            }
        }
    }
    if let Some(b) = body.as_ref() {
        for name in [resource.param.as_str(), "id"] {
            if let Some(v) = b.get(name).filter(|v| v.is_string() || v.is_number()) {
                return Some(v.clone());
            }
        }
    }
    let location = answer.header("location")?;
    let last = location.trim_end_matches('/').rsplit('/').next()?;
    (!last.is_empty()).then(|| Value::String(last.to_string()))
}

/// Runs the sequences of every resource.
pub(crate) async fn run(shared: &Shared<'_>, selected: &[usize]) {
    for resource in resources(shared, selected) {
        if shared.out_of_time() {
            return;
        }
        sequence(shared, &resource).await;
    }
}

async fn sequence(shared: &Shared<'_>, r: &Resource) {
    let maker = Maker {
        spec: shared.spec,
        seed: shared.options.seed,
    };
    let mut create = maker.base(r.create, Phase::Stateful, shared.options.seed);
    // references to other resources: ids the service itself gave
    if let Some(crate::case::CaseBody::Json { value, .. }) = &mut create.body {
        let harvested = shared
            .harvested
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut refers = false;
        let mut at = "body".to_string();
        crate::run::replace_ids(value, &harvested, &mut refers, &mut at, "", false);
    }
    let op = &shared.spec.operations[r.create];
    let create_sent = render(op, &create, &shared.credentials());
    if !judge(shared.spec, &shared.schemas, op, &create, &create_sent).is_valid() {
        return;
    }
    let Some(Ok(created)) = shared.try_case(&create, &[]).await else {
        return;
    };
    if !(200..300).contains(&created.status) {
        return;
    }
    let Some(id) = created_id(r, &created) else {
        return;
    };
    let mut steps = vec![create_sent];
    let item_case = |index: usize| {
        let mut c = maker.base(index, Phase::Stateful, shared.options.seed);
        c.set_param(ParamLocation::Path, &r.param, id.clone());
        c
    };
    // the created resource can be read
    let mut before: Option<Value> = None;
    if let Some(get) = r.get {
        let case = item_case(get);
        let Some(Ok(read)) = shared.try_case(&case, &steps).await else {
            return;
        };
        if matches!(read.status, 404 | 410) {
            let again = shared.try_case(&case, &steps).await;
            if matches!(&again, Some(Ok(a)) if matches!(a.status, 404 | 410)) {
                found(
                    shared,
                    get,
                    Check::CreatedNotFound,
                    &case,
                    &read,
                    &steps,
                    format!(
                        "{} answered {} with id {id}, but {} answered {}",
                        shared.spec.operations[r.create].label(),
                        created.status,
                        shared.spec.operations[get].label(),
                        read.status
                    ),
                );
            }
            return;
        }
        if (200..300).contains(&read.status) {
            before = stable_read(shared, &case, &steps, &read).await;
        }
    }
    // rejected writes leave it as it was
    for &write in &r.writes {
        let cases = maker.coverage(write, false);
        let mut tried = 0;
        for mut case in cases {
            if tried >= 12 || shared.out_of_time() {
                break;
            }
            if case.purpose != Purpose::Data {
                continue;
            }
            case.phase = Phase::Stateful;
            case.set_param(ParamLocation::Path, &r.param, id.clone());
            let wop = &shared.spec.operations[write];
            let sent = render(wop, &case, &shared.credentials());
            if judge(shared.spec, &shared.schemas, wop, &case, &sent).is_valid() {
                continue;
            }
            // only body changes: a broken path or query does not reach the resource
            if case
                .mutation
                .as_deref()
                .is_some_and(|m| !m.starts_with("body"))
            {
                continue;
            }
            tried += 1;
            let Some(Ok(answer)) = shared.try_case(&case, &steps).await else {
                return;
            };
            let (Some(get), Some(old)) = (r.get, before.clone()) else {
                continue;
            };
            let read_case = item_case(get);
            let Some(Ok(read)) = shared.try_case(&read_case, &steps).await else {
                return;
            };
            let now: Option<Value> = serde_json::from_slice(&read.body).ok();
            if (400..500).contains(&answer.status) && now.as_ref() != Some(&old) {
                found(
                    shared,
                    write,
                    Check::FailedWriteChangedState,
                    &case,
                    &answer,
                    &steps,
                    format!(
                        "answered {} to {}, but the resource changed: before {}, after {}",
                        answer.status,
                        case.mutation.as_deref().unwrap_or("the request"),
                        compact(&old),
                        now.as_ref()
                            .map(compact)
                            .unwrap_or_else(|| "(not JSON)".into())
                    ),
                );
                break;
            }
            before = now;
        }
    }
    // a deleted resource is gone
    if let Some(delete) = r.delete {
        let case = item_case(delete);
        let dop = &shared.spec.operations[delete];
        let delete_sent = render(dop, &case, &shared.credentials());
        let Some(Ok(deleted)) = shared.try_case(&case, &steps).await else {
            return;
        };
        if !(200..300).contains(&deleted.status) {
            return;
        }
        steps.push(delete_sent);
        if let Some(get) = r.get {
            let read_case = item_case(get);
            let Some(Ok(read)) = shared.try_case(&read_case, &steps).await else {
                return;
            };
            if (200..300).contains(&read.status) {
                let again = shared.try_case(&read_case, &steps).await;
                if matches!(&again, Some(Ok(a)) if (200..300).contains(&a.status)) {
                    found(
                        shared,
                        get,
                        Check::UseAfterDelete,
                        &read_case,
                        &read,
                        &steps,
                        format!(
                            "{} answered {} for id {id}, yet {} still answers {}",
                            dop.label(),
                            deleted.status,
                            shared.spec.operations[get].label(),
                            read.status
                        ),
                    );
                }
            }
        }
    }
}

/// The resource read once more; `None` when two reads differ (it changes on
/// its own, so a difference after a write proves nothing).
async fn stable_read(
    shared: &Shared<'_>,
    case: &Case,
    steps: &[Sent],
    first: &Answer,
) -> Option<Value> {
    let Some(Ok(second)) = shared.try_case(case, steps).await else {
        return None;
    };
    let a: Value = serde_json::from_slice(&first.body).ok()?;
    let b: Value = serde_json::from_slice(&second.body).ok()?;
    (a == b).then_some(a)
}

fn compact(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

#[allow(clippy::too_many_arguments)]
fn found(
    shared: &Shared<'_>,
    index: usize,
    check: Check,
    case: &Case,
    answer: &Answer,
    steps: &[Sent],
    message: String,
) {
    let op = &shared.spec.operations[index];
    if !shared.on(op, check) {
        return;
    }
    let sent = render(op, case, &shared.credentials());
    shared.record(
        index,
        case,
        sent,
        &Ok(answer.clone()),
        Candidate {
            check,
            key: String::new(),
            message,
            pointer: op.pointer.clone(),
        },
        false,
        steps.to_vec(),
    );
}
