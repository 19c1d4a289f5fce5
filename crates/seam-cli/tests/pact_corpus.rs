//! The pact corpus: real pact files gathered from public repositories
//! (`tests/data/pact-corpus/pacts/`, sources and licences in that folder's
//! README.md), each one put through `seam` the way a team would use it. The
//! checks, by the name failures and `expectations.json` use:
//! - `validate`: `seam pact validate` accepts it (warnings allowed);
//! - `mock-start`, `mock`: `seam mock` serving it answers each usable HTTP
//!   interaction's example request with the example status, and the example
//!   body where the pact fixes it (no generator on it). When an earlier
//!   interaction's example is a sub-request of a later one's (same method,
//!   path, query and body, fewer headers), the earlier one answers both: the
//!   first interaction wins;
//! - `verify`: `seam verify --skip-unsupported` of its HTTP interactions
//!   against `seam mock` serving it passes;
//! - `unusable-not-verified`: when seam mock says it does not serve an
//!   interaction (a plugin, a rule seam cannot compile), `seam verify` without
//!   `--skip-unsupported` reports it not verified and exits 2;
//! - `verify-messages`: `seam verify` of its message interactions (asynchronous
//!   and synchronous) against a provider answering each with its example
//!   passes;
//! - with the official Pact CLI (`target/pact-cli/bin/pact`, installed by
//!   `.ci/run`): `official-stub-load` (the official stub loads it),
//!   `mock-vs-official-stub` (seam mock answers each example request with the
//!   official stub's status, Content-Type and body), `official-verify-seam-mock`
//!   (the official verifier passes against `seam mock`), `official-self` (the
//!   official verifier passes against the official stub),
//!   `seam-verify-official-stub` (`seam verify` against the official stub gives
//!   the official verifier's verdict) and `messages-vs-official` (both
//!   verifiers give the same verdict on the messages).
//!
//! Pacts listing plugins in their metadata are not asked of the mock, their
//! messages not produced and the official tools not run on them (those
//! install plugins when the network lets them, so their verdict depends on the
//! machine); nor are the interactions seam mock says (in its start-up
//! warnings) it does not serve asked of it: seam marks them unusable. The HTTP
//! verification steps run on a copy of the pact holding only its HTTP
//! interactions, the message ones on a copy holding only its messages.
//!
//! Known deviations live in `expectations.json`: each entry names a file, its
//! check(s) (and optionally an interaction), a kind and why it is expected to
//! fail: no stub can pass it, the official tools' own verdict, or a seam fix
//! not landed yet. Every failure is collected and reported at once; an entry
//! that no longer matches a failure fails the test too (unless it says
//! `"sometimes": true`: an official tool that is not deterministic there), so
//! the manifest stays honest. Without the Pact CLI the official-tool checks are
//! skipped with one line (a failure under `CI=true`, where `.ci/run` installs
//! it; `SEAM_PACT_CLI` names another binary). The files run in parallel
//! threads (about 30 s in all); `SEAM_CORPUS_VERBOSE=1` prints every failure,
//! expected ones included.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

mod common;
use common::seam;

/// `tests/data/pact-corpus`: the pacts, their README, the manifest.
fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pact-corpus")
}

/// The official CLI, when installed (`.ci/run` installs it; a fresh clone may
/// not have it).
/// `SEAM_PACT_CLI` names another binary (a missing one runs the test as
/// without the CLI).
fn pact_cli() -> Option<PathBuf> {
    let bin = match std::env::var_os("SEAM_PACT_CLI") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/pact-cli/bin/pact"),
    };
    bin.exists().then_some(bin)
}

/// One thing that went wrong: which file, which check, which interaction.
#[derive(Debug, Clone)]
struct Failure {
    file: String,
    check: &'static str,
    interaction: Option<String>,
    detail: String,
}

/// One known deviation from `expectations.json` (an entry naming several
/// checks is one of these per check).
#[derive(Debug)]
struct Expected {
    file: String,
    check: String,
    interaction: Option<String>,
    official: bool,
    /// `"sometimes": true`: the official tool is not deterministic here, so
    /// the entry is not stale when the check passes
    sometimes: bool,
}

/// The checks that need the official CLI (not stale when it is missing).
const OFFICIAL_CHECKS: &[&str] = &[
    "messages-vs-official",
    "mock-vs-official-stub",
    "official-verify-seam-mock",
    "official-stub-load",
    "official-self",
    "seam-verify-official-stub",
];

const CHECKS: &[&str] = &[
    "validate",
    "mock-start",
    "mock",
    "verify",
    "verify-messages",
];

/// Why a deviation is expected: no stub can pass it (`inherent`), the official
/// tools' own verdict (`official-disagree`, `official-cannot-load`), or a seam
/// fix that has not landed (`known-failure`).
const KINDS: &[&str] = &[
    "inherent",
    "official-disagree",
    "official-cannot-load",
    "known-failure",
];

