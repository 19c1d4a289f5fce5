//! The `[scan]` table of `seam.toml` and the flags of `seam scan`, as one set
//! of settings: flags over the file, then resolved into the scan's
//! [`Options`] (paths relative to the file's directory; every value checked,
//! with a "did you mean" for a misspelt check code).

use crate::check::{parse_code, Check, Severity};
use crate::scan::Options;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Settings for one scan, as `seam.toml` writes them (kebab-case).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScanSettings {
    /// Shown in reports; default `scan (SPEC)`.
    pub name: Option<String>,
    pub spec: Option<String>,
    pub url: Option<String>,
    /// The identities' auth file.
    pub auth: Option<String>,
    pub checks: Option<Vec<String>>,
    pub exclude_checks: Option<Vec<String>>,
    /// Only these operations.
    pub only: Option<Vec<String>>,
    pub allow_hosts: Option<Vec<String>>,
    pub rate: Option<f64>,
    pub max_requests: Option<u64>,
    pub request_timeout: Option<String>,
    pub allow_destructive: Option<bool>,
    pub jwt_key: Option<String>,
    pub jwt_public_keys: Option<Vec<String>>,
    pub jwt_wordlist: Option<String>,
    pub delay: Option<String>,
    pub burst: Option<usize>,
    pub seed: Option<u64>,
    /// The least severity that fails the run.
    pub fail_on: Option<String>,
    pub baseline: Option<String>,
}

/// What a scan needs besides its [`Options`].
#[derive(Debug, Clone)]
pub struct Resolved {
    pub options: Options,
    pub spec: PathBuf,
    /// Accepted finding ids.
    pub baseline: Vec<String>,
    pub fail_on: Severity,
}

fn read_text(path: &Path, what: &str) -> Result<String, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("{}: cannot read the {what}: {e}", path.display()))?;
    seam_core::source::decode_text(&bytes)
        .map(str::to_string)
        .map_err(|e| e.in_file(path.display().to_string()).to_string())
}

