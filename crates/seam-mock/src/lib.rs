//! seam-mock: the mock server (`seam mock`).

pub mod matchers;
pub mod stub;
