//! PLACEHOLDER (the WireMock helper replaces this file): WireMock mappings.

use crate::stub::Stub;
use serde_json::Value;
use std::path::Path;

#[derive(Debug)]
pub struct MappingError(pub String);

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub fn stub_from_mapping(_v: &Value, _files_dir: Option<&Path>) -> Result<Stub, MappingError> {
    Err(MappingError("not yet".into()))
}

pub fn stub_to_mapping(stub: &Stub) -> Value {
    serde_json::json!({"id": stub.id})
}

pub fn stubs_from_mapping_file(
    _text: &str,
    _file: &Path,
    _files_dir: Option<&Path>,
) -> Result<Vec<Stub>, MappingError> {
    Err(MappingError("not yet".into()))
}
