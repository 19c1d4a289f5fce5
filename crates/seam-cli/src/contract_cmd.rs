//! `seam contract mock`: the consumer side of a contract.

use crate::{exit, failure::input, CliError, Outcome};
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

pub fn run(cmd: ContractCommand) -> Result<Outcome, CliError> {
    let ContractCommand::Mock(args) = cmd;
    let pacts = args
        .contracts
        .iter()
        .map(|c| seam_contract::load(c).map_err(input))
        .collect::<Result<Vec<_>, _>>()?;
    crate::runtime()?.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], args.port));
        let session = ConsumerSession::start(pacts, addr).await.map_err(input)?;
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
                status
                    .map_err(|e| input(format!("cannot run `{program}`: {e}")))?
                    .code()
                    .unwrap_or(1)
            }
        };
        let version = match args.spec {
            Spec::V3 => SpecVersion::V3,
            Spec::V4 => SpecVersion::V4,
        };
        let (usage, written) = session
            .finish(&args.pact_dir, version)
            .await
            .map_err(input)?;
        eprint!("{}", usage.to_text());
        for w in &written {
            println!("wrote {}", w.display());
        }
        Ok(if command_code != 0 {
            eprintln!("the test command failed (exit {command_code}); no pact written");
            u8::try_from(command_code).unwrap_or(exit::FAILED)
        } else if usage.is_clean() {
            exit::OK
        } else if !usage.mock_failures.is_empty() {
            eprintln!(
                "the consumer got {} answer(s) the contract does not hold (a 5xx from seam's mock, see above); no pact written",
                usage.mock_failures.len()
            );
            exit::FAILED
        } else {
            eprintln!("the contract was not honoured; no pact written");
            exit::FAILED
        })
    })
}
