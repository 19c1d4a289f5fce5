//! The stub table's path index: which stubs could match a request, decided
//! from its path and URL alone, so that matching evaluates only those (and
//! their header, query and body matchers only when the path could match).
//!
//! - `urlPath` and `url` stubs: a hash map from the exact path.
//! - `urlPathPattern` and `urlPattern` regexes: by the literal prefix every
//!   match must start with (read from the regex's syntax tree, so `(?i)`,
//!   alternations and optional parts are accounted for), in a sorted prefix
//!   table walked with the request's path (or URL); each regex also carries
//!   the range of `/` counts it can match, checked before it runs. A bucket
//!   of many regexes under one prefix is tried at once with a `RegexSet`.
//! - `urlPathTemplate`: by the literal segments before the first parameter,
//!   and the segment count.
//! - Stubs with no URL condition (and pacts with path rules): always
//!   candidates.
//!
//! The index is conservative: a candidate may still fail, but a stub that is
//! not a candidate cannot match. Candidates come out in the table's order
//! (priority, then newest first), so the first that matches wins, exactly as
//! a scan of every stub would decide.

use crate::matching::match_template;
use crate::registry::Entry;
use crate::stub::{TemplateSegment, UrlMatcher};
use regex::{RegexSet, RegexSetBuilder};
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// A bucket of at least this many regexes under one prefix is tried with
/// one `RegexSet` instead of one regex after another.
const SET_MIN: usize = 8;

/// Which stubs could match a request; built with the table, never changed.
#[derive(Debug, Default)]
pub struct PathIndex {
    /// `urlPath`, and `url` by its path part.
    exact: FxHashMap<Box<str>, Vec<u32>>,
    /// `urlPathPattern`, walked with the path.
    path_regexes: Prefixes,
    /// `urlPattern`, walked with the URL (path and query as sent).
    url_regexes: Prefixes,
    /// `urlPathTemplate`, keyed and walked without the leading slashes (a
    /// template matches the path's segments after them).
    templates: Prefixes,
    /// No URL condition: every request.
    any: Vec<u32>,
}

/// What a candidate's haystack must satisfy before its pattern runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    /// A regex matching between `min` and `max` slashes.
    Slashes { min: u32, max: u32 },
    /// A template with this many segments.
    Segments(u32),
}

impl Filter {
    fn admits(self, slashes: u32, segments: u32) -> bool {
        match self {
            Filter::Slashes { min, max } => (min..=max).contains(&slashes),
            Filter::Segments(n) => n == segments,
        }
    }
}

/// Stubs under one literal prefix.
#[derive(Debug, Default)]
struct Bucket {
    stubs: Vec<(u32, Filter)>,
    /// Big buckets: every distinct regex of the bucket at once, and the
    /// stubs of each of the set's patterns.
    set: Option<(RegexSet, Vec<Vec<u32>>)>,
}

/// Buckets by literal prefix, sorted, each with the longest other prefix that
/// is a prefix of it: the prefixes of a haystack are the one sorted just
/// before it (or equal) and that one's chain of parents, cut at the length
/// they share.
#[derive(Debug, Default)]
struct Prefixes {
    keys: Vec<Box<[u8]>>,
    parents: Vec<Option<u32>>,
    buckets: Vec<Bucket>,
}

