//! A request or a response checked against its operation: parameters, security, media types and bodies, each violation with its location.
