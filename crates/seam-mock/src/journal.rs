//! The request journal: the last N requests (bounded, so memory stays flat under
//! load, unlike WireMock's unbounded journal) with what each was answered
//! (status, headers, body, how long it took, the HTTP version it came in),
//! plus per-stub and total counters that are kept forever.

use crate::request::{Head, MockRequest, RawRequest};
use bytes::Bytes;
use rustc_hash::FxHashMap;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use uuid::Uuid;

/// WireMock keeps every request; we keep this many by default.
pub const DEFAULT_CAPACITY: usize = 10_000;

/// Journals up to this capacity get their ring at once.
const PREALLOCATED: usize = 100_000;

/// Bodies are kept up to this size (the rest is cut), so the journal's memory
/// is bounded by capacity × this, whatever clients send.
pub const MAX_KEPT_BODY: usize = 256 * 1024;

/// The answer a request got, as kept by the journal.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// `None`: the answering stub's own headers (a template rendered the
    /// body alone), rebuilt from the stub when read.
    pub headers: Option<hyper::HeaderMap>,
    /// At most [`MAX_KEPT_BODY`] bytes; empty for a streamed (dribbled) body.
    pub body: Bytes,
}

impl Answer {
    /// What `response` holds (a streamed body is not kept); `status` is the
    /// status journaled (0 for a fault, which sends no status at all).
    pub fn of(response: &hyper::Response<seam_http::Body>, status: u16) -> Self {
        Answer {
            headers: Some(response.headers().clone()),
            ..Answer::body_of(response, status)
        }
    }

    /// [`Answer::of`] without the headers: for an answer whose headers are
    /// the answering stub's own.
    pub fn body_of(response: &hyper::Response<seam_http::Body>, status: u16) -> Self {
        let body = match response.body() {
            // an answer's body is seam's own buffer, not a view of a read
            // buffer: shared as it is unless it must be cut
            seam_http::Body::Full(Some(b)) if b.len() <= MAX_KEPT_BODY => b.clone(),
            seam_http::Body::Full(Some(b)) => kept_body(b.clone()),
            _ => Bytes::new(),
        };
        Answer {
            status,
            headers: None,
            body,
        }
    }
}

/// How a request recorded by [`Journal::log_head`] was served.
#[derive(Debug)]
pub struct Served {
    /// The stub that answered, if any.
    pub stub_id: Option<Uuid>,
    /// The status journaled (0 for a fault).
    pub status: u16,
    /// The answer sent; `None` when it was the answering stub's static
    /// answer (rebuilt from the stub when read).
    pub answer: Option<Answer>,
    /// From the request's arrival to its answer being ready.
    pub elapsed: Duration,
}

impl Served {
    /// A request the fast path answered with `stub_id`'s static answer.
    pub fn fast(stub_id: Uuid, status: u16) -> Self {
        Served {
            stub_id: Some(stub_id),
            status,
            answer: None,
            elapsed: Duration::ZERO,
        }
    }
}

/// One served request.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    pub id: Uuid,
    pub request: MockRequest,
    pub logged_at: SystemTime,
    /// The stub that answered, if any.
    pub stub_id: Option<Uuid>,
    pub status: u16,
    /// The HTTP version the request came in.
    pub version: hyper::Version,
    /// The answer sent; `None` for an answer the fast path gave, which is the
    /// answering stub's static answer (rebuilt from the stub when read).
    pub answer: Option<Answer>,
    /// From the request's arrival to its answer being ready (delays included).
    pub elapsed: Duration,
}

impl LoggedRequest {
    /// An entry for `request` with no answer kept (an HTTP/1.1 request
    /// answered at once).
    pub fn new(request: MockRequest, stub_id: Option<Uuid>, status: u16) -> Self {
        Self::with_id(Uuid::new_v4(), request, stub_id, status)
    }

    /// As [`LoggedRequest::new`], with the given id, logged now.
    fn with_id(id: Uuid, request: MockRequest, stub_id: Option<Uuid>, status: u16) -> Self {
        LoggedRequest {
            id,
            request,
            logged_at: SystemTime::now(),
            stub_id,
            status,
            version: hyper::Version::HTTP_11,
            answer: None,
            elapsed: Duration::ZERO,
        }
    }
}

