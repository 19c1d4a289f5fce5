//! The stub table: stubs in priority order behind an index (exact paths in a
//! hash map, templates by segment count, the rest scanned), scenario states,
//! and snapshot reads so matching never waits on an admin write.

use crate::matching::{distance, match_pattern, Captures};
use crate::request::MockRequest;
use crate::respond::{static_answer, Prepared};
use crate::stub::{MethodMatch, Stub, UrlMatcher};
use arc_swap::ArcSwap;
use rustc_hash::FxHashMap;
use seam_core::matching::Mismatch;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// WireMock's initial scenario state.
pub const STARTED: &str = "Started";

/// A stub with its insertion number (newer wins ties).
#[derive(Debug)]
pub struct Entry {
    pub stub: Stub,
    pub seq: u64,
}

/// An immutable, indexed set of stubs.
#[derive(Debug, Default)]
pub struct StubTable {
    entries: Vec<Arc<Entry>>,
    by_path: FxHashMap<String, Vec<usize>>,
    by_segments: FxHashMap<usize, Vec<usize>>,
    scanned: Vec<usize>,
    /// The fast path's index: for each exact path that no pattern or
    /// template stub can match, the [`plain`] stubs with a static answer that
    /// come first in priority order (up to the first stub that is not).
    fast: FxHashMap<Box<str>, Vec<FastStub>>,
}

/// A stub the fast path can answer from the request line alone.
#[derive(Debug)]
struct FastStub {
    method: MethodMatch,
    /// A `url` stub: the whole URL must be the path, so any query string
    /// makes it miss (a `urlPath` stub ignores the query).
    exact_url: bool,
    entry: Arc<Entry>,
}

impl StubTable {
    fn build(mut entries: Vec<Arc<Entry>>) -> Self {
        // priority ascending, then newest first: the first match wins
        entries.sort_by(|a, b| {
            a.stub
                .priority
                .cmp(&b.stub.priority)
                .then(b.seq.cmp(&a.seq))
        });
        let mut t = StubTable {
            entries,
            ..Default::default()
        };
        for (i, e) in t.entries.iter().enumerate() {
            match &e.stub.request.url {
                UrlMatcher::UrlPath(p) => t.by_path.entry(p.clone()).or_default().push(i),
                UrlMatcher::Url(u) => {
                    let path = u.split_once('?').map(|(p, _)| p).unwrap_or(u);
                    t.by_path.entry(path.to_string()).or_default().push(i)
                }
                UrlMatcher::UrlPathTemplate(tpl) => {
                    t.by_segments.entry(tpl.segments.len()).or_default().push(i)
                }
                _ => t.scanned.push(i),
            }
        }
        t.fast = t.fast_index();
        t
    }

    fn fast_index(&self) -> FxHashMap<Box<str>, Vec<FastStub>> {
        let mut fast = FxHashMap::default();
        if !self.scanned.is_empty() {
            return fast;
        }
        for (path, indexes) in &self.by_path {
            if path.contains('%') || self.by_segments.contains_key(&segment_count(path)) {
                continue;
            }
            let stubs: Vec<FastStub> = indexes
                .iter()
                .map(|&i| &self.entries[i])
                .take_while(|e| plain(&e.stub) && static_answer(&e.stub.response).is_some())
                .map(|e| FastStub {
                    method: e.stub.request.method.clone(),
                    exact_url: matches!(e.stub.request.url, UrlMatcher::Url(_)),
                    entry: e.clone(),
                })
                .collect();
            if !stubs.is_empty() {
                fast.insert(path.as_str().into(), stubs);
            }
        }
        fast
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Stub> {
        self.entries.iter().map(|e| &e.stub)
    }

    /// Indexes of the stubs that could match `path`, in priority order. When
    /// only exact paths can match (the common case) no list is built.
    fn candidates(&self, path: &str) -> std::borrow::Cow<'_, [usize]> {
        if self.scanned.is_empty() && !self.by_segments.contains_key(&segment_count(path)) {
            return std::borrow::Cow::Borrowed(
                self.by_path.get(path).map(Vec::as_slice).unwrap_or(&[]),
            );
        }
        std::borrow::Cow::Owned(self.merged_candidates(path))
    }

