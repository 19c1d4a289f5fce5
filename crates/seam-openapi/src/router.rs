//! A request's method and path to its operation and path parameters (404 / 405 with the allowed methods).
//!
//! Path templates are split into segments once, into a tree walked per request:
//! at each segment a literal (`/pets/mine`) is tried before a template that mixes
//! text and parameters (`/files/{name}.{ext}`), which is tried before a
//! whole-segment parameter (`/pets/{id}`). The first path that matches and has
//! the method wins; when paths match but none has the method, the answer is 405
//! with every method they do have. A trailing slash is ignored, and a server's
//! base path (`servers: [{url: https://api.example.com/v1}]`) may be present or not.

use crate::load::percent_decode;
use crate::model::{Operation, Spec};
use std::collections::HashMap;

/// Finds the operation for a request.
#[derive(Debug, Clone)]
pub struct Router {
    operations: Vec<Operation>,
    /// Base paths of the servers, as segments, longest first (no empty base).
    bases: Vec<Vec<String>>,
    root: Node,
}

/// What [`Router::find`] found.
#[derive(Debug, Clone)]
pub enum Route<'a> {
    /// The operation, its index in [`Spec::operations`], and the path
    /// parameters by name (raw: still percent-encoded).
    Found {
        operation: &'a Operation,
        index: usize,
        path_params: Vec<(String, String)>,
    },
    /// The path exists, not with this method: the methods it has (upper case).
    MethodNotAllowed {
        allow: Vec<String>,
    },
    NotFound,
}

impl PartialEq for Route<'_> {
    /// Two answers are the same when they name the same operation (by index)
    /// with the same parameters, or the same methods.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Route::Found {
                    index: a,
                    path_params: pa,
                    ..
                },
                Route::Found {
                    index: b,
                    path_params: pb,
                    ..
                },
            ) => a == b && pa == pb,
            (Route::MethodNotAllowed { allow: a }, Route::MethodNotAllowed { allow: b }) => a == b,
            (Route::NotFound, Route::NotFound) => true,
            _ => false,
        }
    }
}

/// One segment of a path template that holds a parameter: text and parameters
/// in turn (`{name}.{ext}` is `[Param(name), Text("."), Param(ext)]`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Param(String),
}

#[derive(Debug, Clone, Default)]
struct Node {
    literals: HashMap<String, Node>,
    /// Templated segments: ones with text before whole-segment parameters,
    /// then in document order.
    templates: Vec<(Vec<Part>, Node)>,
    /// Paths ending here: (method, operation index), per path template.
    ends: Vec<(String, usize)>,
}

impl Router {
    /// A router over a spec's operations (cloned: the router stands alone).
    pub fn new(spec: &Spec) -> Router {
        let mut root = Node::default();
        for (index, op) in spec.operations.iter().enumerate() {
            let mut node = &mut root;
            for seg in segments(&op.path) {
                let parts = parse_segment(seg);
                node = match parts {
                    None => node.literals.entry(seg.to_string()).or_default(),
                    Some(parts) => {
                        let at = match node.templates.iter().position(|(p, _)| *p == parts) {
                            Some(at) => at,
                            None => {
                                // Mixed text-and-parameter segments before whole ones.
                                let whole = is_whole(&parts);
                                let at = if whole {
                                    node.templates.len()
                                } else {
                                    node.templates
                                        .iter()
                                        .position(|(p, _)| is_whole(p))
                                        .unwrap_or(node.templates.len())
                                };
                                node.templates.insert(at, (parts, Node::default()));
                                at
                            }
                        };
                        &mut node.templates[at].1
                    }
                };
            }
            node.ends.push((op.method.to_ascii_uppercase(), index));
        }
        let mut bases: Vec<Vec<String>> = spec
            .servers
            .iter()
            .map(|s| base_path(&s.resolved_url))
            .filter(|b| !b.is_empty())
            .collect();
        bases.sort_by_key(|b| std::cmp::Reverse(b.len()));
        bases.dedup();
        Router {
            operations: spec.operations.clone(),
            bases,
            root,
        }
    }

