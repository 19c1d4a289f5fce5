//! A request's method and path to its operation and path parameters (404 / 405 with the allowed methods).
