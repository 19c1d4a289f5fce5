//! The broker's web pages, rendered on the server (no script, no build
//! step): the integrations with their network graph, a pact with its
//! interactions, versions and verification history, the matrix between two
//! pacticipants, and the delivery metrics. A browser asking for `/` is sent
//! to `/ui`; API clients (asking for JSON) never are.

use crate::answer::{ApiError, ApiResult, Shared};
use crate::hal::seg;
use crate::matrix::{self, MatrixQuery, Selector};
use crate::store::{Publication, Verification};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route("/ui", get(integrations))
        .route(
            "/ui/pacts/provider/{provider}/consumer/{consumer}",
            get(pact_page),
        )
        .route("/ui/matrix", get(matrix_page))
        .route("/ui/metrics", get(metrics_page))
}

/// Whether a request for `/` comes from a browser (it prefers HTML).
pub fn wants_html(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| a.contains("text/html"))
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}\
header{background:#263238;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center}\
header a{color:#fff;text-decoration:none}header b{font-size:18px}\
main{padding:16px 24px}table{border-collapse:collapse;background:#fff;margin:8px 0 24px}\
th,td{border:1px solid #ddd;padding:6px 10px;text-align:left;font-size:14px}th{background:#eceff1}\
.ok{background:#c8e6c9}.fail{background:#ffcdd2}.none{background:#eeeeee}\
code{font-size:13px}h2{margin-top:8px}.muted{color:#666;font-size:13px}";

fn page(base: &str, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} - seam broker</title><style>{STYLE}</style></head>\
         <body><header><b>seam broker</b><a href=\"{base}/ui\">Integrations</a><a href=\"{base}/ui/metrics\">Delivery metrics</a><a href=\"{base}/\">API</a></header>\
         <main><h2>{t}</h2>{body}</main></body></html>",
        t = esc(title)
    );
    ([(header::CONTENT_TYPE, "text/html;charset=utf-8")], html).into_response()
}

/// The newest pact of each integration and its newest verification.
async fn latest_integrations(
    state: &Shared,
) -> Result<Vec<(Publication, Option<Verification>)>, ApiError> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for p in state.store.publications(None, None).await? {
        if !seen.insert((p.consumer.clone(), p.provider.clone())) {
            continue;
        }
        let v = state
            .store
            .verifications_of(p.pact_version_id)
            .await?
            .into_iter()
            .next();
        out.push((p, v));
    }
    out.sort_by(|a, b| (&a.0.consumer, &a.0.provider).cmp(&(&b.0.consumer, &b.0.provider)));
    Ok(out)
}

fn status_class(v: Option<&Verification>) -> (&'static str, &'static str) {
    match v.map(|v| v.success) {
        Some(true) => ("ok", "verified"),
        Some(false) => ("fail", "failed"),
        None => ("none", "not verified"),
    }
}

/// The integrations as a graph: pacticipants on a circle, an arrow from
/// each consumer to its provider, coloured by the latest verification.
fn network_svg(rows: &[(Publication, Option<Verification>)]) -> String {
    let mut names: Vec<&str> = rows
        .iter()
        .flat_map(|(p, _)| [p.consumer.as_str(), p.provider.as_str()])
        .collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return String::new();
    }
    let (w, h) = (760.0_f64, 420.0_f64);
    let (cx, cy, r) = (w / 2.0, h / 2.0, 160.0_f64);
    let at: BTreeMap<&str, (f64, f64)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let a =
                std::f64::consts::TAU * i as f64 / names.len() as f64 - std::f64::consts::FRAC_PI_2;
            (*n, (cx + r * a.cos(), cy + r * a.sin()))
        })
        .collect();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"integrations\" style=\"background:#fff;border:1px solid #ddd\">\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"16\" markerHeight=\"16\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#555\"/></marker></defs>"
    );
    for (p, v) in rows {
        let ((x1, y1), (x2, y2)) = (at[p.consumer.as_str()], at[p.provider.as_str()]);
        // stop the line at the provider's circle
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ex, ey) = (x2 - dx / len * 22.0, y2 - dy / len * 22.0);
        let colour = match v.as_ref().map(|v| v.success) {
            Some(true) => "#2e7d32",
            Some(false) => "#c62828",
            None => "#9e9e9e",
        };
        let _ = write!(
            svg,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{ex:.1}\" y2=\"{ey:.1}\" stroke=\"{colour}\" stroke-width=\"5\" marker-end=\"url(#arrow)\"><title>{} → {}: {}</title></line>",
            esc(&p.consumer),
            esc(&p.provider),
            status_class(v.as_ref()).1
        );
    }
    for (name, (x, y)) in &at {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"20\" fill=\"#37474f\"/><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#222\">{}</text>",
            y + 38.0,
            esc(name)
        );
    }
    svg.push_str("</svg>");
    svg
}