fn load_expectations() -> Vec<Expected> {
    let path = corpus_dir().join("expectations.json");
    let text = std::fs::read_to_string(&path).expect("expectations.json is readable");
    let doc: Value = serde_json::from_str(&text).expect("expectations.json is JSON");
    let entries = doc["expected"]
        .as_array()
        .expect("expectations.json: `expected` is an array");
    let mut all = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let field = |k: &str| e[k].as_str().map(str::to_string);
        let checks: Vec<String> = match &e["check"] {
            Value::String(c) => vec![c.clone()],
            Value::Array(cs) => cs
                .iter()
                .map(|c| c.as_str().map(str::to_string))
                .collect::<Option<_>>()
                .unwrap_or_else(|| panic!("expected[{i}]: `check` holds strings")),
            _ => panic!("expected[{i}]: `check` is a check name or a list of them"),
        };
        assert!(
            field("reason").is_some_and(|r| !r.trim().is_empty()),
            "expected[{i}]: every entry says why (`reason`)"
        );
        let kind = field("kind").unwrap_or_default();
        assert!(
            KINDS.contains(&kind.as_str()),
            "expected[{i}]: `kind` is one of {KINDS:?}, not {kind:?}"
        );
        let file = field("file").unwrap_or_else(|| panic!("expected[{i}]: no `file`"));
        for check in checks {
            assert!(
                CHECKS.contains(&check.as_str()) || OFFICIAL_CHECKS.contains(&check.as_str()),
                "expected[{i}]: unknown check {check:?} (one of {CHECKS:?} or {OFFICIAL_CHECKS:?})"
            );
            all.push(Expected {
                file: file.clone(),
                official: OFFICIAL_CHECKS.contains(&check.as_str()),
                check,
                interaction: field("interaction"),
                sometimes: e["sometimes"].as_bool().unwrap_or(false),
            });
        }
    }
    all
}

/// Whether a manifest entry accounts for a failure (no interaction named: any).
fn covers(e: &Expected, f: &Failure) -> bool {
    e.file == f.file
        && e.check == f.check
        && (e.interaction.is_none() || e.interaction == f.interaction)
}

#[test]
fn every_corpus_pact_loads_serves_and_verifies() {
    let dir = corpus_dir().join("pacts");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the corpus folder exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the corpus holds {} files", files.len());
    let expectations = load_expectations();
    for e in &expectations {
        assert!(
            dir.join(&e.file).exists(),
            "expectations.json names {} which is not in the corpus",
            e.file
        );
    }

    let cli = pact_cli();
    if cli.is_none() {
        let why = "pact corpus: the official-tool checks: the Pact CLI is not installed at target/pact-cli/bin/pact (.ci/run installs it) or at $SEAM_PACT_CLI";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why} (required when CI=true)");
        }
        // straight to the process's stderr so the harness shows it
        let _ = writeln!(std::io::stderr(), "skipped: {why}");
    }
    let skip_unsupported = seam_knows_skip_unsupported();

    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let interactions_checked = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(file) = files.get(i) else { break };
                let mut run = FileRun::new(file, cli.as_deref(), skip_unsupported);
                run.check();
                interactions_checked.fetch_add(run.asked, Ordering::SeqCst);
                failures.lock().unwrap().extend(run.failures);
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort_by(|a, b| (&a.file, a.check).cmp(&(&b.file, b.check)));

    let mut unexpected = Vec::new();
    for f in &failures {
        if !expectations.iter().any(|e| covers(e, f)) {
            unexpected.push(f);
        }
    }
    let mut stale = Vec::new();
    for e in &expectations {
        if e.sometimes || (e.official && cli.is_none()) {
            continue;
        }
        if !failures.iter().any(|f| covers(e, f)) {
            stale.push(e);
        }
    }
    eprintln!(
        "pact corpus: {} files, {} HTTP examples asked of the mock, {} expected deviations, in {:.1} s",
        files.len(),
        interactions_checked.load(Ordering::SeqCst),
        failures.len() - unexpected.len(),
        started.elapsed().as_secs_f64()
    );
    if std::env::var("SEAM_CORPUS_VERBOSE").is_ok_and(|v| v == "1") {
        // every failure, expected ones included, for whoever updates the manifest
        for f in &failures {
            let _ = writeln!(
                std::io::stderr(),
                "{} [{}]{}: {}",
                f.file,
                f.check,
                f.interaction
                    .as_ref()
                    .map(|i| format!(" interaction {i:?}"))
                    .unwrap_or_default(),
                f.detail
            );
        }
    }
    let mut report = String::new();
    for f in &unexpected {
        report.push_str(&format!(
            "- {} [{}]{}: {}\n",
            f.file,
            f.check,
            f.interaction
                .as_ref()
                .map(|i| format!(" interaction {i:?}"))
                .unwrap_or_default(),
            f.detail
        ));
    }
    for e in &stale {
        report.push_str(&format!(
            "- stale expectation: {} [{}]{} no longer fails; remove it from expectations.json\n",
            e.file,
            e.check,
            e.interaction
                .as_ref()
                .map(|i| format!(" interaction {i:?}"))
                .unwrap_or_default()
        ));
    }
    assert!(
        report.is_empty(),
        "{} unexpected failure(s), {} stale expectation(s):\n{report}",
        unexpected.len(),
        stale.len()
    );
}

