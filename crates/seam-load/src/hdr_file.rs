//! A run's raw measurements in an HdrHistogram interval log (`--out
//! run.hdr`), and shards' logs read back and added up (`seam load merge`).
//!
//! Each histogram is one interval, tagged `e<N>` (endpoint N's latency),
//! `e<N>.<C>xx` (its latency for status class C) or `lag` (the open model's
//! send lag), in the V2 + DEFLATE encoding any HdrHistogram tool reads. The
//! counts that are not histograms (endpoint names, errors by kind, bytes, the
//! per-second series, late, dropped and interrupted requests, the run's
//! length) ride in one `#seam-load-v1 ` comment line of JSON.

use crate::stats::{add_histogram, new_histogram, ErrorKind, Second, Stats};
use base64::Engine;
use hdrhistogram::serialization::interval_log::{
    IntervalLogIterator, IntervalLogWriterBuilder, LogEntry, Tag,
};
use hdrhistogram::serialization::{Deserializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

const MARK: &str = "#seam-load-v1 ";

#[derive(Serialize, Deserialize)]
struct Meta {
    version: u32,
    duration_s: f64,
    open: bool,
    endpoints: Vec<EndpointMeta>,
    late: u64,
    dropped: u64,
    interrupted: u64,
    per_second: Vec<Second>,
}

#[derive(Serialize, Deserialize)]
struct EndpointMeta {
    name: String,
    errors: BTreeMap<ErrorKind, u64>,
    bytes: u64,
}

/// A run as read back: its stats, length, and whether it ran the open model.
pub struct Recorded {
    pub stats: Stats,
    pub elapsed: Duration,
    pub open: bool,
}

/// The interval log of a run.
pub fn write(stats: &Stats, elapsed: Duration, open: bool) -> Result<Vec<u8>, String> {
    let meta = Meta {
        version: 1,
        duration_s: elapsed.as_secs_f64(),
        open,
        endpoints: stats
            .endpoints
            .iter()
            .map(|e| EndpointMeta {
                name: e.name.clone(),
                errors: e.errors.clone(),
                bytes: e.bytes_received,
            })
            .collect(),
        late: stats.late,
        dropped: stats.dropped,
        interrupted: stats.interrupted,
        per_second: stats.per_second.clone(),
    };
    let meta = serde_json::to_string(&meta).expect("plain data serializes");
    let mut out = Vec::new();
    let mut serializer = V2DeflateSerializer::new();
    let mut builder = IntervalLogWriterBuilder::new();
    builder
        .add_comment(
            "seam load: raw latency histograms (microseconds); merge with `seam load merge`",
        )
        .add_comment(&format!("seam-load-v1 {meta}"))
        .with_start_time(SystemTime::now());
    let mut log = builder
        .begin_log_with(&mut out, &mut serializer)
        .map_err(|e| e.to_string())?;
    let mut put = |h: &Histogram<u64>, tag: &str| {
        log.write_histogram(h, Duration::ZERO, elapsed, Tag::new(tag))
            .map_err(|e| format!("cannot encode a histogram: {e}"))
    };
    for (i, e) in stats.endpoints.iter().enumerate() {
        put(&e.latency, &format!("e{i}"))?;
        for (class, h) in &e.by_class {
            put(h, &format!("e{i}.{class}xx"))?;
        }
    }
    if open {
        put(&stats.send_lag, "lag")?;
    }
    Ok(out)
}

/// A log [`write`] wrote, read back; `file` names it in errors.
pub fn read(file: &str, bytes: &[u8]) -> Result<Recorded, String> {
    let text = String::from_utf8_lossy(bytes);
    let (line_no, meta_line) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.strip_prefix(MARK).map(|m| (i + 1, m)))
        .ok_or_else(|| {
            format!(
                "{file}: not a `seam load --out` file (no `{}` line)",
                MARK.trim()
            )
        })?;
    let meta: Meta = serde_json::from_str(meta_line).map_err(|e| {
        format!(
            "{file}:{line_no}:{}: the seam line is damaged: {e}",
            e.column() + MARK.len()
        )
    })?;
    let names: Vec<&str> = meta.endpoints.iter().map(|e| e.name.as_str()).collect();
    let mut stats = Stats::new(&names);
    for (e, m) in stats.endpoints.iter_mut().zip(&meta.endpoints) {
        e.errors = m.errors.clone();
        e.bytes_received = m.bytes;
    }
    stats.late = meta.late;
    stats.dropped = meta.dropped;
    stats.interrupted = meta.interrupted;
    stats.per_second = meta.per_second;
    let mut deserializer = Deserializer::new();
    for entry in IntervalLogIterator::new(bytes) {
        let entry =
            entry.map_err(|e| format!("{file}: not an HdrHistogram interval log ({e:?})"))?;
        let LogEntry::Interval(interval) = entry else {
            continue;
        };
        let tag = interval.tag().map(|t| t.as_str()).unwrap_or_default();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(interval.encoded_histogram())
            .map_err(|_| format!("{file}: histogram `{tag}` is not base64"))?;
        let h: Histogram<u64> = deserializer
            .deserialize(&mut raw.as_slice())
            .map_err(|e| format!("{file}: histogram `{tag}` does not decode ({e:?})"))?;
        let into = place(&mut stats, tag)
            .ok_or_else(|| format!("{file}: histogram tag `{tag}` names no endpoint of the run"))?;
        add_histogram(into, &h);
    }
    Ok(Recorded {
        stats,
        elapsed: Duration::from_secs_f64(meta.duration_s.max(0.0)),
        open: meta.open,
    })
}