/// A kept request: the model, or hyper's parts as they came (fast-path
/// answers), turned into the model when read.
#[derive(Debug)]
enum KeptRequest {
    Model(Box<MockRequest>),
    Raw(RawRequest),
}

/// A kept journal entry.
#[derive(Debug)]
struct Kept {
    id: Uuid,
    request: KeptRequest,
    logged_at: SystemTime,
    stub_id: Option<Uuid>,
    status: u16,
    version: hyper::Version,
    /// Boxed: an entry of the fast path (most of them) holds no answer and
    /// stays small.
    answer: Option<Box<Answer>>,
    elapsed: Duration,
}

impl Kept {
    fn to_logged(&self) -> LoggedRequest {
        LoggedRequest {
            id: self.id,
            request: match &self.request {
                KeptRequest::Model(m) => (**m).clone(),
                KeptRequest::Raw(r) => r.to_model(),
            },
            logged_at: self.logged_at,
            stub_id: self.stub_id,
            status: self.status,
            version: self.version,
            answer: self.answer.as_deref().cloned(),
            elapsed: self.elapsed,
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    entries: VecDeque<Kept>,
    per_stub: FxHashMap<Uuid, u64>,
    total: u64,
    unmatched_total: u64,
}

/// What the journal keeps of a body: at most [`MAX_KEPT_BODY`] bytes, copied
/// (hyper's body chunks may be views of a larger read buffer, which a kept
/// view would keep alive).
fn kept_body(body: Bytes) -> Bytes {
    if body.is_empty() {
        body
    } else {
        Bytes::copy_from_slice(&body[..body.len().min(MAX_KEPT_BODY)])
    }
}

impl Inner {
    fn count(&mut self, stub_id: Option<Uuid>) {
        self.total += 1;
        match stub_id {
            Some(id) => *self.per_stub.entry(id).or_default() += 1,
            None => self.unmatched_total += 1,
        }
    }
}

/// A bounded journal.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    inner: Mutex<Inner>,
    /// Request ids: a random start and a counter (a random v4 id per request
    /// costs a CSPRNG call on the hot path).
    id_prefix: u64,
    next_id: AtomicU64,
}

impl Journal {
    /// `capacity` 0 disables keeping requests (counters still count).
    pub fn new(capacity: usize) -> Self {
        let start = Uuid::new_v4().as_u64_pair();
        Journal {
            capacity,
            inner: Mutex::new(Inner {
                // a full ring then turns without moving entries
                entries: VecDeque::with_capacity(capacity.min(PREALLOCATED)),
                ..Default::default()
            }),
            id_prefix: start.0,
            next_id: AtomicU64::new(start.1),
        }
    }

    /// Records a served request; gives it an id and the time.
    pub fn log(&self, request: MockRequest, stub_id: Option<Uuid>, status: u16) {
        self.record(LoggedRequest::with_id(
            self.next_id(),
            request,
            stub_id,
            status,
        ));
    }

    /// Records a served request with the answer it got, the HTTP version it
    /// came in and how long answering took; gives it an id and the time.
    pub fn log_served(
        &self,
        request: MockRequest,
        stub_id: Option<Uuid>,
        version: hyper::Version,
        answer: Answer,
        elapsed: Duration,
    ) {
        let status = answer.status;
        self.record(LoggedRequest {
            version,
            elapsed,
            answer: Some(answer),
            ..LoggedRequest::with_id(self.next_id(), request, stub_id, status)
        });
    }