/// `--skip-unsupported` once `seam verify` has it.
fn seam_knows_skip_unsupported() -> bool {
    let out = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["verify", "--help"])
        .output()
        .expect("seam runs");
    String::from_utf8_lossy(&out.stdout).contains("--skip-unsupported")
}

/// The work on one corpus file.
struct FileRun<'a> {
    path: &'a Path,
    name: String,
    cli: Option<&'a Path>,
    /// `seam verify --skip-unsupported` exists
    has_skip_unsupported: bool,
    failures: Vec<Failure>,
    asked: usize,
}

impl<'a> FileRun<'a> {
    fn new(path: &'a Path, cli: Option<&'a Path>, has_skip_unsupported: bool) -> Self {
        FileRun {
            path,
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            cli,
            has_skip_unsupported,
            failures: Vec::new(),
            asked: 0,
        }
    }

    fn fail(&mut self, check: &'static str, interaction: Option<&str>, detail: String) {
        self.failures.push(Failure {
            file: self.name.clone(),
            check,
            interaction: interaction.map(str::to_string),
            detail,
        });
    }

    fn check(&mut self) {
        let text = std::fs::read_to_string(self.path).expect("corpus files are UTF-8");
        let doc: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
            .expect("corpus files are JSON");
        let pact = Pact::read(&doc);
        if pact.uses_plugins {
            // the official tools install a pact's plugins when the network lets
            // them: their verdict on such a file depends on the machine
            self.cli = None;
        }

        let (code, out, err) = seam(&["pact", "validate", &self.path.to_string_lossy()]);
        if code != 0 {
            self.fail(
                "validate",
                None,
                format!("exit {code}: {}", first_lines(&(out + &err), 3)),
            );
        }

        let work = tempfile::tempdir().unwrap();
        let http_view = if pact.http.is_empty() {
            None
        } else {
            let p = work.path().join(&self.name);
            std::fs::write(&p, serde_json::to_vec_pretty(&http_only(&doc)).unwrap()).unwrap();
            Some(p)
        };

        // the official stub first: the mock's answers are compared with its own
        let stub = self.cli.map(|cli| Server::official_stub(cli, self.path));
        let stub = match stub {
            Some(Err(why)) => {
                self.fail("official-stub-load", None, why);
                None
            }
            Some(Ok(stub)) => Some(stub),
            None => None,
        };

        match Server::seam_mock(self.path) {
            Err(why) => self.fail("mock-start", None, why),
            Ok(mock) => {
                if !pact.uses_plugins {
                    let stub_port = stub.as_ref().map(|s| s.port);
                    self.ask_mock(&pact, mock.port, stub_port, &mock.unusable);
                }
                if let (Some(view), false) = (&http_view, mock.unusable.is_empty()) {
                    // without --skip-unsupported, what seam cannot use fails the run (exit 2)
                    let (code, report) = self.seam_verify(view, mock.port, false);
                    if code != 2 || !report.to_ascii_lowercase().contains("not verified") {
                        self.fail(
                            "unusable-not-verified",
                            None,
                            format!(
                                "seam mock does not serve interaction(s) {:?}, but seam verify without --skip-unsupported exits {code} (expected 2, \"not verified\"): {}",
                                mock.unusable,
                                failed_lines(&report)
                            ),
                        );
                    }
                }
                if let Some(view) = &http_view {
                    let (code, report) = self.seam_verify(view, mock.port, true);
                    if code != 0 {
                        self.fail(
                            "verify",
                            None,
                            format!(
                                "seam verify against seam mock: exit {code}: {}",
                                failed_lines(&report)
                            ),
                        );
                    }
                    if let Some(cli) = self.cli {
                        let (ok, report) = official_verify(cli, view, mock.port);
                        if !ok {
                            self.fail(
                                "official-verify-seam-mock",
                                None,
                                format!(
                                    "the official verifier against seam mock failed: {}",
                                    failed_lines(&report)
                                ),
                            );
                        }
                    }
                }
            }
        }

        if !pact.messages.is_empty() && !pact.uses_plugins {
            let view = work.path().join(format!("messages-{}", self.name));
            std::fs::write(
                &view,
                serde_json::to_vec_pretty(&messages_only(&doc)).unwrap(),
            )
            .unwrap();
            self.verify_messages(&pact.messages, &view);
        }

        let (Some(cli), Some(stub), Some(view)) = (self.cli, stub, &http_view) else {
            return;
        };
        let (official_ok, official_report) = official_verify(cli, view, stub.port);
        if !official_ok {
            self.fail(
                "official-self",
                None,
                format!(
                    "the official verifier fails against the official stub: {}",
                    failed_lines(&official_report)
                ),
            );
        }
        // no --skip-unsupported: an interaction seam cannot check is no pass,
        // as one the official verifier cannot load
        let (code, report) = self.seam_verify(view, stub.port, false);
        if (code == 0) != official_ok {
            self.fail(
                "seam-verify-official-stub",
                None,
                format!(
                    "against the official stub, seam verify exits {code} but the official verifier {}: seam: {} | official: {}",
                    if official_ok { "passes" } else { "fails" },
                    failed_lines(&report),
                    failed_lines(&official_report)
                ),
            );
        }
    }

