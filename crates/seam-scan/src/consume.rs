//! Resource consumption and the login operation: ReDoS (near-matches of a
//! pattern at growing lengths, a latency slope), page sizes past the declared
//! maximum, 16 MB bodies; then, last of all, the login: a NoSQL operator as
//! the password, answers that tell unknown users apart, and a bounded burst
//! of failed logins that should meet a 429.

use crate::check::Check;
use crate::inject::SlotProbe;
use crate::scan::{Found, Probed, Scan};
use seam_fuzz::case::{CaseBody, Sent};
use seam_fuzz::finding::Answer;
use seam_openapi::model::ParamLocation;
use serde_json::{json, Value};
use std::time::Duration;

pub async fn run(scan: &Scan<'_>) -> Probed {
    pages(scan).await?;
    malformed(scan).await
}

/// A character the pattern repeats and one that breaks the match at the
/// end: `("a", "!")` for `^([a-z]+\s?)*$`.
fn evil_parts(pattern: &str) -> (String, String) {
    let Ok(re) = regex::Regex::new(pattern) else {
        return ("a".into(), "!".into());
    };
    let repeat = ["a", "0", "A", "x", "1", "aa", "a ", "ab"]
        .into_iter()
        .find(|c| re.is_match(&c.repeat(8)))
        .unwrap_or("a");
    let breaker = ["!", "@", "#", "\u{0}", "-", "_", " ", "~", "."]
        .into_iter()
        .find(|b| !re.is_match(&format!("{}{b}", repeat.repeat(8))))
        .unwrap_or("!");
    (repeat.to_string(), breaker.to_string())
}

/// ReDoS: near-matches of each pattern at growing lengths.
pub async fn redos(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::Redos) {
        return Ok(());
    }
    for slot in scan.plan.slots.clone() {
        // a declared pattern, or an e-mail the server checks with its own
        // (e-mail regexes are the classic catastrophic ones)
        let email = slot.schema.get("format").and_then(Value::as_str) == Some("email")
            || slot.name.to_ascii_lowercase().contains("email");
        // the control of the same length that matches: quick even when
        // the pattern backtracks
        let matching = |n: usize, repeat: &str| {
            if slot.pattern().is_some() {
                repeat.repeat(n)
            } else {
                format!("{}@example.test", "a".repeat(n.saturating_sub(13).max(1)))
            }
        };
        let (what, repeat, breaker) = match slot.pattern() {
            Some(pattern) => {
                let (repeat, breaker) = evil_parts(pattern);
                (format!("the pattern `{pattern}`"), repeat, breaker)
            }
            None if email => (
                "the server's e-mail check".to_string(),
                "a".to_string(),
                "!".to_string(),
            ),
            None => continue,
        };
        let p = SlotProbe::new(scan, &slot);
        let max_len = slot
            .schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .unwrap_or(10_000) as usize;
        let mut timings: Vec<(usize, Duration)> = Vec::new();
        let mut last = None;
        for n in [8usize, 14, 18, 22, 26, 30] {
            if n * repeat.len() + 1 > max_len {
                break;
            }
            scan.probe(Check::Redos);
            let value = format!("{}{breaker}", repeat.repeat(n));
            let (sent, answer) = p.send(Value::String(value)).await?;
            let Some(a) = answer else { break };
            timings.push((n, a.elapsed));
            let slow = a.elapsed > Duration::from_millis(1500);
            last = Some((sent, a));
            if slow {
                break;
            }
        }
        let (Some((first_n, first)), Some((last_n, slowest))) =
            (timings.first().copied(), timings.last().copied())
        else {
            continue;
        };
        let grew = slowest > Duration::from_millis(250)
            && slowest > first * 20 + Duration::from_millis(100);
        if !grew {
            continue;
        }
        scan.slow_slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((slot.op, slot.name.clone()));
        // confirm: the longest again is as slow; the same length matching
        // the pattern (no breaker) is quick
        let Some((sent, answer)) = last else { continue };
        let value = format!("{}{breaker}", repeat.repeat(last_n));
        let (_, again) = p.send(Value::String(value)).await?;
        let (_, plain) = p.send(Value::String(matching(last_n, &repeat))).await?;
        let again_slow = again.is_some_and(|a| a.elapsed * 2 >= slowest);
        let plain_quick = plain.is_some_and(|a| a.elapsed * 4 < slowest);
        if again_slow && plain_quick {
            let series: Vec<String> = timings
                .iter()
                .map(|(n, t)| {
                    format!(
                        "{} chars: {} ms",
                        n * repeat.len() + breaker.len(),
                        t.as_millis()
                    )
                })
                .collect();
            p.found(
                Check::Redos,
                format!("{what} of the {} backtracks catastrophically", slot.label()),
                format!(
                    "`{repeat}`×n + `{breaker}`: {} (from {} chars at {} ms); confirmed by sending it again",
                    series.join(", "),
                    first_n * repeat.len() + breaker.len(),
                    first.as_millis()
                ),
                &sent,
                Some(&answer),
            );
        }
    }
    Ok(())
}

