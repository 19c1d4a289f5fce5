//! Reading a spec from files: YAML or JSON, `$ref` across files bundled into one document, Swagger 2.0 converted, the model built.