    /// The pact's messages, produced by a provider that answers each with its
    /// example: `seam verify` passes, and the official verifier agrees.
    fn verify_messages(&mut self, messages: &[ExampleMessage], view: &Path) {
        let provider = MessageProvider::start(messages.to_vec());
        let (code, report) = self.seam_verify(view, provider.port, true);
        if code != 0 {
            self.fail(
                "verify-messages",
                None,
                format!(
                    "seam verify of the messages against a provider answering their examples: exit {code}: {}",
                    failed_lines(&report)
                ),
            );
        }
        if let Some(cli) = self.cli {
            let (official_ok, official_report) = official_verify(cli, view, provider.port);
            if official_ok != (code == 0) {
                self.fail(
                    "messages-vs-official",
                    None,
                    format!(
                        "against a provider answering the examples, seam verify exits {code} but the official verifier {}: seam: {} | official: {}",
                        if official_ok { "passes" } else { "fails" },
                        failed_lines(&report),
                        failed_lines(&official_report)
                    ),
                );
            }
        }
    }

    /// `seam verify` of `pact` against the provider on `port`.
    fn seam_verify(&self, pact: &Path, port: u16, skip_unsupported: bool) -> (i32, String) {
        let base = format!("http://127.0.0.1:{port}");
        let pact = pact.to_string_lossy();
        let mut args = vec![
            "verify",
            "--provider-base-url",
            &base,
            "--timeout-ms",
            "5000",
        ];
        if skip_unsupported && self.has_skip_unsupported {
            args.push("--skip-unsupported");
        }
        args.push(&pact);
        let (code, out, err) = seam(&args);
        (code, out + &err)
    }

    /// Each usable HTTP interaction's example request, sent to the mock (and
    /// to the official stub, when it runs, whose answer must be the same).
    fn ask_mock(&mut self, pact: &Pact, port: u16, stub_port: Option<u16>, unusable: &[usize]) {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        for (i, it) in pact.http.iter().enumerate() {
            if unusable.contains(&it.index) {
                continue;
            }
            // the first interaction whose example is a sub-request of this one answers it
            let answering = pact.http[..=i]
                .iter()
                .filter(|earlier| !unusable.contains(&earlier.index))
                .find(|earlier| earlier.request.is_sub_request_of(&it.request))
                .unwrap_or(it);
            self.asked += 1;
            let got = match ask(&client, port, &it.request) {
                Ok(answer) => answer,
                Err(e) => {
                    self.fail("mock", Some(&it.description), format!("no answer: {e}"));
                    continue;
                }
            };
            let request = format!("{} {}", it.request.method, it.request.target());
            if let Some(official) = stub_port.and_then(|p| ask(&client, p, &it.request).ok()) {
                let status_generated = answering.status.is_none();
                if let Some(diff) =
                    got.differs_from(&official, status_generated, answering.generated)
                {
                    self.fail(
                        "mock-vs-official-stub",
                        Some(&it.description),
                        format!("{request}: {diff}"),
                    );
                }
            }
            if answering
                .status
                .is_some_and(|expected| expected != got.status)
            {
                self.fail(
                    "mock",
                    Some(&it.description),
                    format!(
                        "{request}: expected status {}{} but got {}: {}",
                        answering.status.unwrap_or_default(),
                        if std::ptr::eq(answering, it) {
                            String::new()
                        } else {
                            format!(
                                " (from the earlier interaction {:?})",
                                answering.description
                            )
                        },
                        got.status,
                        snippet(&got.body)
                    ),
                );
                continue;
            }
            let differs = answering
                .fixed_body
                .as_ref()
                .filter(|expected| !same_body(expected, &got.body));
            if let Some(expected) = differs {
                self.fail(
                    "mock",
                    Some(&it.description),
                    format!(
                        "{request}: expected body {} but got {}",
                        snippet(expected),
                        snippet(&got.body)
                    ),
                );
            }
        }
    }
}

/// What a stub answered: status, Content-Type essence, body.
struct Answer {
    status: u16,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    /// How `self` (seam mock's answer) differs from the official stub's; the
    /// status is not compared when a generator makes it, nor the body when the
    /// response has generators.
    fn differs_from(
        &self,
        official: &Answer,
        status_generated: bool,
        generated: bool,
    ) -> Option<String> {
        if !status_generated && self.status != official.status {
            return Some(format!(
                "seam mock answers {} but the official stub {}",
                self.status, official.status
            ));
        }
        if self.content_type != official.content_type {
            return Some(format!(
                "seam mock answers Content-Type {:?} but the official stub {:?}",
                self.content_type, official.content_type
            ));
        }
        if !generated && !same_body(&official.body, &self.body) {
            return Some(format!(
                "seam mock answers the body {} but the official stub {}",
                snippet(&self.body),
                snippet(&official.body)
            ));
        }
        None
    }
}

