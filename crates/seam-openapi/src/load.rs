//! Reading a spec from files: YAML or JSON, `$ref` across files bundled into one
//! document, Swagger 2.0 converted, the model built.
//!
//! [`load_str`] reads one file; [`load`] reads a file and every file its `$ref`s
//! reach. Either way the version is checked first (`openapi: 3.0.x`, `3.1.x` or
//! `swagger: "2.0"`), a 2.0 document is converted ([`crate::swagger2`]), and the
//! model is built from the 3.x document: operations in document order with
//! path-level and operation-level parameters merged, `$ref`s to parameters,
//! request bodies, responses, headers, examples, callbacks, path items and
//! security schemes followed (a loop of refs is an error), schemas left in place
//! as [`SchemaRef`]s. Every problem comes back as a [`SpecError`] placed in its
//! file by [`Sources`]; nothing here panics on any input.

use crate::model::{
    pointer_join, Callback, Example, Header, MediaType, Operation, ParamLocation, Parameter,
    RequestBody, Response, SchemaRef, SecurityKind, SecurityRequirement, SecurityScheme, Server,
    Spec, SpecError, SpecVersion, StatusKey, Style,
};
use crate::position::{looks_like_json, tokens, Sources};
use seam_core::source::{decode_text, kind_of, Location, SourceError};
use serde_json::{Map, Value};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

/// The HTTP methods a path item may hold, in the order the spec lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How deep a YAML document may nest.
const MAX_DEPTH: usize = 512;

/// At most this many `$ref`s are followed in a chain (a longer one is a loop).
const MAX_REF_HOPS: usize = 64;

/// Reads the spec at `path` and every file its `$ref`s reach, bundled into one
/// document: each other file is placed whole under `#/x-seam-bundled/<its path
/// relative to the root file's folder>` and every `$ref` rewritten to point there
/// (siblings of a `$ref` kept), so the bundle has local refs only. A file is
/// read once however often it is named, so refs that loop across files end.
/// Remote refs (`https://...`) are never fetched: each is a warning and what it
/// names is left out (see [`unfollow_remote_refs`]).
pub fn load(path: &Path) -> Result<Spec, Vec<SpecError>> {
    let (document, sources, broken, unfollowed) = Bundler::bundle(path)?;
    with_warnings_first(from_document(document, sources, broken), unfollowed)
}

/// Where a remote `$ref` was written, once it is set aside: the object keeps
/// the URL under this key instead of `$ref`, so nothing tries to follow it.
pub const REMOTE_REF: &str = "x-seam-remote-ref";

