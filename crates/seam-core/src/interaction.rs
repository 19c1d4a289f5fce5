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
    pub name: String,
    pub params: Map<String, Value>,
}

impl ProviderState {
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
    pub request: Request,
    pub rules: MatchingRules,
    pub generators: Generators,
}

/// A response with its matching rules and generators.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResponseSpec {
    pub response: Response,
    pub rules: MatchingRules,
    pub generators: Generators,
}

/// A message with its matching rules and generators.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MessageSpec {
    pub message: Message,
    pub rules: MatchingRules,
    pub generators: Generators,
}

/// What an interaction exchanges.
#[derive(Debug, Clone, PartialEq)]
pub enum Exchange {
    Http {
        request: RequestSpec,
        response: ResponseSpec,
    },
    /// A message the provider publishes.
    AsyncMessage(MessageSpec),
    /// A request message answered by one or more response messages.
    SyncMessage {
        request: MessageSpec,
        responses: Vec<MessageSpec>,
    },
}

/// One interaction: description, provider states and the exchange, plus the
/// v4 extras (key, pending, comments) that must survive a round trip.
#[derive(Debug, Clone, PartialEq)]
pub struct Interaction {
    pub description: String,
    pub provider_states: Vec<ProviderState>,
    pub exchange: Exchange,
    /// v4 interaction key, when the file had one.
    pub key: Option<String>,
    pub pending: bool,
    /// Anything else the file held for this interaction (comments, plugin
    /// configuration, interaction markup), kept for round trips.
    pub extra: Map<String, Value>,
}

impl Interaction {
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
