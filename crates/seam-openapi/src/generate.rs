//! Answers from a spec: named examples, and data generated from a schema (seeded).
