//! Connection timeouts: a connection must deliver a complete request head
//! within the header-read timeout (counted from when it opened, or from the
//! first byte of a new request), and a kept-alive connection with no request
//! in flight and no traffic is closed after the idle timeout. This starves
//! slowloris clients (connections that send nothing, or a header byte now and
//! then) and frees the file handles of forgotten keep-alive connections.
//!
//! hyper's own `header_read_timeout` is not used: its timer starts whenever
//! hyper waits for a request head, so it would also cut idle keep-alive
//! connections at the header timeout, and it does not cover the protocol
//! sniffing of the auto (HTTP/1.1 + HTTP/2) builder or the TLS handshake, which
//! a silent connection never gets past. The watchdog covers all of them, for
//! HTTP/1.1 and HTTP/2 alike, and the hot path pays one relaxed atomic add per
//! read, write and request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// Connection timeouts; `None` disables one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// A complete request head must arrive within this long of the
    /// connection opening or of the request's first byte.
    pub header_read: Option<Duration>,
    /// A connection with no request in flight and no traffic is closed after
    /// this long.
    pub idle: Option<Duration>,
}

/// Default header-read timeout.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default idle (keep-alive) timeout.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            header_read: Some(DEFAULT_HEADER_READ_TIMEOUT),
            idle: Some(DEFAULT_IDLE_TIMEOUT),
        }
    }
}

/// What a connection did, counted by its stream and its service.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    reads: AtomicU64,
    writes: AtomicU64,
    started: AtomicU64,
    finished: AtomicU64,
}

impl Activity {
    pub(crate) fn read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
    }

    /// A request started; it is in flight until the guard drops.
    pub(crate) fn begin(self: &std::sync::Arc<Self>) -> InFlight {
        self.started.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }

    fn snapshot(&self) -> [u64; 4] {
        // `finished` first: a request counted finished is then surely counted
        // started, so in-flight never reads negative
        let finished = self.finished.load(Ordering::Acquire);
        [
            self.reads.load(Ordering::Relaxed),
            self.writes.load(Ordering::Relaxed),
            self.started.load(Ordering::Acquire),
            finished,
        ]
    }
}

/// A request in flight (see [`Activity::begin`]).
pub(crate) struct InFlight(std::sync::Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.finished.fetch_add(1, Ordering::Release);
    }
}

/// Waits until the connection has overstayed a timeout (true) or `finished`
/// says it is gone (false); false at once when both timeouts are off.
pub(crate) async fn expired(
    activity: &Activity,
    timeouts: Timeouts,
    finished: impl Fn() -> bool,
) -> bool {
    let shortest = [timeouts.header_read, timeouts.idle]
        .into_iter()
        .flatten()
        .min();
    let Some(shortest) = shortest else {
        return false;
    };
    // deadlines are checked this often, so they hold within a quarter
    let tick = (shortest / 4).max(Duration::from_millis(5));
    let mut last = activity.snapshot();
    let mut idle_since = Instant::now();
    let mut head_since: Option<Instant> = None;
    let mut served = false;
    loop {
        tokio::time::sleep(tick).await;
        if finished() {
            return false;
        }
        let now = Instant::now();
        let snap = activity.snapshot();
        let [reads, writes, started, finished] = snap;
        let [last_reads, last_writes, last_started, _] = last;
        last = snap;
        if started != finished || started != last_started || writes != last_writes {
            // a request in flight, one just served, or an answer still going out
            served |= started > 0;
            idle_since = now;
            head_since = None;
            continue;
        }
        if reads != last_reads && head_since.is_none() {
            head_since = Some(now);
        }
        let over = match (head_since, served) {
            (Some(t), _) => timeouts.header_read.map(|d| t + d),
            (None, false) => timeouts.header_read.map(|d| idle_since + d),
            (None, true) => timeouts.idle.map(|d| idle_since + d),
        };
        if over.is_some_and(|deadline| now >= deadline) {
            return true;
        }
    }
}