/// Sends an example request to the stub on `port`.
fn ask(
    client: &reqwest::blocking::Client,
    port: u16,
    request: &ExampleRequest,
) -> Result<Answer, reqwest::Error> {
    let url = format!("http://127.0.0.1:{port}{}", request.target());
    let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
    let mut req = client.request(method, &url);
    for (k, v) in &request.headers {
        if !["content-length", "host", "transfer-encoding", "connection"]
            .contains(&k.to_ascii_lowercase().as_str())
        {
            req = req.header(k, v);
        }
    }
    if let Some(body) = &request.body {
        req = req.body(body.clone());
    }
    let got = req.send()?;
    let status = got.status().as_u16();
    let content_type = got
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    let body = got.bytes()?.to_vec();
    Ok(Answer {
        status,
        content_type,
        body,
    })
}

/// Bodies are equal as JSON when both are JSON, else byte for byte.
fn same_body(expected: &[u8], got: &[u8]) -> bool {
    match (
        serde_json::from_slice::<Value>(expected),
        serde_json::from_slice::<Value>(got),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => expected == got,
    }
}

/// A body for a failure line: one line, quoted, at most 160 characters.
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > 160 {
        format!("{:?}…", one_line.chars().take(160).collect::<String>())
    } else {
        format!("{one_line:?}")
    }
}

/// The first `n` non-empty lines, joined with ` | `.
fn first_lines(text: &str, n: usize) -> String {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(n)
        .collect::<Vec<_>>()
        .join(" | ")
}

/// The lines of a verification report that say what failed (or its start).
fn failed_lines(report: &str) -> String {
    let report = strip_ansi(report);
    let picked: Vec<&str> = report
        .lines()
        .map(str::trim)
        .filter(|l| {
            let low = l.to_ascii_lowercase();
            !l.is_empty()
                && (low.contains("fail")
                    || low.contains("mismatch")
                    || low.contains("expected")
                    || low.contains("error")
                    || low.contains("not verified"))
        })
        .take(6)
        .collect();
    if picked.is_empty() {
        first_lines(&report, 4)
    } else {
        picked.join(" | ")
    }
}

