//! Injection probes, per string slot (a parameter or a body property): SQL
//! (error signatures, a true/false differential, sleeps), NoSQL operators,
//! OS commands (an arithmetic echo, sleeps), path traversal, SSRF to a
//! listener seam runs on loopback, and CR/LF into response headers. Every
//! finding compares with the slot's plain request, so a hardened API that
//! echoes input back gets none.

use crate::check::Check;
use crate::plan::{Place, Slot};
use crate::scan::{Found, Probed, Scan, Stop};
use regex::Regex;
use seam_fuzz::case::{Case, CaseBody, Sent};
use seam_fuzz::finding::Answer;
use seam_openapi::model::ParamLocation;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub async fn run(scan: &Scan<'_>) -> Probed {
    let ssrf = if scan.on(Check::Ssrf) && scan.plan.slots.iter().any(Slot::takes_url) {
        Some(Listener::start().await)
    } else {
        None
    };
    for slot in scan.plan.slots.clone() {
        if Some(slot.op) == scan.plan.login {
            continue;
        }
        let slow = scan
            .slow_slots
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&(slot.op, slot.name.clone()));
        if slow {
            scan.note(format!(
                "{} of {}: no injection payloads sent, its pattern backtracks (see redos)",
                slot.label(),
                scan.label(slot.op)
            ));
            continue;
        }
        let p = SlotProbe::new(scan, &slot);
        let Some(base) = p.send(p.base_value()).await?.1 else {
            continue;
        };
        sql(&p, &base).await?;
        command(&p, &base).await?;
        nosql(&p).await?;
        traversal(&p, &base).await?;
        if let Some(listener) = &ssrf {
            ssrf_probe(&p, listener).await?;
        }
        header_injection(&p).await?;
    }
    Ok(())
}

/// One slot being probed.
pub struct SlotProbe<'s, 'a> {
    pub scan: &'s Scan<'a>,
    pub slot: &'s Slot,
    case: Case,
    who: Option<usize>,
}

impl<'s, 'a> SlotProbe<'s, 'a> {
    pub fn new(scan: &'s Scan<'a>, slot: &'s Slot) -> SlotProbe<'s, 'a> {
        SlotProbe {
            scan,
            slot,
            case: scan.valid_case(slot.op),
            who: (!scan.identities.is_empty()).then_some(0),
        }
    }

    /// The slot's value in the valid request, as text.
    pub fn base_text(&self) -> String {
        self.current()
            .map(|v| seam_fuzz::case::scalar_text(&v))
            .unwrap_or_else(|| "seam".into())
    }

    pub fn base_value(&self) -> Value {
        Value::String(self.base_text())
    }

    fn current(&self) -> Option<Value> {
        match self.slot.place {
            Place::Param(l) => self.case.param(l, &self.slot.name).cloned(),
            Place::Body => match &self.case.body {
                Some(CaseBody::Json { value, .. }) => value.get(&self.slot.name).cloned(),
                _ => None,
            },
        }
    }

    /// The valid request with the slot set to `value`.
    pub fn case_with(&self, value: Value) -> Case {
        let mut case = self.case.clone();
        match self.slot.place {
            Place::Param(l) => case.set_param(l, &self.slot.name, value),
            Place::Body => {
                if let Some(CaseBody::Json {
                    value: Value::Object(m),
                    ..
                }) = &mut case.body
                {
                    m.insert(self.slot.name.clone(), value);
                }
            }
        }
        case
    }

    pub async fn send(&self, value: Value) -> Result<(Sent, Option<Answer>), Stop> {
        self.send_case(&self.case_with(value)).await
    }

    pub async fn send_case(&self, case: &Case) -> Result<(Sent, Option<Answer>), Stop> {
        self.scan.send_as(self.who, self.slot.op, case).await
    }

    /// The base value with `suffix` after it.
    pub async fn append(&self, suffix: &str) -> Result<(Sent, Option<Answer>), Stop> {
        self.send(Value::String(format!("{}{suffix}", self.base_text())))
            .await
    }

    pub fn found(
        &self,
        check: Check,
        message: String,
        evidence: String,
        sent: &Sent,
        answer: Option<&Answer>,
    ) {
        self.scan.found(Found {
            check,
            operation: self.scan.label(self.slot.op),
            identity: self
                .who
                .map(|w| self.scan.identities[w].name())
                .unwrap_or("-"),
            key: self.slot.label(),
            message,
            evidence,
            request: sent,
            answer,
            steps: Vec::new(),
        });
    }

