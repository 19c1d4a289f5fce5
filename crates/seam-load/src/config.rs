//! A load run as written: the `[load]` table of `seam.toml`, or the flags of
//! `seam load` (which fill the same settings, flags winning over the file),
//! and the one place both become a [`Plan`] and its thresholds.
//!
//! ```toml
//! [load]
//! url = "http://127.0.0.1:8080/orders"
//! connections = 64
//! duration = "30s"
//! rate = "2000/s"            # open model; leave out for the closed model
//! headers = ["Authorization: Bearer ${TOKEN}"]
//! thresholds = ["p99<50ms", "errors<0.1%"]
//! ```

use crate::plan::{parse_rate, Model, Plan, Shard, Target};
use crate::scenario;
use crate::stages::{self, Ramp};
use crate::threshold::Threshold;
use crate::transport::Transport;
use seam_core::units::{parse_duration, parse_header};
use seam_suite::scenario::Scenario;
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

/// One `[load]` table (or `seam load`'s flags).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LoadSettings {
    /// Shown in reports; default `load (URL)`.
    pub name: Option<String>,
    pub url: Option<String>,
    /// Users (closed model) or connections (open model); default 64.
    pub connections: Option<u32>,
    /// Default 10s.
    pub duration: Option<String>,
    /// `5000/s`: the open model.
    pub rate: Option<String>,
    /// Default GET.
    pub method: Option<String>,
    /// `Name: value`.
    pub headers: Option<Vec<String>>,
    pub body: Option<String>,
    /// Relative to the settings' directory.
    pub body_file: Option<String>,
    /// Default 10s.
    pub timeout: Option<String>,
    /// Default true.
    pub keep_alive: Option<bool>,
    pub thresholds: Option<Vec<String>>,
    /// `i/n` or `auto/n`.
    pub shard: Option<String>,
    /// `30s:100,1m:100,30s:0`: ramping users (or the rate, with `rate`);
    /// instead of `duration`.
    pub stages: Option<String>,
    /// An OpenAPI spec: every GET and HEAD operation (every operation with
    /// `all-methods`) is a target, `url` their base URL.
    pub openapi: Option<String>,
    pub all_methods: Option<bool>,
    /// `OPERATION=N`: how often an operation is sent in each user's turn.
    pub weights: Option<Vec<String>>,
    /// HTTP/2: h2c by prior knowledge on http://, ALPN on https://.
    pub http2: Option<bool>,
    /// HTTP/2 requests one connection carries at once; default 100.
    pub streams: Option<u32>,
    /// Accept any TLS certificate.
    pub insecure: Option<bool>,
    /// A PEM file of CAs to trust besides the Mozilla roots (relative to
    /// the settings' directory).
    pub cacert: Option<String>,
    /// A suite file: each user runs its cases in turn (`url`, when given,
    /// replaces its baseUrl).
    pub suite: Option<String>,
    /// `name=value`: the suite's variables, over its own.
    pub vars: Option<Vec<String>>,
    /// Only the suite's tests with one of these tags.
    pub tags: Option<Vec<String>>,
    /// Requests in all (a suite: cases), then stop; with a rate, the rate
    /// and the count set the run's length.
    pub requests: Option<u64>,
}

/// What the settings ask for.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub plan: Plan,
    pub thresholds: Vec<Threshold>,
    pub shard: Shard,
}

impl LoadSettings {
    /// `self` with every setting `over` gives replaced (flags over a file).
    pub fn overridden_by(self, over: LoadSettings) -> LoadSettings {
        LoadSettings {
            name: over.name.or(self.name),
            url: over.url.or(self.url),
            connections: over.connections.or(self.connections),
            duration: over.duration.or(self.duration),
            rate: over.rate.or(self.rate),
            method: over.method.or(self.method),
            headers: over.headers.or(self.headers),
            body: over.body.or(self.body),
            body_file: over.body_file.or(self.body_file),
            timeout: over.timeout.or(self.timeout),
            keep_alive: over.keep_alive.or(self.keep_alive),
            thresholds: over.thresholds.or(self.thresholds),
            shard: over.shard.or(self.shard),
            stages: over.stages.or(self.stages),
            openapi: over.openapi.or(self.openapi),
            all_methods: over.all_methods.or(self.all_methods),
            weights: over.weights.or(self.weights),
            http2: over.http2.or(self.http2),
            streams: over.streams.or(self.streams),
            insecure: over.insecure.or(self.insecure),
            cacert: over.cacert.or(self.cacert),
            suite: over.suite.or(self.suite),
            vars: over.vars.or(self.vars),
            tags: over.tags.or(self.tags),
            requests: over.requests.or(self.requests),
        }
    }

