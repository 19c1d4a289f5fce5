//! seam-diff: the changes between two versions of an OpenAPI spec, each with
//! oasdiff's rule id and level (ERR/WARN/INFO), the operation, its location in
//! both documents and a sentence. Direction-aware: what breaks a request is not
//! what breaks a response.