    /// How long the plain request takes (the slower of two).
    pub async fn baseline(&self) -> Result<Duration, Stop> {
        let mut worst = Duration::ZERO;
        for _ in 0..2 {
            if let (_, Some(a)) = self.send(self.base_value()).await? {
                worst = worst.max(a.elapsed);
            }
        }
        Ok(worst)
    }

    /// Whether `suffix(delay)` delays the answer by the delay asked, and
    /// `suffix(0)` does not: the request and answer that show it.
    async fn delays(
        &self,
        suffix: impl Fn(u64) -> String,
    ) -> Result<Option<(Sent, Answer, Duration)>, Stop> {
        let delay = self.scan.options.delay;
        let secs = delay.as_secs().max(1);
        let baseline = self.baseline().await?;
        if baseline > Duration::from_secs(1) {
            // too slow already for a delay to show
            return Ok(None);
        }
        let (sent, answer) = self.append(&suffix(secs)).await?;
        let slow = |a: &Answer| a.elapsed >= baseline + delay.mul_f64(0.85);
        let Some(a) = answer.filter(slow) else {
            return Ok(None);
        };
        let (_, quick) = self.append(&suffix(0)).await?;
        if quick.as_ref().is_none_or(slow) {
            return Ok(None);
        }
        let (_, again) = self.append(&suffix(secs)).await?;
        Ok(again.filter(slow).map(|_| (sent, a, baseline)))
    }
}

/// The body as text with every form of `payload` in it blanked, so answers
/// that echo their input compare equal.
fn without(answer: &Answer, payload: &str) -> String {
    let mut text = String::from_utf8_lossy(&answer.body).into_owned();
    let json = serde_json::to_string(payload).unwrap_or_default();
    for form in [
        json.trim_matches('"').to_string(),
        payload.to_string(),
        seam_core::http::percent_encode(payload),
    ] {
        if !form.is_empty() {
            text = text.replace(&form, "§");
        }
    }
    text
}