    fn merged_candidates(&self, path: &str) -> Vec<usize> {
        let mut c: Vec<usize> = self
            .by_path
            .get(path)
            .into_iter()
            .flatten()
            .chain(
                self.by_segments
                    .get(&segment_count(path))
                    .into_iter()
                    .flatten(),
            )
            .chain(&self.scanned)
            .copied()
            .collect();
        c.sort_unstable();
        c
    }
}

/// The outcome of looking a request up.
pub enum Lookup {
    Matched {
        entry: Arc<Entry>,
        captures: Captures,
    },
    Unmatched,
}

/// A stub that came close, for 404 reports.
#[derive(Debug, Clone)]
pub struct NearMiss {
    pub stub: Stub,
    pub distance: f64,
    pub mismatches: Vec<Mismatch>,
}

/// Stubs and scenario states, shared by the server and the admin API.
#[derive(Debug, Default)]
pub struct Registry {
    /// Read on every request without a lock; replaced whole by admin writes.
    table: ArcSwap<StubTable>,
    next_seq: Mutex<u64>,
    scenarios: Mutex<HashMap<String, String>>,
}

impl Registry {
    pub fn snapshot(&self) -> Arc<StubTable> {
        self.table.load_full()
    }

    fn rewrite(&self, f: impl FnOnce(&mut Vec<Arc<Entry>>, &mut dyn FnMut() -> u64)) {
        // the seq lock also serializes writers
        let mut seq = self.next_seq.lock().expect("seq lock");
        let mut entries = self.table.load().entries.clone();
        let mut next = || {
            *seq += 1;
            *seq
        };
        f(&mut entries, &mut next);
        self.table.store(Arc::new(StubTable::build(entries)));
        drop(seq);
        self.sync_scenarios();
    }

    /// Adds stubs (a stub with an existing id replaces it).
    pub fn add(&self, stubs: Vec<Stub>) {
        self.rewrite(|entries, next| {
            for stub in stubs {
                entries.retain(|e| e.stub.id != stub.id);
                entries.push(Arc::new(Entry { stub, seq: next() }));
            }
        });
    }

    /// Replaces every stub for which `keep` is false with `stubs`.
    pub fn replace_where(&self, remove: impl Fn(&Stub) -> bool, stubs: Vec<Stub>) {
        self.rewrite(|entries, next| {
            entries.retain(|e| !remove(&e.stub));
            for stub in stubs {
                entries.push(Arc::new(Entry { stub, seq: next() }));
            }
        });
    }

    /// Removes one stub; false when no stub has that id.
    pub fn remove(&self, id: Uuid) -> bool {
        let mut found = false;
        self.rewrite(|entries, _| {
            let before = entries.len();
            entries.retain(|e| e.stub.id != id);
            found = entries.len() != before;
        });
        found
    }

    pub fn get(&self, id: Uuid) -> Option<Stub> {
        self.snapshot().iter().find(|s| s.id == id).cloned()
    }

    fn sync_scenarios(&self) {
        let table = self.snapshot();
        let mut states = self.scenarios.lock().expect("scenario lock");
        for s in table.iter().filter_map(|s| s.scenario.as_ref()) {
            states
                .entry(s.scenario.clone())
                .or_insert_with(|| STARTED.to_string());
        }
    }

    /// Finds the stub answering `req` and moves its scenario on.
    pub fn lookup(&self, req: &MockRequest) -> Lookup {
        let table = self.table.load();
        for &i in table.candidates(&req.path).iter() {
            let entry = &table.entries[i];
            let Ok(captures) = match_pattern(&entry.stub.request, req) else {
                continue;
            };
            if let Some(step) = &entry.stub.scenario {
                let mut states = self.scenarios.lock().expect("scenario lock");
                let state = states
                    .entry(step.scenario.clone())
                    .or_insert_with(|| STARTED.to_string());
                if step.required_state.as_ref().is_some_and(|r| r != state) {
                    continue;
                }
                if let Some(new) = &step.new_state {
                    *state = new.clone();
                }
            }
            return Lookup::Matched {
                entry: entry.clone(),
                captures,
            };
        }
        Lookup::Unmatched
    }

