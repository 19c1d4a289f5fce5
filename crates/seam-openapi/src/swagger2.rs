//! Swagger 2.0 documents converted to the OpenAPI 3.x shape the model reads.