    /// The operation for `method` (any case) on `path` (the request target; a
    /// query string is ignored).
    pub fn find(&self, method: &str, path: &str) -> Route<'_> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let segs: Vec<&str> = segments(path).collect();
        let method = method.to_ascii_uppercase();
        let mut allow: Vec<String> = vec![];
        let stripped = self
            .bases
            .iter()
            .filter(|b| b.len() <= segs.len() && b.iter().zip(&segs).all(|(b, s)| b == s))
            .map(|b| &segs[b.len()..]);
        for candidate in stripped.chain(std::iter::once(&segs[..])) {
            let mut params = vec![];
            if let Some(found) = self.walk(&self.root, candidate, &method, &mut params, &mut allow)
            {
                return Route::Found {
                    operation: &self.operations[found],
                    index: found,
                    path_params: params,
                };
            }
        }
        if allow.is_empty() {
            return Route::NotFound;
        }
        let order = |m: &String| {
            crate::load::METHODS
                .iter()
                .position(|k| k.eq_ignore_ascii_case(m))
                .unwrap_or(usize::MAX)
        };
        allow.sort_by_key(order);
        allow.dedup();
        Route::MethodNotAllowed { allow }
    }

    /// The first operation with `method` on a path matching `segs` under
    /// `node`, most specific first; `params` holds its parameters. Paths that
    /// match without the method add their methods to `allow`.
    fn walk(
        &self,
        node: &Node,
        segs: &[&str],
        method: &str,
        params: &mut Vec<(String, String)>,
        allow: &mut Vec<String>,
    ) -> Option<usize> {
        let Some((seg, rest)) = segs.split_first() else {
            if let Some((_, i)) = node.ends.iter().find(|(m, _)| m == method) {
                return Some(*i);
            }
            allow.extend(node.ends.iter().map(|(m, _)| m.clone()));
            return None;
        };
        let literal = node.literals.get(*seg).or_else(|| {
            seg.contains('%')
                .then(|| node.literals.get(&percent_decode(seg)))
                .flatten()
        });
        if let Some(next) = literal {
            if let Some(found) = self.walk(next, rest, method, params, allow) {
                return Some(found);
            }
        }
        for (parts, next) in &node.templates {
            let mark = params.len();
            if match_parts(parts, seg, params) {
                if let Some(found) = self.walk(next, rest, method, params, allow) {
                    return Some(found);
                }
            }
            params.truncate(mark);
        }
        None
    }
}

/// The non-empty segments of a path, a trailing slash ignored (`/a/b/` → a, b).
/// Empty segments inside (`/a//b`) are kept, so they match nothing but an empty literal.
fn segments(path: &str) -> impl Iterator<Item = &str> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    path.split('/').filter({
        let empty = path.is_empty();
        move |_| !empty
    })
}

/// A template segment's parts, or None for a literal segment.
fn parse_segment(seg: &str) -> Option<Vec<Part>> {
    if !seg.contains('{') {
        return None;
    }
    let mut parts = vec![];
    let mut rest = seg;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else {
            break;
        };
        if open > 0 {
            parts.push(Part::Text(rest[..open].to_string()));
        }
        parts.push(Part::Param(rest[open + 1..close].to_string()));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push(Part::Text(rest.to_string()));
    }
    if !parts.iter().any(|p| matches!(p, Part::Param(_))) {
        return None;
    }
    Some(parts)
}

fn is_whole(parts: &[Part]) -> bool {
    parts.iter().all(|p| matches!(p, Part::Param(_)))
}

/// Whether `seg` matches the parts; each parameter takes at least one
/// character, as few as let the rest match (so `{name}.{ext}` reads `a.b.c` as
/// `a` and `b.c`). Captures are pushed onto `params` (left there on failure).
fn match_parts(parts: &[Part], seg: &str, params: &mut Vec<(String, String)>) -> bool {
    match parts.split_first() {
        None => seg.is_empty(),
        Some((Part::Text(t), rest)) => seg
            .strip_prefix(t.as_str())
            .is_some_and(|s| match_parts(rest, s, params)),
        Some((Part::Param(name), rest)) => {
            if rest.is_empty() {
                if seg.is_empty() {
                    return false;
                }
                params.push((name.clone(), seg.to_string()));
                return true;
            }
            let mark = params.len();
            for (cut, _) in seg.char_indices().skip(1) {
                params.push((name.clone(), seg[..cut].to_string()));
                if match_parts(rest, &seg[cut..], params) {
                    return true;
                }
                params.truncate(mark);
            }
            false
        }
    }
}