/// The official verifier's verdict on `pact` against the provider on `port`.
fn official_verify(cli: &Path, pact: &Path, port: u16) -> (bool, String) {
    let out = Command::new(cli)
        .env("PACT_DO_NOT_TRACK", "true")
        .args(["verifier", "--no-colour", "-f"])
        .arg(pact)
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .output()
        .expect("the pact CLI runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// A server process (seam mock or the official stub), killed when dropped.
struct Server {
    child: Child,
    port: u16,
    /// The interactions (indexes in `interactions`) seam mock says it does
    /// not serve (`at $.interactions[N]: interaction "..." is not served`)
    unusable: Vec<usize>,
}

/// The interaction indexes named in seam mock's "is not served" warnings.
fn not_served(warnings: &str) -> Vec<usize> {
    warnings
        .lines()
        .filter(|l| l.contains("is not served"))
        .filter_map(|l| {
            l.split("$.interactions[")
                .nth(1)?
                .split(']')
                .next()?
                .parse()
                .ok()
        })
        .collect()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// `seam mock --pact FILE --port 0`; its first stdout line names the URL.
    fn seam_mock(pact: &Path) -> Result<Server, String> {
        // warnings go to a file: read once the mock listens, never a full pipe
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_seam"))
            .args(["mock", "--port", "0", "--pact"])
            .arg(pact)
            .stdout(Stdio::piped())
            .stderr(log.reopen().unwrap())
            .spawn()
            .expect("seam starts");
        let mut line = String::new();
        let _ = BufReader::new(child.stdout.take().unwrap()).read_line(&mut line);
        let port = line
            .split_whitespace()
            .find(|w| w.starts_with("http"))
            .and_then(|url| url.rsplit(':').next())
            .and_then(|p| p.trim_end_matches('/').parse().ok());
        let warnings = std::fs::read_to_string(log.path()).unwrap_or_default();
        match port {
            Some(port) => Ok(Server {
                child,
                port,
                unusable: not_served(&warnings),
            }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                let err = std::fs::read_to_string(log.path()).unwrap_or_default();
                Err(format!("seam mock did not start: {}", first_lines(&err, 3)))
            }
        }
    }

    /// `pact stub -f FILE -p 0`: the port it took is in its log ("Server started
    /// on port N"). Choosing a free port first would race with the other
    /// threads' servers.
    fn official_stub(cli: &Path, pact: &Path) -> Result<Server, String> {
        let log = tempfile::NamedTempFile::new().unwrap();
        let child = Command::new(cli)
            .env("PACT_DO_NOT_TRACK", "true")
            .env("NO_COLOR", "1")
            .args(["stub", "-l", "info", "-p", "0", "-f"])
            .arg(pact)
            .stdout(log.reopen().unwrap())
            .stderr(log.reopen().unwrap())
            .spawn()
            .expect("the pact CLI runs");
        let mut server = Server {
            child,
            port: 0,
            unusable: Vec::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = std::fs::read_to_string(log.path()).unwrap_or_default();
            let port = text
                .split("started on port ")
                .nth(1)
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|p| p.parse().ok());
            if let Some(port) = port {
                server.port = port;
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "the official stub server exits ({status}) on it: {}",
                    first_lines(&strip_ansi(&text), 3)
                ));
            }
            if Instant::now() > deadline {
                return Err("the official stub server did not start in 15 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Log lines without their terminal colour codes.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ ... letter
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A message provider for the verifiers: `POST {description, providerStates}`
/// is answered with that message's example body, its Content-Type and its
/// metadata as base64 JSON in `Pact-Message-Metadata` (the convention both
/// verifiers follow). One connection at a time; stopped when dropped.
struct MessageProvider {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MessageProvider {
    fn start(messages: Vec<ExampleMessage>) -> MessageProvider {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let _ = answer_message(stream, &messages);
                }
            }
        });
        MessageProvider {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for MessageProvider {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request and answers it with the message it names.
fn answer_message(
    mut stream: std::net::TcpStream,
    messages: &[ExampleMessage],
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        data.extend_from_slice(&buf[..n]);
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let asked: Value = serde_json::from_slice(&data[head_end..]).unwrap_or(Value::Null);
    let description = asked["description"].as_str().unwrap_or_default();
    let states = provider_state_names(&asked);
    let named: Vec<&ExampleMessage> = messages
        .iter()
        .filter(|m| m.description == description)
        .collect();
    let message = named
        .iter()
        .find(|m| m.states == states)
        .or(named.first())
        .copied();
    let answer = match message {
        Some(m) => {
            let metadata = base64_encode(&serde_json::to_vec(&m.metadata).unwrap());
            let mut head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: {}\r\ncontent-length: {}\r\npact-message-metadata: {metadata}\r\nconnection: close\r\n\r\n",
                m.content_type,
                m.body.len()
            )
            .into_bytes();
            head.extend_from_slice(&m.body);
            head
        }
        None => {
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec()
        }
    };
    stream.write_all(&answer)
}

const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | *b as u32) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// What the test needs of a pact: its HTTP interactions as examples.
struct Pact {
    http: Vec<HttpInteraction>,
    messages: Vec<ExampleMessage>,
    uses_plugins: bool,
}

/// A message interaction (asynchronous, or the first response of a
/// synchronous one) as its provider would produce it.
#[derive(Clone)]
struct ExampleMessage {
    description: String,
    states: Vec<String>,
    content_type: String,
    body: Vec<u8>,
    metadata: Map<String, Value>,
}

struct HttpInteraction {
    /// Its index in the pact's `interactions`.
    index: usize,
    description: String,
    request: ExampleRequest,
    /// The status every answer must carry (none when a generator makes it).
    status: Option<u16>,
    /// The response body every answer must carry, when the pact fixes it.
    fixed_body: Option<Vec<u8>>,
    /// Generators make the response (status, headers or body) differ per answer.
    generated: bool,
}

#[derive(PartialEq)]
struct ExampleRequest {
    method: String,
    path: String,
    /// Already encoded (`a=1&b=2`), empty for none.
    query: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl ExampleRequest {
    fn target(&self) -> String {
        let path = encode(&self.path, PATH_SAFE);
        if self.query.is_empty() {
            path
        } else {
            format!("{path}?{}", self.query)
        }
    }

    /// Same method, path, query and body; `self`'s headers all in `other`.
    fn is_sub_request_of(&self, other: &ExampleRequest) -> bool {
        self.method == other.method
            && self.path == other.path
            && self.query == other.query
            && self.body == other.body
            && self.headers.iter().all(|(k, v)| {
                other
                    .headers
                    .iter()
                    .any(|(k2, v2)| k.eq_ignore_ascii_case(k2) && v == v2)
            })
    }
}

impl Pact {
    fn read(doc: &Value) -> Pact {
        let version = spec_version(doc);
        let uses_plugins = doc["metadata"]["plugins"]
            .as_array()
            .is_some_and(|p| !p.is_empty());
        let http = doc["interactions"]
            .as_array()
            .map(|all| {
                all.iter()
                    .enumerate()
                    .filter(|(_, i)| is_http(i))
                    .map(|(index, i)| HttpInteraction::read(index, i, version))
                    .collect()
            })
            .unwrap_or_default();
        let mut messages: Vec<ExampleMessage> = doc["messages"]
            .as_array()
            .map(|all| all.iter().map(|m| ExampleMessage::read(m, m, 3)).collect())
            .unwrap_or_default();
        for i in doc["interactions"].as_array().into_iter().flatten() {
            match i["type"].as_str() {
                Some("Asynchronous/Messages") => messages.push(ExampleMessage::read(i, i, version)),
                Some("Synchronous/Messages") => {
                    if let Some(first) = i["response"].as_array().and_then(|r| r.first()) {
                        messages.push(ExampleMessage::read(i, first, version));
                    }
                }
                _ => {}
            }
        }
        Pact {
            http,
            messages,
            uses_plugins,
        }
    }
}

impl ExampleMessage {
    /// `interaction` names it; `message` holds its contents and metadata
    /// (the interaction itself, or a synchronous one's response message).
    fn read(interaction: &Value, message: &Value, version: u32) -> ExampleMessage {
        let metadata = message["metadata"]
            .as_object()
            .or(message["metaData"].as_object())
            .cloned()
            .unwrap_or_default();
        let contents = if message.get("contents").is_some() {
            &message["contents"]
        } else {
            &message["content"]
        };
        let content_type = contents["contentType"]
            .as_str()
            .or(metadata.get("contentType").and_then(Value::as_str))
            .or(metadata.get("Content-Type").and_then(Value::as_str))
            .unwrap_or("application/json")
            .to_string();
        // a v3 message's contents are a JSON value: under a JSON type a string
        // holding a JSON document is that document, any other string the JSON
        // string itself (what both verifiers expect)
        let body = match contents {
            Value::String(text)
                if version < 4
                    && content_type.contains("json")
                    && serde_json::from_str::<Value>(text).is_err() =>
            {
                serde_json::to_vec(text).unwrap()
            }
            _ => body_bytes(contents, Some(&content_type), version).unwrap_or_default(),
        };
        ExampleMessage {
            description: interaction["description"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            states: provider_state_names(interaction),
            body,
            content_type,
            metadata,
        }
    }
}

/// The provider state names of an interaction (`providerStates` or the v2
/// `providerState` / `provider_state`).
fn provider_state_names(interaction: &Value) -> Vec<String> {
    if let Some(states) = interaction["providerStates"].as_array() {
        return states
            .iter()
            .filter_map(|s| s["name"].as_str().map(str::to_string))
            .collect();
    }
    interaction["providerState"]
        .as_str()
        .or(interaction["provider_state"].as_str())
        .map(|s| vec![s.to_string()])
        .unwrap_or_default()
}

/// An HTTP interaction: v4 `Synchronous/HTTP`, or a v1–v3 one with a request method.
fn is_http(i: &Value) -> bool {
    match i["type"].as_str() {
        Some(t) => t == "Synchronous/HTTP",
        None => i.get("request").is_some_and(|r| r.get("method").is_some()),
    }
}

/// The major specification version (`metadata.pactSpecification.version`,
/// also spelt `pact-specification` / `pactSpecificationVersion`); 3 by default.
fn spec_version(doc: &Value) -> u32 {
    let m = &doc["metadata"];
    let v = m["pactSpecification"]["version"]
        .as_str()
        .or(m["pact-specification"]["version"].as_str())
        .or(m["pactSpecificationVersion"].as_str())
        .unwrap_or("3");
    v.split('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}

/// A copy of the pact with its HTTP interactions only.
fn http_only(doc: &Value) -> Value {
    let mut copy = doc.clone();
    if let Some(obj) = copy.as_object_mut() {
        obj.remove("messages");
        if let Some(Value::Array(all)) = obj.get_mut("interactions") {
            all.retain(is_http);
        }
    }
    copy
}

/// A copy of the pact with its message interactions only.
fn messages_only(doc: &Value) -> Value {
    let mut copy = doc.clone();
    if let Some(obj) = copy.as_object_mut() {
        if let Some(Value::Array(all)) = obj.get_mut("interactions") {
            all.retain(|i| !is_http(i));
            if all.is_empty() {
                obj.remove("interactions");
            }
        }
    }
    copy
}

impl HttpInteraction {
    fn read(index: usize, i: &Value, version: u32) -> HttpInteraction {
        let req = &i["request"];
        let res = &i["response"];
        let headers = header_pairs(&req["headers"]);
        let content_type = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone());
        let response_headers = header_pairs(&res["headers"]);
        let response_type = response_headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone());
        let generated = |part: &Value| {
            part["generators"]["body"]
                .as_object()
                .is_some_and(|g| !g.is_empty())
        };
        HttpInteraction {
            index,
            description: i["description"].as_str().unwrap_or_default().to_string(),
            request: ExampleRequest {
                method: req["method"].as_str().unwrap_or("GET").to_ascii_uppercase(),
                path: req["path"].as_str().unwrap_or("/").to_string(),
                query: query_string(&req["query"]),
                headers,
                body: body_bytes(&req["body"], content_type.as_deref(), version),
            },
            status: if res["generators"]["status"].is_object() {
                None
            } else {
                Some(res["status"].as_u64().unwrap_or(200) as u16)
            },
            fixed_body: if generated(res) {
                None
            } else {
                body_bytes(&res["body"], response_type.as_deref(), version)
            },
            generated: res["generators"].as_object().is_some_and(|g| !g.is_empty()),
        }
    }
}

/// Header values as sent: lists joined with `, `.
fn header_pairs(headers: &Value) -> Vec<(String, String)> {
    let Some(map) = headers.as_object() else {
        return Vec::new();
    };
    map.iter()
        .map(|(k, v)| {
            let value = match v {
                Value::Array(vs) => vs
                    .iter()
                    .map(|x| x.as_str().map(str::to_string).unwrap_or(x.to_string()))
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), value)
        })
        .collect()
}

/// v1/v2 queries are strings (sent as written); v3+ a map of value lists.
fn query_string(query: &Value) -> String {
    match query {
        Value::String(s) => s.clone(),
        Value::Object(map) => query_pairs(map),
        _ => String::new(),
    }
}

fn query_pairs(map: &Map<String, Value>) -> String {
    let mut parts = Vec::new();
    for (k, v) in map {
        let values: Vec<String> = match v {
            Value::Array(vs) => vs
                .iter()
                .map(|x| x.as_str().map(str::to_string).unwrap_or(x.to_string()))
                .collect(),
            Value::String(s) => vec![s.clone()],
            other => vec![other.to_string()],
        };
        for value in values {
            parts.push(format!(
                "{}={}",
                encode(k, QUERY_SAFE),
                encode(&value, QUERY_SAFE)
            ));
        }
    }
    parts.join("&")
}

const PATH_SAFE: &str = "/-._~!$&'()*+,;=:@%";
const QUERY_SAFE: &str = "-._~!$'()*,;:@/?";

/// Percent-encodes every byte outside the unreserved set and `safe`.
fn encode(text: &str, safe: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || safe.as_bytes().contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The bytes an example body stands for, as the official stub serves them:
/// v4 `{content, contentType, encoded}` objects (a string under a JSON type is
/// the JSON string `"..."`), base64 for binary content types (multipart
/// included, when the text is base64), a v2/v3 JSON string body as its text
/// (what the official tools send), any other JSON value serialized.
fn body_bytes(body: &Value, content_type: Option<&str>, version: u32) -> Option<Vec<u8>> {
    match body {
        Value::Null => None,
        Value::Object(o) if version >= 4 && o.contains_key("content") => {
            let ct = o["contentType"].as_str().or(content_type);
            let json = ct.is_some_and(|t| t.to_ascii_lowercase().contains("json"));
            match (&o["content"], o.get("encoded")) {
                (Value::String(s), Some(Value::String(enc)))
                    if enc.eq_ignore_ascii_case("base64") =>
                {
                    Some(base64_decode(s).unwrap_or_else(|| s.as_bytes().to_vec()))
                }
                // a JSON string value in a v4 body is the JSON document `"..."`
                (Value::String(s), _) if json => Some(serde_json::to_vec(s).unwrap()),
                (Value::String(s), _) => Some(s.as_bytes().to_vec()),
                (Value::Null, _) => None,
                (other, _) => body_bytes(other, ct, 3),
            }
        }
        Value::String(s) => {
            let decoded = content_type
                .filter(|ct| is_binary_type(ct))
                .and_then(|_| base64_decode(s));
            Some(decoded.unwrap_or_else(|| s.as_bytes().to_vec()))
        }
        other => Some(serde_json::to_vec(other).unwrap()),
    }
}

/// Not text, JSON, XML or a form: a pact stores such a body as base64.
fn is_binary_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    !(essence.starts_with("text/")
        || essence.contains("json")
        || essence.contains("xml")
        || essence == "application/x-www-form-urlencoded")
}

/// Standard base64 (padding optional); `None` when it is not base64.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.trim_end_matches('=').bytes().collect();
    if digits.is_empty() || digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for d in digits {
        let v = BASE64.iter().position(|&a| a == d)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[test]
fn the_readme_lists_every_corpus_file_with_its_source_and_licence() {
    let dir = corpus_dir();
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("README.md");
    let mut rows: BTreeMap<String, String> = BTreeMap::new();
    for line in readme.lines().filter(|l| l.starts_with("| `")) {
        let name = line.split('`').nth(1).unwrap_or_default().to_string();
        rows.insert(name, line.to_string());
    }
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(dir.join("pacts")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        match rows.get(&name) {
            None => missing.push(format!("{name}: no README row")),
            Some(row) => {
                // | `file` | repository | path | commit | licence |
                let cells: Vec<&str> = row.split('|').map(str::trim).collect();
                let commit = cells.get(4).copied().unwrap_or_default().trim_matches('`');
                let licence = cells.get(5).copied().unwrap_or_default();
                if !["MIT", "Apache-2.0", "BSD-3-Clause"].contains(&licence) {
                    missing.push(format!("{name}: licence {licence:?}"));
                }
                if commit.len() != 40 || !commit.chars().all(|c| c.is_ascii_hexdigit()) {
                    missing.push(format!("{name}: commit {commit:?}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
