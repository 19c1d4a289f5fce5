//! `type` and `format` changes: changed, generalized (integer → number, int32 →
//! int64), specialized, or compatible (anything → string where the media type
//! is not strongly typed), and lists of types widened or narrowed (3.1).

use super::walk::{Schema, SchemaDiff};
use super::{Ctx, Direction, Node, SchemaSite};

/// How a type/format change affects clients.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    Changed,
    Generalized,
    Specialized,
    Compatible,
}

pub(crate) fn check<'a>(ctx: &mut Ctx<'_, 'a>, root: &SchemaDiff<'a>, nodes: &[Node<'_, 'a>]) {
    match ctx.site {
        SchemaSite::RequestBody { .. } | SchemaSite::ResponseBody { .. } => body(ctx, root, nodes),
        SchemaSite::Parameter { .. } => parameter(ctx, root, nodes),
        SchemaSite::ResponseHeader { name, .. } => {
            let name = name.to_string();
            if let Some((label, from, to)) = type_change(root) {
                let verdict = verdict(ctx.direction(), root, false);
                let id = format!("response-header-type-{}", verdict_word(verdict));
                let args = ctx.args(vec![name], None, vec![label, from, to]);
                ctx.emit(&id, args, Some(root));
            }
        }
    }
}

fn body(ctx: &mut Ctx, root: &SchemaDiff, nodes: &[Node]) {
    let strongly_typed = is_json(ctx.media_type());
    let side = ctx.side();
    if !list_of_types(ctx, root, None) {
        if let Some((label, from, to)) = type_change(root) {
            let verdict = verdict(ctx.direction(), root, strongly_typed);
            let id = format!("{side}-body-type-{}", verdict_word(verdict));
            let args = ctx.args(vec![], None, vec![label, from, to]);
            ctx.emit(&id, args, Some(root));
        }
    }
    for node in nodes {
        let d = node.diff;
        let skip = match ctx.direction() {
            Direction::Request => d.revision.flag("readOnly"),
            Direction::Response => d.revision.flag("writeOnly"),
        };
        if skip || list_of_types(ctx, d, Some(&node.full_name)) {
            continue;
        }
        if let Some((label, from, to)) = type_change(d) {
            let verdict = verdict(ctx.direction(), d, strongly_typed);
            let id = format!("{side}-property-type-{}", verdict_word(verdict));
            let args = ctx.args(vec![], Some(&node.full_name), vec![label, from, to]);
            ctx.emit(&id, args, Some(d));
        }
    }
}

fn parameter(ctx: &mut Ctx, root: &SchemaDiff, nodes: &[Node]) {
    let SchemaSite::Parameter { location, name } = ctx.site else {
        return;
    };
    let (location, name) = (location.to_string(), name.to_string());
    if !list_of_types(ctx, root, None) {
        if let Some((label, from, to)) = type_change(root) {
            let id = match verdict(Direction::Request, root, false) {
                Verdict::Generalized | Verdict::Compatible => "request-parameter-type-generalized",
                _ if scalar_to_form_explode_array(ctx, root, &location) => {
                    "request-parameter-type-generalized"
                }
                _ => "request-parameter-type-changed",
            };
            ctx.emit(
                id,
                vec![location.clone(), name.clone(), label, from, to],
                Some(root),
            );
        }
    }
    for node in nodes.iter().filter(|n| !n.name.is_empty()) {
        let d = node.diff;
        if list_of_types(ctx, d, Some(&node.full_name)) {
            continue;
        }
        let Some((label, from, to)) = type_change(d) else {
            continue;
        };
        // Objects in parameters may be sent strongly typed (JSON) or not (a
        // form style): breaking in one and not the other is a warning.
        let strongly = verdict(Direction::Request, d, true);
        let loosely = verdict(Direction::Request, d, false);
        let breaks = |v: Verdict| v == Verdict::Changed;
        let id = match (breaks(strongly), breaks(loosely)) {
            (true, true) => "request-parameter-property-type-specialized",
            (false, false) => "request-parameter-property-type-generalized",
            _ => "request-parameter-property-type-changed",
        };
        let args = vec![
            location.clone(),
            name.clone(),
            label,
            node.full_name.clone(),
            from,
            to,
        ];
        ctx.emit(id, args, Some(d));
    }
}

