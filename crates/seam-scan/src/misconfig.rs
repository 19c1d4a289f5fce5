//! Misconfiguration probes on the API as a whole: CORS that trusts any
//! origin with credentials, well-known debug and admin endpoints the spec
//! does not declare, and TRACE echoing requests. (Missing security headers
//! are read from every authenticated answer, in `scan`.)

use crate::check::Check;
use crate::scan::{Found, Probed, Scan};
use seam_fuzz::case::Sent;

pub async fn run(scan: &Scan<'_>) -> Probed {
    cors(scan).await?;
    debug_endpoints(scan).await?;
    trace(scan).await
}

fn get(target: &str, headers: Vec<(String, String)>) -> Sent {
    Sent {
        method: "GET".into(),
        target: target.to_string(),
        headers,
        body: Vec::new(),
    }
}

async fn cors(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::CorsAnyOrigin) {
        return Ok(());
    }
    // an authenticated GET that answered 2xx, else any GET
    let controls = scan
        .controls
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let Some(op) = scan
        .plan
        .operations
        .iter()
        .copied()
        .filter(|&i| scan.spec.operations[i].method == "GET")
        .find(|i| {
            controls
                .get(i)
                .is_some_and(|a| (200..300).contains(&a.status))
        })
    else {
        return Ok(());
    };
    let creds = scan
        .identities
        .first()
        .map(|i| i.credentials())
        .unwrap_or_default();
    let attempts = [
        ("https://evil.seam.test", false),
        ("null", false),
        ("https://evil.seam.test", true),
    ];
    for (origin, preflight) in attempts {
        scan.probe(Check::CorsAnyOrigin);
        let mut sent = scan.request(op, &scan.valid_case(op), &creds);
        if preflight {
            // what a browser asks before a credentialed cross-origin call
            sent = Sent {
                method: "OPTIONS".into(),
                target: sent.target,
                headers: vec![
                    ("Access-Control-Request-Method".into(), "GET".into()),
                    (
                        "Access-Control-Request-Headers".into(),
                        "authorization".into(),
                    ),
                ],
                body: Vec::new(),
            };
        }
        sent.headers.push(("Origin".into(), origin.into()));
        let Some(a) = scan.send(&sent).await? else {
            continue;
        };
        let allowed = a.header("access-control-allow-origin").unwrap_or("");
        let credentials = a
            .header("access-control-allow-credentials")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if allowed == origin && credentials {
            scan.found(Found {
                check: Check::CorsAnyOrigin,
                operation: scan.label(op),
                identity: scan.identities.first().map(|i| i.name()).unwrap_or("-"),
                key: String::new(),
                message: format!(
                    "`Origin: {origin}` is echoed in Access-Control-Allow-Origin, with credentials allowed{}",
                    if preflight { " (preflight)" } else { "" }
                ),
                evidence: format!(
                    "Access-Control-Allow-Origin: {allowed}; Access-Control-Allow-Credentials: true (answer {})",
                    a.status
                ),
                request: &sent,
                answer: Some(&a),
                steps: Vec::new(),
            });
            break;
        }
    }
    Ok(())
}

/// Paths that expose internals when left reachable.
const DEBUG_PATHS: &[&str] = &[
    "/actuator",
    "/actuator/env",
    "/actuator/heapdump",
    "/actuator/configprops",
    "/actuator/mappings",
    "/env",
    "/heapdump",
    "/debug/vars",
    "/debug/pprof/",
    "/debug",
    "/_debug",
    "/__debug__/",
    "/.env",
    "/.git/config",
    "/server-status",
    "/server-info",
    "/phpinfo.php",
    "/console",
    "/h2-console",
    "/admin/console",
    "/graphiql",
    "/trace",
    "/config.json",
    "/api/debug",
    "/swagger-resources/configuration/security",
];

async fn debug_endpoints(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::DebugEndpoint) {
        return Ok(());
    }
    let declared = |path: &str| {
        scan.spec.operations.iter().any(|o| {
            let template = o.path.trim_end_matches('/');
            template == path.trim_end_matches('/')
        })
    };
    let creds = scan
        .identities
        .first()
        .map(|i| i.credentials())
        .unwrap_or_default();
    let with_creds = |target: &str| {
        let mut headers = creds.headers.clone();
        headers.push(("Accept".into(), "*/*".into()));
        get(target, headers)
    };
    // what an unknown path gets (an SPA may answer 200 with its page to all)
    let made_up = format!("/seam-no-such-path-{}", scan.unique());
    let catch_all = scan.send(&with_creds(&made_up)).await?;
    for path in DEBUG_PATHS {
        if declared(path) {
            continue;
        }
        scan.probe(Check::DebugEndpoint);
        let sent = with_creds(path);
        let Some(a) = scan.send(&sent).await? else {
            continue;
        };
        let same_as_unknown = catch_all
            .as_ref()
            .is_some_and(|c| c.status == a.status && c.body == a.body);
        if (200..300).contains(&a.status) && !a.body.is_empty() && !same_as_unknown {
            scan.found(Found {
                check: Check::DebugEndpoint,
                operation: format!("GET {path}"),
                identity: "-",
                key: String::new(),
                message: format!(
                    "`{path}` answers {} and the spec does not declare it",
                    a.status
                ),
                evidence: format!(
                    "{}; a made-up path answered {}",
                    a.body_excerpt(120),
                    catch_all.as_ref().map(|c| c.status).unwrap_or(0)
                ),
                request: &sent,
                answer: Some(&a),
                steps: Vec::new(),
            });
        }
    }
    Ok(())
}

async fn trace(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::TraceEnabled) {
        return Ok(());
    }
    scan.probe(Check::TraceEnabled);
    let target = scan
        .spec
        .operations
        .iter()
        .find(|o| !o.path.contains('{'))
        .map(|o| o.path.clone())
        .unwrap_or_else(|| "/".into());
    let sent = Sent {
        method: "TRACE".into(),
        target,
        headers: vec![("X-Seam-Trace".into(), "seam-trace-marker".into())],
        body: Vec::new(),
    };
    if let Some(a) = scan.send(&sent).await? {
        if (200..300).contains(&a.status)
            && String::from_utf8_lossy(&a.body).contains("seam-trace-marker")
        {
            scan.found(Found {
                check: Check::TraceEnabled,
                operation: format!("TRACE {}", sent.target),
                identity: "-",
                key: String::new(),
                message: "TRACE echoes the request, headers included".into(),
                evidence: format!("answered {} with the marker header in the body", a.status),
                request: &sent,
                answer: Some(&a),
                steps: Vec::new(),
            });
        }
    }
    Ok(())
}
