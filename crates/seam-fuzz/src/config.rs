//! The `[fuzz]` table of `seam.toml`: what `seam fuzz` flags say, written
//! once for CI (`seam ci` runs it as a layer; `seam fuzz --config` reads it),
//! plus what flags cannot say: per operation, statuses to take as expected
//! and checks turned off.
//!
//! ```toml
//! [fuzz]
//! spec = "openapi.yaml"
//! url = "${API_URL}"
//! headers = ["Authorization: Bearer ${TOKEN}"]
//! max-time = "60s"
//! [fuzz.operations."POST /orders"]
//! expected-statuses = [409]
//! off = ["valid-rejected"]
//! ```

use crate::case::Phase;
use crate::check::{parse_code, CheckSet};
use crate::run::Options;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One `[fuzz]` table, as written (paths relative to `seam.toml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FuzzSettings {
    /// Shown in reports; default `fuzz (SPEC)`.
    pub name: Option<String>,
    pub spec: Option<String>,
    pub url: Option<String>,
    pub phases: Option<Vec<String>>,
    pub checks: Option<Vec<String>>,
    pub exclude_checks: Option<Vec<String>>,
    /// Only these operations (`METHOD /path` or operationId).
    pub only: Option<Vec<String>>,
    pub seed: Option<u64>,
    pub max_examples: Option<usize>,
    pub max_time: Option<String>,
    pub workers: Option<usize>,
    pub request_timeout: Option<String>,
    pub max_response_time: Option<String>,
    /// `NAME: VALUE` added to every request.
    pub headers: Option<Vec<String>>,
    pub bearer: Option<String>,
    pub basic: Option<String>,
    /// A Web Fuzzing Commons auth file.
    pub auth: Option<String>,
    pub auth_user: Option<String>,
    /// Send 1 MB strings and 100,000-item arrays (default true).
    pub huge: Option<bool>,
    /// Accepted findings: a fuzz JSON report or one id per line.
    pub baseline: Option<String>,
    /// Per operation (`METHOD /path`): expected statuses, checks off.
    #[serde(default)]
    pub operations: BTreeMap<String, OperationSettings>,
}

/// Settings for one operation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OperationSettings {
    /// Statuses taken as expected: never "undocumented", and valid data
    /// answered with one is not "rejected".
    #[serde(default)]
    pub expected_statuses: Vec<u16>,
    /// Check codes turned off for this operation.
    #[serde(default)]
    pub off: Vec<String>,
}

pub use seam_core::units::{parse_duration, parse_header};

/// What a run needs besides its [`Options`].
#[derive(Debug, Clone)]
pub struct Resolved {
    pub options: Options,
    pub spec: PathBuf,
    /// Accepted finding ids.
    pub baseline: Vec<String>,
}

impl FuzzSettings {
    /// `other`'s values where it has them, this one's elsewhere (flags over
    /// the file).
    pub fn overridden_by(mut self, other: FuzzSettings) -> FuzzSettings {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* };
        }
        take!(
            name,
            spec,
            url,
            phases,
            checks,
            exclude_checks,
            only,
            seed,
            max_examples,
            max_time,
            workers,
            request_timeout,
            max_response_time,
            headers,
            bearer,
            basic,
            auth,
            auth_user,
            huge,
            baseline
        );
        for (k, v) in other.operations {
            self.operations.insert(k, v);
        }
        self
    }

    /// The run these settings describe; paths are relative to `dir`.
    pub fn resolve(&self, dir: &Path) -> Result<Resolved, String> {
        let path = |p: &str| {
            if dir == Path::new(".") || Path::new(p).is_absolute() {
                PathBuf::from(p)
            } else {
                dir.join(p)
            }
        };
        let spec = self
            .spec
            .as_deref()
            .ok_or("give the spec (SPEC, or `spec` in [fuzz])")?;
        let url = self
            .url
            .clone()
            .ok_or("give the API's base URL (--url, or `url` in [fuzz])")?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("url `{url}`: give an http:// or https:// base URL"));
        }
        let mut o = Options::new(url);
        if let Some(p) = &self.phases {
            o.phases = p
                .iter()
                .map(|p| Phase::parse(p.trim()))
                .collect::<Result<_, _>>()?;
        }
        let checks = match &self.checks {
            Some(c) if !c.is_empty() => CheckSet::only(c)?,
            _ => CheckSet::default(),
        };
        o.checks = checks.without(self.exclude_checks.as_deref().unwrap_or_default())?;
        o.operations = self.only.clone().unwrap_or_default();
        o.seed = self.seed.unwrap_or(0);
        if let Some(n) = self.max_examples {
            o.max_examples = n;
        }
        o.max_time = self.max_time.as_deref().map(parse_duration).transpose()?;
        if let Some(w) = self.workers {
            if w == 0 {
                return Err("workers must be 1 or more".into());
            }
            o.workers = w;
        }
        if let Some(t) = &self.request_timeout {
            o.request_timeout = parse_duration(t)?;
        }
        o.max_response_time = self
            .max_response_time
            .as_deref()
            .map(parse_duration)
            .transpose()?;
        for h in self.headers.iter().flatten() {
            o.headers.push(parse_header(h, "header")?);
        }
        if let Some(token) = &self.bearer {
            o.headers
                .push(("Authorization".into(), format!("Bearer {token}")));
        }
        if let Some(basic) = &self.basic {
            if !basic.contains(':') {
                return Err("basic: write the credentials as `user:password`".into());
            }
            use base64::Engine as _;
            o.headers.push((
                "Authorization".into(),
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(basic)
                ),
            ));
        }
        if let Some(a) = &self.auth {
            o.login = Some(crate::auth::read(&path(a), self.auth_user.as_deref())?);
        }
        o.huge = self.huge.unwrap_or(true);
        for (label, s) in &self.operations {
            if !s.expected_statuses.is_empty() {
                o.expected_statuses
                    .insert(label.clone(), s.expected_statuses.clone());
            }
            let off = s
                .off
                .iter()
                .map(|c| parse_code(c).map_err(|e| format!("operations.\"{label}\".off: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            if !off.is_empty() {
                o.off.insert(label.clone(), off);
            }
        }
        let baseline = match &self.baseline {
            Some(b) => crate::baseline::read(&path(b))?,
            None => Vec::new(),
        };
        Ok(Resolved {
            options: o,
            spec: path(spec),
            baseline,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn flags_override_the_file_and_operations_are_read() {
        let file: FuzzSettings = toml::from_str(
            "spec = \"api.yaml\"\nurl = \"http://127.0.0.1:1\"\nseed = 3\nmax-time = \"1m\"\n\
             [operations.\"POST /orders\"]\nexpected-statuses = [409]\noff = [\"valid-rejected\"]\n",
        )
        .unwrap();
        let flags = FuzzSettings {
            seed: Some(9),
            ..Default::default()
        };
        let r = file
            .overridden_by(flags)
            .resolve(Path::new("conf"))
            .unwrap();
        assert_eq!(r.spec, PathBuf::from("conf/api.yaml"));
        assert_eq!(r.options.seed, 9);
        assert_eq!(r.options.max_time, Some(Duration::from_secs(60)));
        assert_eq!(r.options.expected_statuses["POST /orders"], vec![409]);
        assert_eq!(
            r.options.off["POST /orders"],
            vec![crate::Check::ValidRejected]
        );
    }

    #[test]
    fn mistakes_are_named() {
        let e = toml::from_str::<FuzzSettings>("spec = \"a\"\nmax-exampels = 3\n").unwrap_err();
        assert!(e.message().contains("max-examples"), "{}", e.message());
        let s = FuzzSettings {
            spec: Some("a".into()),
            url: Some("http://x".into()),
            operations: BTreeMap::from([(
                "GET /a".to_string(),
                OperationSettings {
                    expected_statuses: vec![],
                    off: vec!["server-eror".into()],
                },
            )]),
            ..Default::default()
        };
        let e = s.resolve(Path::new(".")).unwrap_err();
        assert!(e.contains("did you mean `server-error`"), "{e}");
    }
}
