//! `seam completions` and `seam man`, used as a shell and `man` use them:
//! bash loads the script and completes real words with it; every page
//! `seam man --dir` writes renders with `man`, one per (sub)command.

use std::path::Path;
use std::process::{Command, Stdio};

fn seam() -> Command {
    Command::new(env!("CARGO_BIN_EXE_seam"))
}

/// What bash's completion for `seam` offers for the words typed so far.
fn complete(script: &Path, words: &[&str]) -> Vec<String> {
    let line = words.join(" ");
    let program = format!(
        "source {script}\nCOMP_WORDS=({line})\nCOMP_CWORD={cword}\nCOMP_LINE='{line}'\nCOMP_POINT=${{#COMP_LINE}}\n_seam seam '{last}' '{prev}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        script = script.display(),
        cword = words.len() - 1,
        last = words[words.len() - 1],
        prev = words[words.len() - 2],
    );
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_commands_and_flags_from_the_generated_script() {
    let dir = tempfile::tempdir().unwrap();
    let out = seam().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    let script = dir.path().join("seam.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    assert_eq!(complete(&script, &["seam", "bro"]), ["broker"]);
    let flags = complete(&script, &["seam", "mock", "--st"]);
    assert_eq!(flags, ["--stubs"]);
    let nested = complete(&script, &["seam", "broker", "can"]);
    assert_eq!(nested, ["can-i-deploy"]);
}

#[test]
fn every_shell_gets_a_script_and_an_unknown_one_is_refused() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = seam().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("can-i-deploy"), "{shell}: {text}");
    }
    let out = seam().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values"));
}

#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    for args in [&["completions", "bash"][..], &["man"][..]] {
        let mut child = seam()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // read nothing: the pipe closes while seam writes
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    }
}

#[test]
fn the_man_pages_cover_every_command_and_render() {
    let dir = tempfile::tempdir().unwrap();
    let out = seam()
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // one page per command, at every depth, named as `man` looks it up
    for page in [
        "seam.1",
        "seam-mock.1",
        "seam-broker.1",
        "seam-broker-can-i-deploy.1",
        "seam-pact-validate.1",
    ] {
        assert!(dir.path().join(page).is_file(), "{page}");
    }
    let top = std::fs::read_to_string(dir.path().join("seam.1")).unwrap();
    for line in top
        .lines()
        .filter(|l| l.starts_with("seam\\-") && l.ends_with("(1)"))
    {
        let page = format!("{}.1", line.trim_end_matches("(1)").replace("\\-", "-"));
        assert!(
            dir.path().join(&page).is_file(),
            "seam.1 names {page}, which is not written"
        );
    }
    if Command::new("man").arg("--version").output().is_err() {
        seam_testkit::skip("rendering the man pages: `man` is not installed");
        return;
    }
    let rendered = Command::new("man")
        .arg("-l")
        .arg(dir.path().join("seam-mock.1"))
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(text.contains("seam mock"), "{text}");
    assert!(text.contains("--stubs"), "{text}");
}