/// The number of items in a list answer (a top-level array, or the first
/// array property).
fn items(answer: &Answer) -> Option<usize> {
    match serde_json::from_slice::<Value>(&answer.body).ok()? {
        Value::Array(a) => Some(a.len()),
        Value::Object(m) => m.values().find_map(|v| v.as_array().map(Vec::len)),
        _ => None,
    }
}

async fn pages(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::UnboundedPage) {
        return Ok(());
    }
    let who = (!scan.identities.is_empty()).then_some(0);
    for (op, name, max) in scan.plan.paging.clone() {
        scan.probe(Check::UnboundedPage);
        let asked = max
            .map(|m| m.saturating_mul(10).max(m + 1))
            .unwrap_or(1_000_000);
        let mut case = scan.valid_case(op);
        case.set_param(ParamLocation::Query, &name, json!(asked));
        let (sent, answer) = scan.send_as(who, op, &case).await?;
        let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) else {
            continue;
        };
        // with few objects a capped page and an uncapped one look alike,
        // so taking a size past the declared maximum is itself the finding
        let count = items(&a);
        {
            let declared = max
                .map(|m| format!("the declared maximum is {m}"))
                .unwrap_or_else(|| "no maximum is declared".into());
            scan.found(Found {
                check: Check::UnboundedPage,
                operation: scan.label(op),
                identity: who.map(|w| scan.identities[w].name()).unwrap_or("-"),
                key: name.clone(),
                message: format!("`{name}={asked}` was accepted; {declared}"),
                evidence: format!(
                    "answered {}{}; an API should refuse it with 400 or cap the page",
                    a.status,
                    count
                        .map(|c| format!(" with {c} items"))
                        .unwrap_or_default()
                ),
                request: &sent,
                answer: Some(&a),
                steps: Vec::new(),
            });
        }
    }
    Ok(())
}

/// Malformed JSON bodies, to provoke stack traces (`inspect` reports them).
async fn malformed(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::VerboseError) {
        return Ok(());
    }
    let who = (!scan.identities.is_empty()).then_some(0);
    for op in scan.plan.bodies.clone() {
        if Some(op) == scan.plan.login {
            continue;
        }
        scan.probe(Check::VerboseError);
        let mut case = scan.valid_case(op);
        case.body = Some(CaseBody::Raw {
            media: Some("application/json".into()),
            bytes: b"{\"seam\": [1, 2,".to_vec(),
        });
        scan.send_as(who, op, &case).await?;
    }
    Ok(())
}

