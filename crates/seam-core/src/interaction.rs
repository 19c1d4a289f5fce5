//! Interactions: the one object Seamline uses five ways (test step, stub, consumer
//! contract, provider verification, load scenario). HTTP request/response pairs,
//! asynchronous messages and synchronous messages, each with provider states.

use crate::generators::Generators;
use crate::http::{Request, Response};
use crate::matching::Message;
use crate::rules::MatchingRules;
use serde_json::{Map, Value};

/// A state the provider must be in before the interaction (`given`), with params.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProviderState {
    /// Pact `providerStates[].name` (`providerState` before v3): the text a
    /// provider-state handler is chosen by.
    pub name: String,
    /// Pact `params` (v3 and later); empty for v1 and v2 states.
    pub params: Map<String, Value>,
}

impl ProviderState {
    /// A state without params.
    pub fn new(name: impl Into<String>) -> Self {
        ProviderState {
            name: name.into(),
            params: Map::new(),
        }
    }
}

/// A request with its matching rules and generators.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RequestSpec {
    /// The example request (what a verifier sends).
    pub request: Request,
    /// Pact `matchingRules` for the request; where none applies, values must equal the example.
    pub rules: MatchingRules,
    /// Pact `generators` for the request, applied before it is sent.
    pub generators: Generators,
}

/// A response with its matching rules and generators.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResponseSpec {
    /// The example response (what a mock serves).
    pub response: Response,
    /// Pact `matchingRules` for the response; where none applies, values must equal the example.
    pub rules: MatchingRules,
    /// Pact `generators` for the response: a mock applies them to each answer, a
    /// verifier applies ProviderState ones to the expected response.
    pub generators: Generators,
}

/// A message with its matching rules and generators.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessageSpec {
    /// The example message.
    pub message: Message,
    /// Pact `matchingRules` for the message (`content`/`body` and `metadata` categories).
    pub rules: MatchingRules,
    /// Pact `generators` for the message, applied when it is produced.
    pub generators: Generators,
}

/// What an interaction exchanges.
#[derive(Debug, Clone, PartialEq)]
pub enum Exchange {
    /// Pact `Synchronous/HTTP`: one request and the response expected to it.
    Http {
        /// The request the consumer sends.
        request: RequestSpec,
        /// The response the provider must give.
        response: ResponseSpec,
    },
    /// A message the provider publishes.
    AsyncMessage(MessageSpec),
    /// A request message answered by one or more response messages.
    SyncMessage {
        /// The request message.
        request: MessageSpec,
        /// The response messages, in file order.
        responses: Vec<MessageSpec>,
    },
}

/// One interaction: description, provider states and the exchange, plus the
/// v4 extras (key, pending, comments) that must survive a round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    /// Pact `description`; with the provider states, identifies the interaction in a pact.
    pub description: String,
    /// The states to set up before the interaction, in order; empty when none.
    pub provider_states: Vec<ProviderState>,
    /// What is exchanged: HTTP, an asynchronous message or a synchronous message.
    pub exchange: Exchange,
    /// v4 interaction key, when the file had one.
    pub key: Option<String>,
    /// Pact v4 `pending`: a failure is reported but does not fail verification.
    pub pending: bool,
    /// Anything else the file held for this interaction (comments, plugin
    /// configuration, interaction markup), kept for round trips.
    pub extra: Map<String, Value>,
    /// Why seam cannot use this interaction (a plugin it does not support, a
    /// matching rule that does not compile); `None` when it can. Readers keep
    /// such an interaction (so it round-trips and is counted), the mock does not
    /// serve it and verify reports it not verified, each with this reason.
    pub unusable: Option<String>,
}

impl Interaction {
    /// An HTTP interaction with no provider states, matching rules or generators:
    /// every value must equal the example.
    pub fn http(description: impl Into<String>, request: Request, response: Response) -> Self {
        Interaction {
            description: description.into(),
            provider_states: Vec::new(),
            exchange: Exchange::Http {
                request: RequestSpec {
                    request,
                    ..Default::default()
                },
                response: ResponseSpec {
                    response,
                    ..Default::default()
                },
            },
            key: None,
            pending: false,
            extra: Map::new(),
            unusable: None,
        }
    }

    /// The kind name Pact v4 files use.
    pub fn kind(&self) -> &'static str {
        match self.exchange {
            Exchange::Http { .. } => "Synchronous/HTTP",
            Exchange::AsyncMessage(_) => "Asynchronous/Messages",
            Exchange::SyncMessage { .. } => "Synchronous/Messages",
        }
    }

    /// Same description and same provider states (names and params): the identity
    /// used when merging pacts.
    pub fn same_identity(&self, other: &Interaction) -> bool {
        self.description == other.description && self.provider_states == other.provider_states
    }
}