    /// The suite's cases, when a suite is given.
    fn suite_scenario(
        &self,
        dir: &Path,
        timeout: std::time::Duration,
        headers: &[(String, String)],
        body: &bytes::Bytes,
    ) -> Result<Option<Arc<Scenario>>, String> {
        let Some(file) = &self.suite else {
            return Ok(None);
        };
        if self.openapi.is_some() {
            return Err("give a suite or an OpenAPI spec, not both".into());
        }
        if self.method.is_some() || !body.is_empty() || !headers.is_empty() {
            return Err(
                "method, headers and body go with a single URL: a suite's steps have their own"
                    .into(),
            );
        }
        let suite = seam_suite::load(&dir.join(file)).map_err(|e| e.to_string())?;
        let mut options = seam_suite::run::RunOptions {
            timeout,
            tags: self.tags.clone().unwrap_or_default(),
            ..Default::default()
        };
        for v in self.vars.iter().flatten() {
            let (name, value) = v
                .split_once('=')
                .ok_or_else(|| format!("var `{v}`: write name=value"))?;
            options.vars.insert(
                name.trim().to_string(),
                serde_json::Value::String(value.to_string()),
            );
        }
        let base = self.url.as_deref().filter(|u| !u.is_empty());
        Scenario::new(suite, base, &options).map(|s| Some(Arc::new(s)))
    }

    /// The protocol and the certificates trusted.
    fn transport(&self, dir: &Path) -> Result<Transport, String> {
        let http2 = self.http2.unwrap_or(false);
        if http2 && self.keep_alive == Some(false) {
            return Err(
                "HTTP/2 keeps its connections (users share them): leave out no-keep-alive".into(),
            );
        }
        if self.streams.is_some() && !http2 {
            return Err("streams go with HTTP/2 (--http2)".into());
        }
        if self.streams == Some(0) {
            return Err("streams: at least 1".into());
        }
        let insecure = self.insecure.unwrap_or(false);
        if insecure && self.cacert.is_some() {
            return Err(
                "give insecure or a cacert, not both (insecure checks no certificate)".into(),
            );
        }
        let ca = match &self.cacert {
            Some(file) => crate::transport::read_ca_file(&dir.join(file))?,
            None => Vec::new(),
        };
        Ok(Transport {
            http2,
            streams: self.streams.unwrap_or(Transport::default().streams),
            insecure,
            ca,
        })
    }

    /// The request body: given, or read from a file relative to `dir`.
    fn body(&self, dir: &Path) -> Result<bytes::Bytes, String> {
        Ok(match (&self.body, &self.body_file) {
            (Some(_), Some(_)) => return Err("give a body or a body file, not both".into()),
            (Some(b), None) => bytes::Bytes::from(b.clone()),
            (None, Some(f)) => {
                let path = dir.join(f);
                std::fs::read(&path)
                    .map(bytes::Bytes::from)
                    .map_err(|e| format!("body file {}: {e}", path.display()))?
            }
            (None, None) => bytes::Bytes::new(),
        })
    }

    /// The targets of a single URL or of an OpenAPI spec's operations, and
    /// the order users send them in.
    fn targets(
        &self,
        dir: &Path,
        url: &str,
        headers: &[(String, String)],
        body: bytes::Bytes,
    ) -> Result<(Vec<Target>, Vec<usize>), String> {
        Ok(match &self.openapi {
            Some(_) if self.method.is_some() || self.body.is_some() || self.body_file.is_some() => {
                return Err(
                    "method and body go with a single URL: with an OpenAPI spec each operation has its own".into(),
                );
            }
            Some(spec) => {
                let path = dir.join(spec);
                let spec = seam_openapi::load::load(&path).map_err(|errors| {
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                })?;
                let weights = self
                    .weights
                    .iter()
                    .flatten()
                    .map(|w| scenario::parse_weight(w))
                    .collect::<Result<Vec<_>, _>>()?;
                let s = scenario::from_openapi(
                    &spec,
                    url,
                    headers,
                    self.all_methods.unwrap_or(false),
                    &weights,
                )?;
                (s.targets, s.order)
            }
            None => {
                if self.vars.is_some() || self.tags.is_some() {
                    return Err("vars and tags go with a suite (--suite)".into());
                }
                if self.weights.is_some() || self.all_methods.is_some() {
                    return Err(
                        "weights and all-methods go with an OpenAPI spec (--openapi)".into(),
                    );
                }
                let method = self.method.as_deref().unwrap_or("GET");
                (vec![Target::parse(url, method, headers, body)?], Vec::new())
            }
        })
    }

