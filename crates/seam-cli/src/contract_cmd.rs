//! `seam contract mock`: the consumer side of a contract.

use crate::exit;
use clap::{Args, Subcommand, ValueEnum};
use seam_contract::session::ConsumerSession;
use seam_pact::SpecVersion;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ContractCommand {
    /// Serve contracts for the consumer's tests, optionally running them
    /// (`-- COMMAND`), then write the pact if every interaction was exercised and
    /// no unexpected request arrived.
    Mock(MockArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Spec {
    V3,
    V4,
}

#[derive(Args)]
pub struct MockArgs {
    /// Contracts: seam YAML files or pact files.
    #[arg(required = true, value_name = "CONTRACTS")]
    contracts: Vec<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one, printed at start).
    #[arg(long, short, default_value_t = 0)]
    port: u16,
    /// Where pacts are written (CONSUMER-PROVIDER.json, merged with what is there).
    #[arg(long, default_value = "pacts")]
    pact_dir: PathBuf,
    /// Pact specification version to write.
    #[arg(long, value_enum, default_value = "v4")]
    spec: Spec,
    /// The consumer's test command; it gets the mock's URL in SEAM_MOCK_URL.
    #[arg(last = true, value_name = "COMMAND")]
    command: Vec<String>,
}

pub fn run(cmd: ContractCommand) -> u8 {
    let ContractCommand::Mock(args) = cmd;
    let mut pacts = Vec::new();
    for c in &args.contracts {
        match seam_contract::load(c) {
            Ok(p) => pacts.push(p),
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        }
    }
    let Some(runtime) = crate::runtime() else {
        return exit::USAGE;
    };
    runtime.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
        let session = match ConsumerSession::start(pacts, addr).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        };
        println!("seam contract mock listening on {}", session.base_url());
        let command_code = match args.command.split_first() {
            None => {
                let _ = tokio::signal::ctrl_c().await;
                0
            }
            Some((program, rest)) => {
                let status = tokio::process::Command::new(program)
                    .args(rest)
                    .env("SEAM_MOCK_URL", session.base_url())
                    .status()
                    .await;
                match status {
                    Ok(s) => s.code().unwrap_or(1),
                    Err(e) => {
                        eprintln!("error: cannot run `{program}`: {e}");
                        return exit::USAGE;
                    }
                }
            }
        };
        let version = match args.spec {
            Spec::V3 => SpecVersion::V3,
            Spec::V4 => SpecVersion::V4,
        };
        match session.finish(&args.pact_dir, version).await {
            Ok((usage, written)) => {
                eprint!("{}", usage.to_text());
                for w in &written {
                    println!("wrote {}", w.display());
                }
                if command_code != 0 {
                    eprintln!("the test command failed (exit {command_code}); no pact written");
                    u8::try_from(command_code).unwrap_or(exit::FAILED)
                } else if usage.is_clean() {
                    exit::OK
                } else {
                    eprintln!("the contract was not honoured; no pact written");
                    exit::FAILED
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                exit::USAGE
            }
        }
    })
}