fn sql_errors() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        [
            (r#"(?i)SQLITE_ERROR|sqlite3?\.OperationalError|near "[^"]*": syntax error|unrecognized token: |SQLite error|\(code: 1\)"#, "SQLite"),
            (r#"(?i)syntax error at or near|unterminated quoted string at or near|PG::SyntaxError|org\.postgresql|pq: syntax error|ERROR:\s+syntax error"#, "PostgreSQL"),
            (r#"(?i)You have an error in your SQL syntax|mysql_fetch|MySqlException|SQLSTATE\[42000\]|check the manual that corresponds to your (MySQL|MariaDB)"#, "MySQL"),
            (r#"(?i)Unclosed quotation mark after the character string|Microsoft SQL Server|SqlException|Incorrect syntax near"#, "MSSQL"),
            (r#"ORA-0(0933|1756|0921|1740)|quoted string not properly terminated"#, "Oracle"),
        ]
        .into_iter()
        .filter_map(|(p, d)| Regex::new(p).ok().map(|r| (r, d)))
        .collect()
    })
}

fn sql_error(answer: &Answer) -> Option<(&'static str, String)> {
    let text = String::from_utf8_lossy(&answer.body);
    sql_errors().iter().find_map(|(r, db)| {
        r.find(&text)
            .map(|m| (*db, text[m.start()..].chars().take(120).collect::<String>()))
    })
}

async fn sql(p: &SlotProbe<'_, '_>, base: &Answer) -> Probed {
    if !p.scan.on(Check::SqlInjection) {
        return Ok(());
    }
    let scan = p.scan;
    if sql_error(base).is_none() {
        for quote in ["'", "\"", "')"] {
            scan.probe(Check::SqlInjection);
            let (sent, answer) = p.append(quote).await?;
            if let Some(a) = answer {
                if let Some((db, text)) = sql_error(&a) {
                    p.found(
                        Check::SqlInjection,
                        format!("a `{quote}` in the {} broke an SQL statement ({db})", p.slot.label()),
                        format!("error-based: the answer ({}) shows `{text}`; the plain request did not", a.status),
                        &sent,
                        Some(&a),
                    );
                    return Ok(());
                }
            }
        }
    }
    for (truthy, falsy) in [
        ("' OR '1'='1' -- ", "' AND '1'='2' -- "),
        ("' OR 1=1 -- ", "' AND 1=2 -- "),
        (" OR 1=1", " AND 1=2"),
    ] {
        scan.probe(Check::SqlInjection);
        let (sent, t1) = p.append(truthy).await?;
        let (_, f) = p.append(falsy).await?;
        let (Some(t1), Some(f)) = (t1, f) else {
            continue;
        };
        if !(200..300).contains(&t1.status) || !(200..300).contains(&f.status) {
            continue;
        }
        let (tn, fnorm) = (without(&t1, truthy), without(&f, falsy));
        if tn == fnorm {
            continue;
        }
        let (_, t2) = p.append(truthy).await?;
        if t2.is_some_and(|t2| without(&t2, truthy) == tn) {
            p.found(
                Check::SqlInjection,
                format!("the {} is pasted into an SQL condition", p.slot.label()),
                format!(
                    "boolean-based: `…{truthy}` answers {} bytes, `…{falsy}` {} bytes, and each repeats the same",
                    t1.body.len(),
                    f.body.len()
                ),
                &sent,
                Some(&t1),
            );
            return Ok(());
        }
    }
    for (db, suffix) in [
        ("MySQL", "' AND SLEEP({d}) -- " as &str),
        ("PostgreSQL", "'; SELECT pg_sleep({d}) -- "),
        ("MSSQL", "'; WAITFOR DELAY '0:0:{d}' -- "),
    ] {
        scan.probe(Check::SqlInjection);
        if let Some((sent, a, baseline)) =
            p.delays(|d| suffix.replace("{d}", &d.to_string())).await?
        {
            p.found(
                Check::SqlInjection,
                format!("the {} reaches an SQL statement ({db})", p.slot.label()),
                format!(
                    "time-based: asking the database to sleep delayed the answer to {} ms (plain: {} ms), twice; sleeping 0 did not",
                    a.elapsed.as_millis(),
                    baseline.as_millis()
                ),
                &sent,
                Some(&a),
            );
            return Ok(());
        }
    }
    Ok(())
}

async fn command(p: &SlotProbe<'_, '_>, base: &Answer) -> Probed {
    if !p.scan.on(Check::CommandInjection) {
        return Ok(());
    }
    let marker = "seam42";
    if String::from_utf8_lossy(&base.body).contains(marker) {
        return Ok(());
    }
    for suffix in [
        ";echo seam$((6*7))",
        "$(echo seam$((6*7)))",
        "|echo seam$((6*7))",
        "`echo seam$((6*7))`",
        "&&echo seam$((6*7))",
    ] {
        p.scan.probe(Check::CommandInjection);
        let (sent, answer) = p.append(suffix).await?;
        if let Some(a) = answer.filter(|a| String::from_utf8_lossy(&a.body).contains(marker)) {
            p.found(
                Check::CommandInjection,
                format!("the {} runs in a shell", p.slot.label()),
                format!("`{suffix}` came back as `{marker}`: the shell did the arithmetic"),
                &sent,
                Some(&a),
            );
            return Ok(());
        }
    }
    for suffix in [";sleep {d}", "$(sleep {d})", "|sleep {d}", "`sleep {d}`"] {
        p.scan.probe(Check::CommandInjection);
        if let Some((sent, a, baseline)) =
            p.delays(|d| suffix.replace("{d}", &d.to_string())).await?
        {
            p.found(
                Check::CommandInjection,
                format!("the {} runs in a shell", p.slot.label()),
                format!(
                    "time-based: `{suffix}` delayed the answer to {} ms (plain: {} ms), twice; sleep 0 did not",
                    a.elapsed.as_millis(),
                    baseline.as_millis()
                ),
                &sent,
                Some(&a),
            );
            return Ok(());
        }
    }
    Ok(())
}

async fn nosql(p: &SlotProbe<'_, '_>) -> Probed {
    let scan = p.scan;
    if !scan.on(Check::NosqlInjection)
        || !matches!(
            p.slot.place,
            Place::Body | Place::Param(ParamLocation::Query)
        )
    {
        return Ok(());
    }
    let wrong = format!("seam-wrong-{}", scan.unique());
    let (_, refused) = p.send(Value::String(wrong.clone())).await?;
    if !refused.is_some_and(|a| (400..500).contains(&a.status)) {
        return Ok(());
    }
    scan.probe(Check::NosqlInjection);
    let attempts: Vec<(String, Case)> = match p.slot.place {
        Place::Body => [json!({"$ne": wrong}), json!({"$gt": ""})]
            .into_iter()
            .map(|op| (op.to_string(), p.case_with(op)))
            .collect(),
        _ => ["$ne", "$gt"]
            .iter()
            .map(|op| {
                let mut case = p.case_with(Value::Null);
                case.remove_param(ParamLocation::Query, &p.slot.name);
                let value = if *op == "$ne" { wrong.as_str() } else { "" };
                case.extra_query
                    .push(format!("{}%5B{}%5D={}", p.slot.name, op, value));
                (format!("{}[{op}]={value}", p.slot.name), case)
            })
            .collect(),
    };
    for (what, case) in attempts {
        let (sent, answer) = p.send_case(&case).await?;
        if let Some(a) = answer.filter(|a| (200..300).contains(&a.status)) {
            p.found(
                Check::NosqlInjection,
                format!("a query operator in the {} was obeyed", p.slot.label()),
                format!("`{wrong}` was refused; `{what}` answered {}", a.status),
                &sent,
                Some(&a),
            );
            return Ok(());
        }
    }
    Ok(())
}

fn file_contents() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        Regex::new(r"root:[x*]?:0:0:|\[(fonts|extensions|mci extensions)\]").expect("valid")
    })
}