/// 16 MB bodies, the last family of all: a service that chokes on one may
/// not answer again. After each, the API must still answer its control
/// request; when it does not, that is reported and the scan stops.
pub async fn payloads(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::UnboundedPayload) {
        return Ok(());
    }
    let who = (!scan.identities.is_empty()).then_some(0);
    for op in scan.plan.bodies.clone() {
        if Some(op) == scan.plan.login {
            continue;
        }
        let mut case = scan.valid_case(op);
        let Some(CaseBody::Json {
            value: Value::Object(m),
            ..
        }) = &mut case.body
        else {
            continue;
        };
        // a property without a pattern, so the size is what is tested
        let free = scan.plan.slots.iter().find(|s| {
            s.op == op
                && s.place == crate::plan::Place::Body
                && s.pattern().is_none()
                && m.get(&s.name).is_some_and(Value::is_string)
        });
        let Some(key) = free.map(|s| s.name.clone()).or_else(|| {
            m.iter()
                .find(|(_, v)| v.is_string())
                .map(|(k, _)| k.clone())
        }) else {
            continue;
        };
        m.insert(key.clone(), Value::String("A".repeat(16 * 1024 * 1024)));
        scan.probe(Check::UnboundedPayload);
        let (sent, answer) = scan.send_as(who, op, &case).await?;
        let mut shown = sent.clone();
        shown.body = format!("{{\"{key}\": \"AAAA… (16 MB)\"}}").into_bytes();
        let alive = scan.alive().await?;
        let accepted = answer.as_ref().filter(|a| (200..300).contains(&a.status));
        if accepted.is_some() || !alive {
            let answered = match &answer {
                Some(a) => format!("answered {}", a.status),
                None => "got no answer".to_string(),
            };
            scan.found(Found {
                check: Check::UnboundedPayload,
                operation: scan.label(op),
                identity: who.map(|w| scan.identities[w].name()).unwrap_or("-"),
                key: String::new(),
                message: if alive {
                    format!("a 16 MB body (`{key}` made huge) was accepted")
                } else {
                    format!("a 16 MB body (`{key}` made huge) took the API down")
                },
                evidence: if alive {
                    format!("{answered} instead of 413 or 400")
                } else {
                    format!("{answered}; afterwards the API answered nothing")
                },
                request: &shown,
                answer: answer.as_ref(),
                steps: Vec::new(),
            });
        }
        if !alive {
            return Err(crate::scan::Stop(format!(
                "the API stopped answering after a 16 MB body to {}",
                scan.label(op)
            )));
        }
    }
    Ok(())
}

/// The login operation's body with `username` and `password` (a JSON value).
fn login_body(scan: &Scan<'_>, username: &str, password: Value) -> Option<(usize, Sent)> {
    let op = scan.plan.login?;
    let identity = scan
        .identities
        .iter()
        .find(|i| i.user.login.as_ref().is_some_and(|l| l.fields.is_some()))?;
    let plan = identity.user.login.as_ref()?;
    let (uf, pf) = plan.fields.clone()?;
    let mut headers = plan.headers.clone();
    headers.push(("Content-Type".into(), "application/json".into()));
    Some((
        op,
        Sent {
            method: plan.method.clone(),
            target: plan.target.clone(),
            headers,
            body: json!({uf: username, pf: password}).to_string().into_bytes(),
        },
    ))
}

