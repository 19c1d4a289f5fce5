//! An operation's parameters across versions: added (required, optional, with a
//! default on the path item, path), removed (with or without deprecation, before
//! their sunset), required or optional, deprecated, reactivated, sunset dates.
//!
//! As in oasdiff, the parameters an operation declares itself and those its
//! path item declares for every operation are compared level by level, as
//! written in each document: a parameter added to the path item is
//! `new-*-request-default-parameter-to-existing-path`, not a new parameter of
//! each operation. Path parameters pair by their position in the path template,
//! so renaming `{id}` to `{petId}` is not a removal. Schema changes of a
//! parameter are [`crate::schema`]'s.

use super::path_params;
use crate::change::Change;
use crate::context::{resolve, Pair, Stability};
use crate::lifecycle;
use chrono::NaiveDate;
use seam_openapi::{Operation, Spec};
use serde_json::Value;

/// A parameter as written at one level (an operation's or a path item's
/// `parameters`), its `$ref` followed.
struct Declared<'s> {
    location: &'s str,
    name: &'s str,
    object: &'s Value,
    /// Where the parameter object is (the `$ref` target when it is one).
    pointer: String,
    /// The property names of an exploded object parameter (`style: form`,
    /// `explode: true`, an object schema): each stands for a parameter of its
    /// own on the wire (`?a=1&b=2`).
    exploded: Vec<&'s str>,
}

impl Declared<'_> {
    fn flag(&self, key: &str) -> bool {
        self.object.get(key).and_then(Value::as_bool) == Some(true)
    }

    fn sunset(&self) -> Option<&Value> {
        self.object.get("x-sunset")
    }

    /// `(location, name)`: the args most parameter messages take.
    fn args(&self) -> Vec<String> {
        vec![self.location.to_string(), self.name.to_string()]
    }
}

/// The parameters listed at `list_pointer` (`#/paths/~1pets/get/parameters`).
fn declared<'s>(spec: &'s Spec, list_pointer: &str) -> Vec<Declared<'s>> {
    let Some(list) = lifecycle::at(spec, list_pointer).and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .filter_map(|(i, entry)| {
            let (object, pointer) = resolve(spec, entry, &format!("{list_pointer}/{i}"));
            Some(Declared {
                location: object.get("in")?.as_str()?,
                name: object.get("name")?.as_str()?,
                exploded: exploded_properties(spec, object, &pointer),
                object,
                pointer,
            })
        })
        .collect()
}

/// The properties an exploded object parameter sends as parameters of their
/// own (none when it is not one): oasdiff's `isExplodedObjectParam`.
fn exploded_properties<'s>(spec: &'s Spec, param: &'s Value, pointer: &str) -> Vec<&'s str> {
    let form = param
        .get("style")
        .and_then(Value::as_str)
        .is_none_or(|style| style == "form");
    let explode = param.get("explode").and_then(Value::as_bool) == Some(true);
    let Some(schema) = param.get("schema").filter(|_| form && explode) else {
        return Vec::new();
    };
    let (schema, _) = resolve(spec, schema, &format!("{pointer}/schema"));
    let object = match schema.get("type") {
        Some(Value::String(kind)) => kind == "object",
        Some(Value::Array(kinds)) => kinds.len() == 1 && kinds[0] == "object",
        _ => false,
    };
    match schema.get("properties").and_then(Value::as_object) {
        Some(properties) if object => properties.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// The path item an operation belongs to: its pointer's parent.
fn path_item_pointer(operation: &Operation) -> &str {
    operation
        .pointer
        .rsplit_once('/')
        .map_or(operation.pointer.as_str(), |(parent, _)| parent)
}

/// How path parameters pair across versions: by position in the two path
/// templates (oasdiff's `PathParamsMap`), by name when the templates have
/// different numbers of parameters.
struct PathParamNames<'p> {
    from: Vec<&'p str>,
    to: Vec<&'p str>,
}

impl<'p> PathParamNames<'p> {
    fn new(from_path: &'p str, to_path: &'p str) -> PathParamNames<'p> {
        let (from, to) = (path_params(from_path), path_params(to_path));
        if from.len() == to.len() {
            PathParamNames { from, to }
        } else {
            PathParamNames {
                from: Vec::new(),
                to: Vec::new(),
            }
        }
    }

    fn inverse(&self) -> PathParamNames<'p> {
        PathParamNames {
            from: self.to.clone(),
            to: self.from.clone(),
        }
    }

    fn same(&self, from_name: &str, to_name: &str) -> bool {
        if self.from.is_empty() {
            return from_name == to_name;
        }
        self.from
            .iter()
            .position(|n| *n == from_name)
            .is_some_and(|i| self.to[i] == to_name)
    }
}