impl ScanSettings {
    /// `other`'s values where it has them, this one's elsewhere (flags over
    /// the file).
    pub fn overridden_by(mut self, other: ScanSettings) -> ScanSettings {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* };
        }
        take!(
            name,
            spec,
            url,
            auth,
            checks,
            exclude_checks,
            only,
            allow_hosts,
            rate,
            max_requests,
            request_timeout,
            allow_destructive,
            jwt_key,
            jwt_public_keys,
            jwt_wordlist,
            delay,
            burst,
            seed,
            fail_on,
            baseline
        );
        self
    }

    /// The scan these settings describe; paths are relative to `dir`.
    pub fn resolve(&self, dir: &Path) -> Result<Resolved, String> {
        let path = |p: &str| {
            if dir == Path::new(".") || Path::new(p).is_absolute() {
                PathBuf::from(p)
            } else {
                dir.join(p)
            }
        };
        let duration = |setting: &str, text: &Option<String>, default: Duration| match text {
            None => Ok(default),
            Some(t) => seam_fuzz::config::parse_duration(t).map_err(|e| format!("{setting}: {e}")),
        };
        let spec = self
            .spec
            .as_deref()
            .ok_or("give the spec (SPEC, or `spec` in [scan])")?;
        let url = self
            .url
            .clone()
            .ok_or("give the API's base URL (--url, or `url` in [scan])")?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("url `{url}`: give an http:// or https:// base URL"));
        }
        let mut o = Options::new(url);
        if let Some(auth) = &self.auth {
            o.identities = seam_fuzz::auth::read_all(&path(auth))?;
        }
        let mut checks: Vec<Check> = match &self.checks {
            Some(codes) if !codes.is_empty() => codes
                .iter()
                .map(|c| parse_code(c.trim()))
                .collect::<Result<_, _>>()?,
            _ => Check::ALL.to_vec(),
        };
        for code in self.exclude_checks.iter().flatten() {
            let c = parse_code(code.trim())?;
            checks.retain(|x| *x != c);
        }
        o.checks = checks.into_iter().collect();
        o.operations = self.only.clone().unwrap_or_default();
        o.allow_hosts = self.allow_hosts.clone().unwrap_or_default();
        if let Some(r) = self.rate {
            if r.is_nan() || r <= 0.0 {
                return Err(format!("rate {r}: give requests per second above 0"));
            }
            o.rate = Some(r);
        }
        o.max_requests = self.max_requests;
        o.request_timeout = duration("request-timeout", &self.request_timeout, o.request_timeout)?;
        o.delay = duration("delay", &self.delay, o.delay)?;
        if o.delay < Duration::from_secs(1) {
            return Err("delay: give 1s or more (time-based probes ask for whole seconds)".into());
        }
        if let Some(b) = self.burst {
            o.burst = b;
        }
        if let Some(s) = self.seed {
            o.seed = s;
        }
        o.allow_destructive = self.allow_destructive.unwrap_or(false);
        o.jwt_key = self.jwt_key.as_ref().map(|k| k.as_bytes().to_vec());
        for p in self.jwt_public_keys.iter().flatten() {
            let file = path(p);
            let pem = read_text(&file, "public key")?;
            if !pem.contains("-----BEGIN") {
                return Err(format!(
                    "{}:1:1: expected a PEM public key (-----BEGIN PUBLIC KEY-----)",
                    file.display()
                ));
            }
            o.jwt_public_keys.push(pem);
        }
        if let Some(p) = &self.jwt_wordlist {
            o.jwt_wordlist = read_text(&path(p), "wordlist")?
                .lines()
                .map(|l| l.trim_end_matches('\r').to_string())
                .filter(|l| !l.is_empty())
                .collect();
        }
        let fail_on = match &self.fail_on {
            Some(s) => Severity::parse(s).map_err(|e| format!("fail-on: {e}"))?,
            None => Severity::Low,
        };
        let baseline = match &self.baseline {
            Some(b) => seam_fuzz::baseline::read(&path(b))?,
            None => Vec::new(),
        };
        Ok(Resolved {
            options: o,
            spec: path(spec),
            baseline,
            fail_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file() {
        let file: ScanSettings = toml::from_str(
            "spec = \"api.yaml\"\nurl = \"http://127.0.0.1:1\"\nmax-requests = 500\nfail-on = \"high\"\nexclude-checks = [\"redos\"]\n",
        )
        .unwrap();
        let flags = ScanSettings {
            max_requests: Some(9),
            ..Default::default()
        };
        let r = file
            .overridden_by(flags)
            .resolve(Path::new("conf"))
            .unwrap();
        assert_eq!(r.spec, PathBuf::from("conf/api.yaml"));
        assert_eq!(r.options.max_requests, Some(9));
        assert_eq!(r.fail_on, Severity::High);
        assert!(!r.options.checks.contains(&Check::Redos));
        assert!(r.options.checks.contains(&Check::BolaRead));
    }

    #[test]
    fn mistakes_are_named() {
        let e = toml::from_str::<ScanSettings>("spec = \"a\"\nmax-request = 3\n").unwrap_err();
        assert!(e.message().contains("max-requests"), "{}", e.message());
        let s = ScanSettings {
            spec: Some("a".into()),
            url: Some("http://x".into()),
            checks: Some(vec!["bola-reed".into()]),
            ..Default::default()
        };
        assert!(s
            .resolve(Path::new("."))
            .unwrap_err()
            .contains("did you mean `bola-read`"));
        let s = ScanSettings {
            spec: Some("a".into()),
            url: Some("http://x".into()),
            fail_on: Some("severe".into()),
            ..Default::default()
        };
        assert!(s
            .resolve(Path::new("."))
            .unwrap_err()
            .contains("critical, high, medium or low"));
    }
}
