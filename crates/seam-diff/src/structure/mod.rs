//! Everything in a diff that is not a schema comparison: operations matched
//! across versions, and for each the sites whose schemas [`crate::schema`] compares.
//!
//! - `endpoints`: operations added, removed, deprecated, sunset, stability,
//!   operationId, tags.
//! - `security`: global and per-operation security, component schemes.
//! - `components`: webhooks and component schemas added or removed.
//! - `parameters`, `bodies`, `responses`: one operation's parameters, request
//!   body, responses (existence, flags, media types, headers).
//! - `versioning`: `info.version` judged against the breaking changes found
//!   (only with [`Options::version_policy`](crate::Options)).

mod bodies;
mod components;
mod endpoints;
mod parameters;
mod responses;
mod security;
mod versioning;

use crate::change::Change;
use crate::context::Pair;
use crate::schema::{diff_schema, SchemaSite};
use seam_openapi::model::{MediaType, SchemaRef};
use seam_openapi::{Operation, Spec};
use serde_json::Value;

/// `/pets/{petId}` → `/pets/{}`: operations match across versions by method and
/// this, whatever their path parameters are called.
pub(crate) fn normalise_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// The operations present in both versions, paired.
fn matched<'a>(
    base: &'a [Operation],
    revision: &'a [Operation],
) -> Vec<(&'a Operation, &'a Operation)> {
    let keyed: std::collections::HashMap<(String, String), &Operation> = revision
        .iter()
        .map(|op| ((op.method.clone(), normalise_path(&op.path)), op))
        .collect();
    base.iter()
        .filter_map(|op| {
            keyed
                .get(&(op.method.clone(), normalise_path(&op.path)))
                .map(|rev| (op, *rev))
        })
        .collect()
}

fn schema_of<'s>(spec: &'s Spec, schema: &'s Option<SchemaRef>) -> Option<(&'s Value, &'s str)> {
    let schema = schema.as_ref()?;
    spec.schema(schema).map(|value| (value, schema.0.as_str()))
}

/// The media types of two `content` maps present in both, `(base, revision)`:
/// a refined or generalised name (`application/json` → `application/problem+json`)
/// pairs with the one it replaced, as oasdiff pairs them.
fn media_pairs<'m>(
    base: &'m [MediaType],
    revision: &'m [MediaType],
) -> Vec<(&'m MediaType, &'m MediaType)> {
    bodies::content::diff_content(base, revision).kept
}

/// Every structural change, and the schema changes of each matched site.
/// An operation present in both versions is named by the base's spelling of
/// its path (`GET /pets/{petId}` even when the revision calls it `{id}`), and
/// is left out when [`endpoints::stability_in_scope`] says so (a level below
/// the threshold, or one that cannot be read).
pub(crate) fn diff_structure<'a>(pair: &Pair<'a>, out: &mut Vec<Change>) {
    endpoints::diff_endpoints(pair, out);
    security::diff_global(pair, out);
    components::diff_components(pair, out);
    for (base, revision) in matched(&pair.base.operations, &pair.revision.operations) {
        let label = base.label();
        if endpoints::stability_in_scope(pair, &label, base, revision, out) {
            diff_operation(pair, &label, base, revision, out);
        }
    }
    for (base, revision) in matched(&pair.base.webhooks, &pair.revision.webhooks) {
        let label = format!("{} webhook:{}", base.method, base.path);
        if endpoints::stability_in_scope(pair, &label, base, revision, out) {
            diff_operation(pair, &label, base, revision, out);
        }
    }
    versioning::check_version_bump(pair, out);
}

/// Every change of an operation present in both versions.
fn diff_operation<'a>(
    pair: &Pair<'a>,
    label: &str,
    base: &'a Operation,
    revision: &'a Operation,
    out: &mut Vec<Change>,
) {
    endpoints::diff_operation(pair, label, base, revision, out);
    security::diff_operation(pair, label, base, revision, out);
    parameters::diff_parameters(pair, label, base, revision, out);
    bodies::diff_request_body(pair, label, base, revision, out);
    responses::diff_responses(pair, label, base, revision, out);
    diff_operation_schemas(pair, label, base, revision, out);
}

