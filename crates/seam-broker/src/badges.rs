//! Badges drawn by the broker itself, as SVG, with no call to an outside
//! service: a pact's verification status (latest, per consumer tag,
//! untagged, tag against provider tag) and can-i-deploy (tag to tag, branch
//! to environment). A badge always answers 200, "unknown" when there is
//! nothing to judge, so a README never shows a broken image.

use crate::answer::{ApiResult, Shared};
use crate::matrix;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route(
        "/pacts/provider/{provider}/consumer/{consumer}/latest/badge",
        get(latest_pact_badge),
    )
    .route(
        "/pacts/provider/{provider}/consumer/{consumer}/latest-untagged/badge",
        get(untagged_pact_badge),
    )
    .route(
        "/pacts/provider/{provider}/consumer/{consumer}/latest/{tag}/badge",
        get(tagged_pact_badge),
    )
    .route(
        "/matrix/provider/{provider}/latest/{provider_tag}/consumer/{consumer}/latest/{consumer_tag}/badge",
        get(matrix_badge),
    )
    .route(
        "/pacticipants/{name}/latest-version/{tag}/can-i-deploy/to/{to}/badge",
        get(can_i_deploy_tag_badge),
    )
    .route(
        "/pacticipants/{name}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}/badge",
        get(can_i_deploy_branch_badge),
    )
}

/// `?label=` replaces the left-hand text; `?initials=true` shortens the
/// pacticipants' names to their initials.
#[derive(Debug, Default, Deserialize)]
struct BadgeQuery {
    label: Option<String>,
    initials: Option<String>,
}

/// What a badge says on its right.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Status {
    Verified,
    Failed,
    Unknown,
}

impl Status {
    fn text(self) -> &'static str {
        match self {
            Status::Verified => "verified",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
        }
    }
}

fn color(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "#4c1",
        Some(false) => "#e05d44",
        None => "#9f9f9f",
    }
}

fn initials(name: &str) -> String {
    name.split(['-', '_', ' ', '.'])
        .filter_map(|word| word.chars().next())
        .collect::<String>()
        .to_lowercase()
}

fn pact_label(q: &BadgeQuery, consumer: &str, provider: &str) -> String {
    if let Some(label) = &q.label {
        return label.clone();
    }
    if q.initials.as_deref() == Some("true") {
        format!("{}/{} pact", initials(consumer), initials(provider))
    } else {
        format!("{consumer}/{provider} pact")
    }
}

/// The status of the newest verification of a pact version, optionally
/// only by provider versions with `provider_tag`.
async fn verification_status(
    state: &Shared,
    pact_version_id: i64,
    provider_tag: Option<&str>,
) -> Result<Status, crate::answer::ApiError> {
    for v in state.store.verifications_of(pact_version_id).await? {
        if let Some(tag) = provider_tag {
            if !state
                .store
                .tags_of(v.provider_version_id)
                .await?
                .iter()
                .any(|t| t == tag)
            {
                continue;
            }
        }
        return Ok(if v.success {
            Status::Verified
        } else {
            Status::Failed
        });
    }
    Ok(Status::Unknown)
}

/// Which of a consumer's publications a pact badge is about.
enum Pick<'a> {
    Latest,
    Tagged(&'a str),
    Untagged,
}

async fn pact_status(
    state: &Shared,
    consumer: &str,
    provider: &str,
    pick: Pick<'_>,
    provider_tag: Option<&str>,
) -> Result<Status, crate::answer::ApiError> {
    for p in state
        .store
        .publications(Some(consumer), Some(provider))
        .await?
    {
        let wanted = match pick {
            Pick::Latest => true,
            Pick::Tagged(tag) => state
                .store
                .tags_of(p.consumer_version_id)
                .await?
                .iter()
                .any(|t| t == tag),
            Pick::Untagged => state.store.tags_of(p.consumer_version_id).await?.is_empty(),
        };
        if wanted {
            return verification_status(state, p.pact_version_id, provider_tag).await;
        }
    }
    Ok(Status::Unknown)
}

fn pact_badge(q: &BadgeQuery, consumer: &str, provider: &str, status: Status) -> ApiResult {
    let ok = match status {
        Status::Verified => Some(true),
        Status::Failed => Some(false),
        Status::Unknown => None,
    };
    Ok(svg_response(draw(
        &pact_label(q, consumer, provider),
        status.text(),
        color(ok),
    )))
}

async fn latest_pact_badge(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
    Query(q): Query<BadgeQuery>,
) -> ApiResult {
    let status = pact_status(&state, &consumer, &provider, Pick::Latest, None).await?;
    pact_badge(&q, &consumer, &provider, status)
}