/// The parameter of `others` that is `param` in the other version: same
/// location, and same name (header names case-insensitively, path parameters
/// by template position), or, for query, header and cookie parameters, a
/// simple parameter and the exploded object parameter that now carries it
/// as a property (either way round).
fn counterpart<'a, 's>(
    param: &Declared,
    others: &'a [Declared<'s>],
    path_names: &PathParamNames,
) -> Option<&'a Declared<'s>> {
    others
        .iter()
        .find(|other| {
            other.location == param.location
                && match param.location {
                    "path" => path_names.same(param.name, other.name),
                    "header" => other.name.eq_ignore_ascii_case(param.name),
                    _ => other.name == param.name,
                }
        })
        .or_else(|| {
            if param.location == "path" {
                return None;
            }
            others.iter().find(|other| {
                other.location == param.location
                    && (other.exploded.contains(&param.name)
                        || param.exploded.contains(&other.name))
            })
        })
}

/// One matched operation, and where its findings go.
struct Site<'p, 'a> {
    pair: &'p Pair<'a>,
    label: &'p str,
    base: &'p Operation,
    revision: &'p Operation,
    out: &'p mut Vec<Change>,
}

impl Site<'_, '_> {
    fn emit(&mut self, id: &str, args: Vec<String>, base: Option<&str>, revision: Option<&str>) {
        let change = self.pair.change(id, Some(self.label), args, base, revision);
        self.out.push(change);
    }

    /// Like [`Site::emit`], with oasdiff's details (` (sunset: ..., stability: ...)`)
    /// after the sentence.
    fn emit_detailed(&mut self, id: &str, args: Vec<String>, at: (&str, &str), details: String) {
        let mut change = self
            .pair
            .change(id, Some(self.label), args, Some(at.0), Some(at.1));
        change.text.push_str(&details);
        self.out.push(change);
    }

    /// The revision operation's stability, `Err` when its `x-stability-level`
    /// is not a level (reported as `api-invalid-stability-level` elsewhere).
    fn revision_stability(&self) -> Result<Option<Stability>, String> {
        lifecycle::checked_operation_stability(self.pair.revision, self.revision)
    }
}

/// Every parameter change of one operation (schema changes are [`crate::schema`]'s).
pub(crate) fn diff_parameters(
    pair: &Pair,
    label: &str,
    base: &Operation,
    revision: &Operation,
    out: &mut Vec<Change>,
) {
    let mut site = Site {
        pair,
        label,
        base,
        revision,
        out,
    };
    let path_names = PathParamNames::new(&base.path, &revision.path);
    let base_own = declared(pair.base, &format!("{}/parameters", base.pointer));
    let revision_own = declared(pair.revision, &format!("{}/parameters", revision.pointer));
    for param in &base_own {
        match counterpart(param, &revision_own, &path_names) {
            Some(now) => modified(&mut site, param, now),
            None => removed(&mut site, param),
        }
    }
    let inverse = path_names.inverse();
    for param in &revision_own {
        if counterpart(param, &base_own, &inverse).is_none() {
            added(&mut site, param);
        }
    }
    added_to_path_item(&mut site, &path_names);
}

/// A parameter the operation declared itself and no longer does.
fn removed(site: &mut Site, param: &Declared) {
    let at = (
        Some(param.pointer.as_str()),
        Some(site.revision.pointer.as_str()),
    );
    if !param.flag("deprecated") {
        return site.emit("request-parameter-removed", param.args(), at.0, at.1);
    }
    let Some(sunset) = param.sunset() else {
        return site.emit(
            "request-parameter-removed-with-deprecation",
            param.args(),
            at.0,
            at.1,
        );
    };
    match lifecycle::parse_sunset(sunset) {
        Err(error) => sunset_parse(site, param, error, at),
        Ok(date) if site.pair.options.today < date => {
            let mut args = param.args();
            args.push(show_date(date));
            site.emit("request-parameter-removed-before-sunset", args, at.0, at.1);
        }
        // removed after its sunset: as announced
        Ok(_) => {}
    }
}

fn sunset_parse(
    site: &mut Site,
    param: &Declared,
    error: String,
    at: (Option<&str>, Option<&str>),
) {
    let mut args = param.args();
    args.push(error);
    site.emit("request-parameter-sunset-parse", args, at.0, at.1);
}

/// A parameter the operation declares itself in both versions (`param` as it
/// was, `now` as it is).
fn modified(site: &mut Site, param: &Declared, now: &Declared) {
    let at = (param.pointer.as_str(), now.pointer.as_str());
    if param.flag("deprecated") != now.flag("deprecated") {
        deprecation_changed(site, param, now);
    }
    sunset_changed(site, param, now);
    // a simple parameter folded into an exploded object keeps its own
    // `required` (oasdiff compares it with itself)
    let folded = now.name != param.name && now.exploded.contains(&param.name);
    if !folded && param.flag("required") != now.flag("required") {
        let id = if now.flag("required") {
            "request-parameter-became-required"
        } else {
            "request-parameter-became-optional"
        };
        site.emit(id, param.args(), Some(at.0), Some(at.1));
    }
}