/// Hands every schema site present in both versions of an operation to [`diff_schema`].
fn diff_operation_schemas<'a>(
    pair: &Pair<'a>,
    label: &str,
    base: &'a Operation,
    revision: &'a Operation,
    out: &mut Vec<Change>,
) {
    let (b, r) = (pair.base, pair.revision);
    let mut compare =
        |site: SchemaSite, base: &'a Option<SchemaRef>, rev: &'a Option<SchemaRef>| {
            diff_schema(
                pair,
                label,
                revision,
                &site,
                schema_of(b, base),
                schema_of(r, rev),
                out,
            )
        };
    if let (Some(base_body), Some(rev_body)) = (&base.request_body, &revision.request_body) {
        for (base_media, rev_media) in media_pairs(&base_body.content, &rev_body.content) {
            compare(
                SchemaSite::RequestBody {
                    media_type: &rev_media.media_type,
                },
                &base_media.schema,
                &rev_media.schema,
            );
        }
    }
    for rev_param in &revision.parameters {
        if let Some(base_param) = parameter_pair(base, revision, rev_param) {
            compare(
                SchemaSite::Parameter {
                    location: rev_param.location.as_str(),
                    name: &rev_param.name,
                },
                &base_param.schema,
                &rev_param.schema,
            );
        }
    }
    for rev_response in &revision.responses {
        let Some(base_response) = base
            .responses
            .iter()
            .find(|x| x.status == rev_response.status)
        else {
            continue;
        };
        let status = rev_response.status.to_string();
        for (base_media, rev_media) in media_pairs(&base_response.content, &rev_response.content) {
            compare(
                SchemaSite::ResponseBody {
                    status: &status,
                    media_type: &rev_media.media_type,
                },
                &base_media.schema,
                &rev_media.schema,
            );
        }
        for rev_header in &rev_response.headers {
            if let Some(base_header) = base_response
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(&rev_header.name))
            {
                compare(
                    SchemaSite::ResponseHeader {
                        status: &status,
                        name: &rev_header.name,
                    },
                    &base_header.schema,
                    &rev_header.schema,
                );
            }
        }
    }
}

/// The base version of a revision parameter: same location and name (header
/// names case-insensitively); a path parameter by its position in the template
/// when it was renamed.
pub(crate) fn parameter_pair<'a>(
    base: &'a Operation,
    revision: &Operation,
    rev_param: &seam_openapi::model::Parameter,
) -> Option<&'a seam_openapi::model::Parameter> {
    use seam_openapi::model::ParamLocation;
    let same_name = |p: &&seam_openapi::model::Parameter| {
        p.location == rev_param.location
            && if p.location == ParamLocation::Header {
                p.name.eq_ignore_ascii_case(&rev_param.name)
            } else {
                p.name == rev_param.name
            }
    };
    if let Some(found) = base.parameters.iter().find(same_name) {
        return Some(found);
    }
    if rev_param.location != ParamLocation::Path {
        return None;
    }
    let position = path_params(&revision.path)
        .iter()
        .position(|n| *n == rev_param.name)?;
    let base_name = path_params(&base.path).get(position)?.to_string();
    base.parameters
        .iter()
        .find(|p| p.location == ParamLocation::Path && p.name == base_name)
}

/// The parameter names of a path template, in order.
pub(crate) fn path_params(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_whatever_their_parameters_are_called() {
        assert_eq!(
            normalise_path("/pets/{petId}/toys/{id}"),
            "/pets/{}/toys/{}"
        );
        assert_eq!(
            normalise_path("/pets/{id}"),
            normalise_path("/pets/{petId}")
        );
        assert_eq!(path_params("/a/{x}/b/{y}"), vec!["x", "y"]);
    }
}
