//! The stub table: stubs in priority order behind the path index
//! ([`crate::index`]: exact paths, regex prefixes, templates), the fast
//! path's index of plain stubs, scenario states, and snapshot reads so
//! matching never waits on an admin write.

use crate::index::PathIndex;
use crate::matching::{distance, match_pattern, matches, Captures};
use crate::request::{MockRequest, RequestParts};
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
    index: PathIndex,
    /// The fast path's index: for each exact path (without percent-encoding),
    /// the stubs that could match it in priority order, down to the last
    /// [`plain`] stub with a static answer: those, and the others as
    /// barriers (a request a barrier could match goes to the full lookup).
    fast: FxHashMap<Box<str>, Vec<FastStub>>,
}

/// A stub on the fast index.
#[derive(Debug)]
struct FastStub {
    method: MethodMatch,
    kind: Fast,
}

#[derive(Debug)]
enum Fast {
    /// A plain stub with a static answer. `exact_url`: a `url` stub, whose
    /// whole URL must be the path, so any query string makes it miss (a
    /// `urlPath` stub ignores the query).
    Answer { exact_url: bool, entry: Arc<Entry> },
    /// A stub the request line cannot decide (conditions, a scenario, a
    /// pattern, a dynamic answer): a request it could match, without a query
    /// string or with one, is left to the full lookup.
    Barrier {
        without_query: bool,
        with_query: bool,
    },
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
        let index = PathIndex::build(&entries);
        let mut t = StubTable {
            entries,
            index,
            fast: FxHashMap::default(),
        };
        t.fast = t.fast_index();
        t
    }

    fn fast_index(&self) -> FxHashMap<Box<str>, Vec<FastStub>> {
        let mut fast = FxHashMap::default();
        for (path, exact) in self.index.exact_paths() {
            if path.contains('%') {
                continue;
            }
            let patterns = self.index.patterns_for(&self.entries, path);
            let mut all: Vec<(u32, Option<(bool, bool)>)> = exact
                .iter()
                .map(|&i| (i, None))
                .chain(patterns.into_iter().map(|(i, w, q)| (i, Some((w, q)))))
                .collect();
            all.sort_unstable_by_key(|&(i, _)| i);
            let mut stubs: Vec<FastStub> = all
                .into_iter()
                .map(|(i, pattern)| fast_stub(&self.entries[i as usize], pattern))
                .collect();
            // barriers after the last answer decide nothing
            while matches!(
                stubs.last(),
                Some(FastStub {
                    kind: Fast::Barrier { .. },
                    ..
                })
            ) {
                stubs.pop();
            }
            if !stubs.is_empty() {
                fast.insert(path.into(), stubs);
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
}

/// How the fast index holds `entry`: `pattern` is `None` for a stub indexed
/// by its exact path, else whether it could match without and with a query.
fn fast_stub(entry: &Arc<Entry>, pattern: Option<(bool, bool)>) -> FastStub {
    let stub = &entry.stub;
    // a pact stub's expectation checks the method itself
    let method = if stub.request.pact_request.is_some() {
        MethodMatch::Any
    } else {
        stub.request.method.clone()
    };
    let url = &stub.request.url;
    let kind = match pattern {
        Some((without_query, with_query)) => Fast::Barrier {
            without_query,
            with_query,
        },
        None if plain(stub) && static_answer(&stub.response).is_some() => Fast::Answer {
            exact_url: matches!(url, UrlMatcher::Url(_)),
            entry: entry.clone(),
        },
        None => match url {
            UrlMatcher::Url(u) => Fast::Barrier {
                without_query: !u.contains('?'),
                with_query: u.contains('?'),
            },
            _ => Fast::Barrier {
                without_query: true,
                with_query: true,
            },
        },
    };
    FastStub { method, kind }
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
        // a stub replaces the one with its id, here or earlier in `stubs`: one
        // pass over the table however many stubs arrive (not one per stub)
        let last: HashMap<Uuid, usize> = stubs.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        self.rewrite(|entries, next| {
            entries.retain(|e| !last.contains_key(&e.stub.id));
            for (i, stub) in stubs.into_iter().enumerate() {
                if last[&stub.id] == i {
                    entries.push(Arc::new(Entry { stub, seq: next() }));
                }
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

    /// Finds the stub answering `req` and moves its scenario on. Only the
    /// stubs the path index names as candidates are checked, in priority
    /// order.
    pub fn lookup(&self, req: &impl RequestParts) -> Lookup {
        self.lookup_with(req, |found| match found {
            Some((entry, captures)) => Lookup::Matched {
                entry: entry.clone(),
                captures,
            },
            None => Lookup::Unmatched,
        })
    }

    /// [`Registry::lookup`]'s answer given to `then` as a borrow: no count
    /// of the stub's owners is touched (both cores serving one stub would
    /// pass its cache line back and forth for each request).
    pub fn lookup_with<R>(
        &self,
        req: &impl RequestParts,
        then: impl FnOnce(Option<(&Arc<Entry>, Captures)>) -> R,
    ) -> R {
        let table = self.table.load();
        let candidates = table.index.candidates(req.path(), req.url());
        then(self.first_match(&table, candidates.into_iter().map(|i| i as usize), req))
    }

    /// What [`Registry::lookup`] would answer without the index: every stub,
    /// in priority order (the reference the index is tested against).
    #[cfg(test)]
    fn lookup_linear(&self, req: &MockRequest) -> Lookup {
        let table = self.table.load();
        match self.first_match(&table, 0..table.entries.len(), req) {
            Some((entry, captures)) => Lookup::Matched {
                entry: entry.clone(),
                captures,
            },
            None => Lookup::Unmatched,
        }
    }

    /// The first of `candidates` (positions in `table`, in order) that
    /// matches `req` in its scenario's current state; moves that scenario on.
    fn first_match<'t>(
        &self,
        table: &'t StubTable,
        candidates: impl Iterator<Item = usize>,
        req: &impl RequestParts,
    ) -> Option<(&'t Arc<Entry>, Captures)> {
        for i in candidates {
            let entry = &table.entries[i];
            let Some(captures) = matches(&entry.stub.request, req) else {
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
            return Some((entry, captures));
        }
        None
    }

    /// The fast path's lookup, from the request line alone: `answer` applied
    /// to the stub that answers `method path` (`with_query`: the URL has a
    /// query string) and its static answer, when every stub before it in
    /// priority order that could match is [`plain`] with a static answer (so
    /// the method, the exact path and whether there is a query decide).
    /// `None` means "ask [`Registry::lookup`]": a stub that looks at more than
    /// that, a pattern or template stub that could match first, or no match
    /// at all.
    pub fn answer_plain<R>(
        &self,
        method: &str,
        path: &str,
        with_query: bool,
        answer: impl FnOnce(&Entry, &Prepared) -> R,
    ) -> Option<R> {
        let table = self.table.load();
        for f in table.fast.get(path)? {
            if !f.method.accepts(method) {
                continue;
            }
            match &f.kind {
                Fast::Answer { exact_url, entry } => {
                    if with_query && *exact_url {
                        continue;
                    }
                    return Some(answer(entry, static_answer(&entry.stub.response)?));
                }
                Fast::Barrier {
                    without_query,
                    with_query: query,
                } => {
                    if (with_query && *query) || (!with_query && *without_query) {
                        return None;
                    }
                }
            }
        }
        None
    }

    /// The `limit` stubs closest to `req`, closest first.
    pub fn near_misses(&self, req: &MockRequest, limit: usize) -> Vec<NearMiss> {
        let table = self.snapshot();
        let mut misses: Vec<NearMiss> = table
            .iter()
            // a pact stub's header-blind fallback repeats its twin
            .filter(|stub| !stub.request.ignore_pact_headers)
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
        && r.form.is_empty()
        && r.multipart.is_empty()
        && r.origin.is_none()
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
        assert_eq!(
            fast(&r, "GET", "/t/1").as_deref(),
            Some("t1"),
            "the newer exact stub comes before the template that could match"
        );
        assert_eq!(
            fast(&r, "GET", "/u/1").as_deref(),
            Some("u1"),
            "same segment count as a template, not its form"
        );
        assert_eq!(fast(&r, "GET", "/zzz"), None);
        let r = registry(&[
            r#"{"request": {"method": "GET", "urlPath": "/a"}, "response": {"body": "a"}}"#,
            r#"{"request": {"method": "GET", "urlPattern": "/x.*"}, "response": {"body": "x"}}"#,
            r#"{"request": {"method": "GET", "urlPath": "/x/1"}, "response": {"body": "x1"}}"#,
            r#"{"request": {"method": "GET", "urlPattern": "/x/1"}, "response": {"body": "newer"}}"#,
        ]);
        assert_eq!(
            fast(&r, "GET", "/a").as_deref(),
            Some("a"),
            "a pattern stub that cannot match /a does not stop it"
        );
        assert_eq!(
            fast(&r, "GET", "/x/1"),
            None,
            "a newer pattern stub that matches comes first"
        );
    }

    fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> MockRequest {
        let mut h = seam_core::http::Headers::new();
        for (k, v) in headers {
            h.append(k.to_string(), v.to_string());
        }
        MockRequest::new(
            method,
            url,
            h,
            bytes::Bytes::new(),
            "http://127.0.0.1:1".into(),
            std::net::Ipv4Addr::LOCALHOST.into(),
        )
    }

    /// The name of the stub answering, or `-` (moves scenarios on).
    fn answered(r: &Registry, req: &MockRequest) -> String {
        match r.lookup(req) {
            Lookup::Matched { entry, .. } => entry.stub.name.clone().unwrap_or_default(),
            Lookup::Unmatched => "-".into(),
        }
    }

    #[test]
    fn an_added_stub_replaces_the_one_with_its_id_the_last_of_a_batch_winning() {
        let id = "8c5db8b0-2db4-4ad2-8a3b-58d7b5f0a001";
        let with = |name: &str, body: &str| {
            format!(
                r#"{{"id": "{id}", "name": "{name}", "request": {{"urlPath": "/x"}}, "response": {{"body": "{body}"}}}}"#
            )
        };
        let (first, second, third) = (with("first", "1"), with("second", "2"), with("third", "3"));
        let r = registry(&[
            &first,
            r#"{"name": "other", "request": {"urlPath": "/y"}, "response": {}}"#,
        ]);
        assert_eq!(r.snapshot().len(), 2);
        let more = [&second, &third]
            .iter()
            .map(|m| stub_from_mapping(&serde_json::from_str(m).unwrap(), None).unwrap())
            .collect();
        r.add(more);
        assert_eq!(r.snapshot().len(), 2, "one stub per id");
        assert_eq!(answered(&r, &request("GET", "/x", &[])), "third");
        assert_eq!(answered(&r, &request("GET", "/y", &[])), "other");
    }

    #[test]
    fn priority_decides_across_indexed_and_scanned_stubs() {
        let r = registry(&[
            r#"{"name": "exact", "request": {"method": "GET", "urlPath": "/api/items/7"}, "response": {"body": "exact"}}"#,
            r#"{"name": "regex-first", "priority": 1, "request": {"method": "GET", "urlPathPattern": "/api/items/[0-9]+"}, "response": {"body": "regex"}}"#,
            r#"{"name": "catch-all", "priority": 10, "request": {"urlPathPattern": "/api/.*"}, "response": {"body": "all"}}"#,
            r#"{"name": "template", "priority": 3, "request": {"method": "GET", "urlPathTemplate": "/api/users/{id}", "headers": {"X": {"equalTo": "1"}}}, "response": {"body": "t"}}"#,
            r#"{"name": "user-exact", "request": {"method": "GET", "urlPath": "/api/users/1"}, "response": {"body": "u"}}"#,
            r#"{"name": "post-regex", "priority": 1, "request": {"method": "POST", "urlPathPattern": "/api/users/[0-9]+"}, "response": {"body": "p"}}"#,
        ]);
        let get = |url: &str, h: &[(&str, &str)]| answered(&r, &request("GET", url, h));
        assert_eq!(
            get("/api/items/7", &[]),
            "regex-first",
            "a regex stub with a higher priority wins over the exact path"
        );
        assert_eq!(
            fast(&r, "GET", "/api/items/7"),
            None,
            "and keeps the request off the fast path"
        );
        assert_eq!(get("/api/items/x", &[]), "catch-all");
        assert_eq!(get("/api/users/1", &[("X", "1")]), "template");
        assert_eq!(
            get("/api/users/1", &[]),
            "user-exact",
            "the template's header fails: the next candidate"
        );
        assert_eq!(
            fast(&r, "GET", "/api/users/1"),
            None,
            "a template with a condition comes first"
        );
        assert_eq!(
            answered(&r, &request("POST", "/api/users/1", &[])),
            "post-regex"
        );
        assert_eq!(get("/elsewhere", &[]), "-");
        let r = registry(&[
            r#"{"name": "user-exact", "request": {"method": "GET", "urlPath": "/api/users/1"}, "response": {"body": "u"}}"#,
            r#"{"name": "post-regex", "priority": 1, "request": {"method": "POST", "urlPathPattern": "/api/users/[0-9]+"}, "response": {"body": "p"}}"#,
            r#"{"name": "query-url", "priority": 1, "request": {"urlPattern": "/api/users/1\\?debug=.*"}, "response": {"body": "q"}}"#,
            r#"{"name": "catch-all", "priority": 10, "request": {"urlPathPattern": "/api/.*"}, "response": {"body": "all"}}"#,
        ]);
        assert_eq!(
            fast(&r, "GET", "/api/users/1").as_deref(),
            Some("u"),
            "a POST-only regex and a URL regex that needs a query do not stop a GET without one"
        );
        assert_eq!(
            fast(&r, "GET", "/api/users/1?debug=1"),
            None,
            "with a query, the URL regex could match"
        );
        assert_eq!(
            answered(&r, &request("GET", "/api/users/1?debug=1", &[])),
            "query-url"
        );
        assert_eq!(fast(&r, "POST", "/api/users/1"), None);
    }

    #[test]
    fn scenarios_step_through_indexed_pattern_stubs() {
        let r = registry(&[
            r#"{"name": "first", "scenarioName": "s", "requiredScenarioState": "Started", "newScenarioState": "two", "request": {"urlPathPattern": "/api/s/[0-9]+"}, "response": {"body": "1"}}"#,
            r#"{"name": "second", "scenarioName": "s", "requiredScenarioState": "two", "newScenarioState": "Started", "request": {"urlPathTemplate": "/api/s/{id}"}, "response": {"body": "2"}}"#,
            r#"{"name": "plain", "priority": 9, "request": {"urlPath": "/api/s/1"}, "response": {"body": "p"}}"#,
        ]);
        let go = || answered(&r, &request("GET", "/api/s/1", &[]));
        assert_eq!(
            fast(&r, "GET", "/api/s/1"),
            None,
            "scenario stubs come first"
        );
        assert_eq!([go(), go(), go()], ["first", "second", "first"]);
        r.set_scenario("s", "elsewhere");
        assert_eq!(go(), "plain", "no step applies in that state");
    }

    mod same_as_a_scan {
        use super::*;
        use proptest::prelude::*;
        use serde_json::json;

        fn path() -> impl Strategy<Value = String> {
            prop::collection::vec(
                prop::sample::select(vec!["a", "b", "1", "22", "A", ""]),
                1..4,
            )
            .prop_map(|segs| format!("/{}", segs.join("/")))
        }

        /// A URL condition from `path`: each kind WireMock has.
        fn url(path: String, kind: u8, piece: u8) -> serde_json::Value {
            let pieces = [
                "[0-9]+",
                ".*",
                "(a|b)",
                "[^/]*",
                "(?i)a",
                "(/x)?",
                "a?",
                "[a-z]+/[0-9]",
            ];
            let p = pieces[piece as usize % pieces.len()];
            let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            let last = segs.len() - 1;
            let with = |rep: &str| -> String {
                let mut s = segs.clone();
                let at = piece as usize % s.len();
                s[at] = rep;
                format!("/{}", s.join("/"))
            };
            match kind % 7 {
                0 => json!({"urlPath": path}),
                1 => {
                    json!({"url": if piece.is_multiple_of(2) { path } else { format!("{path}?q=1") }})
                }
                2 => json!({"urlPathPattern": with(p)}),
                3 => {
                    json!({"urlPattern": if piece.is_multiple_of(2) { with(p) } else { format!("{}\\?q=.*", with(p)) }})
                }
                4 => {
                    let mut s = segs.clone();
                    s[last] = "{id}";
                    json!({"urlPathTemplate": format!("/{}", s.join("/"))})
                }
                5 => json!({"urlPathPattern": format!("(?i){}", with(p))}),
                _ => json!({}),
            }
        }

        fn stub() -> impl Strategy<Value = serde_json::Value> {
            (path(), any::<u8>(), any::<u8>(), 0..3u8, 1..4i32, any::<bool>(), 0..3u8)
                .prop_map(|(path, kind, piece, method, priority, header, scenario)| {
                    let mut request = url(path, kind, piece);
                    request["method"] = json!(["GET", "POST", "ANY"][method as usize]);
                    if header {
                        request["headers"] = json!({"X": {"equalTo": "1"}});
                    }
                    let mut m = json!({"priority": priority, "request": request, "response": {"body": "x"}});
                    if scenario > 0 {
                        m["scenarioName"] = json!("s");
                        m["requiredScenarioState"] = json!(if scenario == 1 { "Started" } else { "two" });
                        m["newScenarioState"] = json!(if scenario == 1 { "two" } else { "Started" });
                    }
                    m
                })
        }

        fn req() -> impl Strategy<Value = (String, String, bool)> {
            (
                prop::sample::select(vec!["GET", "POST"]),
                path(),
                0..3u8,
                any::<bool>(),
            )
                .prop_map(|(m, p, q, h)| {
                    let url = match q {
                        0 => p,
                        1 => format!("{p}?q=1"),
                        _ => format!("/{p}"),
                    };
                    (m.to_string(), url, h)
                })
        }

        fn build(stubs: &[serde_json::Value]) -> Registry {
            let r = Registry::default();
            r.add(
                stubs
                    .iter()
                    .filter_map(|m| stub_from_mapping(m, None).ok())
                    .collect(),
            );
            r
        }

        fn id(l: Lookup) -> Option<Uuid> {
            match l {
                Lookup::Matched { entry, .. } => Some(entry.stub.id),
                Lookup::Unmatched => None,
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            /// The index and the fast path pick the stub a scan of every stub
            /// in priority order picks (scenarios moving alike in both).
            #[test]
            fn the_index_picks_what_a_linear_scan_picks(
                stubs in prop::collection::vec(stub(), 0..24),
                requests in prop::collection::vec(req(), 1..12),
            ) {
                let indexed = build(&stubs);
                let linear = build(&[]);
                // the same stubs (same ids, same order)
                linear.add(indexed.snapshot().entries.iter().rev().map(|e| e.stub.clone()).collect());
                for (method, url, header) in requests {
                    let h: &[(&str, &str)] = if header { &[("X", "1")] } else { &[] };
                    let r = request(&method, &url, h);
                    let (path, query) = url.split_once('?').map_or((url.as_str(), false), |(p, _)| (p, true));
                    let fast = indexed.answer_plain(&method, path, query, |e, _| e.stub.id);
                    let expected = id(linear.lookup_linear(&r));
                    prop_assert_eq!(id(indexed.lookup(&r)), expected, "{} {}", method, url);
                    if let Some(f) = fast {
                        prop_assert_eq!(Some(f), expected, "fast path for {} {}", method, url);
                    }
                }
            }
        }
    }
}
