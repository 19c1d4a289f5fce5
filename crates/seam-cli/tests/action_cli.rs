//! The GitHub Action (`action.yml` at the root), run as a runner runs its
//! steps where that can be done here: the `seam ci` step's own script, with
//! the inputs' defaults, against a service with flaws, must fail the step,
//! set `exit-code` and leave the three reports; every input it names exists.

use serde_json::Value;
use std::process::Command;

fn action() -> (String, Value) {
    let path = seam_testkit::workspace_root().join("action.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed: Value = serde_saphyr::from_str(&text).expect("action.yml is YAML");
    (text, parsed)
}

/// `text` with each `${{ inputs.NAME }}` replaced by that input's default.
fn with_defaults(text: &str, inputs: &Value) -> String {
    let mut out = text.to_string();
    for (name, input) in inputs.as_object().unwrap() {
        let default = input["default"].as_str().unwrap_or_default();
        out = out.replace(&format!("${{{{ inputs.{name} }}}}"), default);
    }
    out
}

#[test]
fn every_input_the_action_uses_is_declared_and_the_install_path_exists() {
    let (text, parsed) = action();
    let inputs = parsed["inputs"].as_object().unwrap();
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(
            inputs.contains_key(&name),
            "action.yml uses inputs.{name}, not declared"
        );
    }
    assert!(text.contains("$GITHUB_ACTION_PATH/crates/seam-cli"));
    assert!(seam_testkit::workspace_root()
        .join("crates/seam-cli/Cargo.toml")
        .is_file());
}

#[test]
fn the_ci_step_fails_on_a_flawed_service_and_leaves_its_reports() {
    use seam_testkit::sample_api::{serve, Flaws, SPEC};
    let (_, parsed) = action();
    let steps = parsed["runs"]["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| s["id"] == "ci")
        .expect("a step with id ci");
    let script = step["run"].as_str().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    for (flaws, code) in [(Flaws::All, 1), (Flaws::None, 0)] {
        let addr = rt.block_on(serve(flaws));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("api.yaml"), SPEC).unwrap();
        std::fs::write(
            dir.path().join("seam.toml"),
            format!(
                "[fuzz]\nname = \"inventory\"\nspec = \"api.yaml\"\nurl = \"http://{addr}\"\n\
                 bearer = \"sample-token\"\nmax-examples = 10\n"
            ),
        )
        .unwrap();
        let output_file = dir.path().join("github-output");
        let seam_dir = std::path::Path::new(env!("CARGO_BIN_EXE_seam"))
            .parent()
            .unwrap();
        let mut run = Command::new("bash");
        run.args(["--noprofile", "--norc", "-e", "-c", script])
            .current_dir(dir.path())
            .env("GITHUB_OUTPUT", &output_file)
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    seam_dir.display(),
                    std::env::var("PATH").unwrap_or_default()
                ),
            );
        for (name, value) in step["env"].as_object().unwrap() {
            run.env(
                name,
                with_defaults(value.as_str().unwrap(), &parsed["inputs"]),
            );
        }
        let out = run.output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let outputs = std::fs::read_to_string(&output_file).unwrap();
        assert!(outputs.contains(&format!("exit-code={code}")), "{outputs}");
        for report in ["seam.xml", "seam.html", "seam.sarif"] {
            let path = dir.path().join("seam-reports").join(report);
            assert!(path.is_file(), "{report} not written");
        }
        let sarif: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("seam-reports/seam.sarif")).unwrap(),
        )
        .unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.is_empty(), code == 0, "{sarif}");
    }
}
