//! A `content` map across versions (a request body's or a response's): media
//! types added, removed, or present in both, where a removed media type and an
//! added one that refines or generalises it (`application/json` and
//! `application/problem+json`) pair as one media type renamed, as oasdiff pairs
//! them.

use seam_openapi::model::MediaType;
use std::collections::BTreeMap;

/// The media types of two `content` maps, paired.
pub(crate) struct ContentDiff<'m> {
    /// Only in the revision, in its document order.
    pub added: Vec<&'m MediaType>,
    /// Only in the base, in its document order.
    pub removed: Vec<&'m MediaType>,
    /// In both, as `(base, revision)`: the same name, or a renamed one.
    pub kept: Vec<(&'m MediaType, &'m MediaType)>,
}

/// Pairs the media types of two `content` maps: exact names first, then each
/// added name with the first removed one it refines or generalises.
pub(crate) fn diff_content<'m>(
    base: &'m [MediaType],
    revision: &'m [MediaType],
) -> ContentDiff<'m> {
    let named = |list: &'m [MediaType], name: &str| list.iter().find(|m| m.media_type == name);
    let mut kept: Vec<(&MediaType, &MediaType)> = base
        .iter()
        .filter_map(|b| named(revision, &b.media_type).map(|r| (b, r)))
        .collect();
    let mut removed: Vec<&MediaType> = base
        .iter()
        .filter(|b| named(revision, &b.media_type).is_none())
        .collect();
    let mut added = Vec::new();
    for now in revision
        .iter()
        .filter(|r| named(base, &r.media_type).is_none())
    {
        let renamed = removed.iter().position(|was| {
            contains(&was.media_type, &now.media_type) || contains(&now.media_type, &was.media_type)
        });
        match renamed {
            Some(i) => kept.push((removed.remove(i), now)),
            None => added.push(now),
        }
    }
    ContentDiff {
        added,
        removed,
        kept,
    }
}

/// A media type name taken apart: `application/vnd.api+json; charset=utf-8`.
#[derive(Debug, PartialEq)]
pub(crate) struct MediaTypeName {
    /// `application` (lower case).
    pub kind: String,
    /// `vnd.api` (lower case).
    pub subtype: String,
    /// `["json"]`: the `+` suffixes, in order.
    pub suffixes: Vec<String>,
    /// `{"charset": "utf-8"}`: names lower case, values unquoted.
    pub parameters: BTreeMap<String, String>,
}

/// `type/subtype[+suffix...][; name=value...]`, `None` when it is not one.
pub(crate) fn parse(name: &str) -> Option<MediaTypeName> {
    let mut pieces = name.split(';');
    let essence = pieces.next()?.trim().to_ascii_lowercase();
    let (kind, rest) = essence.split_once('/')?;
    let mut subtypes = rest.trim().split('+').map(str::trim);
    let subtype = subtypes.next()?.to_string();
    let suffixes: Vec<String> = subtypes.map(str::to_string).collect();
    let kind = kind.trim();
    if kind.is_empty() || subtype.is_empty() || suffixes.iter().any(String::is_empty) {
        return None;
    }
    let mut parameters = BTreeMap::new();
    for piece in pieces.filter(|p| !p.trim().is_empty()) {
        let (key, value) = piece.split_once('=')?;
        parameters.insert(
            key.trim().to_ascii_lowercase(),
            value.trim().trim_matches('"').to_string(),
        );
    }
    Some(MediaTypeName {
        kind: kind.to_string(),
        subtype,
        suffixes,
        parameters,
    })
}

/// Whether `specific` may be sent where `general` was expected (oasdiff's
/// `IsMediaTypeNameContained`): same type, and either `general` is a plain
/// subtype that `specific` names as its last suffix (`application/json` →
/// `application/problem+json`), or the same subtype with `general`'s suffixes
/// as a prefix of `specific`'s.
pub(crate) fn contains(general: &str, specific: &str) -> bool {
    let (Some(general), Some(specific)) = (parse(general), parse(specific)) else {
        return false;
    };
    if general.kind != specific.kind {
        return false;
    }
    if general.suffixes.is_empty() && specific.suffixes.last() == Some(&general.subtype) {
        return true;
    }
    general.subtype == specific.subtype && specific.suffixes.starts_with(&general.suffixes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(name: &str) -> MediaType {
        MediaType {
            media_type: name.to_string(),
            schema: None,
            examples: vec![],
            pointer: String::new(),
        }
    }

    #[test]
    fn media_type_names_come_apart() {
        let name = parse("Application/vnd.api+json; charset=\"utf-8\"").unwrap();
        assert_eq!(name.kind, "application");
        assert_eq!(name.subtype, "vnd.api");
        assert_eq!(name.suffixes, vec!["json"]);
        assert_eq!(name.parameters["charset"], "utf-8");
        assert!(parse("json").is_none());
        assert!(parse("application/").is_none());
        assert!(parse("*/*").is_some());
    }

    #[test]
    fn refinements_are_contained_not_the_other_way() {
        assert!(contains("application/json", "application/problem+json"));
        assert!(!contains("application/problem+json", "application/json"));
        assert!(contains("image/png+json", "image/png+json+xml"));
        assert!(!contains("image/png+json+xml", "image/png+json"));
        assert!(contains(
            "application/json",
            "application/json; charset=utf-8"
        ));
        assert!(!contains("application/json", "text/json"));
        assert!(!contains("application/xml", "application/json"));
    }

    #[test]
    fn a_refined_media_type_pairs_with_the_one_it_replaces() {
        let base = [media("application/json"), media("text/plain")];
        let revision = [media("application/problem+json"), media("application/xml")];
        let diff = diff_content(&base, &revision);
        assert_eq!(diff.kept.len(), 1);
        assert_eq!(diff.kept[0].0.media_type, "application/json");
        assert_eq!(diff.kept[0].1.media_type, "application/problem+json");
        assert_eq!(diff.removed[0].media_type, "text/plain");
        assert_eq!(diff.added[0].media_type, "application/xml");
    }
}