impl Prefixes {
    /// Buckets for `items`: (literal prefix, stub, filter, the stub's
    /// regex pattern if it has one).
    fn build(mut items: Vec<(Vec<u8>, u32, Filter, Option<&str>)>) -> Self {
        items.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut p = Prefixes::default();
        let mut sources: Vec<Vec<&str>> = Vec::new();
        for (key, stub, filter, regex) in items {
            if p.keys.last().map(|k| &k[..]) != Some(&key[..]) {
                p.keys.push(key.into());
                p.buckets.push(Bucket::default());
                sources.push(Vec::new());
            }
            p.buckets
                .last_mut()
                .expect("pushed")
                .stubs
                .push((stub, filter));
            sources.last_mut().expect("pushed").extend(regex);
        }
        let mut chain: Vec<u32> = Vec::new();
        for (i, key) in p.keys.iter().enumerate() {
            while chain
                .last()
                .is_some_and(|&c| !key.starts_with(&p.keys[c as usize]))
            {
                chain.pop();
            }
            p.parents.push(chain.last().copied());
            chain.push(i as u32);
        }
        for (bucket, sources) in p.buckets.iter_mut().zip(sources) {
            if sources.len() >= SET_MIN && sources.len() == bucket.stubs.len() {
                // one pattern per distinct regex (stubs often share one)
                let mut patterns: Vec<&str> = Vec::new();
                let mut stubs: Vec<Vec<u32>> = Vec::new();
                let mut seen: FxHashMap<&str, usize> = FxHashMap::default();
                for (source, &(stub, _)) in sources.iter().zip(&bucket.stubs) {
                    let at = *seen.entry(source).or_insert_with(|| {
                        patterns.push(source);
                        stubs.push(Vec::new());
                        patterns.len() - 1
                    });
                    stubs[at].push(stub);
                }
                // too large a set is no set: the bucket's regexes run one by one
                bucket.set = RegexSetBuilder::new(patterns)
                    .size_limit(seam_core::regexp::REGEX_SIZE_LIMIT)
                    .dfa_size_limit(seam_core::regexp::REGEX_DFA_SIZE_LIMIT)
                    .build()
                    .ok()
                    .map(|set| (set, stubs));
            }
        }
        p
    }

    /// The buckets whose prefix starts `hay`.
    fn within<'a>(&'a self, hay: &[u8]) -> impl Iterator<Item = &'a Bucket> + 'a {
        let at = self.keys.partition_point(|k| &k[..] <= hay);
        let (mut next, shared) = match at.checked_sub(1) {
            Some(i) => {
                let key = &self.keys[i];
                let shared = key.iter().zip(hay).take_while(|(a, b)| a == b).count();
                (Some(i as u32), shared)
            }
            None => (None, 0),
        };
        std::iter::from_fn(move || loop {
            let i = next? as usize;
            next = self.parents[i];
            if self.keys[i].len() <= shared {
                return Some(&self.buckets[i]);
            }
        })
    }

    /// The buckets whose prefix starts with `start`.
    fn starting_with<'a>(&'a self, start: &[u8]) -> impl Iterator<Item = &'a Bucket> + 'a {
        let from = self.keys.partition_point(|k| &k[..] < start);
        let to = from + self.keys[from..].partition_point(|k| k.starts_with(start));
        self.buckets[from..to].iter()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.buckets.iter().map(|b| b.stubs.len()).sum()
    }
}

/// Pushes the stubs of `bucket` that could match `hay`.
fn push_bucket(out: &mut Vec<u32>, bucket: &Bucket, hay: &str, slashes: u32, segments: u32) {
    match &bucket.set {
        Some((set, stubs)) => out.extend(set.matches(hay).iter().flat_map(|i| &stubs[i])),
        None => out.extend(
            bucket
                .stubs
                .iter()
                .filter(|(_, f)| f.admits(slashes, segments))
                .map(|&(i, _)| i),
        ),
    }
}

fn slashes(s: &str) -> u32 {
    s.bytes().filter(|&b| b == b'/').count() as u32
}

/// How many segments a template sees in `path` (after its leading slashes).
pub fn segment_count(path: &str) -> usize {
    path.trim_start_matches('/').split('/').count()
}