/// Whether a scalar parameter became an array whose items accept every value
/// it accepted, sent form-exploded (`?color=red` is then a one-element array):
/// safe, as oasdiff judges it. The parameter's `style`/`explode` are read from
/// the parameter object holding the schema, else the location's defaults.
fn scalar_to_form_explode_array(ctx: &Ctx, d: &SchemaDiff, location: &str) -> bool {
    let base = d.base.types();
    let added: Vec<&str> = d
        .revision
        .types()
        .into_iter()
        .filter(|t| !base.contains(t))
        .collect();
    if added != ["array"] || base.is_empty() || base.contains(&"array") {
        return false;
    }
    let parameter = d
        .revision
        .pointer
        .strip_suffix("/schema")
        .and_then(|p| crate::lifecycle::at(ctx.pair.revision, p))
        .filter(|p| p.get("in").is_some());
    let setting = |key: &str| parameter.and_then(|p| p.get(key));
    let default_style = if matches!(location, "query" | "cookie") {
        "form"
    } else {
        "simple"
    };
    let style = setting("style")
        .and_then(serde_json::Value::as_str)
        .unwrap_or(default_style);
    let explode = setting("explode")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(style == "form");
    if style != "form" || !explode {
        return false;
    }
    let Some(items) = d.revision.get("items").filter(|v| v.is_object()) else {
        return false;
    };
    let item = Schema {
        value: items,
        pointer: String::new(),
        reference: None,
    };
    accepts_as_text(&item.types(), &base) && same_constraints(d.base.value, items)
}

/// Whether a weakly typed value (a query string) of `types` accepts every
/// value of `of`: strings accept anything, numbers accept integers.
fn accepts_as_text(types: &[&str], of: &[&str]) -> bool {
    types.contains(&"string")
        || of
            .iter()
            .all(|t| types.contains(t) || (*t == "integer" && types.contains(&"number")))
}