/// The login probes, run last.
pub async fn login(scan: &Scan<'_>) -> Probed {
    let Some((known, known_user)) = scan
        .identities
        .iter()
        .find_map(|i| i.username().map(|u| (u.to_string(), &i.user)))
    else {
        if scan.plan.login.is_some() {
            scan.note("login probes not run: no identity logs in with payloadUserPwd");
        }
        return Ok(());
    };
    if scan.plan.login.is_none() {
        return Ok(());
    }
    let report =
        |check: Check, op: usize, message: String, evidence: String, sent: &Sent, a: &Answer| {
            scan.found(Found {
                check,
                operation: scan.label(op),
                identity: "-",
                key: String::new(),
                message,
                evidence,
                request: sent,
                answer: Some(a),
                steps: Vec::new(),
            })
        };
    if scan.on(Check::NosqlInjection) {
        for op_value in [
            json!({"$ne": null}),
            json!({"$ne": "seam-wrong"}),
            json!({"$gt": ""}),
        ] {
            scan.probe(Check::NosqlInjection);
            let Some((op, sent)) = login_body(scan, &known, op_value.clone()) else {
                break;
            };
            // logged in: a 2xx that carries credentials (some APIs answer
            // a failed login 200)
            if let Some(a) = scan.send(&sent).await?.filter(|a| {
                known_user
                    .credentials_from(a.status, &a.headers, &a.body)
                    .is_ok()
            }) {
                report(
                    Check::NosqlInjection,
                    op,
                    format!("logged in as `{known}` with the password {op_value}"),
                    "the password check obeyed a query operator".into(),
                    &sent,
                    &a,
                );
                break;
            }
        }
    }
    if scan.on(Check::UserEnumeration) {
        scan.probe(Check::UserEnumeration);
        let unknown = format!("seam-nobody-{}", scan.unique());
        let wrong = json!(format!("seam-wrong-password-{}", scan.unique()));
        if let (Some((op, known_sent)), Some((_, unknown_sent))) = (
            login_body(scan, &known, wrong.clone()),
            login_body(scan, &unknown, wrong),
        ) {
            let a = scan.send(&known_sent).await?;
            let b = scan.send(&unknown_sent).await?;
            if let (Some(a), Some(b)) = (a, b) {
                let norm =
                    |x: &Answer, name: &str| String::from_utf8_lossy(&x.body).replace(name, "§");
                let differs_status = a.status != b.status;
                let differs_body = norm(&a, &known) != norm(&b, &unknown);
                if differs_status || differs_body {
                    report(
                        Check::UserEnumeration,
                        op,
                        "the login tells an unknown user from a wrong password".into(),
                        format!(
                            "known user, wrong password: {} {}; unknown user: {} {}",
                            a.status,
                            a.body_excerpt(80),
                            b.status,
                            b.body_excerpt(80)
                        ),
                        &unknown_sent,
                        &b,
                    );
                } else {
                    // the same answers: does a known user take longer (a
                    // password hash computed only for real accounts)?
                    let (mut known_times, mut unknown_times) = (vec![a.elapsed], vec![b.elapsed]);
                    for _ in 0..2 {
                        if let Some(x) = scan.send(&known_sent).await? {
                            known_times.push(x.elapsed);
                        }
                        if let Some(x) = scan.send(&unknown_sent).await? {
                            unknown_times.push(x.elapsed);
                        }
                    }
                    let slowest_unknown = unknown_times.iter().max().copied().unwrap_or_default();
                    let quickest_known = known_times.iter().min().copied().unwrap_or_default();
                    if quickest_known > slowest_unknown * 3
                        && quickest_known > slowest_unknown + Duration::from_millis(100)
                    {
                        report(
                            Check::UserEnumeration,
                            op,
                            "the login takes longer for a known user with a wrong password".into(),
                            format!(
                                "known user: at least {} ms in {} tries; unknown user: at most {} ms",
                                quickest_known.as_millis(),
                                known_times.len(),
                                slowest_unknown.as_millis()
                            ),
                            &known_sent,
                            &a,
                        );
                    }
                }
            }
        }
    }
    if scan.on(Check::LoginNoRateLimit) {
        let victim = format!("seam-probe-{}", scan.unique());
        if let Some((op, _)) = login_body(scan, &victim, json!("x")) {
            let outcome = burst(scan, Check::LoginNoRateLimit, |i| {
                login_body(scan, &victim, json!(format!("wrong-{i}"))).map(|(_, sent)| sent)
            })
            .await?;
            report_burst(
                scan,
                Check::LoginNoRateLimit,
                op,
                "-",
                "failed logins",
                outcome,
            );
        }
    }
    Ok(())
}

/// What a burst of requests met: the first 429, or the last answer when
/// none was a 429.
pub enum Burst {
    Limited(Sent, Answer),
    Unlimited(Sent, Answer),
    Unanswered,
}

/// Sends `make(i)` up to `--burst` times, one after another, stopping at
/// the first 429.
async fn burst(
    scan: &Scan<'_>,
    check: Check,
    mut make: impl FnMut(usize) -> Option<Sent>,
) -> Result<Burst, crate::scan::Stop> {
    let mut last = Burst::Unanswered;
    for i in 0..scan.options.burst {
        scan.probe(check);
        let Some(sent) = make(i) else { break };
        let Some(a) = scan.send(&sent).await? else {
            continue;
        };
        if a.status == 429 {
            return Ok(Burst::Limited(sent, a));
        }
        last = Burst::Unlimited(sent, a);
    }
    Ok(last)
}

/// What a burst's outcome means: nothing when a 429 with `Retry-After`
/// (or no answer) ended it; else (request, answer, message, evidence,
/// severity other than the check's).
type Verdict = (Sent, Answer, String, String, Option<crate::check::Severity>);

