//! Sending with limits: every request a scan makes goes through [`Client`],
//! which refuses hosts that are not loopback or named with `--allow-host`,
//! paces requests to `--rate`, stops at `--max-requests`, and counts.

use seam_fuzz::case::Sent;
use seam_fuzz::finding::{header_pairs, Answer};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Why a request was not sent or got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// `--max-requests` is spent: the scan ends.
    Budget(u64),
    /// The URL's host is not loopback nor allowed.
    Host(String),
    /// No answer: refused, reset or timed out (in words).
    Failed(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Budget(n) => write!(f, "the request budget (--max-requests {n}) is spent"),
            SendError::Host(h) => write!(
                f,
                "`{h}` is not a loopback host; name it with --allow-host to scan it"
            ),
            SendError::Failed(why) => f.write_str(why),
        }
    }
}

/// The scan's HTTP client.
pub struct Client {
    pub http: reqwest::Client,
    pub base_url: String,
    allowed_hosts: Vec<String>,
    /// The least time between two requests' starts (from `--rate`).
    interval: Option<Duration>,
    next_start: tokio::sync::Mutex<Instant>,
    max_requests: Option<u64>,
    requests: AtomicU64,
}

impl Client {
    pub fn new(
        base_url: &str,
        allowed_hosts: Vec<String>,
        rate: Option<f64>,
        max_requests: Option<u64>,
        timeout: Duration,
    ) -> Result<Client, String> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let client = Client {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            allowed_hosts,
            interval: rate
                .filter(|r| *r > 0.0)
                .map(|r| Duration::from_secs_f64(1.0 / r)),
            next_start: tokio::sync::Mutex::new(Instant::now()),
            max_requests,
            requests: AtomicU64::new(0),
        };
        client.allowed(&client.base_url)?;
        Ok(client)
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Whether a URL may be sent to: its host is loopback or allowed.
    pub fn allowed(&self, url: &str) -> Result<(), String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        let host = parsed.host_str().unwrap_or("").to_string();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = bare == "localhost"
            || bare
                .parse::<std::net::IpAddr>()
                .map(|ip| ip.is_loopback())
                .unwrap_or(false);
        if loopback
            || self
                .allowed_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(bare))
        {
            Ok(())
        } else {
            Err(SendError::Host(host).to_string())
        }
    }

    /// Sends `sent` to the API.
    pub async fn send(&self, sent: &Sent) -> Result<Answer, SendError> {
        let url = format!("{}{}", self.base_url, sent.target);
        self.send_to(&url, sent).await
    }

    /// Sends `sent`'s method, headers and body to a whole URL.
    pub async fn send_to(&self, url: &str, sent: &Sent) -> Result<Answer, SendError> {
        self.allowed(url).map_err(|_| {
            SendError::Host(
                reqwest::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_default(),
            )
        })?;
        let n = self.requests.fetch_add(1, Ordering::Relaxed);
        if let Some(max) = self.max_requests {
            if n >= max {
                self.requests.fetch_sub(1, Ordering::Relaxed);
                return Err(SendError::Budget(max));
            }
        }
        if let Some(interval) = self.interval {
            let mut next = self.next_start.lock().await;
            let now = Instant::now();
            if *next > now {
                tokio::time::sleep(*next - now).await;
            }
            *next = Instant::now() + interval;
        }
        let method = reqwest::Method::from_bytes(sent.method.as_bytes())
            .map_err(|_| SendError::Failed(format!("`{}` is not a method", sent.method)))?;
        let mut req = self.http.request(method, url);
        for (name, value) in &sent.headers {
            req = req.header(name.as_str(), value.as_str());
        }
        if !sent.body.is_empty() {
            req = req.body(sent.body.clone());
        }
        let started = Instant::now();
        let res = req
            .send()
            .await
            .map_err(|e| SendError::Failed(seam_core::reproduce::network_error_text(&e)))?;
        let status = res.status().as_u16();
        let headers = header_pairs(res.headers());
        let body = res
            .bytes()
            .await
            .map_err(|e| SendError::Failed(seam_core::reproduce::network_error_text(&e)))?;
        Ok(Answer {
            status,
            headers,
            body: body.to_vec(),
            elapsed: started.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_named_hosts_only() {
        let t = Duration::from_secs(1);
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost:1",
            "http://[::1]:9",
            "http://127.3.4.5",
        ] {
            assert!(Client::new(url, Vec::new(), None, None, t).is_ok(), "{url}");
        }
        let refused = Client::new("http://api.example.com", Vec::new(), None, None, t)
            .err()
            .unwrap();
        assert!(refused.contains("--allow-host"), "{refused}");
        let named = Client::new(
            "https://API.example.com/v1",
            vec!["api.example.com".into()],
            None,
            None,
            t,
        );
        assert!(named.is_ok());
        // a whole URL elsewhere (a login, a jwks_uri) is checked the same way
        let c = named.unwrap();
        assert!(c
            .allowed("https://api.example.com/.well-known/jwks.json")
            .is_ok());
        assert!(c.allowed("http://169.254.169.254/latest").is_err());
    }
}
