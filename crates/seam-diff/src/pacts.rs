//! Which consumers each change hits (`seam diff --pacts DIR`): every HTTP
//! interaction of the pacts is routed to an operation of the revision (or, for
//! an operation the revision removed, of the base), and an ERR or WARN change
//! hits an interaction when the operation is the change's and:
//!
//! - for a property-level change (an arg the rule's message calls a request or
//!   response property names the path, `items/qty`), the interaction's body on the rule's side (request or
//!   response, from the rules table) uses that property — or, for a property
//!   the request must now send, lacks it while holding its parent; a response
//!   change must also be for the status the interaction expects;
//! - for any other change (an endpoint, a parameter, a whole body), always.

use crate::change::{Change, Level};
use crate::report::ConsumerHit;
use crate::rules;
use seam_core::http::Body;
use seam_core::interaction::Exchange;
use seam_openapi::router::{Route, Router};
use seam_openapi::Spec;
use seam_pact::Pact;
use serde_json::Value;

/// One HTTP interaction as the join needs it.
struct Use<'p> {
    /// The operation labels it routes to (`GET /pets/{petId}`) in the revision
    /// and the base.
    operations: Vec<String>,
    request_body: &'p Body,
    response_body: &'p Body,
    status: u16,
}

/// The consumers of a set of pacts and their HTTP interactions, routed.
pub struct Consumers<'p> {
    consumers: Vec<(String, Vec<Use<'p>>)>,
}