async fn traversal(p: &SlotProbe<'_, '_>, base: &Answer) -> Probed {
    if !p.scan.on(Check::PathTraversal) || p.slot.place == Place::Body || !p.slot.takes_path() {
        return Ok(());
    }
    if file_contents().is_match(&String::from_utf8_lossy(&base.body)) {
        return Ok(());
    }
    for payload in [
        "../../../../../../../../../../etc/passwd",
        "..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
        "....//....//....//....//....//....//etc/passwd",
        "/etc/passwd",
        "..\\..\\..\\..\\..\\..\\windows\\win.ini",
    ] {
        p.scan.probe(Check::PathTraversal);
        let (sent, answer) = p.send(Value::String(payload.into())).await?;
        if let Some(a) =
            answer.filter(|a| file_contents().is_match(&String::from_utf8_lossy(&a.body)))
        {
            p.found(
                Check::PathTraversal,
                format!(
                    "the {} reads files outside the served directory",
                    p.slot.label()
                ),
                format!("`{payload}` answered {} with the file's contents", a.status),
                &sent,
                Some(&a),
            );
            return Ok(());
        }
    }
    Ok(())
}

/// A listener on loopback that records the first line of every request.
pub struct Listener {
    pub port: u16,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Listener {
    pub async fn start() -> Listener {
        let hits = Arc::new(Mutex::new(Vec::new()));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await;
        let port = listener
            .as_ref()
            .ok()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.port())
            .unwrap_or(0);
        if let Ok(listener) = listener {
            let hits = hits.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                while let Ok((mut stream, _)) = listener.accept().await {
                    let hits = hits.clone();
                    tokio::spawn(async move {
                        let mut buf = vec![0u8; 4096];
                        let n = stream.read(&mut buf).await.unwrap_or(0);
                        let text = String::from_utf8_lossy(&buf[..n]);
                        let line = text.lines().next().unwrap_or("").to_string();
                        hits.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                        let _ = stream
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                            .await;
                    });
                }
            });
        }
        Listener { port, hits }
    }

    /// Whether a request for a path containing `marker` arrived within `wait`.
    pub async fn saw(&self, marker: &str, wait: Duration) -> Option<String> {
        let end = std::time::Instant::now() + wait;
        loop {
            if let Some(line) = self
                .hits
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .find(|l| l.contains(marker))
            {
                return Some(line.clone());
            }
            if std::time::Instant::now() >= end {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn ssrf_probe(p: &SlotProbe<'_, '_>, listener: &Listener) -> Probed {
    if !p.slot.takes_url() || listener.port == 0 {
        return Ok(());
    }
    p.scan.probe(Check::Ssrf);
    let marker = format!("seam-ssrf-{}", p.scan.unique());
    let url = format!("http://127.0.0.1:{}/{marker}", listener.port);
    let (sent, answer) = p.send(Value::String(url.clone())).await?;
    if let Some(line) = listener.saw(&marker, Duration::from_millis(1500)).await {
        p.found(
            Check::Ssrf,
            format!("the server fetched the URL given in the {}", p.slot.label()),
            format!(
                "seam's listener at 127.0.0.1:{} received `{line}`",
                listener.port
            ),
            &sent,
            answer.as_ref(),
        );
    }
    Ok(())
}

async fn header_injection(p: &SlotProbe<'_, '_>) -> Probed {
    if !p.scan.on(Check::HeaderInjection)
        || !matches!(p.slot.place, Place::Param(ParamLocation::Query))
    {
        return Ok(());
    }
    p.scan.probe(Check::HeaderInjection);
    let (sent, answer) = p.append("\r\nX-Seam-Injected: 1").await?;
    if let Some(a) = answer.filter(|a| a.header("x-seam-injected").is_some()) {
        p.found(
            Check::HeaderInjection,
            format!("a CR LF in the {} added a response header", p.slot.label()),
            "the answer carries `X-Seam-Injected: 1`".into(),
            &sent,
            Some(&a),
        );
    }
    Ok(())
}
