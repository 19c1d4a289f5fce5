//! `seam init`: a starter `seam.toml` and suite for a project, from its
//! OpenAPI spec (a test per operation, a fuzz layer on the spec, credentials
//! from its security schemes) or from a base URL alone (a suite skeleton).
//! What it writes is loaded back before it says done, so a fresh `seam ci`
//! reads it.

use crate::{exit, failure::input, CliError, Outcome};
use seam_suite::import;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).multiple(true).args(["openapi", "url"])))]
pub struct InitArgs {
    /// The service's OpenAPI spec (2.0, 3.0 or 3.1): the suite gets a test per
    /// operation and the pipeline a fuzz layer.
    #[arg(long, value_name = "SPEC")]
    openapi: Option<PathBuf>,
    /// Where the service listens (default with --openapi: the spec's first
    /// server).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The folder to write `seam.toml` and `suites/api.yaml` into.
    #[arg(long, value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Overwrite files that are already there.
    #[arg(long)]
    force: bool,
}

const SUITE: &str = "suites/api.yaml";

pub fn run(args: InitArgs) -> Result<Outcome, CliError> {
    let toml_path = args.dir.join("seam.toml");
    let suite_path = args.dir.join(SUITE);
    if let Some(url) = &args.url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(input(format!(
                "--url {url}: expected an http:// or https:// URL"
            )));
        }
    }
    for path in [&toml_path, &suite_path] {
        if path.exists() && !args.force {
            return Err(input(format!(
                "{} is already there; --force overwrites it",
                path.display()
            )));
        }
    }
    let starter = match &args.openapi {
        Some(spec) => from_spec(spec, &args)?,
        None => from_url(args.url.as_deref().unwrap_or_default()),
    };
    write(&suite_path, &starter.suite)?;
    write(&toml_path, &starter.toml)?;
    // what was written must load as `seam ci` will load it
    seam_pipeline::load(&toml_path, &|_| Some("set-at-run-time".into())).map_err(|e| {
        input(format!(
            "the seam.toml written does not load (a bug in seam init): {e}"
        ))
    })?;
    println!("wrote {} and {}", toml_path.display(), suite_path.display());
    if !starter.secrets.is_empty() {
        println!("the suite reads these credentials from the environment:");
        for s in &starter.secrets {
            println!("  export {s}=...");
        }
    }
    println!(
        "run it: seam ci -c {}   (reports in seam-reports/)",
        toml_path.display()
    );
    Ok(exit::OK)
}

struct Starter {
    toml: String,
    suite: String,
    secrets: Vec<String>,
}

fn write(path: &Path, text: &str) -> Result<(), CliError> {
    crate::reports::write_one(path, text)
        .map_err(|e| input(format!("cannot write {}: {e}", path.display())))
}

/// The pipeline's last table: the three reports CI systems read.
const REPORTS: &str = "\n[report]\n\
junit = \"seam-reports/seam.xml\"\n\
html = \"seam-reports/seam.html\"\n\
sarif = \"seam-reports/seam.sarif\"\n";

/// A TOML basic string.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `path` as written in a file in `dir`: relative when it is below it.
fn relative_to(path: &Path, dir: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (path, dir) = (absolute(path), absolute(dir));
    path.strip_prefix(&dir)
        .map(Path::to_path_buf)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn from_spec(spec_path: &Path, args: &InitArgs) -> Result<Starter, CliError> {
    let spec = seam_openapi::load::load(spec_path).map_err(|errors| {
        for e in &errors {
            eprintln!("error: {e}");
        }
        eprintln!(
            "error: {}: {} error(s); nothing written",
            spec_path.display(),
            errors.len()
        );
        CliError::Reported(exit::USAGE)
    })?;
    let in_toml = relative_to(spec_path, &args.dir);
    let in_suite = relative_to(spec_path, &args.dir.join("suites"));
    let from = import::openapi::import(&spec, &in_suite, &spec_path.display().to_string());
    let suite = import::to_yaml(&from.imported.suite)
        .and_then(|y| import::check_loads(&y).map(|()| from.preamble.clone() + &y))
        .map_err(|e| input(format!("{}: {e}", spec_path.display())))?;
    let server = from.imported.suite["variables"]["baseUrl"]
        .as_str()
        .map(str::to_string);
    let url = match (&args.url, server) {
        (Some(url), _) => url.clone(),
        (None, Some(server)) if server.starts_with("http") => server,
        _ => {
            return Err(input(format!(
                "{} names no server URL: give the service's with --url",
                spec_path.display()
            )))
        }
    };
    let secrets: Vec<String> = from.imported.suite["secrets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect();
    // the fuzz layer sends the suite's bearer token, when the spec has one
    // (with several, which one fuzzing should use is the user's choice)
    let tokens: Vec<&String> = secrets.iter().filter(|s| s.ends_with("TOKEN")).collect();
    let auth = match tokens.as_slice() {
        [token] => format!("bearer = \"${{{token}}}\"\n"),
        _ if secrets.is_empty() => String::new(),
        _ => format!(
            "# credentials for the fuzzer: bearer = \"${{TOKEN}}\", basic = \"user:password\" or headers = [...]\n# (the spec's schemes want {})\n",
            secrets.join(", ")
        ),
    };
    let toml = format!(
        "# seam.toml: written by `seam init --openapi {spec}`; run it with `seam ci`.\n\
         # ${{NAME}} values are read from the environment.\n\
         \n\
         [suites]                         # a test per operation, answers checked against the spec\n\
         files = [{suite}]\n\
         vars = {{ baseUrl = {url} }}\n\
         \n\
         [fuzz]                           # valid data accepted, invalid data refused with a 4xx (docs/fuzz.md)\n\
         spec = {spec_q}\n\
         url = {url}\n\
         {auth}\
         max-time = \"60s\"\n\
         \n\
         # [scan]                         # security checks with two identities (docs/scan.md)\n\
         # spec = {spec_q}\n\
         # url = {url}\n\
         # auth = \"auth.yaml\"\n\
         {REPORTS}",
        spec = in_toml,
        spec_q = quoted(&in_toml),
        suite = quoted(SUITE),
        url = quoted(&url),
    );
    Ok(Starter {
        toml,
        suite,
        secrets,
    })
}

fn from_url(url: &str) -> Starter {
    let suite = format!(
        "# A first suite for {url}: one test to grow from (docs/suites.md).\n\
         # Run it alone: seam test {SUITE}\n\
         name: API\n\
         baseUrl: \"{{{{baseUrl}}}}\"\n\
         variables:\n  baseUrl: {url}\n\
         tests:\n\
         - name: the service answers\n\
         \x20 steps:\n\
         \x20 - request:\n\
         \x20     method: GET\n\
         \x20     path: /\n\
         \x20   assert:\n\
         \x20     status: 200\n"
    );
    let toml = format!(
        "# seam.toml: written by `seam init --url {url}`; run it with `seam ci`.\n\
         # With the service's OpenAPI spec, `seam init --openapi SPEC` writes a test\n\
         # per operation and a fuzz layer.\n\
         \n\
         [suites]\n\
         files = [{suite}]\n\
         vars = {{ baseUrl = {url_q} }}\n\
         {REPORTS}",
        suite = quoted(SUITE),
        url_q = quoted(url),
    );
    Starter {
        toml,
        suite,
        secrets: Vec::new(),
    }
}
