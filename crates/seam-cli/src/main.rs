//! `seam`: the Seamline command line. Argument parsing and wiring only; the work
//! happens in the library crates.

mod broker_client_cmd;
mod broker_cmd;
mod ci_cmd;
mod compat_cmd;
mod contract_cmd;
mod demo_cmd;
mod diff_cmd;
mod failure;
mod fuzz_cmd;
mod import_cmd;
mod init_cmd;
mod load_cmd;
mod mock_cmd;
mod openapi_cmd;
mod pact_cmd;
mod proxy_cmd;
mod reports;
mod scan_cmd;
mod shell_cmd;
mod test_cmd;
mod verify_cmd;

use clap::{CommandFactory, Parser, Subcommand};
pub use failure::{exit, CliError, Outcome};

/// mimalloc: the mock server allocates per request; glibc's malloc cost ~10% of
/// its CPU under load (see docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

/// Seamline: API integration testing — contracts, mocks, suites — in one binary.
#[derive(Parser)]
#[command(name = "seam", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the built-in demo: a sample shop on loopback ports, its contracts,
    /// API suites and gateway fault scenarios, and an HTML report.
    Demo(demo_cmd::DemoArgs),
    /// Work with Pact files (v1 to v4).
    #[command(subcommand)]
    Pact(pact_cmd::PactCommand),
    /// Work with OpenAPI specs (Swagger 2.0, OpenAPI 3.0 and 3.1).
    #[command(subcommand)]
    Openapi(openapi_cmd::OpenapiCommand),
    /// Serve stubs: seam stub files, WireMock mappings, pacts; latency, faults,
    /// scenarios, templates, a WireMock-compatible admin API.
    Mock(mock_cmd::MockArgs),
    /// A validating proxy: forward to the real service, check both directions
    /// against an OpenAPI spec, report violations; exit 1 if any at stop.
    Proxy(proxy_cmd::ProxyArgs),
    /// Breaking changes between two versions of an OpenAPI spec (oasdiff's
    /// rules); exit 1 at `--fail-on` level, 2 a spec that does not load.
    Diff(diff_cmd::DiffArgs),
    /// Check pacts against the provider's OpenAPI spec (bi-directional
    /// contract testing); exit 0 compatible, 1 findings, 2 bad input.
    Compat(compat_cmd::CompatArgs),
    /// Generative payload checks from an OpenAPI spec against a running API:
    /// examples, boundaries, wrong types, injections, stateful sequences;
    /// exit 0 no finding, 1 findings, 2 bad input, 3 API unreachable.
    Fuzz(Box<fuzz_cmd::FuzzArgs>),
    /// Security checks from an OpenAPI spec and two or more identities
    /// against a running API: auth and JWT flaws, BOLA, BFLA, mass
    /// assignment, data exposure, injection, resource consumption,
    /// misconfiguration (OWASP API Top 10); exit 0 no finding, 1 findings,
    /// 2 bad input, 3 API unreachable.
    Scan(Box<scan_cmd::ScanArgs>),
    /// Load a URL (https, HTTP/2), a spec's operations or a suite's steps
    /// with virtual users or at a fixed arrival rate: HDR latency
    /// percentiles, errors by kind, thresholds that fail the build (exit 1),
    /// shards merged exactly, a Kubernetes Job for a cluster.
    Load(Box<load_cmd::LoadArgs>),
    /// What a check code means (`seam explain invalid-accepted`); without a
    /// code, every code.
    Explain(fuzz_cmd::ExplainArgs),
    /// Run API test suites (YAML): requests, captures, assertions; exit 0 all
    /// passed, 1 a test failed, 2 bad input.
    Test(test_cmd::TestArgs),
    /// Run the layered pipeline from seam.toml (contracts, then suites) with one
    /// combined JUnit report; exit non-zero when any layer fails.
    Ci(ci_cmd::CiArgs),
    /// Import a Postman collection, a HAR file or an OpenAPI spec as a seam suite.
    Import(import_cmd::ImportArgs),
    /// Contracts, consumer side: serve them for the consumer's tests and write the pact.
    #[command(subcommand)]
    Contract(contract_cmd::ContractCommand),
    /// The contract broker: pacts, versions, environments, verification
    /// results and can-i-deploy, Pact Broker compatible; SQLite in a data
    /// directory or PostgreSQL.
    Broker(broker_cmd::BrokerArgs),
    /// Verify a provider against pacts: provider states, requests, matchers;
    /// exit 0 pass, 1 failed, 2 bad input, 3 provider unreachable.
    Verify(verify_cmd::VerifyArgs),
    /// Write a starter seam.toml and suite: from an OpenAPI spec (a test per
    /// operation, a fuzz layer) or a base URL.
    Init(init_cmd::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell),
    /// e.g. `seam completions bash > /etc/bash_completion.d/seam`.
    Completions(shell_cmd::CompletionsArgs),
    /// Print the man page (`seam man | man -l -`), or write one per
    /// subcommand with `--dir`.
    Man(shell_cmd::ManArgs),
}

/// The async runtime commands run on.
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("cannot start the runtime: {e}")))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Pact(cmd) => pact_cmd::run(cmd),
        Command::Openapi(cmd) => openapi_cmd::run(cmd),
        Command::Mock(args) => mock_cmd::run(args),
        Command::Proxy(args) => proxy_cmd::run(args),
        Command::Diff(args) => diff_cmd::run(args),
        Command::Compat(args) => compat_cmd::run(args),
        Command::Verify(args) => verify_cmd::run(args),
        Command::Contract(cmd) => contract_cmd::run(cmd),
        Command::Test(args) => test_cmd::run(args),
        Command::Fuzz(args) => fuzz_cmd::run(*args),
        Command::Scan(args) => scan_cmd::run(*args),
        Command::Load(args) => load_cmd::run(*args),
        Command::Explain(args) => fuzz_cmd::explain(args),
        Command::Import(args) => import_cmd::run(args),
        Command::Ci(args) => ci_cmd::run(args),
        Command::Demo(args) => demo_cmd::run(args),
        Command::Broker(args) => broker_cmd::run(args),
        Command::Init(args) => init_cmd::run(args),
        Command::Completions(args) => shell_cmd::completions(args, Cli::command()),
        Command::Man(args) => shell_cmd::man(args, Cli::command()),
    };
    // the one place an error is printed and turned into an exit code
    ExitCode::from(match result {
        Ok(code) => code,
        Err(e) => {
            if !matches!(e, CliError::Reported(_)) {
                eprintln!("error: {e}");
            }
            e.exit_code()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// clap's own consistency checks (argument types, names, defaults): a
    /// mismatch otherwise shows only as a panic when the flag is parsed.
    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    /// `seam --help` opens with what seam is for, not a code comment.
    #[test]
    fn help_opens_with_what_seam_is() {
        let help = Cli::command().render_help().to_string();
        assert!(
            help.starts_with("Seamline: API integration testing"),
            "{help}"
        );
        assert!(!help.contains("wiring"), "{help}");
    }
}