impl PathIndex {
    /// Indexes `entries` (in table order; candidates are their positions).
    pub fn build(entries: &[Arc<Entry>]) -> Self {
        let mut index = PathIndex::default();
        let (mut paths, mut urls, mut templates) = (Vec::new(), Vec::new(), Vec::new());
        for (i, e) in entries.iter().enumerate() {
            let i = i as u32;
            match &e.stub.request.url {
                UrlMatcher::UrlPath(p) => index.exact.entry(p.as_str().into()).or_default().push(i),
                UrlMatcher::Url(u) => {
                    let path = u.split_once('?').map_or(u.as_str(), |(p, _)| p);
                    index.exact.entry(path.into()).or_default().push(i)
                }
                UrlMatcher::UrlPathPattern(re) => {
                    let (prefix, filter) = regex_shape(re.as_str());
                    paths.push((prefix, i, filter, Some(re.as_str())));
                }
                UrlMatcher::UrlPattern(re) => {
                    let (prefix, filter) = regex_shape(re.as_str());
                    urls.push((prefix, i, filter, Some(re.as_str())));
                }
                UrlMatcher::UrlPathTemplate(t) => {
                    let mut key = String::new();
                    for (n, seg) in t.segments.iter().enumerate() {
                        let TemplateSegment::Literal(l) = seg else {
                            break;
                        };
                        key.push_str(l);
                        if n + 1 < t.segments.len() {
                            key.push('/');
                        }
                    }
                    let filter = Filter::Segments(t.segments.len() as u32);
                    templates.push((key.into_bytes(), i, filter, None));
                }
                UrlMatcher::Any => index.any.push(i),
            }
        }
        index.path_regexes = Prefixes::build(paths);
        index.url_regexes = Prefixes::build(urls);
        index.templates = Prefixes::build(templates);
        index
    }

    /// The stubs that could match a request with `path` (as matching sees
    /// it) and `url` (path and query as sent), in table order.
    pub fn candidates(&self, path: &str, url: &str) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        if let Some(exact) = self.exact.get(path) {
            out.extend_from_slice(exact);
        }
        let path_slashes = slashes(path);
        for b in self.path_regexes.within(path.as_bytes()) {
            push_bucket(&mut out, b, path, path_slashes, 0);
        }
        if !self.url_regexes.keys.is_empty() {
            let url_slashes = slashes(url);
            for b in self.url_regexes.within(url.as_bytes()) {
                push_bucket(&mut out, b, url, url_slashes, 0);
            }
        }
        if !self.templates.keys.is_empty() {
            let trimmed = path.trim_start_matches('/');
            let segments = segment_count(path) as u32;
            for b in self.templates.within(trimmed.as_bytes()) {
                push_bucket(&mut out, b, trimmed, 0, segments);
            }
        }
        out.extend_from_slice(&self.any);
        out.sort_unstable();
        out
    }

    /// The exact paths indexed, each with its stubs in table order.
    pub fn exact_paths(&self) -> impl Iterator<Item = (&str, &[u32])> {
        self.exact.iter().map(|(k, v)| (&**k, v.as_slice()))
    }

    /// The stubs other than `urlPath`/`url` ones that could match a request
    /// whose path is exactly `path` (no percent-encoding), in table order,
    /// each with whether it could match that request without a query string
    /// and with one. For the fast index: `entries` is what this index was
    /// built from.
    pub fn patterns_for(&self, entries: &[Arc<Entry>], path: &str) -> Vec<(u32, bool, bool)> {
        let mut out = Vec::new();
        let mut regexes = Vec::new();
        for b in self.path_regexes.within(path.as_bytes()) {
            push_bucket(&mut regexes, b, path, slashes(path), 0);
        }
        // a path regex sees the same path with or without a query
        out.extend(regexes.into_iter().map(|i| (i, true, true)));
        let trimmed = path.trim_start_matches('/');
        for b in self.templates.within(trimmed.as_bytes()) {
            for &(i, _) in &b.stubs {
                let UrlMatcher::UrlPathTemplate(t) = &entries[i as usize].stub.request.url else {
                    continue;
                };
                if match_template(t, path).is_some() {
                    out.push((i, true, true));
                }
            }
        }
        // a URL regex sees `path` alone, or `path?...`: with a query, any
        // regex whose prefix could start such a URL could match
        let with_query = format!("{path}?");
        let mut url_stubs: Vec<u32> = self
            .url_regexes
            .within(with_query.as_bytes())
            .chain(self.url_regexes.starting_with(with_query.as_bytes()))
            .flat_map(|b| b.stubs.iter().map(|&(i, _)| i))
            .collect();
        url_stubs.sort_unstable();
        url_stubs.dedup();
        for i in url_stubs {
            let UrlMatcher::UrlPattern(re) = &entries[i as usize].stub.request.url else {
                continue;
            };
            out.push((i, re.is_match(path), true));
        }
        out.extend(self.any.iter().map(|&i| (i, true, true)));
        out.sort_unstable();
        out
    }

    /// How many stubs each part of the index holds, for tests and reports:
    /// exact, path regexes, URL regexes, templates, any.
    #[cfg(test)]
    fn sizes(&self) -> [usize; 5] {
        [
            self.exact.values().map(Vec::len).sum(),
            self.path_regexes.len(),
            self.url_regexes.len(),
            self.templates.len(),
            self.any.len(),
        ]
    }
}

