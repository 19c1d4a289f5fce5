//! The demo's files, embedded: `seam.toml`, the contracts, the suites and the
//! gateway's WireMock mappings (the sources are in `crates/seam-demo/demo/`).
//! [`write_to`] puts them in a directory, where `seam ci` runs them as is.

use std::path::Path;

/// One embedded file.
pub struct Asset {
    /// Relative to the demo directory.
    pub path: &'static str,
    pub contents: &'static str,
}

macro_rules! assets {
    ($($path:literal),* $(,)?) => {
        &[$(Asset { path: $path, contents: include_str!(concat!("../demo/", $path)) }),*]
    };
}

/// Every demo file.
pub const ASSETS: &[Asset] = assets![
    "seam.toml",
    "contracts/orders-inventory.yaml",
    "contracts/orders-payments.yaml",
    "contracts/orders-shipping.yaml",
    "suites/shop.yaml",
    "suites/faults.yaml",
    "suites/steps/order-degrades.yaml",
    "gateway/mappings/charge-succeeded.json",
    "gateway/mappings/charge-declined.json",
    "gateway/mappings/unauthorized.json",
];

/// Writes every demo file under `dir`.
pub fn write_to(dir: &Path) -> std::io::Result<()> {
    for a in ASSETS {
        let path = dir.join(a.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, a.contents)?;
    }
    Ok(())
}
