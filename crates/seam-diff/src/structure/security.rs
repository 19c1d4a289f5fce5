//! Security across versions: the global requirements, each operation's requirements and scopes, and the security schemes under `components`.
//!
//! A `security` list is a set of alternatives (any one satisfied is enough),
//! each naming schemes that must all be met. Alternatives are paired across
//! versions first when identical, then by their set of scheme names when that
//! set is unambiguous on both sides (the scope changes are then reported);
//! whatever is left was removed or added. An operation's own `security` is
//! compared, not the global one it may inherit (that is reported once, as
//! `api-global-security-*`).

use crate::change::Change;
use crate::context::{resolve, Pair};
use crate::lifecycle;
use seam_openapi::model::pointer_join;
use seam_openapi::{Operation, Spec};
use serde_json::{Map, Value};

/// One alternative: scheme names (sorted) with their scopes as written.
type Requirement = Vec<(String, Vec<String>)>;

/// The requirements of a `security` list as written (none when absent).
fn requirements(list: Option<&Value>) -> Vec<Requirement> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|requirement| {
            let mut schemes: Requirement = requirement
                .iter()
                .map(|(name, scopes)| {
                    let scopes = scopes
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect();
                    (name.clone(), scopes)
                })
                .collect();
            schemes.sort_by(|a, b| a.0.cmp(&b.0));
            schemes
        })
        .collect()
}

fn scheme_names(requirement: &Requirement) -> Vec<&str> {
    requirement.iter().map(|(name, _)| name.as_str()).collect()
}

/// Scopes of each scheme added and removed from `base` to `revision` (two
/// requirements with the same schemes).
fn scope_changes<'r>(
    base: &'r Requirement,
    revision: &'r Requirement,
) -> Vec<(&'r str, Vec<&'r str>, Vec<&'r str>)> {
    base.iter()
        .zip(revision)
        .map(|((name, old), (_, new))| {
            let added = new
                .iter()
                .filter(|s| !old.contains(s))
                .map(String::as_str)
                .collect();
            let removed = old
                .iter()
                .filter(|s| !new.contains(s))
                .map(String::as_str)
                .collect();
            (name.as_str(), added, removed)
        })
        .filter(|(_, added, removed): &(_, Vec<_>, Vec<_>)| {
            !added.is_empty() || !removed.is_empty()
        })
        .collect()
}

