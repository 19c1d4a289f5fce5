//! The versioning policy (opt-in, [`Options::version_policy`](crate::Options)):
//! a breaking change needs a major bump of `info.version` (a minor one while
//! the major is 0). It speaks only when an ERR change was found and both
//! versions are semantic versions (`1.2.3`, `v1.2.3`, pre-release and build
//! metadata allowed and ignored): a date or a bare `v1` is left alone. Its
//! findings are ERR (oasdiff's table says INFO): whoever turns the policy on
//! wants a missing bump to block.

use crate::change::{Change, Level};
use crate::context::Pair;

/// `major.minor.patch` of a semantic version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Semver {
    major: u64,
    minor: u64,
    patch: u64,
}

/// A numeric semver field: digits, no leading zero unless it is `0`.
fn number(text: &str) -> Option<u64> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    (digits && (text == "0" || !text.starts_with('0')))
        .then(|| text.parse().ok())
        .flatten()
}

/// Dot-separated identifiers of `[0-9A-Za-z-]`, none empty; numeric ones
/// without leading zeros unless `numeric_rule` is off (build metadata).
fn identifiers(text: &str, numeric_rule: bool) -> bool {
    text.split('.').all(|part| {
        let charset =
            !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let numeric = part.bytes().all(|b| b.is_ascii_digit());
        charset && (!numeric_rule || !numeric || number(part).is_some())
    })
}

/// semver.org's grammar with an optional leading `v`.
fn parse_semver(version: &str) -> Option<Semver> {
    let version = version.strip_prefix('v').unwrap_or(version);
    let (version, build) = match version.split_once('+') {
        Some((version, build)) => (version, Some(build)),
        None => (version, None),
    };
    let (core, pre) = match version.split_once('-') {
        Some((core, pre)) => (core, Some(pre)),
        None => (version, None),
    };
    if build.is_some_and(|b| !identifiers(b, false)) || pre.is_some_and(|p| !identifiers(p, true)) {
        return None;
    }
    let mut parts = core.split('.');
    let semver = Semver {
        major: number(parts.next()?)?,
        minor: number(parts.next()?)?,
        patch: number(parts.next()?)?,
    };
    parts.next().is_none().then_some(semver)
}

/// Whether the version moved enough to carry a breaking change.
fn major_bumped(base: Semver, revision: Semver) -> bool {
    if base.major == 0 && revision.major == 0 {
        revision.minor > base.minor
    } else {
        revision.major > base.major
    }
}

/// Adds the one versioning-policy change that applies, if any.
pub(crate) fn check_version_bump(pair: &Pair, out: &mut Vec<Change>) {
    if !pair.options.version_policy || !out.iter().any(|c| c.level == Level::Err) {
        return;
    }
    let (old, new) = (&pair.base.api_version, &pair.revision.api_version);
    let (Some(base), Some(revision)) = (parse_semver(old), parse_semver(new)) else {
        return;
    };
    let (id, args) = if old == new {
        ("api-version-not-bumped", vec![new.clone()])
    } else if revision <= base {
        ("api-version-decreased", vec![old.clone(), new.clone()])
    } else if !major_bumped(base, revision) {
        (
            "api-major-version-not-bumped",
            vec![old.clone(), new.clone()],
        )
    } else {
        return;
    };
    let pointer = "#/info/version";
    let mut change = pair.change(id, None, args, Some(pointer), Some(pointer));
    // oasdiff rates these INFO; asked for, the policy blocks like the
    // breaking change that needs the bump.
    change.level = Level::Err;
    out.push(change);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(major: u64, minor: u64, patch: u64) -> Option<Semver> {
        Some(Semver {
            major,
            minor,
            patch,
        })
    }

    #[test]
    fn semantic_versions_only() {
        assert_eq!(parse_semver("1.2.3"), v(1, 2, 3));
        assert_eq!(parse_semver("v1.2.3"), v(1, 2, 3));
        assert_eq!(parse_semver("1.2.3-rc.1+build.7"), v(1, 2, 3));
        assert_eq!(parse_semver("0.0.0"), v(0, 0, 0));
        for not_semver in [
            "1",
            "v1",
            "1.2",
            "1.2.3.4",
            "01.2.3",
            "2024-01-01",
            "1.2.3-",
            "1.2.3-01",
            "",
            "1.2.x",
        ] {
            assert_eq!(parse_semver(not_semver), None, "{not_semver}");
        }
    }

    #[test]
    fn a_breaking_change_needs_a_major_bump_or_a_minor_one_before_1_0() {
        assert!(major_bumped(v(1, 9, 3).unwrap(), v(2, 0, 0).unwrap()));
        assert!(!major_bumped(v(1, 0, 0).unwrap(), v(1, 1, 0).unwrap()));
        assert!(major_bumped(v(0, 1, 0).unwrap(), v(0, 2, 0).unwrap()));
        assert!(!major_bumped(v(0, 1, 0).unwrap(), v(0, 1, 1).unwrap()));
    }
}