async fn untagged_pact_badge(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
    Query(q): Query<BadgeQuery>,
) -> ApiResult {
    let status = pact_status(&state, &consumer, &provider, Pick::Untagged, None).await?;
    pact_badge(&q, &consumer, &provider, status)
}

async fn tagged_pact_badge(
    State(state): State<Shared>,
    Path((provider, consumer, tag)): Path<(String, String, String)>,
    Query(q): Query<BadgeQuery>,
) -> ApiResult {
    let status = pact_status(&state, &consumer, &provider, Pick::Tagged(&tag), None).await?;
    pact_badge(&q, &consumer, &provider, status)
}

async fn matrix_badge(
    State(state): State<Shared>,
    Path((provider, provider_tag, consumer, consumer_tag)): Path<(String, String, String, String)>,
    Query(q): Query<BadgeQuery>,
) -> ApiResult {
    let status = pact_status(
        &state,
        &consumer,
        &provider,
        Pick::Tagged(&consumer_tag),
        Some(&provider_tag),
    )
    .await?;
    pact_badge(&q, &consumer, &provider, status)
}

async fn can_i_deploy_badge(
    state: &Shared,
    q: &BadgeQuery,
    query: matrix::MatrixQuery,
    from: &str,
    to: &str,
) -> ApiResult {
    let outcome = matrix::evaluate(state, &query).await;
    // a version or environment that does not exist is "unknown", not an error page
    let deployable = outcome.ok().and_then(|o| o.deployable);
    let label = q.label.clone().unwrap_or_else(|| "can-i-deploy".into());
    let answer = match deployable {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    };
    Ok(svg_response(draw(
        &label,
        &format!("{from} to {to}: {answer}"),
        color(deployable),
    )))
}

async fn can_i_deploy_tag_badge(
    State(state): State<Shared>,
    Path((name, tag, to)): Path<(String, String, String)>,
    Query(q): Query<BadgeQuery>,
) -> ApiResult {
    let query = matrix::tag_to_tag(name, tag.clone(), to.clone());
    can_i_deploy_badge(&state, &q, query, &tag, &to).await
}

async fn can_i_deploy_branch_badge(
    State(state): State<Shared>,
    Path((name, branch, environment)): Path<(String, String, String)>,
    Query(q): Query<BadgeQuery>,
) -> ApiResult {
    let query = matrix::branch_to_environment(name, branch.clone(), environment.clone());
    can_i_deploy_badge(&state, &q, query, &branch, &environment).await
}

fn svg_response(svg: String) -> axum::response::Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml;charset=utf-8"),
            // image proxies (GitHub's camo) must not keep a stale status
            (header::CACHE_CONTROL, "no-cache, no-store, max-age=0"),
        ],
        svg,
    )
        .into_response()
}

/// The width of `text` in 11px Verdana, close enough to size a badge.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' => 3.7,
            ' ' | 'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '/' | '-' => 4.9,
            'm' | 'w' | 'M' | 'W' => 10.7,
            'A'..='Z' => 7.6,
            _ => 6.9,
        })
        .sum()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A flat badge: `label` on grey, `message` on `color`.
fn draw(label: &str, message: &str, color: &str) -> String {
    let lw = (text_width(label) + 10.0).round();
    let mw = (text_width(message) + 10.0).round();
    let w = lw + mw;
    let (lx, mx) = (lw / 2.0, lw + mw / 2.0);
    let (label, message) = (escape(label), escape(message));
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="20" role="img" aria-label="{label}: {message}"><title>{label}: {message}</title><linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient><clipPath id="r"><rect width="{w}" height="20" rx="3" fill="#fff"/></clipPath><g clip-path="url(#r)"><rect width="{lw}" height="20" fill="#555"/><rect x="{lw}" width="{mw}" height="20" fill="{color}"/><rect width="{w}" height="20" fill="url(#s)"/></g><g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11"><text x="{lx}" y="15" fill="#010101" fill-opacity=".3">{label}</text><text x="{lx}" y="14">{label}</text><text x="{mx}" y="15" fill="#010101" fill-opacity=".3">{message}</text><text x="{mx}" y="14">{message}</text></g></svg>"##
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_badge_is_svg_with_its_text_escaped_and_sized_to_it() {
        let short = draw("pact", "verified", "#4c1");
        let long = draw("a-much-longer-consumer/provider pact", "verified", "#4c1");
        assert!(short.starts_with("<svg") && short.ends_with("</svg>"));
        let width = |svg: &str| -> f64 {
            let at = svg.find("width=\"").unwrap() + 7;
            svg[at..].split('"').next().unwrap().parse().unwrap()
        };
        assert!(width(&long) > width(&short) + 100.0);
        assert!(draw("<x>", "a&b", "#4c1").contains("&lt;x&gt;: a&amp;b"));
        assert_eq!(initials("order-service"), "os");
    }
}