    /// The ramp, if stages are given, and how long the run lasts (before a
    /// shard's request count sets an open model's length).
    fn length(&self) -> Result<(Option<Ramp>, std::time::Duration), String> {
        let ramp = match &self.stages {
            Some(_) if self.duration.is_some() => {
                return Err(
                    "give a duration or stages, not both (stages set the run's length)".into(),
                )
            }
            Some(_) if self.rate.is_some() => {
                return Err(
                    "give a rate or stages, not both (rate stages: 30s:500/s,1m:500/s)".into(),
                )
            }
            Some(text) => Some(stages::parse(text).map_err(|e| format!("stages: {e}"))?),
            None => None,
        };
        let duration = match (&ramp, self.requests) {
            (Some(_), Some(_)) => {
                return Err("give requests or stages, not both".into());
            }
            (_, Some(0)) => return Err("requests: at least 1".into()),
            (Some(r), None) => r.duration(),
            (None, Some(_)) if self.rate.is_some() && self.duration.is_some() => {
                return Err(
                    "give a request count or a duration with a rate, not both (the rate and the count set the run's length)"
                        .into(),
                );
            }
            // a count with no duration: ten minutes at most, as k6's
            // iterations have
            (None, Some(_)) => parse_duration(self.duration.as_deref().unwrap_or("10m"))
                .map_err(|e| format!("duration: {e}"))?,
            (None, None) => parse_duration(self.duration.as_deref().unwrap_or("10s"))
                .map_err(|e| format!("duration: {e}"))?,
        };
        Ok((ramp, duration))
    }

    /// The plan, its thresholds and the shard; files are read relative to
    /// `dir`; `job_index` is `JOB_COMPLETION_INDEX` for `auto/n` shards.
    pub fn resolve(&self, dir: &Path, job_index: Option<&str>) -> Result<Resolved, String> {
        let url = match (&self.url, &self.suite) {
            (Some(url), _) => url.as_str(),
            (None, Some(_)) => "",
            (None, None) => return Err("no URL to load (give one, or `url` in [load])".into()),
        };
        let headers = self
            .headers
            .iter()
            .flatten()
            .map(|h| parse_header(h, "header"))
            .collect::<Result<Vec<_>, _>>()?;
        let body = self.body(dir)?;
        let suite = self.suite_scenario(dir, timeout_of(self)?, &headers, &body)?;
        let (targets, order) = if suite.is_some() {
            (Vec::new(), Vec::new())
        } else {
            self.targets(dir, url, &headers, body)?
        };
        let (ramp, duration) = self.length()?;
        if duration.is_zero() {
            return Err("duration: a load must last longer than 0s".into());
        }
        let timeout = timeout_of(self)?;
        // staged users: as many as the highest stage asks for
        let connections = match &ramp {
            Some(r) if !r.per_second => self.connections.unwrap_or(r.peak().ceil() as u32),
            _ => self.connections.unwrap_or(64),
        };
        if connections == 0 {
            return Err("connections: at least 1".into());
        }
        let model = match &self.rate {
            _ if ramp.as_ref().is_some_and(|r| r.per_second) => Model::Open {
                rate: ramp.as_ref().map_or(0.0, Ramp::peak),
                connections,
            },
            Some(r) => Model::Open {
                rate: parse_rate(r).map_err(|e| format!("rate: {e}"))?,
                connections,
            },
            None => Model::Closed { users: connections },
        };
        let shard = match &self.shard {
            Some(s) => Shard::parse(s, job_index).map_err(|e| format!("shard: {e}"))?,
            None => Shard::WHOLE,
        };
        let model = shard.apply(model);
        let ramp = ramp.map(|r| match model {
            Model::Closed { .. } => r.scaled(|t| shard.share(t.round() as u64) as f64),
            Model::Open { .. } => r.scaled(|t| shard.share_rate(t)),
        });
        let requests = self.requests.map(|n| shard.share(n));
        if requests == Some(0) {
            return Err(format!(
                "shard {}/{}: {} requests over {} shards leaves this shard none",
                shard.index,
                shard.count,
                self.requests.unwrap_or_default(),
                shard.count
            ));
        }
        // the open model's count sets its length: this shard's requests at
        // this shard's rate
        let duration = match (model, requests) {
            (Model::Open { rate, .. }, Some(n)) => {
                std::time::Duration::from_secs_f64(n as f64 / rate)
            }
            _ => duration,
        };
        if let Model::Closed { users: 0 } = model {
            return Err(format!(
                "shard {}/{}: {connections} users over {} shards leaves this shard none",
                shard.index, shard.count, shard.count
            ));
        }
        let thresholds = self
            .thresholds
            .iter()
            .flatten()
            .map(|t| Threshold::parse(t))
            .collect::<Result<Vec<_>, _>>()?;
        let transport = self.transport(dir)?;
        if suite.is_some() && (transport.http2 || transport.insecure || !transport.ca.is_empty()) {
            return Err(
                "a suite sends its requests as `seam test` does (HTTP/1.1, the system's trust): http2, insecure and cacert go with a URL or a spec".into(),
            );
        }
        let plan = Plan {
            targets,
            order,
            model,
            duration,
            timeout,
            keep_alive: self.keep_alive.unwrap_or(true),
            stages: ramp,
            transport,
            suite,
            requests,
        };
        for t in &thresholds {
            t.check_endpoint(&plan.endpoint_names())?;
        }
        Ok(Resolved {
            plan,
            thresholds,
            shard,
        })
    }
}

fn timeout_of(settings: &LoadSettings) -> Result<std::time::Duration, String> {
    parse_duration(settings.timeout.as_deref().unwrap_or("10s"))
        .map_err(|e| format!("timeout: {e}"))
}
