//! Schemas compiled for validation with the `jsonschema` crate: 3.1 as JSON Schema 2020-12, 3.0 translated; readOnly/writeOnly per direction.