async fn integrations(State(state): State<Shared>) -> ApiResult {
    let base = state.urls().base;
    let rows = latest_integrations(&state).await?;
    let mut body = String::new();
    if rows.is_empty() {
        body.push_str("<p>No pacts yet. Publish one with <code>pact broker publish</code> and it shows here.</p>");
        return Ok(page(&base, "Integrations", &body));
    }
    body.push_str(&network_svg(&rows));
    body.push_str("<p class=\"muted\">An arrow goes from a consumer to its provider: green verified, red failed, grey not verified yet.</p>");
    body.push_str("<table><tr><th>Consumer</th><th>Provider</th><th>Latest pact</th><th>Published</th><th>Latest verification</th><th></th></tr>");
    for (p, v) in &rows {
        let (class, word) = status_class(v.as_ref());
        let verification = match v {
            Some(v) => format!(
                "{word} by {} at {}",
                esc(&v.provider_version),
                esc(&v.created_at)
            ),
            None => word.to_string(),
        };
        let _ = write!(
            body,
            "<tr><td>{c}</td><td>{pr}</td><td><a href=\"{base}/ui/pacts/provider/{ps}/consumer/{cs}\">{cv}</a></td><td>{at}</td><td class=\"{class}\">{verification}</td>\
             <td><a href=\"{base}/ui/matrix?consumer={cs}&amp;provider={ps}\">matrix</a></td></tr>",
            c = esc(&p.consumer),
            pr = esc(&p.provider),
            ps = seg(&p.provider),
            cs = seg(&p.consumer),
            cv = esc(&p.consumer_version),
            at = esc(&p.created_at),
        );
    }
    body.push_str("</table>");
    Ok(page(&base, "Integrations", &body))
}

async fn pact_page(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
) -> ApiResult {
    let base = state.urls().base;
    let all = state
        .store
        .publications(Some(&consumer), Some(&provider))
        .await?;
    let Some(latest) = all.first() else {
        return Err(ApiError::NotFound(format!(
            "No pact found between {consumer} and {provider}"
        )));
    };
    let mut body = format!(
        "<p>The latest pact between <b>{}</b> and <b>{}</b> is from version <b>{}</b>, published {}.</p>",
        esc(&consumer),
        esc(&provider),
        esc(&latest.consumer_version),
        esc(&latest.created_at)
    );
    let pact: Value = serde_json::from_str(&latest.content).unwrap_or(Value::Null);
    body.push_str("<h3>Interactions</h3><table><tr><th>Description</th><th>Given</th><th>Request</th><th>Response</th></tr>");
    for i in pact["interactions"].as_array().into_iter().flatten() {
        let states: Vec<String> = crate::history::provider_states(i)
            .iter()
            .map(|s| esc(s))
            .collect();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td><code>{} {}</code></td><td>{}</td></tr>",
            esc(i["description"].as_str().unwrap_or("")),
            states.join(", "),
            esc(i["request"]["method"].as_str().unwrap_or("")),
            esc(i["request"]["path"].as_str().unwrap_or("")),
            i["response"]["status"]
        );
    }
    body.push_str("</table><h3>Verification history</h3><table><tr><th>Consumer version</th><th>Provider version</th><th>Result</th><th>When</th></tr>");
    let mut any = false;
    let mut content_seen = std::collections::HashSet::new();
    for p in &all {
        if !content_seen.insert(p.pact_version_id) {
            continue;
        }
        for v in state.store.verifications_of(p.pact_version_id).await? {
            any = true;
            let (class, word) = status_class(Some(&v));
            let _ = write!(
                body,
                "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{word}</td><td>{}</td></tr>",
                esc(&p.consumer_version),
                esc(&v.provider_version),
                esc(&v.created_at)
            );
        }
    }
    if !any {
        body.push_str("<tr><td colspan=\"4\" class=\"none\">not verified yet</td></tr>");
    }
    body.push_str("</table><h3>Versions</h3><table><tr><th>Consumer version</th><th>Published</th><th>Changes</th></tr>");
    for p in &all {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td><a href=\"{base}/pacts/provider/{}/consumer/{}/version/{}/diff/previous-distinct\">diff with the previous content</a></td></tr>",
            esc(&p.consumer_version),
            esc(&p.created_at),
            seg(&provider),
            seg(&consumer),
            seg(&p.consumer_version)
        );
    }
    body.push_str("</table>");
    Ok(page(&base, &format!("{consumer} → {provider}"), &body))
}