/// `deprecated` switched on or off (oasdiff's RequestParameterDeprecationCheck).
fn deprecation_changed(site: &mut Site, param: &Declared, now: &Declared) {
    let at = (param.pointer.as_str(), now.pointer.as_str());
    let stability = site.revision_stability();
    if !now.flag("deprecated") {
        let details = deprecation_details(None, stability.ok().flatten());
        return site.emit_detailed("request-parameter-reactivated", param.args(), at, details);
    }
    let Ok(stability) = stability else {
        return;
    };
    let days = lifecycle::deprecation_days(site.pair.options, stability);
    let Some(sunset) = now.sunset() else {
        if days > 0 {
            return site.emit(
                "request-parameter-deprecated-sunset-missing",
                now.args(),
                Some(at.0),
                Some(at.1),
            );
        }
        let details = deprecation_details(None, stability);
        return site.emit_detailed("request-parameter-deprecated", param.args(), at, details);
    };
    let date = match lifecycle::parse_sunset(sunset) {
        Ok(date) => date,
        Err(error) => return sunset_parse(site, now, error, (Some(at.0), Some(at.1))),
    };
    if lifecycle::days_until(site.pair.options, date) < i64::from(days) {
        let mut args = now.args();
        args.extend([show_date(date), days.to_string()]);
        return site.emit(
            "request-parameter-sunset-date-too-small",
            args,
            Some(at.0),
            Some(at.1),
        );
    }
    let details = deprecation_details(Some(date), stability);
    site.emit_detailed("request-parameter-deprecated", param.args(), at, details);
}

/// The `x-sunset` of a parameter still deprecated was deleted or moved
/// (oasdiff's RequestParameterSunsetChangedCheck).
fn sunset_changed(site: &mut Site, param: &Declared, now: &Declared) {
    if !now.flag("deprecated") {
        return;
    }
    let at = (Some(param.pointer.as_str()), Some(now.pointer.as_str()));
    let (Some(before), after) = (param.sunset(), now.sunset()) else {
        return;
    };
    let Some(after) = after else {
        return site.emit("request-parameter-sunset-deleted", param.args(), at.0, at.1);
    };
    if before == after {
        return;
    }
    let date = match lifecycle::parse_sunset(after) {
        Ok(date) => date,
        Err(error) => return sunset_parse(site, now, error, at),
    };
    let base_date = match lifecycle::parse_sunset(before) {
        Ok(date) => date,
        Err(error) => return sunset_parse(site, param, error, at),
    };
    let Ok(stability) = site.revision_stability() else {
        return;
    };
    let days = lifecycle::deprecation_days(site.pair.options, stability);
    if base_date > date && lifecycle::days_until(site.pair.options, date) < i64::from(days) {
        let mut args = now.args();
        args.extend([
            show_date(base_date),
            show_date(date),
            show_date(base_date),
            days.to_string(),
        ]);
        site.emit(
            "request-parameter-sunset-date-changed-too-small",
            args,
            at.0,
            at.1,
        );
    }
}

/// A parameter the operation declares itself only in the revision.
fn added(site: &mut Site, param: &Declared) {
    let at = (
        Some(site.base.pointer.as_str()),
        Some(param.pointer.as_str()),
    );
    if param.location == "path" {
        return site.emit(
            "new-request-path-parameter",
            vec![param.name.to_string()],
            at.0,
            at.1,
        );
    }
    let id = if param.flag("required") {
        "new-required-request-parameter"
    } else {
        "new-optional-request-parameter"
    };
    site.emit(id, param.args(), at.0, at.1);
}

/// Parameters (other than path ones) added to the operation's path item, so
/// to every operation on the path.
fn added_to_path_item(site: &mut Site, path_names: &PathParamNames) {
    let base_item = format!("{}/parameters", path_item_pointer(site.base));
    let revision_item = format!("{}/parameters", path_item_pointer(site.revision));
    let before = declared(site.pair.base, &base_item);
    let now = declared(site.pair.revision, &revision_item);
    let inverse = path_names.inverse();
    for param in &now {
        if param.location == "path" || counterpart(param, &before, &inverse).is_some() {
            continue;
        }
        let id = if param.flag("required") {
            "new-required-request-default-parameter-to-existing-path"
        } else {
            "new-optional-request-default-parameter-to-existing-path"
        };
        let at = (
            Some(site.base.pointer.as_str()),
            Some(param.pointer.as_str()),
        );
        site.emit(id, param.args(), at.0, at.1);
    }
}

/// oasdiff's details after a deprecation message: ` (sunset: 2099-01-01,
/// stability: beta)`, each part only when known, "" when neither is.
fn deprecation_details(sunset: Option<NaiveDate>, stability: Option<Stability>) -> String {
    let parts: Vec<String> = sunset
        .map(|date| format!("sunset: {}", show_date(date)))
        .into_iter()
        .chain(stability.map(|level| format!("stability: {level}")))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn show_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}
