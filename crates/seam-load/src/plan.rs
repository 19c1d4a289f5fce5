//! What a load run sends and how: its targets, its model (closed: a number of
//! virtual users, each sending its next request when the last one is answered;
//! open: requests started at a fixed arrival rate whatever the answers take),
//! its duration, and the share of it one shard runs.

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Uri};
use std::time::Duration;

/// One request the run sends, again and again.
#[derive(Debug, Clone)]
pub struct Target {
    pub method: Method,
    /// Absolute `http://` or `https://` URI.
    pub uri: Uri,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Bytes,
    /// How reports name it: `GET /path`.
    pub name: String,
    /// The whole request as written on the wire, kept alive and closing.
    wire: [Bytes; 2],
}

impl Target {
    /// A target from a URL as typed, with a method, headers and a body.
    pub fn parse(
        url: &str,
        method: &str,
        headers: &[(String, String)],
        body: Bytes,
    ) -> Result<Target, String> {
        if !url.contains("://") {
            return Err(format!("`{url}` has no scheme (write http://{url})"));
        }
        let uri: Uri = url
            .parse()
            .map_err(|_| format!("`{url}` is not a URL (write http://host:port/path)"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            Some(other) => {
                return Err(format!(
                    "`{url}`: unsupported scheme `{other}` (use http:// or https://)"
                ))
            }
            None => return Err(format!("`{url}` has no scheme (write http://{url})")),
        }
        let host = match uri.authority() {
            Some(a) if !a.host().is_empty() => a.as_str().to_string(),
            _ => return Err(format!("`{url}` names no host")),
        };
        let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("`{method}` is not an HTTP method"))?;
        let headers = headers
            .iter()
            .map(|(n, v)| {
                let name = HeaderName::from_bytes(n.as_bytes())
                    .map_err(|_| format!("`{n}` is not a header name"))?;
                let value = HeaderValue::from_str(v)
                    .map_err(|_| format!("header `{n}`: `{v}` is not a header value"))?;
                Ok((name, value))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
        let name = format!("{method} {path}");
        let wire = [false, true].map(|close| wire(&method, &path, &host, &headers, &body, close));
        Ok(Target {
            method,
            uri,
            headers,
            body,
            name,
            wire,
        })
    }

    /// The request as written on the wire; without `keep_alive` it asks the
    /// server to close the connection.
    pub fn wire(&self, keep_alive: bool) -> &[u8] {
        &self.wire[usize::from(!keep_alive)]
    }

    /// `host:port` to connect to (port 80, or 443 for https, when the URL
    /// names none).
    pub fn authority(&self) -> String {
        let host = self.uri.host().unwrap_or_default();
        let default = if self.is_tls() { 443 } else { 80 };
        format!("{host}:{}", self.uri.port_u16().unwrap_or(default))
    }

    /// An `https://` target.
    pub fn is_tls(&self) -> bool {
        self.uri.scheme_str() == Some("https")
    }
}

/// An HTTP/1.1 request: its head (Host first, then `headers`, a
/// Content-Length when there is a body or the method expects one and none
/// was given) and its body.
fn wire(
    method: &Method,
    path: &str,
    host: &str,
    headers: &[(HeaderName, HeaderValue)],
    body: &Bytes,
    close: bool,
) -> Bytes {
    let mut out = format!("{method} {path} HTTP/1.1\r\nhost: {host}\r\n").into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    let expects_body = [Method::POST, Method::PUT, Method::PATCH].contains(method);
    let has_length = headers
        .iter()
        .any(|(n, _)| n == hyper::header::CONTENT_LENGTH || n == hyper::header::TRANSFER_ENCODING);
    if (!body.is_empty() || expects_body) && !has_length {
        out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    }
    if close {
        out.extend_from_slice(b"connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Bytes::from(out)
}

/// How requests are started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// `users` virtual users, each with its own connection, each sending its
    /// next request as soon as the last one is answered.
    Closed { users: u32 },
    /// `rate` requests a second, started at their intended times over at most
    /// `connections` connections; a request that cannot start on time starts
    /// late and its latency counts from the intended time.
    Open { rate: f64, connections: u32 },
}

impl Model {
    /// Connections the model opens.
    pub fn connections(&self) -> u32 {
        match *self {
            Model::Closed { users } => users,
            Model::Open { connections, .. } => connections,
        }
    }
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Sent in turn by each user.
    pub targets: Vec<Target>,
    /// The order users send the targets in (indexes, each as often as its
    /// weight); empty: each target once, in turn.
    pub order: Vec<usize>,
    pub model: Model,
    pub duration: Duration,
    /// A request not answered this long after it was sent is a timeout.
    pub timeout: Duration,
    /// Reuse each connection (HTTP/1.1 keep-alive); off opens one per request.
    pub keep_alive: bool,
    /// Ramping stages: active users (closed model, up to its users) or the
    /// rate (open model) over time; the run lasts as long as they do.
    pub stages: Option<crate::stages::Ramp>,
    /// HTTP/1.1 or HTTP/2, and the certificates https targets are checked
    /// against.
    pub transport: crate::transport::Transport,
    /// A suite's cases instead of `targets`: each user runs them in turn,
    /// steps in order, captures and all.
    pub suite: Option<std::sync::Arc<seam_suite::scenario::Scenario>>,
    /// Stop after this many requests in all (a suite: cases); `duration`
    /// then caps the time.
    pub requests: Option<u64>,
}

impl Plan {
    /// The names figures are kept under: the targets', or the suite's
    /// endpoints.
    pub fn endpoint_names(&self) -> Vec<&str> {
        match &self.suite {
            Some(s) => s.endpoints().iter().map(String::as_str).collect(),
            None => self.targets.iter().map(|t| t.name.as_str()).collect(),
        }
    }
}

/// Shard `index` (1-based) of `count`: one machine's share of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// `2/4`: the second of four shards. `auto/4`: the shard a Kubernetes
    /// Indexed Job gave this pod, `job_index` being its
    /// `JOB_COMPLETION_INDEX` (0-based).
    pub fn parse(text: &str, job_index: Option<&str>) -> Result<Shard, String> {
        let bad = || {
            format!("`{text}` is not a shard (write i/n, e.g. 1/4, with 1 <= i <= n, or auto/n in a Kubernetes Indexed Job)")
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let count = n.trim().parse::<u32>().map_err(|_| bad())?;
        let index = if i.trim() == "auto" {
            let job = job_index.ok_or_else(|| {
                format!("`{text}`: auto takes the shard from JOB_COMPLETION_INDEX, which is not set (outside a Kubernetes Indexed Job, write i/n)")
            })?;
            job.trim()
                .parse::<u32>()
                .map(|i| i + 1)
                .map_err(|_| format!("`{text}`: JOB_COMPLETION_INDEX `{job}` is not a number"))?
        } else {
            i.trim().parse::<u32>().map_err(|_| bad())?
        };
        if count == 0 || index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// This shard's share of `total` whole units (users, requests a second):
    /// the shares of all shards add up to `total` exactly, and differ by one
    /// at most.
    pub fn share(&self, total: u64) -> u64 {
        let (n, i) = (u64::from(self.count), u64::from(self.index - 1));
        total / n + u64::from(i < total % n)
    }

    /// This shard's share of a rate: whole rates split as whole units; a
    /// fractional rate, evenly.
    pub fn share_rate(&self, rate: f64) -> f64 {
        if rate.fract() == 0.0 && rate < u64::MAX as f64 {
            self.share(rate as u64) as f64
        } else {
            rate / f64::from(self.count)
        }
    }

    /// The model with this shard's share of its users or rate (connections
    /// of the open model are split the same way, at least one each).
    pub fn apply(&self, model: Model) -> Model {
        match model {
            Model::Closed { users } => Model::Closed {
                users: self.share(u64::from(users)) as u32,
            },
            Model::Open { rate, connections } => Model::Open {
                rate: self.share_rate(rate),
                connections: (self.share(u64::from(connections)) as u32).max(1),
            },
        }
    }
}

/// `5000/s`, `300/m`, `5000` (a second): requests a second.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let bad = || format!("`{text}` is not a rate (write 5000/s or 300/m)");
    let (n, per) = text.trim().split_once('/').unwrap_or((text.trim(), "s"));
    let n: f64 = n.trim().parse().map_err(|_| bad())?;
    let seconds = match per.trim() {
        "s" | "1s" => 1.0,
        "m" | "1m" => 60.0,
        "h" | "1h" => 3600.0,
        _ => return Err(bad()),
    };
    let rate = n / seconds;
    if !rate.is_finite() || rate <= 0.0 {
        return Err(bad());
    }
    Ok(rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_exactly() {
        for n in 1..=7u32 {
            for total in [0u64, 1, 5, 64, 1000, 10_001] {
                let shares: Vec<u64> = (1..=n)
                    .map(|index| Shard { index, count: n }.share(total))
                    .collect();
                assert_eq!(shares.iter().sum::<u64>(), total, "{total} over {n}");
                let (lo, hi) = (shares.iter().min().unwrap(), shares.iter().max().unwrap());
                assert!(hi - lo <= 1, "{shares:?}");
            }
        }
        let rates: f64 = (1..=3)
            .map(|index| Shard { index, count: 3 }.share_rate(1000.0))
            .sum();
        assert_eq!(rates, 1000.0);
    }

    #[test]
    fn shards_and_rates_parse_or_say_what_to_write() {
        assert_eq!(Shard::parse("2/4", None), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "x", "1-4"] {
            assert!(
                Shard::parse(bad, None).unwrap_err().contains("i/n"),
                "{bad}"
            );
        }
        assert_eq!(
            Shard::parse("auto/4", Some("3")),
            Ok(Shard { index: 4, count: 4 })
        );
        assert!(Shard::parse("auto/4", Some("4")).is_err());
        assert!(Shard::parse("auto/4", None)
            .unwrap_err()
            .contains("JOB_COMPLETION_INDEX"));
        assert_eq!(parse_rate("5000/s"), Ok(5000.0));
        assert_eq!(parse_rate("600/m"), Ok(10.0));
        assert_eq!(parse_rate("250"), Ok(250.0));
        assert!(parse_rate("0/s").is_err());
        assert!(parse_rate("fast").unwrap_err().contains("5000/s"));
    }

    #[test]
    fn a_target_needs_an_http_or_https_url() {
        let t = Target::parse(
            "http://127.0.0.1:9/a?b=1",
            "post",
            &[("X-K".into(), "v".into())],
            Bytes::from("{}"),
        )
        .unwrap();
        assert_eq!(
            t.wire(true),
            b"POST /a?b=1 HTTP/1.1\r\nhost: 127.0.0.1:9\r\nx-k: v\r\ncontent-length: 2\r\n\r\n{}"
        );
        assert!(t.wire(false).ends_with(b"connection: close\r\n\r\n{}"));
        assert_eq!(
            (t.name.as_str(), t.authority().as_str()),
            ("POST /a?b=1", "127.0.0.1:9")
        );
        assert!(Target::parse("localhost:80/x", "GET", &[], Bytes::new()).is_err());
        let tls = Target::parse("https://x/", "GET", &[], Bytes::new()).unwrap();
        assert!(tls.is_tls());
        assert_eq!(tls.authority(), "x:443");
        assert!(Target::parse("ftp://x/", "GET", &[], Bytes::new())
            .unwrap_err()
            .contains("https://"));
        assert!(Target::parse("http://x/", "GE T", &[], Bytes::new()).is_err());
    }
}