/// Whether two schemas constrain values alike, their type, nullability and
/// annotations aside.
fn same_constraints(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    const ASIDE: [&str; 7] = [
        "type",
        "nullable",
        "description",
        "title",
        "example",
        "examples",
        "deprecated",
    ];
    let constraints = |v: &serde_json::Value| -> Vec<(String, serde_json::Value)> {
        let mut kept: Vec<(String, serde_json::Value)> = v
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !ASIDE.contains(&k.as_str()) && !k.starts_with("x-"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        kept.sort_by(|x, y| x.0.cmp(&y.0));
        kept
    };
    constraints(a) == constraints(b)
}

/// `(label, from, to)` when the type or format changed: label `type` with the
/// types (`array<integer>`), or `type/format` with `integer/int32`.
fn type_change(d: &SchemaDiff) -> Option<(String, String, String)> {
    let type_changed = sorted(d.base.types()) != sorted(d.revision.types());
    let format_changed = d.base.format() != d.revision.format();
    if format_changed {
        let show = |s: &Schema| {
            let format = s.format();
            let types = s.types().join(", ");
            if format.is_empty() {
                types
            } else {
                format!("{types}/{format}")
            }
        };
        return Some(("type/format".into(), show(&d.base), show(&d.revision)));
    }
    if type_changed {
        return Some((
            "type".into(),
            describe(&d.base, 0),
            describe(&d.revision, 0),
        ));
    }
    None
}

/// The types of a schema, arrays with their item type: `array<integer>`.
fn describe(s: &Schema, depth: usize) -> String {
    let types = s.types();
    types
        .iter()
        .map(|t| {
            if *t == "array" && depth < 4 {
                if let Some(items) = s.get("items").filter(|v| v.is_object()) {
                    let items_types = items_description(items, depth);
                    if !items_types.is_empty() {
                        return format!("array<{items_types}>");
                    }
                }
            }
            t.to_string()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn items_description(items: &serde_json::Value, depth: usize) -> String {
    let schema = Schema {
        value: items,
        pointer: String::new(),
        reference: None,
    };
    describe(&schema, depth + 1)
}

fn sorted(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v
}

fn verdict(direction: Direction, d: &SchemaDiff, strongly_typed: bool) -> Verdict {
    let base = d.base.types();
    let revision = d.revision.types();
    let is = |types: &[&str], t: &str| types.len() == 1 && types[0] == t;
    if sorted(base.clone()) != sorted(revision.clone()) {
        match direction {
            Direction::Request => {
                if is(&revision, "number") && is(&base, "integer") {
                    Verdict::Generalized
                } else if !strongly_typed && (revision.is_empty() || is(&revision, "string")) {
                    Verdict::Compatible
                } else {
                    Verdict::Changed
                }
            }
            Direction::Response => {
                if is(&base, "number") && is(&revision, "integer") {
                    Verdict::Specialized
                } else if is(&base, "integer") && is(&revision, "number") {
                    Verdict::Generalized
                } else if !strongly_typed && (base.is_empty() || is(&base, "string")) {
                    Verdict::Compatible
                } else {
                    Verdict::Changed
                }
            }
        }
    } else {
        let (from, to) = (d.base.format(), d.revision.format());
        let single = if revision.len() == 1 { revision[0] } else { "" };
        match direction {
            Direction::Request if format_widens(single, from, to) => Verdict::Generalized,
            Direction::Response if format_widens(single, to, from) => Verdict::Specialized,
            _ => Verdict::Changed,
        }
    }
}

/// Whether every value of format `narrow` is also a value of format `wide`.
fn format_widens(schema_type: &str, narrow: &str, wide: &str) -> bool {
    match schema_type {
        "number" => narrow == "float" && wide == "double",
        "integer" => matches!(
            (narrow, wide),
            ("int32", "int64") | ("int32", "bigint") | ("int64", "bigint")
        ),
        "string" => wide == "date-time" && (narrow == "date" || narrow == "time"),
        _ => false,
    }
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Changed => "changed",
        Verdict::Generalized => "generalized",
        Verdict::Specialized => "specialized",
        Verdict::Compatible => "compatible",
    }
}

fn is_json(media_type: &str) -> bool {
    media_type == "application/json"
        || (media_type.starts_with("application/vnd.") && media_type.ends_with("+json"))
}

/// A 3.1 list of types that only grew or only shrank: reported as list-of-types
/// widened/narrowed instead of a type change. True when it reported.
fn list_of_types(ctx: &mut Ctx, d: &SchemaDiff, property: Option<&str>) -> bool {
    let base = d.base.types();
    let revision = d.revision.types();
    if base.len() < 2 && revision.len() < 2 || base.is_empty() || revision.is_empty() {
        return false;
    }
    let added: Vec<&str> = revision
        .iter()
        .copied()
        .filter(|t| !base.contains(t))
        .collect();
    let removed: Vec<&str> = base
        .iter()
        .copied()
        .filter(|t| !revision.contains(t))
        .collect();
    if !added.is_empty() && !removed.is_empty() || added.is_empty() && removed.is_empty() {
        return false;
    }
    let (word, types) = if removed.is_empty() {
        ("widened", added.join(", "))
    } else {
        ("narrowed", removed.join(", "))
    };
    match ctx.site {
        SchemaSite::RequestBody { media_type } | SchemaSite::ResponseBody { media_type, .. } => {
            let media_type = media_type.to_string();
            let side = ctx.side();
            let (id, lead) = match property {
                None => (format!("{side}-body-list-of-types-{word}"), vec![]),
                Some(p) => (
                    format!("{side}-property-list-of-types-{word}"),
                    vec![p.to_string()],
                ),
            };
            let args = ctx.args(lead, None, vec![types, media_type]);
            ctx.emit(&id, args, Some(d));
        }
        SchemaSite::Parameter { location, name } => {
            let (location, name) = (location.to_string(), name.to_string());
            match property {
                None => ctx.emit(
                    &format!("request-parameter-list-of-types-{word}"),
                    vec![location, name, types],
                    Some(d),
                ),
                Some(p) => ctx.emit(
                    &format!("request-parameter-property-list-of-types-{word}"),
                    vec![p.to_string(), location, name, types],
                    Some(d),
                ),
            }
        }
        SchemaSite::ResponseHeader { .. } => return false,
    }
    true
}