fn place<'a>(stats: &'a mut Stats, tag: &str) -> Option<&'a mut Histogram<u64>> {
    if tag == "lag" {
        return Some(&mut stats.send_lag);
    }
    let rest = tag.strip_prefix('e')?;
    let (index, class) = match rest.split_once('.') {
        Some((i, c)) => (i, Some(c.strip_suffix("xx")?.parse::<u16>().ok()?)),
        None => (rest, None),
    };
    let endpoint = stats.endpoints.get_mut(index.parse::<usize>().ok()?)?;
    Some(match class {
        Some(c) => endpoint.by_class.entry(c).or_insert_with(new_histogram),
        None => &mut endpoint.latency,
    })
}

/// Shards' runs added up: endpoints matched by name, histograms added, the
/// run as long as its longest shard.
pub fn merge(runs: Vec<Recorded>) -> Recorded {
    let mut names: Vec<String> = Vec::new();
    for run in &runs {
        for e in &run.stats.endpoints {
            if !names.contains(&e.name) {
                names.push(e.name.clone());
            }
        }
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut all = Stats::new(&refs);
    let (mut elapsed, mut open) = (Duration::ZERO, false);
    for run in runs {
        // lay the shard's endpoints out as the merged run's
        let mut aligned = Stats::new(&refs);
        aligned.send_lag = run.stats.send_lag.clone();
        aligned.late = run.stats.late;
        aligned.dropped = run.stats.dropped;
        aligned.interrupted = run.stats.interrupted;
        aligned.per_second = run.stats.per_second.clone();
        for e in run.stats.endpoints {
            let at = names
                .iter()
                .position(|n| *n == e.name)
                .expect("collected above");
            aligned.endpoints[at] = e;
        }
        all.add(&aligned);
        elapsed = elapsed.max(run.elapsed);
        open |= run.open;
    }
    Recorded {
        stats: all,
        elapsed,
        open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(names: &[&str], seed: u64, n: u64) -> Stats {
        let mut s = Stats::new(names);
        for i in 0..n {
            let v = 1 + (i * 7919 + seed * 104_729) % 2_000_000;
            let status = if i % 50 == 0 { 500 } else { 200 };
            s.record_answer(
                (i % names.len() as u64) as usize,
                status,
                v,
                100,
                (i / 1000) as usize,
            );
        }
        s.record_failure(0, ErrorKind::Timeout, 0);
        s.record_lag(20_000);
        s.dropped = seed;
        s
    }

    #[test]
    fn a_log_reads_back_as_written() {
        let s = sample(&["GET /a", "POST /b"], 1, 5000);
        let bytes = write(&s, Duration::from_millis(4500), true).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("#[StartTime: ") && text.contains("Tag=e0.5xx,"),
            "{text}"
        );
        let back = read("run.hdr", &bytes).unwrap();
        assert_eq!(back.elapsed, Duration::from_millis(4500));
        assert!(back.open);
        assert_eq!(back.stats.all_latency(), s.all_latency());
        assert_eq!(back.stats.endpoints[1].by_class, s.endpoints[1].by_class);
        assert_eq!(back.stats.errors(), s.errors());
        assert_eq!(back.stats.per_second, s.per_second);
        assert_eq!((back.stats.late, back.stats.dropped), (1, 1));
        assert_eq!(back.stats.send_lag, s.send_lag);
    }

    #[test]
    fn merged_shard_logs_equal_one_run_of_all_samples() {
        let shards = [
            sample(&["GET /a"], 1, 3000),
            sample(&["GET /a", "POST /b"], 2, 4000),
        ];
        let mut whole = Stats::new(&["GET /a", "POST /b"]);
        for s in &shards {
            whole.add(s);
        }
        let runs = shards
            .iter()
            .map(|s| {
                read(
                    "shard.hdr",
                    &write(s, Duration::from_secs(3), false).unwrap(),
                )
                .unwrap()
            })
            .collect();
        let merged = merge(runs);
        assert_eq!(merged.stats.endpoints.len(), 2);
        for (m, w) in merged.stats.endpoints.iter().zip(&whole.endpoints) {
            assert_eq!(
                (&m.name, &m.latency, &m.by_class, &m.errors),
                (&w.name, &w.latency, &w.by_class, &w.errors)
            );
        }
        for q in [0.5, 0.99, 0.9999] {
            assert_eq!(
                merged.stats.all_latency().value_at_quantile(q),
                whole.all_latency().value_at_quantile(q)
            );
        }
        assert_eq!(merged.stats.dropped, 3);
    }

    #[test]
    fn other_files_are_refused_with_the_reason() {
        let e = read("notes.txt", b"hello\n").err().unwrap();
        assert!(
            e.starts_with("notes.txt: not a `seam load --out` file"),
            "{e}"
        );
        let e = read("x.hdr", b"#seam-load-v1 {\"version\": \n")
            .err()
            .unwrap();
        assert!(e.starts_with("x.hdr:1:"), "{e}");
    }
}