    /// The fast path's lookup, from the request line alone: `answer` applied
    /// to the stub that answers `method path` (`with_query`: the URL has a
    /// query string) and its static answer, when every stub before it in
    /// priority order is [`plain`] with a static answer (so the method, the
    /// exact path and whether there is a query decide). `None` means "ask
    /// [`Registry::lookup`]": a stub that looks at more than that, a pattern or
    /// template stub that could match, or no match at all.
    pub fn answer_plain<R>(
        &self,
        method: &str,
        path: &str,
        with_query: bool,
        answer: impl FnOnce(&Entry, &Prepared) -> R,
    ) -> Option<R> {
        let table = self.table.load();
        let fast = table
            .fast
            .get(path)?
            .iter()
            .find(|f| !(with_query && f.exact_url) && f.method.accepts(method))?;
        let prepared = static_answer(&fast.entry.stub.response)?;
        Some(answer(&fast.entry, prepared))
    }

    /// The `limit` stubs closest to `req`, closest first.
    pub fn near_misses(&self, req: &MockRequest, limit: usize) -> Vec<NearMiss> {
        let table = self.snapshot();
        let mut misses: Vec<NearMiss> = table
            .iter()
            .filter_map(|stub| match match_pattern(&stub.request, req) {
                Ok(_) => None,
                Err(mismatches) => Some(NearMiss {
                    distance: distance(&stub.request, req, &mismatches),
                    stub: stub.clone(),
                    mismatches,
                }),
            })
            .collect();
        misses.sort_by(|a, b| a.distance.total_cmp(&b.distance));
        misses.truncate(limit);
        misses
    }

    /// Every scenario with its state and the states its stubs name.
    pub fn scenarios(&self) -> Vec<(String, String, Vec<String>)> {
        let table = self.snapshot();
        let states = self.scenarios.lock().expect("scenario lock");
        let mut out: Vec<(String, String, Vec<String>)> = states
            .iter()
            .map(|(name, state)| {
                let mut possible = vec![STARTED.to_string()];
                for s in table
                    .iter()
                    .filter_map(|s| s.scenario.as_ref())
                    .filter(|s| &s.scenario == name)
                {
                    for st in s.required_state.iter().chain(&s.new_state) {
                        if !possible.contains(st) {
                            possible.push(st.clone());
                        }
                    }
                }
                (name.clone(), state.clone(), possible)
            })
            .collect();
        out.sort();
        out
    }

    pub fn reset_scenarios(&self) {
        let mut states = self.scenarios.lock().expect("scenario lock");
        for v in states.values_mut() {
            *v = STARTED.to_string();
        }
    }

    /// Sets one scenario's state; false when the scenario is unknown.
    pub fn set_scenario(&self, name: &str, state: &str) -> bool {
        let mut states = self.scenarios.lock().expect("scenario lock");
        match states.get_mut(name) {
            Some(s) => {
                *s = state.to_string();
                true
            }
            None => false,
        }
    }
}

/// How many segments a path has (what a path template must have to match).
fn segment_count(path: &str) -> usize {
    path.trim_start_matches('/').split('/').count()
}