/// Sets aside every remote `$ref` (`https://...`, `//host/...`) in `doc`: seam
/// never fetches one (loopback only). The object holding it keeps the URL under
/// [`REMOTE_REF`] and loses its `$ref`, so a schema there is unconstrained
/// (`{}` and its siblings) and any other object (a parameter, a security
/// scheme, ...) is left out of the model. Each is a warning at the `$ref`.
/// Refs under a schema `$id` and in example data are left as written.
pub(crate) fn unfollow_remote_refs(doc: &mut Value, sources: &Sources) -> Vec<SpecError> {
    fn walk(v: &mut Value, here: &mut String, in_id: bool, out: &mut Vec<(String, String)>) {
        match v {
            Value::Object(obj) => {
                let in_id = in_id || obj.get("$id").is_some_and(Value::is_string);
                let remote = match obj.get("$ref") {
                    Some(Value::String(r)) if !in_id && is_remote(r) => Some(r.clone()),
                    _ => None,
                };
                if let Some(url) = remote {
                    obj.remove("$ref");
                    obj.insert(REMOTE_REF.to_string(), Value::String(url.clone()));
                    out.push((here.clone(), url));
                }
                for (k, child) in obj.iter_mut() {
                    if DATA_KEYWORDS.contains(&k.as_str()) && !names_map(here) {
                        continue;
                    }
                    if matches!(child, Value::Object(_) | Value::Array(_)) {
                        let len = here.len();
                        here.push('/');
                        here.push_str(&crate::model::escape_token(k));
                        walk(child, here, in_id, out);
                        here.truncate(len);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    let len = here.len();
                    here.push('/');
                    here.push_str(&i.to_string());
                    walk(child, here, in_id, out);
                    here.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut found = vec![];
    walk(doc, &mut "#".to_string(), false, &mut found);
    found
        .into_iter()
        .map(|(at, url)| {
            let what = if in_schema(&at) {
                "the schema is treated as unconstrained (`{}`)"
            } else {
                "what it names is left out"
            };
            sources.error(
                &pointer_join(&at, "$ref"),
                format!("remote reference not followed: `{url}` (only files beside the spec are read); {what}"),
            )
        })
        .collect()
}

/// Whether a `$ref` names something remote (another host), not a file.
fn is_remote(r: &str) -> bool {
    let file_part = r.split_once('#').map_or(r, |(f, _)| f);
    file_part.contains("://") || file_part.starts_with("//")
}

/// Whether the object at `pointer` is a schema (or inside one): under a
/// `schema`, `components/schemas` or 2.0 `definitions`.
fn in_schema(pointer: &str) -> bool {
    let tokens: Vec<&str> = pointer.trim_start_matches('#').split('/').skip(1).collect();
    tokens.iter().enumerate().any(|(i, t)| {
        let below = tokens.len() > i + 1;
        match *t {
            "schema" => i > 0,
            "schemas" => i == 1 && tokens[0] == "components" && below,
            "definitions" => i == 0 && below,
            _ => false,
        }
    })
}

/// A load's result with `warnings` placed before the spec's own.
fn with_warnings_first(
    result: Result<Spec, Vec<SpecError>>,
    warnings: Vec<SpecError>,
) -> Result<Spec, Vec<SpecError>> {
    result.map(|mut spec| {
        spec.warnings.splice(0..0, warnings);
        spec
    })
}

/// Where other files are placed in a bundled document.
pub const BUNDLED: &str = "x-seam-bundled";

/// Reads a file as text, or says why not.
fn read_text(path: &Path, file: &str) -> Result<String, SourceError> {
    let bytes = std::fs::read(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            _ => e.to_string(),
        };
        SourceError::new(file, None, format!("cannot read the file: {why}"))
    })?;
    decode_text(&bytes)
        .map(str::to_string)
        .map_err(|e| e.in_file(file))
}

struct Bundler {
    /// The folder of the root file: other files are keyed relative to it.
    root_dir: PathBuf,
    root: PathBuf,
    sources: Sources,
    /// Every file named so far (normalized path) → its key under [`BUNDLED`].
    keys: HashMap<PathBuf, String>,
    /// Files still to read: path, key, and the bundled pointer and text of
    /// the first `$ref` that named it.
    queue: VecDeque<(PathBuf, String, String, String)>,
    /// Rewritten ref → the ref as written, for messages.
    written: HashMap<String, String>,
    errors: Vec<SpecError>,
}

impl Bundler {
    /// The bundled document, its sources, the refs in it that name nothing,
    /// and the remote refs set aside (warnings).
    #[allow(clippy::type_complexity)]
    fn bundle(
        path: &Path,
    ) -> Result<(Value, Sources, Vec<SpecError>, Vec<SpecError>), Vec<SpecError>> {
        let file = path.display().to_string();
        let one = |at: SourceError| {
            vec![SpecError {
                at,
                pointer: String::new(),
            }]
        };
        let text = read_text(path, &file).map_err(one)?;
        let mut document = parse(&file, &text).map_err(|e| vec![e])?;
        let root = normalize(path);
        let mut b = Bundler {
            root_dir: root.parent().map(Path::to_path_buf).unwrap_or_default(),
            root: root.clone(),
            sources: Sources::new(&file),
            keys: HashMap::new(),
            queue: VecDeque::new(),
            written: HashMap::new(),
            errors: vec![],
        };
        let f = b.sources.add_file(&file, text);
        b.sources.mount("", f, "");
        b.rewrite(&mut document, &root, "", &mut String::new(), false);
        let mut bundled = Map::new();
        while let Some((path, key, referrer, original)) = b.queue.pop_front() {
            let name = path.display().to_string();
            let text = match read_text(&path, &name) {
                Ok(t) => t,
                Err(e) => {
                    let err = b.sources.error(
                        &pointer_join(&referrer, "$ref"),
                        format!(
                            "`{original}` names a file that {}",
                            e.message
                                .trim_start_matches("cannot read the file: ")
                                .replace("no such file", "does not exist")
                        ),
                    );
                    b.errors.push(err);
                    continue;
                }
            };
            let mut value = match parse(&name, &text) {
                Ok(v) => v,
                Err(e) => {
                    b.errors.push(e);
                    continue;
                }
            };
            let at = pointer_join(&format!("#/{BUNDLED}"), &key);
            let f = b.sources.add_file(&name, text);
            b.sources.mount(&at, f, "");
            b.rewrite(&mut value, &path, &at, &mut at.clone(), false);
            bundled.insert(key, value);
        }
        if !bundled.is_empty() {
            if let Some(root) = document.as_object_mut() {
                root.insert(BUNDLED.to_string(), Value::Object(bundled));
            }
        }
        if !b.errors.is_empty() {
            return Err(b.errors);
        }
        let unfollowed = unfollow_remote_refs(&mut document, &b.sources);
        let broken = check_refs(&document, &b.sources, &b.written);
        Ok((document, b.sources, broken, unfollowed))
    }

    /// Rewrites the `$ref`s in `v`, a part of the file at `file` placed at
    /// bundled pointer `base` (`""` for the root file); `here` is `v`'s own
    /// bundled pointer. Under a schema `$id`, relative refs are not followed.
    fn rewrite(&mut self, v: &mut Value, file: &Path, base: &str, here: &mut String, in_id: bool) {
        match v {
            Value::Object(obj) => {
                let in_id = in_id || obj.get("$id").is_some_and(Value::is_string);
                if let Some(Value::String(r)) = obj.get_mut("$ref") {
                    if let Some(new) = self.target(r, file, base, here, in_id) {
                        self.written.insert(new.clone(), r.clone());
                        *r = new;
                    }
                }
                for (k, child) in obj.iter_mut() {
                    if k == "$ref" || (DATA_KEYWORDS.contains(&k.as_str()) && !names_map(here)) {
                        continue;
                    }
                    let len = here.len();
                    here.push('/');
                    here.push_str(&crate::model::escape_token(k));
                    self.rewrite(child, file, base, here, in_id);
                    here.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter_mut().enumerate() {
                    let len = here.len();
                    here.push('/');
                    here.push_str(&i.to_string());
                    self.rewrite(child, file, base, here, in_id);
                    here.truncate(len);
                }
            }
            _ => {}
        }
    }

    /// The bundled form of ref `r` written in `file` (placed at `base`), or
    /// None to leave it as written (an error is recorded when it cannot be
    /// followed). `here` is the bundled pointer of the object holding it.
    fn target(
        &mut self,
        r: &str,
        file: &Path,
        base: &str,
        here: &str,
        in_id: bool,
    ) -> Option<String> {
        let (file_part, fragment) = match r.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (r, ""),
        };
        let fragment = if fragment.is_empty() {
            String::new()
        } else {
            percent_decode(fragment)
        };
        let at_ref =
            |b: &Self, message: String| b.sources.error(&pointer_join(here, "$ref"), message);
        if file_part.is_empty() {
            // A local ref: in another file, local to that file.
            if base.is_empty() || !(fragment.is_empty() || fragment.starts_with('/')) {
                return None;
            }
            return Some(format!("{base}{fragment}"));
        }
        if is_remote(r) {
            return None; // set aside by `unfollow_remote_refs`, with a warning
        }
        if in_id {
            let e = at_ref(self, format!("`{r}` is relative to a schema's `$id`, which is not supported: refer to the file from the spec's folder"));
            self.errors.push(e);
            return None;
        }
        if !(fragment.is_empty() || fragment.starts_with('/')) {
            let e = at_ref(self, format!("`{r}` names an anchor in another file, which is not supported: use a JSON pointer (`file.yaml#/components/...`)"));
            self.errors.push(e);
            return None;
        }
        let dir = file.parent().unwrap_or(Path::new(""));
        let path = normalize(&dir.join(percent_decode(file_part)));
        if path == self.root {
            return Some(format!("#{fragment}"));
        }
        let key = match self.keys.get(&path) {
            Some(k) => k.clone(),
            None => {
                let rel = path.strip_prefix(&self.root_dir).unwrap_or(&path);
                let key = rel.to_string_lossy().replace('\\', "/");
                self.keys.insert(path.clone(), key.clone());
                self.queue
                    .push_back((path, key.clone(), here.to_string(), r.to_string()));
                key
            }
        };
        Some(format!(
            "{}{fragment}",
            pointer_join(&format!("#/{BUNDLED}"), &key)
        ))
    }
}

/// Keywords whose values are data, not schemas or spec objects: a `$ref`
/// inside is text, not a reference.
const DATA_KEYWORDS: [&str; 4] = ["example", "default", "enum", "const"];

/// Whether the object at `pointer` maps names to schemas or spec objects
/// (`properties`, `responses`, `examples`, ...), so its keys are names even
/// when they look like keywords (a `default` response, a property `enum`).
fn names_map(pointer: &str) -> bool {
    let last = pointer.rsplit('/').next().unwrap_or_default();
    matches!(
        last,
        "properties"
            | "patternProperties"
            | "$defs"
            | "definitions"
            | "schemas"
            | "responses"
            | "examples"
            | "parameters"
            | "headers"
            | "requestBodies"
            | "securitySchemes"
            | "securityDefinitions"
            | "links"
            | "callbacks"
            | "pathItems"
            | "webhooks"
    )
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Every `$ref` in `doc` that cannot be followed (a pointer that names
/// nothing, or a ref still to another file or a remote one), as errors at the
/// ref, written as the user wrote it (`written` maps rewritten refs back).
/// Refs under a schema `$id`, anchors (`#name`) and example data are not checked.
pub(crate) fn check_refs(
    doc: &Value,
    sources: &Sources,
    written: &HashMap<String, String>,
) -> Vec<SpecError> {
    fn walk(
        v: &Value,
        doc: &Value,
        here: &mut String,
        in_id: bool,
        out: &mut Vec<(String, String, String)>,
    ) {
        match v {
            Value::Object(obj) => {
                let in_id = in_id || obj.get("$id").is_some_and(Value::is_string);
                if let Some(Value::String(r)) = obj.get("$ref") {
                    // `#name` is a 3.1 schema anchor: not a pointer to check.
                    let anchor = r.starts_with('#') && r != "#" && !r.starts_with("#/");
                    if !in_id && !anchor {
                        if let Err(why) = follow_ref(doc, r) {
                            out.push((here.clone(), r.clone(), why));
                        }
                    }
                }
                for (k, child) in obj {
                    if DATA_KEYWORDS.contains(&k.as_str()) && !names_map(here) {
                        continue;
                    }
                    if matches!(child, Value::Object(_) | Value::Array(_)) {
                        let len = here.len();
                        here.push('/');
                        here.push_str(&crate::model::escape_token(k));
                        walk(child, doc, here, in_id, out);
                        here.truncate(len);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    if matches!(child, Value::Object(_) | Value::Array(_)) {
                        let len = here.len();
                        here.push('/');
                        here.push_str(&i.to_string());
                        walk(child, doc, here, in_id, out);
                        here.truncate(len);
                    }
                }
            }
            _ => {}
        }
    }
    let mut broken = vec![];
    walk(doc, doc, &mut "#".to_string(), false, &mut broken);
    broken
        .into_iter()
        .map(|(at, r, why)| {
            let message = match written.get(&r) {
                Some(shown) => format!("`{shown}` names nothing in the document"),
                None => why,
            };
            sources.error(&pointer_join(&at, "$ref"), message)
        })
        .collect()
}

/// Reads a one-file spec: `text` is the contents of `file` (which only names it
/// in messages). A `$ref` to another file is an error here; [`load`] follows them.
pub fn load_str(file: &str, text: &str) -> Result<Spec, Vec<SpecError>> {
    let mut document = parse(file, text).map_err(|e| vec![e])?;
    let sources = Sources::single(file, text);
    let unfollowed = unfollow_remote_refs(&mut document, &sources);
    let broken = check_refs(&document, &sources, &HashMap::new());
    with_warnings_first(from_document(document, sources, broken), unfollowed)
}

/// The document in `text`, read as JSON when it looks like JSON (fast), else as
/// YAML (1.2 core scalars, a BOM accepted, duplicate keys rejected).
pub(crate) fn parse(file: &str, text: &str) -> Result<Value, SpecError> {
    let at = |e: SourceError| SpecError {
        at: e,
        pointer: String::new(),
    };
    let body = seam_core::source::strip_bom(text);
    if looks_like_json(body) {
        match serde_json::from_str::<Value>(body) {
            Ok(v) => return Ok(v),
            Err(e) => {
                // YAML flow syntax that is not strict JSON still reads as YAML;
                // otherwise the JSON error is the one to show.
                if let Ok(v) = serde_saphyr::from_str_with_options(body, yaml_options()) {
                    return Ok(v);
                }
                let message = json_message(&e);
                let loc = (e.line() > 0).then(|| Location::at(e.line(), e.column().max(1)));
                return Err(at(SourceError::new(file, loc, message)));
            }
        }
    }
    serde_saphyr::from_str_with_options(body, yaml_options())
        .map_err(|e| at(seam_core::yaml::error(file, &e)))
}

/// Every seam YAML file's options, nesting allowed deeper: real specs nest
/// schemas well past the 64 levels a stub file needs.
fn yaml_options() -> serde_saphyr::Options {
    let mut options = seam_core::yaml::options();
    if let Some(budget) = options.budget.as_mut() {
        budget.max_depth = MAX_DEPTH;
    }
    options
}

/// A serde_json error's message without its position suffix.
fn json_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    match full.rsplit_once(" at line ") {
        Some((head, _)) => format!("not valid JSON: {head}"),
        None => format!("not valid JSON: {full}"),
    }
}

/// Checks the version of a parsed document, converts 2.0, and builds the
/// model. `broken` are the refs found to name nothing: they are reported with
/// the model's errors (once each).
pub(crate) fn from_document(
    document: Value,
    sources: Sources,
    broken: Vec<SpecError>,
) -> Result<Spec, Vec<SpecError>> {
    let version = version_of(&document, &sources).map_err(|e| vec![e])?;
    if !broken.is_empty() && version == SpecVersion::Swagger2 {
        return Err(broken);
    }
    let mut sources = sources;
    let (document, converted) = if version == SpecVersion::Swagger2 {
        // The converted components are the 2.0 ones, renamed: a pointer into
        // them is placed where the 2.0 file wrote them.
        for (v3, v2) in [
            ("#/components/schemas", "#/definitions"),
            ("#/components/parameters", "#/parameters"),
            ("#/components/responses", "#/responses"),
            ("#/components/securitySchemes", "#/securityDefinitions"),
        ] {
            sources.mount(v3, 0, v2);
        }
        swagger2(&document, &sources)?
    } else {
        (document, vec![])
    };
    match build(version, document, sources) {
        Ok(mut spec) if broken.is_empty() => {
            spec.warnings.extend(converted);
            Ok(spec)
        }
        Ok(_) => Err(broken),
        Err(errors) => {
            let mut all = broken;
            for e in errors {
                if !all
                    .iter()
                    .any(|b| b.pointer == e.pointer && b.at.file == e.at.file)
                {
                    all.push(e);
                }
            }
            Err(all)
        }
    }
}

/// The version a document declares.
fn version_of(doc: &Value, sources: &Sources) -> Result<SpecVersion, SpecError> {
    const READ: &str = "the versions read are OpenAPI 3.0.x and 3.1.x (`openapi: 3.1.0`) and Swagger 2.0 (`swagger: \"2.0\"`)";
    let Some(obj) = doc.as_object() else {
        return Err(sources.error(
            "",
            format!(
                "an OpenAPI document is a mapping with an `openapi` field, found {}; {READ}",
                kind_of(doc)
            ),
        ));
    };
    if let Some(v) = obj.get("openapi") {
        let Some(s) = v.as_str() else {
            return Err(sources.error(
                "#/openapi",
                format!(
                    "`openapi` must be a string such as \"3.1.0\" (quote it), found {}",
                    kind_of(v)
                ),
            ));
        };
        let minor = |prefix: &str| {
            s.strip_prefix(prefix).is_some_and(|patch| {
                let digits = patch.split(['-', '+']).next().unwrap_or_default();
                !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
            })
        };
        if minor("3.0.") {
            return Ok(SpecVersion::V30);
        }
        if minor("3.1.") {
            return Ok(SpecVersion::V31);
        }
        return Err(sources.error(
            "#/openapi",
            format!("unsupported version `openapi: {s}`: {READ}"),
        ));
    }
    if let Some(v) = obj.get("swagger") {
        return match v.as_str() {
            Some("2.0") => Ok(SpecVersion::Swagger2),
            Some(s) => Err(sources.error(
                "#/swagger",
                format!("unsupported version `swagger: {s}`: {READ}"),
            )),
            None => Err(sources.error(
                "#/swagger",
                format!(
                    "`swagger` must be the string \"2.0\" (quote it), found {}",
                    kind_of(v)
                ),
            )),
        };
    }
    Err(sources.error(
        "",
        format!("this is not an OpenAPI document: it has no `openapi` or `swagger` field; {READ}"),
    ))
}

/// A Swagger 2.0 document in the 3.0 shape, and the 2.0 checks' warnings.
fn swagger2(doc: &Value, sources: &Sources) -> Result<(Value, Vec<SpecError>), Vec<SpecError>> {
    // errors and warnings point into the 2.0 document as written
    let place = |(pointer, message): (String, String)| sources.error(&pointer, message);
    let (converted, warnings) = crate::swagger2::convert_with_warnings(doc)
        .map_err(|e| e.into_iter().map(place).collect::<Vec<_>>())?;
    Ok((converted, warnings.into_iter().map(place).collect()))
}

/// The model of a 3.x document.
pub(crate) fn build(
    version: SpecVersion,
    document: Value,
    sources: Sources,
) -> Result<Spec, Vec<SpecError>> {
    let mut b = Builder {
        doc: &document,
        sources: &sources,
        errors: vec![],
        warnings: vec![],
    };
    let info = document.get("info");
    let text_of = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let title = text_of(info.and_then(|i| i.get("title")));
    let api_version = text_of(info.and_then(|i| i.get("version")));
    let servers = b.servers(document.get("servers"), "#/servers");
    let security_schemes = b.security_schemes();
    let root_security = b.security(document.get("security"), "#/security");
    let mut operations = vec![];
    if let Some(paths) = b.object(document.get("paths"), "#/paths", "a mapping of paths") {
        for (path, item) in paths {
            let ptr = pointer_join("#/paths", path);
            if path.starts_with("x-") {
                continue;
            }
            b.path_item(path, item, &ptr, root_security.as_deref(), &mut operations);
        }
    }
    let mut webhooks = vec![];
    if let Some(hooks) = b.object(
        document.get("webhooks"),
        "#/webhooks",
        "a mapping of webhooks",
    ) {
        for (name, item) in hooks {
            let ptr = pointer_join("#/webhooks", name);
            b.path_item(name, item, &ptr, root_security.as_deref(), &mut webhooks);
        }
    }
    let Builder {
        errors, warnings, ..
    } = b;
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Spec {
        version,
        title,
        api_version,
        servers,
        operations,
        webhooks,
        security_schemes,
        warnings,
        document,
        sources,
    })
}

struct Builder<'a> {
    doc: &'a Value,
    sources: &'a Sources,
    errors: Vec<SpecError>,
    warnings: Vec<SpecError>,
}

impl<'a> Builder<'a> {
    fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.errors.push(self.sources.error(pointer, message));
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(self.sources.error(pointer, message));
    }

    /// `v` as an object (absent: None, quietly; another kind: an error).
    fn object(
        &mut self,
        v: Option<&'a Value>,
        ptr: &str,
        what: &str,
    ) -> Option<&'a Map<String, Value>> {
        match v? {
            Value::Object(m) => Some(m),
            Value::Null => None,
            other => {
                self.error(ptr, format!("expected {what}, found {}", kind_of(other)));
                None
            }
        }
    }

    /// `v` as an array (absent: None, quietly; another kind: an error).
    fn array(&mut self, v: Option<&'a Value>, ptr: &str, what: &str) -> Option<&'a [Value]> {
        match v? {
            Value::Array(a) => Some(a),
            Value::Null => None,
            other => {
                self.error(ptr, format!("expected {what}, found {}", kind_of(other)));
                None
            }
        }
    }

    fn string(&mut self, obj: &'a Map<String, Value>, key: &str, ptr: &str) -> Option<&'a str> {
        match obj.get(key)? {
            Value::String(s) => Some(s),
            other => {
                self.error(
                    &pointer_join(ptr, key),
                    format!("`{key}` must be a string, found {}", kind_of(other)),
                );
                None
            }
        }
    }

    fn flag(&mut self, obj: &'a Map<String, Value>, key: &str, ptr: &str) -> Option<bool> {
        match obj.get(key)? {
            Value::Bool(b) => Some(*b),
            other => {
                self.error(
                    &pointer_join(ptr, key),
                    format!("`{key}` must be true or false, found {}", kind_of(other)),
                );
                None
            }
        }
    }

    /// Follows `$ref`s from `v` (at `ptr`) to the object they name: the object
    /// and its pointer. A ref that loops, leaves the document or names nothing
    /// is an error (and None).
    fn resolve(&mut self, v: &'a Value, ptr: &str) -> Option<(&'a Map<String, Value>, String)> {
        let mut v = v;
        let mut ptr = ptr.to_string();
        let mut seen: Vec<String> = vec![];
        loop {
            let obj = match v {
                Value::Object(o) => o,
                other => {
                    self.error(
                        &ptr,
                        format!("expected a mapping, found {}", kind_of(other)),
                    );
                    return None;
                }
            };
            let Some(r) = obj.get("$ref") else {
                if obj.contains_key(REMOTE_REF) {
                    return None; // a remote ref set aside (already a warning)
                }
                return Some((obj, ptr));
            };
            let Some(r) = r.as_str() else {
                self.error(
                    &pointer_join(&ptr, "$ref"),
                    format!("`$ref` must be a string, found {}", kind_of(r)),
                );
                return None;
            };
            let (target, found) = match self.follow(r) {
                Ok(t) => t,
                Err(message) => {
                    self.error(&pointer_join(&ptr, "$ref"), message);
                    return None;
                }
            };
            if seen.contains(&target) || seen.len() >= MAX_REF_HOPS {
                seen.push(target);
                self.error(
                    &pointer_join(&ptr, "$ref"),
                    format!("`$ref`s loop: {}", seen.join(" → ")),
                );
                return None;
            }
            seen.push(target.clone());
            v = found;
            ptr = target;
        }
    }

    /// The value a local `$ref` names, and its pointer.
    fn follow(&self, r: &str) -> Result<(String, &'a Value), String> {
        follow_ref(self.doc, r)
    }

    fn servers(&mut self, v: Option<&'a Value>, ptr: &str) -> Vec<Server> {
        let mut out = vec![];
        let Some(list) = self.array(v, ptr, "a list of servers") else {
            return out;
        };
        for (i, s) in list.iter().enumerate() {
            let sp = format!("{ptr}/{i}");
            let Some(obj) = self.object(Some(s), &sp, "a server (a mapping with `url`)") else {
                continue;
            };
            let Some(url) = self.string(obj, "url", &sp) else {
                if !obj.contains_key("url") {
                    self.error(&sp, "a server needs a `url`");
                }
                continue;
            };
            let mut resolved = url.to_string();
            let vars_ptr = format!("{sp}/variables");
            if let Some(vars) =
                self.object(obj.get("variables"), &vars_ptr, "a mapping of variables")
            {
                for (name, var) in vars {
                    let vp = pointer_join(&vars_ptr, name);
                    let Some(var) = self.object(Some(var), &vp, "a server variable") else {
                        continue;
                    };
                    match var.get("default") {
                        Some(Value::String(d)) => {
                            resolved = resolved.replace(&format!("{{{name}}}"), d);
                        }
                        Some(other) => self.error(
                            &format!("{vp}/default"),
                            format!("`default` must be a string, found {}", kind_of(other)),
                        ),
                        None => self.error(&vp, "a server variable needs a `default`"),
                    }
                }
            }
            let description = obj
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            out.push(Server {
                url: url.to_string(),
                resolved_url: resolved,
                description,
            });
        }
        out
    }

    fn security_schemes(&mut self) -> Vec<SecurityScheme> {
        let mut out = vec![];
        let comps = self.object(self.doc.get("components"), "#/components", "a mapping");
        let Some(comps) = comps else { return out };
        let ptr = "#/components/securitySchemes";
        let Some(schemes) = self.object(
            comps.get("securitySchemes"),
            ptr,
            "a mapping of security schemes",
        ) else {
            return out;
        };
        for (name, s) in schemes {
            let sp = pointer_join(ptr, name);
            let Some((obj, sp)) = self.resolve(s, &sp) else {
                continue;
            };
            let description = obj
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string);
            let kind = match self.string(obj, "type", &sp) {
                Some("apiKey") => {
                    let key = self
                        .string(obj, "name", &sp)
                        .unwrap_or_default()
                        .to_string();
                    let location = match obj.get("in").and_then(Value::as_str) {
                        Some("query") => ParamLocation::Query,
                        Some("header") => ParamLocation::Header,
                        Some("cookie") => ParamLocation::Cookie,
                        _ => {
                            self.error(
                                &format!("{sp}/in"),
                                "an apiKey scheme's `in` must be query, header or cookie",
                            );
                            continue;
                        }
                    };
                    if key.is_empty() {
                        self.error(&sp, "an apiKey scheme needs a `name`");
                        continue;
                    }
                    SecurityKind::ApiKey {
                        name: key,
                        location,
                    }
                }
                Some("http") => {
                    let Some(scheme) = self.string(obj, "scheme", &sp) else {
                        self.error(&sp, "an http scheme needs a `scheme` (basic, bearer, ...)");
                        continue;
                    };
                    SecurityKind::Http {
                        scheme: scheme.to_ascii_lowercase(),
                        bearer_format: obj
                            .get("bearerFormat")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    }
                }
                Some("oauth2") => SecurityKind::OAuth2 {
                    flows: obj.get("flows").cloned().unwrap_or(Value::Null),
                },
                Some("openIdConnect") => SecurityKind::OpenIdConnect {
                    url: obj
                        .get("openIdConnectUrl")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                },
                Some("mutualTLS") => SecurityKind::MutualTls,
                Some(other) => {
                    let hint = seam_core::source::did_you_mean(
                        other,
                        ["apiKey", "http", "oauth2", "openIdConnect", "mutualTLS"],
                    );
                    self.error(
                        &format!("{sp}/type"),
                        format!("unknown security scheme type `{other}`: expected apiKey, http, oauth2, openIdConnect or mutualTLS{hint}"),
                    );
                    continue;
                }
                None => {
                    if !obj.contains_key("type") {
                        self.error(&sp, "a security scheme needs a `type`");
                    }
                    continue;
                }
            };
            out.push(SecurityScheme {
                name: name.clone(),
                kind,
                description,
            });
        }
        out
    }

    /// A `security` list: None when absent.
    fn security(&mut self, v: Option<&'a Value>, ptr: &str) -> Option<Vec<SecurityRequirement>> {
        let list = self.array(v, ptr, "a list of security requirements")?;
        let mut out = vec![];
        for (i, req) in list.iter().enumerate() {
            let rp = format!("{ptr}/{i}");
            let Some(obj) = self.object(
                Some(req),
                &rp,
                "a security requirement (a mapping of scheme names to scopes)",
            ) else {
                continue;
            };
            let mut schemes = vec![];
            for (name, scopes) in obj {
                let sp = pointer_join(&rp, name);
                let scopes = match scopes {
                    Value::Array(a) => a
                        .iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect(),
                    Value::Null => vec![],
                    other => {
                        self.error(
                            &sp,
                            format!("expected a list of scopes, found {}", kind_of(other)),
                        );
                        continue;
                    }
                };
                schemes.push((name.clone(), scopes));
            }
            out.push(SecurityRequirement { schemes });
        }
        Some(out)
    }

    /// The operations of one path item (or webhook, or callback expression).
    fn path_item(
        &mut self,
        path: &str,
        item: &'a Value,
        ptr: &str,
        root_security: Option<&[SecurityRequirement]>,
        out: &mut Vec<Operation>,
    ) {
        let Some((item, ptr)) = self.resolve(item, ptr) else {
            return;
        };
        let shared = self.parameters(item.get("parameters"), &format!("{ptr}/parameters"));
        for (key, op) in item {
            let Some(method) = METHODS.iter().find(|m| **m == key.as_str()) else {
                continue;
            };
            let op_ptr = pointer_join(&ptr, key);
            // An operation that is a `$ref` (not in the spec, but written by
            // real multi-file specs, DigitalOcean's among them) is followed.
            let Some((op, op_ptr)) = self.resolve(op, &op_ptr) else {
                continue;
            };
            out.push(self.operation(method, path, op, &op_ptr, &shared, root_security));
        }
    }

    fn operation(
        &mut self,
        method: &str,
        path: &str,
        op: &'a Map<String, Value>,
        ptr: &str,
        shared: &[Parameter],
        root_security: Option<&[SecurityRequirement]>,
    ) -> Operation {
        let own = self.parameters(op.get("parameters"), &format!("{ptr}/parameters"));
        let mut parameters = shared.to_vec();
        for p in own {
            let same = |q: &Parameter| {
                q.location == p.location
                    && if p.location == ParamLocation::Header {
                        q.name.eq_ignore_ascii_case(&p.name)
                    } else {
                        q.name == p.name
                    }
            };
            match parameters.iter_mut().find(|q| same(q)) {
                Some(q) => *q = p,
                None => parameters.push(p),
            }
        }
        let request_body = match op.get("requestBody") {
            Some(rb) => self.request_body(rb, &format!("{ptr}/requestBody")),
            None => None,
        };
        let responses = self.responses(op.get("responses"), &format!("{ptr}/responses"));
        let security = match self.security(op.get("security"), &format!("{ptr}/security")) {
            Some(s) => s,
            None => root_security.map(<[_]>::to_vec).unwrap_or_default(),
        };
        let mut callbacks = vec![];
        let cp = format!("{ptr}/callbacks");
        if let Some(cbs) = self.object(op.get("callbacks"), &cp, "a mapping of callbacks") {
            for (name, cb) in cbs {
                let np = pointer_join(&cp, name);
                let Some((cb, np)) = self.resolve(cb, &np) else {
                    continue;
                };
                for (expression, item) in cb {
                    if expression.starts_with("x-") {
                        continue;
                    }
                    let mut operations = vec![];
                    let ep = pointer_join(&np, expression);
                    self.path_item(expression, item, &ep, root_security, &mut operations);
                    callbacks.push(Callback {
                        name: name.clone(),
                        expression: expression.clone(),
                        operations,
                    });
                }
            }
        }
        let tags = match op.get("tags") {
            Some(Value::Array(t)) => t
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            _ => vec![],
        };
        let operation_id = self.string(op, "operationId", ptr).map(str::to_string);
        Operation {
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            operation_id,
            summary: op
                .get("summary")
                .and_then(Value::as_str)
                .map(str::to_string),
            tags,
            deprecated: self.flag(op, "deprecated", ptr).unwrap_or(false),
            pointer: ptr.to_string(),
            parameters,
            request_body,
            responses,
            security,
            callbacks,
        }
    }

    fn parameters(&mut self, v: Option<&'a Value>, ptr: &str) -> Vec<Parameter> {
        let mut out: Vec<Parameter> = vec![];
        let Some(list) = self.array(v, ptr, "a list of parameters") else {
            return out;
        };
        for (i, p) in list.iter().enumerate() {
            if let Some(p) = self.parameter(p, &format!("{ptr}/{i}")) {
                out.push(p);
            }
        }
        out
    }

    fn parameter(&mut self, v: &'a Value, ptr: &str) -> Option<Parameter> {
        let (obj, ptr) = self.resolve(v, ptr)?;
        let name = self.string(obj, "name", &ptr);
        let location = match obj.get("in") {
            Some(Value::String(s)) => match s.as_str() {
                "path" => Some(ParamLocation::Path),
                "query" => Some(ParamLocation::Query),
                "header" => Some(ParamLocation::Header),
                "cookie" => Some(ParamLocation::Cookie),
                other => {
                    let hint = seam_core::source::did_you_mean(
                        other,
                        ["path", "query", "header", "cookie"],
                    );
                    self.error(
                        &format!("{ptr}/in"),
                        format!("a parameter's `in` must be path, query, header or cookie, found `{other}`{hint}"),
                    );
                    return None;
                }
            },
            Some(other) => {
                self.error(
                    &format!("{ptr}/in"),
                    format!("`in` must be a string, found {}", kind_of(other)),
                );
                return None;
            }
            None => None,
        };
        let (Some(name), Some(location)) = (name, location) else {
            self.error(&ptr, "a parameter needs a `name` and an `in`");
            return None;
        };
        let style = match obj.get("style") {
            None => match location {
                ParamLocation::Query | ParamLocation::Cookie => Style::Form,
                ParamLocation::Path | ParamLocation::Header => Style::Simple,
            },
            Some(Value::String(s)) => match s.as_str() {
                "matrix" => Style::Matrix,
                "label" => Style::Label,
                "form" => Style::Form,
                "simple" => Style::Simple,
                "spaceDelimited" => Style::SpaceDelimited,
                "pipeDelimited" => Style::PipeDelimited,
                "deepObject" => Style::DeepObject,
                other => {
                    let names = [
                        "matrix",
                        "label",
                        "form",
                        "simple",
                        "spaceDelimited",
                        "pipeDelimited",
                        "deepObject",
                    ];
                    let hint = seam_core::source::did_you_mean(other, names);
                    self.error(
                        &format!("{ptr}/style"),
                        format!(
                            "unknown parameter style `{other}`: expected one of {}{hint}",
                            names.join(", ")
                        ),
                    );
                    return None;
                }
            },
            Some(other) => {
                self.error(
                    &format!("{ptr}/style"),
                    format!("`style` must be a string, found {}", kind_of(other)),
                );
                return None;
            }
        };
        let required = self.flag(obj, "required", &ptr);
        if location == ParamLocation::Path && required != Some(true) {
            self.warn(
                &ptr,
                format!(
                    "path parameter `{name}` must say `required: true`; it is read as required"
                ),
            );
        }
        let (schema, content_type) = if obj.contains_key("schema") {
            (Some(SchemaRef(format!("{ptr}/schema"))), None)
        } else {
            let cp = format!("{ptr}/content");
            match self.object(obj.get("content"), &cp, "a mapping of media types") {
                Some(content) => match content.iter().next() {
                    Some((mt, m)) => {
                        let schema = m
                            .get("schema")
                            .map(|_| SchemaRef(format!("{}/schema", pointer_join(&cp, mt))));
                        (schema, Some(mt.clone()))
                    }
                    None => (None, None),
                },
                None => (None, None),
            }
        };
        Some(Parameter {
            name: name.to_string(),
            location,
            required: location == ParamLocation::Path || required.unwrap_or(false),
            deprecated: self.flag(obj, "deprecated", &ptr).unwrap_or(false),
            allow_empty_value: self.flag(obj, "allowEmptyValue", &ptr).unwrap_or(false),
            explode: self
                .flag(obj, "explode", &ptr)
                .unwrap_or(style == Style::Form),
            style,
            allow_reserved: self.flag(obj, "allowReserved", &ptr).unwrap_or(false),
            schema,
            content_type,
            examples: self.examples(obj, &ptr),
            pointer: ptr,
        })
    }

    /// `example` (named `default`) and `examples` of an object, refs followed.
    fn examples(&mut self, obj: &'a Map<String, Value>, ptr: &str) -> Vec<Example> {
        let mut out = vec![];
        if let Some(v) = obj.get("example") {
            out.push(Example {
                name: "default".into(),
                summary: None,
                value: Some(v.clone()),
                external_value: None,
            });
        }
        let ep = format!("{ptr}/examples");
        match obj.get("examples") {
            Some(Value::Object(map)) => {
                for (name, ex) in map {
                    let xp = pointer_join(&ep, name);
                    let Some((ex, _)) = self.resolve(ex, &xp) else {
                        continue;
                    };
                    out.push(Example {
                        name: name.clone(),
                        summary: ex
                            .get("summary")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        value: ex.get("value").cloned(),
                        external_value: ex
                            .get("externalValue")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    });
                }
            }
            // A list of examples is JSON Schema's `examples` (3.1 schemas) or a
            // mistake; either way not named examples.
            Some(Value::Array(_)) | Some(Value::Null) | None => {}
            Some(other) => self.error(
                &ep,
                format!(
                    "expected a mapping of named examples, found {}",
                    kind_of(other)
                ),
            ),
        }
        out
    }

    fn content(&mut self, v: Option<&'a Value>, ptr: &str) -> Vec<MediaType> {
        let mut out = vec![];
        let Some(content) = self.object(v, ptr, "a mapping of media types") else {
            return out;
        };
        for (mt, m) in content {
            let mp = pointer_join(ptr, mt);
            let Some(m) = self.object(Some(m), &mp, "a media type object (a mapping)") else {
                continue;
            };
            out.push(MediaType {
                media_type: mt.clone(),
                schema: m.get("schema").map(|_| SchemaRef(format!("{mp}/schema"))),
                examples: self.examples(m, &mp),
                pointer: mp,
            });
        }
        out
    }

    fn request_body(&mut self, v: &'a Value, ptr: &str) -> Option<RequestBody> {
        let (obj, ptr) = self.resolve(v, ptr)?;
        Some(RequestBody {
            required: self.flag(obj, "required", &ptr).unwrap_or(false),
            content: self.content(obj.get("content"), &format!("{ptr}/content")),
            pointer: ptr,
        })
    }

    fn responses(&mut self, v: Option<&'a Value>, ptr: &str) -> Vec<Response> {
        let mut out = vec![];
        let Some(map) = self.object(v, ptr, "a mapping of responses by status") else {
            return out;
        };
        for (key, r) in map {
            if key.starts_with("x-") {
                continue;
            }
            let rp = pointer_join(ptr, key);
            let Some(status) = status_key(key) else {
                self.error(
                    &rp,
                    format!("`{key}` is not a response status: write a code (200), a range (2XX) or `default`"),
                );
                continue;
            };
            // 3.1: a `description` beside a `$ref` overrides the target's.
            let own_description = r
                .as_object()
                .filter(|o| o.contains_key("$ref"))
                .and_then(|o| o.get("description"))
                .and_then(Value::as_str);
            let Some((obj, rp)) = self.resolve(r, &rp) else {
                continue;
            };
            let description = own_description
                .or_else(|| obj.get("description").and_then(Value::as_str))
                .unwrap_or_default()
                .to_string();
            let mut headers = vec![];
            let hp = format!("{rp}/headers");
            if let Some(hs) = self.object(obj.get("headers"), &hp, "a mapping of headers") {
                for (name, h) in hs {
                    let p = pointer_join(&hp, name);
                    if let Some(h) = self.header(name, h, &p) {
                        headers.push(h);
                    }
                }
            }
            let links = match obj.get("links") {
                Some(Value::Object(l)) => l.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                _ => vec![],
            };
            out.push(Response {
                status,
                description,
                headers,
                content: self.content(obj.get("content"), &format!("{rp}/content")),
                links,
                pointer: rp,
            });
        }
        out
    }

    fn header(&mut self, name: &str, v: &'a Value, ptr: &str) -> Option<Header> {
        let (obj, ptr) = self.resolve(v, ptr)?;
        let schema = if obj.contains_key("schema") {
            Some(SchemaRef(format!("{ptr}/schema")))
        } else {
            obj.get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.iter().next())
                .filter(|(_, m)| m.get("schema").is_some())
                .map(|(mt, _)| {
                    SchemaRef(format!(
                        "{}/schema",
                        pointer_join(&format!("{ptr}/content"), mt)
                    ))
                })
        };
        Some(Header {
            name: name.to_string(),
            required: self.flag(obj, "required", &ptr).unwrap_or(false),
            schema,
            pointer: ptr,
        })
    }
}

/// A response key: `200`, `2XX` (any case) or `default`.
fn status_key(key: &str) -> Option<StatusKey> {
    if key == "default" {
        return Some(StatusKey::Default);
    }
    let b = key.as_bytes();
    if b.len() != 3 || !(b'1'..=b'5').contains(&b[0]) {
        return None;
    }
    if b[1..].eq_ignore_ascii_case(b"XX") {
        return Some(StatusKey::Range(b[0] - b'0'));
    }
    key.parse().ok().map(StatusKey::Code)
}

/// The value a local `$ref` (`#/components/...`) names in `doc`, and its
/// pointer (with `#`), or why it cannot be followed.
pub(crate) fn follow_ref<'d>(doc: &'d Value, r: &str) -> Result<(String, &'d Value), String> {
    let Some(fragment) = r.strip_prefix('#') else {
        return Err(if r.starts_with("http://") || r.starts_with("https://") {
            format!("`{r}` is a remote reference: only files beside the spec are read")
        } else {
            format!("`{r}` refers to another file: load the spec from its file so refs to other files can be followed")
        });
    };
    let fragment = percent_decode(fragment);
    if !fragment.is_empty() && !fragment.starts_with('/') {
        return Err(format!(
            "`{r}` names an anchor (`$id`/`$anchor`), which refs outside schemas cannot use"
        ));
    }
    let mut v = doc;
    for t in tokens(&fragment) {
        let next = match v {
            Value::Object(o) => o.get(&t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        v = next.ok_or_else(|| format!("`{r}` names nothing in the document"))?;
    }
    Ok((format!("#{fragment}"), v))
}

/// `%7B` → `{`: a URI fragment as the JSON pointer it encodes.
pub(crate) fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(n) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_keys() {
        assert_eq!(status_key("200"), Some(StatusKey::Code(200)));
        assert_eq!(status_key("4xx"), Some(StatusKey::Range(4)));
        assert_eq!(status_key("default"), Some(StatusKey::Default));
        assert_eq!(status_key("20X"), None);
        assert_eq!(status_key("600"), None);
        assert_eq!(status_key("é00"), None);
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("/paths/~1pets%7Bid%7D"), "/paths/~1pets{id}");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%ff"), "%ff");
    }
}
