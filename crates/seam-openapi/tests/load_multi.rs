//! Multi-file specs: relative `$ref`s (from the root and from inside referenced
//! files, relative to THAT file) bundled into one document with local refs
//! only, refs that loop across files, 3.1 ref siblings kept, and every ref
//! that cannot be followed refused at its file, line and column.

use seam_openapi::load::{load, BUNDLED};
use serde_json::json;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Every `$ref` in a value.
fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(o) => {
            if let Some(serde_json::Value::String(r)) = o.get("$ref") {
                out.push(r.clone());
            }
            o.values().for_each(|c| refs(c, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
        _ => {}
    }
}

#[test]
fn refs_across_files_are_bundled_into_local_refs() {
    let root = data("load-multi/root.yaml");
    let spec = load(&root).unwrap_or_else(|e| panic!("{e:#?}"));
    let labels: Vec<String> = spec.operations.iter().map(|o| o.label()).collect();
    assert_eq!(labels, ["GET /pets", "GET /owners/{id}"]);

    // A path item in another file; a parameter in a file named from it, relative to it.
    let list = spec.operation_by_id("listPets").unwrap();
    assert_eq!(list.pointer, format!("#/{BUNDLED}/paths~1pets.yaml/get"));
    assert_eq!(list.parameters[0].name, "limit");
    assert_eq!(
        list.parameters[0].pointer,
        format!("#/{BUNDLED}/common.yaml/components/parameters/Limit")
    );
    // Example data is not a ref.
    assert_eq!(
        list.responses[0].content[0].examples[0].value,
        Some(json!([{"id": 1, "$ref": "not a ref: example data"}]))
    );

    // Refs inside referenced files, rewritten; the cycle pet → owner → pet ends.
    let pet = &spec.document[BUNDLED]["schemas/pet.json"];
    assert_eq!(
        pet["properties"]["owner"]["$ref"],
        format!("#/{BUNDLED}/schemas~1owner.yaml")
    );
    assert_eq!(
        pet["properties"]["parent"]["$ref"],
        format!("#/{BUNDLED}/schemas~1pet.json")
    );
    let owner = &spec.document[BUNDLED]["schemas/owner.yaml"];
    assert_eq!(
        owner["properties"]["pets"]["items"]["$ref"],
        format!("#/{BUNDLED}/schemas~1pet.json")
    );
    assert_eq!(
        spec.document["components"]["schemas"]["Pet"]["$ref"],
        format!("#/{BUNDLED}/schemas~1pet.json")
    );
    // A ref to the root file by name is a local ref.
    assert_eq!(
        spec.document["components"]["schemas"]["Self"]["$ref"],
        "#/components/schemas/Pet"
    );
    // A file's own local refs point into its place in the bundle.
    assert_eq!(
        spec.document[BUNDLED]["common.yaml"]["components"]["parameters"]["Id"]["schema"]["$ref"],
        format!("#/{BUNDLED}/common.yaml/components/schemas/Id")
    );

    // Every ref is local and names something.
    let mut all = vec![];
    refs(&spec.document, &mut all);
    for r in all.iter().filter(|r| !r.starts_with("not a ref")) {
        assert!(r.starts_with('#'), "{r}");
        let p = r.trim_start_matches('#');
        assert!(spec.document.pointer(p).is_some(), "{r} names nothing");
    }

    let owner_op = spec.operation_by_id("getOwner").unwrap();
    // A `default` response and a property named `default` are not data.
    let error = &owner_op.responses[1];
    assert_eq!(error.description, "an error");
    assert_eq!(
        spec.document[BUNDLED]["common.yaml"]["components"]["responses"]["Error"]["content"]
            ["application/json"]["schema"]["properties"]["default"]["$ref"],
        format!("#/{BUNDLED}/common.yaml/components/schemas/Id")
    );

    // 3.1: the sibling of a ref is kept.
    let schema = spec
        .schema(owner_op.responses[0].content[0].schema.as_ref().unwrap())
        .unwrap();
    assert_eq!(
        schema,
        &json!({"$ref": format!("#/{BUNDLED}/schemas~1owner.yaml"), "description": "the owner, with a sibling kept"})
    );

    // Positions map back to the file a part was written in.
    let dir = data("load-multi");
    assert_eq!(
        spec.locate(&list.parameters[0].pointer),
        format!("{}:3:5", dir.join("paths/../common.yaml").display()).replace("paths/../", "")
    );
    assert_eq!(
        spec.locate(&format!("#/{BUNDLED}/schemas~1pet.json/properties/owner")),
        format!("{}:5:14", dir.join("schemas/pet.json").display())
    );
    let files: Vec<&str> = spec.sources.files().collect();
    assert_eq!(files.len(), 5, "{files:?}");
}

#[test]
fn refs_that_cannot_be_followed_are_placed_where_they_are_written() {
    let root = data("load-multi-bad/root.yaml");
    let errors: Vec<String> = load(&root)
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    let r = root.display().to_string();
    let other = data("load-multi-bad/other.yaml").display().to_string();
    assert_eq!(
        errors,
        [
            // (the remote ref in parameters/2 is a warning now, never followed)
            format!("{r}:7:11: #/paths/~1a/get/parameters/0/$ref: `missing.yaml#/components/parameters/X` names a file that does not exist"),
        ],
        "file errors come first"
    );
    // With the file problems fixed, refs that name nothing are reported (in the file they are in).
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&root).unwrap();
    let text: String = text
        .lines()
        .filter(|l| !l.contains("missing.yaml") && !l.contains("http://"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("root.yaml"), text).unwrap();
    std::fs::copy(
        data("load-multi-bad/other.yaml"),
        dir.path().join("other.yaml"),
    )
    .unwrap();
    let errors: Vec<String> = load(&dir.path().join("root.yaml"))
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    let other_tmp = dir.path().join("other.yaml").display().to_string();
    let _ = other;
    assert_eq!(
        errors,
        [
            format!("{}:7:11: #/paths/~1a/get/parameters/0/$ref: `other.yaml#/components/parameters/Nope` names nothing in the document", dir.path().join("root.yaml").display()),
            format!("{other_tmp}:6:13: #/components/schemas/Broken/properties/x/$ref: `#/components/schemas/Gone` names nothing in the document"),
        ]
    );
}

#[test]
fn a_referenced_file_that_does_not_parse_is_placed_in_that_file() {
    let errors: Vec<String> = load(&data("load-multi-bad/garbled.yaml"))
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let broken = data("load-multi-bad/broken.yaml").display().to_string();
    assert!(errors[0].starts_with(&format!("{broken}:")), "{errors:?}");
}
