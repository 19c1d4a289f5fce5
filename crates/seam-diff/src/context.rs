//! What a diff runs with: the settings ([`Options`]), the two specs side by side
//! ([`Pair`], which also builds each [`Change`] from the rules table) and `$ref`
//! resolution inside a bundled document ([`resolve`]).

use crate::change::{Change, Level, Side};
use crate::rules;
use seam_openapi::Spec;
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// `x-stability-level` of an operation, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stability {
    Draft,
    Alpha,
    Beta,
    Stable,
}

impl fmt::Display for Stability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stability::Draft => "draft",
            Stability::Alpha => "alpha",
            Stability::Beta => "beta",
            Stability::Stable => "stable",
        })
    }
}

impl FromStr for Stability {
    type Err = String;

    /// `draft`, `alpha`, `beta` or `stable` (oasdiff's error text otherwise).
    fn from_str(text: &str) -> Result<Stability, String> {
        match text {
            "draft" => Ok(Stability::Draft),
            "alpha" => Ok(Stability::Alpha),
            "beta" => Ok(Stability::Beta),
            "stable" => Ok(Stability::Stable),
            _ => Err(format!(
                "value is not one of draft, alpha, beta or stable: \"{text}\""
            )),
        }
    }
}

/// Settings of one diff (oasdiff's defaults from [`Options::default`]).
#[derive(Clone, Debug)]
pub struct Options {
    /// Operations whose `x-stability-level` is below this are not checked
    /// (default beta: draft and alpha operations may change freely).
    pub stability_level: Stability,
    /// Minimum days between today and the `x-sunset` of a deprecated beta operation.
    pub deprecation_days_beta: u32,
    /// Minimum days between today and the `x-sunset` of a deprecated stable operation.
    pub deprecation_days_stable: u32,
    /// Whether an inline schema and an equivalent `$ref` match as the same
    /// anyOf/oneOf branch.
    pub match_inline_refs: bool,
    /// The date sunset dates are compared with.
    pub today: chrono::NaiveDate,
    /// Whether `info.version` must carry the breaking changes found (a major
    /// bump, a minor one below 1.0.0): `api-version-not-bumped`,
    /// `api-version-decreased`, `api-major-version-not-bumped`. Off by default.
    pub version_policy: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            stability_level: Stability::Beta,
            deprecation_days_beta: 0,
            deprecation_days_stable: 0,
            match_inline_refs: true,
            today: chrono::Utc::now().date_naive(),
            version_policy: false,
        }
    }
}

/// The two specs being compared, and the settings.
pub struct Pair<'a> {
    pub base: &'a Spec,
    pub revision: &'a Spec,
    pub options: &'a Options,
    /// Every schema pair compared so far in this run.
    pub schemas: crate::schema::walk::SchemaCache<'a>,
}

impl<'a> Pair<'a> {
    /// A change of rule `id` (level and text from the rules table), located by
    /// pointers in each document.
    pub fn change(
        &self,
        id: &str,
        operation: Option<&str>,
        args: Vec<String>,
        base_pointer: Option<&str>,
        revision_pointer: Option<&str>,
    ) -> Change {
        let rule = rules::get(id);
        debug_assert!(rule.is_some(), "unknown oasdiff rule id `{id}`");
        let (level, text) = match rule {
            Some(rule) => (rule.level, rules::render(rule.message, &args)),
            None => (Level::Info, id.to_string()),
        };
        Change {
            id: id.to_string(),
            level,
            operation: operation.map(str::to_string),
            args,
            text,
            base: base_pointer.map(|p| side(self.base, p)),
            revision: revision_pointer.map(|p| side(self.revision, p)),
        }
    }
}

fn side(spec: &Spec, pointer: &str) -> Side {
    let pointer = if pointer.starts_with('#') {
        pointer.to_string()
    } else {
        format!("#{pointer}")
    };
    let place = spec.locate(&pointer);
    Side {
        place: (!place.is_empty()).then_some(place),
        pointer,
    }
}

/// Follows `$ref` chains inside `spec.document` (cycle-safe, bundled multi-file
/// refs included): the schema value a (possibly `$ref`) schema stands for, and
/// its pointer. A ref that leads nowhere (or back to itself) stops the walk at
/// the last value reached.
pub fn resolve<'s>(spec: &'s Spec, value: &'s Value, pointer: &str) -> (&'s Value, String) {
    let mut value = value;
    let mut pointer = pointer.to_string();
    let mut seen: Vec<&str> = Vec::new();
    while let Some(target) = value.get("$ref").and_then(Value::as_str) {
        let Some(local) = target.strip_prefix('#') else {
            break;
        };
        if seen.contains(&target) {
            break;
        }
        seen.push(target);
        let Some(next) = spec.document.pointer(local) else {
            break;
        };
        value = next;
        pointer = target.to_string();
    }
    (value, pointer)
}
