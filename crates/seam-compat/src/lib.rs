//! seam-compat: every interaction of every pact checked against the provider's
//! OpenAPI spec (bi-directional contract testing): path and method exist, the
//! request fits the operation, the response status is documented and its body
//! fits the schema, with the pact's matchers taken into account.
//!
//! - [`codes`]: the finding codes (swagger-mock-validator's where it has one)
//!   and their severities.
//! - [`transform`]: the response view of the spec PactFlow validates against
//!   (optional fields may be omitted, unknown fields are not allowed).
//! - [`http`]: one HTTP interaction checked against its operation, reusing
//!   seam-openapi's router, parameter reader and schema validator.
//! - [`matchers`]: what the pact's matchers add: values of the matched shape,
//!   regexes and number matchers compared with the schema at that place.
//! - [`messages`]: message interactions against webhooks and callbacks.
//! - [`report`]: findings as text, JSON, JUnit and SARIF.

pub mod codes;
pub mod http;
pub mod matchers;
pub mod messages;
pub mod report;
pub mod schema_walk;
pub mod transform;

use seam_core::interaction::Exchange;
use seam_openapi::router::Router;
use seam_openapi::schema::Schemas;
use seam_openapi::{Spec, SpecError};
use seam_pact::{Pact, SpecVersion};
use serde::Serialize;

pub use codes::Severity;

/// Where a finding's rule comes from in the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecLocation {
    /// The file the rule was written in.
    pub file: String,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The JSON pointer in that file (`#/components/schemas/Pet/properties/id`).
    pub pointer: String,
}

impl std::fmt::Display for SpecLocation {
    /// `api.yaml:12:7 #/components/schemas/Pet`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, " {}", self.pointer)
    }
}

/// One way an interaction disagrees with the spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// swagger-mock-validator's code where it has one (`response.body.incompatible`),
    /// seam's own otherwise (`response.body.matcher.narrower`); see [`codes`].
    pub code: &'static str,
    pub severity: Severity,
    /// The interaction's description.
    pub interaction: String,
    /// The interaction's place in [`PactReport::interactions`].
    pub index: usize,
    /// Where in the pact file: `$.interactions[3].response.body.items[0].qty`.
    pub pact_location: String,
    /// The operation it was checked against (`GET /pets/{petId}`), when found.
    pub operation: Option<String>,
    /// Where in the spec the rule broken is written.
    pub spec_location: Option<SpecLocation>,
    /// The pact matcher involved (its pact JSON form), for matcher findings.
    pub rule: Option<String>,
    /// What is wrong, in plain words.
    pub message: String,
}

/// One interaction of a pact, as reports list it.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub description: String,
    /// `$.interactions[3]` (`$.messages[0]` for a v3 message).
    pub pact_location: String,
}

/// What checking one pact found.
#[derive(Debug, Clone, Serialize)]
pub struct PactReport {
    /// The pact file as named.
    pub file: String,
    pub consumer: String,
    pub provider: String,
    /// Every interaction checked: its description and place in the file.
    pub interactions: Vec<Checked>,
    /// In interaction order.
    pub findings: Vec<Finding>,
}

impl PactReport {
    /// Findings of severity error.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }

    /// Findings of severity warning.
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }
}

/// What checking every pact against one spec found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The spec file as named.
    pub spec: String,
    pub pacts: Vec<PactReport>,
}

impl Report {
    /// Errors over every pact.
    pub fn errors(&self) -> usize {
        self.pacts.iter().map(PactReport::errors).sum()
    }

    /// Warnings over every pact.
    pub fn warnings(&self) -> usize {
        self.pacts.iter().map(PactReport::warnings).sum()
    }

    /// Interactions over every pact.
    pub fn interactions(&self) -> usize {
        self.pacts.iter().map(|p| p.interactions.len()).sum()
    }

    /// Compatible: no finding of severity error (warnings allowed).
    pub fn is_compatible(&self) -> bool {
        self.errors() == 0
    }
}

/// A spec ready to check pacts against: its router, its schemas as written
/// (requests) and in PactFlow's response view ([`transform`]).
pub struct Checker<'s> {
    pub(crate) spec: &'s Spec,
    pub(crate) response_spec: Spec,
    pub(crate) router: Router,
    pub(crate) request_schemas: Schemas,
    pub(crate) response_schemas: Schemas,
}

impl<'s> Checker<'s> {
    /// Prepares `spec` (nothing is compiled until a schema is first used).
    pub fn new(spec: &'s Spec) -> Result<Checker<'s>, Vec<SpecError>> {
        let response_spec = transform::response_view(spec);
        Ok(Checker {
            spec,
            router: Router::new(spec),
            request_schemas: Schemas::compile(spec)?,
            response_schemas: Schemas::compile(&response_spec)?,
            response_spec,
        })
    }

    /// Every interaction of `pact` (read from `file`) checked.
    pub fn check_pact(&self, file: &str, pact: &Pact) -> PactReport {
        let mut findings = Vec::new();
        let mut checked = Vec::new();
        let (mut http_index, mut message_index) = (0, 0);
        for (index, interaction) in pact.interactions.iter().enumerate() {
            // v3 files keep messages in their own array; the others hold all in `interactions`
            let at = match (&interaction.exchange, pact.version) {
                (Exchange::Http { .. }, SpecVersion::V3) => {
                    http_index += 1;
                    format!("$.interactions[{}]", http_index - 1)
                }
                (_, SpecVersion::V3) => {
                    message_index += 1;
                    format!("$.messages[{}]", message_index - 1)
                }
                _ => format!("$.interactions[{index}]"),
            };
            checked.push(Checked {
                description: interaction.description.clone(),
                pact_location: at.clone(),
            });
            let mut ctx = http::Context {
                interaction: &interaction.description,
                index,
                at: &at,
                operation: None,
                out: &mut findings,
            };
            if let Some(why) = &interaction.unusable {
                ctx.push(
                    codes::INTERACTION_UNUSABLE,
                    "",
                    None,
                    None,
                    format!("not checked: {why}"),
                );
                continue;
            }
            match &interaction.exchange {
                Exchange::Http { request, response } => {
                    self.check_http(&mut ctx, request, response)
                }
                Exchange::AsyncMessage(message) => messages::check_async(self, &mut ctx, message),
                Exchange::SyncMessage { .. } => messages::not_checked(
                    &mut ctx,
                    "a synchronous message has no OpenAPI counterpart",
                ),
            }
        }
        PactReport {
            file: file.to_string(),
            consumer: pact.consumer.clone(),
            provider: pact.provider.clone(),
            interactions: checked,
            findings,
        }
    }

    /// A pointer into the spec's bundled document placed in its file.
    pub(crate) fn locate(&self, pointer: &str) -> SpecLocation {
        let place = self.spec.sources.place(pointer);
        SpecLocation {
            file: place.file,
            line: place.line_column.map(|(l, _)| l),
            column: place.line_column.map(|(_, c)| c),
            pointer: place.pointer,
        }
    }
}

/// Checks every pact against `spec`.
pub fn check(
    spec: &Spec,
    spec_file: &str,
    pacts: &[(String, Pact)],
) -> Result<Report, Vec<SpecError>> {
    let checker = Checker::new(spec)?;
    Ok(Report {
        spec: spec_file.to_string(),
        pacts: pacts
            .iter()
            .map(|(file, pact)| checker.check_pact(file, pact))
            .collect(),
    })
}