    /// Records a request whose model was never built (answered on the fast
    /// path, or matched and answered from its head), copying its head (and
    /// its body, if any). Once the journal is full, the head goes into the
    /// evicted entry's buffer, so recording a bodiless request allocates
    /// nothing.
    pub fn log_head<'h>(
        &self,
        request: impl Into<Head<'h>>,
        body: &[u8],
        base_url: impl FnOnce() -> std::sync::Arc<str>,
        client_ip: std::net::IpAddr,
        served: Served,
    ) {
        let request = request.into();
        // copied into the entry's own buffer (hyper's body may be a view of
        // a larger read buffer, which a kept view would keep alive)
        let body = &body[..body.len().min(MAX_KEPT_BODY)];
        let (id, logged_at) = (self.next_id(), SystemTime::now());
        let answer = served.answer.map(Box::new);
        let mut inner = self.inner.lock().expect("journal lock");
        let full = self.capacity > 0 && inner.entries.len() >= self.capacity;
        if let Some(oldest) = inner.entries.front_mut().filter(|_| full) {
            if let KeptRequest::Raw(raw) = &mut oldest.request {
                raw.refill(request, body, client_ip);
                oldest.id = id;
                oldest.logged_at = logged_at;
                oldest.stub_id = served.stub_id;
                oldest.status = served.status;
                oldest.version = request.version;
                oldest.elapsed = served.elapsed;
                let evicted = std::mem::replace(&mut oldest.answer, answer);
                // the oldest entry becomes the newest where it lies
                inner.entries.rotate_left(1);
                inner.count(served.stub_id);
                drop(inner);
                drop(evicted);
                return;
            }
        }
        let raw = RawRequest::new(request, body, base_url(), client_ip);
        self.push_locked(
            inner,
            Kept {
                id,
                request: KeptRequest::Raw(raw),
                logged_at,
                stub_id: served.stub_id,
                status: served.status,
                version: request.version,
                answer,
                elapsed: served.elapsed,
            },
        );
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Records an entry as given (its id and time included).
    pub fn record(&self, entry: LoggedRequest) {
        self.push(Kept {
            id: entry.id,
            request: KeptRequest::Model(Box::new(entry.request)),
            logged_at: entry.logged_at,
            stub_id: entry.stub_id,
            status: entry.status,
            version: entry.version,
            answer: entry.answer.map(Box::new),
            elapsed: entry.elapsed,
        });
    }

    fn next_id(&self) -> Uuid {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        uuid::Builder::from_u128((u128::from(self.id_prefix) << 64) | u128::from(n))
            .with_version(uuid::Version::Random)
            .with_variant(uuid::Variant::RFC4122)
            .into_uuid()
    }

    fn push(&self, mut entry: Kept) {
        // a raw request holds a copy of its body already
        if let KeptRequest::Model(m) = &mut entry.request {
            m.body = kept_body(std::mem::take(&mut m.body));
        }
        self.push_locked(self.inner.lock().expect("journal lock"), entry);
    }

    /// Counts `entry` and keeps it, evicting the oldest entry when full.
    fn push_locked(&self, mut inner: std::sync::MutexGuard<'_, Inner>, entry: Kept) {
        inner.count(entry.stub_id);
        if self.capacity == 0 {
            return;
        }
        let evicted = if inner.entries.len() >= self.capacity {
            inner.entries.pop_front()
        } else {
            None
        };
        inner.entries.push_back(entry);
        drop(inner);
        // freed outside the lock
        drop(evicted);
    }

    /// Kept requests, newest first, that satisfy `keep`.
    pub fn find(&self, keep: impl Fn(&LoggedRequest) -> bool) -> Vec<LoggedRequest> {
        self.find_first(usize::MAX, keep)
    }

    /// The newest `limit` kept requests that satisfy `keep`.
    pub fn find_first(
        &self,
        limit: usize,
        keep: impl Fn(&LoggedRequest) -> bool,
    ) -> Vec<LoggedRequest> {
        let inner = self.inner.lock().expect("journal lock");
        inner
            .entries
            .iter()
            .rev()
            .map(Kept::to_logged)
            .filter(|e| keep(e))
            .take(limit)
            .collect()
    }

    /// How many kept requests satisfy `keep`.
    pub fn count(&self, keep: impl Fn(&LoggedRequest) -> bool) -> usize {
        let inner = self.inner.lock().expect("journal lock");
        inner
            .entries
            .iter()
            .filter(|e| keep(&e.to_logged()))
            .count()
    }

    /// Removes kept requests that satisfy `remove`; returns them.
    pub fn remove(&self, remove: impl Fn(&LoggedRequest) -> bool) -> Vec<LoggedRequest> {
        let mut inner = self.inner.lock().expect("journal lock");
        let mut gone = Vec::new();
        inner.entries.retain(|e| {
            let logged = e.to_logged();
            let drop_it = remove(&logged);
            if drop_it {
                gone.push(logged);
            }
            !drop_it
        });
        gone
    }

    pub fn get(&self, id: Uuid) -> Option<LoggedRequest> {
        let inner = self.inner.lock().expect("journal lock");
        inner
            .entries
            .iter()
            .find(|e| e.id == id)
            .map(Kept::to_logged)
    }

    /// Forgets kept requests (counters stay).
    pub fn clear(&self) {
        self.inner.lock().expect("journal lock").entries.clear();
    }

    /// Requests ever answered by `stub`.
    pub fn stub_count(&self, stub: Uuid) -> u64 {
        self.inner
            .lock()
            .expect("journal lock")
            .per_stub
            .get(&stub)
            .copied()
            .unwrap_or(0)
    }

    /// (all requests ever, unmatched requests ever, kept now).
    pub fn totals(&self) -> (u64, u64, usize) {
        let inner = self.inner.lock().expect("journal lock");
        (inner.total, inner.unmatched_total, inner.entries.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seam_core::http::Headers;

    fn entry(n: usize, stub: Option<Uuid>) -> LoggedRequest {
        LoggedRequest::new(
            MockRequest::new(
                "GET",
                &format!("/r/{n}"),
                Headers::new(),
                Default::default(),
                "http://x".into(),
                [127, 0, 0, 1].into(),
            ),
            stub,
            200,
        )
    }

    #[test]
    fn large_bodies_are_cut() {
        let j = Journal::new(2);
        let mut e = entry(0, None);
        e.request.body = bytes::Bytes::from(vec![b'x'; MAX_KEPT_BODY * 3]);
        j.record(e);
        assert_eq!(j.find(|_| true)[0].request.body.len(), MAX_KEPT_BODY);
    }

    #[test]
    fn a_full_journal_keeps_the_newest_fast_path_requests_whole() {
        let j = Journal::new(3);
        let stub = Uuid::new_v4();
        j.record(entry(0, None));
        for n in 1..8 {
            let req = hyper::Request::get(format!("/fast/{n}?q={n}"))
                .header("X-N", n.to_string())
                .header("Accept", "*/*")
                .body(())
                .unwrap();
            j.log_head(
                &req,
                format!("body {n}").as_bytes(),
                || "http://x".into(),
                [127, 0, 0, 1].into(),
                Served {
                    stub_id: Some(stub),
                    status: 200 + n as u16,
                    answer: None,
                    elapsed: Duration::ZERO,
                },
            );
        }
        let kept = j.find(|_| true);
        let seen: Vec<_> = kept
            .iter()
            .map(|e| {
                (
                    e.request.url.clone(),
                    e.request.headers.get("x-n").unwrap().to_string(),
                    e.status,
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("/fast/7?q=7".to_string(), "7".to_string(), 207),
                ("/fast/6?q=6".to_string(), "6".to_string(), 206),
                ("/fast/5?q=5".to_string(), "5".to_string(), 205),
            ]
        );
        assert_eq!(kept[0].request.base_url.as_ref(), "http://x");
        assert_eq!(kept[0].request.headers.get("accept"), Some("*/*"));
        assert_eq!(&kept[0].request.body[..], b"body 7");
        let ids: std::collections::HashSet<_> = kept.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), 3, "recycled entries get new ids");
        assert_eq!(j.stub_count(stub), 7);
        assert_eq!(j.totals(), (8, 1, 3));
    }

    #[test]
    fn keeps_the_last_n_and_counts_everything() {
        let j = Journal::new(3);
        let stub = Uuid::new_v4();
        for n in 0..10 {
            j.record(entry(n, (n % 2 == 0).then_some(stub)));
        }
        let kept: Vec<_> = j
            .find(|_| true)
            .iter()
            .map(|e| e.request.path.clone())
            .collect();
        assert_eq!(kept, ["/r/9", "/r/8", "/r/7"]);
        assert_eq!(j.stub_count(stub), 5);
        assert_eq!(j.totals(), (10, 5, 3));
        j.clear();
        assert_eq!(j.totals(), (10, 5, 0));
        assert_eq!(j.stub_count(stub), 5, "per-stub counters survive clearing");
    }
}
