//! Webhooks: what the broker tells other systems (a CI job to verify a new
//! pact, a commit status for a verification) and how it makes sure they
//! hear it. A webhook is a request template (`${pactbroker.pactUrl}`, ...)
//! with the events it fires on; each event writes a delivery to a queue in
//! the database, and a worker sends it, retrying on a schedule, so a crash
//! or a `kill -9` loses nothing. Secrets are never stored: a template names
//! them (`${secret.SLACK_TOKEN}`) and the worker reads them from the
//! broker's environment (`SEAM_BROKER_SECRET_SLACK_TOKEN`) when it sends.
//!
//! Submodules: the webhook's definition, read strictly (`definition`), the
//! tables and the worker (`queue`), the HTTP resources (`api`), and the
//! deliveries as seen from the pacts that triggered them (`triggered`).

pub mod api;
mod definition;
pub mod queue;
pub mod triggered;

pub use crate::config::WebhookConfig;
pub use definition::{Definition, EVENTS};

use crate::answer::Shared;
use crate::store::Publication;
use serde_json::{json, Map, Value};

/// What happened, as the Pact Broker names its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    ContractPublished,
    ContractContentChanged,
    ContractRequiringVerificationPublished,
    VerificationPublished,
    VerificationSucceeded,
    VerificationFailed,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::ContractPublished => "contract_published",
            Event::ContractContentChanged => "contract_content_changed",
            Event::ContractRequiringVerificationPublished => {
                "contract_requiring_verification_published"
            }
            Event::VerificationPublished => "provider_verification_published",
            Event::VerificationSucceeded => "provider_verification_succeeded",
            Event::VerificationFailed => "provider_verification_failed",
        }
    }
}

/// The values a template can use, for a pact (and a verification of it).
pub async fn context(
    state: &Shared,
    pact: &Publication,
    verification: Option<(&crate::store::Verification, &crate::store::Version)>,
) -> Result<Map<String, Value>, crate::store::StoreError> {
    let u = state.urls();
    let mut c = Map::new();
    let mut put = |k: &str, v: String| {
        c.insert(format!("pactbroker.{k}"), Value::String(v));
    };
    put("consumerName", pact.consumer.clone());
    put("providerName", pact.provider.clone());
    put("consumerVersionNumber", pact.consumer_version.clone());
    // with the consumer version in its metadata, as the Pact Broker gives it
    put(
        "pactUrl",
        u.pact_with_metadata(
            &pact.provider,
            &pact.consumer,
            &pact.sha,
            false,
            pact.consumer_version_id,
        ),
    );
    let consumer_tags = state.store.tags_of(pact.consumer_version_id).await?;
    put("consumerVersionTags", consumer_tags.join(", "));
    let consumer_branches = state.store.branches_of(pact.consumer_version_id).await?;
    put(
        "consumerVersionBranch",
        consumer_branches.first().cloned().unwrap_or_default(),
    );
    let (github, bitbucket) = match verification {
        Some((vr, pv)) => {
            put("providerVersionNumber", pv.number.clone());
            put(
                "providerVersionTags",
                state.store.tags_of(pv.id).await?.join(", "),
            );
            put(
                "providerVersionBranch",
                state
                    .store
                    .branches_of(pv.id)
                    .await?
                    .first()
                    .cloned()
                    .unwrap_or_default(),
            );
            put(
                "verificationResultUrl",
                u.verification(&pact.provider, &pact.consumer, &pact.sha, vr.number),
            );
            put("buildUrl", vr.build_url.clone().unwrap_or_default());
            if vr.success {
                ("success", "SUCCESSFUL")
            } else {
                ("failure", "FAILED")
            }
        }
        None => {
            for k in [
                "providerVersionNumber",
                "providerVersionTags",
                "providerVersionBranch",
                "verificationResultUrl",
                "buildUrl",
            ] {
                put(k, String::new());
            }
            ("pending", "INPROGRESS")
        }
    };
    put("githubVerificationStatus", github.into());
    put("bitbucketVerificationStatus", bitbucket.into());
    Ok(c)
}

/// Queues a delivery of every enabled webhook that listens for `event`
/// between the pact's consumer and provider, and wakes the worker; what
/// was queued.
pub async fn trigger(
    state: &Shared,
    event: Event,
    mut context: Map<String, Value>,
) -> Vec<queue::Queued> {
    context.insert(
        "pactbroker.eventName".into(),
        Value::String(event.name().into()),
    );
    let consumer = context["pactbroker.consumerName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let provider = context["pactbroker.providerName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    match queue::enqueue(&state.store, event, &consumer, &provider, &json!(context)).await {
        Ok(queued) => {
            if !queued.is_empty() {
                state.webhook_wakeup.notify_one();
            }
            queued
        }
        // the event happened and is stored; only its notification is lost
        Err(e) => {
            eprintln!(
                "seam broker: could not queue the {} webhooks: {e}",
                event.name()
            );
            Vec::new()
        }
    }
}