/// A burst of `n` with no 429 is a finding; a 429 without `Retry-After` is
/// one of low severity.
fn judge(outcome: Burst, n: usize, what: &str) -> Option<Verdict> {
    Some(match outcome {
        Burst::Limited(sent, a) if a.header("retry-after").is_none() => (
            sent,
            a,
            format!("the 429 that ended a burst of {what} carries no Retry-After header"),
            "429 without Retry-After: clients cannot tell when to come back".to_string(),
            Some(crate::check::Severity::Low),
        ),
        Burst::Unlimited(sent, a) => {
            let status = a.status;
            (
                sent,
                a,
                format!("{n} {what} in a row met no 429"),
                format!("the last answered {status}"),
                None,
            )
        }
        _ => return None,
    })
}

fn report_burst(
    scan: &Scan<'_>,
    check: Check,
    op: usize,
    identity: &str,
    what: &str,
    outcome: Burst,
) {
    let Some((sent, a, message, evidence, severity)) = judge(outcome, scan.options.burst, what)
    else {
        return;
    };
    scan.found_at(
        Found {
            check,
            operation: scan.label(op),
            identity,
            key: String::new(),
            message,
            evidence,
            request: &sent,
            answer: Some(&a),
            steps: Vec::new(),
        },
        severity,
    );
}

/// Expensive operations (declared rate limited, or a control request that
/// took 500 ms or more) sent a burst of the first identity's valid request.
pub async fn rate_limits(scan: &Scan<'_>) -> Probed {
    if !scan.on(Check::NoRateLimit) {
        return Ok(());
    }
    let mut targets = scan.plan.rate_limited.clone();
    {
        let controls = scan.controls.lock().unwrap_or_else(|e| e.into_inner());
        for &op in &scan.plan.operations {
            let o = &scan.spec.operations[op];
            let slow = controls.get(&op).is_some_and(|a| {
                (200..300).contains(&a.status) && a.elapsed >= Duration::from_millis(500)
            });
            if slow
                && ["GET", "HEAD"].contains(&o.method.as_str())
                && Some(op) != scan.plan.login
                && !targets.contains(&op)
            {
                targets.push(op);
            }
        }
    }
    let who = (!scan.identities.is_empty()).then_some(0);
    for op in targets {
        if crate::plan::is_destructive(&scan.spec.operations[op]) || Some(op) == scan.plan.register
        {
            continue;
        }
        let creds = who
            .map(|w| scan.identities[w].credentials())
            .unwrap_or_default();
        let outcome = burst(scan, Check::NoRateLimit, |_| {
            Some(scan.request(op, &scan.valid_case(op), &creds))
        })
        .await?;
        let identity = who.map(|w| scan.identities[w].name()).unwrap_or("-");
        report_burst(scan, Check::NoRateLimit, op, identity, "requests", outcome);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_needs_a_429_with_retry_after() {
        let sent = Sent {
            method: "GET".into(),
            target: "/x".into(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        let answer = |status: u16, headers: &[(&str, &str)]| Answer {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Vec::new(),
            elapsed: Duration::ZERO,
        };
        let limited = Burst::Limited(sent.clone(), answer(429, &[("Retry-After", "60")]));
        assert!(judge(limited, 30, "requests").is_none());
        assert!(judge(Burst::Unanswered, 30, "requests").is_none());
        let bare = judge(
            Burst::Limited(sent.clone(), answer(429, &[])),
            30,
            "requests",
        )
        .unwrap();
        assert_eq!(bare.4, Some(crate::check::Severity::Low));
        assert!(bare.2.contains("no Retry-After"));
        let open = judge(Burst::Unlimited(sent, answer(200, &[])), 30, "requests").unwrap();
        assert_eq!(open.4, None);
        assert_eq!(open.2, "30 requests in a row met no 429");
    }

    #[test]
    fn evil_inputs_repeat_what_the_pattern_takes_and_end_with_what_it_refuses() {
        assert_eq!(
            evil_parts(r"^([a-zA-Z0-9]+\s?)*$"),
            ("a".into(), "!".into())
        );
        assert_eq!(evil_parts(r"^(\d+)+$"), ("0".into(), "!".into()));
    }
}
