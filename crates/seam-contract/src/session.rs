//! The consumer side of a contract: a mock server answering the contract's
//! interactions, a record of what the consumer's tests exercised, and the pact
//! written (and merged) when every interaction was used, nothing unexpected
//! arrived and the mock gave every answer the contract holds (a 5xx the
//! contract does not say is the mock failing, not the consumer passing).
//! `seam contract mock` and Rust consumers' tests both use this.

use seam_core::interaction::Exchange;
use seam_mock::stub::StubSource;
use seam_mock::{MockConfig, MockServer};
use seam_pact::{Pact, SpecVersion};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// A request no interaction matched.
#[derive(Debug, Clone)]
pub struct Unexpected {
    pub method: String,
    pub url: String,
    /// How to send it again.
    pub curl: String,
}

/// A request the mock matched but could not answer as the contract says: it
/// answered a 5xx the interaction does not hold (a generator that failed, ...).
#[derive(Debug, Clone)]
pub struct MockFailure {
    pub method: String,
    pub url: String,
    /// What the consumer got.
    pub status: u16,
    /// What the interaction says.
    pub expected_status: u16,
    /// (consumer, provider, description) of the interaction.
    pub interaction: (String, String, String),
    /// Why, as the mock's answer said it (its body, first line).
    pub reason: Option<String>,
}

/// What the consumer's tests did with the contract.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    pub unexpected: Vec<Unexpected>,
    /// (consumer, provider, description) of interactions never requested.
    pub unexercised: Vec<(String, String, String)>,
    /// Answers the mock could not give as the contract says.
    pub mock_failures: Vec<MockFailure>,
}

impl Usage {
    pub fn is_clean(&self) -> bool {
        self.unexpected.is_empty() && self.unexercised.is_empty() && self.mock_failures.is_empty()
    }

    /// A report for people: what was unexpected, what was never exercised.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for u in &self.unexpected {
            out.push_str(&format!(
                "unexpected request: {} {}\n  reproduce: {}\n",
                u.method, u.url, u.curl
            ));
        }
        for (c, p, d) in &self.unexercised {
            out.push_str(&format!("never exercised: {c} → {p}: {d}\n"));
        }
        for f in &self.mock_failures {
            let (c, p, d) = &f.interaction;
            out.push_str(&format!(
                "the mock could not answer as the contract says: {} {} got {} where {c} → {p}: {d} answers {}{}\n",
                f.method,
                f.url,
                f.status,
                f.expected_status,
                f.reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ));
        }
        out
    }
}

/// A running consumer session.
pub struct ConsumerSession {
    server: MockServer,
    pacts: Vec<Pact>,
    /// Which stub serves which (pact, interaction).
    owners: Vec<(Uuid, usize, usize)>,
}

impl ConsumerSession {
    /// Serves every HTTP interaction of `pacts` on `addr` (port 0 picks one).
    pub async fn start(pacts: Vec<Pact>, addr: SocketAddr) -> Result<Self, seam_http::ServeError> {
        let mut stubs = Vec::new();
        let mut owners = Vec::new();
        for (p, pact) in pacts.iter().enumerate() {
            // stub by stub, so each stub's interaction is known whichever
            // interactions the mock leaves out (messages, unusable ones)
            for (n, interaction) in pact.interactions.iter().enumerate() {
                if !matches!(interaction.exchange, Exchange::Http { .. }) {
                    continue;
                }
                let mut one = Pact::new(pact.consumer.clone(), pact.provider.clone());
                one.interactions.push(interaction.clone());
                let made = seam_mock::sources::stubs_for_pact(&one, StubSource::Admin);
                owners.extend(made.iter().map(|stub| (stub.id, p, n)));
                stubs.extend(made);
            }
        }
        // the registry tries the newest of equal-priority stubs first: added in
        // reverse, the first of several interactions matching a request answers,
        // as the official mock and stub servers (and `seam mock --pact`) do
        stubs.reverse();
        let config = MockConfig {
            addr,
            ..Default::default()
        };
        let server = MockServer::start(config, stubs).await?;
        Ok(ConsumerSession {
            server,
            pacts,
            owners,
        })
    }

    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// What happened so far.
    pub fn usage(&self) -> Usage {
        let state = self.server.state();
        let mut mock_failures = Vec::new();
        for (id, p, n) in &self.owners {
            let interaction = &self.pacts[*p].interactions[*n];
            let Exchange::Http { response, .. } = &interaction.exchange else {
                continue;
            };
            let expected_status = response.response.status;
            let failed = state
                .journal
                .find(|e| e.stub_id == Some(*id) && e.status >= 500 && e.status != expected_status);
            for e in failed.into_iter().rev() {
                let reason = e
                    .answer
                    .as_ref()
                    .map(|a| String::from_utf8_lossy(&a.body).trim().to_string())
                    .and_then(|b| b.lines().next().map(str::to_string))
                    .filter(|l| !l.is_empty());
                mock_failures.push(MockFailure {
                    method: e.request.method.clone(),
                    url: e.request.url.clone(),
                    status: e.status,
                    expected_status,
                    interaction: (
                        self.pacts[*p].consumer.clone(),
                        self.pacts[*p].provider.clone(),
                        interaction.description.clone(),
                    ),
                    reason,
                });
            }
        }
        let unexpected = state
            .journal
            .find(|e| e.stub_id.is_none())
            .into_iter()
            .rev()
            .map(|e| Unexpected {
                method: e.request.method.clone(),
                url: e.request.url.clone(),
                curl: e.request.to_curl(),
            })
            .collect();
        let unexercised = self
            .owners
            .iter()
            .filter(|(id, _, _)| state.journal.stub_count(*id) == 0)
            .map(|(_, p, n)| {
                let pact = &self.pacts[*p];
                (
                    pact.consumer.clone(),
                    pact.provider.clone(),
                    pact.interactions[*n].description.clone(),
                )
            })
            .collect();
        Usage {
            unexpected,
            unexercised,
            mock_failures,
        }
    }

    /// Stops serving. When the usage is clean, writes each pact to
    /// `DIR/CONSUMER-PROVIDER.json` in `version`, merged with what is there.
    pub async fn finish(
        self,
        dir: &Path,
        version: SpecVersion,
    ) -> Result<(Usage, Vec<PathBuf>), String> {
        let usage = self.usage();
        self.server.shutdown().await;
        if !usage.is_clean() {
            return Ok((usage, Vec::new()));
        }
        let written = write_pacts(&self.pacts, dir, version)?;
        Ok((usage, written))
    }
}

/// Writes pacts into `dir`, merging with existing files of the same name
/// (interactions with the same description and states are replaced).
pub fn write_pacts(
    pacts: &[Pact],
    dir: &Path,
    version: SpecVersion,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for pact in pacts {
        let path = dir.join(pact.file_name());
        let mut merged = if path.exists() {
            seam_pact::read_pact_file(&path)
                .map_err(|e| format!("cannot merge into the existing pact: {e}"))?
        } else {
            Pact::new(pact.consumer.clone(), pact.provider.clone())
        };
        merged
            .merge(pact.clone())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let doc = merged
            .to_json(version)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
