//! Test support shared by Seamline's crates (dev-dependency only).
//!
//! Conformance data from public projects lives outside the repository, in
//! `$SEAM_SHARED/conformance/` or `../shared/conformance/` beside the checkout.
//! A fresh clone does not have it: tests that read it call [`conformance_dir`],
//! which skips with one visible line there and fails under `CI=true`, where the
//! data must be present. [`mutate`] makes malformed inputs for the parsers'
//! property tests. [`sample_api`] serves a sample API with seeded defects (and
//! its corrected twin) for the fuzz checks' tests and benchmark; [`vuln_api`]
//! serves a notes API with seeded security flaws (and its hardened twin) for
//! the security scanner's tests. [`browser`] takes screenshots in headless
//! Chromium.

pub mod browser;
pub mod mutate;
pub mod sample_api;
pub mod vuln_api;

use std::io::Write;
use std::path::{Path, PathBuf};

/// The shared data folder: `$SEAM_SHARED`, else `shared/` beside the checkout.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("SEAM_SHARED")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let root = workspace_root();
            root.parent().unwrap_or(&root).join("shared")
        })
}

/// The repository's root (where the workspace `Cargo.toml` is).
pub fn workspace_root() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or(crate_dir)
        .to_path_buf()
}

/// `conformance/NAME` in the shared data folder, or `None` when it is absent: the
/// caller's test then returns early. Absent data prints one line on the terminal
/// (not captured by the test harness) naming the test and how to run it; under
/// `CI=true` it panics instead, since CI always has the data.
pub fn conformance_dir(name: &str, test: &str) -> Option<PathBuf> {
    let dir = shared_dir().join("conformance").join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    let why = format!(
        "{test}: conformance data not found at {}; set SEAM_SHARED to the folder holding conformance/{name}/ to run it",
        dir.display()
    );
    skip(&why);
    None
}

/// A test that cannot run here (data or a tool it needs is absent) says so
/// in one line on the terminal (not captured by the test harness) and its
/// caller returns; under `CI=true`, where everything is installed, it
/// panics instead.
pub fn skip(why: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why} (required when CI=true)");
    }
    // Written straight to the process's stderr so the harness shows it.
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}

/// A loopback port nothing listens on (bound, then released).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("a free loopback port")
        .local_addr()
        .expect("its address")
        .port()
}
