//! Golden CLI tests: each folder under `tests/cli/` is one run of `seam`, and
//! its exact output is part of the contract with users.
//!
//! A case folder holds:
//! - `cmd`: the arguments, one per line (no shell); `$MOCK` stands for the URL
//!   of a `seam mock` started on the case's `mock.yaml`, `$CLOSED` for a URL
//!   nothing listens on, `$SEAM` for the `seam` binary (a consumer's test command);
//! - `env` (optional): `NAME=VALUE` lines for the run's environment, with the
//!   same substitutions;
//! - `stdout`, `stderr`, `exit`: what the run must print and return;
//! - any input files the command reads (paths in `cmd` are relative to the case).
//!
//! Variable parts are filtered before comparing: loopback ports become `PORT`,
//! durations `N ms` / `N s`, and the case's own temporary folder `$CASE`.
//! `BLESS=1 cargo test -p seam-cli --test golden` rewrites the expected files
//! from what the runs print; review the diff before committing it.

mod common;

use regex::Regex;
use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("tests/cli exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("cmd").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// What varies from run to run, made stable.
fn filter(text: &str, case_dir: &Path) -> String {
    let mut out = text.replace(&case_dir.display().to_string(), "$CASE");
    for (pattern, with) in [
        (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
        (r"in \d+\.\d s \(\d+/s\)", "in N s (N/s)"),
        (r"\d+(\.\d+)? ms\b", "N ms"),
        (r"\(\d+(\.\d+)? s\)", "(N s)"),
        (r"\d+(\.\d+)?s\b", "Ns"),
    ] {
        out = Regex::new(pattern)
            .unwrap()
            .replace_all(&out, with)
            .into_owned();
    }
    out
}

struct Run {
    stdout: String,
    stderr: String,
    exit: String,
}

fn run_case(case: &Path) -> Run {
    // each run works in a copy, so reports it writes never touch the repository
    let work = tempfile::tempdir().unwrap();
    copy_dir(case, work.path());
    let _mock = work
        .path()
        .join("mock.yaml")
        .is_file()
        .then(|| common::mock(&["--stubs", work.path().join("mock.yaml").to_str().unwrap()]));
    let mock_url = _mock.as_ref().map(|m| m.url.clone()).unwrap_or_default();
    let closed = format!("http://127.0.0.1:{}", common::closed_port());
    let lines = |name: &str| -> Vec<String> {
        std::fs::read_to_string(case.join(name))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                l.replace("$MOCK", &mock_url)
                    .replace("$CLOSED", &closed)
                    .replace("$SEAM", env!("CARGO_BIN_EXE_seam"))
            })
            .collect()
    };
    let env: Vec<(String, String)> = lines("env")
        .iter()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let out = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(lines("cmd"))
        .envs(env)
        .current_dir(work.path())
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .output()
        .unwrap();
    let dir = work.path().canonicalize().unwrap();
    let text = |b: &[u8]| {
        let t = String::from_utf8_lossy(b);
        filter(&filter(&t, &dir), work.path())
    };
    Run {
        stdout: text(&out.stdout),
        stderr: text(&out.stderr),
        exit: format!("{}\n", out.status.code().unwrap_or(-1)),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn every_case_prints_what_its_files_say() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(!cases.is_empty(), "no cases under tests/cli");
    for case in &cases {
        let run = run_case(case);
        for (name, got) in [
            ("stdout", &run.stdout),
            ("stderr", &run.stderr),
            ("exit", &run.exit),
        ] {
            let file = case.join(name);
            if bless {
                std::fs::write(&file, got).unwrap();
                continue;
            }
            let want = std::fs::read_to_string(&file).unwrap_or_default();
            if &want != got {
                failures.push(format!(
                    "{}/{name} differs\n--- expected\n{want}\n--- got\n{got}",
                    case.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ (BLESS=1 rewrites them):\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