/// The literal prefix every match of an anchored regex starts with, and the
/// range of slashes a match can hold. A regex that is not anchored at the
/// start (or does not parse here) has no prefix and any number of slashes.
fn regex_shape(pattern: &str) -> (Vec<u8>, Filter) {
    let anything = (
        Vec::new(),
        Filter::Slashes {
            min: 0,
            max: u32::MAX,
        },
    );
    let Ok(hir) = regex_syntax::Parser::new().parse(pattern) else {
        return anything;
    };
    let (min, max) = slash_range(&hir);
    let filter = Filter::Slashes {
        min,
        max: max.unwrap_or(u32::MAX),
    };
    let mut prefix = Vec::new();
    let subs: &[Hir] = match hir.kind() {
        HirKind::Concat(subs) => subs,
        _ => std::slice::from_ref(&hir),
    };
    if !matches!(
        subs.first().map(Hir::kind),
        Some(HirKind::Look(Look::Start))
    ) {
        return (prefix, filter);
    }
    for sub in &subs[1..] {
        if !literal_prefix(sub, &mut prefix) {
            break;
        }
    }
    (prefix, filter)
}

/// Appends the bytes every match of `hir` starts with; true when `hir`
/// matches exactly those bytes (so what follows it extends the prefix).
fn literal_prefix(hir: &Hir, out: &mut Vec<u8>) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(l) => {
            out.extend_from_slice(&l.0);
            true
        }
        HirKind::Capture(c) => literal_prefix(&c.sub, out),
        HirKind::Concat(subs) => subs.iter().all(|s| literal_prefix(s, out)),
        HirKind::Repetition(r) if r.min >= 1 => {
            let whole = literal_prefix(&r.sub, out);
            whole && r.min == 1 && r.max == Some(1)
        }
        HirKind::Alternation(alts) => {
            let mut common: Option<Vec<u8>> = None;
            for alt in alts {
                let mut p = Vec::new();
                literal_prefix(alt, &mut p);
                common = Some(match common {
                    None => p,
                    Some(c) => {
                        let n = c.iter().zip(&p).take_while(|(a, b)| a == b).count();
                        c[..n].to_vec()
                    }
                });
            }
            out.extend(common.unwrap_or_default());
            false
        }
        _ => false,
    }
}