/// `petstore_auth: [read:pets, write:pets]`, schemes joined by ` AND `
/// (oasdiff's rendering; scopes sorted).
fn describe(requirement: &Requirement) -> String {
    requirement
        .iter()
        .map(|(name, scopes)| {
            let mut scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            scopes.sort_unstable();
            format!("{name}: [{}]", scopes.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// How two `security` lists differ.
#[derive(Default)]
struct RequirementsDiff<'r> {
    added: Vec<&'r Requirement>,
    removed: Vec<&'r Requirement>,
    /// Scheme name, scopes added, scopes removed.
    scopes: Vec<(&'r str, Vec<&'r str>, Vec<&'r str>)>,
}

fn diff_requirements<'r>(
    base: &'r [Requirement],
    revision: &'r [Requirement],
) -> RequirementsDiff<'r> {
    let mut base_paired = vec![false; base.len()];
    let mut revision_paired = vec![false; revision.len()];
    // identical alternatives
    for (i, requirement) in base.iter().enumerate() {
        let same = (0..revision.len())
            .find(|&j| !revision_paired[j] && same_scopes(requirement, &revision[j]));
        if let Some(j) = same {
            base_paired[i] = true;
            revision_paired[j] = true;
        }
    }
    // the same schemes with other scopes, when the pairing is unambiguous
    let unique = |reqs: &[Requirement], paired: &[bool], names: &[&str]| {
        (0..reqs.len())
            .filter(|&k| !paired[k] && scheme_names(&reqs[k]) == names)
            .count()
            == 1
    };
    let mut diff = RequirementsDiff::default();
    for (i, requirement) in base.iter().enumerate() {
        let names = scheme_names(requirement);
        if base_paired[i] || !unique(base, &base_paired, &names) {
            continue;
        }
        let Some(j) = (0..revision.len())
            .find(|&j| !revision_paired[j] && scheme_names(&revision[j]) == names)
        else {
            continue;
        };
        if !unique(revision, &revision_paired, &names) {
            continue;
        }
        base_paired[i] = true;
        revision_paired[j] = true;
        diff.scopes.extend(scope_changes(requirement, &revision[j]));
    }
    diff.removed = (0..base.len())
        .filter(|&i| !base_paired[i])
        .map(|i| &base[i])
        .collect();
    diff.added = (0..revision.len())
        .filter(|&j| !revision_paired[j])
        .map(|j| &revision[j])
        .collect();
    diff
}

/// Same schemes, and each with the same set of scopes.
fn same_scopes(a: &Requirement, b: &Requirement) -> bool {
    scheme_names(a) == scheme_names(b)
        && a.iter().zip(b).all(|((_, x), (_, y))| {
            x.iter().all(|s| y.contains(s)) && y.iter().all(|s| x.contains(s))
        })
}

/// The rule ids for one kind of `security` list.
struct SecurityIds {
    added: &'static str,
    removed: &'static str,
    scope_added: &'static str,
    scope_removed: &'static str,
}

const GLOBAL: SecurityIds = SecurityIds {
    added: "api-global-security-added",
    removed: "api-global-security-removed",
    scope_added: "api-global-security-scope-added",
    scope_removed: "api-global-security-scope-removed",
};

const OPERATION: SecurityIds = SecurityIds {
    added: "api-security-added",
    removed: "api-security-removed",
    scope_added: "api-security-scope-added",
    scope_removed: "api-security-scope-removed",
};

/// Reports how two `security` lists differ. An empty alternative (`- {}`:
/// no credentials) is not named as added or removed.
fn report(
    pair: &Pair,
    ids: &SecurityIds,
    label: Option<&str>,
    (base, revision): (Option<&Value>, Option<&Value>),
    (base_pointer, revision_pointer): (&str, &str),
    out: &mut Vec<Change>,
) {
    let (base, revision) = (requirements(base), requirements(revision));
    let diff = diff_requirements(&base, &revision);
    let change = |id: &str, args: Vec<String>| {
        pair.change(id, label, args, Some(base_pointer), Some(revision_pointer))
    };
    for requirement in diff.added.iter().filter(|r| !r.is_empty()) {
        out.push(change(ids.added, vec![describe(requirement)]));
    }
    for requirement in diff.removed.iter().filter(|r| !r.is_empty()) {
        out.push(change(ids.removed, vec![describe(requirement)]));
    }
    for (scheme, added, removed) in diff.scopes {
        for scope in added {
            out.push(change(
                ids.scope_added,
                vec![scope.to_string(), scheme.to_string()],
            ));
        }
        for scope in removed {
            out.push(change(
                ids.scope_removed,
                vec![scope.to_string(), scheme.to_string()],
            ));
        }
    }
}

/// The document's global security and its security schemes.
pub(crate) fn diff_global(pair: &Pair, out: &mut Vec<Change>) {
    report(
        pair,
        &GLOBAL,
        None,
        (
            pair.base.document.get("security"),
            pair.revision.document.get("security"),
        ),
        ("#/security", "#/security"),
        out,
    );
    diff_schemes(pair, out);
}

/// An operation's own security requirements and scopes.
pub(crate) fn diff_operation(
    pair: &Pair,
    label: &str,
    base: &Operation,
    revision: &Operation,
    out: &mut Vec<Change>,
) {
    let own = |spec: &'_ Spec, op: &Operation| -> (Option<Value>, String) {
        let security = lifecycle::operation_object(spec, op).and_then(|o| o.get("security"));
        let pointer = match security {
            Some(_) => pointer_join(&op.pointer, "security"),
            None => op.pointer.clone(),
        };
        (security.cloned(), pointer)
    };
    let (base_security, base_pointer) = own(pair.base, base);
    let (revision_security, revision_pointer) = own(pair.revision, revision);
    report(
        pair,
        &OPERATION,
        Some(label),
        (base_security.as_ref(), revision_security.as_ref()),
        (&base_pointer, &revision_pointer),
        out,
    );
}

/// `components.securitySchemes`, each `$ref` followed, with its pointer.
fn schemes(spec: &Spec) -> Vec<(&String, &Value, String)> {
    let Some(map) = spec
        .document
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return vec![];
    };
    map.iter()
        .map(|(name, value)| {
            let pointer = pointer_join("#/components/securitySchemes", name);
            let (value, pointer) = resolve(spec, value, &pointer);
            (name, value, pointer)
        })
        .collect()
}