/// A stub whose match depends on the method and the exact path only (no
/// query, header, cookie, auth or body conditions, no scenario).
pub fn plain(stub: &Stub) -> bool {
    let r = &stub.request;
    let exact_url = match &r.url {
        UrlMatcher::UrlPath(_) => true,
        UrlMatcher::Url(u) => !u.contains('?'),
        _ => false,
    };
    exact_url
        && stub.scenario.is_none()
        && r.path_parameters.is_empty()
        && r.query.is_empty()
        && r.headers.is_empty()
        && r.cookies.is_empty()
        && r.basic_auth.is_none()
        && r.body_patterns.is_empty()
        && r.pact_request.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wiremock::stub_from_mapping;

    fn registry(mappings: &[&str]) -> Registry {
        let r = Registry::default();
        r.add(
            mappings
                .iter()
                .map(|m| stub_from_mapping(&serde_json::from_str(m).unwrap(), None).unwrap())
                .collect(),
        );
        r
    }

    /// The body the fast path answers `method path` with; `None` when it
    /// leaves the request to the full lookup.
    fn fast(r: &Registry, method: &str, url: &str) -> Option<String> {
        let (path, query) = url
            .split_once('?')
            .map_or((url, None), |(p, q)| (p, Some(q)));
        r.answer_plain(method, path, query.is_some(), |entry, answer| match answer
            .respond(&entry.stub.response)
            .into_body()
        {
            seam_http::Body::Full(bytes) => {
                String::from_utf8(bytes.unwrap_or_default().to_vec()).unwrap()
            }
            seam_http::Body::Stream(_) => panic!("a static answer streams"),
        })
    }

    #[test]
    fn the_fast_index_holds_only_what_method_and_path_decide() {
        let r = registry(&[
            r#"{"request": {"method": "GET", "urlPath": "/a"}, "response": {"body": "a"}}"#,
            r#"{"request": {"method": "ANY", "url": "/b"}, "response": {"body": "b"}}"#,
            r#"{"priority": 1, "request": {"method": "GET", "urlPath": "/c", "headers": {"X": {"equalTo": "1"}}}, "response": {"body": "c1"}}"#,
            r#"{"request": {"method": "GET", "urlPath": "/c"}, "response": {"body": "c"}}"#,
            r#"{"request": {"method": "POST", "urlPath": "/d"}, "response": {"body": "d"}}"#,
            r#"{"request": {"method": "GET", "urlPath": "/e"}, "response": {"body": "e", "fixedDelayMilliseconds": 5}}"#,
            r#"{"request": {"method": "GET", "urlPath": "/f"}, "response": {"body": "{{request.path}}", "transformers": ["response-template"]}}"#,
            r#"{"request": {"method": "GET", "urlPathTemplate": "/t/{id}"}, "response": {"body": "t"}}"#,
            r#"{"request": {"method": "GET", "urlPath": "/t/1"}, "response": {"body": "t1"}}"#,
            r#"{"request": {"method": "GET", "urlPath": "/u/1"}, "response": {"body": "u1"}}"#,
        ]);
        assert_eq!(fast(&r, "GET", "/a").as_deref(), Some("a"));
        assert_eq!(
            fast(&r, "GET", "/a?page=2").as_deref(),
            Some("a"),
            "urlPath ignores the query"
        );
        assert_eq!(fast(&r, "DELETE", "/b").as_deref(), Some("b"), "ANY method");
        assert_eq!(
            fast(&r, "DELETE", "/b?x=1"),
            None,
            "url is path and query exactly"
        );
        assert_eq!(
            fast(&r, "GET", "/c"),
            None,
            "a header condition comes first"
        );
        assert_eq!(
            fast(&r, "GET", "/d"),
            None,
            "another method: the full path says 404"
        );
        assert_eq!(fast(&r, "POST", "/d").as_deref(), Some("d"));
        assert_eq!(fast(&r, "GET", "/e"), None, "delays take the full path");
        assert_eq!(fast(&r, "GET", "/f"), None, "templates take the full path");
        assert_eq!(fast(&r, "GET", "/t/1"), None, "a path template could match");
        assert_eq!(
            fast(&r, "GET", "/u/1"),
            None,
            "same segment count as a template"
        );
        assert_eq!(fast(&r, "GET", "/zzz"), None);
        let r = registry(&[
            r#"{"request": {"method": "GET", "urlPath": "/a"}, "response": {"body": "a"}}"#,
            r#"{"request": {"method": "GET", "urlPattern": "/x.*"}, "response": {"body": "x"}}"#,
        ]);
        assert_eq!(
            fast(&r, "GET", "/a"),
            None,
            "a pattern stub could match any path"
        );
    }
}