impl<'p> Consumers<'p> {
    /// Routes every HTTP interaction of `pacts` in both specs; consumers in
    /// order of first appearance (one consumer's pacts with several providers
    /// count together).
    pub fn new(pacts: &'p [Pact], base: &Spec, revision: &Spec) -> Consumers<'p> {
        let routers = [Router::new(revision), Router::new(base)];
        let mut consumers: Vec<(String, Vec<Use<'p>>)> = Vec::new();
        for pact in pacts {
            let at = match consumers
                .iter()
                .position(|(name, _)| *name == pact.consumer)
            {
                Some(at) => at,
                None => {
                    consumers.push((pact.consumer.clone(), Vec::new()));
                    consumers.len() - 1
                }
            };
            for interaction in &pact.interactions {
                let Exchange::Http { request, response } = &interaction.exchange else {
                    continue;
                };
                let mut operations = Vec::new();
                for router in &routers {
                    if let Route::Found { operation, .. } =
                        router.find(&request.request.method, &request.request.path)
                    {
                        let label = operation.label();
                        if !operations.contains(&label) {
                            operations.push(label);
                        }
                    }
                }
                consumers[at].1.push(Use {
                    operations,
                    request_body: &request.request.body,
                    response_body: &response.response.body,
                    status: response.response.status,
                });
            }
        }
        Consumers { consumers }
    }

    /// For an ERR or WARN change, each consumer and how many of its
    /// interactions the change hits; `None` for INFO.
    pub fn hits(&self, change: &Change) -> Option<Vec<ConsumerHit>> {
        if change.level < Level::Warn {
            return None;
        }
        let operation = change.operation.as_deref()?;
        Some(
            self.consumers
                .iter()
                .map(|(consumer, uses)| {
                    let interactions = uses
                        .iter()
                        .filter(|u| u.operations.iter().any(|o| o == operation))
                        .filter(|u| hits(change, u))
                        .count();
                    ConsumerHit {
                        consumer: consumer.clone(),
                        interactions,
                        hit: interactions > 0,
                    }
                })
                .collect::<Vec<_>>(),
        )
        .map(|mut hits| {
            hits.sort_by(|a, b| {
                b.interactions
                    .cmp(&a.interactions)
                    .then_with(|| a.consumer.cmp(&b.consumer))
            });
            hits
        })
    }
}

/// Whether a change of the interaction's operation hits the interaction.
fn hits(change: &Change, used: &Use) -> bool {
    let Some(rule) = rules::get(&change.id) else {
        return true;
    };
    let roles = ArgRoles::of(rule.message, &change.args);
    let status_differs = roles
        .status
        .and_then(|s| s.parse::<u16>().ok())
        .is_some_and(|status| status != used.status);
    if status_differs {
        return false;
    }
    let Some(property) = roles.property else {
        return true;
    };
    let response = rule.direction == "response";
    let body = if response {
        used.response_body
    } else {
        used.request_body
    };
    let segments = segments(property);
    let must_now_send = !response
        && (change.id.starts_with("new-required-request-property")
            || change.id.starts_with("request-property-became-required"));
    match body {
        Body::Json(value) if must_now_send => {
            let parent = &segments[..segments.len().saturating_sub(1)];
            uses(value, parent) && !uses(value, &segments)
        }
        // a request without a JSON body lacks the property it must now send
        _ if must_now_send => true,
        Body::Json(value) => uses(value, &segments),
        _ => false,
    }
}

/// Which of a change's args name a body property and a response status, read
/// from where they sit in the rule's message (`the %s response property`,
/// `request property %s`, `for the response status %s`).
#[derive(Debug, Default, PartialEq)]
struct ArgRoles<'a> {
    property: Option<&'a str>,
    status: Option<&'a str>,
}

impl<'a> ArgRoles<'a> {
    fn of(message: &str, args: &'a [String]) -> ArgRoles<'a> {
        // the text between placeholders: pieces[i] comes before arg i
        let pieces: Vec<&str> = message.split(['%']).collect();
        let mut texts = vec![pieces[0]];
        for piece in &pieces[1..] {
            // each piece after a `%` starts with the verb letter (`s`, `v`)
            texts.push(piece.get(1..).unwrap_or(""));
        }
        let mut roles = ArgRoles::default();
        for (index, arg) in args.iter().enumerate() {
            let (Some(before), Some(after)) = (texts.get(index), texts.get(index + 1)) else {
                break;
            };
            let before = before.trim_end();
            let after = after.trim_start();
            let header =
                before.ends_with("header's property") || after.starts_with("request header");
            let names_property = before.ends_with("property")
                || ["property", "request property", "response property"]
                    .iter()
                    .any(|p| after.starts_with(p));
            if names_property && !header && roles.property.is_none() {
                roles.property = Some(arg);
            } else if before.ends_with("status") && roles.status.is_none() {
                roles.status = Some(arg);
            }
        }
        roles
    }
}

/// A property path's segments (`a/items/b`), composition steps
/// (`allOf[#/components/schemas/Dog]`) left out: a body has no trace of them.
fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (at, c) in path.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '/' if depth == 0 => {
                out.push(&path[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out.retain(|s| !s.is_empty() && !s.contains('['));
    out
}

/// Whether `value` holds the property path (`items` steps into an array's elements).
fn uses(value: &Value, segments: &[&str]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return true;
    };
    match value {
        Value::Array(elements) if *first == "items" => elements.iter().any(|e| uses(e, rest)),
        Value::Array(elements) => elements.iter().any(|e| uses(e, segments)),
        Value::Object(map) => map.get(*first).is_some_and(|child| uses(child, rest)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn property_paths_walk_objects_and_arrays() {
        let body = json!({"items": [{"qty": 1}], "name": "x"});
        assert!(uses(&body, &segments("items/qty")));
        assert!(uses(&body, &segments("name")));
        assert!(!uses(&body, &segments("items/price")));
        assert!(uses(&json!([{"id": 1}]), &segments("items/id")));
        assert_eq!(
            segments("allOf[#/components/schemas/Dog]/breed"),
            vec!["breed"]
        );
    }

    #[test]
    fn the_property_and_status_args_are_found_by_the_message() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let enum_added = args(&["sold", "items/status", "200"]);
        let rule = rules::get("response-property-enum-value-added").unwrap();
        assert_eq!(
            ArgRoles::of(rule.message, &enum_added),
            ArgRoles {
                property: Some("items/status"),
                status: Some("200")
            }
        );
        let owner = args(&["owner"]);
        let rule = rules::get("new-required-request-property").unwrap();
        assert_eq!(ArgRoles::of(rule.message, &owner).property, Some("owner"));
        let header = args(&["X-Trace", "id"]);
        let rule = rules::get("new-required-request-header-property").unwrap();
        assert_eq!(ArgRoles::of(rule.message, &header).property, None);
    }
}