/// How many `/` a match of `hir` holds: at least, and at most (`None`: no
/// bound).
fn slash_range(hir: &Hir) -> (u32, Option<u32>) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (0, Some(0)),
        HirKind::Literal(l) => {
            let n = l.0.iter().filter(|&&b| b == b'/').count() as u32;
            (n, Some(n))
        }
        HirKind::Class(c) => {
            let slash = match c {
                Class::Unicode(u) => u
                    .ranges()
                    .iter()
                    .any(|r| r.start() <= '/' && '/' <= r.end()),
                Class::Bytes(b) => b
                    .ranges()
                    .iter()
                    .any(|r| r.start() <= b'/' && b'/' <= r.end()),
            };
            (0, Some(u32::from(slash)))
        }
        HirKind::Capture(c) => slash_range(&c.sub),
        HirKind::Repetition(r) => {
            let (min, max) = slash_range(&r.sub);
            let max = match (max, r.max) {
                (Some(0), _) => Some(0),
                (Some(m), Some(n)) => m.checked_mul(n),
                _ => None,
            };
            (min.saturating_mul(r.min), max)
        }
        HirKind::Concat(subs) => subs.iter().map(slash_range).fold((0, Some(0)), |a, b| {
            (
                a.0.saturating_add(b.0),
                a.1.zip(b.1).and_then(|(x, y)| x.checked_add(y)),
            )
        }),
        HirKind::Alternation(alts) => {
            let ranges: Vec<_> = alts.iter().map(slash_range).collect();
            let min = ranges.iter().map(|r| r.0).min().unwrap_or(0);
            let max = ranges.iter().try_fold(0, |m: u32, r| r.1.map(|x| m.max(x)));
            (min, max)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seam_core::regexp::{whole, Dot};

    fn shape(src: &str) -> (String, Filter) {
        let (p, f) = regex_shape(whole(src, Dot::All).unwrap().as_str());
        (String::from_utf8(p).unwrap(), f)
    }

    fn slashes(min: u32, max: u32) -> Filter {
        Filter::Slashes { min, max }
    }

    #[test]
    fn a_regex_is_indexed_by_the_literal_prefix_every_match_starts_with() {
        assert_eq!(
            shape("/api/orders/[0-9]+"),
            ("/api/orders/".into(), slashes(3, 3))
        );
        assert_eq!(shape("^/api/x"), ("/api/x".into(), slashes(2, 2)));
        assert_eq!(shape("/api/(v1|v2)/x"), ("/api/v".into(), slashes(3, 3)));
        assert_eq!(shape("/api/(a|b/c)"), ("/api/".into(), slashes(2, 3)));
        assert_eq!(shape("/a(/b)?"), ("/a".into(), slashes(1, 2)));
        assert_eq!(shape("/a(/b)+"), ("/a/b".into(), slashes(2, u32::MAX)));
        assert_eq!(shape("/api/.*"), ("/api/".into(), slashes(2, u32::MAX)));
        assert_eq!(shape("/api/[^/]+/x"), ("/api/".into(), slashes(3, 3)));
        assert_eq!(
            shape("(?i)/api/x"),
            ("/".into(), slashes(2, 2)),
            "a case-insensitive letter is a class"
        );
        assert_eq!(shape(".*/health"), ("".into(), slashes(1, u32::MAX)));
        assert_eq!(shape("/a|/b"), ("/".into(), slashes(1, 1)));
        assert_eq!(shape("/a\\.json"), ("/a.json".into(), slashes(1, 1)));
        // not anchored: could match anywhere
        let (p, f) = regex_shape("/api/x");
        assert!(p.is_empty());
        assert_eq!(f, slashes(2, 2));
    }

    #[test]
    fn prefixes_are_found_with_their_parents_only_when_they_start_the_haystack() {
        let keys = ["", "/a", "/a/b", "/a/bc", "/a/c", "/b"];
        let p = Prefixes::build(
            keys.iter()
                .enumerate()
                .map(|(i, k)| (k.as_bytes().to_vec(), i as u32, slashes(0, 9), None))
                .collect(),
        );
        let found = |hay: &str| -> Vec<u32> {
            let mut v: Vec<u32> = p
                .within(hay.as_bytes())
                .flat_map(|b| b.stubs.iter().map(|s| s.0))
                .collect();
            v.sort();
            v
        };
        assert_eq!(found("/a/bcd"), vec![0, 1, 2, 3]);
        assert_eq!(found("/a/b"), vec![0, 1, 2]);
        assert_eq!(found("/a/ba"), vec![0, 1, 2]);
        assert_eq!(found("/a/d"), vec![0, 1]);
        assert_eq!(found("/a"), vec![0, 1]);
        assert_eq!(found("/"), vec![0]);
        assert_eq!(found(""), vec![0]);
        assert_eq!(found("/bb"), vec![0, 5]);
        assert_eq!(found("/c"), vec![0]);
        let starting = |s: &str| -> Vec<u32> {
            p.starting_with(s.as_bytes())
                .flat_map(|b| b.stubs.iter().map(|s| s.0))
                .collect()
        };
        assert_eq!(starting("/a/b"), vec![2, 3]);
        assert_eq!(starting("/z"), Vec::<u32>::new());
    }

    fn entries(mappings: &[&str]) -> Vec<Arc<Entry>> {
        mappings
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let stub =
                    crate::wiremock::stub_from_mapping(&serde_json::from_str(m).unwrap(), None)
                        .unwrap();
                Arc::new(Entry {
                    stub,
                    seq: i as u64,
                })
            })
            .collect()
    }

    #[test]
    fn only_stubs_whose_url_could_match_are_candidates() {
        let e = entries(&[
            r#"{"request": {"urlPath": "/api/items/1"}, "response": {}}"#,
            r#"{"request": {"url": "/api/items/1?x=1"}, "response": {}}"#,
            r#"{"request": {"urlPathPattern": "/api/items/[0-9]+"}, "response": {}}"#,
            r#"{"request": {"urlPathPattern": "/api/users/[0-9]+"}, "response": {}}"#,
            r#"{"request": {"urlPathPattern": "/api/.*"}, "response": {}}"#,
            r#"{"request": {"urlPattern": "/api/items/1\\?x=.*"}, "response": {}}"#,
            r#"{"request": {"urlPathTemplate": "/api/items/{id}"}, "response": {}}"#,
            r#"{"request": {"urlPathTemplate": "/api/items/{id}/lines"}, "response": {}}"#,
            r#"{"request": {"urlPathTemplate": "/api/users/{id}"}, "response": {}}"#,
            r#"{"request": {"method": "GET"}, "response": {}}"#,
            r#"{"request": {"urlPathPattern": "/api/items/[0-9]+/[0-9]+"}, "response": {}}"#,
        ]);
        let index = PathIndex::build(&e);
        assert_eq!(index.sizes(), [2, 4, 1, 3, 1]);
        assert_eq!(
            index.candidates("/api/items/1", "/api/items/1"),
            vec![0, 1, 2, 4, 6, 9]
        );
        assert_eq!(
            index.candidates("/api/items/1", "/api/items/1?x=2"),
            vec![0, 1, 2, 4, 5, 6, 9],
            "the URL regex needs the query"
        );
        assert_eq!(
            index.candidates("/api/users/1", "/api/users/1"),
            vec![3, 4, 8, 9]
        );
        assert_eq!(
            index.candidates("/api/items/1/lines", "/api/items/1/lines"),
            vec![4, 7, 9, 10],
            "slash counts and segment counts filter"
        );
        assert_eq!(index.candidates("/other", "/other"), vec![9]);
    }

    #[test]
    fn a_big_bucket_is_tried_as_one_set() {
        let maps: Vec<String> = (0..20)
            .map(|i| format!(r#"{{"request": {{"urlPathPattern": "/api/v[0-9]+/res-{i}/[a-z]+"}}, "response": {{}}}}"#))
            .collect();
        let e = entries(&maps.iter().map(String::as_str).collect::<Vec<_>>());
        let index = PathIndex::build(&e);
        assert!(index.path_regexes.buckets[0].set.is_some());
        assert_eq!(
            index.candidates("/api/v2/res-7/abc", "/api/v2/res-7/abc"),
            vec![7]
        );
        assert_eq!(
            index.candidates("/api/v2/res-7/ABC", "/api/v2/res-7/ABC"),
            Vec::<u32>::new()
        );
    }
}
