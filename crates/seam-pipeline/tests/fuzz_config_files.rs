//! Malformed `seam.toml` files never panic, and every error names the file,
//! where, and what, in one line.

use proptest::prelude::*;
use seam_testkit::mutate::{assert_placed, mutated};

const SEEDS: &[&str] = &[r#"fail-fast = true

[[contracts]]
name = "orders"
provider-base-url = "${ORDERS_URL}"
provider-states-setup-url = "${ORDERS_URL}/_seam/states"
pacts = ["contracts/orders.yaml", "pacts"]
headers = ["Authorization: Bearer ${TOKEN}"]

[[suites]]
name = "shop"
files = ["suites/shop.yaml"]
vars = { base = "${ORDERS_URL}", n = "3" }
jobs = 2

[report]
junit = "reports/junit.xml"
html = "reports/seam.html"
"#];

fn vars(name: &str) -> Option<String> {
    match name {
        "ORDERS_URL" => Some("http://127.0.0.1:9".into()),
        "TOKEN" => Some("t".into()),
        _ => None,
    }
}

proptest! {
    #![proptest_config(seam_testkit::mutate::config("tests/regressions/config_files.txt"))]

    #[test]
    fn malformed_configs_are_rejected_with_a_place(doc in mutated(SEEDS)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seam.toml");
        std::fs::write(&path, &doc).unwrap();
        if let Err(e) = seam_pipeline::load(&path, &vars) {
            assert_placed(&e.to_string(), &path.display().to_string());
        }
    }
}

#[test]
fn the_seed_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seam.toml");
    std::fs::write(&path, SEEDS[0]).unwrap();
    seam_pipeline::load(&path, &vars).unwrap();
}