#[derive(Deserialize)]
struct Pair {
    consumer: String,
    provider: String,
}

async fn matrix_page(State(state): State<Shared>, Query(pair): Query<Pair>) -> ApiResult {
    let base = state.urls().base;
    let q = MatrixQuery {
        selectors: [&pair.consumer, &pair.provider]
            .into_iter()
            .map(|name| Selector {
                pacticipant: name.clone(),
                ..Selector::default()
            })
            .collect(),
        limit: 100,
        ..MatrixQuery::default()
    };
    let outcome = matrix::evaluate(&state, &q).await?;
    let facts = matrix::facts_of(&state, &outcome).await?;
    let json = matrix::outcome_json(&state.urls(), &outcome, false, &facts);
    let mut body = String::from("<table><tr><th>Consumer version</th><th>Provider version</th><th>Result</th><th>Verified</th></tr>");
    for r in json["matrix"].as_array().into_iter().flatten() {
        let (class, word) = match &r["verificationResult"]["success"] {
            Value::Bool(true) => ("ok", "verified"),
            Value::Bool(false) => ("fail", "failed"),
            _ => ("none", "not verified"),
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td class=\"{class}\">{word}</td><td>{}</td></tr>",
            esc(r["consumer"]["version"]["number"].as_str().unwrap_or("")),
            esc(r["provider"]["version"]["number"].as_str().unwrap_or("")),
            esc(r["verificationResult"]["verifiedAt"].as_str().unwrap_or(""))
        );
    }
    body.push_str("</table>");
    Ok(page(
        &base,
        &format!("Matrix: {} and {}", pair.consumer, pair.provider),
        &body,
    ))
}

async fn metrics_page(State(state): State<Shared>) -> ApiResult {
    let base = state.urls().base;
    let m = crate::delivery::metrics(&state.store, 30).await?;
    let mut body = format!("<p class=\"muted\">The last 30 days (<a href=\"{base}/metrics/delivery\">as JSON</a>).</p>\
        <table><tr><th>Pacticipant</th><th>Deployments</th><th>Per week</th><th>Lead time (median h)</th><th>Change failure rate</th><th>Time to restore (median h)</th><th>Broken now</th></tr>");
    let num = |v: &Value| match v {
        Value::Null => "–".to_string(),
        other => other.to_string(),
    };
    for p in m["pacticipants"].as_array().into_iter().flatten() {
        let open = p["timeToRestoreHours"]["open"]
            .as_array()
            .map_or(0, Vec::len);
        let rate = match p["changeFailureRate"]["rate"].as_f64() {
            Some(r) => format!("{:.0}%", r * 100.0),
            None => "–".into(),
        };
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{rate}</td><td>{}</td><td class=\"{}\">{open}</td></tr>",
            esc(p["name"].as_str().unwrap_or("")),
            num(&p["deploymentFrequency"]["total"]),
            num(&p["deploymentFrequency"]["perWeek"]),
            num(&p["leadTimeHours"]["median"]),
            num(&p["timeToRestoreHours"]["median"]),
            if open > 0 { "fail" } else { "ok" }
        );
    }
    body.push_str("</table>");
    Ok(page(&base, "Delivery metrics", &body))
}