/// Security schemes added, removed, or changed in type, OAuth URLs or scopes.
fn diff_schemes(pair: &Pair, out: &mut Vec<Change>) {
    let (base, revision) = (schemes(pair.base), schemes(pair.revision));
    let find = |list: &[(&String, &Value, String)], name: &str| {
        list.iter().position(|(n, _, _)| n.as_str() == name)
    };
    for (name, _, pointer) in &base {
        if find(&revision, name).is_none() {
            out.push(pair.change(
                "api-security-component-removed",
                None,
                vec![name.to_string()],
                Some(pointer),
                None,
            ));
        }
    }
    for (name, new, revision_pointer) in &revision {
        let Some(i) = find(&base, name) else {
            out.push(pair.change(
                "api-security-component-added",
                None,
                vec![name.to_string()],
                None,
                Some(revision_pointer),
            ));
            continue;
        };
        let (_, old, base_pointer) = &base[i];
        let mut found = Vec::new();
        scheme_changes(name, old, new, &mut found);
        for (id, args) in found {
            let change = pair.change(id, None, args, Some(base_pointer), Some(revision_pointer));
            if !out.contains(&change) {
                out.push(change);
            }
        }
    }
}

fn text_of(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// What changed in one security scheme: its type, and in every OAuth flow
/// both versions have, the authorization and token URLs and the scopes.
fn scheme_changes(
    name: &str,
    old: &Value,
    new: &Value,
    found: &mut Vec<(&'static str, Vec<String>)>,
) {
    let (old_type, new_type) = (text_of(old.get("type")), text_of(new.get("type")));
    if old_type != new_type {
        found.push((
            "api-security-component-type-changed",
            vec![name.to_string(), old_type, new_type],
        ));
    }
    let flows = |scheme: &Value| {
        scheme
            .get("flows")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (old_flows, new_flows) = (flows(old), flows(new));
    for (flow, new_flow) in &new_flows {
        let Some(old_flow) = old_flows.get(flow) else {
            continue;
        };
        for (key, id) in [
            (
                "authorizationUrl",
                "api-security-component-oauth-url-changed",
            ),
            ("tokenUrl", "api-security-component-oauth-token-url-changed"),
        ] {
            let (from, to) = (text_of(old_flow.get(key)), text_of(new_flow.get(key)));
            if from != to {
                found.push((id, vec![name.to_string(), from, to]));
            }
        }
        let scopes = |f: &Value| -> Map<String, Value> {
            f.get("scopes")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let (old_scopes, new_scopes) = (scopes(old_flow), scopes(new_flow));
        for (scope, description) in &new_scopes {
            match old_scopes.get(scope) {
                None => found.push((
                    "api-security-component-oauth-scope-added",
                    vec![name.to_string(), scope.clone()],
                )),
                Some(old_description) if old_description != description => found.push((
                    "api-security-component-oauth-scope-changed",
                    vec![
                        name.to_string(),
                        scope.clone(),
                        text_of(Some(old_description)),
                        text_of(Some(description)),
                    ],
                )),
                Some(_) => {}
            }
        }
        for scope in old_scopes.keys().filter(|s| !new_scopes.contains_key(*s)) {
            found.push((
                "api-security-component-oauth-scope-removed",
                vec![name.to_string(), scope.clone()],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requirements_render_with_sorted_scopes() {
        let list = json!([{"petstore_auth": ["write:pets", "read:pets"], "api_key": []}]);
        let reqs = requirements(Some(&list));
        assert_eq!(
            describe(&reqs[0]),
            "api_key: [] AND petstore_auth: [read:pets, write:pets]"
        );
    }

    #[test]
    fn alternatives_pair_exactly_then_by_schemes_when_unambiguous() {
        let base = requirements(Some(&json!([{"a": ["x"]}, {"b": ["y"]}])));
        let revision = requirements(Some(&json!([{"b": ["y", "z"]}, {"a": ["x"]}, {"c": []}])));
        let diff = diff_requirements(&base, &revision);
        assert!(diff.removed.is_empty());
        assert_eq!(diff.added.len(), 1);
        assert_eq!(describe(diff.added[0]), "c: []");
        assert_eq!(diff.scopes, vec![("b", vec!["z"], vec![])]);

        // two changed alternatives of the same scheme: no guessing which became which
        let base = requirements(Some(&json!([{"a": ["x"]}, {"a": ["y"]}])));
        let revision = requirements(Some(&json!([{"a": ["z"]}, {"a": ["w"]}])));
        let diff = diff_requirements(&base, &revision);
        assert!(diff.scopes.is_empty());
        assert_eq!(diff.removed.len(), 2);
        assert_eq!(diff.added.len(), 2);
    }
}