/// The path of a server URL, as segments (`https://h/v1/` → `["v1"]`).
fn base_path(url: &str) -> Vec<String> {
    let after_scheme = match url.find("://") {
        Some(i) => &url[i + 3..],
        None => url.strip_prefix("//").unwrap_or(url),
    };
    let path = if after_scheme.len() != url.len() || url.starts_with("//") {
        match after_scheme.find('/') {
            Some(i) => &after_scheme[i..],
            None => "",
        }
    } else {
        url
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    segments(path).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_str;

    fn router(paths: &str, servers: &str) -> (Spec, Router) {
        let text =
            format!("openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\n{servers}\npaths:\n{paths}");
        let spec = load_str("r.yaml", &text).unwrap_or_else(|e| panic!("{e:?}"));
        let router = Router::new(&spec);
        (spec, router)
    }

    fn found(r: &Router, method: &str, path: &str) -> (String, Vec<(String, String)>) {
        match r.find(method, path) {
            Route::Found {
                operation,
                path_params,
                index,
            } => {
                assert_eq!(r.operations[index].pointer, operation.pointer);
                (operation.label(), path_params)
            }
            other => panic!("{method} {path}: {other:?}"),
        }
    }

    const PETS: &str = "  /pets/{id}:\n    get: {responses: {'200': {description: ok}}}\n    delete: {responses: {'200': {description: ok}}}\n  /pets/mine:\n    get: {responses: {'200': {description: ok}}}\n  /pets:\n    get: {responses: {'200': {description: ok}}}\n    post: {responses: {'200': {description: ok}}}\n  /:\n    get: {responses: {'200': {description: ok}}}\n";

    #[test]
    fn literal_segments_win_over_templates() {
        let (_, r) = router(PETS, "");
        assert_eq!(found(&r, "GET", "/pets/mine").0, "GET /pets/mine");
        assert_eq!(
            found(&r, "GET", "/pets/7"),
            ("GET /pets/{id}".into(), vec![("id".into(), "7".into())])
        );
        // The literal path lacks DELETE: the templated one has it.
        assert_eq!(found(&r, "delete", "/pets/mine").0, "DELETE /pets/{id}");
    }

    #[test]
    fn method_not_allowed_lists_the_methods_of_every_matching_path() {
        let (_, r) = router(PETS, "");
        assert_eq!(
            r.find("PUT", "/pets/mine"),
            Route::MethodNotAllowed {
                allow: vec!["GET".into(), "DELETE".into()]
            }
        );
        assert_eq!(
            r.find("PATCH", "/pets"),
            Route::MethodNotAllowed {
                allow: vec!["GET".into(), "POST".into()]
            }
        );
        assert_eq!(r.find("GET", "/cats"), Route::NotFound);
        assert_eq!(r.find("GET", "/pets/1/2"), Route::NotFound);
    }

    #[test]
    fn trailing_slash_query_and_root() {
        let (_, r) = router(PETS, "");
        assert_eq!(found(&r, "GET", "/pets/").0, "GET /pets");
        assert_eq!(found(&r, "GET", "/pets?limit=3").0, "GET /pets");
        assert_eq!(found(&r, "GET", "/").0, "GET /");
        assert_eq!(found(&r, "GET", "").0, "GET /");
        // An empty parameter matches nothing.
        assert_eq!(r.find("GET", "/pets//"), Route::NotFound);
    }

    #[test]
    fn partial_template_segments() {
        let paths = "  /files/{name}.{ext}:\n    get: {responses: {'200': {description: ok}}}\n  /files/{path}:\n    get: {responses: {'200': {description: ok}}}\n  /v{major}/status:\n    get: {responses: {'200': {description: ok}}}\n";
        let (_, r) = router(paths, "");
        assert_eq!(
            found(&r, "GET", "/files/a.tar.gz"),
            (
                "GET /files/{name}.{ext}".into(),
                vec![("name".into(), "a".into()), ("ext".into(), "tar.gz".into())]
            )
        );
        assert_eq!(
            found(&r, "GET", "/files/README"),
            (
                "GET /files/{path}".into(),
                vec![("path".into(), "README".into())]
            )
        );
        // `.x`: the name would be empty, so the whole-segment template.
        assert_eq!(found(&r, "GET", "/files/.x").0, "GET /files/{path}");
        assert_eq!(
            found(&r, "GET", "/v2/status").1,
            vec![("major".to_string(), "2".to_string())]
        );
        assert_eq!(r.find("GET", "/x2/status"), Route::NotFound);
    }

    #[test]
    fn params_stay_percent_encoded_and_literals_match_decoded() {
        let paths = "  /a b/{id}:\n    get: {responses: {'200': {description: ok}}}\n";
        let (_, r) = router(paths, "");
        assert_eq!(
            found(&r, "GET", "/a%20b/x%2Fy").1,
            vec![("id".to_string(), "x%2Fy".to_string())]
        );
    }

    #[test]
    fn server_base_paths_are_optional() {
        let servers = "servers:\n  - url: https://api.example.com/v1/\n  - url: '{scheme}://h/{base}'\n    variables:\n      scheme: {default: http}\n      base: {default: api/v2}\n";
        let (_, r) = router(PETS, servers);
        assert_eq!(found(&r, "GET", "/v1/pets").0, "GET /pets");
        assert_eq!(found(&r, "GET", "/api/v2/pets/mine").0, "GET /pets/mine");
        assert_eq!(found(&r, "GET", "/pets").0, "GET /pets");
        assert_eq!(found(&r, "GET", "/v1").0, "GET /");
        assert_eq!(r.find("GET", "/v3/pets"), Route::NotFound);
        assert_eq!(base_path("/v1"), vec!["v1"]);
        assert_eq!(base_path("https://h"), Vec::<String>::new());
        assert_eq!(base_path("//h/x?y"), vec!["x"]);
    }
}
