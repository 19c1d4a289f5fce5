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
use seam_core::units::{parse_duration, parse_header};
use serde::Deserialize;
use std::path::Path;

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
        }
    }

    /// The plan, its thresholds and the shard; files are read relative to
    /// `dir`; `job_index` is `JOB_COMPLETION_INDEX` for `auto/n` shards.
    pub fn resolve(&self, dir: &Path, job_index: Option<&str>) -> Result<Resolved, String> {
        let url = self
            .url
            .as_deref()
            .ok_or("no URL to load (give one, or `url` in [load])")?;
        let headers = self
            .headers
            .iter()
            .flatten()
            .map(|h| parse_header(h, "header"))
            .collect::<Result<Vec<_>, _>>()?;
        let body = match (&self.body, &self.body_file) {
            (Some(_), Some(_)) => return Err("give a body or a body file, not both".into()),
            (Some(b), None) => bytes::Bytes::from(b.clone()),
            (None, Some(f)) => {
                let path = dir.join(f);
                std::fs::read(&path)
                    .map(bytes::Bytes::from)
                    .map_err(|e| format!("body file {}: {e}", path.display()))?
            }
            (None, None) => bytes::Bytes::new(),
        };
        let (targets, order) = match &self.openapi {
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
                    &headers,
                    self.all_methods.unwrap_or(false),
                    &weights,
                )?;
                (s.targets, s.order)
            }
            None => {
                if self.weights.is_some() || self.all_methods.is_some() {
                    return Err(
                        "weights and all-methods go with an OpenAPI spec (--openapi)".into(),
                    );
                }
                let method = self.method.as_deref().unwrap_or("GET");
                (
                    vec![Target::parse(url, method, &headers, body)?],
                    Vec::new(),
                )
            }
        };
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
        let duration = match &ramp {
            Some(r) => r.duration(),
            None => parse_duration(self.duration.as_deref().unwrap_or("10s"))
                .map_err(|e| format!("duration: {e}"))?,
        };
        if duration.is_zero() {
            return Err("duration: a load must last longer than 0s".into());
        }
        let timeout = parse_duration(self.timeout.as_deref().unwrap_or("10s"))
            .map_err(|e| format!("timeout: {e}"))?;
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
        let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
        for t in &thresholds {
            t.check_endpoint(&names)?;
        }
        Ok(Resolved {
            plan: Plan {
                targets,
                order,
                model,
                duration,
                timeout,
                keep_alive: self.keep_alive.unwrap_or(true),
                stages: ramp,
            },
            thresholds,
            shard,
        })
    }
}
