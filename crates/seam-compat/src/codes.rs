//! The finding codes: swagger-mock-validator's (PactFlow's bi-directional
//! engine) where it has one, with its severity, and seam's own for what it
//! checks beyond (matchers, cookies, messages). [`ALL`] is the table the docs
//! and the agreement test read.

use serde::Serialize;

/// How serious a finding is: errors make a pact incompatible, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One code: its name, severity, whether swagger-mock-validator reports it too,
/// and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    pub name: &'static str,
    pub severity: Severity,
    /// Also a swagger-mock-validator code (same name, same severity).
    pub from_validator: bool,
    pub meaning: &'static str,
}

macro_rules! codes {
    ($($konst:ident = $name:literal, $sev:ident, $smv:literal, $meaning:literal;)*) => {
        $(#[doc = $meaning] pub const $konst: &str = $name;)*
        /// Every code, in the order the docs list them.
        pub const ALL: &[Code] = &[$(Code {
            name: $name,
            severity: Severity::$sev,
            from_validator: $smv,
            meaning: $meaning,
        }),*];
    };
}

codes! {
    PATH_OR_METHOD_UNKNOWN = "request.path-or-method.unknown", Error, true,
        "No operation in the spec has the request's method and path (or a path parameter does not fit its schema).";
    AUTHORIZATION_MISSING = "request.authorization.missing", Error, true,
        "The request sends none of the credentials the operation's security asks for.";
    REQUEST_BODY_INCOMPATIBLE = "request.body.incompatible", Error, true,
        "The request body does not fit the operation's request body schema.";
    REQUEST_BODY_UNKNOWN = "request.body.unknown", Warning, true,
        "The request has a body but the operation declares none for its content type.";
    REQUEST_CONTENT_TYPE_INCOMPATIBLE = "request.content-type.incompatible", Error, true,
        "The request's Content-Type is not one the operation accepts.";
    REQUEST_CONTENT_TYPE_MISSING = "request.content-type.missing", Warning, true,
        "The request has a body but no Content-Type, and the operation declares media types.";
    REQUEST_CONTENT_TYPE_UNKNOWN = "request.content-type.unknown", Warning, true,
        "The request sends a Content-Type but the operation declares no request body.";
    ACCEPT_INCOMPATIBLE = "request.accept.incompatible", Error, true,
        "No media type the operation's responses declare satisfies the request's Accept.";
    ACCEPT_UNKNOWN = "request.accept.unknown", Warning, true,
        "The request sends Accept but the operation's responses declare no media type.";
    REQUEST_HEADER_INCOMPATIBLE = "request.header.incompatible", Error, true,
        "A request header does not fit its parameter (or a required one is missing).";
    REQUEST_HEADER_UNKNOWN = "request.header.unknown", Warning, true,
        "The request sends a header the operation does not declare (standard headers excepted).";
    REQUEST_QUERY_INCOMPATIBLE = "request.query.incompatible", Error, true,
        "A query parameter does not fit its schema (or a required one is missing).";
    REQUEST_QUERY_UNKNOWN = "request.query.unknown", Warning, true,
        "The request sends a query parameter the operation does not declare.";
    RESPONSE_STATUS_UNKNOWN = "response.status.unknown", Error, true,
        "The response status is not declared for the operation (nor is `default`).";
    RESPONSE_STATUS_DEFAULT = "response.status.default", Warning, true,
        "The response status is only covered by the operation's `default` response.";
    RESPONSE_BODY_INCOMPATIBLE = "response.body.incompatible", Error, true,
        "The response body does not fit the response schema (optional fields may be omitted; fields the spec does not have are errors).";
    RESPONSE_BODY_UNKNOWN = "response.body.unknown", Error, true,
        "The response has a body but the spec declares no schema for it.";
    RESPONSE_CONTENT_TYPE_INCOMPATIBLE = "response.content-type.incompatible", Error, true,
        "The response's Content-Type is not one the response declares.";
    RESPONSE_CONTENT_TYPE_UNKNOWN = "response.content-type.unknown", Warning, true,
        "The response sends a Content-Type but the response declares no content.";
    RESPONSE_HEADER_INCOMPATIBLE = "response.header.incompatible", Error, true,
        "A response header does not fit its schema.";
    RESPONSE_HEADER_UNKNOWN = "response.header.unknown", Error, true,
        "The consumer expects a response header the spec does not declare.";
    RESPONSE_HEADER_UNDEFINED = "response.header.undefined", Warning, true,
        "The consumer expects a standard HTTP response header the spec does not declare.";
    REQUEST_COOKIE_INCOMPATIBLE = "request.cookie.incompatible", Error, false,
        "A cookie parameter does not fit its schema (swagger-mock-validator does not read cookies).";
    REQUEST_MATCHER_INCOMPATIBLE = "request.body.matcher.incompatible", Error, false,
        "A request matcher admits values of a type or size the spec never accepts.";
    REQUEST_MATCHER_BROADER = "request.body.matcher.broader", Warning, false,
        "A request matcher lets the consumer send values the spec rejects (a regex or type rule wider than the schema's enum, format or pattern).";
    RESPONSE_MATCHER_INCOMPATIBLE = "response.body.matcher.incompatible", Error, false,
        "A response matcher requires values of a type or size the spec never gives.";
    RESPONSE_MATCHER_NARROWER = "response.body.matcher.narrower", Warning, false,
        "The spec allows response values the consumer's matcher rejects.";
    MATCHER_EXAMPLE_MISMATCH = "pact.matcher.example-mismatch", Warning, false,
        "A pact example does not satisfy its own matcher.";
    MESSAGE_BODY_INCOMPATIBLE = "message.body.incompatible", Error, false,
        "A message's contents do not fit the webhook or callback request body it was matched to.";
    MESSAGE_NOT_CHECKED = "message.not-checked", Warning, false,
        "A message interaction with no webhook or callback in the spec to check it against.";
    INTERACTION_UNUSABLE = "interaction.unusable", Warning, false,
        "An interaction seam cannot read (a plugin, a regex that does not compile): not checked.";
}

/// The severity of a code (error for a code not in [`ALL`]).
pub fn severity(code: &str) -> Severity {
    ALL.iter()
        .find(|c| c.name == code)
        .map(|c| c.severity)
        .unwrap_or(Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique() {
        let mut names: Vec<_> = ALL.iter().map(|c| c.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
        assert_eq!(severity(RESPONSE_STATUS_DEFAULT), Severity::Warning);
        assert_eq!(severity(RESPONSE_HEADER_UNKNOWN), Severity::Error);
    }
}
