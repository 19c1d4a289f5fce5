//! seam-compat: every interaction of every pact checked against the provider's
//! OpenAPI spec (bi-directional contract testing): path and method exist, the
//! request fits the operation, the response status is documented and its body
//! fits the schema, with the pact's matchers taken into account.
